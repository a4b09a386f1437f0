// SPDX-License-Identifier: MIT
/* SECS, SECINFO and page permissions from the shared layout and the EINIT outcome (Intel SDM Vol. 3D ch. 35). */
#include "sgx_internal.h"

#include <string.h>
#include <sys/mman.h>

#include "sgx_arch.h"

/* The XSAVE groups and what each needs beside it in XCR0: cella_xfrm_groups and cella_xfrm_needs (image.h, shared
 * with the image parser, which refuses a signed XFRM no XCR0 can hold). */

/* Drops every group whose prerequisites *xfrm lacks; false if the signer requires such a group (`fixed`). */
static bool drop_orphans(uint64_t *xfrm, uint64_t fixed)
{
	for (size_t i = 0; i < sizeof(cella_xfrm_needs) / sizeof(cella_xfrm_needs[0]); i++) {
		const struct cella_xfrm_need *n = &cella_xfrm_needs[i];
		if (!(*xfrm & n->group) || (*xfrm & n->needs) == n->needs)
			continue;
		if (fixed & n->group)
			return false;
		*xfrm &= ~n->group;
	}
	return true;
}

static bool fits(const struct cella_sgx_platform *p, uint64_t xfrm, uint32_t pages, bool exinfo)
{
	uint64_t need = cella_sgx_xsave_bytes(p, xfrm) + CELLA_SGX_GPRSGX_BYTES + (exinfo ? CELLA_SGX_EXINFO_BYTES : 0);
	return need <= (uint64_t)pages * CELLA_PAGE_BYTES;
}

/* see sgx_internal.h */
cella_result cella_sgx_choose_xfrm(const struct cella_sgx_platform *p, uint64_t signed_xfrm, uint64_t signed_mask,
				   uint32_t ssa_frame_pages, bool exinfo, uint64_t *out)
{
	uint64_t avail = p->xcr0 & p->xfrm;
	uint64_t fixed = signed_xfrm & signed_mask;
	uint64_t xfrm;

	if ((fixed & ~avail) != 0 || (signed_mask & 3 & ~signed_xfrm) != 0)
		return CELLA_ERR_ATTRIBUTES; /* the signer requires features this platform does not enable */
	/* PKRU only when the signer requires it: the runtime resets every XFRM component before it exits the
	 * enclave (XSTATE_INIT), which for PKRU would leave the host thread with PKRU 0, every protection key open */
	xfrm = fixed | 3 | (avail & ~signed_mask & ~(1ull << 9));
	/* A group is all-or-nothing in XCR0, and so in XFRM; a signer that requires part of one asks the impossible. */
	for (size_t g = 0; g < sizeof(cella_xfrm_groups) / sizeof(cella_xfrm_groups[0]); g++) {
		if ((xfrm & cella_xfrm_groups[g]) == 0 || (xfrm & cella_xfrm_groups[g]) == cella_xfrm_groups[g])
			continue;
		if (fixed & cella_xfrm_groups[g])
			return CELLA_ERR_ATTRIBUTES;
		xfrm &= ~cella_xfrm_groups[g];
	}
	/* A signer mask that pins AVX off and leaves AVX-512 free must not yield AVX-512 without AVX (0xe3) */
	if (!drop_orphans(&xfrm, fixed))
		return CELLA_ERR_ATTRIBUTES;
	for (size_t g = 0;
	     g < sizeof(cella_xfrm_groups) / sizeof(cella_xfrm_groups[0]) && !fits(p, xfrm, ssa_frame_pages, exinfo);
	     g++)
		if (!(fixed & cella_xfrm_groups[g])) {
			xfrm &= ~cella_xfrm_groups[g];
			if (!drop_orphans(&xfrm, fixed))
				return CELLA_ERR_ATTRIBUTES;
		}
	if (!fits(p, xfrm, ssa_frame_pages, exinfo) || (xfrm & ~avail) != 0)
		return CELLA_ERR_ATTRIBUTES;
	*out = xfrm;
	return CELLA_OK;
}

/* see sgx_internal.h */
cella_result cella_sgx_secs_build(const struct cella_layout *l, const struct cella_einit_info *ei,
				  const struct cella_sgx_platform *p, uint64_t base, struct cella_sgx_secs *out,
				  const char **detail)
{
	struct cella_sgx_secs s;
	uint64_t size = l->r.enclave_size, flags = ei->attributes.flags & ~CELLA_ATTR_INIT;
	const char *why = NULL;
	cella_result r = CELLA_OK;
	bool exinfo = (ei->misc_select & 1) != 0;

	if (size < 2 * CELLA_PAGE_BYTES || (size & (size - 1)) != 0 || base == 0 || (base & (size - 1)) != 0) {
		why = "ELRANGE is not a naturally aligned power of two";
		r = CELLA_ERR_INVALID_ARG;
	} else if (p->max_enclave_log2_64 < 64 && size > (1ull << p->max_enclave_log2_64)) {
		why = "enclave is larger than this CPU supports (CPUID.(12H,0):EDX)";
		r = CELLA_ERR_IMAGE_TOO_LARGE;
	} else if ((ei->misc_select & ~p->misc_select) != 0) {
		why = "signed MISCSELECT has bits this CPU does not support";
		r = CELLA_ERR_ATTRIBUTES;
	} else if ((flags & ~p->attributes) != 0 || !(flags & CELLA_ATTR_MODE64BIT)) {
		why = "ATTRIBUTES has flags this CPU does not support, or lacks MODE64BIT";
		r = CELLA_ERR_ATTRIBUTES;
	}
	memset(&s, 0, sizeof(s));
	if (r == CELLA_OK) {
		r = cella_sgx_choose_xfrm(p, ei->sigstruct.attributes.xfrm, ei->sigstruct.attribute_mask.xfrm,
					  CELLA_SSA_FRAME_PAGES, exinfo, &s.attributes.xfrm);
		if (r != CELLA_OK)
			why = "no XFRM satisfies the signed XFRM mask on this platform within one SSA frame";
	}
	if (r != CELLA_OK) {
		if (detail)
			*detail = why;
		return r;
	}
	s.size = size;
	s.base_addr = base;
	s.ssa_frame_size = CELLA_SSA_FRAME_PAGES; /* also in the ECREATE measurement record */
	s.misc_select = ei->misc_select;
	s.attributes.flags = flags;
	*out = s;
	return CELLA_OK;
}

/* see sgx_internal.h */
void cella_sgx_secinfo(uint64_t flags, struct cella_sgx_secinfo *out)
{
	memset(out, 0, sizeof(*out));
	out->flags = flags & (0xff00ull | CELLA_SECINFO_R | CELLA_SECINFO_W | CELLA_SECINFO_X);
}

/* see sgx_internal.h */
int cella_sgx_page_prot(uint64_t secinfo)
{
	int prot = PROT_NONE;
	if ((secinfo & 0xff00) == CELLA_SECINFO_PT_TCS)
		return PROT_READ | PROT_WRITE;
	if (secinfo & CELLA_SECINFO_R)
		prot |= PROT_READ;
	if (secinfo & CELLA_SECINFO_W)
		prot |= PROT_WRITE;
	if (secinfo & CELLA_SECINFO_X)
		prot |= PROT_EXEC;
	return prot;
}
