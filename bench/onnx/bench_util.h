/* SPDX-License-Identifier: MIT */
/* What the two ONNX bench programs share beyond bench/bench.h: the DIMS argument. */
#ifndef CELLA_BENCH_ONNX_UTIL_H
#define CELLA_BENCH_ONNX_UTIL_H

#include <cella/onnx.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "parse.h"

/* "1x3x48x192" into t->rank and t->dims, or a message and exit 2. */
static inline void parse_dims(const char *prog, const char *s, struct cella_onnx_tensor *t)
{
	if (cella_parse_dims(s, '\0', t->dims, CELLA_ONNX_MAX_RANK, &t->rank) != 0) {
		fprintf(stderr, "%s: DIMS %s: expected dimensions like 1x3x224x224\n", prog, s);
		exit(2);
	}
}

#endif
