// SPDX-License-Identifier: MIT
/* 6x16 SGEMM micro-kernel for AVX2+FMA (compiled with -mavx2 -mfma; called only after the CPUID probe). */
#include "onnx_internal.h"

#include <immintrin.h>

void onnx_ukr_avx2(size_t kc, const float *pa, const float *pb, size_t ldb, float *c, size_t ldc, int load_c)
{
	__m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
	if (load_c) {
#define LD(r) c##r##0 = _mm256_loadu_ps(c + r * ldc); c##r##1 = _mm256_loadu_ps(c + r * ldc + 8);
		LD(0) LD(1) LD(2) LD(3) LD(4) LD(5)
#undef LD
	} else {
		c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
	}
	for (size_t k = 0; k < kc; k++) {
		__m256 b0 = _mm256_loadu_ps(pb), b1 = _mm256_loadu_ps(pb + 8), a;
#define FM(r) a = _mm256_broadcast_ss(pa + r); c##r##0 = _mm256_fmadd_ps(a, b0, c##r##0); \
		c##r##1 = _mm256_fmadd_ps(a, b1, c##r##1);
		FM(0) FM(1) FM(2) FM(3) FM(4) FM(5)
#undef FM
		pa += 6;
		pb += ldb;
	}
#define ST(r) _mm256_storeu_ps(c + r * ldc, c##r##0); _mm256_storeu_ps(c + r * ldc + 8, c##r##1);
	ST(0) ST(1) ST(2) ST(3) ST(4) ST(5)
#undef ST
}

/* The one-row kernel (gemm_row_impl.h), 16 columns a panel in two registers */
#define ROW_NAME onnx_ukr_row_avx2
#define ROW_VEC __m256
#define ROW_W 8
#define ROW_LOAD _mm256_loadu_ps
#define ROW_STORE _mm256_storeu_ps
#define ROW_ZERO _mm256_setzero_ps
#define ROW_SET1 _mm256_broadcast_ss
#define ROW_FMA _mm256_fmadd_ps
#include "gemm_row_impl.h"
