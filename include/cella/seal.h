/* SPDX-License-Identifier: MIT */
/* Sealing: AES-256-GCM under a key only this enclave (or its signer's product line) can derive. Enclave side. */
#ifndef CELLA_SEAL_H
#define CELLA_SEAL_H

#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Blob layout (format 2, little-endian; docs/identity.md):
 *   0    4   magic "CSL1"
 *   4    2   format version (2)
 *   6    1   backend that sealed it: CELLA_SEAL_BACKEND_SANDBOX or CELLA_SEAL_BACKEND_SGX
 *   7    1   reserved (0)
 *   8    4   aad length A
 *   12   4   plaintext/ciphertext length P
 *   16   512 KEYREQUEST (struct cella_key_request: policy, ISVSVN, CPUSVN, masks, random KEYID)
 *   528  12  GCM IV (random)
 *   540  8   freshness version (cella_seal_versioned; 0 from cella_seal)
 *   548  A   additional authenticated data, in clear
 *   548+A P  ciphertext
 *   ...  16  GCM tag
 * GCM AAD = bytes [0, 548+A): every header field (backend and freshness version included) and the AAD are
 * authenticated.
 * Key: AES-256 key = HKDF-SHA-256(IKM = EGETKEY(KEYREQUEST) (128 bits), salt = "CELLA-SEAL-v1",
 *      info = "cella seal aes-256-gcm" || KEYREQUEST), 32 bytes.
 * Sealing gives confidentiality and integrity; freshness only through cella_unseal_fresh: through cella_unseal
 * an older valid blob still unseals.
 */
#define CELLA_SEAL_MAGIC "CSL1"
#define CELLA_SEAL_VERSION 2u
#define CELLA_SEAL_HEADER_BYTES 548u
#define CELLA_SEAL_TAG_BYTES 16u
#define CELLA_SEAL_OVERHEAD_BYTES (CELLA_SEAL_HEADER_BYTES + CELLA_SEAL_TAG_BYTES)
#define CELLA_SEAL_MAX_BYTES 0x7fffffffu /* limit on P and on A */

/* Header byte 6: the backend whose keys sealed the blob. A blob opens only on the backend that sealed it. */
#define CELLA_SEAL_BACKEND_SANDBOX 1u /* Cella's sandbox (software TEE): keys from the platform's root secret */
#define CELLA_SEAL_BACKEND_SGX 2u     /* Intel SGX: keys from the CPU's EGETKEY */

/* Seal policies (the KEYREQUEST key policy). 0 means the default, MRSIGNER (Intel SDK's default). */
#define CELLA_SEAL_POLICY_DEFAULT 0u
#define CELLA_SEAL_POLICY_MRENCLAVE 0x0001u /* this exact enclave build (bricked by any rebuild) */
#define CELLA_SEAL_POLICY_MRSIGNER 0x0002u  /* same signer and ISVPRODID, ISVSVN <= ours */

/* Size of a blob for aad_len and pt_len; SIZE_MAX when either exceeds CELLA_SEAL_MAX_BYTES. Both worlds. */
static inline size_t cella_sealed_size(size_t aad_len, size_t pt_len)
{
	if (aad_len > CELLA_SEAL_MAX_BYTES || pt_len > CELLA_SEAL_MAX_BYTES)
		return SIZE_MAX;
	return CELLA_SEAL_OVERHEAD_BYTES + aad_len + pt_len; /* < 2^33: no wrap with a 64-bit size_t */
}

/*
 * Seals `pt` (pt_len bytes, which must lie inside the enclave) with optional clear-text `aad`, under a seal key
 * of `policy` at this enclave's ISVSVN and the platform's CPUSVN, into blob (cap bytes; *blob_len gets the
 * size, also on CELLA_ERR_BUFFER_TOO_SMALL). The blob may be host memory: plaintext never goes there.
 * Errors: CELLA_ERR_INVALID_ARG (policy, plaintext outside the enclave, NULL with a length), CELLA_ERR_TOO_LARGE
 * (aad_len or pt_len over CELLA_SEAL_MAX_BYTES, checked before the pointers), CELLA_ERR_BUFFER_TOO_SMALL,
 * CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_BACKEND / key errors from EGETKEY, CELLA_ERR_CRYPTO.
 * The blob's freshness version is 0.
 */
CELLA_API CELLA_MUST_USE cella_result cella_seal(uint16_t policy, const void *aad, size_t aad_len, const void *pt,
						 size_t pt_len, uint8_t *blob, size_t cap, size_t *blob_len)
	CELLA_NONNULL(8);

/*
 * cella_seal with a freshness version: `version` (any u64, e.g. the value the application's trusted monotonic
 * counter has after this write) is stored in the header and authenticated with it. cella_unseal_fresh refuses
 * the blob once the application's minimum exceeds it. Same arguments and errors as cella_seal.
 */
CELLA_API CELLA_MUST_USE cella_result cella_seal_versioned(uint16_t policy, uint64_t version, const void *aad,
							   size_t aad_len, const void *pt, size_t pt_len,
							   uint8_t *blob, size_t cap, size_t *blob_len)
	CELLA_NONNULL(9);

/*
 * The lengths a blob announces (not authenticated yet: for sizing the output buffers of cella_unseal).
 * Errors: CELLA_ERR_TRUNCATED, CELLA_ERR_SEALED_BLOB (bad magic, version, backend, reserved byte or lengths).
 */
CELLA_API CELLA_MUST_USE cella_result cella_sealed_lengths(const uint8_t *blob, size_t blob_len, size_t *aad_len,
							   size_t *pt_len) CELLA_NONNULL(1, 3, 4);

/*
 * Unseals: copies the blob into the enclave once, re-derives the key from its KEYREQUEST, and on a valid tag
 * writes the plaintext to pt (pt_cap bytes, inside the enclave) and the AAD to aad (aad_cap bytes, may be NULL
 * when aad_cap is 0 and the blob has none; any memory). Nothing is written to pt or aad unless the tag verifies
 * (pt is used as scratch and wiped on failure). *pt_len / *aad_len get the lengths. pt may overlap the blob
 * (unsealing in place, e.g. pt == blob): the plaintext then overwrites it, and a refused blob is left partly wiped.
 * aad must not overlap pt.
 * Errors: CELLA_ERR_TRUNCATED, CELLA_ERR_SEALED_BLOB (malformed header, a KEYREQUEST this API never writes,
 * or the tag does not verify: tampered, or sealed by another enclave / signer / platform / root secret),
 * CELLA_ERR_SEAL_BACKEND (the header names the other backend: checked before any key is derived),
 * CELLA_ERR_INVALID_ISVSVN (sealed at a higher ISVSVN than this enclave's: refused),
 * CELLA_ERR_INVALID_CPUSVN, CELLA_ERR_BUFFER_TOO_SMALL, CELLA_ERR_INVALID_ARG (pt outside the enclave),
 * CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_BACKEND (the platform did not give the key, or gave an all-zero one).
 * No freshness: any freshness version is accepted, so a replayed older blob unseals (see cella_unseal_fresh).
 */
CELLA_API CELLA_MUST_USE cella_result cella_unseal(const uint8_t *blob, size_t blob_len, void *pt, size_t pt_cap,
						   size_t *pt_len, void *aad, size_t aad_cap, size_t *aad_len)
	CELLA_NONNULL(1, 5, 8);

/*
 * cella_unseal that also refuses stale blobs: min_version comes from the application's trusted monotonic source
 * (a counter it trusts, not the host's word). The version is compared only after the tag verifies; a blob whose
 * authenticated version is below min_version gives CELLA_ERR_STALE, with pt wiped and nothing returned, like
 * any other refusal. min_version 0 accepts every blob (cella_unseal). Other errors as cella_unseal.
 */
CELLA_API CELLA_MUST_USE cella_result cella_unseal_fresh(uint64_t min_version, const uint8_t *blob, size_t blob_len,
							 void *pt, size_t pt_cap, size_t *pt_len, void *aad,
							 size_t aad_cap, size_t *aad_len) CELLA_NONNULL(2, 6, 9);

#ifdef __cplusplus
}
#endif
#endif
