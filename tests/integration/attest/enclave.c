// SPDX-License-Identifier: MIT
/* Test enclave for the evidence API: produces evidence, and verifies other enclaves' evidence with BearSSL. */
#include <bearssl.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <cella/evidence.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "attest_ids.h"

static cella_result evidence(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	if (n != 64)
		return CELLA_ERR_INVALID_ARG;
	return cella_get_evidence(in, out, on, w);
}

static cella_result envelope(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const uint8_t uuid[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
	br_sha256_context h;
	uint8_t rd[64] = {0};
	uint32_t version = CELLA_EVIDENCE_HEADER_VERSION;
	uint64_t size;
	size_t qlen = 0;
	cella_result r;
	br_sha256_init(&h);
	br_sha256_update(&h, in, n);
	br_sha256_out(&h, rd);
	if (on < CELLA_EVIDENCE_HEADER_BYTES + n)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	r = cella_get_evidence(rd, out + CELLA_EVIDENCE_HEADER_BYTES, on - CELLA_EVIDENCE_HEADER_BYTES - n, &qlen);
	if (r != CELLA_OK)
		return r;
	memcpy(out + CELLA_EVIDENCE_HEADER_BYTES + qlen, in, n);
	size = qlen + n;
	memcpy(out, &version, 4);
	memcpy(out + 4, uuid, 16);
	memcpy(out + 20, &size, 8);
	*w = CELLA_EVIDENCE_HEADER_BYTES + (size_t)size;
	return CELLA_OK;
}

/* Verifies ev (enclave or host memory) under the flattened policy a; fills o. */
static void run_verify(const struct a_verify_in *a, const uint8_t *root_pem, const uint8_t *ev, struct cella_claims *c,
		       struct a_verify_out *o)
{
	struct cella_evidence_policy p;
	struct cella_evidence_root root[A_MAX_ROOTS];
	cella_result r;
	a_policy(a, root_pem, root, &p);
	memset(c, 0, sizeof(*c));
	if (a->flags & A_F_CERT)
		r = cella_verify_attest_cert(ev, a->evidence_len, NULL, 0, &p, c);
	else
		r = cella_verify_evidence(ev, a->evidence_len, NULL, 0, &p, c);
	memset(o, 0, sizeof(*o));
	o->result = (uint32_t)r;
	memcpy(o->unique_id, c->unique_id, 32);
	memcpy(o->signer_id, c->signer_id, 32);
	o->security_version = c->security_version;
	o->tcb_status = c->tcb_status;
	o->attributes = c->attributes;
	memcpy(o->report_data, c->sgx_report_data, 64);
}

/* A_VERIFY and A_VERIFY_HOST: the evidence follows the root in the input, or lies in host memory. */
static cella_result verify_common(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w, bool host)
{
	struct a_verify_in a;
	struct a_verify_out o;
	struct cella_claims *c;
	const uint8_t *ev;
	uint64_t addr;

	if (n < sizeof(a) || on < sizeof(o))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&a, in, sizeof(a));
	if (a.report_data_len > 64 || (uint64_t)a.root_len + (host ? 8 : a.evidence_len) != n - sizeof(a))
		return CELLA_ERR_INVALID_ARG;
	if (host) {
		memcpy(&addr, in + sizeof(a) + a.root_len, 8);
		ev = (const uint8_t *)(uintptr_t)addr;
		if (!a.evidence_len || !cella_is_outside_enclave(ev, a.evidence_len))
			return CELLA_ERR_INVALID_ARG;
	} else {
		ev = in + sizeof(a) + a.root_len;
	}
	if (!(c = malloc(sizeof(*c))))
		return CELLA_ERR_OUT_OF_MEMORY;
	run_verify(&a, in + sizeof(a), ev, c, &o);
	memcpy(out, &o, sizeof(o));
	*w = sizeof(o);
	free(c);
	return CELLA_OK; /* the verification result travels in o.result */
}

static cella_result verify(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	return verify_common(in, n, out, on, w, false);
}

static cella_result verify_host(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	return verify_common(in, n, out, on, w, true);
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[A_EVIDENCE] = {evidence, CELLA_ECALL_PUBLIC},
	[A_ENVELOPE] = {envelope, CELLA_ECALL_PUBLIC},
	[A_VERIFY] = {verify, CELLA_ECALL_PUBLIC},
	[A_VERIFY_HOST] = {verify_host, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);

#ifdef CELLA_TEST_VARIANT
const int cella_test_variant = CELLA_TEST_VARIANT;
#endif
