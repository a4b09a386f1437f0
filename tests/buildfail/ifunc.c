// SPDX-License-Identifier: MIT
/* A GNU indirect function yields an R_X86_64_IRELATIVE relocation, which no enclave loader applies. */
#include <cella/enclave.h>

static int impl(void)
{
	return 1;
}

static int (*resolve(void))(void)
{
	return impl;
}

int chosen(void) __attribute__((ifunc("resolve")));

static cella_result f(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return chosen() ? CELLA_OK : CELLA_ERR_UNEXPECTED;
}

const struct cella_ecall_entry cella_ecall_table[] = {{f, CELLA_ECALL_PUBLIC}};
const uint32_t cella_ecall_count = 1;
