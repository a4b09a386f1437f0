// SPDX-License-Identifier: MIT
/*
 * bench/calls: ecall/ocall round trips, [in] marshalling and enclave creation on the sandbox backend, each
 * next to a reference measured in the same run (a raw cross-process futex ping-pong, memcpy, streaming between
 * two processes). Prints medians and ratios. A program, not a test: timing never decides a test.
 * With --deep, also ocalls through the generated stubs with [in, out] deep data (deep.edl, its own enclave).
 *   bench-calls ENCLAVE [--deep DEEP_ENCLAVE] [--spin] [--iterations N]
 */
#include <cella/host.h>
#include <linux/futex.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_calls.h"
#include "bench.h"
#include "deep_host.h"

static void futex_wait(uint32_t *a, uint32_t v)
{
	syscall(SYS_futex, a, FUTEX_WAIT, v, NULL, NULL, 0);
}

static void futex_wake(uint32_t *a)
{
	syscall(SYS_futex, a, FUTEX_WAKE, 1, NULL, NULL, 0);
}

#define SPIN_THEN_SLEEP 4000 /* the spin budget of Cella's call path (src/host/calls.c, src/enclave/calls.c) */

/* Waits until *w == want: spin_budget pause-spins (0 = none, ~0 = forever), then futex sleeps. */
static void await(uint32_t *w, uint32_t want, uint32_t other, unsigned spin_budget)
{
	for (unsigned i = 0; i < spin_budget || spin_budget == ~0u; i++) {
		if (__atomic_load_n(w, __ATOMIC_ACQUIRE) == want)
			return;
		__builtin_ia32_pause();
	}
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) != want)
		futex_wait(w, other);
}

/*
 * Reference: a round trip between two processes through one shared word, each side waking the other with
 * FUTEX_WAKE and waiting with the given spin budget (0 = a raw futex ping-pong, SPIN_THEN_SLEEP = Cella's
 * wait strategy without any of its work, ~0 = pure spinning).
 */
static double pingpong(size_t n, unsigned spin_budget)
{
	uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double *t = malloc(n * sizeof(*t)), m;
	pid_t pid;
	if (w == MAP_FAILED || !t)
		exit(1);
	*w = 0;
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < n; i++) {
			await(w, 1, 0, spin_budget);
			__atomic_store_n(w, 0, __ATOMIC_RELEASE);
			if (spin_budget != ~0u)
				futex_wake(w);
		}
		_exit(0);
	}
	for (size_t i = 0; i < n; i++) {
		double t0 = bench_now_ns();
		__atomic_store_n(w, 1, __ATOMIC_RELEASE);
		if (spin_budget != ~0u)
			futex_wake(w);
		await(w, 0, 1, spin_budget);
		t[i] = bench_now_ns() - t0;
	}
	waitpid(pid, NULL, 0);
	m = bench_median(t, n);
	free(t);
	munmap(w, 4096);
	return m;
}

/*
 * Reference for large [in] calls: what the platform itself gives when one process streams `bytes` into shared
 * memory in 32 KiB chunks (publishing how far it got, as the host does with a slot's in_ready) while a second
 * process copies each chunk out into its own memory as soon as it is ready, then acknowledges. On the development
 * VM this alternates, in phases of seconds, between about 17 and 52 us per MiB whatever the code (two threads of
 * one process show it too), so it is measured interleaved with the ecalls, in blocks, and each median is taken
 * over the same phases. The copying process waits as Cella does (spins SPIN_THEN_SLEEP times, then sleeps), so it
 * is asleep while the ecalls run.
 */
#define STREAM_CHUNK (32u << 10)
#define STREAM_STOP UINT32_MAX
struct streamer {
	struct stream_ctl {
		uint32_t go, done, sleeping; /* iteration counters; the copier sleeps on go */
		uint32_t ready;              /* bytes of this iteration in shared memory */
	} *c;
	uint8_t *sh, *src;
	size_t bytes;
	uint32_t it;
	pid_t pid;
};

static void streamer_start(struct streamer *st, size_t bytes)
{
	st->sh = mmap(NULL, 4096 + bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	st->src = malloc(bytes);
	if (st->sh == MAP_FAILED || !st->src)
		exit(1);
	st->c = (struct stream_ctl *)st->sh;
	st->bytes = bytes;
	st->it = 0;
	memset(st->sh, 0, 4096 + bytes);
	memset(st->src, 0x3c, bytes);
	st->pid = fork();
	if (st->pid == 0) {
		struct stream_ctl *c = st->c;
		uint8_t *dst = malloc(bytes);
		uint32_t last = 0;
		for (;;) {
			uint32_t g;
			unsigned spins = 0;
			while ((g = __atomic_load_n(&c->go, __ATOMIC_SEQ_CST)) == last) {
				if (++spins < SPIN_THEN_SLEEP) {
					__builtin_ia32_pause();
					continue;
				}
				__atomic_store_n(&c->sleeping, 1, __ATOMIC_SEQ_CST);
				futex_wait(&c->go, last);
				__atomic_store_n(&c->sleeping, 0, __ATOMIC_SEQ_CST);
			}
			if (g == STREAM_STOP)
				_exit(0);
			last = g;
			for (size_t got = 0; got < bytes;) {
				size_t ready = __atomic_load_n(&c->ready, __ATOMIC_ACQUIRE);
				if (ready > got) {
					memcpy(dst + got, st->sh + 4096 + got, ready - got);
					got = ready;
				} else {
					__builtin_ia32_pause();
				}
			}
			__atomic_store_n(&c->done, g, __ATOMIC_RELEASE);
		}
	}
}

static void streamer_go(struct streamer *st, uint32_t v)
{
	__atomic_store_n(&st->c->go, v, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&st->c->sleeping, __ATOMIC_SEQ_CST))
		futex_wake(&st->c->go);
}

static double streamer_once(struct streamer *st)
{
	double t0 = bench_now_ns();
	uint32_t it = ++st->it;
	__atomic_store_n(&st->c->ready, 0, __ATOMIC_RELEASE);
	streamer_go(st, it);
	for (size_t off = 0; off < st->bytes; off += STREAM_CHUNK) {
		size_t k = st->bytes - off < STREAM_CHUNK ? st->bytes - off : STREAM_CHUNK;
		memcpy(st->sh + 4096 + off, st->src + off, k);
		__atomic_store_n(&st->c->ready, (uint32_t)(off + k), __ATOMIC_RELEASE);
	}
	while (__atomic_load_n(&st->c->done, __ATOMIC_ACQUIRE) != it)
		__builtin_ia32_pause();
	return bench_now_ns() - t0;
}

static void streamer_stop(struct streamer *st)
{
	streamer_go(st, STREAM_STOP);
	waitpid(st->pid, NULL, 0);
	munmap(st->sh, 4096 + st->bytes);
	free(st->src);
}

/* n [in] ecalls of `bytes` and n streaming references, in alternate blocks of 100 (a few ms); the medians of each. */
static void in_vs_stream(struct cella_enclave *e, const uint8_t *in, size_t bytes, size_t n, double *ecall,
			 double *stream)
{
	struct streamer st;
	double *te = malloc(n * sizeof(*te)), *ts = malloc(n * sizeof(*ts));
	if (!te || !ts)
		exit(1);
	streamer_start(&st, bytes);
	for (size_t i = 0; i < n; i += 100) {
		for (size_t k = i; k < n && k < i + 100; k++) {
			double t0 = bench_now_ns();
			if (cella_enclave_call(e, B_IN, in, bytes, NULL, 0, NULL) != CELLA_OK)
				exit(1);
			te[k] = bench_now_ns() - t0;
		}
		for (size_t k = i; k < n && k < i + 100; k++)
			ts[k] = streamer_once(&st);
	}
	streamer_stop(&st);
	*ecall = bench_median(te, n);
	*stream = bench_median(ts, n);
	free(te);
	free(ts);
}

static double memcpy_ns(size_t bytes, size_t n)
{
	uint8_t *a = malloc(bytes), *b = malloc(bytes);
	double *t = malloc(n * sizeof(*t)), m;
	memset(a, 1, bytes);
	memset(b, 2, bytes);
	for (size_t i = 0; i < n; i++) {
		double t0 = bench_now_ns();
		memcpy(b, a, bytes);
		__asm__ __volatile__("" : : "r"(b) : "memory");
		t[i] = bench_now_ns() - t0;
	}
	m = bench_median(t, n);
	free(a);
	free(b);
	free(t);
	return m;
}

static cella_result o_empty(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)e, (void)in, (void)n, (void)out, (void)on, (void)w;
	return CELLA_OK;
}

static const cella_ocall_fn ocalls[] = {[B_O_EMPTY] = o_empty};

static struct cella_enclave *create(const char *image, uint32_t flags)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = 1};
	struct cella_enclave *e = NULL;
	cella_result r = cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG | flags, &s, &e);
	if (r != CELLA_OK) {
		fprintf(stderr, "create: %s\n", cella_result_str(r));
		exit(1);
	}
	return e;
}

static double ecall_ns(struct cella_enclave *e, uint32_t fn, const void *in, size_t in_bytes, size_t n)
{
	double *t = malloc(n * sizeof(*t)), m;
	for (size_t i = 0; i < n; i++) {
		double t0 = bench_now_ns();
		if (cella_enclave_call(e, fn, in, in_bytes, NULL, 0, NULL) != CELLA_OK)
			exit(1);
		t[i] = bench_now_ns() - t0;
	}
	m = bench_median(t, n);
	free(t);
	return m;
}

/* Median per-ocall cost: time of an ecall making `per` ocalls, minus an empty ecall, divided by `per`. */
static double ocall_ns(struct cella_enclave *e, size_t batches, double empty)
{
	uint64_t per = 1000;
	double *t = malloc(batches * sizeof(*t)), m;
	for (size_t i = 0; i < batches; i++) {
		double t0 = bench_now_ns();
		if (cella_enclave_call(e, B_OCALL_LOOP, &per, sizeof(per), NULL, 0, NULL) != CELLA_OK)
			exit(1);
		t[i] = (bench_now_ns() - t0 - empty) / (double)per;
	}
	m = bench_median(t, batches);
	free(t);
	return m;
}

int main(int argc, char **argv)
{
	const char *image = NULL, *deep_image = NULL;
	bool spin = false;
	struct bench_deep deep = {0, 0, 0, 0};
	size_t n = 20000;
	double ref_futex, ref_hybrid, ref_spin, ref_1k, ref_1m, ref_stream, empty, ocall, in1k, in1m, creates[20];
	struct cella_enclave *e;
	uint8_t *buf;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--spin"))
			spin = true;
		else if (!strcmp(argv[i], "--deep") && i + 1 < argc)
			deep_image = argv[++i];
		else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			n = (size_t)atol(argv[++i]);
		else
			image = argv[i];
	}
	if (!image || n < 10) {
		fprintf(stderr, "usage: %s ENCLAVE [--deep DEEP_ENCLAVE] [--spin] [--iterations N]\n", argv[0]);
		return 2;
	}
	buf = malloc(1 << 20);
	memset(buf, 0x3c, 1 << 20);

	ref_futex = pingpong(n / 10 > 100 ? n / 10 : n, 0);
	ref_hybrid = pingpong(n, SPIN_THEN_SLEEP);
	ref_spin = pingpong(n, ~0u);
	ref_1k = memcpy_ns(1024, n);
	ref_1m = memcpy_ns(1 << 20, n / 20);

	e = create(image, spin ? CELLA_ENCLAVE_FLAG_SPIN : 0);
	ecall_ns(e, B_EMPTY, NULL, 0, n / 10); /* warm up */
	empty = ecall_ns(e, B_EMPTY, NULL, 0, n);
	ocall = ocall_ns(e, n / 1000 > 20 ? n / 1000 : 20, empty);
	in1k = ecall_ns(e, B_IN, buf, 1024, n);
	in_vs_stream(e, buf, 1 << 20, n / 20, &in1m, &ref_stream);
	(void)cella_enclave_terminate(e);
	if (deep_image && !bench_calls_deep(deep_image, spin, n / 200 > 20 ? n / 200 : 20, &deep))
		return 1;

	for (int i = 0; i < 20; i++) {
		double t0 = bench_now_ns();
		e = create(image, 0);
		creates[i] = bench_now_ns() - t0;
		(void)cella_enclave_terminate(e);
	}

	printf("bench/calls (%s waits, %zu iterations; medians)\n", spin ? "spinning" : "spin-then-futex", n);
	printf("  reference: cross-process futex ping-pong (sleeps every time)   %8.0f ns\n", ref_futex);
	printf("  reference: the same with Cella's spin-then-futex wait          %8.0f ns\n", ref_hybrid);
	printf("  reference: the same, pure spinning                             %8.0f ns\n", ref_spin);
	printf("  reference: memcpy 1 KiB                    %8.0f ns\n", ref_1k);
	printf("  reference: memcpy 1 MiB                    %8.0f ns  (%.2f GB/s)\n", ref_1m, (1 << 20) / ref_1m);
	printf("  empty ecall                                %8.0f ns  = %.2fx the same-strategy ping-pong, %.3fx the "
	       "raw futex one (target <= 1.3x)\n", empty, empty / (spin ? ref_spin : ref_hybrid), empty / ref_futex);
	printf("  empty ocall                                %8.0f ns  = %.2fx the same-strategy ping-pong, %.3fx the "
	       "raw futex one (target <= 1.3x)\n", ocall, ocall / (spin ? ref_spin : ref_hybrid), ocall / ref_futex);
	if (deep_image) {
		printf("  generated stubs (deep.edl), interleaved batches of 1000 ocalls in one ecall (%.0f ns, subtracted):\n",
		       deep.ecall);
		printf("    ocall, no parameters                     %8.0f ns\n", deep.empty);
		printf("    ocall, [in, out] deep, 3 regions         %8.0f ns  (+%.0f ns over no parameters)\n", deep.deep,
		       deep.deep - deep.empty);
		printf("    the same refused: two regions overlap    %8.0f ns\n", deep.refused);
	}
	printf("  ecall, 1 KiB [in]                          %8.0f ns\n", in1k);
	printf("  reference: 1 MiB streamed between two processes in 32 KiB chunks, interleaved with the next line "
	       "%8.0f ns\n", ref_stream);
	printf("  ecall, 1 MiB [in]                          %8.0f ns  (%.2f GB/s = %.0f%% of memcpy, target >= 50%%; "
	       "%.2fx the streaming reference)\n",
	       in1m, (1 << 20) / in1m, 100.0 * ref_1m / in1m, in1m / ref_stream);
	printf("  enclave create (+terminate not counted)    %8.2f ms  (target <= 20 ms)\n", bench_median(creates, 20) / 1e6);
	free(buf);
	return 0;
}
