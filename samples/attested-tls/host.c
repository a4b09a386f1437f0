// SPDX-License-Identifier: MIT
/*
 * attested-tls host: opens a loopback listener and lets the enclave serve TLS on it through the socket ocalls of
 * libcella-attest. Prints the port and the enclave's MRENCLAVE (what clients pin), and writes them to READY_FILE.
 *   attested-tls_host ENCLAVE [--port N] [--connections N] [--ready READY_FILE]
 * Then: cella-tls-client --connect 127.0.0.1:PORT --root root-ca.pem --mrenclave HEX --allow-debug
 *       --allow-software-tee
 */
#include <cella/host.h>
#include <cella/tls_host.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attested_tls.h"

/* The whole of s as a decimal number in [lo, hi], or exit 2 naming the option. */
static unsigned long number(const char *opt, const char *s, unsigned long lo, unsigned long hi)
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

int main(int argc, char **argv)
{
	static const cella_ocall_fn ocalls[] = {[OCALL_ACCEPT] = cella_tls_host_accept, [OCALL_RECV] = cella_tls_host_recv,
						[OCALL_SEND] = cella_tls_host_send, [OCALL_CLOSE] = cella_tls_host_close};
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = 4};
	struct cella_enclave *e = NULL;
	struct cella_hash mr, ms;
	struct serve_in in = {0, 1, 60000};
	const char *ready = NULL;
	uint16_t port = 0;
	uint32_t served = 0;
	size_t w = 0;
	cella_result r;
	char hex[65];

	if (argc < 2) {
		fprintf(stderr, "usage: %s ENCLAVE [--port N] [--connections N] [--ready FILE]\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 == argc) {
			fprintf(stderr, "host: %s needs a value\n", argv[i]);
			return 2;
		}
		if (!strcmp(argv[i], "--port"))
			port = (uint16_t)number(argv[i], argv[i + 1], 0, 65535);
		else if (!strcmp(argv[i], "--connections"))
			in.connections = (uint32_t)number(argv[i], argv[i + 1], 1, 1000000);
		else if (!strcmp(argv[i], "--ready"))
			ready = argv[i + 1];
		else {
			fprintf(stderr, "host: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	r = cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e);
	if (r != CELLA_OK || cella_enclave_identity(e, &mr, &ms) != CELLA_OK) {
		fprintf(stderr, "host: cannot create the enclave: %s\n", cella_result_str(r));
		return 1;
	}
	r = cella_tls_host_listen("127.0.0.1", port, &in.listener, &port);
	if (r != CELLA_OK) {
		fprintf(stderr, "host: cannot listen: %s\n", cella_result_str(r));
		(void)cella_enclave_terminate(e);
		return 1;
	}
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mr.b[i]);
	printf("host: enclave TLS server on 127.0.0.1:%u, MRENCLAVE %s\n", port, hex);
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f) {
			fprintf(f, "%u %s\n", port, hex);
			fclose(f);
		}
	}
	r = cella_enclave_call(e, ECALL_SERVE, &in, sizeof(in), &served, sizeof(served), &w);
	printf("host: the enclave served %u session(s): %s\n", served, cella_result_name(r));
	cella_tls_host_unlisten(in.listener);
	(void)cella_enclave_terminate(e);
	cella_tls_host_forget(e); /* connections the enclave left open: terminate does not know them */
	return r == CELLA_OK && served > 0 ? 0 : 1;
}
