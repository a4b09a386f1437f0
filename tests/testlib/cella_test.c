// SPDX-License-Identifier: MIT
/* Assertion helpers shared by the test executables. */
#include "cella_test.h"

#include <stdarg.h>
#include <stdio.h>

void cella_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void cella_test_pass(const char *name)
{
	printf("PASS %s\n", name);
	fflush(stdout);
}

void cella_test_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	fflush(stdout);
	exit(77);
}

const char *cella_test_hex(const void *p, size_t n)
{
	static char buf[1024];
	const uint8_t *b = p;
	size_t i;
	if (n > (sizeof(buf) - 1) / 2)
		n = (sizeof(buf) - 1) / 2;
	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	buf[2 * n] = 0;
	return buf;
}

uint8_t *cella_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	if (!f)
		cella_test_fail(__FILE__, __LINE__, "cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		cella_test_fail(__FILE__, __LINE__, "cannot size %s", path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		cella_test_fail(__FILE__, __LINE__, "cannot read %s", path);
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}
