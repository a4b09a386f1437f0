/* SPDX-License-Identifier: MIT */
/* Shared helpers of the cella-onnx tool. */
#ifndef CELLA_ONNX_TOOL_H
#define CELLA_ONNX_TOOL_H

#include <stddef.h>
#include <stdint.h>

/* The largest file the tool reads: a model (the engine's own limit is 2 GiB) or a raw tensor. */
#define TOOL_MAX_FILE_BYTES ((uint64_t)1 << 31)

/* Whole file (cella_file_read: a FIFO or directory is refused, not waited on), caller frees; NULL on error. */
uint8_t *tool_read_file(const char *path, size_t *len);
double tool_now_ms(void);
/* `cella-onnx conformance ...`; returns the process exit code. */
int tool_conformance(int argc, char **argv);

#endif
