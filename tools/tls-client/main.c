// SPDX-License-Identifier: MIT
/*
 * cella-tls-client: connects to an attested-TLS server (OpenSSL, TLS 1.2+), verifies the evidence in its
 * certificate, pins MRENCLAVE or MRSIGNER + product + minimum SVN, then sends a line and prints the reply.
 */
#include <cella/tls_host.h>
#include <cella/verify.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "hex.h"
#include "parse.h"

static void usage_to(FILE *f, int status)
{
	fprintf(f,
		"usage: cella-tls-client --connect HOST:PORT --root ROOT.pem\n"
		"         (--mrenclave HEX | --mrsigner HEX --product N [--min-svn N])\n"
		"         [--allow-debug] [--allow-software-tee]\n"
		"         [--collateral FILE | --pccs URL [--cache DIR] [--insecure-tls]]\n"
		"         [--send TEXT] [--time UNIX] [--timeout SECONDS]\n"
		"  ROOT.pem: the software-TEE root to trust (a sandbox platform's root-ca.pem).\n"
		"  A peer whose evidence is an Intel SGX quote (on SGX hardware) needs DCAP collateral: from\n"
		"    --collateral FILE (cella-quote's JSON layout), or fetched during the handshake from the PCCS or\n"
		"    Intel PCS at --pccs URL, cached in --cache DIR; without either such a peer is refused.\n"
		"    --insecure-tls: do not verify the PCCS's TLS certificate (a PCCS with a self-signed one; the\n"
		"    collateral is signature-checked all the same).\n"
		"  --allow-debug and --allow-software-tee are INSECURE outside development.\n"
		"exit status: 0 verified (and the exchange worked), 1 refused or failed, 2 usage\n");
	exit(status);
}

static void usage(void)
{
	usage_to(stderr, 2);
}

/* Exactly 2n hex digits into out[n]; else a message naming the option, and exit 2. */
static void hex_arg(const char *opt, const char *s, uint8_t *out, size_t n)
{
	if (cella_hex_decode(s, strlen(s), out, n) == 0)
		return;
	fprintf(stderr, "cella-tls-client: %s %s: not %zu hex digits\n", opt, s, 2 * n);
	exit(2);
}

/* The whole file at path (at most max bytes), or NULL with the reason on stderr: unreadable, too large, or empty. */
static uint8_t *file_nonempty(const char *path, size_t max, size_t *len)
{
	uint8_t *b = cella_cli_file("cella-tls-client", path, max, len);
	if (b && !*len) {
		fprintf(stderr, "cella-tls-client: %s: empty\n", path);
		free(b);
		b = NULL;
	}
	return b;
}

static void hex(const char *name, const uint8_t *p, size_t n)
{
	printf("  %-18s ", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}


/* Milliseconds left before the CLOCK_MONOTONIC deadline (rounded up), 0 once it has passed. */
static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ns;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000000000 + (deadline->tv_nsec - now.tv_nsec);
	return ns > 0 ? (int)((ns + 999999) / 1000000) : 0;
}

/* 0 when fd is ready for events; -1 when poll failed or the deadline passed (errno ETIMEDOUT). */
static int wait_fd(int fd, short events, const struct timespec *deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int ms = ms_left(deadline), n;
		if (ms == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&p, 1, ms);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

#define STEP_AGAIN (-1)   /* the socket is ready: call the SSL function again, with the same arguments */
#define STEP_TIMEOUT (-2) /* the deadline passed while the SSL function waited for the socket */

/*
 * After an SSL_connect/SSL_read/SSL_write on the non-blocking fd returned ret: STEP_AGAIN once the socket is
 * ready for what OpenSSL wants, STEP_TIMEOUT when the deadline passes first, else SSL_get_error's verdict.
 */
static int ssl_step(SSL *ssl, int fd, int ret, const struct timespec *deadline)
{
	int e = SSL_get_error(ssl, ret);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		return e;
	if (wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) == 0)
		return STEP_AGAIN;
	return errno == ETIMEDOUT ? STEP_TIMEOUT : SSL_ERROR_SYSCALL;
}

/* Starts a non-blocking connect and waits for it until the deadline: 0 connected, else -1 with errno. */
static int connect_by(int fd, const struct addrinfo *a, const struct timespec *deadline)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
		return -1;
	if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, deadline) != 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -1;
	errno = err;
	return err ? -1 : 0;
}

/*
 * A connected non-blocking socket, or -1 with errno the last connect's error (0: not HOST:PORT, or no address;
 * ETIMEDOUT: the deadline passed).
 */
static int tcp_connect(const char *hostport, const struct timespec *deadline)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = {0}, *res = NULL;
	int fd = -1, err = 0;
	errno = 0;
	if (!colon || (size_t)(colon - hostport) >= sizeof(host))
		return -1;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = 0;
	if (host[0] == '[') { /* an IPv6 address as URLs write it: [::1]:8443 */
		size_t n = strlen(host);
		if (n < 3 || host[n - 1] != ']')
			return -1;
		memmove(host, host + 1, n - 2);
		host[n - 2] = 0;
	}
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0) {
		errno = 0;
		return -1;
	}
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd >= 0) {
			if (connect_by(fd, a, deadline) != 0) {
				err = errno;
				close(fd);
				fd = -1;
			}
		} else {
			err = errno;
		}
	}
	freeaddrinfo(res);
	errno = err;
	return fd;
}

int main(int argc, char **argv)
{
	const char *connect_to = NULL, *root_path = NULL, *collateral_path = NULL, *pccs = NULL, *cache = NULL;
	bool insecure_tls = false;
	struct cella_fetch_options fetch;
	const char *send_text = "hello from cella-tls-client\n";
	uint8_t mrenclave[32], mrsigner[32], *root = NULL, *collateral = NULL;
	size_t root_len = 0, collateral_len = 0;
	cella_result cr;
	struct cella_evidence_root r;
	struct cella_tls_openssl_verifier v;
	struct cella_claims claims;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd = -1, timeout = 10, status = 1, e = 0, n;
	size_t got = 0;
	struct timespec deadline;
	char buf[4096];

	signal(SIGPIPE, SIG_IGN); /* a peer that closes early is an error to report, not a reason to die */
	memset(&v, 0, sizeof(v));
	v.policy.time = (int64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			usage_to(stdout, 0);
		else if (!strcmp(a, "--allow-debug"))
			v.policy.allow_debug = true;
		else if (!strcmp(a, "--allow-software-tee"))
			v.policy.allow_software_tee = true;
		else if (!strcmp(a, "--insecure-tls"))
			insecure_tls = true;
		else if (!val)
			usage();
		else if (!strcmp(a, "--connect"))
			connect_to = val, i++;
		else if (!strcmp(a, "--root"))
			root_path = val, i++;
		else if (!strcmp(a, "--collateral"))
			collateral_path = val, i++;
		else if (!strcmp(a, "--pccs"))
			pccs = val, i++;
		else if (!strcmp(a, "--cache"))
			cache = val, i++;
		else if (!strcmp(a, "--send"))
			send_text = val, i++;
		else if (!strcmp(a, "--time"))
			v.policy.time = cella_cli_int("cella-tls-client", a, val, 1, INT64_MAX), i++;
		else if (!strcmp(a, "--timeout"))
			timeout = (int)cella_cli_int("cella-tls-client", a, val, 1, 3600), i++;
		else if (!strcmp(a, "--mrenclave")) {
			hex_arg(a, val, mrenclave, 32);
			v.policy.mrenclave = mrenclave, i++;
		} else if (!strcmp(a, "--mrsigner")) {
			hex_arg(a, val, mrsigner, 32);
			v.policy.mrsigner = mrsigner, i++;
		} else if (!strcmp(a, "--product")) {
			v.policy.check_product_id = true;
			v.policy.product_id = (uint16_t)cella_cli_int("cella-tls-client", a, val, 0, 65535), i++;
		} else if (!strcmp(a, "--min-svn"))
			v.policy.min_svn = (uint16_t)cella_cli_int("cella-tls-client", a, val, 0, 65535), i++;
		else {
			fprintf(stderr, "cella-tls-client: unknown option %s\n", a);
			usage();
		}
	}
	if (!connect_to || !root_path || (!v.policy.mrenclave && !v.policy.mrsigner) ||
	    (v.policy.mrsigner && !v.policy.mrenclave && !v.policy.check_product_id))
		usage(); /* MRSIGNER alone would accept every product of that signer */
	if (collateral_path && pccs) {
		fprintf(stderr, "cella-tls-client: --collateral and --pccs: one or the other\n");
		usage();
	}
	if ((cache || insecure_tls) && !pccs) {
		fprintf(stderr, "cella-tls-client: %s needs --pccs\n", cache ? "--cache" : "--insecure-tls");
		usage();
	}
	root = file_nonempty(root_path, 1 << 20, &root_len);
	if (!root)
		return 1;
	r.cert = root;
	r.len = root_len;
	v.policy.roots = &r;
	v.policy.root_count = 1;
	if (collateral_path) {
		collateral = file_nonempty(collateral_path, 4 << 20, &collateral_len);
		if (!collateral)
			goto out;
		v.endorsements = collateral;
		v.endorsements_len = collateral_len;
	}
	if (pccs) {
		memset(&fetch, 0, sizeof(fetch));
		fetch.base_url = pccs;
		fetch.cache_dir = cache;
		fetch.insecure_tls = insecure_tls;
		v.fetch = &fetch;
	}

	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		goto out;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* the root and the collateral checked before connecting: a file that holds no certificate, or no collateral,
	 * is named now, not at the handshake */
	if ((cr = cella_tls_openssl_configure(ctx, &v)) == CELLA_ERR_INVALID_ARG) {
		fprintf(stderr, "cella-tls-client: %s: not a certificate (DER, or PEM)\n", root_path);
		goto out;
	}
	if (cr != CELLA_OK) {
		fprintf(stderr, "cella-tls-client: %s: not DCAP collateral: %s\n", collateral_path ? collateral_path : "?",
			cella_result_str(cr));
		goto out;
	}

	/* --timeout bounds the whole session, connect to the reply's end: a peer that trickles bytes, or a verified one
	 * that never stops talking, is cut off (a per-read timeout would wait without limit). */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	fd = tcp_connect(connect_to, &deadline);
	if (fd < 0 && errno == ETIMEDOUT && ms_left(&deadline) == 0) {
		fprintf(stderr, "cella-tls-client: cannot connect to %s: timed out after %d s\n", connect_to, timeout);
		goto out;
	}
	if (fd < 0) {
		fprintf(stderr, "cella-tls-client: cannot connect to %s: %s\n", connect_to,
			errno ? strerror(errno) : "not HOST:PORT, or the name does not resolve");
		goto out;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	do {
		errno = 0;
		n = SSL_connect(ssl);
	} while (n != 1 && (e = ssl_step(ssl, fd, n, &deadline)) == STEP_AGAIN);
	if (n != 1) {
		unsigned long err = ERR_peek_last_error();
		if (e == STEP_TIMEOUT)
			fprintf(stderr, "cella-tls-client: handshake failed: timed out after %d s\n", timeout);
		else if (SSL_get_verify_result(ssl) == X509_V_ERR_APPLICATION_VERIFICATION) /* the evidence was refused */
			fprintf(stderr, "cella-tls-client: handshake refused: %s (%s)\n",
				cella_result_name(cella_tls_openssl_peer(ssl, NULL)),
				cella_result_str(cella_tls_openssl_peer(ssl, NULL)));
		else
			fprintf(stderr, "cella-tls-client: handshake failed: %s\n",
				err ? ERR_reason_error_string(err)
				: e == SSL_ERROR_SYSCALL && errno ? strerror(errno) : "the peer closed the connection");
		goto out;
	}
	if (cella_tls_openssl_peer(ssl, &claims) != CELLA_OK) { /* connected, so the callback accepted it */
		fprintf(stderr, "cella-tls-client: connected without a verified peer\n");
		goto out;
	}
	printf("verified attested TLS peer (%s, %s)\n", SSL_get_version(ssl), SSL_get_cipher(ssl));
	hex("unique_id", claims.unique_id, 32);
	hex("signer_id", claims.signer_id, 32);
	printf("  %-18s %u\n  %-18s %u\n", "product_id", (unsigned)(claims.product_id[0] | claims.product_id[1] << 8),
	       "security_version", claims.security_version);
	printf("  %-18s %s%s\n", "attributes", (claims.attributes & CELLA_EVIDENCE_ATTR_DEBUG) ? "DEBUG " : "",
	       claims.software_tee ? "SOFTWARE-TEE" : "SGX");
	do
		n = SSL_write(ssl, send_text, (int)strlen(send_text));
	while (n <= 0 && (e = ssl_step(ssl, fd, n, &deadline)) == STEP_AGAIN);
	if (n != (int)strlen(send_text)) {
		if (n <= 0 && e == STEP_TIMEOUT)
			fprintf(stderr, "cella-tls-client: the peer was verified, but sending to it failed: timed out after "
					"%d s\n", timeout);
		else
			fprintf(stderr, "cella-tls-client: the peer was verified, but sending to it failed\n");
		goto out;
	}
	for (;;) {
		n = SSL_read(ssl, buf, sizeof(buf) - 1);
		if (n > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			got += (size_t)n;
			continue;
		}
		e = ssl_step(ssl, fd, n, &deadline);
		if (e == STEP_AGAIN)
			continue;
		/* the reply is whole only when the peer ended it with close_notify */
		if (e != SSL_ERROR_ZERO_RETURN) {
			fflush(stdout);
			if (e == STEP_TIMEOUT)
				fprintf(stderr, "cella-tls-client: the peer was verified, but its reply did not end within "
						"--timeout: timed out after %d s (%zu bytes received)\n", timeout, got);
			else
				fprintf(stderr, "cella-tls-client: the peer was verified, but its reply did not end cleanly "
						"(connection cut or reset)\n");
			goto out;
		}
		break;
	}
	status = 0;
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	free(root);
	free(collateral);
	return status;
}
