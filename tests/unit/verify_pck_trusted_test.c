// SPDX-License-Identifier: MIT
/*
 * cella_quote_pck_info_trusted: the chain check a service makes before fetching collateral for a quote. Every
 * vector's real chain passes under Intel's root and reads as cella_quote_pck_info does, and is
 * CELLA_ERR_UNTRUSTED_ROOT under Intel's QVL sample root; a generated hierarchy is CELLA_ERR_UNTRUSTED_ROOT under
 * Intel's root and passes under its own;
 * chains in the wrong order, short, with a leaf from another CA, or with an intermediate that is not a PCK CA are
 * CELLA_ERR_CERT_CHAIN.
 */
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "testutil.h"

static const char *const vectors[] = {"dcapqvl_sgx_v3", "automata_quotev3_0825_tcbv3",
				      "openenclave_attestation_plugin_2022", "dcapqvl_tdx_v4"};

/* q's bytes with the chain `certs` as its certification data; parsed into *out (bytes kept in *buf). */
static void with_chain(const struct tv *t, X509 *const *certs, size_t n, uint8_t **buf, struct cella_quote *out)
{
	size_t pl, ql;
	char *pem = tca_pem(certs, n, &pl);
	*buf = tv_rebuild_quote(t->quote, t->quote_len, pem, pl, &ql);
	CT_ASSERT(*buf != NULL);
	CT_RESULT(cella_quote_parse(*buf, ql, out, NULL), CELLA_OK);
	free(pem);
}

static void expect(const struct cella_trust *trust, const struct cella_quote *q, cella_result want, const char *what)
{
	struct cella_pck_info info;
	struct cella_detail d = {{0}};
	cella_result r = cella_quote_pck_info_trusted(trust, q, &info, &d);
	if (r != want)
		cella_test_fail(__FILE__, __LINE__, "%s: %s (%s), expected %s", what, cella_result_name(r), d.text,
				cella_result_name(want));
}

int main(int argc, char **argv)
{
	const char *root = tv_root(argc, argv);
	struct cella_trust *intel = NULL, *synth = NULL;
	struct tv t;
	struct cella_quote q, bad;
	struct cella_pck_info a, b;
	struct tca_pki pki;
	X509 *ch[3] = {NULL, NULL, NULL};
	uint8_t *buf;
	size_t n;
	char *rootpem;

	CT_RESULT(cella_trust_new_intel(&intel), CELLA_OK);
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		tv_load(root, vectors[i], &t);
		CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		CT_RESULT(cella_quote_pck_info(&q, &a, NULL), CELLA_OK);
		CT_RESULT(cella_quote_pck_info_trusted(intel, &q, &b, NULL), CELLA_OK);
		CT_EQ_MEM(&a, &b, sizeof(a));
		tv_free(&t);
	}
	cella_test_pass("every vector's chain passes under Intel's root and reads as the unverified reader does");

	/* a real chain under another root: Intel's QVL sample root */
	rootpem = (char *)tv_read(root, "intel_qvl_synthetic/trustedRootCaCert.pem", &n);
	CT_RESULT(cella_trust_new_cert((const uint8_t *)rootpem, n, &synth, NULL), CELLA_OK);
	tv_load(root, "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
	expect(synth, &q, CELLA_ERR_UNTRUSTED_ROOT, "a real chain under the QVL sample root");
	tv_free(&t);
	cella_test_pass("a real chain under Intel's QVL sample root: CELLA_ERR_UNTRUSTED_ROOT");

	/* the real chain of a vector, reordered and cut */
	tv_load(root, "dcapqvl_sgx_v3", &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &q, NULL), CELLA_OK);
	{
		BIO *bio = BIO_new_mem_buf(q.pck_chain, (int)q.pck_chain_len);
		for (int i = 0; i < 3; i++)
			CT_ASSERT((ch[i] = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL);
		BIO_free(bio);
	}
	X509 *swapped[3] = {ch[1], ch[0], ch[2]}, *two[2] = {ch[0], ch[1]};
	with_chain(&t, swapped, 3, &buf, &bad);
	expect(intel, &bad, CELLA_ERR_CERT_CHAIN, "leaf and CA swapped");
	free(buf);
	with_chain(&t, two, 2, &buf, &bad);
	expect(intel, &bad, CELLA_ERR_CERT_CHAIN, "no root");
	free(buf);

	/* a generated hierarchy: untrusted under Intel's root; its leaf under Intel's CA does not chain */
	tca_pki_new(&pki, &q, "Intel SGX PCK Processor CA", t.verify_time);
	X509 *own[3] = {pki.leaf, pki.ca, pki.root}, *mixed[3] = {pki.leaf, ch[1], ch[2]};
	X509 *not_pck_ca[3] = {pki.leaf, pki.signer, pki.root};
	with_chain(&t, own, 3, &buf, &bad);
	expect(intel, &bad, CELLA_ERR_UNTRUSTED_ROOT, "generated hierarchy under Intel's root");
	expect(pki.trust, &bad, CELLA_OK, "generated hierarchy under its own root");
	free(buf);
	with_chain(&t, mixed, 3, &buf, &bad);
	expect(intel, &bad, CELLA_ERR_CERT_CHAIN, "generated leaf under Intel's PCK CA");
	free(buf);
	with_chain(&t, not_pck_ca, 3, &buf, &bad);
	expect(pki.trust, &bad, CELLA_ERR_CERT_CHAIN, "TCB signing certificate as the intermediate");
	free(buf);
	cella_test_pass("swapped, short, foreign-leaf and wrong-intermediate chains: CELLA_ERR_CERT_CHAIN; a generated "
			"hierarchy: CELLA_ERR_UNTRUSTED_ROOT under Intel's root, passes under its own");

	tca_pki_free(&pki);
	for (int i = 0; i < 3; i++)
		X509_free(ch[i]);
	tv_free(&t);
	free(rootpem);
	cella_trust_free(intel);
	cella_trust_free(synth);
	return 0;
}
