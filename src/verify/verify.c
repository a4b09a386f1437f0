// SPDX-License-Identifier: MIT
/* Quote verification: PCK chain, QE report, attestation-key binding, quote signature, TCB status. */
#include "verify_internal.h"

#include <openssl/err.h>
#include <string.h>

/* Intel's QE vendor ID (QVL QuoteConstants INTEL_QE_VENDOR_ID). */
static const uint8_t intel_qe_vendor_id[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
					       0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

/*
 * The quote's chain [leaf, PCK CA, root] into ch (the caller frees it, on failure too): the root carries the
 * anchor's key, the intermediate is a Processor or Platform CA, and each link is signed by the next.
 */
static cella_result pck_chain(const struct cella_quote *q, const uint8_t *point, struct vfy_pool *pool, X509 *ch[3],
			      struct cella_detail *d)
{
	size_t n = 0;
	cella_result r;
	if ((r = cella_vfy_pem_chain(q->pck_chain, q->pck_chain_len, ch, 3, 3, &n, pool, d)) != CELLA_OK ||
	    (r = cella_vfy_check_root(ch[2], point, "PCK certificate chain", pool, d)) != CELLA_OK)
		return r;
	if (!cella_vfy_cn_contains(X509_get_subject_name(ch[1]), "SGX PCK Processor CA") &&
	    !cella_vfy_cn_contains(X509_get_subject_name(ch[1]), "SGX PCK Platform CA"))
		return cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "PCK intermediate is neither Processor nor Platform CA");
	if ((r = cella_vfy_check_issued(ch[1], ch[2], "CA", pool, d)) != CELLA_OK)
		return r;
	return cella_vfy_check_issued(ch[0], ch[1], "SGX PCK Certificate", pool, d);
}

/* Builds (uncached) the PCK chain entry for one chain text. */
static void pck_entry_build(struct vfy_prepared *p, const struct cella_quote *q, struct vfy_pck_entry *e)
{
	X509 *ch[3] = {NULL, NULL, NULL};
	struct cella_detail *d = &e->detail;
	cella_result r = CELLA_ERR_UNEXPECTED;
	int64_t f, u;
	const uint8_t *ca_pt, *crl_ca_pt;

	e->from = INT64_MIN;
	e->until = INT64_MAX;
	CELLA_CHECK(pck_chain(q, p->root_point, &p->pool, ch, d));
	CELLA_CHECK(cella_vfy_pck_ext(ch[0], &e->info, d));
	/* The CRLs of the collateral must be the ones for this chain. */
	if (X509_NAME_cmp(X509_CRL_get_issuer(p->root_crl), X509_get_subject_name(ch[2])) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRL, "root CA CRL is not issued by the PCK chain's root"));
	ca_pt = cella_vfy_cert_point(ch[1]);
	crl_ca_pt = cella_vfy_cert_point(p->pck_ca);
	if (X509_NAME_cmp(X509_get_subject_name(ch[1]), X509_get_subject_name(p->pck_ca)) != 0 || !ca_pt ||
	    !crl_ca_pt || memcmp(ca_pt, crl_ca_pt, 65) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRL,
					  "PCK CRL is issued by a different CA than the quote's PCK certificate"));
	CELLA_CHECK(cella_vfy_check_not_revoked(p->root_crl, ch[1], "PCK CA certificate", d));
	CELLA_CHECK(cella_vfy_check_not_revoked(p->pck_crl, ch[0], "PCK certificate", d));
	for (int i = 0; i < 3; i++) {
		if (cella_vfy_asn1_time(X509_get0_notBefore(ch[i]), &f) ||
		    cella_vfy_asn1_time(X509_get0_notAfter(ch[i]), &u))
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "PCK chain certificate %d has a bad validity",
						  i + 1));
		e->from = f > e->from ? f : e->from;
		e->until = u < e->until ? u : e->until;
	}
	e->leaf_key = cella_vfy_cert_key(ch[0]);
	if (!e->leaf_key || EVP_PKEY_up_ref(e->leaf_key) != 1) {
		e->leaf_key = NULL;
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRYPTO, "PCK certificate key unusable"));
	}
	r = CELLA_OK;
out:
	e->r = r;
	for (int i = 0; i < 3; i++)
		X509_free(ch[i]);
}

/*
 * The cached PCK chain entry for the chain text hashed to h (built on a miss), with a reference for the caller;
 * NULL if out of memory. hashed: h holds the hash; without one the entry serves this verification only. Caller
 * holds the collateral's lock.
 */
static struct vfy_pck_entry *pck_entry(struct vfy_prepared *p, const struct cella_quote *q, const uint8_t *h,
				       bool hashed)
{
	struct vfy_pck_entry *e;
	for (unsigned i = 0; hashed && i < VFY_PCK_CACHE_SLOTS; i++)
		if (p->pck[i] && memcmp(p->pck[i]->hash, h, 32) == 0) {
			p->pck[i]->refs++;
			return p->pck[i];
		}
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	e->refs = 1;
	memcpy(e->hash, h, 32);
	pck_entry_build(p, q, e);
	if (hashed) {
		cella_vfy_pck_entry_put(p->pck[p->next_slot]); /* a verification using it keeps it */
		p->pck[p->next_slot] = e;
		e->refs++;
		p->next_slot = (p->next_slot + 1) % VFY_PCK_CACHE_SLOTS;
	}
	return e;
}

/*
 * The prepared collateral under `point` and the quote's PCK entry, each with a reference for the caller (who drops
 * them with cella_vfy_release, on failure too; *p and *e are NULL on entry and stay so where nothing was taken).
 * Only this lookup, and building what it misses, holds the lock.
 */
static cella_result acquire(struct cella_collateral *c, const uint8_t *point, const struct cella_quote *q,
			    struct vfy_prepared **p, struct vfy_pck_entry **e)
{
	uint8_t h[32];
	bool hashed = cella_vfy_sha256(q->pck_chain, q->pck_chain_len, h) == 0;
	cella_result r;
	if (!hashed)
		memset(h, 0, sizeof(h));
	pthread_mutex_lock(&c->lock);
	if ((r = cella_vfy_prepare(c, point, p)) == CELLA_OK) {
		(*p)->refs++;
		if ((*p)->r == CELLA_OK && !(*e = pck_entry(*p, q, h, hashed)))
			r = CELLA_ERR_OUT_OF_MEMORY;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* Adds l's advisory IDs not already listed. A result that cannot hold them all is an error, never a silent cut:
 * a policy may deny on any one of them. */
static cella_result add_advisories(struct cella_verify_result *res, const struct vfy_level *l,
				   struct cella_detail *d)
{
	for (size_t i = 0; l && i < l->advisory_count; i++) {
		size_t j;
		for (j = 0; j < res->advisory_count; j++)
			if (strcmp(res->advisory_ids[j], l->advisory_ids[i]) == 0)
				break;
		if (j < res->advisory_count)
			continue;
		if (res->advisory_count == CELLA_VERIFY_MAX_ADVISORIES)
			return cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "more than %u advisory IDs apply: a result holds %u",
					      CELLA_VERIFY_MAX_ADVISORIES, CELLA_VERIFY_MAX_ADVISORIES);
		memcpy(res->advisory_ids[res->advisory_count++], l->advisory_ids[i], CELLA_ADVISORY_ID_BYTES);
	}
	return CELLA_OK;
}

static int masked_eq(const uint8_t *v, const uint8_t *mask, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((v[i] & mask[i]) != want[i])
			return 0;
	return 1;
}

/* The tdxModuleIdentities entry "TDX_<version>" (two hex digits), or NULL. */
static const struct vfy_tdx_module *module_identity(const struct vfy_tcb_info *t, uint8_t version)
{
	char id[16];
	snprintf(id, sizeof(id), "TDX_%02X", version);
	for (size_t i = 0; i < t->module_id_count; i++)
		if (strcmp(t->module_ids[i].id, id) == 0)
			return &t->module_ids[i];
	return NULL;
}

/*
 * Intel QVL (QuoteVerifier.cpp 4.1.2.4.11): with a TDX module version in TEE_TCB_SVN[1], the TCB Info must carry
 * tdxModuleIdentities and one for that version (its MRSIGNER, attributes and levels replace tdxModule's); a module
 * SVN is then never judged by nothing. SEAMATTRIBUTES must be zero and equal the identity's attributes: the mask
 * is not applied.
 */
static cella_result tdx_module(const struct vfy_tcb_info *t, const struct cella_tdx_report *td,
			       cella_tcb_status *status, struct cella_detail *d)
{
	static const uint8_t zero[8];
	const struct vfy_tdx_module *m = &t->module;
	*status = CELLA_TCB_UP_TO_DATE;
	if (td->tee_tcb_svn[1] > 0) {
		if (t->module_id_count == 0)
			return cella_vfy_fail(d, CELLA_ERR_COLLATERAL,
					      "the quote names TDX module version %u but the TCB Info has no "
					      "tdxModuleIdentities",
					      td->tee_tcb_svn[1]);
		m = module_identity(t, td->tee_tcb_svn[1]);
		if (!m)
			return cella_vfy_fail(d, CELLA_ERR_TCB_LEVEL, "no TDX module identity TDX_%02X in the TCB Info",
					      td->tee_tcb_svn[1]);
	}
	if (memcmp(m->mrsigner, td->mr_signer_seam, 48) != 0)
		return cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "TDX module MRSIGNER does not match the TCB Info");
	if (memcmp(td->seam_attributes, zero, 8) != 0 || memcmp(td->seam_attributes, m->attributes, 8) != 0)
		return cella_vfy_fail(d, CELLA_ERR_COLLATERAL,
				      "TDX module attributes (SEAMATTRIBUTES) are not zero and equal to the TCB Info's");
	if (m->level_count) {
		const struct vfy_level *l = cella_vfy_isv_match(m->levels, m->level_count, td->tee_tcb_svn[0]);
		if (!l)
			return cella_vfy_fail(d, CELLA_ERR_TCB_LEVEL, "TDX module SVN %u below every level of %s",
					      td->tee_tcb_svn[0], m->id);
		*status = l->status;
	}
	return CELLA_OK;
}

static bool configuration_needed(cella_tcb_status s)
{
	return s == CELLA_TCB_CONFIGURATION_NEEDED || s == CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED ||
	       s == CELLA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED ||
	       s == CELLA_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED;
}

/*
 * Intel QVL's TD relaunch check (TDRelaunchCheck), for a TD report 1.5. When the QE is current, the platform's SGX
 * part is current (up to date, or needing only configuration or SW hardening), and its TDX part is out of date
 * because the TDX module is, a TD launched anew would run on the module that tee_tcb_svn2 describes. If that meets
 * the latest TCB level (its TDX component 0, or with a module version in tee_tcb_svn2[1] the latest level of that
 * module identity, and its TDX component 2), the status becomes TDRelaunchAdvised (or ...ConfigurationNeeded).
 * *status: the TDX status so far (platform converged with module), replaced when the check applies. The SGX part's
 * own level is looked up only then, so other verifications pay nothing for it.
 */
static cella_result td_relaunch(const struct vfy_tcb_info *t, const struct cella_pck_info *pck,
				const struct cella_tdx_report *td, cella_tcb_status module, cella_tcb_status qe,
				cella_tcb_status *status, struct cella_detail *d)
{
	const struct vfy_level *latest = &t->levels[0], *sgx_level; /* levels are sorted, latest first */
	const uint8_t *svn2 = td->tee_tcb_svn2;
	unsigned need0 = latest->tdx_svn[0];
	cella_tcb_status sgx;
	if (!td->td15 || qe == CELLA_TCB_OUT_OF_DATE || qe == CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED ||
	    qe == CELLA_TCB_REVOKED || module != CELLA_TCB_OUT_OF_DATE ||
	    (*status != CELLA_TCB_OUT_OF_DATE && *status != CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED))
		return CELLA_OK;
	/* the SGX part alone: it matched with the TDX components too, so it matches without them */
	sgx_level = cella_vfy_tcb_match(t, pck, NULL);
	sgx = sgx_level ? sgx_level->status : CELLA_TCB_UNKNOWN;
	if (sgx != CELLA_TCB_UP_TO_DATE && sgx != CELLA_TCB_SW_HARDENING_NEEDED &&
	    sgx != CELLA_TCB_CONFIGURATION_NEEDED && sgx != CELLA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
		return CELLA_OK;
	if (svn2[1] != 0) {
		const struct vfy_tdx_module *m = module_identity(t, svn2[1]);
		if (!m || m->level_count == 0)
			return cella_vfy_fail(d, CELLA_ERR_TCB_LEVEL,
					      "TCB Info has no TDX module identity TDX_%02X (tee_tcb_svn2) with levels",
					      svn2[1]);
		need0 = m->levels[0].isv_svn;
	}
	if (svn2[0] >= need0 && svn2[2] >= latest->tdx_svn[2])
		*status = configuration_needed(sgx) || configuration_needed(*status)
				  ? CELLA_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED
				  : CELLA_TCB_TD_RELAUNCH_ADVISED;
	return CELLA_OK;
}

static cella_result quote_verify_trust(const struct cella_trust *trust, const struct cella_quote *q,
				       struct cella_collateral *c, int64_t at, struct cella_verify_result *res)
{
	struct vfy_prepared *p = NULL;
	struct vfy_pck_entry *e = NULL;
	struct cella_detail *d = &res->detail;
	struct cella_quote_claims *cl = &res->claims;
	const struct vfy_level *plat = NULL, *qel = NULL;
	cella_tcb_status module_status = CELLA_TCB_UP_TO_DATE;
	uint8_t h[32];
	EVP_PKEY *ak = NULL;
	bool tdx = q->tee_type == CELLA_QUOTE_TEE_TDX;
	char t1[32], t2[32], t3[32];
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(res, 0, sizeof(*res));
	cl->quote_version = q->version;
	cl->tee_type = q->tee_type;
	if (tdx) {
		cella_quote_tdx_report(q, &cl->tdx);
		cl->is_debug = cl->tdx.td_attributes[0] & CELLA_TDX_TD_ATTRIBUTES_DEBUG;
	} else {
		cella_sgx_report_decode(q->body, &cl->sgx);
		cl->is_debug = cl->sgx.flags & CELLA_SGX_FLAGS_DEBUG;
	}
	cella_sgx_report_decode(q->qe_report, &cl->qe);
	if (memcmp(q->qe_vendor_id, intel_qe_vendor_id, 16) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_FORMAT, "QE vendor ID is not Intel's"));

	/* 1. collateral: chains, CRLs, signatures (cached per trust anchor); 2. the quote's PCK chain (cached per
	 * chain text) */
	CELLA_CHECK(acquire(c, trust->point, q, &p, &e));
	if (p->r != CELLA_OK) {
		*d = p->detail;
		CELLA_FAIL(p->r);
	}
	cl->pck = e->info;
	if (e->r != CELLA_OK) {
		*d = e->detail;
		if (e->r == CELLA_ERR_REVOKED)
			res->status = res->platform_status = CELLA_TCB_REVOKED;
		CELLA_FAIL(e->r);
	}
	/* 3. time: every certificate, CRL and document valid at `at` */
	res->valid_from = p->from > e->from ? p->from : e->from;
	res->valid_until = p->until < e->until ? p->until : e->until;
	if (at < res->valid_from || at > res->valid_until)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_EXPIRED, "collateral not valid at %s (valid %s to %s)",
					  cella_time_format(at, t1, sizeof(t1)),
					  cella_time_format(res->valid_from, t2, sizeof(t2)),
					  cella_time_format(res->valid_until, t3, sizeof(t3))));
	/* 4. the collateral describes this platform and TEE */
	if (p->tcb.tdx != tdx)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "TCB Info is for %s, the quote is %s",
					  p->tcb.tdx ? "TDX" : "SGX", tdx ? "TDX" : "SGX"));
	if (memcmp(p->tcb.fmspc, e->info.fmspc, 6) != 0 || memcmp(p->tcb.pce_id, e->info.pce_id, 2) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "TCB Info FMSPC/PCE-ID differ from the PCK certificate's"));
	if (strcmp(p->qe.id, tdx ? "TD_QE" : "QE") != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "QE Identity id \"%s\" does not fit a %s quote", p->qe.id,
					  tdx ? "TDX" : "SGX"));
	/* 5. QE report: signed by the PCK key, binds the attestation key, matches the QE Identity */
	if (!cella_vfy_ecdsa_verify(e->leaf_key, q->qe_report, CELLA_SGX_REPORT_BODY_BYTES, q->qe_report_sig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT, "QE report signature does not verify with the PCK key"));
	if (cella_vfy_sha256_2(q->attest_key, CELLA_QUOTE_KEY_BYTES, q->qe_auth, q->qe_auth_len, h) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRYPTO, "SHA-256 failed"));
	if (memcmp(h, cl->qe.report_data, 32) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT,
					  "QE report data does not bind the attestation key (SHA-256(key || auth data))"));
	if (!masked_eq(cl->qe.misc_select, p->qe.miscselect_mask, p->qe.miscselect, 4))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT, "QE MISCSELECT does not match the QE Identity"));
	if (!masked_eq(cl->qe.attributes, p->qe.attributes_mask, p->qe.attributes, 16))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT, "QE ATTRIBUTES do not match the QE Identity"));
	if (memcmp(cl->qe.mr_signer, p->qe.mrsigner, 32) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT, "QE MRSIGNER does not match the QE Identity"));
	if (cl->qe.isv_prod_id != p->qe.isv_prod_id)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT, "QE ISVPRODID %u, QE Identity says %u",
					  cl->qe.isv_prod_id, p->qe.isv_prod_id));
	qel = cella_vfy_isv_match(p->qe.levels, p->qe.level_count, cl->qe.isv_svn);
	if (!qel)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TCB_LEVEL, "QE ISVSVN %u is below every QE Identity level",
					  cl->qe.isv_svn));
	res->qe_status = qel->status;
	/* 6. the quote signature by the attestation key over header and body */
	ak = cella_vfy_key_from_xy(q->attest_key);
	if (!ak)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_SIGNATURE, "attestation key is not a P-256 point"));
	if (!cella_vfy_ecdsa_verify(ak, q->bytes, q->signed_len, q->signature))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_SIGNATURE, "quote signature does not verify"));
	/* 7. TCB level and status */
	plat = cella_vfy_tcb_match(&p->tcb, &e->info, tdx ? &cl->tdx : NULL);
	if (!plat)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TCB_LEVEL, "platform TCB is below every TCB Info level"));
	res->platform_status = plat->status;
	res->status = plat->status;
	if (tdx && p->tcb.has_module) {
		CELLA_CHECK(tdx_module(&p->tcb, &cl->tdx, &module_status, d));
		res->status = cella_vfy_converge(plat->status, module_status);
		CELLA_CHECK(td_relaunch(&p->tcb, &e->info, &cl->tdx, module_status, cella_vfy_qe_status(qel->status),
					&res->status, d));
	}
	res->status = cella_vfy_converge(res->status, cella_vfy_qe_status(qel->status));
	CELLA_CHECK(add_advisories(res, plat, d));
	if (qel->status != CELLA_TCB_UP_TO_DATE)
		CELLA_CHECK(add_advisories(res, qel, d));
	cl->tcb_evaluation_data_number = p->tcb.eval_number;
	cl->qe_tcb_evaluation_data_number = p->qe.eval_number;
	cl->tcb_date = plat->tcb_date;
	if (res->status == CELLA_TCB_REVOKED)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_REVOKED, "TCB level is Revoked"));
	r = CELLA_OK;
out:
	/* a failed verification has no TCB status (a revoked one has: Revoked), whatever was set on the way */
	if (r != CELLA_OK && r != CELLA_ERR_REVOKED)
		res->status = CELLA_TCB_UNKNOWN;
	cella_vfy_release(c, p, e);
	EVP_PKEY_free(ak);
	return r;
}

/* see cella/verify.h; OpenSSL's error queue left as the caller had it */
cella_result cella_quote_verify_trust(const struct cella_trust *trust, const struct cella_quote *q,
				      struct cella_collateral *c, int64_t at, struct cella_verify_result *res)
{
	cella_result r;
	ERR_set_mark();
	r = quote_verify_trust(trust, q, c, at, res);
	ERR_pop_to_mark();
	return r;
}

/* see cella/verify.h */
cella_result cella_quote_verify(const struct cella_quote *q, struct cella_collateral *c, int64_t at,
				struct cella_verify_result *res)
{
	struct cella_trust t;
	struct cella_trust *tp = NULL;
	if (cella_trust_new_intel(&tp) != CELLA_OK) {
		memset(res, 0, sizeof(*res));
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	t = *tp;
	cella_trust_free(tp);
	return cella_quote_verify_trust(&t, q, c, at, res);
}

static cella_result quote_pck_info(const struct cella_quote *q, struct cella_pck_info *out, struct cella_detail *d)
{
	X509 *ch[4] = {NULL, NULL, NULL, NULL};
	size_t n = 0;
	cella_result r = CELLA_ERR_UNEXPECTED;
	CELLA_CHECK(cella_vfy_pem_chain(q->pck_chain, q->pck_chain_len, ch, 4, 0, &n, NULL, d));
	r = cella_vfy_pck_ext(ch[0], out, d);
out:
	for (int i = 0; i < 4; i++)
		X509_free(ch[i]);
	return r;
}

/* see cella/verify.h; OpenSSL's error queue left as the caller had it */
cella_result cella_quote_pck_info(const struct cella_quote *q, struct cella_pck_info *out, struct cella_detail *d)
{
	cella_result r;
	ERR_set_mark();
	r = quote_pck_info(q, out, d);
	ERR_pop_to_mark();
	return r;
}

static cella_result quote_pck_info_trusted(const struct cella_trust *trust, const struct cella_quote *q,
					   struct cella_pck_info *out, struct cella_detail *d)
{
	X509 *ch[3] = {NULL, NULL, NULL};
	cella_result r = pck_chain(q, trust->point, NULL, ch, d);
	if (r == CELLA_OK)
		r = cella_vfy_pck_ext(ch[0], out, d);
	for (int i = 0; i < 3; i++)
		X509_free(ch[i]);
	return r;
}

/* see cella/verify.h; OpenSSL's error queue left as the caller had it */
cella_result cella_quote_pck_info_trusted(const struct cella_trust *trust, const struct cella_quote *q,
					  struct cella_pck_info *out, struct cella_detail *d)
{
	cella_result r;
	ERR_set_mark();
	r = quote_pck_info_trusted(trust, q, out, d);
	ERR_pop_to_mark();
	return r;
}

static cella_result quote_check_signatures(const struct cella_quote *q, struct cella_detail *d)
{
	X509 *ch[4] = {NULL, NULL, NULL, NULL};
	size_t n = 0;
	uint8_t h[32];
	EVP_PKEY *ak = NULL;
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_sgx_report qe;

	cella_sgx_report_decode(q->qe_report, &qe);
	if (cella_vfy_sha256_2(q->attest_key, CELLA_QUOTE_KEY_BYTES, q->qe_auth, q->qe_auth_len, h) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRYPTO, "SHA-256 failed"));
	if (memcmp(h, qe.report_data, 32) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT, "QE report data does not bind the attestation key"));
	ak = cella_vfy_key_from_xy(q->attest_key);
	if (!ak || !cella_vfy_ecdsa_verify(ak, q->bytes, q->signed_len, q->signature))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QUOTE_SIGNATURE, "quote signature does not verify"));
	CELLA_CHECK(cella_vfy_pem_chain(q->pck_chain, q->pck_chain_len, ch, 4, 0, &n, NULL, d));
	if (!cella_vfy_ecdsa_verify(cella_vfy_cert_key(ch[0]), q->qe_report, CELLA_SGX_REPORT_BODY_BYTES,
				    q->qe_report_sig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_QE_REPORT, "QE report signature does not verify with the PCK key"));
	r = CELLA_OK;
out:
	EVP_PKEY_free(ak);
	for (int i = 0; i < 4; i++)
		X509_free(ch[i]);
	return r;
}

/* see cella/verify.h; OpenSSL's error queue left as the caller had it */
cella_result cella_quote_check_signatures(const struct cella_quote *q, struct cella_detail *d)
{
	cella_result r;
	ERR_set_mark();
	r = quote_check_signatures(q, d);
	ERR_pop_to_mark();
	return r;
}
