// SPDX-License-Identifier: MIT
/*
 * Host back end of the evidence verifier: quotes through libcella-verify (parse, signatures, and for Intel
 * quotes the whole DCAP verification against collateral), the software PCK chain and crypto with OpenSSL.
 * Each entry point the common code calls leaves OpenSSL's error queue (thread-local) as it found it: the errors
 * its OpenSSL calls push (a failed parse, the end of a PEM text) are popped to a mark set on entry, so a caller's
 * next SSL call does not find them, and errors the caller had queued stay.
 */
#include "attest_internal.h"

#include <cella/verify.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void at_sha256(const void *data, size_t len, uint8_t out[32])
{
	ERR_set_mark();
	SHA256(data, len, out);
	ERR_pop_to_mark();
}

uint8_t *at_copy_in(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	if (c && len)
		memcpy(c, p, len);
	return c;
}

void at_free(void *p)
{
	free(p);
}

static EVP_PKEY *p256_key(const uint8_t pub[65])
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM params[3];
	params[0] = OSSL_PARAM_construct_utf8_string("group", (char *)"P-256", 0);
	params[1] = OSSL_PARAM_construct_octet_string("pub", (void *)pub, 65);
	params[2] = OSSL_PARAM_construct_end();
	if (!c || EVP_PKEY_fromdata_init(c) != 1 || EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	return k;
}

static int p256_verify(const uint8_t pub[65], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	EVP_PKEY *k = p256_key(pub);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
	unsigned char *der = NULL;
	int der_len = -1, ok = 0;
	/* OpenSSL verifies DER: re-encode r || s (EVP_DigestVerify then checks 1 <= r, s < n as BearSSL does) */
	if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL; /* es owns them */
		der_len = i2d_ECDSA_SIG(es, &der);
	}
	ok = k && md && der_len > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	     EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ok;
}

int at_p256_verify(const uint8_t pub[65], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	int ok;
	ERR_set_mark();
	ok = p256_verify(pub, msg, len, sig);
	ERR_pop_to_mark();
	return ok;
}

static int64_t asn1_unix(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return cella_civil_to_unix(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static X509 *load_cert(const uint8_t *p, size_t len)
{
	X509 *x = NULL;
	if (len > 11 && memcmp(p, "-----BEGIN ", 11) == 0) {
		BIO *b = BIO_new_mem_buf(p, (int)len);
		x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
	} else {
		const uint8_t *q = p;
		x = d2i_X509(NULL, &q, (long)len);
		if (x && q != p + len) {
			X509_free(x);
			x = NULL;
		}
	}
	return x;
}

int at_root_ok(const struct cella_evidence_root *root)
{
	X509 *x;
	ERR_set_mark();
	x = load_cert(root->cert, root->len);
	ERR_pop_to_mark();
	X509_free(x);
	return x != NULL;
}

static cella_result map_x509_error(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return CELLA_ERR_EXPIRED;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_CERT_UNTRUSTED:
		return CELLA_ERR_UNTRUSTED_ROOT;
	default:
		return CELLA_ERR_CERT_CHAIN;
	}
}

/* The quote's PCK chain (leaf first, as PEM) up to one of the policy's roots at policy->time. */
static cella_result software_chain(const struct cella_quote *q, const struct cella_evidence_policy *p,
				   struct at_quote_result *out)
{
	STACK_OF(X509) *chain = sk_X509_new_null(), *verified = NULL;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	BIO *b = BIO_new_mem_buf(q->pck_chain, (int)q->pck_chain_len);
	cella_result r = CELLA_ERR_UNEXPECTED;
	size_t roots = 0;
	X509 *last;

	if (!chain || !store || !ctx || !b)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	for (X509 *c; (c = PEM_read_bio_X509(b, NULL, NULL, NULL));)
		if (!sk_X509_push(chain, c)) {
			X509_free(c);
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		}
	if (sk_X509_num(chain) < 2 || sk_X509_num(chain) > 4)
		CELLA_FAIL(CELLA_ERR_CERT_CHAIN);
	/* The chain must end in a configured root, byte for byte (a software root is one file that relying parties
	 * hold: no second variant to allow, and no byte of the quote may change unnoticed); then OpenSSL builds and
	 * checks the path to that root at the policy's time. */
	last = sk_X509_value(chain, sk_X509_num(chain) - 1);
	for (size_t i = 0; i < p->root_count; i++) {
		X509 *root = load_cert(p->roots[i].cert, p->roots[i].len);
		if (!root)
			CELLA_FAIL(CELLA_ERR_INVALID_ARG); /* a configured root that does not parse is the caller's bug */
		if (X509_cmp(root, last) == 0 && X509_check_issued(last, last) == X509_V_OK &&
		    X509_STORE_add_cert(store, root) == 1)
			roots++;
		X509_free(root);
	}
	if (roots == 0)
		CELLA_FAIL(CELLA_ERR_UNTRUSTED_ROOT);
	if (X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), chain) != 1)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	X509_STORE_CTX_set_time(ctx, 0, (time_t)p->time);
	if (X509_verify_cert(ctx) != 1)
		CELLA_FAIL(map_x509_error(X509_STORE_CTX_get_error(ctx)));
	verified = X509_STORE_CTX_get1_chain(ctx);
	out->valid_from = 0;
	out->valid_until = INT64_MAX;
	for (int i = 0; verified && i < sk_X509_num(verified); i++) {
		X509 *c = sk_X509_value(verified, i);
		int64_t nb = asn1_unix(X509_get0_notBefore(c)), na = asn1_unix(X509_get0_notAfter(c));
		if (nb > out->valid_from)
			out->valid_from = nb;
		if (na < out->valid_until)
			out->valid_until = na;
	}
	r = CELLA_OK;
out:
	sk_X509_pop_free(verified, X509_free);
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	BIO_free(b);
	return r;
}

static uint32_t oe_status(cella_tcb_status s)
{
	switch (s) {
	case CELLA_TCB_UP_TO_DATE:
		return CELLA_EVIDENCE_TCB_UP_TO_DATE;
	case CELLA_TCB_SW_HARDENING_NEEDED:
		return CELLA_EVIDENCE_TCB_SW_HARDENING_NEEDED;
	case CELLA_TCB_CONFIGURATION_NEEDED:
		return CELLA_EVIDENCE_TCB_CONFIGURATION_NEEDED;
	case CELLA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
		return CELLA_EVIDENCE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED;
	case CELLA_TCB_OUT_OF_DATE:
	case CELLA_TCB_TD_RELAUNCH_ADVISED: /* the running TD is on the old module until it is relaunched */
		return CELLA_EVIDENCE_TCB_OUT_OF_DATE;
	case CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED:
	case CELLA_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED:
		return CELLA_EVIDENCE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	default:
		return CELLA_EVIDENCE_TCB_REVOKED; /* revoked or unknown: never acceptable */
	}
}

/* Intel quote: the DCAP verifier with the caller's collateral (parsed, or its JSON), trusting the pinned Intel
 * root. */
static cella_result intel_quote(const struct cella_quote *q, const uint8_t *endorsements, size_t elen,
				struct cella_collateral *parsed, const struct cella_evidence_policy *p,
				struct at_quote_result *out)
{
	struct cella_collateral *c = NULL;
	struct cella_verify_result *res = NULL;
	cella_result r = CELLA_ERR_UNEXPECTED;
	if (!parsed && (!endorsements || elen == 0))
		return CELLA_ERR_COLLATERAL;
	res = calloc(1, sizeof(*res));
	if (!res)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (!parsed)
		CELLA_CHECK(cella_collateral_new_json((const char *)endorsements, elen, &c, NULL));
	CELLA_CHECK(cella_quote_verify(q, parsed ? parsed : c, p->time, res));
	if (q->tee_type != CELLA_QUOTE_TEE_SGX)
		CELLA_FAIL(CELLA_ERR_QUOTE_VERSION);
	out->tcb_status = oe_status(res->status);
	out->valid_from = res->valid_from;
	out->valid_until = res->valid_until;
	r = CELLA_OK;
out:
	cella_collateral_free(c);
	free(res);
	return r;
}

static cella_result quote_verify(const uint8_t *quote, size_t len, const uint8_t *endorsements, size_t elen,
				 struct cella_collateral *parsed, const struct cella_evidence_policy *policy,
				 struct at_quote_result *out)
{
	struct cella_quote q;
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(out, 0, sizeof(*out));
	CELLA_CHECK(cella_quote_parse(quote, len, &q, NULL));
	if (q.len != len || q.version != 3 || q.body_len != AT_REPORT_BODY_BYTES)
		CELLA_FAIL(CELLA_ERR_QUOTE_FORMAT);
	if (memcmp(q.qe_vendor_id, AT_SOFTWARE_QE_VENDOR, 16) == 0) {
		out->software = true;
		out->tcb_status = CELLA_EVIDENCE_TCB_SOFTWARE;
		CELLA_CHECK(cella_quote_check_signatures(&q, NULL));
		CELLA_CHECK(software_chain(&q, policy, out));
	} else {
		CELLA_CHECK(intel_quote(&q, endorsements, elen, parsed, policy, out));
	}
	memcpy(out->body, q.body, AT_REPORT_BODY_BYTES);
	r = CELLA_OK;
out:
	return r;
}

cella_result at_quote_verify(const uint8_t *quote, size_t len, const uint8_t *endorsements, size_t elen,
			     struct cella_collateral *parsed, const struct cella_evidence_policy *policy,
			     struct at_quote_result *out)
{
	cella_result r;
	ERR_set_mark();
	r = quote_verify(quote, len, endorsements, elen, parsed, policy, out);
	ERR_pop_to_mark();
	return r;
}
