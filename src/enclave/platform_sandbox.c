// SPDX-License-Identifier: MIT
/*
 * Platform services on the sandbox backend: EREPORT, EGETKEY and quotes are requests to the monitor over the
 * enclave's socket (fd 3, the only fd its seccomp filter lets it use). One request at a time per enclave.
 * On SGX the same messages go to the CPU and the host's quoting enclave instead (sgx/platform_sgx.c).
 */
#include "rt.h"
#include "sgx/sgx_rt.h"

#include <cella/attest.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

static volatile int lock;

/* Sends req and receives the reply datagram into rep (cap bytes); *got is its size. */
cella_result rt_platform_call(const void *req, size_t req_len, void *rep, size_t cap, size_t *got)
{
	long k;
	if (rt_sgx())
		return rt_sgx_platform_call(req, req_len, rep, cap, got);
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		rt_sys(SYS_sched_yield, 0, 0, 0);
	/* The runtime's signal handlers do not restart syscalls, and the host can signal any thread of the enclave
	 * process: an interrupted write or read is made again, or the monitor's reply would stay queued for the
	 * next request (the sequence number in every message catches what is left over all the same). A datagram
	 * is sent and received whole, so an interrupted call has moved nothing. */
	do
		k = rt_sys(SYS_write, rt.mon_fd, req, req_len);
	while (k == -EINTR);
	if (k == (long)req_len) {
		do
			k = rt_sys(SYS_read, rt.mon_fd, rep, cap);
		while (k == -EINTR);
	}
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
	if (k < 8)
		return CELLA_ERR_BACKEND;
	*got = (size_t)k;
	return CELLA_OK;
}
