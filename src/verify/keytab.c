// SPDX-License-Identifier: MIT
/*
 * Signatures by issuer keys: the trust anchor, the PCK CAs and the TCB signing key, the few keys that sign every
 * certificate, CRL and collateral document a verifier sees.
 *
 * Why: an ECDSA verification computes u1*G + u2*Q. OpenSSL holds a precomputed table of multiples of G, so u1*G
 * costs about a tenth of the verification; u2*Q is computed from scratch, and is most of the rest. A cold DCAP
 * verification checks seven signatures by such keys and two by the platform's own (QE report, quote). For an issuer
 * key used often, this file has OpenSSL precompute the multiples of Q as it does for G (a P-256 group whose
 * generator is Q, EC_GROUP_precompute_mult): u2*Q then costs as little as u1*G, and the verification less than
 * half. Every signature is still checked, and nothing about a verdict is kept: a table depends on the public key
 * alone.
 *
 * When: a table takes about 330 generic verifications' worth of time to build (19 ms on the development VM, where
 * a verification takes 57 us and a tabled one 27 us), and holds 150 KiB. A key gets one once it has checked
 * KEYTAB_AFTER signatures in this process: by then the process has spent about as long verifying that key's
 * signatures as the table takes to build, so a process that stops soon after pays at most twice what the best
 * choice in hindsight would have cost, and a service verifying all day gets the faster path (the ski-rental
 * rule). At most KEYTAB_SLOTS keys are tracked, first come; the callers pass only keys they have already chained
 * to the trust anchor, and a table is never freed while the process lives.
 *
 * Verdicts are those of OpenSSL's ECDSA_do_verify: r and s in [1, n-1], e the digest as an integer (SHA-256 is
 * as long as the order), R = (e/s)G + (r/s)Q not at infinity, x(R) mod n = r. The unit test compares both paths
 * on random, altered and out-of-range signatures.
 */
#define OPENSSL_API_COMPAT 10101 /* EC_GROUP_precompute_mult: deprecated in 3.0, and the only way to a table */

#include "verify_internal.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <string.h>

#define KEYTAB_SLOTS 8u
#define KEYTAB_AFTER 512u

struct keytab {
	uint8_t point[65];
	unsigned uses;
	bool building, failed;
	EC_GROUP *table; /* set once; read-only from then on */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct keytab slots[KEYTAB_SLOTS];
static size_t nslots, built;
static unsigned after = KEYTAB_AFTER;
static pthread_once_t base_once = PTHREAD_ONCE_INIT;
static EC_GROUP *base; /* P-256 with its standard generator, whose table OpenSSL has */

static void base_init(void)
{
	base = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

/* P-256 with Q as its generator, Q's multiples precomputed; NULL if Q is not on the curve or memory runs out. */
static EC_GROUP *table_build(const uint8_t *point)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	BN_CTX *ctx = BN_CTX_new();
	int ok = q && ctx && EC_POINT_oct2point(g, q, point, 65, ctx) == 1 && !EC_POINT_is_at_infinity(g, q) &&
		 EC_GROUP_set_generator(g, q, EC_GROUP_get0_order(g), BN_value_one()) == 1 &&
		 EC_GROUP_precompute_mult(g, ctx) == 1;
	EC_POINT_free(q);
	BN_CTX_free(ctx);
	if (!ok) {
		EC_GROUP_free(g);
		return NULL;
	}
	return g;
}

/* Counts one use of the key; its table if it has one (building it when its turn has come), else NULL. */
static const EC_GROUP *table_for(const uint8_t *point)
{
	struct keytab *s = NULL;
	EC_GROUP *t;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nslots && !s; i++)
		if (memcmp(slots[i].point, point, 65) == 0)
			s = &slots[i];
	if (!s && nslots < KEYTAB_SLOTS) {
		s = &slots[nslots++];
		memcpy(s->point, point, 65);
	}
	if (!s || s->table || s->building || s->failed || ++s->uses < after) {
		t = s ? s->table : NULL;
		pthread_mutex_unlock(&lock);
		return t;
	}
	s->building = true; /* other threads go on without it meanwhile */
	pthread_mutex_unlock(&lock);
	t = table_build(point);
	pthread_mutex_lock(&lock);
	s->building = false;
	s->table = t;
	s->failed = !t;
	built += t != NULL;
	pthread_mutex_unlock(&lock);
	return t;
}

/* ECDSA_do_verify's verdict, with u2*Q taken from the key's table. */
static int table_verify(const EC_GROUP *table, const uint8_t *digest, const uint8_t *rs)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *r, *s, *e, *w, *u1, *u2, *x;
	EC_POINT *p = NULL, *pq = NULL;
	const BIGNUM *n = EC_GROUP_get0_order(base);
	int ok = 0;
	if (!ctx)
		return 0;
	BN_CTX_start(ctx);
	r = BN_CTX_get(ctx), s = BN_CTX_get(ctx), e = BN_CTX_get(ctx), w = BN_CTX_get(ctx);
	u1 = BN_CTX_get(ctx), u2 = BN_CTX_get(ctx), x = BN_CTX_get(ctx);
	if (!x || !BN_bin2bn(rs, 32, r) || !BN_bin2bn(rs + 32, 32, s) || !BN_bin2bn(digest, 32, e))
		goto out;
	if (BN_is_zero(r) || BN_is_zero(s) || BN_cmp(r, n) >= 0 || BN_cmp(s, n) >= 0)
		goto out;
	if (!BN_mod_inverse(w, s, n, ctx) || !BN_mod_mul(u1, e, w, n, ctx) || !BN_mod_mul(u2, r, w, n, ctx))
		goto out;
	p = EC_POINT_new(base);
	pq = EC_POINT_new(base);
	if (!p || !pq || EC_POINT_mul(base, p, u1, NULL, NULL, ctx) != 1 ||
	    EC_POINT_mul(table, pq, u2, NULL, NULL, ctx) != 1 || EC_POINT_add(base, p, p, pq, ctx) != 1 ||
	    EC_POINT_is_at_infinity(base, p) || EC_POINT_get_affine_coordinates(base, p, x, NULL, ctx) != 1 ||
	    !BN_nnmod(x, x, n, ctx))
		goto out;
	ok = BN_cmp(x, r) == 0;
out:
	EC_POINT_free(p);
	EC_POINT_free(pq);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return ok;
}

int cella_vfy_issuer_verify(const uint8_t *point, EVP_PKEY *key, const uint8_t *digest, const uint8_t *rs)
{
	const EC_GROUP *t;
	if (!point || !key)
		return 0;
	pthread_once(&base_once, base_init);
	t = base ? table_for(point) : NULL;
	return t ? table_verify(t, digest, rs) : cella_vfy_ecdsa_verify_rs(key, digest, rs);
}

int cella_vfy_sig_der_rs(const uint8_t *der, size_t len, uint8_t *rs)
{
	const uint8_t *p = der;
	unsigned char *again = NULL;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	int n, ok;
	if (len > INT32_MAX || !(sig = d2i_ECDSA_SIG(NULL, &p, (long)len)))
		return -1;
	/* as OpenSSL's ECDSA verification: the exact DER encoding, nothing after it */
	n = i2d_ECDSA_SIG(sig, &again);
	ECDSA_SIG_get0(sig, &r, &s);
	ok = p == der + len && n == (int)len && memcmp(again, der, len) == 0 && !BN_is_negative(r) &&
	     !BN_is_negative(s) && BN_bn2binpad(r, rs, 32) == 32 && BN_bn2binpad(s, rs + 32, 32) == 32;
	OPENSSL_free(again);
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

void cella_vfy_keytab_after(unsigned uses)
{
	pthread_mutex_lock(&lock);
	after = uses ? uses : 1;
	pthread_mutex_unlock(&lock);
}

size_t cella_vfy_keytab_built(void)
{
	pthread_mutex_lock(&lock);
	size_t n = built;
	pthread_mutex_unlock(&lock);
	return n;
}
