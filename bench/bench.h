/* SPDX-License-Identifier: MIT */
/* What every bench program shares: a monotonic clock in the unit each reports, and medians of its samples. */
#ifndef CELLA_BENCH_H
#define CELLA_BENCH_H

#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline double bench_now_s(void)
{
	return bench_now_ns() * 1e-9;
}

static inline double bench_now_ms(void)
{
	return bench_now_ns() * 1e-6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (n > 0), sorting v in place: the mean of the middle two when n is even. */
static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Pins the calling thread (and the threads and processes it starts) to one CPU; says so on stderr, naming prog,
 * when it cannot, since the figures are then an unpinned process's. */
static inline void bench_pin(const char *prog, int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fprintf(stderr, "%s: cannot pin to CPU %d; numbers are for an unpinned process\n", prog, cpu);
}

#endif
