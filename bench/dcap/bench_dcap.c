// SPDX-License-Identifier: MIT
/* bench-dcap: DCAP quote verifications per second on one core, cold (whole chain: collateral parsed and verified
 * each time) and warm (verified collateral cached), next to @phala/dcap-qvl on the same inputs in the same run.
 * Cold and warm alike, the issuer keys (root, PCK CA, TCB signing key) have their tables (src/verify/keytab.c):
 * every signature is still checked. */
#include <cella/verify.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "parse.h"
#include "verify_internal.h"

static const char *const vectors[] = {"dcapqvl_sgx_v3", "automata_quotev3_0825_tcbv3",
				      "openenclave_attestation_plugin_2022", "dcapqvl_tdx_v4"};
#define NV (sizeof(vectors) / sizeof(vectors[0]))

static char *slurp(const char *dir, const char *name, const char *file, size_t *len)
{
	char p[1024];
	FILE *f;
	char *b;
	long n;
	snprintf(p, sizeof(p), "%s/%s/%s", dir, name, file);
	f = fopen(p, "rb");
	if (!f) {
		fprintf(stderr, "bench-dcap: cannot open %s\n", p);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static int64_t verify_time(const char *dir, const char *name)
{
	size_t n;
	char *e = slurp(dir, name, "expected.json", &n), *p = strstr(e, "\"verify_time\""), t[40];
	int64_t v = 0;
	if (!p || sscanf(p, "\"verify_time\": \"%39[^\"]\"", t) != 1 || cella_time_parse(t, &v) != CELLA_OK) {
		fprintf(stderr, "bench-dcap: %s/expected.json: no verify_time\n", name);
		exit(1);
	}
	free(e);
	return v;
}

/* One verification; cold builds and verifies the collateral from its JSON text too. */
static void once(const uint8_t *qb, size_t ql, const char *cj, size_t cl, struct cella_collateral *warm, int64_t at)
{
	struct cella_quote q;
	struct cella_collateral *c = warm;
	struct cella_verify_result res;
	cella_result r = cella_quote_parse(qb, ql, &q, NULL);
	if (r == CELLA_OK && !c)
		r = cella_collateral_new_json(cj, cl, &c, NULL);
	if (r == CELLA_OK)
		r = cella_quote_verify(&q, c, at, &res);
	if (r != CELLA_OK) {
		fprintf(stderr, "bench-dcap: verification failed: %s\n", cella_result_name(r));
		exit(1);
	}
	if (!warm)
		cella_collateral_free(c);
}

static double rate(const uint8_t *qb, size_t ql, const char *cj, size_t cl, struct cella_collateral *warm, int64_t at,
		   double secs)
{
	double t0 = bench_now_s(), t;
	long n = 0;
	do {
		for (int i = 0; i < 16; i++)
			once(qb, ql, cj, cl, warm, at);
		n += 16;
		t = bench_now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

/*
 * Warm verifications by several threads on one shared collateral (as cella-attestd's workers share one per
 * platform), each thread on its own CPU: the total per second next to one thread's figure measured the same way.
 */
struct shared_run {
	const uint8_t *qb;
	size_t ql;
	const char *cj; /* the collateral's JSON: never read on the warm path, but never NULL for once() */
	size_t cl;
	struct cella_collateral *c;
	int64_t at;
	double secs, rate;
	int cpu;
};

static void *shared_worker(void *arg)
{
	struct shared_run *w = arg;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	w->rate = rate(w->qb, w->ql, w->cj, w->cl, w->c, w->at, w->secs);
	return NULL;
}

/* The total rate of `threads` threads (at most 64), one on each of the first CPUs of `cpus`; 0 if a thread cannot
 * start. */
static double shared_rate(int threads, const cpu_set_t *cpus, const uint8_t *qb, size_t ql, const char *cj, size_t cl,
			  struct cella_collateral *c, int64_t at, double secs)
{
	struct shared_run w[64];
	pthread_t t[64];
	double total = 0;
	int started = 0, cpu = -1;
	for (int i = 0; i < threads && i < 64; i++) {
		while (++cpu < CPU_SETSIZE && !CPU_ISSET(cpu, cpus))
			;
		w[i] = (struct shared_run){qb, ql, cj, cl, c, at, secs, 0, cpu};
		if (pthread_create(&t[i], NULL, shared_worker, &w[i]) != 0)
			break;
		started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		total += w[i].rate;
	}
	return started == threads ? total : 0;
}

/*
 * The reference for the cold path, measured in the same run: OpenSSL ECDSA P-256 verifications per second (SHA-256
 * over a quote-sized message, a fresh key). A cold verification checks nine such signatures: the PCK CA and PCK
 * certificates, the TCB signing certificate, two CRLs, TCB Info, QE Identity, the QE report and the quote (the
 * vectors' roots are Intel's pinned certificates, whose self-signature is not checked again). tabled: the same
 * through an issuer key's table. 0 if OpenSSL fails.
 */
#define COLD_SIGNATURES 9
#define ISSUER_SIGNATURES 7 /* of them by the root, the PCK CA and the TCB signing key: tabled (keytab.c) */
static double ecdsa_rate(double secs, bool tabled)
{
	EVP_PKEY *k = EVP_EC_gen("P-256"), *ours = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char msg[1024], sig[80], point[65], digest[32], rs[64];
	size_t sl = sizeof(sig), pl = 0;
	double t0, t, r = 0;
	long n = 0;
	memset(msg, 0x5a, sizeof(msg));
	if (!k || !md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &sl, msg, sizeof(msg)) != 1)
		goto out;
	/* tabled: as the cold path checks an issuer's signature (the first call builds the table) */
	if (tabled && (cella_vfy_sig_der_rs(sig, sl, rs) != 0 ||
		       EVP_PKEY_get_octet_string_param(k, "encoded-pub-key", point, sizeof(point), &pl) != 1 ||
		       pl != 65 || !(ours = cella_vfy_key_from_xy(point + 1)) ||
		       cella_vfy_sha256(msg, sizeof(msg), digest) != 0 ||
		       cella_vfy_issuer_verify(point, ours, digest, rs) != 1))
		goto out;
	t0 = bench_now_s();
	do {
		for (int i = 0; i < 16; i++)
			if (tabled ? cella_vfy_sha256(msg, sizeof(msg), digest) != 0 ||
					     cella_vfy_issuer_verify(point, ours, digest, rs) != 1
				   : EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
					     EVP_DigestVerify(md, sig, sl, msg, sizeof(msg)) != 1)
				goto out;
		n += 16;
		t = bench_now_s();
	} while (t - t0 < secs);
	r = (double)n / (t - t0);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(ours);
	EVP_PKEY_free(k);
	return r;
}

int main(int argc, char **argv)
{
	const char *dir = BENCH_VECTORS_DIR, *npm = BENCH_NPM_DIR;
	double secs = 2.0, cold[NV], warm[NV], peer[NV];
	int use_peer = 1, cpu = 0, tables = 1;
	char cmd[4096], line[512];
	FILE *p;
	cpu_set_t online;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vectors") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			secs = cella_cli_double("bench-dcap", "--seconds", argv[++i], 0.01, 3600);
		else if (!strcmp(argv[i], "--npm") && i + 1 < argc)
			npm = argv[++i];
		else if (!strcmp(argv[i], "--no-peer"))
			use_peer = 0;
		else if (!strcmp(argv[i], "--no-tables"))
			tables = 0;
		else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
			cpu = (int)cella_cli_int("bench-dcap", "--cpu", argv[++i], 0, CPU_SETSIZE - 1);
		else {
			fprintf(stderr, "usage: bench-dcap [--vectors DIR] [--seconds S] [--npm DIR] [--no-peer] "
					"[--no-tables] [--cpu N]\n");
			return 64;
		}
	}
	/* one core, for us and (inherited) for the peer; the CPUs there are, for the shared-collateral figure */
	CPU_ZERO(&online);
	if (sched_getaffinity(0, sizeof(online), &online) != 0)
		CPU_ZERO(&online);
	bench_pin("bench-dcap", cpu);
	/* a long-running verifier's steady state from the start: issuer keys tabled at their first signature, not
	 * their 512th (keytab.c); --no-tables: never, for the figures without them */
	cella_vfy_keytab_after(tables ? 1 : UINT_MAX);

	double one = 0, all = 0;
	int ncpu = CPU_COUNT(&online) < 64 ? CPU_COUNT(&online) : 64;
	for (size_t v = 0; v < NV; v++) {
		size_t ql, cl;
		uint8_t *qb = (uint8_t *)slurp(dir, vectors[v], "quote.bin", &ql);
		char *cj = slurp(dir, vectors[v], "collateral.json", &cl);
		int64_t at = verify_time(dir, vectors[v]);
		struct cella_collateral *c = NULL;
		if (cella_collateral_new_json(cj, cl, &c, NULL) != CELLA_OK)
			return 1;
		once(qb, ql, cj, cl, c, at); /* fill the cache */
		cold[v] = rate(qb, ql, cj, cl, NULL, at, secs);
		warm[v] = rate(qb, ql, cj, cl, c, at, secs);
		if (v == 0 && ncpu > 1) {
			one = shared_rate(1, &online, qb, ql, cj, cl, c, at, secs);
			all = shared_rate(ncpu, &online, qb, ql, cj, cl, c, at, secs);
		}
		peer[v] = -1;
		cella_collateral_free(c);
		free(qb);
		free(cj);
	}

	if (use_peer) {
		snprintf(cmd, sizeof(cmd), "sh '%s' '%s' @phala/dcap-qvl@0.3.9 >/dev/null", BENCH_NPM_PEERS, npm);
		if (system(cmd) != 0) {
			fprintf(stderr, "bench-dcap: @phala/dcap-qvl not available (npm unreachable?); peer skipped\n");
			use_peer = 0;
		}
	}
	if (use_peer) {
		int k = snprintf(cmd, sizeof(cmd), "node '%s' '%s' '%s' %g", BENCH_PEER_SCRIPT, npm, dir, secs);
		for (size_t v = 0; v < NV; v++)
			k += snprintf(cmd + k, sizeof(cmd) - (size_t)k, " %s", vectors[v]);
		p = popen(cmd, "r");
		while (p && fgets(line, sizeof(line), p)) {
			char name[128], val[256];
			if (sscanf(line, "%127s %255s", name, val) != 2)
				continue;
			for (size_t v = 0; v < NV; v++)
				if (!strcmp(name, vectors[v]) && cella_parse_double(val, 0, 1e12, &peer[v]) != 0 &&
				    strcmp(val, "undecided") != 0)
					fprintf(stderr, "bench-dcap: the peer's figure for %s is not a number: %s\n", name, val);
		}
		if (p)
			pclose(p);
	}

	printf("DCAP quote verification, verifications/s on one core (CPU %d), %.1f s per figure, "
	       "issuer-key tables %s\n", cpu, secs, tables ? "on" : "off (--no-tables)");
	printf("%-38s %10s %10s %12s %10s %10s\n", "vector", "cella cold", "cella warm", "dcap-qvl", "cold/peer",
	       "warm/peer");
	double mincold = 1e18, minwarm = 1e18, mincr = 1e18, minpeer = 1e18;
	for (size_t v = 0; v < NV; v++) {
		char ps[32] = "undecided", cr[16] = "-", wr[16] = "-";
		if (peer[v] > 0) {
			snprintf(ps, sizeof(ps), "%.1f", peer[v]);
			snprintf(cr, sizeof(cr), "%.0fx", cold[v] / peer[v]);
			snprintf(wr, sizeof(wr), "%.0fx", warm[v] / peer[v]);
			if (cold[v] / peer[v] < mincr)
				mincr = cold[v] / peer[v];
			if (peer[v] < minpeer)
				minpeer = peer[v];
		} else if (!use_peer) {
			snprintf(ps, sizeof(ps), "n/a");
		}
		printf("%-38s %10.0f %10.0f %12s %10s %10s\n", vectors[v], cold[v], warm[v], ps, cr, wr);
		mincold = cold[v] < mincold ? cold[v] : mincold;
		minwarm = warm[v] < minwarm ? warm[v] : minwarm;
	}
	printf("targets: warm >= 2000/s per core: %s (min %.0f); >= 20x peer: %s (min cold/peer %s)\n",
	       minwarm >= 2000 ? "met" : "NOT met", minwarm,
	       mincr >= 1e17 ? "no peer figures" : mincr >= 20 ? "met" : "NOT met",
	       mincr >= 1e17 ? "-" : (snprintf(line, sizeof(line), "%.0fx", mincr), line));
	if (one > 0 && all > 0)
		printf("shared collateral, warm, %s: 1 thread %.0f/s, %d threads %.0f/s (%.2fx; %d would be linear)\n",
		       vectors[0], one, ncpu, all, all / one, ncpu);
	{
		double ecdsa = ecdsa_rate(secs, false), tabled, floor = 0;
		cella_vfy_keytab_after(1); /* the reference has its table, --no-tables or not */
		tabled = ecdsa_rate(secs, true);
		if (ecdsa > 0 && tabled > 0) {
			floor = 1.0 / (ISSUER_SIGNATURES / tabled + (COLD_SIGNATURES - ISSUER_SIGNATURES) / ecdsa);
			printf("reference: OpenSSL ECDSA P-256 verify %.0f/s (%.1f us), %.0f/s (%.1f us) with the key's "
			       "table; a cold verification checks %d signatures, %d by issuer keys, so no cold path here "
			       "exceeds %.0f/s (%.0f/s untabled; cella cold min %.0f/s = %.0f%% of that)\n",
			       ecdsa, 1e6 / ecdsa, tabled, 1e6 / tabled, COLD_SIGNATURES, ISSUER_SIGNATURES, floor,
			       ecdsa / COLD_SIGNATURES, mincold, 100.0 * mincold / floor);
		}
		if (floor > 0 && minpeer < 1e17)
			printf("reference: that ceiling is at most %.0fx the peer's figures in this run (slowest %.1f/s)\n",
			       floor / minpeer, minpeer);
	}
	return 0;
}
