// SPDX-License-Identifier: MIT
/* cella-attestd encodings and JWS: base64/base64url edge cases, RS256/ES256 tokens, refusals. */
#include "attestd_internal.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "cella_test.h"

static void test_b64(void)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: must be refused */
	} v[] = {{"", ""},           {"Zg", "f"},       {"Zg==", "f"},      {"Zm8", "fo"},  {"Zm8=", "fo"},
		 {"Zm9v", "foo"},    {"-_8", "\xfb\xff"}, {"+/8=", "\xfb\xff"}, {"Z", NULL},  {"Zg=", NULL},
		 {"Zh==", NULL},     {"Zm9v\n", NULL},  {"Zm 9", NULL},     {"Zg===", NULL}, {"=Zg=", NULL},
		 {"Zm9v!A", NULL}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t *out = NULL;
		size_t n = 0;
		cella_result r = attestd_b64_decode(v[i].in, strlen(v[i].in), &out, &n);
		if (!v[i].out) {
			if (r != CELLA_ERR_BAD_FORMAT)
				cella_test_fail(__FILE__, __LINE__, "'%s' accepted", v[i].in);
			continue;
		}
		if (r != CELLA_OK || n != strlen(v[i].out) || memcmp(out, v[i].out, n) != 0)
			cella_test_fail(__FILE__, __LINE__, "'%s' decoded wrongly", v[i].in);
		free(out);
	}
	for (size_t len = 0; len < 40; len++) {
		uint8_t buf[40], *back = NULL;
		size_t n;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(i * 37 + len);
		for (int url = 0; url < 2; url++) {
			char *e = attestd_b64_encode(buf, len, url);
			CT_ASSERT(e && (url ? !strchr(e, '=') : strlen(e) % 4 == 0));
			CT_RESULT(attestd_b64_decode(e, strlen(e), &back, &n), CELLA_OK);
			CT_EQ(n, len);
			CT_EQ_MEM(back, buf, len);
			free(back);
			free(e);
		}
	}
	CT_ASSERT(attestd_ct_streq("abc", 3, "abc", 3) && !attestd_ct_streq("abc", 3, "abd", 3) &&
		  !attestd_ct_streq("abc", 3, "ab", 2));
	cella_test_pass("base64 / base64url");
}

static void test_jws(attestd_alg alg)
{
	struct attestd_key k, k2;
	struct attestd_jws j;
	char err[ATTESTD_ERR_BYTES];
	json_t *payload = json_pack("{s:s, s:i}", "x-ms-ver", "1.0", "iat", 1);
	char *tok, *signed_tok;
	void *cert = NULL;

	CT_RESULT(attestd_key_generate(alg, "https://attestd.test", &k), CELLA_OK);
	CT_EQ(k.alg, alg);
	CT_EQ(strlen(k.kid), 44); /* base64 of 32 bytes, as MAA's kids */
	CT_RESULT(attestd_key_load(k.key_pem, k.cert_pem, &k2), CELLA_OK);
	CT_ASSERT(strcmp(k.kid, k2.kid) == 0);
	tok = attestd_jws_sign(&k, "https://attestd.test/certs", payload);
	CT_ASSERT(tok);
	CT_RESULT(attestd_jws_parse(tok, strlen(tok), &j, err), CELLA_OK);
	CT_EQ(j.alg, alg);
	CT_ASSERT(strcmp(json_string_value(json_object_get(j.header, "kid")), k.kid) == 0);
	CT_ASSERT(strstr((const char *)j.payload, "\"x-ms-ver\":\"1.0\""));
	/* our verifier needs x5c in the header: put the certificate there, as policy signers do */
	json_object_set_new(j.header, "x5c", json_pack("[s]", k.x5c));
	{
		char *hs = json_dumps(j.header, JSON_COMPACT), *hb = attestd_b64_encode(hs, strlen(hs), true);
		const char *dot = strchr(tok, '.');
		size_t hl = strlen(hb);
		signed_tok = malloc(hl + strlen(dot) + 1);
		memcpy(signed_tok, hb, hl);
		strcpy(signed_tok + hl, dot);
		free(hs);
		free(hb);
	}
	attestd_jws_fini(&j);
	/* the header changed, so the signature no longer covers it */
	CT_RESULT(attestd_jws_parse(signed_tok, strlen(signed_tok), &j, err), CELLA_OK);
	CT_RESULT(attestd_jws_verify_x5c(signed_tok, &j, &cert, err), CELLA_ERR_SIGNATURE);
	attestd_jws_fini(&j);
	free(signed_tok);
	free(tok);

	/* sign with the x5c header in place, as the Azure clients sign policies (RS256 via OpenSSL directly) */
	if (alg == ATTESTD_ALG_RS256) {
		json_t *h = json_pack("{s:s, s:[s]}", "alg", "RS256", "x5c", k.x5c);
		char *hs = json_dumps(h, JSON_COMPACT), *hb = attestd_b64_encode(hs, strlen(hs), true);
		const char *pb = "eyJBdHRlc3RhdGlvblBvbGljeSI6IiJ9";
		char *msg = malloc(strlen(hb) + strlen(pb) + 2), *sb, *full;
		uint8_t sig[512];
		size_t sl = sizeof(sig);
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		sprintf(msg, "%s.%s", hb, pb);
		CT_ASSERT(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k.pkey) == 1 &&
			  EVP_DigestSign(md, sig, &sl, (const uint8_t *)msg, strlen(msg)) == 1);
		sb = attestd_b64_encode(sig, sl, true);
		full = malloc(strlen(msg) + strlen(sb) + 2);
		sprintf(full, "%s.%s", msg, sb);
		CT_RESULT(attestd_jws_parse(full, strlen(full), &j, err), CELLA_OK);
		CT_RESULT(attestd_jws_verify_x5c(full, &j, &cert, err), CELLA_OK);
		CT_ASSERT(cert && X509_cmp(cert, k.cert) == 0);
		X509_free(cert);
		cert = NULL;
		attestd_jws_fini(&j);
		/* a changed signature: swap one base64url character for another valid one (a flipped bit could
		 * make it invalid base64url, which would test parsing instead of the signature) */
		full[strlen(full) - 3] = full[strlen(full) - 3] == 'A' ? 'B' : 'A';
		CT_RESULT(attestd_jws_parse(full, strlen(full), &j, err), CELLA_OK);
		CT_ASSERT(attestd_jws_verify_x5c(full, &j, &cert, err) != CELLA_OK);
		attestd_jws_fini(&j);
		EVP_MD_CTX_free(md);
		json_decref(h);
		free(hs);
		free(hb);
		free(msg);
		free(sb);
		free(full);
	}
	attestd_key_fini(&k);
	attestd_key_fini(&k2);

	/* unsigned JWS */
	tok = attestd_jws_sign(NULL, NULL, payload);
	CT_ASSERT(tok && tok[strlen(tok) - 1] == '.' && strncmp(tok, "eyJhbGciOiJub25lIn0.", 20) == 0);
	CT_RESULT(attestd_jws_parse(tok, strlen(tok), &j, err), CELLA_OK);
	CT_EQ(j.alg, ATTESTD_ALG_NONE);
	CT_RESULT(attestd_jws_verify_x5c(tok, &j, &cert, err), CELLA_ERR_SIGNATURE);
	attestd_jws_fini(&j);
	free(tok);
	json_decref(payload);
}

static void test_jws_refusals(void)
{
	struct attestd_jws j;
	char err[ATTESTD_ERR_BYTES];
	static const char *bad[] = {"", "abc", "a.b", "a.b.c.d", "eyJhbGciOiJub25lIn0.e30.AAAA" /* none with a sig */,
				    "e30.e30." /* no alg */, "eyJhbGciOiJIUzI1NiJ9.e30.AAAA" /* HS256 */,
				    "eyJhbGciOiJub25lIn0.e3!.", "bnVsbA.e30.",
				    /* crit extensions and b64 (RFC 7515 4.1.11, RFC 7797) */
				    "eyJhbGciOiJub25lIiwiY3JpdCI6WyJ1cm46eCJdfQ.e30.",
				    "eyJhbGciOiJub25lIiwiYjY0IjpmYWxzZSwiY3JpdCI6WyJiNjQiXX0.e30.",
				    "eyJhbGciOiJub25lIiwiYjY0Ijp0cnVlfQ.e30.",
				    /* base64url only, no padding (RFC 7515 2) */
				    "eyJhbGciOiJub25lIn0=.e30.", "eyJhbGciOiJub25lIn0.e30=.", "eyJhbGciOiJub25lIn0.+/8."};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = attestd_jws_parse(bad[i], strlen(bad[i]), &j, err);
		if (r == CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "JWS '%s' accepted", bad[i]);
	}
	/* the same in base64url is fine */
	CT_RESULT(attestd_jws_parse("eyJhbGciOiJub25lIn0.-_8.", 24, &j, err), CELLA_OK);
	CT_EQ(j.payload_len, 2);
	attestd_jws_fini(&j);
	cella_test_pass("JWS refusals");
}

/* An ES256 JWS over a tiny payload, signed with key, whose header carries cert as x5c; verified as attestd does. */
static cella_result es256_verify(EVP_PKEY *key, X509 *cert, char err[ATTESTD_ERR_BYTES])
{
	unsigned char *der = NULL, sig[80];
	const unsigned char *sp = sig;
	int dl = i2d_X509(cert, &der);
	char *x5c = attestd_b64_encode(der, (size_t)dl, false), hdr[8192], *hb, *msg, *sb, *full;
	const char *pb = "eyJBdHRlc3RhdGlvblBvbGljeSI6IiJ9";
	uint8_t raw[64];
	size_t sl = sizeof(sig);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es;
	struct attestd_jws j;
	void *signer = NULL;
	cella_result r;
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"x5c\":[\"%s\"]}", x5c);
	hb = attestd_b64_encode(hdr, strlen(hdr), true);
	msg = malloc(strlen(hb) + strlen(pb) + 2);
	sprintf(msg, "%s.%s", hb, pb);
	CT_ASSERT(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		  EVP_DigestSign(md, sig, &sl, (const uint8_t *)msg, strlen(msg)) == 1);
	CT_ASSERT((es = d2i_ECDSA_SIG(NULL, &sp, (long)sl)) != NULL);
	CT_ASSERT(BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32) == 32 && BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32) == 32);
	sb = attestd_b64_encode(raw, 64, true);
	full = malloc(strlen(msg) + strlen(sb) + 2);
	sprintf(full, "%s.%s", msg, sb);
	CT_RESULT(attestd_jws_parse(full, strlen(full), &j, err), CELLA_OK);
	r = attestd_jws_verify_x5c(full, &j, &signer, err);
	X509_free(signer);
	attestd_jws_fini(&j);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	free(x5c);
	free(hb);
	free(msg);
	free(sb);
	free(full);
	return r;
}

/* ES256 is P-256 only: the same JWS signed on secp256k1 is refused (it was accepted), on P-256 it verifies. */
static void test_es256_curve(void)
{
	static const char *const curves[] = {"P-256", "secp256k1"};
	char err[ATTESTD_ERR_BYTES];
	for (int i = 0; i < 2; i++) {
		EVP_PKEY *k = EVP_EC_gen(curves[i]);
		X509 *x = X509_new();
		CT_ASSERT(k && x);
		X509_set_version(x, 2);
		X509_gmtime_adj(X509_getm_notBefore(x), -3600);
		X509_gmtime_adj(X509_getm_notAfter(x), 3600);
		X509_set_pubkey(x, k);
		CT_ASSERT(X509_sign(x, k, EVP_sha256()) > 0);
		if (i == 0) {
			CT_RESULT(es256_verify(k, x, err), CELLA_OK);
		} else {
			CT_RESULT(es256_verify(k, x, err), CELLA_ERR_UNSUPPORTED);
			CT_ASSERT(strstr(err, "P-256") != NULL);
		}
		X509_free(x);
		EVP_PKEY_free(k);
	}
	cella_test_pass("ES256 policy signatures: P-256 keys only");
}

int main(void)
{
	test_b64();
	test_jws(ATTESTD_ALG_RS256);
	cella_test_pass("RS256 sign / parse / unsigned");
	test_jws(ATTESTD_ALG_ES256);
	cella_test_pass("ES256 sign / parse / unsigned");
	test_jws_refusals();
	test_es256_curve();
	return 0;
}
