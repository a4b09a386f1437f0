// SPDX-License-Identifier: MIT
/* bench/calls, deep case: ocalls with and without [in, out] deep data through the generated stubs. */
#include "deep_host.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "bench_calls.h"
#include "deep_u.h"

#define DEEP_PER_BATCH 1000u

void od_empty(void)
{
}

void od_msgs(struct bmsg *m)
{
	(void)m;
}

/* One batch: bd_loop making `count` ocalls of `kind`, its time in ns; false if one went otherwise. */
static bool batch(struct cella_enclave *e, uint64_t count, uint32_t kind, double *ns)
{
	uint64_t ok = 0;
	double t0 = bench_now_ns();
	cella_result r = bd_loop(e, &ok, count, kind);
	*ns = bench_now_ns() - t0;
	if (r != CELLA_OK || ok != count) {
		fprintf(stderr, "bench-calls: deep case, kind %u: %s, %llu of %llu as expected\n", kind,
			cella_result_str(r), (unsigned long long)ok, (unsigned long long)count);
		return false;
	}
	return true;
}

bool bench_calls_deep(const char *image, bool spin, size_t batches, struct bench_deep *out)
{
	struct cella_enclave_settings s = {.size = sizeof(s)};
	struct cella_enclave *e = NULL;
	double *t[4] = {NULL, NULL, NULL, NULL}, *res[4] = {&out->ecall, &out->empty, &out->deep, &out->refused};
	const uint32_t kinds[4] = {BD_EMPTY, BD_EMPTY, BD_DEEP, BD_OVERLAP};
	bool ok = false;
	cella_result r;

	deep_set_ocalls(&s);
	r = cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG | (spin ? CELLA_ENCLAVE_FLAG_SPIN : 0), &s, &e);
	if (r != CELLA_OK) {
		fprintf(stderr, "bench-calls: create %s: %s\n", image, cella_result_str(r));
		return false;
	}
	for (int k = 0; k < 4; k++)
		if (!(t[k] = malloc(batches * sizeof(*t[k]))))
			goto out;
	for (size_t i = 0; i < batches / 4 + 1; i++) /* warm up */
		for (int k = 0; k < 4; k++)
			if (!batch(e, k ? DEEP_PER_BATCH : 0, kinds[k], &t[k][0]))
				goto out;
	/* the kinds alternate batch by batch, so each sees the same phases of a noisy machine */
	for (size_t i = 0; i < batches; i++)
		for (int k = 0; k < 4; k++)
			if (!batch(e, k ? DEEP_PER_BATCH : 0, kinds[k], &t[k][i]))
				goto out;
	out->ecall = bench_median(t[0], batches);
	for (int k = 1; k < 4; k++) {
		for (size_t i = 0; i < batches; i++)
			t[k][i] = (t[k][i] - out->ecall) / DEEP_PER_BATCH;
		*res[k] = bench_median(t[k], batches);
	}
	ok = true;
out:
	for (int k = 0; k < 4; k++)
		free(t[k]);
	(void)cella_enclave_terminate(e);
	return ok;
}
