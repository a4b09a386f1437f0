// SPDX-License-Identifier: MIT
/*
 * SIGSTRUCT: field layout by raw byte offsets, the signature and Q1/Q2 checked with OpenSSL calls of the test's
 * own (not sigstruct.c's), key refusals, tampering, and the EINIT debug/production matrix.
 * argv[1]: directory holding the keys generated at build time (see tests/cmake/sign.cmake).
 */
#include "sigstruct.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "cella_test.h"
#include "measure.h"
#include "sign_testelf.h"

#define SIG_OFF 192 /* offset of sigstruct in .cella */

static const char *key_dir;

static char *read_key(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", key_dir, name);
	return (char *)cella_test_read_file(path, len);
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- independent checks (OpenSSL used directly, not through sigstruct.c) ---- */

static EVP_PKEY *pem_key(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	CT_ASSERT(k != NULL);
	return k;
}

/* The key's modulus as 384 little-endian bytes. */
static void key_modulus_le(EVP_PKEY *k, uint8_t out[384])
{
	BIGNUM *n = NULL;
	CT_ASSERT(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) == 1);
	CT_ASSERT(BN_bn2lebinpad(n, out, 384) == 384);
	BN_free(n);
}

/* Verifies SIGNATURE over bytes 0..127 || 900..1027 with EVP_DigestVerify, and Q1/Q2 by the SDM formula. */
static void independent_verify(const uint8_t *raw, EVP_PKEY *k)
{
	uint8_t msg[256], sig_be[384], q[384];
	memcpy(msg, raw, 128);
	memcpy(msg + 128, raw + 900, 128);
	for (int i = 0; i < 384; i++)
		sig_be[i] = raw[516 + 383 - i];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	CT_ASSERT(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1);
	CT_ASSERT(EVP_DigestVerify(md, sig_be, 384, msg, 256) == 1);
	EVP_MD_CTX_free(md);

	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *m = BN_lebin2bn(raw + 128, 384, NULL), *s = BN_lebin2bn(raw + 516, 384, NULL);
	BIGNUM *s2 = BN_new(), *s3 = BN_new(), *q1 = BN_new(), *t = BN_new(), *q2 = BN_new();
	CT_ASSERT(BN_mul(s2, s, s, ctx) && BN_div(q1, NULL, s2, m, ctx));         /* Q1 = floor(S^2 / M) */
	CT_ASSERT(BN_mul(s3, s2, s, ctx) && BN_mul(t, q1, s, ctx) && BN_mul(t, t, m, ctx) &&
		  BN_sub(t, s3, t) && BN_div(q2, NULL, t, m, ctx));                   /* Q2 = floor((S^3 - Q1*S*M) / M) */
	CT_ASSERT(BN_bn2lebinpad(q1, q, 384) == 384);
	CT_EQ_MEM(q, raw + 1040, 384);
	CT_ASSERT(BN_bn2lebinpad(q2, q, 384) == 384);
	CT_EQ_MEM(q, raw + 1424, 384);
	BN_free(m), BN_free(s), BN_free(s2), BN_free(s3), BN_free(q1), BN_free(t), BN_free(q2);
	BN_CTX_free(ctx);
}

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;
	CT_ASSERT(EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32);
}

/* ---- tests ---- */

static void test_fields(void)
{
	struct cella_abi_properties p = {0};
	struct cella_hash h;
	struct cella_sgx_sigstruct s;
	const uint8_t *raw = (const uint8_t *)&s;
	static const uint8_t hdr[12] = {6, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 1, 0};
	static const uint8_t hdr2[16] = {1, 1, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 1, 0, 0, 0};

	for (int i = 0; i < 32; i++)
		h.b[i] = (uint8_t)(0xa0 + i);
	p.isv_prod_id = 0x1234;
	p.isv_svn = 0x5678;
	p.misc_select = 0x11;
	p.misc_mask = 0xfffffffe;
	p.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS;
	p.xfrm = 0xe7;
	p.attributes_mask = 0xfffffffffffffffdull;
	p.xfrm_mask = 0xff;
	for (int i = 0; i < 16; i++)
		p.isv_family_id[i] = (uint8_t)(0x10 + i), p.isv_ext_prod_id[i] = (uint8_t)(0x40 + i);
	uint32_t date = 0;
	CT_RESULT(cella_sigstruct_date(2024, 1, 31, &date), CELLA_OK);
	memset(&s, 0xee, sizeof(s));
	cella_sigstruct_init(&p, &h, date, &s);

	CT_EQ_MEM(raw, hdr, 12);
	CT_EQ(le(raw + 12, 4), 0);          /* TYPE */
	CT_EQ(le(raw + 16, 4), 0);          /* VENDOR */
	CT_EQ(le(raw + 20, 4), 0x20240131); /* DATE */
	CT_EQ_MEM(raw + 24, hdr2, 16);
	CT_EQ(le(raw + 40, 4), 0);          /* SWDEFINED */
	CT_EQ(le(raw + 900, 4), 0x11);      /* MISCSELECT */
	CT_EQ(le(raw + 904, 4), 0xfffffffe);
	for (int i = 0; i < 16; i++) {
		CT_EQ(raw[912 + i], 0x10 + i); /* ISVFAMILYID */
		CT_EQ(raw[1008 + i], 0x40 + i); /* ISVEXTPRODID */
	}
	CT_EQ(le(raw + 928, 8), CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS);
	CT_EQ(le(raw + 936, 8), 0xe7);
	CT_EQ((unsigned long long)le(raw + 944, 8), 0xfffffffffffffffdull);
	CT_EQ(le(raw + 952, 8), 0xff);
	CT_EQ_MEM(raw + 960, h.b, 32);
	CT_EQ(le(raw + 1024, 2), 0x1234);
	CT_EQ(le(raw + 1026, 2), 0x5678);
	/* everything else zero: reserved fields and the key material */
	for (int i = 44; i < 900; i++)
		CT_EQ(raw[i], 0);
	for (int i = 992; i < 1008; i++)
		CT_EQ(raw[i], 0);
	for (int i = 1028; i < 1808; i++)
		CT_EQ(raw[i], 0);

	/* default masks when the properties leave them 0 */
	memset(&p, 0, sizeof(p));
	cella_sigstruct_init(&p, &h, 0, &s);
	CT_EQ(le(raw + 904, 4), 0xffffffff);
	CT_EQ((unsigned long long)le(raw + 944, 8), ~0ull);
	CT_EQ(le(raw + 936, 8), 3);
	CT_EQ(le(raw + 952, 8), 3);
	uint8_t msg[256];
	cella_sigstruct_signed_data(&s, msg);
	CT_EQ_MEM(msg, raw, 128);
	CT_EQ_MEM(msg + 128, raw + 900, 128);
	cella_test_pass("known-answer SIGSTRUCT fields at their SDM byte offsets");
}

/* Requested MODE64BIT and KSS are always under ATTRIBUTEMASK, whatever mask the properties give; bits not
 * requested stay as the signer's mask has them. */
static void test_enforced_mask(void)
{
	struct cella_abi_properties p = {0};
	struct cella_hash h = {{0}};
	struct cella_sgx_sigstruct s;
	const uint8_t *raw = (const uint8_t *)&s;

	p.attributes_mask = 0xffffffffffffff7bull; /* CELLA_ENCLAVE_PROPERTIES' default: without KSS and MODE64BIT */
	p.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS;
	cella_sigstruct_init(&p, &h, 0, &s);
	CT_EQ((unsigned long long)le(raw + 944, 8), 0xffffffffffffffffull);
	CT_EQ(le(raw + 928, 8), CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS);
	p.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG;
	cella_sigstruct_init(&p, &h, 0, &s);
	CT_EQ((unsigned long long)le(raw + 944, 8), 0xffffffffffffff7full); /* MODE64BIT in; KSS not asked for */
	p.attributes_mask = 1; /* an explicit, tiny mask */
	p.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS | CELLA_ATTR_PROVISIONKEY;
	cella_sigstruct_init(&p, &h, 0, &s);
	CT_EQ(le(raw + 944, 8), 1 | CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS);
	cella_test_pass("ATTRIBUTEMASK always covers requested MODE64BIT and KSS");
}

static void test_date(void)
{
	static const struct {
		unsigned y, m, d;
		uint32_t bcd; /* 0: refused */
	} cases[] = {
		{1999, 12, 7, 0x19991207},
		{2024, 2, 29, 0x20240229},  /* leap year */
		{2000, 2, 29, 0x20000229},  /* divisible by 400: leap */
		{1970, 1, 1, 0x19700101},   /* first year accepted */
		{9999, 12, 31, 0x99991231}, /* last day with four year digits */
		{2023, 2, 29, 0},           /* not a leap year */
		{2100, 2, 29, 0},           /* divisible by 100, not 400: not leap */
		{2024, 2, 30, 0},  {2024, 4, 31, 0}, {2024, 6, 31, 0}, {2024, 9, 31, 0}, {2024, 11, 31, 0},
		{2024, 1, 32, 0},  {2024, 1, 0, 0},  {2024, 0, 10, 0}, {2024, 13, 1, 0},
		{1969, 12, 31, 0},          /* before Unix time */
		{10000, 1, 1, 0},           /* would have been truncated to 0x00000101 */
		{0, 1, 1, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t out = 0x5a5a5a5a;
		cella_result r = cella_sigstruct_date(cases[i].y, cases[i].m, cases[i].d, &out);
		uint32_t want = cases[i].bcd ? cases[i].bcd : 0x5a5a5a5a; /* untouched on failure */
		if (r != (cases[i].bcd ? CELLA_OK : CELLA_ERR_INVALID_ARG) || out != want)
			cella_test_fail(__FILE__, __LINE__, "%u-%u-%u: %s, 0x%08x", cases[i].y, cases[i].m, cases[i].d,
					cella_result_name(r), out);
	}
	/* every day of 2024 and 2023 accepted, and nothing past each month's end */
	for (unsigned y = 2023; y <= 2024; y++) {
		unsigned total = 0;
		for (unsigned m = 1; m <= 12; m++)
			for (unsigned d = 1; d <= 31; d++) {
				uint32_t out;
				total += cella_sigstruct_date(y, m, d, &out) == CELLA_OK;
			}
		CT_EQ(total, y == 2024 ? 366 : 365);
	}
	cella_test_pass("DATE: BCD, leap years, impossible days and years outside 1970..9999 refused");
}

static void test_sign_and_verify(void)
{
	struct cella_abi_properties p = {.isv_prod_id = 1, .isv_svn = 2, .attributes = CELLA_ATTR_MODE64BIT};
	struct cella_hash h = {{1, 2, 3}}, mrs;
	struct cella_sgx_sigstruct s, good;
	uint8_t *raw = (uint8_t *)&s, mod[384], want[32];
	size_t len;
	char *pem = read_key("key3072e3.pem", &len);
	const char *detail = NULL;
	EVP_PKEY *k = pem_key(pem, len);

	cella_sigstruct_init(&p, &h, 0x20240101, &s);
	CT_RESULT(cella_sigstruct_sign(&s, pem, len, &detail), CELLA_OK);
	CT_EQ(le(raw + 512, 4), 3);
	key_modulus_le(k, mod);
	CT_EQ_MEM(raw + 128, mod, 384);
	independent_verify(raw, k);
	CT_RESULT(cella_sigstruct_verify(&s, &detail), CELLA_OK);
	CT_RESULT(cella_sigstruct_mrsigner(&s, &mrs), CELLA_OK);
	sha256(mod, 384, want);
	CT_EQ_MEM(mrs.b, want, 32);
	good = s;

	/* tampering, each refused with the error of the part that was hit */
	struct {
		size_t off;
		uint8_t x;
		cella_result want;
	} flips[] = {
		{0, 1, CELLA_ERR_SIGSTRUCT},      {12, 1, CELLA_ERR_SIGSTRUCT},     /* HEADER, TYPE */
		{16, 1, CELLA_ERR_SIGSTRUCT},     {30, 1, CELLA_ERR_SIGSTRUCT},     /* VENDOR, HEADER2 */
		{60, 1, CELLA_ERR_SIGSTRUCT},     {512, 1, CELLA_ERR_SIGSTRUCT},    /* reserved, EXPONENT */
		{1030, 1, CELLA_ERR_SIGSTRUCT},   {20, 1, CELLA_ERR_SIGNATURE},     /* reserved, DATE */
		{128, 1, CELLA_ERR_SIGNATURE},    {700, 1, CELLA_ERR_SIGNATURE},    /* MODULUS, SIGNATURE */
		{899, 0x80, CELLA_ERR_SIGNATURE}, {903, 1, CELLA_ERR_SIGNATURE},    /* SIGNATURE MSB, MISCSELECT */
		{930, 1, CELLA_ERR_SIGNATURE},    {970, 1, CELLA_ERR_SIGNATURE},    /* ATTRIBUTES, ENCLAVEHASH */
		{1026, 1, CELLA_ERR_SIGNATURE},   {1040, 1, CELLA_ERR_SIGNATURE},   /* ISVSVN, Q1 */
		{1807, 1, CELLA_ERR_SIGNATURE},   {511, 0x80, CELLA_ERR_SIGNATURE}, /* Q2, MODULUS top bit */
	};
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		s = good;
		raw[flips[i].off] ^= flips[i].x;
		detail = NULL;
		if (cella_sigstruct_verify(&s, &detail) != flips[i].want)
			cella_test_fail(__FILE__, __LINE__, "flip at %zu: %s, expected %s", flips[i].off,
					cella_result_name(cella_sigstruct_verify(&s, NULL)),
					cella_result_name(flips[i].want));
		CT_ASSERT(detail != NULL);
	}
	/* a signature not below the modulus */
	s = good;
	memset(s.signature, 0xff, sizeof(s.signature));
	CT_RESULT(cella_sigstruct_verify(&s, &detail), CELLA_ERR_SIGNATURE);
	s = good;
	s.vendor = CELLA_SIGSTRUCT_VENDOR_INTEL; /* a valid value, but signed over */
	CT_RESULT(cella_sigstruct_verify(&s, &detail), CELLA_ERR_SIGNATURE);
	s.vendor = 0;
	s.type = CELLA_SIGSTRUCT_TYPE_DEBUG;
	CT_RESULT(cella_sigstruct_verify(&s, &detail), CELLA_ERR_SIGNATURE);
	CT_RESULT(cella_sigstruct_verify(NULL, &detail), CELLA_ERR_INVALID_ARG);

	/* re-signing is deterministic (PKCS#1 v1.5) */
	s = good;
	CT_RESULT(cella_sigstruct_sign(&s, pem, len, NULL), CELLA_OK);
	CT_EQ_MEM(&s, &good, sizeof(s));
	CT_ASSERT(!cella_sigstruct_is_zero(&s));
	memset(&s, 0, sizeof(s));
	CT_ASSERT(cella_sigstruct_is_zero(&s));
	EVP_PKEY_free(k);
	free(pem);
	cella_test_pass("sign, verify independently (EVP + BN), tamper every field");
}

static void test_bad_keys(void)
{
	struct cella_abi_properties p = {0};
	struct cella_hash h = {{0}};
	struct cella_sgx_sigstruct s;
	const char *detail;
	size_t len;
	struct {
		const char *file;
		const char *needle;
	} bad[] = {
		{"key2048e3.pem", "3072"},
		{"key4096e3.pem", "3072"},
		{"key3072e65537.pem", "exponent"},
		{"keyec.pem", "RSA"},
		{"key3072e3.pub.pem", "private key"}, /* sign needs the private key */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *pem = read_key(bad[i].file, &len);
		cella_sigstruct_init(&p, &h, 0, &s);
		detail = NULL;
		CT_RESULT(cella_sigstruct_sign(&s, pem, len, &detail), CELLA_ERR_KEY);
		if (!detail || !strstr(detail, bad[i].needle))
			cella_test_fail(__FILE__, __LINE__, "%s: detail '%s' lacks '%s'", bad[i].file,
					detail ? detail : "(null)", bad[i].needle);
		free(pem);
	}
	CT_RESULT(cella_sigstruct_sign(&s, "garbage", 7, &detail), CELLA_ERR_KEY);
	CT_RESULT(cella_sigstruct_sign(&s, NULL, 0, &detail), CELLA_ERR_KEY);
	CT_RESULT(cella_sigstruct_sign(&s, cella_sigstruct_debug_key_pem(), strlen(cella_sigstruct_debug_key_pem()),
				       &detail),
		  CELLA_OK);
	cella_test_pass("keys of the wrong size, exponent or type refused with a clear message");
}

static void test_attach(void)
{
	struct cella_abi_properties p = {.isv_svn = 9};
	struct cella_hash h = {{9}};
	struct cella_sgx_sigstruct s, direct;
	uint8_t msg[256], sig[384];
	size_t len, plen, slen = sizeof(sig);
	char *pem = read_key("key3072e3.pem", &len), *pub = read_key("key3072e3.pub.pem", &plen);
	EVP_PKEY *k = pem_key(pem, len);
	const char *detail = NULL;

	cella_sigstruct_init(&p, &h, 0x20240202, &s);
	direct = s;
	CT_RESULT(cella_sigstruct_sign(&direct, pem, len, NULL), CELLA_OK);
	/* an "HSM" signature over the exported data */
	cella_sigstruct_signed_data(&s, msg);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	CT_ASSERT(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1);
	CT_ASSERT(EVP_DigestSign(md, sig, &slen, msg, sizeof(msg)) == 1 && slen == 384);
	EVP_MD_CTX_free(md);
	CT_RESULT(cella_sigstruct_attach(&s, pub, plen, sig, &detail), CELLA_OK);
	CT_EQ_MEM(&s, &direct, sizeof(s));
	sig[100] ^= 1;
	cella_sigstruct_init(&p, &h, 0x20240202, &s);
	CT_RESULT(cella_sigstruct_attach(&s, pub, plen, sig, &detail), CELLA_ERR_SIGNATURE);
	sig[100] ^= 1;
	h.b[0] ^= 1; /* signature made for different data */
	cella_sigstruct_init(&p, &h, 0x20240202, &s);
	CT_RESULT(cella_sigstruct_attach(&s, pub, plen, sig, &detail), CELLA_ERR_SIGNATURE);
	memset(sig, 0xff, sizeof(sig)); /* >= modulus */
	CT_RESULT(cella_sigstruct_attach(&s, pub, plen, sig, &detail), CELLA_ERR_SIGNATURE);
	CT_RESULT(cella_sigstruct_attach(&s, "x", 1, sig, &detail), CELLA_ERR_KEY);
	EVP_PKEY_free(k);
	free(pem);
	free(pub);
	cella_test_pass("two-step signing: attach an external signature");
}

/* ---- EINIT rules on whole images ---- */

static void image_mrenclave(const struct testelf *t, struct cella_image *img, struct cella_hash *h)
{
	struct cella_layout l;
	CT_RESULT(cella_image_parse(t->data, t->size, img), CELLA_OK);
	CT_RESULT(cella_layout_build(img, &l), CELLA_OK);
	CT_RESULT(cella_measure(&l, h), CELLA_OK);
	cella_layout_fini(&l);
}

/* Signs t in place (as cella-sign would, minus config handling). */
static void sign_image(struct testelf *t, const char *pem, size_t len, void (*edit)(struct cella_sgx_sigstruct *))
{
	struct cella_image img;
	struct cella_hash h;
	struct cella_sgx_sigstruct s;
	image_mrenclave(t, &img, &h);
	cella_sigstruct_init(&img.props, &h, 0x20240301, &s);
	if (edit)
		edit(&s);
	CT_RESULT(cella_sigstruct_sign(&s, pem, len, NULL), CELLA_OK);
	memcpy(t->data + t->cella_off + SIG_OFF, &s, sizeof(s));
}

static cella_result einit(const struct testelf *t, bool debug, struct cella_einit_info *info)
{
	struct cella_image img;
	struct cella_hash h;
	const char *detail = NULL;
	cella_result r;
	/* MRENCLAVE from the (possibly tampered) image, as the loader computes it */
	r = cella_image_parse(t->data, t->size, &img);
	if (r != CELLA_OK)
		return r;
	image_mrenclave(t, &img, &h);
	r = cella_einit_check_diag(&img, &h, debug, info, &detail);
	CT_ASSERT((r == CELLA_OK) == (detail == NULL));
	return r;
}

static void build(struct testelf *t, bool debug)
{
	struct testelf_opts o;
	testelf_default_opts(&o);
	if (!debug)
		o.props.attributes &= ~CELLA_ATTR_DEBUG;
	testelf_build(&o, t);
}

static void test_einit_matrix(void)
{
	struct testelf t;
	struct cella_einit_info info, again;
	uint8_t mod[384], want[32];
	size_t len;
	char *pem = read_key("key3072e3.pem", &len);
	EVP_PKEY *k = pem_key(pem, len), *dk;

	/* unsigned */
	build(&t, true);
	CT_RESULT(einit(&t, true, &info), CELLA_OK);
	CT_ASSERT(info.debug_signed_at_load && info.debug);
	dk = pem_key(cella_sigstruct_debug_key_pem(), strlen(cella_sigstruct_debug_key_pem()));
	key_modulus_le(dk, mod);
	sha256(mod, 384, want);
	CT_EQ_MEM(info.mrsigner.b, want, 32);
	independent_verify((const uint8_t *)&info.sigstruct, dk); /* a SIGSTRUCT the SGX backend could EINIT */
	CT_EQ(info.attributes.flags & CELLA_ATTR_DEBUG, CELLA_ATTR_DEBUG);
	CT_RESULT(einit(&t, true, &again), CELLA_OK);
	CT_EQ_MEM(&again, &info, sizeof(info)); /* deterministic */
	CT_RESULT(einit(&t, false, &info), CELLA_ERR_DEBUG_MISMATCH);
	testelf_free(&t);
	build(&t, false);
	CT_RESULT(einit(&t, false, &info), CELLA_ERR_NOT_SIGNED);
	CT_RESULT(einit(&t, true, &info), CELLA_ERR_NOT_SIGNED);
	testelf_free(&t);

	/* signed debug image */
	build(&t, true);
	sign_image(&t, pem, len, NULL);
	CT_RESULT(einit(&t, true, &info), CELLA_OK);
	CT_ASSERT(!info.debug_signed_at_load && info.debug);
	key_modulus_le(k, mod);
	sha256(mod, 384, want);
	CT_EQ_MEM(info.mrsigner.b, want, 32);
	CT_EQ(info.isv_prod_id, 7);
	CT_EQ(info.isv_svn, 3);
	CT_EQ(info.attributes.flags, CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG);
	CT_EQ(info.attributes.xfrm, 3);
	CT_RESULT(einit(&t, false, &info), CELLA_ERR_DEBUG_MISMATCH);
	testelf_free(&t);

	/* signed production image */
	build(&t, false);
	sign_image(&t, pem, len, NULL);
	CT_RESULT(einit(&t, false, &info), CELLA_OK);
	CT_ASSERT(!info.debug && !info.debug_signed_at_load);
	CT_EQ(info.attributes.flags, CELLA_ATTR_MODE64BIT);
	CT_RESULT(einit(&t, true, &info), CELLA_ERR_DEBUG_MISMATCH);
	testelf_free(&t);
	EVP_PKEY_free(k);
	EVP_PKEY_free(dk);
	free(pem);
	cella_test_pass("EINIT matrix: unsigned/signed x debug/production image x debug/production request");
}

static void allow_debug(struct cella_sgx_sigstruct *s) { s->attribute_mask.flags &= ~CELLA_ATTR_DEBUG; }
static void want_provision(struct cella_sgx_sigstruct *s) { s->attributes.flags |= CELLA_ATTR_PROVISIONKEY; }
static void want_xfrm(struct cella_sgx_sigstruct *s) { s->attributes.xfrm = 0x7; s->attribute_mask.xfrm = 0x7; }
static void want_misc(struct cella_sgx_sigstruct *s) { s->misc_select = 1; }
static void other_hash(struct cella_sgx_sigstruct *s) { s->enclave_hash[31] ^= 1; }

/* EINIT on an already-parsed image whose properties the test has edited in memory (as a host controls SECS). */
static cella_result einit_img(const struct cella_image *img, const struct cella_hash *h, bool debug)
{
	struct cella_einit_info info;
	const char *detail = NULL;
	cella_result r = cella_einit_check_diag(img, h, debug, &info, &detail);
	CT_ASSERT((r == CELLA_OK) == (detail == NULL));
	return r;
}

/*
 * KSS and MODE64BIT, once signed, must be enforced at EINIT even when the properties' ATTRIBUTEMASK (here
 * CELLA_ENCLAVE_PROPERTIES' default, which leaves both out) does not cover them: a host that creates the
 * enclave without KSS would otherwise drop ISVFAMILYID/ISVEXTPRODID from its keys and still pass EINIT.
 */
static void test_einit_enforced(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_image img;
	struct cella_hash h;
	size_t len;
	char *pem = read_key("key3072e3.pem", &len);

	testelf_default_opts(&o);
	o.props.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS;
	o.props.attributes_mask = 0xffffffffffffff7bull;
	/* ISVEXTPRODID, not ISVFAMILYID: EINIT refuses the latter without KSS before it compares attributes */
	for (int i = 0; i < 16; i++)
		o.props.isv_ext_prod_id[i] = (uint8_t)(0x11 * i);
	testelf_build(&o, &t);
	sign_image(&t, pem, len, NULL);
	image_mrenclave(&t, &img, &h);
	CT_EQ(le(img.props.sigstruct + 944, 8) & (CELLA_ATTR_KSS | CELLA_ATTR_MODE64BIT),
	      CELLA_ATTR_KSS | CELLA_ATTR_MODE64BIT);
	CT_RESULT(einit_img(&img, &h, false), CELLA_OK);
	img.props.attributes &= ~CELLA_ATTR_KSS; /* SECS created without KSS */
	CT_RESULT(einit_img(&img, &h, false), CELLA_ERR_ATTRIBUTES);
	img.props.attributes = CELLA_ATTR_KSS; /* ... or without MODE64BIT */
	CT_RESULT(einit_img(&img, &h, false), CELLA_ERR_ATTRIBUTES);
	testelf_free(&t);
	free(pem);
	cella_test_pass("EINIT: signed KSS and MODE64BIT enforced whatever the properties' mask");
}

static void family_id(struct cella_sgx_sigstruct *s) { s->isv_family_id[3] = 0x5a; }

/*
 * SDM Vol. 3D EINIT: ISVFAMILYID != 0 with SECS.ATTRIBUTES.KSS == 0 is SGX_INVALID_SIG_STRUCT, whatever the
 * attribute masks say. Whether the family ID came from the properties (past the parser, which refuses it) or
 * only from a SIGSTRUCT signed by other means, the check must refuse what EINIT refuses.
 */
static void test_einit_family_without_kss(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_image img;
	struct cella_hash h;
	struct cella_einit_info info;
	const char *detail = NULL;
	size_t len;
	char *pem = read_key("key3072e3.pem", &len);

	/* a SIGSTRUCT with ISVFAMILYID for an image without KSS: masks and attributes agree, EINIT still refuses */
	build(&t, false);
	sign_image(&t, pem, len, family_id);
	image_mrenclave(&t, &img, &h);
	CT_RESULT(cella_einit_check_diag(&img, &h, false, &info, &detail), CELLA_ERR_SIGSTRUCT);
	CT_ASSERT(detail && strstr(detail, "ISVFAMILYID") && strstr(detail, "KSS"));
	/* the same SIGSTRUCT for a SECS with KSS passes this rule and meets the next: KSS was not signed */
	img.props.attributes |= CELLA_ATTR_KSS;
	CT_RESULT(einit_img(&img, &h, false), CELLA_ERR_ATTRIBUTES);
	testelf_free(&t);

	/* properties with a family ID, KSS on: loads; KSS cleared past the parser: refused, signed or debug-signed */
	testelf_default_opts(&o);
	o.props.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS;
	o.props.attributes_mask = 0xffffffffffffff7bull;
	o.props.isv_family_id[0] = 1;
	testelf_build(&o, &t);
	sign_image(&t, pem, len, NULL);
	image_mrenclave(&t, &img, &h);
	CT_RESULT(einit_img(&img, &h, false), CELLA_OK);
	img.props.attributes &= ~CELLA_ATTR_KSS;
	CT_RESULT(einit_img(&img, &h, false), CELLA_ERR_SIGSTRUCT);
	testelf_free(&t);
	o.props.attributes |= CELLA_ATTR_DEBUG;
	testelf_build(&o, &t); /* unsigned debug image: signed with the debug key at load */
	image_mrenclave(&t, &img, &h);
	CT_RESULT(einit_img(&img, &h, true), CELLA_OK);
	img.props.attributes &= ~CELLA_ATTR_KSS;
	CT_RESULT(einit_img(&img, &h, true), CELLA_ERR_SIGSTRUCT);
	testelf_free(&t);
	free(pem);
	cella_test_pass("EINIT: ISVFAMILYID without KSS is SGX_INVALID_SIG_STRUCT (CELLA_ERR_SIGSTRUCT)");
}

/*
 * ECREATE refuses ATTRIBUTES.INIT and only EINIT sets it, so at EINIT the SECS never has INIT: a SIGSTRUCT that
 * asks for INIT under its mask can never load. The check must say so, not compare against INIT=1.
 */
static void test_einit_init_clear(void)
{
	struct testelf t;
	struct cella_image img;
	struct cella_hash h;
	struct cella_sgx_sigstruct s;
	size_t len;
	char *pem = read_key("key3072e3.pem", &len);

	build(&t, false);
	image_mrenclave(&t, &img, &h);
	img.props.attributes |= CELLA_ATTR_INIT; /* past the parser, which refuses it */
	cella_sigstruct_init(&img.props, &h, 0x20240301, &s);
	CT_EQ(s.attributes.flags & CELLA_ATTR_INIT, CELLA_ATTR_INIT);
	CT_RESULT(cella_sigstruct_sign(&s, pem, len, NULL), CELLA_OK);
	memcpy(img.props.sigstruct, &s, sizeof(s));
	CT_RESULT(einit_img(&img, &h, false), CELLA_ERR_ATTRIBUTES);
	/* the same SIGSTRUCT with INIT outside its mask is what hardware accepts */
	s.attribute_mask.flags &= ~CELLA_ATTR_INIT;
	CT_RESULT(cella_sigstruct_sign(&s, pem, len, NULL), CELLA_OK);
	memcpy(img.props.sigstruct, &s, sizeof(s));
	CT_RESULT(einit_img(&img, &h, false), CELLA_OK);
	/* an unsigned debug image asking for INIT gets a debug signature EINIT would refuse: refused too */
	testelf_free(&t);
	build(&t, true);
	image_mrenclave(&t, &img, &h);
	img.props.attributes |= CELLA_ATTR_INIT;
	CT_RESULT(einit_img(&img, &h, true), CELLA_ERR_ATTRIBUTES);
	testelf_free(&t);
	free(pem);
	cella_test_pass("EINIT: the SECS has INIT clear, so a SIGSTRUCT requiring INIT is refused");
}

static void test_einit_rules(void)
{
	struct testelf t;
	struct cella_einit_info info;
	size_t len;
	char *pem = read_key("key3072e3.pem", &len);
	void (*const attr_edits[])(struct cella_sgx_sigstruct *) = {want_provision, want_xfrm, want_misc};

	/* a signer may leave DEBUG out of the mask: then both modes load (what EINIT does) */
	build(&t, false);
	sign_image(&t, pem, len, allow_debug);
	CT_RESULT(einit(&t, true, &info), CELLA_OK);
	CT_RESULT(einit(&t, false, &info), CELLA_OK);
	testelf_free(&t);
	for (size_t i = 0; i < sizeof(attr_edits) / sizeof(attr_edits[0]); i++) {
		build(&t, false);
		sign_image(&t, pem, len, attr_edits[i]);
		CT_RESULT(einit(&t, false, &info), CELLA_ERR_ATTRIBUTES);
		testelf_free(&t);
	}
	build(&t, false);
	sign_image(&t, pem, len, other_hash);
	CT_RESULT(einit(&t, false, &info), CELLA_ERR_MEASUREMENT);
	testelf_free(&t);

	/* tampering with a signed image: code, data, properties, SIGSTRUCT body, SIGSTRUCT header */
	build(&t, false);
	sign_image(&t, pem, len, NULL);
	const struct {
		const char *what;
		size_t off;
		cella_result want;
	} cases[] = {
		{"code", t.text_off + 0x10, CELLA_ERR_MEASUREMENT},
		{"data", t.data_off + 0x10, CELLA_ERR_MEASUREMENT},
		{"properties (isv_prod_id)", t.cella_off + 40, CELLA_ERR_MEASUREMENT},
		{"SIGSTRUCT body (ISVSVN)", t.cella_off + SIG_OFF + 1026, CELLA_ERR_SIGNATURE},
		{"SIGSTRUCT header", t.cella_off + SIG_OFF + 2, CELLA_ERR_SIGSTRUCT},
	};
	CT_RESULT(einit(&t, false, &info), CELLA_OK);
	for (size_t i = 0; i < 5; i++) {
		t.data[cases[i].off] ^= 0x01;
		cella_result r = einit(&t, false, &info);
		if (r != cases[i].want)
			cella_test_fail(__FILE__, __LINE__, "tampered %s: %s, expected %s", cases[i].what,
					cella_result_name(r), cella_result_name(cases[i].want));
		t.data[cases[i].off] ^= 0x01;
	}
	CT_RESULT(einit(&t, false, &info), CELLA_OK);
	testelf_free(&t);

	struct cella_hash h = {{0}};
	CT_RESULT(cella_einit_check(NULL, &h, false, &info), CELLA_ERR_INVALID_ARG);
	free(pem);
	cella_test_pass("EINIT rules: masks, attributes, MISCSELECT, ENCLAVEHASH, tampering");
}

int main(int argc, char **argv)
{
	if (argc != 2)
		cella_test_fail(__FILE__, __LINE__, "usage: sigstruct_test KEY_DIR");
	key_dir = argv[1];
	test_fields();
	test_enforced_mask();
	test_date();
	test_sign_and_verify();
	test_bad_keys();
	test_attach();
	test_einit_matrix();
	test_einit_rules();
	test_einit_enforced();
	test_einit_init_clear();
	test_einit_family_without_kss();
	return 0;
}
