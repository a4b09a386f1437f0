// SPDX-License-Identifier: MIT
/*
 * Semantic checks: names, types, attribute combinations (the sgx_edger8r and oeedger8r rules plus ours),
 * size/count references, deep-copy structs, allow lists. Every construct the generator cannot marshal safely
 * is rejected here with a file:line:col diagnostic; nothing is dropped silently.
 */
#include "edl.h"

#include <stdlib.h>
#include <string.h>

bool edl_is_c_keyword(const char *s)
{
	static const char *kw[] = {
		"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
		"extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
		"short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
		"volatile", "while", "_Bool", "_Complex", "_Imaginary", "_Alignas", "_Alignof", "_Atomic",
		"_Generic", "_Noreturn", "_Static_assert", "_Thread_local", "bool", "true", "false",
	};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (!strcmp(s, kw[i]))
			return true;
	return false;
}

const char *edl_base_name(enum edl_base b)
{
	static const char *n[] = {
		[EDL_VOID] = "void", [EDL_CHAR] = "char", [EDL_SCHAR] = "signed char",
		[EDL_UCHAR] = "unsigned char", [EDL_SHORT] = "short", [EDL_USHORT] = "unsigned short",
		[EDL_INT] = "int", [EDL_UINT] = "unsigned int", [EDL_LONG] = "long", [EDL_ULONG] = "unsigned long",
		[EDL_LLONG] = "long long", [EDL_ULLONG] = "unsigned long long", [EDL_FLOAT] = "float",
		[EDL_DOUBLE] = "double", [EDL_LDOUBLE] = "long double", [EDL_BOOL] = "bool", [EDL_WCHAR] = "wchar_t",
		[EDL_SIZE] = "size_t", [EDL_SSIZE] = "ssize_t", [EDL_I8] = "int8_t", [EDL_I16] = "int16_t",
		[EDL_I32] = "int32_t", [EDL_I64] = "int64_t", [EDL_U8] = "uint8_t", [EDL_U16] = "uint16_t",
		[EDL_U32] = "uint32_t", [EDL_U64] = "uint64_t", [EDL_INTPTR] = "intptr_t",
		[EDL_UINTPTR] = "uintptr_t", [EDL_STRUCT] = "struct", [EDL_UNION] = "union", [EDL_ENUM] = "enum",
		[EDL_FOREIGN] = "",
	};
	return n[b];
}

bool edl_type_is_integer(const struct edl_type *t)
{
	if (t->ptr)
		return false;
	switch (t->base) {
	case EDL_CHAR: case EDL_SCHAR: case EDL_UCHAR: case EDL_SHORT: case EDL_USHORT: case EDL_INT:
	case EDL_UINT: case EDL_LONG: case EDL_ULONG: case EDL_LLONG: case EDL_ULLONG: case EDL_WCHAR:
	case EDL_SIZE: case EDL_SSIZE: case EDL_I8: case EDL_I16: case EDL_I32: case EDL_I64: case EDL_U8:
	case EDL_U16: case EDL_U32: case EDL_U64: case EDL_INTPTR: case EDL_UINTPTR: case EDL_ENUM:
		return true;
	case EDL_FOREIGN:
		return t->def && t->def->kind == EDL_ENUM;
	default:
		return false;
	}
}

bool edl_type_is_signed(const struct edl_type *t)
{
	switch (t->base) {
	case EDL_UCHAR: case EDL_USHORT: case EDL_UINT: case EDL_ULONG: case EDL_ULLONG: case EDL_SIZE:
	case EDL_U8: case EDL_U16: case EDL_U32: case EDL_U64: case EDL_UINTPTR:
		return false;
	default:
		return true; /* signed, or of unknown signedness (char, enums): checked for < 0 */
	}
}

bool edl_decl_is_pointer(const struct edl_decl *d)
{
	return d->type.ptr > 0 || d->ndims > 0 || (d->a.flags & (EDL_A_ISPTR | EDL_A_ISARY));
}

static struct edl_struct *find_type(struct edl_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->top->types.n; i++) {
		struct edl_struct *s = c->top->types.v[i];
		if (s->name && !strcmp(s->name, name))
			return s;
	}
	return NULL;
}

static bool find_enumerator(struct edl_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->top->types.n; i++) {
		struct edl_struct *s = c->top->types.v[i];
		for (size_t j = 0; j < s->enumerators.n; j++)
			if (!strcmp(((struct edl_enumerator *)s->enumerators.v[j])->name, name))
				return true;
	}
	return false;
}

static void resolve_type(struct edl_ctx *c, struct edl_type *t)
{
	struct edl_struct *s;
	if (t->base != EDL_STRUCT && t->base != EDL_UNION && t->base != EDL_ENUM && t->base != EDL_FOREIGN)
		return;
	s = find_type(c, t->name);
	if (!s)
		return; /* a type from an included header */
	if (t->base != EDL_FOREIGN && t->base != s->kind) {
		edl_error(c, t->loc, "'%s %s' refers to '%s %s' declared at %s:%d:%d", edl_base_name(t->base), t->name,
			  edl_base_name(s->kind), s->name, s->loc.file, s->loc.line, s->loc.col);
		return;
	}
	t->def = s;
}

/* Names the generated C uses itself (library functions and macros, the standard integer types): an EDL name
 * equal to one of them is accepted by nothing downstream. */
static bool used_by_generated_code(const char *name)
{
	static const char *const names[] = {
		"errno",    "NULL",     "memcpy",    "memmove",   "memset",    "malloc",   "calloc",   "free",
		"strlen",   "wcslen",   "offsetof",  "bool",      "true",      "false",    "size_t",   "wchar_t",
		"int8_t",   "int16_t",  "int32_t",   "int64_t",   "uint8_t",   "uint16_t", "uint32_t", "uint64_t",
		"intptr_t", "uintptr_t", "SIZE_MAX", "UINT32_MAX", "UINT64_MAX", "UINT64_C", "INT64_MAX"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void check_name(struct edl_ctx *c, const char *name, struct edl_loc loc, const char *what)
{
	if (!strncmp(name, "cella_", 6) || !strncmp(name, "CELLA_", 6))
		edl_error(c, loc, "%s name '%s' is reserved (names starting with cella_ belong to generated code)", what,
			  name);
	else if (edl_is_c_keyword(name))
		edl_error(c, loc, "%s name '%s' is a C keyword", what, name);
	else if (used_by_generated_code(name))
		edl_error(c, loc, "%s name '%s' is a name the generated C uses (a library function, macro or type)",
			  what, name);
}

/* The first identifier in e that names a parameter (after check_expr resolved them), or NULL. */
static const struct edl_expr *param_in(const struct edl_expr *e)
{
	const struct edl_expr *p;
	if (!e)
		return NULL;
	if (e->kind == EDL_E_ID)
		return e->ref ? e : NULL;
	if (e->kind != EDL_E_NEG && e->kind != EDL_E_BIN)
		return NULL;
	return (p = param_in(e->l)) ? p : param_in(e->r);
}

/* Resolves identifiers in a size/count expression against `scope` (parameters or members). */
static void check_expr(struct edl_ctx *c, struct edl_expr *e, struct edl_vec *scope, const char *owner,
		       bool member, const char *attr)
{
	if (!e)
		return;
	switch (e->kind) {
	case EDL_E_INT:
		return;
	case EDL_E_SIZEOF:
		resolve_type(c, e->type);
		return;
	case EDL_E_NEG:
	case EDL_E_BIN:
		if (member) {
			edl_error(c, e->loc, "%s= on a struct member must be a number or a member name", attr);
			return;
		}
		check_expr(c, e->l, scope, owner, member, attr);
		check_expr(c, e->r, scope, owner, member, attr);
		return;
	case EDL_E_ID:
		for (size_t i = 0; i < scope->n; i++) {
			struct edl_decl *d = scope->v[i];
			if (strcmp(d->name, e->id))
				continue;
			e->ref = d;
			if (!edl_type_is_integer(&d->type) || d->ndims || (d->a.flags & (EDL_A_ISPTR | EDL_A_ISARY))) {
				edl_error(c, e->loc, "%s=%s: '%s' must be an integer %s passed by value", attr, e->id, e->id,
					  member ? "member" : "parameter");
				return;
			}
			if (edl_type_is_signed(&d->type))
				edl_warning(c, e->loc,
					    "%s=%s: '%s' has a signed type; negative values are rejected at run time", attr,
					    e->id, e->id);
			return;
		}
		if (member) {
			edl_error(c, e->loc, "%s=%s: '%s' is not a member of '%s'", attr, e->id, e->id, owner);
			return;
		}
		if (find_enumerator(c, e->id))
			return;
		/* otherwise a constant from an included header: the generated code checks it is not negative */
		return;
	}
}

/*
 * A struct descriptor carries a member's size as a number or a member's offset: sizeof(...) would travel as 0 and
 * both sides would copy nothing where the application expects sizeof(T) bytes. True (and an error) for one.
 */
static bool member_sizeof(struct edl_ctx *c, const struct edl_struct *s, const struct edl_decl *d,
			  const struct edl_expr *e, const char *attr)
{
	if (!e || e->kind != EDL_E_SIZEOF)
		return false;
	edl_error(c, e->loc, "%s=sizeof(...) on member '%s' of '%s' is not supported: a member's %s= is a number or a "
		  "member name", attr, d->name, s->name, attr);
	return true;
}

static void check_struct(struct edl_ctx *c, struct edl_struct *s)
{
	for (size_t i = 0; i < s->members.n; i++) {
		struct edl_decl *d = s->members.v[i];
		unsigned bad = d->a.flags & ~(EDL_A_SIZE | EDL_A_COUNT);
		check_name(c, d->name, d->loc, "member");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(((struct edl_decl *)s->members.v[j])->name, d->name))
				edl_error(c, d->loc, "duplicate member '%s' in '%s'", d->name, s->name);
		resolve_type(c, &d->type);
		d->is_integer = edl_type_is_integer(&d->type);
		d->is_signed_int = d->is_integer && edl_type_is_signed(&d->type);
		if (d->type.base == EDL_VOID && d->type.ptr == 0) {
			edl_error(c, d->loc, "member '%s' has type void", d->name);
			continue;
		}
		if (bad) {
			edl_error(c, d->a.loc, "only size= and count= are allowed on struct members ('%s')", d->name);
			continue;
		}
		if (d->ndims && d->type.ptr) {
			edl_error(c, d->loc, "arrays of pointers are not supported ('%s')", d->name);
			continue;
		}
		if (d->type.def && d->type.def->deep && !d->type.ptr)
			edl_error(c, d->loc,
				  "'%s' deep-copies its pointer members and cannot be nested by value in '%s' (use a pointer)",
				  d->type.def->name, s->name);
		if (!d->a.flags) {
			if (d->type.ptr)
				edl_warning(c, d->loc,
					    "pointer member '%s' of '%s' has no size= or count=: its raw address crosses the "
					    "boundary unchecked (in an ecall, check it with cella_is_outside_enclave before "
					    "using it)",
					    d->name, s->name);
			continue;
		}
		if (s->kind == EDL_UNION) {
			edl_error(c, d->a.loc, "union members cannot have size= or count= ('%s')", d->name);
			continue;
		}
		if (d->type.ptr == 0 || d->ndims) {
			edl_error(c, d->a.loc, "size=/count= need a pointer member ('%s' is not a pointer)", d->name);
			continue;
		}
		if (d->type.ptr > 1) {
			edl_error(c, d->a.loc, "deep copy of '%s': pointers to pointers are not supported", d->name);
			continue;
		}
		if (d->type.base == EDL_VOID && !(d->a.flags & EDL_A_SIZE)) {
			edl_error(c, d->a.loc, "'void *' member '%s' needs size=", d->name);
			continue;
		}
		if (member_sizeof(c, s, d, d->a.size, "size") || member_sizeof(c, s, d, d->a.count, "count"))
			continue;
		check_expr(c, d->a.size, &s->members, s->name, true, "size");
		check_expr(c, d->a.count, &s->members, s->name, true, "count");
		d->kind = EDL_P_BUF;
		d->in = true;
		s->deep = true;
	}
}

static void check_enum(struct edl_ctx *c, struct edl_struct *s)
{
	for (size_t i = 0; i < s->enumerators.n; i++) {
		struct edl_enumerator *en = s->enumerators.v[i];
		check_name(c, en->name, en->loc, "enumerator");
		for (size_t j = 0; j < c->top->types.n; j++) {
			struct edl_struct *o = c->top->types.v[j];
			for (size_t k = 0; k < o->enumerators.n; k++) {
				struct edl_enumerator *x = o->enumerators.v[k];
				if (x == en)
					goto next;
				if (!strcmp(x->name, en->name)) {
					edl_error(c, en->loc, "enumerator '%s' redefined (first at %s:%d:%d)", en->name,
						  x->loc.file, x->loc.line, x->loc.col);
					goto next;
				}
			}
		}
next:;
	}
}

static const char *dir_name(unsigned f)
{
	if ((f & EDL_A_IN) && (f & EDL_A_OUT))
		return "[in, out]";
	return (f & EDL_A_IN) ? "[in]" : (f & EDL_A_OUT) ? "[out]" : "[user_check]";
}

static void check_param(struct edl_ctx *c, struct edl_func *fn, struct edl_decl *d)
{
	unsigned f = d->a.flags;
	bool ptrish = edl_decl_is_pointer(d);
	bool foreign_plain = d->type.base == EDL_FOREIGN && !d->type.def && d->type.ptr == 0 && d->ndims == 0;
	struct edl_loc al = d->a.present ? d->a.loc : d->loc;

	check_name(c, d->name, d->loc, "parameter");
	resolve_type(c, &d->type);
	d->is_integer = edl_type_is_integer(&d->type) && !d->ndims;
	d->is_signed_int = d->is_integer && edl_type_is_signed(&d->type);
	d->kind = EDL_P_VALUE;

	if (d->type.base == EDL_VOID && d->type.ptr == 0) {
		edl_error(c, d->loc, "parameter '%s' has type void", d->name);
		return;
	}
	if ((f & EDL_A_ISPTR) && (f & EDL_A_ISARY)) {
		edl_error(c, al, "[isptr] and [isary] cannot be combined ('%s')", d->name);
		return;
	}
	if ((f & (EDL_A_ISPTR | EDL_A_ISARY)) && !foreign_plain) {
		edl_error(c, al, "[%s] is for a parameter whose type is a typedef'd %s from an included header ('%s')",
			  (f & EDL_A_ISPTR) ? "isptr" : "isary", (f & EDL_A_ISPTR) ? "pointer" : "array", d->name);
		return;
	}
	if ((f & EDL_A_READONLY) && !(f & EDL_A_ISPTR)) {
		edl_error(c, al, "[readonly] needs [isptr] ('%s')", d->name);
		return;
	}
	if ((f & EDL_A_READONLY) && (f & EDL_A_OUT)) {
		edl_error(c, al, "[readonly] cannot be combined with [out] ('%s')", d->name);
		return;
	}
	if ((f & EDL_A_USER_CHECK) && (f & (EDL_A_IN | EDL_A_OUT))) {
		edl_error(c, al, "[user_check] cannot be combined with [in] or [out] ('%s')", d->name);
		return;
	}
	if (!ptrish) {
		if (f & (EDL_A_IN | EDL_A_OUT | EDL_A_USER_CHECK | EDL_A_STRING | EDL_A_WSTRING | EDL_A_SIZE |
			 EDL_A_COUNT)) {
			if (foreign_plain && (f & (EDL_A_IN | EDL_A_OUT)))
				edl_error(c, al,
					  "'%s' is not a pointer type: add [isptr] or [isary] if it is a typedef of one ('%s')",
					  d->type.name, d->name);
			else
				edl_error(c, al, "pointer attributes need a pointer or array parameter ('%s' is passed by value)",
					  d->name);
			return;
		}
		if (d->type.def && d->type.def->deep)
			edl_error(c, d->loc,
				  "'%s' has size=/count= pointer members and cannot be passed by value ('%s'); pass a pointer with [in]",
				  d->type.def->name, d->name);
		return;
	}
	if (d->ndims && d->type.ptr) {
		edl_error(c, d->loc, "arrays of pointers are not supported ('%s')", d->name);
		return;
	}
	if (d->ndims && (f & (EDL_A_SIZE | EDL_A_COUNT | EDL_A_STRING | EDL_A_WSTRING))) {
		edl_error(c, al, "size=, count=, [string] and [wstring] are not allowed on array parameters ('%s')",
			  d->name);
		return;
	}
	if ((f & EDL_A_STRING) && (f & EDL_A_WSTRING)) {
		edl_error(c, al, "[string] and [wstring] cannot be combined ('%s')", d->name);
		return;
	}
	if (f & (EDL_A_STRING | EDL_A_WSTRING)) {
		bool w = f & EDL_A_WSTRING;
		const char *an = w ? "wstring" : "string";
		bool ok = d->type.ptr == 1 && (w ? d->type.base == EDL_WCHAR
						: (d->type.base == EDL_CHAR || d->type.base == EDL_SCHAR ||
						   d->type.base == EDL_UCHAR));
		if (!ok) {
			edl_error(c, al, "[%s] needs a '%s *' parameter ('%s')", an, w ? "wchar_t" : "char", d->name);
			return;
		}
		if (f & EDL_A_USER_CHECK) {
			edl_error(c, al, "[%s] cannot be combined with [user_check] ('%s')", an, d->name);
			return;
		}
		if (f & (EDL_A_SIZE | EDL_A_COUNT)) {
			edl_error(c, al, "[%s] cannot be combined with size= or count= ('%s')", an, d->name);
			return;
		}
		if (!(f & EDL_A_IN)) {
			edl_error(c, al, "[%s] needs [in] or [in, out] ('%s')", an, d->name);
			return;
		}
		d->string = !w;
		d->wstring = w;
	}
	if (!(f & (EDL_A_IN | EDL_A_OUT | EDL_A_USER_CHECK))) {
		if (f & (EDL_A_SIZE | EDL_A_COUNT)) {
			edl_error(c, al, "size=/count= need a direction: [in], [out], [in, out] or [user_check] ('%s')",
				  d->name);
			return;
		}
		edl_warning(c, d->loc,
			    "pointer parameter '%s' has no direction attribute; passed as [user_check] (the raw address)",
			    d->name);
		f |= EDL_A_USER_CHECK;
		d->a.flags = f;
	}
	if (d->type.base == EDL_VOID && d->type.ptr == 1 && !(f & EDL_A_SIZE) && !(f & EDL_A_USER_CHECK)) {
		edl_error(c, al, "'void *' parameter '%s' with a direction needs size=", d->name);
		return;
	}
	if ((f & EDL_A_OUT) && ((d->type.is_const && d->type.ptr == 1) || (d->type.is_const && d->ndims))) {
		edl_error(c, al, "[out] parameter '%s' points to const data", d->name);
		return;
	}
	check_expr(c, d->a.size, &fn->params, fn->name, false, "size");
	check_expr(c, d->a.count, &fn->params, fn->name, false, "count");
	for (int i = 0; i < d->ndims; i++)
		check_expr(c, d->dims[i], &fn->params, fn->name, false, "dimension");
	for (int i = 0; i < d->ndims; i++) {
		const struct edl_expr *p = param_in(d->dims[i]);
		if (p) {
			edl_error(c, p->loc, "array dimension '%s' must be a constant, not a parameter", p->id);
			return;
		}
	}
	if (f & EDL_A_USER_CHECK) {
		d->kind = EDL_P_USER_CHECK;
		return;
	}
	/* the deep copy follows a pointer parameter's elements only: an array's elements would cross with their
	 * sender's raw member pointers */
	if (d->ndims && d->type.def && d->type.def->deep) {
		edl_error(c, d->loc,
			  "'%s' has size=/count= pointer members and cannot be passed as an array ('%s'); pass a pointer "
			  "with count= instead",
			  d->type.def->name, d->name);
		return;
	}
	d->kind = EDL_P_BUF;
	d->in = f & EDL_A_IN;
	d->out = f & EDL_A_OUT;
	if (d->type.ptr > 1)
		edl_warning(c, al, "%s '%s' copies pointer values, which mean nothing on the other side of the boundary",
			    dir_name(f), d->name);
	if (d->type.def && d->type.def->deep && d->type.ptr == 1 && d->out && !d->in)
		edl_error(c, al, "deep copy through [out] is not supported ('%s'); use [in, out]", d->name);
}

static void check_func(struct edl_ctx *c, struct edl_func *fn)
{
	check_name(c, fn->name, fn->loc, "function");
	resolve_type(c, &fn->ret);
	if (fn->ret.def && fn->ret.def->deep && fn->ret.ptr == 0)
		edl_error(c, fn->ret.loc, "'%s' returns '%s', which has size=/count= pointer members, by value",
			  fn->name, fn->ret.def->name);
	if (fn->trusted && fn->ret.ptr)
		edl_warning(c, fn->ret.loc, "ecall '%s' returns a pointer: the host receives an enclave address",
			    fn->name);
	for (size_t i = 0; i < fn->params.n; i++) {
		struct edl_decl *d = fn->params.v[i];
		for (size_t j = 0; j < i; j++)
			if (!strcmp(((struct edl_decl *)fn->params.v[j])->name, d->name))
				edl_error(c, d->loc, "duplicate parameter '%s' in '%s'", d->name, fn->name);
		check_param(c, fn, d);
	}
}

/* Orders EDL structs so that each descriptor follows those it embeds by value. */
static void order_struct(struct edl_ctx *c, struct edl_struct *s, int depth)
{
	for (size_t i = 0; i < c->deep_types.n; i++)
		if (c->deep_types.v[i] == s)
			return;
	if (depth > 64)
		return;
	for (size_t i = 0; i < s->members.n; i++) {
		struct edl_decl *d = s->members.v[i];
		if (d->type.def && d->type.def->kind == EDL_STRUCT && d->type.ptr == 0 && d->type.def != s)
			order_struct(c, d->type.def, depth + 1);
	}
	for (size_t i = 0; i < c->deep_types.n; i++)
		if (c->deep_types.v[i] == s)
			return;
	s->id = (int)c->deep_types.n;
	edl_vec_push(&c->arena, &c->deep_types, s);
}

/*
 * True if target is reachable from s through by-value members (or the nesting passes 64 levels). Each struct is
 * walked at most once per stamp, so shared members cost linear, not exponential, time.
 */
static bool contains_by_value(struct edl_struct *s, struct edl_struct *target, unsigned stamp, int depth)
{
	if (depth > 64)
		return true;
	for (size_t i = 0; i < s->members.n; i++) {
		struct edl_decl *d = s->members.v[i];
		struct edl_struct *m = d->type.def;
		if (!m || d->type.ptr != 0 || m->kind == EDL_ENUM)
			continue;
		if (m == target)
			return true;
		if (m->seen == stamp)
			continue;
		m->seen = stamp;
		if (contains_by_value(m, target, stamp, depth + 1))
			return true;
	}
	return false;
}

int edl_check(struct edl_ctx *c)
{
	int before = c->errors;
	struct edl_file *f = c->top;

	for (size_t i = 0; i < f->types.n; i++) {
		struct edl_struct *s = f->types.v[i];
		if (!s->name)
			continue;
		check_name(c, s->name, s->loc, "type");
		for (size_t j = 0; j < i; j++) {
			struct edl_struct *o = f->types.v[j];
			if (o->name && !strcmp(o->name, s->name)) {
				edl_error(c, s->loc, "'%s' redefined (first defined at %s:%d:%d)", s->name, o->loc.file,
					  o->loc.line, o->loc.col);
				break;
			}
		}
	}
	/* deep flags first (members may point to later structs), then member checks that need them */
	for (size_t i = 0; i < f->types.n; i++) {
		struct edl_struct *s = f->types.v[i];
		for (size_t k = 0; s->kind == EDL_STRUCT && k < s->members.n; k++)
			if (((struct edl_decl *)s->members.v[k])->a.flags & (EDL_A_SIZE | EDL_A_COUNT))
				s->deep = true;
	}
	for (size_t i = 0; i < f->types.n; i++) {
		struct edl_struct *s = f->types.v[i];
		if (s->kind == EDL_ENUM)
			check_enum(c, s);
		else
			check_struct(c, s);
	}
	for (size_t i = 0; i < f->types.n; i++) {
		struct edl_struct *s = f->types.v[i];
		if (s->kind != EDL_ENUM && contains_by_value(s, s, (unsigned)i + 1, 0))
			edl_error(c, s->loc, "'%s' contains itself by value", s->name);
	}
	if (c->errors != before)
		return c->errors - before;
	for (size_t i = 0; i < f->types.n; i++) {
		struct edl_struct *s = f->types.v[i];
		if (s->kind == EDL_STRUCT)
			order_struct(c, s, 0);
	}

	for (size_t i = 0; i < f->funcs.n; i++) {
		struct edl_func *fn = f->funcs.v[i];
		bool dup = false;
		for (size_t j = 0; j < i; j++) {
			struct edl_func *o = f->funcs.v[j];
			if (o == fn) {
				dup = true; /* the same declaration imported twice */
				break;
			}
			if (!strcmp(o->name, fn->name)) {
				edl_error(c, fn->loc, "function '%s' redeclared (first declared at %s:%d:%d)", fn->name,
					  o->loc.file, o->loc.line, o->loc.col);
				dup = true;
				break;
			}
		}
		if (dup)
			continue;
		check_func(c, fn);
		if (fn->trusted) {
			fn->id = (int)c->ecalls.n;
			edl_vec_push(&c->arena, &c->ecalls, fn);
		} else {
			fn->id = (int)c->ocalls.n;
			edl_vec_push(&c->arena, &c->ocalls, fn);
		}
	}
	for (size_t i = 0; i < c->ocalls.n; i++) {
		struct edl_func *o = c->ocalls.v[i];
		for (size_t k = 0; k < o->allow.n; k++) {
			const char *name = o->allow.v[k];
			bool found = false;
			for (size_t j = 0; j < c->ecalls.n; j++)
				found |= !strcmp(((struct edl_func *)c->ecalls.v[j])->name, name);
			if (!found)
				edl_error(c, *(struct edl_loc *)o->allow_loc.v[k],
					  "'%s' in the allow list of '%s' is not a trusted function (ecall)", name, o->name);
		}
	}
	for (size_t j = 0; j < c->ecalls.n; j++) {
		struct edl_func *e = c->ecalls.v[j];
		bool allowed = false;
		if (e->is_public)
			continue;
		for (size_t i = 0; i < c->ocalls.n; i++) {
			struct edl_func *o = c->ocalls.v[i];
			for (size_t k = 0; k < o->allow.n; k++)
				allowed |= !strcmp(o->allow.v[k], e->name);
		}
		if (!allowed)
			edl_warning(c, e->loc, "private ecall '%s' is in no allow list and can never be called", e->name);
	}
	if (c->ecalls.n > 0xffff || c->ocalls.n > 0xffff)
		edl_error(c, f->funcs.n ? ((struct edl_func *)f->funcs.v[0])->loc : (struct edl_loc){f->path, 1, 1},
			  "too many functions");
	return c->errors - before;
}
