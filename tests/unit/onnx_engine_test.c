// SPDX-License-Identifier: MIT
/* ONNX engine: loading, running, shape handling and every load/run error path, on models built in the test. */
#include <cella/onnx.h>

#include "cella_test.h"
#include "onnx.pb-c.h"
#include "onnx_testkit.h"
#include "onnx_value.pb-c.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tiny model builder over the protobuf-c structs ---- */

#define MAXN 16
struct mb {
	Onnx__ModelProto m;
	Onnx__GraphProto g;
	Onnx__OperatorSetIdProto os;
	Onnx__OperatorSetIdProto *osp[1];
	Onnx__NodeProto nodes[MAXN], *np[MAXN];
	Onnx__ValueInfoProto vin[4], vout[4], *vip[4], *vop[4];
	Onnx__TypeProto tin[4], tout[4];
	Onnx__TypeProto__Tensor ttin[4], ttout[4];
	Onnx__TensorShapeProto sin[4];
	Onnx__TensorShapeProto__Dimension dims[4][4], *dimp[4][4];
	Onnx__TensorProto inits[4], *ip[4];
	Onnx__AttributeProto attrs[MAXN][6], *ap[MAXN][6];
	char *nin[MAXN][6], *nout[MAXN][2];
};

static void mb_init(struct mb *b, int64_t ir, int64_t opset)
{
	memset(b, 0, sizeof(*b));
	onnx__graph_proto__init(&b->g);
	tk_model(&b->m, &b->os, b->osp, ir, opset, &b->g);
	b->g.name = "t";
	b->g.node = b->np;
	b->g.input = b->vip;
	b->g.output = b->vop;
	b->g.initializer = b->ip;
}

/* dims: -1 = dynamic */
static void mb_io(struct mb *b, int out, const char *name, int dtype, int rank, const int64_t *dims)
{
	size_t i = out ? b->g.n_output : b->g.n_input;
	struct tk_vi w = {out ? &b->vout[i] : &b->vin[i], out ? &b->tout[i] : &b->tin[i], out ? &b->ttout[i] : &b->ttin[i],
			  &b->sin[i], b->dims[i], b->dimp[i]};
	tk_value_info(&w, name, dtype, !out, rank, dims);
	if (out)
		b->vop[b->g.n_output++] = w.v;
	else
		b->vip[b->g.n_input++] = w.v;
}

static Onnx__NodeProto *mb_node(struct mb *b, const char *op, const char *i0, const char *i1, const char *o0)
{
	size_t k = b->g.n_node++;
	Onnx__NodeProto *n = &b->nodes[k];
	onnx__node_proto__init(n);
	n->op_type = (char *)op;
	n->name = (char *)op;
	b->nin[k][0] = (char *)i0;
	b->nin[k][1] = (char *)i1;
	n->input = b->nin[k];
	n->n_input = i1 ? 2 : 1;
	b->nout[k][0] = (char *)o0;
	n->output = b->nout[k];
	n->n_output = 1;
	n->attribute = b->ap[k];
	b->np[k] = n;
	return n;
}

/* Sets a node's inputs past the two mb_node takes ("" = an omitted optional input); at most 6. */
static void mb_inputs(struct mb *b, Onnx__NodeProto *n, size_t count, const char *const *names)
{
	size_t k = (size_t)(n - b->nodes);
	CT_ASSERT(count <= 6);
	for (size_t i = 0; i < count; i++)
		b->nin[k][i] = (char *)names[i];
	n->n_input = count;
}

static Onnx__AttributeProto *mb_attr(struct mb *b, Onnx__NodeProto *n, const char *name, int type)
{
	size_t k = (size_t)(n - b->nodes);
	Onnx__AttributeProto *a = tk_attr(&b->attrs[k][n->n_attribute], name, type);
	b->ap[k][n->n_attribute++] = a;
	return a;
}

static void mb_attr_i(struct mb *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
	tk_set_i(mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT), v);
}

static void mb_attr_s(struct mb *b, Onnx__NodeProto *n, const char *name, const char *v)
{
	tk_set_s(mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING), v);
}

static void mb_attr_ints(struct mb *b, Onnx__NodeProto *n, const char *name, int64_t *v, size_t count)
{
	tk_set_ints(mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS), v, count);
}

/* An initializer `name` of dtype and dims, with no elements yet. */
static Onnx__TensorProto *mb_init_t(struct mb *b, const char *name, int dtype, int rank, const int64_t *dims)
{
	Onnx__TensorProto *t = &b->inits[b->g.n_initializer];
	onnx__tensor_proto__init(t);
	t->name = (char *)name;
	t->has_data_type = 1;
	t->data_type = dtype;
	t->n_dims = (size_t)rank;
	t->dims = (int64_t *)dims;
	b->ip[b->g.n_initializer++] = t;
	return t;
}

static void mb_init_i64(struct mb *b, const char *name, int rank, const int64_t *dims, const int64_t *vals, size_t n)
{
	Onnx__TensorProto *t = mb_init_t(b, name, CELLA_ONNX_INT64, rank, dims);
	t->n_int64_data = n;
	t->int64_data = (int64_t *)vals;
}

/* A float initializer `name` of dims holding vals (n of them). */
static void mb_init_f32(struct mb *b, const char *name, int rank, const int64_t *dims, const float *vals, size_t n)
{
	Onnx__TensorProto *t = mb_init_t(b, name, CELLA_ONNX_FLOAT, rank, dims);
	t->n_float_data = n;
	t->float_data = (float *)vals;
}

static uint8_t *mb_pack(struct mb *b, size_t *len)
{
	*len = onnx__model_proto__get_packed_size(&b->m);
	uint8_t *buf = malloc(*len + 1);
	CT_ASSERT(buf);
	onnx__model_proto__pack(&b->m, buf);
	return buf;
}

static cella_result load(struct mb *b, struct cella_onnx_model **m)
{
	return tk_load(&b->m, m);
}

/* y = Relu(x + x) with a dynamic leading dim: runs twice with different shapes. */
static void test_run_dynamic(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	int64_t d[2] = { -1, 3 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Add", "x", "x", "s");
	mb_node(&b, "Relu", "s", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_EQ(cella_onnx_model_input_count(m), 1);
	CT_EQ(cella_onnx_model_output_count(m), 1);
	const char *name;
	struct cella_onnx_tensor info;
	CT_RESULT(cella_onnx_model_input_info(m, 0, &name, &info), CELLA_OK);
	CT_ASSERT(!strcmp(name, "x"));
	CT_EQ(info.dims[0], -1);
	CT_EQ(info.dims[1], 3);
	CT_RESULT(cella_onnx_model_input_info(m, 1, &name, &info), CELLA_ERR_NOT_FOUND);
	CT_RESULT(cella_onnx_model_output_info(m, 0, &name, &info), CELLA_OK);
	CT_ASSERT(!strcmp(name, "y"));
	CT_RESULT(cella_onnx_model_output_info(m, 1, &name, &info), CELLA_ERR_NOT_FOUND);
	CT_RESULT(cella_onnx_model_output_info(m, SIZE_MAX, &name, &info), CELLA_ERR_NOT_FOUND);
	for (int64_t rows = 1; rows <= 4; rows += 3) {
		float x[12];
		int64_t xd[2] = { rows, 3 };
		for (int i = 0; i < 12; i++)
			x[i] = (float)i - 5.0f;
		struct cella_onnx_tensor in = ftensor(x, 2, xd), out;
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_EQ(out.rank, 2);
		CT_EQ(out.dims[0], rows);
		for (int i = 0; i < rows * 3; i++)
			CT_ASSERT(((float *)out.data)[i] == (x[i] > 0 ? 2 * x[i] : 0.0f));
	}
	/* wrong count, dtype, fixed dim */
	float x[6] = { 0 };
	int64_t bad[2] = { 2, 4 };
	struct cella_onnx_tensor in = ftensor(x, 2, bad), out;
	/* each refused with a message naming the input and what is wrong (to the log callback, as at load) */
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(strstr(last_log, "input 0 ('x'): dim 1 is 4, declared 3") != NULL);
	CT_RESULT(cella_onnx_model_run(m, &in, 0, &out, 1), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(strstr(last_log, "run with 0 inputs and 1 outputs; the model has 1 and 1") != NULL);
	int64_t ok[2] = { 2, 3 };
	in = ftensor(x, 2, ok);
	in.dtype = CELLA_ONNX_INT32;
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(strstr(last_log, "input 0 ('x'): type int32, declared float") != NULL);
	in = ftensor(x, 2, ok);
	in.bytes = 8;
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(strstr(last_log, "input 0 ('x'): 8 bytes for 6 elements of 4 bytes") != NULL);
	struct cella_onnx_stats st;
	cella_onnx_model_stats(m, &st);
	CT_ASSERT(st.nodes == 2 && st.arena_peak_bytes > 0);
	cella_onnx_model_free(m);
	cella_onnx_model_free(NULL);
	cella_test_pass("run_dynamic");
}

/* RNN sequence_lens: each batch entry's length must lie in [0, seq_length]; inside it the run is exact. */
static void test_rnn_sequence_lens(void)
{
	static const char *const ins[] = {"x", "w", "r", "", "sl"};
	struct mb b;
	struct cella_onnx_model *m = NULL;
	int64_t xd[3] = {2, 1, 1}, wd[3] = {1, 1, 1}, sd[1] = {1}, bad_lens[] = {3, -1, INT64_MAX, INT64_MIN};
	float x[2] = {1.0f, 2.0f}, w[1] = {0.5f}, r[1] = {0.0f};
	Onnx__NodeProto *n;
	mb_init(&b, 8, 14);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 3, xd);
	mb_io(&b, 0, "w", CELLA_ONNX_FLOAT, 3, wd);
	mb_io(&b, 0, "r", CELLA_ONNX_FLOAT, 3, wd);
	mb_io(&b, 0, "sl", CELLA_ONNX_INT64, 1, sd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	n = mb_node(&b, "RNN", "x", "w", "y");
	mb_inputs(&b, n, 5, ins);
	mb_attr_i(&b, n, "hidden_size", 1);
	CT_RESULT(load(&b, &m), CELLA_OK);
	for (int64_t len = 0; len <= 2; len++) {
		struct cella_onnx_tensor in[4] = {ftensor(x, 3, xd), ftensor(w, 3, wd), ftensor(r, 3, wd)}, out;
		memset(&in[3], 0, sizeof(in[3]));
		in[3].dtype = CELLA_ONNX_INT64;
		in[3].rank = 1;
		in[3].dims[0] = 1;
		in[3].data = &len;
		in[3].bytes = 8;
		CT_RESULT(cella_onnx_model_run(m, in, 4, &out, 1), CELLA_OK);
		CT_EQ(out.rank, 4);
		CT_EQ(out.dims[0], 2);
		for (int t = 0; t < 2; t++) { /* h_t = tanh(0.5 x_t) (R = 0); steps past the length are 0 */
			float want = t < len ? tanhf(0.5f * x[t]) : 0.0f, got = ((float *)out.data)[t];
			CT_ASSERT(fabsf(got - want) <= 1e-6f);
		}
	}
	for (size_t i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++) {
		struct cella_onnx_tensor in[4] = {ftensor(x, 3, xd), ftensor(w, 3, wd), ftensor(r, 3, wd)}, out;
		memset(&in[3], 0, sizeof(in[3]));
		in[3].dtype = CELLA_ONNX_INT64;
		in[3].rank = 1;
		in[3].dims[0] = 1;
		in[3].data = &bad_lens[i];
		in[3].bytes = 8;
		CT_RESULT(cella_onnx_model_run(m, in, 4, &out, 1), CELLA_ERR_MODEL_SHAPE);
	}
	cella_onnx_model_free(m);
	cella_test_pass("rnn_sequence_lens");
}

static struct cella_onnx_tensor u32tensor(uint32_t *data, int rank, const int64_t *dims)
{
	struct cella_onnx_tensor t = ftensor((float *)data, rank, dims);
	t.dtype = CELLA_ONNX_UINT32;
	return t;
}

/* z = BitShift(x, y) with x and y as given; returns the load result (and *m when it loads). */
static cella_result bitshift_model(const char *direction, int dtype, int xr, const int64_t *xd, int yr,
				   const int64_t *yd, struct cella_onnx_model **m)
{
	struct mb b;
	Onnx__NodeProto *n;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", dtype, xr, xd);
	mb_io(&b, 0, "y", dtype, yr, yd);
	mb_io(&b, 1, "z", dtype, -1, NULL);
	n = mb_node(&b, "BitShift", "x", "y", "z");
	if (direction)
		mb_attr_s(&b, n, "direction", direction);
	return load(&b, m);
}

/*
 * BitShift broadcasts like every binary operator. The fuzzer found the earlier hand-rolled version reading past
 * an empty input broadcast against a scalar (and giving the scalar's shape); shifts by the width or more give 0.
 */
static void test_bitshift(void)
{
	struct cella_onnx_model *m = NULL;
	const int64_t d23[2] = { 2, 3 }, d3[1] = { 3 }, d32[2] = { 3, 2 }, d0[1] = { 0 };
	uint32_t x[6] = { 1, 2, 3, 0x80000001u, 5, 6 }, y[3] = { 0, 1, 32 }, two = 2, none[1] = { 7 };
	struct cella_onnx_tensor in[2], out;

	CT_RESULT(bitshift_model("LEFT", CELLA_ONNX_UINT32, 2, d23, 1, d3, &m), CELLA_OK);
	in[0] = u32tensor(x, 2, d23);
	in[1] = u32tensor(y, 1, d3);
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
	CT_EQ(out.rank, 2);
	CT_EQ(out.dims[0], 2);
	CT_EQ(out.dims[1], 3);
	{
		const uint32_t want[6] = { 1, 4, 0, 0x80000001u, 10, 0 };
		CT_EQ_MEM(out.data, want, sizeof(want));
	}
	cella_onnx_model_free(m);

	CT_RESULT(bitshift_model("RIGHT", CELLA_ONNX_UINT32, 2, d23, 0, NULL, &m), CELLA_OK);
	in[1] = u32tensor(&two, 0, NULL);
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
	{
		const uint32_t want[6] = { 0, 0, 0, 0x20000000u, 1, 1 };
		CT_EQ(out.rank, 2);
		CT_EQ_MEM(out.data, want, sizeof(want));
	}
	cella_onnx_model_free(m);

	/* an empty x against a scalar y: the result is empty, [0] */
	CT_RESULT(bitshift_model("LEFT", CELLA_ONNX_UINT32, 1, d0, 0, NULL, &m), CELLA_OK);
	in[0] = u32tensor(none, 1, d0);
	in[1] = u32tensor(&two, 0, NULL);
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
	CT_EQ(out.rank, 1);
	CT_EQ(out.dims[0], 0);
	CT_EQ(out.bytes, 0);
	cella_onnx_model_free(m);

	/* shapes that do not broadcast (the same element count): refused at load when the shapes are known... */
	CT_RESULT(bitshift_model("LEFT", CELLA_ONNX_UINT32, 2, d23, 2, d32, &m), CELLA_ERR_MODEL_SHAPE);
	/* ... and at run when they are not */
	{
		const int64_t dyn[2] = { -1, -1 };
		CT_RESULT(bitshift_model("LEFT", CELLA_ONNX_UINT32, 2, dyn, 2, dyn, &m), CELLA_OK);
		in[0] = u32tensor(x, 2, d23);
		in[1] = u32tensor(x, 2, d32);
		CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_ERR_MODEL_SHAPE);
		cella_onnx_model_free(m);
	}
	/* a direction other than LEFT or RIGHT, none at all, a signed type */
	CT_RESULT(bitshift_model("UP", CELLA_ONNX_UINT32, 2, d23, 1, d3, &m), CELLA_ERR_MODEL);
	CT_RESULT(bitshift_model(NULL, CELLA_ONNX_UINT32, 2, d23, 1, d3, &m), CELLA_ERR_MODEL);
	CT_RESULT(bitshift_model("LEFT", CELLA_ONNX_INT32, 2, d23, 1, d3, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	cella_test_pass("bitshift: broadcasting, empty inputs, shifts past the width, refusals");
}

static void test_unsupported(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	int64_t d[1] = { 2 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Relu", "x", NULL, "r");
	mb_node(&b, "FrobnicateTensor", "r", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "FrobnicateTensor") != NULL);
	/* an operator newer than the model's opset */
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Mish", "x", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "Mish") != NULL);
	/* opset 21 with IR 10 (what ONNX 1.16 writes) loads and runs; opset 22 and IR 11 are out of range */
	mb_init(&b, 10, 21);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Relu", "x", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_OK);
	{
		static const float xv[2] = { -1.5f, 2.5f };
		struct cella_onnx_tensor in = { .dtype = CELLA_ONNX_FLOAT, .rank = 1, .dims = { 2 },
						.data = (void *)xv, .bytes = sizeof(xv) }, out;
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.bytes == 8 && ((const float *)out.data)[0] == 0.0f && ((const float *)out.data)[1] == 2.5f);
		cella_onnx_model_free(m);
	}
	b.os.version = 22;
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "opset 22 (supported 1..21)") != NULL);
	b.os.version = 13;
	b.m.ir_version = 11;
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "IR version 11") != NULL);
	b.m.ir_version = 2;
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	/* foreign domain */
	b.m.ir_version = 8;
	b.nodes[0].domain = "com.example";
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	/* a string input to an operator of numbers, refused at load by name (Identity takes it: onnx_ops_test) */
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_STRING, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_STRING, -1, NULL);
	mb_node(&b, "Relu", "x", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "input 0 ('x') is a string tensor; Relu takes numbers") != NULL);
	/* the types of opsets 19 to 21 the engine does not have (float8 in 4 kinds, uint4, int4) stay refused, named */
	{
		static const char *const names[6] = { "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz",
						       "uint4", "int4" };
		for (int t = 17; t <= 22; t++) {
			char want[64];
			mb_init(&b, 10, 21);
			mb_io(&b, 0, "x", t, 1, d);
			mb_io(&b, 1, "y", t, -1, NULL);
			mb_node(&b, "Identity", "x", NULL, "y");
			CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
			snprintf(want, sizeof(want), "unsupported element type %s of 'x'", names[t - 17]);
			if (!strstr(last_log, want))
				cella_test_fail(__FILE__, __LINE__, "type %d logged '%s'", t, last_log);
		}
	}
	cella_test_pass("unsupported");
}

static void test_graph_errors(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	int64_t d[1] = { 2 };
	/* a cycle: a = Relu(b), b = Relu(a) */
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Relu", "b", NULL, "a");
	mb_node(&b, "Relu", "a", NULL, "b");
	mb_node(&b, "Add", "x", "b", "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "cycle") != NULL);
	/* self loop */
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Add", "x", "y", "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	/* undefined input, twice-defined value, missing graph output */
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Relu", "nowhere", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "nowhere") != NULL);
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Relu", "x", NULL, "y");
	mb_node(&b, "Relu", "x", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 1, "zz", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Relu", "x", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	cella_test_pass("graph_errors");
}

static void test_shapes(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	/* statically inconsistent: Add of [2,3] and [4] */
	int64_t d1[2] = { 2, 3 }, d2[1] = { 4 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d1);
	mb_io(&b, 0, "z", CELLA_ONNX_FLOAT, 1, d2);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Add", "x", "z", "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_SHAPE);
	/* the same graph with dynamic dims loads, then fails at run time with the same code */
	int64_t dd1[2] = { -1, -1 }, dd2[1] = { -1 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, dd1);
	mb_io(&b, 0, "z", CELLA_ONNX_FLOAT, 1, dd2);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "Add", "x", "z", "y");
	CT_RESULT(load(&b, &m), CELLA_OK);
	float xa[6] = { 0 }, za[4] = { 0 };
	struct cella_onnx_tensor in[2] = { ftensor(xa, 2, d1), ftensor(za, 1, d2) }, out;
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_ERR_MODEL_SHAPE);
	/* still usable after a failed run */
	int64_t d3[1] = { 3 };
	in[1] = ftensor(za, 1, d3);
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
	cella_onnx_model_free(m);
	/* Reshape to an impossible shape: caught at load by the constant shape input */
	int64_t sd[1] = { 2 }, sv[2] = { 4, 4 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d1);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "shape", 1, sd, sv, 2);
	mb_node(&b, "Reshape", "x", "shape", "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_SHAPE);
	/* huge dimensions in ConstantOfShape: refused, no allocation attempt */
	int64_t hv[2] = { (int64_t)1 << 40, (int64_t)1 << 40 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d1);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "shape", 1, sd, hv, 2);
	mb_node(&b, "ConstantOfShape", "shape", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_TOO_LARGE);
	/* initializer whose data does not match its dims */
	int64_t wd[1] = { 3 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d1);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "shape", 1, wd, sv, 2);
	mb_node(&b, "Reshape", "x", "shape", "y");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	/* ConvTranspose whose output_shape is shorter than its spatial rank (found by fuzz_model_load):
	 * refused, not read before the attribute's start; the well-formed attribute loads */
	int64_t xd[4] = { 1, 1, 3, 3 }, wdims[4] = { 1, 2, 3, 3 }, os1[1] = { 7 }, os2[2] = { 10, 8 };
	int64_t os5[5] = { 1, 2, 1, 10, 8 };
	for (int t = 0; t < 3; t++) {
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
		mb_io(&b, 0, "w", CELLA_ONNX_FLOAT, 4, wdims);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		Onnx__NodeProto *ct = mb_node(&b, "ConvTranspose", "x", "w", "y");
		mb_attr_ints(&b, ct, "output_shape", t == 0 ? os1 : t == 1 ? os5 : os2, t == 0 ? 1 : t == 1 ? 5 : 2);
		m = NULL;
		CT_RESULT(load(&b, &m), t < 2 ? CELLA_ERR_MODEL_SHAPE : CELLA_OK);
		cella_onnx_model_free(m);
	}
	cella_test_pass("shapes");
}

static void test_gather_range(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	int64_t d[1] = { 3 }, idd[1] = { 2 };
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
	mb_io(&b, 0, "i", CELLA_ONNX_INT64, 1, idd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	Onnx__NodeProto *n = mb_node(&b, "Gather", "x", "i", "y");
	mb_attr_i(&b, n, "axis", 0);
	CT_RESULT(load(&b, &m), CELLA_OK);
	float x[3] = { 1, 2, 3 };
	int64_t idx[2] = { -1, 0 };
	struct cella_onnx_tensor in[2] = { ftensor(x, 1, d), ftensor(NULL, 1, idd) }, out;
	in[1].dtype = CELLA_ONNX_INT64;
	in[1].data = idx;
	in[1].bytes = sizeof(idx);
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
	CT_ASSERT(((float *)out.data)[0] == 3 && ((float *)out.data)[1] == 1);
	idx[0] = 3;
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_ERR_MODEL);
	/* the run's message names the node and the index (it was kept where no caller could read it) */
	CT_ASSERT(strstr(last_log, "node 'Gather' (Gather): model is malformed: index 3 (element 0 of the indices) is "
				   "out of range for axis 0 of size 3") != NULL);
	idx[0] = 0;
	idx[1] = -4;
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "index -4 (element 1 of the indices)") != NULL);
	cella_onnx_model_free(m);
	cella_test_pass("gather_range");
}

/* Resize to `sizes` (nearest, defaults: half_pixel, round_prefer_floor) of x with the given dims; runs it. */
static cella_result resize_run(int rank, const int64_t *xd, const int64_t *sizes, const char *mode, float *x,
			       struct cella_onnx_tensor *out, struct cella_onnx_model **m)
{
	struct mb b;
	static const char *const ins[4] = {"x", "", "", "sizes"};
	int64_t sd[1] = {rank};
	cella_result r;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, rank, xd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "sizes", 1, sd, sizes, (size_t)rank);
	Onnx__NodeProto *n = mb_node(&b, "Resize", "x", NULL, "y");
	mb_inputs(&b, n, 4, ins);
	mb_attr_s(&b, n, "mode", mode);
	if ((r = load(&b, m)) != CELLA_OK)
		return r;
	struct cella_onnx_tensor in = ftensor(x, rank, xd);
	return cella_onnx_model_run(*m, &in, 1, out, 1);
}

/* Resize over outer dims (batch): nearest kept the input's planes whatever the output's count was, writing past
 * a smaller output or leaving a larger one unwritten; an empty dim resized to a non-empty one read index -1. */
static void test_resize_outer(void)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	float x[4 * 16], one[4] = {1, 2, 3, 4};
	int64_t xd[4] = {4, 1, 4, 4}, shrink[4] = {1, 1, 4, 4}, gd[4] = {1, 1, 2, 2}, grow[4] = {4, 1, 2, 2};
	for (int i = 0; i < 64; i++)
		x[i] = (float)(i + 1);
	CT_RESULT(resize_run(4, xd, shrink, "nearest", x, &out, &m), CELLA_OK);
	CT_ASSERT(out.rank == 4 && out.dims[0] == 1 && out.dims[2] == 4 && out.dims[3] == 4);
	/* output batch 0 at half_pixel: (0 + 0.5) / 0.25 - 0.5 = 1.5, rounded down: input batch 1 */
	CT_ASSERT(memcmp(out.data, x + 16, 16 * sizeof(float)) == 0);
	cella_onnx_model_free(m);
	CT_RESULT(resize_run(4, gd, grow, "nearest", one, &out, &m), CELLA_OK);
	CT_ASSERT(out.dims[0] == 4);
	for (int p = 0; p < 4; p++) /* every output batch reads input batch 0 */
		CT_ASSERT(memcmp((const float *)out.data + 4 * p, one, sizeof(one)) == 0);
	cella_onnx_model_free(m);
	m = NULL;
	{
		int64_t ed[1] = {0}, es[1] = {8};
		cella_result r = resize_run(1, ed, es, "linear", one, &out, &m);
		CT_ASSERT(r == CELLA_ERR_MODEL_SHAPE || r == CELLA_ERR_MODEL);
		cella_onnx_model_free(m);
		m = NULL;
	}
	{
		/* an axis named twice in axes (opset 18): refused at load */
		struct mb b;
		static const char *const ins[4] = {"x", "", "", "sizes"};
		static const int64_t two[1] = {2}, sz[2] = {8, 8}, dup[2] = {1, -1}, d2[2] = {4, 4};
		mb_init(&b, 8, 18);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d2);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		mb_init_i64(&b, "sizes", 1, two, sz, 2);
		Onnx__NodeProto *n = mb_node(&b, "Resize", "x", NULL, "y");
		mb_inputs(&b, n, 4, ins);
		mb_attr_ints(&b, n, "axes", (int64_t *)dup, 2);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_SHAPE);
	}
	cella_test_pass("resize over outer dims: nearest batch 4 -> 1 and 1 -> 4; an empty dim cannot grow; an axis "
			"named twice is refused");
}

/* A Reduce whose output nobody reads (output name ""): it still runs, into a stand-in sized from its real dims
 * (the stand-in had no dims, so the accumulator was sized for 0 outputs and written for 1024: heap overflow). */
static void test_absent_output(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in, out;
	int64_t xd[2] = {1024, 2}, axes[1] = {1};
	static float x[2048];
	for (int i = 0; i < 2048; i++)
		x[i] = (float)(i % 7);
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, xd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	Onnx__NodeProto *r = mb_node(&b, "ReduceLogSumExp", "x", NULL, "");
	mb_attr_ints(&b, r, "axes", axes, 1);
	mb_node(&b, "Identity", "x", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_OK);
	in = ftensor(x, 2, xd);
	for (int k = 0; k < 2; k++) { /* twice: the stand-in's buffer is reused */
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.dims[0] == 1024 && memcmp(out.data, x, sizeof(x)) == 0);
	}
	cella_onnx_model_free(m);
	cella_test_pass("absent optional output: computed into its own buffer of its real size");
}

/* Attributes at the ends of int64: Slice steps of INT64_MAX and INT64_MIN take one element, EyeLike with
 * k = INT64_MAX is all zeros (the arithmetic on them overflowed, undefined behaviour). */
static void test_int64_extremes(void)
{
	static const int64_t one[1] = {1}, d5[1] = {5}, d33[2] = {3, 3};
	static const int64_t starts[1] = {0}, ends_up[1] = {INT64_MAX}, ends_down[1] = {INT64_MIN},
			     starts_down[1] = {-1}, axes[1] = {0}, up[1] = {INT64_MAX}, down[1] = {INT64_MIN};
	float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in, out;
	for (int dir = 0; dir < 2; dir++) {
		struct mb b;
		static const char *const ins[5] = {"x", "starts", "ends", "axes", "steps"};
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d5);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		mb_init_i64(&b, "starts", 1, one, dir ? starts_down : starts, 1);
		mb_init_i64(&b, "ends", 1, one, dir ? ends_down : ends_up, 1);
		mb_init_i64(&b, "axes", 1, one, axes, 1);
		mb_init_i64(&b, "steps", 1, one, dir ? down : up, 1);
		Onnx__NodeProto *n = mb_node(&b, "Slice", "x", NULL, "y");
		mb_inputs(&b, n, 5, ins);
		CT_RESULT(load(&b, &m), CELLA_OK);
		in = ftensor(x, 1, d5);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.dims[0] == 1 && ((float *)out.data)[0] == (dir ? 5.0f : 1.0f));
		cella_onnx_model_free(m);
	}
	{
		struct mb b;
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d33);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		Onnx__NodeProto *n = mb_node(&b, "EyeLike", "x", NULL, "y");
		mb_attr_i(&b, n, "k", INT64_MAX);
		CT_RESULT(load(&b, &m), CELLA_OK);
		in = ftensor(x, 2, d33);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		for (int i = 0; i < 9; i++)
			CT_ASSERT(((float *)out.data)[i] == 0.0f);
		cella_onnx_model_free(m);
	}
	/* EyeLike to each integer type: the ones on the diagonal are written (uint16/int16/uint32/uint64 were not) */
	{
		static const int types[] = {CELLA_ONNX_INT16, CELLA_ONNX_UINT16, CELLA_ONNX_UINT32, CELLA_ONNX_UINT64};
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			struct mb b;
			mb_init(&b, 8, 13);
			mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d33);
			mb_io(&b, 1, "y", types[t], -1, NULL);
			Onnx__NodeProto *n = mb_node(&b, "EyeLike", "x", NULL, "y");
			mb_attr_i(&b, n, "dtype", types[t]);
			CT_RESULT(load(&b, &m), CELLA_OK);
			in = ftensor(x, 2, d33);
			CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
			CT_EQ(out.dtype, types[t]);
			for (int i = 0; i < 3; i++)
				for (int j = 0; j < 3; j++) {
					size_t k = (size_t)(i * 3 + j), es = out.bytes / 9;
					uint64_t v = 0;
					memcpy(&v, (const uint8_t *)out.data + k * es, es);
					if (v != (uint64_t)(i == j))
						cella_test_fail(__FILE__, __LINE__, "type %d: element %zu is %llu", types[t], k,
								(unsigned long long)v);
				}
			cella_onnx_model_free(m);
		}
	}
	cella_test_pass("Slice steps and EyeLike k at the ends of int64; EyeLike of every integer type");
}

/* A kernel's working memory is bounded as tensors are: a 2-D Conv whose im2col buffer (2.4 MB) is over a 1 MiB
 * max_tensor_bytes, with every tensor under it, is CELLA_ERR_TOO_LARGE (it was allocated without a bound). */
static void test_scratch_bound(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_options o = { .log = logcb, .max_tensor_bytes = 1u << 20 };
	struct cella_onnx_tensor in, out;
	static const int64_t xd[4] = {1, 1, 64, 64}, wd[4] = {1, 1, 16, 16};
	static float x[64 * 64], w[256];
	Onnx__TensorProto *t;
	size_t len;
	uint8_t *buf;
	for (int i = 0; i < 256; i++)
		w[i] = 1.0f / 256;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	t = &b.inits[b.g.n_initializer];
	onnx__tensor_proto__init(t);
	t->name = "w";
	t->has_data_type = 1;
	t->data_type = CELLA_ONNX_FLOAT;
	t->n_dims = 4;
	t->dims = (int64_t *)wd;
	t->n_float_data = 256;
	t->float_data = w;
	b.ip[b.g.n_initializer++] = t;
	mb_node(&b, "Conv", "x", "w", "y");
	buf = mb_pack(&b, &len);
	CT_RESULT(cella_onnx_model_new(buf, len, &o, &m), CELLA_OK);
	free(buf);
	in = ftensor(x, 4, xd);
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_TOO_LARGE);
	cella_onnx_model_free(m);
	o.max_tensor_bytes = 0; /* the default, 1 GiB: it runs */
	buf = mb_pack(&b, &len);
	CT_RESULT(cella_onnx_model_new(buf, len, &o, &m), CELLA_OK);
	free(buf);
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
	CT_ASSERT(out.dims[2] == 49 && out.dims[3] == 49);
	cella_onnx_model_free(m);
	cella_test_pass("kernel scratch memory bounded by max_tensor_bytes");
}

/* Folding at load is bounded in total: three 512 KiB ConstantOfShape under a 1 MiB max_tensor_bytes fold two,
 * the third and the Sum over them run (all were folded, whatever their total). */
static void test_fold_budget(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_options o = { .log = logcb, .max_tensor_bytes = 1u << 20 };
	struct cella_onnx_stats st;
	struct cella_onnx_tensor out;
	static const int64_t one[1] = {1}, n[1] = {131072};
	static const char *const ins[3] = {"c1", "c2", "c3"};
	size_t len;
	uint8_t *buf;
	mb_init(&b, 8, 13);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "shape", 1, one, n, 1);
	mb_node(&b, "ConstantOfShape", "shape", NULL, "c1");
	mb_node(&b, "ConstantOfShape", "shape", NULL, "c2");
	mb_node(&b, "ConstantOfShape", "shape", NULL, "c3");
	mb_inputs(&b, mb_node(&b, "Sum", "c1", "c2", "y"), 3, ins);
	buf = mb_pack(&b, &len);
	CT_RESULT(cella_onnx_model_new(buf, len, &o, &m), CELLA_OK);
	free(buf);
	cella_onnx_model_stats(m, &st);
	CT_EQ(st.nodes, 2); /* the third ConstantOfShape and the Sum */
	CT_ASSERT(st.weight_bytes <= (1u << 20) + 8); /* two folded outputs and the shape initializer */
	CT_RESULT(cella_onnx_model_run(m, NULL, 0, &out, 1), CELLA_OK);
	CT_ASSERT(out.rank == 1 && out.dims[0] == 131072 && ((float *)out.data)[131071] == 0.0f);
	cella_onnx_model_free(m);
	cella_test_pass("constant folding at load bounded in total by max_tensor_bytes");
}

/* An int64 tensor over `data`. */
static struct cella_onnx_tensor i64tensor(int64_t *data, int rank, const int64_t *dims)
{
	struct cella_onnx_tensor t = ftensor((float *)data, rank, dims);
	t.dtype = CELLA_ONNX_INT64;
	t.bytes *= 2;
	return t;
}

/* max_tensor_bytes near 2^64 is taken as CELLA_ONNX_MAX_TENSOR_BYTES: a ConstantOfShape of 2^62 - 1 floats
 * (2^64 - 4 bytes) was allowed, its buffer rounded up to 64 bytes wrapped to a 64-byte allocation, and the kernel
 * wrote past it; one float over the cap is refused as well, not attempted. */
static void test_max_tensor_clamp(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_options o = { .log = logcb, .max_tensor_bytes = UINT64_MAX };
	struct cella_onnx_tensor in, out;
	static const int64_t one[1] = {1};
	int64_t want[3] = {((int64_t)1 << 62) - 1, (int64_t)(CELLA_ONNX_MAX_TENSOR_BYTES / 4) + 1, 3};
	size_t len;
	uint8_t *buf;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "shape", CELLA_ONNX_INT64, 1, one);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "ConstantOfShape", "shape", NULL, "y");
	buf = mb_pack(&b, &len);
	CT_RESULT(cella_onnx_model_new(buf, len, &o, &m), CELLA_OK);
	free(buf);
	for (int i = 0; i < 3; i++) {
		in = i64tensor(&want[i], 1, one);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), i < 2 ? CELLA_ERR_TOO_LARGE : CELLA_OK);
	}
	CT_ASSERT(out.dims[0] == 3 && out.bytes == 12 && ((float *)out.data)[2] == 0.0f);
	cella_onnx_model_free(m);
	cella_test_pass("max_tensor_bytes above CELLA_ONNX_MAX_TENSOR_BYTES is clamped to it");
}

/*
 * A tensor with a zero dim has no elements, but kernels loop over its other dims (Softmax over [2^20, 0, 2^40]
 * axis 1 ran 2^60 empty rows: the load or the run never ended), and their products overflowed int64_t (Flatten of
 * [0, 2^40, 2^40]). Every size check stopped at the first 0. Now the dims with each 0 taken as 1 are bounded like
 * a full tensor's: initializers (2^40 bytes decoded, max_tensor_bytes when empty), run inputs and op outputs
 * (max_tensor_bytes); declared input dims over it are left to the run.
 */
static void test_empty_dims_bound(void)
{
	static const int64_t huge[3] = {(int64_t)1 << 20, 0, (int64_t)1 << 40}, flat[3] = {0, (int64_t)1 << 40,
											  (int64_t)1 << 40};
	static const int64_t mid[3] = {(int64_t)1 << 20, 0, (int64_t)1 << 20}, fine[3] = {1024, 0, 1024},
			     three[1] = {3}, dyn[3] = {-1, -1, -1};
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in, out;
	float none[1];
	/* initializers: over 2^40 bytes with 0 as 1 (refused when decoded), over max_tensor_bytes (refused as empty) */
	for (int t = 0; t < 4; t++) {
		struct mb b;
		mb_init(&b, 8, 13);
		mb_io(&b, 1, "y", t == 3 ? CELLA_ONNX_INT64 : CELLA_ONNX_FLOAT, -1, NULL);
		mb_init_t(&b, "z", CELLA_ONNX_FLOAT, 3, t == 0 ? huge : t == 1 ? flat : mid);
		Onnx__NodeProto *n = mb_node(&b, t == 1 ? "Flatten" : t == 3 ? "Shape" : "Softmax", "z", NULL, "y");
		if (t != 3)
			mb_attr_i(&b, n, "axis", 1);
		CT_RESULT(load(&b, &m), CELLA_ERR_TOO_LARGE);
		CT_ASSERT(strstr(last_log, "initializer 'z'") != NULL);
	}
	/* run inputs, whatever the declared dims; and an op output (ConstantOfShape) */
	for (int t = 0; t < 2; t++) {
		struct mb b;
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 3, t ? flat : dyn);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		mb_attr_i(&b, mb_node(&b, t ? "Flatten" : "Softmax", "x", NULL, "y"), "axis", 1);
		CT_RESULT(load(&b, &m), CELLA_OK);
		in = ftensor(none, 3, fine);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), t ? CELLA_ERR_INVALID_ARG : CELLA_OK);
		in = ftensor(none, 3, t ? flat : huge);
		in.bytes = 0;
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_TOO_LARGE);
		in = ftensor(none, 3, mid);
		in.bytes = 0;
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), t ? CELLA_ERR_INVALID_ARG : CELLA_ERR_TOO_LARGE);
		cella_onnx_model_free(m);
	}
	{
		struct mb b;
		int64_t shape[3];
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "s", CELLA_ONNX_INT64, 1, three);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		mb_node(&b, "ConstantOfShape", "s", NULL, "y");
		CT_RESULT(load(&b, &m), CELLA_OK);
		memcpy(shape, mid, sizeof(shape));
		in = i64tensor(shape, 1, three);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_TOO_LARGE);
		memcpy(shape, fine, sizeof(shape));
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.rank == 3 && out.dims[0] == 1024 && out.dims[1] == 0 && out.bytes == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("an empty tensor's other dims are bounded like a full tensor's");
}

/*
 * Pow(x float [2,4], Cast(e) int64 [4]): the output (32 bytes) took over the dying exponent's buffer (32 bytes as
 * well), and the broadcast exponent was read again after its first row was overwritten: 2^(2^...) = inf. Only an
 * input of the output's type and shape is reused now (a Reshape, a byte copy, still reuses one of any shape).
 */
static void test_inplace_types(void)
{
	static const int64_t xd[2] = {2, 4}, ed[1] = {4}, sd[1] = {2}, sv[2] = {4, 2};
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in[2], out;
	float x[8] = {2, 2, 2, 2, 2, 2, 2, 2}, e[4] = {1, 2, 3, 4};
	const float want[8] = {2, 4, 8, 16, 2, 4, 8, 16};
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, xd);
	mb_io(&b, 0, "e", CELLA_ONNX_FLOAT, 1, ed);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "shape", 1, sd, sv, 2);
	mb_attr_i(&b, mb_node(&b, "Cast", "e", NULL, "e64"), "to", CELLA_ONNX_INT64);
	mb_node(&b, "Pow", "x", "e64", "p");
	mb_node(&b, "Reshape", "p", "shape", "y");
	CT_RESULT(load(&b, &m), CELLA_OK);
	in[0] = ftensor(x, 2, xd);
	in[1] = ftensor(e, 1, ed);
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
	CT_ASSERT(out.rank == 2 && out.dims[0] == 4 && out.dims[1] == 2);
	CT_EQ_MEM(out.data, want, sizeof(want));
	cella_onnx_model_free(m);
	cella_test_pass("an input buffer is reused in place only by an output of its type and shape");
}

/*
 * Relu -> Flatten -> Relu -> Unsqueeze -> Relu -> Squeeze -> Cast int32 -> Cast float -> Relu over [1, 64, 128, 128]
 * floats (4 MiB): each node takes over its dying input's buffer, so the run holds one 4 MiB buffer. Flatten, Squeeze
 * and Unsqueeze (byte copies, like Reshape) and Cast between types of one size (element k converted where it lies)
 * had lost that reuse when it was narrowed to inputs of the output's type and shape: 8 MiB.
 */
static void test_inplace_reshapes_casts(void)
{
	static const int64_t xd[4] = {1, 64, 128, 128}, one[1] = {1}, zero[1] = {0};
	const size_t count = 64 * 128 * 128;
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_stats st;
	float *x = malloc(count * sizeof(float));
	CT_ASSERT(x != NULL);
	for (size_t i = 0; i < count; i++)
		x[i] = (float)(int)(i % 7) - 3.0f;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "axes", 1, one, zero, 1);
	mb_node(&b, "Relu", "x", NULL, "r0");
	mb_node(&b, "Flatten", "r0", NULL, "f");
	mb_node(&b, "Relu", "f", NULL, "r1");
	mb_node(&b, "Unsqueeze", "r1", "axes", "u");
	mb_node(&b, "Relu", "u", NULL, "r2");
	mb_node(&b, "Squeeze", "r2", "axes", "s");
	mb_attr_i(&b, mb_node(&b, "Cast", "s", NULL, "i"), "to", CELLA_ONNX_INT32);
	mb_attr_i(&b, mb_node(&b, "Cast", "i", NULL, "c"), "to", CELLA_ONNX_FLOAT);
	mb_node(&b, "Relu", "c", NULL, "y");
	CT_RESULT(load(&b, &m), CELLA_OK);
	struct cella_onnx_tensor in = ftensor(x, 4, xd), out;
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
	CT_ASSERT(out.rank == 2 && out.dims[0] == 1 && out.dims[1] == (int64_t)count);
	for (size_t i = 0; i < count; i++)
		if (((const float *)out.data)[i] != (x[i] > 0 ? x[i] : 0.0f))
			cella_test_fail(__FILE__, __LINE__, "element %zu: %g", i, (double)((const float *)out.data)[i]);
	cella_onnx_model_stats(m, &st);
	if (st.arena_peak_bytes != count * sizeof(float))
		cella_test_fail(__FILE__, __LINE__, "arena peak %llu bytes, want %zu", (unsigned long long)st.arena_peak_bytes,
				count * sizeof(float));
	cella_onnx_model_free(m);
	free(x);
	cella_test_pass("Flatten, Squeeze, Unsqueeze and Cast between types of one size run in their input's buffer");
}

/*
 * Load failures that returned CELLA_ERR_MODEL without a word: an initializer or graph output without a name, a
 * TENSOR attribute without its tensor, a node with 65 outputs. Each now names what is wrong.
 */
static void test_load_messages(void)
{
	static const int64_t d[1] = {2}, one[1] = {1}, v[1] = {0};
	static char *outs[65];
	static char names[65][8];
	struct cella_onnx_model *m = NULL;
	for (int t = 0; t < 4; t++) {
		struct mb b;
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, d);
		mb_io(&b, 1, t == 3 ? "" : "y", CELLA_ONNX_FLOAT, -1, NULL);
		Onnx__NodeProto *n = mb_node(&b, t == 2 ? "Split" : "Abs", "x", NULL, "y");
		if (t == 0)
			mb_init_i64(&b, "", 1, one, v, 1);
		if (t == 1)
			mb_attr(&b, n, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
		if (t == 2) {
			for (int k = 0; k < 65; k++) {
				snprintf(names[k], sizeof(names[k]), "y%d", k);
				outs[k] = names[k];
			}
			outs[0] = "y";
			n->output = outs;
			n->n_output = 65;
		}
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
		const char *want[4] = {"initializer 0 has no name", "attribute 'value' is of type TENSOR but holds no tensor",
				       "node 'Split' (Split): 1 inputs and 65 outputs (at most 4096 and 64)",
				       "graph output 0 has no name"};
		if (!strstr(last_log, want[t]))
			cella_test_fail(__FILE__, __LINE__, "load %d logged \"%s\", not \"%s\"", t, last_log, want[t]);
	}
	cella_test_pass("load failures without a message now name what is wrong");
}

/* A value info for a subgraph output, in storage the caller keeps. */
struct sub_vi {
	Onnx__ValueInfoProto v;
	Onnx__TypeProto t;
	Onnx__TypeProto__Tensor tt;
	Onnx__TensorShapeProto s;
	Onnx__TensorShapeProto__Dimension dims[CELLA_ONNX_MAX_RANK], *dimp[CELLA_ONNX_MAX_RANK];
};

/* An If's two branches of one node each, op[k] reading in[k] (n_in[k] names) into the branch output "b". */
struct if_branches {
	Onnx__GraphProto g[2];
	Onnx__NodeProto n[2], *np[2][1];
	struct sub_vi v[2];
	Onnx__ValueInfoProto *vp[2][1];
};

static void mb_if_branches(struct mb *b, Onnx__NodeProto *ifn, struct if_branches *s, const char *const op[2],
			   char **const in[2], const size_t n_in[2])
{
	static char *bout[1] = {"b"};
	for (int k = 0; k < 2; k++) {
		struct tk_vi w = {&s->v[k].v, &s->v[k].t, &s->v[k].tt, &s->v[k].s, s->v[k].dims, s->v[k].dimp};
		onnx__graph_proto__init(&s->g[k]);
		onnx__node_proto__init(&s->n[k]);
		s->n[k].op_type = s->n[k].name = (char *)op[k];
		s->n[k].input = in[k];
		s->n[k].n_input = n_in[k];
		s->n[k].output = bout;
		s->n[k].n_output = 1;
		s->np[k][0] = &s->n[k];
		tk_value_info(&w, "b", CELLA_ONNX_FLOAT, 0, -1, NULL);
		s->vp[k][0] = &s->v[k].v;
		s->g[k].name = k ? "else" : "then";
		s->g[k].node = s->np[k];
		s->g[k].n_node = 1;
		s->g[k].output = s->vp[k];
		s->g[k].n_output = 1;
		mb_attr(b, ifn, k ? "else_branch" : "then_branch", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH)->g =
			&s->g[k];
	}
}

/*
 * y = If(c) then Gather(x, i) else Identity(x): an index out of range in the branch is reported with the If node,
 * the branch's node and the index, in one message (the If's failure replaced the branch's).
 */
static void test_if_message(void)
{
	static const int64_t xd[1] = {3}, id[1] = {1};
	static char *gin[2] = {"x", "i"}, *iin[1] = {"x"};
	static const char *const ops[2] = {"Gather", "Identity"};
	static char **const ins[2] = {gin, iin};
	static const size_t n_in[2] = {2, 1};
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct if_branches br;
	float x[3] = {1, 2, 3};
	int64_t idx[1] = {7};
	uint8_t c = 1;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "c", CELLA_ONNX_BOOL, 0, NULL);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, xd);
	mb_io(&b, 0, "i", CELLA_ONNX_INT64, 1, id);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_if_branches(&b, mb_node(&b, "If", "c", NULL, "y"), &br, ops, ins, n_in);
	CT_RESULT(load(&b, &m), CELLA_OK);
	struct cella_onnx_tensor in[3], out;
	memset(&in[0], 0, sizeof(in[0]));
	in[0].dtype = CELLA_ONNX_BOOL;
	in[0].data = &c;
	in[0].bytes = 1;
	in[1] = ftensor(x, 1, xd);
	in[2] = i64tensor(idx, 1, id);
	CT_RESULT(cella_onnx_model_run(m, in, 3, &out, 1), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "node 'If' (If): model is malformed: node 'Gather' (Gather): model is malformed: "
				   "index 7 (element 0 of the indices) is out of range for axis 0 of size 3") != NULL);
	idx[0] = 2;
	CT_RESULT(cella_onnx_model_run(m, in, 3, &out, 1), CELLA_OK);
	CT_ASSERT(out.rank == 1 && ((const float *)out.data)[0] == 3.0f);
	cella_onnx_model_free(m);
	cella_test_pass("a failure inside an If branch is reported with both nodes and the detail");
}

/*
 * If(c) whose branches each declare an input 'q' without a type: the untyped input was taken as a known scalar of
 * element type 0, and the load divided max_tensor_bytes by its element size (SIGFPE). It is unknown now, and the
 * branch's input is refused by name.
 */
static void test_untyped_branch_input(void)
{
	static const int64_t xd[1] = {3};
	static char *iin[1] = {"x"};
	static const char *const ops[2] = {"Identity", "Identity"};
	static char **const ins[2] = {iin, iin};
	static const size_t n_in[2] = {1, 1};
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct if_branches br;
	Onnx__ValueInfoProto q, *qp[1] = {&q};
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "c", CELLA_ONNX_BOOL, 0, NULL);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, xd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_if_branches(&b, mb_node(&b, "If", "c", NULL, "y"), &br, ops, ins, n_in);
	onnx__value_info_proto__init(&q);
	q.name = "q"; /* no type at all */
	for (int k = 0; k < 2; k++) {
		br.g[k].input = qp;
		br.g[k].n_input = 1;
	}
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "node 'If' (If): branch 'then_branch' declares inputs") != NULL);
	cella_test_pass("an untyped subgraph input is unknown, not a scalar of no type (no division by its size)");
}

/*
 * A node that declares an output its operator does not produce (Relu with two, BatchNormalization's running mean
 * outside training): the run succeeded with that output undefined, and a consumer (NonZero) was handed a tensor
 * with no data. Refused at load where the shapes are known (or the node folds), else by the run, by name.
 */
static void test_unproduced_outputs(void)
{
	static const int64_t d2[1] = {2}, dyn[1] = {-1}, d112[3] = {1, 1, 2}, dyn3[3] = {-1, -1, -1}, one[1] = {1};
	static const char *const bn_in[5] = {"x", "s", "b", "m", "v"};
	static float pv[4][1] = {{1}, {0}, {0}, {1}};
	struct cella_onnx_model *m = NULL;
	float x[2] = {1, -2};
	for (int t = 0; t < 5; t++) {
		struct mb b;
		Onnx__NodeProto *n;
		size_t k;
		mb_init(&b, 8, 15);
		if (t < 3) { /* Relu(x) -> y, z; NonZero(z): x [2], x [N], a constant x */
			if (t < 2) {
				mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 1, t ? dyn : d2);
			} else {
				Onnx__TensorProto *tp = mb_init_t(&b, "x", CELLA_ONNX_FLOAT, 1, d2);
				tp->n_float_data = 2;
				tp->float_data = x;
			}
			mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
			mb_io(&b, 1, "nz", CELLA_ONNX_INT64, -1, NULL);
			n = mb_node(&b, "Relu", "x", NULL, "y");
			mb_node(&b, "NonZero", "z", NULL, "nz");
		} else { /* BatchNormalization(x, ...) -> y, rm with training_mode 0: x [1,1,2], x [N,C,W] */
			mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 3, t == 3 ? d112 : dyn3);
			mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
			mb_io(&b, 1, "z", CELLA_ONNX_FLOAT, -1, NULL);
			for (int p = 0; p < 4; p++) {
				Onnx__TensorProto *tp = mb_init_t(&b, bn_in[p + 1], CELLA_ONNX_FLOAT, 1, one);
				tp->n_float_data = 1;
				tp->float_data = pv[p];
			}
			n = mb_node(&b, "BatchNormalization", "x", NULL, "y");
			mb_inputs(&b, n, 5, bn_in);
		}
		k = (size_t)(n - b.nodes);
		b.nout[k][1] = "z";
		n->n_output = 2;
		int at_run = t == 1 || t == 4;
		CT_RESULT(load(&b, &m), at_run ? CELLA_OK : CELLA_ERR_MODEL);
		if (at_run) {
			struct cella_onnx_tensor in = ftensor(x, t == 1 ? 1 : 3, t == 1 ? d2 : d112), out[2];
			last_log[0] = '\0';
			CT_RESULT(cella_onnx_model_run(m, &in, 1, out, 2), CELLA_ERR_MODEL);
			cella_onnx_model_free(m);
		}
		const char *want = t == 1 ? "node 'Relu' (Relu): model is malformed: output 1 ('z') is declared, but Relu "
					    "does not produce it"
				   : t == 0 ? "node 'Relu' (Relu) at load: model is malformed: output 1 ('z') is declared"
				   : t == 2 ? "output 1 ('z') is declared, but Relu does not produce it"
					    : "output 1 ('z') is declared, but BatchNormalization does not produce it";
		if (!strstr(last_log, want))
			cella_test_fail(__FILE__, __LINE__, "case %d logged \"%s\"", t, last_log);
	}
	cella_test_pass("an output the operator does not produce is refused, at load or at run, by name");
}

/*
 * The same undeclared second output on a node that a rewrite absorbs into the Conv before it (Relu into its
 * epilogue, Add of a constant into its bias, Div as the root of the HardSwish pattern): absorbed, the node never ran
 * for its outputs to be checked, the run succeeded with that output undefined, and NonZero read a tensor with no
 * data. Such a node is not absorbed now: it runs, and is refused by name.
 */
static void test_fused_unproduced_outputs(void)
{
	static const int64_t xd[4] = {1, 1, -1, -1}, wd[4] = {1, 1, 1, 1}, kd[3] = {1, 1, 1};
	static float one[1] = {1}, five[1] = {5}, three[1] = {3}, six[1] = {6};
	static const char *const ops[3] = {"Relu", "Add", "Div"};
	struct cella_onnx_model *m = NULL;
	float x[4] = {1, -2, 3, -4};
	int64_t rd[4] = {1, 1, 2, 2};
	for (int t = 0; t < 3; t++) {
		struct mb b;
		Onnx__NodeProto *n;
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		mb_io(&b, 1, "nz", CELLA_ONNX_INT64, -1, NULL);
		Onnx__TensorProto *tp = mb_init_t(&b, "w", CELLA_ONNX_FLOAT, 4, wd);
		tp->n_float_data = 1;
		tp->float_data = one;
		tp = mb_init_t(&b, "k", CELLA_ONNX_FLOAT, t == 1 ? 3 : 0, kd);
		tp->n_float_data = 1;
		tp->float_data = t == 1 ? five : six;
		if (t == 2) { /* Div(Mul(c, Clip(Add(c, 3), 0, 6)), 6): HardSwish(c), but for the Div's second output */
			static const char *const clip_in[3] = {"a", "zero", "k"};
			static float zero[1] = {0};
			tp = mb_init_t(&b, "three", CELLA_ONNX_FLOAT, 0, kd);
			tp->n_float_data = 1;
			tp->float_data = three;
			tp = mb_init_t(&b, "zero", CELLA_ONNX_FLOAT, 0, kd);
			tp->n_float_data = 1;
			tp->float_data = zero;
			mb_node(&b, "Conv", "x", "w", "c");
			mb_node(&b, "Add", "c", "three", "a");
			mb_inputs(&b, mb_node(&b, "Clip", "a", NULL, "cl"), 3, clip_in);
			mb_node(&b, "Mul", "c", "cl", "p");
			n = mb_node(&b, "Div", "p", "k", "y");
		} else {
			mb_node(&b, "Conv", "x", "w", "c");
			n = t ? mb_node(&b, "Add", "c", "k", "y") : mb_node(&b, "Relu", "c", NULL, "y");
		}
		mb_node(&b, "NonZero", "z", NULL, "nz");
		b.nout[n - b.nodes][1] = "z";
		n->n_output = 2;
		CT_RESULT(load(&b, &m), CELLA_OK);
		struct cella_onnx_tensor in = ftensor(x, 4, rd), out[2];
		char want[128];
		snprintf(want, sizeof(want), "node '%s' (%s): model is malformed: output 1 ('z') is declared, but %s does not "
			 "produce it", ops[t], ops[t], ops[t]);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, out, 2), CELLA_ERR_MODEL);
		if (!strstr(last_log, want))
			cella_test_fail(__FILE__, __LINE__, "case %d logged \"%s\"", t, last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("a node with an output its operator does not produce is not fused away: refused by name");
}

/* Resize-18 (or z->opset) of x [2-D, xd] by scales (or to sizes when sizes is not NULL) with the given attributes
 * (NULL or -1 = absent), loaded with max_tensor_bytes (0: the default): *m and *out when it loads and runs; the first failure
 * otherwise. */
struct rz {
	const char *mode, *ctm, *keep;
	int64_t antialias, exclude;
	float cubic_a;
	const float *scales;
	const int64_t *sizes;
	int64_t opset; /* 0: 18 */
};

static cella_result resize18_max(const struct rz *z, const int64_t *xd, float *x, uint64_t max_tensor_bytes,
				 struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const char *const in_sc[3] = {"x", "", "scales"}, *const in_sz[4] = {"x", "", "", "sizes"};
	static const int64_t two[1] = {2};
	struct mb b;
	cella_result r;
	mb_init(&b, 8, z->opset ? z->opset : 18);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, xd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	if (z->sizes) {
		mb_init_i64(&b, "sizes", 1, two, z->sizes, 2);
	} else {
		Onnx__TensorProto *t = mb_init_t(&b, "scales", CELLA_ONNX_FLOAT, 1, two);
		t->n_float_data = 2;
		t->float_data = (float *)z->scales;
	}
	Onnx__NodeProto *n = mb_node(&b, "Resize", "x", NULL, "y");
	mb_inputs(&b, n, z->sizes ? 4 : 3, z->sizes ? in_sz : in_sc);
	mb_attr_s(&b, n, "mode", z->mode);
	if (z->antialias >= 0)
		mb_attr_i(&b, n, "antialias", z->antialias);
	if (z->exclude >= 0)
		mb_attr_i(&b, n, "exclude_outside", z->exclude);
	if (z->ctm)
		mb_attr_s(&b, n, "coordinate_transformation_mode", z->ctm);
	if (z->keep)
		mb_attr_s(&b, n, "keep_aspect_ratio_policy", z->keep);
	if (z->cubic_a != 0) {
		Onnx__AttributeProto *a = mb_attr(&b, n, "cubic_coeff_a", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
		a->has_f = 1;
		a->f = z->cubic_a;
	}
	struct cella_onnx_options o = {.log = logcb, .max_tensor_bytes = max_tensor_bytes};
	size_t len;
	uint8_t *buf = mb_pack(&b, &len);
	*m = NULL;
	last_log[0] = '\0';
	r = cella_onnx_model_new(buf, len, &o, m);
	free(buf);
	if (r != CELLA_OK)
		return r;
	struct cella_onnx_tensor in = ftensor(x, 2, xd);
	return cella_onnx_model_run(*m, &in, 1, out, 1);
}

static cella_result resize18(const struct rz *z, const int64_t *xd, float *x, struct cella_onnx_model **m,
			     struct cella_onnx_tensor *out)
{
	return resize18_max(z, xd, x, 0, m, out);
}

/*
 * Resize-18's antialias was ignored: linear and cubic downsampling now stretch the filter by 1/scale as ONNX
 * specifies (the expected values are ONNX's own for the first two, test_resize_downsample_scales_{linear,cubic}_
 * antialias; the others from the reference's formulas: cubic with A = -0.5 and exclude_outside, asymmetric, one
 * axis down and one up). keep_aspect_ratio_policy: its one scale is the coordinates' scale too, an unknown policy is
 * refused (it was taken as not_smaller), an empty axis no longer makes a NaN size; antialias is 0 or 1.
 */
static void test_resize_antialias(void)
{
	static const int64_t d44[2] = {4, 4}, d88[2] = {8, 8}, d48[2] = {4, 8}, d04[2] = {0, 4}, sz33[2] = {3, 3},
			     sz22[2] = {2, 2};
	static const float s06[2] = {0.6f, 0.6f}, s38[2] = {0.375f, 0.375f}, s_asym[2] = {0.25f, 0.5f},
			   s_mixed[2] = {0.5f, 1.5f};
	static const float w_lin[4] = {2.875f, 4.5f, 9.375f, 11.0f},
			   w_cub[4] = {2.5180722891566183f, 4.285886402753867f, 9.589328743545613f, 11.357142857142863f},
			   w_ex[9] = {4.645537658111689f, 4.805111583225628f, 5.680343302016155f, 4.655949543801148f,
				      5.213447227492374f, 5.059489674880449f, 5.094931428174776f, 4.989596992064262f,
				      4.525564183823013f},
			   w_asym[8] = {2.375f, 5.34375f, 5.59375f, 5.84375f, 4.03125f, 5.28125f, 5.1875f, 4.578125f},
			   w_mixed[12] = {3.5f, 4.0f, 4.666666666666667f, 5.333333333333334f, 6.0f, 6.5f, 10.5f, 11.0f,
					  11.666666666666666f, 12.333333333333334f, 13.0f, 13.5f},
			   w_nl[6] = {7.5f, 10.166666666666666f, 12.833333333333334f, 24.833333333333336f, 27.5f,
				      30.166666666666668f},
			   w_ns[18] = {1.5f, 2.833333333333333f, 4.166666666666666f, 5.5f, 6.833333333333334f,
				       8.166666666666666f, 12.166666666666668f, 13.5f, 14.833333333333332f,
				       16.166666666666668f, 17.5f, 18.833333333333336f, 22.833333333333332f,
				       24.166666666666668f, 25.5f, 26.833333333333336f, 28.16666666666667f, 29.5f};
	static const struct {
		struct rz z;
		const int64_t *xd;
		int64_t od[2];
		const float *want;
	} cases[] = {
		{{"linear", NULL, NULL, 1, -1, 0, s06, NULL, 0}, d44, {2, 2}, w_lin},
		{{"cubic", NULL, NULL, 1, -1, 0, s06, NULL, 0}, d44, {2, 2}, w_cub},
		{{"cubic", NULL, NULL, 1, 1, -0.5f, s38, NULL, 0}, d88, {3, 3}, w_ex},
		{{"linear", "asymmetric", NULL, 1, -1, 0, s_asym, NULL, 0}, d88, {2, 4}, w_asym},
		{{"linear", NULL, NULL, 1, -1, 0, s_mixed, NULL, 0}, d44, {2, 6}, w_mixed},
		{{"linear", NULL, "not_larger", -1, -1, 0, NULL, sz33, 0}, d48, {2, 3}, w_nl},
		{{"linear", NULL, "not_smaller", -1, -1, 0, NULL, sz33, 0}, d48, {3, 6}, w_ns},
	};
	float x[64];
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int i = 0; i < 64; i++)
			x[i] = cases[c].xd == d88 ? (float)((i * 7) % 11) : cases[c].xd == d44 ? (float)(i + 1) : (float)i;
		CT_RESULT(resize18(&cases[c].z, cases[c].xd, x, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 2 && out.dims[0] == cases[c].od[0] && out.dims[1] == cases[c].od[1]);
		for (int64_t i = 0; i < out.dims[0] * out.dims[1]; i++) {
			float got = ((const float *)out.data)[i], want = cases[c].want[i];
			if (!(fabsf(got - want) <= 1e-5f * (1 + fabsf(want))))
				cella_test_fail(__FILE__, __LINE__, "case %zu: element %lld is %.7g, not %.7g", c,
						(long long)i, (double)got, (double)want);
		}
		cella_onnx_model_free(m);
	}
	/* an unknown policy and antialias 2 are refused by name; an empty axis keeps its 0 */
	struct rz bad = {"linear", NULL, "bigger", -1, -1, 0, NULL, sz33, 0};
	CT_RESULT(resize18(&bad, d48, x, &m, &out), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "keep_aspect_ratio_policy 'bigger'") != NULL);
	cella_onnx_model_free(m);
	struct rz aa2 = {"linear", NULL, NULL, 2, -1, 0, s06, NULL, 0};
	CT_RESULT(resize18(&aa2, d44, x, &m, &out), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "antialias is 2") != NULL);
	cella_onnx_model_free(m);
	for (int k = 0; k < 2; k++) {
		struct rz empty = {"linear", NULL, k ? "not_smaller" : "not_larger", -1, -1, 0, NULL, sz22, 0};
		CT_RESULT(resize18(&empty, d04, x, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 2 && out.dims[0] == 0 && out.dims[1] == 2 && out.bytes == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Resize-18: antialias (linear, cubic, exclude_outside, asymmetric, mixed), keep_aspect_ratio_policy");
}

/*
 * Resize-19's half_pixel_symmetric: half_pixel plus in/2 * (1 - on / (in * scale)), so the floored output stays
 * centred. Over [1, 2, 3, 4] by 0.6 (on = 2, offset 2 * (1 - 2 / 2.4) = 1/3): sources 2/3 and 7/3, values 5/3 and
 * 10/3 (half_pixel gives 4/3 and 3); over [10, 20] by 1.7 (on = 3, offset 1 - 3 / 3.4 = 2/17): sources -3/34 (the
 * edge), 1/2 and 37/34 (the edge): 10, 15, 20. Before opset 19 the mode, and at any opset an unknown one, is refused.
 */
static void test_resize_half_pixel_symmetric(void)
{
	static const int64_t d14[2] = {1, 4}, d12[2] = {1, 2};
	static const float s06[2] = {1.0f, 0.6f}, s17[2] = {1.0f, 1.7f};
	static const float w06[2] = {5.0f / 3, 10.0f / 3}, w06hp[2] = {4.0f / 3, 3.0f}, w17[3] = {10, 15, 20};
	static const struct {
		struct rz z;
		const int64_t *xd;
		int64_t on;
		const float *want;
	} cases[] = {
		{{"linear", "half_pixel_symmetric", NULL, -1, -1, 0, s06, NULL, 19}, d14, 2, w06},
		{{"linear", "half_pixel", NULL, -1, -1, 0, s06, NULL, 19}, d14, 2, w06hp},
		{{"linear", "half_pixel_symmetric", NULL, -1, -1, 0, s17, NULL, 21}, d12, 3, w17},
	};
	float x[4];
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int i = 0; i < 4; i++)
			x[i] = cases[c].xd == d14 ? (float)(i + 1) : (float)(10 * (i + 1));
		CT_RESULT(resize18(&cases[c].z, cases[c].xd, x, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 2 && out.dims[0] == 1 && out.dims[1] == cases[c].on);
		for (int64_t i = 0; i < cases[c].on; i++) {
			float got = ((const float *)out.data)[i], want = cases[c].want[i];
			if (!(fabsf(got - want) <= 1e-5f * (1 + fabsf(want))))
				cella_test_fail(__FILE__, __LINE__, "case %zu: element %lld is %.7g, not %.7g", c,
						(long long)i, (double)got, (double)want);
		}
		cella_onnx_model_free(m);
	}
	struct rz early = {"linear", "half_pixel_symmetric", NULL, -1, -1, 0, s06, NULL, 18};
	CT_RESULT(resize18(&early, d14, x, &m, &out), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "coordinate_transformation_mode 'half_pixel_symmetric' is not one of Resize's at "
			 "opset 18") != NULL);
	struct rz typo = {"linear", "half_pixel_symetric", NULL, -1, -1, 0, s06, NULL, 19};
	CT_RESULT(resize18(&typo, d14, x, &m, &out), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "'half_pixel_symetric' is not one of Resize's at opset 19") != NULL);
	cella_test_pass("Resize-19 half_pixel_symmetric; refused before opset 19, unknown modes refused");
}

/*
 * Resize-18 antialias's taps (x [1, 4096] to [1, 1024]: 8 taps per output, an 8-byte index and a 4-byte weight
 * each, and a flag per output: 99 328 bytes) were malloc'd and freed by every run, and bounded only by their indices'
 * 65 536 bytes. They are in the model's scratch now, which it keeps (counted in arena_bytes, the same after a
 * second run: a steady-state run allocates nothing), and all of them within max_tensor_bytes.
 */
static void test_resize_antialias_scratch(void)
{
	static const int64_t xd[2] = {1, 4096};
	static const float quarter[2] = {1.0f, 0.25f};
	const uint64_t taps = 1024 * 8 * (8 + 4) + 1024;
	static float x[4096];
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	struct cella_onnx_stats st;
	const struct rz z = {"linear", NULL, NULL, 1, -1, 0, quarter, NULL, 0};
	struct cella_onnx_tensor in = ftensor(x, 2, xd);
	for (int i = 0; i < 4096; i++)
		x[i] = (float)(i % 4);
	CT_RESULT(resize18(&z, xd, x, &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 2 && out.dims[1] == 1024 && ((const float *)out.data)[512] == 1.5f);
	cella_onnx_model_stats(m, &st);
	if (st.arena_bytes < 1024 * sizeof(float) + taps)
		cella_test_fail(__FILE__, __LINE__, "the model holds %llu bytes after the run: no room for the taps",
				(unsigned long long)st.arena_bytes);
	uint64_t held = st.arena_bytes;
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
	cella_onnx_model_stats(m, &st);
	CT_EQ(st.arena_bytes, held);
	cella_onnx_model_free(m);
	/* the tensors fit in 64 KiB, the taps do not: refused by name */
	CT_RESULT(resize18_max(&z, xd, x, 65536, &m, &out), CELLA_ERR_TOO_LARGE);
	CT_ASSERT(strstr(last_log, "antialias taps: 1024 outputs of 8 taps, over max_tensor_bytes (65536)") != NULL);
	cella_onnx_model_free(m);
	cella_test_pass("Resize-18 antialias taps in the model's scratch, within max_tensor_bytes");
}

/* y = op(x) for x = [[1, 2], [3, 4]] with the int attribute given, at opset 14: the load's or else the run's result. */
static cella_result attr_run(const char *op, const char *attr, int64_t v, struct cella_onnx_model **m,
			     struct cella_onnx_tensor *out)
{
	static const int64_t d22[2] = {2, 2};
	static float x[4] = {1, 2, 3, 4};
	struct mb b;
	cella_result r;
	mb_init(&b, 8, 14);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d22);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_attr_i(&b, mb_node(&b, op, "x", NULL, "y"), attr, v);
	if ((r = load(&b, m)) != CELLA_OK)
		return r;
	struct cella_onnx_tensor in = ftensor(x, 2, d22);
	return cella_onnx_model_run(*m, &in, 1, out, 1);
}

/* An int attribute outside int's range was truncated: Trilu upper = 2^32 kept the lower triangle. Refused by name. */
static void test_int_attr_range(void)
{
	static const int64_t vals[3] = {(int64_t)1 << 32, INT64_MIN, 1};
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (int k = 0; k < 3; k++) {
		char want[64];
		CT_RESULT(attr_run("Trilu", "upper", vals[k], &m, &out), k < 2 ? CELLA_ERR_MODEL : CELLA_OK);
		snprintf(want, sizeof(want), "attribute 'upper' is %lld, out of range", (long long)vals[k]);
		CT_ASSERT(k == 2 ? ((float *)out.data)[1] == 2 && ((float *)out.data)[2] == 0 : !!strstr(last_log, want));
		cella_onnx_model_free(m);
		m = NULL;
	}
	/* Cast to = 2^32 + 1 was a cast to float (1) */
	CT_RESULT(attr_run("Cast", "to", ((int64_t)1 << 32) + 1, &m, &out), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "attribute 'to' is 4294967297, out of range") != NULL);
	cella_onnx_model_free(m);
	cella_test_pass("int attributes outside int's range are refused, not truncated");
}

static void test_malformed(void)
{
	struct mb b;
	struct cella_onnx_model *m = NULL;
	int64_t d[2] = { 2, 3 }, sd[1] = { 2 }, sv[2] = { 3, 2 };
	size_t len;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 2, d);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_i64(&b, "shape", 1, sd, sv, 2);
	mb_node(&b, "Reshape", "x", "shape", "r");
	mb_node(&b, "Sigmoid", "r", NULL, "y");
	uint8_t *buf = mb_pack(&b, &len);
	CT_RESULT(cella_onnx_model_new(buf, len, NULL, &m), CELLA_OK);
	cella_onnx_model_free(m);
	/* every truncation fails cleanly (a prefix can still be a valid but incomplete model) */
	for (size_t cut = 0; cut < len; cut++) {
		m = NULL;
		cella_result r = cella_onnx_model_new(buf, cut, NULL, &m);
		CT_ASSERT(r != CELLA_OK || m != NULL);
		cella_onnx_model_free(r == CELLA_OK ? m : NULL);
	}
	/* bit flips */
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			m = NULL;
			if (cella_onnx_model_new(buf, len, NULL, &m) == CELLA_OK)
				cella_onnx_model_free(m);
			buf[i] ^= (uint8_t)(1u << bit);
		}
	free(buf);
	static const uint8_t garbage[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 };
	CT_RESULT(cella_onnx_model_new(garbage, sizeof(garbage), NULL, &m), CELLA_ERR_MODEL);
	CT_RESULT(cella_onnx_model_new(NULL, 5, NULL, &m), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_onnx_model_new("", 0, NULL, &m), CELLA_ERR_MODEL);
	/* deeply nested submessages are refused before protobuf-c recurses */
	size_t depth = 20000, n = depth * 6;
	uint8_t *deep = malloc(n);
	CT_ASSERT(deep);
	for (size_t i = 0; i < depth; i++) {
		/* graph(7) -> node(1) -> attribute(5) -> g(6) -> ... with 5-byte lengths that claim the rest */
		size_t rest = n - (i + 1) * 6;
		deep[i * 6] = i == 0 ? 0x3a : (i % 3 == 1 ? 0x0a : i % 3 == 2 ? 0x2a : 0x32);
		deep[i * 6 + 1] = (uint8_t)(0x80 | (rest & 0x7f));
		deep[i * 6 + 2] = (uint8_t)(0x80 | ((rest >> 7) & 0x7f));
		deep[i * 6 + 3] = (uint8_t)(0x80 | ((rest >> 14) & 0x7f));
		deep[i * 6 + 4] = (uint8_t)(0x80 | ((rest >> 21) & 0x7f));
		deep[i * 6 + 5] = (uint8_t)((rest >> 28) & 0x7f);
	}
	CT_RESULT(cella_onnx_model_new(deep, n, NULL, &m), CELLA_ERR_MODEL);
	free(deep);
	/* tensor decode errors */
	struct cella_onnx_tensor t;
	CT_RESULT(cella_onnx_tensor_decode(garbage, sizeof(garbage), &t), CELLA_ERR_MODEL);
	Onnx__TensorProto tp;
	onnx__tensor_proto__init(&tp);
	tp.has_data_type = 1;
	tp.data_type = CELLA_ONNX_FLOAT;
	int64_t td[1] = { 4 };
	tp.n_dims = 1;
	tp.dims = td;
	float fv[3] = { 1, 2, 3 };
	tp.n_float_data = 3;
	tp.float_data = fv;
	uint8_t tb[128];
	size_t tl = onnx__tensor_proto__pack(&tp, tb);
	CT_RESULT(cella_onnx_tensor_decode(tb, tl, &t), CELLA_ERR_MODEL);
	td[0] = 3;
	tl = onnx__tensor_proto__pack(&tp, tb);
	CT_RESULT(cella_onnx_tensor_decode(tb, tl, &t), CELLA_OK);
	CT_ASSERT(t.rank == 1 && ((float *)t.data)[2] == 3.0f);
	cella_onnx_tensor_fini(&t);
	cella_onnx_tensor_fini(&t);
	/* strings are in string_data, one per element: float_data and raw_data are not read for them */
	tp.data_type = CELLA_ONNX_STRING;
	tl = onnx__tensor_proto__pack(&tp, tb);
	CT_RESULT(cella_onnx_tensor_decode(tb, tl, &t), CELLA_ERR_MODEL);
	ProtobufCBinaryData sdat[3] = { { 2, (uint8_t *)"ab" }, { 0, NULL }, { 3, (uint8_t *)"c\0d" } };
	tp.n_float_data = 0;
	tp.n_string_data = 2;
	tp.string_data = sdat;
	tl = onnx__tensor_proto__pack(&tp, tb);
	CT_RESULT(cella_onnx_tensor_decode(tb, tl, &t), CELLA_ERR_MODEL);
	tp.n_string_data = 3;
	tl = onnx__tensor_proto__pack(&tp, tb);
	CT_RESULT(cella_onnx_tensor_decode(tb, tl, &t), CELLA_OK);
	{
		/* one block, freed by one cella_onnx_tensor_fini: the records, then the bytes (a NUL kept) */
		const struct cella_onnx_string *s = t.data;
		CT_ASSERT(t.dtype == CELLA_ONNX_STRING && t.bytes == 3 * sizeof(*s) && s[0].len == 2 && s[1].len == 0 &&
			  s[2].len == 3 && !memcmp(s[0].data, "ab", 2) && !memcmp(s[2].data, "c\0d", 3));
		CT_ASSERT(cella_onnx_dtype_size(CELLA_ONNX_STRING) == sizeof(*s));
	}
	cella_onnx_tensor_fini(&t);
	cella_onnx_tensor_fini(&t);
	cella_test_pass("malformed");
}

/* cella_onnx_value_decode: SequenceProto and OptionalProto of tensors, packed by protobuf-c from the message
 * definitions the engine decodes with (field numbers as ONNX's onnx-data.proto). */
static void test_value_decode(void)
{
	static float a[2] = { 1, 2 }, b[1] = { 3 };
	static int64_t c[1] = { 7 };
	static int64_t d2[1] = { 2 }, d1[1] = { 1 };
	Onnx__TensorProto tp[3], *tpp[3];
	Onnx__SequenceProto sp;
	Onnx__OptionalProto op;
	struct cella_onnx_value v;
	uint8_t buf[512];
	size_t len;
	for (int i = 0; i < 3; i++) {
		onnx__tensor_proto__init(&tp[i]);
		tp[i].has_data_type = 1;
		tp[i].n_dims = 1;
		tpp[i] = &tp[i];
	}
	tp[0].data_type = CELLA_ONNX_FLOAT, tp[0].dims = d2, tp[0].n_float_data = 2, tp[0].float_data = a;
	tp[1].data_type = CELLA_ONNX_FLOAT, tp[1].dims = d1, tp[1].n_float_data = 1, tp[1].float_data = b;
	tp[2].data_type = CELLA_ONNX_INT64, tp[2].dims = d1, tp[2].n_int64_data = 1, tp[2].int64_data = c;
	/* a sequence of two float tensors */
	onnx__sequence_proto__init(&sp);
	sp.has_elem_type = 1;
	sp.elem_type = 1;
	sp.n_tensor_values = 2;
	sp.tensor_values = tpp;
	len = onnx__sequence_proto__pack(&sp, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_OK);
	CT_ASSERT(v.kind == CELLA_ONNX_VALUE_SEQUENCE && v.n_items == 2 && v.tensor.dtype == CELLA_ONNX_FLOAT);
	CT_ASSERT(v.items[0].rank == 1 && v.items[0].dims[0] == 2 && ((const float *)v.items[0].data)[1] == 2.0f);
	CT_ASSERT(v.items[1].dims[0] == 1 && ((const float *)v.items[1].data)[0] == 3.0f);
	cella_onnx_value_fini(&v);
	cella_onnx_value_fini(&v); /* a no-op the second time */
	CT_ASSERT(v.items == NULL && v.n_items == 0);
	/* the same bytes as an optional: not one */
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_OPTIONAL, &v), CELLA_ERR_MODEL);
	/* tensors of two types in one sequence */
	sp.tensor_values = tpp + 1;
	len = onnx__sequence_proto__pack(&sp, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_ERR_MODEL);
	CT_ASSERT(v.items == NULL && v.n_items == 0); /* what it had decoded is freed */
	/* a sequence of sparse tensors, and one of sequences */
	ProtobufCBinaryData blob = { 1, (uint8_t *)"x" };
	sp.n_tensor_values = 0;
	sp.n_sparse_tensor_values = 1;
	sp.sparse_tensor_values = &blob;
	len = onnx__sequence_proto__pack(&sp, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_ERR_MODEL_UNSUPPORTED);
	sp.n_sparse_tensor_values = 0;
	sp.elem_type = 3;
	len = onnx__sequence_proto__pack(&sp, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_ERR_MODEL_UNSUPPORTED);
	/* an empty sequence: float until the caller says otherwise */
	sp.elem_type = 1;
	len = onnx__sequence_proto__pack(&sp, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_OK);
	CT_ASSERT(v.kind == CELLA_ONNX_VALUE_SEQUENCE && v.n_items == 0 && v.tensor.dtype == CELLA_ONNX_FLOAT);
	cella_onnx_value_fini(&v);
	/* optionals: holding a tensor, empty, holding a sequence */
	onnx__optional_proto__init(&op);
	op.has_elem_type = 1;
	op.elem_type = 1;
	op.tensor_value = &tp[2];
	len = onnx__optional_proto__pack(&op, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_OPTIONAL, &v), CELLA_OK);
	CT_ASSERT(v.kind == CELLA_ONNX_VALUE_TENSOR && v.tensor.dtype == CELLA_ONNX_INT64 &&
		  ((const int64_t *)v.tensor.data)[0] == 7);
	cella_onnx_value_fini(&v);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_OPTIONAL | CELLA_ONNX_FORM_SEQUENCE, &v),
		  CELLA_ERR_MODEL); /* a tensor where a sequence is declared */
	op.tensor_value = NULL;
	op.elem_type = 0;
	len = onnx__optional_proto__pack(&op, buf);
	for (uint32_t form = CELLA_ONNX_FORM_OPTIONAL; form <= 3; form++) {
		CT_RESULT(cella_onnx_value_decode(buf, len, form, &v), CELLA_OK);
		CT_ASSERT(v.kind == CELLA_ONNX_VALUE_NONE);
		cella_onnx_value_fini(&v);
	}
	op.elem_type = 3; /* empty, but of a sequence */
	len = onnx__optional_proto__pack(&op, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_OPTIONAL, &v), CELLA_ERR_MODEL);
	sp.n_tensor_values = 1;
	sp.tensor_values = tpp;
	op.sequence_value = &sp;
	len = onnx__optional_proto__pack(&op, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_OPTIONAL | CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_OK);
	CT_ASSERT(v.kind == CELLA_ONNX_VALUE_SEQUENCE && v.n_items == 1 && ((const float *)v.items[0].data)[0] == 1.0f);
	cella_onnx_value_fini(&v);
	op.tensor_value = &tp[0]; /* and a tensor too: an optional holds one value */
	len = onnx__optional_proto__pack(&op, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_OPTIONAL | CELLA_ONNX_FORM_SEQUENCE, &v),
		  CELLA_ERR_MODEL);
	op.tensor_value = NULL;
	op.sequence_value = NULL;
	op.has_map_value = 1;
	op.map_value = blob;
	len = onnx__optional_proto__pack(&op, buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, CELLA_ONNX_FORM_OPTIONAL, &v), CELLA_ERR_MODEL_UNSUPPORTED);
	/* the caller's mistakes, and bytes that are no message */
	CT_RESULT(cella_onnx_value_decode(buf, len, 4, &v), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_onnx_value_decode(NULL, 3, CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_onnx_value_decode("\xff\xff\xff", 3, CELLA_ONNX_FORM_SEQUENCE, &v), CELLA_ERR_MODEL);
	CT_RESULT(cella_onnx_value_decode("\xff\xff\xff", 3, CELLA_ONNX_FORM_OPTIONAL, &v), CELLA_ERR_MODEL);
	/* form 0 is a TensorProto, as cella_onnx_tensor_decode */
	len = onnx__tensor_proto__pack(&tp[0], buf);
	CT_RESULT(cella_onnx_value_decode(buf, len, 0, &v), CELLA_OK);
	CT_ASSERT(v.kind == CELLA_ONNX_VALUE_TENSOR && v.tensor.dims[0] == 2 && ((const float *)v.tensor.data)[0] == 1.0f);
	cella_onnx_value_fini(&v);
	cella_onnx_value_fini(NULL);
	cella_test_pass("value decode: sequences (of two tensors, empty), optionals (of a tensor, of a sequence, "
			"empty); mixed types, sparse tensors, nested sequences, maps, two values, the other form, an "
			"unknown form and garbage refused");
}

static void test_file(void)
{
	struct cella_onnx_model *m = NULL;
	CT_RESULT(cella_onnx_model_load_file("/nonexistent/model.onnx", NULL, &m), CELLA_ERR_NO_FILE);
	/* paths that name no readable file: a directory, and one that goes through a file */
	m = (struct cella_onnx_model *)1;
	CT_RESULT(cella_onnx_model_load_file("/", NULL, &m), CELLA_ERR_IO);
	CT_ASSERT(m == (struct cella_onnx_model *)1);
	CT_RESULT(cella_onnx_model_load_file("/proc/self/exe/model.onnx", NULL, &m), CELLA_ERR_IO);
	m = NULL;
	const char *root = getenv("CELLA_ONNX_TESTDATA");
	if (root) {
		char p[1024];
		snprintf(p, sizeof(p), "%s/node/test_relu/model.onnx", root);
		CT_RESULT(cella_onnx_model_load_file(p, NULL, &m), CELLA_OK);
		cella_onnx_model_free(m);
	}
	CT_ASSERT(!strcmp(cella_onnx_dtype_name(CELLA_ONNX_INT64), "int64"));
	CT_EQ(cella_onnx_dtype_size(CELLA_ONNX_FLOAT16), 2);
	CT_EQ(cella_onnx_dtype_size((cella_onnx_dtype)14), 0); /* complex64 */
	cella_test_pass("file");
}

/* cella_onnx_tensor_encode: the ONNX project's own serialized tensors (Python protobuf: dims, data_type, string_data,
 * name, raw_data) are reproduced byte for byte from what cella_onnx_tensor_decode makes of them; every dtype, a
 * scalar and an empty tensor round-trip; each malformed tensor is refused by its error. */
static void test_tensor_encode(void)
{
	static const struct {
		const char *file, *name;
	} files[] = {
		{"node/test_abs/test_data_set_0/input_0.pb", "x"},                                      /* float */
		{"node/test_strnormalizer_nostopwords_nochangecase/test_data_set_0/input_0.pb", "x"}, /* strings */
		{"node/test_cast_FLOAT_to_FLOAT16/test_data_set_0/output_0.pb", "output"},             /* float16 */
		{"node/test_equal_bcast/test_data_set_0/output_0.pb", "z"},                             /* bool */
	};
	const char *root = getenv("CELLA_ONNX_TESTDATA");
	struct cella_onnx_tensor t, back;
	uint8_t *enc, *file;
	size_t len, flen = 0;

	CT_ASSERT(root != NULL);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", root, files[i].file);
		file = cella_test_read_file(path, &flen);
		CT_RESULT(cella_onnx_tensor_decode(file, flen, &t), CELLA_OK);
		CT_RESULT(cella_onnx_tensor_encode(&t, files[i].name, &enc, &len), CELLA_OK);
		CT_EQ(len, flen);
		CT_EQ_MEM(enc, file, flen);
		free(enc);
		cella_onnx_tensor_fini(&t);
		free(file);
	}

	/* every dtype, with its bytes intact; a scalar; a tensor with a zero dim; no name */
	static const cella_onnx_dtype types[] = {CELLA_ONNX_FLOAT,  CELLA_ONNX_UINT8,   CELLA_ONNX_INT8,   CELLA_ONNX_UINT16,
						 CELLA_ONNX_INT16,  CELLA_ONNX_INT32,   CELLA_ONNX_INT64,  CELLA_ONNX_BOOL,
						 CELLA_ONNX_FLOAT16, CELLA_ONNX_DOUBLE, CELLA_ONNX_UINT32, CELLA_ONNX_UINT64,
						 CELLA_ONNX_BFLOAT16};
	uint8_t data[2 * 3 * 8];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
		for (uint32_t shape = 0; shape < 3; shape++) {
			size_t es = cella_onnx_dtype_size(types[k]);
			memset(&t, 0, sizeof(t));
			t.dtype = types[k];
			t.rank = shape == 0 ? 0 : 2;
			t.dims[0] = shape == 1 ? 2 : 0;
			t.dims[1] = 3;
			t.data = data;
			t.bytes = shape == 0 ? es : shape == 1 ? 6 * es : 0;
			if (types[k] == CELLA_ONNX_BOOL)
				for (size_t i = 0; i < sizeof(data); i++)
					data[i] &= 1;
			CT_RESULT(cella_onnx_tensor_encode(&t, NULL, &enc, &len), CELLA_OK);
			CT_RESULT(cella_onnx_tensor_decode(enc, len, &back), CELLA_OK);
			free(enc);
			CT_EQ(back.dtype, t.dtype);
			CT_EQ(back.rank, t.rank);
			CT_EQ_MEM(back.dims, t.dims, t.rank * sizeof(t.dims[0]));
			CT_EQ(back.bytes, t.bytes);
			if (t.bytes)
				CT_EQ_MEM(back.data, data, t.bytes);
			cella_onnx_tensor_fini(&back);
		}
	/* strings that hold a NUL and an empty one */
	struct cella_onnx_string strs[3] = {{"a\0b", 3}, {NULL, 0}, {"xyz", 3}};
	memset(&t, 0, sizeof(t));
	t.dtype = CELLA_ONNX_STRING;
	t.rank = 1;
	t.dims[0] = 3;
	t.data = strs;
	t.bytes = sizeof(strs);
	CT_RESULT(cella_onnx_tensor_encode(&t, "s", &enc, &len), CELLA_OK);
	CT_RESULT(cella_onnx_tensor_decode(enc, len, &back), CELLA_OK);
	free(enc);
	const struct cella_onnx_string *bs = back.data;
	CT_EQ(back.dims[0], 3);
	CT_EQ(bs[0].len, 3);
	CT_EQ_MEM(bs[0].data, "a\0b", 3);
	CT_EQ(bs[1].len, 0);
	CT_EQ(bs[2].len, 3);
	CT_EQ_MEM(bs[2].data, "xyz", 3);
	cella_onnx_tensor_fini(&back);

	/* refusals: *out NULL and *len 0 after each */
	struct cella_onnx_tensor bad;
	memset(&bad, 0, sizeof(bad));
	bad.dtype = CELLA_ONNX_FLOAT;
	bad.rank = 1;
	bad.dims[0] = 2;
	bad.data = data;
	bad.bytes = 8;
	CT_RESULT(cella_onnx_tensor_encode(&bad, NULL, &enc, &len), CELLA_OK); /* the base the cases below break */
	free(enc);
	struct cella_onnx_tensor c;
	for (int kase = 0; kase < 8; kase++) {
		cella_result want = CELLA_ERR_INVALID_ARG;
		c = bad;
		switch (kase) {
		case 0: c.dtype = CELLA_ONNX_UNDEFINED; break;
		case 1: c.dtype = (cella_onnx_dtype)14; break; /* complex64 */
		case 2: c.rank = CELLA_ONNX_MAX_RANK + 1; break;
		case 3: c.dims[0] = -2; break;
		case 4: c.bytes = 12; break;
		case 5: c.data = NULL; break;
		case 6: c.rank = 2; c.dims[0] = c.dims[1] = (int64_t)1 << 30; want = CELLA_ERR_TOO_LARGE; break;
		case 7: c = t; strs[1].len = 1; break; /* a string of one byte with NULL data */
		}
		enc = (uint8_t *)1;
		len = 1;
		CT_RESULT(cella_onnx_tensor_encode(&c, "n", &enc, &len), want);
		CT_ASSERT(enc == NULL);
		CT_EQ(len, 0);
	}
	cella_test_pass("tensor_encode");
}

/* The readers of test_packed_weights' W: the Conv alone, or the Conv and one more reader (none for a depthwise Conv,
 * whose direct kernel reads W as it is). */
enum { PW_ALONE, PW_OUTPUT, PW_TWO_CONVS, PW_MUL, PW_IF, PW_DEPTHWISE, PW_CASES };

/* y = Conv(x [1, 3, 4, 4], W, B), 3x3 with pads 1: W [5, 3, 3, 3] (depthwise: [3, 1, 3, 3] in 3 groups); per case
 * a second output y2 (or W itself) from another reader of W. Loaded with the portable kernels (4-row panels). */
static void pw_load(int kase, const float *w, const float *bias, struct cella_onnx_model **m)
{
	static const int64_t xd[4] = {1, 3, 4, 4}, wd[4] = {5, 3, 3, 3}, dwd[4] = {3, 1, 3, 3}, bd[1] = {5},
			     dbd[1] = {3}, sd[1] = {1};
	static int64_t pads[4] = {1, 1, 1, 1};
	static char *win[1] = {"W"};
	static const char *const ops[2] = {"Identity", "Identity"}, *const cin[3] = {"x", "W", "B"};
	static char **const ins[2] = {win, win};
	static const size_t n_in[2] = {1, 1};
	struct cella_onnx_options o = {.log = logcb, .cpu_disable = ~0u};
	struct if_branches br;
	struct mb b;
	size_t len;
	int dw = kase == PW_DEPTHWISE;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_init_f32(&b, "W", 4, dw ? dwd : wd, w, dw ? 27 : 135);
	mb_init_f32(&b, "B", 1, dw ? dbd : bd, bias, dw ? 3 : 5);
	for (int k = 0; k < (kase == PW_TWO_CONVS ? 2 : 1); k++) {
		Onnx__NodeProto *c = mb_node(&b, "Conv", "x", "W", k ? "y2" : "y");
		mb_inputs(&b, c, 3, cin);
		mb_attr_ints(&b, c, "pads", pads, 4);
		if (dw)
			mb_attr_i(&b, c, "group", 3);
	}
	if (kase == PW_MUL) {
		mb_io(&b, 0, "s", CELLA_ONNX_FLOAT, 1, sd);
		mb_node(&b, "Mul", "W", "s", "y2");
	} else if (kase == PW_IF) {
		mb_io(&b, 0, "c", CELLA_ONNX_BOOL, 0, NULL);
		mb_if_branches(&b, mb_node(&b, "If", "c", NULL, "y2"), &br, ops, ins, n_in);
	}
	if (kase == PW_OUTPUT)
		mb_io(&b, 1, "W", CELLA_ONNX_FLOAT, -1, NULL);
	else if (kase != PW_ALONE && kase != PW_DEPTHWISE)
		mb_io(&b, 1, "y2", CELLA_ONNX_FLOAT, -1, NULL);
	uint8_t *buf = mb_pack(&b, &len);
	CT_RESULT(cella_onnx_model_new(buf, len, &o, m), CELLA_OK);
	free(buf);
}

/*
 * A Conv weight that only its Conv reads is held packed only: its original is freed once packed, and weight_bytes
 * counts the packed copy and the bias. The portable kernel packs W [5, 3, 3, 3] into panels of 4 rows, each row
 * K = 3 * 3 * 3 = 27 long: 5 rows padded to 8, 8 * 27 floats = 864 bytes; W is 135 floats (540 bytes), B 20
 * bytes. The weight stays when anything else reads it (a graph output, a second Conv with its own packed copy, a
 * Mul, an If's branch), and under a depthwise Conv, which is not packed. Every output is the convolution worked
 * out here (the values are multiples of 1/32, so every sum is exact in any order), the same bits in every case.
 */
static void test_packed_weights(void)
{
	static const uint64_t want[PW_CASES] = {864 + 20, 540 + 864 + 20, 540 + 2 * 864 + 20, 540 + 864 + 20,
						540 + 864 + 20, 108 + 12};
	static const int64_t xd[4] = {1, 3, 4, 4}, sd[1] = {1};
	float x[48], w[135], bias[5], ref[80], first[80], s = 2.0f;
	uint8_t c = 1;
	for (int i = 0; i < 48; i++)
		x[i] = (float)(i % 7) * 0.25f - 0.75f;
	for (int i = 0; i < 135; i++)
		w[i] = (float)((i * 5) % 11) * 0.125f - 0.625f;
	for (int i = 0; i < 5; i++)
		bias[i] = 0.5f * (float)i - 1.0f;
	for (int kase = 0; kase < PW_CASES; kase++) {
		int dw = kase == PW_DEPTHWISE, M = dw ? 3 : 5, C = dw ? 1 : 3;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_stats st;
		struct cella_onnx_tensor in[2] = {ftensor(x, 4, xd), ftensor(&s, 1, sd)}, out[2];
		if (kase == PW_IF) {
			memset(&in[1], 0, sizeof(in[1]));
			in[1].dtype = CELLA_ONNX_BOOL;
			in[1].data = &c;
			in[1].bytes = 1;
		}
		for (int o = 0; o < M; o++) /* group o of the depthwise Conv reads input channel o */
			for (int p = 0; p < 16; p++) {
				double acc = bias[o];
				for (int ci = 0; ci < C; ci++)
					for (int t = 0; t < 9; t++) {
						int iy = p / 4 + t / 3 - 1, ix = p % 4 + t % 3 - 1;
						if (iy >= 0 && iy < 4 && ix >= 0 && ix < 4)
							acc += (double)x[((dw ? o : ci) * 4 + iy) * 4 + ix] *
							       w[(o * C + ci) * 9 + t];
					}
				ref[o * 16 + p] = (float)acc;
			}
		pw_load(kase, w, bias, &m);
		cella_onnx_model_stats(m, &st);
		CT_EQ(st.weight_bytes, want[kase]);
		size_t n_in = kase == PW_MUL || kase == PW_IF ? 2 : 1, n_out = kase == PW_ALONE || dw ? 1 : 2;
		for (int run = 0; run < 2; run++) {
			CT_RESULT(cella_onnx_model_run(m, in, n_in, out, n_out), CELLA_OK);
			CT_ASSERT(out[0].rank == 4 && out[0].dims[1] == M && out[0].bytes == (size_t)M * 64);
			for (int i = 0; i < M * 16; i++)
				CT_ASSERT(((const float *)out[0].data)[i] == ref[i]);
			if (kase == PW_ALONE && run == 0)
				memcpy(first, out[0].data, sizeof(first));
			else if (!dw)
				CT_EQ_MEM(out[0].data, first, sizeof(first));
			if (kase == PW_TWO_CONVS)
				CT_EQ_MEM(out[1].data, first, sizeof(first));
			if (kase == PW_OUTPUT || kase == PW_IF) /* W itself, out of the graph and out of the branch */
				CT_ASSERT(out[1].bytes == sizeof(w) && !memcmp(out[1].data, w, sizeof(w)));
			for (int i = 0; kase == PW_MUL && i < 135; i++)
				CT_ASSERT(((const float *)out[1].data)[i] == 2.0f * w[i]);
		}
		cella_onnx_model_free(m);
	}
	cella_test_pass("a Conv weight read only by its Conv is held packed only, else kept (outputs, shared, If)");
}

/*
 * A constant B of MatMul and of Gemm (transB 1, as exporters write a Linear layer) is packed at load and, read by
 * nothing else, held packed only: y = MatMul(x [2, 3, 5], W [5, 7]) (one tall product over the batch), z = Gemm(x2
 * [3, 5], V [7, 5], transB 1). The portable kernel pads N = 7 to one 16-wide panel: 5 * 16 floats, 320 bytes
 * each; W and V are 140 bytes. With W also a graph output it stays (140 + 320 + 320). Values are multiples of
 * 1/8, so every product is exact and the outputs are the sums worked out here.
 */
static void test_packed_matmul(void)
{
	static const int64_t xd[3] = {2, 3, 5}, x2d[2] = {3, 5}, wd[2] = {5, 7}, vd[2] = {7, 5};
	struct cella_onnx_options o = {.log = logcb, .cpu_disable = ~0u};
	float x[30], x2[15], w[35], v[35], y[42], z[21];
	for (int i = 0; i < 30; i++)
		x[i] = (float)(i % 5) * 0.25f - 0.5f;
	for (int i = 0; i < 15; i++)
		x2[i] = (float)(i % 4) * 0.5f - 0.75f;
	for (int i = 0; i < 35; i++) {
		w[i] = (float)((i * 3) % 7) * 0.125f - 0.25f;
		v[i] = (float)((i * 5) % 9) * 0.125f - 0.5f;
	}
	for (int b = 0; b < 6; b++) /* rows of x: 2 batches of 3 */
		for (int j = 0; j < 7; j++) {
			float acc = 0;
			for (int k = 0; k < 5; k++)
				acc += x[b * 5 + k] * w[k * 7 + j];
			y[b * 7 + j] = acc;
		}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 7; j++) {
			float acc = 0;
			for (int k = 0; k < 5; k++)
				acc += x2[i * 5 + k] * v[j * 5 + k];
			z[i * 7 + j] = acc;
		}
	for (int w_out = 0; w_out < 2; w_out++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_stats st;
		struct cella_onnx_tensor in[2] = {ftensor(x, 3, xd), ftensor(x2, 2, x2d)}, out[3];
		size_t len;
		mb_init(&b, 8, 13);
		mb_io(&b, 0, "x", CELLA_ONNX_FLOAT, 3, xd);
		mb_io(&b, 0, "x2", CELLA_ONNX_FLOAT, 2, x2d);
		mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		mb_io(&b, 1, "z", CELLA_ONNX_FLOAT, -1, NULL);
		if (w_out)
			mb_io(&b, 1, "W", CELLA_ONNX_FLOAT, -1, NULL);
		mb_init_f32(&b, "W", 2, wd, w, 35);
		mb_init_f32(&b, "V", 2, vd, v, 35);
		mb_node(&b, "MatMul", "x", "W", "y");
		mb_attr_i(&b, mb_node(&b, "Gemm", "x2", "V", "z"), "transB", 1);
		uint8_t *buf = mb_pack(&b, &len);
		CT_RESULT(cella_onnx_model_new(buf, len, &o, &m), CELLA_OK);
		free(buf);
		cella_onnx_model_stats(m, &st);
		CT_EQ(st.weight_bytes, (uint64_t)(w_out ? 140 + 320 + 320 : 320 + 320));
		for (int run = 0; run < 2; run++) {
			CT_RESULT(cella_onnx_model_run(m, in, 2, out, w_out ? 3 : 2), CELLA_OK);
			CT_ASSERT(out[0].rank == 3 && out[0].dims[2] == 7 && out[0].bytes == sizeof(y));
			CT_EQ_MEM(out[0].data, y, sizeof(y));
			CT_ASSERT(out[1].rank == 2 && out[1].dims[1] == 7 && out[1].bytes == sizeof(z));
			CT_EQ_MEM(out[1].data, z, sizeof(z));
			if (w_out)
				CT_ASSERT(out[2].bytes == sizeof(w) && !memcmp(out[2].data, w, sizeof(w)));
		}
		cella_onnx_model_free(m);
	}
	cella_test_pass("MatMul's and Gemm's constant B packed at load, held packed only unless read elsewhere");
}

/* Host worker threads split GEMMs by columns: results are bit-identical to one thread. */
static void test_threads(void)
{
	struct mb b;
	int64_t da[2] = { 64, 256 }, db[2] = { 256, 1024 };
	float *A = malloc(64 * 256 * 4), *B = malloc(256 * 1024 * 4), *ref = malloc(64 * 1024 * 4);
	CT_ASSERT(A && B && ref);
	for (int i = 0; i < 64 * 256; i++)
		A[i] = (float)((i * 7) % 13) - 6.0f;
	for (int i = 0; i < 256 * 1024; i++)
		B[i] = (float)((i * 5) % 11) * 0.25f - 1.0f;
	mb_init(&b, 8, 13);
	mb_io(&b, 0, "a", CELLA_ONNX_FLOAT, 2, da);
	mb_io(&b, 0, "b", CELLA_ONNX_FLOAT, 2, db);
	mb_io(&b, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	mb_node(&b, "MatMul", "a", "b", "y");
	size_t len;
	uint8_t *buf = mb_pack(&b, &len);
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		struct cella_onnx_options o = { .threads = threads };
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in[2] = { ftensor(A, 2, da), ftensor(B, 2, db) }, out;
		CT_RESULT(cella_onnx_model_new(buf, len, &o, &m), CELLA_OK);
		for (int rep = 0; rep < 3; rep++) {
			CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
			CT_EQ(out.dims[0], 64);
			CT_EQ(out.dims[1], 1024);
			if (threads == 1 && rep == 0)
				memcpy(ref, out.data, 64 * 1024 * 4);
			else
				CT_EQ_MEM(out.data, ref, 64 * 1024 * 4);
		}
		cella_onnx_model_free(m);
	}
	free(buf);
	free(A);
	free(B);
	free(ref);
	cella_test_pass("threads");
}

int main(void)
{
	test_rnn_sequence_lens();
	test_run_dynamic();
	test_unsupported();
	test_bitshift();
	test_graph_errors();
	test_shapes();
	test_gather_range();
	test_resize_outer();
	test_absent_output();
	test_int64_extremes();
	test_scratch_bound();
	test_fold_budget();
	test_max_tensor_clamp();
	test_empty_dims_bound();
	test_inplace_types();
	test_inplace_reshapes_casts();
	test_load_messages();
	test_if_message();
	test_untyped_branch_input();
	test_unproduced_outputs();
	test_fused_unproduced_outputs();
	test_resize_antialias();
	test_resize_half_pixel_symmetric();
	test_resize_antialias_scratch();
	test_int_attr_range();
	test_malformed();
	test_file();
	test_value_decode();
	test_tensor_encode();
	test_packed_weights();
	test_packed_matmul();
	test_threads();
	return 0;
}
