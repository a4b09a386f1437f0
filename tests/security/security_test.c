// SPDX-License-Identifier: MIT
/*
 * The hostile-host suite, one case per checklist item of reference/security.md §5 that applies to the sandbox
 * backend: security_test <ITEM> <enclave> [<enclave without violation limit>] (C3-stream: the enclave whose
 * runtime counts its boundary copies). The SGX entry items (A7, B1, B2) run on the SGX backend's software
 * stand-in instead (sgxsim_test, tests/cmake/security.cmake).
 */
#include <cella/abi/report.h>
#include <cella/host.h>
#include <cpuid.h>
#include <dirent.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cella_test.h"
#include "hostile.h"
#include "internal.h"
#include "security.h"

static const char *image, *image_nolimit;

static cella_result o_fill(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t want;
	(void)e;
	if (n != 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&want, in, 8);
	if (want > on)
		return CELLA_ERR_INVALID_ARG;
	memset(out, 0x42, want);
	*w = want;
	return CELLA_OK;
}

static cella_result o_pad(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)e, (void)out, (void)on, (void)w;
	if (n != sizeof(struct sec_padded))
		return CELLA_ERR_INVALID_ARG;
	for (size_t i = 1; i < 8; i++) /* the padding bytes after .a */
		if (in[i] != 0)
			return CELLA_ERR_UNEXPECTED;
	return CELLA_OK;
}

static cella_result o_size(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t size = 32;
	(void)e, (void)in, (void)n;
	if (on != 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(out, &size, 8);
	*w = 8;
	return CELLA_OK;
}

static const cella_ocall_fn ocalls[] = {[O_FILL] = o_fill, [O_PAD] = o_pad, [O_SIZE] = o_size};

static struct cella_enclave *create(const char *path)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = 3};
	struct cella_enclave *e = NULL;
	CT_RESULT(cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_OK);
	return e;
}

static struct sec_state state(struct cella_enclave *e)
{
	struct sec_state st;
	size_t w = 0;
	CT_RESULT(cella_enclave_call(e, S_STATE, NULL, 0, &st, sizeof(st), &w), CELLA_OK);
	CT_EQ(w, sizeof(st));
	return st;
}

static void check_clean(const struct sec_state *st)
{
	CT_EQ(st->rflags & 0x400, 0);   /* DF */
	CT_EQ(st->rflags & 0x40000, 0); /* AC */
	CT_EQ(st->mxcsr, 0x1f80);
	CT_EQ(st->fcw, 0x037f);
	CT_EQ(st->ftw, 0); /* x87 stack empty */
	CT_EQ((st->fsw >> 11) & 7, 0); /* TOP */
}

static void float_ref(uint64_t r[3])
{
	volatile float f = 1.0f;
	volatile double d = 1.0;
	volatile long double ld = 1.0L;
	for (int i = 0; i < 10; i++) {
		f = f / 3.0f + 0.1f;
		d = d / 3.0 + 0.1;
		ld = ld / 3.0L + 0.1L;
	}
	float fv = f;
	double dv = d;
	long double lv = ld;
	memset(r, 0, 24);
	memcpy(&r[0], &fv, sizeof(fv));
	memcpy(&r[1], &dv, sizeof(dv));
	memcpy(&r[2], &lv, 8);
}

/* A1-A4: DF, AC, MXCSR, x87 control word and stack are reset on every entry, whatever the previous context left. */
static void t_state(void)
{
	struct cella_enclave *e = create(image);
	uint64_t ref[3], before[3], after[3];
	uint32_t host_mxcsr = 0x7f80, seen = 0; /* round toward zero on the host thread */
	size_t w;
	float_ref(ref);
	check_clean((struct sec_state[]){state(e)});
	CT_RESULT(cella_enclave_call(e, S_FLOAT, NULL, 0, before, sizeof(before), &w), CELLA_OK);
	CT_RESULT(cella_enclave_call(e, S_POISON, NULL, 0, NULL, 0, NULL), CELLA_OK);
	check_clean((struct sec_state[]){state(e)});
	CT_RESULT(cella_enclave_call(e, S_POISON, NULL, 0, NULL, 0, NULL), CELLA_OK);
	CT_RESULT(cella_enclave_call(e, S_FLOAT, NULL, 0, after, sizeof(after), &w), CELLA_OK);
	CT_ASSERT(memcmp(before, after, sizeof(before)) == 0); /* bit-exact after poisoning */
	CT_ASSERT(memcmp(before, ref, sizeof(ref)) == 0);      /* and equal to the host's own computation */
	/* the host's own MXCSR survives the call untouched */
	__asm__ __volatile__("ldmxcsr %0" : : "m"(host_mxcsr));
	CT_RESULT(cella_enclave_call(e, S_POISON, NULL, 0, NULL, 0, NULL), CELLA_OK);
	__asm__ __volatile__("stmxcsr %0" : "=m"(seen));
	host_mxcsr = 0x1f80;
	__asm__ __volatile__("ldmxcsr %0" : : "m"(host_mxcsr));
	CT_EQ(seen, 0x7f80);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("A1-A4 machine state reset on entry");
}

/* A5: nothing the enclave leaves in registers reaches the host (the enclave runs in another process). */
static void t_registers(void)
{
	struct cella_enclave *e = create(image);
	uint8_t x[16 * 16] __attribute__((aligned(16)));
	CT_RESULT(cella_enclave_call(e, S_POISON, NULL, 0, NULL, 0, NULL), CELLA_OK);
	__asm__ __volatile__("movdqa %%xmm0, 0(%0); movdqa %%xmm1, 16(%0); movdqa %%xmm2, 32(%0);"
			     "movdqa %%xmm3, 48(%0); movdqa %%xmm4, 64(%0); movdqa %%xmm5, 80(%0)"
			     :
			     : "r"(x)
			     : "memory");
	for (size_t i = 0; i + 8 <= 96; i++)
		CT_ASSERT(memcmp(x + i, "enclave ", 8) != 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("A5 no enclave register state on the host");
}

/*
 * A8: a "return from ocall" with no ocall pending is ignored. The slot holds a call that counts itself (S_BUMP),
 * so a thread that ran it would show; the idle thread looks at the stray state, leaves the slot as it is, goes
 * back to sleep, and serves the next call.
 */
static void t_stray_ocall_return(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	uint64_t w = 0, count = 1;
	const uint8_t one = 1;
	hostile_bind(&h, e, 0);
	memcpy(h.win + h.buf, &one, 1);
	h.s->fn = S_BUMP;
	h.s->buf_off = h.buf;
	h.s->in_bytes = 1;
	h.s->out_bytes = 8;
	h.s->out_written = 0;
	h.s->in_ready = 1;
	h.s->status = CELLA_ERR_UNEXPECTED;
	hostile_poke_state(&h, CELLA_SLOT_OCALL_DONE);
	/* it has seen OCALL_DONE and slept on it; then it went round once more, so it acted on nothing it saw */
	CT_EQ(hostile_await_sleep(&h, 10000), 0);
	CT_EQ(hostile_await_sleep(&h, 10000), 0);
	CT_EQ(h.s->state, CELLA_SLOT_OCALL_DONE);
	CT_EQ(h.s->status, CELLA_ERR_UNEXPECTED);
	CT_EQ(h.s->out_written, 0);
	/* the call in the slot never ran: the counter is still 0 */
	CT_EQ(hostile_ecall(&h, S_BUMP, h.buf, 0, 8, &w, NULL, NULL, 5000), CELLA_OK);
	CT_EQ(w, 8);
	memcpy(&count, h.win + h.buf, 8);
	CT_EQ(count, 0);
	memcpy(h.win + h.buf, "ping", 4);
	CT_EQ(hostile_ecall(&h, S_ECHO, h.buf, 4, 16, &w, NULL, NULL, 5000), CELLA_OK);
	CT_EQ(w, 4);
	CT_ASSERT(memcmp(h.win + h.buf + 16, "ping", 4) == 0);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("A8 stray ocall return ignored");
}

/* A9: out-of-range, internal and private ecall indices are refused; no host-supplied code pointer exists. */
static void t_bad_index(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	hostile_bind(&h, e, 0);
	CT_EQ(hostile_ecall(&h, 0xffffffffu, h.buf, 0, 0, NULL, NULL, NULL, 5000), CELLA_ERR_INVALID_FUNCTION);
	CT_EQ(hostile_ecall(&h, S_COUNT, h.buf, 0, 0, NULL, NULL, NULL, 5000), CELLA_ERR_INVALID_FUNCTION);
	CT_EQ(hostile_ecall(&h, 0x80000001u, h.buf, 0, 0, NULL, NULL, NULL, 5000), CELLA_ERR_INVALID_FUNCTION);
	CT_EQ(hostile_ecall(&h, S_PRIVATE, h.buf, 0, 0, NULL, NULL, NULL, 5000), CELLA_ERR_ECALL_NOT_ALLOWED);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("A9 bad ecall indices refused");
}

/* C1-C4: call buffers in the header or slots, outside the window, straddling its end, wrapping, misaligned or
 * with overflowing sizes are refused before anything is read; the enclave's secret never reaches the host. */
static void t_buffers(void)
{
	struct cella_enclave *e = create(image_nolimit);
	struct hostile h;
	uint64_t secret = 0, w = 0, viol = 0;
	size_t n;
	CT_RESULT(cella_enclave_call(e, S_SECRET, NULL, 0, &secret, 8, &n), CELLA_OK);
	hostile_bind(&h, e, 0);
	struct {
		const char *what;
		uint64_t off, in, out;
	} bad[] = {
		{"window header", 0, 16, 16},
		{"call slots", h.slots_off, 16, 16},
		{"past the window", h.win_bytes, 16, 16},
		{"straddling the end", h.win_bytes - 16, 16, 16},
		{"offset that would reach the enclave secret", secret - (uint64_t)(uintptr_t)h.win, 64, 64},
		{"negative offset", (uint64_t)-4096, 64, 64},
		{"wrapping input size", h.buf, ~0ull - 7, 16},
		{"wrapping output size", h.buf, 16, ~0ull - 15},
		{"input + output overflow", h.buf, 1ull << 63, 1ull << 63},
		{"misaligned", h.buf + 1, 16, 16},
		{"larger than the window", h.buf, h.win_bytes, 0},
	};
	memset(h.win + h.buf, 0, 4096);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t r = hostile_ecall(&h, S_ECHO, bad[i].off, bad[i].in, bad[i].out, &w, NULL, NULL, 5000);
		if (r != CELLA_ERR_MARSHAL)
			cella_test_fail(__FILE__, __LINE__, "%s: status %#x, expected CELLA_ERR_MARSHAL", bad[i].what, r);
		CT_EQ(w, 0);
	}
	/* no byte of the secret appears anywhere in the window */
	for (uint64_t i = 0; i + 16 <= h.win_bytes; i += 4096)
		CT_ASSERT(memmem(h.win + i, 4096 < h.win_bytes - i ? 4096 : h.win_bytes - i, "enclave secret", 14) == NULL);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_call(e, S_COUNT_VIOL, NULL, 0, &viol, 4, &n), CELLA_OK);
	CT_EQ(viol & 0xffffffff, sizeof(bad) / sizeof(bad[0]));
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("C1-C4 bad call buffers refused");
}

/* The bytes the enclave's runtime has copied across the boundary so far (S_COPIED, the stats enclave), asked over
 * the host library's TCS; the query's own reply then adds 8. */
static uint64_t copied(struct cella_enclave *e)
{
	uint64_t v = 0;
	size_t n = 0;
	CT_RESULT(cella_enclave_call(e, S_COPIED, NULL, 0, &v, 8, &n), CELLA_OK);
	CT_EQ(n, 8);
	return v;
}

/*
 * C3 (streamed input): an in_ready above in_bytes, or one that goes backwards, is a violation; a complete stream
 * delivers exactly the bytes written. The enclave is the stats one: it counts the bytes its runtime copies in,
 * which shows when it has taken the first half of a stream and waits for the rest.
 */
static void t_stream(void)
{
	struct cella_enclave *e = create(image_nolimit);
	struct hostile h;
	uint64_t w = 0, before, now;
	uint8_t big[256 * 1024], out[256 * 1024];
	size_t n = 0;
	hostile_bind(&h, e, 0);
	memset(h.win + h.buf, 0x11, 64);
	h.s->fn = S_ECHO;
	h.s->buf_off = h.buf;
	h.s->in_bytes = 64;
	h.s->out_bytes = 64;
	h.s->in_ready = 65; /* more than the input has */
	before = copied(e);
	hostile_poke_state(&h, CELLA_SLOT_ECALL);
	CT_EQ(hostile_wait(&h, &w, NULL, NULL, 5000), CELLA_ERR_MARSHAL);
	CT_EQ(w, 0);
	CT_EQ(copied(e), before + 8); /* refused before a byte was copied (8: the previous query's reply) */
	h.s->in_ready = 32; /* half the input, then less */
	before = copied(e);
	hostile_poke_state(&h, CELLA_SLOT_ECALL);
	/* the enclave takes the 32 bytes ready, all at once, and no more: then it waits for the rest */
	for (int i = 0;; i++) {
		now = copied(e);
		if (now != before + 8)
			break;
		before = now;
		CT_ASSERT(i < 100000); /* ~10 s: the enclave never took the first half */
		usleep(100);
	}
	if (now != before + 8 + 32)
		cella_test_fail(__FILE__, __LINE__, "the enclave copied %lld bytes of a stream with 32 of 64 ready",
				(long long)(now - before - 8));
	CT_EQ(h.s->state, CELLA_SLOT_ECALL); /* still waiting for the other 32 */
	__atomic_store_n(&h.s->in_ready, 16, __ATOMIC_RELEASE);
	CT_EQ(hostile_wait(&h, &w, NULL, NULL, 5000), CELLA_ERR_MARSHAL);
	CT_EQ(w, 0);
	CT_EQ(copied(e), now + 8); /* nothing more copied in, no output copied out */
	hostile_unbind(&h);
	/* the host library streams inputs of 128 KiB and more: the enclave gets them byte for byte */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + (i >> 11));
	CT_RESULT(cella_enclave_call(e, S_ECHO, big, sizeof(big), out, sizeof(out), &n), CELLA_OK);
	CT_EQ(n, sizeof(big));
	CT_ASSERT(memcmp(big, out, sizeof(big)) == 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("C3 streamed input: bounds and monotonic progress enforced");
}

/* C7: after its configured number of violations the enclave poisons itself instead of answering probes. */
static void t_poison(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	uint32_t viol = 0;
	size_t n;
	hostile_bind(&h, e, 0);
	CT_EQ(hostile_ecall(&h, S_ECHO, 0, 16, 16, NULL, NULL, NULL, 5000), CELLA_ERR_MARSHAL);
	CT_EQ(hostile_ecall(&h, S_ECHO, 0, 16, 16, NULL, NULL, NULL, 5000), CELLA_ERR_MARSHAL);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_call(e, S_COUNT_VIOL, NULL, 0, &viol, 4, &n), CELLA_OK);
	CT_EQ(viol, 2);
	hostile_bind(&h, e, 0);
	CT_EQ(hostile_ecall(&h, S_ECHO, 0, 16, 16, NULL, NULL, NULL, 5000), HOSTILE_LOST);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_call(e, S_COUNT_VIOL, NULL, 0, &viol, 4, &n), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	cella_test_pass("C7 poisoned after 3 violations");
}

struct racer {
	struct hostile *h;
	volatile int stop;
	uint64_t flips;
};

static void *race(void *p)
{
	struct racer *r = p;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	while (!r->stop) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (x % 4) {
		case 0:
			r->h->s->buf_off = (x & 1) ? r->h->buf : x;
			break;
		case 1:
			r->h->s->in_bytes = (x & 1) ? 64 : x >> 8;
			break;
		case 2:
			r->h->s->out_bytes = (x & 1) ? 64 : x;
			break;
		default:
			r->h->s->fn = (x & 1) ? S_ECHO : (uint32_t)x;
			break;
		}
		r->flips++;
	}
	return NULL;
}

/* E1: fields rewritten by a racing host thread during calls: the enclave acts on one consistent copy. */
static void t_race(void)
{
	struct cella_enclave *e = create(image_nolimit);
	struct hostile h;
	struct racer r = {&h, 0, 0};
	pthread_t th;
	int ok = 0, refused = 0;
	uint64_t w = 0;
	hostile_bind(&h, e, 0);
	for (int i = 0; i < 64; i++)
		h.win[h.buf + i] = (uint8_t)i;
	CT_EQ(pthread_create(&th, NULL, race, &r), 0);
	for (int i = 0; i < 20000; i++) {
		uint32_t s = hostile_ecall(&h, S_ECHO, h.buf, 64, 64, &w, NULL, NULL, 5000);
		CT_ASSERT(s != HOSTILE_LOST && s != HOSTILE_TIMEOUT);
		if (s == CELLA_OK && w <= 64)
			ok++;
		else
			refused++;
		for (int k = 0; k < 64; k++)
			h.win[h.buf + k] = (uint8_t)k;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	hostile_unbind(&h);
	printf("E1: %d calls answered, %d refused, %llu field rewrites\n", ok, refused, (unsigned long long)r.flips);
	{
		uint8_t in[64], out[64];
		size_t n = 0;
		for (int i = 0; i < 64; i++)
			in[i] = (uint8_t)(200 - i);
		CT_RESULT(cella_enclave_call(e, S_ECHO, in, 64, out, 64, &n), CELLA_OK); /* still intact */
		CT_ASSERT(n == 64 && memcmp(in, out, 64) == 0);
	}
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("E1 racing field rewrites");
}

static uint64_t reply_extra;

static void long_reply(struct hostile *h, void *ctx)
{
	(void)ctx;
	/* F1/F4: claim more bytes than the enclave asked for */
	h->s->out_written = h->s->out_bytes + reply_extra;
	h->s->status = CELLA_OK;
}

/* F1, F4: an ocall reply longer than the enclave's buffer (or with a huge length) is refused, no overrun. */
static void t_ocall_reply(void)
{
	struct cella_enclave *e = create(image_nolimit);
	struct hostile h;
	uint64_t want = 32, got = 0, w = 0;
	size_t n = 0;
	uint64_t extras[] = {1, 64, 1ull << 40, ~0ull - 100}; /* out_bytes + extra never wraps to <= out_bytes */
	hostile_bind(&h, e, 0);
	for (size_t i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
		reply_extra = extras[i];
		memcpy(h.win + h.buf, &want, 8);
		CT_EQ(hostile_ecall(&h, S_OCALL, h.buf, 8, 16, &w, long_reply, NULL, 5000), CELLA_ERR_MARSHAL);
	}
	hostile_unbind(&h);
	/* an honest reply still works */
	CT_RESULT(cella_enclave_call(e, S_OCALL, &want, 8, &got, 8, &n), CELLA_OK);
	CT_EQ(got, 32);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("F1/F4 oversized ocall replies refused");
}

/* G2: an ecall writes only what it returned; the rest of the host's output area is untouched. */
static void t_out_untouched(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	uint64_t w = 0;
	hostile_bind(&h, e, 0);
	memcpy(h.win + h.buf, "abcd", 4);
	memset(h.win + h.buf + 16, 0xee, 64);
	CT_EQ(hostile_ecall(&h, S_ECHO, h.buf, 4, 64, &w, NULL, NULL, 5000), CELLA_OK);
	CT_EQ(w, 4);
	CT_ASSERT(memcmp(h.win + h.buf + 16, "abcd", 4) == 0);
	for (int i = 4; i < 64; i++)
		CT_EQ(h.win[h.buf + 16 + i], 0xee);
	/* failed calls write nothing at all */
	memset(h.win + h.buf + 16, 0xee, 64);
	CT_EQ(hostile_ecall(&h, S_ECHO, h.buf, 4, 2, &w, NULL, NULL, 5000), CELLA_ERR_BUFFER_TOO_SMALL);
	CT_EQ(w, 0);
	for (int i = 0; i < 64; i++)
		CT_EQ(h.win[h.buf + 16 + i], 0xee);
	/* ... also when the handler wrote its whole output and set its length before failing */
	memcpy(h.win + h.buf, "!bcd", 4);
	CT_EQ(hostile_ecall(&h, S_ECHO, h.buf, 4, 64, &w, NULL, NULL, 5000), CELLA_ERR_INVALID_ARG);
	CT_EQ(w, 0);
	for (int i = 0; i < 64; i++)
		CT_EQ(h.win[h.buf + 16 + i], 0xee);
	/* and the enclave lives on */
	memcpy(h.win + h.buf, "abcd", 4);
	CT_EQ(hostile_ecall(&h, S_ECHO, h.buf, 4, 64, &w, NULL, NULL, 5000), CELLA_OK);
	CT_EQ(w, 4);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("G2 no bytes beyond the reply");
}

/* G3: ocall arguments carry zeroed padding (the enclave's sec_padded.a is followed by 7 padding bytes). */
static void t_ocall_padding(void)
{
	struct cella_enclave *e = create(image);
	CT_RESULT(cella_enclave_call(e, S_OCALL_PAD, NULL, 0, NULL, 0, NULL), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("G3 zeroed padding in ocall arguments");
}

static void nested_private(struct hostile *h, void *ctx)
{
	uint32_t *result = ctx;
	/* while the enclave waits in O_FILL, enter S_PRIVATE on the same TCS: not in any allow list */
	h->s->fn = S_PRIVATE;
	h->s->buf_off = h->buf + 4096;
	h->s->in_bytes = 0;
	h->s->out_bytes = 0;
	hostile_poke_state(h, CELLA_SLOT_ECALL);
	while (__atomic_load_n(&h->s->state, __ATOMIC_ACQUIRE) != CELLA_SLOT_ECALL_DONE)
		__builtin_ia32_pause();
	*result = h->s->status;
	/* then answer the ocall properly */
	h->s->out_written = 0;
	h->s->status = CELLA_OK;
}

/* While the enclave waits in its built-in time ocall (made from the SIGSYS handler), enter the public S_TIME on the
 * same TCS: its own time syscall would have ended the process there (SIGSYS blocked); now it is refused. */
static void nested_in_builtin(struct hostile *h, void *ctx)
{
	uint32_t *result = ctx;
	int64_t t[2] = {1700000000, 5};
	uint64_t off = h->s->buf_off; /* the time ocall's frame: its reply goes 16 bytes in */
	if (h->s->fn != CELLA_OCALL_TIME) {
		h->s->out_written = 0;
		h->s->status = CELLA_ERR_INVALID_ARG;
		return;
	}
	h->s->fn = S_TIME;
	h->s->buf_off = h->buf + 4096;
	h->s->in_bytes = 0;
	h->s->out_bytes = 16;
	hostile_poke_state(h, CELLA_SLOT_ECALL);
	for (long spins = 0; __atomic_load_n(&h->s->state, __ATOMIC_ACQUIRE) != CELLA_SLOT_ECALL_DONE; spins++)
		if (spins > 50000) { /* the enclave died in the nested call (it did, before the fix) */
			*result = HOSTILE_LOST;
			return;
		} else {
			usleep(100);
		}
	*result = h->s->status;
	/* then answer the time ocall (its frame is where the enclave put it: the outer call's buffer area) */
	memcpy(h->win + off + 16, t, 16);
	h->s->out_written = 16;
	h->s->status = CELLA_OK;
}

/* Counts the ocalls that reach the host. */
static void count_ocall(struct hostile *h, void *ctx)
{
	++*(int *)ctx;
	h->s->out_written = 0;
	h->s->status = CELLA_OK;
}

/* H1, H3: calls out of order are refused; a nested ecall outside the allow list is refused. */
static void t_order(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	struct cella_call c;
	uint32_t nested = 0;
	uint64_t want = 0, w = 0;
	memset(&c, 0, sizeof(c));
	CT_RESULT(cella_call_invoke(&c, S_ECHO), CELLA_ERR_INVALID_ARG); /* invoke without prepare */
	CT_RESULT(cella_call_release(&c), CELLA_OK);                    /* release without prepare: no-op */
	CT_RESULT(cella_call_prepare(e, SIZE_MAX, 1, &c), CELLA_ERR_OVERFLOW);     /* in + out wraps */
	CT_RESULT(cella_call_prepare(e, SIZE_MAX - 7, 0, &c), CELLA_ERR_OVERFLOW); /* in rounded to 16 wraps */
	{
		uint8_t one = 0;
		CT_RESULT(cella_enclave_call(e, S_ECHO, &one, SIZE_MAX, &one, 1, NULL), CELLA_ERR_OVERFLOW);
	}
	CT_EQ(__atomic_load_n(&e->active, __ATOMIC_SEQ_CST), 0); /* nothing held */
	CT_RESULT(cella_call_prepare(e, 4, 4, &c), CELLA_OK);
	CT_RESULT(cella_call_invoke_stream(&c, S_ECHO, 3, "ab", 2), CELLA_ERR_INVALID_ARG); /* past the input */
	CT_RESULT(cella_call_invoke_stream(&c, S_ECHO, 5, "", 0), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_call_invoke_stream(&c, S_ECHO, 0, NULL, 4), CELLA_ERR_INVALID_ARG);
	cella_call_release(&c);
	cella_call_release(&c); /* twice: no-op */
	hostile_bind(&h, e, 0);
	memcpy(h.win + h.buf, &want, 8);
	CT_EQ(hostile_ecall(&h, S_OCALL, h.buf, 8, 16, &w, nested_private, &nested, 5000), CELLA_OK);
	CT_EQ(nested, CELLA_ERR_ECALL_NOT_ALLOWED);
	{
		/* no ecall at all, public ones included, during the runtime's own ocalls; the outer call completes */
		int64_t tr[2];
		nested = 0;
		CT_EQ(hostile_ecall(&h, S_TIME, h.buf, 0, 16, &w, nested_in_builtin, &nested, 5000), CELLA_OK);
		CT_EQ(nested, CELLA_ERR_ECALL_NOT_ALLOWED);
		memcpy(tr, h.win + h.buf, 16);
		CT_EQ(tr[0], 0);
		CT_EQ(hostile_ecall(&h, S_ECHO, h.buf, 0, 0, &w, NULL, NULL, 5000), CELLA_OK); /* alive */
	}
	{
		/* ocall ~0 is the runtime's mark for "in no ocall": while one was pending, a nested ecall was judged as a
		 * top-level one (any public ecall entered), so enclave code cannot make it; the host never sees it */
		uint32_t fn = ~0u;
		int seen = 0;
		memcpy(h.win + h.buf, &fn, 4);
		CT_EQ(hostile_ecall(&h, S_OCALL_FN, h.buf, 4, 0, &w, count_ocall, &seen, 5000), CELLA_ERR_INVALID_FUNCTION);
		CT_EQ(seen, 0);
		fn = 7; /* an ordinary index reaches the host */
		memcpy(h.win + h.buf, &fn, 4);
		CT_EQ(hostile_ecall(&h, S_OCALL_FN, h.buf, 4, 0, &w, count_ocall, &seen, 5000), CELLA_OK);
		CT_EQ(seen, 1);
	}
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("H1/H3 call order, nested allow lists, no ecall inside the runtime's own ocalls");
}

struct rewriter {
	struct hostile *h;
	volatile int stop;
	uint64_t rewrites;
	pthread_t th;
};

static void *rewrite(void *p)
{
	struct rewriter *r = p;
	while (!r->stop) {
		memset(r->h->win + r->h->buf, 0xbd, 64); /* the input, rewritten again and again */
		r->rewrites++;
	}
	return NULL;
}

static void start_rewriting(struct hostile *h, void *ctx)
{
	struct rewriter *r = ctx;
	/* the enclave is inside the handler: its input was copied before this ocall */
	CT_EQ(pthread_create(&r->th, NULL, rewrite, r), 0);
	while (__atomic_load_n(&r->rewrites, __ATOMIC_RELAXED) < 1000)
		;
	h->s->out_written = 0;
	h->s->status = CELLA_OK;
}

/* E2: single fetch. While the handler runs, after its input was copied in, another host thread rewrites the
 * window input continuously: the handler's reply still carries the original bytes. */
static void t_single_fetch(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	struct rewriter r = {&h, 0, 0, 0};
	uint64_t w = 0, during;
	uint8_t want[64];
	hostile_bind(&h, e, 0);
	for (int i = 0; i < 64; i++)
		want[i] = h.win[h.buf + i] = (uint8_t)(i + 1);
	CT_EQ(hostile_ecall(&h, S_SLOW_ECHO, h.buf, 64, 64, &w, start_rewriting, &r, 30000), CELLA_OK);
	during = r.rewrites;
	r.stop = 1;
	pthread_join(r.th, NULL);
	CT_EQ(w, 64);
	CT_ASSERT(memcmp(h.win + h.buf + 64, want, 64) == 0);
	printf("E2: %llu rewrites of the input while the handler ran\n", (unsigned long long)during);
	CT_ASSERT(during > 1000);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("E2 single fetch");
}

/* F6: the host answers an ocall honestly, then rewrites the frame the enclave wrote: its [in] bytes and every
 * request field (function, buffer offset, sizes). */
struct frame_forgery {
	uint64_t forged_off;
};

static void forge_frame(struct hostile *h, void *ctx)
{
	struct frame_forgery *f = ctx;
	uint64_t off = h->s->buf_off, want;
	memcpy(&want, h->win + off, 8);
	if (want > 256)
		want = 256;
	memset(h->win + off + 16, 0x5a, want); /* the reply, where the enclave asked for it */
	memset(h->win + off, 0xee, 16);
	h->s->fn = 0xdead;
	h->s->buf_off = f->forged_off;
	h->s->in_bytes = ~0ull;
	h->s->out_bytes = ~0ull;
	h->s->out_written = want;
	h->s->status = CELLA_OK;
}

/* F6: the enclave takes the reply from the frame it wrote, as long as it asked for, whatever the frame says now;
 * it writes nothing at the place the forged frame names. */
static void t_ocall_frame(void)
{
	struct cella_enclave *e = create(image_nolimit);
	struct hostile h;
	struct frame_forgery f;
	uint64_t want = 64, w = 0, decoy, viol = 0;
	size_t n = 0;
	hostile_bind(&h, e, 0);
	CT_ASSERT(h.buf_len >= 8192);
	decoy = h.buf + h.buf_len / 2;
	{
		uint64_t forged[] = {decoy, 16 /* the window header */, h.win_bytes + 4096, ~0ull - 8};
		for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
			memset(h.win + decoy, 0x99, 256);
			memcpy(h.win + h.buf, &want, 8);
			memset(h.win + h.buf + 16, 0, 64);
			f.forged_off = forged[i];
			CT_EQ(hostile_ecall(&h, S_OCALL_DATA, h.buf, 8, 64, &w, forge_frame, &f, 5000), CELLA_OK);
			CT_EQ(w, 64);
			for (int k = 0; k < 64; k++)
				CT_EQ(h.win[h.buf + 16 + k], 0x5a);
			for (int k = 0; k < 256; k++)
				CT_EQ(h.win[decoy + k], 0x99);
		}
	}
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_call(e, S_COUNT_VIOL, NULL, 0, &viol, 8, &n), CELLA_OK);
	CT_EQ(viol & 0xffffffffu, 0); /* an honest reply in a rewritten frame is not a violation */
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("F6 rewritten ocall frames are never read back");
}

/* A6 (sentinels.S): callee-saved registers set to sentinels before a call must hold them after it. */
unsigned sentinel_run(void (*fn)(void *), void *ctx);
void sentinel_clobber_r13(void *ctx);

struct sentinel_call {
	struct cella_enclave *e;
	uint32_t fn;
	uint64_t in, out;
	size_t written;
	cella_result r;
};

static void sentinel_ecall(void *p)
{
	struct sentinel_call *c = p;
	c->r = cella_enclave_call(c->e, c->fn, &c->in, sizeof(c->in), &c->out, sizeof(c->out), &c->written);
}

/* A6: the host's callee-saved registers, MXCSR and x87 control word survive an ecall, an ecall that makes an
 * ocall (the round trip through the host's handler), and a failing ecall. */
static void t_host_registers(void)
{
	struct cella_enclave *e = create(image);
	struct sentinel_call c = {e, S_OCALL, 32, 0, 0, CELLA_OK};
	uint32_t mxcsr = 0x3f80 | (1u << 15); /* round toward zero, flush to zero, all masked */
	uint32_t got_mxcsr;
	uint16_t fcw = 0x0e7f, got_fcw;       /* round toward zero, 64-bit precision, all masked */

	CT_EQ(sentinel_run(sentinel_clobber_r13, NULL), 8); /* the check sees a clobbered register */
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	__asm__ volatile("fldcw %0" : : "m"(fcw));
	CT_EQ(sentinel_run(sentinel_ecall, &c), 0);
	CT_RESULT(c.r, CELLA_OK);
	CT_EQ(c.out, 32); /* the ocall delivered */
	c.fn = S_ECHO;
	c.in = 0x1234;
	CT_EQ(sentinel_run(sentinel_ecall, &c), 0);
	CT_RESULT(c.r, CELLA_OK);
	CT_EQ(c.out, 0x1234);
	c.fn = S_COUNT; /* no such ecall */
	CT_EQ(sentinel_run(sentinel_ecall, &c), 0);
	CT_ASSERT(c.r != CELLA_OK);
	__asm__ volatile("stmxcsr %0" : "=m"(got_mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(got_fcw));
	mxcsr = 0x1f80;
	fcw = 0x037f;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	__asm__ volatile("fldcw %0" : : "m"(fcw));
	CT_EQ(got_mxcsr & 0xffc0, 0x3f80 | (1u << 15)); /* control bits (exception flags may have been raised) */
	CT_EQ(got_fcw, 0x0e7f);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("A6 host callee-saved registers, MXCSR and FCW preserved across ecalls and ocall round trips");
}

/* B3: the host queues signals with forged siginfo at every thread of the enclave process while an ecall runs:
 * SIGSYS claiming a trapped getpid (whose emulation would write RAX), and SIGSEGV/SIGILL/SIGBUS claiming faults.
 * None is taken for a real trap or fault: the enclave's registers are untouched and the call completes. */
struct forger {
	pid_t pid;
	volatile int stop;
	unsigned sent;
	pthread_t th;
	unsigned pause_us; /* between rounds (0: none) */
};

static void forge_all(struct forger *f, int sig)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)f->pid);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		siginfo_t si;
		int tid = atoi(de->d_name);
		if (tid <= 0)
			continue;
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_QUEUE; /* the kernel lets another process send only negative codes */
		if (sig == SIGSYS) {
			si.si_syscall = SYS_getpid;
			si.si_arch = AUDIT_ARCH_X86_64;
		} else {
			si.si_addr = (void *)0x1000;
		}
		if (syscall(SYS_rt_tgsigqueueinfo, (int)f->pid, tid, sig, &si) == 0)
			f->sent++;
	}
	closedir(d);
}

static void *forge(void *p)
{
	static const int sigs[] = {SIGSYS, SIGSYS, SIGSEGV, SIGSYS, SIGILL, SIGSYS, SIGBUS};
	struct forger *f = p;
	for (unsigned i = 0; !f->stop; i++) {
		forge_all(f, sigs[i % (sizeof(sigs) / sizeof(sigs[0]))]);
		if (f->pause_us)
			usleep(f->pause_us);
	}
	return NULL;
}

/* The enclave process: the monitor's child (the monitor itself has no handlers; the host may kill it anyway). */
static pid_t enclave_pid(pid_t monitor)
{
	char path[64];
	int child = 0;
	FILE *fp;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)monitor, (int)monitor);
	fp = fopen(path, "r");
	CT_ASSERT(fp != NULL);
	CT_EQ(fscanf(fp, "%d", &child), 1);
	fclose(fp);
	return (pid_t)child;
}

static void t_forged_signals(void)
{
	struct cella_enclave *e = create(image);
	struct forger f = {enclave_pid(e->monitor), 0, 0, 0, 200};
	uint64_t n = 20000000, r[2] = {1, 1};
	size_t w = 0;
	cella_result res;
	CT_EQ(pthread_create(&f.th, NULL, forge, &f), 0);
	while (__atomic_load_n(&f.sent, __ATOMIC_RELAXED) < 8)
		usleep(100);
	res = cella_enclave_call(e, S_RAX_WATCH, &n, 8, r, sizeof(r), &w);
	f.stop = 1;
	pthread_join(f.th, NULL);
	printf("B3: %u forged signals queued\n", f.sent);
	CT_RESULT(res, CELLA_OK);
	CT_EQ(r[0], 0); /* RAX never changed under the loop */
	CT_EQ(r[1], 0); /* the loop ran to the end */
	CT_RESULT(cella_enclave_call(e, S_ECHO, &n, 8, r, 8, &w), CELLA_OK);
	CT_EQ(r[0], n);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("B3 forged SIGSYS/SIGSEGV/SIGILL/SIGBUS from the host are not taken for traps or faults");
}

/* B3, platform requests: the same forged signals while the enclave asks its platform for keys. A signal that
 * interrupts the enclave's wait for the monitor's reply must not leave that reply behind for the next request:
 * each key is the one for its own request (four requests that give four different keys, taken in turn), as
 * fetched without signals, and no request fails. */
static void t_forged_signals_keys(void)
{
	enum { KINDS = 4, CALLS = 4000 };
	static const uint16_t name[KINDS] = {CELLA_KEYNAME_SEAL, CELLA_KEYNAME_SEAL, CELLA_KEYNAME_REPORT,
					     CELLA_KEYNAME_SEAL};
	static const uint16_t policy[KINDS] = {CELLA_KEYPOLICY_MRENCLAVE, CELLA_KEYPOLICY_MRSIGNER, 0,
					       CELLA_KEYPOLICY_MRENCLAVE | CELLA_KEYPOLICY_MRSIGNER};
	struct cella_key_request kr[KINDS];
	uint8_t want[KINDS][CELLA_KEY_BYTES], got[CELLA_KEY_BYTES];
	struct cella_enclave *e = create(image);
	struct forger f = {enclave_pid(e->monitor), 0, 0, 0, 0};
	unsigned wrong = 0, failed = 0;
	size_t w = 0;

	for (unsigned k = 0; k < KINDS; k++) {
		memset(&kr[k], 0, sizeof(kr[k]));
		kr[k].key_name = name[k];
		kr[k].key_policy = policy[k];
		memset(kr[k].key_id, 0x10 + (int)k, sizeof(kr[k].key_id));
		CT_RESULT(cella_enclave_call(e, S_KEY, &kr[k], sizeof(kr[k]), want[k], sizeof(want[k]), &w), CELLA_OK);
		CT_EQ(w, CELLA_KEY_BYTES);
		for (unsigned j = 0; j < k; j++)
			CT_ASSERT(memcmp(want[j], want[k], CELLA_KEY_BYTES) != 0);
	}
	CT_EQ(pthread_create(&f.th, NULL, forge, &f), 0);
	for (unsigned i = 0; i < CALLS; i++) {
		unsigned k = i % KINDS;
		cella_result r;
		memset(got, 0, sizeof(got));
		r = cella_enclave_call(e, S_KEY, &kr[k], sizeof(kr[k]), got, sizeof(got), &w);
		if (r != CELLA_OK)
			failed++;
		else if (memcmp(got, want[k], CELLA_KEY_BYTES) != 0)
			wrong++;
	}
	f.stop = 1;
	pthread_join(f.th, NULL);
	printf("B3-keys: %u forged signals queued over %u key requests: %u failed, %u answered with another's key\n",
	       f.sent, (unsigned)CALLS, failed, wrong);
	CT_ASSERT(f.sent > 0);
	CT_EQ(failed, 0);
	CT_EQ(wrong, 0);
	for (unsigned k = 0; k < KINDS; k++) { /* and nothing is left behind for the requests after the storm */
		CT_RESULT(cella_enclave_call(e, S_KEY, &kr[k], sizeof(kr[k]), got, sizeof(got), &w), CELLA_OK);
		CT_ASSERT(memcmp(got, want[k], CELLA_KEY_BYTES) == 0);
	}
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("B3-keys forged signals during platform requests: every key answers its own request");
}

/* F2: the host answers the size query with 16, then the fill with more than 16 bytes. */
static uint64_t grown_reply;

static void grow_on_fill(struct hostile *h, void *ctx)
{
	uint64_t size = 16;
	(void)ctx;
	if (h->s->fn == O_SIZE) {
		memcpy(h->win + h->s->buf_off, &size, 8); /* no input: the reply starts at the frame */
		h->s->out_written = 8;
	} else {
		memset(h->win + h->s->buf_off + 16, 0x42, 256);
		h->s->out_written = grown_reply;
	}
	h->s->status = CELLA_OK;
}

/* F2: the enclave keeps the size it allocated for; a second phase claiming more is refused, nothing overruns;
 * the same reply at the size agreed is taken. */
static void t_two_phase(void)
{
	struct cella_enclave *e = create(image_nolimit);
	struct hostile h;
	uint64_t w = 0, got = 0, grown[] = {17, 32, 256, 1u << 20};
	size_t n = 0;
	hostile_bind(&h, e, 0);
	for (size_t i = 0; i < sizeof(grown) / sizeof(grown[0]); i++) {
		grown_reply = grown[i];
		CT_EQ(hostile_ecall(&h, S_TWO_PHASE, h.buf, 0, 8, &w, grow_on_fill, NULL, 5000), CELLA_ERR_MARSHAL);
		CT_EQ(w, 0);
	}
	grown_reply = 16;
	CT_EQ(hostile_ecall(&h, S_TWO_PHASE, h.buf, 0, 8, &w, grow_on_fill, NULL, 5000), CELLA_OK);
	memcpy(&got, h.win + h.buf, 8);
	CT_EQ(got, 16);
	hostile_unbind(&h);
	/* the honest host library: 32, then 32 */
	CT_RESULT(cella_enclave_call(e, S_TWO_PHASE, NULL, 0, &got, 8, &n), CELLA_OK);
	CT_EQ(got, 32);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("F2 a second phase larger than the first is refused");
}

/* A10: a second request written into a TCS's slot while that TCS runs an ecall (no ocall outstanding). */
struct second_entry {
	struct hostile *h;
	struct cella_enclave *e;
	pthread_t th;
	int written;
	cella_result released;
};

/* Waits (on another TCS) until S_HOLD_ECHO holds, its ocall answered and none outstanding. */
static void await_hold(struct cella_enclave *e)
{
	uint64_t holding = 0;
	uint8_t op = 0;
	size_t n = 0;
	for (int i = 0; holding != 1; i++) {
		CT_ASSERT(i < 30000); /* 30 s */
		if (i)
			usleep(1000);
		CT_RESULT(cella_enclave_call(e, S_HOLD_CTL, &op, 1, &holding, 8, &n), CELLA_OK);
	}
}

static void *enter_again(void *p)
{
	struct second_entry *se = p;
	struct hostile *h = se->h;
	uint8_t op = 1;
	await_hold(se->e);
	h->s->fn = S_BUMP;
	h->s->buf_off = h->buf + 4096;
	h->s->in_bytes = 1;
	h->s->out_bytes = 8;
	h->s->in_ready = 1;
	hostile_poke_state(h, CELLA_SLOT_ECALL);
	__atomic_store_n(&se->written, 1, __ATOMIC_SEQ_CST);
	se->released = cella_enclave_call(se->e, S_HOLD_CTL, &op, 1, NULL, 0, NULL);
	return NULL;
}

static void start_second_entry(struct hostile *h, void *ctx)
{
	struct second_entry *se = ctx;
	CT_EQ(pthread_create(&se->th, NULL, enter_again, se), 0);
	h->s->out_written = 0;
	h->s->status = CELLA_OK;
}

/* A10: the first call completes with its own input and output; the second request is never run (not then, not
 * later); the TCS serves normally afterwards. */
static void t_busy_tcs(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	struct second_entry se = {&h, e, 0, 0, CELLA_ERR_UNEXPECTED};
	uint64_t w = 0, count = 1;
	uint8_t want[64], one = 1;
	int written_before_done;
	size_t n = 0;
	hostile_bind(&h, e, 0);
	for (int i = 0; i < 64; i++)
		want[i] = h.win[h.buf + i] = (uint8_t)(0x30 + i);
	CT_EQ(hostile_ecall(&h, S_HOLD_ECHO, h.buf, 64, 64, &w, start_second_entry, &se, 60000), CELLA_OK);
	written_before_done = __atomic_load_n(&se.written, __ATOMIC_SEQ_CST);
	pthread_join(se.th, NULL);
	CT_RESULT(se.released, CELLA_OK);
	if (!written_before_done)
		cella_test_fail(__FILE__, __LINE__, "the second request was written only after the first call ended");
	CT_EQ(w, 64);
	CT_ASSERT(memcmp(h.win + h.buf + 64, want, 64) == 0);
	/* the slot's thread has slept on the slot and gone round its wait loop once more: had it taken the second
	 * request up, the counter would have moved */
	CT_EQ(hostile_await_sleep(&h, 10000), 0);
	CT_EQ(hostile_await_sleep(&h, 10000), 0);
	CT_RESULT(cella_enclave_call(e, S_BUMP, NULL, 0, &count, 8, &n), CELLA_OK);
	CT_EQ(count, 0);
	/* the TCS still works, and the counter can move */
	memcpy(h.win + h.buf, &one, 1);
	CT_EQ(hostile_ecall(&h, S_BUMP, h.buf, 1, 8, &w, NULL, NULL, 5000), CELLA_OK);
	CT_EQ(w, 8);
	memcpy(&count, h.win + h.buf + 16, 8);
	CT_EQ(count, 1);
	hostile_unbind(&h);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("A10 a second entry into a busy TCS is not run; the first completes");
}

/* F4-host: the other way round, an enclave's reply claiming more output than the call's buffer holds. */
struct forged_reply {
	struct cella_enclave *e;
	pthread_t th;
	uint64_t claim; /* the out_written to claim */
};

/*
 * Stands in for a hostile enclave: once S_HOLD_ECHO holds (its ocall answered, none outstanding, so its thread
 * touches neither the slot nor the window), writes the held call's reply itself: status CELLA_OK, out_written
 * `claim`, and a 0x5a pattern over that many bytes of the output area, then publishes ECALL_DONE.
 */
static void *forge_reply(void *p)
{
	struct forged_reply *f = p;
	struct cella_enclave *e = f->e;
	struct cella_abi_slot *s = NULL;
	uint64_t out_off;
	await_hold(e);
	for (uint32_t i = 0; i < e->tcs_count; i++) /* the held call's slot: its ocall answered */
		if (__atomic_load_n(&e->slots[i].state, __ATOMIC_ACQUIRE) == CELLA_SLOT_OCALL_DONE) {
			CT_ASSERT(s == NULL);
			s = &e->slots[i];
		}
	CT_ASSERT(s != NULL);
	/* a top-level call's buffer starts its slot's area: 16 input bytes, then the output */
	out_off = e->bufs_off + (uint64_t)(s - e->slots) * e->slot_buf_bytes + 16;
	memset(e->win + out_off, 0x5a, f->claim);
	__atomic_store_n(&s->status, CELLA_OK, __ATOMIC_RELAXED);
	__atomic_store_n(&s->out_written, f->claim, __ATOMIC_RELAXED);
	__atomic_store_n(&s->state, CELLA_SLOT_ECALL_DONE, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &s->state, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	return NULL;
}

/* The host library takes out_written from the slot once and refuses one above the call's buffer
 * (CELLA_ERR_MARSHAL): nothing reaches the caller's buffer, in it or past it. */
static void t_enclave_reply(void)
{
	struct cella_enclave *e = create(image);
	struct forged_reply f = {e, 0, 48};
	uint8_t in[16], out[64];
	size_t n = 99;
	cella_result r;
	memset(in, 0x11, sizeof(in));
	memset(out, 0xaa, sizeof(out));
	CT_EQ(pthread_create(&f.th, NULL, forge_reply, &f), 0);
	r = cella_enclave_call(e, S_HOLD_ECHO, in, sizeof(in), out, 16, &n);
	CT_EQ(pthread_join(f.th, NULL), 0);
	for (size_t i = 0; i < sizeof(out); i++)
		if (out[i] != 0xaa)
			cella_test_fail(__FILE__, __LINE__, "byte %zu of the caller's 16-byte buffer (or past it) written", i);
	CT_RESULT(r, CELLA_ERR_MARSHAL);
	CT_EQ(n, 0);
	/* the real handler still holds: terminate ends it */
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("F4-host an enclave reply longer than the call's buffer is refused, nothing copied");
}

static uint64_t malloc_reply;
static int64_t time_reply[2];
static uint32_t sleep_status = CELLA_OK;
static unsigned time_asked; /* TIME ocalls builtin_liar has answered */

static void builtin_liar(struct hostile *h, void *ctx)
{
	(void)ctx;
	if (h->s->fn == CELLA_OCALL_MALLOC) {
		memcpy(h->win + h->s->buf_off + 16, &malloc_reply, 8);
		h->s->out_written = 8;
	} else if (h->s->fn == CELLA_OCALL_TIME) {
		time_asked++;
		memcpy(h->win + h->s->buf_off + 16, time_reply, 16);
		h->s->out_written = 16;
	} else if (h->s->fn == CELLA_OCALL_SLEEP) {
		h->s->out_written = 0;
		h->s->status = sleep_status; /* a host that does not sleep */
		return;
	} else {
		h->s->out_written = 0;
	}
	h->s->status = CELLA_OK;
}

/* C6: the runtime's built-in ocalls get lying replies: host memory outside the window or the arena, misaligned,
 * straddling the arena's end; a time with nanoseconds out of range or before 1970, a monotonic time going back.
 * Each is refused (or, for the monotonic clock, held at its last reading) inside the enclave. And bad inputs the
 * other way: clock ids the time ocall does not serve (CPU-time clocks, one naming pid 1) are EINVAL inside the
 * enclave without an ocall, and the honest host library refuses them when an enclave sends one all the same. */
static void t_builtins(void)
{
	struct cella_enclave *e = create(image);
	struct hostile h;
	uint64_t got = 1, w = 0, secret = 0;
	int64_t tr[2];
	size_t n;
	CT_RESULT(cella_enclave_call(e, S_SECRET, NULL, 0, &secret, 8, &n), CELLA_OK);
	hostile_bind(&h, e, 0);
	{
		uint64_t bad[] = {secret - (uint64_t)(uintptr_t)h.win, /* would be enclave memory */
				  16,                                   /* the window header */
				  h.buf,                                /* a call buffer, not the arena */
				  h.win_bytes - 32,                     /* 64 bytes would straddle the end */
				  h.win_bytes + 4096, (uint64_t)-4096};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			malloc_reply = bad[i];
			CT_EQ(hostile_ecall(&h, S_HOST_MALLOC, h.buf, 0, 8, &w, builtin_liar, NULL, 5000), CELLA_OK);
			memcpy(&got, h.win + h.buf, 8);
			if (got != 0)
				cella_test_fail(__FILE__, __LINE__, "host_malloc accepted offset %#llx", (unsigned long long)bad[i]);
		}
	}
	time_reply[0] = 1700000000;
	time_reply[1] = 2000000000; /* nanoseconds out of range */
	CT_EQ(hostile_ecall(&h, S_TIME, h.buf, 0, 16, &w, builtin_liar, NULL, 5000), CELLA_OK);
	memcpy(tr, h.win + h.buf, 16);
	CT_EQ(tr[0], -1);
	time_reply[1] = -1;
	CT_EQ(hostile_ecall(&h, S_TIME, h.buf, 0, 16, &w, builtin_liar, NULL, 5000), CELLA_OK);
	memcpy(tr, h.win + h.buf, 16);
	CT_EQ(tr[0], -1);
	time_reply[1] = 5;
	CT_EQ(hostile_ecall(&h, S_TIME, h.buf, 0, 16, &w, builtin_liar, NULL, 5000), CELLA_OK);
	memcpy(tr, h.win + h.buf, 16);
	CT_EQ(tr[0], 0); /* a well-formed (if untrusted) time is accepted */
	time_reply[0] = -5; /* before 1970 */
	time_reply[1] = 0;
	CT_EQ(hostile_ecall(&h, S_TIME, h.buf, 0, 16, &w, builtin_liar, NULL, 5000), CELLA_OK);
	memcpy(tr, h.win + h.buf, 16);
	CT_EQ(tr[0], -1);
	{
		/* CLOCK_MONOTONIC never goes back, whatever the host answers */
		const int64_t says[] = {1000, 500, 2000, 0};
		const int64_t sees[] = {1000, 1000, 2000, 2000};
		uint32_t clk = 1;
		int64_t t3[3];
		for (int i = 0; i < 4; i++) {
			time_reply[0] = says[i];
			time_reply[1] = 7;
			memcpy(h.win + h.buf, &clk, 4);
			CT_EQ(hostile_ecall(&h, S_TIME, h.buf, 4, 24, &w, builtin_liar, NULL, 5000), CELLA_OK);
			memcpy(t3, h.win + h.buf + 16, 24);
			CT_EQ(t3[0], 0);
			CT_EQ(t3[2], sees[i]);
		}
	}
	{
		/* a failed sleep ocall: EINTR with the whole request in rem (a caller loops on it), not rem's old bytes */
		int64_t s4[4];
		sleep_status = CELLA_ERR_BACKEND;
		CT_EQ(hostile_ecall(&h, S_SLEEP, h.buf, 0, 32, &w, builtin_liar, NULL, 5000), CELLA_OK);
		memcpy(s4, h.win + h.buf, 32);
		CT_EQ(s4[0], -1);
		CT_EQ(s4[1], EINTR);
		CT_EQ(s4[2], 5);
		CT_EQ(s4[3], 7);
		sleep_status = CELLA_OK;
		CT_EQ(hostile_ecall(&h, S_SLEEP, h.buf, 0, 32, &w, builtin_liar, NULL, 5000), CELLA_OK);
		memcpy(s4, h.win + h.buf, 32);
		CT_EQ(s4[0], 0);
		CT_EQ(s4[2], -1); /* a completed sleep leaves rem alone, as Linux does */
	}
	{
		/* Linux's CPU-time clock of pid 1 (~pid << 3 | CPUCLOCK_SCHED), the process's and the thread's own,
		 * CLOCK_TAI, CLOCK_BOOTTIME_ALARM, and ids no clock has */
		const uint32_t refused[] = {(~1u << 3) | 2, 2, 3, 11, 9, 16, 0x80000000u};
		int64_t r3[3];
		time_reply[0] = 1700000000;
		time_reply[1] = 5;
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			unsigned asked = time_asked;
			memcpy(h.win + h.buf, &refused[i], 4);
			CT_EQ(hostile_ecall(&h, S_TIME, h.buf, 4, 24, &w, builtin_liar, NULL, 5000), CELLA_OK);
			memcpy(r3, h.win + h.buf + 16, 24);
			if (r3[0] != -1 || r3[1] != EINVAL || time_asked != asked)
				cella_test_fail(__FILE__, __LINE__, "clock id %#x: result %lld, errno %lld, %u time ocall(s)",
						refused[i], (long long)r3[0], (long long)r3[1], time_asked - asked);
		}
	}
	hostile_unbind(&h);
	{
		/* an enclave that sends the ids anyway (a buggy runtime): the honest host library refuses them */
		const uint32_t refused[] = {(~1u << 3) | 2, (~(uint32_t)getpid() << 3) | 2, 2, 3, 11};
		uint32_t mono = 1;
		int64_t t[2] = {-1, -1};
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			cella_result r = cella_enclave_call(e, S_TIME_RAW, &refused[i], 4, t, sizeof(t), &n);
			if (r != CELLA_ERR_PERMISSION)
				cella_test_fail(__FILE__, __LINE__, "host served clock id %#x: %s (%lld s)", refused[i],
						cella_result_str(r), (long long)t[0]);
		}
		CT_RESULT(cella_enclave_call(e, S_TIME_RAW, &mono, 4, t, sizeof(t), &n), CELLA_OK);
		CT_EQ(n, sizeof(t));
		CT_ASSERT(t[1] >= 0 && t[1] < 1000000000);
	}
	{
		/* CPUID, which SGX enclaves ask the host for: the host's own answer for leaves 0 and 7, zeros past its
		 * highest leaf, a request of the wrong size refused */
		uint32_t q[3] = {0, 0, 0}, got[4], want[4], max = __get_cpuid_max(0, NULL);
		CT_RESULT(cella_enclave_call(e, S_CPUID, q, 8, got, sizeof(got), &n), CELLA_OK);
		__cpuid_count(0, 0, want[0], want[1], want[2], want[3]);
		CT_EQ(n, sizeof(got));
		CT_EQ_MEM(got, want, sizeof(want));
		q[0] = 7;
		CT_RESULT(cella_enclave_call(e, S_CPUID, q, 8, got, sizeof(got), &n), CELLA_OK);
		__cpuid_count(7, 0, want[0], want[1], want[2], want[3]);
		CT_EQ_MEM(got, want, sizeof(want));
		q[0] = max + 1;
		CT_RESULT(cella_enclave_call(e, S_CPUID, q, 8, got, sizeof(got), &n), CELLA_OK);
		CT_ASSERT(got[0] == 0 && got[1] == 0 && got[2] == 0 && got[3] == 0);
		CT_RESULT(cella_enclave_call(e, S_CPUID, q, 4, got, sizeof(got), &n), CELLA_ERR_MARSHAL);
		CT_RESULT(cella_enclave_call(e, S_CPUID, q, 12, got, sizeof(got), &n), CELLA_ERR_MARSHAL);
	}
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("C6 built-in ocall replies validated; unserved clock ids refused on both sides; CPUID served");
}

int main(int argc, char **argv)
{
	const char *c;
	if (argc < 3)
		return 2;
	c = argv[1];
	image = argv[2];
	image_nolimit = argc > 3 ? argv[3] : argv[2];
	if (!strcmp(c, "A1-A4"))
		t_state();
	else if (!strcmp(c, "A5"))
		t_registers();
	else if (!strcmp(c, "A8"))
		t_stray_ocall_return();
	else if (!strcmp(c, "A9"))
		t_bad_index();
	else if (!strcmp(c, "C1-C4"))
		t_buffers();
	else if (!strcmp(c, "C3-stream"))
		t_stream();
	else if (!strcmp(c, "C7"))
		t_poison();
	else if (!strcmp(c, "E1"))
		t_race();
	else if (!strcmp(c, "F1-F4"))
		t_ocall_reply();
	else if (!strcmp(c, "G2"))
		t_out_untouched();
	else if (!strcmp(c, "G3"))
		t_ocall_padding();
	else if (!strcmp(c, "F4-host"))
		t_enclave_reply();
	else if (!strcmp(c, "H1-H3"))
		t_order();
	else if (!strcmp(c, "E2"))
		t_single_fetch();
	else if (!strcmp(c, "C6"))
		t_builtins();
	else if (!strcmp(c, "F6"))
		t_ocall_frame();
	else if (!strcmp(c, "A10"))
		t_busy_tcs();
	else if (!strcmp(c, "A6"))
		t_host_registers();
	else if (!strcmp(c, "B3"))
		t_forged_signals();
	else if (!strcmp(c, "B3-keys"))
		t_forged_signals_keys();
	else if (!strcmp(c, "F2"))
		t_two_phase();
	else
		return 2;
	return 0;
}
