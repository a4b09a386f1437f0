// SPDX-License-Identifier: MIT
/*
 * Runs ONNX models inside an enclave on the sandbox backend and requires outputs bit-identical to the host
 * build of the same engine, and a bound on the enclave heap a weight-heavy model needs.
 * onnx_enclave_test ENCLAVE TESTDATA_DIR
 */
#include <cella/abi/heap.h>
#include <cella/host.h>
#include <cella/onnx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "onnx_testkit.h"
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
	"node/test_erf",                            /* onnx_erff: musl's and glibc's erff differ, ours does not */
};

static void put(uint8_t *buf, size_t *pos, const void *p, size_t n)
{
	memcpy(buf + *pos, p, n);
	*pos += (n + 7) & ~(size_t)7;
}

/*
 * Runs the model on the inputs (serialized values) in the enclave and on the host, and requires the same output 0
 * bytes; cap: the output buffer's size.
 */
static void compare(struct cella_enclave *e, const char *name, const uint8_t *model, size_t mlen, uint8_t *const *ins,
		    const size_t *ilen, uint32_t n_in, size_t cap)
{
	uint8_t *req, *rep, *host_rep;
	size_t pos = 0, total = 16 + ((mlen + 7) & ~(size_t)7), w = 0, hw;
	uint32_t zero = 0;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_value t[8], host_out;

	for (uint32_t i = 0; i < n_in; i++)
		total += 8 + ((ilen[i] + 7) & ~(size_t)7);
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
	rep = malloc(cap);
	CT_RESULT(cella_enclave_call(e, 0, req, pos, rep, cap, &w), CELLA_OK);

	/* the host build of the same engine, on the same bytes, laid out as the enclave lays out its output */
	CT_RESULT(cella_onnx_model_new(model, mlen, NULL, &m), CELLA_OK);
	for (uint32_t i = 0; i < n_in; i++)
		CT_RESULT(cella_onnx_value_decode(ins[i], ilen[i], cella_onnx_model_input_form(m, i), &t[i]), CELLA_OK);
	CT_RESULT(cella_onnx_model_run_values(m, t, n_in, &host_out, 1), CELLA_OK);
	host_rep = malloc(cap);
	CT_ASSERT(host_rep && (hw = value_wire_put(&host_out, host_rep, cap)) > 0);
	CT_EQ(w, hw);
	CT_ASSERT(memcmp(rep, host_rep, hw) == 0); /* bit-identical, kind, shapes and tensors */
	printf("%-40s %zu input(s), %zu output bytes: identical\n", name, (size_t)n_in, hw);
	cella_onnx_model_free(m);
	for (uint32_t i = 0; i < n_in; i++)
		cella_onnx_value_fini(&t[i]);
	free(req);
	free(rep);
	free(host_rep);
}

static void one(struct cella_enclave *e, const char *data, const char *name)
{
	char path[1024];
	uint8_t *model, *ins[8];
	size_t mlen, ilen[8];
	uint32_t n_in = 0;

	snprintf(path, sizeof(path), "%s/%s/model.onnx", data, name);
	model = cella_test_read_file(path, &mlen);
	for (;; n_in++) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s/test_data_set_0/input_%u.pb", data, name, n_in);
		if (!(f = fopen(path, "rb")))
			break;
		fclose(f);
		CT_ASSERT(n_in < 8);
		ins[n_in] = cella_test_read_file(path, &ilen[n_in]);
	}
	compare(e, name, model, mlen, ins, ilen, n_in, 1 << 22);
	for (uint32_t i = 0; i < n_in; i++)
		free(ins[i]);
	free(model);
}

/* A float TensorProto of rank 4 over data, raw_data, packed into a malloc'ed buffer. */
static uint8_t *pack_tensor(const int64_t *dims, const float *data, size_t count, size_t *len)
{
	Onnx__TensorProto t;
	uint8_t *buf;
	onnx__tensor_proto__init(&t);
	t.has_data_type = 1;
	t.data_type = CELLA_ONNX_FLOAT;
	t.n_dims = 4;
	t.dims = (int64_t *)dims;
	t.has_raw_data = 1;
	t.raw_data.data = (uint8_t *)data;
	t.raw_data.len = count * sizeof(float);
	*len = onnx__tensor_proto__get_packed_size(&t);
	buf = malloc(*len);
	CT_ASSERT(buf);
	onnx__tensor_proto__pack(&t, buf);
	return buf;
}

/*
 * The enclave heap a model needs. Conv(x, w1) + Conv(x, w2) over [1, C, 1, 1], with w1 an initializer and w2 a
 * Constant node's value (as many exporters give weights), 4 MiB each: loading and running it in a fresh enclave
 * may take at most 2.75 times the model's size in heap pages above what the enclave used before (the call's own
 * copy of the model, the weights once, and one weight's packed or folded copy at a time; the output buffer is
 * 64 KiB). Loading used to hold the protobuf's copy of every weight next to the decoded one, a Constant's value
 * next to its folded copy, and every Conv weight next to its packed copy until the end of the load: 3.5 times.
 */
static void weights_heap(const char *enclave, const struct cella_enclave_settings *s)
{
	enum { M = 1024, C = 1024 };
	static const int64_t wd[4] = {M, C, 1, 1}, xd[4] = {1, C, 1, 1}, yd[4] = {1, M, 1, 1};
	struct cella_enclave *e = NULL;
	struct cella_heap_stats before, after;
	Onnx__ModelProto mp;
	Onnx__OperatorSetIdProto os, *osp[1];
	Onnx__GraphProto g;
	Onnx__TensorProto w1, w2, *inits[1] = {&w1};
	Onnx__AttributeProto value, *attrs[1] = {&value};
	Onnx__NodeProto nodes[4], *np[4];
	Onnx__ValueInfoProto vi[2], *vin[1] = {&vi[0]}, *vout[1] = {&vi[1]};
	Onnx__TypeProto tp[2];
	Onnx__TypeProto__Tensor tt[2];
	Onnx__TensorShapeProto sh[2];
	Onnx__TensorShapeProto__Dimension dims[2][CELLA_ONNX_MAX_RANK], *dimp[2][CELLA_ONNX_MAX_RANK];
	static const char *ins[4][2] = {{NULL, NULL}, {"x", "w1"}, {"x", "w2"}, {"a", "b"}};
	static const char *outs[4] = {"w2", "a", "b", "y"}, *ops[4] = {"Constant", "Conv", "Conv", "Add"};
	char *inp[4][2];
	char *outp[4];
	float *wa = malloc((size_t)M * C * sizeof(float)), *wb = malloc((size_t)M * C * sizeof(float)), x[C];
	uint8_t *model, *xin;
	size_t mlen, xlen, w = 0;

	CT_ASSERT(wa && wb);
	for (size_t i = 0; i < (size_t)M * C; i++) {
		wa[i] = (float)((i * 7) % 13) / 16.0f - 0.375f;
		wb[i] = (float)((i * 5) % 11) / 32.0f - 0.125f;
	}
	for (int i = 0; i < C; i++)
		x[i] = (float)(i % 9) / 8.0f;
	onnx__graph_proto__init(&g);
	tk_model(&mp, &os, osp, 8, 13, &g);
	for (int k = 0; k < 2; k++) {
		const struct tk_vi v = {&vi[k], &tp[k], &tt[k], &sh[k], dims[k], dimp[k]};
		tk_value_info(&v, k ? "y" : "x", CELLA_ONNX_FLOAT, 1, 4, k ? yd : xd);
	}
	g.n_input = 1;
	g.input = vin;
	g.n_output = 1;
	g.output = vout;
	for (int k = 0; k < 2; k++) {
		Onnx__TensorProto *t = k ? &w2 : &w1;
		onnx__tensor_proto__init(t);
		t->name = k ? NULL : "w1";
		t->has_data_type = 1;
		t->data_type = CELLA_ONNX_FLOAT;
		t->n_dims = 4;
		t->dims = (int64_t *)wd;
		t->has_raw_data = 1;
		t->raw_data.data = (uint8_t *)(k ? wb : wa);
		t->raw_data.len = (size_t)M * C * sizeof(float);
	}
	g.n_initializer = 1;
	g.initializer = inits;
	tk_attr(&value, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR)->t = &w2;
	for (int k = 0; k < 4; k++) {
		onnx__node_proto__init(&nodes[k]);
		np[k] = &nodes[k];
		nodes[k].op_type = (char *)ops[k];
		inp[k][0] = (char *)ins[k][0];
		inp[k][1] = (char *)ins[k][1];
		outp[k] = (char *)outs[k];
		nodes[k].n_input = k ? 2 : 0;
		nodes[k].input = inp[k];
		nodes[k].n_output = 1;
		nodes[k].output = &outp[k];
	}
	nodes[0].n_attribute = 1;
	nodes[0].attribute = attrs;
	g.n_node = 4;
	g.node = np;
	mlen = onnx__model_proto__get_packed_size(&mp);
	model = malloc(mlen);
	CT_ASSERT(model);
	onnx__model_proto__pack(&mp, model);
	xin = pack_tensor(xd, x, C, &xlen);

	CT_RESULT(cella_enclave_create(enclave, CELLA_ENCLAVE_FLAG_DEBUG, s, &e), CELLA_OK);
	/* the runtime's cella_heap_stats_ecall: a buffer short of the struct is refused, and nothing written */
	CT_RESULT(cella_enclave_call(e, 1, NULL, 0, &before, sizeof(before) - 1, &w), CELLA_ERR_BUFFER_TOO_SMALL);
	CT_EQ(w, 0);
	CT_RESULT(cella_enclave_call(e, 1, NULL, 0, &before, sizeof(before), &w), CELLA_OK);
	CT_EQ(w, sizeof(before));
	/* HEAP_PAGES 16384 (tests/cmake/onnx_enclave.cmake), less the allocator's bitmap page */
	CT_EQ(before.heap_bytes, (16384u - 1u) * 4096u);
	CT_ASSERT(before.used_bytes > 0 && before.peak_used_bytes >= before.used_bytes && before.failed_maps == 0);
	compare(e, "Conv weights of 2 x 4 MiB", model, mlen, &xin, &xlen, 1, 64 << 10);
	CT_RESULT(cella_enclave_call(e, 1, NULL, 0, &after, sizeof(after), &w), CELLA_OK);
	CT_EQ(w, sizeof(after));
	printf("model %zu bytes: enclave heap peak %.2f MiB above the %.2f MiB used before (%.2f times the model)\n",
	       mlen, (double)(after.peak_used_bytes - before.used_bytes) / 1048576.0, (double)before.used_bytes / 1048576.0,
	       (double)(after.peak_used_bytes - before.used_bytes) / (double)mlen);
	CT_ASSERT(after.peak_used_bytes - before.used_bytes <= mlen * 11 / 4);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	free(model);
	free(xin);
	free(wa);
	free(wb);
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
	weights_heap(argv[1], &s);
	cella_test_pass("ONNX models inside the enclave match the host build bit for bit; loading takes at most 2.75x a model in heap");
	return 0;
}
