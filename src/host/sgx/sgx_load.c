// SPDX-License-Identifier: MIT
/*
 * The SGX loader: the shared page list (src/common/layout.c) through ECREATE, EADD/EEXTEND and EINIT, then
 * mmap with each page's permissions. Everything above the ioctl layer is here, so the device and the
 * dry-run recorder run the same code.
 */
#include "sgx_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE CELLA_PAGE_BYTES

/* Pages i..j-1 form one ADD_PAGES call: consecutive RVAs, equal SECINFO and measurement, at most a batch. */
static size_t batch_end(const struct cella_layout *l, size_t i)
{
	size_t j = i + 1;
	while (j < l->npages && j - i < CELLA_SGX_ADD_BATCH_PAGES && l->pages[j].rva == l->pages[j - 1].rva + PAGE &&
	       l->pages[j].secinfo == l->pages[i].secinfo && l->pages[j].measured == l->pages[i].measured)
		j++;
	return j;
}

static cella_result add_all(const struct cella_sgx_ops *ops, void *ctx, const struct cella_layout *l,
			    uint8_t *staging)
{
	size_t i = 0;
	while (i < l->npages) {
		size_t j = batch_end(l, i);
		struct cella_sgx_secinfo si;
		cella_result r;
		/* The kernel wants page-aligned sources; the layout's copies need not be. */
		for (size_t k = i; k < j; k++) {
			if (l->pages[k].data)
				memcpy(staging + (k - i) * PAGE, l->pages[k].data, PAGE);
			else
				memset(staging + (k - i) * PAGE, 0, PAGE);
		}
		cella_sgx_secinfo(l->pages[i].secinfo, &si);
		r = ops->add_pages(ctx, l->pages[i].rva, staging, (uint64_t)(j - i) * PAGE, &si,
				   l->pages[i].measured ? CELLA_SGX_PAGE_MEASURE : 0);
		if (r != CELLA_OK)
			return r;
		i = j;
	}
	return CELLA_OK;
}

/* Maps each run of consecutive pages with equal permissions; holes (guards) stay reserved and inaccessible. */
static cella_result map_all(const struct cella_sgx_ops *ops, void *ctx, const struct cella_layout *l)
{
	size_t i = 0;
	while (i < l->npages) {
		size_t j = i + 1;
		int prot = cella_sgx_page_prot(l->pages[i].secinfo);
		cella_result r;
		while (j < l->npages && l->pages[j].rva == l->pages[j - 1].rva + PAGE &&
		       cella_sgx_page_prot(l->pages[j].secinfo) == prot)
			j++;
		r = ops->map(ctx, l->pages[i].rva, (uint64_t)(j - i) * PAGE, prot);
		if (r != CELLA_OK)
			return r;
		i = j;
	}
	return CELLA_OK;
}

/* see sgx_internal.h */
cella_result cella_sgx_load(const struct cella_sgx_ops *ops, void *ctx, const struct cella_layout *l,
			    const struct cella_einit_info *ei, const struct cella_sgx_platform *p,
			    struct cella_sgx_loaded *out, const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_sgx_loaded ld;
	const char *why = NULL;
	uint8_t *staging = NULL;

	memset(&ld, 0, sizeof(ld));
	if (!ops || !l || !ei || !p || !out || l->npages == 0 || l->r.tcs_count > CELLA_MAX_TCS) {
		why = "invalid arguments";
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	}
	staging = mmap(NULL, CELLA_SGX_ADD_BATCH_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (staging == MAP_FAILED) {
		staging = NULL;
		why = "no memory for the EADD staging buffer";
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	}
	why = "cannot reserve the enclave's address range (ELRANGE)";
	CELLA_CHECK(ops->reserve(ctx, l->r.enclave_size, &ld.base));
	ld.size = l->r.enclave_size;
	CELLA_CHECK(cella_sgx_secs_build(l, ei, p, ld.base, &ld.secs, &why));
	why = "ECREATE (SGX_IOC_ENCLAVE_CREATE) failed";
	CELLA_CHECK(ops->create(ctx, &ld.secs));
	why = "EADD (SGX_IOC_ENCLAVE_ADD_PAGES) failed";
	CELLA_CHECK(add_all(ops, ctx, l, staging));
	if (ld.secs.attributes.flags & CELLA_ATTR_PROVISIONKEY) {
		why = "the enclave asks for PROVISIONKEY but /dev/sgx_provision could not be used";
		CELLA_CHECK(ops->provision(ctx));
	}
	why = "EINIT (SGX_IOC_ENCLAVE_INIT) refused the enclave";
	CELLA_CHECK(ops->init(ctx, &ei->sigstruct));
	why = "cannot map the enclave's pages";
	CELLA_CHECK(map_all(ops, ctx, l));
	ld.tcs_count = (uint32_t)l->r.tcs_count;
	for (uint32_t i = 0; i < ld.tcs_count; i++) {
		struct cella_layout_tcs t;
		CELLA_CHECK(cella_layout_tcs(&l->r, i, &t));
		ld.tcs[i] = ld.base + t.tcs_rva;
	}
	*out = ld;
	why = NULL;
	r = CELLA_OK;
out:
	if (staging)
		munmap(staging, CELLA_SGX_ADD_BATCH_PAGES * PAGE);
	if (detail)
		*detail = why;
	return r;
}
