// SPDX-License-Identifier: MIT
/* helloworld host: creates the enclave, calls it, prints what it sends back. */
#include <stdio.h>

#include "helloworld_u.h"

/* see helloworld.edl; `text` is a private copy, proven NUL-terminated by the generated stub */
void host_print(const char *text)
{
	printf("host: %s\n", text);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct cella_enclave_settings s = {.size = sizeof(s)};
	struct cella_enclave *e = NULL;
	const char *name = argc > 2 ? argv[2] : "world";
	uint32_t count = 0;
	cella_result r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ENCLAVE_IMAGE [NAME]\n", argv[0]);
		return 2;
	}
	helloworld_set_ocalls(&s);
	r = cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e);
	if (r != CELLA_OK) {
		fprintf(stderr, "cannot create the enclave: %s\n", cella_result_str(r));
		return 1;
	}
	r = hello(e, &count, name);
	if (r != CELLA_OK || count == 0) {
		fprintf(stderr, "ecall failed: %s\n", cella_result_str(r));
		(void)cella_enclave_terminate(e);
		return 1;
	}
	printf("host: the enclave has greeted %u time(s)\n", count);
	r = cella_enclave_terminate(e);
	return r == CELLA_OK ? 0 : 1;
}
