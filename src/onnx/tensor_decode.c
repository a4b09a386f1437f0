// SPDX-License-Identifier: MIT
/* onnx.TensorProto ↔ dense little-endian tensor (decoded from raw_data or typed fields, strings from string_data;
 * encoded as raw_data or string_data);
 * SequenceProto and OptionalProto of them → struct cella_onnx_value; dtype helpers. */
#include <cella/onnx.h>

#include "onnx.pb-c.h"
#include "onnx_internal.h"
#include "onnx_value.pb-c.h"

#include <stdlib.h>
#include <string.h>

size_t onnx_dtype_size(int dtype)
{
	switch (dtype) {
	case CELLA_ONNX_FLOAT: case CELLA_ONNX_INT32: case CELLA_ONNX_UINT32: return 4;
	case CELLA_ONNX_UINT8: case CELLA_ONNX_INT8: case CELLA_ONNX_BOOL: return 1;
	case CELLA_ONNX_UINT16: case CELLA_ONNX_INT16: case CELLA_ONNX_FLOAT16: case CELLA_ONNX_BFLOAT16: return 2;
	case CELLA_ONNX_INT64: case CELLA_ONNX_DOUBLE: case CELLA_ONNX_UINT64: return 8;
	case CELLA_ONNX_STRING: return sizeof(struct cella_onnx_string);
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

/* The count strings of p's string_data as one block: the records, then their bytes, each record pointing into the
 * block, so that one free releases them all. */
static cella_result strings_from_proto(const Onnx__TensorProto *p, size_t count, void **out)
{
	size_t total = count * sizeof(struct cella_onnx_string), at = total;
	if (p->has_raw_data || p->n_string_data != count)
		return CELLA_ERR_MODEL; /* strings are in string_data only */
	for (size_t i = 0; i < count; i++)
		if (__builtin_add_overflow(total, p->string_data[i].len, &total))
			return CELLA_ERR_TOO_LARGE;
	char *b = malloc(total ? total : 1);
	if (!b)
		return CELLA_ERR_OUT_OF_MEMORY;
	struct cella_onnx_string *s = (struct cella_onnx_string *)(void *)b;
	for (size_t i = 0; i < count; i++) {
		size_t len = p->string_data[i].len;
		if (len)
			memcpy(b + at, p->string_data[i].data, len);
		s[i].data = b + at;
		s[i].len = len;
		at += len;
	}
	*out = b;
	return CELLA_OK;
}

/*
 * The count elements of p (raw_data or the typed field of dt, es bytes each) as one malloc'ed block. raw_data of
 * the right length is taken, not copied: protobuf-c unpacks each bytes field into a block of its own from the
 * system allocator (p comes from an unpack with the default allocator), so the block becomes the tensor's and p is
 * left without raw_data. A model's weights are then never held twice while it loads.
 */
static cella_result numbers_from_proto(Onnx__TensorProto *p, int dt, size_t es, size_t count, void **out)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	void *buf = NULL;
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
	if (p->has_raw_data && count && p->raw_data.data) {
		*out = p->raw_data.data;
		p->raw_data.data = NULL;
		p->raw_data.len = 0;
		p->has_raw_data = 0;
		return CELLA_OK;
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
	*out = buf;
	buf = NULL;
	r = CELLA_OK;
out:
	free(buf);
	return r;
}

cella_result onnx_tensor_from_proto(Onnx__TensorProto *p, struct tensor *t, void **mem)
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
	if (dt == CELLA_ONNX_STRING)
		CELLA_CHECK(strings_from_proto(p, count, &buf));
	else
		CELLA_CHECK(numbers_from_proto(p, dt, es, count, &buf));
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

/* The tensor of p into out, its data malloc'ed (raw_data taken from p: numbers_from_proto). */
static cella_result tensor_out(Onnx__TensorProto *p, struct cella_onnx_tensor *out)
{
	struct tensor t;
	void *mem = NULL;
	cella_result r = onnx_tensor_from_proto(p, &t, &mem);
	if (r != CELLA_OK)
		return r;
	memset(out, 0, sizeof(*out));
	out->dtype = (cella_onnx_dtype)t.dtype;
	out->rank = (uint32_t)t.rank;
	memcpy(out->dims, t.dims, sizeof(out->dims));
	out->data = mem;
	out->bytes = t.bytes;
	return CELLA_OK;
}

cella_result cella_onnx_tensor_decode(const void *bytes, size_t len, struct cella_onnx_tensor *out) /* see cella/onnx.h */
{
	if (!bytes && len)
		return CELLA_ERR_INVALID_ARG;
	Onnx__TensorProto *p = onnx__tensor_proto__unpack(NULL, len, bytes);
	if (!p)
		return CELLA_ERR_MODEL;
	cella_result r = tensor_out(p, out);
	onnx__tensor_proto__free_unpacked(p, NULL);
	return r;
}

cella_result cella_onnx_tensor_encode(const struct cella_onnx_tensor *t, const char *name, uint8_t **out,
				      size_t *len) /* see cella/onnx.h */
{
	Onnx__TensorProto p = ONNX__TENSOR_PROTO__INIT;
	ProtobufCBinaryData *strs = NULL;
	int64_t dims[CELLA_ONNX_MAX_RANK];
	size_t es = onnx_dtype_size(t->dtype), count, n;
	uint8_t *b;
	cella_result r;

	*out = NULL;
	*len = 0;
	if (!es || t->rank > CELLA_ONNX_MAX_RANK)
		return CELLA_ERR_INVALID_ARG;
	if ((r = count_checked(t->dims, t->rank, es, &count)) != CELLA_OK)
		return r == CELLA_ERR_MODEL ? CELLA_ERR_INVALID_ARG : r; /* a negative dim */
	if (t->bytes != count * es || (count && !t->data))
		return CELLA_ERR_INVALID_ARG;
	memcpy(dims, t->dims, t->rank * sizeof(dims[0]));
	p.n_dims = t->rank;
	p.dims = dims;
	p.has_data_type = 1;
	p.data_type = (int32_t)t->dtype;
	/* protobuf-c's message fields are not const; packing only reads them */
	p.name = (char *)name;
	if (t->dtype == CELLA_ONNX_STRING) {
		const struct cella_onnx_string *s = t->data;
		if (!(strs = malloc((count ? count : 1) * sizeof(*strs))))
			return CELLA_ERR_OUT_OF_MEMORY;
		for (size_t i = 0; i < count; i++) {
			if (s[i].len && !s[i].data) {
				free(strs);
				return CELLA_ERR_INVALID_ARG;
			}
			strs[i].len = s[i].len;
			strs[i].data = (uint8_t *)s[i].data;
		}
		p.n_string_data = count;
		p.string_data = strs;
	} else {
		p.has_raw_data = 1; /* ONNX's raw_data is the elements little-endian, as struct cella_onnx_tensor holds them */
		p.raw_data.len = t->bytes;
		p.raw_data.data = t->data;
	}
	n = onnx__tensor_proto__get_packed_size(&p);
	if ((b = malloc(n ? n : 1))) {
		*len = onnx__tensor_proto__pack(&p, b);
		*out = b;
	}
	free(strs);
	return b ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
}

/* SequenceProto/OptionalProto elem_type values. */
enum { ELEM_UNDEFINED = 0, ELEM_TENSOR = 1, ELEM_SEQUENCE = 3 };

/* Sequence p (of tensors, all of one type) into out, whose items it allocates. */
static cella_result sequence_out(Onnx__SequenceProto *p, struct cella_onnx_value *out)
{
	struct cella_onnx_tensor *items;
	if (p->n_sparse_tensor_values || p->n_sequence_values || p->n_map_values || p->n_optional_values)
		return CELLA_ERR_MODEL_UNSUPPORTED; /* a sequence of sparse tensors, sequences, maps or optionals */
	if (p->has_elem_type && p->elem_type != ELEM_TENSOR && p->elem_type != ELEM_UNDEFINED)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (p->n_tensor_values > CELLA_ONNX_MAX_TENSOR_BYTES / sizeof(*items))
		return CELLA_ERR_TOO_LARGE;
	items = calloc(p->n_tensor_values ? p->n_tensor_values : 1, sizeof(*items));
	if (!items)
		return CELLA_ERR_OUT_OF_MEMORY;
	out->kind = CELLA_ONNX_VALUE_SEQUENCE;
	out->items = items;
	for (size_t i = 0; i < p->n_tensor_values; i++) {
		cella_result r = tensor_out(p->tensor_values[i], &items[i]);
		if (r == CELLA_OK && i && items[i].dtype != items[0].dtype) {
			r = CELLA_ERR_MODEL; /* a sequence's tensors are of one type */
			cella_onnx_tensor_fini(&items[i]);
		}
		if (r != CELLA_OK)
			return r;
		out->n_items = i + 1;
	}
	/* an empty sequence's element type is not serialized: float, for the caller to change if it knows better */
	out->tensor.dtype = p->n_tensor_values ? items[0].dtype : CELLA_ONNX_FLOAT;
	return CELLA_OK;
}

cella_result cella_onnx_value_decode(const void *bytes, size_t len, uint32_t form,
				     struct cella_onnx_value *out) /* see cella/onnx.h */
{
	cella_result r = CELLA_ERR_MODEL;
	Onnx__SequenceProto *sp = NULL;
	Onnx__OptionalProto *op = NULL;
	memset(out, 0, sizeof(*out));
	if ((!bytes && len) || (form & ~(CELLA_ONNX_FORM_SEQUENCE | CELLA_ONNX_FORM_OPTIONAL)))
		return CELLA_ERR_INVALID_ARG;
	if (!form)
		return cella_onnx_tensor_decode(bytes, len, &out->tensor);
	if (!(form & CELLA_ONNX_FORM_OPTIONAL)) {
		if ((sp = onnx__sequence_proto__unpack(NULL, len, bytes)))
			r = sequence_out(sp, out);
	} else if ((op = onnx__optional_proto__unpack(NULL, len, bytes))) {
		int seq = (form & CELLA_ONNX_FORM_SEQUENCE) != 0;
		if (op->has_sparse_tensor_value || op->has_map_value || op->has_optional_value)
			r = CELLA_ERR_MODEL_UNSUPPORTED;
		else if (op->tensor_value && op->sequence_value)
			r = CELLA_ERR_MODEL; /* an optional holds one value */
		else if (op->tensor_value || op->sequence_value ? !op->sequence_value != !seq
								   : op->has_elem_type && op->elem_type != ELEM_UNDEFINED &&
									     op->elem_type != (seq ? ELEM_SEQUENCE : ELEM_TENSOR))
			r = CELLA_ERR_MODEL; /* a value, or an element type, of the other form */
		else if (op->sequence_value)
			r = sequence_out(op->sequence_value, out);
		else if (op->tensor_value)
			r = tensor_out(op->tensor_value, &out->tensor);
		else {
			out->kind = CELLA_ONNX_VALUE_NONE;
			r = CELLA_OK;
		}
	}
	if (sp)
		onnx__sequence_proto__free_unpacked(sp, NULL);
	if (op)
		onnx__optional_proto__free_unpacked(op, NULL);
	if (r != CELLA_OK)
		cella_onnx_value_fini(out);
	return r;
}

void cella_onnx_value_fini(struct cella_onnx_value *v) /* see cella/onnx.h */
{
	if (!v)
		return;
	struct cella_onnx_tensor *items = (struct cella_onnx_tensor *)(uintptr_t)v->items;
	for (size_t i = 0; items && i < v->n_items; i++)
		cella_onnx_tensor_fini(&items[i]);
	free(items);
	cella_onnx_tensor_fini(&v->tensor);
	memset(v, 0, sizeof(*v));
}

void cella_onnx_tensor_fini(struct cella_onnx_tensor *t) /* see cella/onnx.h */
{
	if (!t)
		return;
	free(t->data);
	memset(t, 0, sizeof(*t));
}
