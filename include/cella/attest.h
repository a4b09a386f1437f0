/* SPDX-License-Identifier: MIT */
/* Enclave identity: reports (local attestation), keys (EGETKEY) and remote evidence. Enclave side. */
#ifndef CELLA_ATTEST_H
#define CELLA_ATTEST_H

#include <cella/abi/report.h>
#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* This enclave as a report target: give it to another enclave so that enclave can report to this one. */
CELLA_API CELLA_MUST_USE cella_result cella_get_target_info(struct cella_target_info *out) CELLA_NONNULL(1);

/*
 * EREPORT: a report of this enclave for `target` (NULL: this enclave itself), binding report_data (64 bytes;
 * NULL: zeros). Only the target enclave, on the same platform, can verify its MAC.
 * Errors: CELLA_ERR_BACKEND (the platform did not answer, or answered malformed); on the sandbox backend, the
 * monitor's failure to open the platform state (CELLA_PLATFORM_DIR: CELLA_ERR_PERMISSION when it could be someone
 * else's, CELLA_ERR_IO, CELLA_ERR_BAD_FORMAT, CELLA_ERR_CRYPTO, CELLA_ERR_OUT_OF_MEMORY; the monitor logs why).
 * These "platform" errors apply to every function of this header that asks the platform.
 */
CELLA_API CELLA_MUST_USE cella_result cella_get_report(const struct cella_target_info *target,
						       const uint8_t *report_data, struct cella_report *out)
	CELLA_NONNULL(3);

/*
 * Verifies a report addressed to this enclave (its MAC under this enclave's report key), in constant time.
 * Errors: CELLA_ERR_MAC_MISMATCH (tampered, or meant for another enclave or platform), or cella_get_key()'s
 * errors for the report key (CELLA_ERR_BACKEND when the platform does not answer).
 */
CELLA_API CELLA_MUST_USE cella_result cella_verify_report(const struct cella_report *report) CELLA_NONNULL(1);

/*
 * EGETKEY: the 128-bit key described by `req`. Errors as the hardware gives them: CELLA_ERR_INVALID_ISVSVN
 * (req->isv_svn above this enclave's), CELLA_ERR_INVALID_CPUSVN (above the platform's), CELLA_ERR_INVALID_KEYNAME
 * (a key this enclave may not have, e.g. PROVISION without the attribute, or an unknown key name: one code on
 * both backends), CELLA_ERR_INVALID_ARG (reserved bits or KEYPOLICY bits above ISVEXTPRODID; in an enclave
 * without ATTRIBUTES.KSS, a CELLA_KEYPOLICY_KSS_ONLY bit or a CONFIGSVN above 0: refused before EGETKEY, which
 * would fault on them), CELLA_ERR_BACKEND (the platform did not answer, or answered malformed). A seal key's
 * CONFIGSVN above this enclave's is CELLA_ERR_INVALID_ISVSVN, as EGETKEY says.
 * The caller must wipe `key` after use.
 */
CELLA_API CELLA_MUST_USE cella_result cella_get_key(const struct cella_key_request *req, uint8_t key[CELLA_KEY_BYTES])
	CELLA_NONNULL(1, 2);

/*
 * The key request of this enclave's seal key for `policy` (CELLA_KEYPOLICY_MRENCLAVE or _MRSIGNER) at this
 * enclave's ISVSVN and the platform's current CPUSVN, with a fresh random KEYID and SGX's default masks; a KSS
 * enclave's policy adds CONFIGID, ISVFAMILYID and ISVEXTPRODID (with its CONFIGSVN), as the Intel SDK seals. Store
 * the request next to the sealed data; cella_get_key() on it gives the same key later.
 */
CELLA_API CELLA_MUST_USE cella_result cella_seal_key_request(uint16_t policy, struct cella_key_request *out)
	CELLA_NONNULL(2);

/*
 * Remote evidence: a DCAP ECDSA quote v3 over this enclave's report with report_data (64 bytes; NULL: zeros).
 * On the sandbox backend it is signed by the platform's software quoting component, whose certificate chain
 * leads to the platform's software root CA (verifiers accept it only when told to trust that root).
 * buf/cap: where to write it; *len: its size (also set on CELLA_ERR_BUFFER_TOO_SMALL).
 * Errors: CELLA_ERR_BUFFER_TOO_SMALL, the platform errors of cella_get_report(); on SGX, the host's quoting
 * setup (the host logs the missing piece and its remedy): CELLA_ERR_NO_DEVICE or CELLA_ERR_PERMISSION
 * (/dev/sgx_provision), CELLA_ERR_NOT_FOUND (Intel's quoting or quote-provider library, or its functions),
 * CELLA_ERR_NO_FILE (the quote provider's configuration, or aesmd's socket when SGX_AESM_ADDR is set).
 */
CELLA_API CELLA_MUST_USE cella_result cella_get_evidence(const uint8_t *report_data, uint8_t *buf, size_t cap,
							 size_t *len) CELLA_NONNULL(4);

/* AES-128-CMAC (NIST SP 800-38B), the MAC of SGX reports. Exposed for tests and for enclave-to-enclave use. */
CELLA_API void cella_cmac_aes128(const uint8_t key[16], const void *msg, size_t len, uint8_t mac[16]);

#ifdef __cplusplus
}
#endif
#endif
