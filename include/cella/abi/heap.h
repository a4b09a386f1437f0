/* SPDX-License-Identifier: MIT */
/* The enclave heap's statistics (cella_heap_stats, <cella/enclave.h>), a layout both worlds read: the bytes
 * cella_heap_stats_ecall gives the host. Little-endian; size asserted. */
#ifndef CELLA_ABI_HEAP_H
#define CELLA_ABI_HEAP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The enclave heap as the runtime's page allocator sees it (musl's malloc sits on top). */
struct cella_heap_stats {
	uint64_t heap_bytes;      /* allocatable bytes */
	uint64_t used_bytes;      /* pages currently handed out */
	uint64_t peak_used_bytes; /* the most used_bytes has been since the enclave started */
	uint64_t map_calls;       /* page allocations (malloc's mmap) */
	uint64_t unmap_calls;
	uint64_t zeroed_bytes;    /* freed pages are zeroed before reuse */
	uint64_t failed_maps;     /* allocations refused for lack of space */
};
_Static_assert(sizeof(struct cella_heap_stats) == 56, "cella_heap_stats layout");

#ifdef __cplusplus
}
#endif

#endif
