// SPDX-License-Identifier: MIT
/* onnx.TensorProto → dense little-endian tensor (raw_data or typed fields), and dtype helpers. */
#include <cella/onnx.h>

#include "onnx.pb-c.h"
#include "onnx_internal.h"

#include <stdlib.h>
#include <string.h>

size_t onnx_dtype_size(int dtype)
{
	switch (dtype) {
	case CELLA_ONNX_FLOAT: case CELLA_ONNX_INT32: case CELLA_ONNX_UINT32: return 4;
	case CELLA_ONNX_UINT8: case CELLA_ONNX_INT8: case CELLA_ONNX_BOOL: return 1;
	case CELLA_ONNX_UINT16: case CELLA_ONNX_INT16: case CELLA_ONNX_FLOAT16: case CELLA_ONNX_BFLOAT16: return 2;
	case CELLA_ONNX_INT64: case CELLA_ONNX_DOUBLE: case CELLA_ONNX_UINT64: return 8;
	default: return 0;
	}
}

uint64_t onnx_max_count(uint64_t max_bytes, int dtype)
{
	size_t es = onnx_dtype_size(dtype);
	return es ? max_bytes / es : 0;
}

size_t cella_onnx_dtype_size(cella_onnx_dtype t) /* see cella/onnx.h */
{
	return onnx_dtype_size((int)t);
}

const char *cella_onnx_dtype_name(cella_onnx_dtype t) /* see cella/onnx.h */
{
	static const char *const names[] = { "undefined", "float", "uint8", "int8", "uint16", "int16", "int32",
					     "int64", "string", "bool", "float16", "double", "uint32", "uint64",
					     "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
					     "float8e5m2", "float8e5m2fnuz", "uint4", "int4" };
	if ((unsigned)t < sizeof(names) / sizeof(names[0]))
		return names[t];
	return "unknown";
}

uint64_t cella_onnx_tensor_count(const struct cella_onnx_tensor *t) /* see cella/onnx.h */
{
	uint64_t n = 1;
	for (uint32_t i = 0; i < t->rank && i < CELLA_ONNX_MAX_RANK; i++)
		n *= t->dims[i] < 0 ? 0 : (uint64_t)t->dims[i];
	return n;
}

size_t onnx_tensor_count(const struct tensor *t)
{
	size_t n = 1;
	for (int i = 0; i < t->rank; i++)
		n *= (size_t)t->dims[i];
	return n;
}

cella_result onnx_dims_count(const int64_t *dims, int rank, uint64_t limit, uint64_t *count)
{
	uint64_t n = 1;
	int empty = 0;
	for (int i = 0; i < rank; i++) {
		if (dims[i] < 0)
			return CELLA_ERR_MODEL_SHAPE;
		if (dims[i] == 0) {
			empty = 1; /* no elements, but loops over the other dims still run through them all */
			continue;
		}
		if ((uint64_t)dims[i] > limit / n)
			return CELLA_ERR_TOO_LARGE;
		n *= (uint64_t)dims[i];
	}
	if (n > limit)
		return CELLA_ERR_TOO_LARGE;
	*count = empty ? 0 : n;
	return CELLA_OK;
}

/* Element count of a decoded tensor: at most CELLA_ONNX_MAX_TENSOR_BYTES of data, its zero dims taken as 1. */
static cella_result count_checked(const int64_t *dims, size_t rank, size_t esize, size_t *count)
{
	uint64_t n;
	cella_result r = onnx_dims_count(dims, (int)rank, CELLA_ONNX_MAX_TENSOR_BYTES / esize, &n);
	if (r != CELLA_OK)
		return r == CELLA_ERR_MODEL_SHAPE ? CELLA_ERR_MODEL : r;
	*count = (size_t)n;
	return CELLA_OK;
}

cella_result onnx_tensor_from_proto(const Onnx__TensorProto *p, struct tensor *t, void **mem)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	void *buf = NULL;
	size_t count = 0;
	int dt = p->has_data_type ? p->data_type : 0;
	size_t es = onnx_dtype_size(dt);
	if (es == 0)
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED);
	if (p->n_dims > MAXR)
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED);
	if (p->has_data_location && p->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED); /* no file I/O in the core */
	if (p->segment)
		CELLA_FAIL(CELLA_ERR_MODEL_UNSUPPORTED);
	CELLA_CHECK(count_checked(p->dims, p->n_dims, es, &count));
	{
		/* the elements must be present before anything is allocated for them */
		size_t have = p->has_raw_data ? p->raw_data.len / es : 0;
		if (p->has_raw_data && p->raw_data.len != count * es)
			CELLA_FAIL(CELLA_ERR_MODEL);
		if (!p->has_raw_data) {
			switch (dt) {
			case CELLA_ONNX_FLOAT: have = p->n_float_data; break;
			case CELLA_ONNX_DOUBLE: have = p->n_double_data; break;
			case CELLA_ONNX_INT64: have = p->n_int64_data; break;
			case CELLA_ONNX_UINT32: case CELLA_ONNX_UINT64: have = p->n_uint64_data; break;
			default: have = p->n_int32_data; break;
			}
		}
		if (have != count)
			CELLA_FAIL(CELLA_ERR_MODEL);
	}
	buf = malloc(count ? count * es : 1);
	if (!buf)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	if (p->has_raw_data) {
		if (p->raw_data.len != count * es)
			CELLA_FAIL(CELLA_ERR_MODEL);
		if (count)
			memcpy(buf, p->raw_data.data, count * es);
	} else {
		size_t have;
		switch (dt) {
		case CELLA_ONNX_FLOAT:
			if ((have = p->n_float_data) == count && count)
				memcpy(buf, p->float_data, count * 4);
			break;
		case CELLA_ONNX_DOUBLE:
			if ((have = p->n_double_data) == count && count)
				memcpy(buf, p->double_data, count * 8);
			break;
		case CELLA_ONNX_INT64:
			if ((have = p->n_int64_data) == count && count)
				memcpy(buf, p->int64_data, count * 8);
			break;
		case CELLA_ONNX_UINT32: case CELLA_ONNX_UINT64:
			if ((have = p->n_uint64_data) == count)
				for (size_t i = 0; i < count; i++) {
					if (dt == CELLA_ONNX_UINT32)
						((uint32_t *)buf)[i] = (uint32_t)p->uint64_data[i];
					else
						((uint64_t *)buf)[i] = p->uint64_data[i];
				}
			break;
		default: /* int32_data carries int32, int16, int8, uint16, uint8, bool, and float16's and bfloat16's bits */
			if ((have = p->n_int32_data) == count)
				for (size_t i = 0; i < count; i++) {
					int32_t v = p->int32_data[i];
					switch (es) {
					case 4: ((int32_t *)buf)[i] = v; break;
					case 2: ((uint16_t *)buf)[i] = (uint16_t)v; break;
					default: ((uint8_t *)buf)[i] = dt == CELLA_ONNX_BOOL ? (v != 0) : (uint8_t)v; break;
					}
				}
			break;
		}
		if (have != count)
			CELLA_FAIL(CELLA_ERR_MODEL);
	}
	memset(t, 0, sizeof(*t));
	t->dtype = dt;
	t->rank = (int)p->n_dims;
	for (size_t i = 0; i < p->n_dims; i++)
		t->dims[i] = p->dims[i];
	t->data = buf;
	t->bytes = count * es;
	t->known = 1;
	t->is_const = 1;
	t->buf = -1;
	*mem = buf;
	buf = NULL;
	r = CELLA_OK;
out:
	free(buf);
	return r;
}

cella_result cella_onnx_tensor_decode(const void *bytes, size_t len, struct cella_onnx_tensor *out) /* see cella/onnx.h */
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	Onnx__TensorProto *p = NULL;
	struct tensor t;
	void *mem = NULL;
	if (!bytes && len)
		return CELLA_ERR_INVALID_ARG;
	p = onnx__tensor_proto__unpack(NULL, len, bytes);
	if (!p)
		CELLA_FAIL(CELLA_ERR_MODEL);
	CELLA_CHECK(onnx_tensor_from_proto(p, &t, &mem));
	memset(out, 0, sizeof(*out));
	out->dtype = (cella_onnx_dtype)t.dtype;
	out->rank = (uint32_t)t.rank;
	memcpy(out->dims, t.dims, sizeof(out->dims));
	out->data = mem;
	out->bytes = t.bytes;
	r = CELLA_OK;
out:
	if (p)
		onnx__tensor_proto__free_unpacked(p, NULL);
	return r;
}

void cella_onnx_tensor_fini(struct cella_onnx_tensor *t) /* see cella/onnx.h */
{
	if (!t)
		return;
	free(t->data);
	memset(t, 0, sizeof(*t));
}
