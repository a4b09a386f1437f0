// SPDX-License-Identifier: MIT
/*
 * The syscall layer. In the sandbox every syscall the seccomp filter does not allow traps (SIGSYS) and lands
 * here; on SGX the same function serves #UD on SYSCALL (sgx/sgx_main.c, the exception's second phase).
 * Memory, randomness, time, console output and exit are implemented; everything else fails with ENOSYS. On
 * SGX, where nothing reaches a kernel, it also stands in for what the sandbox lets through to the kernel:
 * futexes, and at boot the thread set-up (sgx/sgx_logic.c decides). Runs in signal context: no malloc, no
 * locks musl might hold.
 */
#include "rt.h"
#include "sgx/sgx_rt.h"

#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>

#define K_SA_RESTORER 0x04000000
#define K_TIOCGWINSZ 0x5413
#define ARCH_SET_FS_NR 0x1002
#define FUTEX_WAIT_NR 0

struct k_sigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void cella_rt_restorer(void) __attribute__((visibility("hidden")));

static long write_host(int fd, const uint8_t *p, size_t n)
{
	struct rt_thread *t = rt_self();
	uint8_t buf[4096];
	size_t done = 0;

	/* Output outside an ecall has no host thread to receive it: it is dropped, as on a detached console. */
	if (!t || t->depth == 0)
		return (long)n;
	while (done < n) {
		size_t k = n - done > sizeof(buf) - 8 ? sizeof(buf) - 8 : n - done;
		uint64_t written = 0;
		size_t wl = 0;
		uint32_t ufd = (uint32_t)fd;
		memcpy(buf, &ufd, 4);
		memset(buf + 4, 0, 4);
		memcpy(buf + 8, p + done, k);
		if (cella_ocall(CELLA_OCALL_WRITE, buf, 8 + k, &written, sizeof(written), &wl) != CELLA_OK ||
		    wl != sizeof(written) || written > k)
			return done ? (long)done : -EIO;
		done += k;
	}
	return (long)n;
}

static long sys_writev(int fd, const struct iovec *iov, int cnt)
{
	long total = 0;
	for (int i = 0; i < cnt; i++) { /* cnt: 0..1024, checked by the caller */
		long r;
		if (iov[i].iov_len == 0)
			continue;
		if (!cella_is_within_enclave(iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
		r = write_host(fd, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return total ? total : r;
		total += r;
	}
	return total;
}

/*
 * The latest reading of each clock that must not go back (Linux clock ids 1 CLOCK_MONOTONIC, 4 _RAW, 6 _COARSE,
 * 7 CLOCK_BOOTTIME), as seconds and nanoseconds: a host answering with an earlier time gets this one instead.
 * CLOCK_REALTIME may step back (settimeofday) and is passed through.
 */
static struct {
	int64_t sec, nsec;
} mono_last[8];
static volatile char mono_lock;

static bool clock_is_monotonic(uint32_t c)
{
	return c == 1 || c == 4 || c == 6 || c == 7;
}

/* In place: t becomes max(t, the clock's last reading), which it then is. */
static void mono_clamp(uint32_t c, int64_t t[2])
{
	while (__atomic_test_and_set(&mono_lock, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	if (t[0] < mono_last[c].sec || (t[0] == mono_last[c].sec && t[1] < mono_last[c].nsec)) {
		t[0] = mono_last[c].sec;
		t[1] = mono_last[c].nsec;
	} else {
		mono_last[c].sec = t[0];
		mono_last[c].nsec = t[1];
	}
	__atomic_clear(&mono_lock, __ATOMIC_RELEASE);
}

static long sys_clock_gettime(long clk, struct timespec *ts)
{
	int64_t reply[2];
	uint32_t c = (uint32_t)clk;
	size_t wl = 0;
	if (!cella_abi_time_clock_served(clk))
		return -EINVAL;
	if (!cella_is_within_enclave(ts, sizeof(*ts)))
		return -EFAULT;
	if (!rt_self() || rt_self()->depth == 0)
		return -ENOSYS;
	if (cella_ocall(CELLA_OCALL_TIME, &c, sizeof(c), reply, sizeof(reply), &wl) != CELLA_OK || wl != sizeof(reply))
		return -EINVAL;
	/* UNTRUSTED: the host chooses the time; its shape is checked (no time before 1970 on any Linux clock), and
	 * the monotonic clocks never go back */
	if (reply[0] < 0 || reply[1] < 0 || reply[1] >= 1000000000)
		return -EINVAL;
	if (clock_is_monotonic(c))
		mono_clamp(c, reply);
	ts->tv_sec = reply[0];
	ts->tv_nsec = reply[1];
	return 0;
}

/* A sleep is never cut short: it sleeps all of req, or (a failed ocall) is EINTR with all of it in *rem. */
static long sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
	int64_t in[2];
	size_t wl = 0;
	if (!cella_is_within_enclave(req, sizeof(*req)) || (rem && !cella_is_within_enclave(rem, sizeof(*rem))))
		return -EFAULT;
	in[0] = req->tv_sec;
	in[1] = req->tv_nsec;
	if (in[1] < 0 || in[1] >= 1000000000 || in[0] < 0)
		return -EINVAL;
	if (!rt_self() || rt_self()->depth == 0)
		return -ENOSYS;
	if (cella_ocall(CELLA_OCALL_SLEEP, in, sizeof(in), 0, 0, &wl) == CELLA_OK)
		return 0;
	if (rem) { /* a caller looping on EINTR sleeps this again, not whatever its rem held */
		rem->tv_sec = in[0];
		rem->tv_nsec = in[1];
	}
	return -EINTR;
}

/*
 * clock_nanosleep on the clocks the host's clock_gettime and sleep cover. TIMER_ABSTIME reads the clock once
 * (CELLA_OCALL_TIME) and sleeps the difference: a later change of CLOCK_REALTIME does not move the wake-up, and
 * the host chooses both the time and the sleep, so neither bounds anything. A relative sleep is never cut short:
 * a failed ocall is EINTR with the whole request in rem (which an absolute sleep, as on Linux, leaves alone).
 */
static long sys_clock_nanosleep(long clk, long flags, const struct timespec *req, struct timespec *rem)
{
	struct timespec t, now;
	long r;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME)
		return -EINVAL; /* CPU-time clocks, and clocks Linux cannot sleep on */
	if (flags & ~(long)TIMER_ABSTIME)
		return -EINVAL;
	if (!(flags & TIMER_ABSTIME))
		return sys_nanosleep(req, rem);
	if (!cella_is_within_enclave(req, sizeof(*req)))
		return -EFAULT;
	t = *req;
	if (t.tv_nsec < 0 || t.tv_nsec >= 1000000000 || t.tv_sec < 0)
		return -EINVAL;
	if ((r = sys_clock_gettime(clk, &now)) != 0)
		return r;
	if (t.tv_sec < now.tv_sec || (t.tv_sec == now.tv_sec && t.tv_nsec <= now.tv_nsec))
		return 0; /* already past */
	/* the host's clock may say anything, a time before 1970 included: no overflow, just a long sleep */
	if (__builtin_sub_overflow(t.tv_sec, now.tv_sec, &t.tv_sec))
		t.tv_sec = LONG_MAX - 1;
	t.tv_nsec -= now.tv_nsec;
	if (t.tv_nsec < 0) {
		t.tv_sec--;
		t.tv_nsec += 1000000000;
	}
	return sys_nanosleep(&t, NULL);
}

static long sys_getrandom(uint8_t *buf, size_t n)
{
	if (n == 0)
		return 0; /* as Linux, whatever buf is */
	if (n > 33554431)
		n = 33554431;
	if (!cella_is_within_enclave(buf, n))
		return -EFAULT;
	return cella_random(buf, n) == CELLA_OK ? (long)n : -EIO;
}

static long sys_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd)
{
	(void)addr;
	if (!(flags & MAP_ANONYMOUS) || fd != -1)
		return -ENODEV; /* no files in an enclave */
	if (flags & MAP_FIXED)
		return -EINVAL;
	if (prot & PROT_EXEC)
		return -EACCES; /* enclave memory added at run time is never executable */
	return rt_heap_mmap(len);
}

static uint32_t current_tcs(void)
{
	struct rt_thread *t = rt_self();
	return t ? t->tcs : 0;
}

/*
 * Futexes on SGX: a wait whose word still matches sleeps on the host by the word's key, at most 1 ms at a time;
 * a wake wakes the key's sleepers. The key's wake counter in the window is read before the word is checked and
 * sent with the wait, so the host does not sleep through a wake that came in between (cella/abi/window.h,
 * CELLA_WINDOW_FUTEX_OFF). Outside an ecall there is no host thread to sleep on: the wait returns at once (a
 * spurious wake-up) and the wake is dropped, which a sleeper's timeout covers.
 */
static void sgx_futex(long addr, long op, long val, long timeout, long *ret)
{
	struct rt_thread *t = rt_self();
	uint64_t key = (uint64_t)addr - (uint64_t)rt.base;
	/* host memory, read once and never trusted: it only goes back to the host with the wait */
	const uint32_t *counter = (const uint32_t *)(rt.win + CELLA_WINDOW_FUTEX_OFF) + cella_window_futex_bucket(key);
	uint64_t in[3] = {key, CELLA_WINDOW_FUTEX_MAX_NS, __atomic_load_n(counter, __ATOMIC_SEQ_CST)};
	size_t wl = 0;
	cella_result r;
	enum rt_sgx_futex_step step =
		rt_sgx_futex(op, __atomic_load_n((const uint32_t *)addr, __ATOMIC_SEQ_CST) == (uint32_t)val, ret);

	if (step == RT_SGX_FUTEX_DONE || !t || t->depth == 0)
		return;
	if (step == RT_SGX_FUTEX_WAKE) {
		r = cella_ocall(CELLA_OCALL_FUTEX_WAKE, in, 8, NULL, 0, &wl);
	} else {
		/* FUTEX_WAIT's timeout is relative; WAIT_BITSET's is absolute and simply capped like the rest */
		if (timeout && (op & 127) == FUTEX_WAIT_NR &&
		    cella_is_within_enclave((void *)timeout, sizeof(struct timespec))) {
			struct timespec ts;
			memcpy(&ts, (const void *)timeout, sizeof(ts));
			if (ts.tv_sec == 0 && ts.tv_nsec >= 0 && (uint64_t)ts.tv_nsec < in[1])
				in[1] = (uint64_t)ts.tv_nsec;
		}
		r = cella_ocall(CELLA_OCALL_FUTEX_WAIT, in, sizeof(in), NULL, 0, &wl);
	}
	(void)r; /* a failed wait or wake: the wait ends at once (a spurious wake-up), a sleeper's timeout covers the wake */
}

/*
 * SGX only: the calls the sandbox's seccomp filter passes to the kernel, which SGX has no way to reach.
 * Returns true with *ret set if `nr` is one of them.
 */
static bool sgx_kernel_stand_in(long nr, long a, long b, long c, long d, long e, long *ret)
{
	switch (nr) {
	case SYS_futex:
		if (!cella_is_within_enclave((void *)a, 4)) {
			*ret = -EFAULT;
			return true;
		}
		sgx_futex(a, b, c, d, ret);
		return true;
	case SYS_sched_yield:
		*ret = 0;
		return true;
	case SYS_arch_prctl:
		/* musl's start-up points the thread pointer at its descriptor; FS itself is the TCS's thread-data
		 * page (TCS.OFSBASE), so the descriptor's address goes where %fs:0 is read. Boot only. */
		if (rt.booted || a != ARCH_SET_FS_NR || !cella_is_within_enclave((void *)b, 8)) {
			*ret = -EPERM;
			return true;
		}
		__asm__ __volatile__("mov %0, %%fs:0" : : "r"(b) : "memory");
		*ret = 0;
		return true;
	case SYS_clone: {
		/* pthread_create for the next TCS at boot (boot.c): its descriptor is ready, no thread runs */
		uint64_t want = rt.booted || rt.next_tcs == 0 || rt.next_tcs >= rt.regions.tcs_count
					? 0
					: (uint64_t)rt_td_page(rt.next_tcs);
		*ret = rt_sgx_clone_check((uint64_t)a, (uint64_t)e, want);
		if (*ret == 0) {
			if (!cella_is_within_enclave((void *)c, 4)) {
				*ret = -EFAULT;
				return true;
			}
			*ret = 1000 + rt.next_tcs; /* the tid gettid() reports on that TCS */
			*(volatile int *)c = (int)*ret; /* CLONE_PARENT_SETTID */
		}
		return true;
	}
	default:
		return false;
	}
}

/* The dispatcher; returns the value for RAX (negative errno on failure, as the kernel does). */
static long rt_syscall(long nr, long a, long b, long c, long d, long e)
{
	long ret;
	if (rt_sgx() && sgx_kernel_stand_in(nr, a, b, c, d, e, &ret))
		return ret;
	switch (nr) {
	case SYS_write:
		if (a != 1 && a != 2)
			return -ENOSYS;
		if (c == 0)
			return 0;
		if (!cella_is_within_enclave((void *)b, (size_t)c))
			return -EFAULT;
		return write_host((int)a, (const uint8_t *)b, (size_t)c);
	case SYS_writev:
		if (a != 1 && a != 2)
			return -ENOSYS;
		if ((unsigned long)c > 1024)
			return -EINVAL; /* as Linux: a negative count or one above IOV_MAX, before the vector is looked at */
		if (!cella_is_within_enclave((void *)b, (size_t)c * sizeof(struct iovec)))
			return -EFAULT;
		return sys_writev((int)a, (const struct iovec *)b, (int)c);
	case SYS_ioctl:
		/* stdout/stderr behave as a terminal so stdio line-buffers them */
		if ((a == 1 || a == 2) && b == K_TIOCGWINSZ && cella_is_within_enclave((void *)c, 8)) {
			memset((void *)c, 0, 8);
			return 0;
		}
		return -ENOTTY;
	case SYS_brk:
		return 0; /* no brk: musl's malloc falls back to mmap */
	case SYS_mmap:
		return sys_mmap((uint64_t)a, (uint64_t)b, c, d, e);
	case SYS_munmap:
		return rt_heap_munmap((uint64_t)a, (uint64_t)b);
	case SYS_mprotect:
		return rt_heap_mprotect((uint64_t)a, (uint64_t)b, c);
	case SYS_madvise:
		return 0;
	case SYS_mremap:
		return -ENOMEM; /* musl's realloc then allocates and copies */
	case SYS_getrandom:
		return sys_getrandom((uint8_t *)a, (size_t)b);
	case SYS_clock_gettime:
		return sys_clock_gettime(a, (struct timespec *)b);
	case SYS_nanosleep:
		return sys_nanosleep((const struct timespec *)a, (struct timespec *)b);
	case SYS_clock_nanosleep:
		return sys_clock_nanosleep(a, b, (const struct timespec *)c, (struct timespec *)d);
	case SYS_rt_sigprocmask:
		if (d == 8 && c && cella_is_within_enclave((void *)c, 8))
			memset((void *)c, 0, 8);
		return 0; /* signals are the runtime's; masks are a no-op */
	case SYS_gettid:
	case SYS_set_tid_address:
		return 1000 + current_tcs();
	case SYS_getpid:
		return 1000;
	case SYS_tkill:
	case SYS_tgkill:
	case SYS_kill: {
		int sig = (int)(nr == SYS_tgkill ? c : b);
		if (sig == 0)
			return 0;
		rt_fatal(CELLA_FAULT_ABORT, sig, 0, 0, 0, sig == SIGABRT ? "abort()" : "raise()");
	}
	case SYS_exit:
	case SYS_exit_group:
		rt_fatal(CELLA_FAULT_EXIT, 0, (int)a, 0, 0, "exit()");
	default:
		return -ENOSYS;
	}
}

/* see sgx/sgx_rt.h: the same dispatcher, for #UD on SYSCALL on SGX (the sixth argument is never used) */
long rt_syscall_dispatch(long nr, long a, long b, long c, long d, long e, long f)
{
	(void)f;
	return rt_syscall(nr, a, b, c, d, e);
}

/*
 * Signals carry siginfo the sender chose when another process (the host, as the same user) queues them with
 * rt_tgsigqueueinfo; the kernel only forces such codes to be <= 0. A trap of our own seccomp filter has
 * si_code SYS_SECCOMP and a hardware fault a positive code: anything else did not happen in this thread and
 * is ignored (checklist B3), so a forged "trapped syscall" never writes a register.
 */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	(void)sig;
	if (si->si_code != SYS_SECCOMP || si->si_arch != AUDIT_ARCH_X86_64)
		return;
	g[REG_RAX] = rt_syscall(si->si_syscall, g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8]);
}

static uint64_t rva_or_none(uint64_t a)
{
	return a - (uint64_t)rt.base < rt.size ? a - (uint64_t)rt.base : ~0ull;
}

/* The x86 vector behind a fault signal, as SGX would report it (cella/enclave.h). */
static uint32_t fault_vector(int sig, const siginfo_t *si)
{
	switch (sig) {
	case SIGILL:
		return CELLA_EXCEPTION_UD;
	case SIGFPE:
		return si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF ? CELLA_EXCEPTION_DE : CELLA_EXCEPTION_XM;
	case SIGTRAP:
		return si->si_code == TRAP_BRKPT || si->si_code == SI_KERNEL ? CELLA_EXCEPTION_BP : CELLA_EXCEPTION_DB;
	case SIGBUS:
		return si->si_code == BUS_ADRALN ? CELLA_EXCEPTION_AC : CELLA_EXCEPTION_PF;
	default:
		return si->si_code == SI_KERNEL ? CELLA_EXCEPTION_GP : CELLA_EXCEPTION_PF;
	}
}

/* The registers a handler sees, in cella_exception_context's order, and their ucontext slots. */
static const int context_regs[] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI, REG_R8,
				   REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_EFL, REG_RIP};
_Static_assert(sizeof(context_regs) / sizeof(context_regs[0]) * 8 == sizeof(struct cella_exception_context),
	       "one slot per register");

/* Offers a fault to the application's handlers with the registers in g, which a handler that takes it may change. */
static bool offer_to_handlers(uint32_t vector, greg_t *g)
{
	struct cella_exception_context c;
	uint64_t *r = (uint64_t *)&c;

	for (unsigned i = 0; i < sizeof(context_regs) / sizeof(context_regs[0]); i++)
		r[i] = (uint64_t)g[context_regs[i]];
	if (!rt_exception_dispatch(vector, &c))
		return false;
	for (unsigned i = 0; i < sizeof(context_regs) / sizeof(context_regs[0]); i++)
		g[context_regs[i]] = (greg_t)r[i];
	return true;
}

/*
 * A fault inside an ecall is handled in two stages, as on SGX (sgx/sgx_main.c). The kernel delivers it on the
 * thread's signal stack (SA_ONSTACK: a fault from an overflowing TCS stack could be delivered nowhere else), and
 * the first stage there does no work: it copies the interrupted context onto the interrupted TCS stack, below
 * its red zone, in the layout of the kernel's signal frame, and returns into the second stage on that stack. The
 * second stage is ordinary code with the fault signals unblocked: it offers the fault to the application's
 * handlers and resumes the copy (rt_sigreturn). So the handlers, and whatever they call (ocalls, and ecalls
 * nested in those), run on the TCS stack, whose guard page ends the enclave when they need more than is left;
 * the signal stack, in heap memory with no guard page, only ever holds the first stage. A fault that leaves less
 * than RT_SGX_PHASE1_ROOM of the TCS stack (the room SGX's first phase needs) never reaches the handlers.
 */
struct fault_record {
	ucontext_t uc;   /* the interrupted context, as rt_sigreturn reads it: up to the kernel's 8-byte signal mask */
	uint64_t addr;   /* the fault's address and instruction, for the report if no handler takes it */
	uint64_t rip;
	int sig, code;
	uint32_t vector;
};

#define KERNEL_UC_BYTES (offsetof(ucontext_t, uc_sigmask) + 8)
_Static_assert(offsetof(ucontext_t, uc_sigmask) == 296, "ucontext_t is not the kernel's struct ucontext");
/* The extended state the kernel saves in a signal frame: the 512-byte FXSAVE area, whose software-reserved bytes
 * (offset 464) say, after FP_XSTATE_MAGIC1, how large the XSAVE area that follows it is (magic2 included). */
#define FXSAVE_BYTES 512u
#define FP_SW_BYTES_OFF 464u
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAX_BYTES 65536u

void rt_resume_context(const ucontext_t *uc) __attribute__((visibility("hidden"), noreturn));

static uint64_t fpstate_bytes(const uint8_t *fp)
{
	uint32_t magic1, extended;
	memcpy(&magic1, fp + FP_SW_BYTES_OFF, 4);
	memcpy(&extended, fp + FP_SW_BYTES_OFF + 4, 4);
	if (magic1 != FP_XSTATE_MAGIC1 || extended < FXSAVE_BYTES || extended > FP_XSTATE_MAX_BYTES)
		return FXSAVE_BYTES;
	return extended;
}

static __attribute__((noreturn, used)) void fault_second_stage(struct fault_record *f)
{
	rt_sanitize_state(); /* the interrupted code's FPU and SSE state is in the copy, restored on resuming */
	if (offer_to_handlers(f->vector, f->uc.uc_mcontext.gregs))
		rt_resume_context(&f->uc);
	rt_fatal(CELLA_FAULT_SIGNAL, f->sig, f->code, f->addr, f->rip, "fault");
}

/* The first stage: true if the fault now goes to the second stage on the TCS stack (uc is changed for that). */
static bool to_second_stage(int sig, const siginfo_t *si, ucontext_t *uc)
{
	struct rt_thread *t = rt_self();
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t rsp = (uint64_t)g[REG_RSP], lo, fp_bytes = 0;
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	uint8_t *fp_copy = NULL;
	struct fault_record *f;

	if (!t || t->depth == 0 || rsp < t->stack_lo + RT_SGX_PHASE1_ROOM || rsp > t->stack_hi)
		return false;
	/* from the top: the red zone, the extended state (XRSTOR's alignment), the record, the return slot */
	lo = rsp - RT_SGX_RED_ZONE;
	if (fp) {
		fp_bytes = fpstate_bytes(fp);
		lo = (lo - fp_bytes) & ~(uint64_t)63;
		fp_copy = (uint8_t *)(uintptr_t)lo;
	}
	lo = (lo - sizeof(*f)) & ~(uint64_t)63;
	if (lo - 8 < t->stack_lo)
		return false;
	f = (struct fault_record *)(uintptr_t)lo;
	memcpy(&f->uc, uc, KERNEL_UC_BYTES);
	if (fp) {
		memcpy(fp_copy, fp, fp_bytes);
		f->uc.uc_mcontext.fpregs = (fpregset_t)fp_copy;
	}
	f->addr = (uint64_t)(uintptr_t)si->si_addr;
	f->rip = (uint64_t)g[REG_RIP];
	f->sig = sig;
	f->code = si->si_code;
	f->vector = fault_vector(sig, si);
	/* return into fault_second_stage(f) as if called, with DF, AC, TF and RF clear (the second stage must not
	 * single-step itself); the return address is never used */
	*(uint64_t *)(uintptr_t)(lo - 8) = 0;
	g[REG_RSP] = (greg_t)(lo - 8);
	g[REG_RIP] = (greg_t)(uintptr_t)fault_second_stage;
	g[REG_RDI] = (greg_t)lo;
	g[REG_RBP] = 0;
	g[REG_EFL] &= ~(greg_t)0x50500; /* AC, RF, DF, TF: as the kernel enters a handler (the copy keeps them) */
	return true;
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (si->si_code <= 0)
		return; /* sent by a process (kill, sigqueue), not raised by an instruction: see on_sigsys */
	if (to_second_stage(sig, si, uc))
		return;
	rt_fatal(CELLA_FAULT_SIGNAL, sig, si->si_code, (uint64_t)si->si_addr, rip, "fault");
}

void rt_install_handlers(void)
{
	static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
	struct k_sigaction k = {on_sigsys, SA_SIGINFO | K_SA_RESTORER, cella_rt_restorer, 0};
	rt_syscall6(SYS_rt_sigaction, SIGSYS, (long)&k, 0, 8, 0, 0);
	for (unsigned i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		struct k_sigaction f = {on_fault, SA_SIGINFO | K_SA_RESTORER | SA_ONSTACK, cella_rt_restorer, 0};
		rt_syscall6(SYS_rt_sigaction, faults[i], (long)&f, 0, 8, 0, 0);
	}
}

/* The signal stack: the runtime's own handlers only (the first stage of a fault, rt_fatal), never the application's. */
#define ALTSTACK_BYTES 65536

void rt_thread_signals(struct rt_thread *t)
{
	stack_t ss;
	t->altstack = malloc(ALTSTACK_BYTES);
	if (!t->altstack)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_OUT_OF_MEMORY, 0, 0, "no memory for signal stack");
	ss.ss_sp = t->altstack;
	ss.ss_size = ALTSTACK_BYTES;
	ss.ss_flags = 0;
	rt_sys(SYS_sigaltstack, &ss, 0, 0);
}

void rt_fatal(uint32_t kind, int sig, int code, uint64_t addr, uint64_t rip, const char *text)
{
	struct cella_enclave_msg m = {.type = CELLA_EMSG_FAULT};
	size_t n = strlen(text);
	m.kind = kind;
	m.signal = sig;
	m.code = code;
	m.tcs = current_tcs();
	m.addr = addr;
	m.addr_rva = addr ? rva_or_none(addr) : ~0ull;
	m.rip_rva = rip ? rva_or_none(rip) : ~0ull;
	if (n >= sizeof(m.text))
		n = sizeof(m.text) - 1;
	memcpy(m.text, text, n);
	/* SGX has no monitor: the enclave is crashed for good and the host sees the result on every entry */
	if (rt_sgx())
		rt_sgx_exit_lost(kind == CELLA_FAULT_RUNTIME && code > 0 ? (uint64_t)code : CELLA_ERR_ENCLAVE_LOST);
	rt_send_monitor(&m);
	for (;;)
		rt_sys(SYS_exit_group, CELLA_MONITOR_EXIT_MAGIC, 0, 0);
}

void rt_send_monitor(const struct cella_enclave_msg *m)
{
	long k;
	if (rt_sgx())
		return;
	do /* the runtime's handlers do not restart syscalls: a host's signal must not lose the message */
		k = rt_sys(SYS_write, rt.mon_fd, m, sizeof(*m));
	while (k == -EINTR);
}

/* see cella/enclave.h */
void cella_abort(const char *why)
{
	rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_UNEXPECTED, 0, 0, why ? why : "cella_abort");
}

