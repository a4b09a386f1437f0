// SPDX-License-Identifier: MIT
/* Text operators: TfIdfVectorizer (opset 9) over int32/int64 tokens with pool_int64s, or string tokens with
 * pool_strings. StringNormalizer (opset 10) over UTF-8 strings. StringSplit (opset 20). */
#include "onnx_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ sorted strings */

/* onnx_msort's order for records that begin with a struct cella_onnx_string: by its bytes (onnx_str_cmp). */
static int str_before(const void *a, const void *b, const void *ctx)
{
	const struct cella_onnx_string *x = a, *y = b;
	(void)ctx;
	return onnx_str_cmp(x->data, x->len, y->data, y->len) < 0;
}

/* The index of s[0..len) among n records of size bytes at base, each beginning with a struct cella_onnx_string and
 * sorted by str_before (a binary search), or -1. */
static ptrdiff_t str_find(const void *base, size_t n, size_t size, const char *s, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cella_onnx_string *w = (const void *)((const char *)base + mid * size);
		int c = onnx_str_cmp(w->data, w->len, s, len);
		if (c == 0)
			return (ptrdiff_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

enum { TFIDF_TF = 0, TFIDF_IDF = 1, TFIDF_TFIDF = 2 };

/*
 * TfIdfVectorizer's attributes, checked. The pool holds the 1-grams, then the 2-grams, ... (the k-grams from
 * ngram_counts[k - 1]); its n-grams are numbered in pool order over every length, also the lengths outside
 * [min_len, max_len], which are never counted: index[i] and weights[i] belong to n-gram i whatever its length.
 */
struct tfidf_attrs {
	int mode;
	int64_t min_len, max_len, max_skip;
	const int64_t *pool, *starts, *index; /* pool: pool_int64s, or with words each string's id (tfidf_words) */
	size_t n_pool, n_starts, n_grams;
	const struct attr *words; /* pool_strings, or NULL */
	const char *pool_name;    /* the attribute the pool comes from, for messages */
	const float *weights; /* one per n-gram; NULL: all 1 */
	int64_t width;        /* max(ngram_indexes) + 1, the output's row, within max_tensor_bytes */
};

/* One n-gram of the pool: the values pool[off .. off + len), and its number in pool order. */
struct tfidf_gram {
	int64_t off, len, id;
};

/* A string of pool_strings and its id: the position of its first occurrence in the pool, so that equal strings are
 * one value and the integer algorithm below counts string n-grams unchanged. */
struct tfidf_word {
	struct cella_onnx_string s; /* first: str_before and str_find take the records */
	int64_t id;
};

/* Built at load (the op's prepare) so that each run only looks n-grams up: the checked attributes and every n-gram
 * of the pool sorted as a sequence of values, a sequence before its extensions. The n-grams that begin with given
 * values are then one run of the array, which narrows value by value as the input is read. */
struct tfidf_priv {
	struct tfidf_attrs t;
	struct tfidf_word *dict; /* with pool_strings: its distinct strings in byte order, each with its id */
	size_t n_dict;
	struct tfidf_gram g[];   /* then, with pool_strings, int64_t ids[n_pool] and dict[n_pool] */
};

/* An int attribute the operator requires (the spec gives these no default). A value of the wrong type is recorded
 * by onnx_attr_i and fails the node. */
static cella_result tfidf_need_i(struct exec *x, struct node *n, const char *name, int64_t *v)
{
	if (!onnx_attr_get(n, name))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' is required", name);
	*v = onnx_attr_i(n, name, 0);
	return CELLA_OK;
}

/* The pool's layout: ngram_counts from 0, never falling, within the pool, each length's values a whole number of
 * n-grams of it; counts them into t->n_grams. */
static cella_result tfidf_layout(struct exec *x, struct node *n, struct tfidf_attrs *t)
{
	t->n_starts = onnx_attr_ints(n, "ngram_counts", &t->starts);
	if (!t->n_starts)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'ngram_counts' is required (the start of each length's "
				    "n-grams in the pool)");
	if (t->starts[0] != 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'ngram_counts' starts at %lld, not 0 (the pool begins "
				    "with its 1-grams)", (long long)t->starts[0]);
	t->n_grams = 0;
	for (size_t k = 0; k < t->n_starts; k++) {
		int64_t s = t->starts[k], e = k + 1 < t->n_starts ? t->starts[k + 1] : (int64_t)t->n_pool, len = (int64_t)k + 1;
		if (e < 0 || e > (int64_t)t->n_pool)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'ngram_counts' holds %lld (value %zu), outside the "
					    "%zu values of %s", (long long)e, k + 1, t->n_pool, t->pool_name);
		if (e < s)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'ngram_counts' falls from %lld to %lld (values %zu "
					    "and %zu)", (long long)s, (long long)e, k, k + 1);
		if ((e - s) % len)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "the %lld-grams of %s (from value %lld) are %lld values, not "
					    "a multiple of %lld", (long long)len, t->pool_name, (long long)s, (long long)(e - s),
					    (long long)len);
		t->n_grams += (size_t)((e - s) / len);
	}
	return CELLA_OK;
}

/* Reads and checks every attribute (a malformed one CELLA_ERR_MODEL, named). With pool_strings, t->pool is left NULL
 * for tfidf_words to fill. */
static cella_result tfidf_attrs(struct exec *x, struct node *n, struct tfidf_attrs *t)
{
	static const char *const modes[3] = { "TF", "IDF", "TFIDF" };
	const struct attr *ps = onnx_attr_get(n, "pool_strings"), *w = onnx_attr_get(n, "weights");
	const char *mode = onnx_attr_s(n, "mode", NULL);
	cella_result r;
	memset(t, 0, sizeof(*t));
	t->n_pool = onnx_attr_ints(n, "pool_int64s", &t->pool);
	t->pool_name = "pool_int64s";
	if (ps && t->n_pool)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "both pool_int64s and pool_strings are given (one of them may be)");
	if (ps) {
		if (ps->type != ATTR_STRINGS || !ps->n_strings)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'pool_strings' is not a list of strings");
		t->words = ps;
		t->n_pool = ps->n_strings;
		t->pool = NULL;
		t->pool_name = "pool_strings";
	}
	if (!t->n_pool)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'pool_int64s' or 'pool_strings' is required (and not "
				    "empty)");
	if (!mode)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'mode' is required");
	for (t->mode = 0; t->mode < 3 && strcmp(mode, modes[t->mode]); t->mode++)
		;
	if (t->mode == 3)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'mode' is '%s', not TF, IDF or TFIDF", mode);
	if ((r = tfidf_need_i(x, n, "min_gram_length", &t->min_len)) != CELLA_OK ||
	    (r = tfidf_need_i(x, n, "max_gram_length", &t->max_len)) != CELLA_OK ||
	    (r = tfidf_need_i(x, n, "max_skip_count", &t->max_skip)) != CELLA_OK)
		return r;
	if (t->min_len < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'min_gram_length' is %lld, not at least 1",
				    (long long)t->min_len);
	if (t->max_len < t->min_len)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'max_gram_length' is %lld, below min_gram_length %lld",
				    (long long)t->max_len, (long long)t->min_len);
	if (t->max_skip < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'max_skip_count' is %lld, negative",
				    (long long)t->max_skip);
	if ((r = tfidf_layout(x, n, t)) != CELLA_OK)
		return r;
	/* one output coordinate per n-gram (the pool's values are all in some length's n-grams, so there is one) */
	size_t ni = onnx_attr_ints(n, "ngram_indexes", &t->index);
	if (ni != t->n_grams)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'ngram_indexes' has %zu values for the %zu n-grams of "
				    "%s", ni, t->n_grams, t->pool_name);
	int64_t top = 0;
	for (size_t i = 0; i < ni; i++) {
		if (t->index[i] < 0)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'ngram_indexes' holds %lld (value %zu), negative",
					    (long long)t->index[i], i);
		top = t->index[i] > top ? t->index[i] : top;
	}
	t->width = top == INT64_MAX ? INT64_MAX : top + 1;
	/* every output holds a row at least (an empty one is held to the limit as if its 0 dim were 1) */
	if ((uint64_t)t->width > onnx_max_count(x->m->opt.max_tensor_bytes, CELLA_ONNX_FLOAT))
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "a row of %lld values (max(ngram_indexes) + 1) is over "
				    "max_tensor_bytes", (long long)t->width);
	if (w && w->type != ATTR_FLOATS && w->type != 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'weights' has the wrong type");
	if (w && w->n_floats) {
		if (w->n_floats != ni)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'weights' has %zu values, ngram_indexes %zu",
					    w->n_floats, ni);
		t->weights = w->floats;
	}
	return CELLA_OK;
}

/* Orders n-grams as sequences of values: by the first value that differs, else the shorter first. */
static int tfidf_before(const void *a, const void *b, const void *ctx)
{
	const struct tfidf_gram *p = a, *q = b;
	const int64_t *pool = ctx;
	int64_t len = p->len < q->len ? p->len : q->len;
	for (int64_t i = 0; i < len; i++)
		if (pool[p->off + i] != pool[q->off + i])
			return pool[p->off + i] < pool[q->off + i];
	return p->len < q->len;
}

/* Fills g with the pool's n-grams (tmp: as many again, for the sort) and sorts them. An n-gram given twice is
 * CELLA_ERR_MODEL: the spec maps each n-gram to one coordinate (the reference would count only the later one). */
static cella_result tfidf_sort(struct exec *x, const struct tfidf_attrs *t, struct tfidf_gram *g,
			       struct tfidf_gram *tmp)
{
	size_t k = 0;
	for (size_t s = 0; s < t->n_starts; s++) {
		int64_t len = (int64_t)s + 1, e = s + 1 < t->n_starts ? t->starts[s + 1] : (int64_t)t->n_pool;
		for (int64_t off = t->starts[s]; off < e; off += len, k++) {
			g[k].off = off;
			g[k].len = len;
			g[k].id = (int64_t)k;
		}
	}
	onnx_msort(g, tmp, t->n_grams, sizeof(*g), tfidf_before, t->pool);
	for (k = 1; k < t->n_grams; k++)
		if (!tfidf_before(&g[k - 1], &g[k], t->pool)) /* sorted stably: equal, the earlier one first */
			return onnx_op_fail(x, CELLA_ERR_MODEL, "%s holds one %lld-gram twice (n-grams %lld and %lld)",
					    t->pool_name, (long long)g[k].len, (long long)g[k - 1].id, (long long)g[k].id);
	return CELLA_OK;
}

/* With pool_strings: each pool string's id into ids (pool order) and the distinct strings with their ids into dict,
 * sorted; returns how many (tmp: n_pool words, for the sort). */
static size_t tfidf_words(const struct attr *w, int64_t *ids, struct tfidf_word *dict, struct tfidf_word *tmp)
{
	size_t n = w->n_strings, k, d = 0;
	for (k = 0; k < n; k++)
		dict[k] = (struct tfidf_word){ { w->strings[k], w->string_lens[k] }, (int64_t)k };
	onnx_msort(dict, tmp, n, sizeof(*dict), str_before, NULL);
	for (k = 0; k < n; k++) {
		/* sorted stably: of equal strings the first in the pool comes first, and its position is their id */
		if (d && !onnx_str_cmp(dict[d - 1].s.data, dict[d - 1].s.len, dict[k].s.data, dict[k].s.len)) {
			ids[dict[k].id] = dict[d - 1].id;
			continue;
		}
		ids[dict[k].id] = dict[k].id;
		dict[d++] = dict[k];
	}
	return d;
}

/* The input's type against the pool's: int32 or int64 tokens with pool_int64s, strings with pool_strings. */
static cella_result tfidf_type(struct exec *x, const struct tfidf_attrs *t, int dt)
{
	if (t->words && dt != CELLA_ONNX_STRING)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s is not supported with pool_strings "
				    "(string tokens)", onnx_tname(dt));
	if (!t->words && dt != CELLA_ONNX_INT32 && dt != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s is not supported (int32 or int64%s)",
				    onnx_tname(dt), dt == CELLA_ONNX_STRING ? "; strings with pool_strings" : "");
	return CELLA_OK;
}

static void tfidf_priv_free(void *p) { free(p); }

/* At load: the attributes, the input's type when it is declared, and the sorted n-grams for the runs. */
static cella_result tfidf_prepare(struct exec *x, struct node *n)
{
	struct tfidf_attrs t;
	cella_result r;
	if ((r = tfidf_attrs(x, n, &t)) != CELLA_OK)
		return r;
	const struct value *v = n->n_in > 0 && n->in[0] >= 0 ? gval(x->g, n->in[0]) : NULL;
	int dt = !v || v->outer >= 0 ? 0 : v->t.known || v->t.is_const ? v->t.dtype : v->is_input ? v->decl_dtype : 0;
	if (dt && (r = tfidf_type(x, &t, dt)) != CELLA_OK)
		return r;
	/* the index is working memory kept for the model's lifetime: bounded as a tensor is (n-grams, and with
	 * pool_strings an id and a dictionary entry per string) */
	size_t gbytes = t.n_grams * sizeof(struct tfidf_gram);
	size_t wbytes = t.words ? t.n_pool * (sizeof(int64_t) + sizeof(struct tfidf_word)) : 0, bytes = gbytes + wbytes;
	if (bytes > x->m->opt.max_tensor_bytes)
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "an index of the pool's %zu n-grams (%zu bytes) is over "
				    "max_tensor_bytes", t.n_grams, bytes);
	size_t tbytes = gbytes > t.n_pool * sizeof(struct tfidf_word) ? gbytes : t.n_pool * sizeof(struct tfidf_word);
	struct tfidf_gram *tmp = onnx_op_scratch(x, 0, tbytes);
	struct tfidf_priv *p = malloc(sizeof(*p) + bytes);
	if (!tmp || !p) {
		free(p);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	p->t = t;
	p->dict = NULL;
	p->n_dict = 0;
	if (t.words) {
		int64_t *ids = (int64_t *)(p->g + t.n_grams);
		p->dict = (struct tfidf_word *)(ids + t.n_pool);
		p->n_dict = tfidf_words(t.words, ids, p->dict, (struct tfidf_word *)tmp);
		p->t.pool = ids;
		t.pool = ids;
	}
	if ((r = tfidf_sort(x, &t, p->g, tmp)) != CELLA_OK) {
		free(p);
		return r;
	}
	x->m->weight_bytes += sizeof(*p) + bytes;
	n->priv = p;
	n->priv_free = tfidf_priv_free;
	return CELLA_OK;
}

/* The first of g[lo, hi) whose value j is at least v (with above, greater than v): the run's n-grams are longer
 * than j and sorted by value j. */
static size_t tfidf_bound(const struct tfidf_gram *g, const int64_t *pool, size_t lo, size_t hi, int64_t j, int64_t v,
			  int above)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t p = pool[g[mid].off + j];
		if (p < v || (above && p == v))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Counts into cnt (one per n-gram) the n-grams of one row of C tokens from element `at` of a: for each gap d between
 * taken tokens, 1 (no skip) to max_skip_count + 1, the tokens at s, s + d, s + 2d, ... from each start s, whose
 * first k form an n-gram of length k in [min_len, max_len]. A 1-gram has no gaps: it counts with d = 1 only (every
 * other gap would find the same 1-grams again; the reference counts them once).
 */
static void tfidf_row(const struct tfidf_attrs *t, const struct tfidf_gram *g, const struct tensor *a, size_t at,
		      int64_t C, int64_t *cnt)
{
	/* d < C: a gap of C or more leaves a single token, a 1-gram, counted at d = 1 */
	for (int64_t d = 1; d == 1 || (d - 1 <= t->max_skip && d < C); d++) {
		int64_t first = d == 1 || t->min_len > 1 ? t->min_len : 2;
		if (first > t->max_len)
			break;
		for (int64_t s = 0; s < C; s++) {
			int64_t m = 1 + (C - 1 - s) / d; /* tokens from s at gap d */
			if (m < first)
				break; /* fewer from every later start */
			if (m > t->max_len)
				m = t->max_len;
			/* invariant: g[lo, hi) are the n-grams of length >= j that begin with the j tokens read; the one of
			 * length j, if any, sorts first (there is at most one: the pool has no n-gram twice) */
			size_t lo = 0, hi = t->n_grams;
			for (int64_t j = 0;; j++) {
				if (lo < hi && g[lo].len == j) {
					if (j >= first)
						cnt[g[lo].id]++;
					lo++;
				}
				if (j == m || lo == hi)
					break;
				int64_t v = onnx_get_i(a->data, a->dtype, at + (size_t)(s + j * d));
				lo = tfidf_bound(g, t->pool, lo, hi, j, v, 0);
				hi = tfidf_bound(g, t->pool, lo, hi, j, v, 1);
			}
		}
	}
}

/*
 * TfIdfVectorizer-9: input [C] or [N, C] of int32/int64 tokens, output float [max(ngram_indexes) + 1] or [N, that]:
 * per row, n-gram i's count c (TF), min(c, 1) times weights[i] (IDF) or c times weights[i] (TFIDF), added at
 * coordinate ngram_indexes[i]; weights absent: all 1. A coordinate no n-gram maps to stays 0.
 */
static cella_result op_tfidf(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	struct tfidf_priv *p = n->priv;
	struct tfidf_attrs ta;
	const struct tfidf_attrs *t = p ? &p->t : &ta;
	const struct tfidf_gram *g = p ? p->g : NULL;
	cella_result r;
	if (!a)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if (!p && (r = tfidf_attrs(x, n, &ta)) != CELLA_OK) /* at load, before the prepare: the shape pass, folding */
		return r;
	if ((r = tfidf_type(x, t, a->dtype)) != CELLA_OK)
		return r;
	if (a->rank != 1 && a->rank != 2)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of rank %d, not [C] or [N, C]", a->rank);
	if (!p && t->words && !onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* strings folded at load: counted at each run, with the prepare's index */
	int64_t rows = a->rank == 2 ? a->dims[0] : 1, C = a->dims[a->rank - 1], dims[2] = { rows, t->width };
	r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, a->rank, a->rank == 2 ? dims : dims + 1, &o);
	if (r == CELLA_ERR_TOO_LARGE)
		return onnx_op_fail(x, r, "an output of %lld rows of %lld values (max(ngram_indexes) + 1) is over "
				    "max_tensor_bytes", (long long)rows, (long long)t->width);
	if (r != CELLA_OK || onnx_op_dry(x) || o->bytes == 0)
		return r;
	if (!g) { /* folding a constant input: no prepare has run yet, the index lives in scratch */
		size_t bytes = t->n_grams * sizeof(struct tfidf_gram);
		struct tfidf_gram *gs = onnx_op_scratch(x, 0, bytes), *tmp = onnx_op_scratch(x, 1, bytes);
		if (!gs || !tmp)
			return CELLA_ERR_OUT_OF_MEMORY;
		if ((r = tfidf_sort(x, t, gs, tmp)) != CELLA_OK)
			return r;
		g = gs;
	}
	int64_t *cnt = onnx_op_scratch(x, 2, t->n_grams * sizeof(int64_t));
	if (!cnt)
		return CELLA_ERR_OUT_OF_MEMORY;
	struct tensor ids;
	if (t->words) { /* each string token as its id in the pool, or -1: the integer algorithm counts them */
		size_t c = onnx_tensor_count(a);
		int64_t *id = onnx_op_scratch(x, 0, c * sizeof(int64_t));
		if (!id)
			return CELLA_ERR_OUT_OF_MEMORY;
		for (size_t i = 0; i < c; i++) {
			const struct cella_onnx_string *w = (const struct cella_onnx_string *)a->data + i;
			ptrdiff_t k = str_find(p->dict, p->n_dict, sizeof(*p->dict), w->data, w->len);
			id[i] = k < 0 ? -1 : p->dict[k].id;
		}
		ids = *a;
		ids.dtype = CELLA_ONNX_INT64;
		ids.data = id;
		ids.bytes = c * sizeof(int64_t);
		a = &ids;
	}
	float *y = o->data;
	memset(y, 0, o->bytes);
	for (int64_t b = 0; b < rows; b++, y += t->width) {
		memset(cnt, 0, t->n_grams * sizeof(int64_t));
		tfidf_row(t, g, a, (size_t)(b * C), C, cnt);
		for (size_t i = 0; i < t->n_grams; i++) {
			double c = (double)cnt[i], w = t->weights ? t->weights[i] : 1;
			/* TFIDF scales every count, 0 included, as the reference does (a NaN weight gives NaN) */
			y[t->index[i]] += (float)(t->mode == TFIDF_TF ? c : t->mode == TFIDF_IDF ? (cnt[i] ? w : 0) : w * c);
		}
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ StringNormalizer */

enum { SN_NONE = 0, SN_LOWER = 1, SN_UPPER = 2 };

/* StringNormalizer's checked attributes, and its stopwords sorted in byte order (as given when the comparison is
 * case-sensitive, else in lower case): records pointing into the bytes after them, one block. */
struct sn_priv {
	int action, sensitive;
	size_t n;
	struct cella_onnx_string w[];
};

/* The simple case mapping of code point c (to upper case with upper, else lower) for the scripts the engine maps:
 * ASCII, Latin-1 and Latin Extended-A, the Greek alphabet (U+0386..U+03CE) and Cyrillic (U+0400..U+04FF); any other
 * code point is its own. Never longer in UTF-8 than c. */
static uint32_t case_map(uint32_t c, int upper)
{
	/* pairs: [lo, hi] where an even (or, with odd, an odd) code point is the capital of the one after it */
	static const struct { uint16_t lo, hi, odd; } pairs[] = {
		{ 0x100, 0x12f, 0 }, { 0x132, 0x137, 0 }, { 0x139, 0x148, 1 }, { 0x14a, 0x177, 0 },
		{ 0x179, 0x17e, 1 }, { 0x460, 0x481, 0 }, { 0x48a, 0x4bf, 0 }, { 0x4c1, 0x4ce, 1 },
		{ 0x4d0, 0x4ff, 0 },
	};
	/* ranges: capitals [lo, hi] and their small letters at lo + d */
	static const struct { uint16_t lo, hi, d; } shifts[] = {
		{ 'A', 'Z', 0x20 },     { 0xc0, 0xd6, 0x20 },   { 0xd8, 0xde, 0x20 },   { 0x386, 0x386, 0x26 },
		{ 0x388, 0x38a, 0x25 }, { 0x38c, 0x38c, 0x40 }, { 0x38e, 0x38f, 0x3f }, { 0x391, 0x3a1, 0x20 },
		{ 0x3a3, 0x3ab, 0x20 }, { 0x400, 0x40f, 0x50 }, { 0x410, 0x42f, 0x20 },
	};
	/* the odd ones out: capital, small */
	static const struct { uint16_t cap, small; } odd[] = {
		{ 0x178, 0xff }, { 'I', 0x131 }, { 0x130, 'i' }, { 'S', 0x17f }, { 0x39c, 0xb5 }, { 0x3a3, 0x3c2 },
		{ 0x4c0, 0x4cf },
	};
	for (size_t k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++) {
		if (!upper && c >= shifts[k].lo && c <= shifts[k].hi)
			return c + shifts[k].d;
		if (upper && c >= shifts[k].lo + shifts[k].d && c <= shifts[k].hi + shifts[k].d)
			return c - shifts[k].d;
	}
	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++)
		if (c >= pairs[k].lo && c <= pairs[k].hi) {
			int cap = (c & 1) == pairs[k].odd;
			return cap == !upper ? (upper ? c - 1 : c + 1) : c;
		}
	for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
		if (upper && c == odd[k].small)
			return odd[k].cap;
		if (!upper && c == odd[k].cap && c != 'I' && c != 'S' && c != 0x39c && c != 0x3a3)
			return odd[k].small;
	}
	return c;
}

/* The length of the UTF-8 sequence at s (left > 0 bytes on), 0 when it is not a valid one: a stray continuation
 * byte, an overlong form, a surrogate, a code point beyond U+10FFFF, a sequence cut short (RFC 3629, section 4). */
static size_t utf8_seq(const uint8_t *s, size_t left)
{
	uint8_t c = s[0];
	size_t n = c < 0x80 ? 1 : c < 0xc2 ? 0 : c <= 0xdf ? 2 : c <= 0xef ? 3 : c <= 0xf4 ? 4 : 0;
	if (n == 0 || n > left)
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
	    (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

static int utf8_valid(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n)
		if (!(n = utf8_seq((const uint8_t *)s + i, len - i)))
			return 0;
	return 1;
}

/* The valid UTF-8 text s with each code point case-mapped (to upper case with upper, else lower) into dst, which
 * holds len bytes (no mapping lengthens a code point); returns the length written. */
static size_t utf8_map(const char *s, size_t len, int upper, char *dst)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t o = 0;
	for (size_t i = 0, n; i < len; i += n) {
		n = utf8_seq(u + i, len - i);
		uint32_t c = n == 1 ? u[i] : n == 2 ? (uint32_t)(u[i] & 0x1f) << 6 | (u[i + 1] & 0x3f) : 0x800;
		if (c >= 0x800) { /* beyond the mapped scripts */
			memcpy(dst + o, s + i, n);
			o += n;
			continue;
		}
		c = case_map(c, upper);
		if (c < 0x80) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = (char)(0xc0 | c >> 6);
			dst[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return o;
}

/* Whether the locale names Turkish or Azerbaijani, whose i's case differently (I and dotless ı, İ and i). */
static int sn_locale_turkic(const char *l)
{
	int turkic = (l[0] == 't' && l[1] == 'r') || (l[0] == 'a' && l[1] == 'z');
	return turkic && (l[2] == '\0' || l[2] == '_' || l[2] == '-' || l[2] == '.' || l[2] == '@');
}

/* Reads and checks the attributes into a new sn_priv (a malformed one CELLA_ERR_MODEL, a Turkic locale
 * CELLA_ERR_MODEL_UNSUPPORTED, each named). */
static cella_result sn_attrs(struct exec *x, struct node *n, struct sn_priv **out)
{
	static const char *const actions[3] = { "NONE", "LOWER", "UPPER" };
	const char *act = onnx_attr_s(n, "case_change_action", "NONE"), *loc = onnx_attr_s(n, "locale", "");
	const struct attr *sw = onnx_attr_get(n, "stopwords");
	int action = 0, sensitive = onnx_attr_int(n, "is_case_sensitive", 0);
	size_t nw = 0, bytes = 0;
	while (action < 3 && strcmp(act, actions[action]))
		action++;
	if (action == 3)
		return onnx_op_fail(x, CELLA_ERR_MODEL,
				    "attribute 'case_change_action' is '%.32s', not LOWER, UPPER or NONE", act);
	if (sensitive != 0 && sensitive != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'is_case_sensitive' is %d, not 0 or 1", sensitive);
	if (sn_locale_turkic(loc))
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "attribute 'locale' is '%.32s': Turkish and "
				    "Azerbaijani case rules (dotted and dotless i) are not supported", loc);
	if (sw && sw->type != ATTR_STRINGS && sw->type != 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'stopwords' is not a list of strings");
	if (sw)
		nw = sw->n_strings;
	for (size_t i = 0; i < nw; i++) {
		if (!utf8_valid(sw->strings[i], sw->string_lens[i]))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "stopword %zu is not valid UTF-8", i);
		bytes += sw->string_lens[i];
	}
	/* kept for the model's lifetime: bounded as a tensor is (the attribute's own size bounds the sum) */
	size_t total = sizeof(struct sn_priv) + nw * sizeof(struct cella_onnx_string) + bytes;
	if (total > x->m->opt.max_tensor_bytes)
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "%zu stopwords of %zu bytes are over max_tensor_bytes", nw,
				    bytes);
	struct sn_priv *p = malloc(total);
	void *tmp = onnx_op_scratch(x, 0, nw * sizeof(struct cella_onnx_string) + 1);
	if (!p || !tmp) {
		free(p);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	p->action = action;
	p->sensitive = sensitive;
	p->n = nw;
	char *at = (char *)(p->w + nw);
	for (size_t i = 0; i < nw; i++) {
		size_t len = sw->string_lens[i];
		if (sensitive)
			memcpy(at, sw->strings[i], len);
		else
			len = utf8_map(sw->strings[i], len, 0, at);
		p->w[i] = (struct cella_onnx_string){ at, len };
		at += len;
	}
	onnx_msort(p->w, tmp, nw, sizeof(p->w[0]), str_before, NULL);
	*out = p;
	return CELLA_OK;
}

static void sn_priv_free(void *p) { free(p); }

/* At load: the attributes, checked and the stopwords sorted for the runs. */
static cella_result sn_prepare(struct exec *x, struct node *n)
{
	struct sn_priv *p = NULL;
	if (n->priv)
		return CELLA_OK; /* built when the node ran at load (the shape pass) */
	cella_result r = sn_attrs(x, n, &p);
	if (r != CELLA_OK)
		return r;
	n->priv = p;
	n->priv_free = sn_priv_free;
	return CELLA_OK;
}

/*
 * StringNormalizer-10: input [C] or [1, C] of UTF-8 strings; the elements equal to a stopword dropped (compared byte
 * for byte, or with is_case_sensitive 0 in lower case), the others changed to lower or upper case by
 * case_change_action (case_map) or kept; output [C'] or [1, C'] of what is left, or of one empty string when
 * nothing is.
 */
static cella_result op_string_normalizer(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if ((r = sn_prepare(x, n)) != CELLA_OK)
		return r;
	const struct sn_priv *p = n->priv;
	if (a->dtype != CELLA_ONNX_STRING)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s: StringNormalizer takes strings",
				    onnx_tname(a->dtype));
	if (a->rank == 2 && a->dims[0] != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of shape [%lld, %lld], not [C] or [1, C]",
				    (long long)a->dims[0], (long long)a->dims[1]);
	if (a->rank != 1 && a->rank != 2)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of rank %d, not [C] or [1, C]", a->rank);
	int64_t od[2] = { 1, a->dims[a->rank - 1] };
	if (onnx_op_dry(x)) /* the output's length is known only with the stopwords found */
		return p->n ? CELLA_ERR_NOT_FOUND : onnx_op_out(x, n, 0, CELLA_ONNX_STRING, a->rank, a->dims, &o);
	const struct cella_onnx_string *s = a->data;
	size_t c = onnx_tensor_count(a), kept = 0, longest = 1;
	for (size_t i = 0; i < c; i++) {
		if (!utf8_valid(s[i].data, s[i].len))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "element %zu is not valid UTF-8", i);
		longest = s[i].len > longest ? s[i].len : longest;
	}
	uint8_t *keep = onnx_op_scratch(x, 1, c + 1);
	char *fold = p->sensitive ? NULL : onnx_op_scratch(x, 0, longest);
	if (!keep || (!p->sensitive && !fold))
		return CELLA_ERR_OUT_OF_MEMORY;
	for (size_t i = 0; i < c; i++) {
		const char *w = s[i].data;
		size_t len = s[i].len;
		if (!p->sensitive && p->n) {
			len = utf8_map(w, len, 0, fold);
			w = fold;
		}
		keep[i] = !p->n || str_find(p->w, p->n, sizeof(*p->w), w, len) < 0;
		kept += keep[i];
	}
	od[1] = kept ? (int64_t)kept : 1;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_STRING, a->rank, a->rank == 2 ? od : od + 1, &o)) != CELLA_OK)
		return r;
	struct cella_onnx_string *y = o->data;
	y[0] = (struct cella_onnx_string){ "", 0 }; /* nothing left: one empty string */
	for (size_t i = 0, j = 0; i < c; i++) {
		char *q;
		if (!keep[i])
			continue;
		if (p->action == SN_NONE) {
			y[j++] = s[i]; /* the input's bytes, which live as long as the run's (or the model's) */
			continue;
		}
		if ((r = onnx_op_str(x, s[i].len, &q)) != CELLA_OK)
			return r;
		y[j++] = (struct cella_onnx_string){ q, utf8_map(s[i].data, s[i].len, p->action == SN_UPPER, q) };
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ StringSplit */

/* The bytes of the whitespace character at s (rem bytes left), or 0: Python's str.isspace() characters (the reference
 * splits with numpy, that is with str.split()): ASCII's six, the separators 0x1c-0x1f, and in UTF-8 U+0085,
 * U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F and U+3000. */
static size_t ws_len(const unsigned char *s, size_t rem)
{
	if (s[0] == ' ' || (s[0] >= 0x09 && s[0] <= 0x0d) || (s[0] >= 0x1c && s[0] <= 0x1f))
		return 1;
	if (rem >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (rem < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) || (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
	    (s[0] == 0xe2 && s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf)))
		return 3;
	return 0;
}

/*
 * The pieces of s as Python's str.split(sep, maxsplit) gives them (sep NULL: runs of whitespace, none at the ends
 * except after the last split, which keeps the rest as it is; else every sep, empty pieces included): their number,
 * and with out the pieces themselves (pointing into s).
 */
static size_t split_one(const struct cella_onnx_string *s, const char *sep, size_t sep_len, uint64_t maxsplit,
			struct cella_onnx_string *out)
{
	const unsigned char *b = (const unsigned char *)s->data;
	size_t len = s->len, i = 0, n = 0, w;
	if (!sep) {
		for (uint64_t k = 0; k < maxsplit; k++) {
			while (i < len && (w = ws_len(b + i, len - i)))
				i += w;
			if (i == len)
				return n;
			size_t j = i;
			while (i < len && !ws_len(b + i, len - i))
				i++;
			if (out)
				out[n] = (struct cella_onnx_string){ s->data + j, i - j };
			n++;
		}
		while (i < len && (w = ws_len(b + i, len - i)))
			i += w;
		if (i < len) {
			if (out)
				out[n] = (struct cella_onnx_string){ s->data + i, len - i };
			n++;
		}
		return n;
	}
	for (uint64_t k = 0; k < maxsplit; k++) {
		size_t j = i;
		while (j + sep_len <= len && memcmp(b + j, sep, sep_len))
			j++;
		if (j + sep_len > len)
			break;
		if (out)
			out[n] = (struct cella_onnx_string){ s->data + i, j - i };
		n++;
		i = j + sep_len;
	}
	if (out)
		out[n] = (struct cella_onnx_string){ s->data + i, len - i };
	return n + 1;
}

/*
 * StringSplit-20: Y, X's shape and one more dim holding each element's pieces, padded with empty strings to the most
 * any element has; Z (int64, X's shape), each element's number of pieces. The pieces point into X's bytes.
 * `delimiter` absent or empty splits at runs of whitespace; `maxsplit`, at most that many splits (absent: all); a
 * negative one is refused (the reference would split without a limit, onnxruntime not at all).
 */
static cella_result op_string_split(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *y, *z;
	const struct attr *d = onnx_attr_get(n, "delimiter"), *ms = onnx_attr_get(n, "maxsplit");
	cella_result r;
	if (!a)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input X is required");
	if (d && d->type != ATTR_STRING)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'delimiter' is not a string");
	int64_t mv = onnx_attr_i(n, "maxsplit", 0);
	if (n->attr_bad)
		return CELLA_ERR_MODEL; /* named by op_call */
	if (ms && mv < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'maxsplit' is %lld, negative", (long long)mv);
	if (a->dtype != CELLA_ONNX_STRING)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s: StringSplit takes strings",
				    onnx_tname(a->dtype));
	if (a->rank >= MAXR)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of rank %d: its output has one dim more than "
				    "the %d the engine holds", a->rank, MAXR);
	if (onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* Y's last dim depends on the data */
	const char *sep = d && d->s_len ? d->s : NULL;
	uint64_t maxsplit = ms ? (uint64_t)mv : UINT64_MAX;
	const struct cella_onnx_string *s = a->data;
	size_t c = onnx_tensor_count(a), most = 0;
	if ((r = onnx_op_out(x, n, 1, CELLA_ONNX_INT64, a->rank, a->dims, &z)) != CELLA_OK)
		return r;
	for (size_t i = 0; i < c; i++) {
		size_t k = split_one(&s[i], sep, sep ? d->s_len : 0, maxsplit, NULL);
		((int64_t *)z->data)[i] = (int64_t)k;
		most = k > most ? k : most;
	}
	int64_t yd[MAXR];
	memcpy(yd, a->dims, (size_t)a->rank * sizeof(int64_t));
	yd[a->rank] = (int64_t)most;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_STRING, a->rank + 1, yd, &y)) != CELLA_OK)
		return r;
	struct cella_onnx_string *out = y->data;
	for (size_t i = 0; i < c; i++, out += most) {
		size_t k = split_one(&s[i], sep, sep ? d->s_len : 0, maxsplit, out);
		for (; k < most; k++)
			out[k] = (struct cella_onnx_string){ "", 0 };
	}
	return CELLA_OK;
}

const struct op_def onnx_ops_text[] = {
	{ "TfIdfVectorizer", op_tfidf, tfidf_prepare, 9, ONNX_STR_IN0 },
	{ "StringNormalizer", op_string_normalizer, sn_prepare, 10, ONNX_STR_IN0 },
	{ "StringSplit", op_string_split, NULL, 20, ONNX_STR_IN0 },
	{ NULL, NULL, NULL, 0, 0 },
};
