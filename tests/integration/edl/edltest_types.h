/* SPDX-License-Identifier: MIT */
/* Foreign types for edltest.edl: typedefs an EDL can only name ([isary], [isptr], [readonly]). */
#ifndef EDLTEST_TYPES_H
#define EDLTEST_TYPES_H

#include <stdint.h>

typedef int32_t arr4_t[4];
typedef uint32_t *u32ptr_t;
typedef const uint8_t *cbytes_t;
#define EDLTEST_MAX 8

/* e_copy_back: how the enclave lays out the regions an ocall's copy-back writes (enclave.c says each). */
enum edltest_layout { LAYOUT_SEPARATE, LAYOUT_ADJACENT, LAYOUT_LAST_ON_FIRST, LAYOUT_DATA_ON_ARRAY,
		      LAYOUT_ZERO_INSIDE, LAYOUT_X_ON_LAST };
#define EDLTEST_MSGS_MAX 40

#endif
