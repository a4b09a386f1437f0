// SPDX-License-Identifier: MIT
/*
 * cella-attestd's front end: it listens and accepts; OpenSSL terminates TLS, libmicrohttpd speaks HTTP.
 *
 * Connections go to `threads` single-threaded libmicrohttpd daemons in turn. (A libmicrohttpd thread pool on one
 * listening socket lets whichever worker wakes first accept a burst of connections, and a pool fed with
 * MHD_add_connection picks the worker by descriptor parity: both put a benchmark's 16 connections on one core.)
 * Plain HTTP stops there: the accepted socket is libmicrohttpd's.
 *
 * connection_limit is counted here, over all daemons, and the daemons get a limit they cannot reach: libmicrohttpd
 * 0.9.75 (Debian 12) deadlocks a daemon's thread when an added connection meets its limit in that thread (two
 * MHD_add_connection calls queued while one slot was left), and a per-daemon share of the limit refused
 * connections while other daemons had room. A TLS connection is counted from its accept to its close. A plain one
 * is libmicrohttpd's once handed over, and libmicrohttpd says nothing when it closes one: the front end keeps each
 * handed-over descriptor's socket (inode), and at the limit counts as gone those whose descriptor is closed or now
 * names another file (/proc/self/fd).
 *
 * libmicrohttpd can only do TLS through GnuTLS, and the service's keys, certificates and client-certificate checks
 * are OpenSSL's. So TLS ends here: a few threads, each with its own epoll set, accept on the public socket (the
 * kernel wakes one of them per connection), run the handshake without blocking, and hand every connection whose
 * handshake completed to libmicrohttpd as one end of a socketpair (MHD_add_connection). The thread then pumps bytes
 * between the TLS session and its end of the pair, 16 KiB at a time in each direction, reading from one side only
 * while the other can take the bytes (back-pressure, bounded memory per connection).
 *
 * Descriptors: a TLS connection takes three (its socket and the pair), a plain one one. The soft RLIMIT_NOFILE is
 * raised to the hard one, and connection_limit lowered to what it allows beyond the service's own descriptors. Out
 * of descriptors all the same, accept fails and the connection stays queued: the listening socket, level-triggered,
 * would wake the thread again at once, so a thread that sees EMFILE stops watching it for a moment.
 *
 * Slow clients: a handshake must finish within the request timeout of its accept, and an established connection
 * that moves no byte in either direction for that long is closed, unless the service owes it a response (bytes went
 * up and none came back since): a request may take the service longer than that (a collateral fetch from a slow
 * PCCS), and is then waited for OWED_SECONDS (or the request timeout if longer). libmicrohttpd applies its own
 * timeouts to the plaintext side (the idle one, and in main.c a deadline for the headers and one for the body), so
 * a client trickling its request is cut off there; its end of the pair closes and this side closes the TLS
 * connection.
 *
 * Stopping: attestd_front_drain shuts the listening socket down (connections are refused from then on) while the
 * threads go on pumping, and attestd_front_busy tells the caller when no TLS connection has a request or an answer
 * in transit; attestd_front_stop then closes what is left.
 *
 * Administrator client certificates: the TLS layer asks for a client certificate (optional) issued by the admin CA
 * and records, per plaintext descriptor, whether the client presented one that chains to it. The record is written
 * before libmicrohttpd sees the descriptor, and a descriptor number cannot be reused while libmicrohttpd holds it,
 * so a request always reads the record of its own connection.
 */
#include "attestd_internal.h"
#include "front.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PUMP_BYTES 16384
#define MAX_THREADS 64
#define RECOUNT_MS 10       /* plain HTTP at the limit: how often at most the handed-over descriptors are checked */
#define FD_KEEP 32          /* descriptors kept for the service beyond those open at start and a few per thread */
#define ACCEPT_PAUSE_MS 100 /* out of descriptors: how long a thread leaves the listening socket alone */
#define OWED_SECONDS 120    /* the longest a response the service owes is waited for (a collateral fetch: 4 x 15 s) */

/* One connection; its descriptors are in the worker's epoll set, while they have something to wait for, with the
 * tconn itself as data (serve() moves both directions whichever one fired). */
struct tconn {
	int net, app;        /* app: -1 until the handshake completed */
	SSL *ssl;
	struct worker *w;
	struct tconn *prev, *next;
	time_t accepted, active;
	uint32_t net_events, app_events; /* registered epoll interest */
	bool want_net_read, want_net_write; /* what the last stalled SSL call waits for */
	bool net_eof, app_eof;           /* net_eof: the client's close_notify (it may still read) */
	bool net_failed;                 /* reset or TLS error: no close_notify may follow (SSL_shutdown(3)) */
	bool app_shut;                   /* the service was told the request stream ended (shutdown SHUT_WR) */
	bool owed;                       /* request bytes went to the service and no byte came back since */
	size_t up_off, up_len;           /* client -> service */
	size_t down_off, down_len;       /* service -> client */
	unsigned char up[PUMP_BYTES], down[PUMP_BYTES];
};

struct worker {
	struct attestd_front *f;
	pthread_t thread;
	pthread_mutex_t lock; /* the thread holds it while it works on its connections (attestd_front_busy reads them) */
	bool lock_ready;
	int epfd;
	struct tconn *conns;
	bool started;
	bool listening;      /* the listening socket is in epfd */
	long long resume_ms; /* when not: when to watch it again */
};

/* A plain connection handed to libmicrohttpd: its descriptor, and the socket it named then. */
struct plain_conn {
	int fd;
	ino_t ino;
};

struct attestd_front {
	SSL_CTX *ctx;
	struct MHD_Daemon *mhd[MAX_THREADS];
	unsigned n_mhd;
	atomic_uint next_mhd;
	struct attestd_service *svc;
	int listen_fd;
	unsigned timeout, owed_timeout, limit;
	atomic_uint active; /* TLS connections */
	atomic_bool draining, stop;
	pthread_mutex_t plain_lock; /* plain HTTP: the connections libmicrohttpd may still hold */
	bool plain_lock_ready;
	struct plain_conn *plain;
	unsigned n_plain;
	long long plain_counted_ms; /* the last recount, and whether it found closed ones */
	bool plain_recount_freed;
	atomic_llong fd_said_ms; /* the last "cannot accept" in the log */
	_Atomic unsigned char *admin; /* per plaintext descriptor: 1 = admin client certificate; NULL: none asked for */
	size_t n_admin;
	unsigned threads;   /* to start */
	unsigned n_workers; /* workers[0..n_workers) set up (their epfd open; started: thread running) */
	struct worker workers[MAX_THREADS];
};

static time_t now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void conn_free(struct tconn *c)
{
	struct worker *w = c->w;
	/* uncounted before the client can see the close: a client that reconnects at once, at the limit, must find
	 * the slot free (counted after the close, it was refused now and then) */
	atomic_fetch_sub(&w->f->active, 1);
	if (c->ssl) {
		if (c->app >= 0 && !c->net_failed)
			(void)SSL_shutdown(c->ssl); /* best effort close_notify; never waits */
		SSL_free(c->ssl);
	}
	close(c->net);
	if (c->app >= 0)
		close(c->app);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

/* A descriptor with nothing to wait for leaves the set (interest 0 = not registered): epoll reports EPOLLHUP and
 * EPOLLERR whatever the interest, so a peer that hung up while its side had nothing to do (a client that reset the
 * connection while the service was not reading) would wake the thread again and again until the connection ended. */
static bool set_interest(struct tconn *c, int fd, uint32_t *have, uint32_t want)
{
	struct epoll_event ev;
	if (*have == want)
		return true;
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(c->w->epfd, *have == 0 ? EPOLL_CTL_ADD : want == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD, fd, &ev) != 0)
		return false;
	*have = want;
	return true;
}

enum net_state { NET_WAIT, NET_CLOSED, NET_FAILED };

/* Classifies a stalled or failed SSL call: NET_WAIT (want_* set); NET_CLOSED, the client's close_notify (it sends
 * nothing more, and may still read); NET_FAILED, a reset or a TLS error (the connection is over). */
static enum net_state ssl_wait(struct tconn *c, int ret)
{
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		c->want_net_read = true;
		return NET_WAIT;
	case SSL_ERROR_WANT_WRITE:
		c->want_net_write = true;
		return NET_WAIT;
	case SSL_ERROR_ZERO_RETURN:
		return NET_CLOSED;
	default:
		ERR_clear_error();
		c->net_failed = true;
		return NET_FAILED;
	}
}

static struct MHD_Daemon *next_daemon(struct attestd_front *f)
{
	return f->mhd[atomic_fetch_add(&f->next_mhd, 1) % f->n_mhd];
}

/* The handshake completed: create the plaintext pair and give one end to libmicrohttpd. */
static bool hand_over(struct tconn *c)
{
	struct attestd_front *f = c->w->f;
	struct sockaddr_un local = {.sun_family = AF_UNIX};
	int sv[2];
	bool admin = false;
	X509 *cert;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		return false;
	if (f->admin) { /* client certificates are requested */
		if ((size_t)sv[1] >= f->n_admin) {
			close(sv[0]);
			close(sv[1]);
			return false;
		}
		cert = SSL_get0_peer_certificate(c->ssl);
		if (cert && SSL_get_verify_result(c->ssl) == X509_V_OK) {
			admin = true;
			attestd_service_count(f->svc, "tls_client_cert");
		}
		atomic_store(&f->admin[sv[1]], admin ? 1 : 0);
	}
	c->app = sv[0];
	if (!set_interest(c, c->app, &c->app_events, EPOLLIN)) {
		close(sv[1]);
		return false;
	}
	/* libmicrohttpd owns sv[1] from here, also when it refuses it; an AF_UNIX address tells it the socket has no
	 * TCP options to set */
	return MHD_add_connection(next_daemon(f), sv[1], (const struct sockaddr *)&local, sizeof(sa_family_t)) == MHD_YES;
}

/* Does the descriptor still name the socket handed over? /proc says which file it names now without using the
 * descriptor, which libmicrohttpd may be closing at this moment; a socket's inode number is unique while it exists. */
static bool plain_open(const struct plain_conn *p)
{
	char path[32], now[48], then[48];
	ssize_t n;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p->fd);
	snprintf(then, sizeof(then), "socket:[%llu]", (unsigned long long)p->ino);
	n = readlink(path, now, sizeof(now) - 1);
	if (n <= 0)
		return false;
	now[n] = 0;
	return strcmp(now, then) == 0;
}

/* Drops the plain connections libmicrohttpd has closed: their descriptor is closed, or names another file. Called
 * with plain_lock held. */
static void plain_recount(struct attestd_front *f)
{
	for (unsigned i = 0; i < f->n_plain;) {
		if (plain_open(&f->plain[i]))
			i++;
		else
			f->plain[i] = f->plain[--f->n_plain];
	}
}

/* Plain HTTP: hands the accepted socket to libmicrohttpd if the limit allows, else closes it. A connection a daemon
 * refuses (it closes it) is dropped from the count by the next recount. */
static void plain_hand_over(struct attestd_front *f, int fd, const struct sockaddr *peer, socklen_t plen)
{
	struct stat st;
	long long t = now_ms();
	bool room;

	if (fstat(fd, &st) != 0) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&f->plain_lock);
	/* at the limit, a recount that found every connection open is not repeated for RECOUNT_MS: a flood of
	 * connections beyond the limit costs a close each, not a look at every descriptor */
	if (f->n_plain >= f->limit && (f->plain_recount_freed || t - f->plain_counted_ms >= RECOUNT_MS)) {
		unsigned before = f->n_plain;
		plain_recount(f);
		f->plain_counted_ms = t;
		f->plain_recount_freed = f->n_plain < before;
	}
	room = f->n_plain < f->limit;
	if (room)
		f->plain[f->n_plain++] = (struct plain_conn){.fd = fd, .ino = st.st_ino};
	pthread_mutex_unlock(&f->plain_lock);
	if (!room)
		close(fd);
	else
		(void)MHD_add_connection(next_daemon(f), fd, peer, plen);
}

/* Moves whatever can move; false when the connection is finished (the caller frees it). */
static bool pump(struct tconn *c)
{
	bool progress;
	int ret;

	if (c->app < 0) {
		c->want_net_read = c->want_net_write = false;
		ret = SSL_do_handshake(c->ssl);
		if (ret != 1)
			return ssl_wait(c, ret) == NET_WAIT;
		if (!hand_over(c))
			return false;
	}
	do {
		size_t n;
		ssize_t k;
		progress = false;
		c->want_net_read = c->want_net_write = false;
		/* client -> service */
		if (c->up_len == 0 && !c->net_eof) {
			ret = SSL_read_ex(c->ssl, c->up, sizeof(c->up), &n);
			if (ret == 1) {
				c->up_off = 0;
				c->up_len = n;
				progress = true;
			} else {
				enum net_state st = ssl_wait(c, ret);
				if (st == NET_FAILED)
					return false; /* nobody left to answer */
				if (st == NET_CLOSED) {
					c->net_eof = true;
					progress = true;
				}
			}
		}
		if (c->up_len) {
			k = write(c->app, c->up + c->up_off, c->up_len - c->up_off);
			if (k > 0) {
				c->up_off += (size_t)k;
				if (c->up_off == c->up_len)
					c->up_off = c->up_len = 0;
				c->owed = true;
				progress = true;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				return false;
			}
		}
		/* the client has said all and the service has it: the service sees the request stream end, and what it
		 * answers still goes out (a client may send its request and close_notify in one flight) */
		if (c->net_eof && c->up_len == 0 && !c->app_shut) {
			(void)shutdown(c->app, SHUT_WR);
			c->app_shut = true;
		}
		/* service -> client */
		if (c->down_len == 0 && !c->app_eof) {
			k = read(c->app, c->down, sizeof(c->down));
			if (k > 0) {
				c->down_off = 0;
				c->down_len = (size_t)k;
				c->owed = false;
				progress = true;
			} else if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
				c->app_eof = true;
				progress = true;
			}
		}
		if (c->down_len) {
			ret = SSL_write_ex(c->ssl, c->down + c->down_off, c->down_len - c->down_off, &n);
			if (ret == 1) {
				c->down_off = c->down_len = 0; /* whole writes (no partial-write mode) */
				progress = true;
			} else if (ssl_wait(c, ret) != NET_WAIT) {
				return false;
			}
		}
		if (progress)
			c->active = now_s();
	} while (progress);
	/* over once the service closed and everything it said went out */
	return !(c->app_eof && c->down_len == 0);
}

static void serve(struct tconn *c)
{
	uint32_t net = 0, app = 0;
	if (!pump(c)) {
		conn_free(c);
		return;
	}
	if (c->want_net_read || (c->app >= 0 && c->up_len == 0 && !c->net_eof))
		net |= EPOLLIN;
	if (c->want_net_write)
		net |= EPOLLOUT;
	if (c->app >= 0) {
		if (c->down_len == 0 && !c->app_eof)
			app |= EPOLLIN;
		if (c->up_len)
			app |= EPOLLOUT;
	}
	if (!set_interest(c, c->net, &c->net_events, net) ||
	    (c->app >= 0 && !set_interest(c, c->app, &c->app_events, app)))
		conn_free(c);
}

/* The listening socket in this thread's set, or out of it (EPOLLEXCLUSIVE interest is added and deleted, never
 * modified). */
static void watch_listener(struct worker *w, bool on)
{
	struct epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE; /* one worker woken per connection */
	ev.data.ptr = NULL;
	if (epoll_ctl(w->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, w->f->listen_fd, &ev) == 0)
		w->listening = on;
}

/* accept failed for want of descriptors or memory: the connection stays queued and the listening socket readable,
 * which would wake this thread again at once (it spun at 100% CPU). It looks again after ACCEPT_PAUSE_MS. */
static void pause_accepting(struct worker *w, int err)
{
	struct attestd_front *f = w->f;
	long long t = now_ms(), said = atomic_load(&f->fd_said_ms);
	watch_listener(w, false);
	w->resume_ms = t + ACCEPT_PAUSE_MS;
	if (t - said >= 60000 && atomic_compare_exchange_strong(&f->fd_said_ms, &said, t))
		fprintf(stderr, "cella-attestd: cannot accept connections (%s): they wait (said once a minute at most)\n",
			strerror(err));
}

static void accept_all(struct worker *w)
{
	struct attestd_front *f = w->f;
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(f->listen_fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct tconn *c;
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				pause_accepting(w, errno);
			return; /* EAGAIN: another worker took it, or nothing left; other errors: retried on the next wake */
		}
		if (!f->ctx) { /* plain HTTP: libmicrohttpd takes the socket itself */
			plain_hand_over(f, fd, (struct sockaddr *)&peer, plen);
			continue;
		}
		if (atomic_fetch_add(&f->active, 1) >= f->limit || !(c = calloc(1, sizeof(*c)))) {
			atomic_fetch_sub(&f->active, 1);
			close(fd);
			continue;
		}
		c->net = fd;
		c->app = -1;
		c->w = w;
		c->accepted = c->active = now_s();
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		if (!(c->ssl = SSL_new(f->ctx)) || SSL_set_fd(c->ssl, fd) != 1 ||
		    !set_interest(c, fd, &c->net_events, EPOLLIN)) {
			conn_free(c);
			continue;
		}
		SSL_set_accept_state(c->ssl);
		serve(c);
	}
}

/* Closes handshakes older than the timeout and connections idle for as long, or as long as a response may take. */
static void sweep(struct worker *w)
{
	time_t t = now_s();
	struct tconn *c = w->conns, *next;
	for (; c; c = next) {
		next = c->next;
		if (c->app < 0 ? t - c->accepted >= (time_t)w->f->timeout
			       : t - c->active >= (time_t)(c->owed ? w->f->owed_timeout : w->f->timeout)) {
			if (c->app < 0)
				attestd_service_count(w->f->svc, "slow_client");
			conn_free(c);
		}
	}
}

static void *worker_main(void *arg)
{
	static char skip; /* an event of a connection already served in this batch */
	struct worker *w = arg;
	struct epoll_event evs[64];
	time_t last_sweep = now_s();
	while (!atomic_load(&w->f->stop)) {
		int timeout = 250, n;
		bool draining = atomic_load(&w->f->draining);
		if (w->listening && draining) /* shut down, the listening socket reports a hang-up: out of the set */
			watch_listener(w, false);
		else if (!w->listening && !draining) {
			long long left = w->resume_ms - now_ms();
			if (left <= 0)
				watch_listener(w, true);
			else if (left < timeout)
				timeout = (int)left;
		}
		n = epoll_wait(w->epfd, evs, 64, timeout);
		pthread_mutex_lock(&w->lock);
		for (int i = 0; i < n; i++) {
			struct tconn *c = evs[i].data.ptr;
			if (!c) {
				if (!draining)
					accept_all(w);
				continue;
			}
			if ((void *)c == &skip)
				continue;
			/* serve() moves both directions and may free the connection: drop its other event in this batch */
			for (int j = i + 1; j < n; j++)
				if (evs[j].data.ptr == c)
					evs[j].data.ptr = &skip;
			serve(c);
		}
		if (now_s() != last_sweep) {
			last_sweep = now_s();
			sweep(w);
		}
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	while (w->conns)
		conn_free(w->conns);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int accept_any_client_cert(int ok, X509_STORE_CTX *x)
{
	/* a certificate from elsewhere is not an error, only not an administrator: the result is read after */
	(void)ok, (void)x;
	return 1;
}

static cella_result ctx_new(const struct attestd_front_config *fc, SSL_CTX **out, char *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	BIO *b = NULL;
	X509 *x = NULL;
	EVP_PKEY *key = NULL;
	cella_result r = CELLA_ERR_BAD_FORMAT;

	if (!ctx) {
		snprintf(err, ATTESTD_ERR_BYTES, "TLS: cannot create the OpenSSL context");
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (!(b = BIO_new_mem_buf(fc->cert_pem, -1)) || !(x = PEM_read_bio_X509(b, NULL, NULL, NULL)) ||
	    SSL_CTX_use_certificate(ctx, x) != 1) {
		snprintf(err, ATTESTD_ERR_BYTES, "TLS: the server certificate is not a PEM certificate");
		goto out;
	}
	X509_free(x);
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			snprintf(err, ATTESTD_ERR_BYTES, "TLS: cannot use a chain certificate");
			goto out;
		}
	}
	x = NULL;
	BIO_free(b);
	if (!(b = BIO_new_mem_buf(fc->key_pem, -1)) || !(key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, ATTESTD_ERR_BYTES, "TLS: the private key is not PEM or does not match the certificate");
		goto out;
	}
	if (fc->admin_ca_pem) {
		X509_STORE *st = X509_STORE_new();
		unsigned n = 0;
		BIO_free(b);
		if (!st || !(b = BIO_new_mem_buf(fc->admin_ca_pem, -1))) {
			X509_STORE_free(st);
			r = CELLA_ERR_OUT_OF_MEMORY;
			goto out;
		}
		while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
			if (X509_STORE_add_cert(st, x) != 1 || SSL_CTX_add_client_CA(ctx, x) != 1) {
				X509_STORE_free(st);
				snprintf(err, ATTESTD_ERR_BYTES, "TLS: cannot use an admin_client_ca certificate");
				goto out;
			}
			X509_free(x);
			n++;
		}
		x = NULL;
		if (n == 0) {
			X509_STORE_free(st);
			snprintf(err, ATTESTD_ERR_BYTES, "TLS: admin_client_ca holds no PEM certificate");
			goto out;
		}
		SSL_CTX_set0_verify_cert_store(ctx, st);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client_cert);
		/* with client certificates asked for, OpenSSL resumes a session only within a context: without one,
		 * every resumption (clients that cache sessions) fails with an internal_error alert */
		SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"cella-attestd", 13);
	}
	*out = ctx;
	ctx = NULL;
	r = CELLA_OK;
out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(key);
	BIO_free(b);
	SSL_CTX_free(ctx);
	return r;
}

/* Descriptors open now (/proc/self/fd); 64 if that cannot be read. */
static unsigned open_descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;
	if (!d)
		return 64;
	while (readdir(d))
		n++;
	closedir(d);
	return n > 3 ? n - 3 : 0; /* ".", ".." and the directory's own */
}

/* Raises the soft RLIMIT_NOFILE to the hard one (under the usual 1024 the default connection_limit could not be
 * reached over TLS) and lowers f->limit to what the descriptors allow: those open now, FD_KEEP and four per thread
 * (a collateral fetch's sockets, the threads' epoll sets) stay the service's. */
static void fit_descriptors(struct attestd_front *f, bool tls)
{
	struct rlimit rl;
	unsigned per = tls ? 3 : 1, lim;
	unsigned long long have, keep, fit;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t cur = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = cur;
	}
	have = rl.rlim_cur == RLIM_INFINITY ? ULLONG_MAX : (unsigned long long)rl.rlim_cur;
	keep = open_descriptors() + FD_KEEP + 4ull * (f->n_mhd + f->threads);
	fit = have > keep ? (have - keep) / per : 0;
	if (fit >= f->limit)
		return;
	lim = fit ? (unsigned)fit : 1;
	fprintf(stderr,
		"cella-attestd: connection_limit %u lowered to %u: RLIMIT_NOFILE allows %llu descriptors, %llu are kept for "
		"the service and a connection takes %u\n",
		f->limit, lim, have, keep, per);
	f->limit = lim;
}

cella_result attestd_front_listen(const struct attestd_front_config *fc, struct attestd_front **out,
				      unsigned *port, char err[ATTESTD_ERR_BYTES])
{
	struct attestd_front *f = calloc(1, sizeof(*f));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct rlimit rl;
	int one = 1;
	cella_result r;

	*out = NULL;
	if (!f)
		return CELLA_ERR_OUT_OF_MEMORY;
	f->listen_fd = -1;
	f->n_mhd = fc->n_mhd < 1 ? 1 : fc->n_mhd > MAX_THREADS ? MAX_THREADS : fc->n_mhd;
	memcpy(f->mhd, fc->mhd, f->n_mhd * sizeof(f->mhd[0]));
	f->svc = fc->svc;
	f->timeout = fc->timeout;
	f->owed_timeout = fc->timeout > OWED_SECONDS ? fc->timeout : OWED_SECONDS;
	f->limit = fc->connection_limit < 1 ? 1 : fc->connection_limit;
	f->threads = fc->threads < 1 ? 1 : fc->threads > MAX_THREADS ? MAX_THREADS : fc->threads;
	atomic_init(&f->fd_said_ms, -60000);
	fit_descriptors(f, fc->cert_pem != NULL);
	if (!fc->cert_pem) {
		f->plain_lock_ready = pthread_mutex_init(&f->plain_lock, NULL) == 0;
		if (!f->plain_lock_ready || !(f->plain = calloc(f->limit, sizeof(f->plain[0])))) {
			attestd_front_stop(f);
			return CELLA_ERR_OUT_OF_MEMORY;
		}
	}
	if (fc->cert_pem && fc->admin_ca_pem) { /* one byte per descriptor the process may open */
		bool bounded = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1u << 20);
		f->n_admin = bounded ? (size_t)rl.rlim_cur : (size_t)1 << 20;
		if (!(f->admin = calloc(f->n_admin, 1))) {
			attestd_front_stop(f);
			return CELLA_ERR_OUT_OF_MEMORY;
		}
	}
	if (fc->cert_pem && (r = ctx_new(fc, &f->ctx, err)) != CELLA_OK) {
		attestd_front_stop(f);
		return r;
	}
	f->listen_fd = socket(fc->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->listen_fd < 0 || setsockopt(f->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(f->listen_fd, fc->addr, fc->addr_len) != 0 || listen(f->listen_fd, 1024) != 0 ||
	    getsockname(f->listen_fd, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(err, ATTESTD_ERR_BYTES, "cannot listen: %s", strerror(errno));
		attestd_front_stop(f);
		return CELLA_ERR_IO;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	*out = f;
	return CELLA_OK;
}

cella_result attestd_front_run(struct attestd_front *f, char err[ATTESTD_ERR_BYTES])
{
	for (unsigned i = 0; i < f->threads; i++) {
		struct worker *w = &f->workers[i];
		w->f = f;
		w->epfd = -1;
		f->n_workers = i + 1;
		w->lock_ready = pthread_mutex_init(&w->lock, NULL) == 0;
		if (w->lock_ready && (w->epfd = epoll_create1(EPOLL_CLOEXEC)) >= 0)
			watch_listener(w, true);
		if (!w->listening || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			snprintf(err, ATTESTD_ERR_BYTES, "cannot start the TLS threads: %s", strerror(errno));
			return CELLA_ERR_IO;
		}
		w->started = true;
	}
	return CELLA_OK;
}

bool attestd_front_admin(struct attestd_front *f, int fd)
{
	return f && f->admin && fd >= 0 && (size_t)fd < f->n_admin && atomic_load(&f->admin[fd]) == 1;
}

void attestd_front_drain(struct attestd_front *f)
{
	if (!f)
		return;
	atomic_store(&f->draining, true);
	/* a listening socket shut down refuses connections (the kernel resets those queued, not yet accepted) */
	(void)shutdown(f->listen_fd, SHUT_RDWR);
}

bool attestd_front_busy(struct attestd_front *f)
{
	bool busy = false;
	for (unsigned i = 0; f && i < f->n_workers && !busy; i++) {
		struct worker *w = &f->workers[i];
		if (!w->started)
			continue;
		pthread_mutex_lock(&w->lock);
		for (struct tconn *c = w->conns; c && !busy; c = c->next) {
			int queued = 0; /* an answer written into the pair, not read yet */
			busy = c->app >= 0 && (c->owed || c->up_len || c->down_len ||
					       (ioctl(c->app, FIONREAD, &queued) == 0 && queued > 0));
		}
		pthread_mutex_unlock(&w->lock);
	}
	return busy;
}

void attestd_front_stop(struct attestd_front *f)
{
	if (!f)
		return;
	atomic_store(&f->stop, true);
	for (unsigned i = 0; i < f->n_workers; i++) {
		if (f->workers[i].started)
			pthread_join(f->workers[i].thread, NULL);
		if (f->workers[i].epfd >= 0)
			close(f->workers[i].epfd);
		if (f->workers[i].lock_ready)
			pthread_mutex_destroy(&f->workers[i].lock);
	}
	if (f->listen_fd >= 0)
		close(f->listen_fd);
	SSL_CTX_free(f->ctx);
	free((void *)f->admin);
	if (f->plain_lock_ready)
		pthread_mutex_destroy(&f->plain_lock);
	free(f->plain);
	free(f);
}
