// SPDX-License-Identifier: MIT
/* Host-only convenience: load a model from a file (the core loads from bytes and never touches files). */
#include <cella/onnx.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

cella_result cella_onnx_model_load_file(const char *path, const struct cella_onnx_options *opt,
					struct cella_onnx_model **out) /* see cella/onnx.h */
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	FILE *f = NULL;
	uint8_t *buf = NULL;
	struct stat st;
	long len;
	f = fopen(path, "rb");
	if (!f)
		CELLA_FAIL(errno == ENOENT ? CELLA_ERR_NO_FILE : CELLA_ERR_IO);
	if (fstat(fileno(f), &st) != 0)
		CELLA_FAIL(CELLA_ERR_IO);
	if (!S_ISREG(st.st_mode)) { /* a directory opens, and the offset its seek gives is no size; errno says why */
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		CELLA_FAIL(CELLA_ERR_IO);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		CELLA_FAIL(CELLA_ERR_IO);
	if ((unsigned long)len > ((unsigned long)1 << 31))
		CELLA_FAIL(CELLA_ERR_TOO_LARGE);
	buf = malloc((size_t)len + 1);
	if (!buf)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		CELLA_FAIL(CELLA_ERR_IO);
	r = cella_onnx_model_new(buf, (size_t)len, opt, out);
out:
	if (f)
		fclose(f);
	free(buf);
	return r;
}
