// SPDX-License-Identifier: MIT
/* Conformance runner over ONNX backend test data (libonnx-testdata): pass/fail/unsupported per suite, floor check. */
#include <cella/onnx.h>

#include "onnx.pb-c.h"
#include "onnx_tool.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RTOL 1e-3
#define ATOL 1e-7

enum { T_PASS = 0, T_FAIL = 1, T_UNSUP = 2 };

/* The engine's core operators; "in scope" tests use only these, with float32 graph inputs and outputs. */
static const char *const scope_ops[] = {
	"Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu", "PRelu", "Sigmoid",
	"Tanh", "HardSigmoid", "HardSwish", "Clip", "Elu", "Selu", "Softplus", "Erf", "Gelu", "Add", "Sub", "Mul",
	"Div", "Pow", "Sqrt", "Exp", "Log", "Abs", "Neg", "Reciprocal", "Max", "Min", "Sum", "Mean", "MaxPool",
	"AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Softmax", "LogSoftmax", "Reshape", "Flatten",
	"Transpose", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "Pad", "Resize", "Expand", "Tile",
	"Shape", "Size", "Constant", "ConstantOfShape", "Cast", "Identity", "Dropout", "ReduceMean", "ReduceSum",
	"ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "LayerNormalization", "InstanceNormalization", "LRN",
	"Where", "Equal", "Less", "Greater", "Not", "And", "Or", "ArgMax", "TopK", "Range", "CumSum", "LSTM", "GRU",
	"If", NULL,
};

static int graph_in_scope(const Onnx__GraphProto *g)
{
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *n = g->node[i];
		int ok = 0;
		if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx"))
			return 0;
		for (int k = 0; scope_ops[k]; k++)
			if (!strcmp(scope_ops[k], n->op_type ? n->op_type : ""))
				ok = 1;
		if (!ok)
			return 0;
		for (size_t a = 0; a < n->n_attribute; a++) {
			if (n->attribute[a]->g && !graph_in_scope(n->attribute[a]->g))
				return 0;
			for (size_t k = 0; k < n->attribute[a]->n_graphs; k++)
				if (!graph_in_scope(n->attribute[a]->graphs[k]))
					return 0;
		}
	}
	return 1;
}

static int vi_is_f32(const Onnx__ValueInfoProto *vi)
{
	return vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && vi->type->tensor_type &&
	       vi->type->tensor_type->elem_type == CELLA_ONNX_FLOAT;
}

/* 1 if the model is float32-only at its boundary and uses only the operators. */
static int model_in_scope(const uint8_t *b, size_t len)
{
	Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, b);
	int ok = 0;
	if (!m || !m->graph)
		goto out;
	ok = graph_in_scope(m->graph);
	for (size_t i = 0; i < m->graph->n_input && ok; i++) {
		int init = 0;
		for (size_t k = 0; k < m->graph->n_initializer; k++)
			if (!strcmp(m->graph->initializer[k]->name, m->graph->input[i]->name))
				init = 1;
		if (!init && !vi_is_f32(m->graph->input[i]))
			ok = 0;
	}
	for (size_t i = 0; i < m->graph->n_output && ok; i++)
		if (!vi_is_f32(m->graph->output[i]))
			ok = 0;
out:
	if (m)
		onnx__model_proto__free_unpacked(m, NULL);
	return ok;
}

static int names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Sorted subdirectory names (or files with prefix when prefix != NULL). */
static char **list_dir(const char *path, const char *prefix, size_t *n)
{
	DIR *d = opendir(path);
	char **v = malloc(64 * sizeof(char *)); /* an empty directory is an empty list, not a failure */
	size_t cap = 64;
	*n = 0;
	if (!d || !v) {
		if (d)
			closedir(d);
		free(v);
		return NULL;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (prefix && strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		if (*n == cap) {
			char **nv = realloc(v, cap * 2 * sizeof(char *));
			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		if (!(v[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (e) { /* stopped for want of memory: no partial list */
		free_list(v, *n);
		*n = 0;
		return NULL;
	}
	qsort(v, *n, sizeof(char *), names_cmp);
	return v;
}

/* Runs one test directory; writes a reason into why. Returns T_*. */
static int run_test(const char *dir, char *why, size_t wl)
{
	char p[4096];
	size_t len = 0, nsets = 0;
	uint8_t *mb;
	struct cella_onnx_model *m = NULL;
	int res = T_FAIL;
	char **sets = NULL;
	snprintf(p, sizeof(p), "%s/model.onnx", dir);
	mb = tool_read_file(p, &len);
	if (!mb) {
		snprintf(why, wl, "no model.onnx");
		return T_UNSUP;
	}
	struct cella_onnx_options o = { 0 };
	cella_result r = cella_onnx_model_new(mb, len, &o, &m);
	free(mb);
	if (r != CELLA_OK) {
		snprintf(why, wl, "load: %s", cella_result_name(r));
		return r == CELLA_ERR_MODEL_UNSUPPORTED ? T_UNSUP : T_FAIL;
	}
	sets = list_dir(dir, "test_data_set_", &nsets);
	if (nsets == 0) {
		snprintf(why, wl, "no test data");
		res = T_UNSUP;
		goto out;
	}
	res = T_PASS;
	for (size_t s = 0; s < nsets && res == T_PASS; s++) {
		size_t nin = cella_onnx_model_input_count(m), nout = cella_onnx_model_output_count(m), nf = 0;
		struct cella_onnx_value in[32], out[32], exp[32];
		memset(in, 0, sizeof(in));
		memset(exp, 0, sizeof(exp));
		snprintf(p, sizeof(p), "%s/%s", dir, sets[s]);
		char **files = list_dir(p, "input_", &nf);
		free_list(files, nf);
		if (nin > 32 || nout > 32 || nf != nin) {
			snprintf(why, wl, "%zu input files for %zu inputs", nf, nin);
			res = nf > nin ? T_UNSUP : T_FAIL;
			break;
		}
		for (size_t i = 0; i < nin + nout && res == T_PASS; i++) {
			size_t k = i < nin ? i : i - nin;
			snprintf(p, sizeof(p), "%s/%s/%s_%zu.pb", dir, sets[s], i < nin ? "input" : "output", k);
			uint8_t *b = tool_read_file(p, &len);
			uint32_t form = i < nin ? cella_onnx_model_input_form(m, k) : cella_onnx_model_output_form(m, k);
			struct cella_onnx_value *v = i < nin ? &in[k] : &exp[k];
			if (!b || (r = cella_onnx_value_decode(b, len, form, v)) != CELLA_OK) {
				snprintf(why, wl, "cannot decode %s", p);
				res = T_UNSUP;
			} else {
				tool_declared_type(v, m, k, i < nin);
			}
			free(b);
		}
		if (res == T_PASS) {
			r = cella_onnx_model_run_values(m, in, nin, out, nout);
			if (r != CELLA_OK) {
				snprintf(why, wl, "run: %s", cella_result_name(r));
				res = r == CELLA_ERR_MODEL_UNSUPPORTED ? T_UNSUP : T_FAIL;
			}
		}
		for (size_t i = 0; i < nout && res == T_PASS; i++) {
			struct tool_diff d;
			if (!tool_value_compare(&out[i], &exp[i], RTOL, ATOL, &d)) {
				snprintf(why, wl, "output %zu: %s", i, d.why);
				res = T_FAIL;
			}
		}
		for (size_t i = 0; i < 32; i++) {
			cella_onnx_value_fini(&in[i]);
			cella_onnx_value_fini(&exp[i]);
		}
	}
out:
	free_list(sets, nsets);
	cella_onnx_model_free(m);
	return res;
}

/* Isolated in a child so that one crashing test is counted as a failure, not the end of the run. */
static int run_isolated(const char *dir, char *why, size_t wl)
{
	int fds[2];
	if (pipe(fds))
		return run_test(dir, why, wl);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		alarm(120);
		char w[512] = "";
		int res = run_test(dir, w, sizeof(w));
		if (write(fds[1], w, strlen(w)) < 0)
			res = T_FAIL;
		_exit(res);
	}
	close(fds[1]);
	size_t got = 0;
	ssize_t k;
	while (got + 1 < wl && (k = read(fds[0], why + got, wl - 1 - got)) > 0)
		got += (size_t)k;
	why[got] = '\0';
	close(fds[0]);
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return T_FAIL;
	if (WIFSIGNALED(st)) {
		snprintf(why, wl, "crashed with signal %d", WTERMSIG(st));
		return T_FAIL;
	}
	return WIFEXITED(st) && WEXITSTATUS(st) <= T_UNSUP ? WEXITSTATUS(st) : T_FAIL;
}

struct tally {
	char name[64];
	int pass, fail, known, unsup, scope, scope_pass;
};

/* The reason a known-differences file gives for test "SUITE/NAME" (a line "SUITE/NAME reason..."; # comments), or
 * NULL when it does not list it. */
static const char *known_reason(char **lines, size_t n, const char *suite, const char *test)
{
	size_t sl = strlen(suite), tl = strlen(test);
	for (size_t i = 0; i < n; i++)
		if (!strncmp(lines[i], suite, sl) && lines[i][sl] == '/' && !strncmp(lines[i] + sl + 1, test, tl) &&
		    (lines[i][sl + 1 + tl] == ' ' || lines[i][sl + 1 + tl] == '\0'))
			return lines[i] + sl + 1 + tl + strspn(lines[i] + sl + 1 + tl, " ");
	return NULL;
}

/* The lines of a known-differences file, comments and blank lines left out; NULL (and *n 0) for an empty list, or
 * when the file cannot be read (*bad set). */
static char **known_load(const char *path, size_t *n, int *bad)
{
	char line[1024], **v = NULL;
	size_t cap = 0;
	*n = 0;
	*bad = 0;
	if (!path)
		return NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		*bad = 1;
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(line)))
			break;
		(*n)++;
	}
	*bad = !feof(f);
	fclose(f);
	return v;
}

static long floor_for(const char *floor_file, const char *suite)
{
	FILE *f = floor_file ? fopen(floor_file, "r") : NULL;
	char line[256], name[128];
	long v, found = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%127s %ld", name, &v) == 2 && !strcmp(name, suite))
			found = v;
	}
	fclose(f);
	return found;
}

int tool_conformance(int argc, char **argv)
{
	const char *data = argv[0], *floor_file = NULL, *table = NULL, *failures = NULL, *filter = NULL,
		   *only = NULL, *known_file = NULL;
	static const char *const suites[] = { "node", "pytorch-converted", "pytorch-operator", "simple" };
	struct tally t[5];
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--floor") && i + 1 < argc)
			floor_file = argv[++i];
		else if (!strcmp(argv[i], "--table") && i + 1 < argc)
			table = argv[++i];
		else if (!strcmp(argv[i], "--failures") && i + 1 < argc)
			failures = argv[++i];
		else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
			filter = argv[++i];
		else if (!strcmp(argv[i], "--suite") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--known") && i + 1 < argc)
			known_file = argv[++i];
		else {
			fprintf(stderr, "conformance: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	size_t nknown;
	int bad;
	char **known = known_load(known_file, &nknown, &bad);
	if (bad) {
		fprintf(stderr, "conformance: cannot read %s\n", known_file);
		free_list(known, nknown);
		return 2;
	}
	FILE *ff = failures ? fopen(failures, "w") : NULL;
	memset(t, 0, sizeof(t));
	snprintf(t[4].name, sizeof(t[4].name), "total");
	double t0 = tool_now_ms();
	for (int s = 0; s < 4; s++) {
		char p[4096];
		size_t n = 0;
		snprintf(t[s].name, sizeof(t[s].name), "%s", suites[s]);
		if (only && strcmp(only, suites[s]))
			continue;
		snprintf(p, sizeof(p), "%s/%s", data, suites[s]);
		char **tests = list_dir(p, "test_", &n);
		if (!tests) {
			fprintf(stderr, "conformance: cannot list %s\n", p);
			free_list(known, nknown);
			if (ff)
				fclose(ff);
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			char dir[4096], why[512] = "", mp[4200];
			size_t len;
			if (filter && !strstr(tests[i], filter))
				continue;
			snprintf(dir, sizeof(dir), "%s/%s", p, tests[i]);
			int res = run_isolated(dir, why, sizeof(why));
			snprintf(mp, sizeof(mp), "%s/model.onnx", dir);
			uint8_t *mb = tool_read_file(mp, &len);
			int scope = mb && model_in_scope(mb, len);
			free(mb);
			/* a listed test must still fail: one that passes, or is refused, no longer differs */
			const char *kr = known_reason(known, nknown, suites[s], tests[i]);
			if (kr && res != T_FAIL) {
				fprintf(stderr, "conformance: %s/%s is listed in %s but %s: remove it from the list\n",
					suites[s], tests[i], known_file, res == T_PASS ? "passes" : "is unsupported");
				rc = 1;
			}
			t[s].pass += res == T_PASS;
			t[s].fail += res == T_FAIL && !kr;
			t[s].known += res == T_FAIL && kr;
			t[s].unsup += res == T_UNSUP;
			t[s].scope += scope;
			t[s].scope_pass += scope && res == T_PASS;
			if (ff && res != T_PASS)
				fprintf(ff, "%s/%s %s%s: %s%s%s\n", suites[s], tests[i],
					res == T_FAIL ? kr ? "KNOWN DIFFERENCE" : "FAIL" : "UNSUPPORTED", scope ? " [in scope]" : "",
					why, kr ? " -- " : "", kr ? kr : "");
		}
		free_list(tests, n);
		t[4].pass += t[s].pass;
		t[4].fail += t[s].fail;
		t[4].known += t[s].known;
		t[4].unsup += t[s].unsup;
		t[4].scope += t[s].scope;
		t[4].scope_pass += t[s].scope_pass;
	}
	if (ff)
		fclose(ff);
	FILE *outs[2] = { stdout, table ? fopen(table, "w") : NULL };
	for (int o = 0; o < 2; o++) {
		FILE *f = outs[o];
		if (!f)
			continue;
		fprintf(f, "| suite | passed | failed | known differences | unsupported | total | pass %% | in-scope f32 "
			   "passed | in-scope %% |\n");
		fprintf(f, "|---|---|---|---|---|---|---|---|---|\n");
		for (int s = 0; s < 5; s++) {
			int tot = t[s].pass + t[s].fail + t[s].known + t[s].unsup;
			fprintf(f, "| %s | %d | %d | %d | %d | %d | %.1f | %d/%d | %.1f |\n", t[s].name, t[s].pass,
				t[s].fail, t[s].known, t[s].unsup, tot, tot ? 100.0 * t[s].pass / tot : 0.0, t[s].scope_pass, t[s].scope,
				t[s].scope ? 100.0 * t[s].scope_pass / t[s].scope : 0.0);
		}
		if (o)
			fclose(f);
	}
	printf("conformance: %.1f s\n", (tool_now_ms() - t0) / 1e3);
	free_list(known, nknown);
	for (int s = 0; s < 5; s++) {
		long fl = floor_for(floor_file, t[s].name);
		if (fl >= 0 && t[s].pass < fl) {
			fprintf(stderr, "conformance: %s passed %d < floor %ld\n", t[s].name, t[s].pass, fl);
			rc = 1;
		}
	}
	return rc;
}
