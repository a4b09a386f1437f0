// SPDX-License-Identifier: MIT
/* libFuzzer harness: model bytes → cella_onnx_model_new, then one run on zero-filled inputs of the declared
 * shapes (dynamic dims = 1) so shape inference and kernels see the fuzzed graphs too. Inputs of at most 4096
 * elements and tensors of at most 4 MiB keep one run's work far below the 60 s timeout under ASan: at 2^16
 * elements, a fuzzed 3-D ConvTranspose (216 M multiply-adds) took 23 s. */
#include <cella/onnx.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cella_onnx_options o = { 0 };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in[8], out[8];
	o.max_tensor_bytes = (uint64_t)4 << 20; /* keep the fuzzer's memory and work bounded */
	if (cella_onnx_model_new(data, size, &o, &m) != CELLA_OK)
		return 0;
	size_t nin = cella_onnx_model_input_count(m), nout = cella_onnx_model_output_count(m);
	if (nin <= 8 && nout <= 8) {
		int ok = 1;
		memset(in, 0, sizeof(in));
		for (size_t i = 0; i < nin && ok; i++) {
			const char *name;
			uint64_t c = 1;
			if (cella_onnx_model_input_info(m, i, &name, &in[i]) != CELLA_OK)
				ok = 0;
			for (uint32_t d = 0; d < in[i].rank && ok; d++) {
				if (in[i].dims[d] < 0)
					in[i].dims[d] = 1;
				c *= (uint64_t)in[i].dims[d];
				if (c > (1u << 12))
					ok = 0;
			}
			in[i].bytes = (size_t)c * cella_onnx_dtype_size(in[i].dtype);
			in[i].data = ok ? calloc(1, in[i].bytes + 1) : NULL;
			ok = ok && in[i].data;
		}
		if (ok)
			(void)cella_onnx_model_run(m, in, nin, out, nout);
		for (size_t i = 0; i < nin; i++)
			free(in[i].data);
	}
	cella_onnx_model_free(m);
	return 0;
}
