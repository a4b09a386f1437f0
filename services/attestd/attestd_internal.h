/* SPDX-License-Identifier: MIT */
/* cella-attestd internals: encodings, the MAA policy language, JWS, SQLite state, evidence, request handling. */
#ifndef CELLA_ATTESTD_INTERNAL_H
#define CELLA_ATTESTD_INTERNAL_H

#include <cella/result.h>
#include <cella/types.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

/* The shortest admin token accepted: a short one is guessable, an empty one matches an empty header. */
#define ATTESTD_ADMIN_TOKEN_MIN 16
#define ATTESTD_ERR_BYTES 256u
#define ATTESTD_KID_BYTES 64u

/* ---------------------------------------------------------------------------------------------------
 * Encodings (util.c)
 */

/* Base64 (RFC 4648 §4) or base64url without padding (§5). Returns a malloc'd NUL-terminated string or NULL. */
char *attestd_b64_encode(const void *in, size_t len, bool url);
/*
 * Decodes base64 or base64url (either alphabet, padding optional but correct if present, no whitespace, unused
 * trailing bits zero). out: malloc'd (one spare NUL byte after *out_len), takes ownership.
 * Errors: CELLA_ERR_BAD_FORMAT, CELLA_ERR_OUT_OF_MEMORY.
 */
CELLA_MUST_USE cella_result attestd_b64_decode(const char *in, size_t len, uint8_t **out, size_t *out_len);
/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void attestd_hex(const void *in, size_t len, char *out);
void attestd_sha256(const void *in, size_t len, uint8_t out[32]);
/* base64url(SHA-256(data)) into out (44 bytes). */
void attestd_sha256_b64url(const void *in, size_t len, char out[44]);
/* Constant-time equality of two byte strings of possibly different lengths (time depends on lengths only). */
bool attestd_ct_streq(const char *a, size_t alen, const char *b, size_t blen);
/* Whole file into a malloc'd NUL-terminated buffer (max bytes). Errors: NO_FILE, IO, TOO_LARGE, OUT_OF_MEMORY. */
CELLA_MUST_USE cella_result attestd_read_file(const char *path, size_t max, char **out, size_t *out_len);
/* MAA x-ms-policy-hash: base64url(SHA-256(base64url(policy text))), into out (44 bytes). */
void attestd_policy_hash(const char *text, size_t len, char out[44]);

/* ---------------------------------------------------------------------------------------------------
 * Claims and the MAA policy language (claims.c, policy.c)
 */

typedef enum attestd_vt {
	ATTESTD_V_STRING = 0,
	ATTESTD_V_INTEGER = 1,
	ATTESTD_V_BOOLEAN = 2,
} attestd_vt;

struct attestd_value {
	attestd_vt vt;
	bool b;
	int64_t i;
	char *s;         /* ATTESTD_V_STRING: owned by whoever owns the value */
};

struct attestd_claim {
	char *type;
	char *issuer;    /* "AttestationService", "AttestationPolicy", "CustomClaim" */
	struct attestd_value v;
};

struct attestd_claims {
	struct attestd_claim *v;
	size_t n, cap;
};

void attestd_claims_init(struct attestd_claims *c);
void attestd_claims_fini(struct attestd_claims *c);
/* Appends a copy of (type, issuer, value). Errors: CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_TOO_LARGE (> 4096 claims). */
CELLA_MUST_USE cella_result attestd_claims_add(struct attestd_claims *c, const char *type, const char *issuer,
					       const struct attestd_value *v);
CELLA_MUST_USE cella_result attestd_claims_add_str(struct attestd_claims *c, const char *type, const char *s);
CELLA_MUST_USE cella_result attestd_claims_add_int(struct attestd_claims *c, const char *type, int64_t i);
CELLA_MUST_USE cella_result attestd_claims_add_bool(struct attestd_claims *c, const char *type, bool b);
/* The last claim of that type, or NULL. */
const struct attestd_claim *attestd_claims_find(const struct attestd_claims *c, const char *type);
/* A JSON value for a claim value (new reference). */
json_t *attestd_value_json(const struct attestd_value *v);
/* Sets every claim of c into obj (later claims of one type win). Errors: CELLA_ERR_OUT_OF_MEMORY. */
CELLA_MUST_USE cella_result attestd_claims_to_json(const struct attestd_claims *c, json_t *obj);

/*
 * JMESPath (jmespath.c): the whole grammar but expression references (&expr) and the functions taking one.
 * attestd_jmes_check: syntax only; CELLA_ERR_BAD_FORMAT with err and *err_off (the byte offset in q).
 * attestd_jmes_eval: evaluates q over doc; *out a new reference (JSON null for a missing path). Work is charged to
 * *steps, and past max_steps the evaluation stops with CELLA_ERR_TOO_LARGE. Errors: CELLA_ERR_BAD_FORMAT (syntax),
 * CELLA_ERR_INVALID_ARG (a function given the wrong type), CELLA_ERR_TOO_LARGE, CELLA_ERR_OUT_OF_MEMORY; err says
 * what ("JmesPath: ...").
 */
CELLA_MUST_USE cella_result attestd_jmes_check(const char *q, size_t len, size_t *err_off, char err[ATTESTD_ERR_BYTES]);
CELLA_MUST_USE cella_result attestd_jmes_eval(const char *q, size_t len, json_t *doc, long *steps, long max_steps,
					      json_t **out, char err[ATTESTD_ERR_BYTES]);

/*
 * A compiled query: parsed once (literals included) and run any number of times, by any number of threads at once
 * (nothing a run does writes to it). attestd_jmes_compile: as attestd_jmes_check, plus CELLA_ERR_OUT_OF_MEMORY; out:
 * takes ownership. attestd_jmes_run: as attestd_jmes_eval but for syntax errors; *out may share values with c's
 * literals, so it is used (and released) before attestd_jmes_free(c).
 */
struct attestd_jmes;
CELLA_MUST_USE cella_result attestd_jmes_compile(const char *q, size_t len, struct attestd_jmes **out, size_t *err_off,
						 char err[ATTESTD_ERR_BYTES]);
CELLA_MUST_USE cella_result attestd_jmes_run(const struct attestd_jmes *c, json_t *doc, long *steps, long max_steps,
					     json_t **out, char err[ATTESTD_ERR_BYTES]);
void attestd_jmes_free(struct attestd_jmes *c);
/*
 * Freezing a JSON value (and everything in it) makes it read-only for any number of threads: json_incref and
 * json_decref leave it alone (it gets jansson's never-freed reference count), so a value compiled once can be handed
 * to evaluations on several threads without a race on its count. Nothing may change a frozen value; v must be a tree
 * only its caller references (as json_loads makes), freed with attestd_json_frozen_free (NULL: no-op) once no
 * evaluation uses it.
 */
void attestd_json_freeze(json_t *v);
void attestd_json_frozen_free(json_t *v);

struct attestd_policy;

/*
 * Compiles MAA policy text (versions 1.0, 1.1, 1.2). On a syntax or semantic error returns CELLA_ERR_BAD_FORMAT
 * and writes "line L, column C: what" into err (ATTESTD_ERR_BYTES). out: takes ownership.
 */
CELLA_MUST_USE cella_result attestd_policy_compile(const char *text, size_t len, struct attestd_policy **out,
						   char err[ATTESTD_ERR_BYTES]);
void attestd_policy_free(struct attestd_policy *p);
/* "1.0", "1.1" or "1.2" (static). */
const char *attestd_policy_version(const struct attestd_policy *p);

/*
 * Runs the policy: configurationrules (issueproperty → props and incoming), authorizationrules (permit/deny, add →
 * incoming; every rule runs in order: denied if a deny() fires, else permitted if a permit() fired, else denied),
 * issuancerules (issue → incoming and outgoing, add → incoming). Returns CELLA_OK when permitted,
 * CELLA_ERR_POLICY when denied (err says by which rule), CELLA_ERR_BAD_FORMAT when a function or comparison fails
 * (err names it), CELLA_ERR_TOO_LARGE when evaluation exceeds its work bound, CELLA_ERR_OUT_OF_MEMORY. incoming
 * is extended in place.
 */
CELLA_MUST_USE cella_result attestd_policy_evaluate(const struct attestd_policy *p, struct attestd_claims *incoming,
						    struct attestd_claims *outgoing, struct attestd_claims *props,
						    char err[ATTESTD_ERR_BYTES]);

/* ---------------------------------------------------------------------------------------------------
 * Keys and JWS (jws.c)
 */

typedef enum attestd_alg {
	ATTESTD_ALG_NONE = 0,
	ATTESTD_ALG_RS256 = 1,
	ATTESTD_ALG_ES256 = 2,
} attestd_alg;

struct attestd_key {
	attestd_alg alg;
	void *pkey;                      /* EVP_PKEY * */
	void *cert;                      /* X509 * (self-signed, CN = issuer) */
	char kid[ATTESTD_KID_BYTES];     /* base64 SHA-256 of the certificate DER, as MAA's kids look */
	char *x5c;                       /* base64 DER of cert */
	char *key_pem, *cert_pem;
};

/* A new key and self-signed certificate (subject CN = cn, 10 years). */
CELLA_MUST_USE cella_result attestd_key_generate(attestd_alg alg, const char *cn, struct attestd_key *out);
/* From stored PEM. Errors: CELLA_ERR_BAD_FORMAT, CELLA_ERR_CRYPTO. */
CELLA_MUST_USE cella_result attestd_key_load(const char *key_pem, const char *cert_pem, struct attestd_key *out);
void attestd_key_fini(struct attestd_key *k);
attestd_alg attestd_alg_parse(const char *name); /* "RS256" / "ES256"; NONE otherwise */
const char *attestd_alg_name(attestd_alg a);

/* Compact JWS of payload (a JSON object) with header {alg, jku?, kid, typ:"JWT"}; key NULL: alg "none". */
char *attestd_jws_sign(const struct attestd_key *key, const char *jku, json_t *payload);

struct attestd_jws {
	json_t *header;
	uint8_t *payload;                /* decoded, NUL-terminated */
	size_t payload_len;
	uint8_t *sig;
	size_t sig_len;
	size_t signed_len;               /* bytes of "header.payload" */
	attestd_alg alg;
};
/* Splits and decodes a compact JWS (no signature check). Errors: CELLA_ERR_BAD_FORMAT. */
CELLA_MUST_USE cella_result attestd_jws_parse(const char *token, size_t len, struct attestd_jws *out,
					      char err[ATTESTD_ERR_BYTES]);
void attestd_jws_fini(struct attestd_jws *j);
/* Verifies a parsed JWS with the key of its header's x5c[0]; *cert_out (X509 *, optional) gets that certificate.
 * Errors: CELLA_ERR_SIGNATURE, CELLA_ERR_CERT_CHAIN (no/bad x5c), CELLA_ERR_UNSUPPORTED (alg). */
CELLA_MUST_USE cella_result attestd_jws_verify_x5c(const char *token, const struct attestd_jws *j, void **cert_out,
						   char err[ATTESTD_ERR_BYTES]);
/* Verifies a parsed JWS with the key its header names: x5c[0]'s (then *cert_out is that X509 *), or else a jwk
 * member's (RSA n, e or P-256 x, y; *cert_out NULL). *pkey_out (EVP_PKEY *) the key. Both owned by the caller.
 * Errors as attestd_jws_verify_x5c. */
CELLA_MUST_USE cella_result attestd_jws_verify_key(const char *token, const struct attestd_jws *j, void **pkey_out,
						   void **cert_out, char err[ATTESTD_ERR_BYTES]);
/* The public JWK of a key (EVP_PKEY *): {kty "EC", crv "P-256", x, y} or {kty "RSA", n, e} (RFC 7518 6.2.1,
 * 6.3.1); NULL for another kind of key or out of memory. New reference. */
json_t *attestd_pkey_jwk(void *pkey);
/* The same with x5c: [base64 DER of the certificate] (new reference). */
json_t *attestd_cert_jwk(void *cert);

/* ---------------------------------------------------------------------------------------------------
 * State (store.c): one SQLite file
 */

struct attestd_store;
CELLA_MUST_USE cella_result attestd_store_open(const char *path, struct attestd_store **out, char err[ATTESTD_ERR_BYTES]);
void attestd_store_close(struct attestd_store *s);
/* The active signing key for alg, created (inside one write transaction) if the file has none. */
CELLA_MUST_USE cella_result attestd_store_signing_key(struct attestd_store *s, attestd_alg alg, const char *cn,
						      struct attestd_key *out);
/* TLS certificate and key, generated once (self-signed, localhost / 127.0.0.1). Strings malloc'd. */
CELLA_MUST_USE cella_result attestd_store_tls(struct attestd_store *s, char **key_pem, char **cert_pem);
/* Stored policy of a type: CELLA_ERR_NOT_FOUND when none (the default applies). Strings malloc'd. */
CELLA_MUST_USE cella_result attestd_store_policy_get(struct attestd_store *s, const char *type, char **text,
						     char **jws);
CELLA_MUST_USE cella_result attestd_store_policy_set(struct attestd_store *s, const char *type, const char *text,
						     const char *jws);
CELLA_MUST_USE cella_result attestd_store_policy_reset(struct attestd_store *s, const char *type);
/* Changes whenever another connection (another instance) commits to the file. */
int64_t attestd_store_version(struct attestd_store *s);

/* ---------------------------------------------------------------------------------------------------
 * Configuration (config.c)
 */

#define ATTESTD_DEFAULT_FETCHED 64 /* fetched collaterals kept in memory (platforms), least recently used out */
#define ATTESTD_DEFAULT_RETRY_SECONDS 30 /* after a failed fetch, the platform's requests fail at once this long */
#define ATTESTD_DEFAULT_TCB_BASELINE 10 /* MAA's "azuredefault" TCB baseline: tcbEvaluationDataNumber 10 */

struct attestd_config {
	char *listen_host;               /* "127.0.0.1", "::1" (brackets of "[::1]:port" removed) */
	unsigned port;                   /* 0: ephemeral */
	bool tls;
	char *tls_cert, *tls_key;        /* PEM files; NULL: generated and kept in the database */
	char *db;                        /* SQLite file */
	char *issuer;                    /* NULL: "https://<host>:<port>" */
	attestd_alg token_alg;
	int64_t token_lifetime;          /* seconds, default 28800 (8 h, as MAA) */
	size_t max_body;                 /* bytes, default 1 MiB */
	unsigned threads;                /* default: number of CPUs */
	unsigned request_timeout;        /* seconds a request may take to arrive (headers + body), default 10 */
	unsigned connection_limit;       /* default 1024 */
	char *admin_token;               /* bearer token for policy management; NULL: no bearer admin */
	char *admin_client_ca;           /* PEM file: TLS client certificates issued by it are administrators */
	bool isolated;                   /* policies must be JWS signed by one of policy_signers */
	char **policy_signers;           /* PEM certificate files */
	size_t n_policy_signers;
	char **collateral_files;         /* DCAP collateral JSON files (layout of the vectors), preloaded */
	size_t n_collateral_files;
	char *pccs_url, *collateral_cache_dir, *pccs_update; /* pccs_update: NULL, "early" or "standard" */
	unsigned collateral_cache_entries; /* fetched collaterals kept in memory, 1..256; 0: ATTESTD_DEFAULT_FETCHED */
	unsigned collateral_retry_seconds; /* 0..3600, when collateral_retry_set; else ATTESTD_DEFAULT_RETRY_SECONDS */
	bool collateral_retry_set;
	bool pccs_insecure_tls;
	unsigned tcb_baseline_default;   /* "azuredefault": the tcbEvaluationDataNumber collateral must reach; 0: 10 */
	char *cella_root;                /* software-TEE root CA (PEM): enables /attest/CellaEnclave */
	bool test_mode;                  /* allow the x-cella-test-time header and --verify-time */
	int64_t verify_time;             /* test mode: evidence is verified at this time (0: now) */
};

/* The embedded default configuration (JSON text, static). */
const char *attestd_config_default_json(void);
/* Applies a JSON configuration over c. Errors: CELLA_ERR_BAD_FORMAT (err says which key). */
CELLA_MUST_USE cella_result attestd_config_apply_json(struct attestd_config *c, const char *json, size_t len,
						      char err[ATTESTD_ERR_BYTES]);
void attestd_config_fini(struct attestd_config *c);

/* ---------------------------------------------------------------------------------------------------
 * The service (service.c, evidence.c): HTTP-independent request handling
 */

struct attestd_service;

struct attestd_request {
	const char *method;              /* "GET", "PUT", "POST", ... */
	const char *path;                /* without the query */
	const char *api_version;         /* the api-version query parameter, NULL if absent */
	const char *authorization;       /* Authorization header, or NULL */
	const char *test_time;           /* x-cella-test-time header (honoured only in test mode), or NULL */
	bool client_cert_admin;          /* the TLS client presented a certificate issued by admin_client_ca */
	const uint8_t *body;
	size_t body_len;
};

struct attestd_response {
	unsigned status;
	const char *content_type;
	char *body;                      /* malloc'd */
	size_t body_len;
	const char *allow;               /* with 405: the methods the resource takes (the Allow header) */
	bool close;                      /* close the connection after this response */
};

CELLA_MUST_USE cella_result attestd_service_new(const struct attestd_config *cfg, struct attestd_service **out,
						char err[ATTESTD_ERR_BYTES]);
void attestd_service_free(struct attestd_service *s);
/* Sets the issuer once the port is known (when the configuration left it empty), before any request is served.
 * CELLA_ERR_OUT_OF_MEMORY: the bodies naming it could not be built. */
CELLA_MUST_USE cella_result attestd_service_set_issuer(struct attestd_service *s, const char *issuer);
/* Handles one request; always fills resp (JSON, MAA error shape on failure). Threads: any. */
void attestd_service_handle(struct attestd_service *s, const struct attestd_request *req,
			    struct attestd_response *resp);
/* Transport-level errors (413, 408, 400 framing) in MAA's error shape, counted in /metrics. */
void attestd_service_error(struct attestd_service *s, unsigned status, const char *code, const char *msg,
			   struct attestd_response *resp);
void attestd_response_fini(struct attestd_response *r);
/* Counts a connection-level event for /metrics ("slow_client", "tls_client_cert"). */
void attestd_service_count(struct attestd_service *s, const char *what);

/* Parsed attestation request (service.c; exposed for the fuzzer and unit tests). */
#define ATTESTD_NONCE_MAX 1024 /* bytes of the nonce echoed into the token */

struct attestd_data {
	uint8_t *data;
	size_t len;
	bool json;                       /* dataType "JSON" */
	bool present;
	json_t *value;                   /* dataType "JSON": the one parse of data, for the policy and the token */
};
struct attestd_attest_request {
	uint8_t *evidence;               /* quote or OE report, decoded */
	size_t evidence_len;
	struct attestd_data runtime, inittime;
	char *draft_policy;              /* draftPolicyForAttestation (text, or a JWS holding it), or NULL */
	char *nonce;
};
/* Errors: CELLA_ERR_BAD_FORMAT with err (the JSON error message; *code set to a static MAA error code). */
CELLA_MUST_USE cella_result attestd_attest_request_parse(const uint8_t *body, size_t len, bool open_enclave,
							  struct attestd_attest_request *out, const char **code,
							  char err[ATTESTD_ERR_BYTES]);
void attestd_attest_request_fini(struct attestd_attest_request *r);
/* Reads a stored-policy JWS ({"AttestationPolicy": b64url(text)}, or empty for reset); text may be NULL. */
CELLA_MUST_USE cella_result attestd_policy_jws_text(const struct attestd_jws *j, char **text, size_t *len,
						    char err[ATTESTD_ERR_BYTES]);

/* Evidence (evidence.c) */
struct attestd_evidence_ctx;
CELLA_MUST_USE cella_result attestd_evidence_new(const struct attestd_config *cfg, struct attestd_evidence_ctx **out,
						 char err[ATTESTD_ERR_BYTES]);
void attestd_evidence_free(struct attestd_evidence_ctx *e);

typedef enum attestd_evidence_kind {
	ATTESTD_EVIDENCE_SGX = 0,        /* an Intel DCAP quote */
	ATTESTD_EVIDENCE_OPEN_ENCLAVE,   /* oe_report_header_t + DCAP quote */
	ATTESTD_EVIDENCE_CELLA,          /* a Cella software-TEE quote */
} attestd_evidence_kind;

/*
 * Verifies evidence at `at` and fills `incoming` (policy input, MAA names) and `service` (the claims the service
 * itself puts in the token: x-ms-sgx-*, x-ms-sgx-collateral, ...). report_data is copied to rd (64 bytes).
 * Errors: CELLA_ERR_BAD_FORMAT (malformed), CELLA_ERR_UNSUPPORTED (kind/quote mismatch), CELLA_ERR_FETCH (no
 * collateral), any libcella-verify error; err says what.
 */
CELLA_MUST_USE cella_result attestd_evidence_verify(struct attestd_evidence_ctx *e, attestd_evidence_kind kind,
						    const uint8_t *ev, size_t len, int64_t at, uint8_t rd[64],
						    uint8_t config_id[64], bool *kss, struct attestd_claims *incoming,
						    json_t *service, char err[ATTESTD_ERR_BYTES]);

#endif
