// SPDX-License-Identifier: MIT
/* Elementwise operators: unary math and activations, NumPy-broadcast binary/variadic ops, Where, Clip, Cast. */
#include "onnx_internal.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ broadcasting */

struct bplan {
	int rank;
	int64_t dims[MAXR];
	int64_t st[3][MAXR];
};

static cella_result bcast_shape(int n, struct tensor *const *ts, int *rank, int64_t *dims)
{
	int r = 0;
	for (int k = 0; k < n; k++)
		if (ts[k]->rank > r)
			r = ts[k]->rank;
	for (int d = 0; d < r; d++) {
		int64_t v = 1;
		for (int k = 0; k < n; k++) {
			int off = d - (r - ts[k]->rank);
			if (off < 0)
				continue;
			int64_t e = ts[k]->dims[off];
			if (e == v || e == 1)
				continue;
			if (v != 1)
				return CELLA_ERR_MODEL_SHAPE;
			v = e;
		}
		dims[d] = v;
	}
	*rank = r;
	return CELLA_OK;
}

/* Strides of each input in output index space (0 where broadcast), with dims merged where possible. */
static void bplan_make(struct bplan *p, int n, struct tensor *const *ts, int orank, const int64_t *odims)
{
	int64_t st[3][MAXR];
	for (int k = 0; k < n; k++) {
		int64_t s = 1;
		for (int d = orank - 1; d >= 0; d--) {
			int off = d - (orank - ts[k]->rank);
			int64_t e = off >= 0 ? ts[k]->dims[off] : 1;
			st[k][d] = (e == 1) ? 0 : s;
			s *= e;
		}
	}
	p->rank = 0;
	for (int d = 0; d < orank; d++) {
		if (odims[d] == 1)
			continue;
		int merge = p->rank > 0;
		for (int k = 0; k < n && merge; k++)
			merge = p->st[k][p->rank - 1] == st[k][d] * odims[d];
		if (merge) {
			p->dims[p->rank - 1] *= odims[d];
			for (int k = 0; k < n; k++)
				p->st[k][p->rank - 1] = st[k][d];
		} else {
			p->dims[p->rank] = odims[d];
			for (int k = 0; k < n; k++)
				p->st[k][p->rank] = st[k][d];
			p->rank++;
		}
	}
	if (p->rank == 0) {
		p->rank = 1;
		p->dims[0] = 1;
		for (int k = 0; k < n; k++)
			p->st[k][0] = 0;
	}
}

typedef void (*row_fn)(void *o, const void *a, const void *b, const void *c, size_t n, ptrdiff_t sa, ptrdiff_t sb,
		       ptrdiff_t sc);

/* The offsets (in elements) of each input's next row: idx, over the plan's outer dims, steps to the next row. */
static void bplan_step(const struct bplan *p, int64_t *idx, ptrdiff_t *off)
{
	for (int d = p->rank - 2; d >= 0; d--) {
		idx[d]++;
		for (int k = 0; k < 3; k++)
			off[k] += p->st[k][d];
		if (idx[d] < p->dims[d])
			break;
		for (int k = 0; k < 3; k++)
			off[k] -= p->st[k][d] * p->dims[d];
		idx[d] = 0;
	}
}

/* The number of rows of p (the innermost dim is a row's length, in *inner). */
static size_t bplan_outer(const struct bplan *p, size_t *inner)
{
	size_t outer = 1;
	for (int d = 0; d < p->rank - 1; d++)
		outer *= (size_t)p->dims[d];
	*inner = (size_t)p->dims[p->rank - 1];
	return outer;
}

/* Calls fn once per innermost row. Offsets are in elements; es are element sizes. */
static void bplan_rows(const struct bplan *p, void *o, size_t oes, const void *a, size_t aes, const void *b,
		       size_t bes, const void *c, size_t ces, row_fn fn)
{
	int r = p->rank;
	int64_t idx[MAXR] = { 0 };
	size_t inner, outer = bplan_outer(p, &inner);
	if (inner == 0)
		return;
	ptrdiff_t off[3] = { 0, 0, 0 };
	for (size_t i = 0; i < outer; i++) {
		fn((char *)o + i * inner * oes, (const char *)a + off[0] * (ptrdiff_t)aes,
		   b ? (const char *)b + off[1] * (ptrdiff_t)bes : NULL, c ? (const char *)c + off[2] * (ptrdiff_t)ces : NULL,
		   inner, p->st[0][r - 1], p->st[1][r - 1], p->st[2][r - 1]);
		bplan_step(p, idx, off);
	}
}

/* ------------------------------------------------------------------ binary ops */

#define BIN_ROW(NAME, T, TO, EXPR)                                                                               \
	static void NAME(void *o_, const void *a_, const void *b_, const void *c_, size_t n, ptrdiff_t sa,       \
			 ptrdiff_t sb, ptrdiff_t sc)                                                             \
	{                                                                                                        \
		TO *o = o_;                                                                                      \
		const T *A = a_, *B = b_;                                                                        \
		(void)c_;                                                                                        \
		(void)sc;                                                                                        \
		if (sa == 1 && sb == 1) {                                                                        \
			for (size_t i = 0; i < n; i++) {                                                         \
				T x = A[i], y = B[i];                                                            \
				o[i] = (EXPR);                                                                   \
			}                                                                                        \
		} else if (sa == 1 && sb == 0) {                                                                 \
			T y = B[0];                                                                              \
			for (size_t i = 0; i < n; i++) {                                                         \
				T x = A[i];                                                                      \
				o[i] = (EXPR);                                                                   \
			}                                                                                        \
		} else if (sa == 0 && sb == 1) {                                                                 \
			T x = A[0];                                                                              \
			for (size_t i = 0; i < n; i++) {                                                         \
				T y = B[i];                                                                      \
				o[i] = (EXPR);                                                                   \
			}                                                                                        \
		} else {                                                                                         \
			for (size_t i = 0; i < n; i++) {                                                         \
				T x = A[(ptrdiff_t)i * sa], y = B[(ptrdiff_t)i * sb];                            \
				o[i] = (EXPR);                                                                   \
			}                                                                                        \
		}                                                                                                \
	}

/*
 * Integer division and modulo that never trap: x/0 and x%0 give 0. For signed types INT_MIN/-1 wraps to INT_MIN
 * (negated through the unsigned type: 0 - INT_MIN overflows) and x%-1 is 0 (INT_MIN%-1 overflows too); unsigned
 * types have no -1, so (T)-1 is their largest value and divides normally. Mod with fmod=0 takes the sign of the
 * divisor (Python's %): a remainder of the other sign is moved by y, which cannot overflow as r and y then have
 * opposite signs. fmod=1 is C's %, the sign of the dividend.
 */
#define INT_DIVMOD_SIGNED(T)                                                                                     \
	static inline T idiv_##T(T x, T y)                                                                       \
	{                                                                                                        \
		return y == 0 ? (T)0 : y == -1 ? (T)(0 - (uint64_t)x) : (T)(x / y);                             \
	}                                                                                                        \
	static inline T ifmod_##T(T x, T y) { return y == 0 || y == -1 ? (T)0 : (T)(x % y); }                  \
	static inline T imod_##T(T x, T y)                                                                       \
	{                                                                                                        \
		T r = ifmod_##T(x, y);                                                                           \
		return r != 0 && ((r < 0) != (y < 0)) ? (T)(r + y) : r;                                          \
	}
#define INT_DIVMOD_UNSIGNED(T)                                                                                   \
	static inline T idiv_##T(T x, T y) { return y == 0 ? (T)0 : (T)(x / y); }                               \
	static inline T ifmod_##T(T x, T y) { return y == 0 ? (T)0 : (T)(x % y); }                              \
	static inline T imod_##T(T x, T y) { return ifmod_##T(x, y); }
INT_DIVMOD_SIGNED(int8_t)
INT_DIVMOD_SIGNED(int16_t)
INT_DIVMOD_SIGNED(int32_t)
INT_DIVMOD_SIGNED(int64_t)
INT_DIVMOD_UNSIGNED(uint8_t)
INT_DIVMOD_UNSIGNED(uint16_t)
INT_DIVMOD_UNSIGNED(uint32_t)
INT_DIVMOD_UNSIGNED(uint64_t)

#define FOR_INT_TYPES(M, OP, EXPR_I)                                                                             \
	M(OP##_i8, int8_t, int8_t, EXPR_I(int8_t))                                                                \
	M(OP##_u8, uint8_t, uint8_t, EXPR_I(uint8_t))                                                             \
	M(OP##_i16, int16_t, int16_t, EXPR_I(int16_t))                                                            \
	M(OP##_u16, uint16_t, uint16_t, EXPR_I(uint16_t))                                                         \
	M(OP##_i32, int32_t, int32_t, EXPR_I(int32_t))                                                            \
	M(OP##_u32, uint32_t, uint32_t, EXPR_I(uint32_t))                                                         \
	M(OP##_i64, int64_t, int64_t, EXPR_I(int64_t))                                                            \
	M(OP##_u64, uint64_t, uint64_t, EXPR_I(uint64_t))
#define FOR_NUM_TYPES(M, OP, EXPR_F, EXPR_I)                                                                     \
	M(OP##_f32, float, float, EXPR_F)                                                                        \
	M(OP##_f64, double, double, EXPR_F)                                                                      \
	FOR_INT_TYPES(M, OP, EXPR_I)

#define INT_ENTRIES(OP)                                                                                          \
	[CELLA_ONNX_INT8] = OP##_i8, [CELLA_ONNX_UINT8] = OP##_u8, [CELLA_ONNX_INT16] = OP##_i16,                 \
	[CELLA_ONNX_UINT16] = OP##_u16, [CELLA_ONNX_INT32] = OP##_i32, [CELLA_ONNX_UINT32] = OP##_u32,            \
	[CELLA_ONNX_INT64] = OP##_i64, [CELLA_ONNX_UINT64] = OP##_u64
#define TABLE(OP)                                                                                                \
	static const row_fn OP##_tab[14] = { [CELLA_ONNX_FLOAT] = OP##_f32, [CELLA_ONNX_DOUBLE] = OP##_f64,       \
					     INT_ENTRIES(OP) };
#define INT_TABLE(OP) static const row_fn OP##_tab[14] = { INT_ENTRIES(OP) };

#define E_ADD(T) (T)(x + y)
#define E_SUB(T) (T)(x - y)
#define E_MUL(T) (T)(x * y)
#define E_DIV(T) idiv_##T(x, y)
#define E_MAX(T) (x > y ? x : y)
#define E_MIN(T) (x < y ? x : y)
#define E_MODI(T) imod_##T(x, y)
#define E_FMODI(T) ifmod_##T(x, y)

/* Unsigned arithmetic wraps as ONNX expects; signed ints go through the unsigned type to avoid UB. */
#define E_ADDS(T) (T)((uint64_t)x + (uint64_t)y)
#define E_SUBS(T) (T)((uint64_t)x - (uint64_t)y)
#define E_MULS(T) (T)((uint64_t)x * (uint64_t)y)

FOR_NUM_TYPES(BIN_ROW, add, x + y, E_ADDS)
FOR_NUM_TYPES(BIN_ROW, sub, x - y, E_SUBS)
FOR_NUM_TYPES(BIN_ROW, mul, x *y, E_MULS)
FOR_NUM_TYPES(BIN_ROW, div, x / y, E_DIV)
FOR_NUM_TYPES(BIN_ROW, max, (x > y || x != x) ? x : y, E_MAX)
FOR_NUM_TYPES(BIN_ROW, min, (x < y || x != x) ? x : y, E_MIN)
FOR_NUM_TYPES(BIN_ROW, mod, fmod(x, y) + ((fmod(x, y) != 0 && ((fmod(x, y) < 0) != (y < 0))) ? y : 0), E_MODI)
FOR_NUM_TYPES(BIN_ROW, fmod, fmod(x, y), E_FMODI)
TABLE(add)
TABLE(sub)
TABLE(mul)
TABLE(div)
TABLE(max)
TABLE(min)
TABLE(mod)
TABLE(fmod)

#define CMP_ROWS(OP, EXPR)                                                                                        \
	BIN_ROW(OP##_f32, float, uint8_t, EXPR)                                                                  \
	BIN_ROW(OP##_f64, double, uint8_t, EXPR)                                                                 \
	BIN_ROW(OP##_i8, int8_t, uint8_t, EXPR)                                                                  \
	BIN_ROW(OP##_u8, uint8_t, uint8_t, EXPR)                                                                 \
	BIN_ROW(OP##_i16, int16_t, uint8_t, EXPR)                                                                \
	BIN_ROW(OP##_u16, uint16_t, uint8_t, EXPR)                                                               \
	BIN_ROW(OP##_i32, int32_t, uint8_t, EXPR)                                                                \
	BIN_ROW(OP##_u32, uint32_t, uint8_t, EXPR)                                                               \
	BIN_ROW(OP##_i64, int64_t, uint8_t, EXPR)                                                                \
	BIN_ROW(OP##_u64, uint64_t, uint8_t, EXPR)                                                               \
	TABLE(OP)
CMP_ROWS(eq, x == y)
/* Equal-19 on strings: the same bytes */
BIN_ROW(eq_str, struct cella_onnx_string, uint8_t, x.len == y.len && (x.len == 0 || !memcmp(x.data, y.data, x.len)))
static const row_fn eqs_tab[14] = { [CELLA_ONNX_STRING] = eq_str };
CMP_ROWS(lt, x < y)
CMP_ROWS(gt, x > y)
CMP_ROWS(le, x <= y)
CMP_ROWS(ge, x >= y)

/* BitwiseAnd/Or/Xor (opset 18): the integer types */
#define E_BAND(T) (T)(x & y)
#define E_BOR(T) (T)(x | y)
#define E_BXOR(T) (T)(x ^ y)
FOR_INT_TYPES(BIN_ROW, band, E_BAND)
FOR_INT_TYPES(BIN_ROW, bor, E_BOR)
FOR_INT_TYPES(BIN_ROW, bxor, E_BXOR)
INT_TABLE(band)
INT_TABLE(bor)
INT_TABLE(bxor)

/* BitShift: unsigned types only; a shift by the width or more gives 0 (as onnxruntime) */
#define E_SHL(T) ((uint64_t)y >= sizeof(T) * 8 ? (T)0 : (T)((uint64_t)x << y))
#define E_SHR(T) ((uint64_t)y >= sizeof(T) * 8 ? (T)0 : (T)((uint64_t)x >> y))
BIN_ROW(shl_u8, uint8_t, uint8_t, E_SHL(uint8_t))
BIN_ROW(shl_u16, uint16_t, uint16_t, E_SHL(uint16_t))
BIN_ROW(shl_u32, uint32_t, uint32_t, E_SHL(uint32_t))
BIN_ROW(shl_u64, uint64_t, uint64_t, E_SHL(uint64_t))
BIN_ROW(shr_u8, uint8_t, uint8_t, E_SHR(uint8_t))
BIN_ROW(shr_u16, uint16_t, uint16_t, E_SHR(uint16_t))
BIN_ROW(shr_u32, uint32_t, uint32_t, E_SHR(uint32_t))
BIN_ROW(shr_u64, uint64_t, uint64_t, E_SHR(uint64_t))
static const row_fn shl_tab[14] = { [CELLA_ONNX_UINT8] = shl_u8, [CELLA_ONNX_UINT16] = shl_u16,
				    [CELLA_ONNX_UINT32] = shl_u32, [CELLA_ONNX_UINT64] = shl_u64 };
static const row_fn shr_tab[14] = { [CELLA_ONNX_UINT8] = shr_u8, [CELLA_ONNX_UINT16] = shr_u16,
				    [CELLA_ONNX_UINT32] = shr_u32, [CELLA_ONNX_UINT64] = shr_u64 };

/* bool bytes other than 0 and 1 can arrive (raw_data, run inputs): every bool op takes any nonzero byte as true */
BIN_ROW(eq_b, uint8_t, uint8_t, (!x == !y))
BIN_ROW(and_b, uint8_t, uint8_t, (x && y))
BIN_ROW(or_b, uint8_t, uint8_t, (x || y))
BIN_ROW(xor_b, uint8_t, uint8_t, ((!x) != (!y)))
BIN_ROW(prelu_f32, float, float, x < 0 ? x * y : x)
BIN_ROW(pow_f32, float, float, powf(x, y))
BIN_ROW(pow_f64, double, double, pow(x, y))

static const row_fn prelu_tab[14] = { [CELLA_ONNX_FLOAT] = prelu_f32 };

/*
 * The binary operators that had `broadcast` and `axis` attributes before opset 7 (Add, Sub, Mul, Div, Pow; And,
 * Or, Xor; Equal, Greater, Less: ONNX Changelog, Add-1 and Add-6): shapes must be equal unless broadcast=1, and
 * then only B broadcasts, to A's shape: B has one element, or its dims lie over A's from `axis` (absent: the
 * trailing dims). *bv becomes B with A's rank, its dims at that place and 1 elsewhere, so NumPy broadcasting over
 * it gives the old result (B (3, 4) at axis 1 over A (2, 3, 4, 5) acts as (1, 3, 4, 1)). A dim of B that is 1
 * where A's is not is taken as a broadcast too (the old text says that "doesn't work yet"; it has one meaning).
 */
static cella_result legacy_bcast(struct node *n, const struct tensor *a, const struct tensor *b, struct tensor *bv)
{
	*bv = *b;
	if (!onnx_attr_i(n, "broadcast", 0)) {
		if (a->rank != b->rank)
			return CELLA_ERR_MODEL_SHAPE;
		for (int d = 0; d < a->rank; d++)
			if (a->dims[d] != b->dims[d])
				return CELLA_ERR_MODEL_SHAPE;
		return CELLA_OK;
	}
	if (b->rank > a->rank)
		return CELLA_ERR_MODEL_SHAPE;
	int64_t axis = a->rank - b->rank;
	if (onnx_tensor_count(b) == 1)
		axis = 0; /* one element: any rank up to A's, wherever it is placed */
	else if (onnx_attr_get(n, "axis"))
		axis = onnx_attr_i(n, "axis", 0);
	if (axis < 0 || axis > a->rank - b->rank)
		return CELLA_ERR_MODEL_SHAPE;
	bv->rank = a->rank;
	for (int d = 0; d < a->rank; d++) {
		int64_t e = d >= axis && d < axis + b->rank ? b->dims[d - axis] : 1;
		if (e != 1 && e != a->dims[d])
			return CELLA_ERR_MODEL_SHAPE;
		bv->dims[d] = e;
	}
	return CELLA_OK;
}

static cella_result bin_generic(struct exec *x, struct node *n, const row_fn *tab, int out_bool)
{
	struct tensor *a = onnx_op_in(x, n, 0), *b = onnx_op_in(x, n, 1), *o, bl;
	int64_t dims[MAXR];
	int rank;
	cella_result r;
	if (!a || !b)
		return CELLA_ERR_MODEL;
	if (a->dtype != b->dtype || a->dtype >= 14 || !tab[a->dtype])
		return CELLA_ERR_MODEL_UNSUPPORTED;
	/* PRelu before opset 7 had no broadcast attribute (its slope is aligned in op_prelu) */
	if (n->opset < 7 && tab != prelu_tab) {
		if ((r = legacy_bcast(n, a, b, &bl)) != CELLA_OK)
			return r;
		b = &bl;
	}
	struct tensor *ts[2] = { a, b };
	if ((r = bcast_shape(2, ts, &rank, dims)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, out_bool ? CELLA_ONNX_BOOL : a->dtype, rank, dims, &o)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x) || o->bytes == 0)
		return CELLA_OK;
	struct bplan p;
	memset(&p, 0, sizeof(p));
	bplan_make(&p, 2, ts, rank, dims);
	bplan_rows(&p, o->data, onnx_dtype_size(o->dtype), a->data, onnx_dtype_size(a->dtype), b->data, onnx_dtype_size(b->dtype),
		   NULL, 0, tab[a->dtype]);
	return CELLA_OK;
}

/* BitShift: NumPy broadcasting like the other binary ops; direction is required, "LEFT" or "RIGHT". */
static cella_result op_bitshift(struct exec *x, struct node *n)
{
	const char *dir = onnx_attr_s(n, "direction", "");
	if (!strcmp(dir, "LEFT"))
		return bin_generic(x, n, shl_tab, 0);
	if (!strcmp(dir, "RIGHT"))
		return bin_generic(x, n, shr_tab, 0);
	return CELLA_ERR_MODEL;
}

#define BIN_OP(fname, tab, isbool) \
	static cella_result fname(struct exec *x, struct node *n) { return bin_generic(x, n, tab, isbool); }
BIN_OP(op_add, add_tab, 0)
BIN_OP(op_sub, sub_tab, 0)
BIN_OP(op_mul, mul_tab, 0)
BIN_OP(op_div, div_tab, 0)
BIN_OP(op_equal, eq_tab, 1)
BIN_OP(op_less, lt_tab, 1)
BIN_OP(op_greater, gt_tab, 1)
BIN_OP(op_less_eq, le_tab, 1)
BIN_OP(op_greater_eq, ge_tab, 1)

static const row_fn and_tab[14] = { [CELLA_ONNX_BOOL] = and_b };
static const row_fn or_tab[14] = { [CELLA_ONNX_BOOL] = or_b };
static const row_fn xor_tab[14] = { [CELLA_ONNX_BOOL] = xor_b };
static const row_fn eqb_tab[14] = { [CELLA_ONNX_BOOL] = eq_b };
BIN_OP(op_and, and_tab, 1)
BIN_OP(op_or, or_tab, 1)
BIN_OP(op_xor, xor_tab, 1)
BIN_OP(op_bitand, band_tab, 0)
BIN_OP(op_bitor, bor_tab, 0)
BIN_OP(op_bitxor, bxor_tab, 0)

static cella_result op_equal_any(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0);
	if (a && a->dtype == CELLA_ONNX_BOOL)
		return bin_generic(x, n, eqb_tab, 1);
	if (a && a->dtype == CELLA_ONNX_STRING) {
		if (n->opset < 19)
			return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "strings are compared from opset 19 (this node "
					    "is of opset %d)", n->opset);
		return bin_generic(x, n, eqs_tab, 1);
	}
	return op_equal(x, n);
}

static cella_result op_mod(struct exec *x, struct node *n)
{
	return bin_generic(x, n, onnx_attr_i(n, "fmod", 0) ? fmod_tab : mod_tab, 0);
}

static cella_result op_prelu(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *s = onnx_op_in(x, n, 1);
	if (!a || !s)
		return CELLA_ERR_MODEL;
	/* opset < 7 allowed a per-channel slope of shape [C] against [N, C, ...]: align it to axis 1 */
	if (s->rank == 1 && a->rank >= 2 && s->dims[0] == a->dims[1] && s->dims[0] != a->dims[a->rank - 1]) {
		struct tensor sv = *s;
		sv.rank = a->rank - 1;
		sv.dims[0] = s->dims[0];
		for (int d = 1; d < sv.rank; d++)
			sv.dims[d] = 1;
		struct tensor *ts[2] = { a, &sv }, *o;
		cella_result r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o);
		if (r != CELLA_OK || onnx_op_dry(x))
			return r;
		if (a->dtype != CELLA_ONNX_FLOAT || s->dtype != CELLA_ONNX_FLOAT)
			return CELLA_ERR_MODEL_UNSUPPORTED;
		struct bplan p;
		memset(&p, 0, sizeof(p));
		bplan_make(&p, 2, ts, a->rank, a->dims);
		bplan_rows(&p, o->data, 4, a->data, 4, s->data, 4, NULL, 0, prelu_f32);
		return CELLA_OK;
	}
	return bin_generic(x, n, prelu_tab, 0);
}

static cella_result op_pow(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *b = onnx_op_in(x, n, 1), *o, bl;
	int64_t dims[MAXR];
	int rank;
	cella_result r;
	if (!a || !b)
		return CELLA_ERR_MODEL;
	if (n->opset < 7) {
		if ((r = legacy_bcast(n, a, b, &bl)) != CELLA_OK)
			return r;
		b = &bl;
	}
	struct tensor *ts[2] = { a, b };
	if ((r = bcast_shape(2, ts, &rank, dims)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, a->dtype, rank, dims, &o)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x) || o->bytes == 0)
		return CELLA_OK;
	struct bplan p;
	memset(&p, 0, sizeof(p));
	bplan_make(&p, 2, ts, rank, dims);
	if (a->dtype == CELLA_ONNX_FLOAT && b->dtype == CELLA_ONNX_FLOAT) {
		bplan_rows(&p, o->data, 4, a->data, 4, b->data, 4, NULL, 0, pow_f32);
		return CELLA_OK;
	}
	if (a->dtype == CELLA_ONNX_DOUBLE && b->dtype == CELLA_ONNX_DOUBLE) {
		bplan_rows(&p, o->data, 8, a->data, 8, b->data, 8, NULL, 0, pow_f64);
		return CELLA_OK;
	}
	/* mixed types (opset 12+): element by element through double */
	if (onnx_dtype_size(b->dtype) == 0 || onnx_dtype_size(a->dtype) == 0 || a->dtype == CELLA_ONNX_BOOL ||
	    (o->dtype != CELLA_ONNX_FLOAT && o->dtype != CELLA_ONNX_DOUBLE && o->dtype != CELLA_ONNX_INT32 &&
	     o->dtype != CELLA_ONNX_INT64))
		return CELLA_ERR_MODEL_UNSUPPORTED;
	int64_t idx[MAXR] = { 0 };
	size_t total = onnx_tensor_count(o);
	for (size_t i = 0; i < total; i++) {
		ptrdiff_t ia = 0, ib = 0;
		for (int d = 0; d < p.rank; d++) {
			ia += idx[d] * p.st[0][d];
			ib += idx[d] * p.st[1][d];
		}
		double v = pow(onnx_get_d(a->data, a->dtype, (size_t)ia), onnx_get_d(b->data, b->dtype, (size_t)ib));
		/* to an integer saturated, NaN (a negative base to a fractional power) as 0: never out of range */
		onnx_put_d(o->data, o->dtype, i, v);
		onnx_index_next(idx, p.dims, p.rank);
	}
	return CELLA_OK;
}

/* Max, Min, Sum, Mean: fold left over the broadcast of all inputs. */
static cella_result variadic(struct exec *x, struct node *n, const row_fn *tab, int mean)
{
	struct tensor *ts[64], *o;
	int k = 0, rank;
	int64_t dims[MAXR];
	cella_result r;
	for (int i = 0; i < n->n_in && k < 64; i++)
		if ((ts[k] = onnx_op_in(x, n, i)) != NULL)
			k++;
	if (k == 0 || k != n->n_in)
		return CELLA_ERR_MODEL;
	for (int i = 1; i < k; i++)
		if (ts[i]->dtype != ts[0]->dtype)
			return CELLA_ERR_MODEL_UNSUPPORTED;
	/* before opset 8 Max, Min, Sum and Mean took inputs of one shape (Sum-6: "All inputs must have the same
	 * shape"): no broadcasting */
	for (int i = 1; i < k && n->opset < 8; i++) {
		if (ts[i]->rank != ts[0]->rank)
			return CELLA_ERR_MODEL_SHAPE;
		for (int d = 0; d < ts[0]->rank; d++)
			if (ts[i]->dims[d] != ts[0]->dims[d])
				return CELLA_ERR_MODEL_SHAPE;
	}
	if (ts[0]->dtype >= 14 || !tab[ts[0]->dtype])
		return CELLA_ERR_MODEL_UNSUPPORTED;
	r = CELLA_OK;
	rank = 0;
	{
		/* broadcast pairwise so that n > 3 inputs are fine */
		struct tensor acc = *ts[0];
		for (int i = 1; i < k; i++) {
			/* into a separate array: bcast_shape reads acc's dims while it writes the result's (written in
			 * place, [5] against [1, 4, 30] became [1, 4, 30], and the run read past x's 5 bytes) */
			struct tensor *pair[2] = { &acc, ts[i] };
			int64_t nd[MAXR];
			if ((r = bcast_shape(2, pair, &acc.rank, nd)) != CELLA_OK)
				return r;
			memcpy(acc.dims, nd, sizeof(nd));
		}
		rank = acc.rank;
		memcpy(dims, acc.dims, sizeof(dims));
	}
	if ((r = onnx_op_out(x, n, 0, ts[0]->dtype, rank, dims, &o)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x) || o->bytes == 0)
		return CELLA_OK;
	size_t es = onnx_dtype_size(o->dtype);
	struct bplan p;
	if (k == 1) {
		memcpy(o->data, ts[0]->data, o->bytes);
	} else {
		struct tensor *pair[2] = { ts[0], ts[1] };
		memset(&p, 0, sizeof(p));
		bplan_make(&p, 2, pair, rank, dims);
		bplan_rows(&p, o->data, es, ts[0]->data, es, ts[1]->data, es, NULL, 0, tab[o->dtype]);
		for (int i = 2; i < k; i++) {
			struct tensor *pr[2] = { o, ts[i] };
			memset(&p, 0, sizeof(p));
			bplan_make(&p, 2, pr, rank, dims);
			bplan_rows(&p, o->data, es, o->data, es, ts[i]->data, es, NULL, 0, tab[o->dtype]);
		}
	}
	if (mean) {
		size_t c = onnx_tensor_count(o);
		if (o->dtype == CELLA_ONNX_FLOAT)
			for (size_t i = 0; i < c; i++)
				((float *)o->data)[i] /= (float)k;
		else if (o->dtype == CELLA_ONNX_DOUBLE)
			for (size_t i = 0; i < c; i++)
				((double *)o->data)[i] /= (double)k;
		else
			return CELLA_ERR_MODEL_UNSUPPORTED;
	}
	return CELLA_OK;
}

static cella_result op_max(struct exec *x, struct node *n) { return variadic(x, n, max_tab, 0); }
static cella_result op_min(struct exec *x, struct node *n) { return variadic(x, n, min_tab, 0); }
static cella_result op_sum(struct exec *x, struct node *n) { return variadic(x, n, add_tab, 0); }
static cella_result op_mean(struct exec *x, struct node *n) { return variadic(x, n, add_tab, 1); }

/* ------------------------------------------------------------------ Where */

#define WHERE_ROW(NAME, T)                                                                                       \
	static void NAME(void *o_, const void *c_, const void *a_, const void *b_, size_t n, ptrdiff_t sc,       \
			 ptrdiff_t sa, ptrdiff_t sb)                                                             \
	{                                                                                                        \
		T *o = o_;                                                                                       \
		const uint8_t *C = c_;                                                                           \
		const T *A = a_, *B = b_;                                                                        \
		for (size_t i = 0; i < n; i++)                                                                   \
			o[i] = C[(ptrdiff_t)i * sc] ? A[(ptrdiff_t)i * sa] : B[(ptrdiff_t)i * sb];               \
	}
WHERE_ROW(where1, uint8_t)
WHERE_ROW(where2, uint16_t)
WHERE_ROW(where4, uint32_t)
WHERE_ROW(where8, uint64_t)
WHERE_ROW(where_str, struct cella_onnx_string)

static cella_result op_where(struct exec *x, struct node *n)
{
	struct tensor *c = onnx_op_in(x, n, 0), *a = onnx_op_in(x, n, 1), *b = onnx_op_in(x, n, 2), *o;
	int64_t dims[MAXR];
	int rank;
	cella_result r;
	if (!c || !a || !b)
		return CELLA_ERR_MODEL;
	if (c->dtype != CELLA_ONNX_BOOL || a->dtype != b->dtype)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	struct tensor *ts[3] = { c, a, b };
	if ((r = bcast_shape(3, ts, &rank, dims)) != CELLA_OK)
		return r;
	if ((r = onnx_op_out(x, n, 0, a->dtype, rank, dims, &o)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x) || o->bytes == 0)
		return CELLA_OK;
	size_t es = onnx_dtype_size(a->dtype);
	row_fn f = a->dtype == CELLA_ONNX_STRING ? where_str : es == 1 ? where1 : es == 2 ? where2 : es == 4 ? where4 : where8;
	struct bplan p;
	memset(&p, 0, sizeof(p));
	bplan_make(&p, 3, ts, rank, dims);
	bplan_rows(&p, o->data, es, c->data, 1, a->data, es, b->data, es, f);
	return CELLA_OK;
}

/* StringConcat-20: each string of X followed by Y's, NumPy-broadcast; the bytes made in the run's string arena. */
static cella_result op_string_concat(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *b = onnx_op_in(x, n, 1), *o;
	int64_t dims[MAXR];
	int rank;
	cella_result r;
	if (!a || !b)
		return onnx_op_fail(x, CELLA_ERR_MODEL, "inputs X and Y are required");
	if (a->dtype != CELLA_ONNX_STRING || b->dtype != CELLA_ONNX_STRING)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "inputs of types %s and %s: StringConcat takes strings",
				    onnx_tname(a->dtype), onnx_tname(b->dtype));
	struct tensor *ts[2] = { a, b };
	if ((r = bcast_shape(2, ts, &rank, dims)) != CELLA_OK)
		return onnx_op_fail(x, r, "X and Y do not broadcast");
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_STRING, rank, dims, &o)) != CELLA_OK || onnx_op_dry(x) || !o->bytes)
		return r;
	struct bplan p;
	memset(&p, 0, sizeof(p));
	bplan_make(&p, 2, ts, rank, dims);
	int64_t idx[MAXR] = { 0 };
	ptrdiff_t off[3] = { 0, 0, 0 };
	size_t inner, outer = bplan_outer(&p, &inner);
	const struct cella_onnx_string *A = a->data, *B = b->data;
	struct cella_onnx_string *Z = o->data;
	for (size_t i = 0; i < outer; i++, bplan_step(&p, idx, off))
		for (size_t j = 0; j < inner; j++, Z++) {
			const struct cella_onnx_string *u = A + off[0] + (ptrdiff_t)j * p.st[0][p.rank - 1],
						       *v = B + off[1] + (ptrdiff_t)j * p.st[1][p.rank - 1];
			char *q;
			if (u->len > SIZE_MAX - v->len)
				return CELLA_ERR_TOO_LARGE;
			if ((r = onnx_op_str(x, u->len + v->len, &q)) != CELLA_OK)
				return r;
			if (u->len)
				memcpy(q, u->data, u->len);
			if (v->len)
				memcpy(q + u->len, v->data, v->len);
			*Z = (struct cella_onnx_string){ q, u->len + v->len };
		}
	return CELLA_OK;
}

/* ------------------------------------------------------------------ unary */

enum {
	U_RELU, U_LEAKY, U_SIGMOID, U_TANH, U_HSIGMOID, U_HSWISH, U_ELU, U_SELU, U_SOFTPLUS, U_ERF, U_GELU, U_SQRT,
	U_EXP, U_LOG, U_ABS, U_NEG, U_RECIP, U_FLOOR, U_CEIL, U_ROUND, U_SIGN, U_SIN, U_COS, U_TAN, U_ASIN, U_ACOS,
	U_ATAN, U_SINH, U_COSH, U_ASINH, U_ACOSH, U_ATANH, U_SOFTSIGN, U_THRELU, U_CELU, U_MISH, U_SHRINK, U_IDENTITY
};

static float gelu_tanh(float v)
{
	return 0.5f * v * (1.0f + onnx_tanhf(0.7978845608f * (v + 0.044715f * v * v * v)));
}

static void unary_f32(int code, struct exec *x, struct node *n, const float *X, float *Y, size_t c)
{
	float al, be;
#define LOOP(EXPR)                                   \
	for (size_t i = 0; i < c; i++) {             \
		float v = X[i];                      \
		Y[i] = (EXPR);                       \
	}                                            \
	break;
	switch (code) {
	case U_RELU: onnx_act_map(X, Y, c, ACT_RELU, 0, 0); break;
	case U_LEAKY: al = onnx_attr_f(n, "alpha", 0.01f); LOOP(v < 0 ? v * al : v)
	case U_SIGMOID: onnx_mathf_map(ONNX_MATHF_SIGMOID, X, Y, c, x->m->gk.avx512); break;
	case U_TANH: onnx_mathf_map(ONNX_MATHF_TANH, X, Y, c, x->m->gk.avx512); break;
	case U_HSIGMOID:
		onnx_act_map(X, Y, c, ACT_HSIGMOID, onnx_attr_f(n, "alpha", 0.2f), onnx_attr_f(n, "beta", 0.5f));
		break;
	case U_HSWISH: onnx_act_map(X, Y, c, ACT_HSWISH, 0, 0); break;
	case U_ELU: al = onnx_attr_f(n, "alpha", 1.0f); LOOP(v < 0 ? al * (onnx_expf(v) - 1.0f) : v)
	case U_SELU:
		al = onnx_attr_f(n, "alpha", 1.67326319217681884765625f);
		be = onnx_attr_f(n, "gamma", 1.05070102214813232421875f);
		LOOP(v <= 0 ? be * (al * onnx_expf(v) - al) : be * v)
	case U_SOFTPLUS: LOOP(v > 20.0f ? v : log1pf(onnx_expf(v)))
	case U_ERF: onnx_mathf_map(ONNX_MATHF_ERF, X, Y, c, x->m->gk.avx512); break;
	case U_GELU:
		if (!strcmp(onnx_attr_s(n, "approximate", "none"), "tanh")) {
			LOOP(gelu_tanh(v))
		}
		onnx_mathf_map(ONNX_MATHF_GELU, X, Y, c, x->m->gk.avx512);
		break;
	case U_SQRT: LOOP(sqrtf(v))
	case U_EXP: onnx_expf_shifted(X, Y, c, 0.0f, x->m->gk.avx512); break; /* x - 0 is x: onnx_expf bit for bit */
	case U_LOG: LOOP(logf(v))
	case U_ABS: LOOP(fabsf(v))
	case U_NEG: LOOP(-v)
	case U_RECIP: LOOP(1.0f / v)
	case U_FLOOR: LOOP(floorf(v))
	case U_CEIL: LOOP(ceilf(v))
	case U_ROUND: LOOP(nearbyintf(v))
	case U_SIGN: LOOP(v > 0 ? 1.0f : v < 0 ? -1.0f : v == 0 ? 0.0f : v) /* NaN stays (numpy's sign) */
	case U_SIN: LOOP(sinf(v))
	case U_COS: LOOP(cosf(v))
	case U_TAN: LOOP(tanf(v))
	case U_ASIN: LOOP(asinf(v))
	case U_ACOS: LOOP(acosf(v))
	case U_ATAN: LOOP(atanf(v))
	case U_SINH: LOOP(sinhf(v))
	case U_COSH: LOOP(coshf(v))
	case U_ASINH: LOOP(asinhf(v))
	case U_ACOSH: LOOP(acoshf(v))
	case U_ATANH: LOOP(atanhf(v))
	case U_SOFTSIGN: LOOP(v / (1.0f + fabsf(v)))
	case U_THRELU: al = onnx_attr_f(n, "alpha", 1.0f); LOOP(v > al ? v : 0.0f)
	case U_CELU: /* max(0, v) + min(0, al * (exp(v / al) - 1)); the max as Relu's, so a NaN is kept */
		al = onnx_attr_f(n, "alpha", 1.0f);
		LOOP((0.0f > v ? 0.0f : v) + (v < 0.0f ? al * (onnx_expf(v / al) - 1.0f) : 0.0f))
	case U_MISH: LOOP(v * onnx_tanhf(v > 20.0f ? v : log1pf(onnx_expf(v))))
	case U_SHRINK:
		al = onnx_attr_f(n, "lambd", 0.5f);
		be = onnx_attr_f(n, "bias", 0.0f);
		LOOP(v < -al ? v + be : v > al ? v - be : 0.0f)
	default: LOOP(v)
	}
#undef LOOP
}

static cella_result unary(struct exec *x, struct node *n, int code)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK)
		return r;
	if (onnx_op_dry(x))
		return CELLA_OK;
	size_t c = onnx_tensor_count(a);
	if (a->dtype == CELLA_ONNX_FLOAT) {
		unary_f32(code, x, n, a->data, o->data, c);
		return CELLA_OK;
	}
	if (code == U_IDENTITY) {
		if (o->data != a->data)
			memcpy(o->data, a->data, a->bytes);
		return CELLA_OK;
	}
#define ILOOP(T, NEG)                                                                                  \
	{                                                                                              \
		const T *X = a->data;                                                                  \
		T *Y = o->data;                                                                        \
		for (size_t i = 0; i < c; i++) {                                                       \
			T v = X[i];                                                                    \
			int neg = NEG;                                                                 \
			if (code == U_ABS)                                                             \
				Y[i] = (T)(neg ? (T)(0 - (uint64_t)v) : v);                            \
			else if (code == U_NEG)                                                        \
				Y[i] = (T)(0 - (uint64_t)v);                                           \
			else if (code == U_RELU)                                                       \
				Y[i] = neg ? 0 : v;                                                    \
			else                                                                           \
				Y[i] = (T)(neg ? -1 : v != 0);                                         \
		}                                                                                      \
		return CELLA_OK;                                                                       \
	}
	if (code == U_ABS || code == U_NEG || code == U_SIGN || code == U_RELU) {
		switch (a->dtype) {
		case CELLA_ONNX_INT8: ILOOP(int8_t, v < 0)
		case CELLA_ONNX_INT16: ILOOP(int16_t, v < 0)
		case CELLA_ONNX_INT32: ILOOP(int32_t, v < 0)
		case CELLA_ONNX_INT64: ILOOP(int64_t, v < 0)
		case CELLA_ONNX_UINT8: ILOOP(uint8_t, 0)
		case CELLA_ONNX_UINT16: ILOOP(uint16_t, 0)
		case CELLA_ONNX_UINT32: ILOOP(uint32_t, 0)
		case CELLA_ONNX_UINT64: ILOOP(uint64_t, 0)
		default: break;
		}
	}
#undef ILOOP
	if (a->dtype == CELLA_ONNX_DOUBLE) {
		const double *X = a->data;
		double *Y = o->data;
		for (size_t i = 0; i < c; i++) {
			double v = X[i];
			switch (code) {
			case U_ABS: Y[i] = fabs(v); break;
			case U_NEG: Y[i] = -v; break;
			case U_SQRT: Y[i] = sqrt(v); break;
			case U_EXP: Y[i] = exp(v); break;
			case U_LOG: Y[i] = log(v); break;
			case U_RECIP: Y[i] = 1.0 / v; break;
			case U_FLOOR: Y[i] = floor(v); break;
			case U_CEIL: Y[i] = ceil(v); break;
			case U_RELU: Y[i] = 0 > v ? 0 : v; break; /* as the float forms: a NaN stays */
			case U_SIGN: Y[i] = v > 0 ? 1 : v < 0 ? -1 : v == 0 ? 0 : v; break;
			case U_SIGMOID: Y[i] = 1.0 / (1.0 + exp(-v)); break;
			case U_TANH: Y[i] = tanh(v); break;
			default: return CELLA_ERR_MODEL_UNSUPPORTED;
			}
		}
		return CELLA_OK;
	}
	return CELLA_ERR_MODEL_UNSUPPORTED;
}

#define UN_OP(fname, code) \
	static cella_result fname(struct exec *x, struct node *n) { return unary(x, n, code); }
UN_OP(op_relu, U_RELU)
UN_OP(op_leaky, U_LEAKY)
UN_OP(op_sigmoid, U_SIGMOID)
UN_OP(op_tanh, U_TANH)
UN_OP(op_hsigmoid, U_HSIGMOID)
UN_OP(op_hswish, U_HSWISH)
UN_OP(op_elu, U_ELU)
UN_OP(op_selu, U_SELU)
UN_OP(op_softplus, U_SOFTPLUS)
UN_OP(op_erf, U_ERF)
/* Gelu-20's approximate is "none" (the erf form) or "tanh"; anything else is refused, at load (the prepare) and
 * when the node folds. */
static cella_result gelu_prepare(struct exec *x, struct node *n)
{
	const char *ap = onnx_attr_s(n, "approximate", "none");
	if (strcmp(ap, "none") && strcmp(ap, "tanh"))
		return onnx_op_fail(x, CELLA_ERR_MODEL, "attribute 'approximate' is '%.64s', not none or tanh", ap);
	return CELLA_OK;
}

static cella_result op_gelu(struct exec *x, struct node *n)
{
	cella_result r = gelu_prepare(x, n);
	return r != CELLA_OK ? r : unary(x, n, U_GELU);
}
UN_OP(op_sqrt, U_SQRT)
UN_OP(op_exp, U_EXP)
UN_OP(op_log, U_LOG)
UN_OP(op_abs, U_ABS)
UN_OP(op_neg, U_NEG)
UN_OP(op_recip, U_RECIP)
UN_OP(op_floor, U_FLOOR)
UN_OP(op_ceil, U_CEIL)
UN_OP(op_round, U_ROUND)
UN_OP(op_sign, U_SIGN)
UN_OP(op_sin, U_SIN)
UN_OP(op_cos, U_COS)
UN_OP(op_tan, U_TAN)
UN_OP(op_asin, U_ASIN)
UN_OP(op_acos, U_ACOS)
UN_OP(op_atan, U_ATAN)
UN_OP(op_sinh, U_SINH)
UN_OP(op_cosh, U_COSH)
UN_OP(op_asinh, U_ASINH)
UN_OP(op_acosh, U_ACOSH)
UN_OP(op_atanh, U_ATANH)
UN_OP(op_softsign, U_SOFTSIGN)
UN_OP(op_threlu, U_THRELU)
UN_OP(op_celu, U_CELU)
UN_OP(op_mish, U_MISH)
UN_OP(op_shrink, U_SHRINK)

/* Not (bool) and BitwiseNot (opset 18, the integer types): every byte complemented, logically or bitwise, which
 * complements a whole integer of any width. */
static cella_result complement(struct exec *x, struct node *n, int logical)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (logical ? a->dtype != CELLA_ONNX_BOOL : a->dtype >= 14 || !band_tab[a->dtype]) /* the integer types */
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "input of type %s is not supported (%s)",
				    onnx_tname(a->dtype), logical ? "bool" : "integers");
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	for (size_t i = 0; i < a->bytes; i++) {
		uint8_t v = ((const uint8_t *)a->data)[i];
		((uint8_t *)o->data)[i] = logical ? !v : (uint8_t)~v;
	}
	return CELLA_OK;
}

static cella_result op_not(struct exec *x, struct node *n) { return complement(x, n, 1); }
static cella_result op_bitnot(struct exec *x, struct node *n) { return complement(x, n, 0); }

static cella_result is_special(struct exec *x, struct node *n, int inf)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->dtype != CELLA_ONNX_FLOAT && a->dtype != CELLA_ONNX_DOUBLE)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	if ((r = onnx_op_out(x, n, 0, CELLA_ONNX_BOOL, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	int pos = onnx_attr_int(n, "detect_positive", 1), neg = onnx_attr_int(n, "detect_negative", 1);
	size_t c = onnx_tensor_count(a);
	for (size_t i = 0; i < c; i++) {
		double v = a->dtype == CELLA_ONNX_FLOAT ? ((const float *)a->data)[i] : ((const double *)a->data)[i];
		((uint8_t *)o->data)[i] = inf ? ((isinf(v) && v > 0 && pos) || (isinf(v) && v < 0 && neg)) : isnan(v);
	}
	return CELLA_OK;
}
static cella_result op_isnan(struct exec *x, struct node *n) { return is_special(x, n, 0); }
static cella_result op_isinf(struct exec *x, struct node *n) { return is_special(x, n, 1); }

/* ------------------------------------------------------------------ Clip */

static cella_result op_clip(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *o;
	cella_result r;
	if (!a)
		return CELLA_ERR_MODEL;
	if (a->dtype == CELLA_ONNX_BOOL || onnx_dtype_size(a->dtype) == 0)
		return CELLA_ERR_MODEL_UNSUPPORTED; /* every numeric type is handled below: refused at load, not run */
	if (n->opset < 11 && a->dtype != CELLA_ONNX_FLOAT && a->dtype != CELLA_ONNX_DOUBLE) /* Clip-1 and Clip-6 */
		return onnx_op_fail(x, CELLA_ERR_MODEL, "Clip before opset 11 takes float or double, not %s",
				    onnx_tname(a->dtype));
	if ((r = onnx_op_out(x, n, 0, a->dtype, a->rank, a->dims, &o)) != CELLA_OK)
		return r;
	struct tensor *tmin = onnx_op_in(x, n, 1), *tmax = onnx_op_in(x, n, 2);
	if ((tmin && (r = onnx_op_need(x, tmin)) != CELLA_OK) || (tmax && (r = onnx_op_need(x, tmax)) != CELLA_OK))
		return onnx_op_dry(x) ? CELLA_OK : r;
	if (onnx_op_dry(x))
		return CELLA_OK;
	size_t c = onnx_tensor_count(a);
	if ((tmin && (tmin->dtype != a->dtype || onnx_tensor_count(tmin) != 1)) ||
	    (tmax && (tmax->dtype != a->dtype || onnx_tensor_count(tmax) != 1)))
		return CELLA_ERR_MODEL_SHAPE;
/* Min(max, Max(x, min)) as Clip-13 defines it: with min > max every element becomes max, and a NaN stays NaN (as
 * through Max and Min; the float path once clamped it to a bound). CLIPT takes the bounds from the inputs min and
 * max (absent: the type's range); before opset 11 (float and double only) they are the attributes. */
#define CLIPI(T, LO, HI)                                          \
	{                                                         \
		T lo = LO, hi = HI;                               \
		const T *X = a->data;                             \
		T *Y = o->data;                                   \
		for (size_t i = 0; i < c; i++) {                  \
			T v = X[i] < lo ? lo : X[i];              \
			Y[i] = v > hi ? hi : v;                   \
		}                                                 \
		return CELLA_OK;                                  \
	}
#define CLIPT(T, LO, HI) CLIPI(T, tmin ? *(T *)tmin->data : LO, tmax ? *(T *)tmax->data : HI)
	switch (a->dtype) {
	case CELLA_ONNX_FLOAT:
		if (n->opset < 11)
			CLIPI(float, onnx_attr_f(n, "min", -INFINITY), onnx_attr_f(n, "max", INFINITY))
		CLIPT(float, -INFINITY, INFINITY)
	case CELLA_ONNX_DOUBLE:
		if (n->opset < 11)
			CLIPI(double, onnx_attr_f(n, "min", -INFINITY), onnx_attr_f(n, "max", INFINITY))
		CLIPT(double, -INFINITY, INFINITY)
	case CELLA_ONNX_INT8: CLIPT(int8_t, INT8_MIN, INT8_MAX)
	case CELLA_ONNX_UINT8: CLIPT(uint8_t, 0, UINT8_MAX)
	case CELLA_ONNX_INT16: CLIPT(int16_t, INT16_MIN, INT16_MAX)
	case CELLA_ONNX_UINT16: CLIPT(uint16_t, 0, UINT16_MAX)
	case CELLA_ONNX_INT32: CLIPT(int32_t, INT32_MIN, INT32_MAX)
	case CELLA_ONNX_INT64: CLIPT(int64_t, INT64_MIN, INT64_MAX)
	case CELLA_ONNX_UINT32: CLIPT(uint32_t, 0, UINT32_MAX)
	case CELLA_ONNX_UINT64: CLIPT(uint64_t, 0, UINT64_MAX)
#undef CLIPT
#undef CLIPI
	default: return CELLA_ERR_MODEL_UNSUPPORTED;
	}
}

/* ------------------------------------------------------------------ Cast */

static int is_int_type(int dt)
{
	return dt != CELLA_ONNX_FLOAT && dt != CELLA_ONNX_DOUBLE;
}

/* A float to uint64: values from 2^63 up convert directly (onnx_sat_i64 would stop them at INT64_MAX), at and
 * above 2^64 saturate to UINT64_MAX as the int64 path saturates; below 2^63 as every other integer target (a
 * negative value wraps, where onnx_put_d would give 0). */
static uint64_t sat_u64(double v)
{
	if (v >= 18446744073709551616.0)
		return UINT64_MAX;
	if (v >= 9223372036854775808.0)
		return (uint64_t)v;
	return (uint64_t)onnx_sat_i64(v);
}

/* A target type the engine has (Cast-19's `saturate` only concerns float8 targets, which are refused here: the
 * attribute is ignored), else CELLA_ERR_MODEL_UNSUPPORTED naming the type. */
static cella_result cast_target(struct exec *x, int to)
{
	if (onnx_dtype_size(to) == 0)
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "cast to element type %s (%d) is not supported",
				    onnx_tname(to), to);
	return CELLA_OK;
}

/* Element i of a string tensor's text, for a message: its first 32 bytes, each byte outside printable ASCII as '?'. */
static const char *string_shown(const struct cella_onnx_string *s, char *buf)
{
	size_t n = s->len < 32 ? s->len : 32;
	for (size_t k = 0; k < n; k++)
		buf[k] = s->data[k] >= 0x20 && s->data[k] < 0x7f ? s->data[k] : '?';
	if (s->len > 32) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* v rounded once to float16/bfloat16 `to`, as the engine holds it: float32. */
static float held_half(double v, int to)
{
	return cella_onnx_half_to_float(onnx_d2half(v, to), (cella_onnx_dtype)to);
}

/* Cast of the c elements of a to or from strings (o of type `to`): numbers written as numpy's str() writes them
 * (onnx_fmt_float: the shortest digits that read back as the value in its own type), text read as a number of the
 * target type (onnx_parse_number), a text that is no number refused by name. */
static cella_result cast_strings(struct exec *x, const struct tensor *a, struct tensor *o, int to, size_t c)
{
	cella_result r;
	if (to != CELLA_ONNX_STRING) {
		const struct cella_onnx_string *s = a->data;
		for (size_t i = 0; i < c; i++) {
			double d = 0;
			char shown[40];
			if (onnx_dtype_is_half(to)) /* held as float32: the double rounded once to the half type */
				r = onnx_parse_number(s[i].data, s[i].len, CELLA_ONNX_DOUBLE, &d, 0);
			else
				r = onnx_parse_number(s[i].data, s[i].len, to, o->data, i);
			if (r != CELLA_OK)
				return onnx_op_fail(x, r, "element %zu ('%s') is not a number", i, string_shown(&s[i], shown));
			if (onnx_dtype_is_half(to))
				((float *)o->data)[i] = held_half(d, to);
		}
		return CELLA_OK;
	}
	struct cella_onnx_string *s = o->data;
	for (size_t i = 0; i < c; i++) {
		char buf[40], *p;
		size_t len = onnx_dtype_is_fp(a->dtype)
				     ? onnx_fmt_float(buf, onnx_get_d(a->data, a->dtype, i), a->half ? a->half : a->dtype)
				     : onnx_fmt_int(buf, onnx_get_i(a->data, a->dtype, i), a->dtype == CELLA_ONNX_UINT64);
		if ((r = onnx_op_str(x, len, &p)) != CELLA_OK)
			return r;
		memcpy(p, buf, len);
		s[i] = (struct cella_onnx_string){ p, len };
	}
	return CELLA_OK;
}

static cella_result cast_to(struct exec *x, struct node *n, struct tensor *a, int to)
{
	struct tensor *o;
	cella_result r;
	if ((r = cast_target(x, to)) != CELLA_OK)
		return r;
	if (onnx_dtype_size(a->dtype) == 0)
		return CELLA_ERR_MODEL_UNSUPPORTED;
	int str = (to == CELLA_ONNX_STRING) != (a->dtype == CELLA_ONNX_STRING);
	if (str && (to == CELLA_ONNX_BOOL || a->dtype == CELLA_ONNX_BOOL)) /* "True"/"False" (numpy) or "1"/"0"? */
		return onnx_op_fail(x, CELLA_ERR_MODEL_UNSUPPORTED, "cast from %s to %s is not supported",
				    onnx_tname(a->dtype), onnx_tname(to));
	if ((r = onnx_op_out(x, n, 0, to, a->rank, a->dims, &o)) != CELLA_OK || onnx_op_dry(x))
		return r;
	size_t c = onnx_tensor_count(a);
	if (to == a->dtype && to != CELLA_ONNX_BOOL) { /* bool to bool still makes every true byte 1 */
		if (o->data != a->data)
			memcpy(o->data, a->data, a->bytes);
		return CELLA_OK;
	}
	if (str)
		return cast_strings(x, a, o, to, c);
	for (size_t i = 0; i < c; i++) {
		if (onnx_dtype_is_half(to)) {
			/* held as float32 (o->dtype), each value rounded once to the half type: from double directly, as
			 * through float it could round twice */
			double v = a->dtype == CELLA_ONNX_UINT64 ? (double)((const uint64_t *)a->data)[i]
				   : is_int_type(a->dtype)      ? (double)onnx_get_i(a->data, a->dtype, i)
								: onnx_get_d(a->data, a->dtype, i);
			((float *)o->data)[i] = held_half(v, to);
		} else if (!is_int_type(a->dtype) && to == CELLA_ONNX_FLOAT)
			((float *)o->data)[i] = (float)onnx_get_d(a->data, a->dtype, i);
		else if (!is_int_type(a->dtype) && to == CELLA_ONNX_DOUBLE)
			((double *)o->data)[i] = onnx_get_d(a->data, a->dtype, i);
		else if (!is_int_type(a->dtype) && to == CELLA_ONNX_BOOL)
			((uint8_t *)o->data)[i] = onnx_get_d(a->data, a->dtype, i) != 0;
		else if (!is_int_type(a->dtype) && to == CELLA_ONNX_UINT64)
			((uint64_t *)o->data)[i] = sat_u64(onnx_get_d(a->data, a->dtype, i));
		else if (!is_int_type(a->dtype))
			onnx_put_i(o->data, to, i, onnx_sat_i64(onnx_get_d(a->data, a->dtype, i)));
		else if (a->dtype == CELLA_ONNX_UINT64 && to == CELLA_ONNX_FLOAT)
			((float *)o->data)[i] = (float)((const uint64_t *)a->data)[i];
		else if (a->dtype == CELLA_ONNX_UINT64 && to == CELLA_ONNX_DOUBLE)
			((double *)o->data)[i] = (double)((const uint64_t *)a->data)[i];
		else
			onnx_put_i(o->data, to, i, onnx_get_i(a->data, a->dtype, i));
	}
	return CELLA_OK;
}

static cella_result op_cast(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0);
	if (!a)
		return CELLA_ERR_MODEL;
	return cast_to(x, n, a, onnx_attr_int(n, "to", 0));
}

/* At load: Cast's target type, whether or not the input's shape is known by then. */
static cella_result cast_prepare(struct exec *x, struct node *n)
{
	return cast_target(x, onnx_attr_int(n, "to", 0));
}

static cella_result op_castlike(struct exec *x, struct node *n)
{
	struct tensor *a = onnx_op_in(x, n, 0), *b = onnx_op_in(x, n, 1);
	if (!a || !b)
		return CELLA_ERR_MODEL;
	return cast_to(x, n, a, onnx_seen_type(b->dtype, b->half));
}

const struct op_def onnx_ops_elementwise[] = {
	{ "Add", op_add, NULL, 1, 1 },
	{ "Sub", op_sub, NULL, 1, 1 },
	{ "Mul", op_mul, NULL, 1, 1 },
	{ "Div", op_div, NULL, 1, 1 },
	{ "Pow", op_pow, NULL, 1, 1 },
	{ "Mod", op_mod, NULL, 10, 1 },
	{ "BitShift", op_bitshift, NULL, 11, 0 },
	{ "Equal", op_equal_any, NULL, 1, ONNX_STR_IN0 | ONNX_STR_IN1 },
	{ "Less", op_less, NULL, 1, 0 },
	{ "Greater", op_greater, NULL, 1, 0 },
	{ "LessOrEqual", op_less_eq, NULL, 12, 0 },
	{ "GreaterOrEqual", op_greater_eq, NULL, 12, 0 },
	{ "And", op_and, NULL, 1, 0 },
	{ "Or", op_or, NULL, 1, 0 },
	{ "Xor", op_xor, NULL, 1, 0 },
	{ "Not", op_not, NULL, 1, 0 },
	{ "BitwiseAnd", op_bitand, NULL, 18, 0 },
	{ "BitwiseOr", op_bitor, NULL, 18, 0 },
	{ "BitwiseXor", op_bitxor, NULL, 18, 0 },
	{ "BitwiseNot", op_bitnot, NULL, 18, ONNX_INPLACE_ELEMENTWISE },
	{ "PRelu", op_prelu, NULL, 1, 1 },
	{ "Max", op_max, NULL, 1, 0 },
	{ "Min", op_min, NULL, 1, 0 },
	{ "Sum", op_sum, NULL, 1, 0 },
	{ "Mean", op_mean, NULL, 1, 0 },
	{ "Where", op_where, NULL, 9, ONNX_INPLACE_ELEMENTWISE | ONNX_STR_IN1 | ONNX_STR_IN2 },
	{ "StringConcat", op_string_concat, NULL, 20, ONNX_STR_ANY },
	{ "Relu", op_relu, NULL, 1, 1 },
	{ "LeakyRelu", op_leaky, NULL, 1, 1 },
	{ "Sigmoid", op_sigmoid, NULL, 1, 1 },
	{ "Tanh", op_tanh, NULL, 1, 1 },
	{ "HardSigmoid", op_hsigmoid, NULL, 1, 1 },
	{ "HardSwish", op_hswish, NULL, 14, 1 },
	{ "Elu", op_elu, NULL, 1, 1 },
	{ "Selu", op_selu, NULL, 1, 1 },
	{ "Softplus", op_softplus, NULL, 1, 1 },
	{ "Erf", op_erf, NULL, 9, 1 },
	{ "Gelu", op_gelu, gelu_prepare, 20, 1 },
	{ "Sqrt", op_sqrt, NULL, 1, 1 },
	{ "Exp", op_exp, NULL, 1, 1 },
	{ "Log", op_log, NULL, 1, 1 },
	{ "Abs", op_abs, NULL, 1, 1 },
	{ "Neg", op_neg, NULL, 1, 1 },
	{ "Reciprocal", op_recip, NULL, 1, 1 },
	{ "Floor", op_floor, NULL, 1, 1 },
	{ "Ceil", op_ceil, NULL, 1, 1 },
	{ "Round", op_round, NULL, 11, 1 },
	{ "Sign", op_sign, NULL, 9, 1 },
	{ "Sin", op_sin, NULL, 7, 1 },
	{ "Cos", op_cos, NULL, 7, 1 },
	{ "Tan", op_tan, NULL, 7, 1 },
	{ "Asin", op_asin, NULL, 7, 1 },
	{ "Acos", op_acos, NULL, 7, 1 },
	{ "Atan", op_atan, NULL, 7, 1 },
	{ "Sinh", op_sinh, NULL, 9, 1 },
	{ "Cosh", op_cosh, NULL, 9, 1 },
	{ "Asinh", op_asinh, NULL, 9, 1 },
	{ "Acosh", op_acosh, NULL, 9, 1 },
	{ "Atanh", op_atanh, NULL, 9, 1 },
	{ "Softsign", op_softsign, NULL, 1, 1 },
	{ "ThresholdedRelu", op_threlu, NULL, 10, 1 },
	{ "Celu", op_celu, NULL, 12, 1 },
	{ "Mish", op_mish, NULL, 18, 1 },
	{ "Shrink", op_shrink, NULL, 9, 1 },
	{ "IsNaN", op_isnan, NULL, 9, 0 },
	{ "IsInf", op_isinf, NULL, 10, 0 },
	{ "Clip", op_clip, NULL, 1, 1 },
	{ "Cast", op_cast, cast_prepare, 1, ONNX_INPLACE_CAST | ONNX_TYPE_SET | ONNX_STR_IN0 },
	{ "CastLike", op_castlike, NULL, 15, ONNX_INPLACE_CAST | ONNX_TYPE_SET | ONNX_STR_ANY },
	{ NULL, NULL, NULL, 0, 0 },
};
