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
	T_LIMITS = 4,   /* out: struct t_limits_out (the certificate's and server's argument checks) */
	T_BOUND_CERT = 5, /* out: an attested certificate binding T_BOUND_BYTE(0..31) besides its key */
};
#define T_BOUND_BYTE(i) ((uint8_t)(7 * (i) + 1))
/* T_VERIFY flags: 1 any identity; 2 the policy's report data is T_BOUND_BYTE(0..31); 4 the same, 31 bytes of it */
#define T_VERIFY_BOUND 2u
#define T_VERIFY_BOUND_SHORT 4u
/* T_O_END_OF_DATA: no data; T_SERVE calls it when a read reports the end of data, before anything else */
enum { T_O_ACCEPT = 0, T_O_RECV = 1, T_O_SEND = 2, T_O_CLOSE = 3, T_O_END_OF_DATA = 4 };
struct t_serve_in {
	uint64_t listener;
	uint32_t connections;
	uint32_t timeout_ms;
	uint32_t flags; /* T_SERVE_ACCEPT_AGAIN */
	uint32_t reserved;
};
#define T_SERVE_ACCEPT_AGAIN 1u /* after each handshake, accept once more (1 ms) while the connection is open */
#define T_SERVE_READ_FULL 2u    /* read exactly 8 bytes (cella_tls_server_read_full) instead of a line */
struct t_serve_out {
	uint32_t ok;         /* handshakes that succeeded (and sessions answered) */
	uint32_t last_error; /* the cella_result of the last failed accept, 0 if none failed */
	uint32_t read_result; /* the cella_result of the last session's last read (0: a line, or the peer's end) */
	uint32_t again_result; /* T_SERVE_ACCEPT_AGAIN: the cella_result of the last second accept */
	uint32_t write_result; /* the last session's failed write (0 if none): its answer, or one byte after a failed
				* read */
	uint32_t closed_write; /* a write once the last connection was closed, or its accept failed */
	char detail[192];      /* cella_tls_server_detail after the last failed accept, read (before the write that
				* follows it) or write; "" if none failed */
};
struct t_limits_out {
	uint64_t small_len;      /* cella_attest_cert's *len with a 16-byte buffer */
	uint32_t small;          /* its result */
	uint32_t retry_failures; /* of 16 retries with cap = the *len a too-small buffer reported, those not CELLA_OK */
	uint32_t cn_64, cn_65, cn_empty; /* cella_attest_cert with common names of 64, 65 and 0 bytes */
	uint32_t cn_utf8;                /* ... with one of 2, 3 and 4-byte UTF-8 characters */
	uint32_t cn_not_utf8[4];         /* ... with 0xff, an overlong '/', a surrogate, a character cut short */
	uint32_t server_over, server_empty, server_max; /* cella_tls_server_new: cert of MAX + 1, 0 and MAX bytes */
	uint32_t verifier_ok;    /* cella_tls_verifier_new: a usable policy (a time, one DER root) */
	uint32_t verifier_bad[5]; /* ... time 0, a count without roots, a NULL root, a root that does not parse, a
				   * PEM root without a certificate */
};
/* Protocol: the client sends a line; "BULK <n>\n" makes the server send n bytes of data; anything else is echoed
 * back prefixed with "enclave: ". */
#endif
