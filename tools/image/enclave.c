// SPDX-License-Identifier: MIT
/* The signed enclave an image carries: checked as the loader will check it, and described for labels. */
#include "image_oci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "layout.h"
#include "sigstruct.h"
#include "signtool.h"

void cella_image_hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * n] = 0;
}

int cella_image_enclave_info(const char *path, bool allow_debug, struct enclave_info *out)
{
	uint8_t *data = NULL;
	size_t size = 0;
	struct cella_image img;
	struct cella_hash mrenclave, mrsigner;
	struct cella_sgx_sigstruct unsigned_sig;
	struct cella_image_diag diag = {0};
	struct cella_layout_regions reg;
	const struct cella_sgx_sigstruct *s;
	const char *detail = NULL;
	char why[160];
	cella_result r;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	r = cella_image_read_file(path, &data, &size);
	if (r != CELLA_OK) {
		fprintf(stderr, PROG ": %s: cannot read the enclave: %s\n", path, cella_result_name(r));
		return 1;
	}
	r = cella_sign_prepare(data, size, NULL, 0, &img, &mrenclave, &unsigned_sig, &diag);
	if (r != CELLA_OK) {
		cella_image_diag_format(r, &diag, why, sizeof(why));
		fprintf(stderr, PROG ": %s: not a Cella enclave image: %s\n", path, why);
		goto out;
	}
	s = (const struct cella_sgx_sigstruct *)img.props.sigstruct;
	if (cella_sigstruct_is_zero(s)) {
		fprintf(stderr, PROG ": %s: the enclave is not signed (sign it with cella-sign first)\n", path);
		goto out;
	}
	if ((r = cella_sigstruct_verify(s, &detail)) != CELLA_OK) {
		fprintf(stderr, PROG ": %s: the enclave's signature does not verify: %s\n", path,
			detail ? detail : cella_result_name(r));
		goto out;
	}
	if (memcmp(s->enclave_hash, mrenclave.b, 32) != 0) {
		fprintf(stderr, PROG ": %s: the enclave was changed after it was signed (its MRENCLAVE is not the "
				"signed one)\n", path);
		goto out;
	}
	out->debug = (img.props.attributes & CELLA_ATTR_DEBUG) != 0;
	if (out->debug && !allow_debug) {
		fprintf(stderr, PROG ": %s: a debug enclave (its memory can be read by a debugger); sign it with "
				"Debug=0, or pass --allow-debug\n", path);
		goto out;
	}
	if (cella_sigstruct_mrsigner(s, &mrsigner) != CELLA_OK ||
	    cella_layout_regions(&img.props, img.image_bytes, &reg) != CELLA_OK) {
		fprintf(stderr, PROG ": %s: cannot lay out the enclave\n", path);
		goto out;
	}
	memcpy(out->mrenclave, mrenclave.b, 32);
	memcpy(out->mrsigner, mrsigner.b, 32);
	out->isv_prod_id = img.props.isv_prod_id;
	out->isv_svn = img.props.isv_svn;
	out->enclave_size = reg.enclave_size;
	rc = 0;
out:
	free(data);
	return rc;
}
