// SPDX-License-Identifier: MIT
/*
 * Host side of the call path: TCS binding, window buffers, ecall invocation and ocall service. Everything
 * the enclave writes into the window is read once and range-checked before the host acts on it.
 */
#include "internal.h"
#include "sgx_abi.h"
#include "sgx/sgx_backend.h"

#include <cpuid.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SPIN_ITERATIONS 4000
#define ALIGN16(x) (((x) + 15u) & ~(uint64_t)15u)

/* Innermost call frame of this thread (any enclave); frames link through c->prev. */
static __thread struct cella_call *tl_top;

static void futex_wake(uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void publish(struct cella_abi_slot *s, uint32_t state)
{
	__atomic_store_n(&s->state, state, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->waiters, __ATOMIC_SEQ_CST) & CELLA_SLOT_ENCLAVE_SLEEPS)
		futex_wake(&s->state);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * How long a waiting host thread keeps checking the slot (yielding the CPU between checks) before it sleeps on
 * the futex: settings.wait_yield_us, 2 ms by default. Waking a sleeping thread costs tens of microseconds on
 * virtual machines (an IPI to a halted vCPU): 5 % of a 1 ms call. Calls up to that long therefore end without
 * that cost. sched_yield keeps the wait from taking the CPU from an enclave thread that shares it. Where calls
 * take longer (e->call_ns, a running average of this enclave's ecalls), the window would only burn CPU, and the
 * thread sleeps at once: the wake-up is then a small part of the call.
 *
 * Returns state a or b once the slot holds it, or ~0u if the enclave was lost meanwhile.
 */
static uint32_t wait_state(struct cella_enclave *e, struct cella_abi_slot *s, uint32_t a, uint32_t b)
{
	const struct timespec tick = {0, 50 * 1000 * 1000};
	bool spin_only = e->flags & CELLA_ENCLAVE_FLAG_SPIN;
	uint64_t window = e->s.wait_yield_us == CELLA_WAIT_NO_YIELD ? 0 : (uint64_t)e->s.wait_yield_us * 1000u;
	bool yield = window && __atomic_load_n(&e->call_ns, __ATOMIC_RELAXED) <= window;
	uint64_t yield_until = 0;
	for (;;) {
		uint32_t st;
		for (uint32_t i = 0; i < SPIN_ITERATIONS || spin_only; i++) { /* wraps when spin_only: defined */
			st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
			if (st == a || st == b)
				return st;
			__builtin_ia32_pause();
			if (spin_only && (i & 0xfffff) == 0xfffff && cella_sandbox_check_lost(e))
				return ~0u;
		}
		if (yield && yield_until == 0)
			yield_until = now_ns() + window;
		if (yield && now_ns() < yield_until) {
			sched_yield();
			continue;
		}
		__atomic_or_fetch(&s->waiters, CELLA_SLOT_HOST_SLEEPS, __ATOMIC_SEQ_CST);
		st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
		if (st != a && st != b)
			syscall(SYS_futex, &s->state, FUTEX_WAIT, st, &tick, NULL, 0);
		__atomic_and_fetch(&s->waiters, ~CELLA_SLOT_HOST_SLEEPS, __ATOMIC_SEQ_CST);
		st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (st == a || st == b)
			return st;
		if (cella_sandbox_check_lost(e))
			return ~0u;
	}
}

static struct cella_call *innermost(struct cella_enclave *e)
{
	for (struct cella_call *c = tl_top; c; c = c->prev)
		if (c->e == e)
			return c;
	return NULL;
}

bool cella_calls_in_this_thread(struct cella_enclave *e)
{
	return innermost(e) != NULL;
}

/* True if c was prepared by this thread and not yet released: a call is used on the thread that prepared it. */
static bool prepared_here(const struct cella_call *c)
{
	for (const struct cella_call *t = tl_top; t; t = t->prev)
		if (t == c)
			return true;
	return false;
}

static uint64_t slot_buf_lo(struct cella_enclave *e, uint32_t slot)
{
	return e->bufs_off + (uint64_t)slot * e->slot_buf_bytes;
}

/* see cella/host.h */
cella_result cella_call_prepare(struct cella_enclave *e, size_t in_bytes, size_t out_bytes, struct cella_call *c)
{
	struct cella_call *outer;
	uint64_t total, in_pad = ALIGN16((uint64_t)in_bytes), lo, hi, start;
	uint32_t slot = 0;
	bool own = false;

	memset(c, 0, sizeof(*c));
	if (in_pad < in_bytes || __builtin_add_overflow(in_pad, (uint64_t)out_bytes, &total))
		return CELLA_ERR_OVERFLOW;
	if (cella_enclave_forked(e)) {
		cella_log(e, CELLA_LOG_ERROR, "call refused: this process was forked from the one that created the "
					      "enclave, which alone can call it");
		return CELLA_ERR_INVALID_STATE;
	}
	/* Counted before the closing check, so terminate either sees this call or this call sees closing. */
	__atomic_add_fetch(&e->active, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&e->closing, __ATOMIC_SEQ_CST)) {
		__atomic_sub_fetch(&e->active, 1, __ATOMIC_SEQ_CST);
		return CELLA_ERR_INVALID_STATE;
	}
	if (cella_enclave_lost(e)) {
		__atomic_sub_fetch(&e->active, 1, __ATOMIC_SEQ_CST);
		return CELLA_ERR_ENCLAVE_LOST;
	}
	outer = innermost(e);
	if (outer) {
		slot = outer->slot; /* an ecall from inside an ocall runs on the TCS that made the ocall */
		start = outer->frame_end;
	} else {
		for (slot = 0; slot < e->tcs_count; slot++) {
			uint32_t zero = 0;
			if (__atomic_compare_exchange_n(&e->slot_busy[slot], &zero, 1, false, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				break;
		}
		if (slot == e->tcs_count) {
			__atomic_sub_fetch(&e->active, 1, __ATOMIC_SEQ_CST);
			return CELLA_ERR_OUT_OF_TCS;
		}
		own = true;
		start = slot_buf_lo(e, slot);
	}
	lo = slot_buf_lo(e, slot);
	hi = lo + e->slot_buf_bytes;
	if (start >= lo && start <= hi && total <= hi - start) {
		c->buf_off = start;
	} else {
		c->buf_off = cella_arena_alloc(&e->arena, total ? total : 16, CELLA_ARENA_CALL);
		if (c->buf_off == 0) {
			if (own)
				__atomic_store_n(&e->slot_busy[slot], 0, __ATOMIC_RELEASE);
			__atomic_sub_fetch(&e->active, 1, __ATOMIC_SEQ_CST);
			return CELLA_ERR_OUT_OF_MEMORY;
		}
		c->arena = 1;
	}
	c->e = e;
	c->slot = slot;
	c->owns_slot = own;
	c->in = e->win + c->buf_off;
	c->in_bytes = in_bytes;
	c->out_bytes = out_bytes;
	c->frame_end = c->arena ? (outer ? outer->frame_end : lo) : ALIGN16(c->buf_off + total);
	c->prev = tl_top;
	tl_top = c;
	return CELLA_OK;
}

/* see cella/host.h */
cella_result cella_call_release(struct cella_call *c)
{
	struct cella_call **pp;
	if (!c || !c->e)
		return CELLA_OK;
	for (pp = &tl_top; *pp && *pp != c; pp = &(*pp)->prev)
		;
	if (!*pp) { /* not in this thread's frames */
		cella_log(c->e, CELLA_LOG_ERROR, "cella_call_release: the call was prepared by another thread");
		return CELLA_ERR_INVALID_STATE;
	}
	*pp = c->prev;
	if (c->arena)
		cella_arena_free(&c->e->arena, c->buf_off, CELLA_ARENA_CALL);
	if (c->owns_slot)
		__atomic_store_n(&c->e->slot_busy[c->slot], 0, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&c->e->active, 1, __ATOMIC_SEQ_CST);
	memset(c, 0, sizeof(*c));
	return CELLA_OK;
}

static bool range_ok(struct cella_enclave *e, uint64_t off, uint64_t len)
{
	uint64_t lo = e->bufs_off, hi = e->win_bytes;
	return off >= lo && off <= hi && len <= hi - off;
}

/*
 * SGX's futex stand-in: keys hash into 64 wake counters; a waiter sleeps on its bucket's counter as the enclave
 * read it before checking its word, a wake bumps the counter and wakes the bucket, so a wake in between makes the
 * sleep return at once. Collisions only wake too many (waiters re-check their word).
 */

static uint32_t *futex_counter(struct cella_enclave *e, uint64_t key)
{
	return (uint32_t *)(e->win + CELLA_WINDOW_FUTEX_OFF) + cella_window_futex_bucket(key);
}

/* see internal.h */
cella_result cella_futex_wait(struct cella_enclave *e, const uint8_t *in, size_t in_bytes)
{
	uint64_t v[3];
	struct timespec ts;
	if (in_bytes != sizeof(v))
		return CELLA_ERR_MARSHAL;
	memcpy(v, in, sizeof(v));
	if (v[2] > UINT32_MAX)
		return CELLA_ERR_MARSHAL;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(v[1] < CELLA_WINDOW_FUTEX_MAX_NS ? v[1] : CELLA_WINDOW_FUTEX_MAX_NS);
	/* the kernel compares the counter with what the enclave read, and sleeps only if they are equal */
	if (syscall(SYS_futex, futex_counter(e, v[0]), FUTEX_WAIT_PRIVATE, (uint32_t)v[2], &ts, NULL, 0) != 0 &&
	    errno == EAGAIN)
		__atomic_add_fetch(&e->futex_stale, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&e->futex_sleeps, 1, __ATOMIC_RELAXED);
	return CELLA_OK;
}

/* see internal.h */
void cella_futex_wake(struct cella_enclave *e, uint64_t key)
{
	uint32_t *w = futex_counter(e, key);
	__atomic_add_fetch(w, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* see internal.h */
cella_result cella_ocall_time(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
			      size_t out_bytes, size_t *written)
{
	uint32_t clk;
	struct timespec ts;
	int64_t r[2];
	if (in_bytes != 4 || out_bytes < 16)
		return CELLA_ERR_MARSHAL;
	memcpy(&clk, in, 4);
	if (!cella_abi_time_clock_served((int32_t)clk)) {
		cella_log(e, CELLA_LOG_WARNING, "time ocall refused: clock id %#x is none of CLOCK_REALTIME, _MONOTONIC, "
			  "_MONOTONIC_RAW, _REALTIME_COARSE, _MONOTONIC_COARSE, _BOOTTIME", clk);
		return CELLA_ERR_PERMISSION;
	}
	if (clock_gettime((clockid_t)clk, &ts) != 0)
		return CELLA_ERR_INVALID_ARG;
	r[0] = ts.tv_sec;
	r[1] = ts.tv_nsec;
	memcpy(out, r, 16);
	*written = 16;
	return CELLA_OK;
}

static cella_result builtin_ocall(struct cella_enclave *e, uint32_t fn, const uint8_t *in, size_t in_bytes,
				  uint8_t *out, size_t out_bytes, size_t *written)
{
	switch (fn) {
	case CELLA_OCALL_WRITE: {
		uint32_t fd;
		uint64_t n;
		if (in_bytes < 8 || out_bytes < 8)
			return CELLA_ERR_MARSHAL;
		memcpy(&fd, in, 4);
		if (fd != 1 && fd != 2)
			return CELLA_ERR_INVALID_ARG;
		n = in_bytes - 8;
		if (e->s.output) {
			e->s.output(e->s.output_ctx, (int)fd, (const char *)in + 8, n);
		} else {
			const uint8_t *p = in + 8;
			uint64_t left = n;
			while (left) {
				ssize_t k = write((int)fd, p, left);
				if (k < 0 && errno == EINTR)
					continue;
				if (k <= 0)
					break;
				p += k;
				left -= (uint64_t)k;
			}
		}
		memcpy(out, &n, 8);
		*written = 8;
		return CELLA_OK;
	}
	case CELLA_OCALL_TIME:
		return cella_ocall_time(e, in, in_bytes, out, out_bytes, written);
	case CELLA_OCALL_CPUID: {
		uint32_t q[2], r[4] = {0, 0, 0, 0};
		if (in_bytes != 8 || out_bytes < 16)
			return CELLA_ERR_MARSHAL;
		memcpy(q, in, 8);
		/* a leaf beyond the CPU's range answers zeros (raw CPUID would repeat its highest leaf's values) */
		if (!__get_cpuid_count(q[0], q[1], &r[0], &r[1], &r[2], &r[3]))
			r[0] = r[1] = r[2] = r[3] = 0;
		memcpy(out, r, 16);
		*written = 16;
		return CELLA_OK;
	}
	case CELLA_OCALL_SLEEP: {
		int64_t t[2];
		struct timespec ts;
		if (in_bytes != 16)
			return CELLA_ERR_MARSHAL;
		memcpy(t, in, 16);
		if (t[0] < 0 || t[1] < 0 || t[1] >= 1000000000)
			return CELLA_ERR_INVALID_ARG;
		/* The enclave chooses how long (up to 2^63 s): sleep in slices, so that terminate, which waits for the
		 * calls in flight, is never held up by one; the enclave sees the cut-short sleep as EINTR. */
		while (t[0] > 0 || t[1] > 0) {
			int64_t slice_ns = t[0] > 0 ? 50000000 : (t[1] < 50000000 ? t[1] : 50000000);
			if (__atomic_load_n(&e->closing, __ATOMIC_SEQ_CST) || cella_enclave_lost(e))
				return CELLA_ERR_ENCLAVE_LOST;
			ts.tv_sec = 0;
			ts.tv_nsec = slice_ns;
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
			t[1] -= slice_ns;
			if (t[1] < 0) {
				t[0]--;
				t[1] += 1000000000;
			}
		}
		*written = 0;
		return CELLA_OK;
	}
	case CELLA_OCALL_MALLOC: {
		uint64_t n, off;
		if (in_bytes != 8 || out_bytes < 8)
			return CELLA_ERR_MARSHAL;
		memcpy(&n, in, 8);
		off = cella_arena_alloc(&e->arena, n, CELLA_ARENA_ENCLAVE);
		memcpy(out, &off, 8);
		*written = 8;
		return CELLA_OK;
	}
	case CELLA_OCALL_FREE: {
		uint64_t off;
		if (in_bytes != 8)
			return CELLA_ERR_MARSHAL;
		memcpy(&off, in, 8);
		/* only what the enclave allocated: not a call's buffer in flight, nor the host application's blocks */
		if (!cella_arena_free(&e->arena, off, CELLA_ARENA_ENCLAVE))
			cella_log(e, CELLA_LOG_WARNING, "enclave freed window memory it did not allocate (offset %#llx)",
				  (unsigned long long)off);
		*written = 0;
		return CELLA_OK;
	}
	case CELLA_OCALL_FUTEX_WAIT:
		*written = 0;
		return cella_futex_wait(e, in, in_bytes);
	case CELLA_OCALL_FUTEX_WAKE: {
		uint64_t key;
		if (in_bytes != 8)
			return CELLA_ERR_MARSHAL;
		memcpy(&key, in, 8);
		cella_futex_wake(e, key);
		*written = 0;
		return CELLA_OK;
	}
	default:
		/* the quoting-enclave ocalls exist only on SGX */
		if (e->sgx)
			return cella_sgx_serve_builtin(e, fn, in, in_bytes, out, out_bytes, written);
		return CELLA_ERR_INVALID_FUNCTION;
	}
}

/*
 * Serves the OCALL now in c's slot, then releases the slot back to the enclave; false if terminate began
 * meanwhile: the reply is then withheld and the call ends with CELLA_ERR_ENCLAVE_LOST (it is not the enclave's
 * to finish once its host has stopped it, and a sleep cut short by terminate must not look like a completed one).
 */
static bool serve_ocall(struct cella_call *c)
{
	struct cella_enclave *e = c->e;
	struct cella_abi_slot *s = &e->slots[c->slot];
	uint32_t fn = __atomic_load_n(&s->fn, __ATOMIC_RELAXED);
	uint64_t off = __atomic_load_n(&s->buf_off, __ATOMIC_RELAXED);
	uint64_t in_bytes = __atomic_load_n(&s->in_bytes, __ATOMIC_RELAXED);
	uint64_t out_bytes = __atomic_load_n(&s->out_bytes, __ATOMIC_RELAXED);
	uint64_t in_pad = ALIGN16(in_bytes), total, saved_end = c->frame_end, lo = slot_buf_lo(e, c->slot);
	size_t written = 0;
	cella_result r;

	if (in_pad < in_bytes || __builtin_add_overflow(in_pad, out_bytes, &total) || off % CELLA_WINDOW_ALIGN ||
	    !range_ok(e, off, total)) {
		r = CELLA_ERR_MARSHAL;
		cella_log(e, CELLA_LOG_WARNING, "enclave made an ocall with an invalid buffer (offset %#llx, %llu+%llu bytes)",
			  (unsigned long long)off, (unsigned long long)in_bytes, (unsigned long long)out_bytes);
		goto done;
	}
	/* nested ecalls made by the handler stack their frames after this ocall's buffer */
	if (off >= lo && off + total <= lo + e->slot_buf_bytes)
		c->frame_end = ALIGN16(off + total);
	if (fn & CELLA_OCALL_BUILTIN)
		r = builtin_ocall(e, fn, e->win + off, in_bytes, e->win + off + in_pad, out_bytes, &written);
	else if (fn < e->s.ocall_count && e->s.ocall_table && e->s.ocall_table[fn])
		r = e->s.ocall_table[fn](e, e->win + off, in_bytes, e->win + off + in_pad, out_bytes, &written);
	else
		r = CELLA_ERR_INVALID_FUNCTION;
	if (written > out_bytes) {
		cella_log(e, CELLA_LOG_ERROR, "ocall %u handler wrote %zu bytes into a %llu-byte buffer", fn, written,
			  (unsigned long long)out_bytes);
		abort(); /* the handler already overran window memory: a host bug, not enclave input */
	}
	c->frame_end = saved_end;
done:
	if (__atomic_load_n(&e->closing, __ATOMIC_SEQ_CST))
		return false;
	__atomic_store_n(&s->out_written, r == CELLA_OK ? written : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->status, (uint32_t)r, __ATOMIC_RELAXED);
	publish(s, CELLA_SLOT_OCALL_DONE);
	return true;
}

/* cella_sgx_enter's ocall service: the enclave exited with an OCALL in this call's slot. */
static cella_result sgx_serve(struct cella_enclave *e, uint32_t tcs, void *ctx)
{
	struct cella_call *c = ctx;
	if (tcs != c->slot || __atomic_load_n(&e->slots[tcs].state, __ATOMIC_ACQUIRE) != CELLA_SLOT_OCALL)
		return CELLA_ERR_MARSHAL;
	return serve_ocall(c) ? CELLA_OK : CELLA_ERR_ENCLAVE_LOST;
}

#define STREAM_MIN_BYTES (128u * 1024)
#define STREAM_CHUNK_BYTES (128u * 1024)

/* The ecall's result from its slot, written by the enclave: read once, checked. */
static cella_result finish(struct cella_call *c, struct cella_abi_slot *s)
{
	cella_result r = (cella_result)__atomic_load_n(&s->status, __ATOMIC_RELAXED);
	uint64_t written = __atomic_load_n(&s->out_written, __ATOMIC_RELAXED); /* read once */
	if (written > c->out_bytes)
		return CELLA_ERR_MARSHAL;
	c->out = c->e->win + c->buf_off + ALIGN16((uint64_t)c->in_bytes);
	c->out_written = written;
	return r;
}

/*
 * Runs the ecall. With `src`, bytes [0, at) of the input are already in the window: the call is released first
 * and [at, at + len) is then copied from src in chunks, advancing in_ready, so the enclave copies chunk k while
 * the host writes chunk k + 1; the rest of the input (padding) is released last.
 */
static cella_result invoke(struct cella_call *c, uint32_t fn, size_t at, const uint8_t *src, size_t len)
{
	struct cella_enclave *e = c->e;
	struct cella_abi_slot *s;
	uint64_t t0;
	uint32_t st;
	cella_result r;

	if (!e)
		return CELLA_ERR_INVALID_ARG;
	if (!prepared_here(c)) {
		cella_log(e, CELLA_LOG_ERROR, "call refused: it was prepared by another thread");
		return CELLA_ERR_INVALID_STATE;
	}
	if (cella_enclave_lost(e))
		return CELLA_ERR_ENCLAVE_LOST;
	s = &e->slots[c->slot];
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELAXED);
	__atomic_store_n(&s->buf_off, c->buf_off, __ATOMIC_RELAXED);
	__atomic_store_n(&s->in_bytes, c->in_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&s->out_bytes, c->out_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&s->out_written, 0, __ATOMIC_RELAXED);
	if (e->sgx) {
		/* This thread runs the call itself (EENTER): the input is complete before it enters. */
		uint64_t value = 0;
		if (src)
			memcpy((uint8_t *)c->in + at, src, len);
		__atomic_store_n(&s->in_ready, c->in_bytes, __ATOMIC_RELAXED);
		__atomic_store_n(&s->state, CELLA_SLOT_ECALL, __ATOMIC_RELEASE);
		r = cella_sgx_enter(e, c->slot, CELLA_SGX_OP_ECALL, 0, 0, sgx_serve, c, &value);
		if (r != CELLA_OK)
			return r;
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != CELLA_SLOT_ECALL_DONE)
			return value != CELLA_OK ? (cella_result)value : CELLA_ERR_MARSHAL; /* refused before the slot */
		return finish(c, s);
	}
	t0 = now_ns();
	__atomic_store_n(&s->in_ready, src ? at : c->in_bytes, __ATOMIC_RELAXED);
	publish(s, CELLA_SLOT_ECALL);
	if (src) {
		uint8_t *dst = (uint8_t *)c->in + at;
		for (size_t done = 0; done < len;) {
			size_t k = len - done < STREAM_CHUNK_BYTES ? len - done : STREAM_CHUNK_BYTES;
			memcpy(dst + done, src + done, k);
			done += k;
			__atomic_store_n(&s->in_ready, at + done, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&s->in_ready, c->in_bytes, __ATOMIC_RELEASE);
	}
	for (;;) {
		st = wait_state(e, s, CELLA_SLOT_ECALL_DONE, CELLA_SLOT_OCALL);
		if (st == ~0u)
			return CELLA_ERR_ENCLAVE_LOST;
		if (st == CELLA_SLOT_ECALL_DONE)
			break;
		if (!serve_ocall(c))
			return CELLA_ERR_ENCLAVE_LOST;
	}
	{
		/* an eighth of the new call's duration into the running average (races only blur it) */
		uint64_t avg = __atomic_load_n(&e->call_ns, __ATOMIC_RELAXED), took = now_ns() - t0;
		__atomic_store_n(&e->call_ns, avg - avg / 8 + took / 8, __ATOMIC_RELAXED);
	}
	return finish(c, s);
}

/* see cella/host.h */
cella_result cella_call_invoke(struct cella_call *c, uint32_t fn)
{
	return invoke(c, fn, 0, NULL, 0);
}

/* see cella/host.h */
cella_result cella_call_invoke_stream(struct cella_call *c, uint32_t fn, size_t at, const void *src, size_t len)
{
	if (!c->e || at > c->in_bytes || len > c->in_bytes - at || (len && !src))
		return CELLA_ERR_INVALID_ARG;
	if (len < STREAM_MIN_BYTES) {
		if (len)
			memcpy((uint8_t *)c->in + at, src, len);
		return invoke(c, fn, 0, NULL, 0);
	}
	return invoke(c, fn, at, src, len);
}

/* see cella/host.h */
cella_result cella_enclave_call(struct cella_enclave *e, uint32_t fn, const void *in, size_t in_bytes, void *out,
				size_t out_bytes, size_t *out_written)
{
	struct cella_call c;
	cella_result r;

	if (out_written)
		*out_written = 0;
	if ((in_bytes && !in) || (out_bytes && !out))
		return CELLA_ERR_INVALID_ARG;
	r = cella_call_prepare(e, in_bytes, out_bytes, &c);
	if (r != CELLA_OK)
		return r;
	r = cella_call_invoke_stream(&c, fn, 0, in, in_bytes); /* large inputs stream behind the released call */
	if (r == CELLA_OK) {
		if (c.out_written)
			memcpy(out, c.out, c.out_written);
		if (out_written)
			*out_written = c.out_written;
	}
	cella_call_release(&c);
	return r;
}

/* see cella/host.h */
void *cella_enclave_host_malloc(struct cella_enclave *e, size_t n)
{
	uint64_t off;
	if (cella_enclave_forked(e))
		return NULL; /* the window is shared with the parent, whose arena this copy no longer tracks */
	off = cella_arena_alloc(&e->arena, n, CELLA_ARENA_HOST);
	return off ? e->win + off : NULL;
}

/* see cella/host.h */
void cella_enclave_host_free(struct cella_enclave *e, void *p)
{
	if (p && !cella_enclave_forked(e) && (uint8_t *)p >= e->win && (uint8_t *)p < e->win + e->win_bytes)
		cella_arena_free(&e->arena, (uint64_t)((uint8_t *)p - e->win), CELLA_ARENA_HOST | CELLA_ARENA_ENCLAVE);
}
