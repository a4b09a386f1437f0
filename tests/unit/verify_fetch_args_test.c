// SPDX-License-Identifier: MIT
/*
 * cella_collateral_fetch's argument checks, which come before any request (the base URL names a port nothing
 * listens on, so a check that let a call through would fail with CELLA_ERR_FETCH instead): an update other than
 * early or standard, an over-long base or root CRL URL, and a cache directory too long for a path are
 * CELLA_ERR_INVALID_ARG with the detail naming the argument. The requests themselves are tests/verify/fetch_test.sh.
 */
#include <string.h>

#include "cella_test.h"
#include "testutil.h"

static char long_text[5000];

static void expect_invalid(const struct cella_fetch_options *o, const struct cella_quote *q, const char *named,
			   const char *what)
{
	struct cella_collateral *c = NULL;
	struct cella_detail d = {{0}};
	CT_RESULT(cella_collateral_fetch(o, q, 1750334171, &c, &d), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(c == NULL);
	if (!strstr(d.text, named))
		cella_test_fail(__FILE__, __LINE__, "%s: detail \"%s\" does not name %s", what, d.text, named);
}

int main(int argc, char **argv)
{
	struct tv t;
	struct cella_quote q;
	struct cella_fetch_options o = {.base_url = "http://127.0.0.1:9"};
	struct cella_collateral *c = NULL;
	struct cella_detail d = {{0}};
	char url[4100];

	tv_load(tv_root(argc, argv), "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
	memset(long_text, 'd', sizeof(long_text) - 1);

	o.update = "sometimes";
	expect_invalid(&o, &q, "update \"sometimes\"", "update sometimes");
	o.update = "Early"; /* the values are case-sensitive, as Intel PCS's */
	expect_invalid(&o, &q, "update \"Early\"", "update Early");
	o.update = NULL;
	snprintf(url, sizeof(url), "http://127.0.0.1:9/%.4000s", long_text);
	o.base_url = url;
	expect_invalid(&o, &q, "URL longer than", "long base URL");
	o.base_url = "http://127.0.0.1:9";
	o.root_crl_url = url;
	expect_invalid(&o, &q, "URL longer than", "long root CRL URL");
	o.root_crl_url = NULL;
	o.cache_dir = long_text;
	expect_invalid(&o, &q, "cache directory path too long", "long cache directory");
	cella_test_pass("bad update values, over-long URLs and an over-long cache directory: CELLA_ERR_INVALID_ARG, "
			"named, before any request");

	/* the control: well-formed arguments reach the network, which refuses */
	o.cache_dir = NULL;
	o.update = "early";
	CT_RESULT(cella_collateral_fetch(&o, &q, 1750334171, &c, &d), CELLA_ERR_FETCH);
	CT_ASSERT(c == NULL);
	o.update = "standard";
	CT_RESULT(cella_collateral_fetch(&o, &q, 1750334171, &c, &d), CELLA_ERR_FETCH);
	cella_test_pass("update early and standard are accepted: the request is made and fails (CELLA_ERR_FETCH)");
	tv_free(&t);
	return 0;
}
