// SPDX-License-Identifier: MIT
/* Portable depthwise kernel. */
#include "conv_dw.h"
#include "onnx_internal.h"

#define DW_NAME onnx_dw2d_portable
#define DW_EDGE dw_edge_portable
#include "conv_dw_impl.h"
