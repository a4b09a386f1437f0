/* SPDX-License-Identifier: MIT */
/* Helpers for the verify tests: DCAP vectors, quote rebuilding, and a generated test CA (OpenSSL). */
#ifndef CELLA_VERIFY_TESTUTIL_H
#define CELLA_VERIFY_TESTUTIL_H

#include <cella/verify.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

struct tv {
	char dir[512];
	uint8_t *quote;
	size_t quote_len;
	char *collateral;
	size_t collateral_len;
	int64_t verify_time, from, until;
	cella_tcb_status status;
	char status_name[48]; /* expected.json's "status" as written there */
	size_t advisory_count;
	char advisories[8][CELLA_ADVISORY_ID_BYTES];
};

/* The vectors directory: argv[1], else $CELLA_VECTORS_DIR. Fails the test (never skips) when missing. */
const char *tv_root(int argc, char **argv);
/* Loads <root>/<name>/{quote.bin,collateral.json,expected.json}; fails the test when anything is missing. */
void tv_load(const char *root, const char *name, struct tv *out);
void tv_free(struct tv *t);
/* "<root>/<rel>" read whole (test fails if missing). */
uint8_t *tv_read(const char *root, const char *rel, size_t *len);

/* A copy of q's bytes with the certification data replaced by the PEM chain `pem` (type 5; type 6 wrapper kept
 * for v4). For v3 the layout is read from raw offsets, so any v3 certification data type may be replaced. */
uint8_t *tv_rebuild_quote(const uint8_t *quote, size_t len, const char *pem, size_t pem_len, size_t *out_len);

/* s with the first `from` at or after `after` replaced by `to` (caller frees); fails the test if there is none. */
char *tv_replace_after(const char *s, const char *after, const char *from, const char *to);
/* The tcbEvaluationDataNumber of a signed document's text (the test's own reading of it). */
unsigned tv_eval_number(const char *text);

/* Generated CA */
EVP_PKEY *tca_key(void);
/* A certificate for `key` named "CN=<cn>, O=Intel Corporation, ..." issued by (issuer, issuer_key) or
 * self-signed when issuer is NULL. ext: an extension to copy in (the PCK SGX extension), may be NULL. */
X509 *tca_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, long serial, int64_t not_before,
	       int64_t not_after, int is_ca, X509_EXTENSION *ext);
/* A CRL by (issuer, key) revoking the given serials (count may be 0), with CRL Number and AKI. */
uint8_t *tca_crl(X509 *issuer, EVP_PKEY *key, const long *serials, size_t count, int64_t this_update,
		 int64_t next_update, size_t *der_len);
/* The uncompressed P-256 point of an OpenSSL key into out[65] (read through OpenSSL's own key parameters, the
 * reference the verifier's own key handling is compared with); 0, or -1 if the key is not P-256. */
int tv_key_point(EVP_PKEY *key, uint8_t *out);
/* ECDSA-P256-SHA256 of msg as raw r||s. */
void tca_sign_raw(EVP_PKEY *key, const void *msg, size_t len, uint8_t *sig64);
/* PEM text of certs (caller frees). */
char *tca_pem(X509 *const *certs, size_t n, size_t *len);

/* A quote v4 or v5 (body_type CELLA_QUOTE_BODY_*), or v3 (SGX body only), built from the parsed real quote q: its
 * header fields (q->bytes[0..48], version replaced) and report body (a TD report 1.5 is q's TD 1.0 body followed by
 * td15_extra[64]: tee_tcb_svn2, mr_servicetd), signed by the new attestation key ak; the QE report is q's
 * (q->qe_report, with its 64-byte signature slot after it) with its report data bound to ak, re-signed by pck_key;
 * the certification data is type 6 wrapping the PEM chain (v3: the QE report data and the type-5 PEM chain without
 * that wrapper). Caller frees. */
uint8_t *tv_build_quote(const struct cella_quote *q, uint16_t version, uint16_t body_type, const uint8_t *td15_extra,
			EVP_PKEY *ak, EVP_PKEY *pck_key, const char *pem, size_t pem_len, size_t *out_len);

/* A generated hierarchy shaped like Intel's: root, PCK CA (named ca_cn), a PCK leaf carrying the SGX extension
 * of the real quote's PCK certificate, a TCB signing certificate; trust = the root. Valid a year around `at`. */
enum { TCA_SN_ROOT = 1, TCA_SN_PCK_CA = 2, TCA_SN_LEAF = 3, TCA_SN_SIGNER = 4 }; /* their serial numbers */
struct tca_pki {
	EVP_PKEY *k_root, *k_ca, *k_leaf, *k_signer;
	X509 *root, *ca, *leaf, *signer;
	struct cella_trust *trust;
};
void tca_pki_new(struct tca_pki *p, const struct cella_quote *real, const char *ca_cn, int64_t at);
/* tca_pki_new with the PCK CA named as the real quote's (Processor or Platform); *pem gets the PEM chain leaf, CA,
 * root for tv_build_quote (caller frees). */
void tca_pki_like(struct tca_pki *p, const struct cella_quote *real, int64_t at, char **pem, size_t *pem_len);
/* Collateral from the hierarchy: the TCB Info and QE Identity texts given, signed by the signer; empty CRLs valid
 * around `at`; the issuer chains. */
struct cella_collateral *tca_pki_collateral(const struct tca_pki *p, const char *tcb_info, const char *qe_identity,
					    int64_t at);
void tca_pki_free(struct tca_pki *p);

#endif
