// SPDX-License-Identifier: MIT
/* Host side of attested TLS: socket ocalls for enclave servers, and the OpenSSL verification callback. */
#include <cella/tls_host.h>

#include "attest_internal.h"

#include <arpa/inet.h>
#include <cella/tls.h>
#include <cella/verify.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_HANDLES 256
#define GEN_BITS 48 /* a slot is reused after 2^48 registrations at the earliest: no handle lives that long */

enum { H_FREE = 0, H_LISTENER = 1, H_CONN = 2 };

/*
 * Registered sockets. A handle names a slot and that slot's generation, never an fd number: a closed handle stays
 * dead when its slot or its fd number is used again, and the enclave learns nothing of the host's descriptors.
 * A call holds its slot (users) for as long as it uses the fd; closing a handle refuses new users, shuts the
 * socket down so a call blocked on it returns, and the last user closes the fd, so an fd number is never
 * reused while a call of this module can still act on it.
 * A connection belongs to the enclave that accepted it: another enclave of this process naming it gets
 * CELLA_ERR_PERMISSION. Listeners are the host application's, for any of its enclaves.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int fd;
	int kind;
	uint64_t gen;     /* bumped each time the slot is taken (GEN_BITS wide); never 0 in a live handle */
	uint32_t users;   /* calls using fd now */
	bool closing;     /* unregistered: no new users; the last one closes fd */
	const struct cella_enclave *owner; /* H_CONN: the enclave whose accept made it */
} handles[MAX_HANDLES];

/* Takes a free slot for fd; 0 when none is left. */
static uint64_t reg(int fd, int kind, const struct cella_enclave *owner)
{
	uint64_t h = 0;
	pthread_mutex_lock(&lock);
	for (uint32_t i = 0; i < MAX_HANDLES; i++)
		if (handles[i].kind == H_FREE) {
			if (++handles[i].gen >> GEN_BITS)
				handles[i].gen = 1;
			handles[i].fd = fd;
			handles[i].kind = kind;
			handles[i].users = 0;
			handles[i].closing = false;
			handles[i].owner = owner;
			h = handles[i].gen << 16 | (i + 1);
			break;
		}
	pthread_mutex_unlock(&lock);
	return h;
}

/* The live slot h names for (kind, e), or -1. Called with lock held. */
static int slot_of(uint64_t h, int kind, const struct cella_enclave *e)
{
	uint64_t i = (h & 0xffffu) - 1;
	if (i >= MAX_HANDLES || handles[i].kind != kind || handles[i].closing || handles[i].gen != h >> 16 ||
	    (kind == H_CONN && handles[i].owner != e))
		return -1;
	return (int)i;
}

/* Frees slot i once unregistered and unused; returns the fd to close, or -1. Called with lock held. */
static int reap(int i)
{
	if (!handles[i].closing || handles[i].users)
		return -1;
	handles[i].kind = H_FREE;
	return handles[i].fd;
}

/* Starts a call on handle h: the slot index (release it with put()) and *fd, or -1 when h is not a live handle of
 * this kind for e. */
static int get(uint64_t h, int kind, const struct cella_enclave *e, int *fd)
{
	pthread_mutex_lock(&lock);
	int i = slot_of(h, kind, e);
	if (i >= 0) {
		handles[i].users++;
		*fd = handles[i].fd;
	}
	pthread_mutex_unlock(&lock);
	return i;
}

static void put(int i)
{
	pthread_mutex_lock(&lock);
	handles[i].users--;
	int fd = reap(i);
	pthread_mutex_unlock(&lock);
	if (fd >= 0)
		close(fd);
}

/* Unregisters live slot i: calls still using its socket see it shut down, and the last of them closes it; the fd
 * to close now, or -1. Called with lock held. */
static int retire(int i)
{
	handles[i].closing = true;
	if (handles[i].users)
		shutdown(handles[i].fd, SHUT_RDWR); /* wakes a poll, accept or recv blocked on it */
	return reap(i);
}

/* Unregisters h; false when it is not a live handle of this kind for e. */
static bool unreg(uint64_t h, int kind, const struct cella_enclave *e)
{
	int fd = -1;
	pthread_mutex_lock(&lock);
	int i = slot_of(h, kind, e);
	if (i >= 0)
		fd = retire(i);
	pthread_mutex_unlock(&lock);
	if (fd >= 0)
		close(fd);
	return i >= 0;
}

/* see cella/tls_host.h */
void cella_tls_host_forget(const struct cella_enclave *e)
{
	int fds[MAX_HANDLES], n = 0;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_HANDLES; i++)
		if (handles[i].kind == H_CONN && !handles[i].closing && handles[i].owner == e) {
			int fd = retire(i);
			if (fd >= 0)
				fds[n++] = fd;
		}
	pthread_mutex_unlock(&lock);
	for (int k = 0; k < n; k++)
		close(fds[k]);
}

/* see cella/tls_host.h */
cella_result cella_tls_host_listen(const char *ip, uint16_t port, uint64_t *handle, uint16_t *bound_port)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} a;
	socklen_t al;
	int one = 1, fd;
	memset(&a, 0, sizeof(a));
	if (!ip)
		ip = "127.0.0.1";
	if (inet_pton(AF_INET, ip, &a.v4.sin_addr) == 1) {
		a.v4.sin_family = AF_INET;
		a.v4.sin_port = htons(port);
		al = sizeof(a.v4);
	} else if (inet_pton(AF_INET6, ip, &a.v6.sin6_addr) == 1) {
		a.v6.sin6_family = AF_INET6;
		a.v6.sin6_port = htons(port);
		al = sizeof(a.v6);
	} else {
		return CELLA_ERR_INVALID_ARG;
	}
	/* non-blocking: of two threads woken by one pending connection, the loser polls again (within its timeout)
	 * instead of blocking in accept */
	fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return CELLA_ERR_IO;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a.sa.sa_family == AF_INET6) /* "::" means IPv6 only, not every IPv4 address as well */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, &a.sa, al) != 0 || listen(fd, 16) != 0 || getsockname(fd, &a.sa, &al) != 0) {
		close(fd);
		return CELLA_ERR_IO;
	}
	if ((*handle = reg(fd, H_LISTENER, NULL)) == 0) {
		close(fd);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	if (bound_port)
		*bound_port = ntohs(a.sa.sa_family == AF_INET6 ? a.v6.sin6_port : a.v4.sin_port);
	return CELLA_OK;
}

/* see cella/tls_host.h */
void cella_tls_host_unlisten(uint64_t handle)
{
	(void)unreg(handle, H_LISTENER, NULL);
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* see cella/tls_host.h */
cella_result cella_tls_host_accept(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				   size_t out_bytes, size_t *written)
{
	struct cella_tls_accept_in req;
	struct pollfd p;
	struct timeval tv = {30, 0};
	int64_t deadline;
	uint64_t conn;
	int fd, lfd, slot, one = 1;
	if (in_bytes != sizeof(req) || out_bytes < sizeof(conn))
		return CELLA_ERR_MARSHAL;
	memcpy(&req, in, sizeof(req)); /* window memory: one copy, then validate */
	if ((slot = get(req.listener, H_LISTENER, e, &lfd)) < 0)
		return CELLA_ERR_PERMISSION;
	p.fd = lfd;
	p.events = POLLIN;
	deadline = now_ms() + req.timeout_ms;
	for (;;) {
		int wait = -1, k;
		if (req.timeout_ms) {
			int64_t left = deadline - now_ms();
			wait = left <= 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
		}
		k = poll(&p, 1, wait);
		if (k < 0 && errno == EINTR)
			continue;
		/* a connection that went away between poll and accept, or another thread's: wait on */
		fd = k == 1 ? accept4(lfd, NULL, NULL, SOCK_CLOEXEC) : -1;
		if (fd >= 0 || k != 1 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
					  errno != EINTR) || wait == 0)
			break;
	}
	put(slot);
	if (fd < 0)
		return CELLA_ERR_IO;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* the enclave already sends whole TLS records: Nagle would only hold handshake flights back */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((conn = reg(fd, H_CONN, e)) == 0) {
		close(fd);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	memcpy(out, &conn, sizeof(conn));
	*written = sizeof(conn);
	return CELLA_OK;
}

/* see cella/tls_host.h */
cella_result cella_tls_host_recv(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				 size_t out_bytes, size_t *written)
{
	struct cella_tls_recv_in req;
	size_t max;
	ssize_t n;
	int fd, slot;
	if (in_bytes != sizeof(req))
		return CELLA_ERR_MARSHAL;
	memcpy(&req, in, sizeof(req));
	if ((slot = get(req.conn, H_CONN, e, &fd)) < 0)
		return CELLA_ERR_PERMISSION;
	max = req.max < out_bytes ? req.max : out_bytes;
	do
		n = recv(fd, out, max, 0);
	while (n < 0 && errno == EINTR);
	put(slot);
	if (n < 0)
		return CELLA_ERR_IO;
	*written = (size_t)n;
	return CELLA_OK;
}

/* see cella/tls_host.h */
cella_result cella_tls_host_send(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				 size_t out_bytes, size_t *written)
{
	struct cella_tls_send_in req;
	uint32_t sent;
	ssize_t n;
	int fd, slot;
	if (in_bytes <= sizeof(req) || out_bytes < sizeof(sent))
		return CELLA_ERR_MARSHAL;
	memcpy(&req, in, sizeof(req));
	if ((slot = get(req.conn, H_CONN, e, &fd)) < 0)
		return CELLA_ERR_PERMISSION;
	do
		n = send(fd, in + sizeof(req), in_bytes - sizeof(req), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	put(slot);
	if (n <= 0)
		return CELLA_ERR_IO;
	sent = (uint32_t)n;
	memcpy(out, &sent, sizeof(sent));
	*written = sizeof(sent);
	return CELLA_OK;
}

/* see cella/tls_host.h */
cella_result cella_tls_host_close(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				  size_t out_bytes, size_t *written)
{
	struct cella_tls_close_in req;
	(void)out, (void)out_bytes;
	if (in_bytes != sizeof(req))
		return CELLA_ERR_MARSHAL;
	memcpy(&req, in, sizeof(req));
	if (!unreg(req.conn, H_CONN, e))
		return CELLA_ERR_PERMISSION;
	*written = 0;
	return CELLA_OK;
}

/*
 * What cella_tls_openssl_configure keeps on the SSL_CTX (ex_data, freed with it) for its handshakes, so that they
 * verify on collateral that caches what it has verified (chains, CRLs, signed documents: cella_quote_verify's warm
 * path) instead of parsing and checking it all again per peer:
 * - the endorsements it was given, parsed once; bytes and len are what they were parsed from, and a verifier
 *   given other endorsements since is served from those, parsed per handshake;
 * - collateral fetched for peers (v->fetch), per platform (TEE, FMSPC, PCK CA) and fetch source, reused while the
 *   handshake's time is before its earliest nextUpdate, as the fetch's on-disk cache is.
 * Handshakes of one context may run on several threads: the fetched entries are reference counted under lock.
 */
#define FETCHED_SLOTS 8

struct fetched {
	unsigned refs;  /* a slot's and each verification's */
	uint32_t tee;
	uint8_t fmspc[CELLA_FMSPC_BYTES];
	cella_pck_ca ca;
	char *source;   /* base URL, root CRL URL and update the fetch options named, and their trust anchor */
	int64_t next_update;
	struct cella_collateral *c;
};

struct configured {
	const uint8_t *bytes;
	size_t len;
	struct cella_collateral *c;
	pthread_mutex_t lock;
	unsigned next;
	struct fetched *fetched[FETCHED_SLOTS];
};

/* The ex_data indices: what configure keeps on an SSL_CTX, and each connection's outcome on its SSL. */
static pthread_once_t ex_once = PTHREAD_ONCE_INIT;
static int configured_idx = -1, outcome_idx = -1;

/* Drops one reference to f (NULL: none), freeing it at the last; the lock of the configured holding it held. */
static void fetched_put(struct fetched *f)
{
	if (!f || --f->refs > 0)
		return;
	cella_collateral_free(f->c);
	free(f->source);
	free(f);
}

static void configured_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct configured *k = ptr;
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	if (!k)
		return;
	for (unsigned i = 0; i < FETCHED_SLOTS; i++)
		fetched_put(k->fetched[i]);
	pthread_mutex_destroy(&k->lock);
	cella_collateral_free(k->c);
	free(k);
}

/* Each connection's own outcome (SSL ex_data, freed with the SSL): what cella_tls_openssl_peer reads. */
struct outcome {
	cella_result result;
	struct cella_claims claims;
};

static void outcome_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	free(ptr);
}

/* SSL_dup's copy has no outcome of its own yet (without this it would share, and free, the original's) */
static int outcome_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl, void *argp)
{
	(void)to, (void)from, (void)idx, (void)argl, (void)argp;
	*from_d = NULL;
	return 1;
}

static void ex_init(void)
{
	configured_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, configured_free);
	outcome_idx = SSL_get_ex_new_index(0, NULL, NULL, outcome_dup, outcome_free);
}

/* What configure kept on the SSL_CTX of the handshake's connection (NULL: none, a store context outside a
 * handshake as a caller testing the callback may pass, or a context not configured here). */
static struct configured *configured_get(const SSL *ssl)
{
	pthread_once(&ex_once, ex_init);
	return ssl && configured_idx >= 0 ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), configured_idx) : NULL;
}

/* Keeps c (parsed from v's endorsements; NULL: none) and an empty fetched cache on ctx in place of what an
 * earlier configure kept there. Takes c, freeing it on failure. */
static cella_result configured_set(SSL_CTX *ctx, const struct cella_tls_openssl_verifier *v, struct cella_collateral *c)
{
	struct configured *k = NULL;
	void *old;
	pthread_once(&ex_once, ex_init);
	if (configured_idx < 0 || !(k = calloc(1, sizeof(*k)))) {
		cella_collateral_free(c);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	k->bytes = v->endorsements;
	k->len = v->endorsements_len;
	k->c = c;
	pthread_mutex_init(&k->lock, NULL);
	old = SSL_CTX_get_ex_data(ctx, configured_idx);
	if (SSL_CTX_set_ex_data(ctx, configured_idx, k) != 1) {
		configured_free(NULL, k, NULL, 0, 0, NULL);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	configured_free(NULL, old, NULL, 0, 0, NULL);
	return CELLA_OK;
}

/* The fetch options' source as one string (malloc'd; NULL if out of memory): fetched collateral is reused only
 * for the same one. */
static char *fetch_source(const struct cella_fetch_options *o)
{
	const char *crl = o->root_crl_url ? o->root_crl_url : "", *up = o->update ? o->update : "standard";
	int n = snprintf(NULL, 0, "%s\n%s\n%s\n%p", o->base_url, crl, up, (const void *)o->trust);
	char *s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (s)
		snprintf(s, (size_t)n + 1, "%s\n%s\n%s\n%p", o->base_url, crl, up, (const void *)o->trust);
	return s;
}

/* k's kept collateral for the platform (tee, pck) from source, fresh at `at`, with a reference for the caller; NULL
 * if none. */
static struct fetched *fetched_find(struct configured *k, uint32_t tee, const struct cella_pck_info *pck,
				    const char *source, int64_t at)
{
	struct fetched *hit = NULL;
	pthread_mutex_lock(&k->lock);
	for (unsigned i = 0; i < FETCHED_SLOTS && !hit; i++) {
		struct fetched *f = k->fetched[i];
		if (f && f->tee == tee && f->ca == pck->ca && memcmp(f->fmspc, pck->fmspc, CELLA_FMSPC_BYTES) == 0 &&
		    at < f->next_update && strcmp(f->source, source) == 0) {
			f->refs++;
			hit = f;
		}
	}
	pthread_mutex_unlock(&k->lock);
	return hit;
}

/* Keeps f in k in place of its oldest entry (a verification using that one keeps it). */
static void fetched_keep(struct configured *k, struct fetched *f)
{
	pthread_mutex_lock(&k->lock);
	fetched_put(k->fetched[k->next]);
	k->fetched[k->next] = f;
	f->refs++;
	k->next = (k->next + 1) % FETCHED_SLOTS;
	pthread_mutex_unlock(&k->lock);
}

/* A verification's reference to f dropped, under k's lock when f may be kept there (k given). */
static void fetched_release(struct configured *k, struct fetched *f)
{
	if (!f)
		return;
	if (k)
		pthread_mutex_lock(&k->lock);
	fetched_put(f);
	if (k)
		pthread_mutex_unlock(&k->lock);
}

/*
 * The collateral the peer's Intel quote needs, fetched as v->fetch says, in *out with a reference for the caller
 * (fetched_release): from k's kept collateral when it holds the platform's from the same source, fresh at
 * policy.time; else fetched, and kept in k (k NULL: for this verification only). NULL for evidence that needs none
 * (the software TEE's). A certificate that does not parse is left to the verification, which names it.
 */
static cella_result peer_collateral(const struct cella_tls_openssl_verifier *v, struct configured *k,
				    const uint8_t *der, size_t len, struct fetched **out)
{
	const uint8_t *ev, *quote, *custom, *uuid;
	size_t ev_len, qlen, custom_len;
	struct cella_quote q;
	struct cella_pck_info pck;
	struct cella_trust *intel = NULL;
	struct fetched *f = NULL;
	char *source;
	cella_result r = CELLA_OK;
	*out = NULL;
	if (at_attest_cert_evidence(der, len, &ev, &ev_len) != CELLA_OK ||
	    at_evidence_split(ev, ev_len, &quote, &qlen, &custom, &custom_len, &uuid) != CELLA_OK ||
	    cella_quote_parse(quote, qlen, &q, NULL) != CELLA_OK ||
	    memcmp(q.qe_vendor_id, AT_SOFTWARE_QE_VENDOR, 16) == 0)
		return CELLA_OK;
	if (!(source = fetch_source(v->fetch)))
		return CELLA_ERR_OUT_OF_MEMORY;
	/* Kept collateral is looked up by the platform the leaf names before its chain is checked: the
	 * verification that follows checks the chain, and that the collateral is this leaf's platform's, anyway
	 * (and caches the chain's signatures, which the check below would verify again each time). */
	if (k && cella_quote_pck_info(&q, &pck, NULL) == CELLA_OK &&
	    (*out = fetched_find(k, q.tee_type, &pck, source, v->policy.time)) != NULL) {
		free(source);
		return CELLA_OK;
	}
	/* only a PCK chain the anchor's CA issued makes the verifier fetch: a peer cannot have it ask the PCCS for
	 * whatever FMSPC it writes into a certificate of its own */
	if (!v->fetch->trust)
		r = cella_trust_new_intel(&intel);
	if (r == CELLA_OK)
		r = cella_quote_pck_info_trusted(v->fetch->trust ? v->fetch->trust : intel, &q, &pck, NULL);
	cella_trust_free(intel);
	if (r == CELLA_OK && !(f = calloc(1, sizeof(*f))))
		r = CELLA_ERR_OUT_OF_MEMORY;
	if (r != CELLA_OK) {
		free(source);
		return r;
	}
	f->refs = 1;
	f->tee = q.tee_type;
	memcpy(f->fmspc, pck.fmspc, CELLA_FMSPC_BYTES);
	f->ca = pck.ca;
	f->source = source;
	if ((r = cella_collateral_fetch(v->fetch, &q, v->policy.time, &f->c, NULL)) != CELLA_OK) {
		fetched_put(f);
		return r;
	}
	if (cella_collateral_next_update(f->c, &f->next_update) != CELLA_OK)
		f->next_update = INT64_MIN; /* never reused */
	if (k)
		fetched_keep(k, f);
	*out = f;
	return CELLA_OK;
}

/* Records a verification's outcome on its connection (none outside a handshake) and in v, under k's lock when the
 * context is configured (its handshakes may run on several threads). A connection that cannot hold it fails. */
static cella_result record(SSL *ssl, struct configured *k, struct cella_tls_openssl_verifier *v, cella_result r,
			   const struct cella_claims *claims)
{
	struct outcome *o = NULL;
	pthread_once(&ex_once, ex_init);
	if (ssl) {
		if (outcome_idx >= 0 && !(o = SSL_get_ex_data(ssl, outcome_idx)) && (o = malloc(sizeof(*o))) &&
		    SSL_set_ex_data(ssl, outcome_idx, o) != 1) {
			free(o);
			o = NULL;
		}
		if (o) {
			o->result = r;
			o->claims = *claims;
		} else {
			r = CELLA_ERR_OUT_OF_MEMORY;
		}
	}
	if (k)
		pthread_mutex_lock(&k->lock);
	v->result = r;
	v->claims = *claims;
	if (k)
		pthread_mutex_unlock(&k->lock);
	return r;
}

/* see cella/tls_host.h */
cella_result cella_tls_openssl_peer(const SSL *ssl, struct cella_claims *claims)
{
	const struct outcome *o;
	pthread_once(&ex_once, ex_init);
	o = outcome_idx >= 0 ? SSL_get_ex_data(ssl, outcome_idx) : NULL;
	/* a connection SSL_clear made ready for its next handshake keeps its ex_data: the last outcome is not its */
	if (!o || SSL_in_before(ssl))
		return CELLA_ERR_NOT_FOUND;
	if (claims)
		*claims = o->claims;
	return o->result;
}

/* see cella/tls_host.h */
int cella_tls_openssl_verify_cb(X509_STORE_CTX *ctx, void *arg)
{
	struct cella_tls_openssl_verifier *v = arg;
	X509 *peer = X509_STORE_CTX_get0_cert(ctx);
	SSL *ssl = X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct configured *k = configured_get(ssl);
	struct cella_claims claims;
	unsigned char *der = NULL;
	cella_result r = CELLA_ERR_NOT_FOUND;
	int len;
	/* what this callback's own OpenSSL calls push is popped: a refusal reaches the caller as the handshake's
	 * error (X509_V_ERR_APPLICATION_VERIFICATION) and the recorded result, not as stale entries in the queue */
	ERR_set_mark();
	memset(&claims, 0, sizeof(claims));
	if (peer && (len = i2d_X509(peer, &der)) > 0) {
		/* fetched or configured collateral goes to the verification as it is, not through its JSON and back */
		struct fetched *f = NULL;
		struct cella_collateral *parsed = NULL;
		uint8_t point[65];
		if (v->fetch)
			r = peer_collateral(v, k, der, (size_t)len, &f);
		if (f)
			parsed = f->c;
		else if (k && v->endorsements_len && k->bytes == v->endorsements && k->len == v->endorsements_len)
			parsed = k->c;
		if (!v->fetch || r == CELLA_OK)
			r = at_attest_cert_verify(der, (size_t)len, v->endorsements, v->endorsements_len, parsed, &v->policy,
						  &claims, point);
		fetched_release(k, f);
	}
	OPENSSL_free(der);
	r = record(ssl, k, v, r, &claims);
	ERR_pop_to_mark();
	if (r != CELLA_OK) {
		X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	return 1;
}

/* see cella/tls_host.h */
cella_result cella_tls_openssl_configure(SSL_CTX *ctx, struct cella_tls_openssl_verifier *v)
{
	struct cella_collateral *c = NULL;
	cella_result r;
	v->result = CELLA_ERR_NOT_FOUND;
	if ((r = at_policy_check(&v->policy, true)) != CELLA_OK || (r = at_cert_policy_check(&v->policy)) != CELLA_OK)
		return r;
	if ((v->endorsements_len && !v->endorsements) || (v->fetch && (v->endorsements || !v->fetch->base_url)))
		return CELLA_ERR_INVALID_ARG;
	if (v->endorsements_len &&
	    (r = cella_collateral_new_json((const char *)v->endorsements, v->endorsements_len, &c, NULL)) != CELLA_OK)
		return r;
	if ((r = configured_set(ctx, v, c)) != CELLA_OK)
		return r;
	/* a server asks for the client's certificate and fails the handshake without one (SSL_VERIFY_PEER alone
	 * lets a client that sends none through, with the callback never run); clients ignore the second flag */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, cella_tls_openssl_verify_cb, v);
	/* a resumed session skips the callback: every handshake here is a full one, its evidence checked now */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return CELLA_OK;
}
