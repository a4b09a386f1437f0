// SPDX-License-Identifier: MIT
/* ONNX operators on hostile attributes and values: each case is a small model built here, checked for the exact
 * result or the exact refusal (loads that once hung or read out of bounds must now complete or be refused). */
#include <cella/onnx.h>

#include "cella_test.h"
#include "onnx.pb-c.h"
#include "onnx_testkit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a model builder over the protobuf-c structs: constants as raw_data initializers, any attribute type ---- */

#define NN 10 /* nodes, initializers, inputs, outputs, attributes per node (QLinearConv reads 9 inputs) */

struct gb {
	Onnx__GraphProto g;
	Onnx__NodeProto nodes[NN], *np[NN];
	Onnx__ValueInfoProto vin[NN], vout[NN], *vip[NN], *vop[NN];
	Onnx__TypeProto tin[NN], tout[NN];
	Onnx__TypeProto__Tensor ttin[NN], ttout[NN];
	Onnx__TensorShapeProto sin[NN];
	Onnx__TensorShapeProto__Dimension dims[NN][CELLA_ONNX_MAX_RANK], *dimp[NN][CELLA_ONNX_MAX_RANK];
	Onnx__TensorProto inits[NN], *ip[NN];
	int64_t init_dims[NN][CELLA_ONNX_MAX_RANK];
	uint8_t init_raw[NN][64];
	ProtobufCBinaryData init_str[NN][8];
	Onnx__AttributeProto attrs[NN][NN], *ap[NN][NN];
	char *nin[NN][NN], *nout[NN][NN];
};

struct mb {
	Onnx__ModelProto m;
	Onnx__OperatorSetIdProto os, os2, *osp[2]; /* os2: a second domain's import (os2 and osp[1] set by a test) */
	struct gb g;
};

static void gb_init(struct gb *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	onnx__graph_proto__init(&b->g);
	b->g.name = (char *)name;
	b->g.node = b->np;
	b->g.input = b->vip;
	b->g.output = b->vop;
	b->g.initializer = b->ip;
}

static void mb_init(struct mb *b, int64_t opset)
{
	memset(b, 0, sizeof(*b));
	gb_init(&b->g, "t");
	tk_model(&b->m, &b->os, b->osp, 8, opset, &b->g.g);
}

/* A graph input (rank >= 0: with dims, -1 = dynamic) or output (no shape). */
static void gb_io(struct gb *b, int out, const char *name, int dtype, int rank, const int64_t *dims)
{
	size_t i = out ? b->g.n_output : b->g.n_input;
	struct tk_vi w = {out ? &b->vout[i] : &b->vin[i], out ? &b->tout[i] : &b->tin[i], out ? &b->ttout[i] : &b->ttin[i],
			  &b->sin[i], b->dims[i], b->dimp[i]};
	CT_ASSERT(i < NN);
	tk_value_info(&w, name, dtype, !out, rank, dims);
	if (out)
		b->vop[b->g.n_output++] = w.v;
	else
		b->vip[b->g.n_input++] = w.v;
}

/* The next initializer slot of b, named, of dtype and dims, without data yet. */
static Onnx__TensorProto *gb_init_tensor(struct gb *b, const char *name, int dtype, int rank, const int64_t *dims)
{
	size_t k = b->g.n_initializer;
	Onnx__TensorProto *t = &b->inits[k];
	CT_ASSERT(k < NN && rank <= CELLA_ONNX_MAX_RANK);
	onnx__tensor_proto__init(t);
	t->name = (char *)name;
	t->has_data_type = 1;
	t->data_type = dtype;
	if (rank)
		memcpy(b->init_dims[k], dims, (size_t)rank * sizeof(int64_t));
	t->n_dims = (size_t)rank;
	t->dims = b->init_dims[k];
	return t;
}

/* A constant of any numeric type from its little-endian bytes (at most 64). */
static void gb_const(struct gb *b, const char *name, int dtype, int rank, const int64_t *dims, const void *data,
		     size_t bytes)
{
	size_t k = b->g.n_initializer;
	Onnx__TensorProto *t = gb_init_tensor(b, name, dtype, rank, dims);
	CT_ASSERT(bytes <= sizeof(b->init_raw[k]));
	if (bytes)
		memcpy(b->init_raw[k], data, bytes);
	t->has_raw_data = 1;
	t->raw_data.data = b->init_raw[k];
	t->raw_data.len = bytes;
	b->ip[b->g.n_initializer++] = t;
}

/* An initializer of the given type and dims whose raw data is the caller's (static) bytes, of any size. */
static void gb_raw(struct gb *b, const char *name, int dtype, int rank, const int64_t *dims, const void *data,
		   size_t bytes)
{
	Onnx__TensorProto *t = gb_init_tensor(b, name, dtype, rank, dims);
	t->has_raw_data = 1;
	t->raw_data.data = (uint8_t *)data;
	t->raw_data.len = bytes;
	b->ip[b->g.n_initializer++] = t;
}

/* The element count of rank dims. */
static size_t dims_count(const int64_t *dims, int rank)
{
	size_t n = 1;
	for (int i = 0; i < rank; i++)
		n *= (size_t)dims[i];
	return n;
}

/* A string constant of n elements (at most 8), each lens[i] bytes at v[i] (NUL bytes included). */
static void gb_strings(struct gb *b, const char *name, int rank, const int64_t *dims, const char *const *v,
		       const size_t *lens, size_t n)
{
	size_t k = b->g.n_initializer;
	Onnx__TensorProto *t = gb_init_tensor(b, name, CELLA_ONNX_STRING, rank, dims);
	CT_ASSERT(n <= 8);
	for (size_t i = 0; i < n; i++)
		b->init_str[k][i] = (ProtobufCBinaryData){ lens[i], (uint8_t *)v[i] };
	t->n_string_data = n;
	t->string_data = b->init_str[k];
	b->ip[b->g.n_initializer++] = t;
}

/* A node reading ins (NULL-terminated, "" = an omitted optional input) and writing outs (NULL-terminated). */
static Onnx__NodeProto *gb_node(struct gb *b, const char *op, const char *const *ins, const char *const *outs)
{
	size_t k = b->g.n_node++;
	Onnx__NodeProto *n = &b->nodes[k];
	CT_ASSERT(k < NN);
	onnx__node_proto__init(n);
	n->op_type = (char *)op;
	n->name = (char *)op;
	for (n->n_input = 0; ins[n->n_input]; n->n_input++)
		b->nin[k][n->n_input] = (char *)ins[n->n_input];
	for (n->n_output = 0; outs[n->n_output]; n->n_output++)
		b->nout[k][n->n_output] = (char *)outs[n->n_output];
	n->input = b->nin[k];
	n->output = b->nout[k];
	n->attribute = b->ap[k];
	b->np[k] = n;
	return n;
}

static Onnx__AttributeProto *gb_attr(struct gb *b, Onnx__NodeProto *n, const char *name, int type)
{
	size_t k = (size_t)(n - b->nodes);
	CT_ASSERT(n->n_attribute < NN);
	Onnx__AttributeProto *a = tk_attr(&b->attrs[k][n->n_attribute], name, type);
	b->ap[k][n->n_attribute++] = a;
	return a;
}

static void attr_i(struct gb *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
	tk_set_i(gb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT), v);
}

static void attr_f(struct gb *b, Onnx__NodeProto *n, const char *name, float v)
{
	Onnx__AttributeProto *a = gb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
	a->has_f = 1;
	a->f = v;
}

static void attr_s(struct gb *b, Onnx__NodeProto *n, const char *name, const char *v)
{
	tk_set_s(gb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING), v);
}

static void attr_ints(struct gb *b, Onnx__NodeProto *n, const char *name, const int64_t *v, size_t count)
{
	tk_set_ints(gb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS), v, count);
}

static void attr_g(struct gb *b, Onnx__NodeProto *n, const char *name, struct gb *sub)
{
	Onnx__AttributeProto *a = gb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
	a->g = &sub->g;
}

static cella_result load(struct mb *b, struct cella_onnx_model **m)
{
	return tk_load(&b->m, m);
}

/* Loads a model without graph inputs and runs it: the result of the run, out valid until *m is freed. */
static cella_result load_run(struct mb *b, struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	cella_result r = load(b, m);
	if (r != CELLA_OK)
		return r;
	return cella_onnx_model_run(*m, NULL, 0, out, 1);
}

static const char *const Y[] = { "y", NULL };

/* One node over constant inputs c0..c2 (the node reads them in that order), one output y. */
static Onnx__NodeProto *single(struct mb *b, int64_t opset, const char *op, int nin, int ydtype)
{
	static const char *const ins[4][4] = { { NULL }, { "c0", NULL }, { "c0", "c1", NULL }, { "c0", "c1", "c2", NULL } };
	mb_init(b, opset);
	gb_io(&b->g, 1, "y", ydtype, -1, NULL);
	return gb_node(&b->g, op, ins[nin], Y);
}

/* One node over the named values ins (NULL-terminated), one float output y. */
static Onnx__NodeProto *single_in(struct mb *b, int64_t opset, const char *op, const char *const *ins)
{
	mb_init(b, opset);
	gb_io(&b->g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	return gb_node(&b->g, op, ins, Y);
}

/* One node over a graph input x declared with rank and dims (-1 dynamic), one output y. */
static Onnx__NodeProto *single_xd(struct mb *b, int64_t opset, const char *op, int xdtype, int rank,
				  const int64_t *dims)
{
	static const char *const x_in[] = { "x", NULL };
	mb_init(b, opset);
	gb_io(&b->g, 0, "x", xdtype, rank, dims);
	gb_io(&b->g, 1, "y", xdtype, -1, NULL);
	return gb_node(&b->g, op, x_in, Y);
}

/* One node over a graph input x of one dynamic dim (the node's shapes are known only at run), one output y. */
static Onnx__NodeProto *single_x(struct mb *b, int64_t opset, const char *op, int xdtype)
{
	static const int64_t dyn[1] = { -1 };
	return single_xd(b, opset, op, xdtype, 1, dyn);
}

/* ---- Resize: tf_crop_and_resize with a box that gives no coordinates ---- */

static cella_result crop_model(struct mb *b, const float *roi, const char *mode)
{
	static const int64_t xd[4] = { 1, 1, 4, 4 }, rd[1] = { 8 }, sd[1] = { 4 }, sizes[4] = { 1, 1, 3, 3 };
	static const char *const ins[] = { "x", "roi", "", "sizes", NULL };
	mb_init(b, 13);
	gb_io(&b->g, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
	gb_io(&b->g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b->g, "roi", CELLA_ONNX_FLOAT, 1, rd, roi, 8 * sizeof(float));
	gb_const(&b->g, "sizes", CELLA_ONNX_INT64, 1, sd, sizes, sizeof(sizes));
	Onnx__NodeProto *n = gb_node(&b->g, "Resize", ins, Y);
	attr_s(&b->g, n, "mode", mode);
	attr_s(&b->g, n, "coordinate_transformation_mode", "tf_crop_and_resize");
	attr_f(&b->g, n, "extrapolation_value", -7.0f);
	struct cella_onnx_model *m = NULL;
	cella_result r = load(b, &m);
	cella_onnx_model_free(r == CELLA_OK ? m : NULL);
	return r;
}

/*
 * A NaN or infinite roi is refused (a NaN coordinate passed the "outside" test and became index INT64_MIN: a read
 * out of bounds, a crash at load). A finite box whose coordinates overflow (-3e38 .. 3e38: inf - inf is NaN)
 * extrapolates where there is no coordinate instead of reading anywhere, for linear, cubic and nearest.
 */
static void test_resize_crop_nonfinite(void)
{
	static const char *const modes[3] = { "linear", "cubic", "nearest" };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	float x[16];
	int64_t xd[4] = { 1, 1, 4, 4 };
	for (int i = 0; i < 16; i++)
		x[i] = (float)i;
	for (int md = 0; md < 3; md++) {
		float nan_roi[8] = { 0, 0, NAN, 0, 1, 1, 1, 1 }, inf_roi[8] = { 0, 0, 0, 0, 1, 1, 1, INFINITY };
		float ninf_roi[8] = { 0, 0, -INFINITY, 0, 1, 1, 1, 1 };
		CT_RESULT(crop_model(&b, nan_roi, modes[md]), CELLA_ERR_MODEL_SHAPE);
		CT_RESULT(crop_model(&b, inf_roi, modes[md]), CELLA_ERR_MODEL_SHAPE);
		CT_RESULT(crop_model(&b, ninf_roi, modes[md]), CELLA_ERR_MODEL_SHAPE);
		/* a finite box over the rows, whose coordinates are -inf, NaN and inf: every output extrapolates */
		float huge[8] = { 0, 0, -3e38f, 0, 1, 1, 3e38f, 1 };
		CT_RESULT(crop_model(&b, huge, modes[md]), CELLA_OK);
		CT_RESULT(load(&b, &m), CELLA_OK);
		struct cella_onnx_tensor in = ftensor(x, 4, xd), out;
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.rank == 4 && out.dims[2] == 3 && out.dims[3] == 3);
		for (int i = 0; i < 9; i++)
			CT_ASSERT(((const float *)out.data)[i] == -7.0f);
		cella_onnx_model_free(m);
		/* the ordinary box still reads the input: the centre row of rows [0, 1] is row 1.5 */
		float box[8] = { 0, 0, 0, 0, 1, 1, 1, 1 };
		CT_RESULT(crop_model(&b, box, modes[md]), CELLA_OK);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(((const float *)out.data)[0] == 0.0f && ((const float *)out.data)[8] == 15.0f);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Resize tf_crop_and_resize: NaN/inf roi refused, overflowing coordinates extrapolate");
}

/* ---- attribute-sized loops: bounded by the data, not the attribute ---- */

/* LRN with size 2^40 sums the channels that exist (it looped over all 2^40 per element at load). */
static void test_lrn_huge_size(void)
{
	static const int64_t xd[4] = { 1, 3, 1, 1 };
	static const float xv[3] = { 1, 2, 3 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	Onnx__NodeProto *n = single(&b, 13, "LRN", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 4, xd, xv, sizeof(xv));
	attr_i(&b.g, n, "size", (int64_t)1 << 40);
	attr_f(&b.g, n, "alpha", 1099511627776.0f); /* alpha / size = 1 */
	attr_f(&b.g, n, "beta", 1.0f);
	attr_f(&b.g, n, "bias", 0.0f);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	/* every window covers all 3 channels: y = x / (1 + 4 + 9) */
	for (int i = 0; i < 3; i++)
		CT_ASSERT(fabsf(((const float *)out.data)[i] - xv[i] / 14.0f) < 1e-6f);
	cella_onnx_model_free(m);
	/* size 0 stays refused */
	n = single(&b, 13, "LRN", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 4, xd, xv, sizeof(xv));
	attr_i(&b.g, n, "size", 0);
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	cella_test_pass("LRN with size 2^40 reads only the channels that exist");
}

/*
 * LRN with an even size: the window is [c - floor((size-1)/2), c + ceil((size-1)/2)] (ONNX LRN-13), so with size 2
 * channel c sums itself and the one after it. x = (1, 2, 3), alpha / size = 1, beta 1, bias 0:
 * y0 = 1 / (1 + 4), y1 = 2 / (4 + 9), y2 = 3 / 9 (the last window is cut at C - 1). The window the other way
 * round, [c - 1, c], gives 1/1, 2/5, 3/13.
 */
static void test_lrn_even_size(void)
{
	static const int64_t xd[4] = { 1, 3, 1, 1 };
	static const float xv[3] = { 1, 2, 3 };
	static const float want[3] = { 1.0f / 5, 2.0f / 13, 3.0f / 9 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	Onnx__NodeProto *n = single(&b, 13, "LRN", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 4, xd, xv, sizeof(xv));
	attr_i(&b.g, n, "size", 2);
	attr_f(&b.g, n, "alpha", 2.0f);
	attr_f(&b.g, n, "beta", 1.0f);
	attr_f(&b.g, n, "bias", 0.0f);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.bytes, sizeof(want));
	for (int i = 0; i < 3; i++)
		if (fabsf(((const float *)out.data)[i] - want[i]) > 1e-6f)
			cella_test_fail(__FILE__, __LINE__, "LRN size 2: y[%d] = %g, want %g", i,
					(double)((const float *)out.data)[i], (double)want[i]);
	cella_onnx_model_free(m);
	cella_test_pass("LRN with an even size: the window reaches one channel further up than down");
}

/*
 * Pooling windows of 2^20 taps per dim over a one-element input (pads and strides to match): 2-D MaxPool with
 * storage_order=1 and 3-D Max/AveragePool walked every tap (2^40 and 2^60) per output at load. Each window holds
 * the one element; count_include_pad counts the 2^20 taps per dim that fall in the padded input.
 */
static void test_pool_huge_kernel(void)
{
	static const int64_t k = (int64_t)1 << 20, half = (int64_t)1 << 19;
	static const int64_t ks[3] = { k, k, k }, pads[6] = { half, half, half, half, half, half }, st[3] = { k, k, k };
	static const int64_t xd[5] = { 1, 1, 1, 1, 1 };
	static const float xv[1] = { 5.0f };
	static const char *const ins[] = { "c0", NULL }, *const outs[] = { "y", "idx", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[2];
	for (int nsp = 2; nsp <= 3; nsp++) {
		/* MaxPool with Indices */
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_io(&b.g, 1, "idx", CELLA_ONNX_INT64, -1, NULL);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2 + nsp, xd, xv, sizeof(xv));
		Onnx__NodeProto *n = gb_node(&b.g, "MaxPool", ins, outs);
		attr_ints(&b.g, n, "kernel_shape", ks, (size_t)nsp);
		attr_ints(&b.g, n, "pads", pads, 2 * (size_t)nsp);
		attr_ints(&b.g, n, "strides", st, (size_t)nsp);
		attr_i(&b.g, n, "storage_order", 1);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, NULL, 0, out, 2), CELLA_OK);
		CT_EQ(out[0].rank, 2 + nsp);
		for (int d = 0; d < 2 + nsp; d++)
			CT_EQ(out[0].dims[d], 1);
		CT_ASSERT(((const float *)out[0].data)[0] == 5.0f);
		CT_EQ(((const int64_t *)out[1].data)[0], 0);
		cella_onnx_model_free(m);
		for (int cip = 0; cip < 2; cip++) {
			n = single(&b, 13, "AveragePool", 1, CELLA_ONNX_FLOAT);
			gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2 + nsp, xd, xv, sizeof(xv));
			attr_ints(&b.g, n, "kernel_shape", ks, (size_t)nsp);
			attr_ints(&b.g, n, "pads", pads, 2 * (size_t)nsp);
			attr_ints(&b.g, n, "strides", st, (size_t)nsp);
			attr_i(&b.g, n, "count_include_pad", cip);
			CT_RESULT(load_run(&b, &m, out), CELLA_OK);
			/* with the pads counted: 5 / 2^(20 nsp) (a power of two, exact) */
			float want = cip ? 5.0f / (float)((uint64_t)1 << (20 * nsp)) : 5.0f;
			CT_ASSERT(((const float *)out[0].data)[0] == want);
			cella_onnx_model_free(m);
		}
	}
	cella_test_pass("pooling windows of 2^20 taps per dim over one element");
}

/* A small 3-D MaxPool against a direct computation: dilation, padding, strides, Indices in both storage orders. */
static void test_pool_generic_small(void)
{
	static const int64_t xd[5] = { 1, 1, 3, 4, 5 }, ks[3] = { 2, 2, 3 }, pads[6] = { 1, 0, 2, 0, 1, 1 };
	static const int64_t dl[3] = { 2, 1, 2 }, st[3] = { 1, 2, 1 };
	static const char *const ins[] = { "x", NULL }, *const outs[] = { "y", "idx", NULL };
	float x[60];
	for (int i = 0; i < 60; i++)
		x[i] = (float)((i * 37) % 61) - 30.0f;
	for (int order = 0; order < 2; order++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in = ftensor(x, 5, xd), out[2];
		mb_init(&b, 13);
		gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 5, xd);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_io(&b.g, 1, "idx", CELLA_ONNX_INT64, -1, NULL);
		Onnx__NodeProto *n = gb_node(&b.g, "MaxPool", ins, outs);
		attr_ints(&b.g, n, "kernel_shape", ks, 3);
		attr_ints(&b.g, n, "pads", pads, 6);
		attr_ints(&b.g, n, "dilations", dl, 3);
		attr_ints(&b.g, n, "strides", st, 3);
		attr_i(&b.g, n, "storage_order", order);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, out, 2), CELLA_OK);
		int64_t od[3];
		for (int i = 0; i < 3; i++) {
			od[i] = (xd[2 + i] + pads[i] + pads[i + 3] - ((ks[i] - 1) * dl[i] + 1)) / st[i] + 1;
			CT_EQ(out[0].dims[2 + i], od[i]);
		}
		size_t o = 0;
		for (int64_t a = 0; a < od[0]; a++)
			for (int64_t bb = 0; bb < od[1]; bb++)
				for (int64_t c = 0; c < od[2]; c++, o++) {
					float best = -INFINITY;
					int64_t bi = -1;
					for (int64_t i = 0; i < ks[0]; i++)
						for (int64_t j = 0; j < ks[1]; j++)
							for (int64_t l = 0; l < ks[2]; l++) {
								int64_t p = a * st[0] - pads[0] + i * dl[0];
								int64_t q = bb * st[1] - pads[1] + j * dl[1];
								int64_t r = c * st[2] - pads[2] + l * dl[2];
								if (p < 0 || p >= 3 || q < 0 || q >= 4 || r < 0 || r >= 5)
									continue;
								float v = x[(p * 4 + q) * 5 + r];
								if (bi < 0 || v > best) {
									best = v;
									bi = order ? p + 3 * (q + 4 * r) : (p * 4 + q) * 5 + r;
								}
							}
					CT_ASSERT(((const float *)out[0].data)[o] == best);
					CT_EQ(((const int64_t *)out[1].data)[o], bi);
				}
		cella_onnx_model_free(m);
	}
	cella_test_pass("3-D MaxPool with dilations, pads and strides, Indices in both storage orders");
}

/* ConvTranspose and Conv without channels accept any group, but the work is bounded by the output (empty): a
 * group of 2^62 called the GEMM 2^62 times (ConvTranspose) or packed 2^62 weight groups (Conv) at load. */
static void test_conv_group_no_channels(void)
{
	static const int64_t xd[4] = { 1, 0, 1, 1 }, w00[4] = { 0, 0, 1, 1 }, w02[4] = { 0, 2, 1, 1 };
	static const float none[1] = { 0 };
	static const char *const ins[] = { "x", "w", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (int op = 0; op < 2; op++) {
		Onnx__NodeProto *n = single_in(&b, 13, op ? "Conv" : "ConvTranspose", ins);
		gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 4, xd); /* an input: Conv's weights are packed at load */
		gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 4, w00, none, 0);
		attr_i(&b.g, n, "group", (int64_t)1 << 62);
		CT_RESULT(load(&b, &m), CELLA_OK);
		struct cella_onnx_tensor in = ftensor(NULL, 4, xd);
		in.data = (void *)none;
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.rank == 4 && out.dims[0] == 1 && out.dims[1] == 0 && out.bytes == 0);
		cella_onnx_model_free(m);
	}
	/* ConvTranspose: 2 output channels per group times 2^62 groups does not exist */
	Onnx__NodeProto *n = single_in(&b, 13, "ConvTranspose", ins);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
	gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 4, w02, none, 0);
	attr_i(&b.g, n, "group", (int64_t)1 << 62);
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_SHAPE);
	cella_test_pass("Conv/ConvTranspose without channels: group 2^62 loads and runs to an empty output");
}

/* A 3x3 Conv of 50 channels (K = 450 rows of B, more than one k-panel of any kernel, panels starting inside a
 * channel) on a 37-wide input (column panels that cross output rows), packed from the image as the GEMM goes
 * (conv_pack_b), against the convolution summed here: strides 1 and 2, pads 0 to 2, dilations 1 and 2. Values are
 * multiples of 1/4 whose sums stay exact in float, so any order of summation gives the same bits. */
static void test_conv_im2col(void)
{
	enum { C = 50, H = 9, W = 37, M = 5 };
	static const int64_t xd[4] = { 1, C, H, W }, wd[4] = { M, C, 3, 3 };
	static const char *const ins[] = { "x", "w", NULL };
	static const struct { int64_t s, p, d; } cases[] = { { 1, 1, 1 }, { 2, 1, 1 }, { 1, 2, 2 }, { 2, 0, 2 } };
	static float x[C * H * W], w[M * C * 9];
	for (size_t i = 0; i < C * H * W; i++)
		x[i] = (float)((int)((i * 7 + 3) % 11) - 5) * 0.25f;
	for (size_t i = 0; i < M * C * 9; i++)
		w[i] = (float)((int)((i * 5 + 1) % 9) - 4) * 0.25f;
	for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
		int64_t s = cases[t].s, p = cases[t].p, d = cases[t].d, ext = d * 2 + 1;
		int64_t oh = (H + 2 * p - ext) / s + 1, ow = (W + 2 * p - ext) / s + 1;
		int64_t two[2] = { s, s }, pads[4] = { p, p, p, p }, dil[2] = { d, d };
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		Onnx__NodeProto *n = single_in(&b, 13, "Conv", ins);
		gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 4, xd);
		gb_raw(&b.g, "w", CELLA_ONNX_FLOAT, 4, wd, w, sizeof(w)); /* too large for gb_const */
		attr_ints(&b.g, n, "strides", two, 2);
		attr_ints(&b.g, n, "pads", pads, 4);
		attr_ints(&b.g, n, "dilations", dil, 2);
		CT_RESULT(load(&b, &m), CELLA_OK);
		struct cella_onnx_tensor in = ftensor(x, 4, xd);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.rank == 4 && out.dims[1] == M && out.dims[2] == oh && out.dims[3] == ow);
		const float *y = out.data;
		for (int64_t mo = 0; mo < M; mo++)
			for (int64_t oy = 0; oy < oh; oy++)
				for (int64_t ox = 0; ox < ow; ox++) {
					float want = 0.0f;
					for (int64_t c = 0; c < C; c++)
						for (int64_t ki = 0; ki < 3; ki++)
							for (int64_t kj = 0; kj < 3; kj++) {
								int64_t iy = oy * s - p + ki * d, ix = ox * s - p + kj * d;
								if (iy >= 0 && iy < H && ix >= 0 && ix < W)
									want += x[(c * H + iy) * W + ix] *
										w[((mo * C + c) * 3 + ki) * 3 + kj];
							}
					float got = y[(mo * oh + oy) * ow + ox];
					if (got != want)
						cella_test_fail(__FILE__, __LINE__,
								"Conv stride %lld pad %lld dilation %lld: y[%lld, %lld, %lld] = %g, "
								"want %g", (long long)s, (long long)p, (long long)d, (long long)mo,
								(long long)oy, (long long)ox, (double)got, (double)want);
				}
		cella_onnx_model_free(m);
	}
	cella_test_pass("3x3 Conv packed from the image over several k-panels: strides, pads, dilations");
}

/* ---- LSTM against a reference written out here ---- */

enum { LS = 5, LB = 3, LI = 4, LH = 6 };

static float lstm_act(int k, float v)
{
	switch (k) {
	case 0: return 1.0f / (1.0f + expf(-v));                     /* Sigmoid */
	case 1: return tanhf(v);                                        /* Tanh */
	case 2: return v > 0 ? v : 0;                                   /* Relu */
	case 3: return fminf(1.0f, fmaxf(0.0f, 0.2f * v + 0.5f));      /* HardSigmoid 0.2, 0.5 */
	default: return v / (1.0f + fabsf(v));                          /* Softsign */
	}
}

/* y (the LSTM's Y) against the recurrence computed here in double from ONNX's definition (test_lstm_reference). */
static void lstm_compare(const float *y, const float *x, const float *w, const float *r, const float *bias,
			 const int32_t *sl, const float *h0, const float *c0, const float *pp, int x_const)
{
	static const int kinds[2][3] = { { 0, 1, 2 }, { 3, 4, 1 } };
	double maxerr = 0;
	for (int d = 0; d < 2; d++)
		for (int bt = 0; bt < LB; bt++) {
			double h[LH], c[LH];
			const int *k = kinds[d];
			for (int j = 0; j < LH; j++) {
				h[j] = h0[(d * LB + bt) * LH + j];
				c[j] = c0[(d * LB + bt) * LH + j];
			}
			for (int st = 0; st < LS; st++) {
				int t = d ? sl[bt] - 1 - st : st;
				double pre[4][LH], hn[LH];
				if (st >= sl[bt]) { /* past the length: Y is 0 */
					for (int j = 0; j < LH; j++)
						maxerr = fmax(maxerr, fabs((double)y[((st * 2 + d) * LB + bt) * LH + j]));
					continue;
				}
				for (int q = 0; q < 4; q++)
					for (int j = 0; j < LH; j++) {
						int row = q * LH + j;
						double v = bias[d * 8 * LH + row] + bias[d * 8 * LH + 4 * LH + row];
						for (int i = 0; i < LI; i++)
							v += (double)x[(t * LB + bt) * LI + i] * w[(d * 4 * LH + row) * LI + i];
						for (int i = 0; i < LH; i++)
							v += h[i] * r[(d * 4 * LH + row) * LH + i];
						pre[q][j] = v;
					}
#define CLIP(v) fmin(0.5, fmax(-0.5, (v)))
				for (int j = 0; j < LH; j++) {
					const float *pj = pp + d * 3 * LH;
					double ig = lstm_act(k[0], (float)CLIP(pre[0][j] + pj[j] * c[j]));
					double cg = lstm_act(k[1], (float)CLIP(pre[3][j]));
					double cn = (1.0 - ig) * c[j] + ig * cg;
					double og = lstm_act(k[0], (float)CLIP(pre[1][j] + pj[LH + j] * cn));
					c[j] = cn;
					hn[j] = og * lstm_act(k[2], (float)cn);
				}
#undef CLIP
				for (int j = 0; j < LH; j++) {
					h[j] = hn[j];
					maxerr = fmax(maxerr, fabs((double)y[((t * 2 + d) * LB + bt) * LH + j] - hn[j]));
				}
			}
		}
	if (!(maxerr < 2e-5))
		cella_test_fail(__FILE__, __LINE__, "LSTM (x %s) differs from the reference by %g",
				x_const ? "a constant" : "an input", maxerr);
}

/*
 * A bidirectional LSTM with every option at once: peepholes, clip 0.5, input_forget (f = 1 - i), sequence lengths
 * 5, 2 and 4, initial h and c, and other activations per direction (Sigmoid, Tanh, Relu forward; HardSigmoid,
 * Softsign, Tanh in reverse), over 6 units (not a vector's width), against the recurrence computed here in double
 * from ONNX's definition (gates i, o, f, c; clip on every gate's input, not on the cell, whose initial values reach
 * past the clip; Y zero past a sequence's length).
 */
static void test_lstm_reference(void)
{
	static const int64_t xd[3] = { LS, LB, LI }, wd[3] = { 2, 4 * LH, LI }, rd[3] = { 2, 4 * LH, LH },
			     bd[2] = { 2, 8 * LH }, sd[1] = { LB }, hd[3] = { 2, LB, LH }, pd[2] = { 2, 3 * LH };
	static const char *const ins[] = { "x", "w", "r", "b", "sl", "h0", "c0", "p", NULL };
	static const int32_t sl[LB] = { 5, 2, 4 };
	static float x[LS * LB * LI], w[2 * 4 * LH * LI], r[2 * 4 * LH * LH], bias[2 * 8 * LH], h0[2 * LB * LH],
		c0[2 * LB * LH], pp[2 * 3 * LH];
	static ProtobufCBinaryData acts[6] = { { 7, (uint8_t *)"Sigmoid" }, { 4, (uint8_t *)"Tanh" },
					       { 4, (uint8_t *)"Relu" },    { 11, (uint8_t *)"HardSigmoid" },
					       { 8, (uint8_t *)"Softsign" }, { 4, (uint8_t *)"Tanh" } };
	static float alpha[6] = { 0, 0, 0, 0.2f, 0, 0 }, beta[6] = { 0, 0, 0, 0.5f, 0, 0 };
	float *all[] = { x, w, r, bias, h0, c0, pp };
	size_t lens[] = { LS * LB * LI, 2 * 4 * LH * LI, 2 * 4 * LH * LH, 2 * 8 * LH, 2 * LB * LH, 2 * LB * LH, 2 * 3 * LH };
	uint32_t seed = 7;
	for (size_t a = 0; a < 7; a++)
		for (size_t i = 0; i < lens[a]; i++) {
			seed = seed * 1664525u + 1013904223u;
			all[a][i] = ((float)(seed >> 8) / 16777216.0f - 0.5f) * (a == 0 ? 2.0f : a == 5 ? 4.0f : 0.8f);
		}
	/* x a graph input: W and R packed at load (rnn_prepare); x a constant: the whole node folded at load, R
	 * packed by the run */
	for (int x_const = 0; x_const <= 1; x_const++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out, in = ftensor(x, 3, xd);
		struct cella_onnx_stats st;
		Onnx__NodeProto *n = single_in(&b, 14, "LSTM", ins);
		if (x_const)
			gb_raw(&b.g, "x", CELLA_ONNX_FLOAT, 3, xd, x, sizeof(x));
		else
			gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 3, xd);
		gb_raw(&b.g, "w", CELLA_ONNX_FLOAT, 3, wd, w, sizeof(w));
		gb_raw(&b.g, "r", CELLA_ONNX_FLOAT, 3, rd, r, sizeof(r));
		gb_raw(&b.g, "b", CELLA_ONNX_FLOAT, 2, bd, bias, sizeof(bias));
		gb_raw(&b.g, "sl", CELLA_ONNX_INT32, 1, sd, sl, sizeof(sl));
		gb_raw(&b.g, "h0", CELLA_ONNX_FLOAT, 3, hd, h0, sizeof(h0));
		gb_raw(&b.g, "c0", CELLA_ONNX_FLOAT, 3, hd, c0, sizeof(c0));
		gb_raw(&b.g, "p", CELLA_ONNX_FLOAT, 2, pd, pp, sizeof(pp));
		attr_i(&b.g, n, "hidden_size", LH);
		attr_s(&b.g, n, "direction", "bidirectional");
		attr_f(&b.g, n, "clip", 0.5f);
		attr_i(&b.g, n, "input_forget", 1);
		Onnx__AttributeProto *a = gb_attr(&b.g, n, "activations", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
		a->n_strings = 6;
		a->strings = acts;
		a = gb_attr(&b.g, n, "activation_alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
		a->n_floats = 6;
		a->floats = alpha;
		a = gb_attr(&b.g, n, "activation_beta", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
		a->n_floats = 6;
		a->floats = beta;
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, x_const ? NULL : &in, x_const ? 0 : 1, &out, 1), CELLA_OK);
		cella_onnx_model_stats(m, &st);
		/* packed at load, W and R are held packed only: their 24 gate rows padded to a panel of 16 or 32 make the
		 * packed form larger than the raw one, but less than twice as large (both kept) */
		size_t raw = sizeof(w) + sizeof(r) + sizeof(bias) + sizeof(sl) + sizeof(h0) + sizeof(c0) + sizeof(pp);
		if (!x_const)
			CT_ASSERT(st.nodes == 1 && st.weight_bytes > raw && st.weight_bytes < raw + sizeof(w) + sizeof(r));
		CT_ASSERT(out.rank == 4 && out.dims[0] == LS && out.dims[1] == 2 && out.dims[2] == LB && out.dims[3] == LH);
		lstm_compare(out.data, x, w, r, bias, sl, h0, c0, pp, x_const);
		cella_onnx_model_free(m);
	}
	cella_test_pass("bidirectional LSTM with peepholes, clip, input_forget, lengths and six activations: the "
			"reference recurrence");
}

/* ---- If: branches take no inputs ---- */

static void test_if_branch_inputs(void)
{
	static const int64_t one[1] = { 1 };
	static const uint8_t t = 1;
	static const float c = 2.0f;
	static const char *const ins[] = { "cond", NULL }, *const bo[] = { "bout", NULL }, *const ident[] = { "c", NULL };
	for (int declare = 0; declare < 2; declare++) {
		struct mb b;
		struct gb br[2];
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "cond", CELLA_ONNX_BOOL, 0, NULL, &t, 1);
		gb_const(&b.g, "c", CELLA_ONNX_FLOAT, 1, one, &c, sizeof(c));
		Onnx__NodeProto *n = gb_node(&b.g, "If", ins, Y);
		for (int k = 0; k < 2; k++) {
			gb_init(&br[k], k ? "else" : "then");
			if (declare && k == 0) {
				/* a branch input: nothing produces it, its output would be whatever the arena held */
				gb_io(&br[k], 0, "bin", CELLA_ONNX_FLOAT, 1, one);
				static const char *const bi[] = { "bin", NULL };
				gb_node(&br[k], "Identity", bi, bo);
			} else {
				gb_node(&br[k], "Identity", ident, bo);
			}
			gb_io(&br[k], 1, "bout", CELLA_ONNX_FLOAT, -1, NULL);
			attr_g(&b.g, n, k ? "else_branch" : "then_branch", &br[k]);
		}
		if (declare) {
			CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
			CT_ASSERT(strstr(last_log, "declares inputs") != NULL);
			continue;
		}
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 1 && ((const float *)out.data)[0] == 2.0f);
		cella_onnx_model_free(m);
	}
	cella_test_pass("If: a branch that declares inputs is refused; one reading outer values runs");
}

/* ---- Loop ---- */

#define LF_LESS 1    /* the body's condition is iteration < 2, else its condition input */
#define LF_GROW 2    /* x_out = Concat(x, x), else x + 1 */
#define LF_SHAPE 4   /* scan output 0 is Shape(x_out) (int64), else x_out */
#define LF_BADCOND 8 /* the body's condition is a float */
#define LF_INTOUT 16 /* x_out is x cast to int64 */
#define LF_EXTRA 32  /* the body declares a fourth input */
#define NO_INPUT INT64_MIN
#define M_INT32 (INT64_MIN + 1) /* M given as an int32 3 */

/* Loop(M, cond, x0 = [1]) with the body the flags say (scan outputs: x_out or its shape, and the iteration number),
 * run with the given limits (0: defaults); M or cond NO_INPUT: left out. out[3]: x's final value and the two scan
 * outputs, valid until *m is freed. The load's or the run's result. */
static cella_result loop_case(int64_t mv, int64_t cv, int flags, uint64_t max_iter, uint64_t max_bytes,
			      struct cella_onnx_model **m, struct cella_onnx_tensor out[3])
{
	static const int64_t d1[1] = { 1 };
	static const float one = 1, x0 = 1;
	static const int64_t two = 2;
	static const int32_t m32 = 3;
	static const char *const outs[] = { "xf", "s1f", "s2f", NULL };
	static const char *const less_in[] = { "i", "two", NULL }, *const c_in[] = { "c", NULL };
	static const char *const add_in[] = { "x", "one", NULL }, *const cat_in[] = { "x", "x", NULL };
	static const char *const xo_in[] = { "x_out", NULL }, *const i_in[] = { "i", NULL }, *const x_in[] = { "x", NULL };
	static const char *const c_o[] = { "c_out", NULL }, *const x_o[] = { "x_out", NULL };
	static const char *const s1_o[] = { "s1", NULL }, *const s2_o[] = { "s2", NULL };
	const char *ins[] = { mv == NO_INPUT ? "" : "M", cv == NO_INPUT ? "" : "cond", "x0", NULL };
	uint8_t cb = cv != NO_INPUT && cv != 0;
	struct mb b;
	struct gb body;
	mb_init(&b, 13);
	gb_io(&b.g, 1, "xf", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&b.g, 1, "s1f", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&b.g, 1, "s2f", CELLA_ONNX_INT64, -1, NULL);
	if (mv == M_INT32)
		gb_const(&b.g, "M", CELLA_ONNX_INT32, 0, NULL, &m32, sizeof(m32));
	else if (mv != NO_INPUT)
		gb_const(&b.g, "M", CELLA_ONNX_INT64, 0, NULL, &mv, sizeof(mv));
	if (cv != NO_INPUT)
		gb_const(&b.g, "cond", CELLA_ONNX_BOOL, 0, NULL, &cb, 1);
	gb_const(&b.g, "x0", CELLA_ONNX_FLOAT, 1, d1, &x0, sizeof(x0));
	gb_const(&b.g, "one", CELLA_ONNX_FLOAT, 1, d1, &one, sizeof(one));
	gb_const(&b.g, "two", CELLA_ONNX_INT64, 0, NULL, &two, sizeof(two));
	Onnx__NodeProto *n = gb_node(&b.g, "Loop", ins, outs);
	gb_init(&body, "body");
	gb_io(&body, 0, "i", CELLA_ONNX_INT64, 0, NULL);
	gb_io(&body, 0, "c", CELLA_ONNX_BOOL, 0, NULL);
	gb_io(&body, 0, "x", CELLA_ONNX_FLOAT, -1, NULL);
	if (flags & LF_EXTRA)
		gb_io(&body, 0, "extra", CELLA_ONNX_FLOAT, -1, NULL);
	if (flags & LF_BADCOND)
		attr_i(&body, gb_node(&body, "Cast", c_in, c_o), "to", CELLA_ONNX_FLOAT);
	else
		gb_node(&body, flags & LF_LESS ? "Less" : "Identity", flags & LF_LESS ? less_in : c_in, c_o);
	if (flags & LF_INTOUT)
		attr_i(&body, gb_node(&body, "Cast", x_in, x_o), "to", CELLA_ONNX_INT64);
	else if (flags & LF_GROW)
		attr_i(&body, gb_node(&body, "Concat", cat_in, x_o), "axis", 0);
	else
		gb_node(&body, "Add", add_in, x_o);
	gb_node(&body, flags & LF_SHAPE ? "Shape" : "Identity", xo_in, s1_o);
	gb_node(&body, "Identity", i_in, s2_o);
	gb_io(&body, 1, "c_out", flags & LF_BADCOND ? CELLA_ONNX_FLOAT : CELLA_ONNX_BOOL, -1, NULL);
	gb_io(&body, 1, "x_out", flags & LF_INTOUT ? CELLA_ONNX_INT64 : CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&body, 1, "s1", flags & LF_SHAPE ? CELLA_ONNX_INT64 : CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&body, 1, "s2", CELLA_ONNX_INT64, -1, NULL);
	attr_g(&b.g, n, "body", &body);
	size_t len = onnx__model_proto__get_packed_size(&b.m);
	uint8_t *buf = malloc(len);
	struct cella_onnx_options o = { .log = logcb, .max_loop_iterations = max_iter, .max_tensor_bytes = max_bytes };
	CT_ASSERT(buf != NULL);
	onnx__model_proto__pack(&b.m, buf);
	last_log[0] = '\0';
	*m = NULL;
	cella_result r = cella_onnx_model_new(buf, len, &o, m);
	free(buf);
	if (r != CELLA_OK)
		return r;
	return cella_onnx_model_run(*m, NULL, 0, out, 3);
}

/* The tensor's n int64 values (or floats, read as float) are want's. */
static void expect_vals(const struct cella_onnx_tensor *t, int dtype, const int64_t *want, size_t n, const char *what)
{
	if ((int)t->dtype != dtype || t->bytes != n * (dtype == CELLA_ONNX_FLOAT ? 4 : 8))
		cella_test_fail(__FILE__, __LINE__, "%s: %s of %zu bytes", what, cella_onnx_dtype_name(t->dtype), t->bytes);
	for (size_t i = 0; i < n; i++) {
		int64_t v = dtype == CELLA_ONNX_FLOAT ? (int64_t)((const float *)t->data)[i] : ((const int64_t *)t->data)[i];
		if (v != want[i])
			cella_test_fail(__FILE__, __LINE__, "%s: [%zu] = %lld, want %lld", what, i, (long long)v,
					(long long)want[i]);
	}
}

static void test_loop(void)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[3];
	static const int64_t x2to5[4] = { 2, 3, 4, 5 }, it4[4] = { 0, 1, 2, 3 }, five[1] = { 5 }, four[1] = { 4 };
	static const int64_t six[1] = { 6 }, one[1] = { 1 }, sizes[3] = { 2, 4, 8 };
	/* M = 4 with a condition that stays true: x = 1 + 4, the scans stacked on a new first axis */
	CT_RESULT(loop_case(4, 1, 0, 0, 0, &m, out), CELLA_OK);
	expect_vals(&out[0], CELLA_ONNX_FLOAT, five, 1, "M 4: x");
	CT_ASSERT(out[1].rank == 2 && out[1].dims[0] == 4 && out[1].dims[1] == 1);
	expect_vals(&out[1], CELLA_ONNX_FLOAT, x2to5, 4, "M 4: scan of x");
	CT_ASSERT(out[2].rank == 1 && out[2].dims[0] == 4);
	expect_vals(&out[2], CELLA_ONNX_INT64, it4, 4, "M 4: scan of the iteration number");
	cella_onnx_model_free(m);
	/* no M: the body's condition (iteration < 2) ends the loop after iterations 0, 1 and 2 */
	CT_RESULT(loop_case(NO_INPUT, 1, LF_LESS, 0, 0, &m, out), CELLA_OK);
	expect_vals(&out[0], CELLA_ONNX_FLOAT, four, 1, "condition: x");
	CT_ASSERT(out[2].dims[0] == 3);
	cella_onnx_model_free(m);
	/* without the cond input the body's condition is ignored: M = 5 runs 5 times */
	CT_RESULT(loop_case(5, NO_INPUT, LF_LESS, 0, 0, &m, out), CELLA_OK);
	expect_vals(&out[0], CELLA_ONNX_FLOAT, six, 1, "M 5, no cond: x");
	cella_onnx_model_free(m);
	/* no iteration (M 0, M -3, cond false): x as given, the scans empty vectors of their declared types */
	static const int64_t none[3][2] = { { 0, 1 }, { -3, 1 }, { 4, 0 } };
	for (int k = 0; k < 3; k++) {
		CT_RESULT(loop_case(none[k][0], none[k][1], 0, 0, 0, &m, out), CELLA_OK);
		expect_vals(&out[0], CELLA_ONNX_FLOAT, one, 1, "no iteration: x");
		CT_ASSERT(out[1].rank == 1 && out[1].dims[0] == 0 && out[1].dtype == CELLA_ONNX_FLOAT);
		CT_ASSERT(out[2].rank == 1 && out[2].dims[0] == 0 && out[2].dtype == CELLA_ONNX_INT64);
		cella_onnx_model_free(m);
	}
	/* a carried value may change shape: x doubles 3 times to 8 elements; its shapes scanned */
	CT_RESULT(loop_case(3, 1, LF_GROW | LF_SHAPE, 0, 0, &m, out), CELLA_OK);
	CT_ASSERT(out[0].rank == 1 && out[0].dims[0] == 8);
	CT_ASSERT(out[1].rank == 2 && out[1].dims[0] == 3 && out[1].dims[1] == 1);
	expect_vals(&out[1], CELLA_ONNX_INT64, sizes, 3, "growing x: scan of its shape");
	cella_onnx_model_free(m);
	/* refusals, each named */
	static const struct {
		int64_t mv, cv;
		int flags;
		uint64_t max_iter, max_bytes;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ NO_INPUT, NO_INPUT, 0, 50, 0, CELLA_ERR_TOO_LARGE, "more than max_loop_iterations (50) iterations" },
		{ NO_INPUT, 1, 0, 1000, 0, CELLA_ERR_TOO_LARGE, "more than max_loop_iterations (1000) iterations" },
		{ 20, 1, 0, 0, 64, CELLA_ERR_TOO_LARGE, "scan output 1 over max_tensor_bytes (64) at iteration 8" },
		{ 3, 1, LF_GROW, 0, 0, CELLA_ERR_MODEL_SHAPE, "scan output 0 changes its type or shape at iteration 1" },
		{ M_INT32, 1, 0, 0, 0, CELLA_ERR_MODEL_SHAPE, "input 0 ('M') is int32 of 1 elements: one int64" },
		{ 3, 1, LF_BADCOND, 0, 0, CELLA_ERR_MODEL_SHAPE, "body output 0 (the condition) is not one bool" },
		{ 3, 1, LF_INTOUT, 0, 0, CELLA_ERR_MODEL, "body output 1 is int64, the loop-carried value float" },
		{ 3, 1, LF_EXTRA, 0, 0, CELLA_ERR_MODEL, "a body of 4 inputs and 4 outputs" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = loop_case(bad[i].mv, bad[i].cv, bad[i].flags, bad[i].max_iter, bad[i].max_bytes, &m, out);
		if (r != bad[i].r || !strstr(last_log, "(Loop)") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, logged '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Loop: trip count, condition, both, no iteration, a carried value changing shape; 8 refusals "
			"named (endless loops stopped at max_loop_iterations)");
}

/* ---- integer Div and Mod ---- */

/* y = op(a, b) over constants of one integer type (n elements of es bytes each); returns y's bytes in want's size */
static void int_binop(const char *op, int fmod, int dtype, size_t es, const void *a, const void *b, size_t n,
		      const void *want)
{
	int64_t d[1] = { (int64_t)n };
	struct mb mb;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	Onnx__NodeProto *nd = single(&mb, 13, op, 2, dtype);
	gb_const(&mb.g, "c0", dtype, 1, d, a, n * es);
	gb_const(&mb.g, "c1", dtype, 1, d, b, n * es);
	if (fmod >= 0)
		attr_i(&mb.g, nd, "fmod", fmod);
	CT_RESULT(load_run(&mb, &m, &out), CELLA_OK);
	CT_EQ(out.dtype, dtype);
	CT_EQ(out.bytes, n * es);
	if (memcmp(out.data, want, n * es) != 0)
		cella_test_fail(__FILE__, __LINE__, "%s(fmod=%d) of type %d: got %s", op, fmod, dtype,
				cella_test_hex(out.data, n * es));
	cella_onnx_model_free(m);
}

static void test_int_div_mod(void)
{
	/* unsigned: 255 is not -1 */
	static const uint8_t u8a[4] = { 200, 255, 7, 0 }, u8b[4] = { 255, 255, 0, 255 };
	static const uint8_t u8div[4] = { 0, 1, 0, 0 }, u8mod[4] = { 200, 0, 0, 0 };
	int_binop("Div", -1, CELLA_ONNX_UINT8, 1, u8a, u8b, 4, u8div);
	int_binop("Mod", 0, CELLA_ONNX_UINT8, 1, u8a, u8b, 4, u8mod);
	int_binop("Mod", 1, CELLA_ONNX_UINT8, 1, u8a, u8b, 4, u8mod);
	static const uint32_t u32a[3] = { 5, 0xffffffffu, 0xfffffffeu }, u32b[3] = { 0xffffffffu, 7, 0xffffffffu };
	static const uint32_t u32div[3] = { 0, 613566756u, 0 }, u32mod[3] = { 5, 3, 0xfffffffeu };
	int_binop("Div", -1, CELLA_ONNX_UINT32, 4, u32a, u32b, 3, u32div);
	int_binop("Mod", 0, CELLA_ONNX_UINT32, 4, u32a, u32b, 3, u32mod);
	static const uint64_t u64a[2] = { UINT64_MAX, 10 }, u64b[2] = { UINT64_MAX, UINT64_MAX };
	static const uint64_t u64div[2] = { 1, 0 }, u64mod[2] = { 0, 10 };
	int_binop("Div", -1, CELLA_ONNX_UINT64, 8, u64a, u64b, 2, u64div);
	int_binop("Mod", 0, CELLA_ONNX_UINT64, 8, u64a, u64b, 2, u64mod);
	/* signed: INT_MIN / -1 wraps, x / 0 is 0; the remainder takes the divisor's sign without overflowing */
	static const int32_t i32a[8] = { INT32_MIN, 7, 5, -1, -7, 7, INT32_MIN, INT32_MAX };
	static const int32_t i32b[8] = { -1, 0, INT32_MAX, INT32_MIN, 3, -3, -1, INT32_MIN };
	static const int32_t i32div[8] = { INT32_MIN, 0, 0, 0, -2, -2, INT32_MIN, 0 };
	static const int32_t i32mod[8] = { 0, 0, 5, -1, 2, -2, 0, -1 };
	static const int32_t i32fmod[8] = { 0, 0, 5, -1, -1, 1, 0, INT32_MAX };
	int_binop("Div", -1, CELLA_ONNX_INT32, 4, i32a, i32b, 8, i32div);
	int_binop("Mod", 0, CELLA_ONNX_INT32, 4, i32a, i32b, 8, i32mod);
	int_binop("Mod", 1, CELLA_ONNX_INT32, 4, i32a, i32b, 8, i32fmod);
	static const int64_t i64a[4] = { INT64_MIN, -1, INT64_MAX, -9 }, i64b[4] = { -1, INT64_MIN, 2, 4 };
	static const int64_t i64div[4] = { INT64_MIN, 0, INT64_MAX / 2, -2 }, i64mod[4] = { 0, -1, 1, 3 };
	int_binop("Div", -1, CELLA_ONNX_INT64, 8, i64a, i64b, 4, i64div);
	int_binop("Mod", 0, CELLA_ONNX_INT64, 8, i64a, i64b, 4, i64mod);
	static const int8_t i8a[3] = { -128, -128, 100 }, i8b[3] = { -1, 127, -128 };
	static const int8_t i8div[3] = { -128, -1, 0 }, i8mod[3] = { 0, 126, -28 };
	int_binop("Div", -1, CELLA_ONNX_INT8, 1, i8a, i8b, 3, i8div);
	int_binop("Mod", 0, CELLA_ONNX_INT8, 1, i8a, i8b, 3, i8mod);
	cella_test_pass("integer Div and Mod: unsigned, signed extremes, both fmod modes");
}

/* ---- Slice with a negative step ---- */

static void slice_run(const int64_t *data, int64_t dim, int64_t start, int64_t end, int64_t step, int64_t want_n,
		      const int64_t *want)
{
	static const int64_t one[1] = { 1 };
	static const char *const ins[] = { "c0", "s", "e", "a", "st", NULL };
	const int64_t d[1] = { dim }, zero = 0;
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	mb_init(&b, 13);
	gb_io(&b.g, 1, "y", CELLA_ONNX_INT64, -1, NULL);
	gb_const(&b.g, "c0", CELLA_ONNX_INT64, 1, d, data, (size_t)dim * 8);
	gb_const(&b.g, "s", CELLA_ONNX_INT64, 1, one, &start, 8);
	gb_const(&b.g, "e", CELLA_ONNX_INT64, 1, one, &end, 8);
	gb_const(&b.g, "a", CELLA_ONNX_INT64, 1, one, &zero, 8);
	gb_const(&b.g, "st", CELLA_ONNX_INT64, 1, one, &step, 8);
	gb_node(&b.g, "Slice", ins, Y);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.rank, 1);
	if (out.dims[0] != want_n || (want_n && memcmp(out.data, want, (size_t)want_n * 8) != 0))
		cella_test_fail(__FILE__, __LINE__, "Slice [%lld:%lld:%lld] of %lld elements gave %lld",
				(long long)start, (long long)end, (long long)step, (long long)dim, (long long)out.dims[0]);
	cella_onnx_model_free(m);
}

/* The spec clamps a negative step's start into [0, dim-1] (numpy would make a start before the data empty) and
 * its end into [-1, dim-1]. */
static void test_slice_negative_step(void)
{
	static const int64_t x[4] = { 0, 1, 2, 3 }, r0[1] = { 0 }, r10[2] = { 1, 0 }, r3210[4] = { 3, 2, 1, 0 };
	static const int64_t r31[2] = { 3, 1 };
	slice_run(x, 4, -10, -20, -1, 1, r0);
	slice_run(x, 4, -10, -5, -1, 1, r0);
	slice_run(x, 4, 1, -20, -1, 2, r10);
	slice_run(x, 4, 100, -100, -1, 4, r3210);
	slice_run(x, 4, 3, 0, -2, 2, r31);
	slice_run(x, 4, 0, 0, -1, 0, NULL);
	slice_run(x, 4, -10, -20, 1, 0, NULL);
	slice_run(x, 0, -10, -20, -1, 0, NULL); /* nothing to take from an empty dim */
	slice_run(x, 0, 0, -1, -1, 0, NULL);
	cella_test_pass("Slice with negative steps clamps start into [0, dim-1]");
}

/* ---- HardSwish fusion keeps broadcasting's rank ---- */

/* y = x * Clip(x + 3, 0, 6) / 6 with the 3 and the 6 of rank crank (one element); x is [2]. Before opset 7, Add and
 * Div have broadcast=bcast (< 0: absent) and Clip its bounds as attributes. */
static void hswish_case(int64_t opset, int64_t bcast, int crank, int want_rank)
{
	static const int64_t xd[1] = { 2 }, ones[2] = { 1, 1 };
	static const float three = 3, zero = 0, six = 6;
	static const char *const add[] = { "x", "three", NULL }, *const clip[] = { "a", "zero", "six", NULL };
	static const char *const mul[] = { "x", "c", NULL }, *const dv[] = { "p", "six_r", NULL };
	static const char *const ao[] = { "a", NULL }, *const co[] = { "c", NULL }, *const po[] = { "p", NULL };
	float x[2] = { -1.0f, 1.0f };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in = ftensor(x, 1, xd), out;
	Onnx__NodeProto *nadd, *nclip, *ndiv;
	mb_init(&b, opset);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 1, xd);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "three", CELLA_ONNX_FLOAT, crank, ones, &three, 4);
	gb_const(&b.g, "zero", CELLA_ONNX_FLOAT, 0, NULL, &zero, 4);
	gb_const(&b.g, "six", CELLA_ONNX_FLOAT, 0, NULL, &six, 4);
	gb_const(&b.g, "six_r", CELLA_ONNX_FLOAT, crank, ones, &six, 4);
	nadd = gb_node(&b.g, "Add", add, ao);
	nclip = gb_node(&b.g, "Clip", clip, co);
	gb_node(&b.g, "Mul", mul, po);
	ndiv = gb_node(&b.g, "Div", dv, Y);
	if (opset < 7) {
		nclip->n_input = 1;
		attr_f(&b.g, nclip, "min", 0.0f);
		attr_f(&b.g, nclip, "max", 6.0f);
		if (bcast >= 0) {
			attr_i(&b.g, nadd, "broadcast", bcast);
			attr_i(&b.g, ndiv, "broadcast", bcast);
		}
	}
	if (want_rank < 0) { /* the unfused nodes refuse the shapes: so must the model, at load or (x [N]) at run */
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_SHAPE);
		b.g.dims[0][0].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
		b.g.dims[0][0].dim_param = "N";
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_MODEL_SHAPE);
		cella_onnx_model_free(m);
		return;
	}
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
	CT_EQ(out.rank, want_rank);
	for (int d = 0; d + 1 < want_rank; d++)
		CT_EQ(out.dims[d], 1);
	CT_EQ(out.dims[want_rank - 1], 2);
	/* -1 * 2 / 6 and 1 * 4 / 6 */
	CT_ASSERT(fabsf(((const float *)out.data)[0] + 1.0f / 3.0f) < 1e-6f);
	CT_ASSERT(fabsf(((const float *)out.data)[1] - 2.0f / 3.0f) < 1e-6f);
	struct cella_onnx_stats st;
	cella_onnx_model_stats(m, &st);
	if (crank <= 1 && opset >= 7)
		CT_EQ(st.nodes, 1); /* fused: same shape either way */
	cella_onnx_model_free(m);
}

static void test_hardswish_rank(void)
{
	hswish_case(13, -1, 0, 1);
	hswish_case(13, -1, 1, 1);
	hswish_case(13, -1, 2, 2); /* [1, 1] constants broadcast x to [1, 2]: not one HardSwish of x */
	/* opset 6: the 3 and the 6 broadcast with broadcast=1 only; without it the Add refuses x [2] + [1] (it was
	 * fused all the same, and the model loaded) */
	hswish_case(6, 1, 1, 1);
	hswish_case(6, -1, 1, -1);
	hswish_case(6, 0, 0, -1);
	{
		/* a Mul with an absent input ("") is looked at as a root of the pattern (found by fuzz_model_load: the
		 * rank check read the value before index 0) and refused like any Mul without its operands */
		static const int64_t xd[1] = { 2 };
		static const float six = 6;
		static const char *const dv[] = { "x", "six", NULL }, *const mul[] = { "", "d", NULL };
		static const char *const dout[] = { "d", NULL };
		struct mb b;
		struct cella_onnx_model *m = NULL;
		mb_init(&b, 13);
		gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 1, xd);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "six", CELLA_ONNX_FLOAT, 0, NULL, &six, 4);
		gb_node(&b.g, "Div", dv, dout);
		gb_node(&b.g, "Mul", mul, Y);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	}
	cella_test_pass("HardSwish fusion only where the constants do not add dims, and not before opset 7");
}

/* ---- attributes of the wrong type ---- */

static void test_attr_types(void)
{
	static const int64_t d2[2] = { 2, 1 }, dyn[2] = { -1, 1 };
	static const float v[2] = { 1, 2 };
	static const char *const cat[] = { "c0", "c1", NULL }, *const cat_in[] = { "x", "x", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	/* Concat's axis as a FLOAT: refused at load (it concatenated on the default axis 0) */
	Onnx__NodeProto *n = single_in(&b, 13, "Concat", cat);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d2, v, sizeof(v));
	gb_const(&b.g, "c1", CELLA_ONNX_FLOAT, 2, d2, v, sizeof(v));
	attr_f(&b.g, n, "axis", 1.0f);
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "'axis'") != NULL && strstr(last_log, "wrong type") != NULL);
	/* the INT it should be works */
	b.g.attrs[0][0].type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	b.g.attrs[0][0].has_i = 1;
	b.g.attrs[0][0].i = 1;
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 2 && out.dims[0] == 2 && out.dims[1] == 2);
	cella_onnx_model_free(m);
	/* with a dynamic input the node first runs at run time: refused there, with the same code */
	mb_init(&b, 13);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 2, dyn);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	n = gb_node(&b.g, "Concat", cat_in, Y);
	attr_s(&b.g, n, "axis", "1");
	CT_RESULT(load(&b, &m), CELLA_OK);
	{
		float x[2] = { 1, 2 };
		struct cella_onnx_tensor in = ftensor(x, 2, d2);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_MODEL);
	}
	cella_onnx_model_free(m);
	/* an INTS where a STRING belongs, and a STRING where INTS belong */
	n = single(&b, 10, "Pad", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d2, v, sizeof(v));
	{
		static const int64_t pads[4] = { 0, 0, 0, 0 };
		attr_ints(&b.g, n, "pads", pads, 4);
		attr_ints(&b.g, n, "mode", pads, 1);
	}
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	n = single(&b, 13, "Transpose", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d2, v, sizeof(v));
	attr_s(&b.g, n, "perm", "1,0");
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
	cella_test_pass("attributes of the wrong type refused (at load, or at run when the node first runs then)");
}

/* A fused activation's attribute of the wrong type: not fused away with a default, refused like any other. */
static void test_attr_types_fused(void)
{
	static const int64_t xd[4] = { 1, 1, 2, 2 }, wd[4] = { 1, 1, 1, 1 }, dyn[4] = { 1, 1, -1, -1 };
	static const float w = 1.0f;
	static const char *const ins[] = { "x", "w", NULL }, *const co[] = { "c", NULL }, *const li[] = { "c", NULL };
	for (int bad = 0; bad < 2; bad++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		float x[4] = { -1, 2, -3, 4 };
		struct cella_onnx_tensor in = ftensor(x, 4, xd);
		mb_init(&b, 13);
		gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 4, dyn);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 4, wd, &w, 4);
		gb_node(&b.g, "Conv", ins, co);
		Onnx__NodeProto *n = gb_node(&b.g, "LeakyRelu", li, Y);
		if (bad)
			attr_s(&b.g, n, "alpha", "0.5");
		else
			attr_f(&b.g, n, "alpha", 0.5f);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), bad ? CELLA_ERR_MODEL : CELLA_OK);
		if (!bad)
			CT_ASSERT(((const float *)out.data)[0] == -0.5f && ((const float *)out.data)[3] == 4.0f);
		cella_onnx_model_free(m);
	}
	cella_test_pass("a fused activation's mistyped attribute is refused, not replaced by its default");
}

/* ---- Pad, Split, Cast, Gelu ---- */

static void test_pad_split_bounds(void)
{
	static const int64_t d4[1] = { 4 }, two[1] = { 2 }, three[1] = { 3 };
	static const float v[4] = { 1, 2, 3, 4 };
	static const char *const pin[] = { "c0", "pads", NULL };
	static const char *const sin[] = { "c0", "split", NULL }, *const souts[] = { "y", "y1", "y2", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	/* pads that would overflow dim + begin + end, and pads that remove more than the dim */
	static const int64_t bad[][2] = { { INT64_MIN, -1 }, { -1, INT64_MIN }, { INT64_MIN, INT64_MIN }, { -5, 0 },
					  { 0, -5 }, { -3, -2 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d4, v, sizeof(v));
		gb_const(&b.g, "pads", CELLA_ONNX_INT64, 1, two, bad[i], sizeof(bad[i]));
		gb_node(&b.g, "Pad", pin, Y);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_SHAPE);
	}
	/* a negative pad inside the dim crops */
	{
		static const int64_t crop[2] = { -1, -2 };
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d4, v, sizeof(v));
		gb_const(&b.g, "pads", CELLA_ONNX_INT64, 1, two, crop, sizeof(crop));
		gb_node(&b.g, "Pad", pin, Y);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_ASSERT(out.dims[0] == 1 && ((const float *)out.data)[0] == 2.0f);
		cella_onnx_model_free(m);
	}
	/* split sizes whose sum wraps around to the dim (INT64_MAX + INT64_MAX + 6 = 4 in two's complement) */
	static const int64_t wrap[3] = { INT64_MAX, INT64_MAX, 6 }, fine[3] = { 1, 0, 3 };
	for (int ok = 0; ok < 2; ok++) {
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_io(&b.g, 1, "y1", CELLA_ONNX_FLOAT, -1, NULL);
		gb_io(&b.g, 1, "y2", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d4, v, sizeof(v));
		gb_const(&b.g, "split", CELLA_ONNX_INT64, 1, three, ok ? fine : wrap, sizeof(wrap));
		gb_node(&b.g, "Split", sin, souts);
		CT_RESULT(load(&b, &m), ok ? CELLA_OK : CELLA_ERR_MODEL_SHAPE);
		if (ok) {
			struct cella_onnx_tensor o3[3];
			CT_RESULT(cella_onnx_model_run(m, NULL, 0, o3, 3), CELLA_OK);
			CT_ASSERT(o3[0].dims[0] == 1 && o3[1].dims[0] == 0 && o3[2].dims[0] == 3);
			CT_ASSERT(((const float *)o3[2].data)[2] == 4.0f);
			cella_onnx_model_free(m);
		}
	}
	cella_test_pass("Pad bounds its pads before adding them; Split sums its sizes without overflow");
}

static void test_cast_u64_gelu(void)
{
	static const int64_t d[1] = { 6 };
	static const double v[6] = { 1e19, 1e20, 9223372036854775808.0, 18446744073709549568.0, NAN, 42.9 };
	/* from float: 1e19 is 9999999980506447872, 2^64 - 2048 rounds to 2^64 (out of range, saturated) */
	static const uint64_t want[2][6] = {
		{ 10000000000000000000u, UINT64_MAX, 9223372036854775808u, 18446744073709549568u, 0, 42 },
		{ 9999999980506447872u, UINT64_MAX, 9223372036854775808u, UINT64_MAX, 0, 42 } };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (int src = 0; src < 2; src++) {
		Onnx__NodeProto *n = single(&b, 13, "Cast", 1, CELLA_ONNX_UINT64);
		if (src) {
			float f[6];
			for (int i = 0; i < 6; i++)
				f[i] = (float)v[i];
			gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d, f, sizeof(f));
		} else {
			gb_const(&b.g, "c0", CELLA_ONNX_DOUBLE, 1, d, v, sizeof(v));
		}
		attr_i(&b.g, n, "to", CELLA_ONNX_UINT64);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(out.dtype, CELLA_ONNX_UINT64);
		for (int i = 0; i < 6; i++) {
			if (((const uint64_t *)out.data)[i] != want[src][i])
				cella_test_fail(__FILE__, __LINE__, "Cast %s %g to uint64 gave %llu", src ? "float" : "double",
						v[i], (unsigned long long)((const uint64_t *)out.data)[i]);
		}
		cella_onnx_model_free(m);
	}
	/* Gelu is an opset-20 operator */
	{
		static const int64_t one[1] = { 1 };
		static const float x = 1.0f;
		single(&b, 13, "Gelu", 1, CELLA_ONNX_FLOAT);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, one, &x, 4);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
		CT_ASSERT(strstr(last_log, "Gelu") != NULL);
	}
	cella_test_pass("Cast to uint64 above INT64_MAX; Gelu refused before opset 20");
}

/* ---- Gelu-20: the erf form (approximate "none", the default) and the tanh form ---- */

static void test_gelu(void)
{
	static const int64_t d5[1] = { 5 };
	static const float xv[5] = { 1, -1, 2, -3, 0.5f };
	/* 0.5 x (1 + erf(x / sqrt 2)) and 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), in double */
	static const double want[2][5] = {
		{ 0.8413447460685429, -0.15865525393145707, 1.9544997361036416, -0.00404969409489031,
		  0.34573123063700656 },
		{ 0.8411919906082768, -0.15880800939172324, 1.954597694087775, -0.0036373920817729943,
		  0.34571400982514394 } };
	static const char *const modes[3] = { NULL, "none", "tanh" };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (int k = 0; k < 3; k++) {
		Onnx__NodeProto *n = single(&b, 20, "Gelu", 1, CELLA_ONNX_FLOAT);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d5, xv, sizeof(xv));
		if (modes[k])
			attr_s(&b.g, n, "approximate", modes[k]);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_ASSERT(out.dtype == CELLA_ONNX_FLOAT && out.bytes == sizeof(xv));
		for (int i = 0; i < 5; i++) {
			double got = ((const float *)out.data)[i], w = want[k == 2][i];
			if (!(fabs(got - w) <= 2e-6 + 1e-5 * fabs(w)))
				cella_test_fail(__FILE__, __LINE__, "Gelu %s of %g is %.9g, not %.9g",
						modes[k] ? modes[k] : "(default)", (double)xv[i], got, w);
		}
		cella_onnx_model_free(m);
	}
	/* another approximation is refused by name: folded at load, and over an input known only at run */
	for (int fold = 0; fold < 2; fold++) {
		Onnx__NodeProto *n;
		if (fold) {
			n = single(&b, 20, "Gelu", 1, CELLA_ONNX_FLOAT);
			gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d5, xv, sizeof(xv));
		} else {
			n = single_x(&b, 20, "Gelu", CELLA_ONNX_FLOAT);
		}
		attr_s(&b.g, n, "approximate", "erf");
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
		CT_ASSERT(strstr(last_log, "(Gelu)") != NULL &&
			  strstr(last_log, "attribute 'approximate' is 'erf', not none or tanh") != NULL);
	}
	cella_test_pass("Gelu-20: erf and tanh forms; another approximate refused at load");
}

/* ---- Cast-19/21: `saturate` (float8 only) ignored; float8 and int4 targets refused at load, named ---- */

static void test_cast_new_types(void)
{
	static const int64_t d3[1] = { 3 };
	static const float fx[3] = { -2.5f, 300.75f, 7.0f };
	static const int32_t want[3] = { -2, 300, 7 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	/* saturate = 0 on a float to int32 cast changes nothing (it is defined for float8 targets only) */
	Onnx__NodeProto *n = single(&b, 19, "Cast", 1, CELLA_ONNX_INT32);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d3, fx, sizeof(fx));
	attr_i(&b.g, n, "to", CELLA_ONNX_INT32);
	attr_i(&b.g, n, "saturate", 0);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.dtype, CELLA_ONNX_INT32);
	CT_ASSERT(out.bytes == sizeof(want) && memcmp(out.data, want, sizeof(want)) == 0);
	cella_onnx_model_free(m);
	/* float8e4m3fn (17) at opset 19 and int4 (22) at opset 21: refused at load, even over an input of unknown
	 * shape, with the type's name */
	static const struct {
		int64_t opset;
		int to;
		const char *msg;
	} bad[] = { { 19, 17, "cast to element type float8e4m3fn (17) is not supported" },
		    { 21, 22, "cast to element type int4 (22) is not supported" },
		    { 21, 99, "cast to element type unknown (99) is not supported" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = single_x(&b, bad[i].opset, "Cast", CELLA_ONNX_FLOAT);
		attr_i(&b.g, n, "to", bad[i].to);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
		if (!strstr(last_log, "(Cast) at load") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "Cast to %d logged '%s'", bad[i].to, last_log);
	}
	cella_test_pass("Cast-19 ignores saturate off float8; float8/int4 targets refused at load by name");
}

/* ---- the types of opsets 19-21 in constants: a float8 initializer, an int4 ConstantOfShape value, named ---- */

/* ConstantOfShape at opset of a [count] int64 shape constant c0, its value v a one-element tensor of dtype whose
 * bytes are val (v and val outlive the model's load), output y of ydtype. */
static void const_of_shape(struct mb *b, int64_t opset, Onnx__TensorProto *v, int dtype, const void *val, size_t bytes,
			   const int64_t *count, int ydtype)
{
	static const int64_t one[1] = { 1 };
	onnx__tensor_proto__init(v);
	v->has_data_type = 1;
	v->data_type = dtype;
	v->n_dims = 1;
	v->dims = (int64_t *)one;
	v->has_raw_data = 1;
	v->raw_data.data = (uint8_t *)val;
	v->raw_data.len = bytes;
	Onnx__NodeProto *n = single(b, opset, "ConstantOfShape", 1, ydtype);
	gb_const(&b->g, "c0", CELLA_ONNX_INT64, 1, one, count, sizeof(*count));
	gb_attr(&b->g, n, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR)->t = v;
}

static void test_new_type_constants(void)
{
	static const int64_t one[1] = { 1 }, two = 2;
	static const uint8_t byte = 0x38;
	struct mb b;
	struct cella_onnx_model *m = NULL;
	/* Identity-19 of a float8e5m2 (19) initializer */
	single(&b, 19, "Identity", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", 19, 1, one, &byte, 1);
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "initializer 'c0' cannot be decoded (CELLA_ERR_MODEL_UNSUPPORTED: element type "
			 "float8e5m2)") != NULL);
	/* ConstantOfShape-21 whose value is an int4 (22) tensor */
	Onnx__TensorProto v;
	const_of_shape(&b, 21, &v, 22, &byte, 1, &two, CELLA_ONNX_FLOAT);
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "attribute 'value': its tensor cannot be decoded (CELLA_ERR_MODEL_UNSUPPORTED: "
			 "element type int4)") != NULL);
	cella_test_pass("float8 and int4 constants refused by their type's name");
}

/* ---- AveragePool-19: dilations (before opset 19 not an attribute of AveragePool, so ignored) ---- */

/* AveragePool at opset over x = 1..n of shape xd (rank 3 or 4) with kernel 2 per spatial dim, the dilations nd
 * values of dil, pads (count_include_pad 0) of 1 at each end when pad; the output must be want (wn values). */
static void avgpool_dil_case(int64_t opset, int rank, const int64_t *xd, const int64_t *dil, size_t nd, int pad,
			     const float *want, size_t wn)
{
	static const int64_t k2[2] = { 2, 2 }, p1[4] = { 1, 1, 1, 1 };
	float xv[9];
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	int nsp = rank - 2;
	for (int i = 0; i < 9; i++)
		xv[i] = (float)(i + 1);
	Onnx__NodeProto *n = single(&b, opset, "AveragePool", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, rank, xd, xv, (size_t)(rank == 3 ? xd[2] : xd[2] * xd[3]) * 4);
	attr_ints(&b.g, n, "kernel_shape", k2, (size_t)nsp);
	attr_ints(&b.g, n, "dilations", dil, nd);
	if (pad)
		attr_ints(&b.g, n, "pads", p1, 2 * (size_t)nsp);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	if (out.bytes != wn * 4 || memcmp(out.data, want, wn * 4) != 0)
		cella_test_fail(__FILE__, __LINE__, "AveragePool-%lld of rank %d gave %zu bytes, first %g", (long long)opset,
				rank, (size_t)out.bytes, out.bytes ? (double)((const float *)out.data)[0] : 0.0);
	cella_onnx_model_free(m);
}

static void test_avgpool_dilations(void)
{
	static const int64_t x1[3] = { 1, 1, 5 }, x2[4] = { 1, 1, 3, 3 }, d2[2] = { 2, 2 };
	/* 1-D, taps s and s + 2 from s = -1 (pads 1): the padded tap is not counted, so an edge window is one tap */
	static const float w19[5] = { 2, 2, 3, 4, 4 };
	/* opset 18: the same attribute ignored, so taps s and s + 1: [pad, 1], [1, 2], ..., [5, pad] */
	static const float w18[6] = { 1, 1.5f, 2.5f, 3.5f, 4.5f, 5 };
	avgpool_dil_case(19, 3, x1, d2, 1, 1, w19, 5);
	avgpool_dil_case(18, 3, x1, d2, 1, 1, w18, 6);
	/* 2-D over 1..9 (the two-spatial-dim path): the corners (1 + 3 + 7 + 9) / 4; at opset 18 four 2x2 means */
	static const float c19[1] = { 5 }, c18[4] = { 3, 4, 6, 7 };
	avgpool_dil_case(19, 4, x2, d2, 2, 0, c19, 1);
	avgpool_dil_case(18, 4, x2, d2, 2, 0, c18, 4);
	/* from opset 19 the attribute is checked as MaxPool's is: two dilations for one spatial dim are refused */
	{
		struct mb b;
		struct cella_onnx_model *m = NULL;
		static const int64_t k2[1] = { 2 };
		static const float xv[5] = { 1, 2, 3, 4, 5 };
		Onnx__NodeProto *n = single(&b, 19, "AveragePool", 1, CELLA_ONNX_FLOAT);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 3, x1, xv, sizeof(xv));
		attr_ints(&b.g, n, "kernel_shape", k2, 1);
		attr_ints(&b.g, n, "dilations", d2, 2);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
		CT_ASSERT(strstr(last_log, "attribute 'dilations' has 2 values, expected 1") != NULL);
	}
	cella_test_pass("AveragePool-19 dilations (padded taps not counted); ignored before opset 19");
}

/* ---- Pad-19: mode wrap (np.pad's wrap: the input repeated), not a mode before opset 19 ---- */

/* Pad (opset) of x (rank 1 or 2, dims xd, values 1..) by pads in mode; the output must be want (wn values). */
static cella_result pad_mode_case(int64_t opset, const char *mode, int rank, const int64_t *xd, const int64_t *pads,
				  const float *want, size_t wn)
{
	static const float xv[6] = { 1, 2, 3, 4, 5, 6 };
	int64_t np[1] = { 2 * rank };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	Onnx__NodeProto *n = single(&b, opset, "Pad", 2, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, rank, xd, xv, (size_t)(rank == 1 ? xd[0] : xd[0] * xd[1]) * 4);
	gb_const(&b.g, "c1", CELLA_ONNX_INT64, 1, np, pads, (size_t)np[0] * 8);
	attr_s(&b.g, n, "mode", mode);
	cella_result r = load_run(&b, &m, &out);
	if (r != CELLA_OK)
		return r;
	if (out.bytes != wn * 4 || memcmp(out.data, want, wn * 4) != 0)
		cella_test_fail(__FILE__, __LINE__, "Pad %s gave %zu bytes: %s", mode, (size_t)out.bytes,
				cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
	return CELLA_OK;
}

static void test_pad_wrap(void)
{
	static const int64_t d23[2] = { 2, 3 }, d3[1] = { 3 }, p2[4] = { 1, 2, 0, 1 }, p1[2] = { 4, 0 };
	/* [[1, 2, 3], [4, 5, 6]], one row before, two columns before and one after: the last row first, each row
	 * rotated */
	static const float w2[18] = { 5, 6, 4, 5, 6, 4, 2, 3, 1, 2, 3, 1, 5, 6, 4, 5, 6, 4 };
	/* [1, 2, 3] by 4 before, more than its length: the repetition continues (index -4 is element 2) */
	static const float w1[7] = { 3, 1, 2, 3, 1, 2, 3 };
	CT_RESULT(pad_mode_case(19, "wrap", 2, d23, p2, w2, 18), CELLA_OK);
	CT_RESULT(pad_mode_case(21, "wrap", 1, d3, p1, w1, 7), CELLA_OK);
	CT_RESULT(pad_mode_case(18, "wrap", 1, d3, p1, w1, 7), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "(Pad)") != NULL &&
		  strstr(last_log, "mode 'wrap' is not one of Pad's at opset 18") != NULL);
	CT_RESULT(pad_mode_case(19, "mirror", 1, d3, p1, w1, 7), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "mode 'mirror' is not one of Pad's at opset 19") != NULL);
	cella_test_pass("Pad-19 wrap (pads over the dim's length too); refused before opset 19, unknown modes named");
}

/* ---- Pad's constant: the input's bytes exactly, the attribute of Pad-2 saturated ---- */

/* Pads the two elements xv of one type (es bytes each) by one element at each end, with the constant input cv at
 * opset 13 (its bytes) or, with cv NULL, the float attribute value at opset 2; the output's bytes must be want. */
static void pad_const_case(int dtype, size_t es, const void *xv, const void *cv, float value, const void *want)
{
	static const int64_t two[1] = { 2 }, pads[2] = { 1, 1 };
	static const char *const ins13[] = { "c0", "pads", "cv", NULL }, *const ins2[] = { "c0", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	mb_init(&b, cv ? 13 : 2);
	gb_io(&b.g, 1, "y", dtype, -1, NULL);
	gb_const(&b.g, "c0", dtype, 1, two, xv, 2 * es);
	if (cv) {
		gb_const(&b.g, "pads", CELLA_ONNX_INT64, 1, two, pads, sizeof(pads));
		gb_const(&b.g, "cv", dtype, 0, NULL, cv, es);
		gb_node(&b.g, "Pad", ins13, Y);
	} else {
		Onnx__NodeProto *n = gb_node(&b.g, "Pad", ins2, Y);
		attr_ints(&b.g, n, "pads", pads, 2);
		attr_f(&b.g, n, "value", value);
	}
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.dtype, dtype);
	if (out.bytes != 4 * es || memcmp(out.data, want, 4 * es) != 0)
		cella_test_fail(__FILE__, __LINE__, "Pad of type %d with %s gave %s", dtype, cv ? "an input" : "value",
				cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
}

static void test_pad_constant_exact(void)
{
	/* 2^53 + 1 has no double: through one it became 2^53 */
	static const int64_t x64[2] = { 5, -5 }, c64 = ((int64_t)1 << 53) + 1;
	static const int64_t w64[4] = { ((int64_t)1 << 53) + 1, 5, -5, ((int64_t)1 << 53) + 1 };
	pad_const_case(CELLA_ONNX_INT64, 8, x64, &c64, 0, w64);
	/* a uint64 above INT64_MAX, and a uint16 (both were refused) */
	static const uint64_t xu64[2] = { 1, 2 }, cu64 = UINT64_MAX - 1, wu64[4] = { UINT64_MAX - 1, 1, 2, UINT64_MAX - 1 };
	pad_const_case(CELLA_ONNX_UINT64, 8, xu64, &cu64, 0, wu64);
	static const uint16_t xu16[2] = { 1, 2 }, cu16 = 65535, wu16[4] = { 65535, 1, 2, 65535 };
	pad_const_case(CELLA_ONNX_UINT16, 2, xu16, &cu16, 0, wu16);
	/* Pad-2's float value out of an integer type's range saturates, NaN gives 0 (each was an undefined
	 * conversion: 1e30 became INT32_MIN, 300 became 44) */
	static const int32_t x32[2] = { 1, 2 }, w32hi[4] = { INT32_MAX, 1, 2, INT32_MAX }, w32nan[4] = { 0, 1, 2, 0 };
	pad_const_case(CELLA_ONNX_INT32, 4, x32, NULL, 1e30f, w32hi);
	pad_const_case(CELLA_ONNX_INT32, 4, x32, NULL, NAN, w32nan);
	static const int8_t x8[2] = { 1, 2 }, w8hi[4] = { INT8_MAX, 1, 2, INT8_MAX }, w8lo[4] = { INT8_MIN, 1, 2, INT8_MIN };
	pad_const_case(CELLA_ONNX_INT8, 1, x8, NULL, 300.0f, w8hi);
	pad_const_case(CELLA_ONNX_INT8, 1, x8, NULL, -1e30f, w8lo);
	static const int64_t w64hi[4] = { INT64_MAX, 5, -5, INT64_MAX }, w64lo[4] = { INT64_MIN, 5, -5, INT64_MIN };
	pad_const_case(CELLA_ONNX_INT64, 8, x64, NULL, 1e30f, w64hi);
	pad_const_case(CELLA_ONNX_INT64, 8, x64, NULL, -INFINITY, w64lo);
	static const uint64_t wu64hi[4] = { UINT64_MAX, 1, 2, UINT64_MAX }, wu64lo[4] = { 0, 1, 2, 0 };
	pad_const_case(CELLA_ONNX_UINT64, 8, xu64, NULL, 1e30f, wu64hi);
	pad_const_case(CELLA_ONNX_UINT64, 8, xu64, NULL, -7.0f, wu64lo);
	cella_test_pass("Pad's constant input copied exactly (int64 above 2^53); Pad-2's value saturated to the type");
}

/* ---- ScatterElements and ScatterND reductions on integers: exact, wrapping as Add and Mul ---- */

/* op (ScatterElements or ScatterND, opset 18) with reduction red over the 4 elements xv of one type (es bytes
 * each), updates uv at indices 0 and 3; the output's bytes must be want. */
static void scatter_red_case(const char *op, const char *red, int dtype, size_t es, const void *xv, const void *uv,
			     const void *want)
{
	static const int64_t four[1] = { 4 }, two[1] = { 2 }, nd[2] = { 2, 1 }, ix[2] = { 0, 3 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	int is_nd = !strcmp(op, "ScatterND");
	Onnx__NodeProto *n = single(&b, 18, op, 3, dtype);
	gb_const(&b.g, "c0", dtype, 1, four, xv, 4 * es);
	gb_const(&b.g, "c1", CELLA_ONNX_INT64, is_nd ? 2 : 1, is_nd ? nd : two, ix, sizeof(ix));
	gb_const(&b.g, "c2", dtype, 1, two, uv, 2 * es);
	attr_s(&b.g, n, "reduction", red);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.dtype, dtype);
	if (out.bytes != 4 * es || memcmp(out.data, want, 4 * es) != 0)
		cella_test_fail(__FILE__, __LINE__, "%s reduction %s of type %d gave %s", op, red, dtype,
				cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
}

static void test_scatter_int_reduce(void)
{
	static const int64_t p53 = (int64_t)1 << 53;
	static const int64_t x64[4] = { (int64_t)1 << 53, 7, 8, INT64_MAX }, u64[2] = { 1, 2 };
	/* 2^53 + 1 has no double (it gave 2^53); INT64_MAX + 2 wraps (through a double: 2^63, undefined) */
	static const int64_t add64[4] = { p53 + 1, 7, 8, INT64_MIN + 1 };
	static const int64_t m64[4] = { ((int64_t)1 << 53) + 1, 7, 8, ((int64_t)1 << 53) + 3 };
	static const int64_t mu64[2] = { (int64_t)1 << 53, ((int64_t)1 << 53) + 2 };
	static const int64_t max64[4] = { ((int64_t)1 << 53) + 1, 7, 8, ((int64_t)1 << 53) + 3 };
	static const int64_t min64[4] = { (int64_t)1 << 53, 7, 8, ((int64_t)1 << 53) + 2 };
	/* 65536 * 65536 wraps to 0 in int32 (through a double: 2^32, undefined) */
	static const int32_t x32[4] = { 65536, 1, 2, -3 }, u32[2] = { 65536, 5 }, mul32[4] = { 0, 1, 2, -15 };
	/* above 2^63 uint64 compares as unsigned, and 2^63 + 1 and 2^63 are one double */
	static const uint64_t xu[4] = { ((uint64_t)1 << 63) + 1, 0, 0, 5 }, uu[2] = { (uint64_t)1 << 63, UINT64_MAX };
	static const uint64_t maxu[4] = { ((uint64_t)1 << 63) + 1, 0, 0, UINT64_MAX };
	static const uint64_t minu[4] = { (uint64_t)1 << 63, 0, 0, 5 };
	/* 100 + 100 wraps to -56 in int8 */
	static const int8_t x8[4] = { 100, 0, 0, -128 }, u8[2] = { 100, -1 }, add8[4] = { -56, 0, 0, 127 };
	/* a NaN on either side stays (fmax and fmin dropped it), as Max and Min keep it */
	static const float xf[4] = { NAN, 1, 2, 3 }, uf[2] = { 5, NAN }, nanf2[4] = { NAN, 1, 2, NAN };
	static const char *const ops[2] = { "ScatterElements", "ScatterND" };
	for (int k = 0; k < 2; k++) {
		scatter_red_case(ops[k], "max", CELLA_ONNX_FLOAT, 4, xf, uf, nanf2);
		scatter_red_case(ops[k], "min", CELLA_ONNX_FLOAT, 4, xf, uf, nanf2);
		scatter_red_case(ops[k], "add", CELLA_ONNX_INT64, 8, x64, u64, add64);
		scatter_red_case(ops[k], "max", CELLA_ONNX_INT64, 8, m64, mu64, max64);
		scatter_red_case(ops[k], "min", CELLA_ONNX_INT64, 8, m64, mu64, min64);
		scatter_red_case(ops[k], "mul", CELLA_ONNX_INT32, 4, x32, u32, mul32);
		scatter_red_case(ops[k], "max", CELLA_ONNX_UINT64, 8, xu, uu, maxu);
		scatter_red_case(ops[k], "min", CELLA_ONNX_UINT64, 8, xu, uu, minu);
		scatter_red_case(ops[k], "add", CELLA_ONNX_INT8, 1, x8, u8, add8);
	}
	cella_test_pass("ScatterElements/ScatterND add/mul/max/min on integers: exact above 2^53, wrapping; float max/min "
			"keep NaN");
}

/* ScatterND's updates must have the shape indices.shape[:-1] + data.shape[k:], not only as many elements. */
static void test_scatter_nd_updates_shape(void)
{
	static const int64_t dd[2] = { 2, 3 }, id[2] = { 2, 1 }, ix[2] = { 1, 0 };
	static const float xv[6] = { 0, 0, 0, 0, 0, 0 }, uv[6] = { 1, 2, 3, 4, 5, 6 };
	static const float want[6] = { 4, 5, 6, 1, 2, 3 };
	static const struct {
		int rank;
		int64_t dims[3];
		const char *msg;
	} cases[] = {
		{ 2, { 2, 3 }, NULL },
		{ 2, { 3, 2 }, "updates dim 0 is 3, expected 2 (indices.shape[:-1] + data.shape[1:])" },
		{ 2, { 2, 2 }, "updates dim 1 is 2, expected 3" },
		{ 1, { 6 }, "updates of rank 1, expected 2" },
		{ 3, { 2, 1, 3 }, "updates of rank 3, expected 2" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		size_t un = (size_t)(cases[i].dims[0] * (cases[i].rank > 1 ? cases[i].dims[1] : 1) *
				     (cases[i].rank > 2 ? cases[i].dims[2] : 1));
		single(&b, 13, "ScatterND", 3, CELLA_ONNX_FLOAT);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, dd, xv, sizeof(xv));
		gb_const(&b.g, "c1", CELLA_ONNX_INT64, 2, id, ix, sizeof(ix));
		gb_const(&b.g, "c2", CELLA_ONNX_FLOAT, cases[i].rank, cases[i].dims, uv, un * sizeof(float));
		cella_result r = load_run(&b, &m, &out);
		if (cases[i].msg) {
			CT_RESULT(r, CELLA_ERR_MODEL_SHAPE);
			if (!strstr(last_log, "(ScatterND)") || !strstr(last_log, cases[i].msg))
				cella_test_fail(__FILE__, __LINE__, "ScatterND updates case %zu logged '%s'", i, last_log);
			continue;
		}
		CT_RESULT(r, CELLA_OK);
		CT_ASSERT(out.bytes == sizeof(want) && memcmp(out.data, want, sizeof(want)) == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("ScatterND refuses updates not shaped indices.shape[:-1] + data.shape[k:], naming the dim");
}

/* OneHot over 4 indices (of idt, ies bytes each) with a scalar depth (of ddt) and values (off 0, on 1); the load's
 * or run's result, out valid until *m is freed. */
static cella_result onehot_case(int idt, size_t ies, const void *iv, int ddt, size_t des, const void *dv,
				struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const int64_t four[1] = { 4 }, two[1] = { 2 };
	static const float vals[2] = { 0, 1 };
	struct mb b;
	single(&b, 13, "OneHot", 3, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", idt, 1, four, iv, 4 * ies);
	gb_const(&b.g, "c1", ddt, 0, NULL, dv, des);
	gb_const(&b.g, "c2", CELLA_ONNX_FLOAT, 1, two, vals, sizeof(vals));
	*m = NULL;
	return load_run(&b, m, out);
}

/* A depth that is not a finite number is refused by name (it was converted to int64, undefined for NaN); indices
 * out of any int64 or float range match no class, without a conversion out of range. */
static void test_onehot_depth_nan(void)
{
	static const int64_t i64[4] = { 0, 1, 2, 0 };
	static const float bad[3] = { NAN, INFINITY, -INFINITY };
	static const char *const msg[3] = { "depth is nan, not a finite number", "depth is inf, not a finite number",
					     "depth is -inf, not a finite number" };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (int i = 0; i < 3; i++) {
		CT_RESULT(onehot_case(CELLA_ONNX_INT64, 8, i64, CELLA_ONNX_FLOAT, 4, &bad[i], &m, &out),
			  CELLA_ERR_MODEL_SHAPE);
		if (!strstr(last_log, "(OneHot)") || !strstr(last_log, msg[i]))
			cella_test_fail(__FILE__, __LINE__, "OneHot depth %g logged '%s'", (double)bad[i], last_log);
	}
	/* a finite depth out of range: a float one saturates (1e30) and an int64 one is exact (INT64_MAX) */
	static const float huge = 1e30f;
	static const int64_t dmax = INT64_MAX;
	CT_RESULT(onehot_case(CELLA_ONNX_INT64, 8, i64, CELLA_ONNX_FLOAT, 4, &huge, &m, &out), CELLA_ERR_MODEL_SHAPE);
	CT_ASSERT(strstr(last_log, "not in [0, 2^24]") != NULL);
	CT_RESULT(onehot_case(CELLA_ONNX_INT64, 8, i64, CELLA_ONNX_INT64, 8, &dmax, &m, &out), CELLA_ERR_MODEL_SHAPE);
	CT_ASSERT(strstr(last_log, "depth is 9223372036854775807, not in [0, 2^24]") != NULL);
	/* depth 3.7 is 3; indices INT64_MAX, -1 (class 2), 1, INT64_MIN */
	static const float d37 = 3.7f;
	static const int64_t ext[4] = { INT64_MAX, -1, 1, INT64_MIN };
	static const float want[12] = { 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0 };
	CT_RESULT(onehot_case(CELLA_ONNX_INT64, 8, ext, CELLA_ONNX_FLOAT, 4, &d37, &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 2 && out.dims[0] == 4 && out.dims[1] == 3);
	CT_ASSERT(out.bytes == sizeof(want) && memcmp(out.data, want, sizeof(want)) == 0);
	cella_onnx_model_free(m);
	/* float indices NaN, 1e30, -1.5 (truncated to -1: class 2), 1 */
	static const float fi[4] = { NAN, 1e30f, -1.5f, 1.0f };
	static const int64_t d3 = 3;
	static const float fwant[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0 };
	CT_RESULT(onehot_case(CELLA_ONNX_FLOAT, 4, fi, CELLA_ONNX_INT64, 8, &d3, &m, &out), CELLA_OK);
	CT_ASSERT(out.bytes == sizeof(fwant) && memcmp(out.data, fwant, sizeof(fwant)) == 0);
	cella_onnx_model_free(m);
	cella_test_pass("OneHot refuses a NaN or infinite depth by name; indices out of range match no class");
}

/* int64 Range counts and steps exactly: bounds beyond 2^53 (through a double INT64_MAX - 3 and INT64_MAX were one
 * value: no element) and steps whose multiples overflow int64 on the way (start -2^63, delta 2^62, i 3). */
static void test_range_int64_exact(void)
{
	static const struct {
		int64_t s, l, d;
		cella_result r;
		size_t n;
		int64_t want[4];
	} cases[] = {
		{ INT64_MAX - 3, INT64_MAX, 1, CELLA_OK, 3, { INT64_MAX - 3, INT64_MAX - 2, INT64_MAX - 1 } },
		{ INT64_MIN, INT64_MAX, (int64_t)1 << 62, CELLA_OK, 4, { INT64_MIN, -((int64_t)1 << 62), 0, (int64_t)1 << 62 } },
		{ INT64_MAX, INT64_MIN, -((int64_t)1 << 62), CELLA_OK, 4,
		  { INT64_MAX, INT64_MAX - ((int64_t)1 << 62), -1, -1 - ((int64_t)1 << 62) } },
		{ INT64_MIN, INT64_MIN + 5, INT64_MAX, CELLA_OK, 1, { INT64_MIN } },
		{ 5, 5, 1, CELLA_OK, 0, { 0 } },
		{ 5, 9, -1, CELLA_OK, 0, { 0 } },
		{ 0, INT64_MAX, 1, CELLA_ERR_TOO_LARGE, 0, { 0 } },
		{ 0, 1, 0, CELLA_ERR_MODEL_SHAPE, 0, { 0 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		single(&b, 13, "Range", 3, CELLA_ONNX_INT64);
		gb_const(&b.g, "c0", CELLA_ONNX_INT64, 0, NULL, &cases[i].s, 8);
		gb_const(&b.g, "c1", CELLA_ONNX_INT64, 0, NULL, &cases[i].l, 8);
		gb_const(&b.g, "c2", CELLA_ONNX_INT64, 0, NULL, &cases[i].d, 8);
		cella_result r = load_run(&b, &m, &out);
		CT_RESULT(r, cases[i].r);
		if (r != CELLA_OK)
			continue;
		if (out.rank != 1 || out.bytes != cases[i].n * 8 ||
		    (cases[i].n && memcmp(out.data, cases[i].want, cases[i].n * 8) != 0))
			cella_test_fail(__FILE__, __LINE__, "Range case %zu gave %s", i, cella_test_hex(out.data, out.bytes));
		cella_onnx_model_free(m);
	}
	cella_test_pass("int64 Range exact beyond 2^53 and for steps whose multiples overflow");
}

/* ---- int64 reductions, ArgMax/ArgMin, TopK: exact above 2^53 ---- */

static void test_int64_exact(void)
{
	static const int64_t p53 = (int64_t)1 << 53, d4[1] = { 4 }, one[1] = { 1 };
	static const int64_t v[4] = { ((int64_t)1 << 53) + 1, (int64_t)1 << 53, ((int64_t)1 << 53) + 3,
				      ((int64_t)1 << 53) + 2 };
	static const struct { const char *op; int64_t want; } red[] = {
		{ "ReduceSum", 4 * ((int64_t)1 << 53) + 6 }, { "ReduceMax", ((int64_t)1 << 53) + 3 },
		{ "ReduceMin", (int64_t)1 << 53 }, { "ArgMax", 2 }, { "ArgMin", 1 } };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (size_t i = 0; i < sizeof(red) / sizeof(red[0]); i++) {
		Onnx__NodeProto *n = single(&b, 13, red[i].op, 1, CELLA_ONNX_INT64);
		gb_const(&b.g, "c0", CELLA_ONNX_INT64, 1, d4, v, sizeof(v));
		attr_i(&b.g, n, "keepdims", 0);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(out.rank, 0);
		if (((const int64_t *)out.data)[0] != red[i].want)
			cella_test_fail(__FILE__, __LINE__, "%s gave %lld, expected %lld", red[i].op,
					(long long)((const int64_t *)out.data)[0], (long long)red[i].want);
		cella_onnx_model_free(m);
	}
	/* a sum that wraps, like Add */
	{
		static const int64_t w[2] = { INT64_MAX, 2 }, d2[1] = { 2 };
		Onnx__NodeProto *n = single(&b, 13, "ReduceSum", 1, CELLA_ONNX_INT64);
		gb_const(&b.g, "c0", CELLA_ONNX_INT64, 1, d2, w, sizeof(w));
		attr_i(&b.g, n, "keepdims", 0);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(((const int64_t *)out.data)[0], INT64_MIN + 1);
		cella_onnx_model_free(m);
	}
	/* TopK: the two largest in order, with their indices */
	for (int largest = 0; largest < 2; largest++) {
		static const char *const ins[] = { "c0", "k", NULL }, *const outs[] = { "y", "i", NULL };
		const int64_t k = 2;
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_INT64, -1, NULL);
		gb_io(&b.g, 1, "i", CELLA_ONNX_INT64, -1, NULL);
		gb_const(&b.g, "c0", CELLA_ONNX_INT64, 1, d4, v, sizeof(v));
		gb_const(&b.g, "k", CELLA_ONNX_INT64, 1, one, &k, 8);
		Onnx__NodeProto *n = gb_node(&b.g, "TopK", ins, outs);
		attr_i(&b.g, n, "largest", largest);
		struct cella_onnx_tensor o2[2];
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, NULL, 0, o2, 2), CELLA_OK);
		const int64_t *y = o2[0].data, *ix = o2[1].data;
		if (largest)
			CT_ASSERT(y[0] == p53 + 3 && y[1] == p53 + 2 && ix[0] == 2 && ix[1] == 3);
		else
			CT_ASSERT(y[0] == p53 && y[1] == p53 + 1 && ix[0] == 1 && ix[1] == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("int64 ReduceSum/Max/Min, ArgMax/ArgMin and TopK exact above 2^53");
}

/* Loads b and runs it on its one float input x: the load's or the run's result, out valid until *m is freed (*m is
 * NULL if the load failed). */
static cella_result load_run_x(struct mb *b, float *xv, int rank, const int64_t *dims, struct cella_onnx_model **m,
			       struct cella_onnx_tensor *out)
{
	*m = NULL;
	cella_result r = load(b, m);
	if (r != CELLA_OK)
		return r;
	struct cella_onnx_tensor in = ftensor(xv, rank, dims);
	return cella_onnx_model_run(*m, &in, 1, out, 1);
}

/* ---- before opset 7: broadcasting only with broadcast=1, B placed at axis ---- */

#define NO_ATTR INT64_MIN

/* With LEGACY_CONV, op reads Conv(x, identity 1x1 weights) (x is [2, 2, 1, 1]) in place of x; with LEGACY_C_FIRST,
 * op reads c as its first input; with LEGACY_DYN, x is declared with dynamic dims (the shapes meet at run). */
#define LEGACY_CONV 1
#define LEGACY_C_FIRST 2
#define LEGACY_DYN 4

/* y = op(x, c) at the given opset over a float input x and a constant c; bcast/axis NO_ATTR leave the attribute
 * out. The load's or the run's result; out valid until *m is freed. */
static cella_result legacy_case(int64_t opset, const char *op, int xrank, const int64_t *xd, float *xv, int crank,
				const int64_t *cd, const float *cv, size_t cn, int64_t bcast, int64_t axis, int flags,
				int ydtype, struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const char *const ins[] = { "x", "c", NULL }, *const conv_ins[] = { "x", "w", NULL };
	static const char *const cx[] = { "xc", "c", NULL }, *const xc_out[] = { "xc", NULL };
	static const char *const c_first[] = { "c", "x", NULL }, *const c_first_conv[] = { "c", "xc", NULL };
	static const int64_t wd[4] = { 2, 2, 1, 1 };
	static const float eye[4] = { 1, 0, 0, 1 };
	static const int64_t dyn[CELLA_ONNX_MAX_RANK] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	struct mb b;
	mb_init(&b, opset);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, xrank, flags & LEGACY_DYN ? dyn : xd);
	gb_io(&b.g, 1, "y", ydtype, -1, NULL);
	gb_const(&b.g, "c", CELLA_ONNX_FLOAT, crank, cd, cv, cn * sizeof(float));
	if (flags & LEGACY_CONV) {
		gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 4, wd, eye, sizeof(eye));
		gb_node(&b.g, "Conv", conv_ins, xc_out);
	}
	Onnx__NodeProto *n = gb_node(&b.g, op,
				     flags & LEGACY_C_FIRST ? (flags & LEGACY_CONV ? c_first_conv : c_first)
							    : (flags & LEGACY_CONV ? cx : ins),
				     Y);
	if (bcast != NO_ATTR)
		attr_i(&b.g, n, "broadcast", bcast);
	if (axis != NO_ATTR)
		attr_i(&b.g, n, "axis", axis);
	return load_run_x(&b, xv, xrank, xd, m, out);
}

/* As legacy_case, for a float result that must be want (n elements, shape of x). */
static void legacy_expect(int64_t opset, const char *op, int xrank, const int64_t *xd, float *xv, int crank,
			  const int64_t *cd, const float *cv, size_t cn, int64_t bcast, int64_t axis, const float *want,
			  size_t n)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	CT_RESULT(legacy_case(opset, op, xrank, xd, xv, crank, cd, cv, cn, bcast, axis, 0, CELLA_ONNX_FLOAT, &m, &out),
		  CELLA_OK);
	CT_EQ(out.rank, xrank);
	CT_EQ(out.bytes, n * sizeof(float));
	for (size_t i = 0; i < n; i++)
		if (((const float *)out.data)[i] != want[i])
			cella_test_fail(__FILE__, __LINE__, "%s-%lld element %zu: got %g, want %g", op, (long long)opset,
					i, (double)((const float *)out.data)[i], (double)want[i]);
	cella_onnx_model_free(m);
}

static void test_legacy_broadcast(void)
{
	static const int64_t x4[4] = { 1, 3, 1, 3 }, x3[3] = { 2, 3, 2 }, x23[2] = { 2, 3 }, x22[2] = { 2, 2 };
	static const int64_t c3[1] = { 3 }, c2[1] = { 2 }, c11[2] = { 1, 1 };
	static const float c102030[3] = { 10, 20, 30 }, c123[3] = { 1, 2, 3 }, c24[2] = { 2, 4 }, c23[2] = { 2, 3 };
	static const float c5[1] = { 5 };
	float x[12];
	for (int i = 0; i < 12; i++)
		x[i] = (float)i;
	/* Add-6 with B (3) at axis 1 of A (1, 3, 1, 3): B acts as (1, 3, 1, 1), one value per channel */
	static const float add_axis[9] = { 10, 11, 12, 23, 24, 25, 36, 37, 38 };
	legacy_expect(6, "Add", 4, x4, x, 1, c3, c102030, 3, 1, 1, add_axis, 9);
	/* without axis: B over the trailing dims */
	static const float add_suffix[9] = { 10, 21, 32, 13, 24, 35, 16, 27, 38 };
	legacy_expect(6, "Add", 4, x4, x, 1, c3, c102030, 3, 1, NO_ATTR, add_suffix, 9);
	/* opset 7 has NumPy broadcasting: the same B lies over the last dim */
	legacy_expect(7, "Add", 4, x4, x, 1, c3, c102030, 3, NO_ATTR, NO_ATTR, add_suffix, 9);
	/* Sub-6, B (3) at axis 1 of A (2, 3, 2) */
	static const float sub_axis[12] = { -1, 0, 0, 1, 1, 2, 5, 6, 6, 7, 7, 8 };
	legacy_expect(6, "Sub", 3, x3, x, 1, c3, c123, 3, 1, 1, sub_axis, 12);
	/* Div-6, B (2) at axis 0 of A (2, 3): one divisor per row */
	float xd[6] = { 2, 4, 6, 8, 10, 12 };
	static const float div_axis[6] = { 1, 2, 3, 2, 2.5f, 3 };
	legacy_expect(6, "Div", 2, x23, xd, 1, c2, c24, 2, 1, 0, div_axis, 6);
	/* Pow-1, B (2) at axis 0 of A (2, 2) */
	float xp[4] = { 1, 2, 3, 4 };
	static const float pow_axis[4] = { 1, 4, 27, 64 };
	legacy_expect(6, "Pow", 2, x22, xp, 1, c2, c23, 2, 1, 0, pow_axis, 4);
	/* one element of any rank up to A's, whatever the axis */
	static const float mul_one[6] = { 10, 20, 30, 40, 50, 60 };
	legacy_expect(6, "Mul", 2, x23, xd, 2, c11, c5, 1, 1, 1, mul_one, 6);
	/* Greater-1 (bool out), B (2) at axis 0 of A (2, 2): row 0 against 2, row 1 against 4 */
	{
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		float xg[4] = { 1, 5, 3, 4 };
		static const uint8_t want[4] = { 0, 1, 0, 0 };
		CT_RESULT(legacy_case(6, "Greater", 2, x22, xg, 1, c2, c24, 2, 1, 0, 0, CELLA_ONNX_BOOL, &m, &out), CELLA_OK);
		CT_EQ(out.dtype, CELLA_ONNX_BOOL);
		if (out.bytes != 4 || memcmp(out.data, want, 4) != 0)
			cella_test_fail(__FILE__, __LINE__, "Greater-1 at axis 0 gave %s", cella_test_hex(out.data, out.bytes));
		cella_onnx_model_free(m);
	}
	/* refused at load: different shapes without broadcast=1, an axis where B does not fit, a negative axis, a B
	 * that does not match A's dims, a B of higher rank; Sum-6 does not broadcast at all */
	struct {
		const char *op;
		int crank;
		const int64_t *cd;
		const float *cv;
		size_t cn;
		int64_t bcast, axis;
	} bad[] = { { "Mul", 1, c3, c123, 3, NO_ATTR, NO_ATTR }, { "Mul", 1, c3, c123, 3, 0, 1 },
		    { "Add", 1, c3, c123, 3, 1, 2 },             { "Add", 1, c3, c123, 3, 1, -1 },
		    { "Add", 1, c2, c24, 2, 1, NO_ATTR },        { "Add", 1, c2, c24, 2, 1, 1 },
		    { "Sum", 1, c3, c123, 3, NO_ATTR, NO_ATTR } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		cella_result r = legacy_case(6, bad[i].op, 2, x23, xd, bad[i].crank, bad[i].cd, bad[i].cv, bad[i].cn,
					     bad[i].bcast, bad[i].axis, 0, CELLA_ONNX_FLOAT, &m, &out);
		if (r != CELLA_ERR_MODEL_SHAPE)
			cella_test_fail(__FILE__, __LINE__, "case %zu (%s-6): %s, expected CELLA_ERR_MODEL_SHAPE", i,
					bad[i].op, cella_result_name(r));
		cella_onnx_model_free(m);
	}
	{
		/* B of higher rank than A */
		static const int64_t c123d[3] = { 1, 2, 3 };
		static const float z[6] = { 0 };
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		CT_RESULT(legacy_case(6, "Add", 2, x23, xd, 3, c123d, z, 6, 1, NO_ATTR, 0, CELLA_ONNX_FLOAT, &m, &out),
			  CELLA_ERR_MODEL_SHAPE);
		cella_onnx_model_free(m);
	}
	cella_test_pass("opset < 7: broadcast=1 places B at axis (or the trailing dims), other shapes refused");
}

/*
 * Conv then Add or Mul of a constant before opset 7 is folded into the Conv only where the old placement of the
 * constant is per channel: B (2, 1, 1) at axis 0 of (2, 2, 1, 1) is one value per batch (it was folded as one per
 * channel); a constant without broadcast=1, or as input A, is refused as the unfused node refuses it (it loaded).
 */
static void test_legacy_conv_fold(void)
{
	static const int64_t xd[4] = { 2, 2, 1, 1 }, c211[3] = { 2, 1, 1 }, c2[1] = { 2 }, c1211[4] = { 1, 2, 1, 1 };
	static const float k100[2] = { 100, 200 }, k23[2] = { 2, 3 };
	static const float per_batch[4] = { 101, 102, 203, 204 }, per_channel[4] = { 101, 202, 103, 204 };
	static const float mul_channel[4] = { 2, 6, 6, 12 };
	static const struct {
		const char *op;
		int crank, flags;
		const int64_t *cd;
		const float *cv, *want; /* want NULL: refused at load */
		int64_t bcast, axis;
		uint32_t nodes;
	} cases[] = {
		{ "Add", 3, 0, c211, k100, per_batch, 1, 0, 2 },
		{ "Add", 1, 0, c2, k100, per_channel, 1, 1, 1 }, /* a bias [C] at axis 1 (Caffe2's): folded */
		{ "Mul", 4, 0, c1211, k23, mul_channel, 1, NO_ATTR, 1 },
		{ "Add", 3, 0, c211, k100, NULL, NO_ATTR, NO_ATTR, 0 },
		{ "Add", 3, LEGACY_C_FIRST, c211, k100, NULL, 1, NO_ATTR, 0 },
		{ "Mul", 4, LEGACY_C_FIRST, c1211, k23, NULL, 1, NO_ATTR, 0 },
	};
	for (size_t i = 0; i < 2 * sizeof(cases) / sizeof(cases[0]); i++) {
		size_t c = i / 2; /* each case with x's shape declared, then known only at run */
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		struct cella_onnx_stats st;
		float x[4] = { 1, 2, 3, 4 };
		cella_result r = legacy_case(6, cases[c].op, 4, xd, x, cases[c].crank, cases[c].cd, cases[c].cv, 2,
					     cases[c].bcast, cases[c].axis,
					     LEGACY_CONV | cases[c].flags | (i % 2 ? LEGACY_DYN : 0), CELLA_ONNX_FLOAT, &m,
					     &out);
		if (!cases[c].want) {
			if (r != CELLA_ERR_MODEL_SHAPE)
				cella_test_fail(__FILE__, __LINE__, "case %zu: %s, expected CELLA_ERR_MODEL_SHAPE", i,
						cella_result_name(r));
			cella_onnx_model_free(m);
			continue;
		}
		CT_RESULT(r, CELLA_OK);
		cella_onnx_model_stats(m, &st);
		if (out.bytes != sizeof(x) || memcmp(out.data, cases[c].want, sizeof(x)) != 0 || st.nodes != cases[c].nodes)
			cella_test_fail(__FILE__, __LINE__, "case %zu: %u nodes, got %g %g %g %g", i, st.nodes,
					(double)((const float *)out.data)[0], (double)((const float *)out.data)[1],
					(double)((const float *)out.data)[2], (double)((const float *)out.data)[3]);
		cella_onnx_model_free(m);
	}
	cella_test_pass("opset < 7: Conv + Add/Mul folded only where the constant's old placement is per channel");
}

/* ---- RNN/LSTM with layout=1 and two directions: initial_h/initial_c are [batch, dirs, hidden] ---- */

static void test_rnn_layout_initial_state(void)
{
	static const int64_t xd[3] = { 2, 1, 1 }, sd[3] = { 2, 2, 1 }, w1[3] = { 2, 1, 1 }, w4[3] = { 2, 4, 1 };
	static const float zeros[8] = { 0 }, ones[2] = { 1, 1 };
	/* element (b, d) of the state at b * 2 + d: batch 0 forward, batch 0 reverse, batch 1 forward, ... */
	static const float s0[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
	for (int lstm = 0; lstm < 2; lstm++) {
		static const char *const rnn_in[] = { "x", "w", "r", "", "", "h0", NULL };
		static const char *const lstm_in[] = { "x", "w", "r", "", "", "h0", "c0", NULL };
		static const char *const rnn_out[] = { "", "yh", NULL }, *const lstm_out[] = { "", "yh", "yc", NULL };
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out[2];
		mb_init(&b, 14);
		gb_io(&b.g, 1, "yh", CELLA_ONNX_FLOAT, -1, NULL);
		if (lstm)
			gb_io(&b.g, 1, "yc", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "x", CELLA_ONNX_FLOAT, 3, xd, zeros, 2 * sizeof(float));
		/* RNN: W = 0, R = 1, so Y_h = tanh(initial_h); LSTM: W = R = 0, every gate is sigmoid(0) = 1/2 and the
		 * candidate tanh(0) = 0, so Y_c = initial_c / 2 and Y_h = tanh(Y_c) / 2 */
		gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 3, lstm ? w4 : w1, zeros, (lstm ? 8 : 2) * sizeof(float));
		gb_const(&b.g, "r", CELLA_ONNX_FLOAT, 3, lstm ? w4 : w1, lstm ? zeros : ones, (lstm ? 8 : 2) * sizeof(float));
		gb_const(&b.g, "h0", CELLA_ONNX_FLOAT, 3, sd, s0, sizeof(s0));
		if (lstm)
			gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 3, sd, s0, sizeof(s0));
		Onnx__NodeProto *n = gb_node(&b.g, lstm ? "LSTM" : "RNN", lstm ? lstm_in : rnn_in, lstm ? lstm_out : rnn_out);
		attr_i(&b.g, n, "hidden_size", 1);
		attr_s(&b.g, n, "direction", "bidirectional");
		attr_i(&b.g, n, "layout", 1);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, NULL, 0, out, lstm ? 2 : 1), CELLA_OK);
		CT_ASSERT(out[0].rank == 3 && out[0].dims[0] == 2 && out[0].dims[1] == 2 && out[0].dims[2] == 1);
		for (int i = 0; i < 4; i++) {
			float h = ((const float *)out[0].data)[i];
			float want = lstm ? 0.5f * tanhf(0.5f * s0[i]) : tanhf(s0[i]);
			if (fabsf(h - want) > 1e-6f)
				cella_test_fail(__FILE__, __LINE__, "%s Y_h[%d] = %g, want %g", lstm ? "LSTM" : "RNN", i,
						(double)h, (double)want);
			if (lstm && ((const float *)out[1].data)[i] != 0.5f * s0[i])
				cella_test_fail(__FILE__, __LINE__, "LSTM Y_c[%d] = %g, want %g", i,
						(double)((const float *)out[1].data)[i], (double)(0.5f * s0[i]));
		}
		cella_onnx_model_free(m);
	}
	cella_test_pass("RNN/LSTM layout=1, bidirectional: initial_h/initial_c read as [batch, dirs, hidden]");
}

/* ---- RNN/GRU/LSTM with a hidden_size far beyond any tensor: refused by name, no overflow ---- */

/* hidden_size 2^62 (an attribute, unbounded) was multiplied by the gate count before it was compared with R's dims:
 * 4 * 2^62 overflowed int64 (UBSan: signed overflow). It is held to R's last dim first now. */
static void test_rnn_huge_hidden(void)
{
	static const char *const ops[3] = { "LSTM", "GRU", "RNN" }, *const ins[] = { "x", "w", "r", NULL };
	static const int64_t d111[3] = { 1, 1, 1 };
	static const float zero[1] = { 0 };
	for (int k = 0; k < 3; k++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		float x[1] = { 1 };
		mb_init(&b, 14);
		gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 3, d111);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 3, d111, zero, sizeof(zero));
		gb_const(&b.g, "r", CELLA_ONNX_FLOAT, 3, d111, zero, sizeof(zero));
		attr_i(&b.g, gb_node(&b.g, ops[k], ins, Y), "hidden_size", (int64_t)1 << 62);
		CT_RESULT(load_run_x(&b, x, 3, d111, &m, &out), CELLA_ERR_MODEL_SHAPE);
		if (!strstr(last_log, "hidden_size is 4611686018427387904, R's last dim 1"))
			cella_test_fail(__FILE__, __LINE__, "%s logged: %s", ops[k], last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("RNN/GRU/LSTM hidden_size 2^62 refused by name, before any product of it");
}

/* ---- LayerNormalization: Scale and B broadcast to X as Mul and Add would ---- */

/* LayerNormalization of x (rank xr) at axis with scale s (and bias c when cr >= 0); the load's or run's result. */
static cella_result layernorm_case(int xr, const int64_t *xd, float *xv, int64_t axis, int sr, const int64_t *sd,
				   const float *sv, size_t sn, int cr, const int64_t *cd, const float *cv, size_t cn,
				   struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const char *const in2[] = { "x", "s", NULL }, *const in3[] = { "x", "s", "c", NULL };
	struct mb b;
	mb_init(&b, 17);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, xr, xd);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "s", CELLA_ONNX_FLOAT, sr, sd, sv, sn * sizeof(float));
	if (cr >= 0)
		gb_const(&b.g, "c", CELLA_ONNX_FLOAT, cr, cd, cv, cn * sizeof(float));
	Onnx__NodeProto *n = gb_node(&b.g, "LayerNormalization", cr >= 0 ? in3 : in2, Y);
	attr_i(&b.g, n, "axis", axis);
	return load_run_x(&b, xv, xr, xd, m, out);
}

/* The float output's n elements are within tol of want. */
static void expect_near(const struct cella_onnx_tensor *out, const double *want, size_t n, double tol, const char *what)
{
	CT_EQ(out->bytes, n * sizeof(float));
	for (size_t i = 0; i < n; i++)
		if (fabs(((const float *)out->data)[i] - want[i]) > tol)
			cella_test_fail(__FILE__, __LINE__, "%s: y[%zu] = %g, want %g", what, i,
					(double)((const float *)out->data)[i], want[i]);
}

static void test_layernorm_broadcast(void)
{
	static const int64_t x132[3] = { 1, 3, 2 }, x23[2] = { 2, 3 }, d31[2] = { 3, 1 }, d21[2] = { 2, 1 };
	static const int64_t d2[1] = { 2 }, d6[1] = { 6 };
	static const float s123[3] = { 1, 2, 3 }, s6[6] = { 1, 1, 1, 1, 1, 1 }, s2[2] = { 1, 2 };
	float x[6] = { 0, 1, 2, 3, 4, 5 };
	double want[3][6];
	for (int i = 0; i < 6; i++) {
		/* x (1, 3, 2) over axes 1 and 2: mean 2.5, variance 17.5 / 6; Scale (3, 1) and B (3, 1) act as
		 * (1, 3, 1): one scale and one bias per row of 2 */
		want[0][i] = (i - 2.5) / sqrt(17.5 / 6 + 1e-5) * s123[i / 2] + s123[i / 2];
		/* x (2, 3) at axis 1 (rows 0 1 2 and 3 4 5: variance 2/3) with Scale (2, 1): one scale per row */
		want[1][i] = (i % 3 - 1) / sqrt(2.0 / 3 + 1e-5) * s2[i / 3];
		/* the trailing case: Scale (2) over x (1, 3, 2) at axis 2 (pairs with variance 1/4) */
		want[2][i] = (i % 2 ? 0.5 : -0.5) / sqrt(0.25 + 1e-5) * s2[i % 2];
	}
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	CT_RESULT(layernorm_case(3, x132, x, 1, 2, d31, s123, 3, 2, d31, s123, 3, &m, &out), CELLA_OK);
	expect_near(&out, want[0], 6, 1e-5, "Scale and B (3, 1) over (1, 3, 2) at axis 1");
	cella_onnx_model_free(m);
	CT_RESULT(layernorm_case(2, x23, x, 1, 2, d21, s2, 2, -1, NULL, NULL, 0, &m, &out), CELLA_OK);
	expect_near(&out, want[1], 6, 1e-5, "Scale (2, 1) over (2, 3) at axis 1");
	cella_onnx_model_free(m);
	CT_RESULT(layernorm_case(3, x132, x, 2, 1, d2, s2, 2, -1, NULL, NULL, 0, &m, &out), CELLA_OK);
	expect_near(&out, want[2], 6, 1e-4, "Scale (2) over (1, 3, 2) at axis 2");
	cella_onnx_model_free(m);
	/* shapes that do not broadcast to x's: refused at load, although their element counts divide the row's */
	CT_RESULT(layernorm_case(3, x132, x, 1, 1, d6, s6, 6, -1, NULL, NULL, 0, &m, &out), CELLA_ERR_MODEL_SHAPE);
	CT_RESULT(layernorm_case(3, x132, x, 1, 2, d21, s2, 2, -1, NULL, NULL, 0, &m, &out), CELLA_ERR_MODEL_SHAPE);
	CT_RESULT(layernorm_case(3, x132, x, 1, 1, d2, s2, 2, 2, d21, s2, 2, &m, &out), CELLA_ERR_MODEL_SHAPE);
	cella_test_pass("LayerNormalization: Scale and B broadcast to x's shape, other shapes refused");
}

/* ---- GroupNormalization: scale and bias per channel (opset 21) or per group (opset 18) ---- */

#define GN_NO_GROUPS INT64_MIN

/* y = GroupNormalization(x (1, 4, 2) = 0..7, scale, bias of n values) at opset with num_groups groups (GN_NO_GROUPS:
 * the attribute left out), x of xdt (float data given; another type gets a model whose load is refused), scale of
 * sdt, stash_type (0: left out). */
static cella_result groupnorm_case(int64_t opset, int64_t groups, int xdt, int sdt, const float *sv, const float *bv,
				   int64_t n, int xrank, int stash, struct cella_onnx_model **m,
				   struct cella_onnx_tensor *out)
{
	static const char *const ins[] = { "x", "s", "b", NULL };
	static const int64_t xd[3] = { 1, 4, 2 }, x8[1] = { 8 };
	static float x[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	const int64_t *dims = xrank == 1 ? x8 : xd;
	double sd[4];
	struct mb b;
	mb_init(&b, opset);
	gb_io(&b.g, 0, "x", xdt, xrank, dims);
	gb_io(&b.g, 1, "y", xdt, -1, NULL);
	if (sdt == CELLA_ONNX_DOUBLE) {
		for (int64_t i = 0; i < n; i++)
			sd[i] = sv[i];
		gb_const(&b.g, "s", sdt, 1, &n, sd, (size_t)n * sizeof(double));
	} else {
		gb_const(&b.g, "s", sdt, 1, &n, sv, (size_t)n * sizeof(float));
	}
	gb_const(&b.g, "b", CELLA_ONNX_FLOAT, 1, &n, bv, (size_t)n * sizeof(float));
	Onnx__NodeProto *nd = gb_node(&b.g, "GroupNormalization", ins, Y);
	if (groups != GN_NO_GROUPS)
		attr_i(&b.g, nd, "num_groups", groups);
	if (stash)
		attr_i(&b.g, nd, "stash_type", stash);
	return load_run_x(&b, x, xrank, dims, m, out);
}

static void test_groupnorm(void)
{
	static const float s4[4] = { 1, 2, 3, 4 }, b4[4] = { 0.5f, 0, -1, 2 }, s2[2] = { 2, 3 }, b2[2] = { 1, -1 };
	double want21[8], want18[8], want1[8];
	for (int i = 0; i < 8; i++) {
		/* two groups of two channels: 0 1 2 3 and 4 5 6 7, each of mean (first + 1.5) and variance 1.25 */
		double z = (i % 4 - 1.5) / sqrt(1.25 + 1e-5);
		want21[i] = z * s4[i / 2] + b4[i / 2]; /* channel i / 2 */
		want18[i] = z * s2[i / 4] + b2[i / 4]; /* group i / 4 */
		/* one group of all 8: mean 3.5, variance 5.25; opset 21 still scales per channel */
		want1[i] = (i - 3.5) / sqrt(5.25 + 1e-5) * s4[i / 2] + b4[i / 2];
	}
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	CT_RESULT(groupnorm_case(21, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, s4, b4, 4, 3, 0, &m, &out), CELLA_OK);
	expect_near(&out, want21, 8, 1e-5, "opset 21, 2 groups, per channel");
	cella_onnx_model_free(m);
	CT_RESULT(groupnorm_case(21, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, s4, b4, 4, 3, CELLA_ONNX_DOUBLE, &m, &out),
		  CELLA_OK);
	expect_near(&out, want1, 8, 1e-5, "opset 21, 1 group, stash_type double");
	cella_onnx_model_free(m);
	CT_RESULT(groupnorm_case(18, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, s2, b2, 2, 3, 0, &m, &out), CELLA_OK);
	expect_near(&out, want18, 8, 1e-5, "opset 18, 2 groups, per group");
	cella_onnx_model_free(m);
	/* refusals, each named */
	static const struct {
		int64_t opset, groups;
		int xdt, sdt, n, xrank, stash;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ 21, GN_NO_GROUPS, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 4, 3, 0, CELLA_ERR_MODEL,
		  "'num_groups' is missing" },
		{ 21, 0, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 4, 3, 0, CELLA_ERR_MODEL, "'num_groups' is 0" },
		{ 21, -2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 4, 3, 0, CELLA_ERR_MODEL, "'num_groups' is -2" },
		{ 21, 3, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 4, 3, 0, CELLA_ERR_MODEL_SHAPE,
		  "4 channels do not divide into 3 groups" },
		{ 21, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 2, 3, 0, CELLA_ERR_MODEL_SHAPE,
		  "scale of rank 1 (dim 0 2): opset 21 wants 4 values (one per channel)" },
		{ 18, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 4, 3, 0, CELLA_ERR_MODEL_SHAPE,
		  "scale of rank 1 (dim 0 4): opset 18 wants 2 values (one per group)" },
		{ 21, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 4, 1, 0, CELLA_ERR_MODEL_SHAPE, "input of rank 1" },
		{ 21, 2, CELLA_ONNX_INT32, CELLA_ONNX_FLOAT, 4, 3, 0, CELLA_ERR_MODEL_UNSUPPORTED,
		  "input of type int32" },
		{ 21, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_DOUBLE, 4, 3, 0, CELLA_ERR_MODEL_UNSUPPORTED,
		  "scale of type double, input of type float" },
		{ 21, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 4, 3, CELLA_ONNX_INT8, CELLA_ERR_MODEL_UNSUPPORTED,
		  "'stash_type' 3 is not supported" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const float *sv = bad[i].n == 4 ? s4 : s2, *bv = bad[i].n == 4 ? b4 : b2;
		cella_result r = groupnorm_case(bad[i].opset, bad[i].groups, bad[i].xdt, bad[i].sdt, sv, bv, bad[i].n,
						bad[i].xrank, bad[i].stash, &m, &out);
		if (r != bad[i].r || !strstr(last_log, "GroupNormalization") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, logged '%s'", i, cella_result_name(r),
					last_log);
		cella_onnx_model_free(m);
		m = NULL;
	}
	cella_test_pass("GroupNormalization: per channel (21) and per group (18) against the formula, 10 refusals named");
}

/* ---- BitwiseAnd/Or/Xor/Not (opset 18): every integer type, broadcast; other types refused ---- */

/* y = op(c0[, c1]) at opset 18 over dtype vectors of n0 and n1 elements (n1 0: a unary op): the run's result, and
 * the output's bytes equal to want (es-byte elements, n0 of them) when it succeeds. */
static cella_result bitwise_case(const char *op, int64_t opset, int dtype, size_t es, const void *a, int64_t n0,
				 const void *c, int64_t n1, const void *want)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	struct mb b;
	single(&b, opset, op, n1 ? 2 : 1, dtype);
	gb_const(&b.g, "c0", dtype, 1, &n0, a, (size_t)n0 * es);
	if (n1)
		gb_const(&b.g, "c1", dtype, 1, &n1, c, (size_t)n1 * es);
	cella_result r = load_run(&b, &m, &out);
	if (r == CELLA_OK && (out.bytes != (size_t)n0 * es || memcmp(out.data, want, out.bytes) != 0))
		cella_test_fail(__FILE__, __LINE__, "%s on %s: wrong bits", op, cella_onnx_dtype_name((cella_onnx_dtype)dtype));
	cella_onnx_model_free(m);
	return r;
}

static void test_bitwise(void)
{
	/* int8 -1 = 0xff and 0x5a against one broadcast 0x3c; uint64 with the top bit, so that no promotion or sign
	 * extension hides in the rows */
	static const int8_t a8[4] = { -1, 0x5a, 0x0f, -128 }, b8[1] = { 0x3c };
	static const uint64_t a64[2] = { 0x8000000000000001ull, 0xffull }, b64[2] = { 0xc000000000000003ull, 0x0full };
	static const struct {
		const char *op;
		int8_t w8[4];
		uint64_t w64[2];
	} cases[] = {
		{ "BitwiseAnd", { 0x3c, 0x18, 0x0c, 0x00 }, { 0x8000000000000001ull, 0x0full } },
		{ "BitwiseOr", { -1, 0x7e, 0x3f, (int8_t)0xbc }, { 0xc000000000000003ull, 0xffull } },
		{ "BitwiseXor", { (int8_t)0xc3, 0x66, 0x33, (int8_t)0xbc }, { 0x4000000000000002ull, 0xf0ull } },
		{ "BitwiseNot", { 0, (int8_t)0xa5, (int8_t)0xf0, 0x7f }, { 0x7ffffffffffffffeull, 0xffffffffffffff00ull } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int unary = i == 3;
		CT_RESULT(bitwise_case(cases[i].op, 18, CELLA_ONNX_INT8, 1, a8, 4, b8, unary ? 0 : 1, cases[i].w8), CELLA_OK);
		CT_RESULT(bitwise_case(cases[i].op, 18, CELLA_ONNX_UINT64, 8, a64, 2, b64, unary ? 0 : 2, cases[i].w64),
			  CELLA_OK);
	}
	/* float and bool are not bitwise types; before opset 18 the operators do not exist */
	static const float f2[2] = { 1, 2 };
	static const uint8_t t2[2] = { 1, 0 };
	CT_RESULT(bitwise_case("BitwiseAnd", 18, CELLA_ONNX_FLOAT, 4, f2, 2, f2, 2, NULL), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "BitwiseAnd") != NULL);
	CT_RESULT(bitwise_case("BitwiseNot", 18, CELLA_ONNX_BOOL, 1, t2, 2, NULL, 0, NULL), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "input of type bool is not supported (integers)") != NULL);
	CT_RESULT(bitwise_case("BitwiseOr", 17, CELLA_ONNX_INT8, 1, a8, 4, b8, 1, NULL), CELLA_ERR_MODEL_UNSUPPORTED);
	cella_test_pass("BitwiseAnd/Or/Xor/Not on int8 (broadcast) and uint64, float and bool refused, opset 17 refused");
}

/* ---- GridSample and AffineGrid ---- */

/* y = GridSample(X, grid) over X (1, 1, 4) = 1 2 4 8 (a constant) and a grid input (1, p, 1) of normalized
 * positions (-1 and 1 the outer edges of the end pixels: position v is pixel 2v + 1.5), one spatial dim, which
 * opset 20 allows. The run's result; out valid until *m is freed. */
static cella_result gs_case(int64_t opset, const char *mode, const char *pad, float *grid, int64_t p,
			    struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const char *const ins[] = { "c0", "x", NULL };
	static const int64_t xd[3] = { 1, 1, 4 };
	static const float xv[4] = { 1, 2, 4, 8 };
	const int64_t gd[3] = { 1, p, 1 };
	struct mb b;
	mb_init(&b, opset);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 3, gd);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 3, xd, xv, sizeof(xv));
	Onnx__NodeProto *n = gb_node(&b.g, "GridSample", ins, Y);
	attr_s(&b.g, n, "mode", mode);
	attr_s(&b.g, n, "padding_mode", pad);
	return load_run_x(&b, grid, 3, gd, m, out);
}

static void test_grid_sample(void)
{
	/* positions -1 0 0.9 1.6 -2.6 -5 are pixels -0.5 1.5 3.3 4.7 -3.7 -8.5; the borders are -0.5 and 3.5 */
	float lin[6] = { -1, 0, 0.9f, 1.6f, -2.6f, -5 };
	static const struct {
		const char *pad;
		double want[6];
	} linear[] = {
		/* taps beyond the image read 0: -0.5 is half pixel 0; 3.3 is 0.7 of pixel 3 (8) */
		{ "zeros", { 0.5, 3, 5.6, 0, 0, 0 } },
		/* positions beyond the borders clamp to the end pixels, taps beyond read the edge */
		{ "border", { 1, 3, 8, 8, 1, 1 } },
		/* 4.7 reflects by 3.5 to 2.3 (0.7 of 4 and 0.3 of 8), -3.7 by -0.5 to 2.7, -8.5 twice (range 4) to -0.5 */
		{ "reflection", { 1, 3, 8, 5.2, 6.8, 1 } },
	};
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (size_t i = 0; i < 3; i++) {
		CT_RESULT(gs_case(20, "linear", linear[i].pad, lin, 6, &m, &out), CELLA_OK);
		expect_near(&out, linear[i].want, 6, 1e-5, linear[i].pad);
		cella_onnx_model_free(m);
	}
	/* nearest rounds half to even: pixel 0.5 is 0, 2.5 is 2 (away from zero would give 1 and 3) */
	float near[4] = { -0.5f, 0.5f, -0.25f, 0.75f };
	static const double want_near[4] = { 1, 4, 2, 8 };
	CT_RESULT(gs_case(20, "nearest", "zeros", near, 4, &m, &out), CELLA_OK);
	expect_near(&out, want_near, 4, 0, "nearest");
	cella_onnx_model_free(m);
	/* cubic at pixel 1.5: Keys' weights at 0.5 are -0.09375 0.59375 0.59375 -0.09375 over 1 2 4 8; at pixel -0.9,
	 * beyond the border -0.5, the position is clamped to pixel 0 first (ONNX's reference), so all weight is on 1 */
	float cub[2] = { 0, -1.2f };
	static const double want_cub[2] = { 2.71875, 1 };
	CT_RESULT(gs_case(20, "cubic", "border", cub, 2, &m, &out), CELLA_OK);
	expect_near(&out, want_cub, 2, 1e-5, "cubic border");
	cella_onnx_model_free(m);
	/* the opset-16 names, on 4-D input only: a 3-D input is refused there */
	CT_RESULT(gs_case(16, "bilinear", "zeros", lin, 6, &m, &out), CELLA_ERR_MODEL_SHAPE);
	CT_ASSERT(strstr(last_log, "input of rank 3: opset 16 samples 4-D input") != NULL);
	cella_onnx_model_free(m);
	/* NaN, and infinity under reflection, are nowhere in the image: 0; 1e30 reads 0 (zeros) or the edge (border) */
	float odd[3] = { NAN, INFINITY, 1e30f };
	static const double want_z[3] = { 0, 0, 0 }, want_b[3] = { 0, 8, 8 };
	CT_RESULT(gs_case(20, "linear", "zeros", odd, 3, &m, &out), CELLA_OK);
	expect_near(&out, want_z, 3, 0, "non-finite, zeros");
	cella_onnx_model_free(m);
	CT_RESULT(gs_case(20, "linear", "border", odd, 3, &m, &out), CELLA_OK);
	expect_near(&out, want_b, 3, 0, "non-finite, border");
	cella_onnx_model_free(m);
	CT_RESULT(gs_case(20, "nearest", "reflection", odd, 3, &m, &out), CELLA_OK);
	CT_ASSERT(((const float *)out.data)[0] == 0 && ((const float *)out.data)[1] == 0);
	float v2 = ((const float *)out.data)[2]; /* 1e30 reflects somewhere in the image: one of its pixels */
	CT_ASSERT(v2 == 1 || v2 == 2 || v2 == 4 || v2 == 8);
	cella_onnx_model_free(m);
	/* refusals, each named */
	static const struct {
		int64_t opset;
		const char *mode, *pad, *msg;
	} bad[] = {
		{ 20, "bilinear", "zeros", "attribute 'mode' is 'bilinear', not linear, nearest or cubic at opset 20" },
		{ 16, "cubic", "zeros", "attribute 'mode' is 'cubic', not bilinear, nearest or bicubic at opset 16" },
		{ 20, "linear", "mirror", "attribute 'padding_mode' is 'mirror', not zeros, border or reflection" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CT_RESULT(gs_case(bad[i].opset, bad[i].mode, bad[i].pad, lin, 6, &m, &out), CELLA_ERR_MODEL);
		if (!strstr(last_log, "GridSample") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu logged '%s'", i, last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("GridSample: linear in three paddings, nearest half to even, cubic, non-finite positions, "
			"4 refusals named");
}

/* GridSample or AffineGrid over constants: c0 of c0t (dims d0, values v0), c1 of c1t (dims d1, values v1). */
static cella_result grid_consts(const char *op, int64_t opset, int c0t, int r0, const int64_t *d0, const void *v0,
				size_t b0, int c1t, int r1, const int64_t *d1, const void *v1, size_t b1, int64_t align,
				struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	struct mb b;
	Onnx__NodeProto *n = single(&b, opset, op, 2, c0t);
	gb_const(&b.g, "c0", c0t, r0, d0, v0, b0);
	gb_const(&b.g, "c1", c1t, r1, d1, v1, b1);
	attr_i(&b.g, n, "align_corners", align);
	*m = NULL;
	return load_run(&b, m, out);
}

static void test_affine_grid(void)
{
	static const int64_t td2[3] = { 1, 2, 3 }, td3[3] = { 1, 3, 4 }, sd4[1] = { 4 }, sd5[1] = { 5 }, sd3[1] = { 3 };
	static const float th2[6] = { 2, 0, 0.5f, 0, -1, 0 };
	static const float th3[12] = { 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0.25f };
	static const int64_t s2[4] = { 1, 1, 2, 3 }, s3[5] = { 1, 1, 2, 1, 2 };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	/* (1, 2, 3, 2): x over W = 3 and y over H = 2, mapped to (2x + 0.5, -y). Edges: x -2/3 0 2/3 and y -1/2 1/2;
	 * corners: x -1 0 1 and y -1 1 */
	static const double edge[12] = { -5.0 / 6, 0.5, 0.5, 0.5, 11.0 / 6, 0.5, -5.0 / 6, -0.5, 0.5, -0.5, 11.0 / 6, -0.5 };
	static const double corner[12] = { -1.5, 1, 0.5, 1, 2.5, 1, -1.5, -1, 0.5, -1, 2.5, -1 };
	CT_RESULT(grid_consts("AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT64, 1, sd4, s2,
			      sizeof(s2), 0, &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 4 && out.dims[0] == 1 && out.dims[1] == 2 && out.dims[2] == 3 && out.dims[3] == 2);
	expect_near(&out, edge, 12, 1e-6, "2-D, align_corners 0");
	cella_onnx_model_free(m);
	CT_RESULT(grid_consts("AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT64, 1, sd4, s2,
			      sizeof(s2), 1, &m, &out), CELLA_OK);
	expect_near(&out, corner, 12, 1e-6, "2-D, align_corners 1");
	cella_onnx_model_free(m);
	/* (1, 2, 1, 2, 3) over D = 2, H = 1, W = 2 with corners aligned: z -1 1, y 0 (one pixel), x -1 1; theta's rows
	 * give (z, x, y + 0.25) */
	static const double vol[12] = { -1, -1, 0.25, -1, 1, 0.25, 1, -1, 0.25, 1, 1, 0.25 };
	CT_RESULT(grid_consts("AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td3, th3, sizeof(th3), CELLA_ONNX_INT64, 1, sd5, s3,
			      sizeof(s3), 1, &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 5 && out.dims[1] == 2 && out.dims[2] == 1 && out.dims[3] == 2 && out.dims[4] == 3);
	expect_near(&out, vol, 12, 1e-6, "3-D, align_corners 1");
	cella_onnx_model_free(m);
	/* refusals, each named; GridSample's own shape and type refusals over 4-D X (1, 1, 2, 2) */
	static const int32_t s2i[4] = { 1, 1, 2, 3 }, xi[4] = { 1, 2, 3, 4 };
	static const int64_t s2n[4] = { 1, 1, -2, 3 }, s2b[4] = { 2, 1, 2, 3 }, s3v[3] = { 1, 1, 2 };
	static const int64_t th2i[6] = { 1, 0, 0, 0, 1, 0 }, gi[2] = { 0, 0 };
	static const int64_t x4[4] = { 1, 1, 2, 2 }, g3[4] = { 1, 1, 1, 3 }, gb2[4] = { 2, 1, 1, 2 }, g2[4] = { 1, 1, 1, 2 };
	static const float xv[4] = { 1, 2, 3, 4 }, gv[6] = { 0 };
	static const struct {
		const char *op;
		int64_t opset;
		int c0t, r0;
		const int64_t *d0;
		const void *v0;
		size_t b0;
		int c1t, r1;
		const int64_t *d1;
		const void *v1;
		size_t b1;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ "AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT32, 1, sd4, s2i, sizeof(s2i),
		  CELLA_ERR_MODEL_SHAPE, "size must be a vector of int64" },
		{ "AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT64, 1, sd3, s3v, sizeof(s3v),
		  CELLA_ERR_MODEL_SHAPE, "size has 3 values" },
		{ "AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT64, 1, sd5, s3, sizeof(s3),
		  CELLA_ERR_MODEL_SHAPE, "theta of rank 3 (1, 2, 3) for size of 5 values and batch 1: expected (N, 3, 4)" },
		{ "AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT64, 1, sd4, s2b, sizeof(s2b),
		  CELLA_ERR_MODEL_SHAPE, "and batch 2: expected (N, 2, 3)" },
		{ "AffineGrid", 20, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT64, 1, sd4, s2n, sizeof(s2n),
		  CELLA_ERR_MODEL_SHAPE, "size value 2 is -2, negative" },
		{ "AffineGrid", 20, CELLA_ONNX_INT64, 3, td2, th2i, sizeof(th2i), CELLA_ONNX_INT64, 1, sd4, s2, sizeof(s2),
		  CELLA_ERR_MODEL_UNSUPPORTED, "theta of type int64 is not supported" },
		{ "AffineGrid", 19, CELLA_ONNX_FLOAT, 3, td2, th2, sizeof(th2), CELLA_ONNX_INT64, 1, sd4, s2, sizeof(s2),
		  CELLA_ERR_MODEL_UNSUPPORTED, "AffineGrid" },
		{ "GridSample", 16, CELLA_ONNX_FLOAT, 4, x4, xv, sizeof(xv), CELLA_ONNX_FLOAT, 4, g3, gv, 12,
		  CELLA_ERR_MODEL_SHAPE, "grid of rank 4 (dim 0 1, last dim 3) for input of rank 4 and batch 1" },
		{ "GridSample", 16, CELLA_ONNX_FLOAT, 4, x4, xv, sizeof(xv), CELLA_ONNX_FLOAT, 4, gb2, gv, 16,
		  CELLA_ERR_MODEL_SHAPE, "grid of rank 4 (dim 0 2, last dim 2)" },
		{ "GridSample", 16, CELLA_ONNX_INT32, 4, x4, xi, sizeof(xi), CELLA_ONNX_FLOAT, 4, g2, gv, 8,
		  CELLA_ERR_MODEL_UNSUPPORTED, "input of type int32 is not supported" },
		{ "GridSample", 16, CELLA_ONNX_FLOAT, 4, x4, xv, sizeof(xv), CELLA_ONNX_INT64, 4, g2, gi, sizeof(gi),
		  CELLA_ERR_MODEL_UNSUPPORTED, "grid of type int64 is not supported" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = grid_consts(bad[i].op, bad[i].opset, bad[i].c0t, bad[i].r0, bad[i].d0, bad[i].v0, bad[i].b0,
					     bad[i].c1t, bad[i].r1, bad[i].d1, bad[i].v1, bad[i].b1, 0, &m, &out);
		if (r != bad[i].r || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, logged '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	/* at opset 16 the 4-D align_corners case: grid (0, 0) is the centre of a 2 x 2 image, the mean of its pixels */
	CT_RESULT(grid_consts("GridSample", 16, CELLA_ONNX_FLOAT, 4, x4, xv, sizeof(xv), CELLA_ONNX_FLOAT, 4, g2, gv, 8,
			      1, &m, &out), CELLA_OK);
	CT_ASSERT(out.bytes == sizeof(float) && ((const float *)out.data)[0] == 2.5f);
	cella_onnx_model_free(m);
	cella_test_pass("AffineGrid: 2-D at both alignments, 3-D, 7 refusals named; GridSample's shape and type "
			"refusals named");
}

/* ---- Scan ---- */

/* Attributes of a Scan case: counts of 0 leave the list out; groups < 0 leaves num_scan_inputs out. */
struct scan_attrs {
	int64_t groups;
	int64_t iax[2], idir[2], oax[1], odir[1];
	int niax, nidir, noax, nodir;
};

/* A Scan body adding each slice xs to the state s: outputs the new state and it again as the scan output's slice
 * (with x2, a third input xs2 it does not read). Attached to n. */
static void scan_body(struct gb *b, Onnx__NodeProto *n, struct gb *body, int x2)
{
	static const char *const add_in[] = { "s", "xs", NULL }, *const so[] = { "s_out", NULL };
	static const char *const y_in[] = { "s_out", NULL }, *const yo[] = { "y", NULL };
	gb_init(body, "body");
	gb_io(body, 0, "s", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(body, 0, "xs", CELLA_ONNX_FLOAT, -1, NULL);
	if (x2)
		gb_io(body, 0, "xs2", CELLA_ONNX_FLOAT, -1, NULL);
	gb_node(body, "Add", add_in, so);
	gb_node(body, "Identity", y_in, yo);
	gb_io(body, 1, "s_out", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(body, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	attr_g(b, n, "body", body);
}

/* Scan over the state S0 = [0, 0] and X of xdims = 1..6 (and, with x2 1, a second scan input X2 of 2 x 2; with x2 2,
 * a body input for it but no node input), its body adding each slice of X to the state: outputs the final state
 * and the states stacked. */
static cella_result scan_case(int64_t opset, const int64_t *xdims, int x2, const struct scan_attrs *at,
			      struct cella_onnx_model **m, struct cella_onnx_tensor out[2])
{
	static const int64_t d2[1] = { 2 }, d22[2] = { 2, 2 };
	static const float s0[2] = { 0, 0 }, xv[6] = { 1, 2, 3, 4, 5, 6 }, x2v[4] = { 0 };
	static const char *const outs[] = { "sf", "Y", NULL };
	const char *ins[] = { "S0", "X", x2 == 1 ? "X2" : NULL, NULL };
	struct mb b;
	struct gb body;
	mb_init(&b, opset);
	gb_io(&b.g, 1, "sf", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&b.g, 1, "Y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "S0", CELLA_ONNX_FLOAT, 1, d2, s0, sizeof(s0));
	gb_const(&b.g, "X", CELLA_ONNX_FLOAT, 2, xdims, xv, sizeof(xv));
	if (x2 == 1)
		gb_const(&b.g, "X2", CELLA_ONNX_FLOAT, 2, d22, x2v, sizeof(x2v));
	Onnx__NodeProto *n = gb_node(&b.g, "Scan", ins, outs);
	if (at->groups >= 0)
		attr_i(&b.g, n, "num_scan_inputs", at->groups);
	if (at->niax)
		attr_ints(&b.g, n, "scan_input_axes", at->iax, (size_t)at->niax);
	if (at->nidir)
		attr_ints(&b.g, n, "scan_input_directions", at->idir, (size_t)at->nidir);
	if (at->noax)
		attr_ints(&b.g, n, "scan_output_axes", at->oax, (size_t)at->noax);
	if (at->nodir)
		attr_ints(&b.g, n, "scan_output_directions", at->odir, (size_t)at->nodir);
	scan_body(&b.g, n, &body, x2);
	cella_result r = load(&b, m);
	if (r != CELLA_OK)
		return r;
	return cella_onnx_model_run(*m, NULL, 0, out, 2);
}

static void test_scan(void)
{
	static const int64_t x32[2] = { 3, 2 }, x23[2] = { 2, 3 };
	static const struct {
		const char *what;
		const int64_t *xdims;
		struct scan_attrs at;
		int64_t ydims[2];
		double y[6], sf[2];
	} ok[] = {
		/* rows 1 2, 3 4, 5 6 summed into the state: 1 2, 4 6, 9 12 */
		{ "forward", x32, { 1, { 0 }, { 0 }, { 0 }, { 0 }, 0, 0, 0, 0 }, { 3, 2 }, { 1, 2, 4, 6, 9, 12 }, { 9, 12 } },
		{ "input reversed", x32, { 1, { 0 }, { 1 }, { 0 }, { 0 }, 0, 1, 0, 0 }, { 3, 2 }, { 5, 6, 8, 10, 9, 12 },
		  { 9, 12 } },
		{ "output reversed", x32, { 1, { 0 }, { 0 }, { 0 }, { 1 }, 0, 0, 0, 1 }, { 3, 2 }, { 9, 12, 4, 6, 1, 2 },
		  { 9, 12 } },
		{ "output axis 1", x32, { 1, { 0 }, { 0 }, { 1 }, { 0 }, 0, 0, 1, 0 }, { 2, 3 }, { 1, 4, 9, 2, 6, 12 },
		  { 9, 12 } },
		{ "output axis -1", x32, { 1, { 0 }, { 0 }, { -1 }, { 0 }, 0, 0, 1, 0 }, { 2, 3 }, { 1, 4, 9, 2, 6, 12 },
		  { 9, 12 } },
		/* X (2, 3) = 1 2 3, 4 5 6 along axis 1: columns 1 4, 2 5, 3 6 */
		{ "input axis 1", x23, { 1, { 1 }, { 0 }, { 0 }, { 0 }, 1, 0, 0, 0 }, { 3, 2 }, { 1, 4, 3, 9, 6, 15 },
		  { 6, 15 } },
	};
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[2];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CT_RESULT(scan_case(11, ok[i].xdims, 0, &ok[i].at, &m, out), CELLA_OK);
		expect_near(&out[0], ok[i].sf, 2, 0, ok[i].what);
		CT_ASSERT(out[1].rank == 2 && out[1].dims[0] == ok[i].ydims[0] && out[1].dims[1] == ok[i].ydims[1]);
		expect_near(&out[1], ok[i].y, 6, 0, ok[i].what);
		cella_onnx_model_free(m);
	}
	/* refusals, each named */
	static const struct {
		int64_t opset;
		int x2;
		struct scan_attrs at;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ 11, 0, { -1, { 0 }, { 0 }, { 0 }, { 0 }, 0, 0, 0, 0 }, CELLA_ERR_MODEL, "'num_scan_inputs' is 0: 1 to" },
		{ 11, 0, { 3, { 0 }, { 0 }, { 0 }, { 0 }, 0, 0, 0, 0 }, CELLA_ERR_MODEL, "'num_scan_inputs' is 3: 1 to" },
		{ 11, 0, { 2, { 0 }, { 0 }, { 0 }, { 0 }, 0, 0, 0, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "scan input 1 is 3 long along axis 0, scan input 0 2" },
		{ 11, 2, { 1, { 0 }, { 0 }, { 0 }, { 0 }, 0, 0, 0, 0 }, CELLA_ERR_MODEL, "a body of 3 inputs and 2 outputs" },
		{ 11, 0, { 1, { 0, 0 }, { 0 }, { 0 }, { 0 }, 2, 0, 0, 0 }, CELLA_ERR_MODEL,
		  "'scan_input_axes' has 2 values, one per scan input (1)" },
		{ 11, 0, { 1, { 0 }, { 2 }, { 0 }, { 0 }, 0, 1, 0, 0 }, CELLA_ERR_MODEL,
		  "'scan_input_directions' value 0 is 2, not 0 or 1" },
		{ 11, 0, { 1, { 0 }, { 0 }, { 0 }, { -1 }, 0, 0, 0, 1 }, CELLA_ERR_MODEL,
		  "'scan_output_directions' value 0 is -1, not 0 or 1" },
		{ 11, 0, { 1, { 2 }, { 0 }, { 0 }, { 0 }, 1, 0, 0, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "scan input 0 of rank 2 has no axis 2" },
		{ 11, 0, { 1, { 0 }, { 0 }, { 2 }, { 0 }, 0, 0, 1, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "scan output 0: axis 2 is out of range for rank 2" },
		{ 11, 1, { 2, { 0 }, { 0 }, { 0 }, { 0 }, 0, 0, 0, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "scan input 1 is 2 long along axis 0, scan input 0 3" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = NULL;
		cella_result r = scan_case(bad[i].opset, x32, bad[i].x2, &bad[i].at, &m, out);
		if (r != bad[i].r || !strstr(last_log, "Scan") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, logged '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Scan: forward, reversed input and output, output axes 1 and -1, input axis 1 against running "
			"sums; 10 refusals named");
}

/* A Scan-8 case: sequence_lens (nl values of type ldt; nl 0: omitted), the state S0 [srank dims] = 0 0, 10 20, 0 0
 * and X [xrank dims] = 1 2, 3 4, 5 6, 1 1, 2 2, 3 3 (as many as the dims hold), `directions` (ndir values; 0:
 * absent), a body of a third input with x2; the body of scan_case (running sums). */
struct scan8 {
	int64_t lens[3];
	int ldt, nl;
	int srank;
	int64_t sdims[2];
	int xrank;
	int64_t xdims[3];
	int64_t dir[2];
	int ndir, x2;
};

static cella_result scan8_run(const struct scan8 *c, struct cella_onnx_model **m, struct cella_onnx_tensor out[2])
{
	static const float s0[6] = { 0, 0, 10, 20, 0, 0 }, xv[12] = { 1, 2, 3, 4, 5, 6, 1, 1, 2, 2, 3, 3 };
	static const char *const outs[] = { "sf", "Y", NULL };
	const char *ins[] = { c->nl ? "L" : "", "S0", "X", NULL };
	int32_t l32[3];
	struct mb b;
	struct gb body;
	mb_init(&b, 8);
	gb_io(&b.g, 1, "sf", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&b.g, 1, "Y", CELLA_ONNX_FLOAT, -1, NULL);
	for (int i = 0; i < c->nl; i++)
		l32[i] = (int32_t)c->lens[i];
	if (c->nl)
		gb_const(&b.g, "L", c->ldt, 1, (const int64_t[1]){ c->nl }, c->ldt == CELLA_ONNX_INT32 ? (const void *)l32
												: (const void *)c->lens,
			 (size_t)c->nl * (c->ldt == CELLA_ONNX_INT32 ? 4 : 8));
	gb_const(&b.g, "S0", CELLA_ONNX_FLOAT, c->srank, c->sdims, s0, dims_count(c->sdims, c->srank) * 4);
	gb_const(&b.g, "X", CELLA_ONNX_FLOAT, c->xrank, c->xdims, xv, dims_count(c->xdims, c->xrank) * 4);
	Onnx__NodeProto *n = gb_node(&b.g, "Scan", ins, outs);
	attr_i(&b.g, n, "num_scan_inputs", 1);
	if (c->ndir)
		attr_ints(&b.g, n, "directions", c->dir, (size_t)c->ndir);
	scan_body(&b.g, n, &body, c->x2);
	cella_result r = load(&b, m);
	if (r != CELLA_OK)
		return r;
	return cella_onnx_model_run(*m, NULL, 0, out, 2);
}

static void test_scan8(void)
{
	/* batch element 0: rows 1 2, 3 4, 5 6 summed from 0 0: 1 2, 4 6, 9 12; element 1: 1 1, 2 2, 3 3 from 10 20: 11 21,
	 * 13 23, 16 26. Reversed: 5 6, 8 10, 9 12 and 13 23, 15 25, 16 26 */
	static const double sf[4] = { 9, 12, 16, 26 }, fwd[12] = { 1, 2, 4, 6, 9, 12, 11, 21, 13, 23, 16, 26 },
			    rev[12] = { 5, 6, 8, 10, 9, 12, 13, 23, 15, 25, 16, 26 };
	static const struct {
		const char *what;
		struct scan8 c;
		const double *y;
	} ok[] = {
		{ "no sequence_lens", { { 0 }, 0, 0, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, fwd },
		{ "sequence_lens 3, 3", { { 3, 3 }, CELLA_ONNX_INT64, 2, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, fwd },
		{ "directions 1", { { 0 }, 0, 0, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 1 }, 1, 0 }, rev },
		{ "directions 0", { { 3, 3 }, CELLA_ONNX_INT64, 2, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 1, 0 }, fwd },
	};
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[2];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CT_RESULT(scan8_run(&ok[i].c, &m, out), CELLA_OK);
		CT_ASSERT(out[0].rank == 2 && out[0].dims[0] == 2 && out[0].dims[1] == 2);
		expect_near(&out[0], sf, 4, 0, ok[i].what);
		CT_ASSERT(out[1].rank == 3 && out[1].dims[0] == 2 && out[1].dims[1] == 3 && out[1].dims[2] == 2);
		expect_near(&out[1], ok[i].y, 12, 0, ok[i].what);
		cella_onnx_model_free(m);
	}
	/* one batch element of one step: the batch and sequence axes kept, [1, 2] and [1, 1, 2] */
	{
		static const struct scan8 one = { { 1 }, CELLA_ONNX_INT64, 1, 2, { 1, 2 }, 3, { 1, 1, 2 }, { 0 }, 0, 0 };
		static const double s1[2] = { 1, 2 };
		CT_RESULT(scan8_run(&one, &m, out), CELLA_OK);
		CT_ASSERT(out[0].rank == 2 && out[0].dims[0] == 1 && out[1].rank == 3 && out[1].dims[1] == 1);
		expect_near(&out[0], s1, 2, 0, "one element of one step");
		expect_near(&out[1], s1, 2, 0, "one element of one step");
		cella_onnx_model_free(m);
	}
	static const struct {
		struct scan8 c;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ { { 3, 2 }, CELLA_ONNX_INT64, 2, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL_UNSUPPORTED,
		  "sequence_lens[1] is 2, shorter than the scan inputs' sequence of 3" },
		{ { { 3, 4 }, CELLA_ONNX_INT64, 2, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL,
		  "sequence_lens[1] is 4, outside 0..3" },
		{ { { -1, 3 }, CELLA_ONNX_INT64, 2, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL,
		  "sequence_lens[0] is -1, outside 0..3" },
		{ { { 3, 3 }, CELLA_ONNX_INT32, 2, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL,
		  "sequence_lens of type int32, not int64" },
		{ { { 3, 3, 3 }, CELLA_ONNX_INT64, 3, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "sequence_lens of rank 1 with 3 values, not one per batch element (2)" },
		{ { { 0 }, 0, 0, 0, { 0 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "input 1 of rank 0 has no batch axis (Scan-8: [batch, ...])" },
		{ { { 0 }, 0, 0, 2, { 2, 2 }, 1, { 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "input 2 of rank 1 has no sequence axis (Scan-8: [batch, sequence, ...])" },
		{ { { 0 }, 0, 0, 2, { 3, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "input 2 has a batch of 2, input 1 of 3" },
		{ { { 0 }, 0, 0, 2, { 0, 2 }, 3, { 0, 3, 2 }, { 0 }, 0, 0 }, CELLA_ERR_MODEL_UNSUPPORTED, "a batch of 0" },
		{ { { 0 }, 0, 0, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 2 }, 1, 0 }, CELLA_ERR_MODEL,
		  "'directions' value 0 is 2, not 0 or 1" },
		{ { { 0 }, 0, 0, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0, 0 }, 2, 0 }, CELLA_ERR_MODEL,
		  "'directions' has 2 values, one per scan input (1)" },
		{ { { 0 }, 0, 0, 2, { 2, 2 }, 3, { 2, 3, 2 }, { 0 }, 0, 1 }, CELLA_ERR_MODEL,
		  "3 inputs (1 scanned, after sequence_lens) and 2 outputs, a body of 3 inputs" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = NULL;
		cella_result r = scan8_run(&bad[i].c, &m, out);
		if (r != bad[i].r || !strstr(last_log, "(Scan)") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, logged '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Scan-8: batches of running sums with and without sequence_lens, both directions, one element "
			"of one step; 12 refusals named (a sequence_lens short of the sequence, out of range, int32 or "
			"not one per element, inputs without batch or sequence axis, unequal batches, a batch of 0, "
			"`directions` of 2 or of two values, a body of the wrong arity)");
}

/* ---- LayerNormalization: the row path (Scale and B indexed by the offset in the row) against the general one ---- */

#define LN_MAX 24 /* elements of x */

struct ln_const {
	int rank;
	int64_t dims[3];
	const float *v;
};

static size_t ln_count(const struct ln_const *c) { return dims_count(c->dims, c->rank); }

/* Runs LayerNormalization over x (rank xr, xd) at axis, epsilon eps (NAN: attribute left out), Scale s and B c (NULL:
 * none), with nout outputs (Y, Mean, InvStdDev); copies each into out[k] and its element count into cnt[k]. */
static void ln_run(int xr, const int64_t *xd, float *xv, int64_t axis, float eps, const struct ln_const *s,
		   const struct ln_const *c, size_t nout, float out[3][LN_MAX], size_t cnt[3])
{
	static const char *const in2[] = { "x", "s", NULL }, *const in3[] = { "x", "s", "c", NULL };
	static const char *const names[] = { "y", "mean", "inv" };
	const char *outs[4] = { NULL, NULL, NULL, NULL };
	struct cella_onnx_tensor in = ftensor(xv, xr, xd), res[3];
	struct cella_onnx_model *m = NULL;
	struct mb b;
	mb_init(&b, 17);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, xr, xd);
	for (size_t k = 0; k < nout; k++) {
		outs[k] = names[k];
		gb_io(&b.g, 1, names[k], CELLA_ONNX_FLOAT, -1, NULL);
	}
	gb_const(&b.g, "s", CELLA_ONNX_FLOAT, s->rank, s->dims, s->v, ln_count(s) * sizeof(float));
	if (c)
		gb_const(&b.g, "c", CELLA_ONNX_FLOAT, c->rank, c->dims, c->v, ln_count(c) * sizeof(float));
	Onnx__NodeProto *n = gb_node(&b.g, "LayerNormalization", c ? in3 : in2, outs);
	attr_i(&b.g, n, "axis", axis);
	if (!isnan(eps))
		attr_f(&b.g, n, "epsilon", eps);
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_RESULT(cella_onnx_model_run(m, &in, 1, res, nout), CELLA_OK);
	for (size_t k = 0; k < nout; k++) {
		CT_EQ(res[k].dtype, CELLA_ONNX_FLOAT);
		CT_ASSERT(res[k].bytes <= LN_MAX * sizeof(float));
		cnt[k] = res[k].bytes / sizeof(float);
		memcpy(out[k], res[k].data, res[k].bytes);
	}
	cella_onnx_model_free(m);
}

/* One case: x at axis through the row path (Scale rs, B rc) and the general path (Scale gs, B gc) that read the same
 * values; the outputs must be the same bits, and within 1e-4 of LayerNormalization computed here in double. With rs
 * NULL, only the general path runs, and its Scale and B must repeat every their count of x's elements. */
static void ln_compare(const char *what, int xr, const int64_t *xd, float *xv, int64_t axis, float eps,
		       const struct ln_const *rs, const struct ln_const *rc, const struct ln_const *gs,
		       const struct ln_const *gc, size_t nout)
{
	float row[3][LN_MAX], gen[3][LN_MAX];
	size_t rn[3] = { 0 }, gn[3] = { 0 }, total = 1, inner = 1;
	const struct ln_const *ws = rs ? rs : gs, *wc = rs ? rc : gc; /* the Scale and B of the reference */
	ln_run(xr, xd, xv, axis, eps, gs, gc, nout, gen, gn);
	if (rs) {
		ln_run(xr, xd, xv, axis, eps, rs, rc, nout, row, rn);
	} else {
		memcpy(row, gen, sizeof(gen));
		memcpy(rn, gn, sizeof(gn));
	}
	for (int i = 0; i < xr; i++) {
		total *= (size_t)xd[i];
		inner *= i >= (axis + xr) % xr ? (size_t)xd[i] : 1;
	}
	/* the row path's Scale and B are the normalised shape, or broadcast over a leading 1 or a dim of 1 of x's:
	 * either way element i of a row reads element i of them */
	CT_EQ(rn[0], total);
	for (size_t k = 1; k < nout; k++)
		CT_EQ(rn[k], total / inner);
	for (size_t k = 0; k < nout; k++) {
		CT_EQ(gn[k], rn[k]);
		if (memcmp(row[k], gen[k], rn[k] * sizeof(float)))
			cella_test_fail(__FILE__, __LINE__, "%s: output %zu differs between the paths", what, k);
	}
	for (size_t o = 0; o < total / inner; o++) {
		const float *xp = xv + o * inner;
		double mean = 0, var = 0, e = isnan(eps) ? 1e-5 : (double)eps;
		for (size_t i = 0; i < inner; i++)
			mean += xp[i];
		mean /= (double)inner;
		for (size_t i = 0; i < inner; i++)
			var += (xp[i] - mean) * (xp[i] - mean);
		double inv = 1 / sqrt(var / (double)inner + e);
		for (size_t i = 0; i < inner; i++) {
			size_t j = o * inner + i;
			double want = (xp[i] - mean) * inv * ws->v[j % ln_count(ws)] + (wc ? wc->v[j % ln_count(wc)] : 0);
			if (fabs(row[0][o * inner + i] - want) > 1e-4)
				cella_test_fail(__FILE__, __LINE__, "%s: y[%zu] = %g, want %g", what, o * inner + i,
						(double)row[0][o * inner + i], want);
		}
		if ((nout > 1 && fabs(row[1][o] - mean) > 1e-6) || (nout > 2 && fabs(row[2][o] - inv) > 1e-4 * inv))
			cella_test_fail(__FILE__, __LINE__, "%s: row %zu mean %g inv %g, want %g %g", what, o,
					(double)row[1][o], nout > 2 ? (double)row[2][o] : 0.0, mean, inv);
	}
}

static void test_layernorm_row_path(void)
{
	static const int64_t x234[3] = { 2, 3, 4 }, x314[3] = { 3, 1, 4 };
	/* Scale's values for a row of 4 (negative ones turn a zero into -0 when there is no B), and a row of 12
	 * made of 3 runs of 4 equal values, which Scale (3, 1) gives the general path */
	static const float s4[4] = { 0.5f, -1.25f, 2, -0.75f }, b4[4] = { 0.125f, -0.25f, 0, 0.375f };
	static const float s34[12] = { 0.5f, -1.25f, 2, -0.75f, 0.5f, -1.25f, 2, -0.75f, 0.5f, -1.25f, 2, -0.75f };
	static const float b34[12] = { 0.125f, -0.25f, 0, 0.375f, 0.125f, -0.25f, 0, 0.375f, 0.125f, -0.25f, 0, 0.375f };
	static const float s31[3] = { 1.5f, -0.5f, 3 }, c31[3] = { 0.25f, 0, -1 };
	static const float s3r[12] = { 1.5f, 1.5f, 1.5f, 1.5f, -0.5f, -0.5f, -0.5f, -0.5f, 3, 3, 3, 3 };
	static const float c3r[12] = { 0.25f, 0.25f, 0.25f, 0.25f, 0, 0, 0, 0, -1, -1, -1, -1 };
	static const float k1[1] = { 1.5f }, k4[4] = { 1.5f, 1.5f, 1.5f, 1.5f }, h1[1] = { -0.5f };
	static const float h4[4] = { -0.5f, -0.5f, -0.5f, -0.5f };
	float x[LN_MAX];
	for (int i = 0; i < LN_MAX; i++)
		x[i] = (float)((i * 7) % 11) * 0.375f - 1.5f;
	/* row 1 has mean 2 exactly (its two 2s normalise to 0), row 2 no variance (epsilon alone) */
	memcpy(x + 4, (const float[]){ 1, 2, 2, 3 }, 4 * sizeof(float));
	memcpy(x + 8, (const float[]){ 0.5f, 0.5f, 0.5f, 0.5f }, 4 * sizeof(float));
	const struct ln_const S4 = { 1, { 4 }, s4 }, B4 = { 1, { 4 }, b4 }, S34 = { 2, { 3, 4 }, s34 };
	const struct ln_const B34 = { 2, { 3, 4 }, b34 }, S31 = { 2, { 3, 1 }, s31 }, C31 = { 2, { 3, 1 }, c31 };
	const struct ln_const S3R = { 2, { 3, 4 }, s3r }, C3R = { 2, { 3, 4 }, c3r }, S14 = { 2, { 1, 4 }, s4 };
	const struct ln_const K1 = { 1, { 1 }, k1 }, K4 = { 1, { 4 }, k4 }, H1 = { 1, { 1 }, h1 };
	const struct ln_const H4 = { 1, { 4 }, h4 }, D34 = { 2, { 3, 4 }, s3r }, E34 = { 2, { 3, 4 }, s34 };
	/* axis -1, Scale and B (4) against the same rows repeated as (3, 4), which vary along x's axis 1 for the
	 * engine: with Mean and InvStdDev, default epsilon */
	ln_compare("axis -1, Scale and B (4) vs (3, 4)", 3, x234, x, -1, NAN, &S4, &B4, &S34, &B34, 3);
	/* no B, epsilon 0.5: the zeros times negative scales are -0 + 0 = +0 on both paths */
	ln_compare("axis -1, no B, epsilon 0.5", 3, x234, x, -1, 0.5f, &S4, NULL, &S34, NULL, 3);
	/* a Scale of (1, 4) is still the normalised shape */
	ln_compare("axis 2, Scale (1, 4) vs (3, 4)", 3, x234, x, 2, 1e-3f, &S14, &B4, &S34, &B34, 2);
	/* axis 1 (rows of 12) with Scale and B of the normalised shape (3, 4) against (3, 1) broadcast along the
	 * last axis */
	ln_compare("axis 1, Scale and B (3, 4) vs (3, 1)", 3, x234, x, 1, NAN, &S3R, &C3R, &S31, &C31, 3);
	ln_compare("axis -2, no B", 3, x234, x, -2, 0.25f, &S3R, NULL, &S31, NULL, 1);
	/* one scalar is enough to leave the row path: Scale (4) with B (1), and Scale (1) with B (4) */
	ln_compare("axis -1, B (1) broadcast", 3, x234, x, -1, NAN, &K4, &H4, &K4, &H1, 3);
	ln_compare("axis -1, Scale (1) broadcast", 3, x234, x, -1, NAN, &K4, &H4, &K1, &H4, 3);
	/* a Scale that differs from row to row (broadcast as Mul would) stays on the general path */
	ln_compare("axis -1, Scale (3, 4) of distinct rows, B (3, 4)", 3, x234, x, -1, NAN, NULL, NULL, &D34, &E34, 3);
	/* x (3, 1, 4) at axis 1: its dim of 1 in the row takes Scale (4) as the normalised shape */
	ln_compare("x (3, 1, 4) at axis 1, Scale (4) vs (1)", 3, x314, x, 1, NAN, &K4, &B4, &K1, &B4, 3);
	cella_test_pass("LayerNormalization: the row path and the general path give the same bits on each shape");
}

/* Only float is implemented: double x (and a double Scale with float x) are refused by name, at load. */
static void test_layernorm_dtypes(void)
{
	static const char *const in[] = { "x", "s", NULL };
	static const int64_t d4[1] = { 4 };
	static const double sd[4] = { 1, 1, 1, 1 };
	static const float sf[4] = { 1, 1, 1, 1 };
	for (int k = 0; k < 2; k++) {
		struct cella_onnx_model *m = NULL;
		struct mb b;
		mb_init(&b, 17);
		gb_io(&b.g, 0, "x", k ? CELLA_ONNX_FLOAT : CELLA_ONNX_DOUBLE, 1, d4);
		gb_io(&b.g, 1, "y", k ? CELLA_ONNX_FLOAT : CELLA_ONNX_DOUBLE, -1, NULL);
		if (k)
			gb_const(&b.g, "s", CELLA_ONNX_DOUBLE, 1, d4, sd, sizeof(sd));
		else
			gb_const(&b.g, "s", CELLA_ONNX_FLOAT, 1, d4, sf, sizeof(sf));
		gb_node(&b.g, "LayerNormalization", in, Y);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
		if (!strstr(last_log, "LayerNormalization"))
			cella_test_fail(__FILE__, __LINE__, "case %d logged '%s'", k, last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("LayerNormalization: double x or Scale refused at load, by op name");
}

/* ---- Clip: Min(max, Max(x, min)) for every numeric type ---- */

/* Clip-13 of n elements of one type (es bytes each) between the scalars lo and hi: the result must be want. */
static void clip_case(int dtype, size_t es, const void *xv, size_t n, const void *lo, const void *hi, const void *want)
{
	int64_t d[1] = { (int64_t)n };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	single(&b, 13, "Clip", 3, dtype);
	gb_const(&b.g, "c0", dtype, 1, d, xv, n * es);
	gb_const(&b.g, "c1", dtype, 0, NULL, lo, es);
	gb_const(&b.g, "c2", dtype, 0, NULL, hi, es);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.dtype, dtype);
	if (out.bytes != n * es || memcmp(out.data, want, n * es) != 0)
		cella_test_fail(__FILE__, __LINE__, "Clip of type %d gave %s", dtype, cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
}

static void test_clip_min_above_max(void)
{
	/* min 10 above max 3: every element becomes 3, as for float */
	static const int32_t i32x[3] = { 5, 20, -3 }, i32lo = 10, i32hi = 3, i32want[3] = { 3, 3, 3 };
	clip_case(CELLA_ONNX_INT32, 4, i32x, 3, &i32lo, &i32hi, i32want);
	static const uint8_t u8x[3] = { 0, 7, 255 }, u8lo = 200, u8hi = 100, u8want[3] = { 100, 100, 100 };
	clip_case(CELLA_ONNX_UINT8, 1, u8x, 3, &u8lo, &u8hi, u8want);
	static const int64_t i64x[2] = { INT64_MIN, INT64_MAX }, i64lo = 1, i64hi = -1, i64want[2] = { -1, -1 };
	clip_case(CELLA_ONNX_INT64, 8, i64x, 2, &i64lo, &i64hi, i64want);
	static const double dx[2] = { -1, 4 }, dlo = 2.5, dhi = 0.5, dwant[2] = { 0.5, 0.5 };
	clip_case(CELLA_ONNX_DOUBLE, 8, dx, 2, &dlo, &dhi, dwant);
	static const float fx[2] = { -1, 4 }, flo = 2.5f, fhi = 0.5f, fwant[2] = { 0.5f, 0.5f };
	clip_case(CELLA_ONNX_FLOAT, 4, fx, 2, &flo, &fhi, fwant);
	/* the ordinary case, and int16/uint16, which Clip-12 and later take */
	static const int32_t i32lo2 = 0, i32hi2 = 10, i32want2[3] = { 5, 10, 0 };
	clip_case(CELLA_ONNX_INT32, 4, i32x, 3, &i32lo2, &i32hi2, i32want2);
	static const int16_t i16x[3] = { -500, 5, 500 }, i16lo = -10, i16hi = 10, i16want[3] = { -10, 5, 10 };
	clip_case(CELLA_ONNX_INT16, 2, i16x, 3, &i16lo, &i16hi, i16want);
	static const uint16_t u16x[2] = { 1, 60000 }, u16lo = 2, u16hi = 50000, u16want[2] = { 2, 50000 };
	clip_case(CELLA_ONNX_UINT16, 2, u16x, 2, &u16lo, &u16hi, u16want);
	cella_test_pass("Clip: min above max gives max for every type; int16 and uint16 clip");
}

/* Clip-6 (its bounds are attributes; float16, float and double only) of [-5, 0.5, 9] between 0 and 1: double ignored
 * the attributes ([-5, 0.5, 9]); int32, which Clip-6 does not take, was loaded and left unclipped. */
static void test_clip_legacy(void)
{
	static const int64_t d3[1] = { 3 };
	static const double dx[3] = { -5, 0.5, 9 }, dwant[3] = { 0, 0.5, 1 };
	static const float fx[3] = { -5, 0.5f, 9 }, fwant[3] = { 0, 0.5f, 1 };
	static const int32_t ix[3] = { -5, 0, 9 };
	static const struct {
		int dtype;
		size_t es;
		const void *x, *want; /* want NULL: refused */
	} cases[] = { { CELLA_ONNX_DOUBLE, 8, dx, dwant }, { CELLA_ONNX_FLOAT, 4, fx, fwant },
		      { CELLA_ONNX_INT32, 4, ix, NULL } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		Onnx__NodeProto *n = single(&b, 6, "Clip", 1, cases[i].dtype);
		gb_const(&b.g, "c0", cases[i].dtype, 1, d3, cases[i].x, 3 * cases[i].es);
		attr_f(&b.g, n, "min", 0.0f);
		attr_f(&b.g, n, "max", 1.0f);
		cella_result r = load_run(&b, &m, &out);
		if (!cases[i].want) {
			CT_RESULT(r, CELLA_ERR_MODEL);
			CT_ASSERT(strstr(last_log, "Clip before opset 11 takes float or double, not int32") != NULL);
			continue;
		}
		CT_RESULT(r, CELLA_OK);
		if (out.bytes != 3 * cases[i].es || memcmp(out.data, cases[i].want, 3 * cases[i].es) != 0)
			cella_test_fail(__FILE__, __LINE__, "Clip-6 of type %d gave %s", cases[i].dtype,
					cella_test_hex(out.data, out.bytes));
		cella_onnx_model_free(m);
	}
	cella_test_pass("Clip-6: double clipped by the min/max attributes; integer types refused");
}

/* ---- integer reductions and CumSum: computed in integers, wrapping as Add and Mul do ---- */

/* op over the n integer elements xv of one type (es bytes each); the output's bytes must be want (wn elements).
 * A Reduce* reduces all axes without keepdims; CumSum runs on axis 0 (exclusive when excl). */
static void int_reduce_case(const char *op, int excl, int dtype, size_t es, const void *xv, size_t n, const void *want,
			    size_t wn)
{
	static const int64_t axis0 = 0, one[1] = { 1 };
	int64_t d[1] = { (int64_t)n };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	int cumsum = !strcmp(op, "CumSum");
	Onnx__NodeProto *nd = single(&b, 13, op, cumsum ? 2 : 1, dtype);
	gb_const(&b.g, "c0", dtype, 1, d, xv, n * es);
	if (cumsum) {
		gb_const(&b.g, "c1", CELLA_ONNX_INT64, 1, one, &axis0, sizeof(axis0));
		attr_i(&b.g, nd, "exclusive", excl);
	} else {
		attr_i(&b.g, nd, "keepdims", 0);
	}
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.dtype, dtype);
	if (out.bytes != wn * es || memcmp(out.data, want, wn * es) != 0)
		cella_test_fail(__FILE__, __LINE__, "%s of type %d gave %s", op, dtype, cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
}

static void test_int_reduce_wrap(void)
{
	/* 2e9 + 1e9 wraps to 3e9 - 2^32, as Add of the two would (through a double: INT32_MIN) */
	static const int32_t big[3] = { 2000000000, 1000000000, 1000000000 }, sum2[1] = { -1294967296 };
	int_reduce_case("ReduceSum", 0, CELLA_ONNX_INT32, 4, big, 2, sum2, 1);
	static const int32_t cum[3] = { 2000000000, -1294967296, -294967296 }, cumx[3] = { 0, 2000000000, -1294967296 };
	int_reduce_case("CumSum", 0, CELLA_ONNX_INT32, 4, big, 3, cum, 3);
	int_reduce_case("CumSum", 1, CELLA_ONNX_INT32, 4, big, 3, cumx, 3);
	/* 2^16 * 2^16 = 2^32 wraps to 0; 2^62 * 4 = 2^64 too */
	static const int32_t p16[2] = { 65536, 65536 }, zero32[1] = { 0 };
	int_reduce_case("ReduceProd", 0, CELLA_ONNX_INT32, 4, p16, 2, zero32, 1);
	static const int64_t p62[2] = { (int64_t)1 << 62, 4 }, zero64[1] = { 0 };
	int_reduce_case("ReduceProd", 0, CELLA_ONNX_INT64, 8, p62, 2, zero64, 1);
	/* |INT32_MIN| wraps to INT32_MIN as Abs gives it; plus 1 */
	static const int32_t l1[2] = { INT32_MIN, 1 }, l1want[1] = { INT32_MIN + 1 };
	int_reduce_case("ReduceL1", 0, CELLA_ONNX_INT32, 4, l1, 2, l1want, 1);
	/* 12 * 12 = 144 wraps to -112 in int8; 200 + 100 to 44 in uint8 */
	static const int8_t sq[1] = { 12 }, sqwant[1] = { -112 };
	int_reduce_case("ReduceSumSquare", 0, CELLA_ONNX_INT8, 1, sq, 1, sqwant, 1);
	static const uint8_t u8[2] = { 200, 100 }, u8want[1] = { 44 };
	int_reduce_case("ReduceSum", 0, CELLA_ONNX_UINT8, 1, u8, 2, u8want, 1);
	/* the mean of two INT64_MAX is INT64_MAX (its double, 2^63, is out of range: saturated, not converted) */
	static const int64_t mx[2] = { INT64_MAX, INT64_MAX }, mxwant[1] = { INT64_MAX };
	int_reduce_case("ReduceMean", 0, CELLA_ONNX_INT64, 8, mx, 2, mxwant, 1);
	cella_test_pass("integer ReduceSum/Prod/L1/SumSquare and CumSum wrap like Add; ReduceMean saturates");
}

/* An empty integer ReduceMax is the type's least value, an empty ReduceMin its greatest, as ONNX specifies since
 * the clarification of empty reductions (onnx#5568), and as -inf and inf are for floats: both gave 0. */
static void test_int_reduce_empty(void)
{
	static const int8_t i8[2] = { INT8_MIN, INT8_MAX };
	static const uint8_t u8[2] = { 0, UINT8_MAX };
	static const int32_t i32[2] = { INT32_MIN, INT32_MAX };
	static const int64_t i64[2] = { INT64_MIN, INT64_MAX };
	static const struct {
		int dtype;
		size_t es;
		const void *lim; /* least, greatest */
	} types[] = { { CELLA_ONNX_INT8, 1, i8 }, { CELLA_ONNX_UINT8, 1, u8 }, { CELLA_ONNX_INT32, 4, i32 },
		      { CELLA_ONNX_INT64, 8, i64 } };
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		const uint8_t *lim = types[t].lim;
		int_reduce_case("ReduceMax", 0, types[t].dtype, types[t].es, lim, 0, lim, 1);
		int_reduce_case("ReduceMin", 0, types[t].dtype, types[t].es, lim, 0, lim + types[t].es, 1);
		/* not empty: the elements' own extremes */
		int_reduce_case("ReduceMax", 0, types[t].dtype, types[t].es, lim, 2, lim + types[t].es, 1);
		int_reduce_case("ReduceMin", 0, types[t].dtype, types[t].es, lim, 2, lim, 1);
	}
	cella_test_pass("an empty integer ReduceMax/ReduceMin is the type's least/greatest value");
}

/* ReduceMax-20/ReduceMin-20 on bool: an any and an all. Over axis 1 of [[1, 1, 1], [0, 1, 0], [0, 0, 0]] (the
 * first row's first byte 2, a true that is not 1): max [1, 1, 0], min [1, 0, 0]; an empty max is false, an empty
 * min true (the type's least and greatest values, as for the other types). Before opset 20 bool is refused. */
static void test_reduce_bool(void)
{
	static const uint8_t xv[9] = { 2, 1, 1, 0, 1, 0, 0, 0, 0 }, wmax[3] = { 1, 1, 0 }, wmin[3] = { 1, 0, 0 };
	static const uint8_t f = 0, t = 1;
	static const int64_t d33[2] = { 3, 3 }, d0[1] = { 0 }, one[1] = { 1 }, axis1 = 1;
	static const struct {
		const char *op;
		int empty;
		const uint8_t *want;
		size_t wn;
	} cases[] = { { "ReduceMax", 0, wmax, 3 }, { "ReduceMin", 0, wmin, 3 }, { "ReduceMax", 1, &f, 1 },
		      { "ReduceMin", 1, &t, 1 } };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		Onnx__NodeProto *n = single(&b, 20, cases[i].op, cases[i].empty ? 1 : 2, CELLA_ONNX_BOOL);
		if (cases[i].empty) {
			gb_const(&b.g, "c0", CELLA_ONNX_BOOL, 1, d0, xv, 0);
		} else {
			gb_const(&b.g, "c0", CELLA_ONNX_BOOL, 2, d33, xv, sizeof(xv));
			gb_const(&b.g, "c1", CELLA_ONNX_INT64, 1, one, &axis1, sizeof(axis1));
		}
		attr_i(&b.g, n, "keepdims", 0);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(out.dtype, CELLA_ONNX_BOOL);
		if (out.bytes != cases[i].wn || memcmp(out.data, cases[i].want, cases[i].wn) != 0)
			cella_test_fail(__FILE__, __LINE__, "%s-20 case %zu gave %s", cases[i].op, i,
					cella_test_hex(out.data, out.bytes));
		cella_onnx_model_free(m);
	}
	single(&b, 18, "ReduceMax", 1, CELLA_ONNX_BOOL);
	gb_const(&b.g, "c0", CELLA_ONNX_BOOL, 2, d33, xv, sizeof(xv));
	CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "(ReduceMax)") != NULL && strstr(last_log, "bool input before opset 20") != NULL);
	cella_test_pass("ReduceMax-20/ReduceMin-20 on bool (any/all, empty false/true); refused before opset 20");
}

/* ---- depthwise Conv with a kernel taller than the direct kernel takes: the GEMM path runs it ---- */

static void test_depthwise_tall_kernel(void)
{
	enum { C = 2, H = 67, W = 2, KH = 65, OH = H - KH + 1 };
	static const int64_t xd[4] = { 1, C, H, W }, wd[4] = { C, 1, KH, 1 }, dyn[4] = { 1, C, -1, -1 }, bd[1] = { C };
	static const float bias[C] = { 0.5f, -1.0f };
	static const char *const ins[] = { "x", "w", "b", NULL };
	static float x[C * H * W], w[C * KH];
	for (int i = 0; i < C * H * W; i++)
		x[i] = (float)(i % 7) - 3.0f;
	for (int i = 0; i < C * KH; i++)
		w[i] = (float)(i % 5) - 2.0f;
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in[2] = { ftensor(x, 4, xd), ftensor(w, 4, wd) }, out;
	mb_init(&b, 13);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 4, dyn);
	gb_io(&b.g, 0, "w", CELLA_ONNX_FLOAT, 4, wd);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "b", CELLA_ONNX_FLOAT, 1, bd, bias, sizeof(bias));
	Onnx__NodeProto *n = gb_node(&b.g, "Conv", ins, Y);
	attr_i(&b.g, n, "group", C);
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
	CT_ASSERT(out.rank == 4 && out.dims[1] == C && out.dims[2] == OH && out.dims[3] == W);
	for (int c = 0; c < C; c++)
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < W; ox++) {
				float want = bias[c]; /* small integers: exact in any order */
				for (int k = 0; k < KH; k++)
					want += x[(c * H + oy + k) * W + ox] * w[c * KH + k];
				float got = ((const float *)out.data)[(c * OH + oy) * W + ox];
				if (got != want)
					cella_test_fail(__FILE__, __LINE__, "y[%d,%d,%d] = %g, want %g", c, oy, ox,
							(double)got, (double)want);
			}
	cella_onnx_model_free(m);
	cella_test_pass("depthwise Conv with a 65-row kernel runs (on the GEMM path)");
}

/* ---- Conv/ConvTranspose/pooling window attributes: lengths and auto_pad checked, VALID pads nothing ---- */

static char all_log[2048]; /* every log line of the last load_logged, one a line */

static void log_all(void *ctx, const char *msg)
{
	size_t used = strlen(all_log);
	(void)ctx;
	snprintf(all_log + used, sizeof(all_log) - used, "%s\n", msg);
}

/* tk_load with every log line kept in all_log (the engine adds its own line after an operator's). */
static cella_result load_logged(struct mb *b, struct cella_onnx_model **m)
{
	size_t len = onnx__model_proto__get_packed_size(&b->m);
	uint8_t *buf = malloc(len);
	struct cella_onnx_options o = { .log = log_all };
	CT_ASSERT(buf != NULL);
	onnx__model_proto__pack(&b->m, buf);
	all_log[0] = '\0';
	*m = NULL;
	cella_result r = cella_onnx_model_new(buf, len, &o, m);
	free(buf);
	return r;
}

/* One window node over x (1, 1, 2, 2), declared with its dims or dynamic, and (but for pooling) the 2x2 weight w
 * (with dynamic 2, a graph input of no declared shape), with one INTS attribute (name NULL: none; for pooling,
 * kernel_shape 2x2 unless that is the one) and auto_pad (NULL: none). */
static void window_model(struct mb *b, const char *op, int dynamic, const char *attr, const int64_t *v, size_t nv,
			 const char *auto_pad)
{
	static const int64_t xd[4] = { 1, 1, 2, 2 }, dyn[4] = { 1, 1, -1, -1 }, k2[2] = { 2, 2 };
	static const float w[4] = { 1, 1, 1, 1 };
	static const char *const ins[] = { "x", "w", NULL }, *const pin[] = { "x", NULL };
	int pool = strstr(op, "Pool") != NULL;
	mb_init(b, 13);
	gb_io(&b->g, 0, "x", CELLA_ONNX_FLOAT, 4, dynamic ? dyn : xd);
	gb_io(&b->g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	if (!pool && dynamic == 2)
		gb_io(&b->g, 0, "w", CELLA_ONNX_FLOAT, -1, NULL);
	else if (!pool)
		gb_const(&b->g, "w", CELLA_ONNX_FLOAT, 4, xd, w, sizeof(w));
	Onnx__NodeProto *n = gb_node(&b->g, op, pool ? pin : ins, Y);
	if (pool && !(attr && !strcmp(attr, "kernel_shape")))
		attr_ints(&b->g, n, "kernel_shape", k2, 2);
	if (attr && nv)
		attr_ints(&b->g, n, attr, v, nv);
	if (auto_pad)
		attr_s(&b->g, n, "auto_pad", auto_pad);
}

/* The lines of all_log. */
static int log_lines(void)
{
	int c = 0;
	for (const char *p = all_log; *p; p++)
		c += *p == '\n';
	return c;
}

static void test_window_attrs(void)
{
	static const int64_t one[1] = { 1 }, three[3] = { 1, 1, 1 }, two[2] = { 0, 0 }, pads1[4] = { 1, 1, 1, 1 };
	static const int64_t zero_one[2] = { 0, 1 }, big[2] = { 1, (int64_t)1 << 21 }, negp[4] = { 0, -1, 0, 0 };
	static const struct {
		const char *op, *attr;
		const int64_t *v;
		size_t nv;
		const char *auto_pad, *msg;
		cella_result r;
	} bad[] = {
		{ "ConvTranspose", "strides", three, 3, NULL, "attribute 'strides' has 3 values, expected 2", CELLA_ERR_MODEL },
		{ "ConvTranspose", "dilations", one, 1, NULL, "attribute 'dilations' has 1 values, expected 2", CELLA_ERR_MODEL },
		{ "ConvTranspose", "output_padding", three, 3, NULL, "'output_padding' has 3 values, expected 2",
		  CELLA_ERR_MODEL },
		{ "ConvTranspose", "pads", two, 2, NULL, "attribute 'pads' has 2 values, expected 4", CELLA_ERR_MODEL },
		{ "ConvTranspose", NULL, NULL, 0, "SAME", "attribute 'auto_pad' is 'SAME', not NOTSET", CELLA_ERR_MODEL },
		{ "ConvTranspose", "strides", big, 2, NULL, "attribute 'strides' holds 2097152, not in [1, 4096]",
		  CELLA_ERR_MODEL_SHAPE },
		{ "Conv", NULL, NULL, 0, "valid", "attribute 'auto_pad' is 'valid', not NOTSET", CELLA_ERR_MODEL },
		{ "Conv", "strides", one, 1, NULL, "attribute 'strides' has 1 values, expected 2", CELLA_ERR_MODEL },
		{ "Conv", "pads", negp, 4, NULL, "attribute 'pads' holds -1, not in [0, 16777216]", CELLA_ERR_MODEL_SHAPE },
		{ "MaxPool", NULL, NULL, 0, "BOGUS", "attribute 'auto_pad' is 'BOGUS', not NOTSET", CELLA_ERR_MODEL },
		{ "MaxPool", NULL, NULL, 0, "SAME", "attribute 'auto_pad' is 'SAME', not NOTSET", CELLA_ERR_MODEL },
		{ "AveragePool", "strides", zero_one, 2, NULL, "attribute 'strides' holds 0, not in [1, 1048576]",
		  CELLA_ERR_MODEL_SHAPE },
		{ "AveragePool", "kernel_shape", NULL, 0, NULL, "attribute 'kernel_shape' is required", CELLA_ERR_MODEL },
		{ "MaxPool", "kernel_shape", big, 2, NULL, "attribute 'kernel_shape' holds 2097152, not in [1, 1048576]",
		  CELLA_ERR_MODEL_SHAPE },
	};
	struct mb b;
	struct cella_onnx_model *m = NULL;
	/* each refused at load, whether x's shape is known or not, in one line naming the node and the attribute */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (int dynamic = 0; dynamic < 2; dynamic++) {
			window_model(&b, bad[i].op, dynamic, bad[i].attr, bad[i].v, bad[i].nv, bad[i].auto_pad);
			cella_result r = load_logged(&b, &m);
			cella_onnx_model_free(m);
			if (r != bad[i].r || !strstr(all_log, bad[i].msg) || !strstr(all_log, "node '") || log_lines() != 1)
				cella_test_fail(__FILE__, __LINE__, "case %zu (%s, %s x): %s, log: %s", i, bad[i].op,
						dynamic ? "dynamic" : "static", cella_result_name(r), all_log);
		}
	/* a Conv whose weight has no declared shape: its attributes are checked when it first runs, and named */
	{
		float x[4] = { 1, 2, 3, 4 }, w[4] = { 1, 1, 1, 1 };
		static const int64_t xd[4] = { 1, 1, 2, 2 };
		struct cella_onnx_tensor in[2] = { ftensor(x, 4, xd), ftensor(w, 4, xd) }, out;
		window_model(&b, "Conv", 2, NULL, NULL, 0, "BOGUS");
		CT_RESULT(load_logged(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_ERR_MODEL);
		if (!strstr(all_log, "node 'Conv' (Conv): model is malformed: attribute 'auto_pad' is 'BOGUS'"))
			cella_test_fail(__FILE__, __LINE__, "run logged: %s", all_log);
		cella_onnx_model_free(m);
	}
	/* MaxPool with auto_pad SAME_UPPER and SAME_LOWER over a dynamic x: pads from each run's shape (x 1..9 in
	 * 3x3, then 1..4 in 2x2, 2x2 windows at stride 1: the output has x's size) */
	for (int lower = 0; lower < 2; lower++) {
		float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
		static const int64_t d3[4] = { 1, 1, 3, 3 }, d2[4] = { 1, 1, 2, 2 };
		static const float up3[9] = { 5, 6, 6, 8, 9, 9, 8, 9, 9 }, low3[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
		static const float up2[4] = { 4, 4, 4, 4 }, low2[4] = { 1, 2, 3, 4 };
		struct cella_onnx_tensor in = ftensor(x, 4, d3), out;
		window_model(&b, "MaxPool", 1, NULL, NULL, 0, lower ? "SAME_LOWER" : "SAME_UPPER");
		CT_RESULT(load_logged(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.dims[2] == 3 && out.dims[3] == 3 && memcmp(out.data, lower ? low3 : up3, sizeof(up3)) == 0);
		in = ftensor(x, 4, d2);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.dims[2] == 2 && out.dims[3] == 2 && memcmp(out.data, lower ? low2 : up2, sizeof(up2)) == 0);
		cella_onnx_model_free(m);
	}
	/* ConvTranspose with auto_pad VALID pads nothing, whatever pads says: x 1 2 / 3 4 under a 2x2 kernel of ones
	 * spreads into 3x3 (with pads 1 it was the 1x1 centre, 10) */
	{
		float x[4] = { 1, 2, 3, 4 };
		static const int64_t xd[4] = { 1, 1, 2, 2 };
		static const float want[9] = { 1, 3, 2, 4, 10, 6, 3, 7, 4 };
		struct cella_onnx_tensor out;
		window_model(&b, "ConvTranspose", 0, "pads", pads1, 4, "VALID");
		CT_RESULT(load_run_x(&b, x, 4, xd, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 4 && out.dims[2] == 3 && out.dims[3] == 3);
		CT_ASSERT(memcmp(out.data, want, sizeof(want)) == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("window attributes of the wrong length, bounds or auto_pad refused at load in one line; SAME_* at run");
}

/* ---- bool bytes other than 0 and 1 (raw_data keeps them) are true ---- */

/* op over the bool constant c0 (and c1 when given), n elements each, or Cast of c0 to `to`: out must be want. */
static void bool_case(const char *op, const uint8_t *a, const uint8_t *b, size_t n, int to, const void *want,
		      size_t wbytes)
{
	int64_t d[1] = { (int64_t)n };
	struct mb mb;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	Onnx__NodeProto *nd = single(&mb, 13, op, b ? 2 : 1, to);
	gb_const(&mb.g, "c0", CELLA_ONNX_BOOL, 1, d, a, n);
	if (b)
		gb_const(&mb.g, "c1", CELLA_ONNX_BOOL, 1, d, b, n);
	else
		attr_i(&mb.g, nd, "to", to);
	CT_RESULT(load_run(&mb, &m, &out), CELLA_OK);
	CT_EQ(out.dtype, to);
	if (out.bytes != wbytes || memcmp(out.data, want, wbytes) != 0)
		cella_test_fail(__FILE__, __LINE__, "%s to type %d gave %s", op, to, cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
}

static void test_bool_nonzero(void)
{
	static const uint8_t a[4] = { 2, 1, 0, 255 }, b[4] = { 1, 1, 0, 0 }, eq[4] = { 1, 1, 1, 0 }, one[4] = { 1, 1, 0, 1 };
	static const float f[4] = { 1, 1, 0, 1 };
	static const int32_t i32[4] = { 1, 1, 0, 1 };
	bool_case("Equal", a, b, 4, CELLA_ONNX_BOOL, eq, 4);
	bool_case("Cast", a, NULL, 4, CELLA_ONNX_FLOAT, f, sizeof(f));
	bool_case("Cast", a, NULL, 4, CELLA_ONNX_INT32, i32, sizeof(i32));
	bool_case("Cast", a, NULL, 4, CELLA_ONNX_BOOL, one, 4);
	/* a run input's bytes likewise */
	{
		static const int64_t d2[1] = { 2 };
		static const uint8_t t = 1, want[2] = { 1, 0 };
		static const char *const ins[] = { "x", "t", NULL };
		uint8_t x[2] = { 7, 0 };
		struct mb mb;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in, out;
		mb_init(&mb, 13);
		gb_io(&mb.g, 0, "x", CELLA_ONNX_BOOL, 1, d2);
		gb_io(&mb.g, 1, "y", CELLA_ONNX_BOOL, -1, NULL);
		gb_const(&mb.g, "t", CELLA_ONNX_BOOL, 0, NULL, &t, 1);
		gb_node(&mb.g, "Equal", ins, Y);
		CT_RESULT(load(&mb, &m), CELLA_OK);
		memset(&in, 0, sizeof(in));
		in.dtype = CELLA_ONNX_BOOL;
		in.rank = 1;
		in.dims[0] = 2;
		in.data = x;
		in.bytes = 2;
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.bytes == 2 && memcmp(out.data, want, 2) == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("bool Equal and Cast take any nonzero byte as true");
}

/* ---- Pow with an integer base and a float exponent: results saturated, NaN as 0 ---- */

static void test_pow_int_nan(void)
{
	static const int64_t d3[1] = { 3 };
	static const float e[3] = { 0.5f, 0.5f, 40.0f };
	static const int32_t b32[3] = { -8, 4, 10 }, w32[3] = { 0, 2, INT32_MAX };
	static const int64_t b64[3] = { -8, 4, 10 }, w64[3] = { 0, 2, INT64_MAX };
	for (int wide = 0; wide < 2; wide++) {
		int dt = wide ? CELLA_ONNX_INT64 : CELLA_ONNX_INT32;
		size_t es = wide ? 8 : 4;
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		single(&b, 13, "Pow", 2, dt);
		gb_const(&b.g, "c0", dt, 1, d3, wide ? (const void *)b64 : (const void *)b32, 3 * es);
		gb_const(&b.g, "c1", CELLA_ONNX_FLOAT, 1, d3, e, sizeof(e));
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		/* (-8)^0.5 is NaN: 0, as Cast gives it; 4^0.5 = 2; 10^40 saturates */
		if (out.bytes != 3 * es || memcmp(out.data, wide ? (const void *)w64 : (const void *)w32, 3 * es) != 0)
			cella_test_fail(__FILE__, __LINE__, "Pow of type %d gave %s", dt, cella_test_hex(out.data, out.bytes));
		cella_onnx_model_free(m);
	}
	cella_test_pass("Pow with an integer base: NaN as 0, out of range saturated");
}

/* TopK over [3, 1, NaN, 2, NaN]: NaN ranks above every number, as the ONNX reference's stable sort ranks it, ties by
 * the smaller index; NaN compared as unordered tied with everything and the sort gave no order (3, 1 as the two
 * largest). */
static void test_topk_nan(void)
{
	static const int64_t d5[1] = { 5 }, one[1] = { 1 }, k = 4;
	static const float v[5] = { 3, 1, NAN, 2, NAN };
	static const int64_t want_i[2][4] = { { 1, 3, 0, 2 }, { 2, 4, 0, 3 } };
	for (int largest = 0; largest < 2; largest++) {
		static const char *const ins[] = { "c0", "k", NULL }, *const outs[] = { "y", "i", NULL };
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor o2[2];
		mb_init(&b, 11);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_io(&b.g, 1, "i", CELLA_ONNX_INT64, -1, NULL);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d5, v, sizeof(v));
		gb_const(&b.g, "k", CELLA_ONNX_INT64, 1, one, &k, 8);
		attr_i(&b.g, gb_node(&b.g, "TopK", ins, outs), "largest", largest);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, NULL, 0, o2, 2), CELLA_OK);
		const float *y = o2[0].data;
		const int64_t *ix = o2[1].data;
		CT_ASSERT(o2[1].bytes == sizeof(want_i[0]));
		if (memcmp(ix, want_i[largest], sizeof(want_i[0])) != 0)
			cella_test_fail(__FILE__, __LINE__, "TopK largest=%d gave indices %s", largest,
					cella_test_hex(ix, o2[1].bytes));
		for (int j = 0; j < 4; j++) {
			float w = v[want_i[largest][j]];
			CT_ASSERT(w != w ? y[j] != y[j] : y[j] == w);
		}
		cella_onnx_model_free(m);
	}
	cella_test_pass("TopK ranks NaN above every number, ties by index");
}

/* Hardmax marks the first maximum as the reference's np.argmax finds it, which takes the first NaN of a row as the
 * maximum: a NaN after the largest number, a NaN first, an all-NaN row, and a row without NaN. */
static void test_hardmax_nan(void)
{
	static const int64_t d43[2] = { 4, 3 };
	static const float x[12] = { 1, 3, NAN, NAN, 1, 2, NAN, NAN, NAN, 2, 5, 5 };
	static const float want[12] = { 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	single(&b, 13, "Hardmax", 1, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d43, x, sizeof(x));
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	CT_EQ(out.bytes, sizeof(want));
	if (memcmp(out.data, want, sizeof(want)) != 0)
		cella_test_fail(__FILE__, __LINE__, "Hardmax gave %s", cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
	cella_test_pass("Hardmax takes the first NaN of a row as its maximum");
}

/* ArgMax and ArgMin take a NaN as the extreme, as the reference's np.argmax/argmin do: the first NaN of a row, or with
 * select_last_index (the reference flips the axis) the last. Rows: NaNs after a number, a NaN first, ties without
 * NaN, all NaN. A NaN after the first element was never taken. */
static void test_argext_nan(void)
{
	static const int64_t d44[2] = { 4, 4 };
	static const float x[16] = { 1, NAN, 3, NAN, NAN, 5, 2, 0, 2, 7, 7, 2, NAN, NAN, NAN, NAN };
	static const struct { const char *op; int last; int64_t want[4]; } cases[] = {
		{ "ArgMax", 0, { 1, 0, 1, 0 } },
		{ "ArgMax", 1, { 3, 0, 2, 3 } },
		{ "ArgMin", 0, { 1, 0, 0, 0 } },
		{ "ArgMin", 1, { 3, 0, 3, 3 } },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		Onnx__NodeProto *n = single(&b, 12, cases[k].op, 1, CELLA_ONNX_INT64);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d44, x, sizeof(x));
		attr_i(&b.g, n, "axis", 1);
		attr_i(&b.g, n, "keepdims", 0);
		attr_i(&b.g, n, "select_last_index", cases[k].last);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		if (out.bytes != sizeof(cases[k].want) || memcmp(out.data, cases[k].want, sizeof(cases[k].want)) != 0)
			cella_test_fail(__FILE__, __LINE__, "%s select_last_index=%d gave %s", cases[k].op,
					cases[k].last, cella_test_hex(out.data, out.bytes));
		cella_onnx_model_free(m);
	}
	cella_test_pass("ArgMax and ArgMin take the first NaN, or the last with select_last_index");
}

/* NonZero compares a float with zero by value, as the reference's np.nonzero does: -0.0 is zero (its sign bit made it
 * count), NaN is not. A float [2,3] and a double [2]. */
static void test_nonzero_negzero(void)
{
	static const int64_t d23[2] = { 2, 3 }, d2[1] = { 2 };
	static const float xf[6] = { -0.0f, NAN, 0.0f, 2.0f, -0.0f, -3.0f };
	static const double xd[2] = { -0.0, 1.0 };
	static const int64_t want_f[6] = { 0, 1, 1, 1, 0, 2 }, want_d[1] = { 1 };
	for (int k = 0; k < 2; k++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		single(&b, 13, "NonZero", 1, CELLA_ONNX_INT64);
		if (k == 0)
			gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d23, xf, sizeof(xf));
		else
			gb_const(&b.g, "c0", CELLA_ONNX_DOUBLE, 1, d2, xd, sizeof(xd));
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		const int64_t *want = k == 0 ? want_f : want_d;
		size_t wb = k == 0 ? sizeof(want_f) : sizeof(want_d);
		if (out.bytes != wb || memcmp(out.data, want, wb) != 0)
			cella_test_fail(__FILE__, __LINE__, "NonZero (%s) gave %s", k == 0 ? "float" : "double",
					cella_test_hex(out.data, out.bytes));
		cella_onnx_model_free(m);
	}
	cella_test_pass("NonZero counts -0.0 as zero and NaN as nonzero");
}

/* NonZero on a scalar gives one row of indices, [1, n], as the reference's np.nonzero (a 0-d array taken as the
 * 1-d [x]) and onnxruntime give it: [[0]] for 5 and a [1, 0] tensor for 0. It gave [0, n], without a row. */
static void test_nonzero_scalar(void)
{
	static const float xv[2] = { 5.0f, 0.0f };
	for (int k = 0; k < 2; k++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		single(&b, 13, "NonZero", 1, CELLA_ONNX_INT64);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 0, NULL, &xv[k], sizeof(xv[k]));
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(out.rank, 2);
		CT_EQ(out.dims[0], 1);
		CT_EQ(out.dims[1], 1 - k);
		CT_EQ(out.bytes, k == 0 ? sizeof(int64_t) : 0);
		if (k == 0)
			CT_EQ(((const int64_t *)out.data)[0], 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("NonZero on a scalar gives [1, n]");
}

/* GlobalMaxPool keeps a NaN, as the reference's np.max does, whether it falls in the eight-lane part of the window or
 * in its tail (nine elements); without a NaN the maximum stays. It gave the maximum of the numbers. */
static void test_global_maxpool_nan(void)
{
	static const int64_t d9[3] = { 1, 1, 9 };
	static const float x[3][9] = { { 1, 7, NAN, -INFINITY, 0, 2, 3, 4, 5 },
				       { 1, 7, -1, -INFINITY, 0, 2, 3, 4, NAN },
				       { 1, 7, -1, -INFINITY, 0, 2, 3, 4, 5 } };
	for (int k = 0; k < 3; k++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		single(&b, 1, "GlobalMaxPool", 1, CELLA_ONNX_FLOAT);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 3, d9, x[k], sizeof(x[k]));
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(out.bytes, sizeof(float));
		float y = *(const float *)out.data;
		if (k < 2 ? y == y : y != 7.0f)
			cella_test_fail(__FILE__, __LINE__, "GlobalMaxPool case %d gave %g", k, (double)y);
		cella_onnx_model_free(m);
	}
	cella_test_pass("GlobalMaxPool keeps a NaN");
}

/* Reduce-18 with noop_with_empty_axes and no axes (absent or empty) reduces over the empty set of axes: each element
 * alone, so the shape stays but the elementwise steps still apply (onnx#7394: ReduceSumSquare gives the squares,
 * ReduceLogSum the logs); the input was returned unchanged. */
static void test_reduce_noop_empty_axes(void)
{
	static const int64_t d3[1] = { 3 }, d0[1] = { 0 };
	static const float x[3] = { -2.0f, 0.5f, 4.0f };
	const float nan = NAN;
	const struct { const char *op; float want[3]; } cases[] = {
		{ "ReduceSum", { -2.0f, 0.5f, 4.0f } },	     { "ReduceMean", { -2.0f, 0.5f, 4.0f } },
		{ "ReduceMax", { -2.0f, 0.5f, 4.0f } },	     { "ReduceProd", { -2.0f, 0.5f, 4.0f } },
		{ "ReduceL1", { 2.0f, 0.5f, 4.0f } },	     { "ReduceL2", { 2.0f, 0.5f, 4.0f } },
		{ "ReduceSumSquare", { 4.0f, 0.25f, 16.0f } }, { "ReduceLogSumExp", { -2.0f, 0.5f, 4.0f } },
		{ "ReduceLogSum", { nan, (float)log(0.5), (float)log(4.0) } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int empty_input = 0; empty_input < 2; empty_input++) {
			struct mb b;
			struct cella_onnx_model *m = NULL;
			struct cella_onnx_tensor out;
			Onnx__NodeProto *n = single(&b, 18, cases[i].op, empty_input ? 2 : 1, CELLA_ONNX_FLOAT);
			gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d3, x, sizeof(x));
			if (empty_input)
				gb_const(&b.g, "c1", CELLA_ONNX_INT64, 1, d0, NULL, 0);
			attr_i(&b.g, n, "noop_with_empty_axes", 1);
			CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
			CT_ASSERT(out.rank == 1 && out.dims[0] == 3);
			const float *y = out.data;
			for (int j = 0; j < 3; j++) {
				float w = cases[i].want[j];
				if (w != w ? y[j] == y[j] : fabsf(y[j] - w) > 1e-6f)
					cella_test_fail(__FILE__, __LINE__, "%s (axes %s) gave %s", cases[i].op,
							empty_input ? "empty" : "absent", cella_test_hex(out.data, out.bytes));
			}
			cella_onnx_model_free(m);
		}
	cella_test_pass("Reduce-18 with noop_with_empty_axes applies the elementwise steps without reducing");
}

/* ReduceLogSumExp of rows [inf, 1], [-inf, -inf], [-inf, 2]: log(sum(exp)) is inf, -inf and 2; the shift by the row's
 * maximum subtracted inf from inf and gave NaN for the first two. */
static void test_reduce_logsumexp_inf(void)
{
	static const int64_t d32[2] = { 3, 2 }, one[1] = { 1 }, axis1 = 1;
	static const float x[6] = { INFINITY, 1.0f, -INFINITY, -INFINITY, -INFINITY, 2.0f };
	static const float want[3] = { INFINITY, -INFINITY, 2.0f };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	Onnx__NodeProto *n = single(&b, 18, "ReduceLogSumExp", 2, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d32, x, sizeof(x));
	gb_const(&b.g, "c1", CELLA_ONNX_INT64, 1, one, &axis1, sizeof(axis1));
	attr_i(&b.g, n, "keepdims", 0);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	if (out.bytes != sizeof(want) || memcmp(out.data, want, sizeof(want)) != 0)
		cella_test_fail(__FILE__, __LINE__, "ReduceLogSumExp gave %s", cella_test_hex(out.data, out.bytes));
	cella_onnx_model_free(m);
	cella_test_pass("ReduceLogSumExp with an infinite maximum");
}

/* Clip of a float NaN is NaN, as Min(max, Max(x, min)) gives it (and as the double path already did); the float path
 * clamped it to min, or to max when min > max. */
static void test_clip_nan(void)
{
	const float fx[4] = { NAN, -1.0f, 4.0f, 0.25f }, lo = 0.0f, hi = 1.0f, lo2 = 2.5f, hi2 = 0.5f;
	const float want[4] = { fx[0], 0.0f, 1.0f, 0.25f }, want2[4] = { fx[0], 0.5f, 0.5f, 0.5f };
	clip_case(CELLA_ONNX_FLOAT, 4, fx, 4, &lo, &hi, want);
	clip_case(CELLA_ONNX_FLOAT, 4, fx, 4, &lo2, &hi2, want2);
	cella_test_pass("Clip keeps a float NaN");
}

/* want[i] NaN: got[i] must be NaN; else within tol of it. */
static void near_or_nan(const char *what, const float *got, const float *want, size_t n, float tol)
{
	for (size_t i = 0; i < n; i++)
		if (want[i] != want[i] ? got[i] == got[i] : !(fabsf(got[i] - want[i]) <= tol))
			cella_test_fail(__FILE__, __LINE__, "%s: element %zu is %g, expected %g", what, i, (double)got[i],
					(double)want[i]);
}

/* A NaN through Relu, HardSigmoid, HardSwish, Sign and Celu stays NaN, as numpy's maximum, clip and sign keep it in
 * the ONNX reference (MAXPS/MINPS with the constant second, and the scalar forms that matched them, gave the bound
 * or 0). Nine elements: two SSE blocks and a scalar tail, each with a NaN. Then the same activations fused into a
 * Conv (1x1, weight 1: the GEMM epilogue) and into a depthwise Conv (3x3, centre weight 1: its own epilogue). */
static void test_act_nan(void)
{
	static const int64_t d9[1] = { 9 };
	static const float x[9] = { NAN, -2.0f, 0.5f, 3.0f, -1.0f, NAN, 4.0f, 0.25f, NAN };
	const float relu[9] = { NAN, 0, 0.5f, 3, 0, NAN, 4, 0.25f, NAN };
	const float hsig[9] = { NAN, 0.1f, 0.6f, 1, 0.3f, NAN, 1, 0.55f, NAN };
	const float hswish[9] = { NAN, -1.0f / 3.0f, 0.5f * (0.5f / 6 + 0.5f), 3, -1.0f / 3.0f, NAN, 4, 0.25f * (0.25f / 6 + 0.5f), NAN };
	const float sign[9] = { NAN, -1, 1, 1, -1, NAN, 1, 1, NAN };
	const float celu[9] = { NAN, expm1f(-2.0f), 0.5f, 3, expm1f(-1.0f), NAN, 4, 0.25f, NAN };
	static const struct {
		const char *op;
		int64_t opset;
	} ops[] = { { "Relu", 13 }, { "HardSigmoid", 6 }, { "HardSwish", 14 }, { "Sign", 13 }, { "Celu", 12 } };
	const float *want[] = { relu, hsig, hswish, sign, celu };
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		single(&b, ops[k].opset, ops[k].op, 1, CELLA_ONNX_FLOAT);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d9, x, sizeof(x));
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(out.bytes, sizeof(x));
		near_or_nan(ops[k].op, out.data, want[k], 9, 1e-6f);
		cella_onnx_model_free(m);
	}
	/* fused: Conv (1x1, weight 1) then the activation, over x as one channel of 3x3 (the GEMM epilogue) and as two
	 * channels of 1x9, depthwise (group 2: the depthwise kernel's epilogue, eight outputs at a time and a tail) */
	for (int dw = 0; dw < 2; dw++)
		for (size_t k = 0; k < 3; k++) {
			static const int64_t xd[4] = { 1, 1, 3, 3 }, xd2[4] = { 1, 2, 1, 9 }, w1[4] = { 1, 1, 1, 1 },
					     w2[4] = { 2, 1, 1, 1 };
			static const float ones[2] = { 1.0f, 1.0f };
			static const char *const ins[] = { "x", "w", NULL }, *const co[] = { "c", NULL }, *const ci[] = { "c", NULL };
			struct mb b;
			struct cella_onnx_model *m = NULL;
			struct cella_onnx_tensor out;
			char what[64];
			float in_x[18];
			memcpy(in_x, x, sizeof(x));
			memcpy(in_x + 9, x, sizeof(x));
			struct cella_onnx_tensor in = ftensor(in_x, 4, dw ? xd2 : xd);
			mb_init(&b, 14);
			gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 4, dw ? xd2 : xd);
			gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
			gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 4, dw ? w2 : w1, ones, dw ? 8 : 4);
			Onnx__NodeProto *c = gb_node(&b.g, "Conv", ins, co);
			if (dw)
				attr_i(&b.g, c, "group", 2);
			gb_node(&b.g, ops[k].op, ci, Y);
			CT_RESULT(load(&b, &m), CELLA_OK);
			CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
			CT_EQ(out.bytes, (dw ? 2 : 1) * sizeof(x));
			for (int ch = 0; ch <= dw; ch++) {
				snprintf(what, sizeof(what), "%s after a %s Conv, channel %d", ops[k].op,
					 dw ? "depthwise" : "1x1", ch);
				near_or_nan(what, (const float *)out.data + 9 * ch, want[k], 9, 1e-6f);
			}
			cella_onnx_model_free(m);
		}
	cella_test_pass("a NaN stays NaN through Relu, HardSigmoid, HardSwish, Sign and Celu, fused into a Conv or not");
}

/* ---- QuantizeLinear / DequantizeLinear: values derived by hand from the ONNX definition ---- */

/* A constant for a QuantizeLinear/DequantizeLinear case (bytes 0: absent). */
#define QNONE { 0, 0, { 0 }, NULL, 0 } /* an absent zero point */

struct qconst {
	int dtype, rank;
	int64_t dims[2];
	const void *data;
	size_t bytes;
};

/* One op over constants x, scale and (if it has bytes) zero point; axis and block_size set unless INT64_MIN,
 * output_dtype unless 0. Runs it: the result of the load and run, out valid until *m is freed. */
static cella_result qdq_run(int64_t opset, const char *op, const struct qconst *x, const struct qconst *s,
			    const struct qconst *z, int64_t axis, int64_t block, int64_t odt, int ydt,
			    struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static struct mb b;
	Onnx__NodeProto *n = single(&b, opset, op, z->bytes ? 3 : 2, ydt);
	gb_const(&b.g, "c0", x->dtype, x->rank, x->dims, x->data, x->bytes);
	gb_const(&b.g, "c1", s->dtype, s->rank, s->dims, s->data, s->bytes);
	if (z->bytes)
		gb_const(&b.g, "c2", z->dtype, z->rank, z->dims, z->data, z->bytes);
	if (axis != INT64_MIN)
		attr_i(&b.g, n, "axis", axis);
	if (block != INT64_MIN)
		attr_i(&b.g, n, "block_size", block);
	if (odt)
		attr_i(&b.g, n, "output_dtype", odt);
	return load_run(&b, m, out);
}

static void test_quantize_linear(void)
{
	static const float x8[8] = { 5, 7, -5, 0, 1, 600, -600, 3 }, two = 2, half = 0.5f, one = 1,
			   x6[6] = { 1.25f, -1.25f, 0.75f, 100, -100, 0.25f }, x4[4] = { -1, 254.5f, 255.5f, 1.5f },
			   g[6] = { 1, 2, 3, 4, 5, 6 }, s3[3] = { 1, 2, 4 }, s2[2] = { 1, 2 }, xo[2] = { -1.5f, 200 },
			   x16[2] = { 40000, -2.5f }, xb[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, sb[4] = { 1, 2, 4, 8 };
	static const uint8_t zp128 = 128, w8[8] = { 130, 132, 126, 128, 128, 255, 0, 130 }, w4[4] = { 0, 254, 255, 2 },
			     zu2[2] = { 0, 100 }, wu6[6] = { 1, 2, 3, 102, 102, 103 }, wb[8] = { 1, 2, 2, 2, 1, 2, 1, 1 };
	static const int8_t zm1 = -1, w6[6] = { 1, -3, 1, 127, -128, -1 }, zi3[3] = { 0, 10, -10 },
			    wi6[6] = { 1, 11, -9, 4, 12, -8 }, wo[2] = { -2, 127 };
	static const int16_t w16[2] = { 32767, -2 };
	static const int32_t x32[3] = { 7, -7, 1000 };
	static const uint8_t w32[3] = { 4, 0, 255 }; /* 7/2 = 3.5 -> 4, -3.5 -> -4 -> 0, 500 -> 255 */
	static const struct {
		int64_t opset;
		struct qconst x, s, z;
		int64_t axis, block, odt;
		int ydt;
		const void *want;
		size_t bytes;
	} cases[] = {
		/* per tensor, uint8 zero point 128: ties 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, 0.5 -> 0, 1.5 -> 2; 428 and -172
		 * saturate to 255 and 0 */
		{ 10, { CELLA_ONNX_FLOAT, 1, { 8 }, x8, sizeof(x8) }, { CELLA_ONNX_FLOAT, 0, { 0 }, &two, 4 },
		  { CELLA_ONNX_UINT8, 0, { 0 }, &zp128, 1 }, INT64_MIN, INT64_MIN, 0, CELLA_ONNX_UINT8, w8, sizeof(w8) },
		/* int8 zero point -1, scale 0.5: 2.5 -> 2, -2.5 -> -2, 1.5 -> 2, 200 and -200 saturate, 0.5 -> 0 */
		{ 13, { CELLA_ONNX_FLOAT, 1, { 6 }, x6, sizeof(x6) }, { CELLA_ONNX_FLOAT, 1, { 1 }, &half, 4 },
		  { CELLA_ONNX_INT8, 1, { 1 }, &zm1, 1 }, INT64_MIN, INT64_MIN, 0, CELLA_ONNX_INT8, w6, sizeof(w6) },
		/* no zero point: uint8; 255.5 -> 256 saturates, -1 -> 0; saturate = 1 is ignored off float8 */
		{ 19, { CELLA_ONNX_FLOAT, 1, { 4 }, x4, sizeof(x4) }, { CELLA_ONNX_FLOAT, 0, { 0 }, &one, 4 }, QNONE,
		  INT64_MIN, INT64_MIN, 0, CELLA_ONNX_UINT8, w4, sizeof(w4) },
		/* per axis 1 (the default) of [2, 3]: scales 1, 2, 4, zero points 0, 10, -10 */
		{ 13, { CELLA_ONNX_FLOAT, 2, { 2, 3 }, g, sizeof(g) }, { CELLA_ONNX_FLOAT, 1, { 3 }, s3, sizeof(s3) },
		  { CELLA_ONNX_INT8, 1, { 3 }, zi3, 3 }, INT64_MIN, INT64_MIN, 0, CELLA_ONNX_INT8, wi6, sizeof(wi6) },
		/* per axis -2 (0): row 1 is 4/2, 5/2 = 2.5 -> 2, 6/2, plus 100 */
		{ 19, { CELLA_ONNX_FLOAT, 2, { 2, 3 }, g, sizeof(g) }, { CELLA_ONNX_FLOAT, 1, { 2 }, s2, sizeof(s2) },
		  { CELLA_ONNX_UINT8, 1, { 2 }, zu2, 2 }, -2, INT64_MIN, 0, CELLA_ONNX_UINT8, wu6, sizeof(wu6) },
		/* int32 input, per tensor */
		{ 13, { CELLA_ONNX_INT32, 1, { 3 }, x32, sizeof(x32) }, { CELLA_ONNX_FLOAT, 0, { 0 }, &two, 4 }, QNONE,
		  INT64_MIN, INT64_MIN, 0, CELLA_ONNX_UINT8, w32, sizeof(w32) },
		/* opset 21: output_dtype int8 (3) without a zero point; int16 (5) */
		{ 21, { CELLA_ONNX_FLOAT, 1, { 2 }, xo, sizeof(xo) }, { CELLA_ONNX_FLOAT, 0, { 0 }, &one, 4 }, QNONE,
		  INT64_MIN, INT64_MIN, CELLA_ONNX_INT8, CELLA_ONNX_INT8, wo, sizeof(wo) },
		{ 21, { CELLA_ONNX_FLOAT, 1, { 2 }, x16, sizeof(x16) }, { CELLA_ONNX_FLOAT, 0, { 0 }, &one, 4 }, QNONE,
		  INT64_MIN, INT64_MIN, CELLA_ONNX_INT16, CELLA_ONNX_INT16, w16, sizeof(w16) },
		/* blocked: [2, 4] in blocks of 2 along axis 1, scales [[1, 2], [4, 8]] */
		{ 21, { CELLA_ONNX_FLOAT, 2, { 2, 4 }, xb, sizeof(xb) }, { CELLA_ONNX_FLOAT, 2, { 2, 2 }, sb, sizeof(sb) },
		  QNONE, 1, 2, 0, CELLA_ONNX_UINT8, wb, sizeof(wb) },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		cella_result r = qdq_run(cases[i].opset, "QuantizeLinear", &cases[i].x, &cases[i].s, &cases[i].z,
					 cases[i].axis, cases[i].block, cases[i].odt, cases[i].ydt, &m, &out);
		if (r != CELLA_OK || (int)out.dtype != cases[i].ydt || out.bytes != cases[i].bytes ||
		    memcmp(out.data, cases[i].want, cases[i].bytes) != 0)
			cella_test_fail(__FILE__, __LINE__, "QuantizeLinear case %zu: %s, '%s'", i, cella_result_str(r),
					last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("QuantizeLinear-10/13/19/21 per tensor, per axis and blocked: ties to even, saturation");
}

static void test_dequantize_linear(void)
{
	static const uint8_t xu[4] = { 0, 128, 255, 130 }, zp128 = 128, xr[5] = { 1, 2, 3, 4, 5 }, zr[3] = { 1, 2, 3 };
	static const int8_t xi[4] = { -128, 127, 0, 5 }, zi[2] = { 0, 1 };
	static const int16_t x16[2] = { -32768, 32767 };
	static const int32_t x32[3] = { 100000, -7, 0 };
	static const float half = 0.5f, si[2] = { 1, 0.25f }, sr[3] = { 1, 10, 100 }, wu[4] = { -64, 0, 63.5f, 1 },
			   wi[4] = { -128, 127, -0.25f, 1 }, w32[3] = { 50000, -3.5f, 0 }, wr[5] = { 0, 1, 10, 20, 200 },
			   w16[2] = { -16384, 16383.5f };
	static const struct {
		int64_t opset;
		struct qconst x, s, z;
		int64_t axis, block;
		const float *want;
		size_t bytes;
	} cases[] = {
		{ 10, { CELLA_ONNX_UINT8, 1, { 4 }, xu, 4 }, { CELLA_ONNX_FLOAT, 0, { 0 }, &half, 4 },
		  { CELLA_ONNX_UINT8, 0, { 0 }, &zp128, 1 }, INT64_MIN, INT64_MIN, wu, sizeof(wu) },
		/* per axis 0 of [2, 2]: row 1 is (0 - 1) * 0.25, (5 - 1) * 0.25 */
		{ 13, { CELLA_ONNX_INT8, 2, { 2, 2 }, xi, 4 }, { CELLA_ONNX_FLOAT, 1, { 2 }, si, sizeof(si) },
		  { CELLA_ONNX_INT8, 1, { 2 }, zi, 2 }, 0, INT64_MIN, wi, sizeof(wi) },
		/* int32 without a zero point */
		{ 19, { CELLA_ONNX_INT32, 1, { 3 }, x32, sizeof(x32) }, { CELLA_ONNX_FLOAT, 0, { 0 }, &half, 4 }, QNONE,
		  INT64_MIN, INT64_MIN, w32, sizeof(w32) },
		/* int16 from opset 21 */
		{ 21, { CELLA_ONNX_INT16, 1, { 2 }, x16, sizeof(x16) }, { CELLA_ONNX_FLOAT, 0, { 0 }, &half, 4 }, QNONE,
		  INT64_MIN, INT64_MIN, w16, sizeof(w16) },
		/* blocked, a partial last block: [1, 5] in blocks of 2 along axis 1, three scales and zero points */
		{ 21, { CELLA_ONNX_UINT8, 2, { 1, 5 }, xr, 5 }, { CELLA_ONNX_FLOAT, 2, { 1, 3 }, sr, sizeof(sr) },
		  { CELLA_ONNX_UINT8, 2, { 1, 3 }, zr, 3 }, -1, 2, wr, sizeof(wr) },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		cella_result r = qdq_run(cases[i].opset, "DequantizeLinear", &cases[i].x, &cases[i].s, &cases[i].z,
					 cases[i].axis, cases[i].block, 0, CELLA_ONNX_FLOAT, &m, &out);
		if (r != CELLA_OK || out.dtype != CELLA_ONNX_FLOAT || out.bytes != cases[i].bytes ||
		    memcmp(out.data, cases[i].want, cases[i].bytes) != 0)
			cella_test_fail(__FILE__, __LINE__, "DequantizeLinear case %zu: %s, '%s'", i, cella_result_str(r),
					last_log);
		cella_onnx_model_free(m);
	}
	/* Q -> DQ over a graph input (run, not folded): scale 0.25, int8 zero point 0; 1.2 -> 1, -4.4 -> -4, 160 and
	 * -160 saturate */
	{
		static const int64_t d4[1] = { 4 };
		static const float s = 0.25f, want[4] = { 0.25f, -1, 31.75f, -32 };
		static const int8_t z = 0;
		static const char *const qi[] = { "x", "s", "z", NULL }, *const qo[] = { "q", NULL },
				       *const di[] = { "q", "s", "z", NULL };
		float in_x[4] = { 0.3f, -1.1f, 40, -40 };
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in = ftensor(in_x, 1, d4), out;
		mb_init(&b, 13);
		gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 1, d4);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "s", CELLA_ONNX_FLOAT, 0, NULL, &s, 4);
		gb_const(&b.g, "z", CELLA_ONNX_INT8, 0, NULL, &z, 1);
		gb_node(&b.g, "QuantizeLinear", qi, qo);
		gb_node(&b.g, "DequantizeLinear", di, Y);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.bytes == sizeof(want) && memcmp(out.data, want, sizeof(want)) == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("DequantizeLinear-10/13/19/21 of uint8, int8, int16, int32, per axis and blocked; Q -> DQ");
}

#define QFX { CELLA_ONNX_FLOAT, 2, { 2, 3 }, g, sizeof(g) }
#define QSC { CELLA_ONNX_FLOAT, 0, { 0 }, &one, 4 }

static void test_qdq_refused(void)
{
	static const float g[6] = { 1, 2, 3, 4, 5, 6 }, s2[2] = { 1, 2 }, s3[3] = { 1, 2, 4 }, one = 1,
			   xb[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, sb6[6] = { 1, 1, 1, 1, 1, 1 };
	static const double dscale = 1;
	static const uint8_t z2[2] = { 0, 0 }, z3[3] = { 0, 0, 0 }, zu = 0;
	static const int64_t x64[2] = { 1, 2 };
	static const int16_t x16[2] = { 1, 2 };
	static const struct {
		int64_t opset;
		const char *op;
		struct qconst x, s, z;
		int64_t axis, block, odt;
		int ydt;
		cella_result r;
		const char *msg;
	} cases[] = {
		{ 13, "QuantizeLinear", QFX, { CELLA_ONNX_FLOAT, 1, { 2 }, s2, sizeof(s2) }, QNONE, INT64_MIN, INT64_MIN, 0,
		  CELLA_ONNX_UINT8, CELLA_ERR_MODEL_SHAPE, "scale of rank 1 (dim 0 2) per axis 1: expected a scalar or a "
		  "vector of 3" },
		{ 10, "DequantizeLinear", { CELLA_ONNX_UINT8, 1, { 3 }, z3, 3 },
		  { CELLA_ONNX_FLOAT, 1, { 3 }, s3, sizeof(s3) }, QNONE, INT64_MIN, INT64_MIN, 0, CELLA_ONNX_FLOAT,
		  CELLA_ERR_MODEL_SHAPE, "scale of rank 1 with 3 values: a scalar before opset 13" },
		{ 13, "QuantizeLinear", QFX, { CELLA_ONNX_FLOAT, 1, { 3 }, s3, sizeof(s3) },
		  { CELLA_ONNX_UINT8, 1, { 2 }, z2, 2 }, INT64_MIN, INT64_MIN, 0, CELLA_ONNX_UINT8, CELLA_ERR_MODEL_SHAPE,
		  "zero point dim 0 is 2, the scale's 3" },
		{ 13, "DequantizeLinear", { CELLA_ONNX_UINT8, 1, { 3 }, z3, 3 },
		  { CELLA_ONNX_FLOAT, 1, { 3 }, s3, sizeof(s3) }, { CELLA_ONNX_UINT8, 0, { 0 }, &zu, 1 }, 0, INT64_MIN,
		  0, CELLA_ONNX_FLOAT, CELLA_ERR_MODEL_SHAPE, "zero point of rank 0, scale of rank 1" },
		{ 13, "DequantizeLinear", { CELLA_ONNX_INT64, 1, { 2 }, x64, sizeof(x64) }, QSC, QNONE, INT64_MIN,
		  INT64_MIN, 0, CELLA_ONNX_FLOAT, CELLA_ERR_MODEL_UNSUPPORTED, "input of type int64 is not supported at "
		  "opset 13" },
		{ 19, "DequantizeLinear", { CELLA_ONNX_INT16, 1, { 2 }, x16, sizeof(x16) }, QSC, QNONE, INT64_MIN,
		  INT64_MIN, 0, CELLA_ONNX_FLOAT, CELLA_ERR_MODEL_UNSUPPORTED, "input of type int16 is not supported at "
		  "opset 19" },
		{ 13, "QuantizeLinear", QFX, { CELLA_ONNX_DOUBLE, 0, { 0 }, &dscale, 8 }, QNONE, INT64_MIN, INT64_MIN, 0,
		  CELLA_ONNX_UINT8, CELLA_ERR_MODEL_UNSUPPORTED, "scale of type double is not supported (float only)" },
		{ 13, "QuantizeLinear", { CELLA_ONNX_INT64, 1, { 2 }, x64, sizeof(x64) }, QSC, QNONE, INT64_MIN, INT64_MIN,
		  0, CELLA_ONNX_UINT8, CELLA_ERR_MODEL_UNSUPPORTED, "input of type int64 is not supported (float or "
		  "int32)" },
		{ 21, "QuantizeLinear", QFX, QSC, QNONE, INT64_MIN, INT64_MIN, 17, CELLA_ONNX_UINT8,
		  CELLA_ERR_MODEL_UNSUPPORTED, "output type float8e4m3fn (17) is not supported at opset 21" },
		{ 21, "QuantizeLinear", QFX, QSC, { CELLA_ONNX_UINT8, 0, { 0 }, &zu, 1 }, INT64_MIN, INT64_MIN,
		  CELLA_ONNX_INT8, CELLA_ONNX_UINT8, CELLA_ERR_MODEL, "attribute 'output_dtype' is int8 (3), the zero "
		  "point uint8" },
		{ 13, "DequantizeLinear", { CELLA_ONNX_UINT8, 1, { 3 }, z3, 3 }, QSC, { CELLA_ONNX_INT8, 0, { 0 }, &zu, 1 },
		  INT64_MIN, INT64_MIN, 0, CELLA_ONNX_FLOAT, CELLA_ERR_MODEL, "zero point of type int8, input of type "
		  "uint8" },
		{ 21, "QuantizeLinear", { CELLA_ONNX_FLOAT, 2, { 2, 4 }, xb, sizeof(xb) },
		  { CELLA_ONNX_FLOAT, 2, { 2, 3 }, sb6, sizeof(sb6) }, QNONE, 1, 2, 0, CELLA_ONNX_UINT8,
		  CELLA_ERR_MODEL_SHAPE, "scale dim 1 is 3, expected 2 (block_size 2 along axis 1)" },
		{ 21, "DequantizeLinear", { CELLA_ONNX_UINT8, 1, { 3 }, z3, 3 }, { CELLA_ONNX_FLOAT, 1, { 3 }, s3, 12 },
		  QNONE, 0, -1, 0, CELLA_ONNX_FLOAT, CELLA_ERR_MODEL, "attribute 'block_size' is -1, negative" },
		/* a block of 2^63 - 1: one block per row (dim + block - 1 once overflowed, UBSan) */
		{ 21, "QuantizeLinear", { CELLA_ONNX_FLOAT, 2, { 2, 4 }, xb, sizeof(xb) },
		  { CELLA_ONNX_FLOAT, 2, { 2, 2 }, sb6, 16 }, QNONE, 1, INT64_MAX, 0, CELLA_ONNX_UINT8,
		  CELLA_ERR_MODEL_SHAPE, "scale dim 1 is 2, expected 1 (block_size 9223372036854775807 along axis 1)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		char node[40];
		cella_result r = qdq_run(cases[i].opset, cases[i].op, &cases[i].x, &cases[i].s, &cases[i].z,
					 cases[i].axis, cases[i].block, cases[i].odt, cases[i].ydt, &m, &out);
		snprintf(node, sizeof(node), "node '%s' (%s) at load", cases[i].op, cases[i].op);
		if (r != cases[i].r || !strstr(last_log, node) || !strstr(last_log, cases[i].msg))
			cella_test_fail(__FILE__, __LINE__, "%s case %zu: %s, '%s'", cases[i].op, i, cella_result_str(r),
					last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("QuantizeLinear/DequantizeLinear refuse bad scale and zero-point shapes, types, output_dtype");
}

/* ---- the integer-quantization operators: values derived by hand from the ONNX definitions ---- */

/* An input of a quantized-operator case: a constant (bytes 0: an omitted optional input, ""). */
struct qin {
	int dtype, rank;
	int64_t dims[4];
	const void *data;
	size_t bytes;
};
#define QABSENT { 0, 0, { 0 }, NULL, 0 }

/* Conv attributes of a case: pads and strides when they have values, group unless 0, auto_pad unless NULL. */
struct qattrs {
	int64_t pads[4], strides[2];
	size_t npads, nstrides;
	int64_t group;
	const char *auto_pad;
};

#define QNOAT { .group = 0 } /* no attributes */

static const char *const qnames[9] = { "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8" };

/* One op over nin constant inputs (the output's declared type ydt), loaded and run: the result, out valid until *m
 * is freed. */
static cella_result qop_run(int64_t opset, const char *op, const struct qin *in, int nin, const struct qattrs *at,
			    int ydt, struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static struct mb b;
	const char *ins[10];
	CT_ASSERT(nin <= 9);
	mb_init(&b, opset);
	gb_io(&b.g, 1, "y", ydt, -1, NULL);
	for (int i = 0; i < nin; i++) {
		ins[i] = in[i].bytes ? qnames[i] : "";
		if (in[i].bytes)
			gb_const(&b.g, qnames[i], in[i].dtype, in[i].rank, in[i].dims, in[i].data, in[i].bytes);
	}
	ins[nin] = NULL;
	Onnx__NodeProto *n = gb_node(&b.g, op, ins, Y);
	if (at && at->npads)
		attr_ints(&b.g, n, "pads", at->pads, at->npads);
	if (at && at->nstrides)
		attr_ints(&b.g, n, "strides", at->strides, at->nstrides);
	if (at && at->group)
		attr_i(&b.g, n, "group", at->group);
	if (at && at->auto_pad)
		attr_s(&b.g, n, "auto_pad", at->auto_pad);
	return load_run(&b, m, out);
}

/* A case of qop_run expected to give want (bytes of type ydt) or to be refused with r and msg in the log. */
struct qcase {
	int64_t opset;
	const char *op;
	struct qin in[9];
	int nin;
	struct qattrs at;
	int ydt;
	const void *want;
	size_t bytes;
	int rank;
	int64_t dims[4];
	cella_result r;
	const char *msg;
};

static void qcases(const char *what, const struct qcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++, c++) {
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		char node[64];
		cella_result r = qop_run(c->opset, c->op, c->in, c->nin, &c->at, c->ydt, &m, &out);
		snprintf(node, sizeof(node), "node '%s' (%s) at load", c->op, c->op);
		if (c->msg) {
			if (r != c->r || !strstr(last_log, node) || !strstr(last_log, c->msg))
				cella_test_fail(__FILE__, __LINE__, "%s case %zu: %s, '%s'", what, i, cella_result_str(r),
						last_log);
		} else {
			int ok = r == CELLA_OK && (int)out.dtype == c->ydt && out.bytes == c->bytes &&
				 (int)out.rank == c->rank && memcmp(out.data, c->want, c->bytes) == 0;
			for (int d = 0; ok && d < c->rank; d++)
				ok = out.dims[d] == c->dims[d];
			if (!ok)
				cella_test_fail(__FILE__, __LINE__, "%s case %zu: %s, '%s'", what, i, cella_result_str(r),
						last_log);
		}
		cella_onnx_model_free(m);
	}
}

/* DynamicQuantizeLinear over a graph input x of n floats: y, y_scale and y_zero_point as computed. */
static void dql_case(const float *xv, int64_t n, const uint8_t *want_y, float want_s, uint8_t want_z)
{
	static const int64_t dyn[1] = { -1 };
	static const char *const ins[] = { "x", NULL }, *const outs[] = { "y", "s", "z", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in = ftensor((float *)xv, 1, &n), out[3];
	mb_init(&b, 11);
	gb_io(&b.g, 0, "x", CELLA_ONNX_FLOAT, 1, dyn);
	gb_io(&b.g, 1, "y", CELLA_ONNX_UINT8, -1, NULL);
	gb_io(&b.g, 1, "s", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&b.g, 1, "z", CELLA_ONNX_UINT8, -1, NULL);
	gb_node(&b.g, "DynamicQuantizeLinear", ins, outs);
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_RESULT(cella_onnx_model_run(m, &in, 1, out, 3), CELLA_OK);
	CT_ASSERT(out[0].dtype == CELLA_ONNX_UINT8 && out[0].bytes == (size_t)n && out[0].rank == 1);
	CT_ASSERT(memcmp(out[0].data, want_y, (size_t)n) == 0);
	CT_ASSERT(out[1].dtype == CELLA_ONNX_FLOAT && out[1].rank == 0 && *(const float *)out[1].data == want_s);
	CT_ASSERT(out[2].dtype == CELLA_ONNX_UINT8 && out[2].rank == 0 && *(const uint8_t *)out[2].data == want_z);
	cella_onnx_model_free(m);
}

static void test_dynamic_quantize_linear(void)
{
	/* range [-64, 191]: scale 255 / 255 = 1, zero point 64; ties to even 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, 0.5 -> 0,
	 * 1.5 -> 2; NaN is left out of the range and gives 0 */
	static const float x1[9] = { -64, 191, 2.5f, 3.5f, -2.5f, 0.5f, 1.5f, 0, NAN };
	static const uint8_t y1[9] = { 0, 255, 66, 68, 62, 64, 66, 64, 0 };
	/* range [-2.5, 252.5]: zero point round(2.5) = 2; [-3.5, 251.5]: round(3.5) = 4, 251.5 -> 252 + 4 saturates */
	static const float x2[2] = { -2.5f, 252.5f }, x3[2] = { -3.5f, 251.5f };
	static const uint8_t y2[2] = { 0, 254 }, y3[2] = { 0, 255 };
	/* all positive: the range starts at 0 (zero point 0), 127.5 -> 128; all negative: it ends at 0 (zero point
	 * 255), -0.5 -> -0 + 255 */
	static const float x4[3] = { 255, 127.5f, 1 }, x5[3] = { -255, -1, -0.5f };
	static const uint8_t y4[3] = { 255, 128, 1 }, y5[3] = { 0, 254, 255 };
	/* all zeros: the formula's scale would be 0 / 0; it is 1 (as onnxruntime), the zero point 0 */
	static const float x6[3] = { 0, 0, 0 };
	static const uint8_t y6[3] = { 0, 0, 0 };
	/* range [-1, 1.55]: scale 2.55 / 255 (in float), zero point round(1 / scale) = 100 */
	static const float x7[3] = { -1, 1.55f, 0.5f };
	static const uint8_t y7[3] = { 0, 255, 150 };
	dql_case(x1, 9, y1, 1, 64);
	dql_case(x2, 2, y2, 1, 2);
	dql_case(x3, 2, y3, 1, 4);
	dql_case(x4, 3, y4, 1, 0);
	dql_case(x5, 3, y5, 1, 255);
	dql_case(x6, 3, y6, 1, 0);
	dql_case(x7, 3, y7, (1.55f - -1.0f) / 255.0f, 100);
	{
		static const double xd[2] = { 1, 2 };
		static const struct qcase refused[] = {
			{ 11, "DynamicQuantizeLinear", { { CELLA_ONNX_DOUBLE, 1, { 2 }, xd, sizeof(xd) } }, 1, QNOAT,
			  CELLA_ONNX_UINT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_UNSUPPORTED,
			  "input of type double is not supported (float only)" },
		};
		qcases("DynamicQuantizeLinear", refused, 1);
	}
	/* before opset 11 the operator does not exist */
	{
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		static const float xf[2] = { 1, 2 };
		static const struct qin in[1] = { { CELLA_ONNX_FLOAT, 1, { 2 }, xf, sizeof(xf) } };
		CT_RESULT(qop_run(10, "DynamicQuantizeLinear", in, 1, NULL, CELLA_ONNX_UINT8, &m, &out),
			  CELLA_ERR_MODEL_UNSUPPORTED);
		CT_ASSERT(strstr(last_log, "DynamicQuantizeLinear") != NULL);
		cella_onnx_model_free(m);
	}
	cella_test_pass("DynamicQuantizeLinear-11: scale, zero point (ties to even), saturation, all-zero input, NaN");
}

#define U8S(v) { CELLA_ONNX_UINT8, 0, { 0 }, &(v), 1 }
#define I8S(v) { CELLA_ONNX_INT8, 0, { 0 }, &(v), 1 }
#define F32S(v) { CELLA_ONNX_FLOAT, 0, { 0 }, &(v), 4 }

static void test_matmul_integer(void)
{
	/* A uint8 [2, 3] less 1 is [[0, 1, 2], [3, 4, 5]]; B int8 [3, 2] = [[1, -1], [2, -2], [3, -3]] */
	static const uint8_t a6[6] = { 1, 2, 3, 4, 5, 6 }, one = 1, zr[2] = { 1, 4 }, z3[3] = { 1, 1, 1 };
	static const int8_t b6[6] = { 1, -1, 2, -2, 3, -3 }, zc[2] = { 1, -1 }, zi8 = 1, b18[18] = { 0 };
	static const int16_t a16[6] = { 1, 2, 3, 4, 5, 6 };
	static const int32_t w1[4] = { 8, -8, 26, -26 }, w2[4] = { 5, -5, 5, -5 }, w3[4] = { 8, -8, 8, -8 },
			     w4[2] = { 0 * 1 + 1 * 2 + 2 * 3, 0 * -1 + 1 * -2 + 2 * -3 };
	static const struct qcase cases[] = {
		/* per tensor a_zero_point 1, no b_zero_point */
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 2, { 2, 3 }, a6, 6 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 },
		  U8S(one) }, 3, QNOAT, CELLA_ONNX_INT32, w1, sizeof(w1), 2, { 2, 2 }, CELLA_OK, NULL },
		/* per row of A (1, 4: both rows become [0, 1, 2]) and per column of B (1, -1: columns [0, 1, 2] and
		 * [0, -1, -2]) */
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 2, { 2, 3 }, a6, 6 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 },
		  { CELLA_ONNX_UINT8, 1, { 2 }, zr, 2 }, { CELLA_ONNX_INT8, 1, { 2 }, zc, 2 } }, 4, QNOAT,
		  CELLA_ONNX_INT32, w2, sizeof(w2), 2, { 2, 2 }, CELLA_OK, NULL },
		/* batches: A [2, 1, 3] with a zero point per row [2, 1, 1] (1, 4), B [3, 2] shared */
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 3, { 2, 1, 3 }, a6, 6 },
		  { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 }, { CELLA_ONNX_UINT8, 3, { 2, 1, 1 }, zr, 2 } }, 3, QNOAT,
		  CELLA_ONNX_INT32, w3, sizeof(w3), 3, { 2, 1, 2 }, CELLA_OK, NULL },
		/* 1-D A [3] less 1: [0, 1, 2] times B: a vector of 2 */
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 1, { 3 }, a6, 3 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 },
		  U8S(one) }, 3, QNOAT, CELLA_ONNX_INT32, w4, sizeof(w4), 1, { 2 }, CELLA_OK, NULL },
		/* refusals */
		{ 10, "MatMulInteger", { { CELLA_ONNX_INT16, 2, { 2, 3 }, a16, 12 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 } },
		  2, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_UNSUPPORTED,
		  "input A of type int16 is not supported (int8 or uint8)" },
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 2, { 2, 3 }, a6, 6 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 },
		  I8S(zi8) }, 3, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL,
		  "a_zero_point of type int8, its input of type uint8" },
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 2, { 2, 3 }, a6, 6 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 },
		  { CELLA_ONNX_UINT8, 1, { 3 }, z3, 3 } }, 3, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "a_zero_point of rank 1 with 3 values for an input of rank 2: expected one value "
		  "or one per row" },
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 2, { 2, 3 }, a6, 6 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 },
		  QABSENT, { CELLA_ONNX_INT8, 2, { 3, 1 }, b6, 3 } }, 4, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "b_zero_point of rank 2 with 3 values for an input of rank 2: expected one value "
		  "or one per column" },
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 2, { 3, 2 }, a6, 6 }, { CELLA_ONNX_INT8, 2, { 3, 2 }, b6, 6 } },
		  2, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_SHAPE,
		  "A [3, 2] and B [3, 2] do not multiply as numpy.matmul" },
		/* batch dims 2 and 3 do not broadcast */
		{ 10, "MatMulInteger", { { CELLA_ONNX_UINT8, 3, { 2, 1, 3 }, a6, 6 },
		  { CELLA_ONNX_INT8, 3, { 3, 3, 2 }, b18, 18 } }, 2, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "A [2, 1, 3] and B [3, 3, 2] do not multiply as numpy.matmul" },
	};
	qcases("MatMulInteger", cases, sizeof(cases) / sizeof(cases[0]));
	/* int32 sums wrap, as ONNX allows: 40000 products 255 * 255 = 2 601 000 000 > 2^31 - 1, read as
	 * 2 601 000 000 - 2^32 (inputs at run: no constant of 40 000 bytes here) */
	{
		static const int64_t da[2] = { 1, 40000 }, db[2] = { 40000, 1 };
		static const char *const ins[] = { "a", "b", NULL };
		uint8_t *ones = malloc(40000);
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in[2], out;
		CT_ASSERT(ones != NULL);
		memset(ones, 255, 40000);
		memset(in, 0, sizeof(in));
		for (int i = 0; i < 2; i++) {
			in[i].dtype = CELLA_ONNX_UINT8;
			in[i].rank = 2;
			in[i].dims[0] = i ? 40000 : 1;
			in[i].dims[1] = i ? 1 : 40000;
			in[i].data = ones;
			in[i].bytes = 40000;
		}
		mb_init(&b, 10);
		gb_io(&b.g, 0, "a", CELLA_ONNX_UINT8, 2, da);
		gb_io(&b.g, 0, "b", CELLA_ONNX_UINT8, 2, db);
		gb_io(&b.g, 1, "y", CELLA_ONNX_INT32, -1, NULL);
		gb_node(&b.g, "MatMulInteger", ins, Y);
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, in, 2, &out, 1), CELLA_OK);
		CT_ASSERT(out.bytes == 4 && *(const int32_t *)out.data == (int32_t)(2601000000LL - 4294967296LL));
		cella_onnx_model_free(m);
		free(ones);
	}
	cella_test_pass("MatMulInteger-10: zero points per tensor, row and column, batches, 1-D A, int32 wrap; "
			"refusals named");
}

static void test_conv_integer(void)
{
	/* x int8 [1, 2, 2, 2], group 2, w [2, 1, 1, 1] = (2, 3) less a zero point per channel (1, -1): channel 0
	 * times 1, channel 1 times 4 */
	static const int8_t xi[8] = { 1, 2, 3, 4, -1, -2, -3, -4 }, wi[2] = { 2, 3 }, wz[2] = { 1, -1 }, wz3[3] = { 0 };
	static const int32_t y1[8] = { 1, 2, 3, 4, -4, -8, -12, -16 };
	/* x uint8 [1, 1, 3, 3] = 1..9 less 5, w 2x2 of 1, pads (1, 1, 0, 0), strides 2: windows {1}, {2, 3},
	 * {4, 7}, {5, 6, 8, 9}, the padding counting as the zero point (0 once it is subtracted) */
	static const uint8_t x9[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, w4[4] = { 1, 1, 1, 1 }, five = 5, z2[2] = { 5, 5 };
	static const int32_t y2[4] = { -4, -5, 1, 8 };
	/* auto_pad SAME_UPPER, stride 1, 2x2 of 1 over 1..9 less 5: pads (0, 0, 1, 1) */
	static const int32_t y3[9] = { 1 - 5 + 2 - 5 + 4 - 5 + 5 - 5, 2 + 3 + 5 + 6 - 20, 3 + 6 - 10,
				       4 + 5 + 7 + 8 - 20, 5 + 6 + 8 + 9 - 20, 6 + 9 - 10, 7 + 8 - 10, 8 + 9 - 10, 9 - 5 };
	static const float xf[9] = { 0 };
	static const struct qcase cases[] = {
		{ 10, "ConvInteger", { { CELLA_ONNX_INT8, 4, { 1, 2, 2, 2 }, xi, 8 }, { CELLA_ONNX_INT8, 4, { 2, 1, 1, 1 },
		  wi, 2 }, QABSENT, { CELLA_ONNX_INT8, 1, { 2 }, wz, 2 } }, 4, { .group = 2 }, CELLA_ONNX_INT32, y1,
		  sizeof(y1), 4, { 1, 2, 2, 2 }, CELLA_OK, NULL },
		{ 10, "ConvInteger", { { CELLA_ONNX_UINT8, 4, { 1, 1, 3, 3 }, x9, 9 }, { CELLA_ONNX_UINT8, 4, { 1, 1, 2, 2 },
		  w4, 4 }, U8S(five) }, 3, { .pads = { 1, 1, 0, 0 }, .npads = 4, .strides = { 2, 2 }, .nstrides = 2 }, CELLA_ONNX_INT32, y2, sizeof(y2), 4,
		  { 1, 1, 2, 2 }, CELLA_OK, NULL },
		{ 10, "ConvInteger", { { CELLA_ONNX_UINT8, 4, { 1, 1, 3, 3 }, x9, 9 }, { CELLA_ONNX_UINT8, 4, { 1, 1, 2, 2 },
		  w4, 4 }, U8S(five) }, 3, { .auto_pad = "SAME_UPPER" }, CELLA_ONNX_INT32, y3, sizeof(y3), 4,
		  { 1, 1, 3, 3 }, CELLA_OK, NULL },
		/* refusals */
		{ 10, "ConvInteger", { { CELLA_ONNX_FLOAT, 4, { 1, 1, 3, 3 }, xf, sizeof(xf) },
		  { CELLA_ONNX_UINT8, 4, { 1, 1, 2, 2 }, w4, 4 } }, 2, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "input x of type float is not supported (int8 or uint8)" },
		{ 10, "ConvInteger", { { CELLA_ONNX_UINT8, 4, { 1, 1, 3, 3 }, x9, 9 }, { CELLA_ONNX_UINT8, 4, { 1, 1, 2, 2 },
		  w4, 4 }, { CELLA_ONNX_UINT8, 1, { 2 }, z2, 2 } }, 3, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "x_zero_point of rank 1 with 2 values: a scalar or one value" },
		{ 10, "ConvInteger", { { CELLA_ONNX_INT8, 4, { 1, 2, 2, 2 }, xi, 8 }, { CELLA_ONNX_INT8, 4, { 2, 1, 1, 1 },
		  wi, 2 }, QABSENT, { CELLA_ONNX_INT8, 1, { 3 }, wz3, 3 } }, 4, { .group = 2 }, CELLA_ONNX_INT32, NULL, 0,
		  0, { 0 }, CELLA_ERR_MODEL_SHAPE, "w_zero_point of rank 1 with 3 values: expected one value or one per "
		  "output channel (2)" },
		{ 10, "ConvInteger", { { CELLA_ONNX_UINT8, 4, { 1, 1, 3, 3 }, x9, 9 }, { CELLA_ONNX_UINT8, 4, { 1, 1, 2, 2 },
		  w4, 4 }, { CELLA_ONNX_INT8, 0, { 0 }, &five, 1 } }, 3, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL, "x_zero_point of type int8, its input of type uint8" },
		{ 10, "ConvInteger", { { CELLA_ONNX_UINT8, 4, { 1, 1, 3, 3 }, x9, 9 }, { CELLA_ONNX_UINT8, 4, { 1, 1, 2, 2 },
		  w4, 4 } }, 2, { .auto_pad = "SAME" }, CELLA_ONNX_INT32, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL,
		  "attribute 'auto_pad' is 'SAME', not NOTSET, SAME_UPPER, SAME_LOWER or VALID" },
		{ 10, "ConvInteger", { { CELLA_ONNX_INT8, 4, { 1, 2, 2, 2 }, xi, 8 }, { CELLA_ONNX_INT8, 4, { 2, 1, 1, 1 },
		  wi, 2 } }, 2, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_SHAPE,
		  "group 1 with 2 input channels, weight [2, 1, ...]" },
		{ 10, "ConvInteger", { { CELLA_ONNX_INT8, 4, { 1, 2, 2, 2 }, xi, 8 }, { CELLA_ONNX_INT32, 4, { 2, 1, 1, 1 },
		  y1, 8 } }, 2, { .group = 2 }, CELLA_ONNX_INT32, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_UNSUPPORTED,
		  "weight w of type int32 is not supported (int8 or uint8)" },
		{ 10, "ConvInteger", { { CELLA_ONNX_INT8, 4, { 1, 2, 2, 2 }, xi, 8 }, { CELLA_ONNX_INT8, 4, { 2, 1, 1, 1 },
		  wi, 2 }, QABSENT, { CELLA_ONNX_UINT8, 1, { 2 }, z2, 2 } }, 4, { .group = 2 }, CELLA_ONNX_INT32, NULL, 0,
		  0, { 0 }, CELLA_ERR_MODEL, "w_zero_point of type uint8, its input of type int8" },
	};
	qcases("ConvInteger", cases, sizeof(cases) / sizeof(cases[0]));
	/* x a graph input of dynamic spatial dims: the window attributes are still checked at load (here strides of
	 * the wrong length), and the run with a shape gives the values above */
	for (int bad = 1; bad >= 0; bad--) {
		static const int64_t dyn[4] = { 1, 1, -1, -1 }, d4[4] = { 1, 1, 2, 2 }, s3[3] = { 1, 1, 1 };
		static const char *const ins[] = { "x", "w", "z", NULL };
		uint8_t xv[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in, out;
		mb_init(&b, 10);
		gb_io(&b.g, 0, "x", CELLA_ONNX_UINT8, 4, dyn);
		gb_io(&b.g, 1, "y", CELLA_ONNX_INT32, -1, NULL);
		gb_const(&b.g, "w", CELLA_ONNX_UINT8, 4, d4, w4, 4);
		gb_const(&b.g, "z", CELLA_ONNX_UINT8, 0, NULL, &five, 1);
		Onnx__NodeProto *n = gb_node(&b.g, "ConvInteger", ins, Y);
		attr_s(&b.g, n, "auto_pad", "SAME_UPPER");
		if (bad) {
			attr_ints(&b.g, n, "strides", s3, 3);
			CT_RESULT(load(&b, &m), CELLA_ERR_MODEL);
			CT_ASSERT(strstr(last_log, "attribute 'strides' has 3 values, expected 2") != NULL);
			continue;
		}
		CT_RESULT(load(&b, &m), CELLA_OK);
		memset(&in, 0, sizeof(in));
		in.dtype = CELLA_ONNX_UINT8;
		in.rank = 4;
		in.dims[0] = in.dims[1] = 1;
		in.dims[2] = in.dims[3] = 3;
		in.data = xv;
		in.bytes = sizeof(xv);
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.bytes == sizeof(y3) && memcmp(out.data, y3, sizeof(y3)) == 0);
		cella_onnx_model_free(m);
	}
	cella_test_pass("ConvInteger-10: groups, per-channel w_zero_point, pads as the zero point, strides, SAME_UPPER; "
			"refusals named");
}

static void test_qlinear_matmul(void)
{
	/* a uint8 [[11, 20], [30, 41]] less 10 is [[1, 10], [20, 31]]; b int8 [[1, 2], [3, 4]]: sums 31, 42, 113,
	 * 164. Scales 0.5 * 0.25 / 0.25 = 0.5: 15.5 -> 16, 21, 56.5 -> 56, 82, plus int8 100, saturated at 127 */
	static const uint8_t a4[4] = { 11, 20, 30, 41 }, ten = 10, yz0 = 0;
	static const int8_t b4[4] = { 1, 2, 3, 4 }, bz = 0, yz100 = 100;
	static const float half = 0.5f, quarter = 0.25f, eighth = 0.125f, sa2[2] = { 0.5f, 1 }, sb2[2] = { 0.25f, 0.5f },
			   s3[3] = { 1, 1, 1 };
	static const double dh = 0.5;
	static const int32_t i32 = 0;
	static const int8_t w1[4] = { 116, 121, 127, 127 };
	/* a per row (0.5, 1), b per column (0.25, 0.5), y 0.125: multipliers [[1, 2], [2, 4]]; uint8 zero point 0 */
	static const uint8_t w2[4] = { 31, 84, 226, 255 };
#define QLMM_AB { CELLA_ONNX_UINT8, 2, { 2, 2 }, a4, 4 }
#define QLMM_B { CELLA_ONNX_INT8, 2, { 2, 2 }, b4, 4 }
	static const struct qcase cases[] = {
		{ 10, "QLinearMatMul", { QLMM_AB, F32S(half), U8S(ten), QLMM_B, F32S(quarter), I8S(bz), F32S(quarter),
		  I8S(yz100) }, 8, QNOAT, CELLA_ONNX_INT8, w1, sizeof(w1), 2, { 2, 2 }, CELLA_OK, NULL },
		{ 21, "QLinearMatMul", { QLMM_AB, F32S(half), U8S(ten), QLMM_B, F32S(quarter), I8S(bz), F32S(quarter),
		  I8S(yz100) }, 8, QNOAT, CELLA_ONNX_INT8, w1, sizeof(w1), 2, { 2, 2 }, CELLA_OK, NULL },
		{ 10, "QLinearMatMul", { QLMM_AB, { CELLA_ONNX_FLOAT, 1, { 2 }, sa2, 8 }, U8S(ten), QLMM_B,
		  { CELLA_ONNX_FLOAT, 1, { 2 }, sb2, 8 }, I8S(bz), F32S(eighth), U8S(yz0) }, 8, QNOAT, CELLA_ONNX_UINT8,
		  w2, sizeof(w2), 2, { 2, 2 }, CELLA_OK, NULL },
		/* refusals */
		{ 10, "QLinearMatMul", { QLMM_AB, { CELLA_ONNX_DOUBLE, 0, { 0 }, &dh, 8 }, U8S(ten), QLMM_B, F32S(quarter),
		  I8S(bz), F32S(quarter), I8S(yz100) }, 8, QNOAT, CELLA_ONNX_INT8, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "a_scale of type double is not supported (float only)" },
		{ 10, "QLinearMatMul", { QLMM_AB, { CELLA_ONNX_FLOAT, 1, { 3 }, s3, 12 }, U8S(ten), QLMM_B, F32S(quarter),
		  I8S(bz), F32S(quarter), I8S(yz100) }, 8, QNOAT, CELLA_ONNX_INT8, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "a_scale of rank 1 with 3 values for an input of rank 2: expected one value or one "
		  "per row" },
		{ 10, "QLinearMatMul", { QLMM_AB, F32S(half), U8S(ten), QLMM_B, F32S(quarter), I8S(bz),
		  { CELLA_ONNX_FLOAT, 1, { 2 }, sa2, 8 }, I8S(yz100) }, 8, QNOAT, CELLA_ONNX_INT8, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "y_scale of rank 1 with 2 values: a scalar or one value" },
		{ 10, "QLinearMatMul", { QLMM_AB, F32S(half), U8S(ten), QLMM_B, F32S(quarter), I8S(bz), F32S(quarter),
		  { CELLA_ONNX_INT32, 0, { 0 }, &i32, 4 } }, 8, QNOAT, CELLA_ONNX_INT32, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "y_zero_point of type int32 is not supported (int8 or uint8)" },
		{ 10, "QLinearMatMul", { QLMM_AB, F32S(half), I8S(bz), QLMM_B, F32S(quarter), I8S(bz), F32S(quarter),
		  I8S(yz100) }, 8, QNOAT, CELLA_ONNX_INT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL,
		  "a_zero_point of type int8, its input of type uint8" },
		{ 10, "QLinearMatMul", { QLMM_AB, F32S(half), U8S(ten), QLMM_B, F32S(quarter), I8S(bz), F32S(quarter),
		  QABSENT }, 8, QNOAT, CELLA_ONNX_INT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL,
		  "input 'y_zero_point' is absent: it gives the output's type" },
	};
#undef QLMM_AB
#undef QLMM_B
	qcases("QLinearMatMul", cases, sizeof(cases) / sizeof(cases[0]));
	cella_test_pass("QLinearMatMul-10/21: requantized with ties to even and saturation, per row and column scales; "
			"refusals named");
}

static void test_qlinear_conv(void)
{
	/* x uint8 [1, 1, 2, 2] less 10 is (0, 10, 20, 30) at scale 0.5; w int8 [2, 1, 1, 1] = (1, -2) less (0, 1) is
	 * (1, -3) at scales (0.25, 0.5); bias (1, -1). Sums: (1, 11, 21, 31) and (-1, -31, -61, -91). */
	static const uint8_t x4[4] = { 10, 20, 30, 40 }, ten = 10, y128 = 128;
	static const int8_t w2[2] = { 1, -2 }, wz[2] = { 0, 1 };
	static const int32_t b2[2] = { 1, -1 }, b3[3] = { 0 };
	static const int64_t b64[2] = { 1, -1 };
	static const float half = 0.5f, eighth = 0.125f, ws[2] = { 0.25f, 0.5f }, ws3[3] = { 1, 1, 1 };
	static const double dh = 0.5;
	/* y_scale 0.125: multipliers 1 and 2, plus 128, saturated at 0 */
	static const uint8_t want1[8] = { 129, 139, 149, 159, 126, 66, 6, 0 };
	/* y_scale 0.5: multipliers 0.25 and 0.5: 0.25 -> 0, 2.75 -> 3, 5.25 -> 5, 7.75 -> 8; -0.5 -> -0, -15.5 ->
	 * -16, -30.5 -> -30, -45.5 -> -46 (ties to even), plus 128 */
	static const uint8_t want2[8] = { 128, 131, 133, 136, 128, 112, 98, 82 };
#define QLC_X { CELLA_ONNX_UINT8, 4, { 1, 1, 2, 2 }, x4, 4 }
#define QLC_W { CELLA_ONNX_INT8, 4, { 2, 1, 1, 1 }, w2, 2 }
#define QLC_WS { CELLA_ONNX_FLOAT, 1, { 2 }, ws, 8 }
#define QLC_WZ { CELLA_ONNX_INT8, 1, { 2 }, wz, 2 }
#define QLC_B { CELLA_ONNX_INT32, 1, { 2 }, b2, 8 }
	static const struct qcase cases[] = {
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(eighth), U8S(y128), QLC_B },
		  9, QNOAT, CELLA_ONNX_UINT8, want1, sizeof(want1), 4, { 1, 2, 2, 2 }, CELLA_OK, NULL },
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(half), U8S(y128), QLC_B },
		  9, QNOAT, CELLA_ONNX_UINT8, want2, sizeof(want2), 4, { 1, 2, 2, 2 }, CELLA_OK, NULL },
		/* refusals */
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(half), U8S(y128),
		  { CELLA_ONNX_INT64, 1, { 2 }, b64, 16 } }, 9, QNOAT, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "bias B of type int64 is not supported (int32)" },
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(half), U8S(y128),
		  { CELLA_ONNX_INT32, 1, { 3 }, b3, 12 } }, 9, QNOAT, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "bias B of rank 1 with 3 values: expected one per output channel (2)" },
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, { CELLA_ONNX_FLOAT, 1, { 3 }, ws3, 12 }, QLC_WZ,
		  F32S(half), U8S(y128) }, 8, QNOAT, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_SHAPE,
		  "w_scale of rank 1 with 3 values: expected one value or one per output channel (2)" },
		{ 10, "QLinearConv", { QLC_X, QLC_WS, U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(half), U8S(y128) }, 8,
		  QNOAT, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_SHAPE,
		  "x_scale of rank 1 with 2 values: a scalar or one value" },
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, { CELLA_ONNX_DOUBLE, 0, { 0 }, &dh, 8 }, QLC_WZ,
		  F32S(half), U8S(y128) }, 8, QNOAT, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL_UNSUPPORTED,
		  "w_scale of type double is not supported (float only)" },
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(half),
		  { CELLA_ONNX_UINT8, 1, { 2 }, x4, 2 } }, 8, QNOAT, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 },
		  CELLA_ERR_MODEL_SHAPE, "y_zero_point of rank 1 with 2 values: a scalar or one value" },
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(half), QABSENT }, 8,
		  QNOAT, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL,
		  "input 'y_zero_point' is absent: it gives the output's type" },
		{ 10, "QLinearConv", { QLC_X, F32S(half), U8S(ten), QLC_W, QLC_WS, QLC_WZ, F32S(half), U8S(y128) }, 8,
		  { .pads = { 1, 1 }, .npads = 2 }, CELLA_ONNX_UINT8, NULL, 0, 0, { 0 }, CELLA_ERR_MODEL,
		  "attribute 'pads' has 2 values, expected 4" },
	};
#undef QLC_X
#undef QLC_W
#undef QLC_WS
#undef QLC_WZ
#undef QLC_B
	qcases("QLinearConv", cases, sizeof(cases) / sizeof(cases[0]));
	cella_test_pass("QLinearConv-10: per-channel w_scale and w_zero_point, int32 bias, ties to even, saturation; "
			"refusals named");
}

/* ---- Einsum: results against the sums written out here, and each malformed equation refused by name ---- */

/* A constant for an Einsum case. */
struct econst {
	int dtype, rank;
	int64_t dims[3];
	const void *data;
	size_t bytes;
};

/* Einsum over constants c0..c2 (bytes 0: fewer inputs) with equation eq (NULL: none); the load and run. */
static cella_result einsum_run(const char *eq, const struct econst *c, int nin, struct cella_onnx_model **m,
			       struct cella_onnx_tensor *out)
{
	static const char *const names[3] = { "c0", "c1", "c2" };
	static struct mb b;
	Onnx__NodeProto *n = single(&b, 12, "Einsum", nin, c[0].dtype);
	for (int i = 0; i < nin; i++)
		gb_const(&b.g, names[i], c[i].dtype, c[i].rank, c[i].dims, c[i].data, c[i].bytes);
	if (eq)
		attr_s(&b.g, n, "equation", eq);
	return load_run(&b, m, out);
}

#define EF(r, d0, d1, d2, p) { CELLA_ONNX_FLOAT, r, { d0, d1, d2 }, p, sizeof(p) }

static void einsum_expect(const char *eq, const struct econst *c, int nin, int rank, const int64_t *dims,
			  const float *want, size_t n)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	cella_result r = einsum_run(eq, c, nin, &m, &out);
	int ok = r == CELLA_OK && out.dtype == CELLA_ONNX_FLOAT && (int)out.rank == rank && out.bytes == n * sizeof(float);
	for (int d = 0; ok && d < rank; d++)
		ok = out.dims[d] == dims[d];
	for (size_t i = 0; ok && i < n; i++)
		ok = fabs(((const float *)out.data)[i] - want[i]) <= 1e-5 * (1 + fabs(want[i]));
	if (!ok)
		cella_test_fail(__FILE__, __LINE__, "Einsum '%s': %s, '%s'", eq, cella_result_str(r), last_log);
	cella_onnx_model_free(m);
}

static void test_einsum(void)
{
	static const float a6[6] = { 1, 2, 3, 4, 5, 6 }, b6[6] = { 7, -8, 9, 10, -11, 12 },
			   sq[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 },
			   p8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, q8[8] = { 1, 0, 2, 1, -1, 3, 0, 2 }, v2[2] = { 2, 3 },
			   v3[3] = { 1, -1, 4 }, r2[2] = { 10, 100 };
	float want[16];
	int64_t d[3];
	/* ij,jk->ik: [2, 3] x [3, 2] written out */
	{
		struct econst c[2] = { EF(2, 2, 3, 0, a6), EF(2, 3, 2, 0, b6) };
		for (int i = 0; i < 2; i++)
			for (int k = 0; k < 2; k++) {
				want[i * 2 + k] = 0;
				for (int j = 0; j < 3; j++)
					want[i * 2 + k] += a6[i * 3 + j] * b6[j * 2 + k];
			}
		d[0] = d[1] = 2;
		einsum_expect("ij,jk->ik", c, 2, 2, d, want, 4);
		einsum_expect(" ij , jk ", c, 2, 2, d, want, 4); /* implicit, with spaces: ik */
		/* implicit "jk,ij" gives ik too (letters in ASCII order, not term order) */
		struct econst cr[2] = { c[1], c[0] };
		einsum_expect("jk,ij", cr, 2, 2, d, want, 4);
		/* upper-case letters sort before lower-case ones: "Bj,jA" is BA... implicitly "AB", the transpose */
		float wt[4] = { want[0], want[2], want[1], want[3] };
		einsum_expect("Bj,jA", c, 2, 2, d, wt, 4);
	}
	/* ii->i (the diagonal), ii (the trace), ij->ji, ij-> (the sum) over the 3x3 square */
	{
		struct econst c[1] = { EF(2, 3, 3, 0, sq) };
		float dg[3] = { 1, 5, 9 }, tr = 15, s = 45, tp[9];
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				tp[j * 3 + i] = sq[i * 3 + j];
		d[0] = 3;
		einsum_expect("ii->i", c, 1, 1, d, dg, 3);
		einsum_expect("ii", c, 1, 0, d, &tr, 1);
		d[1] = 3;
		einsum_expect("ij->ji", c, 1, 2, d, tp, 9);
		einsum_expect("ij->", c, 1, 0, d, &s, 1);
	}
	/* ...ij,...jk->...ik: a batch of 2 [2, 2] products; and i,i (the inner product), i,j,k->ijk, iji,j */
	{
		struct econst c[2] = { EF(3, 2, 2, 2, p8), EF(3, 2, 2, 2, q8) };
		for (int bb = 0; bb < 2; bb++)
			for (int i = 0; i < 2; i++)
				for (int k = 0; k < 2; k++) {
					float acc = 0;
					for (int j = 0; j < 2; j++)
						acc += p8[bb * 4 + i * 2 + j] * q8[bb * 4 + j * 2 + k];
					want[bb * 4 + i * 2 + k] = acc;
				}
		d[0] = d[1] = d[2] = 2;
		einsum_expect("...ij,...jk->...ik", c, 2, 3, d, want, 8);
		einsum_expect("bij,bjk->bik", c, 2, 3, d, want, 8);
		/* the batch dim of 1 broadcasts: [1, 2, 2] x [2, 2, 2] multiplies the first matrix into both */
		struct econst c1[2] = { EF(3, 1, 2, 2, p8), c[1] };
		for (int bb = 0; bb < 2; bb++)
			for (int i = 0; i < 2; i++)
				for (int k = 0; k < 2; k++)
					want[bb * 4 + i * 2 + k] = p8[i * 2] * q8[bb * 4 + k] + p8[i * 2 + 1] * q8[bb * 4 + 2 + k];
		c1[0].bytes = 16;
		einsum_expect("...ij,...jk->...ik", c1, 2, 3, d, want, 8);
		einsum_expect("bij,bjk->bik", c1, 2, 3, d, want, 8);
	}
	{
		struct econst c[3] = { EF(1, 2, 0, 0, v2), EF(1, 3, 0, 0, v3), EF(1, 2, 0, 0, r2) };
		float ip = 2 * 10 + 3 * 100;
		struct econst ci[2] = { c[0], c[2] };
		einsum_expect("i,i", ci, 2, 0, d, &ip, 1);
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 3; j++)
				for (int k = 0; k < 2; k++)
					want[(i * 3 + j) * 2 + k] = v2[i] * v3[j] * r2[k];
		d[0] = 2, d[1] = 3, d[2] = 2;
		einsum_expect("i,j,k->ijk", c, 3, 3, d, want, 12);
		/* iji,j: the diagonal of a [2, 2, 2] over i, summed with j weighted: sum_ij p[i][j][i] * v2[j] */
		struct econst cd[2] = { EF(3, 2, 2, 2, p8), c[0] };
		float wd = 0;
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 2; j++)
				wd += p8[i * 4 + j * 2 + i] * v2[j];
		einsum_expect("iji,j", cd, 2, 0, d, &wd, 1);
	}
	/* int8 wraps as Mul and Add do: 100 * 2 + 100 * 1 = 300 = 44 mod 256; int64 exact beyond 2^53 */
	{
		static const int8_t i8a[2] = { 100, 100 }, i8b[2] = { 2, 1 };
		static const int64_t big[2] = { (int64_t)1 << 53, 1 }, one2[2] = { 1, 1 };
		struct econst c8[2] = { { CELLA_ONNX_INT8, 1, { 2 }, i8a, 2 }, { CELLA_ONNX_INT8, 1, { 2 }, i8b, 2 } };
		struct econst c64[2] = { { CELLA_ONNX_INT64, 1, { 2 }, big, 16 }, { CELLA_ONNX_INT64, 1, { 2 }, one2, 16 } };
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		CT_RESULT(einsum_run("i,i->", c8, 2, &m, &out), CELLA_OK);
		CT_ASSERT(out.dtype == CELLA_ONNX_INT8 && out.bytes == 1 && *(const int8_t *)out.data == 44);
		cella_onnx_model_free(m);
		CT_RESULT(einsum_run("i,i", c64, 2, &m, &out), CELLA_OK);
		CT_ASSERT(out.dtype == CELLA_ONNX_INT64 && *(const int64_t *)out.data == ((int64_t)1 << 53) + 1);
		cella_onnx_model_free(m);
	}
	/* at run, over a graph input of dynamic dims: ij->i sums the rows */
	{
		static const int64_t dyn[2] = { -1, -1 }, xd[2] = { 2, 3 };
		float xv[6] = { 1, 2, 3, 4, 5, 6 }, w2[2] = { 6, 15 };
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor tin = ftensor(xv, 2, xd), out;
		attr_s(&b.g, single_xd(&b, 12, "Einsum", CELLA_ONNX_FLOAT, 2, dyn), "equation", "ij->i");
		CT_RESULT(load(&b, &m), CELLA_OK);
		CT_RESULT(cella_onnx_model_run(m, &tin, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.rank == 1 && out.dims[0] == 2 && memcmp(out.data, w2, sizeof(w2)) == 0);
		/* another run, of another shape */
		static const int64_t x1[2] = { 1, 1 };
		struct cella_onnx_tensor t1 = ftensor(xv, 2, x1);
		CT_RESULT(cella_onnx_model_run(m, &t1, 1, &out, 1), CELLA_OK);
		CT_ASSERT(out.dims[0] == 1 && ((const float *)out.data)[0] == 1);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Einsum: products, diagonals, traces, transposes, '...' and broadcast, 3 inputs, integers");
}

static void test_einsum_refused(void)
{
	static const float a6[6] = { 1, 2, 3, 4, 5, 6 }, a4[4] = { 1, 2, 3, 4 }, sq[9] = { 0 }, z3[3] = { 0 };
	static const uint8_t bl[2] = { 1, 0 };
	static const int32_t i2[2] = { 1, 2 };
	static const struct {
		const char *eq;
		struct econst c[2];
		int nin;
		cella_result r;
		const char *msg;
	} cases[] = {
		{ NULL, { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL, "attribute 'equation' is missing" },
		{ "ij,j#->i", { EF(2, 2, 3, 0, a6), EF(1, 3, 0, 0, z3) }, 2, CELLA_ERR_MODEL,
		  "character '#' (0x23) at 4 is not a letter" },
		{ "ij->i", { EF(2, 2, 3, 0, a6), EF(1, 3, 0, 0, z3) }, 2, CELLA_ERR_MODEL,
		  "equation 'ij->i' has 1 operand terms, the node 2 inputs" },
		{ "ij,jk,k->i", { EF(2, 2, 3, 0, a6), EF(2, 3, 3, 0, sq) }, 2, CELLA_ERR_MODEL, "has 3 operand terms" },
		{ "ijk,jk->i", { EF(2, 2, 3, 0, a6), EF(2, 3, 3, 0, sq) }, 2, CELLA_ERR_MODEL_SHAPE,
		  "input 0 has rank 2, its term 'ijk' 3 labels" },
		{ "ij...k->i", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL_SHAPE,
		  "input 0 has rank 2, fewer than the 3 labels of its term 'ij...k'" },
		{ "ij,jk->iz", { EF(2, 2, 3, 0, a6), EF(2, 3, 3, 0, sq) }, 2, CELLA_ERR_MODEL,
		  "output label 'z' is in no input term" },
		{ "ij,jk->kik", { EF(2, 2, 3, 0, a6), EF(2, 3, 3, 0, sq) }, 2, CELLA_ERR_MODEL,
		  "label 'k' is repeated in the output" },
		{ "ij,jk->ik", { EF(2, 2, 3, 0, a6), EF(2, 2, 2, 0, a4) }, 2, CELLA_ERR_MODEL_SHAPE,
		  "label 'j' is 2 at input 1 axis 0, 3 at input 0 axis 1" },
		{ "ii->i", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL_SHAPE,
		  "label 'i' is 3 at input 0 axis 1, 2 at axis 0 (a diagonal needs equal dims)" },
		{ "...i,...i->...i", { EF(2, 2, 3, 0, a6), EF(2, 3, 3, 0, sq) }, 2, CELLA_ERR_MODEL_SHAPE,
		  "dims under '...' do not broadcast: input 1 axis 0 is 3, input 0 axis 0 2" },
		{ "...i->i", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL_SHAPE,
		  "'...' stands for 1 dims of the inputs, but the output term 'i' has no '...'" },
		{ "i.j", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL, "'.' at 1 is not part of '...'" },
		{ "...i...", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL, "term '...i...' has two '...'" },
		{ "ij->i,j", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL, "',' at 5 is after '->'" },
		{ "ij->i->j", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL, "a second '->' at 5" },
		{ "abcdefghi->a", { EF(2, 2, 3, 0, a6) }, 1, CELLA_ERR_MODEL_UNSUPPORTED,
		  "term 0 has more than 8 labels, the engine's rank limit" },
		{ "i,i", { { CELLA_ONNX_FLOAT, 1, { 2 }, a4, 8 }, { CELLA_ONNX_INT32, 1, { 2 }, i2, 8 } }, 2, CELLA_ERR_MODEL,
		  "input 1 of type int32, input 0 of type float" },
		{ "i->i", { { CELLA_ONNX_BOOL, 1, { 2 }, bl, 2 } }, 1, CELLA_ERR_MODEL_UNSUPPORTED,
		  "input 0 of type bool is not supported" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out;
		cella_result r = einsum_run(cases[i].eq, cases[i].c, cases[i].nin, &m, &out);
		if (r != cases[i].r || !strstr(last_log, "node 'Einsum' (Einsum) at load") || !strstr(last_log, cases[i].msg))
			cella_test_fail(__FILE__, __LINE__, "Einsum case %zu ('%s'): %s, '%s'", i,
					cases[i].eq ? cases[i].eq : "(none)", cella_result_str(r), last_log);
		cella_onnx_model_free(m);
	}
	/* refused at load over graph inputs whose dims are dynamic: the rank of its declared shape against the term;
	 * a declared bool input by its type */
	{
		static const struct { int dtype; const char *eq; cella_result r; const char *msg; } dc[] = {
			{ CELLA_ONNX_FLOAT, "ij->i", CELLA_ERR_MODEL_SHAPE, "input 0 has rank 1, its term 'ij' 2 labels" },
			{ CELLA_ONNX_BOOL, "i->i", CELLA_ERR_MODEL_UNSUPPORTED, "input 0 of type bool is not supported" },
			{ CELLA_ONNX_FLOAT, "i->j", CELLA_ERR_MODEL, "output label 'j' is in no input term" },
		};
		for (size_t i = 0; i < sizeof(dc) / sizeof(dc[0]); i++) {
			struct mb b;
			struct cella_onnx_model *m = NULL;
			attr_s(&b.g, single_x(&b, 12, "Einsum", dc[i].dtype), "equation", dc[i].eq);
			cella_result r = load(&b, &m);
			if (r != dc[i].r || !strstr(last_log, "at load") || !strstr(last_log, dc[i].msg))
				cella_test_fail(__FILE__, __LINE__, "Einsum dynamic case %zu: %s, '%s'", i,
						cella_result_str(r), last_log);
			cella_onnx_model_free(m);
		}
	}
	/* an iteration space over the limit, and one whose product of dims wraps 2^64 (four inputs of 2^20: 2^80),
	 * refused at load from the declared dims */
	{
		static const int64_t big[1] = { (int64_t)1 << 20 };
		static const char *const in2[] = { "a", "b", NULL }, *const in4[] = { "a", "b", "c", "d", NULL };
		static const char *const nm[4] = { "a", "b", "c", "d" };
		for (int four = 0; four < 2; four++) {
			struct mb b;
			struct cella_onnx_model *m = NULL;
			mb_init(&b, 12);
			for (int i = 0; i < (four ? 4 : 2); i++)
				gb_io(&b.g, 0, nm[i], CELLA_ONNX_FLOAT, 1, big);
			gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
			attr_s(&b.g, gb_node(&b.g, "Einsum", four ? in4 : in2, Y), "equation", four ? "a,b,c,d->" : "i,j->");
			CT_RESULT(load(&b, &m), CELLA_ERR_TOO_LARGE);
			CT_ASSERT(strstr(last_log, four ? "the iteration space of its 4 labels is over 268435456" :
						       "the iteration space of its 2 labels is over 268435456") != NULL);
			cella_onnx_model_free(m);
		}
	}
	cella_test_pass("Einsum refuses each malformed equation, rank, dim, type and iteration space by name");
}

/* ---- Unique: the four outputs against hand-derived values; NaN and -0.0 as numpy.unique (equal_nan) ---- */

/* Unique over constant x (dtype, 1 or 2 dims) with sorted (-1: unset) and axis (INT64_MIN: unset); the four
 * outputs in out[4]. */
static cella_result unique_run(int dtype, int rank, const int64_t *dims, const void *x, size_t bytes, int64_t sorted,
			       int64_t axis, struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const char *const ins[] = { "c0", NULL }, *const outs[] = { "y", "i", "v", "c", NULL };
	static struct mb b;
	mb_init(&b, 11);
	gb_io(&b.g, 1, "y", dtype, -1, NULL);
	for (int k = 1; k < 4; k++)
		gb_io(&b.g, 1, outs[k], CELLA_ONNX_INT64, -1, NULL);
	gb_const(&b.g, "c0", dtype, rank, dims, x, bytes);
	Onnx__NodeProto *n = gb_node(&b.g, "Unique", ins, outs);
	if (sorted >= 0)
		attr_i(&b.g, n, "sorted", sorted);
	if (axis != INT64_MIN)
		attr_i(&b.g, n, "axis", axis);
	cella_result r = load(&b, m);
	return r != CELLA_OK ? r : cella_onnx_model_run(*m, NULL, 0, out, 4);
}

/* out[k] holds the n int64 values want. */
static int i64_is(const struct cella_onnx_tensor *t, const int64_t *want, size_t n)
{
	return t->dtype == CELLA_ONNX_INT64 && t->rank == 1 && t->bytes == n * 8 && memcmp(t->data, want, n * 8) == 0;
}

static void test_unique(void)
{
	static const float f6[6] = { 2, 1, 1, 3, 4, 3 }, ys[4] = { 1, 2, 3, 4 }, yu[4] = { 2, 1, 3, 4 };
	static const int64_t d6[1] = { 6 }, is[4] = { 1, 0, 3, 4 }, vs[6] = { 1, 0, 0, 2, 3, 2 }, cs[4] = { 2, 1, 2, 1 },
			     iu[4] = { 0, 1, 3, 4 }, vu[6] = { 0, 1, 1, 2, 3, 2 }, cu[4] = { 1, 2, 2, 1 };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[4];
	/* flattened, sorted (the default) and in order of first occurrence (the spec's example 1) */
	for (int sorted = 0; sorted < 2; sorted++) {
		CT_RESULT(unique_run(CELLA_ONNX_FLOAT, 1, d6, f6, sizeof(f6), sorted ? -1 : 0, INT64_MIN, &m, out), CELLA_OK);
		CT_ASSERT(out[0].rank == 1 && out[0].dims[0] == 4 && memcmp(out[0].data, sorted ? ys : yu, 16) == 0);
		CT_ASSERT(i64_is(&out[1], sorted ? is : iu, 4) && i64_is(&out[2], sorted ? vs : vu, 6) &&
			  i64_is(&out[3], sorted ? cs : cu, 4));
		cella_onnx_model_free(m);
	}
	/* axis 0 of [[1, 0, 0], [1, 0, 0], [2, 3, 4]] (the spec's example 3) */
	{
		static const int32_t x[9] = { 1, 0, 0, 1, 0, 0, 2, 3, 4 }, y[6] = { 1, 0, 0, 2, 3, 4 };
		static const int64_t d[2] = { 3, 3 }, i[2] = { 0, 2 }, v[3] = { 0, 0, 1 }, c[2] = { 2, 1 };
		CT_RESULT(unique_run(CELLA_ONNX_INT32, 2, d, x, sizeof(x), 1, 0, &m, out), CELLA_OK);
		CT_ASSERT(out[0].rank == 2 && out[0].dims[0] == 2 && out[0].dims[1] == 3 && memcmp(out[0].data, y, 24) == 0);
		CT_ASSERT(i64_is(&out[1], i, 2) && i64_is(&out[2], v, 3) && i64_is(&out[3], c, 2));
		cella_onnx_model_free(m);
	}
	/* axis -1 of [[1, 0, 1, 0], [2, 3, 2, 3]]: columns (1, 2), (0, 3) twice each; sorted, (0, 3) comes first */
	{
		static const int64_t x[8] = { 1, 0, 1, 0, 2, 3, 2, 3 }, d[2] = { 2, 4 }, yu2[4] = { 1, 0, 2, 3 },
				     ys2[4] = { 0, 1, 3, 2 }, iu2[2] = { 0, 1 }, is2[2] = { 1, 0 }, vu2[4] = { 0, 1, 0, 1 },
				     vs2[4] = { 1, 0, 1, 0 }, c2[2] = { 2, 2 };
		for (int sorted = 0; sorted < 2; sorted++) {
			CT_RESULT(unique_run(CELLA_ONNX_INT64, 2, d, x, sizeof(x), sorted, -1, &m, out), CELLA_OK);
			CT_ASSERT(out[0].rank == 2 && out[0].dims[0] == 2 && out[0].dims[1] == 2 &&
				  memcmp(out[0].data, sorted ? ys2 : yu2, 32) == 0);
			CT_ASSERT(i64_is(&out[1], sorted ? is2 : iu2, 2) && i64_is(&out[2], sorted ? vs2 : vu2, 4) &&
				  i64_is(&out[3], c2, 2));
			cella_onnx_model_free(m);
		}
	}
	/* NaN equals NaN and sorts last; -0.0 equals 0.0, the first occurrence's bytes kept */
	{
		const float nan = NAN, x[6] = { nan, 1, nan, 0.5f, -0.0f, 0.0f };
		static const int64_t i[4] = { 4, 3, 1, 0 }, v[6] = { 3, 2, 3, 1, 0, 0 }, c[4] = { 2, 1, 1, 2 };
		CT_RESULT(unique_run(CELLA_ONNX_FLOAT, 1, d6, x, sizeof(x), -1, INT64_MIN, &m, out), CELLA_OK);
		const float *y = out[0].data;
		CT_ASSERT(out[0].dims[0] == 4 && y[0] == 0 && signbit(y[0]) && y[1] == 0.5f && y[2] == 1 && isnan(y[3]));
		CT_ASSERT(i64_is(&out[1], i, 4) && i64_is(&out[2], v, 6) && i64_is(&out[3], c, 4));
		cella_onnx_model_free(m);
	}
	/* uint64 in unsigned order (2^63 + 1 is not negative); an empty input gives empty outputs */
	{
		static const uint64_t x[3] = { ((uint64_t)1 << 63) + 1, 1, ((uint64_t)1 << 63) + 1 },
				      y[2] = { 1, ((uint64_t)1 << 63) + 1 };
		static const int64_t d3[1] = { 3 }, d0[1] = { 0 }, c[2] = { 1, 2 };
		CT_RESULT(unique_run(CELLA_ONNX_UINT64, 1, d3, x, sizeof(x), -1, INT64_MIN, &m, out), CELLA_OK);
		CT_ASSERT(out[0].bytes == 16 && memcmp(out[0].data, y, 16) == 0 && i64_is(&out[3], c, 2));
		cella_onnx_model_free(m);
		CT_RESULT(unique_run(CELLA_ONNX_FLOAT, 1, d0, NULL, 0, -1, INT64_MIN, &m, out), CELLA_OK);
		CT_ASSERT(out[0].dims[0] == 0 && out[1].dims[0] == 0 && out[2].dims[0] == 0 && out[3].dims[0] == 0);
		cella_onnx_model_free(m);
	}
	/* refused at load, named */
	CT_RESULT(unique_run(CELLA_ONNX_FLOAT, 1, d6, f6, sizeof(f6), 2, INT64_MIN, &m, out), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "node 'Unique' (Unique) at load") &&
		  strstr(last_log, "attribute 'sorted' is 2, not 0 or 1"));
	CT_RESULT(unique_run(CELLA_ONNX_FLOAT, 1, d6, f6, sizeof(f6), -1, -2, &m, out), CELLA_ERR_MODEL_SHAPE);
	CT_ASSERT(strstr(last_log, "attribute 'axis' is -2, input of rank 1") != NULL);
	{
		static const int64_t dyn[1] = { -1 };
		struct mb b;
		attr_i(&b.g, single_xd(&b, 11, "Unique", CELLA_ONNX_FLOAT, 1, dyn), "axis", 1);
		CT_RESULT(load(&b, &m), CELLA_ERR_MODEL_SHAPE);
		CT_ASSERT(strstr(last_log, "at load") && strstr(last_log, "attribute 'axis' is 1, input of rank 1"));
	}
	cella_test_pass("Unique: sorted and by first occurrence, flat and along axis 0 and -1, NaN, -0.0, uint64, empty");
}

/* ---- Det: LU with partial pivoting against determinants expanded by hand ---- */

static cella_result det_run(int dtype, int rank, const int64_t *dims, const void *x, size_t bytes,
			    struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static struct mb b;
	single(&b, 11, "Det", 1, dtype);
	gb_const(&b.g, "c0", dtype, rank, dims, x, bytes);
	return load_run(&b, m, out);
}

static void test_det(void)
{
	/* [[0, 2, 1], [1, 3, 2], [4, 1, 1]]: a zero first pivot; by the first row, -2 (1 - 8) + (1 - 12) = 3 */
	static const float p3[9] = { 0, 2, 1, 1, 3, 2, 4, 1, 1 }, b2[8] = { 1, 2, 3, 4, 2, 0, 0, 5 },
			   sg[4] = { 1, 2, 2, 4 }, r3[6] = { 1, 2, 3, 4, 5, 6 };
	static const double d1 = -3.5;
	static const int32_t i4[4] = { 1, 2, 3, 4 };
	static const int64_t s3[2] = { 3, 3 }, s222[3] = { 2, 2, 2 }, s22[2] = { 2, 2 }, s11[2] = { 1, 1 },
			     s23[2] = { 2, 3 }, s6[1] = { 6 };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	CT_RESULT(det_run(CELLA_ONNX_FLOAT, 2, s3, p3, sizeof(p3), &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 0 && fabsf(*(const float *)out.data - 3) < 1e-6f);
	cella_onnx_model_free(m);
	/* a batch of two: 1 * 4 - 2 * 3 = -2, 2 * 5 = 10 */
	CT_RESULT(det_run(CELLA_ONNX_FLOAT, 3, s222, b2, sizeof(b2), &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 1 && out.dims[0] == 2 && fabsf(((const float *)out.data)[0] + 2) < 1e-6f &&
		  fabsf(((const float *)out.data)[1] - 10) < 1e-6f);
	cella_onnx_model_free(m);
	/* singular: exactly 0; a double 1 x 1 */
	CT_RESULT(det_run(CELLA_ONNX_FLOAT, 2, s22, sg, sizeof(sg), &m, &out), CELLA_OK);
	CT_ASSERT(*(const float *)out.data == 0);
	cella_onnx_model_free(m);
	CT_RESULT(det_run(CELLA_ONNX_DOUBLE, 2, s11, &d1, 8, &m, &out), CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_DOUBLE && *(const double *)out.data == -3.5);
	cella_onnx_model_free(m);
	/* refused at load, named */
	CT_RESULT(det_run(CELLA_ONNX_INT32, 2, s22, i4, sizeof(i4), &m, &out), CELLA_ERR_MODEL_UNSUPPORTED);
	CT_ASSERT(strstr(last_log, "node 'Det' (Det) at load") &&
		  strstr(last_log, "input of type int32 is not supported (float or double)"));
	CT_RESULT(det_run(CELLA_ONNX_FLOAT, 2, s23, r3, sizeof(r3), &m, &out), CELLA_ERR_MODEL_SHAPE);
	CT_ASSERT(strstr(last_log, "input's last dims are 2 x 3, not square") != NULL);
	CT_RESULT(det_run(CELLA_ONNX_FLOAT, 1, s6, r3, sizeof(r3), &m, &out), CELLA_ERR_MODEL_SHAPE);
	CT_ASSERT(strstr(last_log, "input of rank 1: [*, M, M] needs at least 2") != NULL);
	{
		static const int64_t dyn[2] = { 2, -1 }, d3[2] = { 3, -1 };
		struct mb b;
		single_xd(&b, 11, "Det", CELLA_ONNX_FLOAT, 2, dyn);
		CT_RESULT(load(&b, &m), CELLA_OK); /* the square is checked at run */
		float xv[6] = { 1, 2, 3, 4, 5, 6 };
		struct cella_onnx_tensor in = ftensor(xv, 2, (const int64_t[2]){ 2, 3 });
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_ERR_MODEL_SHAPE);
		CT_ASSERT(strstr(last_log, "input's last dims are 2 x 3, not square") != NULL);
		cella_onnx_model_free(m);
		single_xd(&b, 11, "Det", CELLA_ONNX_FLOAT, 2, d3);
		CT_RESULT(load(&b, &m), CELLA_OK);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Det: pivoting past a zero, batches, singular, double; types and shapes refused by name");
}

/* ---- HannWindow, HammingWindow, BlackmanWindow: the formulas evaluated here in double ---- */

static cella_result window_run(const char *op, int sdtype, int srank, int64_t size, int64_t periodic, int64_t odt,
			       struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const int64_t one[1] = { 1 };
	static struct mb b;
	int32_t s32 = (int32_t)size;
	double sd = (double)size;
	Onnx__NodeProto *n = single(&b, 17, op, 1, odt > 0 && odt <= CELLA_ONNX_UINT64 ? (int)odt : CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", sdtype, srank, one, sdtype == CELLA_ONNX_INT32 ? (const void *)&s32 :
						sdtype == CELLA_ONNX_DOUBLE ? (const void *)&sd : (const void *)&size,
		 sdtype == CELLA_ONNX_INT32 ? 4 : 8);
	if (periodic >= 0)
		attr_i(&b.g, n, "periodic", periodic);
	if (odt)
		attr_i(&b.g, n, "output_datatype", odt);
	return load_run(&b, m, out);
}

static void test_windows(void)
{
	static const char *const ops[3] = { "HannWindow", "HammingWindow", "BlackmanWindow" };
	const double pi = 3.14159265358979323846;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (int k = 0; k < 3; k++)
		for (int periodic = 0; periodic < 2; periodic++)
			for (int64_t size = 2; size <= 9; size += 7) {
				CT_RESULT(window_run(ops[k], CELLA_ONNX_INT64, 0, size, periodic ? -1 : 0, 0, &m, &out),
					  CELLA_OK);
				CT_ASSERT(out.dtype == CELLA_ONNX_FLOAT && out.rank == 1 && out.dims[0] == size);
				double N = (double)(periodic ? size : size - 1);
				for (int64_t i = 0; i < size; i++) {
					double c1 = cos(2 * pi * (double)i / N), c2 = cos(4 * pi * (double)i / N);
					double w = k == 0 ? 0.5 - 0.5 * c1 : k == 1 ? 25.0 / 46 - 21.0 / 46 * c1
										       : 0.42 - 0.5 * c1 + 0.08 * c2;
					if (fabs(((const float *)out.data)[i] - w) > 1e-6)
						cella_test_fail(__FILE__, __LINE__, "%s size %lld periodic %d at %lld",
								ops[k], (long long)size, periodic, (long long)i);
				}
				cella_onnx_model_free(m);
			}
	/* periodic Hann of 4 as double is exactly 0, 0.5, 1, 0.5; as int64 truncated; an int32 size */
	{
		static const double wd[4] = { 0, 0.5, 1, 0.5 };
		static const int64_t wi[4] = { 0, 0, 1, 0 };
		CT_RESULT(window_run("HannWindow", CELLA_ONNX_INT32, 0, 4, 1, CELLA_ONNX_DOUBLE, &m, &out), CELLA_OK);
		CT_ASSERT(out.dtype == CELLA_ONNX_DOUBLE && out.bytes == 32);
		for (int i = 0; i < 4; i++)
			CT_ASSERT(fabs(((const double *)out.data)[i] - wd[i]) < 1e-15);
		cella_onnx_model_free(m);
		CT_RESULT(window_run("HannWindow", CELLA_ONNX_INT64, 0, 4, 1, CELLA_ONNX_INT64, &m, &out), CELLA_OK);
		CT_ASSERT(out.dtype == CELLA_ONNX_INT64 && memcmp(out.data, wi, sizeof(wi)) == 0);
		cella_onnx_model_free(m);
		/* as float16: 0, 0.5, 1, 0.5 */
		static const uint16_t wh[4] = { 0x0000, 0x3800, 0x3c00, 0x3800 };
		CT_RESULT(window_run("HannWindow", CELLA_ONNX_INT64, 0, 4, 1, CELLA_ONNX_FLOAT16, &m, &out), CELLA_OK);
		CT_ASSERT(out.dtype == CELLA_ONNX_FLOAT16 && out.bytes == 8 && memcmp(out.data, wh, sizeof(wh)) == 0);
		cella_onnx_model_free(m);
	}
	/* a symmetric window of 1 is 0 / 0, NaN (the ONNX reference, onnxruntime); size 0 is empty */
	CT_RESULT(window_run("HammingWindow", CELLA_ONNX_INT64, 0, 1, 0, 0, &m, &out), CELLA_OK);
	CT_ASSERT(out.dims[0] == 1 && isnan(*(const float *)out.data));
	cella_onnx_model_free(m);
	CT_RESULT(window_run("BlackmanWindow", CELLA_ONNX_INT64, 0, 0, 1, 0, &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 1 && out.dims[0] == 0);
	cella_onnx_model_free(m);
	/* refused, named */
	static const struct {
		int sdtype, srank;
		int64_t size, periodic, odt;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ CELLA_ONNX_INT64, 0, -3, -1, 0, CELLA_ERR_MODEL_SHAPE, "size is -3, negative" },
		{ CELLA_ONNX_INT64, 0, (int64_t)1 << 62, -1, 0, CELLA_ERR_TOO_LARGE,
		  "size 4611686018427387904 is over max_tensor_bytes in float elements" },
		{ CELLA_ONNX_INT64, 0, 4, 2, 0, CELLA_ERR_MODEL, "attribute 'periodic' is 2, not 0 or 1" },
		{ CELLA_ONNX_INT64, 0, 4, -1, 999, CELLA_ERR_MODEL, "attribute 'output_datatype' is 999, not an element type" },
		{ CELLA_ONNX_INT64, 0, 4, -1, CELLA_ONNX_BOOL, CELLA_ERR_MODEL_UNSUPPORTED,
		  "attribute 'output_datatype' is bool (9), not supported" },
		{ CELLA_ONNX_DOUBLE, 0, 4, -1, 0, CELLA_ERR_MODEL_UNSUPPORTED, "size of type double (int32 or int64)" },
		{ CELLA_ONNX_INT64, 1, 4, -1, 0, CELLA_ERR_MODEL_SHAPE, "size of rank 1, not a scalar" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = window_run("HannWindow", bad[i].sdtype, bad[i].srank, bad[i].size, bad[i].periodic,
					    bad[i].odt, &m, &out);
		if (r != bad[i].r || !strstr(last_log, "node 'HannWindow' (HannWindow) at load") ||
		    !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "window case %zu: %s, '%s'", i, cella_result_str(r), last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("Hann/Hamming/Blackman windows: periodic and symmetric, output types (float16 too); bad sizes "
			"refused");
}

/* ---- detection operators: NonMaxSuppression, RoiAlign, MaxUnpool ---- */

/* A tensor for a vision case: a graph input (with its data given at run) or a constant (at most 64 bytes). */
struct vten {
	const char *name;
	int dtype, rank;
	int64_t dims[4];
	const void *data;
	size_t bytes;
};

/* One op reading ins (NULL-terminated, "" = omitted) over graph inputs gin and constants cin, one output y of type
 * ydt. The node, for its attributes. */
static Onnx__NodeProto *vis_model(struct mb *b, int64_t opset, const char *op, const char *const *ins,
				  const struct vten *gin, size_t ngin, const struct vten *cin, size_t ncin, int ydt)
{
	mb_init(b, opset);
	for (size_t i = 0; i < ngin; i++)
		gb_io(&b->g, 0, gin[i].name, gin[i].dtype, gin[i].rank, gin[i].dims);
	for (size_t i = 0; i < ncin; i++)
		gb_const(&b->g, cin[i].name, cin[i].dtype, cin[i].rank, cin[i].dims, cin[i].data, cin[i].bytes);
	gb_io(&b->g, 1, "y", ydt, -1, NULL);
	return gb_node(&b->g, op, ins, Y);
}

/* Loads b and runs it on the data of gin: the load's or the run's result; out valid until *m is freed (*m is NULL
 * if the load failed). */
static cella_result vis_run(struct mb *b, const struct vten *gin, size_t ngin, struct cella_onnx_model **m,
			    struct cella_onnx_tensor *out)
{
	struct cella_onnx_tensor in[4];
	cella_result r = load(b, m);
	if (r != CELLA_OK)
		return r;
	memset(in, 0, sizeof(in));
	for (size_t i = 0; i < ngin; i++) {
		in[i].dtype = (cella_onnx_dtype)gin[i].dtype;
		in[i].rank = (uint32_t)gin[i].rank;
		memcpy(in[i].dims, gin[i].dims, sizeof(gin[i].dims));
		in[i].data = (void *)gin[i].data;
		in[i].bytes = gin[i].bytes;
	}
	return cella_onnx_model_run(*m, in, ngin, out, 1);
}

/*
 * Max, Min, Sum and Mean broadcast their inputs pairwise: Min(a [5], b [1, 4, 30]) is refused, at load with the
 * dims declared and at run with them dynamic (the pairwise shape once overwrote a's dims while reading them, took
 * the pair for [1, 4, 30] and read past a's 5 bytes); Min(a [5], b [2, 1]) broadcasts to [2, 5], as worked out here.
 */
static void test_variadic_broadcast(void)
{
	static const char *const ins[] = { "a", "b", NULL };
	static const uint8_t x[5] = { 1, 9, 3, 7, 5 }, y2[2] = { 4, 6 }, want[10] = { 1, 4, 3, 4, 4, 1, 6, 3, 6, 5 };
	static uint8_t y120[120];
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (int dynamic = 0; dynamic < 2; dynamic++) {
		struct vten g[2] = { { "a", CELLA_ONNX_UINT8, 1, { 5 }, x, sizeof(x) },
				     { "b", CELLA_ONNX_UINT8, 3, { 1, 4, 30 }, y120, sizeof(y120) } };
		if (dynamic)
			g[1].dims[2] = -1;
		vis_model(&b, 13, "Min", ins, g, 2, NULL, 0, CELLA_ONNX_UINT8);
		g[1].dims[2] = 30;
		CT_RESULT(vis_run(&b, g, 2, &m, &out), CELLA_ERR_MODEL_SHAPE);
		CT_ASSERT((m == NULL) == !dynamic);
		cella_onnx_model_free(m);
	}
	struct vten g[2] = { { "a", CELLA_ONNX_UINT8, 1, { 5 }, x, sizeof(x) },
			     { "b", CELLA_ONNX_UINT8, 2, { 2, 1 }, y2, sizeof(y2) } };
	vis_model(&b, 13, "Min", ins, g, 2, NULL, 0, CELLA_ONNX_UINT8);
	CT_RESULT(vis_run(&b, g, 2, &m, &out), CELLA_OK);
	CT_ASSERT(out.rank == 2 && out.dims[0] == 2 && out.dims[1] == 5 && out.bytes == sizeof(want));
	CT_EQ_MEM(out.data, want, sizeof(want));
	cella_onnx_model_free(m);
	cella_test_pass("variadic operators broadcast pairwise without reading past an input");
}

/* Checks an int64 output against want (n values, dims [n / 3, 3]). */
static void expect_rows(const char *what, const struct cella_onnx_tensor *out, const int64_t *want, size_t n)
{
	if (out->dtype != CELLA_ONNX_INT64 || out->rank != 2 || out->dims[1] != 3 || out->dims[0] != (int64_t)(n / 3) ||
	    out->bytes != n * sizeof(int64_t) || (n && memcmp(out->data, want, n * sizeof(int64_t)) != 0))
		cella_test_fail(__FILE__, __LINE__, "%s: got %s (dims %lld x %lld), want %s", what,
				cella_test_hex(out->data, out->bytes), (long long)out->dims[0],
				(long long)(out->rank > 1 ? out->dims[1] : 0), cella_test_hex(want, n * sizeof(int64_t)));
}

static const char *const nms_ins[] = { "boxes", "scores", "max", "iou", "sthr", NULL };

/* NonMaxSuppression over boxes [batch, n, 4] and scores [batch, classes, n] (graph inputs) with the given max,
 * iou and score thresholds (NULL: input omitted) and center_point_box (-1: attribute absent). */
static cella_result nms_case(int64_t opset, int64_t batch, int64_t classes, int64_t nbox, const float *boxes,
			     const float *scores, const int64_t *maxo, const float *iou, const float *sthr, int64_t center,
			     struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static struct mb b;
	const char *ins[6];
	struct vten gin[2] = {
		{ "boxes", CELLA_ONNX_FLOAT, 3, { batch, nbox, 4 }, boxes, (size_t)(batch * nbox * 4) * sizeof(float) },
		{ "scores", CELLA_ONNX_FLOAT, 3, { batch, classes, nbox }, scores,
		  (size_t)(batch * classes * nbox) * sizeof(float) },
	}, cin[3];
	size_t nc = 0;
	memcpy(ins, nms_ins, sizeof(ins));
	if (maxo)
		cin[nc++] = (struct vten){ "max", CELLA_ONNX_INT64, 1, { 1 }, maxo, 8 };
	else
		ins[2] = "";
	if (iou)
		cin[nc++] = (struct vten){ "iou", CELLA_ONNX_FLOAT, 1, { 1 }, iou, 4 };
	else
		ins[3] = "";
	if (sthr)
		cin[nc++] = (struct vten){ "sthr", CELLA_ONNX_FLOAT, 1, { 1 }, sthr, 4 };
	else
		ins[4] = NULL; /* trailing: left out */
	Onnx__NodeProto *n = vis_model(&b, opset, "NonMaxSuppression", ins, gin, 2, cin, nc, CELLA_ONNX_INT64);
	if (center >= 0)
		attr_i(&b.g, n, "center_point_box", center);
	*m = NULL;
	return vis_run(&b, gin, 2, m, out);
}

/*
 * Hand-worked selections. Boxes (y1, x1, y2, x2): b0 the unit square, b1 the same square given by its other corners
 * (flipped: IoU 1 with b0), b2 the unit square shifted right by 0.5 (overlap 0.5, union 1.5: IoU 1/3 with b0 and b1),
 * b3 two to the right (no overlap). Scores 0.9, 0.9 (a tie: the lower index first), 0.8, 0.5.
 */
static void test_nms_select(void)
{
	static const float boxes[16] = { 0, 0, 1, 1, 1, 1, 0, 0, 0, 0.5f, 1, 1.5f, 0, 2, 1, 3 };
	static const float scores[4] = { 0.9f, 0.9f, 0.8f, 0.5f };
	static const int64_t ten = 10, two = 2, huge = (int64_t)1 << 62, neg = -1;
	static const float third = 1.0f / 3, p3 = 0.3f, half = 0.5f, p49 = 0.49f, zero = 0;
	static const struct {
		const int64_t *maxo;
		const float *iou, *sthr;
		int64_t want[12];
		size_t n;
	} cases[] = {
		/* IoU 1/3 is not above 1/3: b2 stays; score 0.5 is not above 0.5: b3 is no candidate */
		{ &ten, &third, &half, { 0, 0, 0, 0, 0, 2 }, 6 },
		{ &ten, &third, &p49, { 0, 0, 0, 0, 0, 2, 0, 0, 3 }, 9 },
		/* IoU 1/3 above 0.3: b2 suppressed by b0 */
		{ &ten, &p3, &p49, { 0, 0, 0, 0, 0, 3 }, 6 },
		/* two at most, in score order */
		{ &two, &third, &p49, { 0, 0, 0, 0, 0, 2 }, 6 },
		/* 2^62 asks for every box (and no memory for 2^62) */
		{ &huge, &p3, NULL, { 0, 0, 0, 0, 0, 3 }, 6 },
		/* iou_threshold absent (0): any overlap suppresses; b1 is b0 */
		{ &huge, NULL, NULL, { 0, 0, 0, 0, 0, 3 }, 6 },
		/* threshold 0 with IoU 1: b1 suppressed even at 0 */
		{ &huge, &zero, &zero, { 0, 0, 0, 0, 0, 3 }, 6 },
		/* max absent or negative: nothing */
		{ NULL, &p3, NULL, { 0 }, 0 },
		{ &neg, &p3, NULL, { 0 }, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m;
		struct cella_onnx_tensor out;
		char what[32];
		snprintf(what, sizeof(what), "case %zu", i);
		CT_RESULT(nms_case(11, 1, 1, 4, boxes, scores, cases[i].maxo, cases[i].iou, cases[i].sthr, -1, &m, &out),
			  CELLA_OK);
		expect_rows(what, &out, cases[i].want, cases[i].n);
		cella_onnx_model_free(m);
	}
	/* opset 10 selects the same */
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	CT_RESULT(nms_case(10, 1, 1, 4, boxes, scores, &ten, &third, &p49, 0, &m, &out), CELLA_OK);
	expect_rows("opset 10", &out, cases[1].want, 9);
	cella_onnx_model_free(m);
	/* center_point_box 1: (x, y, w, h); the second box's centre 0.5 to the right (IoU 1/3), the third far away */
	static const float cboxes[12] = { 0.5f, 0.5f, 1, 1, 1.0f, 0.5f, 1, 1, 5, 5, 1, 1 };
	static const float cscores[3] = { 0.7f, 0.8f, 0.1f };
	static const int64_t cwant[2][6] = { { 0, 0, 1, 0, 0, 2 }, { 0, 0, 1, 0, 0, 0 } };
	CT_RESULT(nms_case(11, 1, 1, 3, cboxes, cscores, &ten, &p3, NULL, 1, &m, &out), CELLA_OK);
	expect_rows("center_point_box 1, iou 0.3", &out, cwant[0], 6);
	cella_onnx_model_free(m);
	CT_RESULT(nms_case(11, 1, 1, 3, cboxes, cscores, &two, &half, NULL, 1, &m, &out), CELLA_OK);
	expect_rows("center_point_box 1, iou 0.5", &out, cwant[1], 6);
	cella_onnx_model_free(m);
	cella_test_pass("NonMaxSuppression: flipped corners, ties by index, strict thresholds, max 2^62, centre boxes");
}

/* Output order: batch, then class, each class's boxes by score; a NaN score is never selected; without a score
 * threshold a score of 0 is a candidate. */
static void test_nms_order_nan(void)
{
	static const float boxes[16] = { 0, 0, 1, 1, 0, 2, 1, 3, 0, 0, 1, 1, 0, 2, 1, 3 };
	static const float scores[8] = { 0.1f, 0.2f, 0.3f, NAN, 0.5f, 0.5f, 0, 0 };
	static const int64_t one = 1, ten = 10;
	static const int64_t want1[12] = { 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0 };
	static const int64_t want10[21] = { 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1 };
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	CT_RESULT(nms_case(11, 2, 2, 2, boxes, scores, &one, NULL, NULL, 0, &m, &out), CELLA_OK);
	expect_rows("max 1", &out, want1, 12);
	cella_onnx_model_free(m);
	CT_RESULT(nms_case(11, 2, 2, 2, boxes, scores, &ten, NULL, NULL, 0, &m, &out), CELLA_OK);
	expect_rows("max 10", &out, want10, 21);
	cella_onnx_model_free(m);
	/* NaN coordinates never suppress (every comparison is false) and do not stop the run */
	static const float nboxes[8] = { NAN, 0, 1, 1, 0, 0, NAN, 1 }, nsc[2] = { 0.9f, 0.8f };
	static const int64_t nwant[6] = { 0, 0, 0, 0, 0, 1 };
	CT_RESULT(nms_case(11, 1, 1, 2, nboxes, nsc, &ten, NULL, NULL, 0, &m, &out), CELLA_OK);
	expect_rows("NaN boxes", &out, nwant, 6);
	cella_onnx_model_free(m);
	cella_test_pass("NonMaxSuppression orders by batch, class and score; NaN scores are never selected");
}

/* Each refusal, named: the attribute at load, shapes and types at load (static shapes), values at run. */
static void test_nms_refused(void)
{
	static const float boxes[8] = { 0, 0, 1, 1, 0, 2, 1, 3 }, scores[2] = { 0.9f, 0.8f };
	static const float big = 1.5f, nan = NAN, neg = -0.25f;
	static const int64_t ten = 10;
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	CT_RESULT(nms_case(11, 1, 1, 2, boxes, scores, &ten, NULL, NULL, 2, &m, &out), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "(NonMaxSuppression) at load") && strstr(last_log, "'center_point_box' is 2, not 0 or 1"));
	CT_RESULT(nms_case(9, 1, 1, 2, boxes, scores, &ten, NULL, NULL, 0, &m, &out), CELLA_ERR_MODEL_UNSUPPORTED);
	const float *thr[3] = { &big, &nan, &neg };
	for (int i = 0; i < 3; i++) {
		CT_RESULT(nms_case(11, 1, 1, 2, boxes, scores, &ten, thr[i], NULL, 0, &m, &out), CELLA_ERR_MODEL);
		CT_ASSERT(strstr(last_log, "(NonMaxSuppression)") && strstr(last_log, "not in [0, 1]"));
		cella_onnx_model_free(m);
	}
	/* shapes and types, through a model of declared inputs */
	static const struct {
		struct vten boxes, scores, maxo;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ { "boxes", CELLA_ONNX_FLOAT, 3, { 1, 2, 3 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 2 }, NULL, 0 },
		  { "max", CELLA_ONNX_INT64, 1, { 1 }, &ten, 8 }, CELLA_ERR_MODEL_SHAPE, "expected [batch, boxes, 4]" },
		{ { "boxes", CELLA_ONNX_FLOAT, 3, { 1, 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 2, 1, 2 }, NULL, 0 },
		  { "max", CELLA_ONNX_INT64, 1, { 1 }, &ten, 8 }, CELLA_ERR_MODEL_SHAPE, "scores of rank 3 (dims 2, 1, 2)" },
		{ { "boxes", CELLA_ONNX_FLOAT, 3, { 1, 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 3 }, NULL, 0 },
		  { "max", CELLA_ONNX_INT64, 1, { 1 }, &ten, 8 }, CELLA_ERR_MODEL_SHAPE, "[batch, classes, boxes]" },
		{ { "boxes", CELLA_ONNX_FLOAT, 2, { 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 2 }, NULL, 0 },
		  { "max", CELLA_ONNX_INT64, 1, { 1 }, &ten, 8 }, CELLA_ERR_MODEL_SHAPE, "boxes of rank 2" },
		{ { "boxes", CELLA_ONNX_DOUBLE, 3, { 1, 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 2 }, NULL, 0 },
		  { "max", CELLA_ONNX_INT64, 1, { 1 }, &ten, 8 }, CELLA_ERR_MODEL_UNSUPPORTED, "boxes of type double" },
		{ { "boxes", CELLA_ONNX_FLOAT, 3, { 1, 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 2 }, NULL, 0 },
		  { "max", CELLA_ONNX_INT32, 1, { 1 }, &ten, 4 }, CELLA_ERR_MODEL_UNSUPPORTED,
		  "max_output_boxes_per_class of type int32" },
		{ { "boxes", CELLA_ONNX_FLOAT, 3, { 1, 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 2 }, NULL, 0 },
		  { "max", CELLA_ONNX_INT64, 1, { 2 }, boxes, 16 }, CELLA_ERR_MODEL_SHAPE,
		  "max_output_boxes_per_class of rank 1 with 2 elements" },
		{ { "boxes", CELLA_ONNX_FLOAT, 3, { 1, 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 2 }, NULL, 0 },
		  { "iou", CELLA_ONNX_FLOAT, 1, { 2 }, boxes, 8 }, CELLA_ERR_MODEL_SHAPE, "iou_threshold of rank 1 with 2" },
		{ { "boxes", CELLA_ONNX_FLOAT, 3, { 1, 2, 4 }, NULL, 0 }, { "scores", CELLA_ONNX_FLOAT, 3, { 1, 1, 2 }, NULL, 0 },
		  { "sthr", CELLA_ONNX_INT64, 0, { 0 }, &ten, 8 }, CELLA_ERR_MODEL_UNSUPPORTED, "score_threshold of type int64" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mb b;
		const char *ins[] = { "boxes", "scores", "", "", "", NULL };
		struct vten gin[2] = { bad[i].boxes, bad[i].scores };
		ins[!strcmp(bad[i].maxo.name, "max") ? 2 : !strcmp(bad[i].maxo.name, "iou") ? 3 : 4] = bad[i].maxo.name;
		vis_model(&b, 11, "NonMaxSuppression", ins, gin, 2, &bad[i].maxo, 1, CELLA_ONNX_INT64);
		cella_result r = load(&b, &m);
		if (r != bad[i].r || !strstr(last_log, "(NonMaxSuppression) at load") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(r == CELLA_OK ? m : NULL);
	}
	cella_test_pass("NonMaxSuppression refuses bad center_point_box, shapes, types and iou_threshold, named");
}

static const char *const roi_ins[] = { "x", "rois", "bi", NULL };

/* RoiAlign over x [1, 1, 4, 4] (a graph input, x[h][w] = sign * (4h + w) + bias) and one ROI (a constant) with
 * batch index bidx; mode, coordinate mode (NULL: absent), output size, sampling_ratio, spatial_scale. */
struct roi_case {
	int64_t opset;
	float roi[4];
	const char *mode, *ctm;
	int64_t oh, ow, ratio;
	float scale;
};

static cella_result roi_run(const struct roi_case *rc, float sign, float bias, int64_t bidx,
			    struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static struct mb b;
	static float xv[16];
	for (int i = 0; i < 16; i++)
		xv[i] = sign * (float)i + bias;
	struct vten gin[1] = { { "x", CELLA_ONNX_FLOAT, 4, { 1, 1, 4, 4 }, xv, sizeof(xv) } };
	struct vten cin[2] = { { "rois", CELLA_ONNX_FLOAT, 2, { 1, 4 }, rc->roi, 16 },
			       { "bi", CELLA_ONNX_INT64, 1, { 1 }, &bidx, 8 } };
	Onnx__NodeProto *n = vis_model(&b, rc->opset, "RoiAlign", roi_ins, gin, 1, cin, 2, CELLA_ONNX_FLOAT);
	attr_s(&b.g, n, "mode", rc->mode);
	if (rc->ctm)
		attr_s(&b.g, n, "coordinate_transformation_mode", rc->ctm);
	attr_i(&b.g, n, "output_height", rc->oh);
	attr_i(&b.g, n, "output_width", rc->ow);
	attr_i(&b.g, n, "sampling_ratio", rc->ratio);
	attr_f(&b.g, n, "spatial_scale", rc->scale);
	*m = NULL;
	return vis_run(&b, gin, 1, m, out);
}

/*
 * Hand-worked bins over x[h][w] = 4h + w, which bilinear sampling reproduces exactly inside the image, so a bin's
 * average is the value at its samples' mean position.
 */
static void test_roialign_values(void)
{
	static const struct {
		struct roi_case c;
		float sign, want[4];
	} cases[] = {
		/* output_half_pixel: ROI [0, 2]^2, 2x2 samples at 0.5 and 1.5: 4*1 + 1 */
		{ { 10, { 0, 0, 2, 2 }, "avg", NULL, 1, 1, 2, 1 }, 1, { 5 } },
		/* opset 16's default half_pixel: the ROI moves by half a pixel, samples at 0 and 1: 4*0.5 + 0.5 */
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 1, 1, 2, 1 }, 1, { 2.5f } },
		{ { 16, { 0, 0, 2, 2 }, "avg", "output_half_pixel", 1, 1, 2, 1 }, 1, { 5 } },
		/* spatial_scale 0.5 halves the ROI */
		{ { 16, { 0, 0, 4, 4 }, "avg", "output_half_pixel", 1, 1, 2, 0.5f }, 1, { 5 } },
		/* adaptive grid (ratio 0): a bin of 3 takes ceil(3) = 3 samples, at 0.5, 1.5, 2.5: 4*1.5 + 1.5 */
		{ { 10, { 0, 0, 3, 3 }, "avg", NULL, 1, 1, 0, 1 }, 1, { 7.5f } },
		/* 2x2 bins of one pixel each over [0, 2]^2: one sample each at 0.5 and 1.5 */
		{ { 10, { 0, 0, 2, 2 }, "avg", NULL, 2, 2, 0, 1 }, 1, { 2.5f, 3.5f, 6.5f, 7.5f } },
		/* samples at 3 and 5: 5 is outside (beyond 4), 3 is the last row/column (15); the average counts 4 */
		{ { 10, { 2, 2, 6, 6 }, "avg", NULL, 1, 1, 2, 1 }, 1, { 3.75f } },
		{ { 10, { 2, 2, 6, 6 }, "max", NULL, 1, 1, 2, 1 }, 1, { 15 } },
		/* max at integer samples (0 and 1, half_pixel): each sample's neighbour of weight 1 is its pixel */
		{ { 16, { 0, 0, 2, 2 }, "max", NULL, 1, 1, 2, 1 }, 1, { 5 } },
		/* the max of the four weighted neighbours (as the reference): zero weights give -0 over negative x */
		{ { 16, { 0, 0, 2, 2 }, "max", NULL, 1, 1, 2, 1 }, -1, { 0 } },
		/* a ROI with a NaN or infinite coordinate, or of 1e30 pixels, has no sample inside: 0 (and finishes) */
		{ { 10, { NAN, 0, 2, 2 }, "avg", NULL, 1, 1, 0, 1 }, 1, { 0 } },
		{ { 10, { 0, 0, INFINITY, 2 }, "max", NULL, 1, 1, 0, 1 }, 1, { 0 } },
		{ { 10, { -1e30f, -1e30f, 1e30f, 1e30f }, "avg", NULL, 1, 1, 0, 1 }, 1, { 0 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m;
		struct cella_onnx_tensor out;
		size_t n = (size_t)(cases[i].c.oh * cases[i].c.ow);
		CT_RESULT(roi_run(&cases[i].c, cases[i].sign, cases[i].sign < 0 ? -1.0f : 0.0f, 0, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 4 && out.dims[0] == 1 && out.dims[1] == 1 && out.dims[2] == cases[i].c.oh &&
			  out.dims[3] == cases[i].c.ow);
		for (size_t k = 0; k < n; k++)
			if (fabsf(((const float *)out.data)[k] - cases[i].want[k]) > 1e-6f)
				cella_test_fail(__FILE__, __LINE__, "case %zu element %zu: %g, want %g", i, k,
						(double)((const float *)out.data)[k], (double)cases[i].want[k]);
		cella_onnx_model_free(m);
	}
	cella_test_pass("RoiAlign: half_pixel and output_half_pixel, avg and max, adaptive grid, samples outside, NaN ROIs");
}

static void test_roialign_refused(void)
{
	static const struct {
		struct roi_case c;
		int64_t bidx;
		cella_result r;
		const char *msg;
	} cases[] = {
		{ { 16, { 0, 0, 2, 2 }, "mean", NULL, 1, 1, 2, 1 }, 0, CELLA_ERR_MODEL, "'mode' is 'mean', not avg or max" },
		{ { 16, { 0, 0, 2, 2 }, "avg", "asymmetric", 1, 1, 2, 1 }, 0, CELLA_ERR_MODEL,
		  "'coordinate_transformation_mode' is 'asymmetric'" },
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 0, 1, 2, 1 }, 0, CELLA_ERR_MODEL_SHAPE, "output_height 0" },
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 1, -3, 2, 1 }, 0, CELLA_ERR_MODEL_SHAPE, "output_width -3" },
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 1, 1, 257, 1 }, 0, CELLA_ERR_MODEL_SHAPE,
		  "'sampling_ratio' is 257, not in [0, 256]" },
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 1, 1, -1, 1 }, 0, CELLA_ERR_MODEL_SHAPE, "'sampling_ratio' is -1" },
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 1, 1, 2, INFINITY }, 0, CELLA_ERR_MODEL, "'spatial_scale' is inf" },
		/* 2^40 x 2^40 outputs: over max_tensor_bytes, at load (no allocation, no overflow) */
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, (int64_t)1 << 40, (int64_t)1 << 40, 2, 1 }, 0, CELLA_ERR_TOO_LARGE, "" },
		/* at run: batch indices outside the batch of 1 */
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 1, 1, 2, 1 }, 1, CELLA_ERR_MODEL,
		  "batch index 1 (element 0 of batch_indices) is out of range for a batch of 1" },
		{ { 16, { 0, 0, 2, 2 }, "avg", NULL, 1, 1, 2, 1 }, -1, CELLA_ERR_MODEL, "batch index -1" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m;
		struct cella_onnx_tensor out;
		cella_result r = roi_run(&cases[i].c, 1, 0, cases[i].bidx, &m, &out);
		if (r != cases[i].r || !strstr(last_log, "(RoiAlign)") || !strstr(last_log, cases[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	/* before opset 16 the coordinate mode is not an attribute of RoiAlign: ignored */
	struct roi_case old = { 10, { 0, 0, 2, 2 }, "avg", "asymmetric", 1, 1, 2, 1 };
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	CT_RESULT(roi_run(&old, 1, 0, 0, &m, &out), CELLA_OK);
	CT_ASSERT(((const float *)out.data)[0] == 5.0f);
	cella_onnx_model_free(m);
	/* shapes and types */
	static const float roi8[8] = { 0, 0, 2, 2, 0, 0, 2, 2 };
	static const int64_t b2[2] = { 0, 0 };
	static const struct {
		struct vten x, rois, bi;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ { "x", CELLA_ONNX_FLOAT, 3, { 1, 4, 4 }, NULL, 0 }, { "rois", CELLA_ONNX_FLOAT, 2, { 1, 4 }, roi8, 16 },
		  { "bi", CELLA_ONNX_INT64, 1, { 1 }, b2, 8 }, CELLA_ERR_MODEL_SHAPE, "X of rank 3" },
		{ { "x", CELLA_ONNX_FLOAT, 4, { 1, 1, 4, 4 }, NULL, 0 }, { "rois", CELLA_ONNX_FLOAT, 2, { 2, 4 }, roi8, 32 },
		  { "bi", CELLA_ONNX_INT64, 1, { 1 }, b2, 8 }, CELLA_ERR_MODEL_SHAPE, "batch_indices of rank 1 (dim 1)" },
		{ { "x", CELLA_ONNX_FLOAT, 4, { 1, 1, 4, 4 }, NULL, 0 }, { "rois", CELLA_ONNX_FLOAT, 2, { 2, 2 }, roi8, 16 },
		  { "bi", CELLA_ONNX_INT64, 1, { 2 }, b2, 16 }, CELLA_ERR_MODEL_SHAPE, "rois of rank 2 (dims 2, 2)" },
		{ { "x", CELLA_ONNX_DOUBLE, 4, { 1, 1, 4, 4 }, NULL, 0 }, { "rois", CELLA_ONNX_FLOAT, 2, { 1, 4 }, roi8, 16 },
		  { "bi", CELLA_ONNX_INT64, 1, { 1 }, b2, 8 }, CELLA_ERR_MODEL_UNSUPPORTED, "X of type double" },
		{ { "x", CELLA_ONNX_FLOAT, 4, { 1, 1, 4, 4 }, NULL, 0 }, { "rois", CELLA_ONNX_FLOAT, 2, { 1, 4 }, roi8, 16 },
		  { "bi", CELLA_ONNX_INT32, 1, { 1 }, b2, 4 }, CELLA_ERR_MODEL_UNSUPPORTED, "batch_indices of type int32" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mb b;
		struct vten cin[2] = { bad[i].rois, bad[i].bi };
		vis_model(&b, 16, "RoiAlign", roi_ins, &bad[i].x, 1, cin, 2, CELLA_ONNX_FLOAT);
		cella_result r = load(&b, &m);
		if (r != bad[i].r || !strstr(last_log, "(RoiAlign) at load") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "shape case %zu: %s, '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(r == CELLA_OK ? m : NULL);
	}
	cella_test_pass("RoiAlign refuses bad attributes, shapes, types and batch indices, named");
}

/* MaxUnpool over x [1, 1, 2, 2] (a graph input of type xdt) with indices i (a constant of idt, dims idims) and,
 * when oshape has values, output_shape; kernel_shape 2x2 (nk values, 0: absent), strides 2x2, pads (NULL: absent). */
struct unpool_case {
	int xdt, idt, irank;
	int64_t idims[4];
	int64_t i[4];
	int oshape_dt;
	size_t noshape;
	int64_t oshape[4];
	size_t nk;
	const int64_t *pads;
	size_t npads;
};

static cella_result unpool_run(const struct unpool_case *uc, const void *xv, struct cella_onnx_model **m,
			       struct cella_onnx_tensor *out)
{
	static struct mb b;
	static const int64_t k2[2] = { 2, 2 };
	static const char *const ins2[] = { "x", "i", NULL }, *const ins3[] = { "x", "i", "s", NULL };
	size_t es = uc->xdt == CELLA_ONNX_DOUBLE ? 8 : 4, ies = uc->idt == CELLA_ONNX_INT32 ? 4 : 8, ni = 1;
	for (int d = 0; d < uc->irank; d++)
		ni *= (size_t)uc->idims[d];
	struct vten gin[1] = { { "x", uc->xdt, 4, { 1, 1, 2, 2 }, xv, 4 * es } };
	struct vten cin[2] = { { "i", uc->idt, uc->irank, { uc->idims[0], uc->idims[1], uc->idims[2], uc->idims[3] },
				 uc->i, ni * ies },
			       { "s", uc->oshape_dt, 1, { (int64_t)uc->noshape }, uc->oshape,
				 uc->noshape * (uc->oshape_dt == CELLA_ONNX_INT32 ? 4 : 8) } };
	Onnx__NodeProto *n = vis_model(&b, 11, "MaxUnpool", uc->noshape ? ins3 : ins2, gin, 1, cin, uc->noshape ? 2 : 1,
				       uc->xdt);
	if (uc->nk)
		attr_ints(&b.g, n, "kernel_shape", k2, uc->nk);
	attr_ints(&b.g, n, "strides", k2, 2);
	if (uc->pads)
		attr_ints(&b.g, n, "pads", uc->pads, uc->npads);
	*m = NULL;
	return vis_run(&b, gin, 1, m, out);
}

#define UNPOOL_I(a, b_, c, d) CELLA_ONNX_INT64, 4, { 1, 1, 2, 2 }, { a, b_, c, d }

static void test_maxunpool(void)
{
	static const int64_t pad1[4] = { 1, 1, 1, 1 };
	static const float xv[4] = { 1, 2, 3, 4 };
	static const double xd[4] = { 1.5, 2.5, 3.5, 4.5 };
	static const struct {
		struct unpool_case c;
		int64_t oh, ow;
		int at[4]; /* where x[0..3] land in Y (flat), -1 for none */
	} cases[] = {
		/* the positions MaxPool 2x2/2 gives for the corners of each window's last element */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 2, NULL, 0 }, 4, 4, { 5, 7, 13, 15 } },
		/* output_shape 5x5: the 4x4 block at the origin, so flat 5 (row 1, col 1) is 6 in rows of 5 */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), CELLA_ONNX_INT64, 4, { 1, 1, 5, 5 }, 2, NULL, 0 }, 5, 5,
		  { 6, 8, 16, 18 } },
		/* output_shape equal to the inferred shape */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(0, 3, 12, 15), CELLA_ONNX_INT64, 4, { 1, 1, 4, 4 }, 2, NULL, 0 }, 4, 4,
		  { 0, 3, 12, 15 } },
		/* pads 1: (2 - 1) * 2 - 2 + 2 = 2 */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(3, 2, 1, 0), 0, 0, { 0 }, 2, pad1, 4 }, 2, 2, { 3, 2, 1, 0 } },
		/* a repeated index keeps the last element */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(9, 9, 9, 9), 0, 0, { 0 }, 2, NULL, 0 }, 4, 4, { -1, -1, -1, 9 } },
		{ { CELLA_ONNX_DOUBLE, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 2, NULL, 0 }, 4, 4, { 5, 7, 13, 15 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m;
		struct cella_onnx_tensor out;
		int dbl = cases[i].c.xdt == CELLA_ONNX_DOUBLE;
		CT_RESULT(unpool_run(&cases[i].c, dbl ? (const void *)xd : (const void *)xv, &m, &out), CELLA_OK);
		size_t n = (size_t)(cases[i].oh * cases[i].ow);
		CT_ASSERT(out.rank == 4 && out.dims[2] == cases[i].oh && out.dims[3] == cases[i].ow &&
			  (int)out.dtype == cases[i].c.xdt && out.bytes == n * (dbl ? 8 : 4));
		for (size_t k = 0; k < n; k++) {
			double want = 0, got = dbl ? ((const double *)out.data)[k] : ((const float *)out.data)[k];
			for (int j = 0; j < 4; j++)
				if (cases[i].at[j] == (int)k)
					want = dbl ? xd[j] : xv[j];
			if (got != want)
				cella_test_fail(__FILE__, __LINE__, "case %zu element %zu: %g, want %g", i, k, got, want);
		}
		cella_onnx_model_free(m);
	}
	cella_test_pass("MaxUnpool: with and without output_shape, pads, repeated indices, double");
}

static void test_maxunpool_refused(void)
{
	static const float xv[4] = { 1, 2, 3, 4 };
	static const int64_t pad_big[4] = { 2, 2, 2, 2 }, pad3[3] = { 0, 0, 0 };
	static const struct {
		struct unpool_case c;
		cella_result r;
		const char *msg;
	} cases[] = {
		/* at run: indices outside the 16 elements of [1, 1, 4, 4] */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 16), 0, 0, { 0 }, 2, NULL, 0 }, CELLA_ERR_MODEL,
		  "index 16 (element 3 of I) is out of range for the 16 elements" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(-1, 7, 13, 15), 0, 0, { 0 }, 2, NULL, 0 }, CELLA_ERR_MODEL,
		  "index -1 (element 0 of I)" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), CELLA_ONNX_INT64, 4, { 1, 1, 3, 5 }, 2, NULL, 0 },
		  CELLA_ERR_MODEL_SHAPE, "output_shape dim 2 is 3, the inferred dim 4" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), CELLA_ONNX_INT64, 4, { 1, 2, 4, 4 }, 2, NULL, 0 },
		  CELLA_ERR_MODEL_SHAPE, "output_shape dim 1 is 2, the inferred dim 1" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), CELLA_ONNX_INT64, 3, { 1, 1, 4 }, 2, NULL, 0 },
		  CELLA_ERR_MODEL_SHAPE, "output_shape of rank 1 with 3 values, X of rank 4" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), CELLA_ONNX_INT32, 4, { 1, 1, 4, 4 }, 2, NULL, 0 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "output_shape of type int32" },
		/* an output_shape of 2^40 x 2^40: over max_tensor_bytes at load, nothing allocated */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), CELLA_ONNX_INT64, 4, { 1, 1, (int64_t)1 << 40, (int64_t)1 << 40 },
		    2, NULL, 0 }, CELLA_ERR_TOO_LARGE, " at load" },
		{ { CELLA_ONNX_FLOAT, CELLA_ONNX_INT64, 4, { 1, 1, 1, 4 }, { 5, 7, 13, 15 }, 0, 0, { 0 }, 2, NULL, 0 },
		  CELLA_ERR_MODEL_SHAPE, "expected I of X's shape" },
		{ { CELLA_ONNX_FLOAT, CELLA_ONNX_INT32, 4, { 1, 1, 2, 2 }, { 5, 7, 0, 0 }, 0, 0, { 0 }, 2, NULL, 0 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "I of type int32" },
		{ { CELLA_ONNX_INT32, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 2, NULL, 0 }, CELLA_ERR_MODEL_UNSUPPORTED,
		  "X of type int32" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 0, NULL, 0 }, CELLA_ERR_MODEL,
		  "'kernel_shape' is required" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 1, NULL, 0 }, CELLA_ERR_MODEL,
		  "'strides' has 2 values, expected 1" },
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 2, pad3, 3 }, CELLA_ERR_MODEL,
		  "'pads' has 3 values, expected 4" },
		/* pads 2: (2 - 1) * 2 - 4 + 2 = 0 rows and columns, allowed, but no index fits */
		{ { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 2, pad_big, 4 }, CELLA_ERR_MODEL,
		  "index 5 (element 0 of I) is out of range for the 0 elements" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cella_onnx_model *m;
		struct cella_onnx_tensor out;
		cella_result r = unpool_run(&cases[i].c, xv, &m, &out);
		if (r != cases[i].r || !strstr(last_log, "(MaxUnpool)") || !strstr(last_log, cases[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	/* a negative inferred dim: x [1, 1, 2, 2], kernel 2, stride 2, rows padded by 5 and 1: 2 - 6 + 2 */
	static const int64_t pad_neg[4] = { 5, 0, 1, 0 };
	struct unpool_case neg = { CELLA_ONNX_FLOAT, UNPOOL_I(5, 7, 13, 15), 0, 0, { 0 }, 2, pad_neg, 4 };
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	cella_result rn = unpool_run(&neg, xv, &m, &out);
	if (rn != CELLA_ERR_MODEL_SHAPE)
		cella_test_fail(__FILE__, __LINE__, "negative dim: %s, %s", cella_result_name(rn), last_log);
	CT_ASSERT(strstr(last_log, "(MaxUnpool) at load") && strstr(last_log, "spatial dim 0 is -2"));
	cella_test_pass("MaxUnpool refuses indices out of range, bad output_shape, shapes, types and attributes, named");
}

/* MaxPool over a graph input x of type dt [1, 1, h, w] (bytes xv), kernel 2x2 or, with pad1, 1x1 padded by 1. */
static cella_result maxpool8_run(const char *op, int64_t opset, int dt, int64_t h, int64_t w, const void *xv, int pad1,
				 struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static struct mb b;
	static const int64_t k2[2] = { 2, 2 }, k1[2] = { 1, 1 }, p1[4] = { 1, 1, 1, 1 };
	static const char *const ins[] = { "x", NULL };
	struct vten gin[1] = { { "x", dt, 4, { 1, 1, h, w }, xv, (size_t)(h * w) * cella_onnx_dtype_size((cella_onnx_dtype)dt) } };
	Onnx__NodeProto *n = vis_model(&b, opset, op, ins, gin, 1, NULL, 0, dt);
	attr_ints(&b.g, n, "kernel_shape", pad1 ? k1 : k2, 2);
	if (pad1)
		attr_ints(&b.g, n, "pads", p1, 4);
	*m = NULL;
	return vis_run(&b, gin, 1, m, out);
}

/* MaxPool-12 on uint8 and int8: the maxima exactly, extremes of each type included; a window wholly in the padding
 * gives the type's least value (float gives -inf; onnxruntime refuses pads not below the kernel). */
static void test_maxpool_int8(void)
{
	static const uint8_t u[9] = { 0, 255, 3, 7, 8, 9, 200, 1, 2 }, uw[4] = { 255, 255, 200, 9 }, one_u = 5;
	static const int8_t s[9] = { -128, 127, -3, 7, -8, 9, -100, 1, 2 }, sw[4] = { 127, 127, 7, 9 }, one_s = -5;
	static const uint8_t upad[9] = { 0, 0, 0, 0, 5, 0, 0, 0, 0 };
	static const int8_t spad[9] = { -128, -128, -128, -128, -5, -128, -128, -128, -128 };
	struct cella_onnx_model *m;
	struct cella_onnx_tensor out;
	CT_RESULT(maxpool8_run("MaxPool", 12, CELLA_ONNX_UINT8, 3, 3, u, 0, &m, &out), CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_UINT8 && out.bytes == 4 && memcmp(out.data, uw, 4) == 0);
	cella_onnx_model_free(m);
	CT_RESULT(maxpool8_run("MaxPool", 21, CELLA_ONNX_INT8, 3, 3, s, 0, &m, &out), CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_INT8 && out.bytes == 4 && memcmp(out.data, sw, 4) == 0);
	cella_onnx_model_free(m);
	CT_RESULT(maxpool8_run("MaxPool", 12, CELLA_ONNX_UINT8, 1, 1, &one_u, 1, &m, &out), CELLA_OK);
	CT_ASSERT(out.dims[2] == 3 && out.dims[3] == 3 && memcmp(out.data, upad, 9) == 0);
	cella_onnx_model_free(m);
	CT_RESULT(maxpool8_run("MaxPool", 12, CELLA_ONNX_INT8, 1, 1, &one_s, 1, &m, &out), CELLA_OK);
	CT_ASSERT(out.dims[2] == 3 && out.dims[3] == 3 && memcmp(out.data, spad, 9) == 0);
	cella_onnx_model_free(m);
	/* refused, named: before opset 12, AveragePool, and other integer types */
	static const struct {
		const char *op;
		int64_t opset;
		int dt;
		const char *msg;
	} bad[] = {
		{ "MaxPool", 11, CELLA_ONNX_UINT8, "input of type uint8 (float; int8 and uint8 from opset 12)" },
		{ "AveragePool", 12, CELLA_ONNX_INT8, "input of type int8 (float)" },
		{ "MaxPool", 12, CELLA_ONNX_INT16, "input of type int16 (float, int8 or uint8)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = maxpool8_run(bad[i].op, bad[i].opset, bad[i].dt, 3, 3, s, 0, &m, &out);
		if (r != CELLA_ERR_MODEL_UNSUPPORTED || !strstr(last_log, " at load") || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "case %zu: %s, '%s'", i, cella_result_name(r), last_log);
	}
	cella_test_pass("MaxPool-12 on uint8 and int8: exact maxima, padding-only windows, refusals named");
}

/* ---- DFT: the sums written out here with cos and sin in double ---- */

/* A DFT over constants: x (xt, rank xr, dims xd), dft_length (of type lt and rank lr; lt 0: omitted) and, with
 * has_axis, the axis (an input from opset 20, else the attribute); inverse/onesided -1: absent. */
struct dft_spec {
	int64_t opset;
	int xt, xr;
	int64_t xd[4];
	const void *xv;
	size_t xb;
	int lt, lr;
	int64_t len;
	int has_axis;
	int64_t axis, inverse, onesided;
};

static cella_result dft_run(const struct dft_spec *s, struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const int64_t one[2] = { 1, 1 };
	static struct mb b;
	const char *ins[4] = { "x", s->lt ? "len" : "", s->opset >= 20 && s->has_axis ? "axis" : NULL, NULL };
	int32_t l32 = (int32_t)s->len;
	double ld = (double)s->len;
	mb_init(&b, s->opset);
	gb_io(&b.g, 1, "y", s->xt, -1, NULL);
	gb_const(&b.g, "x", s->xt, s->xr, s->xd, s->xv, s->xb);
	if (s->lt)
		gb_const(&b.g, "len", s->lt, s->lr, one, s->lt == CELLA_ONNX_INT32 ? (const void *)&l32 :
			 s->lt == CELLA_ONNX_DOUBLE ? (const void *)&ld : (const void *)&s->len, s->lt == CELLA_ONNX_INT32 ? 4 : 8);
	if (s->opset >= 20 && s->has_axis)
		gb_const(&b.g, "axis", CELLA_ONNX_INT64, 0, NULL, &s->axis, 8);
	Onnx__NodeProto *n = gb_node(&b.g, "DFT", ins, Y);
	if (s->opset < 20 && s->has_axis)
		attr_i(&b.g, n, "axis", s->axis);
	if (s->inverse >= 0)
		attr_i(&b.g, n, "inverse", s->inverse);
	if (s->onesided >= 0)
		attr_i(&b.g, n, "onesided", s->onesided);
	*m = NULL;
	return load_run(&b, m, out);
}

/* y[k] = sum over j < min(len, n) of x[j] exp(-+2 pi i jk / n), divided by n when inverse: k < nout, x and y as
 * (re, im) pairs, x's elements stride apart. */
static void dft_ref(const double *x, int64_t len, int64_t stride, int64_t n, int inverse, int64_t nout, double *y)
{
	const double pi = 3.14159265358979323846, sg = inverse ? 1 : -1;
	for (int64_t k = 0; k < nout; k++) {
		double re = 0, im = 0;
		for (int64_t j = 0; j < len && j < n; j++) {
			double a = sg * 2 * pi * (double)(j * k) / (double)n, xr = x[2 * j * stride], xi = x[2 * j * stride + 1];
			re += xr * cos(a) - xi * sin(a);
			im += xr * sin(a) + xi * cos(a);
		}
		y[2 * k] = inverse ? re / (double)n : re;
		y[2 * k + 1] = inverse ? im / (double)n : im;
	}
}

/* The output's values (float or double) against want, within tol relative to the largest magnitude. */
static void expect_close(const struct cella_onnx_tensor *out, const double *want, size_t n, double tol, const char *what)
{
	double big = 1;
	CT_EQ(out->bytes, n * (out->dtype == CELLA_ONNX_DOUBLE ? 8 : 4));
	for (size_t i = 0; i < n; i++)
		big = fabs(want[i]) > big ? fabs(want[i]) : big;
	for (size_t i = 0; i < n; i++) {
		double v = out->dtype == CELLA_ONNX_DOUBLE ? ((const double *)out->data)[i] : ((const float *)out->data)[i];
		if (!(fabs(v - want[i]) <= tol * big))
			cella_test_fail(__FILE__, __LINE__, "%s: y[%zu] = %.9g, want %.9g", what, i, v, want[i]);
	}
}

static void test_dft(void)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	static const float x5[5] = { 1, -2, 3.5f, 0.25f, -4 };
	static const float c8[16] = { 1, 0, 2, -1, 0, 3, -1, -1, 0.5f, 2, 4, 0, -3, 1, 2, 2 };
	double xin[16], want[32];
	/* real x of 5 (no power of two) along axis 1 of [1, 5, 1]: every bin, onesided bins 0..2, padded to 8, cut to 3 */
	for (int i = 0; i < 5; i++) {
		xin[2 * i] = x5[i];
		xin[2 * i + 1] = 0;
	}
	static const struct { int64_t len, onesided, nout; const char *what; } real[] = {
		{ 0, -1, 5, "real 5" }, { 0, 1, 3, "real 5 onesided" }, { 8, 0, 8, "real 5 padded to 8" },
		{ 3, 0, 3, "real 5 cut to 3" }, { 8, 1, 5, "real 5 padded to 8, onesided" },
		{ 7, 0, 7, "real 5 padded to 7" }, { 1, 0, 1, "real 5 cut to 1" },
	};
	for (size_t c = 0; c < sizeof(real) / sizeof(real[0]); c++) {
		struct dft_spec s = { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), real[c].len ? CELLA_ONNX_INT64 : 0,
				      0, real[c].len, 0, 0, -1, real[c].onesided };
		int64_t n = real[c].len ? real[c].len : 5;
		CT_RESULT(dft_run(&s, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 3 && out.dims[0] == 1 && out.dims[1] == real[c].nout && out.dims[2] == 2);
		dft_ref(xin, 5, 1, n, 0, real[c].nout, want);
		expect_close(&out, want, (size_t)(2 * real[c].nout), 1e-6, real[c].what);
		cella_onnx_model_free(m);
	}
	/* complex x of 8 (the radix-2 path) forward and inverse (scaled by 1/8), float and double, int32 dft_length 6 */
	for (int i = 0; i < 16; i++)
		xin[i] = c8[i];
	for (int inv = 0; inv < 2; inv++) {
		struct dft_spec s = { 17, CELLA_ONNX_FLOAT, 3, { 1, 8, 2 }, c8, sizeof(c8), 0, 0, 0, 0, 0, inv, -1 };
		CT_RESULT(dft_run(&s, &m, &out), CELLA_OK);
		dft_ref(xin, 8, 1, 8, inv, 8, want);
		expect_close(&out, want, 16, 1e-6, inv ? "complex 8 inverse" : "complex 8");
		cella_onnx_model_free(m);
		s.lt = CELLA_ONNX_INT32;
		s.len = 6;
		CT_RESULT(dft_run(&s, &m, &out), CELLA_OK);
		CT_ASSERT(out.dims[1] == 6);
		dft_ref(xin, 8, 1, 6, inv, 6, want);
		expect_close(&out, want, 12, 1e-6, inv ? "complex 8 cut to 6, inverse" : "complex 8 cut to 6");
		cella_onnx_model_free(m);
	}
	{
		double d8[8];
		for (int i = 0; i < 8; i++)
			d8[i] = c8[i] + 1e-9 * i;
		struct dft_spec s = { 17, CELLA_ONNX_DOUBLE, 3, { 1, 4, 2 }, d8, sizeof(d8), 0, 0, 0, 0, 0, 1, 0 };
		CT_RESULT(dft_run(&s, &m, &out), CELLA_OK);
		CT_ASSERT(out.dtype == CELLA_ONNX_DOUBLE);
		dft_ref(d8, 4, 1, 4, 1, 4, want);
		expect_close(&out, want, 8, 1e-14, "double complex 4 inverse");
		cella_onnx_model_free(m);
	}
	/* opset 20 over [2, 3, 2, 1]: the default axis -2 transforms the 2 values of each pair; axis input 1 the 3
	 * values of each column; an axis attribute is not DFT-20's and is ignored */
	{
		static const float x12[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
		double z[24];
		for (int i = 0; i < 12; i++) {
			z[2 * i] = x12[i];
			z[2 * i + 1] = 0;
		}
		struct dft_spec s = { 20, CELLA_ONNX_FLOAT, 4, { 2, 3, 2, 1 }, x12, sizeof(x12), 0, 0, 0, 0, 0, -1, -1 };
		CT_RESULT(dft_run(&s, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 4 && out.dims[1] == 3 && out.dims[2] == 2 && out.dims[3] == 2);
		for (int pr = 0; pr < 6; pr++)
			dft_ref(z + 4 * pr, 2, 1, 2, 0, 2, want + 4 * pr);
		expect_close(&out, want, 24, 1e-6, "opset 20, default axis -2");
		cella_onnx_model_free(m);
		s.has_axis = 1;
		s.axis = 1;
		CT_RESULT(dft_run(&s, &m, &out), CELLA_OK);
		double col[6];
		for (int bt = 0; bt < 2; bt++)
			for (int i = 0; i < 2; i++) {
				dft_ref(z + 2 * (bt * 6 + i), 3, 2, 3, 0, 3, col);
				for (int k = 0; k < 3; k++) {
					want[2 * (bt * 6 + k * 2 + i)] = col[2 * k];
					want[2 * (bt * 6 + k * 2 + i) + 1] = col[2 * k + 1];
				}
			}
		expect_close(&out, want, 24, 1e-6, "opset 20, axis 1");
		cella_onnx_model_free(m);
	}
	/* refused, named */
	static const float x3[3] = { 1, 2, 3 }, i3[1] = { 0 };
	static const int32_t xi[2] = { 1, 2 };
	static const struct {
		struct dft_spec s;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), CELLA_ONNX_INT64, 0, 0, 0, 0, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "dft_length is 0, not positive" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), CELLA_ONNX_INT64, 0, -7, 0, 0, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "dft_length is -7, not positive" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), CELLA_ONNX_INT64, 0, (int64_t)1 << 62, 0, 0, -1, -1 },
		  CELLA_ERR_TOO_LARGE, "an output of 4611686018427387904 bins along axis 1 is over max_tensor_bytes" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), CELLA_ONNX_DOUBLE, 0, 4, 0, 0, -1, -1 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "dft_length of type double (int32 or int64)" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), CELLA_ONNX_INT64, 2, 4, 0, 0, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "dft_length of rank 2 and 1 elements, not a scalar" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), 0, 0, 0, 1, 2, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "axis 2 is out of range for input of rank 3 ([-3, -2] or [0, 1])" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), 0, 0, 0, 1, -1, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "axis -1 is out of range" },
		{ { 20, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), 0, 0, 0, 1, -4, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "axis -4 is out of range" },
		{ { 17, CELLA_ONNX_FLOAT, 2, { 1, 3 }, x3, sizeof(x3), 0, 0, 0, 1, 0, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "input's last dim is 3, not 1 (real) or 2 (complex)" },
		{ { 17, CELLA_ONNX_FLOAT, 1, { 1 }, i3, sizeof(i3), 0, 0, 0, 1, 0, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "input of rank 1: needs at least 2" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 8, 2 }, c8, sizeof(c8), 0, 0, 0, 0, 0, -1, 1 },
		  CELLA_ERR_MODEL_SHAPE, "onesided needs a real input (last dim 1), the input is complex" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), 0, 0, 0, 0, 0, 2, -1 },
		  CELLA_ERR_MODEL, "attribute 'inverse' is 2, not 0 or 1" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), 0, 0, 0, 0, 0, -1, 5 },
		  CELLA_ERR_MODEL, "attribute 'onesided' is 5, not 0 or 1" },
		{ { 17, CELLA_ONNX_INT32, 2, { 2, 1 }, xi, sizeof(xi), 0, 0, 0, 0, 0, -1, -1 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "input of type int32 is not supported (float or double)" },
		{ { 17, CELLA_ONNX_FLOAT, 3, { 1, 0, 1 }, NULL, 0, 0, 0, 0, 0, 0, -1, -1 },
		  CELLA_ERR_MODEL_SHAPE, "the input's axis 1 has no elements (and no dft_length)" },
		{ { 16, CELLA_ONNX_FLOAT, 3, { 1, 5, 1 }, x5, sizeof(x5), 0, 0, 0, 0, 0, -1, -1 },
		  CELLA_ERR_MODEL_UNSUPPORTED, "DFT" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = dft_run(&bad[i].s, &m, &out);
		if (r != bad[i].r || !strstr(last_log, bad[i].msg) || (bad[i].s.opset >= 17 && !strstr(last_log, "(DFT)")))
			cella_test_fail(__FILE__, __LINE__, "DFT case %zu: %s, '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("DFT: real and complex, lengths 1 to 8 (Bluestein and radix 2), padded and cut, onesided, inverse "
			"1/n, double, opset-20 axis input; 16 refusals named");
}

/* ---- STFT: each frame windowed and transformed by the sums written out here ---- */

/* An STFT over constants: signal x [1, len, c] (float), frame_step (of type stt; a second element with st2), a window
 * of wn values (wt its type; 0: none; of rank 2 with wr2) and frame_length (fl < 0: none); onesided -1: absent. */
struct stft_spec {
	int64_t len, c;
	const float *xv;
	int stt, st2;
	int64_t step;
	int wt, wr2;
	int64_t wn;
	const float *wv;
	int64_t fl, onesided;
};

static cella_result stft_run(const struct stft_spec *s, struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static struct mb b;
	const int64_t xd[3] = { 1, s->len, s->c }, wd[2] = { 1, s->wn }, sd[1] = { 2 };
	const char *ins[5] = { "x", "step", s->wt ? "w" : "", s->fl >= 0 ? "fl" : NULL, NULL };
	double wdbl[8], sdbl = (double)s->step;
	int64_t steps[2] = { s->step, s->step };
	mb_init(&b, 17);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "x", CELLA_ONNX_FLOAT, 3, xd, s->xv, (size_t)(s->len * s->c) * 4);
	int32_t s32 = (int32_t)s->step;
	gb_const(&b.g, "step", s->stt, s->st2, sd, s->stt == CELLA_ONNX_DOUBLE ? (const void *)&sdbl :
		 s->stt == CELLA_ONNX_INT32 ? (const void *)&s32 : (const void *)steps,
		 s->stt == CELLA_ONNX_INT32 ? 4 : s->st2 ? 16 : 8);
	if (s->wt) {
		for (int64_t i = 0; i < s->wn && i < 8; i++)
			wdbl[i] = s->wv[i];
		gb_const(&b.g, "w", s->wt, s->wr2 ? 2 : 1, s->wr2 ? wd : wd + 1,
			 s->wt == CELLA_ONNX_DOUBLE ? (const void *)wdbl : (const void *)s->wv,
			 (size_t)s->wn * (s->wt == CELLA_ONNX_DOUBLE ? 8 : 4));
	}
	if (s->fl >= 0)
		gb_const(&b.g, "fl", CELLA_ONNX_INT64, 0, NULL, &s->fl, 8);
	Onnx__NodeProto *n = gb_node(&b.g, "STFT", ins, Y);
	if (s->onesided >= 0)
		attr_i(&b.g, n, "onesided", s->onesided);
	*m = NULL;
	return load_run(&b, m, out);
}

static void test_stft(void)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	static const float x7[7] = { 1, -2, 3, 0.5f, -1, 4, 2 }, w4[4] = { 0.25f, 1, 0.5f, -1 };
	static const float z6[12] = { 1, 0, 2, -1, 0, 3, -1, -1, 0.5f, 2, 4, 0 };
	double fr[16], want[64];
	/* real signal of 7, frame_step 2: frame_length 4 from the input, the window, or both (1 + (7 - 4) / 2 = 2
	 * frames: none runs past the end), onesided (3 bins) and not; the whole signal without either */
	static const struct { int w, fl, onesided; int64_t frames, n, bins; const char *what; } real[] = {
		{ 0, 4, -1, 2, 4, 3, "frame_length 4" }, { 1, -1, -1, 2, 4, 3, "window of 4" },
		{ 1, 4, 0, 2, 4, 4, "window and frame_length, two-sided" }, { 0, -1, 1, 1, 7, 4, "whole signal" },
		{ 0, 3, 0, 3, 3, 3, "frame_length 3 (Bluestein)" },
	};
	for (size_t c = 0; c < sizeof(real) / sizeof(real[0]); c++) {
		struct stft_spec s = { 7, 1, x7, CELLA_ONNX_INT64, 0, 2, real[c].w ? CELLA_ONNX_FLOAT : 0, 0, 4, w4,
				       real[c].fl, real[c].onesided };
		CT_RESULT(stft_run(&s, &m, &out), CELLA_OK);
		CT_ASSERT(out.rank == 4 && out.dims[0] == 1 && out.dims[1] == real[c].frames && out.dims[2] == real[c].bins &&
			  out.dims[3] == 2);
		for (int64_t f = 0; f < real[c].frames; f++) {
			for (int64_t j = 0; j < real[c].n; j++) {
				fr[2 * j] = x7[f * 2 + j] * (real[c].w ? w4[j] : 1);
				fr[2 * j + 1] = 0;
			}
			dft_ref(fr, real[c].n, 1, real[c].n, 0, real[c].bins, want + 2 * f * real[c].bins);
		}
		expect_close(&out, want, (size_t)(2 * real[c].frames * real[c].bins), 1e-6, real[c].what);
		cella_onnx_model_free(m);
	}
	/* complex signal of 6, frame_step 1, window of 4 (two-sided only): 3 frames of 4 bins */
	{
		struct stft_spec s = { 6, 2, z6, CELLA_ONNX_INT32, 0, 1, CELLA_ONNX_FLOAT, 0, 4, w4, -1, 0 };
		CT_RESULT(stft_run(&s, &m, &out), CELLA_OK);
		CT_ASSERT(out.dims[1] == 3 && out.dims[2] == 4);
		for (int64_t f = 0; f < 3; f++) {
			for (int64_t j = 0; j < 4; j++) {
				fr[2 * j] = z6[2 * (f + j)] * w4[j];
				fr[2 * j + 1] = z6[2 * (f + j) + 1] * w4[j];
			}
			dft_ref(fr, 4, 1, 4, 0, 4, want + 8 * f);
		}
		expect_close(&out, want, 24, 1e-6, "complex, window");
		cella_onnx_model_free(m);
	}
	/* refused, named */
	static const struct {
		struct stft_spec s;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, 0, 0, 0, 4, w4, 4, -1 }, CELLA_ERR_MODEL_SHAPE, "frame_step is 0, not positive" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, -3, 0, 0, 4, w4, 4, -1 }, CELLA_ERR_MODEL_SHAPE,
		  "frame_step is -3, not positive" },
		{ { 7, 1, x7, CELLA_ONNX_DOUBLE, 0, 2, 0, 0, 4, w4, 4, -1 }, CELLA_ERR_MODEL_UNSUPPORTED,
		  "frame_step of type double (int32 or int64)" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 1, 2, 0, 0, 4, w4, 4, -1 }, CELLA_ERR_MODEL_SHAPE,
		  "frame_step of rank 1 and 2 elements, not a scalar" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, 2, 0, 0, 4, w4, 8, -1 }, CELLA_ERR_MODEL_SHAPE,
		  "frame length 8 is longer than the signal (7)" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, 2, 0, 0, 4, w4, 0, -1 }, CELLA_ERR_MODEL_SHAPE, "frame length 0, not positive" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, 2, CELLA_ONNX_FLOAT, 0, 4, w4, 3, -1 }, CELLA_ERR_MODEL_SHAPE,
		  "window of 4 values for frame_length 3" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, 2, CELLA_ONNX_FLOAT, 1, 4, w4, -1, -1 }, CELLA_ERR_MODEL_SHAPE,
		  "window of rank 2, not 1" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, 2, CELLA_ONNX_DOUBLE, 0, 4, w4, -1, -1 }, CELLA_ERR_MODEL,
		  "window of type double for a signal of type float" },
		{ { 6, 2, z6, CELLA_ONNX_INT64, 0, 1, 0, 0, 4, w4, 4, -1 }, CELLA_ERR_MODEL_SHAPE,
		  "onesided needs a real signal (last dim 1), the signal is complex" },
		{ { 4, 3, z6, CELLA_ONNX_INT64, 0, 1, 0, 0, 4, w4, 4, 0 }, CELLA_ERR_MODEL_SHAPE,
		  "signal's last dim is 3, not 1 (real) or 2 (complex)" },
		{ { 7, 1, x7, CELLA_ONNX_INT64, 0, 2, 0, 0, 4, w4, 4, 2 }, CELLA_ERR_MODEL, "attribute 'onesided' is 2, not 0 or 1" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = stft_run(&bad[i].s, &m, &out);
		if (r != bad[i].r || !strstr(last_log, bad[i].msg) || !strstr(last_log, "(STFT)"))
			cella_test_fail(__FILE__, __LINE__, "STFT case %zu: %s, '%s'", i, cella_result_name(r), last_log);
		cella_onnx_model_free(m);
	}
	/* a signal of rank 2 */
	{
		struct mb b;
		static const int64_t xd[2] = { 1, 4 }, one = 1;
		static const char *const ins[] = { "x", "step", NULL };
		mb_init(&b, 17);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "x", CELLA_ONNX_FLOAT, 2, xd, x7, 16);
		gb_const(&b.g, "step", CELLA_ONNX_INT64, 0, NULL, &one, 8);
		gb_node(&b.g, "STFT", ins, Y);
		CT_RESULT(load_run(&b, &m, &out), CELLA_ERR_MODEL_SHAPE);
		CT_ASSERT(strstr(last_log, "signal of rank 2: needs at least 3") != NULL);
		cella_onnx_model_free(m);
	}
	cella_test_pass("STFT: frame length from frame_length, the window or the signal, onesided and two-sided, complex "
			"with a window; 13 refusals named");
}

/* ---- MelWeightMatrix: the reference's bins worked out by hand, the triangles over them evaluated here ---- */

/* MelWeightMatrix over constants: the three ints of type it (rank ir), the edges of type et; odt 0: absent. */
static cella_result mel_run(int it, int ir, int64_t mels, int64_t dft, int64_t rate, int et, double lo, double hi,
			    int64_t odt, struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const int64_t two[1] = { 2 };
	static const char *const ins[] = { "mels", "dft", "rate", "lo", "hi", NULL };
	static struct mb b;
	const char *names[3] = { "mels", "dft", "rate" };
	int64_t iv[3] = { mels, dft, rate };
	mb_init(&b, 17);
	gb_io(&b.g, 1, "y", odt > 0 && odt <= CELLA_ONNX_UINT64 ? (int)odt : CELLA_ONNX_FLOAT, -1, NULL);
	for (int i = 0; i < 3; i++) {
		int64_t v2[2] = { iv[i], iv[i] };
		int32_t v32 = (int32_t)iv[i];
		float vf = (float)iv[i];
		gb_const(&b.g, names[i], it, ir, two, it == CELLA_ONNX_INT32 ? (const void *)&v32 : it == CELLA_ONNX_FLOAT ?
			 (const void *)&vf : (const void *)v2, it == CELLA_ONNX_INT64 ? (ir ? 16 : 8) : 4);
	}
	double e[2] = { lo, hi };
	for (int i = 0; i < 2; i++) {
		float f = (float)e[i];
		int64_t iv64 = isfinite(e[i]) ? (int64_t)e[i] : 0;
		int t = i == 1 && et < 0 ? CELLA_ONNX_DOUBLE : et < 0 ? CELLA_ONNX_FLOAT : et;
		gb_const(&b.g, i ? "hi" : "lo", t, 0, NULL, t == CELLA_ONNX_FLOAT ? (const void *)&f :
			 t == CELLA_ONNX_DOUBLE ? (const void *)&e[i] : (const void *)&iv64, t == CELLA_ONNX_FLOAT ? 4 : 8);
	}
	Onnx__NodeProto *n = gb_node(&b.g, "MelWeightMatrix", ins, Y);
	if (odt)
		attr_i(&b.g, n, "output_datatype", odt);
	*m = NULL;
	return load_run(&b, m, out);
}

/* The reference's triangles over points pt[0 .. mels + 1] (spectrogram bins): band i rises over rows pt[i] ..
 * pt[i + 1] (a peak of 1 at pt[i + 1] when they are equal) and falls over rows pt[i + 1] .. pt[i + 2] - 1. */
static void mel_want(const int64_t *pt, int64_t mels, int64_t rows, double *w)
{
	memset(w, 0, (size_t)(rows * mels) * sizeof(double));
	for (int64_t i = 0; i < mels; i++) {
		int64_t a = pt[i], c = pt[i + 1], e = pt[i + 2];
		if (a == c)
			w[c * mels + i] = 1;
		for (int64_t j = a; j <= c && a != c; j++)
			w[j * mels + i] = (double)(j - a) / (double)(c - a);
		for (int64_t j = c; j < e; j++)
			w[j * mels + i] = (double)(e - j) / (double)(e - c);
	}
}

static void test_mel_weight_matrix(void)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	double want[66];
	/* 2 bands, dft 64 (33 rows), 8 kHz, 0 to 4000 Hz: mel(4000) = 2146.06 over 4 steps of 536.5 gives points
	 * 0, 426.8, 1113.8, 2219.8 Hz, at 65 f / 8000 = 0, 3.47, 9.05, 18.04: bins 0, 3, 9, 18 */
	static const int64_t pa[4] = { 0, 3, 9, 18 };
	CT_RESULT(mel_run(CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, &m, &out), CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_FLOAT && out.rank == 2 && out.dims[0] == 33 && out.dims[1] == 2);
	mel_want(pa, 2, 33, want);
	expect_close(&out, want, 66, 1e-7, "2 bands of dft 64");
	cella_onnx_model_free(m);
	/* as float16: the same triangles, each value rounded to float16 (conversions checked in half_convert) */
	CT_RESULT(mel_run(CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, CELLA_ONNX_FLOAT16, &m, &out),
		  CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_FLOAT16 && out.bytes == 66 * 2);
	for (int i = 0; i < 66; i++)
		CT_EQ(((const uint16_t *)out.data)[i], cella_onnx_float_to_half((float)want[i], CELLA_ONNX_FLOAT16));
	cella_onnx_model_free(m);
	/* as int32 (int32 inputs), the fractions truncate to 0 and each peak stays 1; as double (double edges) exact */
	CT_RESULT(mel_run(CELLA_ONNX_INT32, 0, 2, 64, 8000, CELLA_ONNX_DOUBLE, 0, 4000, CELLA_ONNX_INT32, &m, &out),
		  CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_INT32 && out.bytes == 66 * 4);
	for (int64_t j = 0; j < 33; j++)
		for (int i = 0; i < 2; i++)
			CT_EQ(((const int32_t *)out.data)[j * 2 + i], j == pa[i + 1]);
	cella_onnx_model_free(m);
	/* 3 bands, dft 20 (11 rows), 16 kHz, 300 to 8000 Hz (upper at Nyquist): points 300, 841.4, 1675.8, 2961.9,
	 * 4944.4 Hz at 21 f / 16000 = 0.39, 1.10, 2.20, 3.89, 6.49: bins 0, 1, 2, 3, 6 */
	static const int64_t pb[5] = { 0, 1, 2, 3, 6 };
	CT_RESULT(mel_run(CELLA_ONNX_INT64, 0, 3, 20, 16000, CELLA_ONNX_FLOAT, 300, 8000, CELLA_ONNX_DOUBLE, &m, &out),
		  CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_DOUBLE && out.dims[0] == 11 && out.dims[1] == 3);
	mel_want(pb, 3, 11, want);
	expect_close(&out, want, 33, 0, "3 bands from 300 Hz");
	cella_onnx_model_free(m);
	/* dft 8 (5 rows): points at 9 f / 8000 = 0, 0.48, 1.25, 2.50: bins 0, 0, 1, 2, band 0 a peak at row 0 */
	static const int64_t pc[4] = { 0, 0, 1, 2 };
	CT_RESULT(mel_run(CELLA_ONNX_INT64, 1, 2, 8, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, &m, &out), CELLA_ERR_MODEL_SHAPE);
	cella_onnx_model_free(m);
	CT_RESULT(mel_run(CELLA_ONNX_INT64, 0, 2, 8, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, &m, &out), CELLA_OK);
	mel_want(pc, 2, 5, want);
	expect_close(&out, want, 10, 0, "a band of no rising side");
	cella_onnx_model_free(m);
	/* refused, named */
	static const struct {
		int it, ir;
		int64_t mels, dft, rate;
		int et;
		double lo, hi;
		int64_t odt;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ CELLA_ONNX_INT64, 0, 0, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, CELLA_ERR_MODEL_SHAPE,
		  "num_mel_bins is 0, not positive" },
		{ CELLA_ONNX_INT64, 0, -2, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, CELLA_ERR_MODEL_SHAPE,
		  "num_mel_bins is -2, not positive" },
		{ CELLA_ONNX_INT64, 0, (int64_t)1 << 40, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, CELLA_ERR_TOO_LARGE,
		  "a matrix of 33 x 1099511627776 is over max_tensor_bytes" },
		{ CELLA_ONNX_INT64, 0, 2, 0, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, CELLA_ERR_MODEL_SHAPE,
		  "dft_length is 0, not positive" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 0, CELLA_ONNX_FLOAT, 0, 4000, 0, CELLA_ERR_MODEL, "sample_rate is 0, not positive" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 3000, 2000, 0, CELLA_ERR_MODEL,
		  "edges 3000 and 2000 hertz: needs 0 <= lower <= upper, finite" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, -10, 2000, 0, CELLA_ERR_MODEL, "edges -10 and 2000" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 0, NAN, 0, CELLA_ERR_MODEL, "edges 0 and nan" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 0, 16000, 0, CELLA_ERR_MODEL,
		  "upper_edge_hertz 16000 puts the last band's points at bins 22 and 55, beyond the 33 bins of dft_length 64 "
		  "at sample_rate 8000" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, 999, CELLA_ERR_MODEL,
		  "attribute 'output_datatype' is 999, not an element type" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, CELLA_ONNX_BOOL, CELLA_ERR_MODEL_UNSUPPORTED,
		  "attribute 'output_datatype' is bool (9), not supported" },
		{ CELLA_ONNX_FLOAT, 0, 2, 64, 8000, CELLA_ONNX_FLOAT, 0, 4000, 0, CELLA_ERR_MODEL_UNSUPPORTED,
		  "num_mel_bins of type float (int32 or int64)" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, CELLA_ONNX_INT64, 0, 4000, 0, CELLA_ERR_MODEL_UNSUPPORTED,
		  "lower_edge_hertz of type int64 (float or double)" },
		{ CELLA_ONNX_INT64, 0, 2, 64, 8000, -1, 0, 4000, 0, CELLA_ERR_MODEL,
		  "upper_edge_hertz of type double, lower_edge_hertz of type float" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = mel_run(bad[i].it, bad[i].ir, bad[i].mels, bad[i].dft, bad[i].rate, bad[i].et, bad[i].lo,
					 bad[i].hi, bad[i].odt, &m, &out);
		if (r != bad[i].r || !strstr(last_log, bad[i].msg) || !strstr(last_log, "(MelWeightMatrix) at load"))
			cella_test_fail(__FILE__, __LINE__, "MelWeightMatrix case %zu: %s, '%s'", i, cella_result_name(r),
					last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("MelWeightMatrix: the reference's bins and triangles (a band of no rising side), int32 and double "
			"outputs; 15 refusals named");
}

/* ---- TfIdfVectorizer: n-gram counts worked out by hand from the spec ---- */

#define TF_ABSENT INT64_MIN /* an int attribute left out */

/* A TfIdfVectorizer node's attributes: NULL lists and TF_ABSENT values are left out. */
struct tfc {
	const char *mode;
	int64_t min, max, skip;
	const int64_t *counts, *idx, *pool;
	size_t nc, ni, np;
	const float *w;
	size_t nw;
	int w_ints;  /* weights given as an INTS attribute (the wrong type) */
	int strings; /* pool_strings given too */
};

/* The attributes of c on node n of b. */
static void tfidf_attrs(struct gb *b, Onnx__NodeProto *n, const struct tfc *c)
{
	static ProtobufCBinaryData words[2] = { { 2, (uint8_t *)"ab" }, { 2, (uint8_t *)"cd" } };
	static const int64_t wi[2] = { 1, 2 };
	if (c->mode)
		attr_s(b, n, "mode", c->mode);
	if (c->min != TF_ABSENT)
		attr_i(b, n, "min_gram_length", c->min);
	if (c->max != TF_ABSENT)
		attr_i(b, n, "max_gram_length", c->max);
	if (c->skip != TF_ABSENT)
		attr_i(b, n, "max_skip_count", c->skip);
	if (c->counts)
		attr_ints(b, n, "ngram_counts", c->counts, c->nc);
	if (c->idx)
		attr_ints(b, n, "ngram_indexes", c->idx, c->ni);
	if (c->pool)
		attr_ints(b, n, "pool_int64s", c->pool, c->np);
	if (c->w) {
		Onnx__AttributeProto *a = gb_attr(b, n, "weights", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
		a->n_floats = c->nw;
		a->floats = (float *)c->w;
	}
	if (c->w_ints)
		attr_ints(b, n, "weights", wi, 2);
	if (c->strings) {
		Onnx__AttributeProto *a = gb_attr(b, n, "pool_strings", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
		a->n_strings = 2;
		a->strings = words;
	}
}

/* Loads TfIdfVectorizer (at opset) over the graph input x, declared with dims (or dynamic ones of its rank), and
 * runs it on x's data: the load's or the run's result, out valid until *m is freed. */
static cella_result tfidf_run(const struct tfc *c, int64_t opset, const struct vten *x, int dynamic,
			      struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static const char *const ins[] = { "x", NULL };
	struct mb b;
	struct vten decl = *x;
	for (int d = 0; dynamic && d < x->rank; d++)
		decl.dims[d] = -1;
	tfidf_attrs(&b.g, vis_model(&b, opset, "TfIdfVectorizer", ins, &decl, 1, NULL, 0, CELLA_ONNX_FLOAT), c);
	return vis_run(&b, x, 1, m, out);
}

/* out must be float of the given rank and dims, holding want exactly. */
static void tfidf_expect(const char *what, const struct cella_onnx_tensor *out, int rank, const int64_t *dims,
			 const float *want)
{
	size_t n = 1;
	int ok = out->dtype == CELLA_ONNX_FLOAT && (int)out->rank == rank;
	for (int d = 0; ok && d < rank; d++) {
		ok = out->dims[d] == dims[d];
		n *= (size_t)dims[d];
	}
	if (!ok || out->bytes != n * sizeof(float) || (n && memcmp(out->data, want, n * sizeof(float)) != 0)) {
		char got[256] = "";
		for (size_t i = 0; ok && i < n && strlen(got) < 200; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), " %g", (double)((const float *)out->data)[i]);
		cella_test_fail(__FILE__, __LINE__, "%s: type %d, rank %u, dims %lld %lld, got%s", what, (int)out->dtype,
				out->rank, (long long)out->dims[0], (long long)out->dims[1], got);
	}
}

/* Runs c over x (opset 9; dynamic: x declared with dynamic dims) and checks the output against want. */
static void tfidf_check(const char *what, const struct tfc *c, const struct vten *x, int dynamic, int rank,
			const int64_t *dims, const float *want)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	cella_result r = tfidf_run(c, 9, x, dynamic, &m, &out);
	if (r != CELLA_OK)
		cella_test_fail(__FILE__, __LINE__, "%s: %s, '%s'", what, cella_result_name(r), last_log);
	else
		tfidf_expect(what, &out, rank, dims, want);
	cella_onnx_model_free(m);
}

static void test_tfidf_vectorizer(void)
{
	/* the pool of most cases: 1-grams 1, 2, 3 then 2-grams (1 2), (2 3), (3 1); n-grams 0 .. 5 */
	static const int64_t pool[9] = { 1, 2, 3, 1, 2, 2, 3, 3, 1 }, c03[2] = { 0, 3 }, id6[6] = { 0, 1, 2, 3, 4, 5 };
	static const int64_t rev6[6] = { 5, 4, 3, 2, 1, 0 };
	static const float w6[6] = { 0.5f, 1, 2, 4, 8, 16 };
	/* x = 1 2 3 1 2 2: 1-grams 1 twice, 2 three times, 3 once; adjacent pairs (1 2) (2 3) (3 1) (1 2) (2 2), so
	 * (1 2) twice, (2 3) and (3 1) once; with one token skipped (1 3) (2 1) (3 2) (1 2): (1 2) once more */
	static const int64_t x6[6] = { 1, 2, 3, 1, 2, 2 }, d6[1] = { 6 };
	const struct vten x1 = { "x", CELLA_ONNX_INT64, 1, { 6 }, x6, sizeof(x6) };
	struct tfc base = { "TF", 1, 2, 0, c03, id6, pool, 2, 6, 9, NULL, 0, 0, 0 };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	struct tfc c;

	/* TF, 1-grams and 2-grams, no skip; the same model run again on x's first 3 tokens (1 2 3: each 1-gram once,
	 * (1 2) and (2 3) once) */
	{
		static const float want[6] = { 2, 3, 1, 2, 1, 1 }, want3[6] = { 1, 1, 1, 1, 1, 0 };
		const struct vten x3 = { "x", CELLA_ONNX_INT64, 1, { 3 }, x6, 3 * sizeof(int64_t) };
		CT_RESULT(tfidf_run(&base, 9, &x1, 1, &m, &out), CELLA_OK);
		tfidf_expect("TF 1-D", &out, 1, d6, want);
		struct cella_onnx_tensor in = { .dtype = CELLA_ONNX_INT64, .rank = 1, .dims = { 3 }, .data = (void *)x3.data,
						.bytes = x3.bytes };
		CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
		tfidf_expect("TF 1-D, a second run", &out, 1, d6, want3);
		cella_onnx_model_free(m);
	}
	/* 2-grams only, skips up to 1: (1 2) 2 + 1, (2 3) 1, (3 1) 1; the 1-grams, outside the lengths, count 0 */
	{
		static const float want[6] = { 0, 0, 0, 3, 1, 1 };
		c = base;
		c.min = 2;
		c.skip = 1;
		tfidf_check("2-grams, skip 1", &c, &x1, 0, 1, d6, want);
	}
	/* 1-grams and 2-grams, skips up to 1, then up to 9: the 1-grams counted once, not once per skip; the pairs with
	 * 2 tokens skipped are (1 1) (2 2) (3 2), with 3 (1 2) (2 2), with 4 (1 2), none with more in 6 tokens: (1 2)
	 * 2 + 1 + 1 + 1 */
	{
		static const float want[6] = { 2, 3, 1, 3, 1, 1 }, want9[6] = { 2, 3, 1, 5, 1, 1 };
		c = base;
		c.skip = 1;
		tfidf_check("1- and 2-grams, skip 1", &c, &x1, 0, 1, d6, want);
		c.skip = 9;
		tfidf_check("1- and 2-grams, skip 9", &c, &x1, 1, 1, d6, want9);
	}
	/* the same counts from a constant x, folded at load */
	{
		static const float want[6] = { 2, 3, 1, 2, 1, 1 };
		static const char *const ins[] = { "c0", NULL };
		const struct vten cx = { "c0", CELLA_ONNX_INT64, 1, { 6 }, x6, sizeof(x6) };
		struct mb b;
		tfidf_attrs(&b.g, vis_model(&b, 9, "TfIdfVectorizer", ins, NULL, 0, &cx, 1, CELLA_ONNX_FLOAT), &base);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		tfidf_expect("TF of a constant", &out, 1, d6, want);
		cella_onnx_model_free(m);
	}
	/* 2-D: rows 1 2 3 1 2 2 and 3 3 9 9 9 9 (9 in no n-gram: 3 twice, nothing else), n-gram i at coordinate
	 * 5 - i, weighing w6[i]: TF puts the counts 2 3 1 2 1 1 backwards; IDF puts w6[i] for each n-gram found;
	 * TFIDF w6[i] times its count (1, 3, 2, 8, 8, 16 backwards; row 1: 2 * 2 at coordinate 3) */
	{
		static const int64_t x12[12] = { 1, 2, 3, 1, 2, 2, 3, 3, 9, 9, 9, 9 }, d26[2] = { 2, 6 };
		static const float want[3][12] = { { 1, 1, 2, 1, 3, 2, 0, 0, 0, 2, 0, 0 },
						   { 16, 8, 4, 2, 1, 0.5f, 0, 0, 0, 2, 0, 0 },
						   { 16, 8, 8, 2, 3, 1, 0, 0, 0, 4, 0, 0 } };
		static const char *const modes[3] = { "TF", "IDF", "TFIDF" };
		const struct vten x2 = { "x", CELLA_ONNX_INT64, 2, { 2, 6 }, x12, sizeof(x12) };
		for (int k = 0; k < 3; k++) {
			c = base;
			c.mode = modes[k];
			c.idx = rev6;
			c.w = w6;
			c.nw = 6;
			tfidf_check(modes[k], &c, &x2, k == 1, 2, d26, want[k]);
		}
	}
	/* int32 tokens, 1-grams only, coordinates with gaps (7 at 4, 8 at 1: a row of 5), IDF without weights (1 for
	 * each n-gram found): rows 7 7 8 and 8 8 8 */
	{
		static const int32_t x6i[6] = { 7, 7, 8, 8, 8, 8 };
		static const int64_t p2[2] = { 7, 8 }, c0[1] = { 0 }, i41[2] = { 4, 1 }, d25[2] = { 2, 5 };
		static const float want[10] = { 0, 1, 0, 0, 1, 0, 1, 0, 0, 0 };
		const struct vten xi = { "x", CELLA_ONNX_INT32, 2, { 2, 3 }, x6i, sizeof(x6i) };
		struct tfc u = { "IDF", 1, 1, 3, c0, i41, p2, 1, 2, 2, NULL, 0, 0, 0 };
		tfidf_check("int32, IDF without weights", &u, &xi, 0, 2, d25, want);
	}
	/* the spec's example of skips, 94 17 36 12 28: with no skip its 2-grams are (94 17) (17 36) (36 12) (12 28),
	 * with 2 skips (94 12) and (17 28); a pool of (94 12) (17 28) (17 36) finds (17 36) only, then all three */
	{
		static const int64_t xs[5] = { 94, 17, 36, 12, 28 }, ps[6] = { 94, 12, 17, 28, 17, 36 }, c00[2] = { 0, 0 };
		static const int64_t d3[1] = { 3 };
		static const float want0[3] = { 0, 0, 1 }, want2[3] = { 1, 1, 1 };
		const struct vten xv = { "x", CELLA_ONNX_INT64, 1, { 5 }, xs, sizeof(xs) };
		struct tfc s = { "TF", 2, 2, 0, c00, id6, ps, 2, 3, 6, NULL, 0, 0, 0 };
		tfidf_check("spec example, no skip", &s, &xv, 0, 1, d3, want0);
		s.skip = 2;
		tfidf_check("spec example, 2 skips", &s, &xv, 0, 1, d3, want2);
	}
	/* a 3-gram with skips: pool 1-gram 5, no 2-grams, 3-gram (1 2 3); x = 1 5 2 1 3 2 5 3 holds (1 2 3) at
	 * positions 0 2 4 and 3 5 7 (one token skipped between each), never with none or two skipped; the 1-gram 5
	 * twice, counted once whatever the skips */
	{
		static const int64_t x8[8] = { 1, 5, 2, 1, 3, 2, 5, 3 }, p4[4] = { 5, 1, 2, 3 }, c011[3] = { 0, 1, 1 };
		static const int64_t d2[1] = { 2 };
		static const float want[2] = { 2, 2 }, want0[2] = { 2, 0 };
		const struct vten xv = { "x", CELLA_ONNX_INT64, 1, { 8 }, x8, sizeof(x8) };
		struct tfc t = { "TF", 1, 3, 2, c011, id6, p4, 3, 2, 4, NULL, 0, 0, 0 };
		tfidf_check("3-grams, skip 2", &t, &xv, 1, 1, d2, want);
		t.skip = 0;
		tfidf_check("3-grams, no skip", &t, &xv, 1, 1, d2, want0);
	}
	/* no tokens: a row of zeros; no rows: [0, 6] */
	{
		static const float zero[6] = { 0 };
		static const int64_t d06[2] = { 0, 6 };
		const struct vten e1 = { "x", CELLA_ONNX_INT64, 1, { 0 }, x6, 0 }, e2 = { "x", CELLA_ONNX_INT64, 2, { 0, 4 }, x6, 0 };
		tfidf_check("no tokens", &base, &e1, 1, 1, d6, zero);
		tfidf_check("no rows", &base, &e2, 0, 2, d06, zero);
	}
	cella_test_pass("TfIdfVectorizer: TF/IDF/TFIDF counts worked out by hand (1-D, 2-D, int32, skips, 3-grams, "
			"weights and coordinates per n-gram, a folded constant, empty input)");
}

/* Each malformed attribute refused at load, named, whether x's dims are declared or dynamic; input types and ranks
 * refused. */
static void test_tfidf_refused(void)
{
	static const int64_t pool[9] = { 1, 2, 3, 1, 2, 2, 3, 3, 1 }, c03[2] = { 0, 3 }, id6[6] = { 0, 1, 2, 3, 4, 5 };
	static const int64_t c13[2] = { 1, 3 }, c042[3] = { 0, 4, 2 }, c012[2] = { 0, 12 }, c02[2] = { 0, 2 };
	static const int64_t neg[6] = { 0, 1, -1, 3, 4, 5 }, huge[6] = { 0, 1, 2, 3, 4, (int64_t)1 << 62 };
	static const int64_t top[6] = { 0, 1, 2, 3, 4, INT64_MAX }, c0[1] = { 0 };
	static const int64_t dup2[9] = { 1, 2, 3, 1, 2, 2, 3, 1, 2 }, dup1[9] = { 1, 2, 1, 1, 2, 2, 3, 3, 1 };
	static const float w2[2] = { 1, 2 };
	static const int64_t x6[6] = { 1, 2, 3, 1, 2, 2 };
	const struct vten x1 = { "x", CELLA_ONNX_INT64, 1, { 6 }, x6, sizeof(x6) };
	const struct tfc base = { "TF", 1, 2, 0, c03, id6, pool, 2, 6, 9, NULL, 0, 0, 0 };
	static const struct {
		cella_result r;
		const char *msg;
	} bad[] = {
		{ CELLA_ERR_MODEL, "attribute 'mode' is required" },
		{ CELLA_ERR_MODEL, "attribute 'mode' is 'tf', not TF, IDF or TFIDF" },
		{ CELLA_ERR_MODEL, "attribute 'min_gram_length' is required" },
		{ CELLA_ERR_MODEL, "attribute 'max_gram_length' is required" },
		{ CELLA_ERR_MODEL, "attribute 'max_skip_count' is required" },
		{ CELLA_ERR_MODEL, "attribute 'min_gram_length' is 0, not at least 1" },
		{ CELLA_ERR_MODEL, "attribute 'max_gram_length' is 1, below min_gram_length 2" },
		{ CELLA_ERR_MODEL, "attribute 'max_skip_count' is -1, negative" },
		{ CELLA_ERR_MODEL, "attribute 'ngram_counts' is required" },
		{ CELLA_ERR_MODEL, "attribute 'ngram_counts' starts at 1, not 0" },
		{ CELLA_ERR_MODEL, "attribute 'ngram_counts' falls from 4 to 2 (values 1 and 2)" },
		{ CELLA_ERR_MODEL, "attribute 'ngram_counts' holds 12 (value 1), outside the 9 values of pool_int64s" },
		{ CELLA_ERR_MODEL, "the 2-grams of pool_int64s (from value 2) are 7 values, not a multiple of 2" },
		{ CELLA_ERR_MODEL, "attribute 'ngram_indexes' has 5 values for the 6 n-grams of pool_int64s" },
		{ CELLA_ERR_MODEL, "attribute 'ngram_indexes' holds -1 (value 2), negative" },
		{ CELLA_ERR_MODEL, "attribute 'weights' has 2 values, ngram_indexes 6" },
		{ CELLA_ERR_MODEL, "attribute 'weights' has the wrong type" },
		{ CELLA_ERR_MODEL, "attribute 'pool_int64s' or 'pool_strings' is required" },
		{ CELLA_ERR_MODEL_UNSUPPORTED, "input of type int64 is not supported with pool_strings (string tokens)" },
		{ CELLA_ERR_MODEL, "both pool_int64s and pool_strings are given" },
		{ CELLA_ERR_MODEL, "pool_int64s holds one 2-gram twice (n-grams 3 and 5)" },
		{ CELLA_ERR_MODEL, "pool_int64s holds one 1-gram twice (n-grams 0 and 2)" },
		{ CELLA_ERR_TOO_LARGE, "a row of 4611686018427387905 values (max(ngram_indexes) + 1) is over max_tensor_bytes" },
		{ CELLA_ERR_TOO_LARGE, "a row of 9223372036854775807 values" },
	};
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (int dynamic = 0; dynamic < 2; dynamic++) {
			struct tfc c = base;
			switch (i) {
			case 0: c.mode = NULL; break;
			case 1: c.mode = "tf"; break;
			case 2: c.min = TF_ABSENT; break;
			case 3: c.max = TF_ABSENT; break;
			case 4: c.skip = TF_ABSENT; break;
			case 5: c.min = 0; break;
			case 6: c.min = 2, c.max = 1; break;
			case 7: c.skip = -1; break;
			case 8: c.counts = NULL; break;
			case 9: c.counts = c13; break;
			case 10: c.counts = c042, c.nc = 3; break;
			case 11: c.counts = c012; break;
			case 12: c.counts = c02; break;
			case 13: c.ni = 5; break;
			case 14: c.idx = neg; break;
			case 15: c.w = w2, c.nw = 2; break;
			case 16: c.w_ints = 1; break;
			case 17: c.pool = NULL; break;
			case 18: c.pool = NULL, c.strings = 1, c.counts = c0, c.nc = 1, c.ni = 2; break; /* "ab", "cd" */
			case 19: c.strings = 1; break;
			case 20: c.pool = dup2; break;
			case 21: c.pool = dup1; break;
			case 22: c.idx = huge; break;
			default: c.idx = top; break;
			}
			cella_result r = tfidf_run(&c, 9, &x1, dynamic, &m, &out);
			if (r != bad[i].r || !strstr(last_log, bad[i].msg) || !strstr(last_log, "(TfIdfVectorizer) at load"))
				cella_test_fail(__FILE__, __LINE__, "TfIdfVectorizer case %zu (%s x): %s, '%s'", i,
						dynamic ? "dynamic" : "static", cella_result_name(r), last_log);
			cella_onnx_model_free(m);
		}
	/* float tokens at load, declared or dynamic; string tokens against pool_int64s at load; a rank-3 or scalar input
	 * at load when declared, else at run; opset 8 has no TfIdfVectorizer */
	{
		static const float xf[6] = { 1, 2, 3, 1, 2, 2 };
		const struct vten fx = { "x", CELLA_ONNX_FLOAT, 1, { 6 }, xf, sizeof(xf) };
		const struct vten sx = { "x", CELLA_ONNX_STRING, 1, { 6 }, x6, sizeof(x6) };
		const struct vten r3 = { "x", CELLA_ONNX_INT64, 3, { 1, 2, 3 }, x6, sizeof(x6) };
		const struct vten r0 = { "x", CELLA_ONNX_INT64, 0, { 0 }, x6, sizeof(int64_t) };
		for (int dynamic = 0; dynamic < 2; dynamic++) {
			CT_RESULT(tfidf_run(&base, 9, &fx, dynamic, &m, &out), CELLA_ERR_MODEL_UNSUPPORTED);
			CT_ASSERT(m == NULL && strstr(last_log, "(TfIdfVectorizer) at load") &&
				  strstr(last_log, "input of type float is not supported (int32 or int64)"));
			cella_onnx_model_free(m);
			CT_RESULT(tfidf_run(&base, 9, &sx, dynamic, &m, &out), CELLA_ERR_MODEL_UNSUPPORTED);
			CT_ASSERT(m == NULL && strstr(last_log, "input of type string is not supported (int32 or int64; "
								"strings with pool_strings)"));
			cella_onnx_model_free(m);
			CT_RESULT(tfidf_run(&base, 9, &r3, dynamic, &m, &out), CELLA_ERR_MODEL_SHAPE);
			CT_ASSERT((m == NULL) == !dynamic && strstr(last_log, "input of rank 3, not [C] or [N, C]"));
			cella_onnx_model_free(m);
		}
		CT_RESULT(tfidf_run(&base, 9, &r0, 0, &m, &out), CELLA_ERR_MODEL_SHAPE);
		CT_ASSERT(m == NULL && strstr(last_log, "input of rank 0, not [C] or [N, C]"));
		cella_onnx_model_free(m);
		/* a row of 2^27 floats is within the default 1 GiB, 3 of them are not */
		static const int64_t wide[6] = { 0, 1, 2, 3, 4, ((int64_t)1 << 27) - 1 };
		const struct vten x3 = { "x", CELLA_ONNX_INT64, 2, { 3, 2 }, x6, sizeof(x6) };
		struct tfc c = base;
		c.idx = wide;
		CT_RESULT(tfidf_run(&c, 9, &x3, 0, &m, &out), CELLA_ERR_TOO_LARGE);
		CT_ASSERT(m == NULL && strstr(last_log, "an output of 3 rows of 134217728 values (max(ngram_indexes) + 1) "
						     "is over max_tensor_bytes"));
		cella_onnx_model_free(m);
		CT_RESULT(tfidf_run(&base, 8, &x1, 0, &m, &out), CELLA_ERR_MODEL_UNSUPPORTED);
		CT_ASSERT(m == NULL && strstr(last_log, "TfIdfVectorizer"));
		cella_onnx_model_free(m);
	}
	cella_test_pass("TfIdfVectorizer: 24 malformed attributes refused at load by name (declared and dynamic x), "
			"float and string tokens, ranks 3 and 0, an output of 3 rows over max_tensor_bytes, opset 8");
}


/* With an argument, runs only the tests whose name contains it. */
/* ---- float16 and bfloat16 ---- */

/* The conversions against bit patterns worked out by hand from the formats (binary16: sign, 5 exponent bits of
 * bias 15, 10 fraction bits; bfloat16: a float32's upper 16 bits), rounding to nearest, ties to even. */
static void test_half_convert(void)
{
	static const struct {
		float f;
		uint16_t h;
	} f2h[] = {
		{ 1.0f, 0x3c00 }, { -2.0f, 0xc000 }, { -0.0f, 0x8000 }, { 0.1f, 0x2e66 }, { 65504.0f, 0x7bff },
		{ 65519.99f, 0x7bff },         /* under the midpoint to 2^16: down to the largest finite value */
		{ 65520.0f, 0x7c00 },          /* the midpoint: its even neighbour is 2^16, so infinity */
		{ 1e9f, 0x7c00 }, { -INFINITY, 0xfc00 },
		{ 0x1p-24f, 0x0001 },          /* the least subnormal */
		{ 0x1p-25f, 0x0000 },          /* half of it: a tie, to the even 0 */
		{ 0x1.8p-25f, 0x0001 },        /* three quarters of it: up */
		{ 0x1.8p-24f, 0x0002 },        /* one and a half: a tie, to the even 2 */
		{ 0x1.ffcp-15f, 0x0400 },      /* 1023.5 * 2^-24: a tie between the largest subnormal and 2^-14, even */
		{ 0x1p-14f, 0x0400 },          /* the least normal */
		{ 0x1.002p0f, 0x3c00 },        /* 1 + 2^-11: a tie, to the even 1 */
		{ 0x1.006p0f, 0x3c02 },        /* 1 + 3 * 2^-11: a tie, to the even 1 + 2^-9 */
		{ 0x1.0021p0f, 0x3c01 },       /* just above the tie: up */
	};
	for (size_t i = 0; i < sizeof(f2h) / sizeof(f2h[0]); i++) {
		uint16_t h = cella_onnx_float_to_half(f2h[i].f, CELLA_ONNX_FLOAT16);
		if (h != f2h[i].h)
			cella_test_fail(__FILE__, __LINE__, "float16 of %a is %04x, want %04x", (double)f2h[i].f, h, f2h[i].h);
	}
	uint16_t qn = cella_onnx_float_to_half(NAN, CELLA_ONNX_FLOAT16);
	CT_ASSERT((qn & 0x7e00) == 0x7e00);                                 /* a quiet NaN */
	CT_EQ(cella_onnx_float_to_half(-NAN, CELLA_ONNX_FLOAT16) & 0x8000, 0x8000); /* of the same sign */
	static const struct {
		uint16_t h;
		float f;
	} h2f[] = { { 0x0001, 0x1p-24f }, { 0x03ff, 0x1.ff8p-15f }, { 0x0400, 0x1p-14f }, { 0x7bff, 65504.0f },
		    { 0xfc00, -INFINITY }, { 0x3555, 0x1.554p-2f }, { 0x8000, -0.0f }, { 0xc500, -5.0f } };
	for (size_t i = 0; i < sizeof(h2f) / sizeof(h2f[0]); i++) {
		float f = cella_onnx_half_to_float(h2f[i].h, CELLA_ONNX_FLOAT16);
		if (memcmp(&f, &h2f[i].f, 4))
			cella_test_fail(__FILE__, __LINE__, "float of %04x is %a, want %a", h2f[i].h, (double)f,
					(double)h2f[i].f);
	}
	CT_ASSERT(isnan(cella_onnx_half_to_float(0x7e00, CELLA_ONNX_FLOAT16)));
	CT_ASSERT(isnan(cella_onnx_half_to_float(0x7c01, CELLA_ONNX_FLOAT16))); /* a signalling NaN stays a NaN */
	static const struct {
		uint32_t f;
		uint16_t b;
	} f2b[] = {
		{ 0x3f800000, 0x3f80 },
		{ 0x3ef5eeb0, 0x3ef6 }, /* 0.480336666: over half a step, up (truncation gives 0x3ef5) */
		{ 0x3ef535b8, 0x3ef5 }, /* under half a step, down */
		{ 0x3ef58000, 0x3ef6 }, /* a tie with an odd last bit: to the even 0x3ef6 */
		{ 0x3ef48000, 0x3ef4 }, /* a tie with an even last bit: stays */
		{ 0x7f7fffff, 0x7f80 }, /* the largest float rounds past bfloat16's largest: infinity */
		{ 0xff800000, 0xff80 },
		{ 0x7f800001, 0x7fc0 }, /* a NaN whose payload is all in the dropped bits stays a NaN, made quiet */
	};
	for (size_t i = 0; i < sizeof(f2b) / sizeof(f2b[0]); i++) {
		float f;
		memcpy(&f, &f2b[i].f, 4);
		uint16_t b = cella_onnx_float_to_half(f, CELLA_ONNX_BFLOAT16);
		if (b != f2b[i].b)
			cella_test_fail(__FILE__, __LINE__, "bfloat16 of %08x is %04x, want %04x", f2b[i].f, b, f2b[i].b);
	}
	CT_ASSERT(cella_onnx_half_to_float(0x3f80, CELLA_ONNX_BFLOAT16) == 1.0f);
	CT_ASSERT(cella_onnx_half_to_float(0xc0a0, CELLA_ONNX_BFLOAT16) == -5.0f);
	CT_EQ(cella_onnx_dtype_size(CELLA_ONNX_FLOAT16), 2);
	CT_EQ(cella_onnx_dtype_size(CELLA_ONNX_BFLOAT16), 2);
	CT_ASSERT(!strcmp(cella_onnx_dtype_name(CELLA_ONNX_BFLOAT16), "bfloat16"));
	cella_test_pass("float16 and bfloat16 conversions: ties to even, subnormals, overflow, NaN");
}

/* Loads b with options (max_tensor_bytes mb, 0 = default) and the log above; *m is NULL unless it loads. */
static cella_result load_limited(struct mb *b, uint64_t mb, struct cella_onnx_model **m)
{
	size_t len = onnx__model_proto__get_packed_size(&b->m);
	uint8_t *buf = malloc(len);
	struct cella_onnx_options o = { .log = logcb, .max_tensor_bytes = mb };
	CT_ASSERT(buf != NULL);
	onnx__model_proto__pack(&b->m, buf);
	last_log[0] = '\0';
	*m = NULL;
	cella_result r = cella_onnx_model_new(buf, len, &o, m);
	free(buf);
	return r;
}

/* Loads b (load_limited) and runs it on nin inputs; outputs in out. */
static cella_result half_run(struct mb *b, uint64_t mb, const struct cella_onnx_tensor *in, size_t nin,
			     struct cella_onnx_model **m, struct cella_onnx_tensor *out, size_t nout)
{
	cella_result r = load_limited(b, mb, m);
	return r != CELLA_OK ? r : cella_onnx_model_run(*m, in, nin, out, nout);
}

static struct cella_onnx_tensor half_tensor(int dtype, int rank, const int64_t *dims, const void *data, size_t bytes)
{
	struct cella_onnx_tensor t = { .dtype = (cella_onnx_dtype)dtype, .rank = (uint32_t)rank, .data = (void *)data,
				       .bytes = bytes };
	memcpy(t.dims, dims, (size_t)rank * sizeof(int64_t));
	return t;
}

/* A model with one graph input x of dtype and dims and one output y of dtype (its nodes added after). */
static void half_model(struct mb *b, int64_t opset, int dtype, int rank, const int64_t *dims)
{
	mb_init(b, opset);
	gb_io(&b->g, 0, "x", dtype, rank, dims);
	gb_io(&b->g, 1, "y", dtype, -1, NULL);
}

/* The output holds n 16-bit patterns, want's. */
static void expect_bits(const struct cella_onnx_tensor *t, int dtype, const uint16_t *want, size_t n, const char *what)
{
	if ((int)t->dtype != dtype || t->bytes != n * 2 || memcmp(t->data, want, n * 2)) {
		const uint16_t *g = t->data;
		cella_test_fail(__FILE__, __LINE__, "%s: %s of %zu bytes, [0] %04x, want %04x", what,
				cella_onnx_dtype_name(t->dtype), t->bytes, t->bytes >= 2 ? g[0] : 0, want[0]);
	}
}

/* Cast to and from float16 and bfloat16: from double in one rounding, to integers truncated, between the two. */
static void test_half_cast(void)
{
	static const int64_t d1[1] = { 1 }, d3[1] = { 3 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out;
	/* 1 + 2^-11 + 2^-40 is just above a tie of float16: up to 1 + 2^-10. Through float it would lose 2^-40 and
	 * tie down to 1. */
	static const double dv[3] = { 0x1.00200001p0, -70000.0, 0x1p-26 };
	static const uint16_t want_dh[3] = { 0x3c01, 0xfc00, 0x0000 };
	Onnx__NodeProto *n = single(&b, 13, "Cast", 1, CELLA_ONNX_FLOAT16);
	gb_const(&b.g, "c0", CELLA_ONNX_DOUBLE, 1, d3, dv, sizeof(dv));
	attr_i(&b.g, n, "to", CELLA_ONNX_FLOAT16);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	expect_bits(&out, CELLA_ONNX_FLOAT16, want_dh, 3, "double to float16");
	cella_onnx_model_free(m);
	/* float16 -2.75, 300.5, 65504 to int32 (truncated), to double (exact), to bfloat16 (rounded once) */
	static const uint16_t hv[3] = { 0xc180, 0x5cb2, 0x7bff };
	static const int32_t want_i[3] = { -2, 300, 65504 };
	static const double want_d[3] = { -2.75, 300.5, 65504.0 };
	static const uint16_t want_b[3] = { 0xc030, 0x4396, 0x4780 }; /* 300.5 ties to 300 (even); 65504 up to 65536 */
	static const int tos[3] = { CELLA_ONNX_INT32, CELLA_ONNX_DOUBLE, CELLA_ONNX_BFLOAT16 };
	for (int k = 0; k < 3; k++) {
		n = single(&b, 13, "Cast", 1, tos[k]);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT16, 1, d3, hv, sizeof(hv));
		attr_i(&b.g, n, "to", tos[k]);
		CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
		CT_EQ(out.dtype, tos[k]);
		if (k == 0)
			CT_ASSERT(out.bytes == sizeof(want_i) && !memcmp(out.data, want_i, sizeof(want_i)));
		else if (k == 1)
			CT_ASSERT(out.bytes == sizeof(want_d) && !memcmp(out.data, want_d, sizeof(want_d)));
		else
			expect_bits(&out, CELLA_ONNX_BFLOAT16, want_b, 3, "float16 to bfloat16");
		cella_onnx_model_free(m);
	}
	/* uint64 2^64 - 1 to float16: infinity, not the -1 of its bit pattern */
	static const uint64_t big = UINT64_MAX;
	static const uint16_t want_inf = 0x7c00;
	n = single(&b, 13, "Cast", 1, CELLA_ONNX_FLOAT16);
	gb_const(&b.g, "c0", CELLA_ONNX_UINT64, 1, d1, &big, sizeof(big));
	attr_i(&b.g, n, "to", CELLA_ONNX_FLOAT16);
	CT_RESULT(load_run(&b, &m, &out), CELLA_OK);
	expect_bits(&out, CELLA_ONNX_FLOAT16, &want_inf, 1, "uint64 max to float16");
	cella_onnx_model_free(m);
	cella_test_pass("Cast: double to float16 in one rounding, float16 to int32/double/bfloat16, uint64 to inf");
}

/* float16 and bfloat16 models run in float32 and their outputs are rounded to the half type: x + c then Relu, through
 * a graph input, a constant and an intermediate value. */
static void test_half_compute(void)
{
	static const int64_t d4[1] = { 4 };
	static const char *const add_in[] = { "x", "c", NULL }, *const s_o[] = { "s", NULL }, *const s_in[] = { "s", NULL };
	/* float16: 1 + 2048 = 2049 is a tie between 2048 and 2050: even 2048; -3 + 1 = -2, Relu 0; 0.1 + 0.1 in
	 * float16 (0x2e66 = 0.0999755859375) doubles exactly; 65504 + 32 = 65536 is past the midpoint 65520: inf */
	static const uint16_t xh[4] = { 0x3c00, 0xc200, 0x2e66, 0x7bff }, ch[4] = { 0x6800, 0x3c00, 0x2e66, 0x5000 };
	static const uint16_t want_h[4] = { 0x6800, 0x0000, 0x3266, 0x7c00 };
	/* bfloat16: 1 + 256 = 257 ties between 256 and 258: even 256; 3 + 0.0078125 = 3.0078125 ties: even 3.0 (0x4040);
	 * -1 + 0.5 = -0.5, Relu 0; 1.5 + 1.5 = 3 */
	static const uint16_t xb[4] = { 0x3f80, 0x4040, 0xbf80, 0x3fc0 }, cb[4] = { 0x4380, 0x3c00, 0x3f00, 0x3fc0 };
	static const uint16_t want_b[4] = { 0x4380, 0x4040, 0x0000, 0x4040 };
	for (int k = 0; k < 2; k++) {
		int dt = k ? CELLA_ONNX_BFLOAT16 : CELLA_ONNX_FLOAT16;
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in = half_tensor(dt, 1, d4, k ? xb : xh, 8), out;
		half_model(&b, 14, dt, 1, d4);
		gb_const(&b.g, "c", dt, 1, d4, k ? cb : ch, 8);
		gb_node(&b.g, "Add", add_in, s_o);
		gb_node(&b.g, "Relu", s_in, Y);
		CT_RESULT(half_run(&b, 0, &in, 1, &m, &out, 1), CELLA_OK);
		expect_bits(&out, dt, k ? want_b : want_h, 4, k ? "bfloat16 Add, Relu" : "float16 Add, Relu");
		struct cella_onnx_tensor info;
		const char *name;
		CT_RESULT(cella_onnx_model_output_info(m, 0, &name, &info), CELLA_OK);
		CT_EQ(info.dtype, dt);
		/* a float input where the model declares a half one is refused by name */
		static const float xf[4] = { 1, 2, 3, 4 };
		struct cella_onnx_tensor wrong = half_tensor(CELLA_ONNX_FLOAT, 1, d4, xf, sizeof(xf));
		CT_RESULT(cella_onnx_model_run(m, &wrong, 1, &out, 1), CELLA_ERR_INVALID_ARG);
		CT_ASSERT(strstr(last_log, k ? "type float, declared bfloat16" : "type float, declared float16") != NULL);
		cella_onnx_model_free(m);
	}
	cella_test_pass("float16 and bfloat16 Add and Relu: outputs rounded to even, overflow to inf");
}

/* A float16 Conv: its constant weight converted to float32 at load and packed, bias added, outputs rounded. */
static void test_half_conv(void)
{
	static const int64_t xd[4] = { 1, 1, 3, 3 }, wd[4] = { 1, 1, 2, 2 }, bd[1] = { 1 };
	static const char *const ins[] = { "x", "w", "bias", NULL };
	/* x = 1..9, w = [[1, 2], [3, 4]] * 0.5, bias 0.25: each output 0.5 (a + 2b + 3d + 4e) + 0.25 over the 2x2 window
	 * at a (row-major: a b / d e): windows at 1, 2, 4, 5 give 18.75, 23.75, 33.75, 38.75 (exact in float16) */
	static const uint16_t x[9] = { 0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700, 0x4800, 0x4880 };
	static const uint16_t w[4] = { 0x3800, 0x3c00, 0x3e00, 0x4000 }, bias = 0x3400;
	static const uint16_t want[4] = { 0x4cb0, 0x4df0, 0x5038, 0x50d8 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in = half_tensor(CELLA_ONNX_FLOAT16, 4, xd, x, sizeof(x)), out;
	half_model(&b, 13, CELLA_ONNX_FLOAT16, 4, xd);
	gb_const(&b.g, "w", CELLA_ONNX_FLOAT16, 4, wd, w, sizeof(w));
	gb_const(&b.g, "bias", CELLA_ONNX_FLOAT16, 1, bd, &bias, 2);
	gb_node(&b.g, "Conv", ins, Y);
	CT_RESULT(half_run(&b, 0, &in, 1, &m, &out, 1), CELLA_OK);
	expect_bits(&out, CELLA_ONNX_FLOAT16, want, 4, "float16 Conv");
	CT_EQ(out.rank, 4);
	CT_EQ(out.dims[2], 2);
	/* a second run reuses the converted weight */
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
	expect_bits(&out, CELLA_ONNX_FLOAT16, want, 4, "float16 Conv, second run");
	cella_onnx_model_free(m);
	cella_test_pass("float16 Conv with a float16 weight and bias");
}

/* Outputs are rounded to the type the model declares: float for Pow of a float base and a float16 exponent, float16
 * for a float16 base; EyeLike by its dtype; LayerNormalization's mean and inverse deviation float. */
static void test_half_types(void)
{
	static const int64_t d2[1] = { 2 }, d22[2] = { 2, 2 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[3];
	/* Pow(float [2, 3], float16 2) is float [4, 9]; Pow(float16 [2, 3], float 2) is float16 */
	static const float bf[2] = { 2, 3 }, ef = 2, want_f[2] = { 4, 9 };
	static const uint16_t bh[2] = { 0x4000, 0x4200 }, eh = 0x4000, want_h[2] = { 0x4400, 0x4880 };
	single(&b, 15, "Pow", 2, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d2, bf, sizeof(bf));
	gb_const(&b.g, "c1", CELLA_ONNX_FLOAT16, 0, NULL, &eh, 2);
	CT_RESULT(load_run(&b, &m, out), CELLA_OK);
	CT_ASSERT(out[0].dtype == CELLA_ONNX_FLOAT && out[0].bytes == 8 && !memcmp(out[0].data, want_f, 8));
	cella_onnx_model_free(m);
	single(&b, 15, "Pow", 2, CELLA_ONNX_FLOAT16);
	gb_const(&b.g, "c0", CELLA_ONNX_FLOAT16, 1, d2, bh, sizeof(bh));
	gb_const(&b.g, "c1", CELLA_ONNX_FLOAT, 0, NULL, &ef, 4);
	CT_RESULT(load_run(&b, &m, out), CELLA_OK);
	expect_bits(&out[0], CELLA_ONNX_FLOAT16, want_h, 2, "Pow of a float16 base");
	cella_onnx_model_free(m);
	/* EyeLike of a float16 input: float16; with dtype float: float; of a float input with dtype bfloat16 */
	static const uint16_t z4[4] = { 0 }, eye_h[4] = { 0x3c00, 0, 0, 0x3c00 }, eye_b[4] = { 0x3f80, 0, 0, 0x3f80 };
	static const float z4f[4] = { 0 }, eye_f[4] = { 1, 0, 0, 1 };
	static const struct {
		int xdt, dtype, ydt;
	} eyes[] = { { CELLA_ONNX_FLOAT16, 0, CELLA_ONNX_FLOAT16 },
		     { CELLA_ONNX_FLOAT16, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT },
		     { CELLA_ONNX_FLOAT, CELLA_ONNX_BFLOAT16, CELLA_ONNX_BFLOAT16 } };
	for (size_t i = 0; i < sizeof(eyes) / sizeof(eyes[0]); i++) {
		Onnx__NodeProto *n = single(&b, 9, "EyeLike", 1, eyes[i].ydt);
		gb_const(&b.g, "c0", eyes[i].xdt, 2, d22, eyes[i].xdt == CELLA_ONNX_FLOAT ? (const void *)z4f : z4,
			 eyes[i].xdt == CELLA_ONNX_FLOAT ? 16 : 8);
		if (eyes[i].dtype)
			attr_i(&b.g, n, "dtype", eyes[i].dtype);
		CT_RESULT(load_run(&b, &m, out), CELLA_OK);
		if (eyes[i].ydt == CELLA_ONNX_FLOAT)
			CT_ASSERT(out[0].dtype == CELLA_ONNX_FLOAT && !memcmp(out[0].data, eye_f, 16));
		else
			expect_bits(&out[0], eyes[i].ydt, eyes[i].ydt == CELLA_ONNX_FLOAT16 ? eye_h : eye_b, 4, "EyeLike");
		cella_onnx_model_free(m);
	}
	/* LayerNormalization of float16 [1, 2] over the last axis, epsilon 0: Y float16, mean and 1/stddev float */
	static const int64_t d13[2] = { 1, 2 };
	static const uint16_t lx[2] = { 0x3c00, 0x4200 }, ls[2] = { 0x3c00, 0x3c00 }, lb[2] = { 0, 0 };
	/* x = [1, 3]: mean 2, variance 1, Y = [-1, 1]; mean 2.0f; inverse deviation 1.0f */
	static const uint16_t want_y[2] = { 0xbc00, 0x3c00 };
	static const char *const ln_in[] = { "x", "s", "b", NULL }, *const ln_out[] = { "y", "mean", "inv", NULL };
	mb_init(&b, 17);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT16, -1, NULL);
	gb_io(&b.g, 1, "mean", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&b.g, 1, "inv", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "x", CELLA_ONNX_FLOAT16, 2, d13, lx, 4);
	gb_const(&b.g, "s", CELLA_ONNX_FLOAT16, 1, d2, ls, 4);
	gb_const(&b.g, "b", CELLA_ONNX_FLOAT16, 1, d2, lb, 4);
	attr_f(&b.g, gb_node(&b.g, "LayerNormalization", ln_in, ln_out), "epsilon", 0.0f);
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_RESULT(cella_onnx_model_run(m, NULL, 0, out, 3), CELLA_OK);
	expect_bits(&out[0], CELLA_ONNX_FLOAT16, want_y, 2, "LayerNormalization Y");
	CT_ASSERT(out[1].dtype == CELLA_ONNX_FLOAT && *(const float *)out[1].data == 2.0f);
	CT_ASSERT(out[2].dtype == CELLA_ONNX_FLOAT && *(const float *)out[2].data == 1.0f);
	cella_onnx_model_free(m);
	/* ConstantOfShape with a float16 value fills float16 */
	static const int64_t three = 3;
	static const uint16_t hv = 0xc500, want3[3] = { 0xc500, 0xc500, 0xc500 };
	Onnx__TensorProto v;
	const_of_shape(&b, 9, &v, CELLA_ONNX_FLOAT16, &hv, 2, &three, CELLA_ONNX_FLOAT16);
	CT_RESULT(load_run(&b, &m, out), CELLA_OK);
	expect_bits(&out[0], CELLA_ONNX_FLOAT16, want3, 3, "ConstantOfShape float16");
	cella_onnx_model_free(m);
	cella_test_pass("half outputs: Pow by its base, EyeLike by dtype, LayerNormalization's statistics float");
}

/* A float16 input is held as float32, 4 bytes an element: within max_tensor_bytes as float16 but not as float32, a
 * run is refused by name (CELLA_ERR_TOO_LARGE) before anything runs; one within both runs. */
static void test_half_limit(void)
{
	static const int64_t d[1] = { 32 }, d16[1] = { 16 };
	static const char *const x_in[] = { "x", NULL };
	uint16_t x[32] = { 0 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in = half_tensor(CELLA_ONNX_FLOAT16, 1, d, x, sizeof(x)), out;
	half_model(&b, 14, CELLA_ONNX_FLOAT16, 1, (const int64_t[]){ -1 });
	gb_node(&b.g, "Relu", x_in, Y);
	CT_RESULT(half_run(&b, 100, &in, 1, &m, &out, 1), CELLA_ERR_TOO_LARGE);
	if (!strstr(last_log, "input 0 ('x'): its dims, each 0 taken as 1, give more than max_tensor_bytes (100) as "
			      "float32, in which float16 and bfloat16 are computed"))
		cella_test_fail(__FILE__, __LINE__, "logged '%s'", last_log);
	in = half_tensor(CELLA_ONNX_FLOAT16, 1, d16, x, 32);
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &out, 1), CELLA_OK);
	CT_ASSERT(out.dtype == CELLA_ONNX_FLOAT16 && out.bytes == 32);
	cella_onnx_model_free(m);
	cella_test_pass("a float16 input counts 4 bytes an element against max_tensor_bytes, refused by name");
}

/* Between a float16 model's input and its output values stay float32: (x + 2048) - 2048 is x, where rounding the
 * sum to float16 would lose it (1 + 2048 ties to 2048); a Cast to float16 inside the graph rounds where it
 * stands. */
static void test_half_precision(void)
{
	static const int64_t d2[1] = { 2 };
	static const char *const add_in[] = { "x", "c", NULL }, *const sub_in[] = { "s", "c", NULL };
	static const char *const s_o[] = { "s", NULL }, *const r_o[] = { "r", NULL };
	static const uint16_t xh[2] = { 0x3c00, 0x4200 }, ch[2] = { 0x6800, 0x6800 }; /* [1, 3] + 2048 */
	static const uint16_t want_plain[2] = { 0x3c00, 0x4200 }; /* 2049 - 2048, 2051 - 2048 */
	static const uint16_t want_cast[2] = { 0x0000, 0x4400 };  /* 2049 ties to 2048, 2051 ties to 2052: 0, 4 */
	for (int cast = 0; cast < 2; cast++) {
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor in = half_tensor(CELLA_ONNX_FLOAT16, 1, d2, xh, 4), out;
		half_model(&b, 14, CELLA_ONNX_FLOAT16, 1, d2);
		gb_const(&b.g, "c", CELLA_ONNX_FLOAT16, 1, d2, ch, 4);
		gb_node(&b.g, "Add", add_in, cast ? r_o : s_o);
		if (cast) {
			static const char *const r_in[] = { "r", NULL };
			attr_i(&b.g, gb_node(&b.g, "Cast", r_in, s_o), "to", CELLA_ONNX_FLOAT16);
		}
		gb_node(&b.g, "Sub", sub_in, Y);
		CT_RESULT(half_run(&b, 0, &in, 1, &m, &out, 1), CELLA_OK);
		expect_bits(&out, CELLA_ONNX_FLOAT16, cast ? want_cast : want_plain, 2,
			    cast ? "(Cast(x + c) - c)" : "(x + c) - c");
		cella_onnx_model_free(m);
	}
	/* CastLike to the type of an intermediate float16 value (Relu of the input): int32 2049 rounds to 2048, so
	 * minus 2048 is 0 (1 if CastLike took the float32 the value is held in) */
	static const int32_t i2049[2] = { 2049, 2049 };
	static const char *const relu_in[] = { "x", NULL }, *const h_o[] = { "h", NULL };
	static const char *const cl_in[] = { "i", "h", NULL }, *const cl_o[] = { "s", NULL };
	static const uint16_t zeros[2] = { 0, 0 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor in = half_tensor(CELLA_ONNX_FLOAT16, 1, d2, xh, 4), out;
	half_model(&b, 15, CELLA_ONNX_FLOAT16, 1, d2);
	gb_const(&b.g, "c", CELLA_ONNX_FLOAT16, 1, d2, ch, 4);
	gb_const(&b.g, "i", CELLA_ONNX_INT32, 1, d2, i2049, sizeof(i2049));
	gb_node(&b.g, "Relu", relu_in, h_o);
	gb_node(&b.g, "CastLike", cl_in, cl_o);
	gb_node(&b.g, "Sub", sub_in, Y);
	CT_RESULT(half_run(&b, 0, &in, 1, &m, &out, 1), CELLA_OK);
	expect_bits(&out, CELLA_ONNX_FLOAT16, zeros, 2, "CastLike(2049, Relu(x)) - 2048");
	cella_onnx_model_free(m);
	cella_test_pass("float16 values stay float32 between operators; Cast and CastLike to float16 round where they "
			"stand");
}

/* ---- sequences: the operators of opset 11 ---- */

/* A model over x (float [2, 3] = 1..6, or the dtype/dims given) whose nodes the case adds; output y of ydt. */
static void seq_model(struct mb *b, int ydt)
{
	static const int64_t xd[2] = { 2, 3 };
	static const float xv[6] = { 1, 2, 3, 4, 5, 6 };
	mb_init(b, 13);
	gb_io(&b->g, 1, "y", ydt, -1, NULL);
	gb_const(&b->g, "x", CELLA_ONNX_FLOAT, 2, xd, xv, sizeof(xv));
}

/* y's values are want's (floats, or int64 with dt) and its dims dims. */
static void expect_seq_out(const struct cella_onnx_tensor *y, int dt, int rank, const int64_t *dims, const void *want,
			   size_t bytes, const char *what)
{
	int ok = (int)y->dtype == dt && (int)y->rank == rank && y->bytes == bytes && !memcmp(y->data, want, bytes);
	for (int d = 0; ok && d < rank; d++)
		ok = y->dims[d] == dims[d];
	if (!ok)
		cella_test_fail(__FILE__, __LINE__, "%s: %s rank %u, %zu bytes", what, cella_onnx_dtype_name(y->dtype), y->rank,
				y->bytes);
}

static void test_sequences(void)
{
	static const int64_t d1[1] = { 1 }, d2[1] = { 2 }, d22[2] = { 2, 2 }, d23[2] = { 2, 3 }, d13[2] = { 1, 3 };
	static const char *const x_in[] = { "x", NULL }, *const s_o[] = { "s", NULL }, *const s_in[] = { "s", NULL };
	static const char *const sp_in[] = { "x", "sp", NULL }, *const at_in[] = { "s", "p", NULL };
	static const int64_t one = 1, two = 2, neg1 = -1, zero = 0;
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	/* SplitToSequence along axis 1 into lengths [1, 2]; SequenceAt 1 is the last two columns */
	static const int64_t sp12[2] = { 1, 2 };
	static const float cols[4] = { 2, 3, 5, 6 };
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "sp", CELLA_ONNX_INT64, 1, d2, sp12, sizeof(sp12));
	gb_const(&b.g, "p", CELLA_ONNX_INT64, 0, NULL, &one, 8);
	attr_i(&b.g, gb_node(&b.g, "SplitToSequence", sp_in, s_o), "axis", 1);
	gb_node(&b.g, "SequenceAt", at_in, Y);
	CT_RESULT(load_run(&b, &m, &y), CELLA_OK);
	expect_seq_out(&y, CELLA_ONNX_FLOAT, 2, d22, cols, sizeof(cols), "SplitToSequence [1, 2], SequenceAt 1");
	cella_onnx_model_free(m);
	/* pieces of 1 without the axis (keepdims 0), stacked back along a new axis 0: x again */
	static const float xv[6] = { 1, 2, 3, 4, 5, 6 };
	seq_model(&b, CELLA_ONNX_FLOAT);
	attr_i(&b.g, gb_node(&b.g, "SplitToSequence", x_in, s_o), "keepdims", 0);
	Onnx__NodeProto *cn = gb_node(&b.g, "ConcatFromSequence", s_in, Y);
	attr_i(&b.g, cn, "axis", 0);
	attr_i(&b.g, cn, "new_axis", 1);
	CT_RESULT(load_run(&b, &m, &y), CELLA_OK);
	expect_seq_out(&y, CELLA_ONNX_FLOAT, 2, d23, xv, sizeof(xv), "rows split and stacked");
	cella_onnx_model_free(m);
	/* pieces of 2 over 3 columns: 2 then 1; SequenceLength 2, and SequenceAt -1 the last column */
	static const float last[2] = { 3, 6 };
	static const int64_t len2 = 2;
	static const char *const len_o[] = { "n", NULL }, *const at_last[] = { "s", "m1", NULL };
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_io(&b.g, 1, "n", CELLA_ONNX_INT64, -1, NULL);
	gb_const(&b.g, "sp", CELLA_ONNX_INT64, 0, NULL, &two, 8);
	gb_const(&b.g, "m1", CELLA_ONNX_INT64, 0, NULL, &neg1, 8);
	attr_i(&b.g, gb_node(&b.g, "SplitToSequence", sp_in, s_o), "axis", -1);
	gb_node(&b.g, "SequenceAt", at_last, Y);
	gb_node(&b.g, "SequenceLength", s_in, len_o);
	struct cella_onnx_tensor y2[2];
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_RESULT(cella_onnx_model_run(m, NULL, 0, y2, 2), CELLA_OK);
	expect_seq_out(&y2[0], CELLA_ONNX_FLOAT, 2, (const int64_t[]){ 2, 1 }, last, sizeof(last), "the last piece");
	expect_seq_out(&y2[1], CELLA_ONNX_INT64, 0, NULL, &len2, 8, "SequenceLength");
	cella_onnx_model_free(m);
	/* SequenceConstruct(a, b), SequenceInsert c at 0, SequenceErase the last: [c, a], joined on axis 0 */
	static const float av[3] = { 1, 2, 3 }, bv[3] = { 4, 5, 6 }, cv[3] = { 7, 8, 9 }, ca[6] = { 7, 8, 9, 1, 2, 3 };
	static const char *const ab_in[] = { "a", "b", NULL }, *const ins_in[] = { "s", "c", "z", NULL };
	static const char *const t_o[] = { "t", NULL }, *const t_in[] = { "t", NULL }, *const u_o[] = { "u", NULL };
	static const char *const u_in[] = { "u", NULL };
	mb_init(&b, 13);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "a", CELLA_ONNX_FLOAT, 2, d13, av, 12);
	gb_const(&b.g, "b", CELLA_ONNX_FLOAT, 2, d13, bv, 12);
	gb_const(&b.g, "c", CELLA_ONNX_FLOAT, 2, d13, cv, 12);
	gb_const(&b.g, "z", CELLA_ONNX_INT32, 0, NULL, (const int32_t[]){ 0 }, 4);
	gb_node(&b.g, "SequenceConstruct", ab_in, s_o);
	gb_node(&b.g, "SequenceInsert", ins_in, t_o);
	gb_node(&b.g, "SequenceErase", t_in, u_o);
	attr_i(&b.g, gb_node(&b.g, "ConcatFromSequence", u_in, Y), "axis", 0);
	CT_RESULT(load_run(&b, &m, &y), CELLA_OK);
	expect_seq_out(&y, CELLA_ONNX_FLOAT, 2, d23, ca, sizeof(ca), "construct, insert at 0, erase the last, concat");
	cella_onnx_model_free(m);
	/* SequenceEmpty of int64, SequenceInsert of an int64 tensor at the end, SequenceAt 0 */
	static const int64_t iv[2] = { -5, 1L << 40 };
	static const char *const e_in[] = { "e", "v", NULL }, *const e_o[] = { "e", NULL }, *const at0[] = { "s", "z", NULL };
	static const char *const none_in[] = { NULL };
	mb_init(&b, 13);
	gb_io(&b.g, 1, "y", CELLA_ONNX_INT64, -1, NULL);
	gb_const(&b.g, "v", CELLA_ONNX_INT64, 1, d2, iv, sizeof(iv));
	gb_const(&b.g, "z", CELLA_ONNX_INT64, 1, d1, &zero, 8);
	attr_i(&b.g, gb_node(&b.g, "SequenceEmpty", none_in, e_o), "dtype", CELLA_ONNX_INT64);
	gb_node(&b.g, "SequenceInsert", e_in, s_o);
	gb_node(&b.g, "SequenceAt", at0, Y);
	CT_RESULT(load_run(&b, &m, &y), CELLA_OK);
	expect_seq_out(&y, CELLA_ONNX_INT64, 1, d2, iv, sizeof(iv), "SequenceEmpty int64, insert, at 0");
	cella_onnx_model_free(m);
	/* float16 through a sequence: the bits come back as they went in */
	static const uint16_t hv[4] = { 0x3c00, 0xc500, 0x7bff, 0x0001 };
	half_model(&b, 13, CELLA_ONNX_FLOAT16, 2, d22);
	gb_node(&b.g, "SplitToSequence", x_in, s_o);
	attr_i(&b.g, gb_node(&b.g, "ConcatFromSequence", s_in, Y), "axis", 0);
	struct cella_onnx_tensor hin = half_tensor(CELLA_ONNX_FLOAT16, 2, d22, hv, sizeof(hv));
	CT_RESULT(half_run(&b, 0, &hin, 1, &m, &y, 1), CELLA_OK);
	expect_bits(&y, CELLA_ONNX_FLOAT16, hv, 4, "float16 split and joined");
	cella_onnx_model_free(m);
	cella_test_pass("sequences: SplitToSequence (lengths, pieces, keepdims 0), ConcatFromSequence (joined, stacked), "
			"Construct, Insert, Erase, At, Length, Empty; float16 through");
}

/* seq_model's x split into rows (SplitToSequence), then op on the sequence, its output y. */
static void split_then(struct mb *b, const char *op)
{
	static const char *const x_in[] = { "x", NULL }, *const s_o[] = { "s", NULL }, *const s_in[] = { "s", NULL };
	seq_model(b, CELLA_ONNX_FLOAT);
	gb_node(&b->g, "SplitToSequence", x_in, s_o);
	gb_node(&b->g, op, s_in, Y);
}

/* One sequence model that must be refused at run with r and msg. */
static void seq_refused(struct mb *b, uint64_t max_bytes, cella_result want, const char *msg)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	cella_result r = half_run(b, max_bytes, NULL, 0, &m, &y, 1);
	if (r != want || !strstr(last_log, msg))
		cella_test_fail(__FILE__, __LINE__, "want %s '%s', got %s '%s'", cella_result_name(want), msg,
				cella_result_name(r), last_log);
	cella_onnx_model_free(m);
}

static void test_sequences_refused(void)
{
	static const int64_t d2[1] = { 2 }, five = 5, zero = 0, bad_sp[2] = { 1, 1 };
	static const float f = 1;
	static const char *const x_in[] = { "x", NULL }, *const s_o[] = { "s", NULL }, *const s_in[] = { "s", NULL };
	static const char *const at_in[] = { "s", "p", NULL }, *const sp_in[] = { "x", "sp", NULL };
	static const char *const ins_in[] = { "s", "f", NULL }, *const none_in[] = { NULL };
	struct mb b;
	/* SequenceAt 5 of 2 rows */
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "p", CELLA_ONNX_INT64, 0, NULL, &five, 8);
	gb_node(&b.g, "SplitToSequence", x_in, s_o);
	gb_node(&b.g, "SequenceAt", at_in, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL, "(SequenceAt): model is malformed: position 5 is out of range for a sequence of 2");
	/* a float tensor into an int64 sequence */
	mb_init(&b, 13);
	gb_io(&b.g, 1, "y", CELLA_ONNX_INT64, -1, NULL);
	gb_const(&b.g, "f", CELLA_ONNX_FLOAT, 0, NULL, &f, 4);
	attr_i(&b.g, gb_node(&b.g, "SequenceEmpty", none_in, s_o), "dtype", CELLA_ONNX_INT64);
	gb_node(&b.g, "SequenceInsert", ins_in, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL, "a tensor of float in a sequence of int64");
	/* a tensor operator given a sequence */
	split_then(&b, "Relu");
	seq_refused(&b, 0, CELLA_ERR_MODEL_UNSUPPORTED, "input 0 ('s') is a sequence; Relu takes tensors");
	/* a sequence where a sequence operator takes a tensor: SplitToSequence's split (its data once read through a
	 * NULL pointer) and the tensor SequenceInsert inserts */
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_node(&b.g, "SplitToSequence", x_in, s_o);
	gb_node(&b.g, "SplitToSequence", (const char *const[]){ "x", "s", NULL }, (const char *const[]){ "t", NULL });
	gb_node(&b.g, "SequenceLength", (const char *const[]){ "t", NULL }, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL_UNSUPPORTED, "input 1 ('s') is a sequence; SplitToSequence takes tensors");
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_node(&b.g, "SplitToSequence", x_in, s_o);
	gb_node(&b.g, "SequenceInsert", (const char *const[]){ "s", "s", NULL }, (const char *const[]){ "t", NULL });
	gb_node(&b.g, "SequenceLength", (const char *const[]){ "t", NULL }, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL_UNSUPPORTED, "input 1 ('s') is a sequence; SequenceInsert takes a tensor "
			"there");
	/* and Loop's trip count given a sequence (its carried values may be sequences, M and cond not) */
	mb_init(&b, 13);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	gb_node(&b.g, "SequenceEmpty", none_in, s_o);
	gb_node(&b.g, "Loop", (const char *const[]){ "s", "", "s", NULL }, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL_UNSUPPORTED, "input 0 ('s') is a sequence; Loop takes a tensor there");
	/* a sequence operator given a tensor */
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "p", CELLA_ONNX_INT64, 0, NULL, &zero, 8);
	gb_node(&b.g, "SequenceAt", (const char *const[]){ "x", "p", NULL }, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL, "input 0 ('x') is a tensor, not a sequence");
	/* ConcatFromSequence of an empty sequence, and without its axis */
	for (int with_axis = 1; with_axis >= 0; with_axis--) {
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_node(&b.g, "SequenceEmpty", none_in, s_o);
		Onnx__NodeProto *cn = gb_node(&b.g, "ConcatFromSequence", s_in, Y);
		if (with_axis)
			attr_i(&b.g, cn, "axis", 0);
		seq_refused(&b, 0, with_axis ? CELLA_ERR_MODEL_SHAPE : CELLA_ERR_MODEL,
			    with_axis ? "the sequence is empty: no shape to concatenate" : "attribute 'axis' is required");
	}
	/* split lengths that do not add up to the dim; a piece of 0 */
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "sp", CELLA_ONNX_INT64, 1, d2, bad_sp, sizeof(bad_sp));
	attr_i(&b.g, gb_node(&b.g, "SplitToSequence", sp_in, s_o), "axis", 1);
	gb_node(&b.g, "SequenceLength", s_in, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL_SHAPE, "split adds up to 2, the dim is 3");
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_const(&b.g, "sp", CELLA_ONNX_INT64, 0, NULL, &zero, 8);
	gb_node(&b.g, "SplitToSequence", sp_in, s_o);
	gb_node(&b.g, "SequenceLength", s_in, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL, "split is 0, not a length of 1 or more");
	/* a model output declared a tensor that is a sequence */
	seq_model(&b, CELLA_ONNX_FLOAT);
	gb_node(&b.g, "SplitToSequence", x_in, Y);
	seq_refused(&b, 0, CELLA_ERR_MODEL, "output 0 ('y') is a sequence, declared a tensor");
	/* more tensors than max_tensor_bytes holds descriptions of (64 bytes: not even one; x takes 24) */
	split_then(&b, "SequenceLength");
	seq_refused(&b, 64, CELLA_ERR_TOO_LARGE, "a sequence's 1 tensor descriptions take");
	cella_test_pass("sequences refused, named: positions, types, tensors for sequences and back (also at an input "
			"of a sequence operator that takes a tensor), empty joins, split lengths, sequence outputs, too many "
			"tensors");
}


/* Dropout-12 in training mode: the identity with ratio 0 (an all-true mask); any other ratio drops at random and
 * is refused by name. */
static void test_dropout_training(void)
{
	static const int64_t d3[1] = { 3 };
	static const float xv[3] = { 1.5f, -2, 3 };
	static const uint8_t yes = 1, all[3] = { 1, 1, 1 };
	static const char *const outs[] = { "y", "mask", NULL };
	for (int k = 0; k < 2; k++) {
		const float ratio = k ? 0.25f : 0.0f;
		struct mb b;
		struct cella_onnx_model *m = NULL;
		struct cella_onnx_tensor out[2];
		single(&b, 13, "Dropout", 3, CELLA_ONNX_FLOAT);
		b.g.nout[0][1] = (char *)outs[1];
		b.g.nodes[0].n_output = 2;
		gb_io(&b.g, 1, "mask", CELLA_ONNX_BOOL, -1, NULL);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 1, d3, xv, sizeof(xv));
		gb_const(&b.g, "c1", CELLA_ONNX_FLOAT, 0, NULL, &ratio, 4);
		gb_const(&b.g, "c2", CELLA_ONNX_BOOL, 0, NULL, &yes, 1);
		cella_result r = load(&b, &m);
		if (r == CELLA_OK)
			r = cella_onnx_model_run(m, NULL, 0, out, 2);
		if (k == 0) {
			CT_RESULT(r, CELLA_OK);
			CT_ASSERT(out[0].bytes == sizeof(xv) && !memcmp(out[0].data, xv, sizeof(xv)));
			CT_ASSERT(out[1].dtype == CELLA_ONNX_BOOL && out[1].bytes == 3 && !memcmp(out[1].data, all, 3));
		} else {
			CT_RESULT(r, CELLA_ERR_MODEL_UNSUPPORTED);
			CT_ASSERT(strstr(last_log, "(Dropout)") && strstr(last_log, "training mode with ratio 0.25 drops at "
										  "random"));
		}
		cella_onnx_model_free(m);
	}
	cella_test_pass("Dropout in training mode: ratio 0 the identity with an all-true mask; ratio 0.25 refused");
}

/* ---- DeformConv ---- */

/* DeformConv-19 of X [1, C, 3, 3] (C 1: 1..9; C 2: 1..9 and 10..90) with W (constant), offset and mask (graph
 * inputs, mask optional) and bias b (constant, NULL: none); y's 1 x M x oH x oW values, or the refusal. */
static cella_result deform_run(int64_t opset, int C, const float *W, const int64_t *wd, const float *off,
			       const int64_t *odm, const float *mask, const int64_t *mdm, const float *b, int64_t og,
			       struct cella_onnx_model **m, struct cella_onnx_tensor *out)
{
	static float x2[18];
	for (int i = 0; i < 9; i++) {
		x2[i] = (float)(i + 1);
		x2[9 + i] = (float)(10 * (i + 1));
	}
	size_t on = (size_t)(odm[0] * odm[1] * odm[2] * odm[3]), mn = mdm ? (size_t)(mdm[0] * mdm[1] * mdm[2] * mdm[3]) : 0;
	const struct vten gin[3] = {
		{ "x", CELLA_ONNX_FLOAT, 4, { 1, C, 3, 3 }, x2, (size_t)C * 36 },
		{ "off", CELLA_ONNX_FLOAT, 4, { odm[0], odm[1], odm[2], odm[3] }, off, on * 4 },
		{ "mask", CELLA_ONNX_FLOAT, 4, { mdm ? mdm[0] : 0, mdm ? mdm[1] : 0, mdm ? mdm[2] : 0, mdm ? mdm[3] : 0 }, mask,
		  mn * 4 },
	};
	const struct vten cin[2] = {
		{ "w", CELLA_ONNX_FLOAT, 4, { wd[0], wd[1], wd[2], wd[3] }, W, (size_t)(wd[0] * wd[1] * wd[2] * wd[3]) * 4 },
		{ "b", CELLA_ONNX_FLOAT, 1, { wd[0] }, b, (size_t)wd[0] * 4 },
	};
	const char *ins[] = { "x", "w", "off", b ? "b" : "", mask ? "mask" : "", NULL };
	struct mb bm;
	Onnx__NodeProto *n = vis_model(&bm, opset, "DeformConv", ins, gin, mask ? 3 : 2, cin, b ? 2 : 1, CELLA_ONNX_FLOAT);
	if (og != 1)
		attr_i(&bm.g, n, "offset_group", og);
	return vis_run(&bm, gin, mask ? 3 : 2, m, out);
}

static void test_deform_conv(void)
{
	static const float W[4] = { 1, 2, 3, 4 }, ones[2] = { 1, 1 }, bias = 1;
	static const int64_t wd[4] = { 1, 1, 2, 2 }, od[4] = { 1, 8, 2, 2 }, md[4] = { 1, 4, 2, 2 };
	static const int64_t wd1[4] = { 1, 2, 1, 1 }, od2[4] = { 1, 4, 3, 3 };
	float off[32] = { 0 }, half_w[32] = { 0 }, mask[16];
	for (int t = 0; t < 4; t++)
		for (int p = 0; p < 4; p++)
			half_w[(2 * t + 1) * 4 + p] = 0.5f; /* every tap's column moved by half a pixel */
	for (int i = 0; i < 16; i++)
		mask[i] = 0.5f;
	/* zero offsets: Conv's result, 1*a + 2*b + 3*d + 4*e over each 2x2 window of 1..9 */
	static const double conv[4] = { 37, 47, 67, 77 };
	/* half a pixel right: window at (0, 0) reads 1.5, 2.5, 4.5, 5.5; at (0, 1) 2.5, then 1.5 (half of 3, half
	 * outside), 5.5, 3; at (1, 0) 4.5, 5.5, 7.5, 8.5; at (1, 1) 5.5, 3, 8.5, 4.5 */
	static const double moved[4] = { 42, 34, 72, 55 };
	/* the same with every sample times a mask of 0.5, plus a bias of 1 */
	static const double masked[4] = { 22, 18, 37, 28.5 };
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	CT_RESULT(deform_run(19, 1, W, wd, off, od, NULL, NULL, NULL, 1, &m, &y), CELLA_OK);
	CT_ASSERT(y.rank == 4 && y.dims[1] == 1 && y.dims[2] == 2 && y.dims[3] == 2);
	expect_close(&y, conv, 4, 1e-7, "zero offsets");
	cella_onnx_model_free(m);
	CT_RESULT(deform_run(19, 1, W, wd, half_w, od, NULL, NULL, NULL, 1, &m, &y), CELLA_OK);
	expect_close(&y, moved, 4, 1e-7, "half a pixel right");
	cella_onnx_model_free(m);
	CT_RESULT(deform_run(19, 1, W, wd, half_w, od, mask, md, &bias, 1, &m, &y), CELLA_OK);
	expect_close(&y, masked, 4, 1e-7, "mask 0.5 and bias 1");
	cella_onnx_model_free(m);
	/* offset groups: channel 0 (group 0) unmoved, channel 1 (group 1) read one pixel right (0 past the edge), a 1x1
	 * kernel of ones: x0[h][w] + x1[h][w + 1] */
	float off2[36] = { 0 };
	for (int p = 0; p < 9; p++)
		off2[3 * 9 + p] = 1; /* group 1's column shift */
	static const double grouped[9] = { 21, 32, 3, 54, 65, 6, 87, 98, 9 };
	CT_RESULT(deform_run(19, 2, ones, wd1, off2, od2, NULL, NULL, NULL, 2, &m, &y), CELLA_OK);
	expect_close(&y, grouped, 9, 1e-7, "two offset groups");
	cella_onnx_model_free(m);
	/* refused, named */
	static const int64_t od_bad[4] = { 1, 4, 2, 2 }, md_bad[4] = { 1, 2, 2, 2 };
	static const struct {
		int64_t opset, og;
		const int64_t *odm, *mdm;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ 19, 1, od_bad, NULL, CELLA_ERR_MODEL_SHAPE, "offset is not [1, 8, 2, 2]" },
		{ 19, 1, od, md_bad, CELLA_ERR_MODEL_SHAPE, "mask is not [1, 4, 2, 2]" },
		{ 19, 2, od, NULL, CELLA_ERR_MODEL, "attribute 'offset_group' is 2: not a divisor of the 1 channels" },
		{ 18, 1, od, NULL, CELLA_ERR_MODEL_UNSUPPORTED, "unsupported operator 'DeformConv' (opset 18" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cella_result r = deform_run(bad[i].opset, 1, W, wd, off, bad[i].odm, bad[i].mdm ? mask : NULL, bad[i].mdm,
					    NULL, bad[i].og, &m, &y);
		if (r != bad[i].r || !strstr(last_log, bad[i].msg))
			cella_test_fail(__FILE__, __LINE__, "DeformConv case %zu: %s, '%s'", i, cella_result_str(r), last_log);
		cella_onnx_model_free(m);
	}
	cella_test_pass("DeformConv: zero offsets as Conv, half-pixel shifts with the edge as 0, mask and bias, offset "
			"groups; wrong offset and mask shapes, offset_group and opset 18 refused by name");
}

/* ---- sequences through Loop and If ---- */

/* A graph input or output of b declared as a sequence (form CELLA_ONNX_FORM_SEQUENCE, as exporters declare a Loop's
 * list), an optional or an optional sequence of dtype tensors (an input's of dims when rank >= 0). */
static void gb_form_io(struct gb *b, int out, const char *name, int dtype, uint32_t form, int rank,
		       const int64_t *dims)
{
	static Onnx__TypeProto outer[64];
	static Onnx__TypeProto__Sequence seq[32];
	static Onnx__TypeProto__Optional opt[32];
	static size_t used, seqs, opts;
	CT_ASSERT(used < 62 && seqs < 32 && opts < 32);
	gb_io(b, out, name, dtype, rank, dims);
	Onnx__ValueInfoProto *v = out ? b->vop[b->g.n_output - 1] : b->vip[b->g.n_input - 1];
	if (form & CELLA_ONNX_FORM_SEQUENCE) {
		onnx__type_proto__init(&outer[used]);
		onnx__type_proto__sequence__init(&seq[seqs]);
		seq[seqs].elem_type = v->type;
		outer[used].value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
		outer[used].sequence_type = &seq[seqs++];
		v->type = &outer[used++];
	}
	if (form & CELLA_ONNX_FORM_OPTIONAL) {
		onnx__type_proto__init(&outer[used]);
		onnx__type_proto__optional__init(&opt[opts]);
		opt[opts].elem_type = v->type;
		outer[used].value_case = ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE;
		outer[used].optional_type = &opt[opts++];
		v->type = &outer[used++];
	}
}

static void gb_seq_io(struct gb *b, int out, const char *name, int dtype)
{
	gb_form_io(b, out, name, dtype, CELLA_ONNX_FORM_SEQUENCE, -1, NULL);
}

/* Loop M times (a list built up by the body: SequenceInsert of float(i)), then ConcatFromSequence or, with len,
 * SequenceLength; bad: the body gives a tensor where the list is carried. */
static cella_result seq_loop(int64_t M, int len, int bad, struct cella_onnx_model **m, struct cella_onnx_tensor *y)
{
	static const int64_t zero = 0;
	static const char *const none[] = { NULL }, *const e_o[] = { "e", NULL }, *const loop_in[] = { "M", "", "e", NULL };
	static const char *const sf_o[] = { "sf", NULL }, *const sf_in[] = { "sf", NULL };
	static const char *const i_in[] = { "i", NULL }, *const fi_o[] = { "fi", NULL }, *const un_in[] = { "fi", "ax", NULL };
	static const char *const f1_o[] = { "f1", NULL }, *const ins_in[] = { "s", "f1", NULL }, *const s2_o[] = { "s2", NULL };
	static const char *const c_in[] = { "c", NULL }, *const co_o[] = { "co", NULL };
	static struct mb b;
	static struct gb body;
	mb_init(&b, 13);
	gb_io(&b.g, 1, "y", len ? CELLA_ONNX_INT64 : CELLA_ONNX_FLOAT, -1, NULL);
	gb_const(&b.g, "M", CELLA_ONNX_INT64, 0, NULL, &M, 8);
	gb_node(&b.g, "SequenceEmpty", none, e_o);
	Onnx__NodeProto *lp = gb_node(&b.g, "Loop", loop_in, sf_o);
	if (len)
		gb_node(&b.g, "SequenceLength", sf_in, Y);
	else
		attr_i(&b.g, gb_node(&b.g, "ConcatFromSequence", sf_in, Y), "axis", 0);
	gb_init(&body, "body");
	gb_io(&body, 0, "i", CELLA_ONNX_INT64, 0, NULL);
	gb_io(&body, 0, "c", CELLA_ONNX_BOOL, 0, NULL);
	gb_seq_io(&body, 0, "s", CELLA_ONNX_FLOAT);
	gb_const(&body, "ax", CELLA_ONNX_INT64, 1, (const int64_t[]){ 1 }, &zero, 8);
	attr_i(&body, gb_node(&body, "Cast", i_in, fi_o), "to", CELLA_ONNX_FLOAT);
	gb_node(&body, "Unsqueeze", un_in, f1_o);
	gb_node(&body, "SequenceInsert", ins_in, s2_o);
	gb_node(&body, "Identity", c_in, co_o);
	gb_io(&body, 1, "co", CELLA_ONNX_BOOL, -1, NULL);
	if (bad)
		gb_io(&body, 1, "f1", CELLA_ONNX_FLOAT, -1, NULL);
	else
		gb_seq_io(&body, 1, "s2", CELLA_ONNX_FLOAT);
	attr_g(&b.g, lp, "body", &body);
	return load_run(&b, m, y);
}

static void test_sequences_subgraphs(void)
{
	static const float want3[3] = { 0, 1, 2 };
	static const int64_t zero_len = 0;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	/* a list built in a Loop of 3 and joined after it */
	CT_RESULT(seq_loop(3, 0, 0, &m, &y), CELLA_OK);
	expect_seq_out(&y, CELLA_ONNX_FLOAT, 1, (const int64_t[]){ 3 }, want3, sizeof(want3), "Loop-built list");
	cella_onnx_model_free(m);
	/* no iteration: the initial (empty) list comes out */
	CT_RESULT(seq_loop(0, 1, 0, &m, &y), CELLA_OK);
	expect_seq_out(&y, CELLA_ONNX_INT64, 0, NULL, &zero_len, 8, "Loop of 0 iterations");
	cella_onnx_model_free(m);
	/* a body giving a tensor for the carried list is refused by name */
	CT_RESULT(seq_loop(2, 0, 1, &m, &y), CELLA_ERR_MODEL);
	CT_ASSERT(strstr(last_log, "body output 1 is float, the loop-carried value a sequence of float") != NULL);
	cella_onnx_model_free(m);
	/* If whose branches make a list of an outer value each: SequenceAt 0 of the branch taken */
	static const int64_t d2[1] = { 2 }, zero = 0;
	static const float av[2] = { 1, 2 }, bv[2] = { 3, 4 };
	static const char *const if_in[] = { "cond", NULL }, *const q_o[] = { "q", NULL }, *const at_in[] = { "q", "z", NULL };
	static const char *const a_in[] = { "a", NULL }, *const b_in[] = { "b", NULL }, *const ts_o[] = { "ts", NULL };
	static const char *const es_o[] = { "es", NULL };
	for (int c = 0; c < 2; c++) {
		struct mb b;
		struct gb tb, eb;
		uint8_t cond = (uint8_t)c;
		mb_init(&b, 13);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "a", CELLA_ONNX_FLOAT, 1, d2, av, 8);
		gb_const(&b.g, "b", CELLA_ONNX_FLOAT, 1, d2, bv, 8);
		gb_const(&b.g, "cond", CELLA_ONNX_BOOL, 0, NULL, &cond, 1);
		gb_const(&b.g, "z", CELLA_ONNX_INT64, 0, NULL, &zero, 8);
		Onnx__NodeProto *in = gb_node(&b.g, "If", if_in, q_o);
		gb_node(&b.g, "SequenceAt", at_in, Y);
		gb_init(&tb, "then");
		gb_node(&tb, "SequenceConstruct", a_in, ts_o);
		gb_seq_io(&tb, 1, "ts", CELLA_ONNX_FLOAT);
		gb_init(&eb, "else");
		gb_node(&eb, "SequenceConstruct", b_in, es_o);
		gb_seq_io(&eb, 1, "es", CELLA_ONNX_FLOAT);
		attr_g(&b.g, in, "then_branch", &tb);
		attr_g(&b.g, in, "else_branch", &eb);
		CT_RESULT(load_run(&b, &m, &y), CELLA_OK);
		expect_seq_out(&y, CELLA_ONNX_FLOAT, 1, d2, c ? av : bv, 8, "If giving a list");
		cella_onnx_model_free(m);
	}
	cella_test_pass("sequences through Loop (a list built over 3 iterations, none, a tensor for the list refused) "
			"and If");
}

/* ---- sequences and optionals as model inputs and outputs (cella_onnx_model_run_values) ---- */

/* Loads b (load_limited, max_tensor_bytes mbytes) and runs it on values; outputs in out. */
static cella_result values_run(struct mb *b, uint64_t mbytes, const struct cella_onnx_value *in, size_t nin,
			       struct cella_onnx_model **m, struct cella_onnx_value *out, size_t nout)
{
	cella_result r = load_limited(b, mbytes, m);
	return r != CELLA_OK ? r : cella_onnx_model_run_values(*m, in, nin, out, nout);
}

/* A TYPE_PROTO attribute: dtype tensors under form (storage for a few). */
static void attr_tp(struct gb *b, Onnx__NodeProto *n, const char *name, int dtype, uint32_t form)
{
	static Onnx__TypeProto tp[8], inner[8];
	static Onnx__TypeProto__Tensor tt[8];
	static Onnx__TypeProto__Sequence sq[8];
	static size_t used;
	CT_ASSERT(used < 8);
	Onnx__AttributeProto *a = gb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO);
	onnx__type_proto__init(&tp[used]);
	onnx__type_proto__init(&inner[used]);
	onnx__type_proto__tensor__init(&tt[used]);
	tt[used].has_elem_type = 1;
	tt[used].elem_type = dtype;
	Onnx__TypeProto *t = form & CELLA_ONNX_FORM_SEQUENCE ? &inner[used] : &tp[used];
	t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	t->tensor_type = &tt[used];
	if (form & CELLA_ONNX_FORM_SEQUENCE) {
		onnx__type_proto__sequence__init(&sq[used]);
		sq[used].elem_type = &inner[used];
		tp[used].value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
		tp[used].sequence_type = &sq[used];
	}
	a->tp = &tp[used++];
}

/* The run failed with want and a log naming msg. */
static void expect_refused(cella_result r, cella_result want, const char *msg, const char *what)
{
	if (r != want || !strstr(last_log, msg))
		cella_test_fail(__FILE__, __LINE__, "%s: want %s '%s', got %s '%s'", what, cella_result_name(want), msg,
				cella_result_name(r), last_log);
}

/* SequenceMap(s, u, t) over float [2] tensors: body (a, b, c) gives a + b + c and Shape(a). */
static void seqmap_model(struct mb *b, struct gb *body)
{
	static const int64_t d2[1] = { 2 };
	static const char *const ins[] = { "s", "u", "t", NULL }, *const outs[] = { "y", "shapes", NULL };
	static const char *const ab[] = { "a", "b", NULL }, *const ab_o[] = { "ab", NULL };
	static const char *const abc[] = { "ab", "c", NULL }, *const o_o[] = { "o", NULL };
	static const char *const a_in[] = { "a", NULL }, *const sh_o[] = { "sh", NULL };
	mb_init(b, 17);
	gb_form_io(&b->g, 0, "s", CELLA_ONNX_FLOAT, CELLA_ONNX_FORM_SEQUENCE, 1, d2);
	gb_form_io(&b->g, 0, "u", CELLA_ONNX_FLOAT, CELLA_ONNX_FORM_SEQUENCE, 1, d2);
	gb_io(&b->g, 0, "t", CELLA_ONNX_FLOAT, 1, d2);
	gb_seq_io(&b->g, 1, "y", CELLA_ONNX_FLOAT);
	gb_seq_io(&b->g, 1, "shapes", CELLA_ONNX_INT64);
	Onnx__NodeProto *n = gb_node(&b->g, "SequenceMap", ins, outs);
	gb_init(body, "body");
	gb_io(body, 0, "a", CELLA_ONNX_FLOAT, 1, d2);
	gb_io(body, 0, "b", CELLA_ONNX_FLOAT, 1, d2);
	gb_io(body, 0, "c", CELLA_ONNX_FLOAT, 1, d2);
	gb_node(body, "Add", ab, ab_o);
	gb_node(body, "Add", abc, o_o);
	gb_node(body, "Shape", a_in, sh_o);
	gb_io(body, 1, "o", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(body, 1, "sh", CELLA_ONNX_INT64, -1, NULL);
	attr_g(&b->g, n, "body", body);
}

static void test_values_sequences(void)
{
	static const int64_t d2[1] = { 2 }, d3[1] = { 3 }, two = 2;
	static float s0[2] = { 1, 2 }, s1[2] = { 3, 4 }, u0[2] = { 0.5f, 0.25f }, u1[2] = { -1, -2 }, t[2] = { 10, 20 };
	static float wide[3] = { 1, 2, 3 };
	static int64_t i64[2] = { 1, 2 };
	static const float y0[2] = { 11.5f, 22.25f }, y1[2] = { 12, 22 };
	struct mb b;
	struct gb body;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor sv[2] = { ftensor(s0, 1, d2), ftensor(s1, 1, d2) };
	struct cella_onnx_tensor uv[2] = { ftensor(u0, 1, d2), ftensor(u1, 1, d2) };
	struct cella_onnx_value in[3], out[2];
	memset(in, 0, sizeof(in));
	in[0] = (struct cella_onnx_value){ .kind = CELLA_ONNX_VALUE_SEQUENCE, .items = sv, .n_items = 2 };
	in[0].tensor.dtype = CELLA_ONNX_FLOAT;
	in[1] = (struct cella_onnx_value){ .kind = CELLA_ONNX_VALUE_SEQUENCE, .items = uv, .n_items = 2 };
	in[1].tensor.dtype = CELLA_ONNX_FLOAT;
	in[2].tensor = ftensor(t, 1, d2);
	seqmap_model(&b, &body);
	CT_RESULT(values_run(&b, 0, in, 3, &m, out, 2), CELLA_OK);
	CT_ASSERT(cella_onnx_model_input_form(m, 0) == CELLA_ONNX_FORM_SEQUENCE);
	CT_ASSERT(cella_onnx_model_input_form(m, 2) == 0);
	CT_ASSERT(cella_onnx_model_output_form(m, 1) == CELLA_ONNX_FORM_SEQUENCE);
	CT_ASSERT(cella_onnx_model_input_form(m, 3) == CELLA_ONNX_FORM_NOT_FOUND);
	CT_ASSERT(cella_onnx_model_output_form(m, 2) == CELLA_ONNX_FORM_NOT_FOUND);
	{
		const char *name;
		struct cella_onnx_tensor info;
		CT_RESULT(cella_onnx_model_input_info(m, 0, &name, &info), CELLA_OK);
		CT_ASSERT(info.dtype == CELLA_ONNX_FLOAT && info.rank == 1 && info.dims[0] == 2); /* its tensors' */
	}
	CT_ASSERT(out[0].kind == CELLA_ONNX_VALUE_SEQUENCE && out[0].n_items == 2 &&
		  out[0].tensor.dtype == CELLA_ONNX_FLOAT);
	expect_seq_out(&out[0].items[0], CELLA_ONNX_FLOAT, 1, d2, y0, sizeof(y0), "SequenceMap's sum 0");
	expect_seq_out(&out[0].items[1], CELLA_ONNX_FLOAT, 1, d2, y1, sizeof(y1), "SequenceMap's sum 1");
	CT_ASSERT(out[1].kind == CELLA_ONNX_VALUE_SEQUENCE && out[1].n_items == 2 &&
		  out[1].tensor.dtype == CELLA_ONNX_INT64);
	expect_seq_out(&out[1].items[1], CELLA_ONNX_INT64, 1, (const int64_t[]){ 1 }, &two, 8, "SequenceMap's Shape");
	/* the input was copied in: changing the caller's data after the run changes nothing the model gave */
	s0[0] = 100;
	expect_seq_out(&out[0].items[0], CELLA_ONNX_FLOAT, 1, d2, y0, sizeof(y0), "outputs after the input changed");
	s0[0] = 1;
	/* over empty sequences: empty sequences of the body's declared types */
	in[0].n_items = in[1].n_items = 0;
	CT_RESULT(cella_onnx_model_run_values(m, in, 3, out, 2), CELLA_OK);
	CT_ASSERT(out[0].kind == CELLA_ONNX_VALUE_SEQUENCE && out[0].n_items == 0 &&
		  out[0].tensor.dtype == CELLA_ONNX_FLOAT);
	CT_ASSERT(out[1].kind == CELLA_ONNX_VALUE_SEQUENCE && out[1].n_items == 0 &&
		  out[1].tensor.dtype == CELLA_ONNX_INT64);
	in[0].n_items = in[1].n_items = 2;
	/* the tensor API refuses the model, by name */
	{
		struct cella_onnx_tensor tin[3] = { sv[0], uv[0], in[2].tensor }, tout[2];
		expect_refused(cella_onnx_model_run(m, tin, 3, tout, 2), CELLA_ERR_INVALID_ARG,
			       "input 0 ('s') is a sequence: run the model with cella_onnx_model_run_values", "tensor API");
	}
	/* values of the wrong kind, type or shape */
	struct cella_onnx_value bad[3];
	memcpy(bad, in, sizeof(bad));
	bad[0].kind = CELLA_ONNX_VALUE_TENSOR;
	bad[0].tensor = sv[0];
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 0 ('s') is a tensor, declared a sequence", "a tensor for a sequence");
	memcpy(bad, in, sizeof(bad));
	bad[2].kind = CELLA_ONNX_VALUE_SEQUENCE;
	bad[2].items = sv;
	bad[2].n_items = 2;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 2 ('t') is a sequence, declared a tensor", "a sequence for a tensor");
	memcpy(bad, in, sizeof(bad));
	bad[1].kind = CELLA_ONNX_VALUE_NONE;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 1 ('u') is empty (none), declared a sequence", "none for a sequence");
	memcpy(bad, in, sizeof(bad));
	bad[0].kind = (cella_onnx_value_kind)7;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 0 ('s'): kind 7 is not a cella_onnx_value_kind", "an unknown kind");
	struct cella_onnx_tensor ints[1] = { { .dtype = CELLA_ONNX_INT64, .rank = 1, .dims = { 2 }, .data = i64,
					       .bytes = 16 } };
	memcpy(bad, in, sizeof(bad));
	bad[0].tensor.dtype = CELLA_ONNX_INT64;
	bad[0].items = ints;
	bad[0].n_items = 1;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 0 ('s'): a sequence of int64, declared of float", "a sequence of another type");
	memcpy(bad, in, sizeof(bad));
	bad[0].items = ints; /* the sequence says float, its tensor is int64 */
	bad[0].n_items = 1;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 0 ('s'), tensor 0 of its sequence: type int64, declared float", "a tensor of another type");
	struct cella_onnx_tensor mixed[2] = { sv[0], ftensor(wide, 1, d3) };
	memcpy(bad, in, sizeof(bad));
	bad[1].items = mixed;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 1 ('u'), tensor 1 of its sequence: dim 0 is 3, declared 2", "a tensor of another shape");
	memcpy(bad, in, sizeof(bad));
	bad[1].items = NULL;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "input 1 ('u'): a sequence of 2 tensors without items", "items NULL");
	memcpy(bad, in, sizeof(bad));
	bad[1].n_items = 1;
	expect_refused(cella_onnx_model_run_values(m, bad, 3, out, 2), CELLA_ERR_MODEL_SHAPE,
		       "input 1 is a sequence of 1 tensors, input 0 of 2", "sequences of two lengths");
	expect_refused(cella_onnx_model_run_values(m, NULL, 3, out, 2), CELLA_ERR_INVALID_ARG,
		       "run with 3 inputs and 2 outputs (and a NULL array)", "a NULL array");
	/* and after all that, the model still runs */
	CT_RESULT(cella_onnx_model_run_values(m, in, 3, out, 2), CELLA_OK);
	expect_seq_out(&out[0].items[1], CELLA_ONNX_FLOAT, 1, d2, y1, sizeof(y1), "a run after the refusals");
	cella_onnx_model_free(m);
	/* a sequence's tensor descriptions over max_tensor_bytes */
	seqmap_model(&b, &body);
	expect_refused(values_run(&b, 64, in, 3, &m, out, 2), CELLA_ERR_TOO_LARGE,
		       "input 0 ('s'): a sequence of 2 tensors, whose descriptions take over max_tensor_bytes (64)",
		       "max_tensor_bytes");
	cella_onnx_model_free(m);
	/* float16 tensors in and out of a sequence: widened and narrowed, the bits come back as they went in */
	{
		static uint16_t h0[2] = { 0x3c00, 0xc001 }, h1[1] = { 0x7bff };
		static const char *const s_in[] = { "s", NULL }, *const y_o[] = { "y", NULL };
		struct cella_onnx_tensor hv[2] = { { .dtype = CELLA_ONNX_FLOAT16, .rank = 1, .dims = { 2 }, .data = h0,
						     .bytes = 4 },
						   { .dtype = CELLA_ONNX_FLOAT16, .rank = 1, .dims = { 1 }, .data = h1,
						     .bytes = 2 } };
		struct cella_onnx_value hin = { .kind = CELLA_ONNX_VALUE_SEQUENCE, .items = hv, .n_items = 2 }, hout;
		hin.tensor.dtype = CELLA_ONNX_FLOAT16;
		mb_init(&b, 16);
		gb_form_io(&b.g, 0, "s", CELLA_ONNX_FLOAT16, CELLA_ONNX_FORM_SEQUENCE, 1, (const int64_t[]){ -1 });
		gb_seq_io(&b.g, 1, "y", CELLA_ONNX_FLOAT16);
		gb_node(&b.g, "Identity", s_in, y_o);
		CT_RESULT(values_run(&b, 0, &hin, 1, &m, &hout, 1), CELLA_OK);
		CT_ASSERT(hout.kind == CELLA_ONNX_VALUE_SEQUENCE && hout.n_items == 2 &&
			  hout.tensor.dtype == CELLA_ONNX_FLOAT16);
		expect_seq_out(&hout.items[0], CELLA_ONNX_FLOAT16, 1, (const int64_t[]){ 2 }, h0, 4, "float16 tensor 0");
		expect_seq_out(&hout.items[1], CELLA_ONNX_FLOAT16, 1, (const int64_t[]){ 1 }, h1, 2, "float16 tensor 1");
		cella_onnx_model_free(m);
	}
	cella_test_pass("sequences as model inputs and outputs: SequenceMap over two sequences and a tensor (two "
			"outputs, empty sequences of the body's types), copied in, float16 bits kept; the tensor API, "
			"wrong kinds, types, shapes, lengths, missing items and max_tensor_bytes refused by name");
}

/* A model over optional input o (float [2]) whose node op gives y (form yform). */
static void opt_model(struct mb *b, const char *op, uint32_t yform, int ydt)
{
	static const int64_t d2[1] = { 2 };
	static const char *const o_in[] = { "o", NULL };
	mb_init(b, 18);
	gb_form_io(&b->g, 0, "o", CELLA_ONNX_FLOAT, CELLA_ONNX_FORM_OPTIONAL, 1, d2);
	gb_form_io(&b->g, 1, "y", ydt, yform, -1, NULL);
	gb_node(&b->g, op, o_in, Y);
}

static void test_values_optionals(void)
{
	static const int64_t d2[1] = { 2 };
	static float x[2] = { 5, -6 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_value none = { .kind = CELLA_ONNX_VALUE_NONE }, some = { .kind = CELLA_ONNX_VALUE_TENSOR }, y;
	some.tensor = ftensor(x, 1, d2);
	/* OptionalHasElement: false for an empty optional, true for one holding a tensor */
	opt_model(&b, "OptionalHasElement", 0, CELLA_ONNX_BOOL);
	CT_RESULT(values_run(&b, 0, &none, 1, &m, &y, 1), CELLA_OK);
	CT_ASSERT(cella_onnx_model_input_form(m, 0) == CELLA_ONNX_FORM_OPTIONAL);
	CT_ASSERT(y.kind == CELLA_ONNX_VALUE_TENSOR && y.tensor.dtype == CELLA_ONNX_BOOL && y.tensor.rank == 0 &&
		  *(const uint8_t *)y.tensor.data == 0);
	CT_RESULT(cella_onnx_model_run_values(m, &some, 1, &y, 1), CELLA_OK);
	CT_ASSERT(*(const uint8_t *)y.tensor.data == 1);
	{
		struct cella_onnx_tensor tout;
		expect_refused(cella_onnx_model_run(m, &some.tensor, 1, &tout, 1), CELLA_ERR_INVALID_ARG,
			       "input 0 ('o') is an optional tensor: run the model with cella_onnx_model_run_values",
			       "the tensor API");
	}
	cella_onnx_model_free(m);
	/* OptionalGetElement: the tensor held; an empty optional refused by name */
	opt_model(&b, "OptionalGetElement", 0, CELLA_ONNX_FLOAT);
	CT_RESULT(values_run(&b, 0, &some, 1, &m, &y, 1), CELLA_OK);
	expect_seq_out(&y.tensor, CELLA_ONNX_FLOAT, 1, d2, x, sizeof(x), "OptionalGetElement");
	expect_refused(cella_onnx_model_run_values(m, &none, 1, &y, 1), CELLA_ERR_MODEL,
		       "input 0 ('o') is an empty optional: there is no element to get", "OptionalGetElement of none");
	cella_onnx_model_free(m);
	/* Identity passes an empty optional on as one */
	opt_model(&b, "Identity", CELLA_ONNX_FORM_OPTIONAL, CELLA_ONNX_FLOAT);
	CT_RESULT(values_run(&b, 0, &none, 1, &m, &y, 1), CELLA_OK);
	CT_ASSERT(y.kind == CELLA_ONNX_VALUE_NONE && y.tensor.dtype == CELLA_ONNX_FLOAT);
	CT_RESULT(cella_onnx_model_run_values(m, &some, 1, &y, 1), CELLA_OK);
	CT_ASSERT(y.kind == CELLA_ONNX_VALUE_TENSOR);
	expect_seq_out(&y.tensor, CELLA_ONNX_FLOAT, 1, d2, x, sizeof(x), "Identity of an optional");
	cella_onnx_model_free(m);
	/* an empty optional where an operator takes a value */
	opt_model(&b, "Relu", 0, CELLA_ONNX_FLOAT);
	expect_refused(values_run(&b, 0, &none, 1, &m, &y, 1), CELLA_ERR_MODEL,
		       "input 0 ('o') is an empty optional; Relu takes a value there", "Relu of none");
	CT_RESULT(cella_onnx_model_run_values(m, &some, 1, &y, 1), CELLA_OK);
	cella_onnx_model_free(m);
	/* Optional: of a tensor, and empty of the type attribute's (a sequence of int64) */
	{
		static const char *const x_in[] = { "x", NULL }, *const none_in[] = { NULL };
		struct cella_onnx_value ys[2];
		mb_init(&b, 15);
		gb_const(&b.g, "x", CELLA_ONNX_FLOAT, 1, d2, x, sizeof(x));
		gb_form_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, CELLA_ONNX_FORM_OPTIONAL, -1, NULL);
		gb_form_io(&b.g, 1, "e", CELLA_ONNX_INT64, CELLA_ONNX_FORM_OPTIONAL | CELLA_ONNX_FORM_SEQUENCE, -1, NULL);
		gb_node(&b.g, "Optional", x_in, Y);
		attr_tp(&b.g, gb_node(&b.g, "Optional", none_in, (const char *const[]){ "e", NULL }), "type",
			CELLA_ONNX_INT64, CELLA_ONNX_FORM_SEQUENCE);
		CT_RESULT(values_run(&b, 0, NULL, 0, &m, ys, 2), CELLA_OK);
		CT_ASSERT(cella_onnx_model_output_form(m, 1) == (CELLA_ONNX_FORM_OPTIONAL | CELLA_ONNX_FORM_SEQUENCE));
		CT_ASSERT(ys[0].kind == CELLA_ONNX_VALUE_TENSOR);
		expect_seq_out(&ys[0].tensor, CELLA_ONNX_FLOAT, 1, d2, x, sizeof(x), "Optional of a tensor");
		CT_ASSERT(ys[1].kind == CELLA_ONNX_VALUE_NONE && ys[1].tensor.dtype == CELLA_ONNX_INT64);
		cella_onnx_model_free(m);
		/* neither an input nor a type */
		mb_init(&b, 15);
		gb_form_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, CELLA_ONNX_FORM_OPTIONAL, -1, NULL);
		gb_node(&b.g, "Optional", none_in, Y);
		expect_refused(values_run(&b, 0, NULL, 0, &m, ys, 1), CELLA_ERR_MODEL,
			       "no input and no attribute 'type' (a type) for the empty optional", "Optional of nothing");
		cella_onnx_model_free(m);
	}
	cella_test_pass("optionals as model inputs and outputs: OptionalHasElement, OptionalGetElement, Identity, "
			"Optional (of a tensor, empty of its type); an empty optional where a value is needed, the tensor "
			"API and an Optional of nothing refused by name");
}

/* A Scan over a float16 input: its slices are float16 in the body, so CastLike(int32 2049, slice) rounds to 2048
 * and minus 2048 is 0 for each of the 2 slices (1 if the slice were taken for float). */
static void test_half_scan(void)
{
	static const int64_t d1[1] = { 1 }, d21[2] = { 2, 1 };
	static const float s0 = 0;
	static const uint16_t xv[2] = { 0x3c00, 0x4200 }, k2048 = 0x6800, zeros[2] = { 0, 0 };
	static const int32_t i2049 = 2049;
	static const char *const ins[] = { "S0", "X", NULL }, *const outs[] = { "sf", "Y", NULL };
	static const char *const cl_in[] = { "i", "xs", NULL }, *const c_o[] = { "c", NULL };
	static const char *const sub_in[] = { "c", "k", NULL }, *const y_o[] = { "y", NULL };
	static const char *const s_in[] = { "s", NULL }, *const so[] = { "s_out", NULL };
	struct mb b;
	struct gb body;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[2];
	mb_init(&b, 15);
	gb_io(&b.g, 1, "sf", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&b.g, 1, "Y", CELLA_ONNX_FLOAT16, -1, NULL);
	gb_const(&b.g, "S0", CELLA_ONNX_FLOAT, 1, d1, &s0, 4);
	gb_const(&b.g, "X", CELLA_ONNX_FLOAT16, 2, d21, xv, sizeof(xv));
	attr_i(&b.g, gb_node(&b.g, "Scan", ins, outs), "num_scan_inputs", 1);
	gb_init(&body, "body");
	gb_io(&body, 0, "s", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&body, 0, "xs", CELLA_ONNX_FLOAT16, -1, NULL);
	gb_const(&body, "i", CELLA_ONNX_INT32, 1, d1, &i2049, 4);
	gb_const(&body, "k", CELLA_ONNX_FLOAT16, 1, d1, &k2048, 2);
	gb_node(&body, "CastLike", cl_in, c_o);
	gb_node(&body, "Sub", sub_in, y_o);
	gb_node(&body, "Identity", s_in, so);
	gb_io(&body, 1, "s_out", CELLA_ONNX_FLOAT, -1, NULL);
	gb_io(&body, 1, "y", CELLA_ONNX_FLOAT16, -1, NULL);
	attr_g(&b.g, b.g.np[0], "body", &body);
	CT_RESULT(load(&b, &m), CELLA_OK);
	CT_RESULT(cella_onnx_model_run(m, NULL, 0, out, 2), CELLA_OK);
	expect_bits(&out[1], CELLA_ONNX_FLOAT16, zeros, 2, "CastLike to a float16 Scan slice");
	cella_onnx_model_free(m);
	cella_test_pass("a Scan's slices of a float16 input are float16 in its body (CastLike rounds to them)");
}

/* ---- the optimizers of ai.onnx.preview.training: Adagrad, Momentum, Adam ---- */

#define TR_MAXT 2 /* tensors optimized */
#define TR_MAXN 2 /* elements of each */

/* An optimizer case: op over R (of type rdt), T and per group (X, G, then the states) and tensor the first len[i]
 * values of v, each tensor [len[i]] of type dt; want per output group (new X, then the new states). */
struct trc {
	const char *op;
	int groups, nt, dt, rdt;
	double r;
	int64_t t;
	int64_t len[TR_MAXT];
	const char *fa[6];   /* float attributes, NULL-terminated, with their values in fv */
	float fv[6];
	const char *mode;    /* Momentum's mode, NULL: absent */
	double v[4][TR_MAXT][TR_MAXN];
	double want[3][TR_MAXT][TR_MAXN];
};

#define TR_DYN 1   /* the tensors' dims declared dynamic: the node runs at run, not in the load's shape pass */
#define TR_CONST 2 /* every input an initializer: the node is folded at load */
#define TR_RELU 4  /* X1 is Relu(X1in), the model importing the default domain as well */

static const char *const tr_in[4][TR_MAXT] = { { "X1", "X2" }, { "G1", "G2" }, { "S1", "S2" }, { "U1", "U2" } };
static const char *const tr_out[3][TR_MAXT] = { { "X1_new", "X2_new" }, { "S1_new", "S2_new" },
						{ "U1_new", "U2_new" } };

/* The bytes of R, T and each tensor of c (in the node's input order) for a run or an initializer. */
struct tr_data {
	int n;
	struct cella_onnx_tensor t[2 + 4 * TR_MAXT];
	uint8_t raw[2 + 4 * TR_MAXT][TR_MAXN * 8];
};

static void tr_data(const struct trc *c, struct tr_data *d)
{
	memset(d, 0, sizeof(*d));
	d->t[0] = (struct cella_onnx_tensor){ .dtype = (cella_onnx_dtype)c->rdt, .rank = 0, .data = d->raw[0] };
	if (c->rdt == CELLA_ONNX_DOUBLE)
		memcpy(d->raw[0], &c->r, 8);
	else {
		float f = (float)c->r;
		memcpy(d->raw[0], &f, 4);
	}
	d->t[0].bytes = c->rdt == CELLA_ONNX_DOUBLE ? 8 : 4;
	d->t[1] = (struct cella_onnx_tensor){ .dtype = CELLA_ONNX_INT64, .rank = 0, .data = d->raw[1], .bytes = 8 };
	memcpy(d->raw[1], &c->t, 8);
	d->n = 2;
	for (int j = 0; j < c->groups; j++)
		for (int i = 0; i < c->nt; i++, d->n++) {
			struct cella_onnx_tensor *t = &d->t[d->n];
			size_t es = c->dt == CELLA_ONNX_DOUBLE ? 8 : 4;
			*t = (struct cella_onnx_tensor){ .dtype = (cella_onnx_dtype)c->dt, .rank = 1, .dims = { c->len[i] },
							 .data = d->raw[d->n], .bytes = (size_t)c->len[i] * es };
			for (int64_t e = 0; e < c->len[i]; e++) {
				float f = (float)c->v[j][i][e];
				memcpy(d->raw[d->n] + e * (int64_t)es, c->dt == CELLA_ONNX_DOUBLE ? (const void *)&c->v[j][i][e]
											  : (const void *)&f, es);
			}
		}
}

/* The model of case c (flags TR_*): one node of domain ai.onnx.preview.training, which the model imports at
 * version 1 (and only it, as ONNX's own test models do, but for TR_RELU); every input a graph input but for
 * TR_CONST, every output a graph output. The node, to alter. */
static Onnx__NodeProto *tr_model(struct mb *b, const struct trc *c, int flags, struct tr_data *d)
{
	static const char *const relu_in[] = { "X1in", NULL }, *const relu_out[] = { "X1", NULL };
	const char *ins[2 + 4 * TR_MAXT + 1] = { "R", "T" }, *outs[3 * TR_MAXT + 1] = { NULL };
	int k = 2, o = 0;
	mb_init(b, 13);
	b->os.domain = "ai.onnx.preview.training";
	b->os.version = 1;
	if (flags & TR_RELU) {
		onnx__operator_set_id_proto__init(&b->os2);
		b->os2.has_version = 1;
		b->os2.version = 13;
		b->os2.domain = "";
		b->osp[1] = &b->os2;
		b->m.n_opset_import = 2;
	}
	tr_data(c, d);
	for (int j = 0; j < c->groups && j < 4; j++) /* the bounds of tr_in, which gcc -O3 cannot see in c */
		for (int i = 0; i < c->nt && i < TR_MAXT; i++)
			ins[k++] = tr_in[j][i];
	ins[k] = NULL;
	for (int j = 0; j < c->groups - 1; j++)
		for (int i = 0; i < c->nt; i++, o++) {
			outs[o] = tr_out[j][i];
			gb_io(&b->g, 1, outs[o], c->dt, -1, NULL);
		}
	outs[o] = NULL;
	for (k = 0; k < d->n; k++) {
		const struct cella_onnx_tensor *t = &d->t[k];
		int64_t dims[1] = { flags & TR_DYN && k >= 2 ? -1 : t->dims[0] };
		const char *name = k == 2 && (flags & TR_RELU) ? "X1in" : ins[k];
		if (flags & TR_CONST)
			gb_const(&b->g, name, t->dtype, (int)t->rank, t->dims, t->data, t->bytes);
		else
			gb_io(&b->g, 0, name, t->dtype, (int)t->rank, dims);
	}
	Onnx__NodeProto *n = gb_node(&b->g, c->op, ins, outs);
	n->domain = "ai.onnx.preview.training";
	for (int a = 0; c->fa[a]; a++)
		attr_f(&b->g, n, c->fa[a], c->fv[a]);
	if (c->mode)
		attr_s(&b->g, n, "mode", c->mode);
	if (flags & TR_RELU)
		gb_node(&b->g, "Relu", relu_in, relu_out);
	return n;
}

/* Runs case c (flags TR_*) and checks every output against want, to 1e-6 of the larger of 1 and its magnitude. */
static void tr_check(const struct trc *c, int flags, const char *what)
{
	struct mb b;
	struct tr_data d;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[3 * TR_MAXT];
	int nout = (c->groups - 1) * c->nt;
	tr_model(&b, c, flags, &d);
	CT_RESULT(load(&b, &m), CELLA_OK);
	if (cella_onnx_model_run(m, flags & TR_CONST ? NULL : d.t, flags & TR_CONST ? 0 : (size_t)d.n, out,
				 (size_t)nout) != CELLA_OK)
		cella_test_fail(__FILE__, __LINE__, "%s: the run failed: %s", what, last_log);
	for (int j = 0; j < c->groups - 1; j++)
		for (int i = 0; i < c->nt; i++) {
			const struct cella_onnx_tensor *y = &out[j * c->nt + i];
			char w[160];
			snprintf(w, sizeof(w), "%s, output %s", what, tr_out[j][i]);
			if (y->dtype != (cella_onnx_dtype)c->dt || y->rank != 1 || y->dims[0] != c->len[i])
				cella_test_fail(__FILE__, __LINE__, "%s: type %d rank %u", w, (int)y->dtype, y->rank);
			expect_close(y, c->want[j][i], (size_t)c->len[i], 1e-6, w);
		}
	cella_onnx_model_free(m);
}

/* Sets c's T and what its first tensor's new X and first new state are to hold (two values each). */
static void tr_want(struct trc *c, int64_t t, double x0, double x1, double s0, double s1)
{
	c->t = t;
	c->want[0][0][0] = x0;
	c->want[0][0][1] = x1;
	c->want[1][0][0] = s0;
	c->want[1][0][1] = s1;
}

static void test_training_optimizers(void)
{
	/* Adagrad: r = R / (1 + T * decay_factor); Gr = norm_coefficient * X + G; H_new = H + Gr^2;
	 * X_new = X - r * Gr / (sqrt(H_new) + epsilon). R 0.5, decay 0.5, norm 0.5, epsilon 0, X [2, -1], G [2, 3.5],
	 * H [0, 16]: Gr [3, 3], H_new [9, 25]; at T 2 r = 0.25, X_new [2 - 0.25, -1 - 0.25 * 0.6] = [1.75, -1.15]; at
	 * T 0 r = R = 0.5, [1.5, -1.3] */
	struct trc ada = { "Adagrad", 3, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 0.5, 2, { 2 },
			   { "decay_factor", "norm_coefficient", "epsilon", NULL }, { 0.5f, 0.5f, 0 }, NULL,
			   { { { 2, -1 } }, { { 2, 3.5 } }, { { 0, 16 } } }, { { { 1.75, -1.15 } }, { { 9, 25 } } } };
	tr_check(&ada, 0, "Adagrad with decay_factor and norm_coefficient at T 2");
	tr_want(&ada, 0, 1.5, -1.3, 9, 25);
	tr_check(&ada, TR_DYN, "Adagrad at T 0 (R undecayed), dims known at run");
	/* the defaults (epsilon 1e-6, no decay, no norm) over two tensors: a zero gradient over H 0 leaves X as it is
	 * (0 / epsilon, not 0 / 0); X2 1, G 4, H 9: H_new 25, X_new 1 - 0.5 * 4 / (5 + 1e-6) = 0.60000008 */
	struct trc ada2 = { "Adagrad", 3, 2, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 0.5, 7, { 1, 1 }, { NULL }, { 0 }, NULL,
			    { { { 3 }, { 1 } }, { { 0 }, { 4 } }, { { 0 }, { 9 } } },
			    { { { 3 }, { 0.60000008 } }, { { 0 }, { 25 } } } };
	tr_check(&ada2, 0, "Adagrad's defaults over two tensors");

	/* Momentum: Gr = norm * X + G; beta' = T > 0 ? beta : 1; V_new = alpha * V + beta' * Gr; standard: X_new =
	 * X - R * V_new; nesterov: X_new = X - R * (Gr + alpha * V_new). R 0.5, alpha 0.5, beta 0.25, norm 0.5, X
	 * [2, -4], G [1, 0], V [4, -2]: Gr [2, -2]. T 3: V_new [2 + 0.5, -1 - 0.5] = [2.5, -1.5], standard X_new
	 * [0.75, -3.25], nesterov [2 - 0.5 * 3.25, -4 + 0.5 * 2.75] = [0.375, -2.625]. T 0: V_new [4, -3], standard
	 * [0, -2.5], nesterov [2 - 0.5 * 4, -4 + 0.5 * 3.5] = [0, -2.25] */
	struct trc mom = { "Momentum", 3, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 0.5, 3, { 2 },
			   { "alpha", "beta", "norm_coefficient", NULL }, { 0.5f, 0.25f, 0.5f }, "standard",
			   { { { 2, -4 } }, { { 1, 0 } }, { { 4, -2 } } }, { { { 0.75, -3.25 } }, { { 2.5, -1.5 } } } };
	tr_check(&mom, 0, "Momentum standard at T 3");
	tr_check(&mom, TR_CONST, "Momentum standard at T 3, folded at load");
	tr_want(&mom, 0, 0, -2.5, 4, -3);
	tr_check(&mom, 0, "Momentum standard at T 0 (beta taken as 1)");
	mom.mode = "nesterov";
	tr_want(&mom, 0, 0, -2.25, 4, -3);
	tr_check(&mom, TR_DYN, "Momentum nesterov at T 0");
	tr_want(&mom, 3, 0.375, -2.625, 2.5, -1.5);
	tr_check(&mom, 0, "Momentum nesterov at T 3");
	/* double, two tensors, R double: the first as above (standard, T 3); X2 1, G -1, V 0: Gr -0.5, V_new -0.125,
	 * X_new 1 + 0.5 * 0.125 = 1.0625 */
	struct trc mom2 = { "Momentum", 3, 2, CELLA_ONNX_DOUBLE, CELLA_ONNX_DOUBLE, 0.5, 3, { 2, 1 },
			    { "alpha", "beta", "norm_coefficient", NULL }, { 0.5f, 0.25f, 0.5f }, "standard",
			    { { { 2, -4 }, { 1 } }, { { 1, 0 }, { -1 } }, { { 4, -2 }, { 0 } } },
			    { { { 0.75, -3.25 }, { 1.0625 } }, { { 2.5, -1.5 }, { -0.125 } } } };
	tr_check(&mom2, 0, "Momentum on double, two tensors");

	/* Adam: Gr = norm * X + G; V_new = alpha * V + (1 - alpha) * Gr; H_new = beta * H + (1 - beta) * Gr^2;
	 * R' = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R; X_new = (1 - norm_post) * (X - R' * V_new /
	 * (sqrt(H_new) + epsilon)). R 0.5, alpha 0.5, beta 0.8, norm 0.5, norm_post 0.25, epsilon 0, X [2, 4], G
	 * [0, 0], V [1, 2], H [0.0625, 4]: Gr [1, 2], V_new [1, 2], H_new [0.05 + 0.2, 3.2 + 0.8] = [0.25, 4]. T 2:
	 * R' = 0.5 * sqrt(0.36) / 0.75 = 0.4, X_new 0.75 * [2 - 0.8, 4 - 0.4] = [0.9, 2.7]; T 0: R' = 0.5,
	 * 0.75 * [1, 3.5] = [0.75, 2.625]. R given as double to float tensors (R and the tensors are of two type
	 * constraints), X1 through a Relu of the default domain. */
	struct trc adam = { "Adam", 4, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_DOUBLE, 0.5, 2, { 2 },
			    { "alpha", "beta", "norm_coefficient", "norm_coefficient_post", "epsilon" },
			    { 0.5f, 0.8f, 0.5f, 0.25f, 0 }, NULL,
			    { { { 2, 4 } }, { { 0, 0 } }, { { 1, 2 } }, { { 0.0625, 4 } } },
			    { { { 0.9, 2.7 } }, { { 1, 2 } }, { { 0.25, 4 } } } };
	tr_check(&adam, TR_RELU, "Adam with norm_coefficient_post at T 2, after a Relu");
	tr_want(&adam, 0, 0.75, 2.625, 1, 2);
	tr_check(&adam, 0, "Adam at T 0 (no bias correction)");
	/* the defaults (alpha 0.9, beta 0.999, epsilon 1e-6, no norms) as float32 attributes: R 1, T 0, X [0, 1],
	 * G [1, 0], V [0, 1], H [0, 1]: V_new [0.1, 0.9], H_new [0.001, 0.999], X_new [-0.1 / (0.0316226 + 1e-6),
	 * 1 - 0.9 / 0.9995] (epsilon moves the first by 3e-5 of itself) */
	struct trc adam2 = { "Adam", 4, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 1, 0, { 2 }, { NULL }, { 0 }, NULL,
			     { { { 0, 1 } }, { { 1, 0 } }, { { 0, 1 } }, { { 0, 1 } } },
			     { { { -3.16219877, 0.0995505928 } }, { { 0.100000024, 0.899999976 } },
			       { { 0.000999987125, 0.999000013 } } } };
	tr_check(&adam2, 0, "Adam's defaults");
	cella_test_pass("Adagrad, Momentum and Adam (ai.onnx.preview.training-1) against updates worked out by hand");
}

/* How a refused case alters the model of tr_model. */
enum { TRB_NONE, TRB_EXTRA_IN, TRB_OUT_SHORT, TRB_NO_G, TRB_G3, TRB_H_DOUBLE, TRB_X_INT32, TRB_X_HALF, TRB_R_INT64,
       TRB_R2, TRB_T_INT32, TRB_T11, TRB_EPS_STRING, TRB_NO_IMPORT, TRB_OPSET2, TRB_DEFAULT_DOMAIN, TRB_RELU_TRAINING,
       TRB_NO_DEFAULT, TRB_RUN_G3 };

/* Graph input k of b declared again with rank and dims (its name and type kept). */
static void tr_redeclare(struct mb *b, int k, int dtype, int rank, const int64_t *dims)
{
	struct gb *g = &b->g;
	struct tk_vi w = { &g->vin[k], &g->tin[k], &g->ttin[k], &g->sin[k], g->dims[k], g->dimp[k] };
	tk_value_info(&w, g->vin[k].name, dtype, 1, rank, dims);
}

/* Case c (flags TR_*) altered by how (TRB_*) is refused with want, at load (at run for TRB_RUN_G3), the message
 * naming the node and holding msg. */
static void tr_refused(const struct trc *c, int flags, int how, cella_result want, const char *msg)
{
	static const int64_t two[1] = { 2 }, one_one[2] = { 1, 1 };
	struct mb b;
	struct tr_data d;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor out[3 * TR_MAXT];
	Onnx__NodeProto *n = tr_model(&b, c, flags, &d);
	cella_result r;
	switch (how) {
	case TRB_EXTRA_IN: b.g.nin[0][n->n_input++] = "X1"; break;
	case TRB_OUT_SHORT: n->n_output--, b.g.g.n_output--; break;
	case TRB_NO_G: b.g.nin[0][3] = ""; break;
	case TRB_G3: b.g.dims[3][0].dim_value = 3; break;
	case TRB_H_DOUBLE: b.g.ttin[4].elem_type = CELLA_ONNX_DOUBLE; break;
	case TRB_X_INT32: b.g.ttin[2].elem_type = CELLA_ONNX_INT32; break;
	case TRB_X_HALF: b.g.ttin[2].elem_type = CELLA_ONNX_FLOAT16; break;
	case TRB_R_INT64: b.g.ttin[0].elem_type = CELLA_ONNX_INT64; break;
	case TRB_R2: tr_redeclare(&b, 0, c->rdt, 1, two); break;
	case TRB_T_INT32: b.g.ttin[1].elem_type = CELLA_ONNX_INT32; break;
	case TRB_T11: tr_redeclare(&b, 1, CELLA_ONNX_INT64, 2, one_one); break;
	case TRB_EPS_STRING: attr_s(&b.g, n, "epsilon", "tiny"); break;
	case TRB_NO_IMPORT: b.os.domain = ""; break;
	case TRB_OPSET2: b.os.version = 2; break;
	case TRB_DEFAULT_DOMAIN: n->domain = ""; break;
	case TRB_RELU_TRAINING: b.g.nodes[1].domain = "ai.onnx.preview.training"; break;
	case TRB_NO_DEFAULT: b.m.n_opset_import = 1; break;
	default: break;
	}
	r = load(&b, &m);
	if (how == TRB_RUN_G3 && r == CELLA_OK) {
		float g3[3] = { 1, 2, 3 };
		d.t[3].dims[0] = 3;
		d.t[3].data = g3;
		d.t[3].bytes = sizeof(g3);
		r = cella_onnx_model_run(m, d.t, (size_t)d.n, out, (size_t)((c->groups - 1) * c->nt));
	}
	if (r != want || !strstr(last_log, msg) || !strstr(last_log, how == TRB_RELU_TRAINING || how == TRB_NO_DEFAULT ?
								       "'Relu'" : c->op))
		cella_test_fail(__FILE__, __LINE__, "%s refused (%d) gave %s, logged '%s'; want %s, '%s'", c->op, how,
				cella_result_name(r), last_log, cella_result_name(want), msg);
	cella_onnx_model_free(m);
}

static void test_training_refused(void)
{
	static const struct trc ada = { "Adagrad", 3, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 0.5, 2, { 2 }, { NULL },
					{ 0 }, NULL, { { { 2, -1 } }, { { 2, 3.5 } }, { { 0, 16 } } }, { { { 0 } } } };
	static const struct {
		int how, flags;
		cella_result r;
		const char *msg;
	} bad[] = {
		{ TRB_EXTRA_IN, 0, CELLA_ERR_MODEL, "6 inputs, not R, T and 3 groups (X, G, H) of as many tensors" },
		{ TRB_OUT_SHORT, 0, CELLA_ERR_MODEL, "1 outputs for 1 optimized tensors, not 2 (X_new, H_new of each)" },
		{ TRB_NO_G, 0, CELLA_ERR_MODEL, "input 3 is absent" },
		{ TRB_G3, 0, CELLA_ERR_MODEL_SHAPE, "G (input 3) of shape [3], X's is [2]" },
		{ TRB_RUN_G3, TR_DYN, CELLA_ERR_MODEL_SHAPE, "G (input 3) of shape [3], X's is [2]" },
		{ TRB_H_DOUBLE, 0, CELLA_ERR_MODEL, "H (input 4) of type double, X's is float" },
		{ TRB_X_INT32, 0, CELLA_ERR_MODEL_UNSUPPORTED, "X (input 2) of type int32 is not supported (float or double)" },
		{ TRB_X_HALF, 0, CELLA_ERR_MODEL_UNSUPPORTED, "X (input 2) of type float16 is not supported" },
		{ TRB_R_INT64, 0, CELLA_ERR_MODEL_UNSUPPORTED, "R of type int64 is not supported (float or double)" },
		{ TRB_R2, 0, CELLA_ERR_MODEL_SHAPE, "R of rank 1 with 2 elements, not a scalar" },
		{ TRB_T_INT32, 0, CELLA_ERR_MODEL_UNSUPPORTED, "T of type int32 is not supported (int64)" },
		{ TRB_T11, 0, CELLA_ERR_MODEL_SHAPE, "T of rank 2 with 1 elements, not a scalar" },
		{ TRB_EPS_STRING, 0, CELLA_ERR_MODEL, "attribute 'epsilon' has the wrong type" },
		{ TRB_NO_IMPORT, 0, CELLA_ERR_MODEL, "the model imports no opset of domain 'ai.onnx.preview.training'" },
		{ TRB_OPSET2, 0, CELLA_ERR_MODEL_UNSUPPORTED, "unsupported ai.onnx.preview.training opset 2 (supported 1..1" },
		{ TRB_DEFAULT_DOMAIN, TR_RELU, CELLA_ERR_MODEL_UNSUPPORTED, "unsupported operator 'Adagrad' (opset 13" },
		{ TRB_RELU_TRAINING, TR_RELU, CELLA_ERR_MODEL_UNSUPPORTED,
		  "unsupported operator 'Relu' (ai.onnx.preview.training opset 1" },
		{ TRB_NO_DEFAULT, TR_RELU, CELLA_ERR_MODEL, "the model imports no opset of domain 'ai.onnx'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tr_refused(&ada, bad[i].flags, bad[i].how, bad[i].r, bad[i].msg);
	/* Momentum's attributes have no defaults; its mode is one of two, refused at load also when the shapes are
	 * known only at run */
	struct trc mom = { "Momentum", 3, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 0.5, 3, { 2 },
			   { "alpha", "beta", "norm_coefficient", NULL }, { 0.5f, 0.25f, 0.5f }, "heavy-ball",
			   { { { 2, -4 } }, { { 1, 0 } }, { { 4, -2 } } }, { { { 0 } } } };
	tr_refused(&mom, 0, TRB_NONE, CELLA_ERR_MODEL, "attribute 'mode' is 'heavy-ball', not standard or nesterov");
	tr_refused(&mom, TR_DYN, TRB_NONE, CELLA_ERR_MODEL, "attribute 'mode' is 'heavy-ball', not standard or nesterov");
	mom.mode = NULL;
	tr_refused(&mom, 0, TRB_NONE, CELLA_ERR_MODEL, "attribute 'mode' is required (standard or nesterov)");
	mom.mode = "nesterov";
	mom.fa[0] = "gamma";
	tr_refused(&mom, TR_DYN, TRB_NONE, CELLA_ERR_MODEL, "attribute 'alpha' is required");
	/* Adam's four groups: 7 inputs are not R, T and a whole number of them */
	static const struct trc adam = { "Adam", 4, 1, CELLA_ONNX_FLOAT, CELLA_ONNX_FLOAT, 1, 0, { 1 }, { NULL }, { 0 },
					 NULL, { { { 0 } } }, { { { 0 } } } };
	tr_refused(&adam, TR_DYN, TRB_EXTRA_IN, CELLA_ERR_MODEL,
		   "7 inputs, not R, T and 4 groups (X, G, V, H) of as many tensors");
	cella_test_pass("the optimizers' malformed nodes refused by name: counts, shapes, types, R and T, "
			"attributes, domain and opset");
}

/* ---- string tensors ---- */

/* A string tensor of n elements over the records s. */
static struct cella_onnx_tensor stensor(struct cella_onnx_string *s, size_t n, int rank, const int64_t *dims)
{
	struct cella_onnx_tensor t = { .dtype = CELLA_ONNX_STRING, .rank = (uint32_t)rank, .data = s,
				       .bytes = n * sizeof(*s) };
	memcpy(t.dims, dims, (size_t)rank * sizeof(int64_t));
	return t;
}

/* t is a string tensor of dims whose n elements are want's (NUL-separated in one literal, lens giving each). */
static void expect_strings(const struct cella_onnx_tensor *t, int rank, const int64_t *dims, const char *const *want,
			   const size_t *lens, size_t n, const char *what)
{
	int ok = t->dtype == CELLA_ONNX_STRING && (int)t->rank == rank && t->bytes == n * sizeof(struct cella_onnx_string);
	for (int d = 0; ok && d < rank; d++)
		ok = t->dims[d] == dims[d];
	for (size_t i = 0; ok && i < n; i++) {
		const struct cella_onnx_string *s = (const struct cella_onnx_string *)t->data + i;
		/* never a NULL pointer, even for no bytes: a caller may hand it to memcpy or printf's %.*s */
		ok = s->len == lens[i] && s->data && (!s->len || !memcmp(s->data, want[i], s->len));
	}
	if (!ok)
		cella_test_fail(__FILE__, __LINE__, "%s: %s rank %u, %zu bytes", what, cella_onnx_dtype_name(t->dtype),
				t->rank, t->bytes);
}

/* Reshape, Gather and Concat move string records, a NUL byte inside a string included; a run input's bytes are
 * copied in, so the outputs do not change when the caller's buffer does after the run. */
static void test_strings_move(void)
{
	static const int64_t xd[2] = { 2, 3 }, shd[1] = { 2 }, sh[2] = { 3, 2 }, id[1] = { 2 }, idx[2] = { 2, 0 },
			     wd[2] = { 1, 2 }, yd[2] = { 3, 2 };
	static const char *const wv[2] = { "tail", "x\0y" };
	static const size_t wl[2] = { 4, 3 };
	static const char *const r_in[] = { "x", "sh", NULL }, *const r_o[] = { "r", NULL };
	static const char *const g_in[] = { "r", "i", NULL }, *const g_o[] = { "g", NULL };
	static const char *const c_in[] = { "g", "w", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	char buf[16];
	memcpy(buf, "abbcccd\0ef", 10);
	struct cella_onnx_string xs[6] = { { buf, 1 }, { buf + 1, 2 }, { NULL, 0 }, { buf + 3, 3 }, { buf + 6, 3 },
					   { buf + 9, 1 } };
	mb_init(&b, 13);
	gb_io(&b.g, 0, "x", CELLA_ONNX_STRING, 2, xd);
	gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
	gb_const(&b.g, "sh", CELLA_ONNX_INT64, 1, shd, sh, sizeof(sh));
	gb_const(&b.g, "i", CELLA_ONNX_INT64, 1, id, idx, sizeof(idx));
	gb_strings(&b.g, "w", 2, wd, wv, wl, 2);
	gb_node(&b.g, "Reshape", r_in, r_o);
	gb_node(&b.g, "Gather", g_in, g_o);
	attr_i(&b.g, gb_node(&b.g, "Concat", c_in, Y), "axis", 0);
	struct cella_onnx_tensor in = stensor(xs, 6, 2, xd), y;
	CT_RESULT(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_OK);
	/* rows [a, bb], [, ccc], [d\0e, f]: rows 2 and 0, then w */
	static const char *const want[6] = { "d\0e", "f", "a", "bb", "tail", "x\0y" };
	static const size_t wantl[6] = { 3, 1, 1, 2, 4, 3 };
	expect_strings(&y, 2, yd, want, wantl, 6, "Reshape, Gather, Concat");
	for (int i = 0; i < 4; i++) {
		const char *p = ((const struct cella_onnx_string *)y.data)[i].data;
		CT_ASSERT(p < buf || p >= buf + sizeof(buf)); /* the engine's copies, not the caller's bytes */
	}
	memset(buf, 'z', sizeof(buf));
	expect_strings(&y, 2, yd, want, wantl, 6, "unchanged after the caller's buffer is");
	/* a second run over other strings */
	memcpy(buf, "0123456789", 10);
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &y, 1), CELLA_OK);
	static const char *const want2[6] = { "678", "9", "0", "12", "tail", "x\0y" };
	expect_strings(&y, 2, yd, want2, wantl, 6, "a second run");
	cella_onnx_model_free(m);
	cella_test_pass("strings: Reshape, Gather, Concat move records (a NUL inside kept); run inputs copied in");
}

/* Strings folded at load: an initializer read only by a folded Reshape (its block then freed), Constant's
 * value_strings, Unsqueeze and Concat of the two, all folded; the output's strings outlive the initializer. */
static void test_strings_folded(void)
{
	static const int64_t wd[1] = { 2 }, shd[1] = { 2 }, sh[2] = { 2, 1 }, axd[1] = { 1 }, ax[1] = { 1 },
			     yd[2] = { 2, 2 };
	static const char *const wv[2] = { "left", "right" };
	static const size_t wl[2] = { 4, 5 };
	static const char *const r_in[] = { "w", "sh", NULL }, *const r_o[] = { "r", NULL }, *const none[] = { NULL };
	static const char *const c_o[] = { "c", NULL }, *const u_in[] = { "c", "ax", NULL }, *const u_o[] = { "cu", NULL };
	static const char *const cat_in[] = { "r", "cu", NULL };
	static ProtobufCBinaryData vs[2] = { { 1, (uint8_t *)"p" }, { 3, (uint8_t *)"q\0r" } };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	mb_init(&b, 13);
	gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
	gb_strings(&b.g, "w", 1, wd, wv, wl, 2);
	gb_const(&b.g, "sh", CELLA_ONNX_INT64, 1, shd, sh, sizeof(sh));
	gb_const(&b.g, "ax", CELLA_ONNX_INT64, 1, axd, ax, sizeof(ax));
	gb_node(&b.g, "Reshape", r_in, r_o);
	Onnx__AttributeProto *a = gb_attr(&b.g, gb_node(&b.g, "Constant", none, c_o), "value_strings",
					  ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
	a->n_strings = 2;
	a->strings = vs;
	gb_node(&b.g, "Unsqueeze", u_in, u_o);
	attr_i(&b.g, gb_node(&b.g, "Concat", cat_in, Y), "axis", 1);
	static const char *const want[4] = { "left", "p", "right", "q\0r" };
	static const size_t wantl[4] = { 4, 1, 5, 3 };
	CT_RESULT(load(&b, &m), CELLA_OK);
	struct cella_onnx_stats st;
	cella_onnx_model_stats(m, &st);
	CT_ASSERT(st.nodes == 0); /* all folded */
	for (int run = 0; run < 2; run++) {
		CT_RESULT(cella_onnx_model_run(m, NULL, 0, &y, 1), CELLA_OK);
		expect_strings(&y, 2, yd, want, wantl, 4, "folded strings");
	}
	cella_onnx_model_free(m);
	cella_test_pass("strings folded at load (an initializer's, Constant value_strings) outlive their sources");
}

/* Sequences of strings: a model input copied in (each record checked), split and joined; the records a sequence
 * copies point at bytes that live as long as the run's. */
static void test_strings_sequences(void)
{
	static const int64_t d1[1] = { 1 }, d2[1] = { 2 }, d3[1] = { 3 };
	static const char *const s_in[] = { "s", NULL }, *const j_o[] = { "j", NULL }, *const j_in[] = { "j", NULL };
	static const char *const p_o[] = { "p", NULL }, *const p_in[] = { "p", NULL };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	char buf[8];
	memcpy(buf, "uvwxyz", 6);
	struct cella_onnx_string a[1] = { { buf, 2 } }, c[2] = { { buf + 2, 1 }, { buf + 3, 3 } };
	struct cella_onnx_tensor items[2] = { stensor(a, 1, 1, d1), stensor(c, 2, 1, d2) };
	struct cella_onnx_value in = { .kind = CELLA_ONNX_VALUE_SEQUENCE, .items = items, .n_items = 2 }, out;
	in.tensor.dtype = CELLA_ONNX_STRING;
	/* s joined, split into pieces of 1 (a sequence of three), joined again */
	mb_init(&b, 13);
	gb_form_io(&b.g, 0, "s", CELLA_ONNX_STRING, CELLA_ONNX_FORM_SEQUENCE, 1, (const int64_t[]){ -1 });
	gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
	attr_i(&b.g, gb_node(&b.g, "ConcatFromSequence", s_in, j_o), "axis", 0);
	gb_node(&b.g, "SplitToSequence", j_in, p_o);
	attr_i(&b.g, gb_node(&b.g, "ConcatFromSequence", p_in, Y), "axis", 0);
	CT_RESULT(values_run(&b, 0, &in, 1, &m, &out, 1), CELLA_OK);
	memset(buf, '-', sizeof(buf));
	static const char *const want[3] = { "uv", "w", "xyz" };
	static const size_t wl[3] = { 2, 1, 3 };
	expect_strings(&out.tensor, 1, d3, want, wl, 3, "a sequence of strings joined, split, joined");
	/* a record of the second tensor with bytes and no data */
	c[1].data = NULL;
	expect_refused(cella_onnx_model_run_values(m, &in, 1, &out, 1), CELLA_ERR_INVALID_ARG,
		       "input 0 ('s'), tensor 1 of its sequence, string 1: 3 bytes and no data", "NULL data in a sequence");
	cella_onnx_model_free(m);
	cella_test_pass("strings: a sequence of strings taken in, joined, split and joined; a record without data "
			"refused by name");
}

static void test_strings_refused(void)
{
	static const int64_t d2[1] = { 2 }, dyn[1] = { -1 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	char buf[80];
	memset(buf, 'k', sizeof(buf));
	struct cella_onnx_string xs[2] = { { buf, 40 }, { buf + 40, 30 } };
	struct cella_onnx_tensor in = stensor(xs, 2, 1, d2);
	/* Relu of a string: at load when the input's dims are declared, at run when they are dynamic */
	single_xd(&b, 13, "Relu", CELLA_ONNX_STRING, 1, d2);
	expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
		       "node 'Relu' (Relu) at load: model uses an unsupported operator or opset: input 0 ('x') is a string "
		       "tensor; Relu takes numbers", "Relu of a string at load");
	CT_ASSERT(m == NULL);
	single_xd(&b, 13, "Relu", CELLA_ONNX_STRING, 1, dyn);
	expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
		       "input 0 ('x') is a string tensor; Relu takes numbers", "Relu of a string at run");
	cella_onnx_model_free(m);
	/* a record with bytes and no data; the run's strings over max_tensor_bytes (64: the records take 32) */
	single_xd(&b, 13, "Identity", CELLA_ONNX_STRING, 1, dyn);
	xs[1].data = NULL;
	expect_refused(half_run(&b, 64, &in, 1, &m, &y, 1), CELLA_ERR_INVALID_ARG,
		       "input 0 ('x') string 1: 30 bytes and no data", "NULL data");
	xs[1].data = buf + 40;
	expect_refused(cella_onnx_model_run(m, &in, 1, &y, 1), CELLA_ERR_TOO_LARGE,
		       "input 0 ('x') string 1: 30 bytes, past max_tensor_bytes (64) of strings in a run", "over the limit");
	xs[1].len = 24;
	CT_RESULT(cella_onnx_model_run(m, &in, 1, &y, 1), CELLA_OK); /* 64 bytes exactly */
	cella_onnx_model_free(m);
	/* strings as Gather's indices */
	{
		static const char *const g_in[] = { "d", "x", NULL };
		static const float dv[2] = { 1, 2 };
		mb_init(&b, 13);
		gb_io(&b.g, 0, "x", CELLA_ONNX_STRING, 1, dyn);
		gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
		gb_const(&b.g, "d", CELLA_ONNX_FLOAT, 1, d2, dv, sizeof(dv));
		gb_node(&b.g, "Gather", g_in, Y);
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "input 1 ('x') is a string tensor; Gather takes numbers there", "string indices");
		cella_onnx_model_free(m);
	}
	/* an operator of numbers asked for strings: EyeLike's dtype */
	{
		static const int64_t d22[2] = { 2, 2 };
		static const float ev[4] = { 0 };
		single(&b, 13, "EyeLike", 1, CELLA_ONNX_STRING);
		gb_const(&b.g, "c0", CELLA_ONNX_FLOAT, 2, d22, ev, sizeof(ev));
		attr_i(&b.g, b.g.np[0], "dtype", CELLA_ONNX_STRING);
		expect_refused(half_run(&b, 0, NULL, 0, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "output 0 ('y') would hold strings; EyeLike makes numbers", "EyeLike of strings");
		CT_ASSERT(m == NULL);
	}
	cella_test_pass("strings refused by name: into Relu (at load and at run), a record with bytes and no data, over "
			"max_tensor_bytes, as Gather's indices, out of EyeLike");
}

/* ---- strings through the data-moving operators ---- */

/* x, [2, 3] of "a", "bb", "", "dd", "e", "a" (an empty string and a repeat), the input of test_strings_ops. */
static const int64_t sx_dims[2] = { 2, 3 };

static struct cella_onnx_tensor strings_x(struct cella_onnx_string *xs)
{
	static const char *const v[6] = { "a", "bb", "", "dd", "e", "a" };
	for (int i = 0; i < 6; i++)
		xs[i] = (struct cella_onnx_string){ v[i], strlen(v[i]) };
	return stensor(xs, 6, 2, sx_dims);
}

/* One node `op` of opset over x (input "x") and the constants the caller adds after, output y; then run. */
static void strings_node(struct mb *b, int64_t opset, const char *op, const char *const *ins, int ydtype)
{
	mb_init(b, opset);
	gb_io(&b->g, 0, "x", CELLA_ONNX_STRING, 2, sx_dims);
	gb_io(&b->g, 1, "y", ydtype, -1, NULL);
	gb_node(&b->g, op, ins, Y);
}

/* Runs b on x and requires y to be the n strings of want (lens from strlen) of rank/dims. */
static void strings_expect(struct mb *b, int rank, const int64_t *dims, const char *const *want, size_t n,
			   const char *what)
{
	struct cella_onnx_string xs[6];
	struct cella_onnx_tensor in = strings_x(xs), y;
	struct cella_onnx_model *m = NULL;
	size_t lens[8];
	CT_ASSERT(n <= 8);
	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(want[i]);
	CT_RESULT(half_run(b, 0, &in, 1, &m, &y, 1), CELLA_OK);
	expect_strings(&y, rank, dims, want, lens, n, what);
	cella_onnx_model_free(m);
}

/*
 * The operators that move elements whatever their type take strings as the spec allows: Where, Trilu (its zeros
 * the empty string), GatherND, Compress, ReverseSequence, ScatterElements and ScatterND, Pad (constant, its
 * default the empty string, and edge), DepthToSpace, Unique (sorted by bytes) and Equal from opset 19, each
 * against values worked out by hand; and 5 refusals named.
 */
static void test_strings_ops(void)
{
	static const int64_t d1[1] = { 1 }, d3[1] = { 3 }, d4[1] = { 4 }, d22[2] = { 2, 2 }, d12[2] = { 1, 2 },
			     d11[2] = { 1, 1 }, d13[2] = { 1, 3 }, d2[1] = { 2 }, d24[2] = { 2, 4 };
	static const char *const x_s[] = { "x", "s", NULL }, *const c_x_w[] = { "c", "x", "w", NULL };
	static const char *const x_only[] = { "x", NULL }, *const x_i[] = { "x", "i", NULL };
	static const char *const x_c[] = { "x", "c", NULL }, *const x_l[] = { "x", "l", NULL };
	static const char *const x_i_u[] = { "x", "i", "u", NULL }, *const x_p_v[] = { "x", "p", "v", NULL };
	static const char *const x_p[] = { "x", "p", NULL };
	static const char *const one_a[1] = { "a" }, *const one_dash[1] = { "-" }, *const one_hash[1] = { "#" };
	static const size_t l1[3] = { 1, 1, 1 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	struct cella_onnx_string xs[6];
	struct cella_onnx_tensor in = strings_x(xs);

	/* Equal-19 against a broadcast "a" */
	{
		static const uint8_t want[6] = { 1, 0, 0, 0, 0, 1 };
		strings_node(&b, 19, "Equal", x_s, CELLA_ONNX_BOOL);
		gb_strings(&b.g, "s", 1, d1, one_a, l1, 1);
		CT_RESULT(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_OK);
		CT_ASSERT(y.dtype == CELLA_ONNX_BOOL && y.rank == 2 && y.dims[0] == 2 && y.dims[1] == 3);
		CT_EQ_MEM(y.data, want, 6);
		cella_onnx_model_free(m);
	}
	/* Where(c, x, "-") */
	{
		static const uint8_t c[6] = { 1, 0, 1, 0, 1, 0 };
		static const char *const want[6] = { "a", "-", "", "-", "e", "-" };
		strings_node(&b, 16, "Where", c_x_w, CELLA_ONNX_STRING);
		gb_const(&b.g, "c", CELLA_ONNX_BOOL, 2, sx_dims, c, sizeof(c));
		gb_strings(&b.g, "w", 1, d1, one_dash, l1, 1);
		strings_expect(&b, 2, sx_dims, want, 6, "Where");
	}
	/* Trilu, upper: below the diagonal the empty string */
	{
		static const char *const want[6] = { "a", "bb", "", "", "e", "a" };
		strings_node(&b, 14, "Trilu", x_only, CELLA_ONNX_STRING);
		strings_expect(&b, 2, sx_dims, want, 6, "Trilu");
	}
	/* GatherND of [1, 0] and [0, 1] */
	{
		static const int64_t i[4] = { 1, 0, 0, 1 };
		static const char *const want[2] = { "dd", "bb" };
		strings_node(&b, 13, "GatherND", x_i, CELLA_ONNX_STRING);
		gb_const(&b.g, "i", CELLA_ONNX_INT64, 2, d22, i, sizeof(i));
		strings_expect(&b, 1, d2, want, 2, "GatherND");
	}
	/* Compress columns 1 and 2 */
	{
		static const uint8_t c[3] = { 0, 1, 1 };
		static const char *const want[4] = { "bb", "", "e", "a" };
		strings_node(&b, 11, "Compress", x_c, CELLA_ONNX_STRING);
		gb_const(&b.g, "c", CELLA_ONNX_BOOL, 1, d3, c, sizeof(c));
		attr_i(&b.g, b.g.np[0], "axis", 1);
		strings_expect(&b, 2, d22, want, 4, "Compress");
	}
	/* ReverseSequence over axis 1, row 0 the first 2, row 1 all 3 */
	{
		static const int64_t l[2] = { 2, 3 };
		static const char *const want[6] = { "bb", "a", "", "a", "e", "dd" };
		strings_node(&b, 10, "ReverseSequence", x_l, CELLA_ONNX_STRING);
		gb_const(&b.g, "l", CELLA_ONNX_INT64, 1, d2, l, sizeof(l));
		attr_i(&b.g, b.g.np[0], "time_axis", 1);
		attr_i(&b.g, b.g.np[0], "batch_axis", 0);
		strings_expect(&b, 2, sx_dims, want, 6, "ReverseSequence");
	}
	/* ScatterElements of "P", "Q" to row 0 columns 2 and 0 */
	{
		static const int64_t i[2] = { 2, 0 };
		static const char *const u[2] = { "P", "Q" }, *const want[6] = { "Q", "bb", "P", "dd", "e", "a" };
		strings_node(&b, 16, "ScatterElements", x_i_u, CELLA_ONNX_STRING);
		gb_const(&b.g, "i", CELLA_ONNX_INT64, 2, d12, i, sizeof(i));
		gb_strings(&b.g, "u", 2, d12, u, l1, 2);
		attr_i(&b.g, b.g.np[0], "axis", 1);
		strings_expect(&b, 2, sx_dims, want, 6, "ScatterElements");
		/* a reduction has nothing to add strings with */
		strings_node(&b, 16, "ScatterElements", x_i_u, CELLA_ONNX_STRING);
		gb_const(&b.g, "i", CELLA_ONNX_INT64, 2, d12, i, sizeof(i));
		gb_strings(&b.g, "u", 2, d12, u, l1, 2);
		attr_s(&b.g, b.g.np[0], "reduction", "add");
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "reduction 'add' on strings (only 'none' moves them)", "ScatterElements add");
		cella_onnx_model_free(m);
	}
	/* ScatterND of row 1 */
	{
		static const int64_t i[1] = { 1 };
		static const char *const u[3] = { "u", "v", "w" }, *const want[6] = { "a", "bb", "", "u", "v", "w" };
		strings_node(&b, 16, "ScatterND", x_i_u, CELLA_ONNX_STRING);
		gb_const(&b.g, "i", CELLA_ONNX_INT64, 2, d11, i, sizeof(i));
		gb_strings(&b.g, "u", 2, d13, u, l1, 3);
		strings_expect(&b, 2, sx_dims, want, 6, "ScatterND");
	}
	/* Pad a column in front: with "#", with the default (the empty string), and edge */
	{
		static const int64_t p[4] = { 0, 1, 0, 0 };
		static const char *const hash[8] = { "#", "a", "bb", "", "#", "dd", "e", "a" };
		static const char *const empty[8] = { "", "a", "bb", "", "", "dd", "e", "a" };
		static const char *const edge[8] = { "a", "a", "bb", "", "dd", "dd", "e", "a" };
		strings_node(&b, 13, "Pad", x_p_v, CELLA_ONNX_STRING);
		gb_const(&b.g, "p", CELLA_ONNX_INT64, 1, d4, p, sizeof(p));
		gb_strings(&b.g, "v", 0, d1, one_hash, l1, 1);
		strings_expect(&b, 2, d24, hash, 8, "Pad with '#'");
		strings_node(&b, 13, "Pad", x_p, CELLA_ONNX_STRING);
		gb_const(&b.g, "p", CELLA_ONNX_INT64, 1, d4, p, sizeof(p));
		strings_expect(&b, 2, d24, empty, 8, "Pad with the default");
		strings_node(&b, 13, "Pad", x_p, CELLA_ONNX_STRING);
		gb_const(&b.g, "p", CELLA_ONNX_INT64, 1, d4, p, sizeof(p));
		attr_s(&b.g, b.g.np[0], "mode", "edge");
		strings_expect(&b, 2, d24, edge, 8, "Pad edge");
		/* before opset 13, Pad took no strings */
		strings_node(&b, 11, "Pad", x_p, CELLA_ONNX_STRING);
		gb_const(&b.g, "p", CELLA_ONNX_INT64, 1, d4, p, sizeof(p));
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "strings are padded from opset 13 (this node is of opset 11)", "Pad-11 of strings");
		cella_onnx_model_free(m);
	}
	/* DepthToSpace (DCR) of [1, 4, 1, 2]: channel i * 2 + j to row i, column w * 2 + j */
	{
		static const int64_t dd[4] = { 1, 4, 1, 2 }, od[4] = { 1, 1, 2, 4 };
		static const char *const v[8] = { "a0", "a1", "b0", "b1", "c0", "c1", "d0", "d1" };
		static const char *const want[8] = { "a0", "b0", "a1", "b1", "c0", "d0", "c1", "d1" };
		static const size_t want_l[8] = { 2, 2, 2, 2, 2, 2, 2, 2 };
		struct cella_onnx_string ds[8];
		for (int i = 0; i < 8; i++)
			ds[i] = (struct cella_onnx_string){ v[i], 2 };
		struct cella_onnx_tensor din = stensor(ds, 8, 4, dd);
		mb_init(&b, 13);
		gb_io(&b.g, 0, "x", CELLA_ONNX_STRING, 4, dd);
		gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
		attr_i(&b.g, gb_node(&b.g, "DepthToSpace", x_only, Y), "blocksize", 2);
		CT_RESULT(half_run(&b, 0, &din, 1, &m, &y, 1), CELLA_OK);
		expect_strings(&y, 4, od, want, want_l, 8, "DepthToSpace");
		cella_onnx_model_free(m);
	}
	/* Unique, sorted: "", "a", "bb", "dd", "e"; first indices, inverse, counts */
	{
		static const char *const uq_out[] = { "y", "first", "inverse", "counts", NULL };
		static const char *const want[5] = { "", "a", "bb", "dd", "e" };
		static const size_t want_l[5] = { 0, 1, 2, 2, 1 };
		static const int64_t first[5] = { 2, 0, 1, 3, 4 }, inverse[6] = { 1, 2, 0, 3, 4, 1 },
				     counts[5] = { 1, 2, 1, 1, 1 }, d5[1] = { 5 };
		struct cella_onnx_tensor o[4];
		mb_init(&b, 11);
		gb_io(&b.g, 0, "x", CELLA_ONNX_STRING, 2, sx_dims);
		gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
		gb_io(&b.g, 2, "first", CELLA_ONNX_INT64, -1, NULL);
		gb_io(&b.g, 3, "inverse", CELLA_ONNX_INT64, -1, NULL);
		gb_io(&b.g, 4, "counts", CELLA_ONNX_INT64, -1, NULL);
		gb_node(&b.g, "Unique", x_only, uq_out);
		CT_RESULT(half_run(&b, 0, &in, 1, &m, o, 4), CELLA_OK);
		expect_strings(&o[0], 1, d5, want, want_l, 5, "Unique");
		CT_ASSERT(o[1].bytes == sizeof(first) && o[2].bytes == sizeof(inverse) && o[3].bytes == sizeof(counts));
		CT_EQ_MEM(o[1].data, first, sizeof(first));
		CT_EQ_MEM(o[2].data, inverse, sizeof(inverse));
		CT_EQ_MEM(o[3].data, counts, sizeof(counts));
		cella_onnx_model_free(m);
	}
	/* refused by name: Equal on strings before opset 19, a string condition for Where */
	strings_node(&b, 18, "Equal", x_s, CELLA_ONNX_BOOL);
	gb_strings(&b.g, "s", 1, d1, one_a, l1, 1);
	expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
		       "strings are compared from opset 19 (this node is of opset 18)", "Equal-18 of strings");
	cella_onnx_model_free(m);
	{
		static const char *const x_x_x[] = { "x", "x", "x", NULL };
		strings_node(&b, 16, "Where", x_x_x, CELLA_ONNX_STRING);
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "input 0 ('x') is a string tensor; Where takes numbers there", "Where of a string condition");
		cella_onnx_model_free(m);
	}
	/* GatherND's indices as strings */
	{
		static const char *const x_x[] = { "x", "x", NULL };
		strings_node(&b, 13, "GatherND", x_x, CELLA_ONNX_STRING);
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "input 1 ('x') is a string tensor; GatherND takes numbers there", "GatherND string indices");
		cella_onnx_model_free(m);
	}
	cella_test_pass("strings: Equal-19, Where, Trilu, GatherND, Compress, ReverseSequence, ScatterElements, "
			"ScatterND, Pad (constant, default, edge), DepthToSpace, Unique; 5 refusals named");
}

/* TfIdfVectorizer over x (strings, [2, 4]) with pool_strings `pool` (np of them: 1-grams a, b, c then 2-grams from
 * value 3), TF over 1- and 2-grams, weights w (NULL: none); x a graph input, or with as_const an initializer. */
static cella_result tfidf_strings_run(const char *const *pool, size_t np, const float *w, int as_const,
				      struct cella_onnx_string *xs, struct cella_onnx_model **m,
				      struct cella_onnx_tensor *out)
{
	static const int64_t xd[2] = { 2, 4 }, counts[2] = { 0, 3 }, idx[5] = { 0, 1, 2, 3, 4 };
	static const char *const xv[8] = { "a", "b", "c", "a", "b", "c", "x", "" };
	static const size_t xl[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
	static const char *const ins[] = { "x", NULL };
	static ProtobufCBinaryData words[8];
	struct mb b;
	Onnx__NodeProto *n;
	mb_init(&b, 9);
	if (as_const)
		gb_strings(&b.g, "x", 2, xd, xv, xl, 8);
	else
		gb_io(&b.g, 0, "x", CELLA_ONNX_STRING, 2, xd);
	gb_io(&b.g, 1, "y", CELLA_ONNX_FLOAT, -1, NULL);
	n = gb_node(&b.g, "TfIdfVectorizer", ins, Y);
	attr_s(&b.g, n, "mode", w ? "TFIDF" : "TF");
	attr_i(&b.g, n, "min_gram_length", 1);
	attr_i(&b.g, n, "max_gram_length", 2);
	attr_i(&b.g, n, "max_skip_count", 0);
	attr_ints(&b.g, n, "ngram_counts", counts, 2);
	attr_ints(&b.g, n, "ngram_indexes", idx, 5);
	if (w) {
		Onnx__AttributeProto *a = gb_attr(&b.g, n, "weights", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
		a->n_floats = 5;
		a->floats = (float *)w;
	}
	if (np) {
		Onnx__AttributeProto *a = gb_attr(&b.g, n, "pool_strings", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
		for (size_t i = 0; i < np; i++)
			words[i] = (ProtobufCBinaryData){ strlen(pool[i]), (uint8_t *)pool[i] };
		a->n_strings = np;
		a->strings = words;
	} else {
		attr_s(&b.g, n, "pool_strings", "a"); /* one string, not a list */
	}
	for (int i = 0; i < 8; i++)
		xs[i] = (struct cella_onnx_string){ xv[i], xl[i] };
	struct cella_onnx_tensor in = stensor(xs, 8, 2, xd);
	cella_result r = load(&b, m);
	return r != CELLA_OK ? r : cella_onnx_model_run(*m, as_const ? NULL : &in, as_const ? 0 : 1, out, 1);
}

/*
 * String tokens with pool_strings, a, b, c and the 2-grams "a b", "b c" (a and b given again in them): row
 * a b c a counts a 2, b 1, c 1, "a b" 1, "b c" 1; row b c x "" counts b, c and "b c" once (x and the empty string are
 * in no n-gram). As a graph input, as a constant (counted at the run, not folded), and with TFIDF weights; refused
 * by name: a 1-gram given twice, pool_strings not a list.
 */
static void test_tfidf_strings(void)
{
	static const char *const pool[7] = { "a", "b", "c", "a", "b", "b", "c" };
	static const char *const dup[7] = { "a", "b", "a", "a", "b", "b", "c" };
	static const float tf[10] = { 2, 1, 1, 1, 1, 0, 1, 1, 0, 1 }, w[5] = { 0.5f, 1, 2, 3, 4 };
	static const float tfidf[10] = { 1, 1, 2, 3, 4, 0, 1, 2, 0, 4 };
	struct cella_onnx_string xs[8];
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	for (int as_const = 0; as_const < 2; as_const++) {
		CT_RESULT(tfidf_strings_run(pool, 7, NULL, as_const, xs, &m, &y), CELLA_OK);
		CT_ASSERT(y.dtype == CELLA_ONNX_FLOAT && y.rank == 2 && y.dims[0] == 2 && y.dims[1] == 5);
		CT_EQ_MEM(y.data, tf, sizeof(tf));
		cella_onnx_model_free(m);
	}
	CT_RESULT(tfidf_strings_run(pool, 7, w, 0, xs, &m, &y), CELLA_OK);
	CT_EQ_MEM(y.data, tfidf, sizeof(tfidf));
	cella_onnx_model_free(m);
	expect_refused(tfidf_strings_run(dup, 7, NULL, 0, xs, &m, &y), CELLA_ERR_MODEL,
		       "pool_strings holds one 1-gram twice (n-grams 0 and 2)", "a 1-gram twice");
	CT_ASSERT(m == NULL);
	expect_refused(tfidf_strings_run(pool, 0, NULL, 0, xs, &m, &y), CELLA_ERR_MODEL,
		       "attribute 'pool_strings' is not a list of strings", "pool_strings of one string");
	CT_ASSERT(m == NULL);
	cella_test_pass("TfIdfVectorizer over string tokens with pool_strings (input, constant, TFIDF weights); a 1-gram "
			"twice and a pool that is not a list refused by name");
}

/* StringSplit (opset 20) of xs (n strings, [n]) with `delimiter` (NULL: absent) and `maxsplit` (< 0: absent):
 * Y must be want (n rows of `width`), Z counts. */
static void split_case(const char *const *xs, size_t n, const char *delim, int64_t maxsplit, const char *const *want,
		       int64_t width, const int64_t *counts, const char *what)
{
	static const char *const ins[] = { "x", NULL }, *const outs[] = { "y", "z", NULL };
	struct cella_onnx_string s[4];
	size_t lens[12];
	int64_t xd[1] = { (int64_t)n }, yd[2] = { (int64_t)n, width };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor o[2];
	CT_ASSERT(n <= 4 && n * (size_t)width <= 12);
	for (size_t i = 0; i < n; i++)
		s[i] = (struct cella_onnx_string){ xs[i], strlen(xs[i]) };
	for (size_t i = 0; i < n * (size_t)width; i++)
		lens[i] = strlen(want[i]);
	mb_init(&b, 20);
	gb_io(&b.g, 0, "x", CELLA_ONNX_STRING, 1, xd);
	gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
	gb_io(&b.g, 2, "z", CELLA_ONNX_INT64, -1, NULL);
	Onnx__NodeProto *nd = gb_node(&b.g, "StringSplit", ins, outs);
	if (delim)
		attr_s(&b.g, nd, "delimiter", delim);
	if (maxsplit >= 0)
		attr_i(&b.g, nd, "maxsplit", maxsplit);
	struct cella_onnx_tensor in = stensor(s, n, 1, xd);
	CT_RESULT(half_run(&b, 0, &in, 1, &m, o, 2), CELLA_OK);
	expect_strings(&o[0], 2, yd, want, lens, n * (size_t)width, what);
	CT_ASSERT(o[1].dtype == CELLA_ONNX_INT64 && o[1].rank == 1 && o[1].dims[0] == (int64_t)n);
	CT_EQ_MEM(o[1].data, counts, n * sizeof(int64_t));
	cella_onnx_model_free(m);
}

/* y = StringConcat(x, w) at opset, x a string input of rank/dims; the caller adds the constant w. */
static void concat_model(struct mb *b, int64_t opset, int rank, const int64_t *xd)
{
	static const char *const x_w[] = { "x", "w", NULL };
	mb_init(b, opset);
	gb_io(&b->g, 0, "x", CELLA_ONNX_STRING, rank, xd);
	gb_io(&b->g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
	gb_node(&b->g, "StringConcat", x_w, Y);
}

/*
 * The string operators of opset 20: StringConcat (broadcast both ways, an empty string) and StringSplit against
 * Python's str.split written out (runs of whitespace, Unicode's too; a delimiter with empty pieces; maxsplit 1 and 0;
 * a two-byte delimiter; an empty string giving no piece or one); 4 refusals named.
 */
static void test_strings_opset20(void)
{
	static const int64_t d2[1] = { 2 }, d1[1] = { 1 }, d21[2] = { 2, 1 }, d3[1] = { 3 }, d23[2] = { 2, 3 };
	struct mb b;
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	/* StringConcat: [2] with [1], then [2, 1] with [3] */
	{
		static const char *const w1[1] = { "-x" }, *const want[2] = { "ab-x", "-x" };
		static const size_t l1[1] = { 2 }, wl[2] = { 4, 2 };
		struct cella_onnx_string xs[2] = { { "ab", 2 }, { "", 0 } };
		struct cella_onnx_tensor in = stensor(xs, 2, 1, d2);
		concat_model(&b, 20, 1, d2);
		gb_strings(&b.g, "w", 1, d1, w1, l1, 1);
		CT_RESULT(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_OK);
		expect_strings(&y, 1, d2, want, wl, 2, "StringConcat [2] + [1]");
		cella_onnx_model_free(m);
	}
	{
		static const char *const w3[3] = { "1", "2", "3" }, *const want[6] = { "a1", "a2", "a3", "b1", "b2", "b3" };
		static const size_t l3[3] = { 1, 1, 1 }, wl[6] = { 2, 2, 2, 2, 2, 2 };
		struct cella_onnx_string xs[2] = { { "a", 1 }, { "b", 1 } };
		struct cella_onnx_tensor in = stensor(xs, 2, 2, d21);
		concat_model(&b, 20, 2, d21);
		gb_strings(&b.g, "w", 1, d3, w3, l3, 3);
		CT_RESULT(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_OK);
		expect_strings(&y, 2, d23, want, wl, 6, "StringConcat [2, 1] + [3]");
		cella_onnx_model_free(m);
		/* at opset 19 there is no StringConcat; numbers are refused by name */
		concat_model(&b, 19, 2, d21);
		gb_strings(&b.g, "w", 1, d3, w3, l3, 3);
		CT_RESULT(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED);
		CT_ASSERT(m == NULL && strstr(last_log, "StringConcat"));
		static const float f3[3] = { 1, 2, 3 };
		concat_model(&b, 20, 2, d21);
		gb_const(&b.g, "w", CELLA_ONNX_FLOAT, 1, d3, f3, sizeof(f3));
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "inputs of types string and float: StringConcat takes strings", "StringConcat of numbers");
		cella_onnx_model_free(m);
	}
	/* StringSplit, as Python's str.split */
	static const char *const xs[3] = { "  a b  c  ", "a,,b,", "" };
	{
		static const char *const want[9] = { "a", "b", "c", "a,,b,", "", "", "", "", "" };
		static const int64_t c[3] = { 3, 1, 0 };
		split_case(xs, 3, NULL, -1, want, 3, c, "split at whitespace");
		split_case(xs, 3, "", -1, want, 3, c, "an empty delimiter: at whitespace");
	}
	{
		static const char *const want[12] = { "  a b  c  ", "", "", "", "a", "", "b", "", "", "", "", "" };
		static const int64_t c[3] = { 1, 4, 1 };
		split_case(xs, 3, ",", -1, want, 4, c, "split at ','");
	}
	{
		static const char *const want[6] = { "  a b  c  ", "", "a", ",b,", "", "" };
		static const int64_t c[3] = { 1, 2, 1 };
		split_case(xs, 3, ",", 1, want, 2, c, "split at ',' once");
	}
	{
		static const char *const want[6] = { "a", "b  c  ", "a,,b,", "", "", "" };
		static const int64_t c[3] = { 2, 1, 0 };
		split_case(xs, 3, NULL, 1, want, 2, c, "split at whitespace once");
	}
	{
		static const char *const want[3] = { "a b  c  ", "a,,b,", "" };
		static const int64_t c[3] = { 1, 1, 0 };
		split_case(xs, 3, NULL, 0, want, 1, c, "maxsplit 0 at whitespace");
	}
	{
		static const char *const u[2] = { "x\xe3\x80\x80y\xc2\xa0z\x1fw", "a::b:c" };
		static const char *const want[8] = { "x", "y", "z", "w", "a::b:c", "", "", "" };
		static const int64_t c[2] = { 4, 1 };
		split_case(u, 2, NULL, -1, want, 4, c, "Unicode whitespace");
		static const char *const want2[4] = { "x\xe3\x80\x80y\xc2\xa0z\x1fw", "", "a", "b:c" };
		static const int64_t c2[2] = { 1, 2 };
		split_case(u, 2, "::", -1, want2, 2, c2, "a two-byte delimiter");
	}
	/* refused: a negative maxsplit, numbers */
	{
		static const char *const ins[] = { "x", NULL }, *const outs[] = { "y", "z", NULL };
		static const float f2[2] = { 1, 2 };
		struct cella_onnx_string s2[2] = { { "a", 1 }, { "b", 1 } };
		struct cella_onnx_tensor in = stensor(s2, 2, 1, d2), o[2];
		mb_init(&b, 20);
		gb_io(&b.g, 0, "x", CELLA_ONNX_STRING, 1, d2);
		gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
		gb_io(&b.g, 2, "z", CELLA_ONNX_INT64, -1, NULL);
		attr_i(&b.g, gb_node(&b.g, "StringSplit", ins, outs), "maxsplit", -1);
		expect_refused(half_run(&b, 0, &in, 1, &m, o, 2), CELLA_ERR_MODEL, "attribute 'maxsplit' is -1, negative",
			       "StringSplit maxsplit -1");
		cella_onnx_model_free(m);
		mb_init(&b, 20);
		gb_io(&b.g, 1, "y", CELLA_ONNX_STRING, -1, NULL);
		gb_io(&b.g, 2, "z", CELLA_ONNX_INT64, -1, NULL);
		gb_const(&b.g, "x", CELLA_ONNX_FLOAT, 1, d2, f2, sizeof(f2));
		gb_node(&b.g, "StringSplit", ins, outs);
		expect_refused(half_run(&b, 0, NULL, 0, &m, o, 2), CELLA_ERR_MODEL_UNSUPPORTED,
			       "input of type float: StringSplit takes strings", "StringSplit of numbers");
		CT_ASSERT(m == NULL);
	}
	cella_test_pass("strings at opset 20: StringConcat broadcast, StringSplit as Python's str.split; 4 refusals "
			"named");
}

/* x (of xdt, n elements as declared) through Cast to `to`, y; run on in (bytes of x) with max_tensor_bytes mbytes. */
static cella_result cast_run(int xdt, int to, const void *in, size_t n, uint64_t mbytes, struct cella_onnx_model **m,
			     struct cella_onnx_tensor *y)
{
	struct mb b;
	int64_t d[1] = { (int64_t)n };
	single_xd(&b, 13, "Cast", xdt, 1, d);
	b.g.vout[0].type->tensor_type->elem_type = to;
	attr_i(&b.g, b.g.np[0], "to", to);
	struct cella_onnx_tensor t = { .dtype = (cella_onnx_dtype)xdt, .rank = 1, .dims = { (int64_t)n }, .data = (void *)in,
				       .bytes = n * cella_onnx_dtype_size((cella_onnx_dtype)xdt) };
	return half_run(&b, mbytes, &t, 1, m, y, 1);
}

/* Cast of numbers to strings (numpy's str() of a scalar: the shortest digits that read back, "100.0", "1e-05") and
 * of strings to numbers (one rounding, as strtof and strtod; integers exactly, saturated). */
static void test_strings_cast(void)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y, z;
	/* float: negative, integer-valued, float(123456789), 0.1, float(1e-4) just under 1e-4 (so scientific), 2^-10,
	 * 1e-5, 1e15 and 1e16 either side of the switch to scientific, the largest float, the least subnormal, -0, NaN,
	 * infinities */
	static const float fv[16] = { -1.5f, 3.0f, 123456789.0f, 0.1f, 1e-4f, 0x1p-10f, 1e-5f, 1e15f, 1e16f,
				      3.4028235e38f, 0x1p-149f, -0.0f, NAN, INFINITY, -INFINITY, 0.33333334f };
	static const char *const fs[16] = { "-1.5", "3.0", "123456790.0", "0.1", "1e-04", "0.0009765625", "1e-05",
					    "1000000000000000.0", "1e+16", "3.4028235e+38", "1e-45", "-0.0", "nan", "inf",
					    "-inf", "0.33333334" };
	size_t fl[16];
	for (int i = 0; i < 16; i++)
		fl[i] = strlen(fs[i]);
	static const int64_t d16[1] = { 16 };
	CT_RESULT(cast_run(CELLA_ONNX_FLOAT, CELLA_ONNX_STRING, fv, 16, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, d16, fs, fl, 16, "float to string");
	/* and back: every value as it was, -0 and NaN included */
	struct cella_onnx_model *m2 = NULL;
	CT_RESULT(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_FLOAT, y.data, 16, 0, &m2, &z), CELLA_OK);
	CT_ASSERT(z.dtype == CELLA_ONNX_FLOAT && z.bytes == sizeof(fv));
	for (int i = 0; i < 16; i++) {
		float a = ((const float *)z.data)[i];
		CT_ASSERT(isnan(fv[i]) ? isnan(a) : !memcmp(&a, &fv[i], 4));
	}
	cella_onnx_model_free(m);
	cella_onnx_model_free(m2);
	/* double: the shortest digits of a double; integers in decimal, int64's least and uint64's greatest */
	static const double dv[4] = { 0.1, 1.0 / 3, 1e22, 0x1p-1074 };
	static const char *const ds[4] = { "0.1", "0.3333333333333333", "1e+22", "5e-324" };
	static const size_t dl[4] = { 3, 18, 5, 6 };
	CT_RESULT(cast_run(CELLA_ONNX_DOUBLE, CELLA_ONNX_STRING, dv, 4, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 4 }, ds, dl, 4, "double to string");
	cella_onnx_model_free(m);
	static const int64_t iv[3] = { INT64_MIN, 0, 42 };
	static const char *const is[3] = { "-9223372036854775808", "0", "42" };
	static const size_t il[3] = { 20, 1, 2 };
	CT_RESULT(cast_run(CELLA_ONNX_INT64, CELLA_ONNX_STRING, iv, 3, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 3 }, is, il, 3, "int64 to string");
	cella_onnx_model_free(m);
	static const uint64_t uv[1] = { UINT64_MAX };
	static const char *const us[1] = { "18446744073709551615" };
	static const size_t ul[1] = { 20 };
	CT_RESULT(cast_run(CELLA_ONNX_UINT64, CELLA_ONNX_STRING, uv, 1, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 1 }, us, ul, 1, "uint64 to string");
	cella_onnx_model_free(m);
	/* float16: its own shortest digits (65504 is "65500.0", as numpy writes it) */
	static const uint16_t hv[2] = { 0x7bff, 0x2e66 };
	static const char *const hs[2] = { "65500.0", "0.1" };
	static const size_t hl[2] = { 7, 3 };
	CT_RESULT(cast_run(CELLA_ONNX_FLOAT16, CELLA_ONNX_STRING, hv, 2, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 2 }, hs, hl, 2, "float16 to string");
	cella_onnx_model_free(m);
	/* text to float: white space, exponents, INF and NaN in any case, a bare point either side; a decimal just
	 * above the midpoint of 1 and 1 + 2^-23 rounds up in one rounding (through a double it would tie down to 1) */
	static const char *const tx[9] = { " 2.5 ", "1E3", "+INF", "-Infinity", "nan", ".5", "5.", "-0",
					   "1.00000005960464477539062500000000000000000001" };
	struct cella_onnx_string ts[9];
	for (int i = 0; i < 9; i++)
		ts[i] = (struct cella_onnx_string){ tx[i], strlen(tx[i]) };
	CT_RESULT(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_FLOAT, ts, 9, 0, &m, &y), CELLA_OK);
	const float *tf = y.data;
	CT_ASSERT(tf[0] == 2.5f && tf[1] == 1000.0f && tf[2] == INFINITY && tf[3] == -INFINITY && isnan(tf[4]) &&
		  tf[5] == 0.5f && tf[6] == 5.0f && tf[7] == 0.0f && signbit(tf[7]) && tf[8] == 1.0f + 0x1p-23f);
	cella_onnx_model_free(m);
	/* text to integers: truncated toward zero, saturated, integer literals exact beyond 2^53 */
	static const char *const ti[6] = { "100.5", "-7.9", "1e10", "99999999999999999999", "-2147483649", "nan" };
	for (int i = 0; i < 6; i++)
		ts[i] = (struct cella_onnx_string){ ti[i], strlen(ti[i]) };
	CT_RESULT(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_INT32, ts, 6, 0, &m, &y), CELLA_OK);
	const int32_t *t32 = y.data;
	CT_ASSERT(t32[0] == 100 && t32[1] == -7 && t32[2] == INT32_MAX && t32[3] == INT32_MAX && t32[4] == INT32_MIN &&
		  t32[5] == 0);
	cella_onnx_model_free(m);
	static const char *const t64[3] = { "9007199254740993", "-9223372036854775809", "-3" };
	for (int i = 0; i < 3; i++)
		ts[i] = (struct cella_onnx_string){ t64[i], strlen(t64[i]) };
	CT_RESULT(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_INT64, ts, 3, 0, &m, &y), CELLA_OK);
	CT_ASSERT(((const int64_t *)y.data)[0] == 9007199254740993LL && ((const int64_t *)y.data)[1] == INT64_MIN &&
		  ((const int64_t *)y.data)[2] == -3);
	cella_onnx_model_free(m);
	CT_RESULT(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_UINT8, ts + 2, 1, 0, &m, &y), CELLA_OK);
	CT_ASSERT(((const uint8_t *)y.data)[0] == 0);
	cella_onnx_model_free(m);
	/* text to float16: 65520 rounds to infinity, 0.1 to float16's nearest */
	ts[0] = (struct cella_onnx_string){ "65520", 5 };
	ts[1] = (struct cella_onnx_string){ "0.1", 3 };
	CT_RESULT(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_FLOAT16, ts, 2, 0, &m, &y), CELLA_OK);
	CT_ASSERT(y.dtype == CELLA_ONNX_FLOAT16 && ((const uint16_t *)y.data)[0] == 0x7c00 &&
		  ((const uint16_t *)y.data)[1] == 0x2e66);
	cella_onnx_model_free(m);
	cella_test_pass("Cast to strings as numpy writes them (shortest digits, positional from 1e-4 to 1e16, nan/inf) "
			"and back bit for bit; text to float in one rounding, to integers truncated and saturated");
}

static void test_strings_cast_refused(void)
{
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	static const char *const bad[6] = { "abc", "1e", "", "0x10", "1,5", "1.5\0" };
	static const size_t bl[6] = { 3, 2, 0, 4, 3, 4 };
	static const char *const msg[6] = { "element 1 ('abc') is not a number", "element 1 ('1e') is not a number",
					    "element 1 ('') is not a number", "element 1 ('0x10') is not a number",
					    "element 1 ('1,5') is not a number", "element 1 ('1.5?') is not a number" };
	for (int i = 0; i < 6; i++) {
		struct cella_onnx_string ts[2] = { { "1", 1 }, { bad[i], bl[i] } };
		expect_refused(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_FLOAT, ts, 2, 0, &m, &y), CELLA_ERR_MODEL, msg[i],
			       "unparsable text");
		cella_onnx_model_free(m);
	}
	/* bool either way: numpy writes "True", others "1" */
	struct cella_onnx_string one = { "1", 1 };
	static const uint8_t t = 1;
	expect_refused(cast_run(CELLA_ONNX_STRING, CELLA_ONNX_BOOL, &one, 1, 0, &m, &y), CELLA_ERR_MODEL_UNSUPPORTED,
		       "cast from string to bool is not supported", "string to bool");
	CT_ASSERT(m == NULL);
	expect_refused(cast_run(CELLA_ONNX_BOOL, CELLA_ONNX_STRING, &t, 1, 0, &m, &y), CELLA_ERR_MODEL_UNSUPPORTED,
		       "cast from bool to string is not supported", "bool to string");
	CT_ASSERT(m == NULL);
	/* the strings a run makes count against max_tensor_bytes (64: four records take it all, and 4 x 18 bytes
	 * more are over) */
	static const double third[4] = { 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3 };
	expect_refused(cast_run(CELLA_ONNX_DOUBLE, CELLA_ONNX_STRING, third, 4, 64, &m, &y), CELLA_ERR_TOO_LARGE,
		       "(Cast): input exceeds a limit: the run's strings would take more than "
		       "max_tensor_bytes (64 bytes)", "strings over the limit");
	cella_onnx_model_free(m);
	CT_RESULT(cast_run(CELLA_ONNX_DOUBLE, CELLA_ONNX_STRING, third, 3, 64, &m, &y), CELLA_OK); /* 54 bytes */
	cella_onnx_model_free(m);
	cella_test_pass("Cast refused by name: 6 texts that are no number (a NUL inside one), bool either way, strings "
			"over max_tensor_bytes");
}

/* StringNormalizer over x (records xs, of rank and dims; dynamic: declared [-1] or [1, -1]) with case_change_action
 * act (NULL: absent), is_case_sensitive cs (-1: absent), nw stopwords and locale loc (NULL: absent). */
static cella_result sn_run(const char *act, int64_t cs, const char *const *words, const size_t *wl, size_t nw,
			   const char *loc, struct cella_onnx_string *xs, int rank, const int64_t *dims, int dynamic,
			   struct cella_onnx_model **m, struct cella_onnx_tensor *y)
{
	static ProtobufCBinaryData bw[8];
	static struct mb b;
	int64_t decl[2] = { rank == 2 ? 1 : -1, -1 };
	CT_ASSERT(nw <= 8);
	single_xd(&b, 10, "StringNormalizer", CELLA_ONNX_STRING, rank, dynamic ? decl : dims);
	Onnx__NodeProto *n = b.g.np[0];
	if (act)
		attr_s(&b.g, n, "case_change_action", act);
	if (cs >= 0)
		attr_i(&b.g, n, "is_case_sensitive", cs);
	if (loc)
		attr_s(&b.g, n, "locale", loc);
	if (nw) {
		for (size_t i = 0; i < nw; i++)
			bw[i] = (ProtobufCBinaryData){ wl[i], (uint8_t *)words[i] };
		Onnx__AttributeProto *a = gb_attr(&b.g, n, "stopwords", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
		a->n_strings = nw;
		a->strings = bw;
	}
	size_t c = 1;
	for (int d = 0; d < rank; d++)
		c *= (size_t)dims[d];
	struct cella_onnx_tensor in = stensor(xs, c, rank, dims);
	return half_run(&b, 0, &in, 1, m, y, 1);
}

/* Records for the NUL-free texts t[0..n). */
static void str_records(struct cella_onnx_string *s, const char *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (struct cella_onnx_string){ t[i], strlen(t[i]) };
}

static void test_string_normalizer(void)
{
	static const char *const tx[6] = { "Monday", "Tuesday", "\303\211COLE", "stra\303\237e",
					   "\316\251\316\274\316\255\316\263\316\261", "x\0y" };
	static const size_t tl[6] = { 6, 7, 6, 7, 10, 3 };
	static const int64_t d6[1] = { 6 }, d16[2] = { 1, 6 };
	struct cella_onnx_string xs[6];
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	for (int i = 0; i < 6; i++)
		xs[i] = (struct cella_onnx_string){ tx[i], tl[i] };
	/* LOWER, case-sensitive, "Monday" dropped: É to é, ß kept (no one-letter capital), Greek in lower case */
	static const char *const mon[1] = { "Monday" };
	static const size_t monl[1] = { 6 };
	static const char *const lo[5] = { "tuesday", "\303\251cole", "stra\303\237e",
					   "\317\211\316\274\316\255\316\263\316\261", "x\0y" };
	static const size_t lol[5] = { 7, 6, 7, 10, 3 };
	CT_RESULT(sn_run("LOWER", 1, mon, monl, 1, NULL, xs, 1, d6, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 5 }, lo, lol, 5, "LOWER, case-sensitive");
	cella_onnx_model_free(m);
	/* UPPER, case-insensitive stopwords "MONDAY" and "école" (each matching in another case), dynamic dims */
	static const char *const sw2[2] = { "MONDAY", "\303\251cole" };
	static const size_t sw2l[2] = { 6, 6 };
	static const char *const up[4] = { "TUESDAY", "STRA\303\237E", "\316\251\316\234\316\210\316\223\316\221",
					   "X\0Y" };
	static const size_t upl[4] = { 7, 7, 10, 3 };
	CT_RESULT(sn_run("UPPER", 0, sw2, sw2l, 2, "en_US.UTF-8", xs, 1, d6, 1, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 4 }, up, upl, 4, "UPPER, case-insensitive");
	cella_onnx_model_free(m);
	/* NONE on [1, C] without stopwords: the input as it is; with a case-insensitive stopword, only it dropped */
	CT_RESULT(sn_run(NULL, -1, NULL, NULL, 0, NULL, xs, 2, d16, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 2, d16, tx, tl, 6, "NONE");
	cella_onnx_model_free(m);
	static const char *const tue[1] = { "TUESDAY" };
	static const size_t tuel[1] = { 7 };
	CT_RESULT(sn_run("NONE", 0, tue, tuel, 1, NULL, xs, 2, d16, 1, &m, &y), CELLA_OK);
	static const char *const no_tue[5] = { "Monday", "\303\211COLE", "stra\303\237e",
					       "\316\251\316\274\316\255\316\263\316\261", "x\0y" };
	static const size_t no_tuel[5] = { 6, 6, 7, 10, 3 };
	expect_strings(&y, 2, (const int64_t[]){ 1, 5 }, no_tue, no_tuel, 5, "NONE, one stopword");
	cella_onnx_model_free(m);
	/* Cyrillic and Latin Extended-A: "Привет, Łódź" in upper case; ı to I and ſ to S (glibc's simple
	 * mapping) */
	static const char *const cy[1] = { ("\320\237\321\200\320\270\320\262\320\265\321\202, "
					    "\305\201\303\263d\305\272 \304\261\305\277") };
	static const char *const cyu[1] = { ("\320\237\320\240\320\230\320\222\320\225\320\242, "
					     "\305\201\303\223D\305\271 IS") };
	struct cella_onnx_string cs[1];
	str_records(cs, cy, 1);
	size_t cyul[1] = { strlen(cyu[0]) };
	CT_RESULT(sn_run("UPPER", 1, NULL, NULL, 0, NULL, cs, 1, (const int64_t[]){ 1 }, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 1 }, cyu, cyul, 1, "Cyrillic and Latin Extended-A in upper case");
	cella_onnx_model_free(m);
	/* everything dropped: one empty string, [1] for [C] and [1, 1] for [1, C] */
	static const char *const mm[2] = { "monday", "MONDAY" };
	static const char *const empty[1] = { "" };
	static const size_t zero[1] = { 0 };
	struct cella_onnx_string ms[2];
	str_records(ms, mm, 2);
	CT_RESULT(sn_run("UPPER", 0, mon, monl, 1, NULL, ms, 1, (const int64_t[]){ 2 }, 0, &m, &y), CELLA_OK);
	expect_strings(&y, 1, (const int64_t[]){ 1 }, empty, zero, 1, "all dropped, [C]");
	cella_onnx_model_free(m);
	CT_RESULT(sn_run(NULL, 0, mon, monl, 1, NULL, ms, 2, (const int64_t[]){ 1, 2 }, 1, &m, &y), CELLA_OK);
	expect_strings(&y, 2, (const int64_t[]){ 1, 1 }, empty, zero, 1, "all dropped, [1, C]");
	cella_onnx_model_free(m);
	cella_test_pass("StringNormalizer: LOWER, UPPER and NONE, stopwords compared byte for byte and in lower case "
			"(Latin-1, Greek, Cyrillic, Latin Extended-A), everything dropped gives one empty string");
}

static void test_string_normalizer_refused(void)
{
	static const char *const tx[3] = { "a", "b", "c" };
	static const int64_t d3[1] = { 3 }, d23[2] = { 2, 3 }, d113[3] = { 1, 1, 3 };
	static const char *const bad_word[1] = { "\xff" };
	static const size_t one[1] = { 1 };
	struct cella_onnx_string xs[6];
	struct cella_onnx_model *m = NULL;
	struct cella_onnx_tensor y;
	str_records(xs, tx, 3);
	str_records(xs + 3, tx, 3);
	/* attributes, at load whether the input's dims are declared or not */
	for (int dyn = 0; dyn < 2; dyn++) {
		expect_refused(sn_run("lower", -1, NULL, NULL, 0, NULL, xs, 1, d3, dyn, &m, &y), CELLA_ERR_MODEL,
			       "attribute 'case_change_action' is 'lower', not LOWER, UPPER or NONE",
			       "case_change_action");
		CT_ASSERT(m == NULL);
		expect_refused(sn_run(NULL, 2, NULL, NULL, 0, NULL, xs, 1, d3, dyn, &m, &y), CELLA_ERR_MODEL,
			       "attribute 'is_case_sensitive' is 2, not 0 or 1", "is_case_sensitive");
		CT_ASSERT(m == NULL);
		expect_refused(sn_run(NULL, 0, bad_word, one, 1, NULL, xs, 1, d3, dyn, &m, &y), CELLA_ERR_MODEL,
			       "stopword 0 is not valid UTF-8", "a stopword of invalid UTF-8");
		CT_ASSERT(m == NULL);
		expect_refused(sn_run("UPPER", -1, NULL, NULL, 0, "tr_TR.UTF-8", xs, 1, d3, dyn, &m, &y),
			       CELLA_ERR_MODEL_UNSUPPORTED,
			       "attribute 'locale' is 'tr_TR.UTF-8': Turkish and Azerbaijani", "a Turkish locale");
		CT_ASSERT(m == NULL);
	}
	/* stopwords of the wrong type (INTS) */
	{
		static struct mb b;
		static const int64_t iv[1] = { 1 };
		single_xd(&b, 10, "StringNormalizer", CELLA_ONNX_STRING, 1, d3);
		attr_ints(&b.g, b.g.np[0], "stopwords", iv, 1);
		struct cella_onnx_tensor in = stensor(xs, 3, 1, d3);
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL,
			       "attribute 'stopwords' is not a list of strings", "stopwords of ints");
		CT_ASSERT(m == NULL);
	}
	/* shapes other than [C] and [1, C]: at load when declared, at run when not */
	expect_refused(sn_run(NULL, -1, NULL, NULL, 0, NULL, xs, 2, d23, 0, &m, &y), CELLA_ERR_MODEL_SHAPE,
		       "input of shape [2, 3], not [C] or [1, C]", "[2, 3]");
	CT_ASSERT(m == NULL);
	expect_refused(sn_run(NULL, -1, NULL, NULL, 0, NULL, xs, 3, d113, 0, &m, &y), CELLA_ERR_MODEL_SHAPE,
		       "input of rank 3, not [C] or [1, C]", "rank 3");
	CT_ASSERT(m == NULL);
	/* an element that is not UTF-8 (a lead byte without its continuation), at run */
	xs[1] = (struct cella_onnx_string){ "\xc3(", 2 };
	expect_refused(sn_run("LOWER", -1, NULL, NULL, 0, NULL, xs, 1, d3, 1, &m, &y), CELLA_ERR_MODEL,
		       "element 1 is not valid UTF-8", "invalid UTF-8");
	cella_onnx_model_free(m);
	/* numbers */
	{
		static struct mb b;
		static const float fv[3] = { 1, 2, 3 };
		single_xd(&b, 10, "StringNormalizer", CELLA_ONNX_FLOAT, 1, (const int64_t[]){ -1 });
		struct cella_onnx_tensor in = ftensor((float *)fv, 1, d3);
		expect_refused(half_run(&b, 0, &in, 1, &m, &y, 1), CELLA_ERR_MODEL_UNSUPPORTED,
			       "input of type float: StringNormalizer takes strings", "float input");
		cella_onnx_model_free(m);
	}
	cella_test_pass("StringNormalizer refused by name: case_change_action 'lower', is_case_sensitive 2, a stopword "
			"of invalid UTF-8, a Turkish locale (all at load, declared dims or not), stopwords of ints, "
			"[2, 3] and rank 3, an element of invalid UTF-8, float input");
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } tests[] = {
		{ "resize_crop_nonfinite", test_resize_crop_nonfinite },
		{ "half_convert", test_half_convert },
		{ "values_sequences", test_values_sequences },
		{ "values_optionals", test_values_optionals },
		{ "half_cast", test_half_cast },
		{ "half_compute", test_half_compute },
		{ "half_conv", test_half_conv },
		{ "half_types", test_half_types },
		{ "half_limit", test_half_limit },
		{ "half_precision", test_half_precision },
		{ "half_scan", test_half_scan },
		{ "sequences", test_sequences },
		{ "sequences_refused", test_sequences_refused },
		{ "sequences_subgraphs", test_sequences_subgraphs },
		{ "dropout_training", test_dropout_training },
		{ "deform_conv", test_deform_conv },
		{ "lrn_huge_size", test_lrn_huge_size },
		{ "lrn_even_size", test_lrn_even_size },
		{ "pool_huge_kernel", test_pool_huge_kernel },
		{ "pool_generic_small", test_pool_generic_small },
		{ "conv_group_no_channels", test_conv_group_no_channels },
		{ "conv_im2col", test_conv_im2col },
		{ "lstm_reference", test_lstm_reference },
		{ "if_branch_inputs", test_if_branch_inputs },
		{ "int_div_mod", test_int_div_mod },
		{ "slice_negative_step", test_slice_negative_step },
		{ "hardswish_rank", test_hardswish_rank },
		{ "attr_types", test_attr_types },
		{ "attr_types_fused", test_attr_types_fused },
		{ "pad_split_bounds", test_pad_split_bounds },
		{ "cast_u64_gelu", test_cast_u64_gelu },
		{ "cast_new_types", test_cast_new_types },
		{ "new_type_constants", test_new_type_constants },
		{ "gelu", test_gelu },
		{ "avgpool_dilations", test_avgpool_dilations },
		{ "pad_constant_exact", test_pad_constant_exact },
		{ "pad_wrap", test_pad_wrap },
		{ "scatter_int_reduce", test_scatter_int_reduce },
		{ "scatter_nd_updates_shape", test_scatter_nd_updates_shape },
		{ "onehot_depth_nan", test_onehot_depth_nan },
		{ "range_int64_exact", test_range_int64_exact },
		{ "int64_exact", test_int64_exact },
		{ "legacy_broadcast", test_legacy_broadcast },
		{ "legacy_conv_fold", test_legacy_conv_fold },
		{ "rnn_layout_initial_state", test_rnn_layout_initial_state },
		{ "rnn_huge_hidden", test_rnn_huge_hidden },
		{ "layernorm_broadcast", test_layernorm_broadcast },
		{ "groupnorm", test_groupnorm },
		{ "bitwise", test_bitwise },
		{ "grid_sample", test_grid_sample },
		{ "affine_grid", test_affine_grid },
		{ "loop", test_loop },
		{ "scan", test_scan },
		{ "scan8", test_scan8 },
		{ "layernorm_row_path", test_layernorm_row_path },
		{ "layernorm_dtypes", test_layernorm_dtypes },
		{ "clip_min_above_max", test_clip_min_above_max },
		{ "clip_legacy", test_clip_legacy },
		{ "int_reduce_wrap", test_int_reduce_wrap },
		{ "int_reduce_empty", test_int_reduce_empty },
		{ "reduce_bool", test_reduce_bool },
		{ "depthwise_tall_kernel", test_depthwise_tall_kernel },
		{ "window_attrs", test_window_attrs },
		{ "bool_nonzero", test_bool_nonzero },
		{ "pow_int_nan", test_pow_int_nan },
		{ "topk_nan", test_topk_nan },
		{ "hardmax_nan", test_hardmax_nan },
		{ "argext_nan", test_argext_nan },
		{ "nonzero_negzero", test_nonzero_negzero },
		{ "nonzero_scalar", test_nonzero_scalar },
		{ "global_maxpool_nan", test_global_maxpool_nan },
		{ "reduce_noop_empty_axes", test_reduce_noop_empty_axes },
		{ "reduce_logsumexp_inf", test_reduce_logsumexp_inf },
		{ "clip_nan", test_clip_nan },
		{ "act_nan", test_act_nan },
		{ "quantize_linear", test_quantize_linear },
		{ "dequantize_linear", test_dequantize_linear },
		{ "qdq_refused", test_qdq_refused },
		{ "dynamic_quantize_linear", test_dynamic_quantize_linear },
		{ "matmul_integer", test_matmul_integer },
		{ "conv_integer", test_conv_integer },
		{ "qlinear_matmul", test_qlinear_matmul },
		{ "qlinear_conv", test_qlinear_conv },
		{ "einsum", test_einsum },
		{ "einsum_refused", test_einsum_refused },
		{ "unique", test_unique },
		{ "det", test_det },
		{ "windows", test_windows },
		{ "nms_select", test_nms_select },
		{ "nms_order_nan", test_nms_order_nan },
		{ "nms_refused", test_nms_refused },
		{ "roialign_values", test_roialign_values },
		{ "roialign_refused", test_roialign_refused },
		{ "maxunpool", test_maxunpool },
		{ "maxunpool_refused", test_maxunpool_refused },
		{ "maxpool_int8", test_maxpool_int8 },
		{ "dft", test_dft },
		{ "stft", test_stft },
		{ "mel_weight_matrix", test_mel_weight_matrix },
		{ "tfidf_vectorizer", test_tfidf_vectorizer },
		{ "tfidf_refused", test_tfidf_refused },
		{ "training_optimizers", test_training_optimizers },
		{ "training_refused", test_training_refused },
		{ "strings_move", test_strings_move },
		{ "strings_folded", test_strings_folded },
		{ "strings_sequences", test_strings_sequences },
		{ "strings_refused", test_strings_refused },
		{ "strings_ops", test_strings_ops },
		{ "variadic_broadcast", test_variadic_broadcast },
		{ "tfidf_strings", test_tfidf_strings },
		{ "strings_opset20", test_strings_opset20 },
		{ "strings_cast", test_strings_cast },
		{ "strings_cast_refused", test_strings_cast_refused },
		{ "string_normalizer", test_string_normalizer },
		{ "string_normalizer_refused", test_string_normalizer_refused },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (argc < 2 || strstr(tests[i].name, argv[1]))
			tests[i].fn();
	return 0;
}
