// SPDX-License-Identifier: MIT
/*
 * Sealing on the sandbox backend: round trips, a new process, other enclaves, SVN rules, and every refusal of a
 * tampered, truncated or extended blob.
 *   seal_test A A_VARIANT A_SVN4 OTHER_PRODUCT
 * A: SVN 3 product 7; A_VARIANT: same signer/product/SVN, other MRENCLAVE; A_SVN4: SVN 4; OTHER_PRODUCT: product 8.
 */
#include <cella/host.h>
#include <cella/seal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "seal_ids.h"

#define OUT_CAP (2u << 20)

static struct cella_enclave *open_enclave(const char *path)
{
	struct cella_enclave *e = NULL;
	CT_RESULT(cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e), CELLA_OK);
	return e;
}

static uint8_t *seal(struct cella_enclave *e, uint16_t policy, const char *aad, const void *pt, size_t n, size_t *len)
{
	size_t al = strlen(aad), in_len = 4 + al + n;
	uint8_t *in = malloc(in_len), *blob = malloc(OUT_CAP);
	uint16_t a16 = (uint16_t)al;
	CT_ASSERT(in && blob);
	memcpy(in, &policy, 2);
	memcpy(in + 2, &a16, 2);
	memcpy(in + 4, aad, al);
	memcpy(in + 4 + al, pt, n);
	CT_RESULT(cella_enclave_call(e, S_SEAL, in, in_len, blob, OUT_CAP, len), CELLA_OK);
	CT_EQ(*len, cella_sealed_size(al, n));
	free(in);
	return blob;
}

/* Unseals; on success checks the AAD and plaintext against the expected ones. */
static cella_result unseal(struct cella_enclave *e, const uint8_t *blob, size_t len, const char *aad, const void *pt,
			   size_t n)
{
	static uint8_t out[OUT_CAP];
	size_t w = 0;
	uint32_t al;
	cella_result r = cella_enclave_call(e, S_UNSEAL, blob, len, out, sizeof(out), &w);
	if (r != CELLA_OK) {
		CT_EQ(w, 0); /* nothing comes back from a refused blob */
		return r;
	}
	memcpy(&al, out, 4);
	CT_EQ(al, strlen(aad));
	CT_EQ(w, 4 + al + n);
	CT_ASSERT(memcmp(out + 4, aad, al) == 0);
	CT_ASSERT(memcmp(out + 4 + al, pt, n) == 0);
	return r;
}

int main(int argc, char **argv)
{
	static const char secret[] = "the launch codes are 0000";
	struct cella_enclave *a, *a2, *v, *svn4, *prod8;
	uint8_t *by_enclave, *by_signer, *by_svn4, *blob;
	size_t le, ls, l4, w = 0;
	uint32_t failed = 1;
	struct cella_hash m1, s1, m2, s2;

	if (argc != 5)
		return 2;
	a = open_enclave(argv[1]);
	CT_RESULT(cella_enclave_call(a, S_SELFTEST, NULL, 0, &failed, 4, &w), CELLA_OK);
	if (failed)
		cella_test_fail(__FILE__, __LINE__, "in-enclave sealing checks failed: mask 0x%x", failed);
	cella_test_pass("in-enclave round trips (0 B .. 1 MiB, host-memory blob) and argument refusals");

	by_enclave = seal(a, CELLA_SEAL_POLICY_MRENCLAVE, "v1", secret, sizeof(secret), &le);
	by_signer = seal(a, CELLA_SEAL_POLICY_DEFAULT, "", secret, sizeof(secret), &ls);
	CT_ASSERT(memmem(by_enclave, le, secret, sizeof(secret) - 1) == NULL);
	CT_RESULT(unseal(a, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(a), CELLA_OK);

	/* a new process of the same enclave unseals both */
	a2 = open_enclave(argv[1]);
	CT_RESULT(unseal(a2, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_OK);
	CT_RESULT(unseal(a2, by_signer, ls, "", secret, sizeof(secret)), CELLA_OK);
	cella_test_pass("unseal in a new process (MRENCLAVE and MRSIGNER policies)");

	/* another enclave of the same signer and product: MRSIGNER yes, MRENCLAVE no */
	v = open_enclave(argv[2]);
	CT_RESULT(cella_enclave_identity(a2, &m1, &s1), CELLA_OK);
	CT_RESULT(cella_enclave_identity(v, &m2, &s2), CELLA_OK);
	CT_ASSERT(memcmp(&m1, &m2, 32) != 0 && memcmp(&s1, &s2, 32) == 0);
	CT_RESULT(unseal(v, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	CT_RESULT(unseal(v, by_signer, ls, "", secret, sizeof(secret)), CELLA_OK);
	cella_test_pass("another enclave cannot unseal MRENCLAVE-sealed data (and can MRSIGNER-sealed)");

	/* another product of the same signer cannot */
	prod8 = open_enclave(argv[4]);
	CT_RESULT(unseal(prod8, by_signer, ls, "", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	CT_RESULT(unseal(prod8, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	cella_test_pass("another product id cannot unseal");

	/* SVN: a newer enclave opens older data and re-seals at its SVN, which the older one refuses */
	svn4 = open_enclave(argv[3]);
	CT_RESULT(unseal(svn4, by_signer, ls, "", secret, sizeof(secret)), CELLA_OK);
	CT_RESULT(unseal(svn4, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	by_svn4 = seal(svn4, 0, "", secret, sizeof(secret), &l4);
	CT_RESULT(unseal(a2, by_svn4, l4, "", secret, sizeof(secret)), CELLA_ERR_INVALID_ISVSVN);
	CT_RESULT(unseal(v, by_svn4, l4, "", secret, sizeof(secret)), CELLA_ERR_INVALID_ISVSVN);
	CT_RESULT(unseal(svn4, by_svn4, l4, "", secret, sizeof(secret)), CELLA_OK);
	cella_test_pass("data sealed at a higher SVN is refused; lower SVN data migrates up");

	/* every single flipped bit of a blob is refused, and nothing comes out */
	blob = seal(a2, CELLA_SEAL_POLICY_MRSIGNER, "aad", "tiny", 4, &ls);
	for (size_t i = 0; i < ls * 8; i++) {
		cella_result r;
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
		r = unseal(a2, blob, ls, "aad", "tiny", 4);
		if (r != CELLA_ERR_SEALED_BLOB && r != CELLA_ERR_TRUNCATED && r != CELLA_ERR_INVALID_ISVSVN &&
		    r != CELLA_ERR_INVALID_CPUSVN)
			cella_test_fail(__FILE__, __LINE__, "bit %zu flipped: %s", i, cella_result_name(r));
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CT_RESULT(unseal(a2, blob, ls, "aad", "tiny", 4), CELLA_OK);
	cella_test_pass("every one-bit change of a blob (header, key request, IV, AAD, ciphertext, tag) is refused");

	/* truncated at every length, extended by a byte */
	for (size_t n = 0; n < ls; n++)
		if (unseal(a2, blob, n, "aad", "tiny", 4) == CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "blob truncated to %zu bytes unseals", n);
	blob[ls] = 0;
	CT_RESULT(unseal(a2, blob, ls + 1, "aad", "tiny", 4), CELLA_ERR_SEALED_BLOB);
	/* announced lengths that overflow or exceed the blob */
	blob[8] = 0xff, blob[9] = 0xff, blob[10] = 0xff, blob[11] = 0xff;
	CT_RESULT(unseal(a2, blob, ls, "aad", "tiny", 4), CELLA_ERR_SEALED_BLOB);
	blob[11] = 0x7f;
	CT_RESULT(unseal(a2, blob, ls, "aad", "tiny", 4), CELLA_ERR_TRUNCATED);
	cella_test_pass("truncated, extended and overflowing blobs are refused");

	free(blob);
	free(by_svn4);
	free(by_enclave);
	free(by_signer);
	CT_RESULT(cella_enclave_terminate(a2), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(v), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(svn4), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(prod8), CELLA_OK);
	return 0;
}
