// SPDX-License-Identifier: MIT
/* bench/marshal enclave behind the generated stubs: empty user functions. */
#include "marshal_t.h"

void b_empty(void)
{
}

void b_scalars8(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f, uint64_t g, uint64_t h)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h;
}

void b_in(const void *buf, size_t n)
{
	(void)buf, (void)n;
}

void b_out(void *buf, size_t n)
{
	(void)buf, (void)n;
}

void b_inout(void *buf, size_t n)
{
	(void)buf, (void)n;
}
