// SPDX-License-Identifier: MIT
/* Small helpers of libcella-verify: detail strings, little-endian reads, time conversion. */
#include "verify_internal.h"

#include "hex.h"

#include <openssl/asn1.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cella_result cella_vfy_fail(struct cella_detail *d, cella_result r, const char *fmt, ...)
{
	va_list ap;
	if (d) {
		va_start(ap, fmt);
		vsnprintf(d->text, sizeof(d->text), fmt, ap);
		va_end(ap);
	}
	return r;
}

int cella_vfy_asn1_time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = cella_civil_to_unix((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

static int digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* see cella/verify.h */
cella_result cella_time_parse(const char *s, int64_t *out)
{
	unsigned y, mo, d, h, mi, sec;
	size_t n = strlen(s), i;
	if (n > 0 && n <= 19 && strspn(s, "0123456789") == n) {
		int64_t v = 0;
		for (i = 0; i < n; i++)
			if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v))
				return CELLA_ERR_BAD_FORMAT; /* past 2^63 - 1 seconds */
		*out = v;
		return CELLA_OK;
	}
	if (n < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return CELLA_ERR_BAD_FORMAT;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9')
			return CELLA_ERR_BAD_FORMAT;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (!((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == 0) && strcmp(s + i, "+00:00") != 0)
		return CELLA_ERR_BAD_FORMAT;
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 || sec > 60)
		return CELLA_ERR_BAD_FORMAT;
	*out = cella_civil_to_unix(y, mo, d) + h * 3600 + mi * 60 + sec;
	return CELLA_OK;
}

/* see cella/verify.h */
char *cella_time_format(int64_t t, char *buf, size_t len)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t rem = t - days * 86400;
	/* civil_from_days (Hinnant) */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (len > 0)
		snprintf(buf, len, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, (unsigned)(rem / 3600),
			 (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
	return buf;
}
