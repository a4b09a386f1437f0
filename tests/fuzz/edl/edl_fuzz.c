// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for cella-edger8r: lexer, preprocessor, parser and semantic checks on arbitrary bytes, then,
 * for input that passes them, the generator (trusted and untrusted sides, into a private temporary directory).
 * Diagnostics go to /dev/null; imports are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edl.h"

static FILE *devnull;
static char outdir[4096];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct edl_options opt = {0};
	struct edl_ctx c;
	struct edl_define d = {"FUZZ_DEFINED", "2"};
	char *buf;
	if (!devnull) {
		const char *tmp = getenv("TMPDIR");
		devnull = fopen("/dev/null", "w");
		snprintf(outdir, sizeof(outdir), "%s/cella-edl-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!devnull || !mkdtemp(outdir))
			abort();
	}
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
	if (edl_load_buffer(&c, "fuzz.edl", buf, size) == 0) {
		struct edl_gen_opts g = {.name = "fuzz", .trusted_dir = outdir, .untrusted_dir = outdir,
					 .trusted = true, .untrusted = true, .use_prefix = size & 2};
		(void)edl_generate(&c, &g); /* it may refuse names that clash with what it derives from "fuzz" */
	}
	edl_ctx_fini(&c);
	free(buf);
	return 0;
}
