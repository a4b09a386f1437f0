// SPDX-License-Identifier: MIT
/*
 * The direct depthwise kernel: its AVX2 build against its portable build, bit for bit (both sum each output's taps
 * in the same order, without contraction), and the portable build against a plain double-precision reference, over
 * kernel sizes, strides, dilations, paddings, widths that exercise the four-block, single-block, partial-block and
 * border paths, and every fused activation.
 */
#include "cella_test.h"
#include "conv_dw.h"
#include "onnx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t seed = 7;
static float rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return (float)(seed >> 8) / 16777216.0f - 0.5f;
}

static long compared, bit_equal;

/* slack: as the operator calls it on a zero-padded copy (p = 0), partial blocks may read 16 floats past the end */
static void one(int64_t H, int64_t W, int64_t K, int64_t s, int64_t d, int64_t p, int act, int slack,
		uint32_t feats)
{
	struct dw_args a = {H, W, 0, 0, K, K, s, s, d, d, p, p, act, 0.2f, 0.5f, slack};
	int64_t OH = (H + 2 * p - d * (K - 1) - 1) / s + 1, OW = (W + 2 * p - d * (K - 1) - 1) / s + 1;
	if (OH < 1 || OW < 1)
		return;
	a.OH = OH;
	a.OW = OW;
	if (act == ACT_CLIP) {
		a.act_a = -0.1f;
		a.act_b = 0.1f;
	}
	size_t tmpn = (size_t)(K * (W + 2) + 64) + 64;
	float *x = malloc((size_t)(H * W + 16) * 4), *k = malloc((size_t)(K * K) * 4);
	float *y0 = malloc((size_t)(OH * OW) * 4), *y1 = malloc((size_t)(OH * OW) * 4);
	float *t0 = calloc(tmpn, 4), *t1 = calloc(tmpn, 4), bias = rnd();
	CT_ASSERT(x && k && y0 && y1 && t0 && t1);
	for (int64_t i = 0; i < H * W + 16; i++)
		x[i] = rnd();
	for (int64_t i = 0; i < K * K; i++)
		k[i] = rnd();
	onnx_dw2d_portable(&a, x, k, bias, y0, t0);
	/* against the definition (taps outside the input are zero), then the activation */
	for (int64_t oy = 0; oy < OH; oy++)
		for (int64_t ox = 0; ox < OW; ox++) {
			double s2 = bias;
			for (int64_t ki = 0; ki < K; ki++)
				for (int64_t kj = 0; kj < K; kj++) {
					int64_t iy = oy * s - p + ki * d, ix = ox * s - p + kj * d;
					if (iy >= 0 && iy < H && ix >= 0 && ix < W)
						s2 += (double)k[ki * K + kj] * x[iy * W + ix];
				}
			float want = (float)s2;
			onnx_act_apply(&want, 1, act, a.act_a, a.act_b);
			CT_ASSERT(fabsf(y0[oy * OW + ox] - want) <= 1e-5f);
		}
	if (feats & CELLA_ONNX_CPU_AVX2) {
		onnx_dw2d_avx2(&a, x, k, bias, y1, t1);
		CT_EQ_MEM(y1, y0, (size_t)(OH * OW) * 4);
		bit_equal++;
	}
	compared++;
	free(x);
	free(k);
	free(y0);
	free(y1);
	free(t0);
	free(t1);
}

int main(void)
{
	uint32_t feats = onnx_cpu_features();
	const int64_t widths[] = {1, 5, 8, 13, 16, 24, 31, 32, 33, 40, 64, 71, 96, 130};
	const int acts[] = {ACT_NONE, ACT_RELU, ACT_CLIP, ACT_HSIGMOID, ACT_HSWISH};
	for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
		for (int64_t K = 1; K <= 5; K += 2)
			for (int64_t s = 1; s <= 2; s++)
				for (int64_t d = 1; d <= 2; d++)
					for (int64_t p = 0; p <= K / 2 + 1; p++)
						for (int slack = 0; slack <= (p == 0); slack++)
							one(7, widths[wi], K, s, d, p,
							    acts[(wi + (size_t)K + (size_t)p) % 5], slack, feats);
	CT_ASSERT(compared > 400);
	if (feats & CELLA_ONNX_CPU_AVX2)
		CT_EQ(bit_equal, compared);
	cella_test_pass(feats & CELLA_ONNX_CPU_AVX2
				? "depthwise: portable = reference, AVX2 = portable bit for bit, every path"
				: "depthwise: portable = reference (no AVX2 here: its build not compared)");
	return 0;
}
