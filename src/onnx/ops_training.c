// SPDX-License-Identifier: MIT
/* The optimizers of domain ai.onnx.preview.training, opset 1: Adagrad, Momentum (standard and Nesterov) and Adam,
 * one update of n tensors each, computed in double whatever the tensors' type (float or double). */
#include "onnx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { OPT_ADAGRAD = 0, OPT_MOMENTUM, OPT_ADAM };

/* Each optimizer's inputs after R and T: `groups` runs of n tensors (X, their gradients G, then k = groups - 2
 * states), and its outputs: n new X, then n of each new state. */
static const struct optim_kind {
	int groups;
	const char *names[4]; /* each group's tensor, as the spec names it */
	const char *ins, *outs;
} optim_kinds[3] = {
	{ 3, { "X", "G", "H" }, "X, G, H", "X_new, H_new" },
	{ 3, { "X", "G", "V" }, "X, G, V", "X_new, V_new" },
	{ 4, { "X", "G", "V", "H" }, "X, G, V, H", "X_new, V_new, H_new" },
};

#define OPT_MAX_STATES 2

/* A node's attributes, and the step's coefficients derived from R and T at run. */
struct optim {
	int kind;
	int64_t n;                /* tensors optimized */
	float eps, decay, norm, norm_post, alpha, beta;
	int nesterov;
	double lr;                /* the step's learning rate: R as T adjusts it */
	double beta_t;            /* Momentum: beta, or 1 at the first update (T = 0) */
};

/* A float attribute the operator requires (Momentum's have no default). A value of the wrong type is recorded by
 * onnx_attr_f and fails the node. */
static cella_result optim_need_f(struct exec *x, struct node *n, const char *name, float *v)
{
	if (!onnx_attr_get(n, name))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute '%s' is required", name);
	*v = onnx_attr_f(n, name, 0);
	return CELLA_OK;
}

/* The counts of inputs and outputs, and the attributes with the spec's defaults (Momentum's all required, its mode
 * "standard" or "nesterov"); each malformed one CELLA_ERR_MODEL, named. Needs no shape: runs at load. */
static cella_result optim_attrs(struct exec *x, struct node *n, int kind, struct optim *o)
{
	const struct optim_kind *k = &optim_kinds[kind];
	cella_result r;
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	if (n->n_in < 2 + k->groups || (n->n_in - 2) % k->groups)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "%d inputs, not R, T and %d groups (%s) of as many tensors",
				    n->n_in, k->groups, k->ins);
	o->n = (n->n_in - 2) / k->groups;
	if (n->n_out != (k->groups - 1) * o->n)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "%d outputs for %lld optimized tensors, not %lld (%s of each)",
				    n->n_out, (long long)o->n, (long long)((k->groups - 1) * o->n), k->outs);
	o->norm = onnx_attr_f(n, "norm_coefficient", 0);
	o->eps = onnx_attr_f(n, "epsilon", 1e-6f);
	if (kind == OPT_ADAGRAD) {
		o->decay = onnx_attr_f(n, "decay_factor", 0);
	} else if (kind == OPT_ADAM) {
		o->alpha = onnx_attr_f(n, "alpha", 0.9f);
		o->beta = onnx_attr_f(n, "beta", 0.999f);
		o->norm_post = onnx_attr_f(n, "norm_coefficient_post", 0);
	} else {
		const char *mode = onnx_attr_s(n, "mode", NULL);
		if ((r = optim_need_f(x, n, "alpha", &o->alpha)) != CELLA_OK ||
		    (r = optim_need_f(x, n, "beta", &o->beta)) != CELLA_OK ||
		    (r = optim_need_f(x, n, "norm_coefficient", &o->norm)) != CELLA_OK)
			return r;
		if (!mode && !n->attr_bad)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'mode' is required (standard or nesterov)");
		if (mode && strcmp(mode, "standard") && strcmp(mode, "nesterov"))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'mode' is '%.64s', not standard or nesterov", mode);
		o->nesterov = mode && !strcmp(mode, "nesterov");
	}
	return CELLA_OK;
}

/* Input t, R or T, holds one value: a scalar, or one value of rank 1 as exporters also write it. */
static cella_result optim_scalar(struct exec *x, const struct tensor *t, const char *what)
{
	if (t->rank > 1 || onnx_tensor_count(t) != 1)
		return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s of rank %d with %zu elements, not a scalar", what, t->rank,
				    onnx_tensor_count(t));
	return CELLA_OK;
}

/* R (float or double) and T (int64), each one value; a float16 R (held as float) is refused by its type's name. */
static cella_result optim_rt(struct exec *x, struct node *n, const struct tensor **rt)
{
	cella_result r;
	for (int i = 0; i < 2; i++)
		if (!(rt[i] = onnx_op_in(x, n, i)))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d (%s) is absent", i, i ? "T" : "R");
	if ((r = onnx_op_need_fp(x, onnx_seen_type(rt[0]->dtype, rt[0]->half), "R")) != CELLA_OK)
		return r;
	if (rt[1]->dtype != CELLA_ONNX_INT64)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "T of type %s is not supported (int64)",
				    onnx_tname(rt[1]->dtype));
	if ((r = optim_scalar(x, rt[0], "R")) != CELLA_OK || (r = optim_scalar(x, rt[1], "T")) != CELLA_OK)
		return r;
	return CELLA_OK;
}

/* Input `group` (0 X, 1 G, 2.. the states) of tensor i. */
static int optim_in(const struct optim *o, int group, int64_t i) { return (int)(2 + group * o->n + i); }

/* Tensor i's inputs: X float or double (not float16), G and the states of X's type and shape (CELLA_ERR_MODEL for
 * another type: one type T3 binds them; CELLA_ERR_MODEL_SHAPE for another shape). */
static cella_result optim_group(struct exec *x, struct node *n, const struct optim *o, int64_t i,
				const struct tensor **t)
{
	const struct optim_kind *k = &optim_kinds[o->kind];
	char what[32];
	cella_result r;
	for (int j = 0; j < k->groups; j++)
		if (!(t[j] = onnx_op_in(x, n, optim_in(o, j, i))))
			return onnx_op_fail(x, CELLA_ERR_MODEL, "input %d is absent", optim_in(o, j, i));
	snprintf(what, sizeof(what), "X (input %d)", optim_in(o, 0, i));
	if ((r = onnx_op_need_fp(x, onnx_seen_type(t[0]->dtype, t[0]->half), what)) != CELLA_OK)
		return r;
	for (int j = 1; j < k->groups; j++) {
		const struct tensor *a = t[j];
		const char *nm = k->names[j];
		int in = optim_in(o, j, i);
		if (a->dtype != t[0]->dtype || a->half != t[0]->half)
			return onnx_op_fail(x, CELLA_ERR_MODEL, "%s (input %d) of type %s, X's is %s", nm, in,
					    onnx_tname(onnx_seen_type(a->dtype, a->half)),
					    onnx_tname(onnx_seen_type(t[0]->dtype, t[0]->half)));
		if (!onnx_same_dims(a, t[0])) {
			char da[ONNX_DIMS_STR], dx[ONNX_DIMS_STR];
			return onnx_op_fail(x, CELLA_ERR_MODEL_SHAPE, "%s (input %d) of shape %s, X's is %s", nm, in,
					    onnx_dims_str(a, da, sizeof(da)), onnx_dims_str(t[0], dx, sizeof(dx)));
		}
	}
	return CELLA_OK;
}

/* R as T adjusts it for this step: Adagrad's decay, Adam's bias correction from the first update on (T > 0). */
static void optim_rate(struct optim *o, double R, int64_t T)
{
	o->lr = R;
	o->beta_t = T > 0 ? o->beta : 1; /* Momentum: "in the first training iteration, beta should always be 1" */
	if (o->kind == OPT_ADAGRAD) {
		o->lr = R / (1 + (double)T * o->decay);
	} else if (o->kind == OPT_ADAM && T > 0) {
		/* alpha^T and beta^T by squaring: the same in every world (libm's pow may differ in its last bit) */
		double pa = 1, pb = 1, a = o->alpha, b = o->beta;
		for (int64_t e = T; e; e >>= 1, a *= a, b *= b)
			if (e & 1) {
				pa *= a;
				pb *= b;
			}
		o->lr = R * sqrt(1 - pb) / (1 - pa);
	}
}

/* One element's step, as the spec's pseudo code gives it: x and its gradient g in, the states s (Adagrad's H;
 * Momentum's V; Adam's V, H) updated in place, the new x returned. */
static double optim_step(const struct optim *o, double x, double g, double *s)
{
	double gr = o->norm * x + g; /* G plus the gradient of 0.5 * norm_coefficient * ||X||^2 */
	switch (o->kind) {
	case OPT_ADAGRAD:
		s[0] += gr * gr;
		return x - o->lr * gr / (sqrt(s[0]) + o->eps);
	case OPT_MOMENTUM:
		s[0] = o->alpha * s[0] + o->beta_t * gr;
		return x - o->lr * (o->nesterov ? gr + o->alpha * s[0] : s[0]);
	default:
		s[0] = o->alpha * s[0] + (1 - (double)o->alpha) * gr;
		s[1] = o->beta * s[1] + (1 - (double)o->beta) * gr * gr;
		return (1 - (double)o->norm_post) * (x - o->lr * s[0] / (sqrt(s[1]) + o->eps));
	}
}

/* At load: the counts and attributes, so that a malformed node is refused even when its shapes are known only at a
 * run. */
static cella_result optim_prepare(struct exec *x, struct node *n, int kind)
{
	struct optim o;
	return optim_attrs(x, n, kind, &o);
}

/*
 * Adagrad, Momentum and Adam (ai.onnx.preview.training-1): for each of the n tensors X, its new value and new
 * states, of X's type and shape, from X, its gradient G, its states and the scalars R (learning rate) and T (update
 * count). Tensors are updated independently (the spec's view of them as one concatenated X is the same thing).
 */
static cella_result optim_run(struct exec *x, struct node *n, int kind)
{
	const struct optim_kind *k = &optim_kinds[kind];
	const struct tensor *rt[2], *t[2 + OPT_MAX_STATES];
	struct optim o;
	cella_result r;
	if ((r = optim_attrs(x, n, kind, &o)) != CELLA_OK || (r = optim_rt(x, n, rt)) != CELLA_OK)
		return r;
	if (!onnx_op_dry(x))
		optim_rate(&o, onnx_get_d(rt[0]->data, rt[0]->dtype, 0), onnx_get_i(rt[1]->data, CELLA_ONNX_INT64, 0));
	for (int64_t i = 0; i < o.n; i++) {
		struct tensor *out[1 + OPT_MAX_STATES];
		if ((r = optim_group(x, n, &o, i, t)) != CELLA_OK)
			return r;
		for (int j = 0; j < k->groups - 1; j++) {
			int oi = (int)(j * o.n + i);
			r = onnx_op_out(x, n, oi, t[0]->dtype, t[0]->rank, t[0]->dims, &out[j]);
			if (r == CELLA_ERR_MODEL_UNSUPPORTED && !onnx_op_has_out(n, oi))
				return onnx_op_fail(x, r, "output %d is absent (the engine computes absent outputs up to %d)", oi,
						    ONNX_MAX_SINKS - 1);
			if (r != CELLA_OK)
				return r;
		}
		if (onnx_op_dry(x))
			continue;
		int dt = t[0]->dtype;
		size_t cnt = onnx_tensor_count(t[0]);
		for (size_t e = 0; e < cnt; e++) {
			double s[OPT_MAX_STATES];
			for (int j = 0; j < k->groups - 2; j++)
				s[j] = onnx_get_d(t[2 + j]->data, dt, e);
			double xn = optim_step(&o, onnx_get_d(t[0]->data, dt, e), onnx_get_d(t[1]->data, dt, e), s);
			onnx_put_d(out[0]->data, dt, e, xn);
			for (int j = 0; j < k->groups - 2; j++)
				onnx_put_d(out[1 + j]->data, dt, e, s[j]);
		}
	}
	return CELLA_OK;
}

static cella_result op_adagrad(struct exec *x, struct node *n) { return optim_run(x, n, OPT_ADAGRAD); }
static cella_result op_momentum(struct exec *x, struct node *n) { return optim_run(x, n, OPT_MOMENTUM); }
static cella_result op_adam(struct exec *x, struct node *n) { return optim_run(x, n, OPT_ADAM); }
static cella_result prep_adagrad(struct exec *x, struct node *n) { return optim_prepare(x, n, OPT_ADAGRAD); }
static cella_result prep_momentum(struct exec *x, struct node *n) { return optim_prepare(x, n, OPT_MOMENTUM); }
static cella_result prep_adam(struct exec *x, struct node *n) { return optim_prepare(x, n, OPT_ADAM); }

/* Looked up only for nodes of domain ai.onnx.preview.training (onnx_op_lookup), at that domain's opset. */
const struct op_def onnx_ops_training[] = {
	{ "Adagrad", op_adagrad, prep_adagrad, 1, 0 },
	{ "Momentum", op_momentum, prep_momentum, 1, 0 },
	{ "Adam", op_adam, prep_adam, 1, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
