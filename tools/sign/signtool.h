/* SPDX-License-Identifier: MIT */
/* cella-sign's library: config files, the sign/digest/catsig pipeline, key generation (host only). */
#ifndef CELLA_SIGNTOOL_H
#define CELLA_SIGNTOOL_H

#include <cella/abi/sgx.h>
#include <cella/result.h>

#include "image.h"

/* Keys of the `Key=Value` config file; a bit in cella_sign_config.set for each one present. */
enum cella_sign_key {
	CELLA_SIGN_DEBUG,               /* Debug=0|1: CELLA_ATTR_DEBUG */
	CELLA_SIGN_NUM_HEAP_PAGES,      /* NumHeapPages */
	CELLA_SIGN_NUM_STACK_PAGES,     /* NumStackPages */
	CELLA_SIGN_NUM_TCS,             /* NumTCS */
	CELLA_SIGN_PRODUCT_ID,          /* ProductID (u16) */
	CELLA_SIGN_SECURITY_VERSION,    /* SecurityVersion (u16) */
	CELLA_SIGN_FAMILY_ID,           /* FamilyID (128-bit, hex; enables KSS) */
	CELLA_SIGN_EXTENDED_PRODUCT_ID, /* ExtendedProductID (128-bit, hex; enables KSS) */
	CELLA_SIGN_MISC_SELECT,         /* MiscSelect (u32) */
	CELLA_SIGN_MISC_MASK,           /* MiscMask (u32) */
	CELLA_SIGN_ATTRIBUTES_MASK,     /* AttributesMask (u64, the ATTRIBUTEMASK.FLAGS) */
	CELLA_SIGN_KEY_COUNT
};

struct cella_sign_config {
	uint32_t set; /* 1u << enum cella_sign_key */
	uint64_t value[CELLA_SIGN_KEY_COUNT];   /* integer keys */
	uint8_t family_id[16];                  /* 128-bit values, little-endian like every SGX integer */
	uint8_t ext_product_id[16];
};

/*
 * Parses a config file's text (text[0..len), borrowed): lines `Name=Value`, `#` comments, blank lines,
 * whitespace around names and values ignored. Integers are decimal or 0x-hex; 128-bit IDs are hex (0x optional,
 * up to 32 digits). Unknown names, duplicates, bad numbers and out-of-range values are errors; the sizes must
 * lie within the limits the image parser enforces (NumHeapPages CELLA_MIN_HEAP_PAGES..CELLA_MAX_HEAP_PAGES,
 * NumStackPages 1..CELLA_MAX_STACK_PAGES, NumTCS 1..CELLA_MAX_TCS).
 * On failure *line (out) is the 1-based line number and *detail a static phrase (naming the setting when the
 * value is wrong, e.g. "NumTCS must be a number from 1 to 256").
 * Errors: CELLA_ERR_BAD_FORMAT.
 */
CELLA_MUST_USE cella_result cella_sign_config_parse(const char *text, size_t len, struct cella_sign_config *out,
						    unsigned *line, const char **detail);

/* Overrides properties with the keys present in `c`. */
void cella_sign_config_apply(const struct cella_sign_config *c, struct cella_abi_properties *p);

/*
 * The common first half of sign, digest and catsig, on a private copy of the image file data[0..size):
 * applies `cfg` (may be NULL) to the .cella properties in data, then parses (into *img, which borrows data),
 * lays out and measures (*mrenclave), and builds the unsigned SIGSTRUCT for `date_bcd` (*sig).
 * *diag (may be NULL) explains image errors; *detail a static phrase for others.
 * Errors: those of cella_image_parse, cella_layout_build, cella_measure.
 */
CELLA_MUST_USE cella_result cella_sign_prepare(uint8_t *data, size_t size, const struct cella_sign_config *cfg,
					       uint32_t date_bcd, struct cella_image *img,
					       struct cella_hash *mrenclave, struct cella_sgx_sigstruct *sig,
					       struct cella_image_diag *diag);

/* Writes `sig` into the .cella section of data (the file bytes img was parsed from). */
void cella_sign_store(uint8_t *data, const struct cella_image *img, const struct cella_sgx_sigstruct *sig);

/*
 * Generates an RSA-3072 key with e = 3 and writes it as an unencrypted PKCS#8 PEM to a new file `path`
 * (mode 0600; an existing file is an error unless `overwrite`). Errors: CELLA_ERR_IO, CELLA_ERR_CRYPTO.
 */
CELLA_MUST_USE cella_result cella_sign_genkey(const char *path, bool overwrite);

/* Wipes then frees a buffer that held key material. NULL is a no-op. */
void cella_sign_free_secret(void *p, size_t n);

#endif
