/* SPDX-License-Identifier: MIT */
/*
 * Attested TLS, enclave side (cella_attest_enclave, BearSSL): P-256 keys, self-signed certificates carrying the
 * enclave's evidence, a TLS 1.2 server whose socket I/O is done by host ocalls, and a BearSSL X.509 verifier
 * that accepts a peer by its evidence. The host side (ocall handlers, OpenSSL verifier) is cella/tls_host.h.
 */
#ifndef CELLA_TLS_H
#define CELLA_TLS_H

#include <cella/evidence.h>
#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------------
 * Keys and certificates
 */

#define CELLA_TLS_SPKI_BYTES 91u          /* DER SubjectPublicKeyInfo of a P-256 key */
#define CELLA_ATTEST_CERT_MAX_BYTES 20480u /* room for the largest certificate cella_attest_cert writes */

/* A P-256 key pair, caller-owned. Wipe with cella_tls_key_fini(). */
struct cella_tls_key {
	uint8_t secret[32]; /* big-endian scalar */
	uint8_t pub[65];    /* uncompressed point 0x04 || X || Y */
};

/* A fresh key from the enclave's RDRAND (HMAC-DRBG seeded with 48 bytes). Errors: CELLA_ERR_CRYPTO. */
CELLA_API CELLA_MUST_USE cella_result cella_tls_key_generate(struct cella_tls_key *key) CELLA_NONNULL(1);
/* Zeroes the key (a repeated call is a no-op). */
CELLA_API void cella_tls_key_fini(struct cella_tls_key *key);
/* The key's DER SubjectPublicKeyInfo (id-ecPublicKey, prime256v1). */
CELLA_API void cella_tls_key_spki(const struct cella_tls_key *key, uint8_t spki[CELLA_TLS_SPKI_BYTES])
	CELLA_NONNULL(1, 2);

/*
 * cella_attest_cert: a self-signed X.509 v3 certificate (DER) for `key`: subject and issuer CN=common_name
 * (NULL: "Cella attested enclave"), a random serial, fixed validity 2024-01-01 to 2049-12-31 (no trusted clock
 * in enclaves: relying parties judge freshness by the evidence and the handshake), ecdsa-with-SHA256, and the
 * non-critical extension 1.2.840.113556.10.1.2 (Open Enclave's evidence OID) holding OE's evidence envelope:
 * format SGX_ECDSA, then this enclave's quote with report_data = SHA-256(SubjectPublicKeyInfo) || 32 zero bytes
 * (cella_attest_cert_bound: || 32 bytes of the caller's),
 * then the SubjectPublicKeyInfo as the custom claims buffer. *len gets the size; on BUFFER_TOO_SMALL, the most a
 * retry with the same common name can need (each call signs afresh: the signature's length varies by a few bytes).
 * Errors: CELLA_ERR_BUFFER_TOO_SMALL, CELLA_ERR_INVALID_ARG (common_name empty, longer than 64 bytes or not valid
 * UTF-8: it is written as a UTF8String), evidence
 * errors (cella_get_evidence), CELLA_ERR_CRYPTO, CELLA_ERR_OUT_OF_MEMORY.
 */
CELLA_API CELLA_MUST_USE cella_result cella_attest_cert(const struct cella_tls_key *key, const char *common_name,
							uint8_t *cert, size_t cap, size_t *len) CELLA_NONNULL(1, 5);

/*
 * As cella_attest_cert, the quote's report_data binding `bound` besides the key: SHA-256(SubjectPublicKeyInfo) ||
 * bound. What the enclave vouches for with its key (the SHA-256 of a model it serves, of a configuration...), for a
 * relying party to require in the handshake itself: cella_verify_attest_cert's policy->report_data. Same errors.
 */
CELLA_API CELLA_MUST_USE cella_result cella_attest_cert_bound(const struct cella_tls_key *key, const char *common_name,
							      const uint8_t bound[32], uint8_t *cert, size_t cap,
							      size_t *len) CELLA_NONNULL(1, 3, 6);
/* As cella_attest_cert with caller-supplied extension contents (any bytes: for tests and other evidence). */
CELLA_API CELLA_MUST_USE cella_result cella_tls_cert_build(const struct cella_tls_key *key, const char *common_name,
							   const uint8_t *extension, size_t extension_len,
							   uint8_t *cert, size_t cap, size_t *len)
	CELLA_NONNULL(1, 3, 7);

/* ---------------------------------------------------------------------------------------------------
 * Host socket ocalls: the enclave cannot open sockets; the host serves these four ocalls (cella/tls_host.h
 * has ready-made handlers) at indices the application chooses. Wire format, little-endian:
 *   accept: in struct cella_tls_accept_in          out: u64 connection handle
 *   recv:   in struct cella_tls_recv_in            out: up to max bytes (0 bytes: the peer closed)
 *   send:   in struct cella_tls_send_in || data    out: u32 bytes sent (1..len)
 *   close:  in struct cella_tls_close_in           out: nothing
 * Every reply is checked in the enclave (lengths within what was asked, exact sizes).
 */
struct cella_tls_accept_in {
	uint64_t listener; /* host listening socket handle */
	uint32_t timeout_ms; /* 0: wait forever */
	uint32_t reserved;
};
struct cella_tls_recv_in {
	uint64_t conn;
	uint32_t max;
	uint32_t reserved;
};
struct cella_tls_send_in {
	uint64_t conn;
};
struct cella_tls_close_in {
	uint64_t conn;
};

struct cella_tls_ocalls {
	uint32_t accept, recv, send, close; /* the host's ocall indices */
};

/* ---------------------------------------------------------------------------------------------------
 * TLS 1.2 server inside the enclave (BearSSL, ECDHE-ECDSA with AES-GCM / ChaCha20-Poly1305), one connection
 * at a time.
 *
 * When the TLS engine ends the connection, the server first sends the records the engine made last: the fatal
 * alert that says why a handshake or record failed (RFC 5246 7.2.2; e.g. handshake_failure when the client offers
 * no suite the server takes), or the close_notify answering the peer's (7.2.1). BearSSL queues either as records to
 * send (BR_SSL_SENDREC) and reports the engine closed only once they have been taken, so accept, read and write
 * send them before they return, not at cella_tls_server_close. Best effort: a send that fails is ignored (the peer
 * may be gone already) and the call reports the engine's outcome, with its detail. Blocking is as before: every
 * call already sends batched records (a read before it waits for the peer), and this is one more such send, after
 * which nothing waits for the peer.
 */
struct cella_tls_server;

/*
 * key, cert: borrowed for the call (copied). ocalls: the host's ocall indices. out: takes ownership; free with
 * cella_tls_server_free(). Errors: CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_INVALID_ARG (cert empty or larger than
 * CELLA_ATTEST_CERT_MAX_BYTES).
 */
CELLA_API CELLA_MUST_USE cella_result cella_tls_server_new(const struct cella_tls_key *key, const uint8_t *cert,
							   size_t cert_len, const struct cella_tls_ocalls *ocalls,
							   struct cella_tls_server **out) CELLA_NONNULL(1, 2, 4, 5);
/* Closes any connection, wipes the keys and frees. NULL is a no-op. */
CELLA_API void cella_tls_server_free(struct cella_tls_server *s);
/*
 * Accepts one connection on the host's listener (timeout_ms, 0 = forever) and completes the TLS handshake. A
 * handshake the server refuses ends with its fatal alert sent (as above) and the connection closed.
 * Errors: CELLA_ERR_INVALID_STATE (a connection is open), CELLA_ERR_IO (the host's socket failed, the peer
 * went away, or no connection came within timeout_ms), CELLA_ERR_CRYPTO (handshake failed; BearSSL's error in cella_tls_server_detail), CELLA_ERR_MARSHAL
 * (host reply malformed), ocall errors.
 */
CELLA_API CELLA_MUST_USE cella_result cella_tls_server_accept(struct cella_tls_server *s, uint64_t listener,
							      uint32_t timeout_ms) CELLA_NONNULL(1);
/* Reads application data: *n > 0 bytes, or *n = 0 when the peer closed with close_notify (the server's close_notify
 * in answer is sent by then, best effort, as above). A connection that ends without close_notify (the socket
 * closed or failed) is CELLA_ERR_IO: the host can cut the stream anywhere, so the data read so far may be
 * incomplete. Errors: CELLA_ERR_INVALID_STATE (no connection is open: none was
 * accepted, the last accept failed, or cella_tls_server_close ended it), and the others as accept. */
CELLA_API CELLA_MUST_USE cella_result cella_tls_server_read(struct cella_tls_server *s, void *buf, size_t cap,
							    size_t *n) CELLA_NONNULL(1, 2, 4);
/*
 * Reads exactly n bytes into buf, across as many records as they span (cella_tls_server_read until n). Errors:
 * CELLA_ERR_PEER_CLOSED (the peer ended the connection with close_notify before the first byte: the orderly end of
 * a request-response protocol between messages), CELLA_ERR_TRUNCATED (it did so after some: buf holds them, the
 * message is incomplete), and read's errors. n = 0 reads nothing and is CELLA_OK.
 */
CELLA_API CELLA_MUST_USE cella_result cella_tls_server_read_full(struct cella_tls_server *s, void *buf, size_t n)
	CELLA_NONNULL(1, 2);
/*
 * Writes all of buf and flushes; it never waits for the caller to read what the peer sent. Errors:
 * CELLA_ERR_INVALID_STATE (no connection is open, as read), CELLA_ERR_PEER_CLOSED (the peer ended the connection
 * with close_notify, which closes both directions in TLS 1.2, RFC 5246 7.2.1; read reports it as the end of data),
 * CELLA_ERR_IO (the host's socket failed, or the peer went away without close_notify), CELLA_ERR_CRYPTO (the TLS
 * engine failed, now or earlier on this connection), CELLA_ERR_MARSHAL (host reply malformed), ocall errors;
 * CELLA_ERR_UNEXPECTED for an engine state BearSSL does not produce with this server's buffers (a bug).
 */
CELLA_API CELLA_MUST_USE cella_result cella_tls_server_write(struct cella_tls_server *s, const void *buf, size_t len)
	CELLA_NONNULL(1);
/* Sends close_notify (best effort) and closes the host connection. No-op without a connection. */
CELLA_API cella_result cella_tls_server_close(struct cella_tls_server *s) CELLA_NONNULL(1);
/*
 * Why the last failed accept, read or write (or close's close_notify) failed, in one line that names what the
 * server was doing and the cause: BearSSL's error by name and number ("handshake: BearSSL error
 * BR_ERR_UNSUPPORTED_VERSION (3)"), a fatal alert sent or received ("BR_ERR_SEND_FATAL_ALERT + 40
 * (handshake_failure)"), the host ocall that failed or answered out of bounds, or the state that refused the call.
 * A call refused because the socket failed earlier (CELLA_ERR_IO) keeps that failure's detail; one refused because
 * the engine failed earlier repeats BearSSL's error. An accept that finds no connection open clears it ("").
 * Never NULL; owned by s, valid until the next call on s. The library prints nothing: the application logs this as
 * it chooses (enclave code has no host log; what it writes to stdout and stderr reaches the host's output
 * callback, not its log).
 */
CELLA_API const char *cella_tls_server_detail(const struct cella_tls_server *s) CELLA_NONNULL(1);

/* ---------------------------------------------------------------------------------------------------
 * BearSSL verification callback: an X.509 engine (br_x509_class) for br_ssl_engine_set_x509() that accepts the
 * peer's attested certificate by cella_verify_attest_cert() under a policy, ignoring CA chains.
 */
struct br_x509_class_;
struct cella_tls_verifier;

/* policy: copied (its roots and pinned values stay borrowed). out: takes ownership. Errors: CELLA_ERR_INVALID_ARG
 * (a policy no verification could use, refused here rather than at the first handshake: time 0 or negative,
 * root_count with NULL roots, a root with a NULL cert or one that does not parse, report data other than none or 32
 * bytes: cella_verify_attest_cert), CELLA_ERR_OUT_OF_MEMORY. */
CELLA_API CELLA_MUST_USE cella_result cella_tls_verifier_new(const struct cella_evidence_policy *policy,
							     struct cella_tls_verifier **out) CELLA_NONNULL(1, 2);
CELLA_API void cella_tls_verifier_free(struct cella_tls_verifier *v);
/* The engine to pass to br_ssl_engine_set_x509(&cc.eng, cella_tls_verifier_x509(v)). */
CELLA_API const struct br_x509_class_ **cella_tls_verifier_x509(struct cella_tls_verifier *v) CELLA_NONNULL(1);
/* The outcome of the last verification and, on CELLA_OK, the peer's claims. */
CELLA_API CELLA_MUST_USE cella_result cella_tls_verifier_result(const struct cella_tls_verifier *v,
								struct cella_claims *claims) CELLA_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
