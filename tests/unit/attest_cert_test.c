// SPDX-License-Identifier: MIT
/*
 * cella_verify_attest_cert on a real sandbox certificate (the attest fuzzer's seed) and on that certificate with
 * a malformed issuer/subject unique ID where its extensions begin: each is refused with CELLA_ERR_BAD_FORMAT.
 * The parser once looped forever on such a field (found by attest_fuzz): a TLS peer could hang an enclave.
 * Then the seed with a malformed serial, validity, issuer or subject (once skipped unread), or with its genuine
 * signature re-encoded in BER rather than DER (once accepted by the enclave's verifier), or with well-formed unique
 * IDs repeated or out of order (once skipped over in any number): CELLA_ERR_BAD_FORMAT too.
 * attest_test runs such cases in both worlds, on certificates it signs. No certificate at all (NULL, or 0 bytes) is
 * CELLA_ERR_INVALID_ARG, the caller's mistake, while a single byte of one is malformed input; so is a length
 * without its buffer (evidence, endorsements, a policy root) for cella_verify_evidence on the certificate's
 * evidence, which once crashed copying from NULL.
 *   attest_cert_test CERT_DER ROOT_PEM
 */
#include <cella/evidence.h>
#include <cella/tls_host.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"

#define EXTS_AT 230 /* where the seed's TBSCertificate has its [3] extensions, right after the key */
#define SERIAL_AT 13 /* its serialNumber: 02 10, then 16 bytes */
#define ALG_BYTES 12 /* AlgorithmIdentifier ecdsa-with-SHA256 */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(65536);
	CT_ASSERT(f && b);
	*len = fread(b, 1, 65536, f);
	fclose(f);
	return b;
}

/* The certificate with its Ecdsa-Sig-Value (the same r and s) written by `form`: 0 as found (DER), 1 r with a
 * needless leading zero, 2 the SEQUENCE's length in the long form, 3 two bytes after the SEQUENCE. The seed's outer
 * length is in the 82 form, its BIT STRING and signature SEQUENCE lengths in the short form. */
static uint8_t *sig_reencoded(const uint8_t *cert, size_t n, int form, size_t *out_len)
{
	size_t bits = 4 + 4 + ((size_t)cert[6] << 8 | cert[7]) + ALG_BYTES, k = 0, seq, lr;
	uint8_t v[80], *o = malloc(n + 8);
	const uint8_t *r;
	CT_ASSERT(o != NULL && cert[1] == 0x82 && bits + 3 < n && cert[bits] == 0x03 && cert[bits + 3] == 0x30);
	seq = bits + 3;
	r = cert + seq + 2;
	lr = r[1];
	CT_ASSERT(r[0] == 0x02 && cert[bits + 1] == n - bits - 2 && cert[seq + 1] == n - seq - 2);
	if (form == 2) {
		v[k++] = 0x81;
		v[k++] = cert[seq + 1];
	} else {
		v[k++] = (uint8_t)(cert[seq + 1] + (form == 1));
	}
	if (form == 1) {
		v[k++] = 0x02;
		v[k++] = (uint8_t)(lr + 1);
		v[k++] = 0x00;
		memcpy(v + k, r + 2, n - seq - 4); /* r's content, then s */
		k += n - seq - 4;
	} else {
		memcpy(v + k, r, n - seq - 2);
		k += n - seq - 2;
	}
	if (form == 3) {
		v[k++] = 0;
		v[k++] = 0;
	}
	memcpy(o, cert, bits);
	o[bits] = 0x03;
	o[bits + 1] = (uint8_t)(k + 2);
	o[bits + 2] = 0x00;
	o[bits + 3] = 0x30;
	memcpy(o + bits + 4, v, k);
	*out_len = bits + 4 + k;
	o[2] = (uint8_t)((*out_len - 4) >> 8);
	o[3] = (uint8_t)(*out_len - 4);
	return o;
}

/* The certificate with bytes ins[0..k) inserted at `at` in its TBSCertificate: both outer lengths (the seed's are
 * in the 82 form, at 2 and 6) grow by k. */
static uint8_t *inserted(const uint8_t *cert, size_t n, size_t at, const char *ins, size_t k, size_t *out_len)
{
	uint8_t *o = malloc(n + k);
	CT_ASSERT(o != NULL && cert[1] == 0x82 && cert[5] == 0x82 && at <= n);
	memcpy(o, cert, at);
	memcpy(o + at, ins, k);
	memcpy(o + at + k, cert + at, n - at);
	for (size_t i = 2; i <= 6; i += 4) {
		size_t l = ((size_t)o[i] << 8 | o[i + 1]) + k;
		o[i] = (uint8_t)(l >> 8);
		o[i + 1] = (uint8_t)l;
	}
	*out_len = n + k;
	return o;
}

/* 1 if OpenSSL's error queue holds exactly the caller's error (ERR_LIB_USER 77), or nothing when mine is 0. */
static int queue_is(int mine)
{
	unsigned long e = ERR_get_error();
	if (mine && (ERR_GET_LIB(e) != ERR_LIB_USER || ERR_GET_REASON(e) != 77))
		return 0;
	if (!mine && e)
		return 0;
	return ERR_peek_error() == 0;
}

/* The host verifier leaves OpenSSL's error queue as it found it: a verification that passes (its PEM reader ends
 * at the end of the chain text) or fails (a root that does not parse, a bad self-signature) adds nothing, and an
 * error the caller queued before stays. So does the OpenSSL verification callback. */
static void error_queue(const uint8_t *cert, size_t n, const struct cella_evidence_policy *good)
{
	static const uint8_t junk_root[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	struct cella_evidence_root junk = {junk_root, sizeof(junk_root)};
	struct cella_evidence_policy bad = *good;
	struct cella_tls_openssl_verifier v;
	struct cella_claims c;
	uint8_t *flipped = malloc(n);
	const uint8_t *q = cert;
	X509 *x = d2i_X509(NULL, &q, (long)n);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	CT_ASSERT(flipped && x && store && ctx && X509_STORE_CTX_init(ctx, store, x, NULL) == 1);
	memcpy(flipped, cert, n);
	flipped[n - 10] ^= 1; /* inside the signature's s */
	bad.roots = &junk;
	for (int mine = 0; mine < 2; mine++) {
		const struct {
			const uint8_t *cert;
			const struct cella_evidence_policy *p;
			cella_result want;
			const char *what;
		} runs[] = {
			{cert, good, CELLA_OK, "a passing verification"},
			{cert, &bad, CELLA_ERR_INVALID_ARG, "a root that does not parse"},
			{flipped, good, CELLA_ERR_CERT_CHAIN, "a bad self-signature"},
			{NULL, &bad, CELLA_ERR_INVALID_ARG, "the OpenSSL callback's refusal"},
		};
		for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
			ERR_clear_error();
			if (mine)
				ERR_raise(ERR_LIB_USER, 77);
			if (runs[i].cert) {
				CT_RESULT(cella_verify_attest_cert(runs[i].cert, n, NULL, 0, runs[i].p, &c),
					  runs[i].want);
			} else {
				memset(&v, 0, sizeof(v));
				v.policy = *runs[i].p;
				CT_EQ(cella_tls_openssl_verify_cb(ctx, &v), 0);
				CT_RESULT(v.result, runs[i].want);
				CT_EQ(X509_STORE_CTX_get_error(ctx), X509_V_ERR_APPLICATION_VERIFICATION);
			}
			if (!queue_is(mine))
				cella_test_fail(__FILE__, __LINE__, "%s changed the error queue (caller's error: %d)",
						runs[i].what, mine);
		}
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(x);
	free(flipped);
}

int main(int argc, char **argv)
{
	static const struct {
		uint8_t tag, len;
		const char *what;
	} bad[] = {
		{0x81, 0x85, "issuer unique ID, five length bytes"},
		{0x81, 0x80, "issuer unique ID, indefinite length"},
		{0x82, 0x7f, "subject unique ID longer than the certificate"},
		{0x82, 0x81, "subject unique ID, long form for a short length"},
	};
	struct cella_evidence_root root;
	struct cella_evidence_policy p;
	struct cella_claims c;
	size_t n;
	uint8_t *cert, *mut;
	CT_ASSERT(argc == 3);
	cert = slurp(argv[1], &n);
	root.cert = slurp(argv[2], &root.len);
	memset(&p, 0, sizeof(p));
	p.time = 1798761600; /* 2027-01-01 */
	p.roots = &root;
	p.root_count = 1;
	p.allow_software_tee = true;
	p.allow_debug = true;
	p.any_identity = true;
	CT_RESULT(cella_verify_attest_cert(cert, n, NULL, 0, &p, &c), CELLA_OK);
	CT_ASSERT(c.software_tee);
	cella_test_pass("the sandbox certificate verifies");

	CT_RESULT(cella_verify_attest_cert(cert, 0, NULL, 0, &p, &c), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_verify_attest_cert(NULL, 0, NULL, 0, &p, &c), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_verify_attest_cert(NULL, n, NULL, 0, &p, &c), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_verify_attest_cert(cert, 1, NULL, 0, &p, &c), CELLA_ERR_BAD_FORMAT);
	cella_test_pass("no certificate (NULL or 0 bytes) is an invalid argument; its first byte alone is malformed");

	error_queue(cert, n, &p);
	cella_test_pass("OpenSSL's error queue: nothing left by a verification, passed or failed, nor by the TLS "
			"callback; the caller's own error stays");

	/* the certificate's evidence (OE envelope: version 3, format SGX_ECDSA, size, quote || claims), verified
	 * alone; then a length without its buffer anywhere is an invalid argument, not a crash */
	{
		static const uint8_t uuid[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
		struct cella_evidence_root bad_root = root;
		const uint8_t *ev = NULL;
		size_t elen = 0;
		uint64_t size = 0;
		for (size_t i = 4; i + 24 <= n && !ev; i++)
			if (memcmp(cert + i, uuid, 16) == 0 && cert[i - 4] == CELLA_EVIDENCE_HEADER_VERSION) {
				ev = cert + i - 4;
				for (int k = 7; k >= 0; k--) /* little-endian u64 after the format */
					size = size << 8 | cert[i + 16 + k];
			}
		CT_ASSERT(ev && size <= n - (size_t)(ev - cert) - CELLA_EVIDENCE_HEADER_BYTES);
		elen = CELLA_EVIDENCE_HEADER_BYTES + (size_t)size;
		CT_RESULT(cella_verify_evidence(ev, elen, NULL, 0, &p, &c), CELLA_OK);
		CT_RESULT(cella_verify_evidence(NULL, elen, NULL, 0, &p, &c), CELLA_ERR_INVALID_ARG);
		CT_RESULT(cella_verify_evidence(ev, elen, NULL, 1, &p, &c), CELLA_ERR_INVALID_ARG);
		CT_RESULT(cella_verify_attest_cert(cert, n, NULL, 1, &p, &c), CELLA_ERR_INVALID_ARG);
		p.roots = &bad_root;
		bad_root.cert = NULL;
		CT_RESULT(cella_verify_evidence(ev, elen, NULL, 0, &p, &c), CELLA_ERR_INVALID_ARG);
		p.roots = &root;
		/* control: bytes that are no evidence are malformed input, not a missing argument */
		CT_RESULT(cella_verify_evidence(ev, elen - 1, NULL, 0, &p, &c), CELLA_ERR_QUOTE_FORMAT);
	}
	cella_test_pass("cella_verify_evidence: NULL evidence, endorsements' length without them, a root's length "
			"without its bytes are invalid arguments; so are endorsements' length without them in "
			"cella_verify_attest_cert");

	CT_ASSERT(n > EXTS_AT + 2 && cert[EXTS_AT] == 0xa3);
	mut = malloc(n);
	CT_ASSERT(mut != NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(mut, cert, n);
		mut[EXTS_AT] = bad[i].tag;
		mut[EXTS_AT + 1] = bad[i].len;
		if (cella_verify_attest_cert(mut, n, NULL, 0, &p, &c) != CELLA_ERR_BAD_FORMAT)
			cella_test_fail(__FILE__, __LINE__, "%s: not refused as CELLA_ERR_BAD_FORMAT", bad[i].what);
	}
	cella_test_pass("malformed unique IDs where the extensions start are refused, not looped over");

	/* well-formed unique IDs inserted before the extensions: each at most once, issuer's first; a second
	 * [3] extensions after the first. The signature no longer matches, so CELLA_ERR_CERT_CHAIN means the
	 * fields were accepted and CELLA_ERR_BAD_FORMAT that they were refused. */
	{
		static const struct {
			const char *bytes;
			size_t len;
			cella_result want;
			const char *what;
		} ids[] = {
			{"\x81\x02\x00\x5a\x82\x02\x00\xa5", 8, CELLA_ERR_CERT_CHAIN, "issuer then subject ID"},
			{"\x81\x01\x00", 3, CELLA_ERR_CERT_CHAIN, "an empty issuer ID"},
			{"\x82\x02\x04\xf0", 4, CELLA_ERR_CERT_CHAIN, "a subject ID with 4 unused (zero) bits"},
			{"\x81\x02\x00\x5a\x81\x02\x00\x5a", 8, CELLA_ERR_BAD_FORMAT, "two issuer IDs"},
			{"\x82\x02\x00\x5a\x82\x02\x00\x5a", 8, CELLA_ERR_BAD_FORMAT, "two subject IDs"},
			{"\x82\x02\x00\x5a\x81\x02\x00\x5a", 8, CELLA_ERR_BAD_FORMAT, "subject ID before issuer ID"},
			{"\x81\x02\x00\x5a\x82\x02\x00\x5a\x81\x01\x00", 11, CELLA_ERR_BAD_FORMAT,
			 "an issuer ID after the subject ID"},
			{"\x81\x00", 2, CELLA_ERR_BAD_FORMAT, "an issuer ID without its unused-bit count"},
			{"\x81\x01\x01", 3, CELLA_ERR_BAD_FORMAT, "an issuer ID of unused bits alone"},
			{"\x81\x02\x08\x00", 4, CELLA_ERR_BAD_FORMAT, "an issuer ID with 8 unused bits"},
			{"\x82\x02\x04\xf1", 4, CELLA_ERR_BAD_FORMAT, "a subject ID with an unused bit set"},
		};
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			size_t m;
			uint8_t *o = inserted(cert, n, EXTS_AT, ids[i].bytes, ids[i].len, &m);
			cella_result r = cella_verify_attest_cert(o, m, NULL, 0, &p, &c);
			if (r != ids[i].want)
				cella_test_fail(__FILE__, __LINE__, "%s: %s, expected %s", ids[i].what,
						cella_result_name(r), cella_result_name(ids[i].want));
			free(o);
		}
		/* a second (empty) extensions field at the end of the TBSCertificate */
		{
			size_t m, tbs_end = 8 + ((size_t)cert[6] << 8 | cert[7]);
			uint8_t *o = inserted(cert, n, tbs_end, "\xa3\x02\x30\x00", 4, &m);
			CT_RESULT(cella_verify_attest_cert(o, m, NULL, 0, &p, &c), CELLA_ERR_BAD_FORMAT);
			free(o);
		}
	}
	cella_test_pass("unique IDs once each, in order and well-formed, and extensions once, or BAD_FORMAT");

	/* fields the parser used to skip: same-length edits of the seed (its signature then fails as well, so
	 * CELLA_ERR_CERT_CHAIN would mean the field went unchecked) */
	{
		size_t issuer = SERIAL_AT + 2 + 16 + ALG_BYTES, validity, subject;
		CT_ASSERT(cert[SERIAL_AT] == 0x02 && cert[SERIAL_AT + 1] == 16 && cert[issuer] == 0x30);
		validity = issuer + 2 + cert[issuer + 1];
		subject = validity + 2 + cert[validity + 1];
		/* validity: 30 1e 17 0d YYMMDDHHMMSSZ 17 0d ...
		 * names: 30 len 31 len 30 len 06 03 55 04 03 0c len CN */
		CT_ASSERT(cert[validity] == 0x30 && cert[validity + 2] == 0x17 && cert[validity + 3] == 13);
		CT_ASSERT(cert[subject] == 0x30 && cert[subject + 2] == 0x31 && cert[subject + 6] == 0x06);
		const struct {
			size_t at;
			uint8_t and_mask, or_mask;
			const char *what;
		} edits[][2] = {
			{{SERIAL_AT + 2, 0xff, 0x80, "serial negative"}},
			{{SERIAL_AT + 2, 0x00, 0x00, "serial 00 01: not minimal"}, {SERIAL_AT + 3, 0x00, 0x01, ""}},
			{{validity + 2, 0x00, 0x04, "notBefore an OCTET STRING"}},
			{{validity + 4 + 12, 0x00, '0', "notBefore without its Z"}},
			{{validity + 4 + 3, 0x00, 'A', "notBefore with a letter"}},
			{{issuer + 2, 0x00, 0x30, "issuer RDN a SEQUENCE"}},
			{{issuer + 6, 0x00, 0x04, "issuer attribute type an OCTET STRING"}},
			{{subject + 8, 0x00, 0x80, "subject OID with a leading 80 group"}},
			{{subject + 11, 0x00, 0x1f, "subject value with a multi-byte tag"}},
		};
		for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
			memcpy(mut, cert, n);
			for (size_t j = 0; j < 2 && edits[i][j].what; j++) {
				uint8_t *b = mut + edits[i][j].at;
				*b = (uint8_t)((*b & edits[i][j].and_mask) | edits[i][j].or_mask);
			}
			CT_ASSERT(memcmp(mut, cert, n) != 0);
			if (cella_verify_attest_cert(mut, n, NULL, 0, &p, &c) != CELLA_ERR_BAD_FORMAT)
				cella_test_fail(__FILE__, __LINE__, "%s: not refused as CELLA_ERR_BAD_FORMAT",
						edits[i][0].what);
		}
	}
	cella_test_pass("malformed serial numbers, validity times and names are refused");

	for (int form = 0; form < 4; form++) {
		size_t m;
		uint8_t *re = sig_reencoded(cert, n, form, &m);
		cella_result want = form == 0 ? CELLA_OK : CELLA_ERR_BAD_FORMAT;
		CT_ASSERT(form != 0 || (m == n && memcmp(re, cert, n) == 0));
		if (cella_verify_attest_cert(re, m, NULL, 0, &p, &c) != want)
			cella_test_fail(__FILE__, __LINE__, "signature form %d: not %s", form, cella_result_name(want));
		free(re);
	}
	cella_test_pass("the genuine signature in BER (r padded, long-form length, bytes after it) is refused");
	free(mut);
	free(cert);
	free((void *)root.cert);
	return 0;
}
