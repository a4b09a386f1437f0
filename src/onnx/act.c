// SPDX-License-Identifier: MIT
/* Fused epilogue activations over float rows. SSE2 (x86-64 baseline) where the compiler will not vectorise
 * the clamp itself (act_sse.h); the scalar forms below give exactly the MAXPS/MINPS results (constant first:
 * `c > v ? c : v`, so a NaN passes through), and every path agrees. */
#include "onnx_internal.h"

#include "act_sse.h"

static float act1(float v, int act, float a, float b)
{
	float t;
	switch (act) {
	case ACT_RELU: return 0.0f > v ? 0.0f : v;
	case ACT_CLIP: t = a > v ? a : v; return b < t ? b : t;
	case ACT_LEAKY: return v < 0 ? v * a : v;
	case ACT_HSIGMOID: t = a * v + b; t = 0.0f > t ? 0.0f : t; return 1.0f < t ? 1.0f : t;
	case ACT_HSWISH: t = v * (1.0f / 6.0f) + 0.5f; t = 0.0f > t ? 0.0f : t; return v * (1.0f < t ? 1.0f : t);
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
	const __m128 va = _mm_set1_ps(a), vb = _mm_set1_ps(b);
	/* one loop per activation: no dispatch inside the hot loop */
	switch (act) {
	case ACT_RELU:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(p + i, onnx_relu_ps(_mm_loadu_ps(p + i)));
		break;
	case ACT_CLIP:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(p + i, onnx_clip_ps(_mm_loadu_ps(p + i), va, vb));
		break;
	case ACT_HSIGMOID:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(p + i, onnx_hsigmoid_ps(_mm_loadu_ps(p + i), va, vb));
		break;
	case ACT_HSWISH:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(p + i, onnx_hswish_ps(_mm_loadu_ps(p + i)));
		break;
	case ACT_SIGMOID: /* bit for bit onnx_sigmoidf */
		onnx_mathf_map(ONNX_MATHF_SIGMOID, p, p, n, false);
		return;
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
