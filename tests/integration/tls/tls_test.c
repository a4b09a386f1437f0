// SPDX-License-Identifier: MIT
/*
 * Attested TLS on the sandbox backend: the enclave's certificate parsed and checked with OpenSSL, the evidence
 * binding refused when key and evidence differ, the BearSSL and OpenSSL verification callbacks, and a TLS 1.2
 * server inside the enclave serving an OpenSSL client on 127.0.0.1 (ephemeral port, bounded timeouts).
 *   tls_test ENCLAVE
 */
#include <arpa/inet.h>
#include <cella/host.h>
#include <cella/tls.h>
#include <cella/tls_host.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "cella_test.h"
#include "cella_test_x509.h"
#include "tls_ids.h"

static struct cella_enclave *e;
static uint8_t *root_pem;
static size_t root_len;

struct server_run {
	struct t_serve_in in;
	cella_result r;
	struct t_serve_out out;
};

/* The enclave's output: kept for checks (the TLS server must not print its errors there), and passed on. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static char out_text[8192];

static void capture_output(void *ctx, int fd, const char *bytes, size_t n)
{
	size_t have;
	(void)ctx;
	fwrite(bytes, 1, n, fd == 1 ? stdout : stderr);
	pthread_mutex_lock(&out_lock);
	have = strlen(out_text);
	if (n > sizeof(out_text) - 1 - have)
		n = sizeof(out_text) - 1 - have;
	memcpy(out_text + have, bytes, n);
	out_text[have + n] = 0;
	pthread_mutex_unlock(&out_lock);
}

static void *server_thread(void *arg)
{
	struct server_run *s = arg;
	size_t w = 0;
	s->r = cella_enclave_call(e, T_SERVE, &s->in, sizeof(s->in), &s->out, sizeof(s->out), &w);
	return NULL;
}

static bool session(uint16_t port, struct cella_tls_openssl_verifier *v, const char *line, char *reply, size_t cap);

/* The server's detail for the run's last failure is `want`, or starts with it when want ends in "...". */
static void expect_detail(const struct server_run *run, const char *want)
{
	size_t n = strlen(want);
	bool prefix = n >= 3 && strcmp(want + n - 3, "...") == 0;
	if (prefix ? strncmp(run->out.detail, want, n - 3) != 0 : strcmp(run->out.detail, want) != 0)
		cella_test_fail(__FILE__, __LINE__, "the server's detail is '%.*s', expected '%s'",
				(int)sizeof(run->out.detail), run->out.detail, want);
}

/* Starts the enclave's server on a thread for one connection on listener (flags: T_SERVE_*). */
static void serve_one(struct server_run *run, pthread_t *th, uint64_t listener, uint32_t flags)
{
	memset(run, 0, sizeof(*run));
	run->in.listener = listener;
	run->in.connections = 1;
	run->in.timeout_ms = 20000;
	run->in.flags = flags;
	CT_ASSERT(pthread_create(th, NULL, server_thread, run) == 0);
}

/* F5: socket ocalls that lie about lengths. The host library's own handlers run, then the answer is bent. */
enum lie { LIE_NONE, LIE_SEND_MORE, LIE_SEND_ZERO, LIE_SEND_SHORT_REPLY, LIE_ACCEPT_SHORT_REPLY };
static enum lie lie;

/* Sends the enclave asked for whose data starts with an alert record (TLS content type 21, RFC 5246 6.2.1), and
 * their count when its read last reported the end of data (T_O_END_OF_DATA). Written on the server's thread, read
 * after joining it. */
static unsigned alerts_sent, alerts_at_end;

static cella_result end_of_data(struct cella_enclave *en, const uint8_t *in, size_t in_bytes, uint8_t *out,
				size_t out_bytes, size_t *written)
{
	(void)en, (void)in, (void)in_bytes, (void)out, (void)out_bytes;
	*written = 0;
	alerts_at_end = alerts_sent;
	return CELLA_OK;
}

static cella_result lying_send(struct cella_enclave *en, const uint8_t *in, size_t in_bytes, uint8_t *out,
			       size_t out_bytes, size_t *written)
{
	cella_result r;
	uint32_t n;
	if (in_bytes > sizeof(struct cella_tls_send_in) && in[sizeof(struct cella_tls_send_in)] == 21)
		alerts_sent++; /* counted whether or not the peer is still there to take it */
	r = cella_tls_host_send(en, in, in_bytes, out, out_bytes, written);
	if (r != CELLA_OK || *written != 4)
		return r;
	if (lie == LIE_SEND_MORE) { /* more than the enclave gave: the TLS record bytes plus one */
		n = (uint32_t)(in_bytes - sizeof(struct cella_tls_send_in) + 1);
		memcpy(out, &n, 4);
	} else if (lie == LIE_SEND_ZERO) {
		n = 0;
		memcpy(out, &n, 4);
	} else if (lie == LIE_SEND_SHORT_REPLY) {
		*written = 2; /* half a length */
	}
	return r;
}

static cella_result lying_accept(struct cella_enclave *en, const uint8_t *in, size_t in_bytes, uint8_t *out,
				 size_t out_bytes, size_t *written)
{
	cella_result r = cella_tls_host_accept(en, in, in_bytes, out, out_bytes, written);
	if (r == CELLA_OK && lie == LIE_ACCEPT_SHORT_REPLY && *written == 8) {
		struct cella_tls_close_in ci;
		size_t w = 0;
		memset(&ci, 0, sizeof(ci));
		memcpy(&ci.conn, out, 8);
		(void)cella_tls_host_close(en, (const uint8_t *)&ci, sizeof(ci), NULL, 0, &w); /* no client waits */
		*written = 4; /* half a connection handle */
	}
	return r;
}

/* Each lie ends the handshake inside the enclave with CELLA_ERR_MARSHAL; the client sees the connection fail;
 * an honest session afterwards works. */
static void lying_sockets(uint16_t port, uint64_t listener, struct cella_tls_openssl_verifier *v)
{
	static const enum lie lies[] = {LIE_SEND_MORE, LIE_SEND_ZERO, LIE_SEND_SHORT_REPLY, LIE_ACCEPT_SHORT_REPLY};
	static const char *const details[] = {
		"handshake: the host's send ocall reported ...", /* the record's length + 1 */
		"handshake: the host's send ocall reported 0 bytes sent of ...",
		"handshake: the host's send ocall answered 2 bytes, not 4",
		"accept: the host's accept ocall answered 4 bytes, not 8",
		"" /* the honest session */
	};
	char reply[256];
	for (size_t i = 0; i <= sizeof(lies) / sizeof(lies[0]); i++) {
		struct server_run run;
		pthread_t th;
		lie = i < sizeof(lies) / sizeof(lies[0]) ? lies[i] : LIE_NONE;
		serve_one(&run, &th, listener, 0);
		if (lie == LIE_NONE) {
			CT_ASSERT(session(port, v, "after the lies\n", reply, sizeof(reply)));
			CT_ASSERT(strcmp(reply, "enclave: after the lies\n") == 0);
		} else {
			CT_ASSERT(!session(port, v, "ping\n", reply, sizeof(reply)));
		}
		CT_ASSERT(pthread_join(th, NULL) == 0);
		CT_RESULT(run.r, CELLA_OK);
		CT_EQ(run.out.ok, lie == LIE_NONE ? 1 : 0);
		CT_EQ(run.out.last_error, lie == LIE_NONE ? 0 : (uint32_t)CELLA_ERR_MARSHAL);
		expect_detail(&run, details[i]);
	}
	lie = LIE_NONE;
}

/* The certificate's and server's argument checks, run in the enclave: a buffer too small (its reported size then
 * enough), a common name over 64 bytes, empty or not UTF-8 (it is written as a UTF8String), a certificate over
 * CELLA_ATTEST_CERT_MAX_BYTES or empty, a verifier policy no verification could use (refused by
 * cella_tls_verifier_new, not at the first handshake). */
static void limits(void)
{
	struct t_limits_out o;
	size_t w = 0;
	CT_RESULT(cella_enclave_call(e, T_LIMITS, NULL, 0, &o, sizeof(o), &w), CELLA_OK);
	CT_EQ(w, sizeof(o));
	CT_RESULT((cella_result)o.small, CELLA_ERR_BUFFER_TOO_SMALL);
	CT_ASSERT(o.small_len > 16 && o.small_len <= CELLA_ATTEST_CERT_MAX_BYTES);
	CT_EQ(o.retry_failures, 0);
	CT_RESULT((cella_result)o.cn_64, CELLA_OK);
	CT_RESULT((cella_result)o.cn_65, CELLA_ERR_INVALID_ARG);
	CT_RESULT((cella_result)o.cn_empty, CELLA_ERR_INVALID_ARG);
	CT_RESULT((cella_result)o.cn_utf8, CELLA_OK);
	for (int i = 0; i < 4; i++)
		CT_RESULT((cella_result)o.cn_not_utf8[i], CELLA_ERR_INVALID_ARG);
	CT_RESULT((cella_result)o.verifier_ok, CELLA_OK);
	for (int i = 0; i < 5; i++)
		CT_RESULT((cella_result)o.verifier_bad[i], CELLA_ERR_INVALID_ARG);
	CT_RESULT((cella_result)o.server_over, CELLA_ERR_INVALID_ARG);
	CT_RESULT((cella_result)o.server_empty, CELLA_ERR_INVALID_ARG);
	CT_RESULT((cella_result)o.server_max, CELLA_OK);
	cella_test_pass("cella_attest_cert: buffer too small (the size it reports suffices), common name of 65 or 0 "
			"bytes or not UTF-8; cella_tls_server_new: certificate over the limit or empty; "
			"cella_tls_verifier_new: a policy without time, with missing or unparsable roots");
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in a;
	struct timeval tv = {20, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CT_ASSERT(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A TLS 1.2 client connection to port, verifying under `v`: *ctx, *fd and the SSL for the caller to free. */
static SSL *client(uint16_t port, struct cella_tls_openssl_verifier *v, SSL_CTX **ctx, int *fd)
{
	SSL *ssl;
	*ctx = SSL_CTX_new(TLS_client_method());
	*fd = tcp_connect(port);
	CT_ASSERT(*ctx);
	SSL_CTX_set_min_proto_version(*ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(*ctx, TLS1_2_VERSION);
	CT_ASSERT(cella_tls_openssl_configure(*ctx, v) == CELLA_OK);
	ssl = SSL_new(*ctx);
	CT_ASSERT(ssl && SSL_set_fd(ssl, *fd) == 1);
	return ssl;
}

/* One TLS client session: handshake under `v`, send a line, read the reply. Returns the handshake outcome. */
static bool session(uint16_t port, struct cella_tls_openssl_verifier *v, const char *line, char *reply, size_t cap)
{
	SSL_CTX *ctx;
	int fd, n, total = 0;
	SSL *ssl = client(port, v, &ctx, &fd);
	bool ok = SSL_connect(ssl) == 1;
	if (ok) {
		CT_ASSERT(SSL_write(ssl, line, (int)strlen(line)) == (int)strlen(line));
		while (total < (int)cap - 1 && (n = SSL_read(ssl, reply + total, (int)cap - 1 - total)) > 0)
			total += n;
		reply[total] = 0;
		SSL_shutdown(ssl);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return ok;
}

/* A client sends half a line, then ends the connection with close_notify or by closing the socket without
 * it. The enclave's read must tell them apart: the end of data, or an error (the stream may have been cut). So
 * must its write that follows: the peer's orderly close (CELLA_ERR_PEER_CLOSED), or a failed connection
 * (CELLA_ERR_IO). By the time read reports the end of data, the server has sent its close_notify in answer (RFC 5246
 * 7.2.1), not only at close. Once the server has closed the connection, a write finds none (CELLA_ERR_INVALID_STATE). The
 * server's detail names the failed call and its cause. */
/*
 * cella_tls_server_read_full: 8 bytes sent as three records arrive whole (the server echoes them); close_notify
 * after 3 of them is CELLA_ERR_TRUNCATED, before any CELLA_ERR_PEER_CLOSED.
 */
static void read_full(uint16_t port, uint64_t listener, struct cella_tls_openssl_verifier *v)
{
	static const char *const parts[][3] = {{"ab", "cde", "fgh"}, {"abc", NULL, NULL}, {NULL, NULL, NULL}};
	static const cella_result want[] = {CELLA_OK, CELLA_ERR_TRUNCATED, CELLA_ERR_PEER_CLOSED};
	for (int k = 0; k < 3; k++) {
		struct server_run run;
		pthread_t th;
		SSL_CTX *ctx;
		SSL *ssl;
		char reply[32] = {0};
		size_t got = 0;
		int fd;
		serve_one(&run, &th, listener, T_SERVE_READ_FULL);
		ssl = client(port, v, &ctx, &fd);
		CT_ASSERT(SSL_connect(ssl) == 1);
		for (int i = 0; i < 3 && parts[k][i]; i++)
			CT_ASSERT(SSL_write(ssl, parts[k][i], (int)strlen(parts[k][i])) == (int)strlen(parts[k][i]));
		if (k == 0) {
			while (got < 17 && SSL_read_ex(ssl, reply + got, 17 - got, &(size_t){0}) == 1)
				got = strlen(reply);
			CT_ASSERT(strcmp(reply, "enclave: abcdefgh") == 0);
		}
		CT_ASSERT(SSL_shutdown(ssl) >= 0);
		SSL_free(ssl);
		SSL_CTX_free(ctx);
		close(fd);
		CT_ASSERT(pthread_join(th, NULL) == 0);
		CT_RESULT(run.r, CELLA_OK);
		CT_RESULT((cella_result)run.out.read_result, want[k]);
	}
	cella_test_pass("read_full: 8 bytes across three records; close_notify after 3 is TRUNCATED, before any "
			"PEER_CLOSED");
}

static void truncation(uint16_t port, uint64_t listener, struct cella_tls_openssl_verifier *v)
{
	for (int notify = 1; notify >= 0; notify--) {
		struct server_run run;
		pthread_t th;
		SSL_CTX *ctx;
		SSL *ssl;
		int fd;
		serve_one(&run, &th, listener, 0);
		alerts_sent = 0;
		alerts_at_end = ~0u; /* no end of data seen */
		ssl = client(port, v, &ctx, &fd);
		CT_ASSERT(SSL_connect(ssl) == 1);
		CT_ASSERT(SSL_write(ssl, "half a li", 9) == 9);
		if (notify)
			CT_ASSERT(SSL_shutdown(ssl) >= 0);
		SSL_free(ssl);
		SSL_CTX_free(ctx);
		close(fd);
		CT_ASSERT(pthread_join(th, NULL) == 0);
		CT_RESULT(run.r, CELLA_OK);
		CT_EQ(run.out.last_error, 0); /* the handshake passed (the echo of the half line then fails) */
		if (notify) {
			CT_RESULT((cella_result)run.out.read_result, CELLA_OK);
			if (alerts_at_end != 1)
				cella_test_fail(__FILE__, __LINE__,
						"when its read reported the end of data the server had sent %u alerts, "
						"expected its close_notify",
						alerts_at_end);
			CT_RESULT((cella_result)run.out.write_result, CELLA_ERR_PEER_CLOSED);
			expect_detail(&run, "write: the peer closed the connection with close_notify");
		} else {
			CT_RESULT((cella_result)run.out.read_result, CELLA_ERR_IO);
			CT_RESULT((cella_result)run.out.write_result, CELLA_ERR_IO);
			expect_detail(&run, "read: the peer closed the socket without close_notify");
		}
		CT_RESULT((cella_result)run.out.closed_write, CELLA_ERR_INVALID_STATE);
	}
	cella_test_pass("a connection ended without close_notify is an error in the enclave's read, not the end of data; "
			"at the end of data the server has answered close_notify; a write after close_notify is "
			"CELLA_ERR_PEER_CLOSED, after a cut CELLA_ERR_IO, after close CELLA_ERR_INVALID_STATE");
}

/* A client completes the handshake, then sends bytes that are no TLS record: the enclave's engine fails, and its
 * read and the write after it are CELLA_ERR_CRYPTO (not the no-connection or closed-by-peer codes). */
static void junk_after_handshake(uint16_t port, uint64_t listener, struct cella_tls_openssl_verifier *v)
{
	static const char junk[] = "GET / HTTP/1.1\r\n";
	struct server_run run;
	pthread_t th;
	SSL_CTX *ctx;
	SSL *ssl;
	char got[64];
	int fd;
	serve_one(&run, &th, listener, 0);
	ssl = client(port, v, &ctx, &fd);
	CT_ASSERT(SSL_connect(ssl) == 1);
	CT_EQ(write(fd, junk, sizeof(junk) - 1), (ssize_t)(sizeof(junk) - 1)); /* beside OpenSSL, not through it */
	while (recv(fd, got, sizeof(got), 0) > 0) /* until the server closes */
		;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	CT_ASSERT(pthread_join(th, NULL) == 0);
	CT_RESULT(run.r, CELLA_OK);
	CT_EQ(run.out.last_error, 0);
	CT_RESULT((cella_result)run.out.read_result, CELLA_ERR_CRYPTO);
	CT_RESULT((cella_result)run.out.write_result, CELLA_ERR_CRYPTO);
	CT_RESULT((cella_result)run.out.closed_write, CELLA_ERR_INVALID_STATE);
	/* a record header whose major version is not 3 (RFC 5246 6.2.1): BearSSL's BR_ERR_UNSUPPORTED_VERSION */
	expect_detail(&run, "read: BearSSL error BR_ERR_UNSUPPORTED_VERSION (3)");
	cella_test_pass("junk after the handshake: the enclave's read and the write after it are CELLA_ERR_CRYPTO");
}

/* A second accept while a connection is open is refused (CELLA_ERR_INVALID_STATE) without asking the host for
 * another connection, whose 1 ms accept would time out (CELLA_ERR_IO); the open session carries on. */
static void accept_while_open(uint16_t port, uint64_t listener, struct cella_tls_openssl_verifier *v)
{
	struct server_run run;
	pthread_t th;
	char reply[64];
	serve_one(&run, &th, listener, T_SERVE_ACCEPT_AGAIN);
	CT_ASSERT(session(port, v, "still open\n", reply, sizeof(reply)));
	CT_ASSERT(strcmp(reply, "enclave: still open\n") == 0);
	CT_ASSERT(pthread_join(th, NULL) == 0);
	CT_RESULT(run.r, CELLA_OK);
	CT_EQ(run.out.ok, 1);
	CT_RESULT((cella_result)run.out.again_result, CELLA_ERR_INVALID_STATE);
	expect_detail(&run, "accept: a connection is open already");
	cella_test_pass("cella_tls_server_accept with a connection open is CELLA_ERR_INVALID_STATE");
}

/* A client that sends bytes that are no TLS record instead of a ClientHello: the enclave's accept fails with
 * CELLA_ERR_CRYPTO and BearSSL's error in the server's detail, none in the enclave's output (the library does
 * not print), and the client sees the connection closed. */
static void junk_client(uint16_t port, uint64_t listener)
{
	static const char junk[] = "GET / HTTP/1.1\r\nHost: enclave\r\n\r\n";
	struct server_run run;
	pthread_t th;
	char got[64];
	int fd;
	pthread_mutex_lock(&out_lock);
	out_text[0] = 0;
	pthread_mutex_unlock(&out_lock);
	serve_one(&run, &th, listener, 0);
	fd = tcp_connect(port);
	CT_EQ(write(fd, junk, sizeof(junk) - 1), (ssize_t)(sizeof(junk) - 1));
	while (recv(fd, got, sizeof(got), 0) > 0) /* until the server closes (an alert may come first) */
		;
	close(fd);
	CT_ASSERT(pthread_join(th, NULL) == 0);
	CT_RESULT(run.r, CELLA_OK);
	CT_EQ(run.out.ok, 0);
	CT_RESULT((cella_result)run.out.last_error, CELLA_ERR_CRYPTO);
	CT_RESULT((cella_result)run.out.closed_write, CELLA_ERR_INVALID_STATE); /* after the failed accept */
	expect_detail(&run, "handshake: BearSSL error BR_ERR_UNSUPPORTED_VERSION (3)");
	pthread_mutex_lock(&out_lock);
	if (out_text[0]) /* the test enclave prints nothing itself */
		cella_test_fail(__FILE__, __LINE__, "the enclave's TLS server printed: '%s'", out_text);
	pthread_mutex_unlock(&out_lock);
	cella_test_pass("a client sending junk instead of a ClientHello: accept is CELLA_ERR_CRYPTO, BearSSL's error by "
			"name in the server's detail, nothing printed");
}

/* The alert the client last received, as OpenSSL's info callback gives it: (level << 8) | description. */
static int alert_read;

static void note_alert(const SSL *ssl, int where, int ret)
{
	(void)ssl;
	if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT) /* SSL_CB_ALERT and SSL_CB_READ: not one it sent */
		alert_read = ret;
}

/* The enclave's server takes ECDHE-ECDSA suites with AEAD only: a client offering only CBC suites (or only
 * static ECDH, which OpenSSL no longer offers) fails the handshake, told so by a fatal handshake_failure alert
 * (RFC 5246 7.2.2, 7.4.1.3), not by a bare TCP close; one offering AES-GCM or ChaCha20 succeeds. */
static void suites(uint16_t port, uint64_t listener, struct cella_tls_openssl_verifier *v)
{
	static const struct {
		const char *list;
		bool ok;
	} c[] = {{"ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384", false},
		 {"ECDHE-ECDSA-AES128-GCM-SHA256", true},
		 {"ECDHE-ECDSA-CHACHA20-POLY1305", true}};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct server_run run;
		pthread_t th;
		SSL_CTX *ctx;
		SSL *ssl;
		int fd, rc;
		bool ok;
		serve_one(&run, &th, listener, 0);
		ssl = client(port, v, &ctx, &fd);
		CT_ASSERT(SSL_set_cipher_list(ssl, c[i].list) == 1);
		alert_read = -1;
		SSL_set_info_callback(ssl, note_alert);
		rc = SSL_connect(ssl);
		ok = rc == 1;
		if (!ok && !c[i].ok) {
			int err = SSL_get_error(ssl, rc);
			int reason = ERR_GET_REASON(ERR_peek_last_error());
			if (err != SSL_ERROR_SSL || reason != SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE ||
			    alert_read != ((SSL3_AL_FATAL << 8) | SSL3_AD_HANDSHAKE_FAILURE))
				cella_test_fail(__FILE__, __LINE__,
						"%s: the client got SSL_get_error %d, reason '%s', alert %d; expected "
						"a fatal handshake_failure alert (%d)",
						c[i].list, err, ERR_reason_error_string(ERR_peek_last_error()), alert_read,
						(SSL3_AL_FATAL << 8) | SSL3_AD_HANDSHAKE_FAILURE);
		}
		if (ok) {
			char reply[64];
			int n, total = 0;
			CT_ASSERT(SSL_write(ssl, "suite\n", 6) == 6);
			while (total < (int)sizeof(reply) - 1 &&
			       (n = SSL_read(ssl, reply + total, (int)sizeof(reply) - 1 - total)) > 0)
				total += n;
			reply[total] = 0;
			CT_ASSERT(strcmp(reply, "enclave: suite\n") == 0);
			SSL_shutdown(ssl);
		}
		ERR_clear_error();
		SSL_free(ssl);
		SSL_CTX_free(ctx);
		close(fd);
		CT_ASSERT(pthread_join(th, NULL) == 0);
		if (ok != c[i].ok)
			cella_test_fail(__FILE__, __LINE__, "%s: handshake %s", c[i].list, ok ? "succeeded" : "failed");
		CT_EQ(run.out.ok, c[i].ok ? 1u : 0u);
		/* no suite in common: the server fails the handshake with a handshake_failure alert (RFC 5246 7.4.1.3) */
		expect_detail(&run, c[i].ok ? ""
					    : "handshake: BearSSL error BR_ERR_SEND_FATAL_ALERT + 40 (handshake_failure): "
					      "a fatal alert sent to the peer");
	}
	cella_test_pass("the enclave's TLS server takes ECDHE-ECDSA with AES-GCM or ChaCha20, not CBC, and tells a "
			"client offering CBC only with a fatal handshake_failure alert");
}

/* An OpenSSL server configured with cella_tls_openssl_configure, and a client that sends no certificate: the
 * handshake must fail (with SSL_VERIFY_PEER alone it completed, the verification callback never run, and the
 * verifier still held an earlier handshake's CELLA_OK). */
static void server_requires_client_certificate(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x;
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
	SSL *ss, *cs;
	BIO *b1 = NULL, *b2 = NULL;
	struct cella_tls_openssl_verifier v;
	int rs = 0, rc = 0;
	CT_ASSERT(k && sctx && cctx);
	x = cella_test_cert(k, "server", k, "server", -3600, 86400, false);
	CT_ASSERT(SSL_CTX_use_certificate(sctx, x) == 1 && SSL_CTX_use_PrivateKey(sctx, k) == 1);
	memset(&v, 0, sizeof(v));
	v.policy.time = time(NULL);
	v.policy.any_identity = true;
	CT_ASSERT(cella_tls_openssl_configure(sctx, &v) == CELLA_OK);
	v.result = CELLA_OK; /* as an earlier, verified handshake on this verifier left it */
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	ss = SSL_new(sctx);
	cs = SSL_new(cctx);
	CT_ASSERT(ss && cs && BIO_new_bio_pair(&b1, 0, &b2, 0) == 1);
	SSL_set_bio(ss, b1, b1);
	SSL_set_bio(cs, b2, b2);
	SSL_set_accept_state(ss);
	SSL_set_connect_state(cs);
	for (int i = 0; i < 50 && !(rs == 1 && rc == 1); i++) {
		rs = SSL_do_handshake(ss);
		rc = SSL_do_handshake(cs);
		if (rs <= 0 && SSL_get_error(ss, rs) != SSL_ERROR_WANT_READ && SSL_get_error(ss, rs) != SSL_ERROR_WANT_WRITE)
			break;
	}
	CT_ASSERT(rs != 1);
	CT_ASSERT(SSL_get0_peer_certificate(ss) == NULL);
	ERR_clear_error();
	SSL_free(cs);
	SSL_free(ss);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	X509_free(x);
	EVP_PKEY_free(k);
	cella_test_pass("an OpenSSL server configured for attested TLS refuses a client without a certificate");
}

/* cella_tls_openssl_configure refuses a policy no handshake could pass (no time, a root missing or not a
 * certificate) with CELLA_ERR_INVALID_ARG and leaves the context as it was; the usable one configures it. */
static void configure_checks_policy(void)
{
	static const uint8_t text[] = "not a certificate";
	struct cella_evidence_root good = {.cert = root_pem, .len = root_len}, none = {0},
				   junk = {.cert = text, .len = sizeof(text)};
	struct {
		const char *what;
		int64_t time;
		const struct cella_evidence_root *roots;
		size_t count;
	} bad[] = {
		{"no verification time", 0, &good, 1},
		{"a root count without roots", 1, NULL, 1},
		{"a root without its certificate", 1, &none, 1},
		{"a root that is not a certificate", 1, &junk, 1},
	};
	struct cella_tls_openssl_verifier v;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	CT_ASSERT(ctx);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&v, 0, sizeof(v));
		v.policy.time = bad[i].time ? (int64_t)time(NULL) : 0;
		v.policy.roots = bad[i].roots;
		v.policy.root_count = bad[i].count;
		v.policy.any_identity = true;
		if (cella_tls_openssl_configure(ctx, &v) != CELLA_ERR_INVALID_ARG ||
		    SSL_CTX_get_verify_mode(ctx) != SSL_VERIFY_NONE)
			cella_test_fail(__FILE__, __LINE__, "cella_tls_openssl_configure took %s", bad[i].what);
	}
	memset(&v, 0, sizeof(v));
	v.policy.time = (int64_t)time(NULL);
	v.policy.roots = &good;
	v.policy.root_count = 1;
	v.policy.any_identity = true;
	CT_RESULT(cella_tls_openssl_configure(ctx, &v), CELLA_OK);
	CT_ASSERT(SSL_CTX_get_verify_mode(ctx) == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT));
	SSL_CTX_free(ctx);
	cella_test_pass("cella_tls_openssl_configure refuses an unusable policy before any handshake");
}

static void policy_for(struct cella_evidence_policy *p, struct cella_evidence_root *root, const struct cella_hash *mr)
{
	memset(p, 0, sizeof(*p));
	root->cert = root_pem;
	root->len = root_len;
	p->time = (int64_t)time(NULL);
	p->roots = root;
	p->root_count = 1;
	p->allow_software_tee = true;
	p->allow_debug = true;
	p->mrenclave = mr->b;
}

static cella_result enclave_verify(const uint8_t *cert, size_t len, uint32_t flags)
{
	int64_t t = (int64_t)time(NULL);
	uint32_t rl = (uint32_t)root_len, res = 0;
	size_t n = 16 + root_len + len, w = 0;
	uint8_t *in = malloc(n);
	memcpy(in, &t, 8);
	memcpy(in + 8, &flags, 4);
	memcpy(in + 12, &rl, 4);
	memcpy(in + 16, root_pem, root_len);
	memcpy(in + 16 + root_len, cert, len);
	CT_RESULT(cella_enclave_call(e, T_VERIFY, in, n, &res, 4, &w), CELLA_OK);
	free(in);
	return (cella_result)res;
}

/*
 * A certificate binding 32 bytes besides its key (cella_attest_cert_bound) verifies when the policy requires exactly
 * those bytes, and only then: not without them, not with one bit other, not for a certificate binding nothing
 * (`plain`). A policy asking for other than 0 or 32 bytes is refused by both verifiers and by configure.
 */
static void bound_data(const uint8_t *plain, size_t pl, const struct cella_evidence_policy *p0)
{
	struct cella_evidence_policy p = *p0;
	struct cella_tls_openssl_verifier v;
	struct cella_claims c;
	uint8_t *cert = malloc(20480), bound[32];
	size_t cl = 0;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	CT_ASSERT(cert && ctx);
	CT_RESULT(cella_enclave_call(e, T_BOUND_CERT, NULL, 0, cert, 20480, &cl), CELLA_OK);
	for (int i = 0; i < 32; i++)
		bound[i] = T_BOUND_BYTE(i);
	p.report_data = bound;
	p.report_data_len = 32;
	CT_RESULT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c), CELLA_OK);
	CT_ASSERT(memcmp(c.sgx_report_data + 32, bound, 32) == 0);
	CT_RESULT(enclave_verify(cert, cl, 1 | T_VERIFY_BOUND), CELLA_OK);
	bound[31] ^= 0x80;
	CT_RESULT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c), CELLA_ERR_REPORT_DATA);
	bound[31] ^= 0x80;
	CT_RESULT(cella_verify_attest_cert(plain, pl, NULL, 0, &p, &c), CELLA_ERR_REPORT_DATA);
	CT_RESULT(enclave_verify(plain, pl, 1 | T_VERIFY_BOUND), CELLA_ERR_REPORT_DATA);
	p.report_data_len = 0;
	CT_RESULT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c), CELLA_ERR_REPORT_DATA);
	CT_RESULT(enclave_verify(cert, cl, 1), CELLA_ERR_REPORT_DATA);
	p.report_data_len = 31;
	CT_RESULT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c), CELLA_ERR_INVALID_ARG);
	CT_RESULT(enclave_verify(cert, cl, 1 | T_VERIFY_BOUND_SHORT), CELLA_ERR_INVALID_ARG);
	memset(&v, 0, sizeof(v));
	v.policy = p;
	CT_RESULT(cella_tls_openssl_configure(ctx, &v), CELLA_ERR_INVALID_ARG);
	v.policy.report_data = NULL;
	v.policy.report_data_len = 32;
	CT_RESULT(cella_tls_openssl_configure(ctx, &v), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(SSL_CTX_get_verify_mode(ctx) == SSL_VERIFY_NONE);
	SSL_CTX_free(ctx);
	free(cert);
	cella_test_pass("a certificate binding 32 bytes besides its key verifies only against exactly those bytes");
}

/* The enclave's certificate, read by OpenSSL, changed by `edit` and written again: the TBS is re-encoded, so the
 * self-signature no longer matches and a certificate that parses fails with CELLA_ERR_CERT_CHAIN. Returns the
 * DER (malloc'd). */
static uint8_t *edited(const uint8_t *cert, size_t cl, void (*edit)(X509 *), size_t *len)
{
	const unsigned char *pp = cert;
	X509 *x = d2i_X509(NULL, &pp, (long)cl);
	unsigned char *der = NULL;
	uint8_t *out;
	int n;
	CT_ASSERT(x);
	edit(x);
	CT_ASSERT(i2d_re_X509_tbs(x, &der) > 0); /* drops the TBS encoding OpenSSL kept from parsing */
	OPENSSL_free(der);
	der = NULL;
	n = i2d_X509(x, &der);
	CT_ASSERT(n > 0 && (out = malloc((size_t)n)) != NULL);
	memcpy(out, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	X509_free(x);
	return out;
}

static void add_unknown(X509 *x, int critical)
{
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext;
	CT_ASSERT(oid && v && ASN1_OCTET_STRING_set(v, (const unsigned char *)"\x05\x00", 2) == 1);
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, critical, v);
	CT_ASSERT(ext && X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(oid);
}
static void add_unknown_critical(X509 *x)
{
	add_unknown(x, 1);
}
static void add_unknown_noncritical(X509 *x)
{
	add_unknown(x, 0);
}
/* basicConstraints made critical (the enclave writes it non-critical) */
static void critical_basic_constraints(X509 *x)
{
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:FALSE");
	X509_EXTENSION_free(X509_delete_ext(x, X509_get_ext_by_NID(x, NID_basic_constraints, -1)));
	CT_ASSERT(bc && X509_add_ext(x, bc, -1) == 1);
	X509_EXTENSION_free(bc);
}
static void second_basic_constraints(X509 *x)
{
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
	CT_ASSERT(bc && X509_add_ext(x, bc, -1) == 1);
	X509_EXTENSION_free(bc);
}

/* The first occurrence of pat in d, or fail. */
static size_t find(const uint8_t *d, size_t n, const uint8_t *pat, size_t pn)
{
	for (size_t i = 0; i + pn <= n; i++)
		if (memcmp(d + i, pat, pn) == 0)
			return i;
	cella_test_fail(__FILE__, __LINE__, "pattern not found");
	return 0;
}

/* Certificate structure the verifiers refuse before any signature, in both worlds (RFC 5280 4.2: an unknown
 * critical extension; strict DER: a critical flag other than 01 01 ff, a version other than 3, an extension twice),
 * and the controls that parse (then fail on the signature the edit broke). */
static void certificate_structure(const uint8_t *cert, size_t cl, const struct cella_evidence_policy *p)
{
	static const struct {
		const char *what;
		void (*edit)(X509 *);
		cella_result want;
	} cases[] = {
		{"unknown critical extension", add_unknown_critical, CELLA_ERR_UNSUPPORTED},
		{"unknown non-critical extension (control)", add_unknown_noncritical, CELLA_ERR_CERT_CHAIN},
		{"critical basicConstraints (control)", critical_basic_constraints, CELLA_ERR_CERT_CHAIN},
		{"basicConstraints twice", second_basic_constraints, CELLA_ERR_BAD_FORMAT},
	};
	struct cella_claims c;
	uint8_t *d;
	size_t n, at;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cella_result h, en;
		d = edited(cert, cl, cases[i].edit, &n);
		h = cella_verify_attest_cert(d, n, NULL, 0, p, &c);
		en = enclave_verify(d, n, 1);
		if (h != cases[i].want || en != cases[i].want)
			cella_test_fail(__FILE__, __LINE__, "%s: host %s, enclave %s, expected %s", cases[i].what,
					cella_result_name(h), cella_result_name(en), cella_result_name(cases[i].want));
		free(d);
	}
	/* the critical flag in non-DER forms: FALSE spelt out, TRUE as 01 */
	d = edited(cert, cl, critical_basic_constraints, &n);
	at = find(d, n, (const uint8_t *)"\x06\x03\x55\x1d\x13\x01\x01\xff", 8) + 7;
	d[at] = 0x00;
	CT_RESULT(cella_verify_attest_cert(d, n, NULL, 0, p, &c), CELLA_ERR_BAD_FORMAT);
	CT_RESULT(enclave_verify(d, n, 1), CELLA_ERR_BAD_FORMAT);
	d[at] = 0x01;
	CT_RESULT(cella_verify_attest_cert(d, n, NULL, 0, p, &c), CELLA_ERR_BAD_FORMAT);
	CT_RESULT(enclave_verify(d, n, 1), CELLA_ERR_BAD_FORMAT);
	free(d);
	/* version 1 and 2 with extensions, in the unchanged certificate (whose signature then breaks too) */
	d = malloc(cl);
	CT_ASSERT(d);
	memcpy(d, cert, cl);
	at = find(d, cl, (const uint8_t *)"\xa0\x03\x02\x01\x02", 5) + 4;
	for (uint8_t v = 0; v < 2; v++) {
		d[at] = v;
		CT_RESULT(cella_verify_attest_cert(d, cl, NULL, 0, p, &c), CELLA_ERR_BAD_FORMAT);
		CT_RESULT(enclave_verify(d, cl, 1), CELLA_ERR_BAD_FORMAT);
	}
	free(d);
	cella_test_pass("unknown critical extensions, non-DER critical flags, versions 1 and 2 and a repeated extension are "
			"refused in both worlds");
}

/* recv through the host's ocall handler: want bytes, then the reply is checked */
static cella_result host_recv(uint64_t conn, uint32_t max, uint8_t *out, size_t out_bytes, size_t *w)
{
	struct cella_tls_recv_in ri = {conn, max, 0};
	*w = 0;
	return cella_tls_host_recv(NULL, (const uint8_t *)&ri, sizeof(ri), out, out_bytes, w);
}

static cella_result host_send(uint64_t conn, const char *text, uint8_t *out, size_t out_bytes, size_t *w)
{
	uint8_t in[64];
	size_t n = strlen(text);
	struct cella_tls_send_in si = {conn};
	memcpy(in, &si, sizeof(si));
	memcpy(in + sizeof(si), text, n);
	*w = 0;
	return cella_tls_host_send(NULL, in, sizeof(si) + n, out, out_bytes, w);
}

/*
 * The host's socket ocalls act only on sockets this process registered, each as the kind it is (a listener is
 * not a connection, and a closed connection is no longer one), and refuse malformed requests; their I/O errors
 * are CELLA_ERR_IO. An enclave naming any other fd (here a pipe's) gets CELLA_ERR_PERMISSION and the fd is not
 * touched.
 */
static void host_socket_ocalls(uint64_t listener, uint16_t port)
{
	struct cella_tls_accept_in ai = {listener, 1, 0};
	struct cella_tls_close_in ci = {0};
	struct sockaddr_in a;
	uint64_t conn = 0, other = 0;
	uint8_t out[64];
	uint32_t sent = 0;
	size_t w = 0;
	int pipefd[2], client;
	char got[16];

	CT_EQ(pipe(pipefd), 0);
	/* nothing pending: the 1 ms accept times out */
	CT_RESULT(cella_tls_host_accept(NULL, (const uint8_t *)&ai, sizeof(ai), out, sizeof(out), &w), CELLA_ERR_IO);
	client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CT_ASSERT(client >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CT_EQ(connect(client, (struct sockaddr *)&a, sizeof(a)), 0);
	/* malformed accepts, then a listener that is not one */
	CT_RESULT(cella_tls_host_accept(NULL, (const uint8_t *)&ai, sizeof(ai) - 1, out, sizeof(out), &w),
		  CELLA_ERR_MARSHAL);
	CT_RESULT(cella_tls_host_accept(NULL, (const uint8_t *)&ai, sizeof(ai), out, 7, &w), CELLA_ERR_MARSHAL);
	ai.listener = (uint64_t)pipefd[0];
	CT_RESULT(cella_tls_host_accept(NULL, (const uint8_t *)&ai, sizeof(ai), out, sizeof(out), &w),
		  CELLA_ERR_PERMISSION);
	ai.listener = listener;
	ai.timeout_ms = 5000;
	CT_RESULT(cella_tls_host_accept(NULL, (const uint8_t *)&ai, sizeof(ai), out, sizeof(out), &w), CELLA_OK);
	CT_EQ(w, sizeof(conn));
	memcpy(&conn, out, sizeof(conn));
	/* a connection is not a listener */
	ai.listener = conn;
	CT_RESULT(cella_tls_host_accept(NULL, (const uint8_t *)&ai, sizeof(ai), out, sizeof(out), &w),
		  CELLA_ERR_PERMISSION);
	/* the connection is the accepting enclave's (here NULL): another enclave of this process cannot use it */
	{
		struct cella_enclave *other = (struct cella_enclave *)&a; /* the handlers only compare it */
		struct cella_tls_recv_in ri = {conn, 16, 0};
		struct cella_tls_close_in oc = {conn};
		uint8_t sin[sizeof(struct cella_tls_send_in) + 1];
		memcpy(sin, &conn, sizeof(conn));
		sin[sizeof(conn)] = 'x';
		CT_RESULT(cella_tls_host_recv(other, (const uint8_t *)&ri, sizeof(ri), out, sizeof(out), &w),
			  CELLA_ERR_PERMISSION);
		CT_RESULT(cella_tls_host_send(other, sin, sizeof(sin), out, sizeof(out), &w), CELLA_ERR_PERMISSION);
		CT_RESULT(cella_tls_host_close(other, (const uint8_t *)&oc, sizeof(oc), NULL, 0, &w),
			  CELLA_ERR_PERMISSION);
	}

	/* send: malformed (no payload, no room for the count), foreign fds, then the real thing */
	{
		struct cella_tls_send_in si = {conn};
		CT_RESULT(cella_tls_host_send(NULL, (const uint8_t *)&si, sizeof(si), out, sizeof(out), &w),
			  CELLA_ERR_MARSHAL);
	}
	CT_RESULT(host_send(conn, "ping", out, 3, &w), CELLA_ERR_MARSHAL);
	CT_RESULT(host_send((uint64_t)pipefd[1], "ping", out, sizeof(out), &w), CELLA_ERR_PERMISSION);
	CT_RESULT(host_send(listener, "ping", out, sizeof(out), &w), CELLA_ERR_PERMISSION);
	CT_RESULT(host_send(conn, "ping", out, sizeof(out), &w), CELLA_OK);
	CT_EQ(w, sizeof(sent));
	memcpy(&sent, out, sizeof(sent));
	CT_EQ(sent, 4);
	CT_EQ(recv(client, got, sizeof(got), 0), 4);
	CT_EQ(memcmp(got, "ping", 4), 0);

	/* recv: malformed, foreign fds, then bounded by the request's max and by the reply buffer */
	{
		struct cella_tls_recv_in ri = {conn, 16, 0};
		CT_RESULT(cella_tls_host_recv(NULL, (const uint8_t *)&ri, sizeof(ri) + 1, out, sizeof(out), &w),
			  CELLA_ERR_MARSHAL);
	}
	CT_EQ(write(pipefd[1], "x", 1), 1);
	CT_RESULT(host_recv((uint64_t)pipefd[0], 16, out, sizeof(out), &w), CELLA_ERR_PERMISSION);
	CT_RESULT(host_recv(listener, 16, out, sizeof(out), &w), CELLA_ERR_PERMISSION);
	CT_EQ(read(pipefd[0], got, sizeof(got)), 1); /* the pipe's byte is still there */
	CT_EQ(send(client, "pong!", 5, 0), 5);
	CT_RESULT(host_recv(conn, 2, out, sizeof(out), &w), CELLA_OK);
	CT_EQ(w, 2);
	CT_EQ(memcmp(out, "po", 2), 0);
	CT_RESULT(host_recv(conn, 16, out, 1, &w), CELLA_OK);
	CT_EQ(w, 1);
	CT_EQ(out[0], 'n');
	CT_RESULT(host_recv(conn, 16, out, sizeof(out), &w), CELLA_OK);
	CT_EQ(w, 2);
	CT_EQ(memcmp(out, "g!", 2), 0);

	/* close: malformed, foreign, then once only; a closed connection is no longer usable */
	ci.conn = conn;
	CT_RESULT(cella_tls_host_close(NULL, (const uint8_t *)&ci, 3, NULL, 0, &w), CELLA_ERR_MARSHAL);
	ci.conn = listener;
	CT_RESULT(cella_tls_host_close(NULL, (const uint8_t *)&ci, sizeof(ci), NULL, 0, &w), CELLA_ERR_PERMISSION);
	ci.conn = (uint64_t)pipefd[0];
	CT_RESULT(cella_tls_host_close(NULL, (const uint8_t *)&ci, sizeof(ci), NULL, 0, &w), CELLA_ERR_PERMISSION);
	CT_EQ(write(pipefd[1], "y", 1), 1);
	CT_EQ(read(pipefd[0], got, sizeof(got)), 1); /* still open */
	ci.conn = conn;
	CT_RESULT(cella_tls_host_close(NULL, (const uint8_t *)&ci, sizeof(ci), NULL, 0, &w), CELLA_OK);
	CT_RESULT(cella_tls_host_close(NULL, (const uint8_t *)&ci, sizeof(ci), NULL, 0, &w), CELLA_ERR_PERMISSION);
	CT_RESULT(host_recv(conn, 16, out, sizeof(out), &w), CELLA_ERR_PERMISSION);
	CT_RESULT(host_send(conn, "late", out, sizeof(out), &w), CELLA_ERR_PERMISSION);
	CT_EQ(recv(client, got, sizeof(got), 0), 0); /* the client sees the close */
	close(client);

	/* listen: a bad address, a port in use; unlisten of what is not a listener changes nothing */
	CT_RESULT(cella_tls_host_listen("127.0.0.300", 0, &other, NULL), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_tls_host_listen("127.0.0.1", port, &other, NULL), CELLA_ERR_IO);
	cella_tls_host_unlisten((uint64_t)pipefd[0]);
	CT_EQ(write(pipefd[1], "z", 1), 1);
	CT_EQ(read(pipefd[0], got, sizeof(got)), 1);
	close(pipefd[0]);
	close(pipefd[1]);
	cella_test_pass("host socket ocalls: only registered sockets of the right kind, malformed requests refused");
}

int main(int argc, char **argv)
{
	static const cella_ocall_fn ocalls[] = {[T_O_ACCEPT] = lying_accept, [T_O_RECV] = cella_tls_host_recv,
						[T_O_SEND] = lying_send, [T_O_CLOSE] = cella_tls_host_close,
						[T_O_END_OF_DATA] = end_of_data};
	struct cella_enclave_settings s = {.size = sizeof(s),
					   .ocall_table = ocalls,
					   .ocall_count = sizeof(ocalls) / sizeof(ocalls[0]),
					   .output = capture_output};
	struct cella_hash mr, ms;
	struct cella_evidence_policy p;
	struct cella_evidence_root root;
	struct cella_claims c;
	struct cella_tls_openssl_verifier v;
	struct server_run run;
	pthread_t th;
	uint8_t *cert = malloc(20480), *bad = malloc(20480);
	size_t cl = 0, bl = 0;
	const unsigned char *pp;
	X509 *x;
	char path[4096], reply[256];
	const char *dir = getenv("CELLA_PLATFORM_DIR");
	uint64_t listener;
	uint16_t port;

	if (argc != 2 || !dir)
		return 2;
	signal(SIGPIPE, SIG_IGN); /* the test's own TLS client writes to connections a lying host made the server drop */
	CT_RESULT(cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_OK);
	CT_RESULT(cella_enclave_identity(e, &mr, &ms), CELLA_OK);
	/* the certificate, read by OpenSSL: strict DER, self-signed, our extension, key bound to the evidence */
	CT_RESULT(cella_enclave_call(e, T_CERT, NULL, 0, cert, 20480, &cl), CELLA_OK);
	snprintf(path, sizeof(path), "%s/root-ca.pem", dir); /* exists once the platform has made evidence */
	root_pem = cella_test_read_file(path, &root_len);
	pp = cert;
	x = d2i_X509(NULL, &pp, (long)cl);
	CT_ASSERT(x && pp == cert + cl);
	{
		unsigned char *re = NULL;
		int rl = i2d_re_X509_tbs(x, &re); /* re-encoding the TBS from the parsed fields gives the same bytes */
		const unsigned char *t = cert + 4;
		CT_ASSERT(rl > 0 && memcmp(re, t, (size_t)rl) == 0);
		OPENSSL_free(re);
	}
	CT_EQ(X509_get_version(x), 2);
	CT_EQ(X509_verify(x, X509_get0_pubkey(x)), 1);
	CT_EQ(X509_check_issued(x, x), X509_V_OK);
	CT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(x)), EVP_PKEY_EC);
	{
		ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113556.10.1.2", 1);
		int i = X509_get_ext_by_OBJ(x, oid, -1);
		X509_EXTENSION *ext;
		const ASN1_OCTET_STRING *val;
		unsigned char *spki = NULL, h[32];
		int sl = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
		CT_ASSERT(i >= 0 && X509_get_ext_by_OBJ(x, oid, i) < 0);
		ext = X509_get_ext(x, i);
		CT_ASSERT(!X509_EXTENSION_get_critical(ext));
		val = X509_EXTENSION_get_data(ext);
		SHA256(spki, (size_t)sl, h);
		/* envelope header (28) + quote: report data at 48 + 320 */
		CT_ASSERT(ASN1_STRING_length(val) > 28 + 48 + 384);
		CT_ASSERT(memcmp(ASN1_STRING_get0_data(val) + 28 + 48 + 320, h, 32) == 0);
		/* the custom claims buffer at the end is the SubjectPublicKeyInfo itself */
		CT_ASSERT(memcmp(ASN1_STRING_get0_data(val) + ASN1_STRING_length(val) - sl, spki, (size_t)sl) == 0);
		OPENSSL_free(spki);
		ASN1_OBJECT_free(oid);
	}
	{
		char cn[128];
		CT_ASSERT(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0);
		CT_ASSERT(strcmp(cn, "cella test server") == 0);
	}
	X509_free(x);
	cella_test_pass("attested certificate parses with OpenSSL: DER, self-signature, evidence extension, key binding");

	policy_for(&p, &root, &mr);
	CT_RESULT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c), CELLA_OK);
	CT_ASSERT(memcmp(c.unique_id, mr.b, 32) == 0);
	CT_RESULT(enclave_verify(cert, cl, 1), CELLA_OK);
	CT_RESULT(cella_enclave_call(e, T_BAD_CERT, NULL, 0, bad, 20480, &bl), CELLA_OK);
	CT_RESULT(cella_verify_attest_cert(bad, bl, NULL, 0, &p, &c), CELLA_ERR_REPORT_DATA);
	CT_RESULT(enclave_verify(bad, bl, 1), CELLA_ERR_REPORT_DATA);
	bound_data(cert, cl, &p);
	cert[cl - 5] ^= 0x10; /* the signature */
	CT_RESULT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c), CELLA_ERR_CERT_CHAIN);
	CT_RESULT(enclave_verify(cert, cl, 1), CELLA_ERR_CERT_CHAIN);
	cert[cl - 5] ^= 0x10;
	cert[200] ^= 0x01; /* inside the signed part */
	CT_ASSERT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c) != CELLA_OK);
	CT_ASSERT(enclave_verify(cert, cl, 1) != CELLA_OK);
	cert[200] ^= 0x01;
	CT_RESULT(cella_verify_attest_cert(cert, cl - 1, NULL, 0, &p, &c), CELLA_ERR_BAD_FORMAT);
	CT_RESULT(enclave_verify(cert, cl - 1, 1), CELLA_ERR_BAD_FORMAT);
	certificate_structure(cert, cl, &p);
	p.time += 40LL * 365 * 86400;
	CT_RESULT(cella_verify_attest_cert(cert, cl, NULL, 0, &p, &c), CELLA_ERR_EXPIRED);
	cella_test_pass("a certificate whose key does not match its evidence is refused (host and BearSSL callbacks)");
	limits();

	/* TLS: two connections to the enclave server; the second client pins another MRENCLAVE */
	CT_RESULT(cella_tls_host_listen("127.0.0.1", 0, &listener, &port), CELLA_OK);
	memset(&run, 0, sizeof(run));
	run.in.listener = listener;
	run.in.connections = 2;
	run.in.timeout_ms = 20000;
	CT_ASSERT(pthread_create(&th, NULL, server_thread, &run) == 0);
	memset(&v, 0, sizeof(v));
	policy_for(&v.policy, &root, &mr);
	CT_ASSERT(session(port, &v, "ping\n", reply, sizeof(reply)));
	CT_RESULT(v.result, CELLA_OK);
	CT_ASSERT(memcmp(v.claims.unique_id, mr.b, 32) == 0);
	CT_ASSERT(strcmp(reply, "enclave: ping\n") == 0);
	cella_test_pass("OpenSSL client verifies the enclave's evidence and talks TLS 1.2 to the in-enclave server");
	{
		struct cella_hash other = mr;
		other.b[0] ^= 1;
		policy_for(&v.policy, &root, &other);
		CT_ASSERT(!session(port, &v, "ping\n", reply, sizeof(reply)));
		CT_RESULT(v.result, CELLA_ERR_POLICY);
	}
	CT_ASSERT(pthread_join(th, NULL) == 0);
	CT_RESULT(run.r, CELLA_OK);
	CT_EQ(run.out.ok, 1);
	expect_detail(&run, "handshake: BearSSL error BR_ERR_RECV_FATAL_ALERT + ..."); /* the client's refusal */
	cella_test_pass("a client pinning another MRENCLAVE refuses the handshake");

	policy_for(&v.policy, &root, &mr);
	truncation(port, listener, &v);
	read_full(port, listener, &v);
	junk_after_handshake(port, listener, &v);
	suites(port, listener, &v);
	lying_sockets(port, listener, &v);
	cella_test_pass("F5 socket ocalls lying about lengths end the handshake with CELLA_ERR_MARSHAL; no harm after");
	accept_while_open(port, listener, &v);
	junk_client(port, listener);

	host_socket_ocalls(listener, port);
	server_requires_client_certificate();
	configure_checks_policy();
	cella_tls_host_unlisten(listener);
	free(cert);
	free(bad);
	free(root_pem);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	return 0;
}
