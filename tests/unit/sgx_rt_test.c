// SPDX-License-Identifier: MIT
/*
 * The SGX entry code's decisions, run on the host: TCS geometry against the layout, the SmashEx checks of an
 * exception entry, the phase-1 redirect, SYSCALL emulation, ENCLU status mapping and the futex/clone stand-ins.
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>

#include "cella_test.h"
#include "layout.h"
#include "sgx_abi.h"
#include "sgx_rt.h"

static struct cella_abi_properties props(uint64_t tcs, uint64_t stack)
{
	struct cella_abi_properties p;
	memset(&p, 0, sizeof(p));
	p.heap_pages = 16;
	p.stack_pages = stack;
	p.tcs_count = tcs;
	return p;
}

static void test_geometry(void)
{
	const uint64_t base = 0x7f0000000000ull;
	for (uint64_t stack = 2; stack <= 64; stack *= 2) {
		struct cella_abi_properties p = props(3, stack);
		struct cella_layout_regions r;
		CT_RESULT(cella_layout_regions(&p, 0x10000, &r), CELLA_OK);
		for (uint64_t i = 0; i < 3; i++) {
			struct cella_layout_tcs t;
			struct rt_sgx_tcs_geom g;
			CT_RESULT(cella_layout_tcs(&r, i, &t), CELLA_OK);
			rt_sgx_tcs_geom(base + t.tcs_rva, stack, &g);
			CT_EQ(g.stack_hi, base + t.stack_hi);
			CT_EQ(g.stack_lo, base + t.stack_lo);
			CT_EQ(g.ssa0, base + t.ssa_rva);
			CT_EQ(g.gprsgx0, base + t.ssa_rva + 4096 - 184);
			CT_EQ(g.td, base + t.td_rva);
			CT_EQ(rt_sgx_tcs_index(base, &r, base + t.tcs_rva), (int64_t)i);
			CT_EQ(rt_sgx_tcs_index(base, &r, base + t.tcs_rva + 8), -1);
			CT_EQ(rt_sgx_tcs_index(base, &r, base + t.stack_lo), -1);
		}
		{
			struct cella_layout_tcs last;
			CT_RESULT(cella_layout_tcs(&r, 2, &last), CELLA_OK);
			CT_EQ(rt_sgx_tcs_index(base, &r, base + last.tcs_rva + r.tcs_block_bytes), -1);
			CT_EQ(rt_sgx_tcs_index(base, &r, 0x1000), -1);
		}
	}
	cella_test_pass("TCS geometry matches the layout");
}

static void good(struct rt_sgx_td *td, struct rt_sgx_tcs_geom *g, struct cella_sgx_gprsgx *ssa)
{
	memset(td, 0, sizeof(*td));
	memset(ssa, 0, sizeof(*ssa));
	td->depth = 1;
	td->stack_live = 1;
	td->in_handler = 1; /* claimed by the entry code before the check runs */
	rt_sgx_tcs_geom(0x7f0000100000ull, 16, g);
	ssa->rsp = g->stack_hi - 256;
	ssa->rip = 0x7f0000001234ull;
	ssa->exitinfo = CELLA_SGX_EXITINFO_VALID | (CELLA_SGX_EXIT_TYPE_HW << 8) | CELLA_X86_VECTOR_UD;
}

static void test_exception_check(void)
{
	struct rt_sgx_td td;
	struct rt_sgx_tcs_geom g;
	struct cella_sgx_gprsgx ssa;

	good(&td, &g, &ssa);
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_OK);
	/* B1: no exception pending (CSSA 0), or nested beyond the frames we have */
	CT_RESULT(rt_sgx_exception_check(0, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	CT_RESULT(rt_sgx_exception_check(2, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	/* no call in progress on this TCS */
	good(&td, &g, &ssa);
	td.depth = 0;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	/* B2 (SmashEx): interrupted inside the entry or exit code, before the stack switch */
	good(&td, &g, &ssa);
	td.stack_live = 0;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	/* B2: the saved RSP is the host's (outside the stack), above the top, or too low to work below */
	good(&td, &g, &ssa);
	ssa.rsp = 0x00007ffffff00000ull;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	ssa.rsp = g.stack_hi + 8;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	ssa.rsp = g.stack_lo + RT_SGX_PHASE1_ROOM - 8;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	ssa.rsp = g.stack_lo + RT_SGX_PHASE1_ROOM;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_OK);
	ssa.rsp = g.stack_hi;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_OK);
	/* not entered through the entry code's claim of the first phase (a second handler, or a stray call) */
	good(&td, &g, &ssa);
	td.in_handler = 0;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	td.in_handler = 2;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	/* B3: no exception the hardware vouches for (an interrupt AEX the host dresses up as a fault) */
	good(&td, &g, &ssa);
	ssa.exitinfo = CELLA_X86_VECTOR_UD;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	/* a stack too small for any handler */
	good(&td, &g, &ssa);
	rt_sgx_tcs_geom(0x7f0000100000ull, 1, &g);
	ssa.rsp = g.stack_hi - 64;
	CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
	cella_test_pass("exception entry checks (SmashEx)");
}

static long fake_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	return nr == 1 ? a + b + c + d + e + f : -38;
}

static void test_redirect_and_syscall(void)
{
	struct rt_sgx_td td;
	struct rt_sgx_tcs_geom g;
	struct cella_sgx_gprsgx ssa;
	struct rt_sgx_ctx ctx;
	uint64_t at;
	static const uint8_t sys[] = {0x0f, 0x05}, ud2[] = {0x0f, 0x0b};

	good(&td, &g, &ssa);
	ssa.rax = 1;
	ssa.rdi = 1;
	ssa.rsi = 2;
	ssa.rdx = 3;
	ssa.r10 = 4;
	ssa.r8 = 5;
	ssa.r9 = 6;
	ssa.rcx = 0x1111;
	ssa.r11 = 0x2222;
	ssa.rflags = 0x246;
	ssa.r15 = 0x1515;
	at = rt_sgx_ctx_addr(ssa.rsp);
	CT_EQ(at % 64, 0);
	CT_ASSERT(at + RT_SGX_CTX_BYTES <= ssa.rsp - RT_SGX_RED_ZONE); /* never in the red zone */
	CT_ASSERT(at + RT_SGX_CTX_BYTES + 64 > ssa.rsp - RT_SGX_RED_ZONE);
	{
		uint64_t rsp = ssa.rsp, rip = ssa.rip;
		rt_sgx_redirect(&ssa, &ctx, 0x7f00000055aaull);
		CT_EQ(ctx.rsp, rsp);
		CT_EQ(ctx.rip, rip);
		CT_EQ(ctx.r15, 0x1515);
		CT_EQ(ctx.rflags, 0x246);
		CT_EQ(ssa.rip, 0x7f00000055aaull);
		CT_EQ(ssa.rsp, (uint64_t)(uintptr_t)&ctx);
		CT_EQ(ssa.rdi, (uint64_t)(uintptr_t)&ctx);
		/* the exit information moves into the context: a host entering at CSSA 1 again instead of resuming
		 * finds no exception the hardware vouches for, so one exception is never handled twice */
		CT_EQ(ctx.reserved[0], CELLA_SGX_EXITINFO_VALID | (CELLA_SGX_EXIT_TYPE_HW << 8) | CELLA_X86_VECTOR_UD);
		CT_EQ(ssa.exitinfo, 0);
		td.in_handler = 1;
		ssa.rsp = g.stack_hi - 256; /* as if the record were on the enclave stack: only EXITINFO differs */
		CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_ERR_REENTRANT);
		ssa.exitinfo = (uint32_t)ctx.reserved[0]; /* control: with it, the same entry would be taken */
		CT_RESULT(rt_sgx_exception_check(1, &td, &g, &ssa), CELLA_OK);
		ssa.rsp = (uint64_t)(uintptr_t)&ctx;
	}
	CT_ASSERT(rt_sgx_is_syscall(sys, 2));
	CT_ASSERT(!rt_sgx_is_syscall(sys, 1));
	CT_ASSERT(!rt_sgx_is_syscall(ud2, 2));
	{
		uint64_t rip = ctx.rip;
		rt_sgx_emulate_syscall(&ctx, fake_syscall);
		CT_EQ(ctx.rax, 21);
		CT_EQ(ctx.rip, rip + 2);
		CT_EQ(ctx.rcx, rip + 2); /* as SYSCALL leaves them */
		CT_EQ(ctx.r11, 0x246);
		ctx.rax = 999;
		rt_sgx_emulate_syscall(&ctx, fake_syscall);
		CT_EQ((int64_t)ctx.rax, -38);
	}
	cella_test_pass("phase-1 redirect and SYSCALL emulation");
}

/* A host's CPUID answer: every feature bit set (a host claiming everything), eax the leaf, and no answer past 0x20. */
static uint32_t asked_leaf, asked_sub;
static int lying_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	asked_leaf = leaf;
	asked_sub = subleaf;
	if (leaf > 0x20) {
		r[0] = r[1] = r[2] = r[3] = 0xdeadbeef; /* written, yet "no answer": the emulation zeroes it */
		return 0;
	}
	r[0] = leaf;
	r[1] = r[2] = r[3] = 0xffffffffu;
	return 1;
}

/*
 * CPUID in an enclave (#UD on SGX): recognised by its bytes, answered by the host with its bits masked by the
 * enclave's XCR0 (SDM Vol. 2A leaf 01H ECX 12/28/29; leaf 07H EBX 5, 16-17, 21, 26-28, 30-31, ECX 1/6/11/12/14, EDX
 * 2/3/8/23), the registers zero-extended, rip past the two bytes.
 */
static void test_cpuid(void)
{
	static const uint8_t cpuid[2] = {0x0f, 0xa2}, sys[2] = {0x0f, 0x05};
	const uint32_t avx512_b = (1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) |
				  (1u << 30) | (1u << 31);
	struct rt_sgx_ctx ctx;
	CT_ASSERT(rt_sgx_is_cpuid(cpuid, 2));
	CT_ASSERT(!rt_sgx_is_cpuid(cpuid, 1));
	CT_ASSERT(!rt_sgx_is_cpuid(sys, 2));
	CT_ASSERT(!rt_sgx_is_syscall(cpuid, 2));
	/* leaf 1 with x87+SSE state only: FMA, AVX and F16C cleared, OSXSAVE and the rest kept */
	memset(&ctx, 0, sizeof(ctx));
	ctx.rax = 0xffffffff00000001ull; /* the upper half of rax is not the leaf */
	ctx.rcx = 0x5;
	ctx.rbx = 0x1111;
	ctx.rip = 0x1000;
	rt_sgx_emulate_cpuid(&ctx, lying_cpuid, 0x3);
	CT_EQ(asked_leaf, 1);
	CT_EQ(asked_sub, 5);
	CT_EQ(ctx.rax, 1);
	CT_EQ(ctx.rbx, 0xffffffffull);
	CT_EQ(ctx.rcx, 0xffffffffull & ~((1ull << 12) | (1ull << 28) | (1ull << 29)));
	CT_EQ(ctx.rdx, 0xffffffffull);
	CT_EQ(ctx.rip, 0x1002);
	/* with YMM state: leaf 1 whole; leaf 7 keeps AVX2 but no AVX-512 without opmask/ZMM state */
	ctx.rax = 1;
	rt_sgx_emulate_cpuid(&ctx, lying_cpuid, 0x7);
	CT_EQ(ctx.rcx, 0xffffffffull);
	ctx.rax = 7;
	ctx.rcx = 0;
	rt_sgx_emulate_cpuid(&ctx, lying_cpuid, 0x7);
	CT_EQ(ctx.rbx, 0xffffffffull & ~(uint64_t)avx512_b);
	CT_EQ(ctx.rcx, 0xffffffffull & ~((1ull << 1) | (1ull << 6) | (1ull << 11) | (1ull << 12) | (1ull << 14)));
	CT_EQ(ctx.rdx, 0xffffffffull & ~((1ull << 2) | (1ull << 3) | (1ull << 8) | (1ull << 23)));
	/* leaf 7 without YMM state: AVX2 goes too; with ZMM state everything stays; subleaf 1 is not masked */
	ctx.rax = 7;
	ctx.rcx = 0;
	rt_sgx_emulate_cpuid(&ctx, lying_cpuid, 0x3);
	CT_EQ(ctx.rbx, 0xffffffffull & ~(uint64_t)avx512_b & ~(1ull << 5));
	ctx.rax = 7;
	ctx.rcx = 0;
	rt_sgx_emulate_cpuid(&ctx, lying_cpuid, 0xe7);
	CT_EQ(ctx.rbx, 0xffffffffull);
	CT_EQ(ctx.rcx, 0xffffffffull);
	ctx.rax = 7;
	ctx.rcx = 1;
	rt_sgx_emulate_cpuid(&ctx, lying_cpuid, 0x3);
	CT_EQ(ctx.rbx, 0xffffffffull);
	/* no answer (the host refused, or no ecall to make the ocall in): zeros, as for a leaf past the CPU's range */
	ctx.rax = 0x80000008;
	rt_sgx_emulate_cpuid(&ctx, lying_cpuid, 0xe7);
	CT_ASSERT(ctx.rax == 0 && ctx.rbx == 0 && ctx.rcx == 0 && ctx.rdx == 0);
	cella_test_pass("CPUID recognised and answered by the host, masked by the enclave's XCR0");
}

/* A host that counts its CPUID answers; it gives none for leaf 0x99. */
static unsigned answers;
static int counting_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	answers++;
	r[0] = leaf;
	r[1] = subleaf;
	r[2] = answers;
	r[3] = 0;
	return leaf != 0x99;
}

/* Each (leaf, subleaf) is asked once and then answered from the cache, the same registers; a failed ask is not
 * kept; past RT_SGX_CPUID_SLOTS kept answers every new one is asked each time, and still answered. */
static void test_cpuid_cache(void)
{
	static struct rt_sgx_cpuid_cache c;
	uint32_t r[4], first[4];
	CT_EQ(rt_sgx_cpuid_cached(&c, 7, 0, first, counting_cpuid), 1);
	CT_EQ(answers, 1);
	CT_EQ(rt_sgx_cpuid_cached(&c, 7, 0, r, counting_cpuid), 1);
	CT_EQ(answers, 1);
	CT_EQ_MEM(r, first, sizeof(r));
	CT_EQ(rt_sgx_cpuid_cached(&c, 7, 1, r, counting_cpuid), 1); /* another subleaf: asked */
	CT_EQ(answers, 2);
	CT_EQ(r[1], 1);
	CT_EQ(rt_sgx_cpuid_cached(&c, 0x99, 0, r, counting_cpuid), 0);
	CT_EQ(rt_sgx_cpuid_cached(&c, 0x99, 0, r, counting_cpuid), 0);
	CT_EQ(answers, 4);
	for (uint32_t leaf = 0x100; leaf < 0x100 + RT_SGX_CPUID_SLOTS; leaf++)
		CT_EQ(rt_sgx_cpuid_cached(&c, leaf, 0, r, counting_cpuid), 1);
	CT_EQ(answers, 4 + RT_SGX_CPUID_SLOTS);
	CT_EQ(rt_sgx_cpuid_cached(&c, 0x100, 0, r, counting_cpuid), 1); /* kept: 14 slots were free */
	CT_EQ(answers, 4 + RT_SGX_CPUID_SLOTS);
	CT_EQ(rt_sgx_cpuid_cached(&c, 0x100 + RT_SGX_CPUID_SLOTS - 1, 0, r, counting_cpuid), 1); /* not kept: full */
	CT_EQ(answers, 5 + RT_SGX_CPUID_SLOTS);
	CT_EQ(rt_sgx_cpuid_cached(&c, 7, 0, r, counting_cpuid), 1);
	CT_EQ_MEM(r, first, sizeof(r));
	cella_test_pass("CPUID answers asked once per leaf and subleaf, failures not kept, a full cache still answers");
}

/* The SGX stand-ins for the kernel calls the sandbox passes through, against the Linux UAPI's numbers. */
static void test_kernel_stand_ins(void)
{
	const uint64_t musl_thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
				     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED;
	const uint64_t page = 0x7f0000042000ull;

	long r = 99;
	CT_EQ(rt_sgx_futex(FUTEX_WAIT, true, &r), RT_SGX_FUTEX_SLEEP); /* sleeps on the host; may end early */
	CT_EQ(r, 0);
	CT_EQ(rt_sgx_futex(FUTEX_WAIT | FUTEX_PRIVATE_FLAG, false, &r), RT_SGX_FUTEX_DONE);
	CT_EQ(r, -EAGAIN);
	CT_EQ(rt_sgx_futex(FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, true, &r),
	      RT_SGX_FUTEX_SLEEP);
	CT_EQ(rt_sgx_futex(FUTEX_WAKE | FUTEX_PRIVATE_FLAG, true, &r), RT_SGX_FUTEX_WAKE);
	CT_EQ(r, 0);
	CT_EQ(rt_sgx_futex(FUTEX_REQUEUE, false, &r), RT_SGX_FUTEX_WAKE);
	CT_EQ(rt_sgx_futex(FUTEX_CMP_REQUEUE_PI, true, &r), RT_SGX_FUTEX_DONE);
	CT_EQ(r, -ENOSYS);
	CT_EQ(rt_sgx_futex(FUTEX_LOCK_PI, true, &r), RT_SGX_FUTEX_DONE);
	CT_EQ(r, -ENOSYS);

	CT_EQ(rt_sgx_clone_check(musl_thread, page, page), 0);
	CT_EQ(rt_sgx_clone_check(musl_thread, page + 4096, page), -EPERM);  /* not the next TCS's page */
	CT_EQ(rt_sgx_clone_check(musl_thread, page, 0), -EPERM);            /* no clone expected (after boot) */
	CT_EQ(rt_sgx_clone_check(SIGCHLD, page, page), -EPERM);             /* fork */
	CT_EQ(rt_sgx_clone_check(musl_thread & ~(uint64_t)CLONE_SETTLS, page, page), -EPERM);
	CT_EQ(rt_sgx_clone_check(musl_thread & ~(uint64_t)CLONE_PARENT_SETTID, page, page), -EPERM);
	cella_test_pass("futex and clone stand-ins");
}

static void test_status_and_targetinfo(void)
{
	struct cella_report rep;
	struct cella_target_info ti;

	CT_RESULT(rt_sgx_status_result(0), CELLA_OK);
	CT_RESULT(rt_sgx_status_result(CELLA_SGX_INVALID_CPUSVN), CELLA_ERR_INVALID_CPUSVN);
	CT_RESULT(rt_sgx_status_result(CELLA_SGX_INVALID_ISVSVN), CELLA_ERR_INVALID_ISVSVN);
	CT_RESULT(rt_sgx_status_result(CELLA_SGX_INVALID_KEYNAME), CELLA_ERR_INVALID_KEYNAME);
	CT_RESULT(rt_sgx_status_result(CELLA_SGX_INVALID_ATTRIBUTE), CELLA_ERR_INVALID_ARG);
	CT_RESULT(rt_sgx_status_result(12345), CELLA_ERR_UNEXPECTED);
	memset(&rep, 0xa5, sizeof(rep));
	rep.body.misc_select = 1;
	rep.body.config_svn = 7;
	rt_sgx_targetinfo_from_report(&rep, &ti);
	CT_EQ_MEM(ti.mr_enclave, rep.body.mr_enclave, 32);
	CT_EQ_MEM(&ti.attributes, &rep.body.attributes, 16);
	CT_EQ(ti.misc_select, 1);
	CT_EQ(ti.config_svn, 7);
	CT_EQ_MEM(ti.config_id, rep.body.config_id, 64);
	for (size_t i = 0; i < sizeof(ti.reserved3); i++)
		CT_EQ(ti.reserved3[i], 0);
	CT_EQ(ti.cet_attributes | ti.reserved1, 0);
	cella_test_pass("ENCLU status mapping and TARGETINFO");
}

int main(void)
{
	/* the entry ABI numbers are part of the host/enclave contract */
	CT_EQ(CELLA_SGX_OP_BOOT, 1);
	CT_EQ(CELLA_SGX_OP_ECALL, 2);
	CT_EQ(CELLA_SGX_OP_OCALL_RETURN, 3);
	CT_EQ(CELLA_SGX_EXIT_LOST, 4);
	test_geometry();
	test_exception_check();
	test_redirect_and_syscall();
	test_cpuid();
	test_cpuid_cache();
	test_status_and_targetinfo();
	test_kernel_stand_ins();
	return 0;
}
