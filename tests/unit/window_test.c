// SPDX-License-Identifier: MIT
/*
 * The shared window's header check (checklist C6, the boot-time header): the enclave copies the header once at
 * boot and refuses to start unless cella_window_header_ok accepts it. A well-formed header for 1, 2 and 256 TCS
 * passes; each field made wrong on its own, overlapping or out-of-window regions, and sums that would wrap fail.
 */
#include "window.h"

#include <string.h>

#include "cella_test.h"

#define PAGE 4096ull

/* The layout the host library builds (src/host/sandbox.c make_window) for tcs slots. */
static struct cella_abi_window good(uint64_t tcs, uint64_t buf, uint64_t arena, uint64_t *bytes)
{
	struct cella_abi_window h;
	uint64_t slots = (tcs * sizeof(struct cella_abi_slot) + PAGE - 1) & ~(PAGE - 1);
	memset(&h, 0, sizeof(h));
	h.magic = CELLA_WINDOW_MAGIC;
	h.abi_version = CELLA_WINDOW_ABI_VERSION;
	h.tcs_count = (uint32_t)tcs;
	h.slots_off = PAGE;
	h.bufs_off = PAGE + slots;
	h.slot_buf_bytes = buf;
	h.arena_off = h.bufs_off + tcs * buf;
	h.arena_bytes = arena;
	*bytes = h.window_bytes = h.arena_off + arena;
	return h;
}

static void wellformed(void)
{
	uint64_t n;
	struct cella_abi_window h = good(1, 64 * 1024, 1 << 20, &n);
	CT_ASSERT(cella_window_header_ok(&h, n, 1));
	h = good(2, 1 << 20, 0, &n); /* no arena at all */
	CT_ASSERT(cella_window_header_ok(&h, n, 2));
	h = good(256, PAGE, 1 << 20, &n);
	CT_ASSERT(cella_window_header_ok(&h, n, 256));
	cella_test_pass("headers as the host builds them pass for 1, 2 and 256 TCS");
}

#define BAD(what, stmt)                                                                                        \
	do {                                                                                                   \
		struct cella_abi_window b = h;                                                                 \
		uint64_t bn = n, bt = 2;                                                                       \
		stmt;                                                                                          \
		if (cella_window_header_ok(&b, bn, bt))                                                        \
			cella_test_fail(__FILE__, __LINE__, "accepted: %s", what);                             \
	} while (0)

static void refused(void)
{
	uint64_t n;
	struct cella_abi_window h = good(2, 64 * 1024, 1 << 20, &n);
	CT_ASSERT(cella_window_header_ok(&h, n, 2));
	BAD("magic", b.magic ^= 1);
	BAD("ABI version", b.abi_version++);
	BAD("TCS count differs from the enclave's", b.tcs_count = 3);
	BAD("the enclave has no TCS", (b.tcs_count = 0, bt = 0));
	BAD("more than 256 TCS", (b.tcs_count = 257, bt = 257));
	BAD("window size differs from the mapping", bn = n + PAGE);
	BAD("header field window_bytes lies", b.window_bytes = n - PAGE);
	BAD("slots inside the header", b.slots_off = 64);
	BAD("slots over the futex counters in the header page", b.slots_off = 128);
	BAD("slots in the header page's last line", b.slots_off = PAGE - 64);
	BAD("slots misaligned", b.slots_off = PAGE + 8);
	BAD("buffers misaligned", b.bufs_off += 64);
	BAD("buffer size misaligned", b.slot_buf_bytes += 1);
	BAD("buffer size zero", b.slot_buf_bytes = 0);
	BAD("arena misaligned", b.arena_off += 16);
	BAD("slots run into the buffers", b.bufs_off = PAGE);
	BAD("buffers run into the arena", b.slot_buf_bytes *= 2);
	BAD("arena past the window", b.arena_bytes += PAGE);
	BAD("arena offset past the window", (b.arena_off = n + PAGE, b.arena_bytes = 0));
	BAD("buffers offset near 2^64", b.bufs_off = ~(PAGE - 1));
	BAD("arena offset + size wraps", (b.arena_off = ~(PAGE - 1), b.arena_bytes = 2 * PAGE));
	BAD("buffer size near 2^64 (tcs x size wraps)", b.slot_buf_bytes = 1ull << 63);
	BAD("arena size larger than the window", b.arena_bytes = n + PAGE);
	BAD("slots offset past the window", b.slots_off = n + 64);
	cella_test_pass("every field wrong on its own, overlaps, out-of-window regions and wrapping sums are refused");
}

int main(void)
{
	wellformed();
	refused();
	return 0;
}
