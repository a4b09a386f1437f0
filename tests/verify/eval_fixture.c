// SPDX-License-Identifier: MIT
/*
 * Writes a verifiable quote whose QE Identity's tcbEvaluationDataNumber is its TCB Info's minus two, for the
 * CLI tests (no real collateral has the two apart): the vector's quote rebuilt as v4 under a generated
 * hierarchy, the vector's TCB Info and its QE Identity (number lowered) re-signed under it, and its root.
 *   eval_fixture VECTORS_DIR VECTOR OUT_DIR  ->  OUT_DIR/{quote.bin,collateral.json,root.pem,at}
 */
#include "cella_test.h"
#include "file.h"
#include "testutil.h"
#include "verify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CT_ASSERT(cella_file_write_atomic(path, p, n, 0644) == 0);
}

int main(int argc, char **argv)
{
	struct cella_collateral *vec_col, *col;
	struct cella_quote real;
	struct tca_pki pki;
	struct tv t;
	EVP_PKEY *ak;
	char *pem, *root, *qe, *json, from[64], to[64], at[32];
	size_t pem_len, root_len, n, json_len;
	unsigned qe_n;
	uint8_t *b;

	CT_ASSERT(argc == 4);
	tv_load(argv[1], argv[2], &t);
	CT_RESULT(cella_quote_parse(t.quote, t.quote_len, &real, NULL), CELLA_OK);
	CT_RESULT(cella_collateral_new_json(t.collateral, t.collateral_len, &vec_col, NULL), CELLA_OK);
	tca_pki_like(&pki, &real, t.verify_time, &pem, &pem_len);
	root = tca_pem(&pki.root, 1, &root_len);
	ak = tca_key();
	qe_n = tv_eval_number(vec_col->qe_identity);
	CT_ASSERT(qe_n >= 2);
	snprintf(from, sizeof(from), "\"tcbEvaluationDataNumber\":%u", qe_n);
	snprintf(to, sizeof(to), "\"tcbEvaluationDataNumber\":%u", qe_n - 2);
	qe = tv_replace_after(vec_col->qe_identity, "", from, to);
	col = tca_pki_collateral(&pki, vec_col->tcb_info, qe, t.verify_time);
	b = tv_build_quote(&real, 4, real.tee_type == CELLA_QUOTE_TEE_TDX ? CELLA_QUOTE_BODY_TD10 : CELLA_QUOTE_BODY_SGX,
			   NULL, ak, pki.k_leaf, pem, pem_len, &n);
	CT_RESULT(cella_collateral_to_json(col, &json, &json_len), CELLA_OK);
	put(argv[3], "quote.bin", b, n);
	put(argv[3], "collateral.json", json, json_len);
	put(argv[3], "root.pem", root, root_len);
	snprintf(at, sizeof(at), "%lld\n", (long long)t.verify_time);
	put(argv[3], "at", at, strlen(at));
	free(json);
	free(b);
	free(qe);
	cella_collateral_free(col);
	cella_collateral_free(vec_col);
	EVP_PKEY_free(ak);
	free(pem);
	free(root);
	tca_pki_free(&pki);
	tv_free(&t);
	return 0;
}
