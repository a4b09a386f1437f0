/* SPDX-License-Identifier: MIT */
#ifndef BENCH_CALLS_H
#define BENCH_CALLS_H
enum { B_EMPTY = 0, B_IN = 1, B_OCALL_LOOP = 2 };
enum { B_O_EMPTY = 0 };
/* The deep case (deep.edl): what each ocall of bd_loop is. */
enum bd_kind { BD_EMPTY = 0, BD_DEEP = 1, BD_OVERLAP = 2 };
#endif
