/* SPDX-License-Identifier: MIT */
/* Certificates made in a test with OpenSSL: roots, intermediates and leaves with chosen names and dates. */
#ifndef CELLA_TEST_X509_H
#define CELLA_TEST_X509_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"

/* A certificate for k named CN=cn, issued by CN=issuer_cn and signed with issuer_key (k itself for a root), valid
 * from now+from to now+until seconds, with critical basicConstraints CA:TRUE or CA:FALSE. */
static inline X509 *cella_test_cert(EVP_PKEY *k, const char *cn, EVP_PKEY *issuer_key, const char *issuer_cn,
				    long from, long until, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *sn = X509_NAME_new(), *in = X509_NAME_new();
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
						 ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	CT_ASSERT(x && sn && in && bc);
	CT_ASSERT(X509_set_version(x, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), 11) == 1);
	CT_ASSERT(X509_NAME_add_entry_by_txt(sn, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) == 1);
	CT_ASSERT(X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1, 0) ==
		  1);
	CT_ASSERT(X509_set_subject_name(x, sn) == 1 && X509_set_issuer_name(x, in) == 1);
	CT_ASSERT(X509_gmtime_adj(X509_getm_notBefore(x), from) && X509_gmtime_adj(X509_getm_notAfter(x), until));
	CT_ASSERT(X509_set_pubkey(x, k) == 1 && X509_add_ext(x, bc, -1) == 1);
	CT_ASSERT(X509_sign(x, issuer_key, EVP_sha256()) > 0);
	X509_EXTENSION_free(bc);
	X509_NAME_free(in);
	X509_NAME_free(sn);
	return x;
}

/* x's PEM text appended to *pem (realloc'd; *len updated); frees x. */
static inline void cella_test_cert_append_pem(uint8_t **pem, size_t *len, X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long l;
	CT_ASSERT(b && PEM_write_bio_X509(b, x) == 1);
	l = BIO_get_mem_data(b, &data);
	*pem = realloc(*pem, *len + (size_t)l);
	CT_ASSERT(*pem);
	memcpy(*pem + *len, data, (size_t)l);
	*len += (size_t)l;
	BIO_free(b);
	X509_free(x);
}

#endif
