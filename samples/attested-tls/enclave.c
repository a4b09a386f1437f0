// SPDX-License-Identifier: MIT
/*
 * attested-tls enclave: makes a P-256 key and a self-signed certificate carrying its evidence, then serves TLS 1.2
 * itself; the host only moves encrypted records between the socket and the enclave (ocalls).
 */
#include <cella/enclave.h>
#include <cella/tls.h>
#include <stdio.h>
#include <string.h>

#include "attested_tls.h"

static cella_result serve(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const struct cella_tls_ocalls oc = {OCALL_ACCEPT, OCALL_RECV, OCALL_SEND, OCALL_CLOSE};
	static uint8_t cert[CELLA_ATTEST_CERT_MAX_BYTES];
	struct cella_tls_key key;
	struct cella_tls_server *s = NULL;
	struct serve_in a;
	size_t cl = 0;
	uint32_t served = 0;
	cella_result r;

	if (n != sizeof(a) || on < 4)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&a, in, sizeof(a));
	r = cella_tls_key_generate(&key);
	if (r == CELLA_OK)
		r = cella_attest_cert(&key, "attested-tls sample", cert, sizeof(cert), &cl);
	if (r == CELLA_OK)
		r = cella_tls_server_new(&key, cert, cl, &oc, &s);
	cella_tls_key_fini(&key); /* the server keeps its own copy */
	if (r != CELLA_OK)
		return r;
	printf("enclave: TLS key and attested certificate ready (%zu bytes)\n", cl);
	for (uint32_t i = 0; i < a.connections; i++) {
		char line[512], reply[600];
		size_t got = 0;
		int len;
		/* the server prints nothing itself: its detail says why a call failed, for the application to log */
		r = cella_tls_server_accept(s, a.listener, a.timeout_ms);
		if (r != CELLA_OK) {
			printf("enclave: accept failed (%s): %s\n", cella_result_name(r), cella_tls_server_detail(s));
			continue;
		}
		r = cella_tls_server_read(s, line, sizeof(line) - 1, &got);
		if (r == CELLA_OK && got > 0) {
			line[got] = 0;
			line[strcspn(line, "\r\n")] = 0;
			len = snprintf(reply, sizeof(reply), "enclave: you said \"%s\" over attested TLS\n", line);
			r = cella_tls_server_write(s, reply, (size_t)len);
			if (r == CELLA_OK)
				served++;
		}
		if (r != CELLA_OK)
			printf("enclave: session failed (%s): %s\n", cella_result_name(r), cella_tls_server_detail(s));
		(void)cella_tls_server_close(s);
	}
	cella_tls_server_free(s);
	memcpy(out, &served, 4);
	*w = 4;
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[ECALL_SERVE] = {serve, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
