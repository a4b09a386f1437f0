/* SPDX-License-Identifier: MIT */
/* The local-attestation interface (hand-written call ids). */
#ifndef LOCAL_ATTESTATION_H
#define LOCAL_ATTESTATION_H
#include <stdint.h>
enum {
	ECALL_TARGET_INFO = 0, /* out: struct cella_target_info of this enclave */
	ECALL_HELLO = 1,       /* in: peer's target info; out: struct la_hello (report for the peer + ECDH key) */
	ECALL_FINISH = 2,      /* in: peer's struct la_hello; out: 8-byte fingerprint of the derived key */
};
struct la_hello {
	uint8_t report[432]; /* struct cella_report, report_data = SHA-256(pub) || 0 */
	uint8_t pub[65];     /* ephemeral P-256 ECDH public key */
	uint8_t reserved[7];
};
#endif
