// SPDX-License-Identifier: MIT
/*
 * cella-attestd: the HTTP front end (libmicrohttpd, epoll, a pool of worker threads; slow clients cost a
 * connection slot, never a worker), TLS by OpenSSL in front of it (front.c), and the command line.
 */
#include "attestd_internal.h"
#include "file.h"
#include "parse.h"
#include "front.h"

#include <cella/verify.h>

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct attestd_store *attestd_service_store(struct attestd_service *s);

/*
 * One open HTTP connection, from libmicrohttpd's connection notifications. Its request headers must all arrive
 * within request_timeout_seconds of the request's start (the connection's, or the previous response's end):
 * libmicrohttpd's own timeout is an idle one, which a client sending a header line now and then never meets.
 */
struct hconn {
	struct hconn *prev, *next;
	int fd;
	struct timespec start;
	bool in_request; /* headers complete: the body deadline (handler) applies instead */
	bool cut;
};

struct server {
	struct attestd_config *cfg;
	struct attestd_service *svc;
	struct attestd_front *front;
	pthread_mutex_t hlock;
	struct hconn *conns;
};

struct conn {
	struct timespec start;
	char *body;
	size_t len, cap;
	bool too_large;
};

static double elapsed(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static struct hconn *hconn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Marks the connection's request as having its headers (true) or as done, which starts the next one (false). */
static void hconn_mark(struct server *s, struct MHD_Connection *c, bool in_request)
{
	struct hconn *h = hconn_of(c);
	if (!h)
		return;
	pthread_mutex_lock(&s->hlock);
	h->in_request = in_request;
	if (!in_request)
		clock_gettime(CLOCK_MONOTONIC, &h->start);
	pthread_mutex_unlock(&s->hlock);
}

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	struct hconn *h = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(h = calloc(1, sizeof(*h))))
			return; /* not tracked: only the idle timeout applies to it */
		h->fd = ci->connect_fd;
		clock_gettime(CLOCK_MONOTONIC, &h->start);
		pthread_mutex_lock(&s->hlock);
		h->next = s->conns;
		if (s->conns)
			s->conns->prev = h;
		s->conns = h;
		pthread_mutex_unlock(&s->hlock);
		*socket_context = h;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && h) {
		/* before libmicrohttpd closes the socket, so a sweep never shuts down a reused descriptor */
		pthread_mutex_lock(&s->hlock);
		if (h->prev)
			h->prev->next = h->next;
		else
			s->conns = h->next;
		if (h->next)
			h->next->prev = h->prev;
		pthread_mutex_unlock(&s->hlock);
		free(h);
		*socket_context = NULL;
	}
}

/* Cuts off connections whose request headers took longer than the request timeout; returns how many. */
static unsigned sweep_header_deadline(struct server *s)
{
	unsigned n = 0;
	pthread_mutex_lock(&s->hlock);
	for (struct hconn *h = s->conns; h; h = h->next)
		if (!h->in_request && !h->cut && elapsed(&h->start) > s->cfg->request_timeout) {
			shutdown(h->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes it */
			h->cut = true;
			n++;
		}
	pthread_mutex_unlock(&s->hlock);
	for (unsigned i = 0; i < n; i++)
		attestd_service_count(s->svc, "slow_client");
	return n;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct attestd_response *r)
{
	struct MHD_Response *mr = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;
	if (!mr) {
		attestd_response_fini(r);
		return MHD_NO;
	}
	r->body = NULL;
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	MHD_add_response_header(mr, "x-ms-maa-service-version", "cella-attestd/1");
	if (r->allow)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->close)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* An error response; close: the connection is closed after it. */
static enum MHD_Result send_error_then(struct server *s, struct MHD_Connection *c, unsigned status, const char *code,
				       const char *msg, bool close)
{
	struct attestd_response r;
	memset(&r, 0, sizeof(r));
	attestd_service_error(s->svc, status, code, msg, &r);
	r.close = close;
	return send_resp(c, &r);
}

static enum MHD_Result send_error(struct server *s, struct MHD_Connection *c, unsigned status, const char *code,
				  const char *msg)
{
	return send_error_then(s, c, status, code, msg, false);
}

/* Did the TLS client present a certificate issued by the configured administrator CA? */
static bool client_cert_admin(struct server *s, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci && attestd_front_admin(s->front, ci->connect_fd);
}

/* How often the headers that frame a body, and the api-version parameter, occur (RFC 9112 section 6). */
struct framing {
	unsigned content_length, transfer_encoding, api_version;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct framing *f = cls;
	(void)value;
	if (kind == MHD_GET_ARGUMENT_KIND)
		f->api_version += strcmp(key, "api-version") == 0;
	else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		f->content_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		f->transfer_encoding++;
	return MHD_YES;
}

/*
 * Refuses requests whose body framing is ambiguous (two Content-Lengths, or Content-Length with
 * Transfer-Encoding: a proxy in front may read the body one way and libmicrohttpd another, which smuggles a
 * request) and the api-version given twice. The connection is closed after the 400: what follows on it cannot
 * be trusted to start a request.
 */
static bool framing_refused(struct server *s, struct MHD_Connection *c, enum MHD_Result *ret)
{
	struct framing f = {0, 0, 0};
	const char *why = NULL;
	MHD_get_connection_values(c, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, count_framing, &f);
	if (f.content_length > 1)
		why = "more than one Content-Length header";
	else if (f.content_length && f.transfer_encoding)
		why = "both Content-Length and Transfer-Encoding";
	else if (f.api_version > 1)
		why = "the api-version query parameter more than once";
	if (!why)
		return false;
	*ret = send_error_then(s, c, 400, "BadRequest", why, true);
	return true;
}

/*
 * Percent-decoding of the path and query (libmicrohttpd's), except that a string holding an encoded NUL is left
 * as sent: decoded, "/attest/SgxEnclave%00junk" would route as SgxEnclave and "2022-08-01%00x" pass as a
 * version, since C strings end at the NUL.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls, (void)c;
	if (strstr(s, "%00"))
		return strlen(s);
	return MHD_http_unescape(s);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct conn *cc = *con_cls;
	struct attestd_request req;
	struct attestd_response resp;
	(void)version;

	if (!cc) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		enum MHD_Result ret;
		if (framing_refused(s, c, &ret))
			return ret;
		cc = calloc(1, sizeof(*cc));
		if (!cc)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &cc->start);
		*con_cls = cc;
		hconn_mark(s, c, true);
		if (cl) {
			char *end;
			unsigned long long v = strtoull(cl, &end, 10);
			if (*end || v > s->cfg->max_body) {
				char msg[128];
				snprintf(msg, sizeof(msg), "request body larger than the limit of %zu bytes",
					 s->cfg->max_body);
				return send_error(s, c, 413, "RequestEntityTooLarge", msg);
			}
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (elapsed(&cc->start) > s->cfg->request_timeout) {
			/* a client trickling its body: drop it rather than let it hold a connection slot */
			attestd_service_count(s->svc, "slow_client");
			return MHD_NO;
		}
		if (cc->too_large || cc->len + *upload_size > s->cfg->max_body) {
			cc->too_large = true;
		} else {
			if (cc->len + *upload_size + 1 > cc->cap) {
				size_t cap = cc->cap ? cc->cap : 4096;
				char *nb;
				while (cap < cc->len + *upload_size + 1)
					cap *= 2;
				if (!(nb = realloc(cc->body, cap)))
					return MHD_NO;
				cc->body = nb;
				cc->cap = cap;
			}
			memcpy(cc->body + cc->len, upload, *upload_size);
			cc->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (cc->too_large) {
		char msg[128];
		snprintf(msg, sizeof(msg), "request body larger than the limit of %zu bytes", s->cfg->max_body);
		return send_error(s, c, 413, "RequestEntityTooLarge", msg);
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.api_version = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "api-version");
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req.test_time = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-cella-test-time");
	req.body = (const uint8_t *)(cc->body ? cc->body : "");
	req.body_len = cc->len;
	if (s->cfg->tls && strncmp(url, "/policies/", 10) == 0)
		req.client_cert_admin = client_cert_admin(s, c);
	attestd_service_handle(s->svc, &req, &resp);
	return send_resp(c, &resp);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn *cc = *con_cls;
	(void)toe;
	hconn_mark(cls, c, false);
	if (cc) {
		free(cc->body);
		free(cc);
		*con_cls = NULL;
	}
}

/* libmicrohttpd's log. Behind the TLS front end its sockets are AF_UNIX pairs, on which it tries and fails to set
 * TCP options once per response (harmless: a socketpair has no Nagle delay); those lines are dropped. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t second;
	static unsigned lines, dropped;
	struct server *s = cls;
	char line[512];
	size_t n;
	time_t now = time(NULL);
	vsnprintf(line, sizeof(line), fmt, ap);
	if (s->cfg->tls && (strstr(line, "TCP_NODELAY") || strstr(line, "TCP_CORK") || strstr(line, "push the data")))
		return;
	/* the lines quote client input (a decoded URL): no control character may forge or break a log line */
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[--n] = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	/* and clients cannot flood it: at most 50 lines a second, the rest counted */
	pthread_mutex_lock(&lock);
	if (now != second) {
		if (dropped)
			fprintf(stderr, "cella-attestd: %u HTTP log lines dropped (more than 50 a second)\n", dropped);
		second = now;
		lines = dropped = 0;
	}
	if (lines < 50) {
		lines++;
		fprintf(stderr, "%s\n", line);
	} else {
		dropped++;
	}
	pthread_mutex_unlock(&lock);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cella-attestd [options]\n"
		"  --config FILE          JSON configuration over the embedded default (--print-default-config)\n"
		"  --listen HOST:PORT     listen address (default 127.0.0.1:8443; port 0 = ephemeral)\n"
		"  --db FILE              SQLite state file (keys, certificates, policies)\n"
		"  --no-tls               plain HTTP (loopback benchmarks and tests only)\n"
		"  --issuer URL           token issuer (default https://HOST:PORT)\n"
		"  --admin-token TOKEN    bearer token that authorizes policy management\n"
		"  --collateral FILE      DCAP collateral JSON to preload (repeatable)\n"
		"  --pccs URL             fetch collateral from this PCCS / Intel PCS (--collateral-cache DIR)\n"
		"  --cella-root PEM       enable /attest/CellaEnclave, trusting this software-TEE root\n"
		"  --token-alg RS256|ES256\n"
		"  --threads N            worker threads (default: CPUs)\n"
		"  --max-body BYTES       request body limit (413 above)\n"
		"  --test-mode            accept the x-cella-test-time header (verification time)\n"
		"  --verify-time T        test mode: verify evidence at T (Unix seconds or RFC 3339)\n"
		"  --port-file FILE       write the bound port here once listening\n"
		"  --tls-cert-out FILE    write the TLS certificate (PEM) here\n"
		"  --print-default-config print the embedded default configuration and exit\n");
}

/* The options that take a value (the others: --no-tls, --test-mode, --help, --print-default-config). */
static bool takes_value(const char *a)
{
	static const char *const names[] = {"--config",	     "--listen",     "--db",	      "--issuer",
					    "--admin-token", "--collateral", "--pccs",	      "--collateral-cache",
					    "--cella-root",  "--token-alg",  "--threads",    "--max-body",
					    "--verify-time", "--port-file",  "--tls-cert-out"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(a, names[i]) == 0)
			return true;
	return false;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* false with errno set */
static bool write_text(const char *path, const char *text)
{
	int err = cella_file_write_atomic(path, text, strlen(text), 0644);
	errno = err;
	return err == 0;
}

static bool add_list(char ***list, size_t *n, const char *v)
{
	char **nl = realloc(*list, (*n + 2) * sizeof(char *));
	if (!nl)
		return false;
	*list = nl;
	nl[*n] = strdup(v);
	if (!nl[*n])
		return false;
	(*n)++;
	return true;
}

/* sets a string option from the command line */
static bool set_opt(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst != NULL;
}

int main(int argc, char **argv)
{
	struct attestd_config cfg;
	struct server srv;
	char err[ATTESTD_ERR_BYTES] = "";
	char *port_file = NULL, *cert_out = NULL, *tls_key = NULL, *tls_cert = NULL, *trust = NULL;
	struct MHD_Daemon *d[64] = {NULL};
	unsigned nd = 0;
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
	struct sockaddr *sa;
	unsigned flags, port;
	char where[INET6_ADDRSTRLEN + 2];
	int rc = 1;
	cella_result r;

	memset(&cfg, 0, sizeof(cfg));
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.hlock, NULL);
	{
		/* before any thread starts: a write to a closed peer must not kill the service, nor SIGTERM skip the
		 * orderly stop */
		struct sigaction act;
		memset(&act, 0, sizeof(act));
		act.sa_handler = on_signal;
		sigaction(SIGINT, &act, NULL);
		sigaction(SIGTERM, &act, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	if (attestd_config_apply_json(&cfg, attestd_config_default_json(), strlen(attestd_config_default_json()), err) !=
	    CELLA_OK) {
		fprintf(stderr, "cella-attestd: embedded configuration: %s\n", err);
		return 1;
	}
	/* First the options' shape and the configuration files, in their order; then every other option, so that
	 * the command line overrides the files wherever it stands. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--print-default-config") == 0) {
			fputs(attestd_config_default_json(), stdout);
			return 0;
		} else if (strcmp(a, "--no-tls") == 0 || strcmp(a, "--test-mode") == 0) {
			continue;
		} else if (!takes_value(a)) {
			fprintf(stderr, "cella-attestd: unknown option %s\n", a);
			usage(stderr);
			goto out;
		} else if (!v) {
			fprintf(stderr, "cella-attestd: %s needs a value\n", a);
			goto out;
		} else if (strcmp(a, "--config") == 0) {
			char *text = NULL;
			size_t n;
			r = attestd_read_file(v, 1 << 20, &text, &n);
			if (r != CELLA_OK) {
				fprintf(stderr, "cella-attestd: %s: %s\n", v, cella_result_str(r));
				goto out;
			}
			r = attestd_config_apply_json(&cfg, text, n, err);
			free(text);
			if (r != CELLA_OK) {
				fprintf(stderr, "cella-attestd: %s: %s\n", v, err);
				goto out;
			}
		}
		i++;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true;
		if (strcmp(a, "--no-tls") == 0) {
			cfg.tls = false;
		} else if (strcmp(a, "--test-mode") == 0) {
			cfg.test_mode = true;
		} else if (strcmp(a, "--config") == 0) {
			/* applied above */
		} else if (strcmp(a, "--listen") == 0) {
			char js[600];
			json_t *s = json_string(v);
			char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
			snprintf(js, sizeof(js), "{\"listen\": %s}", q ? q : "null");
			free(q);
			json_decref(s);
			ok = attestd_config_apply_json(&cfg, js, strlen(js), err) == CELLA_OK;
		} else if (strcmp(a, "--db") == 0) {
			ok = set_opt(&cfg.db, v);
		} else if (strcmp(a, "--issuer") == 0) {
			ok = set_opt(&cfg.issuer, v);
		} else if (strcmp(a, "--admin-token") == 0) {
			/* v is there: the first pass refused an option without its value */
			ok = strlen(v) >= ATTESTD_ADMIN_TOKEN_MIN && set_opt(&cfg.admin_token, v);
			if (!ok)
				snprintf(err, sizeof(err), "at least %d characters", ATTESTD_ADMIN_TOKEN_MIN);
		} else if (strcmp(a, "--collateral") == 0) {
			ok = add_list(&cfg.collateral_files, &cfg.n_collateral_files, v);
		} else if (strcmp(a, "--pccs") == 0) {
			ok = set_opt(&cfg.pccs_url, v);
		} else if (strcmp(a, "--collateral-cache") == 0) {
			ok = set_opt(&cfg.collateral_cache_dir, v);
		} else if (strcmp(a, "--cella-root") == 0) {
			ok = set_opt(&cfg.cella_root, v);
		} else if (strcmp(a, "--token-alg") == 0) {
			ok = (cfg.token_alg = attestd_alg_parse(v)) != ATTESTD_ALG_NONE;
		} else if (strcmp(a, "--threads") == 0) {
			long long n = 0;
			ok = cella_parse_int(v, 1, 64, &n) == 0;
			cfg.threads = (unsigned)n;
			if (!ok)
				snprintf(err, sizeof(err), "an integer from 1 to 64");
		} else if (strcmp(a, "--max-body") == 0) {
			long long n = 0;
			ok = cella_parse_int(v, 1024, 1 << 28, &n) == 0; /* as max_body_bytes in the configuration */
			cfg.max_body = (size_t)n;
			if (!ok)
				snprintf(err, sizeof(err), "bytes, an integer from 1024 to 268435456");
		} else if (strcmp(a, "--verify-time") == 0) {
			ok = cella_time_parse(v, &cfg.verify_time) == CELLA_OK;
		} else if (strcmp(a, "--port-file") == 0) {
			ok = set_opt(&port_file, v);
		} else if (strcmp(a, "--tls-cert-out") == 0) {
			ok = set_opt(&cert_out, v);
		}
		if (!ok) {
			fprintf(stderr, "cella-attestd: bad value for %s%s%s\n", a, err[0] ? ": " : "", err);
			goto out;
		}
		if (takes_value(a))
			i++;
	}
	if (cfg.verify_time && !cfg.test_mode) {
		fprintf(stderr, "cella-attestd: --verify-time / verify_time needs test mode\n");
		goto out;
	}

	r = attestd_service_new(&cfg, &srv.svc, err);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-attestd: %s\n", err[0] ? err : cella_result_str(r));
		goto out;
	}
	srv.cfg = &cfg;
	if (cfg.admin_client_ca) {
		if (!cfg.tls) {
			fprintf(stderr, "cella-attestd: admin_client_ca needs TLS\n");
			goto out;
		}
		if (attestd_read_file(cfg.admin_client_ca, 1 << 20, &trust, NULL) != CELLA_OK) {
			fprintf(stderr, "cella-attestd: cannot read admin_client_ca %s\n", cfg.admin_client_ca);
			goto out;
		}
	}
	if (cfg.tls) {
		if (!cfg.tls_cert != !cfg.tls_key) {
			fprintf(stderr, "cella-attestd: %s is set but %s is not: give both, or neither for a generated "
					"certificate\n",
				cfg.tls_cert ? "tls_cert" : "tls_key", cfg.tls_cert ? "tls_key" : "tls_cert");
			goto out;
		}
		if (cfg.tls_cert) {
			if (attestd_read_file(cfg.tls_cert, 1 << 20, &tls_cert, NULL) != CELLA_OK) {
				fprintf(stderr, "cella-attestd: cannot read tls_cert %s: %s\n", cfg.tls_cert, strerror(errno));
				goto out;
			}
			if (attestd_read_file(cfg.tls_key, 1 << 20, &tls_key, NULL) != CELLA_OK) {
				fprintf(stderr, "cella-attestd: cannot read tls_key %s: %s\n", cfg.tls_key, strerror(errno));
				goto out;
			}
		} else if (attestd_store_tls(attestd_service_store(srv.svc), &tls_key, &tls_cert) != CELLA_OK) {
			fprintf(stderr, "cella-attestd: cannot create the TLS certificate\n");
			goto out;
		}
		if (cert_out && !write_text(cert_out, tls_cert)) {
			fprintf(stderr, "cella-attestd: cannot write %s: %s\n", cert_out, strerror(errno));
			goto out;
		}
	}

	/* the front end listens and hands connections over (front.c) */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG |
		MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
	memset(&sa4, 0, sizeof(sa4));
	memset(&sa6, 0, sizeof(sa6));
	if (inet_pton(AF_INET, cfg.listen_host, &sa4.sin_addr) == 1) {
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons((uint16_t)cfg.port);
		sa = (struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, cfg.listen_host, &sa6.sin6_addr) == 1) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons((uint16_t)cfg.port);
		sa = (struct sockaddr *)&sa6;
	} else {
		fprintf(stderr, "cella-attestd: listen host must be a numeric address (got %s)\n", cfg.listen_host);
		goto out;
	}
	/* the host as URLs write it: IPv6 in brackets */
	snprintf(where, sizeof(where), sa == (struct sockaddr *)&sa6 ? "[%s]" : "%s", cfg.listen_host);
	{
		struct MHD_OptionItem ops[9];
		int n = 0;
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, &srv};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg.request_timeout, NULL};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, ATTESTD_FRONT_DAEMON_LIMIT, NULL};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, &srv};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_connection, &srv};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
		for (; nd < cfg.threads; nd++)
			if (!(d[nd] = MHD_start_daemon(flags, 0, NULL, NULL, handler, &srv, MHD_OPTION_ARRAY, ops,
						       MHD_OPTION_END))) {
				fprintf(stderr, "cella-attestd: cannot start the HTTP daemons: %s\n", strerror(errno));
				goto out;
			}
	}
	{
		struct attestd_front_config fc = {
			.addr = sa,
			.addr_len = sa == (struct sockaddr *)&sa6 ? sizeof(sa6) : sizeof(sa4),
			.cert_pem = cfg.tls ? tls_cert : NULL,
			.key_pem = tls_key,
			.admin_ca_pem = trust,
			.mhd = d,
			.n_mhd = nd,
			.svc = srv.svc,
			.threads = cfg.threads,
			.timeout = cfg.request_timeout,
			.connection_limit = cfg.connection_limit,
		};
		if (attestd_front_listen(&fc, &srv.front, &port, err) != CELLA_OK) {
			fprintf(stderr, "cella-attestd: %s:%u: %s\n", cfg.listen_host, cfg.port, err);
			goto out;
		}
	}
	/* set before any request can read it: the front's threads start only after */
	if (!cfg.issuer) {
		char iss[300];
		snprintf(iss, sizeof(iss), "%s://%s:%u", cfg.tls ? "https" : "http", where, port);
		if (attestd_service_set_issuer(srv.svc, iss) != CELLA_OK) {
			fprintf(stderr, "cella-attestd: out of memory\n");
			goto out;
		}
	}
	if (attestd_front_run(srv.front, err) != CELLA_OK) {
		fprintf(stderr, "cella-attestd: %s\n", err);
		goto out;
	}
	if (port_file) {
		char ps[16];
		snprintf(ps, sizeof(ps), "%u\n", port);
		if (!write_text(port_file, ps)) {
			fprintf(stderr, "cella-attestd: cannot write %s: %s\n", port_file, strerror(errno));
			goto out;
		}
	}
	fprintf(stderr, "cella-attestd: listening on %s://%s:%u (%u threads, database %s%s)\n", cfg.tls ? "https" : "http",
		where, port, cfg.threads, cfg.db, cfg.test_mode ? ", TEST MODE" : "");
	for (unsigned tick = 0; !stop; tick++) {
		usleep(100000);
		if (tick % 5 == 0)
			sweep_header_deadline(&srv);
	}
	/* no new connection; the requests under way get request_timeout_seconds to finish (their handlers run on: a
	 * daemon stops once its handler returns), then every connection is closed */
	fprintf(stderr, "cella-attestd: stopping (requests under way have %u s)\n", cfg.request_timeout);
	attestd_front_drain(srv.front);
	{
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (unsigned tick = 0; elapsed(&t0) < cfg.request_timeout; tick++) {
			bool in_request = false;
			if (tick % 25 == 0)
				sweep_header_deadline(&srv);
			pthread_mutex_lock(&srv.hlock);
			for (struct hconn *h = srv.conns; h && !in_request; h = h->next)
				in_request = h->in_request;
			pthread_mutex_unlock(&srv.hlock);
			/* in this order: once libmicrohttpd has sent every answer, what is left is in the front end's hands */
			if (!in_request && !attestd_front_busy(srv.front))
				break;
			usleep(20000);
		}
	}
	rc = 0;
out:
	attestd_front_stop(srv.front);
	for (unsigned i = 0; i < nd; i++)
		MHD_stop_daemon(d[i]); /* closes every connection: the list is empty after */
	pthread_mutex_destroy(&srv.hlock);
	attestd_service_free(srv.svc);
	attestd_config_fini(&cfg);
	free(port_file);
	free(cert_out);
	if (tls_key) {
		memset(tls_key, 0, strlen(tls_key));
		free(tls_key);
	}
	free(tls_cert);
	free(trust);
	return rc;
}
