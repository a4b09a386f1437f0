// SPDX-License-Identifier: MIT
/* Our SGX driver UAPI definitions against the kernel's own header: sizes, offsets, ioctl numbers. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cella_test.h"
#include "sgx_uapi.h"

#if __has_include(<asm/sgx.h>)
#include <asm/sgx.h>
#define HAVE_KERNEL_HEADER 1
#endif

int main(void)
{
	/* Fixed by the ioctl encoding itself (dir << 30 | size << 16 | type << 8 | nr), independent of headers. */
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_CREATE, 0x4008a400u);
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_ADD_PAGES, 0xc030a401u);
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_INIT, 0x4008a402u);
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_PROVISION, 0x4008a403u);
	CT_EQ(sizeof(struct cella_sgx_enclave_run), 256);
	CT_EQ(offsetof(struct cella_sgx_enclave_run, function), 8);
	CT_EQ(offsetof(struct cella_sgx_enclave_run, exception_vector), 12);
	CT_EQ(offsetof(struct cella_sgx_enclave_run, exception_error_code), 14);
	CT_EQ(offsetof(struct cella_sgx_enclave_run, exception_addr), 16);
	CT_EQ(offsetof(struct cella_sgx_enclave_run, user_data), 32);
	CT_EQ(offsetof(struct cella_sgx_enclave_run, reserved), 40);
	cella_test_pass("ioctl encoding and run struct");
#ifdef HAVE_KERNEL_HEADER
	CT_EQ(CELLA_SGX_MAGIC, SGX_MAGIC);
	CT_EQ(CELLA_SGX_PAGE_MEASURE, SGX_PAGE_MEASURE);
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_CREATE, SGX_IOC_ENCLAVE_CREATE);
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_ADD_PAGES, SGX_IOC_ENCLAVE_ADD_PAGES);
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_INIT, SGX_IOC_ENCLAVE_INIT);
	CT_EQ(CELLA_SGX_IOC_ENCLAVE_PROVISION, SGX_IOC_ENCLAVE_PROVISION);
	CT_EQ(sizeof(struct cella_sgx_enclave_create), sizeof(struct sgx_enclave_create));
	CT_EQ(sizeof(struct cella_sgx_enclave_add_pages), sizeof(struct sgx_enclave_add_pages));
	CT_EQ(offsetof(struct cella_sgx_enclave_add_pages, src), offsetof(struct sgx_enclave_add_pages, src));
	CT_EQ(offsetof(struct cella_sgx_enclave_add_pages, offset), offsetof(struct sgx_enclave_add_pages, offset));
	CT_EQ(offsetof(struct cella_sgx_enclave_add_pages, length), offsetof(struct sgx_enclave_add_pages, length));
	CT_EQ(offsetof(struct cella_sgx_enclave_add_pages, secinfo), offsetof(struct sgx_enclave_add_pages, secinfo));
	CT_EQ(offsetof(struct cella_sgx_enclave_add_pages, flags), offsetof(struct sgx_enclave_add_pages, flags));
	CT_EQ(offsetof(struct cella_sgx_enclave_add_pages, count), offsetof(struct sgx_enclave_add_pages, count));
	CT_EQ(sizeof(struct cella_sgx_enclave_init), sizeof(struct sgx_enclave_init));
	CT_EQ(sizeof(struct cella_sgx_enclave_provision), sizeof(struct sgx_enclave_provision));
	CT_EQ(sizeof(struct cella_sgx_enclave_run), sizeof(struct sgx_enclave_run));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, tcs), offsetof(struct sgx_enclave_run, tcs));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, function), offsetof(struct sgx_enclave_run, function));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, exception_vector),
	      offsetof(struct sgx_enclave_run, exception_vector));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, exception_error_code),
	      offsetof(struct sgx_enclave_run, exception_error_code));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, exception_addr), offsetof(struct sgx_enclave_run, exception_addr));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, user_handler), offsetof(struct sgx_enclave_run, user_handler));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, user_data), offsetof(struct sgx_enclave_run, user_data));
	CT_EQ(offsetof(struct cella_sgx_enclave_run, reserved), offsetof(struct sgx_enclave_run, reserved));
	{
		/* the function types agree: the kernel's prototypes accept ours */
		vdso_sgx_enter_enclave_t k = (vdso_sgx_enter_enclave_t)(cella_sgx_enter_fn)0;
		sgx_enclave_user_handler_t h = (sgx_enclave_user_handler_t)(cella_sgx_user_handler_fn)0;
		CT_ASSERT(k == 0 && h == 0);
	}
	cella_test_pass("matches the kernel's <asm/sgx.h>");
#else
	printf("note: <asm/sgx.h> not installed; checked the ioctl encoding only\n");
#endif
	return 0;
}
