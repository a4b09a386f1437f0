// SPDX-License-Identifier: MIT
/*
 * cella-sign: the config parser and sign pipeline (library), then the command line end to end, with the
 * signature checked by the openssl command line from the fields `cella-sign dump` prints.
 * argv: CELLA_SIGN OPENSSL KEY_DIR
 */
#include "signtool.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cella_test.h"
#include "layout.h"
#include "measure.h"
#include "sigstruct.h"
#include "sign_testelf.h"

static const char *tool, *openssl, *keys;
static char dir[] = "/tmp/cella-sign-test-XXXXXX";

/* ---- library ---- */

static cella_result parse_cfg(const char *text, struct cella_sign_config *c, unsigned *line)
{
	const char *detail = NULL;
	cella_result r = cella_sign_config_parse(text, strlen(text), c, line, &detail);
	CT_ASSERT((r == CELLA_OK) == (detail == NULL));
	return r;
}

static void test_config(void)
{
	struct cella_sign_config c;
	struct cella_abi_properties p = {.attributes = CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG};
	unsigned line;

	CT_RESULT(parse_cfg("# comment\n\n Debug = 0 \nNumHeapPages=0x100\r\nNumStackPages=16\nNumTCS=3\n"
			    "ProductID=65535\nSecurityVersion=2\nMiscSelect=0\nMiscMask=0xfffffffe\n"
			    "AttributesMask=0xfffffffffffffffd\nFamilyID=0x0102030405060708090a0b0c0d0e0f10\n"
			    "ExtendedProductID=ff",
			    &c, &line),
		  CELLA_OK);
	cella_sign_config_apply(&c, &p);
	CT_EQ(p.attributes, CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS); /* Debug=0 cleared DEBUG; IDs enable KSS */
	CT_EQ(p.heap_pages, 256);
	CT_EQ(p.stack_pages, 16);
	CT_EQ(p.tcs_count, 3);
	CT_EQ(p.isv_prod_id, 65535);
	CT_EQ(p.isv_svn, 2);
	CT_EQ(p.misc_mask, 0xfffffffe);
	CT_EQ((long long)p.attributes_mask, (long long)0xfffffffffffffffdull);
	CT_EQ(p.isv_family_id[0], 0x10); /* little-endian */
	CT_EQ(p.isv_family_id[15], 0x01);
	CT_EQ(p.isv_ext_prod_id[0], 0xff);
	CT_EQ(p.isv_ext_prod_id[1], 0);
	CT_RESULT(parse_cfg("Debug=1\n", &c, &line), CELLA_OK);
	cella_sign_config_apply(&c, &p);
	CT_EQ(p.attributes & CELLA_ATTR_DEBUG, CELLA_ATTR_DEBUG);
	CT_RESULT(parse_cfg("", &c, &line), CELLA_OK);
	CT_EQ(c.set, 0);

	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
		{"Debug=2", 1},
		{"Debug=1\nDebug=1", 2},
		{"\n\nNoSuchKey=1", 3},
		{"NumTCS", 1},
		{"NumTCS=", 1},
		{"NumTCS=-1", 1},
		{"NumTCS=12abc", 1},
		{"NumHeapPages=99999999999999999999999", 1},
		{"ProductID=65536", 1},
		{"MiscSelect=0x100000000", 1},
		{"FamilyID=0x", 1},
		{"FamilyID=0x123456789012345678901234567890123", 1},
		{"ExtendedProductID=xyz", 1},
		{"debug=1", 1},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		line = 0;
		if (parse_cfg(bad[i].text, &c, &line) != CELLA_ERR_BAD_FORMAT || line != bad[i].line)
			cella_test_fail(__FILE__, __LINE__, "config '%s' accepted or wrong line %u", bad[i].text, line);
	}
	/* sizes outside what the image parser accepts are refused here, at FILE:LINE, naming the setting and its
	 * range; the limits themselves are accepted */
	static const struct {
		const char *text;
		const char *detail;
	} range[] = {
		{"NumTCS=0", "NumTCS must be a number from 1 to 256"},
		{"NumTCS=257", "NumTCS must be a number from 1 to 256"},
		{"NumTCS=zero", "NumTCS must be a number from 1 to 256"},
		{"NumHeapPages=1", "NumHeapPages must be a number from 2 to 1048576 (2^20)"},
		{"NumHeapPages=0x100001", "NumHeapPages must be a number from 2 to 1048576 (2^20)"},
		{"NumStackPages=0", "NumStackPages must be a number from 1 to 16384 (2^14)"},
		{"NumStackPages=16385", "NumStackPages must be a number from 1 to 16384 (2^14)"},
		{"NumStackPages=18446744073709551615", "NumStackPages must be a number from 1 to 16384 (2^14)"},
		{"Debug=2", "Debug must be 0 or 1"},
		{"ProductID=65536", "ProductID must be a number from 0 to 65535"},
		{"FamilyID=0x", "FamilyID must be a 128-bit hexadecimal value"},
	};
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		const char *detail = NULL;
		line = 0;
		if (cella_sign_config_parse(range[i].text, strlen(range[i].text), &c, &line, &detail) !=
			    CELLA_ERR_BAD_FORMAT ||
		    line != 1 || !detail || !strstr(detail, range[i].detail))
			cella_test_fail(__FILE__, __LINE__, "config '%s': line %u, detail '%s'", range[i].text, line,
					detail ? detail : "(none)");
	}
	CT_RESULT(parse_cfg("NumTCS=1\nNumHeapPages=2\nNumStackPages=1\n", &c, &line), CELLA_OK);
	CT_RESULT(parse_cfg("NumTCS=256\nNumHeapPages=1048576\nNumStackPages=16384\n", &c, &line), CELLA_OK);
	cella_sign_config_apply(&c, &p);
	CT_EQ(p.tcs_count, CELLA_MAX_TCS);
	CT_EQ(p.heap_pages, CELLA_MAX_HEAP_PAGES);
	CT_EQ(p.stack_pages, CELLA_MAX_STACK_PAGES);
	const char nul[] = "Debug=1\nNumTCS=1\0\n";
	const char *detail;
	CT_RESULT(cella_sign_config_parse(nul, sizeof(nul) - 1, &c, &line, &detail), CELLA_ERR_BAD_FORMAT);
	cella_test_pass("config file: every key, comments, whitespace, and each kind of mistake");
}

static void test_prepare(void)
{
	struct testelf_opts o;
	struct testelf t;
	struct cella_sign_config c;
	struct cella_image img;
	struct cella_hash h0, h1;
	struct cella_sgx_sigstruct s;
	struct cella_image_diag d;
	unsigned line;

	testelf_default_opts(&o);
	testelf_build(&o, &t);
	CT_RESULT(cella_sign_prepare(t.data, t.size, NULL, 0x20240101, &img, &h0, &s, &d), CELLA_OK);
	CT_EQ(s.date, 0x20240101);
	CT_EQ_MEM(s.enclave_hash, h0.b, 32);
	/* a config override rewrites the measured properties in the file first */
	CT_RESULT(parse_cfg("NumHeapPages=16\nProductID=42\nDebug=0\n", &c, &line), CELLA_OK);
	CT_RESULT(cella_sign_prepare(t.data, t.size, &c, 0x20240101, &img, &h1, &s, &d), CELLA_OK);
	CT_ASSERT(memcmp(h0.b, h1.b, 32) != 0);
	CT_EQ(img.props.heap_pages, 16);
	CT_EQ(s.isv_prod_id, 42);
	CT_EQ(s.attributes.flags & CELLA_ATTR_DEBUG, 0);
	struct cella_abi_properties p;
	memcpy(&p, t.data + t.cella_off, sizeof(p));
	CT_EQ(p.heap_pages, 16); /* in the file bytes */
	/* the stored SIGSTRUCT lands where the loader reads it */
	memset(&s, 0x3c, sizeof(s));
	cella_sign_store(t.data, &img, &s);
	CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
	CT_EQ_MEM(img.props.sigstruct, &s, sizeof(s));
	/* sizes the layout refuses no longer get this far: the config parser names them (test_config) */
	CT_RESULT(parse_cfg("NumTCS=0\n", &c, &line), CELLA_ERR_BAD_FORMAT);
	CT_RESULT(parse_cfg("NumHeapPages=1\n", &c, &line), CELLA_ERR_BAD_FORMAT);
	CT_RESULT(parse_cfg("NumHeapPages=2\n", &c, &line), CELLA_OK);
	CT_RESULT(cella_sign_prepare(t.data, t.size, &c, 0, &img, &h1, &s, &d), CELLA_OK);
	CT_EQ(img.props.heap_pages, CELLA_MIN_HEAP_PAGES);
	testelf_free(&t);
	/* an image whose own properties are invalid is still refused by the image parser */
	o.props.tcs_count = 0;
	testelf_build(&o, &t);
	CT_RESULT(cella_sign_prepare(t.data, t.size, NULL, 0, &img, &h1, &s, &d), CELLA_ERR_IMAGE_PROPERTIES);
	CT_ASSERT(d.what != NULL);
	o.props.tcs_count = 2;
	testelf_free(&t);

	/* FamilyID turns KSS on: in ATTRIBUTES and, so that EINIT enforces it, in ATTRIBUTEMASK, even with
	 * CELLA_ENCLAVE_PROPERTIES' default mask (which leaves KSS and MODE64BIT out) */
	o.props.attributes_mask = 0xffffffffffffff7bull;
	testelf_build(&o, &t);
	CT_RESULT(parse_cfg("Debug=0\nFamilyID=0x0102030405060708090a0b0c0d0e0f10\n", &c, &line), CELLA_OK);
	CT_RESULT(cella_sign_prepare(t.data, t.size, &c, 0x20240101, &img, &h1, &s, &d), CELLA_OK);
	CT_EQ(s.attributes.flags, CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS);
	CT_EQ(s.attribute_mask.flags & CELLA_ATTR_KSS, CELLA_ATTR_KSS);
	CT_EQ(s.attribute_mask.flags & CELLA_ATTR_MODE64BIT, CELLA_ATTR_MODE64BIT);
	CT_EQ(img.props.attributes_mask, 0xffffffffffffff7bull); /* the measured properties are as configured */
	{
		size_t klen;
		char kpath[512];
		struct cella_einit_info info;
		snprintf(kpath, sizeof(kpath), "%s/key3072e3.pem", keys);
		char *pem = (char *)cella_test_read_file(kpath, &klen);
		CT_RESULT(cella_sigstruct_sign(&s, pem, klen, NULL), CELLA_OK);
		cella_sign_store(t.data, &img, &s);
		CT_RESULT(cella_image_parse(t.data, t.size, &img), CELLA_OK);
		CT_RESULT(cella_einit_check(&img, &h1, false, &info), CELLA_OK);
		/* a host that creates the enclave without KSS: EINIT refuses the ISVFAMILYID (SGX_INVALID_SIG_STRUCT)
		 * before it compares attributes */
		img.props.attributes &= ~CELLA_ATTR_KSS;
		CT_RESULT(cella_einit_check(&img, &h1, false, &info), CELLA_ERR_SIGSTRUCT);
		free(pem);
	}
	o.props.attributes_mask = 0;
	testelf_free(&t);
	o.reloc_type[0] = 1; /* R_X86_64_64 */
	testelf_build(&o, &t);
	CT_RESULT(cella_sign_prepare(t.data, t.size, NULL, 0, &img, &h1, &s, &d), CELLA_ERR_IMAGE_RELOCATION);
	testelf_free(&t);
	cella_test_pass("prepare: config overrides are measured and validated");
}

/* ---- command line ---- */

/* Runs a shell command (formatted); returns its exit status. Output goes to dir/out.txt. */
static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 64, fmt, ap);
	va_end(ap);
	CT_ASSERT(n > 0 && (size_t)n < sizeof(cmd) - 64);
	snprintf(cmd + n, 64, " >%s/out.txt 2>&1", dir);
	int st = system(cmd);
	CT_ASSERT(st != -1 && WIFEXITED(st));
	return WEXITSTATUS(st);
}

static char *output(void)
{
	char path[256];
	size_t len;
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	return (char *)cella_test_read_file(path, &len);
}

static void expect_output(const char *needle)
{
	char *o = output();
	if (!strstr(o, needle))
		cella_test_fail(__FILE__, __LINE__, "output lacks '%s':\n%s", needle, o);
	free(o);
}

static char *path_of(const char *name)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static void write_image(const char *name, void (*tweak)(struct testelf_opts *))
{
	struct testelf_opts o;
	struct testelf t;
	testelf_default_opts(&o);
	if (tweak)
		tweak(&o);
	testelf_build(&o, &t);
	testelf_write(&t, path_of(name));
	testelf_free(&t);
}

static void write_text(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");
	CT_ASSERT(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

static void reloc64(struct testelf_opts *o) { o->reloc_type[1] = 1; }
static void textrel(struct testelf_opts *o) { o->reloc_target[0] = 0x1000; }

static void test_cli_check(void)
{
	write_image("good.elf", NULL);
	write_image("reloc.elf", reloc64);
	write_image("textrel.elf", textrel);
	CT_EQ(run("%s check %s", tool, path_of("good.elf")), 0);
	CT_EQ(run("%s check %s", tool, path_of("reloc.elf")), 1);
	expect_output("reloc.elf: relocation type is not R_X86_64_RELATIVE (0x1 at offset 0x3008)");
	CT_EQ(run("%s check %s", tool, path_of("textrel.elf")), 1);
	expect_output("textrel.elf: relocation targets a non-writable segment (at offset 0x1000)");
	CT_EQ(run("%s check %s", tool, path_of("missing.elf")), 1);
	expect_output("missing.elf: no such file");
	CT_EQ(run("%s check", tool), 2);
	CT_EQ(run("%s frobnicate x", tool), 2);
	CT_EQ(run("%s check --bogus %s", tool, path_of("good.elf")), 2);
	cella_test_pass("cli: check names what is wrong");
}

/* Value of "key: value" in the last dump output (static buffer). */
static const char *field(const char *text, const char *key)
{
	static char val[2048];
	char pat[128];
	snprintf(pat, sizeof(pat), "\n%s: ", key);
	const char *p = strstr(text, pat);
	if (!p)
		cella_test_fail(__FILE__, __LINE__, "dump lacks %s", key);
	p += strlen(pat);
	size_t n = strcspn(p, "\n");
	CT_ASSERT(n < sizeof(val));
	memcpy(val, p, n);
	val[n] = 0;
	return val;
}

/* Appends the bytes of a hex string; with width > 0, a 0x-number little-endian in `width` bytes. */
static void put_field(FILE *f, const char *text, const char *key, int width)
{
	const char *v = field(text, key);
	if (width > 0) {
		unsigned long long x = strtoull(v, NULL, 0);
		for (int i = 0; i < width; i++)
			fputc((int)(x >> (8 * i)) & 0xff, f);
		return;
	}
	for (size_t i = 0; v[i] && v[i + 1]; i += 2) {
		unsigned b;
		CT_ASSERT(sscanf(v + i, "%2x", &b) == 1);
		fputc((int)b, f);
	}
}

/* Writes the hex field reversed (little-endian SIGSTRUCT integers -> big-endian for openssl). */
static void put_reversed(FILE *f, const char *text, const char *key, const char *prefix)
{
	const char *v = field(text, key);
	size_t n = strlen(v);
	if (prefix)
		fputs(prefix, f);
	for (size_t i = n; i >= 2; i -= 2) {
		if (prefix)
			fprintf(f, "%c%c", v[i - 2], v[i - 1]);
		else {
			unsigned b;
			CT_ASSERT(sscanf(v + i - 2, "%2x", &b) == 1);
			fputc((int)b, f);
		}
	}
	if (prefix)
		fputc('\n', f);
}

/* Rebuilds header || body from the dumped fields and verifies SIGNATURE with the openssl command line. */
static void openssl_verify_dump(const char *image, const char *key_pem)
{
	CT_EQ(run("%s dump %s", tool, image), 0);
	char *raw = output(), *text = malloc(strlen(raw) + 2);
	text[0] = '\n';
	strcpy(text + 1, raw);
	free(raw);

	FILE *m = fopen(path_of("msg.bin"), "wb");
	CT_ASSERT(m != NULL);
	put_field(m, text, "sigstruct.header", 0);
	put_field(m, text, "sigstruct.type", 4);
	put_field(m, text, "sigstruct.vendor", 4);
	put_field(m, text, "sigstruct.date", 4);
	put_field(m, text, "sigstruct.header2", 0);
	put_field(m, text, "sigstruct.swdefined", 4);
	put_field(m, text, "sigstruct.reserved1", 0);
	put_field(m, text, "sigstruct.misc_select", 4);
	put_field(m, text, "sigstruct.misc_mask", 4);
	put_field(m, text, "sigstruct.reserved2", 0);
	put_field(m, text, "sigstruct.isv_family_id", 0);
	put_field(m, text, "sigstruct.attributes.flags", 8);
	put_field(m, text, "sigstruct.attributes.xfrm", 8);
	put_field(m, text, "sigstruct.attribute_mask.flags", 8);
	put_field(m, text, "sigstruct.attribute_mask.xfrm", 8);
	put_field(m, text, "sigstruct.enclave_hash", 0);
	put_field(m, text, "sigstruct.reserved3", 0);
	put_field(m, text, "sigstruct.isv_ext_prod_id", 0);
	put_field(m, text, "sigstruct.isv_prod_id", 2);
	put_field(m, text, "sigstruct.isv_svn", 2);
	CT_EQ(ftell(m), 256);
	CT_ASSERT(fclose(m) == 0);

	FILE *s = fopen(path_of("sig.bin"), "wb");
	put_reversed(s, text, "sigstruct.signature", NULL);
	CT_ASSERT(fclose(s) == 0);
	/* the public key, from the dumped modulus alone, as ASN.1 RSAPublicKey */
	FILE *g = fopen(path_of("pub.cnf"), "w");
	fputs("asn1=SEQUENCE:pubkey\n[pubkey]\n", g);
	put_reversed(g, text, "sigstruct.modulus", "n=INTEGER:0x");
	fprintf(g, "e=INTEGER:%s\n", field(text, "sigstruct.exponent"));
	CT_ASSERT(fclose(g) == 0);
	CT_EQ(run("%s asn1parse -genconf %s -out %s -noout", openssl, path_of("pub.cnf"), path_of("pub.der")), 0);
	CT_EQ(run("%s rsa -RSAPublicKey_in -inform DER -in %s -pubout -out %s", openssl, path_of("pub.der"),
		  path_of("pub.pem")),
	      0);
	CT_EQ(run("%s dgst -sha256 -verify %s -signature %s %s", openssl, path_of("pub.pem"), path_of("sig.bin"),
		  path_of("msg.bin")),
	      0);
	expect_output("Verified OK");
	/* and that modulus is the signing key's */
	CT_EQ(run("%s pkey -in %s -pubout -outform DER -out %s && %s pkey -pubin -in %s -pubout -outform DER -out %s && "
		  "cmp %s %s",
		  openssl, key_pem, path_of("k1.der"), openssl, path_of("pub.pem"), path_of("k2.der"), path_of("k1.der"),
		  path_of("k2.der")),
	      0);
	/* MRSIGNER = SHA-256 of the little-endian modulus */
	FILE *mod = fopen(path_of("mod.bin"), "wb");
	put_field(mod, text, "sigstruct.modulus", 0);
	CT_ASSERT(fclose(mod) == 0);
	CT_EQ(run("%s dgst -sha256 -r %s", openssl, path_of("mod.bin")), 0);
	char *o = output();
	CT_ASSERT(strncmp(o, field(text, "mrsigner"), 64) == 0);
	free(o);
	/* a flipped byte in the rebuilt message must fail: the check can fail */
	m = fopen(path_of("msg.bin"), "r+b");
	CT_ASSERT(m && fseek(m, 960 - 900 + 128, SEEK_SET) == 0); /* ENCLAVEHASH[0] */
	int c = fgetc(m);
	CT_ASSERT(c != EOF && fseek(m, 960 - 900 + 128, SEEK_SET) == 0);
	fputc(c ^ 0x01, m);
	CT_ASSERT(fclose(m) == 0);
	CT_EQ(run("%s dgst -sha256 -verify %s -signature %s %s", openssl, path_of("pub.pem"), path_of("sig.bin"),
		  path_of("msg.bin")),
	      1);
	free(text);
}

static cella_result einit_file(const char *path, bool debug)
{
	struct cella_image img;
	struct cella_layout l;
	struct cella_hash h;
	struct cella_einit_info info;
	size_t len;
	uint8_t *d = cella_test_read_file(path, &len);
	cella_result r = cella_image_parse(d, len, &img);
	if (r == CELLA_OK) {
		CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
		CT_RESULT(cella_measure(&l, &h), CELLA_OK);
		cella_layout_fini(&l);
		r = cella_einit_check(&img, &h, debug, &info);
	}
	free(d);
	return r;
}

static void test_cli_sign(void)
{
	char key[512], *o;
	snprintf(key, sizeof(key), "%s/key3072e3.pem", keys);
	write_image("app.elf", NULL);
	write_text("prod.conf", "# production\nDebug=0\nNumHeapPages=8\nProductID=42\nSecurityVersion=5\n");

	/* default output name; the unsigned debug image vs its signed production variant */
	CT_EQ(run("%s sign --key %s %s", tool, key, path_of("app.elf")), 0);
	CT_RESULT(einit_file(path_of("app.elf.signed"), true), CELLA_OK);
	CT_EQ(run("%s sign --key %s --config %s --date 20240229 %s -o %s", tool, key, path_of("prod.conf"),
		  path_of("app.elf"), path_of("prod.signed")),
	      0);
	CT_RESULT(einit_file(path_of("prod.signed"), false), CELLA_OK);
	CT_RESULT(einit_file(path_of("prod.signed"), true), CELLA_ERR_DEBUG_MISMATCH);
	CT_RESULT(einit_file(path_of("app.elf"), false), CELLA_ERR_DEBUG_MISMATCH); /* unsigned debug image */
	CT_EQ(run("%s dump %s", tool, path_of("prod.signed")), 0);
	expect_output("properties.heap_pages: 8\n");
	expect_output("sigstruct.isv_prod_id: 42\n");
	expect_output("sigstruct.isv_svn: 5\n");
	expect_output("sigstruct.date: 0x20240229\n");
	expect_output("properties.debug: false\n");
	expect_output("signature: valid\n");
	expect_output("enclavehash_matches: true\n");
	openssl_verify_dump(path_of("prod.signed"), key);

	/* JSON carries the same values */
	CT_EQ(run("%s dump --json %s", tool, path_of("prod.signed")), 0);
	expect_output("\"isv_prod_id\": 42");
	expect_output("\"signature\": \"valid\"");
	o = output();
	CT_ASSERT(o[0] == '{' && strstr(o, "\n}\n") != NULL);
	free(o);

	/* errors: bad key, bad config (file:line), properties the config makes invalid, missing --key */
	snprintf(key, sizeof(key), "%s/key3072e65537.pem", keys);
	CT_EQ(run("%s sign --key %s %s -o %s", tool, key, path_of("app.elf"), path_of("x")), 1);
	expect_output("RSA public exponent is not 3");
	snprintf(key, sizeof(key), "%s/key2048e3.pem", keys);
	CT_EQ(run("%s sign --key %s %s -o %s", tool, key, path_of("app.elf"), path_of("x")), 1);
	expect_output("RSA key size is not 3072 bits");
	write_text("bad.conf", "Debug=0\nNumTCS=zero\n");
	CT_EQ(run("%s sign --key %s --config %s %s -o %s", tool, key, path_of("bad.conf"), path_of("app.elf"),
		  path_of("x")),
	      1);
	expect_output("bad.conf:2: NumTCS must be a number from 1 to 256");
	write_text("zero.conf", "NumTCS=0\n");
	CT_EQ(run("%s digest --config %s %s", tool, path_of("zero.conf"), path_of("app.elf")), 1);
	expect_output("zero.conf:1: NumTCS must be a number from 1 to 256");
	write_text("heap.conf", "Debug=0\n\nNumHeapPages=2097152\n");
	CT_EQ(run("%s sign --key %s --config %s %s -o %s", tool, key, path_of("heap.conf"), path_of("app.elf"),
		  path_of("x")),
	      1);
	expect_output("heap.conf:3: NumHeapPages must be a number from 2 to 1048576 (2^20)");
	CT_EQ(run("%s sign %s", tool, path_of("app.elf")), 2);
	CT_EQ(run("%s sign --key k --date 2024 %s", tool, path_of("app.elf")), 2);
	/* SOURCE_DATE_EPOCH: 2024-02-29 12:00 UTC gives that day; anything but plain digits is a usage error */
	snprintf(key, sizeof(key), "%s/key3072e3.pem", keys);
	CT_EQ(run("SOURCE_DATE_EPOCH=1709208000 %s sign --key %s %s -o %s", tool, key, path_of("app.elf"),
		  path_of("epoch.signed")),
	      0);
	CT_EQ(run("%s dump %s", tool, path_of("epoch.signed")), 0);
	expect_output("sigstruct.date: 0x20240229\n");
	{
		static const char *const bad[] = {"' 1709208000'", "+1709208000", "1709208000x", "-1",
						  "99999999999999999999"};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CT_EQ(run("SOURCE_DATE_EPOCH=%s %s sign --key %s %s -o %s", bad[i], tool, key,
				  path_of("app.elf"), path_of("x")),
			      2);
			expect_output("SOURCE_DATE_EPOCH is not a number of seconds");
		}
	}
	/* DATE has four BCD year digits: dates past 9999, before 1970 or not on the calendar are usage errors that
	 * name the value, never truncated or signed as given */
	{
		static const struct {
			const char *arg, *msg;
		} bad[] = {
			{"20240231", "--date 20240231 is not a calendar date"},
			{"20230229", "--date 20230229 is not a calendar date"},
			{"21000229", "--date 21000229 is not a calendar date"},
			{"20240431", "--date 20240431 is not a calendar date"},
			{"20241301", "--date 20241301 is not a calendar date"},
			{"20240100", "--date 20240100 is not a calendar date"},
			{"19691231", "--date 19691231: the year must be 1970 to 9999"},
			{"00000101", "--date 00000101: the year must be 1970 to 9999"},
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CT_EQ(run("%s sign --key %s --date %s %s -o %s", tool, key, bad[i].arg, path_of("app.elf"),
				  path_of("x")),
			      2);
			expect_output(bad[i].msg);
			CT_EQ(run("%s digest --date %s %s", tool, bad[i].arg, path_of("app.elf")), 2);
			expect_output(bad[i].msg);
		}
	}
	CT_EQ(run("SOURCE_DATE_EPOCH=253402300800 %s sign --key %s %s -o %s", tool, key, path_of("app.elf"),
		  path_of("x")),
	      2);
	expect_output("SOURCE_DATE_EPOCH 253402300800 is after 9999-12-31");
	CT_EQ(run("SOURCE_DATE_EPOCH=9223372036854775807 %s sign --key %s %s -o %s", tool, key, path_of("app.elf"),
		  path_of("x")),
	      2);
	expect_output("SOURCE_DATE_EPOCH 9223372036854775807 is after 9999-12-31");
	CT_EQ(run("SOURCE_DATE_EPOCH=253402300799 %s sign --key %s %s -o %s", tool, key, path_of("app.elf"),
		  path_of("last.signed")),
	      0);
	CT_EQ(run("%s dump %s", tool, path_of("last.signed")), 0);
	expect_output("sigstruct.date: 0x99991231\n");
	CT_EQ(run("%s sign --key %s --date 19700101 %s -o %s", tool, key, path_of("app.elf"), path_of("first.signed")),
	      0);
	CT_EQ(run("%s dump %s", tool, path_of("first.signed")), 0);
	expect_output("sigstruct.date: 0x19700101\n");
	CT_ASSERT(access(path_of("x"), F_OK) != 0); /* nothing written on failure */
	cella_test_pass("cli: sign with config, dump, openssl verifies the dumped fields");
}

static void default_mask(struct testelf_opts *o) { o->props.attributes_mask = 0xffffffffffffff7bull; }
static void init_attr(struct testelf_opts *o) { o->props.attributes |= CELLA_ATTR_INIT; }
static void family_no_kss(struct testelf_opts *o) { o->props.isv_family_id[0] = 0x11; } /* attributes 0x6 */
static void einittoken(struct testelf_opts *o) { o->props.attributes |= CELLA_ATTR_EINITTOKENKEY; }
static void aexnotify(struct testelf_opts *o) { o->props.attributes |= 1ull << 10; }

/* An image whose properties SGX would refuse: check and sign both fail, naming `says`; nothing is written. */
static void properties_refused(const char *name, void (*tweak)(struct testelf_opts *), const char *key,
			       const char *says)
{
	write_image(name, tweak);
	CT_EQ(run("%s check %s", tool, path_of(name)), 1);
	expect_output(says);
	expect_output("(CELLA_ERR_IMAGE_PROPERTIES)");
	CT_EQ(run("%s sign --key %s %s -o %s", tool, key, path_of(name), path_of("z")), 1);
	expect_output(says);
	CT_ASSERT(access(path_of("z"), F_OK) != 0);
}

static void test_cli_kss_and_refusals(void)
{
	char key[512];
	snprintf(key, sizeof(key), "%s/key3072e3.pem", keys);
	/* FamilyID: the signed ATTRIBUTEMASK covers KSS (and MODE64BIT) though the image's mask leaves them out */
	write_image("kss.elf", default_mask);
	write_text("kss.conf", "Debug=0\nFamilyID=0x11223344556677889900aabbccddeeff\n");
	CT_EQ(run("%s sign --key %s --config %s --date 20240301 -o %s %s", tool, key, path_of("kss.conf"),
		  path_of("kss.signed"), path_of("kss.elf")),
	      0);
	CT_EQ(run("%s dump %s", tool, path_of("kss.signed")), 0);
	expect_output("properties.attributes_mask: 0xffffffffffffff7b\n");
	expect_output("sigstruct.attributes.flags: 0x0000000000000084\n");
	expect_output("sigstruct.attribute_mask.flags: 0xffffffffffffffff\n");
	CT_RESULT(einit_file(path_of("kss.signed"), false), CELLA_OK);
	/* without FamilyID the mask gains MODE64BIT only: KSS, not requested, stays outside it */
	write_text("nokss.conf", "Debug=0\n");
	CT_EQ(run("%s sign --key %s --config %s --date 20240301 -o %s %s", tool, key, path_of("nokss.conf"),
		  path_of("nokss.signed"), path_of("kss.elf")),
	      0);
	CT_EQ(run("%s dump %s", tool, path_of("nokss.signed")), 0);
	expect_output("sigstruct.attribute_mask.flags: 0xffffffffffffff7f\n");

	/* an image SGX cannot load is refused by check and sign, naming what is wrong */
	{
		struct testelf_opts o;
		struct testelf t;
		Elf64_Phdr ph;
		testelf_default_opts(&o);
		testelf_build(&o, &t);
		memcpy(&ph, t.data + t.phoff + sizeof(ph), sizeof(ph));
		CT_EQ(ph.p_flags, PF_R | PF_W);
		ph.p_flags = PF_W;
		memcpy(t.data + t.phoff + sizeof(ph), &ph, sizeof(ph));
		testelf_write(&t, path_of("wonly.elf"));
		testelf_free(&t);
	}
	CT_EQ(run("%s check %s", tool, path_of("wonly.elf")), 1);
	expect_output("wonly.elf: PT_LOAD is writable but not readable (SGX refuses W without R) (program header 1 at "
		      "offset 0x3000) (CELLA_ERR_IMAGE_SEGMENTS)");
	CT_EQ(run("%s sign --key %s %s -o %s", tool, key, path_of("wonly.elf"), path_of("z")), 1);
	expect_output("PT_LOAD is writable but not readable");
	properties_refused("init.elf", init_attr, key, "init.elf: .cella attributes has INIT (bit 0) set");
	/* a hand-written .cella with family-ID bytes but no KSS: EINIT would say SGX_INVALID_SIG_STRUCT */
	properties_refused("family.elf", family_no_kss, key,
			   "family.elf: .cella isv_family_id is set but attributes lacks KSS (bit 7)");
	/* what passes check must be creatable: attributes the Linux driver never grants are refused here too */
	properties_refused("einittoken.elf", einittoken, key, "einittoken.elf: .cella attributes has EINITTOKENKEY (bit 5)");
	properties_refused("aex.elf", aexnotify, key, "aex.elf: .cella attributes has AEX-Notify (bit 10)");
	cella_test_pass("cli: KSS enforced in ATTRIBUTEMASK; W-without-R segments, INIT, EINITTOKENKEY, AEX-Notify and "
			"ISVFAMILYID without KSS refused");
}

static void test_cli_two_step(void)
{
	char key[512], pub[512];
	snprintf(key, sizeof(key), "%s/key3072e3.pem", keys);
	snprintf(pub, sizeof(pub), "%s/key3072e3.pub.pem", keys);
	write_image("hsm.elf", NULL);
	write_text("hsm.conf", "Debug=0\nSecurityVersion=9\n");
	CT_EQ(run("%s digest --config %s --date 20250101 -o %s %s", tool, path_of("hsm.conf"), path_of("hsm.data"),
		  path_of("hsm.elf")),
	      0);
	CT_EQ(run("%s dgst -sha256 -sign %s -out %s %s", openssl, key, path_of("hsm.sig"), path_of("hsm.data")), 0);
	CT_EQ(run("%s catsig --key %s --sig %s --data %s --config %s -o %s %s", tool, pub, path_of("hsm.sig"),
		  path_of("hsm.data"), path_of("hsm.conf"), path_of("hsm.signed"), path_of("hsm.elf")),
	      0);
	/* identical to a one-step signature with the same date */
	CT_EQ(run("%s sign --key %s --config %s --date 20250101 -o %s %s", tool, key, path_of("hsm.conf"),
		  path_of("one.signed"), path_of("hsm.elf")),
	      0);
	CT_EQ(run("cmp %s %s", path_of("hsm.signed"), path_of("one.signed")), 0);
	CT_RESULT(einit_file(path_of("hsm.signed"), false), CELLA_OK);
	/* data made with another config; a signature that does not match; a truncated signature */
	CT_EQ(run("%s catsig --key %s --sig %s --data %s -o %s %s", tool, pub, path_of("hsm.sig"), path_of("hsm.data"),
		  path_of("y"), path_of("hsm.elf")),
	      1);
	expect_output("signing data does not match this image and config");
	CT_EQ(run("%s digest --config %s --date 20250102 -o %s %s", tool, path_of("hsm.conf"), path_of("hsm2.data"),
		  path_of("hsm.elf")),
	      0);
	CT_EQ(run("%s catsig --key %s --sig %s --data %s --config %s -o %s %s", tool, pub, path_of("hsm.sig"),
		  path_of("hsm2.data"), path_of("hsm.conf"), path_of("y"), path_of("hsm.elf")),
	      1);
	expect_output("does not verify");
	CT_EQ(run("head -c 100 %s > %s", path_of("hsm.sig"), path_of("short.sig")), 0);
	CT_EQ(run("%s catsig --key %s --sig %s --data %s --config %s -o %s %s", tool, pub, path_of("short.sig"),
		  path_of("hsm.data"), path_of("hsm.conf"), path_of("y"), path_of("hsm.elf")),
	      1);
	expect_output("not 384 bytes");
	CT_ASSERT(access(path_of("y"), F_OK) != 0);
	cella_test_pass("cli: digest + external signature + catsig == sign");
}

static void test_cli_genkey(void)
{
	struct stat st;
	CT_EQ(run("%s genkey -o %s", tool, path_of("new.pem")), 0);
	CT_ASSERT(stat(path_of("new.pem"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CT_EQ(run("%s rsa -in %s -noout -text", openssl, path_of("new.pem")), 0);
	expect_output("Private-Key: (3072 bit");
	expect_output("publicExponent: 3 (0x3)");
	CT_EQ(run("%s genkey -o %s", tool, path_of("new.pem")), 1);
	expect_output("file exists");
	CT_EQ(run("%s sign --key %s %s -o %s", tool, path_of("new.pem"), path_of("good.elf"), path_of("new.signed")), 0);
	CT_RESULT(einit_file(path_of("new.signed"), true), CELLA_OK);
	CT_EQ(run("%s genkey", tool), 2);
	/* inputs that are not regular files: named, not "Success", and a FIFO does not block the tool */
	CT_EQ(run("%s dump %s", tool, dir), 1);
	expect_output("Is a directory (CELLA_ERR_IO)");
	CT_EQ(mkfifo(path_of("fifo"), 0600), 0);
	CT_EQ(run("timeout 20 %s dump %s", tool, path_of("fifo")), 1);
	expect_output("Invalid argument (CELLA_ERR_IO)");
	/* --force replaces the path itself: a symbolic link there is replaced, its target left as it was */
	{
		char *before;
		size_t blen;
		write_text("target.txt", "not a key\n");
		CT_EQ(symlink(path_of("target.txt"), path_of("link.pem")), 0);
		CT_EQ(run("%s genkey --force -o %s", tool, path_of("link.pem")), 0);
		CT_ASSERT(lstat(path_of("link.pem"), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
		before = (char *)cella_test_read_file(path_of("target.txt"), &blen);
		CT_ASSERT(strcmp(before, "not a key\n") == 0);
		free(before);
		CT_ASSERT(stat(path_of("target.txt"), &st) == 0 && (st.st_mode & 0777) != 0600);
	}
	cella_test_pass("cli: genkey makes an RSA-3072 e=3 key, mode 0600, never overwrites by accident, and --force "
			"replaces a link rather than writing through it");
}

int main(int argc, char **argv)
{
	if (argc != 4)
		cella_test_fail(__FILE__, __LINE__, "usage: sign_test CELLA_SIGN OPENSSL KEY_DIR");
	tool = argv[1];
	openssl = argv[2];
	keys = argv[3];
	CT_ASSERT(mkdtemp(dir) != NULL);
	test_config();
	test_prepare();
	test_cli_check();
	test_cli_sign();
	test_cli_kss_and_refusals();
	test_cli_two_step();
	test_cli_genkey();
	run("rm -rf %s", dir);
	return 0;
}
