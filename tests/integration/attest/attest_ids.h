/* SPDX-License-Identifier: MIT */
/* ecalls of the evidence test enclave. */
#ifndef CELLA_TEST_ATTEST_IDS_H
#define CELLA_TEST_ATTEST_IDS_H
#include <cella/evidence.h>
#include <stdint.h>
#include <string.h>

enum {
	A_EVIDENCE = 0,     /* in: 64 bytes report data; out: quote */
	A_ENVELOPE = 1,     /* in: custom claims; out: OE envelope (SGX_ECDSA) with report data = SHA-256(claims) */
	A_VERIFY = 2,       /* in: struct a_verify_in || root PEM || evidence; out: struct a_verify_out */
	A_VERIFY_HOST = 3,  /* in: struct a_verify_in || root PEM || u64 address of the evidence in host memory
			     * (evidence_len bytes): the verifier reads it there itself; out: struct a_verify_out */
};

#define A_MAX_ROOTS 8

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
	uint32_t root_splits[A_MAX_ROOTS - 1]; /* where the root bytes are cut into roots: increasing offsets, then
					       * zeros (all zero: one root) */
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
/* The policy a_verify_in flattens, for both verifiers (host and enclave); root is filled to point into root_pem. */
static inline void a_policy(const struct a_verify_in *a, const uint8_t *root_pem,
			    struct cella_evidence_root root[A_MAX_ROOTS], struct cella_evidence_policy *p)
{
	size_t n = 0, at = 0;
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < A_MAX_ROOTS - 1 && a->root_splits[i] > at && a->root_splits[i] < a->root_len; i++) {
		root[n].cert = root_pem + at;
		root[n++].len = a->root_splits[i] - at;
		at = a->root_splits[i];
	}
	if (at < a->root_len) {
		root[n].cert = root_pem + at;
		root[n++].len = a->root_len - at;
	}
	p->time = a->time;
	p->roots = n ? root : NULL;
	p->root_count = n;
	p->allow_software_tee = a->flags & A_F_SOFTWARE;
	p->allow_debug = a->flags & A_F_DEBUG;
	p->any_identity = a->flags & A_F_ANY;
	p->mrenclave = (a->flags & A_F_MRENCLAVE) ? a->mrenclave : NULL;
	p->mrsigner = (a->flags & A_F_MRSIGNER) ? a->mrsigner : NULL;
	p->check_product_id = a->flags & A_F_PRODUCT;
	p->product_id = a->product_id;
	p->min_svn = a->min_svn;
	p->report_data = a->report_data_len ? a->report_data : NULL;
	p->report_data_len = a->report_data_len;
}
#endif
