// SPDX-License-Identifier: MIT
/*
 * cella_verify_evidence on Intel quotes (the host library: OpenSSL with libcella-verify), with the real SGX DCAP
 * vectors and their collateral as endorsements, at each vector's verify_time. The TCB status each vector must get is
 * expected.json's, turned into Open Enclave's numbering by this test's own table. For each vector: the default policy
 * refuses it (every vector's status is one of the non-UpToDate ones) yet reports its status; allowing exactly that
 * status accepts it with that status and the collateral's validity in the claims; allowing every other status still
 * refuses; the same quote in OE's envelope gets the same verdict; other or altered endorsements, none at all, a time
 * outside the collateral's validity, a TDX quote, and a quote and collateral valid under a root other than Intel's
 * are refused, each with its error.
 * The OpenSSL TLS callback, given collateral or told where to fetch it, on a certificate carrying a vector's quote.
 *   evidence_dcap_test [--pccs URL CACHE_DIR] VECTORS_DIR SGX_VECTOR...
 */
#include "cella_test.h"
#include "testutil.h"
#include "tls_peer.h"
#include "verify_internal.h" /* the collateral's documents */

#include <cella/evidence.h>
#include <cella/tls_host.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* expected.json's status names in Open Enclave's numbering (oe_sgx_tcb_status_t) */
static const struct {
	const char *name;
	uint32_t oe;
} oe_statuses[] = {
	{"UpToDate", 0},
	{"OutOfDate", 1},
	{"Revoked", 2},
	{"ConfigurationNeeded", 3},
	{"OutOfDateConfigurationNeeded", 4},
	{"SWHardeningNeeded", 5},
	{"ConfigurationAndSWHardeningNeeded", 6},
};
#define ALL_SGX_STATUSES 0x7fu /* bits 0..6 */

static uint32_t oe_status(const char *name)
{
	for (size_t i = 0; i < sizeof(oe_statuses) / sizeof(oe_statuses[0]); i++)
		if (strcmp(oe_statuses[i].name, name) == 0)
			return oe_statuses[i].oe;
	cella_test_fail(__FILE__, __LINE__, "expected.json status \"%s\" not in the test's table", name);
}

static cella_result verify(const uint8_t *ev, size_t len, const char *endorsements, size_t elen, int64_t at,
			   uint32_t allowed, struct cella_claims *claims)
{
	struct cella_evidence_policy p;
	memset(&p, 0, sizeof(p));
	p.time = at;
	p.allow_debug = true;
	p.any_identity = true;
	p.allowed_tcb = allowed;
	memset(claims, 0xa5, sizeof(*claims));
	return cella_verify_evidence(ev, len, (const uint8_t *)endorsements, elen, &p, claims);
}

/* The claims of a genuine quote with the vector's status. */
static void expect_claims(const struct tv *t, const struct cella_claims *c, uint32_t status, const uint8_t *uuid)
{
	static const uint8_t raw_uuid[16] = CELLA_FORMAT_UUID_RAW_SGX_QUOTE_ECDSA;
	if (c->tcb_status != status)
		cella_test_fail(__FILE__, __LINE__, "%s: claims tcb_status %u, expected %u (%s)", t->dir, c->tcb_status,
				status, t->status_name);
	CT_EQ(c->validity_from, t->from);
	CT_EQ(c->validity_until, t->until);
	CT_EQ_MEM(c->unique_id, t->quote + 48 + 64, 32);   /* MRENCLAVE */
	CT_EQ_MEM(c->signer_id, t->quote + 48 + 128, 32);  /* MRSIGNER */
	CT_EQ_MEM(c->sgx_report_data, t->quote + 48 + 320, 64);
	CT_EQ_MEM(c->format_uuid, uuid ? uuid : raw_uuid, 16);
	CT_EQ(c->software_tee, 0);
}

static void one_vector(const char *root, const char *name, const char *other_name)
{
	static const uint8_t raw_uuid[16] = CELLA_FORMAT_UUID_RAW_SGX_QUOTE_ECDSA;
	struct tv t, other;
	struct cella_claims c;
	uint32_t s;
	uint8_t *env;
	char *bad;
	cella_result r;

	tv_load(root, name, &t);
	tv_load(root, other_name, &other);
	s = oe_status(t.status_name);
	CT_ASSERT(s != 0); /* the cases below assume a status the default policy refuses */

	/* the default policy: UpToDate only; the evidence is genuine, so the claims say why it was refused */
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.verify_time, 0, &c), CELLA_ERR_POLICY);
	expect_claims(&t, &c, s, NULL);
	/* exactly this status allowed */
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.verify_time, CELLA_EVIDENCE_TCB_BIT(s),
			 &c),
		  CELLA_OK);
	expect_claims(&t, &c, s, NULL);
	/* every other status allowed, one at a time and all together */
	for (uint32_t o = 0; o <= 6; o++) {
		if (o == s)
			continue;
		r = verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.verify_time, CELLA_EVIDENCE_TCB_BIT(o),
			   &c);
		if (r != CELLA_ERR_POLICY)
			cella_test_fail(__FILE__, __LINE__, "%s (%s) with only status %u allowed: %s", name, t.status_name, o,
					cella_result_name(r));
	}
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.verify_time,
			 ALL_SGX_STATUSES & ~CELLA_EVIDENCE_TCB_BIT(s), &c),
		  CELLA_ERR_POLICY);
	expect_claims(&t, &c, s, NULL);

	/* the same quote in OE's envelope (format RAW_SGX_QUOTE_ECDSA): the same verdicts */
	env = malloc(CELLA_EVIDENCE_HEADER_BYTES + t.quote_len);
	CT_ASSERT(env);
	memset(env, 0, CELLA_EVIDENCE_HEADER_BYTES);
	env[0] = CELLA_EVIDENCE_HEADER_VERSION;
	memcpy(env + 4, raw_uuid, 16);
	for (int i = 0; i < 8; i++)
		env[20 + i] = (uint8_t)((uint64_t)t.quote_len >> (8 * i));
	memcpy(env + CELLA_EVIDENCE_HEADER_BYTES, t.quote, t.quote_len);
	CT_RESULT(verify(env, CELLA_EVIDENCE_HEADER_BYTES + t.quote_len, t.collateral, t.collateral_len, t.verify_time, 0,
			 &c),
		  CELLA_ERR_POLICY);
	CT_RESULT(verify(env, CELLA_EVIDENCE_HEADER_BYTES + t.quote_len, t.collateral, t.collateral_len, t.verify_time,
			 CELLA_EVIDENCE_TCB_BIT(s), &c),
		  CELLA_OK);
	expect_claims(&t, &c, s, raw_uuid);
	free(env);

	/* time: the collateral's validity, both ends included, and not a second beyond */
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.from, CELLA_EVIDENCE_TCB_BIT(s), &c),
		  CELLA_OK);
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.until, CELLA_EVIDENCE_TCB_BIT(s), &c),
		  CELLA_OK);
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.from - 1, ALL_SGX_STATUSES, &c),
		  CELLA_ERR_EXPIRED);
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.until + 1, ALL_SGX_STATUSES, &c),
		  CELLA_ERR_EXPIRED);

	/* endorsements: none; another vector's (another platform), at either vector's time; this vector's with the
	 * signed TCB Info's PCE-ID changed */
	CT_RESULT(verify(t.quote, t.quote_len, NULL, 0, t.verify_time, ALL_SGX_STATUSES, &c), CELLA_ERR_COLLATERAL);
	r = verify(t.quote, t.quote_len, other.collateral, other.collateral_len, t.verify_time, ALL_SGX_STATUSES, &c);
	if (r == CELLA_OK || r == CELLA_ERR_POLICY)
		cella_test_fail(__FILE__, __LINE__, "%s with %s's collateral: %s", name, other_name, cella_result_name(r));
	r = verify(t.quote, t.quote_len, other.collateral, other.collateral_len, other.verify_time, ALL_SGX_STATUSES, &c);
	if (r == CELLA_OK || r == CELLA_ERR_POLICY)
		cella_test_fail(__FILE__, __LINE__, "%s with %s's collateral at its time: %s", name, other_name,
				cella_result_name(r));
	bad = tv_replace_after(t.collateral, "\"tcb_info\"", "\\\"pceId\\\":\\\"0000\\\"",
			       "\\\"pceId\\\":\\\"0001\\\""); /* escaped: a JSON string in a JSON document */
	ERR_clear_error();
	CT_RESULT(verify(t.quote, t.quote_len, bad, strlen(bad), t.verify_time, ALL_SGX_STATUSES, &c),
		  CELLA_ERR_COLLATERAL_SIGNATURE);
	CT_EQ(ERR_peek_error(), 0); /* the verifier's OpenSSL errors are not left to the caller's next call */
	free(bad);

	printf("PASS %s (%s): refused by default, accepted with exactly its status allowed, expired outside its "
	       "collateral's validity, refused with other or altered endorsements\n",
	       name, t.status_name);
	tv_free(&other);
	tv_free(&t);
}

/* A peer presenting a vector's quote in a certificate of dcap_cert, ready for the callback: its store context, a
 * TLS context to configure, and a verifier whose policy takes every TCB status at the vector's time. */
struct peer {
	struct tv t;
	X509 *x;
	EVP_PKEY *key;
	X509_STORE *store;
	X509_STORE_CTX *ctx;
	SSL_CTX *sctx;
	struct cella_tls_openssl_verifier v;
};

static void peer_open(struct peer *p, const char *root, const char *name)
{
	tv_load(root, name, &p->t);
	p->x = tls_peer_cert(p->t.quote, p->t.quote_len, &p->key);
	p->store = X509_STORE_new();
	p->ctx = X509_STORE_CTX_new();
	p->sctx = SSL_CTX_new(TLS_client_method());
	CT_ASSERT(p->store && p->ctx && p->sctx && X509_STORE_CTX_init(p->ctx, p->store, p->x, NULL) == 1);
	memset(&p->v, 0, sizeof(p->v));
	p->v.policy.time = p->t.verify_time;
	p->v.policy.allow_debug = true;
	p->v.policy.any_identity = true;
	p->v.policy.allowed_tcb = ALL_SGX_STATUSES;
}

static void peer_close(struct peer *p)
{
	SSL_CTX_free(p->sctx);
	X509_STORE_CTX_free(p->ctx);
	X509_STORE_free(p->store);
	X509_free(p->x);
	EVP_PKEY_free(p->key);
	tv_free(&p->t);
}

/* tls_peer_handshake against a server presenting x (with key); *outcome the client connection's own. */
static int handshake_with(SSL_CTX *cctx, X509 *x, EVP_PKEY *key, cella_result *outcome)
{
	SSL_CTX *sctx = tls_peer_server_ctx(x, key);
	int ok = tls_peer_handshake(cctx, sctx, outcome, NULL);
	SSL_CTX_free(sctx);
	return ok;
}

/* handshake_with the peer's certificate and p->sctx; the connection's outcome must be the one in p->v. */
static int handshake(struct peer *p)
{
	cella_result outcome;
	int ok = handshake_with(p->sctx, p->x, p->key, &outcome);
	CT_RESULT(outcome, p->v.result);
	return ok;
}

/*
 * Handshakes of a context configured with endorsements verify on the collateral configure parsed: the peer's quote
 * verifies (the refusal is the key binding's, CELLA_ERR_REPORT_DATA) even after the configured bytes are
 * overwritten in place, and is EXPIRED past the collateral's validity (time is checked per handshake on the kept
 * collateral); given other bytes since, the callback parses those (garbage: CELLA_ERR_COLLATERAL). Configuring
 * again replaces what was kept; SSL_CTX_free frees it (ASan's leak check in the sanitizer build).
 */
static void tls_configured(const char *root, const char *name)
{
	struct peer p;
	char *e1, *e2;
	peer_open(&p, root, name);
	e1 = malloc(p.t.collateral_len);
	e2 = malloc(p.t.collateral_len);
	CT_ASSERT(e1 && e2);
	memcpy(e1, p.t.collateral, p.t.collateral_len);
	p.v.endorsements = (const uint8_t *)e1;
	p.v.endorsements_len = p.t.collateral_len;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_OK);
	CT_EQ(handshake(&p), 0);
	CT_RESULT(p.v.result, CELLA_ERR_REPORT_DATA);
	memset(e1, '#', p.t.collateral_len);
	CT_EQ(handshake(&p), 0);
	CT_RESULT(p.v.result, CELLA_ERR_REPORT_DATA);
	p.v.policy.time = p.t.until + 1;
	CT_EQ(handshake(&p), 0);
	CT_RESULT(p.v.result, CELLA_ERR_EXPIRED);
	p.v.policy.time = p.t.verify_time;
	memset(e2, '#', p.t.collateral_len);
	p.v.endorsements = (const uint8_t *)e2;
	CT_EQ(handshake(&p), 0);
	CT_RESULT(p.v.result, CELLA_ERR_COLLATERAL);
	memcpy(e2, p.t.collateral, p.t.collateral_len);
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_OK);
	memset(e2, '#', p.t.collateral_len);
	CT_EQ(handshake(&p), 0);
	CT_RESULT(p.v.result, CELLA_ERR_REPORT_DATA);
	{
		/* a connection's outcome stays its own: none once SSL_clear has made it a connection to be, and none in
		 * SSL_dup's copy of that (the pointer is not shared, so freeing both frees it once: ASan) */
		SSL_CTX *sctx = tls_peer_server_ctx(p.x, p.key);
		SSL *cli = NULL, *dup;
		cella_result o;
		CT_EQ(tls_peer_handshake(p.sctx, sctx, &o, &cli), 0);
		CT_RESULT(o, CELLA_ERR_REPORT_DATA);
		CT_RESULT(cella_tls_openssl_peer(cli, NULL), CELLA_ERR_REPORT_DATA);
		CT_EQ(SSL_clear(cli), 1);
		CT_RESULT(cella_tls_openssl_peer(cli, NULL), CELLA_ERR_NOT_FOUND);
		CT_ASSERT((dup = SSL_dup(cli)) != NULL && dup != cli);
		CT_RESULT(cella_tls_openssl_peer(dup, NULL), CELLA_ERR_NOT_FOUND);
		SSL_free(dup);
		SSL_free(cli);
		SSL_CTX_free(sctx);
		ERR_clear_error();
	}
	p.v.endorsements = NULL;
	p.v.endorsements_len = 0;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_OK);
	CT_EQ(handshake(&p), 0);
	CT_RESULT(p.v.result, CELLA_ERR_COLLATERAL);
	CT_EQ(ERR_peek_error(), 0);
	peer_close(&p);
	free(e1);
	free(e2);
	cella_test_pass("a configured TLS context verifies peers on the collateral parsed by configure, checked for "
			"time at every handshake; other endorsements given since are parsed per verification");
}

/*
 * The OpenSSL TLS callback on a peer whose evidence is an Intel quote (the vector's, in a certificate of dcap_cert):
 * with no endorsements it is refused for want of collateral (it was for every such peer: the callback passed
 * none); with the vector's as v->endorsements the DCAP verification passes and the refusal is the key binding's
 * (the quote's report data is not the hash of this certificate's key); past the collateral's validity, EXPIRED.
 * cella_tls_openssl_configure refuses a length without its bytes and bytes that are not collateral.
 */
static void tls_callback(const char *root, const char *name)
{
	struct peer p;
	peer_open(&p, root, name);
	CT_EQ(cella_tls_openssl_verify_cb(p.ctx, &p.v), 0);
	CT_RESULT(p.v.result, CELLA_ERR_COLLATERAL);
	p.v.endorsements = (const uint8_t *)p.t.collateral;
	p.v.endorsements_len = p.t.collateral_len;
	CT_EQ(cella_tls_openssl_verify_cb(p.ctx, &p.v), 0);
	CT_RESULT(p.v.result, CELLA_ERR_REPORT_DATA);
	p.v.policy.time = p.t.until + 1;
	CT_EQ(cella_tls_openssl_verify_cb(p.ctx, &p.v), 0);
	CT_RESULT(p.v.result, CELLA_ERR_EXPIRED);
	CT_EQ(ERR_peek_error(), 0);

	p.v.policy.time = p.t.verify_time;
	p.v.endorsements = NULL;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_ERR_INVALID_ARG);
	p.v.endorsements = (const uint8_t *)"{}";
	p.v.endorsements_len = 2;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_ERR_COLLATERAL);
	CT_EQ(SSL_CTX_get_verify_mode(p.sctx), SSL_VERIFY_NONE); /* refused: the context as it was */
	p.v.endorsements = (const uint8_t *)p.t.collateral;
	p.v.endorsements_len = p.t.collateral_len;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_OK);
	CT_EQ(SSL_CTX_get_verify_mode(p.sctx), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
	CT_EQ(ERR_peek_error(), 0);
	peer_close(&p);
	cella_test_pass("the OpenSSL TLS callback verifies a peer's Intel quote with the collateral it is given");
}

/* Handshakes on one configured context from several threads, alternating two peers: each connection's own
 * outcome (cella_tls_openssl_peer) must be its peer's. Run under TSan by check-tsan. */
#define HS_THREADS 4
#define HS_ROUNDS 6

struct hs_peer {
	X509 *x;
	EVP_PKEY *key;
	cella_result expect;
};

struct hs_job {
	SSL_CTX *ctx;
	const struct hs_peer *peers;
	int id, wrong;
};

static void *hs_worker(void *arg)
{
	struct hs_job *j = arg;
	for (int i = 0; i < HS_ROUNDS; i++) {
		const struct hs_peer *pe = &j->peers[(i + j->id) % 2];
		cella_result got;
		if (handshake_with(j->ctx, pe->x, pe->key, &got) != 0 || got != pe->expect)
			j->wrong++;
	}
	return NULL;
}

static void threaded_handshakes(SSL_CTX *ctx, const struct hs_peer peers[2])
{
	struct hs_job jobs[HS_THREADS];
	pthread_t th[HS_THREADS];
	for (int i = 0; i < HS_THREADS; i++) {
		jobs[i] = (struct hs_job){ctx, peers, i, 0};
		CT_EQ(pthread_create(&th[i], NULL, hs_worker, &jobs[i]), 0);
	}
	for (int i = 0; i < HS_THREADS; i++) {
		CT_EQ(pthread_join(th[i], NULL), 0);
		CT_EQ(jobs[i].wrong, 0);
	}
}

/*
 * The same peer with v->fetch: the callback fetches the quote's collateral from the PCCS at pccs (a mock serving
 * the vector's, started by tls_fetch_test.sh) into cache, and the quote verifies (the refusal is the key
 * binding's, as with the collateral given); again from the cache; in real handshakes of the configured context,
 * fetched once and then reused from memory, and a peer under another root naming the same platform refused for
 * its chain, also both from several threads at once; from a PCCS that is not there, CELLA_ERR_FETCH.
 * cella_tls_openssl_configure refuses both endorsements and fetch, and a fetch without a URL.
 */
static uint8_t *foreign_quote(const struct tv *t, struct tca_pki *pki, struct cella_collateral **col, size_t *n);

static void tls_fetch(const char *root, const char *name, const char *pccs, const char *cache)
{
	struct peer p;
	struct cella_fetch_options opt;
	peer_open(&p, root, name);
	memset(&opt, 0, sizeof(opt));
	opt.base_url = pccs;
	opt.cache_dir = cache;
	opt.timeout_ms = 10000;
	p.v.fetch = &opt;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_OK);
	for (int i = 0; i < 2; i++) { /* fetched, then from the cache */
		CT_EQ(cella_tls_openssl_verify_cb(p.ctx, &p.v), 0);
		CT_RESULT(p.v.result, CELLA_ERR_REPORT_DATA);
	}
	{
		/* a peer whose PCK chain is not Intel's makes the verifier fetch nothing (tls_fetch_test.sh counts the
		 * requests; no cache here, which holds its FMSPC's collateral by now): refused for its chain before
		 * any request */
		struct tca_pki pki;
		struct cella_collateral *col;
		size_t n;
		uint8_t *b = foreign_quote(&p.t, &pki, &col, &n);
		X509 *fx = tls_peer_cert(b, n, NULL);
		X509_STORE_CTX *fctx = X509_STORE_CTX_new();
		CT_ASSERT(fctx && X509_STORE_CTX_init(fctx, p.store, fx, NULL) == 1);
		opt.cache_dir = NULL;
		CT_EQ(cella_tls_openssl_verify_cb(fctx, &p.v), 0);
		CT_RESULT(p.v.result, CELLA_ERR_UNTRUSTED_ROOT);
		opt.cache_dir = cache;
		X509_STORE_CTX_free(fctx);
		X509_free(fx);
		free(b);
		cella_collateral_free(col);
		tca_pki_free(&pki);
	}
	/* real handshakes of the configured context, no disk cache: the first fetches, the second verifies on the
	 * collateral the context kept (tls_fetch_test.sh counts the requests: one more in all); fetch options naming
	 * another source fetch again (nothing listens there: CELLA_ERR_FETCH) */
	opt.cache_dir = NULL;
	for (int i = 0; i < 2; i++) {
		CT_EQ(handshake(&p), 0);
		CT_RESULT(p.v.result, CELLA_ERR_REPORT_DATA);
	}
	{
		/* a peer whose chain is not Intel's but whose leaf names the platform the context keeps collateral
		 * for: found by that name, refused by the verification for its chain (and nothing fetched) */
		struct tca_pki pki;
		struct cella_collateral *col;
		struct cella_quote fq, rq;
		struct cella_pck_info fi, ri;
		X509 *x = p.x;
		EVP_PKEY *key = p.key;
		size_t n;
		uint8_t *b = foreign_quote(&p.t, &pki, &col, &n);
		CT_RESULT(cella_quote_parse(b, n, &fq, NULL), CELLA_OK);
		CT_RESULT(cella_quote_parse(p.t.quote, p.t.quote_len, &rq, NULL), CELLA_OK);
		CT_RESULT(cella_quote_pck_info(&fq, &fi, NULL), CELLA_OK);
		CT_RESULT(cella_quote_pck_info(&rq, &ri, NULL), CELLA_OK);
		CT_ASSERT(memcmp(fi.fmspc, ri.fmspc, CELLA_FMSPC_BYTES) == 0 && fi.ca == ri.ca);
		p.x = tls_peer_cert(b, n, &p.key);
		CT_EQ(handshake(&p), 0);
		CT_RESULT(p.v.result, CELLA_ERR_UNTRUSTED_ROOT);
		{
			/* both peers from several threads on the collateral the context kept (no request either) */
			const struct hs_peer peers[2] = {{x, key, CELLA_ERR_REPORT_DATA},
							 {p.x, p.key, CELLA_ERR_UNTRUSTED_ROOT}};
			threaded_handshakes(p.sctx, peers);
		}
		X509_free(p.x);
		EVP_PKEY_free(p.key);
		p.x = x;
		p.key = key;
		free(b);
		cella_collateral_free(col);
		tca_pki_free(&pki);
	}
	opt.base_url = "http://127.0.0.1:9";
	CT_EQ(handshake(&p), 0);
	CT_RESULT(p.v.result, CELLA_ERR_FETCH);
	CT_EQ(cella_tls_openssl_verify_cb(p.ctx, &p.v), 0);
	CT_RESULT(p.v.result, CELLA_ERR_FETCH);
	CT_EQ(ERR_peek_error(), 0);

	p.v.endorsements = (const uint8_t *)p.t.collateral;
	p.v.endorsements_len = p.t.collateral_len;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_ERR_INVALID_ARG);
	p.v.endorsements = NULL;
	p.v.endorsements_len = 0;
	opt.base_url = NULL;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_ERR_INVALID_ARG);
	peer_close(&p);
	cella_test_pass("the OpenSSL TLS callback fetches a peer's collateral from a PCCS, and caches it; a chain not "
			"Intel's fetches nothing");
}

/*
 * The trust is Intel's root, not whatever root the endorsements carry: the first vector's quote rebuilt as v3 under a
 * generated hierarchy shaped like Intel's, with the vector's TCB Info and QE Identity re-signed under it, verifies
 * against that root (the control) and is refused by cella_verify_evidence.
 */
/* The vector t's quote rebuilt as v3 under a generated hierarchy shaped like Intel's (*pki), with its TCB Info and QE
 * Identity re-signed under it (*col): genuine under pki's root, not under Intel's. *n: the quote's length. */
static uint8_t *foreign_quote(const struct tv *t, struct tca_pki *pki, struct cella_collateral **col, size_t *n)
{
	struct cella_quote real;
	struct cella_collateral *vc = NULL;
	EVP_PKEY *ak = tca_key();
	char *pem;
	size_t pem_len;
	uint8_t *b;
	CT_RESULT(cella_quote_parse(t->quote, t->quote_len, &real, NULL), CELLA_OK);
	CT_EQ(real.version, 3);
	CT_RESULT(cella_collateral_new_json(t->collateral, t->collateral_len, &vc, NULL), CELLA_OK);
	tca_pki_like(pki, &real, t->verify_time, &pem, &pem_len);
	*col = tca_pki_collateral(pki, vc->tcb_info, vc->qe_identity, t->verify_time);
	b = tv_build_quote(&real, 3, CELLA_QUOTE_BODY_SGX, NULL, ak, pki->k_leaf, pem, pem_len, n);
	free(pem);
	cella_collateral_free(vc);
	EVP_PKEY_free(ak);
	return b;
}

static void foreign_root(const char *root, const char *name)
{
	struct tv t;
	struct tca_pki pki;
	struct cella_quote q;
	struct cella_collateral *col;
	struct cella_verify_result *res = calloc(1, sizeof(*res));
	struct cella_claims c;
	char *json;
	size_t json_len, n;
	uint8_t *b;

	CT_ASSERT(res);
	tv_load(root, name, &t);
	b = foreign_quote(&t, &pki, &col, &n);
	CT_RESULT(cella_quote_parse(b, n, &q, NULL), CELLA_OK);
	CT_EQ(q.version, 3);
	CT_RESULT(cella_quote_verify_trust(pki.trust, &q, col, t.verify_time, res), CELLA_OK);
	CT_EQ(res->status, t.status);
	CT_RESULT(cella_collateral_to_json(col, &json, &json_len), CELLA_OK);
	CT_RESULT(verify(b, n, json, json_len, t.verify_time, ALL_SGX_STATUSES, &c), CELLA_ERR_UNTRUSTED_ROOT);
	/* the control of the control: the vector itself, with the same policy */
	CT_RESULT(verify(t.quote, t.quote_len, t.collateral, t.collateral_len, t.verify_time, ALL_SGX_STATUSES, &c),
		  CELLA_OK);
	free(json);
	free(b);
	free(res);
	cella_collateral_free(col);
	tca_pki_free(&pki);
	tv_free(&t);
	cella_test_pass("a quote and collateral valid under another root: refused, the trust is Intel's root");
}

static void tls_threads(const char *root, const char *name)
{
	struct peer p;
	struct tca_pki pki;
	struct cella_collateral *col;
	struct hs_peer peers[2];
	size_t n;
	uint8_t *b;
	peer_open(&p, root, name);
	b = foreign_quote(&p.t, &pki, &col, &n);
	peers[0] = (struct hs_peer){p.x, p.key, CELLA_ERR_REPORT_DATA};
	peers[1] = (struct hs_peer){NULL, NULL, CELLA_ERR_UNTRUSTED_ROOT};
	peers[1].x = tls_peer_cert(b, n, &peers[1].key);
	p.v.endorsements = (const uint8_t *)p.t.collateral;
	p.v.endorsements_len = p.t.collateral_len;
	CT_RESULT(cella_tls_openssl_configure(p.sctx, &p.v), CELLA_OK);
	threaded_handshakes(p.sctx, peers);
	X509_free(peers[1].x);
	EVP_PKEY_free(peers[1].key);
	free(b);
	cella_collateral_free(col);
	tca_pki_free(&pki);
	peer_close(&p);
	cella_test_pass("handshakes of one configured context on several threads: each connection's outcome is its "
			"peer's");
}

int main(int argc, char **argv)
{
	const char *root, *pccs = NULL, *cache = NULL;
	struct tv tdx;
	struct cella_claims c;

	if (argc > 3 && strcmp(argv[1], "--pccs") == 0) { /* tls_fetch_test.sh: --pccs URL CACHE_DIR, then as usual */
		pccs = argv[2];
		cache = argv[3];
		argv += 3;
		argc -= 3;
	}
	root = tv_root(argc, argv);

	CT_ASSERT(argc > 3); /* two SGX vectors at least: each one's collateral is wrong for the next */
	for (int i = 2; i < argc; i++)
		one_vector(root, argv[i], argv[i + 1 < argc ? i + 1 : 2]);
	cella_test_pass("each SGX vector: its own TCB status, by the policy's allowed statuses");

	/* a TDX quote (v4) with its genuine collateral: not evidence this API takes */
	tv_load(root, "dcapqvl_tdx_v4", &tdx);
	CT_RESULT(verify(tdx.quote, tdx.quote_len, tdx.collateral, tdx.collateral_len, tdx.verify_time, ALL_SGX_STATUSES,
			 &c),
		  CELLA_ERR_QUOTE_VERSION);
	tv_free(&tdx);
	cella_test_pass("a TDX quote refused (CELLA_ERR_QUOTE_VERSION)");

	foreign_root(root, argv[2]);
	tls_callback(root, argv[2]);
	tls_configured(root, argv[2]);
	tls_threads(root, argv[2]);
	if (pccs)
		tls_fetch(root, argv[2], pccs, cache);
	return 0;
}
