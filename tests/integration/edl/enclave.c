// SPDX-License-Identifier: MIT
/* Enclave side of the EDL round-trip tests: checks every value it receives, returns known values. */
#include <cella/enclave.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "edltest_t.h"

static uint32_t g_fail;      /* bit per failed check, read and cleared by e_status */
static uint32_t g_counter;   /* runs of the e_hostile_* functions */
static volatile uint64_t g_secret = 0x5ec2e75ec2e75ec2ull;
static uint8_t *g_hostbuf;

#define CHECK(bit, cond)                     \
	do {                                 \
		if (!(cond))                 \
			g_fail |= 1u << (bit); \
	} while (0)

uint32_t e_status(void)
{
	uint32_t f = g_fail;
	g_fail = 0;
	return f;
}

int32_t e_scalars(char c, signed char sc, unsigned char uc, short s, unsigned short us, int i, unsigned u, long l,
		  unsigned long ul, long long ll, unsigned long long ull, float f, double d, long double ld, bool b,
		  wchar_t w, size_t z, int8_t i8, int16_t i16, int32_t i32, int64_t i64, uint8_t u8, uint16_t u16,
		  uint32_t u32, uint64_t u64, enum mode m, struct pair p, union num nu)
{
	int32_t bad = 0;
	bad |= (c != 'A') << 0;
	bad |= (sc != -5) << 1;
	bad |= (uc != 200) << 2;
	bad |= (s != -1234) << 3;
	bad |= (us != 60000) << 4;
	bad |= (i != -123456) << 5;
	bad |= (u != 4000000000u) << 6;
	bad |= (l != -1234567890123L) << 7;
	bad |= (ul != 12345678901234UL) << 8;
	bad |= (ll != -9000000000000000LL) << 9;
	bad |= (ull != 18000000000000000000ULL) << 10;
	bad |= (f != 1.5f) << 11;
	bad |= (d != -2.25) << 12;
	bad |= (ld != 1.0L / 3.0L) << 13;
	bad |= (b != true) << 14;
	bad |= (w != 0x3a9) << 15;
	bad |= (z != SIZE_MAX - 1) << 16;
	bad |= (i8 != INT8_MIN) << 17;
	bad |= (i16 != INT16_MIN) << 18;
	bad |= (i32 != INT32_MIN) << 19;
	bad |= (i64 != INT64_MIN) << 20;
	bad |= (u8 != UINT8_MAX) << 21;
	bad |= (u16 != UINT16_MAX) << 22;
	bad |= (u32 != UINT32_MAX) << 23;
	bad |= (u64 != UINT64_MAX) << 24;
	bad |= (m != MODE_C) << 25;
	bad |= (p.a != -7 || p.b != 9 || p.c != (1ll << 40)) << 26;
	bad |= (nu.d != 6.5) << 27;
	return bad;
}

void e_void(void)
{
	g_counter += 0;
}

void e_ptrs(const int32_t *in1, int32_t *out1, int32_t *io1, const int32_t *inc, int32_t *outc, int32_t *ioc, size_t n,
	    const void *ins, void *outs, void *ios, uint32_t sz)
{
	const uint8_t *bi = ins;
	uint8_t *bo = outs, *bio = ios;
	CHECK(0, in1 && *in1 == 11 && cella_is_within_enclave(in1, 4));
	CHECK(1, out1 && *out1 == 0); /* [out] arrives zeroed */
	*out1 = 22;
	CHECK(2, io1 && *io1 == 33);
	*io1 = 44;
	CHECK(3, n == 5);
	for (size_t k = 0; k < n; k++) {
		CHECK(4, inc[k] == (int32_t)(k * 3 + 1));
		CHECK(5, outc[k] == 0);
		outc[k] = (int32_t)(k * 5);
		CHECK(6, ioc[k] == (int32_t)(k * 7));
		ioc[k] = (int32_t)(k * 7 + 100);
	}
	CHECK(7, sz == 37);
	for (uint32_t k = 0; k < sz; k++) {
		CHECK(8, bi[k] == (uint8_t)(k ^ 0x5a));
		CHECK(9, bo[k] == 0);
		bo[k] = (uint8_t)(k ^ 0xa5);
		CHECK(10, bio[k] == (uint8_t)k);
		bio[k] = (uint8_t)(255 - k);
	}
	CHECK(11, cella_is_within_enclave(outs, sz) && cella_is_within_enclave(ios, sz));
}

uint64_t e_sizecount(const uint8_t *buf, size_t esz, size_t cnt, uint16_t *o)
{
	uint64_t sum = 0;
	for (size_t k = 0; k < esz * cnt; k++)
		sum += buf[k];
	for (size_t k = 0; k < cnt * 2 + 1; k++) {
		CHECK(0, o[k] == 0);
		o[k] = (uint16_t)(k + 1);
	}
	return sum;
}

size_t e_strings(const char *s, char *ios, const wchar_t *ws, wchar_t *iows)
{
	CHECK(0, strcmp(s, "hello enclave") == 0);
	CHECK(1, strcmp(ios, "abc") == 0);
	memcpy(ios, "XYZ", 4);
	CHECK(2, wcscmp(ws, L"wide \x3a9") == 0);
	CHECK(3, wcscmp(iows, L"wx") == 0);
	iows[0] = L'W';
	iows[1] = L'X';
	return strlen(s);
}

void e_arrays(int32_t a[4], int32_t b[2][3], int64_t c[EDLTEST_MAX])
{
	for (int k = 0; k < 4; k++)
		CHECK(0, a[k] == k + 1);
	for (int r = 0; r < 2; r++)
		for (int k = 0; k < 3; k++) {
			CHECK(1, b[r][k] == 0);
			b[r][k] = r * 10 + k;
		}
	for (int k = 0; k < EDLTEST_MAX; k++) {
		CHECK(2, c[k] == (int64_t)k * k);
		c[k] = -k;
	}
}

void e_foreign(arr4_t a, arr4_t b, u32ptr_t p, u32ptr_t q, cbytes_t r)
{
	for (int k = 0; k < 4; k++) {
		CHECK(0, a[k] == 100 + k);
		b[k] = 200 + k;
	}
	CHECK(1, *p == 0xdeadbeefu);
	CHECK(2, q[0] == 1 && q[1] == 2);
	q[0] = 3;
	q[1] = 4;
	CHECK(3, r[0] == 9 && r[1] == 8 && r[2] == 7 && r[3] == 6);
}

static int check_rec(const struct rec *r, uint32_t n, int base)
{
	if (r->n != n || r->blen != n + 1 || !r->vals || !r->bytes || !cella_is_within_enclave(r->vals, 4 * n))
		return 1;
	for (uint32_t j = 0; j < n; j++)
		if (r->vals[j] != base * 100 + (int32_t)j)
			return 1;
	for (uint32_t j = 0; j < n + 1; j++)
		if (r->bytes[j] != (uint8_t)(base + j))
			return 1;
	return 0;
}

int e_structs(const struct pair *pin, struct pair *pout, struct pair *pio, const struct rec *rin, struct rec *rio,
	      struct tree *t)
{
	int bad = 0;
	bad |= (pin->a != 1 || pin->b != 2 || pin->c != 3) << 0;
	bad |= (pout[0].a != 0 || pout[1].c != 0) << 1;
	pout[0] = (struct pair){10, 11, 12};
	pout[1] = (struct pair){20, 21, 22};
	bad |= (pio->a != 4 || pio->b != 5 || pio->c != 6) << 2;
	*pio = (struct pair){7, 8, 9};
	bad |= check_rec(&rin[0], 1, 0) << 3;
	bad |= check_rec(&rin[1], 2, 1) << 4;
	bad |= (rin[0].tag[0] != 'r' || rin[1].tag[1] != '1') << 5;
	bad |= check_rec(rio, 3, 5) << 6;
	for (uint32_t j = 0; j < rio->n; j++)
		rio->vals[j] *= 2;
	for (uint32_t j = 0; j < rio->blen; j++)
		rio->bytes[j] ^= 0xff;
	memcpy(rio->tag, "ok", 3);
	rio->n = 1000;       /* size members are read-only: the stub restores them */
	rio->vals = (int32_t *)&g_secret; /* and pointers never go back to the host */
	bad |= (t->nkids != 2 || t->id != 41) << 7;
	for (uint16_t k = 0; k < t->nkids && k < 2; k++) {
		bad |= check_rec(&t->kids[k], k + 1u, 7 + k) << 8;
		for (uint32_t j = 0; j < t->kids[k].n; j++)
			t->kids[k].vals[j] += 1;
	}
	t->id = 77;
	return bad;
}

struct pair e_retstruct(int32_t a)
{
	struct pair r;
	memset(&r, 0xaa, sizeof(r)); /* padding holds 0xaa; the stub must not let it out */
	r.a = a;
	r.b = -1;
	r.c = (int64_t)a * 1000;
	return r;
}

uint64_t e_hostbuf(void)
{
	if (!g_hostbuf) {
		g_hostbuf = cella_host_malloc(64);
		if (!g_hostbuf)
			return 0;
		for (int k = 0; k < 64; k++)
			g_hostbuf[k] = (uint8_t)k;
	}
	return (uint64_t)(uintptr_t)g_hostbuf;
}

uint64_t e_user_check(uint8_t *p, uint8_t *q, size_t n)
{
	uint64_t sum = 0;
	if (p)
		sum += p[0] + p[1] + p[2] + p[3];
	for (size_t k = 0; q && k < n; k++)
		sum += q[k];
	return sum;
}

int e_nulls(const int32_t *a, int32_t *b, int32_t *c, const char *s, size_t n)
{
	return (a != NULL) | (b != NULL) << 1 | (c != NULL) << 2 | (s != NULL) << 3 | (n != 5) << 4;
}

long double e_ldouble(long double *v, long double x)
{
	CHECK(0, v[0] == 1.25L && v[1] == 2.5L);
	v[0] *= 2;
	v[1] *= 2;
	return v[0] + v[1] + x;
}

bool e_bool(bool b)
{
	return !b;
}

/* The bool bytes the enclave sees, read as bytes: 1000 per byte that is neither 0 nor 1, plus the bytes that are 1. */
static uint32_t bool_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t r = 0;
	for (size_t i = 0; i < n; i++)
		r += b[i] > 1 ? 1000 : b[i];
	return r;
}

static uint32_t flag_bytes(const struct flags *f)
{
	return bool_bytes(&f->on, 1) + bool_bytes(f->bits, sizeof(f->bits));
}

uint32_t e_bools(const bool *a, size_t n, struct flags s, struct flags *io, const struct flagvec *fv)
{
	if (!a || !io || !fv || !fv->v || !fv->f)
		return UINT32_MAX;
	return bool_bytes(a, n) + flag_bytes(&s) + flag_bytes(io) + bool_bytes(fv->v, fv->n) + flag_bytes(fv->f);
}

uint32_t e_bool_ocalls(void)
{
	bool a[4], v[2];
	struct flags io, f, ret;
	struct flagvec fv = {2, v, &f};
	memset(a, 0, sizeof(a));
	memset(v, 0, sizeof(v));
	memset(&io, 0, sizeof(io));
	memset(&f, 0, sizeof(f));
	memset(&ret, 0, sizeof(ret));
	if (o_bools(&ret, a, &io, &fv) != CELLA_OK || fv.v != v || fv.f != &f)
		return UINT32_MAX;
	return bool_bytes(a, sizeof(a)) + flag_bytes(&io) + flag_bytes(&ret) + bool_bytes(v, sizeof(v)) + flag_bytes(&f);
}

int e_private(int x)
{
	return x * 3;
}

int e_nested(int x)
{
	int r = -1;
	if (o_reenter(&r, x) != CELLA_OK)
		return -2;
	return r;
}

int e_switchless(int x)
{
	if (o_switchless() != CELLA_OK)
		return -1;
	return x + 1;
}

int e_same(int e_same)
{
	return e_same * 2;
}

int e_imported(int x)
{
	int r = 0;
	if (o_imported(&r, x) != CELLA_OK)
		return -1;
	return r + 1;
}

uint64_t e_secret_addr(void)
{
	return (uint64_t)(uintptr_t)&g_secret;
}

uint32_t e_counter(void)
{
	return g_counter;
}

uint64_t e_hostile_in(const uint8_t *buf, size_t n)
{
	uint64_t s = 0;
	g_counter++;
	for (size_t k = 0; k < n; k++)
		s += buf[k];
	return s;
}

uint64_t e_hostile_sc(const uint8_t *buf, uint64_t sz, uint64_t cnt)
{
	g_counter++;
	return buf ? buf[0] + sz * cnt : 0;
}

uint64_t e_hostile_str(const char *s)
{
	g_counter++;
	return s ? strlen(s) : 0;
}

uint64_t e_hostile_uc(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	g_counter++;
	for (size_t k = 0; p && k < n; k++)
		s += p[k];
	return s;
}

uint64_t e_hostile_deep(const struct rec *r)
{
	uint64_t s = 0;
	g_counter++;
	for (uint32_t k = 0; r->vals && k < r->n; k++)
		s += (uint64_t)r->vals[k];
	for (size_t k = 0; r->bytes && k < r->blen; k++)
		s += r->bytes[k];
	return s;
}

int e_hostile_neg(const int32_t *a, int n)
{
	g_counter++;
	return a ? n : -1;
}

/* Fills a stretch of stack with 0xaa, so stale bytes would show. */
static __attribute__((noinline)) void poison_stack(int depth)
{
	volatile uint8_t junk[512];
	memset((void *)junk, 0xaa, sizeof(junk));
	if (depth > 0)
		poison_stack(depth - 1);
}

void e_leak(struct pair *p, long double *ld, void *raw)
{
	struct pair tmp;
	void *h = malloc(4096);
	if (h) {
		memset(h, 0xaa, 4096);
		free(h);
	}
	poison_stack(8);
	memset(&tmp, 0xaa, sizeof(tmp));
	tmp.a = 1;
	tmp.b = 2;
	tmp.c = 3;
	memcpy(p, &tmp, sizeof(tmp)); /* the padding goes out as 0xaa unless the stub scrubs it */
	for (int k = 0; k < 4; k++) {
		union {
			long double v;
			uint8_t b[sizeof(long double)];
		} u;
		memset(u.b, 0xaa, sizeof(u.b));
		u.v = k;
		memcpy(&ld[k], u.b, sizeof(u.b));
	}
	memset(raw, 0x11, 10); /* the other 54 bytes stay as the stub gave them: zero */
}

/*
 * The largest n for which ok(p, n) holds, given ok(p, 1); ok must hold for every n up to its largest (an address
 * range that grows from p). Used to find where the enclave starts and where the window ends.
 */
static uint64_t largest(bool (*ok)(const void *, size_t), uintptr_t p, bool down)
{
	uint64_t lo = 1, hi = down ? p : (uint64_t)1 << 48; /* ok(lo) holds, ok(hi) does not */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (down ? ok((const void *)(p - mid), 1) : ok((const void *)p, mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Pointers an ocall returns are checked over the whole pointee (struct wide, 64 bytes): one whose first byte is
 * host memory but which reaches past the window's end, or into the enclave's start, fails the call.
 */
static uint32_t returned_pointers(void)
{
	uint32_t bad = 0;
	struct wide *w = (struct wide *)1, *host = cella_host_malloc(sizeof(*host));
	uintptr_t start = (uintptr_t)&g_secret - largest(cella_is_within_enclave, (uintptr_t)&g_secret, true);
	uintptr_t win_end;
	if (!host)
		return 1u << 13;
	win_end = (uintptr_t)host + largest(cella_is_within_window, (uintptr_t)host, false);
	if (o_wide(&w, (uint64_t)(uintptr_t)host) != CELLA_OK || w != host)
		bad |= 1u << 13;
	if (o_wide(&w, 0) != CELLA_OK || w != NULL)
		bad |= 1u << 14;
	w = (struct wide *)1;
	if (!cella_is_within_window((const void *)(win_end - 8), 8) || cella_is_within_window((const void *)win_end, 1) ||
	    o_wide(&w, win_end - 8) != CELLA_ERR_HOST_POINTER || w != (struct wide *)1)
		bad |= 1u << 15;
	if (!cella_is_outside_enclave((const void *)(start - 8), 8) || !cella_is_within_enclave((const void *)start, 1) ||
	    o_wide(&w, start - 8) != CELLA_ERR_HOST_POINTER || w != (struct wide *)1)
		bad |= 1u << 16;
	cella_host_free(host);
	return bad;
}

/*
 * An ocall's [in, out] deep regions that overlap (m[0].data is m[1]) are refused before the host runs: else the
 * copy-back of m[0].data would write the host's forged m[1], whose pointer the next write follows (to victim).
 * The control call, with separate buffers, reaches the host once and gets its bytes back.
 */
static uint32_t aliased_copy_back(void)
{
	uint32_t bad = 0, before = 0, after = 0, none = 0;
	volatile uint64_t victim = 0x1111;
	uint8_t tail[16], buf0[sizeof(struct msg)];
	struct msg m[2], forged = {8, (uint8_t *)(uintptr_t)&victim};

	m[0].len = sizeof(struct msg);
	m[0].data = buf0;
	m[1].len = sizeof(tail);
	m[1].data = tail;
	if (o_msgs(&before, m, (uint64_t)(uintptr_t)&victim) != CELLA_OK || memcmp(buf0, &forged, sizeof(forged)) ||
	    tail[0] != 'A' || tail[15] != 'A' || m[1].data != tail)
		bad |= 1u << 17;
	m[0].data = (uint8_t *)&m[1];
	if (o_msgs(&none, m, (uint64_t)(uintptr_t)&victim) != CELLA_ERR_INVALID_ARG || none != 0)
		bad |= 1u << 18;
	if (victim != 0x1111 || m[1].data != tail || m[1].len != sizeof(tail))
		bad |= 1u << 19;
	m[0].data = buf0;
	if (o_msgs(&after, m, (uint64_t)(uintptr_t)&victim) != CELLA_OK || after != before + 1)
		bad |= 1u << 20;
	return bad;
}

/* The ocall round trip: every check in one bitmask (0 = all passed). */
static uint32_t ocall_round_trip(void)
{
	uint32_t bad = 0;
	int32_t r32 = -1, in[4] = {1, 2, 3, 4}, out[4] = {9, 9, 9, 9}, io[4] = {0, 2, 4, 6};
	size_t rz = 0;
	char ios[4] = "abc";
	struct pair q = {0, 0, 0}, p = {1, 2, 3};
	int32_t vals[2] = {7, 8};
	uint8_t bytes[1] = {9};
	struct rec r = {2, vals, 1, bytes, "tt"};
	int ri = 0;
	uint8_t *ptr = (uint8_t *)1;
	uint8_t big[3000];
	uint64_t r64 = 0;

	if (o_scalars(&r32, 'A', -1234, -9000000000000000LL, 1.5f, -2.25, 1.0L / 3.0L, true, 0x3a9, SIZE_MAX - 1,
		      UINT64_MAX, MODE_B, p) != CELLA_OK || r32 != 0)
		bad |= 1u << 0;
	if (o_ptrs(in, out, io, 4) != CELLA_OK)
		bad |= 1u << 1;
	for (int k = 0; k < 4; k++)
		if (out[k] != 50 + k || io[k] != -k)
			bad |= 1u << 2;
	if (o_strings(&rz, "from enclave", ios, L"w") != CELLA_OK || rz != 12 || strcmp(ios, "DEF"))
		bad |= 1u << 3;
	if (o_structs(&ri, &p, &q, &r) != CELLA_OK || ri != 0 || q.a != 4 || q.b != 5 || q.c != 6)
		bad |= 1u << 4;
	if (r.n != 2 || r.vals != vals || vals[0] != 8 || vals[1] != 9 || bytes[0] != 8 || strcmp(r.tag, "uu"))
		bad |= 1u << 5;
	errno = 0;
	if (o_errno(&ri, 42) != CELLA_OK || ri != -1 || errno != 42)
		bad |= 1u << 6;
	if (o_ptr(&ptr, 0) != CELLA_OK || ptr != NULL)
		bad |= 1u << 7;
	/* a returned pointer must be host memory the enclave may touch, as a [user_check] one: 0x1000 is not */
	if (o_ptr(&ptr, 1) != CELLA_ERR_HOST_POINTER || ptr != NULL)
		bad |= 1u << 8;
	for (size_t k = 0; k < sizeof(big); k++)
		big[k] = (uint8_t)k;
	if (o_big(&r64, big, sizeof(big)) != CELLA_OK)
		bad |= 1u << 9;
	for (size_t k = 0; k < sizeof(big); k++)
		if (big[k] != (uint8_t)~k)
			bad |= 1u << 10;
	if (o_ptrs(NULL, NULL, NULL, 3) != CELLA_OK)
		bad |= 1u << 11;
	/* an [in] pointer outside the enclave is refused before anything is sent */
	if (g_hostbuf && o_ptrs((const int32_t *)g_hostbuf, out, io, 4) != CELLA_ERR_INVALID_ARG)
		bad |= 1u << 12;
	return bad | returned_pointers() | aliased_copy_back();
}

uint32_t e_ocalls(int32_t x)
{
	int32_t out[4], io[4] = {0};
	char ios[4] = "abc";
	size_t rz;
	uint8_t *ptr = NULL;
	switch (x) {
	case 0:
		return ocall_round_trip();
	case 1: /* the host replies with fewer bytes than the reply needs */
		return (uint32_t)o_ptrs(NULL, out, io, 4);
	case 2: /* the host returns an [in, out] string without its terminator */
		return (uint32_t)o_strings(&rz, "x", ios, L"w") | (ios[3] == 0 ? 0 : 0x10000u);
	case 3: /* the host returns a pointer into the enclave */
		return (uint32_t)o_ptr(&ptr, 2) | (ptr == NULL ? 0 : 0x10000u);
	default:
		return 0xffffffffu;
	}
}

/* x * k computed on the x87 unit and stored as it stores long doubles: 10 bytes, the slot's padding untouched */
static __attribute__((noinline)) void ld_store(long double *out, long double x, int k)
{
	volatile long double t = x;
	*out = t * (long double)k;
}

/*
 * Deep copies in ocalls: bit 0 set if the padding of long doubles nested in a struct reached the host (the enclave
 * fills it with 0xaa first), bit 1 if an ocall whose struct nests a pointer to host memory was sent (the nested
 * buffer, like the top-level one, must lie in the enclave: the host could change it between the two passes that
 * size and copy it), bit 2 if the control (the same call on enclave memory) failed.
 */
uint64_t e_deep_ocalls(void)
{
	long double v[3], *host = cella_host_malloc(sizeof(v));
	struct ldvec lv = {3, v};
	uint64_t dirty = 1, r = 0;
	memset(v, 0xaa, sizeof(v));
	for (int i = 0; i < 3; i++)
		ld_store(&v[i], 1.0L / 3.0L, i + 1);
	if (o_ldvec(&dirty, &lv) != CELLA_OK || dirty != 0)
		r |= 1;
	if (!host)
		return r | 2;
	memset(host, 0, sizeof(v));
	lv.v = host;
	if (o_ldvec(&dirty, &lv) != CELLA_ERR_INVALID_ARG)
		r |= 2;
	cella_host_free(host);
	lv.v = v;
	memset(v, 0, sizeof(v));
	if (o_ldvec(&dirty, &lv) != CELLA_OK || dirty != 0)
		r |= 4;
	return r;
}

/*
 * The regions an ocall's copy-back writes (o_msgv: the array m, each m[k].data of 16 bytes, and x when with_x)
 * laid out as `layout` says; the caller refuses the call before the host runs if any two overlap:
 *   SEPARATE       every region apart from the others
 *   ADJACENT       the array, then the buffers and x back to back: touching is not overlapping
 *   LAST_ON_FIRST  SEPARATE, but the last buffer starts on the first one's last byte (n >= 2)
 *   DATA_ON_ARRAY  ADJACENT, but the first buffer starts on the array's last byte, a byte of m[n - 1].data that
 *                  the host would then forge
 *   ZERO_INSIDE    SEPARATE, but m[0] is empty and points into the array: a region of no bytes overlaps nothing
 *   X_ON_LAST      SEPARATE with x, x starting on the last buffer's last byte
 * *result is what o_msgv returned. Returns 0, or bit 0 if a buffer or x is not as the host wrote it (after
 * success) or not untouched (after a refusal), bit 1 if the array changed, bit 2 for bad arguments.
 */
uint32_t e_copy_back(uint32_t n, uint32_t layout, uint32_t with_x, int32_t *result)
{
	static _Alignas(16) uint8_t pool[EDLTEST_MSGS_MAX * (sizeof(struct msg) + 32) + 64];
	struct msg *m = (struct msg *)pool, want[EDLTEST_MSGS_MAX];
	bool adjacent = layout == LAYOUT_ADJACENT || layout == LAYOUT_DATA_ON_ARRAY;
	size_t stride = adjacent ? 16 : 32;
	uint8_t *base = pool + n * sizeof(struct msg) + (adjacent ? 0 : 16), *x = NULL;
	uint32_t bad = 0;
	cella_result r;

	if (n == 0 || n > EDLTEST_MSGS_MAX || (layout == LAYOUT_LAST_ON_FIRST && n < 2))
		return 4;
	memset(pool, 0, sizeof(pool));
	for (uint32_t k = 0; k < n; k++) {
		m[k].len = 16;
		m[k].data = base + k * stride;
	}
	if (with_x || layout == LAYOUT_X_ON_LAST)
		x = base + n * stride;
	if (layout == LAYOUT_LAST_ON_FIRST)
		m[n - 1].data = m[0].data + 15;
	else if (layout == LAYOUT_DATA_ON_ARRAY)
		m[0].data = base - 1;
	else if (layout == LAYOUT_ZERO_INSIDE)
		m[0] = (struct msg){0, (uint8_t *)&m[n - 1]};
	else if (layout == LAYOUT_X_ON_LAST)
		x = m[n - 1].data + 15;
	memcpy(want, m, n * sizeof(*m));
	r = o_msgv(m, n, x, x ? 16 : 0);
	*result = (int32_t)r;
	if (memcmp(m, want, n * sizeof(*m)))
		bad |= 2;
	for (uint32_t k = 0; k < n; k++)
		for (uint64_t i = 0; i < want[k].len; i++)
			if (want[k].data[i] != (r == CELLA_OK ? 'a' + k % 26 : 0))
				bad |= 1;
	for (size_t i = 0; x && i < 16; i++)
		if (x[i] != (r == CELLA_OK ? 'X' : 0))
			bad |= 1;
	return bad;
}

/* count=-1 + n and count=- -m + 1: the sum of a's n - 1 and b's m + 1 elements */
int64_t e_negexpr(const int32_t *a, const int32_t *b, size_t n, size_t m)
{
	int64_t sum = 0;
	for (size_t i = 0; i + 1 < n; i++)
		sum += a[i];
	for (size_t i = 0; i < m + 1; i++)
		sum += b[i];
	return sum;
}
