/* SPDX-License-Identifier: MIT */
/* The helloworld interface: call ids shared by host and enclave (hand-written until cella-edger8r lands). */
#ifndef HELLOWORLD_H
#define HELLOWORLD_H

enum { ECALL_HELLO = 0 };        /* in: NUL-terminated name; out: u32 greeting count */
enum { OCALL_HOST_PRINT = 0 };   /* in: NUL-terminated text */

#endif
