/* SPDX-License-Identifier: MIT */
/* The SGX backend, host side: platform probe, SECS/SECINFO construction, the loader and its ioctl layer. */
#ifndef CELLA_HOST_SGX_INTERNAL_H
#define CELLA_HOST_SGX_INTERNAL_H

#include <cella/abi/sgx.h>
#include <cella/result.h>

#include "layout.h"
#include "sgx_uapi.h"
#include "sigstruct.h"

/* ------------------------------------------------------------------------------------------------------
 * Platform (sgx_platform.c): what CPUID leaves 7 and 0x12 (SDM 36.7) and XCR0 say. Parsing is separate from
 * the CPUID instruction so tests can feed any processor.
 */
struct cella_cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};
typedef void (*cella_cpuid_fn)(void *ctx, uint32_t leaf, uint32_t subleaf, struct cella_cpuid_regs *out);

#define CELLA_SGX_MAX_EPC_SECTIONS 8u

struct cella_sgx_platform {
	bool sgx;                 /* CPUID.(7,0):EBX[2] and leaf 0x12 enumerated */
	bool sgx1, sgx2;          /* CPUID.(12H,0):EAX[0], [1] */
	bool flc;                 /* flexible launch control: CPUID.(7,0):ECX[30] */
	bool exinfo;              /* MISCSELECT.EXINFO supported */
	bool kss;                 /* key separation and sharing (ATTRIBUTES.KSS supported) */
	bool aexnotify;           /* ATTRIBUTES bit 10 supported */
	uint32_t misc_select;     /* supported MISCSELECT bits, CPUID.(12H,0):EBX */
	uint64_t attributes;      /* supported ATTRIBUTES.FLAGS, CPUID.(12H,1):EBX:EAX */
	uint64_t xfrm;            /* supported ATTRIBUTES.XFRM, CPUID.(12H,1):EDX:ECX */
	uint32_t max_enclave_log2_64; /* CPUID.(12H,0):EDX[15:8] */
	uint32_t epc_sections;
	uint64_t epc_base[CELLA_SGX_MAX_EPC_SECTIONS];
	uint64_t epc_bytes[CELLA_SGX_MAX_EPC_SECTIONS];
	uint64_t epc_total;
	uint64_t xcr0;            /* enabled XSAVE features (0 without OSXSAVE) */
	uint32_t xsave_end[64];   /* per XSAVE component: offset + size in the standard format (CPUID 0xD) */
};

/* Fills *out from `cpuid` and `xcr0`. Never fails: an absent feature is reported as absent. */
void cella_sgx_platform_parse(cella_cpuid_fn cpuid, void *ctx, uint64_t xcr0, struct cella_sgx_platform *out);
/* This machine: the CPUID instruction and XGETBV(0). */
void cella_sgx_platform_probe(struct cella_sgx_platform *out);
/* A typical SGX2+FLC platform with this machine's XCR0, for dry runs on machines without SGX. */
void cella_sgx_platform_dryrun(struct cella_sgx_platform *out);
/* Bytes XSAVE (standard format) needs for the components in xfrm. */
uint64_t cella_sgx_xsave_bytes(const struct cella_sgx_platform *p, uint64_t xfrm);

/* ------------------------------------------------------------------------------------------------------
 * Architectural structures from the layout (sgx_build.c).
 */

/*
 * SECS.ATTRIBUTES.XFRM: the signed value on the bits the signed mask covers; on the other bits whatever XCR0
 * enables and SGX supports, dropping whole feature groups (AMX, PKRU, AVX-512, MPX, AVX: highest first)
 * until XSAVE plus GPRSGX (plus EXINFO when `exinfo`) fits an SSA frame of ssa_frame_pages. The result is a
 * legal XCR0 value, as ECREATE requires: a group left without its prerequisite (AVX-512 without AVX, AVX
 * without SSE) is dropped too.
 * Errors: CELLA_ERR_ATTRIBUTES (the signed bits need features the platform lacks, part of a group, a group
 * without its prerequisite, or cannot fit).
 */
CELLA_MUST_USE cella_result cella_sgx_choose_xfrm(const struct cella_sgx_platform *p, uint64_t signed_xfrm,
						  uint64_t signed_mask, uint32_t ssa_frame_pages, bool exinfo,
						  uint64_t *out);

/*
 * The SECS for ECREATE (SDM 35.7): SIZE = l->r.enclave_size, BASEADDR = base (naturally aligned),
 * SSAFRAMESIZE = CELLA_SSA_FRAME_PAGES, MISCSELECT and ATTRIBUTES.FLAGS from the EINIT outcome (INIT clear,
 * MODE64BIT and DEBUG as signed/requested), XFRM from cella_sgx_choose_xfrm against SIGSTRUCT; every other
 * byte zero (EINIT fills MRSIGNER, ISVPRODID, ISVSVN). *detail: a static phrase on failure.
 * Errors: CELLA_ERR_INVALID_ARG (base misaligned), CELLA_ERR_IMAGE_TOO_LARGE (beyond the CPU's maximum),
 * CELLA_ERR_ATTRIBUTES (MISCSELECT/ATTRIBUTES/XFRM the platform does not support).
 */
CELLA_MUST_USE cella_result cella_sgx_secs_build(const struct cella_layout *l, const struct cella_einit_info *ei,
						 const struct cella_sgx_platform *p, uint64_t base,
						 struct cella_sgx_secs *out, const char **detail);

/* SECINFO for a page of the layout (SDM 35.11): FLAGS = page type | R/W/X, reserved bytes zero. */
void cella_sgx_secinfo(uint64_t flags, struct cella_sgx_secinfo *out);

/* mmap protection for a page: R/W/X of a regular page; TCS pages PROT_READ|PROT_WRITE (the kernel's rule). */
int cella_sgx_page_prot(uint64_t secinfo);

/* ------------------------------------------------------------------------------------------------------
 * The loader (sgx_load.c) over an ioctl layer. Two implementations: the device (sgx_device.c) and the
 * recorder (sgx_record.c), which checks every call as the kernel would and keeps the stream for tests.
 */
struct cella_sgx_ops {
	const char *name;
	/* Reserves a naturally aligned, inaccessible range of `size` bytes (ELRANGE). */
	cella_result (*reserve)(void *ctx, uint64_t size, uint64_t *base);
	cella_result (*create)(void *ctx, const struct cella_sgx_secs *secs);                /* ECREATE */
	/* EADD (+ EEXTEND of every 256-byte chunk when flags has CELLA_SGX_PAGE_MEASURE); src page-aligned. */
	cella_result (*add_pages)(void *ctx, uint64_t offset, const uint8_t *src, uint64_t length,
				  const struct cella_sgx_secinfo *secinfo, uint64_t flags);
	cella_result (*provision)(void *ctx); /* grant ATTRIBUTES.PROVISIONKEY (/dev/sgx_provision) */
	cella_result (*init)(void *ctx, const struct cella_sgx_sigstruct *sig);               /* EINIT */
	cella_result (*map)(void *ctx, uint64_t offset, uint64_t length, int prot);           /* mmap the fd */
};

#define CELLA_SGX_ADD_BATCH_PAGES 64u /* pages per ADD_PAGES call */

struct cella_sgx_loaded {
	uint64_t base;
	uint64_t size;
	struct cella_sgx_secs secs; /* as passed to ECREATE */
	uint32_t tcs_count;
	uint64_t tcs[CELLA_MAX_TCS]; /* TCS linear addresses, in TCS order */
};

/*
 * Loads layout `l` with EINIT outcome `ei` (from cella_einit_check) on platform `p` through `ops`: reserve,
 * ECREATE, every page of the list in order (consecutive pages with equal SECINFO and measurement batched,
 * SGX_PAGE_MEASURE exactly on the measured ones), PROVISION when PROVISIONKEY is set, EINIT, then mmap of each
 * run of equal permissions. Fills *out on success. The caller releases ops' resources on failure.
 * *detail (out, may be NULL): a static phrase naming the failing step.
 */
CELLA_MUST_USE cella_result cella_sgx_load(const struct cella_sgx_ops *ops, void *ctx, const struct cella_layout *l,
					   const struct cella_einit_info *ei, const struct cella_sgx_platform *p,
					   struct cella_sgx_loaded *out, const char **detail);

/* ---- the dry-run recorder (sgx_record.c) ---- */
enum cella_sgx_rec_kind {
	CELLA_SGX_REC_RESERVE = 1,
	CELLA_SGX_REC_CREATE,
	CELLA_SGX_REC_ADD,
	CELLA_SGX_REC_PROVISION,
	CELLA_SGX_REC_INIT,
	CELLA_SGX_REC_MAP,
};

struct cella_sgx_rec {
	enum cella_sgx_rec_kind kind;
	uint64_t offset, length;
	uint64_t secinfo; /* ADD: SECINFO.FLAGS */
	uint64_t flags;   /* ADD: SGX_PAGE_MEASURE or 0 */
	int prot;         /* MAP */
	uint8_t *data;    /* ADD: copy of the source bytes (length) */
};

struct cella_sgx_recorder {
	struct cella_sgx_rec *recs;
	size_t n, cap;
	uint64_t base;       /* what reserve returns (default: an aligned fake address) */
	struct cella_sgx_secs secs;
	struct cella_sgx_sigstruct sigstruct;
	uint8_t *added;      /* one byte per enclave page: already EADDed */
	bool created, initialized;
	const char *error;   /* the kernel rule a call broke (static), NULL if none */
	/* fault injection: the call of kind fail_kind number fail_at (1-based) returns fail_with */
	enum cella_sgx_rec_kind fail_kind;
	unsigned fail_at, seen;
	cella_result fail_with;
};
extern const struct cella_sgx_ops cella_sgx_recorder_ops;
void cella_sgx_recorder_init(struct cella_sgx_recorder *r);
void cella_sgx_recorder_fini(struct cella_sgx_recorder *r);

/* ---- the device (sgx_device.c) ---- */
struct cella_sgx_device {
	int fd;
	int provision_fd;
	uint8_t *base;
	uint64_t size;
	char path[64];
	const char *einit_detail; /* why the last EINIT failed (static text or einit_why), or NULL */
	uint64_t secs_flags;      /* SECS.ATTRIBUTES.FLAGS given to ECREATE */
	char einit_why[320];      /* the EACCES reason, naming the refused bits */
};
/* Device nodes tried in order: the in-tree driver's, then the legacy (out-of-tree DCAP driver) name. */
extern const char *const cella_sgx_device_paths[];
extern const char *const cella_sgx_provision_paths[];
/* The vDSO exit handler of every enter: stores RDI and RSI at exit into run->user_data (long[2]). */
int cella_sgx_exit_regs(long rdi, long rsi, long rdx, long rsp, long r8, long r9, struct cella_sgx_enclave_run *run);
/* Opens the first of `paths` (NULL-terminated) that opens, read-only, into *fd. CELLA_ERR_NO_DEVICE if none
 * exists; CELLA_ERR_PERMISSION if none opened and one exists but refused us (even if a later one is absent). */
cella_result cella_sgx_open_any(const char *const *paths, int *fd);
/*
 * Opens the first of paths[] (NULL-terminated) that exists, checking it is an SGX enclave device.
 * *why (out) gets one line naming every path tried and what failed. Errors: CELLA_ERR_NO_DEVICE (none exists),
 * CELLA_ERR_PERMISSION (exists, open refused), CELLA_ERR_BACKEND (not a character device).
 */
CELLA_MUST_USE cella_result cella_sgx_device_open(const char *const *paths, struct cella_sgx_device *d, char *why,
						  size_t n);
void cella_sgx_device_close(struct cella_sgx_device *d); /* unmaps, closes; repeat is a no-op */
extern const struct cella_sgx_ops cella_sgx_device_ops;  /* ctx: struct cella_sgx_device */
/* What an EINIT status code (the ioctl's positive return) means, and the cella_result for it. */
cella_result cella_sgx_einit_result(int status, const char **detail);
/*
 * ATTRIBUTES.FLAGS the in-tree driver lets an enclave have: sgx_encl_create's SGX_ATTR_UNPRIV_MASK (DEBUG,
 * MODE64BIT, KSS; also AEX-Notify since Linux 6.2, which no image may request) plus PROVISIONKEY, which
 * SGX_IOC_ENCLAVE_PROVISION adds. sgx_encl_init refuses any other SECS attribute with EACCES.
 */
#define CELLA_SGX_DRIVER_ATTRIBUTES                                                                            \
	(CELLA_ATTR_DEBUG | CELLA_ATTR_MODE64BIT | CELLA_ATTR_KSS | CELLA_ATTR_PROVISIONKEY)
/* Why EINIT said EACCES for an enclave created with SECS.ATTRIBUTES.FLAGS secs_flags, naming the bits outside
 * CELLA_SGX_DRIVER_ATTRIBUTES, into buf[0..n) (always NUL-terminated when n > 0). */
void cella_sgx_eacces_why(uint64_t secs_flags, char *buf, size_t n);
/* What SGX_IOC_ENCLAVE_INIT's outcome means: rc >= 0 as cella_sgx_einit_result (the legacy driver returns the
 * status), rc < 0 by errno err (the in-tree driver: EPERM for any EINIT status, EACCES, EINVAL, EIO). For
 * EACCES, *detail is buf (n > 0), filled by cella_sgx_eacces_why(secs_flags); otherwise static text. */
cella_result cella_sgx_einit_ioctl_result(int rc, int err, uint64_t secs_flags, char *buf, size_t n,
					  const char **detail);

/* ------------------------------------------------------------------------------------------------------
 * The vDSO (sgx_vdso.c).
 */
/*
 * Finds the dynamic symbol `name` (STT_FUNC, defined) in the ELF image img[0..size) mapped as the kernel maps
 * the vDSO; *offset = its address relative to img. Every table access is bounds-checked.
 * Errors: CELLA_ERR_BAD_FORMAT (not a 64-bit ELF, tables out of bounds), CELLA_ERR_NOT_FOUND.
 */
CELLA_MUST_USE cella_result cella_sgx_vdso_find(const uint8_t *img, size_t size, const char *name,
						uint64_t *offset);
/* __vdso_sgx_enter_enclave of this process (AT_SYSINFO_EHDR). Errors: CELLA_ERR_NOT_FOUND (kernel without SGX). */
CELLA_MUST_USE cella_result cella_sgx_vdso_enter(cella_sgx_enter_fn *out);

/*
 * A stand-in for the SGX hardware, driver and vDSO, for tests only (tests/sgxsim): when set, the SGX backend
 * loads through `ops` (ctx from `open`, released by `close`), takes `platform` for CPUID and enters through
 * `enter` instead of __vdso_sgx_enter_enclave. Everything above those three seams is the production code.
 */
struct cella_sgx_stand_in {
	const char *name;
	const struct cella_sgx_ops *ops;
	void *(*open)(void);
	void (*close)(void *ctx);
	struct cella_sgx_platform platform;
	cella_sgx_enter_fn enter;
	/* The quoting enclave, in place of Intel's libraries: its TARGETINFO (512 bytes), and a quote (malloc'd)
	 * for a REPORT (432 bytes) targeted at it. */
	cella_result (*qe_target_info)(uint8_t ti[512]);
	cella_result (*quote)(const uint8_t report[432], uint8_t **quote, size_t *len);
};
extern const struct cella_sgx_stand_in *cella_sgx_stand_in;

/* ------------------------------------------------------------------------------------------------------
 * Quotes through Intel's DCAP libraries, loaded at run time (sgx_quote.c).
 */
struct cella_sgx_quote_env {
	const char *ql_lib;        /* in-process quote library: "libsgx_dcap_ql.so.1" */
	const char *qpl_lib;       /* quote provider library it loads: "libdcap_quoteprov.so.1" */
	const char *quote_ex_lib;  /* out-of-process (aesmd) client: "libsgx_quote_ex.so.1" */
	const char *const *provision_paths;
	const char *qcnl_conf;     /* "/etc/sgx_default_qcnl.conf" */
	const char *aesm_addr;     /* SGX_AESM_ADDR, NULL if unset: selects out-of-process */
	const char *aesm_socket;   /* "/var/run/aesmd/aesm.socket" */
};
void cella_sgx_quote_env_default(struct cella_sgx_quote_env *env);

struct cella_sgx_quoter {
	void *lib;
	bool out_of_process;
	int (*qe_get_target_info)(void *ti);
	int (*qe_get_quote_size)(uint32_t *size);
	int (*qe_get_quote)(const void *report, uint32_t size, uint8_t *quote);
	int (*select_att_key_id)(const uint8_t *list, uint32_t list_size, void *key_id);
	int (*init_quote_ex)(const void *key_id, void *ti, size_t *pub_size, uint8_t *pub);
	int (*get_quote_size_ex)(const void *key_id, uint32_t *size);
	int (*get_quote_ex)(const void *report, const void *key_id, void *qe_report_info, uint8_t *quote,
			    uint32_t size);
	uint8_t att_key_id[256];
};

/*
 * Checks the configuration and loads the library for the mode the environment selects. *why (out): one line
 * naming the missing library, device or file and what to install or mount. Errors: CELLA_ERR_NOT_FOUND
 * (library), CELLA_ERR_NO_DEVICE (/dev/sgx_provision), CELLA_ERR_PERMISSION (device not accessible),
 * CELLA_ERR_NO_FILE (QCNL configuration or aesmd socket).
 */
CELLA_MUST_USE cella_result cella_sgx_quote_open(const struct cella_sgx_quote_env *env, struct cella_sgx_quoter *q,
						 char *why, size_t n);
void cella_sgx_quote_close(struct cella_sgx_quoter *q);
/* TARGETINFO (512 bytes) of the quoting enclave. Errors: CELLA_ERR_BACKEND (*why names the quote3 status). */
CELLA_MUST_USE cella_result cella_sgx_quote_target_info(struct cella_sgx_quoter *q, uint8_t ti[512], char *why,
							size_t n);
/* The DCAP quote for REPORT `report` (432 bytes): *quote (out, caller frees), *len. */
CELLA_MUST_USE cella_result cella_sgx_quote_get(struct cella_sgx_quoter *q, const uint8_t report[432],
						uint8_t **quote, size_t *len, char *why, size_t n);
/* Short description of a quote3_error_t / sgx_status_t value with the usual remedy, never NULL. */
const char *cella_sgx_quote_status_str(uint32_t status);

/* ------------------------------------------------------------------------------------------------------
 * Image check (sgx_backend.c): does the image's entry point carry the two-world dispatcher
 * (cella_enclave_entry, src/enclave/sgx/sgx_entry.S)? Images built before the SGX runtime do not.
 */
bool cella_sgx_image_has_entry(const struct cella_image *img);

#endif
