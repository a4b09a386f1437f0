/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 validation (RFC 3629 3): shortest form, scalar values only (no surrogates, nothing above U+10FFFF).
 * Header-only, so that both worlds (host libraries and enclave libraries) share the one definition.
 */
#ifndef CELLA_COMMON_UTF8_H
#define CELLA_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the multi-byte sequence at s[0..n) (s[0] >= 0x80), or 0 if it is not a valid, shortest-form scalar
 * value. */
static inline size_t cella_utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t c, min;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	min = len == 4 ? 0x10000 : len == 3 ? 0x800 : 0x80;
	if (len > n)
		return 0;
	c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	return c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? 0 : len;
}

/* true if p[0..n) is valid UTF-8. NUL is a valid character here: callers that refuse it check for it. */
static inline bool cella_utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = s[i] < 0x80 ? 1 : cella_utf8_seq_len(s + i, n - i)))
			return false;
	return true;
}

#endif
