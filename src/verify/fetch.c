// SPDX-License-Identifier: MIT
/* Collateral over HTTP(S) from a PCCS or Intel PCS v4 (libcurl), with an on-disk cache honouring nextUpdate. */
#include "verify_internal.h"

#include "file.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FETCH_MAX_BODY (2u << 20)

struct body {
	uint8_t *p;
	size_t n;
	int overflow; /* the body passed FETCH_MAX_BODY */
	int nomem;
};

struct hdr {
	const char *const *names; /* accepted header names, NULL-terminated */
	char *value;              /* URL-decoded value of the first match */
	CURL *curl;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	uint8_t *p;
	if (b->n + n > FETCH_MAX_BODY) {
		b->overflow = 1;
		return 0;
	}
	p = realloc(b->p, b->n + n + 1);
	if (!p) {
		b->nomem = 1;
		return 0;
	}
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	b->p[b->n] = 0;
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct hdr *h = arg;
	size_t n = size * nmemb;
	for (const char *const *name = h->names; name && *name && !h->value; name++) {
		size_t k = strlen(*name);
		if (n > k + 1 && strncasecmp(data, *name, k) == 0 && data[k] == ':') {
			size_t s = k + 1, e = n;
			int outlen = 0;
			while (s < e && (data[s] == ' ' || data[s] == '\t'))
				s++;
			while (e > s && (data[e - 1] == '\r' || data[e - 1] == '\n' || data[e - 1] == ' '))
				e--;
			char *v = curl_easy_unescape(h->curl, data + s, (int)(e - s), &outlen);
			if (v) {
				h->value = malloc((size_t)outlen + 1);
				if (h->value) {
					memcpy(h->value, v, (size_t)outlen);
					h->value[outlen] = 0;
				}
				curl_free(v);
			}
		}
	}
	return n;
}

/*
 * A curl_easy_setopt that fails fails the request, naming the option: a libcurl older than 7.85 lacks
 * CURLOPT_PROTOCOLS_STR, and ignoring that would drop the restriction to http and https without a word.
 */
#define SETOPT(c, opt, val, d) setopt_ok(curl_easy_setopt(c, opt, val), #opt, d)

static cella_result setopt_ok(CURLcode cc, const char *name, struct cella_detail *d)
{
	if (cc == CURLE_OK)
		return CELLA_OK;
	return cella_vfy_fail(d, cc == CURLE_OUT_OF_MEMORY ? CELLA_ERR_OUT_OF_MEMORY : CELLA_ERR_UNSUPPORTED,
			      "libcurl %s refused %s: %s", curl_version_info(CURLVERSION_NOW)->version, name,
			      curl_easy_strerror(cc));
}

static cella_result http_get(const struct cella_fetch_options *o, const char *url, struct body *b, struct hdr *h,
			     struct cella_detail *d)
{
	CURL *c = curl_easy_init();
	long status = 0;
	char *to = NULL;
	CURLcode cc;
	cella_result r = CELLA_ERR_UNEXPECTED;
	if (!c)
		return cella_vfy_fail(d, CELLA_ERR_FETCH, "curl_easy_init failed");
	if (h)
		h->curl = c;
	CELLA_CHECK(SETOPT(c, CURLOPT_URL, url, d));
	CELLA_CHECK(SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https", d));
	/* a redirect is an error that names its target: following one would let whoever answers the first URL send
	 * the request elsewhere, and the cache records the URL asked, not where the answer came from */
	CELLA_CHECK(SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L, d));
	CELLA_CHECK(SETOPT(c, CURLOPT_NOSIGNAL, 1L, d));
	CELLA_CHECK(SETOPT(c, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 15000L, d));
	/* a Content-Length over the limit is refused before the body; on_body stops one without */
	CELLA_CHECK(SETOPT(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FETCH_MAX_BODY, d));
	CELLA_CHECK(SETOPT(c, CURLOPT_WRITEFUNCTION, on_body, d));
	CELLA_CHECK(SETOPT(c, CURLOPT_WRITEDATA, b, d));
	if (h) {
		CELLA_CHECK(SETOPT(c, CURLOPT_HEADERFUNCTION, on_header, d));
		CELLA_CHECK(SETOPT(c, CURLOPT_HEADERDATA, h, d));
	}
	if (o->insecure_tls) {
		CELLA_CHECK(SETOPT(c, CURLOPT_SSL_VERIFYPEER, 0L, d));
		CELLA_CHECK(SETOPT(c, CURLOPT_SSL_VERIFYHOST, 0L, d));
	}
	cc = curl_easy_perform(c);
	if (b->overflow || cc == CURLE_FILESIZE_EXCEEDED)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_TOO_LARGE, "GET %s: response larger than %u bytes", url,
					  FETCH_MAX_BODY));
	if (b->nomem)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	if (cc != CURLE_OK)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_FETCH, "GET %s: %s", url, curl_easy_strerror(cc)));
	if ((cc = curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status)) != CURLE_OK ||
	    (cc = curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &to)) != CURLE_OK)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_FETCH, "GET %s: %s", url, curl_easy_strerror(cc)));
	if (status >= 300 && status < 400 && to)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_FETCH, "GET %s: HTTP status %ld, a redirect to %.80s (not followed: "
							    "give the URL that answers)",
					  url, status, to));
	if (status != 200)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_FETCH, "GET %s: HTTP status %ld", url, status));
	if (h && !h->value)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_FETCH, "GET %s: no %s header", url, h->names[0]));
	r = CELLA_OK;
out:
	curl_easy_cleanup(c);
	return r;
}

/* A CRL body: DER, hex DER or PEM, into new DER. */
static uint8_t *crl_body(const struct body *b, size_t *len)
{
	size_t n = b->n, i;
	uint8_t *der = NULL;
	if (n == 0) /* an empty 200 answer is no CRL (and b->p is NULL) */
		return NULL;
	while (n > 0 && (b->p[n - 1] == '\n' || b->p[n - 1] == '\r'))
		n--;
	if (n > 11 && memcmp(b->p, "-----BEGIN ", 11) == 0)
		return cella_vfy_pem_block((const char *)b->p, n, "X509 CRL", &der, len, NULL) == CELLA_OK ? der : NULL;
	for (i = 0; i < n && strchr("0123456789abcdefABCDEF", b->p[i]) && b->p[i]; i++)
		;
	if (i == n && n > 0)
		return cella_hex_decode_alloc((const char *)b->p, n, len);
	der = malloc(b->n);
	if (der) {
		memcpy(der, b->p, b->n);
		*len = b->n;
	}
	return der;
}

/* {"<inner>": {...}, "signature": "<hex>"} into the raw inner text and the signature bytes. */
static int signed_body(const struct body *b, const char *inner, const char **text, size_t *tlen, uint8_t *sig)
{
	const char *sv;
	size_t sl;
	if (!b->p || cella_vfy_json_member_raw((const char *)b->p, b->n, "signature", &sv, &sl) || sl != 130 ||
	    cella_hex_decode(sv + 1, 128, sig, 64))
		return -1;
	return cella_vfy_json_member_raw((const char *)b->p, b->n, inner, text, tlen);
}

static char *base_url(const char *url)
{
	size_t n = strlen(url);
	char *b;
	while (n > 0 && url[n - 1] == '/')
		n--;
	for (int i = 0; i < 2; i++) {
		const char *suf = i ? "/tdx/certification/v4" : "/sgx/certification/v4";
		size_t k = strlen(suf);
		if (n >= k && memcmp(url + n - k, suf, k) == 0) {
			n -= k;
			break;
		}
	}
	b = malloc(n + 1);
	if (b) {
		memcpy(b, url, n);
		b[n] = 0;
	}
	return b;
}

/*
 * The time-independent checks of c under the trust anchor `point` (chains, CRLs, signatures; cella_vfy_prepare):
 * CELLA_OK or their error with its detail. Their outcome stays cached in c for the verification that follows.
 */
static cella_result checked(struct cella_collateral *c, const uint8_t *point, struct cella_detail *d)
{
	struct vfy_prepared *p = NULL;
	cella_result r;
	pthread_mutex_lock(&c->lock);
	r = cella_vfy_prepare(c, point, &p);
	if (r == CELLA_OK && p->r != CELLA_OK) {
		r = p->r;
		if (d)
			*d = p->detail;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

/*
 * checked(), and the collateral is for the platform asked about: its TCB Info names the quote's FMSPC and PCE-ID
 * and TEE, its QE Identity the TEE's QE, and its PCK CRL comes from the CA that issued the quote's PCK
 * certificate. Genuine collateral for another platform passes every signature check, yet would fail every quote
 * it is cached for until its nextUpdate.
 */
static cella_result fits(struct cella_collateral *c, const uint8_t *point, const struct cella_pck_info *pck,
			 bool tdx, struct cella_detail *d)
{
	struct vfy_prepared *p = NULL;
	cella_result r = checked(c, point, d);
	if (r != CELLA_OK)
		return r;
	pthread_mutex_lock(&c->lock);
	r = cella_vfy_prepare(c, point, &p);
	if (r == CELLA_OK) {
		const char *cn = pck->ca == CELLA_PCK_CA_PROCESSOR ? "Processor" : "Platform";
		if (p->tcb.tdx != tdx || memcmp(p->tcb.fmspc, pck->fmspc, 6) != 0 ||
		    memcmp(p->tcb.pce_id, pck->pce_id, 2) != 0)
			r = cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "the TCB Info is for another platform than the quote's");
		else if (strcmp(p->qe.id, tdx ? "TD_QE" : "QE") != 0)
			r = cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "the QE Identity is for another TEE than the quote's");
		else if (!cella_vfy_cn_contains(X509_get_subject_name(p->pck_ca), cn))
			r = cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "the PCK CRL is not from the %s CA that issued the "
								   "quote's PCK certificate",
					   cn);
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* Writes the cache file; what went wrong goes to o->warn, since a cache that cannot be written only costs a refetch
 * and must not fail the fetch. */
static void write_cache(const struct cella_fetch_options *o, const char *path, const struct cella_collateral *c,
			const char *from, const char *root_crl_from)
{
	char *json = NULL, msg[sizeof("collateral cache file  not written: ") + 4096 + 64];
	size_t len = 0;
	int err = 0;
	cella_result r = cella_vfy_collateral_cache_json(c, from, root_crl_from, &json, &len);
	if (r == CELLA_OK && (err = cella_file_write_atomic(path, json, len, 0644)) != 0)
		r = CELLA_ERR_IO;
	free(json);
	if (r == CELLA_OK || !o->warn)
		return;
	snprintf(msg, sizeof(msg), "collateral cache file %s not written: %s", path,
		 err ? strerror(err) : cella_result_name(r));
	o->warn(o->warn_ctx, msg);
}

static cella_result collateral_fetch(const struct cella_fetch_options *o, const struct cella_quote *q, int64_t now,
				     struct cella_collateral **out, struct cella_detail *d)
{
	static const char *const crl_hdr[] = {"SGX-PCK-CRL-Issuer-Chain", NULL};
	static const char *const tcb_hdr[] = {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain", NULL};
	static const char *const qe_hdr[] = {"SGX-Enclave-Identity-Issuer-Chain", "Enclave-Identity-Issuer-Chain", NULL};
	struct cella_pck_info pck;
	struct body bc = {0}, bt = {0}, bq = {0}, br = {0};
	struct hdr hc = {crl_hdr, NULL, NULL}, ht = {tcb_hdr, NULL, NULL}, hq = {qe_hdr, NULL, NULL};
	struct vfy_parts p;
	char *base = NULL, url[4096], root_url[4096], path[4096] = "", fmspc[13];
	const char *tee = q->tee_type == CELLA_QUOTE_TEE_TDX ? "tdx" : "sgx", *ca;
	const uint8_t *anchor = o->trust ? o->trust->point : cella_vfy_intel_root_point;
	bool early = o->update && !strcmp(o->update, "early"); /* "standard" is what the services give by default */
	uint8_t *pck_der = NULL, *root_der = NULL, tsig[64], qsig[64];
	struct cella_collateral *c = NULL;
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(&p, 0, sizeof(p));
	pthread_once(&curl_once, curl_init);
	if (o->update && strcmp(o->update, "early") && strcmp(o->update, "standard"))
		return cella_vfy_fail(d, CELLA_ERR_INVALID_ARG, "update \"%.40s\" is neither \"early\" nor \"standard\"",
				      o->update);
	/* 128 bytes spare for the longest path and query appended */
	if (strlen(o->base_url) > sizeof(url) - 128 || (o->root_crl_url && strlen(o->root_crl_url) > sizeof(url) - 128))
		return cella_vfy_fail(d, CELLA_ERR_INVALID_ARG, "PCCS or root CRL URL longer than %zu bytes",
				      sizeof(url) - 128);
	CELLA_CHECK(cella_quote_pck_info(q, &pck, d));
	if (pck.ca == CELLA_PCK_CA_UNKNOWN)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_CERT_CHAIN, "PCK certificate issuer is neither Processor nor Platform CA"));
	ca = pck.ca == CELLA_PCK_CA_PROCESSOR ? "processor" : "platform";
	for (int i = 0; i < 6; i++)
		snprintf(fmspc + 2 * i, 3, "%02X", pck.fmspc[i]);
	base = base_url(o->base_url);
	if (!base)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	if (o->root_crl_url)
		snprintf(root_url, sizeof(root_url), "%s", o->root_crl_url);
	else if (strstr(base, "api.trustedservices.intel.com"))
		snprintf(root_url, sizeof(root_url), "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");
	else
		snprintf(root_url, sizeof(root_url), "%s/sgx/certification/v4/rootcacrl", base);
	if (o->cache_dir) {
		int64_t next;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s-%s-%s%s.json", o->cache_dir, tee, fmspc, ca,
				     early ? "-early" : "") >= sizeof(path))
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_INVALID_ARG,
						  "collateral cache directory path too long (%zu bytes)", strlen(o->cache_dir)));
		/* a file that is unreadable, from other sources than these, does not verify or is stale is a miss; a
		 * good fetch replaces it. Collateral from another PCCS would verify too, yet it is not what the caller
		 * chose to trust for freshness (another PCCS may lag, or serve early updates). */
		if (cella_vfy_collateral_load_cache(path, base, root_url, &c) == CELLA_OK &&
		    fits(c, anchor, &pck, q->tee_type == CELLA_QUOTE_TEE_TDX, NULL) == CELLA_OK &&
		    cella_collateral_next_update(c, &next) == CELLA_OK && now < next) {
			*out = c;
			r = CELLA_OK;
			goto out;
		}
		cella_collateral_free(c);
		c = NULL;
	}

	snprintf(url, sizeof(url), "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", base, ca);
	CELLA_CHECK(http_get(o, url, &bc, &hc, d));
	snprintf(url, sizeof(url), "%s/%s/certification/v4/tcb?fmspc=%s%s", base, tee, fmspc,
		 early ? "&update=early" : "");
	CELLA_CHECK(http_get(o, url, &bt, &ht, d));
	snprintf(url, sizeof(url), "%s/%s/certification/v4/qe/identity%s", base, tee, early ? "?update=early" : "");
	CELLA_CHECK(http_get(o, url, &bq, &hq, d));
	CELLA_CHECK(http_get(o, root_url, &br, NULL, d));

	pck_der = crl_body(&bc, &p.pck_crl_len);
	root_der = crl_body(&br, &p.root_crl_len);
	if (!pck_der || !root_der)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "%s CRL response is not DER, hex or PEM",
					  pck_der ? "root CA" : "PCK"));
	if (signed_body(&bt, "tcbInfo", &p.tcb_info, &p.tcb_info_len, tsig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "TCB Info response is not {tcbInfo, signature}"));
	if (signed_body(&bq, "enclaveIdentity", &p.qe_identity, &p.qe_identity_len, qsig))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL,
					  "QE Identity response is not {enclaveIdentity, signature}"));
	p.pck_crl = pck_der;
	p.root_crl = root_der;
	p.pck_crl_chain = hc.value;
	p.pck_crl_chain_len = strlen(hc.value);
	p.tcb_chain = ht.value;
	p.tcb_chain_len = strlen(ht.value);
	p.qe_chain = hq.value;
	p.qe_chain_len = strlen(hq.value);
	p.tcb_sig = tsig;
	p.qe_sig = qsig;
	CELLA_CHECK(cella_vfy_collateral_new_parts(&p, &c));
	if ((r = fits(c, anchor, &pck, q->tee_type == CELLA_QUOTE_TEE_TDX, d)) == CELLA_ERR_OUT_OF_MEMORY)
		CELLA_FAIL(r);
	if (r != CELLA_OK) {
		char why[sizeof(d->text)];
		snprintf(why, sizeof(why), "%s", d ? d->text : "");
		CELLA_FAIL(cella_vfy_fail(d, r, "collateral fetched from %s does not verify: %s", base, why));
	}
	if (o->cache_dir)
		write_cache(o, path, c, base, root_url);
	*out = c;
	r = CELLA_OK;
out:
	if (r != CELLA_OK)
		cella_collateral_free(c);
	free(base);
	free(bc.p);
	free(bt.p);
	free(bq.p);
	free(br.p);
	free(hc.value);
	free(ht.value);
	free(hq.value);
	free(pck_der);
	free(root_der);
	return r;
}

/* see cella/verify.h; OpenSSL's error queue left as the caller had it */
cella_result cella_collateral_fetch(const struct cella_fetch_options *o, const struct cella_quote *q, int64_t now,
				    struct cella_collateral **out, struct cella_detail *d)
{
	cella_result r;
	ERR_set_mark();
	r = collateral_fetch(o, q, now, out, d);
	ERR_pop_to_mark();
	return r;
}
