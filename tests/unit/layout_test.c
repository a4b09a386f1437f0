// SPDX-License-Identifier: MIT
/* Enclave layout: regions arithmetic and the EADD page list built from a synthetic image. */
#include "layout.h"

#include <string.h>

#include "cella_test.h"
#include "sign_testelf.h"

#define PAGE 4096u
#define RW (CELLA_SECINFO_PT_REG | CELLA_SECINFO_R | CELLA_SECINFO_W)

static void parse(struct testelf *t, const struct testelf_opts *o, struct cella_image *img)
{
	testelf_build(o, t);
	CT_RESULT(cella_image_parse(t->data, t->size, img), CELLA_OK);
}

static void test_regions(void)
{
	struct cella_abi_properties p = {.heap_pages = 4, .stack_pages = 2, .tcs_count = 2};
	struct cella_layout_regions r;
	struct cella_layout_tcs t;

	CT_RESULT(cella_layout_regions(&p, 0x6000, &r), CELLA_OK);
	CT_EQ(r.heap_rva, 0x6000);
	CT_EQ(r.heap_bytes, 0x4000);
	CT_EQ(r.tcs_base_rva, 0xa000);
	CT_EQ(r.tcs_block_bytes, 10 * PAGE); /* guard, 2 stack, guard, TCS, 2 SSA, guard, TLS, TD */
	CT_EQ(r.used_bytes, 0xa000 + 2 * 10 * PAGE);
	CT_EQ(r.enclave_size, 0x20000);
	CT_RESULT(cella_layout_tcs(&r, 1, &t), CELLA_OK);
	CT_EQ(t.block_rva, 0x14000);
	CT_EQ(t.stack_lo, 0x15000);
	CT_EQ(t.stack_hi, 0x17000);
	CT_EQ(t.tcs_rva, 0x18000);
	CT_EQ(t.ssa_rva, 0x19000);
	CT_EQ(t.tls_rva, 0x1c000);
	CT_EQ(t.td_rva, 0x1d000);
	CT_RESULT(cella_layout_tcs(&r, 2, &t), CELLA_ERR_INVALID_ARG);
	p.tcs_count = 0;
	CT_RESULT(cella_layout_regions(&p, 0x6000, &r), CELLA_ERR_IMAGE_PROPERTIES);
	p.tcs_count = 1;
	CT_RESULT(cella_layout_regions(&p, 0x6001, &r), CELLA_ERR_IMAGE_TOO_LARGE);
	/* the runtime's page bitmap takes the heap's first page: a heap needs one more to be of any use */
	for (p.heap_pages = 0; p.heap_pages < CELLA_MIN_HEAP_PAGES; p.heap_pages++)
		CT_RESULT(cella_layout_regions(&p, 0x6000, &r), CELLA_ERR_IMAGE_PROPERTIES);
	CT_RESULT(cella_layout_regions(&p, 0x6000, &r), CELLA_OK);
	CT_EQ(r.heap_bytes, 2 * PAGE);
	cella_test_pass("regions and TCS blocks");
}

static void check_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			cella_test_fail(__FILE__, __LINE__, "byte %zu is 0x%02x, expected 0", i, p[i]);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd64((const uint8_t[8]){p[0], p[1], p[2], p[3]});
}

static void test_pages(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_image img;
	struct cella_layout l;
	size_t k = 0;

	testelf_default_opts(&o);
	memset(o.props.sigstruct, 0xa5, sizeof(o.props.sigstruct)); /* must be zeroed in the page copy */
	parse(&t, &o, &img);
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	CT_EQ(l.entry_rva, 0x1000);
	CT_EQ(l.npages, 5 + 4 + 2 * 7);
	CT_EQ(l.image_data_pages, 3);

	/* image: 0x0 and 0x1000 R-X from the file, hole at 0x2000, 0x3000 RW- data, 0x4000/0x5000 bss */
	CT_EQ(l.pages[0].rva, 0);
	CT_EQ(l.pages[0].secinfo, CELLA_SECINFO_PT_REG | 0x5);
	CT_ASSERT(l.pages[0].measured);
	/* the loaded ELF header minus its section-header fields (e_shoff at 40, e_shnum/e_shstrndx at 60) */
	CT_EQ_MEM(l.pages[0].data, t.data, 40);
	check_zero(l.pages[0].data + 40, 8);
	CT_EQ_MEM(l.pages[0].data + 48, t.data + 48, 12);
	check_zero(l.pages[0].data + 60, 4);
	CT_EQ_MEM(l.pages[0].data + 64, t.data + 64, PAGE - 64);
	CT_ASSERT(t.data[40] | t.data[41] | t.data[60]); /* the file does have section headers */
	CT_EQ(l.pages[1].rva, 0x1000);
	CT_EQ_MEM(l.pages[1].data, t.data + 0x1000, 0x800);
	check_zero(l.pages[1].data + 0x800, 0x800); /* past p_filesz */
	CT_EQ(l.pages[2].rva, 0x3000);
	CT_EQ(l.pages[2].secinfo, CELLA_SECINFO_PT_REG | 0x3);
	const uint8_t *d = l.pages[2].data;
	const size_t sig = 0x100 + 192;
	CT_EQ_MEM(d, t.data + t.data_off, sig);                   /* data, .cella up to the sigstruct */
	check_zero(d + sig, CELLA_SIGSTRUCT_BYTES);               /* sigstruct zeroed */
	CT_EQ_MEM(d + sig + CELLA_SIGSTRUCT_BYTES, t.data + t.data_off + sig + CELLA_SIGSTRUCT_BYTES,
		  0x970 - sig - CELLA_SIGSTRUCT_BYTES);           /* end marker, dynamic, relocations */
	check_zero(d + 0x970, PAGE - 0x970);
	CT_EQ(l.pages[3].rva, 0x4000);
	CT_ASSERT(l.pages[3].data == NULL && l.pages[3].measured);
	CT_EQ(l.pages[4].rva, 0x5000);
	CT_ASSERT(l.pages[4].data == NULL);
	CT_EQ(l.pages[4].secinfo, CELLA_SECINFO_PT_REG | 0x3);
	k = 5;
	/* heap */
	for (unsigned i = 0; i < 4; i++, k++) {
		CT_EQ(l.pages[k].rva, 0x6000 + i * PAGE);
		CT_EQ(l.pages[k].secinfo, RW);
		CT_ASSERT(!l.pages[k].measured && l.pages[k].data == NULL);
	}
	/* TCS blocks: stack x2, TCS, SSA x2, TLS, TD; guards are holes */
	for (uint64_t i = 0; i < 2; i++) {
		uint64_t b = 0xa000 + i * 10 * PAGE;
		const uint64_t rvas[] = {b + 0x1000, b + 0x2000, b + 0x4000, b + 0x5000, b + 0x6000, b + 0x8000, b + 0x9000};
		for (unsigned j = 0; j < 7; j++, k++) {
			CT_EQ(l.pages[k].rva, rvas[j]);
			CT_ASSERT(l.pages[k].measured);
			if (j == 2) {
				const uint8_t *tcs = l.pages[k].data;
				CT_EQ(l.pages[k].secinfo, CELLA_SECINFO_PT_TCS);
				CT_ASSERT(tcs != NULL);
				CT_EQ(rd64(tcs + 0), 0);          /* reserved */
				CT_EQ(rd64(tcs + 8), 0);          /* FLAGS */
				CT_EQ(rd64(tcs + 16), b + 0x5000); /* OSSA */
				CT_EQ(rd32(tcs + 24), 0);         /* CSSA */
				CT_EQ(rd32(tcs + 28), 2);         /* NSSA */
				CT_EQ(rd64(tcs + 32), 0x1000);    /* OENTRY */
				CT_EQ(rd64(tcs + 40), 0);         /* AEP */
				CT_EQ(rd64(tcs + 48), b + 0x9000); /* OFSBASE */
				CT_EQ(rd64(tcs + 56), b + 0x9000); /* OGSBASE */
				CT_EQ(rd32(tcs + 64), 0xffffffffu);
				CT_EQ(rd32(tcs + 68), 0xffffffffu);
				check_zero(tcs + 72, PAGE - 72);
			} else {
				CT_EQ(l.pages[k].secinfo, RW);
				CT_ASSERT(l.pages[k].data == NULL);
			}
		}
	}
	CT_EQ(k, l.npages);
	cella_layout_fini(&l);
	CT_ASSERT(l.pages == NULL && l.npages == 0);
	cella_layout_fini(&l); /* repeated fini is a no-op */
	cella_layout_fini(NULL);
	testelf_free(&t);
	cella_test_pass("page list: image, heap, TCS blocks, TCS contents, sigstruct zeroed");
}

static void test_shared_page(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_image img;
	struct cella_layout l;

	testelf_default_opts(&o);
	o.shared_page = true;
	parse(&t, &o, &img);
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	/* text [0,0x1800) and data [0x1800,0x4800): pages 0, 0x1000 (shared), 0x2000, 0x3000, 0x4000 */
	CT_EQ(l.pages[0].rva, 0);
	CT_EQ(l.pages[1].rva, 0x1000);
	CT_EQ(l.pages[1].secinfo, CELLA_SECINFO_PT_REG | 0x7); /* R-X | RW- */
	CT_EQ_MEM(l.pages[1].data, t.data + 0x1000, 0x800);
	CT_EQ_MEM(l.pages[1].data + 0x800, t.data + t.data_off, 0x100);
	CT_EQ(l.pages[2].rva, 0x2000);
	CT_ASSERT(l.pages[2].data != NULL); /* .cella continues here */
	CT_EQ(l.pages[3].rva, 0x3000);
	CT_ASSERT(l.pages[3].data == NULL);
	CT_EQ(l.pages[4].rva, 0x4000);
	CT_EQ(l.pages[5].rva, 0x5000); /* heap */
	CT_ASSERT(!l.pages[5].measured);
	CT_EQ(l.image_data_pages, 3);
	cella_layout_fini(&l);
	testelf_free(&t);

	testelf_default_opts(&o);
	o.nseg = 1;
	parse(&t, &o, &img);
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	CT_EQ(l.pages[2].rva, 0x2000);
	CT_EQ(l.pages[2].secinfo, CELLA_SECINFO_PT_REG | 0x7);
	CT_EQ(l.pages[5].rva, 0x5000); /* heap right after the 5-page image */
	cella_layout_fini(&l);
	testelf_free(&t);
	cella_test_pass("pages shared by two segments; one RWX segment");
}

static void test_errors(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_image img;
	struct cella_layout l;

	testelf_default_opts(&o);
	parse(&t, &o, &img);
	CT_RESULT(cella_layout_build(NULL, &l), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_layout_build(&img, NULL), CELLA_ERR_INVALID_ARG);
	img.props.tcs_count = 0; /* a caller that edits props after parsing is re-checked */
	memset(&l, 0x5a, sizeof(l));
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_IMAGE_PROPERTIES);
	CT_ASSERT(l.pages == NULL && l.image == NULL && l.npages == 0);
	cella_layout_fini(&l);
	img.props.tcs_count = 1;
	img.segments[1].filesz = img.size; /* inconsistent with the file */
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_INVALID_ARG);
	img.segments[1].filesz = 0x970;
	img.segments[1].vaddr = 0x1000; /* overlapping */
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_INVALID_ARG);
	img.segments[1].vaddr = 0x3000;
	img.nsegments = 0;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_INVALID_ARG);
	img.nsegments = 2;
	img.props.heap_pages = CELLA_MAX_HEAP_PAGES + 1;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_IMAGE_PROPERTIES);
	img.props.heap_pages = 4;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	CT_EQ(l.npages, 5 + 4 + 7);
	cella_layout_fini(&l);
	testelf_free(&t);
	cella_test_pass("layout_build refusals");
}

/* EADD refuses SECINFO with W but not R: a page list holding one is refused, whoever built the image. */
static void test_write_only(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_image img;
	struct cella_layout l;

	testelf_default_opts(&o);
	parse(&t, &o, &img);
	img.segments[1].flags = CELLA_SECINFO_W; /* past the parser, which refuses it per segment */
	memset(&l, 0x5a, sizeof(l));
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_IMAGE_SEGMENTS);
	CT_ASSERT(l.pages == NULL && l.npages == 0);
	img.segments[1].flags = CELLA_SECINFO_W | CELLA_SECINFO_X;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_IMAGE_SEGMENTS);
	img.segments[1].flags = CELLA_SECINFO_R | CELLA_SECINFO_W;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	cella_layout_fini(&l);
	testelf_free(&t);

	/* two segments sharing a page: the merged SECINFO is what counts. A readable neighbour makes the shared
	 * page readable, but the write-only segment's own pages still are not. */
	o.shared_page = true;
	parse(&t, &o, &img);
	img.segments[0].flags = CELLA_SECINFO_W | CELLA_SECINFO_X;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_IMAGE_SEGMENTS);
	img.segments[0].flags = CELLA_SECINFO_R | CELLA_SECINFO_X;
	img.segments[1].flags = CELLA_SECINFO_W;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_ERR_IMAGE_SEGMENTS);
	img.segments[1].flags = CELLA_SECINFO_R | CELLA_SECINFO_W;
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	for (size_t i = 0; i < l.npages; i++)
		CT_ASSERT(!(l.pages[i].secinfo & CELLA_SECINFO_W) || (l.pages[i].secinfo & CELLA_SECINFO_R));
	cella_layout_fini(&l);
	testelf_free(&t);
	cella_test_pass("layout_build refuses pages writable but not readable");
}

int main(void)
{
	test_regions();
	test_pages();
	test_shared_page();
	test_errors();
	test_write_only();
	return 0;
}
