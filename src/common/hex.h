/* SPDX-License-Identifier: MIT */
/* Hexadecimal digits, shared by the tools and libraries that parse hex text. */
#ifndef CELLA_COMMON_HEX_H
#define CELLA_COMMON_HEX_H

/* The value of hex digit c (0-9, a-f, A-F), or -1. */
int cella_hex_value(char c);

#endif
