// SPDX-License-Identifier: MIT
/* Names and descriptions of cella_result codes. */
#include <cella/result.h>

#define R(code, text) {code, #code, text}
static const struct {
	cella_result code;
	const char *name;
	const char *text;
} results[] = {
	R(CELLA_OK, "success"),
	R(CELLA_ERR_UNEXPECTED, "unexpected internal error"),
	R(CELLA_ERR_INVALID_ARG, "invalid argument"),
	R(CELLA_ERR_OUT_OF_MEMORY, "out of memory"),
	R(CELLA_ERR_OVERFLOW, "size computation overflows"),
	R(CELLA_ERR_NOT_FOUND, "not found"),
	R(CELLA_ERR_IO, "I/O error"),
	R(CELLA_ERR_BAD_FORMAT, "malformed input"),
	R(CELLA_ERR_BUFFER_TOO_SMALL, "buffer too small"),
	R(CELLA_ERR_UNSUPPORTED, "not supported"),
	R(CELLA_ERR_INVALID_STATE, "invalid state for this call"),
	R(CELLA_ERR_TOO_LARGE, "input exceeds a limit"),
	R(CELLA_ERR_NO_FILE, "no such file"),
	R(CELLA_ERR_TRUNCATED, "input is truncated"),
	R(CELLA_ERR_CRYPTO, "cryptographic operation failed"),
	R(CELLA_ERR_PERMISSION, "permission denied"),
	R(CELLA_ERR_PEER_CLOSED, "the peer closed the connection"),
	R(CELLA_ERR_IMAGE_NOT_ELF, "enclave image is not a 64-bit little-endian ELF file"),
	R(CELLA_ERR_IMAGE_MACHINE, "enclave image is not for x86-64"),
	R(CELLA_ERR_IMAGE_NOT_PIE, "enclave image is not a static position-independent executable"),
	R(CELLA_ERR_IMAGE_RELOCATION, "enclave image has a relocation other than R_X86_64_RELATIVE"),
	R(CELLA_ERR_IMAGE_TEXTREL, "enclave image has text relocations"),
	R(CELLA_ERR_IMAGE_NO_PROPERTIES, "enclave image has no .cella properties section"),
	R(CELLA_ERR_IMAGE_PROPERTIES, "enclave properties are invalid"),
	R(CELLA_ERR_IMAGE_SEGMENTS, "enclave image segments are malformed"),
	R(CELLA_ERR_IMAGE_TOO_LARGE, "enclave would be too large"),
	R(CELLA_ERR_SIGSTRUCT, "SIGSTRUCT is malformed"),
	R(CELLA_ERR_SIGNATURE, "SIGSTRUCT signature does not verify"),
	R(CELLA_ERR_MEASUREMENT, "MRENCLAVE differs from SIGSTRUCT.ENCLAVEHASH"),
	R(CELLA_ERR_NOT_SIGNED, "enclave is not signed"),
	R(CELLA_ERR_DEBUG_MISMATCH, "debug attribute does not match the create flags"),
	R(CELLA_ERR_ATTRIBUTES, "attributes or MISCSELECT violate the signed masks"),
	R(CELLA_ERR_KEY, "signing key must be RSA-3072 with public exponent 3"),
	R(CELLA_ERR_ENCLAVE_LOST, "enclave lost"),
	R(CELLA_ERR_OUT_OF_TCS, "all enclave threads (TCS) are busy"),
	R(CELLA_ERR_INVALID_FUNCTION, "no such ecall or ocall"),
	R(CELLA_ERR_ECALL_NOT_ALLOWED, "ecall not allowed here"),
	R(CELLA_ERR_OCALL_NOT_ALLOWED, "ocall not allowed here"),
	R(CELLA_ERR_BACKEND, "enclave backend failed"),
	R(CELLA_ERR_NO_DEVICE, "SGX device not available"),
	R(CELLA_ERR_HOST_POINTER, "host pointer is not wholly outside the enclave"),
	R(CELLA_ERR_BAD_STRING, "string is not NUL-terminated within its bound"),
	R(CELLA_ERR_MARSHAL, "argument buffer is malformed"),
	R(CELLA_ERR_REENTRANT, "call not allowed in the current call state"),
	R(CELLA_ERR_MAC_MISMATCH, "MAC mismatch"),
	R(CELLA_ERR_INVALID_KEYNAME, "invalid key name"),
	R(CELLA_ERR_INVALID_CPUSVN, "CPUSVN is newer than the platform's"),
	R(CELLA_ERR_INVALID_ISVSVN, "ISVSVN is newer than the enclave's"),
	R(CELLA_ERR_SEALED_BLOB, "sealed blob is malformed"),
	R(CELLA_ERR_REPORT_DATA, "report data does not match"),
	R(CELLA_ERR_STALE, "sealed blob is older than the minimum version"),
	R(CELLA_ERR_SEAL_BACKEND, "sealed blob was sealed by another backend"),
	R(CELLA_ERR_QUOTE_FORMAT, "quote is malformed"),
	R(CELLA_ERR_QUOTE_VERSION, "quote version or type not supported"),
	R(CELLA_ERR_CERT_DATA_TYPE, "certification data type not supported"),
	R(CELLA_ERR_CERT_CHAIN, "certificate chain does not verify"),
	R(CELLA_ERR_UNTRUSTED_ROOT, "certificate chain ends in an untrusted root"),
	R(CELLA_ERR_REVOKED, "certificate revoked"),
	R(CELLA_ERR_EXPIRED, "outside validity period"),
	R(CELLA_ERR_CRL, "CRL is malformed or does not verify"),
	R(CELLA_ERR_COLLATERAL, "collateral is malformed or does not match"),
	R(CELLA_ERR_COLLATERAL_SIGNATURE, "collateral signature does not verify"),
	R(CELLA_ERR_QE_REPORT, "quoting enclave report does not verify"),
	R(CELLA_ERR_QUOTE_SIGNATURE, "quote signature does not verify"),
	R(CELLA_ERR_TCB_LEVEL, "no TCB level matches the platform"),
	R(CELLA_ERR_PCK_EXTENSION, "PCK certificate SGX extension is malformed"),
	R(CELLA_ERR_FETCH, "collateral could not be fetched"),
	R(CELLA_ERR_POLICY, "policy refused the evidence"),
	R(CELLA_ERR_SERVICE, "service error"),
	R(CELLA_ERR_MODEL, "model is malformed"),
	R(CELLA_ERR_MODEL_UNSUPPORTED, "model uses an unsupported operator or opset"),
	R(CELLA_ERR_MODEL_SHAPE, "model shapes are inconsistent"),
};
#undef R

/* see cella/result.h */
const char *cella_result_str(cella_result r)
{
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (results[i].code == r)
			return results[i].text;
	return "unknown result";
}

/* see cella/result.h */
const char *cella_result_name(cella_result r)
{
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (results[i].code == r)
			return results[i].name;
	return "CELLA_ERR_UNKNOWN";
}
