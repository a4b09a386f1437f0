// SPDX-License-Identifier: MIT
/*
 * attested-tls host: opens a loopback listener and lets the enclave serve TLS on it through the socket ocalls of
 * libcella-attest. Prints the port and the enclave's MRENCLAVE (what clients pin), and writes them to READY_FILE.
 *   attested-tls_host ENCLAVE [--port N] [--connections N] [--ready READY_FILE]
 * Then: cella-tls-client --connect 127.0.0.1:PORT --root root-ca.pem --mrenclave HEX --allow-debug
 *       --allow-software-tee
 */
#include <cella/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attested_tls.h"
#include "sample_server.h"

/* sample_server_start gives ocalls 0 to 3 the socket handlers in this order */
_Static_assert(OCALL_ACCEPT == 0 && OCALL_RECV == 1 && OCALL_SEND == 2 && OCALL_CLOSE == 3, "socket ocall indices");

int main(int argc, char **argv)
{
	struct cella_enclave *e = NULL;
	struct serve_in in = {0, 1, 60000};
	struct sample_server_options o;
	uint32_t served = 0;
	size_t w = 0;
	cella_result r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ENCLAVE [--port N] [--connections N] [--ready FILE]\n", argv[0]);
		return 2;
	}
	sample_server_options(argc, argv, 2, &o);
	in.connections = o.connections;
	if (sample_server_start(argv[1], "enclave TLS server", &o, &e, &in.listener) != 0)
		return 1;
	r = cella_enclave_call(e, ECALL_SERVE, &in, sizeof(in), &served, sizeof(served), &w);
	printf("host: the enclave served %u session(s): %s\n", served, cella_result_name(r));
	sample_server_stop(e, in.listener);
	return r == CELLA_OK && served > 0 ? 0 : 1;
}
