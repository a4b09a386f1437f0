// SPDX-License-Identifier: MIT
/* bench/calls, deep case, in a build without cella-edger8r: not available. */
#include "deep_host.h"

#include <stdio.h>

bool bench_calls_deep(const char *image, bool spin, size_t batches, struct bench_deep *out)
{
	(void)image, (void)spin, (void)batches, (void)out;
	fprintf(stderr, "bench-calls: --deep: this build has no cella-edger8r\n");
	return false;
}
