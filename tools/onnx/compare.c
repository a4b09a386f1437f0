// SPDX-License-Identifier: MIT
/* Actual values against expected ones, for `cella-onnx run --expect` and the conformance runner alike. */
#include "onnx_tool.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The first difference only: later ones keep it. */
static void diff_note(struct tool_diff *d, const char *fmt, ...)
{
	va_list ap;
	if (d->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

void tool_quote(char *dst, size_t n, const void *s, size_t len, size_t max) /* see onnx_tool.h */
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = s;
	size_t o = 0, i;
	if (n < 6) { /* no room for `""...` and its NUL */
		if (n)
			dst[0] = '\0';
		return;
	}
	dst[o++] = '"';
	for (i = 0; i < len && i < max; i++) {
		char e[4];
		size_t el = 0;
		if (b[i] == '"' || b[i] == '\\') {
			e[el++] = '\\';
			e[el++] = (char)b[i];
		} else if (b[i] >= 0x20 && b[i] < 0x7f) {
			e[el++] = (char)b[i];
		} else {
			e[el++] = '\\';
			e[el++] = 'x';
			e[el++] = hex[b[i] >> 4];
			e[el++] = hex[b[i] & 15];
		}
		if (o + el + 5 > n) /* keep room for `"...` and the NUL */
			break;
		memcpy(dst + o, e, el);
		o += el;
	}
	dst[o++] = '"';
	if (i < len) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* Accumulates into d; returns 0 when the tensors differ in type or shape (d->other set). */
static int tensor_diff(const struct cella_onnx_tensor *a, const struct cella_onnx_tensor *e, double rtol, double atol,
		       struct tool_diff *d)
{
	if (a->dtype != e->dtype) {
		diff_note(d, "dtype %s, expected %s", cella_onnx_dtype_name(a->dtype), cella_onnx_dtype_name(e->dtype));
		d->other = 1;
		return 0;
	}
	if (a->rank != e->rank) {
		diff_note(d, "rank %u, expected %u", a->rank, e->rank);
		d->other = 1;
		return 0;
	}
	for (uint32_t k = 0; k < a->rank; k++)
		if (a->dims[k] != e->dims[k]) {
			diff_note(d, "dim %u is %lld, expected %lld", k, (long long)a->dims[k], (long long)e->dims[k]);
			d->other = 1;
			return 0;
		}
	uint64_t c = cella_onnx_tensor_count(e);
	for (uint64_t i = 0; i < c; i++) {
		d->elements++;
		if (a->dtype == CELLA_ONNX_STRING) { /* byte for byte */
			const struct cella_onnx_string *x = (const struct cella_onnx_string *)a->data + i,
						       *y = (const struct cella_onnx_string *)e->data + i;
			if (x->len != y->len || (x->len && memcmp(x->data, y->data, x->len))) {
				char qx[4 * 40 + 6], qy[4 * 40 + 6];
				tool_quote(qx, sizeof(qx), x->data, x->len, 40);
				tool_quote(qy, sizeof(qy), y->data, y->len, 40);
				diff_note(d, "element %llu: %s, expected %s", (unsigned long long)i, qx, qy);
				d->bad++;
			}
			continue;
		}
		if (!tool_is_float(a->dtype)) {
			size_t es = cella_onnx_dtype_size(a->dtype);
			if (memcmp((const char *)a->data + i * es, (const char *)e->data + i * es, es)) {
				diff_note(d, "element %llu differs", (unsigned long long)i);
				d->bad++;
			}
			continue;
		}
		double x = tool_float_at(a->data, a->dtype, i), y = tool_float_at(e->data, a->dtype, i);
		if (x == y || (isnan(x) && isnan(y)))
			continue; /* equal, also as the same infinity (whose difference is NaN), or both NaN */
		double diff = fabs(x - y);
		if (isfinite(x) && isfinite(y)) {
			if (diff > d->max_abs)
				d->max_abs = diff;
			if (fabs(y) > 1e-6 && diff / fabs(y) > d->max_rel)
				d->max_rel = diff / fabs(y);
		}
		/* no tolerance makes up for an infinity or a NaN (an expected infinity's would accept anything) */
		if (!isfinite(x) || !isfinite(y) || !(diff <= atol + rtol * fabs(y))) {
			diff_note(d, "element %llu: %.9g, expected %.9g", (unsigned long long)i, x, y);
			d->bad++;
		}
	}
	return 1;
}

int tool_tensor_compare(const struct cella_onnx_tensor *a, const struct cella_onnx_tensor *e, double rtol,
			double atol, struct tool_diff *d) /* see onnx_tool.h */
{
	memset(d, 0, sizeof(*d));
	return tensor_diff(a, e, rtol, atol, d) && !d->bad;
}

int tool_value_compare(const struct cella_onnx_value *a, const struct cella_onnx_value *e, double rtol, double atol,
		       struct tool_diff *d) /* see onnx_tool.h */
{
	static const char *const kinds[] = { "a tensor", "a sequence", "empty" };
	memset(d, 0, sizeof(*d));
	if (a->kind != e->kind) {
		diff_note(d, "%s, expected %s", kinds[a->kind % 3], kinds[e->kind % 3]);
		d->other = 1;
		return 0;
	}
	if (a->kind == CELLA_ONNX_VALUE_TENSOR)
		return tensor_diff(&a->tensor, &e->tensor, rtol, atol, d) && !d->bad;
	if (a->kind == CELLA_ONNX_VALUE_SEQUENCE && a->n_items != e->n_items) {
		diff_note(d, "a sequence of %zu tensors, expected %zu", a->n_items, e->n_items);
		d->other = 1;
		return 0;
	}
	for (size_t k = 0; a->kind == CELLA_ONNX_VALUE_SEQUENCE && k < a->n_items; k++) {
		int first = !d->why[0];
		int same = tensor_diff(&a->items[k], &e->items[k], rtol, atol, d);
		if (first && d->why[0]) { /* say which tensor */
			char w[sizeof(d->why)];
			snprintf(w, sizeof(w), "tensor %zu of the sequence: %s", k, d->why);
			memcpy(d->why, w, sizeof(w));
		}
		if (!same)
			return 0;
	}
	return !d->bad;
}

void tool_declared_type(struct cella_onnx_value *v, const struct cella_onnx_model *m, size_t i,
			int input) /* see onnx_tool.h */
{
	struct cella_onnx_tensor info;
	const char *name;
	if ((input ? cella_onnx_model_input_info(m, i, &name, &info) : cella_onnx_model_output_info(m, i, &name, &info)) !=
	    CELLA_OK)
		return;
	struct cella_onnx_tensor *items = (struct cella_onnx_tensor *)(uintptr_t)v->items;
	if (v->kind == CELLA_ONNX_VALUE_SEQUENCE && v->n_items == 0)
		v->tensor.dtype = info.dtype;
	if (info.dtype != CELLA_ONNX_BFLOAT16)
		return;
	if (v->tensor.dtype == CELLA_ONNX_UINT16)
		v->tensor.dtype = CELLA_ONNX_BFLOAT16;
	for (size_t k = 0; k < v->n_items; k++)
		if (items[k].dtype == CELLA_ONNX_UINT16)
			items[k].dtype = CELLA_ONNX_BFLOAT16;
}
