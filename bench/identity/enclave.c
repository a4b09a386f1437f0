// SPDX-License-Identifier: MIT
/* bench/identity enclave: loops of sealing, reports and evidence, and an attested TLS server. */
#include <cella/attest.h>
#include <cella/enclave.h>
#include <cella/seal.h>
#include <cella/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_identity.h"

#define MAX_SIZE (1u << 20)
static uint8_t pt[MAX_SIZE], pt2[MAX_SIZE], blob[MAX_SIZE + 4096];

static cella_result seal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t a[2];
	size_t bl = 0;
	cella_result r = CELLA_OK;
	(void)out, (void)on, (void)w;
	if (n != 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(a, in, 8);
	if (a[0] > MAX_SIZE)
		return CELLA_ERR_INVALID_ARG;
	for (uint32_t i = 0; i < a[1] && r == CELLA_OK; i++)
		r = cella_seal(0, NULL, 0, pt, a[0], blob, sizeof(blob), &bl);
	return r;
}

static cella_result unseal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t a[2];
	size_t bl = 0, pl = 0, al = 0;
	cella_result r;
	(void)out, (void)on, (void)w;
	if (n != 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(a, in, 8);
	if (a[0] > MAX_SIZE)
		return CELLA_ERR_INVALID_ARG;
	r = cella_seal(0, NULL, 0, pt, a[0], blob, sizeof(blob), &bl);
	for (uint32_t i = 0; i < a[1] && r == CELLA_OK; i++)
		r = cella_unseal(blob, bl, pt2, sizeof(pt2), &pl, NULL, 0, &al);
	return r;
}

static cella_result report(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_report rep;
	uint32_t it;
	cella_result r = CELLA_OK;
	(void)out, (void)on, (void)w;
	if (n != 4)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&it, in, 4);
	for (uint32_t i = 0; i < it && r == CELLA_OK; i++)
		r = cella_get_report(NULL, NULL, &rep);
	return r;
}

static cella_result evidence(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint8_t rd[64] = {1};
	uint32_t it;
	cella_result r = CELLA_OK;
	if (n != 4)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&it, in, 4);
	for (uint32_t i = 0; i < it && r == CELLA_OK; i++)
		r = cella_get_evidence(rd, out, on, w);
	return r;
}

static cella_result serve(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const struct cella_tls_ocalls oc = {B_O_ACCEPT, B_O_RECV, B_O_SEND, B_O_CLOSE};
	static uint8_t cert[CELLA_ATTEST_CERT_MAX_BYTES], buf[1u << 16];
	struct cella_tls_key key;
	struct cella_tls_server *s = NULL;
	uint64_t listener;
	uint32_t conns;
	size_t cl = 0;
	cella_result r;
	(void)out, (void)on, (void)w;
	if (n != 12)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&listener, in, 8);
	memcpy(&conns, in + 8, 4);
	r = cella_tls_key_generate(&key);
	if (r == CELLA_OK)
		r = cella_attest_cert(&key, NULL, cert, sizeof(cert), &cl);
	if (r == CELLA_OK)
		r = cella_tls_server_new(&key, cert, cl, &oc, &s);
	cella_tls_key_fini(&key);
	if (r != CELLA_OK)
		return r;
	memset(buf, 'x', sizeof(buf));
	for (uint32_t c = 0; c < conns; c++) {
		char line[64];
		size_t got = 0;
		r = cella_tls_server_accept(s, listener, 30000);
		if (r == CELLA_OK)
			r = cella_tls_server_read(s, line, sizeof(line) - 1, &got);
		if (r == CELLA_OK && got > 5 && memcmp(line, "BULK ", 5) == 0) {
			unsigned long long left;
			line[got] = 0;
			left = strtoull(line + 5, NULL, 10);
			while (left > 0 && r == CELLA_OK) {
				size_t k = left < sizeof(buf) ? (size_t)left : sizeof(buf);
				r = cella_tls_server_write(s, buf, k);
				left -= k;
			}
		} else if (r == CELLA_OK && got > 0) {
			r = cella_tls_server_write(s, line, got);
		}
		/* a failed connection would skew the figures: say why, from the server's detail (it prints nothing) */
		if (r != CELLA_OK)
			fprintf(stderr, "enclave: connection %u failed (%s): %s\n", (unsigned)c, cella_result_name(r),
				cella_tls_server_detail(s));
		(void)cella_tls_server_close(s);
	}
	cella_tls_server_free(s);
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[B_SEAL] = {seal, CELLA_ECALL_PUBLIC},     [B_UNSEAL] = {unseal, CELLA_ECALL_PUBLIC},
	[B_REPORT] = {report, CELLA_ECALL_PUBLIC}, [B_EVIDENCE] = {evidence, CELLA_ECALL_PUBLIC},
	[B_SERVE] = {serve, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
