// SPDX-License-Identifier: MIT
/* Synthetic enclave images (see sign_testelf.h). */
#include "sign_testelf.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"

void testelf_default_opts(struct testelf_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->nseg = 2;
	o->reloc_type[0] = o->reloc_type[1] = R_X86_64_RELATIVE;
	o->reloc_target[0] = o->reloc_target[1] = UINT64_MAX; /* = default */
	o->props.magic = CELLA_PROPERTIES_MAGIC;
	o->props.abi_version = CELLA_PROPERTIES_ABI_VERSION;
	o->props.size = sizeof(o->props);
	o->props.heap_pages = 4;
	o->props.stack_pages = 2;
	o->props.tcs_count = 2;
	o->props.isv_prod_id = 7;
	o->props.isv_svn = 3;
	o->props.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG;
	o->props.end_marker = CELLA_PROPERTIES_END_MARKER;
}

static void put(struct testelf *t, uint64_t off, const void *p, size_t n)
{
	if (off + n > t->size)
		cella_test_fail(__FILE__, __LINE__, "testelf: write past end");
	memcpy(t->data + off, p, n);
}

static void shdr(struct testelf *t, int i, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr,
		 uint64_t off, uint64_t size)
{
	Elf64_Shdr s = {.sh_name = name, .sh_type = type, .sh_flags = flags, .sh_addr = addr, .sh_offset = off,
			.sh_size = size, .sh_addralign = 8};
	put(t, t->shoff + (uint64_t)i * sizeof(s), &s, sizeof(s));
}

void testelf_build(const struct testelf_opts *o, struct testelf *t)
{
	static const char strtab[] = "\0.shstrtab\0.text\0.data\0.cella\0.dynamic\0.rela.dyn\0";
	/* offsets into strtab */
	enum { N_SHSTRTAB = 1, N_TEXT = 11, N_DATA = 17, N_CELLA = 23, N_DYNAMIC = 30, N_RELA = 39 };
	const uint64_t D = o->shared_page ? 0x2800 : 0x2000;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[4];
	int nph = 0;

	memset(t, 0, sizeof(*t));
	t->data_off = D;
	t->data_va = o->nseg == 1 ? D : (o->shared_page ? 0x1800 : 0x3000);
	t->cella_off = D + 0x100;
	t->cella_va = t->data_va + 0x100;
	t->dyn_off = D + 0x8e0;
	t->rela_off = D + 0x940;
	t->shoff = D + 0xb00;
	t->phoff = sizeof(Elf64_Ehdr);
	t->text_off = 0x1000;
	t->size = D + 0xcc0;
	t->data = calloc(1, t->size);
	if (!t->data)
		cella_test_fail(__FILE__, __LINE__, "testelf: out of memory");

	for (unsigned i = 0; i < 0x800; i++)
		t->data[0x1000 + i] = (uint8_t)(31 * i + 7);
	for (unsigned i = 0; i < 0x100; i++)
		t->data[D + i] = (uint8_t)(13 * i + 5);
	put(t, 0xf00, "/lib/ld-musl-x86_64.so.1", 25);
	put(t, t->cella_off, &o->props, sizeof(o->props));

	/* dynamic section and relocations */
	const uint64_t va_of = t->data_va - D; /* file offset -> vaddr in the data segment */
	Elf64_Dyn dyn[6];
	int nd = 0;
	dyn[nd++] = (Elf64_Dyn){.d_tag = DT_RELA, .d_un.d_ptr = t->rela_off + va_of};
	dyn[nd++] = (Elf64_Dyn){.d_tag = DT_RELASZ, .d_un.d_val = 2 * sizeof(Elf64_Rela)};
	dyn[nd++] = (Elf64_Dyn){.d_tag = DT_RELAENT, .d_un.d_val = sizeof(Elf64_Rela)};
	if (o->textrel)
		dyn[nd++] = (Elf64_Dyn){.d_tag = DT_TEXTREL};
	dyn[nd++] = (Elf64_Dyn){.d_tag = DT_NULL};
	put(t, t->dyn_off, dyn, (size_t)nd * sizeof(dyn[0]));
	for (int i = 0; i < 2; i++) {
		uint64_t target = o->reloc_target[i] == UINT64_MAX ? t->data_va + 8 * (uint64_t)i : o->reloc_target[i];
		Elf64_Rela r = {.r_offset = target, .r_info = ELF64_R_INFO(0, o->reloc_type[i]), .r_addend = 0x1000};
		put(t, t->rela_off + (uint64_t)i * sizeof(r), &r, sizeof(r));
	}

	/* program headers */
	if (o->nseg == 1) {
		ph[nph++] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = 0, .p_vaddr = 0,
					 .p_filesz = D + 0x970, .p_memsz = D + 0x3000, .p_align = 0x1000};
	} else {
		ph[nph++] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0, .p_vaddr = 0,
					 .p_filesz = 0x1800, .p_memsz = 0x1800, .p_align = 0x1000};
		ph[nph++] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = D,
					 .p_vaddr = t->data_va, .p_filesz = 0x970, .p_memsz = 0x3000,
					 .p_align = 0x1000};
	}
	ph[nph++] = (Elf64_Phdr){.p_type = PT_DYNAMIC, .p_flags = PF_R | PF_W, .p_offset = t->dyn_off,
				 .p_vaddr = t->dyn_off + va_of, .p_filesz = 0x60, .p_memsz = 0x60, .p_align = 8};
	if (o->interp)
		ph[nph++] = (Elf64_Phdr){.p_type = PT_INTERP, .p_flags = PF_R, .p_offset = 0xf00, .p_vaddr = 0xf00,
					 .p_filesz = 25, .p_memsz = 25, .p_align = 1};
	put(t, t->phoff, ph, (size_t)nph * sizeof(ph[0]));

	/* sections */
	put(t, D + 0xa00, strtab, sizeof(strtab));
	shdr(t, 0, 0, SHT_NULL, 0, 0, 0, 0);
	shdr(t, 1, N_TEXT, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x1000, 0x1000, 0x800);
	shdr(t, 2, N_DATA, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, t->data_va, D, 0x100);
	shdr(t, 3, N_CELLA, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, t->cella_va, t->cella_off, sizeof(o->props));
	shdr(t, 4, N_DYNAMIC, SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, t->dyn_off + va_of, t->dyn_off, 0x60);
	shdr(t, 5, N_RELA, SHT_RELA, SHF_ALLOC, t->rela_off + va_of, t->rela_off, 2 * sizeof(Elf64_Rela));
	shdr(t, 6, N_SHSTRTAB, SHT_STRTAB, 0, 0, D + 0xa00, sizeof(strtab));
	if (o->no_cella)
		t->data[D + 0xa00 + N_CELLA + 5] = 'x';

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x1000;
	eh.e_phoff = t->phoff;
	eh.e_shoff = t->shoff;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)nph;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 7;
	eh.e_shstrndx = 6;
	put(t, 0, &eh, sizeof(eh));
}

void testelf_free(struct testelf *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}

void testelf_write(const struct testelf *t, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(t->data, 1, t->size, f) != t->size || fclose(f) != 0)
		cella_test_fail(__FILE__, __LINE__, "testelf: cannot write %s", path);
}
