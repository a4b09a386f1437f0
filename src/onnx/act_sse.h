// SPDX-License-Identifier: MIT
/* The clamping activations on four floats at once, shared by onnx_act_apply (act.c) and the depthwise kernel's
 * fused epilogue (conv_dw_impl.h). MAXPS/MINPS return their second operand when either is NaN (and when the two
 * are equal), so the constant goes first: a NaN passes through, as through the scalar forms in act.c and as Max,
 * Min and numpy's maximum/clip (the ONNX reference) keep it; the other order turned a NaN into the bound. */
#ifndef CELLA_ONNX_ACT_SSE_H
#define CELLA_ONNX_ACT_SSE_H
#if defined(__SSE2__)
#include <emmintrin.h>

/* max(0, v) */
static inline __m128 onnx_relu_ps(__m128 v)
{
	return _mm_max_ps(_mm_setzero_ps(), v);
}

/* min(hi, max(lo, v)): with lo > hi every number becomes hi, as Clip-13's Min(max, Max(x, min)) */
static inline __m128 onnx_clip_ps(__m128 v, __m128 lo, __m128 hi)
{
	return _mm_min_ps(hi, _mm_max_ps(lo, v));
}

/* HardSigmoid: min(1, max(0, a * v + b)) */
static inline __m128 onnx_hsigmoid_ps(__m128 v, __m128 a, __m128 b)
{
	return onnx_clip_ps(_mm_add_ps(_mm_mul_ps(a, v), b), _mm_setzero_ps(), _mm_set1_ps(1.0f));
}

/* HardSwish: v * min(1, max(0, v / 6 + 1/2)) */
static inline __m128 onnx_hswish_ps(__m128 v)
{
	return _mm_mul_ps(v, onnx_hsigmoid_ps(v, _mm_set1_ps(1.0f / 6.0f), _mm_set1_ps(0.5f)));
}
#endif
#endif
