// SPDX-License-Identifier: MIT
/*
 * cella-inferd: the confidential inference service's host. It hands the ONNX model to the enclave, listens, and runs
 * one enclave worker per thread; each serves attested-TLS sessions of PredictRequests (inferd.h, docs/inferd.md).
 * The host moves only encrypted records. SIGTERM or SIGINT stops it: the listener closes at once, sessions still
 * open get --grace seconds to end, then their connections are closed; it prints what each worker served.
 */
#include <cella/host.h>
#include <cella/tls_host.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inferd.h"

#define MODEL_MAX (256u << 20) /* the enclave's heap (HEAP_PAGES in CMakeLists.txt) is the real bound */
#define MAX_WORKERS 64u

static void usage(void)
{
	fprintf(stderr,
		"usage: cella-inferd ENCLAVE MODEL.onnx [--listen IP] [--port N] [--workers N] [--instances N]\n"
		"                    [--grace SECONDS] [--sealed-key FILE] [--wait-us N|none] [--health-port N]\n"
		"                    [--ready FILE] [--debug]\n"
		"  --listen IP      address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)\n"
		"  --port N         TCP port (default 0: any free port, printed)\n"
		"  --workers N      sessions served at once: one enclave thread each, at most the enclave's TCS count\n"
		"                   (default 4)\n"
		"  --instances N    copies of the model in the enclave, so that as many requests compute at once\n"
		"                   (default 1, at most %u; each costs the model's memory)\n"
		"  --grace SECONDS  on SIGTERM, how long open sessions may go on before they are cut (default 10)\n"
		"  --sealed-key FILE  for an encrypted model: its key sealed to the enclave's signer, written here once a\n"
		"                   client provisions the key, and read at the next start (no provisioning needed then)\n"
		"  --wait-us N|none sandbox backend: how long a waiting host thread yields before it sleeps (default 2000)\n"
		"  --health-port N  plain HTTP probes on the same address: GET /healthz (200 while running), GET /readyz\n"
		"                   (200 once the model is loaded, 503 before an encrypted model's key or when stopping)\n"
		"  --ready FILE     written once serving: \"PORT MRENCLAVE MODEL-SHA256 [HEALTH-PORT]\"\n"
		"  --debug          create the enclave in debug mode (a debug-signed or unsigned image)\n",
		INFERD_MAX_INSTANCES);
	exit(2);
}

/* The whole of s as a decimal number in [lo, hi], or exit 2 naming the option. */
static unsigned long number(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || v < lo || v > hi) {
		fprintf(stderr, "cella-inferd: %s %s: not a number from %lu to %lu\n", opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static atomic_int stop_now;
static atomic_int model_ready;  /* the model is loaded: at LOAD, or once an encrypted model's key came */
static const char *sealed_path; /* --sealed-key */

/* INFERD_OCALL_KEEP_SEALED: the sealed model key, written to --sealed-key (a new file renamed over the old one, so
 * that a crash leaves one or the other whole). Without --sealed-key it is not kept: said once. */
static cella_result ocall_keep_sealed(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				      size_t out_bytes, size_t *written)
{
	char tmp[4096];
	FILE *f;
	int ok;
	(void)e, (void)out, (void)out_bytes, (void)written;
	if (in_bytes > INFERD_MAX_SEALED)
		return CELLA_ERR_MARSHAL;
	atomic_store(&model_ready, 1);
	if (in_bytes == 0) {
		printf("cella-inferd: the model key was provisioned; the enclave could not seal it for a restart\n");
		fflush(stdout);
		return CELLA_OK;
	}
	if (!sealed_path) {
		printf("cella-inferd: the model key was provisioned; without --sealed-key it is not kept for a restart\n");
		fflush(stdout);
		return CELLA_OK;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", sealed_path) >= sizeof(tmp))
		return CELLA_ERR_INVALID_ARG;
	f = fopen(tmp, "wb");
	ok = f && fchmod(fileno(f), 0600) == 0 && fwrite(in, 1, in_bytes, f) == in_bytes;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, sealed_path) != 0) {
		fprintf(stderr, "cella-inferd: --sealed-key %s: cannot write it: %s\n", sealed_path, strerror(errno));
		unlink(tmp);
		return CELLA_ERR_IO;
	}
	printf("cella-inferd: the model key was provisioned and is kept sealed in %s\n", sealed_path);
	fflush(stdout);
	return CELLA_OK;
}

/* The whole of a small file (at most max bytes), or NULL with *n = 0 when it does not exist; exits 1 naming a file
 * that exists but cannot be read or is too large. */
static uint8_t *read_small(const char *opt, const char *path, size_t max, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	*n = 0;
	if (!f && errno == ENOENT)
		return NULL;
	if (!f || !(b = malloc(max + 1)) || (*n = fread(b, 1, max + 1, f)) == 0 || *n > max || ferror(f)) {
		fprintf(stderr, "cella-inferd: %s %s: %s\n", opt, path,
			!f ? strerror(errno) : *n > max ? "too large for a sealed key" : "cannot read it");
		exit(1);
	}
	fclose(f);
	return b;
}

/* INFERD_OCALL_STOPPING: one byte, 1 once the service is stopping. */
static cella_result ocall_stopping(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				   size_t out_bytes, size_t *written)
{
	(void)e, (void)in;
	if (in_bytes != 0 || out_bytes < 1)
		return CELLA_ERR_MARSHAL;
	out[0] = (uint8_t)(atomic_load(&stop_now) != 0);
	*written = 1;
	return CELLA_OK;
}

/* struct inferd_load_in, then the model file's bytes; NULL with the reason on stderr. */
static uint8_t *load_input(const char *path, uint32_t instances, const uint8_t *sealed, size_t sealed_len, size_t *n)
{
	struct inferd_load_in a = {instances, 0, 0, sealed_len};
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long end;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cella-inferd: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (end == 0 || (unsigned long)end > MODEL_MAX) {
		fprintf(stderr, "cella-inferd: %s: %ld bytes; a model of 1 byte to %u MiB is served\n", path, end,
			MODEL_MAX >> 20);
		goto out;
	}
	a.model_bytes = (uint64_t)end;
	if (!(b = malloc(sizeof(a) + (size_t)end + sealed_len)) || fread(b + sizeof(a), 1, (size_t)end, f) != (size_t)end) {
		fprintf(stderr, "cella-inferd: %s: %s\n", path, b ? "read failed" : "out of memory");
		free(b);
		b = NULL;
		goto out;
	}
	memcpy(b, &a, sizeof(a));
	if (sealed_len)
		memcpy(b + sizeof(a) + (size_t)end, sealed, sealed_len);
	*n = sizeof(a) + (size_t)end + sealed_len;
out:
	if (f)
		fclose(f);
	return b;
}

/*
 * --health-port: plain HTTP for orchestrators' probes, on the service's address. GET /healthz answers 200 while the
 * service runs; GET /readyz 200 once the model is loaded, else 503 (an encrypted model waiting for its key, or
 * stopping). Anything else: 404, or 405 for a method other than GET. One connection at a time, each bounded by 2 s.
 * It says only what the host knows: a probe, not an attested answer.
 */
struct health {
	int fd;
	pthread_t th;
};

static void health_answer(int c)
{
	char req[1024], out[256];
	size_t n = 0;
	ssize_t k;
	const char *status = "404 Not Found", *body = "no such path: /healthz or /readyz\n";
	while (n < sizeof(req) - 1 && (k = recv(c, req + n, sizeof(req) - 1 - n, 0)) > 0) {
		n += (size_t)k;
		req[n] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[n] = 0;
	if (strncmp(req, "GET ", 4) != 0) {
		status = "405 Method Not Allowed";
		body = "GET only\n";
	} else if (!strncmp(req + 4, "/healthz ", 9)) {
		status = "200 OK";
		body = "ok\n";
	} else if (!strncmp(req + 4, "/readyz ", 8)) {
		int stopping = atomic_load(&stop_now), ready = atomic_load(&model_ready);
		status = !stopping && ready ? "200 OK" : "503 Service Unavailable";
		body = stopping ? "stopping\n" : ready ? "ready\n" : "waiting for the model's key\n";
	}
	int len = snprintf(out, sizeof(out),
			   "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			   status, strlen(body), body);
	if (len > 0)
		(void)send(c, out, (size_t)len, MSG_NOSIGNAL);
}

static void *health_main(void *arg)
{
	struct health *h = arg;
	struct timeval tv = {2, 0};
	for (;;) {
		int c = accept4(h->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL; /* the listener was shut down: the service stops */
		}
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		health_answer(c);
		close(c);
	}
}

/* The health listener on ip:port (*port: the one taken), or -1 with the reason on stderr. */
static int health_listen(const char *ip, uint16_t *port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1;
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(*port);
		sl = sizeof(*a4);
	} else if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(*port);
		sl = sizeof(*a6);
	} else {
		fprintf(stderr, "cella-inferd: --listen %s: not an IPv4 or IPv6 address\n", ip);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		fprintf(stderr, "cella-inferd: --health-port %u: cannot listen: %s\n", *port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
	return fd;
}

struct worker {
	pthread_t th;
	struct cella_enclave *e;
	uint64_t listener;
	struct inferd_work_out st;
	cella_result r;
};

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static unsigned running;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct inferd_work_in in = {w->listener};
	size_t got = 0;
	w->r = cella_enclave_call(w->e, INFERD_ECALL_WORK, &in, sizeof(in), &w->st, sizeof(w->st), &got);
	if (w->r != CELLA_OK && !atomic_load(&stop_now))
		kill(getpid(), SIGTERM); /* a worker that cannot serve stops the service: main names why */
	pthread_mutex_lock(&done_lock);
	running--;
	pthread_cond_signal(&done_cond);
	pthread_mutex_unlock(&done_lock);
	return NULL;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

int main(int argc, char **argv)
{
	static const cella_ocall_fn ocalls[] = {
		[INFERD_OCALL_ACCEPT] = cella_tls_host_accept, [INFERD_OCALL_RECV] = cella_tls_host_recv,
		[INFERD_OCALL_SEND] = cella_tls_host_send,     [INFERD_OCALL_CLOSE] = cella_tls_host_close,
		[INFERD_OCALL_STOPPING] = ocall_stopping,     [INFERD_OCALL_KEEP_SEALED] = ocall_keep_sealed,
	};
	struct cella_enclave_settings set = {.size = sizeof(set), .ocall_table = ocalls, .ocall_count = 6};
	const char *ip = "127.0.0.1", *ready = NULL;
	unsigned long workers = 4, instances = 1, grace = 10;
	uint16_t port = 0, hport = 0;
	struct health health = {-1, 0};
	int want_health = 0;
	uint32_t flags = 0;
	struct inferd_load_out lo;
	struct cella_enclave *e = NULL;
	struct cella_hash mr, ms;
	struct worker *w = NULL;
	uint64_t listener = 0;
	char mrhex[65], shahex[65];
	size_t n = 0, got = 0;
	unsigned long started = 0;
	uint8_t *call, *sealed = NULL;
	size_t sealed_len = 0;
	sigset_t sigs;
	cella_result r;
	int status = 1, sig = 0;

	if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-')
		usage();
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--debug")) {
			flags |= CELLA_ENCLAVE_FLAG_DEBUG;
			continue;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "cella-inferd: %s needs a value\n", a);
			exit(2);
		}
		const char *v = argv[++i];
		if (!strcmp(a, "--listen"))
			ip = v;
		else if (!strcmp(a, "--port"))
			port = (uint16_t)number(a, v, 0, 65535);
		else if (!strcmp(a, "--workers"))
			workers = number(a, v, 1, MAX_WORKERS);
		else if (!strcmp(a, "--instances"))
			instances = number(a, v, 1, INFERD_MAX_INSTANCES);
		else if (!strcmp(a, "--grace"))
			grace = number(a, v, 0, 3600);
		else if (!strcmp(a, "--ready"))
			ready = v;
		else if (!strcmp(a, "--sealed-key"))
			sealed_path = v;
		else if (!strcmp(a, "--health-port"))
			hport = (uint16_t)number(a, v, 0, 65535), want_health = 1;
		else if (!strcmp(a, "--wait-us"))
			set.wait_yield_us = !strcmp(v, "none") ? CELLA_WAIT_NO_YIELD : (uint32_t)number(a, v, 1, 1000000);
		else {
			fprintf(stderr, "cella-inferd: unknown option %s\n", a);
			exit(2);
		}
	}
	if (sealed_path)
		sealed = read_small("--sealed-key", sealed_path, INFERD_MAX_SEALED, &sealed_len);
	call = load_input(argv[2], (uint32_t)instances, sealed, sealed_len, &n);
	free(sealed);
	if (!call)
		return 1;
	/* SIGTERM and SIGINT wait for sigwait below, on every thread */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	r = cella_enclave_create(argv[1], flags, &set, &e);
	if (r == CELLA_OK && (r = cella_enclave_identity(e, &mr, &ms)) != CELLA_OK)
		(void)cella_enclave_terminate(e);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-inferd: cannot create the enclave %s: %s%s\n", argv[1], cella_result_str(r),
			r == CELLA_ERR_NOT_SIGNED       ? " (sign it with cella-sign, or give --debug to run it unsigned)"
			: r == CELLA_ERR_DEBUG_MISMATCH ? (flags ? " (--debug given for a production image)"
								 : " (a debug image: give --debug)")
							: "");
		free(call);
		return 1;
	}
	r = cella_enclave_call(e, INFERD_ECALL_LOAD, call, n, &lo, sizeof(lo), &got);
	free(call);
	if (r == CELLA_OK && got != sizeof(lo))
		r = CELLA_ERR_MARSHAL;
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-inferd: the enclave did not load %s: %s\n", argv[2], cella_result_str(r));
		goto out;
	}
	hex(mrhex, mr.b, 32);
	hex(shahex, lo.model_sha256, 32);
	errno = 0; /* says why only when the listen's socket calls set it */
	r = cella_tls_host_listen(ip, port, &listener, &port);
	if (r != CELLA_OK) {
		fprintf(stderr, "cella-inferd: cannot listen on %s:%u: %s%s%s\n", ip, port, cella_result_str(r),
			errno ? ": " : "", errno ? strerror(errno) : "");
		goto out;
	}
	atomic_store(&model_ready, !lo.locked);
	if (want_health) {
		if ((health.fd = health_listen(ip, &hport)) < 0 ||
		    pthread_create(&health.th, NULL, health_main, &health) != 0) {
			if (health.fd >= 0)
				close(health.fd);
			health.fd = -1;
			goto out;
		}
	}
	if (!(w = calloc(workers, sizeof(*w))))
		goto out;
	running = (unsigned)workers;
	for (started = 0; started < workers; started++) {
		w[started].e = e;
		w[started].listener = listener;
		if (pthread_create(&w[started].th, NULL, worker_main, &w[started]) != 0) {
			fprintf(stderr, "cella-inferd: cannot start worker %lu\n", started + 1);
			pthread_mutex_lock(&done_lock);
			running -= (unsigned)(workers - started);
			pthread_mutex_unlock(&done_lock);
			kill(getpid(), SIGTERM);
			break;
		}
	}
	if (lo.locked)
		printf("cella-inferd: serving %s (encrypted, waiting for its key: cella-infer --provision-key; SHA-256 %s) "
		       "on %s:%u\n",
		       argv[2], shahex, ip, port);
	else
		printf("cella-inferd: serving %s (%u inputs, %u outputs, SHA-256 %s) on %s:%u\n", argv[2], lo.inputs,
		       lo.outputs, shahex, ip, port);
	printf("cella-inferd: MRENCLAVE %s, %lu workers, %lu model instance%s\n", mrhex, workers, instances,
	       instances > 1 ? "s" : "");
	if (want_health)
		printf("cella-inferd: health probes on http://%s:%u/healthz and /readyz\n", ip, hport);
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (!f || fprintf(f, "%u %s %s", port, mrhex, shahex) < 0 ||
		    (want_health && fprintf(f, " %u", hport) < 0) || fprintf(f, "\n") < 0 || fclose(f) != 0)
			fprintf(stderr, "cella-inferd: --ready %s: cannot write it\n", ready);
	}

	sigwait(&sigs, &sig);
	atomic_store(&stop_now, 1);
	printf("cella-inferd: stopping (%s): no new sessions, %lu s for open ones\n",
	       sig == SIGINT ? "SIGINT" : "SIGTERM", grace);
	fflush(stdout);
	cella_tls_host_unlisten(listener); /* a worker waiting in accept returns */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)grace;
	pthread_mutex_lock(&done_lock);
	while (running && pthread_cond_timedwait(&done_cond, &done_lock, &until) == 0)
		;
	pthread_mutex_unlock(&done_lock);
	cella_tls_host_forget(e); /* sessions past the grace: their connections closed, their calls return */
	status = started == workers ? 0 : 1;
	for (unsigned long i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		printf("cella-inferd: worker %lu: %llu sessions, %llu answered, %llu refused, %llu failed: %s\n", i + 1,
		       (unsigned long long)w[i].st.sessions, (unsigned long long)w[i].st.answered,
		       (unsigned long long)w[i].st.refused, (unsigned long long)w[i].st.failed,
		       cella_result_name(w[i].r));
		if (w[i].r != CELLA_OK) {
			fprintf(stderr, "cella-inferd: worker %lu could not serve: %s%s\n", i + 1, cella_result_str(w[i].r),
				w[i].r == CELLA_ERR_OUT_OF_TCS ? " (more --workers than the enclave has TCSs)" : "");
			status = 1;
		}
	}
	if ((r = cella_enclave_call(e, INFERD_ECALL_UNLOAD, NULL, 0, NULL, 0, &got)) != CELLA_OK) {
		fprintf(stderr, "cella-inferd: the enclave did not unload the model: %s\n", cella_result_str(r));
		status = 1;
	}
out:
	if (health.fd >= 0) { /* the probes' thread returns from accept */
		shutdown(health.fd, SHUT_RDWR);
		pthread_join(health.th, NULL);
		close(health.fd);
	}
	free(w);
	if (listener)
		cella_tls_host_unlisten(listener);
	(void)cella_enclave_terminate(e);
	cella_tls_host_forget(e);
	return status;
}
