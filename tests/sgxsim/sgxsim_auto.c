// SPDX-License-Identifier: MIT
/*
 * Linked into a test program, runs it on the SGX backend's software stand-in when CELLA_SGXSIM=1 is set (with
 * CELLA_BACKEND=sgx, the program's enclaves then load through sgxsim): the same program and checks as on the
 * sandbox. Exits 77 (skipped) when the stand-in cannot run here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgxsim.h"

__attribute__((constructor)) static void sgxsim_auto(void)
{
	const char *on = getenv("CELLA_SGXSIM");
	if (!on || strcmp(on, "1") != 0)
		return;
	if (!cella_sgxsim_install()) {
		printf("SKIP the kernel does not offer user-mode FSGSBASE, which the SGX stand-in needs\n");
		exit(77);
	}
	printf("sgxsim: this program's enclaves run on the SGX backend's software stand-in\n");
}
