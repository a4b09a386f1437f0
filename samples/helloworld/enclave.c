// SPDX-License-Identifier: MIT
/* helloworld enclave: greets through an ocall and through its own stdout. */
#include <stdio.h>

#include "helloworld_t.h"

static uint32_t greetings;

/* see helloworld.edl; the generated stub has already copied `name` in and proven it NUL-terminated */
uint32_t hello(const char *name)
{
	char msg[160];

	greetings++;
	snprintf(msg, sizeof(msg), "Hello, %s, from inside the enclave (greeting #%u)", name, greetings);
	if (host_print(msg) != CELLA_OK)
		return 0;
	printf("enclave: my stdout reaches the host too\n");
	return greetings;
}
