/* SPDX-License-Identifier: MIT */
/* ONNX inference engine: load a model from bytes, run it on caller tensors. Host and enclave alike. */
#ifndef CELLA_ONNX_H
#define CELLA_ONNX_H

#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types; values are ONNX TensorProto.DataType. */
typedef enum cella_onnx_dtype {
	CELLA_ONNX_UNDEFINED = 0,
	CELLA_ONNX_FLOAT = 1,
	CELLA_ONNX_UINT8 = 2,
	CELLA_ONNX_INT8 = 3,
	CELLA_ONNX_UINT16 = 4,
	CELLA_ONNX_INT16 = 5,
	CELLA_ONNX_INT32 = 6,
	CELLA_ONNX_INT64 = 7,
	CELLA_ONNX_STRING = 8,   /* one struct cella_onnx_string per element (below) */
	CELLA_ONNX_BOOL = 9,     /* one byte per element, 0 or 1 */
	CELLA_ONNX_FLOAT16 = 10,  /* IEEE 754 binary16, as uint16_t bits; computed in float32 (docs/onnx.md) */
	CELLA_ONNX_DOUBLE = 11,
	CELLA_ONNX_UINT32 = 12,
	CELLA_ONNX_UINT64 = 13,
	CELLA_ONNX_BFLOAT16 = 16, /* the upper half of a float32, as uint16_t bits; computed in float32 */
} cella_onnx_dtype;

#define CELLA_ONNX_MAX_RANK 8
/* The largest max_tensor_bytes (2^40 bytes, 1 TiB), and the most data a decoded tensor may hold. */
#define CELLA_ONNX_MAX_TENSOR_BYTES ((uint64_t)1 << 40)

/*
 * A dense, row-major tensor. dims[i] == -1 in model info means "dynamic". data points to
 * element_count * cella_onnx_dtype_size(dtype) bytes, little-endian.
 */
struct cella_onnx_tensor {
	cella_onnx_dtype dtype;
	uint32_t rank;
	int64_t dims[CELLA_ONNX_MAX_RANK];
	void *data;
	size_t bytes;
};

/*
 * An element of a CELLA_ONNX_STRING tensor, whose data is an array of these (bytes = element count *
 * sizeof(struct cella_onnx_string)): len bytes at data, not NUL-terminated, which may hold any byte, NUL included;
 * data may be NULL only when len is 0. The engine copies a string input's bytes in when a run starts; a string
 * output points into memory of the model's, valid until the next run or cella_onnx_model_free, as its other outputs.
 */
struct cella_onnx_string {
	const char *data;
	size_t len;
};

/* Kernel families that cella_onnx_options.cpu_disable can switch off (the portable C path always exists). */
#define CELLA_ONNX_CPU_AVX2 0x1u   /* AVX2 + FMA micro-kernels */
#define CELLA_ONNX_CPU_AVX512 0x2u /* AVX-512F micro-kernels */

/* Load options; an all-zero struct (or NULL) gives the defaults. */
struct cella_onnx_options {
	/* Called with one line of text for each load error (unsupported operator names, bad shapes...) and each run
	 * error (which input, or which node and what it found: "node 'g' (Gather): ... index 7 is out of range..."),
	 * on the thread calling cella_onnx_model_new or cella_onnx_model_run. Optional. log and log_ctx stay in use
	 * until cella_onnx_model_free; a callback shared by models run on several threads must be thread-safe. */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
	/* Kernel families not to use even when the CPU has them (CELLA_ONNX_CPU_*). Use the same value in
	 * every world whose outputs must be bit-identical. */
	uint32_t cpu_disable;
	/* Worker threads for host builds with thread support; 0 or 1 = single-threaded (the enclave default). */
	uint32_t threads;
	/* Largest single tensor the engine will allocate or take as a run input, in bytes; 0 = 1 GiB, and values
	 * above CELLA_ONNX_MAX_TENSOR_BYTES are taken as CELLA_ONNX_MAX_TENSOR_BYTES. A tensor with a 0 dim is held
	 * to it as if each 0 were 1: it has no elements, but the loops over its other dims still run. The bytes of the
	 * strings one run takes in and makes are held to it too, in all. */
	uint64_t max_tensor_bytes;
	/* Most iterations one run of one Loop node may take; 0 = 2^24. ONNX lets a Loop without a trip count and
	 * whose condition stays true run for ever: past this it fails with CELLA_ERR_TOO_LARGE, naming the node. */
	uint64_t max_loop_iterations;
};

struct cella_onnx_model; /* opaque */

/* Memory figures of a loaded model. */
struct cella_onnx_stats {
	uint64_t weight_bytes;     /* constants and pre-packed weights (a weight only its Conv reads: packed only) */
	uint64_t arena_bytes;      /* activation buffers currently held for reuse */
	uint64_t arena_peak_bytes; /* most activation bytes held at once since load */
	uint32_t nodes;            /* executable nodes after constant folding and fusion */
};

/*
 * Parses and prepares a model (IR 3..10, default-domain opsets 1..21, ai.onnx.preview.training opset 1): decodes
 * the protobuf, checks every operator and opset, sorts the graph, folds constants, infers static shapes, pre-packs
 * weights.
 * bytes: borrowed, only during the call. opt: borrowed, may be NULL. out: written only on success.
 * Errors: CELLA_ERR_INVALID_ARG, CELLA_ERR_MODEL (malformed protobuf or graph, cycles, dangling names),
 * CELLA_ERR_MODEL_UNSUPPORTED (operator, domain, opset or type; its name is logged),
 * CELLA_ERR_MODEL_SHAPE (statically inconsistent shapes), CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_TOO_LARGE.
 * Thread-safety: a model is used by one thread at a time; distinct models are independent.
 */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_model_new(const void *bytes, size_t len,
							    const struct cella_onnx_options *opt,
							    struct cella_onnx_model **out) CELLA_NONNULL(4);
/* Frees a model; NULL is a no-op. Output tensors returned by cella_onnx_model_run become invalid. */
CELLA_API void cella_onnx_model_free(struct cella_onnx_model *m);

/* Number of graph inputs the caller must supply (initializers excluded) and of graph outputs. */
CELLA_API size_t cella_onnx_model_input_count(const struct cella_onnx_model *m) CELLA_NONNULL(1);
CELLA_API size_t cella_onnx_model_output_count(const struct cella_onnx_model *m) CELLA_NONNULL(1);
/* Name (static for the model's lifetime) and declared type/shape (dims -1 = dynamic, data NULL) of input or
 * output i. Errors: CELLA_ERR_NOT_FOUND if i is out of range. */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_model_input_info(const struct cella_onnx_model *m, size_t i,
								   const char **name,
								   struct cella_onnx_tensor *info)
	CELLA_NONNULL(1, 3, 4);
CELLA_API CELLA_MUST_USE cella_result cella_onnx_model_output_info(const struct cella_onnx_model *m, size_t i,
								    const char **name,
								    struct cella_onnx_tensor *info)
	CELLA_NONNULL(1, 3, 4);

/*
 * Runs a model whose inputs and outputs are all tensors (else CELLA_ERR_INVALID_ARG, naming the first that is
 * not: see cella_onnx_model_run_values). inputs[i] corresponds to input i (borrowed; must match the declared type
 * and any fixed dims; a string input's records and bytes are copied in when the run starts). outputs: n_out slots
 * (out), filled with views of engine-owned memory that stay valid until the next run or cella_onnx_model_free.
 * Errors: CELLA_ERR_INVALID_ARG (count, type or fixed-dim mismatch, a string of len > 0 with NULL data),
 * CELLA_ERR_MODEL_SHAPE (shapes that the graph cannot combine), CELLA_ERR_MODEL (out-of-range indices in the
 * data, e.g. Gather), CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_TOO_LARGE (a tensor, input or computed, or the run's
 * string bytes over max_tensor_bytes). Each failure is described to opt->log. A failed run leaves the model usable.
 */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_model_run(struct cella_onnx_model *m,
							    const struct cella_onnx_tensor *inputs, size_t n_in,
							    struct cella_onnx_tensor *outputs, size_t n_out)
	CELLA_NONNULL(1);

/*
 * Models whose inputs or outputs are ONNX sequences or optionals. The form of input or output i (0 for a tensor,
 * else CELLA_ONNX_FORM_* bits, CELLA_ONNX_FORM_NOT_FOUND when i is out of range); *_info above gives its declared
 * element type and, for a sequence, the declared shape of each of its tensors.
 */
#define CELLA_ONNX_FORM_SEQUENCE 0x1u /* a sequence of tensors of one element type */
#define CELLA_ONNX_FORM_OPTIONAL 0x2u /* an optional: a value of the rest of the form, or none */
#define CELLA_ONNX_FORM_NOT_FOUND 0xffffffffu
CELLA_API uint32_t cella_onnx_model_input_form(const struct cella_onnx_model *m, size_t i) CELLA_NONNULL(1);
CELLA_API uint32_t cella_onnx_model_output_form(const struct cella_onnx_model *m, size_t i) CELLA_NONNULL(1);

/* A model input or output of any form. */
typedef enum cella_onnx_value_kind {
	CELLA_ONNX_VALUE_TENSOR = 0,
	CELLA_ONNX_VALUE_SEQUENCE = 1,
	CELLA_ONNX_VALUE_NONE = 2, /* an optional without a value */
} cella_onnx_value_kind;

struct cella_onnx_value {
	cella_onnx_value_kind kind;
	/* TENSOR: the tensor. SEQUENCE: only tensor.dtype, its tensors' element type (an empty sequence has one too).
	 * NONE: tensor.dtype, the element type, is informative only. */
	struct cella_onnx_tensor tensor;
	const struct cella_onnx_tensor *items; /* SEQUENCE: n_items tensors, each of type tensor.dtype */
	size_t n_items;
};

/*
 * cella_onnx_model_run for values of any form: inputs[i] must be of input i's form (a tensor or a sequence; NONE
 * only where the form has CELLA_ONNX_FORM_OPTIONAL), each tensor checked as cella_onnx_model_run checks an input
 * (for a sequence's tensors: against the declared shape of its tensors); at most max_tensor_bytes of tensor
 * descriptions per sequence. A sequence given is copied into the engine (its tensors' data included); one
 * returned is engine-owned, items and data alike, until the next run or cella_onnx_model_free. Errors: those of
 * cella_onnx_model_run; CELLA_ERR_INVALID_ARG for a value of the wrong kind, naming the input.
 */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_model_run_values(struct cella_onnx_model *m,
								   const struct cella_onnx_value *inputs, size_t n_in,
								   struct cella_onnx_value *outputs, size_t n_out)
	CELLA_NONNULL(1);

CELLA_API void cella_onnx_model_stats(const struct cella_onnx_model *m, struct cella_onnx_stats *out)
	CELLA_NONNULL(1, 2);

/*
 * Decodes a serialized onnx.TensorProto (raw_data or typed fields, packed or unpacked dims; a string tensor's
 * string_data). out: on success holds heap data the caller releases with cella_onnx_tensor_fini (a string tensor's
 * records and their bytes are one block).
 * Errors: CELLA_ERR_MODEL (malformed), CELLA_ERR_MODEL_UNSUPPORTED (type, rank over CELLA_ONNX_MAX_RANK, external
 * data or segments), CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_TOO_LARGE (the dims, each 0 taken as 1, give more than
 * CELLA_ONNX_MAX_TENSOR_BYTES of data),
 * CELLA_ERR_INVALID_ARG (bytes NULL with len not 0).
 */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_tensor_decode(const void *bytes, size_t len,
								struct cella_onnx_tensor *out) CELLA_NONNULL(3);
/* Frees data from cella_onnx_tensor_decode and zeroes the struct; repeated calls are no-ops. */
CELLA_API void cella_onnx_tensor_fini(struct cella_onnx_tensor *t);
/*
 * Serializes t as an onnx.TensorProto: dims, data_type, name (omitted when NULL) and the elements as raw_data (ONNX's
 * little-endian form) or, for a string tensor, string_data; what cella_onnx_tensor_decode reads back. *out: malloc'd,
 * the caller frees it; *len its size (*out NULL and *len 0 on failure). Errors: CELLA_ERR_INVALID_ARG (an unsupported
 * dtype, rank over CELLA_ONNX_MAX_RANK, a negative dim, bytes other than the dims' element count times the element
 * size, NULL data with elements, a string of len > 0 with NULL data), CELLA_ERR_TOO_LARGE (the dims give more than
 * CELLA_ONNX_MAX_TENSOR_BYTES), CELLA_ERR_OUT_OF_MEMORY.
 */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_tensor_encode(const struct cella_onnx_tensor *t, const char *name,
								uint8_t **out, size_t *len) CELLA_NONNULL(1, 3, 4);
/* A serialized value of the given form (CELLA_ONNX_FORM_* bits): a TensorProto for 0, a SequenceProto (of
 * tensors) for CELLA_ONNX_FORM_SEQUENCE, an OptionalProto for forms with CELLA_ONNX_FORM_OPTIONAL (it may hold
 * nothing: kind NONE). Each tensor as cella_onnx_tensor_decode decodes it; out's memory is the caller's, freed
 * with cella_onnx_value_fini. Errors: CELLA_ERR_INVALID_ARG (NULL bytes with a length, an unknown form),
 * CELLA_ERR_MODEL (not a message of that form, or one whose elements contradict its declared type),
 * CELLA_ERR_MODEL_UNSUPPORTED (sparse tensors, maps, nested sequences or optionals, an unsupported element
 * type), CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_TOO_LARGE. */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_value_decode(const void *bytes, size_t len, uint32_t form,
							       struct cella_onnx_value *out) CELLA_NONNULL(4);
/* Frees what cella_onnx_value_decode allocated and zeroes the struct; repeated calls are no-ops. */
CELLA_API void cella_onnx_value_fini(struct cella_onnx_value *v);

/* Bytes per element (0 for unsupported types) and the ONNX name ("float", "int64"...). */
CELLA_API size_t cella_onnx_dtype_size(cella_onnx_dtype t);
CELLA_API const char *cella_onnx_dtype_name(cella_onnx_dtype t);
/* float16 and bfloat16 elements (t: CELLA_ONNX_FLOAT16 or CELLA_ONNX_BFLOAT16; any other t is taken as float16)
 * from and to float: widening is exact; narrowing rounds to nearest, ties to even, past the largest finite value
 * to infinity, and keeps a NaN a NaN of the same sign. */
CELLA_API float cella_onnx_half_to_float(uint16_t h, cella_onnx_dtype t);
CELLA_API uint16_t cella_onnx_float_to_half(float f, cella_onnx_dtype t);
/* Product of dims; 0 for a tensor with a zero dim, 1 for rank 0. */
CELLA_API uint64_t cella_onnx_tensor_count(const struct cella_onnx_tensor *t) CELLA_NONNULL(1);

/* Host builds only (src/onnx/model_file.c): reads a file, then cella_onnx_model_new. CELLA_ERR_NO_FILE,
 * CELLA_ERR_IO (a directory or other non-regular file, or a path that cannot be read) besides the errors above. */
CELLA_API CELLA_MUST_USE cella_result cella_onnx_model_load_file(const char *path,
								  const struct cella_onnx_options *opt,
								  struct cella_onnx_model **out) CELLA_NONNULL(1, 3);

#ifdef __cplusplus
}
#endif
#endif
