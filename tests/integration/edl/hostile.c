// SPDX-License-Identifier: MIT
/*
 * A hostile host: bypasses the generated host stubs (cella_call_prepare + raw bytes + cella_call_invoke) and
 * hands the enclave crafted argument buffers; replaces generated ocall handlers with lying ones (Iago). Each
 * attack must be refused with its error, the ecall's user function must not run, and the enclave must stay
 * alive. The wire layout used here is the one docs/edl.md documents.
 *   edl_hostile_test <enclave image>
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "edltest_host.h"

#define OK(expr) CT_RESULT((expr), CELLA_OK)

/* Runs ecall fn on in[0..in_bytes) with an out_bytes reply; copies the reply to out (if any). */
static cella_result raw_call(uint32_t fn, const void *in, size_t in_bytes, size_t out_bytes, void *out,
			     size_t *written)
{
	struct cella_call c;
	cella_result r = cella_call_prepare(g_enclave, in_bytes, out_bytes, &c);
	if (r != CELLA_OK)
		return r;
	memcpy(c.in, in, in_bytes);
	r = cella_call_invoke(&c, fn);
	if (written)
		*written = c.out_written;
	if (r == CELLA_OK && out)
		memcpy(out, c.out, c.out_written);
	cella_call_release(&c);
	return r;
}

static uint32_t counter(void)
{
	uint32_t n = 0;
	OK(e_counter(g_enclave, &n));
	return n;
}

/* The enclave refuses the buffer, its user function does not run, and it still answers afterwards. */
static void refused(const char *name, uint32_t fn, const void *in, size_t in_bytes, size_t out_bytes, cella_result want)
{
	uint32_t before = counter();
	CT_RESULT(raw_call(fn, in, in_bytes, out_bytes, NULL, NULL), want);
	CT_EQ(counter(), before);
	printf("refused as expected (%s): %s\n", cella_result_name(want), name);
}

struct in_hdr {
	uint64_t off, len;
	uint64_t n;
};

static void t_in_buffers(void)
{
	uint8_t b[64];
	struct in_hdr *h = (struct in_hdr *)b;
	uint64_t out[2] = {0};
	size_t w = 0;
	memset(b, 0, sizeof(b));
	for (int k = 0; k < 16; k++)
		b[32 + k] = (uint8_t)k;
	/* the well-formed call works: header (24 bytes) then the payload at 32 */
	h->off = 32;
	h->len = 16;
	h->n = 16;
	OK(raw_call(edltest_ecall_id_e_hostile_in, b, 48, 16, out, &w));
	CT_EQ(w, 16);
	CT_EQ(out[0], 120);

	h->off = 0; /* payload offset pointing at the header */
	refused("[in] offset into the header", edltest_ecall_id_e_hostile_in, b, 48, 16, CELLA_ERR_MARSHAL);
	h->off = UINT64_MAX - 7; /* offset + length wraps around */
	refused("[in] range that wraps around", edltest_ecall_id_e_hostile_in, b, 48, 16, CELLA_ERR_MARSHAL);
	h->off = 32;
	h->len = 17; /* length disagrees with size=n */
	refused("[in] length != size", edltest_ecall_id_e_hostile_in, b, 48, 16, CELLA_ERR_MARSHAL);
	h->len = h->n = 4096; /* consistent, but beyond the buffer */
	refused("[in] length past the buffer", edltest_ecall_id_e_hostile_in, b, 48, 16, CELLA_ERR_MARSHAL);
	h->len = h->n = UINT64_MAX;
	refused("[in] length SIZE_MAX", edltest_ecall_id_e_hostile_in, b, 48, 16, CELLA_ERR_MARSHAL);
	h->len = h->n = 16;
	refused("input shorter than the header", edltest_ecall_id_e_hostile_in, b, 20, 16, CELLA_ERR_MARSHAL);
	refused("trailing bytes after the payload", edltest_ecall_id_e_hostile_in, b, 64, 16, CELLA_ERR_MARSHAL);
	refused("reply buffer of the wrong size", edltest_ecall_id_e_hostile_in, b, 48, 32, CELLA_ERR_MARSHAL);
	h->off = UINT64_MAX; /* NULL with a length */
	refused("NULL [in] with a length", edltest_ecall_id_e_hostile_in, b, 48, 16, CELLA_ERR_MARSHAL);
	cella_test_pass("in-buffers");
}

static void t_size_count(void)
{
	uint64_t b[6] = {32, 0, 0, 0, 0, 0};
	/* [in, size=sz, count=cnt]: header {off, len, sz, cnt} */
	b[2] = 1ull << 33;
	b[3] = 1ull << 33;
	b[1] = 0; /* any length: sz * cnt overflows first */
	refused("size x count overflows", edltest_ecall_id_e_hostile_sc, b, 48, 16, CELLA_ERR_OVERFLOW);
	b[2] = UINT64_MAX;
	b[3] = 2;
	refused("size x count overflows (max)", edltest_ecall_id_e_hostile_sc, b, 48, 16, CELLA_ERR_OVERFLOW);
	{
		/* count=n with a negative int n */
		uint8_t nb[48];
		struct {
			uint64_t off, len;
			int32_t n;
		} nh = {32, 0, -1};
		memset(nb, 0, sizeof(nb));
		memcpy(nb, &nh, sizeof(nh));
		refused("negative count", edltest_ecall_id_e_hostile_neg, nb, 32, 16, CELLA_ERR_INVALID_ARG);
	}
	cella_test_pass("size-count");
}

static void t_strings(void)
{
	uint8_t b[48];
	uint64_t *h = (uint64_t *)b, out[2] = {0};
	memset(b, 0, sizeof(b));
	h[0] = 16;
	h[1] = 6;
	memcpy(b + 16, "hello", 6);
	OK(raw_call(edltest_ecall_id_e_hostile_str, b, 32, 16, out, NULL));
	CT_EQ(out[0], 5);
	memcpy(b + 16, "helloX", 6); /* the alleged length excludes a terminator */
	refused("unterminated string", edltest_ecall_id_e_hostile_str, b, 32, 16, CELLA_ERR_BAD_STRING);
	memcpy(b + 16, "he\0lo", 6); /* an embedded NUL before the end */
	refused("string with an embedded NUL", edltest_ecall_id_e_hostile_str, b, 32, 16, CELLA_ERR_BAD_STRING);
	h[1] = 0;
	refused("string of length 0", edltest_ecall_id_e_hostile_str, b, 16, 16, CELLA_ERR_BAD_STRING);
	h[1] = 32; /* terminator promised beyond the buffer */
	refused("string longer than the buffer", edltest_ecall_id_e_hostile_str, b, 32, 16, CELLA_ERR_MARSHAL);
	cella_test_pass("strings");
}

static void t_user_check(void)
{
	uint64_t b[2], hb = 0, out[2] = {0};
	uint8_t *host_heap = malloc(64);
	CT_ASSERT(host_heap);
	OK(e_hostbuf(g_enclave, &hb));
	b[0] = hb;
	b[1] = 16;
	OK(raw_call(edltest_ecall_id_e_hostile_uc, b, 16, 16, out, NULL));
	CT_EQ(out[0], 120);
	b[0] = g_secret_addr; /* a pointer into the enclave */
	b[1] = 8;
	refused("[user_check] pointer into the enclave", edltest_ecall_id_e_hostile_uc, b, 16, 16,
		CELLA_ERR_HOST_POINTER);
	/* 4 bytes before the secret, still enclave memory (a range crossing the enclave's start: o_wide's returns) */
	b[0] = g_secret_addr - 4;
	refused("[user_check] range overlapping the enclave secret", edltest_ecall_id_e_hostile_uc, b, 16, 16,
		CELLA_ERR_HOST_POINTER);
	b[0] = UINT64_MAX - 15; /* wraps around the address space */
	b[1] = 32;
	refused("[user_check] range that wraps around", edltest_ecall_id_e_hostile_uc, b, 16, 16,
		CELLA_ERR_HOST_POINTER);
	b[0] = (uint64_t)(uintptr_t)host_heap; /* host memory outside the shared window */
	b[1] = 64;
	refused("[user_check] pointer outside the window", edltest_ecall_id_e_hostile_uc, b, 16, 16,
		CELLA_ERR_HOST_POINTER);
	b[0] = hb + 60; /* starts in the window, runs past what the enclave could prove */
	b[1] = UINT64_MAX / 2;
	refused("[user_check] size running out of the window", edltest_ecall_id_e_hostile_uc, b, 16, 16,
		CELLA_ERR_HOST_POINTER);
	free(host_heap);
	cella_test_pass("user-check");
}

/* struct rec as the host lays it out: n, vals, blen, bytes, tag[3] (40 bytes). */
static void t_deep(void)
{
	uint8_t b[128];
	uint64_t *h = (uint64_t *)b, out[2] = {0};
	struct rec r;
	int32_t vals[2] = {5, 6};
	memset(b, 0, sizeof(b));
	CT_EQ(sizeof(struct rec), 40);
	h[0] = 16;
	h[1] = sizeof(struct rec);
	r.n = 2;
	r.vals = (int32_t *)1; /* only NULL or not matters: the enclave never follows it */
	r.blen = 0;
	r.bytes = NULL;
	memcpy(r.tag, "ab", 3);
	memcpy(b + 16, &r, sizeof(r));
	memcpy(b + 64, vals, sizeof(vals));
	OK(raw_call(edltest_ecall_id_e_hostile_deep, b, 80, 16, out, NULL));
	CT_EQ(out[0], 11);
	r.n = 1000; /* nested count beyond the buffer */
	memcpy(b + 16, &r, sizeof(r));
	refused("deep copy: nested count past the buffer", edltest_ecall_id_e_hostile_deep, b, 80, 16,
		CELLA_ERR_MARSHAL);
	r.n = 0x40000001u; /* 4 * n does not fit the buffer; x4 stays in range */
	memcpy(b + 16, &r, sizeof(r));
	refused("deep copy: huge nested count", edltest_ecall_id_e_hostile_deep, b, 80, 16, CELLA_ERR_MARSHAL);
	r.n = 2;
	r.blen = UINT64_MAX; /* size=blen past everything */
	r.bytes = (uint8_t *)1;
	memcpy(b + 16, &r, sizeof(r));
	refused("deep copy: nested size SIZE_MAX", edltest_ecall_id_e_hostile_deep, b, 80, 16, CELLA_ERR_MARSHAL);
	cella_test_pass("deep-copy");
}

/* The reply of e_retstruct, read straight from the window: padding bytes must be zero. */
static void t_reply_padding(void)
{
	uint8_t in[16] = {0}, out[16];
	int32_t a = 9;
	size_t w = 0;
	memcpy(in, &a, 4);
	memset(out, 0x77, sizeof(out));
	OK(raw_call(edltest_ecall_id_e_retstruct, in, 16, 16, out, &w));
	CT_EQ(w, 16);
	for (int k = 5; k < 8; k++)
		CT_EQ(out[k], 0);
	cella_test_pass("reply-padding");
}

/* Another host thread rewrites the argument buffer while the enclave works on it. */
struct racer {
	volatile uint8_t *buf;
	volatile int stop;
};

static void *race(void *p)
{
	struct racer *r = p;
	uint64_t i = 0;
	while (!r->stop) {
		r->buf[16 + 5] = (i & 1) ? 'X' : 0;            /* the terminator comes and goes */
		r->buf[8] = (i & 2) ? 6 : 200;                  /* and the length field changes */
		r->buf[0] = (i & 4) ? 16 : 0xff;                /* and the offset */
		i++;
	}
	return NULL;
}

static void t_race(void)
{
	struct cella_call c;
	struct racer rc;
	pthread_t th;
	int ok = 0, bad = 0;
	uint32_t before = counter();
	OK(cella_call_prepare(g_enclave, 32, 16, &c));
	memset(c.in, 0, 32);
	((uint64_t *)c.in)[0] = 16;
	((uint64_t *)c.in)[1] = 6;
	memcpy((uint8_t *)c.in + 16, "hello", 6);
	rc.buf = c.in;
	rc.stop = 0;
	CT_EQ(pthread_create(&th, NULL, race, &rc), 0);
	for (int i = 0; i < 3000; i++) {
		cella_result r = cella_call_invoke(&c, edltest_ecall_id_e_hostile_str);
		if (r == CELLA_OK) {
			uint64_t v;
			CT_EQ(c.out_written, 16);
			memcpy(&v, c.out, 8);
			CT_EQ(v, 5); /* whatever the race, the enclave saw one consistent, terminated string */
			ok++;
		} else {
			CT_ASSERT(r == CELLA_ERR_BAD_STRING || r == CELLA_ERR_MARSHAL);
			bad++;
		}
	}
	rc.stop = 1;
	CT_EQ(pthread_join(th, NULL), 0);
	cella_call_release(&c);
	CT_EQ(counter(), before + (uint32_t)ok);
	printf("race: %d accepted, %d refused, enclave alive\n", ok, bad);
	cella_test_pass("toctou-race");
}

/* ---- Iago: ocall handlers that lie ---- */

static cella_result evil_short_reply(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				     size_t out_bytes, size_t *written)
{
	(void)e, (void)in, (void)in_bytes;
	memset(out, 0x41, out_bytes / 2);
	*written = out_bytes / 2; /* fewer bytes than the reply has */
	return CELLA_OK;
}

static cella_result evil_unterminated(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				      size_t out_bytes, size_t *written)
{
	uint64_t one = 1;
	(void)e, (void)in, (void)in_bytes;
	if (out_bytes != 32)
		return CELLA_ERR_UNEXPECTED;
	memcpy(out, &one, 8);
	memset(out + 8, 0, 8);
	memcpy(out + 16, "ABCD", 4); /* the [in, out] string comes back without its terminator */
	*written = 32;
	return CELLA_OK;
}

static void t_iago(const char *image)
{
	static cella_ocall_fn table[64];
	struct cella_enclave_settings s = {.size = sizeof(s)};
	struct cella_enclave *saved = g_enclave;
	uint32_t r = 0;
	CT_ASSERT(edltest_ocall_count <= 64);
	memcpy(table, edltest_ocall_table, edltest_ocall_count * sizeof(table[0]));
	table[edltest_ocall_id_o_ptrs] = evil_short_reply;
	table[edltest_ocall_id_o_strings] = evil_unterminated;
	s.ocall_table = table;
	s.ocall_count = edltest_ocall_count;
	OK(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &g_enclave));
	OK(e_secret_addr(g_enclave, &g_secret_addr));
	OK(e_ocalls(g_enclave, &r, 1));
	CT_EQ(r, CELLA_ERR_MARSHAL);
	OK(e_ocalls(g_enclave, &r, 2));
	CT_EQ(r, CELLA_ERR_BAD_STRING); /* and the enclave's buffer was terminated (no 0x10000 bit) */
	OK(e_ocalls(g_enclave, &r, 3));
	CT_EQ(r, CELLA_ERR_HOST_POINTER); /* a returned pointer into the enclave; *retval untouched */
	OK(cella_enclave_terminate(g_enclave));
	g_enclave = saved;
	cella_test_pass("iago");
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
	OK(e_secret_addr(g_enclave, &g_secret_addr));
	t_in_buffers();
	t_size_count();
	t_strings();
	t_user_check();
	t_deep();
	t_reply_padding();
	t_race();
	{
		/* after all that the enclave still works normally */
		uint32_t mask = 1;
		OK(e_ocalls(g_enclave, &mask, 0));
		CT_EQ(mask, 0);
	}
	OK(cella_enclave_terminate(g_enclave));
	t_iago(argv[1]);
	return 0;
}
