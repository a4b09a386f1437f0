// SPDX-License-Identifier: MIT
/* cella-sign: check, sign, digest/catsig (two-step signing), dump and genkey for Cella enclave images. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "file.h"
#include "layout.h"
#include "measure.h"
#include "parse.h"
#include "sigstruct.h"
#include "signtool.h"

#define PROG "cella-sign"

static const char usage_text[] =
	"usage:\n"
	"  " PROG " check IMAGE\n"
	"  " PROG " sign --key KEY.pem [--config FILE] [--date YYYYMMDD] [-o OUT] IMAGE\n"
	"  " PROG " digest [--config FILE] [--date YYYYMMDD] [-o DATA] IMAGE\n"
	"  " PROG " catsig --key PUBLIC.pem --sig SIG --data DATA [--config FILE] -o OUT IMAGE\n"
	"  " PROG " dump [--json] IMAGE\n"
	"  " PROG " genkey -o KEY.pem [--force]\n"
	"sign writes IMAGE.signed unless -o is given. digest prints MRENCLAVE and, with -o, writes the 256 bytes\n"
	"to sign (SIGSTRUCT header || body); sign them elsewhere, e.g.\n"
	"  openssl dgst -sha256 -sign KEY.pem -out SIG DATA\n"
	"and assemble the signed image with catsig. The date defaults to $SOURCE_DATE_EPOCH, else today (UTC).\n";

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

__attribute__((noreturn, format(printf, 1, 2))) static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	exit(2);
}

/* Prints "cella-sign: SUBJECT: message" for result r; returns 1 (the exit status). */
static int report(const char *subject, cella_result r, const char *detail)
{
	fprintf(stderr, PROG ": %s: %s", subject, detail ? detail : cella_result_str(r));
	if (detail)
		fprintf(stderr, " (%s)", cella_result_name(r));
	fputc('\n', stderr);
	return 1;
}

static int report_image(const char *path, cella_result r, const struct cella_image_diag *d)
{
	char msg[256];
	if (d && d->what) {
		cella_image_diag_format(r, d, msg, sizeof(msg));
		return report(path, r, msg);
	}
	return report(path, r, NULL);
}

static int report_file(const char *path, cella_result r)
{
	if (r == CELLA_ERR_NO_FILE)
		return report(path, r, "no such file");
	if (r == CELLA_ERR_IO)
		return report(path, r, strerror(errno));
	return report(path, r, NULL);
}

struct opts {
	const char *image, *key, *config, *out, *sig, *data, *date;
	bool json, force;
};

/* Parses argv[2..]: named options (each at most once) and one positional IMAGE (not for genkey). */
static void parse_args(int argc, char **argv, struct opts *o, const char *allowed)
{
	memset(o, 0, sizeof(*o));
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		char code = 0;
		if (str_eq(a, "--key"))
			slot = &o->key, code = 'k';
		else if (str_eq(a, "--config"))
			slot = &o->config, code = 'c';
		else if (str_eq(a, "-o") || str_eq(a, "--out"))
			slot = &o->out, code = 'o';
		else if (str_eq(a, "--sig"))
			slot = &o->sig, code = 's';
		else if (str_eq(a, "--data"))
			slot = &o->data, code = 'd';
		else if (str_eq(a, "--date"))
			slot = &o->date, code = 't';
		else if (str_eq(a, "--json"))
			code = 'j';
		else if (str_eq(a, "--force"))
			code = 'f';
		else if (a[0] == '-' && a[1] != 0)
			usage_error("unknown option %s", a);
		if (code && !strchr(allowed, code))
			usage_error("option %s is not valid for %s", a, argv[1]);
		if (code == 'j') {
			o->json = true;
		} else if (code == 'f') {
			o->force = true;
		} else if (slot) {
			if (i + 1 >= argc)
				usage_error("option %s needs a value", a);
			if (*slot)
				usage_error("option %s given twice", a);
			*slot = argv[++i];
		} else {
			if (o->image || !strchr(allowed, 'i'))
				usage_error("unexpected argument %s", a);
			o->image = a;
		}
	}
	if (strchr(allowed, 'i') && !o->image)
		usage_error("%s needs an IMAGE", argv[1]);
}

/* The SIGSTRUCT date: --date YYYYMMDD, else $SOURCE_DATE_EPOCH, else now; all UTC. Four BCD year digits: a year
 * outside CELLA_SIGSTRUCT_MIN_YEAR..MAX_YEAR or a day the calendar lacks is refused, never truncated. */
static uint32_t sign_date(const char *arg)
{
	struct tm tm;
	time_t t = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint32_t bcd = 0;
	if (arg) {
		unsigned y = 0, m = 0, d = 0;
		size_t n = strlen(arg);
		for (size_t i = 0; i < n; i++)
			if (arg[i] < '0' || arg[i] > '9')
				n = 0;
		if (n != 8)
			usage_error("--date wants YYYYMMDD, got %s", arg);
		y = (unsigned)(arg[0] - '0') * 1000 + (unsigned)(arg[1] - '0') * 100 + (unsigned)(arg[2] - '0') * 10 +
		    (unsigned)(arg[3] - '0');
		m = (unsigned)(arg[4] - '0') * 10 + (unsigned)(arg[5] - '0');
		d = (unsigned)(arg[6] - '0') * 10 + (unsigned)(arg[7] - '0');
		if (y < CELLA_SIGSTRUCT_MIN_YEAR)
			usage_error("--date %s: the year must be %u to %u", arg, CELLA_SIGSTRUCT_MIN_YEAR,
				    CELLA_SIGSTRUCT_MAX_YEAR);
		if (cella_sigstruct_date(y, m, d, &bcd) != CELLA_OK)
			usage_error("--date %s is not a calendar date (YYYYMMDD)", arg);
		return bcd;
	}
	if (sde && *sde) {
		long long v;
		if (cella_parse_int(sde, 0, LLONG_MAX, &v) != 0)
			usage_error("SOURCE_DATE_EPOCH is not a number of seconds: %s", sde);
		t = (time_t)v;
	}
	if (!gmtime_r(&t, &tm) || tm.tm_year > (int)CELLA_SIGSTRUCT_MAX_YEAR - 1900 ||
	    cella_sigstruct_date((unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday, &bcd) !=
		    CELLA_OK) {
		if (sde && *sde)
			usage_error("SOURCE_DATE_EPOCH %s is after %u-12-31 (SIGSTRUCT DATE has four year digits)", sde,
				    CELLA_SIGSTRUCT_MAX_YEAR);
		usage_error("the clock's date is outside %u to %u", CELLA_SIGSTRUCT_MIN_YEAR, CELLA_SIGSTRUCT_MAX_YEAR);
	}
	return bcd;
}

/* Reads and parses --config (if any) into *cfg; prints and returns 1 on error. */
static int load_config(const char *path, struct cella_sign_config *cfg)
{
	uint8_t *text = NULL;
	size_t len = 0;
	unsigned line = 0;
	const char *detail = NULL;
	cella_result r;

	memset(cfg, 0, sizeof(*cfg));
	if (!path)
		return 0;
	r = cella_image_read_file(path, &text, &len);
	if (r != CELLA_OK)
		return report_file(path, r);
	r = cella_sign_config_parse((const char *)text, len, cfg, &line, &detail);
	free(text);
	if (r != CELLA_OK) {
		fprintf(stderr, PROG ": %s:%u: %s\n", path, line, detail);
		return 1;
	}
	return 0;
}

/* Writes data[0..n) to `path` atomically (src/common/file.h), with `mode`; prints and returns 1 on error. */
static int write_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int err = cella_file_write_atomic(path, data, n, mode);
	return err ? report(path, err == ENOMEM ? CELLA_ERR_OUT_OF_MEMORY : CELLA_ERR_IO, strerror(err)) : 0;
}

static void print_hex(FILE *f, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* Reads IMAGE, applies the config, measures: the common start of sign/digest/catsig. */
struct prepared {
	uint8_t *data;
	size_t size;
	mode_t mode;
	struct cella_image img;
	struct cella_hash mrenclave;
	struct cella_sgx_sigstruct sig;
};

static int prepare(const struct opts *o, uint32_t date, struct prepared *p)
{
	struct cella_sign_config cfg;
	struct cella_image_diag d = {0};
	struct stat st;
	cella_result r;

	memset(p, 0, sizeof(*p));
	if (load_config(o->config, &cfg))
		return 1;
	r = cella_image_read_file(o->image, &p->data, &p->size);
	if (r != CELLA_OK)
		return report_file(o->image, r);
	p->mode = (stat(o->image, &st) == 0) ? (st.st_mode & 0777) : 0644;
	r = cella_sign_prepare(p->data, p->size, o->config ? &cfg : NULL, date, &p->img, &p->mrenclave, &p->sig, &d);
	if (r != CELLA_OK) {
		free(p->data);
		p->data = NULL;
		return report_image(o->image, r, &d);
	}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct opts o;
	struct prepared p;
	parse_args(argc, argv, &o, "i");
	if (prepare(&o, 0, &p))
		return 1;
	free(p.data);
	return 0;
}

static int cmd_sign(int argc, char **argv)
{
	struct opts o;
	struct prepared p;
	uint8_t *key = NULL;
	size_t key_len = 0;
	const char *detail = NULL;
	char *out_path = NULL;
	cella_result r;
	int rc = 1;

	parse_args(argc, argv, &o, "ikcot");
	if (!o.key)
		usage_error("sign needs --key KEY.pem");
	if (prepare(&o, sign_date(o.date), &p))
		return 1;
	r = cella_image_read_file(o.key, &key, &key_len);
	if (r != CELLA_OK) {
		report_file(o.key, r);
		goto out;
	}
	r = cella_sigstruct_sign(&p.sig, (const char *)key, key_len, &detail);
	if (r != CELLA_OK) {
		report(o.key, r, detail);
		goto out;
	}
	cella_sign_store(p.data, &p.img, &p.sig);
	if (!o.out) {
		size_t n = strlen(o.image) + sizeof(".signed");
		out_path = malloc(n);
		if (!out_path)
			goto out;
		snprintf(out_path, n, "%s.signed", o.image);
	}
	rc = write_file(o.out ? o.out : out_path, p.data, p.size, p.mode);
out:
	cella_sign_free_secret(key, key_len);
	free(out_path);
	free(p.data);
	return rc;
}

static int cmd_digest(int argc, char **argv)
{
	struct opts o;
	struct prepared p;
	uint8_t msg[CELLA_SIGSTRUCT_SIGNED_BYTES];
	int rc = 0;

	parse_args(argc, argv, &o, "icot");
	if (prepare(&o, sign_date(o.date), &p))
		return 1;
	print_hex(stdout, p.mrenclave.b, sizeof(p.mrenclave.b));
	putchar('\n');
	if (o.out) {
		cella_sigstruct_signed_data(&p.sig, msg);
		rc = write_file(o.out, msg, sizeof(msg), 0644);
	}
	free(p.data);
	return rc;
}

static int cmd_catsig(int argc, char **argv)
{
	struct opts o;
	struct prepared p;
	uint8_t *key = NULL, *sig = NULL, *data = NULL, msg[CELLA_SIGSTRUCT_SIGNED_BYTES];
	size_t key_len = 0, sig_len = 0, data_len = 0;
	const char *detail = NULL;
	uint32_t date;
	cella_result r;
	int rc = 1;

	parse_args(argc, argv, &o, "ikcosd");
	if (!o.key || !o.sig || !o.data || !o.out)
		usage_error("catsig needs --key, --sig, --data and -o");
	if ((r = cella_image_read_file(o.data, &data, &data_len)) != CELLA_OK)
		return report_file(o.data, r);
	if (data_len != sizeof(msg)) {
		free(data);
		return report(o.data, CELLA_ERR_BAD_FORMAT, "not the 256-byte output of cella-sign digest -o");
	}
	/* the DATE comes from the signed data (SIGSTRUCT header bytes 20..23) */
	date = cella_le32(data + 20);
	if (prepare(&o, date, &p)) {
		free(data);
		return 1;
	}
	cella_sigstruct_signed_data(&p.sig, msg);
	bool same = true;
	for (size_t i = 0; i < sizeof(msg); i++)
		same &= msg[i] == data[i];
	if (!same) {
		report(o.data, CELLA_ERR_MEASUREMENT, "signing data does not match this image and config");
		goto out;
	}
	if ((r = cella_image_read_file(o.sig, &sig, &sig_len)) != CELLA_OK) {
		report_file(o.sig, r);
		goto out;
	}
	if (sig_len != CELLA_SGX_MODULUS_BYTES) {
		report(o.sig, CELLA_ERR_SIGNATURE, "signature is not 384 bytes (RSA-3072, big-endian)");
		goto out;
	}
	if ((r = cella_image_read_file(o.key, &key, &key_len)) != CELLA_OK) {
		report_file(o.key, r);
		goto out;
	}
	r = cella_sigstruct_attach(&p.sig, (const char *)key, key_len, sig, &detail);
	if (r != CELLA_OK) {
		report(r == CELLA_ERR_KEY ? o.key : o.sig, r, detail);
		goto out;
	}
	cella_sign_store(p.data, &p.img, &p.sig);
	rc = write_file(o.out, p.data, p.size, p.mode);
out:
	cella_sign_free_secret(key, key_len); /* may be a private key */
	free(sig);
	free(data);
	free(p.data);
	return rc;
}

static int cmd_genkey(int argc, char **argv)
{
	struct opts o;
	cella_result r;
	parse_args(argc, argv, &o, "of");
	if (!o.out)
		usage_error("genkey needs -o KEY.pem");
	r = cella_sign_genkey(o.out, o.force);
	if (r == CELLA_ERR_IO && errno == EEXIST)
		return report(o.out, r, "file exists (use --force to replace it)");
	if (r == CELLA_ERR_IO)
		return report(o.out, r, strerror(errno));
	return r == CELLA_OK ? 0 : report(o.out, r, NULL);
}

/* ---- dump ---- */

struct emitter {
	bool json;
	bool first;
	int depth;
};

static void em_key(struct emitter *e, const char *prefix, const char *key)
{
	if (e->json) {
		printf("%s\n%*s\"%s\": ", e->first ? "" : ",", 2 * e->depth, "", key);
		e->first = false;
	} else {
		printf("%s%s: ", prefix, key);
	}
}

static void em_open(struct emitter *e, const char *key)
{
	if (e->json) {
		em_key(e, "", key);
		printf("{");
		e->depth++;
		e->first = true;
	}
}

static void em_close(struct emitter *e)
{
	if (e->json) {
		e->depth--;
		printf("\n%*s}", 2 * e->depth, "");
		e->first = false;
	}
}

static void em_u64(struct emitter *e, const char *prefix, const char *key, uint64_t v)
{
	em_key(e, prefix, key);
	printf("%llu%s", (unsigned long long)v, e->json ? "" : "\n");
}

/* 64-bit flag words as "0x..." strings (JSON numbers lose precision above 2^53) */
static void em_x64(struct emitter *e, const char *prefix, const char *key, uint64_t v)
{
	em_key(e, prefix, key);
	printf(e->json ? "\"0x%016llx\"" : "0x%016llx\n", (unsigned long long)v);
}

static void em_x32(struct emitter *e, const char *prefix, const char *key, uint32_t v)
{
	em_key(e, prefix, key);
	printf(e->json ? "\"0x%08x\"" : "0x%08x\n", v);
}

static void em_hex(struct emitter *e, const char *prefix, const char *key, const void *p, size_t n)
{
	em_key(e, prefix, key);
	if (e->json)
		putchar('"');
	print_hex(stdout, p, n);
	printf(e->json ? "\"" : "\n");
}

static void em_str(struct emitter *e, const char *prefix, const char *key, const char *s)
{
	em_key(e, prefix, key);
	if (e->json) {
		putchar('"');
		for (; *s; s++)
			if (*s == '"' || *s == '\\')
				printf("\\%c", *s);
			else if ((unsigned char)*s < 0x20)
				printf("\\u%04x", *s);
			else
				putchar(*s);
		putchar('"');
	} else {
		printf("%s\n", s);
	}
}

static void em_bool(struct emitter *e, const char *prefix, const char *key, bool v)
{
	em_key(e, prefix, key);
	printf("%s%s", v ? "true" : "false", e->json ? "" : "\n");
}

static int cmd_dump(int argc, char **argv)
{
	struct opts o;
	struct prepared p;
	struct cella_layout_regions reg;
	struct emitter e = {.first = true};
	const struct cella_sgx_sigstruct *s;
	const struct cella_abi_properties *pr;
	struct cella_hash mrsigner;
	const char *detail = NULL;
	const char *P = "properties.", *S = "sigstruct.";
	cella_result vr;
	bool is_zero;

	parse_args(argc, argv, &o, "ij");
	if (prepare(&o, 0, &p))
		return 1;
	e.json = o.json;
	pr = &p.img.props;
	s = (const struct cella_sgx_sigstruct *)pr->sigstruct;
	is_zero = cella_sigstruct_is_zero(s);
	vr = is_zero ? CELLA_ERR_NOT_SIGNED : cella_sigstruct_verify(s, &detail);
	if (cella_layout_regions(pr, p.img.image_bytes, &reg) != CELLA_OK ||
	    cella_sigstruct_mrsigner(s, &mrsigner) != CELLA_OK) {
		free(p.data);
		return report(o.image, CELLA_ERR_UNEXPECTED, NULL);
	}

	if (e.json)
		printf("{");
	e.depth = 1;
	em_str(&e, "", "image", o.image);
	em_open(&e, "properties");
	em_u64(&e, P, "abi_version", pr->abi_version);
	em_u64(&e, P, "heap_pages", pr->heap_pages);
	em_u64(&e, P, "stack_pages", pr->stack_pages);
	em_u64(&e, P, "tcs_count", pr->tcs_count);
	em_u64(&e, P, "isv_prod_id", pr->isv_prod_id);
	em_u64(&e, P, "isv_svn", pr->isv_svn);
	em_x32(&e, P, "misc_select", pr->misc_select);
	em_x32(&e, P, "misc_mask", pr->misc_mask);
	em_x64(&e, P, "attributes", pr->attributes);
	em_bool(&e, P, "debug", pr->attributes & CELLA_ATTR_DEBUG);
	em_x64(&e, P, "xfrm", pr->xfrm);
	em_x64(&e, P, "attributes_mask", pr->attributes_mask);
	em_x64(&e, P, "xfrm_mask", pr->xfrm_mask);
	em_hex(&e, P, "isv_family_id", pr->isv_family_id, 16);
	em_hex(&e, P, "isv_ext_prod_id", pr->isv_ext_prod_id, 16);
	em_close(&e);
	em_open(&e, "layout");
	em_x64(&e, "layout.", "entry_rva", p.img.entry_rva);
	em_x64(&e, "layout.", "image_bytes", p.img.image_bytes);
	em_x64(&e, "layout.", "heap_rva", reg.heap_rva);
	em_x64(&e, "layout.", "tcs_base_rva", reg.tcs_base_rva);
	em_x64(&e, "layout.", "enclave_size", reg.enclave_size);
	em_close(&e);
	em_hex(&e, "", "mrenclave", p.mrenclave.b, 32);
	em_bool(&e, "", "signed", !is_zero);
	em_str(&e, "", "signature", is_zero ? "none" : vr == CELLA_OK ? "valid" : detail ? detail : "invalid");
	bool match = !is_zero;
	for (size_t i = 0; i < sizeof(p.mrenclave.b); i++)
		match &= s->enclave_hash[i] == p.mrenclave.b[i];
	em_bool(&e, "", "enclavehash_matches", match);
	if (!is_zero)
		em_hex(&e, "", "mrsigner", mrsigner.b, 32);
	em_open(&e, "sigstruct");
	em_hex(&e, S, "header", s->header, sizeof(s->header));
	em_x32(&e, S, "type", s->type);
	em_x32(&e, S, "vendor", s->vendor);
	em_x32(&e, S, "date", s->date);
	em_hex(&e, S, "header2", s->header2, sizeof(s->header2));
	em_x32(&e, S, "swdefined", s->swdefined);
	em_hex(&e, S, "reserved1", s->reserved1, sizeof(s->reserved1));
	em_hex(&e, S, "modulus", s->modulus, sizeof(s->modulus));
	em_u64(&e, S, "exponent", s->exponent);
	em_hex(&e, S, "signature", s->signature, sizeof(s->signature));
	em_x32(&e, S, "misc_select", s->misc_select);
	em_x32(&e, S, "misc_mask", s->misc_mask);
	em_hex(&e, S, "reserved2", s->reserved2, sizeof(s->reserved2));
	em_hex(&e, S, "isv_family_id", s->isv_family_id, sizeof(s->isv_family_id));
	em_x64(&e, S, "attributes.flags", s->attributes.flags);
	em_x64(&e, S, "attributes.xfrm", s->attributes.xfrm);
	em_x64(&e, S, "attribute_mask.flags", s->attribute_mask.flags);
	em_x64(&e, S, "attribute_mask.xfrm", s->attribute_mask.xfrm);
	em_hex(&e, S, "enclave_hash", s->enclave_hash, sizeof(s->enclave_hash));
	em_hex(&e, S, "reserved3", s->reserved3, sizeof(s->reserved3));
	em_hex(&e, S, "isv_ext_prod_id", s->isv_ext_prod_id, sizeof(s->isv_ext_prod_id));
	em_u64(&e, S, "isv_prod_id", s->isv_prod_id);
	em_u64(&e, S, "isv_svn", s->isv_svn);
	em_hex(&e, S, "reserved4", s->reserved4, sizeof(s->reserved4));
	em_hex(&e, S, "q1", s->q1, sizeof(s->q1));
	em_hex(&e, S, "q2", s->q2, sizeof(s->q2));
	em_close(&e);
	if (e.json)
		printf("\n}\n");
	free(p.data);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"check", cmd_check}, {"sign", cmd_sign}, {"digest", cmd_digest}, {"catsig", cmd_catsig},
		{"dump", cmd_dump},   {"genkey", cmd_genkey},
	};
	if (argc < 2)
		usage_error("missing command");
	if (str_eq(argv[1], "-h") || str_eq(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (str_eq(argv[1], cmds[i].name))
			return cmds[i].fn(argc, argv);
	usage_error("unknown command %s", argv[1]);
}
