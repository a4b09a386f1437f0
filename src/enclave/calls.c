// SPDX-License-Identifier: MIT
/*
 * Ecall dispatch and ocalls over the shared window. Every request is read from the slot once, its buffer
 * range checked to lie inside the window, and the whole input copied into enclave memory before any of it is
 * used. Replies are written to the window last, then the state word is released.
 *
 * Two transports carry the same slots. Sandbox: the host and the enclave are separate processes that hand the
 * slot back and forth through its state word (spin, then futex). SGX: the host thread itself runs the call
 * (EENTER); an ocall is an EEXIT and its answer a re-entry (sgx/sgx_entry.S), so the state word only records
 * where the call is, and a nested ecall arrives as a separate entry rather than through the ocall's wait loop.
 */
#include "rt.h"
#include "sgx/sgx_rt.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#define SPIN_ITERATIONS 4000
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

void rt_futex_wait(uint32_t *addr, uint32_t val)
{
	rt_syscall6(SYS_futex, (long)addr, FUTEX_WAIT, val, 0, 0, 0);
}

void rt_futex_wake(uint32_t *addr)
{
	rt_syscall6(SYS_futex, (long)addr, FUTEX_WAKE, 1, 0, 0, 0);
}

static void publish(struct cella_abi_slot *s, uint32_t state)
{
	__atomic_store_n(&s->state, state, __ATOMIC_SEQ_CST);
	if (!rt_sgx() && (__atomic_load_n(&s->waiters, __ATOMIC_SEQ_CST) & CELLA_SLOT_HOST_SLEEPS))
		rt_futex_wake(&s->state);
}

/* Waits until the slot state is `a` or `b`; returns it. Spins briefly, then sleeps on the futex. */
static uint32_t wait_state(struct cella_abi_slot *s, uint32_t a, uint32_t b)
{
	for (;;) {
		uint32_t st;
		for (int i = 0; i < SPIN_ITERATIONS; i++) {
			st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
			if (st == a || st == b)
				return st;
			__builtin_ia32_pause();
		}
		__atomic_or_fetch(&s->waiters, CELLA_SLOT_ENCLAVE_SLEEPS, __ATOMIC_SEQ_CST);
		st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
		if (st != a && st != b)
			rt_futex_wait(&s->state, st);
		__atomic_and_fetch(&s->waiters, ~CELLA_SLOT_ENCLAVE_SLEEPS, __ATOMIC_SEQ_CST);
	}
}

/* see cella/enclave.h; an undefined weak reference (address 0) means no limit. Not a weak definition: compilers
 * may fold a weak definition's initialiser into this file's code. */
extern const uint32_t cella_violation_limit __attribute__((weak));
static uint32_t violations;

/* The host broke the call ABI (a buffer outside the window, an impossible size...): count it, and once the
 * application's limit is reached, end the enclave rather than keep answering an attacker's probes. */
static cella_result violation(void)
{
	uint32_t n = __atomic_add_fetch(&violations, 1, __ATOMIC_SEQ_CST);
	const uint32_t *limit = &cella_violation_limit;
	__asm__("" : "+r"(limit)); /* the address is decided by the linker, not by this file */
	if (limit && *limit && n >= *limit)
		cella_abort("the host violated the call ABI too often; enclave poisoned");
	return CELLA_ERR_MARSHAL;
}

/* see cella/enclave.h */
uint32_t cella_violation_count(void)
{
	return __atomic_load_n(&violations, __ATOMIC_SEQ_CST);
}

/* True iff [off, off+len) lies in the window's buffer area (slot buffers and arena). */
static bool window_range_ok(uint64_t off, uint64_t len)
{
	uint64_t lo = rt.hdr.bufs_off, hi = rt.hdr.window_bytes;
	return off >= lo && off <= hi && len <= hi - off;
}

static uint8_t *scratch(struct rt_thread *t, size_t n)
{
	struct rt_scratch *s = &t->scratch[t->depth - 1]; /* depth 1..RT_MAX_NEST: dispatch() checked it */
	if (s->cap < n) {
		uint8_t *p = realloc(s->p, n);
		if (!p)
			return NULL;
		s->p = p;
		s->cap = n;
	}
	return s->p;
}

#ifdef CELLA_RT_BOUNDARY_STATS
/* Test builds only (tests/edl/static/): how many copies and bytes crossed the window through rt_boundary_copy. */
uint64_t cella_rt_boundary_copies, cella_rt_boundary_bytes;
#endif

/*
 * Copies the call's input into enclave memory as the host makes it ready (in_ready): every byte is read from
 * the window exactly once. false if in_ready exceeds in_bytes or goes backwards (a violation).
 */
static bool copy_in(struct cella_abi_slot *s, uint8_t *dst, const uint8_t *src, uint64_t in_bytes)
{
	uint64_t copied = 0;
	unsigned idle = 0;
	/* On SGX the host thread that wrote the input is the one running this call: it is all there, or never,
	 * and one read of in_ready decides. */
	if (rt_sgx()) {
		if (__atomic_load_n(&s->in_ready, __ATOMIC_ACQUIRE) != in_bytes)
			return false;
		rt_boundary_copy(dst, src, in_bytes);
		return true;
	}
	while (copied < in_bytes) {
		uint64_t ready = __atomic_load_n(&s->in_ready, __ATOMIC_ACQUIRE);
		if (ready > in_bytes || ready < copied)
			return false;
		if (ready == copied) {
			/* the host is still writing: wait for it without burning a core forever */
			if (++idle > 4096)
				rt_sys(SYS_sched_yield, 0, 0, 0);
			else
				__builtin_ia32_pause();
			continue;
		}
		idle = 0;
		rt_boundary_copy(dst + copied, src + copied, ready - copied);
		copied = ready;
	}
	return true;
}

static cella_result dispatch(struct rt_thread *t, uint32_t fn, uint64_t off, uint64_t in_bytes, uint64_t out_bytes,
			     uint64_t *written)
{
	uint64_t in_pad, total;
	uint8_t *buf;
	size_t w = 0;
	cella_result r;

	if (fn >= cella_ecall_count || !cella_ecall_table[fn].fn)
		return CELLA_ERR_INVALID_FUNCTION;
	__builtin_ia32_lfence(); /* the table is read at fn only past the check above */
	/*
	 * The runtime's own ocalls (write, time, sleep, futex, host memory) allow no nested ecall, as in the Intel
	 * SDK: most are made from the SIGSYS handler with SIGSYS blocked, where the nested call's first trapped
	 * syscall would end the process, and none is a point an application could guard.
	 */
	if (t->ocall != RT_NO_OCALL && (t->ocall & CELLA_OCALL_BUILTIN))
		return CELLA_ERR_ECALL_NOT_ALLOWED;
	/*
	 * At top level only public ecalls; nested in an ocall, only those the ocall's allow list names, public or
	 * not, as in the Intel SDK: the host cannot re-enter the enclave through an arbitrary entry point while
	 * enclave code waits in the middle of an ocall, its state possibly half updated.
	 */
	if (t->ocall == RT_NO_OCALL ? !(cella_ecall_table[fn].flags & CELLA_ECALL_PUBLIC)
				    : !cella_ecall_allowed(t->ocall, fn))
		return CELLA_ERR_ECALL_NOT_ALLOWED;
	if (t->depth > RT_MAX_NEST)
		return CELLA_ERR_REENTRANT; /* nested deeper than RT_MAX_NEST ecalls on this TCS (as on SGX, sgx_entry.S) */
	in_pad = RT_ALIGN16(in_bytes);
	if (in_pad < in_bytes || off % CELLA_WINDOW_ALIGN || __builtin_add_overflow(in_pad, out_bytes, &total) ||
	    !window_range_ok(off, total))
		return violation();
	__builtin_ia32_lfence(); /* the window is read at off only past the check above */
	buf = scratch(t, total ? total : 1);
	if (!buf)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (!copy_in(t->slot, buf, rt.win + off, in_bytes)) /* the single copy-in */
		return violation();
	memset(buf + in_pad, 0, out_bytes);
	__builtin_ia32_lfence(); /* no speculation past the checks above */

	/*
	 * Ocalls made during this ecall stack their frames after this buffer when it is in our slot area. A buffer
	 * elsewhere (the arena: it did not fit) leaves the slot area as it was: empty for an outermost call, and for
	 * a nested one in use up to the end of the ocall it is nested in, whose host handler is still running and
	 * may already have written that ocall's output (the host stacks the same way: src/host/calls.c).
	 */
	if (off >= t->buf_lo && off + total <= t->buf_hi)
		t->frame_next = RT_ALIGN16(off + total);
	else if (t->depth == 1)
		t->frame_next = t->buf_lo;
	r = cella_ecall_table[fn].fn(buf, in_bytes, buf + in_pad, out_bytes, &w);
	/* The handler may have left DF set (an ABI violation of its own): the runtime's rep movsb copies need it
	 * clear. The rest of the state is reset on the next entry. */
	__asm__ __volatile__("cld" ::: "cc");
	if (r != CELLA_OK)
		w = 0; /* a failed call writes nothing, whatever its handler left in w (a size query sets it first) */
	if (w > out_bytes)
		cella_abort("ecall reported more output than its buffer holds");
	rt_boundary_copy(rt.win + off + in_pad, buf + in_pad, w);
	*written = w;
	return r;
}

/* see rt.h. `t->ocall` says which ocall (if any) the call is nested in. */
cella_result rt_handle_ecall(struct rt_thread *t)
{
	struct cella_abi_slot *s = t->slot;
	uint32_t fn = __atomic_load_n(&s->fn, __ATOMIC_RELAXED);
	uint64_t off = __atomic_load_n(&s->buf_off, __ATOMIC_RELAXED);
	uint64_t in_bytes = __atomic_load_n(&s->in_bytes, __ATOMIC_RELAXED);
	uint64_t out_bytes = __atomic_load_n(&s->out_bytes, __ATOMIC_RELAXED);
	uint64_t saved_next = t->frame_next, written = 0;
	cella_result r;

	rt_sanitize_state();
	t->depth++;
	r = dispatch(t, fn, off, in_bytes, out_bytes, &written);
	t->depth--;
	t->frame_next = saved_next;
	__atomic_store_n(&s->out_written, r == CELLA_OK ? written : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->status, (uint32_t)r, __ATOMIC_RELAXED);
	publish(s, CELLA_SLOT_ECALL_DONE);
	return r;
}

void rt_serve(struct rt_thread *t)
{
	for (;;) {
		wait_state(t->slot, CELLA_SLOT_ECALL, CELLA_SLOT_ECALL);
		(void)rt_handle_ecall(t);
	}
}

/* Hands the OCALL now in t's slot to the host and returns once it is answered; false if the host broke the
 * protocol. Sandbox: ecalls nested in the ocall are served from here. SGX: they are separate entries. */
static bool ocall_transport(struct rt_thread *t, struct cella_abi_slot *s)
{
	publish(s, CELLA_SLOT_OCALL);
	if (rt_sgx()) {
		(void)rt_sgx_ocall_exit();
		return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == CELLA_SLOT_OCALL_DONE;
	}
	for (;;) {
		if (wait_state(s, CELLA_SLOT_OCALL_DONE, CELLA_SLOT_ECALL) == CELLA_SLOT_OCALL_DONE)
			return true;
		(void)rt_handle_ecall(t); /* an ecall nested in this ocall */
	}
}

/* see cella/enclave.h */
cella_result cella_ocall(uint32_t fn, const void *in, size_t in_bytes, void *out, size_t out_bytes,
			 size_t *out_written)
{
	struct rt_thread *t = rt_self();
	struct cella_abi_slot *s;
	uint64_t off, in_pad, total, end, written, saved_next;
	uint32_t saved_ocall;
	struct rt_fp_control fp;
	bool answered;
	cella_result r;

	*out_written = 0;
	if (!t || t->depth == 0)
		return CELLA_ERR_REENTRANT;
	if ((in_bytes && !in) || (out_bytes && !out))
		return CELLA_ERR_INVALID_ARG;
	if (fn == RT_NO_OCALL)
		return CELLA_ERR_INVALID_FUNCTION;
	s = t->slot;
	off = t->frame_next;
	in_pad = RT_ALIGN16(in_bytes);
	if (in_pad < in_bytes || __builtin_add_overflow(in_pad, out_bytes, &total) ||
	    __builtin_add_overflow(off, total, &end) || end > t->buf_hi)
		return CELLA_ERR_OUT_OF_MEMORY;
	rt_boundary_copy(rt.win + off, in, in_bytes);

	saved_next = t->frame_next;
	saved_ocall = t->ocall;
	t->frame_next = RT_ALIGN16(end) <= t->buf_hi ? RT_ALIGN16(end) : t->buf_hi;
	t->ocall = fn;
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELAXED);
	__atomic_store_n(&s->buf_off, off, __ATOMIC_RELAXED);
	__atomic_store_n(&s->in_bytes, in_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&s->out_bytes, out_bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&s->out_written, 0, __ATOMIC_RELAXED);
	rt_fp_control_save(&fp);
	answered = ocall_transport(t, s);
	/*
	 * Back in enclave code: DF and AC clear and a reset x87 unit whatever ran meanwhile (on the sandbox, ecalls
	 * nested in this ocall run on this thread; the host itself cannot reach its registers, and SGX's re-entry
	 * resets them in sgx_entry.S), then the caller's own floating-point control state, which is callee-saved.
	 */
	rt_sanitize_state();
	rt_fp_control_restore(&fp);
	t->ocall = saved_ocall;
	t->frame_next = saved_next;
	if (!answered)
		return violation();
	r = (cella_result)__atomic_load_n(&s->status, __ATOMIC_RELAXED);
	written = __atomic_load_n(&s->out_written, __ATOMIC_RELAXED); /* read once */
	if (r != CELLA_OK)
		return r;
	if (written > out_bytes)
		return violation();
	__builtin_ia32_lfence(); /* the copy's length is the host's: no speculation past the check above */
	rt_boundary_copy(out, rt.win + off + in_pad, written);
	*out_written = written;
	return CELLA_OK;
}

__attribute__((weak)) bool cella_ecall_allowed(uint32_t ocall, uint32_t ecall)
{
	(void)ocall, (void)ecall;
	return false;
}
