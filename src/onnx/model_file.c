// SPDX-License-Identifier: MIT
/* Host-only convenience: load a model from a file (the core loads from bytes and never touches files). */
#include <cella/onnx.h>

#include <stdlib.h>

#include "file.h"

cella_result cella_onnx_model_load_file(const char *path, const struct cella_onnx_options *opt,
					struct cella_onnx_model **out) /* see cella/onnx.h */
{
	uint8_t *buf = NULL;
	size_t len = 0;
	/* a directory is CELLA_ERR_IO with errno EISDIR, a FIFO is refused rather than waited on */
	cella_result r = cella_file_read(path, (uint64_t)1 << 31, &buf, &len);
	if (r == CELLA_OK)
		r = cella_onnx_model_new(buf, len, opt, out);
	free(buf);
	return r;
}
