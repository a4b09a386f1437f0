// SPDX-License-Identifier: MIT
/* Enclave for bench/calls: empty ecall, [in] buffer ecall, a loop of empty ocalls. */
#include <cella/enclave.h>
#include <string.h>

#include "bench_calls.h"

static cella_result b_empty(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return CELLA_OK;
}

static volatile uint8_t sink;

static cella_result b_in(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)out, (void)on, (void)w;
	if (n)
		sink = in[n - 1]; /* the input arrived (already copied into enclave memory) */
	return CELLA_OK;
}

static cella_result b_ocall_loop(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t count;
	size_t got;
	(void)out, (void)on, (void)w;
	if (n != sizeof(count))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&count, in, sizeof(count));
	for (uint64_t i = 0; i < count; i++) {
		cella_result r = cella_ocall(B_O_EMPTY, NULL, 0, NULL, 0, &got);
		if (r != CELLA_OK)
			return r;
	}
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[B_EMPTY] = {b_empty, CELLA_ECALL_PUBLIC},
	[B_IN] = {b_in, CELLA_ECALL_PUBLIC},
	[B_OCALL_LOOP] = {b_ocall_loop, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = 3;
