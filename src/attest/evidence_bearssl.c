// SPDX-License-Identifier: MIT
/*
 * Enclave back end of the evidence verifier (BearSSL): software quotes are parsed and checked here (quote and
 * QE report signatures, attestation-key binding, PCK chain to a policy root with br_x509_minimal at the policy's
 * time). Intel quotes need the DCAP collateral verifier, which is host-only for now: CELLA_ERR_UNSUPPORTED.
 * Roots are taken as on hosts (evidence_openssl.c): every configured root must parse (the first certificate of a
 * PEM root), however many there are, and the chain must end in one of them, byte for byte, that is self-issued.
 */
#include "attest_internal.h"

#include <bearssl.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CERTS 4
#define ROOT_MAX_BYTES 4096 /* DER of a PEM root */
#define UNIX_EPOCH_DAYS 719528u /* days from 0000-01-01 to 1970-01-01, BearSSL's time origin */

void at_sha256(const void *data, size_t len, uint8_t out[32])
{
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, data, len);
	br_sha256_out(&h, out);
}

uint8_t *at_copy_in(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1); /* enclave heap: the copy the parsers work on */
	if (c && len)
		memcpy(c, p, len);
	return c;
}

void at_free(void *p)
{
	free(p);
}

int at_p256_verify(const uint8_t pub[65], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	br_ec_public_key pk = {BR_EC_secp256r1, (unsigned char *)pub, 65};
	uint8_t h[32];
	at_sha256(msg, len, h);
	return br_ecdsa_i31_vrfy_raw(br_ec_get_default(), h, 32, &pk, sig, 64) == 1;
}

static int p256_verify_raw(const uint8_t xy[64], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	uint8_t pub[65], h[32];
	br_ec_public_key pk = {BR_EC_secp256r1, pub, 65};
	pub[0] = 4;
	memcpy(pub + 1, xy, 64);
	at_sha256(msg, len, h);
	return br_ecdsa_i31_vrfy_raw(br_ec_get_default(), h, 32, &pk, sig, 64) == 1;
}

/* ---- PEM and certificates ---- */

struct sink {
	uint8_t *buf;
	size_t cap, len;
	int overflow;
};

static void sink_append(void *ctx, const void *data, size_t len)
{
	struct sink *s = ctx;
	if (len > s->cap - s->len) {
		s->overflow = 1;
		return;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
}

/* Decodes up to max CERTIFICATE blocks into buf; der[i]/der_len[i] point into it. Returns the count, -1 on error
 * (more than max among them). max 1 stops at the first: what follows it is not read. */
static int pem_certs(const uint8_t *pem, size_t len, uint8_t *buf, size_t cap, const uint8_t **der, size_t *der_len,
		     int max)
{
	br_pem_decoder_context pc;
	struct sink s = {buf, cap, 0, 0};
	size_t start = 0;
	int n = 0, in_cert = 0;
	br_pem_decoder_init(&pc);
	while (len > 0 && pem[len - 1] == 0)
		len--;
	while (len > 0) {
		size_t k = br_pem_decoder_push(&pc, pem, len);
		pem += k;
		len -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			in_cert = strcmp(br_pem_decoder_name(&pc), "CERTIFICATE") == 0;
			start = s.len;
			br_pem_decoder_setdest(&pc, in_cert ? sink_append : NULL, &s);
			break;
		case BR_PEM_END_OBJ:
			if (in_cert) {
				if (n == max || s.overflow)
					return -1;
				der[n] = buf + start;
				der_len[n] = s.len - start;
				if (++n == 1 && max == 1)
					return 1;
			}
			in_cert = 0;
			break;
		case BR_PEM_ERROR:
			return -1;
		default:
			break;
		}
	}
	return n;
}

/*
 * The chain text must be exactly the canonical PEM of the certificates it decodes to (64-character lines, LF),
 * as libcella-verify requires on hosts: no byte of a quote may change without the quote being refused, and
 * BearSSL's decoder alone would skip odd whitespace or ignore base64 pad bits.
 */
static int pem_canonical(const uint8_t *pem, size_t len, const uint8_t **der, const size_t *der_len, int n)
{
	char line[4096];
	size_t off = 0;
	while (len > 0 && pem[len - 1] == 0)
		len--;
	for (int i = 0; i < n; i++) {
		size_t k = br_pem_encode(NULL, der[i], der_len[i], "CERTIFICATE", BR_PEM_LINE64);
		if (k + 1 > sizeof(line) || k > len - off)
			return 0;
		br_pem_encode(line, der[i], der_len[i], "CERTIFICATE", BR_PEM_LINE64);
		if (memcmp(line, pem + off, k) != 0)
			return 0;
		off += k;
	}
	return off == len;
}

struct decoded {
	br_x509_decoder_context dc;
	struct sink dn;
	uint8_t dn_buf[512];
	uint8_t q[65];
	int64_t not_before, not_after;
};

static int64_t br_unix(uint32_t days, uint32_t secs)
{
	return ((int64_t)days - UNIX_EPOCH_DAYS) * 86400 + secs;
}

/* Decodes one DER certificate: subject DN, P-256 key, validity. 0 on success. */
static int decode_cert(const uint8_t *der, size_t len, struct decoded *d)
{
	const br_x509_pkey *pk;
	d->dn.buf = d->dn_buf;
	d->dn.cap = sizeof(d->dn_buf);
	d->dn.len = 0;
	d->dn.overflow = 0;
	br_x509_decoder_init(&d->dc, sink_append, &d->dn);
	br_x509_decoder_push(&d->dc, der, len);
	pk = br_x509_decoder_get_pkey(&d->dc);
	if (!pk || d->dn.overflow || pk->key_type != BR_KEYTYPE_EC || pk->key.ec.curve != BR_EC_secp256r1 ||
	    pk->key.ec.qlen != 65)
		return -1;
	memcpy(d->q, pk->key.ec.q, 65);
	d->not_before = br_unix(d->dc.notbefore_days, d->dc.notbefore_seconds);
	d->not_after = br_unix(d->dc.notafter_days, d->dc.notafter_seconds);
	return 0;
}

/* One configured root: DER directly, or the first CERTIFICATE of a PEM buffer (the rest is not read, as OpenSSL's
 * PEM_read_bio_X509 on hosts). Then it must be one whole certificate BearSSL decodes, of any key type (a root that
 * is not P-256 cannot anchor a software chain, but it is no caller's mistake). 0 on success. */
static int root_der(const struct cella_evidence_root *r, uint8_t *buf, size_t cap, const uint8_t **der, size_t *len)
{
	br_x509_decoder_context dc;
	struct at_der all;
	if (r->len > 11 && memcmp(r->cert, "-----BEGIN ", 11) == 0) {
		if (pem_certs(r->cert, r->len, buf, cap, der, len, 1) != 1)
			return -1;
	} else {
		*der = r->cert;
		*len = r->len;
	}
	all = (struct at_der){*der, *len};
	if (at_der_next(&all, 0x30, NULL, NULL) || all.n != 0)
		return -1; /* bytes after the certificate, as d2i_X509 on hosts refuses */
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, *der, *len);
	return br_x509_decoder_last_error(&dc) == 0 && br_x509_decoder_get_pkey(&dc) ? 0 : -1;
}

int at_root_ok(const struct cella_evidence_root *root)
{
	uint8_t *buf = malloc(ROOT_MAX_BYTES);
	const uint8_t *der;
	size_t len;
	int ok = buf && root_der(root, buf, ROOT_MAX_BYTES, &der, &len) == 0;
	free(buf);
	return ok;
}

/* 1 if the certificate's issuer is its subject, byte for byte (RFC 5280 3.2: self-issued), as a trust anchor here
 * must be: one whose issuer names someone else is an intermediate, and anchoring at its subject would accept what
 * it signed as if a root had. Reads Certificate { TBSCertificate { [0] version, serial, signature, issuer,
 * validity, subject ... } ... }. */
static int self_issued(const uint8_t *der, size_t len)
{
	struct at_der all = {der, len}, cert, tbs, issuer, subject;
	if (at_der_next(&all, 0x30, &cert, NULL) || at_der_next(&cert, 0x30, &tbs, NULL))
		return 0;
	if (at_der_peek(&tbs, 0xa0) && at_der_next(&tbs, 0xa0, NULL, NULL))
		return 0;
	if (at_der_next(&tbs, 0x02, NULL, NULL) || at_der_next(&tbs, 0x30, NULL, NULL) ||
	    at_der_next(&tbs, 0x30, NULL, &issuer) || at_der_next(&tbs, 0x30, NULL, NULL) ||
	    at_der_next(&tbs, 0x30, NULL, &subject))
		return 0;
	return issuer.n == subject.n && memcmp(issuer.p, subject.p, issuer.n) == 0;
}

struct chain_work {
	uint8_t pem_der[16384];
	uint8_t root_der[ROOT_MAX_BYTES]; /* each configured root in turn, when it is PEM */
	struct decoded leaf, anchor, tmp;
	br_x509_trust_anchor ta;
	br_x509_minimal_context xc;
};

static cella_result software_chain(const uint8_t *pem, size_t pem_len, const uint8_t qe_report[384],
				   const uint8_t qe_sig[64], const struct cella_evidence_policy *p,
				   struct at_quote_result *out)
{
	struct chain_work *w = calloc(1, sizeof(*w));
	const uint8_t *der[MAX_CERTS];
	size_t der_len[MAX_CERTS];
	bool trusted = false;
	int n;
	unsigned err;
	uint32_t days = (uint32_t)(UNIX_EPOCH_DAYS + (uint64_t)p->time / 86400);
	cella_result r = CELLA_ERR_UNEXPECTED;

	if (!w)
		return CELLA_ERR_OUT_OF_MEMORY;
	n = pem_certs(pem, pem_len, w->pem_der, sizeof(w->pem_der), der, der_len, MAX_CERTS);
	if (n < 2 || !pem_canonical(pem, pem_len, der, der_len, n))
		CELLA_FAIL(CELLA_ERR_CERT_CHAIN);
	if (decode_cert(der[0], der_len[0], &w->leaf))
		CELLA_FAIL(CELLA_ERR_CERT_CHAIN);
	/* QE report signature by the PCK leaf key (the chain below makes that key trustworthy) */
	if (!p256_verify_raw(w->leaf.q + 1, qe_report, 384, qe_sig))
		CELLA_FAIL(CELLA_ERR_QE_REPORT);

	/* every configured root parses, and the chain must end in one of them, byte for byte (as on hosts: no byte of
	 * a quote may change), that is self-issued */
	for (size_t i = 0; i < p->root_count; i++) {
		const uint8_t *rd;
		size_t rl;
		if (root_der(&p->roots[i], w->root_der, sizeof(w->root_der), &rd, &rl))
			CELLA_FAIL(CELLA_ERR_INVALID_ARG);
		if (rl == der_len[n - 1] && memcmp(rd, der[n - 1], rl) == 0)
			trusted = true;
	}
	if (!trusted || !self_issued(der[n - 1], der_len[n - 1]))
		CELLA_FAIL(CELLA_ERR_UNTRUSTED_ROOT);
	if (decode_cert(der[n - 1], der_len[n - 1], &w->anchor))
		CELLA_FAIL(CELLA_ERR_CERT_CHAIN);
	/* that root, and it alone, anchors the chain: BearSSL stops at the first certificate a trust anchor signed, so
	 * with every configured root as an anchor, an intermediate signed by another (say expired) root would do,
	 * whatever followed it. Trust anchors carry no dates: the root's own are checked here. */
	if (p->time < w->anchor.not_before || p->time > w->anchor.not_after)
		CELLA_FAIL(CELLA_ERR_EXPIRED);
	w->ta.dn.data = w->anchor.dn_buf;
	w->ta.dn.len = w->anchor.dn.len;
	w->ta.flags = BR_X509_TA_CA;
	w->ta.pkey.key_type = BR_KEYTYPE_EC;
	w->ta.pkey.key.ec.curve = BR_EC_secp256r1;
	w->ta.pkey.key.ec.q = w->anchor.q;
	w->ta.pkey.key.ec.qlen = 65;

	br_x509_minimal_init(&w->xc, &br_sha256_vtable, &w->ta, 1);
	br_x509_minimal_set_hash(&w->xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_ecdsa(&w->xc, br_ec_get_default(), br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_set_time(&w->xc, days, (uint32_t)((uint64_t)p->time % 86400));
	w->xc.vtable->start_chain(&w->xc.vtable, NULL);
	for (int i = 0; i < n; i++) {
		w->xc.vtable->start_cert(&w->xc.vtable, (uint32_t)der_len[i]);
		w->xc.vtable->append(&w->xc.vtable, der[i], der_len[i]);
		w->xc.vtable->end_cert(&w->xc.vtable);
	}
	err = w->xc.vtable->end_chain(&w->xc.vtable);
	if (err == BR_ERR_X509_EXPIRED)
		CELLA_FAIL(CELLA_ERR_EXPIRED);
	if (err == BR_ERR_X509_NOT_TRUSTED || err == BR_ERR_X509_DN_MISMATCH) /* no path to that root (as on hosts) */
		CELLA_FAIL(CELLA_ERR_UNTRUSTED_ROOT);
	if (err != 0)
		CELLA_FAIL(CELLA_ERR_CERT_CHAIN);

	/* BearSSL trust anchors carry no dates: the validity window is every chain certificate's and the root's */
	out->valid_from = 0;
	out->valid_until = INT64_MAX;
	for (int i = 0; i < n; i++) {
		if (decode_cert(der[i], der_len[i], &w->tmp))
			CELLA_FAIL(CELLA_ERR_CERT_CHAIN);
		if (w->tmp.not_before > out->valid_from)
			out->valid_from = w->tmp.not_before;
		if (w->tmp.not_after < out->valid_until)
			out->valid_until = w->tmp.not_after;
	}
	r = CELLA_OK;
out:
	free(w);
	return r;
}

cella_result at_quote_verify(const uint8_t *q, size_t len, const uint8_t *endorsements, size_t elen,
			     struct cella_collateral *parsed, const struct cella_evidence_policy *policy,
			     struct at_quote_result *out)
{
	const uint8_t *sig, *att, *qe, *qe_sig, *auth, *cert;
	uint8_t buf[64 + 512], h[32];
	uint16_t auth_len, cert_type;
	uint32_t cert_len;
	size_t off;
	(void)endorsements, (void)elen, (void)parsed;

	memset(out, 0, sizeof(*out));
	if (len < AT_QUOTE_MIN_BYTES + 64 + 64 + 384 + 64 + 2 + 2 + 4)
		return CELLA_ERR_QUOTE_FORMAT;
	if (cella_le16(q) != 3 || cella_le16(q + 2) != 2)
		return CELLA_ERR_QUOTE_VERSION;
	if (cella_le32(q + 4) != 0) /* reserved in v3: malformed, as the host's parser says */
		return CELLA_ERR_QUOTE_FORMAT;
	if (memcmp(q + 12, AT_SOFTWARE_QE_VENDOR, 16) != 0)
		return CELLA_ERR_UNSUPPORTED; /* Intel quotes: DCAP collateral verification is host-only */
	off = AT_QUOTE_MIN_BYTES;
	sig = q + off;
	att = sig + 64;
	qe = att + 64;
	qe_sig = qe + 384;
	auth_len = cella_le16(qe_sig + 64);
	auth = qe_sig + 66;
	off = (size_t)(auth - q);
	if (auth_len > 512 || len - off < (size_t)auth_len + 6)
		return CELLA_ERR_QUOTE_FORMAT;
	cert_type = cella_le16(auth + auth_len);
	cert_len = cella_le32(auth + auth_len + 2);
	cert = auth + auth_len + 6;
	if (cert_type != 5)
		return CELLA_ERR_CERT_DATA_TYPE;
	if (cert_len != len - (size_t)(cert - q))
		return CELLA_ERR_QUOTE_FORMAT;
	/* attestation key bound by the QE report: SHA-256(key || auth data) = report data[0:32], the rest zero */
	memcpy(buf, att, 64);
	memcpy(buf + 64, auth, auth_len);
	at_sha256(buf, 64u + auth_len, h);
	if (memcmp(h, qe + AT_RB_REPORT_DATA, 32) != 0)
		return CELLA_ERR_QE_REPORT;
	for (int i = 32; i < 64; i++)
		if (qe[AT_RB_REPORT_DATA + i])
			return CELLA_ERR_QE_REPORT;
	if (!p256_verify_raw(att, q, AT_QUOTE_HEADER_BYTES + AT_REPORT_BODY_BYTES, sig))
		return CELLA_ERR_QUOTE_SIGNATURE;
	{
		cella_result r = software_chain(cert, cert_len, qe, qe_sig, policy, out);
		if (r != CELLA_OK)
			return r;
	}
	out->software = true;
	out->tcb_status = CELLA_EVIDENCE_TCB_SOFTWARE;
	memcpy(out->body, q + AT_QUOTE_HEADER_BYTES, AT_REPORT_BODY_BYTES);
	return CELLA_OK;
}
