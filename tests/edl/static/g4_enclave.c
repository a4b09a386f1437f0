// SPDX-License-Identifier: MIT
/*
 * Security checklist G4, enclave side. The image is linked with -Wl,--wrap=memcpy,--wrap=memmove,--wrap=memset
 * against a runtime built with -fno-builtin for those functions and with CELLA_RT_BOUNDARY_STATS
 * (tests/cmake/edl.cmake), so every copy in the runtime, the generated stubs and this file calls a wrapper below.
 * A copy that touches memory outside the enclave is counted as a raw copy on host memory: the window is reached
 * only through calls.c's boundary_copy, which is not memcpy and counts its own copies.
 */
#include <cella/enclave.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "g4_t.h"

void *__real_memcpy(void *restrict d, const void *restrict s, size_t n);
void *__real_memmove(void *d, const void *s, size_t n);
void *__real_memset(void *d, int c, size_t n);
void *__wrap_memcpy(void *restrict d, const void *restrict s, size_t n);
void *__wrap_memmove(void *d, const void *s, size_t n);
void *__wrap_memset(void *d, int c, size_t n);

extern uint64_t cella_rt_boundary_copies, cella_rt_boundary_bytes; /* src/enclave/calls.c, test builds */

static uint64_t g_calls;    /* wrapped calls seen since the first ecall */
static uint64_t g_host;     /* of those, calls whose source or destination is not wholly enclave memory */
static uint64_t g_first_pc; /* return address of the first such call, as an offset from note() */
static uint64_t g_boot_host, g_boot_pc; /* the same before the first ecall (boot), counted apart */
static int g_armed;         /* set by the first ecall (g4_hostbuf) */
static uint8_t *g_hostbuf;

/* Before boot has set the enclave's bounds nothing is inside them, not even this code: do not count then. */
static void note(const void *d, const void *s, size_t n, void *pc)
{
	bool armed = __atomic_load_n(&g_armed, __ATOMIC_RELAXED);
	if (n == 0 || !cella_is_within_enclave((const void *)(uintptr_t)note, 1))
		return;
	if (armed)
		__atomic_add_fetch(&g_calls, 1, __ATOMIC_RELAXED);
	if (!cella_is_within_enclave(d, n) || (s && !cella_is_within_enclave(s, n))) {
		uint64_t *cnt = armed ? &g_host : &g_boot_host, *first = armed ? &g_first_pc : &g_boot_pc;
		if (__atomic_add_fetch(cnt, 1, __ATOMIC_RELAXED) == 1)
			*first = (uint64_t)((uintptr_t)pc - (uintptr_t)note);
	}
}

void *__wrap_memcpy(void *restrict d, const void *restrict s, size_t n)
{
	note(d, s, n, __builtin_return_address(0));
	return __real_memcpy(d, s, n);
}

void *__wrap_memmove(void *d, const void *s, size_t n)
{
	note(d, s, n, __builtin_return_address(0));
	return __real_memmove(d, s, n);
}

void *__wrap_memset(void *d, int c, size_t n)
{
	note(d, NULL, n, __builtin_return_address(0));
	return __real_memset(d, c, n);
}

static int64_t sum32(const int32_t *v, size_t n)
{
	int64_t t = 0;
	for (size_t k = 0; v && k < n; k++)
		t += v[k];
	return t;
}

int64_t g4_ecall(const int32_t *a, int32_t *b, int32_t *c, size_t n, const uint8_t *sc, size_t sz, size_t cnt,
		 const char *s, char *ios, const wchar_t *ws, struct g4_node *deep, const uint8_t *uc, size_t ucn)
{
	int64_t t = sum32(a, n) + sum32(c, n);
	for (size_t k = 0; k < n; k++) {
		if (b)
			b[k] = (int32_t)k * 3;
		if (c)
			c[k] += 1;
	}
	for (size_t k = 0; sc && k < sz * cnt; k++)
		t += sc[k];
	t += s ? (int64_t)strlen(s) : 0;
	if (ios && ios[0])
		ios[0] = 'Z';
	t += ws ? (int64_t)wcslen(ws) : 0;
	if (deep) {
		t += sum32(deep->v, deep->n) + deep->tag;
		for (uint32_t k = 0; deep->v && k < deep->n; k++)
			deep->v[k] *= 2;
		deep->tag = -deep->tag;
	}
	for (size_t k = 0; uc && k < ucn; k++) /* [user_check]: the application reads host memory itself */
		t += uc[k];
	return t;
}

int64_t g4_ocalls(int32_t x)
{
	int32_t a[8], b[8], c[8];
	int32_t v[5] = {1, 2, 3, 4, 5};
	struct g4_node nd = {5, v, 7};
	char ios[] = "hello";
	int64_t r = 0, t = 0;
	uint8_t *p = NULL;
	for (int k = 0; k < 8; k++) {
		a[k] = x + k;
		c[k] = k;
	}
	if (g4_o(&r, a, b, c, 8, "string", ios, L"wide", &nd) != CELLA_OK)
		return -1;
	t = r + sum32(b, 8) + sum32(c, 8) + sum32(v, 5) + nd.tag + (ios[0] == 'H');
	if (g4_o(&r, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL) != CELLA_OK || r != 0)
		return -2;
	if (g4_o_ptr(&p) != CELLA_OK || !p || !cella_is_outside_enclave(p, 1))
		return -3;
	return t;
}

uint64_t g4_hostbuf(void)
{
	__atomic_store_n(&g_armed, 1, __ATOMIC_RELAXED);
	if (!g_hostbuf)
		g_hostbuf = cella_host_malloc(256);
	return (uint64_t)(uintptr_t)g_hostbuf;
}

void g4_stats(uint64_t *st)
{
	st[0] = __atomic_load_n(&g_calls, __ATOMIC_RELAXED);
	st[1] = __atomic_load_n(&g_host, __ATOMIC_RELAXED);
	st[2] = g_first_pc;
	st[3] = __atomic_load_n(&cella_rt_boundary_copies, __ATOMIC_RELAXED);
	st[4] = __atomic_load_n(&cella_rt_boundary_bytes, __ATOMIC_RELAXED);
	st[5] = (uint64_t)(uintptr_t)g_hostbuf;
	st[6] = __atomic_load_n(&g_boot_host, __ATOMIC_RELAXED);
	st[7] = g_boot_pc;
}

/* The control: raw copies to and from host memory, which the wrap must see (kind 0 memcpy, 1 memmove, 2 memset). */
int g4_raw_copy(uint64_t kind)
{
	uint8_t tmp[32] = {0};
	volatile size_t n = sizeof(tmp); /* not a constant: the call stays a call even with builtins */
	if (!g_hostbuf)
		return -1;
	if (kind == 0)
		memcpy(g_hostbuf, tmp, n);
	else if (kind == 1)
		memmove(tmp, g_hostbuf, n);
	else
		memset(g_hostbuf, 0, n);
	return tmp[0];
}
