/* SPDX-License-Identifier: MIT */
/* DCAP quote parsing and verification against Intel collateral, offline, at an explicit time. */
#ifndef CELLA_VERIFY_H
#define CELLA_VERIFY_H

#include <cella/abi/report.h>
#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Overview
 *   struct cella_quote q;                 parse: borrowed views into the caller's bytes, no allocation
 *   cella_quote_parse(buf, len, &q, &d);
 *   struct cella_collateral *c;           collateral: from a JSON file (layout of the DCAP vectors) or
 *   cella_collateral_load_file(p, &c, &d);    fetched from a PCCS / Intel PCS v4 (cella_collateral_fetch)
 *   struct cella_verify_result res;
 *   cella_quote_verify(&q, c, time(NULL), &res);   pinned Intel SGX Root CA key
 *
 * Thread safety: a struct cella_collateral caches what it has verified (parsed certificates, JSON, the
 * PCK chains of quotes seen); it guards that cache with a mutex, so one collateral may be shared by threads. The
 * mutex covers only looking up (and on a miss building) the cached state, which is immutable and reference
 * counted: verifications on shared collateral check their quote's signatures in parallel. Freeing a collateral
 * while a verification on it runs is the caller's error.
 * struct cella_trust is immutable after creation. Libraries never print: failures come back as a
 * cella_result plus a detail string naming what failed. Every function leaves OpenSSL's per-thread error queue as
 * its caller had it, whatever the outcome (a caller between two TLS calls still reads its own SSL_get_error).
 */

#define CELLA_DETAIL_BYTES 256u
#define CELLA_QUOTE_SIG_BYTES 64u          /* ECDSA P-256 r||s, big-endian */
#define CELLA_QUOTE_KEY_BYTES 64u          /* P-256 public point X||Y, big-endian, no 0x04 prefix */
#define CELLA_SGX_REPORT_BODY_BYTES 384u
#define CELLA_TDX_REPORT_BODY_BYTES 584u    /* TD report 1.0 */
#define CELLA_TDX15_REPORT_BODY_BYTES 648u  /* TD report 1.5 (quote v5 body type 3) */
#define CELLA_QUOTE_HEADER_BYTES 48u
#define CELLA_FMSPC_BYTES 6u
#define CELLA_TDX_MR_BYTES 48u
#define CELLA_VERIFY_MAX_ADVISORIES 64u       /* in a result (a TCB Info level may list any number) */
#define CELLA_ADVISORY_ID_BYTES 32u        /* "INTEL-SA-00615" plus NUL, with room */

#define CELLA_QUOTE_TEE_SGX 0x00000000u
/* Report body types (the v5 body descriptor's; v3 and v4 carry them implicitly). */
#define CELLA_QUOTE_BODY_SGX 1u             /* SGX enclave report, CELLA_SGX_REPORT_BODY_BYTES */
#define CELLA_QUOTE_BODY_TD10 2u            /* TD report 1.0, CELLA_TDX_REPORT_BODY_BYTES */
#define CELLA_QUOTE_BODY_TD15 3u            /* TD report 1.5, CELLA_TDX15_REPORT_BODY_BYTES */
#define CELLA_QUOTE_TEE_TDX 0x00000081u

#define CELLA_SGX_FLAGS_INITTED 0x01u
#define CELLA_SGX_FLAGS_DEBUG 0x02u
#define CELLA_SGX_FLAGS_MODE64BIT 0x04u
#define CELLA_SGX_FLAGS_PROVISION_KEY 0x10u
#define CELLA_SGX_FLAGS_EINITTOKEN_KEY 0x20u
#define CELLA_SGX_FLAGS_KSS 0x80u
#define CELLA_TDX_TD_ATTRIBUTES_DEBUG 0x01u /* td_attributes[0] bit 0 */

/* Why an operation failed, in words ("PCK certificate revoked by the PCK CRL (serial 1a2b...)"). */
struct cella_detail {
	char text[CELLA_DETAIL_BYTES];
};

/* ---------------------------------------------------------------------------------------------------
 * Quotes
 */

/*
 * A parsed quote v3 (SGX), v4 (SGX or TDX) or v5 (SGX, TDX 1.0 or TDX 1.5). Every pointer is a borrowed view
 * into the buffer given to cella_quote_parse(), which must outlive the struct. Lengths are taken from the
 * quote's own length fields (signature_data_len first), never from the buffer size: bytes after the signature
 * data (TDX padding) are ignored.
 */
struct cella_quote {
	const uint8_t *bytes;           /* start of the quote */
	size_t len;                     /* bytes actually used: header + body + 4 + signature_data_len */
	uint16_t version;               /* 3, 4 or 5 */
	uint16_t att_key_type;          /* 2 = ECDSA-256-with-P-256 (the only one accepted) */
	uint32_t tee_type;              /* CELLA_QUOTE_TEE_SGX or CELLA_QUOTE_TEE_TDX */
	uint16_t qe_svn;                /* header bytes 8..11 (v3; reserved in v4) */
	uint16_t pce_svn;
	const uint8_t *qe_vendor_id;    /* 16 bytes */
	const uint8_t *user_data;       /* 20 bytes */
	uint16_t body_type;             /* CELLA_QUOTE_BODY_*: from the v5 body descriptor, else from the TEE type */
	const uint8_t *body;            /* the ISV/TD report body */
	size_t body_len;                /* the body type's size */
	size_t signed_len;              /* header (+ v5 body descriptor) + body: what the quote signature covers */
	const uint8_t *signature;       /* 64 bytes */
	const uint8_t *attest_key;      /* 64 bytes */
	const uint8_t *qe_report;       /* CELLA_SGX_REPORT_BODY_BYTES */
	const uint8_t *qe_report_sig;   /* 64 bytes, by the PCK key */
	const uint8_t *qe_auth;         /* QE authentication data */
	size_t qe_auth_len;
	uint16_t cert_type;             /* outer certification data type: 5 (v3) or 6 (v4, v5: QE report cert data) */
	const char *pck_chain;          /* PEM "leaf, intermediate, root" from the type-5 data, trailing NULs dropped */
	size_t pck_chain_len;
};

/* sgx_report_body_t, decoded (fields little-endian in the quote). */
struct cella_sgx_report {
	uint8_t cpu_svn[16];
	uint8_t misc_select[4];         /* raw bytes, as in the report */
	uint8_t isv_ext_prod_id[16];
	uint8_t attributes[16];         /* flags (u64 LE) then xfrm (u64 LE), raw */
	uint64_t flags;
	uint64_t xfrm;
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint8_t config_id[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t isv_family_id[16];
	uint8_t report_data[CELLA_REPORT_DATA_BYTES];
};

/* A TDX TD report body (1.0, or 1.5 with two more fields), decoded. */
struct cella_tdx_report {
	uint8_t tee_tcb_svn[16];
	uint8_t mr_seam[CELLA_TDX_MR_BYTES];
	uint8_t mr_signer_seam[CELLA_TDX_MR_BYTES];
	uint8_t seam_attributes[8];
	uint8_t td_attributes[8];
	uint8_t xfam[8];
	uint8_t mr_td[CELLA_TDX_MR_BYTES];
	uint8_t mr_config_id[CELLA_TDX_MR_BYTES];
	uint8_t mr_owner[CELLA_TDX_MR_BYTES];
	uint8_t mr_owner_config[CELLA_TDX_MR_BYTES];
	uint8_t rtmr[4][CELLA_TDX_MR_BYTES];
	uint8_t report_data[CELLA_REPORT_DATA_BYTES];
	bool td15;                      /* a TD report 1.5: the two fields below are filled in (zero otherwise) */
	uint8_t tee_tcb_svn2[16];
	uint8_t mr_servicetd[CELLA_TDX_MR_BYTES];
};

typedef enum cella_pck_ca {
	CELLA_PCK_CA_UNKNOWN = 0,
	CELLA_PCK_CA_PROCESSOR = 1,     /* "Intel SGX PCK Processor CA" */
	CELLA_PCK_CA_PLATFORM = 2,      /* "Intel SGX PCK Platform CA" */
} cella_pck_ca;

/* The SGX extension (OID 1.2.840.113741.1.13.1) of a PCK certificate, plus its issuing CA. */
struct cella_pck_info {
	uint8_t ppid[16];
	uint8_t tcb_comp_svn[16];       /* SGX TCB component SVNs 01..16 */
	uint16_t pce_svn;
	uint8_t cpu_svn[16];
	uint8_t pce_id[2];
	uint8_t fmspc[CELLA_FMSPC_BYTES];
	int sgx_type;                   /* 0 Standard, 1 Scalable, 2 Scalable with integrity */
	cella_pck_ca ca;
};

/*
 * Parses a quote. bytes: borrowed; the result points into it. len: the buffer size (may exceed the quote).
 * Accepts v3 (SGX, certification data type 5), v4 (SGX or TDX, type 6 wrapping type 5) and v5 (a body
 * descriptor: SGX report, TD report 1.0 or TD report 1.5, matching the TEE type; then as v4); a trailing NUL
 * after the PEM chain is tolerated. Errors: CELLA_ERR_TRUNCATED (a length points past the buffer),
 * CELLA_ERR_QUOTE_FORMAT (inconsistent lengths or structure, a v5 body type or size that is not the TEE's),
 * CELLA_ERR_QUOTE_VERSION (version, TEE type or key type), CELLA_ERR_CERT_DATA_TYPE (certification data type
 * other than 5, or 6 in v4 and v5).
 * detail: optional (may be NULL). out is written only on success.
 */
CELLA_API CELLA_MUST_USE cella_result cella_quote_parse(const uint8_t *bytes, size_t len, struct cella_quote *out,
							struct cella_detail *detail) CELLA_NONNULL(1, 3);

/* Decodes a 384-byte SGX report body (the ISV report of an SGX quote, or the QE report). */
CELLA_API void cella_sgx_report_decode(const uint8_t *raw, struct cella_sgx_report *out) CELLA_NONNULL(1, 2);
/* Decodes a 584-byte TD report 1.0 body (td15 false). */
CELLA_API void cella_tdx_report_decode(const uint8_t *raw, struct cella_tdx_report *out) CELLA_NONNULL(1, 2);
/* Decodes a TDX quote's report body by its body type: TD report 1.0, or 1.5 (td15, tee_tcb_svn2, mr_servicetd).
 * The quote must be a parsed TDX quote. */
CELLA_API void cella_quote_tdx_report(const struct cella_quote *quote, struct cella_tdx_report *out)
	CELLA_NONNULL(1, 2);

/*
 * Reads the PCK leaf certificate of the quote's chain (not verified: for display and for choosing collateral).
 * Errors: CELLA_ERR_CERT_CHAIN (PEM/DER malformed), CELLA_ERR_PCK_EXTENSION.
 */
CELLA_API CELLA_MUST_USE cella_result cella_quote_pck_info(const struct cella_quote *quote, struct cella_pck_info *out,
							   struct cella_detail *detail) CELLA_NONNULL(1, 2);

/*
 * Self-consistency of a quote without collateral or trust: the attestation-key binding
 * (SHA-256(attest key || QE auth data) == QE report data[0:32], rest zero), the quote signature by the
 * attestation key, and the QE report signature by the key of the PCK certificate embedded in the quote
 * (whose chain is NOT verified here). Errors: CELLA_ERR_QE_REPORT, CELLA_ERR_QUOTE_SIGNATURE,
 * CELLA_ERR_CERT_CHAIN, CELLA_ERR_CRYPTO.
 */
CELLA_API CELLA_MUST_USE cella_result cella_quote_check_signatures(const struct cella_quote *quote,
								   struct cella_detail *detail) CELLA_NONNULL(1);

/* ---------------------------------------------------------------------------------------------------
 * Trust anchors
 */

/* A trusted root public key. Chains must end in a self-signed certificate carrying exactly this key
 * (the certificate bytes may differ: both Intel SGX Root CA variants, 2033 and 2049, share one key). */
struct cella_trust;

/* The pinned Intel SGX Root CA key. out: takes ownership; free with cella_trust_free(). */
CELLA_API CELLA_MUST_USE cella_result cella_trust_new_intel(struct cella_trust **out) CELLA_NONNULL(1);
/* The key of the first certificate in a PEM or DER buffer (a synthetic test root, a software-TEE root).
 * Errors: CELLA_ERR_CERT_CHAIN (no certificate), CELLA_ERR_UNSUPPORTED (key is not P-256),
 * CELLA_ERR_OUT_OF_MEMORY. */
CELLA_API CELLA_MUST_USE cella_result cella_trust_new_cert(const uint8_t *cert, size_t len, struct cella_trust **out,
							   struct cella_detail *detail) CELLA_NONNULL(1, 3);
CELLA_API void cella_trust_free(struct cella_trust *trust);

/*
 * As cella_quote_pck_info, after checking the quote's chain is [PCK certificate, PCK Processor or Platform CA,
 * root], each link signed by the next and the root carrying the anchor's key. Validity times and revocation are
 * not checked (they need collateral). A service calls this before fetching collateral for a quote, so that only
 * chains the anchor's CA issued can make it fetch. Errors: CELLA_ERR_CERT_CHAIN, CELLA_ERR_UNTRUSTED_ROOT,
 * CELLA_ERR_PCK_EXTENSION.
 */
CELLA_API CELLA_MUST_USE cella_result cella_quote_pck_info_trusted(const struct cella_trust *trust,
								   const struct cella_quote *quote,
								   struct cella_pck_info *out, struct cella_detail *detail)
	CELLA_NONNULL(1, 2, 3);

/* ---------------------------------------------------------------------------------------------------
 * Collateral
 */

struct cella_collateral;

/*
 * Collateral from JSON text in the layout of the DCAP vectors: pck_crl_issuer_chain (PEM), root_ca_crl
 * (hex DER or PEM), pck_crl (hex DER or PEM), tcb_info_issuer_chain (PEM), tcb_info (the exact signed JSON
 * text), tcb_info_signature (hex r||s), qe_identity_issuer_chain, qe_identity, qe_identity_signature.
 * Nothing is verified yet (cella_quote_verify does that, and caches the outcome). out: takes ownership.
 * The JSON here, in TCB Info and in QE Identity must be strict: valid UTF-8, no control character or \u0000
 * in a string, integers only (-?(0|[1-9][0-9]*)), no repeated key, nothing after the value.
 * Errors: CELLA_ERR_COLLATERAL (outside that profile, or a missing or malformed member), CELLA_ERR_TOO_LARGE,
 * CELLA_ERR_OUT_OF_MEMORY.
 */
CELLA_API CELLA_MUST_USE cella_result cella_collateral_new_json(const char *json, size_t len,
								struct cella_collateral **out,
								struct cella_detail *detail) CELLA_NONNULL(1, 3);
/* As cella_collateral_new_json, from a file. Errors add CELLA_ERR_NO_FILE, CELLA_ERR_IO, CELLA_ERR_TOO_LARGE. */
CELLA_API CELLA_MUST_USE cella_result cella_collateral_load_file(const char *path, struct cella_collateral **out,
								 struct cella_detail *detail) CELLA_NONNULL(1, 2);
/* Serialises to the JSON layout above. out_json: takes ownership (free()), NUL-terminated.
 * Errors: CELLA_ERR_COLLATERAL (a text holds a NUL byte or invalid UTF-8), CELLA_ERR_OUT_OF_MEMORY. */
CELLA_API CELLA_MUST_USE cella_result cella_collateral_to_json(const struct cella_collateral *c, char **out_json,
							       size_t *out_len) CELLA_NONNULL(1, 2, 3);
/* When the collateral stops being usable: the earliest nextUpdate of the TCB Info, QE Identity and both CRLs and
 * notAfter of the certificates of its chains (unverified; for cache freshness). Errors: CELLA_ERR_COLLATERAL,
 * CELLA_ERR_CRL, CELLA_ERR_CERT_CHAIN (a date or certificate that cannot be read). */
CELLA_API CELLA_MUST_USE cella_result cella_collateral_next_update(const struct cella_collateral *c,
								   int64_t *out) CELLA_NONNULL(1, 2);
CELLA_API void cella_collateral_free(struct cella_collateral *c);

/* Where and how to fetch collateral. */
struct cella_fetch_options {
	const char *base_url;    /* PCCS or Intel PCS, e.g. "https://api.trustedservices.intel.com" or
				    "https://pccs.example:8081"; a trailing "/sgx/certification/v4" is accepted */
	const char *cache_dir;   /* NULL: no cache. Else files "<tee>-<FMSPC>-<ca>.json", reused until the
				    earliest nextUpdate in them while they still verify under `trust` and from the
				    same source: each records the base URL (trailing "/" and API path dropped) and
				    the root CRL URL it was fetched from, and one from others is fetched again */
	const char *root_crl_url; /* NULL: Intel's certificates.trustedservices.intel.com for Intel PCS,
				     else "<base>/sgx/certification/v4/rootcacrl" */
	long timeout_ms;          /* 0: 15000 */
	bool insecure_tls;        /* skip TLS peer verification (a PCCS with a self-signed certificate); safe
				     for integrity because every piece of collateral is signature-checked */
	const struct cella_trust *trust; /* NULL: Intel's pinned root. The anchor fetched collateral must chain to */
	const char *update;       /* NULL or "standard": the service's standard TCB Info and QE Identity; "early":
				     Intel PCS v4's update=early, the newest TCB recovery data before its standard
				     rollout (cached apart, as "<tee>-<FMSPC>-<ca>-early.json") */
	/* NULL: not told. Else told, in one line without a newline, what went wrong without failing the fetch: a
	   cache file that could not be written (the collateral is returned all the same; the next call fetches
	   again). Called on the calling thread before cella_collateral_fetch returns, with warn_ctx. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/*
 * Collateral for a quote (its FMSPC, PCK CA and TEE type), from the cache when fresh at `now` (Unix seconds),
 * else over HTTP(S) with libcurl. Only collateral that passes the time-independent checks under opt->trust
 * (chains to the anchor, CRL and document signatures, revocation of the signing certificates) is returned,
 * taken from the cache or written to it: a response that fails them is an error and never cached, and a cache
 * file that fails them (or cannot be read) is fetched again, so a forged or damaged response cannot pin a failure
 * until its unverified nextUpdate. Redirects are not followed (a 3xx answer is CELLA_ERR_FETCH naming its target).
 * Errors: CELLA_ERR_FETCH (transport or HTTP status), CELLA_ERR_TOO_LARGE (an answer over 2 MiB),
 * CELLA_ERR_UNSUPPORTED (libcurl refused an option the fetch sets, named in the detail: CURLOPT_PROTOCOLS_STR needs
 * libcurl 7.85), CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_INVALID_ARG (a
 * URL or cache path too long, an update other than "early" or "standard"), CELLA_ERR_COLLATERAL, CELLA_ERR_CERT_CHAIN / CELLA_ERR_PCK_EXTENSION (reading the
 * quote's PCK cert), and for a response that does not verify its reason (CELLA_ERR_UNTRUSTED_ROOT,
 * CELLA_ERR_CERT_CHAIN, CELLA_ERR_CRL, CELLA_ERR_REVOKED, CELLA_ERR_COLLATERAL_SIGNATURE, CELLA_ERR_COLLATERAL).
 */
CELLA_API CELLA_MUST_USE cella_result cella_collateral_fetch(const struct cella_fetch_options *opt,
							     const struct cella_quote *quote, int64_t now,
							     struct cella_collateral **out,
							     struct cella_detail *detail) CELLA_NONNULL(1, 2, 4);

/* ---------------------------------------------------------------------------------------------------
 * Verification
 */

/* TCB status, Intel's names (cella_tcb_status_name gives "UpToDate", ...). Values are stable. The last two are
 * never in a TCB Info: the verifier derives them for a TD report 1.5 (Intel's TD relaunch check, docs/dcap.md). */
typedef enum cella_tcb_status {
	CELLA_TCB_UNKNOWN = 0,
	CELLA_TCB_UP_TO_DATE = 1,
	CELLA_TCB_SW_HARDENING_NEEDED = 2,
	CELLA_TCB_CONFIGURATION_NEEDED = 3,
	CELLA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED = 4,
	CELLA_TCB_OUT_OF_DATE = 5,
	CELLA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED = 6,
	CELLA_TCB_REVOKED = 7,
	CELLA_TCB_TD_RELAUNCH_ADVISED = 8,
	CELLA_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED = 9,
} cella_tcb_status;

/* "UpToDate", "SWHardeningNeeded", ...; "Unknown" for anything else. Static, never NULL. */
CELLA_API const char *cella_tcb_status_name(cella_tcb_status s);
/* Inverse of cella_tcb_status_name for the statuses a TCB Info or QE Identity may carry (UpToDate .. Revoked).
 * Errors: CELLA_ERR_NOT_FOUND. */
CELLA_API CELLA_MUST_USE cella_result cella_tcb_status_parse(const char *name, cella_tcb_status *out)
	CELLA_NONNULL(1, 2);

/* What the evidence says, once verified. */
struct cella_quote_claims {
	uint16_t quote_version;
	uint32_t tee_type;
	bool is_debug;                  /* SGX DEBUG flag, or TDX td_attributes DEBUG */
	struct cella_sgx_report sgx;    /* SGX quotes: the ISV enclave's report (zero for TDX) */
	struct cella_tdx_report tdx;    /* TDX quotes: the TD report (zero for SGX) */
	struct cella_sgx_report qe;     /* the quoting enclave's report */
	struct cella_pck_info pck;      /* FMSPC, PCE-ID, TCB SVNs, CA of the platform */
	uint32_t tcb_evaluation_data_number; /* the TCB Info's tcbEvaluationDataNumber */
	int64_t tcb_date;               /* tcbDate of the matched platform TCB level */
	uint32_t qe_tcb_evaluation_data_number; /* the QE Identity's. A policy requiring collateral from a TCB
						 * recovery on (Intel raises the number at each) checks both. */
};

struct cella_verify_result {
	cella_tcb_status status;        /* platform + QE (+ TDX module, TD relaunch) combined, see docs/dcap.md */
	cella_tcb_status platform_status;
	cella_tcb_status qe_status;
	size_t advisory_count;
	char advisory_ids[CELLA_VERIFY_MAX_ADVISORIES][CELLA_ADVISORY_ID_BYTES]; /* platform's, then the QE's */
	int64_t valid_from;             /* latest issue / notBefore / thisUpdate over all collateral and certs */
	int64_t valid_until;            /* earliest expiry: notAfter / nextUpdate over all of it */
	struct cella_quote_claims claims;
	struct cella_detail detail;     /* on failure: what failed */
};

/*
 * Verifies a quote against collateral as of at_time (Unix seconds), trusting the pinned Intel SGX Root CA key.
 * Checks, in order: collateral (TCB Info and QE Identity signatures over their exact text, their issuer chain,
 * root and PCK CRLs), the PCK chain from the quote to the root with revocation (so a revoked PCK certificate is
 * CELLA_ERR_REVOKED even with expired collateral), time (every certificate, CRL and collateral item valid at
 * at_time), FMSPC / PCE-ID against the TCB Info, the QE report signature by the
 * PCK key, the attestation-key binding, the QE report against the QE Identity, the quote signature, then the
 * TCB level. Returns CELLA_OK when the evidence is genuine and not revoked: the caller must still judge
 * result->status (anything but UpToDate is a policy decision). A revoked certificate or a Revoked TCB level
 * returns CELLA_ERR_REVOKED with status CELLA_TCB_REVOKED and the claims filled in. Other errors:
 * CELLA_ERR_QUOTE_FORMAT (QE vendor ID is not Intel's), CELLA_ERR_UNTRUSTED_ROOT, CELLA_ERR_CERT_CHAIN,
 * CELLA_ERR_EXPIRED, CELLA_ERR_CRL, CELLA_ERR_COLLATERAL, CELLA_ERR_COLLATERAL_SIGNATURE, CELLA_ERR_PCK_EXTENSION,
 * CELLA_ERR_QE_REPORT, CELLA_ERR_QUOTE_SIGNATURE, CELLA_ERR_TCB_LEVEL, CELLA_ERR_CRYPTO, CELLA_ERR_OUT_OF_MEMORY.
 * result is always written (detail says what failed).
 * collateral: borrowed; its verification cache is updated.
 */
CELLA_API CELLA_MUST_USE cella_result cella_quote_verify(const struct cella_quote *quote,
							 struct cella_collateral *collateral, int64_t at_time,
							 struct cella_verify_result *result) CELLA_NONNULL(1, 2, 4);
/* As cella_quote_verify, trusting `trust` instead of the Intel key. */
CELLA_API CELLA_MUST_USE cella_result cella_quote_verify_trust(const struct cella_trust *trust,
							       const struct cella_quote *quote,
							       struct cella_collateral *collateral, int64_t at_time,
							       struct cella_verify_result *result)
	CELLA_NONNULL(1, 2, 3, 5);

/* ---------------------------------------------------------------------------------------------------
 * Time
 */

/* "2025-06-19T11:56:11Z" (RFC 3339, UTC 'Z' or +00:00, optional fraction) or decimal Unix seconds.
 * Errors: CELLA_ERR_BAD_FORMAT. */
CELLA_API CELLA_MUST_USE cella_result cella_time_parse(const char *text, int64_t *out) CELLA_NONNULL(1, 2);
/* Formats as "YYYY-MM-DDThh:mm:ssZ" into buf (at least 21 bytes); returns buf. */
CELLA_API char *cella_time_format(int64_t t, char *buf, size_t len) CELLA_NONNULL(2);

#ifdef __cplusplus
}
#endif
#endif
