// SPDX-License-Identifier: MIT
/* Enclave image parser: the accepted shape, and every refusal with its own error code. */
#include "image.h"

#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cella_test.h"
#include "sign_testelf.h"

static Elf64_Ehdr get_eh(const struct testelf *t)
{
	Elf64_Ehdr e;
	memcpy(&e, t->data, sizeof(e));
	return e;
}

static void set_eh(struct testelf *t, const Elf64_Ehdr *e)
{
	memcpy(t->data, e, sizeof(*e));
}

static Elf64_Phdr get_ph(const struct testelf *t, int i)
{
	Elf64_Phdr p;
	memcpy(&p, t->data + t->phoff + (size_t)i * sizeof(p), sizeof(p));
	return p;
}

static void set_ph(struct testelf *t, int i, const Elf64_Phdr *p)
{
	memcpy(t->data + t->phoff + (size_t)i * sizeof(*p), p, sizeof(*p));
}

static Elf64_Shdr get_sh(const struct testelf *t, int i)
{
	Elf64_Shdr s;
	memcpy(&s, t->data + t->shoff + (size_t)i * sizeof(s), sizeof(s));
	return s;
}

static void set_sh(struct testelf *t, int i, const Elf64_Shdr *s)
{
	memcpy(t->data + t->shoff + (size_t)i * sizeof(*s), s, sizeof(*s));
}

static void set_dyn(struct testelf *t, int i, int64_t tag, uint64_t val)
{
	Elf64_Dyn d = {.d_tag = tag, .d_un.d_val = val};
	memcpy(t->data + t->dyn_off + (size_t)i * sizeof(d), &d, sizeof(d));
}

/* Parses t and expects `want`; on failure, also checks *out was left untouched. */
static void expect(const struct testelf *t, size_t size, cella_result want)
{
	struct cella_image img, before;
	struct cella_image_diag d;
	char msg[256];
	memset(&img, 0x5a, sizeof(img));
	before = img;
	CT_RESULT(cella_image_parse_diag(t->data, size, &img, &d), want);
	if (want != CELLA_OK) {
		CT_ASSERT(memcmp(&img, &before, sizeof(img)) == 0);
		CT_ASSERT(d.what != NULL && d.what[0] != 0);
		cella_image_diag_format(want, &d, msg, sizeof(msg));
		CT_ASSERT(strlen(msg) > 0);
	}
	CT_RESULT(cella_image_parse(t->data, size, &img), want);
}

/* As expect, for a refusal whose reason names `needle`. */
static void expect_what(const struct testelf *t, cella_result want, const char *needle)
{
	struct cella_image img;
	struct cella_image_diag d;
	expect(t, t->size, want);
	CT_RESULT(cella_image_parse_diag(t->data, t->size, &img, &d), want);
	if (!strstr(d.what, needle))
		cella_test_fail(__FILE__, __LINE__, "the reason '%s' does not name %s", d.what, needle);
}

static void build(struct testelf *t, void (*tweak)(struct testelf_opts *))
{
	struct testelf_opts o;
	testelf_default_opts(&o);
	if (tweak)
		tweak(&o);
	testelf_build(&o, t);
}

static void test_accepts(void)
{
	struct testelf t;
	struct cella_image img;
	build(&t, NULL);
	CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
	CT_ASSERT(img.data == t.data);
	CT_EQ(img.size, t.size);
	CT_EQ(img.entry_rva, 0x1000);
	CT_EQ(img.image_bytes, 0x6000);
	CT_EQ(img.props_offset, t.cella_off);
	CT_EQ(img.props_rva, t.cella_va);
	CT_EQ(img.props.heap_pages, 4);
	CT_EQ(img.props.tcs_count, 2);
	CT_EQ(img.props.isv_prod_id, 7);
	CT_EQ(img.nsegments, 2);
	CT_EQ(img.segments[0].flags, 0x5); /* R|X */
	CT_EQ(img.segments[1].flags, 0x3); /* R|W */
	CT_EQ(img.segments[1].vaddr, 0x3000);
	CT_EQ(img.segments[1].offset, 0x2000);
	CT_EQ(img.segments[1].filesz, 0x970);
	CT_EQ(img.segments[1].memsz, 0x3000);
	testelf_free(&t);
	cella_test_pass("accepts a valid two-segment image");
}

static void one_seg(struct testelf_opts *o) { o->nseg = 1; }
static void shared(struct testelf_opts *o) { o->shared_page = true; }

static void test_accepts_variants(void)
{
	struct testelf t;
	struct cella_image img;
	build(&t, one_seg);
	CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
	CT_EQ(img.nsegments, 1);
	CT_EQ(img.segments[0].flags, 0x7);
	CT_EQ(img.image_bytes, 0x5000);
	testelf_free(&t);
	build(&t, shared);
	CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
	CT_EQ(img.image_bytes, 0x5000);
	CT_EQ(img.props_rva, 0x1900);
	testelf_free(&t);
	cella_test_pass("accepts one segment and two segments sharing a page");
}

static void test_not_elf(void)
{
	struct testelf t;
	Elf64_Ehdr e;
	build(&t, NULL);
	expect(&t, 0, CELLA_ERR_IMAGE_NOT_ELF);
	expect(&t, 3, CELLA_ERR_IMAGE_NOT_ELF);
	t.data[1] = 'F';
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_ELF);
	t.data[1] = 'E';
	e = get_eh(&t);
	e.e_ident[EI_CLASS] = ELFCLASS32;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_ELF);
	e.e_ident[EI_CLASS] = ELFCLASS64;
	e.e_ident[EI_DATA] = ELFDATA2MSB;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_ELF);
	e.e_ident[EI_DATA] = ELFDATA2LSB;
	e.e_version = 2;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_ELF);
	testelf_free(&t);
	cella_test_pass("not ELF: short, magic, class, byte order, version");
}

static void test_machine_and_type(void)
{
	struct testelf t;
	Elf64_Ehdr e;
	build(&t, NULL);
	e = get_eh(&t);
	e.e_machine = EM_AARCH64;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_MACHINE);
	e.e_machine = EM_X86_64;
	e.e_type = ET_EXEC;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_PIE);
	e.e_type = ET_REL;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_PIE);
	testelf_free(&t);
	cella_test_pass("wrong machine, ET_EXEC, ET_REL");
}

static void with_interp(struct testelf_opts *o) { o->interp = true; }

static void test_interp_and_needed(void)
{
	struct testelf t;
	build(&t, with_interp);
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_PIE);
	testelf_free(&t);
	build(&t, NULL);
	set_dyn(&t, 3, DT_NEEDED, 1);
	set_dyn(&t, 4, DT_NULL, 0);
	expect(&t, t.size, CELLA_ERR_IMAGE_NOT_PIE);
	testelf_free(&t);
	cella_test_pass("PT_INTERP and DT_NEEDED refused");
}

static void test_truncated(void)
{
	struct testelf t;
	Elf64_Phdr p;
	Elf64_Shdr s;
	build(&t, NULL);
	/* cut inside the ELF header, the program headers, the code, the data and the section headers */
	const size_t cuts[] = {4, 20, 63, 64 + 30, 0x1200, 0x2100, 0x2500, t.size - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		expect(&t, cuts[i], CELLA_ERR_TRUNCATED);
	/* every other prefix must be refused too, without reading out of bounds */
	for (size_t n = 0; n < t.size; n++) {
		struct cella_image img;
		CT_ASSERT(cella_image_parse(t.data, n, &img) != CELLA_OK);
	}
	/* a segment whose file range runs past the end */
	p = get_ph(&t, 1);
	p.p_filesz = p.p_memsz = t.size;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_TRUNCATED);
	p.p_offset = UINT64_MAX - 4; /* and one whose end wraps */
	p.p_vaddr = UINT64_MAX - 4;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_TRUNCATED);
	testelf_free(&t);
	/* a section past the end; a section header table past the end */
	build(&t, NULL);
	s = get_sh(&t, 2);
	s.sh_offset = t.size - 8;
	set_sh(&t, 2, &s);
	expect(&t, t.size, CELLA_ERR_TRUNCATED);
	testelf_free(&t);
	build(&t, NULL);
	Elf64_Ehdr e = get_eh(&t);
	e.e_shnum = 60;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_TRUNCATED);
	e.e_shnum = 7;
	e.e_phoff = UINT64_MAX - 8;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_TRUNCATED);
	testelf_free(&t);
	cella_test_pass("truncated at several points, overflowing offsets");
}

static void test_segments(void)
{
	struct testelf t;
	Elf64_Phdr p;
	Elf64_Ehdr e;

	build(&t, NULL);
	p = get_ph(&t, 1);
	p.p_filesz = p.p_memsz + 1;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS); /* filesz > memsz */
	p = get_ph(&t, 1);
	p.p_filesz = 0x970;
	p.p_vaddr = 0x3010;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS); /* vaddr/offset not congruent */
	p.p_vaddr = 0x1000;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS); /* overlaps the text segment */
	p.p_vaddr = 1ull << 40;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_TOO_LARGE);
	testelf_free(&t);

	build(&t, NULL);
	e = get_eh(&t);
	e.e_entry = 0x3000; /* data, not executable */
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	e.e_entry = 0x1000;
	e.e_phentsize = 32;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	e.e_phentsize = sizeof(Elf64_Phdr);
	e.e_shstrndx = 9;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	testelf_free(&t);

	/* no PT_LOAD at all */
	build(&t, NULL);
	for (int i = 0; i < 2; i++) {
		p = get_ph(&t, i);
		p.p_type = PT_NOTE;
		set_ph(&t, i, &p);
	}
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	testelf_free(&t);
	cella_test_pass("malformed segments");
}

/* SGX refuses SECINFO with W but not R (EADD, and the Linux driver's sgx_validate_secinfo): such a PT_LOAD is
 * refused at parse time, naming the program header. */
static void test_write_only_segment(void)
{
	struct testelf t;
	struct cella_image img;
	struct cella_image_diag d;
	char msg[256];
	Elf64_Phdr p;

	build(&t, NULL);
	p = get_ph(&t, 1);
	CT_EQ(p.p_flags, PF_R | PF_W);
	p.p_flags = PF_W;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	CT_RESULT(cella_image_parse_diag(t.data, t.size, &img, &d), CELLA_ERR_IMAGE_SEGMENTS);
	CT_ASSERT(d.has_index && d.index == 1);
	CT_ASSERT(d.has_offset && d.offset == t.data_va);
	cella_image_diag_format(CELLA_ERR_IMAGE_SEGMENTS, &d, msg, sizeof(msg));
	if (!strstr(msg, "PT_LOAD is writable but not readable") || !strstr(msg, "program header 1"))
		cella_test_fail(__FILE__, __LINE__, "message does not name the segment and the rule: %s", msg);
	p.p_flags = PF_W | PF_X;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	p.p_flags = PF_R | PF_W;
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_OK);
	p.p_flags = PF_R; /* read-only data is fine (the relocations then target it: TEXTREL) */
	set_ph(&t, 1, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_TEXTREL);
	testelf_free(&t);
	/* the text segment, and the single RWX segment made write+execute only */
	build(&t, NULL);
	p = get_ph(&t, 0);
	p.p_flags = PF_W | PF_X;
	set_ph(&t, 0, &p);
	CT_RESULT(cella_image_parse_diag(t.data, t.size, &img, &d), CELLA_ERR_IMAGE_SEGMENTS);
	CT_ASSERT(d.has_index && d.index == 0);
	testelf_free(&t);
	build(&t, one_seg);
	p = get_ph(&t, 0);
	CT_EQ(p.p_flags, PF_R | PF_W | PF_X);
	p.p_flags = PF_W | PF_X;
	set_ph(&t, 0, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	testelf_free(&t);
	cella_test_pass("PT_LOAD writable but not readable refused, naming the program header");
}

/*
 * The enclave runtime counts every PT_LOAD's p_vaddr + p_memsz in the image size (boot.c, own_regions); an empty
 * PT_LOAD past the end, which the parser used to skip, made loader and runtime disagree about where the heap and
 * TCS blocks are (the enclave died in __copy_tls). Refused, naming the program header.
 */
static void test_empty_segment(void)
{
	struct testelf t;
	struct cella_image img;
	struct cella_image_diag d;
	char msg[256];
	Elf64_Phdr p;

	build(&t, with_interp); /* program headers: LOAD, LOAD, DYNAMIC, INTERP */
	p = get_ph(&t, 3);
	CT_EQ(p.p_type, PT_INTERP);
	p = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R, .p_vaddr = 0x40000, .p_align = 0x1000};
	set_ph(&t, 3, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	CT_RESULT(cella_image_parse_diag(t.data, t.size, &img, &d), CELLA_ERR_IMAGE_SEGMENTS);
	CT_ASSERT(d.has_index && d.index == 3 && d.has_offset && d.offset == 0x40000);
	cella_image_diag_format(CELLA_ERR_IMAGE_SEGMENTS, &d, msg, sizeof(msg));
	if (!strstr(msg, "PT_LOAD is empty (p_memsz 0)") || !strstr(msg, "program header 3"))
		cella_test_fail(__FILE__, __LINE__, "message does not name the segment and the rule: %s", msg);
	/* inside the image too: the runtime would not move, but an empty segment is never what a linker means */
	p.p_vaddr = 0x2000;
	set_ph(&t, 3, &p);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	/* the same header as PT_NOTE is ignored */
	p.p_type = PT_NOTE;
	set_ph(&t, 3, &p);
	expect(&t, t.size, CELLA_OK);
	testelf_free(&t);
	cella_test_pass("empty PT_LOAD refused, naming the program header");
}

/*
 * A file of a few KiB declaring p_memsz up to 2^36 made the page list ~16M entries and the measurement hash ~80 GB
 * before anything was refused. Zero-fill (p_memsz - p_filesz, summed over the PT_LOADs) is bounded by
 * CELLA_IMAGE_MAX_ZERO_FILL_BYTES at parse time; the limit itself is accepted (parsing lists no page).
 */
static void test_zero_fill_limit(void)
{
	const uint64_t limit = CELLA_IMAGE_MAX_ZERO_FILL_BYTES;
	struct testelf t;
	struct cella_image img;
	struct cella_image_diag d;
	char msg[256];
	Elf64_Phdr text, data;

	build(&t, NULL);
	text = get_ph(&t, 0);
	data = get_ph(&t, 1);
	CT_EQ(text.p_memsz, text.p_filesz);
	data.p_memsz = data.p_filesz + limit; /* all of it in .bss */
	set_ph(&t, 1, &data);
	expect(&t, t.size, CELLA_OK);
	CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
	CT_EQ(img.segments[1].memsz - img.segments[1].filesz, limit);
	data.p_memsz++;
	set_ph(&t, 1, &data);
	expect(&t, t.size, CELLA_ERR_IMAGE_TOO_LARGE);
	CT_RESULT(cella_image_parse_diag(t.data, t.size, &img, &d), CELLA_ERR_IMAGE_TOO_LARGE);
	CT_ASSERT(d.has_index && d.index == 1);
	cella_image_diag_format(CELLA_ERR_IMAGE_TOO_LARGE, &d, msg, sizeof(msg));
	if (!strstr(msg, "zero-fill") || !strstr(msg, "exceeds 1 GiB") || !strstr(msg, "program header 1"))
		cella_test_fail(__FILE__, __LINE__, "message does not name the limit and the segment: %s", msg);
	/* the sum counts: a page of zero-fill in the text segment tips the same data segment over */
	text.p_memsz += 0x1000;
	data.p_memsz -= 0x1000;
	set_ph(&t, 0, &text);
	set_ph(&t, 1, &data);
	expect(&t, t.size, CELLA_ERR_IMAGE_TOO_LARGE);
	data.p_memsz--;
	set_ph(&t, 1, &data);
	expect(&t, t.size, CELLA_OK);
	/* what the audit found: 2^36 - 2^16 bytes of .bss in a 15 KiB file */
	data.p_memsz = (1ull << 36) - data.p_vaddr - 0x10000;
	set_ph(&t, 1, &data);
	expect(&t, t.size, CELLA_ERR_IMAGE_TOO_LARGE);
	testelf_free(&t);
	cella_test_pass("zero-fill over all PT_LOADs bounded at 1 GiB before any page is listed");
}

static void reloc64(struct testelf_opts *o) { o->reloc_type[1] = R_X86_64_64; }
static void globdat(struct testelf_opts *o) { o->reloc_type[0] = R_X86_64_GLOB_DAT; }
static void textrel(struct testelf_opts *o) { o->textrel = true; }
static void reloc_in_text(struct testelf_opts *o) { o->reloc_target[1] = 0x1008; }
static void reloc_in_hole(struct testelf_opts *o) { o->reloc_target[0] = 0x2000; }

static void test_relocations(void)
{
	struct testelf t;
	struct cella_image img;
	struct cella_image_diag d;
	char msg[256];

	build(&t, reloc64);
	CT_RESULT(cella_image_parse_diag(t.data, t.size, &img, &d), CELLA_ERR_IMAGE_RELOCATION);
	CT_ASSERT(d.has_value && d.value == R_X86_64_64);
	CT_ASSERT(d.has_offset && d.offset == t.data_va + 8);
	cella_image_diag_format(CELLA_ERR_IMAGE_RELOCATION, &d, msg, sizeof(msg));
	CT_ASSERT(strstr(msg, "R_X86_64_RELATIVE") != NULL && strstr(msg, "0x3008") != NULL);
	testelf_free(&t);
	build(&t, globdat);
	expect(&t, t.size, CELLA_ERR_IMAGE_RELOCATION);
	testelf_free(&t);
	build(&t, reloc_in_hole);
	expect(&t, t.size, CELLA_ERR_IMAGE_RELOCATION);
	testelf_free(&t);
	build(&t, textrel);
	expect(&t, t.size, CELLA_ERR_IMAGE_TEXTREL);
	testelf_free(&t);
	build(&t, reloc_in_text);
	expect(&t, t.size, CELLA_ERR_IMAGE_TEXTREL);
	testelf_free(&t);

	build(&t, NULL);
	set_dyn(&t, 3, DT_FLAGS, DF_TEXTREL);
	set_dyn(&t, 4, DT_NULL, 0);
	expect(&t, t.size, CELLA_ERR_IMAGE_TEXTREL);
	set_dyn(&t, 3, 36 /* DT_RELR */, 0);
	expect(&t, t.size, CELLA_ERR_IMAGE_RELOCATION);
	/* the runtime applies DT_RELA only: a DT_JMPREL or DT_REL table with entries, even RELATIVE ones (here the
	 * RELA table again), would be left unapplied, so it is refused; empty ones are harmless */
	set_dyn(&t, 3, DT_JMPREL, t.rela_off - t.data_off + t.data_va);
	set_dyn(&t, 4, DT_PLTRELSZ, sizeof(Elf64_Rela));
	set_dyn(&t, 5, DT_NULL, 0);
	expect_what(&t, CELLA_ERR_IMAGE_RELOCATION, "DT_JMPREL");
	/* a GNU ifunc (clang puts its R_X86_64_IRELATIVE in the PLT table, gcc in RELA) and a PLT call are named */
	{
		uint64_t info;
		memcpy(&info, t.data + t.rela_off + 8, 8);
		for (int k = 0; k < 2; k++) {
			uint64_t type = k ? R_X86_64_JUMP_SLOT : R_X86_64_IRELATIVE;
			uint64_t bad = ELF64_R_INFO(0, type);
			memcpy(t.data + t.rela_off + 8, &bad, 8);
			expect_what(&t, CELLA_ERR_IMAGE_RELOCATION, k ? "R_X86_64_JUMP_SLOT" : "R_X86_64_IRELATIVE: a GNU ifunc");
		}
		/* a PLT table outside every segment, or no DT_JMPREL at all: refused, the type unread */
		uint64_t far[] = {0x7fffffff0000ull, 0};
		for (int k = 0; k < 2; k++) {
			set_dyn(&t, 3, k ? DT_DEBUG : DT_JMPREL, far[k]);
			expect_what(&t, CELLA_ERR_IMAGE_RELOCATION, "DT_JMPREL (PLT) relocations are not supported");
		}
		set_dyn(&t, 3, DT_JMPREL, t.rela_off - t.data_off + t.data_va);
		set_dyn(&t, 4, DT_PLTRELSZ, 0);
		uint64_t ifunc = ELF64_R_INFO(0, R_X86_64_IRELATIVE);
		memcpy(t.data + t.rela_off + 8, &ifunc, 8); /* the same entry in RELA */
		expect_what(&t, CELLA_ERR_IMAGE_RELOCATION, "R_X86_64_IRELATIVE: a GNU ifunc");
		memcpy(t.data + t.rela_off + 8, &info, 8);
	}
	expect(&t, t.size, CELLA_OK);
	set_dyn(&t, 3, DT_REL, t.rela_off - t.data_off + t.data_va);
	set_dyn(&t, 4, DT_RELSZ, 16);
	expect(&t, t.size, CELLA_ERR_IMAGE_RELOCATION);
	set_dyn(&t, 4, DT_RELSZ, 0);
	expect(&t, t.size, CELLA_OK);
	set_dyn(&t, 3, DT_RELAENT, 16);
	set_dyn(&t, 4, DT_NULL, 0);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	testelf_free(&t);

	/* a table without DT_NULL: the enclave would read past it */
	build(&t, NULL);
	{
		Elf64_Phdr p = get_ph(&t, 2);
		for (uint64_t i = 0; i < p.p_filesz / sizeof(Elf64_Dyn); i++) {
			Elf64_Dyn d;
			memcpy(&d, t.data + t.dyn_off + i * sizeof(d), sizeof(d));
			if (d.d_tag == DT_NULL)
				set_dyn(&t, (int)i, DT_RELAENT, sizeof(Elf64_Rela));
		}
		expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	}
	testelf_free(&t);

	/* PT_DYNAMIC's file offset must be where its address loads: moved to another (harmless) table while the
	 * address, which the enclave reads, still names the real one */
	build(&t, NULL);
	{
		Elf64_Phdr p = get_ph(&t, 2);
		expect(&t, t.size, CELLA_OK);
		p.p_offset += sizeof(Elf64_Dyn);
		p.p_filesz -= sizeof(Elf64_Dyn);
		set_ph(&t, 2, &p);
		expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
		p.p_vaddr += sizeof(Elf64_Dyn); /* both moved together: consistent again */
		set_ph(&t, 2, &p);
		expect(&t, t.size, CELLA_OK);
	}
	testelf_free(&t);

	/* a dynamic table that runs past the end of the file */
	build(&t, NULL);
	Elf64_Phdr p = get_ph(&t, 2);
	p.p_filesz = 0x100000;
	set_ph(&t, 2, &p);
	expect(&t, t.size, CELLA_ERR_TRUNCATED);
	testelf_free(&t);
	cella_test_pass("relocations: R_X86_64_64, GLOB_DAT, TEXTREL, targets, tables");
}

static void no_cella(struct testelf_opts *o) { o->no_cella = true; }
static void huge_heap(struct testelf_opts *o) { o->props.heap_pages = 1ull << 40; }
static void zero_tcs(struct testelf_opts *o) { o->props.tcs_count = 0; }
static void many_tcs(struct testelf_opts *o) { o->props.tcs_count = CELLA_MAX_TCS + 1; }
static void zero_stack(struct testelf_opts *o) { o->props.stack_pages = 0; }
static void bad_magic(struct testelf_opts *o) { o->props.magic ^= 1; }
static void bad_version(struct testelf_opts *o) { o->props.abi_version = 2; }
static void bad_size(struct testelf_opts *o) { o->props.size = 2000; }
static void bad_marker(struct testelf_opts *o) { o->props.end_marker = 0; }
static void bad_reserved(struct testelf_opts *o) { o->props.reserved1[3] = 1; }
static void attr_init(struct testelf_opts *o) { o->props.attributes |= CELLA_ATTR_INIT; }
static void attr_bit3(struct testelf_opts *o) { o->props.attributes |= 1ull << 3; }
static void attr_cet(struct testelf_opts *o) { o->props.attributes |= 1ull << 6; }
static void attr_bit9(struct testelf_opts *o) { o->props.attributes |= 1ull << 9; }
static void attr_bit63(struct testelf_opts *o) { o->props.attributes |= 1ull << 63; }
static void attr_32bit(struct testelf_opts *o) { o->props.attributes &= ~CELLA_ATTR_MODE64BIT; }
static void xfrm_x87(struct testelf_opts *o) { o->props.xfrm = 0x1; }
static void xfrm_sse(struct testelf_opts *o) { o->props.xfrm = 0x2; }
static void xfrm_avx(struct testelf_opts *o) { o->props.xfrm = 0xe4; }
static void xfrm_avx512_no_avx(struct testelf_opts *o) { o->props.xfrm = 0xe3; }
static void xfrm_part_avx512(struct testelf_opts *o) { o->props.xfrm = 0x27; }
static void xfrm_part_mpx(struct testelf_opts *o) { o->props.xfrm = 0x0b; }
static void xfrm_part_amx(struct testelf_opts *o) { o->props.xfrm = 0x20007; }
static void attr_einittoken(struct testelf_opts *o) { o->props.attributes |= CELLA_ATTR_EINITTOKENKEY; }
static void attr_aexnotify(struct testelf_opts *o) { o->props.attributes |= CELLA_IMAGE_ATTR_AEXNOTIFY; }
static void family_no_kss(struct testelf_opts *o) { o->props.isv_family_id[15] = 0x80; }
static void ext_prod_no_kss(struct testelf_opts *o) { o->props.isv_ext_prod_id[0] = 1; }
static void attr_all_known(struct testelf_opts *o)
{
	o->props.isv_family_id[15] = 0x80; /* with KSS, as EINIT requires */
	o->props.attributes |= CELLA_ATTR_PROVISIONKEY | CELLA_ATTR_KSS;
	o->props.xfrm = 0xe7;
}

/* Attributes and XFRM that ECREATE refuses, each refused by the parser with a message naming the field. */
static void test_attributes(void)
{
	static const struct {
		void (*tweak)(struct testelf_opts *);
		const char *needle;
		uint64_t value;
	} bad[] = {
		{attr_init, "INIT (bit 0)", CELLA_ATTR_INIT | CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG},
		{attr_bit3, "reserved bits", 1ull << 3},
		{attr_cet, "reserved bits", 1ull << 6},
		{attr_bit9, "reserved bits", 1ull << 9},
		{attr_bit63, "reserved bits", 1ull << 63},
		{attr_32bit, "lacks MODE64BIT", CELLA_ATTR_DEBUG},
		{xfrm_x87, "xfrm lacks x87 or SSE", 0x1},
		{xfrm_sse, "xfrm lacks x87 or SSE", 0x2},
		{xfrm_avx, "xfrm lacks x87 or SSE", 0xe4},
		/* no legal XCR0 value: ECREATE refused them after `check` passed and the image was signed */
		{xfrm_avx512_no_avx, "xfrm has AVX-512 without AVX", 0xe3},
		{xfrm_part_avx512, "xfrm has part of an XSAVE group", 0x27},
		{xfrm_part_mpx, "xfrm has part of an XSAVE group", 0x0b},
		{xfrm_part_amx, "xfrm has part of an XSAVE group", 0x20007},
		{family_no_kss, "isv_family_id is set but attributes lacks KSS", CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG},
		/* defined bits the Linux driver never lets an enclave have (sgx_encl_init: EACCES) */
		{attr_einittoken, "EINITTOKENKEY (bit 5) set: it is for launch enclaves",
		 CELLA_ATTR_EINITTOKENKEY | CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG},
		{attr_aexnotify, "AEX-Notify (bit 10) set: the runtime never sets TCS.FLAGS.AEXNOTIFY",
		 CELLA_IMAGE_ATTR_AEXNOTIFY | CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG},
	};
	struct testelf t;
	struct cella_image img;
	struct cella_image_diag d;
	char msg[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(&t, bad[i].tweak);
		expect(&t, t.size, CELLA_ERR_IMAGE_PROPERTIES);
		CT_RESULT(cella_image_parse_diag(t.data, t.size, &img, &d), CELLA_ERR_IMAGE_PROPERTIES);
		cella_image_diag_format(CELLA_ERR_IMAGE_PROPERTIES, &d, msg, sizeof(msg));
		if (!strstr(msg, bad[i].needle) || !d.has_value || d.value != bad[i].value)
			cella_test_fail(__FILE__, __LINE__, "case %zu: '%s' (value 0x%llx), expected '%s' (0x%llx)", i,
					msg, (unsigned long long)d.value, bad[i].needle,
					(unsigned long long)bad[i].value);
		CT_ASSERT(d.has_offset &&
			  d.offset == t.cella_off + (strstr(bad[i].needle, "xfrm")
							     ? offsetof(struct cella_abi_properties, xfrm)
							     : offsetof(struct cella_abi_properties, attributes)));
		testelf_free(&t);
	}
	build(&t, attr_all_known);
	CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
	testelf_free(&t);
	/* EINIT has the KSS rule for ISVFAMILYID only: ISVEXTPRODID without KSS is copied, not refused */
	build(&t, ext_prod_no_kss);
	CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
	testelf_free(&t);
	cella_test_pass("attributes: INIT, EINITTOKENKEY, AEX-Notify, reserved bits, no MODE64BIT, XFRM without "
			"x87/SSE or no legal XCR0 value, ISVFAMILYID without KSS refused; the bits the driver grants pass");
}

static void test_properties(void)
{
	void (*const bad[])(struct testelf_opts *) = {huge_heap, zero_tcs,    many_tcs,   zero_stack,
						      bad_magic, bad_version, bad_size,   bad_marker,
						      bad_reserved};
	struct testelf t;
	Elf64_Shdr s;

	build(&t, no_cella);
	expect(&t, t.size, CELLA_ERR_IMAGE_NO_PROPERTIES);
	testelf_free(&t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(&t, bad[i]);
		expect(&t, t.size, CELLA_ERR_IMAGE_PROPERTIES);
		testelf_free(&t);
	}
	/* section of the wrong size; NOBITS; not file-backed at its RVA; a second .cella */
	build(&t, NULL);
	s = get_sh(&t, 3);
	s.sh_size = 2000;
	set_sh(&t, 3, &s);
	expect(&t, t.size, CELLA_ERR_IMAGE_PROPERTIES);
	s.sh_size = sizeof(struct cella_abi_properties);
	s.sh_type = SHT_NOBITS;
	set_sh(&t, 3, &s);
	expect(&t, t.size, CELLA_ERR_IMAGE_PROPERTIES);
	s.sh_type = SHT_PROGBITS;
	s.sh_addr += 8;
	set_sh(&t, 3, &s);
	expect(&t, t.size, CELLA_ERR_IMAGE_PROPERTIES);
	s.sh_addr -= 8;
	set_sh(&t, 3, &s);
	set_sh(&t, 2, &s);
	expect(&t, t.size, CELLA_ERR_IMAGE_PROPERTIES);
	testelf_free(&t);
	/* no section headers at all; a section name outside the name table */
	build(&t, NULL);
	Elf64_Ehdr e = get_eh(&t);
	e.e_shnum = 0;
	e.e_shstrndx = 0;
	set_eh(&t, &e);
	expect(&t, t.size, CELLA_ERR_IMAGE_NO_PROPERTIES);
	testelf_free(&t);
	build(&t, NULL);
	s = get_sh(&t, 1);
	s.sh_name = 0x10000;
	set_sh(&t, 1, &s);
	expect(&t, t.size, CELLA_ERR_IMAGE_SEGMENTS);
	testelf_free(&t);
	cella_test_pass("properties: missing, absurd sizes, bad magic/version/size/marker/reserved");
}

/* Random corruption must never crash or read out of bounds (ASan builds check the latter). */
static void test_corruption(void)
{
	struct testelf t, pristine;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	build(&pristine, NULL);
	build(&t, NULL);
	for (int iter = 0; iter < 20000; iter++) {
		struct cella_image img;
		memcpy(t.data, pristine.data, t.size);
		for (int k = 0; k < 4; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* bias towards the headers, where the parser looks */
			size_t pos = (x >> 8) % (iter % 2 ? t.size : 0x200 + 0x400);
			if (pos >= 0x200 && iter % 2 == 0)
				pos = t.shoff - 0x200 + pos; /* the section headers */
			if (pos < t.size)
				t.data[pos] = (uint8_t)x;
		}
		(void)!cella_image_parse(t.data, t.size, &img);
	}
	testelf_free(&t);
	testelf_free(&pristine);
	cella_test_pass("20000 random corruptions parse without crashing");
}

static void test_read_file(void)
{
	char path[] = "/tmp/cella-image-test-XXXXXX";
	uint8_t *data = NULL;
	size_t size = 0;
	struct testelf t;
	int fd;

	CT_RESULT(cella_image_read_file("/nonexistent/cella/image", &data, &size), CELLA_ERR_NO_FILE);
	CT_RESULT(cella_image_read_file("/tmp", &data, &size), CELLA_ERR_IO);
	CT_RESULT(cella_image_read_file(NULL, &data, &size), CELLA_ERR_INVALID_ARG);
	fd = mkstemp(path);
	CT_ASSERT(fd >= 0);
	close(fd);
	build(&t, NULL);
	testelf_write(&t, path);
	CT_RESULT(cella_image_read_file(path, &data, &size), CELLA_OK);
	CT_EQ(size, t.size);
	CT_EQ_MEM(data, t.data, size);
	free(data);
	testelf_free(&t);
	unlink(path);
	cella_test_pass("read_file: ENOENT, not a file, contents");
}

int main(void)
{
	test_accepts();
	test_accepts_variants();
	test_not_elf();
	test_machine_and_type();
	test_interp_and_needed();
	test_truncated();
	test_segments();
	test_relocations();
	test_properties();
	test_attributes();
	test_write_only_segment();
	test_empty_segment();
	test_zero_fill_limit();
	test_corruption();
	test_read_file();
	return 0;
}
