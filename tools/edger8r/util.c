// SPDX-License-Identifier: MIT
/* Arena, vectors and diagnostics for cella-edger8r. */
#include "edl.h"

#include <stdlib.h>
#include <string.h>

struct edl_block {
	struct edl_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *edl_alloc(struct edl_arena *a, size_t n)
{
	struct edl_block *b = a->head;
	void *p;
	n = (n + 15u) & ~(size_t)15u;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			fprintf(stderr, "cella-edger8r: out of memory\n");
			abort();
		}
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *edl_strndup(struct edl_arena *a, const char *s, size_t n)
{
	char *d = edl_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *edl_strdup(struct edl_arena *a, const char *s)
{
	return edl_strndup(a, s, strlen(s));
}

void edl_arena_free(struct edl_arena *a)
{
	while (a->head) {
		struct edl_block *b = a->head;
		a->head = b->next;
		free(b);
	}
}

void edl_vec_push(struct edl_arena *a, struct edl_vec *v, void *p)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void **nv = edl_alloc(a, cap * sizeof(*nv));
		if (v->n)
			memcpy(nv, v->v, v->n * sizeof(*nv));
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
}

static void diag(struct edl_ctx *c, struct edl_loc loc, const char *kind, const char *fmt, va_list ap)
{
	FILE *f = c->diag ? c->diag : stderr;
	if (loc.line > 0)
		fprintf(f, "%s:%d:%d: %s: ", loc.file ? loc.file : "<input>", loc.line, loc.col, kind);
	else
		fprintf(f, "%s: %s: ", loc.file ? loc.file : "<input>", kind);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void edl_error(struct edl_ctx *c, struct edl_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag(c, loc, "error", fmt, ap);
	va_end(ap);
	c->errors++;
}

void edl_warning(struct edl_ctx *c, struct edl_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag(c, loc, c->opt && c->opt->werror ? "error" : "warning", fmt, ap);
	va_end(ap);
	c->warnings++;
	if (c->opt && c->opt->werror)
		c->errors++;
}

void edl_ctx_init(struct edl_ctx *c, struct edl_options *opt)
{
	memset(c, 0, sizeof(*c));
	c->opt = opt;
}

void edl_ctx_fini(struct edl_ctx *c)
{
	edl_arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}
