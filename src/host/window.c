// SPDX-License-Identifier: MIT
/* The shared window's layout (cella/abi/window.h), the same on both backends: header, slots, buffers, arena. */
#include "internal.h"
#include "window.h"

#define SLOTS_OFF 4096u /* the header page, then the slots */

/* see internal.h */
uint64_t cella_window_bytes(const struct cella_enclave *e)
{
	uint64_t slots_bytes = ((uint64_t)e->tcs_count * sizeof(struct cella_abi_slot) + 4095) & ~4095ull;
	return 4096 + slots_bytes + (uint64_t)e->tcs_count * e->s.call_buffer_bytes + e->s.arena_bytes;
}

/* see internal.h */
cella_result cella_window_lay_out(struct cella_enclave *e, uint8_t *mem, uint64_t bytes)
{
	struct cella_abi_window *h = (struct cella_abi_window *)mem;
	uint64_t arena_off = bytes - e->s.arena_bytes;

	e->win = mem;
	e->win_bytes = bytes;
	e->hdr = h;
	h->magic = CELLA_WINDOW_MAGIC;
	h->abi_version = CELLA_WINDOW_ABI_VERSION;
	h->tcs_count = e->tcs_count;
	h->window_bytes = bytes;
	h->slots_off = SLOTS_OFF;
	h->bufs_off = arena_off - (uint64_t)e->tcs_count * e->s.call_buffer_bytes;
	h->slot_buf_bytes = e->s.call_buffer_bytes;
	h->arena_off = arena_off;
	h->arena_bytes = e->s.arena_bytes;
	h->state = CELLA_WINDOW_BOOTING;
	e->slots = (struct cella_abi_slot *)(mem + h->slots_off);
	e->bufs_off = h->bufs_off;
	e->slot_buf_bytes = h->slot_buf_bytes;
	if (!cella_window_header_ok(h, bytes, e->tcs_count)) { /* what the enclave will check at boot */
		cella_log(e, CELLA_LOG_ERROR, "the window layout for %u TCS does not pass its own check", e->tcs_count);
		return CELLA_ERR_UNEXPECTED;
	}
	return cella_arena_init(&e->arena, arena_off, bytes);
}

/* see internal.h */
void cella_window_rebase(struct cella_enclave *e, uint8_t *mem)
{
	e->win = mem;
	e->hdr = (struct cella_abi_window *)mem;
	e->slots = (struct cella_abi_slot *)(mem + SLOTS_OFF);
}
