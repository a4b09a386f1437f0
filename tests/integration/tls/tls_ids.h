/* SPDX-License-Identifier: MIT */
/* ecalls and ocalls of the attested-TLS test enclave. */
#ifndef CELLA_TEST_TLS_IDS_H
#define CELLA_TEST_TLS_IDS_H
#include <stdint.h>
enum {
	T_CERT = 0,     /* out: an attested certificate (DER) for the enclave's TLS key */
	T_BAD_CERT = 1, /* out: a certificate whose key differs from the one its evidence names */
	T_SERVE = 2,    /* in: struct t_serve_in; serves that many connections; out: struct t_serve_out */
	T_VERIFY = 3,   /* in: i64 time, u32 flags, u32 root_len, root, cert; out: u32 cella_result (BearSSL verifier) */
};
enum { T_O_ACCEPT = 0, T_O_RECV = 1, T_O_SEND = 2, T_O_CLOSE = 3 };
struct t_serve_in {
	uint64_t listener;
	uint32_t connections;
	uint32_t timeout_ms;
};
struct t_serve_out {
	uint32_t ok;         /* handshakes that succeeded (and sessions answered) */
	uint32_t last_error; /* the cella_result of the last failed accept, 0 if none failed */
	uint32_t read_result; /* the cella_result of the last session's last read (0: a line, or the peer's end) */
	uint32_t reserved;
};
/* Protocol: the client sends a line; "BULK <n>\n" makes the server send n bytes of data; anything else is echoed
 * back prefixed with "enclave: ". */
#endif
