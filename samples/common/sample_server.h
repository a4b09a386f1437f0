/* SPDX-License-Identifier: MIT */
/*
 * What the hosts of the TLS-serving samples (attested-tls, confidential-inference) share: their server options and
 * how they announce the server. Header-only, so that each sample still builds on its own against an installed SDK
 * (its CMakeLists.txt adds this directory to the include path).
 */
#ifndef CELLA_SAMPLE_SERVER_H
#define CELLA_SAMPLE_SERVER_H
#include <cella/host.h>
#include <cella/tls_host.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sample_server_options {
	uint16_t port;        /* --port N: 0 (the default) for any free port */
	uint32_t connections; /* --connections N: sessions to serve (default 1) */
	const char *ready;    /* --ready FILE: where to write "PORT MRENCLAVE" once listening */
};

/* The whole of s as a decimal number in [lo, hi], or exit 2 naming the option. */
static inline unsigned long sample_number(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || v < lo || v > hi) {
		fprintf(stderr, "host: %s %s: not a number from %lu to %lu\n", opt, s, lo, hi);
		exit(2);
	}
	return v;
}

/* The options in argv[first..argc): --port, --connections, --ready, each with a value; else exit 2 naming it. */
static inline void sample_server_options(int argc, char **argv, int first, struct sample_server_options *o)
{
	o->port = 0;
	o->connections = 1;
	o->ready = NULL;
	for (int i = first; i < argc; i += 2) {
		if (i + 1 == argc) {
			fprintf(stderr, "host: %s needs a value\n", argv[i]);
			exit(2);
		}
		if (!strcmp(argv[i], "--port"))
			o->port = (uint16_t)sample_number(argv[i], argv[i + 1], 0, 65535);
		else if (!strcmp(argv[i], "--connections"))
			o->connections = (uint32_t)sample_number(argv[i], argv[i + 1], 1, 1000000);
		else if (!strcmp(argv[i], "--ready"))
			o->ready = argv[i + 1];
		else {
			fprintf(stderr, "host: unknown option %s\n", argv[i]);
			exit(2);
		}
	}
}

/* Prints "host: WHAT on 127.0.0.1:PORT, MRENCLAVE HEX" (what clients pin) and writes "PORT HEX" to ready. */
static inline void sample_announce(const char *what, uint16_t port, const struct cella_hash *mr, const char *ready)
{
	char hex[65];
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mr->b[i]);
	printf("host: %s on 127.0.0.1:%u, MRENCLAVE %s\n", what, port, hex);
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f) {
			fprintf(f, "%u %s\n", port, hex);
			fclose(f);
		}
	}
}

/*
 * Creates the debug enclave at path, its ocalls 0 to 3 libcella-attest's socket handlers (accept, recv, send,
 * close), listens on 127.0.0.1:o->port (o->port then the port taken) and announces it as what. 0, or 1 with the
 * reason on stderr (nothing left open).
 */
static inline int sample_server_start(const char *path, const char *what, struct sample_server_options *o,
				      struct cella_enclave **e, uint64_t *listener)
{
	static const cella_ocall_fn ocalls[] = {cella_tls_host_accept, cella_tls_host_recv, cella_tls_host_send,
						cella_tls_host_close};
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = 4};
	struct cella_hash mr, ms;
	cella_result r = cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG, &s, e);
	if (r == CELLA_OK && (r = cella_enclave_identity(*e, &mr, &ms)) != CELLA_OK)
		(void)cella_enclave_terminate(*e);
	if (r != CELLA_OK) {
		fprintf(stderr, "host: cannot create the enclave: %s\n", cella_result_str(r));
		return 1;
	}
	r = cella_tls_host_listen("127.0.0.1", o->port, listener, &o->port);
	if (r != CELLA_OK) {
		fprintf(stderr, "host: cannot listen: %s\n", cella_result_str(r));
		(void)cella_enclave_terminate(*e);
		return 1;
	}
	sample_announce(what, o->port, &mr, o->ready);
	return 0;
}

/* Stops listening and ends the enclave, and forgets the connections it left open (terminate does not know them). */
static inline void sample_server_stop(struct cella_enclave *e, uint64_t listener)
{
	cella_tls_host_unlisten(listener);
	(void)cella_enclave_terminate(e);
	cella_tls_host_forget(e);
}
#endif
