// SPDX-License-Identifier: MIT
/*
 * cella-attestd request handling, independent of the HTTP library: routing, api-version, the attestation
 * flow (evidence → claims → policy → token), policy management, JWKS, OpenID metadata, health, metrics.
 * Every failure is answered in Azure Attestation's error shape {"error":{"code":...,"message":...}}.
 */
#include "attestd_internal.h"
#include "parse.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Azure Attestation's service default SGX policy (2022-11): reproduces the x-ms-policy-hash of real tokens. */
static const char default_sgx_policy[] =
	"version= 1.1;configurationrules{=> issueproperty(type=\"x-ms-sgx-tcbidentifier\", value=\"azuredefault\");};"
	"authorizationrules{=> permit();};issuancerules{c:[type==\"x-ms-sgx-is-debuggable\"] => issue(type=\"is-debuggable\", "
	"value=c.value);c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"sgx-mrsigner\", value=c.value);c:[type==\"x-ms-sgx-"
	"mrenclave\"] => issue(type=\"sgx-mrenclave\", value=c.value);c:[type==\"x-ms-sgx-product-id\"] => issue(type=\"product-"
	"id\", value=c.value);c:[type==\"x-ms-sgx-svn\"] => issue(type=\"svn\", value=c.value);c:[type==\"x-ms-attestation-"
	"type\"] => issue(type=\"tee\", value=c.value);};";
/* The same issuance rules at version 1.0 (no TCB baseline) for software-TEE evidence. */
static const char default_cella_policy[] =
	"version= 1.0;authorizationrules{=> permit();};issuancerules{c:[type==\"x-ms-sgx-is-debuggable\"] => issue(type=\"is-"
	"debuggable\", value=c.value);c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"sgx-mrsigner\", value=c.value);c:[type=="
	"\"x-ms-sgx-mrenclave\"] => issue(type=\"sgx-mrenclave\", value=c.value);c:[type==\"x-ms-sgx-product-id\"] => issue("
	"type=\"product-id\", value=c.value);c:[type==\"x-ms-sgx-svn\"] => issue(type=\"svn\", value=c.value);c:[type==\"x-ms-"
	"attestation-type\"] => issue(type=\"tee\", value=c.value);};";

enum ptype { PT_SGX, PT_OE, PT_CELLA, PT_COUNT };
static const char *const ptype_name[PT_COUNT] = {"SgxEnclave", "OpenEnclave", "CellaEnclave"};

struct policy_slot {
	struct attestd_policy *compiled;
	char *text;
	char *jws;               /* as stored: the JWS received, or an unsigned JWS of the default */
	char *signer;            /* the JWK (JSON text) of the key that signed jws, NULL when unsigned */
	char hash[44];
	bool custom;
};

enum ep { EP_SGX, EP_OE, EP_CELLA, EP_CERTS, EP_OPENID, EP_POLICY, EP_HEALTH, EP_METRICS, EP_OTHER, EP_COUNT };
static const char *const ep_name[EP_COUNT] = {"attest_sgx", "attest_openenclave", "attest_cella", "certs",
					       "openid_configuration", "policies", "health", "metrics", "other"};
static const unsigned lat_bounds_us[] = {500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 250000, 1000000};
#define N_LAT (sizeof(lat_bounds_us) / sizeof(lat_bounds_us[0]))

struct attestd_service {
	const struct attestd_config *cfg;
	struct attestd_store *store;
	struct attestd_key key;
	struct attestd_evidence_ctx *ev;
	char *issuer, *jku;
	char *certs_body, *openid_body;
	pthread_rwlock_t plock;
	pthread_mutex_t reload;  /* one policy reload at a time: a slower reload never swaps in older texts */
	struct policy_slot pol[PT_COUNT];
	int64_t store_ver;
	int64_t failed_ver;      /* the store version whose reload failed last (logged once, not on every request) */
	X509 **signers;
	size_t n_signers;
	atomic_ulong req[EP_COUNT][3];  /* 2xx, 4xx, 5xx */
	atomic_ulong lat[N_LAT + 1];
	atomic_ulong lat_sum_us, tokens, denials, policy_changes, slow_clients, tls_client_certs;
	time_t started;
};

void attestd_response_fini(struct attestd_response *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void set_json(struct attestd_response *resp, unsigned status, json_t *j)
{
	resp->status = status;
	resp->content_type = "application/json; charset=utf-8";
	resp->body = json_dumps(j, JSON_COMPACT);
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	if (!resp->body) {
		resp->status = 500;
		resp->body = strdup("{\"error\":{\"code\":\"InternalError\",\"message\":\"out of memory\"}}");
		resp->body_len = resp->body ? strlen(resp->body) : 0;
	}
	json_decref(j);
}

static void fail(struct attestd_response *resp, unsigned status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct attestd_response *resp, unsigned status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* messages quote parts of requests and policies: keep them valid UTF-8 for JSON */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
			*p = '?';
	set_json(resp, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

void attestd_service_error(struct attestd_service *s, unsigned status, const char *code, const char *msg,
			   struct attestd_response *resp)
{
	(void)s;
	fail(resp, status, code, "%s", msg);
}

void attestd_service_count(struct attestd_service *s, const char *what)
{
	if (strcmp(what, "slow_client") == 0)
		atomic_fetch_add(&s->slow_clients, 1);
	else if (strcmp(what, "tls_client_cert") == 0)
		atomic_fetch_add(&s->tls_client_certs, 1);
}

/* ---- policies ---- */

static char *unsigned_policy_jws(const char *text)
{
	char *b = attestd_b64_encode(text, strlen(text), true);
	json_t *p = b ? json_pack("{s:s}", "AttestationPolicy", b) : NULL;
	char *jws = p ? attestd_jws_sign(NULL, NULL, p) : NULL;
	json_decref(p);
	free(b);
	return jws;
}

static void slot_fini(struct policy_slot *p)
{
	attestd_policy_free(p->compiled);
	free(p->text);
	free(p->jws);
	free(p->signer);
	memset(p, 0, sizeof(*p));
}

/* The JWK (JSON text, malloc'd) of the key that signed a stored policy JWS, *out NULL when it is unsigned. The
 * signature was checked when the policy was set; it is checked again, so a database edit cannot name a signer. */
static cella_result stored_signer(const char *jws, char **out, char why[ATTESTD_ERR_BYTES])
{
	struct attestd_jws j;
	X509 *cert = NULL;
	EVP_PKEY *pk = NULL;
	json_t *jwk = NULL;
	cella_result r;
	*out = NULL;
	if ((r = attestd_jws_parse(jws, strlen(jws), &j, why)) != CELLA_OK)
		return r;
	if (j.alg != ATTESTD_ALG_NONE &&
	    (r = attestd_jws_verify_key(jws, &j, (void **)&pk, (void **)&cert, why)) == CELLA_OK) {
		jwk = cert ? attestd_cert_jwk(cert) : attestd_pkey_jwk(pk);
		*out = jwk ? json_dumps(jwk, JSON_COMPACT) : NULL;
		r = *out ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
	}
	json_decref(jwk);
	EVP_PKEY_free(pk);
	X509_free(cert);
	attestd_jws_fini(&j);
	return r;
}

/* err: which type's policy failed, and why */
static cella_result slot_load(struct attestd_service *s, enum ptype t, struct policy_slot *out,
			      char err[ATTESTD_ERR_BYTES])
{
	char why[ATTESTD_ERR_BYTES] = "";
	char *text = NULL, *jws = NULL;
	cella_result r = attestd_store_policy_get(s->store, ptype_name[t], &text, &jws);
	memset(out, 0, sizeof(*out));
	if (r == CELLA_ERR_NOT_FOUND) {
		text = strdup(t == PT_CELLA ? default_cella_policy : default_sgx_policy);
		jws = text ? unsigned_policy_jws(text) : NULL;
		r = text && jws ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
	} else if (r == CELLA_OK) {
		out->custom = true;
	}
	if (r == CELLA_OK)
		r = attestd_policy_compile(text, strlen(text), &out->compiled, why);
	if (r == CELLA_OK && out->custom)
		r = stored_signer(jws, &out->signer, why);
	if (r != CELLA_OK) {
		snprintf(err, ATTESTD_ERR_BYTES, "the %s policy %s: %.180s", ptype_name[t],
			 out->custom ? "stored in the database does not compile" : "cannot be loaded",
			 why[0] ? why : cella_result_str(r));
		free(text);
		free(jws);
		slot_fini(out);
		return r;
	}
	out->text = text;
	out->jws = jws;
	attestd_policy_hash(text, strlen(text), out->hash);
	return CELLA_OK;
}

static bool policies_current(struct attestd_service *s, int64_t v)
{
	bool same;
	pthread_rwlock_rdlock(&s->plock);
	same = v == s->store_ver && s->pol[0].compiled;
	pthread_rwlock_unlock(&s->plock);
	return same;
}

/*
 * Reloads every policy when the database changed under us (another instance committed), or (force) after this
 * instance's own change, which does not move the database's version. Reloads run one at a time and each reads
 * the database as it is then: two PUTs racing leave the later text in force, never the earlier one. On failure
 * err (or, when NULL, the log) says which policy and why; the policies in force stay.
 */
static cella_result policies_refresh(struct attestd_service *s, bool force, char *err)
{
	char why[ATTESTD_ERR_BYTES] = "", *msg = err ? err : why;
	struct policy_slot fresh[PT_COUNT];
	cella_result r = CELLA_OK;
	int64_t v;
	if (!force && policies_current(s, attestd_store_version(s->store)))
		return CELLA_OK;
	pthread_mutex_lock(&s->reload);
	v = attestd_store_version(s->store);
	if (!force && policies_current(s, v)) { /* another thread reloaded meanwhile */
		pthread_mutex_unlock(&s->reload);
		return CELLA_OK;
	}
	memset(fresh, 0, sizeof(fresh));
	for (int t = 0; t < PT_COUNT && r == CELLA_OK; t++)
		r = slot_load(s, (enum ptype)t, &fresh[t], msg);
	if (r != CELLA_OK) {
		bool first = v != s->failed_ver;
		for (int t = 0; t < PT_COUNT; t++)
			slot_fini(&fresh[t]);
		s->failed_ver = v;
		pthread_mutex_unlock(&s->reload);
		if (!err && first) /* every request retries the reload: one line per store version, not per request */
			fprintf(stderr, "cella-attestd: cannot reload the policies: %s\n", why);
		return r;
	}
	pthread_rwlock_wrlock(&s->plock);
	for (int t = 0; t < PT_COUNT; t++) {
		slot_fini(&s->pol[t]);
		s->pol[t] = fresh[t];
	}
	s->store_ver = v;
	pthread_rwlock_unlock(&s->plock);
	pthread_mutex_unlock(&s->reload);
	return CELLA_OK;
}

/* ---- service lifetime ---- */

static void build_static_bodies(struct attestd_service *s)
{
	json_t *keys, *jwk, *o;
	free(s->certs_body);
	free(s->openid_body);
	s->certs_body = s->openid_body = NULL;
	/* the key's public parameters (RFC 7518 6.2.1 requires crv, x, y for EC) and its certificate */
	jwk = attestd_cert_jwk(s->key.cert);
	if (!jwk || json_object_set_new(jwk, "kid", json_string(s->key.kid)) != 0 ||
	    json_object_set_new(jwk, "alg", json_string(attestd_alg_name(s->key.alg))) != 0 ||
	    json_object_set_new(jwk, "use", json_string("sig")) != 0) {
		json_decref(jwk);
		return;
	}
	keys = json_pack("{s:[o]}", "keys", jwk);
	s->certs_body = keys ? json_dumps(keys, JSON_COMPACT) : NULL;
	json_decref(keys);
	/* no revocation_endpoint: the service has none to offer */
	o = json_pack("{s:[s,s], s:[s], s:s, s:s, s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s]}", "response_types_supported",
		      "token", "none", "id_token_signing_alg_values_supported", attestd_alg_name(s->key.alg), "issuer",
		      s->issuer, "jwks_uri", s->jku, "claims_supported", "cnf", "nonce", "x-ms-ver", "x-ms-attestation-type",
		      "x-ms-policy-hash", "x-ms-policy-signer", "x-ms-sgx-is-debuggable", "x-ms-sgx-mrenclave",
		      "x-ms-sgx-mrsigner", "x-ms-sgx-svn", "x-ms-sgx-ehd", "x-ms-sgx-collateral", "is-debuggable",
		      "sgx-mrsigner", "sgx-mrenclave", "product-id", "svn", "tee", "x-ms-runtime", "x-ms-inittime");
	s->openid_body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
}

cella_result attestd_service_set_issuer(struct attestd_service *s, const char *issuer)
{
	size_t n = strlen(issuer) + sizeof("/certs");
	char *i = strdup(issuer), *j = malloc(n);
	if (!i || !j) {
		free(i);
		free(j);
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	snprintf(j, n, "%s/certs", issuer);
	free(s->issuer);
	free(s->jku);
	s->issuer = i;
	s->jku = j;
	build_static_bodies(s);
	return s->certs_body && s->openid_body ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
}

cella_result attestd_service_new(const struct attestd_config *cfg, struct attestd_service **out,
				 char err[ATTESTD_ERR_BYTES])
{
	struct attestd_service *s = calloc(1, sizeof(*s));
	cella_result r;
	if (!s)
		return CELLA_ERR_OUT_OF_MEMORY;
	s->cfg = cfg;
	s->failed_ver = INT64_MIN; /* no reload has failed */
	s->started = time(NULL);
	pthread_rwlock_init(&s->plock, NULL);
	pthread_mutex_init(&s->reload, NULL);
	r = attestd_store_open(cfg->db, &s->store, err);
	if (r != CELLA_OK)
		goto fail;
	r = attestd_store_signing_key(s->store, cfg->token_alg ? cfg->token_alg : ATTESTD_ALG_RS256,
				      cfg->issuer ? cfg->issuer : "cella-attestd", &s->key);
	if (r != CELLA_OK) {
		snprintf(err, ATTESTD_ERR_BYTES, "cannot load or create the token signing key: %s", cella_result_str(r));
		goto fail;
	}
	r = attestd_evidence_new(cfg, &s->ev, err);
	if (r != CELLA_OK)
		goto fail;
	for (size_t i = 0; i < cfg->n_policy_signers; i++) {
		FILE *f = fopen(cfg->policy_signers[i], "r");
		X509 *c = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
		X509 **n;
		if (f)
			fclose(f);
		if (!c || !(n = realloc(s->signers, (s->n_signers + 1) * sizeof(*n)))) {
			X509_free(c);
			snprintf(err, ATTESTD_ERR_BYTES, "cannot read policy signer certificate %s", cfg->policy_signers[i]);
			r = CELLA_ERR_CERT_CHAIN;
			goto fail;
		}
		s->signers = n;
		s->signers[s->n_signers++] = c;
	}
	if (cfg->isolated && s->n_signers == 0) {
		snprintf(err, ATTESTD_ERR_BYTES, "policy_mode \"isolated\" needs at least one policy_signers certificate");
		r = CELLA_ERR_INVALID_ARG;
		goto fail;
	}
	r = policies_refresh(s, true, err);
	if (r != CELLA_OK)
		goto fail;
	r = attestd_service_set_issuer(s, cfg->issuer ? cfg->issuer : "https://127.0.0.1");
	if (r != CELLA_OK)
		goto fail;
	*out = s;
	return CELLA_OK;
fail:
	attestd_service_free(s);
	return r;
}

/* The service's database handle: main.c uses it for the TLS certificate. */
struct attestd_store *attestd_service_store(struct attestd_service *s);
struct attestd_store *attestd_service_store(struct attestd_service *s)
{
	return s->store;
}

void attestd_service_free(struct attestd_service *s)
{
	if (!s)
		return;
	for (int t = 0; t < PT_COUNT; t++)
		slot_fini(&s->pol[t]);
	for (size_t i = 0; i < s->n_signers; i++)
		X509_free(s->signers[i]);
	free(s->signers);
	attestd_evidence_free(s->ev);
	attestd_key_fini(&s->key);
	attestd_store_close(s->store);
	free(s->issuer);
	free(s->jku);
	free(s->certs_body);
	free(s->openid_body);
	pthread_rwlock_destroy(&s->plock);
	pthread_mutex_destroy(&s->reload);
	free(s);
}

/* ---- request parsing ---- */

void attestd_attest_request_fini(struct attestd_attest_request *r)
{
	free(r->evidence);
	free(r->runtime.data);
	free(r->inittime.data);
	json_decref(r->runtime.value);
	json_decref(r->inittime.value);
	free(r->draft_policy);
	free(r->nonce);
	memset(r, 0, sizeof(*r));
}

/*
 * Picks obj's members by name, case-insensitively, as MAA's service (.NET) reads them: out[i] is the member named
 * names[i], or NULL. A member of another name, or one name twice in two spellings, is refused, named: an ignored
 * "RuntimeData" let a request skip the binding check that "runtimeData" gets.
 */
static cella_result pick_members(json_t *obj, const char *const *names, size_t n, json_t **out, const char *where,
				 char err[ATTESTD_ERR_BYTES])
{
	const char *k;
	json_t *v;
	for (size_t i = 0; i < n; i++)
		out[i] = NULL;
	json_object_foreach(obj, k, v)
	{
		size_t i;
		for (i = 0; i < n && strcasecmp(k, names[i]) != 0; i++)
			;
		if (i == n) {
			int w = snprintf(err, ATTESTD_ERR_BYTES, "unknown member \"%.40s\" in %s (it takes", k, where);
			for (size_t j = 0; j < n && w > 0 && (size_t)w < ATTESTD_ERR_BYTES; j++)
				w += snprintf(err + w, ATTESTD_ERR_BYTES - (size_t)w, " %s%s", names[j], j + 1 < n ? "," : ")");
			return CELLA_ERR_BAD_FORMAT;
		}
		if (out[i]) {
			snprintf(err, ATTESTD_ERR_BYTES, "member %s given twice in %s (names are matched regardless of case)",
				 names[i], where);
			return CELLA_ERR_BAD_FORMAT;
		}
		out[i] = v;
	}
	return CELLA_OK;
}

static cella_result parse_data(json_t *o, const char *name, struct attestd_data *out, const char **code,
			       char err[ATTESTD_ERR_BYTES])
{
	json_t *d, *t;
	const char *type;
	if (!o || json_is_null(o))
		return CELLA_OK;
	*code = "InvalidParameter";
	if (!json_is_object(o)) {
		snprintf(err, ATTESTD_ERR_BYTES, "%s must be an object {\"data\": base64url, \"dataType\": \"Binary\"|\"JSON\"}",
			 name);
		return CELLA_ERR_BAD_FORMAT;
	}
	{
		static const char *const names[] = {"data", "dataType"};
		json_t *m[2];
		if (pick_members(o, names, 2, m, name, err) != CELLA_OK)
			return CELLA_ERR_BAD_FORMAT;
		d = m[0];
		t = m[1];
	}
	if (!json_is_string(d)) {
		snprintf(err, ATTESTD_ERR_BYTES, "%s.data must be a base64url string", name);
		return CELLA_ERR_BAD_FORMAT;
	}
	type = t && !json_is_null(t) ? json_string_value(t) : "Binary";
	if (!type || (strcasecmp(type, "Binary") != 0 && strcasecmp(type, "JSON") != 0)) {
		snprintf(err, ATTESTD_ERR_BYTES, "%s.dataType must be \"Binary\" or \"JSON\"", name);
		return CELLA_ERR_BAD_FORMAT;
	}
	if (attestd_b64_decode(json_string_value(d), json_string_length(d), &out->data, &out->len) != CELLA_OK) {
		snprintf(err, ATTESTD_ERR_BYTES, "%s.data is not valid base64url", name);
		return CELLA_ERR_BAD_FORMAT;
	}
	out->json = strcasecmp(type, "JSON") == 0;
	out->present = true;
	if (out->json) {
		/* JSON text, possibly with one terminating NUL (Open Enclave's samples hash the terminator too); no
		 * name twice, so every parser reads the attested bytes alike (RFC 7493 2.3), and parsed once: the
		 * token and the policy see this parse */
		size_t n = out->len;
		if (n && out->data[n - 1] == 0)
			n--;
		out->value = json_loadb((const char *)out->data, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
		if (!out->value) {
			snprintf(err, ATTESTD_ERR_BYTES,
				 "%s has dataType JSON but its data is not JSON (one object name twice is refused)", name);
			return CELLA_ERR_BAD_FORMAT;
		}
	}
	return CELLA_OK;
}

cella_result attestd_attest_request_parse(const uint8_t *body, size_t len, bool open_enclave,
					  struct attestd_attest_request *out, const char **code,
					  char err[ATTESTD_ERR_BYTES])
{
	json_error_t je;
	json_t *j, *ev, *v, *m[7];
	const char *evname = open_enclave ? "report" : "quote";
	cella_result r = CELLA_ERR_BAD_FORMAT;
	memset(out, 0, sizeof(*out));
	*code = "InvalidRequestBody";
	j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		snprintf(err, ATTESTD_ERR_BYTES, "malformed JSON at line %d, column %d: %s", je.line, je.column, je.text);
		return CELLA_ERR_BAD_FORMAT;
	}
	if (!json_is_object(j)) {
		snprintf(err, ATTESTD_ERR_BYTES, "the request body must be a JSON object");
		goto out;
	}
	*code = "InvalidParameter";
	{
		/* enclaveHeldData: the 2020-10-01 API's runtime data (a base64url string), Binary; its
		 * disableSignatureValidation is taken when false (signatures are always validated here) */
		static const char *const sgx[] = {"quote", "runtimeData", "initTimeData", "draftPolicyForAttestation",
						  "nonce", "enclaveHeldData", "disableSignatureValidation"};
		static const char *const oe[] = {"report", "runtimeData", "initTimeData", "draftPolicyForAttestation",
						 "nonce", "enclaveHeldData", "disableSignatureValidation"};
		if (pick_members(j, open_enclave ? oe : sgx, 7, m, "the request", err) != CELLA_OK)
			goto out;
	}
	if (m[6] && !json_is_null(m[6]) && !json_is_false(m[6])) {
		snprintf(err, ATTESTD_ERR_BYTES, "disableSignatureValidation: evidence signatures are always validated "
						 "(only false is accepted)");
		goto out;
	}
	ev = m[0];
	if (!json_is_string(ev) || json_string_length(ev) == 0) {
		snprintf(err, ATTESTD_ERR_BYTES, "missing \"%s\" (base64url evidence)", evname);
		goto out;
	}
	if (attestd_b64_decode(json_string_value(ev), json_string_length(ev), &out->evidence, &out->evidence_len) !=
	    CELLA_OK) {
		snprintf(err, ATTESTD_ERR_BYTES, "\"%s\" is not valid base64url", evname);
		goto out;
	}
	if (m[5] && !json_is_null(m[5])) {
		if (m[1] && !json_is_null(m[1])) {
			snprintf(err, ATTESTD_ERR_BYTES, "runtimeData and enclaveHeldData are one thing: give one of them");
			goto out;
		}
		if (!json_is_string(m[5]) || attestd_b64_decode(json_string_value(m[5]), json_string_length(m[5]),
								&out->runtime.data, &out->runtime.len) != CELLA_OK) {
			snprintf(err, ATTESTD_ERR_BYTES, "enclaveHeldData must be a base64url string");
			goto out;
		}
		out->runtime.present = true;
	}
	if ((r = parse_data(m[1], "runtimeData", &out->runtime, code, err)) != CELLA_OK ||
	    (r = parse_data(m[2], "initTimeData", &out->inittime, code, err)) != CELLA_OK)
		goto out;
	r = CELLA_ERR_BAD_FORMAT;
	v = m[3];
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || !(out->draft_policy = strdup(json_string_value(v)))) {
			snprintf(err, ATTESTD_ERR_BYTES, "draftPolicyForAttestation must be a string");
			goto out;
		}
	}
	v = m[4];
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || json_string_length(v) > ATTESTD_NONCE_MAX) {
			snprintf(err, ATTESTD_ERR_BYTES, "nonce must be a string of at most %d bytes", ATTESTD_NONCE_MAX);
			goto out;
		}
		if (!(out->nonce = strdup(json_string_value(v)))) {
			snprintf(err, ATTESTD_ERR_BYTES, "out of memory");
			goto out;
		}
	}
	r = CELLA_OK;
out:
	json_decref(j);
	if (r != CELLA_OK)
		attestd_attest_request_fini(out);
	return r;
}

cella_result attestd_policy_jws_text(const struct attestd_jws *j, char **text, size_t *len,
				     char err[ATTESTD_ERR_BYTES])
{
	json_t *p, *ap;
	uint8_t *t = NULL;
	size_t n = 0;
	*text = NULL;
	*len = 0;
	if (j->payload_len == 0)
		return CELLA_OK;
	p = json_loadb((const char *)j->payload, j->payload_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(p)) {
		json_decref(p);
		snprintf(err, ATTESTD_ERR_BYTES, "the policy JWS payload is not a JSON object");
		return CELLA_ERR_BAD_FORMAT;
	}
	ap = json_object_get(p, "AttestationPolicy");
	if (!ap) {
		json_decref(p);
		return CELLA_OK;
	}
	if (!json_is_string(ap) || attestd_b64_decode(json_string_value(ap), json_string_length(ap), &t, &n) != CELLA_OK ||
	    memchr(t, 0, n)) {
		free(t);
		json_decref(p);
		snprintf(err, ATTESTD_ERR_BYTES, "AttestationPolicy must be the base64url UTF-8 policy text");
		return CELLA_ERR_BAD_FORMAT;
	}
	json_decref(p);
	*text = (char *)t;
	*len = n;
	return CELLA_OK;
}

/* ---- handlers ---- */

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static void put_times(struct attestd_service *s, json_t *o, int64_t lifetime)
{
	int64_t t = now_s();
	json_object_set_new(o, "iat", json_integer(t));
	json_object_set_new(o, "nbf", json_integer(t));
	json_object_set_new(o, "exp", json_integer(t + lifetime));
	json_object_set_new(o, "iss", json_string(s->issuer));
}

static void token_response(struct attestd_service *s, json_t *payload, bool sign, struct attestd_response *resp)
{
	char *tok = attestd_jws_sign(sign ? &s->key : NULL, s->jku, payload);
	json_decref(payload);
	if (!tok) {
		fail(resp, 500, "InternalError", "token signing failed");
		return;
	}
	set_json(resp, 200, json_pack("{s:s}", "token", tok));
	free(tok);
}

/*
 * Names only the service writes at a token's top level: the claims it measured (already in the payload) and these.
 * A policy may issue any of them, but its value then appears only inside x-ms-policy, so a policy cannot make a
 * token claim an enclave identity, runtime data, TCB status, nonce or lifetime the evidence did not show.
 */
static bool service_owned(const char *name)
{
	static const char *const names[] = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce", "cnf"};
	static const char *const prefixes[] = {"x-ms-", "x-cella-", "maa-", "aas-"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* The policy's claims at the top level of the token (the last of one name wins), except the service's names. */
static cella_result policy_claims_to_top(const struct attestd_claims *c, json_t *payload)
{
	json_t *svc = json_copy(payload); /* the service's names, before any policy claim */
	cella_result r = svc ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
	for (size_t i = 0; i < c->n && r == CELLA_OK; i++) {
		json_t *j;
		if (service_owned(c->v[i].type) || json_object_get(svc, c->v[i].type))
			continue;
		j = attestd_value_json(&c->v[i].v);
		if (!j || json_object_set_new(payload, c->v[i].type, j) != 0)
			r = CELLA_ERR_OUT_OF_MEMORY;
	}
	json_decref(svc);
	return r;
}

static bool verify_time(struct attestd_service *s, const struct attestd_request *req, int64_t *at)
{
	*at = now_s();
	if (!s->cfg->test_mode)
		return true;
	if (s->cfg->verify_time)
		*at = s->cfg->verify_time;
	if (req->test_time) {
		long long v;
		if (cella_parse_int(req->test_time, LLONG_MIN, LLONG_MAX, &v) != 0)
			return false; /* not whole, or beyond 64 bits */
		*at = v;
	}
	return true;
}

static const char *result_code(cella_result r)
{
	switch (r) {
	case CELLA_ERR_BAD_FORMAT:
	case CELLA_ERR_QUOTE_FORMAT:
		return "InvalidParameter";
	case CELLA_ERR_UNSUPPORTED:
	case CELLA_ERR_QUOTE_VERSION:
	case CELLA_ERR_CERT_DATA_TYPE:
		return "UnsupportedEvidence";
	case CELLA_ERR_FETCH:
		return "CollateralUnavailable";
	case CELLA_ERR_REVOKED:
		return "EvidenceRevoked";
	case CELLA_ERR_EXPIRED:
		return "EvidenceExpired";
	default:
		return "EvidenceVerificationFailed";
	}
}

/*
 * The TCB baseline (MAA's custom TCB baseline enforcement): TCB identifier N is Intel's tcbEvaluationDataNumber N,
 * and "azuredefault" (or no x-ms-sgx-tcbidentifier from the configuration rules) is tcb_baseline_default, 10 as
 * MAA documents it. The TCB Info and the QE Identity the quote was judged by must both be at N or later. Software
 * evidence has no such collateral: a numeric baseline set for it is refused, "azuredefault" does not apply.
 * False: resp holds the refusal.
 */
static bool tcb_baseline_met(struct attestd_service *s, const struct attestd_claims *props, int64_t tcb_eval,
			     int64_t qe_eval, struct attestd_response *resp)
{
	const struct attestd_claim *id = attestd_claims_find(props, "x-ms-sgx-tcbidentifier"); /* the last one set */
	long long want = s->cfg->tcb_baseline_default ? s->cfg->tcb_baseline_default : ATTESTD_DEFAULT_TCB_BASELINE;
	bool dflt = true;
	if (id && id->v.vt == ATTESTD_V_INTEGER && id->v.i > 0) {
		want = id->v.i;
		dflt = false;
	} else if (id && id->v.vt == ATTESTD_V_STRING && strcasecmp(id->v.s, "azuredefault") != 0) {
		if (cella_parse_int(id->v.s, 1, INT64_MAX, &want) != 0) {
			fail(resp, 400, "PolicyEvaluationError", "x-ms-sgx-tcbidentifier \"%.40s\" is neither \"azuredefault\" "
			     "nor a TCB evaluation data number", id->v.s);
			return false;
		}
		dflt = false;
	} else if (id && id->v.vt != ATTESTD_V_STRING) {
		fail(resp, 400, "PolicyEvaluationError", "x-ms-sgx-tcbidentifier must be \"azuredefault\" or a TCB "
		     "evaluation data number");
		return false;
	}
	if (tcb_eval < 0) {
		if (dflt)
			return true;
		fail(resp, 400, "TcbBaselineNotMet", "TCB baseline %lld: this evidence has no TCB collateral to meet it "
		     "(software TEE)", want);
		return false;
	}
	if (tcb_eval < want || qe_eval < want) {
		fail(resp, 400, "TcbBaselineNotMet", "TCB baseline %lld%s not met: the collateral's TCB Info has "
		     "tcbEvaluationDataNumber %lld and its QE Identity %lld", want, dflt ? " (azuredefault)" : "",
		     (long long)tcb_eval, (long long)qe_eval);
		return false;
	}
	return true;
}

static void handle_attest(struct attestd_service *s, enum ptype pt, const struct attestd_request *req,
			  struct attestd_response *resp)
{
	struct attestd_attest_request ar;
	struct attestd_claims in, out, props;
	struct attestd_policy *draft = NULL;
	const struct attestd_policy *pol;
	json_t *svc = json_object(), *payload = NULL, *xpol = NULL, *signer = NULL;
	char err[ATTESTD_ERR_BYTES] = "", hash[44], jti[65];
	const char *code = "InvalidParameter", *draft_text = NULL;
	uint8_t rd[64], cfgid[64], h[32], rnd[32];
	bool kss = false, locked = false;
	int64_t at, lifetime = s->cfg->token_lifetime ? s->cfg->token_lifetime : 28800, tcb_eval = -1, qe_eval = -1;
	cella_result r;

	attestd_claims_init(&in);
	attestd_claims_init(&out);
	attestd_claims_init(&props);
	memset(&ar, 0, sizeof(ar));
	if (!svc) {
		fail(resp, 500, "InternalError", "out of memory");
		return;
	}
	if (!verify_time(s, req, &at)) {
		fail(resp, 400, "InvalidParameter", "x-cella-test-time must be Unix seconds");
		goto out;
	}
	if (attestd_attest_request_parse(req->body, req->body_len, pt == PT_OE, &ar, &code, err) != CELLA_OK) {
		fail(resp, 400, code, "%s", err);
		goto out;
	}
	r = attestd_evidence_verify(s->ev, pt == PT_SGX ? ATTESTD_EVIDENCE_SGX : pt == PT_OE ? ATTESTD_EVIDENCE_OPEN_ENCLAVE
											   : ATTESTD_EVIDENCE_CELLA,
				    ar.evidence, ar.evidence_len, at, rd, cfgid, &kss, &in, svc, err);
	if (r != CELLA_OK) {
		fail(resp, r == CELLA_ERR_FETCH ? 503 : 400, result_code(r), "%s", err);
		goto out;
	}
	/* the evaluation numbers of the collateral the evidence was judged by, before a policy can add() claims */
	{
		const struct attestd_claim *t = attestd_claims_find(&in, "x-cella-tcb-evaluation-data-number");
		const struct attestd_claim *q = attestd_claims_find(&in, "x-cella-qe-tcb-evaluation-data-number");
		tcb_eval = t && t->v.vt == ATTESTD_V_INTEGER ? t->v.i : -1;
		qe_eval = q && q->v.vt == ATTESTD_V_INTEGER ? q->v.i : -1;
	}
	if (ar.runtime.present) {
		attestd_sha256(ar.runtime.data, ar.runtime.len, h);
		if (memcmp(h, rd, 32) != 0) {
			fail(resp, 400, "InvalidParameter",
			     "SHA-256 of runtimeData does not match the first 32 bytes of the report data");
			goto out;
		}
	}
	if (ar.inittime.present) {
		attestd_sha256(ar.inittime.data, ar.inittime.len, h);
		if (!kss || memcmp(h, cfgid, 32) != 0) {
			fail(resp, 400, "InvalidParameter", "%s",
			     kss ? "SHA-256 of initTimeData does not match the first 32 bytes of the enclave's config id"
				 : "initTimeData needs an enclave with KSS (its config id binds it)");
			goto out;
		}
	}
	/* runtime / init-time data: as claims for the policy, and in the token as MAA puts them */
	r = CELLA_OK;
	for (int which = 0; which < 2 && r == CELLA_OK; which++) {
		struct attestd_data *d = which ? &ar.inittime : &ar.runtime;
		if (!d->present)
			continue;
		if (d->json) {
			char *txt = json_dumps(d->value, JSON_COMPACT | JSON_ENCODE_ANY);
			if (!txt) {
				r = CELLA_ERR_OUT_OF_MEMORY;
				break;
			}
			json_object_set(svc, which ? "x-ms-inittime" : "x-ms-runtime", d->value);
			r = attestd_claims_add_str(&in, which ? "x-ms-inittime" : "x-ms-runtime", txt);
			free(txt);
		} else {
			char *b = attestd_b64_encode(d->data, d->len, true);
			if (!b) {
				r = CELLA_ERR_OUT_OF_MEMORY;
				break;
			}
			if (which == 0) {
				json_object_set_new(svc, "x-ms-sgx-ehd", json_string(b));
				json_object_set_new(svc, "maa-ehd", json_string(b));
				json_object_set_new(svc, "aas-ehd", json_string(b));
				r = attestd_claims_add_str(&in, "x-ms-sgx-ehd", b);
			} else {
				json_object_set_new(svc, "x-ms-inittime", json_string(b));
				r = attestd_claims_add_str(&in, "x-ms-inittime", b);
			}
			free(b);
		}
	}
	if (r != CELLA_OK) {
		fail(resp, 500, "InternalError", "%s", cella_result_str(r));
		goto out;
	}

	/* the policy: a draft from the request, or the stored one */
	if (ar.draft_policy) {
		struct attestd_jws dj;
		char *dtext = NULL;
		size_t dlen = 0;
		const char *txt = ar.draft_policy;
		size_t tlen = strlen(ar.draft_policy);
		if (attestd_jws_parse(ar.draft_policy, tlen, &dj, err) == CELLA_OK) {
			if (attestd_policy_jws_text(&dj, &dtext, &dlen, err) != CELLA_OK || !dtext) {
				attestd_jws_fini(&dj);
				free(dtext);
				fail(resp, 400, "InvalidPolicy", "draftPolicyForAttestation: %s",
				     err[0] ? err : "no AttestationPolicy in the JWS");
				goto out;
			}
			attestd_jws_fini(&dj);
			free(ar.draft_policy);
			ar.draft_policy = dtext;
			txt = dtext;
			tlen = dlen;
		}
		if (attestd_policy_compile(txt, tlen, &draft, err) != CELLA_OK) {
			fail(resp, 400, "InvalidPolicy", "draftPolicyForAttestation has a syntax error: %s", err);
			goto out;
		}
		draft_text = txt;
		attestd_policy_hash(txt, tlen, hash);
		pol = draft;
	} else {
		if (policies_refresh(s, false, NULL) != CELLA_OK) {
			fail(resp, 500, "InternalError", "cannot read the policies");
			goto out;
		}
		pthread_rwlock_rdlock(&s->plock);
		locked = true;
		pol = s->pol[pt].compiled;
		memcpy(hash, s->pol[pt].hash, sizeof(hash));
		if (s->pol[pt].signer && !(signer = json_loads(s->pol[pt].signer, 0, NULL))) {
			fail(resp, 500, "InternalError", "out of memory");
			goto out;
		}
	}
	/* claims MAA gives a policy besides the evidence's: the token's version, the hash of the policy evaluating, the
	 * collateral's hashes (JSON text) and the deprecated tee */
	{
		json_t *coll = json_object_get(svc, "x-ms-sgx-collateral");
		const struct attestd_claim *at = attestd_claims_find(&in, "x-ms-attestation-type");
		char *ct = coll ? json_dumps(coll, JSON_COMPACT) : NULL;
		r = attestd_claims_add_str(&in, "x-ms-ver", "1.0");
		if (r == CELLA_OK)
			r = attestd_claims_add_str(&in, "x-ms-policy-hash", hash);
		if (r == CELLA_OK && coll)
			r = ct ? attestd_claims_add_str(&in, "x-ms-sgx-collateral", ct) : CELLA_ERR_OUT_OF_MEMORY;
		if (r == CELLA_OK && at && at->v.vt == ATTESTD_V_STRING)
			r = attestd_claims_add_str(&in, "tee", at->v.s);
		free(ct);
		if (r != CELLA_OK) {
			fail(resp, 500, "InternalError", "%s", cella_result_str(r));
			goto out;
		}
	}
	r = attestd_policy_evaluate(pol, &in, &out, &props, err);
	if (locked)
		pthread_rwlock_unlock(&s->plock);
	locked = false;
	(void)draft_text;
	if (r == CELLA_ERR_POLICY) {
		atomic_fetch_add(&s->denials, 1);
		fail(resp, 400, "PolicyEvaluationError", "%s", err);
		goto out;
	}
	if (r != CELLA_OK) {
		fail(resp, 400, "PolicyEvaluationError", "%s", err[0] ? err : cella_result_str(r));
		goto out;
	}

	if (!tcb_baseline_met(s, &props, tcb_eval, qe_eval, resp))
		goto out;

	/* the token */
	payload = svc;
	svc = NULL;
	xpol = json_object();
	if (!xpol || attestd_claims_to_json(&out, xpol) != CELLA_OK || policy_claims_to_top(&out, payload) != CELLA_OK) {
		fail(resp, 500, "InternalError", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < props.n; i++) {
		if (strcmp(props.v[i].type, "x-ms-sgx-tcbidentifier") == 0) /* a string in MAA's tokens, "10" too */
			json_object_set_new(payload, "x-ms-sgx-tcbidentifier",
					    props.v[i].v.vt == ATTESTD_V_INTEGER
						    ? json_sprintf("%lld", (long long)props.v[i].v.i)
						    : attestd_value_json(&props.v[i].v));
		else if (strcmp(props.v[i].type, "report_validity_in_minutes") == 0 &&
			 props.v[i].v.vt == ATTESTD_V_INTEGER && props.v[i].v.i > 0 && props.v[i].v.i <= 525600)
			lifetime = props.v[i].v.i * 60;
	}
	json_object_set_new(payload, "x-ms-policy", xpol);
	xpol = NULL;
	json_object_set_new(payload, "x-ms-policy-hash", json_string(hash));
	if (signer) /* MAA: the key that signed the policy in force, as {"jwk": ...} */
		json_object_set_new(payload, "x-ms-policy-signer", json_pack("{s:O}", "jwk", signer));
	json_object_set_new(payload, "x-ms-ver", json_string("1.0"));
	if (ar.nonce)
		json_object_set_new(payload, "nonce", json_string(ar.nonce));
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		fail(resp, 500, "InternalError", "no randomness");
		goto out;
	}
	attestd_hex(rnd, 32, jti);
	json_object_set_new(payload, "jti", json_string(jti));
	put_times(s, payload, lifetime);
	atomic_fetch_add(&s->tokens, 1);
	token_response(s, payload, draft == NULL, resp);
	payload = NULL;
out:
	if (locked)
		pthread_rwlock_unlock(&s->plock);
	attestd_policy_free(draft);
	json_decref(signer);
	json_decref(payload);
	json_decref(xpol);
	json_decref(svc);
	attestd_claims_fini(&in);
	attestd_claims_fini(&out);
	attestd_claims_fini(&props);
	attestd_attest_request_fini(&ar);
}

static bool is_admin(struct attestd_service *s, const struct attestd_request *req)
{
	const char *a = req->authorization;
	if (req->client_cert_admin)
		return true;
	if (!s->cfg->admin_token || !*s->cfg->admin_token || !a || strncasecmp(a, "Bearer ", 7) != 0)
		return false;
	a += 7;
	while (*a == ' ')
		a++;
	return *a && attestd_ct_streq(a, strlen(a), s->cfg->admin_token, strlen(s->cfg->admin_token));
}

/* The key that signed a policy (from its x5c certificate or its jwk) is one of the configured signers' keys. */
static bool signer_trusted(struct attestd_service *s, EVP_PKEY *pk)
{
	for (size_t i = 0; i < s->n_signers; i++)
		if (EVP_PKEY_eq(X509_get0_pubkey(s->signers[i]), pk) == 1)
			return true;
	return false;
}

static void handle_policy(struct attestd_service *s, enum ptype pt, bool reset, const struct attestd_request *req,
			  struct attestd_response *resp)
{
	char err[ATTESTD_ERR_BYTES] = "", tokhash[44];
	struct attestd_jws j;
	X509 *signer = NULL;
	EVP_PKEY *signer_key = NULL;
	char *text = NULL, *body = NULL;
	size_t tlen = 0, blen;
	struct attestd_policy *compiled = NULL;
	json_t *payload;

	memset(&j, 0, sizeof(j));
	if (!s->cfg->admin_token && !s->cfg->admin_client_ca) {
		fail(resp, 403, "Forbidden", "policy management is disabled (configure admin_token or admin_client_ca)");
		return;
	}
	if (!is_admin(s, req)) {
		fail(resp, 401, "Unauthorized", "policy management needs an administrator (bearer token or client "
						"certificate)");
		return;
	}
	if (strcmp(req->method, "GET") == 0 && !reset) {
		if (policies_refresh(s, false, NULL) != CELLA_OK) {
			fail(resp, 500, "InternalError", "cannot read the policies");
			return;
		}
		payload = json_object();
		pthread_rwlock_rdlock(&s->plock);
		json_object_set_new(payload, "x-ms-policy", json_string(s->pol[pt].jws));
		pthread_rwlock_unlock(&s->plock);
		put_times(s, payload, s->cfg->token_lifetime ? s->cfg->token_lifetime : 28800);
		token_response(s, payload, true, resp);
		return;
	}
	if (!(reset ? strcmp(req->method, "POST") == 0 : strcmp(req->method, "PUT") == 0)) {
		fail(resp, 405, "MethodNotAllowed", "use GET or PUT on /policies/{type}, POST on /policies/{type}:reset");
		resp->allow = reset ? "POST" : "GET, PUT";
		return;
	}
	/* the body is the JWS text (text/plain); some clients send it as a JSON string */
	blen = req->body_len;
	body = malloc(blen + 1);
	if (!body) {
		fail(resp, 500, "InternalError", "out of memory");
		return;
	}
	memcpy(body, req->body, blen);
	body[blen] = 0;
	{
		char *p = body;
		while (blen && (body[blen - 1] == ' ' || body[blen - 1] == '\n' || body[blen - 1] == '\r'))
			body[--blen] = 0;
		while (*p == ' ' || *p == '\n' || *p == '\r')
			p++, blen--;
		if (blen >= 2 && p[0] == '"' && p[blen - 1] == '"') {
			p++;
			blen -= 2;
			p[blen] = 0;
		}
		memmove(body, p, blen + 1);
	}
	if (attestd_jws_parse(body, blen, &j, err) != CELLA_OK) {
		fail(resp, 400, "InvalidPolicy", "the policy must be a JWS: %s", err);
		goto out;
	}
	if (j.alg != ATTESTD_ALG_NONE) {
		if (attestd_jws_verify_key(body, &j, (void **)&signer_key, (void **)&signer, err) != CELLA_OK) {
			fail(resp, 400, "InvalidPolicySignature", "%s", err);
			goto out;
		}
	}
	if (s->cfg->isolated && (!signer_key || !signer_trusted(s, signer_key))) {
		fail(resp, 401, "PolicySignerNotTrusted",
		     "isolated mode: the policy must be signed by one of the configured policy signers");
		goto out;
	}
	if (attestd_policy_jws_text(&j, &text, &tlen, err) != CELLA_OK) {
		fail(resp, 400, "InvalidPolicy", "%s", err);
		goto out;
	}
	/* a reset is a JWS over an empty document: a signed policy (say the stored one, which GET returns) is not a
	 * signer's consent to remove it */
	if (reset && text) {
		fail(resp, 400, "InvalidPolicy", "a reset takes a JWS with an empty document, not an AttestationPolicy");
		goto out;
	}
	if (!reset) {
		if (!text) {
			fail(resp, 400, "InvalidPolicy", "the JWS has no AttestationPolicy");
			goto out;
		}
		if (attestd_policy_compile(text, tlen, &compiled, err) != CELLA_OK) {
			fail(resp, 400, "InvalidPolicy", "policy syntax error: %s", err);
			goto out;
		}
		if (attestd_store_policy_set(s->store, ptype_name[pt], text, body) != CELLA_OK) {
			fail(resp, 500, "InternalError", "cannot store the policy");
			goto out;
		}
	} else if (attestd_store_policy_reset(s->store, ptype_name[pt]) != CELLA_OK) {
		fail(resp, 500, "InternalError", "cannot reset the policy");
		goto out;
	}
	atomic_fetch_add(&s->policy_changes, 1);
	if (policies_refresh(s, true, NULL) != CELLA_OK) {
		fail(resp, 500, "InternalError", "cannot reload the policies");
		goto out;
	}
	attestd_sha256_b64url(body, blen, tokhash);
	payload = json_pack("{s:s, s:s}", "x-ms-policy-result", reset ? "Removed" : "Updated", "x-ms-policy-token-hash",
			    tokhash);
	if (!reset) {
		pthread_rwlock_rdlock(&s->plock);
		json_object_set_new(payload, "x-ms-policy", json_string(s->pol[pt].jws));
		pthread_rwlock_unlock(&s->plock);
	}
	if (signer_key)
		json_object_set_new(payload, "x-ms-policy-signer",
				    signer ? attestd_cert_jwk(signer) : attestd_pkey_jwk(signer_key));
	put_times(s, payload, s->cfg->token_lifetime ? s->cfg->token_lifetime : 28800);
	token_response(s, payload, true, resp);
out:
	attestd_policy_free(compiled);
	EVP_PKEY_free(signer_key);
	X509_free(signer);
	attestd_jws_fini(&j);
	free(text);
	free(body);
}

static void handle_metrics(struct attestd_service *s, struct attestd_response *resp)
{
	size_t cap = 8192, n = 0;
	char *b = malloc(cap);
	unsigned long cum = 0;
#define P(...)                                                                  \
	do {                                                                    \
		int w = snprintf(b + n, cap - n, __VA_ARGS__);                  \
		if (w > 0 && (size_t)w < cap - n)                               \
			n += (size_t)w;                                         \
	} while (0)
	if (!b) {
		fail(resp, 500, "InternalError", "out of memory");
		return;
	}
	P("# HELP cella_attestd_requests_total HTTP requests by endpoint and status class.\n");
	P("# TYPE cella_attestd_requests_total counter\n");
	for (int e = 0; e < EP_COUNT; e++)
		for (int c = 0; c < 3; c++)
			P("cella_attestd_requests_total{endpoint=\"%s\",code=\"%cxx\"} %lu\n", ep_name[e], "245"[c],
			  atomic_load(&s->req[e][c]));
	P("# HELP cella_attestd_attest_duration_seconds Time to answer attestation requests.\n");
	P("# TYPE cella_attestd_attest_duration_seconds histogram\n");
	for (size_t i = 0; i < N_LAT; i++) {
		cum += atomic_load(&s->lat[i]);
		P("cella_attestd_attest_duration_seconds_bucket{le=\"%g\"} %lu\n", lat_bounds_us[i] / 1e6, cum);
	}
	cum += atomic_load(&s->lat[N_LAT]);
	P("cella_attestd_attest_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	P("cella_attestd_attest_duration_seconds_sum %.6f\n", atomic_load(&s->lat_sum_us) / 1e6);
	P("cella_attestd_attest_duration_seconds_count %lu\n", cum);
	P("# TYPE cella_attestd_tokens_issued_total counter\ncella_attestd_tokens_issued_total %lu\n",
	  atomic_load(&s->tokens));
	P("# TYPE cella_attestd_policy_denials_total counter\ncella_attestd_policy_denials_total %lu\n",
	  atomic_load(&s->denials));
	P("# TYPE cella_attestd_policy_changes_total counter\ncella_attestd_policy_changes_total %lu\n",
	  atomic_load(&s->policy_changes));
	P("# TYPE cella_attestd_slow_clients_total counter\ncella_attestd_slow_clients_total %lu\n",
	  atomic_load(&s->slow_clients));
	P("# TYPE cella_attestd_tls_client_certs_total counter\ncella_attestd_tls_client_certs_total %lu\n",
	  atomic_load(&s->tls_client_certs));
	P("# TYPE cella_attestd_uptime_seconds gauge\ncella_attestd_uptime_seconds %lld\n",
	  (long long)(time(NULL) - s->started));
#undef P
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->body = b;
	resp->body_len = n;
}

static bool api_version_ok(const struct attestd_request *req, bool required, struct attestd_response *resp)
{
	const char *v = req->api_version;
	if (!v) {
		if (!required)
			return true;
		fail(resp, 400, "MissingApiVersionParameter", "the api-version query parameter is required "
			     "(2020-10-01 or 2022-08-01)");
		return false;
	}
	if (strcmp(v, "2020-10-01") == 0 || strcmp(v, "2022-08-01") == 0)
		return true;
	fail(resp, 400, "UnsupportedApiVersion", "api-version '%.40s' is not supported (2020-10-01 or 2022-08-01)", v);
	return false;
}

static int type_of(struct attestd_service *s, const char *name, size_t len)
{
	for (int t = 0; t < PT_COUNT; t++)
		if (strlen(ptype_name[t]) == len && strncmp(ptype_name[t], name, len) == 0)
			return t == PT_CELLA && !s->cfg->cella_root ? -2 : t;
	return -1;
}

static enum ep route(struct attestd_service *s, const struct attestd_request *req, struct attestd_response *resp)
{
	const char *p = req->path;
	/* HEAD is GET without the body (libmicrohttpd leaves it out) */
	bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	bool post = strcmp(req->method, "POST") == 0;
	bool known = strcmp(p, "/certs") == 0 || strcmp(p, "/health") == 0 || strcmp(p, "/metrics") == 0 ||
		     strcmp(p, "/.well-known/openid-configuration") == 0;

	if (strncmp(p, "/attest/", 8) == 0) {
		int t = type_of(s, p + 8, strlen(p + 8));
		enum ep e = t == PT_SGX ? EP_SGX : t == PT_OE ? EP_OE : t == PT_CELLA ? EP_CELLA : EP_OTHER;
		if (t == -2) {
			fail(resp, 400, "InvalidAttestationType",
			     "attestation type CellaEnclave is not enabled (configure cella_enclave_root)");
		} else if (t < 0) {
			fail(resp, 400, "InvalidAttestationType",
			     "unknown or unsupported attestation type '%.40s' (SgxEnclave, OpenEnclave%s)", p + 8,
			     s->cfg->cella_root ? ", CellaEnclave" : "");
		} else if (!post) {
			fail(resp, 405, "MethodNotAllowed", "attestation requests are POSTs");
			resp->allow = "POST";
		} else if (api_version_ok(req, true, resp)) {
			handle_attest(s, (enum ptype)t, req, resp);
		}
		return e;
	}
	if (strncmp(p, "/policies/", 10) == 0) {
		const char *name = p + 10, *colon = strchr(name, ':');
		size_t len = colon ? (size_t)(colon - name) : strlen(name);
		bool reset = colon && strcmp(colon, ":reset") == 0;
		int t = type_of(s, name, len);
		if (colon && !reset)
			fail(resp, 404, "NotFound", "unknown policy operation");
		else if (t < 0)
			fail(resp, 400, "InvalidAttestationType", "unknown or unsupported attestation type '%.*s'",
			     (int)(len > 40 ? 40 : len), name);
		else if (api_version_ok(req, true, resp))
			handle_policy(s, (enum ptype)t, reset, req, resp);
		return EP_POLICY;
	}
	if (!get) {
		if (known) {
			fail(resp, 405, "MethodNotAllowed", "%s takes GET and HEAD only", p);
			resp->allow = "GET, HEAD";
		} else {
			fail(resp, 404, "NotFound", "no such resource");
		}
		return EP_OTHER;
	}
	if (strcmp(p, "/certs") == 0) {
		if (api_version_ok(req, false, resp)) {
			resp->status = 200;
			resp->content_type = "application/json; charset=utf-8";
			resp->body = strdup(s->certs_body);
			resp->body_len = resp->body ? strlen(resp->body) : 0;
		}
		return EP_CERTS;
	}
	if (strcmp(p, "/.well-known/openid-configuration") == 0) {
		resp->status = 200;
		resp->content_type = "application/json; charset=utf-8";
		resp->body = strdup(s->openid_body);
		resp->body_len = resp->body ? strlen(resp->body) : 0;
		return EP_OPENID;
	}
	if (strcmp(p, "/health") == 0) {
		set_json(resp, 200, json_pack("{s:s}", "status", "ok"));
		return EP_HEALTH;
	}
	if (strcmp(p, "/metrics") == 0) {
		handle_metrics(s, resp);
		return EP_METRICS;
	}
	fail(resp, 404, "NotFound", "no such resource");
	return EP_OTHER;
}

void attestd_service_handle(struct attestd_service *s, const struct attestd_request *req,
			    struct attestd_response *resp)
{
	struct timespec t0, t1;
	enum ep e;
	memset(resp, 0, sizeof(*resp));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	e = route(s, req, resp);
	if (!resp->body) {
		resp->status = 500;
		resp->content_type = "application/json; charset=utf-8";
		resp->body = strdup("{\"error\":{\"code\":\"InternalError\",\"message\":\"out of memory\"}}");
		resp->body_len = resp->body ? strlen(resp->body) : 0;
	}
	atomic_fetch_add(&s->req[e][resp->status < 400 ? 0 : resp->status < 500 ? 1 : 2], 1);
	if (e == EP_SGX || e == EP_OE || e == EP_CELLA) {
		unsigned long us;
		size_t i = 0;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us = (unsigned long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
		while (i < N_LAT && us > lat_bounds_us[i])
			i++;
		atomic_fetch_add(&s->lat[i], 1);
		atomic_fetch_add(&s->lat_sum_us, us);
	}
}
