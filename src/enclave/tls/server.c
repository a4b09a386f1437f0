// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 server inside the enclave: a BearSSL server engine whose records travel through host ocalls
 * (accept / recv / send / close on a host socket). Every ocall reply is length-checked before use; the host
 * only ever sees TLS records.
 */
#include <cella/tls.h>

#include <bearssl.h>
#include <cella/enclave.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint16_t suites[] = {BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
				  BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
				  BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};

/* Records are batched so bulk data costs one send ocall per OUT_BYTES, not one per 16 KiB record. */
#define OUT_BYTES (256u * 1024u)

struct cella_tls_server {
	br_ssl_server_context sc;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	br_x509_certificate chain;
	br_ec_private_key sk;
	uint8_t secret[32];
	uint8_t *cert;
	size_t cert_len;
	struct cella_tls_ocalls oc;
	uint64_t conn;
	bool open;
	bool broken; /* the host socket failed mid-record */
	bool batching; /* inside cella_tls_server_write: keep batching until the end */
	size_t out_len; /* encrypted records waiting in out[] for one send ocall */
	const char *doing; /* what the current call is doing, for the detail */
	char detail[192];  /* why the last accept, read or write failed (cella_tls_server_detail) */
	uint8_t out[OUT_BYTES];
};

/* Records why the current call fails, after what it was doing, and returns r. The library never prints: the
 * application reads this with cella_tls_server_detail and logs it as it chooses. */
__attribute__((format(printf, 3, 4))) static cella_result fail(struct cella_tls_server *s, cella_result r,
							       const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(s->detail, sizeof(s->detail), "%s: ", s->doing);
	if (k > 0 && (size_t)k < sizeof(s->detail)) {
		va_start(ap, fmt);
		vsnprintf(s->detail + k, sizeof(s->detail) - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* BearSSL's error codes (bearssl_ssl.h) by name, and TLS alerts (RFC 5246 7.2, RFC 8446 6) for the fatal-alert
 * errors, which BearSSL reports as BR_ERR_RECV_FATAL_ALERT or BR_ERR_SEND_FATAL_ALERT plus the alert. */
#define NAME(e) [e] = #e
static const char *const br_errors[] = {
	NAME(BR_ERR_BAD_PARAM),         NAME(BR_ERR_BAD_STATE),      NAME(BR_ERR_UNSUPPORTED_VERSION),
	NAME(BR_ERR_BAD_VERSION),       NAME(BR_ERR_BAD_LENGTH),     NAME(BR_ERR_TOO_LARGE),
	NAME(BR_ERR_BAD_MAC),           NAME(BR_ERR_NO_RANDOM),      NAME(BR_ERR_UNKNOWN_TYPE),
	NAME(BR_ERR_UNEXPECTED),        NAME(BR_ERR_BAD_CCS),        NAME(BR_ERR_BAD_ALERT),
	NAME(BR_ERR_BAD_HANDSHAKE),     NAME(BR_ERR_OVERSIZED_ID),   NAME(BR_ERR_BAD_CIPHER_SUITE),
	NAME(BR_ERR_BAD_COMPRESSION),   NAME(BR_ERR_BAD_FRAGLEN),    NAME(BR_ERR_BAD_SECRENEG),
	NAME(BR_ERR_EXTRA_EXTENSION),   NAME(BR_ERR_BAD_SNI),        NAME(BR_ERR_BAD_HELLO_DONE),
	NAME(BR_ERR_LIMIT_EXCEEDED),    NAME(BR_ERR_BAD_FINISHED),   NAME(BR_ERR_RESUME_MISMATCH),
	NAME(BR_ERR_INVALID_ALGORITHM), NAME(BR_ERR_BAD_SIGNATURE),  NAME(BR_ERR_WRONG_KEY_USAGE),
	NAME(BR_ERR_NO_CLIENT_AUTH),    NAME(BR_ERR_IO),
};
#undef NAME
static const char *const alerts[] = {
	[0] = "close_notify",           [10] = "unexpected_message",      [20] = "bad_record_mac",
	[22] = "record_overflow",       [40] = "handshake_failure",       [42] = "bad_certificate",
	[43] = "unsupported_certificate", [44] = "certificate_revoked",   [45] = "certificate_expired",
	[46] = "certificate_unknown",   [47] = "illegal_parameter",       [48] = "unknown_ca",
	[49] = "access_denied",         [50] = "decode_error",            [51] = "decrypt_error",
	[70] = "protocol_version",      [71] = "insufficient_security",   [80] = "internal_error",
	[86] = "inappropriate_fallback", [90] = "user_canceled",          [100] = "no_renegotiation",
	[109] = "missing_extension",    [110] = "unsupported_extension",  [112] = "unrecognized_name",
};

/* The engine stopped with BearSSL error err (not BR_ERR_OK). */
static cella_result engine_failed(struct cella_tls_server *s, int err)
{
	bool sent = err >= BR_ERR_SEND_FATAL_ALERT;
	int a = err - (sent ? BR_ERR_SEND_FATAL_ALERT : BR_ERR_RECV_FATAL_ALERT);
	if (err >= BR_ERR_RECV_FATAL_ALERT) {
		bool named = (size_t)a < sizeof(alerts) / sizeof(alerts[0]) && alerts[a];
		return fail(s, CELLA_ERR_CRYPTO, "BearSSL error %s + %d (%s): a fatal alert %s the peer",
			    sent ? "BR_ERR_SEND_FATAL_ALERT" : "BR_ERR_RECV_FATAL_ALERT", a,
			    named ? alerts[a] : "an alert not named here", sent ? "sent to" : "received from");
	}
	if (err > 0 && (size_t)err < sizeof(br_errors) / sizeof(br_errors[0]) && br_errors[err])
		return fail(s, CELLA_ERR_CRYPTO, "BearSSL error %s (%d)", br_errors[err], err);
	return fail(s, CELLA_ERR_CRYPTO, "BearSSL error %d", err); /* X.509 errors (32..63), or a newer BearSSL's */
}

static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* see cella/tls.h */
cella_result cella_tls_server_new(const struct cella_tls_key *key, const uint8_t *cert, size_t cert_len,
				  const struct cella_tls_ocalls *ocalls, struct cella_tls_server **out)
{
	struct cella_tls_server *s;
	if (cert_len == 0 || cert_len > CELLA_ATTEST_CERT_MAX_BYTES)
		return CELLA_ERR_INVALID_ARG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return CELLA_ERR_OUT_OF_MEMORY;
	s->cert = malloc(cert_len);
	if (!s->cert) {
		free(s);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	memcpy(s->cert, cert, cert_len);
	s->cert_len = cert_len;
	memcpy(s->secret, key->secret, 32);
	s->sk.curve = BR_EC_secp256r1;
	s->sk.x = s->secret;
	s->sk.xlen = 32;
	s->chain.data = s->cert;
	s->chain.data_len = cert_len;
	s->oc = *ocalls;
	s->doing = "";
	*out = s;
	return CELLA_OK;
}

static cella_result host_close(struct cella_tls_server *s)
{
	struct cella_tls_close_in in = {s->conn};
	size_t w = 0;
	s->open = false;
	/* the connection's keys (in the engine) and plaintext (in its buffer) end with it; the next accept sets the
	 * engine up afresh */
	wipe(&s->sc, sizeof(s->sc));
	wipe(s->iobuf, sizeof(s->iobuf));
	s->out_len = 0;
	return cella_ocall(s->oc.close, &in, sizeof(in), NULL, 0, &w);
}

/* see cella/tls.h */
void cella_tls_server_free(struct cella_tls_server *s)
{
	if (!s)
		return;
	if (s->open)
		(void)host_close(s);
	free(s->cert);
	wipe(s, sizeof(*s));
	free(s);
}

/* see cella/tls.h */
const char *cella_tls_server_detail(const struct cella_tls_server *s)
{
	return s->detail;
}

/* Sends one record buffer; the host reports how much it took (1..len). */
static cella_result send_some(struct cella_tls_server *s, const uint8_t *buf, size_t len, size_t *sent)
{
	uint8_t *msg = malloc(sizeof(struct cella_tls_send_in) + len);
	struct cella_tls_send_in in = {s->conn};
	uint32_t n = 0;
	size_t w = 0;
	cella_result r;
	if (!msg)
		return fail(s, CELLA_ERR_OUT_OF_MEMORY, "no memory for a send ocall of %zu bytes", len);
	memcpy(msg, &in, sizeof(in));
	memcpy(msg + sizeof(in), buf, len);
	r = cella_ocall(s->oc.send, msg, sizeof(in) + len, &n, sizeof(n), &w);
	free(msg);
	if (r != CELLA_OK)
		return fail(s, r, "the host's send ocall failed: %s", cella_result_name(r));
	if (w != sizeof(n))
		return fail(s, CELLA_ERR_MARSHAL, "the host's send ocall answered %zu bytes, not 4", w);
	if (n == 0 || n > len) /* the host claims more than it was given, or nothing */
		return fail(s, CELLA_ERR_MARSHAL, "the host's send ocall reported %u bytes sent of %zu", (unsigned)n, len);
	*sent = n;
	return CELLA_OK;
}

/* Sends every batched record until one send fails; the batch is gone either way. */
static cella_result send_out(struct cella_tls_server *s)
{
	cella_result r = CELLA_OK;
	size_t off = 0;
	while (r == CELLA_OK && off < s->out_len) {
		size_t sent = 0;
		r = send_some(s, s->out + off, s->out_len - off, &sent);
		off += sent;
	}
	s->out_len = 0;
	return r;
}

/* Sends every batched record; a failed send leaves the connection broken (the peer has part of a record). */
static cella_result flush_out(struct cella_tls_server *s)
{
	cella_result r = send_out(s);
	if (r != CELLA_OK)
		s->broken = true;
	return r;
}

/* The engine has closed: sends the records it made last, a fatal alert saying why it failed (RFC 5246 7.2.2) or the
 * close_notify answering the peer's (7.2.1). BearSSL reports BR_SSL_CLOSED only once they have been taken out
 * (BR_SSL_SENDREC before it), so they are in the batch. Best effort: the engine is finished whatever the socket
 * does, so a failed send neither marks the connection broken nor replaces the detail, and the caller reports the
 * engine's outcome. */
static void flush_last(struct cella_tls_server *s)
{
	char detail[sizeof(s->detail)];
	memcpy(detail, s->detail, sizeof(detail));
	(void)send_out(s);
	memcpy(s->detail, detail, sizeof(detail));
}

static cella_result recv_some(struct cella_tls_server *s, uint8_t *buf, size_t len, size_t *got)
{
	struct cella_tls_recv_in in = {s->conn, (uint32_t)(len > 0x100000 ? 0x100000 : len), 0};
	size_t w = 0;
	cella_result r = cella_ocall(s->oc.recv, &in, sizeof(in), buf, in.max, &w);
	if (r != CELLA_OK)
		return fail(s, r, "the host's recv ocall failed: %s", cella_result_name(r));
	if (w > in.max)
		return fail(s, CELLA_ERR_MARSHAL, "the host's recv ocall answered %zu bytes of the %u asked", w,
			    (unsigned)in.max);
	*got = w;
	return CELLA_OK;
}

/* Runs the engine until one of `target` states (BR_SSL_SENDAPP / BR_SSL_RECVAPP) is reached. */
static cella_result run_until(struct cella_tls_server *s, unsigned target)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	if (s->broken) /* a socket failed: the engine's state is unknown, only close is left; the detail says what */
		return CELLA_ERR_IO;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		cella_result r;
		if (st & BR_SSL_CLOSED) {
			int err = br_ssl_engine_last_error(eng);
			flush_last(s);
			/* closed without error: the peer's close_notify ended the connection (RFC 5246 7.2.1); the
			 * callers say so where it is a failure */
			return err == BR_ERR_OK ? CELLA_ERR_PEER_CLOSED : engine_failed(s, err);
		}
		if (st & BR_SSL_SENDREC) {
			size_t len = 0;
			unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
			if (len > OUT_BYTES - s->out_len && (r = flush_out(s)) != CELLA_OK)
				return r;
			if (len > OUT_BYTES - s->out_len)
				len = OUT_BYTES - s->out_len;
			memcpy(s->out + s->out_len, buf, len);
			s->out_len += len;
			br_ssl_engine_sendrec_ack(eng, len);
			continue;
		}
		if (st & target) {
			/* handing control back: the peer may be waiting for what we batched, unless we will write more */
			if (!(target & BR_SSL_SENDAPP) || !s->batching)
				return flush_out(s);
			return CELLA_OK;
		}
		/* BearSSL withholds SENDAPP while it has received application data only when it is closing after our
		 * own close_notify (application_data == 2), which cella_tls_server_close follows at once with the
		 * host's close: with separate input and output buffers a write never waits for a read */
		if (st & BR_SSL_RECVAPP)
			return fail(s, CELLA_ERR_UNEXPECTED, "BearSSL holds received data and takes none to send");
		if (st & BR_SSL_RECVREC) {
			size_t len = 0, got = 0;
			if ((r = flush_out(s)) != CELLA_OK) /* never wait for the peer while holding its records */
				return r;
			unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
			r = recv_some(s, buf, len, &got);
			if (r != CELLA_OK) {
				s->broken = true;
				return r;
			}
			if (got == 0) {
				s->broken = true;
				return fail(s, CELLA_ERR_IO, "the peer closed the socket without close_notify");
			}
			br_ssl_engine_recvrec_ack(eng, got);
			continue;
		}
		br_ssl_engine_flush(eng, 0);
	}
}

/* r from run_until, where the peer's close_notify is a failure: then `as`, with a detail saying so. */
static cella_result closed_by_peer(struct cella_tls_server *s, cella_result r, cella_result as)
{
	if (r == CELLA_ERR_PEER_CLOSED)
		return fail(s, as, "the peer closed the connection with close_notify");
	return r;
}

/* see cella/tls.h */
cella_result cella_tls_server_accept(struct cella_tls_server *s, uint64_t listener, uint32_t timeout_ms)
{
	struct cella_tls_accept_in in = {listener, timeout_ms, 0};
	uint8_t seed[32];
	uint64_t conn = 0;
	size_t w = 0;
	cella_result r;

	s->doing = "accept";
	if (s->open)
		return fail(s, CELLA_ERR_INVALID_STATE, "a connection is open already");
	s->detail[0] = 0;
	r = cella_ocall(s->oc.accept, &in, sizeof(in), &conn, sizeof(conn), &w);
	if (r != CELLA_OK)
		return fail(s, r, "the host's accept ocall failed: %s", cella_result_name(r));
	if (w != sizeof(conn))
		return fail(s, CELLA_ERR_MARSHAL, "the host's accept ocall answered %zu bytes, not 8", w);
	s->conn = conn;
	s->open = true;
	s->broken = false;
	s->batching = false;
	s->out_len = 0;
	br_ssl_server_init_full_ec(&s->sc, &s->chain, 1, BR_KEYTYPE_EC, &s->sk);
	br_ssl_engine_set_versions(&s->sc.eng, BR_TLS12, BR_TLS12);
	/* forward secrecy and AEAD only (the "full EC" profile also offers static ECDH, CBC and 3DES suites), and
	 * no renegotiation */
	br_ssl_engine_set_suites(&s->sc.eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_ssl_engine_add_flags(&s->sc.eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_buffer(&s->sc.eng, s->iobuf, sizeof(s->iobuf), 1);
	r = cella_random(seed, sizeof(seed));
	if (r != CELLA_OK) {
		(void)fail(s, r, "no random seed for the engine: %s", cella_result_name(r));
	} else {
		br_ssl_engine_inject_entropy(&s->sc.eng, seed, sizeof(seed));
		if (!br_ssl_server_reset(&s->sc))
			r = engine_failed(s, br_ssl_engine_last_error(&s->sc.eng));
	}
	wipe(seed, sizeof(seed));
	s->doing = "handshake";
	if (r == CELLA_OK)
		r = run_until(s, BR_SSL_SENDAPP);
	r = closed_by_peer(s, r, CELLA_ERR_IO); /* before the handshake finished: the peer went away */
	if (r != CELLA_OK)
		(void)host_close(s);
	return r;
}

/* see cella/tls.h */
cella_result cella_tls_server_read(struct cella_tls_server *s, void *buf, size_t cap, size_t *n)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	unsigned char *app;
	size_t len = 0;
	cella_result r;

	*n = 0;
	s->doing = "read";
	if (!s->open)
		return fail(s, CELLA_ERR_INVALID_STATE, "no connection is open");
	if (cap == 0)
		return CELLA_OK;
	r = run_until(s, BR_SSL_RECVAPP);
	/* End of data only on the peer's close_notify: the engine closed cleanly, no socket failed. A connection
	 * that ends without one (the host's recv says 0, or fails) may have been cut anywhere by the host, so the
	 * data read so far may be incomplete: that is an error (CELLA_ERR_IO), not an end. */
	if (r == CELLA_ERR_PEER_CLOSED)
		return CELLA_OK;
	if (r != CELLA_OK)
		return r;
	app = br_ssl_engine_recvapp_buf(eng, &len);
	if (len > cap)
		len = cap;
	memcpy(buf, app, len);
	br_ssl_engine_recvapp_ack(eng, len);
	*n = len;
	return CELLA_OK;
}

/* see cella/tls.h */
cella_result cella_tls_server_read_full(struct cella_tls_server *s, void *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		size_t got = 0;
		cella_result r = cella_tls_server_read(s, (uint8_t *)buf + done, n - done, &got);
		if (r != CELLA_OK)
			return r;
		if (got == 0)
			return done ? CELLA_ERR_TRUNCATED : CELLA_ERR_PEER_CLOSED;
		done += got;
	}
	return CELLA_OK;
}

/* see cella/tls.h */
cella_result cella_tls_server_write(struct cella_tls_server *s, const void *buf, size_t len)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	const uint8_t *p = buf;
	cella_result r;

	s->doing = "write";
	if (!s->open)
		return fail(s, CELLA_ERR_INVALID_STATE, "no connection is open");
	s->batching = true;
	while (len > 0) {
		size_t room = 0;
		unsigned char *app;
		r = run_until(s, BR_SSL_SENDAPP);
		if (r != CELLA_OK) {
			s->batching = false;
			return closed_by_peer(s, r, CELLA_ERR_PEER_CLOSED);
		}
		app = br_ssl_engine_sendapp_buf(eng, &room);
		if (room > len)
			room = len;
		memcpy(app, p, room);
		br_ssl_engine_sendapp_ack(eng, room);
		p += room;
		len -= room;
	}
	br_ssl_engine_flush(eng, 0);
	/* push the flushed records out: run until the engine wants application data again, then send the batch */
	s->batching = false;
	return closed_by_peer(s, run_until(s, BR_SSL_SENDAPP), CELLA_ERR_PEER_CLOSED);
}

/* see cella/tls.h */
cella_result cella_tls_server_close(struct cella_tls_server *s)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	if (!s->open)
		return CELLA_OK;
	s->doing = "close";
	if (s->broken)
		return host_close(s);
	br_ssl_engine_close(eng);
	/* send our close_notify; do not wait for the peer's (it may already be gone) */
	for (int i = 0; i < 4 && (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC); i++) {
		size_t len = 0;
		unsigned char *b = br_ssl_engine_sendrec_buf(eng, &len);
		if (len > OUT_BYTES - s->out_len)
			len = OUT_BYTES - s->out_len;
		memcpy(s->out + s->out_len, b, len);
		s->out_len += len;
		br_ssl_engine_sendrec_ack(eng, len);
	}
	(void)flush_out(s);
	return host_close(s);
}
