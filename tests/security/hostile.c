// SPDX-License-Identifier: MIT
/* The hostile-host library (see hostile.h). */
#include "hostile.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cella_test.h"
#include "internal.h"

void hostile_bind(struct hostile *h, struct cella_enclave *e, uint32_t slot)
{
	uint32_t zero = 0;
	CT_ASSERT(slot < e->tcs_count);
	CT_ASSERT(__atomic_compare_exchange_n(&e->slot_busy[slot], &zero, 1, false, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	h->e = e;
	h->slot = slot;
	h->s = &e->slots[slot];
	h->win = e->win;
	h->win_bytes = e->win_bytes;
	h->buf = e->hdr->bufs_off + (uint64_t)slot * e->hdr->slot_buf_bytes;
	h->buf_len = e->hdr->slot_buf_bytes;
	h->slots_off = e->hdr->slots_off;
}

void hostile_unbind(struct hostile *h)
{
	__atomic_store_n(&h->e->slot_busy[h->slot], 0, __ATOMIC_RELEASE);
}

static void wake(struct hostile *h)
{
	syscall(SYS_futex, &h->s->state, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void hostile_poke_state(struct hostile *h, uint32_t state)
{
	__atomic_store_n(&h->s->state, state, __ATOMIC_SEQ_CST);
	wake(h);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool lost(const struct hostile *h)
{
	return __atomic_load_n(&h->e->hdr->state, __ATOMIC_ACQUIRE) == CELLA_WINDOW_LOST;
}

uint32_t hostile_ecall(struct hostile *h, uint32_t fn, uint64_t off, uint64_t in_bytes, uint64_t out_bytes,
		       uint64_t *written, hostile_ocall_fn on_ocall, void *ctx, int timeout_ms)
{
	h->s->fn = fn;
	h->s->buf_off = off;
	h->s->in_bytes = in_bytes;
	h->s->out_bytes = out_bytes;
	h->s->out_written = 0;
	h->s->in_ready = in_bytes; /* the whole input is in place */
	hostile_poke_state(h, CELLA_SLOT_ECALL);
	return hostile_wait(h, written, on_ocall, ctx, timeout_ms);
}

uint32_t hostile_wait(struct hostile *h, uint64_t *written, hostile_ocall_fn on_ocall, void *ctx, int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	for (;;) {
		uint32_t st = __atomic_load_n(&h->s->state, __ATOMIC_ACQUIRE);
		if (st == CELLA_SLOT_ECALL_DONE) {
			if (written)
				*written = h->s->out_written;
			__atomic_store_n(&h->s->state, CELLA_SLOT_IDLE, __ATOMIC_SEQ_CST);
			return h->s->status;
		}
		if (st == CELLA_SLOT_OCALL) {
			if (on_ocall) {
				on_ocall(h, ctx);
			} else {
				h->s->out_written = 0;
				h->s->status = CELLA_ERR_UNSUPPORTED;
			}
			hostile_poke_state(h, CELLA_SLOT_OCALL_DONE);
			continue;
		}
		if (lost(h))
			return HOSTILE_LOST;
		if (now_ms() > end)
			return HOSTILE_TIMEOUT;
		__builtin_ia32_pause();
	}
}

uint32_t hostile_await_sleep(struct hostile *h, int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	/*
	 * Any set bit seen from here on is a later read-modify-write than this clear, so the enclave's look at the
	 * state word that follows it (both sequentially consistent) sees what was stored before this call.
	 */
	__atomic_and_fetch(&h->s->waiters, ~CELLA_SLOT_ENCLAVE_SLEEPS, __ATOMIC_SEQ_CST);
	while (!(__atomic_load_n(&h->s->waiters, __ATOMIC_SEQ_CST) & CELLA_SLOT_ENCLAVE_SLEEPS)) {
		if (lost(h))
			return HOSTILE_LOST;
		if (now_ms() > end)
			return HOSTILE_TIMEOUT;
		wake(h); /* again and again: the thread may enter its wait only after an earlier wake */
		sched_yield();
	}
	return 0;
}
