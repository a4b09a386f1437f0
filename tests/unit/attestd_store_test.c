// SPDX-License-Identifier: MIT
/* cella-attestd SQLite state: keys survive reopening, two handles on one file agree, policies and TLS persist. */
#include "attestd_internal.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cella_test.h"

int main(int argc, char **argv)
{
	char path[4096], err[ATTESTD_ERR_BYTES];
	struct attestd_store *a, *b;
	struct attestd_key ka, kb, ka2;
	char *t = NULL, *j = NULL, *tk = NULL, *tc = NULL, *tk2 = NULL, *tc2 = NULL;
	int64_t v0;

	snprintf(path, sizeof(path), "%s/attestd_store_test.db", argc > 1 ? argv[1] : ".");
	unlink(path);
	CT_RESULT(attestd_store_open(path, &a, err), CELLA_OK);
	CT_RESULT(attestd_store_open(path, &b, err), CELLA_OK);
	CT_RESULT(attestd_store_signing_key(a, ATTESTD_ALG_RS256, "https://x", &ka), CELLA_OK);
	CT_RESULT(attestd_store_signing_key(b, ATTESTD_ALG_RS256, "https://x", &kb), CELLA_OK);
	CT_ASSERT(strcmp(ka.kid, kb.kid) == 0); /* the second handle found the first one's key */
	CT_RESULT(attestd_store_signing_key(b, ATTESTD_ALG_ES256, "https://x", &ka2), CELLA_OK);
	CT_EQ(ka2.alg, ATTESTD_ALG_ES256);
	CT_ASSERT(strcmp(ka2.kid, ka.kid) != 0);
	attestd_key_fini(&ka2);
	cella_test_pass("one signing key per algorithm, shared by two handles");

	CT_RESULT(attestd_store_policy_get(a, "SgxEnclave", &t, &j), CELLA_ERR_NOT_FOUND);
	v0 = attestd_store_version(a);
	CT_RESULT(attestd_store_policy_set(b, "SgxEnclave", "version=1.0;authorizationrules{=>permit();};", "jws"), CELLA_OK);
	CT_ASSERT(attestd_store_version(a) != v0); /* a sees b's commit */
	CT_RESULT(attestd_store_policy_get(a, "SgxEnclave", &t, &j), CELLA_OK);
	CT_ASSERT(strcmp(t, "version=1.0;authorizationrules{=>permit();};") == 0 && strcmp(j, "jws") == 0);
	free(t);
	free(j);
	CT_RESULT(attestd_store_tls(a, &tk, &tc), CELLA_OK);
	CT_RESULT(attestd_store_tls(b, &tk2, &tc2), CELLA_OK);
	CT_ASSERT(strcmp(tc, tc2) == 0);
	cella_test_pass("policies and TLS certificate shared");

	attestd_store_close(a);
	attestd_store_close(b);
	CT_RESULT(attestd_store_open(path, &a, err), CELLA_OK);
	CT_RESULT(attestd_store_signing_key(a, ATTESTD_ALG_RS256, "https://x", &ka2), CELLA_OK);
	CT_ASSERT(strcmp(ka2.kid, ka.kid) == 0);
	CT_RESULT(attestd_store_policy_get(a, "SgxEnclave", &t, &j), CELLA_OK);
	free(t);
	free(j);
	CT_RESULT(attestd_store_policy_reset(a, "SgxEnclave"), CELLA_OK);
	CT_RESULT(attestd_store_policy_get(a, "SgxEnclave", &t, &j), CELLA_ERR_NOT_FOUND);
	attestd_store_close(a);
	CT_RESULT(attestd_store_open("/nonexistent-dir/x.db", &b, err), CELLA_ERR_IO);
	cella_test_pass("state survives reopening; reset; unusable path refused");
	attestd_key_fini(&ka);
	attestd_key_fini(&kb);
	attestd_key_fini(&ka2);
	free(tk);
	free(tc);
	free(tk2);
	free(tc2);
	unlink(path);
	return 0;
}
