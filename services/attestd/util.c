// SPDX-License-Identifier: MIT
/* Encodings and small helpers of cella-attestd: base64/base64url, hex, SHA-256, files, claim sets. */
#include "attestd_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *attestd_b64_encode(const void *in, size_t len, bool url)
{
	const uint8_t *p = in;
	const char *a = url ? b64_url : b64_std;
	size_t olen = (len + 2) / 3 * 4 + 1, o = 0;
	char *out;
	if (len > (SIZE_MAX - 8) / 4 * 3)
		return NULL;
	out = malloc(olen);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t rem = len - i;
		if (rem > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (rem > 2)
			v |= p[i + 2];
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		if (rem > 1)
			out[o++] = a[(v >> 6) & 63];
		else if (!url)
			out[o++] = '=';
		if (rem > 2)
			out[o++] = a[v & 63];
		else if (!url)
			out[o++] = '=';
	}
	out[o] = 0;
	return out;
}

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

cella_result attestd_b64_decode(const char *in, size_t len, uint8_t **out, size_t *out_len)
{
	size_t pad = 0, n, olen, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	uint8_t *buf;

	while (pad < 2 && len > pad && in[len - 1 - pad] == '=')
		pad++;
	n = len - pad;
	if (pad && len % 4 != 0)
		return CELLA_ERR_BAD_FORMAT;
	if (n % 4 == 1)
		return CELLA_ERR_BAD_FORMAT;
	olen = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
	buf = malloc(olen + 1);
	if (!buf)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (size_t i = 0; i < n; i++) {
		int v = b64_val((unsigned char)in[i]);
		if (v < 0) {
			free(buf);
			return CELLA_ERR_BAD_FORMAT;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0) { /* non-canonical: unused trailing bits set */
		free(buf);
		return CELLA_ERR_BAD_FORMAT;
	}
	buf[o] = 0;
	*out = buf;
	*out_len = o;
	return CELLA_OK;
}

void attestd_hex(const void *in, size_t len, char *out)
{
	static const char d[] = "0123456789abcdef";
	const uint8_t *p = in;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * len] = 0;
}

void attestd_sha256(const void *in, size_t len, uint8_t out[32])
{
	SHA256(in, len, out);
}

void attestd_sha256_b64url(const void *in, size_t len, char out[44])
{
	uint8_t h[32];
	char *e;
	SHA256(in, len, h);
	e = attestd_b64_encode(h, 32, true);
	if (e) {
		memcpy(out, e, 44);
		free(e);
	} else {
		out[0] = 0;
	}
}

void attestd_policy_hash(const char *text, size_t len, char out[44])
{
	char *b = attestd_b64_encode(text, len, true);
	if (!b) {
		out[0] = 0;
		return;
	}
	attestd_sha256_b64url(b, strlen(b), out);
	free(b);
}

/* CT: a, b secret contents; time depends on the lengths only. */
bool attestd_ct_streq(const char *a, size_t alen, const char *b, size_t blen)
{
	const volatile unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	unsigned acc = (unsigned)(alen != blen);
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++)
		acc |= x[i] ^ y[i];
	return acc == 0;
}

cella_result attestd_read_file(const char *path, size_t max, char **out, size_t *out_len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CELLA_ERR_NO_FILE : CELLA_ERR_IO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return CELLA_ERR_IO;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return CELLA_ERR_TOO_LARGE;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return CELLA_ERR_IO;
	}
	buf[got] = 0;
	*out = buf;
	if (out_len)
		*out_len = got;
	return CELLA_OK;
}

/* ---- claim sets ---- */

#define ATTESTD_MAX_CLAIMS 4096u

void attestd_claims_init(struct attestd_claims *c)
{
	memset(c, 0, sizeof(*c));
}

void attestd_claims_fini(struct attestd_claims *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].type);
		free(c->v[i].issuer);
		free(c->v[i].v.s);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

cella_result attestd_claims_add(struct attestd_claims *c, const char *type, const char *issuer,
				const struct attestd_value *v)
{
	struct attestd_claim *cl;
	if (c->n >= ATTESTD_MAX_CLAIMS)
		return CELLA_ERR_TOO_LARGE;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct attestd_claim *nv = realloc(c->v, cap * sizeof(*nv));
		if (!nv)
			return CELLA_ERR_OUT_OF_MEMORY;
		c->v = nv;
		c->cap = cap;
	}
	cl = &c->v[c->n];
	memset(cl, 0, sizeof(*cl));
	cl->type = strdup(type);
	cl->issuer = strdup(issuer ? issuer : "AttestationService");
	cl->v.vt = v->vt;
	cl->v.b = v->b;
	cl->v.i = v->i;
	if (v->vt == ATTESTD_V_STRING)
		cl->v.s = strdup(v->s ? v->s : "");
	if (!cl->type || !cl->issuer || (v->vt == ATTESTD_V_STRING && !cl->v.s)) {
		free(cl->type);
		free(cl->issuer);
		free(cl->v.s);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	c->n++;
	return CELLA_OK;
}

cella_result attestd_claims_add_str(struct attestd_claims *c, const char *type, const char *s)
{
	struct attestd_value v = {.vt = ATTESTD_V_STRING, .s = (char *)s};
	return attestd_claims_add(c, type, NULL, &v);
}

cella_result attestd_claims_add_int(struct attestd_claims *c, const char *type, int64_t i)
{
	struct attestd_value v = {.vt = ATTESTD_V_INTEGER, .i = i};
	return attestd_claims_add(c, type, NULL, &v);
}

cella_result attestd_claims_add_bool(struct attestd_claims *c, const char *type, bool b)
{
	struct attestd_value v = {.vt = ATTESTD_V_BOOLEAN, .b = b};
	return attestd_claims_add(c, type, NULL, &v);
}

const struct attestd_claim *attestd_claims_find(const struct attestd_claims *c, const char *type)
{
	for (size_t i = c->n; i-- > 0;)
		if (strcmp(c->v[i].type, type) == 0)
			return &c->v[i];
	return NULL;
}

json_t *attestd_value_json(const struct attestd_value *v)
{
	switch (v->vt) {
	case ATTESTD_V_INTEGER:
		return json_integer(v->i);
	case ATTESTD_V_BOOLEAN:
		return json_boolean(v->b);
	default:
		return json_string(v->s ? v->s : "");
	}
}

cella_result attestd_claims_to_json(const struct attestd_claims *c, json_t *obj)
{
	for (size_t i = 0; i < c->n; i++) {
		json_t *j = attestd_value_json(&c->v[i].v);
		if (!j || json_object_set_new(obj, c->v[i].type, j) != 0)
			return CELLA_ERR_OUT_OF_MEMORY;
	}
	return CELLA_OK;
}
