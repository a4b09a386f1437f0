/* SPDX-License-Identifier: MIT */
/* SGX structures the enclave runtime uses beyond cella/abi/sgx.h: SSA/GPRSGX, REPORT, TARGETINFO, KEYREQUEST. */
#ifndef CELLA_SGX_ARCH_H
#define CELLA_SGX_ARCH_H

#include <cella/abi/report.h>
#include <cella/abi/sgx.h>
#include <stdint.h>

/*
 * Byte layouts from the Intel SDM Vol. 3D ch. 35 (SGX data structures). Pure data, no code: included by the
 * enclave runtime and by host-side unit tests. Every offset software relies on is pinned below.
 */

/* ENCLU leaves (SDM 38.x) */
#define CELLA_ENCLU_EREPORT 0u
#define CELLA_ENCLU_EGETKEY 1u
#define CELLA_ENCLU_EENTER 2u
#define CELLA_ENCLU_ERESUME 3u
#define CELLA_ENCLU_EEXIT 4u
#define CELLA_ENCLU_EACCEPT 5u

/* GPRSGX: the last 184 bytes of every SSA frame (SDM 35.9.1). */
#define CELLA_SGX_GPRSGX_BYTES 184u
/* MISC region EXINFO (MISCSELECT bit 0), directly below GPRSGX (SDM 35.9.2). */
#define CELLA_SGX_EXINFO_BYTES 16u

struct cella_sgx_gprsgx {
	uint64_t rax;      /* 0 */
	uint64_t rcx;      /* 8 */
	uint64_t rdx;      /* 16 */
	uint64_t rbx;      /* 24 */
	uint64_t rsp;      /* 32 */
	uint64_t rbp;      /* 40 */
	uint64_t rsi;      /* 48 */
	uint64_t rdi;      /* 56 */
	uint64_t r8;       /* 64 */
	uint64_t r9;       /* 72 */
	uint64_t r10;      /* 80 */
	uint64_t r11;      /* 88 */
	uint64_t r12;      /* 96 */
	uint64_t r13;      /* 104 */
	uint64_t r14;      /* 112 */
	uint64_t r15;      /* 120 */
	uint64_t rflags;   /* 128 */
	uint64_t rip;      /* 136 */
	uint64_t ursp;     /* 144: untrusted RSP saved by EENTER */
	uint64_t urbp;     /* 152: untrusted RBP saved by EENTER */
	uint32_t exitinfo; /* 160: bits 7:0 vector, 10:8 type, 31 valid */
	uint32_t reserved; /* 164 */
	uint64_t fsbase;   /* 168 */
	uint64_t gsbase;   /* 176 */
};

#define CELLA_SGX_EXITINFO_VALID 0x80000000u
#define CELLA_SGX_EXITINFO_VECTOR(x) ((x) & 0xffu)
#define CELLA_SGX_EXITINFO_TYPE(x) (((x) >> 8) & 0x7u)
#define CELLA_SGX_EXIT_TYPE_HW 3u /* hardware exception */
#define CELLA_SGX_EXIT_TYPE_SW 6u /* software exception (INT3, INTO) */
#define CELLA_X86_VECTOR_DE 0u
#define CELLA_X86_VECTOR_UD 6u
#define CELLA_X86_VECTOR_GP 13u
#define CELLA_X86_VECTOR_PF 14u

struct cella_sgx_exinfo {
	uint64_t maddr;    /* 0: faulting address (#PF) */
	uint32_t errcd;    /* 8: error code */
	uint32_t reserved; /* 12 */
};

/* PAGEINFO (SDM 35.14): the ENCLS[EADD] operand the kernel builds from SGX_IOC_ENCLAVE_ADD_PAGES. */
struct cella_sgx_pageinfo {
	uint64_t linaddr; /* 0: enclave linear address of the page */
	uint64_t srcpge;  /* 8: source page */
	uint64_t secinfo; /* 16: address of SECINFO */
	uint64_t secs;    /* 24: address of the SECS page */
};

/*
 * REPORT (SDM 35.15; 512-byte aligned when ENCLU[EREPORT] writes it), TARGETINFO (35.17) and KEYREQUEST (35.18)
 * are struct cella_report, cella_target_info and cella_key_request of cella/abi/report.h, shared with the sandbox.
 */
#define CELLA_SGX_REPORT_BYTES 432u
#define CELLA_SGX_REPORT_DATA_BYTES 64u
#define CELLA_SGX_TARGETINFO_BYTES 512u
#define CELLA_SGX_KEYREQUEST_BYTES 512u
#define CELLA_SGX_KEY_BYTES 16u


/* ENCLU status codes returned in EAX by EREPORT/EGETKEY and by the kernel for EINIT (SDM 40.1.x). */
#define CELLA_SGX_INVALID_SIG_STRUCT 1u
#define CELLA_SGX_INVALID_ATTRIBUTE 2u
#define CELLA_SGX_INVALID_MEASUREMENT 4u
#define CELLA_SGX_INVALID_SIGNATURE 8u
#define CELLA_SGX_INVALID_EINITTOKEN 16u
#define CELLA_SGX_INVALID_CPUSVN 32u
#define CELLA_SGX_INVALID_ISVSVN 64u
#define CELLA_SGX_UNMASKED_EVENT 128u
#define CELLA_SGX_INVALID_KEYNAME 256u

#define CELLA_SGX_OFF(t, f) __builtin_offsetof(struct t, f)
_Static_assert(sizeof(struct cella_sgx_gprsgx) == CELLA_SGX_GPRSGX_BYTES, "SDM: GPRSGX");
_Static_assert(CELLA_SGX_OFF(cella_sgx_gprsgx, rsp) == 32, "SDM: GPRSGX");
_Static_assert(CELLA_SGX_OFF(cella_sgx_gprsgx, rflags) == 128, "SDM: GPRSGX");
_Static_assert(CELLA_SGX_OFF(cella_sgx_gprsgx, rip) == 136, "SDM: GPRSGX");
_Static_assert(CELLA_SGX_OFF(cella_sgx_gprsgx, ursp) == 144, "SDM: GPRSGX");
_Static_assert(CELLA_SGX_OFF(cella_sgx_gprsgx, exitinfo) == 160, "SDM: GPRSGX");
_Static_assert(CELLA_SGX_OFF(cella_sgx_gprsgx, fsbase) == 168, "SDM: GPRSGX");
_Static_assert(sizeof(struct cella_sgx_exinfo) == CELLA_SGX_EXINFO_BYTES, "SDM: EXINFO");
_Static_assert(sizeof(struct cella_sgx_pageinfo) == 32, "SDM: PAGEINFO");
/* REPORT, TARGETINFO and KEYREQUEST are checked where they are defined (cella/abi/report.h). */
_Static_assert(sizeof(struct cella_report) == CELLA_SGX_REPORT_BYTES, "SDM: REPORT");
_Static_assert(sizeof(struct cella_target_info) == CELLA_SGX_TARGETINFO_BYTES, "SDM: TARGETINFO");
_Static_assert(sizeof(struct cella_key_request) == CELLA_SGX_KEYREQUEST_BYTES, "SDM: KEYREQUEST");
#undef CELLA_SGX_OFF

#endif
