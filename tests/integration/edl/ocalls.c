// SPDX-License-Identifier: MIT
/* Host side of the EDL tests: the ocall implementations, each checking what the enclave sent. */
#include <errno.h>
#include <string.h>
#include <wchar.h>

#include "edltest_host.h"

struct cella_enclave *g_enclave;
uint64_t g_secret_addr;
int g_switchless_calls;
unsigned g_msgv_calls;

int32_t o_scalars(char c, short s, long long ll, float f, double d, long double ld, bool b, wchar_t w, size_t z,
		  uint64_t u64, enum mode m, struct pair p)
{
	int32_t bad = 0;
	bad |= (c != 'A') << 0;
	bad |= (s != -1234) << 1;
	bad |= (ll != -9000000000000000LL) << 2;
	bad |= (f != 1.5f) << 3;
	bad |= (d != -2.25) << 4;
	bad |= (ld != 1.0L / 3.0L) << 5;
	bad |= (b != true) << 6;
	bad |= (w != 0x3a9) << 7;
	bad |= (z != SIZE_MAX - 1) << 8;
	bad |= (u64 != UINT64_MAX) << 9;
	bad |= (m != MODE_B) << 10;
	bad |= (p.a != 1 || p.b != 2 || p.c != 3) << 11;
	return bad;
}

void o_ptrs(const int32_t *in, int32_t *out, int32_t *io, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (in && in[k] != (int32_t)k + 1)
			return;
		if (out)
			out[k] = 50 + (int32_t)k;
		if (io)
			io[k] = -(int32_t)k;
	}
}

size_t o_strings(const char *s, char *ios, const wchar_t *ws)
{
	if (strcmp(ios, "abc") || wcscmp(ws, L"w"))
		return 0;
	memcpy(ios, "DEF", 4);
	return strlen(s);
}

int o_structs(const struct pair *p, struct pair *q, struct rec *r)
{
	if (p->a != 1 || p->b != 2 || p->c != 3 || q->a || q->b || q->c)
		return 1;
	*q = (struct pair){4, 5, 6};
	if (r->n != 2 || r->vals[0] != 7 || r->vals[1] != 8 || r->blen != 1 || r->bytes[0] != 9 || strcmp(r->tag, "tt"))
		return 2;
	r->vals[0]++;
	r->vals[1]++;
	r->bytes[0] ^= 1;
	memcpy(r->tag, "uu", 3);
	r->n = 99; /* ignored: the enclave keeps its own size */
	return 0;
}

int o_errno(int e)
{
	errno = e;
	return -1;
}

int o_reenter(int x)
{
	int r = -1, twice = 0;
	/* a private ecall, allowed only while this ocall runs */
	if (e_private(edltest_ocall_enclave(), &r, x) != CELLA_OK)
		return -3;
	/* a public one its allow list names is entered too; one it does not name is refused */
	if (e_same(edltest_ocall_enclave(), &twice, x) != CELLA_OK || twice != 2 * x)
		return -4;
	if (e_void(edltest_ocall_enclave()) != CELLA_ERR_ECALL_NOT_ALLOWED)
		return -5;
	return r;
}

uint8_t *o_ptr(int kind)
{
	if (kind == 1)
		return (uint8_t *)(uintptr_t)0x1000;
	if (kind == 2)
		return (uint8_t *)(uintptr_t)g_secret_addr;
	return NULL;
}

/* returns whatever the enclave names: the enclave tests which returned pointers its stub lets through */
struct wide *o_wide(uint64_t addr)
{
	return (struct wide *)(uintptr_t)addr;
}

/*
 * A hostile reply for enclaves whose m[0].data is m[1]: the bytes going back to m[0].data form a struct msg that
 * points at `target`, and m[1]'s bytes are 'A's. Returns how many times it ran.
 */
uint32_t o_msgs(struct msg *m, uint64_t target)
{
	static uint32_t calls;
	struct msg forged = {8, (uint8_t *)(uintptr_t)target};
	if (m && m[0].data && m[0].len >= sizeof(forged))
		memcpy(m[0].data, &forged, sizeof(forged));
	if (m && m[1].data)
		memset(m[1].data, 'A', m[1].len);
	return ++calls;
}

/* Fills each message's buffer with 'a' + its index (mod 26), and x with 'X'. */
void o_msgv(struct msg *m, size_t n, uint8_t *x, size_t xn)
{
	g_msgv_calls++;
	for (size_t k = 0; m && k < n; k++)
		if (m[k].data)
			memset(m[k].data, 'a' + (int)(k % 26), m[k].len);
	if (x)
		memset(x, 'X', xn);
}

void o_switchless(void)
{
	g_switchless_calls++;
}

uint64_t o_big(uint8_t *buf, size_t n)
{
	uint64_t s = 0;
	for (size_t k = 0; k < n; k++) {
		s += buf[k];
		buf[k] = (uint8_t)~k;
	}
	return s;
}

int o_imported(int x)
{
	return x + 10;
}

/* The long doubles an ocall's deep copy brings: how many of their padding bytes (6 of each 16) are not zero. */
uint64_t o_ldvec(const struct ldvec *lv)
{
	uint64_t dirty = 0;
	const uint8_t *b = (const uint8_t *)lv->v;
	for (uint32_t i = 0; i < lv->n; i++)
		for (size_t k = 10; k < sizeof(long double); k++)
			dirty += b[i * sizeof(long double) + k] != 0;
	return dirty;
}

/* Bool bytes other than 0 and 1 (a lying host): the enclave must see them as 1. */
struct flags o_bools(bool *a, struct flags *io, struct flagvec *fv)
{
	struct flags r;
	memset(&r, 0, sizeof(r));
	memset(&r.on, 0x80, 1);
	memset(&r.bits[2], 9, 1);
	if (a)
		memset(a, 0x22, 4);
	if (io) {
		memset(&io->on, 0x33, 1);
		memset(io->bits, 0x44, sizeof(io->bits));
	}
	if (fv && fv->n == 2 && fv->v && fv->f) {
		memset(fv->v, 0xfe, 2);
		memset(&fv->f->on, 3, 1);
	}
	return r;
}
