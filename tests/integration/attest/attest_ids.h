/* SPDX-License-Identifier: MIT */
/* ecalls of the evidence test enclave. */
#ifndef CELLA_TEST_ATTEST_IDS_H
#define CELLA_TEST_ATTEST_IDS_H
#include <stdint.h>

enum {
	A_EVIDENCE = 0,     /* in: 64 bytes report data; out: quote */
	A_ENVELOPE = 1,     /* in: custom claims; out: OE envelope (SGX_ECDSA) with report data = SHA-256(claims) */
	A_VERIFY = 2,       /* in: struct a_verify_in || root PEM || evidence; out: struct a_verify_out */
};

/* A policy flattened for the enclave (pointers cannot cross). */
struct a_verify_in {
	int64_t time;
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint8_t report_data[64];
	uint32_t flags; /* A_F_* */
	uint16_t product_id;
	uint16_t min_svn;
	uint32_t report_data_len;
	uint32_t root_len;
	uint32_t evidence_len;
	uint32_t reserved;
};
#define A_F_SOFTWARE 0x1u
#define A_F_DEBUG 0x2u
#define A_F_ANY 0x4u
#define A_F_MRENCLAVE 0x8u
#define A_F_MRSIGNER 0x10u
#define A_F_PRODUCT 0x20u
#define A_F_CERT 0x40u /* the evidence is an attested certificate */

struct a_verify_out {
	uint32_t result;
	uint32_t reserved;
	uint8_t unique_id[32];
	uint8_t signer_id[32];
	uint32_t security_version;
	uint32_t tcb_status;
	uint64_t attributes;
	uint8_t report_data[64];
};
#endif
