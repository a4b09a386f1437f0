// SPDX-License-Identifier: MIT
/*
 * EDL round trips through the generated stubs on the sandbox backend: every attribute combination, values
 * checked on both sides (the enclave reports its checks through e_status and return values).
 *   edl_roundtrip_test <enclave image>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cella_test.h"
#include "edltest_host.h"

#define OK(expr) CT_RESULT((expr), CELLA_OK)

static void status_clear(const char *what)
{
	uint32_t st = 99;
	OK(e_status(g_enclave, &st));
	if (st != 0)
		cella_test_fail(__FILE__, __LINE__, "%s: enclave-side checks failed: mask %#x", what, st);
}

static void t_scalars(void)
{
	int32_t r = -1;
	struct pair p = {-7, 9, 1ll << 40};
	union num nu;
	bool nb = true;
	nu.d = 6.5;
	OK(e_scalars(g_enclave, &r, 'A', -5, 200, -1234, 60000, -123456, 4000000000u, -1234567890123L, 12345678901234UL,
		     -9000000000000000LL, 18000000000000000000ULL, 1.5f, -2.25, 1.0L / 3.0L, true, 0x3a9, SIZE_MAX - 1,
		     INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN, UINT8_MAX, UINT16_MAX, UINT32_MAX, UINT64_MAX, MODE_C, p,
		     nu));
	CT_EQ(r, 0);
	OK(e_void(g_enclave));
	OK(e_bool(g_enclave, &nb, true));
	CT_EQ(nb, false);
	OK(e_bool(g_enclave, &nb, false));
	CT_EQ(nb, true);
	OK(e_same(g_enclave, &r, 21));
	CT_EQ(r, 42);
	OK(e_bool(g_enclave, NULL, true)); /* retval may be NULL */
	cella_test_pass("scalars");
}

static void t_ptrs(void)
{
	int32_t in1 = 11, out1 = -1, io1 = 33, inc[5], outc[5], ioc[5];
	uint8_t ins[37], outs[37], ios[37];
	for (int k = 0; k < 5; k++) {
		inc[k] = k * 3 + 1;
		outc[k] = -1;
		ioc[k] = k * 7;
	}
	for (int k = 0; k < 37; k++) {
		ins[k] = (uint8_t)(k ^ 0x5a);
		outs[k] = 0xee;
		ios[k] = (uint8_t)k;
	}
	OK(e_ptrs(g_enclave, &in1, &out1, &io1, inc, outc, ioc, 5, ins, outs, ios, 37));
	status_clear("e_ptrs");
	CT_EQ(in1, 11);
	CT_EQ(out1, 22);
	CT_EQ(io1, 44);
	for (int k = 0; k < 5; k++) {
		CT_EQ(inc[k], k * 3 + 1);
		CT_EQ(outc[k], k * 5);
		CT_EQ(ioc[k], k * 7 + 100);
	}
	for (int k = 0; k < 37; k++) {
		CT_EQ(outs[k], (uint8_t)(k ^ 0xa5));
		CT_EQ(ios[k], (uint8_t)(255 - k));
	}
	cella_test_pass("pointers");
}

/* Checklist E5: one host buffer passed as both an [in] and an [out] parameter. Defined semantics: every input
 * is copied in before the call (the enclave sees the input in one and a zeroed buffer in the other), every
 * output is copied out after it (the host's buffer ends up holding the output). */
static void t_aliasing(void)
{
	int32_t one = 11, io1 = 33, ioc[5];
	int32_t shared[5];
	uint8_t ins[37], outs[37], ios[37];
	for (int k = 0; k < 5; k++) {
		shared[k] = k * 3 + 1;
		ioc[k] = k * 7;
	}
	for (int k = 0; k < 37; k++) {
		ins[k] = (uint8_t)(k ^ 0x5a);
		ios[k] = (uint8_t)k;
	}
	(void)outs;
	OK(e_ptrs(g_enclave, &one, &one, &io1, shared, shared, ioc, 5, ins, ins, ios, 37));
	status_clear("e_ptrs with aliased [in] and [out] buffers"); /* the enclave saw 11 and 0, inputs and zeros */
	CT_EQ(one, 22);
	for (int k = 0; k < 5; k++)
		CT_EQ(shared[k], k * 5);
	for (int k = 0; k < 37; k++)
		CT_EQ(ins[k], (uint8_t)(k ^ 0xa5));
	cella_test_pass("aliased [in] and [out] buffers");
}

static void t_sizecount(void)
{
	uint8_t buf[3 * 4];
	uint16_t o[9];
	uint64_t sum = 0, want = 0;
	for (int k = 0; k < 12; k++)
		want += buf[k] = (uint8_t)(k * 9);
	memset(o, 0xff, sizeof(o));
	OK(e_sizecount(g_enclave, &sum, buf, 3, 4, o));
	status_clear("e_sizecount");
	CT_EQ(sum, want);
	for (int k = 0; k < 9; k++)
		CT_EQ(o[k], k + 1);
	/* size x count that overflows is refused on the host before anything is sent */
	CT_RESULT(e_sizecount(g_enclave, &sum, buf, SIZE_MAX / 2, 3, o), CELLA_ERR_OVERFLOW);
	{
		/* a large [in] buffer is streamed behind the released call (cella_call_invoke_stream): every byte
		 * still arrives, and the [out] buffer after it too */
		size_t big_n = 300 * 1024 + 7;
		uint8_t *big = malloc(big_n);
		uint16_t *bo = malloc((2 * big_n + 1) * sizeof(uint16_t));
		uint64_t big_want = 0;
		CT_ASSERT(big && bo);
		for (size_t k = 0; k < big_n; k++)
			big_want += big[k] = (uint8_t)(k * 7 + (k >> 12));
		OK(e_sizecount(g_enclave, &sum, big, 1, big_n, bo));
		status_clear("e_sizecount (streamed)");
		CT_EQ(sum, big_want);
		CT_EQ(bo[2 * big_n], (uint16_t)(2 * big_n + 1));
		free(big);
		free(bo);
	}
	cella_test_pass("size-count");
}

static void t_strings(void)
{
	char ios[4] = "abc";
	wchar_t iows[3] = L"wx";
	size_t n = 0;
	OK(e_strings(g_enclave, &n, "hello enclave", ios, L"wide \x3a9", iows));
	status_clear("e_strings");
	CT_EQ(n, 13);
	CT_ASSERT(strcmp(ios, "XYZ") == 0);
	CT_ASSERT(wcscmp(iows, L"WX") == 0);
	cella_test_pass("strings");
}

static void t_arrays(void)
{
	int32_t a[4] = {1, 2, 3, 4}, b[2][3];
	int64_t c[EDLTEST_MAX];
	memset(b, 0x5a, sizeof(b));
	for (int k = 0; k < EDLTEST_MAX; k++)
		c[k] = (int64_t)k * k;
	OK(e_arrays(g_enclave, a, b, c));
	status_clear("e_arrays");
	for (int r = 0; r < 2; r++)
		for (int k = 0; k < 3; k++)
			CT_EQ(b[r][k], r * 10 + k);
	for (int k = 0; k < EDLTEST_MAX; k++)
		CT_EQ(c[k], -k);
	cella_test_pass("arrays");
}

static void t_foreign(void)
{
	arr4_t a = {100, 101, 102, 103}, b = {0};
	uint32_t p = 0xdeadbeefu, q[2] = {1, 2};
	uint8_t r[4] = {9, 8, 7, 6};
	OK(e_foreign(g_enclave, a, b, &p, q, r));
	status_clear("e_foreign");
	for (int k = 0; k < 4; k++)
		CT_EQ(b[k], 200 + k);
	CT_EQ(q[0], 3);
	CT_EQ(q[1], 4);
	cella_test_pass("foreign-types");
}

static void fill_rec(struct rec *r, int32_t *vals, uint8_t *bytes, uint32_t n, int base, const char *tag)
{
	r->n = n;
	r->vals = vals;
	r->blen = n + 1;
	r->bytes = bytes;
	for (uint32_t j = 0; j < n; j++)
		vals[j] = base * 100 + (int32_t)j;
	for (uint32_t j = 0; j < n + 1; j++)
		bytes[j] = (uint8_t)(base + j);
	memcpy(r->tag, tag, 3);
}

static void t_structs(void)
{
	struct pair pin = {1, 2, 3}, pout[2], pio = {4, 5, 6};
	int32_t v0[1], v1[2], v5[3], k0[1], k1[2];
	uint8_t b0[2], b1[3], b5[4], kb0[2], kb1[3];
	struct rec rin[2], rio, kids[2];
	struct tree t;
	int r = -1;
	memset(pout, 0x77, sizeof(pout));
	fill_rec(&rin[0], v0, b0, 1, 0, "r0");
	fill_rec(&rin[1], v1, b1, 2, 1, "r1");
	fill_rec(&rio, v5, b5, 3, 5, "io");
	fill_rec(&kids[0], k0, kb0, 1, 7, "k0");
	fill_rec(&kids[1], k1, kb1, 2, 8, "k1");
	t.nkids = 2;
	t.kids = kids;
	t.id = 41;
	OK(e_structs(g_enclave, &r, &pin, pout, &pio, rin, &rio, &t));
	CT_EQ(r, 0);
	CT_EQ(pout[0].a, 10);
	CT_EQ(pout[0].b, 11);
	CT_EQ(pout[0].c, 12);
	CT_EQ(pout[1].a, 20);
	CT_EQ(pout[1].c, 22);
	CT_EQ(pio.a, 7);
	CT_EQ(pio.b, 8);
	CT_EQ(pio.c, 9);
	/* deep [in, out]: data copied back into our own buffers; our pointers and sizes are kept */
	CT_EQ(rio.n, 3);
	CT_ASSERT(rio.vals == v5 && rio.bytes == b5);
	for (int j = 0; j < 3; j++)
		CT_EQ(v5[j], 2 * (500 + j));
	for (int j = 0; j < 4; j++)
		CT_EQ(b5[j], (uint8_t)((5 + j) ^ 0xff));
	CT_ASSERT(strcmp(rio.tag, "ok") == 0);
	CT_EQ(t.id, 77);
	CT_EQ(t.nkids, 2);
	CT_ASSERT(t.kids == kids && kids[0].vals == k0 && kids[1].vals == k1);
	CT_EQ(k0[0], 700 + 1);
	CT_EQ(k1[0], 800 + 1);
	CT_EQ(k1[1], 801 + 1);
	/* [in] data is never written back */
	CT_EQ(v0[0], 0);
	CT_EQ(v1[1], 101);
	{
		struct pair ret;
		memset(&ret, 0, sizeof(ret));
		OK(e_retstruct(g_enclave, &ret, 5));
		CT_EQ(ret.a, 5);
		CT_EQ(ret.b, -1);
		CT_EQ(ret.c, 5000);
	}
	cella_test_pass("structs-deep-copy");
}

static void t_misc(void)
{
	long double v[2] = {1.25L, 2.5L}, ld = 0;
	int32_t a[5], b[5], c[5];
	int r = -1;
	uint64_t hb = 0, sum = 0;
	OK(e_ldouble(g_enclave, &ld, v, 0.5L));
	status_clear("e_ldouble");
	CT_ASSERT(v[0] == 2.5L && v[1] == 5.0L && ld == 8.0L);
	OK(e_nulls(g_enclave, &r, NULL, NULL, NULL, NULL, 5));
	CT_EQ(r, 0);
	OK(e_nulls(g_enclave, &r, a, b, c, "s", 5));
	CT_EQ(r, 7 << 0 | 8);
	/* [user_check]: the enclave accepts window memory it allocated itself */
	OK(e_hostbuf(g_enclave, &hb));
	CT_ASSERT(hb != 0);
	OK(e_user_check(g_enclave, &sum, (uint8_t *)(uintptr_t)hb, (uint8_t *)(uintptr_t)(hb + 8), 8));
	CT_EQ(sum, 0 + 1 + 2 + 3 + (8 + 9 + 10 + 11 + 12 + 13 + 14 + 15));
	OK(e_user_check(g_enclave, &sum, NULL, NULL, 0));
	CT_EQ(sum, 0);
	cella_test_pass("misc");
}

static void t_ocalls(void)
{
	uint32_t mask = 99;
	int r = 0;
	OK(e_ocalls(g_enclave, &mask, 0));
	CT_EQ(mask, 0);
	OK(e_nested(g_enclave, &r, 14));
	CT_EQ(r, 42);
	/* the private ecall is refused outside its ocall */
	CT_RESULT(e_private(g_enclave, &r, 1), CELLA_ERR_ECALL_NOT_ALLOWED);
	OK(e_switchless(g_enclave, &r, 1));
	CT_EQ(r, 2);
	CT_EQ(g_switchless_calls, 1);
	OK(e_imported(g_enclave, &r, 5));
	CT_EQ(r, 16);
	CT_ASSERT(edltest_ocall_enclave() == NULL);
	cella_test_pass("ocalls");
}

static void t_leak(void)
{
	struct pair p;
	long double ld[4];
	uint8_t raw[64];
	const uint8_t *pb = (const uint8_t *)&p;
	memset(&p, 0x77, sizeof(p));
	memset(ld, 0x77, sizeof(ld));
	memset(raw, 0x77, sizeof(raw));
	OK(e_leak(g_enclave, &p, ld, raw));
	CT_EQ(p.a, 1);
	CT_EQ(p.b, 2);
	CT_EQ(p.c, 3);
	for (size_t k = 5; k < 8; k++) /* struct padding */
		CT_EQ(pb[k], 0);
	for (int k = 0; k < 4; k++) {
		const uint8_t *b = (const uint8_t *)&ld[k];
		CT_ASSERT(ld[k] == k);
		for (size_t j = 10; j < sizeof(long double); j++) /* long double padding */
			CT_EQ(b[j], 0);
	}
	for (int k = 0; k < 10; k++)
		CT_EQ(raw[k], 0x11);
	for (int k = 10; k < 64; k++) /* what the enclave did not write arrives as zeros */
		CT_EQ(raw[k], 0);
	cella_test_pass("no-leak");
}

/* Size expressions with unary minus: -1 + n is n - 1, - -m + 1 is m + 1 (both once failed for any n, m > 0). */
static void t_negexpr(void)
{
	int32_t a[3] = {1, 2, 3}, b[3] = {10, 20, 30};
	int64_t sum = 0;
	OK(e_negexpr(g_enclave, &sum, a, b, 4, 2));
	CT_EQ(sum, 1 + 2 + 3 + 10 + 20 + 30);
	CT_RESULT(e_negexpr(g_enclave, &sum, a, b, 0, 2), CELLA_ERR_INVALID_ARG); /* -1 + 0 is negative */
	cella_test_pass("size expressions with unary minus");
}

/* Bool bytes other than 0 and 1 from the host reach the enclave as 1, in buffers, by-value structs, [in, out]
 * structs and deep copies, and in what ocalls return (bool_bytes in enclave.c counts 1000 per other value). */
static void t_bools(void)
{
	bool a[5], v[3];
	struct flags s, io, f;
	struct flagvec fv;
	uint32_t r = 0;
	unsigned char b;
	memset(a, 0, sizeof(a));
	memset(&a[1], 2, 1);
	memset(&a[2], 0xff, 1);
	memset(&a[3], 1, 1);
	memset(&a[4], 0x80, 1);
	memset(&s, 0, sizeof(s));
	memset(&s.on, 7, 1);
	memset(&s.bits[1], 0x10, 1);
	io = s;
	f = s;
	memset(v, 0x55, sizeof(v));
	fv.n = 3;
	fv.v = v;
	fv.f = &f;
	OK(e_bools(g_enclave, &r, a, 5, s, &io, &fv));
	CT_EQ(r, 4 + 2 + 2 + 3 + 2);
	memcpy(&b, &io.on, 1);
	CT_EQ(b, 1); /* the [in, out] struct comes back as the enclave saw it */
	OK(e_bool_ocalls(g_enclave, &r));
	CT_EQ(r, 4 + 4 + 2 + 2 + 1);
	cella_test_pass("bool bytes other than 0 and 1 become 1 on the receiving side, both directions");
}

static void t_deep_ocalls(void)
{
	uint64_t r = 99;
	OK(e_deep_ocalls(g_enclave, &r));
	CT_EQ(r, 0);
	cella_test_pass("ocall deep copies: nested long double padding zeroed, nested buffers in host memory refused");
}

/*
 * An ocall's copy-back regions (e_copy_back in enclave.c lays them out): any two that overlap refuse the call with
 * CELLA_ERR_INVALID_ARG before the host runs; touching ones and empty ones are accepted. The caller compares up to
 * 8 regions pairwise and sorts more on the heap, so each case runs on both sides of 8 (1 array + n buffers + x).
 */
static void t_copy_back(void)
{
	static const struct {
		uint32_t n, layout, with_x;
		cella_result want;
		const char *what;
	} c[] = {
		{2, LAYOUT_SEPARATE, 0, CELLA_OK, "3 separate regions"},
		{7, LAYOUT_SEPARATE, 0, CELLA_OK, "8 separate regions"},
		{7, LAYOUT_SEPARATE, 1, CELLA_OK, "9 separate regions, one a plain [out] buffer"},
		{8, LAYOUT_SEPARATE, 0, CELLA_OK, "9 separate regions"},
		{40, LAYOUT_SEPARATE, 1, CELLA_OK, "42 separate regions"},
		{7, LAYOUT_ADJACENT, 0, CELLA_OK, "8 adjacent regions"},
		{7, LAYOUT_ADJACENT, 1, CELLA_OK, "9 adjacent regions"},
		{40, LAYOUT_ADJACENT, 1, CELLA_OK, "42 adjacent regions"},
		{8, LAYOUT_ZERO_INSIDE, 0, CELLA_OK, "8 regions and an empty one inside the array"},
		{9, LAYOUT_ZERO_INSIDE, 0, CELLA_OK, "9 regions and an empty one inside the array"},
		{2, LAYOUT_LAST_ON_FIRST, 0, CELLA_ERR_INVALID_ARG, "3 regions, the last on the first buffer"},
		{7, LAYOUT_LAST_ON_FIRST, 0, CELLA_ERR_INVALID_ARG, "8 regions, the last on the first buffer"},
		{8, LAYOUT_LAST_ON_FIRST, 0, CELLA_ERR_INVALID_ARG, "9 regions, the last on the first buffer"},
		{40, LAYOUT_LAST_ON_FIRST, 1, CELLA_ERR_INVALID_ARG, "42 regions, the last buffer on the first"},
		{7, LAYOUT_DATA_ON_ARRAY, 0, CELLA_ERR_INVALID_ARG, "8 regions, a buffer on the array"},
		{8, LAYOUT_DATA_ON_ARRAY, 0, CELLA_ERR_INVALID_ARG, "9 regions, a buffer on the array"},
		{40, LAYOUT_DATA_ON_ARRAY, 0, CELLA_ERR_INVALID_ARG, "41 regions, a buffer on the array"},
		{6, LAYOUT_X_ON_LAST, 1, CELLA_ERR_INVALID_ARG, "8 regions, the [out] buffer on the last"},
		{7, LAYOUT_X_ON_LAST, 1, CELLA_ERR_INVALID_ARG, "9 regions, the [out] buffer on the last"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int32_t res = 1;
		uint32_t bad = 99;
		unsigned calls = g_msgv_calls;
		OK(e_copy_back(g_enclave, &bad, c[i].n, c[i].layout, c[i].with_x, &res));
		if (res != (int32_t)c[i].want || bad != 0 || g_msgv_calls != calls + (c[i].want == CELLA_OK))
			cella_test_fail(__FILE__, __LINE__, "%s: o_msgv returned %s, expected %s; enclave checks %#x; "
					"the host ran %u times",
					c[i].what, cella_result_name((cella_result)res), cella_result_name(c[i].want),
					bad, g_msgv_calls - calls);
	}
	cella_test_pass("ocall copy-back regions: overlapping ones refused, touching and empty ones accepted, "
			"on both sides of 8");
}

int main(int argc, char **argv)
{
	struct cella_enclave_settings s = {.size = sizeof(s)};
	if (argc < 2) {
		fprintf(stderr, "usage: %s ENCLAVE_IMAGE\n", argv[0]);
		return 2;
	}
	edltest_set_ocalls(&s);
	OK(cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &g_enclave));
	t_scalars();
	t_ptrs();
	t_aliasing();
	t_sizecount();
	t_strings();
	t_arrays();
	t_foreign();
	t_structs();
	t_misc();
	t_ocalls();
	t_leak();
	t_deep_ocalls();
	t_copy_back();
	t_negexpr();
	t_bools();
	OK(cella_enclave_terminate(g_enclave));
	return 0;
}
