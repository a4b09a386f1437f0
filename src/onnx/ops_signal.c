// SPDX-License-Identifier: MIT
/* Signal operators of audio front ends: DFT (opsets 17 and 20), STFT and MelWeightMatrix. Transforms run in double:
 * a radix-2 FFT for lengths that are powers of two, Bluestein's chirp transform over a power-of-two FFT for the
 * others, so every length costs O(n log n). */
#include "onnx_internal.h"

#include <math.h>
#include <string.h>


/* ------------------------------------------------------------------ transforms of n complex values */

/*
 * A transform of length n over complex values stored as (re, im) pairs of doubles. For n a power of two the FFT
 * runs directly (m = n); otherwise Bluestein: with c[k] = exp(-i pi k^2 / n), X[k] = c[k] (a * b)[k] for a[j] =
 * x[j] c[j] and b[d] = conj(c[d]), the convolution taken by FFTs of length m >= 2n - 1. All in the model's scratch
 * slot 0 (within max_tensor_bytes).
 */
struct sig_plan {
	int64_t n, m;
	double *tw;    /* m / 2 twiddles exp(-2 pi i k / m) */
	double *chirp; /* n values c[k] (Bluestein) */
	double *bf;    /* m values: the FFT of b placed circularly (Bluestein) */
	double *work;  /* m values (Bluestein) */
	double *line;  /* n values: the line being transformed (scratch slot 1) */
};

/* In place over m (a power of two) values; conj: the inverse direction (unscaled). */
static void sig_fft(double *v, int64_t m, const double *tw, int conj)
{
	for (int64_t i = 1, j = 0; i < m; i++) { /* bit reversal */
		int64_t bit = m >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j |= bit;
		if (i < j) {
			double t0 = v[2 * i], t1 = v[2 * i + 1];
			v[2 * i] = v[2 * j];
			v[2 * i + 1] = v[2 * j + 1];
			v[2 * j] = t0;
			v[2 * j + 1] = t1;
		}
	}
	for (int64_t len = 2; len <= m; len <<= 1) {
		int64_t half = len / 2, step = m / len;
		for (int64_t s = 0; s < m; s += len)
			for (int64_t k = 0; k < half; k++) {
				double wr = tw[2 * k * step], wi = conj ? -tw[2 * k * step + 1] : tw[2 * k * step + 1];
				double *a = v + 2 * (s + k), *b = v + 2 * (s + k + half);
				double br = b[0] * wr - b[1] * wi, bi = b[0] * wi + b[1] * wr;
				b[0] = a[0] - br;
				b[1] = a[1] - bi;
				a[0] += br;
				a[1] += bi;
			}
	}
}

/* n >= 1, at most 2^40 (the caller's output holds n or n / 2 + 1 complex values within max_tensor_bytes). */
static cella_result sig_plan_init(struct exec *x, struct sig_plan *p, int64_t n)
{
	const double pi = 3.14159265358979323846;
	int64_t m = 1;
	int pow2 = (n & (n - 1)) == 0;
	if (n < 1 || n > ((int64_t)1 << 40))
		return onnx_op_fail(x, CELLA_ERR_TOO_LARGE, "a transform of length %lld", (long long)n);
	if (pow2)
		m = n;
	else
		while (m < 2 * n - 1)
			m <<= 1;
	size_t doubles = pow2 ? (size_t)m : (size_t)(5 * m + 2 * n);
	double *s = onnx_op_scratch(x, 0, doubles * sizeof(double));
	p->line = onnx_op_scratch(x, 1, (size_t)(2 * n) * sizeof(double));
	if (!s || !p->line)
		return CELLA_ERR_OUT_OF_MEMORY;
	p->n = n;
	p->m = m;
	p->tw = s;
	for (int64_t k = 0; k < m / 2; k++) {
		double a = 2 * pi * (double)k / (double)m;
		s[2 * k] = cos(a);
		s[2 * k + 1] = -sin(a);
	}
	if (pow2)
		return CELLA_OK;
	p->chirp = s + m;
	p->bf = p->chirp + 2 * n;
	p->work = p->bf + 2 * m;
	/* k^2 mod 2n kept exactly as k steps: (k + 1)^2 = k^2 + 2k + 1 */
	for (int64_t k = 0, q = 0; k < n; k++, q = (q + 2 * k - 1) % (2 * n)) {
		double a = pi * (double)q / (double)n;
		p->chirp[2 * k] = cos(a);
		p->chirp[2 * k + 1] = -sin(a);
	}
	memset(p->bf, 0, (size_t)(2 * m) * sizeof(double));
	for (int64_t k = 0; k < n; k++) {
		int64_t at[2] = { k, (m - k) % m };
		for (int i = 0; i < (k ? 2 : 1); i++) {
			p->bf[2 * at[i]] = p->chirp[2 * k];
			p->bf[2 * at[i] + 1] = -p->chirp[2 * k + 1];
		}
	}
	sig_fft(p->bf, m, p->tw, 0);
	return CELLA_OK;
}

/* v: n values, transformed in place: forward sum x[j] exp(-2 pi i jk / n), or with inverse the sum with
 * exp(+2 pi i jk / n), unscaled (as conj(DFT(conj(x)))). */
static void sig_transform(const struct sig_plan *p, double *v, int inverse)
{
	int64_t n = p->n, m = p->m;
	if (inverse)
		for (int64_t k = 0; k < n; k++)
			v[2 * k + 1] = -v[2 * k + 1];
	if (m == n) {
		sig_fft(v, n, p->tw, 0);
	} else {
		double *w = p->work;
		const double *c = p->chirp;
		memset(w, 0, (size_t)(2 * m) * sizeof(double));
		for (int64_t j = 0; j < n; j++) {
			w[2 * j] = v[2 * j] * c[2 * j] - v[2 * j + 1] * c[2 * j + 1];
			w[2 * j + 1] = v[2 * j] * c[2 * j + 1] + v[2 * j + 1] * c[2 * j];
		}
		sig_fft(w, m, p->tw, 0);
		for (int64_t k = 0; k < m; k++) {
			double r = w[2 * k] * p->bf[2 * k] - w[2 * k + 1] * p->bf[2 * k + 1];
			double i = w[2 * k] * p->bf[2 * k + 1] + w[2 * k + 1] * p->bf[2 * k];
			w[2 * k] = r;
			w[2 * k + 1] = i;
		}
		sig_fft(w, m, p->tw, 1);
		double inv = 1.0 / (double)m;
		for (int64_t k = 0; k < n; k++) {
			double r = w[2 * k] * inv, i = w[2 * k + 1] * inv;
			v[2 * k] = r * c[2 * k] - i * c[2 * k + 1];
			v[2 * k + 1] = r * c[2 * k + 1] + i * c[2 * k];
		}
	}
	if (inverse)
		for (int64_t k = 0; k < n; k++)
			v[2 * k + 1] = -v[2 * k + 1];
}

/* ------------------------------------------------------------------ shared checks */

/* A 0/1 attribute. */
static cella_result sig_flag(struct exec *x, struct node *n, const char *name, int64_t def, int *v)
{
	int64_t a = onnx_attr_i(n, name, def);
	if (a != 0 && a != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' is %lld, not 0 or 1", name, (long long)a);
	*v = (int)a;
	return CELLA_OK;
}

/* An int32/int64 input holding one value (a scalar, or one element of rank 1, as exporters also write it). */
static cella_result sig_scalar_int(struct exec *x, const struct tensor *t, const char *what, int64_t *v)
{
	int cnt = 0;
	cella_result r;
	if (t->dtype != CELLA_ONNX_INT32 && t->dtype != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%s of type %s (int32 or int64)", what, onnx_tname(t->dtype));
	if (t->rank > 1 || onnx_tensor_count(t) != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d and %zu elements, not a scalar", what, t->rank,
				    onnx_tensor_count(t));
	if ((r = onnx_op_read_ints(x, t, v, 1, &cnt)) != CELLA_OK)
		return r;
	return CELLA_OK;
}

/* The signal's type and its complex dim: float or double, the last dim 1 (real) or 2 (complex). */
static cella_result sig_input(struct exec *x, const struct tensor *a, const char *what, int min_rank)
{
	cella_result r;
	if ((r = onnx_op_need_fp(x, a->dtype, what)) != CELLA_OK)
		return r;
	if (a->rank < min_rank)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d: needs at least %d", what, a->rank, min_rank);
	int64_t c = a->dims[a->rank - 1];
	if (c != 1 && c != 2)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s's last dim is %lld, not 1 (real) or 2 (complex)", what,
				    (long long)c);
	return CELLA_OK;
}

/*
 * Transforms one line of the input: len values from element `in` apart by `istride` (c components each), zero
 * padded or cut to the plan's n, window w (NULL: none, else of n values), then writes the first nout bins to out,
 * ostride apart, scaled by scale.
 */
struct sig_line {
	const struct tensor *a;
	struct tensor *o;
	const struct tensor *w;
	int64_t len, c, istride, nout, ostride;
	double scale;
	int inverse;
};

static void sig_line_run(const struct sig_plan *p, const struct sig_line *l, size_t in, size_t out)
{
	double *v = p->line;
	int64_t n = p->n, take = l->len < n ? l->len : n;
	memset(v, 0, (size_t)(2 * n) * sizeof(double));
	for (int64_t j = 0; j < take; j++) {
		size_t at = in + (size_t)(j * l->istride);
		double w = l->w ? onnx_get_d(l->w->data, l->w->dtype, (size_t)j) : 1;
		v[2 * j] = w * onnx_get_d(l->a->data, l->a->dtype, at);
		if (l->c == 2)
			v[2 * j + 1] = w * onnx_get_d(l->a->data, l->a->dtype, at + 1);
	}
	sig_transform(p, v, l->inverse);
	for (int64_t k = 0; k < l->nout; k++) {
		size_t at = out + (size_t)(k * l->ostride);
		onnx_put_d(l->o->data, l->o->dtype, at, v[2 * k] * l->scale);
		onnx_put_d(l->o->data, l->o->dtype, at + 1, v[2 * k + 1] * l->scale);
	}
}

/* ------------------------------------------------------------------ DFT */

static cella_result dft_prepare(struct exec *x, struct node *n)
{
	int v;
	cella_result r;
	if ((r = sig_flag(x, n, "inverse", 0, &v)) != CELLA_OK)
		return r;
	return sig_flag(x, n, "onesided", 0, &v);
}

/*
 * DFT-17 (axis an attribute, default 1) and DFT-20 (axis an optional int input, default -2), over input
 * [..., 1 or 2]: along the axis, dft_length values (the dim when absent; zero padded or cut), with inverse the
 * inverse transform scaled by 1 / dft_length; onesided (real input only) keeps bins 0 .. dft_length / 2.
 */
static cella_result op_dft(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *lt = onnx_op_in(x, n, 1), *at = n->opset >= 20 ? onnx_op_in(x, n, 2) : NULL;
	struct tensor *o;
	int inverse = 0, onesided = 0;
	int64_t axis = n->opset >= 20 ? -2 : onnx_attr_i(n, "axis", 1), len;
	cella_result r;
	if (!a)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input 0 is absent");
	if ((r = sig_flag(x, n, "inverse", 0, &inverse)) != CELLA_OK ||
	    (r = sig_flag(x, n, "onesided", 0, &onesided)) != CELLA_OK || (r = sig_input(x, a, "input", 2)) != CELLA_OK)
		return r;
	int rank = a->rank, c = (int)a->dims[rank - 1];
	if (at && (r = sig_scalar_int(x, at, "axis", &axis)) != CELLA_OK)
		return r;
	/* [-r, -2] or [0, r - 2]: the last dim holds the components */
	if (axis < -(int64_t)rank || axis > rank - 2 || axis == -1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "axis %lld is out of range for input of rank %d ([%d, -2] "
				    "or [0, %d])", (long long)axis, rank, -rank, rank - 2);
	int ax = (int)(axis < 0 ? axis + rank : axis);
	if (onesided && c == 2)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "onesided needs a real input (last dim 1), the input is "
				    "complex");
	len = a->dims[ax];
	int64_t nfft = len;
	if (lt) {
		if ((r = sig_scalar_int(x, lt, "dft_length", &nfft)) != CELLA_OK)
			return r;
		if (nfft < 1)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "dft_length is %lld, not positive", (long long)nfft);
	} else if (nfft < 1) {
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "the input's axis %d has no elements (and no dft_length)",
				    ax);
	}
	int64_t dims[MAXR];
	memcpy(dims, a->dims, sizeof(dims));
	dims[ax] = onesided ? nfft / 2 + 1 : nfft;
	dims[rank - 1] = 2;
	r = onnx_op_out(x, n, 0, a->dtype, rank, dims, &o);
	if (r == CELLA_ERR_TOO_LARGE)
		return onnx_op_fail(x, r, "an output of %lld bins along axis %d is over max_tensor_bytes",
				    (long long)dims[ax], ax);
	if (r != CELLA_OK || onnx_op_dry(x) || o->bytes == 0)
		return r;
	struct sig_plan p = { 0, 0, NULL, NULL, NULL, NULL, NULL };
	if ((r = sig_plan_init(x, &p, nfft)) != CELLA_OK)
		return r;
	int64_t outer = onnx_dims_prod(a->dims, ax), inner = onnx_dims_prod(a->dims + ax + 1, rank - ax - 2);
	struct sig_line l = { a, o, NULL, len, c, inner * c, dims[ax], inner * 2, inverse ? 1.0 / (double)nfft : 1,
			      inverse };
	for (int64_t b = 0; b < outer; b++)
		for (int64_t i = 0; i < inner; i++)
			sig_line_run(&p, &l, (size_t)((b * len * inner + i) * c),
				     (size_t)((b * dims[ax] * inner + i) * 2));
	return CELLA_OK;
}

/* ------------------------------------------------------------------ STFT */

static cella_result stft_prepare(struct exec *x, struct node *n)
{
	int v;
	return sig_flag(x, n, "onesided", 1, &v);
}

/*
 * STFT-17: signal [batch, length, 1 or 2], frame_step, optional window [frame_length] and frame_length (one of them
 * gives the frame length, both must agree; neither: the whole signal); frames = 1 + (length - frame_length) /
 * frame_step, each frame multiplied by the window and transformed; output [batch, frames, bins, 2], bins
 * frame_length / 2 + 1 when onesided (the default, real signals only), else frame_length.
 */
static cella_result op_stft(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *st = onnx_op_in(x, n, 1), *w = onnx_op_in(x, n, 2);
	struct tensor *ft = onnx_op_in(x, n, 3), *o;
	int onesided = 1;
	int64_t step = 0, fl = -1;
	cella_result r;
	if (!a || !st)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", a ? 1 : 0);
	if ((r = sig_flag(x, n, "onesided", 1, &onesided)) != CELLA_OK || (r = sig_input(x, a, "signal", 3)) != CELLA_OK)
		return r;
	if (a->rank != 3)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "signal of rank %d, not [batch, length, 1 or 2]", a->rank);
	int64_t len = a->dims[1], c = a->dims[2];
	if (onesided && c == 2)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "onesided needs a real signal (last dim 1), the signal is "
				    "complex");
	if (w) {
		if (w->dtype != a->dtype)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "window of type %s for a signal of type %s", onnx_tname(w->dtype),
					    onnx_tname(a->dtype));
		if (w->rank != 1)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "window of rank %d, not 1", w->rank);
	}
	if ((r = sig_scalar_int(x, st, "frame_step", &step)) != CELLA_OK)
		return r;
	if (step < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "frame_step is %lld, not positive", (long long)step);
	if (ft) {
		if ((r = sig_scalar_int(x, ft, "frame_length", &fl)) != CELLA_OK)
			return r;
		if (w && w->dims[0] != fl)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "window of %lld values for frame_length %lld",
					    (long long)w->dims[0], (long long)fl);
	} else {
		fl = w ? w->dims[0] : len;
	}
	if (fl < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "frame length %lld, not positive", (long long)fl);
	if (fl > len)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "frame length %lld is longer than the signal (%lld)",
				    (long long)fl, (long long)len);
	int64_t dims[4] = { a->dims[0], 1 + (len - fl) / step, onesided ? fl / 2 + 1 : fl, 2 };
	if ((r = onnx_op_out(x, n, 0, a->dtype, 4, dims, &o)) != CELLA_OK || onnx_op_dry(x) || o->bytes == 0)
		return r;
	struct sig_plan p = { 0, 0, NULL, NULL, NULL, NULL, NULL };
	if ((r = sig_plan_init(x, &p, fl)) != CELLA_OK)
		return r;
	struct sig_line l = { a, o, w, fl, c, c, dims[2], 2, 1, 0 };
	for (int64_t b = 0; b < dims[0]; b++)
		for (int64_t f = 0; f < dims[1]; f++)
			sig_line_run(&p, &l, (size_t)((b * len + f * step) * c), (size_t)((b * dims[1] + f) * dims[2] * 2));
	return CELLA_OK;
}

/* ------------------------------------------------------------------ MelWeightMatrix */

static cella_result mel_prepare(struct exec *x, struct node *n)
{
	int odt;
	return onnx_op_output_datatype(x, n, &odt);
}

/* v rounded to the edges' type, as the reference's numpy computes the mel edges in it */
static double mel_round(double v, int dt) { return dt == CELLA_ONNX_FLOAT ? (double)(float)v : v; }

/* Python's float floor division a // b for b > 0 (numpy's, which the reference uses): from fmod, not floor(a / b),
 * which can round up to the next integer. */
static double mel_floordiv(double a, double b)
{
	double mod = fmod(a, b), div = (a - mod) / b;
	if (mod < 0)
		div -= 1;
	double fl = floor(div);
	return div - fl > 0.5 ? fl + 1 : fl;
}

/*
 * MelWeightMatrix-17 as the ONNX reference builds it: num_mel_bins + 2 points evenly spaced in mel (2595 log10(1 +
 * f / 700)) from the lower edge by (upper - lower) / (num_mel_bins + 2), each back in hertz and to the spectrogram
 * bin floor((dft_length + 1) f / sample_rate); band i rises from point i to point i + 1 and falls to point i + 2,
 * as a triangle of peak 1 over [dft_length / 2 + 1, num_mel_bins].
 */
static cella_result op_mel(struct exec *x, struct node *n)
{
	struct tensor *t[5], *o;
	static const char *const names[3] = { "num_mel_bins", "dft_length", "sample_rate" };
	int64_t iv[3];
	double edge[2];
	int odt = 0;
	cella_result r;
	for (int i = 0; i < 5; i++)
		if (!(t[i] = onnx_op_in(x, n, i)))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", i);
	if ((r = onnx_op_output_datatype(x, n, &odt)) != CELLA_OK)
		return r;
	int et = t[3]->dtype;
	for (int i = 3; i < 5; i++) {
		if (t[i]->dtype != CELLA_ONNX_FLOAT && t[i]->dtype != CELLA_ONNX_DOUBLE)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "%s of type %s (float or double)",
					    i == 3 ? "lower_edge_hertz" : "upper_edge_hertz", onnx_tname(t[i]->dtype));
		if (t[i]->rank > 1 || onnx_tensor_count(t[i]) != 1)
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d and %zu elements, not a scalar",
					    i == 3 ? "lower_edge_hertz" : "upper_edge_hertz", t[i]->rank,
					    onnx_tensor_count(t[i]));
	}
	if (t[4]->dtype != et)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "upper_edge_hertz of type %s, lower_edge_hertz of type %s",
				    onnx_tname(t[4]->dtype), onnx_tname(et));
	for (int i = 0; i < 3; i++)
		if ((r = sig_scalar_int(x, t[i], names[i], &iv[i])) != CELLA_OK)
			return r;
	int64_t mels = iv[0], dft = iv[1], rate = iv[2];
	if (mels < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "num_mel_bins is %lld, not positive", (long long)mels);
	if (dft < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "dft_length is %lld, not positive", (long long)dft);
	if (rate < 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "sample_rate is %lld, not positive", (long long)rate);
	int64_t dims[2] = { dft / 2 + 1, mels };
	r = onnx_op_out(x, n, 0, odt, 2, dims, &o);
	if (r == CELLA_ERR_TOO_LARGE)
		return onnx_op_fail(x, r, "a matrix of %lld x %lld is over max_tensor_bytes", (long long)dims[0],
				    (long long)dims[1]);
	if (r != CELLA_OK)
		return r;
	if ((r = onnx_op_need(x, t[3])) != CELLA_OK || (r = onnx_op_need(x, t[4])) != CELLA_OK)
		return onnx_op_dry(x) ? CELLA_OK : r;
	for (int i = 0; i < 2; i++)
		edge[i] = onnx_get_d(t[3 + i]->data, et, 0);
	if (!isfinite(edge[0]) || !isfinite(edge[1]) || edge[0] < 0 || edge[0] > edge[1])
		return onnx_op_fail(x, CELLA_ERR_MODEL, "edges %g and %g hertz: needs 0 <= lower <= upper, finite", edge[0],
				    edge[1]);
	double mel[2];
	for (int i = 0; i < 2; i++)
		mel[i] = mel_round(2595 * mel_round(log10(mel_round(1 + mel_round(edge[i] / 700, et), et)), et), et);
	double step = mel_round((mel[1] - mel[0]) / (double)(mels + 2), et);
	/* point k's bin; a band writes rows from its first point to its last (its last only as a peak of a band of no
	 * rising side), so with the points nondecreasing point mels + 1 must be within the rows, or else be reached by
	 * no band: the reference indexes past the matrix there */
#define MEL_BIN(k) mel_floordiv((double)(dft + 1) * (700 * (pow(10, ((double)(k) * step + mel[0]) / 2595) - 1)), \
				 (double)rate)
	double last = MEL_BIN(mels), end = MEL_BIN(mels + 1);
	if (!(last < (double)dims[0]) || !(end <= (double)dims[0]))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "upper_edge_hertz %g puts the last band's points at bins %.0f and "
				    "%.0f, beyond the %lld bins of dft_length %lld at sample_rate %lld", edge[1], last, end,
				    (long long)dims[0], (long long)dft, (long long)rate);
	if (onnx_op_dry(x) || o->bytes == 0)
		return CELLA_OK;
	memset(o->data, 0, o->bytes);
	int64_t lo = (int64_t)MEL_BIN(0), mid = (int64_t)MEL_BIN(1), hi;
	for (int64_t i = 0; i < mels; i++, lo = mid, mid = hi) {
		hi = (int64_t)MEL_BIN(i + 2);
		if (mid == lo && mid < dims[0]) {
			onnx_put_d(o->data, o->dtype, (size_t)(mid * mels + i), 1);
		} else {
			for (int64_t j = lo; j <= mid && j < dims[0]; j++)
				onnx_put_d(o->data, o->dtype, (size_t)(j * mels + i), (double)(j - lo) / (double)(mid - lo));
		}
		for (int64_t j = mid; j < hi && j < dims[0]; j++)
			onnx_put_d(o->data, o->dtype, (size_t)(j * mels + i), (double)(hi - j) / (double)(hi - mid));
	}
#undef MEL_BIN
	return CELLA_OK;
}

const struct op_def onnx_ops_signal[] = {
	{ "DFT", op_dft, dft_prepare, 17, 0 },
	{ "STFT", op_stft, stft_prepare, 17, 0 },
	{ "MelWeightMatrix", op_mel, mel_prepare, 17, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
