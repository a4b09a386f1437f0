/* SPDX-License-Identifier: MIT */
/* Shared by the EDL test host programs. */
#ifndef EDLTEST_HOST_H
#define EDLTEST_HOST_H

#include "edltest_u.h"

extern struct cella_enclave *g_enclave;
extern uint64_t g_secret_addr;
extern int g_switchless_calls;
extern unsigned g_msgv_calls; /* runs of o_msgv */

#endif
