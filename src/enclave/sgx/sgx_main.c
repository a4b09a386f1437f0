// SPDX-License-Identifier: MIT
/*
 * The C side of the SGX entry: op dispatch for call entries, the first-phase exception handler (CSSA 1) and
 * the second phase (the syscall layer for #UD on SYSCALL, CPUID from the host for #UD on CPUID, user handlers, else
 * abort). Runs only inside an SGX
 * enclave; the decisions it takes are the pure functions of sgx_logic.c.
 */
#include "sgx_rt.h"

#include <cella/abi/window.h>
#include <cella/enclave.h>

#include "rt.h"

#include "sgx_abi.h"

extern const struct cella_abi_properties cella_properties;

static uint32_t booted;    /* OP_BOOT started (it runs once, on TCS 0) */
static uint32_t boot_done; /* OP_BOOT finished: the runtime is set up and ecalls may run, on any TCS */

/* see sgx_rt.h */
struct rt_sgx_exit rt_sgx_main(uint64_t op, uint64_t a1, uint64_t a2, uint64_t tcs)
{
	struct cella_layout_regions scratch;
	const struct cella_layout_regions *r = rt_layout(&scratch);
	struct rt_sgx_exit x = {CELLA_SGX_EXIT_DONE, CELLA_OK};
	int64_t idx;

	if (!r || (idx = rt_sgx_tcs_index((uint64_t)(uintptr_t)rt_enclave_base(), r, tcs)) < 0)
		rt_sgx_exit_lost(CELLA_ERR_UNEXPECTED); /* RBX is hardware's: this cannot happen */
	switch (op) {
	case CELLA_SGX_OP_BOOT:
		/* Exactly once, on TCS 0, before anything else: the window is validated by the boot code. */
		if (idx != 0 || __atomic_exchange_n(&booted, 1, __ATOMIC_SEQ_CST) != 0) {
			x.value = CELLA_ERR_REENTRANT;
			break;
		}
		/* before any exception can reach phase 2 (musl's start-up makes syscalls): the state it saves is
		 * this enclave's XFRM, which is XCR0 here on SGX; on the stand-in XCR0 is the host's */
		rt_sgx_xfrm = rt_sgx_own_xfrm();
		x.value = rt_sgx_boot(a1, a2);
		if (x.value != CELLA_OK)
			rt_sgx_exit_lost(x.value);
		__atomic_store_n(&boot_done, 1, __ATOMIC_RELEASE);
		break;
	case CELLA_SGX_OP_ECALL:
		/* not while TCS 0 is still booting: the host can stop it there (each syscall of musl's start-up exits)
		 * and enter another TCS, whose call would find no thread table */
		if (!__atomic_load_n(&boot_done, __ATOMIC_ACQUIRE)) {
			x.value = CELLA_ERR_INVALID_STATE;
			break;
		}
		x.value = rt_sgx_ecall((uint32_t)idx);
		break;
	default:
		x.value = CELLA_ERR_INVALID_FUNCTION;
		break;
	}
	return x;
}

/* see sgx_rt.h: runs at CSSA 1 on the interrupted stack, below the context record */
struct rt_sgx_exit rt_sgx_phase1(uint64_t tcs, struct rt_sgx_ctx *ctx)
{
	struct rt_sgx_exit x = {CELLA_SGX_EXIT_LOST, CELLA_ERR_ENCLAVE_LOST};
	struct rt_sgx_tcs_geom g;
	struct cella_sgx_gprsgx *ssa0;

	rt_sgx_tcs_geom(tcs, cella_properties.stack_pages, &g);
	ssa0 = (struct cella_sgx_gprsgx *)(uintptr_t)g.gprsgx0;
	if (rt_sgx_exception_check(1, (const struct rt_sgx_td *)(uintptr_t)(g.td + RT_SGX_TD_OFF), &g, ssa0) != CELLA_OK ||
	    (uint64_t)(uintptr_t)ctx != rt_sgx_ctx_addr(ssa0->rsp)) {
		__atomic_store_n(&rt_sgx_crashed, 1u, __ATOMIC_SEQ_CST);
		return x;
	}
	rt_sgx_redirect(ssa0, ctx, (uint64_t)(uintptr_t)cella_sgx_phase2); /* takes EXITINFO into the context */
	x.reason = CELLA_SGX_EXIT_EXCEPTION;
	x.value = CELLA_SGX_EXITINFO_VECTOR(ctx->reserved[0]);
	return x;
}

/* CPUID from the host (rt_sgx_cpuid_fn): only inside an ecall, where an ocall can be made; else no answer. */
static int rt_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	uint32_t in[2] = {leaf, subleaf};
	size_t w = 0;
	if (!rt_self() || rt_self()->depth == 0)
		return 0;
	return cella_ocall(CELLA_OCALL_CPUID, in, sizeof(in), r, 4 * sizeof(uint32_t), &w) == CELLA_OK &&
	       w == 4 * sizeof(uint32_t);
}

/* The host's answers, each asked once (BearSSL probes CPUID on every seal, the ONNX engine on every model load). */
static struct rt_sgx_cpuid_cache cpuid_cache;

static int rt_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	return rt_sgx_cpuid_cached(&cpuid_cache, leaf, subleaf, r, rt_host_cpuid);
}

/* see sgx_rt.h: ordinary enclave code at CSSA 0, inside the interrupted call */
void rt_sgx_phase2(struct rt_sgx_ctx *ctx)
{
	uint32_t info = (uint32_t)ctx->reserved[0], vector = CELLA_SGX_EXITINFO_VECTOR(info);
	uint64_t base = (uint64_t)(uintptr_t)rt_enclave_base(), rip = ctx->rip;
	struct cella_layout_regions scratch;
	const struct cella_layout_regions *r = rt_layout(&scratch);

	if (!r)
		rt_sgx_exit_lost(CELLA_ERR_UNEXPECTED);
	/* #UD on SYSCALL is how musl's system calls reach the runtime on SGX. RIP is the enclave's own saved RIP;
	 * the two bytes are read only if they lie in the image. */
	if (vector == CELLA_X86_VECTOR_UD && rip >= base && rip - base < r->image_bytes - 1 &&
	    rt_sgx_is_syscall((const uint8_t *)(uintptr_t)rip, r->image_bytes - (rip - base))) {
		rt_sgx_emulate_syscall(ctx, rt_syscall_dispatch);
		return;
	}
	/* #UD on CPUID: answered by the host, masked by what the enclave's XCR0 enables (BearSSL's AES-NI probe and
	 * the ONNX engine's kernel choice run it) */
	if (vector == CELLA_X86_VECTOR_UD && rip >= base && rip - base < r->image_bytes - 1 &&
	    rt_sgx_is_cpuid((const uint8_t *)(uintptr_t)rip, r->image_bytes - (rip - base))) {
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		rt_sgx_emulate_cpuid(ctx, rt_cpuid, (uint64_t)hi << 32 | lo);
		return;
	}
	if (rt_exception_dispatch(vector, (struct cella_exception_context *)ctx))
		return;
	rt_sgx_exit_lost(CELLA_ERR_ENCLAVE_LOST);
}

/* The application's handlers see the context record as cella_exception_context: the same registers in order. */
_Static_assert(sizeof(struct cella_exception_context) == RT_SGX_CTX_RIP + 8, "exception context layout");
_Static_assert(__builtin_offsetof(struct cella_exception_context, rflags) == RT_SGX_CTX_RFLAGS, "layout");
_Static_assert(__builtin_offsetof(struct cella_exception_context, r11) == RT_SGX_CTX_R11, "layout");
