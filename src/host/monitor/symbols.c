// SPDX-License-Identifier: MIT
/* Symbolises enclave addresses for fault reports, from the image's own .symtab (absent in stripped images). */
#include "monitor.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

void cella_symbolize(const struct cella_image *img, uint64_t rva, char *buf, size_t n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->data;
	const Elf64_Shdr *sh;
	const char *best = NULL;
	uint64_t best_addr = 0;

	buf[0] = 0;
	/* cella_image_parse already proved the ELF header sane; section table bounds are checked here. */
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > img->size ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > img->size - eh->e_shoff)
		return;
	sh = (const Elf64_Shdr *)(img->data + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *strs;
		const Elf64_Sym *syms;
		uint64_t count;
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_entsize != sizeof(Elf64_Sym) || sh[i].sh_offset > img->size ||
		    sh[i].sh_size > img->size - sh[i].sh_offset)
			continue;
		strs = &sh[sh[i].sh_link];
		if (strs->sh_offset > img->size || strs->sh_size > img->size - strs->sh_offset)
			continue;
		syms = (const Elf64_Sym *)(img->data + sh[i].sh_offset);
		count = sh[i].sh_size / sizeof(Elf64_Sym);
		for (uint64_t k = 0; k < count; k++) {
			if (ELF64_ST_TYPE(syms[k].st_info) != STT_FUNC || syms[k].st_name >= strs->sh_size)
				continue;
			if (syms[k].st_value <= rva && rva - syms[k].st_value < (syms[k].st_size ? syms[k].st_size : 1) &&
			    syms[k].st_value >= best_addr) {
				const char *name = (const char *)img->data + strs->sh_offset + syms[k].st_name;
				if (memchr(name, 0, strs->sh_size - syms[k].st_name)) {
					best = name;
					best_addr = syms[k].st_value;
				}
			}
		}
	}
	if (best)
		snprintf(buf, n, "%s+%#llx", best, (unsigned long long)(rva - best_addr));
}
