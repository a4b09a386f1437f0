// SPDX-License-Identifier: MIT
/*
 * The window arena: first-fit allocation of window memory for large call buffers and cella_host_malloc.
 * All bookkeeping lives in host-private memory, so nothing the enclave writes into the window can corrupt it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN 16u

cella_result cella_arena_init(struct cella_arena *a, uint64_t lo, uint64_t hi)
{
	memset(a, 0, sizeof(*a));
	if (pthread_mutex_init(&a->lock, NULL) != 0)
		return CELLA_ERR_UNEXPECTED;
	a->lo = lo;
	a->hi = hi;
	if (hi > lo) {
		a->free_list = malloc(sizeof(*a->free_list) * 16);
		a->used = malloc(sizeof(*a->used) * 16);
		if (!a->free_list || !a->used) {
			cella_arena_fini(a);
			return CELLA_ERR_OUT_OF_MEMORY;
		}
		a->cap_free = a->cap_used = 16;
		a->free_list[0] = (struct cella_extent){lo, hi - lo, 0};
		a->nfree = 1;
	}
	return CELLA_OK;
}

void cella_arena_fini(struct cella_arena *a)
{
	if (a->cap_free || a->cap_used || a->free_list || a->used)
		pthread_mutex_destroy(&a->lock);
	free(a->free_list);
	free(a->used);
	memset(a, 0, sizeof(*a));
}

static bool insert(struct cella_extent **v, size_t *n, size_t *cap, size_t at, struct cella_extent x)
{
	if (*n == *cap) {
		struct cella_extent *p = realloc(*v, sizeof(**v) * *cap * 2);
		if (!p)
			return false;
		*v = p;
		*cap *= 2;
	}
	memmove(&(*v)[at + 1], &(*v)[at], (*n - at) * sizeof(**v));
	(*v)[at] = x;
	(*n)++;
	return true;
}

static void erase(struct cella_extent *v, size_t *n, size_t at)
{
	memmove(&v[at], &v[at + 1], (*n - at - 1) * sizeof(*v));
	(*n)--;
}

uint64_t cella_arena_alloc(struct cella_arena *a, uint64_t n, enum cella_arena_owner owner)
{
	uint64_t off = 0;
	size_t i, j;

	if (n == 0 || n > a->hi - a->lo)
		return 0;
	n = (n + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
	pthread_mutex_lock(&a->lock);
	for (i = 0; i < a->nfree; i++)
		if (a->free_list[i].len >= n)
			break;
	if (i == a->nfree)
		goto out;
	off = a->free_list[i].off;
	for (j = 0; j < a->nused && a->used[j].off < off; j++)
		;
	if (!insert(&a->used, &a->nused, &a->cap_used, j, (struct cella_extent){off, n, owner})) {
		off = 0;
		goto out;
	}
	a->free_list[i].off += n;
	a->free_list[i].len -= n;
	if (a->free_list[i].len == 0)
		erase(a->free_list, &a->nfree, i);
out:
	pthread_mutex_unlock(&a->lock);
	return off;
}

bool cella_arena_free(struct cella_arena *a, uint64_t off, unsigned owners)
{
	size_t lo = 0, hi, i;
	struct cella_extent x;
	bool ok = false;

	pthread_mutex_lock(&a->lock);
	hi = a->nused;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->used[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == a->nused || a->used[lo].off != off || !(a->used[lo].owner & owners))
		goto out;
	x = a->used[lo];
	x.owner = 0;
	erase(a->used, &a->nused, lo);
	for (i = 0; i < a->nfree && a->free_list[i].off < x.off; i++)
		;
	/* coalesce with neighbours */
	if (i > 0 && a->free_list[i - 1].off + a->free_list[i - 1].len == x.off) {
		a->free_list[i - 1].len += x.len;
		if (i < a->nfree && x.off + x.len == a->free_list[i].off) {
			a->free_list[i - 1].len += a->free_list[i].len;
			erase(a->free_list, &a->nfree, i);
		}
	} else if (i < a->nfree && x.off + x.len == a->free_list[i].off) {
		a->free_list[i].off = x.off;
		a->free_list[i].len += x.len;
	} else if (!insert(&a->free_list, &a->nfree, &a->cap_free, i, x)) {
		goto out; /* out of host memory: leak the extent rather than corrupt the lists */
	}
	ok = true;
out:
	pthread_mutex_unlock(&a->lock);
	return ok;
}
