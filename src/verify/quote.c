// SPDX-License-Identifier: MIT
/* Quote v3/v4/v5 parsing, driven by the quote's own length fields (Intel DCAP sgx_quote_3.h, sgx_quote_4.h,
 * sgx_quote_5.h). */
#include "verify_internal.h"

#include <string.h>

#define QUOTE_ATT_KEY_ECDSA_P256 2u
#define CERT_TYPE_PCK_CHAIN 5u
#define CERT_TYPE_QE_REPORT 6u

/* A bounds-checked cursor over [p, end). */
struct cur {
	const uint8_t *p, *end;
};

static int take(struct cur *c, size_t n, const uint8_t **out)
{
	if ((size_t)(c->end - c->p) < n)
		return -1;
	*out = c->p;
	c->p += n;
	return 0;
}

static int take16(struct cur *c, uint16_t *v)
{
	const uint8_t *p;
	if (take(c, 2, &p))
		return -1;
	*v = cella_le16(p);
	return 0;
}

static int take32(struct cur *c, uint32_t *v)
{
	const uint8_t *p;
	if (take(c, 4, &p))
		return -1;
	*v = cella_le32(p);
	return 0;
}

/* QE report, its signature, QE auth data: common to v3 signature data and v4 type-6 payload. */
static cella_result read_qe_part(struct cur *c, struct cella_quote *q, struct cella_detail *d)
{
	uint16_t n;
	if (take(c, CELLA_SGX_REPORT_BODY_BYTES, &q->qe_report) || take(c, 64, &q->qe_report_sig) ||
	    take16(c, &n))
		return cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "signature data too short for the QE report");
	if (take(c, n, &q->qe_auth))
		return cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "QE authentication data (%u bytes) overruns", n);
	q->qe_auth_len = n;
	return CELLA_OK;
}

/* Type-5 certification data: PEM chain. The cursor must be at the type field; consumes to the end. */
static cella_result read_pck_chain(struct cur *c, struct cella_quote *q, struct cella_detail *d, const char *what)
{
	uint16_t type;
	uint32_t size;
	const uint8_t *pem;
	size_t n;
	if (take16(c, &type) || take32(c, &size))
		return cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "%s certification data header truncated", what);
	if (type != CERT_TYPE_PCK_CHAIN)
		return cella_vfy_fail(d, CELLA_ERR_CERT_DATA_TYPE,
				      "%s certification data type %u not supported (need 5, PCK certificate chain)",
				      what, type);
	if (take(c, size, &pem))
		return cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "%s certification data (%u bytes) overruns", what,
				      size);
	if (c->p != c->end)
		return cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "%zu bytes after the %s certification data",
				      (size_t)(c->end - c->p), what);
	n = size;
	while (n > 0 && pem[n - 1] == 0) /* the PEM chain is commonly NUL-terminated */
		n--;
	if (n == 0)
		return cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "empty PCK certificate chain");
	q->pck_chain = (const char *)pem;
	q->pck_chain_len = n;
	q->cert_type = CERT_TYPE_PCK_CHAIN;
	return CELLA_OK;
}

/* see cella/verify.h */
cella_result cella_quote_parse(const uint8_t *bytes, size_t len, struct cella_quote *out, struct cella_detail *d)
{
	struct cella_quote q;
	struct cur c = {bytes, bytes + len}, sc;
	const uint8_t *hdr, *sig_data;
	uint32_t sig_len, v32, body_size = 0;
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(&q, 0, sizeof(q));
	if (take(&c, CELLA_QUOTE_HEADER_BYTES, &hdr))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TRUNCATED, "quote shorter than its 48-byte header"));
	q.bytes = bytes;
	q.version = cella_le16(hdr);
	q.att_key_type = cella_le16(hdr + 2);
	v32 = cella_le32(hdr + 4);
	q.qe_svn = cella_le16(hdr + 8);
	q.pce_svn = cella_le16(hdr + 10);
	q.qe_vendor_id = hdr + 12;
	q.user_data = hdr + 28;
	if (q.version < 3 || q.version > 5)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_VERSION, "quote version %u not supported (3, 4 or 5)",
					  q.version));
	if (q.att_key_type != QUOTE_ATT_KEY_ECDSA_P256)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_VERSION,
					  "attestation key type %u not supported (2, ECDSA P-256)", q.att_key_type));
	if (q.version == 3) {
		if (v32 != 0) /* att_key_data_0: reserved */
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "quote v3 reserved header field is %#x",
						  v32));
		q.tee_type = CELLA_QUOTE_TEE_SGX;
	} else {
		if (v32 != CELLA_QUOTE_TEE_SGX && v32 != CELLA_QUOTE_TEE_TDX)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_VERSION, "TEE type %#x not supported", v32));
		q.tee_type = v32;
	}
	q.body_type = q.tee_type == CELLA_QUOTE_TEE_TDX ? CELLA_QUOTE_BODY_TD10 : CELLA_QUOTE_BODY_SGX;
	if (q.version == 5) {
		/* body descriptor: type u16, size u32; the type must be one the TEE produces, at its size */
		bool tdx_body;
		if (take16(&c, &q.body_type) || take32(&c, &body_size))
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TRUNCATED,
						  "quote v5 ends inside its body descriptor"));
		if (q.body_type < CELLA_QUOTE_BODY_SGX || q.body_type > CELLA_QUOTE_BODY_TD15)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT,
						  "quote v5 body type %u not supported (1 SGX, 2 TD 1.0, 3 TD 1.5)",
						  q.body_type));
		tdx_body = q.body_type != CELLA_QUOTE_BODY_SGX;
		if (tdx_body != (q.tee_type == CELLA_QUOTE_TEE_TDX))
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT,
						  "quote v5 body type %u in a quote of TEE type %#x", q.body_type,
						  q.tee_type));
	}
	q.body_len = q.body_type == CELLA_QUOTE_BODY_SGX    ? CELLA_SGX_REPORT_BODY_BYTES
		     : q.body_type == CELLA_QUOTE_BODY_TD10 ? CELLA_TDX_REPORT_BODY_BYTES
							    : CELLA_TDX15_REPORT_BODY_BYTES;
	if (q.version == 5 && body_size != q.body_len)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "quote v5 body type %u has size %u, not %zu",
					  q.body_type, body_size, q.body_len));
	q.signed_len = (size_t)(c.p - bytes) + q.body_len;
	if (take(&c, q.body_len, &q.body))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TRUNCATED, "quote shorter than its %zu-byte report body",
					  q.body_len));
	if (take32(&c, &sig_len))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TRUNCATED, "quote ends before signature_data_len"));
	if (take(&c, sig_len, &sig_data))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TRUNCATED,
					  "signature_data_len %u exceeds the %zu bytes left in the buffer", sig_len,
					  (size_t)(c.end - c.p)));
	q.len = q.signed_len + 4 + sig_len;
	sc.p = sig_data;
	sc.end = sig_data + sig_len;
	if (take(&sc, 64, &q.signature) || take(&sc, 64, &q.attest_key))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "signature data too short (%u bytes)", sig_len));
	if (q.version == 3) {
		CELLA_CHECK(read_qe_part(&sc, &q, d));
		CELLA_CHECK(read_pck_chain(&sc, &q, d, "quote"));
	} else {
		uint16_t type;
		uint32_t size;
		struct cur ic;
		if (take16(&sc, &type) || take32(&sc, &size))
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "certification data header truncated"));
		if (type != CERT_TYPE_QE_REPORT)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_DATA_TYPE,
						  "quote v%u certification data type %u not supported (need 6, QE "
						  "report certification data)",
						  q.version, type));
		ic.p = sc.p;
		if (take(&sc, size, &ic.end))
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT,
						  "QE report certification data (%u bytes) overruns", size));
		ic.end = ic.p + size;
		if (sc.p != sc.end)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "%zu bytes after the certification data",
						  (size_t)(sc.end - sc.p)));
		CELLA_CHECK(read_qe_part(&ic, &q, d));
		CELLA_CHECK(read_pck_chain(&ic, &q, d, "inner"));
		q.cert_type = CERT_TYPE_QE_REPORT;
	}
	*out = q;
	r = CELLA_OK;
out:
	return r;
}

/* see cella/verify.h */
void cella_sgx_report_decode(const uint8_t *b, struct cella_sgx_report *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->cpu_svn, b, 16);
	memcpy(o->misc_select, b + 16, 4);
	memcpy(o->isv_ext_prod_id, b + 32, 16);
	memcpy(o->attributes, b + 48, 16);
	o->flags = cella_le64(b + 48);
	o->xfrm = cella_le64(b + 56);
	memcpy(o->mr_enclave, b + 64, 32);
	memcpy(o->mr_signer, b + 128, 32);
	memcpy(o->config_id, b + 192, 64);
	o->isv_prod_id = cella_le16(b + 256);
	o->isv_svn = cella_le16(b + 258);
	o->config_svn = cella_le16(b + 260);
	memcpy(o->isv_family_id, b + 304, 16);
	memcpy(o->report_data, b + 320, 64);
}

/* see cella/verify.h */
void cella_tdx_report_decode(const uint8_t *b, struct cella_tdx_report *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->tee_tcb_svn, b, 16);
	memcpy(o->mr_seam, b + 16, 48);
	memcpy(o->mr_signer_seam, b + 64, 48);
	memcpy(o->seam_attributes, b + 112, 8);
	memcpy(o->td_attributes, b + 120, 8);
	memcpy(o->xfam, b + 128, 8);
	memcpy(o->mr_td, b + 136, 48);
	memcpy(o->mr_config_id, b + 184, 48);
	memcpy(o->mr_owner, b + 232, 48);
	memcpy(o->mr_owner_config, b + 280, 48);
	for (int i = 0; i < 4; i++)
		memcpy(o->rtmr[i], b + 328 + 48 * i, 48);
	memcpy(o->report_data, b + 520, 64);
}

/* see cella/verify.h */
void cella_quote_tdx_report(const struct cella_quote *q, struct cella_tdx_report *o)
{
	cella_tdx_report_decode(q->body, o);
	if (q->body_type == CELLA_QUOTE_BODY_TD15) {
		o->td15 = true;
		memcpy(o->tee_tcb_svn2, q->body + CELLA_TDX_REPORT_BODY_BYTES, 16);
		memcpy(o->mr_servicetd, q->body + CELLA_TDX_REPORT_BODY_BYTES + 16, CELLA_TDX_MR_BYTES);
	}
}
