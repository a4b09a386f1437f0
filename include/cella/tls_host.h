/* SPDX-License-Identifier: MIT */
/*
 * Attested TLS, host side (libcella-attest): the socket ocalls an enclave TLS server needs, and an OpenSSL
 * verification callback that accepts a peer by the evidence in its certificate (cella/evidence.h).
 */
#ifndef CELLA_TLS_HOST_H
#define CELLA_TLS_HOST_H

#include <cella/evidence.h>
#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cella_enclave;
struct ssl_ctx_st;         /* OpenSSL's SSL_CTX */
struct ssl_st;             /* OpenSSL's SSL */
struct x509_store_ctx_st;  /* OpenSSL's X509_STORE_CTX */
struct cella_fetch_options; /* cella/verify.h */

/*
 * A TCP listener for an enclave server: binds ip (an IPv4 or IPv6 address: "127.0.0.1", "::1", "0.0.0.0", "::"
 * (IPv6 only); NULL = 127.0.0.1) and port (0 = ephemeral),
 * *bound_port gets the port. Handles are opaque (a slot and its generation, not an fd number): the ocall handlers
 * below only touch sockets this process registered (listeners) or accepted, so an enclave cannot make the host act
 * on its other fds, and a closed handle stays dead when its fd number is reused. A connection is the accepting
 * enclave's, and another enclave of the process naming it is refused.
 * Errors: CELLA_ERR_INVALID_ARG (ip is not a numeric IPv4 or IPv6 address), CELLA_ERR_IO (socket, bind or listen failed:
 * errno says why), CELLA_ERR_OUT_OF_MEMORY (too many handles).
 */
CELLA_API CELLA_MUST_USE cella_result cella_tls_host_listen(const char *ip, uint16_t port, uint64_t *handle,
							    uint16_t *bound_port) CELLA_NONNULL(3);
/* Closes and unregisters a listener; an accept waiting on it returns CELLA_ERR_IO. */
CELLA_API void cella_tls_host_unlisten(uint64_t handle);
/*
 * Closes and unregisters every connection enclave e accepted (a call blocked on one returns, as on close). Call it
 * after cella_enclave_terminate(e), which does not know these sockets: their fds and slots would stay taken, and
 * an enclave created later at the same address would be taken for their owner. e is only compared, never
 * dereferenced, so it may be the pointer terminate has freed. Safe with no connections.
 */
CELLA_API void cella_tls_host_forget(const struct cella_enclave *e);

/*
 * ocall handlers (cella_ocall_fn) for the wire format in cella/tls.h; put them in the enclave's ocall table at
 * the indices given to cella_tls_server_new(). Accepted connections get 30 s send/receive timeouts. Closing a
 * connection while another of its calls is blocked wakes that call (a receive sees end of stream); the socket is
 * closed when the last call using it returns.
 * Errors: CELLA_ERR_MARSHAL (malformed request), CELLA_ERR_PERMISSION (unknown handle, or a connection another
 * enclave accepted), CELLA_ERR_IO; accept
 * also CELLA_ERR_OUT_OF_MEMORY (too many handles: the new connection is closed).
 */
CELLA_API cella_result cella_tls_host_accept(struct cella_enclave *e, const uint8_t *in, size_t in_bytes,
					     uint8_t *out, size_t out_bytes, size_t *written);
CELLA_API cella_result cella_tls_host_recv(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
					   size_t out_bytes, size_t *written);
CELLA_API cella_result cella_tls_host_send(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
					   size_t out_bytes, size_t *written);
CELLA_API cella_result cella_tls_host_close(struct cella_enclave *e, const uint8_t *in, size_t in_bytes,
					    uint8_t *out, size_t out_bytes, size_t *written);

/*
 * OpenSSL verification: cella_tls_openssl_configure() makes `ctx` require a peer certificate (a server fails the
 * handshake of a client that sends none) and replaces OpenSSL's chain verification with cella_verify_attest_cert()
 * under v->policy. It also turns off session resumption (no session cache, no tickets): a resumed session would
 * skip the verification, so do not resume one with SSL_set_session either. After a handshake, v->result and
 * v->claims say what its verification found, and cella_tls_openssl_peer() says it for each connection. The
 * context's handshakes may run on several threads at once (the kept collateral below is shared under a lock): then
 * v->result and v->claims hold whichever verification finished last (written under that lock; do not read them
 * while handshakes run) and each connection's outcome is cella_tls_openssl_peer(ssl). Do not change *v or
 * configure the context again while handshakes run. Zero *v, then set v->policy (and v->endorsements or v->fetch for Intel quotes): they are
 * checked here (a verification time, every configured root present and parsing, report data of 0 or 32 bytes (what
 * the peer's certificate must bind: cella_verify_attest_cert), the collateral; both endorsements
 * and fetch, or a fetch without a base URL, is CELLA_ERR_INVALID_ARG), and an unusable one is refused, `ctx` left
 * unchanged, rather than found out at the first handshake.
 */
struct cella_tls_openssl_verifier {
	struct cella_evidence_policy policy; /* set by the caller */
	/* set by the caller, optional: DCAP collateral (the JSON of cella_collateral_new_json) for peers whose evidence
	 * is an Intel quote (without it such a peer is refused with CELLA_ERR_COLLATERAL; evidence from the software
	 * TEE needs none). cella_tls_openssl_configure parses it once and keeps it with the SSL_CTX (freed with it):
	 * the context's handshakes verify on that one collateral, whose chains, CRLs and signed documents are checked
	 * at the first and reused by the rest (each handshake still checks its validity at policy.time). After
	 * changing these bytes in place, configure again; given other bytes (pointer or length) since, or called
	 * outside a handshake of a configured context, the callback parses them for that verification. Borrowed: it
	 * must outlive the context's handshakes. Checked by cella_tls_openssl_configure: a length without its bytes
	 * is CELLA_ERR_INVALID_ARG, bytes that are not such collateral are refused with cella_collateral_new_json's
	 * error. */
	const uint8_t *endorsements;
	size_t endorsements_len;
	/* set by the caller, optional, instead of endorsements: where to fetch the collateral of a peer's Intel quote
	 * (cella_collateral_fetch at policy.time: a PCCS or Intel PCS, its on-disk cache honoured), during the
	 * handshake, once the quote's PCK chain is found to end at fetch->trust (Intel's root when NULL); a chain
	 * that does not, or a fetch that fails, refuses the peer with its error (CELLA_ERR_UNTRUSTED_ROOT,
	 * CELLA_ERR_CERT_CHAIN, CELLA_ERR_FETCH, ...). The handshakes of a configured context keep what they fetched
	 * (up to 8 platforms, per TEE, FMSPC, PCK CA and fetch source: base URL, root CRL URL, update, trust) and
	 * verify later peers of a platform on it while policy.time is before its earliest nextUpdate, as the
	 * on-disk cache would serve it; configuring again empties it. Borrowed. */
	const struct cella_fetch_options *fetch;
	cella_result result;        /* out: the last verification */
	struct cella_claims claims; /* out: valid when result is CELLA_OK (or CELLA_ERR_POLICY) */
};
CELLA_API cella_result cella_tls_openssl_configure(struct ssl_ctx_st *ctx, struct cella_tls_openssl_verifier *v)
	CELLA_NONNULL(1, 2) CELLA_MUST_USE;
/* The callback itself (SSL_CTX_set_cert_verify_callback form; arg = struct cella_tls_openssl_verifier *). It leaves
 * OpenSSL's error queue as it found it: a refusal is X509_V_ERR_APPLICATION_VERIFICATION and v->result. */
CELLA_API int cella_tls_openssl_verify_cb(struct x509_store_ctx_st *ctx, void *arg);
/*
 * The outcome of the callback's verification of ssl's peer, the connection's own: the result (CELLA_ERR_NOT_FOUND
 * if none ran on ssl: no handshake yet, or SSL_clear since; SSL_dup's copy has none), and in *claims (may be NULL)
 * what was verified, valid when the result is CELLA_OK or CELLA_ERR_POLICY. Read this, not v->result and v->claims,
 * when one context serves handshakes on several threads.
 */
CELLA_API cella_result cella_tls_openssl_peer(const struct ssl_st *ssl, struct cella_claims *claims)
	CELLA_NONNULL(1);

#ifdef __cplusplus
}
#endif
#endif
