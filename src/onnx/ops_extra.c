// SPDX-License-Identifier: MIT
/* Less common operators: losses, Trilu, EyeLike, OneHot, scatter/gather variants, NonZero, Compress,
 * MeanVarianceNormalization, GroupNormalization, ReverseSequence, QuantizeLinear/DequantizeLinear. Written for
 * correctness first. */
#include "onnx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double getd(const struct tensor *t, size_t i)
{
	return onnx_get_d(t->data, t->dtype, i);
}

static int64_t geti(const struct tensor *t, size_t i)
{
	return onnx_get_i(t->data, t->dtype, i);
}

static void putd(struct tensor *t, size_t i, double v)
{
	onnx_put_d(t->data, t->dtype, i, v);
}

static int is_idx(int dt) { return dt == CELLA_ONNX_INT32 || dt == CELLA_ONNX_INT64; }

/* ------------------------------------------------------------------ losses */

/* NLL over logp [N, C, d...] (any float type) and targets [N, d...]; writes loss (reduced or per element). */
static cella_result nll(struct exec *x, struct node *n, const struct tensor *lp, const double *lpd,
			const struct tensor *tg, const struct tensor *wt, int out_idx)
{
	struct tensor *o;
	cella_result r;
	const char *red = onnx_attr_s(n, "reduction", "mean");
	int mode = !strcmp(red, "none") ? 0 : !strcmp(red, "sum") ? 1 : !strcmp(red, "mean") ? 2 : -1;
	const struct attr *ia = onnx_attr_get(n, "ignore_index");
	int64_t ign = ia ? ia->i : INT64_MIN;
	if (mode < 0)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (lp->rank < 2 || tg->rank != lp->rank - 1 || tg->dims[0] != lp->dims[0])
		return CELLA_ERR_MODEL_SHAPE;
	for (int d = 2; d < lp->rank; d++)
		if (tg->dims[d - 1] != lp->dims[d])
			return CELLA_ERR_MODEL_SHAPE;
	int64_t N = lp->dims[0], C = lp->dims[1], D = onnx_dims_prod(lp->dims + 2, lp->rank - 2);
	if (wt && (wt->rank != 1 || wt->dims[0] != C || wt->dtype != lp->dtype))
		return CELLA_ERR_MODEL_SHAPE;
	if ((r = onnx_op_out(x, n, out_idx, lp->dtype, mode ? 0 : tg->rank, tg->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	double sum = 0, wsum = 0;
	for (int64_t b = 0; b < N; b++)
		for (int64_t d = 0; d < D; d++) {
			int64_t t = geti(tg, (size_t)(b * D + d));
			double l = 0, w = 0;
			if (t != ign) {
				if (t < 0 || t >= C)
					return CELLA_ERR_MODEL;
				w = wt ? getd(wt, (size_t)t) : 1.0;
				double v = lpd ? lpd[(b * C + t) * D + d] : getd(lp, (size_t)((b * C + t) * D + d));
				l = -v * w;
			}
			if (mode == 0)
				putd(o, (size_t)(b * D + d), l);
			sum += l;
			wsum += w;
		}
	if (mode == 1)
		putd(o, 0, sum);
	else if (mode == 2)
		putd(o, 0, wsum != 0 ? sum / wsum : (sum == 0 ? 0 : NAN));
	return CELLA_OK;
}

static cella_result op_nll(struct exec *x, struct node *n)
{
	struct tensor *lp = onnx_op_in(x, n, 0), *tg = onnx_op_in(x, n, 1), *wt = onnx_op_in(x, n, 2);
	if (!lp || !tg)
		return CELLA_ERR_MODEL;
	if (!onnx_dtype_is_fp(lp->dtype) || !is_idx(tg->dtype))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	return nll(x, n, lp, NULL, tg, wt, 0);
}

static cella_result op_sce(struct exec *x, struct node *n)
{
	struct tensor *sc = onnx_op_in(x, n, 0), *tg = onnx_op_in(x, n, 1), *wt = onnx_op_in(x, n, 2), *lpo = NULL;
	cella_result r;
	if (!sc || !tg)
		return CELLA_ERR_MODEL;
	if (!onnx_dtype_is_fp(sc->dtype) || !is_idx(tg->dtype))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (sc->rank < 2)
		return CELLA_ERR_MODEL_SHAPE;
	if (onnx_op_has_out(n, 1) && (r = onnx_op_out(x, n, 1, sc->dtype, sc->rank, sc->dims, &lpo)) != CELLA_OK)
		return r;
	int64_t N = sc->dims[0], C = sc->dims[1], D = onnx_dims_prod(sc->dims + 2, sc->rank - 2);
	double *lp = NULL;
	if (!onnx_op_dry(x)) {
		lp = onnx_op_scratch(x, 1, (size_t)(N * C * D + 1) * sizeof(double));
		if (!lp)
			return CELLA_ERR_OUT_OF_MEMORY;
		for (int64_t b = 0; b < N; b++)
			for (int64_t d = 0; d < D; d++) {
				double mx = -INFINITY, s = 0;
				for (int64_t c = 0; c < C; c++)
					mx = fmax(mx, getd(sc, (size_t)((b * C + c) * D + d)));
				for (int64_t c = 0; c < C; c++)
					s += exp(getd(sc, (size_t)((b * C + c) * D + d)) - mx);
				for (int64_t c = 0; c < C; c++) {
					size_t i = (size_t)((b * C + c) * D + d);
					lp[i] = getd(sc, i) - mx - log(s);
					if (lpo && lpo->data)
						putd(lpo, i, lp[i]);
				}
			}
	}
	return nll(x, n, sc, lp, tg, wt, 0);
}

/* ------------------------------------------------------------------ Trilu, EyeLike, OneHot */

static cella_result op_trilu(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *tk = onnx_op_in(x, n, 1), *o;
	int64_t k = 0, kv[1];
	int nk;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->rank < 2)
		return CELLA_ERR_MODEL_SHAPE;
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK)
		return r;
	if (tk) {
		if ((r = onnx_op_read_ints(x, tk, kv, 1, &nk)) != CELLA_OK)
			return onnx_op_dry(x) ? CELLA_OK : r;
		if (nk != 1)
			return CELLA_ERR_MODEL_SHAPE;
		k = kv[0];
	}
	if (onnx_op_dry(x))
		return CELLA_OK;
	int upper = onnx_attr_int(n, "upper", 1);
	int64_t R = a->dims[a->rank - 2], C = a->dims[a->rank - 1], B = onnx_dims_prod(a->dims, a->rank - 2);
	size_t es = onnx_dtype_size(a->dtype);
	for (int64_t b = 0; b < B; b++)
		for (int64_t i = 0; i < R; i++)
			for (int64_t j = 0; j < C; j++) {
				size_t off = (size_t)((b * R + i) * C + j) * es;
				int keep = upper ? j - i >= k : j - i <= k;
				if (keep)
					memcpy((char *)o->data + off, (const char *)a->data + off, es);
				else if (a->dtype == CELLA_ONNX_STRING)
					*(struct cella_onnx_string *)((char *)o->data + off) = (struct cella_onnx_string){ "", 0 };
				else
					memset((char *)o->data + off, 0, es);
			}
	return CELLA_OK;
}

static cella_result op_eyelike(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->rank != 2)
		return CELLA_ERR_MODEL_SHAPE;
	int dt = onnx_attr_int(n, "dtype", a->dtype);
	if ((r = onnx_op_out(x, n, 0, dt, 2, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t k = onnx_attr_i(n, "k", 0);
	/* a diagonal beyond either side is empty: clamped, i + k cannot overflow */
	if (k > a->dims[1])
		k = a->dims[1];
	else if (k < -a->dims[0])
		k = -a->dims[0];
	memset(o->data, 0, o->bytes);
	for (int64_t i = 0; i < a->dims[0]; i++) {
		int64_t j = i + k;
		if (j >= 0 && j < a->dims[1])
			putd(o, (size_t)(i * a->dims[1] + j), 1);
	}
	return CELLA_OK;
}

static cella_result op_onehot(struct exec *x, struct node *n)
{
	struct tensor *ix = onnx_op_in(x, n, 0), *dp = onnx_op_in(x, n, 1), *vals = onnx_op_in(x, n, 2), *o;
	int axis;
	cella_result r;
	if (!ix || !dp || !vals)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_need(x, dp)) != CELLA_OK)
		return r;
	if (onnx_tensor_count(dp) != 1 || onnx_tensor_count(vals) != 2 || ix->rank + 1 > MAXR)
		return CELLA_ERR_MODEL_SHAPE;
	/* a float depth is cast to int64 (ONNX OneHot): truncated, once it is known to be a number at all */
	double dd = getd(dp, 0);
	if (onnx_dtype_is_fp(dp->dtype) && !isfinite(dd))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "depth is %g, not a finite number", dd);
	int64_t depth = geti(dp, 0);
	if (depth < 0 || depth > (1 << 24))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "depth is %lld, not in [0, 2^24]", (long long)depth);
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", -1), ix->rank + 1, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	int64_t od[MAXR];
	for (int d = 0, k = 0; d < ix->rank + 1; d++)
		od[d] = d == axis ? depth : ix->dims[k++];
	if ((r = onnx_op_out(x, n, 0, vals->dtype, ix->rank + 1, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t outer = onnx_dims_prod(ix->dims, axis), inner = onnx_dims_prod(ix->dims + axis, ix->rank - axis);
	size_t es = onnx_dtype_size(vals->dtype);
	for (int64_t a = 0; a < outer; a++)
		for (int64_t d = 0; d < depth; d++)
			for (int64_t i = 0; i < inner; i++) {
				/* an integer index exactly, a float one truncated and saturated; NaN is no class */
				size_t k = (size_t)(a * inner + i);
				int64_t v = onnx_dtype_is_fp(ix->dtype) && isnan(getd(ix, k)) ? depth : geti(ix, k);
				if (v < 0)
					v += depth;
				memcpy((char *)o->data + (size_t)((a * depth + d) * inner + i) * es,
				       (const char *)vals->data + (v == d ? es : 0), es);
			}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ scatter / gather variants */

enum { SCAT_NONE, SCAT_ADD, SCAT_MUL, SCAT_MAX, SCAT_MIN };

/* The reduction attribute of ScatterElements and ScatterND for data of dtype into *mode: CELLA_ERR_MODEL_UNSUPPORTED
 * for one neither knows, and for a reduction of strings (named), which only 'none' moves. */
static cella_result scatter_mode(struct exec *x, struct node *n, int dtype, int *mode)
{
	static const char *const names[] = { "none", "add", "mul", "max", "min" };
	const char *red = onnx_attr_s(n, "reduction", "none");
	for (*mode = 0; *mode < 5 && strcmp(red, names[*mode]); ++*mode)
		;
	if (*mode == 5)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (*mode != SCAT_NONE && dtype == CELLA_ONNX_STRING)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "reduction '%.16s' on strings (only 'none' moves them)",
				    red);
	return CELLA_OK;
}

/* Element di of o reduced (mode, not SCAT_NONE) with element si of up, of the same type. Floats through double;
 * integers exact in 64 bits, sums and products wrapping as unsigned arithmetic does and then to the element type
 * as Add and Mul wrap (through a double they rounded above 2^53 and overflowed the type's range), uint64 compared
 * as unsigned. */
static void scatter_reduce(struct tensor *o, size_t di, const struct tensor *up, size_t si, int mode)
{
	if (onnx_dtype_is_fp(o->dtype)) {
		double cur = getd(o, di), u = getd(up, si);
		/* max and min propagate a NaN on either side, as Max and Min do (numpy's maximum, the reference's) */
		int keep = cur != cur || (mode == SCAT_MAX ? cur > u : cur < u);
		putd(o, di, mode == SCAT_ADD ? cur + u : mode == SCAT_MUL ? cur * u : keep ? cur : u);
		return;
	}
	int64_t cur = geti(o, di), u = geti(up, si);
	/* as unsigned 64-bit values: compared so for uint64, their bit patterns otherwise (every narrower type's
	 * value fits in int64) */
	int less = o->dtype == CELLA_ONNX_UINT64 ? (uint64_t)u < (uint64_t)cur : u < cur;
	int64_t v;
	switch (mode) {
	case SCAT_ADD: v = (int64_t)((uint64_t)cur + (uint64_t)u); break;
	case SCAT_MUL: v = (int64_t)((uint64_t)cur * (uint64_t)u); break;
	case SCAT_MAX: v = less ? cur : u; break;
	default: v = less ? u : cur; break;
	}
	onnx_put_i(o->data, o->dtype, di, v);
}

static cella_result op_scatter_elements(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *ix = onnx_op_in(x, n, 1), *up = onnx_op_in(x, n, 2), *o;
	int axis;
	cella_result r;
	if (!a || !ix || !up)
		return CELLA_ERR_MODEL;
	if (!is_idx(ix->dtype) || up->dtype != a->dtype)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", 0), a->rank, &axis) || ix->rank != a->rank || up->rank != a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	for (int d = 0; d < a->rank; d++)
		if (ix->dims[d] != up->dims[d] || ix->dims[d] > a->dims[d])
			return CELLA_ERR_MODEL_SHAPE;
	int mode;
	if ((r = scatter_mode(x, n, a->dtype, &mode)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	if (o->data != a->data)
		memcpy(o->data, a->data, a->bytes);
	size_t es = onnx_dtype_size(a->dtype), cnt = onnx_tensor_count(ix);
	int64_t st[MAXR], idx[MAXR] = { 0 }, v = 1;
	for (int d = a->rank - 1; d >= 0; d--) {
		st[d] = v;
		v *= a->dims[d];
	}
	for (size_t i = 0; i < cnt; i++) {
		int64_t j = geti(ix, i);
		if (j < -a->dims[axis] || j >= a->dims[axis])
			return CELLA_ERR_MODEL;
		if (j < 0)
			j += a->dims[axis];
		int64_t off = 0;
		for (int d = 0; d < a->rank; d++)
			off += (d == axis ? j : idx[d]) * st[d];
		if (mode == SCAT_NONE)
			memcpy((char *)o->data + (size_t)off * es, (const char *)up->data + i * es, es);
		else
			scatter_reduce(o, (size_t)off, up, i, mode);
		onnx_index_next(idx, ix->dims, ix->rank);
	}
	return CELLA_OK;
}

static cella_result op_gather_nd(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *ix = onnx_op_in(x, n, 1), *o;
	cella_result r;
	if (!a || !ix)
		return CELLA_ERR_MODEL;
	if (!is_idx(ix->dtype))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	int64_t bd = onnx_attr_i(n, "batch_dims", 0);
	if (ix->rank < 1 || bd < 0 || bd >= ix->rank || bd >= a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t last = ix->dims[ix->rank - 1];
	if (last < 1 || last > a->rank - bd)
		return CELLA_ERR_MODEL_SHAPE;
	for (int d = 0; d < bd; d++)
		if (a->dims[d] != ix->dims[d])
			return CELLA_ERR_MODEL_SHAPE;
	int64_t od[MAXR];
	int orank = 0;
	for (int d = 0; d < ix->rank - 1; d++)
		od[orank++] = ix->dims[d];
	for (int d = (int)(bd + last); d < a->rank; d++) {
		if (orank >= MAXR)
			return CELLA_ERR_MODEL_UNSUPPORTED;
		od[orank++] = a->dims[d];
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, orank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype);
	int64_t B = onnx_dims_prod(a->dims, (int)bd);
	int64_t slice = onnx_dims_prod(a->dims + bd + last, a->rank - (int)(bd + last));
	int64_t per_batch = onnx_dims_prod(ix->dims + bd, ix->rank - 1 - (int)bd);
	int64_t abatch = onnx_dims_prod(a->dims + bd, a->rank - (int)bd);
	for (int64_t b = 0; b < B; b++)
		for (int64_t q = 0; q < per_batch; q++) {
			int64_t off = 0;
			for (int64_t k = 0; k < last; k++) {
				int64_t dim = a->dims[bd + k], v = geti(ix, (size_t)((b * per_batch + q) * last + k));
				if (v < -dim || v >= dim)
					return CELLA_ERR_MODEL;
				if (v < 0)
					v += dim;
				off = off * dim + v;
			}
			memcpy((char *)o->data + (size_t)((b * per_batch + q) * slice) * es,
			       (const char *)a->data + (size_t)(b * abatch + off * slice) * es, (size_t)slice * es);
		}
	return CELLA_OK;
}

static cella_result op_scatter_nd(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *ix = onnx_op_in(x, n, 1), *up = onnx_op_in(x, n, 2), *o;
	cella_result r;
	if (!a || !ix || !up)
		return CELLA_ERR_MODEL;
	if (!is_idx(ix->dtype) || up->dtype != a->dtype)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (ix->rank < 1)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t last = ix->dims[ix->rank - 1];
	if (last < 1 || last > a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	int mode;
	if ((r = scatter_mode(x, n, a->dtype, &mode)) != CELLA_OK)
		return r;
	/* updates.shape = indices.shape[:-1] + data.shape[last:] (ONNX ScatterND), dim by dim: the loops below read
	 * update q * slice + s */
	int q1 = ix->rank - 1, urank = q1 + a->rank - (int)last;
	if (up->rank != urank)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "updates of rank %d, expected %d (indices.shape[:-1] + "
				    "data.shape[%lld:])", up->rank, urank, (long long)last);
	for (int d = 0; d < urank; d++) {
		int64_t want = d < q1 ? ix->dims[d] : a->dims[last + d - q1];
		if (up->dims[d] != want)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "updates dim %d is %lld, expected %lld (indices.shape"
					    "[:-1] + data.shape[%lld:])", d, (long long)up->dims[d], (long long)want,
					    (long long)last);
	}
	int64_t nq = onnx_dims_prod(ix->dims, q1);
	int64_t slice = onnx_dims_prod(a->dims + last, a->rank - (int)last);
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	if (o->data != a->data)
		memcpy(o->data, a->data, a->bytes);
	size_t es = onnx_dtype_size(a->dtype);
	for (int64_t q = 0; q < nq; q++) {
		int64_t off = 0;
		for (int64_t k = 0; k < last; k++) {
			int64_t dim = a->dims[k], v = geti(ix, (size_t)(q * last + k));
			if (v < -dim || v >= dim)
				return CELLA_ERR_MODEL;
			if (v < 0)
				v += dim;
			off = off * dim + v;
		}
		for (int64_t s = 0; s < slice; s++) {
			size_t di = (size_t)(off * slice + s), si = (size_t)(q * slice + s);
			if (mode == SCAT_NONE)
				memcpy((char *)o->data + di * es, (const char *)up->data + si * es, es);
			else
				scatter_reduce(o, di, up, si, mode);
		}
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ NonZero, Compress */

/* Element i is nonzero: a float by value, so -0.0 counts as zero and NaN as nonzero; other types by their bytes. */
static int nonzero_at(const struct tensor *a, size_t i, size_t es)
{
	static const uint8_t zero[8];
	return onnx_dtype_is_fp(a->dtype) ? getd(a, i) != 0 : memcmp((const char *)a->data + i * es, zero, es) != 0;
}

static cella_result op_nonzero(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* output size depends on the data */
	size_t cnt = onnx_tensor_count(a), nz = 0, es = onnx_dtype_size(a->dtype);
	for (size_t i = 0; i < cnt; i++)
		nz += (size_t)nonzero_at(a, i, es);
	/* a scalar as the 1-d [x]: one row of indices (all 0), as the reference's np.nonzero takes a 0-d array (numpy
	 * before 2.1) and as onnxruntime gives it; [0, n] had no row for the n indices */
	int rows = a->rank ? a->rank : 1;
	int64_t od[2] = { rows, (int64_t)nz };
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, 2, od, &o)) != CELLA_OK)
		return r;
	int64_t idx[MAXR] = { 0 };
	size_t k = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (nonzero_at(a, i, es)) {
			for (int d = 0; d < rows; d++)
				((int64_t *)o->data)[(size_t)d * nz + k] = idx[d];
			k++;
		}
		onnx_index_next(idx, a->dims, a->rank);
	}
	return CELLA_OK;
}

static cella_result op_compress(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *c = onnx_op_in(x, n, 1), *o;
	cella_result r;
	if (!a || !c)
		return CELLA_ERR_MODEL;
	if (c->dtype != CELLA_ONNX_BOOL)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if ((r = onnx_op_need(x, c)) != CELLA_OK)
		return r;
	const struct attr *ax = onnx_attr_get(n, "axis");
	int axis = 0;
	int64_t len = ax ? 0 : (int64_t)onnx_tensor_count(a);
	if (ax) {
		if (onnx_normalize_axis(ax->i, a->rank, &axis))
			return CELLA_ERR_MODEL_SHAPE;
		len = a->dims[axis];
	}
	size_t nc = onnx_tensor_count(c), keep = 0;
	for (size_t i = 0; i < nc && (int64_t)i < len; i++)
		keep += ((const uint8_t *)c->data)[i] != 0;
	int64_t od[MAXR];
	int orank = ax ? a->rank : 1;
	if (ax) {
		memcpy(od, a->dims, sizeof(od));
		od[axis] = (int64_t)keep;
	} else {
		od[0] = (int64_t)keep;
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, orank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype);
	int64_t outer = ax ? onnx_dims_prod(a->dims, axis) : 1;
	int64_t inner = ax ? onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1) : 1;
	size_t k = 0;
	for (int64_t b = 0; b < outer; b++)
		for (int64_t i = 0; i < len; i++)
			if ((size_t)i < nc && ((const uint8_t *)c->data)[i]) {
				memcpy((char *)o->data + k * (size_t)inner * es,
				       (const char *)a->data + (size_t)((b * len + i) * inner) * es, (size_t)inner * es);
				k++;
			}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ MVN, ReverseSequence */

static cella_result op_mvn(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	const int64_t *axv;
	size_t na = onnx_attr_ints(n, "axes", &axv);
	static const int64_t defaxes[3] = { 0, 2, 3 };
	if (!na) {
		axv = defaxes;
		na = 3;
	}
	int red[MAXR] = { 0 };
	for (size_t i = 0; i < na; i++) {
		int d;
		if (onnx_normalize_axis(axv[i], a->rank, &d))
			return CELLA_ERR_MODEL_SHAPE;
		red[d] = 1;
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t cnt = onnx_tensor_count(a);
	int64_t ost[MAXR], v = 1;
	for (int d = a->rank - 1; d >= 0; d--) {
		ost[d] = red[d] ? 0 : v;
		v *= red[d] ? 1 : a->dims[d];
	}
	size_t groups = (size_t)v;
	double *acc = onnx_op_scratch(x, 1, (groups * 2 + 2) * sizeof(double));
	if (!acc)
		return CELLA_ERR_OUT_OF_MEMORY;
	memset(acc, 0, (groups * 2 + 2) * sizeof(double));
	for (int pass = 0; pass < 3; pass++) {
		int64_t idx[MAXR] = { 0 };
		for (size_t i = 0; i < cnt; i++) {
			size_t g = 0;
			for (int d = 0; d < a->rank; d++)
				g += (size_t)(idx[d] * ost[d]);
			float xv = ((const float *)a->data)[i];
			double per = (double)cnt / (double)groups;
			if (pass == 0)
				acc[g] += xv / per;
			else if (pass == 1)
				acc[groups + g] += (xv - acc[g]) * (xv - acc[g]) / per;
			else
				((float *)o->data)[i] = (float)((xv - acc[g]) / sqrt(acc[groups + g] + 1e-9));
			onnx_index_next(idx, a->dims, a->rank);
		}
	}
	return CELLA_OK;
}

/*
 * GroupNormalization-18/21: x (N, C, ...) in num_groups groups of C / num_groups consecutive channels, each group of
 * each batch normalised to mean 0 and (population) variance 1 with epsilon, then scaled and shifted: per channel
 * from opset 21 (scale and bias of C values), per group at opset 18 (of num_groups values), as each opset defines
 * them. Statistics in double: at least the precision stash_type asks for (float or double; others refused).
 */
static cella_result op_groupnorm(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *sc = onnx_op_in(x, n, 1), *bi = onnx_op_in(x, n, 2), *o;
	const struct tensor *sb[2] = { sc, bi };
	static const char *const sbname[2] = { "scale", "bias" };
	cella_result r;
	if (!a || !sc || !bi)
		return CELLA_ERR_MODEL;
	int64_t groups = onnx_attr_i(n, "num_groups", 0);
	double eps = onnx_attr_f(n, "epsilon", 1e-5f);
	int stash = n->opset >= 21 ? onnx_attr_int(n, "stash_type", CELLA_ONNX_FLOAT) : CELLA_ONNX_FLOAT;
	if ((r = onnx_op_need_fp(x, a->dtype, "input")) != CELLA_OK)
		return r;
	if (!onnx_dtype_is_fp(stash))
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "attribute 'stash_type' %d is not supported (float "
				    "or double)", stash);
	if (!onnx_attr_get(n, "num_groups") || groups <= 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'num_groups' is %s%lld: a positive count is "
				    "required", onnx_attr_get(n, "num_groups") ? "" : "missing, ", (long long)groups);
	if (a->rank < 2)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of rank %d: (N, C, ...) has rank 2 or more",
				    a->rank);
	int64_t ch = a->dims[1], want = n->opset >= 21 ? ch : groups;
	if (ch % groups)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%lld channels do not divide into %lld groups",
				    (long long)ch, (long long)groups);
	for (int k = 0; k < 2; k++) {
		if (sb[k]->dtype != a->dtype)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%s of type %s, input of type %s",
					    sbname[k], onnx_tname(sb[k]->dtype),
					    onnx_tname(a->dtype));
		if (sb[k]->rank != 1 || sb[k]->dims[0] != want)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d (dim 0 %lld): opset %d wants "
					    "%lld values (one per %s)", sbname[k], sb[k]->rank,
					    (long long)(sb[k]->rank ? sb[k]->dims[0] : 0), n->opset, (long long)want,
					    n->opset >= 21 ? "channel" : "group");
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t spatial = (size_t)onnx_dims_prod(a->dims + 2, a->rank - 2), per = (size_t)(ch / groups) * spatial;
	size_t count = onnx_tensor_count(a);
	for (size_t base = 0, g = 0; per && base < count; base += per, g = (g + 1) % (size_t)groups) {
		double mean = 0, var = 0;
		for (size_t i = 0; i < per; i++)
			mean += getd(a, base + i);
		mean /= (double)per;
		for (size_t i = 0; i < per; i++)
			var += (getd(a, base + i) - mean) * (getd(a, base + i) - mean);
		double inv = 1.0 / sqrt(var / (double)per + eps);
		for (size_t i = 0; i < per; i++) {
			size_t p = n->opset >= 21 ? g * (size_t)(ch / groups) + i / spatial : g;
			putd(o, base + i, (getd(a, base + i) - mean) * inv * getd(sc, p) + getd(bi, p));
		}
	}
	return CELLA_OK;
}

static cella_result op_reverse_sequence(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *sl = onnx_op_in(x, n, 1), *o;
	cella_result r;
	if (!a || !sl)
		return CELLA_ERR_MODEL;
	int ta = onnx_attr_int(n, "time_axis", 0), ba = onnx_attr_int(n, "batch_axis", 1);
	if (a->rank < 2 || (ta != 0 && ta != 1) || (ba != 0 && ba != 1) || ta == ba || !is_idx(sl->dtype) ||
	    (int64_t)onnx_tensor_count(sl) != a->dims[ba])
		return CELLA_ERR_MODEL_SHAPE;
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype);
	int64_t T = a->dims[ta], B = a->dims[ba], inner = onnx_dims_prod(a->dims + 2, a->rank - 2);
	for (int64_t t = 0; t < T; t++)
		for (int64_t b = 0; b < B; b++) {
			int64_t len = geti(sl, (size_t)b);
			if (len < 0 || len > T)
				return CELLA_ERR_MODEL;
			int64_t st = t < len ? len - 1 - t : t;
			int64_t src = ta == 0 ? st * B + b : b * T + st, dst = ta == 0 ? t * B + b : b * T + t;
			memcpy((char *)o->data + (size_t)(dst * inner) * es, (const char *)a->data + (size_t)(src * inner) * es,
			       (size_t)inner * es);
		}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ QuantizeLinear, DequantizeLinear */

/* The quantized types: int8 and uint8 from opset 10, int16 and uint16 from opset 21 (int32, DequantizeLinear's
 * input only, is the caller's). */
static int quant_type(int dt, int opset)
{
	return dt == CELLA_ONNX_INT8 || dt == CELLA_ONNX_UINT8 ||
	       (opset >= 21 && (dt == CELLA_ONNX_INT16 || dt == CELLA_ONNX_UINT16));
}

/* Where element (o, d, i) of x, seen as [outer, dim, inner] around the axis, finds its scale and zero point. */
struct qmap {
	int64_t outer, dim, inner;
	int64_t block;  /* blocked (opset 21): dim d's block is d / block */
	int per_axis;   /* 0: one scale for the tensor */
};

/* ceil(n / b) for n >= 0, b > 0, without n + b - 1 (a block_size near 2^63 from the model overflowed it) */
static int64_t ceil_div(int64_t n, int64_t b)
{
	return n ? (n - 1) / b + 1 : 0;
}

static size_t qmap_at(const struct qmap *q, int64_t o, int64_t d, int64_t i)
{
	if (!q->per_axis)
		return 0;
	if (!q->block)
		return (size_t)d;
	return (size_t)((o * ceil_div(q->dim, q->block) + d / q->block) * q->inner + i);
}

/*
 * Checks the scale and zero point of x (both ops: QuantizeLinear-10/13/19/21, DequantizeLinear-10/13/19/21) and
 * maps them. The scale is float; a scalar or a one-element vector quantizes per tensor (axis ignored), from opset
 * 13 a vector of x's dim along `axis` per axis, and from opset 21 with `block_size` B > 0 a tensor of x's rank
 * whose dim along the axis is ceil(dim / B). The zero point, if any, has the scale's shape.
 */
static cella_result quant_params(struct exec *x, struct node *n, const struct tensor *xt, const struct tensor *sc,
				 const struct tensor *zp, struct qmap *q)
{
	int64_t block = n->opset >= 21 ? onnx_attr_i(n, "block_size", 0) : 0;
	int axis = 0;
	memset(q, 0, sizeof(*q));
	q->outer = q->dim = 1;
	q->inner = onnx_dims_prod(xt->dims, xt->rank);
	if (sc->dtype != CELLA_ONNX_FLOAT)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "scale of type %s is not supported (float only)",
				    onnx_tname(sc->dtype));
	if (block < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'block_size' is %lld, negative", (long long)block);
	if (zp && zp->rank != sc->rank)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "zero point of rank %d, scale of rank %d", zp->rank,
				    sc->rank);
	for (int d = 0; zp && d < sc->rank; d++)
		if (zp->dims[d] != sc->dims[d])
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "zero point dim %d is %lld, the scale's %lld", d,
					    (long long)zp->dims[d], (long long)sc->dims[d]);
	if (sc->rank == 0 || (sc->rank == 1 && sc->dims[0] == 1 && !block))
		return CELLA_OK;
	if (n->opset < 13)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scale of rank %d with %lld values: a scalar before opset 13",
				    sc->rank, (long long)onnx_dims_prod(sc->dims, sc->rank));
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", 1), xt->rank, &axis))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "attribute 'axis' is %lld, input of rank %d",
				    (long long)onnx_attr_i(n, "axis", 1), xt->rank);
	q->per_axis = 1;
	q->block = block;
	q->outer = onnx_dims_prod(xt->dims, axis);
	q->dim = xt->dims[axis];
	q->inner = onnx_dims_prod(xt->dims + axis + 1, xt->rank - axis - 1);
	if (!block) {
		if (sc->rank != 1 || sc->dims[0] != q->dim)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scale of rank %d (dim 0 %lld) per axis %d: expected "
					    "a scalar or a vector of %lld", sc->rank, (long long)sc->dims[0], axis,
					    (long long)q->dim);
		return CELLA_OK;
	}
	if (sc->rank != xt->rank)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scale of rank %d for blocks of input of rank %d", sc->rank,
				    xt->rank);
	for (int d = 0; d < xt->rank; d++) {
		int64_t want = d == axis ? ceil_div(xt->dims[d], block) : xt->dims[d];
		if (sc->dims[d] != want)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "scale dim %d is %lld, expected %lld (block_size "
					    "%lld along axis %d)", d, (long long)sc->dims[d], (long long)want,
					    (long long)block, axis);
	}
	return CELLA_OK;
}

/* see onnx_internal.h */
void onnx_quant_put(void *p, int dt, size_t i, double v, int64_t zp)
{
	double lo = (double)onnx_int_limit(dt, 0), hi = (double)onnx_int_limit(dt, 1);
	v = nearbyint(v) + (double)zp; /* ties to even: the default rounding mode */
	onnx_put_d(p, dt, i, v < lo ? lo : v > hi ? hi : v); /* NaN gives 0 */
}

/* y = saturate(round_half_to_even(x / y_scale) + y_zero_point). x is float or int32; y's type is the zero
 * point's, or from opset 21 `output_dtype`, else uint8. `saturate` (opset 19) concerns float8 outputs only, which
 * are refused: it is ignored. */
static cella_result op_quantize(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *sc = onnx_op_in(x, n, 1), *zp = onnx_op_in(x, n, 2), *o;
	struct qmap q;
	cella_result r;
	int dt = zp ? zp->dtype : CELLA_ONNX_UINT8, odt = n->opset >= 21 ? onnx_attr_int(n, "output_dtype", 0) : 0;
	if (!a || !sc)
		return CELLA_ERR_MODEL;
	if (n->opset >= 19)
		(void)onnx_attr_i(n, "saturate", 1);
	if (a->dtype != CELLA_ONNX_FLOAT && a->dtype != CELLA_ONNX_INT32)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s is not supported (float or int32)",
				    onnx_tname(a->dtype));
	if (odt && zp && odt != zp->dtype)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'output_dtype' is %s (%d), the zero point %s",
				    onnx_tname(odt), odt,
				    onnx_tname(zp->dtype));
	if (odt)
		dt = odt;
	if (!quant_type(dt, n->opset))
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "output type %s (%d) is not supported at opset %d",
				    onnx_tname(dt), dt, n->opset);
	if ((r = quant_params(x, n, a, sc, zp, &q)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, dt, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	const float *s = sc->data;
	size_t k = 0;
	for (int64_t i0 = 0; i0 < q.outer; i0++)
		for (int64_t d = 0; d < q.dim; d++)
			for (int64_t i = 0; i < q.inner; i++, k++) {
				size_t p = qmap_at(&q, i0, d, i);
				/* float / float in float, as ONNX's reference divides; an int32 in double (exact) */
				double v = a->dtype == CELLA_ONNX_FLOAT ? (double)(((const float *)a->data)[k] / s[p])
									: ((const int32_t *)a->data)[k] / (double)s[p];
				onnx_quant_put(o->data, dt, k, v, zp ? geti(zp, p) : 0);
			}
	return CELLA_OK;
}

/* y = (x - x_zero_point) * x_scale, in float. x is a quantized type or int32; the zero point has x's type. */
static cella_result op_dequantize(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *sc = onnx_op_in(x, n, 1), *zp = onnx_op_in(x, n, 2), *o;
	struct qmap q;
	cella_result r;
	if (!a || !sc)
		return CELLA_ERR_MODEL;
	if (!quant_type(a->dtype, n->opset) && a->dtype != CELLA_ONNX_INT32)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s is not supported at opset %d",
				    onnx_tname(a->dtype), n->opset);
	if (zp && zp->dtype != a->dtype)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "zero point of type %s, input of type %s",
				    onnx_tname(zp->dtype),
				    onnx_tname(a->dtype));
	if ((r = quant_params(x, n, a, sc, zp, &q)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	const float *s = sc->data;
	float *y = o->data;
	size_t k = 0;
	for (int64_t i0 = 0; i0 < q.outer; i0++)
		for (int64_t d = 0; d < q.dim; d++)
			for (int64_t i = 0; i < q.inner; i++, k++) {
				size_t p = qmap_at(&q, i0, d, i);
				y[k] = (float)(geti(a, k) - (zp ? geti(zp, p) : 0)) * s[p];
			}
	return CELLA_OK;
}

const struct op_def onnx_ops_extra[] = {
	{ "NegativeLogLikelihoodLoss", op_nll, NULL, 12, 0 },
	{ "SoftmaxCrossEntropyLoss", op_sce, NULL, 12, 0 },
	{ "Trilu", op_trilu, NULL, 14, ONNX_STR_IN0 },
	{ "EyeLike", op_eyelike, NULL, 9, 0 },
	{ "OneHot", op_onehot, NULL, 9, 0 },
	{ "ScatterElements", op_scatter_elements, NULL, 11, ONNX_STR_IN0 | ONNX_STR_IN2 },
	{ "Scatter", op_scatter_elements, NULL, 9, ONNX_STR_IN0 | ONNX_STR_IN2 },
	{ "GatherND", op_gather_nd, NULL, 11, ONNX_STR_IN0 },
	{ "ScatterND", op_scatter_nd, NULL, 11, ONNX_STR_IN0 | ONNX_STR_IN2 },
	{ "NonZero", op_nonzero, NULL, 9, 0 },
	{ "Compress", op_compress, NULL, 9, ONNX_STR_IN0 },
	{ "MeanVarianceNormalization", op_mvn, NULL, 9, 0 },
	{ "GroupNormalization", op_groupnorm, NULL, 18, 0 },
	{ "ReverseSequence", op_reverse_sequence, NULL, 10, ONNX_STR_IN0 },
	{ "QuantizeLinear", op_quantize, NULL, 10, 0 },
	{ "DequantizeLinear", op_dequantize, NULL, 10, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
