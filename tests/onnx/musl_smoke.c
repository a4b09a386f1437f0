// SPDX-License-Identifier: MIT
/* Runs a model from bytes and prints every output element's bits; built for glibc and as a musl static-pie
 * so a test can check both worlds compute identical results. usage: onnx_smoke MODEL INPUT.pb... */
#include <cella/onnx.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		b = malloc((size_t)n + 1);
		if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
			free(b);
			b = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in[8], out[8];
	size_t len = 0, nin = (size_t)(argc - 2);
	if (argc < 2 || nin > 8)
		return 2;
	unsigned char *mb = slurp(argv[1], &len);
	if (!mb || cella_onnx_model_new(mb, len, NULL, &m) != CELLA_OK) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	free(mb);
	memset(in, 0, sizeof(in));
	for (size_t i = 0; i < nin; i++) {
		unsigned char *b = slurp(argv[2 + i], &len);
		if (!b || cella_onnx_tensor_decode(b, len, &in[i]) != CELLA_OK)
			return 1;
		free(b);
	}
	size_t nout = cella_onnx_model_output_count(m);
	if (nout > 8 || cella_onnx_model_run(m, in, nin, out, nout) != CELLA_OK) {
		fprintf(stderr, "run failed\n");
		return 1;
	}
	for (size_t i = 0; i < nout; i++) {
		printf("output %zu %s rank %u:", i, cella_onnx_dtype_name(out[i].dtype), out[i].rank);
		for (uint32_t d = 0; d < out[i].rank; d++)
			printf(" %lld", (long long)out[i].dims[d]);
		printf("\n");
		const unsigned char *p = out[i].data;
		for (size_t k = 0; k < out[i].bytes; k++)
			printf("%02x%s", p[k], (k % 32 == 31) ? "\n" : "");
		printf("\n");
	}
	for (size_t i = 0; i < nin; i++)
		cella_onnx_tensor_fini(&in[i]);
	cella_onnx_model_free(m);
	return 0;
}
