// SPDX-License-Identifier: MIT
/*
 * Evidence for cella-attestd: Intel DCAP quotes (libcella-verify, collateral preloaded or fetched from a PCCS
 * with its on-disk cache, kept verified in memory), Open Enclave remote reports (oe_report_header_t + quote) and
 * Cella software-TEE quotes (quote signatures plus the PCK chain to the configured software root; software
 * quotes have no TCB collateral). Claims get Azure Attestation's names.
 */
#include "attestd_internal.h"
#include "hex.h"

#include <cella/verify.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CELLA_SOFTWARE_QE_VENDOR_ID of <cella/abi/report.h> (which cannot be included beside <cella/verify.h>:
 * both define CELLA_REPORT_DATA_BYTES) */
static const uint8_t software_qe_vendor[16] = {'C', 'E', 'L', 'L', 'A', '-', 'S', 'O', 'F', 'T', 'W', 'A', 'R', 'E', '-', 'Q'};

#define MAX_PRELOADED 64  /* collateral files */
#define MAX_FETCHED 256   /* collateral_cache_entries at most; default ATTESTD_DEFAULT_FETCHED */
#define SW_CHAIN_CACHE 16
#define FAILED_FETCHES 64  /* platforms whose last fetch failed, remembered for collateral_retry_seconds */
#define IN_FLIGHT 16       /* platforms being fetched, whose other requests wait for that fetch */

/*
 * One collateral and what it is for. Entries are shared by the table and the requests verifying with them: refs
 * counts the table's reference (while listed) and one per request in flight, under the context's mutex, and the
 * last one out frees the entry. So the table can drop an entry (superseded, or evicted when full) at any time.
 */
struct coll_entry {
	uint32_t tee;
	uint8_t fmspc[CELLA_FMSPC_BYTES];
	cella_pck_ca ca;
	struct cella_collateral *c;
	json_t *hashes;          /* x-ms-sgx-collateral without quotehash */
	int64_t next_update;
	bool preloaded;
	unsigned refs;
	uint64_t last_used;      /* for evicting the least recently used fetched entry */
};

struct sw_chain {
	uint8_t key[32];         /* SHA-256 of the PEM chain text */
	int64_t not_before, not_after;
	bool used;
};

/* A platform whose last fetch failed: requests for it until `until` (monotonic seconds) get that error at once
 * instead of each waiting on a PCCS that is down or lacks its collateral. */
struct failed_fetch {
	uint32_t tee;
	uint8_t fmspc[CELLA_FMSPC_BYTES];
	cella_pck_ca ca;
	int64_t until;
	char why[160];
};

struct pck_cache {
	uint8_t key[32];         /* SHA-256 of the quote's PEM chain text, which chains to Intel's root */
	struct cella_pck_info info;
	bool used;
};
#define PCK_CACHE 32

struct attestd_evidence_ctx {
	struct pck_cache pck[PCK_CACHE];  /* reading the PCK certificate costs more than verifying the quote */
	unsigned pck_next;
	struct cella_trust *intel;
	pthread_mutex_t mu;
	struct coll_entry *coll[MAX_PRELOADED + MAX_FETCHED]; /* preloaded files, and fetched collateral */
	size_t n_coll;
	size_t max_fetched;                      /* fetched entries kept; more evict the least recently used */
	uint64_t tick;
	struct failed_fetch failed[FAILED_FETCHES];
	unsigned failed_next;
	struct {
		bool used;
		uint32_t tee;
		uint8_t fmspc[CELLA_FMSPC_BYTES];
		cella_pck_ca ca;
	} in_flight[IN_FLIGHT];
	pthread_cond_t fetched;                  /* broadcast when a fetch ends */
	unsigned retry_seconds;                  /* 0: every request may fetch */
	struct cella_fetch_options fetch;
	bool can_fetch;
	X509 *sw_root;
	struct sw_chain sw[SW_CHAIN_CACHE];
	unsigned sw_next;
};

/* cella_fetch_options.warn: a collateral cache file that could not be written goes to the log (the fetched
 * collateral is used all the same) */
static void fetch_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "cella-attestd: warning: %s\n", msg);
}

static void errf(char err[ATTESTD_ERR_BYTES], const char *fmt, const char *a)
{
	snprintf(err, ATTESTD_ERR_BYTES, fmt, a);
}

static json_t *sha_hex_json(const void *d, size_t n)
{
	uint8_t h[32];
	char hex[65];
	attestd_sha256(d, n, h);
	attestd_hex(h, 32, hex);
	return json_string(hex);
}

/* hash of a CRL member: of its DER when given as hex, else of the text */
static json_t *crl_hash(const char *s)
{
	uint8_t *der;
	size_t n;
	json_t *j;
	if ((der = cella_hex_decode_alloc(s, strlen(s), &n))) {
		j = sha_hex_json(der, n);
		free(der);
		return j;
	}
	return sha_hex_json(s, strlen(s));
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* The MAA collateral hashes, and (for preloaded files) the FMSPC, TEE and PCK CA the collateral is for. */
static cella_result describe(struct cella_collateral *c, struct coll_entry *e, char err[ATTESTD_ERR_BYTES])
{
	char *js = NULL;
	size_t jl;
	json_t *j = NULL, *ti = NULL, *inner;
	cella_result r = cella_collateral_to_json(c, &js, &jl);
	if (r != CELLA_OK)
		return r;
	r = CELLA_ERR_COLLATERAL;
	if (!(j = json_loadb(js, jl, 0, NULL)))
		goto out;
	e->hashes = json_object();
	json_object_set_new(e->hashes, "qeidcertshash", sha_hex_json(jstr(j, "qe_identity_issuer_chain"),
								     strlen(jstr(j, "qe_identity_issuer_chain"))));
	json_object_set_new(e->hashes, "qeidcrlhash", crl_hash(jstr(j, "root_ca_crl")));
	json_object_set_new(e->hashes, "qeidhash", sha_hex_json(jstr(j, "qe_identity"), strlen(jstr(j, "qe_identity"))));
	json_object_set_new(e->hashes, "tcbinfocertshash", sha_hex_json(jstr(j, "tcb_info_issuer_chain"),
									strlen(jstr(j, "tcb_info_issuer_chain"))));
	json_object_set_new(e->hashes, "tcbinfocrlhash", crl_hash(jstr(j, "root_ca_crl")));
	json_object_set_new(e->hashes, "tcbinfohash", sha_hex_json(jstr(j, "tcb_info"), strlen(jstr(j, "tcb_info"))));
	/* which platform: tcb_info's fmspc and id; the PCK CRL issuer's name says Processor or Platform CA */
	if (!(ti = json_loads(jstr(j, "tcb_info"), 0, NULL))) {
		errf(err, "collateral %s: tcb_info is not JSON", "");
		goto out;
	}
	inner = json_object_get(ti, "tcbInfo") ? json_object_get(ti, "tcbInfo") : ti;
	{
		const char *fm = jstr(inner, "fmspc"), *id = jstr(inner, "id");
		uint8_t *b = NULL;
		size_t n = 0;
		if (!(b = cella_hex_decode_alloc(fm, strlen(fm), &n)) || n != CELLA_FMSPC_BYTES) {
			free(b);
			errf(err, "collateral: tcb_info has no fmspc%s", "");
			goto out;
		}
		memcpy(e->fmspc, b, n);
		free(b);
		e->tee = strcmp(id, "TDX") == 0 ? CELLA_QUOTE_TEE_TDX : CELLA_QUOTE_TEE_SGX;
	}
	{
		BIO *bio = BIO_new_mem_buf(jstr(j, "pck_crl_issuer_chain"), -1);
		X509 *ca = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		char cn[256] = "";
		if (ca)
			X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn));
		e->ca = strstr(cn, "Platform") ? CELLA_PCK_CA_PLATFORM : strstr(cn, "Processor") ? CELLA_PCK_CA_PROCESSOR
												 : CELLA_PCK_CA_UNKNOWN;
		X509_free(ca);
		BIO_free(bio);
	}
	if (cella_collateral_next_update(c, &e->next_update) != CELLA_OK)
		e->next_update = INT64_MAX;
	r = CELLA_OK;
out:
	if (r != CELLA_OK) {
		json_decref(e->hashes);
		e->hashes = NULL;
	}
	json_decref(ti);
	json_decref(j);
	free(js);
	return r;
}

cella_result attestd_evidence_new(const struct attestd_config *cfg, struct attestd_evidence_ctx **out,
				  char err[ATTESTD_ERR_BYTES])
{
	struct attestd_evidence_ctx *e = calloc(1, sizeof(*e));
	struct cella_detail d;
	cella_result r;
	if (!e)
		return CELLA_ERR_OUT_OF_MEMORY;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->fetched, NULL);
	r = cella_trust_new_intel(&e->intel);
	if (r != CELLA_OK) {
		errf(err, "cannot load the Intel SGX root key%s", "");
		goto fail;
	}
	for (size_t i = 0; i < cfg->n_collateral_files; i++) {
		struct coll_entry *ce;
		if (e->n_coll == MAX_PRELOADED) {
			errf(err, "too many collateral files (max 64)%s", "");
			r = CELLA_ERR_TOO_LARGE;
			goto fail;
		}
		ce = calloc(1, sizeof(*ce));
		if (!ce) {
			r = CELLA_ERR_OUT_OF_MEMORY;
			goto fail;
		}
		memset(&d, 0, sizeof(d));
		r = cella_collateral_load_file(cfg->collateral_files[i], &ce->c, &d);
		if (r != CELLA_OK) {
			snprintf(err, ATTESTD_ERR_BYTES, "collateral %s: %.180s", cfg->collateral_files[i], d.text);
			free(ce);
			goto fail;
		}
		r = describe(ce->c, ce, err);
		if (r != CELLA_OK) {
			cella_collateral_free(ce->c);
			free(ce);
			goto fail;
		}
		ce->preloaded = true;
		ce->refs = 1;
		e->coll[e->n_coll++] = ce;
	}
	e->retry_seconds = cfg->collateral_retry_set ? cfg->collateral_retry_seconds : ATTESTD_DEFAULT_RETRY_SECONDS;
	e->max_fetched = cfg->collateral_cache_entries ? cfg->collateral_cache_entries : ATTESTD_DEFAULT_FETCHED;
	if (e->max_fetched > MAX_FETCHED)
		e->max_fetched = MAX_FETCHED; /* the configuration refuses more */
	if (cfg->pccs_url) {
		e->fetch.base_url = cfg->pccs_url;
		e->fetch.cache_dir = cfg->collateral_cache_dir;
		e->fetch.insecure_tls = cfg->pccs_insecure_tls;
		e->fetch.update = cfg->pccs_update;
		e->fetch.trust = e->intel; /* only collateral that chains to Intel's root is kept */
		e->fetch.warn = fetch_warn;
		e->can_fetch = true;
	}
	if (cfg->cella_root) {
		FILE *f = fopen(cfg->cella_root, "r");
		e->sw_root = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
		if (!e->sw_root) {
			errf(err, "cannot read the software-TEE root certificate %s", cfg->cella_root);
			r = CELLA_ERR_CERT_CHAIN;
			goto fail;
		}
	}
	*out = e;
	return CELLA_OK;
fail:
	attestd_evidence_free(e);
	return r;
}

static int64_t mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec;
}

/* Drops one reference to ce (caller holds the context's mutex, or is the only user); the last frees it. */
static void coll_put(struct coll_entry *ce)
{
	if (ce && --ce->refs == 0) {
		cella_collateral_free(ce->c);
		json_decref(ce->hashes);
		free(ce);
	}
}

/* Removes table slot i, dropping the table's reference (caller holds the mutex). */
static void coll_unlist(struct attestd_evidence_ctx *e, size_t i)
{
	coll_put(e->coll[i]);
	memmove(&e->coll[i], &e->coll[i + 1], (e->n_coll - i - 1) * sizeof(e->coll[0]));
	e->n_coll--;
}

void attestd_evidence_free(struct attestd_evidence_ctx *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_coll; i++)
		coll_put(e->coll[i]); /* requests have ended: these are the last references */
	cella_trust_free(e->intel);
	X509_free(e->sw_root);
	pthread_cond_destroy(&e->fetched);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

/* A fetched collateral as a new table entry (refs 0), or the reason it could not be had. */
static cella_result fetch_entry(struct attestd_evidence_ctx *e, const struct cella_quote *q, int64_t at,
				struct coll_entry **out, struct cella_detail *d, char err[ATTESTD_ERR_BYTES])
{
	struct cella_collateral *c = NULL;
	struct coll_entry *ne;
	cella_result r = cella_collateral_fetch(&e->fetch, q, at, &c, d);
	if (r != CELLA_OK) {
		/* The quote's PCK certificate was read before: what fails here (transport, a response that does not
		 * verify) is the collateral service's fault, not the evidence's: 503 CollateralUnavailable. */
		snprintf(err, ATTESTD_ERR_BYTES, "collateral fetch failed: %.180s", d->text);
		return CELLA_ERR_FETCH;
	}
	ne = calloc(1, sizeof(*ne));
	if (!ne) {
		cella_collateral_free(c);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	ne->c = c;
	r = describe(c, ne, err);
	if (r != CELLA_OK) {
		cella_collateral_free(c);
		free(ne);
		return r;
	}
	*out = ne;
	return CELLA_OK;
}

/* Lists ne (caller holds the mutex): the platform's older copies leave the table (a request still using one keeps
 * it alive), and with max_fetched copies kept already the least recently used one goes too. */
static void coll_list(struct attestd_evidence_ctx *e, struct coll_entry *ne)
{
	size_t fetched = 0, lru = SIZE_MAX;
	for (size_t i = e->n_coll; i-- > 0;)
		if (!e->coll[i]->preloaded && e->coll[i]->tee == ne->tee &&
		    memcmp(e->coll[i]->fmspc, ne->fmspc, CELLA_FMSPC_BYTES) == 0 && e->coll[i]->ca == ne->ca)
			coll_unlist(e, i);
	for (size_t i = 0; i < e->n_coll; i++)
		if (!e->coll[i]->preloaded) {
			fetched++;
			if (lru == SIZE_MAX || e->coll[i]->last_used < e->coll[lru]->last_used)
				lru = i;
		}
	if (fetched >= e->max_fetched && lru != SIZE_MAX)
		coll_unlist(e, lru);
	ne->last_used = ++e->tick;
	if (e->n_coll < MAX_PRELOADED + MAX_FETCHED) { /* always, with the eviction above */
		e->coll[e->n_coll++] = ne;
		ne->refs++; /* the table's */
	}
}

static bool same_platform(uint32_t tee, const uint8_t *fmspc, cella_pck_ca ca, const struct cella_quote *q,
			  const struct cella_pck_info *pck)
{
	return tee == q->tee_type && ca == pck->ca && memcmp(fmspc, pck->fmspc, CELLA_FMSPC_BYTES) == 0;
}

/*
 * The collateral for a quote: a preloaded file, else the in-memory fetched copy while fresh, else a fetch. One
 * fetch per platform at a time: requests for a platform being fetched wait for it and then look again. A failed
 * fetch answers the platform's requests for retry_seconds. The caller holds a reference to *out and gives it
 * back with release_collateral.
 */
static cella_result collateral_for(struct attestd_evidence_ctx *e, const struct cella_quote *q,
				   const struct cella_pck_info *pck, int64_t at, struct coll_entry **out,
				   char err[ATTESTD_ERR_BYTES])
{
	struct coll_entry *ne = NULL;
	struct cella_detail d;
	int64_t now;
	int slot = -1;
	cella_result r;
	pthread_mutex_lock(&e->mu);
again:
	for (size_t i = 0; i < e->n_coll; i++) {
		struct coll_entry *ce = e->coll[i];
		if (ce->tee == q->tee_type && memcmp(ce->fmspc, pck->fmspc, CELLA_FMSPC_BYTES) == 0 &&
		    (ce->ca == pck->ca || ce->ca == CELLA_PCK_CA_UNKNOWN) &&
		    (ce->preloaded || !e->can_fetch || at < ce->next_update)) {
			ce->refs++;
			ce->last_used = ++e->tick;
			*out = ce;
			pthread_mutex_unlock(&e->mu);
			return CELLA_OK;
		}
	}
	now = mono_s();
	for (size_t i = 0; e->retry_seconds && i < FAILED_FETCHES; i++) {
		struct failed_fetch *f = &e->failed[i];
		if (f->until > now && same_platform(f->tee, f->fmspc, f->ca, q, pck)) {
			snprintf(err, ATTESTD_ERR_BYTES, "collateral fetch failed; next attempt in %lld s: %.150s",
				 (long long)(f->until - now), f->why);
			pthread_mutex_unlock(&e->mu);
			return CELLA_ERR_FETCH;
		}
	}
	if (!e->can_fetch) {
		char fm[13];
		pthread_mutex_unlock(&e->mu);
		attestd_hex(pck->fmspc, CELLA_FMSPC_BYTES, fm);
		errf(err, "no collateral for FMSPC %s (configure collateral files or a PCCS)", fm);
		return CELLA_ERR_FETCH;
	}
	for (int i = 0; i < IN_FLIGHT; i++)
		if (e->in_flight[i].used && same_platform(e->in_flight[i].tee, e->in_flight[i].fmspc,
							  e->in_flight[i].ca, q, pck)) {
			pthread_cond_wait(&e->fetched, &e->mu); /* then look again: it is listed, or it failed */
			goto again;
		}
	for (int i = 0; i < IN_FLIGHT && slot < 0; i++)
		if (!e->in_flight[i].used)
			slot = i; /* none free: fetch unannounced */
	if (slot >= 0) {
		e->in_flight[slot].used = true;
		e->in_flight[slot].tee = q->tee_type;
		memcpy(e->in_flight[slot].fmspc, pck->fmspc, CELLA_FMSPC_BYTES);
		e->in_flight[slot].ca = pck->ca;
	}
	pthread_mutex_unlock(&e->mu);

	memset(&d, 0, sizeof(d));
	r = fetch_entry(e, q, at, &ne, &d, err);

	pthread_mutex_lock(&e->mu);
	if (slot >= 0)
		e->in_flight[slot].used = false;
	if (r == CELLA_OK) {
		ne->refs = 1; /* the request's */
		coll_list(e, ne);
		*out = ne;
	} else if (r == CELLA_ERR_FETCH && e->retry_seconds) {
		struct failed_fetch *f = &e->failed[e->failed_next];
		e->failed_next = (e->failed_next + 1) % FAILED_FETCHES;
		f->tee = q->tee_type;
		memcpy(f->fmspc, pck->fmspc, CELLA_FMSPC_BYTES);
		f->ca = pck->ca;
		f->until = mono_s() + e->retry_seconds;
		snprintf(f->why, sizeof(f->why), "%.150s", d.text);
	}
	pthread_cond_broadcast(&e->fetched);
	pthread_mutex_unlock(&e->mu);
	return r;
}

static void release_collateral(struct attestd_evidence_ctx *e, struct coll_entry *ce)
{
	pthread_mutex_lock(&e->mu);
	coll_put(ce);
	pthread_mutex_unlock(&e->mu);
}

static cella_result put_report_claims(const struct cella_sgx_report *rep, const char *att_type,
				      struct attestd_claims *in, json_t *svc)
{
	char mre[65], mrs[65], rd[129], cfg[129], ext[33], fam[33];
	bool dbg = (rep->flags & CELLA_SGX_FLAGS_DEBUG) != 0, kss = (rep->flags & CELLA_SGX_FLAGS_KSS) != 0;
	cella_result r = CELLA_OK;
	attestd_hex(rep->mr_enclave, 32, mre);
	attestd_hex(rep->mr_signer, 32, mrs);
	attestd_hex(rep->report_data, 64, rd);
	attestd_hex(rep->config_id, 64, cfg);
	attestd_hex(rep->isv_ext_prod_id, 16, ext);
	attestd_hex(rep->isv_family_id, 16, fam);

#define ADD(x)                          \
	do {                            \
		if (r == CELLA_OK)      \
			r = (x);        \
	} while (0)
	ADD(attestd_claims_add_bool(in, "x-ms-sgx-is-debuggable", dbg));
	ADD(attestd_claims_add_str(in, "x-ms-sgx-mrenclave", mre));
	ADD(attestd_claims_add_str(in, "x-ms-sgx-mrsigner", mrs));
	ADD(attestd_claims_add_int(in, "x-ms-sgx-product-id", rep->isv_prod_id));
	ADD(attestd_claims_add_int(in, "x-ms-sgx-svn", rep->isv_svn));
	ADD(attestd_claims_add_str(in, "x-ms-sgx-report-data", rd));
	ADD(attestd_claims_add_str(in, "x-ms-attestation-type", att_type));
	if (kss) {
		ADD(attestd_claims_add_str(in, "x-ms-sgx-config-id", cfg));
		ADD(attestd_claims_add_int(in, "x-ms-sgx-config-svn", rep->config_svn));
		ADD(attestd_claims_add_str(in, "x-ms-sgx-isv-extended-product-id", ext));
		ADD(attestd_claims_add_str(in, "x-ms-sgx-isv-family-id", fam));
	}
	/* the deprecated "$" names that older policies use */
	ADD(attestd_claims_add_bool(in, "$is-debuggable", dbg));
	ADD(attestd_claims_add_str(in, "$sgx-mrsigner", mrs));
	ADD(attestd_claims_add_str(in, "$sgx-mrenclave", mre));
	ADD(attestd_claims_add_int(in, "$product-id", rep->isv_prod_id));
	ADD(attestd_claims_add_int(in, "$svn", rep->isv_svn));
	ADD(attestd_claims_add_str(in, "$tee", att_type));
#undef ADD
	if (r != CELLA_OK)
		return r;
	json_object_set_new(svc, "x-ms-sgx-is-debuggable", json_boolean(dbg));
	json_object_set_new(svc, "x-ms-sgx-mrenclave", json_string(mre));
	json_object_set_new(svc, "x-ms-sgx-mrsigner", json_string(mrs));
	json_object_set_new(svc, "x-ms-sgx-product-id", json_integer(rep->isv_prod_id));
	json_object_set_new(svc, "x-ms-sgx-svn", json_integer(rep->isv_svn));
	json_object_set_new(svc, "x-ms-sgx-report-data", json_string(rd));
	json_object_set_new(svc, "x-ms-attestation-type", json_string(att_type));
	if (kss) {
		json_object_set_new(svc, "x-ms-sgx-config-id", json_string(cfg));
		json_object_set_new(svc, "x-ms-sgx-config-svn", json_integer(rep->config_svn));
		json_object_set_new(svc, "x-ms-sgx-isv-extended-product-id", json_string(ext));
		json_object_set_new(svc, "x-ms-sgx-isv-family-id", json_string(fam));
	}
	return CELLA_OK;
}

/* PCK chain of a software quote to the configured software root, at `at`; verified chains are cached. */
static cella_result sw_chain_ok(struct attestd_evidence_ctx *e, const struct cella_quote *q, int64_t at,
				char err[ATTESTD_ERR_BYTES])
{
	uint8_t key[32];
	BIO *b = NULL;
	X509 *leaf = NULL, *c;
	STACK_OF(X509) *rest = NULL;
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	cella_result r = CELLA_ERR_CERT_CHAIN;
	attestd_sha256(q->pck_chain, q->pck_chain_len, key);
	pthread_mutex_lock(&e->mu);
	for (unsigned i = 0; i < SW_CHAIN_CACHE; i++)
		if (e->sw[i].used && memcmp(e->sw[i].key, key, 32) == 0 && at >= e->sw[i].not_before &&
		    at <= e->sw[i].not_after) {
			pthread_mutex_unlock(&e->mu);
			return CELLA_OK;
		}
	pthread_mutex_unlock(&e->mu);

	if (!(b = BIO_new_mem_buf(q->pck_chain, (int)q->pck_chain_len)) || !(rest = sk_X509_new_null()) ||
	    !(leaf = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		errf(err, "the quote's PCK certificate chain does not parse%s", "");
		goto out;
	}
	while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(rest, c)) {
			X509_free(c);
			goto out;
		}
	if (!(store = X509_STORE_new()) || X509_STORE_add_cert(store, e->sw_root) != 1 || !(ctx = X509_STORE_CTX_new()) ||
	    X509_STORE_CTX_init(ctx, store, leaf, rest) != 1)
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
	if (X509_verify_cert(ctx) != 1) {
		int ec = X509_STORE_CTX_get_error(ctx);
		bool when = ec == X509_V_ERR_CERT_HAS_EXPIRED || ec == X509_V_ERR_CERT_NOT_YET_VALID;
		errf(err, when ? "the software PCK chain is not valid at the verification time: %s"
			       : "the software PCK chain does not lead to the configured software root: %s",
		     X509_verify_cert_error_string(ec));
		r = when ? CELLA_ERR_EXPIRED : CELLA_ERR_UNTRUSTED_ROOT;
		goto out;
	}
	{
		/* cache the window in which every certificate of the built chain is valid */
		STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
		int64_t nb = INT64_MIN, na = INT64_MAX;
		for (int i = 0; i < sk_X509_num(chain); i++) {
			struct tm tm;
			X509 *x = sk_X509_value(chain, i);
			if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1 && timegm(&tm) > nb)
				nb = timegm(&tm);
			if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1 && timegm(&tm) < na)
				na = timegm(&tm);
		}
		pthread_mutex_lock(&e->mu);
		memcpy(e->sw[e->sw_next].key, key, 32);
		e->sw[e->sw_next].not_before = nb;
		e->sw[e->sw_next].not_after = na;
		e->sw[e->sw_next].used = true;
		e->sw_next = (e->sw_next + 1) % SW_CHAIN_CACHE;
		pthread_mutex_unlock(&e->mu);
	}
	r = CELLA_OK;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(rest, X509_free);
	X509_free(leaf);
	BIO_free(b);
	return r;
}

/* FMSPC / CA of the quote's PCK certificate (unverified: it only chooses the collateral), cached by chain text. */
static cella_result pck_info_cached(struct attestd_evidence_ctx *e, const struct cella_quote *q,
				    struct cella_pck_info *out, struct cella_detail *d)
{
	uint8_t key[32];
	cella_result r;
	attestd_sha256(q->pck_chain, q->pck_chain_len, key);
	pthread_mutex_lock(&e->mu);
	for (unsigned i = 0; i < PCK_CACHE; i++)
		if (e->pck[i].used && memcmp(e->pck[i].key, key, 32) == 0) {
			*out = e->pck[i].info;
			pthread_mutex_unlock(&e->mu);
			return CELLA_OK;
		}
	pthread_mutex_unlock(&e->mu);
	/* signed up to Intel's root before anything is fetched for it: only platforms Intel certified make the
	 * service ask its PCCS (the full verification, with time and revocation, follows) */
	r = cella_quote_pck_info_trusted(e->intel, q, out, d);
	if (r != CELLA_OK)
		return r;
	pthread_mutex_lock(&e->mu);
	memcpy(e->pck[e->pck_next].key, key, 32);
	e->pck[e->pck_next].info = *out;
	e->pck[e->pck_next].used = true;
	e->pck_next = (e->pck_next + 1) % PCK_CACHE;
	pthread_mutex_unlock(&e->mu);
	return CELLA_OK;
}

cella_result attestd_evidence_verify(struct attestd_evidence_ctx *e, attestd_evidence_kind kind, const uint8_t *ev,
				     size_t len, int64_t at, uint8_t rd[64], uint8_t config_id[64], bool *kss,
				     struct attestd_claims *incoming, json_t *service, char err[ATTESTD_ERR_BYTES])
{
	struct cella_quote q;
	struct cella_detail d;
	struct cella_sgx_report rep;
	cella_result r;
	bool software;

	memset(&d, 0, sizeof(d));
	if (kind == ATTESTD_EVIDENCE_OPEN_ENCLAVE) {
		/* oe_report_header_t: u32 version (1), u32 report_type (2 = SGX remote), u64 report_size */
		uint32_t ver, type;
		uint64_t size;
		if (len < 16) {
			errf(err, "the OpenEnclave report is shorter than its header%s", "");
			return CELLA_ERR_BAD_FORMAT;
		}
		memcpy(&ver, ev, 4);
		memcpy(&type, ev + 4, 4);
		memcpy(&size, ev + 8, 8);
		if (ver != 1 || type != 2 || size != len - 16) {
			errf(err, "not an OpenEnclave remote report (oe_report_header_t version 1, type 2, size)%s", "");
			return CELLA_ERR_BAD_FORMAT;
		}
		ev += 16;
		len -= 16;
	}
	r = cella_quote_parse(ev, len, &q, &d);
	if (r != CELLA_OK) {
		snprintf(err, ATTESTD_ERR_BYTES, "the quote does not parse: %.180s", d.text);
		return CELLA_ERR_BAD_FORMAT;
	}
	/* the evidence is the quote and nothing else (Open Enclave refuses trailing bytes too): the token's
	 * quotehash is then the hash of what was sent */
	if (q.len != len) {
		snprintf(err, ATTESTD_ERR_BYTES, "%zu bytes after the quote", len - q.len);
		return CELLA_ERR_BAD_FORMAT;
	}
	if (q.tee_type != CELLA_QUOTE_TEE_SGX) {
		errf(err, "not an SGX enclave quote (TDX quotes are not accepted here)%s", "");
		return CELLA_ERR_UNSUPPORTED;
	}
	software = memcmp(q.qe_vendor_id, software_qe_vendor, 16) == 0;
	if (software != (kind == ATTESTD_EVIDENCE_CELLA)) {
		errf(err, "%s", software ? "a Cella software-TEE quote: send it to /attest/CellaEnclave"
					 : "not a Cella software-TEE quote (QE vendor id is not CELLA-SOFTWARE-Q)");
		return CELLA_ERR_UNSUPPORTED;
	}
	cella_sgx_report_decode(q.body, &rep);

	if (software) {
		if (!e->sw_root) {
			errf(err, "software-TEE evidence is not enabled%s", "");
			return CELLA_ERR_UNSUPPORTED;
		}
		r = cella_quote_check_signatures(&q, &d);
		if (r != CELLA_OK) {
			snprintf(err, ATTESTD_ERR_BYTES, "software quote: %.180s", d.text);
			return r;
		}
		r = sw_chain_ok(e, &q, at, err);
		if (r != CELLA_OK)
			return r;
		r = put_report_claims(&rep, "cella-software", incoming, service);
		if (r == CELLA_OK)
			r = attestd_claims_add_str(incoming, "x-cella-tcb-status", "SoftwareTEE");
		json_object_set_new(service, "x-cella-tcb-status", json_string("SoftwareTEE"));
	} else {
		struct cella_pck_info pck;
		struct coll_entry *ce = NULL;
		struct cella_verify_result res;
		json_t *coll, *adv;
		char advs[CELLA_VERIFY_MAX_ADVISORIES * CELLA_ADVISORY_ID_BYTES] = "";
		r = pck_info_cached(e, &q, &pck, &d);
		if (r != CELLA_OK) {
			snprintf(err, ATTESTD_ERR_BYTES, "the quote's PCK certificate: %.180s", d.text);
			return r;
		}
		r = collateral_for(e, &q, &pck, at, &ce, err);
		if (r != CELLA_OK)
			return r;
		r = cella_quote_verify_trust(e->intel, &q, ce->c, at, &res);
		if (r != CELLA_OK) {
			release_collateral(e, ce);
			snprintf(err, ATTESTD_ERR_BYTES, "quote verification failed: %.180s", res.detail.text);
			return r;
		}
		r = put_report_claims(&rep, "sgx", incoming, service);
		coll = json_deep_copy(ce->hashes);
		release_collateral(e, ce);
		json_object_set_new(coll, "quotehash", sha_hex_json(q.bytes, q.len));
		json_object_set_new(service, "x-ms-sgx-collateral", coll);
		json_object_set(service, "maa-attestationcollateral", coll);
		adv = json_array();
		for (size_t i = 0; i < res.advisory_count; i++) {
			json_array_append_new(adv, json_string(res.advisory_ids[i]));
			if (i)
				strcat(advs, ",");
			strcat(advs, res.advisory_ids[i]);
		}
		json_object_set_new(service, "x-cella-tcb-status", json_string(cella_tcb_status_name(res.status)));
		json_object_set_new(service, "x-cella-advisory-ids", adv);
		/* Intel raises these at each TCB recovery: a policy can refuse assessments made before one */
		json_object_set_new(service, "x-cella-tcb-evaluation-data-number",
				    json_integer(res.claims.tcb_evaluation_data_number));
		json_object_set_new(service, "x-cella-qe-tcb-evaluation-data-number",
				    json_integer(res.claims.qe_tcb_evaluation_data_number));
		if (r == CELLA_OK)
			r = attestd_claims_add_str(incoming, "x-cella-tcb-status", cella_tcb_status_name(res.status));
		if (r == CELLA_OK)
			r = attestd_claims_add_str(incoming, "x-cella-advisory-ids", advs);
		if (r == CELLA_OK)
			r = attestd_claims_add_int(incoming, "x-cella-tcb-evaluation-data-number",
						   res.claims.tcb_evaluation_data_number);
		if (r == CELLA_OK)
			r = attestd_claims_add_int(incoming, "x-cella-qe-tcb-evaluation-data-number",
						   res.claims.qe_tcb_evaluation_data_number);
	}
	if (r != CELLA_OK) {
		errf(err, "%s", cella_result_str(r));
		return r;
	}
	memcpy(rd, rep.report_data, 64);
	memcpy(config_id, rep.config_id, 64);
	*kss = (rep.flags & CELLA_SGX_FLAGS_KSS) != 0;
	return CELLA_OK;
}
