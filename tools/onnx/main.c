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
		"                 [--expect IDX:FILE.bin] [--rtol R] [--atol A] [--iters N] [--portable] [--threads N]\n"
		"                 [--save DIR]\n"
		"      DIMS like 1x3x224x224; .bin files are raw little-endian elements of the input's or output's\n"
		"      type (float32, float16, bfloat16).\n"
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

/* "IDX<sep>..." with IDX 0..15: the index, and *rest just past the separator; else exit 2 naming the option. */
static int index_arg(const char *opt, char *spec, char sep, char **rest)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(spec, &end, 10);
	if (*spec < '0' || *spec > '9' || errno || *end != sep || v > 15) {
		fprintf(stderr, "cella-onnx: %s %s: expected IDX%c... with IDX from 0 to 15\n", opt, spec, sep);
		exit(2);
	}
	*rest = end + 1;
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

static int cmd_run(int argc, char **argv)
{
	const char *model = argv[0];
	struct cella_onnx_tensor in[16], out[16];
	const char *expect[16] = { 0 };
	int have[16] = { 0 }, raw[16] = { 0 }, iters = 1, random_in = 0, rc = 1;
	double rtol = 1e-3, atol = 1e-4;
	const char *save = NULL;
	struct cella_onnx_options o = { .log = log_cb };
	struct cella_onnx_model *m = NULL;
	memset(in, 0, sizeof(in));
	size_t pbi = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--input") && i + 1 < argc) {
			char *spec = argv[++i], *dims, *colon;
			int idx = index_arg("--input", spec, '=', &dims);
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
			size_t len;
			uint8_t *b;
			if (have[pbi]) {
				fprintf(stderr, "cella-onnx: --input-pb %s: input %zu given twice\n", argv[i + 1], pbi);
				rc = 2;
				goto out;
			}
			b = cella_cli_file("cella-onnx", argv[++i], TOOL_MAX_FILE_BYTES, &len);
			if (!b) {
				rc = 1;
				goto out;
			}
			if (cella_onnx_tensor_decode(b, len, &in[pbi]) != CELLA_OK) {
				fprintf(stderr, "cella-onnx: cannot decode %s\n", argv[i]);
				free(b);
				rc = 1;
				goto out;
			}
			free(b);
			have[pbi++] = 1;
		} else if (!strcmp(argv[i], "--expect") && i + 1 < argc) {
			char *file;
			int idx = index_arg("--expect", argv[++i], ':', &file);
			expect[idx] = file;
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
	for (size_t i = 0; i < nin + nout; i++) {
		uint32_t form = i < nin ? cella_onnx_model_input_form(m, i) : cella_onnx_model_output_form(m, i - nin);
		const char *name;
		struct cella_onnx_tensor info;
		if ((i < nin ? cella_onnx_model_input_info(m, i, &name, &info)
			     : cella_onnx_model_output_info(m, i - nin, &name, &info)) == CELLA_OK &&
		    info.dtype == CELLA_ONNX_STRING) {
			fprintf(stderr, "cella-onnx: %s %zu (%s) is a string tensor: run takes models of numbers (cella-onnx "
				"conformance reads string test data)\n", i < nin ? "input" : "output", i < nin ? i : i - nin, name);
			goto out;
		}
		if (form) {
			fprintf(stderr, "cella-onnx: %s %zu is %s%s: run takes models whose inputs and outputs are tensors "
				"(cella-onnx conformance reads sequence and optional test data)\n", i < nin ? "input" : "output",
				i < nin ? i : i - nin, form & CELLA_ONNX_FORM_OPTIONAL ? "an optional " : "a ",
				form & CELLA_ONNX_FORM_SEQUENCE ? "sequence" : "tensor");
			goto out;
		}
	}
	for (size_t i = 0; i < 16; i++) {
		if ((have[i] && i >= nin) || (expect[i] && i >= nout)) {
			fprintf(stderr, "cella-onnx: %s %zu: %s has %zu %s(s)\n", have[i] && i >= nin ? "input" : "--expect",
				i, model, have[i] && i >= nin ? nin : nout, have[i] && i >= nin ? "input" : "output");
			rc = 2;
			goto out;
		}
	}
	for (size_t i = 0; i < nin; i++) {
		const char *iname;
		struct cella_onnx_tensor iinfo;
		/* a raw file holds elements of the input's type: float16 and bfloat16 as their 16-bit patterns */
		if (raw[i] && cella_onnx_model_input_info(m, i, &iname, &iinfo) == CELLA_OK && is_float_like(iinfo.dtype))
			in[i].dtype = iinfo.dtype;
	}
	for (size_t i = 0; i < nin; i++) {
		if (have[i])
			continue;
		const char *name;
		struct cella_onnx_tensor info;
		if (!random_in || cella_onnx_model_input_info(m, i, &name, &info) != CELLA_OK) {
			fprintf(stderr, "cella-onnx: input %zu missing\n", i);
			goto out;
		}
		in[i] = info;
		in[i].data = NULL; /* freed at out: only once allocated here */
		uint64_t c, max = o.max_tensor_bytes ? o.max_tensor_bytes : RANDOM_MAX_BYTES;
		if (random_count(&in[i], max, &c) != 0) {
			fprintf(stderr, "cella-onnx: --random: input %zu (%s) would take over %llu bytes; give it with --input\n",
				i, name, (unsigned long long)max);
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
		have[i] = 1;
	}
	double *times = calloc((size_t)(iters > 0 ? iters : 1), sizeof(double));
	if (!times) {
		fprintf(stderr, "cella-onnx: out of memory for %d timings\n", iters);
		goto out;
	}
	for (int it = 0; it < (iters > 0 ? iters : 1); it++) {
		double t0 = tool_now_ms();
		r = cella_onnx_model_run(m, in, nin, out, nout);
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
		printf("output %zu %s [", i, cella_onnx_dtype_name(out[i].dtype));
		for (uint32_t d = 0; d < out[i].rank; d++)
			printf("%s%lld", d ? "," : "", (long long)out[i].dims[d]);
		printf("]");
		uint64_t c = cella_onnx_tensor_count(&out[i]);
		if (is_float_like(out[i].dtype)) {
			double sum = 0;
			for (uint64_t k = 0; k < c; k++)
				sum += tool_float_at(out[i].data, out[i].dtype, k);
			printf(" sum %.6g", sum);
		}
		printf("\n");
		if (save) {
			char p[4096];
			snprintf(p, sizeof(p), "%s/output_%zu.bin", save, i);
			FILE *f = fopen(p, "wb");
			if (!f || fwrite(out[i].data, 1, out[i].bytes, f) != out[i].bytes)
				rc = 1;
			if (f)
				fclose(f);
		}
		if (expect[i]) {
			size_t len = 0;
			uint8_t *ref = tool_read_file(expect[i], &len);
			if (!ref || !is_float_like(out[i].dtype) || len != out[i].bytes) {
				if (!ref)
					fprintf(stderr, "cella-onnx: --expect %zu: cannot read %s\n", i, expect[i]);
				else if (!is_float_like(out[i].dtype))
					fprintf(stderr, "cella-onnx: --expect %zu: output %zu is %s; only float, float16 and "
						"bfloat16 are compared\n", i, i, cella_onnx_dtype_name(out[i].dtype));
				else
					fprintf(stderr, "cella-onnx: --expect %zu: %s has %zu bytes, output %zu has %zu\n", i,
						expect[i], len, i, out[i].bytes);
				rc = 1;
				free(ref);
				continue;
			}
			double maxabs = 0, maxrel = 0;
			uint64_t bad = 0;
			for (uint64_t k = 0; k < c; k++) {
				double a = tool_float_at(out[i].data, out[i].dtype, k), e = tool_float_at(ref, out[i].dtype, k),
				       d = fabs(a - e);
				if (a == e || (isnan(a) && isnan(e)))
					continue; /* equal, also as the same infinity (whose difference is NaN), or both NaN */
				if (!isfinite(a) || !isfinite(e)) { /* no tolerance makes up for an infinity or a NaN */
					bad++;
					continue;
				}
				if (d > maxabs)
					maxabs = d;
				if (fabs(e) > 1e-6 && d / fabs(e) > maxrel)
					maxrel = d / fabs(e);
				if (!(d <= atol + rtol * fabs(e)))
					bad++;
			}
			printf("compare output %zu: max_abs %.3g max_rel %.3g mismatches %llu/%llu (rtol %g atol %g) %s\n",
			       i, maxabs, maxrel, (unsigned long long)bad, (unsigned long long)c, rtol, atol,
			       bad ? "FAIL" : "ok");
			if (bad)
				rc = 1;
			free(ref);
		}
	}
out:
	for (int i = 0; i < 16; i++)
		free(in[i].data);
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
