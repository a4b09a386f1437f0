// SPDX-License-Identifier: MIT
/* SGX platform facts from CPUID (SDM 36.7.2, leaf 12H) and XCR0; parsing is separate from the instruction. */
#include "sgx_internal.h"

#include <cpuid.h>
#include <string.h>

#define XSAVE_LEGACY_BYTES 576u /* legacy region (512) + XSAVE header (64) */

static void get(cella_cpuid_fn f, void *ctx, uint32_t leaf, uint32_t sub, struct cella_cpuid_regs *r)
{
	memset(r, 0, sizeof(*r));
	f(ctx, leaf, sub, r);
}

/* see sgx_internal.h */
void cella_sgx_platform_parse(cella_cpuid_fn cpuid, void *ctx, uint64_t xcr0, struct cella_sgx_platform *out)
{
	struct cella_cpuid_regs r;
	uint32_t max_leaf;
	struct cella_sgx_platform p;

	memset(&p, 0, sizeof(p));
	p.xcr0 = xcr0;
	get(cpuid, ctx, 0, 0, &r);
	max_leaf = r.eax;
	if (max_leaf >= 0xd) {
		for (uint32_t i = 2; i < 63; i++) {
			if (!(xcr0 & (1ull << i)))
				continue;
			get(cpuid, ctx, 0xd, i, &r);
			p.xsave_end[i] = r.ebx + r.eax; /* offset + size, standard (non-compacted) format */
		}
	}
	if (max_leaf >= 7) {
		get(cpuid, ctx, 7, 0, &r);
		p.sgx = (r.ebx >> 2) & 1;
		p.flc = (r.ecx >> 30) & 1;
	}
	if (p.sgx && max_leaf >= 0x12) {
		get(cpuid, ctx, 0x12, 0, &r);
		p.sgx1 = r.eax & 1;
		p.sgx2 = (r.eax >> 1) & 1;
		p.misc_select = r.ebx;
		p.exinfo = r.ebx & 1;
		p.max_enclave_log2_64 = (r.edx >> 8) & 0xff;
		get(cpuid, ctx, 0x12, 1, &r);
		p.attributes = (uint64_t)r.ebx << 32 | r.eax;
		p.xfrm = (uint64_t)r.edx << 32 | r.ecx;
		p.kss = (p.attributes & CELLA_ATTR_KSS) != 0;
		p.aexnotify = (p.attributes >> 10) & 1;
		/* Sub-leaves 2.. enumerate EPC sections until one of type 0 (SDM table 36-7). */
		for (uint32_t s = 2; s < 2 + 64; s++) {
			uint64_t base, bytes;
			get(cpuid, ctx, 0x12, s, &r);
			if ((r.eax & 0xf) != 1)
				break;
			base = ((uint64_t)(r.ebx & 0xfffff) << 32) | (r.eax & 0xfffff000u);
			bytes = ((uint64_t)(r.edx & 0xfffff) << 32) | (r.ecx & 0xfffff000u);
			if (p.epc_sections < CELLA_SGX_MAX_EPC_SECTIONS) {
				p.epc_base[p.epc_sections] = base;
				p.epc_bytes[p.epc_sections] = bytes;
				p.epc_sections++;
			}
			p.epc_total += bytes;
		}
		if (!p.sgx1)
			p.sgx = false; /* leaf 12H without SGX1 leaves: BIOS disabled it */
	} else {
		p.sgx = false;
	}
	*out = p;
}

static void real_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cella_cpuid_regs *r)
{
	(void)ctx;
	__cpuid_count(leaf, sub, r->eax, r->ebx, r->ecx, r->edx);
}

/* see sgx_internal.h */
void cella_sgx_platform_probe(struct cella_sgx_platform *out)
{
	struct cella_cpuid_regs r;
	uint64_t xcr0 = 0;

	real_cpuid(NULL, 1, 0, &r);
	if ((r.ecx >> 27) & 1) { /* OSXSAVE: XGETBV is available */
		uint32_t lo, hi;
		__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		xcr0 = (uint64_t)hi << 32 | lo;
	}
	cella_sgx_platform_parse(real_cpuid, NULL, xcr0, out);
}

/* see sgx_internal.h */
void cella_sgx_platform_dryrun(struct cella_sgx_platform *out)
{
	struct cella_sgx_platform here;

	cella_sgx_platform_probe(&here);
	here.sgx = here.sgx1 = here.sgx2 = here.flc = here.exinfo = here.kss = true;
	here.aexnotify = false;
	here.misc_select = 1; /* EXINFO */
	here.attributes = CELLA_ATTR_INIT | CELLA_ATTR_DEBUG | CELLA_ATTR_MODE64BIT | CELLA_ATTR_PROVISIONKEY |
			  CELLA_ATTR_EINITTOKENKEY | CELLA_ATTR_KSS;
	here.xfrm = here.xcr0 ? here.xcr0 : 3;
	here.max_enclave_log2_64 = 36;
	here.epc_sections = 1;
	here.epc_base[0] = 0x80000000ull;
	here.epc_bytes[0] = here.epc_total = 64ull << 20;
	*out = here;
}

/* see sgx_internal.h */
uint64_t cella_sgx_xsave_bytes(const struct cella_sgx_platform *p, uint64_t xfrm)
{
	uint64_t end = XSAVE_LEGACY_BYTES;
	for (unsigned i = 2; i < 63; i++)
		if ((xfrm & (1ull << i)) && p->xsave_end[i] > end)
			end = p->xsave_end[i];
	return end;
}
