// SPDX-License-Identifier: MIT
/*
 * C generator: <name>_t.{c,h} (enclave) and <name>_u.{c,h} (host). docs/edl.md describes the wire format:
 * per call one flat buffer, a fixed header struct (scalars; offset and length of each [in]/[out] buffer; raw
 * addresses only for [user_check]) followed by 16-aligned payloads; the reply is a header (return value, errno)
 * followed by the [out] payloads. The callee recomputes every length and offset from its private copy and
 * refuses any mismatch.
 */
#include "edl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const char edl_support[];

struct gen {
	struct edl_ctx *c;
	const struct edl_gen_opts *g;
	FILE *o;
	bool enclave; /* generating the enclave side */
};

#define P(...) fprintf(G->o, __VA_ARGS__)

static const char *fmt(struct edl_ctx *c, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt(struct edl_ctx *c, const char *f, ...)
{
	va_list ap;
	int n;
	char *s, tmp[1];
	if (!f)
		return "";
	va_start(ap, f);
	n = vsnprintf(tmp, sizeof(tmp), f, ap);
	va_end(ap);
	s = edl_alloc(&c->arena, (size_t)n + 1);
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* ---- types as C text ---- */

static const char *base_text(struct edl_ctx *c, const struct edl_type *t)
{
	switch (t->base) {
	case EDL_STRUCT:
		return fmt(c, "struct %s", t->name);
	case EDL_UNION:
		return fmt(c, "union %s", t->name);
	case EDL_ENUM:
		return fmt(c, "enum %s", t->name);
	case EDL_FOREIGN:
		if (t->def && t->def->kind == EDL_STRUCT)
			return fmt(c, "struct %s", t->name);
		if (t->def && t->def->kind == EDL_UNION)
			return fmt(c, "union %s", t->name);
		return t->name;
	default:
		return edl_base_name(t->base);
	}
}

/* "const char *", "struct P", "int **" */
static const char *type_text(struct edl_ctx *c, const struct edl_type *t, bool with_const, int ptr)
{
	char stars[32] = "";
	int n = ptr < 30 ? ptr : 30;
	for (int i = 0; i < n; i++)
		stars[i] = '*';
	return fmt(c, "%s%s%s%s", with_const && t->is_const ? "const " : "", base_text(c, t), ptr ? " " : "", stars);
}

static const char *expr_text(struct edl_ctx *c, const struct edl_expr *e)
{
	switch (e->kind) {
	case EDL_E_INT:
		return fmt(c, "%llu", (unsigned long long)e->value);
	case EDL_E_ID:
		return e->id;
	case EDL_E_NEG:
		return fmt(c, "(-%s)", expr_text(c, e->l));
	case EDL_E_SIZEOF:
		return fmt(c, "sizeof(%s)", type_text(c, e->type, true, e->type->ptr));
	case EDL_E_BIN:
		return fmt(c, "(%s %c %s)", expr_text(c, e->l), e->op, expr_text(c, e->r));
	}
	return "0";
}

static const char *dims_text(struct edl_ctx *c, const struct edl_decl *d, int from)
{
	const char *s = "";
	for (int i = from; i < d->ndims; i++)
		s = fmt(c, "%s[%s]", s, expr_text(c, d->dims[i]));
	return s;
}

/* A declaration: "char *s", "int a[4][2]", "struct P p" */
static const char *decl_text(struct edl_ctx *c, const struct edl_decl *d)
{
	const char *t = type_text(c, &d->type, true, d->type.ptr);
	return fmt(c, "%s%s%s%s", t, d->type.ptr ? "" : " ", d->name, dims_text(c, d, 0));
}

static const char *params_text(struct edl_ctx *c, const struct edl_func *fn, const char *lead)
{
	const char *s = lead;
	for (size_t i = 0; i < fn->params.n; i++)
		s = fmt(c, "%s%s%s", s, *s ? ", " : "", decl_text(c, fn->params.v[i]));
	return *s ? s : "void";
}

static bool is_void(const struct edl_type *t)
{
	return t->base == EDL_VOID && t->ptr == 0;
}

/* The type of a by-value field in a wire struct (bool travels as uint8_t; top-level const dropped). */
static const char *field_type(struct edl_ctx *c, const struct edl_type *t)
{
	if (t->base == EDL_BOOL && t->ptr == 0)
		return "uint8_t";
	return type_text(c, t, t->ptr > 0, t->ptr);
}

static struct edl_struct *edl_struct_of(const struct edl_type *t)
{
	return t->def && t->def->kind == EDL_STRUCT ? t->def : NULL;
}

/* The EDL struct a buffer parameter's elements are, if any. */
static struct edl_struct *elem_struct(const struct edl_decl *d)
{
	if (d->a.flags & (EDL_A_ISPTR | EDL_A_ISARY))
		return NULL;
	if (d->type.ptr == 1 || (d->type.ptr == 0 && d->ndims))
		return edl_struct_of(&d->type);
	return NULL;
}

static bool elem_is_ldouble(const struct edl_decl *d)
{
	return d->type.base == EDL_LDOUBLE && !(d->a.flags & (EDL_A_ISPTR | EDL_A_ISARY)) &&
	       (d->type.ptr == 1 || (d->type.ptr == 0 && d->ndims));
}

static bool is_deep(const struct edl_decl *d);

static bool elem_is_bool(const struct edl_decl *d)
{
	return d->type.base == EDL_BOOL && !(d->a.flags & (EDL_A_ISPTR | EDL_A_ISARY)) &&
	       (d->type.ptr == 1 || (d->type.ptr == 0 && d->ndims));
}

/* Received bytes that hold bool values (elements of a buffer, members of EDL structs) made 0 or 1. */
static void emit_norm(struct gen *G, const struct edl_decl *d, const char *ptr, const char *len, const char *ind)
{
	struct edl_struct *es = elem_struct(d);
	if (elem_is_bool(d))
		P("%scella_edl_bools(%s, %s);\n", ind, ptr, len);
	else if (es && !is_deep(d))
		P("%scella_edl_norm_n(&cella_edl_d_%s, %s, %s / sizeof(struct %s));\n", ind, es->name, ptr, len, es->name);
}

static bool is_deep(const struct edl_decl *d)
{
	struct edl_struct *s = elem_struct(d);
	return s && s->deep && d->type.ptr == 1;
}

/* sizeof one element, as C text; "1" when unknown (void, isary). */
static const char *esize_text(struct edl_ctx *c, const struct edl_decl *d)
{
	if (d->a.flags & EDL_A_ISARY)
		return "1";
	if (d->a.flags & EDL_A_ISPTR)
		return fmt(c, "sizeof(*(%s)0)", d->type.name);
	if (d->ndims)
		return fmt(c, "sizeof(%s)", type_text(c, &d->type, false, 0));
	if (d->type.base == EDL_VOID && d->type.ptr == 1)
		return "1";
	return fmt(c, "sizeof(%s)", type_text(c, &d->type, false, d->type.ptr - 1));
}

/* The cast that turns a void * into the parameter's own type (for calls). */
static const char *arg_text(struct edl_ctx *c, const struct edl_decl *d, const char *v)
{
	if (d->a.flags & EDL_A_ISARY)
		return fmt(c, "*(%s *)%s", d->type.name, v);
	if (d->a.flags & EDL_A_ISPTR)
		return fmt(c, "(%s)%s", d->type.name, v);
	if (d->ndims == 1)
		return fmt(c, "(%s *)%s", type_text(c, &d->type, true, 0), v);
	if (d->ndims > 1)
		return fmt(c, "(%s (*)%s)%s", type_text(c, &d->type, true, 0), dims_text(c, d, 1), v);
	return fmt(c, "(%s)%s", type_text(c, &d->type, true, d->type.ptr), v);
}

/* ---- size=/count= as checked C expressions ---- */

static const char *len_expr(struct gen *G, const struct edl_expr *e, const char *src)
{
	struct edl_ctx *c = G->c;
	switch (e->kind) {
	case EDL_E_INT:
		return fmt(c, "UINT64_C(%llu)", (unsigned long long)e->value);
	case EDL_E_ID:
		if (e->ref && !e->ref->is_signed_int)
			return fmt(c, "(uint64_t)(%s%s)", src, e->id);
		return fmt(c, "cella_edl_s(&cella_bad, (long long)(%s%s))", e->ref ? src : "", e->id);
	case EDL_E_SIZEOF:
		return fmt(c, "(uint64_t)sizeof(%s)", type_text(c, e->type, true, e->type->ptr));
	case EDL_E_NEG:
		/* lengths are never negative, so the arithmetic is unsigned: a negation survives only where it
		 * cannot be rewritten (--x is x; a + -b and -b + a are a - b, below), and then fails unless 0 */
		if (e->l->kind == EDL_E_NEG)
			return len_expr(G, e->l->l, src);
		return fmt(c, "cella_edl_neg(&cella_bad, %s)", len_expr(G, e->l, src));
	case EDL_E_BIN:
		if (e->op == '+' && e->r->kind == EDL_E_NEG && e->r->l->kind != EDL_E_NEG)
			return fmt(c, "cella_edl_sub(&cella_bad, %s, %s)", len_expr(G, e->l, src),
				   len_expr(G, e->r->l, src));
		if (e->op == '+' && e->l->kind == EDL_E_NEG && e->l->l->kind != EDL_E_NEG)
			return fmt(c, "cella_edl_sub(&cella_bad, %s, %s)", len_expr(G, e->r, src),
				   len_expr(G, e->l->l, src));
		if (e->op == '-' && e->r->kind == EDL_E_NEG)
			return fmt(c, "cella_edl_add(&cella_bad, %s, %s)", len_expr(G, e->l, src),
				   len_expr(G, e->r->l, src));
		return fmt(c, "cella_edl_%s(&cella_bad, %s, %s)",
			   e->op == '*' ? "mul" : e->op == '+' ? "add" : e->op == '-' ? "sub" : "div",
			   len_expr(G, e->l, src), len_expr(G, e->r, src));
	}
	return "0";
}

/* Byte length of a [size=]/[count=] pointer parameter (not a string), as checked C text. */
static const char *param_len(struct gen *G, const struct edl_decl *d, const char *src)
{
	struct edl_ctx *c = G->c;
	const char *es = esize_text(c, d);
	if (d->a.size && d->a.count)
		return fmt(c, "cella_edl_mul(&cella_bad, %s, %s)", len_expr(G, d->a.size, src),
			   len_expr(G, d->a.count, src));
	if (d->a.count)
		return fmt(c, "cella_edl_mul(&cella_bad, %s, (uint64_t)%s)", len_expr(G, d->a.count, src), es);
	if (d->a.size)
		return len_expr(G, d->a.size, src);
	if (d->a.flags & EDL_A_ISARY)
		return fmt(c, "(uint64_t)sizeof(%s)", d->type.name);
	if (d->ndims)
		return fmt(c, "(uint64_t)sizeof(%s%s)", type_text(c, &d->type, false, 0), dims_text(c, d, 0));
	return fmt(c, "(uint64_t)%s", es);
}

static void emit_len(struct gen *G, const struct edl_decl *d, const char *src, const char *ind)
{
	P("%scella_len[%d] = %s;\n", ind, d->index, param_len(G, d, src));
	P("%sif (cella_bad != CELLA_OK) {\n%s\tcella_r = cella_bad;\n%s\tgoto cella_done;\n%s}\n", ind, ind, ind, ind);
}

/* ---- descriptors for EDL structs ---- */

static bool member_is_len(const struct edl_struct *s, const struct edl_decl *x)
{
	for (size_t i = 0; i < s->members.n; i++) {
		const struct edl_decl *d = s->members.v[i];
		if ((d->a.size && d->a.size->ref == x) || (d->a.count && d->a.count->ref == x))
			return true;
	}
	return false;
}

static void emit_len_ref(struct gen *G, const char *st, const struct edl_expr *e)
{
	if (!e) {
		P("0, 0, ");
		return;
	}
	if (e->ref)
		P("sizeof(((%s *)0)->%s), %d, ", st, e->ref->name, e->ref->is_signed_int ? 1 : 0);
	else
		P("0, 0, ");
}

static void emit_descriptors(struct gen *G)
{
	struct edl_ctx *c = G->c;
	if (!c->deep_types.n)
		return;
	P("\n/* EDL struct layouts: which bytes are members (the rest is padding) and which pointers are deep-copied */\n");
	for (size_t i = 0; i < c->deep_types.n; i++) {
		struct edl_struct *s = c->deep_types.v[i];
		P("static const struct cella_edl_sdesc cella_edl_d_%s CELLA_EDL_UNUSED;\n", s->name);
	}
	for (size_t i = 0; i < c->deep_types.n; i++) {
		struct edl_struct *s = c->deep_types.v[i];
		const char *st = fmt(c, "struct %s", s->name);
		P("static const struct cella_edl_member cella_edl_m_%s[] CELLA_EDL_UNUSED = {\n", s->name);
		for (size_t k = 0; k < s->members.n; k++) {
			struct edl_decl *d = s->members.v[k];
			struct edl_struct *sub = edl_struct_of(&d->type);
			const char *kind = "CELLA_EDL_M_PLAIN", *elem = "0", *n = "0";
			if (d->type.ptr && d->a.flags) {
				kind = "CELLA_EDL_M_DEEP";
				elem = d->type.base == EDL_VOID ? "1" : fmt(c, "sizeof(*((%s *)0)->%s)", st, d->name);
				if (d->type.base == EDL_LDOUBLE && d->type.ptr == 1)
					n = "1"; /* elements are long double: their padding is scrubbed */
				if (d->type.base == EDL_BOOL && d->type.ptr == 1)
					n = "2"; /* elements are bool: the receiver makes them 0 or 1 */
			} else if (d->type.ptr) {
				kind = "CELLA_EDL_M_PTR";
				sub = NULL;
			} else if (sub) {
				kind = "CELLA_EDL_M_STRUCT";
				elem = fmt(c, "sizeof(struct %s)", sub->name);
				n = fmt(c, "sizeof(((%s *)0)->%s) / sizeof(struct %s)", st, d->name, sub->name);
			} else if (d->type.base == EDL_BOOL) {
				kind = "CELLA_EDL_M_BOOL";
				elem = "1";
				n = fmt(c, "sizeof(((%s *)0)->%s)", st, d->name);
			} else if (d->type.base == EDL_LDOUBLE) {
				kind = "CELLA_EDL_M_LDOUBLE";
				elem = "sizeof(long double)";
				n = fmt(c, "sizeof(((%s *)0)->%s) / sizeof(long double)", st, d->name);
			}
			P("\t{offsetof(%s, %s), sizeof(((%s *)0)->%s), %s, %s, %s, %d, %d, %d, ", st, d->name, st, d->name,
			  elem, n, kind, d->a.size ? 1 : 0, d->a.count ? 1 : 0, member_is_len(s, d) ? 1 : 0);
			emit_len_ref(G, st, d->a.size);
			emit_len_ref(G, st, d->a.count);
			if (d->a.size && d->a.size->ref)
				P("offsetof(%s, %s), ", st, d->a.size->ref->name);
			else
				P("UINT32_MAX, ");
			if (d->a.count && d->a.count->ref)
				P("offsetof(%s, %s), ", st, d->a.count->ref->name);
			else
				P("UINT32_MAX, ");
			P("%lluu, %lluu, ", d->a.size && !d->a.size->ref ? (unsigned long long)d->a.size->value : 0ull,
			  d->a.count && !d->a.count->ref ? (unsigned long long)d->a.count->value : 0ull);
			if (sub)
				P("&cella_edl_d_%s},\n", sub->name);
			else
				P("NULL},\n");
		}
		P("};\n");
		P("static const struct cella_edl_sdesc cella_edl_d_%s CELLA_EDL_UNUSED = {sizeof(%s), %zu, cella_edl_m_%s};\n",
		  s->name, st, s->members.n, s->name);
	}
}

/* ---- wire structs ---- */

static bool has_in(const struct edl_func *fn)
{
	return fn->params.n > 0;
}

static bool has_out(const struct edl_func *fn)
{
	return !is_void(&fn->ret) || (!fn->trusted && fn->propagate_errno);
}

static void emit_wire(struct gen *G, struct edl_func *fn)
{
	struct edl_ctx *c = G->c;
	if (has_in(fn)) {
		P("struct cella_edl_in_%s {\n", fn->name);
		for (size_t i = 0; i < fn->params.n; i++) {
			struct edl_decl *d = fn->params.v[i];
			if (d->kind == EDL_P_VALUE)
				P("\t%s%s%s;\n", field_type(c, &d->type), d->type.ptr ? "" : " ", d->name);
			else if (d->kind == EDL_P_USER_CHECK)
				P("\tuint64_t cella_addr_%s;\n", d->name);
			else
				P("\tuint64_t cella_off_%s, cella_len_%s;\n", d->name, d->name);
		}
		P("};\n");
	}
	if (has_out(fn)) {
		P("struct cella_edl_out_%s {\n", fn->name);
		if (!is_void(&fn->ret))
			P("\t%s%scella_retval;\n", field_type(c, &fn->ret), fn->ret.ptr ? "" : " ");
		if (!fn->trusted && fn->propagate_errno)
			P("\tint32_t cella_errno;\n");
		P("};\n");
	}
}

/* ---- caller stub: host ecall wrapper / enclave ocall wrapper ---- */

/* Enclave ocall caller with [in, out] deep data: lists, while it sizes the parameters, the regions the copy-back
 * writes, and refuses the call before sending anything if two overlap (see cella_edl_spans). */
static bool lists_spans(const struct gen *G, const struct edl_func *fn)
{
	if (!G->enclave)
		return false;
	for (size_t i = 0; i < fn->params.n; i++) {
		const struct edl_decl *d = fn->params.v[i];
		if (d->kind == EDL_P_BUF && d->out && is_deep(d))
			return true;
	}
	return false;
}

static void emit_caller(struct gen *G, struct edl_func *fn, const char *stub)
{
	struct edl_ctx *c = G->c;
	bool enc = G->enclave, hin = has_in(fn), hout = has_out(fn);
	size_t n = fn->params.n;
	const char *lead = enc ? "" : "struct cella_enclave *cella_e";
	const char *ret = is_void(&fn->ret) ? "" : fmt(c, "%s%s*cella_retval", type_text(c, &fn->ret, true, fn->ret.ptr),
						     fn->ret.ptr ? "" : " ");
	const char *head = *ret ? (*lead ? fmt(c, "%s, %s", lead, ret) : ret) : lead;
	bool spans = lists_spans(G, fn);

	P("\n/* see %s_%s.h */\ncella_result %s(%s)\n{\n", G->g->name, enc ? "t" : "u", stub, params_text(c, fn, head));
	P("\tcella_result cella_r = CELLA_ERR_UNEXPECTED, cella_bad = CELLA_OK;\n");
	if (hin)
		P("\tstruct cella_edl_in_%s cella_h;\n", fn->name);
	if (hout)
		P("\tstruct cella_edl_out_%s cella_o;\n", fn->name);
	if (n)
		P("\tuint64_t cella_len[%zu] = {0}, cella_at[%zu] = {0}, cella_oat[%zu] = {0}, cella_reg[%zu] = {0};\n", n,
		  n, n, n);
	P("\tuint64_t cella_pos = %s, cella_outpos = %s;\n",
	  hin ? fmt(c, "cella_edl_align16(sizeof(struct cella_edl_in_%s))", fn->name) : "0",
	  hout ? fmt(c, "cella_edl_align16(sizeof(struct cella_edl_out_%s))", fn->name) : "0");
	P("\tuint8_t *cella_ib = NULL, *cella_ob = NULL;\n");
	if (enc)
		P("\tuint8_t cella_stack[256] __attribute__((aligned(16)));\n\tuint8_t *cella_buf = NULL;\n"
		  "\tuint64_t cella_total = 0;\n\tsize_t cella_w = 0;\n");
	else
		P("\tstruct cella_call cella_c;\n\tbool cella_prepared = false;\n");
	if (spans)
		P("\tstruct cella_edl_spans cella_sp;\n");
	P("\n\t(void)cella_bad;\n");
	if (spans)
		P("\tcella_edl_spans_init(&cella_sp);\n");
	if (n)
		P("\t(void)cella_len;\n\t(void)cella_at;\n\t(void)cella_oat;\n\t(void)cella_reg;\n");
	if (hin)
		P("\tmemset(&cella_h, 0, sizeof(cella_h));\n");

	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		struct edl_struct *es = elem_struct(d);
		const char *esz = esize_text(c, d);
		if (d->kind == EDL_P_VALUE) {
			if (d->type.base == EDL_BOOL && !d->type.ptr)
				P("\tcella_h.%s = %s ? 1 : 0;\n", d->name, d->name);
			else
				P("\tcella_h.%s = %s;\n", d->name, d->name);
			if (enc && edl_struct_of(&d->type))
				P("\tcella_edl_scrub(&cella_edl_d_%s, (uint8_t *)&cella_h.%s, CELLA_EDL_PTR_PRESENCE, 0);\n",
				  edl_struct_of(&d->type)->name, d->name);
			if (enc && d->type.base == EDL_LDOUBLE && !d->type.ptr)
				P("\tcella_edl_scrub_ld(&cella_h.%s, 1);\n", d->name);
			continue;
		}
		if (d->kind == EDL_P_USER_CHECK) {
			P("\tcella_h.cella_addr_%s = (uint64_t)(uintptr_t)%s;\n", d->name, d->name);
			continue;
		}
		P("\t/* %s: %s%s */\n", d->name, d->in && d->out ? "[in, out]" : d->in ? "[in]" : "[out]",
		  d->string ? " string" : d->wstring ? " wstring" : "");
		P("\tif (%s == NULL) {\n\t\tcella_h.cella_off_%s = CELLA_EDL_NULL;\n\t} else {\n", d->name, d->name);
		if (d->string || d->wstring) {
			if (enc)
				P("\t\tif (!cella_is_within_enclave(%s, 1)) {\n\t\t\tcella_r = CELLA_ERR_INVALID_ARG;\n"
				  "\t\t\tgoto cella_done;\n\t\t}\n",
				  d->name);
			if (d->string)
				P("\t\tcella_len[%zu] = (uint64_t)strlen((const char *)%s) + 1;\n", i, d->name);
			else
				P("\t\tcella_len[%zu] = ((uint64_t)wcslen(%s) + 1) * sizeof(wchar_t);\n", i, d->name);
		} else {
			emit_len(G, d, "", "\t\t");
		}
		if (strcmp(esz, "1"))
			P("\t\tif (cella_len[%zu] %% %s) {\n\t\t\tcella_r = CELLA_ERR_INVALID_ARG;\n\t\t\tgoto cella_done;\n\t\t}\n",
			  i, esz);
		if (enc)
			P("\t\tif (!cella_is_within_enclave(%s, cella_len[%zu])) {\n\t\t\tcella_r = CELLA_ERR_INVALID_ARG;\n"
			  "\t\t\tgoto cella_done;\n\t\t}\n",
			  d->name, i);
		P("\t\tcella_h.cella_len_%s = cella_len[%zu];\n\t\tcella_reg[%zu] = cella_len[%zu];\n", d->name, i, i, i);
		if (spans && d->out)
			P("\t\tcella_edl_span_add(&cella_sp, %s, cella_len[%zu]);\n", d->name, i);
		if (is_deep(d))
			P("\t\tcella_reg[%zu] = cella_edl_align16(cella_len[%zu]);\n"
			  "\t\tcella_r = cella_edl_deep_size(&cella_edl_d_%s, (const uint8_t *)%s, cella_len[%zu] / sizeof(struct %s), &cella_reg[%zu], %s, %s, 0);\n"
			  "\t\tif (cella_r != CELLA_OK)\n\t\t\tgoto cella_done;\n",
			  i, i, es->name, d->name, i, es->name, i, enc ? "cella_is_within_enclave" : "NULL",
			  spans && d->out ? "&cella_sp" : "NULL");
		if (d->in)
			P("\t\tif (!cella_edl_reserve(&cella_pos, cella_reg[%zu], &cella_at[%zu])) {\n"
			  "\t\t\tcella_r = CELLA_ERR_OVERFLOW;\n\t\t\tgoto cella_done;\n\t\t}\n"
			  "\t\tcella_h.cella_off_%s = cella_at[%zu];\n",
			  i, i, d->name, i);
		if (d->out)
			P("\t\tif (!cella_edl_reserve(&cella_outpos, cella_reg[%zu], &cella_oat[%zu])) {\n"
			  "\t\t\tcella_r = CELLA_ERR_OVERFLOW;\n\t\t\tgoto cella_done;\n\t\t}\n",
			  i, i);
		if (d->out && !d->in)
			P("\t\tcella_h.cella_off_%s = cella_oat[%zu];\n", d->name, i);
		P("\t}\n");
	}

	if (spans)
		P("\tcella_r = cella_edl_spans_disjoint(&cella_sp);\n\tif (cella_r != CELLA_OK)\n\t\tgoto cella_done;\n");
	if (enc) {
		P("\tif (__builtin_add_overflow(cella_pos, cella_outpos, &cella_total)) {\n\t\tcella_r = CELLA_ERR_OVERFLOW;\n"
		  "\t\tgoto cella_done;\n\t}\n");
		P("\tcella_buf = cella_total <= sizeof(cella_stack) ? cella_stack : malloc(cella_total);\n");
		P("\tif (!cella_buf) {\n\t\tcella_r = CELLA_ERR_OUT_OF_MEMORY;\n\t\tgoto cella_done;\n\t}\n");
		P("\tcella_ib = cella_buf;\n\tcella_ob = cella_buf + cella_pos;\n");
		for (size_t i = 0; i < n; i++)
			if (is_deep((const struct edl_decl *)fn->params.v[i]) &&
			    ((const struct edl_decl *)fn->params.v[i])->in) {
				/* deep data is written in a second pass over the caller's structs: nothing unwritten may
				 * carry old enclave bytes out */
				P("\tmemset(cella_buf, 0, cella_pos);\n");
				break;
			}
		if (!hin)
			P("\tcella_ib = NULL; /* no input */\n");
	} else {
		P("\tcella_r = cella_call_prepare(cella_e, cella_pos, cella_outpos, &cella_c);\n");
		P("\tif (cella_r != CELLA_OK)\n\t\tgoto cella_done;\n\tcella_prepared = true;\n");
		P("\tcella_ib = cella_c.in;\n");
	}
	if (hin) {
		P("\tmemcpy(cella_ib, &cella_h, sizeof(cella_h));\n");
		if (enc)
			P("\tmemset(cella_ib + sizeof(cella_h), 0, cella_edl_align16(sizeof(cella_h)) - sizeof(cella_h));\n");
	}
	/* On the host, the last [in] buffer (if it needs no deep copy) is streamed by cella_call_invoke_stream: its
	 * region is the last one reserved, so everything before it is written first. */
	size_t stream = n;
	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		if (d->kind == EDL_P_BUF && d->in)
			stream = i;
	}
	if (enc || stream == n || is_deep((const struct edl_decl *)fn->params.v[stream]))
		stream = n;
	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		struct edl_struct *es = elem_struct(d);
		if (d->kind != EDL_P_BUF || !d->in || i == stream)
			continue;
		P("\tif (%s != NULL) {\n", d->name);
		P("\t\tmemcpy(cella_ib + cella_at[%zu], %s, cella_len[%zu]);\n", i, d->name, i);
		if (enc) {
			P("\t\tmemset(cella_ib + cella_at[%zu] + cella_len[%zu], 0, cella_edl_align16(cella_len[%zu]) - cella_len[%zu]);\n",
			  i, i, i, i);
			if (es)
				P("\t\tcella_edl_scrub_n(&cella_edl_d_%s, cella_ib + cella_at[%zu], cella_len[%zu] / sizeof(struct %s), CELLA_EDL_PTR_PRESENCE);\n",
				  es->name, i, i, es->name);
			if (elem_is_ldouble(d))
				P("\t\tcella_edl_scrub_ld(cella_ib + cella_at[%zu], cella_len[%zu] / sizeof(long double));\n", i,
				  i);
		}
		if (is_deep(d)) {
			P("\t\t{\n\t\t\tuint64_t cella_rel = cella_edl_align16(cella_len[%zu]);\n", i);
			P("\t\t\tcella_r = cella_edl_deep_write(&cella_edl_d_%s, (const uint8_t *)%s, cella_len[%zu] / sizeof(struct %s), cella_ib + cella_at[%zu], cella_reg[%zu], &cella_rel, %d, 0);\n",
			  es->name, d->name, i, es->name, i, i, enc ? 1 : 0);
			P("\t\t\tif (cella_r == CELLA_OK && cella_rel != cella_reg[%zu])\n"
			  "\t\t\t\tcella_r = CELLA_ERR_INVALID_ARG; /* the structs changed between the two passes */\n",
			  i);
			P("\t\t\tif (cella_r != CELLA_OK)\n\t\t\t\tgoto cella_done;\n\t\t}\n");
		}
		P("\t}\n");
	}
	if (enc) {
		P("\tcella_r = cella_ocall(%d, cella_ib, cella_pos, cella_ob, cella_outpos, &cella_w);\n", fn->id);
		P("\tif (cella_r != CELLA_OK)\n\t\tgoto cella_done;\n");
		P("\tif (cella_w != cella_outpos) {\n\t\tcella_r = CELLA_ERR_MARSHAL;\n\t\tgoto cella_done;\n\t}\n");
		bool reply = hout; /* anything to read back: a return value, errno or an [out] buffer */
		for (size_t i = 0; i < n; i++) {
			const struct edl_decl *d = fn->params.v[i];
			reply |= d->kind == EDL_P_BUF && d->out;
		}
		if (reply)
			P("\t__builtin_ia32_lfence(); /* the reply is read only past the check above */\n");
	} else {
		if (stream < n) {
			const struct edl_decl *sd = fn->params.v[stream];
			P("\tcella_r = %s != NULL ? cella_call_invoke_stream(&cella_c, %d, cella_at[%zu], %s, cella_len[%zu])\n"
			  "\t\t\t\t : cella_call_invoke(&cella_c, %d);\n",
			  sd->name, fn->id, stream, sd->name, stream, fn->id);
		} else
			P("\tcella_r = cella_call_invoke(&cella_c, %d);\n", fn->id);
		P("\tif (cella_r != CELLA_OK)\n\t\tgoto cella_done;\n");
		P("\tif (cella_c.out_written != cella_outpos) {\n\t\tcella_r = CELLA_ERR_MARSHAL;\n\t\tgoto cella_done;\n\t}\n");
		P("\tcella_ob = (uint8_t *)(uintptr_t)cella_c.out;\n");
	}
	if (hout) {
		P("\tmemcpy(&cella_o, cella_ob, sizeof(cella_o));\n");
		if (enc && fn->ret.ptr) {
			/* host memory the enclave may touch, as [user_check]: the whole pointee, or one byte where it
			 * is void or a type from an included header (possibly incomplete) */
			const struct edl_type *t = &fn->ret;
			bool opaque = t->ptr == 1 && (t->base == EDL_VOID || (!t->def && (t->base == EDL_STRUCT ||
										  t->base == EDL_UNION ||
										  t->base == EDL_FOREIGN)));
			const char *len = opaque ? "1" : "sizeof(*cella_o.cella_retval)";
			P("\tif (cella_o.cella_retval != NULL && (!cella_is_outside_enclave((const void *)cella_o.cella_retval, %s) ||"
			  " !cella_is_within_window((const void *)cella_o.cella_retval, %s))) {\n"
			  "\t\tcella_r = CELLA_ERR_HOST_POINTER;\n\t\tgoto cella_done;\n\t}\n"
			  "\t__builtin_ia32_lfence(); /* the pointer reaches the caller only past the check above */\n",
			  len, len);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		struct edl_struct *es = elem_struct(d);
		if (d->kind != EDL_P_BUF || !d->out)
			continue;
		P("\tif (%s != NULL) {\n", d->name);
		if (is_deep(d)) {
			P("\t\tuint64_t cella_rel = cella_edl_align16(cella_len[%zu]);\n", i);
			P("\t\tcella_r = cella_edl_deep_back(&cella_edl_d_%s, (uint8_t *)%s, cella_len[%zu] / sizeof(struct %s), cella_ob + cella_oat[%zu], cella_reg[%zu], 0, &cella_rel, 0);\n",
			  es->name, d->name, i, es->name, i, i);
			P("\t\tif (cella_r != CELLA_OK)\n\t\t\tgoto cella_done;\n");
		} else {
			P("\t\tmemcpy(%s, cella_ob + cella_oat[%zu], cella_len[%zu]);\n", d->name, i, i);
			emit_norm(G, d, fmt(c, "(void *)%s", d->name), fmt(c, "cella_len[%zu]", i), "\t\t");
		}
		if (d->string)
			P("\t\tif (memchr(%s, 0, cella_len[%zu]) == NULL) {\n\t\t\t%s[cella_len[%zu] - 1] = 0;\n"
			  "\t\t\tcella_r = CELLA_ERR_BAD_STRING;\n\t\t\tgoto cella_done;\n\t\t}\n",
			  d->name, i, d->name, i);
		if (d->wstring)
			P("\t\tif (wmemchr(%s, 0, cella_len[%zu] / sizeof(wchar_t)) == NULL) {\n"
			  "\t\t\t%s[cella_len[%zu] / sizeof(wchar_t) - 1] = 0;\n"
			  "\t\t\tcella_r = CELLA_ERR_BAD_STRING;\n\t\t\tgoto cella_done;\n\t\t}\n",
			  d->name, i, d->name, i);
		P("\t}\n");
	}
	if (hout) {
		if (!is_void(&fn->ret) && !fn->ret.ptr && edl_struct_of(&fn->ret))
			P("\tcella_edl_norm(&cella_edl_d_%s, (uint8_t *)&cella_o.cella_retval, 0);\n",
			  edl_struct_of(&fn->ret)->name);
		if (!is_void(&fn->ret)) {
			P("\tif (cella_retval)\n");
			if (fn->ret.base == EDL_BOOL && !fn->ret.ptr)
				P("\t\t*cella_retval = cella_o.cella_retval != 0;\n");
			else
				P("\t\t*cella_retval = cella_o.cella_retval;\n");
		}
		if (enc && fn->propagate_errno)
			P("\terrno = cella_o.cella_errno;\n");
	}
	P("\tcella_r = CELLA_OK;\ncella_done:\n");
	if (spans)
		P("\tcella_edl_spans_fini(&cella_sp);\n");
	if (enc)
		P("\tif (cella_buf && cella_buf != cella_stack)\n\t\tfree(cella_buf);\n");
	else
		P("\tif (cella_prepared)\n\t\tcella_call_release(&cella_c);\n");
	P("\t(void)cella_ib;\n\t(void)cella_ob;\n\treturn cella_r;\n}\n");
}

/* ---- callee stub: enclave ecall handler / host ocall handler ---- */

static void emit_callee(struct gen *G, struct edl_func *fn)
{
	struct edl_ctx *c = G->c;
	bool enc = G->enclave, hin = has_in(fn), hout = has_out(fn);
	size_t n = fn->params.n;
	const char *call;

	if (enc)
		P("\nstatic cella_result cella_edl_ecall_%s(const uint8_t *cella_in, size_t cella_in_bytes, uint8_t *cella_out,\n"
		  "\t\t\t\t\tsize_t cella_out_bytes, size_t *cella_written)\n{\n",
		  fn->name);
	else
		P("\nstatic cella_result cella_edl_ocall_%s(struct cella_enclave *cella_e, const uint8_t *cella_win_in,\n"
		  "\t\t\t\t\tsize_t cella_in_bytes, uint8_t *cella_win_out, size_t cella_out_bytes,\n"
		  "\t\t\t\t\tsize_t *cella_written)\n{\n",
		  fn->name);
	P("\tcella_result cella_r = CELLA_ERR_MARSHAL, cella_bad = CELLA_OK;\n");
	if (hin)
		P("\tstruct cella_edl_in_%s cella_h;\n", fn->name);
	if (hout)
		P("\tstruct cella_edl_out_%s cella_o;\n", fn->name);
	if (n)
		P("\tuint64_t cella_len[%zu] = {0}, cella_at[%zu] = {0}, cella_oat[%zu] = {0}, cella_reg[%zu] = {0};\n"
		  "\tvoid *cella_p[%zu] = {0};\n",
		  n, n, n, n, n);
	P("\tuint64_t cella_pos = %s, cella_outpos = %s;\n",
	  hin ? fmt(c, "cella_edl_align16(sizeof(struct cella_edl_in_%s))", fn->name) : "0",
	  hout ? fmt(c, "cella_edl_align16(sizeof(struct cella_edl_out_%s))", fn->name) : "0");
	if (!is_void(&fn->ret)) {
		struct edl_type rt = fn->ret;
		if (!rt.ptr)
			rt.is_const = false;
		P("\t%s%scella_ret;\n", type_text(c, &rt, true, rt.ptr), rt.ptr ? "" : " ");
	}
	if (enc) {
		P("\tuint8_t *cella_inw = (uint8_t *)(uintptr_t)cella_in; /* the runtime's private copy of the input */\n");
	} else {
		P("\tuint8_t *cella_inw = NULL, *cella_out = NULL;\n\tconst uint8_t *cella_in;\n");
	}
	P("\n\t(void)cella_bad;\n\t(void)cella_inw;\n\t(void)cella_out;\n");
	if (n)
		P("\t(void)cella_len;\n\t(void)cella_at;\n\t(void)cella_oat;\n\t(void)cella_reg;\n\t(void)cella_p;\n");
	if (!enc) {
		P("\t(void)cella_e;\n");
		/* the single fetch: everything below reads the private copy only */
		P("\tcella_inw = malloc(cella_in_bytes ? cella_in_bytes : 1);\n");
		P("\tif (!cella_inw) {\n\t\tcella_r = CELLA_ERR_OUT_OF_MEMORY;\n\t\tgoto cella_done;\n\t}\n");
		P("\tmemcpy(cella_inw, cella_win_in, cella_in_bytes);\n\tcella_in = cella_inw;\n\t(void)cella_in;\n");
	}
	if (hin) {
		P("\tif (cella_in_bytes < sizeof(cella_h))\n\t\tgoto cella_done;\n");
		if (enc)
			P("\t__builtin_ia32_lfence(); /* no speculative read past the check above */\n");
		P("\tmemcpy(&cella_h, cella_in, sizeof(cella_h));\n");
	} else {
		P("\tif (cella_in_bytes != 0)\n\t\tgoto cella_done;\n");
	}
	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		struct edl_struct *es = elem_struct(d);
		const char *esz = esize_text(c, d);
		if (d->kind == EDL_P_VALUE)
			continue;
		if (d->kind == EDL_P_USER_CHECK) {
			P("\tcella_p[%zu] = (void *)(uintptr_t)cella_h.cella_addr_%s;\n", i, d->name);
			if (enc) {
				/* a host address: wholly outside the enclave, and on the sandbox inside the window */
				if (d->a.size || d->a.count)
					emit_len(G, d, "cella_h.", "\t");
				else if (d->a.flags & EDL_A_ISPTR)
					P("\tcella_len[%zu] = 1; /* the pointee may be an incomplete type */\n", i);
				else
					P("\tcella_len[%zu] = %s;\n", i, param_len(G, d, "cella_h."));
				P("\tif (cella_p[%zu] != NULL && (!cella_is_outside_enclave(cella_p[%zu], cella_len[%zu]) ||\n"
				  "\t\t\t\t!cella_is_within_window(cella_p[%zu], cella_len[%zu]))) {\n"
				  "\t\tcella_r = CELLA_ERR_HOST_POINTER;\n\t\tgoto cella_done;\n\t}\n",
				  i, i, i, i, i);
			}
			continue;
		}
		P("\t/* %s */\n", d->name);
		if (d->string || d->wstring)
			P("\tcella_len[%zu] = cella_h.cella_len_%s;\n", i, d->name);
		else
			emit_len(G, d, "cella_h.", "\t");
		if (strcmp(esz, "1"))
			P("\tif (cella_len[%zu] %% %s)\n\t\tgoto cella_done;\n", i, esz);
		P("\tif (cella_h.cella_off_%s == CELLA_EDL_NULL) {\n", d->name);
		P("\t\tif (cella_h.cella_len_%s != 0)\n\t\t\tgoto cella_done;\n\t} else {\n", d->name);
		P("\t\tif (cella_h.cella_len_%s != cella_len[%zu])\n\t\t\tgoto cella_done;\n", d->name, i);
		P("\t\tcella_reg[%zu] = cella_len[%zu];\n", i, i);
		if (d->in) {
			P("\t\tif (cella_h.cella_off_%s != cella_pos || !cella_edl_fits(cella_pos, cella_len[%zu], cella_in_bytes))\n"
			  "\t\t\tgoto cella_done;\n",
			  d->name, i);
			/* the checks below read the payload: not before its range is known to be good */
			if (enc && (d->string || d->wstring || is_deep(d)))
				P("\t\t__builtin_ia32_lfence(); /* no speculative read past the check above */\n");
			if (d->string)
				P("\t\tif (!cella_edl_str_ok(cella_in + cella_pos, cella_len[%zu])) {\n"
				  "\t\t\tcella_r = CELLA_ERR_BAD_STRING;\n\t\t\tgoto cella_done;\n\t\t}\n",
				  i);
			if (d->wstring)
				P("\t\tif (!cella_edl_wstr_ok(cella_in + cella_pos, cella_len[%zu])) {\n"
				  "\t\t\tcella_r = CELLA_ERR_BAD_STRING;\n\t\t\tgoto cella_done;\n\t\t}\n",
				  i);
			if (is_deep(d)) {
				P("\t\tcella_reg[%zu] = cella_edl_align16(cella_len[%zu]);\n", i, i);
				P("\t\tcella_r = cella_edl_deep_in(&cella_edl_d_%s, 0, cella_len[%zu] / sizeof(struct %s), cella_inw + cella_pos, cella_in_bytes - cella_pos, NULL, &cella_reg[%zu], 0, 0);\n",
				  es->name, i, es->name, i);
				P("\t\tif (cella_r != CELLA_OK)\n\t\t\tgoto cella_done;\n\t\tcella_r = CELLA_ERR_MARSHAL;\n");
			}
			P("\t\tif (!cella_edl_reserve(&cella_pos, cella_reg[%zu], &cella_at[%zu]))\n\t\t\tgoto cella_done;\n", i,
			  i);
		}
		if (d->out && !d->in)
			P("\t\tif (cella_h.cella_off_%s != cella_outpos)\n\t\t\tgoto cella_done;\n", d->name);
		if (d->out)
			P("\t\tif (!cella_edl_reserve(&cella_outpos, cella_reg[%zu], &cella_oat[%zu]) ||\n"
			  "\t\t    !cella_edl_fits(cella_oat[%zu], cella_reg[%zu], cella_out_bytes))\n\t\t\tgoto cella_done;\n",
			  i, i, i, i);
		P("\t}\n");
	}
	P("\tif (cella_pos != cella_in_bytes || cella_outpos != cella_out_bytes)\n\t\tgoto cella_done;\n");
	if (enc)
		P("\t__builtin_ia32_lfence(); /* no speculation past the checks above */\n");
	else
		P("\tcella_out = calloc(cella_out_bytes ? cella_out_bytes : 1, 1);\n"
		  "\tif (!cella_out) {\n\t\tcella_r = CELLA_ERR_OUT_OF_MEMORY;\n\t\tgoto cella_done;\n\t}\n");
	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		struct edl_struct *es = elem_struct(d);
		if (d->kind != EDL_P_BUF)
			continue;
		P("\tif (cella_h.cella_off_%s != CELLA_EDL_NULL) {\n", d->name);
		if (d->in && !d->out) {
			P("\t\tcella_p[%zu] = cella_inw + cella_at[%zu];\n", i, i);
		} else if (d->out && !d->in) {
			P("\t\tcella_p[%zu] = cella_out + cella_oat[%zu];\n", i, i);
		} else {
			P("\t\tmemcpy(cella_out + cella_oat[%zu], cella_in + cella_at[%zu], cella_len[%zu]);\n", i, i, i);
			P("\t\tcella_p[%zu] = cella_out + cella_oat[%zu];\n", i, i);
		}
		if (d->in)
			emit_norm(G, d, fmt(c, "cella_p[%zu]", i), fmt(c, "cella_len[%zu]", i), "\t\t");
		if (is_deep(d)) {
			P("\t\tuint64_t cella_rel = cella_edl_align16(cella_len[%zu]);\n", i);
			P("\t\tcella_r = cella_edl_deep_in(&cella_edl_d_%s, 0, cella_len[%zu] / sizeof(struct %s), cella_inw + cella_at[%zu], cella_reg[%zu], %s, &cella_rel, %d, 0);\n",
			  es->name, i, es->name, i, i, d->out ? fmt(c, "cella_out + cella_oat[%zu]", i) : "NULL",
			  d->out ? 2 : 1);
			P("\t\tif (cella_r != CELLA_OK)\n\t\t\tgoto cella_done;\n");
		}
		P("\t}\n");
	}

	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		if (d->kind == EDL_P_VALUE && !d->type.ptr && edl_struct_of(&d->type))
			P("\tcella_edl_norm(&cella_edl_d_%s, (uint8_t *)&cella_h.%s, 0);\n", edl_struct_of(&d->type)->name,
			  d->name);
	}
	call = "";
	for (size_t i = 0; i < n; i++) {
		struct edl_decl *d = fn->params.v[i];
		const char *a;
		if (d->kind == EDL_P_VALUE)
			a = d->type.base == EDL_BOOL && !d->type.ptr ? fmt(c, "cella_h.%s != 0", d->name)
								     : fmt(c, "cella_h.%s", d->name);
		else
			a = arg_text(c, d, fmt(c, "cella_p[%zu]", i));
		call = fmt(c, "%s%s%s", call, i ? ", " : "", a);
	}
	if (!enc && fn->propagate_errno)
		P("\terrno = 0;\n");
	if (!enc)
		P("\t{\n\t\tstruct cella_enclave *cella_saved = cella_edl_current;\n\t\tcella_edl_current = cella_e;\n\t");
	P("\t%s%s(%s);\n", is_void(&fn->ret) ? "" : "cella_ret = ", fn->name, call);
	if (!enc)
		P("\t\tcella_edl_current = cella_saved;\n\t}\n");
	if (enc) {
		/* what goes back to the host carries no padding, stale long double bytes or enclave addresses */
		for (size_t i = 0; i < n; i++) {
			struct edl_decl *d = fn->params.v[i];
			struct edl_struct *es = elem_struct(d);
			if (d->kind != EDL_P_BUF || !d->out)
				continue;
			if (is_deep(d)) {
				P("\tif (cella_h.cella_off_%s != CELLA_EDL_NULL) {\n", d->name);
				P("\t\tuint64_t cella_rel = cella_edl_align16(cella_len[%zu]);\n", i);
				P("\t\tcella_edl_deep_fix(&cella_edl_d_%s, 0, cella_len[%zu] / sizeof(struct %s), cella_in + cella_at[%zu], cella_out + cella_oat[%zu], &cella_rel, 0);\n\t}\n",
				  es->name, i, es->name, i, i);
			} else if (es) {
				P("\tif (cella_h.cella_off_%s != CELLA_EDL_NULL)\n", d->name);
				P("\t\tcella_edl_scrub_n(&cella_edl_d_%s, cella_out + cella_oat[%zu], cella_len[%zu] / sizeof(struct %s), CELLA_EDL_PTR_ZERO);\n",
				  es->name, i, i, es->name);
			} else if (elem_is_ldouble(d)) {
				P("\tif (cella_h.cella_off_%s != CELLA_EDL_NULL)\n", d->name);
				P("\t\tcella_edl_scrub_ld(cella_out + cella_oat[%zu], cella_len[%zu] / sizeof(long double));\n", i,
				  i);
			}
		}
	}
	if (hout) {
		P("\tmemset(&cella_o, 0, sizeof(cella_o));\n");
		if (!is_void(&fn->ret)) {
			if (fn->ret.base == EDL_BOOL && !fn->ret.ptr)
				P("\tcella_o.cella_retval = cella_ret ? 1 : 0;\n");
			else
				P("\tcella_o.cella_retval = cella_ret;\n");
			if (enc && edl_struct_of(&fn->ret) && !fn->ret.ptr)
				P("\tcella_edl_scrub(&cella_edl_d_%s, (uint8_t *)&cella_o.cella_retval, CELLA_EDL_PTR_ZERO, 0);\n",
				  edl_struct_of(&fn->ret)->name);
			if (enc && fn->ret.base == EDL_LDOUBLE && !fn->ret.ptr)
				P("\tcella_edl_scrub_ld(&cella_o.cella_retval, 1);\n");
		}
		if (!enc && fn->propagate_errno)
			P("\tcella_o.cella_errno = errno;\n");
		P("\tmemcpy(cella_out, &cella_o, sizeof(cella_o));\n");
	}
	if (!enc)
		P("\tmemcpy(cella_win_out, cella_out, cella_out_bytes);\n");
	P("\t*cella_written = cella_out_bytes;\n\tcella_r = CELLA_OK;\ncella_done:\n");
	if (!enc)
		P("\tfree(cella_inw);\n\tfree(cella_out);\n");
	P("\treturn cella_r;\n}\n");
}

/* ---- headers ---- */

static const char *upper(struct edl_ctx *c, const char *s)
{
	char *u = edl_strdup(&c->arena, s);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

static void emit_types(struct gen *G)
{
	struct edl_ctx *c = G->c;
	struct edl_file *f = c->top;
	for (size_t i = 0; i < f->types.n; i++) {
		struct edl_struct *s = f->types.v[i];
		if (s->kind == EDL_ENUM) {
			if (s->name)
				P("\ntypedef enum %s {\n", s->name);
			else
				P("\nenum {\n");
			for (size_t k = 0; k < s->enumerators.n; k++) {
				struct edl_enumerator *en = s->enumerators.v[k];
				if (en->value)
					P("\t%s = %s,\n", en->name, expr_text(c, en->value));
				else
					P("\t%s,\n", en->name);
			}
			if (s->name)
				P("} %s;\n", s->name);
			else
				P("};\n");
			continue;
		}
		P("\ntypedef %s %s {\n", s->kind == EDL_STRUCT ? "struct" : "union", s->name);
		for (size_t k = 0; k < s->members.n; k++) {
			struct edl_decl *d = s->members.v[k];
			P("\t%s;", decl_text(c, d));
			if (d->a.size || d->a.count)
				P(" /* deep copy: %s%s%s%s%s */", d->a.size ? "size=" : "", d->a.size ? expr_text(c, d->a.size) : "",
				  d->a.size && d->a.count ? ", " : "", d->a.count ? "count=" : "",
				  d->a.count ? expr_text(c, d->a.count) : "");
			P("\n");
		}
		P("} %s;\n", s->name);
	}
}

static void emit_header_top(struct gen *G, const char *side)
{
	struct edl_ctx *c = G->c;
	const char *guard = upper(c, fmt(c, "%s_%s_H", G->g->name, side));
	P("/* Generated by cella-edger8r from %s; do not edit. */\n", c->top->path);
	P("#ifndef %s\n#define %s\n\n", guard, guard);
	P("#include <cella/%s.h>\n", G->enclave ? "enclave" : "host");
	P("#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <sys/types.h>\n#include <wchar.h>\n");
	for (size_t i = 0; i < c->top->includes.n; i++)
		P("#include %s\n", ((struct edl_include *)c->top->includes.v[i])->text);
	P("\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
	emit_types(G);
	if (c->ecalls.n) {
		P("\n/* ecall ids (the enclave's cella_ecall_table) */\nenum {\n");
		for (size_t i = 0; i < c->ecalls.n; i++)
			P("\t%s_ecall_id_%s = %zu,\n", G->g->name, ((struct edl_func *)c->ecalls.v[i])->name, i);
		P("};\n");
	}
	if (c->ocalls.n) {
		P("\n/* ocall ids (the host's ocall table) */\nenum {\n");
		for (size_t i = 0; i < c->ocalls.n; i++)
			P("\t%s_ocall_id_%s = %zu,\n", G->g->name, ((struct edl_func *)c->ocalls.v[i])->name, i);
		P("};\n");
	}
}

static void emit_header_end(struct gen *G)
{
	P("\n#ifdef __cplusplus\n}\n#endif\n#endif\n");
}

static const char *user_proto(struct gen *G, struct edl_func *fn)
{
	struct edl_ctx *c = G->c;
	return fmt(c, "%s%s%s(%s)", type_text(c, &fn->ret, true, fn->ret.ptr), fn->ret.ptr ? "" : " ", fn->name,
		   params_text(c, fn, ""));
}

static const char *host_stub_name(struct gen *G, struct edl_func *fn)
{
	return G->g->use_prefix ? fmt(G->c, "%s_%s", G->g->name, fn->name) : fn->name;
}

static const char *caller_proto(struct gen *G, struct edl_func *fn, const char *name, bool host)
{
	struct edl_ctx *c = G->c;
	const char *lead = host ? "struct cella_enclave *cella_e" : "";
	const char *ret = is_void(&fn->ret) ? "" : fmt(c, "%s%s*cella_retval", type_text(c, &fn->ret, true, fn->ret.ptr),
						     fn->ret.ptr ? "" : " ");
	const char *head = *ret ? (*lead ? fmt(c, "%s, %s", lead, ret) : ret) : lead;
	return fmt(c, "cella_result %s(%s)", name, params_text(c, fn, head));
}

static void emit_t_h(struct gen *G)
{
	struct edl_ctx *c = G->c;
	emit_header_top(G, "t");
	P("\n/* Ecalls: implemented by the enclave. Pointer parameters point to enclave copies. */\n");
	for (size_t i = 0; i < c->ecalls.n; i++)
		P("%s;\n", user_proto(G, c->ecalls.v[i]));
	P("\n/*\n * Ocalls: call the host. The return value is the call's status (CELLA_OK, or the error that stopped it);\n"
	  " * the function's own return value goes to *cella_retval (may be NULL). The host chooses every value and\n"
	  " * every [out] byte it returns: validate them.\n */\n");
	for (size_t i = 0; i < c->ocalls.n; i++) {
		struct edl_func *fn = c->ocalls.v[i];
		P("CELLA_MUST_USE %s;\n", caller_proto(G, fn, fn->name, false));
	}
	emit_header_end(G);
}

static void emit_u_h(struct gen *G)
{
	struct edl_ctx *c = G->c;
	const char *n = G->g->name;
	emit_header_top(G, "u");
	P("\n/*\n * Ecalls: call into the enclave. The return value is the call's status; the function's own return value\n"
	  " * goes to *cella_retval (may be NULL), written only on CELLA_OK.\n */\n");
	for (size_t i = 0; i < c->ecalls.n; i++) {
		struct edl_func *fn = c->ecalls.v[i];
		P("CELLA_MUST_USE %s;\n", caller_proto(G, fn, host_stub_name(G, fn), true));
	}
	P("\n/* Ocalls: implemented by the host application. Pointer parameters point to private host copies. */\n");
	for (size_t i = 0; i < c->ocalls.n; i++)
		P("%s;\n", user_proto(G, c->ocalls.v[i]));
	P("\n/* Inside an ocall implementation: the enclave that made the ocall (for nested ecalls); else NULL. */\n");
	P("struct cella_enclave *%s_ocall_enclave(void);\n", n);
	P("\n/* The ocall table for struct cella_enclave_settings (ids are %s_ocall_id_*). */\n", n);
	P("extern const cella_ocall_fn %s_ocall_table[];\nextern const uint32_t %s_ocall_count;\n", n, n);
	P("static inline void %s_set_ocalls(struct cella_enclave_settings *s)\n{\n"
	  "\ts->ocall_table = %s_ocall_table;\n\ts->ocall_count = %s_ocall_count;\n}\n",
	  n, n, n);
	emit_header_end(G);
}

/*
 * An [isptr] type is a typedef from an included header, which the checks cannot see: if it points to an EDL
 * struct with size=/count= members, the struct would be copied as bytes, its member pointers raw. The generated
 * code then refuses to compile. ([isary] cannot reach one: an array typedef needs the struct complete, and the
 * EDL's structs are defined after the included headers.)
 */
static void emit_typedef_asserts(struct gen *G)
{
	struct edl_ctx *c = G->c;
	for (size_t i = 0; i < c->ecalls.n + c->ocalls.n; i++) {
		const struct edl_func *fn = i < c->ecalls.n ? c->ecalls.v[i] : c->ocalls.v[i - c->ecalls.n];
		for (size_t k = 0; k < fn->params.n; k++) {
			const struct edl_decl *d = fn->params.v[k];
			if (!(d->a.flags & EDL_A_ISPTR) || d->kind != EDL_P_BUF)
				continue; /* [user_check] crosses as a raw address by design */
			for (size_t j = 0; j < c->deep_types.n; j++) {
				const struct edl_struct *s = c->deep_types.v[j];
				if (!s->deep)
					continue;
				P("_Static_assert(!_Generic((%s)0, struct %s *: 1, const struct %s *: 1, default: 0),\n"
				  "\t       \"[isptr] parameter %s of %s points to struct %s, which has size=/count= pointer "
				  "members: pass a struct %s pointer with count= instead\");\n",
				  d->type.name, s->name, s->name, d->name, fn->name, s->name, s->name);
			}
		}
	}
}

static void emit_c_top(struct gen *G, const char *side)
{
	struct edl_ctx *c = G->c;
	P("/* Generated by cella-edger8r from %s; do not edit. */\n", c->top->path);
	P("#include \"%s_%s.h\"\n\n", G->g->name, side);
	P("#include <errno.h>\n#include <stdlib.h>\n#include <string.h>\n#include <wchar.h>\n\n");
	P("%s", edl_support);
	emit_descriptors(G);
	emit_typedef_asserts(G);
	P("\n/* Wire headers: the fixed start of each call's input and reply buffers */\n");
	for (size_t i = 0; i < c->ecalls.n; i++)
		emit_wire(G, c->ecalls.v[i]);
	for (size_t i = 0; i < c->ocalls.n; i++)
		emit_wire(G, c->ocalls.v[i]);
}

static void emit_t_c(struct gen *G)
{
	struct edl_ctx *c = G->c;
	bool any_allow = false;
	emit_c_top(G, "t");
	for (size_t i = 0; i < c->ecalls.n; i++)
		emit_callee(G, c->ecalls.v[i]);
	P("\nconst struct cella_ecall_entry cella_ecall_table[] = {\n");
	for (size_t i = 0; i < c->ecalls.n; i++) {
		struct edl_func *fn = c->ecalls.v[i];
		P("\t{cella_edl_ecall_%s, %s},\n", fn->name, fn->is_public ? "CELLA_ECALL_PUBLIC" : "0");
	}
	if (!c->ecalls.n)
		P("\t{NULL, 0},\n");
	P("};\nconst uint32_t cella_ecall_count = %zu;\n", c->ecalls.n);
	for (size_t i = 0; i < c->ocalls.n; i++)
		any_allow |= ((struct edl_func *)c->ocalls.v[i])->allow.n > 0;
	P("\n/* The allow lists: which ecalls may run nested inside which ocall. */\n");
	P("bool cella_ecall_allowed(uint32_t ocall, uint32_t ecall)\n{\n");
	if (any_allow) {
		P("\tswitch (ocall) {\n");
		for (size_t i = 0; i < c->ocalls.n; i++) {
			struct edl_func *o = c->ocalls.v[i];
			if (!o->allow.n)
				continue;
			P("\tcase %d:\n\t\treturn ", o->id);
			for (size_t k = 0; k < o->allow.n; k++)
				for (size_t j = 0; j < c->ecalls.n; j++) {
					struct edl_func *e = c->ecalls.v[j];
					if (!strcmp(e->name, o->allow.v[k]))
						P("%secall == %d", k ? " || " : "", e->id);
				}
			P(";\n");
		}
		P("\tdefault:\n\t\treturn false;\n\t}\n}\n");
	} else {
		P("\t(void)ocall;\n\t(void)ecall;\n\treturn false;\n}\n");
	}
	for (size_t i = 0; i < c->ocalls.n; i++) {
		struct edl_func *fn = c->ocalls.v[i];
		emit_caller(G, fn, fn->name);
	}
}

static void emit_u_c(struct gen *G)
{
	struct edl_ctx *c = G->c;
	const char *n = G->g->name;
	emit_c_top(G, "u");
	P("\n/* The enclave whose ocall this thread is serving (nested ocalls restore the outer one). */\n");
	P("static __thread struct cella_enclave *cella_edl_current;\n\n");
	P("struct cella_enclave *%s_ocall_enclave(void)\n{\n\treturn cella_edl_current;\n}\n", n);
	for (size_t i = 0; i < c->ecalls.n; i++) {
		struct edl_func *fn = c->ecalls.v[i];
		emit_caller(G, fn, host_stub_name(G, fn));
	}
	for (size_t i = 0; i < c->ocalls.n; i++)
		emit_callee(G, c->ocalls.v[i]);
	P("\nconst cella_ocall_fn %s_ocall_table[] = {\n", n);
	for (size_t i = 0; i < c->ocalls.n; i++)
		P("\tcella_edl_ocall_%s,\n", ((struct edl_func *)c->ocalls.v[i])->name);
	if (!c->ocalls.n)
		P("\tNULL,\n");
	P("};\nconst uint32_t %s_ocall_count = %zu;\n", n, c->ocalls.n);
}

/* Writes one file through a temporary name, so a failed run leaves no half-written output. */
static int write_file(struct gen *G, const char *dir, const char *fname, void (*body)(struct gen *))
{
	struct edl_ctx *c = G->c;
	const char *path = fmt(c, "%s/%s", dir ? dir : ".", fname);
	const char *tmp = fmt(c, "%s.tmp%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(c->diag ? c->diag : stderr, "cella-edger8r: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	G->o = f;
	body(G);
	if (ferror(f) | fclose(f)) {
		fprintf(c->diag ? c->diag : stderr, "cella-edger8r: cannot write %s\n", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		fprintf(c->diag ? c->diag : stderr, "cella-edger8r: cannot rename %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void push_name(struct edl_ctx *c, struct edl_vec *v, const char *name)
{
	edl_vec_push(&c->arena, v, (void *)name);
}

/* The file-scope names the generated C declares, derived from the EDL file's name (n). */
static void generated_names(struct edl_ctx *c, const struct edl_gen_opts *g, struct edl_vec *out)
{
	const char *n = g->name;
	push_name(c, out, fmt(c, "%s_ocall_enclave", n));
	push_name(c, out, fmt(c, "%s_ocall_table", n));
	push_name(c, out, fmt(c, "%s_ocall_count", n));
	push_name(c, out, fmt(c, "%s_set_ocalls", n));
	push_name(c, out, upper(c, fmt(c, "%s_t_H", n)));
	push_name(c, out, upper(c, fmt(c, "%s_u_H", n)));
	for (size_t i = 0; i < c->ecalls.n; i++) {
		struct edl_func *fn = c->ecalls.v[i];
		push_name(c, out, fmt(c, "%s_ecall_id_%s", n, fn->name));
		if (g->use_prefix)
			push_name(c, out, fmt(c, "%s_%s", n, fn->name));
	}
	for (size_t i = 0; i < c->ocalls.n; i++)
		push_name(c, out, fmt(c, "%s_ocall_id_%s", n, ((struct edl_func *)c->ocalls.v[i])->name));
}

static void check_generated(struct edl_ctx *c, const struct edl_vec *gen, const char *name, struct edl_loc loc,
			    const char *what)
{
	for (size_t i = 0; i < gen->n; i++)
		if (!strcmp(name, gen->v[i])) {
			edl_error(c, loc, "%s name '%s' is also a name the code generated for '%s' declares; rename one", what,
				  name, c->top->path);
			return;
		}
}

/*
 * An EDL name equal to a generated one (say an ocall named <edl>_set_ocalls, or an ecall set_ocalls with
 * --use-prefix) is refused here, with its location, rather than left to fail in the C compiler.
 */
static int check_collisions(struct edl_ctx *c, const struct edl_gen_opts *g)
{
	struct edl_vec gen = {0};
	int before = c->errors;
	generated_names(c, g, &gen);
	for (size_t i = 0; i < c->ecalls.n; i++) {
		struct edl_func *fn = c->ecalls.v[i];
		check_generated(c, &gen, fn->name, fn->loc, "ecall");
		if (g->use_prefix) { /* its host stub <n>_<name>, in gen once, against the other generated names */
			const char *stub = fmt(c, "%s_%s", g->name, fn->name);
			size_t seen = 0;
			for (size_t k = 0; k < gen.n; k++)
				seen += strcmp(gen.v[k], stub) == 0;
			if (seen > 1)
				edl_error(c, fn->loc, "ecall name '%s' gives the host stub '%s' (--use-prefix), which the "
						      "generated code also declares; rename the ecall",
					  fn->name, stub);
		}
	}
	for (size_t i = 0; i < c->ocalls.n; i++) {
		struct edl_func *fn = c->ocalls.v[i];
		check_generated(c, &gen, fn->name, fn->loc, "ocall");
	}
	for (size_t i = 0; i < c->top->types.n; i++) {
		struct edl_struct *s = c->top->types.v[i];
		if (s->name)
			check_generated(c, &gen, s->name, s->loc, "type");
		for (size_t k = 0; s->kind == EDL_ENUM && k < s->enumerators.n; k++) {
			struct edl_enumerator *en = s->enumerators.v[k];
			check_generated(c, &gen, en->name, en->loc, "enumerator");
		}
	}
	return c->errors == before ? 0 : -1;
}

int edl_generate(struct edl_ctx *c, const struct edl_gen_opts *g)
{
	struct gen G = {c, g, NULL, false};
	const char *n = g->name;
	if (check_collisions(c, g) != 0)
		return -1;
	if (g->trusted) {
		G.enclave = true;
		if (write_file(&G, g->trusted_dir, fmt(c, "%s_t.h", n), emit_t_h) ||
		    (!g->header_only && write_file(&G, g->trusted_dir, fmt(c, "%s_t.c", n), emit_t_c)))
			return -1;
	}
	if (g->untrusted) {
		G.enclave = false;
		if (write_file(&G, g->untrusted_dir, fmt(c, "%s_u.h", n), emit_u_h) ||
		    (!g->header_only && write_file(&G, g->untrusted_dir, fmt(c, "%s_u.c", n), emit_u_c)))
			return -1;
	}
	return 0;
}
