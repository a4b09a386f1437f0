// SPDX-License-Identifier: MIT
/* cella-quote: dump a DCAP quote, or verify it against collateral from a file or a PCCS / Intel PCS. */
#include <cella/verify.h>

#include <errno.h>
#include <stdarg.h>
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
		   "TIME is UTC: YYYY-MM-DDThh:mm:ssZ (RFC 3339, 2025-06-19T11:56:11Z) or Unix seconds; default now.\n"
		   "An option is given at most once. With --json, a refusal (usage, a quote, root or collateral that\n"
		   "cannot be had) is also a JSON answer on stdout: {\"verified\": false, \"result\", \"detail\", \"stage\"}.\n"
		   "verify exits 0 when the quote verifies with TCB status UpToDate, 2 when it verifies with\n"
		   "another status (SWHardeningNeeded, OutOfDate, ...: a policy decision), 1 when it does not verify\n"
		   "(including revoked, or collateral older than --min-tcb-eval: a TCB Info or QE Identity whose\n"
		   "tcbEvaluationDataNumber is below N), 64 on usage errors.\n");
}

/* Quotes and certificates are a few KiB; a PEM bundle for --root stays far below this. */
#define MAX_INPUT_BYTES (16u << 20)

/* path's bytes, or the failure with "PATH: why" in detail (and on stderr): --json answers it too */
static cella_result read_input(const char *path, uint8_t **data, size_t *len, char *detail, size_t n)
{
	char why[96];
	cella_result r = cella_cli_file_read(path, MAX_INPUT_BYTES, data, len);
	if (r != CELLA_OK) {
		snprintf(detail, n, "%s: %s", path, cella_file_read_why(r, MAX_INPUT_BYTES, why, sizeof(why)));
		fprintf(stderr, "cella-quote: %s\n", detail);
	}
	return r;
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

/* The commands, as a bit each for the options' table. */
enum { MODE_DUMP = 1, MODE_VERIFY = 2, MODE_FETCH = 4 };
enum { OPT_JSON, OPT_INSECURE, OPT_COLLATERAL, OPT_PCCS, OPT_AT, OPT_ROOT, OPT_CACHE, OPT_UPDATE, OPT_MIN_EVAL,
       OPT_OUT, OPT_COUNT };
static const struct {
	const char *name;
	bool has_value;
	unsigned modes; /* the commands it goes with; any other refuses it (64), naming it */
} options[OPT_COUNT] = {
	[OPT_JSON] = {"--json", false, MODE_DUMP | MODE_VERIFY},
	[OPT_INSECURE] = {"--insecure-tls", false, MODE_VERIFY | MODE_FETCH},
	[OPT_COLLATERAL] = {"--collateral", true, MODE_VERIFY},
	[OPT_PCCS] = {"--pccs", true, MODE_VERIFY | MODE_FETCH},
	[OPT_AT] = {"--at", true, MODE_VERIFY},
	[OPT_ROOT] = {"--root", true, MODE_VERIFY | MODE_FETCH},
	[OPT_CACHE] = {"--cache", true, MODE_VERIFY | MODE_FETCH},
	[OPT_UPDATE] = {"--update", true, MODE_VERIFY | MODE_FETCH},
	[OPT_MIN_EVAL] = {"--min-tcb-eval", true, MODE_VERIFY},
	[OPT_OUT] = {"-o", true, MODE_FETCH},
};

/* The first usage error into why (a later one is not reported: the first is what to fix first). */
static void usage_error(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void usage_error(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	if (why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

/*
 * A refusal before any verdict (usage, a quote, root or collateral that cannot be had), as the JSON answer of
 * --json: a script parses stdout whatever happened. The message itself is on stderr as without --json.
 */
static void refusal_json(unsigned mode, const char *stage, const char *result, const char *detail)
{
	json_t *o = json_object();
	if (mode == MODE_VERIFY)
		json_object_set_new(o, "verified", json_false());
	json_object_set_new(o, "result", json_string(result));
	json_object_set_new(o, "detail", json_string(detail));
	if (mode == MODE_VERIFY)
		json_object_set_new(o, "status", json_string(cella_tcb_status_name(CELLA_TCB_UNKNOWN)));
	json_object_set_new(o, "stage", json_string(stage));
	print_json(o);
}

int main(int argc, char **argv)
{
	static const int pccs_only[] = {OPT_INSECURE, OPT_CACHE, OPT_UPDATE};
	const char *cmd, *quote_path = NULL, *val[OPT_COUNT] = {NULL};
	const char *col_path, *pccs, *at_s, *root_path, *cache, *out_path, *update, *min_eval_s;
	unsigned long min_eval = 0;
	unsigned mode;
	bool as_json, insecure, unexpected = false;
	char why[512] = "", detail[600];
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
	mode = !strcmp(cmd, "dump") ? MODE_DUMP : !strcmp(cmd, "verify") ? MODE_VERIFY : !strcmp(cmd, "fetch") ? MODE_FETCH : 0;
	/* every argument is read, even after an error, so that a --json anywhere gets its JSON answer */
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = a;
		int k = 0;
		while (k < OPT_COUNT && strcmp(a, options[k].name) != 0)
			k++;
		if (k == OPT_COUNT) {
			if (a[0] == '-' || quote_path) {
				usage_error(why, sizeof(why), "unexpected argument %s", a);
				unexpected = true;
			} else {
				quote_path = a;
			}
			continue;
		}
		if (options[k].has_value && ++i >= argc) {
			usage_error(why, sizeof(why), "%s needs a value", a);
			break;
		}
		if (options[k].has_value)
			v = argv[i];
		if (val[k])
			usage_error(why, sizeof(why), "%s given twice", a);
		else if (mode && !(options[k].modes & mode))
			usage_error(why, sizeof(why), "%s does not go with %s", a, cmd);
		val[k] = v;
	}
	as_json = val[OPT_JSON] && (mode & (MODE_DUMP | MODE_VERIFY));
	insecure = val[OPT_INSECURE] != NULL;
	col_path = val[OPT_COLLATERAL];
	pccs = val[OPT_PCCS];
	at_s = val[OPT_AT];
	root_path = val[OPT_ROOT];
	cache = val[OPT_CACHE];
	update = val[OPT_UPDATE];
	min_eval_s = val[OPT_MIN_EVAL];
	out_path = val[OPT_OUT];
	if (!mode) {
		usage_error(why, sizeof(why), "unknown command %s (dump, verify or fetch)", cmd);
		unexpected = true;
	} else if (!quote_path) {
		usage_error(why, sizeof(why), "%s needs a QUOTE", cmd);
		unexpected = true;
	}
	if (mode == MODE_VERIFY && col_path && pccs)
		usage_error(why, sizeof(why), "--collateral and --pccs exclude each other");
	if (mode == MODE_VERIFY && !col_path && !pccs)
		usage_error(why, sizeof(why), "verify needs --collateral FILE or --pccs URL");
	if (mode == MODE_FETCH && (!pccs || !out_path))
		usage_error(why, sizeof(why), "fetch needs %s", pccs ? "-o FILE" : "--pccs URL");
	/* --pccs settings beside --collateral would be silently ignored */
	for (size_t k = 0; col_path && k < sizeof(pccs_only) / sizeof(pccs_only[0]); k++)
		if (val[pccs_only[k]])
			usage_error(why, sizeof(why), "%s goes with --pccs, not --collateral", options[pccs_only[k]].name);
	if (update && strcmp(update, "early") && strcmp(update, "standard"))
		usage_error(why, sizeof(why), "--update %s: neither early nor standard", update);
	if (min_eval_s) {
		long long v = 0;
		if (cella_parse_int(min_eval_s, 0, UINT32_MAX, &v) != 0)
			usage_error(why, sizeof(why), "--min-tcb-eval %s: not an integer from 0 to 4294967295",
				    min_eval_s);
		min_eval = (unsigned long)v;
	}
	if (at_s && cella_time_parse(at_s, &at) != CELLA_OK)
		usage_error(why, sizeof(why),
			    "--at %s: not a time: give it in UTC as YYYY-MM-DDThh:mm:ssZ (RFC 3339, such as "
			    "2025-06-19T11:56:11Z) or as Unix seconds",
			    at_s);
	if (why[0]) {
		fprintf(stderr, "cella-quote: %s\n", why);
		if (unexpected)
			usage(stderr);
		if (as_json)
			refusal_json(mode, "usage", "usage", why);
		return EXIT_USAGE;
	}
	r = read_input(quote_path, &qbuf, &qlen, detail, sizeof(detail));
	if (r != CELLA_OK) {
		if (as_json)
			refusal_json(mode, "quote", cella_result_name(r), detail);
		goto out;
	}
	qp = qbuf;
	strip_oe_header(&qp, &qlen);
	r = cella_quote_parse(qp, qlen, &q, &d);
	if (r != CELLA_OK) {
		snprintf(detail, sizeof(detail), "%s: %s", quote_path, d.text);
		fprintf(stderr, "cella-quote: %s: %s: %s\n", quote_path, cella_result_name(r), d.text);
		if (as_json)
			refusal_json(mode, "quote", cella_result_name(r), detail);
		goto out;
	}
	if (mode == MODE_DUMP) {
		rc = cmd_dump(&q, as_json);
		goto out;
	}
	if (root_path) {
		r = read_input(root_path, &rbuf, &rlen, detail, sizeof(detail));
		if (r != CELLA_OK) {
			if (as_json)
				refusal_json(mode, "trust", cella_result_name(r), detail);
			goto out;
		}
		r = cella_trust_new_cert(rbuf, rlen, &trust, &d);
	} else {
		r = cella_trust_new_intel(&trust);
	}
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-quote: trust anchor: %s: %s\n", cella_result_name(r), d.text);
		if (as_json)
			refusal_json(mode, "trust", cella_result_name(r), d.text);
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
		if (as_json)
			refusal_json(mode, "collateral", cella_result_name(r), d.text);
		goto out;
	}
	if (mode == MODE_FETCH) {
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
