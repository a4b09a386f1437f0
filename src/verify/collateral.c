// SPDX-License-Identifier: MIT
/* Collateral: loading (JSON layout of the DCAP vectors), serialising, and the time-independent checks. */
#include "verify_internal.h"

#include "file.h"

#include <errno.h>
#include <cjson/cJSON.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_text(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static uint8_t *dup_bytes(const uint8_t *s, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	if (p)
		memcpy(p, s, n);
	return p;
}

cella_result cella_vfy_collateral_new_parts(const struct vfy_parts *p, struct cella_collateral **out)
{
	struct cella_collateral *c = calloc(1, sizeof(*c));
	if (!c)
		return CELLA_ERR_OUT_OF_MEMORY;
	pthread_mutex_init(&c->lock, NULL);
	c->pck_crl_chain = dup_text(p->pck_crl_chain, p->pck_crl_chain_len);
	c->pck_crl_chain_len = p->pck_crl_chain_len;
	c->root_crl = dup_bytes(p->root_crl, p->root_crl_len);
	c->root_crl_len = p->root_crl_len;
	c->pck_crl = dup_bytes(p->pck_crl, p->pck_crl_len);
	c->pck_crl_len = p->pck_crl_len;
	c->tcb_chain = dup_text(p->tcb_chain, p->tcb_chain_len);
	c->tcb_chain_len = p->tcb_chain_len;
	c->tcb_info = dup_text(p->tcb_info, p->tcb_info_len);
	c->tcb_info_len = p->tcb_info_len;
	memcpy(c->tcb_sig, p->tcb_sig, 64);
	c->qe_chain = dup_text(p->qe_chain, p->qe_chain_len);
	c->qe_chain_len = p->qe_chain_len;
	c->qe_identity = dup_text(p->qe_identity, p->qe_identity_len);
	c->qe_identity_len = p->qe_identity_len;
	memcpy(c->qe_sig, p->qe_sig, 64);
	if (!c->pck_crl_chain || !c->root_crl || !c->pck_crl || !c->tcb_chain || !c->tcb_info || !c->qe_chain ||
	    !c->qe_identity) {
		cella_collateral_free(c);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	*out = c;
	return CELLA_OK;
}

void cella_vfy_pck_entry_put(struct vfy_pck_entry *e)
{
	if (!e || --e->refs > 0)
		return;
	EVP_PKEY_free(e->leaf_key);
	free(e);
}

/* Drops one reference to p, freeing it at the last. Caller holds the collateral's lock (or is its only user). */
static void prepared_put(struct vfy_prepared *p)
{
	if (!p || --p->refs > 0)
		return;
	X509_free(p->root);
	X509_free(p->pck_ca);
	X509_CRL_free(p->root_crl);
	X509_CRL_free(p->pck_crl);
	cella_vfy_tcb_info_fini(&p->tcb);
	cella_vfy_qe_identity_fini(&p->qe);
	for (unsigned i = 0; i < VFY_PCK_CACHE_SLOTS; i++)
		cella_vfy_pck_entry_put(p->pck[i]);
	cella_vfy_pool_fini(&p->pool);
	free(p);
}

/* see cella/verify.h */
void cella_collateral_free(struct cella_collateral *c)
{
	if (!c)
		return;
	prepared_put(c->prep); /* no verification holds it any more: freeing c while one runs is the caller's bug */
	free(c->pck_crl_chain);
	free(c->root_crl);
	free(c->pck_crl);
	free(c->tcb_chain);
	free(c->tcb_info);
	free(c->qe_chain);
	free(c->qe_identity);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* A CRL given as hex DER or as PEM "X509 CRL" into new DER. */
static uint8_t *crl_der(const char *s, size_t n, size_t *len)
{
	uint8_t *der = NULL;
	if (n > 11 && memcmp(s, "-----BEGIN ", 11) == 0)
		return cella_vfy_pem_block(s, n, "X509 CRL", &der, len, NULL) == CELLA_OK ? der : NULL;
	return cella_hex_decode_alloc(s, n, len);
}

/* A non-empty string member: its text and length, or NULL. */
static const char *str(const cJSON *root, const char *k, size_t *len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, k);
	if (!cJSON_IsString(v))
		return NULL;
	*len = strlen(v->valuestring);
	return *len ? v->valuestring : NULL;
}

static const char *member(const cJSON *root, const char *k, size_t *len, struct cella_detail *d, cella_result *r)
{
	const char *s = str(root, k, len);
	if (!s)
		*r = cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "collateral member \"%s\" missing or not a string", k);
	return s;
}

/* A signed document: `text` + hex `sig`, or (no sig member) a PCS body {"<inner>":{...},"signature":"..."}. */
static int signed_doc(const cJSON *root, const char *tk, const char *sk, const char *inner, const char **text,
		      size_t *tlen, uint8_t *sig)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, sk);
	const char *sv, *body;
	size_t sl, bl;
	if (!(body = str(root, tk, &bl)))
		return -1;
	if (cJSON_IsString(s)) /* a signature member, empty or not, is the signature */
		return *text = body, *tlen = bl, cella_hex_decode(s->valuestring, strlen(s->valuestring), sig, 64);
	if (cella_vfy_json_member_raw(body, bl, "signature", &sv, &sl) || sl != 130 ||
	    cella_hex_decode(sv + 1, 128, sig, 64))
		return -1;
	return cella_vfy_json_member_raw(body, bl, inner, text, tlen);
}

/* The collateral in a parsed collateral JSON object. */
static cella_result from_root(const cJSON *root, struct cella_collateral **out, struct cella_detail *d)
{
	const char *rcrl, *pcrl;
	size_t rl, pl;
	struct vfy_parts p;
	uint8_t *rder = NULL, *pder = NULL, tsig[64], qsig[64];
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(&p, 0, sizeof(p));
	if (!(p.pck_crl_chain = member(root, "pck_crl_issuer_chain", &p.pck_crl_chain_len, d, &r)) ||
	    !(rcrl = member(root, "root_ca_crl", &rl, d, &r)) || !(pcrl = member(root, "pck_crl", &pl, d, &r)) ||
	    !(p.tcb_chain = member(root, "tcb_info_issuer_chain", &p.tcb_chain_len, d, &r)) ||
	    !(p.qe_chain = member(root, "qe_identity_issuer_chain", &p.qe_chain_len, d, &r)))
		goto out;
	rder = crl_der(rcrl, rl, &p.root_crl_len);
	pder = crl_der(pcrl, pl, &p.pck_crl_len);
	if (!rder || !pder)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "%s is neither hex DER nor PEM",
					  rder ? "pck_crl" : "root_ca_crl"));
	if (signed_doc(root, "tcb_info", "tcb_info_signature", "tcbInfo", &p.tcb_info, &p.tcb_info_len, tsig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "tcb_info / tcb_info_signature missing or malformed"));
	if (signed_doc(root, "qe_identity", "qe_identity_signature", "enclaveIdentity", &p.qe_identity,
		       &p.qe_identity_len, qsig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL,
					  "qe_identity / qe_identity_signature missing or malformed"));
	p.root_crl = rder;
	p.pck_crl = pder;
	p.tcb_sig = tsig;
	p.qe_sig = qsig;
	r = cella_vfy_collateral_new_parts(&p, out);
out:
	free(rder);
	free(pder);
	return r;
}

static cella_result collateral_new_json(const char *json, size_t len, struct cella_collateral **out,
					struct cella_detail *d)
{
	cJSON *root = NULL;
	cella_result r;

	if (len > VFY_MAX_COLLATERAL_BYTES)
		return cella_vfy_fail(d, CELLA_ERR_TOO_LARGE, "collateral larger than %u bytes",
				      VFY_MAX_COLLATERAL_BYTES);
	if ((r = cella_vfy_json_load(json, len, "collateral", d, &root)) != CELLA_OK)
		return r;
	r = from_root(root, out, d);
	cJSON_Delete(root);
	return r;
}

/* see cella/verify.h; OpenSSL's error queue left as the caller had it */
cella_result cella_collateral_new_json(const char *json, size_t len, struct cella_collateral **out,
				       struct cella_detail *d)
{
	cella_result r;
	ERR_set_mark();
	r = collateral_new_json(json, len, out, d);
	ERR_pop_to_mark();
	return r;
}

/* see verify_internal.h */
cella_result cella_vfy_collateral_load_cache(const char *path, const char *from, const char *root_crl_from,
					     struct cella_collateral **out)
{
	uint8_t *buf = NULL;
	size_t n = 0, l;
	cJSON *root = NULL;
	const char *v;
	cella_result r = CELLA_ERR_UNEXPECTED;

	CELLA_CHECK(cella_file_read(path, VFY_MAX_COLLATERAL_BYTES, &buf, &n));
	CELLA_CHECK(cella_vfy_json_load((const char *)buf, n, "cached collateral", NULL, &root));
	if (!(v = str(root, "fetched_from", &l)) || strcmp(v, from) != 0 || !(v = str(root, "root_ca_crl_from", &l)) ||
	    strcmp(v, root_crl_from) != 0)
		CELLA_FAIL(CELLA_ERR_NOT_FOUND);
	r = from_root(root, out, NULL);
out:
	cJSON_Delete(root);
	free(buf);
	return r;
}

/* see cella/verify.h */
cella_result cella_collateral_load_file(const char *path, struct cella_collateral **out, struct cella_detail *d)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	cella_result r = cella_file_read(path, VFY_MAX_COLLATERAL_BYTES, &buf, &n);
	char why[96];
	if (r != CELLA_OK)
		return cella_vfy_fail(d, r, "cannot read %s: %s", path,
				      cella_file_read_why(r, VFY_MAX_COLLATERAL_BYTES, why, sizeof(why)));
	r = cella_collateral_new_json((const char *)buf, n, out, d);
	free(buf);
	return r;
}

static char *to_hex(const uint8_t *b, size_t n)
{
	char *s = malloc(2 * n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	return s;
}

/* see verify_internal.h */
cella_result cella_vfy_collateral_cache_json(const struct cella_collateral *c, const char *from,
					     const char *root_crl_from, char **out_json, size_t *out_len)
{
	cJSON *o = cJSON_CreateObject();
	char *rc = to_hex(c->root_crl, c->root_crl_len), *pc = to_hex(c->pck_crl, c->pck_crl_len);
	char *ts = to_hex(c->tcb_sig, 64), *qs = to_hex(c->qe_sig, 64), *s = NULL;
	cella_result r = CELLA_ERR_OUT_OF_MEMORY;
	/* Only what cella_collateral_new_json reads back: a text with a NUL or invalid UTF-8 (only a fetched body can
	 * have one, and it fails verification) is not written. */
	if (!cella_vfy_json_string_ok(c->pck_crl_chain, c->pck_crl_chain_len) ||
	    !cella_vfy_json_string_ok(c->tcb_chain, c->tcb_chain_len) ||
	    !cella_vfy_json_string_ok(c->tcb_info, c->tcb_info_len) ||
	    !cella_vfy_json_string_ok(c->qe_chain, c->qe_chain_len) ||
	    !cella_vfy_json_string_ok(c->qe_identity, c->qe_identity_len)) {
		r = CELLA_ERR_COLLATERAL;
		goto out;
	}
	if (!o || !rc || !pc || !ts || !qs || !cJSON_AddStringToObject(o, "pck_crl_issuer_chain", c->pck_crl_chain) ||
	    !cJSON_AddStringToObject(o, "root_ca_crl", rc) || !cJSON_AddStringToObject(o, "pck_crl", pc) ||
	    !cJSON_AddStringToObject(o, "tcb_info_issuer_chain", c->tcb_chain) ||
	    !cJSON_AddStringToObject(o, "tcb_info", c->tcb_info) ||
	    !cJSON_AddStringToObject(o, "tcb_info_signature", ts) ||
	    !cJSON_AddStringToObject(o, "qe_identity_issuer_chain", c->qe_chain) ||
	    !cJSON_AddStringToObject(o, "qe_identity", c->qe_identity) ||
	    !cJSON_AddStringToObject(o, "qe_identity_signature", qs))
		goto out;
	if (from && (!cJSON_AddStringToObject(o, "fetched_from", from) ||
		     !cJSON_AddStringToObject(o, "root_ca_crl_from", root_crl_from)))
		goto out;
	if (!(s = cJSON_Print(o)))
		goto out;
	*out_json = s;
	*out_len = strlen(s);
	r = CELLA_OK;
out:
	cJSON_Delete(o);
	free(rc);
	free(pc);
	free(ts);
	free(qs);
	return r;
}

/* see cella/verify.h */
cella_result cella_collateral_to_json(const struct cella_collateral *c, char **out_json, size_t *out_len)
{
	return cella_vfy_collateral_cache_json(c, NULL, NULL, out_json, out_len);
}

static int crl_next(const uint8_t *der, size_t len, int64_t *t)
{
	const uint8_t *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	int rc = crl ? cella_vfy_asn1_time(X509_CRL_get0_nextUpdate(crl), t) : -1;
	X509_CRL_free(crl);
	return rc;
}

/* The earliest notAfter of the certificates in a PEM chain into *best; -1 if a certificate is unreadable. */
static int chain_not_after(const char *pem, size_t len, int64_t *best)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x;
	int64_t t;
	int n = 0, rc = 0;
	if (!b)
		return -1;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (cella_vfy_asn1_time(X509_get0_notAfter(x), &t))
			rc = -1;
		else if (t < *best)
			*best = t;
		X509_free(x);
		n++;
	}
	BIO_free(b);
	return n == 0 ? -1 : rc;
}

static cella_result collateral_next_update(const struct cella_collateral *c, int64_t *out)
{
	const char *v;
	size_t n;
	int64_t best = INT64_MAX, t;
	char buf[40];
	const char *docs[2] = {c->tcb_info, c->qe_identity};
	size_t lens[2] = {c->tcb_info_len, c->qe_identity_len};
	for (int i = 0; i < 2; i++) {
		if (cella_vfy_json_member_raw(docs[i], lens[i], "nextUpdate", &v, &n) || n < 3 || n - 2 >= sizeof(buf))
			return CELLA_ERR_COLLATERAL;
		memcpy(buf, v + 1, n - 2);
		buf[n - 2] = 0;
		if (cella_time_parse(buf, &t) != CELLA_OK)
			return CELLA_ERR_COLLATERAL;
		best = t < best ? t : best;
	}
	if (crl_next(c->root_crl, c->root_crl_len, &t))
		return CELLA_ERR_CRL;
	best = t < best ? t : best;
	if (crl_next(c->pck_crl, c->pck_crl_len, &t))
		return CELLA_ERR_CRL;
	best = t < best ? t : best;
	/* an expired signing or CA certificate ends the collateral's use as surely as a nextUpdate does */
	if (chain_not_after(c->tcb_chain, c->tcb_chain_len, &best) ||
	    chain_not_after(c->qe_chain, c->qe_chain_len, &best) ||
	    chain_not_after(c->pck_crl_chain, c->pck_crl_chain_len, &best))
		return CELLA_ERR_CERT_CHAIN;
	*out = best;
	return CELLA_OK;
}

/* see cella/verify.h; OpenSSL's error queue left as the caller had it */
cella_result cella_collateral_next_update(const struct cella_collateral *c, int64_t *out)
{
	cella_result r;
	ERR_set_mark();
	r = collateral_next_update(c, out);
	ERR_pop_to_mark();
	return r;
}

/* ---- the time-independent checks ---- */

struct window {
	int64_t from, until;
	int bad;
};

static void win(struct window *w, const ASN1_TIME *from, const ASN1_TIME *until)
{
	int64_t f, u;
	if (cella_vfy_asn1_time(from, &f) || cella_vfy_asn1_time(until, &u)) {
		w->bad = 1;
		return;
	}
	if (f > w->from)
		w->from = f;
	if (u < w->until)
		w->until = u;
}

static void win_cert(struct window *w, X509 *x)
{
	win(w, X509_get0_notBefore(x), X509_get0_notAfter(x));
}

static void win_crl(struct window *w, X509_CRL *c)
{
	win(w, X509_CRL_get0_lastUpdate(c), X509_CRL_get0_nextUpdate(c));
}

static void win_doc(struct window *w, int64_t from, int64_t until)
{
	if (from > w->from)
		w->from = from;
	if (until < w->until)
		w->until = until;
}

static int pool_find(struct vfy_pool *pool, X509 *x)
{
	for (size_t i = 0; pool && i < pool->n; i++)
		if (pool->e[i].x == x)
			return (int)i;
	return -1;
}

/* A chain root: carries the trusted key, is self-issued, self-signed and a CA. */
cella_result cella_vfy_check_root(X509 *root, const uint8_t *point, const char *what, struct vfy_pool *pool,
				  struct cella_detail *d)
{
	const uint8_t *pt = cella_vfy_cert_point(root);
	int i = pool_find(pool, root), pinned;
	if (i >= 0 && pool->e[i].root_ok)
		return CELLA_OK;
	if (!pt || memcmp(pt, point, 65) != 0)
		return cella_vfy_fail(d, CELLA_ERR_UNTRUSTED_ROOT, "%s ends in a root whose key is not trusted", what);
	/* Intel's own root certificate, byte for byte: its self-signature is known good */
	pinned = i >= 0 && cella_vfy_root_pinned(pool->e[i].hash);
	if (X509_NAME_cmp(X509_get_subject_name(root), X509_get_issuer_name(root)) != 0 ||
	    !(pinned || cella_vfy_cert_signed_by(root, root)) || X509_check_ca(root) < 1)
		return cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "%s root certificate is not a valid self-signed CA",
				      what);
	if (!cella_vfy_cn_contains(X509_get_subject_name(root), "SGX Root CA"))
		return cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "%s root CN is not an SGX Root CA", what);
	if (i >= 0)
		pool->e[i].root_ok = true;
	return CELLA_OK;
}

/* child is issued and signed by parent, and its CN contains cn. */
cella_result cella_vfy_check_issued(X509 *child, X509 *parent, const char *cn, struct vfy_pool *pool,
				    struct cella_detail *d)
{
	int i = pool_find(pool, child);
	if (i >= 0 && pool->e[i].parent_ok == parent && parent)
		return CELLA_OK;
	if (!cella_vfy_cn_contains(X509_get_subject_name(child), cn))
		return cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "certificate CN does not contain \"%s\"", cn);
	if (X509_check_ca(parent) < 1 ||
	    X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(parent)) != 0 ||
	    !cella_vfy_cert_signed_by(child, parent))
		return cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "\"%s\" certificate is not signed by its issuer", cn);
	if (i >= 0 && pool_find(pool, parent) >= 0)
		pool->e[i].parent_ok = parent;
	return CELLA_OK;
}

/* The CRL is issued and signed by ca and carries CRL Number and AKI (as Intel's QVL requires). */
static cella_result check_crl(X509_CRL *crl, const uint8_t *der, size_t len, X509 *ca, const char *what,
			      struct cella_detail *d)
{
	int crit = 0;
	ASN1_INTEGER *num;
	AUTHORITY_KEYID *aki;
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0)
		return cella_vfy_fail(d, CELLA_ERR_CRL, "%s is not issued by the expected CA", what);
	if (!cella_vfy_crl_signed_by(crl, der, len, ca))
		return cella_vfy_fail(d, CELLA_ERR_CRL, "%s signature does not verify", what);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, NULL);
	aki = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit, NULL);
	ASN1_INTEGER_free(num);
	AUTHORITY_KEYID_free(aki);
	if (!num || !aki)
		return cella_vfy_fail(d, CELLA_ERR_CRL, "%s lacks CRL Number or Authority Key Identifier", what);
	if (!X509_CRL_get0_nextUpdate(crl))
		return cella_vfy_fail(d, CELLA_ERR_CRL, "%s has no nextUpdate", what);
	return CELLA_OK;
}

cella_result cella_vfy_check_not_revoked(X509_CRL *crl, X509 *x, const char *what, struct cella_detail *d)
{
	X509_REVOKED *rev = NULL;
	if (X509_CRL_get0_by_cert(crl, &rev, x) == 1) {
		char hex[80] = "";
		const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
		for (int i = 0; i < sn->length && i < 39; i++)
			snprintf(hex + 2 * i, 3, "%02x", sn->data[i]);
		return cella_vfy_fail(d, CELLA_ERR_REVOKED, "%s revoked (serial %s)", what, hex);
	}
	return CELLA_OK;
}

/* cella_vfy_pem_chain of a [CA or signer, root] chain of the collateral, its refusal naming the chain. */
static cella_result chain2(const char *pem, size_t len, const char *what, X509 **ch, size_t *n, struct vfy_pool *pool,
			   struct cella_detail *d)
{
	cella_result r = cella_vfy_pem_chain(pem, len, ch, 2, 2, n, pool, d);
	if (r != CELLA_OK && r != CELLA_ERR_OUT_OF_MEMORY && d) {
		char why[sizeof(d->text)];
		snprintf(why, sizeof(why), "%s", d->text);
		r = cella_vfy_fail(d, r, "%s: %s", what, why);
	}
	return r;
}

/* A signing chain [signer, root] for a collateral document. */
static cella_result signing_chain(const char *pem, size_t len, const uint8_t *point, X509_CRL *root_crl,
				  const char *what, X509 **signer, struct window *w, struct vfy_pool *pool,
				  struct cella_detail *d)
{
	X509 *ch[2] = {NULL, NULL};
	size_t n = 0;
	cella_result r = CELLA_ERR_UNEXPECTED;
	char ctx[96];
	snprintf(ctx, sizeof(ctx), "%s issuer chain", what);
	CELLA_CHECK(chain2(pem, len, ctx, ch, &n, pool, d));
	CELLA_CHECK(cella_vfy_check_root(ch[1], point, ctx, pool, d));
	CELLA_CHECK(cella_vfy_check_issued(ch[0], ch[1], "SGX TCB Signing", pool, d));
	if (X509_NAME_cmp(X509_CRL_get_issuer(root_crl), X509_get_subject_name(ch[1])) != 0)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRL, "root CA CRL is not issued by the %s root", what));
	snprintf(ctx, sizeof(ctx), "%s signing certificate", what);
	CELLA_CHECK(cella_vfy_check_not_revoked(root_crl, ch[0], ctx, d));
	win_cert(w, ch[0]);
	win_cert(w, ch[1]);
	*signer = ch[0];
	ch[0] = NULL;
	r = CELLA_OK;
out:
	X509_free(ch[0]);
	X509_free(ch[1]);
	return r;
}

static cella_result prepare(struct cella_collateral *c, struct vfy_prepared *p, struct cella_detail *d)
{
	const uint8_t *q;
	X509 *ch[2] = {NULL, NULL}, *tcb_signer = NULL, *qe_signer = NULL;
	size_t n = 0;
	struct window w = {INT64_MIN, INT64_MAX, 0};
	cella_result r = CELLA_ERR_UNEXPECTED;

	q = c->root_crl;
	p->root_crl = d2i_X509_CRL(NULL, &q, (long)c->root_crl_len);
	if (!p->root_crl || q != c->root_crl + c->root_crl_len)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRL, "root CA CRL is not valid DER"));
	q = c->pck_crl;
	p->pck_crl = d2i_X509_CRL(NULL, &q, (long)c->pck_crl_len);
	if (!p->pck_crl || q != c->pck_crl + c->pck_crl_len)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CRL, "PCK CRL is not valid DER"));

	/* PCK CRL issuer chain [PCK CA, root], and the root CRL under that root */
	CELLA_CHECK(chain2(c->pck_crl_chain, c->pck_crl_chain_len, "PCK CRL issuer chain", ch, &n, &p->pool, d));
	p->pck_ca = ch[0];
	p->root = ch[1];
	CELLA_CHECK(cella_vfy_check_root(p->root, p->root_point, "PCK CRL issuer chain", &p->pool, d));
	CELLA_CHECK(check_crl(p->root_crl, c->root_crl, c->root_crl_len, p->root, "root CA CRL", d));
	CELLA_CHECK(cella_vfy_check_issued(p->pck_ca, p->root, "CA", &p->pool, d));
	CELLA_CHECK(cella_vfy_check_not_revoked(p->root_crl, p->pck_ca, "PCK CA certificate", d));
	CELLA_CHECK(check_crl(p->pck_crl, c->pck_crl, c->pck_crl_len, p->pck_ca, "PCK CRL", d));
	win_cert(&w, p->pck_ca);
	win_cert(&w, p->root);
	win_crl(&w, p->root_crl);
	win_crl(&w, p->pck_crl);

	/* TCB Info and QE Identity: chains, then signatures over the exact text */
	CELLA_CHECK(signing_chain(c->tcb_chain, c->tcb_chain_len, p->root_point, p->root_crl, "TCB Info", &tcb_signer,
				  &w, &p->pool, d));
	if (!cella_vfy_doc_signed_by(tcb_signer, (const uint8_t *)c->tcb_info, c->tcb_info_len, c->tcb_sig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL_SIGNATURE, "TCB Info signature does not verify"));
	CELLA_CHECK(signing_chain(c->qe_chain, c->qe_chain_len, p->root_point, p->root_crl, "QE Identity", &qe_signer,
				  &w, &p->pool, d));
	if (!cella_vfy_doc_signed_by(qe_signer, (const uint8_t *)c->qe_identity, c->qe_identity_len, c->qe_sig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL_SIGNATURE, "QE Identity signature does not verify"));
	CELLA_CHECK(cella_vfy_tcb_info_parse(c->tcb_info, c->tcb_info_len, &p->tcb, d));
	CELLA_CHECK(cella_vfy_qe_identity_parse(c->qe_identity, c->qe_identity_len, &p->qe, d));
	win_doc(&w, p->tcb.issue_date, p->tcb.next_update);
	win_doc(&w, p->qe.issue_date, p->qe.next_update);
	if (w.bad)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "a validity time in the collateral is malformed"));
	p->from = w.from;
	p->until = w.until;
	r = CELLA_OK;
out:
	X509_free(tcb_signer);
	X509_free(qe_signer);
	return r;
}

cella_result cella_vfy_prepare(struct cella_collateral *c, const uint8_t *root_point, struct vfy_prepared **out)
{
	struct vfy_prepared *p = c->prep;
	if (p && memcmp(p->root_point, root_point, 65) == 0) {
		*out = p;
		return CELLA_OK;
	}
	prepared_put(p); /* verifications still using it keep it alive */
	c->prep = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return CELLA_ERR_OUT_OF_MEMORY;
	p->refs = 1;
	memcpy(p->root_point, root_point, 65);
	p->r = prepare(c, p, &p->detail);
	c->prep = p;
	*out = p;
	return CELLA_OK;
}

void cella_vfy_release(struct cella_collateral *c, struct vfy_prepared *p, struct vfy_pck_entry *e)
{
	if (!p && !e)
		return;
	pthread_mutex_lock(&c->lock);
	cella_vfy_pck_entry_put(e);
	prepared_put(p);
	pthread_mutex_unlock(&c->lock);
}
