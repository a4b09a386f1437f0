// SPDX-License-Identifier: MIT
/*
 * Verification from several threads at once (run under ThreadSanitizer by `make check`): each thread verifies every
 * vector cold (its own collateral) and warm (one collateral shared by all threads, its cache filled by whichever
 * thread comes first), inside and outside the validity window, under Intel's root and under another root, and with
 * more spellings of the quote's PCK chain (one line ended by CRLF) than the collateral caches chains, so that
 * threads replace the prepared collateral and the cached chains that others are verifying with, and build the
 * issuer keys' tables while others verify. Every verdict must be the one a single thread gets.
 */
#include "cella_test.h"
#include "testutil.h"
#include "verify_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 6
#define MAX_VECTORS 8
#define SPELLINGS 40 /* > VFY_PCK_CACHE_SLOTS */

static struct tv vec[MAX_VECTORS];
static struct cella_quote quote[MAX_VECTORS];
static struct cella_collateral *shared[MAX_VECTORS];
static char *spelling[MAX_VECTORS][SPELLINGS];
static size_t nvec;
static struct cella_trust *other_root;
static int failures;

static void fail(size_t v, const char *what, cella_result r, const struct cella_verify_result *res)
{
	fprintf(stderr, "%s: %s: %s (%s)\n", vec[v].dir, what, cella_result_name(r), res->detail.text);
	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

/* The PCK chain of quote q with its line'th line ended by CRLF (the same certificates; another text). */
static char *respell(const struct cella_quote *q, size_t line)
{
	char *s = malloc(q->pck_chain_len + 1);
	size_t n = 0, lines = 0;
	CT_ASSERT(s != NULL);
	for (size_t i = 0; i < q->pck_chain_len; i++) {
		if (q->pck_chain[i] == '\n' && lines++ == line)
			s[n++] = '\r';
		s[n++] = q->pck_chain[i];
	}
	CT_ASSERT(lines > line);
	return s;
}

/* The expected verdict at verify_time (also for quote q), and for quote[v] CELLA_ERR_EXPIRED after the window and
 * CELLA_ERR_UNTRUSTED_ROOT under another root. */
static void check(size_t v, struct cella_collateral *c, int round, const struct cella_quote *q)
{
	const struct tv *t = &vec[v];
	struct cella_verify_result res;
	cella_result r = CELLA_OK;
	for (int k = 0; k < 2; k++) {
		r = cella_quote_verify(k ? q : &quote[v], c, t->verify_time, &res);
		if (r != CELLA_OK || res.status != t->status || res.advisory_count != t->advisory_count ||
		    res.valid_until != t->until)
			fail(v, k ? "verdict at verify_time, PCK chain respelt" : "verdict at verify_time", r, &res);
		for (size_t i = 0; r == CELLA_OK && i < t->advisory_count && i < res.advisory_count; i++)
			if (strcmp(res.advisory_ids[i], t->advisories[i]) != 0)
				fail(v, "advisory", r, &res);
	}
	if ((r = cella_quote_verify(&quote[v], c, t->until + 1 + round, &res)) != CELLA_ERR_EXPIRED)
		fail(v, "after the window", r, &res);
	if ((r = cella_quote_verify_trust(other_root, &quote[v], c, t->verify_time, &res)) != CELLA_ERR_UNTRUSTED_ROOT)
		fail(v, "under another root", r, &res);
}

static void *worker(void *arg)
{
	size_t id = (size_t)arg;
	for (int round = 0; round < ROUNDS; round++) {
		for (size_t k = 0; k < nvec; k++) {
			size_t v = (k + id) % nvec; /* threads start on different vectors */
			struct cella_quote respelt = quote[v];
			respelt.pck_chain_len++; /* the CR */
			struct cella_collateral *own = NULL;
			struct cella_detail d;
			cella_result r = cella_collateral_new_json(vec[v].collateral, vec[v].collateral_len, &own, &d);
			if (r != CELLA_OK) {
				fprintf(stderr, "%s: collateral: %s: %s\n", vec[v].dir, cella_result_name(r), d.text);
				__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
				continue;
			}
			respelt.pck_chain = spelling[v][(id * ROUNDS + (size_t)round) % SPELLINGS];
			check(v, own, round, &respelt);
			cella_collateral_free(own);
			for (size_t i = 0; i < SPELLINGS / THREADS; i++) {
				respelt.pck_chain = spelling[v][(id * SPELLINGS / THREADS + i + (size_t)round) % SPELLINGS];
				check(v, shared[v], round, &respelt);
			}
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	pthread_t th[THREADS];
	uint8_t *pem;
	size_t pem_len;

	CT_ASSERT(argc > 2 && argc - 2 <= MAX_VECTORS);
	for (int i = 2; i < argc; i++, nvec++) {
		tv_load(root, argv[i], &vec[nvec]);
		CT_RESULT(cella_quote_parse(vec[nvec].quote, vec[nvec].quote_len, &quote[nvec], NULL), CELLA_OK);
		CT_RESULT(cella_collateral_new_json(vec[nvec].collateral, vec[nvec].collateral_len, &shared[nvec], NULL),
			  CELLA_OK);
		for (size_t j = 0; j < SPELLINGS; j++)
			spelling[nvec][j] = respell(&quote[nvec], j);
	}
	pem = tv_read(root, "intel_qvl_synthetic/trustedRootCaCert.pem", &pem_len);
	CT_RESULT(cella_trust_new_cert(pem, pem_len, &other_root, NULL), CELLA_OK);
	free(pem);

	/* issuer-key tables built by whichever thread reaches a key's 8th signature, while the others verify */
	cella_vfy_keytab_after(8);
	for (size_t i = 0; i < THREADS; i++)
		CT_EQ(pthread_create(&th[i], NULL, worker, (void *)i), 0);
	for (size_t i = 0; i < THREADS; i++)
		CT_EQ(pthread_join(th[i], NULL), 0);
	CT_EQ(failures, 0);
	CT_ASSERT(cella_vfy_keytab_built() >= 3); /* Intel's root, a PCK CA, the TCB signing key */
	cella_test_pass("verdicts from several threads, cold and on shared collateral (its prepared state and cached PCK "
			"chains replaced while in use), match the expected ones");

	for (size_t v = 0; v < nvec; v++) {
		cella_collateral_free(shared[v]);
		for (size_t j = 0; j < SPELLINGS; j++)
			free(spelling[v][j]);
		tv_free(&vec[v]);
	}
	cella_trust_free(other_root);
	return 0;
}
