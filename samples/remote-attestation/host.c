// SPDX-License-Identifier: MIT
/*
 * remote-attestation host, playing the relying party too: sends a fresh nonce, receives evidence, verifies it
 * with the host verifier (cella_verify_evidence) against the sandbox platform's software root, prints the
 * claims, and shows what a production policy says about the same evidence.
 *   remote-attestation_host ENCLAVE [ROOT_CA_PEM]
 * ROOT_CA_PEM defaults to the sandbox platform's root-ca.pem ($CELLA_PLATFORM_DIR, else the default directory).
 * A real relying party pins the MRENCLAVE it expects (cella-sign digest); this demo takes it from the loader.
 */
#include <cella/evidence.h>
#include <cella/host.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "remote_attestation.h"

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)n)) &&
	    fread(b, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void default_root(char *buf, size_t n)
{
	const char *env = getenv("CELLA_PLATFORM_DIR"), *home = getenv("HOME");
	if (env && *env)
		snprintf(buf, n, "%s/root-ca.pem", env);
	else if (geteuid() == 0 || !home || !*home)
		snprintf(buf, n, "/var/lib/cella/platform/root-ca.pem");
	else
		snprintf(buf, n, "%s/.local/state/cella/platform/root-ca.pem", home);
}

int main(int argc, char **argv)
{
	struct cella_enclave *e = NULL;
	struct cella_hash mr, ms;
	struct cella_evidence_policy p;
	struct cella_evidence_root root;
	struct cella_claims c;
	uint8_t nonce[32], *ev = malloc(20000), *root_pem = NULL;
	size_t elen = 0, rl = 0;
	char path[4096];
	cella_result r;
	int rc = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s ENCLAVE [ROOT_CA_PEM]\n", argv[0]);
		return 2;
	}
	if (cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e) != CELLA_OK ||
	    cella_enclave_identity(e, &mr, &ms) != CELLA_OK) {
		fprintf(stderr, "host: cannot create the enclave\n");
		goto out;
	}
	if (RAND_bytes(nonce, sizeof(nonce)) != 1 ||
	    (r = cella_enclave_call(e, ECALL_EVIDENCE, nonce, sizeof(nonce), ev, 20000, &elen)) != CELLA_OK) {
		fprintf(stderr, "host: no evidence\n");
		goto out;
	}
	printf("host: got %zu bytes of evidence for a fresh nonce\n", elen);
	if (argc == 3)
		snprintf(path, sizeof(path), "%s", argv[2]);
	else
		default_root(path, sizeof(path));
	root_pem = read_file(path, &rl);
	if (!root_pem) {
		fprintf(stderr, "host: cannot read the software root %s\n", path);
		goto out;
	}
	root.cert = root_pem;
	root.len = rl;
	memset(&p, 0, sizeof(p));
	p.time = (int64_t)time(NULL);
	p.roots = &root;
	p.root_count = 1;
	p.mrenclave = mr.b;

	r = cella_verify_evidence(ev, elen, NULL, 0, &p, &c);
	printf("host: production policy (no debug, no software TEE): %s\n", cella_result_name(r));
	p.allow_software_tee = true; /* development: the sandbox backend, a debug enclave */
	p.allow_debug = true;
	r = cella_verify_evidence(ev, elen, NULL, 0, &p, &c);
	printf("host: development policy: %s\n", cella_result_name(r));
	if (r != CELLA_OK)
		goto out;
	if (c.custom_claims_len != sizeof(nonce) || memcmp(c.custom_claims, nonce, sizeof(nonce)) != 0) {
		fprintf(stderr, "host: the evidence answers another nonce (replay?)\n");
		goto out;
	}
	printf("host: the evidence answers our nonce; claims:\n");
	for (size_t i = 0;; i++) {
		const char *name;
		const uint8_t *v;
		size_t n;
		if (cella_claims_at(&c, i, &name, &v, &n) != CELLA_OK)
			break;
		printf("  %-28s ", name);
		for (size_t k = 0; k < n && k < 32; k++)
			printf("%02x", v[k]);
		printf("%s\n", n > 32 ? "..." : "");
	}
	rc = 0;
out:
	free(ev);
	free(root_pem);
	(void)cella_enclave_terminate(e);
	return rc;
}
