// SPDX-License-Identifier: MIT
/* float16 and bfloat16: the conversions the engine computes them through (float32 holds every value of both). */
#include "onnx_internal.h"

#include <math.h>

uint16_t onnx_d2half(double v, int dt)
{
	/* binary16: 10 fraction bits, exponent bias 15; bfloat16: 7 and 127. Both have the sign in bit 15. */
	const int mb = dt == CELLA_ONNX_BFLOAT16 ? 7 : 10, bias = dt == CELLA_ONNX_BFLOAT16 ? 127 : 15;
	const uint32_t inf = (uint32_t)(2 * bias + 1) << mb;
	uint32_t s = signbit(v) ? 0x8000 : 0;
	if (isnan(v))
		return (uint16_t)(s | inf | 1u << (mb - 1));
	double a = fabs(v);
	if (a == 0)
		return (uint16_t)s;
	if (isinf(a))
		return (uint16_t)(s | inf);
	int e;
	(void)frexp(a, &e);
	e -= 1; /* a is in [2^e, 2^(e+1)) */
	int sub = e < 1 - bias;
	if (sub)
		e = 1 - bias; /* subnormal: multiples of the least subnormal, 2^(1 - bias - mb) */
	/* a scaled so the kept bits are the integer part (exact: a power of two), rounded to even by rint; q keeps
	 * the implicit leading bit of a normal value, so a carry out of the fraction moves into the exponent */
	double q = rint(ldexp(a, mb - e));
	if (sub)
		return (uint16_t)(s | (uint32_t)q); /* q = 2^mb is the least normal value, as bits */
	uint32_t bits = ((uint32_t)(e + bias - 1) << mb) + (uint32_t)q;
	return (uint16_t)(s | (bits >= inf ? inf : bits));
}

void onnx_half_to_f32(const void *src, int dt, float *dst, size_t n)
{
	const uint16_t *h = src;
	if (dt == CELLA_ONNX_BFLOAT16)
		for (size_t i = 0; i < n; i++)
			dst[i] = onnx_bf2f(h[i]);
	else
		for (size_t i = 0; i < n; i++)
			dst[i] = onnx_h2f(h[i]);
}

void onnx_f32_to_half(const float *src, int dt, void *dst, size_t n)
{
	uint16_t *h = dst;
	if (dt == CELLA_ONNX_BFLOAT16)
		for (size_t i = 0; i < n; i++)
			h[i] = onnx_f2bf(src[i]);
	else
		for (size_t i = 0; i < n; i++)
			h[i] = onnx_f2h(src[i]);
}

float cella_onnx_half_to_float(uint16_t h, cella_onnx_dtype t) /* see cella/onnx.h */
{
	return t == CELLA_ONNX_BFLOAT16 ? onnx_bf2f(h) : onnx_h2f(h);
}

uint16_t cella_onnx_float_to_half(float f, cella_onnx_dtype t) /* see cella/onnx.h */
{
	return t == CELLA_ONNX_BFLOAT16 ? onnx_f2bf(f) : onnx_f2h(f);
}
