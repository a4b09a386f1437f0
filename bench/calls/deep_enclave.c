// SPDX-License-Identifier: MIT
/* Enclave for the deep case of bench/calls: loops of generated-stub ocalls (see deep.edl). */
#include "bench_calls.h"
#include "deep_t.h"

uint64_t bd_loop(uint64_t count, uint32_t kind)
{
	uint8_t a[16] = {0}, b[16] = {0};
	struct bmsg m[2] = {{sizeof(a), a}, {sizeof(b), b}};
	uint64_t ok = 0;
	if (kind == BD_OVERLAP)
		m[1].data = a; /* both buffers the same: the copy-back regions overlap, the call is refused */
	for (uint64_t i = 0; i < count; i++) {
		cella_result r = kind == BD_EMPTY ? od_empty() : od_msgs(m);
		ok += kind == BD_OVERLAP ? r == CELLA_ERR_INVALID_ARG : r == CELLA_OK;
	}
	return ok;
}
