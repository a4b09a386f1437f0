/* SPDX-License-Identifier: MIT */
/* sgxsim: a software stand-in for SGX hardware so that the SGX backend and runtime run here (tests only). */
#ifndef CELLA_TEST_SGXSIM_H
#define CELLA_TEST_SGXSIM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Makes the SGX backend of this process load and enter enclaves through the simulator (sgxsim.c) and installs
 * its signal handlers. false if the CPU/kernel lacks user-mode FSGSBASE, which it needs.
 */
bool cella_sgxsim_install(void); /* false only without user-mode FSGSBASE; exits 1 on any other failure */

/*
 * Chooses where a test program's SGX-world run goes and sets CELLA_BACKEND=sgx: real SGX hardware when
 * CELLA_SGX_HW=1 (exit 77 without /dev/sgx_enclave, or when the case needs the stand-in's fault injection),
 * otherwise the stand-in (exit 77 without user-mode FSGSBASE).
 */
void cella_sgxsim_select(bool needs_injection);

/*
 * Fault injection (the hostile host of checklist items B1/B2): the next EENTER on this thread single-steps the
 * enclave and takes an AEX after `steps` instructions, as if an exception (#DB, with EXITINFO) or, with
 * `interrupt`, an interrupt (no EXITINFO) arrived there; the host then enters the exception path as for any
 * AEX. Stepping ends where the entry code clears RFLAGS (its POPF), so only the entry stub can be hit. 0 = off.
 */
void cella_sgxsim_aex_after(unsigned steps, bool interrupt);

/*
 * The hostile host of checklist item A7: the next EENTER on this thread runs with RSP pointing into the
 * enclave's own read-only code, so any write through it faults (and loses the enclave). On the EEXIT the
 * stand-in records the RSP the enclave handed back (cella_sgxsim_exit_rsp) and returns with the real one.
 * Returns the address used (0 if no enclave is loaded).
 */
uint64_t cella_sgxsim_host_rsp_in_enclave(void);
uint64_t cella_sgxsim_exit_rsp(void);

#endif
