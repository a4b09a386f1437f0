/* SPDX-License-Identifier: MIT */
/* Foreign types for the EDL conformance corpus. */
#ifndef EDL_CORPUS_FOREIGN_H
#define EDL_CORPUS_FOREIGN_H
#include <stdint.h>
typedef int32_t farray_t[6];
typedef uint64_t *fptr_t;
typedef const uint16_t *fcptr_t;
typedef struct fhandle *fhandle_t;
typedef uint32_t fscalar_t;
struct fpoint {
	int32_t x, y;
};
#define FOREIGN_MAX 3
#endif
