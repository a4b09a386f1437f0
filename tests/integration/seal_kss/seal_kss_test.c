// SPDX-License-Identifier: MIT
/*
 * KSS sealing: two enclaves of one signer, product and SVN that differ only in their ISVEXTPRODID (KSS) cannot
 * open each other's sealed data, as with the Intel SDK's sgx_seal_data; each opens its own, and a blob whose
 * request lost the KSS policy bits is refused. seal_kss_test A.signed B.signed
 */
#include <cella/abi/report.h>
#include <cella/host.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "seal_host.h"

#define OFF_KEYREQ 16 /* the blob's KEYREQUEST (src/enclave/seal.c) */

static uint8_t *seal(struct cella_enclave *e, uint16_t policy, size_t *len)
{
	return seal_text(e, policy, "sealed by one KSS product, opened by another?", len);
}

int main(int argc, char **argv)
{
	struct cella_enclave *a = NULL, *b = NULL;
	struct cella_key_request kr;
	uint16_t policies[] = {CELLA_KEYPOLICY_MRSIGNER, CELLA_KEYPOLICY_MRENCLAVE};
	if (argc != 3)
		return 2;
	CT_RESULT(cella_enclave_create(argv[1], 0, NULL, &a), CELLA_OK);
	CT_RESULT(cella_enclave_create(argv[2], 0, NULL, &b), CELLA_OK);
	for (size_t i = 0; i < 2; i++) {
		size_t la = 0, lb = 0;
		uint8_t *from_a = seal(a, policies[i], &la), *from_b = seal(b, policies[i], &lb);
		memcpy(&kr, from_a + OFF_KEYREQ, sizeof(kr));
		CT_EQ(kr.key_policy, policies[i] | CELLA_KEYPOLICY_CONFIGID | CELLA_KEYPOLICY_ISVFAMILYID |
					     CELLA_KEYPOLICY_ISVEXTPRODID);
		CT_RESULT(unseal_blob(a, from_a, la), CELLA_OK);
		CT_RESULT(unseal_blob(b, from_b, lb), CELLA_OK);
		CT_RESULT(unseal_blob(b, from_a, la), CELLA_ERR_SEALED_BLOB); /* another key: the tag does not verify */
		CT_RESULT(unseal_blob(a, from_b, lb), CELLA_ERR_SEALED_BLOB);
		/* the request rewritten to a plain policy (which would give both products one key) is not A's */
		kr.key_policy = policies[i];
		memcpy(from_b + OFF_KEYREQ, &kr, sizeof(kr));
		CT_RESULT(unseal_blob(a, from_b, lb), CELLA_ERR_SEALED_BLOB);
		free(from_a);
		free(from_b);
	}
	CT_RESULT(cella_enclave_terminate(a), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(b), CELLA_OK);
	cella_test_pass("KSS seal keys bind the extended product ID");
	return 0;
}
