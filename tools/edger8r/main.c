// SPDX-License-Identifier: MIT
/* cella-edger8r: the EDL compiler. Command line compatible with sgx_edger8r and oeedger8r where they agree. */
#include "edl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CELLA_EDGER8R_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cella-edger8r [options] FILE.edl\n"
		"Generates FILE_t.{c,h} (enclave side) and FILE_u.{c,h} (host side).\n"
		"  --search-path DIR[:DIR...]  where imported EDL files are looked for (repeatable)\n"
		"  --trusted                   generate the enclave side only\n"
		"  --untrusted                 generate the host side only\n"
		"  --trusted-dir DIR           directory for FILE_t.{c,h} (default: .)\n"
		"  --untrusted-dir DIR         directory for FILE_u.{c,h} (default: .)\n"
		"  --header-only               generate the headers only\n"
		"  -D NAME[=VALUE]             define a macro for #ifdef/#if in the EDL (repeatable)\n"
		"  --preprocess                run the C preprocessor over each EDL file first\n"
		"  --cpp CMD                   the preprocessor for --preprocess (default: cpp)\n"
		"  --use-prefix                prefix host-side ecall functions with FILE_\n"
		"  -Werror                     treat warnings as errors\n"
		"  --depfile FILE              write the EDL files read, as a Makefile rule for the outputs\n"
		"  --version, --help\n");
}

/* Accepts "--opt VALUE" and "--opt=VALUE". */
static const char *optval(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (!strcmp(argv[*i], name)) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "cella-edger8r: %s needs a value\n", name);
			exit(2);
		}
		return argv[++*i];
	}
	return NULL;
}

static void add_define(struct edl_ctx *c, struct edl_options *o, const char *spec)
{
	struct edl_define *d = edl_alloc(&c->arena, sizeof(*d));
	const char *eq = strchr(spec, '=');
	if (!*spec || spec[0] == '=') {
		fprintf(stderr, "cella-edger8r: -D needs a macro name\n");
		exit(2);
	}
	d->name = eq ? edl_strndup(&c->arena, spec, (size_t)(eq - spec)) : edl_strdup(&c->arena, spec);
	d->value = eq ? edl_strdup(&c->arena, eq + 1) : "1";
	edl_vec_push(&c->arena, &o->defines, d);
}

static void add_search(struct edl_ctx *c, struct edl_options *o, const char *dirs)
{
	const char *p = dirs;
	while (*p) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n)
			edl_vec_push(&c->arena, &o->search, edl_strndup(&c->arena, p, n));
		p += n + (e ? 1 : 0);
	}
}

static const char *base_name(struct edl_ctx *c, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;
	char *s;
	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 4 && !strcmp(b + n - 4, ".edl"))
		n -= 4;
	s = edl_alloc(&c->arena, n + 5);
	if (n == 0 || isdigit((unsigned char)b[0])) {
		memcpy(s, "edl_", 4);
		memcpy(s + 4, b, n);
		n += 4;
	} else {
		memcpy(s, b, n);
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			s[i] = '_';
	return s;
}

/* "<first output>: <every EDL file read>" for build systems (CMake DEPFILE). */
static int write_depfile(struct edl_ctx *c, const struct edl_gen_opts *g, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "cella-edger8r: cannot write %s\n", path);
		return 1;
	}
	fprintf(f, "%s/%s_%s.h:", g->trusted ? (g->trusted_dir ? g->trusted_dir : ".") : (g->untrusted_dir ? g->untrusted_dir : "."),
		g->name, g->trusted ? "t" : "u");
	for (size_t i = 0; i < c->files.n; i++) {
		const char *p = ((struct edl_file *)c->files.v[i])->path;
		fputs(" \\\n ", f);
		for (; *p; p++) {
			if (*p == ' ' || *p == '#')
				fputc('\\', f);
			if (*p == '$')
				fputc('$', f);
			fputc(*p, f);
		}
	}
	fputc('\n', f);
	return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct edl_options opt;
	struct edl_ctx c;
	struct edl_gen_opts g;
	const char *file = NULL, *v, *depfile = NULL;
	bool only_t = false, only_u = false;
	int rc;

	memset(&opt, 0, sizeof(opt));
	memset(&g, 0, sizeof(g));
	edl_ctx_init(&c, &opt);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((v = optval(argc, argv, &i, "--search-path"))) {
			add_search(&c, &opt, v);
		} else if ((v = optval(argc, argv, &i, "--trusted-dir"))) {
			g.trusted_dir = v;
		} else if ((v = optval(argc, argv, &i, "--untrusted-dir"))) {
			g.untrusted_dir = v;
		} else if ((v = optval(argc, argv, &i, "--depfile"))) {
			depfile = v;
		} else if ((v = optval(argc, argv, &i, "--cpp"))) {
			opt.cpp = v;
		} else if (!strcmp(a, "--trusted")) {
			only_t = true;
		} else if (!strcmp(a, "--untrusted")) {
			only_u = true;
		} else if (!strcmp(a, "--header-only")) {
			g.header_only = true;
		} else if (!strcmp(a, "--preprocess")) {
			opt.preprocess = true;
		} else if (!strcmp(a, "--use-prefix")) {
			g.use_prefix = true;
		} else if (!strcmp(a, "-Werror")) {
			opt.werror = true;
		} else if (!strcmp(a, "-D")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "cella-edger8r: -D needs a value\n");
				return 2;
			}
			add_define(&c, &opt, argv[++i]);
		} else if (!strncmp(a, "-D", 2)) {
			add_define(&c, &opt, a + 2);
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("cella-edger8r %s\n", CELLA_EDGER8R_VERSION);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "cella-edger8r: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (file) {
			fprintf(stderr, "cella-edger8r: one EDL file at a time ('%s' and '%s')\n", file, a);
			return 2;
		} else {
			file = a;
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	g.trusted = only_t || !only_u;
	g.untrusted = only_u || !only_t;
	g.name = base_name(&c, file);
	rc = edl_load_file(&c, file) == 0 && c.errors == 0 ? 0 : 1;
	if (rc == 0)
		rc = edl_generate(&c, &g) == 0 ? 0 : 1;
	if (rc == 0 && depfile)
		rc = write_depfile(&c, &g, depfile);
	edl_ctx_fini(&c);
	return rc;
}
