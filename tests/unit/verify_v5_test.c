// SPDX-License-Identifier: MIT
/*
 * Quote v5 end to end. The vectors hold no v5 quote with collateral, so a vector's quote is rebuilt as v4 (the
 * control) and as v5 with each body type its TEE has (SGX: enclave report; TDX: TD report 1.0 and 1.5), signed
 * by a new attestation key, its QE report re-bound and re-signed under a generated hierarchy, and verified with
 * the vector's TCB Info and QE Identity re-signed under that hierarchy: the vector's status and advisories must
 * come out, and the TD 1.5 fields as claims. Then the descriptor and the 1.5 fields are changed, one at a time.
 * The same rebuilding, on both vectors, shows each identity field of the QE Identity and the TCB Info, the QE report's
 * MISCSELECT and ATTRIBUTES and the QE vendor ID binding the quote: each change refused by that field's own check.
 */
#include "cella_test.h"
#include "testutil.h"
#include "verify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *vectors; /* the vectors' directory */
static struct tv t;
static struct tca_pki pki;
static EVP_PKEY *ak;
static char *pem;
static size_t pem_len;
static struct cella_collateral *col;

static uint8_t *build(const struct cella_quote *real, uint16_t version, uint16_t type, const uint8_t *extra,
		      size_t *n)
{
	return tv_build_quote(real, version, type, extra, ak, pki.k_leaf, pem, pem_len, n);
}

static cella_result verify(const uint8_t *b, size_t n, struct cella_verify_result *res)
{
	struct cella_quote q;
	cella_result r = cella_quote_parse(b, n, &q, &res->detail);
	return r != CELLA_OK ? r : cella_quote_verify_trust(pki.trust, &q, col, t.verify_time, res);
}

/*
 * Intel's TD relaunch rule (docs/dcap.md), on the TDX vector: its quote (tee_tcb_svn 06 01 03: module TDX_01 at
 * SVN 6) with the module SVN lowered to 3, which the vector's TCB Info rates OutOfDate (TDX_01 levels: 4 UpToDate,
 * 2 OutOfDate), rebuilt as TD 1.5 with each tee_tcb_svn2 below. The expected statuses come from the rule: the TD
 * would relaunch on a current module when tee_tcb_svn2 meets TDX_01's latest level (4), or with no module version
 * the latest TCB level's TDX component 0 (5), and component 2 (2).
 */
static void relaunch(const struct cella_quote *real, const struct cella_collateral *vec_col)
{
	enum { PLAIN, PLATFORM_CONFIG, QE_OUT_OF_DATE };
	static const struct {
		uint8_t svn2[3];
		int variant;
		cella_result r;
		cella_tcb_status want;
	} cases[] = {
		{{6, 1, 3}, PLAIN, CELLA_OK, CELLA_TCB_TD_RELAUNCH_ADVISED},
		{{4, 1, 2}, PLAIN, CELLA_OK, CELLA_TCB_TD_RELAUNCH_ADVISED},  /* exactly the latest */
		{{3, 1, 3}, PLAIN, CELLA_OK, CELLA_TCB_OUT_OF_DATE},          /* the module it would get is old too */
		{{6, 1, 1}, PLAIN, CELLA_OK, CELLA_TCB_OUT_OF_DATE},          /* component 2 below the latest level */
		{{5, 0, 2}, PLAIN, CELLA_OK, CELLA_TCB_TD_RELAUNCH_ADVISED},  /* no module version: level component 0 */
		{{4, 0, 2}, PLAIN, CELLA_OK, CELLA_TCB_OUT_OF_DATE},
		{{6, 7, 3}, PLAIN, CELLA_ERR_TCB_LEVEL, CELLA_TCB_UNKNOWN},   /* TDX_07: not in the TCB Info */
		{{6, 1, 3}, PLATFORM_CONFIG, CELLA_OK, CELLA_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED},
		{{6, 1, 3}, QE_OUT_OF_DATE, CELLA_OK, CELLA_TCB_OUT_OF_DATE}, /* no advice while the QE is old */
	};
	struct cella_quote old = *real;
	uint8_t body[CELLA_TDX_REPORT_BODY_BYTES], extra[64] = {0};
	char *cfg_tcb = tv_replace_after(vec_col->tcb_info, "sgxtcbcomponents", "\"tcbStatus\":\"UpToDate\"",
				      "\"tcbStatus\":\"ConfigurationNeeded\"");
	char *old_qe = tv_replace_after(vec_col->qe_identity, "tcbLevels", "\"tcbStatus\":\"UpToDate\"",
				     "\"tcbStatus\":\"OutOfDate\"");
	struct cella_collateral *cols[3] = {
		col,
		tca_pki_collateral(&pki, cfg_tcb, vec_col->qe_identity, t.verify_time),
		tca_pki_collateral(&pki, vec_col->tcb_info, old_qe, t.verify_time),
	};
	struct cella_verify_result res;
	struct cella_quote q;
	uint8_t *b;
	size_t n;

	CT_ASSERT(real->body[0] == 6 && real->body[1] == 1 && real->body[2] == 3); /* what the cases assume */
	memcpy(body, real->body, sizeof(body));
	body[0] = 3;
	old.body = body;
	/* the controls: the lowered module alone makes the quote OutOfDate (v4, v5 TD 1.0) */
	for (uint16_t version = 4; version <= 5; version++) {
		b = build(&old, version, CELLA_QUOTE_BODY_TD10, NULL, &n);
		CT_RESULT(cella_quote_parse(b, n, &q, NULL), CELLA_OK);
		CT_RESULT(cella_quote_verify_trust(pki.trust, &q, col, t.verify_time, &res), CELLA_OK);
		CT_EQ(res.status, CELLA_TCB_OUT_OF_DATE);
		free(b);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(extra, cases[i].svn2, 3);
		b = build(&old, 5, CELLA_QUOTE_BODY_TD15, extra, &n);
		CT_RESULT(cella_quote_parse(b, n, &q, NULL), CELLA_OK);
		memset(&res, 0, sizeof(res));
		cella_result r = cella_quote_verify_trust(pki.trust, &q, cols[cases[i].variant], t.verify_time, &res);
		if (r != cases[i].r || (r == CELLA_OK && res.status != cases[i].want))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, status %s (%s)", i, cella_result_name(r),
					cella_tcb_status_name(res.status), res.detail.text);
		if (r != CELLA_OK)
			CT_ASSERT(strstr(res.detail.text, "TDX_07") != NULL);
		free(b);
	}
	/* a current module: no advice, whatever tee_tcb_svn2 says */
	memcpy(extra, (const uint8_t[]){6, 1, 3}, 3);
	b = build(real, 5, CELLA_QUOTE_BODY_TD15, extra, &n);
	CT_RESULT(cella_quote_parse(b, n, &q, NULL), CELLA_OK);
	CT_RESULT(cella_quote_verify_trust(pki.trust, &q, col, t.verify_time, &res), CELLA_OK);
	CT_EQ(res.status, CELLA_TCB_UP_TO_DATE);
	free(b);
	CT_ASSERT(strcmp(cella_tcb_status_name(CELLA_TCB_TD_RELAUNCH_ADVISED), "TDRelaunchAdvised") == 0);
	cella_tcb_status parsed;
	CT_RESULT(cella_tcb_status_parse("TDRelaunchAdvised", &parsed), CELLA_ERR_NOT_FOUND); /* never from a TCB Info */
	cella_collateral_free(cols[1]);
	cella_collateral_free(cols[2]);
	free(cfg_tcb);
	free(old_qe);
	cella_test_pass("TD relaunch advice for a TD report 1.5, by Intel's rule");
}

/* The real quote (v4; header, QE report and body as in *real, body replaced unless NULL) under the vector's TCB Info
 * and QE Identity, each with one text replaced (NULL: as is). */
static cella_result verify_with(const struct cella_quote *real, const uint8_t *body, const struct cella_collateral *vc,
				const char *tcb_info, const char *qe_identity, struct cella_verify_result *res)
{
	struct cella_collateral *c = tca_pki_collateral(&pki, tcb_info ? tcb_info : vc->tcb_info,
						       qe_identity ? qe_identity : vc->qe_identity, t.verify_time);
	struct cella_quote q, rq = *real;
	uint8_t *b;
	size_t n;
	cella_result r;
	if (body)
		rq.body = body;
	b = build(&rq, 4, real->tee_type == CELLA_QUOTE_TEE_TDX ? CELLA_QUOTE_BODY_TD10 : CELLA_QUOTE_BODY_SGX, NULL, &n);
	CT_RESULT(cella_quote_parse(b, n, &q, NULL), CELLA_OK);
	memset(res, 0, sizeof(*res));
	res->status = CELLA_TCB_UP_TO_DATE; /* a failure must not leave a status behind */
	r = cella_quote_verify_trust(pki.trust, &q, c, t.verify_time, res);
	free(b);
	cella_collateral_free(c);
	return r;
}

/*
 * Intel QVL's rules on the TDX module and the QE's own status, on the TDX vector (module TDX_01 at SVN 6): with a
 * module version in the quote, a TCB Info without tdxModuleIdentities is refused (there would be nothing to judge
 * the module's SVN by); SEAMATTRIBUTES must be zero whatever the identity's mask says; a QE level marked
 * SWHardeningNeeded or ConfigurationNeeded counts as out of date. And any number of advisory IDs on a level.
 */
static void qvl_rules(const struct cella_quote *real, const struct cella_collateral *vc)
{
	struct cella_verify_result res;
	uint8_t body[CELLA_TDX_REPORT_BODY_BYTES];
	char *tcb, *qe, ids[64 * 24 + 64];
	size_t k = 0;
	cella_result r;

	CT_RESULT(verify_with(real, NULL, vc, NULL, NULL, &res), CELLA_OK); /* the control */
	CT_EQ(res.status, CELLA_TCB_UP_TO_DATE);

	tcb = tv_replace_after(vc->tcb_info, "", "\"tdxModuleIdentities\"", "\"tdxModuleIdentitiez\"");
	r = verify_with(real, NULL, vc, tcb, NULL, &res);
	if (r != CELLA_ERR_COLLATERAL || !strstr(res.detail.text, "tdxModuleIdentities"))
		cella_test_fail(__FILE__, __LINE__, "no module identities: %s (%s)", cella_result_name(r), res.detail.text);
	CT_EQ(res.status, CELLA_TCB_UNKNOWN);
	free(tcb);

	/* SEAMATTRIBUTES bit 0 set, and TDX_01's mask told to ignore it */
	memcpy(body, real->body, sizeof(body));
	body[112] |= 0x01;
	tcb = tv_replace_after(vc->tcb_info, "\"id\":\"TDX_01\"", "\"attributesMask\":\"FFFFFFFFFFFFFFFF\"",
			    "\"attributesMask\":\"FEFFFFFFFFFFFFFF\"");
	r = verify_with(real, body, vc, tcb, NULL, &res);
	if (r != CELLA_ERR_COLLATERAL || !strstr(res.detail.text, "SEAMATTRIBUTES"))
		cella_test_fail(__FILE__, __LINE__, "SEAMATTRIBUTES: %s (%s)", cella_result_name(r), res.detail.text);
	free(tcb);

	static const char *const qe_statuses[] = {"SWHardeningNeeded", "ConfigurationNeeded",
						  "ConfigurationAndSWHardeningNeeded", "OutOfDate"};
	for (size_t i = 0; i < sizeof(qe_statuses) / sizeof(qe_statuses[0]); i++) {
		char to[80];
		snprintf(to, sizeof(to), "\"tcbStatus\":\"%s\"", qe_statuses[i]);
		qe = tv_replace_after(vc->qe_identity, "tcbLevels", "\"tcbStatus\":\"UpToDate\"", to);
		CT_RESULT(verify_with(real, NULL, vc, NULL, qe, &res), CELLA_OK);
		if (res.status != CELLA_TCB_OUT_OF_DATE)
			cella_test_fail(__FILE__, __LINE__, "QE level %s: status %s, expected OutOfDate", qe_statuses[i],
					cella_tcb_status_name(res.status));
		free(qe);
	}

	/* 64 advisory IDs on the matched level are all reported; 65 cannot be, and say so */
	k = (size_t)snprintf(ids, sizeof(ids), "\"tcbStatus\":\"UpToDate\",\"advisoryIDs\":[");
	for (int i = 0; i < 65; i++)
		k += (size_t)snprintf(ids + k, sizeof(ids) - k, "%s\"INTEL-SA-%05d\"", i ? "," : "", 1000 + i);
	snprintf(ids + k, sizeof(ids) - k, "]");
	tcb = tv_replace_after(vc->tcb_info, "sgxtcbcomponents", "\"tcbStatus\":\"UpToDate\"", ids);
	r = verify_with(real, NULL, vc, tcb, NULL, &res);
	if (r != CELLA_ERR_COLLATERAL || !strstr(res.detail.text, "advisory IDs"))
		cella_test_fail(__FILE__, __LINE__, "65 advisories: %s (%s)", cella_result_name(r), res.detail.text);
	free(tcb);
	*strstr(ids, ",\"INTEL-SA-01064\"") = 0; /* the first 64 */
	strcat(ids, "]");
	tcb = tv_replace_after(vc->tcb_info, "sgxtcbcomponents", "\"tcbStatus\":\"UpToDate\"", ids);
	CT_RESULT(verify_with(real, NULL, vc, tcb, NULL, &res), CELLA_OK);
	CT_EQ(res.advisory_count, 64);
	CT_ASSERT(strcmp(res.advisory_ids[0], "INTEL-SA-01000") == 0 && strcmp(res.advisory_ids[63], "INTEL-SA-01063") == 0);
	free(tcb);
	/* the collateral's expiry counts its certificates: a TCB signing certificate ending in ten minutes, before
	 * the CRLs' nextUpdate (a day) and the documents' */
	{
		struct tca_pki p2 = pki;
		struct cella_collateral *c;
		int64_t next = 0;
		p2.signer = tca_cert("Intel SGX TCB Signing", pki.k_signer, pki.root, pki.k_root, TCA_SN_SIGNER,
				     t.verify_time - 86400, t.verify_time + 600, 0, NULL);
		c = tca_pki_collateral(&p2, vc->tcb_info, vc->qe_identity, t.verify_time);
		CT_RESULT(cella_collateral_next_update(c, &next), CELLA_OK);
		CT_EQ(next, t.verify_time + 600);
		cella_collateral_free(c);
		X509_free(p2.signer);
		c = tca_pki_collateral(&pki, vc->tcb_info, vc->qe_identity, t.verify_time);
		CT_RESULT(cella_collateral_next_update(c, &next), CELLA_OK);
		CT_EQ(next, t.verify_time + 86400); /* the control: the CRLs */
		cella_collateral_free(c);
	}
	cella_test_pass("Intel QVL's rules: module identities required with a module version, SEAMATTRIBUTES zero, "
			"any QE status but UpToDate or Revoked is out of date, 64 advisories reported and 65 refused; the "
			"collateral's expiry counts its certificates");
}

/* r and the detail must be want and name it: the check meant refused, not some other one. */
static void expect_refusal(const char *what, cella_result r, const struct cella_verify_result *res, cella_result want,
			   const char *detail)
{
	if (r != want || !strstr(res->detail.text, detail))
		cella_test_fail(__FILE__, __LINE__, "%s: %s (%s), expected %s naming \"%s\"", what, cella_result_name(r),
				res->detail.text, cella_result_name(want), detail);
	CT_EQ(res->status, CELLA_TCB_UNKNOWN);
}

/* doc with the value of "key" (its first at or after `after`) changed: a hex string's first digit with its low bit
 * flipped, a number plus one. *what says which (for messages). */
static char *change_value(const char *doc, const char *after, const char *key, char *what, size_t what_len)
{
	static const char digits[] = "0123456789ABCDEF";
	char pat[64], from[96], to[96];
	const char *a = strstr(doc, after), *v = NULL, *x;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	CT_ASSERT(a != NULL && (v = strstr(a, pat)) != NULL);
	v += strlen(pat);
	if (*v == '"') {
		CT_ASSERT(v[1] != 0 && (x = strchr(digits, v[1])) != NULL); /* the documents' hex is upper case */
		snprintf(from, sizeof(from), "%s\"%c", pat, v[1]);
		snprintf(to, sizeof(to), "%s\"%c", pat, digits[(x - digits) ^ 1]);
	} else {
		unsigned long n = strtoul(v, NULL, 10);
		snprintf(from, sizeof(from), "%s%lu", pat, n);
		snprintf(to, sizeof(to), "%s%lu", pat, n + 1);
	}
	snprintf(what, what_len, "%s -> %s", from, to);
	return tv_replace_after(doc, after, from, to);
}

/*
 * What binds the QE and the platform to the collateral, one field at a time: the vector's QE Identity or TCB Info
 * re-signed with that field changed must be refused by the check of that field, with its error and its words.
 */
static void identity_binding(const struct cella_quote *real, const struct cella_collateral *vc)
{
	enum { BOTH, TDX_ONLY, SGX_ONLY };
	static const struct {
		bool qe;               /* the QE Identity, else the TCB Info */
		int tee;
		const char *after;     /* the change is at or after this text */
		const char *key;       /* this field's value changed (change_value), or with key NULL: */
		const char *from, *to; /* this text replaced */
		cella_result want;
		const char *detail;
	} cases[] = {
		{true, BOTH, "", "mrsigner", NULL, NULL, CELLA_ERR_QE_REPORT, "QE MRSIGNER does not match"},
		{true, BOTH, "", "isvprodid", NULL, NULL, CELLA_ERR_QE_REPORT, "QE ISVPRODID"},
		{true, BOTH, "", "miscselect", NULL, NULL, CELLA_ERR_QE_REPORT, "QE MISCSELECT does not match"},
		{true, BOTH, "", "attributes", NULL, NULL, CELLA_ERR_QE_REPORT, "QE ATTRIBUTES do not match"},
		{true, TDX_ONLY, "", NULL, "\"id\":\"TD_QE\"", "\"id\":\"QE\"", CELLA_ERR_COLLATERAL,
		 "QE Identity id \"QE\" does not fit a TDX quote"},
		{true, SGX_ONLY, "", NULL, "\"id\":\"QE\"", "\"id\":\"TD_QE\"", CELLA_ERR_COLLATERAL,
		 "QE Identity id \"TD_QE\" does not fit a SGX quote"},
		{false, BOTH, "", "fmspc", NULL, NULL, CELLA_ERR_COLLATERAL, "TCB Info FMSPC/PCE-ID differ"},
		{false, BOTH, "", "pceId", NULL, NULL, CELLA_ERR_COLLATERAL, "TCB Info FMSPC/PCE-ID differ"},
		{false, TDX_ONLY, "", NULL, "\"id\":\"TDX\"", "\"id\":\"SGX\"", CELLA_ERR_COLLATERAL,
		 "TCB Info is for SGX, the quote is TDX"},
		/* an SGX TCB Info's levels have no TDX components: the TDX vector's own TCB Info stands in (key, from,
		 * to NULL) */
		{false, SGX_ONLY, "", NULL, NULL, NULL, CELLA_ERR_COLLATERAL, "TCB Info is for TDX, the quote is SGX"},
		{false, TDX_ONLY, "\"id\":\"TDX_01\"", "mrsigner", NULL, NULL, CELLA_ERR_COLLATERAL,
		 "TDX module MRSIGNER does not match"},
	};
	bool tdx = real->tee_type == CELLA_QUOTE_TEE_TDX;
	struct cella_verify_result res;
	size_t ran = 0;

	CT_RESULT(verify_with(real, NULL, vc, NULL, NULL, &res), CELLA_OK); /* the control */
	CT_EQ(res.status, t.status);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *doc = cases[i].qe ? vc->qe_identity : vc->tcb_info;
		char what[256], *changed;
		cella_result r;
		if (cases[i].tee == (tdx ? SGX_ONLY : TDX_ONLY))
			continue;
		if (cases[i].key) {
			changed = change_value(doc, cases[i].after, cases[i].key, what, sizeof(what));
		} else if (!cases[i].from) {
			struct tv other;
			struct cella_collateral *oc = NULL;
			tv_load(vectors, "dcapqvl_tdx_v4", &other);
			CT_RESULT(cella_collateral_new_json(other.collateral, other.collateral_len, &oc, NULL), CELLA_OK);
			changed = strdup(oc->tcb_info);
			CT_ASSERT(changed && strncmp(changed, "{\"id\":\"TDX\",", 12) == 0);
			snprintf(what, sizeof(what), "the TDX vector's TCB Info");
			cella_collateral_free(oc);
			tv_free(&other);
		} else {
			changed = tv_replace_after(doc, cases[i].after, cases[i].from, cases[i].to);
			snprintf(what, sizeof(what), "%s -> %s", cases[i].from, cases[i].to);
		}
		r = verify_with(real, NULL, vc, cases[i].qe ? NULL : changed, cases[i].qe ? changed : NULL, &res);
		expect_refusal(what, r, &res, cases[i].want, cases[i].detail);
		free(changed);
		ran++;
	}
	CT_EQ(ran, tdx ? 9u : 8u);
	cella_test_pass(tdx ? "TDX: the QE Identity's MRSIGNER, ISVPRODID, MISCSELECT, ATTRIBUTES and id, the TCB Info's "
			      "FMSPC, PCE-ID, TEE and TDX module MRSIGNER each bind the quote"
			    : "SGX: the QE Identity's MRSIGNER, ISVPRODID, MISCSELECT, ATTRIBUTES and id, the TCB Info's "
			      "FMSPC, PCE-ID and TEE each bind the quote");
}

/*
 * The quote's side of the same binding, each quote re-signed (QE report by the PCK key, quote by the attestation key):
 * a QE vendor ID other than Intel's; a QE report whose MISCSELECT or ATTRIBUTES differ from the QE Identity's in a bit
 * its mask keeps (refused) or clears (accepted: the masks are applied, as Intel's QVL applies them to the report).
 */
static void qe_report_binding(const struct cella_quote *real, const struct cella_collateral *vc)
{
	enum { MISC = 16, FLAGS = 48 }; /* offsets in the QE report (sgx_report_body_t) */
	struct cella_verify_result res;
	struct cella_quote rq = *real;
	uint8_t header[48], qe[CELLA_SGX_REPORT_BODY_BYTES + 64];
	char *qe_id;
	cella_result r;

	/* the QE vendor ID: byte 12 of the header (16 bytes) */
	memcpy(header, real->bytes, sizeof(header));
	header[12] ^= 0x01;
	rq.bytes = header;
	r = verify_with(&rq, NULL, vc, NULL, NULL, &res);
	expect_refusal("QE vendor ID changed", r, &res, CELLA_ERR_QUOTE_FORMAT, "QE vendor ID is not Intel's");
	rq.bytes = real->bytes;

	/* what the QE Identity says of the vectors' QE (the masks' meaning the cases rely on) */
	CT_ASSERT(strstr(vc->qe_identity, "\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\"") != NULL);
	CT_ASSERT(strstr(vc->qe_identity, "\"attributes\":\"11000000000000000000000000000000\","
					  "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\"") != NULL);
	memcpy(qe, real->qe_report, sizeof(qe));
	rq.qe_report = qe;
	CT_EQ(qe[MISC] & 0x01, 0);
	qe[MISC] |= 0x01; /* MISCSELECT bit 0 (EXINFO): not what the QE Identity allows */
	r = verify_with(&rq, NULL, vc, NULL, NULL, &res);
	expect_refusal("QE MISCSELECT bit 0 set", r, &res, CELLA_ERR_QE_REPORT, "QE MISCSELECT does not match");
	qe_id = tv_replace_after(vc->qe_identity, "", "\"miscselectMask\":\"FFFFFFFF\"",
				 "\"miscselectMask\":\"FEFFFFFF\""); /* the mask clears that bit: accepted */
	CT_RESULT(verify_with(&rq, NULL, vc, NULL, qe_id, &res), CELLA_OK);
	CT_EQ(res.status, t.status);
	free(qe_id);
	qe[MISC] &= (uint8_t)~0x01;

	qe[FLAGS] ^= 0x04; /* MODE64BIT: the mask clears it, accepted either way */
	CT_RESULT(verify_with(&rq, NULL, vc, NULL, NULL, &res), CELLA_OK);
	CT_EQ(res.status, t.status);
	qe[FLAGS] ^= 0x04;
	CT_EQ(qe[FLAGS] & 0x02, 0);
	qe[FLAGS] |= 0x02; /* DEBUG: a debug QE */
	r = verify_with(&rq, NULL, vc, NULL, NULL, &res);
	expect_refusal("QE ATTRIBUTES DEBUG set", r, &res, CELLA_ERR_QE_REPORT, "QE ATTRIBUTES do not match");
	cella_test_pass("a non-Intel QE vendor ID, a QE's MISCSELECT and ATTRIBUTES outside the QE Identity's masked "
			"values refused; bits the masks clear ignored");
}

static void expect_vector_verdict(const struct cella_verify_result *res)
{
	CT_EQ(res->status, t.status);
	CT_EQ(res->advisory_count, t.advisory_count);
	for (size_t i = 0; i < t.advisory_count && i < res->advisory_count; i++)
		CT_ASSERT(strcmp(res->advisory_ids[i], t.advisories[i]) == 0);
}

/*
 * The claims carry the TCB Info's and the QE Identity's evaluation numbers apart: the vector's TCB Info with its
 * QE Identity's number lowered by two (both re-signed) gives each its own.
 */
static void evaluation_numbers(const struct cella_quote *real, const struct cella_collateral *vec_col)
{
	unsigned tcb_n = tv_eval_number(vec_col->tcb_info), qe_n = tv_eval_number(vec_col->qe_identity);
	char from[64], to[64];
	struct cella_verify_result res;
	struct cella_collateral *c;
	struct cella_quote q;
	uint8_t *b;
	size_t n;
	char *qe;
	CT_ASSERT(qe_n >= 2);
	snprintf(from, sizeof(from), "\"tcbEvaluationDataNumber\":%u", qe_n);
	snprintf(to, sizeof(to), "\"tcbEvaluationDataNumber\":%u", qe_n - 2);
	qe = tv_replace_after(vec_col->qe_identity, "", from, to);
	c = tca_pki_collateral(&pki, vec_col->tcb_info, qe, t.verify_time);
	b = build(real, 4, real->tee_type == CELLA_QUOTE_TEE_TDX ? CELLA_QUOTE_BODY_TD10 : CELLA_QUOTE_BODY_SGX, NULL,
		  &n);
	CT_RESULT(cella_quote_parse(b, n, &q, NULL), CELLA_OK);
	memset(&res, 0, sizeof(res));
	CT_RESULT(cella_quote_verify_trust(pki.trust, &q, c, t.verify_time, &res), CELLA_OK);
	CT_EQ(res.claims.tcb_evaluation_data_number, tcb_n);
	CT_EQ(res.claims.qe_tcb_evaluation_data_number, qe_n - 2);
	free(b);
	free(qe);
	cella_collateral_free(c);
	cella_test_pass("the TCB Info's and the QE Identity's evaluation numbers, each in the claims");
}

int main(int argc, char **argv)
{
	const char *root = vectors = tv_root(argc, argv);
	struct cella_quote real;
	struct cella_collateral *vec_col = NULL;
	uint8_t extra[64];
	bool tdx;

	CT_ASSERT(argc > 2);
	tv_load(root, argv[2], &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &real, NULL), CELLA_OK);
	CT_RESULT(cella_collateral_new_json(t.collateral, t.collateral_len, &vec_col, NULL), CELLA_OK);
	tca_pki_like(&pki, &real, t.verify_time, &pem, &pem_len);
	ak = tca_key();
	col = tca_pki_collateral(&pki, vec_col->tcb_info, vec_col->qe_identity, t.verify_time);
	tdx = real.tee_type == CELLA_QUOTE_TEE_TDX;
	memcpy(extra, real.body, 16); /* tee_tcb_svn2: as tee_tcb_svn */
	for (int i = 16; i < 64; i++)
		extra[i] = (uint8_t)(0xa0 + i); /* mr_servicetd */

	/* v4 (the control: the rebuilding and the hierarchy are right) and v5 with each body type of the TEE */
	static const struct {
		uint16_t version, type;
		bool tdx;
	} forms[] = {
		{4, CELLA_QUOTE_BODY_SGX, false},  {5, CELLA_QUOTE_BODY_SGX, false},
		{4, CELLA_QUOTE_BODY_TD10, true},  {5, CELLA_QUOTE_BODY_TD10, true},
		{5, CELLA_QUOTE_BODY_TD15, true},
	};
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		struct cella_verify_result res;
		struct cella_quote q;
		size_t n, head = forms[f].version == 5 ? 54 : 48;
		uint8_t *b;
		if (forms[f].tdx != tdx)
			continue;
		b = build(&real, forms[f].version, forms[f].type, extra, &n);
		CT_RESULT(cella_quote_parse(b, n, &q, NULL), CELLA_OK);
		CT_EQ(q.version, forms[f].version);
		CT_EQ(q.body_type, forms[f].type);
		CT_ASSERT(q.body == b + head);
		CT_EQ(q.signed_len, head + q.body_len);
		CT_EQ(q.len, n);
		CT_RESULT(cella_quote_check_signatures(&q, NULL), CELLA_OK);
		memset(&res, 0, sizeof(res));
		if (verify(b, n, &res) != CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "v%u body type %u: %s", forms[f].version, forms[f].type,
					res.detail.text);
		expect_vector_verdict(&res);
		CT_EQ(res.claims.quote_version, forms[f].version);
		if (tdx) {
			bool td15 = forms[f].type == CELLA_QUOTE_BODY_TD15;
			uint8_t zero[48] = {0};
			CT_EQ(res.claims.tdx.td15, td15);
			CT_EQ_MEM(res.claims.tdx.mr_td, real.body + 136, 48);
			CT_EQ_MEM(res.claims.tdx.tee_tcb_svn2, td15 ? extra : zero, 16);
			CT_EQ_MEM(res.claims.tdx.mr_servicetd, td15 ? extra + 16 : zero, 48);
		} else {
			CT_EQ_MEM(res.claims.sgx.mr_enclave, real.body + 64, 32);
		}

		/* v5 only: the descriptor must name the TEE's body at its size, and the signature covers it all */
		if (forms[f].version == 5) {
			static const uint16_t other_types[] = {0, 1, 2, 3, 4, 0xffff};
			uint32_t size = (uint32_t)q.body_len;
			cella_result r;
			for (size_t k = 0; k < sizeof(other_types) / sizeof(other_types[0]); k++) {
				if (other_types[k] == forms[f].type)
					continue;
				b[48] = (uint8_t)other_types[k];
				b[49] = (uint8_t)(other_types[k] >> 8);
				memset(&res, 0, sizeof(res));
				r = verify(b, n, &res);
				if (r != CELLA_ERR_QUOTE_FORMAT && r != CELLA_ERR_TRUNCATED)
					cella_test_fail(__FILE__, __LINE__, "body type %u read as %u: %s",
							forms[f].type, other_types[k], cella_result_name(r));
				CT_ASSERT(strstr(res.detail.text, "body type") != NULL ||
					  strstr(res.detail.text, "shorter") != NULL ||
					  strstr(res.detail.text, "exceeds") != NULL);
			}
			b[48] = (uint8_t)forms[f].type;
			b[49] = 0;
			for (int delta = -1; delta <= 1; delta += 2) {
				b[50] = (uint8_t)(size + (uint32_t)delta);
				b[51] = (uint8_t)((size + (uint32_t)delta) >> 8);
				memset(&res, 0, sizeof(res));
				CT_RESULT(verify(b, n, &res), CELLA_ERR_QUOTE_FORMAT);
				CT_ASSERT(strstr(res.detail.text, "has size") != NULL);
			}
			b[50] = (uint8_t)size;
			b[51] = (uint8_t)(size >> 8);
			CT_RESULT(verify(b, n, &res), CELLA_OK);
			/* one bit in each of the last 64 body bytes (for TD 1.5: tee_tcb_svn2 and mr_servicetd) */
			for (size_t off = head + q.body_len - 64; off < head + q.body_len; off++) {
				b[off] ^= 0x01;
				CT_RESULT(verify(b, n, &res), CELLA_ERR_QUOTE_SIGNATURE);
				b[off] ^= 0x01;
			}
			CT_RESULT(verify(b, n, &res), CELLA_OK);
		}
		free(b);
	}
	cella_test_pass(tdx ? "TDX quote v4, v5 TD 1.0 and v5 TD 1.5 verify; descriptor and 1.5 fields are covered"
			    : "SGX quote v4 and v5 verify; the descriptor and the body are covered");
	evaluation_numbers(&real, vec_col);
	identity_binding(&real, vec_col);
	qe_report_binding(&real, vec_col);
	if (tdx) {
		relaunch(&real, vec_col);
		qvl_rules(&real, vec_col);
	}

	cella_collateral_free(col);
	cella_collateral_free(vec_col);
	EVP_PKEY_free(ak);
	free(pem);
	tca_pki_free(&pki);
	tv_free(&t);
	return 0;
}
