// SPDX-License-Identifier: MIT
/*
 * Security checklist G4: drives every kind of ecall and ocall parameter through an enclave whose memcpy, memmove
 * and memset are wrapped (g4_enclave.c), then asserts that no such call touched memory outside the enclave while
 * the runtime's boundary-copy primitive did all the crossing; finally, raw copies on host memory made on purpose
 * must be counted, so the wrap is known to be live.
 *   edl_static_g4_test <enclave image>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cella_test.h"
#include "g4_u.h"

#define OK(expr) CT_RESULT((expr), CELLA_OK)
#define ROUNDS 200
#define BIG (256u * 1024u) /* above the 128 KiB at which the host streams its last [in] buffer */

static uint64_t g_hostbuf; /* window memory the enclave allocated: what an ocall may return */

int64_t g4_o(const int32_t *a, int32_t *b, int32_t *c, size_t n, const char *s, char *ios, const wchar_t *ws,
	     struct g4_node *deep)
{
	int64_t t = 0;
	for (size_t k = 0; k < n; k++) {
		t += a ? a[k] : 0;
		if (b)
			b[k] = 100;
		if (c)
			c[k] = -c[k];
	}
	t += s ? (int64_t)strlen(s) : 0;
	if (ios)
		ios[0] = 'H';
	t += ws ? (int64_t)wcslen(ws) : 0;
	if (deep) {
		for (uint32_t k = 0; deep->v && k < deep->n; k++)
			deep->v[k] += 10;
		deep->tag = 70;
	}
	return t;
}

uint8_t *g4_o_ptr(void)
{
	return (uint8_t *)(uintptr_t)g_hostbuf;
}

/* Return addresses are printed as offsets from g4_enclave.c's note(): `addr2line -e IMAGE` on note + offset. */
static void stats(struct cella_enclave *e, uint64_t st[8])
{
	OK(g4_stats(e, st));
	printf("g4: %llu wrapped copies, %llu on host memory (first at note%+lld), %llu boundary copies (%llu bytes); "
	       "at boot: %llu on host memory (first at note%+lld)\n",
	       (unsigned long long)st[0], (unsigned long long)st[1], (long long)st[2], (unsigned long long)st[3],
	       (unsigned long long)st[4], (unsigned long long)st[6], (long long)st[7]);
}

int main(int argc, char **argv)
{
	struct cella_enclave_settings s = {.size = sizeof(s)};
	struct cella_enclave *e = NULL;
	uint64_t st[8], hostbuf = 0, calls = 0;
	uint8_t *big = malloc(BIG);
	int64_t r = 0;
	int raw = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ENCLAVE_IMAGE\n", argv[0]);
		return 2;
	}
	CT_ASSERT(big != NULL);
	for (size_t k = 0; k < BIG; k++)
		big[k] = (uint8_t)(k * 7);
	g4_set_ocalls(&s);
	OK(cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e));
	OK(g4_hostbuf(e, &hostbuf));
	CT_ASSERT(hostbuf != 0);
	g_hostbuf = hostbuf;
	for (int k = 0; k < 256; k++)
		((uint8_t *)(uintptr_t)hostbuf)[k] = (uint8_t)k;

	for (int i = 0; i < ROUNDS; i++) {
		int32_t a[16], b[16], c[16], v[4] = {1, 2, 3, 4};
		uint8_t sc[3 * 5];
		char ios[] = "abc";
		struct g4_node nd = {4, v, 5};
		int64_t want = 0;
		for (int k = 0; k < 16; k++) {
			a[k] = i + k;
			c[k] = k;
			want += a[k] + c[k];
		}
		for (int k = 0; k < 15; k++) {
			sc[k] = (uint8_t)k;
			want += k;
		}
		want += 6 + 2 + 10 + 5 + (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7);
		OK(g4_ecall(e, &r, a, b, c, 16, sc, 3, 5, "string", ios, L"wi", &nd, (const uint8_t *)(uintptr_t)hostbuf,
			    8));
		CT_EQ(r, want);
		CT_EQ(b[15], 45);
		CT_EQ(c[15], 16);
		CT_EQ(ios[0], 'Z');
		CT_EQ(v[3], 8);
		CT_EQ(nd.tag, -5);
		OK(g4_ecall(e, &r, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0));
		CT_EQ(r, 0);
		OK(g4_ocalls(e, &r, i));
		CT_ASSERT(r > 0);
		calls += 3;
		if (i % 50 == 0) { /* a large [in] buffer: streamed into the window while the enclave copies it in */
			OK(g4_ecall(e, &r, NULL, NULL, NULL, 0, big, 1, BIG, NULL, NULL, NULL, NULL, NULL, 0));
			calls++;
		}
	}
	/* an ocall's pointer result outside the enclave, [out] and [in, out] data and strings came back: checked by
	 * g4_ocalls; a [user_check] read and the ecall parameters: checked above */

	stats(e, st);
	CT_ASSERT(st[0] > 1000); /* the wrap is in place: the stubs' own copies went through it */
	if (st[1] != 0)
		cella_test_fail(__FILE__, __LINE__, "%llu raw memcpy/memmove/memset calls touched host memory",
				(unsigned long long)st[1]);
	if (st[6] != 0) /* the boot-time fetch of the window header goes through the primitive too */
		cella_test_fail(__FILE__, __LINE__, "%llu raw copies touched host memory at boot",
				(unsigned long long)st[6]);
	CT_ASSERT(st[3] >= 2 * calls); /* input and reply of every ecall, request and reply of every ocall */
	CT_ASSERT(st[4] >= 4 * (uint64_t)BIG);
	cella_test_pass("g4-no-raw-copy");

	/* the control: a raw copy on host memory must be seen, one for each wrapped function */
	for (uint64_t kind = 0; kind < 3; kind++) {
		OK(g4_raw_copy(e, &raw, kind));
		stats(e, st);
		CT_EQ(st[1], kind + 1);
	}
	cella_test_pass("g4-control");
	OK(cella_enclave_terminate(e));
	free(big);
	printf("PASS g4\n");
	return 0;
}
