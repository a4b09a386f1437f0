// SPDX-License-Identifier: MIT
/* The integer-quantization operators onnxruntime's QOperator quantizers emit: DynamicQuantizeLinear, MatMulInteger,
 * ConvInteger, QLinearMatMul, QLinearConv. Written for correctness first.
 *
 * Products are exact in int32 (operands are 8-bit values less their zero points, 9 bits); sums are int32 and wrap
 * on overflow, which ONNX allows ("accumulation may overflow if and only if in 32 bits") and onnxruntime does.
 * Requantization follows onnxruntime's (and QuantizeLinear's): the multiplier a_scale * b_scale / y_scale in float,
 * float(sum) times it in float, rounded half to even, plus the output's zero point, saturated. */
#include "onnx_internal.h"

#include <string.h>

/* The operand types of these operators: int8 and uint8 (float8 and int4, which later versions add, are refused
 * when the model loads). */
static cella_result need_q8(struct exec *x, const struct tensor *t, const char *what)
{
	if (t->dtype != CELLA_ONNX_INT8 && t->dtype != CELLA_ONNX_UINT8)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%s of type %s is not supported (int8 or uint8)", what,
				    onnx_tname(t->dtype));
	return CELLA_OK;
}

/* A zero point has its operand's type (T1 for a and x, T2 for b and w, T3 for y). */
static cella_result need_zp_type(struct exec *x, const struct tensor *zp, const struct tensor *t, const char *what)
{
	if (zp && zp->dtype != t->dtype)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "%s of type %s, its input of type %s", what, onnx_tname(zp->dtype),
				    onnx_tname(t->dtype));
	return CELLA_OK;
}

/* Scales are float (float16 and bfloat16 ones, which QLinearMatMul-21 adds, are held as float). */
static cella_result need_scale(struct exec *x, const struct tensor *s, const char *what)
{
	if (s->dtype != CELLA_ONNX_FLOAT)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%s of type %s is not supported (float only)", what,
				    onnx_tname(s->dtype));
	return CELLA_OK;
}

/* One value for the whole tensor: a scalar or a one-element vector. */
static int per_tensor(const struct tensor *p)
{
	return p->rank == 0 || (p->rank == 1 && p->dims[0] == 1);
}

static cella_result need_per_tensor(struct exec *x, const struct tensor *p, const char *what)
{
	if (p && !per_tensor(p))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d with %lld values: a scalar or one value",
				    what, p->rank, (long long)onnx_dims_prod(p->dims, p->rank));
	return CELLA_OK;
}

/* A parameter's element: the only one, or element i of a per-row/column/channel one. */
static int64_t param_i(const struct tensor *p, int per, int64_t i)
{
	return p ? onnx_get_i(p->data, p->dtype, per ? (size_t)i : 0) : 0;
}

static float param_f(const struct tensor *p, int per, int64_t i)
{
	return ((const float *)p->data)[per ? i : 0];
}

/* ------------------------------------------------------------------ DynamicQuantizeLinear */

/*
 * y_scale = (max(0, max(x)) - min(0, min(x))) / 255, y_zero_point = saturate(round(0 - min / y_scale)),
 * y = saturate(round(x / y_scale) + y_zero_point), rounding half to even, in float as the ONNX definition computes.
 * The formula divides by zero when x is all zeros (or empty); the scale is then 1 and the zero point 0, as in
 * onnxruntime, so y is all zeros and y_scale stays usable by a DequantizeLinear. NaN elements are left out of the
 * range and quantize to 0.
 */
static cella_result op_dynamic_quantize(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *y, *ys, *yz;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->dtype != CELLA_ONNX_FLOAT)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s is not supported (float only)",
				    onnx_tname(a->dtype));
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_UINT8, a->rank, a->dims, &y)) != CELLA_OK ||
	    (r = onnx_op_out(x, n, 1, CELLA_ONNX_FLOAT, 0, NULL, &ys)) != CELLA_OK ||
	    (r = onnx_op_out(x, n, 2, CELLA_ONNX_UINT8, 0, NULL, &yz)) != CELLA_OK || onnx_op_dry(x))
		return r;
	const float *xv = a->data;
	size_t count = onnx_tensor_count(a);
	float lo = 0, hi = 0;
	for (size_t i = 0; i < count; i++) {
		if (xv[i] < lo)
			lo = xv[i];
		if (xv[i] > hi)
			hi = xv[i];
	}
	float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
	/* an infinite range gives an infinite scale: the zero point's NaN (inf / inf) quantizes to 0 */
	onnx_quant_put(yz->data, CELLA_ONNX_UINT8, 0, (double)((0.0f - lo) / scale), 0);
	int64_t zp = ((const uint8_t *)yz->data)[0];
	*(float *)ys->data = scale;
	for (size_t i = 0; i < count; i++)
		onnx_quant_put(y->data, CELLA_ONNX_UINT8, i, (double)(xv[i] / scale), zp);
	return CELLA_OK;
}

/* ------------------------------------------------------------------ integer products */

/* C[M, N] = A[M, K] B[K, N] in int32, each sum wrapping (computed in uint32, whose overflow is defined; the int32
 * elements are read and written through their unsigned type, which C11 6.5p7 allows). */
static void igemm(int64_t M, int64_t N, int64_t K, const int32_t *A, const int32_t *B, int32_t *C)
{
	for (int64_t i = 0; i < M; i++) {
		uint32_t *c = (uint32_t *)(C + i * N);
		memset(c, 0, (size_t)N * sizeof(*c));
		for (int64_t k = 0; k < K; k++) {
			uint32_t av = (uint32_t)A[i * K + k];
			const int32_t *b = B + k * N;
			if (av == 0)
				continue;
			for (int64_t j = 0; j < N; j++)
				c[j] += av * (uint32_t)b[j];
		}
	}
}

/* Scratch of at least count int32s (slot as onnx_op_scratch). */
static int32_t *iscratch(struct exec *x, int slot, int64_t count)
{
	return onnx_op_scratch(x, slot, (size_t)(count > 16 ? count : 16) * sizeof(int32_t));
}

/*
 * How a zero point or scale p of matrix operand t applies, as numpy.matmul's operands: per tensor (*per = 0), or
 * (*per = 1) per row of a (rows = 1: [M] for a matrix, [..., M, 1] of a's rank) or per column of b (rows = 0: [N],
 * [..., 1, N]). Element (row or column) i of t's matrix mi is then p's element mi * lines + i.
 */
static cella_result mm_param(struct exec *x, const struct tensor *p, const struct tensor *t, int rows,
			     const char *what, int *per)
{
	*per = 0;
	if (!p || per_tensor(p))
		return CELLA_OK;
	if (t->rank >= 2) {
		int line = rows ? t->rank - 2 : t->rank - 1, ok = p->rank == t->rank;
		if (t->rank == 2 && p->rank == 1 && p->dims[0] == t->dims[line]) {
			*per = 1;
			return CELLA_OK;
		}
		for (int d = 0; ok && d < t->rank; d++)
			ok = p->dims[d] == (d == line || d < t->rank - 2 ? t->dims[d] : 1);
		if (ok) {
			*per = 1;
			return CELLA_OK;
		}
	}
	return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d with %lld values for an input of rank %d: "
			    "expected one value or one per %s", what, p->rank, (long long)onnx_dims_prod(p->dims, p->rank),
			    t->rank, rows ? "row ([M] or [..., M, 1])" : "column ([N] or [..., 1, N])");
}

/* Matrix mi [R, Cn] of t less its zero point (per tensor, or per row when rows, else per column) into dst. */
static void mm_center(const struct tensor *t, int64_t mi, int64_t R, int64_t Cn, const struct tensor *zp, int per,
		      int rows, int32_t *dst)
{
	size_t base = (size_t)(mi * R * Cn);
	for (int64_t r = 0; r < R; r++)
		for (int64_t c = 0; c < Cn; c++) {
			int64_t z = param_i(zp, per, rows ? mi * R + r : mi * Cn + c);
			dst[r * Cn + c] = (int32_t)(onnx_get_i(t->data, t->dtype, base + (size_t)(r * Cn + c)) - z);
		}
}

/* The quantized matrix operands of MatMulInteger (inputs 0, 1, zero points 2, 3) and QLinearMatMul (0, 3; 2, 5). */
struct qmm {
	const struct tensor *a, *b, *za, *zb;
	int pa, pb; /* zero points per row of a, per column of b */
	struct onnx_mm mm;
};

static cella_result qmm_check(struct exec *x, struct qmm *q)
{
	cella_result r;
	if ((r = need_q8(x, q->a, "input A")) != CELLA_OK || (r = need_q8(x, q->b, "input B")) != CELLA_OK ||
	    (r = need_zp_type(x, q->za, q->a, "a_zero_point")) != CELLA_OK ||
	    (r = need_zp_type(x, q->zb, q->b, "b_zero_point")) != CELLA_OK)
		return r;
	if (onnx_matmul_shape(q->a, q->b, &q->mm) != CELLA_OK) {
		char da[ONNX_DIMS_STR], db[ONNX_DIMS_STR];
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "A %s and B %s do not multiply as numpy.matmul",
				    onnx_dims_str(q->a, da, sizeof(da)), onnx_dims_str(q->b, db, sizeof(db)));
	}
	if ((r = mm_param(x, q->za, q->a, 1, "a_zero_point", &q->pa)) != CELLA_OK)
		return r;
	return mm_param(x, q->zb, q->b, 0, "b_zero_point", &q->pb);
}

/* Runs f(ctx, batch, oa, ob, acc) on the int32 sums [M, N] of each batch of the product (acc: scratch slot 2 unless
 * out, the int32 output itself, is given). */
typedef void (*qmm_sink)(const void *ctx, const struct qmm *q, int64_t bi, int64_t oa, int64_t ob, const int32_t *acc);

static cella_result qmm_run(struct exec *x, const struct qmm *q, int32_t *out, qmm_sink f, const void *ctx)
{
	int64_t M = q->mm.M, K = q->mm.K, N = q->mm.N;
	int32_t *A = iscratch(x, 0, M * K), *B = iscratch(x, 1, K * N), *C = out ? NULL : iscratch(x, 2, M * N);
	if (!A || !B || (!out && !C))
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int64_t bi = 0; bi < q->mm.batches; bi++) {
		int64_t oa, ob;
		int32_t *acc = out ? out + bi * M * N : C;
		onnx_matmul_batch(&q->mm, bi, &oa, &ob);
		mm_center(q->a, oa, M, K, q->za, q->pa, 1, A);
		mm_center(q->b, ob, K, N, q->zb, q->pb, 0, B);
		igemm(M, N, K, A, B, acc);
		if (f)
			f(ctx, q, bi, oa, ob, acc);
	}
	return CELLA_OK;
}

/* Y = (A - a_zero_point) (B - b_zero_point) in int32, numpy.matmul's broadcasting. */
static cella_result op_matmul_integer(struct exec *x, struct node *n)
{
	struct qmm q = { onnx_op_in(x, n, 0), onnx_op_in(x, n, 1), onnx_op_in(x, n, 2), onnx_op_in(x, n, 3), 0, 0,
			 { 0 } };
	struct tensor *y;
	cella_result r;
	if (!q.a || !q.b)
		return CELLA_ERR_MODEL;
	if ((r = qmm_check(x, &q)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT32, q.mm.outr, q.mm.outd, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	return qmm_run(x, &q, y->data, NULL, NULL);
}

/* The output side of QLinearMatMul and QLinearConv: a scale per tensor, a zero point per tensor whose type
 * (int8 or uint8) is the output's. */
static cella_result qout_check(struct exec *x, const struct tensor *ys, const struct tensor *yz)
{
	cella_result r;
	if (!yz)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 'y_zero_point' is absent: it gives the output's type");
	if ((r = need_scale(x, ys, "y_scale")) != CELLA_OK || (r = need_q8(x, yz, "y_zero_point")) != CELLA_OK ||
	    (r = need_per_tensor(x, ys, "y_scale")) != CELLA_OK || (r = need_per_tensor(x, yz, "y_zero_point")) != CELLA_OK)
		return r;
	return CELLA_OK;
}

struct qlmm {
	const struct tensor *sa, *sb, *sy, *zy;
	int psa, psb;
	struct tensor *y;
};

/* Requantizes one batch's sums into y. */
static void qlmm_sink(const void *vctx, const struct qmm *q, int64_t bi, int64_t oa, int64_t ob, const int32_t *acc)
{
	const struct qlmm *c = vctx;
	int64_t M = q->mm.M, N = q->mm.N, zy = param_i(c->zy, 0, 0);
	float sy = param_f(c->sy, 0, 0);
	for (int64_t i = 0; i < M; i++)
		for (int64_t j = 0; j < N; j++) {
			float mult = param_f(c->sa, c->psa, oa * M + i) * param_f(c->sb, c->psb, ob * N + j) / sy;
			onnx_quant_put(c->y->data, c->y->dtype, (size_t)((bi * M + i) * N + j),
				       (double)((float)acc[i * N + j] * mult), zy);
		}
}

/* QLinearMatMul-10 and -21 (which adds float16/bfloat16 scales, held as float, and float8 operands, refused):
 * y = saturate(round((a - a_zero_point) (b - b_zero_point) * a_scale * b_scale / y_scale) + y_zero_point). */
static cella_result op_qlinear_matmul(struct exec *x, struct node *n)
{
	struct qmm q = { onnx_op_in(x, n, 0), onnx_op_in(x, n, 3), onnx_op_in(x, n, 2), onnx_op_in(x, n, 5), 0, 0,
			 { 0 } };
	struct qlmm c = { onnx_op_in(x, n, 1), onnx_op_in(x, n, 4), onnx_op_in(x, n, 6), onnx_op_in(x, n, 7), 0, 0,
			  NULL };
	cella_result r;
	if (!q.a || !q.b || !c.sa || !c.sb || !c.sy)
		return CELLA_ERR_MODEL;
	if ((r = qmm_check(x, &q)) != CELLA_OK || (r = need_scale(x, c.sa, "a_scale")) != CELLA_OK ||
	    (r = need_scale(x, c.sb, "b_scale")) != CELLA_OK || (r = qout_check(x, c.sy, c.zy)) != CELLA_OK ||
	    (r = mm_param(x, c.sa, q.a, 1, "a_scale", &c.psa)) != CELLA_OK ||
	    (r = mm_param(x, c.sb, q.b, 0, "b_scale", &c.psb)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, c.zy->dtype, q.mm.outr, q.mm.outd, &c.y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	return qmm_run(x, &q, NULL, qlmm_sink, &c);
}

/* ------------------------------------------------------------------ integer convolutions */

/* Rows of the column matrix for one group: row (c, kernel offset), column p = output position, each element
 * x - x_zero_point, 0 where the window lies in the padding (the ONNX definition subtracts the zero point first, so
 * the padding is the zero point). base is the group's first element in x. */
static void im2col_q(const struct onnx_win *w, const struct tensor *xt, size_t base, int64_t cg, int64_t xz,
		     int32_t *col)
{
	int64_t insp = onnx_dims_prod(w->in, w->nsp), outsp = onnx_dims_prod(w->out, w->nsp);
	int64_t ksp = onnx_dims_prod(w->k, w->nsp), ko[ONNX_MAXSP] = { 0 };
	for (int64_t r = 0; r < cg * ksp; r++) {
		int64_t o[ONNX_MAXSP] = { 0 };
		size_t cbase = base + (size_t)((r / ksp) * insp);
		for (int64_t p = 0; p < outsp; p++) {
			int64_t off = 0;
			int in = 1;
			for (int i = 0; i < w->nsp; i++) {
				int64_t ii = o[i] * w->s[i] - w->pb[i] + ko[i] * w->d[i];
				in &= ii >= 0 && ii < w->in[i];
				off = off * w->in[i] + ii;
			}
			col[r * outsp + p] = in ? (int32_t)(onnx_get_i(xt->data, xt->dtype, cbase + (size_t)off) - xz) : 0;
			onnx_index_next(o, w->out, w->nsp);
		}
		onnx_index_next(ko, w->k, w->nsp); /* wraps to the next channel's first offset */
	}
}

/* The quantized operands of ConvInteger (x 0, w 1, zero points 2, 3) and QLinearConv (x 0, w 3; 2, 5). */
struct qconv {
	const struct tensor *xt, *wt, *xz, *wz;
	int pwz;            /* w_zero_point per output channel */
	struct onnx_win w;
	int64_t g;
	int64_t odims[MAXR];
};

static cella_result qconv_check(struct exec *x, struct node *n, struct qconv *q)
{
	cella_result r;
	if ((r = need_q8(x, q->xt, "input x")) != CELLA_OK || (r = need_q8(x, q->wt, "weight w")) != CELLA_OK ||
	    (r = need_zp_type(x, q->xz, q->xt, "x_zero_point")) != CELLA_OK ||
	    (r = need_zp_type(x, q->wz, q->wt, "w_zero_point")) != CELLA_OK ||
	    (r = need_per_tensor(x, q->xz, "x_zero_point")) != CELLA_OK)
		return r;
	if ((r = onnx_conv_geometry(x, n, q->xt, q->wt, &q->w, &q->g)) != CELLA_OK)
		return r;
	q->pwz = q->wz && !per_tensor(q->wz);
	if (q->pwz && (q->wz->rank != 1 || q->wz->dims[0] != q->wt->dims[0]))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "w_zero_point of rank %d with %lld values: expected one "
				    "value or one per output channel (%lld)", q->wz->rank,
				    (long long)onnx_dims_prod(q->wz->dims, q->wz->rank), (long long)q->wt->dims[0]);
	q->odims[0] = q->xt->dims[0];
	q->odims[1] = q->wt->dims[0];
	for (int i = 0; i < q->w.nsp; i++)
		q->odims[2 + i] = q->w.out[i];
	return CELLA_OK;
}

/* acc [N, M, out...] = the convolution of x - x_zero_point by w - w_zero_point in int32 (sums wrapping), plus the
 * int32 bias per output channel if any. */
static cella_result qconv_run(struct exec *x, const struct qconv *q, const struct tensor *bias, int32_t *acc)
{
	const struct onnx_win *w = &q->w;
	int64_t N = q->xt->dims[0], C = q->xt->dims[1], M = q->wt->dims[0], cg = C / q->g, mg = M / q->g;
	int64_t insp = onnx_dims_prod(w->in, w->nsp), outsp = onnx_dims_prod(w->out, w->nsp);
	int64_t kk = cg * onnx_dims_prod(w->k, w->nsp), cols, xz = param_i(q->xz, 0, 0);
	if (N == 0 || M == 0 || outsp == 0)
		return CELLA_OK;
	/* the column matrix is kk x outsp: a product of the weight's and the output's sizes, which can pass int64 */
	if (__builtin_mul_overflow(kk, outsp, &cols) || cols > INT64_MAX / 4)
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "column matrix of %lld x %lld elements", (long long)kk,
				    (long long)outsp);
	int32_t *wc = iscratch(x, 0, M * kk), *col = iscratch(x, 1, cols);
	if (!wc || !col)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int64_t m = 0; m < M; m++)
		for (int64_t k = 0; k < kk; k++)
			wc[m * kk + k] = (int32_t)(onnx_get_i(q->wt->data, q->wt->dtype, (size_t)(m * kk + k)) -
						   param_i(q->wz, q->pwz, m));
	for (int64_t b = 0; b < N; b++)
		for (int64_t gi = 0; gi < q->g; gi++) {
			int32_t *y = acc + (b * M + gi * mg) * outsp;
			im2col_q(w, q->xt, (size_t)((b * C + gi * cg) * insp), cg, xz, col);
			igemm(mg, outsp, kk, wc + gi * mg * kk, col, y);
			for (int64_t m = 0; bias && m < mg; m++) {
				uint32_t bv = (uint32_t)((const int32_t *)bias->data)[gi * mg + m];
				uint32_t *yr = (uint32_t *)(y + m * outsp);
				for (int64_t p = 0; p < outsp; p++)
					yr[p] += bv;
			}
		}
	return CELLA_OK;
}

/* ConvInteger: y = conv(x - x_zero_point, w - w_zero_point) in int32, Conv's attributes. */
static cella_result op_conv_integer(struct exec *x, struct node *n)
{
	struct qconv q = { onnx_op_in(x, n, 0), onnx_op_in(x, n, 1), onnx_op_in(x, n, 2), onnx_op_in(x, n, 3), 0,
			   { 0 }, 0, { 0 } };
	struct tensor *y;
	cella_result r;
	if (!q.xt || !q.wt)
		return CELLA_ERR_MODEL;
	if ((r = qconv_check(x, n, &q)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT32, q.xt->rank, q.odims, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	return qconv_run(x, &q, NULL, y->data);
}

/* QLinearConv: y = saturate(round((conv(x - x_zero_point, w - w_zero_point) + B) * x_scale * w_scale / y_scale) +
 * y_zero_point); x_scale per tensor, w_scale and w_zero_point per tensor or per output channel, B int32 [M]. */
static cella_result op_qlinear_conv(struct exec *x, struct node *n)
{
	struct qconv q = { onnx_op_in(x, n, 0), onnx_op_in(x, n, 3), onnx_op_in(x, n, 2), onnx_op_in(x, n, 5), 0,
			   { 0 }, 0, { 0 } };
	const struct tensor *sx = onnx_op_in(x, n, 1), *sw = onnx_op_in(x, n, 4), *sy = onnx_op_in(x, n, 6),
			    *zy = onnx_op_in(x, n, 7), *bias = onnx_op_in(x, n, 8);
	struct tensor *y;
	cella_result r;
	if (!q.xt || !q.wt || !sx || !sw || !sy)
		return CELLA_ERR_MODEL;
	if ((r = qconv_check(x, n, &q)) != CELLA_OK || (r = need_scale(x, sx, "x_scale")) != CELLA_OK ||
	    (r = need_scale(x, sw, "w_scale")) != CELLA_OK || (r = need_per_tensor(x, sx, "x_scale")) != CELLA_OK ||
	    (r = qout_check(x, sy, zy)) != CELLA_OK)
		return r;
	int64_t M = q.wt->dims[0];
	int psw = !per_tensor(sw);
	if (psw && (sw->rank != 1 || sw->dims[0] != M))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "w_scale of rank %d with %lld values: expected one value or "
				    "one per output channel (%lld)", sw->rank, (long long)onnx_dims_prod(sw->dims, sw->rank),
				    (long long)M);
	if (bias && bias->dtype != CELLA_ONNX_INT32)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "bias B of type %s is not supported (int32)",
				    onnx_tname(bias->dtype));
	if (bias && (bias->rank != 1 || bias->dims[0] != M))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "bias B of rank %d with %lld values: expected one per output "
				    "channel (%lld)", bias->rank, (long long)onnx_dims_prod(bias->dims, bias->rank),
				    (long long)M);
	if ((r = onnx_op_out(x, n, 0, zy->dtype, q.xt->rank, q.odims, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t count = (int64_t)onnx_tensor_count(y), outsp = onnx_dims_prod(q.w.out, q.w.nsp);
	int32_t *acc = iscratch(x, 2, count);
	if (!acc)
		return CELLA_ERR_OUT_OF_MEMORY;
	if ((r = qconv_run(x, &q, bias, acc)) != CELLA_OK)
		return r;
	float fx = param_f(sx, 0, 0), fy = param_f(sy, 0, 0);
	int64_t z = param_i(zy, 0, 0);
	for (int64_t i = 0; i < count; i++) {
		float mult = fx * param_f(sw, psw, (i / outsp) % M) / fy;
		onnx_quant_put(y->data, y->dtype, (size_t)i, (double)((float)acc[i] * mult), z);
	}
	return CELLA_OK;
}

/* At load: ConvInteger's and QLinearConv's kernel and window attributes, as Conv's. */
static cella_result conv_integer_prepare(struct exec *x, struct node *n)
{
	return onnx_conv_attrs_at_load(x, n, 1);
}

static cella_result qlinear_conv_prepare(struct exec *x, struct node *n)
{
	return onnx_conv_attrs_at_load(x, n, 3);
}

const struct op_def onnx_ops_quant[] = {
	{ "DynamicQuantizeLinear", op_dynamic_quantize, NULL, 11, 0 },
	{ "MatMulInteger", op_matmul_integer, NULL, 10, 0 },
	{ "ConvInteger", op_conv_integer, conv_integer_prepare, 10, 0 },
	{ "QLinearMatMul", op_qlinear_matmul, NULL, 10, 0 },
	{ "QLinearConv", op_qlinear_conv, qlinear_conv_prepare, 10, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
