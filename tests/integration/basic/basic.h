/* SPDX-License-Identifier: MIT */
/* Call ids of the test enclave used by the sandbox integration tests. */
#ifndef CELLA_TEST_BASIC_H
#define CELLA_TEST_BASIC_H

#include <stdint.h>

enum {
	E_ADD = 0,          /* in: 2 x u64; out: u64 sum */
	E_OCALL_TWICE = 1,  /* in: u64 x; calls O_TWICE(x) and returns its reply + 1 */
	E_NESTED = 2,       /* in: u64 x; calls O_REENTER(x), which calls E_PRIVATE_MUL; returns that */
	E_PRIVATE_MUL = 3,  /* private: in: u64 x; out: x * 3 (allowed only inside O_REENTER) */
	E_ABORT = 4,
	E_NULL_DEREF = 5,
	E_STACK_OVERFLOW = 6,
	E_HEAP_EXHAUST = 7, /* out: u64 allocations of 64 KiB until malloc returned NULL, then frees them */
	E_CONFINE = 8,      /* in: path string; out: 5 x i32 errno from open/socket/execve/ptrace/fork */
	E_EMPTY = 9,        /* no input or output */
	E_CHECKSUM = 10,    /* in: bytes; out: u64 sum of bytes */
	E_EXIT = 11,        /* calls exit(3) */
	E_PRINT = 12,       /* printf()s its string input to stdout */
	E_SELFTEST = 13,    /* out: u32 bitmask of failed in-enclave checks (0 = all passed) */
	E_ECHO = 14,        /* out: the input, byte for byte */
	E_SPIN = 15,        /* spins (practically) forever: for terminate-while-in-flight */
	E_OCALL_EMPTY = 16, /* calls O_EMPTY and returns its result */
	E_PEEK = 17,        /* in: u64 host pointer; out: its first 16 bytes if cella_is_host_memory() agrees */
	E_THREAD_FACTS = 18, /* out: struct thread_facts of the calling TCS's thread */
	E_EXCEPTION = 19,   /* in: u32 0 = UD2 a handler skips (out: u64 RAX it set, u64 declines), 1 = INT3 */
	E_CATCH_ALL = 20,   /* adds a handler that takes every exception and changes nothing; returns the add's result */
	E_PINGPONG = 21,    /* in: u32 role (0/1), u32 rounds: takes turns with the other role on a condition variable */
	E_POKE = 22,        /* in: u64 host pointer, then bytes: writes them there if cella_is_host_memory() agrees */
	E_HOST_FREE = 23,   /* in: u64 host pointer: cella_host_free() on it */
	E_SLEEP = 24,       /* out: struct sleep_facts (clock_nanosleep, relative and absolute, and its refusals) */
	E_RANDOM_RESIDUE = 25, /* out: u64 stack words below the caller still holding cella_random's last value, or
				* RESIDUE_UNOPTIMIZED */
	E_NEST_BIG = 26,    /* calls O_NEST_BIG (out: NEST_OUT_BYTES); out: the reply it got, byte for byte */
	E_BIG_OCALL = 27,   /* private (only inside O_NEST_BIG): in: any bytes; calls O_SINK with NEST_SINK_BYTES */
	E_ZEROED = 28,      /* out: u64 non-zero bytes in 1 MiB from calloc and 1 MiB from mmap (each checked whole) */
	E_FUTEX_OPS = 29,   /* out: u64 errno of FUTEX_WAKE, u64 errno of FUTEX_LOCK_PI (0: it succeeded) */
	E_FLOOD_MONITOR = 30, /* rogue: sends key requests to the monitor (a raw write on its socket) and reads no
			       * reply, for ever: the monitor must give the enclave up, not block */
	E_SLEEP_LONG = 31,  /* nanosleep for an hour; out: i64 its result, i64 errno (terminate must not wait for it) */
	E_HANDLER_STACK = 32, /* in: u64 n; a UD2 whose handler has an n-byte local array; out: struct handler_stack */
	E_FPENV = 33,       /* in: u32 FPENV_*; sets FP control state, calls out; out: struct fpenv_facts */
	E_DEEP = 34,        /* in: u64 n; n > 0: O_DEEP(n - 1), which enters E_DEEP again; out: u64 levels below it */
	E_GET_KEYS = 35,    /* in: u64 n; cella_get_key (key name 0) n times; out: u64 calls made, i64 the last result */
	E_X32_GETPID = 36,  /* rogue: getpid through the x32 ABI (the syscall instruction with __X32_SYSCALL_BIT in
			     * the number), which the enclave may not use; out: i64 what it returned */
	E_TOUCH_BELOW = 37, /* in: u64 address, u64 pages: writes a byte in each of the pages below the address;
			     * out: u64 pages written */
	E_TF_STEP = 38,     /* sets TF; a #DB handler counts the trap and clears TF; out: u64 #DB count */
	E_SYSCALL_M1 = 39,  /* the syscall instruction with number -1; out: i64 its result (Linux: -ENOSYS) */
	E_COUNT
};

/* E_RANDOM_RESIDUE's answer from an enclave built without optimisation: at -O0 the compiler keeps temporaries of
 * its own (RDRAND's result among them) in stack slots no wipe in C can name, so the count says nothing there. */
#define RESIDUE_UNOPTIMIZED 0xfffffffffffffffeull

/* Where this TCS's thread pointer, musl descriptor and TLS are (RVAs from the enclave base). */
struct thread_facts {
	uint64_t tp_rva;        /* %fs:0, the thread pointer */
	uint64_t self_is_tp;    /* pthread_self() == the thread pointer */
	uint64_t errno_rva;     /* &errno: a field of musl's descriptor */
	uint64_t tls_rva;       /* a _Thread_local variable */
	uint64_t tls_value;     /* its value, then incremented: 0x5eed on a thread's first call */
	uint64_t canary_set;    /* %fs:0x28, the stack-protector canary, is not zero */
};

/* E_HANDLER_STACK's answer: where the handler's array lay, against the stack of the ecall it interrupted. */
struct handler_stack {
	uint64_t array_lo, array_hi; /* the handler's local array, lowest and highest byte */
	uint64_t ecall_local;        /* a local of the interrupted ecall */
	uint64_t stack_bytes;        /* the enclave's TCS stack size (STACK_PAGES x 4096) */
	uint64_t sum_ok;             /* 1: the array read back what the handler wrote */
	uint64_t heap_intact;        /* 1: a heap block written before the UD2 reads back unchanged after it */
	uint64_t state_kept;         /* 1: XMM7, MXCSR and the x87 control word set before the UD2 hold after it */
};

/* E_FPENV's ways out of the enclave between setting the floating-point control state and reading it back */
enum { FPENV_OCALL = 0 /* O_EMPTY */, FPENV_NESTED = 1 /* O_REENTER: an ecall nested in it */,
       FPENV_SYSCALL = 2 /* clock_gettime: a trapped syscall that makes the time ocall */ };

/* The control state E_FPENV sets: rounding up (SSE and x87), x87 double precision, MXCSR FTZ and DAZ. */
#define FPENV_MXCSR 0xdfc0u
#define FPENV_FCW 0x0a7fu

/* E_FPENV's answer: the state after the call out, and 1/3 computed before and after it (bit patterns). */
struct fpenv_facts {
	uint32_t status;     /* the call out's result */
	uint32_t round;      /* fegetround() after it */
	uint32_t mxcsr;      /* MXCSR after it, status flags masked off */
	uint32_t fcw;        /* x87 control word after it */
	uint64_t third_before, third_after;
};

/* Sizes for a nested ecall too big for an 8 KiB call buffer, made from inside an ocall, that makes an ocall. */
#define NEST_OUT_BYTES 1024
#define NEST_BIG_BYTES (16 * 1024)
#define NEST_SINK_BYTES 4096

/* clock_nanosleep as enclave code sees it: return values (0 or an errno) and times from CLOCK_MONOTONIC. */
struct sleep_facts {
	int32_t rel;          /* clock_nanosleep(CLOCK_MONOTONIC, 0, 1 ms) */
	int32_t abs;          /* CLOCK_MONOTONIC, TIMER_ABSTIME, now + 2 ms */
	int32_t abs_past;     /* CLOCK_MONOTONIC, TIMER_ABSTIME, 10 s ago */
	int32_t abs_realtime; /* CLOCK_REALTIME, TIMER_ABSTIME, now + 1 ms */
	int32_t rel_boottime; /* CLOCK_BOOTTIME, 0, 1 ms */
	/* the raw syscall (musl passes these through): errno */
	int32_t bad_clock;    /* CLOCK_PROCESS_CPUTIME_ID */
	int32_t bad_flags;    /* flags 2 (not TIMER_ABSTIME) */
	int32_t bad_nsec;     /* relative, tv_nsec = 10^9 */
	int32_t bad_abs_nsec; /* TIMER_ABSTIME, tv_nsec = -1 */
	int32_t null_rel;     /* relative, request NULL */
	int32_t null_abs;     /* TIMER_ABSTIME, request NULL */
	int64_t rel_ns;       /* how long the relative sleep took */
	int64_t abs_late_ns;  /* the clock after the absolute sleep, minus its deadline */
	int64_t past_ns;      /* how long the call with a past deadline took */
};

enum {
	O_TWICE = 0,   /* in: u64; out: u64 2x (777: also gathers thread facts from both TCSs, see sandbox_test.c) */
	O_REENTER = 1, /* in: u64; calls E_PRIVATE_MUL from the host; out: its u64 result */
	O_EMPTY = 2,
	O_NEST_BIG = 3, /* in: u64 seed; writes its NEST_OUT_BYTES reply, then calls E_BIG_OCALL with NEST_BIG_BYTES */
	O_SINK = 4,     /* in: any bytes, ignored */
	O_ENTERED = 5,  /* counts the calls that have reached the enclave (E_SPIN, E_SLEEP_LONG make it first) */
	O_DEEP = 6,     /* in: u64 n; calls E_DEEP(n) from the host; out: its u64 result */
	O_COUNT
};

#endif
