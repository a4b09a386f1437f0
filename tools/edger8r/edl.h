/* SPDX-License-Identifier: MIT */
/* cella-edger8r internals: the EDL syntax tree, the front end (lexer, preprocessor, parser, checks), the generator. */
#ifndef CELLA_EDL_H
#define CELLA_EDL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- memory: every node lives in one arena, freed at once ---- */
struct edl_arena {
	struct edl_block *head;
};
void *edl_alloc(struct edl_arena *a, size_t n); /* zeroed; aborts on out of memory */
char *edl_strdup(struct edl_arena *a, const char *s);
char *edl_strndup(struct edl_arena *a, const char *s, size_t n);
void edl_arena_free(struct edl_arena *a);

/* A growable array of pointers. */
struct edl_vec {
	void **v;
	size_t n, cap;
};
void edl_vec_push(struct edl_arena *a, struct edl_vec *v, void *p);

struct edl_loc {
	const char *file;
	int line, col;
};

/* ---- types ---- */
enum edl_base {
	EDL_VOID,
	EDL_CHAR, EDL_SCHAR, EDL_UCHAR, EDL_SHORT, EDL_USHORT, EDL_INT, EDL_UINT, EDL_LONG, EDL_ULONG,
	EDL_LLONG, EDL_ULLONG, EDL_FLOAT, EDL_DOUBLE, EDL_LDOUBLE, EDL_BOOL, EDL_WCHAR, EDL_SIZE, EDL_SSIZE,
	EDL_I8, EDL_I16, EDL_I32, EDL_I64, EDL_U8, EDL_U16, EDL_U32, EDL_U64, EDL_INTPTR, EDL_UINTPTR,
	EDL_STRUCT, EDL_UNION, EDL_ENUM,
	EDL_FOREIGN, /* an identifier from an included header, or an EDL type named without its keyword */
};

struct edl_type {
	enum edl_base base;
	const char *name;  /* struct/union/enum/foreign name */
	bool is_const;     /* const qualifies the base type */
	int ptr;           /* number of '*' */
	struct edl_loc loc;
	/* resolved by the checks: the EDL definition when base is STRUCT/UNION/ENUM (or FOREIGN naming one) */
	struct edl_struct *def;
};

/* size=/count= and array dimensions: a small integer expression */
enum edl_expr_kind { EDL_E_INT, EDL_E_ID, EDL_E_BIN, EDL_E_SIZEOF, EDL_E_NEG };
/* Nesting allowed in one expression, of EDL or of #if: the parser, the checks, the generator and the #if
 * evaluator all recurse over expressions, so a pathological one is refused rather than overflowing their stacks.
 * C11 5.2.4.1 asks compilers for 63 levels of parentheses in a full expression; this allows four times that. */
#define EDL_MAX_NESTING 256
#define EDL_STRINGIFY_(x) #x
#define EDL_STRINGIFY(x) EDL_STRINGIFY_(x)

struct edl_expr {
	enum edl_expr_kind kind;
	uint64_t value;
	const char *id;
	char op; /* + - * / */
	struct edl_expr *l, *r;
	unsigned height; /* of the tree below and including this node, at most EDL_MAX_NESTING */
	struct edl_type *type; /* sizeof(type) */
	struct edl_loc loc;
	/* resolved: the parameter (or struct member) an identifier names, else NULL (a constant) */
	struct edl_decl *ref;
};

#define EDL_A_IN 0x001u
#define EDL_A_OUT 0x002u
#define EDL_A_USER_CHECK 0x004u
#define EDL_A_STRING 0x008u
#define EDL_A_WSTRING 0x010u
#define EDL_A_ISPTR 0x020u
#define EDL_A_ISARY 0x040u
#define EDL_A_READONLY 0x080u
#define EDL_A_SIZE 0x100u
#define EDL_A_COUNT 0x200u

struct edl_attrs {
	unsigned flags;
	struct edl_expr *size, *count;
	struct edl_loc loc, size_loc, count_loc;
	bool present; /* a [...] list was written */
};

/* How a parameter crosses the boundary (decided by the checks). */
enum edl_pkind {
	EDL_P_VALUE,      /* by value */
	EDL_P_BUF,        /* [in] / [out] / [in,out]: copied through the flat buffer */
	EDL_P_USER_CHECK, /* raw address */
};

/* A parameter or a struct member. */
struct edl_decl {
	const char *name;
	struct edl_loc loc;
	struct edl_type type;
	struct edl_expr *dims[8];
	int ndims;
	struct edl_attrs a;
	/* derived */
	enum edl_pkind kind;
	bool in, out;      /* direction for EDL_P_BUF */
	bool string, wstring;
	bool is_signed_int; /* an integer type that may be negative (or unknown signedness) */
	bool is_integer;
	int index;          /* position in its function or struct */
};

struct edl_struct {
	enum edl_base kind; /* EDL_STRUCT, EDL_UNION or EDL_ENUM */
	const char *name;   /* NULL for an anonymous enum */
	struct edl_loc loc;
	struct edl_vec members;  /* struct edl_decl* (struct/union) */
	struct edl_vec enumerators; /* struct edl_enumerator* (enum) */
	bool deep;          /* has pointer members with size/count: copied deeply */
	int id;             /* index for generated descriptors */
	unsigned seen;      /* sema's walk stamp: visited in the current by-value walk */
	const char *file;
};

struct edl_enumerator {
	const char *name;
	struct edl_expr *value; /* may be NULL */
	struct edl_loc loc;
};

struct edl_func {
	const char *name;
	struct edl_loc loc;
	struct edl_type ret;
	struct edl_vec params; /* struct edl_decl* */
	bool trusted;
	bool is_public;
	bool switchless;
	bool propagate_errno;
	struct edl_vec allow;  /* const char* (ecall names) */
	struct edl_vec allow_loc; /* struct edl_loc* */
	int id;                /* ecall or ocall index */
};

struct edl_include {
	const char *text; /* "x.h" or <x.h>, with its quotes or brackets */
	struct edl_loc loc;
};

/* One parsed EDL file, with what its imports contribute already merged in. */
struct edl_file {
	const char *path;
	struct edl_vec includes; /* struct edl_include* */
	struct edl_vec types;    /* struct edl_struct* in declaration order (structs, unions, enums) */
	struct edl_vec funcs;    /* struct edl_func*: own and imported, in order */
	bool done;               /* fully parsed (for cycle detection) */
	bool busy;
};

struct edl_define {
	const char *name;
	const char *value; /* NULL: defined without value */
};

struct edl_options {
	struct edl_vec search;  /* const char* directories */
	struct edl_vec defines; /* struct edl_define* (from -D) */
	bool preprocess;        /* run the C preprocessor first */
	const char *cpp;        /* preprocessor command; default "cpp" */
	bool werror;
	bool use_prefix;
	/* for the fuzzer: no file system access beyond the main buffer */
	bool no_imports;
};

struct edl_ctx {
	struct edl_arena arena;
	struct edl_options *opt;
	int errors, warnings;
	FILE *diag;            /* where diagnostics go; NULL = stderr */
	struct edl_vec files;  /* struct edl_file* cache by path */
	struct edl_vec stack;  /* import stack (const char* paths) */
	/* the merged program (the top file) */
	struct edl_file *top;
	struct edl_vec ecalls, ocalls; /* struct edl_func* */
	struct edl_vec deep_types;     /* struct edl_struct* that need a descriptor, dependency order */
};

void edl_error(struct edl_ctx *c, struct edl_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void edl_warning(struct edl_ctx *c, struct edl_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- lexer ---- */
enum edl_tok_kind { EDL_T_EOF, EDL_T_ID, EDL_T_INT, EDL_T_STR, EDL_T_PUNCT };
struct edl_tok {
	enum edl_tok_kind kind;
	const char *text; /* identifier, string contents with delimiters, or punctuation */
	uint64_t value;
	struct edl_loc loc;
	bool from_include_directive; /* a #include turned into an include item */
};

struct edl_cond {
	bool active, taken, seen_else;
	struct edl_loc loc;
};

struct edl_lexer {
	struct edl_ctx *c;
	const char *src, *p, *end;
	const char *file;
	int line;
	const char *line_start;
	bool at_line_start;
	struct edl_cond conds[64];
	int ncond;
	struct edl_vec macros;   /* struct edl_define* */
	struct edl_tok pending[64]; /* macro expansion and #include queue */
	int npending, pending_pos;
	int expand_depth;
};

void edl_lex_init(struct edl_lexer *l, struct edl_ctx *c, const char *file, const char *src, size_t n);
struct edl_tok edl_lex_next(struct edl_lexer *l); /* may return EDL_T_EOF after an error */

/* ---- front end ---- */
/* Parses `path` (and its imports) into c->top and checks it. Returns 0 on success. */
int edl_load_file(struct edl_ctx *c, const char *path);
/* Same, from memory, for the fuzzer (imports are refused unless options allow them). */
int edl_load_buffer(struct edl_ctx *c, const char *name, const char *buf, size_t n);
void edl_ctx_init(struct edl_ctx *c, struct edl_options *opt);
void edl_ctx_fini(struct edl_ctx *c);

/* parse.c */
struct edl_file *edl_parse(struct edl_ctx *c, const char *path, const char *buf, size_t n);
/* sema.c: checks the merged program, numbers the calls. Returns the number of errors. */
int edl_check(struct edl_ctx *c);

/* ---- helpers shared by the checks and the generator ---- */
bool edl_type_is_integer(const struct edl_type *t);
bool edl_type_is_signed(const struct edl_type *t);
bool edl_decl_is_pointer(const struct edl_decl *d); /* pointer, array, isptr or isary */
const char *edl_base_name(enum edl_base b);
bool edl_is_c_keyword(const char *s);

/* ---- generator (gen*.c) ---- */
struct edl_gen_opts {
	const char *name;       /* output base name (a C identifier) */
	const char *trusted_dir, *untrusted_dir;
	bool trusted, untrusted, header_only;
	bool use_prefix;
};
int edl_generate(struct edl_ctx *c, const struct edl_gen_opts *g);

#endif
