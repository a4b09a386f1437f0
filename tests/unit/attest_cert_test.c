// SPDX-License-Identifier: MIT
/*
 * cella_verify_attest_cert on a real sandbox certificate (the attest fuzzer's seed) and on that certificate with
 * a malformed issuer/subject unique ID where its extensions begin: each is refused with CELLA_ERR_BAD_FORMAT.
 * The parser once looped forever on such a field (found by attest_fuzz): a TLS peer could hang an enclave.
 *   attest_cert_test CERT_DER ROOT_PEM
 */
#include <cella/evidence.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"

#define EXTS_AT 230 /* where the seed's TBSCertificate has its [3] extensions, right after the key */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(65536);
	CT_ASSERT(f && b);
	*len = fread(b, 1, 65536, f);
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	static const struct {
		uint8_t tag, len;
		const char *what;
	} bad[] = {
		{0x81, 0x85, "issuer unique ID, five length bytes"},
		{0x81, 0x80, "issuer unique ID, indefinite length"},
		{0x82, 0x7f, "subject unique ID longer than the certificate"},
		{0x82, 0x81, "subject unique ID, long form for a short length"},
	};
	struct cella_evidence_root root;
	struct cella_evidence_policy p;
	struct cella_claims c;
	size_t n;
	uint8_t *cert, *mut;
	CT_ASSERT(argc == 3);
	cert = slurp(argv[1], &n);
	root.cert = slurp(argv[2], &root.len);
	memset(&p, 0, sizeof(p));
	p.time = 1798761600; /* 2027-01-01 */
	p.roots = &root;
	p.root_count = 1;
	p.allow_software_tee = true;
	p.allow_debug = true;
	p.any_identity = true;
	CT_RESULT(cella_verify_attest_cert(cert, n, NULL, 0, &p, &c), CELLA_OK);
	CT_ASSERT(c.software_tee);
	cella_test_pass("the sandbox certificate verifies");

	CT_ASSERT(n > EXTS_AT + 2 && cert[EXTS_AT] == 0xa3);
	mut = malloc(n);
	CT_ASSERT(mut != NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(mut, cert, n);
		mut[EXTS_AT] = bad[i].tag;
		mut[EXTS_AT + 1] = bad[i].len;
		if (cella_verify_attest_cert(mut, n, NULL, 0, &p, &c) != CELLA_ERR_BAD_FORMAT)
			cella_test_fail(__FILE__, __LINE__, "%s: not refused as CELLA_ERR_BAD_FORMAT", bad[i].what);
	}
	cella_test_pass("malformed unique IDs where the extensions start are refused, not looped over");
	free(mut);
	free(cert);
	free((void *)root.cert);
	return 0;
}
