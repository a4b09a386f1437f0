// SPDX-License-Identifier: MIT
/*
 * The decisions of the SGX entry code that need no ENCLU: TCS geometry, the exception-entry checks (SmashEx),
 * the phase-1 redirect, SYSCALL emulation and status mapping. Pure functions of their arguments, so the host
 * unit tests run the very code the enclave runs.
 */
#include "sgx_rt.h"

#include <cella/abi/properties.h>
#include <string.h>

#define PAGE 4096ull

_Static_assert(CELLA_SSA_FRAME_PAGES == 1, "GPRSGX offset below assumes one page per SSA frame");
_Static_assert(__builtin_offsetof(struct cella_abi_properties, stack_pages) == RT_SGX_PROPS_STACK_PAGES,
	       "sgx_entry.S reads stack_pages at this offset");

/* see sgx_rt.h; layout.h: stack, guard, TCS, SSA frames are adjacent in every TCS block */
void rt_sgx_tcs_geom(uint64_t tcs, uint64_t stack_pages, struct rt_sgx_tcs_geom *g)
{
	g->tcs = tcs;
	g->stack_hi = tcs - PAGE;
	g->stack_lo = g->stack_hi - stack_pages * PAGE;
	g->ssa0 = tcs + PAGE;
	g->gprsgx0 = g->ssa0 + CELLA_SSA_FRAME_PAGES * PAGE - CELLA_SGX_GPRSGX_BYTES;
	g->td = g->ssa0 + (uint64_t)CELLA_SSA_FRAMES * CELLA_SSA_FRAME_PAGES * PAGE + PAGE + CELLA_TLS_PAGES * PAGE;
}

/* see sgx_rt.h */
int64_t rt_sgx_tcs_index(uint64_t base, const struct cella_layout_regions *r, uint64_t tcs)
{
	uint64_t off, first_tcs;
	struct cella_layout_tcs t0;

	if (cella_layout_tcs(r, 0, &t0) != CELLA_OK || tcs < base)
		return -1;
	off = tcs - base;
	first_tcs = t0.tcs_rva;
	if (off < first_tcs || (off - first_tcs) % r->tcs_block_bytes != 0)
		return -1;
	if ((off - first_tcs) / r->tcs_block_bytes >= r->tcs_count)
		return -1;
	return (int64_t)((off - first_tcs) / r->tcs_block_bytes);
}

/* see sgx_rt.h */
cella_result rt_sgx_exception_check(uint64_t cssa, const struct rt_sgx_td *td, const struct rt_sgx_tcs_geom *g,
				    const struct cella_sgx_gprsgx *ssa0)
{
	uint64_t rsp = ssa0->rsp;

	if (cssa != 1)
		return CELLA_ERR_REENTRANT; /* 0: nothing was interrupted; > 1: an exception inside the handler */
	if (td->depth == 0 || td->depth > RT_SGX_MAX_DEPTH)
		return CELLA_ERR_REENTRANT; /* no call was running on this TCS */
	if (!td->stack_live)
		return CELLA_ERR_REENTRANT; /* interrupted inside the entry/exit code, before/after the stack switch */
	if (td->in_handler != 1)
		return CELLA_ERR_REENTRANT; /* not reached through the entry code, which claims the handler first */
	if (g->stack_hi - g->stack_lo < RT_SGX_PHASE1_ROOM || rsp > g->stack_hi ||
	    rsp < g->stack_lo + RT_SGX_PHASE1_ROOM)
		return CELLA_ERR_REENTRANT; /* the saved RSP is not on this TCS's trusted stack */
	if (!(ssa0->exitinfo & CELLA_SGX_EXITINFO_VALID))
		return CELLA_ERR_REENTRANT; /* no exception the hardware vouches for (an interrupt, or #PF/#GP
					       without MISCSELECT.EXINFO): nothing to handle */
	return CELLA_OK;
}

/* see sgx_rt.h */
uint64_t rt_sgx_ctx_addr(uint64_t interrupted_rsp)
{
	return (interrupted_rsp - RT_SGX_RED_ZONE - RT_SGX_CTX_BYTES) & ~63ull;
}

/* see sgx_rt.h */
void rt_sgx_redirect(struct cella_sgx_gprsgx *ssa0, struct rt_sgx_ctx *ctx, uint64_t phase2_rip)
{
	*ctx = (struct rt_sgx_ctx){
		.rax = ssa0->rax, .rcx = ssa0->rcx, .rdx = ssa0->rdx, .rbx = ssa0->rbx,
		.rsp = ssa0->rsp, .rbp = ssa0->rbp, .rsi = ssa0->rsi, .rdi = ssa0->rdi,
		.r8 = ssa0->r8, .r9 = ssa0->r9, .r10 = ssa0->r10, .r11 = ssa0->r11,
		.r12 = ssa0->r12, .r13 = ssa0->r13, .r14 = ssa0->r14, .r15 = ssa0->r15,
		.rflags = ssa0->rflags, .rip = ssa0->rip,
	};
	/* The exception is taken once: EEXIT leaves CSSA at 1 and the SSA as it is, so a host entering at CSSA 1
	 * again instead of resuming would otherwise replay it as a new one (the Intel SDK clears VALID too). The
	 * second phase reads the exit information from the context, not from the SSA. */
	ctx->reserved[0] = ssa0->exitinfo;
	ssa0->exitinfo = 0;
	/* ERESUME continues at the trampoline, on the context, with interrupts as they were. */
	ssa0->rsp = (uint64_t)(uintptr_t)ctx;
	ssa0->rip = phase2_rip;
	ssa0->rdi = (uint64_t)(uintptr_t)ctx;
}

/* see sgx_rt.h */
bool rt_sgx_is_syscall(const uint8_t *code, uint64_t n)
{
	return n >= 2 && code[0] == 0x0f && code[1] == 0x05;
}

/* see sgx_rt.h */
bool rt_sgx_is_cpuid(const uint8_t *code, uint64_t n)
{
	return n >= 2 && code[0] == 0x0f && code[1] == 0xa2;
}

/* see sgx_rt.h. The bits: Intel SDM Vol. 2A, CPUID leaf 01H ECX and leaf 07H subleaf 0 EBX/ECX/EDX. */
void rt_sgx_emulate_cpuid(struct rt_sgx_ctx *ctx, rt_sgx_cpuid_fn fn, uint64_t xcr0)
{
	uint32_t leaf = (uint32_t)ctx->rax, sub = (uint32_t)ctx->rcx, r[4] = {0, 0, 0, 0};
	int ymm = (xcr0 & 0x6) == 0x6, zmm = ymm && (xcr0 & 0xe0) == 0xe0;
	if (!fn(leaf, sub, r))
		r[0] = r[1] = r[2] = r[3] = 0;
	if (leaf == 1 && !ymm)
		r[2] &= ~((1u << 12) | (1u << 28) | (1u << 29)); /* FMA, AVX, F16C */
	if (leaf == 7 && sub == 0) {
		if (!ymm)
			r[1] &= ~(1u << 5); /* AVX2 */
		if (!zmm) {
			/* AVX512F, DQ, IFMA, PF, ER, CD, BW, VL; VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ; 4VNNIW, 4FMAPS,
			 * VP2INTERSECT, FP16 */
			r[1] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) |
				  (1u << 31));
			r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
			r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 23));
		}
	}
	ctx->rax = r[0];
	ctx->rbx = r[1];
	ctx->rcx = r[2];
	ctx->rdx = r[3];
	ctx->rip += 2;
}

/* see sgx_rt.h */
int rt_sgx_cpuid_cached(struct rt_sgx_cpuid_cache *c, uint32_t leaf, uint32_t subleaf, uint32_t r[4],
			rt_sgx_cpuid_fn ask)
{
	for (int i = 0; i < RT_SGX_CPUID_SLOTS; i++)
		if (__atomic_load_n(&c->state[i], __ATOMIC_ACQUIRE) == 2 && c->leaf[i] == leaf && c->sub[i] == subleaf) {
			memcpy(r, c->r[i], sizeof(c->r[i]));
			return 1;
		}
	if (!ask(leaf, subleaf, r))
		return 0;
	for (int i = 0; i < RT_SGX_CPUID_SLOTS; i++) {
		uint32_t free_slot = 0;
		if (__atomic_compare_exchange_n(&c->state[i], &free_slot, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			c->leaf[i] = leaf;
			c->sub[i] = subleaf;
			memcpy(c->r[i], r, sizeof(c->r[i]));
			__atomic_store_n(&c->state[i], 2, __ATOMIC_RELEASE);
			break;
		}
	}
	return 1;
}

/* see sgx_rt.h */
void rt_sgx_emulate_syscall(struct rt_sgx_ctx *ctx, rt_sgx_syscall_fn fn)
{
	long r = fn((long)ctx->rax, (long)ctx->rdi, (long)ctx->rsi, (long)ctx->rdx, (long)ctx->r10, (long)ctx->r8,
		    (long)ctx->r9);
	ctx->rax = (uint64_t)r;
	ctx->rip += 2;
	ctx->rcx = ctx->rip;
	ctx->r11 = ctx->rflags;
}

/* see sgx_rt.h */
cella_result rt_sgx_status_result(uint64_t status)
{
	switch (status) {
	case 0:
		return CELLA_OK;
	case CELLA_SGX_INVALID_ATTRIBUTE:
		return CELLA_ERR_INVALID_ARG;
	case CELLA_SGX_INVALID_CPUSVN:
		return CELLA_ERR_INVALID_CPUSVN;
	case CELLA_SGX_INVALID_ISVSVN:
		return CELLA_ERR_INVALID_ISVSVN;
	case CELLA_SGX_INVALID_KEYNAME:
		return CELLA_ERR_INVALID_KEYNAME;
	default:
		return CELLA_ERR_UNEXPECTED;
	}
}

/* see sgx_rt.h; SDM 35.17: the fields EREPORT uses to derive the target's report key */
void rt_sgx_targetinfo_from_report(const struct cella_report *self, struct cella_target_info *ti)
{
	*ti = (struct cella_target_info){0};
	for (unsigned i = 0; i < 32; i++)
		ti->mr_enclave[i] = self->body.mr_enclave[i];
	ti->attributes = self->body.attributes;
	ti->config_svn = self->body.config_svn;
	ti->misc_select = self->body.misc_select;
	for (unsigned i = 0; i < 64; i++)
		ti->config_id[i] = self->body.config_id[i];
}

#define K_EAGAIN 11
#define K_EPERM 1
#define K_ENOSYS 38
#define K_FUTEX_CMD(op) ((op) & 127) /* without FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256) */
#define K_FUTEX_WAIT 0
#define K_FUTEX_WAKE 1
#define K_FUTEX_REQUEUE 3
#define K_FUTEX_CMP_REQUEUE 4
#define K_FUTEX_WAKE_OP 5
#define K_FUTEX_WAIT_BITSET 9
#define K_FUTEX_WAKE_BITSET 10
#define K_CLONE_VM 0x100ull
#define K_CLONE_THREAD 0x10000ull
#define K_CLONE_SETTLS 0x80000ull
#define K_CLONE_PARENT_SETTID 0x100000ull

/* see sgx_rt.h */
enum rt_sgx_futex_step rt_sgx_futex(long op, bool word_matches, long *ret)
{
	*ret = 0;
	switch (K_FUTEX_CMD(op)) {
	case K_FUTEX_WAIT:
	case K_FUTEX_WAIT_BITSET:
		if (word_matches)
			return RT_SGX_FUTEX_SLEEP;
		*ret = -K_EAGAIN;
		return RT_SGX_FUTEX_DONE;
	case K_FUTEX_WAKE:
	case K_FUTEX_REQUEUE:
	case K_FUTEX_CMP_REQUEUE:
	case K_FUTEX_WAKE_OP:
	case K_FUTEX_WAKE_BITSET:
		return RT_SGX_FUTEX_WAKE;
	default:
		*ret = -K_ENOSYS;
		return RT_SGX_FUTEX_DONE;
	}
}

/* see sgx_rt.h */
long rt_sgx_clone_check(uint64_t flags, uint64_t tls, uint64_t want)
{
	const uint64_t need = K_CLONE_VM | K_CLONE_THREAD | K_CLONE_SETTLS | K_CLONE_PARENT_SETTID;
	if (want == 0 || (flags & need) != need || tls != want)
		return -K_EPERM;
	return 0;
}
