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

#endif
