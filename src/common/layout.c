// SPDX-License-Identifier: MIT
/* Enclave layout: where image, heap and TCS blocks go, and (host side) the ordered EADD page list. */
#include "layout.h"

#include <elf.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define PAGE CELLA_PAGE_BYTES
#define MAX_ENCLAVE_BYTES (1ull << 46)

static uint64_t tcs_block_pages(uint64_t stack_pages)
{
	/* guard + stack + guard + TCS + SSA + guard + TLS + thread data */
	return 1 + stack_pages + 1 + 1 + (uint64_t)CELLA_SSA_FRAMES * CELLA_SSA_FRAME_PAGES + 1 + CELLA_TLS_PAGES + 1;
}

/* see layout.h */
cella_result cella_layout_regions(const struct cella_abi_properties *p, uint64_t image_bytes,
				  struct cella_layout_regions *out)
{
	struct cella_layout_regions r = {0};
	uint64_t size = 2 * PAGE;

	if (p->tcs_count < 1 || p->tcs_count > CELLA_MAX_TCS || p->heap_pages < CELLA_MIN_HEAP_PAGES ||
	    p->heap_pages > CELLA_MAX_HEAP_PAGES || p->stack_pages < 1 || p->stack_pages > CELLA_MAX_STACK_PAGES)
		return CELLA_ERR_IMAGE_PROPERTIES;
	if (image_bytes % PAGE != 0 || image_bytes == 0 || image_bytes > MAX_ENCLAVE_BYTES)
		return CELLA_ERR_IMAGE_TOO_LARGE;
	/* With the limits above every product below is < 2^46 and the sums cannot wrap. */
	r.image_bytes = image_bytes;
	r.heap_rva = image_bytes;
	r.heap_bytes = p->heap_pages * PAGE;
	r.tcs_base_rva = r.heap_rva + r.heap_bytes;
	r.tcs_block_bytes = tcs_block_pages(p->stack_pages) * PAGE;
	r.tcs_count = p->tcs_count;
	r.stack_pages = p->stack_pages;
	r.used_bytes = r.tcs_base_rva + r.tcs_count * r.tcs_block_bytes;
	if (r.used_bytes > MAX_ENCLAVE_BYTES)
		return CELLA_ERR_IMAGE_TOO_LARGE;
	while (size < r.used_bytes)
		size <<= 1;
	r.enclave_size = size;
	*out = r;
	return CELLA_OK;
}

/* see layout.h */
cella_result cella_layout_tcs(const struct cella_layout_regions *r, uint64_t i, struct cella_layout_tcs *out)
{
	struct cella_layout_tcs t;

	if (i >= r->tcs_count)
		return CELLA_ERR_INVALID_ARG;
	t.block_rva = r->tcs_base_rva + i * r->tcs_block_bytes;
	t.stack_lo = t.block_rva + PAGE;
	t.stack_hi = t.stack_lo + r->stack_pages * PAGE;
	t.tcs_rva = t.stack_hi + PAGE;
	t.ssa_rva = t.tcs_rva + PAGE;
	t.tls_rva = t.ssa_rva + (uint64_t)CELLA_SSA_FRAMES * CELLA_SSA_FRAME_PAGES * PAGE + PAGE;
	t.td_rva = t.tls_rva + (uint64_t)CELLA_TLS_PAGES * PAGE;
	*out = t;
	return CELLA_OK;
}

/* Pages per TCS block that are EADDed: stack, TCS, SSA, TLS, thread data (the guards are holes). */
static uint64_t tcs_listed_pages(uint64_t stack_pages)
{
	return stack_pages + 1 + (uint64_t)CELLA_SSA_FRAMES * CELLA_SSA_FRAME_PAGES + CELLA_TLS_PAGES + 1;
}

/* Counts the image pages (any byte covered by a segment) and those holding file bytes. */
static cella_result count_image_pages(const struct cella_image *img, uint64_t *npages, uint64_t *ndata)
{
	uint64_t last = UINT64_MAX, last_data = UINT64_MAX;

	*npages = 0;
	*ndata = 0;
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct cella_image_segment *s = &img->segments[i];
		uint64_t end, fend;
		/* The parser guarantees these; re-check what the page arithmetic relies on. */
		if (s->memsz == 0 || s->filesz > s->memsz || __builtin_add_overflow(s->vaddr, s->memsz, &end) ||
		    end > img->image_bytes || s->offset > img->size || s->filesz > img->size - s->offset ||
		    (i > 0 && s->vaddr < img->segments[i - 1].vaddr + img->segments[i - 1].memsz))
			return CELLA_ERR_INVALID_ARG;
		uint64_t p0 = s->vaddr / PAGE, p1 = (end + PAGE - 1) / PAGE;
		*npages += p1 - p0 - (p0 == last);
		last = p1 - 1;
		if (s->filesz > 0) {
			fend = s->vaddr + s->filesz;
			uint64_t d1 = (fend + PAGE - 1) / PAGE;
			*ndata += d1 - p0 - (p0 == last_data);
			last_data = d1 - 1;
		}
	}
	return CELLA_OK;
}

static void add_page(struct cella_layout *l, uint64_t rva, uint64_t secinfo, const uint8_t *data, bool measured)
{
	l->pages[l->npages++] = (struct cella_page){.rva = rva, .secinfo = secinfo, .data = data, .measured = measured};
}

/* Emits the image pages: merges pages shared by two segments, copies file bytes, zeroes SIGSTRUCT. */
static void add_image_pages(struct cella_layout *l, const struct cella_image *img)
{
	uint64_t slot = 0;
	uint64_t z0 = img->props_rva + __builtin_offsetof(struct cella_abi_properties, sigstruct);
	uint64_t z1 = z0 + CELLA_SIGSTRUCT_BYTES;

	for (size_t i = 0; i < img->nsegments; i++) {
		const struct cella_image_segment *s = &img->segments[i];
		uint64_t fend = s->vaddr + s->filesz;
		for (uint64_t p = s->vaddr / PAGE * PAGE; p < s->vaddr + s->memsz; p += PAGE) {
			struct cella_page *e;
			if (l->npages == 0 || l->pages[l->npages - 1].rva != p)
				add_page(l, p, CELLA_SECINFO_PT_REG, NULL, true);
			e = &l->pages[l->npages - 1]; /* new, or shared with the previous segment */
			e->secinfo |= s->flags;
			if (p >= fend)
				continue;
			if (!e->data)
				e->data = l->image + (slot++) * PAGE;
			uint64_t lo = p > s->vaddr ? p : s->vaddr;
			uint64_t hi = p + PAGE < fend ? p + PAGE : fend;
			memcpy(l->image + (e->data - l->image) + (lo - p), img->data + s->offset + (lo - s->vaddr),
			       hi - lo);
		}
	}
	/* SIGSTRUCT is excluded from the measurement: zero it wherever it landed. */
	for (size_t i = 0; i < l->npages; i++) {
		struct cella_page *e = &l->pages[i];
		if (!e->data || e->rva + PAGE <= z0 || e->rva >= z1)
			continue;
		uint64_t lo = e->rva > z0 ? e->rva : z0;
		uint64_t hi = e->rva + PAGE < z1 ? e->rva + PAGE : z1;
		memset(l->image + (e->data - l->image) + (lo - e->rva), 0, hi - lo);
	}
	/*
	 * The section-header fields of the ELF header (e_shoff, e_shnum, e_shstrndx) describe the file, not the
	 * enclave: e_shoff moves whenever debug information changes size (a build directory's name is enough).
	 * Where the header is loaded they are zeroed, so MRENCLAVE depends on what runs, not on debug info.
	 */
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct cella_image_segment *s = &img->segments[i];
		struct cella_page *e = NULL;
		if (s->offset != 0 || s->filesz < sizeof(Elf64_Ehdr))
			continue;
		for (size_t k = 0; k < l->npages; k++)
			if (l->pages[k].rva == s->vaddr / PAGE * PAGE)
				e = &l->pages[k];
		if (e && e->data) {
			uint8_t *h = l->image + (e->data - l->image) + (s->vaddr % PAGE);
			memset(h + offsetof(Elf64_Ehdr, e_shoff), 0, sizeof(((Elf64_Ehdr *)0)->e_shoff));
			memset(h + offsetof(Elf64_Ehdr, e_shnum), 0, sizeof(((Elf64_Ehdr *)0)->e_shnum));
			memset(h + offsetof(Elf64_Ehdr, e_shstrndx), 0, sizeof(((Elf64_Ehdr *)0)->e_shstrndx));
		}
	}
}

/* TCS page contents, Intel SDM 35.8. */
static void fill_tcs(uint8_t *page, const struct cella_layout_tcs *t, uint64_t entry_rva)
{
	struct cella_sgx_tcs tcs;

	memset(&tcs, 0, sizeof(tcs));
	tcs.flags = 0;
	tcs.ossa = t->ssa_rva;
	tcs.cssa = 0;
	tcs.nssa = CELLA_SSA_FRAMES;
	tcs.oentry = entry_rva;
	tcs.aep = 0;
	tcs.ofsbase = t->td_rva;
	tcs.ogsbase = t->td_rva;
	tcs.fslimit = 0xffffffffu;
	tcs.gslimit = 0xffffffffu;
	memcpy(page, &tcs, sizeof(tcs));
}

/* see layout.h */
cella_result cella_layout_build(const struct cella_image *img, struct cella_layout *out)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_layout l = {0};
	uint64_t nimg = 0, ndata = 0, total = 0, per_tcs, tcs_total;
	const uint64_t rw = CELLA_SECINFO_PT_REG | CELLA_SECINFO_R | CELLA_SECINFO_W;

	if (!img || !out || !img->data || img->nsegments == 0 || img->nsegments > CELLA_IMAGE_MAX_SEGMENTS)
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	CELLA_CHECK(cella_layout_regions(&img->props, img->image_bytes, &l.r));
	CELLA_CHECK(count_image_pages(img, &nimg, &ndata));
	per_tcs = tcs_listed_pages(l.r.stack_pages);
	/* cella_layout_regions bounds every factor; the products fit in 64 bits. Check what malloc gets. */
	tcs_total = per_tcs * l.r.tcs_count;
	total = nimg + l.r.heap_bytes / PAGE + tcs_total;
	if (total > SIZE_MAX / sizeof(struct cella_page) || ndata > SIZE_MAX / PAGE)
		CELLA_FAIL(CELLA_ERR_IMAGE_TOO_LARGE);
	l.pages = malloc((size_t)total * sizeof(struct cella_page));
	l.image = calloc(ndata ? (size_t)ndata : 1, PAGE);
	l.tcs_pages = calloc((size_t)l.r.tcs_count, PAGE);
	if (!l.pages || !l.image || !l.tcs_pages)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	l.image_data_pages = (size_t)ndata;
	l.entry_rva = img->entry_rva;

	add_image_pages(&l, img);
	if (l.npages != nimg)
		CELLA_FAIL(CELLA_ERR_UNEXPECTED);
	/* The parser refuses W without R per segment; hold the merged pages to it too, since EADD and the Linux
	 * driver (sgx_validate_secinfo) refuse such a SECINFO and a page list with one could never load. */
	for (size_t i = 0; i < l.npages; i++)
		if ((l.pages[i].secinfo & CELLA_SECINFO_W) && !(l.pages[i].secinfo & CELLA_SECINFO_R))
			CELLA_FAIL(CELLA_ERR_IMAGE_SEGMENTS);
	for (uint64_t i = 0; i < l.r.heap_bytes / PAGE; i++)
		add_page(&l, l.r.heap_rva + i * PAGE, rw, NULL, false);
	for (uint64_t i = 0; i < l.r.tcs_count; i++) {
		struct cella_layout_tcs t;
		uint8_t *tcs_page = l.tcs_pages + i * PAGE;
		CELLA_CHECK(cella_layout_tcs(&l.r, i, &t));
		for (uint64_t k = 0; k < l.r.stack_pages; k++)
			add_page(&l, t.stack_lo + k * PAGE, rw, NULL, true);
		fill_tcs(tcs_page, &t, l.entry_rva);
		add_page(&l, t.tcs_rva, CELLA_SECINFO_PT_TCS, tcs_page, true);
		for (uint64_t k = 0; k < (uint64_t)CELLA_SSA_FRAMES * CELLA_SSA_FRAME_PAGES; k++)
			add_page(&l, t.ssa_rva + k * PAGE, rw, NULL, true);
		for (uint64_t k = 0; k < CELLA_TLS_PAGES; k++)
			add_page(&l, t.tls_rva + k * PAGE, rw, NULL, true);
		add_page(&l, t.td_rva, rw, NULL, true);
	}
	if (l.npages != total)
		CELLA_FAIL(CELLA_ERR_UNEXPECTED);
	*out = l;
	l = (struct cella_layout){0};
	r = CELLA_OK;
out:
	if (r != CELLA_OK && out)
		*out = (struct cella_layout){0};
	cella_layout_fini(&l);
	return r;
}

/* see layout.h */
void cella_layout_fini(struct cella_layout *l)
{
	if (!l)
		return;
	free(l->pages);
	free(l->image);
	free(l->tcs_pages);
	*l = (struct cella_layout){0};
}
