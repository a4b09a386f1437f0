/* SPDX-License-Identifier: MIT */
/* Call ids of the bench/marshal reference enclave (raw interface). */
#ifndef BENCH_MARSHAL_H
#define BENCH_MARSHAL_H

enum { RAW_EMPTY = 0, RAW_IN = 1, RAW_OUT = 2, RAW_INOUT = 3 };

#endif
