// SPDX-License-Identifier: MIT
/*
 * remote-attestation enclave: answers a verifier's nonce with evidence, Open Enclave's SGX_ECDSA envelope
 * (quote || custom claims) with report_data = SHA-256(custom claims) and the nonce as the custom claims.
 */
#include <bearssl.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <cella/evidence.h>
#include <string.h>

#include "remote_attestation.h"

static cella_result evidence(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const uint8_t uuid[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
	uint8_t rd[64] = {0};
	uint32_t version = CELLA_EVIDENCE_HEADER_VERSION;
	uint64_t size;
	size_t qlen = 0;
	br_sha256_context h;
	cella_result r;
	if (n != 32 || on < CELLA_EVIDENCE_HEADER_BYTES + n)
		return CELLA_ERR_INVALID_ARG;
	br_sha256_init(&h);
	br_sha256_update(&h, in, n);
	br_sha256_out(&h, rd);
	r = cella_get_evidence(rd, out + CELLA_EVIDENCE_HEADER_BYTES, on - CELLA_EVIDENCE_HEADER_BYTES - n, &qlen);
	if (r != CELLA_OK)
		return r;
	memcpy(out + CELLA_EVIDENCE_HEADER_BYTES + qlen, in, n);
	size = qlen + n;
	memcpy(out, &version, 4);
	memcpy(out + 4, uuid, 16);
	memcpy(out + 20, &size, 8);
	*w = CELLA_EVIDENCE_HEADER_BYTES + (size_t)size;
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[ECALL_EVIDENCE] = {evidence, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
