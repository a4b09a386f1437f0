/* SPDX-License-Identifier: MIT */
/* The Linux SGX driver's user API (arch/x86/include/uapi/asm/sgx.h), written from its documentation. */
#ifndef CELLA_HOST_SGX_UAPI_H
#define CELLA_HOST_SGX_UAPI_H

#include <linux/ioctl.h>
#include <stdint.h>

/*
 * Our own definitions, so the backend builds against kernel headers older than 5.11; sgx_uapi_test checks
 * every size, offset and ioctl number against <asm/sgx.h> where the build machine has it.
 */
#define CELLA_SGX_MAGIC 0xA4
#define CELLA_SGX_PAGE_MEASURE 0x01ull /* ADD_PAGES flags: EEXTEND every 256-byte chunk */

struct cella_sgx_enclave_create {
	uint64_t src; /* address of the SECS page (4096 bytes) */
};

struct cella_sgx_enclave_add_pages {
	uint64_t src;     /* page-aligned source */
	uint64_t offset;  /* page-aligned offset from the enclave base */
	uint64_t length;  /* multiple of 4096 */
	uint64_t secinfo; /* address of a struct cella_sgx_secinfo */
	uint64_t flags;   /* CELLA_SGX_PAGE_MEASURE */
	uint64_t count;   /* out: bytes added (the call may stop early, e.g. on a signal) */
};

struct cella_sgx_enclave_init {
	uint64_t sigstruct; /* address of the SIGSTRUCT */
};

struct cella_sgx_enclave_provision {
	uint64_t fd; /* an open /dev/sgx_provision */
};

#define CELLA_SGX_IOC_ENCLAVE_CREATE _IOW(CELLA_SGX_MAGIC, 0x00, struct cella_sgx_enclave_create)
#define CELLA_SGX_IOC_ENCLAVE_ADD_PAGES _IOWR(CELLA_SGX_MAGIC, 0x01, struct cella_sgx_enclave_add_pages)
#define CELLA_SGX_IOC_ENCLAVE_INIT _IOW(CELLA_SGX_MAGIC, 0x02, struct cella_sgx_enclave_init)
#define CELLA_SGX_IOC_ENCLAVE_PROVISION _IOW(CELLA_SGX_MAGIC, 0x03, struct cella_sgx_enclave_provision)

/* __vdso_sgx_enter_enclave's run structure (256 bytes); the reserved bytes must be zero. */
struct cella_sgx_enclave_run {
	uint64_t tcs;
	uint32_t function;              /* out: the last ENCLU leaf: EEXIT (4), or ERESUME (3) after an exception */
	uint16_t exception_vector;
	uint16_t exception_error_code;
	uint64_t exception_addr;
	uint64_t user_handler;          /* cella_sgx_user_handler_fn, or 0 */
	uint64_t user_data;
	uint8_t reserved[216];
};

/* Called on every return path with the registers as the enclave left them; <= 0 is returned to the caller. */
typedef int (*cella_sgx_user_handler_fn)(long rdi, long rsi, long rdx, long rsp, long r8, long r9,
					 struct cella_sgx_enclave_run *run);
/* __vdso_sgx_enter_enclave: rdi, rsi, rdx, r8, r9 pass through; function is EENTER (2) or ERESUME (3). */
typedef int (*cella_sgx_enter_fn)(unsigned long rdi, unsigned long rsi, unsigned long rdx, unsigned int function,
				  unsigned long r8, unsigned long r9, struct cella_sgx_enclave_run *run);

#define CELLA_SGX_VDSO_ENTER_SYMBOL "__vdso_sgx_enter_enclave"

_Static_assert(sizeof(struct cella_sgx_enclave_add_pages) == 48, "UAPI: add_pages");
_Static_assert(sizeof(struct cella_sgx_enclave_run) == 256, "UAPI: enclave_run");
_Static_assert(__builtin_offsetof(struct cella_sgx_enclave_run, user_handler) == 24, "UAPI: enclave_run");

#endif
