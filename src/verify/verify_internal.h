/* SPDX-License-Identifier: MIT */
/* Internal interfaces of libcella-verify, shared by its files and its unit tests. */
#ifndef CELLA_VERIFY_INTERNAL_H
#define CELLA_VERIFY_INTERNAL_H

#include <cella/verify.h>

#include "bytes.h"
#include "hex.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>

#define VFY_MAX_LEVELS 128u          /* TCB levels in one TCB Info / QE Identity */
#define VFY_MAX_COLLATERAL_BYTES (4u << 20)
#define VFY_PCK_CACHE_SLOTS 16u

/* ---- util.c ---- */
/* Writes a formatted detail (if d) and returns r. */
cella_result cella_vfy_fail(struct cella_detail *d, cella_result r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* ASN1_TIME to Unix seconds; 0 on success. */
int cella_vfy_asn1_time(const ASN1_TIME *t, int64_t *out);

/* ---- crypto.c ---- */
/* EVP_PKEY for a raw P-256 point X||Y (64 bytes). NULL on failure. */
EVP_PKEY *cella_vfy_key_from_xy(const uint8_t *xy);
/* 1 if sig (r||s, 64 bytes) is a valid ECDSA-P256-SHA256 signature by key over msg, else 0. */
int cella_vfy_ecdsa_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig);
/* 1 if der_sig (ECDSA-Sig-Value) is a valid signature by key over the SHA-256 digest (32 bytes), else 0. */
int cella_vfy_ecdsa_verify_digest(EVP_PKEY *key, const uint8_t *digest, const uint8_t *der_sig, size_t der_len);
/* The same with the signature as r||s (64 bytes). */
int cella_vfy_ecdsa_verify_rs(EVP_PKEY *key, const uint8_t *digest, const uint8_t *rs);

/* SHA-256(data) into out[32] with an algorithm fetched once per process; 0 on success. */
int cella_vfy_sha256(const void *data, size_t len, uint8_t *out);
/* SHA-256(a || b) into out[32]; 0 on success. */
int cella_vfy_sha256_2(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t *out);

/* ---- keytab.c: signatures by issuer keys (anchor, PCK CAs, TCB signing key) ---- */
/*
 * 1 if rs (r||s, 64 bytes) is a valid ECDSA P-256 signature over the SHA-256 digest (32 bytes) by the key whose
 * uncompressed point (65 bytes) is `point` and which `key` holds; 0 otherwise, as cella_vfy_ecdsa_verify_rs
 * decides. For keys the caller has chained to the trust anchor: one that has checked many signatures in this
 * process gets a precomputed table (see keytab.c).
 */
int cella_vfy_issuer_verify(const uint8_t *point, EVP_PKEY *key, const uint8_t *digest, const uint8_t *rs);
/* An ECDSA-Sig-Value in exact DER (as OpenSSL requires) into r||s; -1 if it is not one, or r or s is negative or
 * longer than 32 bytes (which no valid P-256 signature has). */
int cella_vfy_sig_der_rs(const uint8_t *der, size_t len, uint8_t *rs);
/* Tests: a key gets its table at its `uses`-th signature from now on (0 counts as 1); tables built so far. */
void cella_vfy_keytab_after(unsigned uses);
size_t cella_vfy_keytab_built(void);

/* ---- cert.c ---- */
/*
 * A certificate from exactly `len` bytes of DER, parsed without OpenSSL 3.0's key decoders (see cert.c), with its
 * ECDSA P-256 key and the SHA-256 of its TBSCertificate attached. NULL if it is not one DER certificate. Only
 * the functions below give its key: X509_get0_pubkey returns NULL for it.
 */
X509 *cella_vfy_cert_d2i(const uint8_t *der, size_t len);
/* The certificate's P-256 key (owned by the certificate), or NULL when its key is anything else. */
EVP_PKEY *cella_vfy_cert_key(const X509 *x);
/* Its uncompressed point (65 bytes), or NULL as above. */
const uint8_t *cella_vfy_cert_point(const X509 *x);
/* 1 if x (from cella_vfy_cert_d2i) carries a valid ecdsa-with-SHA256 signature by the key of issuer (also from
 * cella_vfy_cert_d2i), as X509_verify would decide; 0 otherwise, including for any other signature algorithm. */
int cella_vfy_cert_signed_by(const X509 *x, const X509 *issuer);
/* The same for a CRL parsed from exactly `len` bytes of DER, as X509_CRL_verify would decide. */
int cella_vfy_crl_signed_by(const X509_CRL *crl, const uint8_t *der, size_t len, const X509 *issuer);
/* 1 if rs (r||s) is a valid ECDSA-P256-SHA256 signature over msg by the key of signer, else 0. */
int cella_vfy_doc_signed_by(const X509 *signer, const uint8_t *msg, size_t len, const uint8_t *rs);

/* ---- pem.c ---- */
/* Certificates already parsed (and checked) for one prepared collateral: each distinct DER is parsed and its
 * signature verified once, however many chains repeat it (the root appears in all four). */
#define VFY_POOL_SLOTS 12u
struct vfy_pool {
	size_t n;
	struct {
		uint8_t hash[32];  /* SHA-256 of the DER */
		char *pem;         /* the PEM text it was read from, BEGIN to END marker (malloc'd; NULL if none) */
		size_t pem_len;
		X509 *x;
		X509 *parent_ok;   /* issuer already verified (CN, name, signature) */
		bool root_ok;      /* already verified as a trusted root */
	} e[VFY_POOL_SLOTS];
};
void cella_vfy_pool_fini(struct vfy_pool *pool);

/*
 * Strict PEM chain: only CERTIFICATE blocks, base64 in canonical form (no stray characters, zero pad bits),
 * lines ended by LF or CRLF, nothing but line ends between blocks, and trailing NULs tolerated. Exactly
 * `want` certificates (0: 1..max). out[i] are new X509 objects (caller frees with X509_free).
 */
cella_result cella_vfy_pem_chain(const char *pem, size_t len, X509 **out, size_t max, size_t want, size_t *n,
				 struct vfy_pool *pool, struct cella_detail *d);
/* Strict PEM of a single block with the given label ("X509 CRL") into new DER (caller frees). */
cella_result cella_vfy_pem_block(const char *pem, size_t len, const char *label, uint8_t **der, size_t *der_len,
				 struct cella_detail *d);

/* ---- pck.c ---- */
/* 1 if the subject/issuer CN of x contains `needle`. */
int cella_vfy_cn_contains(const X509_NAME *name, const char *needle);
/* Reads the SGX extension and the CA kind (from the issuer CN). */
cella_result cella_vfy_pck_ext(X509 *leaf, struct cella_pck_info *out, struct cella_detail *d);

/* ---- json.c: collateral JSON documents ---- */
struct vfy_level {
	uint8_t sgx_svn[16];
	uint16_t pce_svn;
	uint8_t tdx_svn[16];
	uint16_t isv_svn;            /* QE Identity / TDX module levels */
	int64_t tcb_date;
	cella_tcb_status status;
	size_t advisory_count;
	char (*advisory_ids)[CELLA_ADVISORY_ID_BYTES]; /* advisory_count of them (malloc'd; vfy_levels_free) */
};

struct vfy_tdx_module {
	char id[16];                 /* "TDX_03"; empty for the tdxModule default */
	uint8_t mrsigner[48];
	uint8_t attributes[8];
	uint8_t attributes_mask[8];
	size_t level_count;
	struct vfy_level *levels;    /* sorted by isv_svn, descending */
};

struct vfy_tcb_info {
	int version;                 /* 2 or 3 */
	bool tdx;                    /* id "TDX" */
	uint8_t fmspc[CELLA_FMSPC_BYTES];
	uint8_t pce_id[2];
	int64_t issue_date;
	int64_t next_update;
	uint32_t eval_number;
	size_t level_count;
	struct vfy_level *levels;    /* sorted descending as Intel's QVL orders them */
	bool has_module;
	struct vfy_tdx_module module;
	size_t module_id_count;
	struct vfy_tdx_module *module_ids;
};

struct vfy_qe_identity {
	char id[8];                  /* "QE" or "TD_QE" */
	int version;
	int64_t issue_date;
	int64_t next_update;
	uint32_t eval_number;
	uint8_t miscselect[4], miscselect_mask[4];
	uint8_t attributes[16], attributes_mask[16];
	uint8_t mrsigner[32];
	uint16_t isv_prod_id;
	size_t level_count;
	struct vfy_level *levels;    /* sorted by isv_svn, descending */
};

cella_result cella_vfy_tcb_info_parse(const char *text, size_t len, struct vfy_tcb_info *out, struct cella_detail *d);
void cella_vfy_tcb_info_fini(struct vfy_tcb_info *t);
/* Frees n levels and their advisory lists. */
void cella_vfy_levels_free(struct vfy_level *l, size_t n);
cella_result cella_vfy_qe_identity_parse(const char *text, size_t len, struct vfy_qe_identity *out,
					 struct cella_detail *d);
void cella_vfy_qe_identity_fini(struct vfy_qe_identity *q);
/* The raw text of member `key` of the top-level JSON object (the exact bytes a PCS signature covers). */
int cella_vfy_json_member_raw(const char *json, size_t len, const char *key, const char **val, size_t *vlen);
/* 1 if text can be a string in such a document once escaped: valid UTF-8 without NUL. */
bool cella_vfy_json_string_ok(const char *text, size_t n);
/* Parses a JSON object under the profile of Intel's documents (see json.c); `what` names it in errors. */
struct cJSON;
cella_result cella_vfy_json_load(const char *text, size_t len, const char *what, struct cella_detail *d,
				 struct cJSON **out);

/* ---- tcb.c ---- */
/* First level (in the given descending order) the platform meets; NULL if none. tdx: NULL for SGX. */
const struct vfy_level *cella_vfy_tcb_match(const struct vfy_tcb_info *t, const struct cella_pck_info *pck,
					    const struct cella_tdx_report *tdx);
/* First QE/module level with isv_svn <= svn; NULL if none. */
const struct vfy_level *cella_vfy_isv_match(const struct vfy_level *levels, size_t n, uint16_t svn);
/* Intel QVL's convergence of the platform status with the QE (or TDX module) status. */
cella_tcb_status cella_vfy_qe_status(cella_tcb_status level);
cella_tcb_status cella_vfy_converge(cella_tcb_status platform, cella_tcb_status qe);

/* ---- collateral.c ---- */
/*
 * The verification's shared state is reference counted so that the signature checks and TCB evaluation run
 * outside the collateral's lock: a thread holds a reference to the prepared collateral and to its PCK entry from
 * the lookup to the end of its verification, while another may replace either (a quote of another chain, another
 * trust anchor). Both are immutable once built; refs are changed only under the collateral's lock.
 */
struct vfy_pck_entry {
	unsigned refs;               /* a cache slot's and each verification's */
	uint8_t hash[32];            /* SHA-256 of the PEM chain text */
	cella_result r;
	struct cella_detail detail;
	EVP_PKEY *leaf_key;
	struct cella_pck_info info;
	int64_t from, until;
};

/* Collateral verified against one trust anchor, kept for the warm path. */
struct vfy_prepared {
	unsigned refs;               /* the collateral's (while it is c->prep) and each verification's */
	uint8_t root_point[65];
	cella_result r;              /* outcome of the time-independent checks */
	struct cella_detail detail;
	X509 *root;                  /* from the PCK CRL issuer chain */
	X509 *pck_ca;
	X509_CRL *root_crl;
	X509_CRL *pck_crl;
	struct vfy_tcb_info tcb;
	struct vfy_qe_identity qe;
	int64_t from, until;
	unsigned next_slot;
	struct vfy_pck_entry *pck[VFY_PCK_CACHE_SLOTS]; /* NULL: free slot */
	struct vfy_pool pool;
};

struct cella_collateral {
	char *pck_crl_chain;
	size_t pck_crl_chain_len;
	uint8_t *root_crl;           /* DER */
	size_t root_crl_len;
	uint8_t *pck_crl;            /* DER */
	size_t pck_crl_len;
	char *tcb_chain;
	size_t tcb_chain_len;
	char *tcb_info;              /* exact signed text */
	size_t tcb_info_len;
	uint8_t tcb_sig[64];
	char *qe_chain;
	size_t qe_chain_len;
	char *qe_identity;
	size_t qe_identity_len;
	uint8_t qe_sig[64];
	pthread_mutex_t lock;
	struct vfy_prepared *prep;
};

/* Raw pieces of collateral (all borrowed). */
struct vfy_parts {
	const char *pck_crl_chain; size_t pck_crl_chain_len;
	const uint8_t *root_crl; size_t root_crl_len;       /* DER */
	const uint8_t *pck_crl; size_t pck_crl_len;         /* DER */
	const char *tcb_chain; size_t tcb_chain_len;
	const char *tcb_info; size_t tcb_info_len;
	const uint8_t *tcb_sig;                              /* 64 */
	const char *qe_chain; size_t qe_chain_len;
	const char *qe_identity; size_t qe_identity_len;
	const uint8_t *qe_sig;                               /* 64 */
};
cella_result cella_vfy_collateral_new_parts(const struct vfy_parts *p, struct cella_collateral **out);
/*
 * A collateral cache file (fetch.c): the collateral JSON plus "fetched_from" (the PCCS or PCS base URL) and
 * "root_ca_crl_from" (the root CA CRL's URL), the sources it was fetched from (from NULL: neither, which is
 * cella_collateral_to_json). _load_cache reads one back only when both equal the given sources (else
 * CELLA_ERR_NOT_FOUND; a file that cannot be read or parsed: its error).
 */
cella_result cella_vfy_collateral_cache_json(const struct cella_collateral *c, const char *from,
					     const char *root_crl_from, char **out_json, size_t *out_len);
cella_result cella_vfy_collateral_load_cache(const char *path, const char *from, const char *root_crl_from,
					     struct cella_collateral **out);
cella_result cella_vfy_check_root(X509 *root, const uint8_t *point, const char *what, struct vfy_pool *pool,
				  struct cella_detail *d);
cella_result cella_vfy_check_issued(X509 *child, X509 *parent, const char *cn, struct vfy_pool *pool,
				    struct cella_detail *d);
cella_result cella_vfy_check_not_revoked(X509_CRL *crl, X509 *x, const char *what, struct cella_detail *d);
/* Signature, chain and CRL checks and parsing: the time-independent half of verification (cached); the
 * outcome is in (*out)->r. Errors only for allocation failure. Caller holds c->lock; *out is valid while it does,
 * and after it, only with a reference taken (refs++) under the lock and dropped by cella_vfy_release. */
cella_result cella_vfy_prepare(struct cella_collateral *c, const uint8_t *root_point, struct vfy_prepared **out);
/* Drops a verification's references to p and e (either may be NULL), freeing what nothing else holds. Takes
 * c->lock. */
void cella_vfy_release(struct cella_collateral *c, struct vfy_prepared *p, struct vfy_pck_entry *e);
/* Drops one reference to e, freeing it at the last. Caller holds the lock of e's collateral. */
void cella_vfy_pck_entry_put(struct vfy_pck_entry *e);

/* ---- trust.c ---- */
struct cella_trust {
	uint8_t point[65];           /* uncompressed P-256 public point of the root */
};
/* The Intel SGX Root CA's public point, the default trust anchor. */
extern const uint8_t cella_vfy_intel_root_point[65];
/* 1 if der_sha256 is the SHA-256 of the DER of one of the Intel SGX Root CA certificates. */
int cella_vfy_root_pinned(const uint8_t der_sha256[32]);
/* If der is byte for byte the Intel SGX Root CA certificate valid to 2049: a process-wide parsed copy of it (a new
 * reference, the caller frees it with X509_free; shared between threads, never to be modified); otherwise NULL. */
X509 *cella_vfy_root_shared(const uint8_t *der, size_t len);

#endif
