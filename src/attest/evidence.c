// SPDX-License-Identifier: MIT
/*
 * cella_verify_evidence, common part (both worlds): evidence envelopes, claims from the report body, the
 * policy. Quote cryptography is the world's back end (at_quote_verify). Every check fails fast: a result
 * variable is never reused across checks.
 */
#include "attest_internal.h"

#include <string.h>

static const uint8_t uuid_sgx_ecdsa[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
static const uint8_t uuid_raw_quote[16] = CELLA_FORMAT_UUID_RAW_SGX_QUOTE_ECDSA;

size_t at_quote_len(const uint8_t *p, size_t len)
{
	uint32_t sig_len;
	if (len < AT_QUOTE_MIN_BYTES || cella_le16(p) != 3)
		return 0;
	sig_len = cella_le32(p + AT_QUOTE_HEADER_BYTES + AT_REPORT_BODY_BYTES);
	if (sig_len > len - AT_QUOTE_MIN_BYTES)
		return 0;
	return AT_QUOTE_MIN_BYTES + sig_len;
}

static void fill_claims(const struct at_quote_result *q, const uint8_t uuid[16], struct cella_claims *c)
{
	const uint8_t *b = q->body;
	uint64_t flags = cella_le64(b + AT_RB_FLAGS);
	memset(c, 0, sizeof(*c));
	c->id_version = 0;
	c->security_version = cella_le16(b + AT_RB_SVN);
	c->attributes = CELLA_EVIDENCE_ATTR_REMOTE | ((flags & 0x2) ? CELLA_EVIDENCE_ATTR_DEBUG : 0);
	memcpy(c->unique_id, b + AT_RB_MRENCLAVE, 32);
	memcpy(c->signer_id, b + AT_RB_MRSIGNER, 32);
	memcpy(c->product_id, b + AT_RB_PROD_ID, 2);
	memcpy(c->format_uuid, uuid, 16);
	c->tcb_status = q->tcb_status;
	c->validity_from = q->valid_from;
	c->validity_until = q->valid_until;
	memcpy(c->sgx_report_data, b + AT_RB_REPORT_DATA, 64);
	memcpy(c->sgx_cpu_svn, b + AT_RB_CPU_SVN, 16);
	memcpy(c->sgx_config_id, b + AT_RB_CONFIG_ID, 64);
	c->sgx_config_svn = cella_le16(b + AT_RB_CONFIG_SVN);
	memcpy(c->sgx_isv_family_id, b + AT_RB_FAMILY_ID, 16);
	memcpy(c->sgx_isv_extended_product_id, b + AT_RB_EXT_PROD_ID, 16);
	c->sgx_is_mode64bit = (flags & 0x04) != 0;
	c->sgx_has_provision_key = (flags & 0x10) != 0;
	c->sgx_has_einittoken_key = (flags & 0x20) != 0;
	c->sgx_uses_kss = (flags & 0x80) != 0;
	c->sgx_pf_gp_exit_info_enabled = (cella_le32(b + AT_RB_MISC_SELECT) & 0x1) != 0;
	c->software_tee = q->software;
}

static cella_result apply_policy(const struct cella_evidence_policy *p, const struct cella_claims *c)
{
	uint16_t prod = cella_le16(c->product_id);
	uint32_t allowed = p->allowed_tcb ? p->allowed_tcb : CELLA_EVIDENCE_TCB_BIT(CELLA_EVIDENCE_TCB_UP_TO_DATE);
	if (c->software_tee) {
		if (!p->allow_software_tee)
			return CELLA_ERR_POLICY;
	} else if (c->tcb_status > 31 || !(allowed & CELLA_EVIDENCE_TCB_BIT(c->tcb_status))) {
		return CELLA_ERR_POLICY;
	}
	if ((c->attributes & CELLA_EVIDENCE_ATTR_DEBUG) && !p->allow_debug)
		return CELLA_ERR_POLICY;
	if (!p->mrenclave && !p->mrsigner && !p->any_identity)
		return CELLA_ERR_POLICY; /* never "any enclave" by accident */
	if (p->mrenclave && memcmp(p->mrenclave, c->unique_id, 32) != 0)
		return CELLA_ERR_POLICY;
	if (p->mrsigner && memcmp(p->mrsigner, c->signer_id, 32) != 0)
		return CELLA_ERR_POLICY;
	if (p->check_product_id && prod != p->product_id)
		return CELLA_ERR_POLICY;
	if (c->security_version < p->min_svn)
		return CELLA_ERR_POLICY;
	return CELLA_OK;
}

cella_result at_policy_check(const struct cella_evidence_policy *p, bool parse_roots)
{
	if (p->time <= 0 || (p->root_count && !p->roots))
		return CELLA_ERR_INVALID_ARG;
	for (size_t i = 0; i < p->root_count; i++)
		if (!p->roots[i].cert || (parse_roots && !at_root_ok(&p->roots[i])))
			return CELLA_ERR_INVALID_ARG;
	return CELLA_OK;
}

cella_result at_evidence_split(const uint8_t *ev, size_t len, const uint8_t **quote, size_t *qlen,
			       const uint8_t **custom, size_t *custom_len, const uint8_t **uuid)
{
	*custom = NULL;
	*custom_len = 0;
	*uuid = uuid_raw_quote;
	if (len >= CELLA_EVIDENCE_HEADER_BYTES && cella_le32(ev) == CELLA_EVIDENCE_HEADER_VERSION) {
		uint64_t data_size = cella_le64(ev + 20);
		if (data_size != len - CELLA_EVIDENCE_HEADER_BYTES)
			return CELLA_ERR_QUOTE_FORMAT;
		*quote = ev + CELLA_EVIDENCE_HEADER_BYTES;
		*qlen = at_quote_len(*quote, (size_t)data_size);
		if (*qlen == 0)
			return CELLA_ERR_QUOTE_FORMAT;
		if (memcmp(ev + 4, uuid_sgx_ecdsa, 16) == 0) {
			*uuid = uuid_sgx_ecdsa;
			*custom = *quote + *qlen;
			*custom_len = (size_t)data_size - *qlen;
		} else if (memcmp(ev + 4, uuid_raw_quote, 16) != 0 || *qlen != data_size) {
			return CELLA_ERR_QUOTE_FORMAT; /* another format, or trailing bytes */
		}
		return CELLA_OK;
	}
	*quote = ev;
	*qlen = at_quote_len(ev, len);
	if (*qlen == 0 || *qlen != len)
		return len >= 2 && cella_le16(ev) != 3 ? CELLA_ERR_QUOTE_VERSION : CELLA_ERR_QUOTE_FORMAT;
	return CELLA_OK;
}

cella_result at_verify_evidence(const uint8_t *evidence, size_t len, const uint8_t *endorsements,
				size_t endorsements_len, struct cella_collateral *parsed,
				const struct cella_evidence_policy *policy, struct cella_claims *claims)
{
	struct at_quote_result q;
	struct cella_claims c;
	uint8_t *ev = NULL, *en = NULL, h[32];
	const uint8_t *quote, *custom, *uuid;
	size_t qlen, custom_len;
	cella_result r = CELLA_ERR_UNEXPECTED;

	/* no evidence, a length without its buffer, a root without its certificate: the caller's mistake, not malformed
	 * input (NULL was copied from before) */
	if (!evidence || len == 0 || (endorsements_len && !endorsements) || policy->report_data_len > 64 ||
	    (policy->report_data_len && !policy->report_data))
		return CELLA_ERR_INVALID_ARG;
	if ((r = at_policy_check(policy, false)) != CELLA_OK)
		return r;
	/* one copy of everything before parsing: the caller's buffers may be host memory */
	ev = at_copy_in(evidence, len);
	en = endorsements_len ? at_copy_in(endorsements, endorsements_len) : NULL;
	if (!ev || (endorsements_len && !en))
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);

	CELLA_CHECK(at_evidence_split(ev, len, &quote, &qlen, &custom, &custom_len, &uuid));
	CELLA_CHECK(at_quote_verify(quote, qlen, en, endorsements_len, parsed, policy, &q));
	fill_claims(&q, uuid, &c);
	if (custom) {
		c.custom_claims_len = custom_len < sizeof(c.custom_claims) ? custom_len : sizeof(c.custom_claims);
		memcpy(c.custom_claims, custom, c.custom_claims_len);
	}
	/* From here on the evidence is genuine: the claims go back even when the policy refuses them. */
	if (custom) {
		at_sha256(custom, custom_len, h);
		if (memcmp(h, c.sgx_report_data, 32) != 0)
			r = CELLA_ERR_REPORT_DATA;
		else
			r = CELLA_OK;
	} else {
		r = CELLA_OK;
	}
	if (r == CELLA_OK && policy->report_data_len &&
	    memcmp(policy->report_data, c.sgx_report_data, policy->report_data_len) != 0)
		r = CELLA_ERR_REPORT_DATA;
	if (r == CELLA_OK)
		r = apply_policy(policy, &c);
	*claims = c;
out:
	at_free(ev);
	at_free(en);
	return r;
}

/* see cella/evidence.h */
cella_result cella_verify_evidence(const uint8_t *evidence, size_t len, const uint8_t *endorsements,
				   size_t endorsements_len, const struct cella_evidence_policy *policy,
				   struct cella_claims *claims)
{
	return at_verify_evidence(evidence, len, endorsements, endorsements_len, NULL, policy, claims);
}

/* ---- claims by name ---- */

#define CL(name, field) {name, offsetof(struct cella_claims, field), sizeof(((struct cella_claims *)0)->field)}
static const struct {
	const char *name;
	size_t off, size;
} table[] = {
	CL(CELLA_CLAIM_ID_VERSION, id_version),
	CL(CELLA_CLAIM_SECURITY_VERSION, security_version),
	CL(CELLA_CLAIM_ATTRIBUTES, attributes),
	CL(CELLA_CLAIM_UNIQUE_ID, unique_id),
	CL(CELLA_CLAIM_SIGNER_ID, signer_id),
	CL(CELLA_CLAIM_PRODUCT_ID, product_id),
	CL(CELLA_CLAIM_FORMAT_UUID, format_uuid),
	CL(CELLA_CLAIM_TCB_STATUS, tcb_status),
	CL(CELLA_CLAIM_VALIDITY_FROM, validity_from),
	CL(CELLA_CLAIM_VALIDITY_UNTIL, validity_until),
	CL(CELLA_CLAIM_SGX_REPORT_DATA, sgx_report_data),
	CL(CELLA_CLAIM_SGX_CPU_SVN, sgx_cpu_svn),
	CL(CELLA_CLAIM_SGX_CONFIG_ID, sgx_config_id),
	CL(CELLA_CLAIM_SGX_CONFIG_SVN, sgx_config_svn),
	CL(CELLA_CLAIM_SGX_ISV_FAMILY_ID, sgx_isv_family_id),
	CL(CELLA_CLAIM_SGX_ISV_EXTENDED_PRODUCT_ID, sgx_isv_extended_product_id),
	CL(CELLA_CLAIM_SGX_IS_MODE64BIT, sgx_is_mode64bit),
	CL(CELLA_CLAIM_SGX_HAS_PROVISION_KEY, sgx_has_provision_key),
	CL(CELLA_CLAIM_SGX_HAS_EINITTOKEN_KEY, sgx_has_einittoken_key),
	CL(CELLA_CLAIM_SGX_USES_KSS, sgx_uses_kss),
	CL(CELLA_CLAIM_SGX_PF_GP_EXIT_INFO_ENABLED, sgx_pf_gp_exit_info_enabled),
	CL(CELLA_CLAIM_SOFTWARE_TEE, software_tee),
	CL(CELLA_CLAIM_CUSTOM_CLAIMS_BUFFER, custom_claims), /* size fixed up below */
};

/* see cella/evidence.h */
cella_result cella_claims_at(const struct cella_claims *claims, size_t i, const char **name, const uint8_t **value,
			     size_t *size)
{
	if (i >= sizeof(table) / sizeof(table[0]))
		return CELLA_ERR_NOT_FOUND;
	*name = table[i].name;
	*value = (const uint8_t *)claims + table[i].off;
	*size = table[i].off == offsetof(struct cella_claims, custom_claims) ? claims->custom_claims_len : table[i].size;
	return CELLA_OK;
}

/* see cella/evidence.h */
cella_result cella_claims_find(const struct cella_claims *claims, const char *name, const uint8_t **value,
			       size_t *size)
{
	const char *n;
	for (size_t i = 0; cella_claims_at(claims, i, &n, value, size) == CELLA_OK; i++)
		if (strcmp(n, name) == 0)
			return CELLA_OK;
	return CELLA_ERR_NOT_FOUND;
}
