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

/* e^r for |r| <= ln2/2 by its Taylor series to r^7 (relative error < 3e-9): the coefficients from r^0 up */
const float onnx_exp_poly[8] = { 1.0f, 1.0f, 0.5f, 1.6666667e-1f, 4.1666668e-2f, 8.3333338e-3f, 1.3888889e-3f,
				 1.9841270e-4f };

float onnx_expf(float x)
{
	if (x != x)
		return x;
	if (x > 88.72283f)
		return from_bits(0x7f800000u);
	if (x < -103.97208f)
		return 0.0f;
	/* x = n*ln2 + r with |r| <= ln2/2; e^r by onnx_exp_poly */
	float t = x * 1.44269504f;
	int n = (int)(t + (t >= 0 ? 0.5f : -0.5f));
	float fn = (float)n;
	float r = x - fn * 0.693145751953125f - fn * 1.428606765330187e-06f;
	float p = onnx_exp_poly[7];
	for (int k = 6; k >= 0; k--)
		p = onnx_exp_poly[k] + r * p;
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

#if defined(__SSE2__)
/*
 * onnx_expf on four floats with SSE2: the same operations in the same order (no FMA: this file is built without it,
 * and C11 mode contracts nothing), the same rounding of n, the same two rescalings and special cases chosen lane by
 * lane, so every lane is bit for bit the scalar function's.
 */
static __m128 expf_ps(__m128 v)
{
	const __m128 sign = _mm_set1_ps(-0.0f), half = _mm_set1_ps(0.5f);
	__m128 t = _mm_mul_ps(v, _mm_set1_ps(1.44269504f));
	/* (int)(t + 0.5) or (int)(t - 0.5), truncating: the half takes t's sign (-0.0 rounds to 0 either way) */
	__m128i ni = _mm_cvttps_epi32(_mm_add_ps(t, _mm_or_ps(half, _mm_and_ps(t, sign))));
	__m128 fn = _mm_cvtepi32_ps(ni);
	__m128 r = _mm_sub_ps(_mm_sub_ps(v, _mm_mul_ps(fn, _mm_set1_ps(0.693145751953125f))),
			      _mm_mul_ps(fn, _mm_set1_ps(1.428606765330187e-06f)));
	__m128 p = _mm_set1_ps(onnx_exp_poly[7]);
	for (int k = 6; k >= 0; k--)
		p = _mm_add_ps(_mm_set1_ps(onnx_exp_poly[k]), _mm_mul_ps(r, p));
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
	/* the special cases, as the scalar function takes them: above the overflow bound inf, below the underflow bound
	 * 0, NaN itself */
	__m128 over = _mm_cmpgt_ps(v, _mm_set1_ps(88.72283f)), under = _mm_cmplt_ps(v, _mm_set1_ps(-103.97208f));
	__m128 nan = _mm_cmpunord_ps(v, v);
	e = _mm_or_ps(_mm_and_ps(over, from_bits_ps(0x7f800000u)), _mm_andnot_ps(over, e));
	e = _mm_andnot_ps(under, e);
	return _mm_or_ps(_mm_and_ps(nan, v), _mm_andnot_ps(nan, e));
}
#endif

/* y[i] = onnx_expf(x[i] - shift): sixteen at a time with AVX-512 when asked, then four at a time with expf_ps,
 * the tail with the scalar function */
void onnx_expf_shifted(const float *x, float *y, size_t n, float shift, bool avx512)
{
	size_t i = avx512 ? onnx_expf_shifted_avx512(x, y, n, shift) : 0;
#if defined(__SSE2__)
	const __m128 sh = _mm_set1_ps(shift);
	for (; i + 4 <= n; i += 4)
		_mm_storeu_ps(y + i, expf_ps(_mm_sub_ps(_mm_loadu_ps(x + i), sh)));
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
const double onnx_erf_a[8] = { 1.1283791670570982, -0.3761263842595719, 0.11283781839099463,
				 -0.026865392124768878, 0.0052209232166809116, -0.00084825077480783773,
				 0.00011254640815737404, -9.6349913733806414e-06 };
const double onnx_erf_b[13] = { 0.21080636368941655, -0.11152100739281161, 0.056110516530913201,
				  -0.027005669797880449, 0.012489175804626475, -0.0055676501173952328,
				  0.0024040043781334564, -0.0010163813257644018, 0.00040998934391360542,
				  -0.00014469410951190378, 5.9020494591943695e-05, -3.6654948406072974e-05,
				  1.2445648975185908e-05 };

float onnx_erff(float x)
{
	if (x != x)
		return x;
	double d = x, a = d < 0 ? -d : d, r;
	if (a <= 1.0) {
		double t = d * d, p = onnx_erf_a[7];
		for (int k = 6; k >= 0; k--)
			p = p * t + onnx_erf_a[k];
		return (float)(d * p); /* odd: -0 stays -0 */
	}
	if (a >= 4.0)
		return x < 0 ? -1.0f : 1.0f;
	double s = (a - 2.5) * (1.0 / 1.5), p = onnx_erf_b[12], x2 = a * a; /* x2 exact: a float's square fits a double */
	for (int k = 11; k >= 0; k--)
		p = p * s + onnx_erf_b[k];
	float hi = (float)x2;
	r = 1.0 - (double)onnx_expf(-hi) * (1.0 - (x2 - (double)hi)) * p;
	return (float)(x < 0 ? -r : r);
}

#if defined(__SSE2__)
/* The two branches of onnx_erff for |x| <= 4 on two doubles, the operations of the scalar function in its order.
 * small: x * A(x^2); mid: 1 - e * (1 - (x^2 - hi)) * B(s) for |x| (sign applied by the caller), where hi is x^2
 * rounded to float and e is onnx_expf(-hi), both for four lanes, so passed in as doubles. */
static __m128d erf_small_pd(__m128d d)
{
	__m128d t = _mm_mul_pd(d, d), p = _mm_set1_pd(onnx_erf_a[7]);
	for (int k = 6; k >= 0; k--)
		p = _mm_add_pd(_mm_mul_pd(p, t), _mm_set1_pd(onnx_erf_a[k]));
	return _mm_mul_pd(d, p);
}

static __m128d erf_mid_pd(__m128d a, __m128d x2, __m128d hi, __m128d e)
{
	__m128d s = _mm_mul_pd(_mm_sub_pd(a, _mm_set1_pd(2.5)), _mm_set1_pd(1.0 / 1.5)), p = _mm_set1_pd(onnx_erf_b[12]);
	for (int k = 11; k >= 0; k--)
		p = _mm_add_pd(_mm_mul_pd(p, s), _mm_set1_pd(onnx_erf_b[k]));
	__m128d one = _mm_set1_pd(1.0);
	return _mm_sub_pd(one, _mm_mul_pd(_mm_mul_pd(e, _mm_sub_pd(one, _mm_sub_pd(x2, hi))), p));
}

static __m128 cvt2_ps(__m128d lo, __m128d hi)
{
	return _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi));
}

/* onnx_erff on four floats, every lane bit for bit the scalar function's: both branches computed, the lane's chosen */
static __m128 erff_ps(__m128 x)
{
	const __m128 sign = _mm_set1_ps(-0.0f);
	__m128 ax = _mm_andnot_ps(sign, x), sx = _mm_and_ps(sign, x);
	__m128d dlo = _mm_cvtps_pd(x), dhi = _mm_cvtps_pd(_mm_movehl_ps(x, x));
	__m128d alo = _mm_cvtps_pd(ax), ahi = _mm_cvtps_pd(_mm_movehl_ps(ax, ax));
	__m128 small = cvt2_ps(erf_small_pd(dlo), erf_small_pd(dhi));
	__m128d x2lo = _mm_mul_pd(alo, alo), x2hi = _mm_mul_pd(ahi, ahi); /* exact */
	__m128 hf = cvt2_ps(x2lo, x2hi);
	__m128 e = expf_ps(_mm_xor_ps(hf, sign));
	__m128 mid = cvt2_ps(erf_mid_pd(alo, x2lo, _mm_cvtps_pd(hf), _mm_cvtps_pd(e)),
			     erf_mid_pd(ahi, x2hi, _mm_cvtps_pd(_mm_movehl_ps(hf, hf)),
					_mm_cvtps_pd(_mm_movehl_ps(e, e))));
	mid = _mm_or_ps(mid, sx);
	__m128 is_small = _mm_cmple_ps(ax, _mm_set1_ps(1.0f)), is_big = _mm_cmpge_ps(ax, _mm_set1_ps(4.0f));
	__m128 y = _mm_or_ps(_mm_and_ps(is_small, small), _mm_andnot_ps(is_small, mid));
	y = _mm_or_ps(_mm_and_ps(is_big, _mm_or_ps(_mm_set1_ps(1.0f), sx)), _mm_andnot_ps(is_big, y));
	__m128 nan = _mm_cmpunord_ps(x, x);
	return _mm_or_ps(_mm_and_ps(nan, x), _mm_andnot_ps(nan, y));
}
#endif

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

#if defined(__SSE2__)
/* onnx_tanhf on four floats: the three branches computed, the lane's chosen; a is x with its sign flipped only
 * where x < 0, so -0 stays -0 as in the scalar function */
static __m128 tanhf_ps(__m128 x)
{
	const __m128 one = _mm_set1_ps(1.0f);
	__m128 neg = _mm_cmplt_ps(x, _mm_setzero_ps());
	__m128 a = _mm_xor_ps(x, _mm_and_ps(neg, _mm_set1_ps(-0.0f)));
	__m128 small = _mm_mul_ps(a, _mm_sub_ps(one, _mm_mul_ps(_mm_mul_ps(a, a), _mm_set1_ps(1.0f / 3.0f))));
	__m128 e = expf_ps(_mm_mul_ps(_mm_set1_ps(2.0f), a));
	__m128 y = _mm_sub_ps(one, _mm_div_ps(_mm_set1_ps(2.0f), _mm_add_ps(e, one)));
	__m128 is_small = _mm_cmplt_ps(a, _mm_set1_ps(0.004f)), is_big = _mm_cmpgt_ps(a, _mm_set1_ps(9.0f));
	y = _mm_or_ps(_mm_and_ps(is_small, small), _mm_andnot_ps(is_small, y));
	y = _mm_or_ps(_mm_and_ps(is_big, one), _mm_andnot_ps(is_big, y));
	return _mm_xor_ps(y, _mm_and_ps(neg, _mm_set1_ps(-0.0f)));
}

static __m128 sigmoidf_ps(__m128 x)
{
	const __m128 one = _mm_set1_ps(1.0f);
	return _mm_div_ps(one, _mm_add_ps(one, expf_ps(_mm_xor_ps(x, _mm_set1_ps(-0.0f)))));
}
#endif

float onnx_mathf1(int fn, float v)
{
	switch (fn) {
	case ONNX_MATHF_ERF: return onnx_erff(v);
	case ONNX_MATHF_GELU: return 0.5f * v * (1.0f + onnx_erff(v * 0.70710678118654752f));
	case ONNX_MATHF_SIGMOID: return onnx_sigmoidf(v);
	default: return onnx_tanhf(v);
	}
}

void onnx_mathf_map(int fn, const float *x, float *y, size_t n, bool avx512)
{
	size_t i = avx512 ? onnx_mathf_map_avx512(fn, x, y, n) : 0;
#if defined(__SSE2__)
	const __m128 half = _mm_set1_ps(0.5f), one = _mm_set1_ps(1.0f), rsqrt2 = _mm_set1_ps(0.70710678118654752f);
	/* one loop per function: no dispatch inside the loop */
	switch (fn) {
	case ONNX_MATHF_ERF:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(y + i, erff_ps(_mm_loadu_ps(x + i)));
		break;
	case ONNX_MATHF_GELU:
		for (; i + 4 <= n; i += 4) {
			__m128 v = _mm_loadu_ps(x + i);
			_mm_storeu_ps(y + i, _mm_mul_ps(_mm_mul_ps(half, v), _mm_add_ps(one, erff_ps(_mm_mul_ps(v, rsqrt2)))));
		}
		break;
	case ONNX_MATHF_SIGMOID:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(y + i, sigmoidf_ps(_mm_loadu_ps(x + i)));
		break;
	default:
		for (; i + 4 <= n; i += 4)
			_mm_storeu_ps(y + i, tanhf_ps(_mm_loadu_ps(x + i)));
		break;
	}
#endif
	for (; i < n; i++)
		y[i] = onnx_mathf1(fn, x[i]);
}
