// SPDX-License-Identifier: MIT
/* Numbers parsed whole. */
#include "parse.h"

#include <errno.h>
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
