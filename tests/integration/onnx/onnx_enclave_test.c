// SPDX-License-Identifier: MIT
/*
 * Runs ONNX models inside an enclave on the sandbox backend and requires outputs bit-identical to the host
 * build of the same engine. onnx_enclave_test ENCLAVE TESTDATA_DIR
 */
#include <cella/host.h>
#include <cella/onnx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "value_wire.h"

static const char *models[] = {
	"node/test_conv_with_strides_padding",
	"node/test_gemm_default_matrix_bias",
	"node/test_softmax_axis_1",
	"node/test_maxpool_2d_pads",
	"node/test_lstm_defaults",
	"pytorch-converted/test_Conv2d_groups",
	"pytorch-converted/test_BatchNorm2d_eval",
	"node/test_cast_DOUBLE_to_FLOAT16", /* float16 out: rounding from double (frexp, rint) in musl's libm */
	"node/test_max_float16",            /* float16 in and out, held as float32 */
	"simple/test_sequence_model4",      /* a sequence made and joined */
	"node/test_sequence_map_add_2_sequences", /* sequences in and out (cella_onnx_model_run_values) */
	"node/test_loop16_seq_none",              /* an empty optional carried by a Loop that makes a list */
	"node/test_optional_get_element_sequence", /* an optional sequence in */
	"node/test_cast_FLOAT_to_STRING",           /* float text formatted with musl's arithmetic */
	"node/test_cast_STRING_to_FLOAT",           /* and parsed with its strtof */
	"node/test_strnormalizer_export_monday_insensintive_upper_twodim", /* strings in and out */
};

static void put(uint8_t *buf, size_t *pos, const void *p, size_t n)
{
	memcpy(buf + *pos, p, n);
	*pos += (n + 7) & ~(size_t)7;
}

static void one(struct cella_enclave *e, const char *data, const char *name)
{
	char path[1024];
	uint8_t *model, *ins[8], *req, *rep, *host_rep;
	size_t mlen, ilen[8], pos = 0, total = 16, w = 0, hw;
	uint32_t n_in = 0, zero = 0;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_value t[8], host_out;

	snprintf(path, sizeof(path), "%s/%s/model.onnx", data, name);
	model = cella_test_read_file(path, &mlen);
	total += (mlen + 7) & ~(size_t)7;
	for (;; n_in++) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s/test_data_set_0/input_%u.pb", data, name, n_in);
		if (!(f = fopen(path, "rb")))
			break;
		fclose(f);
		CT_ASSERT(n_in < 8);
		ins[n_in] = cella_test_read_file(path, &ilen[n_in]);
		total += 8 + ((ilen[n_in] + 7) & ~(size_t)7);
	}
	req = calloc(1, total);
	put(req, &pos, &n_in, 4);
	memcpy(req + 4, &zero, 4);
	pos = 8;
	put(req, &pos, &(uint64_t){mlen}, 8);
	put(req, &pos, model, mlen);
	for (uint32_t i = 0; i < n_in; i++) {
		put(req, &pos, &(uint64_t){ilen[i]}, 8);
		put(req, &pos, ins[i], ilen[i]);
	}
	rep = malloc(1 << 22);
	CT_RESULT(cella_enclave_call(e, 0, req, pos, rep, 1 << 22, &w), CELLA_OK);

	/* the host build of the same engine, on the same bytes, laid out as the enclave lays out its output */
	CT_RESULT(cella_onnx_model_new(model, mlen, NULL, &m), CELLA_OK);
	for (uint32_t i = 0; i < n_in; i++)
		CT_RESULT(cella_onnx_value_decode(ins[i], ilen[i], cella_onnx_model_input_form(m, i), &t[i]), CELLA_OK);
	CT_RESULT(cella_onnx_model_run_values(m, t, n_in, &host_out, 1), CELLA_OK);
	host_rep = malloc(1 << 22);
	CT_ASSERT(host_rep && (hw = value_wire_put(&host_out, host_rep, 1 << 22)) > 0);
	CT_EQ(w, hw);
	CT_ASSERT(memcmp(rep, host_rep, hw) == 0); /* bit-identical, kind, shapes and tensors */
	printf("%-40s %zu input(s), %zu output bytes: identical\n", name, (size_t)n_in, hw);
	cella_onnx_model_free(m);
	for (uint32_t i = 0; i < n_in; i++) {
		cella_onnx_value_fini(&t[i]);
		free(ins[i]);
	}
	free(model);
	free(req);
	free(rep);
	free(host_rep);
}

int main(int argc, char **argv)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .call_buffer_bytes = 16u << 20};
	struct cella_enclave *e = NULL;
	if (argc != 3)
		return 2;
	CT_RESULT(cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_OK);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		one(e, argv[2], models[i]);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("ONNX models inside the enclave match the host build bit for bit");
	return 0;
}
