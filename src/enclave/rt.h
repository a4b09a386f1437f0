/* SPDX-License-Identifier: MIT */
/* Enclave runtime internals shared by its files. */
#ifndef CELLA_RT_H
#define CELLA_RT_H

#include <cella/abi/monitor.h>
#include <cella/abi/window.h>
#include <cella/enclave.h>

#include "layout.h"

#define RT_HIDDEN __attribute__((visibility("hidden")))
#define RT_ALIGN16(x) (((x) + 15u) & ~(uint64_t)15u)
#define RT_MAX_NEST 8

struct rt_scratch {
	uint8_t *p;
	size_t cap;
};

/* rt_thread.ocall when the thread is in no ocall: an index no ocall may use (cella_ocall refuses it), or a nested
 * ecall would be judged as a top-level one */
#define RT_NO_OCALL 0xffffffffu

/* Per-TCS state; lives in enclave memory (rt_threads[]), reached through the TLS pointer rt_cur. */
struct rt_thread {
	uint32_t tcs;
	uint32_t depth;          /* ecall nesting depth on this TCS */
	struct cella_abi_slot *slot;
	uint64_t buf_lo, buf_hi; /* this slot's window buffer, offsets */
	uint64_t frame_next;     /* window offset where the next ocall frame goes */
	uint32_t ocall;          /* ocall in progress (for allow lists), RT_NO_OCALL if none */
	uint64_t stack_lo, stack_hi;
	struct rt_scratch scratch[RT_MAX_NEST];
	void *altstack;
};

/* The backend the image runs on: known only at run time (one signed image runs on both). */
enum rt_world {
	RT_WORLD_SANDBOX = 0, /* entered through cella_rt_entry by the sandbox loader */
	RT_WORLD_SGX = 1,     /* entered through the SGX entry (sgx/sgx_entry.S, rt_sgx_main) */
};

/* Boot-time facts, written once by TCS 0 before any other thread exists, read-only afterwards. */
struct rt_state {
	uint32_t world;          /* enum rt_world, set first thing at entry */
	volatile int booted;     /* boot is over: start-up-only emulations (clone, ARCH_SET_FS) refuse */
	uint32_t next_tcs;       /* SGX boot: the TCS whose thread the next emulated clone creates */
	uint8_t *base;           /* enclave base */
	uint64_t size;           /* enclave size (power of two) */
	struct cella_layout_regions regions;
	uint8_t *win;            /* window base (host memory) */
	struct cella_abi_window hdr; /* enclave-private copy of the validated header */
	int mon_fd;
	struct rt_thread *threads;
	volatile int tls_ready;  /* musl TLS is set up on TCS 0 (other threads always have it) */
};

extern RT_HIDDEN struct rt_state rt;
extern RT_HIDDEN _Thread_local struct rt_thread *rt_cur;

static inline bool rt_sgx(void)
{
	return rt.world == RT_WORLD_SGX;
}

/* Current thread's state, or NULL before TLS exists / outside a TCS thread. */
static inline struct rt_thread *rt_self(void)
{
	return rt.tls_ready ? rt_cur : 0;
}

/* raw syscalls (only those the seccomp filter allows reach the kernel; the rest trap to rt_syscall) */
RT_HIDDEN long rt_syscall6(long n, long a, long b, long c, long d, long e, long f);
#define rt_sys(n, a, b, c) rt_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

RT_HIDDEN void rt_futex_wait(uint32_t *addr, uint32_t val);
RT_HIDDEN void rt_futex_wake(uint32_t *addr);

RT_HIDDEN void rt_sanitize_state(void);

/*
 * The floating-point control state the SysV ABI makes callee-saved: MXCSR's control bits (rounding, FTZ, DAZ,
 * exception masks; its flags are kept with them) and the x87 control word. cella_ocall keeps the caller's across
 * the ocall, which rt_sanitize_state alone would reset.
 */
struct rt_fp_control {
	uint32_t mxcsr;
	uint16_t fcw;
};

static inline void rt_fp_control_save(struct rt_fp_control *c)
{
	__asm__ __volatile__("stmxcsr %0\n\tfnstcw %1" : "=m"(c->mxcsr), "=m"(c->fcw));
}

static inline void rt_fp_control_restore(const struct rt_fp_control *c)
{
	__asm__ __volatile__("ldmxcsr %0\n\tfldcw %1" : : "m"(c->mxcsr), "m"(c->fcw) : "memory");
}
RT_HIDDEN void rt_install_handlers(void);
RT_HIDDEN void rt_thread_signals(struct rt_thread *t);
RT_HIDDEN cella_result rt_install_late_filter(void);

/* Sets the heap up over the layout's heap region; CELLA_ERR_IMAGE_PROPERTIES (and an empty heap) if the region
 * has no page left after the allocator's bitmap. */
CELLA_MUST_USE RT_HIDDEN cella_result rt_heap_init(void);
RT_HIDDEN long rt_heap_mmap(uint64_t len);
RT_HIDDEN long rt_heap_munmap(uint64_t addr, uint64_t len);
RT_HIDDEN bool rt_heap_contains(uint64_t addr, uint64_t len);
/* mprotect over the heap: -EINVAL for the arguments Linux refuses (unaligned, empty, a length that rounds past
 * 2^64), -EACCES outside the heap or for PROT_EXEC; 0 otherwise, and heap pages stay read-write whatever is
 * asked (the enclave's pages are fixed at build time). */
RT_HIDDEN long rt_heap_mprotect(uint64_t addr, uint64_t len, long prot);

RT_HIDDEN void rt_serve(struct rt_thread *t) __attribute__((noreturn));
/* Serves the ECALL now in t's slot (both worlds); returns its status, also published in the slot. */
RT_HIDDEN cella_result rt_handle_ecall(struct rt_thread *t);
RT_HIDDEN void rt_run_on_stack(uint64_t top, void (*fn)(void *), void *arg) __attribute__((noreturn));

/* Thread descriptors at the thread-data pages (thread.c). */
RT_HIDDEN uint8_t *rt_td_page(uint32_t tcs);
RT_HIDDEN uint64_t rt_td_musl_bytes(void);
/* musl's start-up on the boot thread, ending with TCS 0's descriptor at its thread-data page and constructors
 * run; `block` = argv[0], NULL, envp..., NULL, auxv... (kept for good: musl keeps pointers into it). */
RT_HIDDEN void rt_thread_boot_libc(char **block);
/* pthread_create for TCS `tcs` with its descriptor at its thread-data page; fn runs on a small stack in the
 * TLS page and must switch stacks (rt_run_on_stack) before doing real work. */
RT_HIDDEN void rt_thread_place(uint32_t tcs, void *(*fn)(void *), void *arg);
RT_HIDDEN void rt_send_monitor(const struct cella_enclave_msg *m);
RT_HIDDEN void rt_fatal(uint32_t kind, int sig, int code, uint64_t addr, uint64_t rip, const char *text)
	__attribute__((noreturn));
/* One 64-bit RDRAND value (retried); false if the DRNG keeps failing. No copy of it is left behind. */
RT_HIDDEN bool rt_rdrand64(uint64_t *v);
/* Zeroes [p, p+n) for good: a compiler barrier keeps the stores even when nothing reads the memory again (the
 * runtime's wipe of secrets and of random values it has handed on; memset_explicit() once C23 is required). */
RT_HIDDEN void rt_wipe(void *p, size_t n);
/*
 * The boundary-copy primitive: every byte the runtime copies to or from the shared window (calls.c, boot.c) goes
 * through here, and generated code never sees a window address (it works on the private copies). rt_copy is
 * memcpy's code under another name (string.c), so a test enclave linked with --wrap=memcpy,--wrap=memmove,
 * --wrap=memset sees every other copy and can assert that none touches host memory (tests/edl/static/g4_*).
 */
RT_HIDDEN void *rt_copy(void *restrict d, const void *restrict s, size_t n);
#ifdef CELLA_RT_BOUNDARY_STATS
extern uint64_t cella_rt_boundary_copies, cella_rt_boundary_bytes; /* calls.c, test builds only */
#endif
static inline void rt_boundary_copy(void *dst, const void *src, size_t n)
{
#ifdef CELLA_RT_BOUNDARY_STATS
	__atomic_add_fetch(&cella_rt_boundary_copies, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&cella_rt_boundary_bytes, n, __ATOMIC_RELAXED);
#endif
	rt_copy(dst, src, n);
}
/* Offers an exception to the application's handlers (exception.c); true if one took it (ctx may be changed). */
RT_HIDDEN bool rt_exception_dispatch(uint32_t vector, struct cella_exception_context *ctx);

/* Backend transport of the platform services (EREPORT/EGETKEY/quote); platform_sandbox.c on the sandbox. */
RT_HIDDEN cella_result rt_platform_call(const void *req, size_t req_len, void *rep, size_t cap, size_t *got);

#endif
