// SPDX-License-Identifier: MIT
/*
 * The application's exception handlers (cella/enclave.h), one table for both worlds: the sandbox's fault
 * signals (syscall.c) and SGX's second phase (sgx/sgx_main.c) both come here with the x86 vector and the
 * interrupted registers.
 */
#include "rt.h"

#define MAX_HANDLERS 8

static cella_exception_handler handlers[MAX_HANDLERS];
static uint32_t nhandlers;  /* published: handlers[0, nhandlers) are set */
static volatile int adding; /* serialises cella_exception_handler_add */

/* see cella/enclave.h */
cella_result cella_exception_handler_add(cella_exception_handler fn)
{
	cella_result r = CELLA_OK;
	uint32_t n;
	if (!fn)
		return CELLA_ERR_INVALID_ARG;
	while (__atomic_exchange_n(&adding, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	n = __atomic_load_n(&nhandlers, __ATOMIC_RELAXED);
	if (n == MAX_HANDLERS) {
		r = CELLA_ERR_OUT_OF_MEMORY;
	} else {
		handlers[n] = fn;
		__atomic_store_n(&nhandlers, n + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&adding, 0, __ATOMIC_RELEASE);
	return r;
}

bool rt_exception_dispatch(uint32_t vector, struct cella_exception_context *ctx)
{
	uint32_t n = __atomic_load_n(&nhandlers, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < n; i++)
		if (handlers[i](vector, ctx))
			return true;
	return false;
}
