/* SPDX-License-Identifier: MIT */
/* Minimal assertion helpers for Cella's test executables: a failed check prints file:line and exits 1. */
#ifndef CELLA_TEST_H
#define CELLA_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

void cella_test_fail(const char *file, int line, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));
/* Prints "PASS <name>" on stdout; call after each sub-test. */
void cella_test_pass(const char *name);
/* Exits 77 (ctest SKIP) after printing the reason. */
void cella_test_skip(const char *why) __attribute__((noreturn));
/* Hex dump of n bytes into a static buffer (for messages). */
const char *cella_test_hex(const void *p, size_t n);
/* Reads a whole file; aborts the test on failure. Caller frees. */
uint8_t *cella_test_read_file(const char *path, size_t *len);

#define CT_ASSERT(c)                                                                   \
	do {                                                                           \
		if (!(c))                                                              \
			cella_test_fail(__FILE__, __LINE__, "assertion failed: %s", #c); \
	} while (0)
#define CT_EQ(a, b)                                                                                 \
	do {                                                                                        \
		long long ct_a_ = (long long)(a), ct_b_ = (long long)(b);                           \
		if (ct_a_ != ct_b_)                                                                 \
			cella_test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, \
					ct_a_, #b, ct_b_);                                  \
	} while (0)
#define CT_EQ_MEM(a, b, n)                                                                          \
	do {                                                                                        \
		if (memcmp((a), (b), (n)) != 0)                                                     \
			cella_test_fail(__FILE__, __LINE__, "%s differs from %s (%zu bytes)", #a, #b, \
					(size_t)(n));                                       \
	} while (0)
/* r must be a cella_result; prints both names on mismatch. */
#define CT_RESULT(expr, expected)                                                                  \
	do {                                                                                       \
		cella_result ct_r_ = (expr);                                                       \
		if (ct_r_ != (expected))                                                           \
			cella_test_fail(__FILE__, __LINE__, "%s returned %s (%s), expected %s", #expr, \
					cella_result_name(ct_r_), cella_result_str(ct_r_),          \
					cella_result_name(expected));                        \
	} while (0)

#endif
