// SPDX-License-Identifier: MIT
/* ECDSA P-256 helpers: raw keys and raw r||s signatures as DCAP encodes them, checked with OpenSSL. */
#include "verify_internal.h"

#include <openssl/core_names.h>
#include <string.h>

/*
 * An EVP_PKEY for a raw P-256 point x||y: a copy of a parameters-only P-256 key, made once, with the point set on
 * it. Setting the point decodes it with EC_POINT_oct2point, which refuses a point that is not on the curve.
 * Building the key from OSSL_PARAMs instead (EVP_PKEY_fromdata) constructs the curve's group again on every call,
 * four times the cost; going through DER and d2i_PUBKEY runs OpenSSL 3's decoder search, twenty times.
 */
static pthread_once_t p256_once = PTHREAD_ONCE_INIT;
static EVP_PKEY *p256_params;

static void p256_init(void)
{
	char group[] = "prime256v1";
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &p256_params, EVP_PKEY_KEY_PARAMETERS, params) != 1)
		p256_params = NULL;
	EVP_PKEY_CTX_free(ctx);
}

EVP_PKEY *cella_vfy_key_from_xy(const uint8_t *xy)
{
	uint8_t point[65];
	EVP_PKEY *key;
	pthread_once(&p256_once, p256_init);
	if (!p256_params || !(key = EVP_PKEY_dup(p256_params)))
		return NULL;
	point[0] = 0x04; /* uncompressed */
	memcpy(point + 1, xy, 64);
	if (EVP_PKEY_set1_encoded_public_key(key, point, sizeof(point)) != 1) {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/* DER INTEGER of a 32-byte big-endian unsigned value; returns bytes written (at most 35). */
static size_t der_uint(uint8_t *out, const uint8_t *v)
{
	size_t skip = 0, n;
	while (skip < 31 && v[skip] == 0)
		skip++;
	n = 32 - skip;
	out[0] = 0x02;
	if (v[skip] & 0x80) {
		out[1] = (uint8_t)(n + 1);
		out[2] = 0;
		memcpy(out + 3, v + skip, n);
		return n + 3;
	}
	out[1] = (uint8_t)n;
	memcpy(out + 2, v + skip, n);
	return n + 2;
}

/*
 * No EVP_PKEY_CTX_set_signature_md: for ECDSA, OpenSSL 3.0's provider uses the digest only to require that the
 * input be its size (ecdsa_verify: tbslen == mdsize), and setting it fetches SHA-256 from the provider store again on
 * every call. The input here is always a 32-byte SHA-256, so the signature is checked the same way either way.
 */
int cella_vfy_ecdsa_verify_digest(EVP_PKEY *key, const uint8_t *digest, const uint8_t *der_sig, size_t der_len)
{
	EVP_PKEY_CTX *ctx;
	int ok;
	if (!key)
		return 0;
	ctx = EVP_PKEY_CTX_new(key, NULL);
	ok = ctx && EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_verify(ctx, der_sig, der_len, digest, 32) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

int cella_vfy_ecdsa_verify_rs(EVP_PKEY *key, const uint8_t *digest, const uint8_t *rs)
{
	uint8_t der[2 + 35 + 35];
	size_t n;
	n = der_uint(der + 2, rs);
	n += der_uint(der + 2 + n, rs + 32);
	der[0] = 0x30;
	der[1] = (uint8_t)n;
	return cella_vfy_ecdsa_verify_digest(key, digest, der, n + 2);
}

int cella_vfy_ecdsa_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig)
{
	uint8_t digest[32];
	return cella_vfy_sha256(msg, len, digest) == 0 && cella_vfy_ecdsa_verify_rs(key, digest, sig);
}

/*
 * SHA-256 fetched once for the process. OpenSSL 3's SHA256() and EVP_sha256() look the algorithm up in the
 * provider store (name lookup under a lock) on every call; a fetched EVP_MD is immutable and may be shared by
 * threads (OpenSSL 3 "Performance" guide: prefer explicit fetching). A verification hashes about twenty times.
 */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void sha256_init(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int cella_vfy_sha256_2(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out)
{
	EVP_MD_CTX *ctx;
	unsigned n = 0;
	int ok;
	pthread_once(&sha256_once, sha256_init);
	if (!sha256_md || !(ctx = EVP_MD_CTX_new()))
		return -1;
	ok = EVP_DigestInit_ex(ctx, sha256_md, NULL) == 1 && EVP_DigestUpdate(ctx, a, alen) == 1 &&
	     EVP_DigestUpdate(ctx, b, blen) == 1 && EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int cella_vfy_sha256(const void *data, size_t len, uint8_t *out)
{
	unsigned n = 0;
	pthread_once(&sha256_once, sha256_init);
	return sha256_md && EVP_Digest(data, len, out, &n, sha256_md, NULL) == 1 && n == 32 ? 0 : -1;
}
