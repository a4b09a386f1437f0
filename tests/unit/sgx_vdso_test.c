// SPDX-License-Identifier: MIT
/* The vDSO symbol lookup: on this process's real vDSO, and on copies of it that are damaged on purpose. */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>

#include "cella_test.h"
#include "sgx_internal.h"

static size_t vdso_size(const uint8_t *img)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	size_t size = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > size)
			size = ph->p_offset + ph->p_filesz;
	}
	return size;
}

/* The size of the [vdso] mapping at `vdso`, from /proc/self/maps: what the kernel mapped, not what the ELF says. */
static size_t vdso_mapping(const uint8_t *vdso)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo, hi;
	size_t size = 0;
	CT_ASSERT(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			CT_EQ(lo, (unsigned long)(uintptr_t)vdso);
			size = hi - lo;
		}
	fclose(f);
	CT_ASSERT(size > 0);
	return size;
}

int main(void)
{
	const uint8_t *vdso = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
	uint64_t off = 0;
	size_t size;
	uint8_t *copy;
	cella_sgx_enter_fn enter = NULL;
	cella_result r;

	CT_ASSERT(vdso != NULL); /* every x86-64 Linux process has one; the SGX backend enters through it */
	size = vdso_size(vdso);
	CT_ASSERT(size > 0);

	/* A symbol every x86-64 vDSO has: found, and it is the function libc would call. */
	CT_RESULT(cella_sgx_vdso_find(vdso, size, "__vdso_clock_gettime", &off), CELLA_OK);
	{
		int (*gettime)(clockid_t, struct timespec *) = (int (*)(clockid_t, struct timespec *))(uintptr_t)(vdso + off);
		struct timespec a, b;
		CT_EQ(gettime(CLOCK_MONOTONIC, &a), 0);
		CT_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
		CT_ASSERT(b.tv_sec >= a.tv_sec);
	}
	CT_RESULT(cella_sgx_vdso_find(vdso, size, "__vdso_no_such_function", &off), CELLA_ERR_NOT_FOUND);
	/* The SGX entry exists exactly on kernels built with CONFIG_X86_SGX: found exactly when its name (spelt out
	 * here, not taken from the library) is in the mapping's bytes, its string table; and then inside the mapping. */
	{
		static const char name[] = "__vdso_sgx_enter_enclave";
		size_t mapped = vdso_mapping(vdso);
		bool named = memmem(vdso, mapped, name, sizeof(name)) != NULL; /* with its NUL: not a longer name */
		r = cella_sgx_vdso_enter(&enter);
		if (r != (named ? CELLA_OK : CELLA_ERR_NOT_FOUND))
			cella_test_fail(__FILE__, __LINE__, "the vDSO mapping %s %s, but the lookup says %s",
					named ? "names" : "does not name", name, cella_result_name(r));
		CT_ASSERT((r == CELLA_OK) == (enter != NULL));
		CT_ASSERT(!enter || ((const uint8_t *)(uintptr_t)enter > vdso &&
				     (const uint8_t *)(uintptr_t)enter < vdso + mapped));
		printf("this kernel's vDSO %s %s\n", named ? "has" : "lacks", name);
	}
	cella_test_pass("lookup in the live vDSO");

	/* Damaged copies: every table access is bounds-checked. */
	copy = malloc(size);
	CT_ASSERT(copy);
	memcpy(copy, vdso, size);
	CT_RESULT(cella_sgx_vdso_find(copy, size, "__vdso_clock_gettime", &off), CELLA_OK);
	/* Truncated images, each in a buffer of exactly that size (ASan sees any read past it). */
	for (size_t cut = 0; cut < size; cut += 97) {
		uint8_t *t = malloc(cut ? cut : 1);
		CT_ASSERT(t);
		memcpy(t, vdso, cut);
		r = cella_sgx_vdso_find(t, cut, "__vdso_clock_gettime", &off);
		CT_ASSERT(r != CELLA_OK || off < cut);
		if (cut < sizeof(Elf64_Ehdr))
			CT_RESULT(r, CELLA_ERR_BAD_FORMAT);
		free(t);
	}
	copy[0] = 0; /* magic */
	CT_RESULT(cella_sgx_vdso_find(copy, size, "__vdso_clock_gettime", &off), CELLA_ERR_BAD_FORMAT);
	memcpy(copy, vdso, size);
	copy[EI_CLASS] = ELFCLASS32;
	CT_RESULT(cella_sgx_vdso_find(copy, size, "__vdso_clock_gettime", &off), CELLA_ERR_BAD_FORMAT);
	memcpy(copy, vdso, size);
	((Elf64_Ehdr *)copy)->e_phoff = size; /* program headers outside the image */
	CT_RESULT(cella_sgx_vdso_find(copy, size, "__vdso_clock_gettime", &off), CELLA_ERR_BAD_FORMAT);
	memcpy(copy, vdso, size);
	{
		/* Point DT_SYMTAB/DT_STRTAB far outside the image. */
		Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;
		for (unsigned i = 0; i < eh->e_phnum; i++) {
			Elf64_Phdr *ph = (Elf64_Phdr *)(copy + eh->e_phoff) + i;
			if (ph->p_type != PT_DYNAMIC)
				continue;
			for (Elf64_Dyn *d = (Elf64_Dyn *)(copy + ph->p_offset); d->d_tag != DT_NULL; d++)
				if (d->d_tag == DT_STRTAB || d->d_tag == DT_SYMTAB)
					d->d_un.d_ptr = 0x7fffffff0000ull;
		}
		CT_RESULT(cella_sgx_vdso_find(copy, size, "__vdso_clock_gettime", &off), CELLA_ERR_BAD_FORMAT);
	}
	CT_RESULT(cella_sgx_vdso_find(NULL, 0, "x", &off), CELLA_ERR_BAD_FORMAT);
	free(copy);
	cella_test_pass("damaged images are refused");
	return 0;
}
