/* SPDX-License-Identifier: MIT */
/* Foreign types for edltest.edl: typedefs an EDL can only name ([isary], [isptr], [readonly]). */
#ifndef EDLTEST_TYPES_H
#define EDLTEST_TYPES_H

#include <stdint.h>

typedef int32_t arr4_t[4];
typedef uint32_t *u32ptr_t;
typedef const uint8_t *cbytes_t;
#define EDLTEST_MAX 8

#endif
