/* SPDX-License-Identifier: MIT */
/* The SGX entry ABI: what the host passes in registers on EENTER and what the enclave returns on EEXIT. */
#ifndef CELLA_SGX_ABI_H
#define CELLA_SGX_ABI_H

/*
 * Included by the host backend (src/host/sgx) and by the enclave entry code, including assembly, so it holds
 * only #defines. (Proposed home: include/cella/abi/sgx_entry.h; it is the host<->enclave ABI.)
 *
 * EENTER (host -> enclave), through __vdso_sgx_enter_enclave(rdi, rsi, rdx, EENTER, r8, r9, run):
 *   rdi = CELLA_SGX_OP_*, rsi, rdx = operands (all UNTRUSTED); r8, r9 = 0.
 *   The hardware sets rax = TCS.CSSA, rbx = TCS, rcx = the host return address; the enclave decides by CSSA,
 *   never by rdi, whether this is a call (CSSA 0) or an exception entry (CSSA 1).
 * EEXIT (enclave -> host): rdi = CELLA_SGX_EXIT_*, rsi = value; every other general-purpose register is zero,
 *   RFLAGS = 0 apart from the bits user mode cannot change, x87/SSE/AVX state is in its initial configuration
 *   except MXCSR and the x87 control word, which hold the host's values from the matching entry.
 */
#define CELLA_SGX_OP_BOOT 1         /* TCS 0, once: rsi = window address, rdx = window bytes */
#define CELLA_SGX_OP_ECALL 2        /* run the ecall in this TCS's window slot */
#define CELLA_SGX_OP_OCALL_RETURN 3 /* the ocall this TCS exited for is answered in its slot */

#define CELLA_SGX_EXIT_DONE 1       /* boot or ecall finished: rsi = cella_result */
#define CELLA_SGX_EXIT_OCALL 2      /* serve the ocall in this TCS's slot, then EENTER with OP_OCALL_RETURN */
#define CELLA_SGX_EXIT_EXCEPTION 3  /* the exception was taken over: ERESUME this TCS */
#define CELLA_SGX_EXIT_LOST 4       /* the enclave is crashed (now and for good): rsi = cella_result */

/* Builtin ocalls the SGX backend serves (proposed for enum cella_builtin_ocall in cella/abi/window.h). */
#define CELLA_SGX_OCALL_QE_TARGET_INFO 0x80000100u /* in: none; out: TARGETINFO of the quoting enclave (512) */
#define CELLA_SGX_OCALL_QUOTE 0x80000101u          /* in: REPORT (432) targeted at it; out: the DCAP quote */

#endif
