/* SPDX-License-Identifier: MIT */
/* Command-line and configuration numbers, parsed whole: shared by the tools and services. */
#ifndef CELLA_COMMON_PARSE_H
#define CELLA_COMMON_PARSE_H

/*
 * s as a decimal integer in [lo, hi]: optional '-', then digits, and nothing else (no spaces, no '+', no
 * trailing text, no overflow). 0 with *out set, else -1 with *out untouched.
 */
int cella_parse_int(const char *s, long long lo, long long hi, long long *out);

/*
 * For command-line tools: cella_parse_int's value, or "PROG: OPT S: not an integer from LO to HI" on stderr and
 * exit(2) (the usage-error status of every Cella tool).
 */
long long cella_cli_int(const char *prog, const char *opt, const char *s, long long lo, long long hi);

#endif
