// SPDX-License-Identifier: MIT
/*
 * bench/marshal: cost of an ecall through the generated stubs next to the same call on the raw interface
 * (cella_enclave_call, hand-written handlers), and buffer throughput next to memcpy measured in the same run.
 * Prints medians and ratios. A program, not a test.
 *   bench-marshal STUB_ENCLAVE RAW_ENCLAVE [--spin] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_marshal.h"
#include "bench.h"
#include "marshal_u.h"

enum kind { K_EMPTY, K_SCALARS, K_IN, K_OUT, K_INOUT };
static const char *kind_name[] = {"0 args", "8 scalars", "[in]", "[out]", "[in,out]"};

static struct cella_enclave *stub_e, *raw_e;
static uint8_t *buf_a, *buf_b;

static void fail(const char *what, cella_result r)
{
	fprintf(stderr, "bench-marshal: %s: %s\n", what, cella_result_str(r));
	exit(1);
}

/* One call of the given kind and size through the generated stubs. */
static void stub_call(enum kind k, size_t n)
{
	cella_result r = CELLA_OK;
	switch (k) {
	case K_EMPTY:
		r = b_empty(stub_e);
		break;
	case K_SCALARS:
		r = b_scalars8(stub_e, 1, 2, 3, 4, 5, 6, 7, 8);
		break;
	case K_IN:
		r = b_in(stub_e, buf_a, n);
		break;
	case K_OUT:
		r = b_out(stub_e, buf_b, n);
		break;
	case K_INOUT:
		r = b_inout(stub_e, buf_a, n);
		break;
	}
	if (r != CELLA_OK)
		fail("stub call", r);
}

/* The same bytes in and out on the raw interface. */
static void raw_call(enum kind k, size_t n)
{
	cella_result r = CELLA_OK;
	size_t w = 0;
	uint64_t sc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	switch (k) {
	case K_EMPTY:
		r = cella_enclave_call(raw_e, RAW_EMPTY, NULL, 0, NULL, 0, &w);
		break;
	case K_SCALARS:
		r = cella_enclave_call(raw_e, RAW_IN, sc, sizeof(sc), NULL, 0, &w);
		break;
	case K_IN:
		r = cella_enclave_call(raw_e, RAW_IN, buf_a, n, NULL, 0, &w);
		break;
	case K_OUT:
		r = cella_enclave_call(raw_e, RAW_OUT, NULL, 0, buf_b, n, &w);
		break;
	case K_INOUT:
		r = cella_enclave_call(raw_e, RAW_INOUT, buf_a, n, buf_a, n, &w);
		break;
	}
	if (r != CELLA_OK)
		fail("raw call", r);
}

/*
 * Median ns of the stub call and of the raw call of one kind and size, measured in alternate blocks of at least
 * 2 ms each, so that both medians cover the same moments (the development VM's copy speed changes in phases of
 * seconds) while an enclave left idle has stopped spinning long before the end of the other's block.
 */
static void measure_pair(enum kind k, size_t n, size_t iters, double *stub, double *raw)
{
	double *ts = malloc(iters * sizeof(*ts)), *tr = malloc(iters * sizeof(*tr)), t0, per;
	size_t warm = iters / 10 + 1, block;
	if (!ts || !tr)
		exit(1);
	t0 = bench_now_ns();
	for (size_t i = 0; i < warm; i++) {
		stub_call(k, n);
		raw_call(k, n);
	}
	per = (bench_now_ns() - t0) / (2.0 * (double)warm);
	block = per > 0 && 2e6 / per > 50 ? (size_t)(2e6 / per) : 50;
	for (size_t i = 0; i < iters; i += block) {
		for (size_t j = i; j < iters && j < i + block; j++) {
			t0 = bench_now_ns();
			stub_call(k, n);
			ts[j] = bench_now_ns() - t0;
		}
		for (size_t j = i; j < iters && j < i + block; j++) {
			t0 = bench_now_ns();
			raw_call(k, n);
			tr[j] = bench_now_ns() - t0;
		}
	}
	*stub = bench_median(ts, iters);
	*raw = bench_median(tr, iters);
	free(ts);
	free(tr);
}

static double measure_memcpy(size_t n, size_t iters)
{
	double *t = malloc(iters * sizeof(*t)), m;
	if (!t)
		exit(1);
	for (size_t i = 0; i < iters; i++) {
		double t0 = bench_now_ns();
		memcpy(buf_b, buf_a, n);
		__asm__ __volatile__("" : : "r"(buf_b) : "memory");
		t[i] = bench_now_ns() - t0;
	}
	m = bench_median(t, iters);
	free(t);
	return m;
}

int main(int argc, char **argv)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .call_buffer_bytes = 4u << 20};
	static const size_t sizes[] = {1024, 64 * 1024, 1024 * 1024};
	uint32_t flags = CELLA_ENCLAVE_FLAG_DEBUG;
	bool quick = false;
	cella_result r;

	if (argc < 3) {
		fprintf(stderr, "usage: %s STUB_ENCLAVE RAW_ENCLAVE [--spin] [--quick]\n", argv[0]);
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--spin"))
			flags |= CELLA_ENCLAVE_FLAG_SPIN;
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
	}
	buf_a = malloc(1u << 20);
	buf_b = malloc(1u << 20);
	if (!buf_a || !buf_b)
		return 1;
	for (size_t i = 0; i < (1u << 20); i++)
		buf_a[i] = (uint8_t)i;
	memset(buf_b, 0, 1u << 20);
	marshal_set_ocalls(&s);
	if ((r = cella_enclave_create(argv[1], flags, &s, &stub_e)) != CELLA_OK)
		fail(argv[1], r);
	s.ocall_table = NULL;
	s.ocall_count = 0;
	if ((r = cella_enclave_create(argv[2], flags, &s, &raw_e)) != CELLA_OK)
		fail(argv[2], r);

	printf("bench-marshal (%s backend%s): median of each, ns per call\n", cella_enclave_backend(stub_e),
	       (flags & CELLA_ENCLAVE_FLAG_SPIN) ? ", spinning" : "");
	printf("%-10s %9s %12s %12s %8s %12s %12s %8s\n", "call", "bytes", "stubs ns", "raw ns", "stub/raw",
	       "stubs MB/s", "memcpy MB/s", "/memcpy");
	for (int k = K_EMPTY; k <= K_SCALARS; k++) {
		size_t it = quick ? 2000 : 20000;
		double ts, tr;
		measure_pair((enum kind)k, 0, it, &ts, &tr);
		printf("%-10s %9s %12.0f %12.0f %8.2f %12s %12s %8s\n", kind_name[k], "-", ts, tr, ts / tr, "-", "-", "-");
	}
	for (int k = K_IN; k <= K_INOUT; k++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i], it = n >= (1u << 20) ? (quick ? 50 : 300) : (quick ? 500 : 5000);
			double ts, tr;
			measure_pair((enum kind)k, n, it, &ts, &tr);
			double tm = measure_memcpy(n, it);
			double bw = (double)n / ts * 1e3, bm = (double)n / tm * 1e3; /* MB/s = bytes/ns * 1e3 */
			printf("%-10s %9zu %12.0f %12.0f %8.2f %12.0f %12.0f %7.0f%%\n", kind_name[k], n, ts, tr, ts / tr, bw,
			       bm, 100.0 * bw / bm);
		}
	}
	(void)cella_enclave_terminate(stub_e);
	(void)cella_enclave_terminate(raw_e);
	free(buf_a);
	free(buf_b);
	return 0;
}
