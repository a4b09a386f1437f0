// SPDX-License-Identifier: MIT
/*
 * libcella-verify leaves OpenSSL's per-thread error queue as its caller had it, whatever the outcome: a caller that
 * verifies a quote between two TLS calls must still read its own SSL_get_error(), and one whose queue held an error
 * must find it there afterwards. Each public entry point that uses OpenSSL runs here with a passing and with a
 * refused input, after a sentinel error was pushed; the sentinel must be the queue's only entry afterwards.
 */
#include "cella_test.h"
#include "testutil.h"

#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL_REASON 77

static void push_sentinel(void)
{
	ERR_clear_error();
	ERR_raise(ERR_LIB_USER, SENTINEL_REASON);
}

/* the queue holds the sentinel and nothing else */
static void expect_only_sentinel(const char *what)
{
	unsigned long e = ERR_get_error(), more = ERR_get_error();
	if (ERR_GET_LIB(e) != ERR_LIB_USER || ERR_GET_REASON(e) != SENTINEL_REASON || more != 0) {
		char buf[256] = "";
		ERR_error_string_n(more ? more : e, buf, sizeof(buf));
		cella_test_fail(__FILE__, __LINE__, "%s: the queue is not the caller's (%s)", what,
				e ? buf : "the caller's error is gone");
	}
}

/* the collateral text with the first certificate's body after `after` made unreadable (caller frees) */
static char *spoil_cert_after(const char *json, const char *after)
{
	return tv_replace_after(json, after, "-----BEGIN CERTIFICATE-----\\nMII",
				"-----BEGIN CERTIFICATE-----\\n!!!");
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	struct tv t;
	struct cella_quote q, q2;
	struct cella_collateral *c = NULL, *c2 = NULL;
	struct cella_verify_result res;
	struct cella_trust *trust = NULL;
	struct cella_pck_info pck;
	struct cella_detail d = {{0}};
	uint8_t *pem, *bad;
	size_t pem_len;
	int64_t next;
	char *json;

	tv_load(root, argc > 2 ? argv[2] : "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);

	push_sentinel();
	CT_RESULT(cella_collateral_new_json(t.collateral, t.collateral_len, &c, &d), CELLA_OK);
	expect_only_sentinel("cella_collateral_new_json, accepted");
	push_sentinel();
	CT_RESULT(cella_quote_verify(&q, c, t.verify_time, &res), CELLA_OK);
	expect_only_sentinel("cella_quote_verify, cold, accepted");
	push_sentinel();
	CT_RESULT(cella_quote_verify(&q, c, t.verify_time, &res), CELLA_OK);
	expect_only_sentinel("cella_quote_verify, warm, accepted");
	push_sentinel();
	CT_RESULT(cella_quote_verify(&q, c, t.until + 1, &res), CELLA_ERR_EXPIRED);
	expect_only_sentinel("cella_quote_verify, expired");
	push_sentinel();
	CT_RESULT(cella_collateral_next_update(c, &next), CELLA_OK);
	expect_only_sentinel("cella_collateral_next_update");
	push_sentinel();
	CT_RESULT(cella_quote_pck_info(&q, &pck, NULL), CELLA_OK);
	expect_only_sentinel("cella_quote_pck_info, accepted");
	push_sentinel();
	CT_RESULT(cella_quote_check_signatures(&q, NULL), CELLA_OK);
	expect_only_sentinel("cella_quote_check_signatures, accepted");
	cella_test_pass("accepted inputs leave the caller's OpenSSL error queue as it was");

	/* a trust anchor that is not a certificate, and one that is (the synthetic root) but does not anchor Intel's */
	push_sentinel();
	CT_ASSERT(cella_trust_new_cert((const uint8_t *)"junk", 4, &trust, NULL) != CELLA_OK);
	expect_only_sentinel("cella_trust_new_cert, not a certificate");
	pem = tv_read(root, "intel_qvl_synthetic/trustedRootCaCert.pem", &pem_len);
	push_sentinel();
	CT_RESULT(cella_trust_new_cert(pem, pem_len, &trust, NULL), CELLA_OK);
	expect_only_sentinel("cella_trust_new_cert, accepted");
	free(pem);
	push_sentinel();
	CT_RESULT(cella_quote_verify_trust(trust, &q, c, t.verify_time, &res), CELLA_ERR_UNTRUSTED_ROOT);
	expect_only_sentinel("cella_quote_verify_trust, another root");
	push_sentinel();
	CT_ASSERT(cella_quote_pck_info_trusted(trust, &q, &pck, NULL) != CELLA_OK);
	expect_only_sentinel("cella_quote_pck_info_trusted, another root");
	cella_trust_free(trust);

	/* a PCK chain that does not decode, and a quote signature that does not verify */
	{
		const char *body = strstr(q.pck_chain, "-----BEGIN CERTIFICATE-----\nMII");
		size_t n = 0;
		char *chain = malloc(q.pck_chain_len + 1);
		CT_ASSERT(body && chain);
		memcpy(chain, q.pck_chain, q.pck_chain_len);
		memcpy(chain + (body - q.pck_chain) + 28, "!!!", 3);
		bad = tv_rebuild_quote(t.quote, t.quote_len, chain, q.pck_chain_len, &n);
		CT_RESULT(cella_quote_parse(bad, n, &q2, NULL), CELLA_OK);
		push_sentinel();
		CT_ASSERT(cella_quote_pck_info(&q2, &pck, NULL) != CELLA_OK);
		expect_only_sentinel("cella_quote_pck_info, chain not decodable");
		push_sentinel();
		CT_ASSERT(cella_quote_verify(&q2, c, t.verify_time, &res) != CELLA_OK);
		expect_only_sentinel("cella_quote_verify, chain not decodable");
		free(bad);
		free(chain);
	}
	bad = malloc(t.quote_len);
	CT_ASSERT(bad);
	memcpy(bad, t.quote, t.quote_len);
	bad[q.signed_len + 4] ^= 1; /* inside the quote's signature */
	CT_RESULT(cella_quote_parse(bad, t.quote_len, &q2, NULL), CELLA_OK);
	push_sentinel();
	CT_ASSERT(cella_quote_check_signatures(&q2, NULL) != CELLA_OK);
	expect_only_sentinel("cella_quote_check_signatures, signature does not verify");
	push_sentinel();
	CT_ASSERT(cella_quote_verify(&q2, c, t.verify_time, &res) != CELLA_OK);
	expect_only_sentinel("cella_quote_verify, signature does not verify");
	free(bad);

	/* collateral whose TCB Info issuer chain does not decode: refused on loading or on verifying */
	json = spoil_cert_after(t.collateral, "tcb_info_issuer_chain");
	push_sentinel();
	if (cella_collateral_new_json(json, strlen(json), &c2, NULL) == CELLA_OK) {
		expect_only_sentinel("cella_collateral_new_json, chain not decodable");
		push_sentinel();
		CT_ASSERT(cella_quote_verify(&q, c2, t.verify_time, &res) != CELLA_OK);
		expect_only_sentinel("cella_quote_verify, collateral chain not decodable");
		push_sentinel();
		CT_ASSERT(cella_collateral_next_update(c2, &next) != CELLA_OK);
		expect_only_sentinel("cella_collateral_next_update, chain not decodable");
		cella_collateral_free(c2);
	} else {
		expect_only_sentinel("cella_collateral_new_json, chain not decodable");
	}
	free(json);
	push_sentinel();
	CT_ASSERT(cella_collateral_load_file("/nonexistent/collateral.json", &c2, NULL) != CELLA_OK);
	expect_only_sentinel("cella_collateral_load_file, missing");
	cella_test_pass("refused inputs leave the caller's OpenSSL error queue as it was");

	cella_collateral_free(c);
	tv_free(&t);
	return 0;
}
