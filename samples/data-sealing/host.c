// SPDX-License-Identifier: MIT
/*
 * data-sealing host:
 *   data-sealing_host seal ENCLAVE BLOB_FILE unique|product "secret text"   seal inside the enclave, save the blob
 *   data-sealing_host unseal ENCLAVE BLOB_FILE                              load the blob, unseal inside the enclave
 * The host only ever holds the sealed blob.
 */
#include <cella/host.h>
#include <cella/seal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_sealing.h"

static int fail(const char *what, cella_result r)
{
	fprintf(stderr, "host: %s: %s (%s)\n", what, cella_result_name(r), cella_result_str(r));
	return 1;
}

int main(int argc, char **argv)
{
	struct cella_enclave *e = NULL;
	uint8_t buf[8192], in[4096];
	size_t n = 0;
	cella_result r;
	FILE *f;
	int rc = 1;

	if (argc < 4 || (strcmp(argv[1], "seal") == 0 && argc != 6)) {
		fprintf(stderr, "usage: %s seal ENCLAVE BLOB unique|product TEXT | unseal ENCLAVE BLOB\n", argv[0]);
		return 2;
	}
	r = cella_enclave_create(argv[2], CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e);
	if (r != CELLA_OK)
		return fail("cannot create the enclave", r);
	if (strcmp(argv[1], "seal") == 0) {
		uint16_t policy = strcmp(argv[4], "unique") == 0 ? CELLA_SEAL_POLICY_MRENCLAVE : CELLA_SEAL_POLICY_MRSIGNER;
		size_t tl = strlen(argv[5]);
		if (tl > sizeof(in) - 2)
			return 2;
		memcpy(in, &policy, 2);
		memcpy(in + 2, argv[5], tl);
		r = cella_enclave_call(e, ECALL_SEAL, in, 2 + tl, buf, sizeof(buf), &n);
		if (r != CELLA_OK) {
			rc = fail("seal", r);
			goto out;
		}
		f = fopen(argv[3], "wb");
		if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
			fprintf(stderr, "host: cannot write %s\n", argv[3]);
			goto out;
		}
		printf("host: sealed %zu secret bytes into a %zu-byte blob (%s policy) -> %s\n", tl, n,
		       policy == CELLA_SEAL_POLICY_MRENCLAVE ? "MRENCLAVE" : "MRSIGNER", argv[3]);
		rc = 0;
	} else {
		size_t bl;
		f = fopen(argv[3], "rb");
		if (!f) {
			fprintf(stderr, "host: cannot read %s\n", argv[3]);
			goto out;
		}
		bl = fread(in, 1, sizeof(in), f);
		fclose(f);
		r = cella_enclave_call(e, ECALL_UNSEAL, in, bl, buf, sizeof(buf) - 1, &n);
		if (r != CELLA_OK) {
			rc = fail("unseal refused", r);
			goto out;
		}
		buf[n] = 0;
		printf("host: the enclave unsealed: \"%s\"\n", (char *)buf);
		rc = 0;
	}
out:
	(void)cella_enclave_terminate(e);
	return rc;
}
