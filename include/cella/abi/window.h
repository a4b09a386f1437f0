/* SPDX-License-Identifier: MIT */
/* The shared window: the only memory the host and a sandbox enclave both see (call slots and buffers). */
#ifndef CELLA_ABI_WINDOW_H
#define CELLA_ABI_WINDOW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Window layout (all offsets from the window base, which both processes map at different addresses):
 *   [0, 4096)                 struct cella_abi_window (header), and at CELLA_WINDOW_FUTEX_OFF the futex counters
 *   [slots_off, +tcs*64)      struct cella_abi_slot, one per TCS
 *   [bufs_off, +tcs*slot_buf) per-TCS call buffers: nested call frames are stacked here
 *   [arena_off, window_bytes) host-managed arena: large call buffers and cella_host_malloc memory
 * The host writes the header before the enclave starts; the enclave copies it once at boot and checks it
 * against its own properties. Nothing in the window is trusted by the enclave.
 */
#define CELLA_WINDOW_MAGIC 0x574c4c4543ull /* "CELLW" */
#define CELLA_WINDOW_ABI_VERSION 3u
#define CELLA_WINDOW_ALIGN 16u

enum cella_window_state {
	CELLA_WINDOW_BOOTING = 0,
	CELLA_WINDOW_READY = 1,
	CELLA_WINDOW_LOST = 2, /* written by the monitor when the enclave process is gone */
};

struct cella_abi_window {
	uint64_t magic;
	uint32_t abi_version;
	uint32_t tcs_count;
	uint64_t window_bytes;
	uint64_t slots_off;
	uint64_t bufs_off;
	uint64_t slot_buf_bytes;
	uint64_t arena_off;
	uint64_t arena_bytes;
	uint32_t state;        /* enum cella_window_state */
	uint32_t reserved0;
	uint64_t reserved[6];
};
_Static_assert(sizeof(struct cella_abi_window) == 120, "ABI: cella_abi_window");

/*
 * SGX's futex stand-in (CELLA_OCALL_FUTEX_WAIT/WAKE): one wake counter per key bucket, in the header page. The
 * host adds one to a bucket's counter on every wake of a key in it. A waiting enclave reads the counter before it
 * checks its futex word and sends what it read with the wait; the host sleeps only while the counter still holds
 * that value, so a wake that falls between the enclave's check and the host's sleep is never lost. Like all of
 * the window the counters are untrusted: a host that changes them can make a wait end early or last until its
 * timeout, which it can do anyway.
 */
#define CELLA_WINDOW_FUTEX_OFF 2048u
#define CELLA_WINDOW_FUTEX_BUCKETS 64u
#define CELLA_WINDOW_FUTEX_MAX_NS 1000000u /* the longest one wait sleeps on the host; the enclave asks no more */
_Static_assert(CELLA_WINDOW_FUTEX_OFF >= sizeof(struct cella_abi_window) &&
		       CELLA_WINDOW_FUTEX_OFF + 4 * CELLA_WINDOW_FUTEX_BUCKETS <= 4096,
	       "ABI: the futex counters lie in the header page, after the header");
static inline uint32_t cella_window_futex_bucket(uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 58); /* 64 buckets */
}

/* Slot states; the state word is also the futex both sides wait on. */
enum cella_slot_state {
	CELLA_SLOT_IDLE = 0,
	CELLA_SLOT_ECALL = 1,      /* host -> enclave: request ready */
	CELLA_SLOT_ECALL_DONE = 2, /* enclave -> host: reply ready */
	CELLA_SLOT_OCALL = 3,      /* enclave -> host: ocall request ready */
	CELLA_SLOT_OCALL_DONE = 4, /* host -> enclave: ocall reply ready */
};

/* waiters bits: a side sets its bit before sleeping on the futex; the other side wakes only if it is set. */
#define CELLA_SLOT_HOST_SLEEPS 1u
#define CELLA_SLOT_ENCLAVE_SLEEPS 2u

/*
 * One call slot per TCS (one cache line). A call buffer is [in_bytes of input][pad to 16][out_bytes of output]
 * at buf_off. The callee copies the input into its own memory before reading it, and writes the output and
 * out_written last. in_ready (ecalls only) says how many input bytes the host has written so far: a host may
 * release a large call before its input is complete and stream the input behind it, so the two copies (into the
 * window, into the enclave) overlap; the enclave copies each byte once, as soon as in_ready covers it, and
 * refuses an in_ready above in_bytes or going backwards.
 */
struct cella_abi_slot {
	uint32_t state;        /* enum cella_slot_state; futex word */
	uint32_t waiters;      /* CELLA_SLOT_*_SLEEPS */
	uint32_t fn;           /* ecall or ocall id */
	uint32_t status;       /* cella_result of the call */
	uint64_t buf_off;
	uint64_t in_bytes;
	uint64_t out_bytes;
	uint64_t out_written;
	uint64_t in_ready;
	uint64_t reserved;
};
_Static_assert(sizeof(struct cella_abi_slot) == 64, "ABI: cella_abi_slot");

/*
 * The clocks CELLA_OCALL_TIME serves, by Linux id: CLOCK_REALTIME 0, _MONOTONIC 1, _MONOTONIC_RAW 4,
 * _REALTIME_COARSE 5, _MONOTONIC_COARSE 6, _BOOTTIME 7. The enclave asks for no other and the host serves no
 * other: the CPU-time clocks measure the host, not the enclave, and a negative id names a host process by its pid.
 */
static inline int cella_abi_time_clock_served(int64_t clk)
{
	return clk == 0 || clk == 1 || (clk >= 4 && clk <= 7);
}

/* Built-in ocalls served by the host library itself (ids with the top bit set). */
#define CELLA_OCALL_BUILTIN 0x80000000u
enum cella_builtin_ocall {
	CELLA_OCALL_WRITE = CELLA_OCALL_BUILTIN | 1,  /* in: u32 fd (1 or 2), bytes; out: u64 written */
	/* in: u32 clockid, one of CLOCK_REALTIME, _MONOTONIC, _MONOTONIC_RAW, _REALTIME_COARSE, _MONOTONIC_COARSE,
	 * _BOOTTIME (others: CELLA_ERR_PERMISSION); out: i64 sec, i64 nsec (UNTRUSTED) */
	CELLA_OCALL_TIME = CELLA_OCALL_BUILTIN | 2, /* cella_abi_time_clock_served() says which */
	CELLA_OCALL_SLEEP = CELLA_OCALL_BUILTIN | 3,  /* in: i64 sec, i64 nsec */
	CELLA_OCALL_MALLOC = CELLA_OCALL_BUILTIN | 4, /* in: u64 size; out: u64 window offset (0 = none) */
	CELLA_OCALL_FREE = CELLA_OCALL_BUILTIN | 5,   /* in: u64 window offset */
	/* SGX's futexes (the sandbox's reach the kernel): the enclave reads the key's wake counter, checks the
	 * word, then the host sleeps on the key (the word's offset in the enclave) while the counter is unchanged,
	 * until a wake on it or the timeout (see CELLA_WINDOW_FUTEX_OFF). */
	CELLA_OCALL_FUTEX_WAIT = CELLA_OCALL_BUILTIN | 6, /* in: u64 key, u64 timeout ns (host caps it at
							   * CELLA_WINDOW_FUTEX_MAX_NS),
							   * u64 the counter as read (< 2^32) */
	CELLA_OCALL_FUTEX_WAKE = CELLA_OCALL_BUILTIN | 7, /* in: u64 key */
	/* SGX: CPUID raises #UD in an enclave; the runtime asks the host, which runs it (UNTRUSTED: feature bits
	 * only, masked by the enclave's own XCR0). in: u32 leaf, u32 subleaf; out: u32 eax, ebx, ecx, edx */
	CELLA_OCALL_CPUID = CELLA_OCALL_BUILTIN | 8,
};

/* Registers the loader passes to the enclave entry point on TCS 0 (all untrusted): */
/*   rdi = window address, rsi = window bytes, rdx = monitor socket fd, rcx = 0 (reserved). */

#ifdef __cplusplus
}
#endif
#endif
