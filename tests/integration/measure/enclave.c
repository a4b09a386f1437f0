// SPDX-License-Identifier: MIT
/* Built three times: twice unchanged, once with CELLA_TEST_VARIANT changing one immediate byte of code. */
#include <cella/enclave.h>

#ifndef CELLA_TEST_VARIANT
#define CELLA_TEST_CONSTANT 0x41
#else
#define CELLA_TEST_CONSTANT 0x42
#endif

static cella_result answer(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n;
	if (on < 1)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	out[0] = CELLA_TEST_CONSTANT;
	*w = 1;
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {{answer, CELLA_ECALL_PUBLIC}};
const uint32_t cella_ecall_count = 1;
