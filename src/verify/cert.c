// SPDX-License-Identifier: MIT
/*
 * Certificates as the verifier uses them: parsed once, with the P-256 key and the digest of the exact signed
 * bytes attached, and checked by an issuer's key without OpenSSL 3.0's key decoders.
 *
 * Why: d2i_X509 in OpenSSL 3.0 decodes the SubjectPublicKeyInfo through OSSL_DECODER_CTX_new_for_pkey, which
 * searches every decoder of every provider on each call: about 70 of the 82 us a DCAP certificate takes to parse
 * on the development VM, and four certificates per cold verification. Parsing in a library context that holds
 * only the "null" provider makes that opportunistic decode fail at once (OpenSSL clears its errors); the key is
 * then imported from the certificate's raw point (cella_vfy_key_from_xy), and the signature is checked over the
 * TBSCertificate bytes exactly as they appear in the DER, never over a re-encoding.
 */
#include "verify_internal.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct cert_extra {
	EVP_PKEY *key;          /* NULL: the key is not ECDSA P-256 */
	uint8_t point[65];
	uint8_t tbs_digest[32]; /* SHA-256 of the TBSCertificate as signed */
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *parse_ctx;
static int extra_index = -1;

static void extra_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct cert_extra *e = ptr;
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	if (e) {
		EVP_PKEY_free(e->key);
		free(e);
	}
}

static void init(void)
{
	OSSL_LIB_CTX *c = OSSL_LIB_CTX_new();
	if (c && !OSSL_PROVIDER_load(c, "null")) {
		OSSL_LIB_CTX_free(c);
		c = NULL;
	}
	parse_ctx = c;
	extra_index = X509_get_ex_new_index(0, NULL, NULL, NULL, extra_free);
}

/* The TBSCertificate's (or TBSCertList's) span in a Certificate's (CRL's) DER: the first element of the outer
 * SEQUENCE. */
static int tbs_span(const uint8_t *der, size_t len, const uint8_t **tbs, size_t *tbs_len)
{
	const unsigned char *p = der;
	long n;
	int tag, cls, rc;
	rc = ASN1_get_object(&p, &n, &tag, &cls, (long)len);
	if ((rc & 0x80) || rc != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL)
		return -1;
	const unsigned char *inner = p;
	rc = ASN1_get_object(&p, &n, &tag, &cls, (long)(len - (size_t)(inner - der)));
	if ((rc & 0x80) || rc != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE || cls != V_ASN1_UNIVERSAL)
		return -1;
	*tbs = inner;
	*tbs_len = (size_t)(p - inner) + (size_t)n;
	return 0;
}

/* The ECDSA P-256 key of x (id-ecPublicKey, named curve prime256v1, uncompressed point), or -1. */
static int p256_point(X509 *x, uint8_t *point)
{
	ASN1_OBJECT *alg = NULL;
	const unsigned char *pk = NULL;
	int pklen = 0, ptype = 0;
	X509_ALGOR *pa = NULL;
	const void *pval = NULL;
	if (X509_PUBKEY_get0_param(&alg, &pk, &pklen, &pa, X509_get_X509_PUBKEY(x)) != 1 ||
	    OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey || !pa)
		return -1;
	X509_ALGOR_get0(NULL, &ptype, &pval, pa);
	if (ptype != V_ASN1_OBJECT || OBJ_obj2nid(pval) != NID_X9_62_prime256v1 || pklen != 65 || pk[0] != 0x04)
		return -1;
	memcpy(point, pk, 65);
	return 0;
}

X509 *cella_vfy_cert_d2i(const uint8_t *der, size_t len)
{
	const uint8_t *q = der, *tbs;
	size_t tbs_len;
	struct cert_extra *e;
	X509 *x;
	pthread_once(&once, init);
	if (!parse_ctx || extra_index < 0 || len > LONG_MAX || tbs_span(der, len, &tbs, &tbs_len) != 0)
		return NULL;
	x = X509_new_ex(parse_ctx, NULL);
	if (!x)
		return NULL;
	if (!d2i_X509(&x, &q, (long)len)) /* frees x on failure */
		return NULL;
	e = calloc(1, sizeof(*e));
	if (q != der + len || !e || cella_vfy_sha256(tbs, tbs_len, e->tbs_digest) != 0 ||
	    !X509_set_ex_data(x, extra_index, e)) {
		free(e);
		X509_free(x);
		return NULL;
	}
	if (p256_point(x, e->point) == 0 && !(e->key = cella_vfy_key_from_xy(e->point + 1)))
		memset(e->point, 0, sizeof(e->point)); /* not on the curve */
	/*
	 * Fill OpenSSL's extension cache now. Without SHA-1 in this context the certificate has no fingerprint
	 * (which nothing here uses), and OpenSSL 3.0 fails the first X509_check_ca for that alone; once the cache
	 * is filled, X509_check_ca and the other checks answer from the extensions, as for any certificate.
	 */
	ERR_set_mark();
	(void)X509_get_extension_flags(x);
	ERR_pop_to_mark();
	return x;
}

static const struct cert_extra *extra(const X509 *x)
{
	pthread_once(&once, init);
	return x && extra_index >= 0 ? X509_get_ex_data(x, extra_index) : NULL;
}

EVP_PKEY *cella_vfy_cert_key(const X509 *x)
{
	const struct cert_extra *e = extra(x);
	return e ? e->key : NULL;
}

const uint8_t *cella_vfy_cert_point(const X509 *x)
{
	const struct cert_extra *e = extra(x);
	return e && e->key ? e->point : NULL;
}

/* A signature as X.509 carries it: ecdsa-with-SHA256 without parameters, a BIT STRING of whole bytes holding a
 * DER ECDSA-Sig-Value; r||s into rs, or -1. */
static int x509_sig_rs(const X509_ALGOR *alg, const ASN1_BIT_STRING *sig, uint8_t *rs)
{
	const ASN1_OBJECT *oid = NULL;
	int ptype = 0;
	if (!sig || !alg)
		return -1;
	X509_ALGOR_get0(&oid, &ptype, NULL, alg);
	if (OBJ_obj2nid(oid) != NID_ecdsa_with_SHA256 || ptype != V_ASN1_UNDEF || (sig->flags & 0x07) != 0)
		return -1;
	return cella_vfy_sig_der_rs(ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), rs);
}

int cella_vfy_cert_signed_by(const X509 *x, const X509 *issuer)
{
	const struct cert_extra *e = extra(x), *ie = extra(issuer);
	const ASN1_BIT_STRING *sig = NULL;
	const X509_ALGOR *alg = NULL;
	uint8_t rs[64];
	if (!e || !ie || !ie->key)
		return 0;
	X509_get0_signature(&sig, &alg, x);
	/* as X509_verify: the outer algorithm equals the signed one */
	if (!alg || X509_ALGOR_cmp(alg, X509_get0_tbs_sigalg(x)) != 0 || x509_sig_rs(alg, sig, rs) != 0)
		return 0;
	return cella_vfy_issuer_verify(ie->point, ie->key, e->tbs_digest, rs);
}

int cella_vfy_crl_signed_by(const X509_CRL *crl, const uint8_t *der, size_t len, const X509 *issuer)
{
	const struct cert_extra *ie = extra(issuer);
	const ASN1_BIT_STRING *sig = NULL;
	const X509_ALGOR *alg = NULL;
	const uint8_t *tbs;
	size_t tbs_len;
	uint8_t rs[64], digest[32];
	if (!crl || !ie || !ie->key || len > LONG_MAX || tbs_span(der, len, &tbs, &tbs_len) != 0)
		return 0;
	/* X509_CRL_verify checks the outer algorithm only; the signed bytes are the TBSCertList as it is in the DER */
	X509_CRL_get0_signature(crl, &sig, &alg);
	if (x509_sig_rs(alg, sig, rs) != 0 || cella_vfy_sha256(tbs, tbs_len, digest) != 0)
		return 0;
	return cella_vfy_issuer_verify(ie->point, ie->key, digest, rs);
}

int cella_vfy_doc_signed_by(const X509 *signer, const uint8_t *msg, size_t len, const uint8_t *rs)
{
	const struct cert_extra *e = extra(signer);
	uint8_t digest[32];
	if (!e || !e->key || cella_vfy_sha256(msg, len, digest) != 0)
		return 0;
	return cella_vfy_issuer_verify(e->point, e->key, digest, rs);
}
