/* SPDX-License-Identifier: MIT */
/* sgxsim: a software stand-in for SGX hardware so that the SGX backend and runtime run here (tests only). */
#ifndef CELLA_TEST_SGXSIM_H
#define CELLA_TEST_SGXSIM_H

#include <stdbool.h>

/*
 * Makes the SGX backend of this process load and enter enclaves through the simulator (sgxsim.c) and installs
 * its signal handlers. false if the CPU/kernel lacks user-mode FSGSBASE, which it needs.
 */
bool cella_sgxsim_install(void);

/*
 * Fault injection (the hostile host of checklist items B1/B2): the next EENTER on this thread single-steps the
 * enclave and takes an AEX after `steps` instructions, as if an exception (#DB, with EXITINFO) or, with
 * `interrupt`, an interrupt (no EXITINFO) arrived there; the host then enters the exception path as for any
 * AEX. Stepping ends where the entry code clears RFLAGS (its POPF), so only the entry stub can be hit. 0 = off.
 */
void cella_sgxsim_aex_after(unsigned steps, bool interrupt);

#endif
