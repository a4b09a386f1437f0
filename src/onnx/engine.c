// SPDX-License-Identifier: MIT
/* Model loading (protobuf → graph), topological order, constant folding, shape pass, arena and execution. */
#include <cella/onnx.h>

#include "onnx.pb-c.h"
#include "onnx_internal.h"
#include "pb_check.h"
#include "threads.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_TENSOR ((uint64_t)1 << 30)
#define DEFAULT_MAX_LOOP_ITERATIONS ((uint64_t)1 << 24)

void onnx_log(struct model *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->msg, sizeof(m->msg), fmt, ap);
	va_end(ap);
	if (m->opt.log)
		m->opt.log(m->opt.log_ctx, m->msg);
}

cella_result onnx_op_fail(struct exec *x, cella_result r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->m->why, sizeof(x->m->why), fmt, ap);
	va_end(ap);
	return r;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s ? s : "");
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s ? s : "", n + 1);
	return d;
}

/* ------------------------------------------------------------------ arena */

static cella_result arena_alloc(struct model *m, size_t bytes, int *slot)
{
	int best = -1, biggest = -1;
	size_t need = (bytes + 63) & ~(size_t)63;
	if (need == 0)
		need = 64;
	for (int i = 0; i < m->n_bufs; i++) {
		struct arena_buf *b = &m->bufs[i];
		if (b->used)
			continue;
		if (b->cap >= need && (best < 0 || b->cap < m->bufs[best].cap))
			best = i;
		if (biggest < 0 || b->cap > m->bufs[biggest].cap)
			biggest = i;
	}
	if (best < 0) {
		void *p = aligned_alloc(64, need);
		if (!p)
			return CELLA_ERR_OUT_OF_MEMORY;
		if (biggest >= 0) { /* grow the largest free buffer rather than adding one */
			best = biggest;
			m->arena_bytes -= m->bufs[best].cap;
			free(m->bufs[best].p);
		} else {
			if (m->n_bufs == m->cap_bufs) {
				int nc = m->cap_bufs ? m->cap_bufs * 2 : 32;
				struct arena_buf *nb = realloc(m->bufs, (size_t)nc * sizeof(*nb));
				if (!nb) {
					free(p);
					return CELLA_ERR_OUT_OF_MEMORY;
				}
				m->bufs = nb;
				m->cap_bufs = nc;
			}
			best = m->n_bufs++;
		}
		m->bufs[best].p = p;
		m->bufs[best].cap = need;
		m->arena_bytes += need;
		if (m->arena_bytes > m->arena_peak)
			m->arena_peak = m->arena_bytes;
	}
	m->bufs[best].used = 1;
	*slot = best;
	return CELLA_OK;
}

static void tensor_release(struct model *m, struct tensor *t)
{
	if (t->buf >= 0) {
		m->bufs[t->buf].used = 0;
		t->buf = -1;
		t->data = NULL;
	}
	if (t->seq) {
		if (t->seq_own)
			onnx_seq_free(t->seq);
		t->seq = NULL;
		t->seq_own = 0;
	}
	t->none = 0;
}

/* A decoded float16/bfloat16 tensor (an initializer's, an attribute's) as float32, the form the engine holds it in:
 * *mem, its data, is replaced. */
static cella_result half_widen(struct tensor *t, void **mem)
{
	if (!onnx_dtype_is_half(t->dtype))
		return CELLA_OK;
	size_t c = onnx_tensor_count(t);
	float *f = malloc(c ? c * 4 : 1);
	if (!f)
		return CELLA_ERR_OUT_OF_MEMORY;
	onnx_half_to_f32(t->data, t->dtype, f, c);
	free(*mem);
	*mem = f;
	t->data = f;
	t->half = t->dtype;
	t->dtype = CELLA_ONNX_FLOAT;
	t->bytes = c * 4;
	return CELLA_OK;
}

void *onnx_op_scratch(struct exec *x, int slot, size_t bytes)
{
	struct model *m = x->m;
	if (bytes > m->opt.max_tensor_bytes) { /* a kernel's working memory is bounded as its tensors are */
		x->refused = 1;
		return NULL;
	}
	if (bytes > m->scratch_cap[slot]) {
		size_t need = (bytes + 4095) & ~(size_t)4095;
		free(m->scratch[slot]);
		m->scratch[slot] = aligned_alloc(64, need);
		m->scratch_cap[slot] = m->scratch[slot] ? need : 0;
	}
	return m->scratch[slot];
}

cella_result onnx_op_str(struct exec *x, size_t len, char **p) /* see onnx_internal.h */
{
	struct model *m = x->m;
	cella_result r = onnx_str_alloc(&m->str_run, len, m->opt.max_tensor_bytes, p);
	if (r == CELLA_ERR_TOO_LARGE)
		return onnx_op_fail(x, r, "the run's strings would take more than max_tensor_bytes (%llu bytes)",
				    (unsigned long long)m->opt.max_tensor_bytes);
	return r;
}

/* ------------------------------------------------------------------ parallel GEMM */

struct gemm_split {
	const struct gemm_kernel *gk;
	const struct sgemm *s;
	float *const *scr;
	size_t chunk;
};

static void gemm_task(void *vctx, unsigned t)
{
	const struct gemm_split *g = vctx;
	struct sgemm part = *g->s;
	size_t j0 = (size_t)t * g->chunk;
	if (j0 >= g->s->N)
		return;
	part.N = g->s->N - j0 < g->chunk ? g->s->N - j0 : g->chunk;
	part.C += j0;
	if (part.B && !part.pack_b)
		part.B += (ptrdiff_t)j0 * part.b_cs;
	if (part.bias_n)
		part.bias_n += j0;
	part.j_off += j0;
	onnx_sgemm_run(g->gk, &part, g->scr[t]);
}

void onnx_op_sgemm(struct exec *x, const struct sgemm *s, float *scratch)
{
	struct model *m = x->m;
	size_t nr = (size_t)m->gk.nr, T = m->n_tasks;
	/* worth splitting only when every task gets a few panels and there is real work */
	if (!m->pool || T < 2 || s->N < 4 * nr * T || (double)s->M * (double)s->N * (double)s->K < 2e6) {
		onnx_sgemm_run(&m->gk, s, scratch);
		return;
	}
	float *scr[65];
	scr[0] = scratch;
	for (size_t t = 1; t < T; t++)
		scr[t] = m->task_scratch[t];
	size_t chunk = (s->N + T - 1) / T;
	chunk = (chunk + nr - 1) / nr * nr;
	struct gemm_split g = { &m->gk, s, scr, chunk };
	onnx_pool_run(m->pool, (unsigned)T, gemm_task, &g);
}

/* ------------------------------------------------------------------ op helpers */

int onnx_op_dry(const struct exec *x) { return x->mode == MODE_DRY; }

cella_result onnx_op_need_fp(struct exec *x, int dtype, const char *what) /* see onnx_internal.h */
{
	if (onnx_dtype_is_fp(dtype))
		return CELLA_OK;
	return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%s of type %s is not supported (float or double)", what,
			    onnx_tname(dtype));
}

void onnx_msort(void *base, void *tmp, size_t n, size_t es,
		int (*before)(const void *a, const void *b, const void *ctx), const void *ctx) /* see onnx_internal.h */
{
	if (n < 2)
		return;
	char *p = base, *t = tmp;
	size_t h = n / 2, i = 0, j = h, k = 0;
	onnx_msort(p, t, h, es, before, ctx);
	onnx_msort(p + h * es, t, n - h, es, before, ctx);
	while (i < h && j < n) {
		size_t from = before(p + j * es, p + i * es, ctx) ? j++ : i++;
		memcpy(t + k++ * es, p + from * es, es);
	}
	memcpy(t + k * es, p + i * es, (h - i) * es);
	k += h - i;
	memcpy(t + k * es, p + j * es, (n - j) * es);
	memcpy(p, t, n * es);
}

struct tensor *onnx_op_in(struct exec *x, const struct node *n, int i)
{
	if (i >= n->n_in || n->in[i] < 0)
		return NULL;
	return &x->g->values[n->in[i]].t;
}

int onnx_op_has_out(const struct node *n, int i) { return i < n->n_out && n->out[i] >= 0; }

const char *onnx_dims_str(const struct tensor *t, char *buf, size_t cap) /* see onnx_internal.h */
{
	size_t used = 0;
	buf[used++] = '[';
	for (int d = 0; d < t->rank && used < cap; d++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
	if (used < cap - 1) {
		buf[used++] = ']';
		buf[used] = '\0';
	}
	return buf;
}

cella_result onnx_op_out(struct exec *x, struct node *n, int i, int dtype, int rank, const int64_t *dims,
		    struct tensor **out)
{
	struct tensor *sink;
	int half;
	dtype = onnx_held_type(dtype, &half); /* float16 and bfloat16 are held and computed as float32 */
	size_t es = onnx_dtype_size(dtype);
	uint64_t count;
	cella_result rc;
	if (rank < 0 || rank > MAXR || es == 0)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	rc = onnx_dims_count(dims, rank, onnx_max_count(x->m->opt.max_tensor_bytes, dtype), &count);
	if (rc != CELLA_OK)
		return rc;
	if (!onnx_op_has_out(n, i)) {
		struct model *m = x->m;
		if (i < 0 || i >= ONNX_MAX_SINKS)
			return CELLA_ERR_MODEL_UNSUPPORTED;
		sink = &m->sink[i];
		memset(sink, 0, sizeof(*sink));
		if (x->mode != MODE_DRY) {
			/* computed but unused: still needs memory for kernels that write every output */
			size_t need = (size_t)(count * es) + 64;
			if (need > m->sink_cap[i]) {
				void *p = malloc(need);
				if (!p)
					return CELLA_ERR_OUT_OF_MEMORY;
				free(m->sink_mem[i]);
				m->sink_mem[i] = p;
				m->sink_cap[i] = need;
			}
			sink->data = m->sink_mem[i];
		}
		sink->dtype = dtype;
		sink->half = half;
		sink->rank = rank;
		for (int d = 0; d < rank; d++)
			sink->dims[d] = dims[d];
		sink->bytes = (size_t)count * es;
		sink->buf = -1;
		*out = sink;
		return CELLA_OK;
	}
	struct value *v = &x->g->values[n->out[i]];
	struct tensor *t = &v->t;
	t->dtype = dtype;
	t->half = half;
	t->rank = rank;
	for (int d = 0; d < rank; d++)
		t->dims[d] = dims[d];
	t->bytes = (size_t)(count * es);
	t->known = 1;
	if (x->mode == MODE_DRY) {
		t->data = NULL;
	} else if (x->mode == MODE_FOLD) {
		free(v->const_mem);
		v->const_mem = malloc(t->bytes ? t->bytes : 1);
		if (!v->const_mem)
			return CELLA_ERR_OUT_OF_MEMORY;
		memset(v->const_mem, 0, t->bytes ? t->bytes : 1);
		t->data = v->const_mem;
		t->is_const = 1;
		t->buf = -1;
	} else {
		tensor_release(x->m, t);
		if (i == 0 && (n->op->flags & ONNX_INPLACE_MASK)) {
			/* reuse a dying input's buffer: elementwise kernels read element k before writing it, so only one
			 * of the output's type and shape (a broadcast input is read again after its element k is written;
			 * one of another type is read in its own element size, except by Cast, which converts element k
			 * where it lies: one of the same element size will do); reshapes copy bytes, any shape will do */
			int mode = n->op->flags & ONNX_INPLACE_MASK;
			for (int k = 0; k < 2 && k < n->n_in; k++) {
				int iv = n->in[k];
				if (iv < 0)
					continue;
				struct value *src = &x->g->values[iv];
				int fits = mode == ONNX_INPLACE_BYTES ? src->t.dtype == dtype
					   : mode == ONNX_INPLACE_CAST ? onnx_dtype_size(src->t.dtype) == es && onnx_same_dims(&src->t, t)
					   : src->t.dtype == dtype && onnx_same_dims(&src->t, t);
				if (src->t.buf >= 0 && src->last_use == x->cur && !src->is_output && src->t.bytes == t->bytes &&
				    fits && (k == 0 || n->in[0] != iv)) {
					t->buf = src->t.buf;
					t->data = src->t.data;
					src->t.buf = -1; /* src keeps its data pointer for the kernel to read */
					*out = t;
					return CELLA_OK;
				}
			}
		}
		int slot;
		cella_result r = arena_alloc(x->m, t->bytes, &slot);
		if (r != CELLA_OK)
			return r;
		t->buf = slot;
		t->data = x->m->bufs[slot].p;
	}
	*out = t;
	return CELLA_OK;
}

/* Output i of n (present), its old value released, as a value of element type dtype with no data: for the caller
 * to make a sequence or an empty optional of. */
static struct tensor *dataless_out(struct exec *x, struct node *n, int i, int dtype)
{
	struct tensor *t = &x->g->values[n->out[i]].t;
	tensor_release(x->m, t);
	memset(t, 0, sizeof(*t));
	t->dtype = onnx_held_type(dtype, &t->half);
	t->known = 1;
	t->buf = -1;
	return t;
}

/* Output i of n becomes sequence s of element type dtype, which it then owns (s is freed on failure). */
static cella_result seq_attach(struct exec *x, struct node *n, int i, int dtype, struct onnx_seq *s)
{
	if (!onnx_op_has_out(n, i)) {
		onnx_seq_free(s);
		return onnx_op_fail(x, CELLA_ERR_MODEL, "output %d, a sequence, is absent", i);
	}
	struct tensor *t = dataless_out(x, n, i, dtype);
	t->seq = s;
	t->seq_own = 1;
	s->dtype = t->dtype;
	s->half = t->half;
	return CELLA_OK;
}

cella_result onnx_op_seq_out(struct exec *x, struct node *n, int i, int dtype, struct onnx_seq **out)
{
	struct onnx_seq *s = calloc(1, sizeof(*s));
	if (!s)
		return CELLA_ERR_OUT_OF_MEMORY;
	*out = s;
	return seq_attach(x, n, i, dtype, s);
}

cella_result onnx_op_seq_pass(struct exec *x, struct node *n, int i, struct tensor *t)
{
	int dtype = onnx_seen_type(t->dtype, t->half);
	struct onnx_seq *s;
	cella_result r = onnx_seq_take(x, t, &s);
	return r != CELLA_OK ? r : seq_attach(x, n, i, dtype, s);
}

cella_result onnx_op_none_out(struct exec *x, struct node *n, int i, int dtype)
{
	if (onnx_op_has_out(n, i)) /* else nothing reads it */
		dataless_out(x, n, i, dtype)->none = 1;
	return CELLA_OK;
}

cella_result onnx_op_pass(struct exec *x, struct node *n, int i, struct tensor *t)
{
	struct tensor *o;
	if (t->none)
		return onnx_op_none_out(x, n, i, onnx_seen_type(t->dtype, t->half));
	if (t->seq)
		return onnx_op_seq_pass(x, n, i, t);
	cella_result r = onnx_op_out(x, n, i, onnx_seen_type(t->dtype, t->half), t->rank, t->dims, &o);
	if (r == CELLA_OK && o->bytes && o->data && t->data && o->data != t->data)
		memcpy(o->data, t->data, o->bytes);
	return r;
}

cella_result onnx_op_need(struct exec *x, const struct tensor *t)
{
	(void)x;
	if (t && (t->data || (t->known && onnx_tensor_count(t) == 0)))
		return CELLA_OK;
	return CELLA_ERR_NOT_FOUND;
}

cella_result onnx_op_read_ints(struct exec *x, const struct tensor *t, int64_t *v, int max, int *n)
{
	cella_result r = onnx_op_need(x, t);
	if (r != CELLA_OK)
		return r;
	size_t c = onnx_tensor_count(t);
	if (c > (size_t)max)
		return CELLA_ERR_MODEL_SHAPE;
	for (size_t i = 0; i < c; i++) {
		if (t->dtype == CELLA_ONNX_INT64)
			v[i] = ((const int64_t *)t->data)[i];
		else if (t->dtype == CELLA_ONNX_INT32)
			v[i] = ((const int32_t *)t->data)[i];
		else
			return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	*n = (int)c;
	return CELLA_OK;
}

const struct attr *onnx_attr_get(const struct node *n, const char *name)
{
	for (int i = 0; i < n->n_attr; i++)
		if (strcmp(n->attr[i].name, name) == 0)
			return &n->attr[i];
	return NULL;
}

/* Looks the attribute up for a typed getter: NULL if absent, or if present with neither type (recorded). A type of
 * 0 is an attribute with no type and no value set (an empty list whose exporter left the type out): absent. */
static const struct attr *attr_typed(struct node *n, const char *name, int type, int type2)
{
	const struct attr *a = onnx_attr_get(n, name);
	if (!a || a->type == type || a->type == type2)
		return a;
	if (a->type != 0 && !n->attr_bad) {
		n->attr_bad = a->name;
		n->attr_range = 0;
	}
	return NULL;
}

int64_t onnx_attr_i(struct node *n, const char *name, int64_t def)
{
	const struct attr *a = attr_typed(n, name, ATTR_INT, ATTR_INT);
	return a ? a->i : def;
}

int onnx_attr_int(struct node *n, const char *name, int def)
{
	int64_t v = onnx_attr_i(n, name, def);
	if (v >= INT_MIN && v <= INT_MAX)
		return (int)v;
	if (!n->attr_bad) {
		n->attr_bad = onnx_attr_get(n, name)->name;
		n->attr_range = 1;
		n->attr_value = v;
	}
	return def;
}

float onnx_attr_f(struct node *n, const char *name, float def)
{
	const struct attr *a = attr_typed(n, name, ATTR_FLOAT, ATTR_INT);
	return !a ? def : a->type == ATTR_FLOAT ? a->f : (float)a->i;
}

const char *onnx_attr_s(struct node *n, const char *name, const char *def)
{
	const struct attr *a = attr_typed(n, name, ATTR_STRING, ATTR_STRING);
	return a ? a->s : def;
}

size_t onnx_attr_ints(struct node *n, const char *name, const int64_t **v)
{
	static const int64_t none[1];
	const struct attr *a = attr_typed(n, name, ATTR_INTS, ATTR_INTS);
	if (!a || !a->n_ints) {
		*v = none; /* never NULL, so memcpy(dst, v, 0) stays defined */
		return 0;
	}
	*v = a->ints;
	return a->n_ints;
}

int onnx_normalize_axis(int64_t axis, int rank, int *out)
{
	if (axis < -(int64_t)rank || axis >= rank)
		return -1;
	*out = (int)(axis < 0 ? axis + rank : axis);
	return 0;
}

/* ------------------------------------------------------------------ graph building */

struct build {
	struct build *parent;
	struct graph *g;
	int *hash;      /* value index + 1, 0 = empty */
	size_t hcap;
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int lookup_local(const struct build *b, const char *name)
{
	for (size_t i = hash_str(name) & (b->hcap - 1);; i = (i + 1) & (b->hcap - 1)) {
		int e = b->hash[i];
		if (e == 0)
			return -1;
		if (strcmp(b->g->values[e - 1].name, name) == 0)
			return e - 1;
	}
}

static cella_result hash_put(struct build *b, int idx)
{
	const char *name = b->g->values[idx].name;
	for (size_t i = hash_str(name) & (b->hcap - 1);; i = (i + 1) & (b->hcap - 1)) {
		if (b->hash[i] == 0) {
			b->hash[i] = idx + 1;
			return CELLA_OK;
		}
		if (strcmp(b->g->values[b->hash[i] - 1].name, name) == 0)
			return CELLA_ERR_MODEL; /* a name defined twice: not SSA */
	}
}

static cella_result new_value(struct build *b, const char *name, int *idx)
{
	struct graph *g = b->g;
	if ((size_t)g->n_values * 2 + 2 > b->hcap)
		return CELLA_ERR_UNEXPECTED; /* hcap is sized up front */
	if (g->n_values == g->cap_values) {
		int nc = g->cap_values ? g->cap_values * 2 : 16;
		struct value *nv = realloc(g->values, (size_t)nc * sizeof(*nv));
		if (!nv)
			return CELLA_ERR_OUT_OF_MEMORY;
		g->values = nv;
		g->cap_values = nc;
	}
	struct value *v = &g->values[g->n_values];
	memset(v, 0, sizeof(*v));
	v->producer = -1;
	v->last_use = -1;
	v->outer = -1;
	v->t.buf = -1;
	v->name = xstrdup(name);
	if (!v->name)
		return CELLA_ERR_OUT_OF_MEMORY;
	g->n_values++;
	*idx = g->n_values - 1;
	if (name[0] == '\0')
		return CELLA_OK;
	return hash_put(b, *idx);
}

/* Resolves a name in this graph or, for subgraphs, in enclosing scopes (creating capture values). */
static cella_result resolve(struct build *b, const char *name, int *idx)
{
	int i = lookup_local(b, name);
	if (i >= 0) {
		*idx = i;
		return CELLA_OK;
	}
	if (!b->parent)
		return CELLA_ERR_MODEL;
	int outer;
	cella_result r = resolve(b->parent, name, &outer);
	if (r != CELLA_OK)
		return r;
	if ((size_t)b->g->n_values * 2 + 2 > b->hcap) {
		/* grow the hash for captures discovered late */
		size_t nc = b->hcap * 2;
		int *nh = calloc(nc, sizeof(int));
		if (!nh)
			return CELLA_ERR_OUT_OF_MEMORY;
		free(b->hash);
		b->hash = nh;
		b->hcap = nc;
		for (int k = 0; k < b->g->n_values; k++)
			if (b->g->values[k].name[0] && (r = hash_put(b, k)) != CELLA_OK)
				return r;
	}
	if ((r = new_value(b, name, &i)) != CELLA_OK)
		return r;
	b->g->values[i].outer = outer;
	*idx = i;
	return CELLA_OK;
}

/* Peels the optional and sequence around a type (*form: CELLA_ONNX_FORM_* of what was peeled), down to a tensor
 * type; NULL when none is there, with *what naming what is (a map, a sparse tensor, a nested sequence...). */
static const Onnx__TypeProto__Tensor *type_peel(const Onnx__TypeProto *tp, uint32_t *form, const char **what)
{
	*form = 0;
	*what = "no type";
	if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE) {
		*form |= CELLA_ONNX_FORM_OPTIONAL;
		tp = tp->optional_type ? tp->optional_type->elem_type : NULL;
	}
	if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE) {
		*form |= CELLA_ONNX_FORM_SEQUENCE;
		tp = tp->sequence_type ? tp->sequence_type->elem_type : NULL;
	}
	if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type)
		return tp->tensor_type;
	if (tp)
		*what = tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ? "a sequence of sequences"
			: tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE ? "an optional inside a sequence or optional"
			: tp->value_case == ONNX__TYPE_PROTO__VALUE_MAP_TYPE ? "a map"
			: tp->value_case == ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE ? "a sparse tensor"
			: "a type without its element type";
	return NULL;
}

/* Value vi's declared type into t (element type, shape: rank -1 when not given) and *form (a tensor's, or that of
 * the tensors of a sequence or optional). need: a missing type is an error, else an unknown type. */
static cella_result type_from_proto(struct model *m, const Onnx__ValueInfoProto *vi, struct tensor *t, int need,
				    uint32_t *form)
{
	const char *what;
	*form = 0;
	t->rank = -1; /* no shape: unknown (not a scalar), until a run binds the value */
	if (!vi->type) {
		if (need) {
			onnx_log(m, "graph input/output '%s' has no type", vi->name ? vi->name : "");
			return CELLA_ERR_MODEL;
		}
		return CELLA_OK;
	}
	const Onnx__TypeProto__Tensor *tt = type_peel(vi->type, form, &what);
	if (!tt) {
		onnx_log(m, "unsupported type of '%s': %s", vi->name ? vi->name : "", what);
		return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	int dt = tt->has_elem_type ? tt->elem_type : 0;
	if (onnx_dtype_size(dt) == 0) {
		onnx_log(m, "unsupported element type %s of '%s'", cella_onnx_dtype_name((cella_onnx_dtype)dt),
			 vi->name ? vi->name : "");
		return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	t->dtype = onnx_held_type(dt, &t->half); /* held and computed as float32 */
	t->rank = -1;
	if (tt->shape) {
		if (tt->shape->n_dim > MAXR) {
			onnx_log(m, "rank %zu of '%s' exceeds %d", tt->shape->n_dim, vi->name ? vi->name : "", MAXR);
			return CELLA_ERR_MODEL_UNSUPPORTED;
		}
		t->rank = (int)tt->shape->n_dim;
		for (size_t d = 0; d < tt->shape->n_dim; d++) {
			const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
			t->dims[d] = dim && dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
					     dim->dim_value >= 0
				     ? dim->dim_value
				     : -1;
		}
	}
	return CELLA_OK;
}

/* A tensor attribute's tensor and data freed (attr_free; a folded node's, in shape_pass). */
static void attr_tensor_free(struct attr *a)
{
	if (a->t) {
		free(a->t->data);
		free(a->t);
		a->t = NULL;
	}
}

static void attr_free(struct attr *a)
{
	free(a->name);
	free(a->s);
	free(a->floats);
	free(a->ints);
	for (size_t i = 0; i < a->n_strings; i++)
		free(a->strings[i]);
	free(a->strings);
	free(a->string_lens);
	attr_tensor_free(a);
}

static void graph_free(struct graph *g);

static void node_free(struct node *n)
{
	free(n->name);
	free(n->in);
	free(n->out);
	free(n->cap);
	for (int i = 0; i < n->n_attr; i++) {
		if (n->attr[i].g)
			graph_free(n->attr[i].g);
		attr_free(&n->attr[i]);
	}
	free(n->attr);
	if (n->priv_free)
		n->priv_free(n->priv);
}

static void graph_free(struct graph *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n_nodes; i++)
		node_free(&g->nodes[i]);
	free(g->nodes);
	for (int i = 0; i < g->n_values; i++) {
		free(g->values[i].name);
		free(g->values[i].const_mem);
		if (g->values[i].t.seq_own)
			onnx_seq_free(g->values[i].t.seq);
	}
	free(g->values);
	free(g->inputs);
	free(g->outputs);
	free(g);
}

/* n's operator, opname of domain dom: of the default domain ("" or "ai.onnx") at the model's opset, or of
 * ai.onnx.preview.training at its own (the optimizers). Refused by name: another domain, a domain the model does not
 * import (CELLA_ERR_MODEL), an opset of the training domain the engine does not have, an operator it does not have
 * at the opset. */
static cella_result node_op(struct model *m, struct node *n, const char *dom, const char *opname)
{
	int training = !strcmp(dom, ONNX_TRAINING_DOMAIN);
	int opset = training ? m->opset_training : m->opset;
	if (dom[0] && strcmp(dom, "ai.onnx") && !training) {
		onnx_log(m, "unsupported operator '%s' in domain '%s' (node '%s')", opname, dom, n->name);
		return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	if (training ? opset < 0 : opset == 0) {
		onnx_log(m, "node '%s' (%s): the model imports no opset of domain '%s'", n->name, opname,
			 dom[0] ? dom : "ai.onnx");
		return CELLA_ERR_MODEL;
	}
	if (training && (opset < 1 || opset > ONNX_TRAINING_MAX_OPSET)) {
		onnx_log(m, "unsupported %s opset %d (supported 1..%d; node '%s', %s)", dom, opset, ONNX_TRAINING_MAX_OPSET,
			 n->name, opname);
		return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	n->opset = opset;
	n->op = onnx_op_lookup(training ? ONNX_DOMAIN_TRAINING : ONNX_DOMAIN_DEFAULT, opname, opset);
	if (!n->op) {
		onnx_log(m, "unsupported operator '%s' (%s%sopset %d, node '%s')", opname, training ? dom : "",
			 training ? " " : "", opset, n->name);
		return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	return CELLA_OK;
}

static cella_result build_graph(struct model *m, struct build *parent, const Onnx__GraphProto *gp, int depth,
				struct graph **out);

/* A constant with no elements: its dims, each 0 taken as 1, within max_tensor_bytes like any tensor at run (its
 * data is not in the file to bound them, and kernels loop over them all). Constants with data are not limited. */
static cella_result empty_dims_check(const struct model *m, const struct tensor *t)
{
	uint64_t count;
	if (t->bytes)
		return CELLA_OK;
	return onnx_dims_count(t->dims, t->rank, onnx_max_count(m->opt.max_tensor_bytes, t->dtype), &count);
}

/* For a refusal: ": element type NAME" when a TensorProto's element type is one the engine does not have (float8,
 * int4, strings...), else "". */
static const char *proto_type_note(const Onnx__TensorProto *p, char *buf, size_t n)
{
	int t = p->has_data_type ? p->data_type : 0;
	if (onnx_dtype_size(t) != 0)
		return "";
	snprintf(buf, n, ": element type %s", cella_onnx_dtype_name((cella_onnx_dtype)t));
	return buf;
}

static cella_result copy_attr(struct model *m, struct build *b, const Onnx__AttributeProto *ap, struct attr *a,
			      int depth)
{
	a->name = xstrdup(ap->name);
	if (!a->name)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (ap->ref_attr_name && ap->ref_attr_name[0])
		return CELLA_ERR_MODEL_UNSUPPORTED;
	a->type = ap->has_type ? (int)ap->type : 0;
	if (!a->type) /* some exporters leave the type out: infer it from the field that is set */
		a->type = ap->g ? ATTR_GRAPH : ap->t ? ATTR_TENSOR : ap->tp ? ATTR_TYPE_PROTO : ap->n_floats ? ATTR_FLOATS : ap->n_ints ? ATTR_INTS
			: ap->n_strings ? ATTR_STRINGS : ap->has_s ? ATTR_STRING : ap->has_f ? ATTR_FLOAT
			: ap->has_i ? ATTR_INT : 0;
	a->f = ap->f;
	a->i = ap->i;
	if (a->type == ATTR_STRING) {
		a->s = malloc(ap->s.len + 1);
		if (!a->s)
			return CELLA_ERR_OUT_OF_MEMORY;
		if (ap->s.len)
			memcpy(a->s, ap->s.data, ap->s.len);
		a->s[ap->s.len] = '\0';
		a->s_len = ap->s.len;
	}
	if (ap->n_floats) {
		a->floats = malloc(ap->n_floats * sizeof(float));
		if (!a->floats)
			return CELLA_ERR_OUT_OF_MEMORY;
		memcpy(a->floats, ap->floats, ap->n_floats * sizeof(float));
		a->n_floats = ap->n_floats;
	}
	if (ap->n_ints) {
		a->ints = malloc(ap->n_ints * sizeof(int64_t));
		if (!a->ints)
			return CELLA_ERR_OUT_OF_MEMORY;
		memcpy(a->ints, ap->ints, ap->n_ints * sizeof(int64_t));
		a->n_ints = ap->n_ints;
	}
	if (ap->n_strings) {
		a->strings = calloc(ap->n_strings, sizeof(char *));
		a->string_lens = calloc(ap->n_strings, sizeof(size_t));
		if (!a->strings || !a->string_lens)
			return CELLA_ERR_OUT_OF_MEMORY;
		a->n_strings = ap->n_strings;
		for (size_t i = 0; i < ap->n_strings; i++) {
			a->string_lens[i] = ap->strings[i].len;
			a->strings[i] = malloc(ap->strings[i].len + 1);
			if (!a->strings[i])
				return CELLA_ERR_OUT_OF_MEMORY;
			if (ap->strings[i].len)
				memcpy(a->strings[i], ap->strings[i].data, ap->strings[i].len);
			a->strings[i][ap->strings[i].len] = '\0';
		}
	}
	if (a->type == ATTR_TENSOR) {
		if (!ap->t) {
			onnx_log(m, "attribute '%s' is of type TENSOR but holds no tensor", a->name);
			return CELLA_ERR_MODEL;
		}
		a->t = calloc(1, sizeof(*a->t));
		if (!a->t)
			return CELLA_ERR_OUT_OF_MEMORY;
		void *mem;
		cella_result r = onnx_tensor_from_proto(ap->t, a->t, &mem);
		if (r == CELLA_OK && ((r = half_widen(a->t, &mem)) != CELLA_OK || (r = empty_dims_check(m, a->t)) != CELLA_OK))
			free(mem);
		if (r != CELLA_OK) {
			free(a->t);
			a->t = NULL;
			char note[64];
			onnx_log(m, "attribute '%s': its tensor cannot be decoded (%s%s)", a->name, cella_result_name(r),
				 proto_type_note(ap->t, note, sizeof(note)));
			return r;
		}
	}
	if (a->type == ATTR_TYPE_PROTO) {
		const char *what;
		const Onnx__TypeProto__Tensor *tt = ap->tp ? type_peel(ap->tp, &a->tp_form, &what) : NULL;
		int dt = tt && tt->has_elem_type ? tt->elem_type : 0;
		if (!tt || !onnx_dtype_size(dt)) {
			onnx_log(m, "attribute '%s': unsupported type (%s)", a->name,
				 !ap->tp ? "none given" : tt ? cella_onnx_dtype_name((cella_onnx_dtype)dt) : what);
			return ap->tp ? CELLA_ERR_MODEL_UNSUPPORTED : CELLA_ERR_MODEL;
		}
		a->tp_dtype = onnx_held_type(dt, &a->tp_half);
	}
	if (a->type == ATTR_GRAPH) {
		if (!ap->g) {
			onnx_log(m, "attribute '%s' is of type GRAPH but holds no graph", a->name);
			return CELLA_ERR_MODEL;
		}
		return build_graph(m, b, ap->g, depth + 1, &a->g);
	}
	return CELLA_OK;
}

static int node_is_dead(const struct node *n) { return n->op == NULL; }

/* Kahn's algorithm over value producers; a leftover node means a cycle (or an input nobody produces). */
static cella_result topo_sort(struct model *m, struct graph *g)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	int n = g->n_nodes;
	int *pending = calloc((size_t)n + 1, sizeof(int)), *order = calloc((size_t)n + 1, sizeof(int));
	int *cons_cnt = calloc((size_t)g->n_values + 1, sizeof(int)), *cons_off = NULL, *cons = NULL;
	struct node *sorted = NULL;
	int total = 0, head = 0, tail = 0;
	if (!pending || !order || !cons_cnt)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	for (int i = 0; i < n; i++) {
		struct node *nd = &g->nodes[i];
		for (int k = 0; k < nd->n_in + nd->n_cap; k++) {
			int v = k < nd->n_in ? nd->in[k] : nd->cap[k - nd->n_in];
			if (v >= 0 && g->values[v].producer >= 0) {
				pending[i]++;
				cons_cnt[v]++;
				total++;
			}
		}
	}
	cons_off = calloc((size_t)g->n_values + 1, sizeof(int));
	cons = calloc((size_t)total + 1, sizeof(int));
	if (!cons_off || !cons)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	for (int v = 0, acc = 0; v < g->n_values; v++) {
		cons_off[v] = acc;
		acc += cons_cnt[v];
		cons_cnt[v] = 0;
	}
	for (int i = 0; i < n; i++) {
		struct node *nd = &g->nodes[i];
		for (int k = 0; k < nd->n_in + nd->n_cap; k++) {
			int v = k < nd->n_in ? nd->in[k] : nd->cap[k - nd->n_in];
			if (v >= 0 && g->values[v].producer >= 0)
				cons[cons_off[v] + cons_cnt[v]++] = i;
		}
	}
	for (int i = 0; i < n; i++)
		if (pending[i] == 0)
			order[tail++] = i;
	while (head < tail) {
		int i = order[head++];
		struct node *nd = &g->nodes[i];
		for (int k = 0; k < nd->n_out; k++) {
			int v = nd->out[k];
			if (v < 0)
				continue;
			for (int c = 0; c < cons_cnt[v]; c++)
				if (--pending[cons[cons_off[v] + c]] == 0)
					order[tail++] = cons[cons_off[v] + c];
		}
	}
	if (tail != n) {
		onnx_log(m, "graph has a cycle (%d of %d nodes cannot be ordered)", n - tail, n);
		CELLA_FAIL(CELLA_ERR_MODEL);
	}
	sorted = malloc(((size_t)n + 1) * sizeof(*sorted));
	if (!sorted)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	for (int i = 0; i < n; i++)
		sorted[i] = g->nodes[order[i]];
	free(g->nodes);
	g->nodes = sorted;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < g->nodes[i].n_out; k++)
			if (g->nodes[i].out[k] >= 0)
				g->values[g->nodes[i].out[k]].producer = i;
	r = CELLA_OK;
out:
	free(pending);
	free(order);
	free(cons_cnt);
	free(cons_off);
	free(cons);
	return r;
}

static cella_result build_graph(struct model *m, struct build *parent, const Onnx__GraphProto *gp, int depth,
				struct graph **out)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct build b = { parent, NULL, NULL, 0 };
	struct graph *g = NULL;
	size_t want = 16;
	if (depth > ONNX_MAX_GRAPH_DEPTH) {
		onnx_log(m, "subgraphs nested deeper than %d", ONNX_MAX_GRAPH_DEPTH);
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED);
	}
	if (gp->n_sparse_initializer) {
		onnx_log(m, "sparse initializers are not supported");
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED);
	}
	if (gp->n_node > (1u << 20) || gp->n_initializer > (1u << 20) || gp->n_input > (1u << 16) ||
	    gp->n_output > (1u << 16)) {
		onnx_log(m, "graph '%s': %zu nodes, %zu initializers, %zu inputs, %zu outputs (at most %u, %u, %u, %u)",
			 gp->name ? gp->name : "", gp->n_node, gp->n_initializer, gp->n_input, gp->n_output, 1u << 20,
			 1u << 20, 1u << 16, 1u << 16);
		CELLA_FAIL(CELLA_ERR_TOO_LARGE);
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	g->m = m;
	g->depth = depth;
	g->parent = parent ? parent->g : NULL;
	b.g = g;
	want += gp->n_initializer + gp->n_input + gp->n_output;
	for (size_t i = 0; i < gp->n_node; i++)
		want += gp->node[i]->n_output + gp->node[i]->n_input;
	b.hcap = 64;
	while (b.hcap < want * 2 + 2)
		b.hcap *= 2;
	b.hash = calloc(b.hcap, sizeof(int));
	g->inputs = calloc(gp->n_input + 1, sizeof(int));
	g->outputs = calloc(gp->n_output + 1, sizeof(int));
	g->nodes = calloc(gp->n_node + 1, sizeof(struct node));
	if (!b.hash || !g->inputs || !g->outputs || !g->nodes)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);

	for (size_t i = 0; i < gp->n_initializer; i++) {
		int idx;
		Onnx__TensorProto *tp = gp->initializer[i];
		if (!tp->name || !tp->name[0]) {
			onnx_log(m, "initializer %zu has no name", i);
			CELLA_FAIL(CELLA_ERR_MODEL);
		}
		r = new_value(&b, tp->name, &idx);
		if (r != CELLA_OK) {
			onnx_log(m, "initializer '%s' defined twice", tp->name);
			goto out;
		}
		r = onnx_tensor_from_proto(tp, &g->values[idx].t, &g->values[idx].const_mem);
		if (r == CELLA_OK)
			r = half_widen(&g->values[idx].t, &g->values[idx].const_mem);
		if (r == CELLA_ERR_TOO_LARGE) {
			onnx_log(m, "initializer '%s': its dims, each 0 taken as 1, give more than %llu bytes", tp->name,
				 (unsigned long long)CELLA_ONNX_MAX_TENSOR_BYTES);
			goto out;
		}
		if (r != CELLA_OK) {
			char note[64];
			onnx_log(m, "initializer '%s' cannot be decoded (%s%s)", tp->name, cella_result_name(r),
				 proto_type_note(tp, note, sizeof(note)));
			goto out;
		}
		if ((r = empty_dims_check(m, &g->values[idx].t)) != CELLA_OK) {
			onnx_log(m, "initializer '%s' is empty, but its other dims give more than max_tensor_bytes (%llu)",
				 tp->name, (unsigned long long)m->opt.max_tensor_bytes);
			goto out;
		}
		m->weight_bytes += g->values[idx].t.bytes;
	}
	for (size_t i = 0; i < gp->n_input; i++) {
		const Onnx__ValueInfoProto *vi = gp->input[i];
		if (!vi->name || !vi->name[0]) {
			onnx_log(m, "graph input %zu has no name", i);
			CELLA_FAIL(CELLA_ERR_MODEL);
		}
		int idx = lookup_local(&b, vi->name);
		if (idx >= 0 && g->values[idx].t.is_const)
			continue; /* an initializer listed as input (IR < 4): a constant here */
		if (idx >= 0) {
			onnx_log(m, "input '%s' listed twice", vi->name);
			CELLA_FAIL(CELLA_ERR_MODEL);
		}
		CELLA_CHECK(new_value(&b, vi->name, &idx));
		struct tensor *t = &g->values[idx].t;
		uint32_t form;
		CELLA_CHECK(type_from_proto(m, vi, t, depth == 0, &form));
		g->values[idx].decl_form = form;
		t->known = t->rank >= 0 && !form; /* a sequence or optional is known only at run */
		for (int d = 0; d < t->rank; d++)
			if (t->dims[d] < 0)
				t->known = 0;
		{
			/* declared dims that no run can pass (over max_tensor_bytes) do not feed the shape pass */
			uint64_t count;
			if (t->known && onnx_dims_count(t->dims, t->rank,
							onnx_max_count(m->opt.max_tensor_bytes, t->dtype), &count))
				t->known = 0;
		}
		g->values[idx].decl_dtype = t->dtype;
		g->values[idx].decl_half = t->half;
		g->values[idx].decl_rank = t->rank;
		memcpy(g->values[idx].decl_dims, t->dims, sizeof(t->dims));
		if (form)
			t->rank = -1; /* the declared shape is that of its tensors, not the value's */
		g->values[idx].is_input = 1;
		g->inputs[g->n_inputs++] = idx;
	}
	/* node outputs first, so inputs can refer to nodes listed later (order is fixed by topo_sort) */
	for (size_t i = 0; i < gp->n_node; i++) {
		const Onnx__NodeProto *np = gp->node[i];
		struct node *n = &g->nodes[i];
		g->n_nodes = (int)i + 1;
		n->name = xstrdup(np->name ? np->name : "");
		n->out = calloc(np->n_output + 1, sizeof(int));
		n->in = calloc(np->n_input + 1, sizeof(int));
		if (!n->name || !n->out || !n->in)
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		const char *opname = np->op_type ? np->op_type : "";
		CELLA_CHECK(node_op(m, n, np->domain ? np->domain : "", opname));
		if (np->n_output > 64 || np->n_input > 4096) {
			onnx_log(m, "node '%s' (%s): %zu inputs and %zu outputs (at most 4096 and 64)", n->name, opname,
				 np->n_input, np->n_output);
			CELLA_FAIL(CELLA_ERR_MODEL);
		}
		for (size_t k = 0; k < np->n_output; k++) {
			const char *on = np->output[k] ? np->output[k] : "";
			n->out[k] = -1;
			if (!on[0])
				continue;
			r = new_value(&b, on, &n->out[k]);
			if (r != CELLA_OK) {
				onnx_log(m, "value '%s' is produced twice", on);
				goto out;
			}
			g->values[n->out[k]].producer = (int)i;
		}
		n->n_out = (int)np->n_output;
	}
	for (size_t i = 0; i < gp->n_node; i++) {
		const Onnx__NodeProto *np = gp->node[i];
		struct node *n = &g->nodes[i];
		for (size_t k = 0; k < np->n_input; k++) {
			const char *in = np->input[k] ? np->input[k] : "";
			n->in[k] = -1;
			if (!in[0])
				continue;
			r = resolve(&b, in, &n->in[k]);
			if (r != CELLA_OK) {
				onnx_log(m, "node '%s' (%s) reads undefined value '%s'", n->name, n->op->name, in);
				goto out;
			}
		}
		n->n_in = (int)np->n_input;
		if (np->n_attribute > 4096) {
			onnx_log(m, "node '%s' (%s): %zu attributes (at most 4096)", n->name, n->op->name, np->n_attribute);
			CELLA_FAIL(CELLA_ERR_MODEL);
		}
		n->attr = calloc(np->n_attribute + 1, sizeof(struct attr));
		if (!n->attr)
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		for (size_t k = 0; k < np->n_attribute; k++) {
			n->n_attr = (int)k + 1;
			r = copy_attr(m, &b, np->attribute[k], &n->attr[k], depth);
			if (r != CELLA_OK) {
				if (r == CELLA_ERR_MODEL_UNSUPPORTED && !m->msg[0])
					onnx_log(m, "node '%s': unsupported attribute '%s'", n->name,
						 np->attribute[k]->name ? np->attribute[k]->name : "");
				goto out;
			}
			if (n->attr[k].g && n->attr[k].g->n_inputs && !strcmp(n->op->name, "If")) {
				/* If's branches take no inputs (they read outer values by name): a declared one would
				 * have no producer, and its buffer would be returned unwritten */
				onnx_log(m, "node '%s' (If): branch '%s' declares inputs", n->name, n->attr[k].name);
				CELLA_FAIL(CELLA_ERR_MODEL);
			}
		}
		/* outer values read by subgraphs keep their producers ordered before, and alive until, this node */
		int ncap = 0;
		for (int k = 0; k < n->n_attr; k++)
			if (n->attr[k].g)
				for (int v = 0; v < n->attr[k].g->n_values; v++)
					ncap += n->attr[k].g->values[v].outer >= 0;
		if (ncap) {
			n->cap = calloc((size_t)ncap, sizeof(int));
			if (!n->cap)
				CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
			for (int k = 0; k < n->n_attr; k++)
				if (n->attr[k].g)
					for (int v = 0; v < n->attr[k].g->n_values; v++)
						if (n->attr[k].g->values[v].outer >= 0)
							n->cap[n->n_cap++] = n->attr[k].g->values[v].outer;
		}
	}
	for (size_t i = 0; i < gp->n_output; i++) {
		const Onnx__ValueInfoProto *vi = gp->output[i];
		int idx;
		if (!vi->name || !vi->name[0]) {
			onnx_log(m, "graph output %zu has no name", i);
			CELLA_FAIL(CELLA_ERR_MODEL);
		}
		r = resolve(&b, vi->name, &idx);
		if (r != CELLA_OK) {
			onnx_log(m, "graph output '%s' is not produced", vi->name);
			goto out;
		}
		if (depth == 0 && !g->values[idx].is_input) {
			struct tensor decl;
			memset(&decl, 0, sizeof(decl));
			decl.rank = -1;
			CELLA_CHECK(type_from_proto(m, vi, &decl, 0, &g->values[idx].decl_form));
			g->values[idx].decl_dtype = decl.dtype;
			g->values[idx].decl_half = decl.half;
			g->values[idx].decl_rank = decl.rank;
			memcpy(g->values[idx].decl_dims, decl.dims, sizeof(decl.dims));
		} else if (!g->values[idx].is_input && vi->type) {
			/* a subgraph's output: its declared element type only (the type of a Loop's empty scan output, of
			 * the sequence a SequenceMap over an empty one gives) */
			uint32_t form;
			const char *what;
			const Onnx__TypeProto__Tensor *tt = type_peel(vi->type, &form, &what);
			if (tt && tt->has_elem_type && onnx_dtype_size(tt->elem_type))
				g->values[idx].decl_dtype = onnx_held_type(tt->elem_type, &g->values[idx].decl_half);
		}
		g->values[idx].is_output = 1;
		g->outputs[g->n_outputs++] = idx;
	}
	CELLA_CHECK(topo_sort(m, g));
	*out = g;
	g = NULL;
	r = CELLA_OK;
out:
	free(b.hash);
	graph_free(g);
	return r;
}

/* ------------------------------------------------------------------ passes */

static int value_single_consumer(const struct graph *g, int v, int *consumer)
{
	int cnt = 0;
	for (int i = 0; i < g->n_nodes; i++) {
		const struct node *n = &g->nodes[i];
		if (node_is_dead(n))
			continue;
		for (int k = 0; k < n->n_in + n->n_cap; k++) {
			int u = k < n->n_in ? n->in[k] : n->cap[k - n->n_in];
			if (u == v) {
				cnt++;
				*consumer = i;
			}
		}
	}
	return cnt == 1;
}

static int add_const_value(struct graph *g, const char *name, const struct tensor *t, void *mem)
{
	if (g->n_values == g->cap_values) {
		int nc = g->cap_values * 2 + 4;
		struct value *nv = realloc(g->values, (size_t)nc * sizeof(*nv));
		if (!nv)
			return -1;
		g->values = nv;
		g->cap_values = nc;
	}
	struct value *v = &g->values[g->n_values];
	memset(v, 0, sizeof(*v));
	v->name = xstrdup(name);
	if (!v->name)
		return -1;
	v->producer = -1;
	v->outer = -1;
	v->t = *t;
	v->t.data = mem;
	v->t.is_const = 1;
	v->t.known = 1;
	v->t.buf = -1;
	v->const_mem = mem;
	return g->n_values++;
}

/* A constant's memory released; the value stays, a known constant of its type and dims without data. */
static void const_release(struct model *m, struct value *val)
{
	m->weight_bytes -= val->t.bytes < m->weight_bytes ? val->t.bytes : m->weight_bytes;
	free(val->const_mem);
	val->const_mem = NULL;
	val->t.data = NULL;
}

/*
 * A constant of g's own that a fold has just replaced (with a folded copy) releases its memory at once if no node
 * that runs reads it any more, so a load holds a weight and its folded copy together only for one fold.
 * drop_dead_constants, at the end of the folds, finds the same values; this only makes it earlier.
 */
static void release_if_unread(struct model *m, struct graph *g, int v)
{
	struct value *val = v >= 0 ? &g->values[v] : NULL;
	if (!val || val->is_output || val->is_input || val->outer >= 0 || !val->const_mem)
		return;
	for (int i = 0; i < g->n_nodes; i++) {
		const struct node *n = &g->nodes[i];
		if (node_is_dead(n) || n->folded)
			continue;
		for (int k = 0; k < n->n_in + n->n_cap; k++)
			if ((k < n->n_in ? n->in[k] : n->cap[k - n->n_in]) == v)
				return;
	}
	const_release(m, val);
}

static const struct tensor *const_f32(const struct graph *g, int v, size_t count)
{
	if (v < 0 || g->values[v].outer >= 0)
		return NULL;
	const struct tensor *t = &g->values[v].t;
	if (!t->is_const || t->packed || t->dtype != CELLA_ONNX_FLOAT) /* packed: its data is freed */
		return NULL;
	return count == 0 || onnx_tensor_count(t) == count ? t : NULL;
}

/* A node a rewrite may absorb: it names its first output and no other. A node that declares a second output its
 * operator does not produce must run, for check_outputs to refuse it; absorbed, that output stayed undefined. */
static int one_output(const struct node *n)
{
	if (n->n_out < 1 || n->out[0] < 0)
		return 0;
	for (int k = 1; k < n->n_out; k++)
		if (n->out[k] >= 0)
			return 0;
	return 1;
}

/* Conv followed by inference BatchNormalization with constant parameters: fold the BN into new weights. */
static void fold_batchnorm(struct model *m, struct graph *g)
{
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *p = &g->nodes[i];
		if (node_is_dead(p) || strcmp(p->op->name, "Conv") || p->n_out != 1 || p->out[0] < 0 || p->n_in < 2)
			continue;
		int v = p->out[0], c;
		if (g->values[v].is_output || !value_single_consumer(g, v, &c))
			continue;
		struct node *a = &g->nodes[c];
		if (strcmp(a->op->name, "BatchNormalization") || a->n_in < 5 || a->in[0] != v || !one_output(a))
			continue;
		a->attr_bad = NULL;
		float eps = onnx_attr_f(a, "epsilon", 1e-5f);
		if (onnx_attr_i(a, "training_mode", 0) || a->attr_bad)
			continue; /* a mistyped attribute: the node stays, to fail when it runs */
		const struct tensor *wp = const_f32(g, p->in[1], 0);
		if (!wp || wp->rank < 3)
			continue;
		const struct tensor wt = *wp, *w = &wt; /* g->values may move when values are added */
		int64_t M = w->dims[0];
		size_t per = onnx_tensor_count(w) / (size_t)(M ? M : 1);
		const struct tensor *b = p->n_in > 2 ? const_f32(g, p->in[2], (size_t)M) : NULL;
		const struct tensor *sc = const_f32(g, a->in[1], (size_t)M), *bi = const_f32(g, a->in[2], (size_t)M),
				    *mn = const_f32(g, a->in[3], (size_t)M), *vr = const_f32(g, a->in[4], (size_t)M);
		if ((p->n_in > 2 && p->in[2] >= 0 && !b) || !sc || !bi || !mn || !vr || M <= 0)
			continue;
		float *nw = malloc(w->bytes), *nb = malloc((size_t)M * sizeof(float));
		int *nin = realloc(p->in, 3 * sizeof(int));
		if (!nw || !nb || !nin) {
			free(nw);
			free(nb);
			if (nin)
				p->in = nin;
			continue;
		}
		p->in = nin;
		for (int64_t o = 0; o < M; o++) {
			float k = ((const float *)sc->data)[o] / sqrtf(((const float *)vr->data)[o] + eps);
			for (size_t j = 0; j < per; j++)
				nw[(size_t)o * per + j] = ((const float *)w->data)[(size_t)o * per + j] * k;
			float b0 = b ? ((const float *)b->data)[o] : 0.0f;
			nb[o] = (b0 - ((const float *)mn->data)[o]) * k + ((const float *)bi->data)[o];
		}
		struct tensor tb = *sc;
		tb.rank = 1;
		tb.dims[0] = M;
		tb.bytes = (size_t)M * sizeof(float);
		int iw = add_const_value(g, "bn_folded_w", &wt, nw);
		if (iw < 0) {
			free(nw);
			free(nb);
			continue;
		}
		int ib = add_const_value(g, "bn_folded_b", &tb, nb);
		if (ib < 0) {
			free(nb);
			continue;
		}
		m->weight_bytes += w->bytes + tb.bytes;
		p = &g->nodes[i]; /* values moved, nodes did not; indices stay valid */
		int was[6] = { p->in[1], p->n_in > 2 ? p->in[2] : -1, a->in[1], a->in[2], a->in[3], a->in[4] };
		p->in[1] = iw;
		p->in[2] = ib;
		p->n_in = 3;
		p->out[0] = a->out[0];
		g->values[a->out[0]].producer = i;
		a->op = NULL;
		for (int k = 0; k < 6; k++)
			release_if_unread(m, g, was[k]);
	}
}

/* Per-output-channel view of a constant operand of a Conv result of rank `rank` with M channels:
 * 0 = not foldable, 1 = scalar, 2 = one value per channel. */
static int channel_const(const struct graph *g, int v, int64_t M, int rank, const float **data)
{
	const struct tensor *t = const_f32(g, v, 0);
	if (!t)
		return 0;
	size_t c = onnx_tensor_count(t);
	*data = t->data;
	if (c == 1 && t->rank <= rank)
		return 1;
	if ((int64_t)c != M || t->rank > rank || t->rank < rank - 1)
		return 0;
	int ch = t->rank == rank ? 1 : 0; /* index of the channel dim inside t */
	for (int d = 0; d < t->rank; d++)
		if (d != ch && t->dims[d] != 1)
			return 0;
	return t->dims[ch] == M ? 2 : 0;
}

/*
 * channel_const for an Add or Mul `a` before opset 7 (see legacy_bcast in ops_elementwise.c): shapes must be equal
 * unless broadcast=1, and then only B, the constant, broadcasts to A, the Conv result v, with its dims over A's
 * from `axis` (absent: the trailing dims). Foldable only when that placement is per channel (or B is one element).
 */
static int legacy_channel_const(const struct graph *g, struct node *a, int v, int64_t M, int rank, const float **data)
{
	const struct tensor *t = const_f32(g, a->in[1], 0);
	if (a->in[0] != v || !t || t->rank > rank)
		return 0;
	a->attr_bad = NULL;
	int64_t broadcast = onnx_attr_i(a, "broadcast", 0), axis = rank - t->rank;
	if (onnx_attr_get(a, "axis"))
		axis = onnx_attr_i(a, "axis", 0);
	if (a->attr_bad || broadcast != 1)
		return 0; /* a mistyped attribute: the node stays, to fail when it runs */
	size_t c = onnx_tensor_count(t);
	*data = t->data;
	if (c == 1)
		return 1;
	/* B's dims lie over A's dims axis .. axis + rank(B) - 1: the one over the channel dim (1) holds all M */
	if ((int64_t)c != M || axis < 0 || axis > rank - t->rank || axis > 1 || axis + t->rank <= 1)
		return 0;
	return t->dims[1 - axis] == M ? 2 : 0;
}

/* Conv followed by Mul/Add with a scalar or per-channel constant: folded into the Conv's weights and bias. */
static void fold_affine(struct model *m, struct graph *g)
{
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *p = &g->nodes[i];
		if (node_is_dead(p) || strcmp(p->op->name, "Conv") || p->n_out != 1 || p->out[0] < 0 || p->n_in < 2)
			continue;
		for (;;) {
			int v = p->out[0], c;
			if (g->values[v].is_output || !value_single_consumer(g, v, &c))
				break;
			struct node *a = &g->nodes[c];
			int is_mul = !strcmp(a->op->name, "Mul"), is_add = !strcmp(a->op->name, "Add");
			if ((!is_mul && !is_add) || a->n_in != 2 || !one_output(a) || (a->in[0] != v && a->in[1] != v))
				break;
			const struct tensor *wp = const_f32(g, p->in[1], 0);
			if (!wp || wp->rank < 3)
				break;
			const struct tensor wt = *wp;
			int64_t M = wt.dims[0];
			const float *k, *bias = NULL;
			int kind = a->opset < 7 ? legacy_channel_const(g, a, v, M, wt.rank, &k)
						: channel_const(g, a->in[0] == v ? a->in[1] : a->in[0], M, wt.rank, &k);
			if (!kind)
				break;
			if (p->n_in > 2 && p->in[2] >= 0) {
				const struct tensor *bt = const_f32(g, p->in[2], (size_t)M);
				if (!bt)
					break;
				bias = bt->data;
			}
			size_t per = onnx_tensor_count(&wt) / (size_t)(M ? M : 1);
			float *nw = is_mul ? malloc(wt.bytes ? wt.bytes : 1) : NULL, *nb = malloc((size_t)M * sizeof(float));
			int *nin = realloc(p->in, 3 * sizeof(int));
			if ((is_mul && !nw) || !nb || !nin) {
				free(nw);
				free(nb);
				if (nin)
					p->in = nin;
				break;
			}
			p->in = nin;
			for (int64_t o = 0; o < M; o++) {
				float s = k[kind == 1 ? 0 : o], b0 = bias ? bias[o] : 0.0f;
				if (is_mul)
					for (size_t j = 0; j < per; j++)
						nw[(size_t)o * per + j] = ((const float *)wt.data)[(size_t)o * per + j] * s;
				nb[o] = is_mul ? b0 * s : b0 + s;
			}
			struct tensor tb = wt;
			tb.rank = 1;
			tb.dims[0] = M;
			tb.bytes = (size_t)M * sizeof(float);
			int iw = p->in[1];
			if (is_mul && (iw = add_const_value(g, "affine_folded_w", &wt, nw)) < 0) {
				free(nw);
				free(nb);
				break;
			}
			int ib = add_const_value(g, "affine_folded_b", &tb, nb);
			if (ib < 0) {
				free(nb);
				break;
			}
			m->weight_bytes += (is_mul ? wt.bytes : 0) + tb.bytes;
			p = &g->nodes[i];
			int was[3] = { p->in[1], p->n_in > 2 ? p->in[2] : -1, a->in[0] == v ? a->in[1] : a->in[0] };
			p->in[1] = iw;
			p->in[2] = ib;
			p->n_in = 3;
			p->out[0] = a->out[0];
			g->values[a->out[0]].producer = i;
			a->op = NULL;
			for (int k = 0; k < 3; k++)
				release_if_unread(m, g, was[k]);
		}
	}
}

/* Scalar value of a constant float input of at most max_rank dims (or -1 if it is not one). */
static int const_scalar(const struct graph *g, int v, int max_rank, float *out)
{
	const struct tensor *t = const_f32(g, v, 1);
	if (!t || t->rank > max_rank)
		return -1;
	*out = *(const float *)t->data;
	return 0;
}

/* Rank of a value known before any run: constants and declared graph inputs; 0 (so only scalars combine with it
 * without changing its rank) otherwise. */
static int static_rank(const struct graph *g, int v)
{
	if (v < 0) /* an absent optional input */
		return 0;
	const struct value *val = &g->values[v];
	if (val->outer < 0 && (val->t.is_const || (val->is_input && val->decl_rank >= 0)))
		return val->t.is_const ? val->t.rank : val->decl_rank;
	return 0;
}

static struct node *producer_of(struct graph *g, int v, const char *op)
{
	if (v < 0 || g->values[v].producer < 0 || g->values[v].is_output)
		return NULL;
	struct node *p = &g->nodes[g->values[v].producer];
	int c;
	if (node_is_dead(p) || strcmp(p->op->name, op) || !one_output(p) || !value_single_consumer(g, v, &c))
		return NULL;
	return p;
}

/* Clip(x + 3, 0, 6) whose result feeds only the HardSwish pattern; returns the Add and Clip nodes or NULL. */
static struct node *hswish_clip(struct graph *g, int cv, int xv, int xr, struct node **add)
{
	float lo = -1, hi = -1, k;
	struct node *cl = producer_of(g, cv, "Clip"), *ad;
	if (!cl)
		return NULL;
	if (cl->opset < 11) {
		cl->attr_bad = NULL;
		lo = onnx_attr_f(cl, "min", -1);
		hi = onnx_attr_f(cl, "max", -1);
		if (cl->attr_bad)
			return NULL; /* the Clip stays, to fail when it runs */
	} else if (cl->n_in < 3 || const_scalar(g, cl->in[1], MAXR, &lo) || const_scalar(g, cl->in[2], MAXR, &hi)) {
		return NULL; /* Clip's bounds do not broadcast: its output has x + 3's shape */
	}
	if (lo != 0.0f || hi != 6.0f || !(ad = producer_of(g, cl->in[0], "Add")) || ad->n_in != 2)
		return NULL;
	if (!((ad->in[0] == xv && !const_scalar(g, ad->in[1], xr, &k) && k == 3.0f) ||
	      (ad->in[1] == xv && !const_scalar(g, ad->in[0], xr, &k) && k == 3.0f)))
		return NULL;
	*add = ad;
	return cl;
}

/*
 * x * Clip(x + 3, 0, 6) / 6 in either association (how Paddle exports HardSwish) becomes one HardSwish node, whose
 * output has x's shape: only while no constant has more dims than x (a [1, 1] constant would broadcast a [4] x to
 * [1, 4]; its one element says nothing about its rank).
 */
static void fuse_hardswish(struct graph *g)
{
	const struct op_def *hs = onnx_op_lookup(ONNX_DOMAIN_DEFAULT, "HardSwish", ONNX_MAX_OPSET);
	float k = 0;
	if (!hs)
		return;
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *root = &g->nodes[i], *ad, *cl, *mid;
		if (node_is_dead(root) || root->n_in != 2 || !one_output(root))
			continue;
		if (root->opset < 7)
			continue; /* Add, Mul and Div broadcast only with broadcast=1 then, and only B: not fused */
		if (!strcmp(root->op->name, "Div") && (mid = producer_of(g, root->in[0], "Mul")) != NULL &&
		    mid->n_in == 2) {
			/* Div(Mul(x, Clip(Add(x, 3))), 6) */
			for (int side = 0; side < 2; side++) {
				int xv = mid->in[side], xr = static_rank(g, xv);
				if (!const_scalar(g, root->in[1], xr, &k) && k == 6.0f &&
				    (cl = hswish_clip(g, mid->in[1 - side], xv, xr, &ad)) != NULL) {
					ad->op = cl->op = mid->op = NULL;
					root->op = hs;
					root->in[0] = xv;
					root->n_in = 1;
					break;
				}
			}
		} else if (!strcmp(root->op->name, "Mul")) {
			/* Mul(x, Div(Clip(Add(x, 3)), 6)) */
			for (int side = 0; side < 2; side++) {
				int xv = root->in[side], xr = static_rank(g, xv);
				mid = producer_of(g, root->in[1 - side], "Div");
				if (!mid || mid->n_in != 2 || const_scalar(g, mid->in[1], xr, &k) || k != 6.0f ||
				    !(cl = hswish_clip(g, mid->in[0], xv, xr, &ad)))
					continue;
				ad->op = cl->op = mid->op = NULL;
				root->op = hs;
				root->in[0] = xv;
				root->n_in = 1;
				break;
			}
		}
	}
}

/* Conv/Gemm/MatMul followed by a cheap activation: the producer writes the activation's output directly. */
static void fuse_activations(struct graph *g)
{
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *p = &g->nodes[i];
		if (node_is_dead(p) || p->n_out < 1 || p->out[0] < 0 || p->act)
			continue;
		if (strcmp(p->op->name, "Conv") && strcmp(p->op->name, "Gemm") && strcmp(p->op->name, "ConvTranspose"))
			continue;
		int v = p->out[0], c;
		if (g->values[v].is_output || !value_single_consumer(g, v, &c))
			continue;
		struct node *a = &g->nodes[c];
		if (a->n_in < 1 || a->in[0] != v || !one_output(a))
			continue;
		const char *an = a->op->name;
		a->attr_bad = NULL;
		if (!strcmp(an, "Relu")) {
			p->act = ACT_RELU;
		} else if (!strcmp(an, "LeakyRelu")) {
			p->act = ACT_LEAKY;
			p->act_a = onnx_attr_f(a, "alpha", 0.01f);
		} else if (!strcmp(an, "HardSigmoid")) {
			p->act = ACT_HSIGMOID;
			p->act_a = onnx_attr_f(a, "alpha", 0.2f);
			p->act_b = onnx_attr_f(a, "beta", 0.5f);
		} else if (!strcmp(an, "HardSwish")) {
			p->act = ACT_HSWISH;
		} else if (!strcmp(an, "Clip")) {
			float lo = -INFINITY, hi = INFINITY;
			if (a->opset < 11) {
				lo = onnx_attr_f(a, "min", -INFINITY);
				hi = onnx_attr_f(a, "max", INFINITY);
			} else {
				for (int k = 1; k < 3 && k < a->n_in; k++) {
					if (a->in[k] < 0)
						continue;
					const struct tensor *t = &g->values[a->in[k]].t;
					if (!t->is_const || t->packed || t->dtype != CELLA_ONNX_FLOAT ||
					    onnx_tensor_count(t) != 1)
						goto next;
					if (k == 1)
						lo = *(const float *)t->data;
					else
						hi = *(const float *)t->data;
				}
			}
			p->act = ACT_CLIP;
			p->act_a = lo;
			p->act_b = hi;
		} else {
			continue;
		}
		if (a->attr_bad) { /* a mistyped attribute: not fused, the node fails when it runs */
			p->act = ACT_NONE;
			p->act_a = p->act_b = 0;
			continue;
		}
		p->out[0] = a->out[0];
		g->values[a->out[0]].producer = i;
		a->op = NULL; /* dead */
	next:;
	}
}

/* For each value of g, how many times the nodes that run read it: as inputs, and through the subgraphs they hold
 * (node.cap). NULL when out of memory. */
static int *value_reads(const struct graph *g)
{
	int *reads = calloc((size_t)g->n_values + 1, sizeof(int));
	for (int i = 0; reads && i < g->n_nodes; i++) {
		const struct node *n = &g->nodes[i];
		if (node_is_dead(n) || n->folded)
			continue;
		for (int k = 0; k < n->n_in + n->n_cap; k++) {
			int v = k < n->n_in ? n->in[k] : n->cap[k - n->n_in];
			if (v >= 0)
				reads[v]++;
		}
	}
	return reads;
}

/* Constants that no live node reads any more (replaced by folded copies) release their memory. */
static void drop_dead_constants(struct model *m, struct graph *g)
{
	int *reads = value_reads(g);
	if (!reads)
		return;
	for (int v = 0; v < g->n_values; v++) {
		struct value *val = &g->values[v];
		if (reads[v] || val->is_output || !val->const_mem)
			continue;
		const_release(m, val);
	}
	free(reads);
}

/*
 * In the prepare pass, once node n is prepared: a constant whose one reader is n, holding it in another form
 * (node.packed_in: Conv's packed weight), is freed, so the model does not hold its weights twice, not even while
 * it loads. It is kept when anything else may read it: a graph output, a second input of any node that runs (of
 * the same node too; a weight under two Convs, each with its packed copy), an outer value a subgraph reads
 * (node.cap), a value borrowed from an enclosing graph. What is freed stays a known constant of its type and dims,
 * marked packed, so no pass or op can mistake it for data. reads: value_reads(g).
 */
static void drop_packed_weights(struct model *m, struct graph *g, const struct node *n, const int *reads)
{
	for (int k = 0; k < n->n_in && k < 32; k++) {
		struct value *val = n->in[k] >= 0 ? &g->values[n->in[k]] : NULL;
		if (!(n->packed_in >> k & 1) || !val || reads[n->in[k]] != 1 || val->is_output || val->is_input ||
		    val->outer >= 0 || !val->t.is_const || !val->const_mem || val->t.data != val->const_mem)
			continue;
		const_release(m, val);
		val->t.packed = 1;
	}
}

static void compute_liveness(struct graph *g)
{
	for (int v = 0; v < g->n_values; v++)
		g->values[v].last_use = g->values[v].is_output ? g->n_nodes : g->values[v].producer;
	for (int i = 0; i < g->n_nodes; i++) {
		const struct node *n = &g->nodes[i];
		if (node_is_dead(n))
			continue;
		for (int k = 0; k < n->n_in + n->n_cap; k++) {
			int v = k < n->n_in ? n->in[k] : n->cap[k - n->n_in];
			if (v >= 0 && g->values[v].last_use < i)
				g->values[v].last_use = i;
		}
	}
}

static int node_has_subgraph(const struct node *n)
{
	for (int k = 0; k < n->n_attr; k++)
		if (n->attr[k].g)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ float16 and bfloat16 */

/* The half type (tensor.half) of node n's float outputs: that of its first floating-point input (an ONNX op's float
 * output has the type of its first float input: Pow's base, Resize's X, DequantizeLinear's scale), unless the op
 * sets its outputs' types (ONNX_TYPE_SET) or an attribute does (EyeLike's dtype, the window operators'
 * output_datatype). Only the type recorded changes: the values are float32 already. */
static void half_follow(struct exec *x, struct node *n)
{
	struct graph *g = x->g;
	int half = 0;
	for (int k = 0; k < n->n_in; k++) {
		const struct tensor *t = n->in[k] >= 0 ? &g->values[n->in[k]].t : NULL;
		if (t && onnx_dtype_is_fp(t->dtype)) {
			half = t->half;
			break;
		}
	}
	/* after every node's run: the attribute lookups only for the nodes of float16/bfloat16 models */
	if (!half || (n->op->flags & ONNX_TYPE_SET) || onnx_attr_get(n, "dtype") || onnx_attr_get(n, "output_datatype"))
		return;
	for (int k = 0; half && k < n->n_out && (k == 0 || !(n->op->flags & ONNX_HALF_FIRST)); k++) {
		struct tensor *t = n->out[k] >= 0 ? &g->values[n->out[k]].t : NULL;
		if (t && t->known && t->dtype == CELLA_ONNX_FLOAT && !t->half)
			t->half = half;
	}
}

/* Runs one of a node's op functions (run or prepare): a mistyped attribute it read fails the node, whatever else
 * the op found. What went wrong in detail is left in m->why for node_fail. */
static cella_result op_call(struct exec *x, struct node *n, op_fn fn)
{
	n->attr_bad = NULL;
	x->refused = 0;
	x->m->why[0] = '\0';
	for (int k = 0; k < n->n_in; k++) {
		const struct value *v = n->in[k] >= 0 ? &x->g->values[n->in[k]] : NULL;
		int fl = n->op->flags, carried = k >= 2 && (fl & ONNX_SEQ_CARRIED);
		if (v && v->t.seq && !((k == 0 && (fl & ONNX_SEQ_IN0)) || carried || (fl & ONNX_SEQ_ANY)))
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input %d ('%s') is a sequence; %s takes %s", k,
					    v->name, n->op->name,
					    fl & (ONNX_SEQ_IN0 | ONNX_SEQ_CARRIED) ? "a tensor there" : "tensors");
		if (v && v->t.none && !((k == 0 && (fl & ONNX_NONE_IN0)) || carried))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d ('%s') is an empty optional; %s takes a value "
					    "there", k, v->name, n->op->name);
		if (v && v->t.dtype == CELLA_ONNX_STRING && !((k == 0 && (fl & ONNX_STR_IN0)) || (fl & ONNX_STR_ANY) ||
							      (k == 1 && (fl & ONNX_STR_IN1)) || (k == 2 && (fl & ONNX_STR_IN2))))
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input %d ('%s') is %s; %s takes numbers%s", k,
					    v->name, v->t.seq ? "a sequence of strings" : v->t.none ? "an empty optional of strings"
					    : "a string tensor", n->op->name,
					    fl & (ONNX_STR_IN0 | ONNX_STR_IN1 | ONNX_STR_IN2) ? " there" : "");
	}
	cella_result r = fn(x, n);
	if (r == CELLA_OK && fn == n->op->run)
		half_follow(x, n);
	if (r == CELLA_ERR_OUT_OF_MEMORY && x->refused)
		r = onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "working memory over max_tensor_bytes (%llu)",
				 (unsigned long long)x->m->opt.max_tensor_bytes);
	if (n->attr_bad && n->attr_range)
		r = onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' is %lld, out of range", n->attr_bad,
				 (long long)n->attr_value);
	else if (n->attr_bad)
		r = onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' has the wrong type", n->attr_bad);
	return r;
}

/* Reports a node's failure r: "node 'NAME' (Op)[when]: what r means[: the op's detail]", to the log; at run inside
 * a subgraph, as the detail of the enclosing node's failure instead (If: which node of which branch failed). */
static void node_fail(struct exec *x, const struct node *n, cella_result r, const char *when)
{
	struct model *m = x->m;
	char detail[sizeof(m->why)];
	memcpy(detail, m->why, sizeof(detail));
	if (x->sub)
		(void)onnx_op_fail(x, r, "node '%s' (%s): %s%s%s", n->name, n->op->name, cella_result_str(r),
				   detail[0] ? ": " : "", detail);
	else
		onnx_log(m, "node '%s' (%s)%s: %s%s%s", n->name, n->op->name, when, cella_result_str(r),
			 detail[0] ? ": " : "", detail);
}

/* After a node's op returned CELLA_OK: an output it declares (a non-empty name) that the op did not produce (Relu
 * given two outputs, BatchNormalization's running mean outside training) is CELLA_ERR_MODEL, named; a consumer
 * would otherwise read a tensor that has no data. An op that makes no strings may still have been asked for some
 * (EyeLike's dtype, ConstantOfShape's value): CELLA_ERR_MODEL_UNSUPPORTED, whatever it wrote. */
static cella_result check_outputs(struct exec *x, const struct node *n)
{
	for (int k = 0; k < n->n_out; k++) {
		const struct value *v = n->out[k] >= 0 ? &x->g->values[n->out[k]] : NULL;
		if (v && !v->t.known)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "output %d ('%s') is declared, but %s does not produce it",
					    k, v->name, n->op->name);
		if (v && v->t.dtype == CELLA_ONNX_STRING && !(n->op->flags & ONNX_STR_MASK))
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "output %d ('%s') would hold strings; %s makes "
					    "numbers", k, v->name, n->op->name);
	}
	return CELLA_OK;
}

/* The bytes of t's strings, if it is a string tensor with data. */
static uint64_t fold_string_bytes(const struct tensor *t)
{
	if (t->dtype != CELLA_ONNX_STRING || !t->data || t->seq)
		return 0;
	return onnx_str_bytes(t->data, t->bytes / sizeof(struct cella_onnx_string));
}

/* The strings of node n's folded outputs, copied into the model's arena for its lifetime: the op made them in the
 * run's arena (reset by the first run), or they are a constant's (an initializer's block, freed by
 * drop_dead_constants when the folded copy is its only reader). */
static cella_result fold_strings(struct model *m, struct graph *g, struct node *n)
{
	for (int k = 0; k < n->n_out; k++) {
		struct tensor *t = n->out[k] >= 0 ? &g->values[n->out[k]].t : NULL;
		if (!t || !fold_string_bytes(t))
			continue;
		struct cella_onnx_string *s = t->data;
		for (size_t i = 0; i < t->bytes / sizeof(*s); i++) {
			char *p;
			cella_result r = onnx_str_alloc(&m->str_const, s[i].len, UINT64_MAX, &p);
			if (r != CELLA_OK)
				return r;
			if (s[i].len)
				memcpy(p, s[i].data, s[i].len);
			s[i].data = p;
		}
	}
	return CELLA_OK;
}

/* Static pass: folds nodes whose inputs are all constant, infers shapes where inputs are known. */
static cella_result shape_pass(struct model *m, struct graph *g)
{
	struct exec x = { m, g, MODE_DRY, 0, 0, 0 };
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *n = &g->nodes[i];
		if (node_is_dead(n))
			continue;
		int all_known = 1, all_const = 1;
		for (int k = 0; k < n->n_in; k++) {
			if (n->in[k] < 0)
				continue;
			const struct tensor *t = &g->values[n->in[k]].t;
			all_known &= t->known && g->values[n->in[k]].outer < 0;
			all_const &= t->is_const && !t->packed && g->values[n->in[k]].outer < 0;
		}
		if (node_has_subgraph(n) || n->n_cap)
			all_const = all_known = 0;
		if (!all_known)
			continue;
		x.mode = all_const ? MODE_FOLD : MODE_DRY;
		onnx_str_reset(&m->str_run); /* what the node folds is moved to str_const (fold_strings) */
		cella_result r = op_call(&x, n, n->op->run);
		if (r == CELLA_OK)
			r = check_outputs(&x, n);
		if (r == CELLA_OK && all_const) {
			uint64_t bytes = 0, budget = m->opt.max_tensor_bytes;
			for (int k = 0; k < n->n_out; k++)
				if (n->out[k] >= 0)
					bytes += g->values[n->out[k]].t.bytes + fold_string_bytes(&g->values[n->out[k]].t);
			if (m->folded_bytes + bytes > budget) {
				/* folding at load is bounded in total too (a few bytes of ConstantOfShape could otherwise ask
				 * for gigabytes): past the budget the node stays in the graph and runs like any other */
				for (int k = 0; k < n->n_out; k++)
					if (n->out[k] >= 0) {
						struct value *v = &g->values[n->out[k]];
						free(v->const_mem);
						v->const_mem = NULL;
						v->t.data = NULL;
						v->t.is_const = 0;
					}
				continue;
			}
			if ((r = fold_strings(m, g, n)) != CELLA_OK) {
				node_fail(&x, n, r, " at load");
				return r;
			}
			m->folded_bytes += bytes;
			m->weight_bytes += bytes;
			n->folded = 1;
			/* a folded node never runs: its tensor attributes (a Constant's value, which many exporters use
			 * for weights) are not held next to the folded copy */
			for (int k = 0; k < n->n_attr; k++)
				attr_tensor_free(&n->attr[k]);
		} else if (r == CELLA_ERR_NOT_FOUND) {
			for (int k = 0; k < n->n_out; k++)
				if (n->out[k] >= 0)
					g->values[n->out[k]].t.known = 0;
		} else if (r != CELLA_OK) {
			node_fail(&x, n, r, " at load");
			return r;
		}
	}
	/* shapes from the dry pass are re-derived at run time: only constants stay "known" */
	for (int v = 0; v < g->n_values; v++) {
		struct tensor *t = &g->values[v].t;
		if (!t->is_const && !g->values[v].is_input)
			t->known = 0;
	}
	return CELLA_OK;
}

static cella_result prepare_pass(struct model *m, struct graph *g)
{
	struct exec x = { m, g, MODE_RUN, 0, 0, 0 };
	int *reads = value_reads(g); /* NULL: no weight is dropped, only memory is lost */
	cella_result r = CELLA_OK;
	for (int i = 0; i < g->n_nodes && r == CELLA_OK; i++) {
		struct node *n = &g->nodes[i];
		if (node_is_dead(n) || n->folded)
			continue;
		for (int k = 0; k < n->n_attr && r == CELLA_OK; k++)
			if (n->attr[k].g)
				r = prepare_pass(m, n->attr[k].g);
		if (r == CELLA_OK && n->op->prepare && (r = op_call(&x, n, n->op->prepare)) != CELLA_OK)
			node_fail(&x, n, r, " at load");
		if (r == CELLA_OK && reads && n->packed_in)
			drop_packed_weights(m, g, n, reads);
	}
	free(reads);
	return r;
}

static cella_result optimize_graph(struct model *m, struct graph *g)
{
	cella_result r;
	for (int i = 0; i < g->n_nodes; i++)
		for (int k = 0; k < g->nodes[i].n_attr; k++)
			if (g->nodes[i].attr[k].g && (r = optimize_graph(m, g->nodes[i].attr[k].g)) != CELLA_OK)
				return r;
	if ((r = shape_pass(m, g)) != CELLA_OK)
		return r;
	fold_batchnorm(m, g);
	fold_affine(m, g);
	fuse_hardswish(g);
	fuse_activations(g);
	drop_dead_constants(m, g); /* values read by subgraphs count as used through node->cap */
	compute_liveness(g);
	return CELLA_OK;
}

/* ------------------------------------------------------------------ public: load */

cella_result cella_onnx_model_new(const void *bytes, size_t len, const struct cella_onnx_options *opt,
				  struct cella_onnx_model **out) /* see cella/onnx.h */
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	Onnx__ModelProto *mp = NULL;
	struct model *m = NULL;
	if (!bytes && len)
		return CELLA_ERR_INVALID_ARG;
	m = calloc(1, sizeof(*m));
	if (!m)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (opt)
		m->opt = *opt;
	/* resolved once: 0 is the default, and the cap keeps every size derived from it (buffers rounded up to 64
	 * bytes, element counts times element sizes) far from wrapping */
	if (m->opt.max_tensor_bytes == 0)
		m->opt.max_tensor_bytes = DEFAULT_MAX_TENSOR;
	if (m->opt.max_tensor_bytes > CELLA_ONNX_MAX_TENSOR_BYTES)
		m->opt.max_tensor_bytes = CELLA_ONNX_MAX_TENSOR_BYTES;
	if (m->opt.max_loop_iterations == 0)
		m->opt.max_loop_iterations = DEFAULT_MAX_LOOP_ITERATIONS;
	onnx_gemm_select(&m->gk, m->opt.cpu_disable);
	m->n_tasks = 1;
	if (m->opt.threads > 1) {
		unsigned t = m->opt.threads > 64 ? 64 : m->opt.threads;
		CELLA_CHECK(onnx_pool_new(t - 1, &m->pool));
		if (m->pool) {
			m->task_scratch = calloc(t, sizeof(float *));
			if (!m->task_scratch)
				CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
			m->n_task_scratch = t;
			size_t bytes = (onnx_sgemm_scratch_floats(&m->gk) * sizeof(float) + 63) & ~(size_t)63;
			for (unsigned i = 1; i < t; i++)
				if (!(m->task_scratch[i] = aligned_alloc(64, bytes)))
					CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
			m->n_tasks = t;
		}
	}
	if (onnx_pb_check_model(bytes, len) != CELLA_OK) {
		onnx_log(m, "model bytes are not a well-formed protobuf (or nest too deeply)");
		CELLA_FAIL(CELLA_ERR_MODEL);
	}
	mp = onnx__model_proto__unpack(NULL, len, bytes);
	if (!mp) {
		onnx_log(m, "model bytes do not decode as onnx.ModelProto");
		CELLA_FAIL(CELLA_ERR_MODEL);
	}
	if (!mp->graph) {
		onnx_log(m, "model has no graph");
		CELLA_FAIL(CELLA_ERR_MODEL);
	}
	if (!mp->has_ir_version || mp->ir_version < ONNX_MIN_IR || mp->ir_version > ONNX_MAX_IR) {
		onnx_log(m, "unsupported IR version %lld (supported %d..%d)", (long long)mp->ir_version, ONNX_MIN_IR,
			 ONNX_MAX_IR);
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED);
	}
	/* the default domain's opset is checked here; a model may import none (its nodes are then all of other
	 * domains, the training optimizers'), whose opset node_op checks */
	m->opset = 0;
	m->opset_training = -1;
	int have_default = mp->n_opset_import == 0;
	for (size_t i = 0; i < mp->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *os = mp->opset_import[i];
		const char *d = os->domain ? os->domain : "";
		int v = os->has_version ? (int)(os->version > INT_MAX ? INT_MAX : os->version < 0 ? 0 : os->version) : 0;
		if (!d[0] || !strcmp(d, "ai.onnx")) {
			m->opset = v;
			have_default = 1;
		} else if (!strcmp(d, ONNX_TRAINING_DOMAIN)) {
			m->opset_training = v;
		}
	}
	if (m->opset == 0 && mp->n_opset_import == 0)
		m->opset = 1; /* IR 3 models without opset_import use opset 1 */
	if (have_default && (m->opset < 1 || m->opset > ONNX_MAX_OPSET)) {
		onnx_log(m, "unsupported default-domain opset %d (supported 1..%d)", m->opset, ONNX_MAX_OPSET);
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED);
	}
	m->msg[0] = '\0';
	CELLA_CHECK(build_graph(m, NULL, mp->graph, 0, &m->g));
	onnx__model_proto__free_unpacked(mp, NULL);
	mp = NULL;
	CELLA_CHECK(optimize_graph(m, m->g));
	CELLA_CHECK(prepare_pass(m, m->g));
	*out = (struct cella_onnx_model *)m;
	m = NULL;
	r = CELLA_OK;
out:
	if (m && !m->msg[0]) /* every failure says something, if only what its code means */
		onnx_log(m, "model cannot be loaded: %s", cella_result_str(r));
	if (mp)
		onnx__model_proto__free_unpacked(mp, NULL);
	cella_onnx_model_free((struct cella_onnx_model *)m);
	return r;
}

void cella_onnx_model_free(struct cella_onnx_model *cm) /* see cella/onnx.h */
{
	struct model *m = (struct model *)cm;
	if (!m)
		return;
	for (int i = 0; m->out_buf && i < m->g->n_outputs; i++) {
		free(m->out_buf[i].p);
		free(m->out_buf[i].items);
	}
	free(m->out_buf);
	free(m->in_items);
	graph_free(m->g);
	for (int i = 0; i < m->n_bufs; i++)
		free(m->bufs[i].p);
	free(m->bufs);
	for (int i = 0; i < 3; i++)
		free(m->scratch[i]);
	for (int i = 0; i < ONNX_MAX_SINKS; i++)
		free(m->sink_mem[i]);
	onnx_str_free(&m->str_run);
	onnx_str_free(&m->str_const);
	onnx_pool_free(m->pool);
	for (unsigned i = 0; i < m->n_task_scratch; i++)
		free(m->task_scratch[i]);
	free(m->task_scratch);
	free(m);
}

size_t cella_onnx_model_input_count(const struct cella_onnx_model *cm) /* see cella/onnx.h */
{
	return (size_t)((const struct model *)cm)->g->n_inputs;
}

size_t cella_onnx_model_output_count(const struct cella_onnx_model *cm) /* see cella/onnx.h */
{
	return (size_t)((const struct model *)cm)->g->n_outputs;
}

static void info_from(const struct value *v, struct cella_onnx_tensor *info)
{
	memset(info, 0, sizeof(*info));
	info->dtype = (cella_onnx_dtype)onnx_seen_type(v->t.dtype, v->t.half);
	info->rank = v->t.rank < 0 ? 0 : (uint32_t)v->t.rank;
	for (int d = 0; d < v->t.rank; d++)
		info->dims[d] = v->t.dims[d];
	if (v->t.is_const) {
		info->data = v->t.data;
		info->bytes = v->t.bytes;
	}
}

cella_result cella_onnx_model_input_info(const struct cella_onnx_model *cm, size_t i, const char **name,
					 struct cella_onnx_tensor *info) /* see cella/onnx.h */
{
	const struct model *m = (const struct model *)cm;
	if (i >= (size_t)m->g->n_inputs)
		return CELLA_ERR_NOT_FOUND;
	const struct value *v = &m->g->values[m->g->inputs[i]];
	*name = v->name;
	memset(info, 0, sizeof(*info));
	info->dtype = (cella_onnx_dtype)onnx_seen_type(v->t.dtype, v->decl_half);
	info->rank = v->decl_rank < 0 ? 0 : (uint32_t)v->decl_rank;
	for (int d = 0; d < v->decl_rank; d++)
		info->dims[d] = v->decl_dims[d];
	return CELLA_OK;
}

cella_result cella_onnx_model_output_info(const struct cella_onnx_model *cm, size_t i, const char **name,
					  struct cella_onnx_tensor *info) /* see cella/onnx.h */
{
	const struct model *m = (const struct model *)cm;
	if (i >= (size_t)m->g->n_outputs)
		return CELLA_ERR_NOT_FOUND;
	const struct value *v = &m->g->values[m->g->outputs[i]];
	*name = v->name;
	if (v->t.is_const || v->is_input) {
		info_from(v, info);
		info->data = NULL;
		if (v->is_input) {
			info->rank = v->decl_rank < 0 ? 0 : (uint32_t)v->decl_rank;
			for (int d = 0; d < v->decl_rank; d++)
				info->dims[d] = v->decl_dims[d];
		}
		return CELLA_OK;
	}
	memset(info, 0, sizeof(*info));
	info->dtype = (cella_onnx_dtype)onnx_seen_type(v->decl_dtype, v->decl_half);
	info->rank = v->decl_rank < 0 ? 0 : (uint32_t)v->decl_rank;
	for (int d = 0; d < v->decl_rank; d++)
		info->dims[d] = v->decl_dims[d];
	return CELLA_OK;
}

uint32_t cella_onnx_model_input_form(const struct cella_onnx_model *cm, size_t i) /* see cella/onnx.h */
{
	const struct model *m = (const struct model *)cm;
	return i < (size_t)m->g->n_inputs ? m->g->values[m->g->inputs[i]].decl_form : CELLA_ONNX_FORM_NOT_FOUND;
}

uint32_t cella_onnx_model_output_form(const struct cella_onnx_model *cm, size_t i) /* see cella/onnx.h */
{
	const struct model *m = (const struct model *)cm;
	return i < (size_t)m->g->n_outputs ? m->g->values[m->g->outputs[i]].decl_form : CELLA_ONNX_FORM_NOT_FOUND;
}

void cella_onnx_model_stats(const struct cella_onnx_model *cm, struct cella_onnx_stats *st) /* see cella/onnx.h */
{
	const struct model *m = (const struct model *)cm;
	uint32_t nodes = 0;
	for (int i = 0; i < m->g->n_nodes; i++)
		nodes += !node_is_dead(&m->g->nodes[i]) && !m->g->nodes[i].folded;
	memset(st, 0, sizeof(*st));
	st->weight_bytes = m->weight_bytes;
	st->arena_bytes = m->arena_bytes;
	st->arena_peak_bytes = m->arena_peak;
	st->nodes = nodes;
	for (int i = 0; i < 3; i++)
		st->arena_bytes += m->scratch_cap[i];
	st->arena_bytes += m->str_run.held;
}

/* ------------------------------------------------------------------ execution */

static void graph_release_all(struct model *m, struct graph *g)
{
	for (int v = 0; v < g->n_values; v++) {
		struct tensor *t = &g->values[v].t;
		if (t->buf >= 0 || t->seq || t->none)
			tensor_release(m, t);
		if (!t->is_const && !g->values[v].is_input) {
			t->data = NULL;
			t->known = 0;
		}
	}
}

static cella_result graph_exec(struct exec *x)
{
	struct graph *g = x->g;
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *n = &g->nodes[i];
		if (node_is_dead(n) || n->folded)
			continue;
		for (int k = 0; k < n->n_in; k++) {
			const struct value *v = n->in[k] >= 0 ? &g->values[n->in[k]] : NULL;
			/* a packed weight reaches only the node that packed it, which reads its type and dims */
			if (!v || v->t.data || !v->t.bytes || (v->t.packed && k < 32 && (n->packed_in >> k & 1)))
				continue;
			cella_result r = onnx_op_fail(x, CELLA_ERR_UNEXPECTED, "input %d ('%s') %s", k, v->name,
						      v->t.packed ? "was freed at load, packed by the node that alone read it"
								  : "has no data");
			node_fail(x, n, r, "");
			return r;
		}
		x->cur = i;
		for (int k = 0; k < n->n_out; k++)
			if (n->out[k] >= 0)
				g->values[n->out[k]].t.known = 0; /* until the op produces it */
		cella_result r = op_call(x, n, n->op->run);
		if (r == CELLA_OK)
			r = check_outputs(x, n);
		if (r != CELLA_OK) {
			node_fail(x, n, r, "");
			return r;
		}
		for (int k = 0; k < n->n_in + n->n_cap + n->n_out; k++) {
			int v = k < n->n_in ? n->in[k] : k < n->n_in + n->n_cap ? n->cap[k - n->n_in]
										: n->out[k - n->n_in - n->n_cap];
			if (v >= 0 && g->values[v].last_use <= i && !g->values[v].is_output)
				tensor_release(x->m, &g->values[v].t);
		}
	}
	return CELLA_OK;
}

cella_result onnx_graph_run(struct exec *parent, struct graph *g)
{
	struct exec x = { parent->m, g, MODE_RUN, 0, 0, 1 };
	for (int v = 0; v < g->n_values; v++) {
		struct value *val = &g->values[v];
		if (val->outer >= 0) {
			val->t = parent->g->values[val->outer].t;
			val->t.buf = -1; /* borrowed from the enclosing graph */
			val->t.seq_own = 0;
		}
	}
	cella_result r = graph_exec(&x);
	if (r != CELLA_OK)
		graph_release_all(x.m, g);
	return r;
}

void onnx_graph_done(struct model *m, struct graph *g) { graph_release_all(m, g); }

void onnx_graph_bind(struct graph *g, int i, const struct tensor *t)
{
	struct tensor *b = &g->values[g->inputs[i]].t;
	b->seq = t->seq;
	b->seq_own = 0;
	b->none = t->none;
	b->half = t->half;
	b->dtype = t->dtype;
	b->rank = t->rank;
	memcpy(b->dims, t->dims, sizeof(b->dims));
	b->data = t->data;
	b->bytes = t->bytes;
	b->known = 1;
	b->buf = -1;
}

/* A float16/bfloat16 run input (u's data) bound to t as float32, in an arena buffer released with t. */
static cella_result half_input(struct model *m, struct tensor *t, const struct cella_onnx_tensor *u)
{
	size_t c = (size_t)cella_onnx_tensor_count(u);
	int slot;
	cella_result r = arena_alloc(m, c * 4, &slot);
	if (r != CELLA_OK)
		return r;
	onnx_half_to_f32(u->data, (int)u->dtype, m->bufs[slot].p, c);
	t->data = m->bufs[slot].p;
	t->bytes = c * 4;
	t->buf = slot;
	return CELLA_OK;
}

/* The buffer for graph output i's narrowed float16/bfloat16 values, of at least bytes, or NULL. */
static void *out_half_buf(struct model *m, size_t i, size_t bytes)
{
	struct out_buf *b = &m->out_buf[i];
	if (bytes > b->cap || !b->p) {
		void *p = malloc(bytes ? bytes : 1);
		if (!p)
			return NULL;
		free(b->p);
		b->p = p;
		b->cap = bytes ? bytes : 1;
	}
	return b->p;
}

/* Tensor t (held as float32 when half) shown to the caller as out: a view of its data, or its values narrowed to
 * half (float16/bfloat16) into dst, which is then advanced past them. The tensor t may be a constant, or read again
 * (a subgraph's, an input's), so it is not narrowed where it lies. */
static void tensor_show(const struct tensor *t, int half, struct cella_onnx_tensor *out, uint8_t **dst)
{
	size_t c = onnx_tensor_count(t);
	memset(out, 0, sizeof(*out));
	out->rank = (uint32_t)t->rank;
	for (int d = 0; d < t->rank; d++)
		out->dims[d] = t->dims[d];
	if (half && t->dtype == CELLA_ONNX_FLOAT) {
		onnx_f32_to_half(t->data, half, *dst, c);
		out->dtype = (cella_onnx_dtype)half;
		out->data = *dst;
		out->bytes = c * 2;
		*dst += c * 2;
		return;
	}
	out->dtype = (cella_onnx_dtype)t->dtype;
	out->data = t->data;
	out->bytes = t->bytes;
}

/* Graph output i (value ov) shown to the caller as out (kind, and the tensor or the sequence's items, in the
 * model's out_buf[i] where they are not views). */
static cella_result output_show(struct model *m, size_t i, const struct value *ov, struct cella_onnx_value *out)
{
	const struct tensor *t = &ov->t;
	int half = ov->decl_half ? ov->decl_half : ov->decl_dtype ? 0 : t->half;
	struct out_buf *b = &m->out_buf[i];
	uint8_t *dst = NULL;
	memset(out, 0, sizeof(*out));
	out->tensor.dtype = (cella_onnx_dtype)onnx_seen_type(t->dtype, t->half);
	if (t->none) {
		out->kind = CELLA_ONNX_VALUE_NONE;
		return CELLA_OK;
	}
	if (!t->seq) {
		size_t c = onnx_tensor_count(t);
		if (half && t->dtype == CELLA_ONNX_FLOAT && !(dst = out_half_buf(m, i, c * 2)))
			return CELLA_ERR_OUT_OF_MEMORY;
		tensor_show(t, half, &out->tensor, &dst);
		return CELLA_OK;
	}
	const struct onnx_seq *s = t->seq;
	size_t halves = 0;
	half = t->half;
	for (size_t k = 0; half && k < s->n; k++)
		halves += onnx_tensor_count(&s->it[k]) * 2;
	if (s->n > b->n_cap || !b->items) {
		struct cella_onnx_tensor *it = calloc(s->n ? s->n : 1, sizeof(*it));
		if (!it)
			return CELLA_ERR_OUT_OF_MEMORY;
		free(b->items);
		b->items = it;
		b->n_cap = s->n ? s->n : 1;
	}
	if (half && !(dst = out_half_buf(m, i, halves)))
		return CELLA_ERR_OUT_OF_MEMORY;
	for (size_t k = 0; k < s->n; k++)
		tensor_show(&s->it[k], half, &b->items[k], &dst);
	out->kind = CELLA_ONNX_VALUE_SEQUENCE;
	out->tensor.dtype = (cella_onnx_dtype)onnx_seen_type(s->dtype, s->half);
	out->items = b->items;
	out->n_items = s->n;
	return CELLA_OK;
}

/* Checks tensor u, given for run input i (tensor k of its sequence when k >= 0), against the declared element type
 * and shape and the limits; logs what is wrong. */
static cella_result check_tensor(struct model *m, size_t i, long k, const struct cella_onnx_tensor *u)
{
	const struct value *iv = &m->g->values[m->g->inputs[i]];
	int dt = onnx_seen_type(iv->t.dtype, iv->decl_half);
	size_t es = onnx_dtype_size(dt);
	uint64_t count;
	char who[160];
	if (k >= 0)
		snprintf(who, sizeof(who), "input %zu ('%.64s'), tensor %ld of its sequence", i, iv->name, k);
	else
		snprintf(who, sizeof(who), "input %zu ('%.64s')", i, iv->name);
	if ((int)u->dtype != dt) {
		onnx_log(m, "%s: type %s, declared %s", who, cella_onnx_dtype_name(u->dtype),
			 cella_onnx_dtype_name((cella_onnx_dtype)dt));
		return CELLA_ERR_INVALID_ARG;
	}
	if (u->rank > MAXR || (iv->decl_rank >= 0 && (int)u->rank != iv->decl_rank)) {
		onnx_log(m, "%s: rank %u, declared %d (at most %d)", who, u->rank, iv->decl_rank, MAXR);
		return CELLA_ERR_INVALID_ARG;
	}
	for (uint32_t d = 0; d < u->rank; d++) {
		if (u->dims[d] < 0 || (iv->decl_rank >= 0 && iv->decl_dims[d] >= 0 && iv->decl_dims[d] != u->dims[d])) {
			onnx_log(m, "%s: dim %u is %lld, declared %lld", who, d, (long long)u->dims[d],
				 (long long)(iv->decl_rank >= 0 ? iv->decl_dims[d] : -1));
			return CELLA_ERR_INVALID_ARG;
		}
	}
	if (onnx_dims_count(u->dims, (int)u->rank, onnx_max_count(m->opt.max_tensor_bytes, iv->t.dtype), &count) !=
	    CELLA_OK) {
		onnx_log(m, "%s: its dims, each 0 taken as 1, give more than max_tensor_bytes (%llu)%s", who,
			 (unsigned long long)m->opt.max_tensor_bytes,
			 iv->decl_half ? " as float32, in which float16 and bfloat16 are computed" : "");
		return CELLA_ERR_TOO_LARGE;
	}
	if (u->bytes < count * es || (count && !u->data)) {
		onnx_log(m, "%s: %zu bytes%s for %llu elements of %zu bytes", who, u->bytes, u->data ? "" : " and no data",
			 (unsigned long long)count, es);
		return CELLA_ERR_INVALID_ARG;
	}
	return CELLA_OK;
}

static const char *form_name(uint32_t form)
{
	static const char *const names[] = { "a tensor", "a sequence", "an optional tensor", "an optional sequence" };
	return names[form & 3];
}

/* Checks run input i, v (the engine's copy of the caller's description), against its declared form, then its
 * tensors (check_tensor); a sequence's tensor descriptions are copied in first (v->items then points at the copy, in
 * m->in_items until the next input), so that what is checked is what bind_input takes. Logs what is wrong. */
static cella_result check_input(struct model *m, size_t i, struct cella_onnx_value *v)
{
	const struct value *iv = &m->g->values[m->g->inputs[i]];
	uint32_t form = iv->decl_form;
	int seq = v->kind == CELLA_ONNX_VALUE_SEQUENCE;
	if (v->kind != CELLA_ONNX_VALUE_TENSOR && !seq && v->kind != CELLA_ONNX_VALUE_NONE) {
		onnx_log(m, "input %zu ('%s'): kind %d is not a cella_onnx_value_kind", i, iv->name, (int)v->kind);
		return CELLA_ERR_INVALID_ARG;
	}
	if (v->kind == CELLA_ONNX_VALUE_NONE ? !(form & CELLA_ONNX_FORM_OPTIONAL)
					      : !seq != !(form & CELLA_ONNX_FORM_SEQUENCE)) {
		onnx_log(m, "input %zu ('%s') is %s, declared %s", i, iv->name,
			 v->kind == CELLA_ONNX_VALUE_NONE ? "empty (none)" : seq ? "a sequence" : "a tensor",
			 form_name(form));
		return CELLA_ERR_INVALID_ARG;
	}
	if (!seq)
		return v->kind == CELLA_ONNX_VALUE_NONE ? CELLA_OK : check_tensor(m, i, -1, &v->tensor);
	int dt = onnx_seen_type(iv->t.dtype, iv->decl_half);
	if ((int)v->tensor.dtype != dt) {
		onnx_log(m, "input %zu ('%s'): a sequence of %s, declared of %s", i, iv->name,
			 cella_onnx_dtype_name(v->tensor.dtype), cella_onnx_dtype_name((cella_onnx_dtype)dt));
		return CELLA_ERR_INVALID_ARG;
	}
	if (v->n_items && !v->items) {
		onnx_log(m, "input %zu ('%s'): a sequence of %zu tensors without items", i, iv->name, v->n_items);
		return CELLA_ERR_INVALID_ARG;
	}
	if (v->n_items > m->opt.max_tensor_bytes / sizeof(struct tensor)) {
		onnx_log(m, "input %zu ('%s'): a sequence of %zu tensors, whose descriptions take over max_tensor_bytes "
			 "(%llu)", i, iv->name, v->n_items, (unsigned long long)m->opt.max_tensor_bytes);
		return CELLA_ERR_TOO_LARGE;
	}
	if (v->n_items > m->in_items_cap) {
		struct cella_onnx_tensor *c = malloc(v->n_items * sizeof(*c));
		if (!c)
			return CELLA_ERR_OUT_OF_MEMORY;
		free(m->in_items);
		m->in_items = c;
		m->in_items_cap = v->n_items;
	}
	if (v->n_items)
		memcpy(m->in_items, v->items, v->n_items * sizeof(*v->items));
	v->items = m->in_items;
	for (size_t k = 0; k < v->n_items; k++) {
		cella_result r = check_tensor(m, i, (long)k, &v->items[k]);
		if (r != CELLA_OK)
			return r;
	}
	return CELLA_OK;
}

/* The n strings at s, engine memory already (the caller's records, copied once), pointed at copies of their bytes in
 * the run's string arena: a run does not read the caller's memory once it has taken its inputs in. Run input i
 * (tensor k of its sequence when k >= 0) is named when a string has no data, or the run's strings would take more
 * than max_tensor_bytes. */
static cella_result strings_in(struct model *m, size_t i, long k, struct cella_onnx_string *s, size_t n)
{
	const char *name = m->g->values[m->g->inputs[i]].name;
	char seq[48] = "";
	if (k >= 0)
		snprintf(seq, sizeof(seq), ", tensor %ld of its sequence,", k);
	for (size_t j = 0; j < n; j++) {
		struct cella_onnx_string e = s[j];
		char *p;
		if (e.len && !e.data) {
			onnx_log(m, "input %zu ('%.64s')%s string %zu: %zu bytes and no data", i, name, seq, j, e.len);
			return CELLA_ERR_INVALID_ARG;
		}
		cella_result r = onnx_str_alloc(&m->str_run, e.len, m->opt.max_tensor_bytes, &p);
		if (r == CELLA_ERR_TOO_LARGE)
			onnx_log(m, "input %zu ('%.64s')%s string %zu: %zu bytes, past max_tensor_bytes (%llu) of strings in a "
				 "run", i, name, seq, j, e.len, (unsigned long long)m->opt.max_tensor_bytes);
		if (r != CELLA_OK)
			return r;
		if (e.len)
			memcpy(p, e.data, e.len);
		s[j].data = p;
	}
	return CELLA_OK;
}

/* A string run input (u's records) bound to t: the records copied into an arena buffer released with t, their bytes
 * into the run's string arena. */
static cella_result string_input(struct model *m, size_t i, struct tensor *t, const struct cella_onnx_tensor *u)
{
	size_t c = (size_t)cella_onnx_tensor_count(u);
	int slot;
	cella_result r = arena_alloc(m, c * sizeof(struct cella_onnx_string), &slot);
	if (r != CELLA_OK)
		return r;
	t->data = m->bufs[slot].p;
	t->buf = slot;
	if (c)
		memcpy(t->data, u->data, c * sizeof(struct cella_onnx_string));
	return strings_in(m, i, -1, t->data, c);
}

/* Binds run input i, v (checked), to its graph value t: a tensor's data borrowed (float16/bfloat16 widened into
 * the arena, strings copied in), a sequence copied, an empty optional as one. */
static cella_result bind_input(struct model *m, size_t i, const struct cella_onnx_value *v)
{
	const struct cella_onnx_tensor *u = &v->tensor;
	struct tensor *t = &m->g->values[m->g->inputs[i]].t;
	cella_result r = CELLA_OK;
	t->known = 1;
	t->buf = -1;
	if (v->kind != CELLA_ONNX_VALUE_TENSOR) {
		t->rank = 0;
		t->data = NULL;
		t->bytes = 0;
		t->none = v->kind == CELLA_ONNX_VALUE_NONE;
		if (!t->none && (r = onnx_seq_import(onnx_seen_type(t->dtype, t->half), v->items, v->n_items,
						     &t->seq)) == CELLA_OK)
			t->seq_own = 1;
		for (size_t k = 0; r == CELLA_OK && t->seq && t->dtype == CELLA_ONNX_STRING && k < t->seq->n; k++)
			r = strings_in(m, i, (long)k, t->seq->it[k].data, onnx_tensor_count(&t->seq->it[k]));
		return r;
	}
	t->none = 0;
	t->rank = (int)u->rank;
	for (uint32_t d = 0; d < u->rank; d++)
		t->dims[d] = u->dims[d];
	t->data = u->data;
	t->bytes = (size_t)cella_onnx_tensor_count(u) * onnx_dtype_size(t->dtype);
	if (t->dtype == CELLA_ONNX_STRING)
		return string_input(m, i, t, u);
	return t->half ? half_input(m, t, u) : CELLA_OK;
}

/* One run, for cella_onnx_model_run (tensors: tin and tout) and cella_onnx_model_run_values (values: vin, vout). */
static cella_result model_run(struct model *m, const struct cella_onnx_tensor *tin, const struct cella_onnx_value *vin,
			      size_t n_in, struct cella_onnx_tensor *tout, struct cella_onnx_value *vout, size_t n_out)
{
	struct graph *g = m->g;
	cella_result r = CELLA_ERR_UNEXPECTED;
	int values = vin || vout;
	m->msg[0] = '\0';
	if (n_in != (size_t)g->n_inputs || n_out != (size_t)g->n_outputs || (n_in && !tin && !vin) ||
	    (n_out && !tout && !vout)) {
		onnx_log(m, "run with %zu inputs and %zu outputs%s; the model has %d and %d", n_in, n_out,
			 (n_in && !tin && !vin) || (n_out && !tout && !vout) ? " (and a NULL array)" : "", g->n_inputs,
			 g->n_outputs);
		return CELLA_ERR_INVALID_ARG;
	}
	for (size_t i = 0; !values && i < n_in + n_out; i++) {
		const struct value *v = &g->values[i < n_in ? g->inputs[i] : g->outputs[i - n_in]];
		if (v->decl_form) {
			onnx_log(m, "%s %zu ('%s') is %s: run the model with cella_onnx_model_run_values",
				 i < n_in ? "input" : "output", i < n_in ? i : i - n_in, v->name, form_name(v->decl_form));
			return CELLA_ERR_INVALID_ARG;
		}
	}
	if (!m->out_buf && !(m->out_buf = calloc((size_t)g->n_outputs + 1, sizeof(*m->out_buf))))
		return CELLA_ERR_OUT_OF_MEMORY;
	graph_release_all(m, g);
	onnx_str_reset(&m->str_run); /* the last run's strings, its outputs' among them, are given up */
	for (size_t i = 0; i < n_in; i++) {
		/* the caller's description read once: what is checked is what is bound */
		struct cella_onnx_value v = { .kind = CELLA_ONNX_VALUE_TENSOR };
		if (values)
			v = vin[i];
		else
			v.tensor = tin[i];
		if ((r = check_input(m, i, &v)) == CELLA_OK && (r = bind_input(m, i, &v)) != CELLA_OK && !m->msg[0])
			onnx_log(m, "input %zu: %s taking it in", i, cella_result_str(r));
		if (r != CELLA_OK) {
			graph_release_all(m, g);
			return r;
		}
	}
	struct exec x = { m, g, MODE_RUN, 0, 0, 0 };
	r = graph_exec(&x);
	if (r != CELLA_OK) {
		if (!m->msg[0])
			onnx_log(m, "run failed: %s", cella_result_str(r));
		graph_release_all(m, g);
		return r;
	}
	for (size_t i = 0; i < n_out; i++) {
		const struct value *ov = &g->values[g->outputs[i]];
		struct cella_onnx_value shown;
		const char *is = ov->t.seq ? "a sequence" : ov->t.none ? "an empty optional" : NULL;
		if (is && (ov->decl_dtype || ov->decl_form) &&
		    !(ov->decl_form & (ov->t.seq ? CELLA_ONNX_FORM_SEQUENCE : CELLA_ONNX_FORM_OPTIONAL))) {
			onnx_log(m, "output %zu ('%s') is %s, declared %s", i, ov->name, is, form_name(ov->decl_form));
			r = CELLA_ERR_MODEL;
		} else if (is && !values) { /* an output without a declared type shows here */
			onnx_log(m, "output %zu ('%s') is %s: run the model with cella_onnx_model_run_values", i, ov->name,
				 is);
			r = CELLA_ERR_INVALID_ARG;
		} else if ((r = output_show(m, i, ov, values ? &vout[i] : &shown)) != CELLA_OK) {
			onnx_log(m, "output %zu: %s giving it out", i, cella_result_str(r));
		} else if (!values) {
			tout[i] = shown.tensor;
		}
		if (r != CELLA_OK) {
			graph_release_all(m, g);
			return r;
		}
	}
	return CELLA_OK;
}

cella_result cella_onnx_model_run(struct cella_onnx_model *cm, const struct cella_onnx_tensor *inputs, size_t n_in,
				  struct cella_onnx_tensor *outputs, size_t n_out) /* see cella/onnx.h */
{
	return model_run((struct model *)cm, inputs, NULL, n_in, outputs, NULL, n_out);
}

cella_result cella_onnx_model_run_values(struct cella_onnx_model *cm, const struct cella_onnx_value *inputs,
					 size_t n_in, struct cella_onnx_value *outputs, size_t n_out) /* see cella/onnx.h */
{
	struct model *m = (struct model *)cm;
	if ((n_in && !inputs) || (n_out && !outputs)) {
		onnx_log(m, "run with %zu inputs and %zu outputs (and a NULL array)", n_in, n_out);
		return CELLA_ERR_INVALID_ARG;
	}
	return model_run(m, NULL, inputs, n_in, NULL, outputs, n_out);
}
