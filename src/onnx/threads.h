/* SPDX-License-Identifier: MIT */
/* Optional worker pool. Host builds link threads_pthread.c; the enclave world links threads_none.c. */
#ifndef CELLA_ONNX_THREADS_H
#define CELLA_ONNX_THREADS_H

#include <cella/result.h>

struct onnx_pool;

/* A pool of `workers` threads besides the caller. threads_none.c gives *out = NULL (run inline). */
CELLA_MUST_USE cella_result onnx_pool_new(unsigned workers, struct onnx_pool **out);
/* NULL is a no-op. */
void onnx_pool_free(struct onnx_pool *p);
/* Runs fn(ctx, t) for every t in [0, tasks) across the pool and the caller; returns when all have finished.
 * p may be NULL (everything runs on the caller). */
void onnx_pool_run(struct onnx_pool *p, unsigned tasks, void (*fn)(void *ctx, unsigned task), void *ctx);

#endif
