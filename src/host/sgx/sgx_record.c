// SPDX-License-Identifier: MIT
/*
 * The dry-run ioctl layer: records what the loader would ask the SGX driver, checking each call against the
 * rules the kernel (arch/x86/kernel/cpu/sgx/ioctl.c) and the ENCLS leaves apply. Tests hash the recorded
 * stream into MRENCLAVE themselves.
 */
#include "sgx_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE CELLA_PAGE_BYTES
#define DEFAULT_BASE 0x7f0000000000ull

static cella_result refuse(struct cella_sgx_recorder *r, const char *why)
{
	if (!r->error)
		r->error = why;
	return CELLA_ERR_INVALID_ARG;
}

static cella_result push(struct cella_sgx_recorder *r, const struct cella_sgx_rec *rec)
{
	if (r->fail_kind == rec->kind && ++r->seen == r->fail_at)
		return r->fail_with;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct cella_sgx_rec *p = realloc(r->recs, cap * sizeof(*p));
		if (!p)
			return CELLA_ERR_OUT_OF_MEMORY;
		r->recs = p;
		r->cap = cap;
	}
	r->recs[r->n++] = *rec;
	return CELLA_OK;
}

static cella_result rec_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	struct cella_sgx_recorder *r = ctx;
	struct cella_sgx_rec rec = {.kind = CELLA_SGX_REC_RESERVE, .length = size};
	cella_result res = push(r, &rec);
	uint64_t b = r->base ? r->base : DEFAULT_BASE;
	if (res != CELLA_OK)
		return res;
	if (size == 0 || (size & (size - 1)))
		return refuse(r, "reserve: size is not a power of two");
	b = (b + size - 1) & ~(size - 1);
	*base = r->base = b;
	return CELLA_OK;
}

/* sgx_validate_secs() and ECREATE's checks that do not depend on the CPU. */
static cella_result rec_create(void *ctx, const struct cella_sgx_secs *s)
{
	struct cella_sgx_recorder *r = ctx;
	struct cella_sgx_rec rec = {.kind = CELLA_SGX_REC_CREATE, .offset = s->base_addr, .length = s->size};
	static const uint8_t zero[sizeof(struct cella_sgx_secs)];
	cella_result res = push(r, &rec);
	if (res != CELLA_OK)
		return res;
	if (r->created)
		return refuse(r, "ECREATE: enclave already created");
	if (s->size < 2 * PAGE || (s->size & (s->size - 1)) || (s->base_addr & (s->size - 1)))
		return refuse(r, "ECREATE: SIZE not a power of two >= 8 KiB, or BASEADDR not aligned to it");
	if (s->base_addr != r->base)
		return refuse(r, "ECREATE: BASEADDR is not the reserved range");
	if (s->ssa_frame_size == 0)
		return refuse(r, "ECREATE: SSAFRAMESIZE is 0");
	if (s->attributes.flags & CELLA_ATTR_INIT)
		return refuse(r, "ECREATE: ATTRIBUTES.INIT set");
	if (!(s->attributes.flags & CELLA_ATTR_MODE64BIT))
		return refuse(r, "ECREATE: ATTRIBUTES.MODE64BIT clear");
	if ((s->attributes.xfrm & 3) != 3)
		return refuse(r, "ECREATE: XFRM lacks x87 or SSE");
	if (memcmp(s->reserved1, zero, sizeof(s->reserved1)) || memcmp(s->mr_enclave, zero, 32) ||
	    memcmp(s->mr_signer, zero, 32) || memcmp(s->reserved4, zero, sizeof(s->reserved4)) || s->isv_prod_id ||
	    s->isv_svn || memcmp(s->config_id, zero, sizeof(s->config_id)) || s->config_svn)
		return refuse(r, "ECREATE: fields other than SIZE/BASEADDR/SSAFRAMESIZE/MISCSELECT/ATTRIBUTES set");
	r->added = calloc((size_t)(s->size / PAGE), 1);
	if (!r->added)
		return CELLA_ERR_OUT_OF_MEMORY;
	r->secs = *s;
	r->created = true;
	return CELLA_OK;
}

/* sgx_ioc_enclave_add_pages() and sgx_validate_secinfo(). */
static cella_result rec_add(void *ctx, uint64_t offset, const uint8_t *src, uint64_t length,
			    const struct cella_sgx_secinfo *si, uint64_t flags)
{
	struct cella_sgx_recorder *r = ctx;
	struct cella_sgx_rec rec = {.kind = CELLA_SGX_REC_ADD, .offset = offset, .length = length,
				    .secinfo = si->flags, .flags = flags};
	static const uint8_t zero[sizeof(si->reserved)];
	uint64_t perm = si->flags & 7, pt = si->flags & 0xff00;
	cella_result res;

	if (!r->created || r->initialized)
		return refuse(r, "ADD_PAGES: enclave not created, or already initialised");
	if (offset % PAGE || (uintptr_t)src % PAGE || length == 0 || length % PAGE)
		return refuse(r, "ADD_PAGES: offset, source or length not page-aligned");
	if (offset > r->secs.size || length > r->secs.size - offset)
		return refuse(r, "ADD_PAGES: beyond the enclave size");
	if (flags & ~CELLA_SGX_PAGE_MEASURE)
		return refuse(r, "ADD_PAGES: unknown flags");
	if (memcmp(si->reserved, zero, sizeof(zero)) || (si->flags & ~(0xff07ull)))
		return refuse(r, "ADD_PAGES: SECINFO reserved bits set");
	if (pt != CELLA_SECINFO_PT_REG && pt != CELLA_SECINFO_PT_TCS)
		return refuse(r, "ADD_PAGES: page type is neither REG nor TCS");
	if ((perm & CELLA_SECINFO_W) && !(perm & CELLA_SECINFO_R))
		return refuse(r, "ADD_PAGES: writable page that is not readable");
	if (pt == CELLA_SECINFO_PT_TCS && perm)
		return refuse(r, "ADD_PAGES: TCS page with permissions");
	for (uint64_t p = offset / PAGE; p < (offset + length) / PAGE; p++) {
		if (r->added[p])
			return refuse(r, "ADD_PAGES: page added twice");
		r->added[p] = (uint8_t)(0x80 | cella_sgx_page_prot(si->flags)); /* the kernel's vm_max_prot_bits */
	}
	rec.data = malloc((size_t)length);
	if (!rec.data)
		return CELLA_ERR_OUT_OF_MEMORY;
	memcpy(rec.data, src, (size_t)length);
	res = push(r, &rec);
	if (res != CELLA_OK)
		free(rec.data);
	return res;
}

static cella_result rec_provision(void *ctx)
{
	struct cella_sgx_recorder *r = ctx;
	struct cella_sgx_rec rec = {.kind = CELLA_SGX_REC_PROVISION};
	if (!r->created || r->initialized)
		return refuse(r, "PROVISION: not between ECREATE and EINIT");
	return push(r, &rec);
}

static cella_result rec_init(void *ctx, const struct cella_sgx_sigstruct *sig)
{
	struct cella_sgx_recorder *r = ctx;
	struct cella_sgx_rec rec = {.kind = CELLA_SGX_REC_INIT};
	cella_result res;
	if (!r->created || r->initialized)
		return refuse(r, "INIT: not created, or initialised twice");
	res = push(r, &rec);
	if (res != CELLA_OK)
		return res;
	r->sigstruct = *sig;
	r->initialized = true;
	return CELLA_OK;
}

static cella_result rec_map(void *ctx, uint64_t offset, uint64_t length, int prot)
{
	struct cella_sgx_recorder *r = ctx;
	struct cella_sgx_rec rec = {.kind = CELLA_SGX_REC_MAP, .offset = offset, .length = length, .prot = prot};
	if (!r->initialized)
		return refuse(r, "mmap before EINIT");
	if (offset % PAGE || length % PAGE || length == 0 || offset > r->secs.size || length > r->secs.size - offset)
		return refuse(r, "mmap outside the enclave");
	/* sgx_encl_may_map(): every page in the range exists and allows prot (TCS: RW). */
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return refuse(r, "mmap: unknown protection");
	for (uint64_t p = offset / PAGE; p < (offset + length) / PAGE; p++) {
		if (!r->added[p])
			return refuse(r, "mmap of a page never added");
		if (prot & ~(r->added[p] & 7))
			return refuse(r, "mmap with more permissions than the page was added with");
	}
	return push(r, &rec);
}

const struct cella_sgx_ops cella_sgx_recorder_ops = {
	.name = "dry-run",
	.reserve = rec_reserve,
	.create = rec_create,
	.add_pages = rec_add,
	.provision = rec_provision,
	.init = rec_init,
	.map = rec_map,
};

/* see sgx_internal.h */
void cella_sgx_recorder_init(struct cella_sgx_recorder *r)
{
	memset(r, 0, sizeof(*r));
}

/* see sgx_internal.h */
void cella_sgx_recorder_fini(struct cella_sgx_recorder *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->recs[i].data);
	free(r->recs);
	free(r->added);
	memset(r, 0, sizeof(*r));
}
