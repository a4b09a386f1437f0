// SPDX-License-Identifier: MIT
/* Depthwise kernel vectorised by the compiler for AVX2 (called only after the CPUID probe). */
#include "conv_dw.h"
#include "onnx_internal.h"

#define DW_NAME onnx_dw2d_avx2
#define DW_EDGE dw_edge_avx2
#include "conv_dw_impl.h"
