// SPDX-License-Identifier: MIT
/* bench/marshal reference enclave: the same calls written by hand on the raw call interface (no stubs). */
#include <cella/enclave.h>
#include <string.h>

#include "bench_marshal.h"

static cella_result r_empty(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return CELLA_OK;
}

static cella_result r_in(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return CELLA_OK;
}

static cella_result r_out(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out;
	*w = on; /* the runtime zeroed it */
	return CELLA_OK;
}

static cella_result r_inout(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	if (on < n)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, in, n);
	*w = n;
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[RAW_EMPTY] = {r_empty, CELLA_ECALL_PUBLIC},
	[RAW_IN] = {r_in, CELLA_ECALL_PUBLIC},
	[RAW_OUT] = {r_out, CELLA_ECALL_PUBLIC},
	[RAW_INOUT] = {r_inout, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
