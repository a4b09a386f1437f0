/* SPDX-License-Identifier: MIT */
/* bench/calls, deep case (deep.edl): the host side, built only where cella-edger8r is. */
#ifndef BENCH_CALLS_DEEP_HOST_H
#define BENCH_CALLS_DEEP_HOST_H
#include <stdbool.h>
#include <stddef.h>

/* Medians in ns: the empty ecall bd_loop(0, ..), and per ocall of each kind (the empty ecall subtracted). */
struct bench_deep {
	double ecall, empty, deep, refused;
};

/* Creates the enclave `image` (spinning waits if `spin`) and measures `batches` batches of each kind,
 * interleaved. false (and a message) if the case is not built or a call fails. */
bool bench_calls_deep(const char *image, bool spin, size_t batches, struct bench_deep *out);
#endif
