// SPDX-License-Identifier: MIT
/* Detection operators: NonMaxSuppression. */
#include "onnx_internal.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ NonMaxSuppression */

/* Python's max(a, b) and min(a, b), as the ONNX reference computes box overlaps: the first argument unless the
 * second compares greater (less), so a NaN coordinate gives the same result as there. */
static inline float py_max(float a, float b) { return b > a ? b : a; }
static inline float py_min(float a, float b) { return b < a ? b : a; }

/* A box as [x_min, x_max, y_min, y_max]: from [y1, x1, y2, x2] with either corner first (center_point_box 0), or
 * from [x_center, y_center, width, height] (1). */
static void nms_corners(const float *b, int center, float *c)
{
	if (center) {
		float hw = b[2] / 2, hh = b[3] / 2;
		c[0] = b[0] - hw;
		c[1] = b[0] + hw;
		c[2] = b[1] - hh;
		c[3] = b[1] + hh;
		return;
	}
	/* the reference's max_min: (rhs, lhs) if lhs >= rhs, else (lhs, rhs) */
	c[0] = b[1] >= b[3] ? b[3] : b[1];
	c[1] = b[1] >= b[3] ? b[1] : b[3];
	c[2] = b[0] >= b[2] ? b[2] : b[0];
	c[3] = b[0] >= b[2] ? b[0] : b[2];
}

/* Box a suppresses box b: their intersection over union is above thr. Boxes that do not overlap, or of no area,
 * never suppress (in float, step for step as the ONNX reference; NaN compares false, so it never suppresses). */
static int nms_suppress(const float *a, const float *b, int center, float thr)
{
	float p[4], q[4];
	nms_corners(a, center, p);
	nms_corners(b, center, q);
	float x0 = py_max(p[0], q[0]), x1 = py_min(p[1], q[1]);
	if (x1 <= x0)
		return 0;
	float y0 = py_max(p[2], q[2]), y1 = py_min(p[3], q[3]);
	if (y1 <= y0)
		return 0;
	float inter = (x1 - x0) * (y1 - y0);
	if (inter <= 0)
		return 0;
	float area_a = (p[1] - p[0]) * (p[3] - p[2]), area_b = (q[1] - q[0]) * (q[3] - q[2]);
	float uni = area_a + area_b - inter;
	if (area_a <= 0 || area_b <= 0 || uni <= 0)
		return 0;
	return inter / uni > thr;
}

/* One float of an optional scalar input (0-d or one element; an empty tensor counts as absent, as in the
 * reference): *have 0 when absent. */
static cella_result nms_scalar_f(struct exec *x, const struct tensor *t, const char *what, float *v, int *have)
{
	*have = 0;
	if (!t)
		return CELLA_OK;
	if (t->dtype != CELLA_ONNX_FLOAT)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%s of type %s (float)", what,
				    cella_onnx_dtype_name((cella_onnx_dtype)t->dtype));
	size_t c = onnx_tensor_count(t);
	if (t->rank > 1 || c > 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d with %zu elements (a scalar)", what,
				    t->rank, c);
	if (c && t->data) {
		*v = ((const float *)t->data)[0];
		*have = 1;
	}
	return CELLA_OK;
}

/* center_point_box is checked at load, whether or not the inputs' shapes are known. */
static cella_result nms_attrs(struct exec *x, struct node *n)
{
	int center = onnx_attr_int(n, "center_point_box", 0);
	if (center != 0 && center != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'center_point_box' is %d, not 0 or 1", center);
	return CELLA_OK;
}

/*
 * selected_indices [N, 3] int64 (batch, class, box), batch by batch, class by class, each class's boxes in the
 * order they were selected: by score, highest first, ties by the lower box index. A box is a candidate when its
 * score is above score_threshold (strictly, as the reference; every box when the input is absent); it is selected
 * unless its IoU with a box already selected for its class is above iou_threshold (strictly), until
 * max_output_boxes_per_class are (absent or negative: none). A NaN score is never a candidate (with a threshold it
 * fails "> threshold" in the reference too; without one the reference's order of NaN is undefined). iou_threshold
 * outside [0, 1] (or NaN) is CELLA_ERR_MODEL, as onnxruntime refuses it.
 */
static cella_result op_nms(struct exec *x, struct node *n)
{
	struct tensor *bt = onnx_op_in(x, n, 0), *st = onnx_op_in(x, n, 1), *mt = onnx_op_in(x, n, 2), *o;
	int center = onnx_attr_int(n, "center_point_box", 0), have_iou, have_st;
	float iou = 0, sthr = 0;
	cella_result r;
	if (!bt || !st)
		return CELLA_ERR_MODEL;
	if ((r = nms_attrs(x, n)) != CELLA_OK)
		return r;
	if (bt->dtype != CELLA_ONNX_FLOAT || st->dtype != CELLA_ONNX_FLOAT)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "boxes of type %s, scores of type %s (float)",
				    cella_onnx_dtype_name((cella_onnx_dtype)bt->dtype),
				    cella_onnx_dtype_name((cella_onnx_dtype)st->dtype));
	if (bt->rank != 3 || bt->dims[2] != 4 || st->rank != 3 || st->dims[0] != bt->dims[0] ||
	    st->dims[2] != bt->dims[1])
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "boxes of rank %d (dims %lld, %lld, %lld) and scores of "
				    "rank %d (dims %lld, %lld, %lld): expected [batch, boxes, 4] and "
				    "[batch, classes, boxes]", bt->rank, (long long)bt->dims[0],
				    (long long)(bt->rank > 1 ? bt->dims[1] : 0), (long long)(bt->rank > 2 ? bt->dims[2] : 0),
				    st->rank, (long long)st->dims[0], (long long)(st->rank > 1 ? st->dims[1] : 0),
				    (long long)(st->rank > 2 ? st->dims[2] : 0));
	if (mt) {
		size_t c = onnx_tensor_count(mt);
		if (mt->dtype != CELLA_ONNX_INT64)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "max_output_boxes_per_class of type %s "
					    "(int64)", cella_onnx_dtype_name((cella_onnx_dtype)mt->dtype));
		if (mt->rank > 1 || c > 1)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "max_output_boxes_per_class of rank %d with %zu "
					    "elements (a scalar)", mt->rank, c);
	}
	if ((r = nms_scalar_f(x, onnx_op_in(x, n, 3), "iou_threshold", &iou, &have_iou)) != CELLA_OK ||
	    (r = nms_scalar_f(x, onnx_op_in(x, n, 4), "score_threshold", &sthr, &have_st)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_ERR_NOT_FOUND; /* the output's size depends on the data */
	if (have_iou && !(iou >= 0 && iou <= 1))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "iou_threshold is %g, not in [0, 1]", (double)iou);
	int64_t B = bt->dims[0], S = bt->dims[1], C = st->dims[1], maxo = 0;
	if (mt && onnx_tensor_count(mt))
		maxo = ((const int64_t *)mt->data)[0];
	if (maxo < 0)
		maxo = 0;
	if (maxo > S)
		maxo = S; /* no class selects more boxes than there are: 2^62 asks for no more memory than S */
	/* the selected box indices of every (batch, class) in turn, and how many each has: at most B*C*S <= the
	 * scores' count, so these sizes do not overflow (the scratch refuses more than max_tensor_bytes) */
	uint64_t cells = (uint64_t)B * (uint64_t)C, sel_max = cells * (uint64_t)maxo;
	int64_t *sel = onnx_op_scratch(x, 0, (size_t)(sel_max + 1) * sizeof(int64_t));
	int64_t *cnt = onnx_op_scratch(x, 2, (size_t)(cells + 1) * sizeof(int64_t));
	struct onnx_kv *kv = onnx_op_scratch(x, 1, (size_t)(2 * S + 2) * sizeof(struct onnx_kv));
	if (!sel || !cnt || !kv)
		return CELLA_ERR_OUT_OF_MEMORY;
	const float *boxes = bt->data, *scores = st->data;
	size_t nsel = 0;
	for (int64_t b = 0; b < B; b++)
		for (int64_t c = 0; c < C; c++) {
			const float *sc = scores + (b * C + c) * S, *bx = boxes + b * S * 4;
			size_t nc = 0, first = nsel;
			for (int64_t i = 0; i < S && maxo; i++) {
				float v = sc[i];
				if (v != v || (have_st && !(v > sthr)))
					continue;
				kv[nc].v = v;
				kv[nc].iv = 0;
				kv[nc++].i = i;
			}
			onnx_kv_sort(kv, kv + S + 1, nc, 1);
			for (size_t k = 0; k < nc && nsel - first < (uint64_t)maxo; k++) {
				int64_t i = kv[k].i;
				size_t j = first;
				while (j < nsel && !nms_suppress(bx + i * 4, bx + sel[j] * 4, center, iou))
					j++;
				if (j == nsel)
					sel[nsel++] = i;
			}
			cnt[b * C + c] = (int64_t)(nsel - first);
		}
	int64_t od[2] = { (int64_t)nsel, 3 };
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_INT64, 2, od, &o)) != CELLA_OK)
		return r;
	int64_t *y = o->data;
	size_t k = 0;
	for (int64_t cell = 0; cell < (int64_t)cells; cell++)
		for (int64_t j = 0; j < cnt[cell]; j++, k++) {
			y[3 * k] = cell / C;
			y[3 * k + 1] = cell % C;
			y[3 * k + 2] = sel[k];
		}
	return CELLA_OK;
}

const struct op_def onnx_ops_vision[] = {
	{ "NonMaxSuppression", op_nms, nms_attrs, 10, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
