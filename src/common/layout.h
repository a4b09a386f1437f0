/* SPDX-License-Identifier: MIT */
/* The SGX page list of an enclave: one layout that every backend loads and that cella-sign measures. */
#ifndef CELLA_COMMON_LAYOUT_H
#define CELLA_COMMON_LAYOUT_H

#include <cella/abi/properties.h>
#include <cella/abi/sgx.h>
#include <cella/result.h>

#include "image.h"

/*
 * Enclave address space, offsets (RVAs) from the enclave base:
 *
 *   [0, image_bytes)            PT_LOAD segments at p_vaddr; R/W/X from p_flags;        EADD + EEXTEND
 *                               image_bytes = round_up_4k(max(p_vaddr + p_memsz)); pages no segment covers are holes
 *   [heap_rva, +heap_bytes)     heap, zero, RW                                          EADD only
 *   per TCS i (block of tcs_block_bytes at tcs_rva(i) = heap_rva + heap_bytes + i * tcs_block_bytes):
 *     +0                        guard page (hole)
 *     +4K                       stack: stack_pages, zero, RW                            EADD + EEXTEND
 *     stack end                 guard page (hole)
 *     +..                       TCS page (PT_TCS, R/W/X = 0)                            EADD + EEXTEND
 *     +..                       CELLA_SSA_FRAMES x CELLA_SSA_FRAME_PAGES SSA pages, RW  EADD + EEXTEND
 *     +..                       guard page (hole)
 *     +..                       CELLA_TLS_PAGES TLS pages, RW                           EADD + EEXTEND
 *     +..                       thread-data page, RW (TCS.OFSBASE/OGSBASE point here)   EADD + EEXTEND
 *   enclave_size = smallest power of two >= total, at least 2 pages; SECS.SIZE = enclave_size.
 */
struct cella_layout_regions {
	uint64_t image_bytes;
	uint64_t heap_rva;
	uint64_t heap_bytes;
	uint64_t tcs_base_rva;    /* first TCS block */
	uint64_t tcs_block_bytes; /* one TCS block */
	uint64_t tcs_count;
	uint64_t stack_pages;
	uint64_t used_bytes;      /* end of the last TCS block */
	uint64_t enclave_size;    /* power of two */
};

/* Where the pieces of TCS block i are (RVAs). */
struct cella_layout_tcs {
	uint64_t block_rva;
	uint64_t stack_lo;  /* lowest stack byte */
	uint64_t stack_hi;  /* one past the highest stack byte (initial RSP) */
	uint64_t tcs_rva;
	uint64_t ssa_rva;
	uint64_t tls_rva;
	uint64_t td_rva;    /* thread-data page */
};

/*
 * Validates the sizes in `props` (1 <= tcs_count <= CELLA_MAX_TCS, CELLA_MIN_HEAP_PAGES <= heap_pages <=
 * CELLA_MAX_HEAP_PAGES, stack within its maximum, no overflow) and computes the regions for an image of `image_bytes` (page multiple). Pure arithmetic:
 * compiled into the enclave runtime too, so both worlds agree on where the heap and stacks are.
 * Errors: CELLA_ERR_IMAGE_PROPERTIES (absurd sizes), CELLA_ERR_IMAGE_TOO_LARGE (enclave > 2^46 bytes).
 */
CELLA_MUST_USE cella_result cella_layout_regions(const struct cella_abi_properties *props, uint64_t image_bytes,
						 struct cella_layout_regions *out);

/* Fills `out` for TCS block `i` (< r->tcs_count; otherwise CELLA_ERR_INVALID_ARG). */
CELLA_MUST_USE cella_result cella_layout_tcs(const struct cella_layout_regions *r, uint64_t i,
					     struct cella_layout_tcs *out);

/* SECINFO.FLAGS (Intel SDM 35.11): permission bits and page type in bits 8..15. */
#define CELLA_SECINFO_R 0x1ull
#define CELLA_SECINFO_W 0x2ull
#define CELLA_SECINFO_X 0x4ull
#define CELLA_SECINFO_PT_SECS 0x000ull
#define CELLA_SECINFO_PT_TCS 0x100ull
#define CELLA_SECINFO_PT_REG 0x200ull

/* One page an SGX loader would EADD, in EADD order. */
struct cella_page {
	uint64_t rva;
	uint64_t secinfo;        /* CELLA_SECINFO_* */
	const uint8_t *data;     /* 4096 bytes, owned by the layout; NULL = zero page */
	bool measured;           /* EEXTEND all 16 chunks after the EADD */
};

/*
 * The page list. Produced by cella_layout_build, released by cella_layout_fini; the caller owns the struct,
 * the layout owns everything its pointers reach. It does not reference the image it was built from.
 */
struct cella_layout {
	struct cella_layout_regions r;
	uint64_t entry_rva;
	struct cella_page *pages; /* npages entries, ascending rva */
	size_t npages;
	uint8_t *image;           /* copies of the image pages that hold file bytes (packed, image_data_pages of
				     them): bytes past p_filesz and outside segments zero, .cella sigstruct zeroed.
				     Pages without file bytes (.bss) have data == NULL. */
	size_t image_data_pages;
	uint8_t *tcs_pages;       /* tcs_count TCS pages (struct cella_sgx_tcs) */
};

/*
 * Builds the EADD list of `img` (borrowed; not referenced afterwards), in the order above:
 *   image pages: a page is listed if a PT_LOAD covers any byte of it; SECINFO = PT_REG | the OR of the
 *     covering segments' R/W/X; contents = file bytes, zero past p_filesz; the SIGSTRUCT bytes inside .cella
 *     are zeroed; measured.
 *   heap pages: PT_REG | RW, zero, not measured.
 *   per TCS: stack pages (RW, zero), the TCS page (PT_TCS, SDM 35.8: OSSA = ssa_rva, NSSA = CELLA_SSA_FRAMES,
 *     OENTRY = entry_rva, OFSBASE = OGSBASE = td_rva, FSLIMIT = GSLIMIT = 0xffffffff, rest zero), SSA pages,
 *     TLS pages and the thread-data page (RW, zero); all measured.
 * Properties are taken from img->props (validated again with cella_layout_regions).
 * On failure *out is zeroed (cella_layout_fini on it is a no-op).
 * Errors: CELLA_ERR_INVALID_ARG, CELLA_ERR_IMAGE_PROPERTIES, CELLA_ERR_IMAGE_TOO_LARGE,
 * CELLA_ERR_IMAGE_SEGMENTS (an image page would be writable but not readable, which SGX refuses),
 * CELLA_ERR_OUT_OF_MEMORY.
 */
CELLA_MUST_USE cella_result cella_layout_build(const struct cella_image *img, struct cella_layout *out);

/* Frees what cella_layout_build allocated and zeroes *l. NULL and repeated calls are no-ops. */
void cella_layout_fini(struct cella_layout *l);

#endif
