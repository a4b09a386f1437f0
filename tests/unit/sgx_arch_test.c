// SPDX-License-Identifier: MIT
/*
 * SECS, TCS and SECINFO built from the shared layout, read back byte by byte at the offsets of the Intel SDM
 * (Vol. 3D 35.7, 35.8, 35.11); XFRM selection; CPUID leaf 12H parsing.
 */
#include <string.h>
#include <sys/mman.h>

#include "cella_test.h"
#include "image.h"
#include "layout.h"
#include "measure.h"
#include "sgx_arch.h"
#include "sgx_internal.h"
#include "sign_testelf.h"
#include "sigstruct.h"

static uint64_t rd64(const void *p, size_t off)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)p + off, 8);
	return v;
}

static uint32_t rd32(const void *p, size_t off)
{
	uint32_t v;
	memcpy(&v, (const uint8_t *)p + off, 4);
	return v;
}

static bool zero(const void *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[off + i])
			return false;
	return true;
}

struct fixture {
	struct testelf t;
	struct cella_image img;
	struct cella_layout l;
	struct cella_einit_info ei;
	struct cella_sgx_platform p;
};

static void setup(struct fixture *f)
{
	struct testelf_opts o;
	struct cella_hash mr;
	testelf_default_opts(&o);
	testelf_build(&o, &f->t);
	CT_RESULT(cella_image_parse(f->t.data, f->t.size, &f->img), CELLA_OK);
	CT_RESULT(cella_layout_build(&f->img, &f->l), CELLA_OK);
	CT_RESULT(cella_measure(&f->l, &mr), CELLA_OK);
	CT_RESULT(cella_einit_check(&f->img, &mr, true, &f->ei), CELLA_OK);
	cella_sgx_platform_dryrun(&f->p);
}

static void teardown(struct fixture *f)
{
	cella_layout_fini(&f->l);
	testelf_free(&f->t);
}

static void test_secs(void)
{
	struct fixture f;
	struct cella_sgx_secs s;
	const char *why = NULL;
	uint64_t base;

	setup(&f);
	base = f.l.r.enclave_size * 64;
	CT_RESULT(cella_sgx_secs_build(&f.l, &f.ei, &f.p, base, &s, &why), CELLA_OK);
	CT_EQ(rd64(&s, 0), f.l.r.enclave_size);          /* SIZE */
	CT_EQ(rd64(&s, 8), base);                        /* BASEADDR */
	CT_EQ(rd32(&s, 16), CELLA_SSA_FRAME_PAGES);      /* SSAFRAMESIZE: the ECREATE record's value */
	CT_EQ(rd32(&s, 20), f.ei.misc_select);           /* MISCSELECT */
	CT_ASSERT(zero(&s, 24, 24));                     /* reserved, CET fields */
	CT_EQ(rd64(&s, 48), CELLA_ATTR_MODE64BIT | CELLA_ATTR_DEBUG); /* ATTRIBUTES.FLAGS; INIT clear */
	CT_EQ(rd64(&s, 56) & 3, 3);                      /* XFRM: x87 and SSE always */
	CT_EQ(rd64(&s, 56) & ~(f.p.xcr0 | 3), 0);        /* nothing XCR0 does not enable */
	CT_ASSERT(zero(&s, 64, 4096 - 64));              /* MRENCLAVE, MRSIGNER, ISV*, CONFIG*: hardware's */
	cella_test_pass("SECS field by field");

	/* negative: misaligned base, too large for the CPU, unsupported MISCSELECT / ATTRIBUTES */
	CT_RESULT(cella_sgx_secs_build(&f.l, &f.ei, &f.p, base + 4096, &s, &why), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(why && strstr(why, "aligned"));
	{
		struct cella_sgx_platform small = f.p;
		small.max_enclave_log2_64 = 12;
		CT_RESULT(cella_sgx_secs_build(&f.l, &f.ei, &small, base, &s, &why), CELLA_ERR_IMAGE_TOO_LARGE);
	}
	{
		struct cella_einit_info ei = f.ei;
		ei.misc_select = 0x2;
		CT_RESULT(cella_sgx_secs_build(&f.l, &ei, &f.p, base, &s, &why), CELLA_ERR_ATTRIBUTES);
		ei = f.ei;
		ei.attributes.flags &= ~CELLA_ATTR_MODE64BIT;
		CT_RESULT(cella_sgx_secs_build(&f.l, &ei, &f.p, base, &s, &why), CELLA_ERR_ATTRIBUTES);
	}
	{
		struct cella_sgx_platform nodebug = f.p;
		nodebug.attributes &= ~CELLA_ATTR_DEBUG;
		CT_RESULT(cella_sgx_secs_build(&f.l, &f.ei, &nodebug, base, &s, &why), CELLA_ERR_ATTRIBUTES);
	}
	cella_test_pass("SECS refusals");
	teardown(&f);
}

static void test_tcs_secinfo(void)
{
	struct fixture f;
	size_t ntcs = 0;

	setup(&f);
	for (size_t i = 0; i < f.l.npages; i++) {
		const struct cella_page *pg = &f.l.pages[i];
		struct cella_layout_tcs t;
		const uint8_t *tcs = pg->data;
		if ((pg->secinfo & 0xff00) != CELLA_SECINFO_PT_TCS)
			continue;
		CT_RESULT(cella_layout_tcs(&f.l.r, ntcs, &t), CELLA_OK);
		CT_EQ(pg->rva, t.tcs_rva);
		CT_EQ(pg->secinfo, CELLA_SECINFO_PT_TCS); /* R/W/X must be 0 for a TCS (EADD) */
		CT_ASSERT(pg->measured);
		CT_EQ(rd64(tcs, 0), 0);                    /* reserved (STATE) */
		CT_EQ(rd64(tcs, 8), 0);                    /* FLAGS: DBGOPTIN clear */
		CT_EQ(rd64(tcs, 16), t.ssa_rva);           /* OSSA */
		CT_EQ(t.ssa_rva, t.tcs_rva + 4096);        /* the entry code finds SSA frame 0 at TCS + 4 KiB */
		CT_EQ(t.stack_hi + 4096, t.tcs_rva);       /* and the stack top one guard page below the TCS */
		CT_EQ(rd64(tcs, 16) % 4096, 0);
		CT_EQ(rd32(tcs, 24), 0);                   /* CSSA */
		CT_EQ(rd32(tcs, 28), CELLA_SSA_FRAMES);    /* NSSA = 2: one call frame, one exception frame */
		CT_EQ(rd64(tcs, 32), f.img.entry_rva);     /* OENTRY */
		CT_EQ(rd64(tcs, 40), 0);                   /* AEP: written by EENTER */
		CT_EQ(rd64(tcs, 48), t.td_rva);            /* OFSBASE */
		CT_EQ(rd64(tcs, 56), t.td_rva);            /* OGSBASE */
		CT_EQ(rd64(tcs, 48) % 4096, 0);
		CT_EQ(rd32(tcs, 64), 0xffffffffu);         /* FSLIMIT */
		CT_EQ(rd32(tcs, 68), 0xffffffffu);         /* GSLIMIT */
		CT_ASSERT(zero(tcs, 72, 4096 - 72));
		/* the SSA frames follow as regular RW pages, measured */
		for (uint32_t k = 0; k < CELLA_SSA_FRAMES * CELLA_SSA_FRAME_PAGES; k++) {
			CT_EQ(f.l.pages[i + 1 + k].rva, t.ssa_rva + 4096ull * k);
			CT_EQ(f.l.pages[i + 1 + k].secinfo, CELLA_SECINFO_PT_REG | CELLA_SECINFO_R | CELLA_SECINFO_W);
		}
		ntcs++;
	}
	CT_EQ(ntcs, f.l.r.tcs_count);
	cella_test_pass("TCS pages field by field");

	{
		struct cella_sgx_secinfo si;
		cella_sgx_secinfo(CELLA_SECINFO_PT_REG | CELLA_SECINFO_R | CELLA_SECINFO_X, &si);
		CT_EQ(rd64(&si, 0), 0x205);
		CT_ASSERT(zero(&si, 8, 56));
		cella_sgx_secinfo(CELLA_SECINFO_PT_TCS, &si);
		CT_EQ(rd64(&si, 0), 0x100);
		cella_sgx_secinfo(0xffffffffffffffffull, &si); /* only type and R/W/X survive */
		CT_EQ(rd64(&si, 0), 0xff07);
		CT_EQ(cella_sgx_page_prot(CELLA_SECINFO_PT_REG | CELLA_SECINFO_R | CELLA_SECINFO_X), PROT_READ | PROT_EXEC);
		CT_EQ(cella_sgx_page_prot(CELLA_SECINFO_PT_REG | CELLA_SECINFO_R | CELLA_SECINFO_W), PROT_READ | PROT_WRITE);
		CT_EQ(cella_sgx_page_prot(CELLA_SECINFO_PT_TCS), PROT_READ | PROT_WRITE);
		CT_EQ(cella_sgx_page_prot(CELLA_SECINFO_PT_REG), PROT_NONE);
	}
	cella_test_pass("SECINFO and page permissions");
	teardown(&f);
}

static struct cella_sgx_platform avx512_pkru_amx(void)
{
	struct cella_sgx_platform p;
	memset(&p, 0, sizeof(p));
	p.xcr0 = p.xfrm = 0x602e7; /* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM PKRU TILECFG TILEDATA */
	p.xsave_end[2] = 832;
	p.xsave_end[5] = 1152;
	p.xsave_end[6] = 1664;
	p.xsave_end[7] = 2688;
	p.xsave_end[9] = 2696;
	p.xsave_end[17] = 2816;
	p.xsave_end[18] = 11008;
	return p;
}

static void test_xfrm(void)
{
	struct cella_sgx_platform p = avx512_pkru_amx(), legacy;
	uint64_t x = 0;

	/* default properties: signed XFRM x87|SSE with mask ...ff1b: AVX and AVX-512 are the platform's choice */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 3, 0xffffffffffffff1bull, 1, false, &x), CELLA_OK);
	CT_EQ(x, 0xe7);
	/* mask x87|SSE only: everything that fits one page but PKRU (the host's protection keys would be reset on
	 * every exit); AMX (11 KiB) does not fit and goes as a whole */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 3, 3, 1, true, &x), CELLA_OK);
	CT_EQ(x, 0xe7);
	/* with two SSA pages per frame AMX still does not fit */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 3, 3, 2, false, &x), CELLA_OK);
	CT_EQ(x, 0xe7);
	CT_RESULT(cella_sgx_choose_xfrm(&p, 3, 3, 3, false, &x), CELLA_OK);
	CT_EQ(x, 0x600e7);
	/* a signer that requires PKRU gets it */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 0x203, 0x203, 1, false, &x), CELLA_OK);
	CT_EQ(x, 0x2e7);
	/* a signer that requires AVX on a platform without it */
	memset(&legacy, 0, sizeof(legacy));
	legacy.xcr0 = legacy.xfrm = 3;
	CT_RESULT(cella_sgx_choose_xfrm(&legacy, 7, ~0ull, 1, false, &x), CELLA_ERR_ATTRIBUTES);
	CT_RESULT(cella_sgx_choose_xfrm(&legacy, 3, ~0ull, 1, false, &x), CELLA_OK);
	CT_EQ(x, 3);
	/* a signer that requires x87 off: impossible */
	CT_RESULT(cella_sgx_choose_xfrm(&legacy, 2, ~0ull, 1, false, &x), CELLA_ERR_ATTRIBUTES);
	/* a signer that requires AMX: cannot fit one SSA page */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 0x60003, ~0ull, 1, false, &x), CELLA_ERR_ATTRIBUTES);
	cella_test_pass("XFRM within the signed mask and one SSA frame");
}

/* True if x is a value XSETBV would put in XCR0 (SDM Vol. 1, 13.3), which ECREATE requires of XFRM. */
static bool legal_xcr0(uint64_t x)
{
	uint64_t avx512 = x & 0xe0;
	return (x & 3) == 3 && (!(x & 4) || (x & 2)) && (avx512 == 0 || (avx512 == 0xe0 && (x & 6) == 6)) &&
	       ((x >> 3) & 3) != 1 && ((x >> 3) & 3) != 2 && ((x >> 17) & 3) != 1 && ((x >> 17) & 3) != 2;
}

/*
 * Groups depend on each other in XCR0: AVX-512 needs AVX, AVX needs SSE. A signer mask that pins AVX off and
 * leaves AVX-512 to the platform used to build 0xe3, which ECREATE refuses (#GP); AVX-512 now goes with AVX.
 */
static void test_xfrm_dependencies(void)
{
	struct cella_sgx_platform p = avx512_pkru_amx();
	uint64_t x = 0;

	/* AVX pinned off (mask x87|SSE|AVX, signed x87|SSE), AVX-512 free */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 3, 7, 1, false, &x), CELLA_OK);
	CT_EQ(x, 3);
	CT_ASSERT(legal_xcr0(x));
	/* ... with room for AMX, which needs neither */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 3, 7, 3, false, &x), CELLA_OK);
	CT_EQ(x, 0x60003);
	/* AVX free, AVX-512 free: both stay */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 3, 3, 1, false, &x), CELLA_OK);
	CT_EQ(x, 0xe7);
	/* a signer that requires AVX-512 with AVX pinned off, or part of the AVX-512 group: no legal XFRM */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 0xe3, 0xe7, 3, false, &x), CELLA_ERR_ATTRIBUTES);
	CT_RESULT(cella_sgx_choose_xfrm(&p, 0x23, 0x63, 3, false, &x), CELLA_ERR_ATTRIBUTES);
	/* AVX-512 required, AVX free: AVX is kept for it even when the frame is tight */
	CT_RESULT(cella_sgx_choose_xfrm(&p, 0xe3, 0xe3, 1, false, &x), CELLA_OK);
	CT_EQ(x, 0xe7);
	/* every mask over the low 8 bits and both frame sizes: whatever is chosen is a legal XCR0 value */
	for (uint64_t mask = 0; mask < 0x100; mask++)
		for (uint32_t pages = 1; pages <= 3; pages += 2)
			if (cella_sgx_choose_xfrm(&p, 3, mask | 3, pages, false, &x) == CELLA_OK && !legal_xcr0(x))
				cella_test_fail(__FILE__, __LINE__, "mask 0x%llx, %u pages: XFRM 0x%llx is not a legal XCR0",
						(unsigned long long)mask, pages, (unsigned long long)x);
	cella_test_pass("XFRM: a group without its prerequisite is dropped; a signer requiring one is refused");
}

/* A fake CPU for leaf 0, 7, 0xD and 0x12. */
struct fake_cpu {
	bool sgx, sgx1, sgx2, flc;
	unsigned epc;
};

static void fake_cpuid(void *ctx, uint32_t leaf, uint32_t sub, struct cella_cpuid_regs *r)
{
	const struct fake_cpu *c = ctx;
	switch (leaf) {
	case 0:
		r->eax = 0x1f;
		break;
	case 7:
		r->ebx = c->sgx ? 1u << 2 : 0;
		r->ecx = c->flc ? 1u << 30 : 0;
		break;
	case 0xd:
		if (sub == 2) {
			r->eax = 256;
			r->ebx = 576;
		}
		break;
	case 0x12:
		if (sub == 0) {
			r->eax = (c->sgx1 ? 1 : 0) | (c->sgx2 ? 2 : 0);
			r->ebx = 1;                /* MISCSELECT.EXINFO */
			r->edx = (38u << 8) | 31u; /* max enclave 2^38 (64-bit), 2^31 (32-bit) */
		} else if (sub == 1) {
			r->eax = 0x36;             /* DEBUG MODE64BIT PROVISIONKEY EINITTOKENKEY */
			r->ecx = 0xe7;
		} else if (sub - 2 < c->epc) {
			r->eax = 0x80000000u | 1;  /* type 1: EPC section, base low */
			r->ebx = sub - 2;          /* base high */
			r->ecx = 0x04000000u | 1;  /* 64 MiB (+ the property bits in 3:0) */
			r->edx = 0;
		}
		break;
	default:
		break;
	}
}

static void test_platform(void)
{
	struct fake_cpu c = {.sgx = true, .sgx1 = true, .sgx2 = true, .flc = true, .epc = 2};
	struct cella_sgx_platform p;

	cella_sgx_platform_parse(fake_cpuid, &c, 7, &p);
	CT_ASSERT(p.sgx && p.sgx1 && p.sgx2 && p.flc && p.exinfo && !p.kss);
	CT_EQ(p.max_enclave_log2_64, 38);
	CT_EQ(p.attributes, 0x36);
	CT_EQ(p.xfrm, 0xe7);
	CT_EQ(p.epc_sections, 2);
	CT_EQ(p.epc_base[1], (1ull << 32) | 0x80000000u);
	CT_EQ(p.epc_bytes[0], 64ull << 20);
	CT_EQ(p.epc_total, 128ull << 20);
	CT_EQ(cella_sgx_xsave_bytes(&p, 7), 832);
	CT_EQ(cella_sgx_xsave_bytes(&p, 3), 576);
	c.sgx2 = c.flc = false;
	c.epc = 0;
	cella_sgx_platform_parse(fake_cpuid, &c, 3, &p);
	CT_ASSERT(p.sgx && p.sgx1 && !p.sgx2 && !p.flc && p.epc_total == 0);
	c.sgx1 = false; /* leaf 12H present but SGX1 leaves off: disabled */
	cella_sgx_platform_parse(fake_cpuid, &c, 3, &p);
	CT_ASSERT(!p.sgx);
	c.sgx = false;
	c.sgx1 = true;
	cella_sgx_platform_parse(fake_cpuid, &c, 3, &p);
	CT_ASSERT(!p.sgx && !p.sgx1);
	cella_sgx_platform_probe(&p); /* this machine: must not crash; says what it finds */
	CT_ASSERT((p.xcr0 & 3) == 3 || p.xcr0 == 0);
	cella_test_pass("CPUID leaf 12H parsing");
}

int main(void)
{
	test_secs();
	test_tcs_secinfo();
	test_xfrm();
	test_xfrm_dependencies();
	test_platform();
	return 0;
}
