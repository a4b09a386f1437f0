/* SPDX-License-Identifier: MIT */
/* Enclave runtime, SGX world: per-TCS entry state, the exception context, and what the entry code calls. */
#ifndef CELLA_SGX_RT_H
#define CELLA_SGX_RT_H

/*
 * Per-TCS state of the entry code lives in the TCS's thread-data page, which the hardware makes the GS base
 * on every EENTER and ERESUME (TCS.OGSBASE = td_rva, src/common/layout.c). Bytes [0, RT_SGX_TD_OFF) of that
 * page are left to the thread descriptor musl finds at the FS base (TCS.OFSBASE is the same page); the entry
 * code owns [RT_SGX_TD_OFF, 4096). Nothing here is ever derived from a host register except as a value that
 * is written back to a register on exit (the host's RSP/RBP/return address).
 */
#define RT_SGX_TD_OFF 0xe00
#define RT_SGX_TD_HOST_RSP (RT_SGX_TD_OFF + 0x00)  /* host anchor of the current call entry */
#define RT_SGX_TD_HOST_RBP (RT_SGX_TD_OFF + 0x08)
#define RT_SGX_TD_HOST_RET (RT_SGX_TD_OFF + 0x10)  /* RCX at EENTER: hardware-provided */
#define RT_SGX_TD_EXC_RSP (RT_SGX_TD_OFF + 0x18)   /* host anchor of the exception entry */
#define RT_SGX_TD_EXC_RBP (RT_SGX_TD_OFF + 0x20)
#define RT_SGX_TD_EXC_RET (RT_SGX_TD_OFF + 0x28)
#define RT_SGX_TD_OCALL_RSP (RT_SGX_TD_OFF + 0x30) /* enclave RSP of the innermost pending ocall (0 = none) */
#define RT_SGX_TD_RESUME_RIP (RT_SGX_TD_OFF + 0x38) /* phase 2: where the interrupted code resumes */
#define RT_SGX_TD_DEPTH (RT_SGX_TD_OFF + 0x40)     /* u32: call entries in progress on this TCS */
#define RT_SGX_TD_IN_OCALL (RT_SGX_TD_OFF + 0x44)  /* u32: the innermost call waits for an ocall reply */
#define RT_SGX_TD_STACK_LIVE (RT_SGX_TD_OFF + 0x48) /* u32: RSP is on this TCS's trusted stack */
#define RT_SGX_TD_IN_HANDLER (RT_SGX_TD_OFF + 0x4c) /* u32: the first-phase handler runs */
#define RT_SGX_TD_HOST_MXCSR (RT_SGX_TD_OFF + 0x50) /* u32 */
#define RT_SGX_TD_HOST_FCW (RT_SGX_TD_OFF + 0x54)   /* u16 */
#define RT_SGX_TD_EXC_MXCSR (RT_SGX_TD_OFF + 0x58)  /* u32 */
#define RT_SGX_TD_EXC_FCW (RT_SGX_TD_OFF + 0x5c)    /* u16 */
#define RT_SGX_TD_BYTES 0x60

#define RT_SGX_MAX_DEPTH 8        /* call entries per TCS (RT_MAX_NEST in rt.h) */
#define RT_SGX_RED_ZONE 128       /* SysV red zone below an interrupted RSP: never written */
#define RT_SGX_PHASE1_ROOM 8192   /* stack the first phase needs below the interrupted RSP */
#define RT_SGX_XSAVE_BYTES 4096   /* phase-2 save area; XFRM is chosen so XSAVE fits one SSA page */
#define RT_SGX_PROPS_STACK_PAGES 24 /* offsetof(struct cella_abi_properties, stack_pages) */

/* The interrupted context handed from phase 1 to phase 2 (64-byte aligned, below the red zone). */
#define RT_SGX_CTX_RAX 0
#define RT_SGX_CTX_RCX 8
#define RT_SGX_CTX_RDX 16
#define RT_SGX_CTX_RBX 24
#define RT_SGX_CTX_RSP 32
#define RT_SGX_CTX_RBP 40
#define RT_SGX_CTX_RSI 48
#define RT_SGX_CTX_RDI 56
#define RT_SGX_CTX_R8 64
#define RT_SGX_CTX_R9 72
#define RT_SGX_CTX_R10 80
#define RT_SGX_CTX_R11 88
#define RT_SGX_CTX_R12 96
#define RT_SGX_CTX_R13 104
#define RT_SGX_CTX_R14 112
#define RT_SGX_CTX_R15 120
#define RT_SGX_CTX_RFLAGS 128
#define RT_SGX_CTX_RIP 136
#define RT_SGX_CTX_BYTES 192

#ifndef __ASSEMBLER__
#include <cella/result.h>
#include <stdbool.h>
#include <stdint.h>

#include "layout.h"
#include "sgx_arch.h"

struct rt_sgx_td {
	uint64_t host_rsp, host_rbp, host_ret;
	uint64_t exc_rsp, exc_rbp, exc_ret;
	uint64_t ocall_rsp;
	uint64_t resume_rip;
	uint32_t depth, in_ocall, stack_live, in_handler;
	uint32_t host_mxcsr;
	uint16_t host_fcw, pad0;
	uint32_t exc_mxcsr;
	uint16_t exc_fcw, pad1;
};
_Static_assert(sizeof(struct rt_sgx_td) == RT_SGX_TD_BYTES, "td layout");
_Static_assert(__builtin_offsetof(struct rt_sgx_td, depth) == RT_SGX_TD_DEPTH - RT_SGX_TD_OFF, "td layout");
_Static_assert(__builtin_offsetof(struct rt_sgx_td, host_mxcsr) == RT_SGX_TD_HOST_MXCSR - RT_SGX_TD_OFF, "td");
_Static_assert(__builtin_offsetof(struct rt_sgx_td, exc_fcw) == RT_SGX_TD_EXC_FCW - RT_SGX_TD_OFF, "td layout");

/* The interrupted general-purpose state; field order = GPRSGX's first 144 bytes. */
struct rt_sgx_ctx {
	uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rflags, rip;
	uint64_t reserved[6];
};
_Static_assert(sizeof(struct rt_sgx_ctx) == RT_SGX_CTX_BYTES, "ctx layout");
_Static_assert(__builtin_offsetof(struct rt_sgx_ctx, rflags) == RT_SGX_CTX_RFLAGS, "ctx layout");
_Static_assert(__builtin_offsetof(struct rt_sgx_ctx, rip) == RT_SGX_CTX_RIP, "ctx layout");
_Static_assert(__builtin_offsetof(struct rt_sgx_ctx, r11) == RT_SGX_CTX_R11, "ctx layout");

/* What the C side returns to the entry code: the EEXIT registers rdi/rsi (returned in rax:rdx). */
struct rt_sgx_exit {
	uint64_t reason; /* CELLA_SGX_EXIT_* */
	uint64_t value;
};

/*
 * ---- Pure functions (src/enclave/sgx/sgx_logic.c): no ENCLU, no globals; unit-tested on the host. ----
 */

/* Where one TCS's pieces are, derived from its TCS address (hardware RBX) and the measured stack size. */
struct rt_sgx_tcs_geom {
	uint64_t tcs;
	uint64_t stack_lo, stack_hi; /* [lo, hi): hi = tcs - 4096 (guard), lo = hi - stack_pages * 4096 */
	uint64_t ssa0;               /* SSA frame 0 = tcs + 4096 */
	uint64_t gprsgx0;            /* GPRSGX of frame 0 */
	uint64_t td;                 /* thread-data page (TCS.OFSBASE/OGSBASE) */
};
void rt_sgx_tcs_geom(uint64_t tcs, uint64_t stack_pages, struct rt_sgx_tcs_geom *g);

/* Index of the TCS at address `tcs` for an enclave at `base` with regions `r`; -1 if it is not a TCS. */
int64_t rt_sgx_tcs_index(uint64_t base, const struct cella_layout_regions *r, uint64_t tcs);

/*
 * The first-phase checks (SmashEx, CCS'21): an exception entry is accepted only if exactly one SSA frame is
 * in use (cssa == 1), a call is in progress on this TCS (depth > 0), the interrupted code ran on its trusted
 * stack (stack_live, and the saved RSP inside [stack_lo + RT_SGX_PHASE1_ROOM, stack_hi]), no first-phase
 * handler was running before this entry claimed it (the entry code refuses that case and sets in_handler to 1
 * before calling here, so the check is in_handler == 1), and the hardware reported a valid exception in
 * EXITINFO. Returns CELLA_OK or CELLA_ERR_REENTRANT (the entry is an attack or a fault inside the entry/exit code: the enclave is lost).
 */
CELLA_MUST_USE cella_result rt_sgx_exception_check(uint64_t cssa, const struct rt_sgx_td *td,
						   const struct rt_sgx_tcs_geom *g,
						   const struct cella_sgx_gprsgx *ssa0);

/* Address of the phase-2 context for an interrupted RSP: below the red zone, 64-byte aligned. */
uint64_t rt_sgx_ctx_addr(uint64_t interrupted_rsp);

/* Copies the interrupted state into *ctx and redirects SSA frame 0 to resume at phase2_rip on ctx. */
void rt_sgx_redirect(struct cella_sgx_gprsgx *ssa0, struct rt_sgx_ctx *ctx, uint64_t phase2_rip);

/* True if code[0..n) starts with SYSCALL (0f 05). */
bool rt_sgx_is_syscall(const uint8_t *code, uint64_t n);
/* True if code[0..n) starts with CPUID (0f a2). */
bool rt_sgx_is_cpuid(const uint8_t *code, uint64_t n);

/* CPUID's answer for (leaf, subleaf) into r[4] (eax, ebx, ecx, edx): 0 if it has none (r is then not an answer:
 * rt_sgx_emulate_cpuid gives zeros). */
typedef int (*rt_sgx_cpuid_fn)(uint32_t leaf, uint32_t subleaf, uint32_t r[4]);
/*
 * Emulates the CPUID at ctx->rip (leaf in eax, subleaf in ecx) with `fn`, whose answer comes from the host and is
 * untrusted: feature bits whose register state the enclave's XCR0 (SECS.ATTRIBUTES.XFRM, read with XGETBV inside
 * the enclave) does not enable are cleared (AVX, FMA, AVX2, F16C and the AVX-512 family without YMM or ZMM state;
 * OSXSAVE kept), so code that trusts CPUID alone does not pick instructions that would fault; a host that lies
 * otherwise can only make the enclave slower or fault (a denial of service it can always cause). The four
 * registers are zero-extended, rip steps over the instruction.
 */
void rt_sgx_emulate_cpuid(struct rt_sgx_ctx *ctx, rt_sgx_cpuid_fn fn, uint64_t xcr0);

/* The host's CPUID answers kept for the enclave's lifetime, so that each (leaf, subleaf) costs one ocall: slot i
 * holds one once state[i] is 2 (0 free, 1 being written by the thread that claimed it). Zero-initialised. */
#define RT_SGX_CPUID_SLOTS 16
struct rt_sgx_cpuid_cache {
	uint32_t state[RT_SGX_CPUID_SLOTS];
	uint32_t leaf[RT_SGX_CPUID_SLOTS], sub[RT_SGX_CPUID_SLOTS], r[RT_SGX_CPUID_SLOTS][4];
};
/* CPUID (leaf, subleaf) from c, else from ask, whose answer is then kept if a slot is free (a failed ask is not
 * kept: the next one asks again). Safe on several threads at once. Returns what ask would: 0 for no answer. */
int rt_sgx_cpuid_cached(struct rt_sgx_cpuid_cache *c, uint32_t leaf, uint32_t subleaf, uint32_t r[4],
			rt_sgx_cpuid_fn ask);

typedef long (*rt_sgx_syscall_fn)(long nr, long a, long b, long c, long d, long e, long f);
/* Emulates the SYSCALL at ctx->rip with `fn` (Linux ABI: nr in rax, args rdi rsi rdx r10 r8 r9; result in
 * rax; rcx = next rip, r11 = rflags, as the instruction itself leaves them) and steps over it. */
void rt_sgx_emulate_syscall(struct rt_sgx_ctx *ctx, rt_sgx_syscall_fn fn);

/*
 * SGX stand-ins for what the sandbox lets through to the kernel (syscall.c). Futex: no host thread can sleep on
 * enclave memory, so a wait whose word still matches sleeps on the host by key (CELLA_OCALL_FUTEX_WAIT), and a
 * wake or requeue wakes that key's sleepers (CELLA_OCALL_FUTEX_WAKE). rt_sgx_futex says which: DONE with *ret
 * (-EAGAIN: the word changed; -ENOSYS: an operation not offered), SLEEP or WAKE with *ret = 0 (a wait may end
 * early: every futex user re-checks its word). Clone at boot: 0 if `flags` ask for a thread of this process
 * with its thread pointer (CLONE_VM, CLONE_THREAD, CLONE_SETTLS, CLONE_PARENT_SETTID) and `tls` is `want`, the
 * next TCS's thread-data page (0 = no clone expected); otherwise -EPERM.
 */
enum rt_sgx_futex_step { RT_SGX_FUTEX_DONE, RT_SGX_FUTEX_SLEEP, RT_SGX_FUTEX_WAKE };
enum rt_sgx_futex_step rt_sgx_futex(long op, bool word_matches, long *ret);
long rt_sgx_clone_check(uint64_t flags, uint64_t tls, uint64_t want);

/* Result of an ENCLU status code from EGETKEY. */
cella_result rt_sgx_status_result(uint64_t status);

/* TARGETINFO that makes a REPORT verifiable by the enclave that produced `self` (local attestation). */
void rt_sgx_targetinfo_from_report(const struct cella_report *self, struct cella_target_info *ti);

/*
 * ---- The SGX glue (sgx_main.c, sgx_identity.c, sgx_entry.S): runs only inside an SGX enclave. ----
 */
#define RT_SGX_HIDDEN __attribute__((visibility("hidden")))

/* Called by the entry code; see sgx_entry.S for the register contract. */
RT_SGX_HIDDEN struct rt_sgx_exit rt_sgx_main(uint64_t op, uint64_t a1, uint64_t a2, uint64_t tcs);
RT_SGX_HIDDEN struct rt_sgx_exit rt_sgx_phase1(uint64_t tcs, struct rt_sgx_ctx *ctx);
RT_SGX_HIDDEN void rt_sgx_phase2(struct rt_sgx_ctx *ctx);

/* Entry code services (sgx_entry.S). */
RT_SGX_HIDDEN uint64_t rt_sgx_ocall_exit(void);                  /* EEXIT for an ocall; returns when answered */
RT_SGX_HIDDEN void rt_sgx_exit_lost(uint64_t result) __attribute__((noreturn)); /* crash: EEXIT for good */
RT_SGX_HIDDEN void cella_sgx_phase2(void);                        /* phase-2 trampoline (not callable) */
extern RT_SGX_HIDDEN uint32_t rt_sgx_crashed;                     /* set once, never cleared */
extern RT_SGX_HIDDEN uint64_t rt_sgx_xfrm; /* the XSAVE components phase 2 saves and restores: this enclave's XFRM */

/* ENCLU wrappers (sgx_identity.c). `ti` NULL = a report for this enclave itself. */
RT_SGX_HIDDEN CELLA_MUST_USE cella_result rt_sgx_ereport(const struct cella_target_info *ti,
							 const uint8_t data[CELLA_SGX_REPORT_DATA_BYTES],
							 struct cella_report *out);
/* This enclave's SECS.ATTRIBUTES.XFRM, from a report (EREPORT to an all-zero target). */
RT_SGX_HIDDEN uint64_t rt_sgx_own_xfrm(void);
RT_SGX_HIDDEN CELLA_MUST_USE cella_result rt_sgx_egetkey(const struct cella_key_request *req,
							 uint8_t key[CELLA_SGX_KEY_BYTES]);

/* The SGX counterpart of rt_platform_call (platform_sandbox.c), which hands requests here on SGX. */
RT_SGX_HIDDEN cella_result rt_sgx_platform_call(const void *req, size_t req_len, void *rep, size_t cap,
						size_t *got);

/* Offers an exception to the application's handlers (src/enclave/exception.c; the record is their
 * cella_exception_context). */
struct cella_exception_context;
RT_SGX_HIDDEN bool rt_exception_dispatch(uint32_t vector, struct cella_exception_context *ctx);

/*
 * Provided by the shared runtime once src/enclave/calls.c and boot.c are split by transport (docs/sgx.md,
 * "Runtime integration"): boot on TCS 0 without threads, one ecall from this TCS's window slot, and the
 * syscall dispatcher syscall.c already has (today `static long rt_syscall`).
 */
RT_SGX_HIDDEN cella_result rt_sgx_boot(uint64_t window, uint64_t window_bytes);
/* The enclave's base, and the layout the loader used (boot.c): the runtime's once booted (no work on the call
 * path), before that recomputed into *scratch from the measured program headers; NULL if they are absurd. */
RT_SGX_HIDDEN uint8_t *rt_enclave_base(void);
RT_SGX_HIDDEN const struct cella_layout_regions *rt_layout(struct cella_layout_regions *scratch);
RT_SGX_HIDDEN cella_result rt_sgx_ecall(uint32_t tcs);
RT_SGX_HIDDEN long rt_syscall_dispatch(long nr, long a, long b, long c, long d, long e, long f);

#endif /* !__ASSEMBLER__ */
#endif
