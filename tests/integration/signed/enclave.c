// SPDX-License-Identifier: MIT
/* A production-style enclave (no DEBUG) signed at build time with cella_add_enclave(... SIGN KEY ...). */
#include <cella/attest.h>
#include <cella/enclave.h>
#include <string.h>

static cella_result whoami(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_report r;
	cella_result res;
	(void)in, (void)n;
	if (on < sizeof(r.body))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	res = cella_get_report(NULL, NULL, &r);
	if (res != CELLA_OK)
		return res;
	memcpy(out, &r.body, sizeof(r.body));
	*w = sizeof(r.body);
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {{whoami, CELLA_ECALL_PUBLIC}};
const uint32_t cella_ecall_count = 1;
