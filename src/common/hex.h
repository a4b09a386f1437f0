/* SPDX-License-Identifier: MIT */
/* Hexadecimal digits, shared by the tools and libraries that parse hex text. */
#ifndef CELLA_COMMON_HEX_H
#define CELLA_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit c (0-9, a-f, A-F), or -1. */
int cella_hex_value(char c);
/* Exactly 2n hex digits s[0..slen) into out[0..n): 0, or -1 (wrong length or a non-digit). */
int cella_hex_decode(const char *s, size_t slen, uint8_t *out, size_t n);
/* Non-empty even-length hex text into new bytes (*out_len of them), or NULL. Caller frees. */
uint8_t *cella_hex_decode_alloc(const char *s, size_t slen, size_t *out_len);

#endif
