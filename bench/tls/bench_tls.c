// SPDX-License-Identifier: MIT
/*
 * bench-tls: in-memory TLS 1.3 handshakes per second on one core, both ends in this process (a BIO pair), against
 * a server whose certificate carries a real DCAP quote (dcapqvl_sgx_v3):
 *   configured  the client context configured with the vector's collateral as endorsements: kept parsed by the
 *               context, verified warm after the first handshake;
 *   per-handshake  the same context, the verifier given a copy of those bytes: parsed and verified cold each time;
 *   unverified  the reference: the same handshake with a callback that refuses the certificate unread.
 * The quote verifies and each attested handshake is refused by the key binding (the vector's report data is not
 * this certificate's key's hash: CELLA_ERR_REPORT_DATA, checked), so every mode does the same TLS work, up to the
 * client's certificate check and its alert, and the attested figures less the reference's are the verification.
 * Samples alternate the modes; medians are printed.
 */
#include <cella/tls_host.h>
#include <cella/verify.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "parse.h"
#include "testutil.h"
#include "tls_peer.h"

#define MAX_SAMPLES 64

enum { CONFIGURED, PER_HANDSHAKE, UNVERIFIED, MODES };
static const char *const mode_name[MODES] = {"configured", "per-handshake", "unverified"};

static int refuse(X509_STORE_CTX *ctx, void *arg)
{
	(void)arg;
	X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
	return 0;
}

/* Handshakes per second for `secs`, each one refused with the outcome expected (checked). */
static double rate(SSL_CTX *cctx, SSL_CTX *sctx, cella_result expect, double secs)
{
	double t0 = bench_now_s(), t;
	long n = 0;
	do {
		for (int i = 0; i < 8; i++) {
			cella_result got;
			int ok = tls_peer_handshake(cctx, sctx, &got, NULL);
			if (got != expect || ok) {
				fprintf(stderr, "bench-tls: a handshake gave %s, connected %d\n", cella_result_name(got), ok);
				exit(1);
			}
		}
		n += 8;
		t = bench_now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

int main(int argc, char **argv)
{
	const char *dir = BENCH_VECTORS_DIR;
	double secs = 1.0, r[MODES][MAX_SAMPLES], med[MODES];
	int samples = 5, cpu = 0;
	struct tv t;
	struct cella_tls_openssl_verifier v;
	X509 *x;
	EVP_PKEY *key = NULL;
	SSL_CTX *sctx, *att, *unv;
	char *copy;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vectors") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			secs = cella_cli_double("bench-tls", "--seconds", argv[++i], 0.01, 600);
		else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
			samples = (int)cella_cli_int("bench-tls", "--samples", argv[++i], 1, MAX_SAMPLES);
		else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
			cpu = (int)cella_cli_int("bench-tls", "--cpu", argv[++i], 0, CPU_SETSIZE - 1);
		else {
			fprintf(stderr, "usage: bench-tls [--vectors DIR] [--seconds S] [--samples N] [--cpu N]\n");
			return 64;
		}
	}
	bench_pin("bench-tls", cpu);

	tv_load(dir, "dcapqvl_sgx_v3", &t);
	x = tls_peer_cert(t.quote, t.quote_len, &key);
	sctx = tls_peer_server_ctx(x, key);
	att = SSL_CTX_new(TLS_client_method());
	unv = SSL_CTX_new(TLS_client_method());
	copy = malloc(t.collateral_len);
	if (!att || !unv || !copy)
		return 1;
	memcpy(copy, t.collateral, t.collateral_len);
	memset(&v, 0, sizeof(v));
	v.policy.time = t.verify_time;
	v.policy.allow_debug = true;
	v.policy.any_identity = true;
	v.policy.allowed_tcb = 0x7fu; /* every SGX TCB status */
	v.endorsements = (const uint8_t *)t.collateral;
	v.endorsements_len = t.collateral_len;
	if (cella_tls_openssl_configure(att, &v) != CELLA_OK) {
		fprintf(stderr, "bench-tls: configure failed\n");
		return 1;
	}
	SSL_CTX_set_verify(unv, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(unv, refuse, NULL);

	for (int s = 0; s < samples; s++)
		for (int m = 0; m < MODES; m++) {
			v.endorsements = (const uint8_t *)(m == PER_HANDSHAKE ? copy : t.collateral);
			r[m][s] = rate(m == UNVERIFIED ? unv : att, sctx,
				       m == UNVERIFIED ? CELLA_ERR_NOT_FOUND : CELLA_ERR_REPORT_DATA, secs);
		}
	printf("attested TLS handshakes (client and server in one process, CPU %d), %d samples of %.1f s, medians\n", cpu,
	       samples, secs);
	for (int m = 0; m < MODES; m++) {
		med[m] = bench_median(r[m], (size_t)samples);
		printf("  %-14s %8.0f handshakes/s  %8.1f us\n", mode_name[m], med[m], 1e6 / med[m]);
	}
	printf("configured / per-handshake: %.2fx the rate; the verification (less the unverified handshake): %.0f us "
	       "configured, %.0f us per-handshake (%.1fx)\n",
	       med[CONFIGURED] / med[PER_HANDSHAKE], 1e6 / med[CONFIGURED] - 1e6 / med[UNVERIFIED],
	       1e6 / med[PER_HANDSHAKE] - 1e6 / med[UNVERIFIED],
	       (1e6 / med[PER_HANDSHAKE] - 1e6 / med[UNVERIFIED]) / (1e6 / med[CONFIGURED] - 1e6 / med[UNVERIFIED]));
	SSL_CTX_free(att);
	SSL_CTX_free(unv);
	SSL_CTX_free(sctx);
	X509_free(x);
	EVP_PKEY_free(key);
	free(copy);
	tv_free(&t);
	return 0;
}
