/* SPDX-License-Identifier: MIT */
/* Call ids of the hostile-host test enclave. */
#ifndef CELLA_TEST_SECURITY_H
#define CELLA_TEST_SECURITY_H
#include <stdint.h>

enum {
	S_STATE = 0,      /* out: struct sec_state, the machine state the handler started with */
	S_POISON = 1,     /* leaves DF=1, AC=1, MXCSR=0xE040, FCW=0x0C40 and a full x87 stack behind */
	S_FLOAT = 2,      /* out: 3 x u64: bit patterns of a float, double and long double computation */
	S_ECHO = 3,       /* out: the input */
	S_OCALL = 4,      /* in: u64 n; calls O_FILL asking for n bytes; out: u64 bytes received, or the error */
	S_SECRET = 5,     /* out: u64 address of an enclave secret (for "pointer into the enclave" tests) */
	S_COUNT_VIOL = 6, /* out: u32 cella_violation_count() */
	S_PRIVATE = 7,    /* private, allowed from no ocall */
	S_OCALL_PAD = 8,  /* makes O_PAD with a struct whose padding the enclave never wrote */
	S_SLOW_ECHO = 9,  /* waits ~100 ms, then echoes its input: the host rewrites the window meanwhile */
	S_HOST_MALLOC = 10, /* out: u64 cella_host_malloc(64) result (0 = refused) */
	S_TIME = 11,      /* out: i64 clock_gettime result, then errno */
	S_OCALL_DATA = 12, /* in: u64 n; calls O_FILL asking for n bytes; out: the bytes received */
	S_BUMP = 13,      /* in: 1 byte: count one more call; empty: just read; out: u64 the count */
	S_RAX_WATCH = 14, /* in: u64 n; spins n times while RAX holds 0; out: u64 RAX at the end, u64 spins left */
	S_TWO_PHASE = 15, /* asks O_SIZE for a size (<= 256), then O_FILL for that many bytes; out: u64 bytes */
	S_SLEEP = 16,     /* nanosleep({5, 7}, &rem), rem filled with -1 first; out: i64 result, errno, rem sec, nsec */
	S_KEY = 17,       /* in: struct cella_key_request; out: its 16-byte key (TEST ONLY: never export keys) */
	S_HOLD_ECHO = 18, /* calls O_FILL, then holds (no ocall outstanding) until S_HOLD_CTL releases it; echoes */
	S_HOLD_CTL = 19,  /* in: 1 byte, 0: out u64 1 while S_HOLD_ECHO holds; 1: release it */
	S_COPIED = 20,    /* out: u64 bytes the runtime has copied across the boundary (CELLA_RT_BOUNDARY_STATS
			   * enclave only, else CELLA_ERR_UNSUPPORTED), read before this call's own reply adds 8 */
	S_OCALL_FN = 21,  /* in: u32 fn; returns cella_ocall(fn) with no data as its status */
	S_TIME_RAW = 22,  /* in: u32 clock id, sent as is in a CELLA_OCALL_TIME (as a buggy runtime would); returns its
			   * status, out: i64 sec, nsec on success */
	S_CPUID = 23,     /* in: the bytes of a CELLA_OCALL_CPUID request, sent as they are; returns its status, out:
			   * the 16-byte reply on success */
	S_COUNT
};

enum { O_FILL = 0, O_PAD = 1, O_SIZE = 2 /* out: u64 a size */ };

struct sec_state {
	uint64_t rflags;
	uint32_t mxcsr;
	uint16_t fcw;
	uint16_t fsw;
	uint16_t ftw; /* abridged x87 tag word from FXSAVE: 0 = all empty */
	uint16_t reserved[3];
};

/* Sent by S_OCALL_PAD: 1 + 7 padding bytes + 8. */
struct sec_padded {
	uint8_t a;
	uint64_t b;
};
#endif
