// SPDX-License-Identifier: MIT
/* Helpers for the verify tests: DCAP vectors, quote rebuilding, and a generated test CA. */
#include "testutil.h"

#include "cella_test.h"
#include "verify_internal.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

const char *tv_root(int argc, char **argv)
{
	const char *r = argc > 1 ? argv[1] : getenv("CELLA_VECTORS_DIR");
	char p[600];
	FILE *f;
	if (!r || !*r)
		cella_test_fail(__FILE__, __LINE__, "no vectors directory: pass it as argv[1] or set CELLA_VECTORS_DIR");
	snprintf(p, sizeof(p), "%s/README.md", r);
	f = fopen(p, "r");
	if (!f)
		cella_test_fail(__FILE__, __LINE__,
				"DCAP vectors not found at %s (set -DCELLA_VECTORS_DIR=/path/to/vectors/dcap)", r);
	fclose(f);
	return r;
}

uint8_t *tv_read(const char *root, const char *rel, size_t *len)
{
	char p[700];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return cella_test_read_file(p, len);
}

void tv_load(const char *root, const char *name, struct tv *t)
{
	char rel[300];
	size_t n;
	char *exp;
	json_t *j, *a, *v;
	json_error_t err;
	size_t i;
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "%s/%s", root, name);
	snprintf(rel, sizeof(rel), "%s/quote.bin", name);
	t->quote = tv_read(root, rel, &t->quote_len);
	snprintf(rel, sizeof(rel), "%s/collateral.json", name);
	t->collateral = (char *)tv_read(root, rel, &t->collateral_len);
	snprintf(rel, sizeof(rel), "%s/expected.json", name);
	exp = (char *)tv_read(root, rel, &n);
	j = json_loadb(exp, n, 0, &err);
	if (!j)
		cella_test_fail(__FILE__, __LINE__, "%s: %s", rel, err.text);
	if (cella_time_parse(json_string_value(json_object_get(j, "verify_time")), &t->verify_time) ||
	    cella_time_parse(json_string_value(json_array_get(json_object_get(j, "valid_window"), 0)), &t->from) ||
	    cella_time_parse(json_string_value(json_array_get(json_object_get(j, "valid_window"), 1)), &t->until) ||
	    cella_tcb_status_parse(json_string_value(json_object_get(j, "status")), &t->status))
		cella_test_fail(__FILE__, __LINE__, "%s: bad verify_time/valid_window/status", rel);
	snprintf(t->status_name, sizeof(t->status_name), "%s", json_string_value(json_object_get(j, "status")));
	a = json_object_get(j, "advisory_ids");
	json_array_foreach(a, i, v) {
		CT_ASSERT(i < 8);
		snprintf(t->advisories[i], CELLA_ADVISORY_ID_BYTES, "%s", json_string_value(v));
		t->advisory_count = i + 1;
	}
	json_decref(j);
	free(exp);
}

void tv_free(struct tv *t)
{
	free(t->quote);
	free(t->collateral);
	memset(t, 0, sizeof(*t));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Bytes of the QE report data (quote v3: after the attestation key; v4, v5: inside type-6 certification data) for q's
 * QE auth data and a PEM chain of pem_bytes. */
static size_t qe_data_len(const struct cella_quote *q, size_t pem_bytes)
{
	return 384 + 64 + 2 + q->qe_auth_len + 6 + pem_bytes;
}

/* Writes that data at o (zeroed, qe_data_len bytes): q's QE report and its signature, q's QE auth data, then type 5
 * with the PEM chain, pem_bytes long (pem_len, or one more for a trailing NUL). */
static void put_qe_data(uint8_t *o, const struct cella_quote *q, const char *pem, size_t pem_len, size_t pem_bytes)
{
	size_t auth = q->qe_auth_len;
	memcpy(o, q->qe_report, 384 + 64); /* the report and, right after it in the quote, its signature */
	put16(o + 448, (uint16_t)auth);
	memcpy(o + 450, q->qe_auth, auth);
	put16(o + 450 + auth, 5);
	put32(o + 452 + auth, (uint32_t)pem_bytes);
	memcpy(o + 456 + auth, pem, pem_len);
}

/* Type-6 certification data (QE report certification data): its 6-byte header, then the QE report data. */
static size_t qe_cert_data_len(const struct cella_quote *q, size_t pem_bytes)
{
	return 6 + qe_data_len(q, pem_bytes);
}

static void put_qe_cert_data(uint8_t *o, const struct cella_quote *q, const char *pem, size_t pem_len,
			     size_t pem_bytes)
{
	put16(o, 6);
	put32(o + 2, (uint32_t)qe_data_len(q, pem_bytes));
	put_qe_data(o + 6, q, pem, pem_len, pem_bytes);
}

uint8_t *tv_rebuild_quote(const uint8_t *b, size_t len, const char *pem, size_t pem_len, size_t *out_len)
{
	uint16_t version = (uint16_t)(b[0] | b[1] << 8);
	uint8_t *o;
	size_t n;
	if (version == 3) {
		size_t auth = (size_t)(b[1012] | b[1013] << 8), head = 1014 + auth;
		CT_ASSERT(len >= head);
		n = head + 6 + pem_len + 1;
		o = calloc(1, n);
		memcpy(o, b, head);
		put16(o + head, 5);
		put32(o + head + 2, (uint32_t)(pem_len + 1));
		memcpy(o + head + 6, pem, pem_len);
		put32(o + 432, (uint32_t)(n - 436));
	} else {
		struct cella_quote q;
		size_t pre;
		CT_RESULT(cella_quote_parse(b, len, &q, NULL), CELLA_OK);
		pre = q.signed_len + 4 + 128;
		n = pre + qe_cert_data_len(&q, pem_len + 1);
		o = calloc(1, n);
		CT_ASSERT(o);
		memcpy(o, b, pre);
		put_qe_cert_data(o + pre, &q, pem, pem_len, pem_len + 1);
		put32(o + q.signed_len, (uint32_t)(n - q.signed_len - 4));
	}
	*out_len = n;
	return o;
}

EVP_PKEY *tca_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	CT_ASSERT(k);
	return k;
}

static X509_NAME *name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Intel Corporation", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "L", MBSTRING_ASC, (const unsigned char *)"Santa Clara", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "ST", MBSTRING_ASC, (const unsigned char *)"CA", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
	return n;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	CT_ASSERT(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

X509 *tca_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, long serial, int64_t nb,
	       int64_t na, int is_ca, X509_EXTENSION *ext)
{
	X509 *x = X509_new();
	X509_NAME *n = name(cn);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na);
	X509_set_pubkey(x, key);
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (issuer || is_ca)
		add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	add_ext(x, issuer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, issuer, NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	if (ext)
		X509_add_ext(x, ext, -1);
	CT_ASSERT(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

uint8_t *tca_crl(X509 *issuer, EVP_PKEY *key, const long *serials, size_t count, int64_t tu, int64_t nu,
		 size_t *der_len)
{
	X509_CRL *c = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	uint8_t *der = NULL;
	int n;
	X509_CRL_set_version(c, 1);
	X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer));
	ASN1_TIME_set(t, (time_t)tu);
	X509_CRL_set1_lastUpdate(c, t);
	ASN1_TIME_set(t, (time_t)nu);
	X509_CRL_set1_nextUpdate(c, t);
	for (size_t i = 0; i < count; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		ASN1_INTEGER_set(sn, serials[i]);
		X509_REVOKED_set_serialNumber(r, sn);
		ASN1_TIME_set(t, (time_t)tu);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(c, r);
		ASN1_INTEGER_free(sn);
	}
	ASN1_INTEGER_set(num, 1);
	X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 0, 0);
	X509V3_set_ctx(&ctx, issuer, NULL, NULL, c, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	CT_ASSERT(e);
	X509_CRL_add_ext(c, e, -1);
	X509_EXTENSION_free(e);
	X509_CRL_sort(c);
	CT_ASSERT(X509_CRL_sign(c, key, EVP_sha256()) > 0);
	n = i2d_X509_CRL(c, &der);
	CT_ASSERT(n > 0);
	*der_len = (size_t)n;
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(num);
	X509_CRL_free(c);
	return der;
}

void tca_sign_raw(EVP_PKEY *key, const void *msg, size_t len, uint8_t *sig64)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[80];
	size_t n = sizeof(der);
	const uint8_t *p = der;
	ECDSA_SIG *s;
	const BIGNUM *r, *ss;
	CT_ASSERT(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1);
	CT_ASSERT(EVP_DigestSign(ctx, der, &n, msg, len) == 1);
	s = d2i_ECDSA_SIG(NULL, &p, (long)n);
	CT_ASSERT(s);
	ECDSA_SIG_get0(s, &r, &ss);
	CT_ASSERT(BN_bn2binpad(r, sig64, 32) == 32 && BN_bn2binpad(ss, sig64 + 32, 32) == 32);
	ECDSA_SIG_free(s);
	EVP_MD_CTX_free(ctx);
}

char *tca_pem(X509 *const *certs, size_t n, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long l;
	for (size_t i = 0; i < n; i++)
		PEM_write_bio_X509(b, certs[i]);
	l = BIO_get_mem_data(b, &data);
	out = malloc((size_t)l + 1);
	memcpy(out, data, (size_t)l);
	out[l] = 0;
	*len = (size_t)l;
	BIO_free(b);
	return out;
}

/* see testutil.h */
int tv_key_point(EVP_PKEY *key, uint8_t *out)
{
	char group[32];
	size_t n = 0;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return -1;
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) != 1 ||
	    strcmp(group, "prime256v1") != 0)
		return -1;
	if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out, 65, &n) != 1 || n != 65 ||
	    out[0] != 0x04)
		return -1;
	return 0;
}

uint8_t *tv_build_quote(const struct cella_quote *q, uint16_t version, uint16_t body_type, const uint8_t *td15_extra,
			EVP_PKEY *ak, EVP_PKEY *pck_key, const char *pem, size_t pem_len, size_t *out_len)
{
	size_t body = body_type == CELLA_QUOTE_BODY_SGX ? 384 : body_type == CELLA_QUOTE_BODY_TD10 ? 584 : 648;
	size_t wrap = version == 3 ? 0 : 6; /* v3: the QE report data right after the key, without the type-6 header */
	size_t head = version == 5 ? 54 : 48, sig = 128 + wrap + qe_data_len(q, pem_len), n = head + body + 4 + sig, at;
	uint8_t *o = calloc(1, n), point[65], *qe;
	CT_ASSERT(o && (version == 4 || version == 5 || (version == 3 && body_type == CELLA_QUOTE_BODY_SGX)) &&
		  q->body_len == (body == 648 ? 584 : body));
	memcpy(o, q->bytes, 48);
	put16(o, version);
	if (version == 5) {
		put16(o + 48, body_type);
		put32(o + 50, (uint32_t)body);
	}
	memcpy(o + head, q->body, q->body_len);
	if (body == 648)
		memcpy(o + head + 584, td15_extra, 64);
	at = head + body;
	put32(o + at, (uint32_t)sig);
	CT_EQ(tv_key_point(ak, point), 0);
	memcpy(o + at + 4 + 64, point + 1, 64);
	if (wrap)
		put_qe_cert_data(o + at + 132, q, pem, pem_len, pem_len);
	else
		put_qe_data(o + at + 132, q, pem, pem_len, pem_len);
	qe = o + at + 132 + wrap;
	/* the QE report binds the new key: SHA-256(key || auth data), then 32 zero bytes; re-signed by the PCK key */
	{
		uint8_t *m = malloc(64 + q->qe_auth_len);
		CT_ASSERT(m);
		memcpy(m, point + 1, 64);
		memcpy(m + 64, q->qe_auth, q->qe_auth_len);
		SHA256(m, 64 + q->qe_auth_len, qe + 320);
		memset(qe + 352, 0, 32);
		free(m);
	}
	tca_sign_raw(pck_key, qe, 384, qe + 384);
	tca_sign_raw(ak, o, head + body, o + at + 4);
	*out_len = n;
	return o;
}

void tca_pki_like(struct tca_pki *p, const struct cella_quote *real, int64_t at, char **pem, size_t *pem_len)
{
	struct cella_pck_info pck;
	X509 *chain[3];
	CT_RESULT(cella_quote_pck_info(real, &pck, NULL), CELLA_OK);
	tca_pki_new(p, real, pck.ca == CELLA_PCK_CA_PROCESSOR ? "Intel SGX PCK Processor CA" : "Intel SGX PCK Platform CA",
		    at);
	chain[0] = p->leaf;
	chain[1] = p->ca;
	chain[2] = p->root;
	*pem = tca_pem(chain, 3, pem_len);
}

void tca_pki_new(struct tca_pki *p, const struct cella_quote *real, const char *ca_cn, int64_t at)
{
	X509 *chain[3] = {NULL, NULL, NULL};
	ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	X509_EXTENSION *ext;
	uint8_t der[2048], *dp = der;
	size_t n = 0;
	int len;
	int64_t nb = at - 86400 * 365, na = at + 86400 * 365 * 5;
	CT_RESULT(cella_vfy_pem_chain(real->pck_chain, real->pck_chain_len, chain, 3, 3, &n, NULL, NULL), CELLA_OK);
	ext = X509_get_ext(chain[0], X509_get_ext_by_OBJ(chain[0], oid, -1));
	CT_ASSERT(ext);
	p->k_root = tca_key();
	p->k_ca = tca_key();
	p->k_leaf = tca_key();
	p->k_signer = tca_key();
	p->root = tca_cert("Intel SGX Root CA", p->k_root, NULL, NULL, TCA_SN_ROOT, nb, na, 1, NULL);
	p->ca = tca_cert(ca_cn, p->k_ca, p->root, p->k_root, TCA_SN_PCK_CA, nb, na, 1, NULL);
	p->leaf = tca_cert("Intel SGX PCK Certificate", p->k_leaf, p->ca, p->k_ca, TCA_SN_LEAF, nb, na, 0, ext);
	p->signer = tca_cert("Intel SGX TCB Signing", p->k_signer, p->root, p->k_root, TCA_SN_SIGNER, nb, na, 0, NULL);
	len = i2d_X509(p->root, &dp);
	CT_ASSERT(len > 0);
	CT_RESULT(cella_trust_new_cert(der, (size_t)len, &p->trust, NULL), CELLA_OK);
	for (size_t i = 0; i < n; i++)
		X509_free(chain[i]);
	ASN1_OBJECT_free(oid);
}

struct cella_collateral *tca_pki_collateral(const struct tca_pki *p, const char *tcb_info, const char *qe_identity,
					    int64_t at)
{
	X509 *crl_chain[2] = {p->ca, p->root}, *sig_chain[2] = {p->signer, p->root};
	size_t crl_chain_len, sig_chain_len, rlen, plen;
	char *crlc = tca_pem(crl_chain, 2, &crl_chain_len), *sigc = tca_pem(sig_chain, 2, &sig_chain_len);
	uint8_t *rcrl = tca_crl(p->root, p->k_root, NULL, 0, at - 3600, at + 86400, &rlen);
	uint8_t *pcrl = tca_crl(p->ca, p->k_ca, NULL, 0, at - 3600, at + 86400, &plen);
	uint8_t tsig[64], qsig[64];
	struct cella_collateral *c = NULL;
	struct vfy_parts parts = {crlc, crl_chain_len, rcrl, rlen, pcrl, plen, sigc, sig_chain_len, tcb_info,
				  strlen(tcb_info), tsig, sigc, sig_chain_len, qe_identity, strlen(qe_identity), qsig};
	tca_sign_raw(p->k_signer, tcb_info, strlen(tcb_info), tsig);
	tca_sign_raw(p->k_signer, qe_identity, strlen(qe_identity), qsig);
	CT_RESULT(cella_vfy_collateral_new_parts(&parts, &c), CELLA_OK);
	free(crlc);
	free(sigc);
	free(rcrl);
	free(pcrl);
	return c;
}

void tca_pki_free(struct tca_pki *p)
{
	EVP_PKEY_free(p->k_root);
	EVP_PKEY_free(p->k_ca);
	EVP_PKEY_free(p->k_leaf);
	EVP_PKEY_free(p->k_signer);
	X509_free(p->root);
	X509_free(p->ca);
	X509_free(p->leaf);
	X509_free(p->signer);
	cella_trust_free(p->trust);
	memset(p, 0, sizeof(*p));
}

char *tv_replace_after(const char *s, const char *after, const char *from, const char *to)
{
	const char *a = strstr(s, after), *m = a ? strstr(a, from) : NULL;
	char *o;
	CT_ASSERT(m != NULL);
	o = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	CT_ASSERT(o != NULL);
	sprintf(o, "%.*s%s%s", (int)(m - s), s, to, m + strlen(from));
	return o;
}

unsigned tv_eval_number(const char *text)
{
	const char *k = strstr(text, "\"tcbEvaluationDataNumber\":");
	CT_ASSERT(k != NULL);
	return (unsigned)strtoul(k + strlen("\"tcbEvaluationDataNumber\":"), NULL, 10);
}
