// SPDX-License-Identifier: MIT
/*
 * BearSSL verification callback: a br_x509_class that takes the peer's end-entity certificate, ignores any CA
 * chain, and accepts the peer only if cella_verify_attest_cert() accepts its evidence under the policy.
 */
#include <cella/tls.h>

#include <bearssl.h>
#include <stdlib.h>
#include <string.h>

#include "attest_internal.h"

#define BR_ERR_CELLA_EVIDENCE (BR_ERR_X509_NOT_TRUSTED) /* what the TLS engine reports on a refusal */

struct cella_tls_verifier {
	const br_x509_class *vtable; /* first: BearSSL passes &v->vtable around */
	struct cella_evidence_policy policy;
	uint8_t *cert;
	size_t len, cap;
	int depth;
	int overflow;
	cella_result result;
	struct cella_claims claims;
	uint8_t point[65];
	br_x509_pkey pkey;
};

static struct cella_tls_verifier *self(const br_x509_class **ctx)
{
	return (struct cella_tls_verifier *)(void *)ctx;
}

static void start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct cella_tls_verifier *v = self(ctx);
	(void)server_name; /* identity is the evidence, not a DNS name */
	v->len = 0;
	v->depth = 0;
	v->overflow = 0;
	v->result = CELLA_ERR_NOT_FOUND;
}

static void start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct cella_tls_verifier *v = self(ctx);
	if (v->depth++ == 0 && length > v->cap)
		v->overflow = 1;
}

static void append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct cella_tls_verifier *v = self(ctx);
	if (v->depth != 1 || v->overflow)
		return;
	if (len > v->cap - v->len) {
		v->overflow = 1;
		return;
	}
	memcpy(v->cert + v->len, buf, len);
	v->len += len;
}

static void end_cert(const br_x509_class **ctx)
{
	(void)ctx;
}

static unsigned end_chain(const br_x509_class **ctx)
{
	struct cella_tls_verifier *v = self(ctx);
	if (v->depth == 0 || v->overflow) {
		v->result = CELLA_ERR_BAD_FORMAT;
		return BR_ERR_CELLA_EVIDENCE;
	}
	v->result = at_attest_cert_verify(v->cert, v->len, NULL, 0, NULL, &v->policy, &v->claims, v->point);
	if (v->result != CELLA_OK)
		return BR_ERR_CELLA_EVIDENCE;
	v->pkey.key_type = BR_KEYTYPE_EC;
	v->pkey.key.ec.curve = BR_EC_secp256r1;
	v->pkey.key.ec.q = v->point;
	v->pkey.key.ec.qlen = 65;
	return 0;
}

static const br_x509_pkey *get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct cella_tls_verifier *v = (const struct cella_tls_verifier *)(const void *)ctx;
	if (v->result != CELLA_OK)
		return NULL;
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return &v->pkey;
}

static const br_x509_class verifier_class = {
	sizeof(struct cella_tls_verifier), start_chain, start_cert, append, end_cert, end_chain, get_pkey,
};

/* see cella/tls.h */
cella_result cella_tls_verifier_new(const struct cella_evidence_policy *policy, struct cella_tls_verifier **out)
{
	struct cella_tls_verifier *v;
	/* a policy no verification could use is refused now, not at the first handshake (report data: the peer's key,
	 * then what the policy requires bound with it) */
	cella_result r = at_policy_check(policy, true);
	if (r == CELLA_OK)
		r = at_cert_policy_check(policy);
	if (r != CELLA_OK)
		return r;
	if (!(v = calloc(1, sizeof(*v))))
		return CELLA_ERR_OUT_OF_MEMORY;
	v->cap = CELLA_ATTEST_CERT_MAX_BYTES;
	v->cert = malloc(v->cap);
	if (!v->cert) {
		free(v);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	v->vtable = &verifier_class;
	v->policy = *policy;
	v->result = CELLA_ERR_NOT_FOUND;
	*out = v;
	return CELLA_OK;
}

/* see cella/tls.h */
void cella_tls_verifier_free(struct cella_tls_verifier *v)
{
	if (!v)
		return;
	free(v->cert);
	free(v);
}

/* see cella/tls.h */
const struct br_x509_class_ **cella_tls_verifier_x509(struct cella_tls_verifier *v)
{
	return &v->vtable;
}

/* see cella/tls.h */
cella_result cella_tls_verifier_result(const struct cella_tls_verifier *v, struct cella_claims *claims)
{
	if (v->result == CELLA_OK && claims)
		*claims = v->claims;
	return v->result;
}
