// SPDX-License-Identifier: MIT
/*
 * JMESPath (jmespath.org) for the policy language's JmesPath(json, query): a lexer, a Pratt parser into a small
 * AST, and an evaluator over jansson values. Everything in the JMESPath grammar is understood (identifiers, quoted
 * identifiers, sub-expressions, indexes and slices, list, object and filter projections, flatten, pipes, ||, &&, !,
 * comparisons, multi-select lists and hashes, raw strings, backtick literals, @) except expression references
 * (&expr) and the four functions that take one (map, sort_by, max_by, min_by): those are refused by name, as a
 * syntax error, never evaluated to something else. A missing path is JSON null, as the specification says.
 *
 * A query is compiled once (attestd_jmes_compile: the tree, with its literals parsed and frozen) and run any number
 * of times by any number of threads; attestd_jmes_eval compiles, runs and frees a query in one call.
 *
 * Work is bounded by the caller's step counter: a step per node evaluated, per element a result collects (the
 * element's own size: results share structure, so `[@,@] | [@,@] | ...` is charged for what it would print),
 * per element compared or sorted and per 64 bytes a function makes.
 */
#include "attestd_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JM_MAX_DEPTH 48
#define JM_MAX_NODES 4096
#define JM_MAX_ARGS 8
#define JM_STEP_BYTES 64

enum jt {
	J_EOF, J_ID, J_QID, J_RAW, J_LIT, J_NUM, J_DOT, J_STAR, J_LBRACKET, J_FILTER, J_FLATTEN, J_RBRACKET, J_LBRACE,
	J_RBRACE, J_LPAREN, J_RPAREN, J_COMMA, J_COLON, J_PIPE, J_OR, J_AND, J_NOT, J_AT, J_AMP, J_EQ, J_NE, J_LT, J_LE,
	J_GT, J_GE,
};

enum jn {
	N_FIELD, N_SUB, N_INDEX, N_SLICE, N_PROJ, N_VPROJ, N_FILTER, N_FLATTEN, N_CURRENT, N_LIT, N_PIPE, N_OR, N_AND,
	N_NOT, N_CMP, N_MSL, N_MSH, N_FUNC,
};

enum jf {
	F_ABS, F_AVG, F_CEIL, F_CONTAINS, F_ENDS_WITH, F_FLOOR, F_JOIN, F_KEYS, F_LENGTH, F_MAX, F_MERGE, F_MIN,
	F_NOT_NULL, F_REVERSE, F_SORT, F_STARTS_WITH, F_SUM, F_TO_ARRAY, F_TO_STRING, F_TO_NUMBER, F_TYPE, F_VALUES,
};

/* Indexed by enum jf: a node names its function by that index. */
static const struct {
	const char *name;
	int min, max; /* arguments; max -1: any number */
} jfns[] = {
	[F_ABS] = {"abs", 1, 1},	       [F_AVG] = {"avg", 1, 1},		  [F_CEIL] = {"ceil", 1, 1},
	[F_CONTAINS] = {"contains", 2, 2},     [F_ENDS_WITH] = {"ends_with", 2, 2}, [F_FLOOR] = {"floor", 1, 1},
	[F_JOIN] = {"join", 2, 2},	       [F_KEYS] = {"keys", 1, 1},	  [F_LENGTH] = {"length", 1, 1},
	[F_MAX] = {"max", 1, 1},	       [F_MERGE] = {"merge", 1, -1},	  [F_MIN] = {"min", 1, 1},
	[F_NOT_NULL] = {"not_null", 1, -1},    [F_REVERSE] = {"reverse", 1, 1},	  [F_SORT] = {"sort", 1, 1},
	[F_STARTS_WITH] = {"starts_with", 2, 2}, [F_SUM] = {"sum", 1, 1},	  [F_TO_ARRAY] = {"to_array", 1, 1},
	[F_TO_STRING] = {"to_string", 1, 1},   [F_TO_NUMBER] = {"to_number", 1, 1}, [F_TYPE] = {"type", 1, 1},
	[F_VALUES] = {"values", 1, 1},
};

struct jnode {
	enum jn k;
	enum jt op;              /* N_CMP */
	enum jf fn;              /* N_FUNC */
	char *name;              /* N_FIELD; N_MSH keys */
	json_t *lit;             /* N_LIT (owned) */
	long long idx[3];        /* N_INDEX [0]; N_SLICE start, stop, step */
	bool has[3];             /* N_SLICE: which of idx are given */
	struct jnode *l, *r, *c; /* operands; N_FILTER c = condition */
	struct jnode **kids;     /* N_MSL, N_MSH, N_FUNC */
	char **keys;             /* N_MSH */
	int nkids;
};

struct jtok {
	enum jt k;
	size_t pos;
	char *s;                 /* J_ID, J_QID, J_RAW (malloc'd) */
	json_t *lit;             /* J_LIT */
	long long num;
};

struct jparser {
	const char *q;
	size_t len, pos;
	struct jtok t;
	struct jnode *nodes[JM_MAX_NODES];
	int nnodes, depth;
	char *err;
	size_t *err_off;
	bool failed, oom;
};

static void jp_fail(struct jparser *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void jp_fail(struct jparser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	if (p->failed)
		return;
	p->failed = true;
	*p->err_off = at;
	va_start(ap, fmt);
	vsnprintf(p->err, ATTESTD_ERR_BYTES, fmt, ap);
	va_end(ap);
}

static void jp_oom(struct jparser *p)
{
	if (!p->failed) {
		p->oom = true;
		jp_fail(p, 0, "out of memory");
	}
}

static struct jnode *jnew(struct jparser *p, enum jn k)
{
	struct jnode *n;
	if (p->failed)
		return NULL;
	if (p->nnodes == JM_MAX_NODES) {
		jp_fail(p, p->t.pos, "query too long (more than %d parts)", JM_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		jp_oom(p);
		return NULL;
	}
	n->k = k;
	p->nodes[p->nnodes++] = n;
	return n;
}

static void jnode_free(struct jnode *n)
{
	free(n->name);
	json_decref(n->lit);
	if (n->keys)
		for (int i = 0; i < n->nkids; i++)
			free(n->keys[i]);
	free(n->keys);
	free(n->kids);
	free(n);
}

static void tok_clear(struct jtok *t)
{
	free(t->s);
	json_decref(t->lit);
	memset(t, 0, sizeof(*t));
}

static bool id_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool id_char(char c)
{
	return id_start(c) || (c >= '0' && c <= '9');
}

/* Reads a delimited token body (quote already consumed) up to the unescaped closing `end`; returns the raw text. */
static char *delimited(struct jparser *p, char end, size_t start, const char *what)
{
	size_t b = p->pos, n = 0;
	char *s;
	while (p->pos < p->len && p->q[p->pos] != end) {
		if (p->q[p->pos] == '\\' && p->pos + 1 < p->len)
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len) {
		jp_fail(p, start, "unterminated %s", what);
		return NULL;
	}
	s = malloc(p->pos - b + 1);
	if (!s) {
		jp_oom(p);
		return NULL;
	}
	for (size_t i = b; i < p->pos; i++) {
		/* raw strings and literals unescape only their own delimiter (and, raw strings, the backslash) */
		if (p->q[i] == '\\' && i + 1 < p->pos &&
		    (p->q[i + 1] == end || (end == '\'' && p->q[i + 1] == '\\')))
			i++;
		s[n++] = p->q[i];
	}
	s[n] = 0;
	p->pos++;
	return s;
}

static void jnext(struct jparser *p)
{
	struct jtok *t = &p->t;
	const char *q = p->q;
	tok_clear(t);
	while (p->pos < p->len && (q[p->pos] == ' ' || q[p->pos] == '\t' || q[p->pos] == '\n' || q[p->pos] == '\r'))
		p->pos++;
	t->pos = p->pos;
	if (p->failed || p->pos >= p->len) {
		t->k = J_EOF;
		return;
	}
	char c = q[p->pos], d = p->pos + 1 < p->len ? q[p->pos + 1] : 0;
	if (id_start(c)) {
		size_t b = p->pos;
		while (p->pos < p->len && id_char(q[p->pos]))
			p->pos++;
		t->k = J_ID;
		if (!(t->s = strndup(q + b, p->pos - b)))
			jp_oom(p);
		return;
	}
	if ((c >= '0' && c <= '9') || (c == '-' && d >= '0' && d <= '9')) {
		bool neg = c == '-';
		unsigned long long v = 0;
		if (neg)
			p->pos++;
		while (p->pos < p->len && q[p->pos] >= '0' && q[p->pos] <= '9') {
			if (v > 1000000000000ull) {
				jp_fail(p, t->pos, "number out of range");
				t->k = J_EOF;
				return;
			}
			v = v * 10 + (unsigned)(q[p->pos++] - '0');
		}
		t->k = J_NUM;
		t->num = neg ? -(long long)v : (long long)v;
		return;
	}
	if (c == '"') {
		/* a quoted identifier is a JSON string */
		size_t b = p->pos;
		json_t *j;
		char *raw;
		p->pos++;
		while (p->pos < p->len && q[p->pos] != '"') {
			if (q[p->pos] == '\\' && p->pos + 1 < p->len)
				p->pos++;
			p->pos++;
		}
		if (p->pos >= p->len) {
			jp_fail(p, b, "unterminated quoted identifier");
			t->k = J_EOF;
			return;
		}
		p->pos++;
		raw = strndup(q + b, p->pos - b);
		j = raw ? json_loads(raw, JSON_DECODE_ANY, NULL) : NULL;
		free(raw);
		if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j)) {
			json_decref(j);
			jp_fail(p, b, "invalid quoted identifier");
			t->k = J_EOF;
			return;
		}
		t->k = J_QID;
		t->s = strdup(json_string_value(j));
		json_decref(j);
		if (!t->s)
			jp_oom(p);
		return;
	}
	if (c == '\'') {
		p->pos++;
		t->s = delimited(p, '\'', t->pos, "raw string");
		t->k = t->s ? J_RAW : J_EOF;
		if (t->s && !(t->lit = json_string(t->s))) {
			jp_fail(p, t->pos, "raw string is not valid UTF-8");
			t->k = J_EOF;
		}
		return;
	}
	if (c == '`') {
		char *s;
		json_error_t je;
		p->pos++;
		s = delimited(p, '`', t->pos, "literal");
		if (!s) {
			t->k = J_EOF;
			return;
		}
		t->lit = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		free(s);
		if (!t->lit) {
			jp_fail(p, t->pos, "literal is not JSON: %s", je.text);
			t->k = J_EOF;
			return;
		}
		t->k = J_LIT;
		return;
	}
	static const struct {
		const char *s;
		enum jt k;
	} ops[] = {{"[?", J_FILTER}, {"[]", J_FLATTEN}, {"||", J_OR}, {"&&", J_AND}, {"==", J_EQ}, {"!=", J_NE},
		   {"<=", J_LE},     {">=", J_GE},	{".", J_DOT}, {"*", J_STAR}, {"[", J_LBRACKET}, {"]", J_RBRACKET},
		   {"{", J_LBRACE},  {"}", J_RBRACE},	{"(", J_LPAREN}, {")", J_RPAREN}, {",", J_COMMA}, {":", J_COLON},
		   {"|", J_PIPE},    {"!", J_NOT},	{"@", J_AT},  {"&", J_AMP},  {"<", J_LT},	  {">", J_GT}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].s);
		if (p->pos + l <= p->len && memcmp(q + p->pos, ops[i].s, l) == 0) {
			p->pos += l;
			t->k = ops[i].k;
			return;
		}
	}
	jp_fail(p, t->pos, "unexpected character '%c'", (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f ? c : '?');
	t->k = J_EOF;
}

static int lbp(enum jt k)
{
	switch (k) {
	case J_PIPE:
		return 1;
	case J_OR:
		return 2;
	case J_AND:
		return 3;
	case J_EQ:
	case J_NE:
	case J_LT:
	case J_LE:
	case J_GT:
	case J_GE:
		return 5;
	case J_FLATTEN:
		return 9;
	case J_STAR:
		return 20;
	case J_FILTER:
		return 21;
	case J_DOT:
		return 40;
	case J_NOT:
		return 45;
	case J_LBRACE:
		return 50;
	case J_LBRACKET:
		return 55;
	case J_LPAREN:
		return 60;
	default:
		return 0;
	}
}

static const char *jt_name(enum jt k)
{
	static const char *const n[] = {"end of query", "an identifier", "a quoted identifier", "a raw string",
					"a literal", "a number", "'.'", "'*'", "'['", "'[?'", "'[]'", "']'", "'{'",
					"'}'", "'('", "')'", "','", "':'", "'|'", "'||'", "'&&'", "'!'", "'@'", "'&'",
					"'=='", "'!='", "'<'", "'<='", "'>'", "'>='"};
	return n[k];
}

static void jexpect(struct jparser *p, enum jt k)
{
	if (p->failed)
		return;
	if (p->t.k != k) {
		jp_fail(p, p->t.pos, "expected %s, found %s", jt_name(k), jt_name(p->t.k));
		return;
	}
	jnext(p);
}

static struct jnode *jexpr(struct jparser *p, int rbp);

static struct jnode *binary(struct jparser *p, enum jn k, struct jnode *l, struct jnode *r)
{
	struct jnode *n = jnew(p, k);
	if (n) {
		n->l = l;
		n->r = r;
	}
	return n;
}

static struct jnode *current(struct jparser *p)
{
	return jnew(p, N_CURRENT);
}

static struct jnode *multi_select(struct jparser *p, bool hash);

static struct jnode *dot_rhs(struct jparser *p, int bp)
{
	switch (p->t.k) {
	case J_ID:
	case J_QID:
	case J_STAR:
		return jexpr(p, bp);
	case J_LBRACKET:
		jnext(p);
		return multi_select(p, false);
	case J_LBRACE:
		jnext(p);
		return multi_select(p, true);
	default:
		jp_fail(p, p->t.pos, "expected an identifier, '*', '[' or '{' after '.', found %s", jt_name(p->t.k));
		return NULL;
	}
}

static struct jnode *projection_rhs(struct jparser *p, int bp)
{
	if (lbp(p->t.k) < 10)
		return current(p);
	if (p->t.k == J_LBRACKET || p->t.k == J_FILTER)
		return jexpr(p, bp);
	if (p->t.k == J_DOT) {
		jnext(p);
		return dot_rhs(p, bp);
	}
	jp_fail(p, p->t.pos, "unexpected %s after a projection", jt_name(p->t.k));
	return NULL;
}

/* After '[' when a number or ':' follows: an index, or a slice (which projects). */
static struct jnode *index_or_slice(struct jparser *p, struct jnode *left)
{
	struct jnode *n = jnew(p, N_INDEX);
	int part = 0;
	if (!n)
		return NULL;
	while (!p->failed && p->t.k != J_RBRACKET) {
		if (p->t.k == J_NUM) {
			if (n->has[part]) {
				jp_fail(p, p->t.pos, "expected ':' or ']' in a slice");
				return NULL;
			}
			n->idx[part] = p->t.num;
			n->has[part] = true;
			jnext(p);
		} else if (p->t.k == J_COLON && part < 2) {
			part++;
			n->k = N_SLICE;
			jnext(p);
		} else {
			jp_fail(p, p->t.pos, "expected a number, ':' or ']' in an index, found %s", jt_name(p->t.k));
			return NULL;
		}
	}
	jexpect(p, J_RBRACKET);
	if (p->failed)
		return NULL;
	if (n->k == N_SLICE && n->has[2] && n->idx[2] == 0) {
		jp_fail(p, p->t.pos, "a slice's step cannot be 0");
		return NULL;
	}
	n = binary(p, N_SUB, left, n);
	if (n && n->r->k == N_SLICE)
		return binary(p, N_PROJ, n, projection_rhs(p, lbp(J_STAR)));
	return n;
}

/* After '[' (hash false) or '{' (hash true): "a, b]" or "k: a, l: b}". */
static struct jnode *multi_select(struct jparser *p, bool hash)
{
	struct jnode *n = jnew(p, hash ? N_MSH : N_MSL);
	int cap = 0;
	if (!n)
		return NULL;
	while (!p->failed) {
		if (hash && p->t.k != J_ID && p->t.k != J_QID) {
			jp_fail(p, p->t.pos, "expected a key in a multi-select hash, found %s", jt_name(p->t.k));
			return NULL;
		}
		if (n->nkids == cap) {
			int nc = cap ? cap * 2 : 4;
			struct jnode **k = realloc(n->kids, sizeof(*k) * (size_t)nc);
			char **ks = NULL;
			if (k)
				n->kids = k;
			if (k && hash && (ks = realloc(n->keys, sizeof(*ks) * (size_t)nc)))
				n->keys = ks;
			if (!k || (hash && !ks)) {
				jp_oom(p);
				return NULL;
			}
			cap = nc;
		}
		if (hash) {
			n->keys[n->nkids] = p->t.s;
			p->t.s = NULL;
			n->kids[n->nkids++] = NULL;
			jnext(p);
			jexpect(p, J_COLON);
			n->kids[n->nkids - 1] = jexpr(p, 0);
		} else {
			n->kids[n->nkids++] = jexpr(p, 0);
		}
		if (p->t.k != J_COMMA)
			break;
		jnext(p);
	}
	jexpect(p, hash ? J_RBRACE : J_RBRACKET);
	return n;
}

static struct jnode *function_call(struct jparser *p, const char *name, size_t at)
{
	struct jnode *n;
	size_t i;
	if (strcmp(name, "map") == 0 || strcmp(name, "sort_by") == 0 || strcmp(name, "max_by") == 0 ||
	    strcmp(name, "min_by") == 0) {
		jp_fail(p, at, "function %s() is not supported (it takes an expression reference)", name);
		return NULL;
	}
	for (i = 0; i < sizeof(jfns) / sizeof(jfns[0]); i++)
		if (strcmp(jfns[i].name, name) == 0)
			break;
	if (i == sizeof(jfns) / sizeof(jfns[0])) {
		jp_fail(p, at, "unknown function %.40s()", name);
		return NULL;
	}
	n = jnew(p, N_FUNC);
	if (!n)
		return NULL;
	n->fn = (enum jf)i;
	n->kids = calloc(JM_MAX_ARGS, sizeof(*n->kids));
	if (!n->kids) {
		jp_oom(p);
		return NULL;
	}
	jnext(p); /* the '(' */
	while (!p->failed && p->t.k != J_RPAREN) {
		if (n->nkids == JM_MAX_ARGS) {
			jp_fail(p, p->t.pos, "too many arguments to %s()", jfns[i].name);
			return NULL;
		}
		n->kids[n->nkids++] = jexpr(p, 0);
		if (p->t.k != J_COMMA)
			break;
		jnext(p);
	}
	jexpect(p, J_RPAREN);
	if (!p->failed && (n->nkids < jfns[i].min || (jfns[i].max >= 0 && n->nkids > jfns[i].max)))
		jp_fail(p, at, "%s() takes %d argument%s, not %d", jfns[i].name, jfns[i].min, jfns[i].min == 1 ? "" : "s",
			n->nkids);
	return n;
}

/* After `[?`: the condition, `]`, and the projection over `left` it filters. */
static struct jnode *filter_rhs(struct jparser *p, struct jnode *left)
{
	struct jnode *c = jexpr(p, 0), *n;
	jexpect(p, J_RBRACKET);
	n = binary(p, N_FILTER, left, projection_rhs(p, lbp(J_FILTER)));
	if (n)
		n->c = c;
	return n;
}

/* After `[]`: `left` flattened, projected. */
static struct jnode *flatten_rhs(struct jparser *p, struct jnode *left)
{
	return binary(p, N_PROJ, binary(p, N_FLATTEN, left, NULL), projection_rhs(p, lbp(J_FLATTEN)));
}

/* Whether the token after the current one is of kind k (a function's `(`, the `]` of `[*]`: spaces allowed), the
 * parser left as it is. */
static bool next_is(struct jparser *p, enum jt k)
{
	struct jtok cur = p->t;
	size_t save = p->pos;
	bool yes;
	jnext(p);
	yes = p->t.k == k;
	tok_clear(&p->t);
	p->t = cur;
	p->pos = save;
	return yes;
}

static struct jnode *nud(struct jparser *p)
{
	struct jtok t = p->t;
	struct jnode *n;
	memset(&p->t, 0, sizeof(p->t)); /* t owns the token's strings now */
	p->t.k = J_EOF;
	switch (t.k) {
	case J_ID:
		if (next_is(p, J_LPAREN)) {
			jnext(p);
			n = function_call(p, t.s, t.pos);
			tok_clear(&t);
			return n;
		}
		/* fall through */
	case J_QID:
		n = jnew(p, N_FIELD);
		if (n) {
			n->name = t.s;
			t.s = NULL;
		}
		jnext(p);
		if (t.k == J_QID && p->t.k == J_LPAREN)
			jp_fail(p, p->t.pos, "a quoted identifier cannot name a function");
		break;
	case J_RAW:
	case J_LIT:
		n = jnew(p, N_LIT);
		if (n) {
			n->lit = t.lit;
			t.lit = NULL;
		}
		jnext(p);
		break;
	case J_AT:
		jnext(p);
		n = current(p);
		break;
	case J_STAR:
		jnext(p);
		n = binary(p, N_VPROJ, current(p), projection_rhs(p, lbp(J_STAR)));
		break;
	case J_FILTER:
		jnext(p);
		n = filter_rhs(p, current(p));
		break;
	case J_FLATTEN:
		jnext(p);
		n = flatten_rhs(p, current(p));
		break;
	case J_LBRACKET:
		jnext(p);
		if (p->t.k == J_NUM || p->t.k == J_COLON) {
			n = index_or_slice(p, current(p));
		} else if (p->t.k == J_STAR && next_is(p, J_RBRACKET)) {
			jnext(p);
			jnext(p);
			n = binary(p, N_PROJ, current(p), projection_rhs(p, lbp(J_STAR)));
		} else {
			n = multi_select(p, false);
		}
		break;
	case J_LBRACE:
		jnext(p);
		n = multi_select(p, true);
		break;
	case J_NOT:
		jnext(p);
		n = binary(p, N_NOT, jexpr(p, lbp(J_NOT)), NULL);
		break;
	case J_LPAREN:
		jnext(p);
		n = jexpr(p, 0);
		jexpect(p, J_RPAREN);
		break;
	case J_AMP:
		jp_fail(p, t.pos, "expression references ('&') are not supported");
		n = NULL;
		break;
	default:
		jp_fail(p, t.pos, "unexpected %s", jt_name(t.k));
		n = NULL;
		break;
	}
	tok_clear(&t);
	return n;
}

static struct jnode *led(struct jparser *p, struct jnode *left)
{
	enum jt k = p->t.k;
	size_t at = p->t.pos;
	struct jnode *n;
	jnext(p);
	switch (k) {
	case J_DOT:
		if (p->t.k == J_STAR) { /* `.*`: what follows binds as after a dot, as the reference parsers do */
			jnext(p);
			return binary(p, N_VPROJ, left, projection_rhs(p, lbp(J_DOT)));
		}
		return binary(p, N_SUB, left, dot_rhs(p, lbp(J_DOT)));
	case J_PIPE:
		return binary(p, N_PIPE, left, jexpr(p, lbp(J_PIPE)));
	case J_OR:
		return binary(p, N_OR, left, jexpr(p, lbp(J_OR)));
	case J_AND:
		return binary(p, N_AND, left, jexpr(p, lbp(J_AND)));
	case J_EQ:
	case J_NE:
	case J_LT:
	case J_LE:
	case J_GT:
	case J_GE:
		n = binary(p, N_CMP, left, jexpr(p, lbp(k)));
		if (n)
			n->op = k;
		return n;
	case J_FILTER:
		return filter_rhs(p, left);
	case J_FLATTEN:
		return flatten_rhs(p, left);
	case J_LBRACKET:
		if (p->t.k == J_NUM || p->t.k == J_COLON)
			return index_or_slice(p, left);
		if (p->t.k == J_STAR) {
			jnext(p);
			jexpect(p, J_RBRACKET);
			return binary(p, N_PROJ, left, projection_rhs(p, lbp(J_STAR)));
		}
		jp_fail(p, p->t.pos, "expected a number, ':' or '*' after '[', found %s", jt_name(p->t.k));
		return NULL;
	default:
		jp_fail(p, at, "unexpected %s", jt_name(k));
		return NULL;
	}
}

static struct jnode *jexpr(struct jparser *p, int rbp)
{
	struct jnode *left;
	if (p->failed)
		return NULL;
	if (++p->depth > JM_MAX_DEPTH) {
		jp_fail(p, p->t.pos, "query nested too deeply");
		return NULL;
	}
	left = nud(p);
	while (!p->failed && rbp < lbp(p->t.k))
		left = led(p, left);
	p->depth--;
	return p->failed ? NULL : left;
}

static void parser_fini(struct jparser *p)
{
	tok_clear(&p->t);
	for (int i = 0; i < p->nnodes; i++)
		jnode_free(p->nodes[i]);
	free(p);
}

/* Parses q; on success *root is the tree and the parser holds its nodes. */
static cella_result jparse(const char *q, size_t len, struct jparser **out, struct jnode **root, size_t *err_off,
			   char err[ATTESTD_ERR_BYTES])
{
	struct jparser *p = calloc(1, sizeof(*p));
	if (!p)
		return CELLA_ERR_OUT_OF_MEMORY;
	p->q = q;
	p->len = len;
	p->err = err;
	p->err_off = err_off;
	*err_off = 0;
	if (memchr(q, 0, len))
		jp_fail(p, (size_t)((const char *)memchr(q, 0, len) - q), "NUL byte in the query");
	jnext(p);
	*root = jexpr(p, 0);
	if (!p->failed && p->t.k != J_EOF)
		jp_fail(p, p->t.pos, "unexpected %s", jt_name(p->t.k));
	if (p->failed) {
		cella_result r = p->oom ? CELLA_ERR_OUT_OF_MEMORY : CELLA_ERR_BAD_FORMAT;
		parser_fini(p);
		return r;
	}
	*out = p;
	return CELLA_OK;
}

cella_result attestd_jmes_check(const char *q, size_t len, size_t *err_off, char err[ATTESTD_ERR_BYTES])
{
	struct jparser *p;
	struct jnode *root;
	cella_result r = jparse(q, len, &p, &root, err_off, err);
	if (r == CELLA_OK)
		parser_fini(p);
	return r;
}

/* ---- compiled queries: parsed once, evaluated by any number of threads at once ---- */

struct attestd_jmes {
	struct jnode *root;
	struct jnode **nodes;    /* every node, for attestd_jmes_free */
	int nnodes;
	bool frozen;             /* the literals are frozen (attestd_jmes_compile) */
};

/*
 * A frozen value has jansson's "never freed" reference count, the one json_null() and json_true() have:
 * json_incref and json_decref read it and write nothing. Evaluation takes references to literals (N_LIT returns
 * json_incref(lit), a result array holds them), and a count changed from several threads at once is a data race
 * (the atomic increment against json_incref's plain read of the count), so a compiled query's literals are frozen.
 * Nothing evaluation does changes a value it did not make (results are new arrays and objects), so frozen values are
 * read-only in fact too. true, false and null are jansson's own static values, already frozen, and stay so.
 */
#if JANSSON_MAJOR_VERSION != 2
#error "attestd_json_freeze relies on jansson 2's never-freed reference count, (size_t)-1"
#endif

static bool jstatic(const json_t *v)
{
	return json_is_true(v) || json_is_false(v) || json_is_null(v);
}

/* see attestd_internal.h */
void attestd_json_freeze(json_t *v)
{
	size_t i;
	const char *k;
	json_t *x;
	if (!v || jstatic(v))
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) attestd_json_freeze(x);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) attestd_json_freeze(x);
	}
	v->refcount = (size_t)-1;
}

/* Gives each value of a frozen tree back the one reference its parent (or the caller, for v) holds. */
static void jthaw(json_t *v)
{
	size_t i;
	const char *k;
	json_t *x;
	if (!v || jstatic(v))
		return;
	v->refcount = 1;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) jthaw(x);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) jthaw(x);
	}
}

/* see attestd_internal.h */
void attestd_json_frozen_free(json_t *v)
{
	jthaw(v);
	json_decref(v);
}

/* Parses q into a compiled query; frozen: its literals are frozen (a shared query), else they keep their counts (a
 * query of one evaluation, whose result may hold references to them past attestd_jmes_free). */
static cella_result jcompile(const char *q, size_t len, bool frozen, struct attestd_jmes **out, size_t *err_off,
			     char err[ATTESTD_ERR_BYTES])
{
	struct jparser *p;
	struct jnode *root;
	struct attestd_jmes *c;
	cella_result r = jparse(q, len, &p, &root, err_off, err);
	if (r != CELLA_OK)
		return r;
	c = calloc(1, sizeof(*c));
	if (c)
		c->nodes = malloc(sizeof(*c->nodes) * (size_t)p->nnodes);
	if (!c || !c->nodes) {
		free(c);
		parser_fini(p);
		snprintf(err, ATTESTD_ERR_BYTES, "out of memory");
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	memcpy(c->nodes, p->nodes, sizeof(*c->nodes) * (size_t)p->nnodes);
	c->nnodes = p->nnodes;
	c->root = root;
	c->frozen = frozen;
	p->nnodes = 0; /* the nodes are c's now */
	parser_fini(p);
	for (int i = 0; frozen && i < c->nnodes; i++)
		attestd_json_freeze(c->nodes[i]->lit);
	*out = c;
	return CELLA_OK;
}

/* see attestd_internal.h */
cella_result attestd_jmes_compile(const char *q, size_t len, struct attestd_jmes **out, size_t *err_off,
				  char err[ATTESTD_ERR_BYTES])
{
	return jcompile(q, len, true, out, err_off, err);
}

/* see attestd_internal.h */
void attestd_jmes_free(struct attestd_jmes *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nnodes; i++) {
		if (c->frozen)
			jthaw(c->nodes[i]->lit);
		jnode_free(c->nodes[i]);
	}
	free(c->nodes);
	free(c);
}

/* ---- evaluation ---- */

struct jev {
	long *steps, max;
	cella_result r;
	char *err;
};

static bool jcharge(struct jev *e, size_t n)
{
	if (e->r != CELLA_OK)
		return false;
	*e->steps += (long)(n < (size_t)e->max ? n : (size_t)e->max);
	if (*e->steps > e->max) {
		e->r = CELLA_ERR_TOO_LARGE;
		snprintf(e->err, ATTESTD_ERR_BYTES, "JmesPath: the query exceeded the evaluation's work bound");
		return false;
	}
	return true;
}

static void jerr(struct jev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jerr(struct jev *e, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (e->r != CELLA_OK)
		return;
	e->r = CELLA_ERR_INVALID_ARG;
	n = snprintf(e->err, ATTESTD_ERR_BYTES, "JmesPath: ");
	va_start(ap, fmt);
	vsnprintf(e->err + n, ATTESTD_ERR_BYTES - (size_t)n, fmt, ap);
	va_end(ap);
}

static json_t *joom(struct jev *e)
{
	if (e->r == CELLA_OK) {
		e->r = CELLA_ERR_OUT_OF_MEMORY;
		snprintf(e->err, ATTESTD_ERR_BYTES, "JmesPath: out of memory");
	}
	return NULL;
}

/* Charges the size of v (nodes, and bytes of strings), walking no further than the bound allows. */
static bool charge_size(struct jev *e, json_t *v)
{
	size_t i;
	const char *k;
	json_t *x;
	if (!jcharge(e, 1))
		return false;
	if (json_is_string(v))
		return jcharge(e, json_string_length(v) / JM_STEP_BYTES);
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) if (!charge_size(e, x)) return false;
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) if (!jcharge(e, strlen(k) / JM_STEP_BYTES) || !charge_size(e, x)) return false;
	}
	return true;
}

/* Appends v (a new reference, taken) to the array a, charging its size. */
static bool collect(struct jev *e, json_t *a, json_t *v)
{
	if (!charge_size(e, v)) {
		json_decref(v);
		return false;
	}
	if (json_array_append_new(a, v) != 0) {
		joom(e);
		return false;
	}
	return true;
}

static bool truthy(json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return true;
}

static double num(json_t *v)
{
	return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

/* JSON equality with numbers compared by value (1 == 1.0), as JMESPath wants. */
static bool jequal(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return num(a) == num(b);
	}
	if (json_is_array(a) && json_is_array(b)) {
		size_t n = json_array_size(a);
		if (n != json_array_size(b))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!jequal(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *x, *y;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach(a, k, x) if (!(y = json_object_get(b, k)) || !jequal(x, y)) return false;
		return true;
	}
	return json_equal(a, b);
}

static const char *jtype(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

static json_t *jeval(struct jev *e, const struct jnode *n, json_t *cur);

static json_t *jnumber(struct jev *e, double d)
{
	json_t *r;
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		r = json_integer((json_int_t)d);
	else
		r = isfinite(d) ? json_real(d) : json_null();
	return r ? r : joom(e);
}

static int cmp_sortable(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	if (json_is_string(x))
		return strcmp(json_string_value(x), json_string_value(y));
	return num(x) < num(y) ? -1 : num(x) > num(y);
}

/* Every element of a is a number (want 'n'), a string ('s'), or either as long as all are alike ('x'). */
static bool all_of(json_t *a, char want)
{
	size_t i;
	json_t *x;
	char kind = 0;
	json_array_foreach(a, i, x)
	{
		char k = json_is_number(x) ? 'n' : json_is_string(x) ? 's' : '?';
		if (k == '?' || (kind && k != kind) || (want != 'x' && k != want))
			return false;
		kind = k;
	}
	return true;
}

static size_t utf8_len(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static json_t *call(struct jev *e, const struct jnode *n, json_t *cur)
{
	json_t *a[JM_MAX_ARGS] = {0}, *r = NULL;
	const char *name = jfns[n->fn].name;
	for (int i = 0; i < n->nkids; i++)
		if (!(a[i] = jeval(e, n->kids[i], cur)))
			goto out;
	/* every function reads its string arguments at least once (length, to_number, starts_with...): charged here,
	 * whatever it does with them after */
	for (int i = 0; i < n->nkids; i++)
		if (json_is_string(a[i]) && !jcharge(e, json_string_length(a[i]) / JM_STEP_BYTES))
			goto out;
#define BADTYPE(i, want)                                                                                            \
	do {                                                                                                        \
		jerr(e, "%s() argument %d must be %s, not %s", name, (i) + 1, want, jtype(a[i]));                   \
		goto out;                                                                                           \
	} while (0)
	switch (n->fn) {
	case F_ABS:
	case F_CEIL:
	case F_FLOOR:
		if (!json_is_number(a[0]))
			BADTYPE(0, "a number");
		if (json_is_integer(a[0]) && n->fn != F_ABS) {
			r = json_incref(a[0]);
		} else if (json_is_integer(a[0])) {
			json_int_t v = json_integer_value(a[0]);
			r = v == INT64_MIN ? json_real(9223372036854775808.0) : json_integer(v < 0 ? -v : v);
		} else {
			double d = json_real_value(a[0]);
			r = jnumber(e, n->fn == F_ABS ? fabs(d) : n->fn == F_CEIL ? ceil(d) : floor(d));
		}
		break;
	case F_AVG:
	case F_SUM: {
		size_t i;
		json_t *x;
		double s = 0;
		if (!json_is_array(a[0]) || !all_of(a[0], 'n'))
			BADTYPE(0, "an array of numbers");
		if (!jcharge(e, json_array_size(a[0])))
			goto out;
		json_array_foreach(a[0], i, x) s += num(x);
		if (n->fn == F_AVG)
			r = json_array_size(a[0]) ? jnumber(e, s / (double)json_array_size(a[0])) : json_null();
		else
			r = jnumber(e, s);
		break;
	}
	case F_CONTAINS:
		if (json_is_string(a[0])) {
			r = json_boolean(json_is_string(a[1]) &&
					 strstr(json_string_value(a[0]), json_string_value(a[1])) != NULL);
			if (!jcharge(e, json_string_length(a[0]) / JM_STEP_BYTES + 1))
				goto out;
		} else if (json_is_array(a[0])) {
			size_t i;
			json_t *x;
			bool found = false;
			if (!charge_size(e, a[0]))
				goto out;
			json_array_foreach(a[0], i, x) if (!found && jequal(x, a[1])) found = true;
			r = json_boolean(found);
		} else {
			BADTYPE(0, "an array or a string");
		}
		break;
	case F_ENDS_WITH:
	case F_STARTS_WITH: {
		size_t l0, l1;
		if (!json_is_string(a[0]))
			BADTYPE(0, "a string");
		if (!json_is_string(a[1]))
			BADTYPE(1, "a string");
		l0 = json_string_length(a[0]);
		l1 = json_string_length(a[1]);
		r = json_boolean(l1 <= l0 && memcmp(json_string_value(a[0]) + (n->fn == F_ENDS_WITH ? l0 - l1 : 0),
						    json_string_value(a[1]), l1) == 0);
		break;
	}
	case F_JOIN: {
		size_t i, len = 0, sl;
		json_t *x;
		char *buf;
		if (!json_is_string(a[0]))
			BADTYPE(0, "a string");
		if (!json_is_array(a[1]) || !all_of(a[1], 's'))
			BADTYPE(1, "an array of strings");
		sl = json_string_length(a[0]);
		json_array_foreach(a[1], i, x) len += json_string_length(x) + (i ? sl : 0);
		if (!jcharge(e, len / JM_STEP_BYTES + json_array_size(a[1])))
			goto out;
		if (!(buf = malloc(len + 1))) {
			joom(e);
			goto out;
		}
		len = 0;
		json_array_foreach(a[1], i, x)
		{
			if (i) {
				memcpy(buf + len, json_string_value(a[0]), sl);
				len += sl;
			}
			memcpy(buf + len, json_string_value(x), json_string_length(x));
			len += json_string_length(x);
		}
		r = json_stringn_nocheck(buf, len);
		free(buf);
		break;
	}
	case F_KEYS:
	case F_VALUES: {
		const char *k;
		json_t *x;
		if (!json_is_object(a[0]))
			BADTYPE(0, "an object");
		if (!(r = json_array()))
			break;
		json_object_foreach(a[0], k, x)
		{
			if (!collect(e, r, n->fn == F_KEYS ? json_string(k) : json_incref(x))) {
				json_decref(r);
				r = NULL;
				goto out;
			}
		}
		break;
	}
	case F_LENGTH:
		if (json_is_string(a[0]))
			r = json_integer((json_int_t)utf8_len(json_string_value(a[0]), json_string_length(a[0])));
		else if (json_is_array(a[0]))
			r = json_integer((json_int_t)json_array_size(a[0]));
		else if (json_is_object(a[0]))
			r = json_integer((json_int_t)json_object_size(a[0]));
		else
			BADTYPE(0, "a string, an array or an object");
		break;
	case F_MAX:
	case F_MIN: {
		size_t i;
		json_t *x, *best = NULL;
		if (!json_is_array(a[0]) || !all_of(a[0], 'x'))
			BADTYPE(0, "an array of numbers or of strings");
		if (!jcharge(e, json_array_size(a[0])))
			goto out;
		json_array_foreach(a[0], i, x)
		{
			int c = best ? cmp_sortable(&x, &best) : 0;
			if (!best || (n->fn == F_MAX ? c > 0 : c < 0))
				best = x;
		}
		r = best ? json_incref(best) : json_null();
		break;
	}
	case F_MERGE: {
		if (!(r = json_object()))
			break;
		for (int i = 0; i < n->nkids; i++) {
			if (!json_is_object(a[i])) {
				json_decref(r);
				r = NULL;
				BADTYPE(i, "an object");
			}
			if (!charge_size(e, a[i]) || json_object_update(r, a[i]) != 0) {
				json_decref(r);
				r = NULL;
				if (e->r == CELLA_OK)
					joom(e);
				goto out;
			}
		}
		break;
	}
	case F_NOT_NULL:
		for (int i = 0; i < n->nkids && !r; i++)
			if (!json_is_null(a[i]))
				r = json_incref(a[i]);
		if (!r)
			r = json_null();
		break;
	case F_REVERSE:
		if (json_is_string(a[0])) {
			/* by code point */
			const char *s = json_string_value(a[0]);
			size_t l = json_string_length(a[0]), w = l;
			char *buf = malloc(l + 1);
			if (!buf || !jcharge(e, l / JM_STEP_BYTES)) {
				free(buf);
				if (e->r == CELLA_OK)
					joom(e);
				goto out;
			}
			for (size_t i = 0; i < l;) {
				size_t j = i + 1;
				while (j < l && ((unsigned char)s[j] & 0xc0) == 0x80)
					j++;
				w -= j - i;
				memcpy(buf + w, s + i, j - i);
				i = j;
			}
			r = json_stringn_nocheck(buf, l);
			free(buf);
		} else if (json_is_array(a[0])) {
			size_t sz = json_array_size(a[0]);
			if (!(r = json_array()))
				break;
			for (size_t i = sz; i-- > 0;)
				if (!collect(e, r, json_incref(json_array_get(a[0], i)))) {
					json_decref(r);
					r = NULL;
					goto out;
				}
		} else {
			BADTYPE(0, "an array or a string");
		}
		break;
	case F_SORT: {
		size_t sz, i;
		json_t **v;
		if (!json_is_array(a[0]) || !all_of(a[0], 'x'))
			BADTYPE(0, "an array of numbers or of strings");
		sz = json_array_size(a[0]);
		if (!jcharge(e, sz * 20))
			goto out;
		if (!(v = malloc(sizeof(*v) * (sz ? sz : 1)))) {
			joom(e);
			goto out;
		}
		for (i = 0; i < sz; i++)
			v[i] = json_array_get(a[0], i);
		qsort(v, sz, sizeof(*v), cmp_sortable);
		r = json_array();
		for (i = 0; r && i < sz; i++)
			if (json_array_append(r, v[i]) != 0) {
				json_decref(r);
				r = NULL;
			}
		free(v);
		break;
	}
	case F_TO_ARRAY:
		if (json_is_array(a[0]))
			r = json_incref(a[0]);
		else if ((r = json_array()) && json_array_append(r, a[0]) != 0) {
			json_decref(r);
			r = NULL;
		}
		break;
	case F_TO_STRING:
		if (json_is_string(a[0])) {
			r = json_incref(a[0]);
		} else {
			char *s;
			if (!charge_size(e, a[0]))
				goto out;
			s = json_dumps(a[0], JSON_COMPACT | JSON_ENCODE_ANY);
			r = s ? json_string(s) : NULL;
			free(s);
		}
		break;
	case F_TO_NUMBER:
		if (json_is_number(a[0])) {
			r = json_incref(a[0]);
		} else if (json_is_string(a[0])) {
			/* a JSON number as a whole, or null */
			json_t *v = json_loadb(json_string_value(a[0]), json_string_length(a[0]), JSON_DECODE_ANY, NULL);
			r = json_is_number(v) ? json_incref(v) : json_null();
			json_decref(v);
		} else {
			r = json_null();
		}
		break;
	case F_TYPE:
		r = json_string(jtype(a[0]));
		break;
	}
#undef BADTYPE
	if (!r)
		joom(e);
out:
	for (int i = 0; i < n->nkids; i++)
		json_decref(a[i]);
	if (e->r != CELLA_OK) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static json_t *slice(struct jev *e, const struct jnode *n, json_t *arr)
{
	long long len = (long long)json_array_size(arr), step = n->has[2] ? n->idx[2] : 1, start, stop;
	json_t *r = json_array();
	if (!r)
		return joom(e);
	if (n->has[0]) {
		start = n->idx[0] < 0 ? n->idx[0] + len : n->idx[0];
		start = start < 0 ? (step < 0 ? -1 : 0) : start >= len ? (step < 0 ? len - 1 : len) : start;
	} else {
		start = step < 0 ? len - 1 : 0;
	}
	if (n->has[1]) {
		stop = n->idx[1] < 0 ? n->idx[1] + len : n->idx[1];
		stop = stop < 0 ? (step < 0 ? -1 : 0) : stop >= len ? (step < 0 ? len - 1 : len) : stop;
	} else {
		stop = step < 0 ? -1 : len;
	}
	for (long long i = start; step > 0 ? i < stop : i > stop; i += step)
		if (!collect(e, r, json_incref(json_array_get(arr, (size_t)i)))) {
			json_decref(r);
			return NULL;
		}
	return r;
}

/* Evaluates n over cur: a new reference (JSON null for nothing), or NULL with e->r set. */
static json_t *jeval(struct jev *e, const struct jnode *n, json_t *cur)
{
	json_t *l = NULL, *r = NULL, *x;
	size_t i;
	if (!jcharge(e, 1))
		return NULL;
	switch (n->k) {
	case N_CURRENT:
		return json_incref(cur);
	case N_LIT:
		return json_incref(n->lit);
	case N_FIELD:
		x = json_is_object(cur) ? json_object_get(cur, n->name) : NULL;
		return x ? json_incref(x) : json_null();
	case N_INDEX:
		if (json_is_array(cur)) {
			long long k = n->idx[0] < 0 ? n->idx[0] + (long long)json_array_size(cur) : n->idx[0];
			x = k >= 0 ? json_array_get(cur, (size_t)k) : NULL;
			if (x)
				return json_incref(x);
		}
		return json_null();
	case N_SLICE:
		return json_is_array(cur) ? slice(e, n, cur) : json_null();
	case N_SUB:
	case N_PIPE:
		if (!(l = jeval(e, n->l, cur)))
			return NULL;
		r = jeval(e, n->r, l);
		json_decref(l);
		return r;
	case N_PROJ:
	case N_VPROJ:
	case N_FILTER:
	case N_FLATTEN: {
		json_t *out, *y;
		const char *k;
		size_t j;
		if (!(l = jeval(e, n->l, cur)))
			return NULL;
		if (n->k == N_VPROJ ? !json_is_object(l) : !json_is_array(l)) {
			json_decref(l);
			return json_null();
		}
		if (!(out = json_array())) {
			json_decref(l);
			return joom(e);
		}
		if (n->k == N_VPROJ) {
			json_object_foreach(l, k, x)
			{
				if (!(r = jeval(e, n->r, x)))
					break;
				if (!json_is_null(r) ? !collect(e, out, r) : (json_decref(r), false))
					break;
			}
		} else if (n->k == N_FLATTEN) {
			json_array_foreach(l, i, x)
			{
				if (json_is_array(x)) {
					json_array_foreach(x, j, y) if (!collect(e, out, json_incref(y))) break;
				} else {
					collect(e, out, json_incref(x));
				}
				if (e->r != CELLA_OK)
					break;
			}
		} else {
			json_array_foreach(l, i, x)
			{
				if (n->k == N_FILTER) {
					json_t *c = jeval(e, n->c, x);
					bool keep = truthy(c);
					json_decref(c);
					if (!c)
						break;
					if (!keep)
						continue;
				}
				if (!(r = jeval(e, n->r, x)))
					break;
				if (!json_is_null(r) ? !collect(e, out, r) : (json_decref(r), false))
					break;
			}
		}
		json_decref(l);
		if (e->r != CELLA_OK) {
			json_decref(out);
			return NULL;
		}
		return out;
	}
	case N_OR:
	case N_AND:
		if (!(l = jeval(e, n->l, cur)))
			return NULL;
		if ((n->k == N_OR) == truthy(l))
			return l;
		json_decref(l);
		return jeval(e, n->r, cur);
	case N_NOT:
		if (!(l = jeval(e, n->l, cur)))
			return NULL;
		x = json_boolean(!truthy(l));
		json_decref(l);
		return x;
	case N_CMP:
		if (!(l = jeval(e, n->l, cur)))
			return NULL;
		if (!(r = jeval(e, n->r, cur))) {
			json_decref(l);
			return NULL;
		}
		if (n->op == J_EQ || n->op == J_NE) {
			x = charge_size(e, l) ? json_boolean(jequal(l, r) == (n->op == J_EQ)) : NULL;
		} else if (json_is_number(l) && json_is_number(r)) {
			double a = num(l), b = num(r);
			x = json_boolean(n->op == J_LT ? a < b : n->op == J_LE ? a <= b : n->op == J_GT ? a > b : a >= b);
		} else {
			x = json_null();
		}
		json_decref(l);
		json_decref(r);
		return x;
	case N_MSL:
	case N_MSH: {
		json_t *out;
		if (json_is_null(cur))
			return json_null();
		if (!(out = n->k == N_MSL ? json_array() : json_object()))
			return joom(e);
		for (int k = 0; k < n->nkids; k++) {
			if (!(r = jeval(e, n->kids[k], cur)) || !charge_size(e, r) ||
			    (n->k == N_MSL ? json_array_append_new(out, r) : json_object_set_new(out, n->keys[k], r)) != 0) {
				if (r && e->r == CELLA_OK)
					joom(e); /* the set functions took r even when they failed */
				else
					json_decref(r);
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	case N_FUNC:
		return call(e, n, cur);
	}
	return json_null();
}

/* see attestd_internal.h */
cella_result attestd_jmes_run(const struct attestd_jmes *c, json_t *doc, long *steps, long max_steps, json_t **out,
			      char err[ATTESTD_ERR_BYTES])
{
	struct jev e;
	e.steps = steps;
	e.max = max_steps;
	e.r = CELLA_OK;
	e.err = err;
	*out = jeval(&e, c->root, doc);
	if (e.r != CELLA_OK) {
		json_decref(*out);
		*out = NULL;
		return e.r;
	}
	return CELLA_OK;
}

cella_result attestd_jmes_eval(const char *q, size_t len, json_t *doc, long *steps, long max_steps, json_t **out,
			       char err[ATTESTD_ERR_BYTES])
{
	struct attestd_jmes *c;
	size_t off;
	cella_result r;
	*out = NULL;
	r = jcompile(q, len, false, &c, &off, err);
	if (r != CELLA_OK) {
		if (r == CELLA_ERR_BAD_FORMAT) {
			char why[ATTESTD_ERR_BYTES];
			memcpy(why, err, sizeof(why));
			snprintf(err, ATTESTD_ERR_BYTES, "JmesPath: query column %zu: %.200s", off + 1, why);
		}
		return r;
	}
	r = attestd_jmes_run(c, doc, steps, max_steps, out, err);
	attestd_jmes_free(c);
	return r;
}
