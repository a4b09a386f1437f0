/* SPDX-License-Identifier: MIT */
/* Enclave image parsing: validates an x86-64 static-pie ELF and extracts its .cella properties. */
#ifndef CELLA_COMMON_IMAGE_H
#define CELLA_COMMON_IMAGE_H

#include <cella/abi/properties.h>
#include <cella/result.h>

#define CELLA_IMAGE_MAX_SEGMENTS 16u       /* PT_LOAD entries; a static-pie has 4 or 5 */
#define CELLA_IMAGE_MAX_BYTES (1ull << 36) /* image_bytes limit (64 GiB of address space) */
/*
 * Zero-fill limit: the sum over PT_LOAD segments of p_memsz - p_filesz (.bss and the like). Those pages are
 * listed and measured (EADD + EEXTEND of zeroes), so without a bound a file of a few hundred bytes could make
 * cella-sign and the loader list 16M pages and hash 80 GB before refusing anything. 1 GiB is ~300 times the
 * largest .bss in the tree (3 MiB); large zeroed memory belongs in the heap (heap_pages), which is EADDed only.
 */
#define CELLA_IMAGE_MAX_ZERO_FILL_BYTES (1ull << 30)

/*
 * ATTRIBUTES.FLAGS bits an image may request: DEBUG, MODE64BIT, PROVISIONKEY and KSS, what the Linux driver lets
 * an enclave have (sgx_encl_create's SGX_ATTR_UNPRIV_MASK, plus PROVISIONKEY through SGX_IOC_ENCLAVE_PROVISION;
 * sgx_encl_init refuses anything else with EACCES). INIT is EINIT's to set. EINITTOKENKEY (bit 5) is for launch
 * enclaves, which the driver never grants; AEX-Notify (bit 10) does nothing unless the runtime sets
 * TCS.FLAGS.AEXNOTIFY, which it does not, and Linux before 6.2 refuses it. Bits 3, 6 (CET), 8, 9 and 11..63 are
 * reserved, as in the Linux driver.
 */
#define CELLA_IMAGE_ATTR_AEXNOTIFY 0x400ull
#define CELLA_IMAGE_ATTRIBUTES_KNOWN                                                                           \
	(CELLA_ATTR_DEBUG | CELLA_ATTR_MODE64BIT | CELLA_ATTR_PROVISIONKEY | CELLA_ATTR_KSS)
#define CELLA_IMAGE_XFRM_REQUIRED 0x3ull /* x87 | SSE: every XFRM ECREATE accepts has both */

/* XSAVE components an XFRM names (SDM Vol. 1, 13.1) that XCR0, and so XFRM, enables or disables only together, or
 * only beside others: XSETBV refuses AVX without SSE and AVX-512 without AVX, and ECREATE an XFRM that is not a
 * legal XCR0 value (#GP). */
#define CELLA_XFRM_SSE (1ull << 1)
#define CELLA_XFRM_AVX (1ull << 2)
#define CELLA_XFRM_MPX ((1ull << 3) | (1ull << 4))                  /* BNDREGS, BNDCSR */
#define CELLA_XFRM_AVX512 ((1ull << 5) | (1ull << 6) | (1ull << 7)) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define CELLA_XFRM_PKRU (1ull << 9)
#define CELLA_XFRM_AMX ((1ull << 17) | (1ull << 18)) /* TILECFG, TILEDATA */

/* The groups, in the order an SGX loader gives them up when the SSA frame is too small (AVX last). */
extern const uint64_t cella_xfrm_groups[5];
/* What a group needs beside it, in dependency order (one pass drops what a dropped group leaves alone). */
struct cella_xfrm_need {
	uint64_t group, needs;
};
extern const struct cella_xfrm_need cella_xfrm_needs[2];

/* NULL if xfrm is a value XCR0 can hold (x87 and SSE, whole groups, each with what it needs), else why not. */
const char *cella_xfrm_illegal(uint64_t xfrm);

/* A PT_LOAD segment as validated by cella_image_parse. */
struct cella_image_segment {
	uint64_t vaddr;  /* RVA of the first byte */
	uint64_t memsz;  /* > 0 */
	uint64_t offset; /* file offset of the first byte */
	uint64_t filesz; /* <= memsz; [offset, offset + filesz) lies inside the file */
	uint32_t flags;  /* CELLA_SECINFO_R/W/X (converted from PF_*) */
};

/*
 * A parsed enclave image. Fixed size, no heap: the caller owns it. `data` is borrowed from the caller of
 * cella_image_parse and must outlive every use of the image (cella_layout_build copies what it needs).
 */
struct cella_image {
	const uint8_t *data;
	size_t size;
	struct cella_abi_properties props; /* copy of the .cella section */
	uint64_t props_offset;             /* file offset of the .cella section */
	uint64_t props_rva;                /* RVA of the .cella section */
	uint64_t entry_rva;                /* e_entry; inside an executable segment */
	uint64_t image_bytes;              /* round_up_4k(max(p_vaddr + p_memsz)) over PT_LOAD */
	size_t nsegments;                  /* PT_LOAD segments (none empty), ascending vaddr, disjoint */
	struct cella_image_segment segments[CELLA_IMAGE_MAX_SEGMENTS];
};

/*
 * What was wrong, for a log line. `what` is a static English phrase (never NULL after a failed parse);
 * `offset`/`value` carry the numbers it names, valid when the matching has_* flag is set.
 * Example: what = "relocation type is not R_X86_64_RELATIVE", offset = r_offset, value = type.
 */
struct cella_image_diag {
	const char *what;
	uint64_t offset;
	uint64_t value;
	uint64_t index;  /* the program header `what` is about */
	bool has_offset;
	bool has_value;
	bool has_index;
};

/*
 * Parses and validates the enclave image data[0..size) (borrowed; see struct cella_image). On success fills
 * *out; on failure *out is untouched.
 * Errors: CELLA_ERR_IMAGE_NOT_ELF (magic, ELFCLASS64, little-endian, version), CELLA_ERR_IMAGE_MACHINE,
 * CELLA_ERR_IMAGE_NOT_PIE (not ET_DYN, PT_INTERP or DT_NEEDED), CELLA_ERR_TRUNCATED (a header, table,
 * segment or section extends past the end of the file), CELLA_ERR_IMAGE_SEGMENTS (malformed, empty (p_memsz
 * 0), overlapping or unsorted PT_LOAD, a PT_LOAD with PF_W but not PF_R, bad table entry sizes, entry point outside executable
 * code), CELLA_ERR_IMAGE_TOO_LARGE (a PT_LOAD ending past CELLA_IMAGE_MAX_BYTES, zero-fill past
 * CELLA_IMAGE_MAX_ZERO_FILL_BYTES, or sizes past the maximum enclave size),
 * CELLA_ERR_IMAGE_TEXTREL (DT_TEXTREL, DF_TEXTREL, or a relocation targeting a non-writable segment),
 * CELLA_ERR_IMAGE_RELOCATION (a relocation other than R_X86_64_RELATIVE, DT_RELR, or a target outside every
 * segment), CELLA_ERR_IMAGE_NO_PROPERTIES, CELLA_ERR_IMAGE_PROPERTIES (wrong size, magic, ABI version, end
 * marker or reserved fields; not file-backed inside a PT_LOAD; attributes with INIT, EINITTOKENKEY or
 * AEX-Notify, with another bit outside CELLA_IMAGE_ATTRIBUTES_KNOWN, or without MODE64BIT; a nonzero isv_family_id without KSS, which EINIT refuses;
 * a nonzero xfrm without CELLA_IMAGE_XFRM_REQUIRED; or sizes cella_layout_regions() refuses).
 */
CELLA_MUST_USE cella_result cella_image_parse(const uint8_t *data, size_t size, struct cella_image *out);

/* As cella_image_parse; additionally fills *diag (out, may be NULL) on failure. */
CELLA_MUST_USE cella_result cella_image_parse_diag(const uint8_t *data, size_t size, struct cella_image *out,
						   struct cella_image_diag *diag);

/*
 * Formats `diag` for error code `r` into buf[0..n) as one line without a newline, e.g.
 * "relocation type is not R_X86_64_RELATIVE (type 1 at offset 0x2010)". Always NUL-terminates (n > 0).
 */
void cella_image_diag_format(cella_result r, const struct cella_image_diag *diag, char *buf, size_t n);

/*
 * Reads the whole file at `path` into a new heap buffer: *data (out, caller frees) and *size.
 * Errors: CELLA_ERR_NO_FILE (ENOENT), CELLA_ERR_TOO_LARGE (larger than CELLA_IMAGE_MAX_BYTES),
 * CELLA_ERR_OUT_OF_MEMORY, CELLA_ERR_IO (anything else).
 */
CELLA_MUST_USE cella_result cella_image_read_file(const char *path, uint8_t **data, size_t *size);

#endif
