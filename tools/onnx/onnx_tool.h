/* SPDX-License-Identifier: MIT */
/* Shared helpers of the cella-onnx tool. */
#ifndef CELLA_ONNX_TOOL_H
#define CELLA_ONNX_TOOL_H

#include <stddef.h>
#include <stdint.h>

/* Whole file, caller frees; NULL on error. */
uint8_t *tool_read_file(const char *path, size_t *len);
double tool_now_ms(void);
/* `cella-onnx conformance ...`; returns the process exit code. */
int tool_conformance(int argc, char **argv);

#endif
