/* SPDX-License-Identifier: MIT */
/* Body of the depthwise kernel; included by conv_dw.c and conv_dw_avx2.c with DW_NAME set.
 * Interior outputs accumulate all taps in an 8-wide register block (the compiler vectorises the l loops);
 * borders take a bounds-checked scalar path. Stride 2 reads de-interleaved copies of the input rows. */

#ifndef DW_STORE8_DEFINED
#define DW_STORE8_DEFINED
#if defined(__GNUC__) && !defined(__clang__)
#define DW_UNROLL
#else
#define DW_UNROLL
#endif
#if defined(__SSE2__)
#include "act_sse.h"
/* Stores 8 accumulators with the fused activation applied (act_sse.h: the same results as onnx_act_apply). */
static inline void dw_store8(float *dst, const float *acc, const struct dw_args *a)
{
	for (int h = 0; h < 8; h += 4) {
		__m128 v = _mm_loadu_ps(acc + h);
		switch (a->act) {
		case ACT_RELU: v = onnx_relu_ps(v); break;
		case ACT_CLIP: v = onnx_clip_ps(v, _mm_set1_ps(a->act_a), _mm_set1_ps(a->act_b)); break;
		case ACT_HSIGMOID: v = onnx_hsigmoid_ps(v, _mm_set1_ps(a->act_a), _mm_set1_ps(a->act_b)); break;
		case ACT_HSWISH: v = onnx_hswish_ps(v); break;
		default: break;
		}
		_mm_storeu_ps(dst + h, v);
	}
	if (a->act != ACT_NONE && a->act != ACT_RELU && a->act != ACT_CLIP && a->act != ACT_HSIGMOID &&
	    a->act != ACT_HSWISH)
		onnx_act_apply(dst, 8, a->act, a->act_a, a->act_b);
}
#else
static inline void dw_store8(float *dst, const float *acc, const struct dw_args *a)
{
	for (int l = 0; l < 8; l++)
		dst[l] = acc[l];
	onnx_act_apply(dst, 8, a->act, a->act_a, a->act_b);
}
#endif
#define DW_STORE8(dst, acc, a) dw_store8(dst, acc, a)
#endif

/* Sum for one output with every bound checked (borders, odd strides). */
static float DW_EDGE(const struct dw_args *a, const float *x, const float *k, float bias, int64_t oy, int64_t ox)
{
	float acc = bias;
	for (int64_t ki = 0; ki < a->KH; ki++) {
		int64_t iy = oy * a->sy - a->py + ki * a->dy;
		if (iy < 0 || iy >= a->H)
			continue;
		for (int64_t kj = 0; kj < a->KW; kj++) {
			int64_t ix = ox * a->sx - a->px + kj * a->dx;
			if (ix >= 0 && ix < a->W)
				acc += k[ki * a->KW + kj] * x[iy * a->W + ix];
		}
	}
	return acc;
}

void DW_NAME(const struct dw_args *a, const float *x, const float *k, float bias, float *y, float *tmp)
{
	const int64_t W = a->W, OW = a->OW, KH = a->KH, KW = a->KW, sx = a->sx;
	const int64_t span = (KW - 1) * a->dx;
	/* outputs whose every horizontal tap is inside the row */
	int64_t lo = a->px > 0 ? (a->px + sx - 1) / sx : 0;
	int64_t hi = W - 1 - span + a->px >= 0 ? (W - 1 - span + a->px) / sx + 1 : 0;
	if (hi > OW)
		hi = OW;
	if (lo > OW)
		lo = OW; /* padding wider than the output row: every output is a border */
	if (hi < lo)
		hi = lo;
	if (sx > 2)
		lo = hi = 0; /* rare: everything through the checked path */
	const int64_t half = (W + 1) / 2;
	for (int64_t oy = 0; oy < a->OH; oy++) {
		float *yr = y + oy * OW;
		const float *base[64];
		int64_t kis[64];
		int nk = 0;
		for (int64_t ki = 0; ki < KH && nk < 64; ki++) {
			int64_t iy = oy * a->sy - a->py + ki * a->dy;
			if (iy < 0 || iy >= a->H)
				continue;
			const float *row = x + iy * W;
			if (sx == 2) {
				float *ev = tmp + (int64_t)nk * 2 * half, *od = ev + half;
				for (int64_t i = 0; 2 * i < W; i++)
					ev[i] = row[2 * i];
				for (int64_t i = 0; 2 * i + 1 < W; i++)
					od[i] = row[2 * i + 1];
				base[nk] = ev;
			} else {
				base[nk] = row;
			}
			kis[nk++] = ki;
		}
		for (int64_t ox = 0; ox < lo; ox++)
			yr[ox] = DW_EDGE(a, x, k, bias, oy, ox);
		int64_t ox = lo;
		/* full 8-wide blocks; the common kernel widths get a constant trip count so the taps unroll */
#define DW_BLOCKS(KWC)                                                                                   \
	for (; ox + 8 <= hi; ox += 8) {                                                                  \
		float acc[8];                                                                            \
		for (int l = 0; l < 8; l++)                                                              \
			acc[l] = bias;                                                                   \
		for (int r = 0; r < nk; r++) {                                                           \
			const float *kr = k + kis[r] * KW;                                               \
			DW_UNROLL                                                                        \
			for (int64_t kj = 0; kj < (KWC); kj++) {                                         \
				int64_t off = kj * a->dx - a->px;                                        \
				const float *s;                                                          \
				if (sx == 2) {                                                           \
					int64_t h2 = off >= 0 ? off / 2 : -((-off + 1) / 2);             \
					s = base[r] + ((off & 1) ? half : 0) + h2 + ox;                  \
				} else {                                                                 \
					s = base[r] + off + ox;                                          \
				}                                                                        \
				float kv = kr[kj];                                                       \
				for (int l = 0; l < 8; l++)                                              \
					acc[l] += kv * s[l];                                             \
			}                                                                                \
		}                                                                                        \
		DW_STORE8(yr + ox, acc, a);                                                              \
	}
		int64_t ntap = (int64_t)nk * KW;
		if (ntap <= 128) {
			/* resolve every tap to (weight, row pointer) once per output row */
			const float *tp[128];
			float tw[128];
			int t = 0;
			for (int r = 0; r < nk; r++)
				for (int64_t kj = 0; kj < KW; kj++, t++) {
					int64_t off = kj * a->dx - a->px;
					if (sx == 2) {
						int64_t h2 = off >= 0 ? off / 2 : -((-off + 1) / 2);
						tp[t] = base[r] + ((off & 1) ? half : 0) + h2;
					} else {
						tp[t] = base[r] + off;
					}
					tw[t] = k[kis[r] * KW + kj];
				}
/* acc[b][l] = bias + the taps' sum for output ox + 8b + l, b < NB (a constant): every lane adds its taps in the
 * same order whatever NB is, so the results are the same bits. The block loop must be unrolled (the pragma): left
 * a loop, GCC keeps the accumulators in memory and the classifier took 0.88 ms instead of 0.61. */
#define DW_TAPS(NB, acc)                                                                                 \
	do {                                                                                             \
		for (int b_ = 0; b_ < (NB); b_++)                                                        \
			for (int l_ = 0; l_ < 8; l_++)                                                   \
				(acc)[b_][l_] = bias;                                                    \
		for (int q_ = 0; q_ < t; q_++) {                                                         \
			const float *src_ = tp[q_] + ox;                                                 \
			float kv_ = tw[q_];                                                              \
			_Pragma("GCC unroll 4") for (int b_ = 0; b_ < (NB); b_++)                        \
				for (int l_ = 0; l_ < 8; l_++)                                           \
					(acc)[b_][l_] += kv_ * src_[8 * b_ + l_];                        \
		}                                                                                        \
	} while (0)
			/* four blocks at a time: four independent accumulator chains keep the FMA units busy
			 * (one chain waits out each multiply-add's latency) */
			for (; ox + 32 <= hi; ox += 32) {
				float acc[4][8];
				DW_TAPS(4, acc);
				for (int b = 0; b < 4; b++)
					DW_STORE8(yr + ox + 8 * b, acc[b], a);
			}
			for (; ox + 8 <= hi; ox += 8) {
				float acc[1][8];
				DW_TAPS(1, acc);
				DW_STORE8(yr + ox, acc[0], a);
			}
			if (a->slack && ox < hi) {
				/* partial block: compute 8 lanes (over-reading into slack), keep the valid ones */
				float acc[1][8], outv[8];
				DW_TAPS(1, acc);
				DW_STORE8(outv, acc[0], a);
				for (int64_t l = 0; ox + l < hi; l++)
					yr[ox + l] = outv[l];
				ox = hi;
			}
		} else {
			DW_BLOCKS(KW)
		}
#undef DW_BLOCKS
#undef DW_TAPS
		/* interior tail: same order of operations, no bounds checks needed */
		int64_t tail = ox;
		for (int l = 0; ox + l < hi; l++) {
			float v = bias;
			for (int r = 0; r < nk; r++) {
				const float *kr = k + kis[r] * KW;
				for (int64_t kj = 0; kj < KW; kj++) {
					int64_t off = kj * a->dx - a->px;
					const float *s;
					if (sx == 2) {
						int64_t h2 = off >= 0 ? off / 2 : -((-off + 1) / 2);
						s = base[r] + ((off & 1) ? half : 0) + h2 + ox;
					} else {
						s = base[r] + off + ox;
					}
					v += kr[kj] * s[l];
				}
			}
			yr[ox + l] = v;
		}
		for (ox = hi; ox < OW; ox++)
			yr[ox] = DW_EDGE(a, x, k, bias, oy, ox);
		if (a->act != ACT_NONE) {
			/* edges and tail were stored raw; full blocks were activated in registers */
			if (lo > 0)
				onnx_act_apply(yr, (size_t)(lo < OW ? lo : OW), a->act, a->act_a, a->act_b);
			if (tail < OW)
				onnx_act_apply(yr + tail, (size_t)(OW - tail), a->act, a->act_a, a->act_b);
		}
	}
}
