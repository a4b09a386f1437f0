// SPDX-License-Identifier: MIT
/*
 * Enclave for the inside-vs-outside ONNX benchmark. Ecall 0 loads a model (kept for later calls); ecall 1 runs
 * it on one float32 input: in = u32 rank, u32 0, i64 dims[8], raw floats; out = output 0's bytes. Ecall 2 is the
 * runtime's heap statistics.
 */
#include <cella/enclave.h>
#include <cella/onnx.h>
#include <string.h>

static struct cella_onnx_model *model;

static cella_result load(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)out, (void)on, (void)w;
	cella_onnx_model_free(model);
	model = NULL;
	return cella_onnx_model_new(in, n, NULL, &model);
}

static cella_result run(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_onnx_tensor t, res;
	uint32_t rank;
	cella_result r;
	if (!model)
		return CELLA_ERR_INVALID_STATE;
	if (n < 72)
		return CELLA_ERR_INVALID_ARG;
	memset(&t, 0, sizeof(t));
	memcpy(&rank, in, 4);
	if (rank == 0 || rank > 8 || rank > CELLA_ONNX_MAX_RANK)
		return CELLA_ERR_INVALID_ARG;
	t.dtype = CELLA_ONNX_FLOAT;
	t.rank = rank;
	memcpy(t.dims, in + 8, sizeof(int64_t) * rank);
	t.data = (void *)(in + 72); /* the runtime's private copy of the input */
	t.bytes = n - 72;
	if (cella_onnx_tensor_count(&t) * 4 != t.bytes)
		return CELLA_ERR_INVALID_ARG;
	r = cella_onnx_model_run(model, &t, 1, &res, 1);
	if (r != CELLA_OK)
		return r;
	if (res.bytes > on)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, res.data, res.bytes);
	*w = res.bytes;
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	{load, CELLA_ECALL_PUBLIC}, {run, CELLA_ECALL_PUBLIC}, {cella_heap_stats_ecall, CELLA_ECALL_PUBLIC}};
const uint32_t cella_ecall_count = 3;
