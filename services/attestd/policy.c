// SPDX-License-Identifier: MIT
/*
 * The Azure Attestation policy language (versions 1.0-1.2): a hand-written lexer and recursive-descent parser
 * into a small AST, and an evaluator over claim sets. Grammar (docs/attestd.md has the prose):
 *   policy   := "version" "=" INT "." INT ";" [section]...        sections in the order configurationrules,
 *   section  := NAME "{" rule* "}" [";"]                           authorizationrules, issuancerules
 *   rule     := [or] "=>" action ";"
 *   or       := and ("||" and)*          and := unary ("&&" unary)*
 *   unary    := "!" unary | "(" or ")" | [IDENT ":"] "[" pcond (("," | "&&") pcond)* "]"
 *   pcond    := ("type" | "value" | "issuer" | "valueType") ("==" | "=" | "!=" | "<" | "<=" | ">" | ">=") expr
 *   action   := "permit" "(" ")" | "deny" "(" ")" | ("issue" | "add" | "issueproperty") "(" args ")"
 *   args     := "claim" "=" IDENT | "type" "=" expr "," "value" "=" expr ["," "valueType" "=" expr]
 *   expr     := STRING | INT | "true" | "false" | IDENT "." PROP | FUNC "(" [expr ("," expr)*] ")"
 * A condition [..] holds when at least one claim matches every property condition; "c:" binds the matching
 * claim(s) for later use in the rule, and an action runs once per matching binding.
 */
#include "attestd_internal.h"
#include "parse.h"

#include <ctype.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_IDENTS 16
#define MAX_DEPTH 48
#define MAX_TERMS 256 /* && and || operands in one rule: evaluation recurses once per operand */
#define MAX_ARGS 8
#define MAX_STEPS 200000
#define STEP_BYTES 64              /* a step of work per this many bytes copied, parsed or compared */
#define MAX_VALUE_BYTES (64 * 1024) /* the longest string a policy function makes */
#define MAX_ACTIONS_PER_RULE 256
/* JSON arguments parsed in one evaluation and kept for the rest of it (a claim's value passed to several JmesPath
 * queries is parsed once): texts of at least JSON_MEMO_MIN bytes, up to JSON_MEMO of them and JSON_MEMO_BYTES of
 * text in all */
#define JSON_MEMO 8
#define JSON_MEMO_MIN 64
#define JSON_MEMO_BYTES (256 * 1024)

/* ---- arena: everything a compiled policy holds ---- */

struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

enum tk {
	T_EOF, T_IDENT, T_STRING, T_INT, T_ASSIGN, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_ARROW, T_AND, T_OR, T_NOT,
	T_SEMI, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COMMA, T_COLON, T_DOT,
};

enum prop { P_TYPE, P_VALUE, P_ISSUER, P_VALUETYPE };
enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum ek { E_STR, E_INT, E_BOOL, E_REF, E_FUNC };
enum fn { F_APPENDSTRING, F_NEGATEBOOL, F_JSONTOCLAIMVALUE, F_JMESPATH, F_ISSUBSETOF, F_CONTAINSONLYVALUE };
enum ck { C_MATCH, C_NOT, C_AND, C_OR };
enum ak { A_PERMIT, A_DENY, A_ISSUE, A_ADD, A_ISSUEPROPERTY };
enum sec { S_CONFIG, S_AUTHZ, S_ISSUANCE, S_COUNT };

struct expr {
	enum ek k;
	int line, col;
	char *s;
	int64_t i;
	bool b;
	int ident;
	enum prop prop;
	enum fn fn;
	struct expr *args[MAX_ARGS];
	int nargs;
	json_t *json;               /* E_STR a function reads as JSON: parsed once, frozen (held by the policy's owned) */
	struct attestd_jmes *jq;    /* E_STR that is a JmesPath query: compiled once (held by owned) */
};

struct pcond {
	enum prop prop;
	enum op op;
	struct expr *e;
};

struct cond {
	enum ck k;
	bool named;              /* C_MATCH: a type == condition names the claim (then a value of another type is an
				    error, not a mismatch) */
	int bind;                /* identifier index or -1 */
	struct pcond *pc;
	int npc;
	struct cond *a, *b;
};

struct action {
	enum ak k;
	int claim;               /* claim=IDENT, or -1 */
	struct expr *type, *value, *vtype;
};

struct rule {
	struct cond *c;          /* NULL: unconditional */
	struct action a;
	int line;
};

struct section {
	struct rule *rules;
	int n, cap;
	bool present;
};

/* What a compiled policy holds outside its arena, freed with it: parsed JSON arguments and compiled queries,
 * shared read-only by every evaluation of the policy (any thread). */
struct owned {
	struct owned *next;
	json_t *json;            /* frozen */
	struct attestd_jmes *jq;
};

struct attestd_policy {
	struct block *arena;
	struct owned *owned;
	int major, minor;
	struct section sec[S_COUNT];
};

struct tok {
	enum tk k;
	const char *p;
	size_t len;
	int line, col;
	int64_t ival;
	char *sval;
};

struct parser {
	struct attestd_policy *pol;
	const char *s;
	size_t len, pos;
	int line, col;
	struct tok t;
	char *err;
	jmp_buf jb;
	char idents[MAX_IDENTS][48];
	int nidents;
	int depth;
	int terms; /* && and || operators in the current rule */
	enum sec cur;
};

static void *palloc(struct attestd_policy *p, size_t n, jmp_buf *jb)
{
	struct block *b = p->arena;
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			if (jb)
				longjmp(*jb, 2);
			return NULL;
		}
		b->next = p->arena;
		b->used = 0;
		b->cap = cap;
		p->arena = b;
	}
	void *r = (char *)b->data + b->used;
	b->used += n;
	memset(r, 0, n);
	return r;
}

static void perr(struct parser *ps, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5), noreturn));
static void perr(struct parser *ps, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ATTESTD_ERR_BYTES, "line %d, column %d: ", line, col);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < ATTESTD_ERR_BYTES)
		vsnprintf(ps->err + n, ATTESTD_ERR_BYTES - (size_t)n, fmt, ap);
	va_end(ap);
	longjmp(ps->jb, 1);
}

static const char *tk_name(enum tk k)
{
	static const char *n[] = {"end of policy", "identifier", "string", "integer", "'='", "'=='", "'!='", "'<'",
				  "'<='", "'>'", "'>='", "'=>'", "'&&'", "'||'", "'!'", "';'", "'{'", "'}'", "'['",
				  "']'", "'('", "')'", "','", "':'", "'.'"};
	return n[k];
}

static void describe(const struct tok *t, char *buf, size_t n)
{
	if (t->k == T_IDENT || t->k == T_INT)
		snprintf(buf, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->p);
	else if (t->k == T_STRING)
		snprintf(buf, n, "a string");
	else
		snprintf(buf, n, "%s", tk_name(t->k));
}

static void advance_char(struct parser *ps)
{
	if (ps->s[ps->pos] == '\n') {
		ps->line++;
		ps->col = 1;
	} else {
		ps->col++;
	}
	ps->pos++;
}

static void next(struct parser *ps)
{
	struct tok *t = &ps->t;
	const char *s = ps->s;
	for (;;) {
		while (ps->pos < ps->len && (s[ps->pos] == ' ' || s[ps->pos] == '\t' || s[ps->pos] == '\r' ||
					     s[ps->pos] == '\n'))
			advance_char(ps);
		/* comments: "//" to end of line, as MAA's sample policies use, and C-style blocks (a Cella convenience) */
		if (ps->pos + 1 < ps->len && s[ps->pos] == '/' && s[ps->pos + 1] == '/') {
			while (ps->pos < ps->len && s[ps->pos] != '\n')
				advance_char(ps);
			continue;
		}
		if (ps->pos + 1 < ps->len && s[ps->pos] == '/' && s[ps->pos + 1] == '*') {
			int l = ps->line, c = ps->col;
			advance_char(ps);
			advance_char(ps);
			while (ps->pos + 1 < ps->len && !(s[ps->pos] == '*' && s[ps->pos + 1] == '/'))
				advance_char(ps);
			if (ps->pos + 1 >= ps->len)
				perr(ps, l, c, "unterminated comment");
			advance_char(ps);
			advance_char(ps);
			continue;
		}
		break;
	}
	memset(t, 0, sizeof(*t));
	t->line = ps->line;
	t->col = ps->col;
	t->p = s + ps->pos;
	if (ps->pos >= ps->len) {
		t->k = T_EOF;
		return;
	}
	char c = s[ps->pos];
	char d = ps->pos + 1 < ps->len ? s[ps->pos + 1] : 0;
	if (isalpha((unsigned char)c) || c == '_' || c == '$') {
		size_t st = ps->pos;
		while (ps->pos < ps->len && (isalnum((unsigned char)s[ps->pos]) || s[ps->pos] == '_' || s[ps->pos] == '$'))
			advance_char(ps);
		t->k = T_IDENT;
		t->len = ps->pos - st;
		if (t->len > 40)
			perr(ps, t->line, t->col, "identifier too long");
		return;
	}
	if (isdigit((unsigned char)c) || (c == '-' && isdigit((unsigned char)d))) {
		size_t st = ps->pos;
		bool neg = c == '-';
		uint64_t v = 0;
		if (neg)
			advance_char(ps);
		while (ps->pos < ps->len && isdigit((unsigned char)s[ps->pos])) {
			unsigned dg = (unsigned)(s[ps->pos] - '0');
			if (v > ((uint64_t)INT64_MAX + (neg ? 1u : 0u) - dg) / 10)
				perr(ps, t->line, t->col, "integer out of range");
			v = v * 10 + dg;
			advance_char(ps);
		}
		t->k = T_INT;
		t->len = ps->pos - st;
		t->ival = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
		return;
	}
	if (c == '"') {
		size_t cap = 64, n = 0;
		char *buf = malloc(cap);
		json_t *check;
		if (!buf)
			longjmp(ps->jb, 2);
		advance_char(ps);
		for (;;) {
			if (ps->pos >= ps->len) {
				free(buf);
				perr(ps, t->line, t->col, "unterminated string");
			}
			char ch = s[ps->pos];
			if (ch == '"')
				break;
			if (ch == 0) {
				free(buf);
				perr(ps, ps->line, ps->col, "NUL byte in a string");
			}
			if (ch == '\\' && ps->pos + 1 < ps->len) {
				advance_char(ps);
				ch = s[ps->pos];
				ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
			}
			if (n + 2 > cap) {
				char *nb = realloc(buf, cap * 2);
				if (!nb) {
					free(buf);
					longjmp(ps->jb, 2);
				}
				buf = nb;
				cap *= 2;
			}
			buf[n++] = ch;
			advance_char(ps);
		}
		advance_char(ps);
		buf[n] = 0;
		check = json_stringn(buf, n); /* claim values end up in JSON tokens: they must be UTF-8 */
		if (!check) {
			free(buf);
			perr(ps, t->line, t->col, "string is not valid UTF-8");
		}
		json_decref(check);
		t->sval = palloc(ps->pol, n + 1, NULL);
		if (!t->sval) {
			free(buf);
			longjmp(ps->jb, 2);
		}
		memcpy(t->sval, buf, n + 1);
		free(buf);
		t->k = T_STRING;
		t->len = n;
		return;
	}
	static const struct {
		const char *s;
		enum tk k;
	} ops[] = {{"=>", T_ARROW}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE},
				{"&&", T_AND},   {"||", T_OR}, {"=", T_ASSIGN}, {"<", T_LT},  {">", T_GT},
				{"!", T_NOT},    {";", T_SEMI}, {"{", T_LBRACE}, {"}", T_RBRACE}, {"[", T_LBRACK},
				{"]", T_RBRACK}, {"(", T_LPAREN}, {")", T_RPAREN}, {",", T_COMMA}, {":", T_COLON},
				{".", T_DOT}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].s);
		if (ps->pos + l <= ps->len && memcmp(s + ps->pos, ops[i].s, l) == 0) {
			for (size_t j = 0; j < l; j++)
				advance_char(ps);
			t->k = ops[i].k;
			t->len = l;
			return;
		}
	}
	if ((unsigned char)c >= 0x80)
		perr(ps, t->line, t->col, "unexpected non-ASCII character (typographic quotes? use \")");
	perr(ps, t->line, t->col, "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
}

static bool is_word(const struct tok *t, const char *w)
{
	return t->k == T_IDENT && strlen(w) == t->len && strncasecmp(t->p, w, t->len) == 0;
}

static void expect(struct parser *ps, enum tk k, const char *context)
{
	char got[64];
	if (ps->t.k != k) {
		describe(&ps->t, got, sizeof(got));
		perr(ps, ps->t.line, ps->t.col, "expected %s %s, found %s", tk_name(k), context, got);
	}
	next(ps);
}

static int find_ident(struct parser *ps, const struct tok *t)
{
	for (int i = 0; i < ps->nidents; i++)
		if (strlen(ps->idents[i]) == t->len && memcmp(ps->idents[i], t->p, t->len) == 0)
			return i;
	return -1;
}

static int bind_ident(struct parser *ps, const struct tok *t)
{
	int i = find_ident(ps, t);
	if (i >= 0)
		return i;
	if (ps->nidents >= MAX_IDENTS)
		perr(ps, t->line, t->col, "too many identifiers in one rule");
	memcpy(ps->idents[ps->nidents], t->p, t->len);
	ps->idents[ps->nidents][t->len] = 0;
	return ps->nidents++;
}

static bool parse_prop(const struct tok *t, enum prop *out)
{
	if (is_word(t, "type"))
		*out = P_TYPE;
	else if (is_word(t, "value"))
		*out = P_VALUE;
	else if (is_word(t, "issuer"))
		*out = P_ISSUER;
	else if (is_word(t, "valueType"))
		*out = P_VALUETYPE;
	else
		return false;
	return true;
}

/* A function's arguments ('S' string, 'B' boolean, '*' any) and its result ('?': any), in enum fn order. */
static const struct {
	const char *name;
	enum fn fn;
	int nargs;
	const char *args;
	char result;
} fns[] = {{"AppendString", F_APPENDSTRING, 2, "SS", 'S'},
	   {"NegateBool", F_NEGATEBOOL, 1, "B", 'B'},
	   {"JsonToClaimValue", F_JSONTOCLAIMVALUE, 1, "S", '?'},
	   {"JmesPath", F_JMESPATH, 2, "SS", 'S'},
	   {"IsSubsetOf", F_ISSUBSETOF, 2, "SS", 'B'},
	   {"ContainsOnlyValue", F_CONTAINSONLYVALUE, 2, "S*", 'B'}};

/* What an expression evaluates to when the policy text already says: 'S', 'I', 'B', or '?' (a claim's value, or
 * whatever JsonToClaimValue makes). */
static char expr_type(const struct expr *e)
{
	switch (e->k) {
	case E_STR:
		return 'S';
	case E_INT:
		return 'I';
	case E_BOOL:
		return 'B';
	case E_REF:
		return e->prop == P_VALUE ? '?' : 'S';
	case E_FUNC:
		return fns[e->fn].result;
	}
	return '?';
}

static const char *type_word(char t)
{
	return t == 'S' ? "a string" : t == 'I' ? "an integer" : t == 'B' ? "a boolean" : "a value";
}

/* A new entry of the policy's owned list (filled by the caller). */
static struct owned *own(struct parser *ps)
{
	struct owned *o = palloc(ps->pol, sizeof(*o), &ps->jb);
	o->next = ps->pol->owned;
	ps->pol->owned = o;
	return o;
}

/* Arguments the policy text fixes are checked once, here, rather than failing every request: their types, the
 * JSON of literal JSON arguments, and the syntax of a literal JmesPath query. The JSON and the query are kept,
 * compiled, for every evaluation to use (a.json, a.jq). */
static void check_call(struct parser *ps, const struct expr *e)
{
	const char *name = fns[e->fn].name;
	for (int i = 0; i < e->nargs; i++) {
		struct expr *a = e->args[i];
		char want = fns[e->fn].args[i], have = expr_type(a);
		if (want != '*' && have != '?' && have != want)
			perr(ps, a->line, a->col, "%s argument %d must be %s, not %s", name, i + 1, type_word(want),
			     type_word(have));
		if (a->k == E_STR && (e->fn == F_JSONTOCLAIMVALUE || e->fn == F_ISSUBSETOF ||
				      (i == 0 && (e->fn == F_JMESPATH || e->fn == F_CONTAINSONLYVALUE)))) {
			json_error_t je;
			struct owned *o = own(ps);
			json_t *j = json_loads(a->s, JSON_DECODE_ANY, &je);
			if (!j)
				perr(ps, a->line, a->col, "%s argument %d is not JSON: %.80s", name, i + 1, je.text);
			attestd_json_freeze(j);
			o->json = j;
			if ((e->fn == F_ISSUBSETOF || e->fn == F_CONTAINSONLYVALUE) && !json_is_array(j))
				perr(ps, a->line, a->col, "%s argument %d must be a JSON array", name, i + 1);
			a->json = j;
		}
		if (a->k == E_STR && e->fn == F_JMESPATH && i == 1) {
			char why[ATTESTD_ERR_BYTES];
			size_t off = 0;
			struct owned *o = own(ps);
			cella_result r = attestd_jmes_compile(a->s, strlen(a->s), &o->jq, &off, why);
			if (r == CELLA_ERR_OUT_OF_MEMORY)
				longjmp(ps->jb, 2);
			if (r != CELLA_OK)
				perr(ps, a->line, a->col, "JmesPath query, column %zu: %.160s", off + 1, why);
			a->jq = o->jq;
		}
	}
}

static struct expr *parse_expr(struct parser *ps)
{
	struct expr *e = palloc(ps->pol, sizeof(*e), &ps->jb);
	struct tok t = ps->t;
	char got[64];
	e->line = t.line;
	e->col = t.col;
	e->ident = -1;
	if (++ps->depth > MAX_DEPTH)
		perr(ps, t.line, t.col, "expression nested too deeply");
	if (t.k == T_STRING) {
		e->k = E_STR;
		e->s = t.sval;
		next(ps);
	} else if (t.k == T_INT) {
		e->k = E_INT;
		e->i = t.ival;
		next(ps);
	} else if (is_word(&t, "true") || is_word(&t, "false")) {
		e->k = E_BOOL;
		e->b = is_word(&t, "true");
		next(ps);
	} else if (t.k == T_IDENT) {
		next(ps);
		if (ps->t.k == T_DOT) {
			next(ps);
			e->k = E_REF;
			e->ident = find_ident(ps, &t);
			if (e->ident < 0)
				perr(ps, t.line, t.col, "unknown identifier '%.*s' (bind it with %.*s:[...] first)",
				     (int)t.len, t.p, (int)t.len, t.p);
			if (!parse_prop(&ps->t, &e->prop))
				perr(ps, ps->t.line, ps->t.col, "expected type, value, issuer or valueType after '.'");
			next(ps);
		} else if (ps->t.k == T_LPAREN) {
			size_t i;
			for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
				if (is_word(&t, fns[i].name))
					break;
			if (i == sizeof(fns) / sizeof(fns[0]))
				perr(ps, t.line, t.col, "unknown function '%.*s'", (int)t.len, t.p);
			if (ps->pol->major == 1 && ps->pol->minor < 2)
				perr(ps, t.line, t.col, "function %s needs policy version 1.2", fns[i].name);
			e->k = E_FUNC;
			e->fn = fns[i].fn;
			next(ps);
			while (ps->t.k != T_RPAREN) {
				if (e->nargs == MAX_ARGS)
					perr(ps, ps->t.line, ps->t.col, "too many arguments");
				e->args[e->nargs++] = parse_expr(ps);
				if (ps->t.k != T_COMMA)
					break;
				next(ps);
			}
			expect(ps, T_RPAREN, "after the function arguments");
			if (e->nargs != fns[i].nargs)
				perr(ps, t.line, t.col, "%s takes %d argument(s), not %d", fns[i].name, fns[i].nargs,
				     e->nargs);
			check_call(ps, e);
		} else {
			perr(ps, t.line, t.col, "'%.*s' is not a value (a string, integer, true, false, c.value or a "
			     "function call)", (int)t.len, t.p);
		}
	} else {
		describe(&t, got, sizeof(got));
		perr(ps, t.line, t.col, "expected a value, found %s", got);
	}
	ps->depth--;
	return e;
}

/* The service's claims whose value always has one type: 'B' boolean, 'I' integer, 'S' string. */
static const struct {
	const char *name;
	char t;
} known_claims[] = {
	{"x-ms-sgx-is-debuggable", 'B'},
	{"$is-debuggable", 'B'},
	{"x-ms-sgx-product-id", 'I'},
	{"x-ms-sgx-svn", 'I'},
	{"x-ms-sgx-config-svn", 'I'},
	{"$product-id", 'I'},
	{"$svn", 'I'},
	{"x-cella-tcb-evaluation-data-number", 'I'},
	{"x-cella-qe-tcb-evaluation-data-number", 'I'},
	{"x-ms-sgx-mrenclave", 'S'},
	{"x-ms-sgx-mrsigner", 'S'},
	{"$sgx-mrenclave", 'S'},
	{"$sgx-mrsigner", 'S'},
	{"x-ms-sgx-report-data", 'S'},
	{"x-ms-sgx-config-id", 'S'},
	{"x-ms-sgx-isv-extended-product-id", 'S'},
	{"x-ms-sgx-isv-family-id", 'S'},
	{"x-ms-attestation-type", 'S'},
	{"$tee", 'S'},
	{"x-ms-sgx-ehd", 'S'},
	{"x-ms-runtime", 'S'},
	{"x-ms-inittime", 'S'},
	{"x-cella-tcb-status", 'S'},
	{"x-cella-advisory-ids", 'S'},
	{"x-ms-ver", 'S'},
	{"x-ms-policy-hash", 'S'},
	{"x-ms-sgx-collateral", 'S'},
	{"tee", 'S'},
};

/*
 * A claim condition: value comparisons go last, so they are made only for a claim that met the others (the type it
 * names); a value compared with what the text says is of another type is refused when the condition names a
 * service claim whose type is fixed ([type=="x-ms-sgx-is-debuggable", value!="false"] was true for false).
 */
static void check_match(struct parser *ps, struct cond *c)
{
	const char *claim = NULL;
	char t = 0;
	int k = 0;
	struct pcond tmp;
	for (int i = 0; i < c->npc; i++) /* stable: the value conditions last */
		if (c->pc[i].prop != P_VALUE) {
			tmp = c->pc[i];
			memmove(&c->pc[k + 1], &c->pc[k], sizeof(tmp) * (size_t)(i - k));
			c->pc[k++] = tmp;
		}
	for (int i = 0; i < c->npc; i++) {
		const struct pcond *pc = &c->pc[i];
		if (pc->prop == P_TYPE && pc->op == OP_EQ) {
			c->named = true;
			if (pc->e->k == E_STR)
				for (size_t j = 0; j < sizeof(known_claims) / sizeof(known_claims[0]); j++)
					if (strcmp(known_claims[j].name, pc->e->s) == 0) {
						claim = known_claims[j].name;
						t = known_claims[j].t;
					}
		}
	}
	for (int i = 0; claim && i < c->npc; i++) {
		const struct pcond *pc = &c->pc[i];
		char et = expr_type(pc->e);
		if (pc->prop != P_VALUE)
			continue;
		if (et != '?' && et != t)
			perr(ps, pc->e->line, pc->e->col, "claim %s is %s: comparing it with %s is an error", claim,
			     type_word(t), type_word(et));
		if (pc->op != OP_EQ && pc->op != OP_NE && t != 'I')
			perr(ps, pc->e->line, pc->e->col, "claim %s is %s: < <= > >= compare integers only", claim,
			     type_word(t));
	}
}

static struct cond *parse_or(struct parser *ps);

static struct cond *parse_match(struct parser *ps)
{
	struct cond *c = palloc(ps->pol, sizeof(*c), &ps->jb);
	int cap = 0;
	c->k = C_MATCH;
	c->bind = -1;
	if (ps->t.k == T_IDENT) {
		struct tok id = ps->t;
		next(ps);
		if (ps->t.k != T_COLON)
			perr(ps, ps->t.line, ps->t.col, "expected ':' after identifier '%.*s'", (int)id.len, id.p);
		next(ps);
		c->bind = bind_ident(ps, &id);
	}
	expect(ps, T_LBRACK, "to start a claim condition");
	for (;;) {
		struct pcond *pc;
		struct tok pt = ps->t;
		enum prop prop;
		if (!parse_prop(&pt, &prop)) {
			char got[64];
			describe(&pt, got, sizeof(got));
			perr(ps, pt.line, pt.col, "expected type, value, issuer or valueType, found %s", got);
		}
		if (c->npc == cap) {
			struct pcond *n = palloc(ps->pol, sizeof(*n) * (size_t)(cap ? cap * 2 : 4), &ps->jb);
			if (cap)
				memcpy(n, c->pc, sizeof(*n) * (size_t)cap);
			c->pc = n;
			cap = cap ? cap * 2 : 4;
		}
		pc = &c->pc[c->npc++];
		pc->prop = prop;
		next(ps);
		switch (ps->t.k) {
		case T_EQ:
		case T_ASSIGN:
			pc->op = OP_EQ;
			break;
		case T_NE:
			pc->op = OP_NE;
			break;
		case T_LT:
			pc->op = OP_LT;
			break;
		case T_LE:
			pc->op = OP_LE;
			break;
		case T_GT:
			pc->op = OP_GT;
			break;
		case T_GE:
			pc->op = OP_GE;
			break;
		default: {
			char got[64];
			describe(&ps->t, got, sizeof(got));
			perr(ps, ps->t.line, ps->t.col, "expected a comparison operator, found %s", got);
		}
		}
		struct tok opt = ps->t;
		next(ps);
		pc->e = parse_expr(ps);
		if (pc->op != OP_EQ && pc->op != OP_NE &&
		    (prop != P_VALUE || pc->e->k == E_STR || pc->e->k == E_BOOL))
			perr(ps, opt.line, opt.col, "%s compares integers only", tk_name(opt.k));
		if (prop != P_VALUE && pc->e->k != E_STR && pc->e->k != E_REF && pc->e->k != E_FUNC)
			perr(ps, pc->e->line, pc->e->col, "a claim's %s is a string",
			     prop == P_TYPE ? "type" : prop == P_ISSUER ? "issuer" : "valueType");
		if (ps->t.k == T_COMMA || ps->t.k == T_AND) {
			next(ps);
			continue;
		}
		break;
	}
	expect(ps, T_RBRACK, "to end the claim condition");
	check_match(ps, c);
	return c;
}

static struct cond *parse_unary(struct parser *ps)
{
	struct cond *c;
	struct tok t = ps->t;
	if (++ps->depth > MAX_DEPTH)
		perr(ps, t.line, t.col, "conditions nested too deeply");
	if (t.k == T_NOT) {
		if (ps->pol->minor < 2)
			perr(ps, t.line, t.col, "'!' (absence of a claim) needs policy version 1.2");
		next(ps);
		c = palloc(ps->pol, sizeof(*c), &ps->jb);
		c->k = C_NOT;
		c->bind = -1;
		c->a = parse_unary(ps);
	} else if (t.k == T_LPAREN) {
		next(ps);
		c = parse_or(ps);
		expect(ps, T_RPAREN, "to close the parenthesis");
	} else {
		c = parse_match(ps);
	}
	ps->depth--;
	return c;
}

static struct cond *parse_bin(struct parser *ps, enum tk op, enum ck k)
{
	struct cond *l = k == C_OR ? parse_bin(ps, T_AND, C_AND) : parse_unary(ps);
	while (ps->t.k == op) {
		struct cond *c;
		if (++ps->terms >= MAX_TERMS)
			perr(ps, ps->t.line, ps->t.col, "more than %d conditions joined by && and || in one rule", MAX_TERMS);
		c = palloc(ps->pol, sizeof(*c), &ps->jb);
		next(ps);
		c->k = k;
		c->bind = -1;
		c->a = l;
		c->b = k == C_OR ? parse_bin(ps, T_AND, C_AND) : parse_unary(ps);
		l = c;
	}
	return l;
}

static struct cond *parse_or(struct parser *ps)
{
	return parse_bin(ps, T_OR, C_OR);
}

/* valueType's names (case-insensitive): the type, or -1. */
static int vt_parse(const char *s)
{
	return strcasecmp(s, "String") == 0 ? ATTESTD_V_STRING : strcasecmp(s, "Integer") == 0 ? ATTESTD_V_INTEGER
		: strcasecmp(s, "Boolean") == 0 ? ATTESTD_V_BOOLEAN : -1;
}

static void parse_action(struct parser *ps, struct action *a)
{
	struct tok t = ps->t;
	a->claim = -1;
	if (is_word(&t, "permit"))
		a->k = A_PERMIT;
	else if (is_word(&t, "deny"))
		a->k = A_DENY;
	else if (is_word(&t, "issue"))
		a->k = A_ISSUE;
	else if (is_word(&t, "add"))
		a->k = A_ADD;
	else if (is_word(&t, "issueproperty"))
		a->k = A_ISSUEPROPERTY;
	else {
		char got[64];
		describe(&t, got, sizeof(got));
		perr(ps, t.line, t.col, "expected an action (permit, deny, issue, add, issueproperty), found %s", got);
	}
	if ((a->k == A_PERMIT || a->k == A_DENY) && ps->cur != S_AUTHZ)
		perr(ps, t.line, t.col, "%.*s() is allowed in authorizationrules only", (int)t.len, t.p);
	if (a->k == A_ISSUE && ps->cur != S_ISSUANCE)
		perr(ps, t.line, t.col, "issue() is allowed in issuancerules only");
	if (a->k == A_ADD && ps->cur == S_CONFIG)
		perr(ps, t.line, t.col, "add() is not allowed in configurationrules");
	if (a->k == A_ISSUEPROPERTY && ps->cur != S_CONFIG)
		perr(ps, t.line, t.col, "issueproperty() is allowed in configurationrules only");
	next(ps);
	expect(ps, T_LPAREN, "after the action");
	if (a->k == A_PERMIT || a->k == A_DENY) {
		expect(ps, T_RPAREN, "(permit and deny take no arguments)");
		return;
	}
	while (ps->t.k == T_IDENT) {
		struct tok n = ps->t;
		next(ps);
		expect(ps, T_ASSIGN, "after the argument name");
		if (is_word(&n, "claim")) {
			if (ps->t.k != T_IDENT || (a->claim = find_ident(ps, &ps->t)) < 0)
				perr(ps, ps->t.line, ps->t.col, "claim= needs an identifier bound in this rule's conditions");
			next(ps);
		} else if (is_word(&n, "type")) {
			a->type = parse_expr(ps);
		} else if (is_word(&n, "value")) {
			a->value = parse_expr(ps);
		} else if (is_word(&n, "valueType")) {
			a->vtype = parse_expr(ps);
		} else {
			perr(ps, n.line, n.col, "unknown argument '%.*s' (claim, type, value or valueType)", (int)n.len,
			     n.p);
		}
		if (ps->t.k != T_COMMA)
			break;
		next(ps);
	}
	if (a->claim < 0 && (!a->type || !a->value))
		perr(ps, t.line, t.col, "%.*s() needs claim=IDENT or both type= and value=", (int)t.len, t.p);
	if (a->claim >= 0 && (a->type || a->value))
		perr(ps, t.line, t.col, "%.*s(): claim= cannot be combined with type= or value=", (int)t.len, t.p);
	if (a->type && a->type->k != E_STR && a->type->k != E_REF && a->type->k != E_FUNC)
		perr(ps, a->type->line, a->type->col, "a claim type is a string");
	if (a->vtype && (expr_type(a->vtype) != 'S' && expr_type(a->vtype) != '?'))
		perr(ps, a->vtype->line, a->vtype->col, "valueType is a string (\"String\", \"Integer\" or \"Boolean\")");
	if (a->vtype && a->vtype->k == E_STR) {
		int want = vt_parse(a->vtype->s);
		long long n;
		if (want < 0)
			perr(ps, a->vtype->line, a->vtype->col, "valueType must be \"String\", \"Integer\" or \"Boolean\"");
		if (a->value && a->value->k == E_STR &&
		    ((want == ATTESTD_V_INTEGER && cella_parse_int(a->value->s, LLONG_MIN, LLONG_MAX, &n) != 0) ||
		     (want == ATTESTD_V_BOOLEAN && strcmp(a->value->s, "true") != 0 && strcmp(a->value->s, "false") != 0)))
			perr(ps, a->value->line, a->value->col, "the value is not %s", want == ATTESTD_V_INTEGER ?
			     "a 64-bit integer as a whole" : "\"true\" or \"false\"");
		if (a->value && (a->value->k == E_INT || a->value->k == E_BOOL) &&
		    want != (a->value->k == E_INT ? ATTESTD_V_INTEGER : ATTESTD_V_BOOLEAN))
			perr(ps, a->value->line, a->value->col, "the value is %s, valueType says %s",
			     a->value->k == E_INT ? "an Integer" : "a Boolean", a->vtype->s);
	}
	expect(ps, T_RPAREN, "to end the action's arguments");
}

static void parse_section(struct parser *ps, struct section *sec)
{
	expect(ps, T_LBRACE, "after the section name");
	while (ps->t.k != T_RBRACE) {
		struct rule *r;
		if (ps->t.k == T_EOF)
			perr(ps, ps->t.line, ps->t.col, "missing '}' at the end of the section");
		if (sec->n == sec->cap) {
			int cap = sec->cap ? sec->cap * 2 : 8;
			struct rule *nr = palloc(ps->pol, sizeof(*nr) * (size_t)cap, &ps->jb);
			if (sec->n)
				memcpy(nr, sec->rules, sizeof(*nr) * (size_t)sec->n);
			sec->rules = nr;
			sec->cap = cap;
		}
		r = &sec->rules[sec->n++];
		memset(r, 0, sizeof(*r));
		r->line = ps->t.line;
		ps->nidents = 0;
		ps->depth = 0;
		ps->terms = 0;
		if (ps->t.k != T_ARROW)
			r->c = parse_or(ps);
		expect(ps, T_ARROW, "between the conditions and the action");
		parse_action(ps, &r->a);
		expect(ps, T_SEMI, "after the rule");
	}
	next(ps);
	if (ps->t.k == T_SEMI)
		next(ps);
}

cella_result attestd_policy_compile(const char *text, size_t len, struct attestd_policy **out,
				    char err[ATTESTD_ERR_BYTES])
{
	struct parser *ps = calloc(1, sizeof(*ps));
	struct attestd_policy *pol = calloc(1, sizeof(*pol));
	int jr;
	err[0] = 0;
	if (!ps || !pol) {
		free(ps);
		free(pol);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	ps->pol = pol;
	ps->s = text;
	ps->len = len;
	ps->line = 1;
	ps->col = 1;
	ps->err = err;
	jr = setjmp(ps->jb);
	if (jr != 0) {
		free(ps);
		attestd_policy_free(pol);
		if (jr == 2) {
			snprintf(err, ATTESTD_ERR_BYTES, "out of memory");
			return CELLA_ERR_OUT_OF_MEMORY;
		}
		return CELLA_ERR_BAD_FORMAT;
	}
	next(ps);
	if (!is_word(&ps->t, "version"))
		perr(ps, ps->t.line, ps->t.col, "a policy starts with 'version=1.0;' (1.0, 1.1 or 1.2)");
	next(ps);
	expect(ps, T_ASSIGN, "after 'version'");
	{
		struct tok maj = ps->t, mnr;
		expect(ps, T_INT, "(major version)");
		expect(ps, T_DOT, "in the version");
		mnr = ps->t;
		expect(ps, T_INT, "(minor version)");
		if (maj.ival != 1 || mnr.ival < 0 || mnr.ival > 2 || mnr.len != 1)
			perr(ps, maj.line, maj.col, "unsupported policy version %.*s.%.*s (1.0, 1.1 or 1.2)",
			     (int)maj.len, maj.p, (int)mnr.len, mnr.p);
		pol->major = 1;
		pol->minor = (int)mnr.ival;
	}
	expect(ps, T_SEMI, "after the version");
	{
		int last = -1;
		while (ps->t.k != T_EOF) {
			struct tok t = ps->t;
			enum sec s;
			if (is_word(&t, "configurationrules"))
				s = S_CONFIG;
			else if (is_word(&t, "authorizationrules"))
				s = S_AUTHZ;
			else if (is_word(&t, "issuancerules"))
				s = S_ISSUANCE;
			else {
				char got[64];
				describe(&t, got, sizeof(got));
				perr(ps, t.line, t.col, "expected configurationrules, authorizationrules or "
				     "issuancerules, found %s", got);
			}
			if (s == S_CONFIG && pol->minor < 1)
				perr(ps, t.line, t.col, "configurationrules needs policy version 1.1 or later");
			if (pol->sec[s].present)
				perr(ps, t.line, t.col, "section %.*s appears twice", (int)t.len, t.p);
			if ((int)s < last)
				perr(ps, t.line, t.col, "sections must come in the order configurationrules, "
				     "authorizationrules, issuancerules");
			last = (int)s;
			pol->sec[s].present = true;
			ps->cur = s;
			next(ps);
			parse_section(ps, &pol->sec[s]);
		}
		if (!pol->sec[S_AUTHZ].present)
			perr(ps, ps->t.line, ps->t.col, "the policy has no authorizationrules section");
	}
	free(ps);
	*out = pol;
	return CELLA_OK;
}

void attestd_policy_free(struct attestd_policy *p)
{
	if (!p)
		return;
	for (struct owned *o = p->owned; o; o = o->next) {
		attestd_json_frozen_free(o->json);
		attestd_jmes_free(o->jq);
	}
	while (p->arena) {
		struct block *n = p->arena->next;
		free(p->arena);
		p->arena = n;
	}
	free(p);
}

const char *attestd_policy_version(const struct attestd_policy *p)
{
	return p->minor == 0 ? "1.0" : p->minor == 1 ? "1.1" : "1.2";
}

/* ---- evaluation ---- */

struct ev {
	const struct attestd_policy *p;
	struct attestd_claims *in, *out, *props;
	enum sec sec;
	long steps;
	int actions;
	int verdict;             /* 0 none, 1 a permit() fired, 2 a deny() fired */
	cella_result r;
	char *err;
	const struct rule *rule;
	struct {
		char *s; /* a copy of the text */
		size_t len;
		json_t *j; /* the memo's reference */
	} memo[JSON_MEMO];
	int nmemo;
	size_t memo_bytes;
};

typedef bool (*kfn)(struct ev *ev, int *env, void *arg);

static void val_fini(struct attestd_value *v)
{
	if (v->vt == ATTESTD_V_STRING)
		free(v->s);
	memset(v, 0, sizeof(*v));
}

static bool val_str(struct attestd_value *v, const char *s)
{
	v->vt = ATTESTD_V_STRING;
	v->s = strdup(s);
	return v->s != NULL;
}

/* Out of memory fails the evaluation (ev->r), never "no value", on which a deny() would be skipped. false. */
static bool ev_oom(struct ev *ev)
{
	ev->r = CELLA_ERR_OUT_OF_MEMORY;
	snprintf(ev->err, ATTESTD_ERR_BYTES, "out of memory");
	return false;
}

/* val_str in an evaluation */
static bool ev_str(struct ev *ev, struct attestd_value *v, const char *s)
{
	return val_str(v, s) || ev_oom(ev);
}

static const char *vt_name(attestd_vt vt)
{
	return vt == ATTESTD_V_INTEGER ? "Integer" : vt == ATTESTD_V_BOOLEAN ? "Boolean" : "String";
}

static json_t *val_to_json(const struct attestd_value *v)
{
	return attestd_value_json(v);
}

static bool json_to_val(json_t *j, struct attestd_value *out)
{
	memset(out, 0, sizeof(*out));
	if (json_is_integer(j)) {
		out->vt = ATTESTD_V_INTEGER;
		out->i = json_integer_value(j);
		return true;
	}
	if (json_is_boolean(j)) {
		out->vt = ATTESTD_V_BOOLEAN;
		out->b = json_is_true(j);
		return true;
	}
	if (json_is_string(j))
		return val_str(out, json_string_value(j));
	return false;
}

static bool eval_expr(struct ev *ev, const struct expr *e, const int *env, struct attestd_value *out);
static bool budget(struct ev *ev);

/* Charges `units` steps of work (at least one); false once the evaluation's bound is spent. */
static bool charge(struct ev *ev, size_t units)
{
	ev->steps += (long)(units < (size_t)MAX_STEPS ? units : (size_t)MAX_STEPS);
	return budget(ev);
}

/* A function result longer than MAX_VALUE_BYTES ends the evaluation (CELLA_ERR_TOO_LARGE). */
static bool value_fits(struct ev *ev, size_t len)
{
	if (len <= MAX_VALUE_BYTES)
		return true;
	if (ev->r == CELLA_OK) {
		ev->r = CELLA_ERR_TOO_LARGE;
		snprintf(ev->err, ATTESTD_ERR_BYTES, "a policy function made a string of %zu bytes, over the %d-byte "
						     "limit (rule at line %d)",
			 len, MAX_VALUE_BYTES, ev->rule ? ev->rule->line : 0);
	}
	return false;
}

/* A function that cannot make its value fails the request (never "no value": a deny() rule on it would be skipped). */
static bool fn_fail(struct ev *ev, const struct expr *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fn_fail(struct ev *ev, const struct expr *e, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (ev->r != CELLA_OK)
		return false;
	ev->r = CELLA_ERR_BAD_FORMAT;
	n = snprintf(ev->err, ATTESTD_ERR_BYTES, "%s at line %d, column %d: ", fns[e->fn].name, e->line, e->col);
	if (n > 0 && (size_t)n < ATTESTD_ERR_BYTES) {
		va_start(ap, fmt);
		vsnprintf(ev->err + n, ATTESTD_ERR_BYTES - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* Parses a function's JSON argument (charged, as a parse, when the policy text fixed it and it was parsed once at
 * compile time); NULL after fn_fail. The result may be frozen, shared with other evaluations: only read, then
 * released with json_decref (which leaves a frozen value alone). */
static json_t *json_arg(struct ev *ev, const struct expr *e, int i, const struct attestd_value *a, bool array)
{
	json_error_t je;
	json_t *j = e->args[i]->json;
	size_t len = strlen(a->s); /* a string: func() checked the argument types */
	int m = ev->nmemo;
	/* charged as a parse whether or not it is one, so that what a policy may do does not depend on the memo */
	if (!charge(ev, len / STEP_BYTES))
		return NULL;
	if (!j && len >= JSON_MEMO_MIN)
		for (m = 0; m < ev->nmemo; m++)
			if (ev->memo[m].len == len && memcmp(ev->memo[m].s, a->s, len) == 0) {
				j = json_incref(ev->memo[m].j);
				break;
			}
	if (!j) {
		if (!(j = json_loads(a->s, JSON_DECODE_ANY, &je))) {
			fn_fail(ev, e, "argument %d is not JSON: %.80s", i + 1, je.text);
			return NULL;
		}
		/* kept for the rest of the evaluation (a copy that cannot be made only means parsing it again) */
		if (m < JSON_MEMO && len >= JSON_MEMO_MIN && len <= JSON_MEMO_BYTES - ev->memo_bytes &&
		    (ev->memo[m].s = malloc(len))) {
			memcpy(ev->memo[m].s, a->s, len);
			ev->memo[m].len = len;
			ev->memo[m].j = json_incref(j);
			ev->memo_bytes += len;
			ev->nmemo++;
		}
	}
	if (array && !json_is_array(j)) {
		json_decref(j);
		fn_fail(ev, e, "argument %d must be a JSON array", i + 1);
		return NULL;
	}
	return j;
}

static bool func(struct ev *ev, const struct expr *e, const int *env, struct attestd_value *out)
{
	struct attestd_value a[MAX_ARGS];
	bool ok = false;
	json_t *j = NULL, *k = NULL;
	int n = 0;
	memset(a, 0, sizeof(a));
	for (; n < e->nargs; n++) {
		if (!eval_expr(ev, e->args[n], env, &a[n])) {
			/* an argument without a value (an unbound identifier, JsonToClaimValue of null) */
			fn_fail(ev, e, "argument %d has no value", n + 1);
			goto out;
		}
		if (fns[e->fn].args[n] != '*' &&
		    a[n].vt != (fns[e->fn].args[n] == 'S' ? ATTESTD_V_STRING : ATTESTD_V_BOOLEAN)) {
			fn_fail(ev, e, "argument %d must be %s, not %s", n + 1, type_word(fns[e->fn].args[n]),
				type_word(a[n].vt == ATTESTD_V_STRING ? 'S' : a[n].vt == ATTESTD_V_INTEGER ? 'I' : 'B'));
			n++;
			goto out;
		}
	}
	switch (e->fn) {
	case F_APPENDSTRING: {
		size_t l0 = strlen(a[0].s), l1 = strlen(a[1].s);
		if (!value_fits(ev, l0 + l1) || !charge(ev, (l0 + l1) / STEP_BYTES))
			break;
		out->vt = ATTESTD_V_STRING;
		out->s = malloc(l0 + l1 + 1);
		if (!out->s) {
			ev_oom(ev);
			break;
		}
		memcpy(out->s, a[0].s, l0);
		memcpy(out->s + l0, a[1].s, l1 + 1);
		ok = true;
		break;
	}
	case F_NEGATEBOOL:
		out->vt = ATTESTD_V_BOOLEAN;
		out->b = !a[0].b;
		ok = true;
		break;
	case F_JSONTOCLAIMVALUE:
		if (!(j = json_arg(ev, e, 0, &a[0], false)))
			break;
		ok = json_to_val(j, out);
		/* null gives no value (an add() or issue() of it adds nothing, a comparison with it is false); a
		 * fraction, an object or an array is an error: MAA fails the first two, and makes one claim per
		 * element of an array of primitives, which this engine cannot, so a deny() written for one of them is
		 * never silently skipped */
		if (!ok && !json_is_null(j))
			fn_fail(ev, e, "a JSON %s is not a claim value",
				json_is_real(j) ? "fraction" : json_is_object(j) ? "object" : "array");
		break;
	case F_JMESPATH: {
		char why[ATTESTD_ERR_BYTES];
		json_t *res = NULL;
		cella_result r;
		char *txt;
		if (!(j = json_arg(ev, e, 0, &a[0], false)))
			break;
		if (e->args[1]->jq) /* a literal query, compiled with the policy */
			r = attestd_jmes_run(e->args[1]->jq, j, &ev->steps, MAX_STEPS, &res, why);
		else
			r = attestd_jmes_eval(a[1].s, strlen(a[1].s), j, &ev->steps, MAX_STEPS, &res, why);
		if (r == CELLA_ERR_TOO_LARGE) {
			budget(ev); /* the steps are spent: this sets the work-bound error */
			break;
		}
		if (r != CELLA_OK) {
			fn_fail(ev, e, "%s", why);
			break;
		}
		/* MAA's JmesPath always gives JSON text: "null" for a path that is not there */
		txt = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(res);
		if (!txt) {
			ev_oom(ev);
			break;
		}
		if (!value_fits(ev, strlen(txt))) {
			free(txt);
			break;
		}
		out->vt = ATTESTD_V_STRING;
		out->s = txt;
		ok = true;
		break;
	}
	case F_ISSUBSETOF:
		if ((j = json_arg(ev, e, 0, &a[0], true)) && (k = json_arg(ev, e, 1, &a[1], true)) &&
		    charge(ev, json_array_size(j) * json_array_size(k))) {
			size_t i, m;
			json_t *x, *y;
			out->vt = ATTESTD_V_BOOLEAN;
			out->b = true;
			json_array_foreach(j, i, x)
			{
				bool found = false;
				json_array_foreach(k, m, y) if (json_equal(x, y)) found = true;
				if (!found)
					out->b = false;
			}
			ok = true;
		}
		break;
	case F_CONTAINSONLYVALUE:
		if ((j = json_arg(ev, e, 0, &a[0], true))) {
			size_t i;
			json_t *x;
			if (!(k = val_to_json(&a[1]))) {
				ev_oom(ev);
				break;
			}
			out->vt = ATTESTD_V_BOOLEAN;
			out->b = json_array_size(j) > 0;
			json_array_foreach(j, i, x) if (!json_equal(x, k)) out->b = false;
			ok = true;
		}
		break;
	}
out:
	json_decref(j);
	json_decref(k);
	for (int i = 0; i < n; i++)
		val_fini(&a[i]);
	return ok;
}

/*
 * Evaluates an expression into a fresh value (strings malloc'd). False: it has no value (an identifier the rule did
 * not bind, JsonToClaimValue of null), or, with ev->r set, the evaluation failed (a function, the work bound).
 */
static bool eval_expr(struct ev *ev, const struct expr *e, const int *env, struct attestd_value *out)
{
	memset(out, 0, sizeof(*out));
	if (!budget(ev)) /* every node evaluated is a step */
		return false;
	switch (e->k) {
	case E_STR:
		return ev_str(ev, out, e->s);
	case E_INT:
		out->vt = ATTESTD_V_INTEGER;
		out->i = e->i;
		return true;
	case E_BOOL:
		out->vt = ATTESTD_V_BOOLEAN;
		out->b = e->b;
		return true;
	case E_REF: {
		const struct attestd_claim *c;
		if (e->ident < 0 || env[e->ident] < 0)
			return false;
		c = &ev->in->v[env[e->ident]];
		switch (e->prop) {
		case P_TYPE:
			return ev_str(ev, out, c->type);
		case P_ISSUER:
			return ev_str(ev, out, c->issuer);
		case P_VALUETYPE:
			return ev_str(ev, out, vt_name(c->v.vt));
		case P_VALUE:
			if (c->v.vt == ATTESTD_V_STRING)
				return charge(ev, strlen(c->v.s) / STEP_BYTES) && ev_str(ev, out, c->v.s);
			*out = c->v;
			return true;
		}
		return false;
	}
	case E_FUNC:
		return func(ev, e, env, out);
	}
	return false;
}

/* a and b of one type; ordering only for integers (the caller checks). */
static bool compare(const struct attestd_value *a, enum op op, const struct attestd_value *b)
{
	int c;
	if (a->vt == ATTESTD_V_STRING)
		c = strcmp(a->s, b->s);
	else if (a->vt == ATTESTD_V_BOOLEAN)
		c = (int)a->b - (int)b->b;
	else
		c = a->i < b->i ? -1 : a->i > b->i;
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_LE:
		return c <= 0;
	case OP_GT:
		return c > 0;
	case OP_GE:
		return c >= 0;
	}
	return false;
}

static const char *a_vt(attestd_vt vt)
{
	return vt == ATTESTD_V_INTEGER ? "an Integer" : vt == ATTESTD_V_BOOLEAN ? "a Boolean" : "a String";
}

/*
 * One property condition over one claim. A value of another type than the claim's is an evaluation error when the
 * condition names the claim (type ==, checked first) and a mismatch when it scans every claim ([value==true]); a
 * type, issuer or valueType compared with a non-string, or an ordering of non-integers, is always an error.
 */
static bool pcond_ok(struct ev *ev, const struct cond *c, const struct pcond *pc, const struct attestd_claim *cl,
		     const int *env)
{
	struct attestd_value want, have;
	bool ok = false;
	if (!eval_expr(ev, pc->e, env, &want))
		return false;
	memset(&have, 0, sizeof(have));
	switch (pc->prop) {
	case P_TYPE:
		have.vt = ATTESTD_V_STRING;
		have.s = cl->type;
		break;
	case P_ISSUER:
		have.vt = ATTESTD_V_STRING;
		have.s = cl->issuer;
		break;
	case P_VALUETYPE:
		have.vt = ATTESTD_V_STRING;
		have.s = (char *)vt_name(cl->v.vt);
		break;
	case P_VALUE:
		have = cl->v;
		break;
	}
	if (have.vt != want.vt && (pc->prop != P_VALUE || c->named)) {
		ev->r = CELLA_ERR_BAD_FORMAT;
		if (pc->prop == P_VALUE)
			snprintf(ev->err, ATTESTD_ERR_BYTES,
				 "line %d, column %d: claim %.80s is %s, compared with %s (a comparison of two types is "
				 "an error, not false)",
				 pc->e->line, pc->e->col, cl->type, a_vt(have.vt), a_vt(want.vt));
		else
			snprintf(ev->err, ATTESTD_ERR_BYTES, "line %d, column %d: a claim's %s is a string, compared with %s",
				 pc->e->line, pc->e->col,
				 pc->prop == P_TYPE ? "type" : pc->prop == P_ISSUER ? "issuer" : "valueType", a_vt(want.vt));
	} else if (have.vt == want.vt && have.vt != ATTESTD_V_INTEGER && pc->op != OP_EQ && pc->op != OP_NE) {
		ev->r = CELLA_ERR_BAD_FORMAT;
		snprintf(ev->err, ATTESTD_ERR_BYTES, "line %d, column %d: < <= > >= compare integers, not %s values",
			 pc->e->line, pc->e->col, vt_name(want.vt));
	} else if (have.vt == want.vt) {
		ok = compare(&have, pc->op, &want);
	}
	val_fini(&want);
	return ok;
}

static bool budget(struct ev *ev)
{
	if (++ev->steps > MAX_STEPS) {
		if (ev->r == CELLA_OK) {
			ev->r = CELLA_ERR_TOO_LARGE;
			snprintf(ev->err, ATTESTD_ERR_BYTES, "policy evaluation exceeded its work bound (rule at line %d)",
				 ev->rule ? ev->rule->line : 0);
		}
		return false;
	}
	return true;
}

struct andk {
	const struct cond *b;
	kfn k;
	void *karg;
};

static bool eval_cond(struct ev *ev, const struct cond *c, int *env, kfn k, void *karg);

static bool and_k(struct ev *ev, int *env, void *arg)
{
	struct andk *a = arg;
	return eval_cond(ev, a->b, env, a->k, a->karg);
}

static bool probe_k(struct ev *ev, int *env, void *arg)
{
	(void)ev, (void)env;
	*(bool *)arg = true;
	return true;
}

/* Calls k once per binding environment that satisfies c; returns true when evaluation must stop. */
static bool eval_cond(struct ev *ev, const struct cond *c, int *env, kfn k, void *karg)
{
	switch (c->k) {
	case C_AND: {
		struct andk a = {c->b, k, karg};
		return eval_cond(ev, c->a, env, and_k, &a);
	}
	case C_OR:
		if (eval_cond(ev, c->a, env, k, karg))
			return true;
		return eval_cond(ev, c->b, env, k, karg);
	case C_NOT: {
		bool found = false;
		int saved[MAX_IDENTS];
		memcpy(saved, env, sizeof(saved));
		eval_cond(ev, c->a, env, probe_k, &found);
		memcpy(env, saved, sizeof(saved));
		if (ev->r != CELLA_OK)
			return true;
		return found ? false : k(ev, env, karg);
	}
	case C_MATCH: {
		size_t n = ev->in->n;
		for (size_t i = 0; i < n; i++) {
			int old = c->bind >= 0 ? env[c->bind] : -1;
			bool ok = true;
			if (!budget(ev))
				return true;
			if (c->bind >= 0)
				env[c->bind] = (int)i;
			for (int j = 0; j < c->npc && ok; j++)
				ok = pcond_ok(ev, c, &c->pc[j], &ev->in->v[i], env);
			if (ev->r != CELLA_OK || (ok && k(ev, env, karg))) {
				if (c->bind >= 0)
					env[c->bind] = old;
				return true;
			}
			if (c->bind >= 0)
				env[c->bind] = old;
		}
		return false;
	}
	}
	return false;
}

/* valueType="Integer"/"Boolean" converts a string value that is one as a whole; anything else that does not have
 * the type named is an error (a string kept as it was would compare unequal and skip a deny()). */
static bool convert(struct ev *ev, const struct attestd_value *vtype, struct attestd_value *value)
{
	int want = vtype->vt == ATTESTD_V_STRING ? vt_parse(vtype->s) : -1;
	long long n;
	const char *why = NULL;
	if (want < 0)
		why = "valueType must be \"String\", \"Integer\" or \"Boolean\"";
	else if ((int)value->vt == want)
		return true;
	else if (value->vt != ATTESTD_V_STRING)
		why = value->vt == ATTESTD_V_INTEGER ? "the value is an Integer" : "the value is a Boolean";
	else if (want == ATTESTD_V_INTEGER && cella_parse_int(value->s, LLONG_MIN, LLONG_MAX, &n) == 0) {
		free(value->s);
		memset(value, 0, sizeof(*value));
		value->vt = ATTESTD_V_INTEGER;
		value->i = n;
		return true;
	} else if (want == ATTESTD_V_BOOLEAN && (strcmp(value->s, "true") == 0 || strcmp(value->s, "false") == 0)) {
		bool b = strcmp(value->s, "true") == 0;
		free(value->s);
		memset(value, 0, sizeof(*value));
		value->vt = ATTESTD_V_BOOLEAN;
		value->b = b;
		return true;
	} else {
		why = want == ATTESTD_V_INTEGER ? "the value is not a 64-bit integer as a whole"
						: "the value is neither \"true\" nor \"false\"";
	}
	ev->r = CELLA_ERR_BAD_FORMAT;
	snprintf(ev->err, ATTESTD_ERR_BYTES, "rule at line %d: valueType=\"%.20s\": %s", ev->rule->line,
		 vtype->vt == ATTESTD_V_STRING ? vtype->s : "?", why);
	return false;
}

static bool run_action(struct ev *ev, int *env, void *arg)
{
	const struct action *a = arg;
	struct attestd_value type, value, vtype;
	struct attestd_claims *dst[2] = {NULL, NULL};
	cella_result r = CELLA_OK;

	if (++ev->actions > MAX_ACTIONS_PER_RULE) {
		ev->r = CELLA_ERR_TOO_LARGE;
		snprintf(ev->err, ATTESTD_ERR_BYTES, "rule at line %d fires more than %d times", ev->rule->line,
			 MAX_ACTIONS_PER_RULE);
		return true;
	}
	switch (a->k) {
	case A_PERMIT:
		if (ev->verdict == 0)
			ev->verdict = 1;
		return true;
	case A_DENY:
		ev->verdict = 2;
		return true;
	case A_ISSUE:
		dst[0] = ev->in;
		dst[1] = ev->out;
		break;
	case A_ADD:
		dst[0] = ev->in;
		break;
	case A_ISSUEPROPERTY: /* MAA: "adds the claim to the incoming and property claims set" */
		dst[0] = ev->props;
		dst[1] = ev->in;
		break;
	}
	memset(&type, 0, sizeof(type));
	memset(&value, 0, sizeof(value));
	memset(&vtype, 0, sizeof(vtype));
	if (a->claim >= 0) {
		const struct attestd_claim *c;
		if (env[a->claim] < 0)
			return false;
		c = &ev->in->v[env[a->claim]];
		if (!val_str(&type, c->type)) {
			r = CELLA_ERR_OUT_OF_MEMORY;
			goto out;
		}
		value = c->v;
		if (value.vt == ATTESTD_V_STRING && !(value.s = strdup(c->v.s))) {
			r = CELLA_ERR_OUT_OF_MEMORY;
			goto out;
		}
	} else {
		/* an expression without a value (an unbound identifier, JsonToClaimValue of null) makes this binding
		 * issue nothing; a failed function ends the evaluation (ev->r) */
		if (!eval_expr(ev, a->type, env, &type) || !eval_expr(ev, a->value, env, &value))
			goto out;
		if (type.vt != ATTESTD_V_STRING) {
			ev->r = CELLA_ERR_BAD_FORMAT;
			snprintf(ev->err, ATTESTD_ERR_BYTES, "rule at line %d: a claim type must be a string, not %s",
				 ev->rule->line, type_word(type.vt == ATTESTD_V_INTEGER ? 'I' : 'B'));
			goto out;
		}
		if (a->vtype && !eval_expr(ev, a->vtype, env, &vtype))
			goto out;
		if (a->vtype && !convert(ev, &vtype, &value))
			goto out;
	}
	for (int i = 0; i < 2 && r == CELLA_OK; i++)
		if (dst[i])
			r = attestd_claims_add(dst[i], type.s, "AttestationPolicy", &value);
out:
	val_fini(&type);
	val_fini(&value);
	val_fini(&vtype);
	if (r != CELLA_OK) {
		ev->r = r;
		snprintf(ev->err, ATTESTD_ERR_BYTES, "rule at line %d: %s", ev->rule->line, cella_result_str(r));
		return true;
	}
	return ev->r != CELLA_OK;
}

static cella_result evaluate_sections(struct ev *ev)
{
	const struct attestd_policy *p = ev->p;
	for (int s = 0; s < S_COUNT; s++) {
		const struct section *sec = &p->sec[s];
		ev->sec = (enum sec)s;
		for (int i = 0; i < sec->n; i++) {
			int env[MAX_IDENTS];
			for (int j = 0; j < MAX_IDENTS; j++)
				env[j] = -1;
			ev->rule = &sec->rules[i];
			ev->actions = 0;
			if (sec->rules[i].c)
				eval_cond(ev, sec->rules[i].c, env, run_action, (void *)&sec->rules[i].a);
			else
				run_action(ev, env, (void *)&sec->rules[i].a);
			if (ev->r != CELLA_OK)
				return ev->r;
			/* every authorization rule runs, in order; a deny() decides at once (deny overrides) */
			if (s == S_AUTHZ && ev->verdict == 2) {
				snprintf(ev->err, ATTESTD_ERR_BYTES, "denied by the policy's authorization rule at line %d",
					 sec->rules[i].line);
				return CELLA_ERR_POLICY;
			}
		}
		if (s == S_AUTHZ && ev->verdict != 1) {
			snprintf(ev->err, ATTESTD_ERR_BYTES, "no authorization rule of the policy permits this evidence");
			return CELLA_ERR_POLICY;
		}
	}
	return CELLA_OK;
}

cella_result attestd_policy_evaluate(const struct attestd_policy *p, struct attestd_claims *incoming,
				     struct attestd_claims *outgoing, struct attestd_claims *props,
				     char err[ATTESTD_ERR_BYTES])
{
	struct ev ev;
	cella_result r;
	memset(&ev, 0, sizeof(ev));
	ev.p = p;
	ev.in = incoming;
	ev.out = outgoing;
	ev.props = props;
	ev.err = err;
	err[0] = 0;
	r = evaluate_sections(&ev);
	for (int m = 0; m < ev.nmemo; m++) {
		free(ev.memo[m].s);
		json_decref(ev.memo[m].j);
	}
	return r;
}
