/* SPDX-License-Identifier: MIT */
/* Messages between the host library and cella-monitor (one SOCK_SEQPACKET datagram each). */
#ifndef CELLA_HOST_PROTO_H
#define CELLA_HOST_PROTO_H

#include <cella/types.h>

#define CELLA_MONITOR_CONTROL_FD 3
#define CELLA_PMSG_TEXT_BYTES 4096

enum cella_pmsg_type {
	CELLA_PMSG_OPEN = 1,      /* host -> monitor: text = image path, flags */
	CELLA_PMSG_OPENED = 2,    /* monitor -> host: status, tcs_count, identity; text = error detail */
	CELLA_PMSG_WINDOW = 3,    /* host -> monitor: window fd (SCM_RIGHTS), a = window bytes, b = host address */
	CELLA_PMSG_READY = 4,     /* monitor -> host: status (the enclave booted, or why not) */
	CELLA_PMSG_LOG = 5,       /* monitor -> host: level, text */
	CELLA_PMSG_TERMINATE = 6, /* host -> monitor */
	CELLA_PMSG_BYE = 7,       /* monitor -> host: status (CELLA_ERR_ENCLAVE_LOST if it had died) */
	CELLA_PMSG_WINDOW_AT = 8, /* monitor -> host: the window's address is taken here; b = a free range to move to,
				   * then WINDOW again (at most CELLA_WINDOW_ROUNDS WINDOW messages in all) */
};

/*
 * The window lies at the same address in the host and in the enclave process (enclave code hands pointers into it
 * to the host). The enclave process is forked from the monitor, so that range must be free in both: when the
 * host's address is taken in the monitor, the monitor reserves a range of its own and offers it, and the host
 * moves its window there (or, if that range is taken in the host, anywhere else) and asks again.
 */
#define CELLA_WINDOW_ROUNDS 8

struct cella_pmsg {
	uint32_t type;
	uint32_t status;
	uint32_t flags;
	uint32_t level;
	uint64_t a;
	uint64_t b;
	uint32_t tcs_count;
	uint32_t reserved;
	struct cella_hash mrenclave;
	struct cella_hash mrsigner;
	char text[CELLA_PMSG_TEXT_BYTES];
};

#endif
