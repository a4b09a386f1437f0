// SPDX-License-Identifier: MIT
/*
 * Issuer-key tables (src/verify/keytab.c) against OpenSSL's own ECDSA verification. For fresh keys the tabled
 * path and EVP_PKEY_verify give the same verdict on valid signatures, on every single-bit change of digest, r and
 * s, on the other valid s (n - s), on r or s of 0, n and above (s = 1 + n among them, the residue of a valid
 * s = 1), and on a digest of zero (u1 = 0). Then: a table is built at the configured use, a point off the curve
 * gets none and falls back to the key, and the DER ECDSA-Sig-Value reader refuses all but exact DER.
 */
#include "cella_test.h"
#include "testutil.h"
#include "verify_internal.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <string.h>

/* OpenSSL's verdict, through the EVP interface and a key OpenSSL made itself. */
static int reference(EVP_PKEY *key, const uint8_t *digest, const uint8_t *rs)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, 32, NULL), *s = BN_bin2bn(rs + 32, 32, NULL);
	unsigned char *der = NULL;
	int n, ok;
	CT_ASSERT(sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1);
	n = i2d_ECDSA_SIG(sig, &der);
	CT_ASSERT(n > 0);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	CT_ASSERT(ctx && EVP_PKEY_verify_init(ctx) == 1);
	ok = EVP_PKEY_verify(ctx, der, (size_t)n, digest, 32) == 1;
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	return ok;
}

struct key {
	EVP_PKEY *ossl;  /* made by OpenSSL */
	EVP_PKEY *ours;  /* the verifier's own import of its point */
	uint8_t point[65];
};

static void key_new(struct key *k)
{
	k->ossl = tca_key();
	CT_ASSERT(k->ossl && tv_key_point(k->ossl, k->point) == 0);
	k->ours = cella_vfy_key_from_xy(k->point + 1);
	CT_ASSERT(k->ours != NULL);
}

static void key_free(struct key *k)
{
	EVP_PKEY_free(k->ossl);
	EVP_PKEY_free(k->ours);
}

static long compared, accepted;

static void same(const struct key *k, const uint8_t *digest, const uint8_t *rs)
{
	int want = reference(k->ossl, digest, rs);
	CT_EQ(cella_vfy_issuer_verify(k->point, k->ours, digest, rs), want);
	compared++;
	accepted += want;
}

/* A signature over a random message: its digest and r||s. */
static void signed_digest(const struct key *k, uint8_t *digest, uint8_t *rs)
{
	uint8_t msg[48];
	CT_ASSERT(RAND_bytes(msg, sizeof(msg)) == 1);
	tca_sign_raw(k->ossl, msg, sizeof(msg), rs);
	CT_ASSERT(cella_vfy_sha256(msg, sizeof(msg), digest) == 0);
}

/* 32 big-endian bytes of a + b*n (b in {-1, 0, 1}), or -1 when that does not fit in 32 bytes or is negative. */
static int with_order(const uint8_t *a, int b, uint8_t *out)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *v = BN_bin2bn(a, 32, NULL);
	int rc = -1;
	CT_ASSERT(g && v);
	if (b > 0)
		CT_ASSERT(BN_add(v, v, EC_GROUP_get0_order(g)) == 1);
	else if (b < 0)
		CT_ASSERT(BN_sub(v, EC_GROUP_get0_order(g), v) == 1); /* n - a */
	if (!BN_is_negative(v) && BN_bn2binpad(v, out, 32) == 32)
		rc = 0;
	BN_free(v);
	EC_GROUP_free(g);
	return rc;
}

/*
 * A signature made with s = 1: for a random nonce k, r = x(kG) mod n and the digest e = k - r*d mod n, so that
 * s = (e + r*d)/k = 1. Its s + n still fits in 32 bytes, so a verifier that reduced s mod n would accept it.
 */
static void chosen_s(const struct key *k, uint8_t *digest, uint8_t *rs)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *d = NULL, *kn = BN_new(), *x = BN_new(), *e = BN_new();
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	const BIGNUM *n = g ? EC_GROUP_get0_order(g) : NULL;
	CT_ASSERT(p && ctx && kn && x && e && EVP_PKEY_get_bn_param(k->ossl, "priv", &d) == 1);
	CT_ASSERT(BN_rand_range(kn, n) == 1 && !BN_is_zero(kn));
	CT_ASSERT(EC_POINT_mul(g, p, kn, NULL, NULL, ctx) == 1);
	CT_ASSERT(EC_POINT_get_affine_coordinates(g, p, x, NULL, ctx) == 1 && BN_nnmod(x, x, n, ctx) == 1);
	CT_ASSERT(BN_mod_mul(e, x, d, n, ctx) == 1 && BN_mod_sub(e, kn, e, n, ctx) == 1);
	CT_ASSERT(BN_bn2binpad(e, digest, 32) == 32 && BN_bn2binpad(x, rs, 32) == 32);
	memset(rs + 32, 0, 32);
	rs[63] = 1;
	BN_clear_free(d);
	BN_clear_free(kn);
	BN_free(x);
	BN_free(e);
	EC_POINT_free(p);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
}

static void differential(void)
{
	struct key k[3];
	uint8_t digest[32], rs[64], m[64], zero[32] = {0};
	size_t before = cella_vfy_keytab_built();
	cella_vfy_keytab_after(1); /* every key below has its table from its first signature */
	for (int i = 0; i < 3; i++)
		key_new(&k[i]);
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 40; j++) {
			signed_digest(&k[i], digest, rs);
			same(&k[i], digest, rs);
			CT_EQ(cella_vfy_issuer_verify(k[i].point, k[i].ours, digest, rs), 1);
			/* another key's signature */
			CT_EQ(cella_vfy_issuer_verify(k[(i + 1) % 3].point, k[(i + 1) % 3].ours, digest, rs), 0);
		}
		signed_digest(&k[i], digest, rs);
		for (size_t bit = 0; bit < 256; bit++) { /* every bit of the digest */
			digest[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			same(&k[i], digest, rs);
			digest[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (size_t bit = 0; bit < 512; bit++) { /* every bit of r and of s */
			memcpy(m, rs, 64);
			m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			same(&k[i], digest, m);
		}
		/* the other valid s: n - s */
		memcpy(m, rs, 64);
		CT_ASSERT(with_order(rs + 32, -1, m + 32) == 0);
		same(&k[i], digest, m);
		CT_EQ(cella_vfy_issuer_verify(k[i].point, k[i].ours, digest, m), 1);
		/* r or s of 0, n, or plus n (when that still fits in 32 bytes) */
		memcpy(m, rs, 64);
		memset(m, 0, 32);
		same(&k[i], digest, m);
		memcpy(m, rs, 64);
		memset(m + 32, 0, 32);
		same(&k[i], digest, m);
		memcpy(m, rs, 64);
		CT_ASSERT(with_order(zero, 1, m) == 0); /* r = n */
		same(&k[i], digest, m);
		memcpy(m, rs, 64);
		CT_ASSERT(with_order(zero, 1, m + 32) == 0); /* s = n */
		same(&k[i], digest, m);
		memcpy(m, rs, 64);
		if (with_order(rs, 1, m) == 0) /* r + n: same x mod n, refused as OpenSSL refuses r >= n */
			same(&k[i], digest, m);
		memset(m, 0xff, 64);
		same(&k[i], digest, m);
		/* s = 1 is valid; s = 1 + n is the same residue, and refused */
		chosen_s(&k[i], digest, rs);
		same(&k[i], digest, rs);
		CT_EQ(cella_vfy_issuer_verify(k[i].point, k[i].ours, digest, rs), 1);
		memcpy(m, rs, 64);
		CT_ASSERT(with_order(rs + 32, 1, m + 32) == 0);
		same(&k[i], digest, m);
		CT_EQ(cella_vfy_issuer_verify(k[i].point, k[i].ours, digest, m), 0);
	}
	/* a digest of zero: e = 0, u1 = 0 */
	{
		size_t sl = 80;
		uint8_t buf[80];
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k[0].ossl, NULL);
		CT_ASSERT(ctx && EVP_PKEY_sign_init(ctx) == 1 && EVP_PKEY_sign(ctx, buf, &sl, zero, 32) == 1);
		CT_ASSERT(cella_vfy_sig_der_rs(buf, sl, rs) == 0);
		same(&k[0], zero, rs);
		CT_EQ(cella_vfy_issuer_verify(k[0].point, k[0].ours, zero, rs), 1);
		EVP_PKEY_CTX_free(ctx);
	}
	/* the tabled path was the one taken: one table per key */
	CT_EQ(cella_vfy_keytab_built(), before + 3);
	for (int i = 0; i < 3; i++)
		key_free(&k[i]);
	cella_test_pass("tabled ECDSA verification decides as OpenSSL's on valid, altered and out-of-range signatures");
}

static void when_built(void)
{
	struct key k;
	uint8_t digest[32], rs[64], off[65];
	size_t before;
	key_new(&k);
	cella_vfy_keytab_after(3);
	before = cella_vfy_keytab_built();
	signed_digest(&k, digest, rs);
	CT_EQ(cella_vfy_issuer_verify(k.point, k.ours, digest, rs), 1);
	CT_EQ(cella_vfy_keytab_built(), before);
	rs[5] ^= 1; /* a refused signature counts as a use too */
	CT_EQ(cella_vfy_issuer_verify(k.point, k.ours, digest, rs), 0);
	CT_EQ(cella_vfy_keytab_built(), before);
	rs[5] ^= 1;
	CT_EQ(cella_vfy_issuer_verify(k.point, k.ours, digest, rs), 1); /* the third: built, and used */
	CT_EQ(cella_vfy_keytab_built(), before + 1);
	CT_EQ(cella_vfy_issuer_verify(k.point, k.ours, digest, rs), 1);
	CT_EQ(cella_vfy_keytab_built(), before + 1);

	/* a point off the curve gets no table; the verdict is then the key's (NULL key: refused) */
	cella_vfy_keytab_after(1);
	memcpy(off, k.point, 65);
	off[64] ^= 1;
	CT_EQ(cella_vfy_issuer_verify(off, k.ours, digest, rs), 1);
	CT_EQ(cella_vfy_issuer_verify(off, k.ours, digest, rs), 1);
	CT_EQ(cella_vfy_keytab_built(), before + 1);
	CT_EQ(cella_vfy_issuer_verify(k.point, NULL, digest, rs), 0);
	CT_EQ(cella_vfy_issuer_verify(NULL, k.ours, digest, rs), 0);
	key_free(&k);
	cella_test_pass("a key's table is built at its configured use; a point off the curve gets none");
}

static void der(void)
{
	/* SEQUENCE { INTEGER 1, INTEGER 2 } and its refused variants */
	static const uint8_t ok[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02};
	static const uint8_t padded[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02};
	static const uint8_t longlen[] = {0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02};
	static const uint8_t trailing[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00};
	static const uint8_t negative[] = {0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02};
	static const uint8_t one_int[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	uint8_t big[2 + 2 + 34 + 3], rs[64], want[64] = {0};
	CT_EQ(cella_vfy_sig_der_rs(ok, sizeof(ok), rs), 0);
	want[31] = 1;
	want[63] = 2;
	CT_EQ_MEM(rs, want, 64);
	CT_EQ(cella_vfy_sig_der_rs(padded, sizeof(padded), rs), -1);
	CT_EQ(cella_vfy_sig_der_rs(longlen, sizeof(longlen), rs), -1);
	CT_EQ(cella_vfy_sig_der_rs(trailing, sizeof(trailing), rs), -1);
	CT_EQ(cella_vfy_sig_der_rs(negative, sizeof(negative), rs), -1);
	CT_EQ(cella_vfy_sig_der_rs(one_int, sizeof(one_int), rs), -1);
	CT_EQ(cella_vfy_sig_der_rs(ok, sizeof(ok) - 1, rs), -1);
	/* r of 33 significant bytes: longer than any P-256 signature's */
	big[0] = 0x30;
	big[1] = 2 + 34 + 3;
	big[2] = 0x02;
	big[3] = 34;
	big[4] = 0x00;
	memset(big + 5, 0xff, 33);
	big[38] = 0x02;
	big[39] = 0x01;
	big[40] = 0x02;
	CT_EQ(cella_vfy_sig_der_rs(big, sizeof(big), rs), -1);
	cella_test_pass("DER signatures: only the exact encoding of two non-negative 32-byte integers");
}

int main(void)
{
	differential();
	when_built();
	der();
	return 0;
}
