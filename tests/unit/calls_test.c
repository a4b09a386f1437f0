// SPDX-License-Identifier: MIT
/*
 * The host's built-in time ocall (src/host/calls.c, cella_ocall_time) with what an enclave may send it: the six
 * clocks it serves answer with a well-formed time; CPU-time clocks (Linux encodes a pid in a negative id: pid 1's,
 * this process's own) and every other id are CELLA_ERR_PERMISSION with nothing written and the id logged;
 * malformed sizes are CELLA_ERR_MARSHAL.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cella_test.h"
#include "internal.h"

static char logbuf[4096];

static void capture_log(void *ctx, enum cella_log_level level, const char *msg)
{
	size_t n = strlen(logbuf);
	(void)ctx, (void)level;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
}

static cella_result ask(struct cella_enclave *e, uint32_t clk, int64_t t[2], size_t *w)
{
	uint8_t out[24];
	cella_result r;
	memset(out, 0xee, sizeof(out));
	*w = 0;
	r = cella_ocall_time(e, (const uint8_t *)&clk, sizeof(clk), out, 16, w);
	for (size_t i = 16; i < sizeof(out); i++)
		CT_EQ(out[i], 0xee); /* never past the 16 bytes it was given */
	memcpy(t, out, 16);
	return r;
}

static void served(struct cella_enclave *e)
{
	const uint32_t ids[] = {CLOCK_REALTIME,	       CLOCK_MONOTONIC,	       CLOCK_MONOTONIC_RAW,
				CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int64_t t[2];
		size_t w;
		CT_RESULT(ask(e, ids[i], t, &w), CELLA_OK);
		CT_EQ(w, 16);
		CT_ASSERT(t[0] >= 0 && t[1] >= 0 && t[1] < 1000000000);
	}
	CT_EQ(logbuf[0], 0);
	cella_test_pass("time ocall: the wall-clock and monotonic clocks are served");
}

static void refused(struct cella_enclave *e)
{
	const uint32_t ids[] = {
		(~1u << 3) | 2,                    /* CPU clock (scheduler time) of pid 1 */
		(~1u << 3) | 0,                    /* its profiling clock */
		(~(uint32_t)getpid() << 3) | 2,    /* this process's, by pid */
		(~0u << 3) | 6,                    /* the calling thread's (pid 0, per-thread) */
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
		8 /* CLOCK_REALTIME_ALARM */, 9 /* CLOCK_BOOTTIME_ALARM */, 10, 11 /* CLOCK_TAI */, 16, 0x7fffffffu};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int64_t t[2];
		size_t w;
		char want[64];
		logbuf[0] = 0;
		CT_RESULT(ask(e, ids[i], t, &w), CELLA_ERR_PERMISSION);
		CT_EQ(w, 0);
		CT_EQ(t[0], (int64_t)0xeeeeeeeeeeeeeeeeull); /* nothing written */
		snprintf(want, sizeof(want), "clock id %#x", ids[i]);
		if (!strstr(logbuf, want))
			cella_test_fail(__FILE__, __LINE__, "log lacks '%s': %s", want, logbuf);
	}
	cella_test_pass("time ocall: CPU-time and other clock ids are refused (CELLA_ERR_PERMISSION)");
}

static void malformed(struct cella_enclave *e)
{
	uint8_t in[8] = {0}, out[16];
	size_t w = 0;
	CT_RESULT(cella_ocall_time(e, in, 3, out, sizeof(out), &w), CELLA_ERR_MARSHAL);
	CT_RESULT(cella_ocall_time(e, in, 5, out, sizeof(out), &w), CELLA_ERR_MARSHAL);
	CT_RESULT(cella_ocall_time(e, in, 4, out, 15, &w), CELLA_ERR_MARSHAL);
	CT_EQ(w, 0);
	cella_test_pass("time ocall: malformed sizes are CELLA_ERR_MARSHAL");
}

int main(void)
{
	static struct cella_enclave e; /* only its log settings are used */
	e.s.log = capture_log;
	served(&e);
	refused(&e);
	malformed(&e);
	return 0;
}
