/* SPDX-License-Identifier: MIT */
/*
 * Evidence verification: enclave evidence (DCAP-format ECDSA quotes, bare or in Open Enclave's evidence
 * envelope) and attested-TLS certificates into claims, under an explicit policy. The same API runs on hosts
 * (libcella-attest, OpenSSL and libcella-verify) and inside enclaves (cella_attest_enclave, BearSSL).
 */
#ifndef CELLA_EVIDENCE_H
#define CELLA_EVIDENCE_H

#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open Enclave claim names (include/openenclave/bits/evidence.h), and Cella's own. */
#define CELLA_CLAIM_ID_VERSION "id_version"                   /* u32 LE, 0 */
#define CELLA_CLAIM_SECURITY_VERSION "security_version"       /* u32 LE: ISVSVN */
#define CELLA_CLAIM_ATTRIBUTES "attributes"                   /* u64 LE: CELLA_EVIDENCE_ATTR_* */
#define CELLA_CLAIM_UNIQUE_ID "unique_id"                     /* 32 bytes: MRENCLAVE */
#define CELLA_CLAIM_SIGNER_ID "signer_id"                     /* 32 bytes: MRSIGNER */
#define CELLA_CLAIM_PRODUCT_ID "product_id"                   /* 16 bytes: ISVPRODID LE in bytes 0-1 */
#define CELLA_CLAIM_FORMAT_UUID "format_uuid"                 /* 16 bytes */
#define CELLA_CLAIM_TCB_STATUS "tcb_status"                   /* u32 LE: CELLA_EVIDENCE_TCB_* */
#define CELLA_CLAIM_VALIDITY_FROM "validity_from"             /* i64 LE Unix seconds (OE: oe_datetime_t) */
#define CELLA_CLAIM_VALIDITY_UNTIL "validity_until"           /* i64 LE Unix seconds */
#define CELLA_CLAIM_SGX_REPORT_DATA "sgx_report_data"         /* 64 bytes */
#define CELLA_CLAIM_CUSTOM_CLAIMS_BUFFER "custom_claims_buffer" /* bytes (OE envelope only; may be empty) */
#define CELLA_CLAIM_SGX_CPU_SVN "sgx_cpu_svn"                 /* 16 bytes */
#define CELLA_CLAIM_SGX_CONFIG_ID "sgx_config_id"             /* 64 bytes */
#define CELLA_CLAIM_SGX_CONFIG_SVN "sgx_config_svn"           /* u16 LE */
#define CELLA_CLAIM_SGX_ISV_FAMILY_ID "sgx_isv_family_id"     /* 16 bytes */
#define CELLA_CLAIM_SGX_ISV_EXTENDED_PRODUCT_ID "sgx_isv_extended_product_id" /* 16 bytes */
#define CELLA_CLAIM_SGX_IS_MODE64BIT "sgx_is_mode64bit"       /* 1 byte bool */
#define CELLA_CLAIM_SGX_HAS_PROVISION_KEY "sgx_has_provision_key"
#define CELLA_CLAIM_SGX_HAS_EINITTOKEN_KEY "sgx_has_einittoken_key"
#define CELLA_CLAIM_SGX_USES_KSS "sgx_uses_kss"
#define CELLA_CLAIM_SGX_PF_GP_EXIT_INFO_ENABLED "sgx_pf_gp_exit_info_enabled"
#define CELLA_CLAIM_SOFTWARE_TEE "cella_software_tee"         /* 1 byte bool: Cella's sandbox backend */

#define CELLA_EVIDENCE_ATTR_DEBUG 0x1u  /* OE_REPORT_ATTRIBUTES_DEBUG */
#define CELLA_EVIDENCE_ATTR_REMOTE 0x2u /* OE_REPORT_ATTRIBUTES_REMOTE */

/* TCB status, Open Enclave's numbering (oe_sgx_tcb_status_t), plus Cella's software TEE. */
#define CELLA_EVIDENCE_TCB_UP_TO_DATE 0u
#define CELLA_EVIDENCE_TCB_OUT_OF_DATE 1u
#define CELLA_EVIDENCE_TCB_REVOKED 2u
#define CELLA_EVIDENCE_TCB_CONFIGURATION_NEEDED 3u
#define CELLA_EVIDENCE_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED 4u
#define CELLA_EVIDENCE_TCB_SW_HARDENING_NEEDED 5u
#define CELLA_EVIDENCE_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED 6u
#define CELLA_EVIDENCE_TCB_SOFTWARE 0x100u /* sandbox evidence: there is no hardware TCB to rate */
/* A bit for policy.allowed_tcb (SGX statuses 0..6). */
#define CELLA_EVIDENCE_TCB_BIT(s) (1u << (s))

/* Format UUIDs (Open Enclave's). */
#define CELLA_FORMAT_UUID_SGX_ECDSA                                                                         \
	{0xa3, 0xa2, 0x1e, 0x87, 0x1b, 0x4d, 0x40, 0x14, 0xb7, 0x0a, 0xa1, 0x25, 0xd2, 0xfb, 0xcd, 0x8c}
#define CELLA_FORMAT_UUID_RAW_SGX_QUOTE_ECDSA                                                               \
	{0x19, 0x23, 0xd9, 0x1e, 0x1b, 0x4c, 0x4c, 0x72, 0xb2, 0x20, 0x25, 0xcd, 0x8d, 0xac, 0xe8, 0x71}

/* OE's evidence envelope (oe_attestation_header_t): u32 version 3, 16-byte format UUID, u64 data size. */
#define CELLA_EVIDENCE_HEADER_BYTES 28u
#define CELLA_EVIDENCE_HEADER_VERSION 3u

/* OID of the evidence extension of attested-TLS certificates: Open Enclave's 1.2.840.113556.10.1.2. */
#define CELLA_ATTEST_CERT_OID "1.2.840.113556.10.1.2"

/* A trusted root certificate, DER or PEM (the first certificate of a PEM buffer is used). Borrowed. */
struct cella_evidence_root {
	const uint8_t *cert;
	size_t len;
};

/*
 * What the relying party accepts. Zero-initialise, then set what you need: the defaults refuse debug enclaves,
 * software-TEE evidence, any TCB status but UpToDate, and evidence not pinned to an MRENCLAVE or MRSIGNER.
 */
struct cella_evidence_policy {
	int64_t time;                /* required: Unix seconds at which certificates/collateral must be valid.
					Inside an enclave clock time comes from the host: pass a time you trust. */
	const struct cella_evidence_root *roots; /* software-TEE roots (a sandbox platform's root-ca.pem): any
						  * number, each must parse; a PCK chain must end in one of them, byte
						  * for byte, that is self-issued (issuer == subject). Both worlds. */
	size_t root_count;
	bool allow_software_tee;     /* INSECURE outside development: accept sandbox evidence under `roots` */
	bool allow_debug;            /* INSECURE: accept DEBUG enclaves (their memory is readable) */
	bool any_identity;           /* INSECURE: accept evidence with neither mrenclave nor mrsigner pinned */
	const uint8_t *mrenclave;    /* 32 bytes, or NULL */
	const uint8_t *mrsigner;     /* 32 bytes, or NULL */
	bool check_product_id;
	uint16_t product_id;
	uint16_t min_svn;            /* ISVSVN must be >= this */
	const uint8_t *report_data;  /* NULL, or the expected first report_data_len (<= 64) bytes of report data */
	size_t report_data_len;
	uint32_t allowed_tcb;        /* CELLA_EVIDENCE_TCB_BIT()s of SGX statuses accepted; 0 = UpToDate only */
};

/* Verified claims. Fixed-size, caller-owned, no pointers: copy freely. */
#define CELLA_CLAIMS_CUSTOM_BYTES 1024u
struct cella_claims {
	uint32_t id_version;
	uint32_t security_version;
	uint64_t attributes;
	uint8_t unique_id[32];
	uint8_t signer_id[32];
	uint8_t product_id[16];
	uint8_t format_uuid[16];
	uint32_t tcb_status;
	int64_t validity_from;
	int64_t validity_until;
	uint8_t sgx_report_data[64];
	uint8_t sgx_cpu_svn[16];
	uint8_t sgx_config_id[64];
	uint16_t sgx_config_svn;
	uint8_t sgx_isv_family_id[16];
	uint8_t sgx_isv_extended_product_id[16];
	uint8_t sgx_is_mode64bit;
	uint8_t sgx_has_provision_key;
	uint8_t sgx_has_einittoken_key;
	uint8_t sgx_uses_kss;
	uint8_t sgx_pf_gp_exit_info_enabled;
	uint8_t software_tee;
	size_t custom_claims_len;    /* OE envelope: its custom claims buffer (truncated to the array) */
	uint8_t custom_claims[CELLA_CLAIMS_CUSTOM_BYTES];
};

/*
 * Verifies evidence: a DCAP ECDSA quote v3 (what cella_get_evidence returns; OE's RAW_SGX_QUOTE_ECDSA) or OE's
 * envelope (28-byte header, format SGX_ECDSA: quote || custom claims, with report_data[0:32] =
 * SHA-256(custom claims)). Quotes from Cella's software quoting component (QE vendor "CELLA-SOFTWARE-Q") are
 * checked here: the quote and QE report signatures, the attestation-key binding and the PCK chain up to one of
 * policy->roots at policy->time. Intel quotes go to the DCAP verifier with `endorsements` (collateral JSON in
 * the layout of cella_collateral_new_json; host only). Then the policy.
 * evidence and endorsements: borrowed (copied into the verifier's memory before use inside enclaves).
 * claims: written on CELLA_OK, and on CELLA_ERR_POLICY / CELLA_ERR_REPORT_DATA (genuine evidence, refused).
 * Errors: CELLA_ERR_INVALID_ARG (no evidence: evidence NULL or len 0; endorsements NULL with endorsements_len over
 * 0; policy time 0 or negative, report_data_len over 64 or with a NULL report_data, root_count with NULL roots, a
 * root with a NULL cert, or a root in policy->roots that does not parse), CELLA_ERR_OUT_OF_MEMORY,
 * CELLA_ERR_QUOTE_FORMAT / _VERSION / CELLA_ERR_TRUNCATED, CELLA_ERR_CERT_DATA_TYPE (certification data of a type
 * this verifier does not take: inside an enclave, anything but a PCK chain), CELLA_ERR_QUOTE_SIGNATURE,
 * CELLA_ERR_QE_REPORT, CELLA_ERR_CERT_CHAIN, CELLA_ERR_UNTRUSTED_ROOT (no root of the policy), CELLA_ERR_EXPIRED,
 * CELLA_ERR_REVOKED, CELLA_ERR_COLLATERAL, CELLA_ERR_UNSUPPORTED (Intel quotes inside an enclave); for Intel
 * quotes also whatever cella_collateral_new_json() and cella_quote_verify() return (cella/verify.h: e.g.
 * CELLA_ERR_COLLATERAL_SIGNATURE, CELLA_ERR_CRL, CELLA_ERR_TCB_LEVEL, CELLA_ERR_PCK_EXTENSION, CELLA_ERR_CRYPTO,
 * CELLA_ERR_TOO_LARGE),
 * CELLA_ERR_REPORT_DATA (report data differs from policy->report_data or from the envelope's custom claims),
 * CELLA_ERR_POLICY (debug, software TEE, identity, product, SVN or TCB status refused).
 * On hosts OpenSSL's error queue is left as it was found, on success and on failure: the errors the verifier's
 * OpenSSL calls push are popped, and those the caller had queued stay (so does cella_verify_attest_cert).
 */
CELLA_API CELLA_MUST_USE cella_result cella_verify_evidence(const uint8_t *evidence, size_t len,
							    const uint8_t *endorsements, size_t endorsements_len,
							    const struct cella_evidence_policy *policy,
							    struct cella_claims *claims) CELLA_NONNULL(5, 6);

/*
 * Verifies an attested-TLS certificate (DER): well-formed, self-signed with ECDSA P-256 / SHA-256, carrying the
 * evidence extension (CELLA_ATTEST_CERT_OID, OE envelope) whose custom claims are the certificate's
 * SubjectPublicKeyInfo and whose report data is SHA-256 of it, then 32 zero bytes (cella_attest_cert) or, when
 * policy->report_data_len is 32, policy->report_data (what cella_attest_cert_bound bound with the key; any other
 * non-zero length is CELLA_ERR_INVALID_ARG); then cella_verify_evidence() with policy. Validity dates of the certificate itself are not
 * used (enclaves have no trusted clock; freshness comes from the TLS handshake proving the key).
 * der: borrowed. Errors: as cella_verify_evidence, plus CELLA_ERR_INVALID_ARG (der NULL or len 0: no certificate at
 * all; endorsements NULL with endorsements_len over 0, refused before the certificate is parsed),
 * CELLA_ERR_BAD_FORMAT (bytes that are not such a certificate, or not in DER: this includes a signature that is not a
 * DER Ecdsa-Sig-Value, a malformed serial number, validity, issuer or subject (including a UTF8String in either
 * that is not valid UTF-8), and unique IDs that are malformed, repeated or out of order), CELLA_ERR_NOT_FOUND (no
 * evidence extension), CELLA_ERR_UNSUPPORTED (a key other than P-256, or a critical extension this verifier does
 * not know), CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_CERT_CHAIN (self-signature), CELLA_ERR_REPORT_DATA (key and
 * evidence differ, or the report data's last 32 bytes are not zero, or not policy->report_data).
 */
CELLA_API CELLA_MUST_USE cella_result cella_verify_attest_cert(const uint8_t *der, size_t len,
							       const uint8_t *endorsements, size_t endorsements_len,
							       const struct cella_evidence_policy *policy,
							       struct cella_claims *claims) CELLA_NONNULL(5, 6);

/*
 * Claim i (0..) by OE name: *name static, *value pointing into claims, *size its length.
 * Errors: CELLA_ERR_NOT_FOUND past the last claim.
 */
CELLA_API CELLA_MUST_USE cella_result cella_claims_at(const struct cella_claims *claims, size_t i, const char **name,
						      const uint8_t **value, size_t *size) CELLA_NONNULL(1, 3, 4, 5);
/* The claim called `name`. Errors: CELLA_ERR_NOT_FOUND. */
CELLA_API CELLA_MUST_USE cella_result cella_claims_find(const struct cella_claims *claims, const char *name,
							const uint8_t **value, size_t *size) CELLA_NONNULL(1, 2, 3, 4);

#ifdef __cplusplus
}
#endif
#endif
