// SPDX-License-Identifier: MIT
/*
 * cella_collateral_fetch's libcurl options. The test is linked with -Wl,--wrap=curl_easy_setopt, so every option
 * the fetch sets passes through __wrap_curl_easy_setopt below, which records it and can make it fail as an older
 * or differently built libcurl would (CURLOPT_PROTOCOLS_STR only exists from 7.85). Each option set, refused in
 * turn, must fail the fetch with CELLA_ERR_UNSUPPORTED (CELLA_ERR_OUT_OF_MEMORY when libcurl is out of memory) and
 * a detail naming it; the options themselves restrict the protocols to http and https, follow no redirect and cap
 * the body. The base URL names a port nothing listens on: a fetch that got past its options fails with
 * CELLA_ERR_FETCH. Redirects and oversized answers on the wire are tests/verify/fetch_test.sh.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <string.h>

#include "cella_test.h"
#include "testutil.h"

CURLcode __real_curl_easy_setopt(CURL *c, CURLoption o, ...);
CURLcode __wrap_curl_easy_setopt(CURL *c, CURLoption o, ...);

#define MAX_SEEN 64

static struct {
	CURLoption opt;
	long lval;        /* long options */
	curl_off_t oval;  /* curl_off_t options */
	char sval[64];    /* CURLOPT_PROTOCOLS_STR */
} seen[MAX_SEEN];
static size_t nseen;
static CURLoption fail_opt = CURLOPT_LASTENTRY; /* none */
static CURLcode fail_code;

static size_t record(CURLoption o)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].opt == o)
			return i;
	CT_ASSERT(nseen < MAX_SEEN);
	seen[nseen].opt = o;
	return nseen++;
}

CURLcode __wrap_curl_easy_setopt(CURL *c, CURLoption o, ...)
{
	va_list ap;
	CURLcode rc;
	size_t i = record(o);
	if (o == fail_opt)
		return fail_code;
	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT) {
		long v = va_arg(ap, long);
		seen[i].lval = v;
		rc = __real_curl_easy_setopt(c, o, v);
	} else if (o < CURLOPTTYPE_FUNCTIONPOINT) {
		void *v = va_arg(ap, void *);
		if (o == CURLOPT_PROTOCOLS_STR)
			snprintf(seen[i].sval, sizeof(seen[i].sval), "%s", (const char *)v);
		rc = __real_curl_easy_setopt(c, o, v);
	} else if (o < CURLOPTTYPE_OFF_T) {
		void (*v)(void) = va_arg(ap, void (*)(void));
		rc = __real_curl_easy_setopt(c, o, v);
	} else {
		curl_off_t v = va_arg(ap, curl_off_t);
		CT_ASSERT(o < CURLOPTTYPE_BLOB);
		seen[i].oval = v;
		rc = __real_curl_easy_setopt(c, o, v);
	}
	va_end(ap);
	return rc;
}

static const char *opt_name(CURLoption o, char *buf, size_t n)
{
	const struct curl_easyoption *e = curl_easy_option_by_id(o);
	if (!e)
		cella_test_fail(__FILE__, __LINE__, "option %d unknown to libcurl", (int)o);
	snprintf(buf, n, "CURLOPT_%s", e->name);
	return buf;
}

static size_t find(CURLoption o)
{
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].opt == o)
			return i;
	cella_test_fail(__FILE__, __LINE__, "option %d never set", (int)o);
}

int main(int argc, char **argv)
{
	struct tv t;
	struct cella_quote q;
	struct cella_fetch_options o = {.base_url = "http://127.0.0.1:9", .insecure_tls = true};
	struct cella_collateral *c = NULL;
	struct cella_detail d = {{0}};
	char name[80];
	size_t all;

	tv_load(tv_root(argc, argv), "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);

	/* the control: every option accepted, the request made and refused by the closed port */
	CT_RESULT(cella_collateral_fetch(&o, &q, 1750334171, &c, &d), CELLA_ERR_FETCH);
	CT_ASSERT(c == NULL);
	CT_ASSERT(strcmp(seen[find(CURLOPT_PROTOCOLS_STR)].sval, "http,https") == 0);
	CT_EQ(seen[find(CURLOPT_FOLLOWLOCATION)].lval, 0);
	CT_EQ(seen[find(CURLOPT_MAXFILESIZE_LARGE)].oval, 2 << 20);
	CT_EQ(seen[find(CURLOPT_SSL_VERIFYPEER)].lval, 0);
	find(CURLOPT_URL);
	cella_test_pass("the fetch sets PROTOCOLS_STR http,https, FOLLOWLOCATION 0 and MAXFILESIZE_LARGE 2 MiB");

	/* each option refused in turn: the fetch stops there, naming it */
	all = nseen;
	for (size_t i = 0; i < all; i++) {
		fail_opt = seen[i].opt;
		fail_code = CURLE_UNKNOWN_OPTION;
		memset(&d, 0, sizeof(d));
		CT_RESULT(cella_collateral_fetch(&o, &q, 1750334171, &c, &d), CELLA_ERR_UNSUPPORTED);
		CT_ASSERT(c == NULL);
		opt_name(fail_opt, name, sizeof(name));
		if (!strstr(d.text, name) || !strstr(d.text, curl_easy_strerror(CURLE_UNKNOWN_OPTION)))
			cella_test_fail(__FILE__, __LINE__, "%s refused: detail \"%s\" does not name it and why", name,
					d.text);
	}
	fail_opt = CURLOPT_URL;
	fail_code = CURLE_OUT_OF_MEMORY;
	CT_RESULT(cella_collateral_fetch(&o, &q, 1750334171, &c, &d), CELLA_ERR_OUT_OF_MEMORY);
	CT_ASSERT(strstr(d.text, "CURLOPT_URL") != NULL);
	fail_opt = CURLOPT_LASTENTRY;
	CT_EQ(nseen, all); /* no option set that the control did not */
	cella_test_pass("every option refused by libcurl fails the fetch, named: CELLA_ERR_UNSUPPORTED "
			"(CELLA_ERR_OUT_OF_MEMORY for libcurl's out of memory)");
	tv_free(&t);
	return 0;
}
