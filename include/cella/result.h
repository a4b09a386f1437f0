/* SPDX-License-Identifier: MIT */
/* Cella result codes: one enum for every fallible function, host and enclave alike. */
#ifndef CELLA_RESULT_H
#define CELLA_RESULT_H

#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Values are stable (they cross the host/enclave boundary and appear in logs); append only.
 * Each area owns a block of 0x100 codes so areas can grow without renumbering.
 */
typedef enum cella_result {
	CELLA_OK = 0,

	/* 0x001 generic */
	CELLA_ERR_UNEXPECTED = 0x001,      /* a broken invariant; a bug */
	CELLA_ERR_INVALID_ARG = 0x002,     /* a parameter is NULL, out of range or inconsistent */
	CELLA_ERR_OUT_OF_MEMORY = 0x003,
	CELLA_ERR_OVERFLOW = 0x004,        /* a size computation would wrap */
	CELLA_ERR_NOT_FOUND = 0x005,
	CELLA_ERR_IO = 0x006,              /* a read, write or open failed (errno is logged) */
	CELLA_ERR_BAD_FORMAT = 0x007,      /* input bytes do not parse */
	CELLA_ERR_BUFFER_TOO_SMALL = 0x008,
	CELLA_ERR_UNSUPPORTED = 0x009,
	CELLA_ERR_INVALID_STATE = 0x00a,   /* call not allowed in the object's current state */
	CELLA_ERR_TOO_LARGE = 0x00b,       /* input exceeds a configured limit */
	CELLA_ERR_NO_FILE = 0x00c,         /* a named file does not exist */
	CELLA_ERR_TRUNCATED = 0x00d,       /* input ends before a structure it announces */
	CELLA_ERR_CRYPTO = 0x00e,          /* a crypto library call failed */
	CELLA_ERR_PERMISSION = 0x00f,
	CELLA_ERR_PEER_CLOSED = 0x010,     /* the peer ended the connection in order (TLS close_notify) */

	/* 0x100 enclave image: ELF, properties, layout */
	CELLA_ERR_IMAGE_NOT_ELF = 0x100,        /* no ELF magic, or not ELFCLASS64/little-endian */
	CELLA_ERR_IMAGE_MACHINE = 0x101,        /* e_machine is not EM_X86_64 */
	CELLA_ERR_IMAGE_NOT_PIE = 0x102,        /* not ET_DYN, or has PT_INTERP (not a static-pie) */
	CELLA_ERR_IMAGE_RELOCATION = 0x103,     /* a relocation other than R_X86_64_RELATIVE */
	CELLA_ERR_IMAGE_TEXTREL = 0x104,        /* DT_TEXTREL, or a relocation targets a non-writable page */
	CELLA_ERR_IMAGE_NO_PROPERTIES = 0x105,  /* no .cella section */
	CELLA_ERR_IMAGE_PROPERTIES = 0x106,     /* .cella present but its contents are invalid (absurd sizes, 0 TCS...) */
	CELLA_ERR_IMAGE_SEGMENTS = 0x107,       /* PT_LOAD segments overlap, are unaligned or exceed the file */
	CELLA_ERR_IMAGE_TOO_LARGE = 0x108,      /* enclave size would exceed the supported maximum */

	/* 0x200 signing and EINIT rules */
	CELLA_ERR_SIGSTRUCT = 0x200,            /* SIGSTRUCT header fields are malformed */
	CELLA_ERR_SIGNATURE = 0x201,            /* SIGSTRUCT signature or Q1/Q2 do not verify */
	CELLA_ERR_MEASUREMENT = 0x202,          /* ENCLAVEHASH differs from the computed MRENCLAVE */
	CELLA_ERR_NOT_SIGNED = 0x203,           /* a non-debug enclave without SIGSTRUCT */
	CELLA_ERR_DEBUG_MISMATCH = 0x204,       /* DEBUG attribute disagrees with the create flags */
	CELLA_ERR_ATTRIBUTES = 0x205,           /* attributes/MISCSELECT violate the signed masks */
	CELLA_ERR_KEY = 0x206,                  /* signing key is not RSA-3072 with e = 3 */

	/* 0x300 runtime and calls */
	CELLA_ERR_ENCLAVE_LOST = 0x300,         /* the enclave crashed or was killed; every later call fails too */
	CELLA_ERR_OUT_OF_TCS = 0x301,           /* every TCS is busy */
	CELLA_ERR_INVALID_FUNCTION = 0x302,     /* ecall/ocall id out of range or not present */
	CELLA_ERR_ECALL_NOT_ALLOWED = 0x303,    /* private ecall, or nested ecall not in the ocall's allow list */
	CELLA_ERR_OCALL_NOT_ALLOWED = 0x304,    /* reserved: no call returns it (an unknown ocall is INVALID_FUNCTION) */
	CELLA_ERR_BACKEND = 0x305,              /* the backend could not start (monitor, device, ...) */
	CELLA_ERR_NO_DEVICE = 0x306,            /* SGX requested but no /dev/sgx_enclave */
	CELLA_ERR_HOST_POINTER = 0x307,         /* a host pointer is not wholly outside the enclave / in the window */
	CELLA_ERR_BAD_STRING = 0x308,           /* a string is not NUL-terminated within its bound */
	CELLA_ERR_MARSHAL = 0x309,              /* an argument buffer is malformed */
	CELLA_ERR_REENTRANT = 0x30a,            /* call made in a state that forbids it */

	/* 0x400 identity: reports, keys, sealing, evidence */
	CELLA_ERR_MAC_MISMATCH = 0x400,
	CELLA_ERR_INVALID_KEYNAME = 0x401,
	CELLA_ERR_INVALID_CPUSVN = 0x402,
	CELLA_ERR_INVALID_ISVSVN = 0x403,
	CELLA_ERR_SEALED_BLOB = 0x404,
	CELLA_ERR_REPORT_DATA = 0x405,
	CELLA_ERR_STALE = 0x406,                /* sealed blob is authentic but older than the caller's minimum version */
	CELLA_ERR_SEAL_BACKEND = 0x407,         /* sealed blob names another backend (sandbox vs SGX) */

	/* 0x500 verification: quotes, collateral, certificates, policy */
	CELLA_ERR_QUOTE_FORMAT = 0x500,         /* quote bytes malformed */
	CELLA_ERR_QUOTE_VERSION = 0x501,        /* unsupported quote version / TEE type / key type */
	CELLA_ERR_CERT_DATA_TYPE = 0x502,       /* certification data type other than 5 or 6 */
	CELLA_ERR_CERT_CHAIN = 0x503,           /* certificate chain does not build or verify */
	CELLA_ERR_UNTRUSTED_ROOT = 0x504,       /* chain ends in a root that is not pinned/configured */
	CELLA_ERR_REVOKED = 0x505,
	CELLA_ERR_EXPIRED = 0x506,              /* a certificate, CRL or collateral is outside its validity */
	CELLA_ERR_CRL = 0x507,
	CELLA_ERR_COLLATERAL = 0x508,           /* TCB Info / QE Identity malformed or mismatched */
	CELLA_ERR_COLLATERAL_SIGNATURE = 0x509,
	CELLA_ERR_QE_REPORT = 0x50a,            /* QE report signature, identity or binding fails */
	CELLA_ERR_QUOTE_SIGNATURE = 0x50b,
	CELLA_ERR_TCB_LEVEL = 0x50c,            /* no TCB level matches the platform */
	CELLA_ERR_PCK_EXTENSION = 0x50d,        /* SGX extension of the PCK certificate malformed */
	CELLA_ERR_FETCH = 0x50e,                /* collateral could not be fetched */
	CELLA_ERR_POLICY = 0x50f,               /* evidence is valid but the policy refuses it */

	/* 0x600 attestation service */
	CELLA_ERR_SERVICE = 0x600,              /* reserved: cella-attestd answers in HTTP, no call returns it */

	/* 0x700 inference engine */
	CELLA_ERR_MODEL = 0x700,                /* malformed model */
	CELLA_ERR_MODEL_UNSUPPORTED = 0x701,    /* operator or opset not supported */
	CELLA_ERR_MODEL_SHAPE = 0x702,          /* inconsistent shapes */
} cella_result;

/* Static, never NULL: a short English description, e.g. "enclave lost". Unknown codes give "unknown result". */
CELLA_API const char *cella_result_str(cella_result r);
/* Static, never NULL: the enumerator name, e.g. "CELLA_ERR_ENCLAVE_LOST". */
CELLA_API const char *cella_result_name(cella_result r);

#define CELLA_CHECK(e)                                  \
	do {                                            \
		if ((r = (e)) != CELLA_OK)              \
			goto out;                       \
	} while (0)
#define CELLA_FAIL(c)                                   \
	do {                                            \
		r = (c);                                \
		goto out;                               \
	} while (0)

#ifdef __cplusplus
}
#endif
#endif
