// SPDX-License-Identifier: MIT
/* Token signing keys and compact JWS (RFC 7515): RS256 and ES256 with OpenSSL, "none" for drafts. */
#include "attestd_internal.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

attestd_alg attestd_alg_parse(const char *name)
{
	if (name && strcmp(name, "RS256") == 0)
		return ATTESTD_ALG_RS256;
	if (name && strcmp(name, "ES256") == 0)
		return ATTESTD_ALG_ES256;
	return ATTESTD_ALG_NONE;
}

const char *attestd_alg_name(attestd_alg a)
{
	return a == ATTESTD_ALG_RS256 ? "RS256" : a == ATTESTD_ALG_ES256 ? "ES256" : "none";
}

static char *pem_cert(X509 *c)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;
	if (b && PEM_write_bio_X509(b, c) == 1 && (n = BIO_get_mem_data(b, &data)) > 0 && (out = malloc((size_t)n + 1))) {
		memcpy(out, data, (size_t)n);
		out[n] = 0;
	}
	BIO_free(b);
	return out;
}

static char *pem_key(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;
	if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1 && (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (out = malloc((size_t)n + 1))) {
		memcpy(out, data, (size_t)n);
		out[n] = 0;
	}
	if (b) {
		BIO_reset(b);
		BIO_free(b);
	}
	return out;
}

/* kid and x5c from the certificate. */
static cella_result key_finish(struct attestd_key *k)
{
	unsigned char *der = NULL;
	int n = i2d_X509(k->cert, &der);
	uint8_t h[32];
	char *kid;
	if (n <= 0)
		return CELLA_ERR_CRYPTO;
	attestd_sha256(der, (size_t)n, h);
	kid = attestd_b64_encode(h, 32, false);
	k->x5c = attestd_b64_encode(der, (size_t)n, false);
	OPENSSL_free(der);
	if (!kid || !k->x5c) {
		free(kid);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	snprintf(k->kid, sizeof(k->kid), "%s", kid);
	free(kid);
	return CELLA_OK;
}

cella_result attestd_key_generate(attestd_alg alg, const char *cn, struct attestd_key *out)
{
	cella_result r = CELLA_ERR_CRYPTO;
	EVP_PKEY *key = alg == ATTESTD_ALG_ES256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	uint8_t serial[16];
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	X509_EXTENSION *ext = NULL;

	memset(out, 0, sizeof(*out));
	if (!key || !c || !name || RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f;
	if (!(bn = BN_bin2bn(serial, sizeof(serial), NULL)) || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) ||
	    X509_set_version(c, 2) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_subject_name(c, name) != 1 || X509_set_issuer_name(c, name) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(c), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c), 10L * 366 * 86400) || X509_set_pubkey(c, key) != 1)
		goto out;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, c, c, NULL, NULL, 0);
	if (!(ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,digitalSignature")) ||
	    X509_add_ext(c, ext, -1) != 1)
		goto out;
	if (X509_sign(c, key, EVP_sha256()) <= 0)
		goto out;
	out->alg = alg == ATTESTD_ALG_ES256 ? ATTESTD_ALG_ES256 : ATTESTD_ALG_RS256;
	out->pkey = key;
	out->cert = c;
	key = NULL;
	c = NULL;
	out->key_pem = pem_key(out->pkey);
	out->cert_pem = pem_cert(out->cert);
	r = out->key_pem && out->cert_pem ? key_finish(out) : CELLA_ERR_OUT_OF_MEMORY;
	if (r != CELLA_OK)
		attestd_key_fini(out);
out:
	X509_EXTENSION_free(ext);
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(c);
	EVP_PKEY_free(key);
	return r;
}

cella_result attestd_key_load(const char *key_pem, const char *cert_pem, struct attestd_key *out)
{
	BIO *kb = BIO_new_mem_buf(key_pem, -1), *cb = BIO_new_mem_buf(cert_pem, -1);
	cella_result r = CELLA_ERR_BAD_FORMAT;
	memset(out, 0, sizeof(*out));
	if (!kb || !cb)
		goto out;
	out->pkey = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
	out->cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
	if (!out->pkey || !out->cert || X509_check_private_key(out->cert, out->pkey) != 1)
		goto fail;
	out->alg = EVP_PKEY_is_a(out->pkey, "EC") ? ATTESTD_ALG_ES256 : ATTESTD_ALG_RS256;
	out->key_pem = strdup(key_pem);
	out->cert_pem = strdup(cert_pem);
	r = out->key_pem && out->cert_pem ? key_finish(out) : CELLA_ERR_OUT_OF_MEMORY;
	if (r == CELLA_OK)
		goto out;
fail:
	attestd_key_fini(out);
out:
	BIO_free(kb);
	BIO_free(cb);
	return r;
}

void attestd_key_fini(struct attestd_key *k)
{
	EVP_PKEY_free(k->pkey);
	X509_free(k->cert);
	free(k->x5c);
	if (k->key_pem) {
		OPENSSL_cleanse(k->key_pem, strlen(k->key_pem));
		free(k->key_pem);
	}
	free(k->cert_pem);
	memset(k, 0, sizeof(*k));
}

/* ECDSA DER signature -> JWS r||s (RFC 7518 §3.4). */
static bool ecdsa_der_to_raw(const uint8_t *der, size_t len, uint8_t out[64])
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *ss;
	bool ok;
	if (!s)
		return false;
	ECDSA_SIG_get0(s, &r, &ss);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(ss, out + 32, 32) == 32;
	ECDSA_SIG_free(s);
	return ok;
}

static int ecdsa_raw_to_der(const uint8_t *raw, uint8_t *der, size_t cap)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL), *ss = BN_bin2bn(raw + 32, 32, NULL);
	unsigned char *p = der;
	int n = -1;
	if (s && r && ss && ECDSA_SIG_set0(s, r, ss) == 1) {
		r = ss = NULL;
		if (i2d_ECDSA_SIG(s, NULL) <= (int)cap)
			n = i2d_ECDSA_SIG(s, &p);
	}
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	return n;
}

char *attestd_jws_sign(const struct attestd_key *key, const char *jku, json_t *payload)
{
	json_t *h = json_object();
	char *hs = NULL, *ps = NULL, *hb = NULL, *pb = NULL, *sb = NULL, *out = NULL;
	uint8_t sig[512], raw[64];
	size_t slen = sizeof(sig), hl, pl, sl;
	EVP_MD_CTX *md = NULL;

	if (!h)
		return NULL;
	json_object_set_new(h, "alg", json_string(key ? attestd_alg_name(key->alg) : "none"));
	if (key) {
		if (jku)
			json_object_set_new(h, "jku", json_string(jku));
		json_object_set_new(h, "kid", json_string(key->kid));
		json_object_set_new(h, "typ", json_string("JWT"));
	}
	hs = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
	ps = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	if (!hs || !ps)
		goto out;
	hb = attestd_b64_encode(hs, strlen(hs), true);
	pb = attestd_b64_encode(ps, strlen(ps), true);
	if (!hb || !pb)
		goto out;
	hl = strlen(hb);
	pl = strlen(pb);
	if (!(out = malloc(hl + pl + 2 + 700)))
		goto out;
	memcpy(out, hb, hl);
	out[hl] = '.';
	memcpy(out + hl + 1, pb, pl);
	out[hl + 1 + pl] = '.';
	out[hl + pl + 2] = 0;
	if (!key)
		goto out;
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &slen, (const uint8_t *)out, hl + pl + 1) != 1)
		goto fail;
	if (key->alg == ATTESTD_ALG_ES256) {
		if (!ecdsa_der_to_raw(sig, slen, raw))
			goto fail;
		sb = attestd_b64_encode(raw, 64, true);
	} else {
		sb = attestd_b64_encode(sig, slen, true);
	}
	if (!sb || (sl = strlen(sb)) > 699)
		goto fail;
	memcpy(out + hl + pl + 2, sb, sl + 1);
	goto out;
fail:
	free(out);
	out = NULL;
out:
	EVP_MD_CTX_free(md);
	json_decref(h);
	free(hs);
	free(ps);
	free(hb);
	free(pb);
	free(sb);
	return out;
}

static void errf(char err[ATTESTD_ERR_BYTES], const char *msg)
{
	if (err)
		snprintf(err, ATTESTD_ERR_BYTES, "%s", msg);
}

/* A JWS part: base64url without padding (RFC 7515 2), so one signed content has one spelling. */
static cella_result b64url_part(const char *in, size_t len, uint8_t **out, size_t *out_len)
{
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return CELLA_ERR_BAD_FORMAT;
	}
	return attestd_b64_decode(in, len, out, out_len);
}

cella_result attestd_jws_parse(const char *token, size_t len, struct attestd_jws *out, char err[ATTESTD_ERR_BYTES])
{
	const char *d1 = memchr(token, '.', len), *d2;
	uint8_t *hdr = NULL;
	size_t hlen;
	json_t *alg;
	memset(out, 0, sizeof(*out));
	if (!d1 || !(d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token))) ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token))) {
		errf(err, "not a compact JWS (three base64url parts separated by '.')");
		return CELLA_ERR_BAD_FORMAT;
	}
	if (b64url_part(token, (size_t)(d1 - token), &hdr, &hlen) != CELLA_OK ||
	    b64url_part(d1 + 1, (size_t)(d2 - d1 - 1), &out->payload, &out->payload_len) != CELLA_OK ||
	    b64url_part(d2 + 1, len - (size_t)(d2 + 1 - token), &out->sig, &out->sig_len) != CELLA_OK) {
		free(hdr);
		attestd_jws_fini(out);
		errf(err, "JWS part is not base64url without padding");
		return CELLA_ERR_BAD_FORMAT;
	}
	out->header = json_loadb((const char *)hdr, hlen, JSON_REJECT_DUPLICATES, NULL);
	free(hdr);
	alg = json_object_get(out->header, "alg");
	if (!json_is_object(out->header) || !json_is_string(alg)) {
		attestd_jws_fini(out);
		errf(err, "JWS header is not a JSON object with \"alg\"");
		return CELLA_ERR_BAD_FORMAT;
	}
	/* RFC 7515 4.1.11: extensions listed in crit must be understood, and none is here; b64 (RFC 7797) would
	 * change which bytes the signature covers */
	if (json_object_get(out->header, "crit") || json_object_get(out->header, "b64")) {
		attestd_jws_fini(out);
		errf(err, "JWS header extensions (crit, b64) are not supported");
		return CELLA_ERR_UNSUPPORTED;
	}
	if (strcmp(json_string_value(alg), "none") == 0)
		out->alg = ATTESTD_ALG_NONE;
	else if ((out->alg = attestd_alg_parse(json_string_value(alg))) == ATTESTD_ALG_NONE) {
		attestd_jws_fini(out);
		errf(err, "JWS algorithm not supported (none, RS256, ES256)");
		return CELLA_ERR_UNSUPPORTED;
	}
	if (out->alg == ATTESTD_ALG_NONE && out->sig_len != 0) {
		attestd_jws_fini(out);
		errf(err, "unsecured JWS (alg none) must have an empty signature");
		return CELLA_ERR_BAD_FORMAT;
	}
	out->signed_len = (size_t)(d2 - token);
	return CELLA_OK;
}

void attestd_jws_fini(struct attestd_jws *j)
{
	json_decref(j->header);
	free(j->payload);
	free(j->sig);
	memset(j, 0, sizeof(*j));
}

/* Verifies j (alg ES256 or RS256) with pk: the algorithm must be the key's (ES256 on P-256). */
/* An EC key on P-256 (OpenSSL's prime256v1). */
static bool is_p256(EVP_PKEY *pk)
{
	char curve[32] = "";
	return EVP_PKEY_is_a(pk, "EC") &&
	       EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), NULL) == 1 &&
	       strcmp(curve, "prime256v1") == 0;
}

static cella_result verify_with(const char *token, const struct attestd_jws *j, EVP_PKEY *pk, const char *what,
				char err[ATTESTD_ERR_BYTES])
{
	uint8_t derbuf[160];
	const uint8_t *sig = j->sig;
	size_t slen = j->sig_len;
	EVP_MD_CTX *md = NULL;
	cella_result r = CELLA_ERR_UNSUPPORTED;
	if ((j->alg == ATTESTD_ALG_RS256) != (EVP_PKEY_is_a(pk, "RSA") == 1)) {
		if (err)
			snprintf(err, ATTESTD_ERR_BYTES, "the JWS algorithm does not match the %s's key", what);
		return r;
	}
	if (j->alg == ATTESTD_ALG_ES256) {
		int n;
		/* ES256 is ECDSA on P-256 with SHA-256 (RFC 7518 3.4): a key on another curve is not an ES256 key */
		if (!is_p256(pk)) {
			if (err)
				snprintf(err, ATTESTD_ERR_BYTES, "the JWS says ES256 but the %s's key is not on P-256", what);
			return r;
		}
		if (slen != 64 || (n = ecdsa_raw_to_der(j->sig, derbuf, sizeof(derbuf))) <= 0) {
			errf(err, "ES256 signature must be 64 bytes r||s");
			return CELLA_ERR_SIGNATURE;
		}
		sig = derbuf;
		slen = (size_t)n;
	}
	r = CELLA_ERR_SIGNATURE;
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) != 1 ||
	    EVP_DigestVerify(md, sig, slen, (const uint8_t *)token, j->signed_len) != 1) {
		if (err)
			snprintf(err, ATTESTD_ERR_BYTES, "the JWS signature does not verify with its %s", what);
	} else {
		r = CELLA_OK;
	}
	EVP_MD_CTX_free(md);
	return r;
}

cella_result attestd_jws_verify_x5c(const char *token, const struct attestd_jws *j, void **cert_out,
				    char err[ATTESTD_ERR_BYTES])
{
	json_t *x5c = json_object_get(j->header, "x5c");
	uint8_t *der = NULL;
	size_t dlen;
	const unsigned char *p;
	X509 *cert = NULL;
	EVP_PKEY *pk = NULL;
	cella_result r = CELLA_ERR_CERT_CHAIN;

	if (cert_out)
		*cert_out = NULL;
	if (j->alg == ATTESTD_ALG_NONE) {
		errf(err, "the JWS is not signed");
		return CELLA_ERR_SIGNATURE;
	}
	if (!json_is_array(x5c) || !json_is_string(json_array_get(x5c, 0)) ||
	    attestd_b64_decode(json_string_value(json_array_get(x5c, 0)), json_string_length(json_array_get(x5c, 0)),
			       &der, &dlen) != CELLA_OK) {
		errf(err, "the JWS header has no usable x5c certificate");
		goto out;
	}
	p = der;
	if (!(cert = d2i_X509(NULL, &p, (long)dlen)) || p != der + dlen || !(pk = X509_get_pubkey(cert))) {
		errf(err, "the JWS header's x5c[0] is not a certificate");
		goto out;
	}
	r = verify_with(token, j, pk, "x5c certificate", err);
	if (r == CELLA_OK && cert_out) {
		*cert_out = cert;
		cert = NULL;
	}
out:
	EVP_PKEY_free(pk);
	X509_free(cert);
	free(der);
	return r;
}

/* A big number from a base64url JWK member into the parameter builder; false when absent or malformed. */
static bool jwk_param(OSSL_PARAM_BLD *bld, const char *pname, json_t *jwk, const char *member, BIGNUM **keep)
{
	json_t *v = json_object_get(jwk, member);
	uint8_t *b = NULL;
	size_t n = 0;
	if (!json_is_string(v) || attestd_b64_decode(json_string_value(v), json_string_length(v), &b, &n) != CELLA_OK ||
	    n == 0 || n > 1024 || !(*keep = BN_bin2bn(b, (int)n, NULL))) {
		free(b);
		return false;
	}
	free(b);
	return OSSL_PARAM_BLD_push_BN(bld, pname, *keep) == 1;
}

/* The public key of a JWK header member (RSA n, e; EC P-256 x, y), or NULL. */
static EVP_PKEY *jwk_pkey(json_t *jwk)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	uint8_t pt[65], *x = NULL, *y = NULL;
	size_t xl = 0, yl = 0;
	bool ok = false;
	if (!bld || !kty)
		goto out;
	if (strcmp(kty, "RSA") == 0) {
		ok = jwk_param(bld, OSSL_PKEY_PARAM_RSA_N, jwk, "n", &n) && jwk_param(bld, OSSL_PKEY_PARAM_RSA_E, jwk, "e", &e);
		ctx = ok ? EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL) : NULL;
	} else if (strcmp(kty, "EC") == 0) {
		json_t *jx = json_object_get(jwk, "x"), *jy = json_object_get(jwk, "y");
		ok = json_is_string(json_object_get(jwk, "crv")) &&
		     strcmp(json_string_value(json_object_get(jwk, "crv")), "P-256") == 0 && json_is_string(jx) &&
		     json_is_string(jy) &&
		     attestd_b64_decode(json_string_value(jx), json_string_length(jx), &x, &xl) == CELLA_OK &&
		     attestd_b64_decode(json_string_value(jy), json_string_length(jy), &y, &yl) == CELLA_OK && xl == 32 &&
		     yl == 32;
		if (ok) {
			pt[0] = 4;
			memcpy(pt + 1, x, 32);
			memcpy(pt + 33, y, 32);
			ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
			     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)) == 1;
		}
		ctx = ok ? EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL) : NULL;
	}
	if (!ok || !ctx || !(params = OSSL_PARAM_BLD_to_param(bld)) || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	free(x);
	free(y);
	return pk;
}

cella_result attestd_jws_verify_key(const char *token, const struct attestd_jws *j, void **pkey_out, void **cert_out,
				    char err[ATTESTD_ERR_BYTES])
{
	json_t *jwk = json_object_get(j->header, "jwk");
	X509 *cert = NULL;
	EVP_PKEY *pk;
	cella_result r;
	*pkey_out = NULL;
	*cert_out = NULL;
	if (j->alg == ATTESTD_ALG_NONE) {
		errf(err, "the JWS is not signed");
		return CELLA_ERR_SIGNATURE;
	}
	if (json_object_get(j->header, "x5c") || !jwk) {
		if ((r = attestd_jws_verify_x5c(token, j, (void **)&cert, err)) != CELLA_OK)
			return r;
		if (!(pk = X509_get_pubkey(cert))) {
			X509_free(cert);
			return CELLA_ERR_OUT_OF_MEMORY;
		}
		*pkey_out = pk;
		*cert_out = cert;
		return CELLA_OK;
	}
	if (!json_is_object(jwk) || !(pk = jwk_pkey(jwk))) {
		errf(err, "the JWS header's jwk is not an RSA or P-256 public key (kty, n, e or crv, x, y)");
		return CELLA_ERR_CERT_CHAIN;
	}
	if ((r = verify_with(token, j, pk, "jwk", err)) != CELLA_OK) {
		EVP_PKEY_free(pk);
		return r;
	}
	*pkey_out = pk;
	return CELLA_OK;
}

/* base64url of a big number, big-endian in `width` bytes (0: its minimal length), into obj[name]. */
static bool jwk_bn(json_t *obj, const char *name, const BIGNUM *bn, int width)
{
	unsigned char buf[1024];
	int n = width ? width : BN_num_bytes(bn);
	char *b;
	if (n <= 0 || n > (int)sizeof(buf) || BN_bn2binpad(bn, buf, n) != n)
		return false;
	b = attestd_b64_encode(buf, (size_t)n, true);
	if (!b || json_object_set_new(obj, name, json_string(b)) != 0) {
		free(b);
		return false;
	}
	free(b);
	return true;
}

json_t *attestd_pkey_jwk(void *pkey)
{
	EVP_PKEY *pk = pkey;
	BIGNUM *a = NULL, *b = NULL;
	json_t *j = json_object();
	bool ok = false;
	if (!j || !pk)
		goto out;
	if (EVP_PKEY_is_a(pk, "EC")) {
		/* RFC 7518 6.2.1: crv, and x and y each the full size of a field element */
		ok = is_p256(pk) && EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &a) == 1 &&
		     EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &b) == 1 &&
		     json_object_set_new(j, "kty", json_string("EC")) == 0 &&
		     json_object_set_new(j, "crv", json_string("P-256")) == 0 && jwk_bn(j, "x", a, 32) &&
		     jwk_bn(j, "y", b, 32);
	} else if (EVP_PKEY_is_a(pk, "RSA")) {
		/* RFC 7518 6.3.1: n and e, unsigned big-endian without leading zeros */
		ok = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &a) == 1 &&
		     EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &b) == 1 &&
		     json_object_set_new(j, "kty", json_string("RSA")) == 0 && jwk_bn(j, "n", a, 0) && jwk_bn(j, "e", b, 0);
	}
out:
	BN_free(a);
	BN_free(b);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *attestd_cert_jwk(void *cert)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);
	json_t *j;
	char *b;
	if (n <= 0)
		return NULL;
	b = attestd_b64_encode(der, (size_t)n, false);
	OPENSSL_free(der);
	j = b ? attestd_pkey_jwk(X509_get0_pubkey(cert)) : NULL;
	if (j && json_object_set_new(j, "x5c", json_pack("[s]", b)) != 0) {
		json_decref(j);
		j = NULL;
	}
	free(b);
	return j;
}
