/* SPDX-License-Identifier: MIT */
/* bench/identity: ecalls of the benchmark enclave. */
#ifndef BENCH_IDENTITY_H
#define BENCH_IDENTITY_H
#include <stdint.h>
enum {
	B_SEAL = 0,     /* in: u32 size, u32 iterations; seals `size` bytes that many times */
	B_UNSEAL = 1,   /* in: u32 size, u32 iterations; seals once, unseals that many times */
	B_REPORT = 2,   /* in: u32 iterations */
	B_EVIDENCE = 3, /* in: u32 iterations; out: the last evidence */
	B_SERVE = 4,    /* in: u64 listener, u32 connections; "BULK n\n" -> n bytes, else echo */
};
enum { B_O_ACCEPT = 0, B_O_RECV = 1, B_O_SEND = 2, B_O_CLOSE = 3 };
#endif
