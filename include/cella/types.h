/* SPDX-License-Identifier: MIT */
/* Basic types and attribute macros shared by every Cella header. */
#ifndef CELLA_TYPES_H
#define CELLA_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(CELLA_BUILDING_LIBRARY)
#define CELLA_API __attribute__((visibility("default")))
#else
#define CELLA_API
#endif
#define CELLA_MUST_USE __attribute__((warn_unused_result))
#define CELLA_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))

#define CELLA_PAGE_BYTES 4096u
#define CELLA_HASH_BYTES 32u

/* SHA-256 measurement of an enclave (MRENCLAVE) or of its signer's key (MRSIGNER). */
struct cella_hash {
	uint8_t b[CELLA_HASH_BYTES];
};

#endif
