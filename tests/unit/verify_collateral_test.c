// SPDX-License-Identifier: MIT
/* Raw P-256 points; collateral documents and TCB logic: JSON parsing and refusal, level selection, status
 * convergence, Intel's synthetic QVL sample (test root) verified under that root and refused under Intel's, and
 * collateral missing an issuer chain. */
#include "cella_test.h"
#include "testutil.h"
#include "verify_internal.h"

#include <cjson/cJSON.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	/* a QE level that is neither UpToDate nor Revoked counts as out of date (QVL's ISVSVN_OUT_OF_DATE) */
	CT_EQ(cella_vfy_qe_status(U), U);
	CT_EQ(cella_vfy_qe_status(R), R);
	for (int q = 1; q <= 5; q++) { /* S, C, CS, O, OC as the QE level's status */
		CT_EQ(cella_vfy_qe_status(all[q]), O);
		CT_EQ(cella_vfy_converge(U, cella_vfy_qe_status(all[q])), O);
		CT_EQ(cella_vfy_converge(CS, cella_vfy_qe_status(all[q])), OC);
	}
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
		{"\"version\":2", "\"version\":2,\"version\":2"}, {"\"pcesvn\":7", "\"pcesvn\":7.0"},
		{"\"UpToDate\"", "\"UpToDate\\u0000\""},
		/* each of the sixteen components by its exact name, an integer 0..255 */
		{"\"sgxtcbcomp16svn\":0", "\"sgxtcbcomp16svn\":256"},
		{"\"sgxtcbcomp16svn\":0", "\"sgxtcbcomp16svn\":\"0\""},
		{"\"sgxtcbcomp16svn\":0", "\"sgxtcbcomp016svn\":0"},
		{"\"sgxtcbcomp01svn\":2", "\"sgxtcbcomp1svn\":2"},
		{"\"sgxtcbcomp09svn\":0", "\"sgxtcbcomp09svn\":-1"},
		{"\"sgxtcbcomp09svn\":0", "\"sgxtcbcomp09svn\":null"},
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
	{
		/* members that only look like components are not read */
		static const char *const extra[] = {"\"sgxtcbcomp17svn\":999,", "\"sgxtcbcomp00svn\":999,",
						    "\"sgxtcbcomp01svnx\":999,", "\"xsgxtcbcomp01svn\":999,"};
		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			char buf[4096];
			const char *m = strstr(V2, "\"sgxtcbcomp01svn\"");
			CT_ASSERT(m);
			snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(m - V2), V2, extra[i], m);
			CT_RESULT(cella_vfy_tcb_info_parse(buf, strlen(buf), &t, NULL), CELLA_OK);
			CT_EQ(t.levels[0].sgx_svn[0], 3);
			cella_vfy_tcb_info_fini(&t);
		}
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

/* The strict profile in front of cJSON (json.c): each rule has a text that breaks only it. */
static void json_profile(void)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
		const char *why; /* NULL: accepted */
	} cases[] = {
		{"{\"a\":[1,-2,0,-0],\"b\":\"x\\u00e9\\n\",\"c\":{\"d\":true,\"e\":null,\"f\":false}}", 0, NULL},
		{"{\"a\":\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"} \r\n\t", 0, NULL}, /* 2-, 3-, 4-byte UTF-8 */
		{"{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}", 0, NULL},          /* a key again, elsewhere */
		{"{\"a\":\"\\\\u0000\"}", 0, NULL}, /* an escaped backslash, then the letters u0000 */
		{"{\"a\":1.0}", 0, "not a plain integer"},
		{"{\"a\":1e0}", 0, "not a plain integer"},
		{"{\"a\":10E2}", 0, "not a plain integer"},
		{"{\"a\":01}", 0, "not a plain integer"},
		{"{\"a\":1-1}", 0, "not a plain integer"},
		{"{\"a\":+1}", 0, "malformed number"},
		{"{\"a\":.5}", 0, "malformed number"},
		{"{\"a\":-}", 0, "malformed number"},
		{"{\"a\":\"x\\u0000y\"}", 0, "\\u0000"},
		{"{\"a\":\"x\\uncnBy\"}", 0, "malformed \\u escape"}, /* cJSON: U+0000, found by verify_fuzz */
		{"{\"a\":\"x\\u12\"}", 0, "malformed \\u escape"},
		{"{\"a\":\"x\\u", 0, "malformed \\u escape"},
		{"{\"a\":\"\\ud83d\\ude00 \\u00E9 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}", 0, NULL}, /* every escape JSON has */
		{"{\"a\":\"x\ty\"}", 0, "control character"},
		{"{\"a\":\"\xc3\"}", 0, "invalid UTF-8"},             /* truncated */
		{"{\"a\":\"\xc0\xaf\"}", 0, "invalid UTF-8"},         /* overlong */
		{"{\"a\":\"\xe0\x80\xaf\"}", 0, "invalid UTF-8"},     /* overlong, 3 bytes */
		{"{\"a\":\"\xed\xa0\x80\"}", 0, "invalid UTF-8"},     /* a surrogate */
		{"{\"a\":\"\xf4\x90\x80\x80\"}", 0, "invalid UTF-8"}, /* above U+10FFFF */
		{"{\"a\":\"\xe2\x28\xa1\"}", 0, "invalid UTF-8"},     /* a bad continuation byte */
		{"\xef\xbb\xbf{}", 0, "outside a string"},               /* a byte-order mark */
		{"{}\0", 3, "outside a string"},
		{"{\"a\":1,\x01\"b\":2}", 0, "outside a string"}, /* cJSON would take it for whitespace */
		{"{\"a\":1,\f\"b\":2}", 0, "outside a string"},
		{"{\"a\":1,\"a\":1}", 0, "repeats a key"},
		{"{\"x\":[{\"b\":1,\"a\":2,\"b\":3}]}", 0, "repeats a key"},
		{"{\"a\":1} x", 0, "text after the JSON value at byte 8"},
		{"{\"a\":1}{}", 0, "text after the JSON value"},
		{"[1]", 0, "not a JSON object"},
		{"\"s\"", 0, "not a JSON object"},
		{"{\"a\":}", 0, "not valid JSON"},
		{"{\"a\":\"x", 0, "not valid JSON"},
		{"{\"a\":\"\\x\"}", 0, "unknown escape"},
		{"{\"a\":\"\\ud800\"}", 0, "not valid JSON"}, /* a lone surrogate escape */
		{"", 0, "not valid JSON"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cJSON *root = NULL;
		struct cella_detail d;
		size_t n = cases[i].len ? cases[i].len : strlen(cases[i].text);
		memset(&d, 0, sizeof(d));
		cella_result r = cella_vfy_json_load(cases[i].text, n, "doc", &d, &root);
		if (!cases[i].why) {
			CT_RESULT(r, CELLA_OK);
			CT_ASSERT(root != NULL);
			cJSON_Delete(root);
			continue;
		}
		CT_RESULT(r, CELLA_ERR_COLLATERAL);
		CT_ASSERT(root == NULL);
		if (!strstr(d.text, cases[i].why) || strncmp(d.text, "doc", 3) != 0) {
			fprintf(stderr, "case %zu: \"%s\" does not say \"%s\"\n", i, d.text, cases[i].why);
			CT_ASSERT(0);
		}
	}

	/* Objects too large to compare pairwise: 5,000 distinct keys pass; the same with the first key repeated last,
	 * or a repeat inside a nested object, does not. */
	for (int variant = 0; variant < 3; variant++) {
		size_t cap = 5000 * 16 + 64, n = 0;
		char *big = malloc(cap);
		struct cella_detail d;
		struct cJSON *r = NULL;
		CT_ASSERT(big != NULL);
		n += (size_t)snprintf(big + n, cap - n, variant == 2 ? "{\"x\":[{" : "{");
		for (int k = 0; k < 5000; k++)
			n += (size_t)snprintf(big + n, cap - n, "%s\"k%d\":%d", k ? "," : "",
					      variant && k == 4999 ? 0 : (k * 7919) % 5000, k);
		n += (size_t)snprintf(big + n, cap - n, variant == 2 ? "}]}" : "}");
		CT_RESULT(cella_vfy_json_load(big, n, "big", &d, &r), variant ? CELLA_ERR_COLLATERAL : CELLA_OK);
		CT_ASSERT(variant ? strstr(d.text, "repeats a key") != NULL : r != NULL);
		cJSON_Delete(r);
		free(big);
	}

	/* The value cJSON gives for the escaped backslash case is the six characters, not a cut string. */
	struct cJSON *root = NULL;
	CT_RESULT(cella_vfy_json_load("{\"a\":\"\\\\u0000\"}", 15, "doc", NULL, &root), CELLA_OK);
	CT_ASSERT(strcmp(cJSON_GetObjectItemCaseSensitive(root, "a")->valuestring, "\\u0000") == 0);
	cJSON_Delete(root);
	cella_test_pass("strict JSON profile");
}

/*
 * The profile inside long strings, where plain bytes are skipped eight at a time: each kind of byte, at every
 * offset of a 24-byte string, is accepted or refused as a lone byte is, and a refusal names its exact offset.
 */
static void json_profile_long_strings(void)
{
	static const struct {
		const char *bytes;
		const char *why; /* NULL: accepted */
	} kinds[] = {
		{"\x01", "control character in a string at byte "}, {"\x1f", "control character in a string at byte "},
		{"\x7f", NULL},
		{"\x80", "invalid UTF-8 in a string at byte "},      {"\xff", "invalid UTF-8 in a string at byte "},
		{"\xc3\xa9", NULL},                                 {"\xe2\x82\xac", NULL},
		{"\\n", NULL},                                      {"\\\"", NULL},
		{"\\q", "unknown escape in a string at byte "},    {"\\u00e9", NULL},
		{" ", NULL},                                        {"~", NULL},
	};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t off = 0; off < 24; off++) {
			char doc[64], want[64];
			struct cella_detail d;
			struct cJSON *root = NULL;
			int n = snprintf(doc, sizeof(doc), "{\"a\":\"%.*s%s%.*s\"}", (int)off,
					 "aaaaaaaaaaaaaaaaaaaaaaaa", kinds[k].bytes, (int)(24 - off),
					 "bbbbbbbbbbbbbbbbbbbbbbbb");
			CT_ASSERT(n > 0 && (size_t)n < sizeof(doc));
			memset(&d, 0, sizeof(d));
			cella_result r = cella_vfy_json_load(doc, (size_t)n, "doc", &d, &root);
			if (!kinds[k].why) {
				CT_RESULT(r, CELLA_OK);
				cJSON_Delete(root);
				continue;
			}
			CT_RESULT(r, CELLA_ERR_COLLATERAL);
			snprintf(want, sizeof(want), "%s%zu", kinds[k].why, 6 + off);
			if (!strstr(d.text, want)) {
				fprintf(stderr, "kind %zu at %zu: \"%s\" does not say \"%s\"\n", k, off, d.text, want);
				CT_ASSERT(0);
			}
		}
	/* Every prefix of a document that stops in a string, after a backslash (an escape past the end: found by
	 * verify_fuzz), from a buffer of exactly that size so that ASan sees any read past it. */
	static const char cut[] = "{\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaa\\";
	for (size_t n = 1; n < sizeof(cut); n++) {
		char *doc = malloc(n);
		struct cJSON *root = NULL;
		CT_ASSERT(doc != NULL);
		memcpy(doc, cut, n);
		CT_RESULT(cella_vfy_json_load(doc, n, "doc", NULL, &root), CELLA_ERR_COLLATERAL);
		free(doc);
	}
	cella_test_pass("strict JSON profile inside long strings, at every offset");
}

static void collateral_json(void)
{
	struct cella_collateral *c = NULL;
	struct cella_detail d;
	CT_RESULT(cella_collateral_new_json("{}", 2, &c, &d), CELLA_ERR_COLLATERAL);
	CT_ASSERT(strstr(d.text, "pck_crl_issuer_chain") != NULL);
	CT_RESULT(cella_collateral_new_json("nope", 4, &c, NULL), CELLA_ERR_COLLATERAL);
	CT_RESULT(cella_collateral_load_file("/nonexistent/collateral.json", &c, &d), CELLA_ERR_NO_FILE);
	{
		/* a FIFO (planted in a cache directory, say) is refused, not waited on for a writer: opening it used to
		 * block for ever (the alarm ends the test then) */
		char dir[] = "/tmp/cella-fifo-XXXXXX", fifo[64];
		CT_ASSERT(mkdtemp(dir) != NULL);
		snprintf(fifo, sizeof(fifo), "%s/collateral.json", dir);
		CT_ASSERT(mkfifo(fifo, 0600) == 0);
		alarm(60);
		CT_RESULT(cella_collateral_load_file(fifo, &c, &d), CELLA_ERR_IO);
		alarm(0);
		CT_ASSERT(strstr(d.text, "not a regular file") != NULL);
		CT_RESULT(cella_collateral_load_file(dir, &c, &d), CELLA_ERR_IO); /* a directory */
		unlink(fifo);
		rmdir(dir);
	}

	/* A text with a NUL inside (a fetched body can carry one) is not written out cut short. */
	static const uint8_t der[1] = {0x30}, sig[64];
	struct vfy_parts p = {.pck_crl_chain = "x", .pck_crl_chain_len = 1, .root_crl = der, .root_crl_len = 1,
			      .pck_crl = der, .pck_crl_len = 1, .tcb_chain = "x", .tcb_chain_len = 1,
			      .tcb_info = "{}\0{}", .tcb_info_len = 5, .tcb_sig = sig, .qe_chain = "x", .qe_chain_len = 1,
			      .qe_identity = "{}", .qe_identity_len = 2, .qe_sig = sig};
	char *json = NULL;
	size_t n = 0;
	CT_RESULT(cella_vfy_collateral_new_parts(&p, &c), CELLA_OK);
	CT_RESULT(cella_collateral_to_json(c, &json, &n), CELLA_ERR_COLLATERAL);
	CT_ASSERT(json == NULL);
	cella_collateral_free(c);
	p.tcb_info_len = 2;
	p.qe_chain = "\xc3(";
	p.qe_chain_len = 2; /* invalid UTF-8 */
	CT_RESULT(cella_vfy_collateral_new_parts(&p, &c), CELLA_OK);
	CT_RESULT(cella_collateral_to_json(c, &json, &n), CELLA_ERR_COLLATERAL);
	cella_collateral_free(c);
	p.qe_chain = "x\xc3\xa9\n";
	p.qe_chain_len = 4; /* without either: written, and read back as it was */
	CT_RESULT(cella_vfy_collateral_new_parts(&p, &c), CELLA_OK);
	CT_RESULT(cella_collateral_to_json(c, &json, &n), CELLA_OK);
	cella_collateral_free(c);
	CT_ASSERT(json && n == strlen(json));
	CT_RESULT(cella_collateral_new_json(json, n, &c, &d), CELLA_OK);
	CT_ASSERT(c->qe_chain_len == 4 && memcmp(c->qe_chain, "x\xc3\xa9\n", 4) == 0);
	CT_ASSERT(c->tcb_info_len == 2 && memcmp(c->tcb_info, "{}", 2) == 0);
	CT_ASSERT(c->root_crl_len == 1 && c->root_crl[0] == 0x30);
	cella_collateral_free(c);
	free(json);
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
		  cella_hex_decode(sv + 1, sl - 2, tsig, 64) == 0);
	CT_ASSERT(cella_vfy_json_member_raw(qe, qen, "enclaveIdentity", &qi, &qil) == 0);
	CT_ASSERT(cella_vfy_json_member_raw(qe, qen, "signature", &sv, &sl) == 0 &&
		  cella_hex_decode(sv + 1, sl - 2, qsig, 64) == 0);
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

/*
 * Collateral without one of its three issuer chains: absent or empty, the member is refused by name when the
 * collateral is read (CELLA_ERR_COLLATERAL); cut to its first certificate (the signer without its root), it reads
 * but does not verify (CELLA_ERR_CERT_CHAIN naming the chain), with the full chain restored as the control.
 */
static void missing_chains(const char *root)
{
	static const char *const chains[] = {"pck_crl_issuer_chain", "tcb_info_issuer_chain",
					     "qe_identity_issuer_chain"};
	static const char *const named[] = {"PCK CRL issuer chain", "TCB Info issuer chain",
					    "QE Identity issuer chain"};
	struct tv t;
	struct cella_quote q;
	tv_load(root, "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
	for (size_t i = 0; i < 3; i++) {
		for (int how = 0; how < 4; how++) {
			json_t *o = json_loadb(t.collateral, t.collateral_len, 0, NULL);
			const char *pem, *end;
			char *text, *cut;
			struct cella_collateral *c = NULL;
			struct cella_detail d = {{0}};
			struct cella_verify_result res;
			CT_ASSERT(o && (pem = json_string_value(json_object_get(o, chains[i]))) != NULL);
			CT_ASSERT((end = strstr(pem, "-----END CERTIFICATE-----\n")) != NULL);
			cut = strndup(pem, (size_t)(end - pem) + strlen("-----END CERTIFICATE-----\n"));
			if (how == 0)
				json_object_del(o, chains[i]);
			else if (how == 1)
				json_object_set_new(o, chains[i], json_string(""));
			else if (how == 2)
				json_object_set_new(o, chains[i], json_string(cut));
			text = json_dumps(o, 0);
			CT_ASSERT(text != NULL);
			if (how < 2) {
				CT_RESULT(cella_collateral_new_json(text, strlen(text), &c, &d), CELLA_ERR_COLLATERAL);
				CT_ASSERT(c == NULL);
				if (!strstr(d.text, chains[i]))
					cella_test_fail(__FILE__, __LINE__, "%s %s: detail \"%s\" does not name it",
							chains[i], how ? "empty" : "absent", d.text);
			} else {
				CT_RESULT(cella_collateral_new_json(text, strlen(text), &c, &d), CELLA_OK);
				if (how == 2) {
					CT_RESULT(cella_quote_verify(&q, c, t.verify_time, &res), CELLA_ERR_CERT_CHAIN);
					if (!strstr(res.detail.text, named[i]))
						cella_test_fail(__FILE__, __LINE__, "%s without its root: detail \"%s\"",
								chains[i], res.detail.text);
				} else {
					CT_RESULT(cella_quote_verify(&q, c, t.verify_time, &res), CELLA_OK);
				}
				cella_collateral_free(c);
			}
			free(text);
			free(cut);
			json_decref(o);
		}
	}
	tv_free(&t);
	cella_test_pass("an issuer chain absent or empty is refused by name; one without its root does not verify");
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	raw_points();
	convergence();
	tcb_info_docs();
	raw_members();
	json_profile();
	json_profile_long_strings();
	collateral_json();
	synthetic(root);
	missing_chains(root);
	return 0;
}
