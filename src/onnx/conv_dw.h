/* SPDX-License-Identifier: MIT */
/* Direct depthwise 2-D convolution (one channel), compiled once portable and once for AVX2. */
#ifndef CELLA_ONNX_CONV_DW_H
#define CELLA_ONNX_CONV_DW_H

#include <stdint.h>

struct dw_args {
	int64_t H, W, OH, OW, KH, KW, sy, sx, dy, dx, py, px;
	int act;       /* fused activation (ACT_*) */
	float act_a, act_b;
	int slack;     /* x rows and tmp may be read up to 16 floats past their end (padded copies) */
};

/* y[OH][OW] = bias + sum k[ki][kj] * x[oy*sy - py + ki*dy][ox*sx - px + kj*dx] (zero outside).
 * tmp: scratch of KH * (W + 2) + 64 floats. */
void onnx_dw2d_portable(const struct dw_args *a, const float *x, const float *k, float bias, float *y, float *tmp);
void onnx_dw2d_avx2(const struct dw_args *a, const float *x, const float *k, float bias, float *y, float *tmp);

#endif
