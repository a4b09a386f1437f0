// SPDX-License-Identifier: MIT
/*
 * cella-onnx-enclave-bench: the same model and input run by the engine inside an enclave (sandbox backend) and
 * in this process, interleaved in one run; prints both medians and the enclave overhead. The in-enclave time
 * includes the ecall, the input's copy into the enclave and the output's copy back.
 *
 * The runs alternate in blocks of BLOCK (default 8) inside, then BLOCK outside, so both see the same machine
 * conditions. The steady-state figure is the median over all runs, as an inference server calling back to back
 * sees it; the first inside run of each block follows a pause as long as a block of outside runs, and their
 * median is printed apart ("after idle"): on the sandbox backend the enclave's thread has gone to sleep by then
 * and the call pays a futex wake-up, which SGX (the caller's own thread enters) does not have.
 *
 * Both sides run the model on the same CPU: the enclave process's threads are pinned to the last CPU, and this
 * thread to it for the outside runs and to the other CPUs for the inside ones. On virtual machines the vCPUs'
 * speeds differ by several percent from moment to moment; unpinned, the comparison measured which vCPU each
 * side landed on as much as the enclave.
 * usage: cella-onnx-enclave-bench ENCLAVE MODEL DIMS INPUT.bin [ITERS] [BLOCK]
 */
#include <cella/abi/heap.h>
#include <cella/host.h>
#include <cella/onnx.h>
#include <dirent.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

/* The first child of process `pid` (Linux's /proc/PID/task/PID/children), or -1. */
static pid_t first_child(pid_t pid)
{
	char path[64];
	long c = -1;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &c) != 1)
		c = -1;
	fclose(f);
	return (pid_t)c;
}

/* Pins every thread of process `pid` to `set`; false if any could not be. */
static bool pin_process(pid_t pid, const cpu_set_t *set)
{
	char path[64];
	struct dirent *d;
	bool ok = true;
	DIR *dir;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && sched_setaffinity((pid_t)atoi(d->d_name), sizeof(*set), set) != 0)
			ok = false;
	closedir(dir);
	return ok;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long len;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(b = malloc((size_t)len)) || fread(b, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*n = (size_t)len;
	return b;
}

int main(int argc, char **argv)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .call_buffer_bytes = 32u << 20, .arena_bytes = 64u << 20};
	struct cella_enclave *e = NULL;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor t, res;
	uint8_t *model, *req, *out;
	size_t mlen, ilen, w = 0, out_bytes = 0;
	int iters;
	double *te, *th, *tidle;
	int block, nidle = 0;
	cpu_set_t on_model_cpu, off_model_cpu;
	bool pinned = false;
	cella_result r;

	if (argc < 5) {
		fprintf(stderr, "usage: %s ENCLAVE MODEL DIMS INPUT.bin [ITERS [BLOCK]]\n", argv[0]);
		return 2;
	}
	iters = argc > 5 ? (int)cella_cli_int(argv[0], "ITERS", argv[5], 1, 1000000) : 20;
	block = argc > 6 ? (int)cella_cli_int(argv[0], "BLOCK", argv[6], 2, 100000) : 8;
	memset(&t, 0, sizeof(t));
	t.dtype = CELLA_ONNX_FLOAT;
	parse_dims(argv[0], argv[3], &t);
	model = slurp(argv[2], &mlen);
	{
		uint8_t *raw = slurp(argv[4], &ilen);
		req = calloc(1, 72 + ilen);
		memcpy(req, &t.rank, 4);
		memcpy(req + 8, t.dims, sizeof(int64_t) * t.rank);
		memcpy(req + 72, raw, ilen);
		t.data = req + 72;
		t.bytes = ilen;
		free(raw);
	}
	out = malloc(16u << 20);
	te = calloc((size_t)iters, sizeof(double));
	th = calloc((size_t)iters, sizeof(double));
	tidle = calloc((size_t)iters, sizeof(double));

	r = cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e);
	if (r == CELLA_OK)
		r = cella_enclave_call(e, 0, model, mlen, NULL, 0, NULL);
	if (r == CELLA_OK)
		r = cella_onnx_model_new(model, mlen, NULL, &m);
	if (r != CELLA_OK) {
		fprintf(stderr, "setup: %s\n", cella_result_str(r));
		return 1;
	}
	{
		/* the enclave process is the monitor's child; the monitor is ours (docs/sandbox.md) */
		pid_t mon = first_child(getpid()), encl = mon > 0 ? first_child(mon) : -1;
		int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
		if (ncpu >= 2 && encl > 0) {
			CPU_ZERO(&on_model_cpu);
			CPU_SET(ncpu - 1, &on_model_cpu);
			CPU_ZERO(&off_model_cpu);
			for (int c = 0; c < ncpu - 1; c++)
				CPU_SET(c, &off_model_cpu);
			pinned = pin_process(encl, &on_model_cpu);
		}
		if (pinned)
			printf("model runs pinned to CPU %d on both sides (enclave process %d)\n", ncpu - 1, (int)encl);
		else
			printf("model runs not pinned (no second CPU, or the enclave process was not found)\n");
	}
	/*
	 * Warm both, then interleave so both see the same machine conditions. The ecall's output buffer is exactly
	 * the output's size, as an interface (EDL [out, size=...]) declares it: the runtime zeroes the whole output
	 * buffer before each call, so an oversized one would be measured too.
	 */
	if (cella_onnx_model_run(m, &t, 1, &res, 1) != CELLA_OK) {
		fprintf(stderr, "host run failed\n");
		return 1;
	}
	out_bytes = res.bytes;
	if (cella_enclave_call(e, 1, req, 72 + ilen, out, out_bytes, &w) != CELLA_OK || w != res.bytes) {
		fprintf(stderr, "the enclave's run failed or gave %zu bytes, not %zu\n", w, res.bytes);
		return 1;
	}
	if (memcmp(out, res.data, w) != 0) {
		/* Operators on libm's functions (Erf, Sin, ...) take musl's inside and glibc's outside, which may differ
		 * in the last bit; the engine's own math (exp, tanh, sigmoid, the kernels) is the same code in both */
		double worst = 0;
		for (size_t k = 0; k < w / 4; k++) {
			float a, b;
			memcpy(&a, (const uint8_t *)out + 4 * k, 4);
			memcpy(&b, (const uint8_t *)res.data + 4 * k, 4);
			double d = fabs((double)a - (double)b);
			if (!(d <= 1e-5 + 1e-4 * fabs((double)b))) { /* the conformance runner's tolerance */
				fprintf(stderr, "inside and outside disagree at element %zu: %.9g and %.9g\n", k, (double)a,
					(double)b);
				return 1;
			}
			worst = d > worst ? d : worst;
		}
		printf("inside and outside differ by at most %.2g (libm's functions are musl's inside, glibc's outside)\n",
		       worst);
	} else {
		printf("inside and outside agree bit for bit\n");
	}
	for (int i = 0; i < iters; i += block) {
		int n = iters - i < block ? iters - i : block;
		if (pinned)
			sched_setaffinity(0, sizeof(off_model_cpu), &off_model_cpu);
		for (int k = 0; k < n; k++) {
			double t0 = bench_now_ms();
			if (cella_enclave_call(e, 1, req, 72 + ilen, out, out_bytes, &w) != CELLA_OK) {
				fprintf(stderr, "inside run failed\n");
				return 1;
			}
			te[i + k] = bench_now_ms() - t0;
		}
		if (i > 0)
			tidle[nidle++] = te[i];
		if (pinned) {
			sched_setaffinity(0, sizeof(on_model_cpu), &on_model_cpu);
			/* untimed: the enclave's thread, now idle on this CPU, stops spinning and sleeps */
			usleep(1000);
		}
		for (int k = 0; k < n; k++) {
			double t0 = bench_now_ms();
			if (cella_onnx_model_run(m, &t, 1, &res, 1) != CELLA_OK) {
				fprintf(stderr, "outside run failed\n");
				return 1;
			}
			th[i + k] = bench_now_ms() - t0;
		}
	}
	{
		struct cella_heap_stats st;
		if (cella_enclave_call(e, 2, NULL, 0, &st, sizeof(st), &w) == CELLA_OK)
			printf("enclave heap: peak %.1f MiB, %llu page allocations and %llu frees (%.1f MiB zeroed) in %d runs\n",
			       (double)st.peak_used_bytes / 1048576.0, (unsigned long long)st.map_calls,
			       (unsigned long long)st.unmap_calls, (double)st.zeroed_bytes / 1048576.0, iters + 1);
	}
	qsort(te, (size_t)iters, sizeof(double), bench_cmp_double);
	qsort(th, (size_t)iters, sizeof(double), bench_cmp_double);
	qsort(tidle, (size_t)nidle, sizeof(double), bench_cmp_double);
	printf("outside median_ms %.3f inside median_ms %.3f overhead_pct %.1f (target <= 5)\n", th[iters / 2],
	       te[iters / 2], 100.0 * (te[iters / 2] - th[iters / 2]) / th[iters / 2]);
	if (nidle)
		printf("after idle: inside median_ms %.3f (%+.1f %% over the outside median; %d calls)\n",
		       tidle[nidle / 2], 100.0 * (tidle[nidle / 2] - th[iters / 2]) / th[iters / 2], nidle);
	cella_onnx_model_free(m);
	(void)cella_enclave_terminate(e);
	free(te);
	free(th);
	free(tidle);
	return 0;
}
