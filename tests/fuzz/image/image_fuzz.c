// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for what a host does with an enclave file before anything runs (src/common): the ELF and
 * .cella parser (cella_image_parse_diag), then, for an image it accepts, the page list (cella_layout_build), the
 * measurement (cella_measure) and the EINIT rules against the image's own SIGSTRUCT (cella_einit_check_diag).
 * Seeded with a real enclave; every refusal must come with its diagnostic phrase.
 */
#include "image.h"
#include "layout.h"
#include "measure.h"
#include "sigstruct.h"

#include <stdlib.h>

/* Measuring costs a SHA-256 pass per page: images whose properties ask for more are parsed and laid out only. */
#define MEASURE_MAX_PAGES 4096u

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct cella_image img;
	struct cella_image_diag diag = {0};
	struct cella_layout l;
	struct cella_hash mr;
	struct cella_einit_info info;
	const char *detail = NULL;
	cella_result r = cella_image_parse_diag(d, n, &img, &diag);
	if (r != CELLA_OK) {
		if (!diag.what)
			abort(); /* a refusal without its reason */
		return 0;
	}
	if (img.nsegments == 0 || img.nsegments > CELLA_IMAGE_MAX_SEGMENTS || img.image_bytes > CELLA_IMAGE_MAX_BYTES)
		abort();
	for (size_t i = 0, zero_fill = 0; i < img.nsegments; i++) {
		const struct cella_image_segment *s = &img.segments[i];
		if (s->offset > n || s->filesz > n - s->offset)
			abort(); /* the parser promised file-backed bytes inside the file */
		if (s->memsz == 0 || s->filesz > s->memsz)
			abort(); /* ... no empty segment ... */
		zero_fill += s->memsz - s->filesz;
		if (zero_fill > CELLA_IMAGE_MAX_ZERO_FILL_BYTES)
			abort(); /* ... and zero-fill within the bound, so the page list stays small */
	}
	if (cella_layout_build(&img, &l) != CELLA_OK)
		return 0;
	if (l.npages <= MEASURE_MAX_PAGES && cella_measure(&l, &mr) == CELLA_OK)
		(void)cella_einit_check_diag(&img, &mr, true, &info, &detail);
	cella_layout_fini(&l);
	return 0;
}
