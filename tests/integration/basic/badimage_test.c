// SPDX-License-Identifier: MIT
/*
 * Bad enclave images: each is refused by cella_enclave_create with its own error, the host keeps running,
 * and nothing is left behind (no child process, no fd). badimage_test <good image> <non-PIE ELF> <tmpdir>
 */
#include <cella/abi/properties.h>
#include <cella/host.h>
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cella_test.h"

static char logbuf[8192];

static void capture_log(void *ctx, enum cella_log_level level, const char *msg)
{
	size_t n = strlen(logbuf);
	(void)ctx, (void)level;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void expect(const char *name, const char *path, cella_result want, const char *log_has)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .log = capture_log};
	struct cella_enclave *e = (struct cella_enclave *)1;
	int fds = count_fds();
	logbuf[0] = 0;
	CT_RESULT(cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), want);
	CT_ASSERT(e == NULL);
	CT_EQ(count_fds(), fds);
	if (log_has && !strstr(logbuf, log_has))
		cella_test_fail(__FILE__, __LINE__, "%s: log lacks '%s': %s", name, log_has, logbuf);
	printf("%s -> %s: %s", name, cella_result_name(want), logbuf);
	cella_test_pass(name);
}

static void write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	CT_ASSERT(f && fwrite(b, 1, n, f) == n);
	fclose(f);
}

/* Finds a section by name with the test's own ELF reading (not the code under test). */
static Elf64_Shdr *section(uint8_t *img, const char *want)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, want))
			return &sh[i];
	cella_test_fail(__FILE__, __LINE__, "no section %s", want);
}

int main(int argc, char **argv)
{
	size_t n;
	uint8_t *good, *b;
	char path[512];
	const char *dir;

	if (argc < 4) {
		fprintf(stderr, "usage: %s GOOD_IMAGE NON_PIE_ELF TMPDIR\n", argv[0]);
		return 2;
	}
	good = cella_test_read_file(argv[1], &n);
	dir = argv[3];
	b = malloc(n);
	CT_ASSERT(b);

	snprintf(path, sizeof(path), "%s/does-not-exist-%d", dir, getpid());
	expect("missing file", path, CELLA_ERR_NO_FILE, path);
	/* a path that is not a file: the log names the path and why it cannot be read */
	expect("a directory", dir, CELLA_ERR_IO, dir);
	CT_ASSERT(strstr(logbuf, "Is a directory"));
	snprintf(path, sizeof(path), "%s/not-a-dir-%d", dir, getpid());
	write_file(path, good, 40);
	strcat(path, "/image");
	expect("a file taken for a directory", path, CELLA_ERR_IO, path);
	CT_ASSERT(strstr(logbuf, "Not a directory"));
	path[strlen(path) - strlen("/image")] = 0;
	unlink(path);

	snprintf(path, sizeof(path), "%s/truncated-%d", dir, getpid());
	write_file(path, good, 40);
	expect("truncated ELF header", path, CELLA_ERR_TRUNCATED, NULL);
	write_file(path, good, n / 2);
	expect("truncated ELF body", path, CELLA_ERR_TRUNCATED, NULL);
	write_file(path, (const uint8_t *)"#!/bin/sh\necho not an enclave\n", 30);
	expect("not an ELF", path, CELLA_ERR_IMAGE_NOT_ELF, NULL);

	expect("non-PIE ELF", argv[2], CELLA_ERR_IMAGE_NOT_PIE, NULL);

	memcpy(b, good, n);
	((Elf64_Ehdr *)b)->e_machine = EM_AARCH64;
	snprintf(path, sizeof(path), "%s/machine-%d", dir, getpid());
	write_file(path, b, n);
	expect("wrong machine", path, CELLA_ERR_IMAGE_MACHINE, NULL);

	{
		struct cella_abi_properties *p;
		memcpy(b, good, n);
		p = (struct cella_abi_properties *)(b + section(b, ".cella")->sh_offset);
		p->heap_pages = 1ull << 40;
		snprintf(path, sizeof(path), "%s/heap-%d", dir, getpid());
		write_file(path, b, n);
		expect("heap of 2^40 pages", path, CELLA_ERR_IMAGE_PROPERTIES, NULL);
		memcpy(b, good, n);
		p = (struct cella_abi_properties *)(b + section(b, ".cella")->sh_offset);
		p->tcs_count = 0;
		write_file(path, b, n);
		expect("zero TCS", path, CELLA_ERR_IMAGE_PROPERTIES, NULL);
		/* ECREATE refuses ATTRIBUTES.INIT (only EINIT sets it): refused before any backend sees it */
		memcpy(b, good, n);
		p = (struct cella_abi_properties *)(b + section(b, ".cella")->sh_offset);
		p->attributes |= CELLA_ATTR_INIT;
		write_file(path, b, n);
		expect("ATTRIBUTES.INIT requested", path, CELLA_ERR_IMAGE_PROPERTIES, "INIT (bit 0)");
	}
	{
		/* the writable PT_LOAD made write-only: SGX refuses SECINFO W without R */
		Elf64_Ehdr *eh;
		Elf64_Phdr *ph = NULL;
		memcpy(b, good, n);
		eh = (Elf64_Ehdr *)b;
		for (int i = 0; i < eh->e_phnum && !ph; i++) {
			Elf64_Phdr *q = (Elf64_Phdr *)(b + eh->e_phoff + (size_t)i * sizeof(*q));
			if (q->p_type == PT_LOAD && q->p_flags == (PF_R | PF_W))
				ph = q;
		}
		CT_ASSERT(ph != NULL);
		ph->p_flags = PF_W;
		snprintf(path, sizeof(path), "%s/wonly-%d", dir, getpid());
		write_file(path, b, n);
		expect("write-only PT_LOAD", path, CELLA_ERR_IMAGE_SEGMENTS, "writable but not readable");
	}
	{
		Elf64_Rela *r;
		memcpy(b, good, n);
		r = (Elf64_Rela *)(b + section(b, ".rela.dyn")->sh_offset);
		r->r_info = ELF64_R_INFO(0, R_X86_64_64);
		snprintf(path, sizeof(path), "%s/reloc-%d", dir, getpid());
		write_file(path, b, n);
		expect("R_X86_64_64 relocation", path, CELLA_ERR_IMAGE_RELOCATION, "R_X86_64_RELATIVE");
	}
	unlink(path);
	free(b);
	free(good);
	return 0;
}
