// SPDX-License-Identifier: MIT
/*
 * The ONNX engine inside an enclave (musl, no syscalls, no threads). Ecall 0 loads a model and runs it; ecall 1
 * reports the enclave heap's statistics.
 * in:  u32 n_inputs, u32 0, u64 model_len, model bytes, then per input u64 len + its serialized value (a
 *      TensorProto, SequenceProto or OptionalProto, as the model declares the input; 8-aligned)
 * out: output 0 as value_wire.h lays it out
 */
#include <cella/enclave.h>
#include <cella/onnx.h>
#include <string.h>

#include "value_wire.h"

#define MAX_INPUTS 8

static bool take(const uint8_t *in, size_t n, size_t *pos, size_t len, const uint8_t **p)
{
	if (*pos > n || len > n - *pos)
		return false;
	*p = in + *pos;
	*pos += (len + 7) & ~(size_t)7;
	return true;
}

static cella_result run(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t n_in;
	uint64_t mlen, len;
	const uint8_t *p, *model;
	size_t pos = 0;
	struct cella_onnx_value inputs[MAX_INPUTS], result;
	struct cella_onnx_model *m = NULL;
	cella_result r = CELLA_ERR_MARSHAL;
	uint32_t k = 0;

	memset(inputs, 0, sizeof(inputs));
	if (!take(in, n, &pos, 4, &p))
		return CELLA_ERR_MARSHAL;
	memcpy(&n_in, p, 4);
	if (n_in > MAX_INPUTS || !take(in, n, &pos, 8, &p))
		return CELLA_ERR_MARSHAL;
	memcpy(&mlen, p, 8);
	if (!take(in, n, &pos, mlen, &model))
		return CELLA_ERR_MARSHAL;
	r = cella_onnx_model_new(model, mlen, NULL, &m);
	if (r != CELLA_OK)
		return r;
	for (k = 0; k < n_in; k++) {
		r = CELLA_ERR_MARSHAL;
		if (!take(in, n, &pos, 8, &p))
			goto out;
		memcpy(&len, p, 8);
		if (!take(in, n, &pos, len, &p))
			goto out;
		r = cella_onnx_value_decode(p, len, cella_onnx_model_input_form(m, k), &inputs[k]);
		if (r != CELLA_OK)
			goto out;
	}
	r = cella_onnx_model_run_values(m, inputs, n_in, &result, 1);
	if (r != CELLA_OK)
		goto out;
	if (!(*w = value_wire_put(&result, out, on)))
		r = CELLA_ERR_BUFFER_TOO_SMALL;
out:
	for (uint32_t i = 0; i < n_in && i < MAX_INPUTS; i++)
		cella_onnx_value_fini(&inputs[i]);
	cella_onnx_model_free(m);
	return r;
}

const struct cella_ecall_entry cella_ecall_table[] = {{run, CELLA_ECALL_PUBLIC}, {cella_heap_stats_ecall, CELLA_ECALL_PUBLIC}};
const uint32_t cella_ecall_count = 2;
