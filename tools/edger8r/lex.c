// SPDX-License-Identifier: MIT
/*
 * EDL lexer with the small preprocessor real EDL files use: #ifdef/#ifndef/#if/#elif/#else/#endif, object-like
 * #define/#undef (-D on the command line), #include (becomes an include item), #pragma (ignored), #error,
 * and the `# N "file"` line markers a C preprocessor leaves with --preprocess. Function-like macros are an
 * explicit error: they need --preprocess.
 */
#include "edl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct edl_loc here(struct edl_lexer *l)
{
	struct edl_loc loc = {l->file, l->line, (int)(l->p - l->line_start) + 1};
	return loc;
}

static void newline(struct edl_lexer *l)
{
	l->line++;
	l->line_start = l->p;
	l->at_line_start = true;
}

void edl_lex_init(struct edl_lexer *l, struct edl_ctx *c, const char *file, const char *src, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->c = c;
	l->src = l->p = l->line_start = src;
	l->end = src + n;
	l->file = file;
	l->line = 1;
	l->at_line_start = true;
	for (size_t i = 0; c->opt && i < c->opt->defines.n; i++)
		edl_vec_push(&c->arena, &l->macros, c->opt->defines.v[i]);
}

static bool active(struct edl_lexer *l)
{
	return l->ncond == 0 || l->conds[l->ncond - 1].active;
}

static struct edl_define *find_macro(struct edl_lexer *l, const char *name, size_t n)
{
	for (size_t i = l->macros.n; i-- > 0;) {
		struct edl_define *d = l->macros.v[i];
		if (strlen(d->name) == n && !strncmp(d->name, name, n))
			return d->name[0] ? d : NULL; /* an #undef entry has an empty name after the mark */
	}
	return NULL;
}

static void undef_macro(struct edl_lexer *l, const char *name)
{
	for (size_t i = 0; i < l->macros.n; i++) {
		struct edl_define *d = l->macros.v[i];
		if (!strcmp(d->name, name)) {
			/* replace with a fresh entry so the shared -D list is not modified */
			struct edl_define *u = edl_alloc(&l->c->arena, sizeof(*u));
			u->name = "";
			l->macros.v[i] = u;
		}
	}
}

/* ---- scanning primitives shared by tokens and #if expressions ---- */

static bool is_id_start(int ch)
{
	return isalpha(ch) || ch == '_';
}

static bool is_id_char(int ch)
{
	return isalnum(ch) || ch == '_';
}

/* Reads an integer literal at *pp (bounded by end). Returns false on a malformed or too large literal. */
static bool scan_int(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	unsigned base = 10;
	if (p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (p >= end || !isxdigit((unsigned char)*p))
			return false;
	} else if (p < end && p[0] == '0') {
		base = 8;
	}
	while (p < end && isalnum((unsigned char)*p)) {
		unsigned d;
		int ch = (unsigned char)*p;
		if (isdigit(ch))
			d = (unsigned)(ch - '0');
		else if (base == 16 && isxdigit(ch))
			d = (unsigned)(tolower(ch) - 'a' + 10);
		else
			break;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		p++;
	}
	while (p < end && (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L'))
		p++;
	if (p < end && is_id_char((unsigned char)*p))
		return false;
	*pp = p;
	*out = v;
	return true;
}

/* ---- #if expressions ---- */

/* Macro expansions one #if expression may make: nesting is capped at 16, but a macro naming the next one
 * several times expands exponentially within that cap. */
#define PP_MAX_EXPANSIONS 4096

struct pp_expr {
	struct edl_lexer *l;
	const char *p, *end;
	struct edl_loc loc;
	bool bad;
	int depth;
	unsigned *expansions;    /* shared by the whole expression */
	int *nesting;            /* operands open now, shared likewise */
	bool *too_deep;          /* nesting went past EDL_MAX_NESTING, shared likewise */
};

static void pp_skip(struct pp_expr *e)
{
	while (e->p < e->end && (*e->p == ' ' || *e->p == '\t'))
		e->p++;
}

static bool pp_accept(struct pp_expr *e, const char *s)
{
	size_t n = strlen(s);
	pp_skip(e);
	if ((size_t)(e->end - e->p) >= n && !strncmp(e->p, s, n)) {
		/* do not split "<=" into "<" or "&&" into "&" */
		if (n == 1 && e->p + 1 < e->end && (s[0] == '<' || s[0] == '>' || s[0] == '=' || s[0] == '!') &&
		    e->p[1] == '=')
			return false;
		if (n == 1 && e->p + 1 < e->end && (s[0] == '&' || s[0] == '|') && e->p[1] == s[0])
			return false;
		e->p += n;
		return true;
	}
	return false;
}

static int64_t pp_cond(struct pp_expr *e);

static int64_t pp_macro_value(struct pp_expr *e, const char *name, size_t n)
{
	struct edl_define *d = find_macro(e->l, name, n);
	struct pp_expr sub;
	int64_t v;
	if (!d || !d->value)
		return 0;
	if (e->depth > 16 || ++*e->expansions > PP_MAX_EXPANSIONS) {
		e->bad = true;
		return 0;
	}
	sub = *e;
	sub.p = d->value;
	sub.end = d->value + strlen(d->value);
	sub.depth = e->depth + 1;
	v = pp_cond(&sub);
	pp_skip(&sub);
	if (sub.bad || sub.p != sub.end)
		e->bad = true;
	return v;
}

static int64_t pp_operand(struct pp_expr *e);

/* f(e), counted against EDL_MAX_NESTING while it runs: every recursion of the evaluator goes through here, so a
 * long run of "(", "!" or "1 ?" (through macros too) is refused instead of overflowing the stack. */
static int64_t pp_nested(struct pp_expr *e, int64_t (*f)(struct pp_expr *))
{
	int64_t v = 0;
	if (++*e->nesting > EDL_MAX_NESTING)
		e->bad = *e->too_deep = true;
	else
		v = f(e);
	--*e->nesting;
	return v;
}

static int64_t pp_primary(struct pp_expr *e)
{
	return pp_nested(e, pp_operand);
}

static int64_t pp_operand(struct pp_expr *e)
{
	pp_skip(e);
	if (e->p >= e->end) {
		e->bad = true;
		return 0;
	}
	if (pp_accept(e, "(")) {
		int64_t v = pp_cond(e);
		if (!pp_accept(e, ")"))
			e->bad = true;
		return v;
	}
	if (pp_accept(e, "!"))
		return !pp_primary(e);
	if (pp_accept(e, "-"))
		return -pp_primary(e);
	if (pp_accept(e, "+"))
		return pp_primary(e);
	if (pp_accept(e, "~"))
		return ~pp_primary(e);
	if (isdigit((unsigned char)*e->p)) {
		uint64_t v;
		if (!scan_int(&e->p, e->end, &v)) {
			e->bad = true;
			return 0;
		}
		return (int64_t)v;
	}
	if (is_id_start((unsigned char)*e->p)) {
		const char *s = e->p;
		while (e->p < e->end && is_id_char((unsigned char)*e->p))
			e->p++;
		if (e->p - s == 7 && !strncmp(s, "defined", 7)) {
			bool paren = pp_accept(e, "(");
			const char *n;
			size_t len;
			pp_skip(e);
			n = e->p;
			while (e->p < e->end && is_id_char((unsigned char)*e->p))
				e->p++;
			len = (size_t)(e->p - n);
			if (len == 0 || (paren && !pp_accept(e, ")"))) {
				e->bad = true;
				return 0;
			}
			return find_macro(e->l, n, len) != NULL;
		}
		return pp_macro_value(e, s, (size_t)(e->p - s));
	}
	e->bad = true;
	return 0;
}

static int64_t pp_bin(struct pp_expr *e, int level)
{
	static const char *ops[][4] = {
		{"||", 0}, {"&&", 0}, {"|", 0}, {"^", 0}, {"&", 0}, {"==", "!=", 0},
		{"<=", ">=", "<", ">"}, {"+", "-", 0}, {"*", "/", "%", 0},
	};
	int64_t v;
	if (level == (int)(sizeof(ops) / sizeof(ops[0])))
		return pp_primary(e);
	v = pp_bin(e, level + 1);
	for (;;) {
		const char *op = NULL;
		int64_t r;
		for (int i = 0; i < 4 && ops[level][i]; i++)
			if (pp_accept(e, ops[level][i])) {
				op = ops[level][i];
				break;
			}
		if (!op || e->bad)
			return v;
		r = pp_bin(e, level + 1);
		if (!strcmp(op, "||"))
			v = v || r;
		else if (!strcmp(op, "&&"))
			v = v && r;
		else if (!strcmp(op, "|"))
			v |= r;
		else if (!strcmp(op, "^"))
			v ^= r;
		else if (!strcmp(op, "&"))
			v &= r;
		else if (!strcmp(op, "=="))
			v = v == r;
		else if (!strcmp(op, "!="))
			v = v != r;
		else if (!strcmp(op, "<="))
			v = v <= r;
		else if (!strcmp(op, ">="))
			v = v >= r;
		else if (!strcmp(op, "<"))
			v = v < r;
		else if (!strcmp(op, ">"))
			v = v > r;
		else if (!strcmp(op, "+"))
			v = (int64_t)((uint64_t)v + (uint64_t)r);
		else if (!strcmp(op, "-"))
			v = (int64_t)((uint64_t)v - (uint64_t)r);
		else if (!strcmp(op, "*"))
			v = (int64_t)((uint64_t)v * (uint64_t)r);
		else if (r == 0 || (r == -1 && v == INT64_MIN))
			e->bad = true;
		else if (!strcmp(op, "/"))
			v /= r;
		else
			v %= r;
	}
}

static int64_t pp_cond(struct pp_expr *e)
{
	int64_t c = pp_bin(e, 0);
	if (pp_accept(e, "?")) {
		int64_t a = pp_nested(e, pp_cond), b;
		if (!pp_accept(e, ":"))
			e->bad = true;
		b = pp_nested(e, pp_cond);
		return c ? a : b;
	}
	return c;
}

static bool pp_eval(struct edl_lexer *l, struct edl_loc loc, const char *s, const char *end)
{
	unsigned expansions = 0;
	int nesting = 0;
	bool too_deep = false;
	struct pp_expr e = {l, s, end, loc, false, 0, &expansions, &nesting, &too_deep};
	int64_t v = pp_cond(&e);
	pp_skip(&e);
	if (expansions > PP_MAX_EXPANSIONS) {
		edl_error(l->c, loc, "this #if expression expands more than %d macros", PP_MAX_EXPANSIONS);
		return false;
	}
	if (too_deep) {
		edl_error(l->c, loc, "this #if expression nests more than %d operands", EDL_MAX_NESTING);
		return false;
	}
	if (e.bad || e.p != e.end) {
		edl_error(l->c, loc, "cannot evaluate this #if expression (use --preprocess for the full C preprocessor)");
		return false;
	}
	return v != 0;
}

/* ---- directives ---- */

/* Copies the directive line [s, e) without comments into an arena string. */
static char *strip_comments(struct edl_lexer *l, const char *s, const char *e)
{
	char *out = edl_alloc(&l->c->arena, (size_t)(e - s) + 1), *o = out;
	while (s < e) {
		if (s + 1 < e && s[0] == '/' && s[1] == '/')
			break;
		if (s + 1 < e && s[0] == '/' && s[1] == '*') {
			const char *q = s + 2;
			while (q + 1 < e && !(q[0] == '*' && q[1] == '/'))
				q++;
			s = q + 1 < e ? q + 2 : e;
			*o++ = ' ';
			continue;
		}
		if (s[0] == '\\' && s + 1 < e && (s[1] == '\n' || s[1] == '\r')) {
			s += 2;
			continue;
		}
		*o++ = *s++;
	}
	while (o > out && isspace((unsigned char)o[-1]))
		o--;
	*o = 0;
	return out;
}

/* The identifier at *pp (after blanks), whole, in the arena; "" if there is none. */
static const char *word(struct edl_lexer *l, const char **pp)
{
	const char *p = *pp, *start;
	while (*p == ' ' || *p == '\t')
		p++;
	start = p;
	while (is_id_char((unsigned char)*p))
		p++;
	*pp = p;
	return edl_strndup(&l->c->arena, start, (size_t)(p - start));
}

static bool push_pending(struct edl_lexer *l, struct edl_tok t)
{
	if (l->npending >= (int)(sizeof(l->pending) / sizeof(l->pending[0]))) {
		edl_error(l->c, t.loc, "macro expansion too long");
		return false;
	}
	l->pending[l->npending++] = t;
	return true;
}

static void directive(struct edl_lexer *l)
{
	struct edl_loc loc = here(l);
	const char *s, *e = l->p;
	char *text;
	const char *p, *name;

	/* the directive runs to the end of the line, with backslash continuations */
	while (e < l->end && *e != '\n') {
		if (*e == '\\' && e + 1 < l->end && e[1] == '\n') {
			e += 2;
			l->line++;
			continue;
		}
		e++;
	}
	s = l->p + 1; /* after '#' */
	text = strip_comments(l, s, e);
	l->p = e;
	p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return;
	if (isdigit((unsigned char)*p)) { /* line marker: # N "file" flags */
		name = "line";
	} else {
		name = word(l, &p);
	}

	if (!strcmp(name, "ifdef") || !strcmp(name, "ifndef")) {
		const char *m = word(l, &p);
		bool def = find_macro(l, m, strlen(m)) != NULL, parent = active(l);
		if (!*m)
			edl_error(l->c, loc, "#%s needs a macro name", name);
		if (l->ncond == (int)(sizeof(l->conds) / sizeof(l->conds[0]))) {
			edl_error(l->c, loc, "conditionals nested too deeply");
			return;
		}
		l->conds[l->ncond].active = parent && (name[2] == 'd' ? def : !def);
		l->conds[l->ncond].taken = l->conds[l->ncond].active || !parent;
		l->conds[l->ncond].seen_else = false;
		l->conds[l->ncond].loc = loc;
		l->ncond++;
		return;
	}
	if (!strcmp(name, "if")) {
		bool parent = active(l), v = parent ? pp_eval(l, loc, p, p + strlen(p)) : false;
		if (l->ncond == (int)(sizeof(l->conds) / sizeof(l->conds[0]))) {
			edl_error(l->c, loc, "conditionals nested too deeply");
			return;
		}
		l->conds[l->ncond].active = parent && v;
		l->conds[l->ncond].taken = v || !parent;
		l->conds[l->ncond].seen_else = false;
		l->conds[l->ncond].loc = loc;
		l->ncond++;
		return;
	}
	if (!strcmp(name, "elif") || !strcmp(name, "else") || !strcmp(name, "endif")) {
		struct edl_cond *cd;
		if (l->ncond == 0) {
			edl_error(l->c, loc, "#%s without #if", name);
			return;
		}
		cd = &l->conds[l->ncond - 1];
		if (name[1] == 'n') { /* endif */
			l->ncond--;
			return;
		}
		if (cd->seen_else) {
			edl_error(l->c, loc, "#%s after #else", name);
			return;
		}
		if (name[2] == 's') { /* else */
			cd->seen_else = true;
			cd->active = !cd->taken;
			cd->taken = true;
		} else {
			bool v = !cd->taken && pp_eval(l, loc, p, p + strlen(p));
			cd->active = v;
			cd->taken = cd->taken || v;
		}
		return;
	}
	if (!active(l))
		return;
	if (!strcmp(name, "define")) {
		const char *m = word(l, &p);
		struct edl_define *d;
		if (!*m) {
			edl_error(l->c, loc, "#define needs a macro name");
			return;
		}
		if (*p == '(') {
			edl_error(l->c, loc, "function-like macro '%s' is not supported (use --preprocess)", m);
			return;
		}
		d = edl_alloc(&l->c->arena, sizeof(*d));
		d->name = edl_strdup(&l->c->arena, m);
		while (*p == ' ' || *p == '\t')
			p++;
		d->value = *p ? edl_strdup(&l->c->arena, p) : NULL;
		edl_vec_push(&l->c->arena, &l->macros, d);
		return;
	}
	if (!strcmp(name, "undef")) {
		undef_macro(l, word(l, &p));
		return;
	}
	if (!strcmp(name, "include")) {
		struct edl_tok t = {EDL_T_ID, "include", 0, loc, true};
		const char *q;
		while (*p == ' ' || *p == '\t')
			p++;
		q = *p == '"' ? strchr(p + 1, '"') : *p == '<' ? strchr(p + 1, '>') : NULL;
		if (!q || q[1]) {
			edl_error(l->c, loc, "#include expects \"file\" or <file>");
			return;
		}
		(void)push_pending(l, t);
		t.kind = EDL_T_STR;
		t.text = edl_strndup(&l->c->arena, p, (size_t)(q - p) + 1);
		(void)push_pending(l, t);
		return;
	}
	if (!strcmp(name, "line")) {
		uint64_t n;
		const char *q;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!scan_int(&p, p + strlen(p), &n) || n > 100000000) {
			edl_error(l->c, loc, "malformed line marker");
			return;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"' && (q = strchr(p + 1, '"')))
			l->file = edl_strndup(&l->c->arena, p + 1, (size_t)(q - p - 1));
		/* the next line has number n */
		l->line = (int)n - 1;
		return;
	}
	if (!strcmp(name, "pragma") || !strcmp(name, "ident"))
		return;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!strcmp(name, "error")) {
		edl_error(l->c, loc, "#error: %s", p);
		return;
	}
	if (!strcmp(name, "warning")) {
		edl_warning(l->c, loc, "#warning: %s", p);
		return;
	}
	edl_error(l->c, loc, "unknown preprocessor directive '#%s'", name);
}

/* ---- tokens ---- */

static struct edl_tok raw_token(struct edl_lexer *l);

/* Expands macro `d` used at loc into the pending queue (recursively); false once an error ends the expansion
 * (a full queue bounds the work, however many times each macro names the next). */
static bool expand(struct edl_lexer *l, struct edl_define *d, struct edl_loc loc, int depth)
{
	struct edl_lexer sub;
	if (!d->value)
		return true; /* defined empty: expands to nothing */
	if (depth > 16) {
		edl_error(l->c, loc, "macro '%s' expands recursively", d->name);
		return false;
	}
	memset(&sub, 0, sizeof(sub));
	sub.c = l->c;
	sub.src = sub.p = sub.line_start = d->value;
	sub.end = d->value + strlen(d->value);
	sub.file = loc.file;
	sub.line = loc.line;
	sub.at_line_start = false;
	for (;;) {
		struct edl_tok t = raw_token(&sub);
		struct edl_define *m;
		if (t.kind == EDL_T_EOF)
			break;
		t.loc = loc;
		if (t.kind == EDL_T_ID && (m = find_macro(l, t.text, strlen(t.text))) && m != d) {
			if (!expand(l, m, loc, depth + 1))
				return false;
			continue;
		}
		if (t.kind == EDL_T_ID && m == d) {
			edl_error(l->c, loc, "macro '%s' expands recursively", d->name);
			return false;
		}
		if (!push_pending(l, t))
			return false;
	}
	return true;
}

/* Next token from the source text, directives handled, inactive regions skipped, no macro expansion. */
static struct edl_tok raw_token(struct edl_lexer *l)
{
	struct edl_tok t;
	memset(&t, 0, sizeof(t));
	for (;;) {
		if (l->p >= l->end) {
			t.kind = EDL_T_EOF;
			t.loc = here(l);
			return t;
		}
		char ch = *l->p;
		if (ch == '\n') {
			l->p++;
			newline(l);
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
			l->p++;
			continue;
		}
		if (ch == '/' && l->p + 1 < l->end && l->p[1] == '/') {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
			continue;
		}
		if (ch == '/' && l->p + 1 < l->end && l->p[1] == '*') {
			struct edl_loc loc = here(l);
			l->p += 2;
			for (;;) {
				if (l->p >= l->end) {
					edl_error(l->c, loc, "unterminated comment");
					t.kind = EDL_T_EOF;
					t.loc = loc;
					return t;
				}
				if (*l->p == '*' && l->p + 1 < l->end && l->p[1] == '/') {
					l->p += 2;
					break;
				}
				if (*l->p == '\n') {
					l->p++;
					l->line++;
					l->line_start = l->p;
					continue;
				}
				l->p++;
			}
			continue;
		}
		if (ch == '#' && l->at_line_start && l->src != NULL && l->file != NULL && l->expand_depth == 0) {
			directive(l);
			if (l->npending) { /* an #include: its tokens come next, before anything further in the file */
				t.kind = EDL_T_EOF;
				t.loc = here(l);
				return t;
			}
			continue;
		}
		l->at_line_start = false;
		t.loc = here(l);
		if (!active(l)) {
			/* skip the rest of the line, but keep string/comment boundaries simple: EDL has no multi-line strings */
			while (l->p < l->end && *l->p != '\n') {
				if (*l->p == '/' && l->p + 1 < l->end && l->p[1] == '*')
					break;
				l->p++;
			}
			continue;
		}
		if (is_id_start((unsigned char)ch)) {
			const char *s = l->p;
			while (l->p < l->end && is_id_char((unsigned char)*l->p))
				l->p++;
			t.kind = EDL_T_ID;
			t.text = edl_strndup(&l->c->arena, s, (size_t)(l->p - s));
			return t;
		}
		if (isdigit((unsigned char)ch)) {
			const char *s = l->p;
			if (!scan_int(&l->p, l->end, &t.value)) {
				edl_error(l->c, t.loc, "malformed or too large integer");
				while (l->p < l->end && is_id_char((unsigned char)*l->p))
					l->p++;
			}
			t.kind = EDL_T_INT;
			t.text = edl_strndup(&l->c->arena, s, (size_t)(l->p - s));
			return t;
		}
		if (ch == '"') {
			const char *s = l->p++;
			while (l->p < l->end && *l->p != '"' && *l->p != '\n' && *l->p != 0) {
				if (*l->p == '\\' && l->p + 1 < l->end && l->p[1] != '\n' && l->p[1] != 0)
					l->p++;
				l->p++;
			}
			if (l->p >= l->end || *l->p != '"') {
				edl_error(l->c, t.loc, l->p < l->end && *l->p == 0 ? "NUL byte in a string" : "unterminated string");
				t.kind = EDL_T_EOF;
				return t;
			}
			l->p++;
			t.kind = EDL_T_STR;
			t.text = edl_strndup(&l->c->arena, s, (size_t)(l->p - s));
			return t;
		}
		if (strchr("{}()[];,=*+-/<>.:&|!~?%", ch)) {
			char buf[2] = {ch, 0};
			l->p++;
			t.kind = EDL_T_PUNCT;
			t.text = edl_strdup(&l->c->arena, buf);
			return t;
		}
		if (isprint((unsigned char)ch))
			edl_error(l->c, t.loc, "unexpected character '%c'", ch);
		else
			edl_error(l->c, t.loc, "unexpected byte 0x%02x", (unsigned char)ch);
		l->p++;
		t.kind = EDL_T_EOF;
		return t;
	}
}

struct edl_tok edl_lex_next(struct edl_lexer *l)
{
	struct edl_tok t;
	struct edl_define *m;
	for (;;) {
		if (l->pending_pos < l->npending) {
			t = l->pending[l->pending_pos++];
			if (l->pending_pos == l->npending)
				l->pending_pos = l->npending = 0;
			return t;
		}
		t = raw_token(l);
		if (t.kind == EDL_T_EOF) {
			if (l->npending)
				continue;
			if (l->ncond > 0) {
				edl_error(l->c, l->conds[l->ncond - 1].loc, "unterminated conditional directive");
				l->ncond = 0;
			}
			return t;
		}
		if (t.kind == EDL_T_ID && (m = find_macro(l, t.text, strlen(t.text)))) {
			(void)expand(l, m, t.loc, 0); /* an error stops this expansion; the parse goes on */
			continue;
		}
		return t;
	}
}
