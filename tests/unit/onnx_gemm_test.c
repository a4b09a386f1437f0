// SPDX-License-Identifier: MIT
/* Packed SGEMM: every micro-kernel the CPU offers against a naive product, over awkward sizes and options. */
#include "cella_test.h"
#include "onnx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t seed = 1;
static float rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return (float)(seed >> 8) / 16777216.0f - 0.5f;
}

/* Row i of s's product alone (M = 1; with packed_b, B packed as at load), from the initial C values init, into c1:
 * the same bits as row i of want, where s computed all M rows. */
static void rows_alone(const struct gemm_kernel *gk, const struct sgemm *s, size_t i, const float *init,
		       const float *want, float *c1, const float *packed_b, size_t np)
{
	float *scr = aligned_alloc(64, (onnx_sgemm_scratch_floats(gk) * 4 + 63) & ~(size_t)63);
	struct sgemm r = *s;
	CT_ASSERT(scr);
	r.M = 1;
	r.A = (const float *)s->A + (ptrdiff_t)i * s->a_rs;
	r.C = c1;
	r.bias_m = s->bias_m ? s->bias_m + i : NULL;
	r.packed_a = NULL;
	r.packed_b = packed_b;
	r.packed_np = np;
	memcpy(c1, init + i * s->N, s->N * 4);
	onnx_sgemm_run(gk, &r, scr);
	if (memcmp(c1, want + i * s->N, s->N * 4) != 0)
		cella_test_fail(__FILE__, __LINE__, "%s M%zu N%zu K%zu: row %zu alone%s differs from the same row among all",
				gk->name, s->M, s->N, s->K, i, packed_b ? " (B packed at load)" : "");
	free(scr);
}

static void check(const struct gemm_kernel *gk, size_t M, size_t N, size_t K, int ta, int tb, int acc, int bias,
		  int act, int prepack)
{
	float *A = malloc((M * K + 1) * 4), *B = malloc((K * N + 1) * 4), *C = malloc((M * N + 1) * 4),
	      *R = malloc((M * N + 1) * 4), *bm = malloc((M + 1) * 4), *bn = malloc((N + 1) * 4),
	      *C0 = malloc((M * N + 1) * 4), *R0 = malloc((M * N + 1) * 4);
	float *scr = aligned_alloc(64, (onnx_sgemm_scratch_floats(gk) * 4 + 63) & ~(size_t)63);
	float *pa = aligned_alloc(64, (onnx_sgemm_packed_a_floats(gk, M, K) * 4 + 63) & ~(size_t)63);
	CT_ASSERT(A && B && C && R && bm && bn && scr && pa && C0 && R0);
	for (size_t i = 0; i < M * K; i++)
		A[i] = rnd();
	for (size_t i = 0; i < K * N; i++)
		B[i] = rnd();
	for (size_t i = 0; i < M * N; i++)
		R0[i] = C0[i] = C[i] = R[i] = rnd();
	for (size_t i = 0; i < M; i++)
		bm[i] = rnd();
	for (size_t i = 0; i < N; i++)
		bn[i] = rnd();
	float alpha = 0.75f;
	for (size_t i = 0; i < M; i++)
		for (size_t j = 0; j < N; j++) {
			double s = 0;
			for (size_t k = 0; k < K; k++)
				s += (double)(ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
			float v = alpha * (float)s + (acc ? R[i * N + j] : 0.0f);
			if (bias)
				v += bm[i] + bn[j];
			if (act == ACT_RELU)
				v = v > 0 ? v : 0;
			if (act == ACT_CLIP)
				v = v < -0.1f ? -0.1f : v > 0.2f ? 0.2f : v;
			R[i * N + j] = v;
		}
	struct sgemm s = { 0 };
	s.M = M;
	s.N = N;
	s.K = K;
	s.A = A;
	s.a_rs = ta ? 1 : (ptrdiff_t)K;
	s.a_cs = ta ? (ptrdiff_t)M : 1;
	s.B = B;
	s.b_rs = tb ? 1 : (ptrdiff_t)N;
	s.b_cs = tb ? (ptrdiff_t)K : 1;
	s.C = C;
	s.ldc = N;
	s.alpha = alpha;
	s.accumulate = acc;
	s.bias_m = bias ? bm : NULL;
	s.bias_n = bias ? bn : NULL;
	s.act = act;
	s.act_a = -0.1f;
	s.act_b = 0.2f;
	if (prepack) {
		onnx_sgemm_pack_a(gk, M, K, A, s.a_rs, s.a_cs, alpha, pa);
		s.packed_a = pa;
	}
	onnx_sgemm_run(gk, &s, scr);
	for (size_t i = 0; i < M * N; i++)
		if (!(fabsf(C[i] - R[i]) <= 1e-4f + 1e-4f * fabsf(R[i])))
			cella_test_fail(__FILE__, __LINE__, "%s M%zu N%zu K%zu ta%d tb%d acc%d bias%d act%d pp%d: C[%zu]=%g want %g",
					gk->name, M, N, K, ta, tb, acc, bias, act, prepack, i, C[i], R[i]);
	/* each row alone (M = 1: the kernels' one-row form, where there is one) gives the bits it has among all M rows,
	 * with B read in place or packed per block */
	float *C1 = malloc((N + 1) * 4);
	CT_ASSERT(C1);
	for (size_t i = 0; i < M; i++)
		rows_alone(gk, &s, i, C0, C, C1, NULL, 0);
	if (prepack) {
		/* B packed as at load (MatMul's and Gemm's constant B): the same sums in the same order, so C bit for
		 * bit; run in two column parts as a thread split makes them (j_off into the packed B) */
		size_t np, nb = onnx_sgemm_packed_b_floats(gk, K, N, &np), n1 = N > (size_t)gk->nr ? (size_t)gk->nr : N;
		float *pb = aligned_alloc(64, (nb * 4 + 63) & ~(size_t)63);
		CT_ASSERT(pb && np % (size_t)gk->nr == 0 && np >= N && np < N + (size_t)gk->nr);
		onnx_sgemm_pack_b(gk, K, N, B, s.b_rs, s.b_cs, pb);
		struct sgemm part = s;
		part.B = NULL;
		part.packed_b = pb;
		part.packed_np = np;
		part.C = C0;
		part.N = n1;
		onnx_sgemm_run(gk, &part, scr);
		part.C = C0 + n1;
		part.N = N - n1;
		part.j_off = n1;
		if (part.bias_n)
			part.bias_n += n1;
		onnx_sgemm_run(gk, &part, scr);
		if (memcmp(C0, C, M * N * 4) != 0)
			cella_test_fail(__FILE__, __LINE__, "%s M%zu N%zu K%zu ta%d tb%d: B packed at load differs", gk->name,
					M, N, K, ta, tb);
		for (size_t i = 0; i < M; i++)
			rows_alone(gk, &s, i, R0, C, C1, pb, np);
		free(pb);
	}
	free(A);
	free(B);
	free(C);
	free(R);
	free(C0);
	free(C1);
	free(R0);
	free(bm);
	free(bn);
	free(scr);
	free(pa);
}

/* a and b are the same bits, or both NaN: the compiler may fold the scalar functions' sign flips and additions
 * around a NaN (-x + 1 into 1 - x), which keeps it a NaN but not its sign */
static int same_float(float a, float b)
{
	return memcmp(&a, &b, sizeof(a)) == 0 || (a != a && b != b);
}

int main(void)
{
	uint32_t feats = onnx_cpu_features();
	static const size_t sizes[][3] = { { 1, 1, 1 },   { 7, 17, 5 },   { 6, 16, 256 }, { 13, 33, 300 },
					   { 145, 70, 9 }, { 12, 32, 385 }, { 3, 2049, 4 }, { 50, 1, 27 },
					   { 4, 5, 0 },    { 1, 200, 400 }, { 1, 2100, 20 }, { 2, 100, 50 } };
	uint32_t disables[3] = { ~0u, CELLA_ONNX_CPU_AVX512, 0 };
	for (int d = 0; d < 3; d++) {
		struct gemm_kernel gk;
		onnx_gemm_select(&gk, disables[d]);
		if (d == 1 && !(feats & CELLA_ONNX_CPU_AVX2))
			continue;
		if (d == 2 && !(feats & CELLA_ONNX_CPU_AVX512))
			continue;
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			for (int v = 0; v < 8; v++)
				check(&gk, sizes[i][0], sizes[i][1], sizes[i][2], v & 1, (v >> 1) & 1, (v >> 2) & 1, v & 1,
				      v % 3 == 0 ? ACT_NONE : v % 3 == 1 ? ACT_RELU : ACT_CLIP, (v >> 1) & 1);
		cella_test_pass(gk.name);
	}
	/* deterministic math helpers */
	CT_ASSERT(onnx_expf(0.0f) == 1.0f);
	CT_ASSERT(fabsf(onnx_expf(1.0f) - 2.7182817f) < 1e-6f);
	CT_ASSERT(onnx_expf(-200.0f) == 0.0f && isinf(onnx_expf(200.0f)));
	for (float x = -20; x < 20; x += 0.37f) {
		CT_ASSERT(fabsf(onnx_expf(x) - expf(x)) <= 2e-7f * expf(x));
		CT_ASSERT(fabsf(onnx_tanhf(x) - tanhf(x)) <= 1e-6f);
	}
	/* erf, the same in every world: within 1 ulp of the double erf rounded, over every 1031st float from 0 to past
	 * 4 (beyond, 1), odd (so -0 stays -0), NaN kept, +-1 at the infinities */
	{
		uint32_t top;
		float four = 4.5f;
		memcpy(&top, &four, 4);
		for (uint32_t u = 0; u <= top; u += 1031) {
			float x, want, got, ulp;
			memcpy(&x, &u, 4);
			want = (float)erf((double)x);
			got = onnx_erff(x);
			ulp = nextafterf(want, INFINITY) - want;
			if (!(fabsf(got - want) <= ulp) || onnx_erff(-x) != -got)
				cella_test_fail(__FILE__, __LINE__, "onnx_erff(%a) = %a, erf rounded %a", (double)x, (double)got,
						(double)want);
		}
		float nz = onnx_erff(-0.0f), nan = onnx_erff(NAN);
		CT_ASSERT(nz == 0.0f && signbit(nz) && nan != nan);
		CT_ASSERT(onnx_erff(INFINITY) == 1.0f && onnx_erff(-INFINITY) == -1.0f && onnx_erff(4.0f) == 1.0f);
		CT_ASSERT(onnx_erff(1.0f) == 0.84270079f && onnx_erff(0.5f) == 0.52049988f);
	}
	/* the vector exp, erf, Gelu, sigmoid and tanh are the scalar expressions bit for bit (a NaN for a NaN), in SSE2 and (where the CPU has it)
	 * AVX-512: every 2^12th float bit pattern (both signs, NaNs, infinities, subnormals; runs of neighbours, so
	 * whole vectors fall in one branch of erf), the range's edges and their neighbours, shifts that move values
	 * across them, erf's branch edges (|x| = 1 and 4) and values whose x / sqrt 2 lands on them, tanh's (0.004, 9), signed zeros; lengths that leave
	 * every kind of tail (16- and 4-wide blocks, scalar); Gelu also in place */
	{
		enum { N = (1 << 20) + 512 };
		float *xs = malloc(N * sizeof(float)), *ys = malloc(N * sizeof(float));
		static const float edges[] = { 88.72283f, -103.97208f, 88.7228f, 88.72284f, -103.972f, -103.97209f,
					       -87.33655f, -87.3365f, 0.0f, -0.0f, 0.5f * 0.6931472f, -0.5f * 0.6931472f,
					       1e-30f, -1e-30f, 89.0f, -104.0f, -126.0f * 0.6931472f, 127.5f * 0.6931472f,
					       1.0f, -1.0f, 4.0f, -4.0f, 1.4142135f, -1.4142135f, 5.656854f, 2.5f, -2.5f,
					       1e-20f, -3.9999998f, 0.004f, -0.004f, 9.0f, -9.0f, 1e-40f, -1e-40f };
		static const float shifts[] = { 0.0f, 10.0f, -5.5f, 100.0f };
		size_t n = 0, tails[] = { 0, 1, 2, 3, 5, 15, 17 };
		int wides = (onnx_cpu_features() & CELLA_ONNX_CPU_AVX512) ? 2 : 1;
		CT_ASSERT(xs && ys);
		for (uint64_t u = 0; u < (1ull << 32) && n + 512 < N; u += 4096) {
			uint32_t b = (uint32_t)u;
			memcpy(&xs[n++], &b, 4);
		}
		for (size_t k = 0; k < sizeof(edges) / sizeof(edges[0]); k++) {
			xs[n++] = edges[k];
			xs[n++] = nextafterf(edges[k], INFINITY);
			xs[n++] = nextafterf(edges[k], -INFINITY);
		}
		/* near x * log2(e) = k + 1/2, where n rounds half away from zero (not to even) */
		for (int k = -100; k < 100; k += 3) {
			float x0 = ((float)k + 0.5f) / 1.44269504f;
			xs[n++] = x0;
			xs[n++] = nextafterf(x0, INFINITY);
			xs[n++] = nextafterf(x0, -INFINITY);
		}
		CT_ASSERT(n <= N);
		for (int wide = 0; wide < wides; wide++)
			for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
				size_t len = n - tails[t];
				for (size_t s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s++) {
					onnx_expf_shifted(xs, ys, len, shifts[s], wide);
					/* through a volatile, so that x - 0 is not folded to x: the subtraction quiets a
					 * signalling NaN, in the engine as in the vector forms */
					volatile float shift = shifts[s];
					for (size_t i = 0; i < len; i++) {
						float want = onnx_expf(xs[i] - shift);
						if (!same_float(want, ys[i]))
							cella_test_fail(__FILE__, __LINE__,
									"onnx_expf_shifted(%a - %g, avx512 %d) = %a, scalar %a",
									(double)xs[i], (double)shifts[s], wide, (double)ys[i],
									(double)want);
					}
				}
				for (int fn = ONNX_MATHF_ERF; fn <= ONNX_MATHF_TANH; fn++) {
					onnx_mathf_map(fn, xs, ys, len, wide);
					for (size_t i = 0; i < len; i++) {
						float v = xs[i], want = fn == ONNX_MATHF_ERF ? onnx_erff(v)
								      : fn == ONNX_MATHF_GELU
									  ? 0.5f * v * (1.0f + onnx_erff(v * 0.70710678118654752f))
								      : fn == ONNX_MATHF_SIGMOID ? onnx_sigmoidf(v)
												 : onnx_tanhf(v);
						if (!same_float(want, ys[i]))
							cella_test_fail(__FILE__, __LINE__,
									"onnx_mathf_map(%d, %a, avx512 %d) = %a, scalar %a", fn,
									(double)v, wide, (double)ys[i], (double)want);
					}
				}
			}
		for (int wide = 0; wide < wides; wide++) {
			memcpy(ys, xs, n * sizeof(float));
			onnx_mathf_map(ONNX_MATHF_GELU, ys, ys, n, wide);
			for (size_t i = 0; i < n; i++) {
				float v = xs[i], want = 0.5f * v * (1.0f + onnx_erff(v * 0.70710678118654752f));
				if (!same_float(want, ys[i]))
					cella_test_fail(__FILE__, __LINE__, "onnx_mathf_map in place (%a) = %a, scalar %a",
							(double)v, (double)ys[i], (double)want);
			}
		}
		if (wides == 1)
			printf("# mathf: this CPU has no AVX-512F; its vector forms were not compared\n");
		free(xs);
		free(ys);
	}
	cella_test_pass("mathf");
	return 0;
}
