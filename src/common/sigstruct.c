// SPDX-License-Identifier: MIT
/* SIGSTRUCT (Intel SDM 38.13): construction, RSA-3072/e=3 signing through OpenSSL 3, EINIT checks. */
#include "sigstruct.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>

#define MOD_BYTES CELLA_SGX_MODULUS_BYTES
#define MOD_BITS (8 * MOD_BYTES)

static const uint8_t header_const[12] = CELLA_SIGSTRUCT_HEADER_INIT;
static const uint8_t header2_const[16] = CELLA_SIGSTRUCT_HEADER2_INIT;

/* DER prefix of DigestInfo{sha256, NULL, OCTET STRING(32)} (RFC 8017 9.2, note 1). */
static const uint8_t sha256_digest_info[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

/*
 * The well-known debug key: generated once with `openssl genrsa -3 3072` for Cella. Its MRSIGNER identifies
 * "signed at load time in debug mode"; policies must never trust it.
 */
static const char debug_key_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIG/QIBADANBgkqhkiG9w0BAQEFAASCBucwggbjAgEAAoIBgQCfZojkaZRWwgkj\n"
	"yR0IDOu2iDXNWHcXbCrv7/t1oMqLgQ0zmKGKsja3aM3Bk6gX0Vo9pKRUz1rTKZjg\n"
	"zXpx6/iwHUw37hudAjq7pdQ1g3/QszewFSF0ouKl7VIvzCWicVCvWqzKpqn/COVq\n"
	"5BU3eO7c45OxFX846coeQglMJU71eCXcB2Z7ZpiWah+MItOteY7Pzl+VU4UOptYZ\n"
	"1CYRwxKt1jgdvBT32i60dOujJr3S12fxxk3VGc5d8SBxXn4r9ayJOdx5WZNRkgJi\n"
	"Um4HmuQblLf09LnZUr6uevsmfJdXqS5i2ThhQA49koqN1CkcGHKpQ0atRgarVfbd\n"
	"o1WWcQPq6KXKefY0NZwi17Wm+B4zLF4rZ6WiiruoEzLQLOVdF6448XbcB+uvmRTo\n"
	"ihJVYpIvEJjWlIvIhxOv61umAQu4+5f7gmUpgG9CLnnW2Z5xEZKU7Q0Uyu44MF/M\n"
	"hBk4Tyk62ya/0kZz4WOg3xIZFnqiUP1aCrTbx43SM+tuwoGhUfsCAQMCggGAakRb\n"
	"QvENjywGF9tosAidJFrOiOWkukgcn/VSTmsxslYIzRBrscwkekXegQ0auouRfm3C\n"
	"4zTnN3EQld5RoUf7IBOIJUlnvgF8fRk4I6z/4Hd6dWNroxdBw/OMH91ubEuLH5HI\n"
	"hxnGqgXuR0K4z6X0k0Jidg5U0JvcFCwGMsOJ+PrD6ATu/O8QZEa/ssHic6ZfNTQ/\n"
	"uOJYtG85Zo1utoIMc+QlaSgN+pF0eE3ybMR+jI+aoS7ejhE0PqDAS5RUHU5x+MLo\n"
	"9760fKGqT5tX2UgHtgTNiDq2V0GXixM5P3serRy1w3nFH2amW3LbwrPLrGD7/KEe\n"
	"KLcWVQtbSYhly1SNxv2StoxQ44LcPV+fBajp7UKV1OYkeZpFdH7+5+Piz+vXklxo\n"
	"va7y3jofozUR2oWloPiQRdmTFmm8W+XX5PV38pniZ1r/5iyi5R2biZnLXfnA2tG1\n"
	"JOIxgEqF2ria/CHOirPHYPDqGYU0hlBkVtQ3ftGRjhLLNFAcgxzVAF3AmMpbAoHB\n"
	"AM3XLDZzX2D5ecEr3Z4CCbEiE757eg1Boy9wtKenY+8Zn8L9/EQRoQNiqdmBL5h9\n"
	"HTA57E2tWkiX0DCmoglwdfGWULbxpKI8FuDrqCsO/0ubh54UiOnipR1DW+WfvpmW\n"
	"M7E7IyT+KlFhV44uG2rj2OL2FCR72ih+h10agUC5oun/d2jEoj+5zeMRQbi6J1OG\n"
	"rq+c39dpSJSzc8gLwPcDQ10SNLK1GJMm4XnPcy96FrH1fuwdudQWjg22P9f0Ynpt\n"
	"hwKBwQDGPlLPSCU1pgkpvYyjrM7Za2/qIS5JLrgubXCfnIVk5H36pJRuFHOxA5cQ\n"
	"RUgBCdt+F60ihgrjLR2+sBrcAblO1fkBtdg8tTrl3J7za8ADrPXN+eYCQK5cEViO\n"
	"t1KLn7csK7aag1UQ4I3ljFwitkDapaxJUlT+afHI+BaN1zTjFUz3tUMQg60HcM7P\n"
	"uMYQlEKdFZ2GDltjDSM8Y2/HGTANu0b7s866crNdlwhnXhCyISQY0Mo5ONT/0mwW\n"
	"QX5BtO0CgcEAiTodeaI/lfumgMfpFAFby2wNKaems4EXdPXNxRpCn2Zqgf6oLWEW\n"
	"AkHGkQDKZai+ICadiR48MGU1dcRsBkr5S7mLJKEYbCgPQJ0ax19U3RJaaWMF8UHD\n"
	"aNeSmRUpu7l3y3zCGKlxi5Y6XslnnJfl7KQNbafmxamvk2cA1dEXRqpPmy3Bf9Ez\n"
	"7LYr0HwaN68fH73qj5uFuHeihV0rT1eCPgwjIc4QYhnrpopMylFkdqOp8r574rm0\n"
	"CSQqj/hBpvOvAoHBAIQpjIowGM5usMZ+XcJzNJDySpwWHtt0esmeSxUTA5iYU/xt\n"
	"uEli98tXugrY2qtb56llHhcEB0IeE9R1Zz1We4nj+1Z5OtMjfJk9v0zygAJzTolR\n"
	"RAGAdD1g5bR6Nwe/z3LHzxGs42CVs+5dksHO1ecZHYY241RGoTClZF6PeJdjiKUj\n"
	"ggsCc1pLNIp7LrW4LGi5E660POyzbNLs9S9mIAknhKfNNHxMd5O6BZo+tcwWGBCL\n"
	"MXt7OKqMSA7WVCvN8wKBwQDE1tDkaQ/sFH6SmqlnK0IKK1mkXSsNY3QZTfMBe7OD\n"
	"eiRC1iflDYxh6jiXzejvyFfqP5tJ8u05ujYDUQwrkNPJvBiMEX6FYfvofMN04tt7\n"
	"yUaZOvg7nlDh4ZfS15G3U1MtG7XR8Xkylmgnrr6wYe53S9KeB+AYA1YjhEuJldHZ\n"
	"19kZhLlTRtEe8vBcZFnTfe+jo2CrA0Oyuu4OXO3PsVy2I32J4rkqsFKpdlVFL1zL\n"
	"5PbdDKZOQrLn+qWuKpxL7iU=\n"
	"-----END PRIVATE KEY-----\n"
	;

static void set_detail(const char **detail, const char *what)
{
	if (detail)
		*detail = what;
}

/* Equality of public byte strings without memcmp (tools/ and loaders are grepped for it). */
static bool bytes_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= x[i] ^ y[i];
	return acc == 0;
}

static bool bytes_zero(const void *a, size_t n)
{
	const uint8_t *x = a;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= x[i];
	return acc == 0;
}

/* Days in `month` (1..12) of the proleptic Gregorian `year`. */
static unsigned days_in_month(unsigned year, unsigned month)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[month - 1] + (month == 2 && leap);
}

/* see sigstruct.h */
cella_result cella_sigstruct_date(unsigned year, unsigned month, unsigned day, uint32_t *out)
{
	/* DATE holds four BCD year digits: a fifth would be dropped, so a date past 9999 is refused, never cut */
	if (year < CELLA_SIGSTRUCT_MIN_YEAR || year > CELLA_SIGSTRUCT_MAX_YEAR || month < 1 || month > 12 ||
	    day < 1 || day > days_in_month(year, month))
		return CELLA_ERR_INVALID_ARG;
	unsigned digits[8] = {year / 1000 % 10, year / 100 % 10, year / 10 % 10, year % 10,
			      month / 10 % 10,  month % 10,      day / 10 % 10,  day % 10};
	uint32_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 4 | digits[i];
	*out = v;
	return CELLA_OK;
}

/* see sigstruct.h */
void cella_sigstruct_init(const struct cella_abi_properties *p, const struct cella_hash *mrenclave,
			  uint32_t date_bcd, struct cella_sgx_sigstruct *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->header, header_const, sizeof(s->header));
	s->type = 0;
	s->vendor = 0;
	s->date = date_bcd;
	memcpy(s->header2, header2_const, sizeof(s->header2));
	s->swdefined = 0;
	s->exponent = 0; /* set with the key */
	s->misc_select = p->misc_select;
	s->misc_mask = p->misc_mask ? p->misc_mask : 0xffffffffu;
	memcpy(s->isv_family_id, p->isv_family_id, sizeof(s->isv_family_id));
	s->attributes.flags = p->attributes;
	s->attributes.xfrm = p->xfrm ? p->xfrm : CELLA_SIGSTRUCT_XFRM_LEGACY;
	/* EINIT compares only the bits under ATTRIBUTEMASK: a requested bit left out of it would let the host
	 * ECREATE without it (KSS off: ISVEXTPRODID drops out of key derivation; only a nonzero ISVFAMILYID makes
	 * EINIT itself refuse), so those are forced in */
	s->attribute_mask.flags =
		(p->attributes_mask ? p->attributes_mask : ~0ull) | (p->attributes & CELLA_SIGSTRUCT_ENFORCED_FLAGS);
	s->attribute_mask.xfrm = p->xfrm_mask ? p->xfrm_mask : (p->xfrm ? ~0ull : CELLA_SIGSTRUCT_XFRM_LEGACY);
	memcpy(s->enclave_hash, mrenclave->b, sizeof(s->enclave_hash));
	memcpy(s->isv_ext_prod_id, p->isv_ext_prod_id, sizeof(s->isv_ext_prod_id));
	s->isv_prod_id = p->isv_prod_id;
	s->isv_svn = p->isv_svn;
}

/* see sigstruct.h */
void cella_sigstruct_signed_data(const struct cella_sgx_sigstruct *s, uint8_t out[CELLA_SIGSTRUCT_SIGNED_BYTES])
{
	const uint8_t *b = (const uint8_t *)s;
	memcpy(out, b + CELLA_SIGSTRUCT_HEADER_OFFSET, CELLA_SIGSTRUCT_HEADER_BYTES);
	memcpy(out + CELLA_SIGSTRUCT_HEADER_BYTES, b + CELLA_SIGSTRUCT_BODY_OFFSET, CELLA_SIGSTRUCT_BODY_BYTES);
}

/* see sigstruct.h */
bool cella_sigstruct_is_zero(const struct cella_sgx_sigstruct *s)
{
	return bytes_zero(s, sizeof(*s));
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1; /* encrypted keys are refused rather than prompting from a library */
}

/* Parses a PEM key: a private key if want_private, else a public key (or the public half of a private one). */
static cella_result load_key(const char *pem, size_t len, bool want_private, EVP_PKEY **out, const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	EVP_PKEY *k = NULL;
	BIO *bio = NULL;

	if (!pem || len == 0 || len > 1u << 20)
		CELLA_FAIL(CELLA_ERR_KEY);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (!k && !want_private) {
		BIO_free(bio);
		bio = BIO_new_mem_buf(pem, (int)len);
		if (!bio)
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		k = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	if (!k) {
		set_detail(detail, want_private ? "cannot read an unencrypted PEM private key"
						: "cannot read a PEM public or private key");
		CELLA_FAIL(CELLA_ERR_KEY);
	}
	*out = k;
	k = NULL;
	r = CELLA_OK;
out:
	ERR_clear_error();
	EVP_PKEY_free(k);
	BIO_free(bio);
	return r;
}

/* RSA, 3072 bits, e = 3; writes the little-endian modulus. */
static cella_result check_key(EVP_PKEY *k, uint8_t modulus_le[MOD_BYTES], const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	BIGNUM *n = NULL, *e = NULL;

	if (!EVP_PKEY_is_a(k, "RSA")) {
		set_detail(detail, "key is not an RSA key");
		CELLA_FAIL(CELLA_ERR_KEY);
	}
	if (EVP_PKEY_get_bits(k) != (int)MOD_BITS) {
		set_detail(detail, "RSA key size is not 3072 bits");
		CELLA_FAIL(CELLA_ERR_KEY);
	}
	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) != 1)
		CELLA_FAIL(CELLA_ERR_CRYPTO);
	if (!BN_is_word(e, CELLA_SIGSTRUCT_EXPONENT)) {
		set_detail(detail, "RSA public exponent is not 3");
		CELLA_FAIL(CELLA_ERR_KEY);
	}
	if (BN_num_bits(n) != (int)MOD_BITS || BN_bn2lebinpad(n, modulus_le, MOD_BYTES) != (int)MOD_BYTES)
		CELLA_FAIL(CELLA_ERR_KEY);
	r = CELLA_OK;
out:
	ERR_clear_error();
	BN_free(n);
	BN_free(e);
	return r;
}

/* Q1 = floor(S^2 / M), Q2 = floor((S^3 - Q1 * S * M) / M) = floor(S * (S^2 mod M) / M), little-endian. */
static cella_result compute_q(const uint8_t mod_le[MOD_BYTES], const uint8_t sig_le[MOD_BYTES],
			      uint8_t q1_le[MOD_BYTES], uint8_t q2_le[MOD_BYTES])
{
	cella_result r = CELLA_ERR_CRYPTO;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *m = BN_lebin2bn(mod_le, MOD_BYTES, NULL), *s = BN_lebin2bn(sig_le, MOD_BYTES, NULL);
	BIGNUM *s2 = BN_new(), *q1 = BN_new(), *rem = BN_new(), *t = BN_new(), *q2 = BN_new();

	if (!ctx || !m || !s || !s2 || !q1 || !rem || !t || !q2)
		goto out;
	if (BN_is_zero(m) || BN_cmp(s, m) >= 0) {
		r = CELLA_ERR_SIGNATURE;
		goto out;
	}
	if (!BN_sqr(s2, s, ctx) || !BN_div(q1, rem, s2, m, ctx) || !BN_mul(t, s, rem, ctx) ||
	    !BN_div(q2, NULL, t, m, ctx))
		goto out;
	/* s < m, so s^2 / m < m and s * (s^2 mod m) / m < m: both fit in 384 bytes */
	if (BN_bn2lebinpad(q1, q1_le, MOD_BYTES) != (int)MOD_BYTES ||
	    BN_bn2lebinpad(q2, q2_le, MOD_BYTES) != (int)MOD_BYTES)
		goto out;
	r = CELLA_OK;
out:
	ERR_clear_error();
	BN_CTX_free(ctx);
	BN_free(m);
	BN_free(s);
	BN_free(s2);
	BN_free(q1);
	BN_free(rem);
	BN_free(t);
	BN_free(q2);
	return r;
}

/* see sigstruct.h */
cella_result cella_sigstruct_verify(const struct cella_sgx_sigstruct *s, const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	uint8_t msg[CELLA_SIGSTRUCT_SIGNED_BYTES], em[MOD_BYTES], want[MOD_BYTES], q1[MOD_BYTES], q2[MOD_BYTES];
	unsigned int hlen = 0;
	BN_CTX *ctx = NULL;
	BIGNUM *m = NULL, *sg = NULL, *e = NULL, *v = NULL;

	if (!s)
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	if (!bytes_equal(s->header, header_const, sizeof(header_const)) ||
	    !bytes_equal(s->header2, header2_const, sizeof(header2_const))) {
		set_detail(detail, "SIGSTRUCT HEADER or HEADER2 is not the architectural constant");
		CELLA_FAIL(CELLA_ERR_SIGSTRUCT);
	}
	if ((s->type & ~CELLA_SIGSTRUCT_TYPE_DEBUG) != 0 || (s->vendor != 0 && s->vendor != CELLA_SIGSTRUCT_VENDOR_INTEL)) {
		set_detail(detail, "SIGSTRUCT TYPE or VENDOR has an invalid value");
		CELLA_FAIL(CELLA_ERR_SIGSTRUCT);
	}
	if (s->exponent != CELLA_SIGSTRUCT_EXPONENT) {
		set_detail(detail, "SIGSTRUCT EXPONENT is not 3");
		CELLA_FAIL(CELLA_ERR_SIGSTRUCT);
	}
	if (!bytes_zero(s->reserved1, sizeof(s->reserved1)) || !bytes_zero(s->reserved2, sizeof(s->reserved2)) ||
	    !bytes_zero(s->reserved3, sizeof(s->reserved3)) || !bytes_zero(s->reserved4, sizeof(s->reserved4))) {
		set_detail(detail, "SIGSTRUCT reserved bytes are not zero");
		CELLA_FAIL(CELLA_ERR_SIGSTRUCT);
	}
	if ((s->modulus[MOD_BYTES - 1] & 0x80) == 0) {
		set_detail(detail, "SIGSTRUCT MODULUS is not a 3072-bit number");
		CELLA_FAIL(CELLA_ERR_SIGNATURE);
	}

	/* Rebuild the exact EMSA-PKCS1-v1_5 encoding (RFC 8017 9.2) and compare: no padding parser to get wrong. */
	cella_sigstruct_signed_data(s, msg);
	want[0] = 0x00;
	want[1] = 0x01;
	memset(want + 2, 0xff, MOD_BYTES - 3 - sizeof(sha256_digest_info) - 32);
	want[MOD_BYTES - 32 - sizeof(sha256_digest_info) - 1] = 0x00;
	memcpy(want + MOD_BYTES - 32 - sizeof(sha256_digest_info), sha256_digest_info, sizeof(sha256_digest_info));
	if (EVP_Digest(msg, sizeof(msg), want + MOD_BYTES - 32, &hlen, EVP_sha256(), NULL) != 1 || hlen != 32)
		CELLA_FAIL(CELLA_ERR_CRYPTO);

	ctx = BN_CTX_new();
	m = BN_lebin2bn(s->modulus, MOD_BYTES, NULL);
	sg = BN_lebin2bn(s->signature, MOD_BYTES, NULL);
	e = BN_new();
	v = BN_new();
	if (!ctx || !m || !sg || !e || !v || !BN_set_word(e, CELLA_SIGSTRUCT_EXPONENT))
		CELLA_FAIL(CELLA_ERR_CRYPTO);
	if (BN_cmp(sg, m) >= 0) {
		set_detail(detail, "SIGSTRUCT SIGNATURE is not smaller than the modulus");
		CELLA_FAIL(CELLA_ERR_SIGNATURE);
	}
	if (!BN_mod_exp(v, sg, e, m, ctx) || BN_bn2binpad(v, em, MOD_BYTES) != (int)MOD_BYTES)
		CELLA_FAIL(CELLA_ERR_CRYPTO);
	if (!bytes_equal(em, want, MOD_BYTES)) {
		set_detail(detail, "SIGSTRUCT SIGNATURE does not verify with its MODULUS");
		CELLA_FAIL(CELLA_ERR_SIGNATURE);
	}
	CELLA_CHECK(compute_q(s->modulus, s->signature, q1, q2));
	if (!bytes_equal(q1, s->q1, MOD_BYTES) || !bytes_equal(q2, s->q2, MOD_BYTES)) {
		set_detail(detail, "SIGSTRUCT Q1 or Q2 is inconsistent with the signature");
		CELLA_FAIL(CELLA_ERR_SIGNATURE);
	}
	r = CELLA_OK;
out:
	ERR_clear_error();
	BN_CTX_free(ctx);
	BN_free(m);
	BN_free(sg);
	BN_free(e);
	BN_free(v);
	return r;
}

/* Sets the key fields from a big-endian signature, then verifies the whole SIGSTRUCT. */
static cella_result finish(struct cella_sgx_sigstruct *s, const uint8_t modulus_le[MOD_BYTES],
			   const uint8_t sig_be[MOD_BYTES], const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;

	memcpy(s->modulus, modulus_le, MOD_BYTES);
	s->exponent = CELLA_SIGSTRUCT_EXPONENT;
	for (size_t i = 0; i < MOD_BYTES; i++)
		s->signature[i] = sig_be[MOD_BYTES - 1 - i];
	r = compute_q(s->modulus, s->signature, s->q1, s->q2);
	if (r == CELLA_ERR_SIGNATURE)
		set_detail(detail, "signature is not smaller than the modulus");
	CELLA_CHECK(r);
	CELLA_CHECK(cella_sigstruct_verify(s, detail));
out:
	return r;
}

/* see sigstruct.h */
cella_result cella_sigstruct_sign(struct cella_sgx_sigstruct *s, const char *pem, size_t len, const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	uint8_t msg[CELLA_SIGSTRUCT_SIGNED_BYTES], modulus[MOD_BYTES], sig[MOD_BYTES];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *k = NULL;

	if (!s)
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	CELLA_CHECK(load_key(pem, len, true, &k, detail));
	CELLA_CHECK(check_key(k, modulus, detail));
	cella_sigstruct_signed_data(s, msg);
	md = EVP_MD_CTX_new();
	/* RSA keys default to RSASSA-PKCS1-v1_5 padding: what EINIT verifies */
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) != 1 || siglen != MOD_BYTES)
		CELLA_FAIL(CELLA_ERR_CRYPTO);
	CELLA_CHECK(finish(s, modulus, sig, detail));
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k); /* OpenSSL clears the private components when freeing them */
	return r;
}

/* see sigstruct.h */
cella_result cella_sigstruct_attach(struct cella_sgx_sigstruct *s, const char *pem, size_t len,
				    const uint8_t sig_be[CELLA_SGX_MODULUS_BYTES], const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	uint8_t modulus[MOD_BYTES];
	EVP_PKEY *k = NULL;

	if (!s || !sig_be)
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	CELLA_CHECK(load_key(pem, len, false, &k, detail));
	CELLA_CHECK(check_key(k, modulus, detail));
	CELLA_CHECK(finish(s, modulus, sig_be, detail));
out:
	EVP_PKEY_free(k);
	return r;
}

/* see sigstruct.h */
cella_result cella_sigstruct_mrsigner(const struct cella_sgx_sigstruct *s, struct cella_hash *out)
{
	unsigned int n = 0;
	if (!s || !out)
		return CELLA_ERR_INVALID_ARG;
	if (EVP_Digest(s->modulus, sizeof(s->modulus), out->b, &n, EVP_sha256(), NULL) != 1 || n != CELLA_HASH_BYTES)
		return CELLA_ERR_CRYPTO;
	return CELLA_OK;
}

/* see sigstruct.h */
const char *cella_sigstruct_debug_key_pem(void)
{
	return debug_key_pem;
}

/* see sigstruct.h */
cella_result cella_einit_check_diag(const struct cella_image *img, const struct cella_hash *mrenclave,
				    bool debug_requested, struct cella_einit_info *out, const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_einit_info local, *info = &local; /* *out is written only on success */
	struct cella_sgx_sigstruct *s;
	const struct cella_abi_properties *p;
	struct cella_sgx_attributes secs;

	set_detail(detail, NULL);
	if (!img || !mrenclave || !out)
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	p = &img->props;
	memset(info, 0, sizeof(*info));
	s = &info->sigstruct;
	memcpy(s, p->sigstruct, sizeof(*s));

	if (cella_sigstruct_is_zero(s)) {
		if (!(p->attributes & CELLA_ATTR_DEBUG)) {
			set_detail(detail, "image is unsigned and not a debug image");
			CELLA_FAIL(CELLA_ERR_NOT_SIGNED);
		}
		if (!debug_requested) {
			set_detail(detail, "an unsigned debug image can only be created in debug mode");
			CELLA_FAIL(CELLA_ERR_DEBUG_MISMATCH);
		}
		cella_sigstruct_init(p, mrenclave, CELLA_SIGSTRUCT_DEBUG_DATE, s);
		CELLA_CHECK(cella_sigstruct_sign(s, debug_key_pem, sizeof(debug_key_pem) - 1, detail));
		info->debug_signed_at_load = true;
	}
	CELLA_CHECK(cella_sigstruct_verify(s, detail));
	/* SDM Vol. 3D EINIT: a nonzero ISVFAMILYID with SECS.ATTRIBUTES.KSS clear is SGX_INVALID_SIG_STRUCT (checked
	 * before MRENCLAVE). ISVEXTPRODID has no such rule. */
	if (!bytes_zero(s->isv_family_id, sizeof(s->isv_family_id)) && !(p->attributes & CELLA_ATTR_KSS)) {
		set_detail(detail, "SIGSTRUCT ISVFAMILYID is set but the enclave is created without KSS");
		CELLA_FAIL(CELLA_ERR_SIGSTRUCT);
	}
	if (!bytes_equal(s->enclave_hash, mrenclave->b, CELLA_HASH_BYTES)) {
		set_detail(detail, "SIGSTRUCT ENCLAVEHASH differs from the computed MRENCLAVE");
		CELLA_FAIL(CELLA_ERR_MEASUREMENT);
	}
	/*
	 * SECS as EINIT sees it: the image's attributes with DEBUG as requested and INIT clear, since ECREATE refuses
	 * INIT (#GP) and only a successful EINIT sets it; a SIGSTRUCT with INIT under its mask can never pass
	 * (SDM Vol. 3D, ECREATE and EINIT).
	 */
	secs.flags = (p->attributes & ~(CELLA_ATTR_DEBUG | CELLA_ATTR_INIT)) | (debug_requested ? CELLA_ATTR_DEBUG : 0);
	secs.xfrm = p->xfrm ? p->xfrm : CELLA_SIGSTRUCT_XFRM_LEGACY;
	if ((s->attribute_mask.flags & CELLA_ATTR_DEBUG) && ((s->attributes.flags ^ secs.flags) & CELLA_ATTR_DEBUG)) {
		set_detail(detail, debug_requested ? "debug mode requested but the enclave is signed for production"
						   : "production mode requested but the enclave is signed for debug");
		CELLA_FAIL(CELLA_ERR_DEBUG_MISMATCH);
	}
	if (((s->attributes.flags ^ secs.flags) & s->attribute_mask.flags) != 0 ||
	    ((s->attributes.xfrm ^ secs.xfrm) & s->attribute_mask.xfrm) != 0) {
		set_detail(detail, "enclave attributes differ from the signed ATTRIBUTES under ATTRIBUTEMASK");
		CELLA_FAIL(CELLA_ERR_ATTRIBUTES);
	}
	if (((s->misc_select ^ p->misc_select) & s->misc_mask) != 0) {
		set_detail(detail, "MISCSELECT differs from the signed MISCSELECT under MISCMASK");
		CELLA_FAIL(CELLA_ERR_ATTRIBUTES);
	}
	CELLA_CHECK(cella_sigstruct_mrsigner(s, &info->mrsigner));
	info->mrenclave = *mrenclave;
	info->attributes = secs;
	info->misc_select = p->misc_select;
	info->isv_prod_id = s->isv_prod_id;
	info->isv_svn = s->isv_svn;
	memcpy(info->isv_family_id, s->isv_family_id, sizeof(info->isv_family_id));
	memcpy(info->isv_ext_prod_id, s->isv_ext_prod_id, sizeof(info->isv_ext_prod_id));
	info->debug = debug_requested;
	*out = *info;
	r = CELLA_OK;
out:
	return r;
}

/* see sigstruct.h */
cella_result cella_einit_check(const struct cella_image *img, const struct cella_hash *mrenclave,
			       bool debug_requested, struct cella_einit_info *out)
{
	return cella_einit_check_diag(img, mrenclave, debug_requested, out, NULL);
}
