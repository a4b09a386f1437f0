// SPDX-License-Identifier: MIT
/* cella-attestd's front end: listening, OpenSSL TLS, connections spread over libmicrohttpd daemons (front.c). */
#ifndef CELLA_ATTESTD_FRONT_H
#define CELLA_ATTESTD_FRONT_H

#include "attestd_internal.h"

#include <limits.h>
#include <microhttpd.h>
#include <sys/socket.h>

/* MHD_OPTION_CONNECTION_LIMIT of each daemon: one it cannot reach (more than a process has descriptors).
 * connection_limit is the front end's, over all daemons (libmicrohttpd 0.9.75 deadlocks a daemon that reaches its
 * own limit with connections added from another thread). */
#define ATTESTD_FRONT_DAEMON_LIMIT ((intptr_t)UINT_MAX)

struct attestd_front;

struct attestd_front_config {
	const struct sockaddr *addr;     /* where to listen (port 0: ephemeral) */
	socklen_t addr_len;
	const char *cert_pem;            /* server certificate, then its chain; NULL: plain HTTP */
	const char *key_pem;
	const char *admin_ca_pem;        /* NULL: no client certificates requested */
	struct MHD_Daemon *const *mhd;   /* started with MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC, fed in turn */
	unsigned n_mhd;
	struct attestd_service *svc;     /* for the connection counters in /metrics */
	unsigned threads, timeout, connection_limit;
};

/* Binds and listens; no thread yet, so the caller can finish what requests read (the issuer names *port) before
 * attestd_front_run. Raises the process's soft RLIMIT_NOFILE to the hard one, and lowers connection_limit to what
 * the descriptors allow (said on stderr). *port: the bound port. Errors: CELLA_ERR_BAD_FORMAT (certificate, key or CA unusable),
 * CELLA_ERR_IO (socket, bind, listen); err says which. */
CELLA_MUST_USE cella_result attestd_front_listen(const struct attestd_front_config *cfg,
						     struct attestd_front **out, unsigned *port,
						     char err[ATTESTD_ERR_BYTES]);
/* Starts the threads that accept and serve. CELLA_ERR_IO if one cannot start; attestd_front_stop still frees f and
 * joins those that did. */
CELLA_MUST_USE cella_result attestd_front_run(struct attestd_front *f, char err[ATTESTD_ERR_BYTES]);
/* Did the client of the plaintext descriptor fd (MHD_CONNECTION_INFO_CONNECTION_FD) present a certificate issued by
 * the admin CA, valid now? */
bool attestd_front_admin(struct attestd_front *f, int fd);
/* Stops accepting: the listening socket is shut down, so connections are refused (and those queued, not accepted
 * yet, reset); connections already open go on being served. NULL is fine. */
void attestd_front_drain(struct attestd_front *f);
/* Has a TLS connection a request or an answer in transit: request bytes not passed up or not answered yet, or answer
 * bytes not passed on to the client? (Plain HTTP connections are libmicrohttpd's.) NULL: false. */
bool attestd_front_busy(struct attestd_front *f);
/* Stops accepting, closes every connection, frees f. NULL is fine. */
void attestd_front_stop(struct attestd_front *f);

#endif
