/* SPDX-License-Identifier: MIT */
/* Internal structures of the ONNX engine: graph, values, nodes, operator table, execution helpers. */
#ifndef CELLA_ONNX_INTERNAL_H
#define CELLA_ONNX_INTERNAL_H

#include <cella/onnx.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAXR CELLA_ONNX_MAX_RANK
#define ONNX_MAX_OPSET 21
#define ONNX_MIN_IR 3
#define ONNX_MAX_IR 10
#define ONNX_MAX_GRAPH_DEPTH 16

struct onnx_seq;

/* A value's tensor: shape, type and where its elements live; or, with seq set, a sequence of tensors. */
struct tensor {
	int dtype;
	int rank;
	int64_t dims[MAXR];
	void *data;      /* NULL while unknown (load-time shape pass) */
	size_t bytes;    /* element count * element size */
	int known;       /* shape and dtype known */
	int is_const;    /* data is fixed for the model's lifetime */
	int buf;         /* arena slot holding data, or -1 */
	int half;        /* CELLA_ONNX_FLOAT16 or CELLA_ONNX_BFLOAT16 for a float16/bfloat16 value, which the engine
			  * holds and computes as float32 (dtype CELLA_ONNX_FLOAT; see docs/onnx.md), else 0 */
	struct onnx_seq *seq; /* a sequence value (ops_seq.c): dtype is its elements' type, data NULL, bytes 0 */
	int seq_own;          /* seq is this tensor's to free (not a subgraph's view of an outer value) */
	int none;             /* an optional without a value: known, no data, no sequence (ops_seq.c) */
	int packed;           /* a constant packed away at load (engine.c drop_packed_weights): the one node that reads
			       * it holds it in another form (node.packed_in), and its data is freed; data is NULL,
			       * type, dims and bytes stay. No other node may read it: graph_exec refuses that */
};

/* A sequence: n tensors of one element type, each with its own malloc'ed data (ops_seq.c). */
struct onnx_seq {
	int dtype, half;
	size_t n, cap;
	struct tensor *it;
};
void onnx_seq_free(struct onnx_seq *s);
struct exec;
/* The sequence t holds, for the caller to keep: taken over when t owns it (t then holds none), else a copy, its
 * tensors' data copied too (ops_seq.c). */
CELLA_MUST_USE cella_result onnx_seq_take(struct exec *x, struct tensor *t, struct onnx_seq **out);
/* A new sequence of copies of n caller tensors (a model input, checked) of element type dtype: float16 and
 * bfloat16 widened to float32, as the engine holds them (ops_seq.c). */
CELLA_MUST_USE cella_result onnx_seq_import(int dtype, const struct cella_onnx_tensor *items, size_t n,
					    struct onnx_seq **out);

/* ONNX AttributeProto.AttributeType values used here. */
enum { ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3, ATTR_TENSOR = 4, ATTR_GRAPH = 5, ATTR_FLOATS = 6,
       ATTR_INTS = 7, ATTR_STRINGS = 8, ATTR_TYPE_PROTO = 13 };

struct graph;

struct attr {
	char *name;
	int type;
	float f;
	int64_t i;
	char *s;            /* NUL-terminated, of s_len bytes before the NUL (which it may hold) */
	size_t s_len;
	size_t n_floats, n_ints, n_strings;
	float *floats;
	int64_t *ints;
	char **strings;     /* NUL-terminated copies, of string_lens[i] bytes before the NUL (which they may hold) */
	size_t *string_lens;
	struct tensor *t;   /* data owned by t->data (a string tensor's bytes too) */
	struct graph *g;
	int tp_dtype;       /* ATTR_TYPE_PROTO: the tensor element type (held type, tp_half) under tp_form */
	int tp_half;
	uint32_t tp_form;
};

struct value {
	char *name;
	struct tensor t;
	int producer;   /* node index, -1 for inputs, constants and captures */
	int last_use;   /* last consuming node index; n_nodes for graph outputs */
	int outer;      /* index of the captured value in the parent graph, -1 if local */
	int is_input, is_output;
	int decl_dtype; /* declared type and shape of a graph input/output (-1 rank = unknown, -1 dim = dynamic): the
			 * type held (float for float16 and bfloat16, which decl_half then names) */
	int decl_half;
	uint32_t decl_form; /* CELLA_ONNX_FORM_* of a graph input/output: decl_* are then its tensors' (a sequence's
			     * elements', an optional's value's) */
	int decl_rank;
	int64_t decl_dims[MAXR];
	void *const_mem;
};

/* Fused epilogue activations. */
enum { ACT_NONE = 0, ACT_RELU, ACT_CLIP, ACT_LEAKY, ACT_HSIGMOID, ACT_HSWISH, ACT_SIGMOID };

struct node;
struct exec;
typedef cella_result (*op_fn)(struct exec *x, struct node *n);

struct op_def {
	const char *name;
	op_fn run;
	op_fn prepare;      /* optional: after constant folding (e.g. pre-pack weights) */
	int min_opset;      /* first opset in which this definition applies */
	int flags;          /* ONNX_INPLACE_* (output 0 may take over the buffer of an input 0/1 that dies here), or'd
			     * with ONNX_TYPE_SET or ONNX_HALF_FIRST */
};
enum {
	ONNX_INPLACE_NONE = 0,
	ONNX_INPLACE_ELEMENTWISE = 1, /* an input of the output's type and shape (element k read before it is written) */
	ONNX_INPLACE_BYTES = 2,       /* an input of the output's type and size, whatever its shape (a byte copy) */
	ONNX_INPLACE_CAST = 3,        /* an input of the output's shape and element size, of any type (Cast: element k
				       * read, converted, then written over itself) */
	ONNX_INPLACE_MASK = 0xf,
	/* A float output of an op is float16 or bfloat16 (tensor.half) when the op's first floating-point input is
	 * (op_call), unless the op has one of these: */
	ONNX_TYPE_SET = 0x10,   /* it sets its outputs' types itself (Cast's `to`, CastLike's second input) */
	ONNX_HALF_FIRST = 0x20, /* only output 0 follows the input (LayerNormalization's mean and inverse standard
				 * deviation are float32, its stash type) */
	/* The inputs that may be sequences (op_call refuses a sequence at any other input, by name): */
	ONNX_SEQ_IN0 = 0x40,    /* input 0 (SequenceInsert, SequenceErase, SequenceAt, SequenceLength,
				 * ConcatFromSequence) */
	ONNX_SEQ_CARRIED = 0x80, /* inputs 2 on (Loop's carried values), which may also be empty optionals */
	ONNX_SEQ_ANY = 0x100,    /* any input (SequenceMap) */
	ONNX_NONE_IN0 = 0x200,   /* input 0 may be an empty optional, as it may be a sequence (Identity, Optional*):
				  * op_call refuses an empty optional at any other input */
	/* The ops that take or make strings (op_call refuses a string tensor, a sequence of strings or an empty optional
	 * of strings at any other input, and a string output of any other op, by name). Each moves string elements as
	 * opaque struct cella_onnx_string records, every one of its output's written (an unwritten record would point
	 * anywhere), or makes strings with onnx_op_str: */
	ONNX_STR_OUT = 0x400,    /* its outputs may be strings, none of its inputs (Constant, If, SequenceEmpty) */
	ONNX_STR_IN0 = 0x800,    /* input 0 too (Reshape, Gather, Cast...: the others are indices, shapes, axes) */
	ONNX_STR_ANY = 0x1000,   /* any input (Concat, CastLike, Loop, Scan, SequenceConstruct...) */
	ONNX_STR_IN1 = 0x2000,   /* input 1 too (Equal's second operand, Where's X) */
	ONNX_STR_IN2 = 0x4000,   /* input 2 too (Pad's constant_value, the Scatters' updates, Where's Y) */
	ONNX_STR_MASK = 0x7c00,
};

struct node {
	const struct op_def *op;
	char *name;
	int opset;
	int n_in, n_out;
	int *in, *out;      /* value indices; -1 = absent optional */
	int n_attr;
	struct attr *attr;
	int n_cap;
	int *cap;           /* parent-graph values read by subgraphs (extends their lifetime) */
	void *priv;
	void (*priv_free)(void *);
	unsigned packed_in; /* inputs (bit k for input k) the op's prepare copied into priv in a form its run reads
			     * instead (Conv's packed weight): the run reads only their type and dims, so a constant
			     * that no other node reads is freed (drop_packed_weights) */
	int act;
	float act_a, act_b;
	int folded;         /* outputs computed at load */
	const char *attr_bad; /* the first attribute an onnx_attr_* getter found of the wrong type (or out of range, with
			       * attr_range), else NULL; reset before and checked after each run of the op (which then
			       * fails with CELLA_ERR_MODEL) */
	int attr_range;       /* attr_bad holds attr_value, out of the range its getter reads */
	int64_t attr_value;
};

struct graph {
	struct graph *parent;
	struct model *m;
	int n_values, cap_values;
	struct value *values;
	int n_nodes;
	struct node *nodes; /* topological order */
	int n_inputs, n_outputs;
	int *inputs, *outputs;
	int depth;
};

/* ---- strings (strings.c) ---- */
struct onnx_str_chunk;
/* Where the bytes of string elements live: chunks that never move, handed out in order and all taken back at once. A
 * model has two: one reset when each run starts (the strings a run makes and copies in) and one for its lifetime
 * (the strings of outputs folded at load). */
struct onnx_str_arena {
	struct onnx_str_chunk *head, *cur;
	uint64_t used; /* bytes handed out since the last reset */
	uint64_t held; /* bytes of the chunks */
};
/* len bytes for a string in *out (len 0: a static empty string, not to be written): CELLA_ERR_TOO_LARGE when the
 * bytes handed out since the last reset would exceed limit, CELLA_ERR_OUT_OF_MEMORY. */
CELLA_MUST_USE cella_result onnx_str_alloc(struct onnx_str_arena *a, size_t len, uint64_t limit, char **out);
/* Takes every string back (their chunks are kept for the next ones). */
void onnx_str_reset(struct onnx_str_arena *a);
void onnx_str_free(struct onnx_str_arena *a);
/* The bytes of n strings. */
uint64_t onnx_str_bytes(const struct cella_onnx_string *s, size_t n);
/* Byte order, a prefix first (for UTF-8, order by code point): -1, 0 or 1. */
int onnx_str_cmp(const char *a, size_t al, const char *b, size_t bl);
/* Writes v, a value of float type dt (float, double, float16 or bfloat16), as numpy's str() writes a scalar of that
 * type: the shortest digits that read back as v; positional from 1e-4 to below 1e16 ("0.0001", "100.0"), else
 * scientific with an exponent of two digits at least ("1e-05", "1.5e+16"); "nan", "inf", "-inf", "-0.0". buf holds 32
 * bytes; returns the length (the text is also NUL-terminated). */
size_t onnx_fmt_float(char *buf, double v, int dt);
/* v in decimal (as a uint64 bit pattern with is_unsigned); buf holds 24 bytes; returns the length. */
size_t onnx_fmt_int(char *buf, int64_t v, int is_unsigned);
/* Element i of out (of type dt: float, double or an integer type) from the text s[0..len): a decimal with optional
 * sign, point and exponent, or inf, infinity or nan in any case, between ASCII white space. Rounded once to the
 * type (as strtof for float, strtod for double, whatever the locale); to an integer type an integer literal exactly
 * and anything else through a double, truncated, both saturated to the type's range (NaN is 0). CELLA_ERR_MODEL for
 * any other text (out is not written). */
CELLA_MUST_USE cella_result onnx_parse_number(const char *s, size_t len, int dt, void *out, size_t i);

struct gemm_kernel {
	int mr, nr, kc, mc, nc;
	void (*ukr)(size_t kc, const float *pa, const float *pb, size_t ldb, float *c, size_t ldc, int load_c);
	/* optional: one row of A (its k-th element at pa[k * mr]) against np full panels of B, panel p at
	 * pb + p * pstride, into c + p * nr; each element the same FMA chain as ukr's */
	void (*ukr_row)(size_t kc, const float *pa, size_t mr, const float *pb, size_t ldb, size_t pstride, float *c,
			int load_c, size_t np);
	const char *name;
	int dw_avx2;        /* depthwise kernel may use AVX2 */
	int avx512;         /* mathf's vector forms may use AVX-512F */
};

struct arena_buf {
	void *p;
	size_t cap;
	int used;
};

#define ONNX_MAX_SINKS 16 /* output indexes of a node that may be absent */

struct model {
	struct graph *g;
	struct cella_onnx_options opt;
	int opset;                /* of the default domain; 0 when the model imports only other domains */
	int opset_training;       /* of ai.onnx.preview.training, -1 when the model does not import it */
	struct gemm_kernel gk;
	struct arena_buf *bufs;
	int n_bufs, cap_bufs;
	uint64_t arena_bytes, arena_peak;
	uint64_t weight_bytes;
	uint64_t folded_bytes;    /* outputs folded at load, at most max_tensor_bytes in all */
	void *scratch[3];
	size_t scratch_cap[3];
	struct onnx_pool *pool;   /* host worker threads, or NULL */
	unsigned n_tasks;         /* parallel tasks per region (workers + 1) */
	float **task_scratch;     /* GEMM packing buffers for tasks 1.. (task 0 uses scratch[0]) */
	unsigned n_task_scratch;
	/* absent optional outputs: one stand-in per output index, each with a buffer of its own (kernels still write
	 * them), so no two outputs of a node and no scratch slot share memory */
	struct tensor sink[ONNX_MAX_SINKS];
	void *sink_mem[ONNX_MAX_SINKS];
	size_t sink_cap[ONNX_MAX_SINKS];
	struct onnx_str_arena str_run;   /* the bytes of the strings a run makes or takes in: reset when a run starts */
	struct onnx_str_arena str_const; /* the bytes of the strings of outputs folded at load */
	char msg[512];            /* the last message given to the log callback */
	char why[384];            /* the detail of the failure of the node being run (onnx_op_fail) */
	struct cella_onnx_tensor *in_items; /* a run input sequence's tensor descriptions, copied in once (model_run) */
	size_t in_items_cap;
	struct out_buf {          /* per graph output, what the caller is given that is not a view of a value: */
		void *p;          /* float16/bfloat16 values narrowed (a tensor's, or a sequence's end to end) */
		size_t cap;
		struct cella_onnx_tensor *items; /* a sequence's tensors */
		size_t n_cap;
	} *out_buf;
};

enum { MODE_RUN = 0, MODE_DRY, MODE_FOLD };

struct exec {
	struct model *m;
	struct graph *g;
	int mode;
	int cur;            /* index of the node being run */
	int refused;        /* a scratch request above max_tensor_bytes was refused in the node being run */
	int sub;            /* running a subgraph: a node's failure is the detail of the enclosing node's */
};

/*
 * float16 (IEEE binary16) and bfloat16 (the upper half of a float32), held as uint16_t bits. Widening is exact;
 * narrowing rounds to nearest, ties to even, as IEEE 754 and numpy do: past the largest finite value to infinity,
 * below the least subnormal to zero. A NaN stays a NaN of the same sign with its leading payload bits, made quiet.
 */
static inline int onnx_dtype_is_half(int dt) { return dt == CELLA_ONNX_FLOAT16 || dt == CELLA_ONNX_BFLOAT16; }

/* The type a value of element type dt is held in: float for float16 and bfloat16, which *half then names (else 0),
 * else dt. */
static inline int onnx_held_type(int dt, int *half)
{
	*half = onnx_dtype_is_half(dt) ? dt : 0;
	return *half ? CELLA_ONNX_FLOAT : dt;
}

/* The element type the model gives a value held as dtype with half (tensor.half): the half type, else dtype. */
static inline int onnx_seen_type(int dtype, int half) { return half ? half : dtype; }

static inline float onnx_bits_f32(uint32_t b)
{
	float f;
	memcpy(&f, &b, 4);
	return f;
}

static inline uint32_t onnx_f32_bits(float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	return b;
}

static inline float onnx_h2f(uint16_t h)
{
	uint32_t s = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
	if (e == 31)
		return onnx_bits_f32(s | 0x7f800000 | m << 13);
	if (e)
		return onnx_bits_f32(s | (e + 112) << 23 | m << 13); /* rebias: 127 - 15 */
	/* zero or subnormal: m * 2^-24, exact in float */
	return onnx_bits_f32(s | onnx_f32_bits((float)m * 0x1p-24f));
}

static inline uint16_t onnx_f2h(float f)
{
	uint32_t x = onnx_f32_bits(f), a = x & 0x7fffffff;
	uint16_t s = (uint16_t)(x >> 16 & 0x8000);
	if (a > 0x7f800000)
		return (uint16_t)(s | 0x7e00 | (a >> 13 & 0x3ff));
	if (a >= 0x477ff000) /* 65520, halfway between 65504 and 2^16: even is 2^16, so infinity */
		return s | 0x7c00;
	if (a >= 0x38800000) { /* 2^-14 and up: a normal half */
		uint32_t r = a - 0x38000000;
		r += 0xfff + (r >> 13 & 1);
		return (uint16_t)(s | r >> 13);
	}
	/* a subnormal half or zero: the multiple of 2^-24, rounded by adding 2^23 (float's own rounding, to even) */
	float q = onnx_bits_f32(a) * 0x1p24f + 0x1p23f;
	return (uint16_t)(s | (onnx_f32_bits(q) - 0x4b000000));
}

static inline float onnx_bf2f(uint16_t h) { return onnx_bits_f32((uint32_t)h << 16); }

static inline uint16_t onnx_f2bf(float f)
{
	uint32_t x = onnx_f32_bits(f);
	if ((x & 0x7fffffff) > 0x7f800000)
		return (uint16_t)(x >> 16 | 0x40);
	return (uint16_t)((x + 0x7fff + (x >> 16 & 1)) >> 16);
}

/* A double narrowed to float16 or bfloat16 (dt) in one rounding (half.c): through float it could round twice. */
uint16_t onnx_d2half(double v, int dt);

/* n elements of float16 or bfloat16 (dt) at src as floats at dst, and back. */
void onnx_half_to_f32(const void *src, int dt, float *dst, size_t n);
void onnx_f32_to_half(const float *src, int dt, void *dst, size_t n);

/*
 * Element accessors shared by every kernel that handles more than one numeric type. Strings read as 0 and are not
 * written (no kernel that uses these takes them), nor are float16 and bfloat16, which kernels see as float; a bool
 * reads as 1 for any nonzero byte and is written as 0 or 1.
 */

/* A double as an int64_t: truncated toward zero, saturated to the type's range, NaN as 0 (converting a double
 * outside the range has undefined behaviour, C11 6.3.1.4). */
static inline int64_t onnx_sat_i64(double v)
{
	if (v != v)
		return 0;
	if (v >= 9223372036854775808.0)
		return INT64_MAX;
	if (v <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)v;
}

/* The least (or, with max, the greatest) value of an integer type; uint64's greatest is UINT64_MAX's bit
 * pattern, as onnx_get_i reads it. */
static inline int64_t onnx_int_limit(int dt, int max)
{
	switch (dt) {
	case CELLA_ONNX_INT8: return max ? INT8_MAX : INT8_MIN;
	case CELLA_ONNX_UINT8: return max ? UINT8_MAX : 0;
	case CELLA_ONNX_BOOL: return max ? 1 : 0;
	case CELLA_ONNX_INT16: return max ? INT16_MAX : INT16_MIN;
	case CELLA_ONNX_UINT16: return max ? UINT16_MAX : 0;
	case CELLA_ONNX_INT32: return max ? INT32_MAX : INT32_MIN;
	case CELLA_ONNX_UINT32: return max ? UINT32_MAX : 0;
	case CELLA_ONNX_UINT64: return max ? -1 : 0;
	default: return max ? INT64_MAX : INT64_MIN;
	}
}

/* Element i as a double (an int64 or uint64 beyond 2^53 rounds). */
static inline double onnx_get_d(const void *p, int dt, size_t i)
{
	switch (dt) {
	case CELLA_ONNX_FLOAT: return ((const float *)p)[i];
	case CELLA_ONNX_DOUBLE: return ((const double *)p)[i];
	case CELLA_ONNX_INT8: return ((const int8_t *)p)[i];
	case CELLA_ONNX_INT16: return ((const int16_t *)p)[i];
	case CELLA_ONNX_INT32: return ((const int32_t *)p)[i];
	case CELLA_ONNX_INT64: return (double)((const int64_t *)p)[i];
	case CELLA_ONNX_UINT8: return ((const uint8_t *)p)[i];
	case CELLA_ONNX_BOOL: return ((const uint8_t *)p)[i] != 0;
	case CELLA_ONNX_UINT16: return ((const uint16_t *)p)[i];
	case CELLA_ONNX_UINT32: return ((const uint32_t *)p)[i];
	case CELLA_ONNX_UINT64: return (double)((const uint64_t *)p)[i];
	default: return 0;
	}
}

/* Element i of an integer type exactly, a uint64 as its bit pattern; of a float type by onnx_sat_i64. */
static inline int64_t onnx_get_i(const void *p, int dt, size_t i)
{
	switch (dt) {
	case CELLA_ONNX_INT8: return ((const int8_t *)p)[i];
	case CELLA_ONNX_INT16: return ((const int16_t *)p)[i];
	case CELLA_ONNX_INT32: return ((const int32_t *)p)[i];
	case CELLA_ONNX_INT64: return ((const int64_t *)p)[i];
	case CELLA_ONNX_UINT8: return ((const uint8_t *)p)[i];
	case CELLA_ONNX_BOOL: return ((const uint8_t *)p)[i] != 0;
	case CELLA_ONNX_UINT16: return ((const uint16_t *)p)[i];
	case CELLA_ONNX_UINT32: return ((const uint32_t *)p)[i];
	case CELLA_ONNX_UINT64: return (int64_t)((const uint64_t *)p)[i];
	default: return onnx_sat_i64(onnx_get_d(p, dt, i));
	}
}

/* Writes v: to an integer type wrapped (its low bits, as integer Add and Mul wrap), to a float type rounded. */
static inline void onnx_put_i(void *p, int dt, size_t i, int64_t v)
{
	uint64_t u = (uint64_t)v;
	switch (dt) {
	case CELLA_ONNX_FLOAT: ((float *)p)[i] = (float)v; break;
	case CELLA_ONNX_DOUBLE: ((double *)p)[i] = (double)v; break;
	case CELLA_ONNX_INT8: ((int8_t *)p)[i] = (int8_t)(uint8_t)u; break;
	case CELLA_ONNX_INT16: ((int16_t *)p)[i] = (int16_t)(uint16_t)u; break;
	case CELLA_ONNX_INT32: ((int32_t *)p)[i] = (int32_t)(uint32_t)u; break;
	case CELLA_ONNX_INT64: ((int64_t *)p)[i] = v; break;
	case CELLA_ONNX_UINT8: ((uint8_t *)p)[i] = (uint8_t)u; break;
	case CELLA_ONNX_BOOL: ((uint8_t *)p)[i] = v != 0; break;
	case CELLA_ONNX_UINT16: ((uint16_t *)p)[i] = (uint16_t)u; break;
	case CELLA_ONNX_UINT32: ((uint32_t *)p)[i] = (uint32_t)u; break;
	case CELLA_ONNX_UINT64: ((uint64_t *)p)[i] = u; break;
	default: break;
	}
}

/* Writes v: to a float type rounded; to an integer type truncated toward zero and saturated to the type's range,
 * NaN as 0 (never an undefined conversion); to bool, v != 0. */
static inline void onnx_put_d(void *p, int dt, size_t i, double v)
{
	switch (dt) {
	case CELLA_ONNX_FLOAT: ((float *)p)[i] = (float)v; break;
	case CELLA_ONNX_DOUBLE: ((double *)p)[i] = v; break;
	case CELLA_ONNX_BOOL: ((uint8_t *)p)[i] = v != 0; break;
	case CELLA_ONNX_UINT64: /* above INT64_MAX: onnx_sat_i64 would stop at 2^63 - 1 */
		((uint64_t *)p)[i] = !(v > 0) ? 0 : v >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)v;
		break;
	default: {
		int64_t q = onnx_sat_i64(v), lo = onnx_int_limit(dt, 0), hi = onnx_int_limit(dt, 1);
		onnx_put_i(p, dt, i, q < lo ? lo : q > hi ? hi : q);
		break;
	}
	}
}

/* ---- helpers (engine.c) ---- */
/* Formats a message into m->msg and passes it to the log callback, if any (on the calling thread). */
void onnx_log(struct model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For op functions: returns r, with what went wrong in words ("index 7 is out of range...") for the message that
 * names the failing node (from the op's own thread, not from worker tasks). */
cella_result onnx_op_fail(struct exec *x, cella_result r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct tensor *onnx_op_in(struct exec *x, const struct node *n, int i);
int onnx_op_has_out(const struct node *n, int i);
CELLA_MUST_USE cella_result onnx_op_out(struct exec *x, struct node *n, int i, int dtype, int rank, const int64_t *dims,
				   struct tensor **out);
/* len bytes for a string an op makes (*p, to fill; len 0 gives a static empty string not to be written), in the run's
 * string arena: valid until the next run starts (strings of outputs folded at load are moved to the model's own
 * arena). CELLA_ERR_TOO_LARGE, named in the node's message, when the run's strings would take more than
 * max_tensor_bytes. */
CELLA_MUST_USE cella_result onnx_op_str(struct exec *x, size_t len, char **p);
/* Output i of n as a new, empty sequence of dtype (float16/bfloat16 held as float), owned by the output value. */
CELLA_MUST_USE cella_result onnx_op_seq_out(struct exec *x, struct node *n, int i, int dtype, struct onnx_seq **out);
/* Output i of n as sequence t holds it: taken over when t owns it (t then holds nothing), else copied (a sequence
 * t borrows from an enclosing graph or from a node's input stays where it is). If's and Loop's outputs. */
CELLA_MUST_USE cella_result onnx_op_seq_pass(struct exec *x, struct node *n, int i, struct tensor *t);
/* Output i of n as an empty optional of element type dtype (Optional without input; If, Loop and Identity passing
 * one on). */
CELLA_MUST_USE cella_result onnx_op_none_out(struct exec *x, struct node *n, int i, int dtype);
/* Output i of n as value t is, whatever its form: a tensor copied, a sequence passed on (onnx_op_seq_pass: taken
 * when t owns it), an empty optional as one. */
CELLA_MUST_USE cella_result onnx_op_pass(struct exec *x, struct node *n, int i, struct tensor *t);
/* outer blocks of row bytes: block b from src + b * src_stride + src_off to dst + b * dst_stride + dst_off (Concat,
 * Split and their sequence forms). */
static inline void onnx_copy_rows(void *dst, size_t dst_stride, size_t dst_off, const void *src, size_t src_stride,
				  size_t src_off, size_t row, int64_t outer)
{
	for (int64_t b = 0; b < outer && row; b++)
		memcpy((char *)dst + (size_t)b * dst_stride + dst_off, (const char *)src + (size_t)b * src_stride + src_off,
		       row);
}
/* Returns the slot's scratch memory of at least bytes (64-byte aligned); NULL on failure, and for a request above
 * max_tensor_bytes (the node then fails with CELLA_ERR_TOO_LARGE, not CELLA_ERR_OUT_OF_MEMORY). */
void *onnx_op_scratch(struct exec *x, int slot, size_t bytes);
struct sgemm;
/* sgemm_run, split by columns across the model's worker pool when there is one and the product is large. */
void onnx_op_sgemm(struct exec *x, const struct sgemm *s, float *scratch);
/* Data of a tensor whose values decide shapes; CELLA_ERR_NOT_FOUND during the shape pass if unknown. */
CELLA_MUST_USE cella_result onnx_op_need(struct exec *x, const struct tensor *t);
CELLA_MUST_USE cella_result onnx_op_read_ints(struct exec *x, const struct tensor *t, int64_t *v, int max, int *n);
int onnx_op_dry(const struct exec *x);
/* An element type's name, for messages. */
static inline const char *onnx_tname(int dt) { return cella_onnx_dtype_name((cella_onnx_dtype)dt); }
static inline int onnx_dtype_is_fp(int dt) { return dt == CELLA_ONNX_FLOAT || dt == CELLA_ONNX_DOUBLE; }
/* CELLA_OK for float or double; else CELLA_ERR_MODEL_UNSUPPORTED, "WHAT of type T is not supported (float or
 * double)" in the node's message. */
CELLA_MUST_USE cella_result onnx_op_need_fp(struct exec *x, int dtype, const char *what);
/* Stable merge sort of n elements of es bytes at base, with tmp room for n more: before(a, b, ctx) is true when a
 * goes strictly before b (equal elements keep their order). */
void onnx_msort(void *base, void *tmp, size_t n, size_t es,
		int (*before)(const void *a, const void *b, const void *ctx), const void *ctx);

/* The attribute as it is, whatever its type (the caller checks it), or NULL. */
const struct attr *onnx_attr_get(const struct node *n, const char *name);
/* Typed getters: the default when the attribute is absent. One present with another type (onnx_attr_f also takes an
 * INT) gives the default too and is recorded in n->attr_bad, so the node fails with CELLA_ERR_MODEL rather than
 * running with a value the model did not give. */
int64_t onnx_attr_i(struct node *n, const char *name, int64_t def);
/* onnx_attr_i for an attribute read as an int (flags, enums, types): one outside int's range gives the default and
 * is recorded like a wrong type (it was truncated: Cast to = 2^32 + 1 cast to float). */
int onnx_attr_int(struct node *n, const char *name, int def);
float onnx_attr_f(struct node *n, const char *name, float def);
const char *onnx_attr_s(struct node *n, const char *name, const char *def);
/* Returns the count (0 if absent). */
size_t onnx_attr_ints(struct node *n, const char *name, const int64_t **v);

size_t onnx_tensor_count(const struct tensor *t);
/*
 * Element count of dims (tensor_decode.c). CELLA_ERR_MODEL_SHAPE for a negative dim; CELLA_ERR_TOO_LARGE when the
 * product of the dims with every 0 taken as 1 exceeds limit: an empty tensor has no elements, but kernels loop over
 * its other dims, so they are bounded as a full tensor's are. Every tensor the engine handles passes this, which
 * also keeps the product of any subset of its dims within int64_t.
 */
CELLA_MUST_USE cella_result onnx_dims_count(const int64_t *dims, int rank, uint64_t limit, uint64_t *count);
/* Product of n dims that passed onnx_dims_count (saturating at INT64_MAX all the same). */
static inline int64_t onnx_dims_prod(const int64_t *d, int n)
{
	int64_t p = 1;
	for (int i = 0; i < n; i++)
		if (__builtin_mul_overflow(p, d[i], &p))
			return INT64_MAX;
	return p;
}
size_t onnx_dtype_size(int dtype);
/* Elements of dtype within max_bytes: 0 for a type without a size, so a limit never divides by 0. */
uint64_t onnx_max_count(uint64_t max_bytes, int dtype);
int onnx_normalize_axis(int64_t axis, int rank, int *out);

/* a and b have the same rank and dims. */
static inline int onnx_same_dims(const struct tensor *a, const struct tensor *b)
{
	if (a->rank != b->rank)
		return 0;
	for (int d = 0; d < a->rank; d++)
		if (a->dims[d] != b->dims[d])
			return 0;
	return 1;
}
/* t's dims as "[2, 3]" in buf, for messages (cap bytes; ONNX_DIMS_STR holds any shape). */
#define ONNX_DIMS_STR (MAXR * 22 + 3)
const char *onnx_dims_str(const struct tensor *t, char *buf, size_t cap);

/* Pointer to the graph value slot. */
static inline struct value *gval(struct graph *g, int i) { return &g->values[i]; }

/* Steps a row-major multi-index over dims (last axis fastest), wrapping to all zeros after the last element. */
static inline void onnx_index_next(int64_t *idx, const int64_t *dims, int rank)
{
	for (int d = rank - 1; d >= 0; d--) {
		if (++idx[d] < dims[d])
			return;
		idx[d] = 0;
	}
}

/* A value to rank with its index (ops_misc.c: TopK, NonMaxSuppression). */
struct onnx_kv {
	double v;
	int64_t iv; /* the value itself for int64 (exact where v rounds, above 2^53), else 0 */
	int64_t i;
};
/* Stable merge sort of p[0..n) by value, largest first if largest (else smallest), ties by smaller index; NaN ranks
 * above every number. tmp holds n elements. */
void onnx_kv_sort(struct onnx_kv *p, struct onnx_kv *tmp, size_t n, int largest);

/* The window attributes of MaxPool, AveragePool and MaxUnpool (ops_nn.c): kernel_shape (required, 1 to 3 values in
 * [1, 2^20]) gives the spatial dims; strides (in [1, 2^20]), pads (in [0, 2^24]) and dilations have as many values
 * (pads twice as many), auto_pad is one of ONNX's four. Needs no input shape, so it runs at load (the op's prepare)
 * even when the input's shape is known only at a run. Refusals are named: CELLA_ERR_MODEL for a missing kernel_shape
 * or a list of the wrong length, CELLA_ERR_MODEL_SHAPE for a value out of bounds. */
CELLA_MUST_USE cella_result onnx_pool_attrs(struct exec *x, struct node *n);

/* ---- tensor decode (tensor_decode.c) ---- */
struct Onnx__TensorProto;
/* p's tensor into t, its data in *mem (malloc'ed; t->data points there). p must come from a protobuf-c unpack with
 * the default allocator: on success its raw_data block is taken over, not copied, and p is left without it. */
CELLA_MUST_USE cella_result onnx_tensor_from_proto(struct Onnx__TensorProto *p, struct tensor *t, void **mem);

/* ---- subgraph execution (engine.c) ---- */
CELLA_MUST_USE cella_result onnx_graph_run(struct exec *parent, struct graph *g);
/* Releases a subgraph's remaining buffers once its outputs have been copied out. */
void onnx_graph_done(struct model *m, struct graph *g);
/* Binds subgraph input i to t as it is (data, sequence or none), borrowed for one run of the subgraph. */
void onnx_graph_bind(struct graph *g, int i, const struct tensor *t);

/* ---- op table (ops_*.c) ---- */
/* The operator domains the engine has: the default one ("" or "ai.onnx"), and ai.onnx.preview.training (the
 * optimizers of ops_training.c) at opsets 1..ONNX_TRAINING_MAX_OPSET. */
enum { ONNX_DOMAIN_DEFAULT = 0, ONNX_DOMAIN_TRAINING = 1 };
#define ONNX_TRAINING_DOMAIN "ai.onnx.preview.training"
#define ONNX_TRAINING_MAX_OPSET 1
/* The definition of operator name in domain (ONNX_DOMAIN_*) at that domain's opset, or NULL. */
const struct op_def *onnx_op_lookup(int domain, const char *name, int opset);
extern const struct op_def onnx_ops_elementwise[], onnx_ops_nn[], onnx_ops_shape[], onnx_ops_misc[], onnx_ops_extra[],
	onnx_ops_grid[], onnx_ops_vision[], onnx_ops_linalg[], onnx_ops_quant[], onnx_ops_signal[], onnx_ops_text[],
	onnx_ops_seq[], onnx_ops_training[];

/* The `output_datatype` attribute of the window operators and MelWeightMatrix (ops_linalg.c): float when absent,
 * else a numeric type the engine computes (no bool, float16 or bfloat16). CELLA_ERR_MODEL for a value that is no
 * element type, CELLA_ERR_MODEL_UNSUPPORTED for another type, named. */
CELLA_MUST_USE cella_result onnx_op_output_datatype(struct exec *x, struct node *n, int *odt);

/* ---- geometry shared by the float and the integer operators (ops_nn.c) ---- */
#define ONNX_MAXSP 3 /* spatial dims handled by Conv/Pool */

/* A convolution or pooling window over nsp spatial dims: input, output and kernel sizes, strides, dilations and
 * the pads before and after each dim. */
struct onnx_win {
	int nsp;
	int64_t in[ONNX_MAXSP], out[ONNX_MAXSP], k[ONNX_MAXSP], s[ONNX_MAXSP], d[ONNX_MAXSP], pb[ONNX_MAXSP],
		pe[ONNX_MAXSP];
};
/* Conv's geometry for input xt [N, C, spatial...] and weight wt [M, C / group, kernel...] (also ConvInteger's and
 * QLinearConv's): kernel_shape agrees with the weight, the ranks agree, group divides C and M, and the window
 * attributes (strides, dilations, pads, auto_pad) are checked and applied. Sets *w and *group; a failure is named
 * in the node's message (CELLA_ERR_MODEL for a malformed attribute, CELLA_ERR_MODEL_SHAPE for shapes). */
CELLA_MUST_USE cella_result onnx_conv_geometry(struct exec *x, struct node *n, const struct tensor *xt,
					       const struct tensor *wt, struct onnx_win *w, int64_t *group);
/* At load, for a Conv-like node whose weight (input w_index) has a known rank: its kernel and window attributes,
 * so that a malformed one is refused at load even when the input's shape is known only at run. */
CELLA_MUST_USE cella_result onnx_conv_attrs_at_load(struct exec *x, struct node *n, int w_index);

/* numpy.matmul's shapes for a [..., M, K] times b [..., K, N] (1-D operands promoted, batch dims broadcast). */
struct onnx_mm {
	int64_t M, K, N, batches;
	int nb;                     /* broadcast batch dims */
	int64_t od[MAXR];           /* batch dims, then M, N */
	int64_t ast[MAXR], bst[MAXR]; /* a's and b's stride per batch dim, in matrices (0: broadcast) */
	int outr;                   /* the output's rank and dims (promoted dims dropped) */
	int64_t outd[MAXR];
};
/* CELLA_ERR_MODEL_SHAPE when the shapes do not combine. */
CELLA_MUST_USE cella_result onnx_matmul_shape(const struct tensor *a, const struct tensor *b, struct onnx_mm *mm);
/* The matrices of a and b (their offsets in matrices) that batch bi of the output multiplies. */
void onnx_matmul_batch(const struct onnx_mm *mm, int64_t bi, int64_t *oa, int64_t *ob);

/* ---- quantization (ops_extra.c) ---- */
/* Writes saturate(round_half_to_even(v) + zp) to element i of integer type dt (the ONNX quantization formula,
 * QuantizeLinear's and the quantized operators'); NaN gives 0. */
void onnx_quant_put(void *p, int dt, size_t i, double v, int64_t zp);

/* ---- kernels ---- */
struct sgemm {
	size_t M, N, K;
	const float *A;
	ptrdiff_t a_rs, a_cs;
	const float *B;
	ptrdiff_t b_rs, b_cs;
	float *C;
	size_t ldc;
	float alpha;
	int accumulate;        /* C = alpha*A*B + C instead of alpha*A*B */
	const float *bias_m;   /* per row */
	const float *bias_n;   /* per column */
	const float *packed_a; /* from sgemm_pack_a with the same kernel, or NULL */
	/* B packed at load by onnx_sgemm_pack_b with the same kernel, or NULL (B, b_rs and b_cs are then ignored):
	 * the whole B, of packed_np columns rounded up (j_off counts into it) */
	const float *packed_b;
	size_t packed_np;
	/* Optional B packer (e.g. im2col straight into panels): rows [k0, k0+kc), cols [j0, j0+nc), NR-wide
	 * panels of kc x nr floats, zero-padded. B, b_rs and b_cs are ignored when set. */
	void (*pack_b)(const void *ctx, size_t k0, size_t kc, size_t j0, size_t nc, int nr, float *dst);
	const void *pack_ctx;
	size_t j_off;          /* column offset passed to pack_b (set by the parallel splitter) */
	int act;
	float act_a, act_b;
};
/* C [M x N] (row stride N) = A [M x K] B [K x N], both row-major, plus bias_m per row (NULL: none): a convolution
 * group's product (Conv, DeformConv); the caller sets any other field. */
static inline struct sgemm onnx_sgemm_rows(size_t M, size_t N, size_t K, const float *A, const float *B, float *C,
					   const float *bias_m)
{
	struct sgemm s = { 0 };
	s.M = M;
	s.N = N;
	s.K = K;
	s.A = A;
	s.a_rs = (ptrdiff_t)K;
	s.a_cs = 1;
	s.B = B;
	s.b_rs = (ptrdiff_t)N;
	s.b_cs = 1;
	s.C = C;
	s.ldc = N;
	s.alpha = 1.0f;
	s.bias_m = bias_m;
	return s;
}
void onnx_gemm_select(struct gemm_kernel *gk, uint32_t disable);
size_t onnx_sgemm_packed_a_floats(const struct gemm_kernel *gk, size_t M, size_t K);
void onnx_sgemm_pack_a(const struct gemm_kernel *gk, size_t M, size_t K, const float *A, ptrdiff_t rs, ptrdiff_t cs,
		  float alpha, float *dst);
/* B [K x N] (element (k, j) at k * rs + j * cs) packed once for onnx_sgemm_run (sgemm.packed_b): per block of kc
 * rows, NR-wide panels of kc x NR floats, zero-padded to *np columns, a multiple of NR (onnx_sgemm_packed_b_floats
 * floats in all). */
size_t onnx_sgemm_packed_b_floats(const struct gemm_kernel *gk, size_t K, size_t N, size_t *np);
void onnx_sgemm_pack_b(const struct gemm_kernel *gk, size_t K, size_t N, const float *B, ptrdiff_t rs, ptrdiff_t cs,
		       float *dst);
size_t onnx_sgemm_scratch_floats(const struct gemm_kernel *gk);
void onnx_sgemm_run(const struct gemm_kernel *gk, const struct sgemm *s, float *scratch);
void onnx_act_apply(float *p, size_t n, int act, float a, float b);
/* y = act(x); x and y may be the same buffer. */
void onnx_act_map(const float *x, float *y, size_t n, int act, float a, float b);

/* CPU feature probe (cpu_x86.c): bit 0 AVX2+FMA usable, bit 1 AVX-512F usable. */
uint32_t onnx_cpu_features(void);
void onnx_ukr_avx2(size_t kc, const float *pa, const float *pb, size_t ldb, float *c, size_t ldc, int load_c);
void onnx_ukr_avx512(size_t kc, const float *pa, const float *pb, size_t ldb, float *c, size_t ldc, int load_c);
void onnx_ukr_row_avx2(size_t kc, const float *pa, size_t mr, const float *pb, size_t ldb, size_t pstride, float *c,
		       int load_c, size_t np);
void onnx_ukr_row_avx512(size_t kc, const float *pa, size_t mr, const float *pb, size_t ldb, size_t pstride, float *c,
			 int load_c, size_t np);

/* Deterministic math shared by every world (mathf.c), so enclave and host builds agree bit for bit. */
float onnx_expf(float x);
/* y[i] = onnx_expf(x[i] - shift) for i < n, each bit for bit the scalar function's, several at a time (sixteen with
 * avx512, which the caller sets only where the CPU has it: gemm_kernel.avx512). */
void onnx_expf_shifted(const float *x, float *y, size_t n, float shift, bool avx512);
float onnx_tanhf(float x);
float onnx_erff(float x);
/* The functions onnx_mathf_map applies: erf, Gelu's exact form 0.5 x (1 + erf(x / sqrt 2)), sigmoid, tanh. */
enum { ONNX_MATHF_ERF, ONNX_MATHF_GELU, ONNX_MATHF_SIGMOID, ONNX_MATHF_TANH };
/* fn (an ONNX_MATHF_*) of one float, by the scalar functions above */
float onnx_mathf1(int fn, float v);
/* y[i] = onnx_mathf1(fn, x[i]) for i < n, each bit for bit, several at a time (sixteen with avx512, as
 * onnx_expf_shifted); y may be x. */
void onnx_mathf_map(int fn, const float *x, float *y, size_t n, bool avx512);
/* onnx_expf's polynomial, onnx_erff's (A for |x| <= 1, B for 1 < |x| < 4): mathf.c, shared with its vector forms */
extern const float onnx_exp_poly[8];
extern const double onnx_erf_a[8], onnx_erf_b[13];
/* The AVX-512F forms (mathf_avx512.c) of the two above: they do the first n rounded down to 16 and return that. */
size_t onnx_expf_shifted_avx512(const float *x, float *y, size_t n, float shift);
size_t onnx_mathf_map_avx512(int fn, const float *x, float *y, size_t n);
float onnx_sigmoidf(float x);

#endif
