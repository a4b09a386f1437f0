/* SPDX-License-Identifier: MIT */
/* What the two ONNX bench programs share: a millisecond clock, a comparator for qsort, the DIMS argument. */
#ifndef CELLA_BENCH_ONNX_UTIL_H
#define CELLA_BENCH_ONNX_UTIL_H

#include <cella/onnx.h>
#include <stdlib.h>
#include <time.h>

static inline double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* "1x3x48x192" into t->rank and t->dims. */
static inline void parse_dims(const char *s, struct cella_onnx_tensor *t)
{
	while (*s && t->rank < CELLA_ONNX_MAX_RANK) {
		char *end;
		t->dims[t->rank++] = strtoll(s, &end, 10);
		s = *end == 'x' ? end + 1 : end;
	}
}

#endif
