// SPDX-License-Identifier: MIT
/*
 * The verifier's certificate parser (src/verify/cert.c) against OpenSSL's own d2i_X509 + X509_verify: on every
 * certificate of the vectors, and on every single-bit change (two bits per byte) of a PCK leaf and of the root,
 * both sides must agree on "parses", the P-256 point, X509_check_ca and "signed by the issuer". Then the cases
 * where they are meant to differ or refuse: keys other than P-256, ecdsa-with-SHA384, bytes around the DER. Last,
 * the pinned Intel root certificates, whose self-signature the verifier takes as known, and the process-wide
 * parsed copy of the current one.
 */
#include "cella_test.h"
#include "testutil.h"
#include "verify_internal.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static X509 *std_d2i(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (x && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* The certificates of a PEM chain as DER (at most 4). */
static size_t chain_der(const char *pem, size_t len, uint8_t **der, size_t *der_len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	size_t n = 0;
	X509 *x;
	while (n < 4 && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		der[n] = NULL;
		int l = i2d_X509(x, &der[n]);
		CT_ASSERT(l > 0);
		der_len[n++] = (size_t)l;
		X509_free(x);
	}
	BIO_free(b);
	return n;
}

static long agreements, parsed_both, signed_both;

/*
 * One DER certificate checked both ways. The issuer is given as DER too (NULL: self-signed); its key comes from
 * each side's own parse of it.
 */
static void agree(const uint8_t *der, size_t len, const uint8_t *issuer_der, size_t issuer_len)
{
	X509 *a = cella_vfy_cert_d2i(der, len), *b = std_d2i(der, len);
	X509 *ia = issuer_der ? cella_vfy_cert_d2i(issuer_der, issuer_len) : NULL;
	X509 *ib = issuer_der ? std_d2i(issuer_der, issuer_len) : NULL;
	uint8_t pb[65];
	int has_b;
	agreements++;
	CT_ASSERT((a == NULL) == (b == NULL));
	if (!a)
		goto out;
	parsed_both++;
	has_b = tv_key_point(X509_get0_pubkey(b), pb) == 0;
	CT_EQ(cella_vfy_cert_point(a) != NULL, has_b);
	CT_EQ(cella_vfy_cert_key(a) != NULL, has_b);
	if (has_b)
		CT_EQ_MEM(cella_vfy_cert_point(a), pb, 65);
	CT_EQ(X509_check_ca(a), X509_check_ca(b));
	{
		EVP_PKEY *kb = X509_get0_pubkey(issuer_der ? ib : b);
		int sa = cella_vfy_cert_signed_by(a, issuer_der ? ia : a), sb = kb ? X509_verify(b, kb) == 1 : 0;
		CT_EQ(sa, sb);
		signed_both += sa;
	}
out:
	X509_free(a);
	X509_free(b);
	X509_free(ia);
	X509_free(ib);
}

/* Every bit 0 and bit 7 of every byte, one at a time. */
static void mutations(const uint8_t *der, size_t len, const uint8_t *issuer_der, size_t issuer_len)
{
	uint8_t *m = malloc(len);
	CT_ASSERT(m != NULL);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(m, der, len);
			m[i] ^= (uint8_t)(1u << bit);
			agree(m, len, issuer_der, issuer_len);
		}
	free(m);
}

static void vectors(const char *root)
{
	static const char *const names[] = {"dcapqvl_sgx_v3", "automata_quotev3_0825_tcbv3",
					    "openenclave_attestation_plugin_2022", "dcapqvl_tdx_v4"};
	long before = signed_both;
	for (size_t v = 0; v < sizeof(names) / sizeof(names[0]); v++) {
		struct tv t;
		struct cella_quote q;
		struct cella_collateral *c = NULL;
		uint8_t *der[4];
		size_t dl[4], n;
		tv_load(root, names[v], &t);
		CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
		CT_RESULT(cella_collateral_new_json(t.collateral, t.collateral_len, &c, NULL), CELLA_OK);
		const char *pems[4] = {q.pck_chain, c->pck_crl_chain, c->tcb_chain, c->qe_chain};
		size_t lens[4] = {q.pck_chain_len, c->pck_crl_chain_len, c->tcb_chain_len, c->qe_chain_len};
		for (int k = 0; k < 4; k++) {
			n = chain_der(pems[k], lens[k], der, dl);
			CT_ASSERT(n >= 2);
			for (size_t i = 0; i < n; i++) {
				if (i + 1 < n)
					agree(der[i], dl[i], der[i + 1], dl[i + 1]);
				else
					agree(der[i], dl[i], NULL, 0);
				free(der[i]);
			}
		}
		cella_collateral_free(c);
		tv_free(&t);
	}
	/* 4 vectors x (3 + 2 + 2 + 2) certificates, every one genuinely signed */
	CT_EQ(signed_both - before, 36);
	cella_test_pass("every vector certificate: same point, CA flag and signature verdict as OpenSSL's parse");
}

/* cella_vfy_pem_chain on text; *why gets the detail. The certificates read are freed. */
static cella_result read_chain(const char *text, size_t len, size_t want, char *why, size_t why_len)
{
	X509 *ch[4] = {NULL, NULL, NULL, NULL};
	struct cella_detail d;
	size_t n = 0;
	cella_result r;
	memset(&d, 0, sizeof(d));
	r = cella_vfy_pem_chain(text, len, ch, 4, want, &n, NULL, &d);
	snprintf(why, why_len, "%s", d.text);
	for (int i = 0; i < 4; i++)
		X509_free(ch[i]);
	return r;
}

/*
 * The strict PEM reader's base64: every byte value put in the middle of a base64 line is read as a digit exactly
 * when it is one (a digit gives another DER, which may or may not parse; anything else is malformed PEM, '=' too).
 * And a chain with 5,000 blank lines between its blocks, whose first block then lies in more text than a
 * certificate's base64 (read_block's heap path), reads as the plain chain does.
 */
static void pem_base64(const char *root)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct tv t;
	struct cella_collateral *c = NULL;
	char why[256], *text, *second, *spread;
	size_t len, at, gap = 5000;
	tv_load(root, "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_collateral_new_json(t.collateral, t.collateral_len, &c, NULL), CELLA_OK);
	len = c->tcb_chain_len;
	text = malloc(len);
	CT_ASSERT(text != NULL);
	memcpy(text, c->tcb_chain, len);
	CT_RESULT(read_chain(text, len, 2, why, sizeof(why)), CELLA_OK);
	at = (size_t)(strchr(text, '\n') - text) + 1 + 20; /* the 21st character of the first base64 line */
	for (int b = 0; b < 256; b++) {
		char was = text[at];
		cella_result r;
		text[at] = (char)b;
		r = read_chain(text, len, 2, why, sizeof(why));
		if (b != 0 && strchr(digits, b))
			CT_ASSERT(r == CELLA_OK || strstr(why, "malformed") == NULL);
		else
			CT_ASSERT(r == CELLA_ERR_CERT_CHAIN && strstr(why, "malformed at byte") != NULL);
		text[at] = was;
	}
	second = strstr(text + 1, "-----BEGIN");
	CT_ASSERT(second != NULL);
	spread = malloc(len + gap);
	CT_ASSERT(spread != NULL);
	memcpy(spread, text, (size_t)(second - text));
	memset(spread + (second - text), '\n', gap);
	memcpy(spread + (second - text) + gap, second, len - (size_t)(second - text));
	CT_RESULT(read_chain(spread, len + gap, 2, why, sizeof(why)), CELLA_OK);
	spread[(second - text) - 40] = '*'; /* and a bad byte in the first block is still seen there */
	CT_RESULT(read_chain(spread, len + gap, 2, why, sizeof(why)), CELLA_ERR_CERT_CHAIN);
	CT_ASSERT(strstr(why, "malformed at byte") != NULL);
	free(spread);
	free(text);
	cella_collateral_free(c);
	tv_free(&t);
	cella_test_pass("PEM base64: a byte is a digit exactly when it is one; a block in long text reads the same");
}

static void bit_flips(const char *root)
{
	struct tv t;
	struct cella_quote q;
	uint8_t *der[4];
	size_t dl[4], n;
	long a0 = agreements, p0 = parsed_both, s0 = signed_both;
	tv_load(root, "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
	n = chain_der(q.pck_chain, q.pck_chain_len, der, dl);
	CT_EQ(n, 3);
	mutations(der[0], dl[0], der[1], dl[1]); /* the PCK leaf under its CA */
	mutations(der[2], dl[2], NULL, 0);       /* the root, self-signed */
	/* the flips are meaningful: most still parse, and none of those still verifies */
	CT_EQ(agreements - a0, (long)(2 * (dl[0] + dl[2])));
	CT_ASSERT(parsed_both - p0 > (agreements - a0) / 2);
	CT_EQ(signed_both - s0, 0);
	for (size_t i = 0; i < n; i++)
		free(der[i]);
	tv_free(&t);
	cella_test_pass("every single-bit change of a PCK leaf and the root: same verdicts as OpenSSL, none verifies");
}

static uint8_t *to_der(X509 *x, size_t *len)
{
	uint8_t *d = NULL;
	int l = i2d_X509(x, &d);
	CT_ASSERT(l > 0);
	*len = (size_t)l;
	return d;
}

static void refusals(void)
{
	EVP_PKEY *ca_key = tca_key(), *rsa = EVP_RSA_gen(2048), *p384 = EVP_EC_gen("P-384");
	X509 *ca = tca_cert("Test CA", ca_key, NULL, NULL, 1, 0, 4000000000, 1, NULL);
	X509 *r = tca_cert("RSA leaf", rsa, ca, ca_key, 2, 0, 4000000000, 0, NULL);
	X509 *e = tca_cert("P-384 leaf", p384, ca, ca_key, 3, 0, 4000000000, 0, NULL);
	X509 *s = tca_cert("SHA-384 leaf", ca_key, ca, ca_key, 4, 0, 4000000000, 0, NULL);
	size_t cl, rl, el, sl;
	uint8_t *cd, *rd, *ed, *sd;
	X509 *x, *xc;
	CT_ASSERT(rsa && p384);
	CT_ASSERT(X509_sign(s, ca_key, EVP_sha384()) > 0); /* re-signed: ecdsa-with-SHA384 */
	cd = to_der(ca, &cl);
	rd = to_der(r, &rl);
	ed = to_der(e, &el);
	sd = to_der(s, &sl);
	xc = cella_vfy_cert_d2i(cd, cl);
	CT_ASSERT(xc != NULL && cella_vfy_cert_key(xc) != NULL);

	/* keys other than P-256: the certificate parses and its signature checks, but it offers no key */
	x = cella_vfy_cert_d2i(rd, rl);
	CT_ASSERT(x != NULL);
	CT_ASSERT(cella_vfy_cert_key(x) == NULL && cella_vfy_cert_point(x) == NULL);
	CT_EQ(cella_vfy_cert_signed_by(x, xc), 1);
	CT_EQ(cella_vfy_cert_signed_by(x, NULL), 0);
	X509_free(x);
	x = cella_vfy_cert_d2i(ed, el);
	CT_ASSERT(x != NULL);
	CT_ASSERT(cella_vfy_cert_key(x) == NULL && cella_vfy_cert_point(x) == NULL);
	X509_free(x);

	/* ecdsa-with-SHA384: OpenSSL accepts it, the verifier does not (DCAP signs with SHA-256 only) */
	x = cella_vfy_cert_d2i(sd, sl);
	CT_ASSERT(x != NULL);
	CT_EQ(X509_verify(s, ca_key), 1);
	CT_EQ(cella_vfy_cert_signed_by(x, xc), 0);
	X509_free(x);

	/* the wrong key */
	x = cella_vfy_cert_d2i(cd, cl);
	CT_EQ(cella_vfy_cert_signed_by(x, xc), 1); /* self-signed CA */
	X509_free(x);

	/* exactly one DER certificate: not a byte more or less, and not a certificate without its frame */
	{
		uint8_t *longer = malloc(cl + 1);
		memcpy(longer, cd, cl);
		longer[cl] = 0;
		CT_ASSERT(cella_vfy_cert_d2i(longer, cl + 1) == NULL);
		CT_ASSERT(cella_vfy_cert_d2i(cd, cl - 1) == NULL);
		CT_ASSERT(cella_vfy_cert_d2i(cd + 4, cl - 4) == NULL); /* the TBSCertificate alone */
		CT_ASSERT(cella_vfy_cert_d2i(cd, 0) == NULL);
		free(longer);
	}
	/* certificates not made by the parser offer nothing */
	CT_ASSERT(cella_vfy_cert_key(ca) == NULL && cella_vfy_cert_point(ca) == NULL);
	CT_EQ(cella_vfy_cert_signed_by(ca, xc), 0);

	X509_free(xc);
	free(cd);
	free(rd);
	free(ed);
	free(sd);
	X509_free(ca);
	X509_free(r);
	X509_free(e);
	X509_free(s);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p384);
	cella_test_pass("RSA and P-384 keys give no key, ecdsa-with-SHA384 is refused, exact DER framing required");
}

/* PEM file under the vectors as one X509, by OpenSSL's reader. */
static X509 *read_pem(const char *root, const char *rel)
{
	size_t len;
	uint8_t *pem = tv_read(root, rel, &len);
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	CT_ASSERT(x != NULL);
	BIO_free(b);
	free(pem);
	return x;
}

static int pinned(X509 *x)
{
	uint8_t h[32], *der = NULL;
	int n = i2d_X509(x, &der);
	CT_ASSERT(n > 0);
	SHA256(der, (size_t)n, h);
	OPENSSL_free(der);
	return cella_vfy_root_pinned(h);
}

/*
 * The root certificates whose self-signature cella_vfy_check_root takes as known (src/verify/trust.c): both Intel
 * SGX Root CA variants are pinned, each verifies under its own key by OpenSSL's X509_verify and carries the pinned
 * Intel key; a hash one bit away and the synthetic test root (same subject, another key) are not pinned.
 */
static void pinned_roots(const char *root)
{
	static const char *const files[] = {"IntelSGXRootCA.pem", "IntelSGXRootCA_2033variant.pem"};
	struct cella_trust *intel;
	CT_RESULT(cella_trust_new_intel(&intel), CELLA_OK);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		X509 *x = read_pem(root, files[i]);
		uint8_t point[65];
		CT_ASSERT(pinned(x));
		CT_EQ(X509_verify(x, X509_get0_pubkey(x)), 1);
		CT_EQ(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
		CT_ASSERT(tv_key_point(X509_get0_pubkey(x), point) == 0);
		CT_EQ_MEM(point, intel->point, 65);
		X509_free(x);
	}
	{
		X509 *x = read_pem(root, "IntelSGXRootCA.pem");
		uint8_t h[32], *der = NULL;
		int n = i2d_X509(x, &der);
		SHA256(der, (size_t)n, h);
		for (int bit = 0; bit < 256; bit++) {
			h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			CT_ASSERT(!cella_vfy_root_pinned(h));
			h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		OPENSSL_free(der);
		X509_free(x);
	}
	{
		X509 *x = read_pem(root, "intel_qvl_synthetic/trustedRootCaCert.pem");
		CT_ASSERT(!pinned(x));
		X509_free(x);
	}
	cella_trust_free(intel);
	cella_test_pass("both Intel root variants are pinned, self-signed under the Intel key; nothing else is");
}

/* cella_vfy_check_root on a one-certificate PEM chain made from der, through a certificate pool as in use. */
static cella_result check_root_der(const uint8_t *der, size_t len, const uint8_t *point)
{
	const uint8_t *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len), *ch[1] = {NULL};
	BIO *b = BIO_new(BIO_s_mem());
	struct vfy_pool pool;
	char *pem;
	size_t n = 0;
	cella_result r;
	CT_ASSERT(x && b && PEM_write_bio_X509(b, x) == 1);
	long pl = BIO_get_mem_data(b, &pem);
	memset(&pool, 0, sizeof(pool));
	CT_RESULT(cella_vfy_pem_chain(pem, (size_t)pl, ch, 1, 1, &n, &pool, NULL), CELLA_OK);
	r = cella_vfy_check_root(ch[0], point, "test root", &pool, NULL);
	X509_free(ch[0]);
	cella_vfy_pool_fini(&pool);
	BIO_free(b);
	X509_free(x);
	return r;
}

/*
 * The pinned root passes cella_vfy_check_root; the same certificate with one byte of its signature changed still
 * parses and still carries the Intel key, but is no longer pinned, so its self-signature is checked and fails.
 */
static void root_signature_still_checked(const char *root)
{
	struct cella_trust *intel;
	X509 *x = read_pem(root, "IntelSGXRootCA.pem");
	uint8_t *der = NULL;
	int n = i2d_X509(x, &der);
	CT_ASSERT(n > 0);
	CT_RESULT(cella_trust_new_intel(&intel), CELLA_OK);
	CT_RESULT(check_root_der(der, (size_t)n, intel->point), CELLA_OK);
	der[n - 1] ^= 0x01; /* the last byte of the signature's s */
	CT_RESULT(check_root_der(der, (size_t)n, intel->point), CELLA_ERR_CERT_CHAIN);
	OPENSSL_free(der);
	X509_free(x);
	cella_trust_free(intel);
	cella_test_pass("an Intel-keyed root with a changed signature is not pinned and is refused");
}

/*
 * The current pinned root as a process-wide parsed certificate (cella_vfy_root_shared): its exact DER gives one
 * shared object, the same on every call, that re-encodes to that DER and carries the Intel key; a chain read
 * through a pool takes that object instead of a parse of its own. A byte changed, added or removed, the 2033
 * variant or another root gives none.
 */
static void shared_root(const char *root)
{
	static const char *const others[] = {"IntelSGXRootCA_2033variant.pem",
					     "intel_qvl_synthetic/trustedRootCaCert.pem"};
	struct cella_trust *intel;
	X509 *x = read_pem(root, "IntelSGXRootCA.pem"), *shared, *again, *ch[1] = {NULL};
	uint8_t *der = NULL, *der2 = NULL, *longer;
	int n = i2d_X509(x, &der), n2;
	struct vfy_pool pool;
	size_t count = 0;
	BIO *b = BIO_new(BIO_s_mem());
	char *pem;
	CT_RESULT(cella_trust_new_intel(&intel), CELLA_OK);
	CT_ASSERT(n > 0);
	shared = cella_vfy_root_shared(der, (size_t)n);
	CT_ASSERT(shared != NULL);
	n2 = i2d_X509(shared, &der2);
	CT_EQ(n2, n);
	CT_EQ_MEM(der2, der, (size_t)n);
	CT_ASSERT(cella_vfy_cert_point(shared) != NULL);
	CT_EQ_MEM(cella_vfy_cert_point(shared), intel->point, 65);
	again = cella_vfy_root_shared(der, (size_t)n);
	CT_ASSERT(again == shared);
	X509_free(again);
	for (int k = 0; k < n; k++) {
		der[k] ^= 0x01;
		CT_ASSERT(cella_vfy_root_shared(der, (size_t)n) == NULL);
		der[k] ^= 0x01;
	}
	CT_ASSERT(cella_vfy_root_shared(der, (size_t)n - 1) == NULL);
	longer = malloc((size_t)n + 1);
	CT_ASSERT(longer != NULL);
	memcpy(longer, der, (size_t)n);
	longer[n] = 0;
	CT_ASSERT(cella_vfy_root_shared(longer, (size_t)n + 1) == NULL);
	free(longer);
	CT_ASSERT(b && PEM_write_bio_X509(b, x) == 1);
	long pl = BIO_get_mem_data(b, &pem);
	memset(&pool, 0, sizeof(pool));
	CT_RESULT(cella_vfy_pem_chain(pem, (size_t)pl, ch, 1, 1, &count, &pool, NULL), CELLA_OK);
	CT_ASSERT(ch[0] == shared);
	X509_free(ch[0]);
	cella_vfy_pool_fini(&pool);
	BIO_free(b);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		X509 *o = read_pem(root, others[i]);
		uint8_t *od = NULL;
		int on = i2d_X509(o, &od);
		CT_ASSERT(on > 0 && cella_vfy_root_shared(od, (size_t)on) == NULL);
		OPENSSL_free(od);
		X509_free(o);
	}
	OPENSSL_free(der);
	OPENSSL_free(der2);
	X509_free(shared);
	X509_free(x);
	cella_trust_free(intel);
	cella_test_pass("the current pinned root's DER gives one shared parsed certificate, used by pooled chains");
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	vectors(root);
	pem_base64(root);
	bit_flips(root);
	refusals();
	pinned_roots(root);
	root_signature_still_checked(root);
	shared_root(root);
	return 0;
}
