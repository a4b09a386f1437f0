// SPDX-License-Identifier: MIT
/* data-sealing enclave: seals a secret to this enclave (MRENCLAVE) or its signer (MRSIGNER), and unseals it. */
#include <cella/enclave.h>
#include <cella/seal.h>
#include <stdlib.h>
#include <string.h>

#include "data_sealing.h"

static const char aad[] = "data-sealing sample v1"; /* authenticated, in clear: says what the blob is */

static cella_result seal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint16_t policy;
	if (n < 2)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&policy, in, 2);
	return cella_seal(policy, aad, sizeof(aad), in + 2, n - 2, out, on, w);
}

static cella_result unseal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint8_t got_aad[sizeof(aad)];
	size_t al = 0, pl = 0;
	cella_result r = cella_sealed_lengths(in, n, &al, &pl);
	if (r != CELLA_OK)
		return r;
	if (al != sizeof(aad) || pl > on)
		return CELLA_ERR_SEALED_BLOB;
	r = cella_unseal(in, n, out, on, &pl, got_aad, sizeof(got_aad), &al);
	if (r == CELLA_OK && memcmp(got_aad, aad, sizeof(aad)) != 0)
		r = CELLA_ERR_SEALED_BLOB; /* a valid blob, but not one of ours */
	if (r == CELLA_OK)
		*w = pl;
	return r;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[ECALL_SEAL] = {seal, CELLA_ECALL_PUBLIC},
	[ECALL_UNSEAL] = {unseal, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);

#ifdef DATA_SEALING_OTHER
const int data_sealing_other = 1; /* a different enclave: other MRENCLAVE, same signer and product */
#endif
