/* SPDX-License-Identifier: MIT */
/* Wire-format pre-check of a serialized onnx.ModelProto. */
#ifndef CELLA_ONNX_PB_CHECK_H
#define CELLA_ONNX_PB_CHECK_H

#include <cella/result.h>

#include <stddef.h>
#include <stdint.h>

/* Message nesting allowed (model → graph → node → attribute → graph ... is 4 levels per graph). */
#define PB_MAX_DEPTH 64

/* CELLA_OK if every field is well formed and nesting of graph/type messages stays within PB_MAX_DEPTH;
 * CELLA_ERR_MODEL otherwise. bytes: borrowed. */
CELLA_MUST_USE cella_result onnx_pb_check_model(const void *bytes, size_t len);

#endif
