// SPDX-License-Identifier: MIT
/* exp/tanh/sigmoid/erf written out here so every world (glibc host, musl enclave) computes the same bits. */
#include "onnx_internal.h"

#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

#if defined(__SSE2__)
static __m128 from_bits_ps(uint32_t u)
{
	return _mm_castsi128_ps(_mm_set1_epi32((int)u));
}
#endif

float onnx_expf(float x)
{
	if (x != x)
		return x;
	if (x > 88.72283f)
		return from_bits(0x7f800000u);
	if (x < -103.97208f)
		return 0.0f;
	/* x = n*ln2 + r with |r| <= ln2/2; e^r by its Taylor series to r^7 (relative error < 3e-9) */
	float t = x * 1.44269504f;
	int n = (int)(t + (t >= 0 ? 0.5f : -0.5f));
	float fn = (float)n;
	float r = x - fn * 0.693145751953125f - fn * 1.428606765330187e-06f;
	float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.6666667e-1f + r * (4.1666668e-2f +
		  r * (8.3333338e-3f + r * (1.3888889e-3f + r * 1.9841270e-4f))))));
	if (n < -126) {
		p *= from_bits(0x1f800000u); /* 2^-64 */
		n += 64;
	}
	if (n > 127) {
		p *= 2.0f;
		n -= 1;
	}
	return p * from_bits((uint32_t)(n + 127) << 23);
}

/*
 * y[i] = onnx_expf(x[i] - shift), four at a time with SSE2: the same operations in the same order (no FMA: this file
 * is built without it, and C11 mode contracts nothing), the same rounding of n, the same two rescalings and special
 * cases chosen lane by lane, so every element is bit for bit the scalar function's.
 */
void onnx_expf_shifted(const float *x, float *y, size_t n, float shift)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128 sh = _mm_set1_ps(shift), sign = _mm_set1_ps(-0.0f), half = _mm_set1_ps(0.5f);
	for (; i + 4 <= n; i += 4) {
		__m128 v = _mm_sub_ps(_mm_loadu_ps(x + i), sh);
		__m128 t = _mm_mul_ps(v, _mm_set1_ps(1.44269504f));
		/* (int)(t + 0.5) or (int)(t - 0.5), truncating: the half takes t's sign (-0.0 rounds to 0 either way) */
		__m128i ni = _mm_cvttps_epi32(_mm_add_ps(t, _mm_or_ps(half, _mm_and_ps(t, sign))));
		__m128 fn = _mm_cvtepi32_ps(ni);
		__m128 r = _mm_sub_ps(_mm_sub_ps(v, _mm_mul_ps(fn, _mm_set1_ps(0.693145751953125f))),
				      _mm_mul_ps(fn, _mm_set1_ps(1.428606765330187e-06f)));
		__m128 p = _mm_add_ps(_mm_set1_ps(1.3888889e-3f), _mm_mul_ps(r, _mm_set1_ps(1.9841270e-4f)));
		p = _mm_add_ps(_mm_set1_ps(8.3333338e-3f), _mm_mul_ps(r, p));
		p = _mm_add_ps(_mm_set1_ps(4.1666668e-2f), _mm_mul_ps(r, p));
		p = _mm_add_ps(_mm_set1_ps(1.6666667e-1f), _mm_mul_ps(r, p));
		p = _mm_add_ps(_mm_set1_ps(0.5f), _mm_mul_ps(r, p));
		p = _mm_add_ps(_mm_set1_ps(1.0f), _mm_mul_ps(r, p));
		p = _mm_add_ps(_mm_set1_ps(1.0f), _mm_mul_ps(r, p));
		/* below 2^-126: scaled by 2^-64 first; above 2^127: by 2 first */
		__m128i lo = _mm_cmplt_epi32(ni, _mm_set1_epi32(-126));
		__m128 lom = _mm_castsi128_ps(lo);
		p = _mm_or_ps(_mm_and_ps(lom, _mm_mul_ps(p, from_bits_ps(0x1f800000u))), _mm_andnot_ps(lom, p));
		ni = _mm_add_epi32(ni, _mm_and_si128(lo, _mm_set1_epi32(64)));
		__m128i hi = _mm_cmpgt_epi32(ni, _mm_set1_epi32(127));
		__m128 him = _mm_castsi128_ps(hi);
		p = _mm_or_ps(_mm_and_ps(him, _mm_mul_ps(p, _mm_set1_ps(2.0f))), _mm_andnot_ps(him, p));
		ni = _mm_sub_epi32(ni, _mm_and_si128(hi, _mm_set1_epi32(1)));
		__m128 e = _mm_mul_ps(p, _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(ni, _mm_set1_epi32(127)), 23)));
		/* the special cases, as the scalar function takes them: above the overflow bound inf, below the underflow
		 * bound 0, NaN itself */
		__m128 over = _mm_cmpgt_ps(v, _mm_set1_ps(88.72283f)), under = _mm_cmplt_ps(v, _mm_set1_ps(-103.97208f));
		__m128 nan = _mm_cmpunord_ps(v, v);
		e = _mm_or_ps(_mm_and_ps(over, from_bits_ps(0x7f800000u)), _mm_andnot_ps(over, e));
		e = _mm_andnot_ps(under, e);
		e = _mm_or_ps(_mm_and_ps(nan, v), _mm_andnot_ps(nan, e));
		_mm_storeu_ps(y + i, e);
	}
#endif
	for (; i < n; i++)
		y[i] = onnx_expf(x[i] - shift);
}

/*
 * erf in double, rounded once to float, so musl's enclave and glibc's host give the same bits (their erff differ).
 * |x| <= 1: x * A(x^2), A fitted here to erf(sqrt t) / sqrt t on [0, 1] (least squares on Chebyshev nodes,
 * relative, 3.4e-11). 1 < |x| < 4: 1 - exp(-x^2) * B(s), s = (|x| - 2.5) / 1.5, B fitted to erfc(x) exp(x^2) on
 * [1, 4] (6.0e-9); exp(-x^2) as onnx_expf of x^2 rounded to float times 1 - the rounding. |x| >= 4: +-1 (1 - erfc(4)
 * rounds to 1 in float). Within 1 ulp of the double erf over every float (onnx_gemm_test checks it).
 */
float onnx_erff(float x)
{
	static const double A[8] = { 1.1283791670570982, -0.3761263842595719, 0.11283781839099463,
				     -0.026865392124768878, 0.0052209232166809116, -0.00084825077480783773,
				     0.00011254640815737404, -9.6349913733806414e-06 };
	static const double B[13] = { 0.21080636368941655, -0.11152100739281161, 0.056110516530913201,
				      -0.027005669797880449, 0.012489175804626475, -0.0055676501173952328,
				      0.0024040043781334564, -0.0010163813257644018, 0.00040998934391360542,
				      -0.00014469410951190378, 5.9020494591943695e-05, -3.6654948406072974e-05,
				      1.2445648975185908e-05 };
	if (x != x)
		return x;
	double d = x, a = d < 0 ? -d : d, r;
	if (a <= 1.0) {
		double t = d * d, p = A[7];
		for (int k = 6; k >= 0; k--)
			p = p * t + A[k];
		return (float)(d * p); /* odd: -0 stays -0 */
	}
	if (a >= 4.0)
		return x < 0 ? -1.0f : 1.0f;
	double s = (a - 2.5) * (1.0 / 1.5), p = B[12], x2 = a * a; /* x2 exact: a float's square fits a double */
	for (int k = 11; k >= 0; k--)
		p = p * s + B[k];
	float hi = (float)x2;
	r = 1.0 - (double)onnx_expf(-hi) * (1.0 - (x2 - (double)hi)) * p;
	return (float)(x < 0 ? -r : r);
}

float onnx_tanhf(float x)
{
	float a = x < 0 ? -x : x;
	float y;
	if (a < 0.004f)
		y = a * (1.0f - a * a * (1.0f / 3.0f));
	else if (a > 9.0f)
		y = 1.0f;
	else {
		float e = onnx_expf(2.0f * a);
		y = 1.0f - 2.0f / (e + 1.0f);
	}
	return x < 0 ? -y : y;
}

float onnx_sigmoidf(float x)
{
	return 1.0f / (1.0f + onnx_expf(-x));
}
