/* SPDX-License-Identifier: MIT */
/* Messages between the sandbox enclave process and its monitor (the software "platform"). */
#ifndef CELLA_ABI_MONITOR_H
#define CELLA_ABI_MONITOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CELLA_MONITOR_ENCLAVE_FD 3        /* the enclave's end of its socket to the monitor */
#define CELLA_MONITOR_EXIT_MAGIC 0x43454c /* the only exit_group status the seccomp filter lets through */

enum cella_enclave_msg_type {
	CELLA_EMSG_BOOTED = 1, /* enclave -> monitor: boot finished; status = cella_result */
	CELLA_EMSG_FAULT = 2,  /* enclave -> monitor: fatal fault, the process exits next */
	CELLA_EMSG_REPORT = 3, /* EREPORT: struct cella_emsg_report_req -> struct cella_emsg_report_rep */
	CELLA_EMSG_GETKEY = 4, /* EGETKEY: struct cella_emsg_getkey_req -> struct cella_emsg_getkey_rep */
	CELLA_EMSG_QUOTE = 5,  /* quote: struct cella_emsg_quote_req -> struct cella_emsg_quote_rep + quote bytes */
};

enum cella_fault_kind {
	CELLA_FAULT_SIGNAL = 1, /* hardware fault: signal/code/addr/rip valid */
	CELLA_FAULT_ABORT = 2,  /* abort() or raise() of a fatal signal */
	CELLA_FAULT_EXIT = 3,   /* the enclave called exit(); code = status */
	CELLA_FAULT_RUNTIME = 4 /* a runtime invariant broke (cella_abort); code = cella_result */
};

/* Every message is one SOCK_SEQPACKET datagram of exactly this size. */
struct cella_enclave_msg {
	uint32_t type;
	uint32_t status;
	uint32_t kind;     /* enum cella_fault_kind */
	int32_t signal;
	int32_t code;      /* si_code, exit status, or cella_result */
	uint32_t tcs;
	uint64_t addr;     /* fault address (absolute) */
	uint64_t rip_rva;  /* faulting instruction, relative to the enclave base; ~0 if outside the enclave */
	uint64_t addr_rva; /* fault address relative to the enclave base; ~0 if outside */
	char text[64];     /* NUL-terminated short note */
};
_Static_assert(sizeof(struct cella_enclave_msg) == 112, "ABI: cella_enclave_msg");

/*
 * Identity requests: the enclave writes one request datagram and reads one reply datagram on its monitor
 * socket (one request at a time per enclave). Replies start with the request type and a cella_result, and
 * carry the request's seq back: the enclave numbers its requests and takes a reply only for the request it
 * is waiting on, so a reply left behind (a read that failed) can never answer a later request.
 * seq took the place of a reserved field, or was appended: a report request or reply, or a key reply, of a
 * runtime from before it is 8 bytes shorter, and the monitor refuses requests of the wrong size.
 */

struct cella_emsg_report_req {
	uint32_t type; /* CELLA_EMSG_REPORT */
	uint32_t has_target;
	uint8_t target_info[512]; /* struct cella_target_info; ignored unless has_target (then: the caller) */
	uint8_t report_data[64];
	uint32_t seq;
	uint32_t reserved;
};
_Static_assert(sizeof(struct cella_emsg_report_req) == 592, "ABI: cella_emsg_report_req");

struct cella_emsg_report_rep {
	uint32_t type;
	uint32_t status;
	uint8_t report[432]; /* struct cella_report */
	uint32_t seq;        /* the request's */
	uint32_t reserved;
};
_Static_assert(sizeof(struct cella_emsg_report_rep) == 448, "ABI: cella_emsg_report_rep");

struct cella_emsg_getkey_req {
	uint32_t type; /* CELLA_EMSG_GETKEY */
	uint32_t seq;
	uint8_t key_request[512]; /* struct cella_key_request */
};
_Static_assert(sizeof(struct cella_emsg_getkey_req) == 520, "ABI: cella_emsg_getkey_req");

struct cella_emsg_getkey_rep {
	uint32_t type;
	uint32_t status;
	uint8_t key[16];
	uint32_t seq; /* the request's */
	uint32_t reserved;
};
_Static_assert(sizeof(struct cella_emsg_getkey_rep) == 32, "ABI: cella_emsg_getkey_rep");

struct cella_emsg_quote_req {
	uint32_t type; /* CELLA_EMSG_QUOTE */
	uint32_t seq;
	uint8_t report_data[64];
};
_Static_assert(sizeof(struct cella_emsg_quote_req) == 72, "ABI: cella_emsg_quote_req");

#define CELLA_QUOTE_MAX_BYTES 16384
struct cella_emsg_quote_rep {
	uint32_t type;
	uint32_t status;
	uint32_t quote_bytes; /* followed by that many bytes */
	uint32_t seq;         /* the request's */
};
_Static_assert(sizeof(struct cella_emsg_quote_rep) == 16, "ABI: cella_emsg_quote_rep");

#ifdef __cplusplus
}
#endif
#endif
