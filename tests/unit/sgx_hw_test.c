// SPDX-License-Identifier: MIT
/*
 * On real SGX hardware: the same image on both backends, same MRENCLAVE, and a call through the SGX backend.
 * Exits 77 (skipped) without /dev/sgx_enclave or when the image predates the SGX runtime. sgx_hw_test <image>
 */
#include <cella/host.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cella_test.h"
#include "sgx_internal.h"

int main(int argc, char **argv)
{
	struct cella_enclave *sgx = NULL, *sb = NULL;
	struct cella_hash a, b;
	struct cella_sgx_platform p;
	cella_sgx_enter_fn enter;
	cella_result r;

	if (argc != 2)
		return 2;
	if (access("/dev/sgx_enclave", F_OK) != 0 && access("/dev/sgx/enclave", F_OK) != 0)
		cella_test_skip("no /dev/sgx_enclave or /dev/sgx/enclave on this machine");
	cella_sgx_platform_probe(&p);
	CT_ASSERT(p.sgx && p.sgx1);
	CT_RESULT(cella_sgx_vdso_enter(&enter), CELLA_OK);
	r = cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SGX, NULL, &sgx);
	CT_RESULT(r, CELLA_OK); /* UNSUPPORTED here is a failure: the image is this build's, with the SGX entry */
	CT_ASSERT(strcmp(cella_enclave_backend(sgx), "sgx") == 0);
	CT_RESULT(cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SANDBOX, NULL, &sb), CELLA_OK);
	CT_RESULT(cella_enclave_identity(sgx, &a, NULL), CELLA_OK);
	CT_RESULT(cella_enclave_identity(sb, &b, NULL), CELLA_OK);
	CT_EQ_MEM(a.b, b.b, 32);
	CT_RESULT(cella_enclave_terminate(sb), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(sgx), CELLA_OK);
	cella_test_pass("same MRENCLAVE on SGX and sandbox");
	return 0;
}
