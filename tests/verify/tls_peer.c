// SPDX-License-Identifier: MIT
/* An attested-TLS peer for tests and benchmarks (tls_peer.h). */
#include "tls_peer.h"

#include "cella_test.h"

#include <cella/evidence.h>
#include <cella/tls_host.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

/* see tls_peer.h */
X509 *tls_peer_cert(const uint8_t *quote, size_t quote_len, EVP_PKEY **key)
{
	static const uint8_t uuid[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	unsigned char *spki = NULL;
	int spki_len = k ? i2d_PUBKEY(k, &spki) : -1;
	size_t data = quote_len + (size_t)(spki_len > 0 ? spki_len : 0), n = CELLA_EVIDENCE_HEADER_BYTES + data;
	uint8_t *env = malloc(n);
	ASN1_OBJECT *oid = OBJ_txt2obj(CELLA_ATTEST_CERT_OID, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	CT_ASSERT(k && x && spki_len > 0 && env && oid && os);
	memset(env, 0, CELLA_EVIDENCE_HEADER_BYTES);
	env[0] = CELLA_EVIDENCE_HEADER_VERSION;
	memcpy(env + 4, uuid, 16);
	for (int i = 0; i < 8; i++)
		env[20 + i] = (uint8_t)((uint64_t)data >> (8 * i));
	memcpy(env + CELLA_EVIDENCE_HEADER_BYTES, quote, quote_len);
	memcpy(env + CELLA_EVIDENCE_HEADER_BYTES + quote_len, spki, (size_t)spki_len);
	CT_ASSERT(ASN1_OCTET_STRING_set(os, env, (int)n) == 1 &&
		  (ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os)) != NULL);
	CT_ASSERT(X509_set_version(x, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
		  X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
		  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
					     (const unsigned char *)"dcap peer", -1, -1, 0) == 1 &&
		  X509_set_issuer_name(x, X509_get_subject_name(x)) == 1 && X509_set_pubkey(x, k) == 1 &&
		  X509_add_ext(x, ext, -1) == 1 && X509_sign(x, k, EVP_sha256()) > 0);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	OPENSSL_free(spki);
	if (key)
		*key = k;
	else
		EVP_PKEY_free(k);
	free(env);
	return x;
}

/* see tls_peer.h */
SSL_CTX *tls_peer_server_ctx(X509 *x, EVP_PKEY *key)
{
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	CT_ASSERT(sctx && SSL_CTX_use_certificate(sctx, x) == 1 && SSL_CTX_use_PrivateKey(sctx, key) == 1);
	return sctx;
}

/* see tls_peer.h */
int tls_peer_handshake(SSL_CTX *cctx, SSL_CTX *sctx, cella_result *outcome, SSL **keep)
{
	SSL *srv = NULL, *cli = NULL;
	BIO *a = NULL, *b = NULL;
	int rc = 0, rs = 0;
	srv = SSL_new(sctx);
	cli = SSL_new(cctx);
	CT_ASSERT(srv && cli && BIO_new_bio_pair(&a, 0, &b, 0) == 1);
	CT_RESULT(cella_tls_openssl_peer(cli, NULL), CELLA_ERR_NOT_FOUND);
	SSL_set_bio(cli, a, a);
	SSL_set_bio(srv, b, b);
	SSL_set_connect_state(cli);
	SSL_set_accept_state(srv);
	for (int i = 0; i < 16 && !(rc == 1 && rs == 1); i++) {
		rc = SSL_do_handshake(cli);
		if (rc <= 0 && SSL_get_error(cli, rc) != SSL_ERROR_WANT_READ)
			break;
		rs = SSL_do_handshake(srv);
	}
	*outcome = cella_tls_openssl_peer(cli, NULL);
	if (keep)
		*keep = cli;
	else
		SSL_free(cli);
	SSL_free(srv);
	ERR_clear_error();
	return rc == 1;
}
