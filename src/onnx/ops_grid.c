// SPDX-License-Identifier: MIT
/*
 * Spatial sampling: GridSample (opset 16: 4-D, modes bilinear/nearest/bicubic; opset 20: any spatial rank, modes
 * linear/nearest/cubic) and AffineGrid (opset 20), the two halves of a spatial transformer. Coordinates in double.
 */
#include "onnx_internal.h"

#include <math.h>
#include <string.h>

#define GRID_MAX_SPATIAL (MAXR - 2)
#define GRID_FAR 1099511627776.0 /* 2^40: beyond every dim, and exact in int64 */

enum { GS_LINEAR, GS_NEAREST, GS_CUBIC };

struct gs_term {
	int64_t off; /* in a channel's plane */
	double w;
};
enum { GS_ZEROS, GS_BORDER, GS_REFLECTION };

/* Position in pixels of a normalized coordinate v (-1 and 1 the corner pixels' centres or their outer edges). */
static double gs_denormalize(double v, int64_t d, int align)
{
	return align ? (v + 1) / 2 * (double)(d - 1) : ((v + 1) * (double)d - 1) / 2;
}

/* v reflected by the borders lo and hi until it is between them (lo == hi: lo). */
static double gs_reflect(double v, double lo, double hi)
{
	double range = hi - lo;
	if (range <= 0)
		return lo;
	if (v < lo || v > hi) {
		double dx = v < lo ? lo - v : v - hi, r = fmod(dx, range);
		int odd = fmod(floor(dx / range), 2) != 0;
		v = v < lo ? (odd ? hi - r : lo + r) : (odd ? lo + r : hi - r);
	}
	return v;
}

/* The index that tap i of a dim of d pixels reads under the padding mode, or -1 for a zero. */
static int64_t gs_tap(double i, int64_t d, int pad, int align)
{
	if (pad == GS_BORDER)
		i = i < 0 ? 0 : i > (double)(d - 1) ? (double)(d - 1) : i;
	else if (pad == GS_REFLECTION)
		i = trunc(gs_reflect(i, align ? 0 : -0.5, align ? (double)(d - 1) : (double)d - 0.5));
	return i >= 0 && i < (double)d ? (int64_t)i : -1;
}

/* Keys' cubic convolution weights (A = -0.75) of the four taps around a point t in [0, 1) past the second. */
static void gs_cubic(double t, double w[4])
{
	const double A = -0.75;
	double u = t + 1, v = 1 - t, s = 2 - t;
	w[0] = ((A * u - 5 * A) * u + 8 * A) * u - 4 * A;
	w[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
	w[2] = ((A + 2) * v - (A + 3)) * v * v + 1;
	w[3] = ((A * s - 5 * A) * s + 8 * A) * s - 4 * A;
}

static int gs_mode(const char *s, int opset)
{
	static const char *const names[2][3] = { { "bilinear", "nearest", "bicubic" }, { "linear", "nearest", "cubic" } };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[opset >= 20][i]))
			return i;
	return -1;
}

static int gs_padding(const char *s)
{
	static const char *const names[3] = { "zeros", "border", "reflection" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/*
 * Y (N, C, D1_out..Dr_out) from X (N, C, D1..Dr) at the positions grid (N, D1_out..Dr_out, r) gives, its last axis
 * listing them innermost dim first. As ONNX's reference: the position is denormalized; nearest rounds it half to
 * even; a position beyond the borders is clamped (border) or reflected (reflection) before the taps are taken, and
 * each tap reads 0 beyond the image (zeros), the edge (border) or its reflection. A coordinate that is NaN, or
 * infinite under reflection, reads 0: it is nowhere in the image.
 */
static cella_result op_grid_sample(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *g = onnx_op_in(x, n, 1), *o;
	cella_result r;
	if (!a || !g)
		return CELLA_ERR_MODEL;
	const char *ms = onnx_attr_s(n, "mode", n->opset >= 20 ? "linear" : "bilinear");
	const char *ps = onnx_attr_s(n, "padding_mode", "zeros");
	int mode = gs_mode(ms, n->opset), pad = gs_padding(ps), align = onnx_attr_int(n, "align_corners", 0) != 0;
	if (mode < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'mode' is '%s', not %s at opset %d", ms,
				    n->opset >= 20 ? "linear, nearest or cubic" : "bilinear, nearest or bicubic", n->opset);
	if (pad < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'padding_mode' is '%s', not zeros, border or "
				    "reflection", ps);
	if ((r = onnx_op_need_fp(x, a->dtype, "input")) != CELLA_OK ||
	    (r = onnx_op_need_fp(x, g->dtype, "grid")) != CELLA_OK)
		return r;
	int sr = a->rank - 2;
	if (sr < 1 || (n->opset < 20 && sr != 2))
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of rank %d: opset %d samples %s", a->rank, n->opset,
				    n->opset < 20 ? "4-D input (N, C, H, W)" : "input of rank 3 or more");
	if (g->rank != a->rank || g->dims[0] != a->dims[0] || g->dims[g->rank - 1] != sr)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "grid of rank %d (dim 0 %lld, last dim %lld) for input of "
				    "rank %d and batch %lld: expected (N, D1_out, ..., %d)", g->rank,
				    (long long)g->dims[0], (long long)(g->rank ? g->dims[g->rank - 1] : 0), a->rank,
				    (long long)a->dims[0], sr);
	int64_t dims[MAXR];
	dims[0] = a->dims[0];
	dims[1] = a->dims[1];
	memcpy(dims + 2, g->dims + 1, (size_t)sr * sizeof(int64_t));
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, dims, &o)) != CELLA_OK || onnx_op_dry(x) || o->bytes == 0)
		return r;
	const int64_t *in = a->dims + 2;
	int64_t batch = a->dims[0], ch = a->dims[1], points = onnx_dims_prod(dims + 2, sr);
	int64_t plane = onnx_dims_prod(in, sr), taps1 = mode == GS_LINEAR ? 2 : mode == GS_CUBIC ? 4 : 1, taps = 1;
	for (int i = 0; i < sr; i++)
		taps *= taps1; /* 4^6 at most */
	int64_t idx[GRID_MAX_SPATIAL][4], stride[GRID_MAX_SPATIAL];
	double w[GRID_MAX_SPATIAL][4];
	stride[sr - 1] = 1;
	for (int i = sr - 2; i >= 0; i--)
		stride[i] = stride[i + 1] * in[i + 1];
	/* each point's taps inside the image: their offsets in a channel's plane and weights, shared by its channels */
	struct gs_term *tp = onnx_op_scratch(x, 1, (size_t)taps * sizeof(*tp));
	if (!tp)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int64_t b = 0; b < batch; b++)
		for (int64_t p = 0; p < points; p++) {
			int nowhere = 0;
			for (int i = 0; i < sr; i++) {
				/* spatial dim i is the grid vector's entry sr - 1 - i */
				double v = onnx_get_d(g->data, g->dtype, (size_t)((b * points + p) * sr + (sr - 1 - i)));
				double lo = align ? 0 : -0.5, hi = align ? (double)(in[i] - 1) : (double)in[i] - 0.5;
				v = gs_denormalize(v, in[i], align);
				if (g->dtype == CELLA_ONNX_FLOAT)
					v = (float)v; /* positions in the grid's precision, as the reference keeps them */
				if (mode == GS_NEAREST)
					v = nearbyint(v);
				if (pad == GS_BORDER && (v < lo || v > hi))
					v = v < 0 ? 0 : v > (double)(in[i] - 1) ? (double)(in[i] - 1) : v;
				else if (pad == GS_REFLECTION && (v < lo || v > hi))
					v = gs_reflect(v, lo, hi);
				if (!isfinite(v))
					nowhere = 1;
				v = v < -GRID_FAR ? -GRID_FAR : v > GRID_FAR ? GRID_FAR : v; /* taps beyond: zeros */
				double base = mode == GS_NEAREST ? v : floor(v), t = v - base;
				if (mode == GS_LINEAR) {
					w[i][0] = 1 - t;
					w[i][1] = t;
				} else if (mode == GS_CUBIC) {
					gs_cubic(t, w[i]);
				} else {
					w[i][0] = 1;
				}
				for (int k = 0; k < taps1; k++)
					idx[i][k] = gs_tap(base + (mode == GS_CUBIC ? k - 1 : k), in[i], pad, align);
			}
			int64_t nt = 0;
			for (int64_t t = 0; t < taps && !nowhere; t++) {
				int64_t off = 0, rest = t;
				double wt = 1;
				for (int i = sr - 1; i >= 0 && off >= 0; i--, rest /= taps1) {
					int64_t k = rest % taps1;
					wt *= w[i][k];
					off = idx[i][k] < 0 ? -1 : off + idx[i][k] * stride[i];
				}
				if (off >= 0)
					tp[nt++] = (struct gs_term){ off, wt };
			}
			for (int64_t c = 0; c < ch; c++) {
				size_t src = (size_t)((b * ch + c) * plane);
				double acc = 0;
				for (int64_t k = 0; k < nt; k++)
					acc += tp[k].w * onnx_get_d(a->data, a->dtype, src + (size_t)tp[k].off);
				onnx_put_d(o->data, o->dtype, (size_t)((b * ch + c) * points + p), acc);
			}
		}
	return CELLA_OK;
}

/*
 * AffineGrid-20: the grid GridSample reads for theta (N, 2, 3) or (N, 3, 4) over `size` (N, C, H, W) or
 * (N, C, D, H, W): each output position's normalized coordinates (x innermost, then y, then z), then 1, times
 * theta's rows. The base coordinates span -1 to 1 across the corner pixels' centres (align_corners) or their
 * outer edges.
 */
static cella_result op_affine_grid(struct exec *x, struct node *n)
{
	struct tensor *th = onnx_op_in(x, n, 0), *sz = onnx_op_in(x, n, 1), *o;
	int64_t size[MAXR];
	int ns = 0, align = onnx_attr_int(n, "align_corners", 0) != 0;
	cella_result r;
	if (!th || !sz)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_need_fp(x, th->dtype, "theta")) != CELLA_OK)
		return r;
	if (sz->dtype != CELLA_ONNX_INT64 || sz->rank != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "size must be a vector of int64 (N, C, H, W) or (N, C, D, "
				    "H, W)");
	if ((r = onnx_op_read_ints(x, sz, size, MAXR, &ns)) != CELLA_OK)
		return r;
	if (ns != 4 && ns != 5)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "size has %d values: (N, C, H, W) or (N, C, D, H, W)", ns);
	int sr = ns - 2;
	if (th->rank != 3 || th->dims[0] != size[0] || th->dims[1] != sr || th->dims[2] != sr + 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "theta of rank %d (%lld, %lld, %lld) for size of %d values "
				    "and batch %lld: expected (N, %d, %d)", th->rank, (long long)th->dims[0],
				    (long long)(th->rank > 1 ? th->dims[1] : 0), (long long)(th->rank > 2 ? th->dims[2] : 0),
				    ns, (long long)size[0], sr, sr + 1);
	int64_t dims[MAXR];
	dims[0] = size[0];
	for (int i = 0; i < sr; i++) {
		if (size[2 + i] < 0)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "size value %d is %lld, negative", 2 + i,
					    (long long)size[2 + i]);
		dims[1 + i] = size[2 + i];
	}
	dims[1 + sr] = sr;
	if ((r = onnx_op_out(x, n, 0, th->dtype, sr + 2, dims, &o)) != CELLA_OK || onnx_op_dry(x) || o->bytes == 0)
		return r;
	int64_t points = onnx_dims_prod(dims + 1, sr), pos[GRID_MAX_SPATIAL];
	size_t k = 0;
	for (int64_t b = 0; b < size[0]; b++) {
		memset(pos, 0, sizeof(pos));
		for (int64_t p = 0; p < points; p++) {
			double base[4];
			/* base[j]: coordinate j innermost first (x over the last dim), then 1 */
			for (int j = 0; j < sr; j++) {
				int64_t d = dims[sr - j], i = pos[sr - 1 - j];
				base[j] = align ? (d > 1 ? -1 + 2.0 * (double)i / (double)(d - 1) : 0)
						: -1 + (2.0 * (double)i + 1) / (double)d;
			}
			base[sr] = 1;
			for (int row = 0; row < sr; row++) {
				double acc = 0;
				for (int j = 0; j <= sr; j++)
					acc += onnx_get_d(th->data, th->dtype, (size_t)((b * sr + row) * (sr + 1) + j)) *
					       base[j];
				onnx_put_d(o->data, o->dtype, k++, acc);
			}
			onnx_index_next(pos, dims + 1, sr);
		}
	}
	return CELLA_OK;
}

const struct op_def onnx_ops_grid[] = {
	{ "GridSample", op_grid_sample, NULL, 16, 0 },
	{ "AffineGrid", op_affine_grid, NULL, 20, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
