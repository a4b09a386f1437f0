// SPDX-License-Identifier: MIT
/*
 * Attested certificates, written in DER by hand (BearSSL has no X.509 writer). RFC 5280 4.1 structure, X.690 DER:
 * definite minimal lengths, INTEGER serial positive and minimal, UTCTime validity, SET OF with one element.
 */
#include <cella/tls.h>

#include <bearssl.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <stdlib.h>
#include <string.h>

#include "attest_internal.h"
#include "utf8.h"

#define MAX_CN 64
#define MAX_SIG 72 /* DER ECDSA P-256 signature: SEQUENCE { INTEGER r, INTEGER s }, each at most 33 bytes */

static const uint8_t oid_ec[] = AT_OID_EC_PUBLIC_KEY, oid_p256[] = AT_OID_P256;
static const uint8_t oid_sig[] = AT_OID_ECDSA_SHA256, oid_ev[] = AT_OID_OE_EVIDENCE;
static const uint8_t oid_bc[] = AT_OID_BASIC_CONSTRAINTS, oid_cn[] = AT_OID_COMMON_NAME;
static const char not_before[] = "240101000000Z", not_after[] = "491231235959Z";

static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* Bytes of a DER header for content length n. */
static size_t hlen(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : 5;
}

/* Size of a whole TLV with n content bytes. */
static size_t tl(size_t n)
{
	return hlen(n) + n;
}

/* A forward writer over a buffer whose final size was computed first; overruns are bugs (checked anyway). */
struct w {
	uint8_t *p;
	size_t cap, pos;
	int bad;
};

static void hdr(struct w *w, uint8_t tag, size_t n)
{
	uint8_t h[5];
	size_t k = hlen(n);
	h[0] = tag;
	if (k == 2) {
		h[1] = (uint8_t)n;
	} else {
		h[1] = (uint8_t)(0x80 | (k - 2));
		for (size_t i = 0; i < k - 2; i++)
			h[2 + i] = (uint8_t)(n >> (8 * (k - 3 - i)));
	}
	if (k > w->cap - w->pos) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->pos, h, k);
	w->pos += k;
}

static void raw(struct w *w, const void *d, size_t n)
{
	if (n > w->cap - w->pos) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->pos, d, n);
	w->pos += n;
}

/* see cella/tls.h */
void cella_tls_key_spki(const struct cella_tls_key *key, uint8_t spki[CELLA_TLS_SPKI_BYTES])
{
	struct w w = {spki, CELLA_TLS_SPKI_BYTES, 0, 0};
	hdr(&w, 0x30, tl(sizeof(oid_ec) + sizeof(oid_p256)) + tl(66));
	hdr(&w, 0x30, sizeof(oid_ec) + sizeof(oid_p256));
	raw(&w, oid_ec, sizeof(oid_ec));
	raw(&w, oid_p256, sizeof(oid_p256));
	hdr(&w, 0x03, 66);
	raw(&w, "", 1); /* no unused bits */
	raw(&w, key->pub, 65);
}

/* see cella/tls.h */
cella_result cella_tls_key_generate(struct cella_tls_key *key)
{
	br_hmac_drbg_context rng;
	br_ec_private_key sk;
	br_ec_public_key pk;
	uint8_t seed[48], kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
	const br_ec_impl *ec = br_ec_get_default();
	cella_result r = CELLA_ERR_CRYPTO;

	if (cella_random(seed, sizeof(seed)) != CELLA_OK)
		goto out;
	br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof(seed));
	if (br_ec_keygen(&rng.vtable, ec, &sk, kbuf, BR_EC_secp256r1) != 32 || br_ec_compute_pub(ec, &pk, pbuf, &sk) != 65)
		goto out;
	memcpy(key->secret, sk.x, 32);
	memcpy(key->pub, pk.q, 65);
	r = CELLA_OK;
out:
	wipe(&rng, sizeof(rng));
	wipe(seed, sizeof(seed));
	wipe(kbuf, sizeof(kbuf));
	return r;
}

/* see cella/tls.h */
void cella_tls_key_fini(struct cella_tls_key *key)
{
	if (key)
		wipe(key, sizeof(*key));
}

/* see cella/tls.h */
cella_result cella_tls_cert_build(const struct cella_tls_key *key, const char *common_name, const uint8_t *ext,
				  size_t ext_len, uint8_t *cert, size_t cap, size_t *len)
{
	const char *cn = common_name ? common_name : "Cella attested enclave";
	size_t cn_len = strlen(cn), name_len, validity_len, exts_len, ext_ev_len, ext_bc_len, tbs_len, alg_len;
	size_t sig_len, total, tbs_content;
	uint8_t serial[16], spki[CELLA_TLS_SPKI_BYTES], hash[32], sig[MAX_SIG];
	uint8_t *tbs = NULL;
	br_ec_private_key sk = {BR_EC_secp256r1, NULL, 32};
	struct w w;
	cella_result r = CELLA_ERR_UNEXPECTED;

	*len = 0;
	/* the CN is written as a UTF8String (X.680 41): its bytes must be UTF-8, as every verifier's parser requires */
	if (cn_len == 0 || cn_len > MAX_CN || !cella_utf8_valid(cn, cn_len) || ext_len > (1u << 20))
		return CELLA_ERR_INVALID_ARG;
	CELLA_CHECK(cella_random(serial, sizeof(serial)));
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40); /* positive and minimal: 16 content bytes exactly */
	cella_tls_key_spki(key, spki);

	/* sizes, inside out */
	alg_len = tl(sizeof(oid_sig));
	name_len = tl(tl(tl(sizeof(oid_cn) + tl(cn_len))));               /* SEQ { SET { SEQ { oid, UTF8 } } } */
	validity_len = tl(tl(sizeof(not_before) - 1) + tl(sizeof(not_after) - 1));
	ext_bc_len = tl(sizeof(oid_bc) + tl(2));                           /* OCTET STRING { SEQUENCE {} } */
	ext_ev_len = tl(sizeof(oid_ev) + tl(ext_len));
	exts_len = tl(tl(ext_bc_len + ext_ev_len));                        /* [3] { SEQ { ext, ext } } */
	tbs_content = 5 + tl(sizeof(serial)) + alg_len + name_len + validity_len + name_len + sizeof(spki) + exts_len;
	tbs_len = tl(tbs_content);

	tbs = malloc(tbs_len);
	if (!tbs)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	w = (struct w){tbs, tbs_len, 0, 0};
	hdr(&w, 0x30, tbs_content);
	raw(&w, "\xa0\x03\x02\x01\x02", 5); /* [0] EXPLICIT INTEGER 2: version 3 */
	hdr(&w, 0x02, sizeof(serial));
	raw(&w, serial, sizeof(serial));
	hdr(&w, 0x30, sizeof(oid_sig));
	raw(&w, oid_sig, sizeof(oid_sig));
	for (int i = 0; i < 2; i++) {
		if (i == 1) { /* validity between issuer and subject */
			hdr(&w, 0x30, tl(sizeof(not_before) - 1) + tl(sizeof(not_after) - 1));
			hdr(&w, 0x17, sizeof(not_before) - 1);
			raw(&w, not_before, sizeof(not_before) - 1);
			hdr(&w, 0x17, sizeof(not_after) - 1);
			raw(&w, not_after, sizeof(not_after) - 1);
		}
		hdr(&w, 0x30, tl(tl(sizeof(oid_cn) + tl(cn_len))));
		hdr(&w, 0x31, tl(sizeof(oid_cn) + tl(cn_len)));
		hdr(&w, 0x30, sizeof(oid_cn) + tl(cn_len));
		raw(&w, oid_cn, sizeof(oid_cn));
		hdr(&w, 0x0c, cn_len);
		raw(&w, cn, cn_len);
	}
	raw(&w, spki, sizeof(spki));
	hdr(&w, 0xa3, tl(ext_bc_len + ext_ev_len));
	hdr(&w, 0x30, ext_bc_len + ext_ev_len);
	hdr(&w, 0x30, sizeof(oid_bc) + tl(2)); /* basicConstraints, non-critical: CA:FALSE */
	raw(&w, oid_bc, sizeof(oid_bc));
	hdr(&w, 0x04, 2);
	raw(&w, "\x30\x00", 2);
	hdr(&w, 0x30, sizeof(oid_ev) + tl(ext_len)); /* the evidence */
	raw(&w, oid_ev, sizeof(oid_ev));
	hdr(&w, 0x04, ext_len);
	raw(&w, ext, ext_len);
	if (w.bad || w.pos != tbs_len)
		CELLA_FAIL(CELLA_ERR_UNEXPECTED);

	at_sha256(tbs, tbs_len, hash);
	sk.x = (unsigned char *)key->secret;
	sig_len = br_ecdsa_i31_sign_asn1(br_ec_get_default(), &br_sha256_vtable, hash, &sk, sig);
	if (sig_len == 0)
		CELLA_FAIL(CELLA_ERR_CRYPTO);
	total = tl(tbs_len + alg_len + tl(sig_len + 1));
	if (cap < total) {
		/* a retry signs afresh, and the signature's DER length varies by a few bytes: ask for the longest */
		*len = tl(tbs_len + alg_len + tl(MAX_SIG + 1));
		CELLA_FAIL(CELLA_ERR_BUFFER_TOO_SMALL);
	}
	*len = total;
	w = (struct w){cert, cap, 0, 0};
	hdr(&w, 0x30, tbs_len + alg_len + tl(sig_len + 1));
	raw(&w, tbs, tbs_len);
	hdr(&w, 0x30, sizeof(oid_sig));
	raw(&w, oid_sig, sizeof(oid_sig));
	hdr(&w, 0x03, sig_len + 1);
	raw(&w, "", 1);
	raw(&w, sig, sig_len);
	if (w.bad || w.pos != total)
		CELLA_FAIL(CELLA_ERR_UNEXPECTED);
	r = CELLA_OK;
out:
	free(tbs);
	return r;
}

/* see cella/tls.h */
cella_result cella_attest_cert_bound(const struct cella_tls_key *key, const char *common_name,
				     const uint8_t bound[32], uint8_t *cert, size_t cap, size_t *len)
{
	static const uint8_t uuid[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
	uint8_t spki[CELLA_TLS_SPKI_BYTES], rd[64];
	uint8_t *env = NULL;
	size_t qlen = 0, env_cap = CELLA_EVIDENCE_HEADER_BYTES + 16384 + sizeof(spki);
	uint64_t data_size;
	uint32_t version = CELLA_EVIDENCE_HEADER_VERSION;
	cella_result r = CELLA_ERR_UNEXPECTED;

	*len = 0;
	cella_tls_key_spki(key, spki);
	at_sha256(spki, sizeof(spki), rd); /* report_data = SHA-256(SubjectPublicKeyInfo) || bound */
	memcpy(rd + 32, bound, 32);
	env = malloc(env_cap);
	if (!env)
		return CELLA_ERR_OUT_OF_MEMORY;
	CELLA_CHECK(cella_get_evidence(rd, env + CELLA_EVIDENCE_HEADER_BYTES, env_cap - CELLA_EVIDENCE_HEADER_BYTES -
						   sizeof(spki), &qlen));
	memcpy(env + CELLA_EVIDENCE_HEADER_BYTES + qlen, spki, sizeof(spki));
	data_size = qlen + sizeof(spki);
	memcpy(env, &version, 4);
	memcpy(env + 4, uuid, 16);
	memcpy(env + 20, &data_size, 8);
	r = cella_tls_cert_build(key, common_name, env, CELLA_EVIDENCE_HEADER_BYTES + (size_t)data_size, cert, cap,
				 len);
out:
	free(env);
	return r;
}

/* see cella/tls.h */
cella_result cella_attest_cert(const struct cella_tls_key *key, const char *common_name, uint8_t *cert, size_t cap,
			       size_t *len)
{
	static const uint8_t nothing[32];
	return cella_attest_cert_bound(key, common_name, nothing, cert, cap, len);
}
