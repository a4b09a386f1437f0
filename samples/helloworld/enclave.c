// SPDX-License-Identifier: MIT
/* helloworld enclave: greets through an ocall and through its own stdout. */
#include <cella/enclave.h>
#include <stdio.h>
#include <string.h>

#include "helloworld.h"

static uint32_t greetings;

static cella_result hello(const uint8_t *in, size_t in_bytes, uint8_t *out, size_t out_bytes, size_t *written)
{
	char msg[160];
	size_t n;
	cella_result r;

	/* `in` is already an enclave copy; still prove the string ends inside it before using it. */
	if (in_bytes == 0 || memchr(in, 0, in_bytes) == NULL || out_bytes < sizeof(greetings))
		return CELLA_ERR_INVALID_ARG;
	greetings++;
	n = (size_t)snprintf(msg, sizeof(msg), "Hello, %s, from inside the enclave (greeting #%u)", (const char *)in,
			     greetings);
	if (n >= sizeof(msg))
		n = sizeof(msg) - 1;
	r = cella_ocall(OCALL_HOST_PRINT, msg, n + 1, NULL, 0, &n);
	if (r != CELLA_OK)
		return r;
	printf("enclave: my stdout reaches the host too\n");
	memcpy(out, &greetings, sizeof(greetings));
	*written = sizeof(greetings);
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[ECALL_HELLO] = {hello, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
