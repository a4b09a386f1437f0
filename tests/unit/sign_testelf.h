/* SPDX-License-Identifier: MIT */
/* Synthetic enclave images for the image/layout/measure/sign tests: tiny, deterministic, easy to corrupt. */
#ifndef CELLA_SIGN_TESTELF_H
#define CELLA_SIGN_TESTELF_H

#include <cella/abi/properties.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * File layout (D = data_off, 0x2000 by default; 0x2800 with shared_page):
 *   0x0000  ELF header, program headers (LOAD text, [LOAD data], DYNAMIC, [INTERP])
 *   0x0f00  "/lib/ld-musl-x86_64.so.1" (PT_INTERP target, when present)
 *   0x1000  code: 0x800 bytes, byte i = (31 * i + 7) & 0xff; e_entry = 0x1000
 *   D+0x000 data: 0x100 bytes, byte i = (13 * i + 5) & 0xff; relocation targets at data_va + 0 and + 8
 *   D+0x100 .cella (2008 bytes)
 *   D+0x8e0 .dynamic: DT_RELA, DT_RELASZ, DT_RELAENT, [DT_TEXTREL], DT_NULL (6 slots)
 *   D+0x940 .rela.dyn: 2 x Elf64_Rela
 *   D+0xa00 .shstrtab;  D+0xb00 section headers (7);  end of file D+0xcc0
 * Two segments: text = [0, 0x1800) R-X at vaddr 0; data = file [D, D+0x970), memsz 0x3000, RW- at data_va
 * (0x3000; 0x1800 with shared_page, so its first page is also the text segment's last page).
 * One segment: file [0, D+0x970) at vaddr 0, memsz D+0x3000, RWX; data_va = D.
 */
struct testelf_opts {
	int nseg;              /* 1 or 2 */
	bool shared_page;      /* two segments sharing one page */
	bool interp;           /* add PT_INTERP */
	bool textrel;          /* add DT_TEXTREL */
	bool no_cella;         /* name the section ".cellx" */
	uint32_t reloc_type[2];    /* default R_X86_64_RELATIVE */
	uint64_t reloc_target[2];  /* default data_va, data_va + 8 */
	struct cella_abi_properties props; /* written into .cella as is */
};

struct testelf {
	uint8_t *data;
	size_t size;
	uint64_t data_off, data_va;  /* data segment (see above) */
	uint64_t cella_off, cella_va;
	uint64_t dyn_off, rela_off, shoff, phoff;
	uint64_t text_off;           /* 0x1000: first code byte */
};

/* Defaults: 2 segments, RELATIVE relocations, props: heap 4, stack 2, 2 TCS, MODE64BIT|DEBUG, prod 7, svn 3. */
void testelf_default_opts(struct testelf_opts *o);
/* Builds the image into t->data (malloc'ed; testelf_free releases). Aborts on allocation failure. */
void testelf_build(const struct testelf_opts *o, struct testelf *t);
void testelf_free(struct testelf *t);
/* Writes the image to `path`; aborts the test on failure. */
void testelf_write(const struct testelf *t, const char *path);

#endif
