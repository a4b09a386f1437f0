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
const uint8_t cella_vfy_intel_root_point[65] = {
	0x04, 0x0b, 0xa9, 0xc4, 0xc0, 0xc0, 0xc8, 0x61, 0x93, 0xa3, 0xfe, 0x23, 0xd6, 0xb0, 0x2c, 0xda, 0x10,
	0xa8, 0xbb, 0xd4, 0xe8, 0x8e, 0x48, 0xb4, 0x45, 0x85, 0x61, 0xa3, 0x6e, 0x70, 0x55, 0x25, 0xf5, 0x67,
	0x91, 0x8e, 0x2e, 0xdc, 0x88, 0xe4, 0x0d, 0x86, 0x0b, 0xd0, 0xcc, 0x4e, 0xe2, 0x6a, 0xac, 0xc9, 0x88,
	0xe5, 0x05, 0xa9, 0x53, 0x55, 0x8c, 0x45, 0x3f, 0x6b, 0x09, 0x04, 0xae, 0x73, 0x94};

/*
 * SHA-256 of the DER of the two Intel SGX Root CA certificates, the variant valid to 2049 and the one valid to 2033,
 * both self-signed under cella_vfy_intel_root_point (tests/unit/verify_cert_test.c checks both facts on the certificates).
 * A chain root byte-identical to one of them is the trust anchor itself, so its self-signature needs no check:
 * Intel's QVL likewise accepts only the exact signature bytes of the root it ships.
 */
static const uint8_t intel_root_der_sha256[2][32] = {
	{0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49, 0xe9, 0x5b, 0x80, 0x7a, 0x35,
	 0x0e, 0x74, 0x24, 0x96, 0x43, 0x99, 0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3},
	{0xfc, 0x64, 0xf8, 0x07, 0x6d, 0x79, 0xa4, 0xfe, 0xe9, 0xd1, 0xd4, 0x73, 0xd7, 0x4c, 0x89, 0xeb,
	 0x8d, 0x8f, 0xd5, 0x5c, 0x5a, 0xba, 0xfe, 0xab, 0xeb, 0xa7, 0x36, 0x6d, 0x20, 0x42, 0x94, 0x04}};

int cella_vfy_root_pinned(const uint8_t der_sha256[32])
{
	for (size_t i = 0; i < sizeof(intel_root_der_sha256) / sizeof(intel_root_der_sha256[0]); i++)
		if (memcmp(der_sha256, intel_root_der_sha256[i], 32) == 0)
			return 1;
	return 0;
}

/* see cella/verify.h */
cella_result cella_trust_new_intel(struct cella_trust **out)
{
	struct cella_trust *t = calloc(1, sizeof(*t));
	if (!t)
		return CELLA_ERR_OUT_OF_MEMORY;
	memcpy(t->point, cella_vfy_intel_root_point, sizeof(t->point));
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
