// SPDX-License-Identifier: MIT
/* Fused epilogue activations over float rows. SSE2 (x86-64 baseline) where the compiler will not vectorise
 * the clamp itself; MAXPS/MINPS give exactly the scalar `a > b ? a : b` results, so every path agrees. */
#include "onnx_internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static float act1(float v, int act, float a, float b)
{
	float t;
	switch (act) {
	case ACT_RELU: return v > 0.0f ? v : 0.0f;
	case ACT_CLIP: t = v > a ? v : a; return t < b ? t : b;
	case ACT_LEAKY: return v < 0 ? v * a : v;
	case ACT_HSIGMOID: t = a * v + b; t = t > 0.0f ? t : 0.0f; return t < 1.0f ? t : 1.0f;
	case ACT_HSWISH: t = v * (1.0f / 6.0f) + 0.5f; t = t > 0.0f ? t : 0.0f; return v * (t < 1.0f ? t : 1.0f);
	case ACT_SIGMOID: return onnx_sigmoidf(v);
	default: return v;
	}
}

void onnx_act_apply(float *p, size_t n, int act, float a, float b)
{
	size_t i = 0;
	if (act == ACT_NONE)
		return;
#if defined(__SSE2__)
	const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.0f), sixth = _mm_set1_ps(1.0f / 6.0f),
		     half = _mm_set1_ps(0.5f), va = _mm_set1_ps(a), vb = _mm_set1_ps(b);
	/* one loop per activation: no dispatch inside the hot loop */
	switch (act) {
	case ACT_RELU:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(p + i, _mm_max_ps(_mm_loadu_ps(p + i), zero));
		break;
	case ACT_CLIP:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(p + i, _mm_min_ps(_mm_max_ps(_mm_loadu_ps(p + i), va), vb));
		break;
	case ACT_HSIGMOID:
		for (; i + 4 <= n; i += 4) {
			__m128 t = _mm_add_ps(_mm_mul_ps(va, _mm_loadu_ps(p + i)), vb);
			_mm_storeu_ps(p + i, _mm_min_ps(_mm_max_ps(t, zero), one));
		}
		break;
	case ACT_HSWISH:
		for (; i + 4 <= n; i += 4) {
			__m128 v = _mm_loadu_ps(p + i), t = _mm_add_ps(_mm_mul_ps(v, sixth), half);
			_mm_storeu_ps(p + i, _mm_mul_ps(v, _mm_min_ps(_mm_max_ps(t, zero), one)));
		}
		break;
	default:
		break;
	}
#endif
	for (; i < n; i++)
		p[i] = act1(p[i], act, a, b);
}

void onnx_act_map(const float *x, float *y, size_t n, int act, float a, float b)
{
	if (x != y)
		for (size_t i = 0; i < n; i++)
			y[i] = x[i];
	onnx_act_apply(y, n, act, a, b);
}
