/* SPDX-License-Identifier: MIT */
/* Command-line and configuration numbers, parsed whole: shared by the tools and services. */
#ifndef CELLA_COMMON_PARSE_H
#define CELLA_COMMON_PARSE_H

#include <stdint.h>

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

/*
 * s as a finite decimal number in [lo, hi] (strtod's syntax, but starting with a digit, '-' or '.': no spaces, no
 * '+', no "inf" or "nan", nothing after it). 0 with *out set, else -1 with *out untouched.
 */
int cella_parse_double(const char *s, double lo, double hi, double *out);

/* For command-line tools: as cella_cli_int, "PROG: OPT S: not a finite number from LO to HI" (">= LO" when hi is
 * infinite) and exit(2). */
double cella_cli_double(const char *prog, const char *opt, const char *s, double lo, double hi);

/*
 * Tensor dimensions "D", "DxD", "DxDxD", ... (each D decimal digits, at most 2^62) from s up to the first `stop`
 * character, or to the end of s when stop is '\0'; the empty string is rank 0. At most max of them. 0 with
 * dims[0..*rank) set, else -1.
 */
int cella_parse_dims(const char *s, char stop, int64_t *dims, unsigned max, uint32_t *rank);

#endif
