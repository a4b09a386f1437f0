// SPDX-License-Identifier: MIT
/*
 * cella_verify_attest_cert (both worlds): parses an attested-TLS certificate (RFC 5280 4.1, DER), checks its
 * ECDSA P-256 self-signature, and verifies the evidence in its extension with the key bound as report data.
 */
#include "attest_internal.h"

#include <string.h>

#include "utf8.h"

static const uint8_t oid_ec[] = AT_OID_EC_PUBLIC_KEY, oid_p256[] = AT_OID_P256;
static const uint8_t oid_sig[] = AT_OID_ECDSA_SHA256, oid_ev[] = AT_OID_OE_EVIDENCE;
/* The extensions a critical flag may sit on (RFC 5280 4.2: a certificate with a critical extension the verifier
 * does not recognise is refused): ours, and the two an end-entity certificate commonly marks critical, which
 * say nothing this verifier relies on (it checks the self-signature and the evidence, not a path). The values are
 * the OIDs' contents (the definitions above include tag and length). */
static const uint8_t oid_basic_constraints[] = {0x55, 0x1d, 0x13}, oid_key_usage[] = {0x55, 0x1d, 0x0f};

#define MAX_EXTENSIONS 32

static bool oid_is(const struct at_der *id, const uint8_t *oid, size_t n)
{
	return id->n == n && memcmp(id->p, oid, n) == 0;
}

struct parsed {
	struct at_der tbs, spki, ext;
	const uint8_t *point; /* 65 bytes, 0x04 || X || Y */
	uint8_t sig[64];      /* r || s, big-endian */
};

/* AlgorithmIdentifier ecdsa-with-SHA256 (no parameters, RFC 5758 3.2). */
static int is_ecdsa_sha256(struct at_der *in)
{
	struct at_der alg;
	return at_der_next(in, 0x30, &alg, NULL) == 0 && alg.n == sizeof(oid_sig) &&
	       memcmp(alg.p, oid_sig, sizeof(oid_sig)) == 0;
}

/* The content of a DER INTEGER that is positive (X.690 8.3.2: at least one byte, the first nine bits not all
 * equal; a set top bit makes it negative; zero is not positive). */
static bool positive_int(const struct at_der *v)
{
	if (v->n == 0 || v->p[0] & 0x80)
		return false;
	if (v->n > 1 && v->p[0] == 0 && !(v->p[1] & 0x80))
		return false; /* a needless leading zero */
	return v->n > 1 || v->p[0] != 0;
}

/* Ecdsa-Sig-Value (RFC 5480 2.2.3) in DER: SEQUENCE { r, s } of two minimal positive INTEGERs below 2^256, nothing
 * after either, to raw r || s. Both worlds then verify the same 64 bytes; handing the encoding to each world's ASN.1
 * decoder let BearSSL's (lax: any leading zeros, long-form lengths) accept what OpenSSL's (DER) refused. */
static int ecdsa_sig_raw(struct at_der in, uint8_t out[64])
{
	struct at_der seq, v;
	if (at_der_next(&in, 0x30, &seq, NULL) || in.n != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (at_der_next(&seq, 0x02, &v, NULL) || !positive_int(&v))
			return -1;
		if (v.p[0] == 0) { /* the zero that keeps a value with its top bit set positive */
			v.p++;
			v.n--;
		}
		if (v.n > 32)
			return -1; /* 2^256 or more: no P-256 scalar */
		memset(out + 32 * i, 0, 32 - v.n);
		memcpy(out + 32 * i + 32 - v.n, v.p, v.n);
	}
	return seq.n == 0 ? 0 : -1;
}

/* CertificateSerialNumber (RFC 5280 4.1.2.2): a positive INTEGER of at most 20 octets. Zero and negative serials,
 * which the RFC asks users to tolerate from non-conforming CAs, are refused: an attested certificate is self-signed,
 * not issued by a CA, and Cella's writer makes a random positive one of 16 octets. */
static int serial_ok(struct at_der *t)
{
	struct at_der v;
	return at_der_next(t, 0x02, &v, NULL) == 0 && positive_int(&v) && v.n <= 20 ? 0 : -1;
}

/* Time (RFC 5280 4.1.2.5.1, 4.1.2.5.2): UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, the only DER forms
 * RFC 5280 allows. Only the form is checked: the dates are not used (cella/evidence.h). */
static int time_ok(struct at_der *t)
{
	struct at_der v;
	size_t digits;
	if (at_der_peek(t, 0x17))
		digits = 12;
	else if (at_der_peek(t, 0x18))
		digits = 14;
	else
		return -1;
	if (at_der_next(t, t->p[0], &v, NULL) || v.n != digits + 1 || v.p[digits] != 'Z')
		return -1;
	for (size_t i = 0; i < digits; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
	return 0;
}

/* Validity: SEQUENCE { notBefore Time, notAfter Time } and nothing else. */
static int validity_ok(struct at_der *t)
{
	struct at_der v;
	return at_der_next(t, 0x30, &v, NULL) == 0 && time_ok(&v) == 0 && time_ok(&v) == 0 && v.n == 0 ? 0 : -1;
}

/* Name (RFC 5280 4.1.2.4): RDNSequence, a SEQUENCE OF RelativeDistinguishedName, each a non-empty SET OF
 * AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }. The sequence must not be empty: the
 * issuer MUST NOT be (4.1.2.4), and the subject of a self-signed certificate is its issuer (an empty subject would
 * also need a critical subjectAltName, 4.1.2.6). Values are any one TLV with a single-byte tag; of their strings,
 * a UTF8String (what Cella's writer puts in the CN) must be valid UTF-8 (X.680 41, RFC 3629), others are not
 * checked. */
static int name_ok(struct at_der *t)
{
	struct at_der name, rdn, atv, oid, val;
	uint8_t tag;
	if (at_der_next(t, 0x30, &name, NULL) || name.n == 0)
		return -1;
	while (name.n) {
		if (at_der_next(&name, 0x31, &rdn, NULL) || rdn.n == 0)
			return -1;
		while (rdn.n) {
			if (at_der_next(&rdn, 0x30, &atv, NULL) || at_der_next(&atv, 0x06, &oid, NULL) || oid.n == 0 ||
			    oid.p[oid.n - 1] & 0x80 || atv.n == 0 || ((tag = atv.p[0]) & 0x1f) == 0x1f ||
			    at_der_next(&atv, tag, &val, NULL) || atv.n != 0)
				return -1;
			if (tag == 0x0c && !cella_utf8_valid(val.p, val.n))
				return -1; /* a UTF8String that is not UTF-8 */
			for (size_t i = 0; i < oid.n; i++)
				if (oid.p[i] == 0x80 && (i == 0 || !(oid.p[i - 1] & 0x80)))
					return -1; /* a subidentifier with a leading zero group (X.690 8.19.2) */
		}
	}
	return 0;
}

/* UniqueIdentifier (RFC 5280 4.1.2.8), [n] IMPLICIT BIT STRING in DER (X.690 11.2): an unused-bit count of 0..7,
 * none without content bytes, and the unused bits zero. */
static int unique_id(struct at_der *t, uint8_t tag)
{
	struct at_der v;
	if (at_der_next(t, tag, &v, NULL) || v.n == 0 || v.p[0] > 7 || (v.n == 1 && v.p[0] != 0))
		return -1;
	return v.n == 1 || (v.p[v.n - 1] & ((1u << v.p[0]) - 1)) == 0 ? 0 : -1;
}

static cella_result parse(const uint8_t *der, size_t len, struct parsed *o)
{
	struct at_der all = {der, len}, cert, tbs, t, skip, spki, alg, key, exts, list, ext, id, val, sig, crit;
	struct at_der seen[MAX_EXTENSIONS];
	size_t n_seen = 0;
	memset(o, 0, sizeof(*o));
	if (at_der_next(&all, 0x30, &cert, NULL) || all.n != 0)
		return CELLA_ERR_BAD_FORMAT;
	if (at_der_next(&cert, 0x30, &tbs, &o->tbs))
		return CELLA_ERR_BAD_FORMAT;
	if (!is_ecdsa_sha256(&cert) || at_der_next(&cert, 0x03, &sig, NULL) || cert.n != 0 || sig.n < 9 || sig.p[0])
		return CELLA_ERR_BAD_FORMAT;
	sig.p++; /* BIT STRING: 0 unused bits, then the DER Ecdsa-Sig-Value */
	sig.n--;
	if (ecdsa_sig_raw(sig, o->sig))
		return CELLA_ERR_BAD_FORMAT;
	t = tbs;
	/* version v3 (INTEGER 2): the only version with extensions, and the evidence is one */
	if (at_der_next(&t, 0xa0, &skip, NULL) || skip.n != 3 || memcmp(skip.p, "\x02\x01\x02", 3) != 0)
		return CELLA_ERR_BAD_FORMAT;
	if (serial_ok(&t) || !is_ecdsa_sha256(&t) || name_ok(&t) /* issuer */ || validity_ok(&t) ||
	    name_ok(&t) /* subject */ || at_der_next(&t, 0x30, &spki, &o->spki))
		return CELLA_ERR_BAD_FORMAT;
	if (at_der_next(&spki, 0x30, &alg, NULL) || at_der_next(&spki, 0x03, &key, NULL) || spki.n != 0)
		return CELLA_ERR_BAD_FORMAT;
	if (alg.n != sizeof(oid_ec) + sizeof(oid_p256) || memcmp(alg.p, oid_ec, sizeof(oid_ec)) != 0 ||
	    memcmp(alg.p + sizeof(oid_ec), oid_p256, sizeof(oid_p256)) != 0)
		return CELLA_ERR_UNSUPPORTED; /* only P-256 keys */
	if (key.n != 66 || key.p[0] != 0 || key.p[1] != 0x04)
		return CELLA_ERR_BAD_FORMAT;
	o->point = key.p + 1;
	/* issuerUniqueID [1], then subjectUniqueID [2], each at most once and in that order (4.1: a SEQUENCE, not a
	 * SET); extensions [3] once, checked below by nothing following them */
	for (uint8_t tag = 0x81; tag <= 0x82; tag++)
		if (at_der_peek(&t, tag) && unique_id(&t, tag))
			return CELLA_ERR_BAD_FORMAT;
	if (t.n == 0)
		return CELLA_ERR_NOT_FOUND;
	if (at_der_next(&t, 0xa3, &exts, NULL) || t.n != 0 || at_der_next(&exts, 0x30, &list, NULL) || exts.n != 0)
		return CELLA_ERR_BAD_FORMAT;
	while (list.n) {
		bool critical = false;
		struct at_der oid;
		if (at_der_next(&list, 0x30, &ext, NULL) || at_der_next(&ext, 0x06, &oid, &id))
			return CELLA_ERR_BAD_FORMAT;
		if (at_der_peek(&ext, 0x01)) {
			/* DER: TRUE is 0xff, and FALSE, the default, is left out */
			if (at_der_next(&ext, 0x01, &crit, NULL) || crit.n != 1 || crit.p[0] != 0xff)
				return CELLA_ERR_BAD_FORMAT;
			critical = true;
		}
		if (at_der_next(&ext, 0x04, &val, NULL) || ext.n != 0)
			return CELLA_ERR_BAD_FORMAT;
		/* one of each at most (RFC 5280 4.2): two evidence extensions, say, and which one would count? */
		if (n_seen == MAX_EXTENSIONS)
			return CELLA_ERR_BAD_FORMAT;
		for (size_t i = 0; i < n_seen; i++)
			if (seen[i].n == id.n && memcmp(seen[i].p, id.p, id.n) == 0)
				return CELLA_ERR_BAD_FORMAT;
		seen[n_seen++] = id;
		if (id.n == sizeof(oid_ev) && memcmp(id.p, oid_ev, sizeof(oid_ev)) == 0)
			o->ext = val;
		else if (critical && !oid_is(&oid, oid_basic_constraints, sizeof(oid_basic_constraints)) &&
			 !oid_is(&oid, oid_key_usage, sizeof(oid_key_usage)))
			return CELLA_ERR_UNSUPPORTED; /* a critical extension this verifier does not know */
	}
	return o->ext.p ? CELLA_OK : CELLA_ERR_NOT_FOUND;
}

/* see cella/evidence.h */
cella_result cella_verify_attest_cert(const uint8_t *der, size_t len, const uint8_t *endorsements,
				      size_t endorsements_len, const struct cella_evidence_policy *policy,
				      struct cella_claims *claims)
{
	uint8_t point[65];
	/* no certificate at all, or endorsements' length without them, is the caller's mistake (checked before the
	 * parse and signature check); empty bytes from a TLS peer (at_attest_cert_verify, called by the BearSSL
	 * verifier) are malformed input */
	if (!der || len == 0 || (endorsements_len && !endorsements))
		return CELLA_ERR_INVALID_ARG;
	return at_attest_cert_verify(der, len, endorsements, endorsements_len, NULL, policy, claims, point);
}

cella_result at_attest_cert_evidence(const uint8_t *der, size_t len, const uint8_t **ev, size_t *ev_len)
{
	struct parsed c;
	cella_result r = len ? parse(der, len, &c) : CELLA_ERR_BAD_FORMAT;
	if (r == CELLA_OK) {
		*ev = c.ext.p;
		*ev_len = c.ext.n;
	}
	return r;
}

cella_result at_cert_policy_check(const struct cella_evidence_policy *policy)
{
	if (policy->report_data_len != 0 && (policy->report_data_len != 32 || !policy->report_data))
		return CELLA_ERR_INVALID_ARG;
	return CELLA_OK;
}

cella_result at_attest_cert_verify(const uint8_t *der, size_t len, const uint8_t *endorsements,
				   size_t endorsements_len, struct cella_collateral *parsed,
				   const struct cella_evidence_policy *policy, struct cella_claims *claims,
				   uint8_t point[65])
{
	struct cella_evidence_policy p = *policy;
	struct parsed c;
	uint8_t *copy = NULL, rd[64] = {0};
	cella_result r = CELLA_ERR_UNEXPECTED;

	if (at_cert_policy_check(policy) != CELLA_OK)
		return CELLA_ERR_INVALID_ARG;
	if (len == 0)
		return CELLA_ERR_BAD_FORMAT;
	copy = at_copy_in(der, len);
	if (!copy)
		return CELLA_ERR_OUT_OF_MEMORY;
	CELLA_CHECK(parse(copy, len, &c));
	if (!at_p256_verify(c.point, c.tbs.p, c.tbs.n, c.sig))
		CELLA_FAIL(CELLA_ERR_CERT_CHAIN);
	/* the binding: report data is SHA-256 of the SubjectPublicKeyInfo this certificate carries, then the 32 bytes
	 * the policy requires bound with it, or zeros (cella/tls.h): bytes there unasked for would be a second,
	 * unexplained claim riding on the key's */
	at_sha256(c.spki.p, c.spki.n, rd);
	if (policy->report_data_len)
		memcpy(rd + 32, policy->report_data, 32);
	p.report_data = rd;
	p.report_data_len = 64;
	r = at_verify_evidence(c.ext.p, c.ext.n, endorsements, endorsements_len, parsed, &p, claims);
	if (r == CELLA_OK)
		memcpy(point, c.point, 65);
out:
	at_free(copy);
	return r;
}
