// SPDX-License-Identifier: MIT
/* String tensors: the arenas their bytes live in. */
#include "onnx_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ arenas */

/* A chunk of an arena: cap bytes after the header, used of them handed out. Chunks never move or shrink, so a string
 * stays where it was put until the arena is reset. */
struct onnx_str_chunk {
	struct onnx_str_chunk *next;
	size_t cap, used;
	char bytes[];
};

#define STR_CHUNK_MIN 4096

cella_result onnx_str_alloc(struct onnx_str_arena *a, size_t len, uint64_t limit, char **out) /* see onnx_internal.h */
{
	static char empty[1];
	if (len > limit || a->used > limit - len)
		return CELLA_ERR_TOO_LARGE;
	if (len == 0) {
		*out = empty; /* never written: there is nothing to write */
		return CELLA_OK;
	}
	while (a->cur && a->cur->cap - a->cur->used < len)
		a->cur = a->cur->next; /* the rest of a chunk stays unused until the reset */
	if (!a->cur) {
		size_t cap = a->held < STR_CHUNK_MIN ? STR_CHUNK_MIN : (size_t)a->held; /* doubling what is held */
		if (cap < len)
			cap = len;
		struct onnx_str_chunk *c = malloc(sizeof(*c) + cap);
		if (!c)
			return CELLA_ERR_OUT_OF_MEMORY;
		c->next = NULL;
		c->cap = cap;
		c->used = 0;
		struct onnx_str_chunk **at = &a->head;
		while (*at)
			at = &(*at)->next;
		*at = c;
		a->cur = c;
		a->held += cap;
	}
	*out = a->cur->bytes + a->cur->used;
	a->cur->used += len;
	a->used += len;
	return CELLA_OK;
}

void onnx_str_reset(struct onnx_str_arena *a) /* see onnx_internal.h */
{
	for (struct onnx_str_chunk *c = a->head; c; c = c->next)
		c->used = 0;
	a->cur = a->head;
	a->used = 0;
}

void onnx_str_free(struct onnx_str_arena *a) /* see onnx_internal.h */
{
	struct onnx_str_chunk *c = a->head;
	while (c) {
		struct onnx_str_chunk *next = c->next;
		free(c);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}

uint64_t onnx_str_bytes(const struct cella_onnx_string *s, size_t n) /* see onnx_internal.h */
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += s[i].len;
	return total;
}
