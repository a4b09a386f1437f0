// SPDX-License-Identifier: MIT
/* cella-onnx: inspect and run ONNX models, compare with reference outputs, run the conformance suites. */
#include <cella/onnx.h>

#include "file.h"
#include "onnx_tool.h"
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage_to(FILE *f)
{
	fprintf(f,
		"usage:\n"
		"  cella-onnx info MODEL\n"
		"  cella-onnx run MODEL [--input IDX=DIMS:FILE.bin | --input-pb FILE.pb]... [--random]\n"
		"                 [--expect IDX:FILE.bin | --expect-pb IDX:FILE.pb]... [--rtol R] [--atol A] [--iters N]\n"
		"                 [--portable] [--threads N] [--save DIR]\n"
		"      DIMS like 1x3x224x224; .bin files are raw little-endian elements of the input's or output's\n"
		"      type (float32, float16, bfloat16); .pb files a TensorProto, SequenceProto or OptionalProto,\n"
		"      as the model declares the input or output (--input-pb gives inputs 0, 1, ... in turn).\n"
		"  cella-onnx conformance DATA_DIR [--floor FILE] [--table FILE] [--failures FILE]\n"
		"                 [--filter SUBSTR] [--suite NAME] [--known FILE]\n");
}

static void usage(void)
{
	usage_to(stderr);
}

static void log_cb(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "cella-onnx: %s\n", msg);
}

uint8_t *tool_read_file(const char *path, size_t *len)
{
	uint8_t *buf = NULL;
	return cella_file_read(path, TOOL_MAX_FILE_BYTES, &buf, len) == CELLA_OK ? buf : NULL;
}

double tool_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* "IDX<sep>..." with IDX 0..15: the index, and *rest the offset just past the separator (an offset: gcc 12 at -O3
 * took a pointer made from strtol's end for one to the local end itself); else exit 2 naming the option. */
static int index_arg(const char *opt, const char *spec, char sep, size_t *rest)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(spec, &end, 10);
	if (*spec < '0' || *spec > '9' || errno || *end != sep || v > 15) {
		fprintf(stderr, "cella-onnx: %s %s: expected IDX%c... with IDX from 0 to 15\n", opt, spec, sep);
		exit(2);
	}
	*rest = (size_t)(end - spec) + 1;
	return (int)v;
}

static int cmd_info(const char *path)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_options o = { .log = log_cb };
	cella_result r = cella_onnx_model_load_file(path, &o, &m);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-onnx: %s: %s\n", path, cella_result_str(r));
		return 1;
	}
	for (int io = 0; io < 2; io++) {
		size_t n = io ? cella_onnx_model_output_count(m) : cella_onnx_model_input_count(m);
		for (size_t i = 0; i < n; i++) {
			const char *name;
			struct cella_onnx_tensor t;
			if ((io ? cella_onnx_model_output_info(m, i, &name, &t) : cella_onnx_model_input_info(m, i, &name, &t)) !=
			    CELLA_OK)
				continue;
			uint32_t form = io ? cella_onnx_model_output_form(m, i) : cella_onnx_model_input_form(m, i);
			printf("%s %zu %s %s%s%s [", io ? "output" : "input", i, name,
			       form & CELLA_ONNX_FORM_OPTIONAL ? "optional " : "",
			       form & CELLA_ONNX_FORM_SEQUENCE ? "sequence " : "", cella_onnx_dtype_name(t.dtype));
			for (uint32_t d = 0; d < t.rank; d++)
				printf("%s%lld", d ? "," : "", (long long)t.dims[d]);
			printf("]\n");
		}
	}
	struct cella_onnx_stats st;
	cella_onnx_model_stats(m, &st);
	printf("nodes %u weights %llu bytes\n", st.nodes, (unsigned long long)st.weight_bytes);
	cella_onnx_model_free(m);
	return 0;
}

/* The engine's default max_tensor_bytes (cella/onnx.h): --random makes no input larger than the engine would. */
#define RANDOM_MAX_BYTES ((uint64_t)1 << 30)

/*
 * For --random: dynamic dims of t set to 1, and *count its elements; -1 when its data would exceed max_bytes
 * (checked before any product can wrap).
 */
static int random_count(struct cella_onnx_tensor *t, uint64_t max_bytes, uint64_t *count)
{
	uint64_t c = 1, lim = max_bytes / (cella_onnx_dtype_size(t->dtype) ? cella_onnx_dtype_size(t->dtype) : 1);
	int zero = 0, over = 0;
	for (uint32_t d = 0; d < t->rank; d++) {
		if (t->dims[d] < 0)
			t->dims[d] = 1;
		if (t->dims[d] == 0)
			zero = 1;
		else if ((uint64_t)t->dims[d] > lim / c)
			over = 1;
		else
			c *= (uint64_t)t->dims[d];
	}
	*count = zero ? 0 : c;
	return !zero && over ? -1 : 0;
}

/* float, float16 or bfloat16: the types raw inputs, --random, --expect and the printed sums take (not double). */
static int is_float_like(cella_onnx_dtype t)
{
	return t != CELLA_ONNX_DOUBLE && tool_is_float(t);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A declared form in words: "a tensor", "a sequence", "an optional", "an optional sequence". */
static const char *form_words(uint32_t form)
{
	if (form & CELLA_ONNX_FORM_OPTIONAL)
		return form & CELLA_ONNX_FORM_SEQUENCE ? "an optional sequence" : "an optional";
	return form & CELLA_ONNX_FORM_SEQUENCE ? "a sequence" : "a tensor";
}

/* What run prints of an output: the first strings of a tensor, each to so many bytes, the first tensors of a
 * sequence. */
#define PRINT_STRINGS 8
#define PRINT_STRING_BYTES 40
#define PRINT_TENSORS 16

/* One line: "float [2,3] sum 1.5", the sum for float-like elements, the first strings quoted for strings. */
static void print_tensor(const struct cella_onnx_tensor *t)
{
	uint64_t c = cella_onnx_tensor_count(t);
	printf("%s [", cella_onnx_dtype_name(t->dtype));
	for (uint32_t d = 0; d < t->rank; d++)
		printf("%s%lld", d ? "," : "", (long long)t->dims[d]);
	printf("]");
	if (is_float_like(t->dtype)) {
		double sum = 0;
		for (uint64_t k = 0; k < c; k++)
			sum += tool_float_at(t->data, t->dtype, k);
		printf(" sum %.6g", sum);
	}
	for (uint64_t k = 0; t->dtype == CELLA_ONNX_STRING && k < c && k < PRINT_STRINGS; k++) {
		const struct cella_onnx_string *s = (const struct cella_onnx_string *)t->data + k;
		char q[4 * PRINT_STRING_BYTES + 6];
		tool_quote(q, sizeof(q), s->data, s->len, PRINT_STRING_BYTES);
		printf(" %s", q);
	}
	if (t->dtype == CELLA_ONNX_STRING && c > PRINT_STRINGS)
		printf(" ... %llu more", (unsigned long long)(c - PRINT_STRINGS));
	printf("\n");
}

/* Output i, of declared form and element type dtype: a tensor on one line, a sequence on one and then one a tensor. */
static void print_output(size_t i, uint32_t form, cella_onnx_dtype dtype, const struct cella_onnx_value *v)
{
	printf("output %zu %s", i, form & CELLA_ONNX_FORM_OPTIONAL ? "optional " : "");
	if (v->kind == CELLA_ONNX_VALUE_NONE) {
		printf("%s%s: empty\n", form & CELLA_ONNX_FORM_SEQUENCE ? "sequence " : "", cella_onnx_dtype_name(dtype));
		return;
	}
	if (v->kind != CELLA_ONNX_VALUE_SEQUENCE) {
		print_tensor(&v->tensor);
		return;
	}
	printf("sequence %s, %zu tensor%s\n", cella_onnx_dtype_name(v->tensor.dtype), v->n_items,
	       v->n_items == 1 ? "" : "s");
	for (size_t k = 0; k < v->n_items && k < PRINT_TENSORS; k++) {
		printf("  tensor %zu ", k);
		print_tensor(&v->items[k]);
	}
	if (v->n_items > PRINT_TENSORS)
		printf("  ... %zu more tensors\n", v->n_items - PRINT_TENSORS);
}

/* --save: t's raw elements to DIR/output_I[_K].bin (k < 0 for an output that is a tensor); 1 on success. */
static int save_tensor(const char *dir, size_t i, long k, const struct cella_onnx_tensor *t)
{
	char p[4096];
	if (k < 0)
		snprintf(p, sizeof(p), "%s/output_%zu.bin", dir, i);
	else
		snprintf(p, sizeof(p), "%s/output_%zu_%ld.bin", dir, i, k);
	if (t->dtype == CELLA_ONNX_STRING) {
		fprintf(stderr, "cella-onnx: --save: output %zu is of strings, which have no raw form: %s not written\n",
			i, p);
		return 0;
	}
	FILE *f = fopen(p, "wb");
	int ok = f && fwrite(t->data, 1, t->bytes, f) == t->bytes;
	if (f && fclose(f))
		ok = 0;
	if (!ok)
		fprintf(stderr, "cella-onnx: --save: cannot write %s\n", p);
	return ok;
}

/* The line comparing output i with its reference; returns same. */
static int print_compare(size_t i, const struct tool_diff *d, int same, double rtol, double atol)
{
	if (d->other)
		printf("compare output %zu: %s FAIL\n", i, d->why);
	else
		printf("compare output %zu: max_abs %.3g max_rel %.3g mismatches %llu/%llu (rtol %g atol %g) %s%s\n", i,
		       d->max_abs, d->max_rel, (unsigned long long)d->bad, (unsigned long long)d->elements, rtol, atol,
		       same ? "ok" : "FAIL: first ", same ? "" : d->why);
	return same;
}

/* --expect I:FILE (raw elements of a float-like output) against output i, which is v; returns 1 if it matches. */
static int expect_raw(size_t i, const char *path, const struct cella_onnx_value *v, double rtol, double atol)
{
	size_t len = 0;
	struct tool_diff d;
	if (v->kind != CELLA_ONNX_VALUE_TENSOR) {
		fprintf(stderr, "cella-onnx: --expect %zu: output %zu is %s; compare it with --expect-pb %zu:FILE.pb\n", i, i,
			v->kind == CELLA_ONNX_VALUE_SEQUENCE ? "a sequence" : "an empty optional", i);
		return 0;
	}
	if (!is_float_like(v->tensor.dtype)) {
		fprintf(stderr, "cella-onnx: --expect %zu: output %zu is %s; only float, float16 and bfloat16 are compared "
			"with raw files (--expect-pb %zu:FILE.pb compares any type)\n", i, i,
			cella_onnx_dtype_name(v->tensor.dtype), i);
		return 0;
	}
	uint8_t *ref = tool_read_file(path, &len);
	if (!ref) {
		fprintf(stderr, "cella-onnx: --expect %zu: cannot read %s\n", i, path);
		return 0;
	}
	if (len != v->tensor.bytes) {
		fprintf(stderr, "cella-onnx: --expect %zu: %s has %zu bytes, output %zu has %zu\n", i, path, len, i,
			v->tensor.bytes);
		free(ref);
		return 0;
	}
	struct cella_onnx_tensor e = v->tensor;
	e.data = ref;
	int same = print_compare(i, &d, tool_tensor_compare(&v->tensor, &e, rtol, atol, &d), rtol, atol);
	free(ref);
	return same;
}

/* --expect-pb I:FILE.pb (a TensorProto, SequenceProto or OptionalProto, by the output's declared form) against
 * output i of m, which is v; returns 1 if it matches. */
static int expect_pb(const struct cella_onnx_model *m, size_t i, const char *path, const struct cella_onnx_value *v,
		     double rtol, double atol)
{
	size_t len = 0;
	struct cella_onnx_value e;
	struct tool_diff d;
	uint32_t form = cella_onnx_model_output_form(m, i);
	uint8_t *ref = tool_read_file(path, &len);
	if (!ref) {
		fprintf(stderr, "cella-onnx: --expect-pb %zu: cannot read %s\n", i, path);
		return 0;
	}
	cella_result r = cella_onnx_value_decode(ref, len, form, &e);
	free(ref);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-onnx: --expect-pb %zu: cannot decode %s as output %zu, %s: %s\n", i, path, i,
			form_words(form), cella_result_str(r));
		return 0;
	}
	tool_declared_type(&e, m, i, 0);
	int same = print_compare(i, &d, tool_value_compare(v, &e, rtol, atol, &d), rtol, atol);
	cella_onnx_value_fini(&e);
	return same;
}

static int cmd_run(int argc, char **argv)
{
	const char *model = argv[0];
	/* in: raw and --random inputs (data ours); pbv: --input-pb inputs, decoded by their declared form once the
	 * model is loaded, from the bytes pb read while the options are parsed */
	struct cella_onnx_tensor in[16];
	struct cella_onnx_value pbv[16], vin[16], out[16];
	uint8_t *pb[16] = { 0 };
	size_t pblen[16] = { 0 };
	const char *pbpath[16] = { 0 }, *expect[16] = { 0 };
	int have[16] = { 0 }, raw[16] = { 0 }, expect_is_pb[16] = { 0 }, iters = 1, random_in = 0, rc = 1;
	double rtol = 1e-3, atol = 1e-4;
	const char *save = NULL;
	struct cella_onnx_options o = { .log = log_cb };
	struct cella_onnx_model *m = NULL;
	memset(in, 0, sizeof(in));
	memset(pbv, 0, sizeof(pbv));
	size_t pbi = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--input") && i + 1 < argc) {
			char *spec = argv[++i], *dims, *colon;
			size_t at;
			int idx = index_arg("--input", spec, '=', &at);
			dims = spec + at;
			colon = strchr(dims, ':');
			if (!colon || cella_parse_dims(dims, ':', in[idx].dims, CELLA_ONNX_MAX_RANK, &in[idx].rank)) {
				fprintf(stderr, "cella-onnx: --input %s: expected IDX=DIMS:FILE with DIMS like 1x3x224x224\n",
					spec);
				rc = 2;
				goto out;
			}
			if (have[idx]) {
				fprintf(stderr, "cella-onnx: --input %s: input %d given twice\n", spec, idx);
				rc = 2;
				goto out;
			}
			in[idx].dtype = CELLA_ONNX_FLOAT;
			in[idx].data = cella_cli_file("cella-onnx", colon + 1, TOOL_MAX_FILE_BYTES, &in[idx].bytes);
			if (!in[idx].data) {
				rc = 1;
				goto out;
			}
			have[idx] = raw[idx] = 1;
		} else if (!strcmp(argv[i], "--input-pb") && i + 1 < argc && pbi < 16) {
			if (have[pbi]) {
				fprintf(stderr, "cella-onnx: --input-pb %s: input %zu given twice\n", argv[i + 1], pbi);
				rc = 2;
				goto out;
			}
			pbpath[pbi] = argv[++i];
			pb[pbi] = cella_cli_file("cella-onnx", pbpath[pbi], TOOL_MAX_FILE_BYTES, &pblen[pbi]);
			if (!pb[pbi]) {
				rc = 1;
				goto out;
			}
			have[pbi++] = 1;
		} else if ((!strcmp(argv[i], "--expect") || !strcmp(argv[i], "--expect-pb")) && i + 1 < argc) {
			char *spec = argv[i + 1];
			size_t at;
			int idx = index_arg(argv[i], spec, ':', &at);
			if (expect[idx]) {
				fprintf(stderr, "cella-onnx: %s %s: output %d given a reference twice\n", argv[i], spec, idx);
				rc = 2;
				goto out;
			}
			expect[idx] = spec + at;
			expect_is_pb[idx] = !strcmp(argv[i++], "--expect-pb");
		} else if (!strcmp(argv[i], "--rtol") && i + 1 < argc) {
			rtol = cella_cli_double("cella-onnx", "--rtol", argv[++i], 0, INFINITY);
		} else if (!strcmp(argv[i], "--atol") && i + 1 < argc) {
			atol = cella_cli_double("cella-onnx", "--atol", argv[++i], 0, INFINITY);
		} else if (!strcmp(argv[i], "--iters") && i + 1 < argc) {
			iters = (int)cella_cli_int("cella-onnx", "--iters", argv[++i], 1, 1000000);
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			o.threads = (uint32_t)cella_cli_int("cella-onnx", "--threads", argv[++i], 0, 64);
		} else if (!strcmp(argv[i], "--portable")) {
			o.cpu_disable = ~0u;
		} else if (!strcmp(argv[i], "--random")) {
			random_in = 1;
		} else if (!strcmp(argv[i], "--save") && i + 1 < argc) {
			save = argv[++i];
		} else {
			usage();
			rc = 2;
			goto out;
		}
	}
	cella_result r = cella_onnx_model_load_file(model, &o, &m);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-onnx: %s: %s\n", model, cella_result_str(r));
		goto out;
	}
	size_t nin = cella_onnx_model_input_count(m), nout = cella_onnx_model_output_count(m);
	if (nin > 16 || nout > 16) {
		fprintf(stderr, "cella-onnx: %s has %zu inputs and %zu outputs; run handles at most 16 of each\n", model,
			nin, nout);
		goto out;
	}
	for (size_t i = 0; i < 16; i++) {
		if ((have[i] && i >= nin) || (expect[i] && i >= nout)) {
			fprintf(stderr, "cella-onnx: %s %zu: %s has %zu %s(s)\n",
				have[i] && i >= nin ? "input" : expect_is_pb[i] ? "--expect-pb" : "--expect", i, model, have[i] && i >= nin ? nin : nout, have[i] && i >= nin ? "input" : "output");
			rc = 2;
			goto out;
		}
	}
	for (size_t i = 0; i < nin; i++) {
		const char *name;
		struct cella_onnx_tensor info;
		uint32_t form = cella_onnx_model_input_form(m, i);
		if (cella_onnx_model_input_info(m, i, &name, &info) != CELLA_OK) {
			fprintf(stderr, "cella-onnx: input %zu: no description\n", i);
			goto out;
		}
		if (pb[i]) { /* a TensorProto, SequenceProto or OptionalProto, as the input is declared */
			r = cella_onnx_value_decode(pb[i], pblen[i], form, &pbv[i]);
			if (r != CELLA_OK) {
				fprintf(stderr, "cella-onnx: cannot decode %s as input %zu (%s), %s: %s\n", pbpath[i], i, name,
					form_words(form), cella_result_str(r));
				goto out;
			}
			tool_declared_type(&pbv[i], m, i, 1);
			vin[i] = pbv[i];
			continue;
		}
		if ((raw[i] || random_in) && (info.dtype == CELLA_ONNX_STRING || (form & CELLA_ONNX_FORM_SEQUENCE))) {
			fprintf(stderr, "cella-onnx: %s: input %zu (%s) is %s%s; give it with --input-pb FILE.pb\n",
				raw[i] ? "--input" : "--random", i, name, form_words(form),
				info.dtype == CELLA_ONNX_STRING ? " of strings" : "");
			goto out;
		}
		if (random_in && !raw[i] && form) {
			fprintf(stderr, "cella-onnx: --random: input %zu (%s) is %s; give it with --input-pb FILE.pb\n", i,
				name, form_words(form));
			goto out;
		}
		if (raw[i]) {
			/* a raw file holds elements of the input's type: float16 and bfloat16 as their 16-bit patterns;
			 * an optional takes it as its value */
			if (is_float_like(info.dtype))
				in[i].dtype = info.dtype;
		} else if (!random_in) {
			fprintf(stderr, "cella-onnx: input %zu missing\n", i);
			goto out;
		} else {
			in[i] = info;
			in[i].data = NULL; /* freed at out: only once allocated here */
			uint64_t c, max = o.max_tensor_bytes ? o.max_tensor_bytes : RANDOM_MAX_BYTES;
			if (random_count(&in[i], max, &c) != 0) {
				fprintf(stderr, "cella-onnx: --random: input %zu (%s) would take over %llu bytes; give it with "
					"--input\n", i, name, (unsigned long long)max);
				goto out;
			}
			in[i].bytes = (size_t)c * cella_onnx_dtype_size(info.dtype);
			in[i].data = calloc(1, in[i].bytes + 1);
			if (!in[i].data) {
				fprintf(stderr, "cella-onnx: --random: out of memory for input %zu (%s), %zu bytes\n", i, name,
					in[i].bytes);
				goto out;
			}
			for (uint64_t k = 0; k < c && is_float_like(info.dtype); k++) {
				float v = (float)((k * 2654435761u) % 1000) / 1000.0f - 0.5f;
				if (info.dtype == CELLA_ONNX_FLOAT)
					((float *)in[i].data)[k] = v;
				else
					((uint16_t *)in[i].data)[k] = cella_onnx_float_to_half(v, info.dtype);
			}
		}
		vin[i] = (struct cella_onnx_value){ .kind = CELLA_ONNX_VALUE_TENSOR, .tensor = in[i] };
	}
	double *times = calloc((size_t)(iters > 0 ? iters : 1), sizeof(double));
	if (!times) {
		fprintf(stderr, "cella-onnx: out of memory for %d timings\n", iters);
		goto out;
	}
	for (int it = 0; it < (iters > 0 ? iters : 1); it++) {
		double t0 = tool_now_ms();
		r = cella_onnx_model_run_values(m, vin, nin, out, nout);
		times[it] = tool_now_ms() - t0;
		if (r != CELLA_OK) {
			fprintf(stderr, "cella-onnx: run: %s\n", cella_result_str(r));
			free(times);
			goto out;
		}
	}
	qsort(times, (size_t)(iters > 0 ? iters : 1), sizeof(double), cmp_double);
	printf("latency_ms median %.3f min %.3f (%d runs)\n", times[(iters > 0 ? iters : 1) / 2], times[0], iters);
	free(times);
	rc = 0;
	for (size_t i = 0; i < nout; i++) {
		const char *name;
		struct cella_onnx_tensor info = { .dtype = out[i].tensor.dtype };
		if (cella_onnx_model_output_info(m, i, &name, &info) != CELLA_OK)
			info.dtype = out[i].tensor.dtype;
		print_output(i, cella_onnx_model_output_form(m, i), info.dtype, &out[i]);
		if (save && out[i].kind == CELLA_ONNX_VALUE_TENSOR && !save_tensor(save, i, -1, &out[i].tensor))
			rc = 1;
		for (size_t k = 0; save && out[i].kind == CELLA_ONNX_VALUE_SEQUENCE && k < out[i].n_items; k++)
			if (!save_tensor(save, i, (long)k, &out[i].items[k]))
				rc = 1;
		if (expect[i] && !(expect_is_pb[i] ? expect_pb(m, i, expect[i], &out[i], rtol, atol)
						   : expect_raw(i, expect[i], &out[i], rtol, atol)))
			rc = 1;
	}
out:
	for (int i = 0; i < 16; i++) {
		free(in[i].data);
		free(pb[i]);
		cella_onnx_value_fini(&pbv[i]);
	}
	cella_onnx_model_free(m);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage_to(stdout);
		return 0;
	}
	if (argc < 3) {
		usage();
		return 2;
	}
	if (!strcmp(argv[1], "info"))
		return cmd_info(argv[2]);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "conformance"))
		return tool_conformance(argc - 2, argv + 2);
	usage();
	return 2;
}
