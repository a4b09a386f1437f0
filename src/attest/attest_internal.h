/* SPDX-License-Identifier: MIT */
/* Internal interfaces of the evidence verifier: common code (both worlds) and its world-specific back ends. */
#ifndef CELLA_ATTEST_INTERNAL_H
#define CELLA_ATTEST_INTERNAL_H

#include <cella/evidence.h>

#include "bytes.h"

#define AT_QUOTE_HEADER_BYTES 48u
#define AT_REPORT_BODY_BYTES 384u
#define AT_QUOTE_MIN_BYTES (48u + 384u + 4u)
#define AT_SOFTWARE_QE_VENDOR "CELLA-SOFTWARE-Q"

/* Report body offsets (SGX REPORTBODY, SDM 38.15). */
#define AT_RB_CPU_SVN 0
#define AT_RB_MISC_SELECT 16
#define AT_RB_EXT_PROD_ID 32
#define AT_RB_FLAGS 48
#define AT_RB_MRENCLAVE 64
#define AT_RB_MRSIGNER 128
#define AT_RB_CONFIG_ID 192
#define AT_RB_PROD_ID 256
#define AT_RB_SVN 258
#define AT_RB_CONFIG_SVN 260
#define AT_RB_FAMILY_ID 304
#define AT_RB_REPORT_DATA 320

/* What the world-specific quote verifier established. */
struct at_quote_result {
	uint8_t body[AT_REPORT_BODY_BYTES]; /* the ISV enclave's report body (a copy) */
	bool software;                      /* Cella software quoting component */
	uint32_t tcb_status;                /* CELLA_EVIDENCE_TCB_* */
	int64_t valid_from, valid_until;
};

/* ---- world-specific (evidence_openssl.c on hosts, evidence_bearssl.c in enclaves) ---- */
/* Verifies one quote of exactly len bytes (signatures, binding, chain or collateral at policy->time). An Intel quote
 * is verified with `parsed` when given (hosts: collateral the caller already holds, e.g. fetched for it), else with
 * the collateral JSON in endorsements. */
struct cella_collateral;
cella_result at_quote_verify(const uint8_t *quote, size_t len, const uint8_t *endorsements, size_t elen,
			     struct cella_collateral *parsed, const struct cella_evidence_policy *policy,
			     struct at_quote_result *out);
void at_sha256(const void *data, size_t len, uint8_t out[32]);
/* 1 if sig (r || s, 32 bytes each, big-endian) is a valid ECDSA-P256-SHA256 signature over msg by the uncompressed
 * point pub[65]. Raw, not DER: the certificate parser decodes the encoding once, for both worlds (cert.c). */
int at_p256_verify(const uint8_t pub[65], const uint8_t *msg, size_t len, const uint8_t sig[64]);
/* Where the evidence is copied before parsing (enclaves: enclave heap). Returns NULL on allocation failure. */
uint8_t *at_copy_in(const uint8_t *p, size_t len);
void at_free(void *p);
/* 1 if the configured root parses as the world's verifier reads it (DER, or the first certificate of PEM). */
int at_root_ok(const struct cella_evidence_root *root);

/* ---- common ---- */
/* The policy's own arguments, before any evidence: a verification time, and roots that are there (and, with
 * parse_roots, parse: else the first verification would be the one to find out). CELLA_OK or CELLA_ERR_INVALID_ARG. */
cella_result at_policy_check(const struct cella_evidence_policy *p, bool parse_roots);
/* Length of the v3 quote at the start of p (from its signature_data_len); 0 if malformed or longer than len. */
size_t at_quote_len(const uint8_t *p, size_t len);
/* Evidence (a raw quote, or OE's envelope) split into its quote and, for the envelope of format SGX_ECDSA, the
 * custom claims after it (else NULL, 0); uuid: the format. Pointers into ev. Errors: CELLA_ERR_QUOTE_FORMAT,
 * CELLA_ERR_QUOTE_VERSION. */
cella_result at_evidence_split(const uint8_t *ev, size_t len, const uint8_t **quote, size_t *qlen,
			       const uint8_t **custom, size_t *custom_len, const uint8_t **uuid);

/* The evidence extension's bytes of an attested-TLS certificate (pointing into der), the certificate parsed but its
 * signature and evidence not checked: to find what the evidence needs before verifying it. Errors: as
 * cella_verify_attest_cert's parse (CELLA_ERR_BAD_FORMAT, CELLA_ERR_NOT_FOUND, CELLA_ERR_UNSUPPORTED). */
cella_result at_attest_cert_evidence(const uint8_t *der, size_t len, const uint8_t **ev, size_t *ev_len);
/* cella_verify_evidence, with at_quote_verify's `parsed` collateral (NULL: the endorsements JSON). */
cella_result at_verify_evidence(const uint8_t *evidence, size_t len, const uint8_t *endorsements, size_t elen,
				struct cella_collateral *parsed, const struct cella_evidence_policy *policy,
				struct cella_claims *claims);
/* cella_verify_attest_cert (with at_verify_evidence's `parsed`), also giving the certificate's key (uncompressed
 * P-256 point) on success; len 0 (a peer's empty certificate) is CELLA_ERR_BAD_FORMAT here. */
/* CELLA_ERR_INVALID_ARG when policy->report_data is not what an attested certificate can bind: nothing (length 0) or
 * 32 bytes. */
cella_result at_cert_policy_check(const struct cella_evidence_policy *policy);
cella_result at_attest_cert_verify(const uint8_t *der, size_t len, const uint8_t *endorsements, size_t elen,
				   struct cella_collateral *parsed, const struct cella_evidence_policy *policy,
				   struct cella_claims *claims, uint8_t point[65]);

/* DER encodings (tag, length, value) of the object identifiers attested certificates use. */
#define AT_OID_EC_PUBLIC_KEY {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}
#define AT_OID_P256 {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
#define AT_OID_ECDSA_SHA256 {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}
#define AT_OID_OE_EVIDENCE {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x14, 0x0a, 0x01, 0x02}
#define AT_OID_BASIC_CONSTRAINTS {0x06, 0x03, 0x55, 0x1d, 0x13}
#define AT_OID_COMMON_NAME {0x06, 0x03, 0x55, 0x04, 0x03}

/* DER reader (strict: definite, minimal lengths; single-byte tags). */
struct at_der {
	const uint8_t *p;
	size_t n;
};
/* Reads the next TLV of `tag` from *in: *content its value, *whole the full TLV; advances in. 0 on success. */
int at_der_next(struct at_der *in, uint8_t tag, struct at_der *content, struct at_der *whole);
/* 1 if the next TLV has this tag. */
int at_der_peek(const struct at_der *in, uint8_t tag);

#endif
