/* SPDX-License-Identifier: MIT */
/*
 * One row of A against np panels of B (panel p at pb + p * pstride, its rows ldb apart, 2 * ROW_W columns), into
 * c + p * 2 * ROW_W: for a block of A with one row, where the multi-row kernel would spend most of its work on
 * padding. Included by gemm_avx2.c and gemm_avx512.c with ROW_NAME, the vector type ROW_VEC of ROW_W floats and its
 * ROW_LOAD, ROW_STORE, ROW_ZERO, ROW_SET1 (a broadcast from a pointer) and ROW_FMA. Each element is the same chain
 * of FMAs, in the same k order, as in that file's multi-row kernel (broadcast a, fma(a, b, c)), so a row's result
 * does not depend on how many rows were computed with it. Four panels at a time: eight independent chains hide the
 * FMA latency.
 */
void ROW_NAME(size_t kc, const float *pa, size_t mr, const float *pb, size_t ldb, size_t pstride, float *c,
	      int load_c, size_t np)
{
	const size_t W = ROW_W;
	size_t p = 0;
	for (; p + 4 <= np; p += 4) {
		const float *b = pb + p * pstride, *a = pa;
		float *cc = c + p * 2 * W;
		ROW_VEC x[8];
		for (int i = 0; i < 8; i++)
			x[i] = load_c ? ROW_LOAD(cc + (size_t)i * W) : ROW_ZERO();
		for (size_t k = 0; k < kc; k++) {
			ROW_VEC v = ROW_SET1(a);
			for (int q = 0; q < 4; q++) {
				x[2 * q] = ROW_FMA(v, ROW_LOAD(b + (size_t)q * pstride), x[2 * q]);
				x[2 * q + 1] = ROW_FMA(v, ROW_LOAD(b + (size_t)q * pstride + W), x[2 * q + 1]);
			}
			a += mr;
			b += ldb;
		}
		for (int i = 0; i < 8; i++)
			ROW_STORE(cc + (size_t)i * W, x[i]);
	}
	for (; p < np; p++) {
		const float *b = pb + p * pstride, *a = pa;
		float *cc = c + p * 2 * W;
		ROW_VEC x0 = load_c ? ROW_LOAD(cc) : ROW_ZERO(), x1 = load_c ? ROW_LOAD(cc + W) : ROW_ZERO();
		for (size_t k = 0; k < kc; k++) {
			ROW_VEC v = ROW_SET1(a);
			x0 = ROW_FMA(v, ROW_LOAD(b), x0);
			x1 = ROW_FMA(v, ROW_LOAD(b + W), x1);
			a += mr;
			b += ldb;
		}
		ROW_STORE(cc, x0);
		ROW_STORE(cc + W, x1);
	}
}
