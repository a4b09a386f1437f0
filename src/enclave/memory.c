// SPDX-License-Identifier: MIT
/* Address checks, host memory in the window, RDRAND. */
#include "rt.h"

#include <string.h>

/* [p, p+n) as [*lo, *hi); false for NULL and wrap-around. n = 0 counts as 1 (as OE and the Intel SDK do). */
static bool range(const void *p, size_t n, uint64_t *lo, uint64_t *hi)
{
	*lo = (uint64_t)p;
	*hi = *lo + (n ? n : 1);
	return p != NULL && *hi > *lo;
}

/* see cella/enclave.h */
bool cella_is_within_enclave(const void *p, size_t n)
{
	uint64_t lo, hi, base = (uint64_t)rt.base;
	return range(p, n, &lo, &hi) && lo >= base && hi <= base + rt.size;
}

/* see cella/enclave.h */
bool cella_is_outside_enclave(const void *p, size_t n)
{
	uint64_t lo, hi, base = (uint64_t)rt.base;
	return range(p, n, &lo, &hi) && (hi <= base || lo >= base + rt.size);
}

/* see cella/enclave.h */
bool cella_is_within_window(const void *p, size_t n)
{
	uint64_t lo, hi, base = (uint64_t)rt.win;
	return rt.win && range(p, n, &lo, &hi) && lo >= base && hi <= base + rt.hdr.window_bytes;
}

/* see cella/enclave.h */
bool cella_is_host_memory(const void *p, size_t n)
{
	/* the sandbox's only host memory; the SGX world relaxes this to cella_is_outside_enclave */
	return cella_is_within_window(p, n) && cella_is_outside_enclave(p, n);
}

/* see cella/enclave.h */
void *cella_host_malloc(size_t n)
{
	uint64_t size = n, off = 0;
	size_t wl = 0;
	if (cella_ocall(CELLA_OCALL_MALLOC, &size, sizeof(size), &off, sizeof(off), &wl) != CELLA_OK ||
	    wl != sizeof(off) || off == 0)
		return NULL;
	/* The host chose the offset: it must lie in the arena and hold n bytes, or we refuse it. */
	if (off < rt.hdr.arena_off || off > rt.hdr.arena_off + rt.hdr.arena_bytes ||
	    n > rt.hdr.arena_off + rt.hdr.arena_bytes - off || off % CELLA_WINDOW_ALIGN)
		return NULL;
	return rt.win + off;
}

/* see cella/enclave.h */
void cella_host_free(void *p)
{
	uint64_t off;
	size_t wl = 0;
	if (!p || !cella_is_within_window(p, 1))
		return;
	off = (uint64_t)((uint8_t *)p - rt.win);
	if (cella_ocall(CELLA_OCALL_FREE, &off, sizeof(off), NULL, 0, &wl) != CELLA_OK)
		return; /* the host keeps the block; nothing the enclave can do about it */
}

/* see rt.h */
void rt_wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* see rt.h */
bool rt_rdrand64(uint64_t *v)
{
	unsigned long long x = 0;
	bool ok = false;
	for (int i = 0; i < 100 && !ok; i++)
		ok = __builtin_ia32_rdrand64_step(&x) != 0;
	if (ok)
		*v = x;
	rt_wipe(&x, sizeof(x));
	return ok;
}

/* see cella/enclave.h */
cella_result cella_random(void *buf, size_t n)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	uint8_t *p = buf;
	uint64_t v = 0; /* the value being handed out: wiped on every path */
	while (n) {
		size_t k = n < 8 ? n : 8;
		if (!rt_rdrand64(&v))
			CELLA_FAIL(CELLA_ERR_CRYPTO);
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
	r = CELLA_OK;
out:
	rt_wipe(&v, sizeof(v));
	return r;
}

/* Fortified entry points Debian's BearSSL calls; musl has none. Check the destination size, then copy. */
void *__memcpy_chk(void *d, const void *s, size_t n, size_t dn)
{
	if (n > dn)
		cella_abort("__memcpy_chk overflow");
	return memcpy(d, s, n);
}

void *__memmove_chk(void *d, const void *s, size_t n, size_t dn)
{
	if (n > dn)
		cella_abort("__memmove_chk overflow");
	return memmove(d, s, n);
}

void *__memset_chk(void *d, int c, size_t n, size_t dn)
{
	if (n > dn)
		cella_abort("__memset_chk overflow");
	return memset(d, c, n);
}
