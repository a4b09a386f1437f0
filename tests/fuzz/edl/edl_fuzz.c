// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the cella-edger8r front end: lexer, preprocessor, parser and semantic checks on
 * arbitrary bytes. Diagnostics go to /dev/null; imports are refused (no file system access).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edl.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct edl_options opt = {0};
	struct edl_ctx c;
	struct edl_define d = {"FUZZ_DEFINED", "2"};
	char *buf;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	edl_ctx_init(&c, &opt);
	edl_vec_push(&c.arena, &opt.defines, &d);
	opt.no_imports = true;
	opt.werror = size & 1;
	c.diag = devnull;
	(void)edl_load_buffer(&c, "fuzz.edl", buf, size);
	edl_ctx_fini(&c);
	free(buf);
	return 0;
}
