// SPDX-License-Identifier: MIT
/*
 * cella_verify_attest_cert (both worlds): parses an attested-TLS certificate (RFC 5280 4.1, DER), checks its
 * ECDSA P-256 self-signature, and verifies the evidence in its extension with the key bound as report data.
 */
#include "attest_internal.h"

#include <string.h>

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
	struct at_der tbs, spki, sig, ext;
	const uint8_t *point; /* 65 bytes, 0x04 || X || Y */
};

/* AlgorithmIdentifier ecdsa-with-SHA256 (no parameters, RFC 5758 3.2). */
static int is_ecdsa_sha256(struct at_der *in)
{
	struct at_der alg;
	return at_der_next(in, 0x30, &alg, NULL) == 0 && alg.n == sizeof(oid_sig) &&
	       memcmp(alg.p, oid_sig, sizeof(oid_sig)) == 0;
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
	o->sig.p = sig.p + 1; /* BIT STRING: 0 unused bits, then the DER Ecdsa-Sig-Value */
	o->sig.n = sig.n - 1;
	t = tbs;
	/* version v3 (INTEGER 2): the only version with extensions, and the evidence is one */
	if (at_der_next(&t, 0xa0, &skip, NULL) || skip.n != 3 || memcmp(skip.p, "\x02\x01\x02", 3) != 0)
		return CELLA_ERR_BAD_FORMAT;
	if (at_der_next(&t, 0x02, &skip, NULL) || !is_ecdsa_sha256(&t) ||
	    at_der_next(&t, 0x30, NULL, NULL) /* issuer */ || at_der_next(&t, 0x30, NULL, NULL) /* validity */ ||
	    at_der_next(&t, 0x30, NULL, NULL) /* subject */ || at_der_next(&t, 0x30, &spki, &o->spki))
		return CELLA_ERR_BAD_FORMAT;
	if (at_der_next(&spki, 0x30, &alg, NULL) || at_der_next(&spki, 0x03, &key, NULL) || spki.n != 0)
		return CELLA_ERR_BAD_FORMAT;
	if (alg.n != sizeof(oid_ec) + sizeof(oid_p256) || memcmp(alg.p, oid_ec, sizeof(oid_ec)) != 0 ||
	    memcmp(alg.p + sizeof(oid_ec), oid_p256, sizeof(oid_p256)) != 0)
		return CELLA_ERR_UNSUPPORTED; /* only P-256 keys */
	if (key.n != 66 || key.p[0] != 0 || key.p[1] != 0x04)
		return CELLA_ERR_BAD_FORMAT;
	o->point = key.p + 1;
	while (at_der_peek(&t, 0x81) || at_der_peek(&t, 0x82)) /* issuer/subject unique ids */
		if (at_der_next(&t, t.p[0], NULL, NULL))
			return CELLA_ERR_BAD_FORMAT; /* a malformed one: t would not advance */
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
	return at_attest_cert_verify(der, len, endorsements, endorsements_len, policy, claims, point);
}

cella_result at_attest_cert_verify(const uint8_t *der, size_t len, const uint8_t *endorsements,
				   size_t endorsements_len, const struct cella_evidence_policy *policy,
				   struct cella_claims *claims, uint8_t point[65])
{
	struct cella_evidence_policy p = *policy;
	struct parsed c;
	uint8_t *copy = NULL, h[32];
	cella_result r = CELLA_ERR_UNEXPECTED;

	if (len == 0)
		return CELLA_ERR_BAD_FORMAT;
	copy = at_copy_in(der, len);
	if (!copy)
		return CELLA_ERR_OUT_OF_MEMORY;
	CELLA_CHECK(parse(copy, len, &c));
	if (!at_p256_verify_der(c.point, c.tbs.p, c.tbs.n, c.sig.p, c.sig.n))
		CELLA_FAIL(CELLA_ERR_CERT_CHAIN);
	/* the binding: report data starts with SHA-256 of the SubjectPublicKeyInfo this certificate carries */
	at_sha256(c.spki.p, c.spki.n, h);
	p.report_data = h;
	p.report_data_len = 32;
	r = cella_verify_evidence(c.ext.p, c.ext.n, endorsements, endorsements_len, &p, claims);
	if (r == CELLA_OK)
		memcpy(point, c.point, 65);
out:
	at_free(copy);
	return r;
}
