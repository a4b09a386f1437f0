// SPDX-License-Identifier: MIT
/*
 * Sequence operators (opset 11): SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceAt, SequenceErase,
 * SequenceLength, SplitToSequence, ConcatFromSequence; SequenceMap (opset 17); the optional operators Optional,
 * OptionalHasElement, OptionalGetElement (opset 15). A sequence is a value inside a run (struct onnx_seq, in
 * tensor.seq): its tensors are copies with their own memory, so the operators that make one from another leave
 * the first as it was, as ONNX values are. An optional that holds a value is that value; an empty one is a value
 * with tensor.none set. Model inputs and outputs may be either (cella_onnx_model_run_values), Loop may carry them
 * and If give them (ops_misc.c, onnx_op_pass); Scan outputs stay tensors. Neither is ever known at load: their
 * operators run at run time.
 */
#include "onnx_internal.h"

#include <stdlib.h>
#include <string.h>

void onnx_seq_free(struct onnx_seq *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->it[i].data);
	free(s->it);
	free(s);
}

/* A new last tensor of s, of t's type and shape and bytes bytes of uninitialised data (NULL when out of memory). */
static struct tensor *seq_slot(struct onnx_seq *s, const struct tensor *t, size_t bytes)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct tensor *it = realloc(s->it, cap * sizeof(*it));
		if (!it)
			return NULL;
		s->it = it;
		s->cap = cap;
	}
	struct tensor *d = &s->it[s->n];
	memset(d, 0, sizeof(*d));
	d->dtype = t->dtype;
	d->half = t->half;
	d->rank = t->rank;
	memcpy(d->dims, t->dims, sizeof(d->dims));
	d->bytes = bytes;
	d->known = 1;
	d->buf = -1;
	if (!(d->data = malloc(bytes ? bytes : 1)))
		return NULL;
	s->n++;
	return d;
}

cella_result onnx_seq_import(int dtype, const struct cella_onnx_tensor *items, size_t n, struct onnx_seq **out)
{
	struct onnx_seq *s = calloc(1, sizeof(*s));
	if (!s)
		return CELLA_ERR_OUT_OF_MEMORY;
	s->dtype = onnx_held_type(dtype, &s->half);
	for (size_t i = 0; i < n; i++) {
		struct tensor like = { .dtype = s->dtype, .half = s->half, .rank = (int)items[i].rank };
		size_t c = (size_t)cella_onnx_tensor_count(&items[i]);
		memcpy(like.dims, items[i].dims, sizeof(like.dims));
		struct tensor *d = seq_slot(s, &like, c * onnx_dtype_size(s->dtype));
		if (!d) {
			onnx_seq_free(s);
			return CELLA_ERR_OUT_OF_MEMORY;
		}
		if (s->half)
			onnx_half_to_f32(items[i].data, s->half, d->data, c);
		else if (d->bytes)
			memcpy(d->data, items[i].data, d->bytes);
	}
	*out = s;
	return CELLA_OK;
}

/* At load (the shape pass, folding) a sequence operator makes nothing: what it makes is known only at run. */
static int seq_at_load(const struct exec *x) { return x->mode != MODE_RUN; }

/* The sequence at input i: CELLA_ERR_MODEL, named, for a tensor or an absent input; CELLA_ERR_NOT_FOUND at load,
 * where no sequence is known. */
static cella_result seq_in(struct exec *x, struct node *n, int i, struct onnx_seq **s)
{
	struct tensor *t = onnx_op_in(x, n, i);
	if (seq_at_load(x))
		return CELLA_ERR_NOT_FOUND;
	if (!t)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", i);
	if (!t->seq)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d ('%s') is a tensor, not a sequence", i,
				    x->g->values[n->in[i]].name);
	*s = t->seq;
	return CELLA_OK;
}

/* Appends a copy of t to s (of its data, when it has any: else the caller fills the bytes): at most
 * max_tensor_bytes of tensor descriptions, as for any working memory. */
static cella_result seq_push(struct exec *x, struct onnx_seq *s, const struct tensor *t)
{
	if ((s->n + 1) * sizeof(struct tensor) > x->m->opt.max_tensor_bytes)
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "a sequence's %zu tensor descriptions take %zu bytes, over "
				    "max_tensor_bytes", s->n + 1, (s->n + 1) * sizeof(struct tensor));
	struct tensor *d = seq_slot(s, t, t->bytes);
	if (!d)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (t->bytes && t->data)
		memcpy(d->data, t->data, t->bytes);
	return CELLA_OK;
}

/* A tensor t may join sequence s: of its element type (float16 and bfloat16 told apart from float). */
static cella_result seq_fits(struct exec *x, const struct onnx_seq *s, const struct tensor *t)
{
	if (t->dtype != s->dtype || t->half != s->half)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "a tensor of %s in a sequence of %s",
				    onnx_tname(onnx_seen_type(t->dtype, t->half)), onnx_tname(onnx_seen_type(s->dtype, s->half)));
	return CELLA_OK;
}

/* The position at input i (a one-value int32/int64 tensor; absent: def) in a sequence of len, negative counting
 * from the end, within [-len, len - 1], or [-len, len] with end (an insertion may go after the last). */
static cella_result seq_pos(struct exec *x, struct node *n, int i, size_t len, int end, int64_t def, size_t *pos)
{
	struct tensor *t = onnx_op_in(x, n, i);
	int64_t p = def;
	int cnt;
	if (t) {
		if (t->dtype != CELLA_ONNX_INT32 && t->dtype != CELLA_ONNX_INT64)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "position of type %s (int32 or int64)",
					    onnx_tname(t->dtype));
		if (onnx_tensor_count(t) != 1)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "position of %zu values, not one",
					    onnx_tensor_count(t));
		cella_result r = onnx_op_read_ints(x, t, &p, 1, &cnt);
		if (r != CELLA_OK)
			return r;
	}
	int64_t l = (int64_t)len;
	if (p < -l || p > (end ? l : l - 1))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "position %lld is out of range for a sequence of %zu", (long long)p,
				    len);
	*pos = (size_t)(p < 0 ? p + l : p);
	return CELLA_OK;
}

cella_result onnx_seq_take(struct exec *x, struct tensor *t, struct onnx_seq **out)
{
	const struct onnx_seq *s = t->seq;
	if (t->seq_own) {
		*out = t->seq;
		t->seq = NULL;
		t->seq_own = 0;
		return CELLA_OK;
	}
	struct onnx_seq *c = calloc(1, sizeof(*c));
	cella_result r = CELLA_OK;
	if (!c)
		return CELLA_ERR_OUT_OF_MEMORY;
	c->dtype = s->dtype;
	c->half = s->half;
	for (size_t i = 0; i < s->n && r == CELLA_OK; i++)
		r = seq_push(x, c, &s->it[i]);
	if (r != CELLA_OK) {
		onnx_seq_free(c);
		return r;
	}
	*out = c;
	return CELLA_OK;
}

static cella_result op_sequence_empty(struct exec *x, struct node *n)
{
	struct onnx_seq *s = NULL;
	int dt = onnx_attr_int(n, "dtype", CELLA_ONNX_FLOAT);
	if (onnx_dtype_size(dt) == 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "attribute 'dtype' is %s (%d), not supported",
				    onnx_tname(dt), dt);
	if (seq_at_load(x))
		return CELLA_ERR_NOT_FOUND;
	return onnx_op_seq_out(x, n, 0, dt, &s);
}

static cella_result op_sequence_construct(struct exec *x, struct node *n)
{
	struct onnx_seq *s = NULL;
	struct tensor *t0 = onnx_op_in(x, n, 0);
	cella_result r;
	if (!t0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent (SequenceConstruct takes one tensor or more)");
	if (seq_at_load(x))
		return CELLA_ERR_NOT_FOUND;
	if ((r = onnx_op_seq_out(x, n, 0, onnx_seen_type(t0->dtype, t0->half), &s)) != CELLA_OK)
		return r;
	for (int i = 0; i < n->n_in; i++) {
		struct tensor *t = onnx_op_in(x, n, i);
		if (!t)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", i);
		if ((r = seq_fits(x, s, t)) != CELLA_OK || (r = seq_push(x, s, t)) != CELLA_OK)
			return r;
	}
	return CELLA_OK;
}

/* A new sequence at output 0: a copy of s without element skip (SIZE_MAX: none), with t at position at (NULL:
 * none). */
static cella_result seq_remake(struct exec *x, struct node *n, const struct onnx_seq *s, size_t skip,
			       const struct tensor *t, size_t at)
{
	struct onnx_seq *o;
	cella_result r;
	if ((r = onnx_op_seq_out(x, n, 0, onnx_seen_type(s->dtype, s->half), &o)) != CELLA_OK)
		return r;
	for (size_t i = 0; i <= s->n; i++) {
		if (t && i == at && (r = seq_push(x, o, t)) != CELLA_OK)
			return r;
		if (i < s->n && i != skip && (r = seq_push(x, o, &s->it[i])) != CELLA_OK)
			return r;
	}
	return CELLA_OK;
}

static cella_result op_sequence_insert(struct exec *x, struct node *n)
{
	struct onnx_seq *s = NULL;
	struct tensor *t = onnx_op_in(x, n, 1);
	size_t at;
	cella_result r;
	if ((r = seq_in(x, n, 0, &s)) != CELLA_OK)
		return r;
	if (!t)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 1 (the tensor to insert) is absent");
	if ((r = seq_fits(x, s, t)) != CELLA_OK || (r = seq_pos(x, n, 2, s->n, 1, (int64_t)s->n, &at)) != CELLA_OK)
		return r;
	return seq_remake(x, n, s, SIZE_MAX, t, at);
}

static cella_result op_sequence_erase(struct exec *x, struct node *n)
{
	struct onnx_seq *s = NULL;
	size_t at;
	cella_result r;
	if ((r = seq_in(x, n, 0, &s)) != CELLA_OK || (r = seq_pos(x, n, 1, s->n, 0, -1, &at)) != CELLA_OK)
		return r;
	return seq_remake(x, n, s, at, NULL, 0);
}

static cella_result op_sequence_at(struct exec *x, struct node *n)
{
	struct onnx_seq *s = NULL;
	struct tensor *o;
	size_t at;
	cella_result r;
	if ((r = seq_in(x, n, 0, &s)) != CELLA_OK)
		return r;
	if (!onnx_op_in(x, n, 1))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 1 (the position) is absent");
	if ((r = seq_pos(x, n, 1, s->n, 0, 0, &at)) != CELLA_OK)
		return r;
	const struct tensor *t = &s->it[at];
	if ((r = onnx_op_out(x, n, 0, onnx_seen_type(t->dtype, t->half), t->rank, t->dims, &o)) != CELLA_OK)
		return r;
	if (t->bytes)
		memcpy(o->data, t->data, t->bytes);
	return CELLA_OK;
}

static cella_result op_sequence_length(struct exec *x, struct node *n)
{
	struct onnx_seq *s = NULL;
	struct tensor *o;
	cella_result r;
	if ((r = seq_in(x, n, 0, &s)) != CELLA_OK || (r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, 0, NULL, &o)) != CELLA_OK)
		return r;
	*(int64_t *)o->data = (int64_t)s->n;
	return CELLA_OK;
}

/*
 * SplitToSequence: input split along axis into the lengths of split, a 1-D tensor (they must add up to the dim), or
 * into pieces of split, a scalar (the last one shorter when it does not divide the dim); without split into pieces
 * of 1, the axis kept or dropped by keepdims.
 */
static cella_result op_split_to_sequence(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *st = onnx_op_in(x, n, 1);
	struct onnx_seq *s = NULL;
	int axis, keep = onnx_attr_int(n, "keepdims", 1);
	cella_result r;
	if (!a)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if (keep != 0 && keep != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'keepdims' is %d, not 0 or 1", keep);
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", 0), a->rank, &axis))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "axis %lld is out of range for rank %d",
				    (long long)onnx_attr_i(n, "axis", 0), a->rank);
	if (st && st->dtype != CELLA_ONNX_INT32 && st->dtype != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "split of type %s (int32 or int64)",
				    onnx_tname(st->dtype));
	if (st && st->rank > 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "split of rank %d, not a scalar or a vector", st->rank);
	if (seq_at_load(x))
		return CELLA_ERR_NOT_FOUND;
	int64_t len = a->dims[axis], piece = 1, parts = len, sum = 0;
	if (st && st->rank == 0) {
		piece = onnx_get_i(st->data, st->dtype, 0);
		if (piece < 1)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "split is %lld, not a length of 1 or more", (long long)piece);
		parts = len / piece + (len % piece != 0);
	} else if (st) {
		parts = (int64_t)onnx_tensor_count(st);
		for (int64_t i = 0; i < parts; i++) {
			int64_t v = onnx_get_i(st->data, st->dtype, (size_t)i);
			if (v < 0 || __builtin_add_overflow(sum, v, &sum))
				return onnx_op_fail(x, CELLA_ERR_MODEL, "split value %lld (element %lld) is negative",
						    (long long)v, (long long)i);
		}
		if (sum != len)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "split adds up to %lld, the dim is %lld", (long long)sum,
					    (long long)len);
	}
	if ((r = onnx_op_seq_out(x, n, 0, onnx_seen_type(a->dtype, a->half), &s)) != CELLA_OK)
		return r;
	size_t es = onnx_dtype_size(a->dtype);
	int64_t outer = onnx_dims_prod(a->dims, axis), inner = onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1);
	size_t arow = (size_t)(len * inner) * es, off = 0;
	for (int64_t i = 0; i < parts; i++) {
		int64_t k = !st ? 1 : st->rank == 0 ? (len - i * piece < piece ? len - i * piece : piece)
						    : onnx_get_i(st->data, st->dtype, (size_t)i);
		struct tensor piece_t = *a; /* the piece's shape; its data is copied in below */
		piece_t.seq = NULL;
		piece_t.dims[axis] = k;
		if (!st && !keep) { /* pieces of 1 without the axis */
			memmove(piece_t.dims + axis, piece_t.dims + axis + 1, (size_t)(a->rank - axis - 1) * sizeof(int64_t));
			piece_t.rank--;
		}
		piece_t.bytes = (size_t)(k * inner * outer) * es;
		piece_t.data = NULL;
		if ((r = seq_push(x, s, &piece_t)) != CELLA_OK)
			return r;
		size_t row = (size_t)(k * inner) * es;
		onnx_copy_rows(s->it[s->n - 1].data, row, 0, a->data, arow, off, row, outer);
		off += row;
	}
	return CELLA_OK;
}

/* ConcatFromSequence: the sequence's tensors joined along axis, or stacked along a new axis (new_axis 1, axis then
 * in [-rank - 1, rank]). */
static cella_result op_concat_from_sequence(struct exec *x, struct node *n)
{
	struct onnx_seq *s = NULL;
	struct tensor *o;
	int axis, stack = onnx_attr_int(n, "new_axis", 0);
	cella_result r;
	if (!onnx_attr_get(n, "axis"))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'axis' is required");
	if (stack != 0 && stack != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'new_axis' is %d, not 0 or 1", stack);
	if ((r = seq_in(x, n, 0, &s)) != CELLA_OK)
		return r;
	if (s->n == 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "the sequence is empty: no shape to concatenate");
	const struct tensor *t0 = &s->it[0];
	int rank = t0->rank + stack;
	if (rank > MAXR || onnx_normalize_axis(onnx_attr_i(n, "axis", 0), rank, &axis))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "axis %lld is out of range for rank %d%s",
				    (long long)onnx_attr_i(n, "axis", 0), rank, stack ? " (with the new axis)" : "");
	/* each tensor's dims as joined: with a dim of 1 at axis when stacking */
	int64_t od[MAXR], vd[MAXR];
	for (size_t i = 0; i < s->n; i++) {
		const struct tensor *t = &s->it[i];
		if (t->rank != t0->rank)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "tensor %zu has rank %d, tensor 0 rank %d", i, t->rank,
					    t0->rank);
		for (int d = 0, k = 0; d < rank; d++)
			vd[d] = stack && d == axis ? 1 : t->dims[k++];
		for (int d = 0; d < rank; d++) {
			if (i == 0)
				od[d] = d == axis ? 0 : vd[d];
			else if (d != axis && vd[d] != od[d])
				return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "tensor %zu has dim %d of %lld, tensor 0 %lld", i,
						    d, (long long)vd[d], (long long)od[d]);
		}
		if (__builtin_add_overflow(od[axis], vd[axis], &od[axis]))
			return CELLA_ERR_TOO_LARGE;
	}
	if ((r = onnx_op_out(x, n, 0, onnx_seen_type(s->dtype, s->half), rank, od, &o)) != CELLA_OK)
		return r;
	size_t es = onnx_dtype_size(s->dtype);
	int64_t outer = onnx_dims_prod(od, axis), inner = onnx_dims_prod(od + axis + 1, rank - axis - 1);
	size_t orow = (size_t)(od[axis] * inner) * es, off = 0;
	for (size_t i = 0; i < s->n; i++) {
		int64_t k = stack ? 1 : s->it[i].dims[axis];
		size_t row = (size_t)(k * inner) * es;
		onnx_copy_rows(o->data, orow, off, s->it[i].data, row, 0, row, outer);
		off += row;
	}
	return CELLA_OK;
}

/*
 * SequenceMap: the body runs once per position of the sequence at input 0, on the tensors at that position of each
 * sequence input (all of input 0's length) and on each tensor input as it is; output j is the sequence of the
 * body's output j (over an empty sequence: an empty one of the body's declared type, float when undeclared).
 */
static cella_result op_sequence_map(struct exec *x, struct node *n)
{
	const struct attr *ba = onnx_attr_get(n, "body");
	struct onnx_seq *s0 = NULL, **out = NULL;
	cella_result r;
	if (!ba || !ba->g)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'body' is missing or not a graph");
	struct graph *g = ba->g;
	if (g->n_inputs != n->n_in || g->n_outputs != n->n_out || n->n_out < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "%d inputs and %d outputs, a body of %d inputs and %d outputs: "
				    "the body takes one value per input and gives one tensor per output", n->n_in,
				    n->n_out, g->n_inputs, g->n_outputs);
	if ((r = seq_in(x, n, 0, &s0)) != CELLA_OK)
		return r;
	for (int k = 1; k < n->n_in; k++) {
		const struct tensor *t = onnx_op_in(x, n, k);
		if (!t)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", k);
		if (t->seq && t->seq->n != s0->n)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input %d is a sequence of %zu tensors, input 0 of %zu",
					    k, t->seq->n, s0->n);
	}
	if (!(out = calloc((size_t)n->n_out, sizeof(*out))))
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int j = 0; j < n->n_out && s0->n == 0 && r == CELLA_OK; j++) {
		const struct value *d = &g->values[g->outputs[j]];
		r = onnx_op_seq_out(x, n, j, onnx_dtype_size(d->decl_dtype) ? onnx_seen_type(d->decl_dtype, d->decl_half)
									     : CELLA_ONNX_FLOAT, &out[j]);
	}
	for (size_t it = 0; it < s0->n && r == CELLA_OK; it++) {
		for (int k = 0; k < n->n_in; k++) {
			const struct tensor *t = onnx_op_in(x, n, k);
			onnx_graph_bind(g, k, t->seq ? &t->seq->it[it] : t);
		}
		if ((r = onnx_graph_run(x, g)) != CELLA_OK)
			break;
		for (int j = 0; j < n->n_out && r == CELLA_OK; j++) {
			const struct tensor *src = &g->values[g->outputs[j]].t;
			if (src->seq || src->none)
				r = onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "body output %d is %s: SequenceMap gives "
						 "sequences of tensors", j, src->seq ? "a sequence" : "an empty optional");
			else if (src->rank < 0 || (!src->data && src->bytes))
				r = onnx_op_fail(x, CELLA_ERR_MODEL, "body output %d is never computed", j);
			else if (it == 0)
				r = onnx_op_seq_out(x, n, j, onnx_seen_type(src->dtype, src->half), &out[j]);
			if (r == CELLA_OK && (r = seq_fits(x, out[j], src)) == CELLA_OK)
				r = seq_push(x, out[j], src);
		}
		onnx_graph_done(x->m, g);
	}
	free(out);
	return r;
}

/* Optional: input 0 when given (an optional holding it), else an empty optional of the type attribute's. */
static cella_result op_optional(struct exec *x, struct node *n)
{
	struct tensor *t = onnx_op_in(x, n, 0);
	const struct attr *ta = onnx_attr_get(n, "type");
	if (!t && (!ta || ta->type != ATTR_TYPE_PROTO))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "no input and no attribute 'type' (a type) for the empty optional");
	if (ta && ta->type == ATTR_TYPE_PROTO && (ta->tp_form & CELLA_ONNX_FORM_OPTIONAL))
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "attribute 'type' is an optional: an optional of an "
				    "optional");
	if (seq_at_load(x))
		return CELLA_ERR_NOT_FOUND;
	if (!t)
		return onnx_op_none_out(x, n, 0, onnx_seen_type(ta->tp_dtype, ta->tp_half));
	struct tensor view = *t; /* the input may be read again: a sequence is copied (an empty optional is refused
				  * by op_call: an optional of an optional) */
	view.seq_own = 0;
	return onnx_op_pass(x, n, 0, &view);
}

/* OptionalHasElement: whether input 0 holds a value (false when it is absent, opset 18). */
static cella_result op_optional_has_element(struct exec *x, struct node *n)
{
	struct tensor *t = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (seq_at_load(x))
		return CELLA_ERR_NOT_FOUND;
	if (!t && n->opset < 18)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent (it may be from opset 18)");
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_BOOL, 0, NULL, &o)) != CELLA_OK)
		return r;
	*(uint8_t *)o->data = t && !t->none;
	return CELLA_OK;
}

/* OptionalGetElement: the value input 0 holds; an empty optional fails. */
static cella_result op_optional_get_element(struct exec *x, struct node *n)
{
	struct tensor *t = onnx_op_in(x, n, 0);
	if (!t)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if (seq_at_load(x))
		return CELLA_ERR_NOT_FOUND;
	if (t->none)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 ('%s') is an empty optional: there is no element to get",
				    x->g->values[n->in[0]].name);
	struct tensor view = *t;
	view.seq_own = 0;
	return onnx_op_pass(x, n, 0, &view);
}

const struct op_def onnx_ops_seq[] = {
	{ "SequenceEmpty", op_sequence_empty, NULL, 11, ONNX_TYPE_SET | ONNX_STR_OUT },
	{ "SequenceConstruct", op_sequence_construct, NULL, 11, ONNX_STR_ANY },
	{ "SequenceInsert", op_sequence_insert, NULL, 11, ONNX_SEQ_IN0 | ONNX_STR_ANY },
	{ "SequenceErase", op_sequence_erase, NULL, 11, ONNX_SEQ_IN0 | ONNX_STR_IN0 },
	{ "SequenceAt", op_sequence_at, NULL, 11, ONNX_SEQ_IN0 | ONNX_STR_IN0 },
	{ "SequenceLength", op_sequence_length, NULL, 11, ONNX_SEQ_IN0 | ONNX_STR_IN0 },
	{ "SplitToSequence", op_split_to_sequence, NULL, 11, ONNX_STR_IN0 },
	{ "ConcatFromSequence", op_concat_from_sequence, NULL, 11, ONNX_SEQ_IN0 | ONNX_STR_IN0 },
	{ "SequenceMap", op_sequence_map, NULL, 17, ONNX_SEQ_ANY | ONNX_STR_ANY },
	{ "Optional", op_optional, NULL, 15, ONNX_SEQ_IN0 | ONNX_TYPE_SET | ONNX_STR_IN0 },
	{ "OptionalHasElement", op_optional_has_element, NULL, 15, ONNX_SEQ_IN0 | ONNX_NONE_IN0 | ONNX_STR_IN0 },
	{ "OptionalGetElement", op_optional_get_element, NULL, 15, ONNX_SEQ_IN0 | ONNX_NONE_IN0 | ONNX_STR_IN0 },
	{ NULL, NULL, NULL, 0, 0 },
};
