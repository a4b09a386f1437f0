// SPDX-License-Identifier: MIT
/* Linear-algebra and signal operators: Einsum, Unique, Det, HannWindow/HammingWindow/BlackmanWindow. Written for
 * correctness first: Einsum loops over the combined index space of its labels. */
#include "onnx_internal.h"

#include <math.h>
#include <string.h>


/* The numeric types the engine computes with (float16/bfloat16, strings and bool excluded). */
static int num_type(int dt)
{
	switch (dt) {
	case CELLA_ONNX_FLOAT: case CELLA_ONNX_DOUBLE: case CELLA_ONNX_INT8: case CELLA_ONNX_INT16:
	case CELLA_ONNX_INT32: case CELLA_ONNX_INT64: case CELLA_ONNX_UINT8: case CELLA_ONNX_UINT16:
	case CELLA_ONNX_UINT32: case CELLA_ONNX_UINT64:
		return 1;
	default:
		return 0;
	}
}


/* A rank known at load: a constant's, or a graph input's declared rank (its dims may be dynamic); else -1. */
static int load_rank(const struct exec *x, const struct node *n, int i, int *dtype)
{
	if (i >= n->n_in || n->in[i] < 0)
		return -1;
	const struct value *v = &x->g->values[n->in[i]];
	if (v->outer >= 0)
		return -1;
	if (v->t.known || v->t.is_const) {
		*dtype = v->t.dtype;
		return v->t.rank;
	}
	if (v->is_input && v->decl_rank >= 0) {
		*dtype = v->decl_dtype;
		return v->decl_rank;
	}
	return -1;
}

/* ------------------------------------------------------------------ Einsum */

/*
 * Einsum-12. Labels are the 52 letters (A-Z as 0-25, a-z as 26-51: ASCII order, which orders the implicit output
 * as numpy does) and, after them, one label per dim that '...' stands for, aligned from the right across the
 * operands (E = the most dims any operand's '...' covers; those dims broadcast, a dim of 1 against any other).
 */
#define EIN_LETTERS 52
#define EIN_LABELS (EIN_LETTERS + MAXR)

struct ein_term {
	const char *s;   /* the term's text in the equation, for messages */
	int len;
	int n;           /* letters */
	int ell;         /* letters before '...', -1 without one */
	uint8_t lab[MAXR];
};

static char ein_char(int l) { return (char)(l < 26 ? 'A' + l : 'a' + (l - 26)); }

/* The terms of n's equation: t[0..n_in-1] for the inputs, t[n_in] the output (explicit after '->', else numpy's
 * implicit output: '...' if an input has one, then the letters that occur exactly once, in ASCII order). */
static cella_result ein_parse(struct exec *x, struct node *n, struct ein_term *t)
{
	const char *eq = onnx_attr_s(n, "equation", NULL);
	int terms = 1, arrow = 0, count[EIN_LETTERS] = { 0 }, any_ell = 0;
	if (!eq)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'equation' is missing");
	if (n->n_in < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "no inputs");
	for (const char *p = eq; *p && !(p[0] == '-' && p[1] == '>'); p++)
		terms += *p == ',';
	if (terms != n->n_in)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s' has %d operand terms, the node %d inputs", eq,
				    terms, n->n_in);
	memset(t, 0, (size_t)(n->n_in + 1) * sizeof(*t));
	int k = 0;
	struct ein_term *c = &t[0];
	c->s = eq;
	c->ell = -1;
	for (const char *p = eq;;) {
		char ch = *p;
		int pos = (int)(p - eq);
		if (ch == '\0' || ch == ',' || (ch == '-' && p[1] == '>')) {
			c->len = (int)(p - c->s);
			while (c->len && c->s[c->len - 1] == ' ')
				c->len--;
			if (ch == '\0')
				break;
			if (ch == ',' && arrow)
				return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s': ',' at %d is after '->'", eq, pos);
			if (ch == '-' && arrow)
				return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s': a second '->' at %d", eq, pos);
			arrow |= ch == '-';
			p += ch == '-' ? 2 : 1;
			c = &t[ch == '-' ? n->n_in : ++k];
			while (*p == ' ')
				p++;
			c->s = p;
			c->ell = -1;
			continue;
		}
		if (ch == ' ') {
			p++;
			continue;
		}
		if (ch == '.') {
			if (p[1] != '.' || p[2] != '.')
				return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s': '.' at %d is not part of '...'",
						    eq, pos);
			if (c->ell >= 0)
				return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s': term '%.*s' has two '...'", eq,
						    (int)(p + 3 - c->s), c->s);
			c->ell = c->n;
			any_ell |= !arrow;
			p += 3;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s': character '%c' (0x%02x) at %d is not a "
					    "letter, ',', '...', '->' or a space", eq, ch >= 0x20 && ch < 0x7f ? ch : '?',
					    (unsigned char)ch, pos);
		if (c->n == MAXR)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "equation '%.64s': term %d has more than %d "
					    "labels, the engine's rank limit", eq, arrow ? -1 : k, MAXR);
		int l = ch >= 'a' ? 26 + (ch - 'a') : ch - 'A';
		if (arrow) {
			for (int j = 0; j < c->n; j++)
				if (c->lab[j] == l)
					return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s': label '%c' is repeated "
							    "in the output", eq, ch);
			if (!count[l])
				return onnx_op_fail(x, CELLA_ERR_MODEL, "equation '%.64s': output label '%c' is in no "
						    "input term", eq, ch);
		} else {
			count[l]++;
		}
		c->lab[c->n++] = (uint8_t)l;
		p++;
	}
	struct ein_term *o = &t[n->n_in];
	if (!arrow) {
		o->s = "";
		o->ell = any_ell ? 0 : -1;
		for (int l = 0; l < EIN_LETTERS; l++)
			if (count[l] == 1) {
				if (o->n == MAXR)
					return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "equation '%.64s': the implicit "
							    "output has more than %d labels", eq, MAXR);
				o->lab[o->n++] = (uint8_t)l;
			}
	}
	return CELLA_OK;
}

/* Input i of rank r against its term: as many dims as letters, or at least as many with '...'. */
static cella_result ein_rank(struct exec *x, const struct ein_term *t, int i, int r)
{
	if (t->ell < 0 && r != t->n)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input %d has rank %d, its term '%.*s' %d labels", i, r,
				    t->len, t->s, t->n);
	if (t->ell >= 0 && r < t->n)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input %d has rank %d, fewer than the %d labels of its "
				    "term '%.*s'", i, r, t->n, t->len, t->s);
	return CELLA_OK;
}

/* The label of axis a of a term covering rank dims, e of them under its '...', of the E in all. */
static int ein_label(const struct ein_term *t, int a, int e, int E)
{
	if (t->ell < 0 || a < t->ell)
		return t->lab[a];
	if (a < t->ell + e)
		return EIN_LETTERS + (E - e) + (a - t->ell);
	return t->lab[a - e];
}

/* Working memory of one Einsum: its terms and, per input, the element stride of each label, then each input's
 * offset and data pointer. */
static cella_result ein_scratch(struct exec *x, const struct node *n, struct ein_term **t, int64_t **st)
{
	size_t nt = (size_t)n->n_in + 1, tb = (nt * sizeof(struct ein_term) + 63) & ~(size_t)63;
	char *p = onnx_op_scratch(x, 1, tb + (size_t)n->n_in * (EIN_LABELS + 2) * sizeof(int64_t));
	if (!p)
		return CELLA_ERR_OUT_OF_MEMORY;
	*t = (struct ein_term *)(void *)p;
	*st = (int64_t *)(void *)(p + tb);
	return CELLA_OK;
}

/* At load: the equation's grammar, and its terms against the inputs whose rank and type are known. */
static cella_result einsum_prepare(struct exec *x, struct node *n)
{
	struct ein_term *t;
	int64_t *st;
	cella_result r;
	if ((r = ein_scratch(x, n, &t, &st)) != CELLA_OK || (r = ein_parse(x, n, t)) != CELLA_OK)
		return r;
	for (int i = 0; i < n->n_in; i++) {
		int dt = 0, rk = load_rank(x, n, i, &dt);
		if (rk >= 0 && !num_type(dt))
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input %d of type %s is not supported", i,
					    onnx_tname(dt));
		if (rk >= 0 && (r = ein_rank(x, &t[i], i, rk)) != CELLA_OK)
			return r;
	}
	return CELLA_OK;
}

/* Advances labels lab[0..nl) (last fastest) and every input's offset with it; wraps to all zeros. */
static void ein_step(int64_t *idx, const int *lab, int nl, const int64_t *dim, int64_t *off, const int64_t *st,
		     int nin)
{
	for (int q = nl - 1; q >= 0; q--) {
		int l = lab[q];
		for (int i = 0; i < nin; i++)
			off[i] += st[(size_t)i * EIN_LABELS + (size_t)l];
		if (++idx[q] < dim[l])
			return;
		for (int i = 0; i < nin; i++)
			off[i] -= st[(size_t)i * EIN_LABELS + (size_t)l] * dim[l];
		idx[q] = 0;
	}
}

static cella_result op_einsum(struct exec *x, struct node *n)
{
	struct ein_term *t;
	int64_t *st, dim[EIN_LABELS], od[MAXR];
	int where[EIN_LABELS][2], E = 0, nin = n->n_in;
	cella_result r;
	struct tensor *o;
	if ((r = ein_scratch(x, n, &t, &st)) != CELLA_OK || (r = ein_parse(x, n, t)) != CELLA_OK)
		return r;
	const struct tensor *a0 = onnx_op_in(x, n, 0);
	for (int i = 0; i < nin; i++) {
		const struct tensor *a = onnx_op_in(x, n, i);
		if (!a)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", i);
		if (!num_type(a->dtype))
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input %d of type %s is not supported", i,
					    onnx_tname(a->dtype));
		if (a->dtype != a0->dtype)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d of type %s, input 0 of type %s", i,
					    onnx_tname(a->dtype), onnx_tname(a0->dtype));
		if ((r = ein_rank(x, &t[i], i, a->rank)) != CELLA_OK)
			return r;
		if (t[i].ell >= 0 && a->rank - t[i].n > E)
			E = a->rank - t[i].n;
	}
	if (t[nin].ell < 0 && E > 0) /* as numpy refuses it: the dims would be summed with no label saying so */
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "'...' stands for %d dims of the inputs, but the output "
				    "term '%.*s' has no '...'", E, t[nin].len, t[nin].s);
	for (int l = 0; l < EIN_LABELS; l++)
		dim[l] = -1;
	/* a label's dims agree, but for a dim of 1, which broadcasts as numpy's einsum (the reference) broadcasts it,
	 * across inputs: a label repeated in one input (a diagonal) has equal dims there */
	for (int i = 0; i < nin; i++) {
		const struct tensor *a = onnx_op_in(x, n, i);
		int ei = t[i].ell >= 0 ? a->rank - t[i].n : 0, at[EIN_LABELS];
		for (int l = 0; l < EIN_LABELS; l++)
			at[l] = -1;
		for (int d = 0; d < a->rank; d++) {
			int l = ein_label(&t[i], d, ei, E);
			int64_t v = a->dims[d];
			if (at[l] >= 0 && a->dims[at[l]] != v)
				return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "label '%c' is %lld at input %d axis %d, %lld at "
						    "axis %d (a diagonal needs equal dims)", ein_char(l), (long long)v, i, d,
						    (long long)a->dims[at[l]], at[l]);
			at[l] = d;
			if (dim[l] < 0 || dim[l] == 1) {
				dim[l] = v;
				where[l][0] = i;
				where[l][1] = d;
			} else if (v != dim[l] && v != 1) {
				if (l >= EIN_LETTERS)
					return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "dims under '...' do not broadcast: "
							    "input %d axis %d is %lld, input %d axis %d %lld", i, d,
							    (long long)v, where[l][0], where[l][1], (long long)dim[l]);
				return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "label '%c' is %lld at input %d axis %d, %lld "
						    "at input %d axis %d", ein_char(l), (long long)v, i, d,
						    (long long)dim[l], where[l][0], where[l][1]);
			}
		}
	}
	/* the output's labels, then the summed ones (every other label some input has) */
	const struct ein_term *ot = &t[nin];
	int lab[EIN_LABELS], nout = 0, nl, used[EIN_LABELS] = { 0 };
	for (int a = 0; a < ot->n + (ot->ell >= 0 ? E : 0); a++)
		lab[nout++] = ein_label(ot, a, ot->ell >= 0 ? E : 0, E);
	if (nout > MAXR)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "output of rank %d, over the engine's %d", nout,
				    MAXR);
	for (int q = 0; q < nout; q++)
		used[lab[q]] = 1;
	nl = nout;
	for (int l = 0; l < EIN_LABELS; l++)
		if (dim[l] >= 0 && !used[l])
			lab[nl++] = l;
	/* the loops run over every label's dim (0 as 1, as for a tensor), bounded like a tensor of that many
	 * elements of the output's type */
	uint64_t space = 1, limit = onnx_max_count(x->m->opt.max_tensor_bytes, a0->dtype);
	for (int q = 0; q < nl; q++) {
		uint64_t d = dim[lab[q]] ? (uint64_t)dim[lab[q]] : 1;
		if (__builtin_mul_overflow(space, d, &space) || space > limit)
			return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "the iteration space of its %d labels is over %llu "
					    "(max_tensor_bytes in %s elements)", nl, (unsigned long long)limit,
					    onnx_tname(a0->dtype));
	}
	for (int q = 0; q < nout; q++)
		od[q] = dim[lab[q]];
	if ((r = onnx_op_out(x, n, 0, a0->dtype, nout, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	/* strides: a label repeated in one term (a diagonal) adds its axes' strides; a broadcast dim has none */
	int64_t *off = st + (size_t)nin * EIN_LABELS;
	const void **ptr = (const void **)(void *)(off + nin);
	memset(st, 0, (size_t)nin * (EIN_LABELS + 1) * sizeof(int64_t));
	for (int i = 0; i < nin; i++) {
		const struct tensor *a = onnx_op_in(x, n, i);
		ptr[i] = a->data;
		int ei = t[i].ell >= 0 ? a->rank - t[i].n : 0;
		int64_t s = 1;
		for (int d = a->rank - 1; d >= 0; d--) {
			int l = ein_label(&t[i], d, ei, E);
			if (a->dims[d] == dim[l])
				st[(size_t)i * EIN_LABELS + (size_t)l] += s;
			s *= a->dims[d];
		}
	}
	int64_t nO = onnx_dims_prod(od, nout), nS = 1, idx[EIN_LABELS] = { 0 };
	for (int q = nout; q < nl; q++)
		nS *= dim[lab[q]];
	int dt = a0->dtype, fp = onnx_dtype_is_fp(dt);
	for (int64_t oi = 0; oi < nO; oi++) {
		double accd = 0;
		uint64_t acci = 0; /* integers wrap to the type, as Mul and Add do */
		for (int64_t si = 0; si < nS; si++) {
			if (dt == CELLA_ONNX_FLOAT) {
				double p = 1;
				for (int i = 0; i < nin; i++)
					p *= ((const float *)ptr[i])[off[i]];
				accd += p;
			} else if (fp) {
				double p = 1;
				for (int i = 0; i < nin; i++)
					p *= onnx_get_d(ptr[i], dt, (size_t)off[i]);
				accd += p;
			} else {
				uint64_t p = 1;
				for (int i = 0; i < nin; i++)
					p *= (uint64_t)onnx_get_i(ptr[i], dt, (size_t)off[i]);
				acci += p;
			}
			ein_step(idx + nout, lab + nout, nl - nout, dim, off, st, nin);
		}
		if (fp)
			onnx_put_d(o->data, dt, (size_t)oi, accd);
		else
			onnx_put_i(o->data, dt, (size_t)oi, (int64_t)acci);
		ein_step(idx, lab, nout, dim, off, st, nin);
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Unique */

/*
 * Unique-11. Without `axis` the flattened input's elements, with it the slices along the axis (compared element by
 * element in row-major order, lexicographically, as numpy.unique with an axis compares them). Floats compare by
 * value: -0.0 equals 0.0 (the first occurrence's bytes are kept), and NaN equals NaN and sorts after every number
 * (numpy.unique's equal_nan, its default since 1.24): one NaN in Y, its count all of them.
 */
struct uq {
	const struct tensor *t;
	int64_t outer, len, inner;
};

static int uq_elem_cmp(const struct tensor *t, size_t a, size_t b)
{
	if (t->dtype == CELLA_ONNX_STRING) { /* by their bytes: for UTF-8 by code point, as numpy sorts */
		const struct cella_onnx_string *x = (const struct cella_onnx_string *)t->data + a,
					       *y = (const struct cella_onnx_string *)t->data + b;
		return onnx_str_cmp(x->data, x->len, y->data, y->len);
	}
	if (onnx_dtype_is_fp(t->dtype)) {
		double x = onnx_get_d(t->data, t->dtype, a), y = onnx_get_d(t->data, t->dtype, b);
		int xn = x != x, yn = y != y;
		return xn || yn ? xn - yn : (x > y) - (x < y);
	}
	if (t->dtype == CELLA_ONNX_UINT64) {
		uint64_t x = ((const uint64_t *)t->data)[a], y = ((const uint64_t *)t->data)[b];
		return (x > y) - (x < y);
	}
	int64_t x = onnx_get_i(t->data, t->dtype, a), y = onnx_get_i(t->data, t->dtype, b);
	return (x > y) - (x < y);
}

/* Slices a and b along the axis: <0, 0, >0. */
static int uq_cmp(const struct uq *u, int64_t a, int64_t b)
{
	for (int64_t o = 0; o < u->outer; o++)
		for (int64_t i = 0; i < u->inner; i++) {
			int c = uq_elem_cmp(u->t, (size_t)((o * u->len + a) * u->inner + i),
					    (size_t)((o * u->len + b) * u->inner + i));
			if (c)
				return c;
		}
	return 0;
}

static int uq_before(const void *a, const void *b, const void *ctx)
{
	return uq_cmp(ctx, *(const int64_t *)a, *(const int64_t *)b) < 0;
}

/* The attributes and the input's type and rank, where known: at load (prepare) and at run. */
static cella_result unique_check(struct exec *x, struct node *n, int dtype, int rank, int *axis)
{
	const struct attr *ax = onnx_attr_get(n, "axis");
	int64_t sorted = onnx_attr_i(n, "sorted", 1), av = ax ? onnx_attr_i(n, "axis", 0) : 0;
	*axis = -1;
	if (sorted != 0 && sorted != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'sorted' is %lld, not 0 or 1", (long long)sorted);
	if (rank < 0)
		return CELLA_OK;
	if (!num_type(dtype) && dtype != CELLA_ONNX_BOOL && dtype != CELLA_ONNX_STRING)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s is not supported", onnx_tname(dtype));
	if (ax && onnx_normalize_axis(av, rank, axis))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "attribute 'axis' is %lld, input of rank %d", (long long)av,
				    rank);
	return CELLA_OK;
}

static cella_result unique_prepare(struct exec *x, struct node *n)
{
	int dt = 0, rank = load_rank(x, n, 0, &dt), axis;
	return unique_check(x, n, dt, rank, &axis);
}

static cella_result op_unique(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *y, *oi, *ov, *oc;
	int axis;
	cella_result r;
	if (!a)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if ((r = unique_check(x, n, a->dtype, a->rank, &axis)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* the output's size depends on the data */
	struct uq u = { a, 1, (int64_t)onnx_tensor_count(a), 1 };
	if (axis >= 0) {
		u.outer = onnx_dims_prod(a->dims, axis);
		u.len = a->dims[axis];
		u.inner = onnx_dims_prod(a->dims + axis + 1, a->rank - axis - 1);
	}
	/* order, its merge buffer, each slice's group, and per group its first slice, count and place in Y */
	size_t len = (size_t)u.len;
	int64_t *ord = onnx_op_scratch(x, 1, (6 * len + 1) * sizeof(int64_t));
	if (!ord)
		return CELLA_ERR_OUT_OF_MEMORY;
	int64_t *grp = ord + 2 * len, *first = grp + len, *cnt = first + len, *pos = cnt + len, ng = 0;
	for (size_t k = 0; k < len; k++)
		ord[k] = (int64_t)k;
	onnx_msort(ord, ord + len, len, sizeof(*ord), uq_before, &u);
	for (size_t k = 0; k < len; k++) {
		if (k == 0 || uq_cmp(&u, ord[k - 1], ord[k]) != 0) {
			first[ng] = ord[k]; /* a stable sort: the group's first occurrence comes first */
			cnt[ng++] = 0;
		}
		grp[ord[k]] = ng - 1;
		cnt[ng - 1]++;
	}
	if (onnx_attr_i(n, "sorted", 1)) {
		for (int64_t g = 0; g < ng; g++)
			pos[g] = g;
	} else { /* in the order of first occurrence */
		int64_t next = 0;
		for (size_t k = 0; k < len; k++)
			if (first[grp[k]] == (int64_t)k)
				pos[grp[k]] = next++;
	}
	int64_t yd[MAXR], one[1] = { ng }, lv[1] = { u.len };
	memcpy(yd, a->dims, sizeof(yd));
	yd[axis >= 0 ? axis : 0] = ng;
	if ((r = onnx_op_out(x, n, 0, a->dtype, axis >= 0 ? a->rank : 1, yd, &y)) != CELLA_OK ||
	    (r = onnx_op_out(x, n, 1, CELLA_ONNX_INT64, 1, one, &oi)) != CELLA_OK ||
	    (r = onnx_op_out(x, n, 2, CELLA_ONNX_INT64, 1, lv, &ov)) != CELLA_OK ||
	    (r = onnx_op_out(x, n, 3, CELLA_ONNX_INT64, 1, one, &oc)) != CELLA_OK)
		return r;
	size_t es = onnx_dtype_size(a->dtype), row = (size_t)u.inner * es;
	for (int64_t g = 0; g < ng; g++) {
		int64_t p = pos[g];
		for (int64_t o = 0; o < u.outer; o++)
			memcpy((char *)y->data + (size_t)(o * ng + p) * row,
			       (const char *)a->data + (size_t)(o * u.len + first[g]) * row, row);
		((int64_t *)oi->data)[p] = first[g];
		((int64_t *)oc->data)[p] = cnt[g];
	}
	for (size_t k = 0; k < len; k++)
		((int64_t *)ov->data)[k] = pos[grp[k]];
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Det */

/* Determinant of the m x m matrix in a (overwritten): LU with partial pivoting, in double. A column with no
 * nonzero pivot gives 0 (singular); a NaN in the pivot column gives NaN. */
static double lu_det(double *a, int64_t m)
{
	double det = 1;
	for (int64_t k = 0; k < m; k++) {
		int64_t p = k;
		double best = fabs(a[k * m + k]);
		for (int64_t i = k; i < m; i++) {
			double v = fabs(a[i * m + k]);
			if (v != v)
				return v;
			if (v > best) {
				best = v;
				p = i;
			}
		}
		if (best == 0)
			return 0;
		if (p != k) {
			for (int64_t j = 0; j < m; j++) {
				double t = a[k * m + j];
				a[k * m + j] = a[p * m + j];
				a[p * m + j] = t;
			}
			det = -det;
		}
		double piv = a[k * m + k];
		det *= piv;
		for (int64_t i = k + 1; i < m; i++) {
			double f = a[i * m + k] / piv;
			for (int64_t j = k + 1; j < m; j++)
				a[i * m + j] -= f * a[k * m + j];
		}
	}
	return det;
}

static cella_result det_check(struct exec *x, int dtype, int rank, const int64_t *dims)
{
	cella_result r;
	if ((r = onnx_op_need_fp(x, dtype, "input")) != CELLA_OK)
		return r;
	if (rank < 2)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of rank %d: [*, M, M] needs at least 2", rank);
	if (dims && dims[rank - 1] != dims[rank - 2] && dims[rank - 1] >= 0 && dims[rank - 2] >= 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input's last dims are %lld x %lld, not square",
				    (long long)dims[rank - 2], (long long)dims[rank - 1]);
	return CELLA_OK;
}

static cella_result det_prepare(struct exec *x, struct node *n)
{
	int dt = 0, rank = load_rank(x, n, 0, &dt);
	const struct value *v = rank >= 0 ? &x->g->values[n->in[0]] : NULL;
	if (!v)
		return CELLA_OK;
	return det_check(x, dt, rank, v->t.is_const ? v->t.dims : v->decl_dims);
}

static cella_result op_det(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if ((r = det_check(x, a->dtype, a->rank, a->dims)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank - 2, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t m = a->dims[a->rank - 1], batch = onnx_dims_prod(a->dims, a->rank - 2);
	size_t mm = (size_t)(m * m);
	double *w = onnx_op_scratch(x, 1, (mm ? mm : 1) * sizeof(double));
	if (!w)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int64_t b = 0; b < batch; b++) {
		for (size_t i = 0; i < mm; i++)
			w[i] = onnx_get_d(a->data, a->dtype, (size_t)b * mm + i);
		onnx_put_d(o->data, a->dtype, (size_t)b, lu_det(w, m));
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ HannWindow, HammingWindow, BlackmanWindow */

/* w[k] = a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N), N = size (periodic) or size - 1 (symmetric). */
enum { WIN_HANN, WIN_HAMMING, WIN_BLACKMAN };

cella_result onnx_op_output_datatype(struct exec *x, struct node *n, int *odt) /* see onnx_internal.h */
{
	int dt = onnx_attr_int(n, "output_datatype", CELLA_ONNX_FLOAT);
	if (dt <= 0 || !strcmp(onnx_tname(dt), "unknown"))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'output_datatype' is %d, not an element type", dt);
	if (!num_type(dt) && !onnx_dtype_is_half(dt)) /* float16/bfloat16: held as float (onnx_op_out) */
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "attribute 'output_datatype' is %s (%d), not "
				    "supported", onnx_tname(dt), dt);
	*odt = dt;
	return CELLA_OK;
}

static cella_result window_prepare(struct exec *x, struct node *n)
{
	int64_t periodic = onnx_attr_i(n, "periodic", 1);
	int dt = 0, rank = load_rank(x, n, 0, &dt), odt;
	cella_result r;
	if (periodic != 0 && periodic != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'periodic' is %lld, not 0 or 1", (long long)periodic);
	if ((r = onnx_op_output_datatype(x, n, &odt)) != CELLA_OK)
		return r;
	if (rank >= 0 && dt != CELLA_ONNX_INT32 && dt != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "size of type %s (int32 or int64)", onnx_tname(dt));
	if (rank > 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "size of rank %d, not a scalar", rank);
	return CELLA_OK;
}

static cella_result window(struct exec *x, struct node *n, int kind)
{
	static const double coef[3][3] = { { 0.5, 0.5, 0 }, { 25.0 / 46.0, 21.0 / 46.0, 0 }, { 0.42, 0.5, 0.08 } };
	struct tensor *t = onnx_op_in(x, n, 0), *o;
	int64_t size;
	int cnt;
	cella_result r;
	if (!t)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if ((r = window_prepare(x, n)) != CELLA_OK)
		return r;
	if (t->dtype != CELLA_ONNX_INT32 && t->dtype != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "size of type %s (int32 or int64)", onnx_tname(t->dtype));
	if (t->rank != 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "size of rank %d, not a scalar", t->rank);
	if ((r = onnx_op_read_ints(x, t, &size, 1, &cnt)) != CELLA_OK)
		return r;
	if (size < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "size is %lld, negative", (long long)size);
	int odt = onnx_attr_int(n, "output_datatype", CELLA_ONNX_FLOAT);
	r = onnx_op_out(x, n, 0, odt, 1, &size, &o);
	if (r == CELLA_ERR_TOO_LARGE)
		return onnx_op_fail(x, r, "size %lld is over max_tensor_bytes in %s elements", (long long)size, onnx_tname(odt));
	if (r != CELLA_OK || onnx_op_dry(x))
		return r;
	/* a symmetric window of 1 has N = 0: 0 / 0, NaN, as the ONNX reference and onnxruntime give it (an integer
	 * output_datatype 0); size 0 gives an empty window, as the reference's np.arange(0) */
	double N = (double)(onnx_attr_i(n, "periodic", 1) ? size : size - 1), pi = 3.14159265358979323846;
	const double *c = coef[kind];
	for (int64_t k = 0; k < size; k++) {
		double th = N > 0 ? 2 * pi * (double)k / N : NAN;
		onnx_put_d(o->data, o->dtype, (size_t)k, c[0] - c[1] * cos(th) + c[2] * cos(2 * th));
	}
	return CELLA_OK;
}

static cella_result op_hann(struct exec *x, struct node *n) { return window(x, n, WIN_HANN); }
static cella_result op_hamming(struct exec *x, struct node *n) { return window(x, n, WIN_HAMMING); }
static cella_result op_blackman(struct exec *x, struct node *n) { return window(x, n, WIN_BLACKMAN); }

const struct op_def onnx_ops_linalg[] = {
	{ "Einsum", op_einsum, einsum_prepare, 12, 0 },
	{ "Unique", op_unique, unique_prepare, 11, ONNX_STR_IN0 },
	{ "Det", op_det, det_prepare, 11, 0 },
	{ "HannWindow", op_hann, window_prepare, 17, 0 },
	{ "HammingWindow", op_hamming, window_prepare, 17, 0 },
	{ "BlackmanWindow", op_blackman, window_prepare, 17, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
