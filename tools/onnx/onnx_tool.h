/* SPDX-License-Identifier: MIT */
/* Shared helpers of the cella-onnx tool. */
#ifndef CELLA_ONNX_TOOL_H
#define CELLA_ONNX_TOOL_H

#include <cella/onnx.h>

#include <stddef.h>
#include <stdint.h>

/* The largest file the tool reads: a model (the engine's own limit is 2 GiB) or a raw tensor. */
#define TOOL_MAX_FILE_BYTES ((uint64_t)1 << 31)

/* Whole file (cella_file_read: a FIFO or directory is refused, not waited on), caller frees; NULL on error. */
uint8_t *tool_read_file(const char *path, size_t *len);
double tool_now_ms(void);
/* Whether t is a floating-point type tool_float_at reads. */
static inline int tool_is_float(cella_onnx_dtype t)
{
	return t == CELLA_ONNX_FLOAT || t == CELLA_ONNX_DOUBLE || t == CELLA_ONNX_FLOAT16 || t == CELLA_ONNX_BFLOAT16;
}

/* Element k of data, of float, double, float16 or bfloat16 type t, as a double. */
static inline double tool_float_at(const void *data, cella_onnx_dtype t, uint64_t k)
{
	if (t == CELLA_ONNX_FLOAT)
		return ((const float *)data)[k];
	if (t == CELLA_ONNX_DOUBLE)
		return ((const double *)data)[k];
	return cella_onnx_half_to_float(((const uint16_t *)data)[k], t);
}

/* What tool_value_compare found: how many elements it compared and how many are out of tolerance, the largest
 * differences between finite elements, and the first difference in words. */
struct tool_diff {
	uint64_t elements; /* elements compared */
	uint64_t bad;      /* of them, those that do not match */
	double max_abs;    /* largest |actual - expected| over finite float elements */
	double max_rel;    /* largest |actual - expected| / |expected| where |expected| > 1e-6 */
	int other;         /* the kind, a sequence's length, the type or the shape differ: no element compared */
	char why[256];     /* the first difference ("element 3: 1.5, expected 2"), "" when none */
};

/*
 * Actual value a against expected e, the rule of `cella-onnx run --expect` and of the conformance runner: of the
 * same kind (a tensor, a sequence, an empty optional), a sequence of as many tensors compared one by one, each
 * tensor of the same type and shape; float, double, float16 and bfloat16 elements within |a - e| <= atol +
 * rtol * |e| or equal (the same infinity, or both NaN: an infinity or a NaN against anything else never matches),
 * strings byte for byte, other types exactly. Returns 1 if they match; *d (out) says what was found either way.
 */
int tool_value_compare(const struct cella_onnx_value *a, const struct cella_onnx_value *e, double rtol, double atol,
		       struct tool_diff *d);
/* The same for two tensors. */
int tool_tensor_compare(const struct cella_onnx_tensor *a, const struct cella_onnx_tensor *e, double rtol,
			double atol, struct tool_diff *d);

/*
 * s[0..len) quoted for a terminal into dst[0..n): `"` then the first max bytes, printable ASCII as itself but for
 * `"` and `\` (`\"`, `\\`), every other byte as \xNN, then `"`, and `...` after it when bytes were left out
 * (also for want of room in dst). n of 4 * max + 6 leaves nothing out for want of room.
 */
void tool_quote(char *dst, size_t n, const void *s, size_t len, size_t max);

/*
 * Sets the element type of v, decoded from a test-data file for input (input != 0) or output i of m, where its data
 * cannot tell it: an empty sequence serializes no type, so it takes the declared one; Debian's libonnx-testdata
 * (ONNX 1.12) hold bfloat16 tensors as uint16 ones of the same bits (numpy has no bfloat16), so one given for a
 * bfloat16 input or output is taken as bfloat16.
 */
void tool_declared_type(struct cella_onnx_value *v, const struct cella_onnx_model *m, size_t i, int input);

/* `cella-onnx conformance ...`; returns the process exit code. */
int tool_conformance(int argc, char **argv);

#endif
