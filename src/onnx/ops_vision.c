// SPDX-License-Identifier: MIT
/* Detection operators: NonMaxSuppression, RoiAlign, MaxUnpool. */
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
				    onnx_tname(t->dtype));
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
				    onnx_tname(bt->dtype),
				    onnx_tname(st->dtype));
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
					    "(int64)", onnx_tname(mt->dtype));
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

/* ------------------------------------------------------------------ RoiAlign */

#define ROI_MAX_RATIO 256 /* sampling_ratio: at most ROI_MAX_RATIO^2 samples per output */

struct roi_cfg {
	int max, half_pixel;
	int64_t oh, ow, ratio;
	float scale;
};

/* The attributes, checked at load: mode avg or max, coordinate_transformation_mode (from opset 16; half_pixel by
 * default, before it output_half_pixel is the only behaviour and the attribute is not RoiAlign's) half_pixel or
 * output_half_pixel, output_height/width at least 1, sampling_ratio in [0, ROI_MAX_RATIO], a finite spatial_scale. */
static cella_result roi_attrs_get(struct exec *x, struct node *n, struct roi_cfg *c)
{
	const char *mode = onnx_attr_s(n, "mode", "avg");
	const char *ctm = n->opset >= 16 ? onnx_attr_s(n, "coordinate_transformation_mode", "half_pixel")
					 : "output_half_pixel";
	c->max = !strcmp(mode, "max");
	c->half_pixel = !strcmp(ctm, "half_pixel");
	c->oh = onnx_attr_i(n, "output_height", 1);
	c->ow = onnx_attr_i(n, "output_width", 1);
	c->ratio = onnx_attr_i(n, "sampling_ratio", 0);
	c->scale = onnx_attr_f(n, "spatial_scale", 1.0f);
	if (!c->max && strcmp(mode, "avg"))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'mode' is '%.64s', not avg or max", mode);
	if (!c->half_pixel && strcmp(ctm, "output_half_pixel"))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'coordinate_transformation_mode' is '%.64s', not "
				    "half_pixel or output_half_pixel", ctm);
	if (c->oh < 1 || c->ow < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "output_height %lld, output_width %lld (at least 1)",
				    (long long)c->oh, (long long)c->ow);
	if (c->ratio < 0 || c->ratio > ROI_MAX_RATIO)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "attribute 'sampling_ratio' is %lld, not in [0, %d]",
				    (long long)c->ratio, ROI_MAX_RATIO);
	if (!isfinite(c->scale))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'spatial_scale' is %g, not finite", (double)c->scale);
	return CELLA_OK;
}

static cella_result roi_attrs(struct exec *x, struct node *n)
{
	struct roi_cfg c;
	return roi_attrs_get(x, n, &c);
}

/* One bilinear sample along an axis: the two neighbours and their weights. */
struct roi_tap {
	int64_t lo, hi;
	float l, h;
};

/* The number of samples along an axis of a bin of size bin: the ratio, or ceil(bin / ...) as computed by the caller
 * (roi size / output size); 0 for none (a negative or NaN size). Kept as a float (the reference's count and step
 * use it as one), so a huge ROI does not overflow an integer. */
static float roi_grid(int64_t ratio, float v)
{
	if (ratio > 0)
		return (float)ratio;
	return v > 0 ? ceilf(v) : 0;
}

/*
 * The samples of bin p along an axis of size len: position start + p*bin + (i + 0.5)*bin/grid for i in [0, grid),
 * in float as the reference. Those outside [-1, len] (or NaN) read nothing and are not stored; the others are
 * clamped to the axis as the reference does. Only the indices i near [-1, len] are visited (found in double, with
 * a margin of two samples either side), so a ROI of 1e30 pixels costs what one over the image costs. Returns the
 * number stored in t (at most cap).
 */
static size_t roi_taps(float start, float bin, float grid, int64_t p, int64_t len, struct roi_tap *t, size_t cap)
{
	double a = (double)start + (double)p * (double)bin, step = (double)bin / (double)grid;
	if (!(grid >= 1) || len < 1 || !isfinite(a) || !isfinite(step))
		return 0;
	double lo = 0, hi = grid;
	if (step != 0) {
		double t1 = (-1 - a) / step - 0.5, t2 = ((double)len - a) / step - 0.5;
		lo = fmax(floor(fmin(t1, t2)) - 2, 0);
		hi = fmin(ceil(fmax(t1, t2)) + 3, grid);
	}
	size_t k = 0;
	for (int64_t i = onnx_sat_i64(lo), e = onnx_sat_i64(hi); i < e && k < cap; i++) {
		float v = start + (float)p * bin + (float)((double)i + 0.5) * bin / grid;
		if (!(v >= -1.0f && v <= (float)len))
			continue;
		if (v < 0)
			v = 0;
		int64_t l = (int64_t)v;
		if (l >= len - 1) {
			t[k].lo = t[k].hi = len - 1;
			v = (float)(len - 1);
		} else {
			t[k].lo = l;
			t[k].hi = l + 1;
		}
		t[k].l = v - (float)t[k].lo;
		t[k].h = 1.0f - t[k].l;
		k++;
	}
	return k;
}

/* The most samples roi_taps can store for one bin: grid, or the indices its range visits. */
static size_t roi_taps_cap(float grid, int64_t len, int64_t ratio)
{
	/* adaptive: the samples are at least half a pixel apart (bin / ceil(bin) > 1/2 for bins of a pixel or more, one
	 * sample for smaller bins), so at most 2 (len + 1) + 6 lie near the axis; fixed: at most the ratio */
	double c = ratio > 0 ? (double)ratio : fmin((double)grid, 2.0 * (double)len + 8);
	return (size_t)c + 8;
}

/*
 * Y [rois, C, output_height, output_width]: each bin of each ROI (x1, y1, x2, y2, times spatial_scale, less half a
 * pixel with half_pixel; with output_half_pixel at least 1x1) averages, or takes the largest of, its bilinear
 * samples, as the ONNX reference and onnxruntime do (max of the four weighted neighbours of a sample). A sample
 * outside the image reads nothing and counts 0 (the reference multiplies a 0 weight by the first pixel, so an
 * infinite first pixel makes such a bin NaN there). A ROI with a NaN or infinite coordinate has no samples: its
 * bins are 0. A batch index outside the input's batch is CELLA_ERR_MODEL, named.
 */
static cella_result op_roialign(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *rt = onnx_op_in(x, n, 1), *it = onnx_op_in(x, n, 2), *o;
	struct roi_cfg c;
	cella_result r;
	if (!xt || !rt || !it)
		return CELLA_ERR_MODEL;
	if ((r = roi_attrs_get(x, n, &c)) != CELLA_OK)
		return r;
	if (xt->dtype != CELLA_ONNX_FLOAT || rt->dtype != CELLA_ONNX_FLOAT || it->dtype != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "X of type %s, rois of type %s, batch_indices of "
				    "type %s (float, float, int64)", onnx_tname(xt->dtype),
				    onnx_tname(rt->dtype),
				    onnx_tname(it->dtype));
	if (xt->rank != 4 || rt->rank != 2 || rt->dims[1] != 4 || it->rank != 1 || it->dims[0] != rt->dims[0])
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "X of rank %d, rois of rank %d (dims %lld, %lld), "
				    "batch_indices of rank %d (dim %lld): expected [N, C, H, W], [rois, 4], [rois]",
				    xt->rank, rt->rank, (long long)rt->dims[0], (long long)(rt->rank > 1 ? rt->dims[1] : 0),
				    it->rank, (long long)it->dims[0]);
	int64_t R = rt->dims[0], C = xt->dims[1], H = xt->dims[2], W = xt->dims[3];
	int64_t od[4] = { R, C, c.oh, c.ow };
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, 4, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	const int64_t *bi = it->data;
	for (int64_t k = 0; k < R; k++)
		if (bi[k] < 0 || bi[k] >= xt->dims[0])
			return onnx_op_fail(x, CELLA_ERR_MODEL, "batch index %lld (element %lld of batch_indices) is out "
					    "of range for a batch of %lld", (long long)bi[k], (long long)k,
					    (long long)xt->dims[0]);
	const float *X = xt->data, *rois = rt->data;
	float *Y = o->data, off = c.half_pixel ? 0.5f : 0.0f;
	for (int64_t k = 0; k < R; k++) {
		const float *q = rois + 4 * k;
		float sw = q[0] * c.scale - off, sh = q[1] * c.scale - off;
		float rw = q[2] * c.scale - off - sw, rh = q[3] * c.scale - off - sh;
		if (!c.half_pixel) { /* malformed ROIs forced to 1x1, as the reference (std::max keeps a NaN) */
			rw = 1.0f > rw ? 1.0f : rw;
			rh = 1.0f > rh ? 1.0f : rh;
		}
		float bh = rh / (float)c.oh, bw = rw / (float)c.ow;
		float gh = roi_grid(c.ratio, bh), gw = roi_grid(c.ratio, bw);
		double total = (double)gh * (double)gw;
		float count = total > 1 ? (float)total : 1.0f;
		size_t caph = roi_taps_cap(gh, H, c.ratio), capw = roi_taps_cap(gw, W, c.ratio);
		struct roi_tap *ty = onnx_op_scratch(x, 1, caph * sizeof(*ty));
		struct roi_tap *tx = onnx_op_scratch(x, 2, capw * sizeof(*tx));
		if (!ty || !tx)
			return CELLA_ERR_OUT_OF_MEMORY;
		for (int64_t ph = 0; ph < c.oh; ph++) {
			size_t ny = roi_taps(sh, bh, gh, ph, H, ty, caph);
			for (int64_t pw = 0; pw < c.ow; pw++) {
				size_t nx = roi_taps(sw, bw, gw, pw, W, tx, capw);
				/* a sample outside gives the max a 0 (its weights are 0) */
				int outside = (double)ny * (double)nx < total;
				for (int64_t ch = 0; ch < C; ch++) {
					const float *xc = X + (bi[k] * C + ch) * H * W;
					float acc = 0;
					int first = 1;
					for (size_t i = 0; i < ny; i++) {
						const float *r0 = xc + ty[i].lo * W, *r1 = xc + ty[i].hi * W;
						for (size_t j = 0; j < nx; j++) {
							float w1 = ty[i].h * tx[j].h, w2 = ty[i].h * tx[j].l;
							float w3 = ty[i].l * tx[j].h, w4 = ty[i].l * tx[j].l;
							float v1 = w1 * r0[tx[j].lo], v2 = w2 * r0[tx[j].hi];
							float v3 = w3 * r1[tx[j].lo], v4 = w4 * r1[tx[j].hi];
							if (!c.max) {
								acc += v1 + v2 + v3 + v4;
								continue;
							}
							float v = py_max(py_max(py_max(v1, v2), v3), v4);
							acc = first ? v : py_max(acc, v);
							first = 0;
						}
					}
					if (c.max && outside && !first)
						acc = py_max(acc, 0.0f);
					Y[((k * C + ch) * c.oh + ph) * c.ow + pw] = c.max ? acc : acc / count;
				}
			}
		}
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ MaxUnpool */

/*
 * Y: zeros, with X's elements placed where indices say (MaxPool's Indices: flat over [N, C, inferred spatial dims],
 * inferred = (in - 1) * stride - pad_begin - pad_end + kernel). With output_shape, Y has that shape and the
 * inferred block sits at its origin, as the ONNX reference places it (the node test with output_shape expects
 * this); output_shape must keep N and C and cover the inferred dims (CELLA_ERR_MODEL_SHAPE). An index outside
 * the inferred tensor is CELLA_ERR_MODEL, named; a repeated index keeps the last element written. float or double.
 */
static cella_result op_maxunpool(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *it = onnx_op_in(x, n, 1), *st = onnx_op_in(x, n, 2), *o;
	const int64_t *ks, *v;
	cella_result r;
	if (!xt || !it)
		return CELLA_ERR_MODEL;
	if ((r = onnx_pool_attrs(x, n)) != CELLA_OK)
		return r;
	if ((xt->dtype != CELLA_ONNX_FLOAT && xt->dtype != CELLA_ONNX_DOUBLE) || it->dtype != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "X of type %s, I of type %s (float or double, "
				    "int64)", onnx_tname(xt->dtype),
				    onnx_tname(it->dtype));
	size_t nk = onnx_attr_ints(n, "kernel_shape", &ks);
	int nsp = xt->rank - 2, same = it->rank == xt->rank;
	for (int d = 0; same && d < xt->rank; d++)
		same = it->dims[d] == xt->dims[d];
	if (nsp < 1 || (size_t)nsp != nk || !same)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "X of rank %d, I of rank %d, kernel_shape of %zu values: "
				    "expected I of X's shape and kernel_shape of X's spatial dims", xt->rank, it->rank,
				    nk);
	int64_t inf[MAXR] = { 0 }, od[MAXR], s[3] = { 1, 1, 1 }, p[6] = { 0 };
	if (onnx_attr_ints(n, "strides", &v))
		memcpy(s, v, (size_t)nsp * sizeof(*s)); /* onnx_pool_attrs checked the lengths and bounds */
	if (onnx_attr_ints(n, "pads", &v))
		memcpy(p, v, (size_t)nsp * 2 * sizeof(*p));
	inf[0] = od[0] = xt->dims[0];
	inf[1] = od[1] = xt->dims[1];
	for (int d = 0; d < nsp; d++) {
		/* dims are at most 2^40 (max_tensor_bytes), strides and kernels 2^20, pads 2^24: no overflow */
		inf[2 + d] = od[2 + d] = (xt->dims[2 + d] - 1) * s[d] - p[d] - p[nsp + d] + ks[d];
		if (inf[2 + d] < 0)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "spatial dim %d is %lld: (%lld - 1) * %lld - %lld - "
					    "%lld + %lld is negative", d, (long long)inf[2 + d],
					    (long long)xt->dims[2 + d], (long long)s[d], (long long)p[d],
					    (long long)p[nsp + d], (long long)ks[d]);
	}
	if (st) {
		int64_t want[MAXR];
		int ns;
		if (st->dtype != CELLA_ONNX_INT64)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "output_shape of type %s (int64)",
					    onnx_tname(st->dtype));
		if (st->rank != 1 || st->dims[0] != xt->rank)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "output_shape of rank %d with %lld values, X of "
					    "rank %d", st->rank, (long long)(st->rank ? st->dims[0] : 1), xt->rank);
		if ((r = onnx_op_read_ints(x, st, want, MAXR, &ns)) != CELLA_OK)
			return r;
		for (int d = 0; d < xt->rank; d++)
			if (d < 2 ? want[d] != inf[d] : want[d] < inf[d])
				return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "output_shape dim %d is %lld, the inferred "
						    "dim %lld", d, (long long)want[d], (long long)inf[d]);
		memcpy(od, want, (size_t)xt->rank * sizeof(*od));
	}
	if ((r = onnx_op_out(x, n, 0, xt->dtype, xt->rank, od, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	memset(o->data, 0, o->bytes);
	size_t es = onnx_dtype_size(xt->dtype), cnt = onnx_tensor_count(xt);
	int64_t total = onnx_dims_prod(inf, xt->rank), rank = xt->rank;
	const int64_t *I = it->data;
	for (size_t e = 0; e < cnt; e++) {
		int64_t k = I[e], t = 0, mul = 1;
		if (k < 0 || k >= total)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "index %lld (element %zu of I) is out of range for the %lld "
					    "elements of the unpooled tensor", (long long)k, e, (long long)total);
		/* the same position in Y's dims (those of the inferred tensor unless output_shape enlarges them) */
		for (int64_t d = rank - 1; d >= 0; d--) {
			t += k % inf[d] * mul;
			k /= inf[d];
			mul *= od[d];
		}
		memcpy((char *)o->data + (size_t)t * es, (const char *)xt->data + e * es, es);
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ DeformConv */

/* Plane p (H x W) sampled at (h, w) bilinearly: 0 unless -1 < h < H and -1 < w < W (NaN is outside); the four
 * neighbours of a point inside that, each outside the plane counting 0 (torchvision's rule, which onnxruntime and
 * the ONNX reference follow). */
static float deform_sample(const float *p, int64_t H, int64_t W, float h, float w)
{
	if (!(h > -1 && h < (float)H && w > -1 && w < (float)W))
		return 0;
	float hf = floorf(h), wf = floorf(w), lh = h - hf, lw = w - wf;
	int64_t h0 = (int64_t)hf, w0 = (int64_t)wf, h1 = h0 + 1, w1 = w0 + 1;
	float v00 = h0 >= 0 && w0 >= 0 ? p[h0 * W + w0] : 0, v01 = h0 >= 0 && w1 < W ? p[h0 * W + w1] : 0;
	float v10 = h1 < H && w0 >= 0 ? p[h1 * W + w0] : 0, v11 = h1 < H && w1 < W ? p[h1 * W + w1] : 0;
	return (1 - lh) * (1 - lw) * v00 + (1 - lh) * lw * v01 + lh * (1 - lw) * v10 + lh * lw * v11;
}

/* An input that must have dims want (n of them), named in the failure. */
static cella_result deform_dims(struct exec *x, const struct tensor *t, const char *what, const int64_t *want)
{
	if (t->rank != 4 || t->dims[0] != want[0] || t->dims[1] != want[1] || t->dims[2] != want[2] ||
	    t->dims[3] != want[3])
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s is not [%lld, %lld, %lld, %lld]", what, (long long)want[0],
				    (long long)want[1], (long long)want[2], (long long)want[3]);
	return CELLA_OK;
}

/*
 * DeformConv-19 on two spatial dims: X [N, C, H, W], W [M, C / group, kH, kW], offset [N, offset_group * 2 * kH *
 * kW, oH, oW] (per tap, the row then the column shift), optional B [M] and mask [N, offset_group * kH * kW, oH, oW].
 * Each tap of each output position reads X where Conv would, moved by its offset, bilinearly, times its mask;
 * channel c takes the offsets of its offset group (c / (C / offset_group)). Then a GEMM per group, as Conv's.
 */
static cella_result op_deform_conv(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *wt = onnx_op_in(x, n, 1), *ot = onnx_op_in(x, n, 2);
	struct tensor *bt = onnx_op_in(x, n, 3), *mt = onnx_op_in(x, n, 4), *yt;
	struct onnx_win w;
	int64_t g;
	cella_result r;
	if (!xt || !wt || !ot)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent (X, W and offset are required)",
				    !xt ? 0 : !wt ? 1 : 2);
	const struct tensor *in[5] = { xt, wt, ot, bt, mt };
	for (int i = 0; i < 5; i++)
		if (in[i] && (r = onnx_op_need_fp(x, in[i]->dtype, (const char *[]){ "X", "W", "offset", "B", "mask" }[i])) !=
				     CELLA_OK)
			return r;
	if (xt->dtype != CELLA_ONNX_FLOAT)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "X of type %s is not supported (float)",
				    onnx_tname(xt->dtype));
	for (int i = 1; i < 5; i++)
		if (in[i] && in[i]->dtype != xt->dtype)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d of type %s, X of %s", i, onnx_tname(in[i]->dtype),
					    onnx_tname(xt->dtype));
	if (xt->rank != 4)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "X of rank %d: DeformConv on two spatial dims only "
				    "([N, C, H, W])", xt->rank);
	if ((r = onnx_conv_geometry(x, n, xt, wt, &w, &g)) != CELLA_OK)
		return r;
	int64_t og = onnx_attr_i(n, "offset_group", 1), N = xt->dims[0], C = xt->dims[1], H = xt->dims[2],
		Wd = xt->dims[3], M = wt->dims[0], kh = w.k[0], kw = w.k[1], oh = w.out[0], ow = w.out[1];
	if (og < 1 || C % og)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'offset_group' is %lld: not a divisor of the %lld "
				    "channels", (long long)og, (long long)C);
	int64_t taps = kh * kw, want[4] = { N, og * 2 * taps, oh, ow };
	if ((r = deform_dims(x, ot, "offset", want)) != CELLA_OK)
		return r;
	want[1] = og * taps;
	if (mt && (r = deform_dims(x, mt, "mask", want)) != CELLA_OK)
		return r;
	if (bt && (bt->rank != 1 || bt->dims[0] != M))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "B is not [%lld]", (long long)M);
	int64_t od[4] = { N, M, oh, ow };
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, 4, od, &yt)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t cg = C / g, mg = M / g, P = oh * ow, K = cg * taps, KP;
	if (onnx_tensor_count(yt) == 0)
		return CELLA_OK;
	if (__builtin_mul_overflow(K, P, &KP) || (uint64_t)KP > x->m->opt.max_tensor_bytes / sizeof(float))
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "its sampled columns (%lld x %lld) are over max_tensor_bytes",
				    (long long)K, (long long)P);
	float *col = onnx_op_scratch(x, 1, (size_t)KP * sizeof(float));
	float *scr = onnx_op_scratch(x, 0, onnx_sgemm_scratch_floats(&x->m->gk) * sizeof(float));
	if (!col || !scr)
		return CELLA_ERR_OUT_OF_MEMORY;
	const float *X = xt->data, *Wt = wt->data, *O = ot->data, *Mk = mt ? mt->data : NULL, *B = bt ? bt->data : NULL;
	for (int64_t b = 0; b < N; b++)
		for (int64_t gi = 0; gi < g; gi++) {
			for (int64_t cl = 0; cl < cg; cl++) {
				int64_t c = gi * cg + cl, grp = c / (C / og);
				const float *plane = X + (b * C + c) * H * Wd;
				for (int64_t t = 0; t < taps; t++) {
					const float *dh = O + ((b * og + grp) * 2 * taps + 2 * t) * P, *dw = dh + P;
					const float *mk = Mk ? Mk + ((b * og + grp) * taps + t) * P : NULL;
					float *row = col + (cl * taps + t) * P;
					int64_t i = t / kw, j = t % kw;
					for (int64_t y = 0, p = 0; y < oh; y++)
						for (int64_t xx = 0; xx < ow; xx++, p++) {
							float h = (float)(y * w.s[0] - w.pb[0] + i * w.d[0]) + dh[p];
							float v = (float)(xx * w.s[1] - w.pb[1] + j * w.d[1]) + dw[p];
							float s = deform_sample(plane, H, Wd, h, v);
							row[p] = mk ? s * mk[p] : s;
						}
				}
			}
			struct sgemm sg = onnx_sgemm_rows((size_t)mg, (size_t)P, (size_t)K, Wt + gi * mg * K, col,
							  (float *)yt->data + (b * M + gi * mg) * P, B ? B + gi * mg : NULL);
			onnx_op_sgemm(x, &sg, scr);
		}
	return CELLA_OK;
}

const struct op_def onnx_ops_vision[] = {
	{ "NonMaxSuppression", op_nms, nms_attrs, 10, 0 },
	{ "RoiAlign", op_roialign, roi_attrs, 10, 0 },
	{ "MaxUnpool", op_maxunpool, onnx_pool_attrs, 9, 0 },
	{ "DeformConv", op_deform_conv, NULL, 19, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
