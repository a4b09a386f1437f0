// SPDX-License-Identifier: MIT
/* Trust anchors: the pinned Intel SGX Root CA public key, or the key of a caller-supplied root certificate. */
#include "verify_internal.h"

#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

/*
 * Public point of the Intel SGX Root CA (CN=Intel SGX Root CA, serial 22650cd6...06ac). Both certificate
 * variants (valid to 2033 and to 2049) carry this key; pinning the key accepts either.
 */
static const uint8_t intel_root_point[65] = {
	0x04, 0x0b, 0xa9, 0xc4, 0xc0, 0xc0, 0xc8, 0x61, 0x93, 0xa3, 0xfe, 0x23, 0xd6, 0xb0, 0x2c, 0xda, 0x10,
	0xa8, 0xbb, 0xd4, 0xe8, 0x8e, 0x48, 0xb4, 0x45, 0x85, 0x61, 0xa3, 0x6e, 0x70, 0x55, 0x25, 0xf5, 0x67,
	0x91, 0x8e, 0x2e, 0xdc, 0x88, 0xe4, 0x0d, 0x86, 0x0b, 0xd0, 0xcc, 0x4e, 0xe2, 0x6a, 0xac, 0xc9, 0x88,
	0xe5, 0x05, 0xa9, 0x53, 0x55, 0x8c, 0x45, 0x3f, 0x6b, 0x09, 0x04, 0xae, 0x73, 0x94};

/* see cella/verify.h */
cella_result cella_trust_new_intel(struct cella_trust **out)
{
	struct cella_trust *t = calloc(1, sizeof(*t));
	if (!t)
		return CELLA_ERR_OUT_OF_MEMORY;
	memcpy(t->point, intel_root_point, sizeof(t->point));
	*out = t;
	return CELLA_OK;
}

/* see cella/verify.h */
cella_result cella_trust_new_cert(const uint8_t *cert, size_t len, struct cella_trust **out, struct cella_detail *d)
{
	X509 *x = NULL;
	const uint8_t *pt;
	struct cella_trust *t = NULL;
	cella_result r = CELLA_ERR_UNEXPECTED;
	size_t n = 0;
	if (len > 11 && memcmp(cert, "-----BEGIN ", 11) == 0) {
		X509 *chain[8] = {0};
		CELLA_CHECK(cella_vfy_pem_chain((const char *)cert, len, chain, 8, 0, &n, NULL, d));
		x = chain[0];
		for (size_t i = 1; i < n; i++)
			X509_free(chain[i]);
	} else {
		x = cella_vfy_cert_d2i(cert, len);
		if (!x)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "trusted root is not a DER or PEM certificate"));
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	if (!(pt = cella_vfy_cert_point(x)))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_UNSUPPORTED, "trusted root key is not ECDSA P-256"));
	memcpy(t->point, pt, sizeof(t->point));
	*out = t;
	t = NULL;
	r = CELLA_OK;
out:
	free(t);
	X509_free(x);
	return r;
}

/* see cella/verify.h */
void cella_trust_free(struct cella_trust *t)
{
	free(t);
}
