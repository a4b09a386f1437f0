// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the evidence verifier (src/attest): every input is tried as an attested-TLS certificate
 * (cella_verify_attest_cert) and as evidence (cella_verify_evidence, bare quote or Open Enclave envelope), under a
 * permissive policy whose software root is the one the committed seeds chain to, so that unchanged seeds verify
 * all the way and mutations reach every check. Built twice by run_fuzz.sh: with the enclave's back end (BearSSL,
 * what an enclave runs on a TLS peer's certificate) and with the host's (OpenSSL and libcella-verify).
 * CELLA_FUZZ_ROOT names the root certificate (PEM).
 */
#include <cella/evidence.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct cella_evidence_root root;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("CELLA_FUZZ_ROOT");
	FILE *f = path ? fopen(path, "rb") : NULL;
	static uint8_t buf[8192];
	(void)argc, (void)argv;
	if (!f) {
		fprintf(stderr, "attest_fuzz: set CELLA_FUZZ_ROOT to the seeds' root certificate\n");
		abort();
	}
	root.len = fread(buf, 1, sizeof(buf), f);
	root.cert = buf;
	fclose(f);
	return 0;
}

/* Every claim the verifier reports is readable, within the claims structure. */
static void read_claims(const struct cella_claims *c)
{
	const char *name;
	const uint8_t *v;
	size_t size, i = 0;
	if (c->custom_claims_len > CELLA_CLAIMS_CUSTOM_BYTES)
		abort();
	while (cella_claims_at(c, i++, &name, &v, &size) == CELLA_OK)
		if (v < (const uint8_t *)c || v + size > (const uint8_t *)(c + 1))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct cella_evidence_policy p;
	struct cella_claims c;
	memset(&p, 0, sizeof(p));
	p.time = 1798761600; /* 2027-01-01, inside the seeds' validity */
	p.roots = &root;
	p.root_count = 1;
	p.allow_software_tee = true;
	p.allow_debug = true;
	p.any_identity = true;
	p.allowed_tcb = 0x7f;
	if (cella_verify_attest_cert(d, n, NULL, 0, &p, &c) == CELLA_OK)
		read_claims(&c);
	if (cella_verify_evidence(d, n, NULL, 0, &p, &c) == CELLA_OK)
		read_claims(&c);
	/* the same input as both the evidence and its endorsements: the collateral parser behind Intel quotes */
	if (n > 1 && cella_verify_evidence(d, n / 2, d + n / 2, n - n / 2, &p, &c) == CELLA_OK)
		read_claims(&c);
	return 0;
}
