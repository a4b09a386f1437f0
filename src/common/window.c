// SPDX-License-Identifier: MIT
#include "window.h"

#include <cella/types.h>

/* No mappable window comes near this; below it, the sums below (each term <= win_bytes, times <= 256) cannot wrap. */
#define WINDOW_MAX_BYTES (1ull << 48)

/* see window.h */
bool cella_window_header_ok(const struct cella_abi_window *h, uint64_t win_bytes, uint64_t tcs)
{
	uint64_t slots_end, bufs_end, arena_end;
	if (tcs == 0 || tcs > 256 || win_bytes >= WINDOW_MAX_BYTES)
		return false;
	if (h->magic != CELLA_WINDOW_MAGIC || h->abi_version != CELLA_WINDOW_ABI_VERSION || h->tcs_count != tcs ||
	    h->window_bytes != win_bytes)
		return false;
	/* the header page holds the header and the futex counters (cella/abi/window.h): the slots come after it */
	if (h->slots_off < CELLA_PAGE_BYTES || h->slots_off % 64 || h->bufs_off % CELLA_PAGE_BYTES ||
	    h->slot_buf_bytes % CELLA_PAGE_BYTES || h->slot_buf_bytes == 0 || h->arena_off % CELLA_PAGE_BYTES)
		return false;
	if (h->slot_buf_bytes > win_bytes || h->arena_bytes > win_bytes || h->slots_off > win_bytes ||
	    h->bufs_off > win_bytes || h->arena_off > win_bytes)
		return false;
	/* every term is at most win_bytes (< 2^48) times at most 256: no wrap */
	slots_end = h->slots_off + tcs * sizeof(struct cella_abi_slot);
	bufs_end = h->bufs_off + tcs * h->slot_buf_bytes;
	arena_end = h->arena_off + h->arena_bytes;
	return slots_end <= h->bufs_off && bufs_end <= h->arena_off && arena_end <= win_bytes;
}
