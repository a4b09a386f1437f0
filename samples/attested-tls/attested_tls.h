/* SPDX-License-Identifier: MIT */
/* The attested-tls interface (hand-written call ids). */
#ifndef ATTESTED_TLS_H
#define ATTESTED_TLS_H
#include <stdint.h>
enum { ECALL_SERVE = 0 }; /* in: struct serve_in; out: u32 sessions served */
enum { OCALL_ACCEPT = 0, OCALL_RECV = 1, OCALL_SEND = 2, OCALL_CLOSE = 3 };
struct serve_in {
	uint64_t listener;
	uint32_t connections;
	uint32_t timeout_ms;
};
#endif
