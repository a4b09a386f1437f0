// SPDX-License-Identifier: MIT
/* Test enclave for the hostile-host suite (tests/security). */
#include <cella/abi/window.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "security.h"

#ifndef CELLA_TEST_NO_LIMIT
/* Poisoned after 3 boundary violations: the C7 item. */
const uint32_t cella_violation_limit = 3;
#endif

static const char secret[64] = "enclave secret: must never reach the host";

static cella_result s_state(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct sec_state st;
	uint8_t fx[512] __attribute__((aligned(16)));
	(void)in, (void)n;
	memset(&st, 0, sizeof(st));
	/* read the state first, before anything else could change it */
	__asm__ __volatile__("pushfq; popq %0" : "=r"(st.rflags));
	__asm__ __volatile__("stmxcsr %0" : "=m"(st.mxcsr));
	__asm__ __volatile__("fnstcw %0" : "=m"(st.fcw));
	__asm__ __volatile__("fnstsw %0" : "=m"(st.fsw));
	__asm__ __volatile__("fxsave %0" : "=m"(fx));
	st.ftw = fx[4];
	if (on < sizeof(st))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &st, sizeof(st));
	*w = sizeof(st);
	return CELLA_OK;
}

static cella_result s_poison(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const uint32_t mxcsr = 0xe040;
	static const uint16_t fcw = 0x0c40;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	__asm__ __volatile__("fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1\n\t"
			     "fldcw %1\n\t"
			     "ldmxcsr %0\n\t"
			     "pushfq; orq $0x40400, (%%rsp); popfq\n\t" /* AC and DF */
			     :
			     : "m"(mxcsr), "m"(fcw)
			     : "memory", "cc");
	return CELLA_OK;
}

static cella_result s_float(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	volatile float f = 1.0f;
	volatile double d = 1.0;
	volatile long double ld = 1.0L;
	uint64_t r[3] = {0, 0, 0};
	(void)in, (void)n;
	for (int i = 0; i < 10; i++) {
		f = f / 3.0f + 0.1f;
		d = d / 3.0 + 0.1;
		ld = ld / 3.0L + 0.1L;
	}
	{
		float fv = f;
		double dv = d;
		long double lv = ld;
		memcpy(&r[0], &fv, sizeof(fv));
		memcpy(&r[1], &dv, sizeof(dv));
		memcpy(&r[2], &lv, 8); /* the 64-bit mantissa */
	}
	if (on < sizeof(r))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, r, sizeof(r));
	*w = sizeof(r);
	return CELLA_OK;
}

/* Fails as size queries do, after filling what fits and setting *w to the size needed (or, for input starting
 * with '!', after writing it all): the runtime must write nothing back and keep the enclave. */
static cella_result s_echo(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	if (on < n) {
		memcpy(out, in, on);
		*w = n;
		return CELLA_ERR_BUFFER_TOO_SMALL;
	}
	memcpy(out, in, n);
	*w = n;
	return n && in[0] == '!' ? CELLA_ERR_INVALID_ARG : CELLA_OK;
}

/* Replies one u64. */
static cella_result reply_u64(uint64_t v, uint8_t *out, size_t on, size_t *w)
{
	if (on < 8)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &v, 8);
	*w = 8;
	return CELLA_OK;
}

static cella_result s_ocall(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t want;
	uint8_t buf[256], guard[16];
	size_t got = 0;
	cella_result r;
	if (n != 8 || on < 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&want, in, 8);
	if (want > sizeof(buf))
		return CELLA_ERR_INVALID_ARG;
	memset(guard, 0x77, sizeof(guard));
	r = cella_ocall(O_FILL, &want, 8, buf, want, &got);
	for (size_t i = 0; i < sizeof(guard); i++)
		if (guard[i] != 0x77)
			cella_abort("ocall reply overran its buffer"); /* never reached if the runtime holds */
	if (r != CELLA_OK)
		return r;
	return reply_u64(got, out, on, w);
}

static cella_result s_secret(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n;
	return reply_u64((uint64_t)(uintptr_t)secret, out, on, w);
}

static cella_result s_count(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t c = cella_violation_count();
	(void)in, (void)n;
	if (on < 4)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &c, 4);
	*w = 4;
	return CELLA_OK;
}

static cella_result s_private(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return CELLA_OK;
}

static cella_result s_ocall_pad(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct sec_padded p;
	size_t got;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	/* what a careful enclave does (and generated stubs do): zero the whole struct, padding included */
	memset(&p, 0, sizeof(p));
	p.a = 1;
	p.b = 2;
	return cella_ocall(O_PAD, &p, sizeof(p), NULL, 0, &got);
}

static int holding, hold_released; /* S_HOLD_ECHO's state, set by it and S_HOLD_CTL (atomic) */

/*
 * Tells the host it is in the handler (its input already copied in) with an O_FILL ocall, then waits with no
 * ocall outstanding, ~100 ms (`hold` false) or until S_HOLD_CTL releases it, then echoes its input.
 */
static cella_result echo_after_wait(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w, bool hold)
{
	uint64_t zero = 0;
	size_t got = 0;
	uint8_t sink[8];
	if (on < n)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	if (cella_ocall(O_FILL, &zero, 8, sink, 0, &got) != CELLA_OK)
		return CELLA_ERR_UNEXPECTED;
	if (!hold) {
		for (volatile uint64_t i = 0; i < 100000000ull; i++)
			;
	} else {
		__atomic_store_n(&holding, 1, __ATOMIC_SEQ_CST);
		for (uint64_t i = 0; !__atomic_load_n(&hold_released, __ATOMIC_SEQ_CST); i++) {
			if (i > (1ull << 36)) /* minutes: the host never released it */
				return CELLA_ERR_UNEXPECTED;
			__builtin_ia32_pause();
		}
		__atomic_store_n(&holding, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&hold_released, 0, __ATOMIC_SEQ_CST);
	}
	memcpy(out, in, n);
	*w = n;
	return CELLA_OK;
}

static cella_result s_slow_echo(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	return echo_after_wait(in, n, out, on, w, false);
}

static cella_result s_hold_echo(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	return echo_after_wait(in, n, out, on, w, true);
}

static cella_result s_hold_ctl(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	if (n != 1)
		return CELLA_ERR_INVALID_ARG;
	if (in[0] == 1) {
		__atomic_store_n(&hold_released, 1, __ATOMIC_SEQ_CST);
		return CELLA_OK;
	}
	return reply_u64((uint64_t)__atomic_load_n(&holding, __ATOMIC_SEQ_CST), out, on, w);
}

static cella_result s_host_malloc(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n;
	return reply_u64((uint64_t)(uintptr_t)cella_host_malloc(64), out, on, w);
}

static cella_result s_sleep(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct timespec req = {5, 7}, rem = {-1, -1};
	int64_t r[4];
	(void)in, (void)n;
	errno = 0;
	r[0] = nanosleep(&req, &rem);
	r[1] = errno;
	r[2] = rem.tv_sec;
	r[3] = rem.tv_nsec;
	if (on < sizeof(r))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, r, sizeof(r));
	*w = sizeof(r);
	return CELLA_OK;
}

/* in: optional u32 clock id (default CLOCK_REALTIME); out: clock_gettime's result, errno, and (with room) tv_sec. */
static cella_result s_time(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct timespec ts = {0, 0};
	int64_t r[3];
	uint32_t clk = CLOCK_REALTIME;
	if (n >= 4)
		memcpy(&clk, in, 4);
	errno = 0;
	r[0] = clock_gettime((clockid_t)clk, &ts);
	r[1] = errno;
	r[2] = ts.tv_sec;
	if (on < 16)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	*w = on < sizeof(r) ? 16 : sizeof(r);
	memcpy(out, r, *w);
	return CELLA_OK;
}

static cella_result s_ocall_data(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t want;
	uint8_t buf[256];
	size_t got = 0;
	cella_result r;
	if (n != 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&want, in, 8);
	if (want > sizeof(buf) || want > on)
		return CELLA_ERR_INVALID_ARG;
	r = cella_ocall(O_FILL, &want, 8, buf, want, &got);
	if (r != CELLA_OK)
		return r;
	memcpy(out, buf, got);
	*w = got;
	return CELLA_OK;
}

static uint64_t bumps;

static cella_result s_bump(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t v;
	(void)in;
	if (on < 8)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	v = n ? __atomic_add_fetch(&bumps, 1, __ATOMIC_SEQ_CST) : __atomic_load_n(&bumps, __ATOMIC_SEQ_CST);
	return reply_u64(v, out, on, w);
}

/* B3: a register the loop never changes; a forged signal whose handler writes RAX would show here. */
static cella_result s_rax_watch(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t left, rax, r[2];
	if (n != 8 || on < sizeof(r))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&left, in, 8);
	if (left == 0)
		return CELLA_ERR_INVALID_ARG;
	__asm__ volatile("xor %%eax, %%eax\n"
			 "1: test %%rax, %%rax\n"
			 "jnz 2f\n"
			 "pause\n"
			 "dec %1\n"
			 "jnz 1b\n"
			 "2:\n"
			 : "=&a"(rax), "+r"(left)
			 :
			 : "cc");
	r[0] = rax;
	r[1] = left;
	memcpy(out, r, sizeof(r));
	*w = sizeof(r);
	return CELLA_OK;
}

/* F2: a size query, a buffer of that size, then the fill: what the host claims in the second phase cannot
 * exceed what the first phase made the enclave allocate. */
static cella_result s_two_phase(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t size = 0;
	uint8_t *buf, guard[16];
	size_t got = 0;
	cella_result r;
	(void)in, (void)n;
	if (on < 8)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	r = cella_ocall(O_SIZE, NULL, 0, &size, 8, &got);
	if (r != CELLA_OK)
		return r;
	if (got != 8 || size > 256)
		return CELLA_ERR_MARSHAL;
	buf = malloc(size + sizeof(guard));
	if (!buf)
		return CELLA_ERR_OUT_OF_MEMORY;
	memset(buf + size, 0x77, sizeof(guard));
	memcpy(guard, buf + size, sizeof(guard));
	r = cella_ocall(O_FILL, &size, 8, buf, size, &got);
	if (memcmp(buf + size, guard, sizeof(guard)) != 0)
		cella_abort("two-phase ocall reply overran its buffer"); /* never reached if the runtime holds */
	free(buf);
	if (r != CELLA_OK)
		return r;
	return reply_u64(got, out, on, w);
}

static cella_result s_key(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_key_request kr;
	cella_result r;
	if (n != sizeof(kr) || on < CELLA_KEY_BYTES)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&kr, in, sizeof(kr));
	r = cella_get_key(&kr, out);
	if (r == CELLA_OK)
		*w = CELLA_KEY_BYTES;
	return r;
}

#ifdef CELLA_RT_BOUNDARY_STATS
extern uint64_t cella_rt_boundary_bytes; /* src/enclave/calls.c, test builds */
#endif

/* C3-stream watches the runtime copy a streamed input in through this (another TCS than the call's). */
static cella_result s_copied(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n;
#ifdef CELLA_RT_BOUNDARY_STATS
	return reply_u64(__atomic_load_n(&cella_rt_boundary_bytes, __ATOMIC_SEQ_CST), out, on, w);
#else
	(void)out, (void)on, (void)w;
	return CELLA_ERR_UNSUPPORTED;
#endif
}

static cella_result s_ocall_fn(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t fn;
	size_t got = 0;
	(void)out, (void)on, (void)w;
	if (n != sizeof(fn))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&fn, in, sizeof(fn));
	return cella_ocall(fn, NULL, 0, NULL, 0, &got);
}

/* cella_ocall(fn) with the call's input as it is, requiring a reply of exactly `reply` bytes, passed out. */
static cella_result forward_ocall(uint32_t fn, const uint8_t *in, size_t n, size_t reply, uint8_t *out, size_t on,
				  size_t *w)
{
	uint8_t r[16];
	size_t got = 0;
	cella_result res;
	if (reply > sizeof(r) || on < reply)
		return CELLA_ERR_INVALID_ARG;
	res = cella_ocall(fn, in, n, r, reply, &got);
	if (res != CELLA_OK)
		return res;
	if (got != reply)
		return CELLA_ERR_MARSHAL;
	memcpy(out, r, reply);
	*w = reply;
	return CELLA_OK;
}

static cella_result s_time_raw(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	if (n != sizeof(uint32_t))
		return CELLA_ERR_INVALID_ARG;
	return forward_ocall(CELLA_OCALL_TIME, in, n, 2 * sizeof(int64_t), out, on, w); /* i64 sec, nsec */
}

static cella_result s_cpuid(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	return forward_ocall(CELLA_OCALL_CPUID, in, n, 4 * sizeof(uint32_t), out, on, w);
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[S_STATE] = {s_state, CELLA_ECALL_PUBLIC},     [S_POISON] = {s_poison, CELLA_ECALL_PUBLIC},
	[S_FLOAT] = {s_float, CELLA_ECALL_PUBLIC},     [S_ECHO] = {s_echo, CELLA_ECALL_PUBLIC},
	[S_OCALL] = {s_ocall, CELLA_ECALL_PUBLIC},     [S_SECRET] = {s_secret, CELLA_ECALL_PUBLIC},
	[S_COUNT_VIOL] = {s_count, CELLA_ECALL_PUBLIC}, [S_PRIVATE] = {s_private, 0},
	[S_OCALL_PAD] = {s_ocall_pad, CELLA_ECALL_PUBLIC}, [S_SLOW_ECHO] = {s_slow_echo, CELLA_ECALL_PUBLIC},
	[S_HOST_MALLOC] = {s_host_malloc, CELLA_ECALL_PUBLIC}, [S_TIME] = {s_time, CELLA_ECALL_PUBLIC},
	[S_OCALL_DATA] = {s_ocall_data, CELLA_ECALL_PUBLIC},   [S_BUMP] = {s_bump, CELLA_ECALL_PUBLIC},
	[S_RAX_WATCH] = {s_rax_watch, CELLA_ECALL_PUBLIC}, [S_TWO_PHASE] = {s_two_phase, CELLA_ECALL_PUBLIC},
	[S_SLEEP] = {s_sleep, CELLA_ECALL_PUBLIC},         [S_KEY] = {s_key, CELLA_ECALL_PUBLIC},
	[S_HOLD_ECHO] = {s_hold_echo, CELLA_ECALL_PUBLIC}, [S_HOLD_CTL] = {s_hold_ctl, CELLA_ECALL_PUBLIC},
	[S_COPIED] = {s_copied, CELLA_ECALL_PUBLIC},       [S_OCALL_FN] = {s_ocall_fn, CELLA_ECALL_PUBLIC},
	[S_TIME_RAW] = {s_time_raw, CELLA_ECALL_PUBLIC},   [S_CPUID] = {s_cpuid, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
