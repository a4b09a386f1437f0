// SPDX-License-Identifier: MIT
/* Numbers parsed whole. */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int cella_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;
	if (!s || !(*s == '-' || (*s >= '0' && *s <= '9'))) /* strtoll would skip spaces and take '+' */
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

long long cella_cli_int(const char *prog, const char *opt, const char *s, long long lo, long long hi)
{
	long long v;
	if (cella_parse_int(s, lo, hi, &v) != 0) {
		fprintf(stderr, "%s: %s %s: not an integer from %lld to %lld\n", prog, opt, s ? s : "", lo, hi);
		exit(2);
	}
	return v;
}

int cella_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;
	if (!s || !(*s == '-' || *s == '.' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

double cella_cli_double(const char *prog, const char *opt, const char *s, double lo, double hi)
{
	double v;
	if (cella_parse_double(s, lo, hi, &v) != 0) {
		if (isinf(hi))
			fprintf(stderr, "%s: %s %s: not a finite number >= %g\n", prog, opt, s ? s : "", lo);
		else
			fprintf(stderr, "%s: %s %s: not a finite number from %g to %g\n", prog, opt, s ? s : "", lo, hi);
		exit(2);
	}
	return v;
}

int cella_parse_dims(const char *s, char stop, int64_t *dims, unsigned max, uint32_t *rank)
{
	unsigned n = 0;
	if (!s)
		return -1;
	while (*s && *s != stop) {
		int64_t v = 0;
		if (n == max || *s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > (((int64_t)1 << 62) - (*s - '0')) / 10)
				return -1;
			v = v * 10 + (*s - '0');
		}
		dims[n++] = v;
		if (*s == 'x' && s[1] && s[1] != stop)
			s++;
		else if (*s && *s != stop)
			return -1;
	}
	*rank = n;
	return 0;
}
