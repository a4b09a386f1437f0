// SPDX-License-Identifier: MIT
/* Quote parsing: every real quote, length handling, certification data types, self-consistency checks, time. */
#include "cella_test.h"
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *dup(const uint8_t *b, size_t n, size_t extra)
{
	uint8_t *c = calloc(1, n + extra);
	memcpy(c, b, n);
	return c;
}

static void all_real_quotes(const char *root)
{
	char dir[600], rel[900];
	DIR *d;
	struct dirent *e;
	int count = 0, v5 = 0;
	snprintf(dir, sizeof(dir), "%s/quotes_only", root);
	d = opendir(dir);
	CT_ASSERT(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name), len;
		uint8_t *b;
		const uint8_t *p;
		struct cella_quote q;
		struct cella_detail det = {{0}};
		cella_result r;
		if (n < 5 || strcmp(e->d_name + n - 4, ".bin") != 0)
			continue;
		snprintf(rel, sizeof(rel), "quotes_only/%s", e->d_name);
		b = tv_read(root, rel, &len);
		p = b;
		if (strstr(e->d_name, ".oereport.")) { /* Open Enclave's 16-byte report header */
			p += 16;
			len -= 16;
		}
		r = cella_quote_parse(p, len, &q, &det);
		if (r != CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "%s: %s: %s", e->d_name, cella_result_name(r), det.text);
		CT_ASSERT(q.len <= len);
		CT_EQ(q.pck_chain[q.pck_chain_len - 1], '\n');
		r = cella_quote_check_signatures(&q, &det);
		if (r != CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "%s signatures: %s: %s", e->d_name, cella_result_name(r),
					det.text);
		struct cella_pck_info pck;
		CT_RESULT(cella_quote_pck_info(&q, &pck, &det), CELLA_OK);
		CT_ASSERT(pck.ca != CELLA_PCK_CA_UNKNOWN);
		if (p[0] == 5) {
			/* the public v5 quotes are TDX 1.5: header, descriptor (type 3, 648) at 48, body at 54 */
			struct cella_tdx_report td;
			CT_EQ(q.body_type, CELLA_QUOTE_BODY_TD15);
			CT_EQ(p[48] | p[49] << 8, 3);
			CT_EQ(q.body_len, 648);
			CT_ASSERT(q.body == p + 54);
			CT_EQ(q.signed_len, 54 + 648);
			cella_quote_tdx_report(&q, &td);
			CT_ASSERT(td.td15);
			CT_EQ_MEM(td.mr_td, p + 54 + 136, 48);
			CT_EQ_MEM(td.tee_tcb_svn2, p + 54 + 584, 16);
			CT_EQ_MEM(td.mr_servicetd, p + 54 + 600, 48);
			for (size_t cut = 0; cut < q.len; cut++) { /* every truncation of a v5 quote fails */
				struct cella_quote x;
				r = cella_quote_parse(p, cut, &x, NULL);
				if (r != CELLA_ERR_TRUNCATED && r != CELLA_ERR_QUOTE_FORMAT)
					cella_test_fail(__FILE__, __LINE__, "v5 cut to %zu: %s", cut, cella_result_name(r));
			}
			v5++;
		} else {
			CT_EQ(q.body_type, q.tee_type == CELLA_QUOTE_TEE_TDX ? CELLA_QUOTE_BODY_TD10 : CELLA_QUOTE_BODY_SGX);
		}
		count++;
		free(b);
	}
	closedir(d);
	CT_ASSERT(count >= 15);
	CT_ASSERT(v5 >= 1);
	cella_test_pass("every real quote (v3, v4, v5) parses and is self-consistent");
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	struct tv sgx, tdx;
	struct cella_quote q, q4;
	struct cella_detail det;
	uint8_t *b;
	size_t n;

	tv_load(root, "dcapqvl_sgx_v3", &sgx);
	tv_load(root, "dcapqvl_tdx_v4", &tdx);
	CT_RESULT(cella_quote_parse(sgx.quote, sgx.quote_len, &q, NULL), CELLA_OK);
	CT_EQ(q.version, 3);
	CT_EQ(q.tee_type, CELLA_QUOTE_TEE_SGX);
	CT_EQ(q.cert_type, 5);
	CT_EQ(q.body_len, 384);
	CT_ASSERT(q.body == sgx.quote + 48 && q.qe_report == sgx.quote + 564);
	CT_RESULT(cella_quote_parse(tdx.quote, tdx.quote_len, &q4, NULL), CELLA_OK);
	CT_EQ(q4.version, 4);
	CT_EQ(q4.tee_type, CELLA_QUOTE_TEE_TDX);
	CT_EQ(q4.cert_type, 6);
	CT_EQ(q4.body_len, 584);
	CT_ASSERT(q4.len < tdx.quote_len); /* zero padding after the signature data is ignored */
	{
		struct cella_sgx_report r;
		struct cella_tdx_report td;
		cella_sgx_report_decode(q.body, &r);
		CT_EQ_MEM(r.mr_enclave, sgx.quote + 112, 32);
		CT_EQ_MEM(r.mr_signer, sgx.quote + 176, 32);
		CT_EQ_MEM(r.report_data, sgx.quote + 368, 64);
		CT_EQ(r.isv_prod_id, sgx.quote[304] | sgx.quote[305] << 8);
		cella_tdx_report_decode(q4.body, &td);
		CT_EQ_MEM(td.mr_td, tdx.quote + 48 + 136, 48);
		CT_EQ_MEM(td.report_data, tdx.quote + 48 + 520, 64);
	}
	cella_test_pass("v3 SGX and v4 TDX layouts");

	all_real_quotes(root);

	/* every truncation fails; length comes from signature_data_len, not the buffer */
	for (int which = 0; which < 2; which++) {
		const struct tv *v = which ? &tdx : &sgx;
		size_t used = which ? q4.len : q.len;
		for (n = 0; n < used; n++) {
			struct cella_quote x;
			cella_result r = cella_quote_parse(v->quote, n, &x, NULL);
			if (r != CELLA_ERR_TRUNCATED && r != CELLA_ERR_QUOTE_FORMAT)
				cella_test_fail(__FILE__, __LINE__, "truncated to %zu: %s", n, cella_result_name(r));
		}
		for (n = used; n <= v->quote_len; n++) {
			struct cella_quote x;
			CT_RESULT(cella_quote_parse(v->quote, n, &x, NULL), CELLA_OK);
		}
	}
	CT_RESULT(cella_quote_parse(tdx.quote, tdx.quote_len, &q4, NULL), CELLA_OK);
	cella_test_pass("truncation at every length");

	/* signature_data_len inconsistent with the structures inside */
	b = dup(sgx.quote, sgx.quote_len, 8);
	put32(b + 432, (uint32_t)(q.len - 436 + 1));
	CT_RESULT(cella_quote_parse(b, sgx.quote_len + 8, &q, NULL), CELLA_ERR_QUOTE_FORMAT);
	put32(b + 432, (uint32_t)(q.len - 436 - 1));
	CT_RESULT(cella_quote_parse(b, sgx.quote_len + 8, &q, NULL), CELLA_ERR_QUOTE_FORMAT);
	put32(b + 432, 0xfffffff0u);
	CT_RESULT(cella_quote_parse(b, sgx.quote_len + 8, &q, NULL), CELLA_ERR_TRUNCATED);
	free(b);
	CT_RESULT(cella_quote_parse(sgx.quote, sgx.quote_len, &q, NULL), CELLA_OK);
	cella_test_pass("signature_data_len drives parsing");

	/* versions, key types, TEE types */
	{
		static const struct {
			size_t off;
			uint8_t val;
			int tdx;
			cella_result want;
		} cases[] = {
			{0, 2, 0, CELLA_ERR_QUOTE_VERSION}, {0, 6, 0, CELLA_ERR_QUOTE_VERSION},
			{0, 5, 0, CELLA_ERR_QUOTE_FORMAT}, /* no body descriptor: the body's first bytes read as one */
			{0, 5, 1, CELLA_ERR_QUOTE_FORMAT},
			{2, 3, 0, CELLA_ERR_QUOTE_VERSION}, {2, 0, 0, CELLA_ERR_QUOTE_VERSION},
			{4, 0x81, 0, CELLA_ERR_QUOTE_FORMAT}, {4, 0x7, 1, CELLA_ERR_QUOTE_VERSION},
			{0, 3, 1, CELLA_ERR_QUOTE_FORMAT}, /* TDX body read as v3 */
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const struct tv *v = cases[i].tdx ? &tdx : &sgx;
			struct cella_quote x;
			cella_result r;
			b = dup(v->quote, v->quote_len, 0);
			b[cases[i].off] = cases[i].val;
			memset(&det, 0, sizeof(det));
			r = cella_quote_parse(b, v->quote_len, &x, &det);
			if (r != cases[i].want && !(cases[i].want == CELLA_ERR_QUOTE_FORMAT && r == CELLA_ERR_TRUNCATED))
				cella_test_fail(__FILE__, __LINE__, "case %zu: %s", i, cella_result_name(r));
			CT_ASSERT(det.text[0] != 0);
			free(b);
		}
	}
	cella_test_pass("version, key type and TEE type checks");

	/* certification data types: 5 in v3, 6 wrapping 5 in v4, anything else refused */
	{
		size_t auth = q.qe_auth_len, toff = 1014 + auth;
		struct cella_quote x;
		b = dup(sgx.quote, sgx.quote_len, 0);
		for (uint16_t ty = 0; ty < 8; ty++) {
			if (ty == 5)
				continue;
			b[toff] = (uint8_t)ty;
			memset(&det, 0, sizeof(det));
			CT_RESULT(cella_quote_parse(b, sgx.quote_len, &x, &det), CELLA_ERR_CERT_DATA_TYPE);
			CT_ASSERT(strstr(det.text, "type") != NULL);
		}
		free(b);
		b = tv_read(root, "intel_qvl_synthetic/quote.dat", &n); /* type 1: PPID in clear text */
		CT_RESULT(cella_quote_parse(b, n, &x, NULL), CELLA_ERR_CERT_DATA_TYPE);
		free(b);
		b = dup(tdx.quote, tdx.quote_len, 0);
		size_t outer = q4.signed_len + 4 + 128;
		b[outer] = 5;
		CT_RESULT(cella_quote_parse(b, tdx.quote_len, &x, NULL), CELLA_ERR_CERT_DATA_TYPE);
		b[outer] = 6;
		b[outer + 6 + 450 + q4.qe_auth_len] = 4; /* inner type */
		CT_RESULT(cella_quote_parse(b, tdx.quote_len, &x, NULL), CELLA_ERR_CERT_DATA_TYPE);
		free(b);
	}
	cella_test_pass("certification data types");

	/* trailing NULs after the PEM chain are tolerated; the chain view excludes them */
	{
		struct cella_quote x;
		size_t ql;
		uint8_t *nb = tv_rebuild_quote(sgx.quote, sgx.quote_len, q.pck_chain, q.pck_chain_len, &ql);
		CT_RESULT(cella_quote_parse(nb, ql, &x, NULL), CELLA_OK);
		CT_EQ(x.pck_chain_len, q.pck_chain_len);
		CT_RESULT(cella_quote_check_signatures(&x, NULL), CELLA_OK);
		free(nb);
		nb = tv_rebuild_quote(sgx.quote, sgx.quote_len, q.pck_chain, 0, &ql); /* just a NUL */
		CT_RESULT(cella_quote_parse(nb, ql, &x, NULL), CELLA_ERR_QUOTE_FORMAT);
		free(nb);
	}
	cella_test_pass("trailing NUL tolerated");

	/* self-consistency: binding, quote signature, QE report signature */
	{
		struct cella_quote x;
		b = dup(sgx.quote, sgx.quote_len, 0);
		b[100] ^= 1;
		CT_RESULT(cella_quote_parse(b, sgx.quote_len, &x, NULL), CELLA_OK);
		CT_RESULT(cella_quote_check_signatures(&x, NULL), CELLA_ERR_QUOTE_SIGNATURE);
		b[100] ^= 1;
		b[1014] ^= 1; /* QE auth data */
		CT_RESULT(cella_quote_check_signatures(&x, NULL), CELLA_ERR_QE_REPORT);
		b[1014] ^= 1;
		b[600] ^= 1; /* QE report */
		CT_RESULT(cella_quote_check_signatures(&x, NULL), CELLA_ERR_QE_REPORT);
		free(b);
	}
	cella_test_pass("signature self-consistency negatives");

	/* time */
	{
		int64_t tt;
		char buf[32];
		CT_RESULT(cella_time_parse("2025-06-19T11:56:11Z", &tt), CELLA_OK);
		CT_EQ(tt, 1750334171);
		CT_ASSERT(strcmp(cella_time_format(tt, buf, sizeof(buf)), "2025-06-19T11:56:11Z") == 0);
		CT_RESULT(cella_time_parse("2025-06-19T11:56:11.123+00:00", &tt), CELLA_OK);
		CT_EQ(tt, 1750334171);
		CT_RESULT(cella_time_parse("1750334171", &tt), CELLA_OK);
		CT_EQ(tt, 1750334171);
		CT_RESULT(cella_time_parse("2024-02-29T00:00:00Z", &tt), CELLA_OK);
		CT_ASSERT(strcmp(cella_time_format(tt, buf, sizeof(buf)), "2024-02-29T00:00:00Z") == 0);
		CT_RESULT(cella_time_parse("2025-13-01T00:00:00Z", &tt), CELLA_ERR_BAD_FORMAT);
		CT_RESULT(cella_time_parse("2025-02-29T00:00:00Z", &tt), CELLA_ERR_BAD_FORMAT); /* not a leap year */
		CT_RESULT(cella_time_parse("2100-02-29T00:00:00Z", &tt), CELLA_ERR_BAD_FORMAT);
		CT_RESULT(cella_time_parse("2000-02-29T00:00:00Z", &tt), CELLA_OK);
		CT_RESULT(cella_time_parse("9223372036854775807", &tt), CELLA_OK);
		CT_EQ(tt, INT64_MAX);
		CT_RESULT(cella_time_parse("9999999999999999999", &tt), CELLA_ERR_BAD_FORMAT); /* over 2^63 - 1 */
		CT_RESULT(cella_time_parse("2025-06-19T11:56:11+02:00", &tt), CELLA_ERR_BAD_FORMAT);
		CT_RESULT(cella_time_parse("2025-06-19", &tt), CELLA_ERR_BAD_FORMAT);
		CT_RESULT(cella_time_parse("", &tt), CELLA_ERR_BAD_FORMAT);
	}
	cella_test_pass("time parsing");

	tv_free(&sgx);
	tv_free(&tdx);
	return 0;
}
