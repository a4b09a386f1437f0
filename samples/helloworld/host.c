// SPDX-License-Identifier: MIT
/* helloworld host: creates the enclave, calls it, prints what it sends back. */
#include <cella/host.h>
#include <stdio.h>
#include <string.h>

#include "helloworld.h"

static cella_result host_print(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
			       size_t out_bytes, size_t *written)
{
	char text[256];
	(void)e, (void)out, (void)out_bytes;
	/* `in` is window memory the enclave can still change: copy, then check. */
	if (in_bytes == 0 || in_bytes > sizeof(text))
		return CELLA_ERR_INVALID_ARG;
	memcpy(text, in, in_bytes);
	if (text[in_bytes - 1] != 0)
		return CELLA_ERR_BAD_STRING;
	printf("host: %s\n", text);
	fflush(stdout);
	*written = 0;
	return CELLA_OK;
}

int main(int argc, char **argv)
{
	static const cella_ocall_fn ocalls[] = {[OCALL_HOST_PRINT] = host_print};
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = 1};
	struct cella_enclave *e = NULL;
	const char *name = argc > 2 ? argv[2] : "world";
	uint32_t count = 0;
	size_t written = 0;
	cella_result r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ENCLAVE_IMAGE [NAME]\n", argv[0]);
		return 2;
	}
	r = cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e);
	if (r != CELLA_OK) {
		fprintf(stderr, "cannot create the enclave: %s\n", cella_result_str(r));
		return 1;
	}
	r = cella_enclave_call(e, ECALL_HELLO, name, strlen(name) + 1, &count, sizeof(count), &written);
	if (r != CELLA_OK || written != sizeof(count)) {
		fprintf(stderr, "ecall failed: %s\n", cella_result_str(r));
		(void)cella_enclave_terminate(e);
		return 1;
	}
	printf("host: the enclave has greeted %u time(s)\n", count);
	r = cella_enclave_terminate(e);
	return r == CELLA_OK ? 0 : 1;
}
