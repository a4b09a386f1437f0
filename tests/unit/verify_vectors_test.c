// SPDX-License-Identifier: MIT
/* Each DCAP vector with collateral: expected status and advisories at verify_time, expiry, other roots. */
#include "cella_test.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static struct cella_collateral *collateral(const struct tv *t)
{
	struct cella_collateral *c = NULL;
	struct cella_detail d = {{0}};
	cella_result r = cella_collateral_new_json(t->collateral, t->collateral_len, &c, &d);
	if (r != CELLA_OK)
		cella_test_fail(__FILE__, __LINE__, "collateral: %s: %s", cella_result_name(r), d.text);
	return c;
}

static void expect_verdict(const struct tv *t, const struct cella_verify_result *res)
{
	CT_EQ(res->status, t->status);
	CT_EQ(res->advisory_count, t->advisory_count);
	for (size_t i = 0; i < t->advisory_count; i++)
		if (strcmp(res->advisory_ids[i], t->advisories[i]) != 0)
			cella_test_fail(__FILE__, __LINE__, "advisory %zu is %s, expected %s", i, res->advisory_ids[i],
					t->advisories[i]);
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	const char *name = argc > 2 ? argv[2] : "dcapqvl_sgx_v3";
	struct tv t;
	struct cella_quote q;
	struct cella_collateral *c;
	struct cella_verify_result res;
	struct cella_trust *trust = NULL;
	uint8_t *pem;
	size_t pem_len;
	cella_result r;

	tv_load(root, name, &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
	c = collateral(&t);

	/* the expected verdict at verify_time, cold then warm */
	for (int pass = 0; pass < 2; pass++) {
		r = cella_quote_verify(&q, c, t.verify_time, &res);
		if (r != CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "verify: %s: %s", cella_result_name(r), res.detail.text);
		expect_verdict(&t, &res);
		CT_EQ(res.valid_from, t.from);
		CT_EQ(res.valid_until, t.until);
		CT_EQ(res.claims.tee_type, q.tee_type);
	}
	cella_test_pass("expected status and advisories");

	/* the whole validity window, and nothing outside it */
	CT_RESULT(cella_quote_verify(&q, c, t.from, &res), CELLA_OK);
	CT_RESULT(cella_quote_verify(&q, c, t.until, &res), CELLA_OK);
	CT_RESULT(cella_quote_verify(&q, c, t.until + 1, &res), CELLA_ERR_EXPIRED);
	CT_RESULT(cella_quote_verify(&q, c, t.from - 1, &res), CELLA_ERR_EXPIRED);
	CT_RESULT(cella_quote_verify(&q, c, t.until + 86400 * 365, &res), CELLA_ERR_EXPIRED);
	CT_ASSERT(strlen(res.detail.text) > 0);
	cella_test_pass("fails after the collateral expires");

	/* a fresh collateral object, first use after expiry: same verdict (the cache is not time-dependent) */
	cella_collateral_free(c);
	c = collateral(&t);
	CT_RESULT(cella_quote_verify(&q, c, t.until + 1, &res), CELLA_ERR_EXPIRED);
	CT_RESULT(cella_quote_verify(&q, c, t.verify_time, &res), CELLA_OK);
	cella_test_pass("expiry on a cold collateral");

	/* under the synthetic test root: untrusted */
	pem = tv_read(root, "intel_qvl_synthetic/trustedRootCaCert.pem", &pem_len);
	CT_RESULT(cella_trust_new_cert(pem, pem_len, &trust, NULL), CELLA_OK);
	free(pem);
	CT_RESULT(cella_quote_verify_trust(trust, &q, c, t.verify_time, &res), CELLA_ERR_UNTRUSTED_ROOT);
	CT_ASSERT(strstr(res.detail.text, "root") != NULL);
	cella_trust_free(trust);
	/* and back under Intel's: the cache follows the trust anchor */
	CT_RESULT(cella_quote_verify(&q, c, t.verify_time, &res), CELLA_OK);
	cella_test_pass("synthetic test root is refused");

	/* both Intel root certificate variants carry the pinned key */
	const char *variants[2] = {"IntelSGXRootCA.pem", "IntelSGXRootCA_2033variant.pem"};
	for (int i = 0; i < 2; i++) {
		CT_ASSERT((pem = tv_read(root, variants[i], &pem_len)) != NULL);
		CT_RESULT(cella_trust_new_cert(pem, pem_len, &trust, NULL), CELLA_OK);
		CT_RESULT(cella_quote_verify_trust(trust, &q, c, t.verify_time, &res), CELLA_OK);
		expect_verdict(&t, &res);
		cella_trust_free(trust);
		/* the quote's chain ending in that variant of the root certificate */
		{
			const char *end = strstr(q.pck_chain, "-----END CERTIFICATE-----");
			const char *second = end ? strstr(end + 1, "-----END CERTIFICATE-----") : NULL;
			size_t head = second ? (size_t)(second - q.pck_chain) + 26 : 0, nq = 0;
			char *chain;
			uint8_t *nqb;
			struct cella_quote q2;
			CT_ASSERT(second);
			chain = malloc(head + pem_len + 1);
			memcpy(chain, q.pck_chain, head);
			memcpy(chain + head, pem, pem_len);
			nqb = tv_rebuild_quote(t.quote, t.quote_len, chain, head + pem_len, &nq);
			CT_RESULT(cella_quote_parse(nqb, nq, &q2, NULL), CELLA_OK);
			r = cella_quote_verify(&q2, c, t.verify_time, &res);
			if (r != CELLA_OK)
				cella_test_fail(__FILE__, __LINE__, "%s in chain: %s: %s", variants[i],
						cella_result_name(r), res.detail.text);
			expect_verdict(&t, &res);
			free(chain);
			free(nqb);
		}
		free(pem);
	}
	cella_test_pass("both Intel root variants");

	/* a collateral from another vector never verifies this quote */
	{
		const char *other = strcmp(name, "dcapqvl_sgx_v3") ? "dcapqvl_sgx_v3" : "automata_quotev3_0825_tcbv3";
		struct tv t2;
		struct cella_collateral *c2;
		tv_load(root, other, &t2);
		c2 = collateral(&t2);
		r = cella_quote_verify(&q, c2, t.verify_time, &res);
		CT_ASSERT(r != CELLA_OK);
		r = cella_quote_verify(&q, c2, t2.verify_time, &res);
		CT_ASSERT(r != CELLA_OK);
		cella_collateral_free(c2);
		tv_free(&t2);
	}
	cella_test_pass("mismatched collateral is refused");

	/* serialising and reloading the collateral keeps the verdict */
	{
		char *json = NULL;
		size_t n = 0;
		struct cella_collateral *c2 = NULL;
		int64_t next = 0;
		CT_RESULT(cella_collateral_to_json(c, &json, &n), CELLA_OK);
		CT_RESULT(cella_collateral_new_json(json, n, &c2, NULL), CELLA_OK);
		CT_RESULT(cella_quote_verify(&q, c2, t.verify_time, &res), CELLA_OK);
		expect_verdict(&t, &res);
		CT_RESULT(cella_collateral_next_update(c2, &next), CELLA_OK);
		CT_ASSERT(next >= t.until);
		cella_collateral_free(c2);
		free(json);
	}
	cella_test_pass("collateral JSON round trip");

	cella_collateral_free(c);
	tv_free(&t);
	return 0;
}
