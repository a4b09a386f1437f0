// SPDX-License-Identifier: MIT
/*
 * local-attestation host: relays messages between two enclaves, which attest to each other with reports and
 * derive a shared key. The host sees reports and public keys only; it also shows that a tampered report fails.
 *   local-attestation_host ENCLAVE_A ENCLAVE_B
 */
#include <cella/abi/report.h>
#include <cella/host.h>
#include <stdio.h>
#include <string.h>

#include "local_attestation.h"

static void fp(const char *who, const uint8_t f[8])
{
	printf("host: %s derived a key with fingerprint ", who);
	for (int i = 0; i < 8; i++)
		printf("%02x", f[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct cella_enclave *a = NULL, *b = NULL;
	struct cella_target_info ta, tb;
	struct la_hello ha, hb;
	uint8_t fa[8], fb[8];
	size_t w = 0;
	cella_result r;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: %s ENCLAVE_A ENCLAVE_B\n", argv[0]);
		return 2;
	}
	if (cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, NULL, &a) != CELLA_OK ||
	    cella_enclave_create(argv[2], CELLA_ENCLAVE_FLAG_DEBUG, NULL, &b) != CELLA_OK) {
		fprintf(stderr, "host: cannot create the enclaves\n");
		goto out;
	}
	if (cella_enclave_call(a, ECALL_TARGET_INFO, NULL, 0, &ta, sizeof(ta), &w) != CELLA_OK ||
	    cella_enclave_call(b, ECALL_TARGET_INFO, NULL, 0, &tb, sizeof(tb), &w) != CELLA_OK ||
	    cella_enclave_call(a, ECALL_HELLO, &tb, sizeof(tb), &ha, sizeof(ha), &w) != CELLA_OK ||
	    cella_enclave_call(b, ECALL_HELLO, &ta, sizeof(ta), &hb, sizeof(hb), &w) != CELLA_OK) {
		fprintf(stderr, "host: report exchange failed\n");
		goto out;
	}
	printf("host: A and B exchanged reports (each targeted at the other, binding an ECDH key)\n");
	/* a report changed in transit is refused */
	ha.report[300] ^= 1;
	r = cella_enclave_call(b, ECALL_FINISH, &ha, sizeof(ha), fb, sizeof(fb), &w);
	printf("host: B given a tampered report from A: %s\n", cella_result_name(r));
	ha.report[300] ^= 1;
	if (r == CELLA_OK)
		goto out;
	if ((r = cella_enclave_call(a, ECALL_FINISH, &hb, sizeof(hb), fa, sizeof(fa), &w)) != CELLA_OK ||
	    (r = cella_enclave_call(b, ECALL_FINISH, &ha, sizeof(ha), fb, sizeof(fb), &w)) != CELLA_OK) {
		fprintf(stderr, "host: verification failed: %s\n", cella_result_name(r));
		goto out;
	}
	fp("A", fa);
	fp("B", fb);
	if (memcmp(fa, fb, 8) != 0) {
		fprintf(stderr, "host: the keys differ\n");
		goto out;
	}
	printf("host: both enclaves hold the same key; the host never saw it\n");
	rc = 0;
out:
	(void)cella_enclave_terminate(a);
	(void)cella_enclave_terminate(b);
	return rc;
}
