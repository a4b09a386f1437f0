// SPDX-License-Identifier: MIT
/*
 * mathf.c's exp, erf, sigmoid and tanh sixteen floats at a time with AVX-512F, for the machines (and enclaves) that
 * have it. Each lane runs the scalar function's operations in its order: this file is built with -ffp-contract=off,
 * so a multiply and an add stay two roundings, never an FMA; conversions round to nearest as the scalar casts do; the
 * branches of the scalar functions become masks. So every lane is bit for bit what the scalar functions give, in
 * every world (onnx_gemm_test compares them over 2^20 bit patterns and the branch edges).
 */
#include "onnx_internal.h"

#include <immintrin.h>

/* AVX-512F has no bitwise float operations (they are AVX-512DQ's): these go through the integer ones. */
static __m512 and_ps(__m512 a, __m512 b)
{
	return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}

static __m512 or_ps(__m512 a, __m512 b)
{
	return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}

static __m512 bits_ps(uint32_t u)
{
	return _mm512_castsi512_ps(_mm512_set1_epi32((int)u));
}

static __m512 sign_ps(void)
{
	return bits_ps(0x80000000u);
}

/* -v in the lanes of m: the sign bit flipped, as C's unary minus (0 - v differs for zeros and NaNs) */
static __m512 neg_ps(__m512 v, __mmask16 m)
{
	__m512i b = _mm512_castps_si512(v);
	return _mm512_castsi512_ps(_mm512_mask_xor_epi32(b, m, b, _mm512_castps_si512(sign_ps())));
}

/* onnx_expf, lane by lane */
static __m512 expf16(__m512 v)
{
	__m512 t = _mm512_mul_ps(v, _mm512_set1_ps(1.44269504f));
	/* (int)(t + 0.5) or (int)(t - 0.5), truncating: the half takes t's sign */
	__m512i ni = _mm512_cvttps_epi32(_mm512_add_ps(t, or_ps(_mm512_set1_ps(0.5f), and_ps(t, sign_ps()))));
	__m512 fn = _mm512_cvtepi32_ps(ni);
	__m512 r = _mm512_sub_ps(_mm512_sub_ps(v, _mm512_mul_ps(fn, _mm512_set1_ps(0.693145751953125f))),
				 _mm512_mul_ps(fn, _mm512_set1_ps(1.428606765330187e-06f)));
	__m512 p = _mm512_set1_ps(onnx_exp_poly[7]);
	for (int k = 6; k >= 0; k--)
		p = _mm512_add_ps(_mm512_set1_ps(onnx_exp_poly[k]), _mm512_mul_ps(r, p));
	/* below 2^-126: scaled by 2^-64 first; above 2^127: by 2 first */
	__mmask16 lo = _mm512_cmplt_epi32_mask(ni, _mm512_set1_epi32(-126));
	p = _mm512_mask_mul_ps(p, lo, p, bits_ps(0x1f800000u));
	ni = _mm512_mask_add_epi32(ni, lo, ni, _mm512_set1_epi32(64));
	__mmask16 hi = _mm512_cmpgt_epi32_mask(ni, _mm512_set1_epi32(127));
	p = _mm512_mask_mul_ps(p, hi, p, _mm512_set1_ps(2.0f));
	ni = _mm512_mask_sub_epi32(ni, hi, ni, _mm512_set1_epi32(1));
	__m512 e = _mm512_mul_ps(p, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(ni, _mm512_set1_epi32(127)),
									  23)));
	/* the scalar function's early returns: above the overflow bound inf, below the underflow bound 0, NaN itself */
	e = _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(v, _mm512_set1_ps(88.72283f), _CMP_GT_OQ), bits_ps(0x7f800000u));
	e = _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(v, _mm512_set1_ps(-103.97208f), _CMP_LT_OQ), _mm512_setzero_ps());
	return _mm512_mask_mov_ps(e, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v);
}

size_t onnx_expf_shifted_avx512(const float *x, float *y, size_t n, float shift)
{
	const __m512 sh = _mm512_set1_ps(shift);
	size_t i = 0;
	for (; i + 16 <= n; i += 16)
		_mm512_storeu_ps(y + i, expf16(_mm512_sub_ps(_mm512_loadu_ps(x + i), sh)));
	return i;
}

/* the two halves of sixteen floats as doubles, and back */
static __m512d lo_pd(__m512 v)
{
	return _mm512_cvtps_pd(_mm512_castps512_ps256(v));
}

static __m512d hi_pd(__m512 v)
{
	return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

static __m512 join_ps(__m512d lo, __m512d hi)
{
	__m512d l = _mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)));
	return _mm512_castpd_ps(_mm512_insertf64x4(l, _mm256_castps_pd(_mm512_cvtpd_ps(hi)), 1));
}

/* onnx_erff for |x| <= 1: x * A(x^2) */
static __m512d erf_small8(__m512d d)
{
	__m512d t = _mm512_mul_pd(d, d), p = _mm512_set1_pd(onnx_erf_a[7]);
	for (int k = 6; k >= 0; k--)
		p = _mm512_add_pd(_mm512_mul_pd(p, t), _mm512_set1_pd(onnx_erf_a[k]));
	return _mm512_mul_pd(d, p);
}

/* onnx_erff for 1 < |x| < 4, on a = |x|: 1 - e (1 - (a^2 - hi)) B(s), hi = a^2 rounded to float, e = exp(-hi) */
static __m512d erf_mid8(__m512d a, __m512d x2, __m512d hi, __m512d e)
{
	__m512d s = _mm512_mul_pd(_mm512_sub_pd(a, _mm512_set1_pd(2.5)), _mm512_set1_pd(1.0 / 1.5));
	__m512d p = _mm512_set1_pd(onnx_erf_b[12]), one = _mm512_set1_pd(1.0);
	for (int k = 11; k >= 0; k--)
		p = _mm512_add_pd(_mm512_mul_pd(p, s), _mm512_set1_pd(onnx_erf_b[k]));
	return _mm512_sub_pd(one, _mm512_mul_pd(_mm512_mul_pd(e, _mm512_sub_pd(one, _mm512_sub_pd(x2, hi))), p));
}

/* onnx_erff, lane by lane; a branch no lane takes is not computed */
static __m512 erff16(__m512 x)
{
	__m512 sx = and_ps(x, sign_ps()), ax = _mm512_abs_ps(x), y = _mm512_setzero_ps();
	__mmask16 small = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(1.0f), _CMP_LE_OQ);
	__mmask16 big = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(4.0f), _CMP_GE_OQ);
	__mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
	__mmask16 mid = (__mmask16)~(small | big | nan);
	if (small)
		y = join_ps(erf_small8(lo_pd(x)), erf_small8(hi_pd(x)));
	if (mid) {
		__m512d alo = lo_pd(ax), ahi = hi_pd(ax);
		__m512d x2lo = _mm512_mul_pd(alo, alo), x2hi = _mm512_mul_pd(ahi, ahi); /* exact */
		__m512 hf = join_ps(x2lo, x2hi), e = expf16(or_ps(hf, sign_ps())) /* -hi */;
		__m512 m = join_ps(erf_mid8(alo, x2lo, lo_pd(hf), lo_pd(e)), erf_mid8(ahi, x2hi, hi_pd(hf), hi_pd(e)));
		y = _mm512_mask_mov_ps(y, mid, or_ps(m, sx));
	}
	y = _mm512_mask_mov_ps(y, big, or_ps(_mm512_set1_ps(1.0f), sx));
	return _mm512_mask_mov_ps(y, nan, x);
}

/* onnx_tanhf, lane by lane: a is x with its sign flipped only where x < 0 (-0 stays -0) */
static __m512 tanhf16(__m512 x)
{
	const __m512 one = _mm512_set1_ps(1.0f);
	__mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
	__m512 a = neg_ps(x, neg);
	__mmask16 small = _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.004f), _CMP_LT_OQ);
	__mmask16 big = _mm512_cmp_ps_mask(a, _mm512_set1_ps(9.0f), _CMP_GT_OQ);
	__m512 e = expf16(_mm512_mul_ps(_mm512_set1_ps(2.0f), a));
	__m512 y = _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one)));
	y = _mm512_mask_mul_ps(y, small, a,
			       _mm512_sub_ps(one, _mm512_mul_ps(_mm512_mul_ps(a, a), _mm512_set1_ps(1.0f / 3.0f))));
	y = _mm512_mask_mov_ps(y, big, one);
	return neg_ps(y, neg);
}

static __m512 sigmoidf16(__m512 x)
{
	const __m512 one = _mm512_set1_ps(1.0f);
	return _mm512_div_ps(one, _mm512_add_ps(one, expf16(neg_ps(x, 0xffff))));
}

size_t onnx_mathf_map_avx512(int fn, const float *x, float *y, size_t n)
{
	const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
	const __m512 rsqrt2 = _mm512_set1_ps(0.70710678118654752f);
	size_t i = 0;
	switch (fn) {
	case ONNX_MATHF_ERF:
		for (; i + 16 <= n; i += 16)
			_mm512_storeu_ps(y + i, erff16(_mm512_loadu_ps(x + i)));
		break;
	case ONNX_MATHF_GELU: /* 0.5 v (1 + erf(v / sqrt 2)), in the scalar expression's order */
		for (; i + 16 <= n; i += 16) {
			__m512 v = _mm512_loadu_ps(x + i);
			v = _mm512_mul_ps(_mm512_mul_ps(half, v), _mm512_add_ps(one, erff16(_mm512_mul_ps(v, rsqrt2))));
			_mm512_storeu_ps(y + i, v);
		}
		break;
	case ONNX_MATHF_SIGMOID:
		for (; i + 16 <= n; i += 16)
			_mm512_storeu_ps(y + i, sigmoidf16(_mm512_loadu_ps(x + i)));
		break;
	default:
		for (; i + 16 <= n; i += 16)
			_mm512_storeu_ps(y + i, tanhf16(_mm512_loadu_ps(x + i)));
		break;
	}
	return i;
}
