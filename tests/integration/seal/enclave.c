// SPDX-License-Identifier: MIT
/* Test enclave for cella_seal / cella_unseal. Built several times: other MRENCLAVE, product id and ISVSVN. */
#include <cella/enclave.h>
#include <cella/seal.h>
#include <stdlib.h>
#include <string.h>

#include "seal_ids.h"

static uint8_t big_pt[1u << 20], big_out[1u << 20];

/* Round trip of n bytes with aad through a blob at `blob` (enclave or host memory). */
static uint32_t round_trip(uint8_t *blob, size_t cap, size_t n, size_t aad_n, uint16_t policy)
{
	static const char aad[] = "associated data that stays in clear";
	uint8_t got_aad[64];
	size_t len = 0, pl = 0, al = 0;
	uint32_t f = 0;
	for (size_t i = 0; i < n; i++)
		big_pt[i] = (uint8_t)(i * 7 + 1);
	if (cella_seal(policy, aad, aad_n, big_pt, n, blob, cap, &len) != CELLA_OK || len != cella_sealed_size(aad_n, n))
		return 1;
	if (n >= 32 && memcmp(blob + CELLA_SEAL_HEADER_BYTES + aad_n, big_pt, 32) == 0)
		f |= 1; /* ciphertext must not be the plaintext */
	if (cella_unseal(blob, len, big_out, sizeof(big_out), &pl, got_aad, sizeof(got_aad), &al) != CELLA_OK ||
	    pl != n || al != aad_n || memcmp(big_out, big_pt, n) != 0 || memcmp(got_aad, aad, aad_n) != 0)
		f |= 1;
	return f;
}

static cella_result selftest(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t f = 0;
	size_t cap = cella_sealed_size(64, sizeof(big_pt)), len = 0, pl = 0, al = 0;
	uint8_t *blob = malloc(cap), *hblob = cella_host_malloc(cella_sealed_size(64, 4096));
	uint8_t small[16] = "0123456789abcde", o[16];
	(void)in, (void)n;
	if (!blob || !hblob)
		return CELLA_ERR_OUT_OF_MEMORY;
	f |= round_trip(blob, cap, 0, 0, 0) << 0;
	f |= round_trip(blob, cap, 1, 5, CELLA_SEAL_POLICY_MRENCLAVE) << 1;
	f |= round_trip(blob, cap, 1000, 36, CELLA_SEAL_POLICY_MRSIGNER) << 2;
	f |= round_trip(blob, cap, sizeof(big_pt), 0, 0) << 3;
	f |= round_trip(hblob, cella_sealed_size(64, 4096), 4096, 12, 0) << 4; /* blob in host memory */
	f |= round_trip(hblob, cella_sealed_size(64, 4096), 16385, 12, 0) == 0 ? 1u << 5 : 0; /* too small */

	/* refusals that need enclave-side pointers */
	if (cella_seal(3, NULL, 0, small, sizeof(small), blob, cap, &len) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 6; /* both policies at once */
	if (cella_seal(0, NULL, 0, hblob, 16, blob, cap, &len) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 7; /* plaintext in host memory */
	if (cella_seal(0, NULL, 0, small, sizeof(small), blob, 100, &len) != CELLA_ERR_BUFFER_TOO_SMALL ||
	    len != cella_sealed_size(0, sizeof(small)))
		f |= 1u << 8;
	if (cella_sealed_size(CELLA_SEAL_MAX_BYTES + (size_t)1, 0) != SIZE_MAX)
		f |= 1u << 9;
	if (cella_seal(0, NULL, 0, small, sizeof(small), blob, cap, &len) != CELLA_OK)
		f |= 1u << 10;
	if (cella_unseal(blob, len, hblob, 16, &pl, NULL, 0, &al) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 11; /* plaintext output in host memory */
	if (cella_unseal(blob, len, o, 15, &pl, NULL, 0, &al) != CELLA_ERR_BUFFER_TOO_SMALL || pl != 16)
		f |= 1u << 12;
	memset(o, 0x55, sizeof(o));
	blob[len - 1] ^= 1;
	if (cella_unseal(blob, len, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_SEALED_BLOB || pl != 0 || o[0] != 0)
		f |= 1u << 13; /* bad tag: output wiped, not the plaintext */
	blob[len - 1] ^= 1;
	if (cella_unseal(blob, len - 1, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_TRUNCATED)
		f |= 1u << 14;
	if (cella_unseal(blob, 10, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_TRUNCATED)
		f |= 1u << 15;
	cella_host_free(hblob);
	free(blob);
	memset(big_out, 0, sizeof(big_out));
	if (on < 4)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &f, 4);
	*w = 4;
	return CELLA_OK;
}

static cella_result seal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint16_t policy, aad_len;
	if (n < 4)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&policy, in, 2);
	memcpy(&aad_len, in + 2, 2);
	if (aad_len > n - 4)
		return CELLA_ERR_INVALID_ARG;
	/* `in` is an enclave copy, so the plaintext comes from enclave memory */
	return cella_seal(policy, in + 4, aad_len, in + 4 + aad_len, n - 4 - aad_len, out, on, w);
}

static cella_result unseal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	size_t al = 0, pl = 0;
	uint8_t *pt;
	cella_result r = cella_sealed_lengths(in, n, &al, &pl);
	if (r != CELLA_OK)
		return r;
	if (on < 4 + al + pl)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	pt = malloc(pl ? pl : 1);
	if (!pt)
		return CELLA_ERR_OUT_OF_MEMORY;
	r = cella_unseal(in, n, pt, pl, &pl, out + 4, al, &al);
	if (r == CELLA_OK) {
		uint32_t a32 = (uint32_t)al;
		memcpy(out, &a32, 4);
		memcpy(out + 4 + al, pt, pl); /* a test: real enclaves keep their plaintext */
		*w = 4 + al + pl;
	}
	free(pt);
	return r;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[S_SELFTEST] = {selftest, CELLA_ECALL_PUBLIC},
	[S_SEAL] = {seal, CELLA_ECALL_PUBLIC},
	[S_UNSEAL] = {unseal, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);

#ifdef CELLA_TEST_VARIANT
const int cella_test_variant = CELLA_TEST_VARIANT; /* changes MRENCLAVE only */
#endif
