// SPDX-License-Identifier: MIT
/* attestation-service sample enclave: evidence (a DCAP-format quote) over 64 bytes of report data. */
#include <cella/attest.h>
#include <cella/enclave.h>

/* ecall 0: in = report data (64 bytes, the host puts SHA-256 of its runtime data first); out = the quote */
static cella_result evidence(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	size_t len = 0;
	cella_result r;
	if (n != 64)
		return CELLA_ERR_INVALID_ARG;
	r = cella_get_evidence(in, out, on, &len);
	if (r == CELLA_OK)
		*w = len;
	return r;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[0] = {evidence, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
