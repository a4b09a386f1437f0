/* SPDX-License-Identifier: MIT */
/*
 * How onnx_enclave_test's enclave sends back a model's output 0, and how the host lays out its own for the byte
 * comparison: u32 kind, u32 tensor count (1 for a tensor, a sequence's length, 0 for none), then per tensor u32
 * dtype, u32 rank, i64 dims[8], u64 bytes and its data, padded to 8 bytes (a string tensor's data: each string
 * as u64 length and bytes). Included by both worlds.
 */
#ifndef CELLA_TEST_VALUE_WIRE_H
#define CELLA_TEST_VALUE_WIRE_H

#include <cella/onnx.h>
#include <stdint.h>
#include <string.h>

/* Writes v into out (cap bytes); the bytes written, or 0 when they do not fit. */
static inline size_t value_wire_put(const struct cella_onnx_value *v, uint8_t *out, size_t cap)
{
	const struct cella_onnx_tensor *ts = v->kind == CELLA_ONNX_VALUE_SEQUENCE ? v->items : &v->tensor;
	uint32_t kind = (uint32_t)v->kind, n = v->kind == CELLA_ONNX_VALUE_SEQUENCE ? (uint32_t)v->n_items
					  : v->kind == CELLA_ONNX_VALUE_TENSOR ? 1 : 0;
	size_t pos = 8;
	if (cap < 8)
		return 0;
	memcpy(out, &kind, 4);
	memcpy(out + 4, &n, 4);
	for (uint32_t i = 0; i < n; i++) {
		const struct cella_onnx_tensor *t = &ts[i];
		uint32_t dt = (uint32_t)t->dtype, rank = t->rank;
		int64_t dims[8] = { 0 };
		size_t bytes = t->bytes;
		if (t->dtype == CELLA_ONNX_STRING) /* each string as u64 length and its bytes, not the records' pointers */
			for (size_t k = 0; k < t->bytes / sizeof(struct cella_onnx_string); k++)
				bytes += 8 + ((const struct cella_onnx_string *)t->data)[k].len -
					 sizeof(struct cella_onnx_string);
		size_t padded = (bytes + 7) & ~(size_t)7;
		if (bytes > cap || cap - bytes < 88 || pos > cap - 88 - padded)
			return 0;
		memcpy(dims, t->dims, sizeof(int64_t) * (rank < 8 ? rank : 8));
		memcpy(out + pos, &dt, 4);
		memcpy(out + pos + 4, &rank, 4);
		memcpy(out + pos + 8, dims, 64);
		memcpy(out + pos + 72, &(uint64_t){ bytes }, 8);
		memset(out + pos + 80, 0, padded);
		if (t->dtype == CELLA_ONNX_STRING) {
			uint8_t *w = out + pos + 80;
			for (size_t k = 0; k < t->bytes / sizeof(struct cella_onnx_string); k++) {
				const struct cella_onnx_string *s = &((const struct cella_onnx_string *)t->data)[k];
				memcpy(w, &(uint64_t){ s->len }, 8);
				if (s->len)
					memcpy(w + 8, s->data, s->len);
				w += 8 + s->len;
			}
		} else if (t->bytes) {
			memcpy(out + pos + 80, t->data, t->bytes);
		}
		pos += 80 + padded;
	}
	return pos;
}

#endif
