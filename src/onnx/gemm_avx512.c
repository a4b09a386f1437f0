// SPDX-License-Identifier: MIT
/* 12x32 SGEMM micro-kernel for AVX-512F (compiled with -mavx512f -mfma; called only after the CPUID probe). */
#include "onnx_internal.h"

#include <immintrin.h>

void onnx_ukr_avx512(size_t kc, const float *pa, const float *pb, size_t ldb, float *c, size_t ldc, int load_c)
{
	__m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
	__m512 c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1;
#define R0 0
#define R1 1
#define R2 2
#define R3 3
#define R4 4
#define R5 5
#define R6 6
#define R7 7
#define R8 8
#define R9 9
#define Ra 10
#define Rb 11
#define ALL(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(a) M(b)
	if (load_c) {
#define LD(r) c##r##0 = _mm512_loadu_ps(c + R##r * ldc); c##r##1 = _mm512_loadu_ps(c + R##r * ldc + 16);
		ALL(LD)
#undef LD
	} else {
#define Z(r) c##r##0 = c##r##1 = _mm512_setzero_ps();
		ALL(Z)
#undef Z
	}
	for (size_t k = 0; k < kc; k++) {
		__m512 b0 = _mm512_loadu_ps(pb), b1 = _mm512_loadu_ps(pb + 16), a;
#define FM(r) a = _mm512_set1_ps(pa[R##r]); c##r##0 = _mm512_fmadd_ps(a, b0, c##r##0); \
		c##r##1 = _mm512_fmadd_ps(a, b1, c##r##1);
		ALL(FM)
#undef FM
		pa += 12;
		pb += ldb;
	}
#define ST(r) _mm512_storeu_ps(c + R##r * ldc, c##r##0); _mm512_storeu_ps(c + R##r * ldc + 16, c##r##1);
	ALL(ST)
#undef ST
}

/* The one-row kernel (gemm_row_impl.h), 32 columns a panel in two registers */
#define ROW_NAME onnx_ukr_row_avx512
#define ROW_VEC __m512
#define ROW_W 16
#define ROW_LOAD _mm512_loadu_ps
#define ROW_STORE _mm512_storeu_ps
#define ROW_ZERO _mm512_setzero_ps
#define ROW_SET1(p) _mm512_set1_ps(*(p))
#define ROW_FMA _mm512_fmadd_ps
#include "gemm_row_impl.h"
