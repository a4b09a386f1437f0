/* SPDX-License-Identifier: MIT */
/* Typedefs the EDL checks cannot see through, for the compile-failure corpus. */
#ifndef EDL_DEEP_TYPEDEFS_H
#define EDL_DEEP_TYPEDEFS_H
typedef struct rec *recp_t;
typedef const struct rec *crecp_t;
#endif
