// SPDX-License-Identifier: MIT
/* String tensors: the arenas their bytes live in, and numbers to and from their text (Cast, CastLike). */
#include "onnx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ arenas */

/* A chunk of an arena: cap bytes after the header, used of them handed out. Chunks never move or shrink, so a string
 * stays where it was put until the arena is reset. */
struct onnx_str_chunk {
	struct onnx_str_chunk *next;
	size_t cap, used;
	char bytes[];
};

#define STR_CHUNK_MIN 4096

cella_result onnx_str_alloc(struct onnx_str_arena *a, size_t len, uint64_t limit, char **out) /* see onnx_internal.h */
{
	static char empty[1];
	if (len > limit || a->used > limit - len)
		return CELLA_ERR_TOO_LARGE;
	if (len == 0) {
		*out = empty; /* never written: there is nothing to write */
		return CELLA_OK;
	}
	while (a->cur && a->cur->cap - a->cur->used < len)
		a->cur = a->cur->next; /* the rest of a chunk stays unused until the reset */
	if (!a->cur) {
		size_t cap = a->held < STR_CHUNK_MIN ? STR_CHUNK_MIN : (size_t)a->held; /* doubling what is held */
		if (cap < len)
			cap = len;
		struct onnx_str_chunk *c = malloc(sizeof(*c) + cap);
		if (!c)
			return CELLA_ERR_OUT_OF_MEMORY;
		c->next = NULL;
		c->cap = cap;
		c->used = 0;
		struct onnx_str_chunk **at = &a->head;
		while (*at)
			at = &(*at)->next;
		*at = c;
		a->cur = c;
		a->held += cap;
	}
	*out = a->cur->bytes + a->cur->used;
	a->cur->used += len;
	a->used += len;
	return CELLA_OK;
}

void onnx_str_reset(struct onnx_str_arena *a) /* see onnx_internal.h */
{
	for (struct onnx_str_chunk *c = a->head; c; c = c->next)
		c->used = 0;
	a->cur = a->head;
	a->used = 0;
}

void onnx_str_free(struct onnx_str_arena *a) /* see onnx_internal.h */
{
	struct onnx_str_chunk *c = a->head;
	while (c) {
		struct onnx_str_chunk *next = c->next;
		free(c);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}

int onnx_str_cmp(const char *a, size_t al, const char *b, size_t bl) /* see onnx_internal.h */
{
	int c = al && bl ? memcmp(a, b, al < bl ? al : bl) : 0;
	return c ? (c > 0) - (c < 0) : (al > bl) - (al < bl);
}

uint64_t onnx_str_bytes(const struct cella_onnx_string *s, size_t n) /* see onnx_internal.h */
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += s[i].len;
	return total;
}

/* ------------------------------------------------------------------ numbers as text */

/* The significant digits of v (finite, positive) rounded to p of them, as printf's %e rounds (to nearest, ties to
 * even): p digits in dig and the decimal exponent of the first in *e10. The character %e writes for the decimal point
 * is the locale's; it is skipped, not read, so the host's LC_NUMERIC cannot change the result. */
static void sci_digits(double v, int p, char *dig, int *e10)
{
	char buf[64];
	int k = 0, e = 0, neg = 0;
	snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
	const char *s = buf;
	for (; *s && *s != 'e' && k < p; s++)
		if (*s >= '0' && *s <= '9')
			dig[k++] = *s;
	while (*s && *s != 'e')
		s++;
	if (*s == 'e')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++)
		e = e * 10 + (*s - '0');
	*e10 = neg ? -e : e;
}

/* The p digits dig with first exponent e10, read back as the type dt rounds a decimal (strtof for float, strtod for
 * double; float16 and bfloat16 from the double, in one more rounding that cannot move a decimal of at most 5 digits
 * across a half midpoint, every such midpoint having fewer digits than a double's precision): whether that is v.
 * The text given to strto* has no decimal point, whose character depends on the locale. */
static int round_trips(const char *dig, int p, int e10, double v, int dt)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%.*se%d", p, dig, e10 - (p - 1));
	if (dt == CELLA_ONNX_FLOAT)
		return strtof(buf, NULL) == (float)v;
	double d = strtod(buf, NULL);
	if (onnx_dtype_is_half(dt))
		return onnx_d2half(d, dt) == onnx_d2half(v, dt);
	return d == v;
}

/* dig (p digits, first exponent *e10) moved one unit in the last digit, up or down; the exponent follows a carry out
 * of the first digit (9.99 up is 1.00e+1) or a borrow from it (1.00 down is 9.99e-1). */
static void digits_step(char *dig, int p, int *e10, int up)
{
	int k = p - 1;
	if (up) {
		while (k >= 0 && dig[k] == '9')
			dig[k--] = '0';
		if (k >= 0) {
			dig[k]++;
		} else {
			dig[0] = '1';
			++*e10;
		}
		return;
	}
	while (k >= 0 && dig[k] == '0')
		dig[k--] = '9';
	dig[k]--; /* the first digit of a normalized decimal is not 0, so k >= 0 */
	if (dig[0] == '0') {
		memmove(dig, dig + 1, (size_t)(p - 1));
		dig[p - 1] = '9';
		--*e10;
	}
}

/* The shortest digits that read back as v (finite, positive) in type dt, the nearest such when several: what numpy's
 * Dragon4 gives in its unique mode, which str() of a numpy scalar uses. For each length from 1 up, the nearest
 * decimal of that length, else the one on the other side of v: a power of two has a lower neighbour twice as close
 * as its upper one, so the nearest decimal may fall outside v's rounding interval where the next one up does not. */
static int shortest_digits(double v, int dt, char *dig, int *e10)
{
	int maxp = dt == CELLA_ONNX_DOUBLE ? 17 : dt == CELLA_ONNX_FLOAT ? 9 : 5;
	for (int p = 1; p < maxp; p++) {
		char alt[24];
		int e = 0;
		sci_digits(v, p, dig, e10);
		if (round_trips(dig, p, *e10, v, dt))
			return p;
		memcpy(alt, dig, (size_t)p);
		e = *e10;
		char buf[48];
		snprintf(buf, sizeof(buf), "%.*se%d", p, dig, *e10 - (p - 1));
		digits_step(alt, p, &e, strtod(buf, NULL) < v);
		if (round_trips(alt, p, e, v, dt)) {
			memcpy(dig, alt, (size_t)p);
			*e10 = e;
			return p;
		}
	}
	sci_digits(v, maxp, dig, e10); /* enough digits for any value of the type */
	return maxp;
}

size_t onnx_fmt_float(char *buf, double v, int dt) /* see onnx_internal.h */
{
	char dig[24];
	size_t n = 0;
	int e10 = 0, p;
	if (v != v) {
		memcpy(buf, "nan", 4);
		return 3;
	}
	if (v < 0 || (v == 0 && 1 / v < 0))
		buf[n++] = '-';
	if (v < 0)
		v = -v;
	if (v == INFINITY) {
		memcpy(buf + n, "inf", 4);
		return n + 3;
	}
	if (v == 0) {
		memcpy(buf + n, "0.0", 4);
		return n + 3;
	}
	p = shortest_digits(v, dt, dig, &e10);
	while (p > 1 && dig[p - 1] == '0')
		p--;
	if (v >= 1e-4 && v < 1e16) { /* positional, at least one digit after the point: "0.001", "100.0" */
		if (e10 < 0) {
			buf[n++] = '0';
			buf[n++] = '.';
			for (int z = -1; z > e10; z--)
				buf[n++] = '0';
			memcpy(buf + n, dig, (size_t)p);
			n += (size_t)p;
		} else {
			for (int k = 0; k <= e10; k++)
				buf[n++] = k < p ? dig[k] : '0';
			buf[n++] = '.';
			if (p > e10 + 1) {
				memcpy(buf + n, dig + e10 + 1, (size_t)(p - e10 - 1));
				n += (size_t)(p - e10 - 1);
			} else {
				buf[n++] = '0';
			}
		}
		buf[n] = '\0';
		return n;
	}
	/* scientific: "1e-05", "1.5e+16", an exponent of two digits at least */
	buf[n++] = dig[0];
	if (p > 1) {
		buf[n++] = '.';
		memcpy(buf + n, dig + 1, (size_t)(p - 1));
		n += (size_t)(p - 1);
	}
	n += (size_t)snprintf(buf + n, 8, "e%c%02d", e10 < 0 ? '-' : '+', e10 < 0 ? -e10 : e10);
	return n;
}

size_t onnx_fmt_int(char *buf, int64_t v, int is_unsigned) /* see onnx_internal.h */
{
	char tmp[24];
	size_t n = 0, k = 0;
	uint64_t u = is_unsigned || v >= 0 ? (uint64_t)v : 0 - (uint64_t)v;
	if (!is_unsigned && v < 0)
		buf[n++] = '-';
	do {
		tmp[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (k)
		buf[n++] = tmp[--k];
	buf[n] = '\0';
	return n;
}

/* ------------------------------------------------------------------ text as numbers */

static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Whether s[0..len) is word (lower case), in any case. */
static int word_is(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	if (len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != word[i])
			return 0;
	return 1;
}

/* Significant digits kept: a decimal that rounds differently from its first 800 digits plus a nonzero digit after
 * them does not exist for float or double (the longest halfway point, a double's, has 767 significant digits). */
#define PARSE_DIGITS 800

cella_result onnx_parse_number(const char *s, size_t len, int dt, void *out, size_t i) /* see onnx_internal.h */
{
	char buf[PARSE_DIGITS + 32];
	size_t a = 0, b = len, nd = 0, dropped = 0, frac = 0, digits = 0;
	int neg = 0, sticky = 0, any_exp = 0;
	int64_t ex = 0;
	while (a < b && is_space(s[a]))
		a++;
	while (b > a && is_space(s[b - 1]))
		b--;
	if (a < b && (s[a] == '+' || s[a] == '-'))
		neg = s[a++] == '-';
	if (word_is(s + a, b - a, "inf") || word_is(s + a, b - a, "infinity") || word_is(s + a, b - a, "nan")) {
		double v = (s[a] | 0x20) == 'n' ? NAN : INFINITY;
		onnx_put_d(out, dt, i, neg ? -v : v);
		return CELLA_OK;
	}
	/* [digits][.digits][(e|E)[sign]digits], at least one mantissa digit: its significant digits into buf */
	int point = 0;
	size_t k = a;
	for (; k < b; k++) {
		char c = s[k];
		if (c == '.' && !point) {
			point = 1;
			continue;
		}
		if (!is_digit(c))
			break;
		digits++;
		if (point)
			frac++;
		if (nd == 0 && c == '0')
			continue; /* a leading zero */
		if (nd < PARSE_DIGITS)
			buf[nd++] = c;
		else {
			dropped++;
			sticky |= c != '0';
		}
	}
	if (!digits)
		return CELLA_ERR_MODEL;
	if (k < b && (s[k] == 'e' || s[k] == 'E')) {
		int eneg = 0;
		k++;
		if (k < b && (s[k] == '+' || s[k] == '-'))
			eneg = s[k++] == '-';
		for (; k < b && is_digit(s[k]); k++) {
			any_exp = 1;
			if (ex < 1000000000)
				ex = ex * 10 + (s[k] - '0'); /* beyond 10^9 the result is 0 or infinite either way */
		}
		if (!any_exp)
			return CELLA_ERR_MODEL;
		if (eneg)
			ex = -ex;
	}
	if (k != b)
		return CELLA_ERR_MODEL;
	int is_int = !point && !any_exp && dt != CELLA_ONNX_FLOAT && dt != CELLA_ONNX_DOUBLE;
	if (is_int) {
		/* an integer literal to an integer type: exactly, saturated to the type's range */
		uint64_t u = 0;
		int over = dropped != 0;
		for (size_t j = 0; j < nd && !over; j++) {
			uint64_t d = (uint64_t)(buf[j] - '0');
			over = u > (UINT64_MAX - d) / 10;
			u = u * 10 + d;
		}
		if (dt == CELLA_ONNX_UINT64) {
			((uint64_t *)out)[i] = neg ? 0 : over ? UINT64_MAX : u;
			return CELLA_OK;
		}
		int64_t lo = onnx_int_limit(dt, 0), hi = onnx_int_limit(dt, 1);
		int64_t v = neg ? (over || u >= (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u)
				: (over || u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u);
		onnx_put_i(out, dt, i, v < lo ? lo : v > hi ? hi : v);
		return CELLA_OK;
	}
	if (sticky && nd < sizeof(buf) - 32)
		buf[nd++] = '1';
	if (nd == 0)
		buf[nd++] = '0';
	/* the value is buf * 10^(ex - frac + dropped - sticky); clamped far beyond any finite double either way */
	int64_t e = ex - (int64_t)frac + (int64_t)dropped - (int64_t)sticky;
	e = e < -100000 ? -100000 : e > 100000 ? 100000 : e;
	snprintf(buf + nd, 32, "e%lld", (long long)e);
	if (dt == CELLA_ONNX_FLOAT) {
		float f = strtof(buf, NULL);
		((float *)out)[i] = neg ? -f : f;
		return CELLA_OK;
	}
	double d = strtod(buf, NULL);
	onnx_put_d(out, dt, i, neg ? -d : d);
	return CELLA_OK;
}
