/* SPDX-License-Identifier: MIT */
/* SGX architectural structures (Intel SDM Vol. 3D ch. 35 and 38.13) as byte-exact C structs. */
#ifndef CELLA_ABI_SGX_H
#define CELLA_ABI_SGX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * These structures are consumed by hardware (ENCLS leaves) and appear in signed and measured data, so their
 * layouts are fixed by the architecture, not by us. All integers are little-endian. Every size and every
 * offset that software relies on is pinned by a _Static_assert below.
 */

#define CELLA_SGX_SECS_BYTES 4096u
#define CELLA_SGX_TCS_BYTES 4096u
#define CELLA_SGX_SECINFO_BYTES 64u
#define CELLA_SGX_SIGSTRUCT_BYTES 1808u
#define CELLA_SGX_MODULUS_BYTES 384u /* RSA-3072 */

/* ATTRIBUTES (SDM 35.7.1): FLAGS (CELLA_ATTR_* in cella/abi/properties.h) and XFRM. */
struct cella_sgx_attributes {
	uint64_t flags;
	uint64_t xfrm;
};

/* SECS (SDM 35.7, table "Layout of Enclave Control Structure"). */
struct cella_sgx_secs {
	uint64_t size;           /* 0: enclave size in bytes, a power of two */
	uint64_t base_addr;      /* 8: enclave base linear address, naturally aligned to size */
	uint32_t ssa_frame_size; /* 16: pages per SSA frame */
	uint32_t misc_select;    /* 20 */
	uint8_t reserved1[24];   /* 24: CET_LEG_BITMAP_OFFSET, CET_ATTRIBUTES and reserved */
	struct cella_sgx_attributes attributes; /* 48 */
	uint8_t mr_enclave[32];  /* 64 */
	uint8_t reserved2[32];   /* 96 */
	uint8_t mr_signer[32];   /* 128 */
	uint8_t reserved3[32];   /* 160 */
	uint8_t config_id[64];   /* 192 */
	uint16_t isv_prod_id;    /* 256 */
	uint16_t isv_svn;        /* 258 */
	uint16_t config_svn;     /* 260 */
	uint8_t reserved4[3834]; /* 262 */
};

/* TCS (SDM 35.8, table "Layout of Thread Control Structure"). Offsets are relative to the enclave base. */
struct cella_sgx_tcs {
	uint64_t reserved0; /* 0: architecturally reserved (state), zero */
	uint64_t flags;     /* 8: bit 0 DBGOPTIN, bit 1 AEXNOTIFY */
	uint64_t ossa;      /* 16: offset of the SSA stack */
	uint32_t cssa;      /* 24: current SSA frame */
	uint32_t nssa;      /* 28: number of SSA frames */
	uint64_t oentry;    /* 32: offset of the entry point */
	uint64_t aep;       /* 40: asynchronous exit pointer, written by EENTER */
	uint64_t ofsbase;   /* 48: FS base offset */
	uint64_t ogsbase;   /* 56: GS base offset */
	uint32_t fslimit;   /* 64 */
	uint32_t gslimit;   /* 68 */
	uint8_t reserved1[4024]; /* 72 */
};

/* SECINFO (SDM 35.11): FLAGS = R/W/X bits 0..2, page type in bits 8..15 (CELLA_SECINFO_* in layout.h). */
struct cella_sgx_secinfo {
	uint64_t flags;
	uint8_t reserved[56];
};

/* SIGSTRUCT (SDM 38.13). The signed message is header (bytes 0..127) followed by body (bytes 900..1027). */
#define CELLA_SIGSTRUCT_HEADER_OFFSET 0u
#define CELLA_SIGSTRUCT_HEADER_BYTES 128u
#define CELLA_SIGSTRUCT_BODY_OFFSET 900u
#define CELLA_SIGSTRUCT_BODY_BYTES 128u
#define CELLA_SIGSTRUCT_SIGNED_BYTES 256u /* header || body */
#define CELLA_SIGSTRUCT_TYPE_DEBUG 0x80000000u /* TYPE bit 31: "debug launch" signer (not the DEBUG attribute) */
#define CELLA_SIGSTRUCT_VENDOR_INTEL 0x8086u
#define CELLA_SIGSTRUCT_EXPONENT 3u

/* Fixed HEADER and HEADER2 byte strings (SDM 38.13). */
#define CELLA_SIGSTRUCT_HEADER_INIT {0x06, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00}
#define CELLA_SIGSTRUCT_HEADER2_INIT                                                                      \
	{0x01, 0x01, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}

struct cella_sgx_sigstruct {
	/* header: signed */
	uint8_t header[12];      /* 0: CELLA_SIGSTRUCT_HEADER_INIT */
	uint32_t type;           /* 12: 0, or CELLA_SIGSTRUCT_TYPE_DEBUG */
	uint32_t vendor;         /* 16: 0, or 0x8086 for Intel */
	uint32_t date;           /* 20: BCD yyyymmdd, e.g. 0x20240131 */
	uint8_t header2[16];     /* 24: CELLA_SIGSTRUCT_HEADER2_INIT */
	uint32_t swdefined;      /* 40: software defined */
	uint8_t reserved1[84];   /* 44: zero */
	/* key: not signed */
	uint8_t modulus[384];    /* 128: RSA modulus, little-endian */
	uint32_t exponent;       /* 512: RSA public exponent, 3 */
	uint8_t signature[384];  /* 516: RSA signature of header || body, little-endian */
	/* body: signed */
	uint32_t misc_select;    /* 900 */
	uint32_t misc_mask;      /* 904 */
	uint8_t reserved2[4];    /* 908: CET_ATTRIBUTES(+MASK) on newer parts; zero */
	uint8_t isv_family_id[16]; /* 912 (KSS) */
	struct cella_sgx_attributes attributes;      /* 928 */
	struct cella_sgx_attributes attribute_mask;  /* 944 */
	uint8_t enclave_hash[32];  /* 960: MRENCLAVE */
	uint8_t reserved3[16];     /* 992: zero */
	uint8_t isv_ext_prod_id[16]; /* 1008 (KSS) */
	uint16_t isv_prod_id;      /* 1024 */
	uint16_t isv_svn;          /* 1026 */
	/* buffer: not signed */
	uint8_t reserved4[12];     /* 1028: zero */
	uint8_t q1[384];           /* 1040: floor(S^2 / M), little-endian */
	uint8_t q2[384];           /* 1424: floor((S^3 - q1 * S * M) / M), little-endian */
};

#define CELLA_SGX_OFF(t, f) __builtin_offsetof(struct t, f)
_Static_assert(sizeof(struct cella_sgx_attributes) == 16, "ABI: attributes");
_Static_assert(sizeof(struct cella_sgx_secs) == CELLA_SGX_SECS_BYTES, "ABI: secs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_secs, ssa_frame_size) == 16, "ABI: secs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_secs, attributes) == 48, "ABI: secs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_secs, mr_enclave) == 64, "ABI: secs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_secs, mr_signer) == 128, "ABI: secs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_secs, config_id) == 192, "ABI: secs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_secs, isv_prod_id) == 256, "ABI: secs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_secs, config_svn) == 260, "ABI: secs");
_Static_assert(sizeof(struct cella_sgx_tcs) == CELLA_SGX_TCS_BYTES, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, flags) == 8, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, ossa) == 16, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, cssa) == 24, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, nssa) == 28, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, oentry) == 32, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, aep) == 40, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, ofsbase) == 48, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, ogsbase) == 56, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, fslimit) == 64, "ABI: tcs");
_Static_assert(CELLA_SGX_OFF(cella_sgx_tcs, gslimit) == 68, "ABI: tcs");
_Static_assert(sizeof(struct cella_sgx_secinfo) == CELLA_SGX_SECINFO_BYTES, "ABI: secinfo");
_Static_assert(sizeof(struct cella_sgx_sigstruct) == CELLA_SGX_SIGSTRUCT_BYTES, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, type) == 12, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, vendor) == 16, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, date) == 20, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, header2) == 24, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, swdefined) == 40, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, reserved1) == 44, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, modulus) == 128, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, exponent) == 512, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, signature) == 516, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, misc_select) == CELLA_SIGSTRUCT_BODY_OFFSET, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, misc_mask) == 904, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, isv_family_id) == 912, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, attributes) == 928, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, attribute_mask) == 944, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, enclave_hash) == 960, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, isv_ext_prod_id) == 1008, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, isv_prod_id) == 1024, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, isv_svn) == 1026, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, reserved4) == 1028, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, q1) == 1040, "ABI: sigstruct");
_Static_assert(CELLA_SGX_OFF(cella_sgx_sigstruct, q2) == 1424, "ABI: sigstruct");
#undef CELLA_SGX_OFF

#ifdef __cplusplus
}
#endif
#endif
