/* SPDX-License-Identifier: MIT */
/* The shared window's header check, the same in both worlds (the enclave at boot, the host after building it). */
#ifndef CELLA_COMMON_WINDOW_H
#define CELLA_COMMON_WINDOW_H

#include <cella/abi/window.h>
#include <stdbool.h>

/*
 * Checks a window header already copied out of shared memory against the window's real size and the enclave's
 * TCS count: magic and ABI version; tcs_count and window_bytes equal to what the caller knows; the slots after
 * the header page (header and futex counters) and 64-byte aligned; buffers and arena page aligned; slots, buffers and arena in that order, without
 * overlap, inside the window, without any sum wrapping. tcs must be at most 256 (the layout's limit) and the
 * window below 2^48 bytes.
 */
bool cella_window_header_ok(const struct cella_abi_window *h, uint64_t win_bytes, uint64_t tcs);

#endif
