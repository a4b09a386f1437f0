/* SPDX-License-Identifier: MIT */
/* An attested-TLS peer for tests and benchmarks: a certificate carrying a DCAP quote, and in-memory handshakes with
 * a server presenting it. */
#ifndef CELLA_TESTS_TLS_PEER_H
#define CELLA_TESTS_TLS_PEER_H

#include <cella/result.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

/* A self-signed P-256 certificate shaped as an attested-TLS one: the evidence extension holds OE's envelope of the
 * quote with the certificate's SubjectPublicKeyInfo as custom claims. *key (NULL: not wanted) gets its key. */
X509 *tls_peer_cert(const uint8_t *quote, size_t quote_len, EVP_PKEY **key);
/* A TLS server context presenting x with key. */
SSL_CTX *tls_peer_server_ctx(X509 *x, EVP_PKEY *key);
/* One handshake in memory (a BIO pair) between a client on cctx and a server on sctx: 1 if the client connected,
 * else 0; *outcome the client connection's own (cella_tls_openssl_peer), which is CELLA_ERR_NOT_FOUND before the
 * handshake (asserted) and after one without the Cella callback. keep (may be NULL) gets the client's SSL, for the
 * caller to free. */
int tls_peer_handshake(SSL_CTX *cctx, SSL_CTX *sctx, cella_result *outcome, SSL **keep);

#endif
