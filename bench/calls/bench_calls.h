/* SPDX-License-Identifier: MIT */
#ifndef BENCH_CALLS_H
#define BENCH_CALLS_H
enum { B_EMPTY = 0, B_IN = 1, B_OCALL_LOOP = 2 };
enum { B_O_EMPTY = 0 };
#endif
