/* SPDX-License-Identifier: MIT */
/* Host side of the sealing test enclaves' S_SEAL and S_UNSEAL (seal_ids.h), for the tests that only seal a text
 * in one enclave and try to open it in another. */
#ifndef CELLA_TEST_SEAL_HOST_H
#define CELLA_TEST_SEAL_HOST_H
#include <cella/host.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "seal_ids.h"

/* Seals the text (with its NUL, no AAD) under `policy` in e; the blob (malloc'd, 4 KiB) and its length. */
static inline uint8_t *seal_text(struct cella_enclave *e, uint16_t policy, const char *text, size_t *len)
{
	uint8_t in[4 + 256], *blob = malloc(4096);
	uint16_t aad_len = 0;
	size_t n = strlen(text) + 1;
	CT_ASSERT(blob && n <= sizeof(in) - 4);
	memcpy(in, &policy, 2);
	memcpy(in + 2, &aad_len, 2);
	memcpy(in + 4, text, n);
	CT_RESULT(cella_enclave_call(e, S_SEAL, in, 4 + n, blob, 4096, len), CELLA_OK);
	return blob;
}

/* Asks e to unseal blob; its result. */
static inline cella_result unseal_blob(struct cella_enclave *e, const uint8_t *blob, size_t len)
{
	uint8_t out[4096];
	size_t w = 0;
	return cella_enclave_call(e, S_UNSEAL, blob, len, out, sizeof(out), &w);
}

#endif
