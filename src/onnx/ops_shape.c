// SPDX-License-Identifier: MIT
/* Shape and data-movement operators: Reshape ... Resize, plus Shape/Size/Constant and friends. */
#include "onnx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static cella_result copy_out(struct exec *x, struct node *n, struct tensor *a, int rank, const int64_t *dims)
{
	struct tensor *o;
	cella_result r = onnx_op_out(x, n, 0, a->dtype, rank, dims, &o);
	if (r != CELLA_OK || onnx_op_dry(x))
		return r;
	if (onnx_dims_prod(dims, rank) != (int64_t)onnx_tensor_count(a))
		return CELLA_ERR_MODEL_SHAPE;
	if (a->bytes && o->data != a->data)
		memcpy(o->data, a->data, a->bytes);
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Reshape family */

static cella_result op_reshape(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *s = onnx_op_in(x, n, 1);
	int64_t sh[MAXR], out[MAXR];
	int ns = 0;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (n->opset < 5) {
		const int64_t *v;
		size_t c = onnx_attr_ints(n, "shape", &v);
		if (c > MAXR)
			return CELLA_ERR_MODEL_UNSUPPORTED;
		memcpy(sh, v, c * sizeof(int64_t));
		ns = (int)c;
	} else {
		if (!s)
			return CELLA_ERR_MODEL;
		if ((r = onnx_op_read_ints(x, s, sh, MAXR, &ns)) != CELLA_OK)
			return r;
	}
	int allowzero = onnx_attr_int(n, "allowzero", 0), infer = -1;
	int64_t known = 1, total = (int64_t)onnx_tensor_count(a);
	for (int i = 0; i < ns; i++) {
		out[i] = sh[i];
		if (sh[i] == 0 && !allowzero) {
			if (i >= a->rank)
				return CELLA_ERR_MODEL_SHAPE;
			out[i] = a->dims[i];
		}
		if (out[i] == -1) {
			if (infer >= 0)
				return CELLA_ERR_MODEL_SHAPE;
			infer = i;
			continue;
		}
		if (out[i] < 0)
			return CELLA_ERR_MODEL_SHAPE;
		if (out[i] && known > INT64_MAX / out[i])
			return CELLA_ERR_MODEL_SHAPE;
		known *= out[i];
	}
	if (infer >= 0) {
		if (known == 0 || total % known)
			return CELLA_ERR_MODEL_SHAPE;
		out[infer] = total / known;
	} else if (known != total) {
		return CELLA_ERR_MODEL_SHAPE;
	}
	return copy_out(x, n, a, ns, out);
}

static cella_result op_flatten(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0);
	int axis;
	if (!a)
		return CELLA_ERR_MODEL;
	int64_t ax = onnx_attr_i(n, "axis", 1);
	if (ax == a->rank)
		axis = a->rank;
	else if (onnx_normalize_axis(ax, a->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	int64_t d[2] = { onnx_dims_prod(a->dims, axis), onnx_dims_prod(a->dims + axis, a->rank - axis) };
	return copy_out(x, n, a, 2, d);
}

/* Axes from the attribute (older opsets) or the optional second input. */
static cella_result axes_of(struct exec *x, struct node *n, int from_input, int64_t *ax, int *na)
{
	if (from_input) {
		struct tensor *t = onnx_op_in(x, n, 1);
		*na = 0;
		if (!t)
			return CELLA_OK;
		return onnx_op_read_ints(x, t, ax, MAXR, na);
	}
	const int64_t *v;
	size_t c = onnx_attr_ints(n, "axes", &v);
	if (c > MAXR)
		return CELLA_ERR_MODEL_SHAPE;
	memcpy(ax, v, c * sizeof(int64_t));
	*na = (int)c;
	return CELLA_OK;
}

static cella_result op_squeeze(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0);
	int64_t ax[MAXR], out[MAXR];
	int na, drop[MAXR] = { 0 }, k = 0;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if ((r = axes_of(x, n, n->opset >= 13, ax, &na)) != CELLA_OK)
		return r;
	for (int i = 0; i < na; i++) {
		int v;
		if (onnx_normalize_axis(ax[i], a->rank, &v) || a->dims[v] != 1)
			return CELLA_ERR_MODEL_SHAPE;
		drop[v] = 1;
	}
	for (int i = 0; i < a->rank; i++)
		if (!(na ? drop[i] : a->dims[i] == 1))
			out[k++] = a->dims[i];
	return copy_out(x, n, a, k, out);
}

static cella_result op_unsqueeze(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0);
	int64_t ax[MAXR], out[MAXR];
	int na, ins[MAXR] = { 0 };
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if ((r = axes_of(x, n, n->opset >= 13, ax, &na)) != CELLA_OK)
		return r;
	int orank = a->rank + na;
	if (orank > MAXR || na == 0)
		return na == 0 ? CELLA_ERR_MODEL_SHAPE : CELLA_ERR_MODEL_UNSUPPORTED;
	for (int i = 0; i < na; i++) {
		int v;
		if (onnx_normalize_axis(ax[i], orank, &v) || ins[v])
			return CELLA_ERR_MODEL_SHAPE;
		ins[v] = 1;
	}
	for (int i = 0, k = 0; i < orank; i++)
		out[i] = ins[i] ? 1 : a->dims[k++];
	return copy_out(x, n, a, orank, out);
}

static cella_result op_identity(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0);
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->seq || a->none) { /* a sequence is copied: the input may be read again */
		struct tensor view = *a;
		view.seq_own = 0;
		return onnx_op_pass(x, n, 0, &view);
	}
	return copy_out(x, n, a, a->rank, a->dims);
}

static cella_result op_dropout(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *mask;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	struct tensor *tm = onnx_op_in(x, n, 2);
	if (tm) {
		if ((r = onnx_op_need(x, tm)) != CELLA_OK)
			return r;
		if (tm->dtype != CELLA_ONNX_BOOL || onnx_tensor_count(tm) != 1)
			return CELLA_ERR_MODEL_SHAPE;
		/* training mode drops at random, unless ratio is 0: then it is the identity, as at inference */
		if (*(const uint8_t *)tm->data) {
			struct tensor *rt = onnx_op_in(x, n, 1);
			double ratio = 0.5;
			if (rt) {
				if ((r = onnx_op_need(x, rt)) != CELLA_OK)
					return r;
				if (!onnx_dtype_is_fp(rt->dtype) || onnx_tensor_count(rt) != 1)
					return onnx_op_fail(x, CELLA_ERR_MODEL, "ratio is not one floating-point value");
				ratio = onnx_get_d(rt->data, rt->dtype, 0);
			}
			if (ratio != 0)
				return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "training mode with ratio %g drops at "
						    "random (only ratio 0 is supported in training mode)", ratio);
		}
	}
	if ((r = copy_out(x, n, a, a->rank, a->dims)) != CELLA_OK)
		return r;
	if (onnx_op_has_out(n, 1)) {
		if ((r = onnx_op_out(x, n, 1, CELLA_ONNX_BOOL, a->rank, a->dims, &mask)) != CELLA_OK || onnx_op_dry(x))
			return r;
		memset(mask->data, 1, mask->bytes);
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Transpose */

static void transpose_any(const void *src, void *dst, size_t es, int rank, const int64_t *dims, const int *perm)
{
	int64_t ist[MAXR], od[MAXR], st[MAXR], idx[MAXR] = { 0 };
	int64_t s = 1;
	for (int i = rank - 1; i >= 0; i--) {
		ist[i] = s;
		s *= dims[i];
	}
	for (int i = 0; i < rank; i++) {
		od[i] = dims[perm[i]];
		st[i] = ist[perm[i]];
	}
	size_t total = (size_t)s;
	if (total == 0)
		return;
	int64_t off = 0;
	int64_t inner = rank ? od[rank - 1] : 1, ist_in = rank ? st[rank - 1] : 0;
	for (size_t i = 0; i < total; i += (size_t)inner) {
		if (es == 4) {
			const uint32_t *sp = (const uint32_t *)src + off;
			uint32_t *dp = (uint32_t *)dst + i;
			for (int64_t j = 0; j < inner; j++)
				dp[j] = sp[j * ist_in];
		} else {
			for (int64_t j = 0; j < inner; j++)
				memcpy((char *)dst + (i + (size_t)j) * es, (const char *)src + (size_t)(off + j * ist_in) * es,
				       es);
		}
		for (int d = rank - 2; d >= 0; d--) {
			idx[d]++;
			off += st[d];
			if (idx[d] < od[d])
				break;
			off -= st[d] * od[d];
			idx[d] = 0;
		}
	}
}

static cella_result op_transpose(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	int perm[MAXR], seen[MAXR] = { 0 };
	int64_t od[MAXR];
	const int64_t *v;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	size_t c = onnx_attr_ints(n, "perm", &v);
	if (c && c != (size_t)a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	for (int i = 0; i < a->rank; i++) {
		perm[i] = c ? (int)v[i] : a->rank - 1 - i;
		if (c && (v[i] < 0 || v[i] >= a->rank))
			return CELLA_ERR_MODEL_SHAPE;
		if (seen[perm[i]]++)
			return CELLA_ERR_MODEL_SHAPE;
		od[i] = a->dims[perm[i]];
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	transpose_any(a->data, o->data, onnx_dtype_size(a->dtype), a->rank, a->dims, perm);
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Concat / Split */

static cella_result op_concat(struct exec *x, struct node *n)
{
	struct tensor *a0 = onnx_op_in(x, n, 0), *o;
	int axis;
	cella_result r;
	if (!a0 || n->n_in < 1)
		return CELLA_ERR_MODEL;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", n->opset < 4 ? 1 : 0), a0->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	int64_t od[MAXR];
	memcpy(od, a0->dims, sizeof(od));
	od[axis] = 0;
	for (int i = 0; i < n->n_in; i++) {
		struct tensor *t = onnx_op_in(x, n, i);
		if (!t)
			return CELLA_ERR_MODEL;
		if (t->dtype != a0->dtype || t->rank != a0->rank)
			return CELLA_ERR_MODEL_SHAPE;
		for (int d = 0; d < t->rank; d++)
			if (d != axis && t->dims[d] != a0->dims[d])
				return CELLA_ERR_MODEL_SHAPE;
		od[axis] += t->dims[axis];
	}
	if ((r = onnx_op_out(x, n, 0, a0->dtype, a0->rank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a0->dtype);
	int64_t outer = onnx_dims_prod(od, axis), inner = onnx_dims_prod(od + axis + 1, a0->rank - axis - 1);
	size_t orow = (size_t)(od[axis] * inner) * es, off = 0;
	for (int i = 0; i < n->n_in; i++) {
		struct tensor *t = onnx_op_in(x, n, i);
		size_t row = (size_t)(t->dims[axis] * inner) * es;
		onnx_copy_rows(o->data, orow, off, t->data, row, 0, row, outer);
		off += row;
	}
	return CELLA_OK;
}

static cella_result op_split(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0);
	int axis;
	int64_t sp[64];
	int ns = 0;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (n->n_out > 64 || n->n_out < 1)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", 0), a->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	struct tensor *st = n->opset >= 13 ? onnx_op_in(x, n, 1) : NULL;
	if (st) {
		if ((r = onnx_op_read_ints(x, st, sp, 64, &ns)) != CELLA_OK)
			return r;
	} else if (n->opset < 13) {
		const int64_t *v;
		size_t c = onnx_attr_ints(n, "split", &v);
		if (c > 64)
			return CELLA_ERR_MODEL_UNSUPPORTED;
		memcpy(sp, v, c * sizeof(int64_t));
		ns = (int)c;
	}
	int64_t len = a->dims[axis];
	if (ns == 0) {
		int64_t parts = n->n_out, chunk = (len + parts - 1) / parts;
		for (int i = 0; i < parts; i++) {
			int64_t rem = len - chunk * i;
			sp[i] = rem < 0 ? 0 : rem < chunk ? rem : chunk;
		}
		ns = (int)parts;
	}
	if (ns != n->n_out)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t sum = 0;
	for (int i = 0; i < ns; i++) {
		if (sp[i] < 0 || __builtin_add_overflow(sum, sp[i], &sum))
			return CELLA_ERR_MODEL_SHAPE;
	}
	if (sum != len)
		return CELLA_ERR_MODEL_SHAPE;
	size_t es = onnx_dtype_size(a->dtype);
	int64_t outer = onnx_dims_prod(a->dims, axis), inner = onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1);
	size_t arow = (size_t)(len * inner) * es, off = 0;
	for (int i = 0; i < ns; i++) {
		struct tensor *o;
		int64_t od[MAXR];
		memcpy(od, a->dims, sizeof(od));
		od[axis] = sp[i];
		if ((r = onnx_op_out(x, n, i, a->dtype, a->rank, od, &o)) != CELLA_OK)
			return r;
		if (onnx_op_dry(x))
			continue;
		size_t row = (size_t)(sp[i] * inner) * es;
		onnx_copy_rows(o->data, row, 0, a->data, arow, off, row, outer);
		off += row;
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Slice */

static cella_result op_slice(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	int64_t st[MAXR], en[MAXR], ax[MAXR], sp[MAXR];
	int nst = 0, nen = 0, nax = 0, nsp = 0;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (n->opset < 10) {
		const int64_t *v;
		size_t c;
		c = onnx_attr_ints(n, "starts", &v);
		if (c > MAXR)
			return CELLA_ERR_MODEL_SHAPE;
		memcpy(st, v, c * 8);
		nst = (int)c;
		c = onnx_attr_ints(n, "ends", &v);
		if (c > MAXR)
			return CELLA_ERR_MODEL_SHAPE;
		memcpy(en, v, c * 8);
		nen = (int)c;
		c = onnx_attr_ints(n, "axes", &v);
		if (c > MAXR)
			return CELLA_ERR_MODEL_SHAPE;
		memcpy(ax, v, c * 8);
		nax = (int)c;
	} else {
		struct tensor *ts = onnx_op_in(x, n, 1), *te = onnx_op_in(x, n, 2), *ta = onnx_op_in(x, n, 3), *tp = onnx_op_in(x, n, 4);
		if (!ts || !te)
			return CELLA_ERR_MODEL;
		if ((r = onnx_op_read_ints(x, ts, st, MAXR, &nst)) != CELLA_OK ||
		    (r = onnx_op_read_ints(x, te, en, MAXR, &nen)) != CELLA_OK)
			return r;
		if (ta && (r = onnx_op_read_ints(x, ta, ax, MAXR, &nax)) != CELLA_OK)
			return r;
		if (tp && (r = onnx_op_read_ints(x, tp, sp, MAXR, &nsp)) != CELLA_OK)
			return r;
	}
	if (nst != nen || (nax && nax != nst) || (nsp && nsp != nst))
		return CELLA_ERR_MODEL_SHAPE;
	int64_t b[MAXR], s[MAXR], od[MAXR];
	int used[MAXR] = { 0 };
	for (int d = 0; d < a->rank; d++) {
		b[d] = 0;
		s[d] = 1;
		od[d] = a->dims[d];
	}
	for (int i = 0; i < nst; i++) {
		int d;
		if (onnx_normalize_axis(nax ? ax[i] : i, a->rank, &d) || used[d]++)
			return CELLA_ERR_MODEL_SHAPE;
		int64_t step = nsp ? sp[i] : 1, dim = a->dims[d];
		if (step == 0)
			return CELLA_ERR_MODEL_SHAPE;
		/* a step longer than the dim takes one element at most: shortened, the arithmetic below cannot overflow
		 * (INT64_MAX + lo, or -INT64_MIN) */
		if (step > dim)
			step = dim > 0 ? dim : 1;
		else if (step < -dim)
			step = dim > 0 ? -dim : -1;
		int64_t lo = st[i], hi = en[i];
		if (lo < 0)
			lo += dim;
		if (hi < 0)
			hi += dim;
		if (step > 0) {
			lo = lo < 0 ? 0 : lo > dim ? dim : lo;
			hi = hi < 0 ? 0 : hi > dim ? dim : hi;
			od[d] = hi > lo ? (hi - lo + step - 1) / step : 0;
		} else if (dim > 0) {
			/* the spec clamps start to [0, dim-1] for negative stepping (not numpy's -1, which is empty):
			 * a start before the first element still takes it; end to [-1, dim-1] */
			lo = lo < 0 ? 0 : lo > dim - 1 ? dim - 1 : lo;
			hi = hi < -1 ? -1 : hi > dim - 1 ? dim - 1 : hi;
			od[d] = lo > hi ? (lo - hi + (-step) - 1) / (-step) : 0;
		} else {
			lo = 0;
			od[d] = 0;
		}
		b[d] = lo;
		s[d] = step;
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype), total = onnx_tensor_count(o);
	if (total == 0)
		return CELLA_OK;
	int64_t ist[MAXR], idx[MAXR] = { 0 }, v = 1;
	for (int d = a->rank - 1; d >= 0; d--) {
		ist[d] = v;
		v *= a->dims[d];
	}
	int64_t base = 0;
	for (int d = 0; d < a->rank; d++)
		base += b[d] * ist[d];
	int64_t inner = a->rank ? od[a->rank - 1] : 1, istep = a->rank ? s[a->rank - 1] * ist[a->rank - 1] : 0;
	int64_t off = base;
	for (size_t i = 0; i < total; i += (size_t)inner) {
		if (istep == 1)
			memcpy((char *)o->data + i * es, (const char *)a->data + (size_t)off * es, (size_t)inner * es);
		else
			for (int64_t j = 0; j < inner; j++)
				memcpy((char *)o->data + (i + (size_t)j) * es,
				       (const char *)a->data + (size_t)(off + j * istep) * es, es);
		for (int d = a->rank - 2; d >= 0; d--) {
			idx[d]++;
			off += s[d] * ist[d];
			if (idx[d] < od[d])
				break;
			off -= s[d] * ist[d] * od[d];
			idx[d] = 0;
		}
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Gather */

/* An index in the data that is out of range: CELLA_ERR_MODEL, with the index and where it is in the message. */
static cella_result index_fail(struct exec *x, int64_t v, size_t at, int axis, int64_t dim)
{
	return onnx_op_fail(x, CELLA_ERR_MODEL, "index %lld (element %zu of the indices) is out of range for axis %d of "
			    "size %lld", (long long)v, at, axis, (long long)dim);
}

static cella_result op_gather(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *ix = onnx_op_in(x, n, 1), *o;
	int axis;
	cella_result r;
	if (!a || !ix)
		return CELLA_ERR_MODEL;
	if (ix->dtype != CELLA_ONNX_INT64 && ix->dtype != CELLA_ONNX_INT32)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", 0), a->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	int orank = a->rank - 1 + ix->rank;
	if (orank > MAXR)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	int64_t od[MAXR];
	int k = 0;
	for (int i = 0; i < axis; i++)
		od[k++] = a->dims[i];
	for (int i = 0; i < ix->rank; i++)
		od[k++] = ix->dims[i];
	for (int i = axis + 1; i < a->rank; i++)
		od[k++] = a->dims[i];
	if ((r = onnx_op_out(x, n, 0, a->dtype, orank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype), ni = onnx_tensor_count(ix);
	int64_t outer = onnx_dims_prod(a->dims, axis), inner = onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1),
		dim = a->dims[axis];
	size_t row = (size_t)inner * es;
	for (size_t j = 0; j < ni; j++) {
		int64_t v = ix->dtype == CELLA_ONNX_INT64 ? ((const int64_t *)ix->data)[j]
							  : ((const int32_t *)ix->data)[j];
		if (v < -dim || v >= dim)
			return index_fail(x, v, j, axis, dim);
	}
	for (int64_t b = 0; b < outer; b++)
		for (size_t j = 0; j < ni; j++) {
			int64_t v = ix->dtype == CELLA_ONNX_INT64 ? ((const int64_t *)ix->data)[j]
								  : ((const int32_t *)ix->data)[j];
			if (v < 0)
				v += dim;
			if (row)
				memcpy((char *)o->data + ((size_t)b * ni + j) * row,
				       (const char *)a->data + ((size_t)(b * dim + v)) * row, row);
		}
	return CELLA_OK;
}

static cella_result op_gather_elements(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *ix = onnx_op_in(x, n, 1), *o;
	int axis;
	cella_result r;
	if (!a || !ix)
		return CELLA_ERR_MODEL;
	if (ix->dtype != CELLA_ONNX_INT64 && ix->dtype != CELLA_ONNX_INT32)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", 0), a->rank, &axis) || ix->rank != a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	if ((r = onnx_op_out(x, n, 0, a->dtype, ix->rank, ix->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype), total = onnx_tensor_count(ix);
	int64_t ist[MAXR], v = 1, idx[MAXR] = { 0 };
	for (int d = a->rank - 1; d >= 0; d--) {
		ist[d] = v;
		v *= a->dims[d];
	}
	for (size_t i = 0; i < total; i++) {
		int64_t j = ix->dtype == CELLA_ONNX_INT64 ? ((const int64_t *)ix->data)[i]
							  : ((const int32_t *)ix->data)[i];
		if (j < -a->dims[axis] || j >= a->dims[axis])
			return index_fail(x, j, i, axis, a->dims[axis]);
		if (j < 0)
			j += a->dims[axis];
		int64_t off = 0;
		for (int d = 0; d < a->rank; d++) {
			if (d != axis && idx[d] >= a->dims[d])
				return CELLA_ERR_MODEL_SHAPE;
			off += (d == axis ? j : idx[d]) * ist[d];
		}
		memcpy((char *)o->data + i * es, (const char *)a->data + (size_t)off * es, es);
		onnx_index_next(idx, ix->dims, ix->rank);
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Pad */

static cella_result op_pad(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	int64_t pads[2 * MAXR], axes[MAXR], pb[MAXR] = { 0 }, pe[MAXR] = { 0 };
	int np = 0, nax = 0;
	cella_result r;
	double cval = 0;
	const struct tensor *cin = NULL; /* the constant input (Pad-11), or NULL */
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->dtype == CELLA_ONNX_STRING && n->opset < 13)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "strings are padded from opset 13 (this node is of "
				    "opset %d)", n->opset);
	if (n->opset < 11) {
		const int64_t *v;
		size_t c = onnx_attr_ints(n, "pads", &v);
		if (c > 2 * MAXR)
			return CELLA_ERR_MODEL_SHAPE;
		memcpy(pads, v, c * 8);
		np = (int)c;
		cval = onnx_attr_f(n, "value", 0.0f);
	} else {
		struct tensor *tp = onnx_op_in(x, n, 1), *tc = onnx_op_in(x, n, 2), *ta = onnx_op_in(x, n, 3);
		if (!tp)
			return CELLA_ERR_MODEL;
		if ((r = onnx_op_read_ints(x, tp, pads, 2 * MAXR, &np)) != CELLA_OK)
			return r;
		if (ta && (r = onnx_op_read_ints(x, ta, axes, MAXR, &nax)) != CELLA_OK)
			return r;
		if (tc) {
			if ((r = onnx_op_need(x, tc)) != CELLA_OK)
				return r;
			if (tc->dtype != a->dtype || onnx_tensor_count(tc) > 1)
				return CELLA_ERR_MODEL_SHAPE;
			cin = onnx_tensor_count(tc) == 1 ? tc : NULL;
		}
	}
	int cnt = nax ? nax : a->rank;
	if (np != 2 * cnt)
		return CELLA_ERR_MODEL_SHAPE;
	for (int i = 0; i < cnt; i++) {
		int d = i;
		if (nax && onnx_normalize_axis(axes[i], a->rank, &d))
			return CELLA_ERR_MODEL_SHAPE;
		pb[d] = pads[i];
		pe[d] = pads[i + cnt];
	}
	const char *mode = onnx_attr_s(n, "mode", "constant");
	/* wrap is Pad-19's */
	int m = !strcmp(mode, "constant") ? 0 : !strcmp(mode, "reflect") ? 1 : !strcmp(mode, "edge") ? 2
					 : !strcmp(mode, "wrap") && n->opset >= 19 ? 3 : -1;
	if (m < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "mode '%.64s' is not one of Pad's at opset %d", mode,
				    n->opset);
	int64_t od[MAXR];
	for (int d = 0; d < a->rank; d++) {
		/* bounded before the sum (a pad of INT64_MIN overflowed it): a negative pad removes at most the dim */
		if (pb[d] < -a->dims[d] || pe[d] < -a->dims[d] || pb[d] > (1 << 24) || pe[d] > (1 << 24))
			return CELLA_ERR_MODEL_SHAPE;
		od[d] = a->dims[d] + pb[d] + pe[d];
		if (od[d] < 0)
			return CELLA_ERR_MODEL_SHAPE;
		if (m && od[d] > 0 && a->dims[d] == 0)
			return CELLA_ERR_MODEL_SHAPE;
		if (m == 1 && (pb[d] >= a->dims[d] || pe[d] >= a->dims[d]) && (pb[d] > 0 || pe[d] > 0) &&
		    a->dims[d] < 2)
			return CELLA_ERR_MODEL_SHAPE;
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype), total = onnx_tensor_count(o);
	int64_t ist[MAXR], idx[MAXR] = { 0 }, v = 1;
	for (int d = a->rank - 1; d >= 0; d--) {
		ist[d] = v;
		v *= a->dims[d];
	}
	/* the constant input, of the data's type, as its bytes (an int64 beyond 2^53 exact); the attribute of Pad-2
	 * converted to the type, saturated */
	union {
		float f;
		double d;
		int8_t i8;
		int16_t i16;
		int32_t i32;
		int64_t i64;
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
		struct cella_onnx_string s;
		unsigned char b[sizeof(struct cella_onnx_string)];
	} cv = { .u64 = 0 };
	if (cin)
		memcpy(cv.b, cin->data, es);
	else if (a->dtype == CELLA_ONNX_STRING)
		cv.s = (struct cella_onnx_string){ "", 0 }; /* the spec's default for strings: the empty one */
	else
		onnx_put_d(&cv, a->dtype, 0, cval);
	for (size_t i = 0; i < total; i++) {
		int64_t off = 0;
		int inside = 1;
		for (int d = 0; d < a->rank; d++) {
			int64_t s = idx[d] - pb[d], dim = a->dims[d];
			if (s < 0 || s >= dim) {
				if (m == 0) {
					inside = 0;
					break;
				} else if (m == 2) {
					s = s < 0 ? 0 : dim - 1;
				} else if (m == 3) {
					s = ((s % dim) + dim) % dim;
				} else {
					int64_t period = 2 * (dim - 1);
					if (period == 0)
						s = 0;
					else {
						s = ((s % period) + period) % period;
						if (s >= dim)
							s = period - s;
					}
				}
			}
			off += s * ist[d];
		}
		if (inside)
			memcpy((char *)o->data + i * es, (const char *)a->data + (size_t)off * es, es);
		else
			memcpy((char *)o->data + i * es, cv.b, es);
		onnx_index_next(idx, od, a->rank);
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Expand / Tile */

static cella_result op_expand(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *s = onnx_op_in(x, n, 1), *o;
	int64_t sh[MAXR], od[MAXR];
	int ns;
	cella_result r;
	if (!a || !s)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_read_ints(x, s, sh, MAXR, &ns)) != CELLA_OK)
		return r;
	int orank = ns > a->rank ? ns : a->rank;
	for (int d = 0; d < orank; d++) {
		int ia = d - (orank - a->rank), is = d - (orank - ns);
		int64_t ea = ia >= 0 ? a->dims[ia] : 1, es = is >= 0 ? sh[is] : 1;
		if (ea != es && ea != 1 && es != 1)
			return CELLA_ERR_MODEL_SHAPE;
		if (es < 0)
			return CELLA_ERR_MODEL_SHAPE;
		od[d] = ea == 1 ? es : ea;
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, orank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype), total = onnx_tensor_count(o);
	int64_t st[MAXR], idx[MAXR] = { 0 }, v = 1;
	for (int d = orank - 1; d >= 0; d--) {
		int ia = d - (orank - a->rank);
		int64_t ea = ia >= 0 ? a->dims[ia] : 1;
		st[d] = ea == 1 ? 0 : v;
		v *= ea;
	}
	for (size_t i = 0; i < total; i++) {
		int64_t off = 0;
		for (int d = 0; d < orank; d++)
			off += idx[d] * st[d];
		memcpy((char *)o->data + i * es, (const char *)a->data + (size_t)off * es, es);
		onnx_index_next(idx, od, orank);
	}
	return CELLA_OK;
}

static cella_result op_tile(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *rp = onnx_op_in(x, n, 1), *o;
	int64_t rep[MAXR], od[MAXR];
	int nr;
	cella_result r;
	if (!a || !rp)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_read_ints(x, rp, rep, MAXR, &nr)) != CELLA_OK)
		return r;
	if (nr != a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	for (int d = 0; d < a->rank; d++) {
		if (rep[d] < 0 || (rep[d] && a->dims[d] > INT64_MAX / rep[d]))
			return CELLA_ERR_MODEL_SHAPE;
		od[d] = a->dims[d] * rep[d];
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype), total = onnx_tensor_count(o);
	int64_t ist[MAXR], idx[MAXR] = { 0 }, v = 1;
	for (int d = a->rank - 1; d >= 0; d--) {
		ist[d] = v;
		v *= a->dims[d];
	}
	for (size_t i = 0; i < total; i++) {
		int64_t off = 0;
		for (int d = 0; d < a->rank; d++)
			off += (idx[d] % a->dims[d]) * ist[d];
		memcpy((char *)o->data + i * es, (const char *)a->data + (size_t)off * es, es);
		onnx_index_next(idx, od, a->rank);
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Shape, Size, Constant... */

static cella_result op_shape(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	int64_t s = onnx_attr_i(n, "start", 0), e = onnx_attr_i(n, "end", a->rank);
	if (s < 0)
		s += a->rank;
	if (e < 0)
		e += a->rank;
	s = s < 0 ? 0 : s > a->rank ? a->rank : s;
	e = e < 0 ? 0 : e > a->rank ? a->rank : e;
	int64_t len = e > s ? e - s : 0;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, 1, &len, &o)) != CELLA_OK)
		return r;
	if (x->mode == MODE_DRY)
		return CELLA_OK;
	for (int64_t i = 0; i < len; i++)
		((int64_t *)o->data)[i] = a->dims[s + i];
	return CELLA_OK;
}

static cella_result op_size(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, 0, NULL, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	*(int64_t *)o->data = (int64_t)onnx_tensor_count(a);
	return CELLA_OK;
}

static cella_result op_constant(struct exec *x, struct node *n)
{
	struct tensor *o;
	cella_result r;
	const struct attr *a;
	if ((a = onnx_attr_get(n, "value")) && a->t) {
		if ((r = onnx_op_out(x, n, 0, onnx_seen_type(a->t->dtype, a->t->half), a->t->rank, a->t->dims, &o)) !=
			    CELLA_OK ||
		    onnx_op_dry(x))
			return r;
		if (a->t->bytes)
			memcpy(o->data, a->t->data, a->t->bytes);
		return CELLA_OK;
	}
	if ((a = onnx_attr_get(n, "value_float")) && a->type == ATTR_FLOAT) {
		if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, 0, NULL, &o)) != CELLA_OK || onnx_op_dry(x))
			return r;
		*(float *)o->data = a->f;
		return CELLA_OK;
	}
	if ((a = onnx_attr_get(n, "value_int")) && a->type == ATTR_INT) {
		if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, 0, NULL, &o)) != CELLA_OK || onnx_op_dry(x))
			return r;
		*(int64_t *)o->data = a->i;
		return CELLA_OK;
	}
	if ((a = onnx_attr_get(n, "value_floats")) && a->type == ATTR_FLOATS) {
		int64_t d = (int64_t)a->n_floats;
		if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, 1, &d, &o)) != CELLA_OK || onnx_op_dry(x))
			return r;
		if (d)
			memcpy(o->data, a->floats, (size_t)d * 4);
		return CELLA_OK;
	}
	if ((a = onnx_attr_get(n, "value_ints")) && a->type == ATTR_INTS) {
		int64_t d = (int64_t)a->n_ints;
		if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, 1, &d, &o)) != CELLA_OK || onnx_op_dry(x))
			return r;
		if (d)
			memcpy(o->data, a->ints, (size_t)d * 8);
		return CELLA_OK;
	}
	if ((a = onnx_attr_get(n, "value_string")) && a->type == ATTR_STRING) {
		if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_STRING, 0, NULL, &o)) != CELLA_OK || onnx_op_dry(x))
			return r;
		/* the attribute's bytes, for the model's lifetime (and moved to its string arena when folded) */
		*(struct cella_onnx_string *)o->data = (struct cella_onnx_string){ a->s, a->s_len };
		return CELLA_OK;
	}
	if ((a = onnx_attr_get(n, "value_strings")) && a->type == ATTR_STRINGS) {
		int64_t d = (int64_t)a->n_strings;
		if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_STRING, 1, &d, &o)) != CELLA_OK || onnx_op_dry(x))
			return r;
		for (size_t i = 0; i < a->n_strings; i++)
			((struct cella_onnx_string *)o->data)[i] = (struct cella_onnx_string){ a->strings[i], a->string_lens[i] };
		return CELLA_OK;
	}
	return CELLA_ERR_MODEL_UNSUPPORTED; /* sparse_value */
}

static cella_result op_constant_of_shape(struct exec *x, struct node *n)
{
	struct tensor *s = onnx_op_in(x, n, 0), *o;
	int64_t sh[MAXR];
	int ns;
	cella_result r;
	if (!s)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_read_ints(x, s, sh, MAXR, &ns)) != CELLA_OK)
		return r;
	const struct attr *a = onnx_attr_get(n, "value");
	int dt = a && a->t ? a->t->dtype : CELLA_ONNX_FLOAT;
	if (a && a->t && onnx_tensor_count(a->t) != 1)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_out(x, n, 0, onnx_seen_type(dt, a && a->t ? a->t->half : 0), ns, sh, &o)) != CELLA_OK ||
	    onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(dt), c = onnx_tensor_count(o);
	if (!a || !a->t) {
		memset(o->data, 0, o->bytes);
		return CELLA_OK;
	}
	for (size_t i = 0; i < c; i++)
		memcpy((char *)o->data + i * es, a->t->data, es);
	return CELLA_OK;
}

static double scalar_d(const struct tensor *t)
{
	switch (t->dtype) {
	case CELLA_ONNX_FLOAT: return *(const float *)t->data;
	case CELLA_ONNX_DOUBLE: return *(const double *)t->data;
	case CELLA_ONNX_INT32: return *(const int32_t *)t->data;
	case CELLA_ONNX_INT64: return (double)*(const int64_t *)t->data;
	case CELLA_ONNX_INT16: return *(const int16_t *)t->data;
	default: return 0;
	}
}

static cella_result op_range(struct exec *x, struct node *n)
{
	struct tensor *ts = onnx_op_in(x, n, 0), *tl = onnx_op_in(x, n, 1), *td = onnx_op_in(x, n, 2), *o;
	cella_result r;
	if (!ts || !tl || !td)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_need(x, ts)) != CELLA_OK || (r = onnx_op_need(x, tl)) != CELLA_OK || (r = onnx_op_need(x, td)) != CELLA_OK)
		return r;
	if (onnx_tensor_count(ts) != 1 || onnx_tensor_count(tl) != 1 || onnx_tensor_count(td) != 1 || ts->dtype != tl->dtype ||
	    ts->dtype != td->dtype)
		return CELLA_ERR_MODEL_SHAPE;
	int dt = ts->dtype;
	if (dt != CELLA_ONNX_FLOAT && dt != CELLA_ONNX_DOUBLE && dt != CELLA_ONNX_INT32 && dt != CELLA_ONNX_INT64 &&
	    dt != CELLA_ONNX_INT16)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	int64_t cnt;
	if (dt == CELLA_ONNX_INT64) {
		int64_t s = *(const int64_t *)ts->data, l = *(const int64_t *)tl->data, d = *(const int64_t *)td->data;
		if (d == 0)
			return CELLA_ERR_MODEL_SHAPE;
		/* ceil((l - s) / d) exactly, in unsigned arithmetic: through a double, bounds beyond 2^53 rounded
		 * (INT64_MAX - 3 to INT64_MAX gave no element) */
		uint64_t span = d > 0 ? (uint64_t)l - (uint64_t)s : (uint64_t)s - (uint64_t)l;
		uint64_t step = d > 0 ? (uint64_t)d : 0 - (uint64_t)d;
		uint64_t c = (d > 0 ? l > s : l < s) ? span / step + (span % step != 0) : 0;
		if (c > ((uint64_t)1 << 32))
			return CELLA_ERR_TOO_LARGE;
		cnt = (int64_t)c;
	} else {
		double s = scalar_d(ts), l = scalar_d(tl), d = scalar_d(td);
		if (d == 0 || d != d || s != s || l != l)
			return CELLA_ERR_MODEL_SHAPE;
		double c = ceil((l - s) / d);
		if (c > 1e12)
			return CELLA_ERR_TOO_LARGE;
		cnt = c > 0 ? (int64_t)c : 0;
	}
	if (cnt > ((int64_t)1 << 32))
		return CELLA_ERR_TOO_LARGE;
	if ((r = onnx_op_out(x, n, 0, dt, 1, &cnt, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	for (int64_t i = 0; i < cnt; i++) {
		switch (dt) {
		case CELLA_ONNX_FLOAT:
			((float *)o->data)[i] = *(const float *)ts->data + (float)i * *(const float *)td->data;
			break;
		case CELLA_ONNX_DOUBLE:
			((double *)o->data)[i] = *(const double *)ts->data + (double)i * *(const double *)td->data;
			break;
		case CELLA_ONNX_INT32:
			((int32_t *)o->data)[i] = (int32_t)(*(const int32_t *)ts->data + i * *(const int32_t *)td->data);
			break;
		case CELLA_ONNX_INT16:
			((int16_t *)o->data)[i] = (int16_t)(*(const int16_t *)ts->data + i * *(const int16_t *)td->data);
			break;
		default: /* in [start, limit): i * delta alone may not fit (start -2^63, delta 2^62, i 3) */
			((int64_t *)o->data)[i] = (int64_t)((uint64_t)*(const int64_t *)ts->data +
							    (uint64_t)i * (uint64_t)*(const int64_t *)td->data);
			break;
		}
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Resize / Upsample */

static float cubic_w(float t, float A)
{
	t = fabsf(t);
	if (t <= 1)
		return ((A + 2) * t - (A + 3)) * t * t + 1;
	if (t < 2)
		return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
	return 0;
}

/* Source coordinate of output oi on axis d (in elements, resized to on with scale sc) under the coordinate
 * transformation mode ctm; *out set when tf_crop_and_resize puts it outside the input (extrapolated). */
static float resize_coord(const char *ctm, int64_t oi, int64_t in, int64_t on, float sc, const float *roi, int d,
			  int R, int *out)
{
	float xo;
	*out = 0;
	if (!strcmp(ctm, "align_corners")) {
		/* the spec's length_resized is in*scale, not the floored output length */
		float lr = (float)in * sc;
		xo = lr <= 1.0f ? 0 : (float)oi * (float)(in - 1) / (lr - 1.0f);
	} else if (!strcmp(ctm, "asymmetric")) {
		xo = (float)oi / sc;
	} else if (!strcmp(ctm, "pytorch_half_pixel")) {
		xo = on > 1 ? ((float)oi + 0.5f) / sc - 0.5f : 0;
	} else if (!strcmp(ctm, "tf_crop_and_resize")) {
		float s0 = roi ? roi[d] : 0, e0 = roi ? roi[d + R] : 1;
		xo = on > 1 ? s0 * (float)(in - 1) + (float)oi * (e0 - s0) * (float)(in - 1) / (float)(on - 1)
			    : 0.5f * (s0 + e0) * (float)(in - 1);
		/* a huge roi can still make the coordinate infinite, or NaN from inf - inf */
		if (!isfinite(xo) || xo < 0 || xo > (float)(in - 1))
			*out = 1;
	} else if (!strcmp(ctm, "tf_half_pixel_for_nn")) {
		xo = ((float)oi + 0.5f) / sc;
	} else if (!strcmp(ctm, "half_pixel_symmetric")) {
		/* Resize-19: half_pixel shifted so the output's floored length stays centred on the input's: offset
		 * in/2 * (1 - on / (in * sc)) */
		xo = (float)in / 2 * (1.0f - (float)on / ((float)in * sc)) + ((float)oi + 0.5f) / sc - 0.5f;
	} else { /* half_pixel */
		xo = ((float)oi + 0.5f) / sc - 0.5f;
	}
	return xo;
}

/* ---- antialias (Resize-18): separable passes with the filter stretched by 1/scale when downsampling ---- */

/* One axis's taps: nt per output, weights (0 where not read), source indices in [0, in), extrapolated outputs; in
 * the model's scratch slot 0 (held for the next run, so a steady-state run allocates nothing). */
struct aa_axis {
	int64_t nt;
	int64_t *idx;
	float *w;
	unsigned char *out;
};

/*
 * Taps of one axis for linear (cubic = 0) or cubic antialiased resizing, as the ONNX reference computes them: with
 * s = min(scale, 1) the filter spans 2/s (linear) or 4/s (cubic) inputs around the source coordinate, each weighted
 * by the filter at (index - coordinate) * s and normalised to sum 1; the window keeps to the input padded by half
 * its width at each edge, and padded positions read the edge element (or weigh 0 with exclude_outside).
 */
static cella_result aa_taps(struct exec *x, int cubic, float A, int exclude, const char *ctm, int64_t in, int64_t on,
			    float sc, const float *roi, int d, int R, struct aa_axis *t)
{
	double s = sc < 1.0f ? (double)sc : 1.0, support = cubic ? 2.0 : 1.0, lo_d = floor(-support / s) + 1;
	size_t cells;
	if (!(lo_d >= -4.0 * (double)in - 8)) /* od >= 1 keeps s >= 1/in: never this wide */
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "antialias filter over %g inputs for an axis of %lld",
				    2 - 2 * lo_d, (long long)in);
	int64_t start = (int64_t)lo_d, nt = 2 - 2 * start, pad = nt / 2;
	size_t bytes, per = sizeof(*t->idx) + sizeof(*t->w);
	/* an index and a weight per tap, a flag per output: within max_tensor_bytes, as any working memory */
	if (__builtin_mul_overflow((size_t)on, (size_t)nt, &cells) || __builtin_mul_overflow(cells, per, &bytes) ||
	    __builtin_add_overflow(bytes, (size_t)on, &bytes) || bytes > x->m->opt.max_tensor_bytes)
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "antialias taps: %lld outputs of %lld taps, over "
				    "max_tensor_bytes (%llu)", (long long)on, (long long)nt,
				    (unsigned long long)x->m->opt.max_tensor_bytes);
	char *mem = onnx_op_scratch(x, 0, bytes ? bytes : 1); /* no outputs: still memory, not NULL */
	if (!mem)
		return CELLA_ERR_OUT_OF_MEMORY;
	t->nt = nt;
	t->idx = (int64_t *)(void *)mem; /* 64-byte aligned; the weights follow the indices, the flags the weights */
	t->w = (float *)(void *)(mem + cells * sizeof(*t->idx));
	t->out = (unsigned char *)(mem + cells * per);
	for (int64_t oi = 0; oi < on; oi++) {
		int out;
		float xo = resize_coord(ctm, oi, in, on, sc, roi, d, R, &out);
		int64_t *ix = t->idx + oi * nt;
		float *w = t->w + oi * nt, sum = 0;
		t->out[oi] = (unsigned char)out;
		if (out) {
			memset(ix, 0, (size_t)nt * sizeof(*ix));
			memset(w, 0, (size_t)nt * sizeof(*w));
			continue;
		}
		/* bounded first, so that it converts to an index: past the padded edges the window stops moving */
		double xc = !(xo > -(double)nt) ? -(double)nt : xo > (double)(in + nt) ? (double)(in + nt) : (double)xo;
		double left = floor(xc), ratio = xc - left;
		if (ratio == 0) { /* the reference's ratio lies in (0, 1]: an integer coordinate is 1 past its left */
			ratio = 1;
			left -= 1;
		}
		int64_t first = (int64_t)left + start;
		if (first < -pad)
			first = -pad;
		if (first + nt > in + pad)
			first = in + pad - nt;
		for (int64_t k = 0; k < nt; k++) {
			double arg = ((double)(start + k) - ratio) * s;
			float wk = cubic ? cubic_w((float)arg, A) : (float)fmax(0.0, 1.0 - fabs(arg));
			int64_t i = first + k;
			if (i < 0 || i >= in) {
				if (exclude)
					wk = 0;
				i = i < 0 ? 0 : in - 1;
			}
			ix[k] = i;
			w[k] = wk;
			sum += wk;
		}
		if (sum != 0)
			for (int64_t k = 0; k < nt; k++)
				w[k] /= sum;
	}
	return CELLA_OK;
}

/* Axis d of src (dims sd) resized to on outputs through the taps, into dst. */
static void aa_pass(const float *src, float *dst, const int64_t *sd, int R, int d, int64_t on, const struct aa_axis *t,
		    float extrap)
{
	int64_t outer = onnx_dims_prod(sd, d), in = sd[d], inner = onnx_dims_prod(sd + d + 1, R - d - 1);
	for (int64_t o = 0; o < outer; o++) {
		const float *sp = src + o * in * inner;
		for (int64_t oi = 0; oi < on; oi++) {
			float *row = dst + (o * on + oi) * inner;
			for (int64_t j = 0; j < inner; j++)
				row[j] = t->out[oi] ? extrap : 0.0f;
			for (int64_t k = 0; k < t->nt && !t->out[oi]; k++) {
				float wk = t->w[oi * t->nt + k];
				const float *sr = sp + t->idx[oi * t->nt + k] * inner;
				if (wk != 0)
					for (int64_t j = 0; j < inner; j++)
						row[j] += wk * sr[j];
			}
		}
	}
}

/* Antialiased linear/cubic Resize of a into o (dims od): one pass per resized axis, shrinking axes first so that no
 * intermediate is larger than the input or the output. */
static cella_result resize_aa(struct exec *x, struct node *n, const struct tensor *a, struct tensor *o,
			      const int64_t *od, const float *scale, const float *roi, int cubic, const char *ctm,
			      int crop)
{
	int R = a->rank, order[MAXR], np = 0;
	int64_t cur[MAXR];
	size_t most = 0;
	float A = onnx_attr_f(n, "cubic_coeff_a", -0.75f), extrap = onnx_attr_f(n, "extrapolation_value", 0.0f);
	int exclude = onnx_attr_int(n, "exclude_outside", 0);
	cella_result r = CELLA_OK;
	memcpy(cur, a->dims, sizeof(cur));
	for (int pass = 0; pass < 2; pass++)
		for (int d = 0; d < R; d++)
			if ((od[d] != a->dims[d] || scale[d] != 1.0f || crop) && (od[d] <= a->dims[d]) == (pass == 0))
				order[np++] = d;
	for (int p = 0; p + 1 < np; p++) { /* the largest intermediate */
		cur[order[p]] = od[order[p]];
		size_t c = (size_t)onnx_dims_prod(cur, R);
		most = c > most ? c : most;
	}
	memcpy(cur, a->dims, sizeof(cur));
	if (np == 0) {
		memcpy(o->data, a->data, a->bytes);
		return CELLA_OK;
	}
	float *buf[2] = {NULL, NULL};
	if (np > 1 && (!(buf[0] = onnx_op_scratch(x, 1, most * sizeof(float))) ||
		       (np > 2 && !(buf[1] = onnx_op_scratch(x, 2, most * sizeof(float))))))
		return CELLA_ERR_OUT_OF_MEMORY;
	const float *src = a->data;
	for (int p = 0; p < np && r == CELLA_OK; p++) {
		int d = order[p];
		struct aa_axis t = {0, NULL, NULL, NULL};
		float *dst = p == np - 1 ? (float *)o->data : buf[p & 1];
		r = aa_taps(x, cubic, A, exclude, ctm, a->dims[d], od[d], scale[d], roi, d, R, &t);
		if (r == CELLA_OK) {
			aa_pass(src, dst, cur, R, d, od[d], &t, extrap);
			cur[d] = od[d];
			src = dst;
		}
	}
	return r;
}

static cella_result resize_core(struct exec *x, struct node *n, struct tensor *a, const float *scales_in,
				const int64_t *sizes, const float *roi, const char *mode, const char *ctm,
				const char *nmode, int antialias)
{
	struct tensor *o;
	cella_result r;
	int R = a->rank;
	int64_t od[MAXR];
	float scale[MAXR];
	for (int d = 0; d < R; d++) {
		if (sizes) { /* scales too with keep_aspect_ratio_policy: the one scale it chose */
			od[d] = sizes[d];
			scale[d] = scales_in ? scales_in[d] : a->dims[d] ? (float)sizes[d] / (float)a->dims[d] : 1.0f;
		} else {
			scale[d] = scales_in[d];
			if (!(scale[d] > 0) || scale[d] > 1e6f)
				return CELLA_ERR_MODEL_SHAPE;
			od[d] = (int64_t)floor((double)a->dims[d] * (double)scale[d]);
		}
		if (od[d] < 0)
			return CELLA_ERR_MODEL_SHAPE;
		if (a->dims[d] == 0 && od[d] > 0) /* nothing to read an output element from */
			return CELLA_ERR_MODEL_SHAPE;
	}
	if (a->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	int m = !strcmp(mode, "nearest") ? 0 : !strcmp(mode, "linear") || !strcmp(mode, "bilinear") ? 1
					     : !strcmp(mode, "cubic") ? 2 : -1;
	if (m < 0)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, R, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t total = onnx_tensor_count(o);
	if (total == 0)
		return CELLA_OK;
	if (antialias && m != 0)
		return resize_aa(x, n, a, o, od, scale, roi, m == 2, ctm, !strcmp(ctm, "tf_crop_and_resize"));
	float cubic_a = onnx_attr_f(n, "cubic_coeff_a", -0.75f), extrap = onnx_attr_f(n, "extrapolation_value", 0.0f);
	int exclude = onnx_attr_int(n, "exclude_outside", 0);
	/* per-dim source coordinate tables: up to 4 taps each */
	int taps = m == 0 ? 1 : m == 1 ? 2 : 4;
	int64_t ist[MAXR], v = 1;
	for (int d = R - 1; d >= 0; d--) {
		ist[d] = v;
		v *= a->dims[d];
	}
	struct tapset {
		int64_t i[4];
		float w[4];
		int out; /* outside (tf_crop_and_resize extrapolation) */
	};
	size_t tabn = 0;
	for (int d = 0; d < R; d++)
		tabn += (size_t)od[d];
	struct tapset *tab = malloc(sizeof(*tab) * (tabn ? tabn : 1));
	if (!tab)
		return CELLA_ERR_OUT_OF_MEMORY;
	struct tapset *dt[MAXR];
	size_t pos = 0;
	for (int d = 0; d < R; d++) {
		dt[d] = tab + pos;
		pos += (size_t)od[d];
		int64_t in = a->dims[d];
		for (int64_t oi = 0; oi < od[d]; oi++) {
			struct tapset *t = &dt[d][oi];
			int out;
			memset(t, 0, sizeof(*t));
			float xo = resize_coord(ctm, oi, in, od[d], scale[d], roi, d, R, &out);
			t->out = out;
			if (t->out) {
				/* extrapolated: no tap is read, and the coordinate may not convert to an index */
				t->w[0] = 1;
			} else if (m == 0) {
				float f;
				if (!strcmp(nmode, "floor"))
					f = floorf(xo);
				else if (!strcmp(nmode, "ceil"))
					f = ceilf(xo);
				else if (!strcmp(nmode, "round_prefer_ceil"))
					f = floorf(xo + 0.5f);
				else /* round_prefer_floor */
					f = (xo - floorf(xo) == 0.5f) ? floorf(xo) : floorf(xo + 0.5f);
				int64_t i = (int64_t)f;
				t->i[0] = i < 0 ? 0 : i >= in ? in - 1 : i;
				t->w[0] = 1;
			} else if (m == 1) {
				float c = !(xo > 0) ? 0 : xo > (float)(in - 1) ? (float)(in - 1) : xo;
				int64_t i0 = (int64_t)floorf(c);
				int64_t i1 = i0 + 1 < in ? i0 + 1 : in - 1;
				float f = c - (float)i0;
				t->i[0] = i0;
				t->i[1] = i1;
				t->w[0] = 1 - f;
				t->w[1] = f;
			} else {
				/* outside [-2, in+1] every tap clamps to an edge: the coordinate is bounded first so that
				 * it converts to an index at all */
				float xc = !(xo > -2.0f) ? -2.0f : xo > (float)in + 1.0f ? (float)in + 1.0f : xo;
				int64_t i0 = (int64_t)floorf(xc);
				float f = xc - (float)i0, ws = 0;
				for (int k = 0; k < 4; k++) {
					int64_t ii = i0 - 1 + k;
					float w = cubic_w(f - (float)(k - 1), cubic_a);
					if (ii < 0 || ii >= in) {
						if (exclude)
							w = 0;
						ii = ii < 0 ? 0 : in - 1;
					}
					t->i[k] = ii;
					t->w[k] = w;
					ws += w;
				}
				if (exclude && ws != 0)
					for (int k = 0; k < 4; k++)
						t->w[k] /= ws;
			}
		}
	}
	const float *X = a->data;
	float *Y = o->data;
	/* dims kept as they are read one tap */
	int nt[MAXR], crop = !strcmp(ctm, "tf_crop_and_resize");
	for (int d = 0; d < R; d++) {
		nt[d] = taps;
		if (od[d] == a->dims[d] && scale[d] == 1.0f && !crop) {
			nt[d] = 1;
			for (int64_t oi = 0; oi < od[d]; oi++) {
				dt[d][oi].i[0] = oi;
				dt[d][oi].w[0] = 1;
			}
		}
	}
	/* the plane loop below walks the input's outer planes as the output's: only when the outer dims are kept
	 * as they are (a nearest tap is one tap too, but it may map several outputs to one input, or skip some) */
	int outer_ident = 1;
	for (int d = 0; d + 2 < R; d++)
		outer_ident &= nt[d] == 1 && od[d] == a->dims[d] && scale[d] == 1.0f && !crop;
	if (R >= 2 && outer_ident) {
		/* planes of the last two dims: the common NCHW image case */
		int64_t H = a->dims[R - 2], W = a->dims[R - 1], OH = od[R - 2], OW = od[R - 1];
		int64_t hw = H * W, planes = (int64_t)onnx_tensor_count(a) / (hw > 0 ? hw : 1);
		int ty = nt[R - 2], tx = nt[R - 1];
		const struct tapset *TY = dt[R - 2], *TX = dt[R - 1];
		for (int64_t p = 0; p < planes; p++) {
			const float *xp = X + p * H * W;
			float *yp = Y + p * OH * OW;
			for (int64_t oy = 0; oy < OH; oy++) {
				const struct tapset *sy = &TY[oy];
				float *yr = yp + oy * OW;
				if (ty == 1 && tx == 1 && !sy->out) {
					const float *xr = xp + sy->i[0] * W;
					for (int64_t ox = 0; ox < OW; ox++)
						yr[ox] = TX[ox].out ? extrap : xr[TX[ox].i[0]];
					continue;
				}
				for (int64_t ox = 0; ox < OW; ox++) {
					const struct tapset *sx = &TX[ox];
					if (sy->out || sx->out) {
						yr[ox] = extrap;
						continue;
					}
					float acc = 0;
					for (int ky = 0; ky < ty; ky++) {
						const float *xr = xp + sy->i[ky] * W;
						float ra = 0;
						for (int kx = 0; kx < tx; kx++)
							ra += sx->w[kx] * xr[sx->i[kx]];
						acc += sy->w[ky] * ra;
					}
					yr[ox] = acc;
				}
			}
		}
		free(tab);
		return CELLA_OK;
	}
	int64_t idx[MAXR] = { 0 };
	int ncomb = 1;
	for (int d = 0; d < R; d++)
		ncomb *= nt[d];
	for (size_t i = 0; i < total; i++) {
		int out = 0;
		for (int d = 0; d < R; d++)
			out |= dt[d][idx[d]].out;
		if (out) {
			Y[i] = extrap;
		} else {
			float acc = 0;
			for (int c = 0; c < ncomb; c++) {
				int cc = c;
				int64_t off = 0;
				float w = 1;
				for (int d = R - 1; d >= 0; d--) {
					int k = cc % nt[d];
					cc /= nt[d];
					off += dt[d][idx[d]].i[k] * ist[d];
					w *= dt[d][idx[d]].w[k];
				}
				if (w != 0)
					acc += w * X[off];
			}
			Y[i] = acc;
		}
		onnx_index_next(idx, od, R);
	}
	free(tab);
	return CELLA_OK;
}

static cella_result op_resize(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *troi = NULL, *tsc = NULL, *tsz = NULL;
	float scales[MAXR], roi[2 * MAXR];
	int64_t sizes[MAXR];
	int have_sizes = 0, have_roi = 0, keep = 0;
	int64_t aa = n->opset < 18 ? 0 : onnx_attr_i(n, "antialias", 0);
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (aa != 0 && aa != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "antialias is %lld, not 0 or 1", (long long)aa);
	if (n->opset < 11) {
		tsc = onnx_op_in(x, n, 1);
	} else {
		troi = onnx_op_in(x, n, 1);
		tsc = onnx_op_in(x, n, 2);
		tsz = onnx_op_in(x, n, 3);
	}
	if (tsc && onnx_tensor_count(tsc) == 0 && tsc->known)
		tsc = NULL;
	if (tsz && onnx_tensor_count(tsz) == 0 && tsz->known)
		tsz = NULL;
	if (troi && onnx_tensor_count(troi) == 0 && troi->known)
		troi = NULL;
	const int64_t *axes;
	size_t nax = onnx_attr_ints(n, "axes", &axes);
	int cnt = nax ? (int)nax : a->rank;
	if (nax > (size_t)a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	for (int d = 0; d < a->rank; d++) {
		scales[d] = 1.0f;
		sizes[d] = a->dims[d];
		roi[d] = 0;
		roi[d + a->rank] = 1;
	}
	int map[MAXR];
	for (int i = 0; i < cnt; i++) {
		if (nax) {
			if (onnx_normalize_axis(axes[i], a->rank, &map[i]))
				return CELLA_ERR_MODEL_SHAPE;
			for (int j = 0; j < i; j++)
				if (map[j] == map[i]) /* an axis named twice: which size or scale would it take? */
					return CELLA_ERR_MODEL_SHAPE;
		} else {
			map[i] = i;
		}
	}
	if (tsz) {
		int ns;
		int64_t tmp[MAXR];
		if ((r = onnx_op_read_ints(x, tsz, tmp, MAXR, &ns)) != CELLA_OK)
			return r;
		if (ns != cnt)
			return CELLA_ERR_MODEL_SHAPE;
		const char *kar = n->opset < 18 ? "stretch" : onnx_attr_s(n, "keep_aspect_ratio_policy", "stretch");
		keep = !strcmp(kar, "stretch") ? 0 : !strcmp(kar, "not_larger") ? 1 : !strcmp(kar, "not_smaller") ? 2 : -1;
		if (keep < 0)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "keep_aspect_ratio_policy '%s' is none of stretch, "
					    "not_larger, not_smaller", kar);
		if (keep) {
			/* one scale for the axes named, the least (not_larger) or greatest (not_smaller) of sizes / dims
			 * over the axes that are not empty (an empty one stays empty whatever its scale) */
			double sc = keep == 1 ? INFINITY : -INFINITY;
			for (int i = 0; i < cnt; i++)
				if (a->dims[map[i]] > 0) {
					double q = (double)tmp[i] / (double)a->dims[map[i]];
					sc = keep == 1 ? fmin(sc, q) : fmax(sc, q);
				}
			if (!isfinite(sc))
				sc = 1;
			for (int i = 0; i < cnt; i++) {
				double v = floor((double)a->dims[map[i]] * sc + 0.5);
				if (!(v >= -1.0 && v <= (double)((int64_t)1 << 62))) /* converted only when it fits */
					return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "keep_aspect_ratio_policy gives axis %d "
							    "a size of %g", map[i], v);
				tmp[i] = (int64_t)v;
				scales[map[i]] = (float)sc;
			}
		}
		for (int i = 0; i < cnt; i++)
			sizes[map[i]] = tmp[i];
		have_sizes = 1;
	} else if (tsc) {
		if ((r = onnx_op_need(x, tsc)) != CELLA_OK)
			return r;
		if (tsc->dtype != CELLA_ONNX_FLOAT || onnx_tensor_count(tsc) != (size_t)cnt)
			return CELLA_ERR_MODEL_SHAPE;
		for (int i = 0; i < cnt; i++)
			scales[map[i]] = ((const float *)tsc->data)[i];
	} else {
		return CELLA_ERR_MODEL;
	}
	if (troi) {
		if ((r = onnx_op_need(x, troi)) != CELLA_OK)
			return r;
		if (troi->dtype != CELLA_ONNX_FLOAT || onnx_tensor_count(troi) != (size_t)(2 * cnt))
			return CELLA_ERR_MODEL_SHAPE;
		for (int i = 0; i < cnt; i++) {
			roi[map[i]] = ((const float *)troi->data)[i];
			roi[map[i] + a->rank] = ((const float *)troi->data)[i + cnt];
		}
		have_roi = 1;
	}
	const char *ctm = n->opset < 11 ? "asymmetric" : onnx_attr_s(n, "coordinate_transformation_mode", "half_pixel");
	{
		static const char *const modes[] = { "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
						     "tf_half_pixel_for_nn", "tf_crop_and_resize", "half_pixel_symmetric" };
		size_t k = 0, nmodes = sizeof(modes) / sizeof(modes[0]) - (n->opset < 19); /* the last from opset 19 */
		while (k < nmodes && strcmp(ctm, modes[k]))
			k++;
		if (k == nmodes)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "coordinate_transformation_mode '%.64s' is not one of "
					    "Resize's at opset %d", ctm, n->opset);
	}
	if (have_roi && !strcmp(ctm, "tf_crop_and_resize")) {
		/* a NaN or infinite box has no source coordinates (a NaN one passed every range check) */
		for (int d = 0; d < 2 * a->rank; d++)
			if (!isfinite(roi[d]))
				return CELLA_ERR_MODEL_SHAPE;
	}
	const char *nm = n->opset < 11 ? "floor" : onnx_attr_s(n, "nearest_mode", "round_prefer_floor");
	/* sizes alone give each axis the scale sizes / dims; keep_aspect_ratio_policy gives them its own */
	r = resize_core(x, n, a, have_sizes && !keep ? NULL : scales, have_sizes ? sizes : NULL, have_roi ? roi : NULL,
			onnx_attr_s(n, "mode", "nearest"), ctm, nm, (int)aa);
	return r;
}

static cella_result op_upsample(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *tsc = onnx_op_in(x, n, 1);
	float scales[MAXR];
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (tsc) {
		if ((r = onnx_op_need(x, tsc)) != CELLA_OK)
			return r;
		if (tsc->dtype != CELLA_ONNX_FLOAT || onnx_tensor_count(tsc) != (size_t)a->rank)
			return CELLA_ERR_MODEL_SHAPE;
		memcpy(scales, tsc->data, sizeof(float) * (size_t)a->rank);
	} else {
		const struct attr *s = onnx_attr_get(n, "scales");
		if (!s || s->n_floats != (size_t)a->rank)
			return CELLA_ERR_MODEL_SHAPE;
		memcpy(scales, s->floats, sizeof(float) * (size_t)a->rank);
	}
	r = resize_core(x, n, a, scales, NULL, NULL, onnx_attr_s(n, "mode", "nearest"), "asymmetric", "floor", 0);
	return r;
}

/* ------------------------------------------------------------------ DepthToSpace / SpaceToDepth */

static cella_result d2s(struct exec *x, struct node *n, int inverse)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	int64_t bs = onnx_attr_i(n, "blocksize", 0);
	if (a->rank != 4 || bs < 1 || bs > 4096)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t N = a->dims[0], C = a->dims[1], H = a->dims[2], W = a->dims[3], od[4];
	int crd = !strcmp(onnx_attr_s(n, "mode", "DCR"), "CRD");
	if (!inverse) {
		if (C % (bs * bs))
			return CELLA_ERR_MODEL_SHAPE;
		od[0] = N; od[1] = C / (bs * bs); od[2] = H * bs; od[3] = W * bs;
	} else {
		if (H % bs || W % bs)
			return CELLA_ERR_MODEL_SHAPE;
		od[0] = N; od[1] = C * bs * bs; od[2] = H / bs; od[3] = W / bs;
	}
	if ((r = onnx_op_out(x, n, 0, a->dtype, 4, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t es = onnx_dtype_size(a->dtype);
	/* express both as a 6-D transpose */
	int64_t d6[6];
	int perm[6];
	if (!inverse) {
		if (crd) {
			int64_t t[6] = { N, C / (bs * bs), bs, bs, H, W };
			int p[6] = { 0, 1, 4, 2, 5, 3 };
			memcpy(d6, t, sizeof(t));
			memcpy(perm, p, sizeof(p));
		} else {
			int64_t t[6] = { N, bs, bs, C / (bs * bs), H, W };
			int p[6] = { 0, 3, 4, 1, 5, 2 };
			memcpy(d6, t, sizeof(t));
			memcpy(perm, p, sizeof(p));
		}
	} else {
		int64_t t[6] = { N, C, H / bs, bs, W / bs, bs };
		int p[6] = { 0, 3, 5, 1, 2, 4 };
		memcpy(d6, t, sizeof(t));
		memcpy(perm, p, sizeof(p));
	}
	transpose_any(a->data, o->data, es, 6, d6, perm);
	return CELLA_OK;
}

static cella_result op_d2s(struct exec *x, struct node *n) { return d2s(x, n, 0); }
static cella_result op_s2d(struct exec *x, struct node *n) { return d2s(x, n, 1); }

const struct op_def onnx_ops_shape[] = {
	{ "Reshape", op_reshape, NULL, 1, ONNX_INPLACE_BYTES | ONNX_STR_IN0 },
	{ "Flatten", op_flatten, NULL, 1, ONNX_INPLACE_BYTES | ONNX_STR_IN0 },
	{ "Squeeze", op_squeeze, NULL, 1, ONNX_INPLACE_BYTES | ONNX_STR_IN0 },
	{ "Unsqueeze", op_unsqueeze, NULL, 1, ONNX_INPLACE_BYTES | ONNX_STR_IN0 },
	{ "Identity", op_identity, NULL, 1, ONNX_INPLACE_ELEMENTWISE | ONNX_SEQ_IN0 | ONNX_NONE_IN0 | ONNX_STR_IN0 },
	{ "Dropout", op_dropout, NULL, 1, 1 },
	{ "Transpose", op_transpose, NULL, 1, ONNX_STR_IN0 },
	{ "Concat", op_concat, NULL, 1, ONNX_STR_ANY },
	{ "Split", op_split, NULL, 1, ONNX_STR_IN0 },
	{ "Slice", op_slice, NULL, 1, ONNX_STR_IN0 },
	{ "Gather", op_gather, NULL, 1, ONNX_STR_IN0 },
	{ "GatherElements", op_gather_elements, NULL, 11, ONNX_STR_IN0 },
	{ "Pad", op_pad, NULL, 1, ONNX_STR_IN0 | ONNX_STR_IN2 },
	{ "Expand", op_expand, NULL, 8, ONNX_STR_IN0 },
	{ "Tile", op_tile, NULL, 6, ONNX_STR_IN0 },
	{ "Shape", op_shape, NULL, 1, ONNX_STR_IN0 },
	{ "Size", op_size, NULL, 1, ONNX_STR_IN0 },
	{ "Constant", op_constant, NULL, 1, ONNX_STR_OUT },
	{ "ConstantOfShape", op_constant_of_shape, NULL, 9, 0 },
	{ "Range", op_range, NULL, 11, 0 },
	{ "Resize", op_resize, NULL, 10, 0 },
	{ "Upsample", op_upsample, NULL, 7, 0 },
	{ "DepthToSpace", op_d2s, NULL, 1, ONNX_STR_IN0 },
	{ "SpaceToDepth", op_s2d, NULL, 1, ONNX_STR_IN0 },
	{ NULL, NULL, NULL, 0, 0 },
};
