/* SPDX-License-Identifier: MIT */
/* What the two ONNX bench programs share beyond bench/bench.h: the DIMS argument. */
#ifndef CELLA_BENCH_ONNX_UTIL_H
#define CELLA_BENCH_ONNX_UTIL_H

#include <cella/onnx.h>
#include <stdlib.h>

#include "bench.h"

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
