// SPDX-License-Identifier: MIT
/* A strict PEM reader: one canonical encoding per DER, so any change to a chain's text is a change to its DER. */
#include "verify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each base64 digit's value plus one; 0 for every other byte. A lookup per character: a cold verification decodes
 * four certificates, some 3,600 characters. */
static const uint8_t b64_plus1[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
	['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static int b64val(char c)
{
	return b64_plus1[(unsigned char)c] - 1;
}

/* Canonical base64 (RFC 4648 §3.5: pad bits zero) of n characters into out; returns decoded length or -1. */
static long b64_decode(const char *s, size_t n, uint8_t *out)
{
	size_t o = 0;
	if (n == 0 || n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=') {
				/* '=' only in the last quantum, only in positions 2-3, and not followed by data */
				if (i + 4 != n || k < 2 || (k == 2 && s[i + 3] != '='))
					return -1;
				v[k] = 0;
				pad++;
			} else {
				v[k] = b64val(s[i + k]);
				if (v[k] < 0)
					return -1;
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
			return -1;
		out[o++] = (uint8_t)(w >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)w;
	}
	return (long)o;
}

/* Length of a line end at p ("\n" or "\r\n"), 0 if none. */
static size_t eol(const char *p, const char *end)
{
	if (p < end && *p == '\n')
		return 1;
	if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		return 2;
	return 0;
}

/*
 * Reads one block starting exactly at *pp. On success *pp is past the END line (and its line end, if any),
 * *der is a new buffer, and *text_len (if given) the length of the block's text up to the end of its END line's
 * marker. Returns 0, or -1 on any deviation.
 */
static int read_block(const char **pp, const char *end, const char *label, uint8_t **der, size_t *der_len,
		      size_t *text_len)
{
	const char *p = *pp;
	char begin[64], endl[64];
	size_t bl, el, cap, n = 0;
	char *b64 = NULL;
	long dl;
	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	snprintf(endl, sizeof(endl), "-----END %s-----", label);
	bl = strlen(begin);
	el = strlen(endl);
	if ((size_t)(end - p) < bl || memcmp(p, begin, bl) != 0)
		return -1;
	p += bl;
	if (!eol(p, end))
		return -1;
	p += eol(p, end);
	cap = (size_t)(end - p);
	b64 = malloc(cap + 1);
	if (!b64)
		return -1;
	for (;;) {
		if ((size_t)(end - p) >= el && memcmp(p, endl, el) == 0)
			break;
		const char *line = p;
		while (p < end && b64val(*p) >= 0)
			p++;
		while (p < end && *p == '=')
			p++;
		if (p == line || !eol(p, end))
			goto bad;
		memcpy(b64 + n, line, (size_t)(p - line));
		n += (size_t)(p - line);
		p += eol(p, end);
	}
	p += el;
	if (text_len)
		*text_len = (size_t)(p - *pp);
	p += eol(p, end);
	*der = malloc(n / 4 * 3 + 3);
	if (!*der)
		goto bad;
	dl = b64_decode(b64, n, *der);
	if (dl <= 0) {
		free(*der);
		*der = NULL;
		goto bad;
	}
	free(b64);
	*der_len = (size_t)dl;
	*pp = p;
	return 0;
bad:
	free(b64);
	return -1;
}

static size_t trim_nuls(const char *pem, size_t len)
{
	while (len > 0 && pem[len - 1] == 0)
		len--;
	return len;
}

void cella_vfy_pool_fini(struct vfy_pool *pool)
{
	for (size_t i = 0; i < pool->n; i++) {
		X509_free(pool->e[i].x);
		free(pool->e[i].pem);
	}
	memset(pool, 0, sizeof(*pool));
}

/*
 * The pool's certificate whose PEM text starts at p, or NULL. A block's text decides its DER (read_block reads
 * nothing past the END marker), so a block byte-identical to one read before is that certificate: the root repeats
 * in all four chains and the PCK CA and TCB signing certificates in two, and these need neither base64 decoding nor
 * hashing again.
 */
static X509 *pool_text(const struct vfy_pool *pool, const char *p, const char *end, size_t *text_len)
{
	for (size_t i = 0; pool && i < pool->n; i++)
		if (pool->e[i].pem && (size_t)(end - p) >= pool->e[i].pem_len &&
		    memcmp(p, pool->e[i].pem, pool->e[i].pem_len) == 0 && X509_up_ref(pool->e[i].x) == 1) {
			*text_len = pool->e[i].pem_len;
			return pool->e[i].x;
		}
	return NULL;
}

cella_result cella_vfy_pem_chain(const char *pem, size_t len, X509 **out, size_t max, size_t want, size_t *n,
				 struct vfy_pool *pool, struct cella_detail *d)
{
	const char *p = pem, *end;
	size_t count = 0;
	cella_result r = CELLA_ERR_UNEXPECTED;
	len = trim_nuls(pem, len);
	end = pem + len;
	while (p < end) {
		uint8_t *der = NULL, h[32];
		size_t der_len = 0, text_len = 0;
		const char *text = p;
		X509 *x;
		if (count == max)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "PEM chain has more than %zu certificates",
						  max));
		if ((x = pool_text(pool, p, end, &text_len)) != NULL) {
			out[count++] = x;
			p += text_len;
			while (eol(p, end))
				p += eol(p, end);
			continue;
		}
		if (read_block(&p, end, "CERTIFICATE", &der, &der_len, &text_len) != 0)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN,
						  "PEM chain malformed at byte %zu (certificate %zu)",
						  (size_t)(p - pem), count + 1));
		if (pool && cella_vfy_sha256(der, der_len, h) == 0) {
			/* the same DER in other text (line lengths, line ends) */
			for (size_t i = 0; i < pool->n && !x; i++)
				if (memcmp(pool->e[i].hash, h, 32) == 0 && X509_up_ref(pool->e[i].x) == 1)
					x = pool->e[i].x;
			if (x) {
				free(der);
				out[count++] = x;
				while (eol(p, end))
					p += eol(p, end);
				continue;
			}
			if (!(x = cella_vfy_root_shared(der, der_len)))
				x = cella_vfy_cert_d2i(der, der_len);
			if (x && pool->n < VFY_POOL_SLOTS && X509_up_ref(x) == 1) {
				memset(&pool->e[pool->n], 0, sizeof(pool->e[0]));
				memcpy(pool->e[pool->n].hash, h, 32);
				pool->e[pool->n].x = x;
				/* without a copy of the text (out of memory) the entry still serves by its hash */
				if ((pool->e[pool->n].pem = malloc(text_len)) != NULL) {
					memcpy(pool->e[pool->n].pem, text, text_len);
					pool->e[pool->n].pem_len = text_len;
				}
				pool->n++;
			}
		} else {
			x = cella_vfy_cert_d2i(der, der_len);
		}
		if (!x) {
			free(der);
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "certificate %zu of the chain is not valid DER",
						  count + 1));
		}
		free(der);
		out[count++] = x;
		/* blank lines between blocks are tolerated; nothing else */
		while (eol(p, end))
			p += eol(p, end);
	}
	if (count == 0 || (want && count != want))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "PEM chain has %zu certificates, expected %zu", count,
					  want));
	*n = count;
	return CELLA_OK;
out:
	for (size_t i = 0; i < count; i++) {
		X509_free(out[i]);
		out[i] = NULL;
	}
	return r;
}

cella_result cella_vfy_pem_block(const char *pem, size_t len, const char *label, uint8_t **der, size_t *der_len,
				 struct cella_detail *d)
{
	const char *p = pem, *end;
	len = trim_nuls(pem, len);
	end = pem + len;
	if (read_block(&p, end, label, der, der_len, NULL) != 0)
		return cella_vfy_fail(d, CELLA_ERR_BAD_FORMAT, "malformed PEM %s", label);
	while (eol(p, end))
		p += eol(p, end);
	if (p != end) {
		free(*der);
		*der = NULL;
		return cella_vfy_fail(d, CELLA_ERR_BAD_FORMAT, "data after PEM %s", label);
	}
	return CELLA_OK;
}
