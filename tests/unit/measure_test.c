// SPDX-License-Identifier: MIT
/*
 * MRENCLAVE known answers. The expected digests come from a second, deliberately naive implementation of the
 * SGX measurement records written here from the spec (it reads the raw ELF bytes itself and shares no code
 * with layout.c or measure.c), and one digest is pinned as a constant derived outside C (see PINNED below).
 */
#include "measure.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "cella_test.h"
#include "sign_testelf.h"

#define PAGE 4096u

/*
 * PINNED: MRENCLAVE of the default synthetic image (testelf_default_opts), derived once by
 *   ./measure_test --write-elf /tmp/t.elf && python3 mr.py /tmp/t.elf /tmp/t.rec && sha256sum /tmp/t.rec
 * where mr.py is this independent script (Python 3, stdlib only):
 *   import struct, sys
 *   d = open(sys.argv[1], 'rb').read(); P = 4096; out = open(sys.argv[2], 'wb')
 *   phoff, = struct.unpack_from('<Q', d, 32); phnum, = struct.unpack_from('<H', d, 56)
 *   shoff, = struct.unpack_from('<Q', d, 40); shnum, shstr = struct.unpack_from('<HH', d, 60)
 *   segs = [struct.unpack_from('<IIQQQQQQ', d, phoff + 56 * i) for i in range(phnum)]
 *   segs = [s for s in segs if s[0] == 1]          # PT_LOAD: type, flags, off, va, pa, filesz, memsz, align
 *   sh = [struct.unpack_from('<IIQQQQ', d, shoff + 64 * i) for i in range(shnum)]
 *   stoff = sh[shstr][4]
 *   cella = [s for s in sh if d[stoff + s[0]:stoff + s[0] + 7] == b'.cella\0'][0]
 *   cva, coff = cella[3], cella[4]
 *   heap, stack, tcs = struct.unpack_from('<QQQ', d, coff + 16)
 *   end = (max(s[3] + s[6] for s in segs) + P - 1) // P * P
 *   def rec(b): out.write(b.ljust(64, b'\0'))
 *   def eadd(va, fl, data):
 *       rec(b'EADD\0\0\0\0' + struct.pack('<QQ', va, fl))
 *       if data is not None:
 *           for c in range(16):
 *               rec(b'EEXTEND\0' + struct.pack('<Q', va + 256 * c)); out.write(data[256 * c:256 * c + 256])
 *   block = 1 + stack + 1 + 1 + 2 + 1 + 1 + 1; used = end + heap * P + tcs * block * P
 *   size = 2 * P
 *   while size < used: size *= 2
 *   rec(b'ECREATE\0' + struct.pack('<IQ', 1, size))
 *   for va in range(0, end, P):
 *       cov = [s for s in segs if s[3] < va + P and va < s[3] + s[6]]
 *       if not cov: continue
 *       fl = 0x200; page = bytearray(P)
 *       for s in cov:
 *           fl |= (4 if s[1] & 1 else 0) | (2 if s[1] & 2 else 0) | (1 if s[1] & 4 else 0)
 *           for a in range(max(va, s[3]), min(va + P, s[3] + s[5])): page[a - va] = d[s[2] + a - s[3]]
 *       for a in range(max(va, cva + 192), min(va + P, cva + 192 + 1808)): page[a - va] = 0
 *       for s in cov:                                  # e_shoff, e_shnum, e_shstrndx are not measured
 *           if s[2] == 0 and s[5] >= 64 and va <= s[3] < va + P:
 *               o = s[3] - va; page[o + 40:o + 48] = bytes(8); page[o + 60:o + 64] = bytes(4)
 *       eadd(va, fl, bytes(page))
 *   for i in range(heap): eadd(end + i * P, 0x203, None)
 *   for t in range(tcs):
 *       b = end + heap * P + t * block * P; z = bytes(P)
 *       for i in range(stack): eadd(b + (1 + i) * P, 0x203, z)
 *       tb = b + (stack + 2) * P
 *       tc = struct.pack('<QQQIIQQQQII', 0, 0, tb + P, 0, 2, 0x1000, 0, tb + 5 * P, tb + 5 * P,
 *                        0xffffffff, 0xffffffff).ljust(P, b'\0')
 *       eadd(tb, 0x100, tc)
 *       for v in (tb + P, tb + 2 * P, tb + 4 * P, tb + 5 * P): eadd(v, 0x203, z)
 * (OENTRY 0x1000 is the test image's e_entry.) It must match the C reference below and cella_measure().
 */
static const char PINNED[] = "4eadfb6fa7bf243d83ff723a354c189f56716caa440b86494ddc5a25ca7a66c4";

/* ---- independent reference: reads the ELF bytes itself ---- */

struct ref {
	EVP_MD_CTX *md;
};

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void putle(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void ref_update(struct ref *r, const void *p, size_t n)
{
	CT_ASSERT(EVP_DigestUpdate(r->md, p, n) == 1);
}

static void ref_eadd(struct ref *r, uint64_t va, uint64_t flags, const uint8_t *page /* NULL: no EEXTEND */)
{
	uint8_t rec[64] = "EADD";
	putle(rec + 8, va, 8);
	putle(rec + 16, flags, 8);
	ref_update(r, rec, 64);
	for (int c = 0; page && c < 16; c++) {
		uint8_t ext[64] = "EEXTEND";
		putle(ext + 8, va + 256 * (uint64_t)c, 8);
		ref_update(r, ext, 64);
		ref_update(r, page + 256 * c, 256);
	}
}

/* MRENCLAVE of the image in `t`, from the spec. sigstruct_va: where the zeroed SIGSTRUCT is. */
static void reference_mrenclave(const struct testelf *t, uint8_t out[32])
{
	const uint8_t *d = t->data;
	static uint8_t page[PAGE], zero[PAGE];
	uint64_t phoff = le(d + 32, 8), phnum = le(d + 56, 2), end = 0;
	uint64_t heap = le(d + t->cella_off + 16, 8), stack = le(d + t->cella_off + 24, 8);
	uint64_t tcs = le(d + t->cella_off + 32, 8), entry = le(d + 24, 8);
	uint64_t sig_lo = t->cella_va + 192, sig_hi = sig_lo + 1808;
	struct ref r = {EVP_MD_CTX_new()};
	unsigned int n = 0;

	CT_ASSERT(r.md && EVP_DigestInit_ex(r.md, EVP_sha256(), NULL) == 1);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = d + phoff + 56 * i;
		if (le(ph, 4) == 1 && le(ph + 16, 8) + le(ph + 40, 8) > end)
			end = le(ph + 16, 8) + le(ph + 40, 8);
	}
	end = (end + PAGE - 1) / PAGE * PAGE;
	uint64_t block = 1 + stack + 1 + 1 + 2 + 1 + 1 + 1;
	uint64_t used = end + heap * PAGE + tcs * block * PAGE, size = 2 * PAGE;
	while (size < used)
		size *= 2;
	uint8_t ecreate[64] = "ECREATE";
	putle(ecreate + 8, 1, 4);
	putle(ecreate + 12, size, 8);
	ref_update(&r, ecreate, 64);

	for (uint64_t va = 0; va < end; va += PAGE) {
		uint64_t flags = 0x200;
		bool covered = false;
		memset(page, 0, PAGE);
		for (uint64_t i = 0; i < phnum; i++) {
			const uint8_t *ph = d + phoff + 56 * i;
			uint64_t pf = le(ph + 4, 4), off = le(ph + 8, 8), sva = le(ph + 16, 8);
			uint64_t fsz = le(ph + 32, 8), msz = le(ph + 40, 8);
			if (le(ph, 4) != 1 || sva >= va + PAGE || va >= sva + msz)
				continue;
			covered = true;
			flags |= ((pf & 4) ? 1 : 0) | ((pf & 2) ? 2 : 0) | ((pf & 1) ? 4 : 0);
			for (uint64_t a = va; a < va + PAGE; a++)
				if (a >= sva && a < sva + fsz)
					page[a - va] = d[off + a - sva];
			/* the ELF header's section-header fields (e_shoff 40..47, e_shnum/e_shstrndx 60..63) are not
			 * measured where the header is loaded: they move with debug information */
			if (off == 0 && fsz >= 64 && sva >= va && sva < va + PAGE) {
				memset(page + (sva - va) + 40, 0, 8);
				memset(page + (sva - va) + 60, 0, 4);
			}
		}
		if (!covered)
			continue;
		for (uint64_t a = va; a < va + PAGE; a++)
			if (a >= sig_lo && a < sig_hi)
				page[a - va] = 0;
		ref_eadd(&r, va, flags, page);
	}
	for (uint64_t i = 0; i < heap; i++)
		ref_eadd(&r, end + i * PAGE, 0x203, NULL);
	for (uint64_t k = 0; k < tcs; k++) {
		uint64_t b = end + heap * PAGE + k * block * PAGE;
		uint64_t tb = b + (stack + 2) * PAGE;
		for (uint64_t i = 0; i < stack; i++)
			ref_eadd(&r, b + (1 + i) * PAGE, 0x203, zero);
		memset(page, 0, PAGE);
		putle(page + 16, tb + PAGE, 8);     /* OSSA */
		putle(page + 28, 2, 4);             /* NSSA */
		putle(page + 32, entry, 8);         /* OENTRY */
		putle(page + 48, tb + 5 * PAGE, 8); /* OFSBASE: thread data, after 2 SSA, guard, TLS */
		putle(page + 56, tb + 5 * PAGE, 8); /* OGSBASE */
		putle(page + 64, 0xffffffff, 4);
		putle(page + 68, 0xffffffff, 4);
		ref_eadd(&r, tb, 0x100, page);
		ref_eadd(&r, tb + PAGE, 0x203, zero);
		ref_eadd(&r, tb + 2 * PAGE, 0x203, zero);
		ref_eadd(&r, tb + 4 * PAGE, 0x203, zero);
		ref_eadd(&r, tb + 5 * PAGE, 0x203, zero);
	}
	CT_ASSERT(EVP_DigestFinal_ex(r.md, out, &n) == 1 && n == 32);
	EVP_MD_CTX_free(r.md);
}

/* ---- the code under test ---- */

static cella_result measure(const struct testelf *t, struct cella_hash *h)
{
	struct cella_image img;
	struct cella_layout l;
	cella_result r;
	r = cella_image_parse(t->data, t->size, &img);
	if (r != CELLA_OK)
		return r;
	r = cella_layout_build(&img, &l);
	if (r != CELLA_OK)
		return r;
	r = cella_measure(&l, h);
	cella_layout_fini(&l);
	return r;
}

static void check_against_reference(const struct testelf_opts *o, const char *name, struct cella_hash *got)
{
	struct testelf t;
	uint8_t want[32];
	testelf_build(o, &t);
	reference_mrenclave(&t, want);
	CT_RESULT(measure(&t, got), CELLA_OK);
	if (memcmp(got->b, want, 32) != 0) {
		fprintf(stderr, "%s: reference %s\n", name, cella_test_hex(want, 32));
		cella_test_fail(__FILE__, __LINE__, "%s: cella_measure %s", name, cella_test_hex(got->b, 32));
	}
	testelf_free(&t);
}

static void test_known_answers(void)
{
	struct testelf_opts o;
	struct cella_hash base, h;

	testelf_default_opts(&o);
	check_against_reference(&o, "default", &base);
	if (strcmp(cella_test_hex(base.b, 32), PINNED) != 0)
		cella_test_fail(__FILE__, __LINE__, "default image: %s, pinned %s", cella_test_hex(base.b, 32), PINNED);

	/* the SIGSTRUCT bytes are not measured */
	memset(o.props.sigstruct, 0x77, sizeof(o.props.sigstruct));
	check_against_reference(&o, "signed", &h);
	CT_EQ_MEM(h.b, base.b, 32);

	/* every other property is */
	testelf_default_opts(&o);
	o.props.isv_svn = 4;
	check_against_reference(&o, "svn", &h);
	CT_ASSERT(memcmp(h.b, base.b, 32) != 0);
	testelf_default_opts(&o);
	o.props.heap_pages = 5;
	check_against_reference(&o, "heap", &h);
	CT_ASSERT(memcmp(h.b, base.b, 32) != 0);
	testelf_default_opts(&o);
	o.props.tcs_count = 3;
	o.props.stack_pages = 16;
	check_against_reference(&o, "tcs", &h);
	CT_ASSERT(memcmp(h.b, base.b, 32) != 0);
	testelf_default_opts(&o);
	o.nseg = 1;
	check_against_reference(&o, "one segment", &h);
	testelf_default_opts(&o);
	o.shared_page = true;
	check_against_reference(&o, "shared page", &h);
	cella_test_pass("cella_measure matches the independent reference and the pinned digest");
}

static void test_sensitivity(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_hash base, h;

	testelf_default_opts(&o);
	testelf_build(&o, &t);
	CT_RESULT(measure(&t, &base), CELLA_OK);
	t.data[t.text_off + 0x7ff] ^= 1; /* last code byte */
	CT_RESULT(measure(&t, &h), CELLA_OK);
	CT_ASSERT(memcmp(h.b, base.b, 32) != 0);
	t.data[t.text_off + 0x7ff] ^= 1;
	t.data[t.data_off + 0x20] ^= 0x80; /* data */
	CT_RESULT(measure(&t, &h), CELLA_OK);
	CT_ASSERT(memcmp(h.b, base.b, 32) != 0);
	t.data[t.data_off + 0x20] ^= 0x80;
	t.data[0x20] ^= 1; /* in the program header table (e_phoff byte): a different image altogether */
	CT_ASSERT(measure(&t, &h) != CELLA_OK || memcmp(h.b, base.b, 32) != 0);
	t.data[0x20] ^= 1;
	t.data[t.cella_off + 192 + 5] ^= 1; /* sigstruct: ignored */
	CT_RESULT(measure(&t, &h), CELLA_OK);
	CT_EQ_MEM(h.b, base.b, 32);
	testelf_free(&t);

	CT_RESULT(cella_measure(NULL, &h), CELLA_ERR_INVALID_ARG);
	struct cella_layout empty = {0};
	CT_RESULT(cella_measure(&empty, NULL), CELLA_ERR_INVALID_ARG);
	empty.npages = 1;
	CT_RESULT(cella_measure(&empty, &h), CELLA_ERR_INVALID_ARG);
	cella_test_pass("code, data and property bytes are measured; sigstruct is not");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-elf") == 0) {
		struct testelf_opts o;
		struct testelf t;
		testelf_default_opts(&o);
		testelf_build(&o, &t);
		testelf_write(&t, argv[2]);
		testelf_free(&t);
		return 0;
	}
	test_known_answers();
	test_sensitivity();
	return 0;
}
