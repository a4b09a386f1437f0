// SPDX-License-Identifier: MIT
/* Hexadecimal digits. */
#include "hex.h"

#include <stdlib.h>

/* see hex.h */
int cella_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* see hex.h */
int cella_hex_decode(const char *s, size_t slen, uint8_t *out, size_t n)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = cella_hex_value(s[2 * i]), lo = cella_hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* see hex.h */
uint8_t *cella_hex_decode_alloc(const char *s, size_t slen, size_t *out_len)
{
	uint8_t *b;
	if (slen % 2 != 0 || slen == 0 || !(b = malloc(slen / 2)))
		return NULL;
	if (cella_hex_decode(s, slen, b, slen / 2) != 0) {
		free(b);
		return NULL;
	}
	*out_len = slen / 2;
	return b;
}
