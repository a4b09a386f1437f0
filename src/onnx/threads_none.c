// SPDX-License-Identifier: MIT
/* No threads (enclave world): every task runs on the caller. */
#include "threads.h"

#include <stddef.h>

cella_result onnx_pool_new(unsigned workers, struct onnx_pool **out)
{
	(void)workers;
	*out = NULL;
	return CELLA_OK;
}

void onnx_pool_free(struct onnx_pool *p)
{
	(void)p;
}

void onnx_pool_run(struct onnx_pool *p, unsigned tasks, void (*fn)(void *ctx, unsigned task), void *ctx)
{
	(void)p;
	for (unsigned t = 0; t < tasks; t++)
		fn(ctx, t);
}
