// SPDX-License-Identifier: MIT
/*
 * Linked into a test program, runs its enclaves on the SGX backend when CELLA_SGXSIM=1 is set: on the software
 * stand-in, or on real hardware with CELLA_SGX_HW=1 too (cella_sgxsim_select): the same program and checks as
 * on the sandbox. Exits 77 (skipped) when neither can run here.
 */
#include <stdlib.h>
#include <string.h>

#include "sgxsim.h"

__attribute__((constructor)) static void sgxsim_auto(void)
{
	const char *on = getenv("CELLA_SGXSIM");
	if (!on || strcmp(on, "1") != 0)
		return;
	cella_sgxsim_select(false);
}
