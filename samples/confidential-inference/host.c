// SPDX-License-Identifier: MIT
/*
 * confidential-inference host: reads an ONNX model, opens a loopback listener and lets the enclave load the model
 * and serve inference over attested TLS on it. The host moves only encrypted records. Prints the port and the
 * enclave's MRENCLAVE (what clients pin), and writes them to READY_FILE.
 *   confidential-inference_host ENCLAVE MODEL.onnx [--port N] [--connections N] [--ready READY_FILE]
 * Then: confidential-inference_client --connect 127.0.0.1:PORT --root root-ca.pem --mrenclave HEX
 *       --model MODEL.onnx --input TENSOR.pb --allow-debug --allow-software-tee
 */
#include <cella/host.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inference.h"
#include "sample_server.h"

/* sample_server_start gives ocalls 0 to 3 the socket handlers in this order */
_Static_assert(OCALL_ACCEPT == 0 && OCALL_RECV == 1 && OCALL_SEND == 2 && OCALL_CLOSE == 3, "socket ocall indices");

#define MODEL_MAX (64u << 20) /* the enclave's heap (HEAP_PAGES in CMakeLists.txt) holds the model twice */

/* struct serve_in followed by the model file's bytes, or NULL with the reason on stderr. */
static uint8_t *call_input(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t len = 0;
	long end;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "host: %s: %s\n", path, strerror(errno));
		goto out;
	}
	len = (size_t)end;
	if (len == 0 || len > MODEL_MAX) {
		fprintf(stderr, "host: %s: %zu bytes; a model of 1 byte to %u MiB is served\n", path, len, MODEL_MAX >> 20);
		goto out;
	}
	b = malloc(sizeof(struct serve_in) + len);
	if (!b || fread(b + sizeof(struct serve_in), 1, len, f) != len) {
		fprintf(stderr, "host: %s: %s\n", path, b ? "read failed" : "out of memory");
		free(b);
		b = NULL;
		goto out;
	}
	*n = sizeof(struct serve_in) + len;
out:
	if (f)
		fclose(f);
	return b;
}

int main(int argc, char **argv)
{
	struct cella_enclave *e = NULL;
	struct serve_in in = {0, 1, 60000, 0};
	struct sample_server_options o;
	uint32_t served = 0;
	size_t w = 0, n = 0;
	uint8_t *call;
	cella_result r;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ENCLAVE MODEL.onnx [--port N] [--connections N] [--ready FILE]\n", argv[0]);
		return 2;
	}
	sample_server_options(argc, argv, 3, &o);
	in.connections = o.connections;
	if (!(call = call_input(argv[2], &n)))
		return 1;
	in.model_bytes = n - sizeof(in);
	if (sample_server_start(argv[1], "enclave inference server", &o, &e, &in.listener) != 0) {
		free(call);
		return 1;
	}
	memcpy(call, &in, sizeof(in));
	r = cella_enclave_call(e, ECALL_SERVE, call, n, &served, sizeof(served), &w);
	free(call);
	printf("host: the enclave answered %u request(s): %s\n", served, cella_result_name(r));
	sample_server_stop(e, in.listener);
	return r == CELLA_OK && served > 0 ? 0 : 1;
}
