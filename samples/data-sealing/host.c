// SPDX-License-Identifier: MIT
/*
 * data-sealing host:
 *   data-sealing_host seal ENCLAVE BLOB_FILE unique|product "secret text"   seal inside the enclave, unseal the
 *                                                                           blob there again, then save it
 *   data-sealing_host unseal ENCLAVE BLOB_FILE                              load the blob, unseal inside the enclave
 * The host only ever holds the sealed blob.
 */
#include <cella/host.h>
#include <cella/seal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_sealing.h"

static int fail(const char *what, cella_result r)
{
	fprintf(stderr, "host: %s: %s (%s)\n", what, cella_result_name(r), cella_result_str(r));
	return 1;
}

#define MAX_TEXT 4000 /* its blob (CELLA_SEAL_OVERHEAD_BYTES + the AAD more) fits BLOB_MAX */
#define BLOB_MAX 8192

/* Seals text inside the enclave and unseals the blob there again (the round trip, before anything is saved:
 * a blob this enclave cannot give back is never written), then saves it to path. */
static int seal_cmd(struct cella_enclave *e, const char *path, uint16_t policy, const char *text)
{
	static uint8_t in[2 + MAX_TEXT], blob[BLOB_MAX], back[MAX_TEXT];
	size_t tl = strlen(text), n = 0, bn = 0;
	cella_result r;
	FILE *f;
	memcpy(in, &policy, 2);
	memcpy(in + 2, text, tl);
	r = cella_enclave_call(e, ECALL_SEAL, in, 2 + tl, blob, sizeof(blob), &n);
	if (r != CELLA_OK)
		return fail("seal", r);
	r = cella_enclave_call(e, ECALL_UNSEAL, blob, n, back, sizeof(back), &bn);
	if (r != CELLA_OK)
		return fail("unseal of the blob just sealed", r);
	if (bn != tl || memcmp(back, text, tl) != 0) {
		fprintf(stderr, "host: the blob just sealed unsealed to other text\n");
		return 1;
	}
	f = fopen(path, "wb");
	if (!f || fwrite(blob, 1, n, f) != n || fclose(f) != 0) {
		if (f)
			fclose(f);
		fprintf(stderr, "host: cannot write %s\n", path);
		return 1;
	}
	printf("host: sealed %zu secret bytes into a %zu-byte blob (%s policy), unsealed it back -> %s\n", tl, n,
	       policy == CELLA_SEAL_POLICY_MRENCLAVE ? "MRENCLAVE" : "MRSIGNER", path);
	return 0;
}

/* Loads the blob at path and unseals it inside the enclave. */
static int unseal_cmd(struct cella_enclave *e, const char *path)
{
	static uint8_t blob[BLOB_MAX + 1], text[MAX_TEXT + 1];
	size_t bl, n = 0;
	cella_result r;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "host: cannot read %s\n", path);
		return 1;
	}
	bl = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	if (bl > BLOB_MAX) {
		fprintf(stderr, "host: %s is larger than any blob this sample seals (%d bytes)\n", path, BLOB_MAX);
		return 1;
	}
	r = cella_enclave_call(e, ECALL_UNSEAL, blob, bl, text, sizeof(text) - 1, &n);
	if (r != CELLA_OK)
		return fail("unseal refused", r);
	text[n] = 0;
	printf("host: the enclave unsealed: \"%s\"\n", (char *)text);
	return 0;
}

int main(int argc, char **argv)
{
	struct cella_enclave *e = NULL;
	bool seal = argc == 6 && strcmp(argv[1], "seal") == 0;
	cella_result r;
	int rc;

	if (!seal && !(argc == 4 && strcmp(argv[1], "unseal") == 0)) {
		fprintf(stderr, "usage: %s seal ENCLAVE BLOB unique|product TEXT | unseal ENCLAVE BLOB\n", argv[0]);
		return 2;
	}
	if (seal && strcmp(argv[4], "unique") != 0 && strcmp(argv[4], "product") != 0) {
		fprintf(stderr, "host: the policy is unique (MRENCLAVE) or product (MRSIGNER), not \"%s\"\n", argv[4]);
		return 2;
	}
	if (seal && strlen(argv[5]) > MAX_TEXT) {
		fprintf(stderr, "host: the text is longer than %d bytes\n", MAX_TEXT);
		return 2;
	}
	r = cella_enclave_create(argv[2], CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e);
	if (r != CELLA_OK)
		return fail("cannot create the enclave", r);
	if (seal)
		rc = seal_cmd(e, argv[3],
			      strcmp(argv[4], "unique") == 0 ? CELLA_SEAL_POLICY_MRENCLAVE : CELLA_SEAL_POLICY_MRSIGNER,
			      argv[5]);
	else
		rc = unseal_cmd(e, argv[3]);
	(void)cella_enclave_terminate(e);
	return rc;
}
