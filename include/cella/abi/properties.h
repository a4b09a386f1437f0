/* SPDX-License-Identifier: MIT */
/* The .cella section: enclave properties and the SIGSTRUCT slot, as laid out in the enclave image. */
#ifndef CELLA_ABI_PROPERTIES_H
#define CELLA_ABI_PROPERTIES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CELLA_PROPERTIES_SECTION ".cella"
#define CELLA_PROPERTIES_MAGIC 0x414c4c4543ull /* "CELLA\0\0\0" little-endian */
#define CELLA_PROPERTIES_ABI_VERSION 1u
#define CELLA_SIGSTRUCT_BYTES 1808u
#define CELLA_PROPERTIES_END_MARKER 0xececececececececull

/* SECS.ATTRIBUTES.FLAGS bits (Intel SDM Vol. 3D, 35.7.1) */
#define CELLA_ATTR_INIT 0x01ull
#define CELLA_ATTR_DEBUG 0x02ull
#define CELLA_ATTR_MODE64BIT 0x04ull
#define CELLA_ATTR_PROVISIONKEY 0x10ull
#define CELLA_ATTR_EINITTOKENKEY 0x20ull
#define CELLA_ATTR_KSS 0x80ull

/* Limits the loader enforces on properties (absurd values are refused, never rounded). */
#define CELLA_MAX_TCS 256u
#define CELLA_MIN_HEAP_PAGES 2u           /* the runtime's page bitmap, and at least one page to hand out */
#define CELLA_MAX_HEAP_PAGES (1ull << 20)  /* 4 GiB */
#define CELLA_MAX_STACK_PAGES (1ull << 14) /* 64 MiB per TCS */
#define CELLA_SSA_FRAME_PAGES 1u           /* SECS.SSAFRAMESIZE */
#define CELLA_SSA_FRAMES 2u                /* TCS.NSSA */
#define CELLA_TLS_PAGES 1u                 /* per-TCS pages reserved for TLS, below the thread-data page */

/*
 * Written by the build (cella_add_enclave) and by cella-sign (config overrides). Every field is measured
 * except `sigstruct`, which is zero while measuring. All integers little-endian. Append-only; any change
 * bumps CELLA_PROPERTIES_ABI_VERSION.
 */
struct cella_abi_properties {
	uint64_t magic;          /* CELLA_PROPERTIES_MAGIC */
	uint32_t abi_version;    /* CELLA_PROPERTIES_ABI_VERSION */
	uint32_t size;           /* sizeof(struct cella_abi_properties) */
	uint64_t heap_pages;     /* EADDed, not EEXTENDed */
	uint64_t stack_pages;    /* per TCS */
	uint64_t tcs_count;      /* 1..CELLA_MAX_TCS */
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint32_t misc_select;
	uint32_t misc_mask;
	uint32_t reserved0;
	uint64_t attributes;     /* SECS.ATTRIBUTES.FLAGS requested (DEBUG, MODE64BIT, KSS...) */
	uint64_t xfrm;           /* SECS.ATTRIBUTES.XFRM requested; 0 = use the platform's XCR0 (x87|SSE at least) */
	uint64_t attributes_mask;
	uint64_t xfrm_mask;
	uint8_t isv_family_id[16];
	uint8_t isv_ext_prod_id[16];
	uint64_t reserved1[9];
	uint8_t sigstruct[CELLA_SIGSTRUCT_BYTES]; /* zero when unsigned; zeroed while measuring */
	uint64_t end_marker;     /* CELLA_PROPERTIES_END_MARKER: keeps an all-zero section from being dropped */
};

_Static_assert(sizeof(struct cella_abi_properties) == 2008, "ABI: cella_abi_properties");
_Static_assert(__builtin_offsetof(struct cella_abi_properties, sigstruct) == 192, "ABI: sigstruct offset");

#ifdef __cplusplus
}
#endif
#endif
