/* SPDX-License-Identifier: MIT */
/* SIGSTRUCT: building, signing (RSA-3072, e = 3), verifying, and the EINIT rules the loader applies. */
#ifndef CELLA_COMMON_SIGSTRUCT_H
#define CELLA_COMMON_SIGSTRUCT_H

#include <cella/abi/sgx.h>
#include <cella/result.h>

#include "image.h"

/*
 * Host only (OpenSSL 3). Keys cross this interface as PEM text so that callers need no OpenSSL types.
 *
 * How properties become SIGSTRUCT fields (cella_sigstruct_init) and SECS fields (cella_einit_check):
 *   ATTRIBUTES.FLAGS = props.attributes; ATTRIBUTES.XFRM = props.xfrm, or CELLA_SIGSTRUCT_XFRM_LEGACY (x87|SSE)
 *     when props.xfrm is 0 ("platform XCR0");
 *   ATTRIBUTEMASK.FLAGS = props.attributes_mask, or ~0 (every flag must match, DEBUG included) when 0, always
 *     with the CELLA_SIGSTRUCT_ENFORCED_FLAGS that props.attributes requests (MODE64BIT, KSS) added, so that
 *     EINIT refuses a SECS created without them (as Intel's sgx_sign does);
 *   ATTRIBUTEMASK.XFRM = props.xfrm_mask, or (props.xfrm ? ~0 : CELLA_SIGSTRUCT_XFRM_LEGACY) when 0;
 *   MISCSELECT = props.misc_select; MISCMASK = props.misc_mask, or 0xffffffff when 0;
 *   ISVPRODID, ISVSVN, ISVFAMILYID, ISVEXTPRODID from props; ENCLAVEHASH = MRENCLAVE; TYPE = VENDOR = 0.
 * A zero mask therefore means "the safe default", never "accept anything".
 */
#define CELLA_SIGSTRUCT_XFRM_LEGACY 0x3ull /* x87 | SSE: always enabled */
#define CELLA_SIGSTRUCT_DEBUG_DATE 0x20240101u /* DATE of load-time debug signatures (deterministic) */
#define CELLA_SIGSTRUCT_ENFORCED_FLAGS (CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS) /* in ATTRIBUTEMASK when requested */
#define CELLA_SIGSTRUCT_MIN_YEAR 1970u /* DATE years cella-sign accepts: four BCD digits, not before Unix time */
#define CELLA_SIGSTRUCT_MAX_YEAR 9999u

/* Fills *out (every byte) from the properties, MRENCLAVE and DATE (BCD yyyymmdd); key fields stay zero. */
void cella_sigstruct_init(const struct cella_abi_properties *props, const struct cella_hash *mrenclave,
			  uint32_t date_bcd, struct cella_sgx_sigstruct *out);

/*
 * BCD yyyymmdd for a UTC calendar date into *out (e.g. 2024, 1, 31 -> 0x20240131).
 * Errors: CELLA_ERR_INVALID_ARG (year outside CELLA_SIGSTRUCT_MIN_YEAR..CELLA_SIGSTRUCT_MAX_YEAR, month outside
 * 1..12, or no such day in that month: February 29 only in leap years); *out is then untouched.
 */
CELLA_MUST_USE cella_result cella_sigstruct_date(unsigned year, unsigned month, unsigned day, uint32_t *out);

/* The signed message: header (bytes 0..127) || body (bytes 900..1027) -> out (256 bytes). */
void cella_sigstruct_signed_data(const struct cella_sgx_sigstruct *s, uint8_t out[CELLA_SIGSTRUCT_SIGNED_BYTES]);

/* True if all 1808 bytes are zero (an unsigned image). */
bool cella_sigstruct_is_zero(const struct cella_sgx_sigstruct *s);

/*
 * Checks that pem[0..len) holds an RSA private key (PEM, PKCS#1 or PKCS#8, unencrypted) of 3072 bits with
 * public exponent 3, then signs: sets MODULUS, EXPONENT, SIGNATURE, Q1, Q2 and verifies the result.
 * *detail (out, may be NULL) gets a static phrase on failure, e.g. "key is 2048 bits, need 3072".
 * Errors: CELLA_ERR_KEY (not parseable, not RSA, wrong size or exponent), CELLA_ERR_CRYPTO, CELLA_ERR_SIGNATURE.
 */
CELLA_MUST_USE cella_result cella_sigstruct_sign(struct cella_sgx_sigstruct *s, const char *pem, size_t len,
						 const char **detail);

/*
 * Two-step signing (HSM): `pem` holds the signer's public key (or a private key, of which only the public half
 * is used) and sig_be the 384-byte big-endian RSASSA-PKCS1-v1_5 SHA-256 signature of
 * cella_sigstruct_signed_data(s) (what `openssl dgst -sha256 -sign` writes). Sets MODULUS, EXPONENT,
 * SIGNATURE, Q1, Q2 and verifies. Errors: CELLA_ERR_KEY, CELLA_ERR_SIGNATURE, CELLA_ERR_CRYPTO.
 */
CELLA_MUST_USE cella_result cella_sigstruct_attach(struct cella_sgx_sigstruct *s, const char *pem, size_t len,
						   const uint8_t sig_be[CELLA_SGX_MODULUS_BYTES], const char **detail);

/*
 * What EINIT checks of SIGSTRUCT alone: fixed header bytes, TYPE, VENDOR, EXPONENT and reserved fields
 * (CELLA_ERR_SIGSTRUCT); a 3072-bit modulus, signature < modulus, the PKCS#1 v1.5 SHA-256 signature over
 * header || body, and Q1/Q2 (CELLA_ERR_SIGNATURE). *detail as above.
 */
CELLA_MUST_USE cella_result cella_sigstruct_verify(const struct cella_sgx_sigstruct *s, const char **detail);

/* MRSIGNER = SHA-256 of the 384-byte little-endian MODULUS as stored. Errors: CELLA_ERR_CRYPTO. */
CELLA_MUST_USE cella_result cella_sigstruct_mrsigner(const struct cella_sgx_sigstruct *s, struct cella_hash *out);

/* The well-known debug signing key (PEM, NUL-terminated). Public knowledge: it proves nothing. */
const char *cella_sigstruct_debug_key_pem(void);

/* Outcome of the EINIT rules: what SECS would hold after EINIT, and the SIGSTRUCT that EINIT would take. */
struct cella_einit_info {
	struct cella_hash mrenclave;
	struct cella_hash mrsigner;            /* SHA-256 of the signer's modulus (the debug key's when signed at load) */
	struct cella_sgx_attributes attributes; /* SECS.ATTRIBUTES: DEBUG as requested, XFRM as CELLA_SIGSTRUCT_XFRM_LEGACY
						   when the properties leave it to the platform */
	uint32_t misc_select;                  /* SECS.MISCSELECT */
	uint16_t isv_prod_id;                  /* from SIGSTRUCT */
	uint16_t isv_svn;                      /* from SIGSTRUCT */
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
	bool debug;                            /* SECS.ATTRIBUTES.DEBUG */
	bool debug_signed_at_load;             /* the image was unsigned and got the debug key's signature */
	struct cella_sgx_sigstruct sigstruct;  /* pass this to EINIT (the SGX backend) */
};

/*
 * Applies the EINIT rules to `img` (borrowed; its SIGSTRUCT is img->props.sigstruct) for an enclave whose
 * computed MRENCLAVE is *mrenclave, created with the DEBUG attribute iff debug_requested:
 *   - all-zero SIGSTRUCT: allowed only for a DEBUG image (props.attributes has CELLA_ATTR_DEBUG) created in
 *     debug mode; it is then signed with the debug key (CELLA_ERR_NOT_SIGNED / CELLA_ERR_DEBUG_MISMATCH);
 *   - cella_sigstruct_verify (CELLA_ERR_SIGSTRUCT, CELLA_ERR_SIGNATURE);
 *   - a nonzero ISVFAMILYID needs KSS in props.attributes (CELLA_ERR_SIGSTRUCT, as EINIT's SGX_INVALID_SIG_STRUCT);
 *   - ENCLAVEHASH == *mrenclave (CELLA_ERR_MEASUREMENT);
 *   - DEBUG requested vs signed, when ATTRIBUTEMASK covers DEBUG (CELLA_ERR_DEBUG_MISMATCH);
 *   - SECS attributes / MISCSELECT equal the signed ones under the signed masks (CELLA_ERR_ATTRIBUTES); the
 *     SECS is modelled as hardware has it at EINIT: props.attributes with DEBUG as requested and INIT clear.
 * Fills *out (out) only on success. *detail (out, may be NULL): a static phrase on failure.
 */
CELLA_MUST_USE cella_result cella_einit_check(const struct cella_image *img, const struct cella_hash *mrenclave,
					      bool debug_requested, struct cella_einit_info *out);
CELLA_MUST_USE cella_result cella_einit_check_diag(const struct cella_image *img,
						   const struct cella_hash *mrenclave, bool debug_requested,
						   struct cella_einit_info *out, const char **detail);

#endif
