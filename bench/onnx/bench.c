// SPDX-License-Identifier: MIT
/* cella-onnx-bench: single-thread latency and memory of one model on a given input (raw float32 file).
 * usage: cella-onnx-bench MODEL DIMS INPUT.bin [ITERS] [--portable] [--threads N]
 * (after the three positional arguments, in any order) */
#include <cella/onnx.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_util.h"

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s MODEL DIMS INPUT.bin [ITERS] [--portable] [--threads N]\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	struct cella_onnx_options o = { 0 };
	struct cella_onnx_tensor in, out[8];
	struct cella_onnx_model *m = NULL;
	int iters = 0;
	if (argc < 4)
		return usage(argv[0]);
	/* the optional arguments by name: --portable was once taken for ITERS */
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--portable"))
			o.cpu_disable = ~0u;
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			o.threads = (uint32_t)cella_cli_int(argv[0], "--threads", argv[++i], 0, 64);
		else if (strncmp(argv[i], "--", 2) && !iters)
			iters = (int)cella_cli_int(argv[0], "ITERS", argv[i], 1, 1000000);
		else
			return usage(argv[0]);
	}
	if (!iters)
		iters = 20;
	memset(&in, 0, sizeof(in));
	in.dtype = CELLA_ONNX_FLOAT;
	parse_dims(argv[0], argv[2], &in);
	FILE *f = fopen(argv[3], "rb");
	size_t want = (size_t)cella_onnx_tensor_count(&in) * 4;
	in.data = malloc(want);
	if (!f || !in.data || fread(in.data, 1, want, f) != want) {
		fprintf(stderr, "cannot read %s\n", argv[3]);
		return 1;
	}
	fclose(f);
	in.bytes = want;
	double t0 = bench_now_ms();
	cella_result r = cella_onnx_model_load_file(argv[1], &o, &m);
	double load = bench_now_ms() - t0;
	if (r != CELLA_OK || cella_onnx_model_output_count(m) > 8) {
		fprintf(stderr, "load: %s\n", cella_result_str(r));
		return 1;
	}
	size_t nout = cella_onnx_model_output_count(m);
	double *t = calloc((size_t)iters + 1, sizeof(double));
	for (int i = -2; i < iters; i++) { /* two warm-up runs */
		double a = bench_now_ms();
		if ((r = cella_onnx_model_run(m, &in, 1, out, nout)) != CELLA_OK) {
			fprintf(stderr, "run: %s\n", cella_result_str(r));
			return 1;
		}
		if (i >= 0)
			t[i] = bench_now_ms() - a;
	}
	qsort(t, (size_t)iters, sizeof(double), bench_cmp_double);
	struct cella_onnx_stats st;
	cella_onnx_model_stats(m, &st);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("cella median_ms %.3f min_ms %.3f load_ms %.1f weights_mb %.1f arena_peak_mb %.1f maxrss_mb %.1f\n",
	       t[iters / 2], t[0], load, (double)st.weight_bytes / 1048576.0, (double)st.arena_peak_bytes / 1048576.0,
	       (double)ru.ru_maxrss / 1024.0);
	free(t);
	free(in.data);
	cella_onnx_model_free(m);
	return 0;
}
