// SPDX-License-Identifier: MIT
/*
 * Reports, keys and evidence on the sandbox backend, checked from outside with OpenSSL (not with the code
 * that produced them). identity_test ENCLAVE_A ENCLAVE_B   (B: same signer, different MRENCLAVE)
 */
#include <cella/abi/report.h>
#include <cella/host.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cella_test.h"
#include "identity.h"

static struct cella_enclave *open_enclave(const char *path)
{
	struct cella_enclave *e = NULL;
	CT_RESULT(cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e), CELLA_OK);
	return e;
}

static void get_key(struct cella_enclave *e, const struct cella_key_request *kr, uint8_t key[16])
{
	size_t w = 0;
	CT_RESULT(cella_enclave_call(e, I_KEY, kr, sizeof(*kr), key, 16, &w), CELLA_OK);
	CT_EQ(w, 16);
}

/* ---- independent quote checks (OpenSSL) ---- */
struct q {
	const uint8_t *p;
	size_t len;
	const uint8_t *sig, *att, *qe, *qe_sig, *auth, *pem;
	size_t auth_len, pem_len;
	uint16_t cert_type;
};

static bool parse(const uint8_t *p, size_t len, struct q *q)
{
	uint32_t sl, cs;
	uint16_t al;
	size_t off = 48 + 384;
	memset(q, 0, sizeof(*q));
	if (len < off + 4)
		return false;
	memcpy(&sl, p + off, 4);
	off += 4;
	if (sl != len - off || sl < 64 + 64 + 384 + 64 + 2)
		return false;
	q->p = p;
	q->len = len;
	q->sig = p + off;
	q->att = q->sig + 64;
	q->qe = q->att + 64;
	q->qe_sig = q->qe + 384;
	memcpy(&al, q->qe_sig + 64, 2);
	q->auth = q->qe_sig + 66;
	q->auth_len = al;
	if ((size_t)(q->auth + al + 6 - p) > len)
		return false;
	memcpy(&q->cert_type, q->auth + al, 2);
	memcpy(&cs, q->auth + al + 2, 4);
	q->pem = q->auth + al + 6;
	q->pem_len = cs;
	return (size_t)(q->pem + cs - p) == len;
}

static EVP_PKEY *p256_from_xy(const uint8_t xy[64])
{
	uint8_t pt[65];
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM params[3];
	pt[0] = 4;
	memcpy(pt + 1, xy, 64);
	params[0] = OSSL_PARAM_construct_utf8_string("group", (char *)"P-256", 0);
	params[1] = OSSL_PARAM_construct_octet_string("pub", pt, sizeof(pt));
	params[2] = OSSL_PARAM_construct_end();
	if (!c || EVP_PKEY_fromdata_init(c) != 1 || EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	return k;
}

static bool ecdsa_ok(EVP_PKEY *k, const uint8_t *msg, size_t len, const uint8_t rs[64])
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	uint8_t der[80], *pp = der;
	int dl;
	bool ok;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG_set0(s, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL));
	dl = i2d_ECDSA_SIG(s, &pp);
	ok = dl > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	     EVP_DigestVerify(md, der, (size_t)dl, msg, len) == 1;
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(s);
	return ok;
}

/* Full independent verification against the trusted root; true iff everything holds. */
static bool quote_ok(const uint8_t *p, size_t len, X509 *root)
{
	struct q q;
	EVP_PKEY *att;
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *pck = NULL;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	BIO *b;
	uint8_t h[32], buf[64 + 256];
	bool ok = parse(p, len, &q) && q.cert_type == 5 && q.auth_len <= 256;
	if (!ok)
		goto out;
	att = p256_from_xy(q.att);
	ok = att && ecdsa_ok(att, p, 48 + 384, q.sig);
	EVP_PKEY_free(att);
	memcpy(buf, q.att, 64);
	memcpy(buf + 64, q.auth, q.auth_len);
	SHA256(buf, 64 + q.auth_len, h);
	ok = ok && memcmp(q.qe + 320, h, 32) == 0;
	for (int i = 32; ok && i < 64; i++)
		ok = q.qe[320 + i] == 0;
	b = BIO_new_mem_buf(q.pem, (int)q.pem_len);
	for (X509 *c; b && (c = PEM_read_bio_X509(b, NULL, NULL, NULL));)
		sk_X509_push(chain, c);
	BIO_free(b);
	ok = ok && sk_X509_num(chain) == 3 && X509_cmp(sk_X509_value(chain, 2), root) == 0; /* ends in our root */
	if (ok) {
		pck = sk_X509_value(chain, 0);
		ok = ecdsa_ok(X509_get0_pubkey(pck), q.qe, 384, q.qe_sig);
	}
	ok = ok && X509_STORE_add_cert(store, root) == 1 && X509_STORE_CTX_init(ctx, store, pck, chain) == 1 &&
	     X509_verify_cert(ctx) == 1;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(chain, X509_free);
	return ok;
}

static X509 *load_root(void)
{
	char path[4096];
	const char *dir = getenv("CELLA_PLATFORM_DIR");
	FILE *f;
	X509 *c;
	struct stat st;
	CT_ASSERT(dir);
	snprintf(path, sizeof(path), "%s/platform.secret", dir);
	CT_ASSERT(stat(path, &st) == 0);
	CT_EQ(st.st_mode & 0777, 0600); /* the root secret is private */
	CT_EQ(st.st_size, 32);
	snprintf(path, sizeof(path), "%s/root-ca.pem", dir);
	f = fopen(path, "r");
	CT_ASSERT(f);
	c = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	CT_ASSERT(c);
	return c;
}

int main(int argc, char **argv)
{
	struct cella_enclave *a, *b, *a2;
	struct cella_target_info ti_a, ti_b;
	struct cella_report rep;
	struct cella_key_request kr;
	struct cella_hash mr_a, ms_a, mr_b, ms_b;
	uint8_t ka[16], kb[16], ka2[16], rd[64], *quote;
	uint32_t failed = 1;
	uint16_t policy;
	size_t w = 0, qlen;
	X509 *root;

	if (argc != 3)
		return 2;
	a = open_enclave(argv[1]);
	b = open_enclave(argv[2]);
	CT_RESULT(cella_enclave_identity(a, &mr_a, &ms_a), CELLA_OK);
	CT_RESULT(cella_enclave_identity(b, &mr_b, &ms_b), CELLA_OK);
	CT_ASSERT(memcmp(&mr_a, &mr_b, 32) != 0);
	CT_ASSERT(memcmp(&ms_a, &ms_b, 32) == 0);

	CT_RESULT(cella_enclave_call(a, I_SELFTEST, NULL, 0, &failed, 4, &w), CELLA_OK);
	CT_EQ(failed, 0);
	cella_test_pass("in-enclave identity checks (CMAC vectors, report MAC, EGETKEY refusals)");

	/* local attestation: A reports to B; only B can verify it, and only untampered */
	CT_RESULT(cella_enclave_call(b, I_TARGET_INFO, NULL, 0, &ti_b, sizeof(ti_b), &w), CELLA_OK);
	CT_RESULT(cella_enclave_call(a, I_TARGET_INFO, NULL, 0, &ti_a, sizeof(ti_a), &w), CELLA_OK);
	CT_ASSERT(memcmp(ti_b.mr_enclave, mr_b.b, 32) == 0);
	CT_RESULT(cella_enclave_call(a, I_REPORT_FOR, &ti_b, sizeof(ti_b), &rep, sizeof(rep), &w), CELLA_OK);
	CT_ASSERT(memcmp(rep.body.mr_enclave, mr_a.b, 32) == 0);
	CT_ASSERT(memcmp(rep.body.mr_signer, ms_a.b, 32) == 0);
	CT_RESULT(cella_enclave_call(b, I_VERIFY, &rep, sizeof(rep), NULL, 0, NULL), CELLA_OK);
	CT_RESULT(cella_enclave_call(a, I_VERIFY, &rep, sizeof(rep), NULL, 0, NULL), CELLA_ERR_MAC_MISMATCH);
	for (size_t i = 0; i < sizeof(rep); i += 37) { /* any changed byte: body, key id or MAC */
		((uint8_t *)&rep)[i] ^= 0x20;
		CT_RESULT(cella_enclave_call(b, I_VERIFY, &rep, sizeof(rep), NULL, 0, NULL), CELLA_ERR_MAC_MISMATCH);
		((uint8_t *)&rep)[i] ^= 0x20;
	}
	ti_b.mr_enclave[0] ^= 1; /* a report for a target that is not B */
	CT_RESULT(cella_enclave_call(a, I_REPORT_FOR, &ti_b, sizeof(ti_b), &rep, sizeof(rep), &w), CELLA_OK);
	CT_RESULT(cella_enclave_call(b, I_VERIFY, &rep, sizeof(rep), NULL, 0, NULL), CELLA_ERR_MAC_MISMATCH);
	cella_test_pass("local attestation");

	/* seal keys: MRENCLAVE keys differ between A and B, MRSIGNER keys agree; both survive a restart */
	policy = CELLA_KEYPOLICY_MRENCLAVE;
	CT_RESULT(cella_enclave_call(a, I_SEAL_REQUEST, &policy, 2, &kr, sizeof(kr), &w), CELLA_OK);
	get_key(a, &kr, ka);
	get_key(b, &kr, kb);
	CT_ASSERT(memcmp(ka, kb, 16) != 0);
	a2 = open_enclave(argv[1]);
	get_key(a2, &kr, ka2);
	CT_ASSERT(memcmp(ka, ka2, 16) == 0);
	kr.key_policy = CELLA_KEYPOLICY_MRSIGNER;
	get_key(a, &kr, ka);
	get_key(b, &kr, kb);
	CT_ASSERT(memcmp(ka, kb, 16) == 0);
	CT_RESULT(cella_enclave_terminate(a2), CELLA_OK);
	cella_test_pass("seal keys");

	/* evidence: a quote that verifies against the platform's software root, and fails on any change */
	root = load_root();
	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)(i * 3);
	quote = malloc(16384);
	CT_RESULT(cella_enclave_call(a, I_EVIDENCE, rd, 64, quote, 16384, &qlen), CELLA_OK);
	CT_ASSERT(quote_ok(quote, qlen, root));
	CT_ASSERT(memcmp(quote + 48 + 64, mr_a.b, 32) == 0);  /* body.MRENCLAVE */
	CT_ASSERT(memcmp(quote + 48 + 320, rd, 64) == 0);     /* body.REPORTDATA */
	CT_ASSERT(memcmp(quote + 12, CELLA_SOFTWARE_QE_VENDOR_ID, 16) == 0);
	for (size_t i = 0; i < qlen; i += (i < 1100 ? 7 : 97)) {
		quote[i] ^= 0x01;
		if (quote_ok(quote, qlen, root))
			cella_test_fail(__FILE__, __LINE__, "quote still verifies with byte %zu flipped", i);
		quote[i] ^= 0x01;
	}
	CT_ASSERT(quote_ok(quote, qlen, root));
	{
		/* under another root (a fresh key) the same quote does not verify */
		EVP_PKEY *k = EVP_EC_gen("P-256");
		X509 *other = X509_new();
		X509_set_pubkey(other, k);
		X509_set_issuer_name(other, X509_get_subject_name(root));
		X509_set_subject_name(other, X509_get_subject_name(root));
		X509_gmtime_adj(X509_getm_notBefore(other), 0);
		X509_gmtime_adj(X509_getm_notAfter(other), 3600);
		X509_sign(other, k, EVP_sha256());
		CT_ASSERT(!quote_ok(quote, qlen, other));
		X509_free(other);
		EVP_PKEY_free(k);
	}
	CT_RESULT(cella_enclave_call(a, I_EVIDENCE, rd, 64, quote, 100, &qlen), CELLA_ERR_BUFFER_TOO_SMALL);
	cella_test_pass("evidence");
	free(quote);
	X509_free(root);
	CT_RESULT(cella_enclave_terminate(a), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(b), CELLA_OK);
	return 0;
}
