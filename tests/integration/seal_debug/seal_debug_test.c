// SPDX-License-Identifier: MIT
/*
 * Checklist item K3: data sealed by a debug enclave cannot be unsealed by the production enclave of the same
 * signer, product and SVN, nor the reverse (EGETKEY mixes the DEBUG attribute into every key), while each opens
 * its own data. seal_debug_test PRODUCTION.signed DEBUG.signed
 */
#include <cella/abi/report.h>
#include <cella/host.h>
#include <stdlib.h>
#include <string.h>

#include "cella_test.h"
#include "seal_host.h"

static struct cella_enclave *open_enclave(const char *path, uint32_t flags)
{
	struct cella_enclave *e = NULL;
	CT_RESULT(cella_enclave_create(path, flags, NULL, &e), CELLA_OK);
	return e;
}

static uint8_t *seal(struct cella_enclave *e, size_t *len)
{
	return seal_text(e, CELLA_KEYPOLICY_MRSIGNER, "sealed by one build, opened by another?", len);
}

int main(int argc, char **argv)
{
	struct cella_enclave *prod, *dbg;
	struct cella_hash ms_p, ms_d;
	uint8_t *from_prod, *from_dbg;
	size_t lp = 0, ld = 0;
	if (argc != 3)
		return 2;
	prod = open_enclave(argv[1], 0);
	dbg = open_enclave(argv[2], CELLA_ENCLAVE_FLAG_DEBUG);
	CT_RESULT(cella_enclave_identity(prod, NULL, &ms_p), CELLA_OK);
	CT_RESULT(cella_enclave_identity(dbg, NULL, &ms_d), CELLA_OK);
	CT_ASSERT(memcmp(&ms_p, &ms_d, sizeof(ms_p)) == 0); /* one signer */
	from_prod = seal(prod, &lp);
	from_dbg = seal(dbg, &ld);
	CT_RESULT(unseal_blob(prod, from_prod, lp), CELLA_OK);
	CT_RESULT(unseal_blob(dbg, from_dbg, ld), CELLA_OK);
	CT_RESULT(unseal_blob(prod, from_dbg, ld), CELLA_ERR_SEALED_BLOB); /* the tag does not verify */
	CT_RESULT(unseal_blob(dbg, from_prod, lp), CELLA_ERR_SEALED_BLOB); /* the tag does not verify */
	free(from_prod);
	free(from_dbg);
	CT_RESULT(cella_enclave_terminate(prod), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(dbg), CELLA_OK);
	cella_test_pass("K3 debug and production seal keys differ for one signer");
	return 0;
}
