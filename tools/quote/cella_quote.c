// SPDX-License-Identifier: MIT
/* cella-quote: dump a DCAP quote, or verify it against collateral from a file or a PCCS / Intel PCS. */
#include <cella/verify.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file.h"
#include "parse.h"

/* Exit codes: the verdict. */
enum {
	EXIT_UP_TO_DATE = 0,  /* verified, TCB UpToDate */
	EXIT_INVALID = 1,     /* not verified: bad evidence, bad collateral, revoked, expired, I/O */
	EXIT_NEEDS_POLICY = 2, /* verified, but the TCB status is not UpToDate (see the status) */
	EXIT_USAGE = 64,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cella-quote dump QUOTE [--json]\n"
		   "       cella-quote verify QUOTE (--collateral FILE | --pccs URL) [--at TIME] [--json]\n"
		   "                         [--root CERT] [--cache DIR] [--update early|standard] [--insecure-tls]\n"
		   "                         [--min-tcb-eval N]\n"
		   "       cella-quote fetch QUOTE --pccs URL [--root CERT] [--cache DIR] [--update early|standard]\n"
		   "                         [--insecure-tls] -o FILE\n"
		   "TIME is RFC 3339 (2025-06-19T11:56:11Z) or Unix seconds; default now.\n"
		   "verify exits 0 when the quote verifies with TCB status UpToDate, 2 when it verifies with\n"
		   "another status (SWHardeningNeeded, OutOfDate, ...: a policy decision), 1 when it does not verify\n"
		   "(including revoked, or collateral older than --min-tcb-eval: a TCB Info or QE Identity whose\n"
		   "tcbEvaluationDataNumber is below N), 64 on usage errors.\n");
}

/* Quotes and certificates are a few KiB; a PEM bundle for --root stays far below this. */
#define MAX_INPUT_BYTES (16u << 20)

static uint8_t *read_file(const char *path, size_t *len)
{
	return cella_cli_file("cella-quote", path, MAX_INPUT_BYTES, len);
}

static const char *hex(const uint8_t *p, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * n] = 0;
	return buf;
}

static json_t *jhex(const uint8_t *p, size_t n)
{
	char buf[2 * 128 + 1];
	return json_string(hex(p, n, buf));
}

static json_t *sgx_json(const struct cella_sgx_report *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "mrenclave", jhex(r->mr_enclave, 32));
	json_object_set_new(o, "mrsigner", jhex(r->mr_signer, 32));
	json_object_set_new(o, "isvprodid", json_integer(r->isv_prod_id));
	json_object_set_new(o, "isvsvn", json_integer(r->isv_svn));
	json_object_set_new(o, "attributes", jhex(r->attributes, 16));
	json_object_set_new(o, "miscselect", jhex(r->misc_select, 4));
	json_object_set_new(o, "cpusvn", jhex(r->cpu_svn, 16));
	json_object_set_new(o, "config_id", jhex(r->config_id, 64));
	json_object_set_new(o, "config_svn", json_integer(r->config_svn));
	json_object_set_new(o, "isv_ext_prod_id", jhex(r->isv_ext_prod_id, 16));
	json_object_set_new(o, "isv_family_id", jhex(r->isv_family_id, 16));
	json_object_set_new(o, "report_data", jhex(r->report_data, 64));
	json_object_set_new(o, "debug", json_boolean(r->flags & CELLA_SGX_FLAGS_DEBUG));
	return o;
}

static json_t *tdx_json(const struct cella_tdx_report *r)
{
	json_t *o = json_object(), *rt = json_array();
	json_object_set_new(o, "tee_tcb_svn", jhex(r->tee_tcb_svn, 16));
	json_object_set_new(o, "mr_seam", jhex(r->mr_seam, 48));
	json_object_set_new(o, "mr_signer_seam", jhex(r->mr_signer_seam, 48));
	json_object_set_new(o, "seam_attributes", jhex(r->seam_attributes, 8));
	json_object_set_new(o, "td_attributes", jhex(r->td_attributes, 8));
	json_object_set_new(o, "xfam", jhex(r->xfam, 8));
	json_object_set_new(o, "mr_td", jhex(r->mr_td, 48));
	json_object_set_new(o, "mr_config_id", jhex(r->mr_config_id, 48));
	json_object_set_new(o, "mr_owner", jhex(r->mr_owner, 48));
	json_object_set_new(o, "mr_owner_config", jhex(r->mr_owner_config, 48));
	for (int i = 0; i < 4; i++)
		json_array_append_new(rt, jhex(r->rtmr[i], 48));
	json_object_set_new(o, "rtmr", rt);
	json_object_set_new(o, "report_data", jhex(r->report_data, 64));
	if (r->td15) {
		json_object_set_new(o, "tee_tcb_svn2", jhex(r->tee_tcb_svn2, 16));
		json_object_set_new(o, "mr_servicetd", jhex(r->mr_servicetd, 48));
	}
	json_object_set_new(o, "debug", json_boolean(r->td_attributes[0] & CELLA_TDX_TD_ATTRIBUTES_DEBUG));
	return o;
}

static json_t *pck_json(const struct cella_pck_info *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "fmspc", jhex(p->fmspc, 6));
	json_object_set_new(o, "pce_id", jhex(p->pce_id, 2));
	json_object_set_new(o, "pce_svn", json_integer(p->pce_svn));
	json_object_set_new(o, "tcb_comp_svn", jhex(p->tcb_comp_svn, 16));
	json_object_set_new(o, "cpusvn", jhex(p->cpu_svn, 16));
	json_object_set_new(o, "sgx_type", json_integer(p->sgx_type));
	json_object_set_new(o, "ca", json_string(p->ca == CELLA_PCK_CA_PROCESSOR  ? "processor"
						 : p->ca == CELLA_PCK_CA_PLATFORM ? "platform"
										  : "unknown"));
	return o;
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

static void print_sgx(const char *what, const struct cella_sgx_report *r)
{
	char b[160];
	printf("%s:\n", what);
	printf("  mrenclave    %s\n", hex(r->mr_enclave, 32, b));
	printf("  mrsigner     %s\n", hex(r->mr_signer, 32, b));
	printf("  isvprodid    %u\n  isvsvn       %u\n", r->isv_prod_id, r->isv_svn);
	printf("  attributes   %s%s\n", hex(r->attributes, 16, b), r->flags & CELLA_SGX_FLAGS_DEBUG ? " (DEBUG)" : "");
	printf("  miscselect   %s\n", hex(r->misc_select, 4, b));
	printf("  report_data  %s\n", hex(r->report_data, 64, b));
}

static void print_tdx(const struct cella_tdx_report *r)
{
	char b[160];
	printf("TD report:\n");
	printf("  tee_tcb_svn  %s\n", hex(r->tee_tcb_svn, 16, b));
	printf("  mr_seam      %s\n", hex(r->mr_seam, 48, b));
	printf("  mr_td        %s\n", hex(r->mr_td, 48, b));
	printf("  td_attributes %s%s\n", hex(r->td_attributes, 8, b),
	       r->td_attributes[0] & CELLA_TDX_TD_ATTRIBUTES_DEBUG ? " (DEBUG)" : "");
	for (int i = 0; i < 4; i++)
		printf("  rtmr%d        %s\n", i, hex(r->rtmr[i], 48, b));
	if (r->td15) {
		printf("  tee_tcb_svn2 %s\n", hex(r->tee_tcb_svn2, 16, b));
		printf("  mr_servicetd %s\n", hex(r->mr_servicetd, 48, b));
	}
	printf("  report_data  %s\n", hex(r->report_data, 64, b));
}

/* Open Enclave wraps quotes in a 16-byte oe_report_header_t {version 1, type 2 (remote), size}. */
static void strip_oe_header(const uint8_t **p, size_t *n)
{
	static const uint8_t hdr[8] = {1, 0, 0, 0, 2, 0, 0, 0};
	if (*n > 16 && memcmp(*p, hdr, 8) == 0) {
		uint64_t size = 0;
		for (int i = 0; i < 8; i++)
			size |= (uint64_t)(*p)[8 + i] << (8 * i);
		if (size <= *n - 16) {
			*p += 16;
			*n -= 16;
		}
	}
}

static int cmd_dump(const struct cella_quote *q, bool as_json)
{
	struct cella_pck_info pck;
	struct cella_detail d = {{0}};
	struct cella_sgx_report sgx, qe;
	struct cella_tdx_report tdx;
	bool have_pck = cella_quote_pck_info(q, &pck, &d) == CELLA_OK;
	struct cella_detail sd = {{0}};
	cella_result sr = cella_quote_check_signatures(q, &sd);
	char b[160];
	cella_sgx_report_decode(q->qe_report, &qe);
	if (q->tee_type == CELLA_QUOTE_TEE_TDX)
		cella_quote_tdx_report(q, &tdx);
	else
		cella_sgx_report_decode(q->body, &sgx);
	if (as_json) {
		json_t *o = json_object();
		json_object_set_new(o, "version", json_integer(q->version));
		json_object_set_new(o, "tee", json_string(q->tee_type == CELLA_QUOTE_TEE_TDX ? "TDX" : "SGX"));
		json_object_set_new(o, "att_key_type", json_integer(q->att_key_type));
		json_object_set_new(o, "qe_vendor_id", jhex(q->qe_vendor_id, 16));
		json_object_set_new(o, "user_data", jhex(q->user_data, 20));
		json_object_set_new(o, "length", json_integer((json_int_t)q->len));
		json_object_set_new(o, "cert_type", json_integer(q->cert_type));
		json_object_set_new(o, q->tee_type == CELLA_QUOTE_TEE_TDX ? "td_report" : "enclave_report",
				    q->tee_type == CELLA_QUOTE_TEE_TDX ? tdx_json(&tdx) : sgx_json(&sgx));
		json_object_set_new(o, "qe_report", sgx_json(&qe));
		json_object_set_new(o, "qe_auth_data", jhex(q->qe_auth, q->qe_auth_len < 64 ? q->qe_auth_len : 64));
		json_object_set_new(o, "pck", have_pck ? pck_json(&pck) : json_string(d.text));
		json_object_set_new(o, "signatures", json_string(sr == CELLA_OK ? "consistent" : sd.text));
		print_json(o);
		return 0;
	}
	printf("quote v%u, %s, attestation key type %u, %zu bytes, certification data type %u\n", q->version,
	       q->tee_type == CELLA_QUOTE_TEE_TDX ? "TDX" : "SGX", q->att_key_type, q->len, q->cert_type);
	printf("qe_vendor_id   %s\n", hex(q->qe_vendor_id, 16, b));
	printf("user_data      %s\n", hex(q->user_data, 20, b));
	if (q->tee_type == CELLA_QUOTE_TEE_TDX)
		print_tdx(&tdx);
	else
		print_sgx("enclave report", &sgx);
	print_sgx("QE report", &qe);
	if (have_pck)
		printf("PCK: fmspc %s, pce_id %s, pce_svn %u, %s CA\n", hex(pck.fmspc, 6, b), hex(pck.pce_id, 2, b + 20),
		       pck.pce_svn, pck.ca == CELLA_PCK_CA_PROCESSOR ? "Processor" : "Platform");
	else
		printf("PCK: %s\n", d.text);
	printf("signatures: %s (not a verification: the chain is not checked)\n",
	       sr == CELLA_OK ? "self-consistent" : sd.text);
	return 0;
}

/* cella_fetch_options.warn: on stderr, so that stdout stays the answer (JSON with --json) */
static void fetch_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "cella-quote: warning: %s\n", msg);
}

static int verdict_exit(cella_result r, const struct cella_verify_result *res)
{
	if (r != CELLA_OK)
		return EXIT_INVALID;
	return res->status == CELLA_TCB_UP_TO_DATE ? EXIT_UP_TO_DATE : EXIT_NEEDS_POLICY;
}

static void report(cella_result r, const struct cella_verify_result *res, bool as_json)
{
	char t1[32], t2[32];
	const struct cella_quote_claims *c = &res->claims;
	if (as_json) {
		json_t *o = json_object(), *adv = json_array(), *cl = json_object();
		json_object_set_new(o, "verified", json_boolean(r == CELLA_OK));
		json_object_set_new(o, "result", json_string(cella_result_name(r)));
		if (r != CELLA_OK)
			json_object_set_new(o, "detail", json_string(res->detail.text));
		json_object_set_new(o, "status", json_string(cella_tcb_status_name(res->status)));
		json_object_set_new(o, "platform_status", json_string(cella_tcb_status_name(res->platform_status)));
		json_object_set_new(o, "qe_status", json_string(cella_tcb_status_name(res->qe_status)));
		for (size_t i = 0; i < res->advisory_count; i++)
			json_array_append_new(adv, json_string(res->advisory_ids[i]));
		json_object_set_new(o, "advisory_ids", adv);
		if (res->valid_until) {
			json_object_set_new(o, "valid_from", json_string(cella_time_format(res->valid_from, t1, sizeof(t1))));
			json_object_set_new(o, "valid_until",
					    json_string(cella_time_format(res->valid_until, t2, sizeof(t2))));
		}
		json_object_set_new(cl, "tee", json_string(c->tee_type == CELLA_QUOTE_TEE_TDX ? "TDX" : "SGX"));
		json_object_set_new(cl, "quote_version", json_integer(c->quote_version));
		json_object_set_new(cl, "is_debug", json_boolean(c->is_debug));
		if (c->tee_type == CELLA_QUOTE_TEE_TDX)
			json_object_set_new(cl, "td", tdx_json(&c->tdx));
		else
			json_object_set_new(cl, "enclave", sgx_json(&c->sgx));
		json_object_set_new(cl, "qe", sgx_json(&c->qe));
		json_object_set_new(cl, "pck", pck_json(&c->pck));
		json_object_set_new(cl, "tcb_evaluation_data_number", json_integer(c->tcb_evaluation_data_number));
		json_object_set_new(cl, "qe_tcb_evaluation_data_number", json_integer(c->qe_tcb_evaluation_data_number));
		json_object_set_new(o, "claims", cl);
		print_json(o);
		return;
	}
	if (r != CELLA_OK)
		printf("verification FAILED: %s: %s\n", cella_result_name(r), res->detail.text);
	else
		printf("verified\n");
	printf("status      %s (platform %s, QE %s)\n", cella_tcb_status_name(res->status),
	       cella_tcb_status_name(res->platform_status), cella_tcb_status_name(res->qe_status));
	printf("advisories ");
	for (size_t i = 0; i < res->advisory_count; i++)
		printf(" %s", res->advisory_ids[i]);
	printf("%s\n", res->advisory_count ? "" : " none");
	if (r == CELLA_OK || r == CELLA_ERR_REVOKED)
		printf("evaluation  %u (TCB Info), %u (QE Identity)\n", c->tcb_evaluation_data_number,
		       c->qe_tcb_evaluation_data_number);
	if (res->valid_until)
		printf("valid       %s .. %s\n", cella_time_format(res->valid_from, t1, sizeof(t1)),
		       cella_time_format(res->valid_until, t2, sizeof(t2)));
	if (c->tee_type == CELLA_QUOTE_TEE_TDX)
		print_tdx(&c->tdx);
	else
		print_sgx("enclave", &c->sgx);
}

int main(int argc, char **argv)
{
	const char *cmd, *quote_path = NULL, *col_path = NULL, *pccs = NULL, *at_s = NULL, *root_path = NULL;
	const char *cache = NULL, *out_path = NULL, *update = NULL, *min_eval_s = NULL;
	unsigned long min_eval = 0;
	bool as_json = false, insecure = false;
	uint8_t *qbuf = NULL, *rbuf = NULL;
	size_t qlen = 0, rlen = 0;
	const uint8_t *qp;
	struct cella_quote q;
	struct cella_detail d = {{0}};
	struct cella_collateral *col = NULL;
	struct cella_trust *trust = NULL;
	struct cella_verify_result res;
	int64_t at = (int64_t)time(NULL);
	int rc = EXIT_INVALID;
	cella_result r;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (!strcmp(a, "--json"))
			as_json = true;
		else if (!strcmp(a, "--insecure-tls"))
			insecure = true;
		else if (!strcmp(a, "--collateral"))
			slot = &col_path;
		else if (!strcmp(a, "--pccs"))
			slot = &pccs;
		else if (!strcmp(a, "--at"))
			slot = &at_s;
		else if (!strcmp(a, "--root"))
			slot = &root_path;
		else if (!strcmp(a, "--cache"))
			slot = &cache;
		else if (!strcmp(a, "--update"))
			slot = &update;
		else if (!strcmp(a, "--min-tcb-eval"))
			slot = &min_eval_s;
		else if (!strcmp(a, "-o"))
			slot = &out_path;
		else if (a[0] == '-' || quote_path) {
			fprintf(stderr, "cella-quote: unexpected argument %s\n", a);
			usage(stderr);
			return EXIT_USAGE;
		} else
			quote_path = a;
		if (slot) {
			if (++i >= argc) {
				fprintf(stderr, "cella-quote: %s needs a value\n", a);
				return EXIT_USAGE;
			}
			*slot = argv[i];
		}
	}
	if (!quote_path || (strcmp(cmd, "dump") && strcmp(cmd, "verify") && strcmp(cmd, "fetch"))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "verify") && ((col_path && pccs) || (!col_path && !pccs))) {
		fprintf(stderr, "cella-quote: verify needs exactly one of --collateral FILE or --pccs URL\n");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "fetch") && (!pccs || !out_path)) {
		fprintf(stderr, "cella-quote: fetch needs --pccs URL and -o FILE\n");
		return EXIT_USAGE;
	}
	/* options that only mean something to another mode: a fetch given --collateral would have copied that file
	 * out unverified, and --pccs settings beside --collateral would be silently ignored */
	if (!strcmp(cmd, "dump") && (col_path || pccs || at_s || root_path || cache || update || insecure || out_path)) {
		fprintf(stderr, "cella-quote: dump takes only --json (the other options are verify's and fetch's)\n");
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "fetch") && col_path) {
		fprintf(stderr, "cella-quote: fetch takes no --collateral (it fetches from --pccs)\n");
		return EXIT_USAGE;
	}
	if (col_path && (cache || update || insecure)) {
		fprintf(stderr, "cella-quote: --cache, --update and --insecure-tls go with --pccs, not --collateral\n");
		return EXIT_USAGE;
	}
	if (update && strcmp(update, "early") && strcmp(update, "standard")) {
		fprintf(stderr, "cella-quote: --update %s: neither early nor standard\n", update);
		return EXIT_USAGE;
	}
	if (min_eval_s) {
		long long v = 0;
		if (strcmp(cmd, "verify")) {
			fprintf(stderr, "cella-quote: --min-tcb-eval goes with verify\n");
			return EXIT_USAGE;
		}
		if (cella_parse_int(min_eval_s, 0, UINT32_MAX, &v) != 0) {
			fprintf(stderr, "cella-quote: --min-tcb-eval %s: not an integer from 0 to 4294967295\n", min_eval_s);
			return EXIT_USAGE;
		}
		min_eval = (unsigned long)v;
	}
	if (at_s && cella_time_parse(at_s, &at) != CELLA_OK) {
		fprintf(stderr, "cella-quote: --at %s: not RFC 3339 or Unix seconds\n", at_s);
		return EXIT_USAGE;
	}
	qbuf = read_file(quote_path, &qlen);
	if (!qbuf)
		goto out;
	qp = qbuf;
	strip_oe_header(&qp, &qlen);
	r = cella_quote_parse(qp, qlen, &q, &d);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-quote: %s: %s: %s\n", quote_path, cella_result_name(r), d.text);
		goto out;
	}
	if (!strcmp(cmd, "dump")) {
		rc = cmd_dump(&q, as_json);
		goto out;
	}
	if (root_path) {
		rbuf = read_file(root_path, &rlen);
		if (!rbuf)
			goto out;
		r = cella_trust_new_cert(rbuf, rlen, &trust, &d);
	} else {
		r = cella_trust_new_intel(&trust);
	}
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-quote: trust anchor: %s: %s\n", cella_result_name(r), d.text);
		goto out;
	}
	if (col_path) {
		r = cella_collateral_load_file(col_path, &col, &d);
	} else {
		struct cella_fetch_options fo = {
			.base_url = pccs, .cache_dir = cache, .insecure_tls = insecure, .trust = trust, .update = update,
			.warn = fetch_warn};
		r = cella_collateral_fetch(&fo, &q, at, &col, &d);
	}
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-quote: collateral: %s: %s\n", cella_result_name(r), d.text);
		goto out;
	}
	if (!strcmp(cmd, "fetch")) {
		char *json = NULL;
		size_t n = 0;
		int err;
		r = cella_collateral_to_json(col, &json, &n);
		if (r != CELLA_OK)
			fprintf(stderr, "cella-quote: %s: the collateral cannot be written as JSON: %s\n", out_path,
				cella_result_name(r));
		else if ((err = cella_file_write_atomic(out_path, json, n, 0644)) != 0)
			fprintf(stderr, "cella-quote: cannot write %s: %s\n", out_path, strerror(err));
		else
			rc = 0;
		free(json);
		goto out;
	}
	r = cella_quote_verify_trust(trust, &q, col, at, &res);
	/* genuine, but assessed before the TCB recovery the relying party requires: not accepted */
	if (r == CELLA_OK && (res.claims.tcb_evaluation_data_number < min_eval ||
			      res.claims.qe_tcb_evaluation_data_number < min_eval)) {
		r = CELLA_ERR_COLLATERAL;
		res.status = CELLA_TCB_UNKNOWN;
		snprintf(res.detail.text, sizeof(res.detail.text),
			 "tcbEvaluationDataNumber %u (TCB Info) and %u (QE Identity): below --min-tcb-eval %lu",
			 res.claims.tcb_evaluation_data_number, res.claims.qe_tcb_evaluation_data_number, min_eval);
	}
	report(r, &res, as_json);
	rc = verdict_exit(r, &res);
out:
	cella_trust_free(trust);
	cella_collateral_free(col);
	free(qbuf);
	free(rbuf);
	return rc;
}
