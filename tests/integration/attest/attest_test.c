// SPDX-License-Identifier: MIT
/*
 * The evidence verification API on the sandbox backend, in both worlds: the host library (OpenSSL +
 * libcella-verify) and an enclave verifying another enclave's evidence (BearSSL). Every case runs in both and
 * must give the same answer.
 *   attest_test ENCLAVE_A ENCLAVE_B     (A: SVN 3, product 7, debug; B: another enclave, the in-enclave verifier)
 */
#include <cella/evidence.h>
#include <cella/host.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attest_ids.h"
#include "cella_test.h"
#include "cella_test_x509.h"

static struct cella_enclave *verifier;
static uint8_t *root_pem, *other_root;
static size_t root_len, other_len;

static struct cella_enclave *open_enclave(const char *path)
{
	struct cella_enclave *e = NULL;
	CT_RESULT(cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e), CELLA_OK);
	return e;
}

static cella_result host_verify(const struct a_verify_in *a, const uint8_t *root, const uint8_t *ev, size_t len,
				struct cella_claims *c)
{
	struct cella_evidence_root r[A_MAX_ROOTS];
	struct cella_evidence_policy p;
	a_policy(a, root, r, &p);
	if (a->flags & A_F_CERT)
		return cella_verify_attest_cert(ev, len, NULL, 0, &p, c);
	return cella_verify_evidence(ev, len, NULL, 0, &p, c);
}

static cella_result enclave_verify(const struct a_verify_in *a0, const uint8_t *root, const uint8_t *ev, size_t len,
				   struct a_verify_out *o)
{
	struct a_verify_in a = *a0;
	size_t n = sizeof(a) + a.root_len + len, w = 0;
	uint8_t *in = malloc(n);
	CT_ASSERT(in);
	a.evidence_len = (uint32_t)len;
	memcpy(in, &a, sizeof(a));
	memcpy(in + sizeof(a), root, a.root_len);
	memcpy(in + sizeof(a) + a.root_len, ev, len);
	CT_RESULT(cella_enclave_call(verifier, A_VERIFY, in, n, o, sizeof(*o), &w), CELLA_OK);
	CT_EQ(w, sizeof(*o));
	free(in);
	return (cella_result)o->result;
}

/* Runs one case in both worlds; both must return `want`. */
static void both(const char *what, const struct a_verify_in *a, const uint8_t *root, const uint8_t *ev, size_t len,
		 cella_result want, bool in_enclave)
{
	struct cella_claims c;
	struct a_verify_out o;
	cella_result h = host_verify(a, root, ev, len, &c), e;
	if (h != want)
		cella_test_fail(__FILE__, __LINE__, "%s: host verifier says %s, expected %s", what, cella_result_name(h),
				cella_result_name(want));
	if (!in_enclave)
		return;
	e = enclave_verify(a, root, ev, len, &o);
	if (e != want)
		cella_test_fail(__FILE__, __LINE__, "%s: enclave verifier says %s, expected %s", what,
				cella_result_name(e), cella_result_name(want));
	if (want == CELLA_OK) {
		CT_ASSERT(memcmp(o.unique_id, c.unique_id, 32) == 0);
		CT_ASSERT(memcmp(o.report_data, c.sgx_report_data, 64) == 0);
		CT_EQ(o.attributes, c.attributes);
	}
}

/* L6: evidence in host memory, rewritten while the in-enclave verifier reads it. */
struct l6_mutator {
	uint8_t *buf;
	const uint8_t *a, *b; /* the genuine quote, and a copy with other report data (its signature fails) */
	size_t len;
	volatile int stop;
	pthread_t th;
};

static void *l6_mutate(void *p)
{
	struct l6_mutator *m = p;
	for (unsigned round = 0; !m->stop; round++) {
		const uint8_t *src = round & 1 ? m->b : m->a;
		for (size_t off = 0; off < m->len && !m->stop; off += 61) {
			size_t k = m->len - off < 61 ? m->len - off : 61;
			memcpy(m->buf + off, src + off, k);
			if ((off / 61) % 16 == 0)
				usleep(20);
		}
	}
	return NULL;
}

/* L6: the verifier copies the evidence into the enclave once and works on that copy: with a host thread
 * rewriting the evidence between the genuine quote and one whose report data was changed, every verification is
 * either CELLA_OK with the genuine quote's report data or a refusal, never CELLA_OK with the other's. */
static void l6_host_memory(const struct a_verify_in *pol, const uint8_t *root, const uint8_t *quote, size_t qlen)
{
	struct l6_mutator m;
	struct a_verify_in a = *pol;
	uint8_t *b = malloc(qlen), *in;
	size_t n = sizeof(a) + a.root_len + 8, w = 0;
	unsigned ok = 0, refused = 0;
	uint64_t addr;
	CT_ASSERT(b != NULL && qlen > 432);
	memcpy(b, quote, qlen);
	for (int i = 0; i < 64; i++)
		b[368 + i] ^= 0x5a; /* report data (quote body at 48, report data at 320 in it) */
	memset(&m, 0, sizeof(m));
	m.buf = cella_enclave_host_malloc(verifier, qlen);
	CT_ASSERT(m.buf != NULL);
	memcpy(m.buf, quote, qlen);
	m.a = quote;
	m.b = b;
	m.len = qlen;
	a.report_data_len = 0; /* report data is not pinned: only the signature tells the two apart */
	a.evidence_len = (uint32_t)qlen;
	addr = (uint64_t)(uintptr_t)m.buf;
	in = malloc(n);
	CT_ASSERT(in != NULL);
	memcpy(in, &a, sizeof(a));
	memcpy(in + sizeof(a), root, a.root_len);
	memcpy(in + sizeof(a) + a.root_len, &addr, 8);
	{ /* unmutated first: the path works */
		struct a_verify_out o;
		CT_RESULT(cella_enclave_call(verifier, A_VERIFY_HOST, in, n, &o, sizeof(o), &w), CELLA_OK);
		CT_RESULT((cella_result)o.result, CELLA_OK);
		CT_ASSERT(memcmp(o.report_data, quote + 368, 64) == 0);
	}
	CT_EQ(pthread_create(&m.th, NULL, l6_mutate, &m), 0);
	for (int i = 0; i < 300 || ok == 0 || refused == 0; i++) {
		struct a_verify_out o;
		CT_RESULT(cella_enclave_call(verifier, A_VERIFY_HOST, in, n, &o, sizeof(o), &w), CELLA_OK);
		if (o.result == CELLA_OK) {
			if (memcmp(o.report_data, quote + 368, 64) != 0)
				cella_test_fail(__FILE__, __LINE__, "verification %d passed with report data it did not check", i);
			ok++;
		} else {
			refused++;
		}
		if (i > 20000)
			cella_test_fail(__FILE__, __LINE__, "no mix of outcomes after %d verifications (%u ok)", i, ok);
	}
	m.stop = 1;
	pthread_join(m.th, NULL);
	printf("L6: %u verifications passed with the genuine report data, %u refused\n", ok, refused);
	cella_enclave_host_free(verifier, m.buf);
	free(in);
	free(b);
	cella_test_pass("L6 evidence mutated in host memory during in-enclave verification: one copy, consistent result");
}

/* cella_test_cert's certificate, as PEM appended to *pem. */
static void append_cert(uint8_t **pem, size_t *len, EVP_PKEY *k, const char *cn, EVP_PKEY *issuer_key,
			const char *issuer_cn, long from, long until, bool ca)
{
	cella_test_cert_append_pem(pem, len, cella_test_cert(k, cn, issuer_key, issuer_cn, from, until, ca));
}

/* A self-signed P-256 root nobody trusts, valid now, named like the platform's. */
static uint8_t *make_other_root(size_t *len)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	uint8_t *out = NULL;
	CT_ASSERT(k);
	*len = 0;
	append_cert(&out, len, k, "Cella Software TEE Root CA", k, "Cella Software TEE Root CA", -3600, 86400, true);
	EVP_PKEY_free(k);
	return out;
}

/* The platform's quote q with its QE report re-signed by pck and its certification data replaced by chain (type
 * 5): the quote body, attestation key and its binding stay as the platform made them. */
static uint8_t *requote(const uint8_t *q, size_t qlen, EVP_PKEY *pck, const uint8_t *chain, size_t chain_len,
			size_t *out_len)
{
	const size_t qe_off = 436 + 128, qe_sig_off = qe_off + 384, auth_off = qe_sig_off + 66;
	size_t auth_len, head, n, siglen = 0;
	uint8_t *o, der[80];
	const uint8_t *dp = der;
	ECDSA_SIG *es;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint32_t u;
	CT_ASSERT(qlen > auth_off && md);
	auth_len = (size_t)q[qe_sig_off + 64] | (size_t)q[qe_sig_off + 65] << 8;
	head = auth_off + auth_len;
	CT_ASSERT(qlen >= head + 6 && q[head] == 5 && q[head + 1] == 0);
	n = head + 6 + chain_len;
	o = malloc(n);
	CT_ASSERT(o);
	memcpy(o, q, head + 2);
	u = (uint32_t)chain_len;
	memcpy(o + head + 2, &u, 4);
	memcpy(o + head + 6, chain, chain_len);
	u = (uint32_t)(n - 436);
	memcpy(o + 432, &u, 4); /* signature data length */
	siglen = sizeof(der);
	CT_ASSERT(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pck) == 1 &&
		  EVP_DigestSign(md, der, &siglen, q + qe_off, 384) == 1);
	CT_ASSERT((es = d2i_ECDSA_SIG(NULL, &dp, (long)siglen)) != NULL);
	CT_ASSERT(BN_bn2binpad(ECDSA_SIG_get0_r(es), o + qe_sig_off, 32) == 32 &&
		  BN_bn2binpad(ECDSA_SIG_get0_s(es), o + qe_sig_off + 32, 32) == 32);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	*out_len = n;
	return o;
}

/* The platform's quote requoted with the chain: PCK leaf (key kl) issued by "Inter" (key ki), Inter issued by
 * issuer_cn (key ik), then tail (a root's PEM) appended. */
static uint8_t *quote_via(const uint8_t *quote, size_t qlen, EVP_PKEY *kl, EVP_PKEY *ki, EVP_PKEY *ik,
			  const char *issuer_cn, const uint8_t *tail, size_t tail_len, size_t *ql)
{
	uint8_t *chain = NULL, *q;
	size_t n = 0;
	append_cert(&chain, &n, kl, "PCK leaf", ki, "Inter", -3600, 86400, false);
	append_cert(&chain, &n, ki, "Inter", ik, issuer_cn, -3600, 86400, true);
	chain = realloc(chain, n + tail_len);
	CT_ASSERT(chain);
	memcpy(chain + n, tail, tail_len);
	q = requote(quote, qlen, kl, chain, n + tail_len, ql);
	free(chain);
	return q;
}

/* Two configured roots, R1 valid and R2 expired. A chain must rest on the root it ends in: leaf, intermediate
 * issued by R2, then R1 appended (the byte-for-byte root match is with R1) is refused in both worlds; the honest
 * chain to R2 is expired; leaf, intermediate issued by R1, R1 verifies (the re-signed quote itself is sound). */
static void anchored_at_the_tail(const struct a_verify_in *pol, const uint8_t *quote, size_t qlen)
{
	EVP_PKEY *k1 = EVP_EC_gen("P-256"), *k2 = EVP_EC_gen("P-256"), *ki = EVP_EC_gen("P-256"),
		 *kl = EVP_EC_gen("P-256");
	uint8_t *r1 = NULL, *roots = NULL, *q;
	size_t r1_len = 0, roots_len = 0, ql;
	struct a_verify_in t = *pol;
	CT_ASSERT(k1 && k2 && ki && kl);
	append_cert(&r1, &r1_len, k1, "Root One", k1, "Root One", -3600, 86400, true);
	roots = malloc(r1_len); /* the same certificate as r1, byte for byte, then R2 */
	CT_ASSERT(roots);
	memcpy(roots, r1, r1_len);
	roots_len = r1_len;
	append_cert(&roots, &roots_len, k2, "Root Two", k2, "Root Two", -2 * 86400, -86400, true);
	t.root_len = (uint32_t)roots_len;
	t.root_splits[0] = (uint32_t)r1_len;

	q = quote_via(quote, qlen, kl, ki, k2, "Root Two", r1, r1_len, &ql);
	both("chain anchored at the expired R2, with R1 appended", &t, roots, q, ql, CELLA_ERR_UNTRUSTED_ROOT, true);
	free(q);
	q = quote_via(quote, qlen, kl, ki, k2, "Root Two", roots + r1_len, roots_len - r1_len, &ql);
	both("honest chain to the expired R2", &t, roots, q, ql, CELLA_ERR_EXPIRED, true);
	free(q);
	q = quote_via(quote, qlen, kl, ki, k1, "Root One", r1, r1_len, &ql);
	both("chain to R1 under {R1, R2}", &t, roots, q, ql, CELLA_OK, true);
	free(q);

	free(roots);
	free(r1);
	EVP_PKEY_free(kl);
	EVP_PKEY_free(ki);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k1);
	cella_test_pass("a chain rests on the configured root it ends in: not on another (expired) one it passes through");
}

/* Roots as the policy lists them, the same in both worlds: every configured root counts, however many (the enclave
 * once took the first 4 and ignored the rest), and a PEM root is its first certificate, whatever follows it (the
 * enclave once refused one of more than 4 certificates); a root that does not parse is the caller's mistake
 * wherever it is in the list. */
static void every_root(const struct a_verify_in *pol, const uint8_t *quote, size_t qlen)
{
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00}; /* a SEQUENCE, but no certificate */
	struct a_verify_in t = *pol;
	uint8_t *roots = NULL;
	size_t len = 0, ends[5];

	/* five roots nobody trusts, then the platform's: six roots */
	for (int i = 0; i < 5; i++) {
		size_t l = 0;
		uint8_t *r = make_other_root(&l);
		roots = realloc(roots, len + l);
		CT_ASSERT(roots);
		memcpy(roots + len, r, l);
		len += l;
		ends[i] = len;
		t.root_splits[i] = (uint32_t)len;
		free(r);
	}
	roots = realloc(roots, len + root_len + sizeof(junk));
	CT_ASSERT(roots);
	memcpy(roots + len, root_pem, root_len);
	t.root_len = (uint32_t)(len + root_len);
	both("the platform's root sixth of six", &t, roots, quote, qlen, CELLA_OK, true);

	/* the platform's root first, the five after it: as one PEM root (its first certificate counts), and as six */
	memmove(roots + root_len, roots, len);
	memcpy(roots, root_pem, root_len);
	memset(t.root_splits, 0, sizeof(t.root_splits));
	both("one PEM root of six certificates, the platform's first", &t, roots, quote, qlen, CELLA_OK, true);
	t.root_splits[0] = (uint32_t)root_len;
	for (int i = 0; i < 4; i++)
		t.root_splits[i + 1] = (uint32_t)(root_len + ends[i]);
	both("the platform's root first of six", &t, roots, quote, qlen, CELLA_OK, true);

	/* ... then a seventh root that does not parse, after the one that matches */
	memcpy(roots + t.root_len, junk, sizeof(junk));
	t.root_splits[5] = t.root_len;
	t.root_len += (uint32_t)sizeof(junk);
	both("a seventh root that does not parse", &t, roots, quote, qlen, CELLA_ERR_INVALID_ARG, true);
	free(roots);
	cella_test_pass("every configured root counts in both worlds: six roots, one PEM root of six certificates, "
			"and a seventh that does not parse");
}

/* A configured root must be self-issued (issuer == subject) to anchor a chain: one whose issuer names another CA is
 * an intermediate, and anchoring at its subject would take what it signed as if a root had. Refused in both worlds
 * (the enclave once anchored at it); the same chain under a self-issued root with that key verifies. */
static void self_issued_roots(const struct a_verify_in *pol, const uint8_t *quote, size_t qlen)
{
	EVP_PKEY *kx = EVP_EC_gen("P-256"), *ki = EVP_EC_gen("P-256"), *kl = EVP_EC_gen("P-256");
	struct a_verify_in t = *pol;
	CT_ASSERT(kx && ki && kl);
	for (int self = 0; self < 2; self++) {
		uint8_t *root = NULL, *q;
		size_t root_l = 0, ql;
		append_cert(&root, &root_l, kx, "Root X", kx, self ? "Root X" : "Another CA", -3600, 86400, true);
		q = quote_via(quote, qlen, kl, ki, kx, "Root X", root, root_l, &ql);
		t.root_len = (uint32_t)root_l;
		both(self ? "a chain to a self-issued root" : "a chain to a root issued by another CA", &t, root, q, ql,
		     self ? CELLA_OK : CELLA_ERR_UNTRUSTED_ROOT, true);
		free(q);
		free(root);
	}
	EVP_PKEY_free(kl);
	EVP_PKEY_free(ki);
	EVP_PKEY_free(kx);
	cella_test_pass("a root whose issuer is not its subject anchors nothing, in both worlds");
}

/* ---- attested certificates written here, varying what Cella's writer (src/enclave/tls/cert.c) never does ---- */

struct bytes {
	const uint8_t *p;
	size_t n;
};
#define B(lit) {(const uint8_t *)(lit), sizeof(lit) - 1}

/* How the Ecdsa-Sig-Value (RFC 5480 2.2.3) is written: DER, or one way of not being DER or not fitting P-256. */
enum sig_form {
	SIG_DER,
	SIG_R_PADDED,       /* r with two extra leading 00 bytes */
	SIG_SEQ_LONG_LEN,   /* the SEQUENCE's length in the long form (30 81 xx) */
	SIG_S_LONG_LEN,     /* s's length in the long form (02 81 xx) */
	SIG_TRAILING_IN,    /* a NULL after s, inside the SEQUENCE */
	SIG_TRAILING_AFTER, /* 00 00 after the SEQUENCE, inside the BIT STRING */
	SIG_ONLY_R,
	SIG_R_NEGATIVE,     /* r = -1 */
	SIG_R_ZERO,
	SIG_R_TOO_BIG,      /* r + 2^256: 33 content bytes, the first 01 */
	SIG_R_ORDER,        /* r = n, the group order: DER, but no scalar (the crypto refuses it) */
};

struct cert_fields {
	struct bytes serial, issuer, validity, subject; /* whole TLVs; {NULL, 0}: the writer's */
	enum sig_form sig;
};

struct der {
	uint8_t *p;
	size_t n;
};

static void der_raw(struct der *d, const void *p, size_t n)
{
	d->p = realloc(d->p, d->n + n + 1);
	CT_ASSERT(d->p != NULL);
	if (n)
		memcpy(d->p + d->n, p, n);
	d->n += n;
}

/* tag, the DER length of n, the n bytes at p */
static void der_tlv(struct der *d, uint8_t tag, const void *p, size_t n)
{
	uint8_t h[4] = {tag};
	size_t k = 1;
	CT_ASSERT(n < 0x10000);
	if (n >= 0x100) {
		h[k++] = 0x82;
		h[k++] = (uint8_t)(n >> 8);
	} else if (n >= 0x80) {
		h[k++] = 0x81;
	}
	h[k++] = (uint8_t)n;
	der_raw(d, h, k);
	der_raw(d, p, n);
}

/* INTEGER holding the unsigned big-endian v[32]: minimal, plus `pad` needless leading zeros */
static void der_uint(struct der *d, const uint8_t v[32], size_t pad)
{
	uint8_t c[40] = {0};
	size_t i = 0, k;
	while (i < 31 && v[i] == 0)
		i++;
	k = pad + (v[i] >> 7);
	memcpy(c + k, v + i, 32 - i);
	der_tlv(d, 0x02, c, k + 32 - i);
}

/* The BIT STRING content (no unused bits, then the Ecdsa-Sig-Value) for the signature r || s. */
static void sig_value(struct der *out, const uint8_t rs[64], enum sig_form form)
{
	static const uint8_t order[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
					  0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
	struct der seq = {NULL, 0};
	uint8_t big[33] = {0x01};
	der_raw(out, "", 1);
	switch (form) {
	case SIG_R_PADDED:
		der_uint(&seq, rs, 2);
		break;
	case SIG_R_NEGATIVE:
		der_tlv(&seq, 0x02, "\xff", 1);
		break;
	case SIG_R_ZERO:
		der_tlv(&seq, 0x02, "\x00", 1);
		break;
	case SIG_R_TOO_BIG:
		memcpy(big + 1, rs, 32);
		der_tlv(&seq, 0x02, big, 33);
		break;
	case SIG_R_ORDER:
		der_uint(&seq, order, 0);
		break;
	default:
		der_uint(&seq, rs, 0);
	}
	if (form == SIG_S_LONG_LEN) {
		struct der s = {NULL, 0};
		der_uint(&s, rs + 32, 0);
		der_raw(&seq, "\x02\x81", 2);
		der_raw(&seq, s.p + 1, s.n - 1); /* the short length byte, then the content */
		free(s.p);
	} else if (form != SIG_ONLY_R) {
		der_uint(&seq, rs + 32, 0);
	}
	if (form == SIG_TRAILING_IN)
		der_raw(&seq, "\x05\x00", 2);
	if (form == SIG_SEQ_LONG_LEN) {
		uint8_t h[3] = {0x30, 0x81, (uint8_t)seq.n};
		der_raw(out, h, 3);
		der_raw(out, seq.p, seq.n);
	} else {
		der_tlv(out, 0x30, seq.p, seq.n);
	}
	if (form == SIG_TRAILING_AFTER)
		der_raw(out, "\x00\x00", 2);
	free(seq.p);
}

/* A self-signed attested certificate for key k, laid out as the writer lays it out, with f's fields; the
 * evidence env (OE envelope whose custom claims are k's SubjectPublicKeyInfo) its only extension. */
static uint8_t *attested_cert(EVP_PKEY *k, const uint8_t *env, size_t env_len, const struct cert_fields *f,
			      size_t *len)
{
	static const uint8_t alg[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02},
			     oid_ev[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x14, 0x0a, 0x01, 0x02};
	static const struct bytes serial = B("\x02\x10\x41\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
					     "\x00\x00\x00"),
				  name = B("\x30\x15\x31\x13\x30\x11\x06\x03\x55\x04\x03\x0c\x0a" "AttestTest"),
				  validity = B("\x30\x1e\x17\x0d" "240101000000Z" "\x17\x0d" "491231235959Z");
	const struct bytes *fields[4] = {f->serial.p ? &f->serial : &serial, f->issuer.p ? &f->issuer : &name,
					 f->validity.p ? &f->validity : &validity, f->subject.p ? &f->subject : &name};
	struct der tbs = {NULL, 0}, body = {NULL, 0}, ext = {NULL, 0}, t = {NULL, 0}, cert = {NULL, 0};
	unsigned char *spki = NULL, der[80], rs[64];
	const unsigned char *dp = der;
	size_t siglen = sizeof(der);
	int sl = i2d_PUBKEY(k, &spki);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es;

	CT_ASSERT(sl == 91 && md != NULL);
	der_raw(&body, "\xa0\x03\x02\x01\x02", 5); /* version 3 */
	der_raw(&body, fields[0]->p, fields[0]->n);
	der_raw(&body, alg, sizeof(alg));
	for (int i = 1; i < 4; i++)
		der_raw(&body, fields[i]->p, fields[i]->n);
	der_raw(&body, spki, (size_t)sl);
	der_raw(&t, oid_ev, sizeof(oid_ev)); /* Extension { extnID, extnValue } */
	der_tlv(&t, 0x04, env, env_len);
	der_tlv(&ext, 0x30, t.p, t.n);
	t.n = 0;
	der_tlv(&t, 0x30, ext.p, ext.n); /* Extensions */
	der_tlv(&body, 0xa3, t.p, t.n);
	der_tlv(&tbs, 0x30, body.p, body.n);

	CT_ASSERT(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
		  EVP_DigestSign(md, der, &siglen, tbs.p, tbs.n) == 1);
	CT_ASSERT((es = d2i_ECDSA_SIG(NULL, &dp, (long)siglen)) != NULL);
	CT_ASSERT(BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32) == 32 &&
		  BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32, 32) == 32);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);

	body.n = 0;
	der_raw(&body, tbs.p, tbs.n);
	der_raw(&body, alg, sizeof(alg));
	t.n = 0;
	sig_value(&t, rs, f->sig);
	der_tlv(&body, 0x03, t.p, t.n);
	der_tlv(&cert, 0x30, body.p, body.n);
	OPENSSL_free(spki);
	free(tbs.p);
	free(body.p);
	free(ext.p);
	free(t.p);
	*len = cert.n;
	return cert.p;
}

/* Attested certificates in both worlds: the Ecdsa-Sig-Value must be DER (the in-enclave verifier once passed it to
 * BearSSL's lax decoder and accepted re-encodings the host refused), and the serial number, validity, issuer and
 * subject must be well-formed (they were once skipped unread), each refused as CELLA_ERR_BAD_FORMAT; the controls
 * are forms RFC 5280 allows, and a validity long past (dates are not checked, cella/evidence.h). */
static void certificate_fields(struct cella_enclave *a, const struct a_verify_in *pol)
{
	static const struct {
		const char *what;
		struct cert_fields f;
		cella_result want;
	} cases[] = {
		{"the writer's layout (control)", {.sig = SIG_DER}, CELLA_OK},
		/* the signature */
		{"signature: r with extra leading zeros", {.sig = SIG_R_PADDED}, CELLA_ERR_BAD_FORMAT},
		{"signature: SEQUENCE length in the long form", {.sig = SIG_SEQ_LONG_LEN}, CELLA_ERR_BAD_FORMAT},
		{"signature: s length in the long form", {.sig = SIG_S_LONG_LEN}, CELLA_ERR_BAD_FORMAT},
		{"signature: NULL after s", {.sig = SIG_TRAILING_IN}, CELLA_ERR_BAD_FORMAT},
		{"signature: bytes after the SEQUENCE", {.sig = SIG_TRAILING_AFTER}, CELLA_ERR_BAD_FORMAT},
		{"signature: r alone", {.sig = SIG_ONLY_R}, CELLA_ERR_BAD_FORMAT},
		{"signature: r negative", {.sig = SIG_R_NEGATIVE}, CELLA_ERR_BAD_FORMAT},
		{"signature: r zero", {.sig = SIG_R_ZERO}, CELLA_ERR_BAD_FORMAT},
		{"signature: r of 33 bytes", {.sig = SIG_R_TOO_BIG}, CELLA_ERR_BAD_FORMAT},
		{"signature: r = n, DER (control: the crypto refuses it)", {.sig = SIG_R_ORDER}, CELLA_ERR_CERT_CHAIN},
		/* serialNumber (RFC 5280 4.1.2.2) */
		{"serial 1 (control)", {.serial = B("\x02\x01\x01")}, CELLA_OK},
		{"serial of 20 bytes (control)",
		 {.serial = B("\x02\x14\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f"
			      "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f")},
		 CELLA_OK},
		{"serial empty", {.serial = B("\x02\x00")}, CELLA_ERR_BAD_FORMAT},
		{"serial 00 01 (not minimal)", {.serial = B("\x02\x02\x00\x01")}, CELLA_ERR_BAD_FORMAT},
		{"serial negative", {.serial = B("\x02\x01\xff")}, CELLA_ERR_BAD_FORMAT},
		{"serial zero", {.serial = B("\x02\x01\x00")}, CELLA_ERR_BAD_FORMAT},
		{"serial of 21 bytes",
		 {.serial = B("\x02\x15\x01\x01\x01\x01\x01\x01\x01\x01\x01"
			      "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01")},
		 CELLA_ERR_BAD_FORMAT},
		{"serial of 21 bytes, 20 and the sign byte",
		 {.serial = B("\x02\x15\x00\x80\x80\x80\x80\x80\x80\x80\x80"
			      "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80")},
		 CELLA_ERR_BAD_FORMAT},
		{"serial of 40 bytes",
		 {.serial = B("\x02\x28\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
			      "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01")},
		 CELLA_ERR_BAD_FORMAT},
		/* validity (RFC 5280 4.1.2.5) */
		{"validity in GeneralizedTime (control)",
		 {.validity = B("\x30\x22\x18\x0f" "20240101000000Z" "\x18\x0f" "20491231235959Z")}, CELLA_OK},
		{"validity UTCTime to GeneralizedTime (control)",
		 {.validity = B("\x30\x20\x17\x0d" "240101000000Z" "\x18\x0f" "20500101000000Z")}, CELLA_OK},
		{"validity 1980 to 1990 (control: dates unchecked)",
		 {.validity = B("\x30\x1e\x17\x0d" "800101000000Z" "\x17\x0d" "900101000000Z")}, CELLA_OK},
		{"validity empty", {.validity = B("\x30\x00")}, CELLA_ERR_BAD_FORMAT},
		{"validity { INTEGER, NULL }", {.validity = B("\x30\x05\x02\x01\x01\x05\x00")}, CELLA_ERR_BAD_FORMAT},
		{"validity with one time", {.validity = B("\x30\x0f\x17\x0d" "240101000000Z")}, CELLA_ERR_BAD_FORMAT},
		{"validity with three times",
		 {.validity = B("\x30\x2d\x17\x0d" "240101000000Z" "\x17\x0d" "491231235959Z"
				"\x17\x0d" "491231235959Z")},
		 CELLA_ERR_BAD_FORMAT},
		{"UTCTime without seconds",
		 {.validity = B("\x30\x1c\x17\x0b" "2401010000Z" "\x17\x0d" "491231235959Z")}, CELLA_ERR_BAD_FORMAT},
		{"UTCTime with an offset",
		 {.validity = B("\x30\x22\x17\x11" "240101000000+0000" "\x17\x0d" "491231235959Z")},
		 CELLA_ERR_BAD_FORMAT},
		{"GeneralizedTime with a fraction",
		 {.validity = B("\x30\x24\x18\x11" "20240101000000.5Z" "\x18\x0f" "20491231235959Z")},
		 CELLA_ERR_BAD_FORMAT},
		{"UTCTime with a letter",
		 {.validity = B("\x30\x1e\x17\x0d" "240101000000Z" "\x17\x0d" "49123123595AZ")}, CELLA_ERR_BAD_FORMAT},
		{"UTCTime without the Z",
		 {.validity = B("\x30\x1e\x17\x0d" "2401010000000" "\x17\x0d" "491231235959Z")}, CELLA_ERR_BAD_FORMAT},
		{"OCTET STRING for a time",
		 {.validity = B("\x30\x1e\x04\x0d" "240101000000Z" "\x17\x0d" "491231235959Z")}, CELLA_ERR_BAD_FORMAT},
		/* issuer and subject (RFC 5280 4.1.2.4, 4.1.2.6) */
		{"names of three RDNs, one with two attributes (control)",
		 {.issuer = B("\x30\x30\x31\x0b\x30\x09\x06\x03\x55\x04\x06\x13\x02\x55\x53\x31\x21"
			      "\x30\x11\x06\x03\x55\x04\x03\x0c\x0a" "AttestTest"
			      "\x30\x0c\x06\x03\x55\x04\x0a\x13\x05" "Cella"),
		  .subject = B("\x30\x30\x31\x0b\x30\x09\x06\x03\x55\x04\x06\x13\x02\x55\x53\x31\x21"
			       "\x30\x11\x06\x03\x55\x04\x03\x0c\x0a" "AttestTest"
			       "\x30\x0c\x06\x03\x55\x04\x0a\x13\x05" "Cella")},
		 CELLA_OK},
		{"issuer empty", {.issuer = B("\x30\x00")}, CELLA_ERR_BAD_FORMAT},
		{"subject empty", {.subject = B("\x30\x00")}, CELLA_ERR_BAD_FORMAT},
		{"issuer of arbitrary bytes", {.issuer = B("\x30\x04\xde\xad\xbe\xef")}, CELLA_ERR_BAD_FORMAT},
		{"subject of arbitrary bytes", {.subject = B("\x30\x02\x01\x02")}, CELLA_ERR_BAD_FORMAT},
		{"issuer with an empty RDN", {.issuer = B("\x30\x02\x31\x00")}, CELLA_ERR_BAD_FORMAT},
		{"subject RDN a SEQUENCE, not a SET",
		 {.subject = B("\x30\x15\x30\x13\x30\x11\x06\x03\x55\x04\x03\x0c\x0a" "AttestTest")},
		 CELLA_ERR_BAD_FORMAT},
		{"issuer attribute without a value", {.issuer = B("\x30\x09\x31\x07\x30\x05\x06\x03\x55\x04\x03")},
		 CELLA_ERR_BAD_FORMAT},
		{"subject attribute with two values",
		 {.subject = B("\x30\x0f\x31\x0d\x30\x0b\x06\x03\x55\x04\x03\x0c\x01\x61\x0c\x01\x62")},
		 CELLA_ERR_BAD_FORMAT},
		{"issuer attribute type not an OID",
		 {.issuer = B("\x30\x15\x31\x13\x30\x11\x04\x03\x55\x04\x03\x0c\x0a" "AttestTest")},
		 CELLA_ERR_BAD_FORMAT},
		{"subject attribute type an empty OID",
		 {.subject = B("\x30\x12\x31\x10\x30\x0e\x06\x00\x0c\x0a" "AttestTest")}, CELLA_ERR_BAD_FORMAT},
		{"issuer OID with a leading 80 group",
		 {.issuer = B("\x30\x16\x31\x14\x30\x12\x06\x04\x55\x80\x04\x03\x0c\x0a" "AttestTest")},
		 CELLA_ERR_BAD_FORMAT},
		{"subject OID ending inside a subidentifier",
		 {.subject = B("\x30\x15\x31\x13\x30\x11\x06\x03\x55\x04\x83\x0c\x0a" "AttestTest")},
		 CELLA_ERR_BAD_FORMAT},
		{"issuer value with a multi-byte tag",
		 {.issuer = B("\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03\x1f\x0c\x01\x61")}, CELLA_ERR_BAD_FORMAT},
		/* a UTF8String value must be UTF-8 (RFC 3629): two, three and four-byte characters pass */
		{"subject CN of 2, 3 and 4-byte UTF-8 (control)",
		 {.subject = B("\x30\x1c\x31\x1a\x30\x18\x06\x03\x55\x04\x03\x0c\x11" "Enclave "
			       "\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80")},
		 CELLA_OK},
		{"subject CN a byte that is never UTF-8",
		 {.subject = B("\x30\x0c\x31\x0a\x30\x08\x06\x03\x55\x04\x03\x0c\x01\xff")}, CELLA_ERR_BAD_FORMAT},
		{"issuer CN an overlong '/'",
		 {.issuer = B("\x30\x0d\x31\x0b\x30\x09\x06\x03\x55\x04\x03\x0c\x02\xc0\xaf")}, CELLA_ERR_BAD_FORMAT},
		{"subject CN a UTF-16 surrogate",
		 {.subject = B("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55\x04\x03\x0c\x03\xed\xa0\x80")},
		 CELLA_ERR_BAD_FORMAT},
		{"subject CN cut inside a character",
		 {.subject = B("\x30\x0f\x31\x0d\x30\x0b\x06\x03\x55\x04\x03\x0c\x04" "ab" "\xe2\x82")},
		 CELLA_ERR_BAD_FORMAT},
	};
	EVP_PKEY *k = EVP_EC_gen("P-256");
	unsigned char *spki = NULL;
	uint8_t *env = malloc(20000), *cert;
	size_t elen = 0, n;
	struct a_verify_in t = *pol;
	int sl;

	CT_ASSERT(k != NULL && env != NULL);
	sl = i2d_PUBKEY(k, &spki);
	CT_ASSERT(sl > 0);
	/* as the writer does: the envelope's custom claims are the key, so report data = SHA-256(SPKI) || 0 */
	CT_RESULT(cella_enclave_call(a, A_ENVELOPE, spki, (size_t)sl, env, 20000, &elen), CELLA_OK);
	t.flags |= A_F_CERT;
	t.report_data_len = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cert = attested_cert(k, env, elen, &cases[i].f, &n);
		both(cases[i].what, &t, root_pem, cert, n, cases[i].want, true);
		free(cert);
	}
	OPENSSL_free(spki);
	free(env);
	EVP_PKEY_free(k);
	cella_test_pass("attested certificates: a non-DER signature, a malformed serial, validity, issuer or subject "
			"(a CN that is not UTF-8 among them) are refused in both worlds");
}

/* An attested certificate binds its key as report data SHA-256(SPKI) || 32 zero bytes (cella/tls.h): evidence over
 * the right hash with a byte set in the last 32 is refused in both worlds (it was accepted: only the first 32 were
 * compared); all zero passes. The envelope is put together here around a quote over the chosen report data. */
static void report_data_tail(struct cella_enclave *a, const struct a_verify_in *pol)
{
	static const uint8_t uuid[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
	static const struct cert_fields writers = {0};
	const size_t cap = 20000, h = CELLA_EVIDENCE_HEADER_BYTES;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	unsigned char *spki = NULL;
	uint8_t rd[64], *env = malloc(cap), *cert;
	struct a_verify_in t = *pol;
	uint32_t version = CELLA_EVIDENCE_HEADER_VERSION;
	int sl = k ? i2d_PUBKEY(k, &spki) : 0;
	CT_ASSERT(env != NULL && sl > 0);
	t.flags |= A_F_CERT;
	t.report_data_len = 0;
	for (int tail = 0; tail < 2; tail++) {
		size_t qlen = 0, n;
		uint64_t size;
		memset(rd, 0, sizeof(rd));
		SHA256(spki, (size_t)sl, rd);
		rd[63] = (uint8_t)tail;
		CT_RESULT(cella_enclave_call(a, A_EVIDENCE, rd, 64, env + h, cap - h - (size_t)sl, &qlen), CELLA_OK);
		memcpy(env + h + qlen, spki, (size_t)sl);
		size = qlen + (size_t)sl;
		memcpy(env, &version, 4);
		memcpy(env + 4, uuid, 16);
		memcpy(env + 20, &size, 8);
		cert = attested_cert(k, env, h + (size_t)size, &writers, &n);
		both(tail ? "report data's last byte set" : "report data SHA-256(SPKI) || zeros", &t, root_pem, cert, n,
		     tail ? CELLA_ERR_REPORT_DATA : CELLA_OK, true);
		free(cert);
	}
	OPENSSL_free(spki);
	free(env);
	EVP_PKEY_free(k);
	cella_test_pass("attested certificates: report data past the key's hash must be zero, in both worlds");
}

/* notBefore of the platform's root, Unix seconds. */
static int64_t root_not_before(void)
{
	BIO *b = BIO_new_mem_buf(root_pem, (int)root_len);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	struct tm tm;
	CT_ASSERT(x && ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1);
	X509_free(x);
	BIO_free(b);
	return (int64_t)timegm(&tm);
}

/* The OE envelope around a bare quote (the raw-quote format): exactly the quote, so a byte after it is refused
 * whether data_size counts it or not. `buf` holds CELLA_EVIDENCE_HEADER_BYTES + qlen + 1 bytes. */
static void raw_quote_envelope(const struct a_verify_in *pol, const uint8_t *root, const uint8_t *quote, size_t qlen,
			       uint8_t *buf)
{
	static const uint8_t raw_uuid[16] = CELLA_FORMAT_UUID_RAW_SGX_QUOTE_ECDSA;
	uint32_t version = CELLA_EVIDENCE_HEADER_VERSION;
	uint64_t size = qlen;
	size_t n = CELLA_EVIDENCE_HEADER_BYTES + qlen;
	memcpy(buf, &version, 4); /* little-endian fields, as the verifier reads them on x86-64 */
	memcpy(buf + 4, raw_uuid, 16);
	memcpy(buf + 20, &size, 8);
	memcpy(buf + CELLA_EVIDENCE_HEADER_BYTES, quote, qlen);
	buf[n] = 0;
	both("raw-quote envelope", pol, root, buf, n, CELLA_OK, true);
	both("raw-quote envelope, a trailing byte data_size does not count", pol, root, buf, n + 1,
	     CELLA_ERR_QUOTE_FORMAT, true);
	size = qlen + 1;
	memcpy(buf + 20, &size, 8);
	both("raw-quote envelope, a trailing byte data_size counts", pol, root, buf, n + 1, CELLA_ERR_QUOTE_FORMAT,
	     true);
	cella_test_pass("raw-quote envelope: the quote alone verifies, a trailing byte is refused");
}

int main(int argc, char **argv)
{
	struct cella_enclave *a;
	struct cella_hash mr, ms;
	struct cella_claims c;
	struct a_verify_in pol, t;
	uint8_t rd[64], *quote = malloc(16384), *env = malloc(20000);
	const uint8_t *v;
	size_t qlen = 0, elen = 0, vs;
	char path[4096];
	const char *dir = getenv("CELLA_PLATFORM_DIR");
	int64_t now = (int64_t)time(NULL);
	static const char claims_text[] = "custom claims: nonce 42";

	if (argc != 3 || !dir)
		return 2;
	a = open_enclave(argv[1]);
	verifier = open_enclave(argv[2]);
	CT_RESULT(cella_enclave_identity(a, &mr, &ms), CELLA_OK);
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(0xa0 ^ i);
	CT_RESULT(cella_enclave_call(a, A_EVIDENCE, rd, 64, quote, 16384, &qlen), CELLA_OK);
	snprintf(path, sizeof(path), "%s/root-ca.pem", dir);
	root_pem = cella_test_read_file(path, &root_len);
	other_root = make_other_root(&other_len);

	/* the accepting policy: this enclave, debug and software TEE explicitly allowed */
	memset(&pol, 0, sizeof(pol));
	pol.time = now;
	pol.flags = A_F_SOFTWARE | A_F_DEBUG | A_F_MRENCLAVE | A_F_MRSIGNER | A_F_PRODUCT;
	memcpy(pol.mrenclave, mr.b, 32);
	memcpy(pol.mrsigner, ms.b, 32);
	pol.product_id = 7;
	pol.min_svn = 3;
	pol.report_data_len = 64;
	memcpy(pol.report_data, rd, 64);
	pol.root_len = (uint32_t)root_len;

	both("accepting policy", &pol, root_pem, quote, qlen, CELLA_OK, true);
	CT_RESULT(host_verify(&pol, root_pem, quote, qlen, &c), CELLA_OK);
	CT_ASSERT(memcmp(c.unique_id, mr.b, 32) == 0 && memcmp(c.signer_id, ms.b, 32) == 0);
	CT_EQ(c.security_version, 3);
	CT_EQ(c.product_id[0], 7);
	CT_EQ(c.attributes, CELLA_EVIDENCE_ATTR_DEBUG | CELLA_EVIDENCE_ATTR_REMOTE);
	CT_EQ(c.tcb_status, CELLA_EVIDENCE_TCB_SOFTWARE);
	CT_EQ(c.software_tee, 1);
	CT_ASSERT(memcmp(c.sgx_report_data, rd, 64) == 0);
	CT_ASSERT(c.validity_from < now && c.validity_until > now);
	CT_RESULT(cella_claims_find(&c, "unique_id", &v, &vs), CELLA_OK);
	CT_ASSERT(vs == 32 && memcmp(v, mr.b, 32) == 0);
	CT_RESULT(cella_claims_find(&c, "security_version", &v, &vs), CELLA_OK);
	CT_ASSERT(vs == 4 && v[0] == 3);
	CT_RESULT(cella_claims_find(&c, "sgx_report_data", &v, &vs), CELLA_OK);
	CT_ASSERT(vs == 64 && memcmp(v, rd, 64) == 0);
	CT_RESULT(cella_claims_find(&c, "no_such_claim", &v, &vs), CELLA_ERR_NOT_FOUND);
	cella_test_pass("software evidence verifies in both worlds; OE-named claims");

	/* policy refusals: the evidence is genuine, the policy says no */
	t = pol, t.flags &= ~A_F_SOFTWARE;
	both("software TEE not allowed", &t, root_pem, quote, qlen, CELLA_ERR_POLICY, true);
	t = pol, t.flags &= ~A_F_DEBUG;
	both("debug enclave under a non-debug policy", &t, root_pem, quote, qlen, CELLA_ERR_POLICY, true);
	t = pol, t.flags &= ~(A_F_MRENCLAVE | A_F_MRSIGNER);
	both("no identity pinned", &t, root_pem, quote, qlen, CELLA_ERR_POLICY, true);
	t.flags |= A_F_ANY;
	both("any identity, explicitly", &t, root_pem, quote, qlen, CELLA_OK, true);
	t = pol, t.mrenclave[5] ^= 1;
	both("other MRENCLAVE", &t, root_pem, quote, qlen, CELLA_ERR_POLICY, true);
	t = pol, t.mrsigner[0] ^= 1;
	both("other MRSIGNER", &t, root_pem, quote, qlen, CELLA_ERR_POLICY, true);
	t = pol, t.product_id = 8;
	both("other product", &t, root_pem, quote, qlen, CELLA_ERR_POLICY, true);
	t = pol, t.min_svn = 4;
	both("SVN below the minimum", &t, root_pem, quote, qlen, CELLA_ERR_POLICY, true);
	t = pol, t.report_data[63] ^= 1;
	both("report_data mismatch", &t, root_pem, quote, qlen, CELLA_ERR_REPORT_DATA, true);
	cella_test_pass("policy refusals: software TEE, debug, identity, product, SVN, report data");

	/* L2: a relying party's second session asks for evidence over a fresh nonce; the first session's evidence,
	 * replayed, carries the old nonce and is refused, while the enclave's fresh evidence passes */
	{
		uint8_t rd2[64], *q2 = malloc(16384);
		size_t q2len = 0;
		CT_ASSERT(q2 != NULL);
		for (int i = 0; i < 64; i++)
			rd2[i] = (uint8_t)(0x5c ^ (i * 7));
		CT_RESULT(cella_enclave_call(a, A_EVIDENCE, rd2, 64, q2, 16384, &q2len), CELLA_OK);
		t = pol;
		memcpy(t.report_data, rd2, 64);
		both("second session, fresh evidence", &t, root_pem, q2, q2len, CELLA_OK, true);
		both("second session, first session's evidence replayed", &t, root_pem, quote, qlen,
		     CELLA_ERR_REPORT_DATA, true);
		free(q2);
	}
	cella_test_pass("L2 evidence replayed from an earlier session (old nonce) is refused");

	/* trust and time */
	t = pol, t.root_len = (uint32_t)other_len;
	both("untrusted software root", &t, other_root, quote, qlen, CELLA_ERR_UNTRUSTED_ROOT, true);
	t = pol, t.root_len = 0;
	both("no trusted root", &t, root_pem, quote, qlen, CELLA_ERR_UNTRUSTED_ROOT, true);
	t = pol, t.time = now + 30LL * 365 * 86400;
	both("root expired (30 years on)", &t, root_pem, quote, qlen, CELLA_ERR_EXPIRED, true);
	t = pol, t.time = root_not_before() - 86400;
	both("root not yet valid", &t, root_pem, quote, qlen, CELLA_ERR_EXPIRED, true);
	t = pol, t.time = 0;
	both("no verification time", &t, root_pem, quote, qlen, CELLA_ERR_INVALID_ARG, true);
	cella_test_pass("untrusted, missing, expired and not-yet-valid software roots are refused");
	anchored_at_the_tail(&pol, quote, qlen);
	every_root(&pol, quote, qlen);
	self_issued_roots(&pol, quote, qlen);

	/* one flipped bit anywhere in the quote: every byte on the host, every 13th in the enclave */
	for (size_t i = 0; i < qlen; i++) {
		struct cella_claims cc;
		cella_result r;
		quote[i] ^= (uint8_t)(1u << (i % 8));
		r = host_verify(&pol, root_pem, quote, qlen, &cc);
		if (r == CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "host accepts the quote with byte %zu changed", i);
		if (i % 13 == 0) {
			struct a_verify_out o;
			r = enclave_verify(&pol, root_pem, quote, qlen, &o);
			if (r == CELLA_OK)
				cella_test_fail(__FILE__, __LINE__, "enclave accepts the quote with byte %zu changed", i);
		}
		quote[i] ^= (uint8_t)(1u << (i % 8));
	}
	both("restored quote", &pol, root_pem, quote, qlen, CELLA_OK, true);
	/* the header's fields name the same error in both worlds (the enclave called a reserved field that is not zero
	 * an unsupported version) */
	quote[2] = 3;
	both("attestation key type 3", &pol, root_pem, quote, qlen, CELLA_ERR_QUOTE_VERSION, true);
	quote[2] = 2;
	quote[6] = 1;
	both("v3 reserved header field not zero", &pol, root_pem, quote, qlen, CELLA_ERR_QUOTE_FORMAT, true);
	quote[6] = 0;
	both("restored quote", &pol, root_pem, quote, qlen, CELLA_OK, true);
	for (size_t n = 0; n < qlen; n += 97)
		both("truncated quote", &pol, root_pem, quote, n, n == 0 ? CELLA_ERR_INVALID_ARG : CELLA_ERR_QUOTE_FORMAT,
		     n % 3 == 0);
	cella_test_pass("one flipped bit anywhere in a quote, or a truncated quote, is refused");

	l6_host_memory(&pol, root_pem, quote, qlen);

	/* OE envelope: report data = SHA-256(custom claims) */
	CT_RESULT(cella_enclave_call(a, A_ENVELOPE, claims_text, sizeof(claims_text), env, 20000, &elen), CELLA_OK);
	t = pol, t.report_data_len = 0;
	both("OE envelope", &t, root_pem, env, elen, CELLA_OK, true);
	CT_RESULT(host_verify(&t, root_pem, env, elen, &c), CELLA_OK);
	CT_EQ(c.custom_claims_len, sizeof(claims_text));
	CT_ASSERT(memcmp(c.custom_claims, claims_text, sizeof(claims_text)) == 0);
	env[elen - 3] ^= 1;
	both("OE envelope, custom claims changed", &t, root_pem, env, elen, CELLA_ERR_REPORT_DATA, true);
	env[elen - 3] ^= 1;
	env[21] ^= 1; /* data size */
	both("OE envelope, bad size", &t, root_pem, env, elen, CELLA_ERR_QUOTE_FORMAT, true);
	cella_test_pass("Open Enclave evidence envelope with custom claims");
	raw_quote_envelope(&pol, root_pem, quote, qlen, env);

	certificate_fields(a, &pol);
	report_data_tail(a, &pol);

	free(quote);
	free(env);
	free(root_pem);
	free(other_root);
	CT_RESULT(cella_enclave_terminate(a), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(verifier), CELLA_OK);
	return 0;
}
