// SPDX-License-Identifier: MIT
/*
 * EDL parser: recursive descent over the lexer's tokens, building struct edl_file. Imports are resolved here
 * (the importing file's directory, then --search-path, then the working directory); what an imported file
 * declares is merged into the importer. The first syntax error in a file ends that file's parse.
 */
#include "edl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct parser {
	struct edl_ctx *c;
	struct edl_lexer lx;
	struct edl_tok tok;
	struct edl_tok la[2];
	int nla;
	jmp_buf jb;
	struct edl_file *f;
	const char *dir; /* directory of this file, for imports */
	unsigned nesting; /* parentheses and unary minus open in the expression being parsed */
};

static void advance(struct parser *p)
{
	if (p->nla) {
		p->tok = p->la[0];
		p->la[0] = p->la[1];
		p->nla--;
	} else {
		p->tok = edl_lex_next(&p->lx);
	}
}

static struct edl_tok *peek(struct parser *p, int k)
{
	while (p->nla <= k)
		p->la[p->nla++] = edl_lex_next(&p->lx);
	return &p->la[k];
}

static const char *describe(const struct edl_tok *t)
{
	static char buf[96];
	if (t->kind == EDL_T_EOF)
		return "end of file";
	snprintf(buf, sizeof(buf), "'%.80s'", t->text);
	return buf;
}

static void __attribute__((noreturn)) syntax(struct parser *p, const char *what)
{
	edl_error(p->c, p->tok.loc, "expected %s, found %s", what, describe(&p->tok));
	longjmp(p->jb, 1);
}

static void __attribute__((noreturn)) fail_at(struct parser *p, struct edl_loc loc, const char *fmt, const char *arg)
{
	edl_error(p->c, loc, fmt, arg);
	longjmp(p->jb, 1);
}

static bool is_punct(const struct edl_tok *t, char ch)
{
	return t->kind == EDL_T_PUNCT && t->text[0] == ch;
}

static bool is_word(const struct edl_tok *t, const char *w)
{
	return t->kind == EDL_T_ID && !strcmp(t->text, w);
}

static void expect_punct(struct parser *p, char ch)
{
	char what[8] = {'\'', ch, '\'', 0};
	if (!is_punct(&p->tok, ch))
		syntax(p, what);
	advance(p);
}

static bool accept_punct(struct parser *p, char ch)
{
	if (!is_punct(&p->tok, ch))
		return false;
	advance(p);
	return true;
}

static const char *expect_id(struct parser *p, const char *what)
{
	const char *s;
	if (p->tok.kind != EDL_T_ID)
		syntax(p, what);
	s = p->tok.text;
	advance(p);
	return s;
}

/* ---- types ---- */

static const struct {
	const char *name;
	enum edl_base base;
} named_types[] = {
	{"size_t", EDL_SIZE}, {"ssize_t", EDL_SSIZE}, {"wchar_t", EDL_WCHAR}, {"bool", EDL_BOOL},
	{"_Bool", EDL_BOOL}, {"int8_t", EDL_I8}, {"int16_t", EDL_I16}, {"int32_t", EDL_I32},
	{"int64_t", EDL_I64}, {"uint8_t", EDL_U8}, {"uint16_t", EDL_U16}, {"uint32_t", EDL_U32},
	{"uint64_t", EDL_U64}, {"intptr_t", EDL_INTPTR}, {"uintptr_t", EDL_UINTPTR}, {"void", EDL_VOID},
};

static void parse_type(struct parser *p, struct edl_type *t)
{
	int nsigned = 0, nunsigned = 0, nshort = 0, nlong = 0, nchar = 0, nint = 0, nfloat = 0, ndouble = 0;
	bool any = false;
	memset(t, 0, sizeof(*t));
	t->loc = p->tok.loc;
	while (is_word(&p->tok, "const")) {
		t->is_const = true;
		advance(p);
	}
	if (p->tok.kind != EDL_T_ID)
		syntax(p, "a type");
	if (is_word(&p->tok, "struct") || is_word(&p->tok, "union") || is_word(&p->tok, "enum")) {
		t->base = p->tok.text[0] == 's' ? EDL_STRUCT : p->tok.text[0] == 'u' ? EDL_UNION : EDL_ENUM;
		advance(p);
		if (p->tok.kind == EDL_T_ID && edl_is_c_keyword(p->tok.text))
			fail_at(p, p->tok.loc, "'%s' is a C keyword, not a tag name", p->tok.text);
		t->name = expect_id(p, "a type name");
		any = true;
	} else {
		for (;;) {
			const char *w = p->tok.kind == EDL_T_ID ? p->tok.text : "";
			if (!strcmp(w, "signed"))
				nsigned++;
			else if (!strcmp(w, "unsigned"))
				nunsigned++;
			else if (!strcmp(w, "short"))
				nshort++;
			else if (!strcmp(w, "long"))
				nlong++;
			else if (!strcmp(w, "char"))
				nchar++;
			else if (!strcmp(w, "int"))
				nint++;
			else if (!strcmp(w, "float"))
				nfloat++;
			else if (!strcmp(w, "double"))
				ndouble++;
			else if (!strcmp(w, "const") && any)
				t->is_const = true;
			else
				break;
			any = true;
			advance(p);
		}
		if (!any) {
			for (size_t i = 0; i < sizeof(named_types) / sizeof(named_types[0]); i++)
				if (!strcmp(p->tok.text, named_types[i].name)) {
					t->base = named_types[i].base;
					any = true;
					break;
				}
			if (!any) {
				if (edl_is_c_keyword(p->tok.text))
					fail_at(p, p->tok.loc, "'%s' is not a type", p->tok.text);
				t->base = EDL_FOREIGN;
				t->name = p->tok.text;
			}
			advance(p);
		} else {
			int sign = nsigned + nunsigned;
			bool bad = sign > 1 || nshort > 1 || nlong > 2 || nchar > 1 || nint > 1 || nfloat > 1 ||
				   ndouble > 1 || (nshort && nlong) ||
				   (nchar && (nshort || nlong || nint || nfloat || ndouble)) ||
				   ((nfloat || ndouble) && (sign || nshort || nint)) || (nfloat && (nlong || ndouble)) ||
				   (ndouble && nlong > 1);
			if (bad)
				fail_at(p, t->loc, "invalid combination of type specifiers%s", "");
			if (nchar)
				t->base = nsigned ? EDL_SCHAR : nunsigned ? EDL_UCHAR : EDL_CHAR;
			else if (nfloat)
				t->base = EDL_FLOAT;
			else if (ndouble)
				t->base = nlong ? EDL_LDOUBLE : EDL_DOUBLE;
			else if (nshort)
				t->base = nunsigned ? EDL_USHORT : EDL_SHORT;
			else if (nlong == 2)
				t->base = nunsigned ? EDL_ULLONG : EDL_LLONG;
			else if (nlong == 1)
				t->base = nunsigned ? EDL_ULONG : EDL_LONG;
			else
				t->base = nunsigned ? EDL_UINT : EDL_INT;
		}
	}
	while (is_word(&p->tok, "const")) {
		t->is_const = true;
		advance(p);
	}
	while (is_punct(&p->tok, '*')) {
		if (++t->ptr > 8) /* the generated code spells the type out; deeper than this is a mistake */
			fail_at(p, p->tok.loc, "%s", "more than 8 levels of pointer");
		advance(p);
		while (is_word(&p->tok, "const")) /* const pointer: no effect on marshalling */
			advance(p);
	}
}

/* ---- expressions (size=, count=, dimensions, enum values) ---- */

static struct edl_expr *parse_expr(struct parser *p);

static struct edl_expr *new_expr(struct parser *p, enum edl_expr_kind k, struct edl_loc loc)
{
	struct edl_expr *e = edl_alloc(&p->c->arena, sizeof(*e));
	e->kind = k;
	e->loc = loc;
	e->height = 1;
	return e;
}

/* e over its operands l (and r): its height, refused past EDL_MAX_NESTING. */
static struct edl_expr *expr_join(struct parser *p, struct edl_expr *e, struct edl_expr *l, struct edl_expr *r)
{
	unsigned h = l->height;
	if (r && r->height > h)
		h = r->height;
	e->l = l;
	e->r = r;
	e->height = h + 1;
	if (e->height > EDL_MAX_NESTING)
		fail_at(p, e->loc, "this expression nests more than %s operations", EDL_STRINGIFY(EDL_MAX_NESTING));
	return e;
}

static struct edl_expr *parse_primary(struct parser *p)
{
	struct edl_expr *e;
	struct edl_loc loc = p->tok.loc;
	if (is_punct(&p->tok, '-') || is_punct(&p->tok, '(')) {
		if (++p->nesting > EDL_MAX_NESTING)
			fail_at(p, loc, "this expression nests more than %s parentheses or signs",
				EDL_STRINGIFY(EDL_MAX_NESTING));
		if (accept_punct(p, '-')) {
			e = new_expr(p, EDL_E_NEG, loc);
			e = expr_join(p, e, parse_primary(p), NULL);
		} else {
			advance(p);
			e = parse_expr(p);
			expect_punct(p, ')');
		}
		p->nesting--;
		return e;
	}
	if (p->tok.kind == EDL_T_INT) {
		e = new_expr(p, EDL_E_INT, loc);
		e->value = p->tok.value;
		advance(p);
		return e;
	}
	if (is_word(&p->tok, "sizeof")) {
		advance(p);
		expect_punct(p, '(');
		e = new_expr(p, EDL_E_SIZEOF, loc);
		e->type = edl_alloc(&p->c->arena, sizeof(*e->type));
		parse_type(p, e->type);
		expect_punct(p, ')');
		return e;
	}
	if (p->tok.kind == EDL_T_ID) {
		e = new_expr(p, EDL_E_ID, loc);
		e->id = p->tok.text;
		advance(p);
		/* sgx_edger8r also accepts "count=*n"-free forms only; a member access is not an EDL expression */
		return e;
	}
	syntax(p, "a number or a name");
}

static struct edl_expr *parse_term(struct parser *p)
{
	struct edl_expr *l = parse_primary(p);
	while (is_punct(&p->tok, '*') || is_punct(&p->tok, '/')) {
		struct edl_expr *e = new_expr(p, EDL_E_BIN, p->tok.loc);
		e->op = p->tok.text[0];
		advance(p);
		l = expr_join(p, e, l, parse_primary(p));
	}
	return l;
}

static struct edl_expr *parse_expr(struct parser *p)
{
	struct edl_expr *l = parse_term(p);
	while (is_punct(&p->tok, '+') || is_punct(&p->tok, '-')) {
		struct edl_expr *e = new_expr(p, EDL_E_BIN, p->tok.loc);
		e->op = p->tok.text[0];
		advance(p);
		l = expr_join(p, e, l, parse_term(p));
	}
	return l;
}

/* ---- attributes ---- */

static void parse_attrs(struct parser *p, struct edl_attrs *a)
{
	static const struct {
		const char *name;
		unsigned flag;
	} simple[] = {
		{"in", EDL_A_IN}, {"out", EDL_A_OUT}, {"user_check", EDL_A_USER_CHECK}, {"string", EDL_A_STRING},
		{"wstring", EDL_A_WSTRING}, {"isptr", EDL_A_ISPTR}, {"isary", EDL_A_ISARY},
		{"readonly", EDL_A_READONLY},
	};
	memset(a, 0, sizeof(*a));
	a->loc = p->tok.loc;
	a->present = true;
	expect_punct(p, '[');
	for (;;) {
		struct edl_loc loc = p->tok.loc;
		const char *w = expect_id(p, "an attribute");
		bool found = false;
		for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
			if (!strcmp(w, simple[i].name)) {
				if (a->flags & simple[i].flag)
					fail_at(p, loc, "duplicate attribute '%s'", w);
				a->flags |= simple[i].flag;
				found = true;
			}
		if (!found && (!strcmp(w, "size") || !strcmp(w, "count"))) {
			unsigned flag = w[0] == 's' ? EDL_A_SIZE : EDL_A_COUNT;
			if (a->flags & flag)
				fail_at(p, loc, "duplicate attribute '%s'", w);
			a->flags |= flag;
			expect_punct(p, '=');
			if (flag == EDL_A_SIZE) {
				a->size = parse_expr(p);
				a->size_loc = loc;
			} else {
				a->count = parse_expr(p);
				a->count_loc = loc;
			}
			found = true;
		}
		if (!found && !strcmp(w, "sizefunc"))
			fail_at(p, loc, "the attribute 'sizefunc' is deprecated and not supported; use size=%s", "");
		if (!found)
			fail_at(p, loc, "unknown attribute '%s'", w);
		if (accept_punct(p, ']'))
			break;
		expect_punct(p, ',');
	}
}

/* ---- declarations ---- */

static void parse_dims(struct parser *p, struct edl_decl *d)
{
	while (is_punct(&p->tok, '[')) {
		struct edl_loc loc = p->tok.loc;
		advance(p);
		if (d->ndims == (int)(sizeof(d->dims) / sizeof(d->dims[0])))
			fail_at(p, loc, "too many array dimensions%s", "");
		if (is_punct(&p->tok, ']'))
			fail_at(p, loc, "arrays need a fixed dimension (no flexible or unsized arrays)%s", "");
		d->dims[d->ndims++] = parse_expr(p);
		expect_punct(p, ']');
	}
}

static struct edl_decl *parse_decl(struct parser *p, bool member)
{
	struct edl_decl *d = edl_alloc(&p->c->arena, sizeof(*d));
	if (is_punct(&p->tok, '['))
		parse_attrs(p, &d->a);
	parse_type(p, &d->type);
	d->loc = p->tok.loc;
	d->name = expect_id(p, member ? "a member name" : "a parameter name");
	parse_dims(p, d);
	return d;
}

static struct edl_struct *parse_struct(struct parser *p)
{
	struct edl_struct *s = edl_alloc(&p->c->arena, sizeof(*s));
	s->loc = p->tok.loc;
	s->file = p->f->path;
	s->kind = p->tok.text[0] == 's' ? EDL_STRUCT : p->tok.text[0] == 'u' ? EDL_UNION : EDL_ENUM;
	advance(p);
	if (p->tok.kind == EDL_T_ID) {
		s->name = p->tok.text;
		advance(p);
	} else if (s->kind != EDL_ENUM) {
		syntax(p, "a struct or union name");
	}
	expect_punct(p, '{');
	if (s->kind == EDL_ENUM) {
		while (!is_punct(&p->tok, '}')) {
			struct edl_enumerator *en = edl_alloc(&p->c->arena, sizeof(*en));
			en->loc = p->tok.loc;
			en->name = expect_id(p, "an enumerator");
			if (accept_punct(p, '='))
				en->value = parse_expr(p);
			edl_vec_push(&p->c->arena, &s->enumerators, en);
			if (!accept_punct(p, ','))
				break;
		}
		if (s->enumerators.n == 0)
			fail_at(p, p->tok.loc, "an enum needs at least one enumerator%s", "");
	} else {
		while (!is_punct(&p->tok, '}')) {
			struct edl_decl *d = parse_decl(p, true);
			d->index = (int)s->members.n;
			edl_vec_push(&p->c->arena, &s->members, d);
			expect_punct(p, ';');
		}
		if (s->members.n == 0)
			fail_at(p, p->tok.loc, "'%s' needs at least one member", s->name);
	}
	expect_punct(p, '}');
	expect_punct(p, ';');
	return s;
}

static void parse_params(struct parser *p, struct edl_func *fn)
{
	expect_punct(p, '(');
	if (accept_punct(p, ')'))
		return;
	if (is_word(&p->tok, "void") && is_punct(peek(p, 0), ')')) {
		advance(p);
		advance(p);
		return;
	}
	for (;;) {
		struct edl_decl *d = parse_decl(p, false);
		d->index = (int)fn->params.n;
		edl_vec_push(&p->c->arena, &fn->params, d);
		if (accept_punct(p, ')'))
			return;
		expect_punct(p, ',');
		if (accept_punct(p, ')')) /* a trailing comma, as oeedger8r accepts */
			return;
	}
}

static void add_include(struct edl_ctx *c, struct edl_file *f, const char *text, struct edl_loc loc)
{
	struct edl_include *inc;
	for (size_t i = 0; i < f->includes.n; i++)
		if (!strcmp(((struct edl_include *)f->includes.v[i])->text, text))
			return;
	inc = edl_alloc(&c->arena, sizeof(*inc));
	inc->text = text;
	inc->loc = loc;
	edl_vec_push(&c->arena, &f->includes, inc);
}

static void parse_include(struct parser *p)
{
	struct edl_loc loc = p->tok.loc;
	advance(p); /* include */
	if (p->tok.kind != EDL_T_STR)
		syntax(p, "a header name in quotes");
	if (strlen(p->tok.text) < 3)
		fail_at(p, loc, "empty header name%s", "");
	add_include(p->c, p->f, p->tok.text, loc);
	advance(p);
}

static struct edl_func *parse_func(struct parser *p, bool trusted)
{
	struct edl_func *fn = edl_alloc(&p->c->arena, sizeof(*fn));
	fn->trusted = trusted;
	if (!trusted && is_punct(&p->tok, '[')) { /* calling convention / dllimport (Windows) */
		advance(p);
		for (;;) {
			struct edl_loc loc = p->tok.loc;
			const char *w = expect_id(p, "a calling convention");
			if (strcmp(w, "cdecl") && strcmp(w, "stdcall") && strcmp(w, "fastcall") && strcmp(w, "dllimport"))
				fail_at(p, loc, "unknown function attribute '%s'", w);
			edl_warning(p->c, loc, "'%s' has no effect on this platform; ignored", w);
			if (accept_punct(p, ']'))
				break;
			expect_punct(p, ',');
		}
	}
	if (trusted && is_word(&p->tok, "public")) {
		fn->is_public = true;
		advance(p);
	} else if (trusted && is_word(&p->tok, "private")) {
		advance(p);
	}
	parse_type(p, &fn->ret);
	fn->loc = p->tok.loc;
	fn->name = expect_id(p, "a function name");
	parse_params(p, fn);
	for (;;) {
		struct edl_loc loc = p->tok.loc;
		if (is_word(&p->tok, "allow")) {
			if (trusted)
				fail_at(p, loc, "'allow' is only valid on untrusted functions (ocalls)%s", "");
			advance(p);
			expect_punct(p, '(');
			if (!accept_punct(p, ')')) {
				for (;;) {
					struct edl_loc *l = edl_alloc(&p->c->arena, sizeof(*l));
					*l = p->tok.loc;
					edl_vec_push(&p->c->arena, &fn->allow, (void *)expect_id(p, "an ecall name"));
					edl_vec_push(&p->c->arena, &fn->allow_loc, l);
					if (accept_punct(p, ')'))
						break;
					expect_punct(p, ',');
				}
			}
		} else if (is_word(&p->tok, "transition_using_threads")) {
			fn->switchless = true;
			advance(p);
		} else if (is_word(&p->tok, "propagate_errno")) {
			if (trusted)
				fail_at(p, loc, "'propagate_errno' is only valid on untrusted functions (ocalls)%s", "");
			fn->propagate_errno = true;
			advance(p);
		} else {
			break;
		}
	}
	expect_punct(p, ';');
	return fn;
}

static void parse_block(struct parser *p, bool trusted)
{
	advance(p); /* trusted / untrusted */
	expect_punct(p, '{');
	while (!is_punct(&p->tok, '}')) {
		if (p->tok.kind == EDL_T_EOF)
			syntax(p, "'}'");
		if (is_word(&p->tok, "include")) {
			parse_include(p);
			continue;
		}
		if (accept_punct(p, ';'))
			continue;
		edl_vec_push(&p->c->arena, &p->f->funcs, parse_func(p, trusted));
	}
	advance(p);
	accept_punct(p, ';');
}

/* ---- files and imports ---- */

static int read_all(struct edl_ctx *c, const char *path, char **buf, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t len = 0, cap = 0;
	if (!f)
		return -1;
	for (;;) {
		size_t k;
		if (len + 4096 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 16384;
			if (cap > (64u << 20)) {
				fclose(f);
				free(b);
				errno = EFBIG;
				return -1;
			}
			nb = realloc(b, cap);
			if (!nb) {
				fclose(f);
				free(b);
				return -1;
			}
			b = nb;
		}
		k = fread(b + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
	}
	fclose(f);
	*buf = edl_alloc(&c->arena, len + 1);
	memcpy(*buf, b, len);
	free(b);
	*n = len;
	return 0;
}

/* Runs the C preprocessor over `path`; its output (with line markers) replaces the file's text. */
static int run_cpp(struct edl_ctx *c, const char *path, char **buf, size_t *n)
{
	const char *cpp = c->opt->cpp ? c->opt->cpp : "cpp";
	char **argv;
	size_t argc = 0, max = 8 + c->opt->defines.n + 2 * c->opt->search.n;
	int pfd[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *b = NULL;
	size_t len = 0, cap = 0;
	int status;

	argv = edl_alloc(&c->arena, (max + 1) * sizeof(*argv));
	argv[argc++] = (char *)cpp;
	argv[argc++] = "-x";
	argv[argc++] = "c";
	argv[argc++] = "-D__CELLA_EDGER8R__=1";
	for (size_t i = 0; i < c->opt->defines.n; i++) {
		struct edl_define *d = c->opt->defines.v[i];
		size_t k = strlen(d->name) + (d->value ? strlen(d->value) : 0) + 4;
		char *s = edl_alloc(&c->arena, k);
		snprintf(s, k, "-D%s%s%s", d->name, d->value ? "=" : "", d->value ? d->value : "");
		argv[argc++] = s;
	}
	for (size_t i = 0; i < c->opt->search.n; i++) {
		argv[argc++] = "-I";
		argv[argc++] = c->opt->search.v[i];
	}
	argv[argc++] = (char *)path;
	argv[argc] = NULL;
	if (pipe(pfd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	if (posix_spawnp(&pid, cpp, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	for (;;) {
		ssize_t k;
		if (len + 4096 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 16384;
			nb = cap > (64u << 20) ? NULL : realloc(b, cap);
			if (!nb)
				break;
			b = nb;
		}
		k = read(pfd[0], b + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !b) {
		free(b);
		errno = EINVAL;
		return -1;
	}
	*buf = edl_alloc(&c->arena, len + 1);
	memcpy(*buf, b, len);
	free(b);
	*n = len;
	return 0;
}

static bool file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(struct edl_arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = edl_alloc(a, n);
	snprintf(s, n, "%s/%s", dir, name);
	return s;
}

static const char *resolve_import(struct parser *p, const char *name, struct edl_loc loc)
{
	char *cand, real[PATH_MAX];
	if (name[0] == '/') {
		cand = edl_strdup(&p->c->arena, name);
	} else {
		cand = join(&p->c->arena, p->dir, name);
		for (size_t i = 0; !file_exists(cand) && i < p->c->opt->search.n; i++)
			cand = join(&p->c->arena, p->c->opt->search.v[i], name);
		if (!file_exists(cand))
			cand = edl_strdup(&p->c->arena, name);
	}
	if (!file_exists(cand) || !realpath(cand, real))
		fail_at(p, loc, "cannot find imported file '%s' (looked beside the importing file and in --search-path)",
			name);
	return edl_strdup(&p->c->arena, real);
}

static struct edl_file *load(struct edl_ctx *c, const char *path, struct edl_loc from);

static void merge(struct edl_ctx *c, struct edl_file *into, struct edl_file *from, struct edl_vec *names,
		  struct edl_vec *name_locs)
{
	for (size_t i = 0; i < from->includes.n; i++) {
		struct edl_include *inc = from->includes.v[i];
		add_include(c, into, inc->text, inc->loc);
	}
	for (size_t i = 0; i < from->types.n; i++) {
		bool have = false;
		for (size_t j = 0; j < into->types.n; j++)
			have |= into->types.v[j] == from->types.v[i];
		if (!have)
			edl_vec_push(&c->arena, &into->types, from->types.v[i]);
	}
	if (names) {
		for (size_t k = 0; k < names->n; k++) {
			bool found = false;
			for (size_t i = 0; i < from->funcs.n; i++) {
				struct edl_func *fn = from->funcs.v[i];
				if (strcmp(fn->name, names->v[k]))
					continue;
				found = true;
				edl_vec_push(&c->arena, &into->funcs, fn);
			}
			if (!found)
				edl_error(c, *(struct edl_loc *)name_locs->v[k], "'%s' is not declared in '%s'",
					  (const char *)names->v[k], from->path);
		}
		return;
	}
	for (size_t i = 0; i < from->funcs.n; i++)
		edl_vec_push(&c->arena, &into->funcs, from->funcs.v[i]);
}

static void parse_import(struct parser *p, bool from)
{
	struct edl_loc loc = p->tok.loc;
	const char *name, *path;
	struct edl_file *imp;
	struct edl_vec names = {0}, locs = {0};
	bool all = !from;

	advance(p); /* import / from */
	if (p->tok.kind != EDL_T_STR || p->tok.text[0] != '"' || strlen(p->tok.text) < 3)
		syntax(p, "a file name in quotes");
	name = edl_strndup(&p->c->arena, p->tok.text + 1, strlen(p->tok.text) - 2);
	advance(p);
	if (from) {
		if (!is_word(&p->tok, "import"))
			syntax(p, "'import'");
		advance(p);
		if (accept_punct(p, '*')) {
			all = true;
		} else {
			for (;;) {
				struct edl_loc *l = edl_alloc(&p->c->arena, sizeof(*l));
				*l = p->tok.loc;
				edl_vec_push(&p->c->arena, &names, (void *)expect_id(p, "a function name or '*'"));
				edl_vec_push(&p->c->arena, &locs, l);
				if (!accept_punct(p, ','))
					break;
				if (p->tok.kind != EDL_T_ID) /* trailing comma */
					break;
			}
		}
	}
	expect_punct(p, ';');
	if (p->c->opt->no_imports) {
		edl_error(p->c, loc, "imports are disabled here ('%s')", name);
		return;
	}
	path = resolve_import(p, name, loc);
	imp = load(p->c, path, loc);
	if (imp)
		merge(p->c, p->f, imp, all ? NULL : &names, &locs);
}

static void parse_file(struct parser *p)
{
	if (setjmp(p->jb))
		return;
	advance(p);
	if (!is_word(&p->tok, "enclave"))
		syntax(p, "'enclave'");
	advance(p);
	expect_punct(p, '{');
	while (!is_punct(&p->tok, '}')) {
		if (p->tok.kind == EDL_T_EOF)
			syntax(p, "'}'");
		if (is_word(&p->tok, "include"))
			parse_include(p);
		else if (is_word(&p->tok, "import"))
			parse_import(p, false);
		else if (is_word(&p->tok, "from"))
			parse_import(p, true);
		else if (is_word(&p->tok, "struct") || is_word(&p->tok, "union") || is_word(&p->tok, "enum"))
			edl_vec_push(&p->c->arena, &p->f->types, parse_struct(p));
		else if (is_word(&p->tok, "trusted"))
			parse_block(p, true);
		else if (is_word(&p->tok, "untrusted"))
			parse_block(p, false);
		else if (accept_punct(p, ';'))
			continue;
		else
			syntax(p, "'trusted', 'untrusted', 'include', 'import', 'from', 'struct', 'union' or 'enum'");
	}
	advance(p);
	accept_punct(p, ';');
	if (p->tok.kind != EDL_T_EOF)
		syntax(p, "end of file after the enclave block");
}

struct edl_file *edl_parse(struct edl_ctx *c, const char *path, const char *buf, size_t n)
{
	struct parser *p = edl_alloc(&c->arena, sizeof(*p));
	const char *slash;
	int errors = c->errors;
	p->c = c;
	p->f = edl_alloc(&c->arena, sizeof(*p->f));
	p->f->path = path;
	slash = strrchr(path, '/');
	p->dir = slash ? edl_strndup(&c->arena, path, (size_t)(slash - path)) : ".";
	if (slash == path)
		p->dir = "/";
	edl_lex_init(&p->lx, c, path, buf, n);
	p->f->busy = true;
	edl_vec_push(&c->arena, &c->files, p->f);
	parse_file(p);
	p->f->busy = false;
	p->f->done = true;
	return c->errors == errors ? p->f : NULL;
}

static struct edl_file *load(struct edl_ctx *c, const char *path, struct edl_loc from)
{
	char *buf;
	size_t n;
	for (size_t i = 0; i < c->files.n; i++) {
		struct edl_file *f = c->files.v[i];
		if (strcmp(f->path, path))
			continue;
		if (f->busy) {
			edl_error(c, from, "circular import of '%s'", path);
			return NULL;
		}
		return f;
	}
	if ((c->opt->preprocess ? run_cpp(c, path, &buf, &n) : read_all(c, path, &buf, &n)) != 0) {
		edl_error(c, from, "cannot read '%s'%s", path, c->opt->preprocess ? " through the C preprocessor" : "");
		return NULL;
	}
	return edl_parse(c, path, buf, n);
}

int edl_load_file(struct edl_ctx *c, const char *path)
{
	struct edl_loc none = {path, 0, 0};
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		edl_error(c, none, "cannot open '%s'", path);
		return -1;
	}
	/* diagnostics name the file as the user wrote it */
	c->top = load(c, path, none);
	if (!c->top || c->errors)
		return -1;
	return edl_check(c) ? -1 : 0;
}

int edl_load_buffer(struct edl_ctx *c, const char *name, const char *buf, size_t n)
{
	c->top = edl_parse(c, name, buf, n);
	if (!c->top || c->errors)
		return -1;
	return edl_check(c) ? -1 : 0;
}
