/* SPDX-License-Identifier: MIT */
/* Shared pieces of the ONNX engine tests that build models with the generated protobuf-c code. */
#ifndef CELLA_ONNX_TESTKIT_H
#define CELLA_ONNX_TESTKIT_H

#include <cella/onnx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

/* A model of IR version `ir` importing the default domain at `opset` (os and osp[1] are the caller's), over g. */
static inline void tk_model(Onnx__ModelProto *m, Onnx__OperatorSetIdProto *os, Onnx__OperatorSetIdProto **osp,
			    int64_t ir, int64_t opset, Onnx__GraphProto *g)
{
	onnx__model_proto__init(m);
	onnx__operator_set_id_proto__init(os);
	m->has_ir_version = 1;
	m->ir_version = ir;
	os->has_version = 1;
	os->version = opset;
	os->domain = "";
	osp[0] = os;
	m->n_opset_import = 1;
	m->opset_import = osp;
	m->graph = g;
}

/* The storage one value info uses: the caller's arrays, so a builder owns all of a model's memory. */
struct tk_vi {
	Onnx__ValueInfoProto *v;
	Onnx__TypeProto *t;
	Onnx__TypeProto__Tensor *tt;
	Onnx__TensorShapeProto *s;           /* used when shaped */
	Onnx__TensorShapeProto__Dimension *dims; /* CELLA_ONNX_MAX_RANK of them */
	Onnx__TensorShapeProto__Dimension **dimp;
};

/* A tensor value info named `name`; with `shaped` and rank >= 0 its dims (-1: dynamic, "N"). */
static inline void tk_value_info(const struct tk_vi *w, const char *name, int dtype, int shaped, int rank,
				 const int64_t *dims)
{
	onnx__value_info_proto__init(w->v);
	onnx__type_proto__init(w->t);
	onnx__type_proto__tensor__init(w->tt);
	w->v->name = (char *)name;
	w->v->type = w->t;
	w->t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	w->t->tensor_type = w->tt;
	w->tt->has_elem_type = 1;
	w->tt->elem_type = dtype;
	if (shaped && rank >= 0) {
		onnx__tensor_shape_proto__init(w->s);
		for (int d = 0; d < rank; d++) {
			Onnx__TensorShapeProto__Dimension *dm = &w->dims[d];
			onnx__tensor_shape_proto__dimension__init(dm);
			if (dims[d] >= 0) {
				dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
				dm->dim_value = dims[d];
			} else {
				dm->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
				dm->dim_param = "N";
			}
			w->dimp[d] = dm;
		}
		w->s->n_dim = (size_t)rank;
		w->s->dim = w->dimp;
		w->tt->shape = w->s;
	}
}

/* An attribute `name` of `type` in the builder's slot `a`; the setters give it its value. */
static inline Onnx__AttributeProto *tk_attr(Onnx__AttributeProto *a, const char *name, int type)
{
	onnx__attribute_proto__init(a);
	a->name = (char *)name;
	a->has_type = 1;
	a->type = type;
	return a;
}

static inline void tk_set_i(Onnx__AttributeProto *a, int64_t v)
{
	a->has_i = 1;
	a->i = v;
}

static inline void tk_set_s(Onnx__AttributeProto *a, const char *v)
{
	a->has_s = 1;
	a->s.data = (uint8_t *)v;
	a->s.len = strlen(v);
}

static inline void tk_set_ints(Onnx__AttributeProto *a, const int64_t *v, size_t count)
{
	a->n_ints = count;
	a->ints = (int64_t *)v;
}

/* The engine's log, kept for the assertions on messages. */
static char last_log[512];
static inline void logcb(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* Packs the model and loads it with the log above; *m is NULL unless it loads. */
static inline cella_result tk_load(const Onnx__ModelProto *model, struct cella_onnx_model **m)
{
	size_t len = onnx__model_proto__get_packed_size(model);
	uint8_t *buf = malloc(len + 1);
	struct cella_onnx_options o = {.log = logcb};
	cella_result r;
	*m = NULL;
	if (!buf)
		return CELLA_ERR_OUT_OF_MEMORY;
	onnx__model_proto__pack(model, buf);
	last_log[0] = '\0';
	r = cella_onnx_model_new(buf, len, &o, m);
	free(buf);
	return r;
}

/* A float tensor over `data`. */
static inline struct cella_onnx_tensor ftensor(float *data, int rank, const int64_t *dims)
{
	struct cella_onnx_tensor t;
	size_t c = 1;
	memset(&t, 0, sizeof(t));
	t.dtype = CELLA_ONNX_FLOAT;
	t.rank = (uint32_t)rank;
	for (int i = 0; i < rank; i++) {
		t.dims[i] = dims[i];
		c *= (size_t)dims[i];
	}
	t.data = data;
	t.bytes = c * sizeof(float);
	return t;
}

#endif
