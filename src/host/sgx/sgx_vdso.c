// SPDX-License-Identifier: MIT
/* Finding __vdso_sgx_enter_enclave: the vDSO's dynamic symbol table, read with bounds checks (ELF gABI). */
#include "sgx_internal.h"

#include <elf.h>
#include <string.h>
#include <sys/auxv.h>

struct dynview {
	const uint8_t *img;
	size_t size;
	uint64_t bias;      /* image offset = vaddr - bias */
	uint64_t symtab, strtab, strsz, hash, gnu_hash;
};

static bool in(const struct dynview *v, uint64_t off, uint64_t len)
{
	return off <= v->size && len <= v->size - off;
}

/* vaddr -> image offset, if [vaddr, vaddr+len) is in the image */
static bool at(const struct dynview *v, uint64_t vaddr, uint64_t len, uint64_t *off)
{
	if (vaddr < v->bias)
		return false;
	*off = vaddr - v->bias;
	return in(v, *off, len);
}

/* Number of symbols: DT_HASH's nchain, or the end of DT_GNU_HASH's last chain. */
static bool symbol_count(const struct dynview *v, uint32_t *count)
{
	uint64_t off;
	uint32_t w[4];

	if (v->hash) {
		if (!at(v, v->hash, 8, &off))
			return false;
		memcpy(w, v->img + off, 8);
		*count = w[1];
		return true;
	}
	if (v->gnu_hash) {
		uint32_t nbuckets, symoffset, bloom, max = 0;
		uint64_t buckets, chains;
		if (!at(v, v->gnu_hash, 16, &off))
			return false;
		memcpy(w, v->img + off, 16);
		nbuckets = w[0];
		symoffset = w[1];
		bloom = w[2];
		buckets = v->gnu_hash + 16 + (uint64_t)bloom * 8;
		if (!at(v, buckets, (uint64_t)nbuckets * 4, &off))
			return false;
		for (uint32_t i = 0; i < nbuckets; i++) {
			uint32_t b;
			memcpy(&b, v->img + off + 4ull * i, 4);
			if (b > max)
				max = b;
		}
		if (max < symoffset) {
			*count = symoffset;
			return true;
		}
		chains = buckets + (uint64_t)nbuckets * 4;
		for (uint32_t i = max;; i++) { /* walk the last chain to its end bit */
			uint32_t h;
			if (!at(v, chains + 4ull * (i - symoffset), 4, &off))
				return false;
			memcpy(&h, v->img + off, 4);
			if (h & 1) {
				*count = i + 1;
				return true;
			}
		}
	}
	return false;
}

/* see sgx_internal.h */
cella_result cella_sgx_vdso_find(const uint8_t *img, size_t size, const char *name, uint64_t *offset)
{
	Elf64_Ehdr eh;
	struct dynview v = {.img = img, .size = size};
	uint64_t dyn_off = 0, dyn_len = 0, off;
	bool have_load = false;
	uint32_t count = 0;
	size_t name_len = strlen(name);

	if (!img || size < sizeof(eh))
		return CELLA_ERR_BAD_FORMAT;
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    !in(&v, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr)))
		return CELLA_ERR_BAD_FORMAT;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, img + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && !have_load) {
			if (ph.p_vaddr < ph.p_offset)
				return CELLA_ERR_BAD_FORMAT;
			v.bias = ph.p_vaddr - ph.p_offset; /* the image is mapped from file offset 0 */
			have_load = true;
		} else if (ph.p_type == PT_DYNAMIC) {
			dyn_off = ph.p_offset;
			dyn_len = ph.p_filesz;
		}
	}
	if (!have_load || dyn_len == 0 || !in(&v, dyn_off, dyn_len))
		return CELLA_ERR_BAD_FORMAT;
	for (uint64_t k = 0; k + sizeof(Elf64_Dyn) <= dyn_len; k += sizeof(Elf64_Dyn)) {
		Elf64_Dyn d;
		memcpy(&d, img + dyn_off + k, sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		switch (d.d_tag) {
		case DT_SYMTAB:
			v.symtab = d.d_un.d_ptr;
			break;
		case DT_STRTAB:
			v.strtab = d.d_un.d_ptr;
			break;
		case DT_STRSZ:
			v.strsz = d.d_un.d_val;
			break;
		case DT_HASH:
			v.hash = d.d_un.d_ptr;
			break;
		case DT_GNU_HASH:
			v.gnu_hash = d.d_un.d_ptr;
			break;
		default:
			break;
		}
	}
	if (!v.symtab || !v.strtab || !at(&v, v.strtab, v.strsz, &off) || !symbol_count(&v, &count))
		return CELLA_ERR_BAD_FORMAT;
	if (!at(&v, v.symtab, (uint64_t)count * sizeof(Elf64_Sym), &off))
		return CELLA_ERR_BAD_FORMAT;
	for (uint32_t i = 0; i < count; i++) {
		Elf64_Sym s;
		uint64_t str;
		memcpy(&s, img + off + (uint64_t)i * sizeof(s), sizeof(s));
		if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF || s.st_name >= v.strsz ||
		    name_len + 1 > v.strsz - s.st_name)
			continue;
		at(&v, v.strtab, v.strsz, &str);
		if (memcmp(img + str + s.st_name, name, name_len + 1) != 0)
			continue;
		if (s.st_value < v.bias || s.st_value - v.bias >= size)
			return CELLA_ERR_BAD_FORMAT;
		*offset = s.st_value - v.bias;
		return CELLA_OK;
	}
	return CELLA_ERR_NOT_FOUND;
}

/* see sgx_internal.h */
cella_result cella_sgx_vdso_enter(cella_sgx_enter_fn *out)
{
	const uint8_t *img = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	size_t size = 0;
	uint64_t off = 0;
	cella_result r;

	if (!img)
		return CELLA_ERR_NOT_FOUND;
	/* The kernel maps the whole vDSO image: its extent is the end of the furthest PT_LOAD. */
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > size)
			size = ph->p_offset + ph->p_filesz;
	}
	r = cella_sgx_vdso_find(img, size, CELLA_SGX_VDSO_ENTER_SYMBOL, &off);
	if (r == CELLA_OK)
		*out = (cella_sgx_enter_fn)(uintptr_t)(img + off);
	return r;
}
