/* SPDX-License-Identifier: MIT */
/* Shared helpers of the cella-onnx tool. */
#ifndef CELLA_ONNX_TOOL_H
#define CELLA_ONNX_TOOL_H

#include <cella/onnx.h>

#include <stddef.h>
#include <stdint.h>

/* The largest file the tool reads: a model (the engine's own limit is 2 GiB) or a raw tensor. */
#define TOOL_MAX_FILE_BYTES ((uint64_t)1 << 31)

/* Whole file (cella_file_read: a FIFO or directory is refused, not waited on), caller frees; NULL on error. */
uint8_t *tool_read_file(const char *path, size_t *len);
double tool_now_ms(void);
/* Whether t is a floating-point type tool_float_at reads. */
static inline int tool_is_float(cella_onnx_dtype t)
{
	return t == CELLA_ONNX_FLOAT || t == CELLA_ONNX_DOUBLE || t == CELLA_ONNX_FLOAT16 || t == CELLA_ONNX_BFLOAT16;
}

/* Element k of data, of float, double, float16 or bfloat16 type t, as a double. */
static inline double tool_float_at(const void *data, cella_onnx_dtype t, uint64_t k)
{
	if (t == CELLA_ONNX_FLOAT)
		return ((const float *)data)[k];
	if (t == CELLA_ONNX_DOUBLE)
		return ((const double *)data)[k];
	return cella_onnx_half_to_float(((const uint16_t *)data)[k], t);
}

/* `cella-onnx conformance ...`; returns the process exit code. */
int tool_conformance(int argc, char **argv);

#endif
