/* SPDX-License-Identifier: MIT */
/* cella-monitor internals: the software platform behind the sandbox backend. */
#ifndef CELLA_MONITOR_H
#define CELLA_MONITOR_H

#include <cella/abi/monitor.h>
#include <cella/abi/window.h>
#include <cella/result.h>
#include <sys/types.h>

#include "image.h"
#include "layout.h"

/*
 * Runs in the freshly forked enclave process, which inherits the window from the monitor at window_addr (the
 * host's address for it, so a window pointer means the same in both processes, as all memory does on SGX); maps
 * the layout at a random, naturally aligned base, confines the process (non-dumpable, seccomp) and jumps to the
 * enclave entry on TCS 0. Returns only on failure (the caller exits the child).
 */
/* Closes every descriptor from lo up (close_range, or one by one where the kernel lacks it). */
void cella_close_from(int lo);

cella_result cella_loader_run(const struct cella_layout *l, uint64_t window_bytes, uint64_t window_addr,
			      int enclave_sock, pid_t monitor);

/* Formats "name+0x12" for an RVA from the image's .symtab, or "" if unknown. */
void cella_symbolize(const struct cella_image *img, uint64_t rva, char *buf, size_t n);

#endif
