// SPDX-License-Identifier: MIT
/* Neural-network operators: Conv, ConvTranspose, Gemm, MatMul, pooling, normalisations, Softmax family. */
#include "onnx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXSP ONNX_MAXSP

#include "conv_dw.h"

/* ------------------------------------------------------------------ window geometry */

enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID };

/* A node's window attribute `name`: AveragePool has `dilations` from opset 19 only (AveragePool-19); before,
 * it is not one of its attributes and is ignored. */
static size_t win_list(struct node *n, const char *name, const int64_t **v)
{
	if (!strcmp(name, "dilations") && n->opset < 19 && !strcmp(n->op->name, "AveragePool"))
		return 0;
	return onnx_attr_ints(n, name, v);
}

/*
 * The window attributes of a Conv, ConvTranspose or pooling node over nsp spatial dims: strides and dilations (and
 * ConvTranspose's output_padding) have nsp values when present, pads 2*nsp, auto_pad is one of the four names ONNX
 * defines, and each value is within the engine's bounds (strides and dilations in [1, 2^20], pads in [0, 2^24];
 * for ConvTranspose, whose work grows with them, [1, 4096], [0, 2^20] and output_padding [0, 4096]). Sets
 * *pad_mode. What is wrong is named, with the attribute, in the node's failure: CELLA_ERR_MODEL for a list of
 * another length or another auto_pad, CELLA_ERR_MODEL_SHAPE for a value out of bounds. Needs no input shape, so
 * the callers run it at load (conv_attrs_at_load, onnx_pool_attrs).
 */
static cella_result win_attrs(struct exec *x, struct node *n, int nsp, int *pad_mode)
{
	static const char *const lists[4] = { "strides", "dilations", "pads", "output_padding" };
	static const char *const modes[4] = { [PAD_NOTSET] = "NOTSET", [PAD_SAME_UPPER] = "SAME_UPPER",
					      [PAD_SAME_LOWER] = "SAME_LOWER", [PAD_VALID] = "VALID" };
	int tr = !strcmp(n->op->name, "ConvTranspose"), nl = tr ? 4 : 3, mode = -1;
	const char *ap = onnx_attr_s(n, "auto_pad", "NOTSET");
	for (int i = 0; i < 4; i++)
		if (!strcmp(ap, modes[i]))
			mode = i;
	if (mode < 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL,
				    "attribute 'auto_pad' is '%.64s', not NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap);
	for (int i = 0; i < nl; i++) {
		const int64_t *v;
		size_t c = win_list(n, lists[i], &v), want = (size_t)nsp * (i == 2 ? 2 : 1);
		int64_t lo = i < 2 ? 1 : 0, hi = i < 2 ? (tr ? 4096 : 1 << 20) : i == 2 ? (tr ? 1 << 20 : 1 << 24) : 4096;
		if (c && c != want)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' has %zu values, expected %zu", lists[i],
					    c, want);
		if (i == 2 && tr && mode == PAD_VALID)
			continue; /* ConvTranspose with VALID pads nothing, whatever pads says */
		for (size_t k = 0; k < c; k++)
			if (v[k] < lo || v[k] > hi)
				return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "attribute '%s' holds %lld, not in [%lld, %lld]",
						    lists[i], (long long)v[k], (long long)lo, (long long)hi);
	}
	*pad_mode = mode;
	return CELLA_OK;
}

/* Fills strides/dilations/pads and output size from the ONNX attributes (Conv and pooling rules). */
static cella_result win_make(struct exec *x, struct node *n, const struct tensor *xt, const int64_t *kernel, int nsp,
			     int ceil_mode, struct onnx_win *w)
{
	const int64_t *v;
	size_t c;
	int mode;
	cella_result r;
	if (nsp < 1 || nsp > MAXSP)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%d spatial dims (at most %d)", nsp, MAXSP);
	if ((r = win_attrs(x, n, nsp, &mode)) != CELLA_OK)
		return r;
	memset(w, 0, sizeof(*w));
	w->nsp = nsp;
	for (int i = 0; i < nsp; i++) {
		w->in[i] = xt->dims[2 + i];
		w->k[i] = kernel[i];
		w->s[i] = 1;
		w->d[i] = 1;
		if (w->k[i] < 1 || w->k[i] > (1 << 20))
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "kernel dim %d is %lld, not in [1, %d]", i,
					    (long long)w->k[i], 1 << 20);
	}
	/* win_attrs checked the lengths: each list is absent or complete */
	if ((c = onnx_attr_ints(n, "strides", &v)) != 0)
		for (int i = 0; i < nsp; i++)
			w->s[i] = v[i];
	if ((c = win_list(n, "dilations", &v)) != 0)
		for (int i = 0; i < nsp; i++)
			w->d[i] = v[i];
	if ((c = onnx_attr_ints(n, "pads", &v)) != 0)
		for (int i = 0; i < nsp; i++) {
			w->pb[i] = v[i];
			w->pe[i] = v[i + nsp];
		}
	/* win_attrs bounded the values too */
	int same = mode == PAD_SAME_UPPER ? 1 : mode == PAD_SAME_LOWER ? 2 : 0;
	for (int i = 0; i < nsp; i++) {
		int64_t ek = (w->k[i] - 1) * w->d[i] + 1;
		if (same) {
			int64_t o = (w->in[i] + w->s[i] - 1) / w->s[i];
			int64_t tot = (o - 1) * w->s[i] + ek - w->in[i];
			if (tot < 0)
				tot = 0;
			w->pb[i] = same == 1 ? tot / 2 : tot - tot / 2;
			w->pe[i] = tot - w->pb[i];
			w->out[i] = o;
		} else {
			if (mode == PAD_VALID)
				w->pb[i] = w->pe[i] = 0;
			int64_t span = w->in[i] + w->pb[i] + w->pe[i] - ek;
			if (span < 0)
				return CELLA_ERR_MODEL_SHAPE;
			w->out[i] = ceil_mode ? (span + w->s[i] - 1) / w->s[i] + 1 : span / w->s[i] + 1;
			if (ceil_mode && (w->out[i] - 1) * w->s[i] >= w->in[i] + w->pb[i])
				w->out[i]--;
		}
	}
	return CELLA_OK;
}

/* im2col for one group: rows = (c, kernel offset), cols = output positions. */
static void im2col(const struct onnx_win *w, const float *x, int64_t cg, float *col)
{
	int64_t insp = onnx_dims_prod(w->in, w->nsp), outsp = onnx_dims_prod(w->out, w->nsp);
	int64_t ksp = onnx_dims_prod(w->k, w->nsp);
	if (w->nsp == 2) {
		int64_t H = w->in[0], W = w->in[1], OH = w->out[0], OW = w->out[1];
		for (int64_t c = 0; c < cg; c++)
			for (int64_t ki = 0; ki < w->k[0]; ki++)
				for (int64_t kj = 0; kj < w->k[1]; kj++) {
					float *dst = col + ((c * w->k[0] + ki) * w->k[1] + kj) * outsp;
					const float *src = x + c * insp;
					for (int64_t oy = 0; oy < OH; oy++) {
						int64_t iy = oy * w->s[0] - w->pb[0] + ki * w->d[0];
						float *drow = dst + oy * OW;
						if (iy < 0 || iy >= H) {
							memset(drow, 0, (size_t)OW * sizeof(float));
							continue;
						}
						const float *srow = src + iy * W;
						int64_t x0 = -w->pb[1] + kj * w->d[1], sx = w->s[1];
						if (sx == 1 && x0 >= 0 && x0 + OW <= W) {
							memcpy(drow, srow + x0, (size_t)OW * sizeof(float));
							continue;
						}
						for (int64_t ox = 0; ox < OW; ox++) {
							int64_t ix = x0 + ox * sx;
							drow[ox] = (ix >= 0 && ix < W) ? srow[ix] : 0.0f;
						}
					}
				}
		return;
	}
	for (int64_t r = 0; r < cg * ksp; r++) {
		int64_t c = r / ksp, kr = r % ksp, ko[MAXSP] = { 0 };
		for (int i = w->nsp - 1; i >= 0; i--) {
			ko[i] = kr % w->k[i];
			kr /= w->k[i];
		}
		for (int64_t p = 0; p < outsp; p++) {
			int64_t pr = p, off = 0, ok = 1, mul = 1;
			for (int i = w->nsp - 1; i >= 0; i--) {
				int64_t o = pr % w->out[i];
				pr /= w->out[i];
				int64_t ii = o * w->s[i] - w->pb[i] + ko[i] * w->d[i];
				if (ii < 0 || ii >= w->in[i])
					ok = 0;
				off += ii * mul;
				mul *= w->in[i];
			}
			col[r * outsp + p] = ok ? x[c * insp + off] : 0.0f;
		}
	}
}

/* im2col fused into GEMM B-panel packing for 2-D convolutions: no column buffer. */
struct im2col_ctx {
	const struct onnx_win *w;
	const float *x;
	int64_t ksp;
};

static void conv_pack_b(const void *vctx, size_t k0, size_t kc, size_t j0, size_t nc, int nr, float *dst)
{
	const struct im2col_ctx *cx = vctx;
	const struct onnx_win *w = cx->w;
	int64_t H = w->in[0], W = w->in[1], OW = w->out[1], KH = w->k[0], KW = w->k[1];
	int64_t sy = w->s[0], sx = w->s[1], dy = w->d[0], dx = w->d[1];
	int64_t iy0[64], ix0[64];
	for (size_t jr = 0; jr < nc; jr += (size_t)nr) {
		size_t cols = nc - jr < (size_t)nr ? nc - jr : (size_t)nr;
		for (size_t j = 0; j < cols; j++) {
			int64_t p = (int64_t)(j0 + jr + j), oy = p / OW, ox = p % OW;
			iy0[j] = oy * sy - w->pb[0];
			ix0[j] = ox * sx - w->pb[1];
		}
		int same_row = cols == (size_t)nr && iy0[0] == iy0[cols - 1];
		/* row k of B is channel c, kernel offset (ki, kj): divided out once, then stepped */
		int64_t c = (int64_t)k0 / cx->ksp, r = (int64_t)k0 % cx->ksp, ki = r / KW, kj = r % KW;
		for (size_t k = 0; k < kc; k++, dst += nr) {
			const float *xc = cx->x + c * H * W;
			int64_t oyo = ki * dy, oxo = kj * dx;
			if (++kj == KW) {
				kj = 0;
				if (++ki == KH) {
					ki = 0;
					c++;
				}
			}
			if (same_row) {
				int64_t iy = iy0[0] + oyo, ixs = ix0[0] + oxo;
				/* the row's pointer only for a row inside the image (above or below it, none exists) */
				const float *row = iy < 0 || iy >= H ? NULL : xc + iy * W;
				if (!row) {
					for (int j = 0; j < nr; j++)
						dst[j] = 0.0f;
				} else if (ixs >= 0 && ixs + (int64_t)(nr - 1) * sx < W) {
					/* inline, not memcpy: a call per row of 16 or 32 floats was a tenth of a large model */
					if (sx == 1)
						for (int j = 0; j < nr; j++)
							dst[j] = row[ixs + j];
					else
						for (int j = 0; j < nr; j++)
							dst[j] = row[ixs + j * sx];
				} else {
					for (int j = 0; j < nr; j++) {
						int64_t ix = ixs + j * sx;
						dst[j] = ix >= 0 && ix < W ? row[ix] : 0.0f;
					}
				}
				continue;
			}
			size_t j = 0;
			for (; j < cols; j++) {
				int64_t iy = iy0[j] + oyo, ix = ix0[j] + oxo;
				dst[j] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? xc[iy * W + ix] : 0.0f;
			}
			for (; j < (size_t)nr; j++)
				dst[j] = 0.0f;
		}
	}
}

/* ------------------------------------------------------------------ Conv */

struct conv_priv {
	float *packed; /* per group, sgemm_packed_a_floats each */
	size_t per_group;
};

static void conv_priv_free(void *p)
{
	struct conv_priv *c = p;
	if (!c)
		return;
	free(c->packed);
	free(c);
}

static cella_result conv_kernel_shape(struct exec *x, struct node *n, const struct tensor *wt, int64_t *k, int *nsp)
{
	const int64_t *v;
	size_t c = onnx_attr_ints(n, "kernel_shape", &v);
	*nsp = wt->rank - 2;
	if (*nsp < 1 || *nsp > MAXSP)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "weight of rank %d: 1 to %d spatial dims", wt->rank,
				    MAXSP);
	if (c && c != (size_t)*nsp)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "attribute 'kernel_shape' has %zu values, the weight %d "
				    "spatial dims", c, *nsp);
	for (int i = 0; i < *nsp; i++) {
		k[i] = wt->dims[2 + i];
		if (c && v[i] != k[i])
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "attribute 'kernel_shape' is %lld in dim %d, the "
					    "weight's %lld", (long long)v[i], i, (long long)k[i]);
	}
	return CELLA_OK;
}

/* At load, for Conv and ConvTranspose whose weight rank is known: the kernel and window attributes are checked
 * there even when the input's shape is not (the shape pass could not run the node), so a malformed one is refused
 * at load, with its name, not at the first run. */
/* see onnx_internal.h */
cella_result onnx_conv_attrs_at_load(struct exec *x, struct node *n, int w_index)
{
	struct tensor *wt = onnx_op_in(x, n, w_index);
	int64_t k[MAXSP];
	int nsp, mode;
	cella_result r;
	if (!wt || !(wt->known || wt->is_const) || wt->rank < 3)
		return CELLA_OK; /* checked when the node runs */
	if ((r = conv_kernel_shape(x, n, wt, k, &nsp)) != CELLA_OK)
		return r;
	return win_attrs(x, n, nsp, &mode);
}

static cella_result conv_attrs_at_load(struct exec *x, struct node *n)
{
	return onnx_conv_attrs_at_load(x, n, 1);
}

/* see onnx_internal.h */
cella_result onnx_conv_geometry(struct exec *x, struct node *n, const struct tensor *xt, const struct tensor *wt,
				struct onnx_win *w, int64_t *group)
{
	int64_t k[MAXSP];
	int nsp;
	cella_result r;
	if ((r = conv_kernel_shape(x, n, wt, k, &nsp)) != CELLA_OK)
		return r;
	if (xt->rank != wt->rank)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of rank %d, weight of rank %d", xt->rank,
				    wt->rank);
	int64_t g = onnx_attr_i(n, "group", 1), C = xt->dims[1], M = wt->dims[0];
	if (g < 1 || C % g || M % g || wt->dims[1] != C / g)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "group %lld with %lld input channels, weight [%lld, %lld, ...]",
				    (long long)g, (long long)C, (long long)M, (long long)wt->dims[1]);
	*group = g;
	return win_make(x, n, xt, k, nsp, 0, w);
}

static cella_result conv_prepare(struct exec *x, struct node *n)
{
	struct tensor *wt = onnx_op_in(x, n, 1);
	cella_result r = conv_attrs_at_load(x, n);
	if (r != CELLA_OK)
		return r;
	if (!wt || !wt->is_const || wt->packed || wt->dtype != CELLA_ONNX_FLOAT || wt->rank < 3)
		return CELLA_OK;
	int64_t g = onnx_attr_i(n, "group", 1);
	if (g < 1 || wt->dims[0] % g || wt->dims[0] == 0) /* no output channels: nothing to pack, group unbounded */
		return CELLA_OK;
	int64_t mg = wt->dims[0] / g, kk = onnx_dims_prod(wt->dims + 1, wt->rank - 1);
	if (wt->dims[1] == 1 && mg == 1 && g > 1)
		return CELLA_OK; /* depthwise: direct kernel reads W as is */
	struct conv_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return CELLA_ERR_OUT_OF_MEMORY;
	p->per_group = onnx_sgemm_packed_a_floats(&x->m->gk, (size_t)mg, (size_t)kk);
	p->packed = aligned_alloc(64, ((p->per_group * (size_t)g * sizeof(float)) + 63) & ~(size_t)63);
	if (!p->packed) {
		free(p);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	for (int64_t gi = 0; gi < g; gi++)
		onnx_sgemm_pack_a(&x->m->gk, (size_t)mg, (size_t)kk, (const float *)wt->data + gi * mg * kk, kk, 1, 1.0f,
			     p->packed + (size_t)gi * p->per_group);
	x->m->weight_bytes += p->per_group * (size_t)g * sizeof(float);
	n->priv = p;
	n->priv_free = conv_priv_free;
	/* W's shape makes the run take the GEMM path whatever the input's (depthwise, the one path reading W itself,
	 * needs one input and one output channel per group, which is not packed): the run reads W's dims only */
	n->packed_in |= 1u << 1;
	return CELLA_OK;
}

/* Size of the zero-padded copy that lets every tap of a depthwise conv read in bounds. */
static void dw_padded_dims(const struct onnx_win *w, int64_t *hp, int64_t *wp)
{
	*hp = (w->out[0] - 1) * w->s[0] + (w->k[0] - 1) * w->d[0] + 1;
	*wp = (w->out[1] - 1) * w->s[1] + (w->k[1] - 1) * w->d[1] + 1;
	if (*hp < 1)
		*hp = 1;
	if (*wp < 1)
		*wp = 1;
}

static void depthwise2d(const struct onnx_win *w, const float *x, const float *k, float bias, float *y, int act,
			float aa, float ab, int avx2, float *tmp)
{
	struct dw_args a = { w->in[0], w->in[1], w->out[0], w->out[1], w->k[0], w->k[1], w->s[0], w->s[1],
			     w->d[0], w->d[1], w->pb[0], w->pb[1], act, aa, ab, 0 }; /* activation fused in the kernel */
	int64_t hp, wp;
	dw_padded_dims(w, &hp, &wp);
	if (w->pb[0] || w->pb[1] || hp > w->in[0] || wp > w->in[1] || w->out[1] % 8) {
		/* copy into a zero border once so the kernel never takes its bounds-checked path, with slack
		 * after the plane so partial 8-wide blocks may over-read */
		float *pad = tmp;
		tmp += hp * wp + 64;
		a.slack = 1;
		memset(pad, 0, (size_t)(hp * wp) * sizeof(float));
		for (int64_t iy = 0; iy < w->in[0]; iy++) {
			int64_t py = iy + w->pb[0];
			if (py >= hp)
				break;
			int64_t n = w->in[1] + w->pb[1] <= wp ? w->in[1] : wp - w->pb[1];
			if (n > 0)
				memcpy(pad + py * wp + w->pb[1], x + iy * w->in[1], (size_t)n * sizeof(float));
		}
		x = pad;
		a.H = hp;
		a.W = wp;
		a.py = a.px = 0;
	}
	if (avx2)
		onnx_dw2d_avx2(&a, x, k, bias, y, tmp);
	else
		onnx_dw2d_portable(&a, x, k, bias, y, tmp);
}

static cella_result op_conv(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *wt = onnx_op_in(x, n, 1), *bt = onnx_op_in(x, n, 2), *yt;
	struct onnx_win w;
	int64_t odims[MAXR], g;
	cella_result r;
	if (!xt || !wt)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT || wt->dtype != CELLA_ONNX_FLOAT || (bt && bt->dtype != CELLA_ONNX_FLOAT))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if ((r = onnx_conv_geometry(x, n, xt, wt, &w, &g)) != CELLA_OK)
		return r;
	int64_t N = xt->dims[0], C = xt->dims[1], M = wt->dims[0];
	int nsp = w.nsp;
	if (bt && (bt->rank != 1 || bt->dims[0] != M))
		return CELLA_ERR_MODEL_SHAPE;
	odims[0] = N;
	odims[1] = M;
	for (int i = 0; i < nsp; i++)
		odims[2 + i] = w.out[i];
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, odims, &yt)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t cg = C / g, mg = M / g, insp = onnx_dims_prod(w.in, nsp), outsp = onnx_dims_prod(w.out, nsp);
	int64_t ksp = onnx_dims_prod(w.k, nsp);
	int64_t kk = cg * ksp;
	const float *X = xt->data, *Wd = wt->data, *B = bt ? bt->data : NULL;
	float *Y = yt->data;
	struct conv_priv *pv = n->priv;
	if (outsp == 0 || N == 0 || M == 0)
		return CELLA_OK;
	int64_t hp = 0, wp = 0;
	int dw = cg == 1 && mg == 1 && g > 1 && nsp == 2;
	if (dw) {
		/* the direct depthwise kernel holds at most 64 kernel rows and a padded plane of 2^30 floats;
		 * beyond that the GEMM path below computes the same convolution, one group at a time */
		dw_padded_dims(&w, &hp, &wp);
		dw = w.k[0] <= 64 && (uint64_t)hp * (uint64_t)wp <= ((uint64_t)1 << 30);
	}
	if (!Wd && wt->bytes && (dw || !pv)) /* freed once packed (drop_packed_weights): only the GEMM reads it so */
		return onnx_op_fail(x, CELLA_ERR_UNEXPECTED, "weight W was freed once packed, but this run reads it as is");
	if (dw) {
		int64_t wmax = wp > w.in[1] ? wp : w.in[1];
		float *tmp = onnx_op_scratch(x, 1, (size_t)(hp * wp + w.k[0] * (wmax + 2) + 160) * sizeof(float));
		if (!tmp)
			return CELLA_ERR_OUT_OF_MEMORY;
		for (int64_t b = 0; b < N; b++)
			for (int64_t c = 0; c < C; c++)
				depthwise2d(&w, X + (b * C + c) * insp, Wd + c * ksp, B ? B[c] : 0.0f,
					    Y + (b * M + c) * outsp, n->act, n->act_a, n->act_b, x->m->gk.dw_avx2, tmp);
		return CELLA_OK;
	}
	int pointwise = 1;
	for (int i = 0; i < nsp; i++)
		pointwise &= w.k[i] == 1 && w.s[i] == 1 && w.pb[i] == 0 && w.pe[i] == 0;
	float *col = NULL;
	if (!pointwise && nsp != 2) {
		if ((uint64_t)kk * (uint64_t)outsp > ((uint64_t)1 << 32))
			return CELLA_ERR_TOO_LARGE;
		col = onnx_op_scratch(x, 1, (size_t)(kk * outsp) * sizeof(float));
		if (!col)
			return CELLA_ERR_OUT_OF_MEMORY;
	}
	float *scr = onnx_op_scratch(x, 0, onnx_sgemm_scratch_floats(&x->m->gk) * sizeof(float));
	if (!scr)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (int64_t b = 0; b < N; b++)
		for (int64_t gi = 0; gi < g; gi++) {
			const float *xg = X + (b * C + gi * cg) * insp;
			struct im2col_ctx icx = { &w, xg, ksp };
			if (!pointwise && nsp != 2)
				im2col(&w, xg, cg, col);
			/* packed, A is not read (W's data may be freed: no offset from NULL) */
			const float *wg = pv ? NULL : Wd + gi * mg * kk;
			struct sgemm s = onnx_sgemm_rows((size_t)mg, (size_t)outsp, (size_t)kk, wg, pointwise ? xg : col,
							 Y + (b * M + gi * mg) * outsp, B ? B + gi * mg : NULL);
			s.packed_a = pv ? pv->packed + (size_t)gi * pv->per_group : NULL;
			s.act = n->act;
			s.act_a = n->act_a;
			s.act_b = n->act_b;
			if (!pointwise && nsp == 2) {
				s.pack_b = conv_pack_b;
				s.pack_ctx = &icx;
			}
			onnx_op_sgemm(x, &s, scr);
		}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ ConvTranspose */

static cella_result op_conv_transpose(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *wt = onnx_op_in(x, n, 1), *bt = onnx_op_in(x, n, 2), *yt;
	int64_t k[MAXSP], odims[MAXR], outp[MAXSP] = { 0 }, pb[MAXSP] = { 0 }, pe[MAXSP] = { 0 };
	int64_t s[MAXSP], d[MAXSP];
	int nsp, mode;
	cella_result r;
	const int64_t *v;
	if (!xt || !wt)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT || wt->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if ((r = conv_kernel_shape(x, n, wt, k, &nsp)) != CELLA_OK || (r = win_attrs(x, n, nsp, &mode)) != CELLA_OK)
		return r;
	int64_t g = onnx_attr_i(n, "group", 1), N = xt->dims[0], C = xt->dims[1], M;
	/* every group has at least one input channel when there are channels (C % g alone let group = 2^62 through
	 * with C = 0), and the output channel count mg*g must exist */
	if (xt->rank != wt->rank || g < 1 || (C > 0 && g > C) || C % g || wt->dims[0] != C ||
	    __builtin_mul_overflow(wt->dims[1], g, &M))
		return CELLA_ERR_MODEL_SHAPE;
	int64_t mg = wt->dims[1], cg = C / g;
	if (bt && (bt->rank != 1 || bt->dims[0] != M))
		return CELLA_ERR_MODEL_SHAPE;
	for (int i = 0; i < nsp; i++)
		s[i] = d[i] = 1;
	/* win_attrs checked the lengths: each list is absent or complete */
	if (onnx_attr_ints(n, "strides", &v))
		memcpy(s, v, sizeof(int64_t) * (size_t)nsp);
	if (onnx_attr_ints(n, "dilations", &v))
		memcpy(d, v, sizeof(int64_t) * (size_t)nsp);
	if (onnx_attr_ints(n, "output_padding", &v))
		memcpy(outp, v, sizeof(int64_t) * (size_t)nsp);
	if (mode != PAD_VALID && onnx_attr_ints(n, "pads", &v)) /* VALID: no padding, whatever pads says */
		for (int i = 0; i < nsp; i++) {
			pb[i] = v[i];
			pe[i] = v[i + nsp];
		}
	/* win_attrs bounded the values too */
	/* output_shape names the spatial dims, optionally preceded by N and C: the last nsp values count */
	size_t nos = onnx_attr_ints(n, "output_shape", &v);
	if (nos && (nos < (size_t)nsp || nos > (size_t)nsp + 2))
		return CELLA_ERR_MODEL_SHAPE;
	odims[0] = N;
	odims[1] = M;
	for (int i = 0; i < nsp; i++) {
		int64_t in = xt->dims[2 + i], ek = (k[i] - 1) * d[i] + 1, full = s[i] * (in - 1) + outp[i] + ek;
		int64_t want = -1;
		if (nos)
			want = v[nos - (size_t)nsp + (size_t)i];
		else if (mode == PAD_SAME_UPPER || mode == PAD_SAME_LOWER)
			want = in * s[i];
		if (want >= 0) {
			/* may be negative: the output then extends past the scattered input (bias only there) */
			int64_t tot = full - want, half = tot >= 0 ? tot / 2 : -((-tot + 1) / 2); /* floor(tot/2) */
			if (want > (1 << 24))
				return CELLA_ERR_MODEL_SHAPE;
			if (mode == PAD_SAME_UPPER) {
				pb[i] = half;
				pe[i] = tot - half;
			} else {
				pb[i] = tot - half;
				pe[i] = half;
			}
		}
		odims[2 + i] = full - pb[i] - pe[i];
		if (odims[2 + i] < 0)
			return CELLA_ERR_MODEL_SHAPE;
	}
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, odims, &yt)) != CELLA_OK || onnx_op_dry(x))
		return r;
	if (onnx_tensor_count(yt) == 0) /* nothing to write: the loops below run N * group times all the same */
		return CELLA_OK;
	int64_t insp = onnx_dims_prod(xt->dims + 2, nsp), outsp = onnx_dims_prod(odims + 2, nsp);
	int64_t ksp = onnx_dims_prod(k, nsp);
	int64_t rows = mg * ksp;
	if ((uint64_t)rows * (uint64_t)insp > ((uint64_t)1 << 32))
		return CELLA_ERR_TOO_LARGE;
	float *col = onnx_op_scratch(x, 1, (size_t)(rows * insp) * sizeof(float) + 64);
	float *scr = onnx_op_scratch(x, 0, onnx_sgemm_scratch_floats(&x->m->gk) * sizeof(float));
	if (!col || !scr)
		return CELLA_ERR_OUT_OF_MEMORY;
	const float *X = xt->data, *Wd = wt->data, *B = bt ? bt->data : NULL;
	float *Y = yt->data;
	for (int64_t b = 0; b < N; b++)
		for (int64_t gi = 0; gi < g; gi++) {
			/* col[mg*ksp][insp] = W_g^T (W_g is [cg][mg*ksp]) x X_g [cg][insp] */
			struct sgemm sg = { 0 };
			sg.M = (size_t)rows;
			sg.N = (size_t)insp;
			sg.K = (size_t)cg;
			sg.A = Wd + gi * cg * rows;
			sg.a_rs = 1;
			sg.a_cs = rows;
			sg.B = X + (b * C + gi * cg) * insp;
			sg.b_rs = insp;
			sg.b_cs = 1;
			sg.C = col;
			sg.ldc = (size_t)insp;
			sg.alpha = 1.0f;
			onnx_op_sgemm(x, &sg, scr);
			for (int64_t m = 0; m < mg; m++) {
				float *yo = Y + (b * M + gi * mg + m) * outsp;
				float bias = B ? B[gi * mg + m] : 0.0f;
				for (int64_t p = 0; p < outsp; p++)
					yo[p] = bias;
				if (nsp == 2) {
					int64_t IH = xt->dims[2], IW = xt->dims[3], OH = odims[2], OW = odims[3];
					for (int64_t kr = 0; kr < ksp; kr++) {
						int64_t ki = kr / k[1], kj = kr % k[1];
						const float *cr = col + (m * ksp + kr) * insp;
						for (int64_t iy = 0; iy < IH; iy++) {
							int64_t oy = iy * s[0] - pb[0] + ki * d[0];
							if (oy < 0 || oy >= OH)
								continue;
							float *yrow = yo + oy * OW;
							const float *crow = cr + iy * IW;
							for (int64_t ix = 0; ix < IW; ix++) {
								int64_t ox = ix * s[1] - pb[1] + kj * d[1];
								if (ox >= 0 && ox < OW)
									yrow[ox] += crow[ix];
							}
						}
					}
					onnx_act_apply(yo, (size_t)outsp, n->act, n->act_a, n->act_b);
					continue;
				}
				for (int64_t kr = 0; kr < ksp; kr++) {
					int64_t ko[MAXSP] = { 0 }, t = kr;
					for (int i = nsp - 1; i >= 0; i--) {
						ko[i] = t % k[i];
						t /= k[i];
					}
					const float *cr = col + (m * ksp + kr) * insp;
					for (int64_t p = 0; p < insp; p++) {
						int64_t pr = p, off = 0, mul = 1, ok = 1;
						for (int i = nsp - 1; i >= 0; i--) {
							int64_t ii = pr % xt->dims[2 + i];
							pr /= xt->dims[2 + i];
							int64_t o = ii * s[i] - pb[i] + ko[i] * d[i];
							if (o < 0 || o >= odims[2 + i])
								ok = 0;
							off += o * mul;
							mul *= odims[2 + i];
						}
						if (ok)
							yo[off] += cr[p];
					}
				}
				onnx_act_apply(yo, (size_t)outsp, n->act, n->act_a, n->act_b);
			}
		}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ Gemm / MatMul */

/* A constant B of MatMul or Gemm packed at load (onnx_sgemm_pack_b), so no run packs or reads it strided again. */
struct mm_priv {
	float *packed;
	size_t np;
};

static void mm_priv_free(void *p)
{
	struct mm_priv *m = p;
	if (m)
		free(m->packed);
	free(m);
}

/* At load: input 1, a constant float matrix [K, N] (with transposed, [N, K]), packed for the runs; the node then reads
 * only its dims (node.packed_in), so drop_packed_weights may free it when nothing else reads it. */
static cella_result mm_prepare(struct exec *x, struct node *n, int transposed)
{
	struct tensor *b = onnx_op_in(x, n, 1);
	if (!b || !b->is_const || b->packed || b->dtype != CELLA_ONNX_FLOAT || b->rank != 2 || !b->data)
		return CELLA_OK;
	size_t K = (size_t)(transposed ? b->dims[1] : b->dims[0]), N = (size_t)(transposed ? b->dims[0] : b->dims[1]);
	if (!K || !N)
		return CELLA_OK;
	struct mm_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return CELLA_ERR_OUT_OF_MEMORY;
	size_t floats = onnx_sgemm_packed_b_floats(&x->m->gk, K, N, &p->np);
	p->packed = aligned_alloc(64, (floats * sizeof(float) + 63) & ~(size_t)63);
	if (!p->packed) {
		free(p);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	onnx_sgemm_pack_b(&x->m->gk, K, N, b->data, transposed ? 1 : (ptrdiff_t)N, transposed ? (ptrdiff_t)K : 1,
			  p->packed);
	x->m->weight_bytes += floats * sizeof(float);
	n->priv = p;
	n->priv_free = mm_priv_free;
	n->packed_in |= 1u << 1;
	return CELLA_OK;
}

static cella_result gemm_prepare(struct exec *x, struct node *n)
{
	int64_t tb = onnx_attr_i(n, "transB", 0);
	if (n->attr_bad || (tb != 0 && tb != 1))
		return CELLA_OK; /* the run refuses the attribute, by name */
	return mm_prepare(x, n, (int)tb);
}

static cella_result matmul_prepare(struct exec *x, struct node *n) { return mm_prepare(x, n, 0); }

/* The packed B of n (mm_prepare) into s, if any: B itself is then not read. */
static void mm_use_packed(const struct node *n, struct sgemm *s)
{
	const struct mm_priv *p = n->priv;
	if (!p)
		return;
	s->packed_b = p->packed;
	s->packed_np = p->np;
	s->B = NULL;
}

static cella_result op_gemm(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *b = onnx_op_in(x, n, 1), *c = onnx_op_in(x, n, 2), *y;
	cella_result r;
	if (!a || !b)
		return CELLA_ERR_MODEL;
	if (a->dtype != CELLA_ONNX_FLOAT || b->dtype != CELLA_ONNX_FLOAT || (c && c->dtype != CELLA_ONNX_FLOAT))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (a->rank != 2 || b->rank != 2)
		return CELLA_ERR_MODEL_SHAPE;
	int ta = onnx_attr_int(n, "transA", 0), tb = onnx_attr_int(n, "transB", 0);
	float alpha = onnx_attr_f(n, "alpha", 1.0f), beta = onnx_attr_f(n, "beta", 1.0f);
	int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
	int64_t K2 = tb ? b->dims[1] : b->dims[0], N = tb ? b->dims[0] : b->dims[1];
	if (K != K2)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t od[2] = { M, N };
	if (c) {
		if (c->rank > 2)
			return CELLA_ERR_MODEL_SHAPE;
		int64_t cm = c->rank == 2 ? c->dims[0] : 1, cn = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
		if ((cm != 1 && cm != M) || (cn != 1 && cn != N))
			return CELLA_ERR_MODEL_SHAPE;
	}
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, 2, od, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	float *Y = y->data;
	struct sgemm s = { 0 };
	s.M = (size_t)M;
	s.N = (size_t)N;
	s.K = (size_t)K;
	s.A = a->data;
	s.a_rs = ta ? 1 : a->dims[1];
	s.a_cs = ta ? a->dims[1] : 1;
	s.B = b->data;
	s.b_rs = tb ? 1 : b->dims[1];
	s.b_cs = tb ? b->dims[1] : 1;
	s.C = Y;
	s.ldc = (size_t)N;
	s.alpha = alpha;
	s.act = n->act;
	s.act_a = n->act_a;
	s.act_b = n->act_b;
	mm_use_packed(n, &s);
	if (c && beta != 0.0f) {
		int64_t cm = c->rank == 2 ? c->dims[0] : 1, cn = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
		const float *C = c->data;
		if (cm == 1 && cn == N && beta == 1.0f) {
			s.bias_n = C;
		} else {
			for (int64_t i = 0; i < M; i++)
				for (int64_t j = 0; j < N; j++)
					Y[i * N + j] = beta * C[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
			s.accumulate = 1;
		}
	}
	float *scr = onnx_op_scratch(x, 0, onnx_sgemm_scratch_floats(&x->m->gk) * sizeof(float));
	if (!scr)
		return CELLA_ERR_OUT_OF_MEMORY;
	onnx_op_sgemm(x, &s, scr);
	return CELLA_OK;
}

/* see onnx_internal.h */
cella_result onnx_matmul_shape(const struct tensor *a, const struct tensor *b, struct onnx_mm *mm)
{
	if (a->rank < 1 || b->rank < 1)
		return CELLA_ERR_MODEL_SHAPE;
	/* promote 1-D operands, broadcast batch dims */
	int ar = a->rank < 2 ? 2 : a->rank, br = b->rank < 2 ? 2 : b->rank;
	int64_t ad[MAXR], bd[MAXR];
	if (a->rank == 1) {
		ad[0] = 1;
		ad[1] = a->dims[0];
	} else
		memcpy(ad, a->dims, sizeof(int64_t) * (size_t)a->rank);
	if (b->rank == 1) {
		bd[0] = b->dims[0];
		bd[1] = 1;
	} else
		memcpy(bd, b->dims, sizeof(int64_t) * (size_t)b->rank);
	memset(mm, 0, sizeof(*mm));
	int64_t M = ad[ar - 2], K = ad[ar - 1], N = bd[br - 1];
	if (bd[br - 2] != K)
		return CELLA_ERR_MODEL_SHAPE;
	int orank = (ar > br ? ar : br);
	int nb = orank - 2;
	for (int i = 0; i < nb; i++) {
		int ia = i - (orank - ar), ib = i - (orank - br);
		int64_t ea = ia >= 0 ? ad[ia] : 1, eb = ib >= 0 ? bd[ib] : 1;
		if (ea != eb && ea != 1 && eb != 1)
			return CELLA_ERR_MODEL_SHAPE;
		mm->od[i] = ea == 1 ? eb : ea;
	}
	mm->od[nb] = M;
	mm->od[nb + 1] = N;
	/* batch strides in units of matrices */
	{
		int64_t sa = 1, sb = 1;
		for (int i = nb - 1; i >= 0; i--) {
			int ia = i - (orank - ar), ib = i - (orank - br);
			int64_t ea = ia >= 0 ? ad[ia] : 1, eb = ib >= 0 ? bd[ib] : 1;
			mm->ast[i] = ea == 1 ? 0 : sa;
			mm->bst[i] = eb == 1 ? 0 : sb;
			sa *= ea;
			sb *= eb;
		}
	}
	/* output shape drops the promoted dims */
	for (int i = 0; i < nb; i++)
		mm->outd[mm->outr++] = mm->od[i];
	if (a->rank >= 2)
		mm->outd[mm->outr++] = M;
	if (b->rank >= 2)
		mm->outd[mm->outr++] = N;
	mm->M = M;
	mm->K = K;
	mm->N = N;
	mm->nb = nb;
	mm->batches = onnx_dims_prod(mm->od, nb);
	return CELLA_OK;
}

/* see onnx_internal.h */
void onnx_matmul_batch(const struct onnx_mm *mm, int64_t bi, int64_t *oa, int64_t *ob)
{
	*oa = *ob = 0;
	for (int i = mm->nb - 1; i >= 0; i--) {
		int64_t d = bi % mm->od[i];
		bi /= mm->od[i];
		*oa += d * mm->ast[i];
		*ob += d * mm->bst[i];
	}
}

static cella_result op_matmul(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *b = onnx_op_in(x, n, 1), *y;
	cella_result r;
	if (!a || !b)
		return CELLA_ERR_MODEL;
	if (a->dtype != b->dtype)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (a->dtype != CELLA_ONNX_FLOAT && a->dtype != CELLA_ONNX_INT32 && a->dtype != CELLA_ONNX_INT64 &&
	    a->dtype != CELLA_ONNX_DOUBLE)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	struct onnx_mm mm;
	if ((r = onnx_matmul_shape(a, b, &mm)) != CELLA_OK)
		return r;
	int64_t M = mm.M, K = mm.K, N = mm.N, batches = mm.batches;
	int nb = mm.nb;
	const int64_t *od = mm.od, *ast = mm.ast, *bst = mm.bst;
	if ((r = onnx_op_out(x, n, 0, a->dtype, mm.outr, mm.outd, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	if (a->dtype != CELLA_ONNX_FLOAT) {
		for (int64_t bi = 0; bi < batches; bi++) {
			int64_t oa, ob;
			onnx_matmul_batch(&mm, bi, &oa, &ob);
			for (int64_t i = 0; i < M; i++)
				for (int64_t j = 0; j < N; j++) {
					size_t yo = (size_t)((bi * M + i) * N + j);
					if (a->dtype == CELLA_ONNX_DOUBLE) {
						double acc = 0;
						for (int64_t kx = 0; kx < K; kx++)
							acc += ((const double *)a->data)[oa * M * K + i * K + kx] *
							       ((const double *)b->data)[ob * K * N + kx * N + j];
						((double *)y->data)[yo] = acc;
					} else {
						uint64_t acc = 0;
						for (int64_t kx = 0; kx < K; kx++) {
							int64_t va = a->dtype == CELLA_ONNX_INT32
									     ? ((const int32_t *)a->data)[oa * M * K + i * K + kx]
									     : ((const int64_t *)a->data)[oa * M * K + i * K + kx];
							int64_t vb = a->dtype == CELLA_ONNX_INT32
									     ? ((const int32_t *)b->data)[ob * K * N + kx * N + j]
									     : ((const int64_t *)b->data)[ob * K * N + kx * N + j];
							acc += (uint64_t)va * (uint64_t)vb;
						}
						if (a->dtype == CELLA_ONNX_INT32)
							((int32_t *)y->data)[yo] = (int32_t)acc;
						else
							((int64_t *)y->data)[yo] = (int64_t)acc;
					}
				}
		}
		return CELLA_OK;
	}
	float *scr = onnx_op_scratch(x, 0, onnx_sgemm_scratch_floats(&x->m->gk) * sizeof(float));
	if (!scr)
		return CELLA_ERR_OUT_OF_MEMORY;
	const float *A = a->data, *B = b->data;
	float *Y = y->data;
	struct sgemm s = { 0 };
	s.K = (size_t)K;
	s.N = (size_t)N;
	s.a_rs = K;
	s.a_cs = 1;
	s.b_rs = N;
	s.b_cs = 1;
	s.ldc = (size_t)N;
	s.alpha = 1.0f;
	/* B shared by every batch and A batches contiguous: one tall GEMM */
	int b_shared = 1, a_contig = 1;
	for (int i = 0; i < nb; i++) {
		b_shared &= bst[i] == 0;
	}
	{
		int64_t expect = 1;
		for (int i = nb - 1; i >= 0; i--) {
			if (od[i] != 1 && ast[i] != expect)
				a_contig = 0;
			expect *= od[i];
		}
	}
	if (b_shared && a_contig) {
		s.M = (size_t)(M * batches);
		s.A = A;
		s.B = B;
		mm_use_packed(n, &s);
		s.C = Y;
		if (s.M && s.N)
			onnx_op_sgemm(x, &s, scr);
		return CELLA_OK;
	}
	s.M = (size_t)M;
	for (int64_t bi = 0; bi < batches; bi++) {
		int64_t oa, ob;
		onnx_matmul_batch(&mm, bi, &oa, &ob);
		s.A = A + oa * M * K;
		s.B = n->priv ? NULL : B + ob * K * N; /* packed: one B for every batch (it is 2-D) */
		mm_use_packed(n, &s);
		s.C = Y + bi * M * N;
		if (s.M && s.N)
			onnx_op_sgemm(x, &s, scr);
	}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ normalisation */

static cella_result op_batchnorm(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *sc = onnx_op_in(x, n, 1), *bi = onnx_op_in(x, n, 2), *mn = onnx_op_in(x, n, 3),
		      *vr = onnx_op_in(x, n, 4), *y;
	cella_result r;
	if (!xt || !sc || !bi || !mn || !vr)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT || sc->dtype != CELLA_ONNX_FLOAT || bi->dtype != CELLA_ONNX_FLOAT ||
	    mn->dtype != CELLA_ONNX_FLOAT || vr->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (xt->rank < 2)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t C = xt->dims[1];
	if (onnx_tensor_count(sc) != (size_t)C || onnx_tensor_count(bi) != (size_t)C || onnx_tensor_count(mn) != (size_t)C ||
	    onnx_tensor_count(vr) != (size_t)C)
		return CELLA_ERR_MODEL_SHAPE;
	int training = onnx_attr_int(n, "training_mode", 0);
	struct tensor *rm = NULL, *rv = NULL;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, xt->dims, &y)) != CELLA_OK)
		return r;
	if (training && onnx_op_has_out(n, 1) && (r = onnx_op_out(x, n, 1, CELLA_ONNX_FLOAT, 1, &C, &rm)) != CELLA_OK)
		return r;
	if (training && onnx_op_has_out(n, 2) && (r = onnx_op_out(x, n, 2, CELLA_ONNX_FLOAT, 1, &C, &rv)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_OK;
	float eps = onnx_attr_f(n, "epsilon", 1e-5f);
	int64_t N = xt->dims[0], sp = onnx_dims_prod(xt->dims + 2, xt->rank - 2);
	const float *X = xt->data, *S = sc->data, *B = bi->data, *Mn = mn->data, *V = vr->data;
	float *Y = y->data;
	if (training) {
		/* batch statistics; running estimates blended with momentum */
		float mom = onnx_attr_f(n, "momentum", 0.9f);
		for (int64_t c = 0; c < C; c++) {
			double s = 0, s2 = 0, cnt = (double)(N * sp);
			for (int64_t b = 0; b < N; b++)
				for (int64_t i = 0; i < sp; i++)
					s += X[(b * C + c) * sp + i];
			double mean = cnt ? s / cnt : 0;
			for (int64_t b = 0; b < N; b++)
				for (int64_t i = 0; i < sp; i++) {
					double d = X[(b * C + c) * sp + i] - mean;
					s2 += d * d;
				}
			double var = cnt ? s2 / cnt : 0;
			float k = S[c] / sqrtf((float)var + eps);
			for (int64_t b = 0; b < N; b++)
				for (int64_t i = 0; i < sp; i++)
					Y[(b * C + c) * sp + i] = (float)(X[(b * C + c) * sp + i] - mean) * k + B[c];
			if (rm && rm->data)
				((float *)rm->data)[c] = Mn[c] * mom + (float)mean * (1 - mom);
			if (rv && rv->data)
				((float *)rv->data)[c] = V[c] * mom + (float)var * (1 - mom);
		}
		return CELLA_OK;
	}
	for (int64_t c = 0; c < C; c++) {
		float k = S[c] / sqrtf(V[c] + eps), o = B[c] - Mn[c] * k;
		for (int64_t b = 0; b < N; b++) {
			const float *xp = X + (b * C + c) * sp;
			float *yp = Y + (b * C + c) * sp;
			for (int64_t i = 0; i < sp; i++)
				yp[i] = xp[i] * k + o;
		}
	}
	return CELLA_OK;
}

static cella_result op_instancenorm(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *sc = onnx_op_in(x, n, 1), *bi = onnx_op_in(x, n, 2), *y;
	cella_result r;
	if (!xt || !sc || !bi)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT || sc->dtype != CELLA_ONNX_FLOAT || bi->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (xt->rank < 2 || onnx_tensor_count(sc) != (size_t)xt->dims[1] || onnx_tensor_count(bi) != (size_t)xt->dims[1])
		return CELLA_ERR_MODEL_SHAPE;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, xt->dims, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	float eps = onnx_attr_f(n, "epsilon", 1e-5f);
	int64_t N = xt->dims[0], C = xt->dims[1], sp = onnx_dims_prod(xt->dims + 2, xt->rank - 2);
	for (int64_t b = 0; b < N; b++)
		for (int64_t c = 0; c < C; c++) {
			const float *xp = (const float *)xt->data + (b * C + c) * sp;
			float *yp = (float *)y->data + (b * C + c) * sp;
			double s = 0, s2 = 0;
			for (int64_t i = 0; i < sp; i++)
				s += xp[i];
			double mean = sp ? s / (double)sp : 0;
			for (int64_t i = 0; i < sp; i++)
				s2 += (xp[i] - mean) * (xp[i] - mean);
			double var = sp ? s2 / (double)sp : 0;
			float k = ((const float *)sc->data)[c] / (float)sqrt(var + eps);
			for (int64_t i = 0; i < sp; i++)
				yp[i] = (float)(xp[i] - mean) * k + ((const float *)bi->data)[c];
		}
	return CELLA_OK;
}

/* Strides of t in x's index space for unidirectional broadcasting (t's dims right-aligned to x's, each equal to
 * x's or 1; 0 where t broadcasts); -1 if t does not broadcast to x. An empty t makes x empty too: its strides are
 * all 0 (they are never used, and the product of its dims past a zero one could overflow). */
static int ubcast_strides(const struct tensor *t, const struct tensor *xt, int64_t *st)
{
	int64_t s = 1;
	int empty = onnx_tensor_count(t) == 0;
	if (t->rank > xt->rank)
		return -1;
	for (int d = xt->rank - 1; d >= 0; d--) {
		int off = d - (xt->rank - t->rank);
		int64_t e = off >= 0 ? t->dims[off] : 1;
		if (e != 1 && e != xt->dims[d])
			return -1;
		st[d] = e == 1 || empty ? 0 : s;
		s = empty ? 0 : s * e;
	}
	return 0;
}

/* 1 if strides st (from ubcast_strides) index a tensor by the element's offset in its row of X normalised from
 * axis on: 0 before axis, X's own contiguous strides from it (a dim of 1 takes any stride: its index is always 0). */
static int ln_row_indexed(const int64_t *st, const struct tensor *xt, int axis)
{
	int64_t s = 1;
	for (int d = xt->rank - 1; d >= 0; d--) {
		if (xt->dims[d] != 1 && st[d] != (d < axis ? 0 : s))
			return 0;
		if (d >= axis)
			s *= xt->dims[d];
	}
	return 1;
}

/* The mean of a row of n floats and 1 / sqrt(variance + eps), summed in float in order as the ONNX reference
 * function does; both paths of op_layernorm use it, so their results are the same bits. */
/* The sum of f(xp[i]) (f: the value, or its square's distance from m) in eight running sums, lane k taking the
 * elements k mod 8, added pairwise at the end: one vector register's work with no reassociation the compiler would
 * need fast-math for (the sum one long chain of additions was 8 times slower), and no less exact than that chain. */
static float ln_sum(const float *xp, int64_t n, int centred, float m)
{
	float a[8] = { 0 };
	int64_t i = 0;
	if (centred)
		for (; i + 8 <= n; i += 8)
			for (int k = 0; k < 8; k++)
				a[k] += (xp[i + k] - m) * (xp[i + k] - m);
	else
		for (; i + 8 <= n; i += 8)
			for (int k = 0; k < 8; k++)
				a[k] += xp[i + k];
	float s = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
	for (; i < n; i++)
		s += centred ? (xp[i] - m) * (xp[i] - m) : xp[i];
	return s;
}

static void ln_row_stats(const float *xp, int64_t n, float eps, float *mean, float *inv)
{
	float m = n ? ln_sum(xp, n, 0, 0) / (float)n : 0;
	*mean = m;
	*inv = 1.0f / sqrtf((n ? ln_sum(xp, n, 1, m) / (float)n : 0) + eps);
}

static cella_result op_layernorm(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *sc = onnx_op_in(x, n, 1), *bi = onnx_op_in(x, n, 2), *y, *mo = NULL, *io = NULL;
	cella_result r;
	int axis;
	if (!xt || !sc)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT || sc->dtype != CELLA_ONNX_FLOAT || (bi && bi->dtype != CELLA_ONNX_FLOAT))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", -1), xt->rank, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	int64_t outer = onnx_dims_prod(xt->dims, axis), inner = onnx_dims_prod(xt->dims + axis, xt->rank - axis);
	/* Y = Normalized * Scale + B, Scale and B unidirectionally broadcast to X (LayerNormalization-17) */
	int64_t sst[MAXR], bst[MAXR];
	if (ubcast_strides(sc, xt, sst) || (bi && ubcast_strides(bi, xt, bst)))
		return CELLA_ERR_MODEL_SHAPE;
	int64_t sdims[MAXR];
	for (int i = 0; i < xt->rank; i++)
		sdims[i] = i < axis ? xt->dims[i] : 1;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, xt->dims, &y)) != CELLA_OK)
		return r;
	if (n->n_out > 1 && (r = onnx_op_out(x, n, 1, CELLA_ONNX_FLOAT, xt->rank, sdims, &mo)) != CELLA_OK)
		return r;
	if (n->n_out > 2 && (r = onnx_op_out(x, n, 2, CELLA_ONNX_FLOAT, xt->rank, sdims, &io)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_OK;
	float eps = onnx_attr_f(n, "epsilon", 1e-5f);
	const float *S = sc->data, *B = bi ? bi->data : NULL;
	/* the common case (Scale and B of the normalised shape, or broadcast only over the rows): each row reads
	 * Scale and B from their start, element i at i; otherwise Scale's and B's offsets follow X's index */
	int rows = ln_row_indexed(sst, xt, axis) && (!B || ln_row_indexed(bst, xt, axis));
	int64_t idx[MAXR] = { 0 }, so = 0, bo = 0; /* X's index and Scale's, B's offsets there, row after row */
	for (int64_t o = 0; o < outer; o++) {
		const float *xp = (const float *)xt->data + o * inner;
		float *yp = (float *)y->data + o * inner;
		float mean, inv;
		ln_row_stats(xp, inner, eps, &mean, &inv);
		if (rows && B) {
			for (int64_t i = 0; i < inner; i++)
				yp[i] = (xp[i] - mean) * inv * S[i] + B[i];
		} else if (rows) {
			for (int64_t i = 0; i < inner; i++)
				yp[i] = (xp[i] - mean) * inv * S[i] + 0.0f; /* + 0: -0 becomes +0 as in the general path */
		} else {
			for (int64_t i = 0; i < inner; i++) {
				yp[i] = (xp[i] - mean) * inv * S[so] + (B ? B[bo] : 0.0f);
				for (int d = xt->rank - 1; d >= 0; d--) {
					so += sst[d];
					bo += B ? bst[d] : 0;
					if (++idx[d] < xt->dims[d])
						break;
					so -= sst[d] * xt->dims[d];
					bo -= B ? bst[d] * xt->dims[d] : 0;
					idx[d] = 0;
				}
			}
		}
		if (mo && mo->data)
			((float *)mo->data)[o] = mean;
		if (io && io->data)
			((float *)io->data)[o] = inv;
	}
	return CELLA_OK;
}

static cella_result op_lrn(struct exec *x, struct node *n)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *y;
	cella_result r;
	if (!xt)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (xt->rank < 2)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t size = onnx_attr_i(n, "size", 0);
	if (size < 1)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, xt->dims, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	float alpha = onnx_attr_f(n, "alpha", 1e-4f), beta = onnx_attr_f(n, "beta", 0.75f), bias = onnx_attr_f(n, "bias", 1.0f);
	int64_t N = xt->dims[0], C = xt->dims[1], sp = onnx_dims_prod(xt->dims + 2, xt->rank - 2);
	int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
	const float *X = xt->data;
	float *Y = y->data;
	for (int64_t b = 0; b < N; b++)
		for (int64_t c = 0; c < C; c++)
			for (int64_t i = 0; i < sp; i++) {
				/* only the channels that exist: size is an attribute, and may be 2^40 */
				int64_t c0 = c - lo < 0 ? 0 : c - lo, c1 = hi > C - 1 - c ? C - 1 : c + hi;
				float s = 0;
				for (int64_t cc = c0; cc <= c1; cc++) {
					float v = X[(b * C + cc) * sp + i];
					s += v * v;
				}
				Y[(b * C + c) * sp + i] =
					X[(b * C + c) * sp + i] / powf(bias + alpha / (float)size * s, beta);
			}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ pooling */

/*
 * The taps kk of a k-tap window starting at base with dilation d whose position base + kk*d lies in [lo, hi):
 * [*k0, *k1), empty when *k0 >= *k1. Pooling walks only these, so its work per output is bounded by the
 * elements it reads, not by kernel_shape (an attribute: 2^20 taps per dim over a 1x1 input hung the load).
 */
static void win_range(int64_t base, int64_t k, int64_t d, int64_t lo, int64_t hi, int64_t *k0, int64_t *k1)
{
	int64_t a = lo - base, b = hi - 1 - base; /* a <= kk*d <= b */
	int64_t last = b < 0 ? -1 : b / d;
	*k0 = a <= 0 ? 0 : (a + d - 1) / d;
	*k1 = last + 1 < k ? last + 1 : k;
	if (*k1 < *k0)
		*k1 = *k0;
}

/* see onnx_internal.h */
cella_result onnx_pool_attrs(struct exec *x, struct node *n)
{
	const int64_t *ks;
	size_t nk = onnx_attr_ints(n, "kernel_shape", &ks);
	int mode;
	if (nk == 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'kernel_shape' is required");
	if (nk > MAXSP)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "attribute 'kernel_shape' has %zu values (at most %d)",
				    nk, MAXSP);
	for (size_t i = 0; i < nk; i++)
		if (ks[i] < 1 || ks[i] > (1 << 20))
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "attribute 'kernel_shape' holds %lld, not in [1, %d]",
					    (long long)ks[i], 1 << 20);
	return win_attrs(x, n, (int)nk, &mode);
}

static cella_result pool(struct exec *x, struct node *n, int is_max)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *y, *yi = NULL;
	const int64_t *ks;
	cella_result r;
	struct onnx_win w;
	if (!xt)
		return CELLA_ERR_MODEL;
	/* MaxPool-12 adds int8 and uint8: pooled as floats (exact for them), in scratch */
	int bytes8 = is_max && n->opset >= 12 && (xt->dtype == CELLA_ONNX_INT8 || xt->dtype == CELLA_ONNX_UINT8);
	if (xt->dtype != CELLA_ONNX_FLOAT && !bytes8)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s (float%s)",
				    onnx_tname(xt->dtype),
				    !is_max ? "" : n->opset >= 12 ? ", int8 or uint8" : "; int8 and uint8 from opset 12");
	if ((r = onnx_pool_attrs(x, n)) != CELLA_OK)
		return r;
	int nsp = xt->rank - 2;
	size_t nk = onnx_attr_ints(n, "kernel_shape", &ks);
	if (nsp < 1 || (size_t)nsp != nk)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "input of rank %d for attribute 'kernel_shape' of %zu "
				    "values", xt->rank, nk);
	if ((r = win_make(x, n, xt, ks, nsp, onnx_attr_int(n, "ceil_mode", 0), &w)) != CELLA_OK)
		return r;
	int64_t od[MAXR];
	od[0] = xt->dims[0];
	od[1] = xt->dims[1];
	for (int i = 0; i < nsp; i++)
		od[2 + i] = w.out[i];
	if ((r = onnx_op_out(x, n, 0, xt->dtype, xt->rank, od, &y)) != CELLA_OK)
		return r;
	if (is_max && n->n_out > 1 && (r = onnx_op_out(x, n, 1, CELLA_ONNX_INT64, xt->rank, od, &yi)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_OK;
	int cip = onnx_attr_int(n, "count_include_pad", 0), col_major = onnx_attr_int(n, "storage_order", 0);
	int64_t NC = xt->dims[0] * xt->dims[1], insp = onnx_dims_prod(w.in, nsp), outsp = onnx_dims_prod(w.out, nsp);
	int64_t ksp = onnx_dims_prod(w.k, nsp);
	const float *X = xt->data;
	float *Y = y->data;
	if (bytes8) {
		size_t cin = onnx_tensor_count(xt);
		float *xf = onnx_op_scratch(x, 1, (cin + 1) * sizeof(float));
		Y = onnx_op_scratch(x, 2, (onnx_tensor_count(y) + 1) * sizeof(float));
		if (!xf || !Y)
			return CELLA_ERR_OUT_OF_MEMORY;
		for (size_t i = 0; i < cin; i++)
			xf[i] = (float)onnx_get_i(xt->data, xt->dtype, i);
		X = xf;
	}
	if (nsp == 2 && !col_major) {
		int64_t H = w.in[0], W = w.in[1], OH = w.out[0], OW = w.out[1];
		for (int64_t ch = 0; ch < NC; ch++) {
			const float *xc = X + ch * insp;
			for (int64_t oy = 0; oy < OH; oy++)
				for (int64_t ox = 0; ox < OW; ox++) {
					int64_t y0 = oy * w.s[0] - w.pb[0], x0 = ox * w.s[1] - w.pb[1];
					float acc = is_max ? -INFINITY : 0.0f;
					int64_t best = -1, cy = 0, cx = 0, vy = 0, vx = 0;
					if (!yi && y0 >= 0 && x0 >= 0 && y0 + (w.k[0] - 1) * w.d[0] < H &&
					    x0 + (w.k[1] - 1) * w.d[1] < W) {
						/* the window lies inside: no bounds to check and every count is the
						 * window's size; the same elements in the same order as below */
						const float *p0 = xc + y0 * W + x0;
						if (is_max)
							acc = p0[0];
						for (int64_t ky = 0; ky < w.k[0]; ky++) {
							const float *row = p0 + ky * w.d[0] * W;
							for (int64_t kx = 0; kx < w.k[1]; kx++) {
								float v = row[kx * w.d[1]];
								if (!is_max)
									acc += v;
								else if (v > acc)
									acc = v;
							}
						}
						Y[ch * outsp + oy * OW + ox] = is_max ? acc : acc / (float)ksp;
						continue;
					}
					int64_t ky0, ky1, kx0, kx1, t0, t1;
					win_range(y0, w.k[0], w.d[0], -w.pb[0], H + w.pe[0], &t0, &t1);
					cy = t1 - t0;
					win_range(x0, w.k[1], w.d[1], -w.pb[1], W + w.pe[1], &t0, &t1);
					cx = t1 - t0;
					win_range(y0, w.k[0], w.d[0], 0, H, &ky0, &ky1);
					win_range(x0, w.k[1], w.d[1], 0, W, &kx0, &kx1);
					vy = ky1 - ky0;
					vx = kx1 - kx0;
					for (int64_t ky = ky0; ky < ky1; ky++) {
						const float *row = xc + (y0 + ky * w.d[0]) * W;
						for (int64_t kx = kx0; kx < kx1; kx++) {
							float v = row[x0 + kx * w.d[1]];
							if (!is_max)
								acc += v;
							else if (v > acc || best < 0) {
								acc = v;
								best = ch * insp + (y0 + ky * w.d[0]) * W + x0 + kx * w.d[1];
							}
						}
					}
					if (!is_max) {
						int64_t cnt = cip ? cy * cx : vy * vx;
						acc = cnt ? acc / (float)cnt : 0.0f;
					}
					Y[ch * outsp + oy * OW + ox] = acc;
					if (yi && yi->data)
						((int64_t *)yi->data)[ch * outsp + oy * OW + ox] = best;
				}
		}
		goto done;
	}
	for (int64_t ch = 0; ch < NC; ch++)
		for (int64_t p = 0; p < outsp; p++) {
			int64_t base[MAXSP] = { 0 }, k0[MAXSP], k1[MAXSP], kk[MAXSP], pr = p, cnt = 1, padcnt = 1;
			for (int i = nsp - 1; i >= 0; i--) {
				int64_t t0, t1;
				base[i] = pr % w.out[i] * w.s[i] - w.pb[i];
				pr /= w.out[i];
				win_range(base[i], w.k[i], w.d[i], -w.pb[i], w.in[i] + w.pe[i], &t0, &t1);
				padcnt *= t1 - t0;
				win_range(base[i], w.k[i], w.d[i], 0, w.in[i], &k0[i], &k1[i]);
				cnt *= k1[i] - k0[i];
				kk[i] = k0[i];
			}
			float acc = is_max ? -INFINITY : 0.0f;
			int64_t best = -1;
			/* the taps inside the input, in the kernel's row-major order (last dim fastest) */
			for (int64_t t = 0; t < cnt; t++) {
				int64_t off = 0, mul = 1, coff = 0, cmul = 1;
				for (int i = nsp - 1; i >= 0; i--) {
					off += (base[i] + kk[i] * w.d[i]) * mul;
					mul *= w.in[i];
				}
				for (int i = 0; i < nsp; i++) { /* storage_order=1: the column-major index */
					coff += (base[i] + kk[i] * w.d[i]) * cmul;
					cmul *= w.in[i];
				}
				float v = X[ch * insp + off];
				if (is_max) {
					if (v > acc || best < 0) {
						acc = v;
						best = ch * insp + (col_major ? coff : off);
					}
				} else {
					acc += v;
				}
				for (int i = nsp - 1; i >= 0; i--) {
					if (++kk[i] < k1[i])
						break;
					kk[i] = k0[i];
				}
			}
			if (!is_max)
				acc = (cip ? padcnt : cnt) ? acc / (float)(cip ? padcnt : cnt) : 0.0f;
			Y[ch * outsp + p] = acc;
			if (yi && yi->data)
				((int64_t *)yi->data)[ch * outsp + p] = best;
		}
done:
	/* back to int8/uint8: each maximum is one of the inputs; a window wholly in the padding (-inf) gives the
	 * type's least value */
	if (bytes8)
		for (size_t i = 0, c = onnx_tensor_count(y); i < c; i++)
			onnx_put_d(y->data, y->dtype, i, Y[i]);
	return CELLA_OK;
}

static cella_result op_maxpool(struct exec *x, struct node *n) { return pool(x, n, 1); }
static cella_result op_avgpool(struct exec *x, struct node *n) { return pool(x, n, 0); }

/* max(a, b) keeping a NaN of either, as the reference's np.max does; branch-free, so the lanes below vectorise */
static inline float max_keep_nan(float a, float b) { return b > a || b != b ? b : a; }

static cella_result global_pool(struct exec *x, struct node *n, int is_max)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *y;
	cella_result r;
	if (!xt)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if (xt->rank < 2)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t od[MAXR];
	for (int i = 0; i < xt->rank; i++)
		od[i] = i < 2 ? xt->dims[i] : 1;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, od, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t NC = xt->dims[0] * xt->dims[1], sp = onnx_dims_prod(xt->dims + 2, xt->rank - 2);
	const float *X = xt->data;
	for (int64_t c = 0; c < NC; c++) {
		const float *p = X + c * sp;
		float part[8];
		for (int k = 0; k < 8; k++)
			part[k] = is_max ? -INFINITY : 0.0f;
		int64_t i = 0;
		/* eight independent lanes: vectorisable, and a fixed order so every build agrees */
		if (is_max)
			for (; i + 8 <= sp; i += 8)
				for (int k = 0; k < 8; k++)
					part[k] = max_keep_nan(part[k], p[i + k]);
		else
			for (; i + 8 <= sp; i += 8)
				for (int k = 0; k < 8; k++)
					part[k] += p[i + k];
		for (; i < sp; i++)
			part[0] = is_max ? max_keep_nan(part[0], p[i]) : part[0] + p[i];
		float acc = part[0];
		for (int k = 1; k < 8; k++)
			acc = is_max ? max_keep_nan(acc, part[k]) : acc + part[k];
		((float *)y->data)[c] = is_max ? acc : (sp ? acc / (float)sp : 0.0f);
	}
	return CELLA_OK;
}

static cella_result op_gap(struct exec *x, struct node *n) { return global_pool(x, n, 0); }
static cella_result op_gmp(struct exec *x, struct node *n) { return global_pool(x, n, 1); }

/* ------------------------------------------------------------------ Softmax family */

enum { SM_SOFTMAX, SM_LOG, SM_HARD };

static cella_result softmax(struct exec *x, struct node *n, int kind)
{
	struct tensor *xt = onnx_op_in(x, n, 0), *y;
	cella_result r;
	int axis;
	if (!xt)
		return CELLA_ERR_MODEL;
	if (xt->dtype != CELLA_ONNX_FLOAT)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	int legacy = n->opset < 13;
	if (onnx_normalize_axis(onnx_attr_i(n, "axis", legacy ? 1 : -1), xt->rank ? xt->rank : 1, &axis))
		return CELLA_ERR_MODEL_SHAPE;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_FLOAT, xt->rank, xt->dims, &y)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int64_t outer = onnx_dims_prod(xt->dims, axis), len, inner;
	if (legacy) {
		len = onnx_dims_prod(xt->dims + axis, xt->rank - axis);
		inner = 1;
	} else {
		len = xt->rank ? xt->dims[axis] : 1;
		inner = onnx_dims_prod(xt->dims + axis + 1, xt->rank - axis - 1);
	}
	const float *X = xt->data;
	float *Y = y->data;
	if (inner == 1 && kind != SM_HARD) { /* the last axis (every legacy softmax, and attention's): rows in place */
		for (int64_t o = 0; o < outer; o++) {
			const float *xp = X + o * len;
			float *yp = Y + o * len;
			/* the largest, NaN skipped as the loop below skips it: eight lanes, then across them */
			float m8[8], mx = -INFINITY;
			int64_t i = 0;
			for (int k = 0; k < 8; k++)
				m8[k] = -INFINITY;
			for (; i + 8 <= len; i += 8)
				for (int k = 0; k < 8; k++)
					m8[k] = xp[i + k] > m8[k] ? xp[i + k] : m8[k];
			for (; i < len; i++)
				mx = xp[i] > mx ? xp[i] : mx;
			for (int k = 0; k < 8; k++)
				mx = m8[k] > mx ? m8[k] : mx;
			onnx_expf_shifted(xp, yp, (size_t)len, mx, x->m->gk.avx512);
			float s = ln_sum(yp, len, 0, 0);
			if (kind == SM_SOFTMAX) {
				float inv = 1.0f / s;
				for (i = 0; i < len; i++)
					yp[i] *= inv;
			} else {
				float ls = logf(s);
				for (i = 0; i < len; i++)
					yp[i] = xp[i] - mx - ls;
			}
		}
		return CELLA_OK;
	}
	for (int64_t o = 0; o < outer; o++)
		for (int64_t in = 0; in < inner; in++) {
			const float *xp = X + o * len * inner + in;
			float *yp = Y + o * len * inner + in;
			float mx = -INFINITY;
			int64_t arg = 0;
			for (int64_t i = 0; i < len; i++)
				if (xp[i * inner] > mx) {
					mx = xp[i * inner];
					arg = i;
				} else if (kind == SM_HARD && xp[i * inner] != xp[i * inner]) {
					arg = i; /* the reference's argmax takes the first NaN as the maximum */
					break;
				}
			if (kind == SM_HARD) {
				for (int64_t i = 0; i < len; i++)
					yp[i * inner] = i == arg ? 1.0f : 0.0f;
				continue;
			}
			float s = 0;
			for (int64_t i = 0; i < len; i++) {
				float e = onnx_expf(xp[i * inner] - mx);
				if (kind == SM_SOFTMAX)
					yp[i * inner] = e;
				s += e;
			}
			if (kind == SM_SOFTMAX) {
				float inv = 1.0f / s;
				for (int64_t i = 0; i < len; i++)
					yp[i * inner] *= inv;
			} else {
				float ls = logf(s);
				for (int64_t i = 0; i < len; i++)
					yp[i * inner] = xp[i * inner] - mx - ls;
			}
		}
	return CELLA_OK;
}

static cella_result op_softmax(struct exec *x, struct node *n) { return softmax(x, n, SM_SOFTMAX); }
static cella_result op_logsoftmax(struct exec *x, struct node *n) { return softmax(x, n, SM_LOG); }
static cella_result op_hardmax(struct exec *x, struct node *n) { return softmax(x, n, SM_HARD); }

const struct op_def onnx_ops_nn[] = {
	{ "Conv", op_conv, conv_prepare, 1, 0 },
	{ "ConvTranspose", op_conv_transpose, conv_attrs_at_load, 1, 0 },
	{ "Gemm", op_gemm, gemm_prepare, 1, 0 },
	{ "MatMul", op_matmul, matmul_prepare, 1, 0 },
	{ "BatchNormalization", op_batchnorm, NULL, 1, 0 },
	{ "InstanceNormalization", op_instancenorm, NULL, 1, 0 },
	{ "LayerNormalization", op_layernorm, NULL, 17, ONNX_HALF_FIRST },
	{ "LRN", op_lrn, NULL, 1, 0 },
	{ "MaxPool", op_maxpool, onnx_pool_attrs, 1, 0 },
	{ "AveragePool", op_avgpool, onnx_pool_attrs, 1, 0 },
	{ "GlobalAveragePool", op_gap, NULL, 1, 0 },
	{ "GlobalMaxPool", op_gmp, NULL, 1, 0 },
	{ "Softmax", op_softmax, NULL, 1, 0 },
	{ "LogSoftmax", op_logsoftmax, NULL, 1, 0 },
	{ "Hardmax", op_hardmax, NULL, 1, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
