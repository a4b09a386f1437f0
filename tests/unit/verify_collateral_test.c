// SPDX-License-Identifier: MIT
/* Raw P-256 points; collateral documents and TCB logic: JSON parsing and refusal, level selection, status
 * convergence, and Intel's synthetic QVL sample (test root) verified under that root and refused under Intel's. */
#include "cella_test.h"
#include "testutil.h"
#include "verify_internal.h"

#include <stdio.h>
#include <string.h>

/* Raw P-256 points (the quote's attestation key): a real point imports, one off the curve does not. */
static void raw_points(void)
{
	EVP_PKEY *gen = EVP_EC_gen("P-256"), *k;
	uint8_t pt[65], back[65], xy[64];
	CT_ASSERT(gen != NULL);
	CT_EQ(tv_key_point(gen, pt), 0);
	memcpy(xy, pt + 1, 64);
	k = cella_vfy_key_from_xy(xy);
	CT_ASSERT(k != NULL);
	CT_EQ(tv_key_point(k, back), 0);
	CT_ASSERT(memcmp(pt, back, 65) == 0);
	CT_ASSERT(EVP_PKEY_eq(k, gen) == 1);
	EVP_PKEY_free(k);
	xy[63] ^= 1; /* y changed: not on the curve */
	CT_ASSERT(cella_vfy_key_from_xy(xy) == NULL);
	memset(xy, 0, sizeof(xy));
	CT_ASSERT(cella_vfy_key_from_xy(xy) == NULL);
	memset(xy, 0xff, sizeof(xy)); /* coordinates above the field prime */
	CT_ASSERT(cella_vfy_key_from_xy(xy) == NULL);
	EVP_PKEY_free(gen);
}

static void convergence(void)
{
	const cella_tcb_status U = CELLA_TCB_UP_TO_DATE, S = CELLA_TCB_SW_HARDENING_NEEDED,
			       C = CELLA_TCB_CONFIGURATION_NEEDED, CS = CELLA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
			       O = CELLA_TCB_OUT_OF_DATE, OC = CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
			       R = CELLA_TCB_REVOKED;
	const cella_tcb_status all[7] = {U, S, C, CS, O, OC, R};
	for (int i = 0; i < 7; i++) {
		CT_EQ(cella_vfy_converge(all[i], U), all[i]);
		CT_EQ(cella_vfy_converge(all[i], R), R);
	}
	CT_EQ(cella_vfy_converge(U, O), O);
	CT_EQ(cella_vfy_converge(S, O), O);
	CT_EQ(cella_vfy_converge(C, O), OC);
	CT_EQ(cella_vfy_converge(CS, O), OC);
	CT_EQ(cella_vfy_converge(O, O), O);
	CT_EQ(cella_vfy_converge(OC, O), OC);
	CT_EQ(cella_vfy_converge(R, O), R);
	for (int i = 0; i < 7; i++) {
		cella_tcb_status s;
		CT_RESULT(cella_tcb_status_parse(cella_tcb_status_name(all[i]), &s), CELLA_OK);
		CT_EQ(s, all[i]);
	}
	cella_tcb_status s;
	CT_RESULT(cella_tcb_status_parse("uptodate", &s), CELLA_ERR_NOT_FOUND);
	cella_test_pass("status convergence (Intel QVL rule) and names");
}

static const char *V2 =
	"{\"version\":2,\"issueDate\":\"2020-01-01T00:00:00Z\",\"nextUpdate\":\"2020-02-01T00:00:00Z\","
	"\"fmspc\":\"00906ED50000\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":5,\"tcbLevels\":["
	"{\"tcb\":{\"sgxtcbcomp01svn\":2,\"sgxtcbcomp02svn\":2,\"sgxtcbcomp03svn\":0,\"sgxtcbcomp04svn\":0,"
	"\"sgxtcbcomp05svn\":0,\"sgxtcbcomp06svn\":0,\"sgxtcbcomp07svn\":0,\"sgxtcbcomp08svn\":0,\"sgxtcbcomp09svn\":0,"
	"\"sgxtcbcomp10svn\":0,\"sgxtcbcomp11svn\":0,\"sgxtcbcomp12svn\":0,\"sgxtcbcomp13svn\":0,\"sgxtcbcomp14svn\":0,"
	"\"sgxtcbcomp15svn\":0,\"sgxtcbcomp16svn\":0,\"pcesvn\":5},\"tcbDate\":\"2019-01-01T00:00:00Z\","
	"\"tcbStatus\":\"OutOfDate\"},"
	"{\"tcb\":{\"sgxtcbcomp01svn\":3,\"sgxtcbcomp02svn\":3,\"sgxtcbcomp03svn\":0,\"sgxtcbcomp04svn\":0,"
	"\"sgxtcbcomp05svn\":0,\"sgxtcbcomp06svn\":0,\"sgxtcbcomp07svn\":0,\"sgxtcbcomp08svn\":0,\"sgxtcbcomp09svn\":0,"
	"\"sgxtcbcomp10svn\":0,\"sgxtcbcomp11svn\":0,\"sgxtcbcomp12svn\":0,\"sgxtcbcomp13svn\":0,\"sgxtcbcomp14svn\":0,"
	"\"sgxtcbcomp15svn\":0,\"sgxtcbcomp16svn\":0,\"pcesvn\":7},\"tcbDate\":\"2019-06-01T00:00:00Z\","
	"\"tcbStatus\":\"UpToDate\"}]}";

static void tcb_info_docs(void)
{
	struct vfy_tcb_info t;
	struct cella_pck_info pck;
	struct cella_detail d;
	const struct vfy_level *l;
	CT_RESULT(cella_vfy_tcb_info_parse(V2, strlen(V2), &t, &d), CELLA_OK);
	CT_EQ(t.version, 2);
	CT_EQ(t.level_count, 2);
	CT_EQ(t.levels[0].status, CELLA_TCB_UP_TO_DATE); /* sorted descending whatever the order in the text */
	memset(&pck, 0, sizeof(pck));
	pck.tcb_comp_svn[0] = pck.tcb_comp_svn[1] = 3;
	pck.pce_svn = 7;
	CT_ASSERT((l = cella_vfy_tcb_match(&t, &pck, NULL)) && l->status == CELLA_TCB_UP_TO_DATE);
	pck.pce_svn = 6; /* PCESVN below the top level: falls to the next */
	CT_ASSERT((l = cella_vfy_tcb_match(&t, &pck, NULL)) && l->status == CELLA_TCB_OUT_OF_DATE);
	pck.tcb_comp_svn[1] = 1; /* one component below every level */
	CT_ASSERT(cella_vfy_tcb_match(&t, &pck, NULL) == NULL);
	cella_vfy_tcb_info_fini(&t);
	cella_vfy_tcb_info_fini(&t); /* repeated fini is a no-op */

	static const struct {
		const char *from, *to;
	} bad[] = {
		{"\"version\":2", "\"version\":1"},      {"\"version\":2", "\"version\":\"2\""},
		{"\"fmspc\":\"00906ED50000\"", "\"fmspc\":\"00906ED500\""},
		{"\"tcbType\":0", "\"tcbType\":1"},      {"\"UpToDate\"", "\"Fine\""},
		{"\"sgxtcbcomp16svn\":0,\"pcesvn\":7", "\"pcesvn\":7"},
		{"\"pcesvn\":7", "\"pcesvn\":70000"},    {"\"nextUpdate\":\"2020-02-01T00:00:00Z\"", "\"nextUpdate\":\"soon\""},
		{"\"version\":2", "\"version\":2,\"version\":2"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[4096];
		const char *m = strstr(V2, bad[i].from);
		CT_ASSERT(m);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(m - V2), V2, bad[i].to, m + strlen(bad[i].from));
		memset(&d, 0, sizeof(d));
		CT_RESULT(cella_vfy_tcb_info_parse(buf, strlen(buf), &t, &d), CELLA_ERR_COLLATERAL);
		CT_ASSERT(strstr(d.text, "TCB Info") != NULL);
	}
	CT_RESULT(cella_vfy_tcb_info_parse("[]", 2, &t, NULL), CELLA_ERR_COLLATERAL);
	CT_RESULT(cella_vfy_tcb_info_parse("{", 1, &t, NULL), CELLA_ERR_COLLATERAL);
	cella_test_pass("TCB Info v2 parse, order and refusals");
}

static void raw_members(void)
{
	const char *doc = " {\"a\" : [1,{\"x\":\"}\"}], \"tcbInfo\":{\"k\":\"v\\\"}\"} ,\"signature\":\"ab\"}";
	const char *v;
	size_t n;
	CT_ASSERT(cella_vfy_json_member_raw(doc, strlen(doc), "tcbInfo", &v, &n) == 0);
	CT_ASSERT(n == strlen("{\"k\":\"v\\\"}\"}") && memcmp(v, "{\"k\":\"v\\\"}\"}", n) == 0);
	CT_ASSERT(cella_vfy_json_member_raw(doc, strlen(doc), "signature", &v, &n) == 0 && n == 4);
	CT_ASSERT(cella_vfy_json_member_raw(doc, strlen(doc), "k", &v, &n) != 0);
	CT_ASSERT(cella_vfy_json_member_raw("{\"a\":", 5, "a", &v, &n) != 0);
	cella_test_pass("raw JSON members");
}

static void collateral_json(void)
{
	struct cella_collateral *c = NULL;
	struct cella_detail d;
	CT_RESULT(cella_collateral_new_json("{}", 2, &c, &d), CELLA_ERR_COLLATERAL);
	CT_ASSERT(strstr(d.text, "pck_crl_issuer_chain") != NULL);
	CT_RESULT(cella_collateral_new_json("nope", 4, &c, NULL), CELLA_ERR_COLLATERAL);
	CT_RESULT(cella_collateral_load_file("/nonexistent/collateral.json", &c, &d), CELLA_ERR_NO_FILE);
	cella_collateral_free(NULL);
	cella_trust_free(NULL);
	cella_test_pass("collateral JSON refusals");
}

/* Intel's QVL sample: a type-1 quote (PPID) rewritten to carry its PCK chain (type 5), collateral from files. */
static void synthetic(const char *root)
{
	size_t qn, leafn, chn, tcbn, qen, rcn, pcn, tchn, trn, ql;
	uint8_t *qd = tv_read(root, "intel_qvl_synthetic/quote.dat", &qn);
	char *leaf = (char *)tv_read(root, "intel_qvl_synthetic/pckCert.pem", &leafn);
	char *chain = (char *)tv_read(root, "intel_qvl_synthetic/pckSignChain.pem", &chn);
	char *tcb = (char *)tv_read(root, "intel_qvl_synthetic/tcbInfo.json", &tcbn);
	char *qe = (char *)tv_read(root, "intel_qvl_synthetic/qeIdentity.json", &qen);
	uint8_t *rcrl = tv_read(root, "intel_qvl_synthetic/rootCaCrl.der", &rcn);
	uint8_t *pcrl = tv_read(root, "intel_qvl_synthetic/intermediateCaCrl.der", &pcn);
	char *tch = (char *)tv_read(root, "intel_qvl_synthetic/tcbSignChain.pem", &tchn);
	uint8_t *tr = tv_read(root, "intel_qvl_synthetic/trustedRootCaCert.pem", &trn);
	char *full = malloc(leafn + chn + 2);
	const char *ti, *qi, *sv;
	size_t til, qil, sl;
	uint8_t tsig[64], qsig[64], *nq;
	struct cella_quote q;
	struct cella_collateral *c = NULL;
	struct cella_trust *trust = NULL;
	struct cella_verify_result res;
	cella_result r;
	int64_t at;

	memcpy(full, leaf, leafn);
	memcpy(full + leafn, chain, chn);
	nq = tv_rebuild_quote(qd, qn, full, leafn + chn, &ql);
	CT_RESULT(cella_quote_parse(nq, ql, &q, NULL), CELLA_OK);
	CT_ASSERT(cella_vfy_json_member_raw(tcb, tcbn, "tcbInfo", &ti, &til) == 0);
	CT_ASSERT(cella_vfy_json_member_raw(tcb, tcbn, "signature", &sv, &sl) == 0 &&
		  cella_vfy_hex_exact(sv + 1, sl - 2, tsig, 64) == 0);
	CT_ASSERT(cella_vfy_json_member_raw(qe, qen, "enclaveIdentity", &qi, &qil) == 0);
	CT_ASSERT(cella_vfy_json_member_raw(qe, qen, "signature", &sv, &sl) == 0 &&
		  cella_vfy_hex_exact(sv + 1, sl - 2, qsig, 64) == 0);
	struct vfy_parts p = {chain, chn, rcrl, rcn, pcrl, pcn, tch, tchn, ti, til, tsig, tch, tchn, qi, qil, qsig};
	CT_RESULT(cella_vfy_collateral_new_parts(&p, &c), CELLA_OK);
	CT_RESULT(cella_trust_new_cert(tr, trn, &trust, NULL), CELLA_OK);
	CT_RESULT(cella_time_parse("2020-06-01T00:00:00Z", &at), CELLA_OK);
	r = cella_quote_verify_trust(trust, &q, c, at, &res);
	if (r != CELLA_OK)
		cella_test_fail(__FILE__, __LINE__, "synthetic: %s: %s", cella_result_name(r), res.detail.text);
	printf("synthetic sample: %s, QE %s\n", cella_tcb_status_name(res.status), cella_tcb_status_name(res.qe_status));
	CT_EQ(res.qe_status, CELLA_TCB_UP_TO_DATE); /* QE MISCSELECT D182B18C / ATTRIBUTES matched byte-wise */
	CT_RESULT(cella_quote_verify(&q, c, at, &res), CELLA_ERR_UNTRUSTED_ROOT);
	cella_test_pass("Intel synthetic sample: verifies under its test root, refused under Intel's");

	cella_trust_free(trust);
	cella_collateral_free(c);
	free(full);
	free(nq);
	free(qd);
	free(leaf);
	free(chain);
	free(tcb);
	free(qe);
	free(rcrl);
	free(pcrl);
	free(tch);
	free(tr);
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	raw_points();
	convergence();
	tcb_info_docs();
	raw_members();
	collateral_json();
	synthetic(root);
	return 0;
}
