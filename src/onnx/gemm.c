// SPDX-License-Identifier: MIT
/* Packed SGEMM (Goto/BLIS loop structure) with a fused bias/activation epilogue; portable 4x16 kernel. */
#include "onnx_internal.h"

#include <math.h>
#include <string.h>

#define PMR 4
#define PNR 16

static void ukr_portable(size_t kc, const float *pa, const float *pb, size_t ldb, float *c, size_t ldc, int load_c)
{
	float acc[PMR][PNR];
	for (int r = 0; r < PMR; r++)
		for (int j = 0; j < PNR; j++)
			acc[r][j] = load_c ? c[r * ldc + j] : 0.0f;
	for (size_t k = 0; k < kc; k++) {
		for (int r = 0; r < PMR; r++) {
			float a = pa[r];
			for (int j = 0; j < PNR; j++)
				acc[r][j] += a * pb[j];
		}
		pa += PMR;
		pb += ldb;
	}
	for (int r = 0; r < PMR; r++)
		for (int j = 0; j < PNR; j++)
			c[r * ldc + j] = acc[r][j];
}

void onnx_gemm_select(struct gemm_kernel *gk, uint32_t disable)
{
	uint32_t f = onnx_cpu_features() & ~disable;
	if (f & CELLA_ONNX_CPU_AVX512)
		*gk = (struct gemm_kernel){ 12, 32, 384, 144, 2048, onnx_ukr_avx512, onnx_ukr_row_avx512, "avx512", 0, 0 };
	else if (f & CELLA_ONNX_CPU_AVX2)
		*gk = (struct gemm_kernel){ 6, 16, 256, 144, 2048, onnx_ukr_avx2, onnx_ukr_row_avx2, "avx2", 0, 0 };
	else
		*gk = (struct gemm_kernel){ PMR, PNR, 256, 128, 2048, ukr_portable, NULL, "portable", 0, 0 };
	gk->dw_avx2 = (f & CELLA_ONNX_CPU_AVX2) != 0;
	gk->avx512 = (f & CELLA_ONNX_CPU_AVX512) != 0;
}

size_t onnx_sgemm_packed_a_floats(const struct gemm_kernel *gk, size_t M, size_t K)
{
	size_t mp = (M + (size_t)gk->mr - 1) / (size_t)gk->mr * (size_t)gk->mr;
	return mp * (K ? K : 1);
}

/* Packs rows [i0, i0+mc) x cols [p0, p0+kc) of A into MR-row panels, each kc x MR, scaled by alpha. */
static void pack_a_block(int mr, size_t mc, size_t kc, const float *A, ptrdiff_t rs, ptrdiff_t cs, float alpha,
			 float *dst)
{
	for (size_t ir = 0; ir < mc; ir += (size_t)mr) {
		size_t rows = mc - ir < (size_t)mr ? mc - ir : (size_t)mr;
		for (size_t k = 0; k < kc; k++) {
			const float *src = A + (ptrdiff_t)ir * rs + (ptrdiff_t)k * cs;
			size_t r = 0;
			for (; r < rows; r++)
				dst[r] = alpha * src[(ptrdiff_t)r * rs];
			for (; r < (size_t)mr; r++)
				dst[r] = 0.0f;
			dst += mr;
		}
	}
}

void onnx_sgemm_pack_a(const struct gemm_kernel *gk, size_t M, size_t K, const float *A, ptrdiff_t rs, ptrdiff_t cs,
		  float alpha, float *dst)
{
	size_t mp = (M + (size_t)gk->mr - 1) / (size_t)gk->mr * (size_t)gk->mr;
	for (size_t pc = 0; pc < K; pc += (size_t)gk->kc) {
		size_t kc = K - pc < (size_t)gk->kc ? K - pc : (size_t)gk->kc;
		pack_a_block(gk->mr, M, kc, A + (ptrdiff_t)pc * cs, rs, cs, alpha, dst + pc * mp);
	}
}

static void pack_b_block(int nr, size_t kc, size_t nc, const float *B, ptrdiff_t rs, ptrdiff_t cs, float *dst)
{
	for (size_t jr = 0; jr < nc; jr += (size_t)nr) {
		size_t cols = nc - jr < (size_t)nr ? nc - jr : (size_t)nr;
		const float *src = B + (ptrdiff_t)jr * cs;
		if (cs == 1 && cols == (size_t)nr) {
			/* a loop, not memcpy: a call per row of nr floats cost more than the copy */
			for (size_t k = 0; k < kc; k++) {
				const float *row = src + (ptrdiff_t)k * rs;
				for (size_t j = 0; j < (size_t)nr; j++)
					dst[j] = row[j];
				dst += nr;
			}
			continue;
		}
		for (size_t k = 0; k < kc; k++) {
			size_t j = 0;
			for (; j < cols; j++)
				dst[j] = src[(ptrdiff_t)k * rs + (ptrdiff_t)j * cs];
			for (; j < (size_t)nr; j++)
				dst[j] = 0.0f;
			dst += nr;
		}
	}
}

size_t onnx_sgemm_packed_b_floats(const struct gemm_kernel *gk, size_t K, size_t N, size_t *np) /* see onnx_internal.h */
{
	*np = (N + (size_t)gk->nr - 1) / (size_t)gk->nr * (size_t)gk->nr;
	return *np * (K ? K : 1);
}

void onnx_sgemm_pack_b(const struct gemm_kernel *gk, size_t K, size_t N, const float *B, ptrdiff_t rs, ptrdiff_t cs,
		       float *dst) /* see onnx_internal.h */
{
	size_t np;
	(void)onnx_sgemm_packed_b_floats(gk, K, N, &np);
	for (size_t pc = 0; pc < K; pc += (size_t)gk->kc) {
		size_t kc = K - pc < (size_t)gk->kc ? K - pc : (size_t)gk->kc;
		pack_b_block(gk->nr, kc, N, B + (ptrdiff_t)pc * rs, rs, cs, dst + pc * np);
	}
}

size_t onnx_sgemm_scratch_floats(const struct gemm_kernel *gk)
{
	return (size_t)gk->mc * (size_t)gk->kc + (size_t)gk->kc * (size_t)gk->nc + (size_t)gk->mr * (size_t)gk->nr +
	       64;
}

static void epilogue(const struct sgemm *s, float *c, size_t i0, size_t j0, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		float *row = c + r * s->ldc;
		if (s->bias_m) {
			float bm = s->bias_m[i0 + r];
			for (size_t j = 0; j < cols; j++)
				row[j] += bm;
		}
		if (s->bias_n)
			for (size_t j = 0; j < cols; j++)
				row[j] += s->bias_n[j0 + j];
		onnx_act_apply(row, cols, s->act, s->act_a, s->act_b);
	}
}

/*
 * A block of A with one row (row ic): its full panels of B with gk->ukr_row, a run of panels from one source at a
 * time (B packed at load, B read in place, the block's packed copy of the rest). Returns the columns done: the
 * partial panel left, if any, goes through the usual path.
 */
static size_t row_panels(const struct gemm_kernel *gk, const struct sgemm *s, const float *ab, const float *bdir,
			 size_t direct, const float *bbuf, size_t ic, size_t jc, size_t pc, size_t nc, size_t kc, int load,
			 int last)
{
	const size_t NR = (size_t)gk->nr, full = nc / NR * NR;
	size_t jr = 0;
	while (jr < full) {
		const float *pb;
		size_t ldb = NR, pstride = NR * kc, end = full;
		if (s->packed_b) {
			pb = s->packed_b + pc * s->packed_np + (s->j_off + jc + jr) * kc;
		} else if (jr < direct) {
			pb = bdir + jr;
			ldb = (size_t)s->b_rs;
			pstride = NR;
			end = direct;
		} else {
			pb = bbuf + (jr - direct) * kc;
		}
		float *c = s->C + ic * s->ldc + jc + jr;
		gk->ukr_row(kc, ab, (size_t)gk->mr, pb, ldb, pstride, c, load, (end - jr) / NR);
		if (last)
			epilogue(s, c, ic, jc + jr, 1, end - jr);
		jr = end;
	}
	return full;
}

void onnx_sgemm_run(const struct gemm_kernel *gk, const struct sgemm *s, float *scratch)
{
	const size_t MR = (size_t)gk->mr, NR = (size_t)gk->nr;
	size_t mp = (s->M + MR - 1) / MR * MR;
	float *abuf = scratch, *bbuf = abuf + (size_t)gk->mc * (size_t)gk->kc;
	float *tile = bbuf + (size_t)gk->kc * (size_t)gk->nc;
	tile = (float *)(((uintptr_t)tile + 63) & ~(uintptr_t)63);
	if (s->M == 0 || s->N == 0)
		return;
	if (s->K == 0) {
		for (size_t i = 0; i < s->M; i++) {
			if (!s->accumulate)
				memset(s->C + i * s->ldc, 0, s->N * sizeof(float));
			epilogue(s, s->C + i * s->ldc, i, 0, 1, s->N);
		}
		return;
	}
	for (size_t jc = 0; jc < s->N; jc += (size_t)gk->nc) {
		size_t nc = s->N - jc < (size_t)gk->nc ? s->N - jc : (size_t)gk->nc;
		for (size_t pc = 0; pc < s->K; pc += (size_t)gk->kc) {
			size_t kc = s->K - pc < (size_t)gk->kc ? s->K - pc : (size_t)gk->kc;
			int last = pc + kc >= s->K;
			int load = s->accumulate || pc > 0;
			/* row-major B with full NR-wide panels is read in place (no packing copy) when A has a few rows;
			 * for more, B packed once a block and read contiguously by every row panel is faster than its
			 * strided rows (a BERT layer's 128-row products: 30 -> 22 ms) */
			size_t direct = 0;
			if (!s->pack_b && !s->packed_b && s->b_cs == 1 && s->b_rs > 0 && s->M <= 2 * MR)
				direct = nc / NR * NR;
			if (s->packed_b)
				; /* packed at load: read in place */
			else if (s->pack_b)
				s->pack_b(s->pack_ctx, pc, kc, s->j_off + jc, nc, gk->nr, bbuf);
			else if (direct < nc)
				pack_b_block(gk->nr, kc, nc - direct,
					     s->B + (ptrdiff_t)pc * s->b_rs + (ptrdiff_t)(jc + direct) * s->b_cs, s->b_rs,
					     s->b_cs, bbuf);
			const float *bdir = direct ? s->B + (ptrdiff_t)pc * s->b_rs + (ptrdiff_t)jc : NULL;
			for (size_t ic = 0; ic < s->M; ic += (size_t)gk->mc) {
				size_t mc = s->M - ic < (size_t)gk->mc ? s->M - ic : (size_t)gk->mc;
				const float *ab;
				if (s->packed_a) {
					ab = s->packed_a + pc * mp + ic * kc;
				} else {
					pack_a_block(gk->mr, mc, kc,
						     s->A + (ptrdiff_t)ic * s->a_rs + (ptrdiff_t)pc * s->a_cs, s->a_rs,
						     s->a_cs, s->alpha, abuf);
					ab = abuf;
				}
				size_t jr0 = mc == 1 && gk->ukr_row ? row_panels(gk, s, ab, bdir, direct, bbuf, ic, jc, pc, nc, kc,
										 load, last)
								     : 0;
				for (size_t jr = jr0; jr < nc; jr += NR) {
					size_t cols = nc - jr < NR ? nc - jr : NR;
					for (size_t ir = 0; ir < mc; ir += MR) {
						size_t rows = mc - ir < MR ? mc - ir : MR;
						float *c = s->C + (ic + ir) * s->ldc + jc + jr;
						const float *pb = s->packed_b ? s->packed_b + pc * s->packed_np +
											(s->j_off + jc + jr) * kc
								  : jr < direct ? bdir + jr : bbuf + (jr - direct) * kc;
						size_t ldb = jr < direct ? (size_t)s->b_rs : NR;
						if (rows == MR && cols == NR) {
							gk->ukr(kc, ab + ir * kc, pb, ldb, c, s->ldc, load);
						} else {
							if (load)
								for (size_t r = 0; r < rows; r++)
									memcpy(tile + r * NR, c + r * s->ldc,
									       cols * sizeof(float));
							gk->ukr(kc, ab + ir * kc, pb, ldb, tile, NR, load);
							for (size_t r = 0; r < rows; r++)
								memcpy(c + r * s->ldc, tile + r * NR,
								       cols * sizeof(float));
						}
						if (last)
							epilogue(s, c, ic + ir, jc + jr, rows, cols);
					}
				}
			}
		}
	}
}
