// SPDX-License-Identifier: MIT
/* libFuzzer harness: model bytes → cella_onnx_model_new, then one run on zero-filled inputs of the declared
 * shapes (dynamic dims = 1) so shape inference and kernels see the fuzzed graphs too: a sequence input gets one
 * such tensor, an optional one is given empty. Inputs of at most 4096 elements and tensors of at most 4 MiB keep
 * one run's work far below the 60 s timeout under ASan: at 2^16 elements, a fuzzed 3-D ConvTranspose (216 M
 * multiply-adds) took 23 s. The same bytes also go through cella_onnx_tensor_decode as a TensorProto (a client's
 * request to samples/confidential-inference) and cella_onnx_value_decode as a SequenceProto and as an OptionalProto
 * of either kind (protobuf messages all, the corpus's models exercise those decoders too). */
#include <cella/onnx.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cella_onnx_options o = { 0 };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_value in[8], out[8];
	struct cella_onnx_tensor t;
	if (cella_onnx_tensor_decode(data, size, &t) == CELLA_OK) /* what an inference service decodes from a client */
		cella_onnx_tensor_fini(&t);
	for (uint32_t form = 1; form <= 3; form++) {
		struct cella_onnx_value v;
		if (cella_onnx_value_decode(data, size, form, &v) == CELLA_OK)
			cella_onnx_value_fini(&v);
	}
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
			struct cella_onnx_tensor *t = &in[i].tensor;
			uint32_t form = cella_onnx_model_input_form(m, i);
			if (cella_onnx_model_input_info(m, i, &name, t) != CELLA_OK)
				ok = 0;
			for (uint32_t d = 0; d < t->rank && ok; d++) {
				if (t->dims[d] < 0)
					t->dims[d] = 1;
				c *= (uint64_t)t->dims[d];
				if (c > (1u << 12))
					ok = 0;
			}
			t->bytes = (size_t)c * cella_onnx_dtype_size(t->dtype);
			t->data = ok ? calloc(1, t->bytes + 1) : NULL;
			ok = ok && t->data;
			if (form & CELLA_ONNX_FORM_OPTIONAL) {
				in[i].kind = CELLA_ONNX_VALUE_NONE;
			} else if (form & CELLA_ONNX_FORM_SEQUENCE) {
				in[i].kind = CELLA_ONNX_VALUE_SEQUENCE;
				in[i].items = t;
				in[i].n_items = 1;
			}
		}
		if (ok)
			(void)cella_onnx_model_run_values(m, in, nin, out, nout);
		for (size_t i = 0; i < nin; i++)
			free(in[i].tensor.data);
	}
	cella_onnx_model_free(m);
	return 0;
}
