// SPDX-License-Identifier: MIT
/* Hexadecimal digits. */
#include "hex.h"

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
