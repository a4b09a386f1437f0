// SPDX-License-Identifier: MIT
/* Reductions, ArgMax/ArgMin, TopK, CumSum, recurrent layers (RNN, GRU, LSTM), If, and the operator table. */
#include "onnx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_float(int dt)
{
	return dt == CELLA_ONNX_FLOAT || dt == CELLA_ONNX_DOUBLE;
}

static int num_type_ok(int dt)
{
	return dt == CELLA_ONNX_FLOAT || dt == CELLA_ONNX_DOUBLE || dt == CELLA_ONNX_INT32 || dt == CELLA_ONNX_INT64 ||
	       dt == CELLA_ONNX_UINT8 || dt == CELLA_ONNX_INT8;
}

/* ------------------------------------------------------------------ reductions */

enum { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_L1, R_L2, R_LOGSUM, R_LOGSUMEXP, R_SUMSQ };

static cella_result reduce(struct exec *x, struct node *n, int kind)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	int64_t ax[MAXR];
	int na = 0, red[MAXR] = { 0 };
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->dtype == CELLA_ONNX_BOOL && (kind == R_MAX || kind == R_MIN)) {
		/* ReduceMax-20 and ReduceMin-20 take bool: an any and an all, computed as integers 0 and 1 below */
		if (n->opset < 20)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "bool input before opset 20");
	} else if (!num_type_ok(a->dtype)) {
		return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	int axes_input = (kind == R_SUM && n->opset >= 13) || n->opset >= 18;
	if (axes_input) {
		struct tensor *t = onnx_op_in(x, n, 1);
		if (t && (r = onnx_op_read_ints(x, t, ax, MAXR, &na)) != CELLA_OK)
			return r;
	} else {
		const int64_t *v;
		size_t c = onnx_attr_ints(n, "axes", &v);
		if (c > MAXR)
			return CELLA_ERR_MODEL_SHAPE;
		memcpy(ax, v, c * 8);
		na = (int)c;
	}
	int keep = onnx_attr_int(n, "keepdims", 1);
	/* no axes with noop_with_empty_axes: a reduction over the empty set of axes, each element alone, which keeps the
	 * shape but still applies the elementwise steps (ReduceSumSquare squares, ReduceLogSum takes the log: the
	 * attribute's text since onnx#7394); otherwise no axes is every axis */
	int none = na == 0 && onnx_attr_i(n, "noop_with_empty_axes", 0);
	for (int i = 0; i < na; i++) {
		int d;
		if (onnx_normalize_axis(ax[i], a->rank, &d))
			return CELLA_ERR_MODEL_SHAPE;
		red[d] = 1;
	}
	if (na == 0 && !none)
		for (int d = 0; d < a->rank; d++)
			red[d] = 1;
	int64_t od[MAXR];
	int orank = 0;
	for (int d = 0; d < a->rank; d++) {
		if (!red[d])
			od[orank++] = a->dims[d];
		else if (keep)
			od[orank++] = 1;
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, orank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t oc = onnx_tensor_count(o), ic = onnx_tensor_count(a);
	double *acc = onnx_op_scratch(x, 1, (oc + 1) * sizeof(double));
	if (!acc)
		return CELLA_ERR_OUT_OF_MEMORY;
	double init = kind == R_MAX ? -INFINITY : kind == R_MIN ? INFINITY : kind == R_PROD ? 1.0 : 0.0;
	/* integer sums, products and extremes are computed in integers: exact (a double rounds above 2^53), and the
	 * sums and products wrap to the element type as Add and Mul do (through a double they overflowed the type's
	 * range and converted with undefined behaviour); the others go through a double and saturate */
	int exact = !is_float(a->dtype) && kind != R_MEAN && kind != R_L2 && kind != R_LOGSUM && kind != R_LOGSUMEXP;
	int64_t *acc64 = (int64_t *)acc;
	/* an empty Max is the type's least value, an empty Min its greatest (ONNX, from the clarification of empty
	 * reductions in onnx#5568), as -inf and inf are for floats; an empty product is 1 */
	int64_t init64 = kind == R_MAX ? onnx_int_limit(a->dtype, 0) : kind == R_MIN ? onnx_int_limit(a->dtype, 1)
			 : kind == R_PROD ? 1 : 0;
	for (size_t i = 0; i < oc; i++) {
		if (exact)
			acc64[i] = init64;
		else
			acc[i] = init;
	}
	double *mx = NULL;
	if (kind == R_LOGSUMEXP) {
		/* subtract the per-output max first so exp cannot overflow */
		mx = onnx_op_scratch(x, 2, (oc + 1) * sizeof(double));
		if (!mx)
			return CELLA_ERR_OUT_OF_MEMORY;
	}
	int64_t ost[MAXR], idx[MAXR] = { 0 }, v = 1;
	for (int d = a->rank - 1; d >= 0; d--) {
		ost[d] = red[d] ? 0 : v;
		v *= red[d] ? 1 : a->dims[d];
	}
	for (int pass = kind == R_LOGSUMEXP ? 0 : 1; pass < 2; pass++) {
		if (pass == 0)
			for (size_t i = 0; i < oc; i++)
				mx[i] = -INFINITY;
		else if (mx) /* an infinite max is not subtracted: inf - inf is NaN, where the sum is inf or (all -inf) 0 */
			for (size_t i = 0; i < oc; i++)
				mx[i] = isinf(mx[i]) ? 0 : mx[i];
		memset(idx, 0, sizeof(idx));
		int64_t off = 0;
		for (size_t i = 0; i < ic; i++) {
			double e = exact ? 0 : onnx_get_d(a->data, a->dtype, i);
			double *p = &acc[off];
			if (exact) {
				int64_t ei = onnx_get_i(a->data, a->dtype, i), *q = &acc64[off];
				uint64_t u = (uint64_t)*q, ue = (uint64_t)ei;
				switch (kind) {
				case R_SUM: *q = (int64_t)(u + ue); break;
				case R_PROD: *q = (int64_t)(u * ue); break;
				case R_L1: *q = (int64_t)(u + (ei < 0 ? 0 - ue : ue)); break;
				case R_SUMSQ: *q = (int64_t)(u + ue * ue); break;
				case R_MAX: *q = ei > *q ? ei : *q; break;
				default: *q = ei < *q ? ei : *q; break;
				}
			} else if (pass == 0) {
				if (e > mx[off])
					mx[off] = e;
			} else {
				switch (kind) {
				case R_SUM: case R_MEAN: case R_LOGSUM: *p += e; break;
				case R_MAX: *p = e > *p || e != e ? e : *p; break;
				case R_MIN: *p = e < *p || e != e ? e : *p; break;
				case R_PROD: *p *= e; break;
				case R_L1: *p += fabs(e); break;
				case R_L2: case R_SUMSQ: *p += e * e; break;
				case R_LOGSUMEXP: *p += exp(e - mx[off]); break;
				}
			}
			for (int d = a->rank - 1; d >= 0; d--) {
				idx[d]++;
				off += ost[d];
				if (idx[d] < a->dims[d])
					break;
				off -= ost[d] * a->dims[d];
				idx[d] = 0;
			}
		}
	}
	if (exact) {
		for (size_t i = 0; i < oc; i++)
			onnx_put_i(o->data, a->dtype, i, acc64[i]);
		return CELLA_OK;
	}
	double cnt = oc ? (double)ic / (double)oc : 0;
	for (size_t i = 0; i < oc; i++) {
		double q = acc[i];
		switch (kind) {
		case R_MEAN: q = cnt ? q / cnt : NAN; break;
		case R_L2: q = sqrt(q); break;
		case R_LOGSUM: q = log(q); break;
		case R_LOGSUMEXP: q = (ic ? mx[i] : 0) + log(q); break;
		default: break;
		}
		onnx_put_d(o->data, a->dtype, i, q);
	}
	return CELLA_OK;
}

#define RED(fname, k) \
	static cella_result fname(struct exec *x, struct node *n) { return reduce(x, n, k); }
RED(op_rsum, R_SUM)
RED(op_rmean, R_MEAN)
RED(op_rmax, R_MAX)
RED(op_rmin, R_MIN)
RED(op_rprod, R_PROD)
RED(op_rl1, R_L1)
RED(op_rl2, R_L2)
RED(op_rlogsum, R_LOGSUM)
RED(op_rlogsumexp, R_LOGSUMEXP)
RED(op_rsumsq, R_SUMSQ)

/* ------------------------------------------------------------------ ArgMax / ArgMin */

static cella_result argext(struct exec *x, struct node *n, int is_max)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	int axis;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (!num_type_ok(a->dtype))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", 0), a->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	int keep = onnx_attr_int(n, "keepdims", 1), last = onnx_attr_int(n, "select_last_index", 0);
	int64_t od[MAXR];
	int orank = 0;
	for (int d = 0; d < a->rank; d++)
		if (d != axis)
			od[orank++] = a->dims[d];
		else if (keep)
			od[orank++] = 1;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, orank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t outer = onnx_dims_prod(a->dims, axis), len = a->dims[axis];
	int64_t inner = onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1);
	if (len == 0)
		return onnx_tensor_count(o) ? CELLA_ERR_MODEL_SHAPE : CELLA_OK;
	for (int64_t ou = 0; ou < outer; ou++)
		for (int64_t in = 0; in < inner; in++) {
			int64_t best = 0;
			if (a->dtype == CELLA_ONNX_INT64) { /* exact: a double would tie values above 2^53 */
				const int64_t *p = (const int64_t *)a->data + ou * len * inner + in;
				int64_t bv = p[0];
				for (int64_t i = 1; i < len; i++) {
					int64_t v = p[i * inner];
					if (is_max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv))) {
						bv = v;
						best = i;
					}
				}
				((int64_t *)o->data)[ou * inner + in] = best;
				continue;
			}
			/* a NaN is the extreme either way, as the reference's np.argmax/argmin take it: the first NaN, or
			 * with select_last_index (argmax over the flipped axis) the last; compared as a number it was
			 * never taken after the first element */
			double bv = onnx_get_d(a->data, a->dtype, (size_t)(ou * len * inner + in));
			for (int64_t i = 1; i < len; i++) {
				double v = onnx_get_d(a->data, a->dtype, (size_t)((ou * len + i) * inner + in));
				if (v != v ? last || bv == bv
					   : is_max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv))) {
					bv = v;
					best = i;
				}
			}
			((int64_t *)o->data)[ou * inner + in] = best;
		}
	return CELLA_OK;
}

static cella_result op_argmax(struct exec *x, struct node *n) { return argext(x, n, 1); }
static cella_result op_argmin(struct exec *x, struct node *n) { return argext(x, n, 0); }

/* ------------------------------------------------------------------ TopK */

/* true if a goes before b: by value (largest or smallest first), ties by smaller index. NaN ranks above every
 * number, as in the ONNX reference (a stable numpy sort): first when largest, last when smallest. Compared as
 * unordered, a NaN tied with every number and the merge sort gave no order at all ([3, 1, NaN, 2] gave 3, 1 as
 * the largest two). */
static int kv_before(const struct onnx_kv *a, const struct onnx_kv *b, int largest)
{
	int an = a->v != a->v, bn = b->v != b->v;
	if (an != bn)
		return largest ? an : bn;
	if (!an && a->v != b->v)
		return largest ? a->v > b->v : a->v < b->v;
	if (a->iv != b->iv)
		return largest ? a->iv > b->iv : a->iv < b->iv;
	return a->i < b->i;
}

static int kv_before_ctx(const void *a, const void *b, const void *largest)
{
	return kv_before(a, b, *(const int *)largest);
}

void onnx_kv_sort(struct onnx_kv *p, struct onnx_kv *tmp, size_t n, int largest)
{
	onnx_msort(p, tmp, n, sizeof(*p), kv_before_ctx, &largest);
}

static cella_result op_topk(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o, *oi;
	int axis;
	int64_t k;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (!num_type_ok(a->dtype))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (n->opset < 10) {
		k = onnx_attr_i(n, "k", -1);
	} else {
		struct tensor *tk = onnx_op_in(x, n, 1);
		int64_t kv[1];
		int nk;
		if (!tk)
			return CELLA_ERR_MODEL;
		if ((r = onnx_op_read_ints(x, tk, kv, 1, &nk)) != CELLA_OK)
			return r;
		if (nk != 1)
			return CELLA_ERR_MODEL_SHAPE;
		k = kv[0];
	}
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", -1), a->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	if (k < 0 || k > a->dims[axis])
		return CELLA_ERR_MODEL_SHAPE;
	int64_t od[MAXR];
	memcpy(od, a->dims, sizeof(od));
	od[axis] = k;
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, od, &o)) != CELLA_OK ||
	    (r = onnx_op_out(x, n, 1, CELLA_ONNX_INT64, a->rank, od, &oi)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int largest = onnx_attr_int(n, "largest", 1);
	int64_t outer = onnx_dims_prod(a->dims, axis), len = a->dims[axis];
	int64_t inner = onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1);
	struct onnx_kv *buf = onnx_op_scratch(x, 1, (size_t)(2 * len + 2) * sizeof(struct onnx_kv));
	if (!buf)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int64_t ou = 0; ou < outer; ou++)
		for (int64_t in = 0; in < inner; in++) {
			for (int64_t i = 0; i < len; i++) {
				size_t e = (size_t)((ou * len + i) * inner + in);
				buf[i].v = onnx_get_d(a->data, a->dtype, e);
				buf[i].iv = a->dtype == CELLA_ONNX_INT64 ? ((const int64_t *)a->data)[e] : 0;
				buf[i].i = i;
			}
			onnx_kv_sort(buf, buf + len, (size_t)len, largest);
			for (int64_t i = 0; i < k; i++) {
				size_t oo = (size_t)((ou * k + i) * inner + in);
				if (o->data)
					memcpy((char *)o->data + oo * onnx_dtype_size(a->dtype),
					       (const char *)a->data + (size_t)((ou * len + buf[i].i) * inner + in) *
									onnx_dtype_size(a->dtype),
					       onnx_dtype_size(a->dtype));
				if (oi->data)
					((int64_t *)oi->data)[oo] = buf[i].i;
			}
		}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ CumSum */

static cella_result op_cumsum(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *ta = onnx_op_in(x, n, 1), *o;
	int64_t axv[1];
	int na, axis;
	cella_result r;
	if (!a || !ta)
		return CELLA_ERR_MODEL;
	if (!num_type_ok(a->dtype))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK)
		return r;
	if ((r = onnx_op_read_ints(x, ta, axv, 1, &na)) != CELLA_OK)
		return onnx_op_dry(x) ? CELLA_OK : r;
	if (na != 1 || onnx_normalize_axis(axv[0], a->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	if (onnx_op_dry(x))
		return CELLA_OK;
	int excl = onnx_attr_int(n, "exclusive", 0), rev = onnx_attr_int(n, "reverse", 0);
	int64_t outer = onnx_dims_prod(a->dims, axis), len = a->dims[axis];
	int64_t inner = onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1);
	int fl = is_float(a->dtype);
	for (int64_t ou = 0; ou < outer; ou++)
		for (int64_t in = 0; in < inner; in++) {
			double s = 0;
			uint64_t si = 0; /* integer sums wrap to the element type, as Add does */
			for (int64_t j = 0; j < len; j++) {
				int64_t i = rev ? len - 1 - j : j;
				size_t p = (size_t)((ou * len + i) * inner + in);
				if (!fl) {
					uint64_t v = (uint64_t)onnx_get_i(a->data, a->dtype, p);
					si += excl ? 0 : v;
					onnx_put_i(o->data, a->dtype, p, (int64_t)si);
					si += excl ? v : 0;
					continue;
				}
				double v = onnx_get_d(a->data, a->dtype, p);
				s += excl ? 0 : v;
				onnx_put_d(o->data, a->dtype, p, s);
				s += excl ? v : 0;
			}
		}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ RNN / GRU / LSTM */

enum { A_SIGMOID, A_TANH, A_RELU, A_AFFINE, A_LEAKY, A_THRELU, A_STANH, A_HSIG, A_ELU, A_SOFTSIGN, A_SOFTPLUS };

struct actf {
	int k;
	float a, b;
};

static float act_eval(const struct actf *f, float v)
{
	switch (f->k) {
	case A_SIGMOID: return onnx_sigmoidf(v);
	case A_TANH: return onnx_tanhf(v);
	case A_RELU: return v > 0 ? v : 0;
	case A_AFFINE: return f->a * v + f->b;
	case A_LEAKY: return v < 0 ? f->a * v : v;
	case A_THRELU: return v > f->a ? v : 0;
	case A_STANH: return f->a * onnx_tanhf(f->b * v);
	case A_HSIG: { float t = f->a * v + f->b; return t < 0 ? 0 : t > 1 ? 1 : t; }
	case A_ELU: return v < 0 ? f->a * (onnx_expf(v) - 1) : v;
	case A_SOFTSIGN: return v / (1 + fabsf(v));
	case A_SOFTPLUS: return logf(1 + onnx_expf(v));
	default: return v;
	}
}

/* v[i] = f(clipped v[i]) for i < n (clip 0: none), Sigmoid and Tanh on vectors (bit for bit act_eval's) */
static void act_map(const struct actf *f, float clip, float *v, int64_t n, bool avx512)
{
	if (clip > 0)
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] < -clip ? -clip : v[i] > clip ? clip : v[i];
	if (f->k == A_SIGMOID || f->k == A_TANH)
		onnx_mathf_map(f->k == A_SIGMOID ? ONNX_MATHF_SIGMOID : ONNX_MATHF_TANH, v, v, (size_t)n, avx512);
	else
		for (int64_t i = 0; i < n; i++)
			v[i] = act_eval(f, v[i]);
}

static cella_result parse_acts(struct node *n, int per_dir, int dirs, struct actf *out)
{
	static const char *defs[3][3] = { { "Tanh" }, { "Sigmoid", "Tanh" }, { "Sigmoid", "Tanh", "Tanh" } };
	const struct attr *al = onnx_attr_get(n, "activations"), *aa = onnx_attr_get(n, "activation_alpha"),
			  *ab = onnx_attr_get(n, "activation_beta");
	for (int i = 0; i < per_dir * dirs; i++) {
		const char *name = defs[per_dir - 1][i % per_dir];
		if (al && al->n_strings) {
			if ((size_t)i >= al->n_strings)
				return CELLA_ERR_MODEL;
			name = al->strings[i];
		}
		struct actf *f = &out[i];
		static const struct {
			const char *n;
			int k;
			float a, b;
		} tab[] = { { "Sigmoid", A_SIGMOID, 0, 0 },   { "Tanh", A_TANH, 0, 0 },         { "Relu", A_RELU, 0, 0 },
			    { "Affine", A_AFFINE, 1, 0 },     { "LeakyRelu", A_LEAKY, 0.01f, 0 }, { "ThresholdedRelu", A_THRELU, 1, 0 },
			    { "ScaledTanh", A_STANH, 1, 1 },  { "HardSigmoid", A_HSIG, 0.2f, 0.5f }, { "Elu", A_ELU, 1, 0 },
			    { "Softsign", A_SOFTSIGN, 0, 0 }, { "Softplus", A_SOFTPLUS, 0, 0 } };
		int found = 0;
		for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++)
			if (!strcmp(tab[k].n, name)) {
				f->k = tab[k].k;
				f->a = tab[k].a;
				f->b = tab[k].b;
				found = 1;
			}
		if (!found)
			return CELLA_ERR_MODEL_UNSUPPORTED;
		if (aa && (size_t)i < aa->n_floats)
			f->a = aa->floats[i];
		if (ab && (size_t)i < ab->n_floats)
			f->b = ab->floats[i];
	}
	return CELLA_OK;
}

enum { K_RNN = 1, K_GRU = 3, K_LSTM = 4 };

/* Sequence length of batch row b: sequence_lens[b] when the input is given, else the full S. */
static int64_t seq_len(const struct tensor *SL, int64_t b, int64_t S)
{
	if (!SL)
		return S;
	return SL->dtype == CELLA_ONNX_INT32 ? ((const int32_t *)SL->data)[b] : ((const int64_t *)SL->data)[b];
}

/*
 * W^T and R^T of every direction packed at load for the GEMM (onnx_sgemm_pack_b), when both are constants: the runs
 * then read neither (node.packed_in), and a GRU without linear_before_reset gets its third gate block of R apart
 * (it multiplies r * H). Per direction: w_dir floats (I x G), r_dir (Hd x G), rh_dir (Hd x Hd).
 */
struct rnn_priv {
	float *mem, *w, *r, *rh;
	size_t w_dir, r_dir, rh_dir, wnp, rnp, rhnp;
};

static void rnn_priv_free(void *p)
{
	struct rnn_priv *q = p;
	if (q)
		free(q->mem);
	free(q);
}

/* One direction's R (G x Hd, row-major) packed as the GEMM's B = R^T into r, and with rh (a GRU without
 * linear_before_reset) its third gate block (Hd x Hd) on its own too: at load (rnn_prepare) or once a run. */
static void rnn_pack_r(const struct gemm_kernel *gk, const float *Rd, int64_t Hd, int64_t G, float *r, float *rh)
{
	onnx_sgemm_pack_b(gk, (size_t)Hd, (size_t)G, Rd, 1, Hd, r);
	if (rh)
		onnx_sgemm_pack_b(gk, (size_t)Hd, (size_t)Hd, Rd + 2 * Hd * Hd, 1, Hd, rh);
}

static cella_result rnn_prepare(struct exec *x, struct node *n, int ng)
{
	struct tensor *W = onnx_op_in(x, n, 1), *R = onnx_op_in(x, n, 2);
	if (!W || !R || !W->is_const || !R->is_const || W->packed || R->packed || !W->data || !R->data ||
	    W->dtype != CELLA_ONNX_FLOAT || R->dtype != CELLA_ONNX_FLOAT || W->rank != 3 || R->rank != 3 || n->attr_bad)
		return CELLA_OK; /* the run checks them and says what is wrong */
	int64_t dirs = W->dims[0], Hd = R->dims[2], G = (int64_t)ng * Hd, I = W->dims[2];
	if (Hd <= 0 || I <= 0 || dirs < 1 || dirs > 2 || onnx_attr_i(n, "hidden_size", Hd) != Hd || R->dims[0] != dirs ||
	    W->dims[1] != G || R->dims[1] != G)
		return CELLA_OK;
	const struct gemm_kernel *gk = &x->m->gk;
	struct rnn_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return CELLA_ERR_OUT_OF_MEMORY;
	int rh = ng == K_GRU && !onnx_attr_int(n, "linear_before_reset", 0);
	/* each within its tensor's size and a panel of padding: no overflow */
	p->w_dir = onnx_sgemm_packed_b_floats(gk, (size_t)I, (size_t)G, &p->wnp);
	p->r_dir = onnx_sgemm_packed_b_floats(gk, (size_t)Hd, (size_t)G, &p->rnp);
	p->rh_dir = rh ? onnx_sgemm_packed_b_floats(gk, (size_t)Hd, (size_t)Hd, &p->rhnp) : 0;
	size_t floats = (size_t)dirs * (p->w_dir + p->r_dir + p->rh_dir);
	p->mem = aligned_alloc(64, (floats * sizeof(float) + 63) & ~(size_t)63);
	if (!p->mem) {
		free(p);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	p->w = p->mem;
	p->r = p->w + (size_t)dirs * p->w_dir;
	p->rh = p->r + (size_t)dirs * p->r_dir;
	for (int64_t d = 0; d < dirs; d++) {
		const float *Wd = (const float *)W->data + d * G * I, *Rd = (const float *)R->data + d * G * Hd;
		onnx_sgemm_pack_b(gk, (size_t)I, (size_t)G, Wd, 1, I, p->w + (size_t)d * p->w_dir);
		rnn_pack_r(gk, Rd, Hd, G, p->r + (size_t)d * p->r_dir, rh ? p->rh + (size_t)d * p->rh_dir : NULL);
	}
	x->m->weight_bytes += floats * sizeof(float);
	n->priv = p;
	n->priv_free = rnn_priv_free;
	n->packed_in |= 1u << 1 | 1u << 2;
	return CELLA_OK;
}

static cella_result recurrent(struct exec *x, struct node *n, int ng)
{
	struct tensor *X = onnx_op_in(x, n, 0), *W = onnx_op_in(x, n, 1), *R = onnx_op_in(x, n, 2), *B = onnx_op_in(x, n, 3),
		      *SL = onnx_op_in(x, n, 4), *H0 = onnx_op_in(x, n, 5), *C0 = ng == K_LSTM ? onnx_op_in(x, n, 6) : NULL,
		      *P = ng == K_LSTM ? onnx_op_in(x, n, 7) : NULL;
	struct tensor *Y = NULL, *YH = NULL, *YC = NULL;
	cella_result r;
	if (!X || !W || !R)
		return CELLA_ERR_MODEL;
	if (X->dtype != CELLA_ONNX_FLOAT || W->dtype != CELLA_ONNX_FLOAT || R->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	const char *dir = onnx_attr_s(n, "direction", "forward");
	int dirs = !strcmp(dir, "bidirectional") ? 2 : 1, rev_only = !strcmp(dir, "reverse");
	int layout = onnx_attr_int(n, "layout", 0), lbr = onnx_attr_int(n, "linear_before_reset", 0);
	int per_dir = ng == K_RNN ? 1 : ng == K_GRU ? 2 : 3;
	float clip = onnx_attr_f(n, "clip", 0.0f);
	int coupled = onnx_attr_int(n, "input_forget", 0);
	bool wide = x->m->gk.avx512;
	if (X->rank != 3 || W->rank != 3 || R->rank != 3)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t S = layout ? X->dims[1] : X->dims[0], Bt = layout ? X->dims[0] : X->dims[1], I = X->dims[2];
	int64_t Hd = onnx_attr_i(n, "hidden_size", R->dims[2]);
	/* hidden_size is an attribute, unbounded: held to R's last dim first, a tensor's dim, so that the products
	 * of dims below (each of two tensors' dims) stay far from overflowing */
	if (Hd <= 0 || Hd != R->dims[2])
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "hidden_size is %lld, R's last dim %lld: not one positive "
				    "size", (long long)Hd, (long long)R->dims[2]);
	if (W->dims[0] != dirs || R->dims[0] != dirs || W->dims[1] != ng * Hd || W->dims[2] != I ||
	    R->dims[1] != ng * Hd)
		return CELLA_ERR_MODEL_SHAPE;
	size_t dbh, dh = (size_t)(dirs * Hd); /* dirs * Bt * Hd: Bt is X's dim, Hd R's */
	if (__builtin_mul_overflow(dh, (size_t)Bt, &dbh))
		return CELLA_ERR_MODEL_SHAPE;
	if (B && (B->dtype != CELLA_ONNX_FLOAT || onnx_tensor_count(B) != dh * 2 * (size_t)ng))
		return CELLA_ERR_MODEL_SHAPE;
	if (H0 && (H0->dtype != CELLA_ONNX_FLOAT || onnx_tensor_count(H0) != dbh))
		return CELLA_ERR_MODEL_SHAPE;
	if (C0 && (C0->dtype != CELLA_ONNX_FLOAT || onnx_tensor_count(C0) != dbh))
		return CELLA_ERR_MODEL_SHAPE;
	if (P && (P->dtype != CELLA_ONNX_FLOAT || onnx_tensor_count(P) != dh * 3))
		return CELLA_ERR_MODEL_SHAPE;
	if (SL && ((SL->dtype != CELLA_ONNX_INT32 && SL->dtype != CELLA_ONNX_INT64) ||
		   onnx_tensor_count(SL) != (size_t)Bt))
		return CELLA_ERR_MODEL_SHAPE;
	struct actf acts[6];
	if ((r = parse_acts(n, per_dir, dirs, acts)) != CELLA_OK)
		return r;
	int64_t yd[4], hd[3];
	if (layout) {
		yd[0] = Bt; yd[1] = S; yd[2] = dirs; yd[3] = Hd;
		hd[0] = Bt; hd[1] = dirs; hd[2] = Hd;
	} else {
		yd[0] = S; yd[1] = dirs; yd[2] = Bt; yd[3] = Hd;
		hd[0] = dirs; hd[1] = Bt; hd[2] = Hd;
	}
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, 4, yd, &Y)) != CELLA_OK ||
	    (r = onnx_op_out(x, n, 1, CELLA_ONNX_FLOAT, 3, hd, &YH)) != CELLA_OK)
		return r;
	if (ng == K_LSTM && (r = onnx_op_out(x, n, 2, CELLA_ONNX_FLOAT, 3, hd, &YC)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_OK;
	for (int64_t b = 0; b < Bt; b++) { /* checked once here; the step loops below read them unchecked */
		int64_t len = seq_len(SL, b, S);
		if (len < 0 || len > S)
			return CELLA_ERR_MODEL_SHAPE;
	}
	int64_t G = ng * Hd;
	uint64_t sbg, bg;
	if (__builtin_mul_overflow((uint64_t)S * (uint64_t)Bt, (uint64_t)G, &sbg) || sbg > ((uint64_t)1 << 30) ||
	    __builtin_mul_overflow((uint64_t)Bt, (uint64_t)G, &bg) || bg > ((uint64_t)1 << 30))
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "%lld steps of %lld rows of %lld gates: over 2^30 values",
				    (long long)S, (long long)Bt, (long long)G);
	/* S * Bt * G and Bt * G within 2^30, and Hd < G: the sum below is under 2^33 floats; then R packed for the GEMM
	 * once per direction (every step multiplies by it): G x Hd floats and padding, within R's own size and a panel,
	 * and for a GRU without linear_before_reset its third gate apart (it multiplies r * H, not H) */
	const struct rnn_priv *pk = n->priv; /* W and R packed at load, or NULL: R is packed here, once a direction */
	size_t np = 0, nph = 0, pr = 0, prh = 0;
	if (!pk) {
		pr = onnx_sgemm_packed_b_floats(&x->m->gk, (size_t)Hd, (size_t)G, &np);
		prh = ng == K_GRU && !lbr ? onnx_sgemm_packed_b_floats(&x->m->gk, (size_t)Hd, (size_t)Hd, &nph) : 0;
	}
	size_t need = (size_t)(sbg + bg * 2 + (uint64_t)Bt * (uint64_t)Hd * 4 + 64 + pr + prh) * sizeof(float);
	float *mem = onnx_op_scratch(x, 1, need);
	float *scr = onnx_op_scratch(x, 0, onnx_sgemm_scratch_floats(&x->m->gk) * sizeof(float));
	if (!mem || !scr)
		return CELLA_ERR_OUT_OF_MEMORY;
	float *XW = mem, *HR = XW + S * Bt * G, *T = HR + Bt * G, *Hs = T + Bt * G, *Cs = Hs + Bt * Hd,
	      *RH = Cs + Bt * Hd, *Zs = RH + Bt * Hd, *PR = Zs + Bt * Hd, *PRH = PR + pr;
	float *Yd = Y->data;
	memset(Yd, 0, Y->bytes);
	for (int d = 0; d < dirs; d++) {
		int rev = rev_only || d == 1;
		/* W's and R's data only when they were not packed at load (then they may be freed) */
		const float *Wd = pk ? NULL : (const float *)W->data + d * G * I;
		const float *Rd = pk ? NULL : (const float *)R->data + d * G * Hd;
		const float *wb = B ? (const float *)B->data + d * 2 * G : NULL, *rb = wb ? wb + G : NULL;
		const float *pp = P ? (const float *)P->data + d * 3 * Hd : NULL;
		const struct actf *f = &acts[d * per_dir], *g = per_dir > 1 ? &acts[d * per_dir + 1] : f,
				  *h = per_dir > 2 ? &acts[d * per_dir + 2] : f;
		struct sgemm s = { 0 };
		s.M = (size_t)(S * Bt);
		s.N = (size_t)G;
		s.K = (size_t)I;
		s.A = X->data;
		s.a_rs = I;
		s.a_cs = 1;
		s.B = Wd;
		s.b_rs = 1;
		s.b_cs = I;
		if (pk) {
			s.packed_b = pk->w + (size_t)d * pk->w_dir;
			s.packed_np = pk->wnp;
		}
		s.C = XW;
		s.ldc = (size_t)G;
		s.alpha = 1.0f;
		onnx_op_sgemm(x, &s, scr);
		for (int64_t b = 0; b < Bt; b++) {
			/* initial_h/initial_c are [dirs, B, H], or [B, dirs, H] with layout=1 (as Y_h and Y_c) */
			int64_t off = layout ? (b * dirs + d) * Hd : (d * Bt + b) * Hd;
			for (int64_t j = 0; j < Hd; j++) {
				Hs[b * Hd + j] = H0 ? ((const float *)H0->data)[off + j] : 0.0f;
				Cs[b * Hd + j] = C0 ? ((const float *)C0->data)[off + j] : 0.0f;
			}
		}
		/* B = R^T (element (k, j) at R[j * Hd + k]) packed once, not at every step: at load, or here */
		const float *rp = PR, *rhp = PRH;
		if (pk) {
			rp = pk->r + (size_t)d * pk->r_dir;
			rhp = pk->rh + (size_t)d * pk->rh_dir;
			np = pk->rnp;
			nph = pk->rhnp;
		} else {
			rnn_pack_r(&x->m->gk, Rd, Hd, G, PR, prh ? PRH : NULL);
		}
		for (int64_t st = 0; st < S; st++) {
			struct sgemm q = { 0 };
			q.M = (size_t)Bt;
			q.N = (size_t)G;
			q.K = (size_t)Hd;
			q.A = Hs;
			q.a_rs = Hd;
			q.a_cs = 1;
			q.packed_b = rp;
			q.packed_np = np;
			q.C = HR;
			q.ldc = (size_t)G;
			q.alpha = 1.0f;
			onnx_op_sgemm(x, &q, scr);
			for (int64_t b = 0; b < Bt; b++) {
				int64_t len = seq_len(SL, b, S);
				if (st >= len)
					continue;
				int64_t t = rev ? len - 1 - st : st;
				const float *xw = XW + (layout ? b * S + t : t * Bt + b) * G, *hr = HR + b * G;
				float *hs = Hs + b * Hd, *cs = Cs + b * Hd, *gt = T + b * G;
				for (int64_t j = 0; j < G; j++) {
					float v = xw[j] + (wb ? wb[j] : 0.0f);
					if (!(ng == K_GRU && !lbr && j >= 2 * Hd))
						v += hr[j] + (rb ? rb[j] : 0.0f);
					gt[j] = v;
				}
				/* each gate's pre-activations clipped and activated as a whole (gt in place), then combined */
				if (ng == K_RNN) {
					act_map(f, clip, gt, Hd, wide);
					memcpy(hs, gt, (size_t)Hd * sizeof(float));
				} else if (ng == K_LSTM) {
					/* gates i, o, f, c; the peepholes of i and f see the old cell, o's the new one */
					float *ig = gt, *og = gt + Hd, *fg = gt + 2 * Hd, *cg = gt + 3 * Hd;
					for (int64_t j = 0; j < Hd; j++) {
						ig[j] = ig[j] + (pp ? pp[j] * cs[j] : 0);
						fg[j] = fg[j] + (pp ? pp[2 * Hd + j] * cs[j] : 0);
					}
					act_map(f, clip, ig, Hd, wide);
					if (!coupled)
						act_map(f, clip, fg, Hd, wide);
					act_map(g, clip, cg, Hd, wide);
					for (int64_t j = 0; j < Hd; j++) {
						float fj = coupled ? 1.0f - ig[j] : fg[j];
						float cn = fj * cs[j] + ig[j] * cg[j];
						og[j] = og[j] + (pp ? pp[Hd + j] * cn : 0);
						cs[j] = cn;
						hs[j] = cn;
					}
					act_map(f, clip, og, Hd, wide);
					act_map(h, 0, hs, Hd, wide);
					for (int64_t j = 0; j < Hd; j++)
						hs[j] = og[j] * hs[j];
				} else {
					/* z into Zs, r in place (gt[Hd..2Hd)) */
					float *z = Zs + b * Hd, *rg = gt + Hd;
					memcpy(z, gt, (size_t)Hd * sizeof(float));
					act_map(f, clip, z, Hd, wide);
					act_map(f, clip, rg, Hd, wide);
					for (int64_t j = 0; j < Hd; j++) {
						if (lbr)
							gt[2 * Hd + j] = xw[2 * Hd + j] + (wb ? wb[2 * Hd + j] : 0.0f) +
									 rg[j] * (hr[2 * Hd + j] + (rb ? rb[2 * Hd + j] : 0.0f));
						else
							RH[b * Hd + j] = rg[j] * hs[j];
					}
				}
			}
			if (ng == K_GRU) {
				if (!lbr) {
					/* (r ⊙ H) Rh^T needs every batch row's r first */
					struct sgemm u = { 0 };
					u.M = (size_t)Bt;
					u.N = (size_t)Hd;
					u.K = (size_t)Hd;
					u.A = RH;
					u.a_rs = Hd;
					u.a_cs = 1;
					u.packed_b = rhp;
					u.packed_np = nph;
					u.C = HR;
					u.ldc = (size_t)Hd;
					u.alpha = 1.0f;
					onnx_op_sgemm(x, &u, scr);
				}
				for (int64_t b = 0; b < Bt; b++) {
					int64_t len = seq_len(SL, b, S);
					if (st >= len)
						continue;
					float *gt = T + b * G, *hs = Hs + b * Hd, *z = Zs + b * Hd, *hh = gt + 2 * Hd;
					if (!lbr)
						for (int64_t j = 0; j < Hd; j++)
							hh[j] = hh[j] + HR[b * Hd + j] + (rb ? rb[2 * Hd + j] : 0.0f);
					act_map(g, clip, hh, Hd, wide);
					for (int64_t j = 0; j < Hd; j++)
						hs[j] = (1 - z[j]) * hh[j] + z[j] * hs[j];
				}
			}
			for (int64_t b = 0; b < Bt; b++) {
				int64_t len = seq_len(SL, b, S);
				if (st >= len)
					continue;
				int64_t t = rev ? len - 1 - st : st;
				float *yo = Yd + (layout ? ((b * S + t) * dirs + d) * Hd : ((t * dirs + d) * Bt + b) * Hd);
				memcpy(yo, Hs + b * Hd, (size_t)Hd * sizeof(float));
			}
		}
		for (int64_t b = 0; b < Bt; b++) {
			size_t off = (size_t)(layout ? (b * dirs + d) * Hd : (d * Bt + b) * Hd);
			if (YH && YH->data)
				memcpy((float *)YH->data + off, Hs + b * Hd, (size_t)Hd * sizeof(float));
			if (YC && YC->data)
				memcpy((float *)YC->data + off, Cs + b * Hd, (size_t)Hd * sizeof(float));
		}
	}
	return CELLA_OK;
}

static cella_result op_rnn(struct exec *x, struct node *n) { return recurrent(x, n, K_RNN); }
static cella_result op_gru(struct exec *x, struct node *n) { return recurrent(x, n, K_GRU); }
static cella_result op_lstm(struct exec *x, struct node *n) { return recurrent(x, n, K_LSTM); }
static cella_result rnn_prep(struct exec *x, struct node *n) { return rnn_prepare(x, n, K_RNN); }
static cella_result gru_prep(struct exec *x, struct node *n) { return rnn_prepare(x, n, K_GRU); }
static cella_result lstm_prep(struct exec *x, struct node *n) { return rnn_prepare(x, n, K_LSTM); }

/* ------------------------------------------------------------------ If */

static cella_result op_if(struct exec *x, struct node *n)
{
	struct tensor *c = onnx_op_in(x, n, 0);
	cella_result r;
	if (!c)
		return CELLA_ERR_MODEL;
	if (onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* output shapes depend on the branch taken */
	if (c->dtype != CELLA_ONNX_BOOL || onnx_tensor_count(c) != 1)
		return CELLA_ERR_MODEL_SHAPE;
	const struct attr *br = onnx_attr_get(n, *(const uint8_t *)c->data ? "then_branch" : "else_branch");
	if (!br || !br->g)
		return CELLA_ERR_MODEL;
	struct graph *g = br->g;
	if (g->n_outputs != n->n_out)
		return CELLA_ERR_MODEL;
	if ((r = onnx_graph_run(x, g)) != CELLA_OK)
		return r;
	for (int i = 0; i < n->n_out && r == CELLA_OK; i++) {
		struct tensor *src = &g->values[g->outputs[i]].t;
		if (!src->seq && !src->none &&
		    (src->rank < 0 || (!src->data && onnx_tensor_count(src) != 0 && onnx_dtype_size(src->dtype) != 0)))
			r = CELLA_ERR_MODEL; /* an output the branch never computed: there is nothing to copy */
		else /* a sequence the branch made is taken, one it reads from outside copied */
			r = onnx_op_pass(x, n, i, src);
	}
	onnx_graph_done(x->m, g);
	return r;
}

/* A scalar of dtype (one element of any rank) at input i, if given: 1 and its value in *v; 0 if absent. */
static int loop_scalar(struct exec *x, struct node *n, int i, int dtype, int64_t *v, cella_result *r)
{
	struct tensor *t = i < n->n_in ? onnx_op_in(x, n, i) : NULL;
	*r = CELLA_OK;
	if (!t)
		return 0;
	if (t->dtype != dtype || onnx_tensor_count(t) != 1) {
		*r = onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input %d ('%s') is %s of %zu elements: one %s is expected",
				  i, i ? "cond" : "M", onnx_tname(t->dtype),
				  onnx_tensor_count(t), onnx_tname(dtype));
		return 0;
	}
	*v = onnx_get_i(t->data, dtype, 0);
	return 1;
}

struct loop_state {
	int nv, ns;
	struct tensor *carried; /* nv values, data in mem[i] once the body has produced them; a sequence its own
				 * (seq_own) once the body has made one */
	void **mem;
	struct tensor *scan;    /* ns: one iteration's shape and type, data the iterations' values end to end */
	size_t *cap;
};

static void loop_free(struct loop_state *st)
{
	for (int i = 0; st->mem && i < st->nv; i++)
		free(st->mem[i]);
	for (int i = 0; st->carried && i < st->nv; i++)
		if (st->carried[i].seq_own)
			onnx_seq_free(st->carried[i].seq);
	for (int i = 0; st->scan && i < st->ns; i++)
		free(st->scan[i].data);
	free(st->carried);
	free(st->mem);
	free(st->scan);
	free(st->cap);
	memset(st, 0, sizeof(*st)); /* freeing again is a no-op */
}

/* Starts a Loop's or Scan's state: nv carried values, borrowed from init (NULL: the node's inputs first..) until the
 * body's first iteration replaces them, and room for ns scan outputs. On failure st is freed. */
static cella_result loop_start(struct exec *x, struct node *n, struct loop_state *st, int nv, int ns, int first,
			       const struct tensor *const *init)
{
	st->nv = nv;
	st->ns = ns;
	st->carried = calloc((size_t)nv + 1, sizeof(*st->carried));
	st->mem = calloc((size_t)nv + 1, sizeof(*st->mem));
	st->scan = calloc((size_t)ns + 1, sizeof(*st->scan));
	st->cap = calloc((size_t)ns + 1, sizeof(*st->cap));
	if (!st->carried || !st->mem || !st->scan || !st->cap) {
		loop_free(st);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	for (int i = 0; i < nv; i++) {
		const struct tensor *v = init ? init[i] : onnx_op_in(x, n, first + i);
		if (!v) {
			loop_free(st);
			return onnx_op_fail(x, CELLA_ERR_MODEL, "loop-carried input %d is absent", first + i);
		}
		st->carried[i] = *v;
		st->carried[i].seq_own = 0; /* the input's */
	}
	return CELLA_OK;
}

/* outer blocks of `block` bytes from src to dst, the blocks sstride and dstride bytes apart: a slice of a tensor
 * along an axis taken out of it, or put into it. */
static void copy_blocks(void *dst, size_t dstride, const void *src, size_t sstride, size_t outer, size_t block)
{
	for (size_t q = 0; q < outer; q++)
		memcpy((char *)dst + q * dstride, (const char *)src + q * sstride, block);
}

/* Appends src to scan output k of st as its `unit` it (an iteration; Scan-8: a batch element): the first sets the
 * type and shape every later one keeps, all of them within max_tensor_bytes. */
static cella_result loop_append(struct exec *x, struct loop_state *st, int k, const struct tensor *src, int64_t it,
				const char *unit)
{
	struct tensor *sc = &st->scan[k];
	size_t *cap = &st->cap[k];
	if (it == 0) {
		void *keep = sc->data;
		*sc = *src;
		sc->data = keep;
		sc->bytes = 0;
	} else if (src->dtype != sc->dtype || src->rank != sc->rank ||
		   memcmp(src->dims, sc->dims, (size_t)src->rank * sizeof(int64_t)) != 0) {
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scan output %d changes its type or shape at %s %lld", k, unit,
				    (long long)it);
	}
	if (src->rank + 1 > MAXR)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "scan output %d of rank %d: its result would exceed "
				    "rank %d", k, src->rank, MAXR);
	if (sc->bytes + src->bytes > x->m->opt.max_tensor_bytes)
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "scan output %d over max_tensor_bytes (%llu) at %s %lld", k,
				    (unsigned long long)x->m->opt.max_tensor_bytes, unit, (long long)it);
	if (sc->bytes + src->bytes > *cap) {
		size_t want = (sc->bytes + src->bytes) * 2;
		void *p = realloc(sc->data, want ? want : 1);
		if (!p)
			return CELLA_ERR_OUT_OF_MEMORY;
		sc->data = p;
		*cap = want;
	}
	if (src->bytes)
		memcpy((char *)sc->data + sc->bytes, src->data, src->bytes);
	sc->bytes += src->bytes;
	return CELLA_OK;
}

/* Takes one iteration's body outputs from output `first` on (Loop: 1, after the condition; Scan: 0): the carried
 * values copied (the body's memory is released after this), the scan outputs appended; every scan output keeps
 * the first iteration's shape and type. */
static cella_result loop_take(struct exec *x, struct graph *g, int first, struct loop_state *st, int64_t it)
{
	for (int i = 0; i < st->nv + st->ns; i++) {
		struct tensor *src = &g->values[g->outputs[first + i]].t;
		if (src->rank < 0 || (!src->data && src->bytes))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "body output %d is never computed", first + i);
		if (i >= st->nv && src->seq)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "scan output %d is a sequence (scan outputs are "
					    "tensors)", i - st->nv);
		if (i < st->nv) {
			struct tensor *c = &st->carried[i];
			struct onnx_seq *s = NULL;
			/* an optional carried may be empty at one iteration and hold a value at another */
			if (!c->none && !src->none && (src->dtype != c->dtype || !src->seq != !c->seq))
				return onnx_op_fail(x, CELLA_ERR_MODEL, "body output %d is %s%s, the loop-carried value %s%s",
						    first + i, src->seq ? "a sequence of " : "", onnx_tname(src->dtype),
						    c->seq ? "a sequence of " : "", onnx_tname(c->dtype));
			if (src->seq) { /* taken from the body (its memory is released after this), or copied */
				cella_result r = onnx_seq_take(x, src, &s);
				if (r != CELLA_OK)
					return r;
			}
			if (c->seq_own)
				onnx_seq_free(c->seq);
			if (s || src->none) { /* src no longer holds a sequence it owned */
				*c = *src;
				c->seq = s;
				c->seq_own = s != NULL;
				continue;
			}
			void *p = malloc(src->bytes ? src->bytes : 1);
			if (!p)
				return CELLA_ERR_OUT_OF_MEMORY;
			if (src->bytes)
				memcpy(p, src->data, src->bytes);
			free(st->mem[i]);
			st->mem[i] = p;
			*c = *src;
			c->data = p;
			c->seq_own = 0;
			continue;
		}
		cella_result r = loop_append(x, st, i - st->nv, src, it, "iteration");
		if (r != CELLA_OK)
			return r;
	}
	return CELLA_OK;
}

/*
 * Writes a Loop's or Scan's outputs: the carried values, then each scan output's `iters` slices (end to end in
 * st->scan) stacked along a new axis axes[k] (NULL: 0; negative counts from the back of the stacked rank), in
 * reverse order where rev[k] is 1. After no iteration a scan output is an empty vector of the body's declared
 * type (float when undeclared). first: the body output of carried value 0.
 */
static cella_result loop_outputs(struct exec *x, struct node *n, struct graph *g, int first, struct loop_state *st,
				 int64_t iters, const int64_t *axes, const int64_t *rev)
{
	cella_result r = CELLA_OK;
	for (int i = 0; r == CELLA_OK && i < n->n_out; i++) {
		struct tensor *o, *src = i < st->nv ? &st->carried[i] : &st->scan[i - st->nv];
		int64_t dims[MAXR] = { 0 };
		int rank = src->rank, dtype = src->dtype, k = i - st->nv, a = 0;
		if (i < st->nv) { /* a sequence the body made is taken, the input's copied */
			r = onnx_op_pass(x, n, i, src);
			continue;
		}
		if (iters == 0) {
			rank = 0;
			dtype = g->values[g->outputs[first + i]].decl_dtype;
			if (onnx_dtype_size(dtype) == 0)
				dtype = CELLA_ONNX_FLOAT;
		} else if (axes && onnx_normalize_axis(axes[k], rank + 1, &a)) {
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scan output %d: axis %lld is out of range for rank %d",
					    k, (long long)axes[k], rank + 1);
		}
		memcpy(dims, src->dims, (size_t)a * sizeof(int64_t));
		dims[a] = iters;
		memcpy(dims + a + 1, src->dims + a, (size_t)(rank - a) * sizeof(int64_t));
		if ((r = onnx_op_out(x, n, i, dtype, rank + 1, dims, &o)) != CELLA_OK || !o->bytes)
			continue;
		size_t slice = src->bytes / (size_t)iters, outer = (size_t)onnx_dims_prod(src->dims, a);
		size_t inner = outer ? slice / outer : 0;
		for (int64_t t = 0; t < iters; t++) {
			size_t at = (size_t)(rev && rev[k] ? iters - 1 - t : t);
			copy_blocks((char *)o->data + at * inner, (size_t)iters * inner,
				    (const char *)src->data + (size_t)t * slice, inner, outer, inner);
		}
	}
	return r;
}

/*
 * Loop: the body (inputs: iteration number, condition, the N loop-carried values; outputs: the condition, the N
 * values, K scan outputs) runs while the iteration number is below M (when given) and the condition holds (when
 * given: the body's condition output is then the next iteration's; without the input it is ignored). Outputs: the
 * final carried values (the initial ones after no iteration) and each scan output's iterations stacked on a new
 * first axis (after no iteration, an empty vector of the body's declared type). ONNX lets a loop without M whose
 * condition stays true run for ever: past the model's max_loop_iterations it fails instead.
 */
static cella_result op_loop(struct exec *x, struct node *n)
{
	const struct attr *ba = onnx_attr_get(n, "body");
	struct loop_state st = { 0 };
	int64_t trips = INT64_MAX, cond = 1, it = 0;
	cella_result r;
	if (!ba || !ba->g)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'body' is missing or not a graph");
	struct graph *g = ba->g;
	int nv = n->n_in - 2, ns = n->n_out - nv;
	if (nv < 0 || ns < 0 || g->n_inputs != nv + 2 || g->n_outputs != nv + 1 + ns)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "%d inputs and %d outputs, a body of %d inputs and %d outputs: "
				    "a body takes the iteration number, the condition and the N carried values, and gives "
				    "the condition, the N values and the scan outputs", n->n_in, n->n_out, g->n_inputs,
				    g->n_outputs);
	if (onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* output shapes depend on the iterations */
	loop_scalar(x, n, 0, CELLA_ONNX_INT64, &trips, &r);
	if (r != CELLA_OK)
		return r;
	int has_cond = loop_scalar(x, n, 1, CELLA_ONNX_BOOL, &cond, &r);
	if (r != CELLA_OK || (r = loop_start(x, n, &st, nv, ns, 2, NULL)) != CELLA_OK)
		return r;
	for (; it < trips && cond; it++) {
		uint8_t c = 1;
		if ((uint64_t)it >= x->m->opt.max_loop_iterations) {
			r = onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "more than max_loop_iterations (%llu) iterations",
					 (unsigned long long)x->m->opt.max_loop_iterations);
			break;
		}
		struct tensor ti = { .dtype = CELLA_ONNX_INT64, .data = &it, .bytes = 8 };
		struct tensor tc = { .dtype = CELLA_ONNX_BOOL, .data = &c, .bytes = 1 };
		onnx_graph_bind(g, 0, &ti);
		onnx_graph_bind(g, 1, &tc);
		for (int i = 0; i < st.nv; i++)
			onnx_graph_bind(g, 2 + i, &st.carried[i]);
		if ((r = onnx_graph_run(x, g)) != CELLA_OK)
			break;
		const struct tensor *co = &g->values[g->outputs[0]].t;
		if (co->dtype != CELLA_ONNX_BOOL || co->rank < 0 || onnx_tensor_count(co) != 1 || !co->data)
			r = onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "body output 0 (the condition) is not one bool");
		else if (has_cond)
			cond = *(const uint8_t *)co->data != 0;
		if (r == CELLA_OK)
			r = loop_take(x, g, 1, &st, it);
		onnx_graph_done(x->m, g);
		if (r != CELLA_OK)
			break;
	}
	if (r == CELLA_OK)
		r = loop_outputs(x, n, g, 1, &st, it, NULL, NULL);
	loop_free(&st);
	return r;
}

/* The count-long int list attribute `name` of a Scan in *v, or NULL when absent; CELLA_ERR_MODEL, named, for another
 * count or (dir) a value other than 0 and 1. */
static cella_result scan_ints(struct exec *x, struct node *n, const char *name, int count, int dir, const int64_t **v)
{
	size_t c = onnx_attr_ints(n, name, v);
	if (!onnx_attr_get(n, name)) {
		*v = NULL;
		return CELLA_OK;
	}
	if (c != (size_t)count)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' has %zu values, one per scan %s (%d)", name, c,
				    strstr(name, "output") ? "output" : "input", count);
	for (int i = 0; dir && i < count; i++)
		if ((*v)[i] != 0 && (*v)[i] != 1)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' value %d is %lld, not 0 or 1", name, i,
					    (long long)(*v)[i]);
	return CELLA_OK;
}

/*
 * Scan's iterations over one set of inputs: in[0, nv) the initial states, in[nv, nv + m) the scan inputs, all of one
 * length along their axes (iax, NULL: 0), each read forward or in reverse (idir, NULL: forward). The body (inputs:
 * the states, then one slice of each scan input; outputs: the states, then ns scan output slices) runs once per
 * slice. Leaves the final states and the scan outputs' slices in st (started here, for the caller to free, also on
 * failure) and the length in *len (0 without iterations).
 */
static cella_result scan_iterate(struct exec *x, struct node *n, struct graph *g, const struct tensor *const *in,
				 int nv, int m, int ns, const int64_t *iax, const int64_t *idir, struct loop_state *st,
				 int64_t *len)
{
	cella_result r;
	*len = -1;
	if ((r = loop_start(x, n, st, nv, ns, 0, in)) != CELLA_OK)
		return r;
	struct tensor *slice = calloc((size_t)m, sizeof(*slice));
	int *axis = calloc((size_t)m, sizeof(*axis));
	if (!slice || !axis) {
		r = CELLA_ERR_OUT_OF_MEMORY;
		goto out;
	}
	for (int j = 0; j < m; j++) {
		const struct tensor *v = in[nv + j];
		if (onnx_normalize_axis(iax ? iax[j] : 0, v->rank, &axis[j])) {
			r = onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scan input %d of rank %d has no axis %lld", j, v->rank,
					 (long long)(iax ? iax[j] : 0));
			goto out;
		}
		if (*len >= 0 && v->dims[axis[j]] != *len) {
			r = onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scan input %d is %lld long along axis %d, scan input 0 "
					 "%lld", j, (long long)v->dims[axis[j]], axis[j], (long long)*len);
			goto out;
		}
		*len = v->dims[axis[j]];
		slice[j].dtype = v->dtype;
		slice[j].half = v->half;
		slice[j].rank = v->rank - 1;
		memcpy(slice[j].dims, v->dims, (size_t)axis[j] * sizeof(int64_t));
		memcpy(slice[j].dims + axis[j], v->dims + axis[j] + 1, (size_t)(v->rank - 1 - axis[j]) * sizeof(int64_t));
		slice[j].bytes = *len ? v->bytes / (size_t)*len : 0;
		slice[j].data = malloc(slice[j].bytes ? slice[j].bytes : 1);
		if (!slice[j].data) {
			r = CELLA_ERR_OUT_OF_MEMORY;
			goto out;
		}
	}
	for (int64_t t = 0; t < *len; t++) {
		for (int j = 0; j < m; j++) {
			const struct tensor *v = in[nv + j];
			size_t at = (size_t)(idir && idir[j] ? *len - 1 - t : t);
			size_t outer = (size_t)onnx_dims_prod(v->dims, axis[j]), inner = outer ? slice[j].bytes / outer : 0;
			copy_blocks(slice[j].data, inner, (const char *)v->data + at * inner, (size_t)*len * inner, outer,
				    inner);
			onnx_graph_bind(g, nv + j, &slice[j]);
		}
		for (int i = 0; i < nv; i++)
			onnx_graph_bind(g, i, &st->carried[i]);
		if ((r = onnx_graph_run(x, g)) != CELLA_OK)
			goto out;
		r = loop_take(x, g, 0, st, t);
		onnx_graph_done(x->m, g);
		if (r != CELLA_OK)
			goto out;
	}
	*len = *len < 0 ? 0 : *len;
	r = CELLA_OK;
out:
	for (int j = 0; slice && j < m; j++)
		free(slice[j].data);
	free(slice);
	free(axis);
	return r;
}

/*
 * Scan-8's batches: every input (in, the states then the scan inputs) has a leading batch axis, and a scan input a
 * sequence axis after it. The scan runs once per batch element over the inputs' slices at it, and each output (a
 * final state, or a scan output's slices stacked on a sequence axis) stacks the elements' results on a new first
 * axis. sequence_lens (input 0), when given, is int64 [batch]; an element shorter than the whole sequence is
 * refused (CELLA_ERR_MODEL_UNSUPPORTED): the engine scans whole sequences only.
 */
static cella_result scan_batches(struct exec *x, struct node *n, struct graph *g, const struct tensor *const *in,
				 int nv, int m, int ns, const int64_t *idir)
{
	const struct tensor *sl = onnx_op_in(x, n, 0);
	struct loop_state bst = { 0 };
	int nin = nv + m;
	int64_t nb = in[0]->rank ? in[0]->dims[0] : 0, seq = 0;
	cella_result r;
	for (int i = 0; i < nin; i++) {
		int need = i < nv ? 1 : 2; /* a batch axis; a scan input's sequence axis */
		if (in[i]->rank < need)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input %d of rank %d has no %s axis (Scan-8: [batch%s, "
					    "...])", i + 1, in[i]->rank, in[i]->rank ? "sequence" : "batch",
					    i < nv ? "" : ", sequence");
		if (in[i]->dims[0] != nb)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input %d has a batch of %lld, input 1 of %lld", i + 1,
					    (long long)in[i]->dims[0], (long long)nb);
	}
	seq = in[nv]->dims[1];
	if (nb == 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "a batch of 0 (Scan-8 with no batch element)");
	if (sl) {
		if (sl->dtype != CELLA_ONNX_INT64)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "sequence_lens of type %s, not int64", onnx_tname(sl->dtype));
		if (sl->rank != 1 || sl->dims[0] != nb)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "sequence_lens of rank %d with %zu values, not one per "
					    "batch element (%lld)", sl->rank, onnx_tensor_count(sl), (long long)nb);
		for (int64_t b = 0; b < nb; b++) {
			int64_t v = ((const int64_t *)sl->data)[b];
			if (v < 0 || v > seq)
				return onnx_op_fail(x, CELLA_ERR_MODEL, "sequence_lens[%lld] is %lld, outside 0..%lld (the "
						    "scan inputs' sequence)", (long long)b, (long long)v, (long long)seq);
			if (v != seq)
				return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "sequence_lens[%lld] is %lld, shorter than "
						    "the scan inputs' sequence of %lld (only whole sequences are scanned)",
						    (long long)b, (long long)v, (long long)seq);
		}
	}
	struct tensor *view = calloc((size_t)nin, sizeof(*view));
	const struct tensor **vp = calloc((size_t)nin, sizeof(*vp));
	r = view && vp ? loop_start(x, n, &bst, 0, n->n_out, 0, NULL) : CELLA_ERR_OUT_OF_MEMORY;
	for (int64_t b = 0; r == CELLA_OK && b < nb; b++) {
		struct loop_state st = { 0 };
		int64_t len;
		for (int i = 0; i < nin; i++) { /* element b of input i: its slice along the batch axis */
			size_t per = in[i]->bytes / (size_t)nb;
			view[i] = *in[i];
			view[i].rank--;
			memmove(view[i].dims, view[i].dims + 1, (size_t)view[i].rank * sizeof(int64_t));
			view[i].data = (char *)in[i]->data + (size_t)b * per;
			view[i].bytes = per;
			vp[i] = &view[i];
		}
		r = scan_iterate(x, n, g, vp, nv, m, ns, NULL, idir, &st, &len);
		for (int k = 0; r == CELLA_OK && k < n->n_out; k++) {
			struct tensor res = k < nv ? st.carried[k] : st.scan[k - nv];
			if (k >= nv && len == 0) { /* no iteration: an empty vector of the body's declared type */
				int dt = g->values[g->outputs[k]].decl_dtype;
				memset(&res, 0, sizeof(res));
				res.dtype = onnx_dtype_size(dt) ? dt : CELLA_ONNX_FLOAT;
				res.rank = 1;
			} else if (k >= nv) { /* the element's slices end to end: stacked on the sequence axis */
				memmove(res.dims + 1, res.dims, (size_t)res.rank * sizeof(int64_t));
				res.dims[0] = len;
				res.rank++;
			}
			r = loop_append(x, &bst, k, &res, b, "batch element");
		}
		loop_free(&st);
	}
	if (r == CELLA_OK)
		r = loop_outputs(x, n, g, 0, &bst, nb, NULL, NULL);
	free(view);
	free(vp);
	loop_free(&bst);
	return r;
}

/*
 * Scan (opset 8 on): the body (inputs: the N state values, then one slice of each of the M scan inputs along its
 * axis; outputs: the N states, then K scan output slices) runs once per slice, all scan inputs having the same
 * length along their axes, each read forward or in reverse (scan_input_directions; Scan-8: directions). Outputs:
 * the final states, and each scan output's slices stacked along its axis (scan_output_axes, default 0), in reverse
 * order where scan_output_directions says 1. Scan-8 takes sequence_lens first and a batch axis on every input and
 * output (scan_batches); its scan inputs are scanned along their sequence axis, after the batch one.
 */
static cella_result op_scan(struct exec *x, struct node *n)
{
	const struct attr *ba = onnx_attr_get(n, "body");
	const int64_t *iax = NULL, *idir = NULL, *oax = NULL, *odir = NULL;
	struct loop_state st = { 0 };
	int lead = n->opset < 9; /* Scan-8: input 0 is sequence_lens, the body's inputs follow */
	int nin = n->n_in - lead;
	int64_t m = onnx_attr_i(n, "num_scan_inputs", 0), len;
	cella_result r;
	if (!ba || !ba->g)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'body' is missing or not a graph");
	struct graph *g = ba->g;
	if (!onnx_attr_get(n, "num_scan_inputs") || m < 1 || m > nin)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'num_scan_inputs' is %lld: 1 to the node's %d %sinputs",
				    (long long)m, nin, lead ? "state and scan " : "");
	int nv = nin - (int)m, ns = n->n_out - nv;
	if (ns < 0 || g->n_inputs != nin || g->n_outputs != n->n_out)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "%d inputs (%lld scanned%s) and %d outputs, a body of %d inputs and "
				    "%d outputs: the body takes and gives what the node does, one slice for each scan",
				    n->n_in, (long long)m, lead ? ", after sequence_lens" : "", n->n_out, g->n_inputs,
				    g->n_outputs);
	if (lead)
		r = scan_ints(x, n, "directions", (int)m, 1, &idir);
	else if ((r = scan_ints(x, n, "scan_input_axes", (int)m, 0, &iax)) == CELLA_OK &&
		 (r = scan_ints(x, n, "scan_input_directions", (int)m, 1, &idir)) == CELLA_OK &&
		 (r = scan_ints(x, n, "scan_output_axes", ns, 0, &oax)) == CELLA_OK)
		r = scan_ints(x, n, "scan_output_directions", ns, 1, &odir);
	if (r != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* the outputs' shapes are the body's */
	const struct tensor **in = calloc((size_t)nin, sizeof(*in));
	if (!in)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int i = 0; i < nin; i++)
		if (!(in[i] = onnx_op_in(x, n, lead + i))) {
			free(in);
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", lead + i);
		}
	if (lead) {
		r = scan_batches(x, n, g, in, nv, (int)m, ns, idir);
	} else {
		r = scan_iterate(x, n, g, in, nv, (int)m, ns, iax, idir, &st, &len);
		if (r == CELLA_OK)
			r = loop_outputs(x, n, g, 0, &st, len, oax, odir);
		loop_free(&st);
	}
	free(in);
	return r;
}

const struct op_def onnx_ops_misc[] = {
	{ "ReduceSum", op_rsum, NULL, 1, 0 },
	{ "ReduceMean", op_rmean, NULL, 1, 0 },
	{ "ReduceMax", op_rmax, NULL, 1, 0 },
	{ "ReduceMin", op_rmin, NULL, 1, 0 },
	{ "ReduceProd", op_rprod, NULL, 1, 0 },
	{ "ReduceL1", op_rl1, NULL, 1, 0 },
	{ "ReduceL2", op_rl2, NULL, 1, 0 },
	{ "ReduceLogSum", op_rlogsum, NULL, 1, 0 },
	{ "ReduceLogSumExp", op_rlogsumexp, NULL, 1, 0 },
	{ "ReduceSumSquare", op_rsumsq, NULL, 1, 0 },
	{ "ArgMax", op_argmax, NULL, 1, 0 },
	{ "ArgMin", op_argmin, NULL, 1, 0 },
	{ "TopK", op_topk, NULL, 1, 0 },
	{ "CumSum", op_cumsum, NULL, 11, 0 },
	{ "RNN", op_rnn, rnn_prep, 7, 0 },
	{ "GRU", op_gru, gru_prep, 7, 0 },
	{ "LSTM", op_lstm, lstm_prep, 7, 0 },
	{ "If", op_if, NULL, 1, ONNX_STR_OUT },
	{ "Loop", op_loop, NULL, 1, ONNX_SEQ_CARRIED | ONNX_STR_ANY },
	{ "Scan", op_scan, NULL, 8, ONNX_STR_ANY }, /* Scan-8: batched, after sequence_lens */
	{ NULL, NULL, NULL, 0, 0 },
};

const struct op_def *onnx_op_lookup(int domain, const char *name, int opset) /* see onnx_internal.h */
{
	static const struct op_def *const tables[] = { onnx_ops_elementwise, onnx_ops_nn, onnx_ops_shape,
						       onnx_ops_misc, onnx_ops_extra, onnx_ops_grid, onnx_ops_vision, onnx_ops_linalg,
						       onnx_ops_signal, onnx_ops_text, onnx_ops_quant, onnx_ops_seq };
	static const struct op_def *const training[] = { onnx_ops_training };
	const struct op_def *const *tab = domain == ONNX_DOMAIN_TRAINING ? training : tables;
	size_t nt = domain == ONNX_DOMAIN_TRAINING ? 1 : sizeof(tables) / sizeof(tables[0]);
	for (size_t t = 0; t < nt; t++)
		for (const struct op_def *d = tab[t]; d->name; d++)
			if (!strcmp(d->name, name))
				return d->min_opset <= opset ? d : NULL;
	return NULL;
}
