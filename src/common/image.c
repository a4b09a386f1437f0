// SPDX-License-Identifier: MIT
/* Enclave image parsing: ELF64 headers, PT_LOAD segments, dynamic relocations and the .cella section. */
#include "image.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "layout.h"

#define PAGE CELLA_PAGE_BYTES

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .cella section is read with native loads");

/* Parser state: the input and where the first problem is recorded. */
struct ctx {
	const uint8_t *data;
	size_t size;
	struct cella_image_diag *diag;
};

static cella_result fail(struct ctx *c, cella_result r, const char *what)
{
	if (c->diag) {
		c->diag->what = what;
		c->diag->has_offset = false;
		c->diag->has_value = false;
		c->diag->has_index = false;
	}
	return r;
}

static cella_result fail_at(struct ctx *c, cella_result r, const char *what, uint64_t offset)
{
	fail(c, r, what);
	if (c->diag) {
		c->diag->offset = offset;
		c->diag->has_offset = true;
	}
	return r;
}

static cella_result fail_val(struct ctx *c, cella_result r, const char *what, uint64_t offset, uint64_t value)
{
	fail_at(c, r, what, offset);
	if (c->diag) {
		c->diag->value = value;
		c->diag->has_value = true;
	}
	return r;
}

/* As fail_at, naming program header `index`. */
static cella_result fail_phdr(struct ctx *c, cella_result r, const char *what, uint16_t index, uint64_t offset)
{
	fail_at(c, r, what, offset);
	if (c->diag) {
		c->diag->index = index;
		c->diag->has_index = true;
	}
	return r;
}

/* True if [off, off + len) lies inside the file. */
static bool in_file(const struct ctx *c, uint64_t off, uint64_t len)
{
	uint64_t end;
	return !__builtin_add_overflow(off, len, &end) && end <= c->size;
}

/* Byte range of a table of n entries of `ent` bytes at `off`, checked against the file. */
static bool table_in_file(const struct ctx *c, uint64_t off, uint64_t n, uint64_t ent)
{
	uint64_t len;
	return !__builtin_mul_overflow(n, ent, &len) && in_file(c, off, len);
}

static uint32_t secinfo_from_pflags(uint32_t pf)
{
	return ((pf & PF_R) ? (uint32_t)CELLA_SECINFO_R : 0) | ((pf & PF_W) ? (uint32_t)CELLA_SECINFO_W : 0) |
	       ((pf & PF_X) ? (uint32_t)CELLA_SECINFO_X : 0);
}

/* The segment containing [va, va + len) entirely, or NULL. With file_backed, within p_filesz. */
static const struct cella_image_segment *segment_of(const struct cella_image *img, uint64_t va, uint64_t len,
						    bool file_backed)
{
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct cella_image_segment *s = &img->segments[i];
		uint64_t span = file_backed ? s->filesz : s->memsz;
		if (va >= s->vaddr && va - s->vaddr <= span && len <= span - (va - s->vaddr))
			return s;
	}
	return NULL;
}

static cella_result parse_header(struct ctx *c, Elf64_Ehdr *eh)
{
	static const uint8_t magic[SELFMAG] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3};

	if (c->size < SELFMAG || memcmp(c->data, magic, SELFMAG) != 0)
		return fail(c, CELLA_ERR_IMAGE_NOT_ELF, "no ELF magic");
	if (c->size < sizeof(*eh))
		return fail_val(c, CELLA_ERR_TRUNCATED, "file shorter than the ELF header", 0, c->size);
	memcpy(eh, c->data, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail_val(c, CELLA_ERR_IMAGE_NOT_ELF, "not ELFCLASS64", EI_CLASS, eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail_val(c, CELLA_ERR_IMAGE_NOT_ELF, "not little-endian", EI_DATA, eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(c, CELLA_ERR_IMAGE_NOT_ELF, "unknown ELF version");
	if (eh->e_machine != EM_X86_64)
		return fail_val(c, CELLA_ERR_IMAGE_MACHINE, "e_machine is not EM_X86_64", 0, eh->e_machine);
	if (eh->e_type != ET_DYN)
		return fail_val(c, CELLA_ERR_IMAGE_NOT_PIE, "e_type is not ET_DYN", 0, eh->e_type);
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM || eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, "bad program header table", eh->e_phoff, eh->e_phnum);
	if (!table_in_file(c, eh->e_phoff, eh->e_phnum, sizeof(Elf64_Phdr)))
		return fail_at(c, CELLA_ERR_TRUNCATED, "program headers extend past the end of the file", eh->e_phoff);
	if (eh->e_shnum == 0)
		return fail(c, CELLA_ERR_IMAGE_NO_PROPERTIES, "no section headers, so no .cella section");
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
		return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, "bad section header table", eh->e_shoff, eh->e_shnum);
	if (!table_in_file(c, eh->e_shoff, eh->e_shnum, sizeof(Elf64_Shdr)))
		return fail_at(c, CELLA_ERR_TRUNCATED, "section headers extend past the end of the file", eh->e_shoff);
	return CELLA_OK;
}

/* Collects PT_LOAD segments into img; finds PT_DYNAMIC; refuses PT_INTERP. */
static cella_result parse_segments(struct ctx *c, const Elf64_Ehdr *eh, struct cella_image *img,
				   Elf64_Phdr *dyn, bool *has_dyn)
{
	uint64_t end_max = 0, prev_end = 0, zero_fill = 0;

	*has_dyn = false;
	for (uint16_t i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t end;
		memcpy(&ph, c->data + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return fail_at(c, CELLA_ERR_IMAGE_NOT_PIE, "PT_INTERP present (dynamically linked)", ph.p_offset);
		if (ph.p_type == PT_DYNAMIC) {
			if (*has_dyn)
				return fail(c, CELLA_ERR_IMAGE_SEGMENTS, "more than one PT_DYNAMIC");
			*dyn = ph;
			*has_dyn = true;
			continue;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, "PT_LOAD p_filesz exceeds p_memsz", ph.p_vaddr,
					ph.p_filesz);
		if (!in_file(c, ph.p_offset, ph.p_filesz))
			return fail_at(c, CELLA_ERR_TRUNCATED, "PT_LOAD extends past the end of the file", ph.p_offset);
		if (ph.p_vaddr % PAGE != ph.p_offset % PAGE)
			return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, "PT_LOAD p_vaddr and p_offset differ modulo 4096",
					ph.p_vaddr, ph.p_offset);
		/* The enclave runtime sizes the image from every PT_LOAD's p_vaddr + p_memsz (boot.c, own_regions), so
		 * an empty one past the end would move its heap and TCS blocks away from where the loader put them. */
		if (ph.p_memsz == 0)
			return fail_phdr(c, CELLA_ERR_IMAGE_SEGMENTS,
					 "PT_LOAD is empty (p_memsz 0): the enclave runtime would count it in the image size",
					 i, ph.p_vaddr);
		/* SECINFO with W but not R is reserved: EADD faults and the Linux driver refuses it
		 * (sgx_validate_secinfo), so such an image could be signed but never loaded */
		if ((ph.p_flags & PF_W) && !(ph.p_flags & PF_R))
			return fail_phdr(c, CELLA_ERR_IMAGE_SEGMENTS,
					 "PT_LOAD is writable but not readable (SGX refuses W without R)", i,
					 ph.p_vaddr);
		if (__builtin_add_overflow(ph.p_vaddr, ph.p_memsz, &end) || end > CELLA_IMAGE_MAX_BYTES)
			return fail_val(c, CELLA_ERR_IMAGE_TOO_LARGE, "PT_LOAD ends beyond the maximum image size",
					ph.p_vaddr, ph.p_memsz);
		/* Bounded before any page is listed or hashed. Each term is < 2^36 here and the running sum stays
		 * <= CELLA_IMAGE_MAX_ZERO_FILL_BYTES until it is refused, so it cannot wrap. */
		zero_fill += ph.p_memsz - ph.p_filesz;
		if (zero_fill > CELLA_IMAGE_MAX_ZERO_FILL_BYTES)
			return fail_phdr(c, CELLA_ERR_IMAGE_TOO_LARGE,
					 "PT_LOAD zero-fill (p_memsz - p_filesz, over all segments) exceeds 1 GiB: use the "
					 "heap for large zeroed memory",
					 i, ph.p_vaddr);
		/* ELF requires PT_LOAD entries sorted by p_vaddr; overlapping bytes would be ambiguous. */
		if (img->nsegments > 0 && ph.p_vaddr < prev_end)
			return fail_at(c, CELLA_ERR_IMAGE_SEGMENTS, "PT_LOAD segments overlap or are not sorted",
				       ph.p_vaddr);
		if (img->nsegments == CELLA_IMAGE_MAX_SEGMENTS)
			return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, "too many PT_LOAD segments", 0,
					CELLA_IMAGE_MAX_SEGMENTS);
		img->segments[img->nsegments++] = (struct cella_image_segment){
			.vaddr = ph.p_vaddr,
			.memsz = ph.p_memsz,
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.flags = secinfo_from_pflags(ph.p_flags),
		};
		prev_end = end;
		if (end > end_max)
			end_max = end;
	}
	if (img->nsegments == 0)
		return fail(c, CELLA_ERR_IMAGE_SEGMENTS, "no PT_LOAD segment");
	/* end_max <= CELLA_IMAGE_MAX_BYTES, a page multiple, so rounding up cannot wrap. */
	img->image_bytes = (end_max + PAGE - 1) / PAGE * PAGE;
	return CELLA_OK;
}

/* What a relocation the runtime does not apply stands for, named for the refusal; NULL for any other type. */
static const char *unapplied(uint64_t type, bool plt)
{
	if (type == R_X86_64_IRELATIVE)
		return plt ? "DT_JMPREL (PLT) relocation R_X86_64_IRELATIVE: a GNU ifunc, which no enclave loader resolves"
			   : "relocation R_X86_64_IRELATIVE: a GNU ifunc, which no enclave loader resolves";
	if (type == R_X86_64_JUMP_SLOT && plt)
		return "DT_JMPREL (PLT) relocation R_X86_64_JUMP_SLOT: the runtime applies DT_RELA only";
	return NULL;
}

/* A relocation table at RVA `va` of `sz` bytes with entries of `ent` bytes; every entry must be RELATIVE. */
static cella_result check_relocs(struct ctx *c, const struct cella_image *img, uint64_t va, uint64_t sz,
				 uint64_t ent, const char *name)
{
	const struct cella_image_segment *s;
	uint64_t off;

	if (sz == 0)
		return CELLA_OK;
	if (sz % ent != 0)
		return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, name, va, sz);
	s = segment_of(img, va, sz, true);
	if (!s)
		return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, "relocation table is not inside a segment's file bytes",
				va, sz);
	off = s->offset + (va - s->vaddr); /* in the file: segment_of checked it against filesz */
	for (uint64_t i = 0; i < sz / ent; i++) {
		uint64_t r_offset, r_info;
		const struct cella_image_segment *t;
		memcpy(&r_offset, c->data + off + i * ent, 8);
		memcpy(&r_info, c->data + off + i * ent + 8, 8);
		if (ELF64_R_TYPE(r_info) != R_X86_64_RELATIVE) {
			const char *why = unapplied(ELF64_R_TYPE(r_info), false);
			return fail_val(c, CELLA_ERR_IMAGE_RELOCATION, why ? why : "relocation type is not R_X86_64_RELATIVE",
					r_offset, ELF64_R_TYPE(r_info));
		}
		t = segment_of(img, r_offset, 8, false);
		if (!t)
			return fail_at(c, CELLA_ERR_IMAGE_RELOCATION, "relocation target is outside every segment",
				       r_offset);
		if (!(t->flags & CELLA_SECINFO_W))
			return fail_at(c, CELLA_ERR_IMAGE_TEXTREL, "relocation targets a non-writable segment",
				       r_offset);
	}
	return CELLA_OK;
}

/*
 * Reads the dynamic table: refuses TEXTREL, DT_NEEDED, and relocations the runtime does not apply (it applies
 * DT_RELA only: DT_REL, DT_JMPREL and DT_RELR tables with entries are refused), checks the RELA table. The table
 * read is the one the enclave reads (_DYNAMIC, at p_vaddr): p_offset must be where that address loads from.
 */
static cella_result parse_dynamic(struct ctx *c, const Elf64_Phdr *dyn, const struct cella_image *img)
{
	uint64_t rela = 0, relasz = 0, relaent = sizeof(Elf64_Rela), relsz = 0, relent = sizeof(Elf64_Rel);
	uint64_t pltrelsz = 0, pltrel = DT_RELA, jmprel = 0;
	bool has_rela = false, terminated = false;
	const struct cella_image_segment *s;

	if (!in_file(c, dyn->p_offset, dyn->p_filesz))
		return fail_at(c, CELLA_ERR_TRUNCATED, "PT_DYNAMIC extends past the end of the file", dyn->p_offset);
	s = segment_of(img, dyn->p_vaddr, dyn->p_filesz, true);
	if (!s || dyn->p_offset != s->offset + (dyn->p_vaddr - s->vaddr))
		return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS,
				"PT_DYNAMIC is not the file bytes a PT_LOAD segment loads at its address", dyn->p_vaddr,
				dyn->p_offset);
	for (uint64_t i = 0; i < dyn->p_filesz / sizeof(Elf64_Dyn); i++) {
		Elf64_Dyn d;
		memcpy(&d, c->data + dyn->p_offset + i * sizeof(d), sizeof(d));
		switch (d.d_tag) {
		case DT_NULL:
			terminated = true;
			goto done;
		case DT_NEEDED:
			return fail(c, CELLA_ERR_IMAGE_NOT_PIE, "DT_NEEDED present (links a shared library)");
		case DT_TEXTREL:
			return fail(c, CELLA_ERR_IMAGE_TEXTREL, "DT_TEXTREL present");
		case DT_FLAGS:
			if (d.d_un.d_val & DF_TEXTREL)
				return fail(c, CELLA_ERR_IMAGE_TEXTREL, "DF_TEXTREL set in DT_FLAGS");
			break;
		case DT_RELA: rela = d.d_un.d_ptr; has_rela = true; break;
		case DT_RELASZ: relasz = d.d_un.d_val; break;
		case DT_RELAENT: relaent = d.d_un.d_val; break;
		case DT_RELSZ: relsz = d.d_un.d_val; break;
		case DT_RELENT: relent = d.d_un.d_val; break;
		case DT_PLTRELSZ: pltrelsz = d.d_un.d_val; break;
		case DT_PLTREL: pltrel = d.d_un.d_val; break;
		case DT_JMPREL: jmprel = d.d_un.d_ptr; break;
		case 36: /* DT_RELR: packed relative relocations; the runtime applies RELA only */
			return fail(c, CELLA_ERR_IMAGE_RELOCATION, "DT_RELR relocations are not supported");
		default:
			break;
		}
	}
done:
	if (!terminated) /* the enclave reads up to DT_NULL */
		return fail_at(c, CELLA_ERR_IMAGE_SEGMENTS, "PT_DYNAMIC has no DT_NULL", dyn->p_vaddr);
	if (relaent != sizeof(Elf64_Rela) || relent != sizeof(Elf64_Rel) || (pltrel != DT_RELA && pltrel != DT_REL))
		return fail(c, CELLA_ERR_IMAGE_SEGMENTS, "bad DT_RELAENT, DT_RELENT or DT_PLTREL");
	if (relsz != 0)
		return fail(c, CELLA_ERR_IMAGE_RELOCATION,
			    "DT_REL relocations are not supported (the runtime applies DT_RELA only)");
	if (pltrelsz != 0) {
		/* name the first entry's type when the table is in the file (r_info is at 8 in Elf64_Rel and _Rela) */
		const struct cella_image_segment *t = jmprel ? segment_of(img, jmprel, 16, true) : NULL;
		const char *why = NULL;
		uint64_t info;
		if (t && pltrelsz >= 16) {
			memcpy(&info, c->data + t->offset + (jmprel - t->vaddr) + 8, 8);
			why = unapplied(ELF64_R_TYPE(info), true);
		}
		return fail(c, CELLA_ERR_IMAGE_RELOCATION,
			    why ? why : "DT_JMPREL (PLT) relocations are not supported (the runtime applies DT_RELA only)");
	}
	if (has_rela)
		return check_relocs(c, img, rela, relasz, sizeof(Elf64_Rela),
				    "DT_RELASZ is not a multiple of the entry size");
	return CELLA_OK;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

/* see image.h */
const uint64_t cella_xfrm_groups[5] = {CELLA_XFRM_AMX, CELLA_XFRM_PKRU, CELLA_XFRM_AVX512, CELLA_XFRM_MPX, CELLA_XFRM_AVX};
const struct cella_xfrm_need cella_xfrm_needs[2] = {
	{CELLA_XFRM_AVX, CELLA_XFRM_SSE},
	{CELLA_XFRM_AVX512, CELLA_XFRM_AVX | CELLA_XFRM_SSE},
};

/* see image.h */
const char *cella_xfrm_illegal(uint64_t xfrm)
{
	if ((xfrm & CELLA_IMAGE_XFRM_REQUIRED) != CELLA_IMAGE_XFRM_REQUIRED)
		return ".cella xfrm lacks x87 or SSE (bits 0 and 1)";
	for (size_t g = 0; g < sizeof(cella_xfrm_groups) / sizeof(cella_xfrm_groups[0]); g++)
		if ((xfrm & cella_xfrm_groups[g]) != 0 && (xfrm & cella_xfrm_groups[g]) != cella_xfrm_groups[g])
			return ".cella xfrm has part of an XSAVE group that XCR0 enables whole (MPX bits 3-4, AVX-512 bits "
			       "5-7, AMX bits 17-18)";
	for (size_t i = 0; i < sizeof(cella_xfrm_needs) / sizeof(cella_xfrm_needs[0]); i++)
		if ((xfrm & cella_xfrm_needs[i].group) && (xfrm & cella_xfrm_needs[i].needs) != cella_xfrm_needs[i].needs)
			return ".cella xfrm has AVX-512 without AVX (bit 2): no legal XCR0 value";
	return NULL;
}

/* Finds .cella by name, checks that it is file-backed inside a PT_LOAD, copies and validates it. */
static cella_result parse_properties(struct ctx *c, const Elf64_Ehdr *eh, struct cella_image *img)
{
	static const char name[] = CELLA_PROPERTIES_SECTION;
	struct cella_abi_properties *p = &img->props;
	struct cella_layout_regions regions;
	const struct cella_image_segment *s;
	Elf64_Shdr strtab, sh, found = {0};
	bool have = false;
	const char *why;
	uint64_t at;
	cella_result r;

	memcpy(&strtab, c->data + eh->e_shoff + (uint64_t)eh->e_shstrndx * sizeof(sh), sizeof(sh));
	if (strtab.sh_type == SHT_NOBITS || !in_file(c, strtab.sh_offset, strtab.sh_size))
		return fail_at(c, CELLA_ERR_TRUNCATED, "section name table extends past the end of the file",
			       strtab.sh_offset);
	for (uint16_t i = 0; i < eh->e_shnum; i++) {
		memcpy(&sh, c->data + eh->e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_type == SHT_NULL)
			continue;
		if (sh.sh_type != SHT_NOBITS && !in_file(c, sh.sh_offset, sh.sh_size))
			return fail_val(c, CELLA_ERR_TRUNCATED, "section extends past the end of the file",
					sh.sh_offset, i);
		if (sh.sh_name >= strtab.sh_size)
			return fail_val(c, CELLA_ERR_IMAGE_SEGMENTS, "section name outside the name table", 0, i);
		/* compare including the terminating NUL, which must itself lie inside the table */
		if (strtab.sh_size - sh.sh_name < sizeof(name) ||
		    memcmp(c->data + strtab.sh_offset + sh.sh_name, name, sizeof(name)) != 0)
			continue;
		if (have)
			return fail(c, CELLA_ERR_IMAGE_PROPERTIES, "more than one .cella section");
		found = sh;
		have = true;
	}
	if (!have)
		return fail(c, CELLA_ERR_IMAGE_NO_PROPERTIES, "no .cella section");
	if (found.sh_size != sizeof(*p) || found.sh_type == SHT_NOBITS)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella section has the wrong size or type",
				found.sh_offset, found.sh_size);
	/* The loader finds .cella by RVA (to zero SIGSTRUCT) and cella-sign by file offset: they must agree. */
	s = segment_of(img, found.sh_addr, sizeof(*p), true);
	if (!s || found.sh_offset != s->offset + (found.sh_addr - s->vaddr))
		return fail_at(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella is not file-backed inside a PT_LOAD segment",
			       found.sh_addr);
	memcpy(p, c->data + found.sh_offset, sizeof(*p));
	if (p->magic != CELLA_PROPERTIES_MAGIC)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella magic is wrong", found.sh_offset, p->magic);
	if (p->abi_version != CELLA_PROPERTIES_ABI_VERSION)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella ABI version is not supported",
				found.sh_offset, p->abi_version);
	if (p->size != sizeof(*p))
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella size field is wrong", found.sh_offset, p->size);
	if (p->end_marker != CELLA_PROPERTIES_END_MARKER)
		return fail(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella end marker is wrong");
	if (p->reserved0 != 0 || !all_zero(p->reserved1, sizeof(p->reserved1)))
		return fail(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella reserved fields are not zero");
	/* What ECREATE takes (SDM Vol. 3D ECREATE; the Linux driver's sgx_validate_secs): the image would be
	 * signed, but no SGX backend could create it */
	at = found.sh_offset + __builtin_offsetof(struct cella_abi_properties, attributes);
	if (p->attributes & CELLA_ATTR_INIT)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES,
				".cella attributes has INIT (bit 0) set: only EINIT sets it, ECREATE refuses it", at,
				p->attributes);
	/* Defined bits no Linux driver lets an enclave have: the image would be signed, but EINIT (EACCES) or, before
	 * Linux 6.2, ECREATE refuses it. */
	if (p->attributes & CELLA_ATTR_EINITTOKENKEY)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES,
				".cella attributes has EINITTOKENKEY (bit 5) set: it is for launch enclaves, and the Linux "
				"driver never grants it (EINIT fails with EACCES)",
				at, p->attributes);
	if (p->attributes & CELLA_IMAGE_ATTR_AEXNOTIFY)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES,
				".cella attributes has AEX-Notify (bit 10) set: the runtime never sets TCS.FLAGS.AEXNOTIFY, "
				"so it would bring nothing, and Linux before 6.2 refuses it",
				at, p->attributes);
	if (p->attributes & ~CELLA_IMAGE_ATTRIBUTES_KNOWN)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES, ".cella attributes has reserved bits set", at,
				p->attributes & ~CELLA_IMAGE_ATTRIBUTES_KNOWN);
	if (!(p->attributes & CELLA_ATTR_MODE64BIT))
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES,
				".cella attributes lacks MODE64BIT (bit 2): enclaves are 64-bit", at, p->attributes);
	/* EINIT refuses a nonzero ISVFAMILYID for a SECS without KSS (SGX_INVALID_SIG_STRUCT, SDM Vol. 3D EINIT);
	 * cella-sign adds KSS with FamilyID, but a .cella written otherwise would be signed and never initialise.
	 * ISVEXTPRODID has no such rule: EINIT copies it to the SECS whatever KSS says. */
	if (!all_zero(p->isv_family_id, sizeof(p->isv_family_id)) && !(p->attributes & CELLA_ATTR_KSS))
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES,
				".cella isv_family_id is set but attributes lacks KSS (bit 7): EINIT refuses ISVFAMILYID "
				"without KSS",
				at, p->attributes);
	/* an XFRM that is no legal XCR0 value passed `check` and was signed, then ECREATE refused it (#GP) */
	if (p->xfrm != 0 && (why = cella_xfrm_illegal(p->xfrm)) != NULL)
		return fail_val(c, CELLA_ERR_IMAGE_PROPERTIES, why,
				found.sh_offset + __builtin_offsetof(struct cella_abi_properties, xfrm), p->xfrm);
	r = cella_layout_regions(p, img->image_bytes, &regions);
	if (r == CELLA_ERR_IMAGE_PROPERTIES)
		return fail(c, r, ".cella sizes are out of range (heap/stack pages, TCS count)");
	if (r != CELLA_OK)
		return fail(c, r, "enclave would exceed the maximum enclave size");
	img->props_offset = found.sh_offset;
	img->props_rva = found.sh_addr;
	return CELLA_OK;
}

/* see image.h */
cella_result cella_image_parse_diag(const uint8_t *data, size_t size, struct cella_image *out,
				    struct cella_image_diag *diag)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct ctx c = {.data = data, .size = size, .diag = diag};
	struct cella_image local, *img = &local; /* *out stays untouched on failure */
	const struct cella_image_segment *s;
	Elf64_Ehdr eh;
	Elf64_Phdr dyn = {0};
	bool has_dyn = false;

	if (diag)
		*diag = (struct cella_image_diag){.what = "invalid argument"};
	if (!data || !out)
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	CELLA_CHECK(parse_header(&c, &eh));
	CELLA_CHECK(parse_segments(&c, &eh, img, &dyn, &has_dyn));
	s = segment_of(img, eh.e_entry, 1, false);
	if (!s || !(s->flags & CELLA_SECINFO_X))
		CELLA_FAIL(fail_at(&c, CELLA_ERR_IMAGE_SEGMENTS, "entry point is not in an executable segment",
				   eh.e_entry));
	img->entry_rva = eh.e_entry;
	if (has_dyn)
		CELLA_CHECK(parse_dynamic(&c, &dyn, img));
	CELLA_CHECK(parse_properties(&c, &eh, img));
	*out = *img;
	r = CELLA_OK;
out:
	return r;
}

/* see image.h */
cella_result cella_image_parse(const uint8_t *data, size_t size, struct cella_image *out)
{
	return cella_image_parse_diag(data, size, out, NULL);
}

/* see image.h */
void cella_image_diag_format(cella_result r, const struct cella_image_diag *d, char *buf, size_t n)
{
	const char *what = (d && d->what) ? d->what : cella_result_str(r);

	if (n == 0)
		return;
	if (d && d->has_index && d->has_offset)
		snprintf(buf, n, "%s (program header %llu at offset 0x%llx)", what, (unsigned long long)d->index,
			 (unsigned long long)d->offset);
	else if (d && d->has_offset && d->has_value)
		snprintf(buf, n, "%s (0x%llx at offset 0x%llx)", what, (unsigned long long)d->value,
			 (unsigned long long)d->offset);
	else if (d && d->has_offset)
		snprintf(buf, n, "%s (at offset 0x%llx)", what, (unsigned long long)d->offset);
	else
		snprintf(buf, n, "%s", what);
}

/* see image.h */
cella_result cella_image_read_file(const char *path, uint8_t **data, size_t *size)
{
	if (!path || !data || !size)
		return CELLA_ERR_INVALID_ARG;
	return cella_file_read(path, CELLA_IMAGE_MAX_BYTES, data, size);
}
