/* SPDX-License-Identifier: MIT */
/* SGX identity structures in their architectural byte layout (Intel SDM Vol. 3D, 38.15-38.18) and the DCAP
 * quote v3 header. Little-endian; sizes asserted. */
#ifndef CELLA_ABI_REPORT_H
#define CELLA_ABI_REPORT_H

#include <cella/abi/sgx.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CELLA_REPORT_DATA_BYTES 64
#define CELLA_KEY_BYTES 16

/* REPORTBODY: what EREPORT attests about the calling enclave. */
struct cella_report_body {
	uint8_t cpu_svn[16];
	uint32_t misc_select;
	uint8_t reserved1[12];
	uint8_t isv_ext_prod_id[16];
	struct cella_sgx_attributes attributes;
	uint8_t mr_enclave[32];
	uint8_t reserved2[32];
	uint8_t mr_signer[32];
	uint8_t reserved3[32];
	uint8_t config_id[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t reserved4[42];
	uint8_t isv_family_id[16];
	uint8_t report_data[CELLA_REPORT_DATA_BYTES];
};
_Static_assert(sizeof(struct cella_report_body) == 384, "ABI: REPORTBODY");
_Static_assert(__builtin_offsetof(struct cella_report_body, attributes) == 48, "ABI: REPORTBODY.ATTRIBUTES");
_Static_assert(__builtin_offsetof(struct cella_report_body, mr_signer) == 128, "ABI: REPORTBODY.MRSIGNER");
_Static_assert(__builtin_offsetof(struct cella_report_body, isv_prod_id) == 256, "ABI: REPORTBODY.ISVPRODID");
_Static_assert(__builtin_offsetof(struct cella_report_body, isv_family_id) == 304, "ABI: REPORTBODY.ISVFAMILYID");
_Static_assert(__builtin_offsetof(struct cella_report_body, report_data) == 320, "ABI: REPORTBODY.REPORTDATA");

/* REPORT: body, the key id the MAC key was derived with, and AES-128-CMAC(report key, body). */
struct cella_report {
	struct cella_report_body body;
	uint8_t key_id[32];
	uint8_t mac[16];
};
_Static_assert(sizeof(struct cella_report) == 432, "ABI: REPORT");
_Static_assert(__builtin_offsetof(struct cella_report, mac) == 416, "ABI: REPORT.MAC");

/* TARGETINFO: the enclave a report is meant for. */
struct cella_target_info {
	uint8_t mr_enclave[32];
	struct cella_sgx_attributes attributes;
	uint8_t cet_attributes;
	uint8_t reserved1;
	uint16_t config_svn;
	uint32_t misc_select;
	uint8_t reserved2[8];
	uint8_t config_id[64];
	uint8_t reserved3[384];
};
_Static_assert(sizeof(struct cella_target_info) == 512, "ABI: TARGETINFO");
_Static_assert(__builtin_offsetof(struct cella_target_info, misc_select) == 52, "ABI: TARGETINFO.MISCSELECT");
_Static_assert(__builtin_offsetof(struct cella_target_info, config_id) == 64, "ABI: TARGETINFO.CONFIGID");

/* KEYREQUEST (EGETKEY input). */
#define CELLA_KEYNAME_EINITTOKEN 0
#define CELLA_KEYNAME_PROVISION 1
#define CELLA_KEYNAME_PROVISION_SEAL 2
#define CELLA_KEYNAME_REPORT 3
#define CELLA_KEYNAME_SEAL 4
#define CELLA_KEYPOLICY_MRENCLAVE 0x0001
#define CELLA_KEYPOLICY_MRSIGNER 0x0002
#define CELLA_KEYPOLICY_NOISVPRODID 0x0004
#define CELLA_KEYPOLICY_CONFIGID 0x0008
#define CELLA_KEYPOLICY_ISVFAMILYID 0x0010
#define CELLA_KEYPOLICY_ISVEXTPRODID 0x0020
/* The policy bits (and a non-zero CONFIGSVN) EGETKEY accepts only from an enclave with ATTRIBUTES.KSS: #GP else. */
#define CELLA_KEYPOLICY_KSS_ONLY 0x003C

struct cella_key_request {
	uint16_t key_name;
	uint16_t key_policy;
	uint16_t isv_svn;
	uint8_t cet_attributes_mask;
	uint8_t reserved1;
	uint8_t cpu_svn[16];
	struct cella_sgx_attributes attribute_mask;
	uint8_t key_id[32];
	uint32_t misc_mask;
	uint16_t config_svn;
	uint8_t reserved2[434];
};
_Static_assert(sizeof(struct cella_key_request) == 512, "ABI: KEYREQUEST");
_Static_assert(__builtin_offsetof(struct cella_key_request, cpu_svn) == 8, "ABI: KEYREQUEST.CPUSVN");
_Static_assert(__builtin_offsetof(struct cella_key_request, attribute_mask) == 24, "ABI: KEYREQUEST.ATTRIBUTEMASK");
_Static_assert(__builtin_offsetof(struct cella_key_request, key_id) == 40, "ABI: KEYREQUEST.KEYID");
_Static_assert(__builtin_offsetof(struct cella_key_request, misc_mask) == 72, "ABI: KEYREQUEST.MISCMASK");
_Static_assert(__builtin_offsetof(struct cella_key_request, config_svn) == 76, "ABI: KEYREQUEST.CONFIGSVN");

/* DCAP quote v3 header (Intel SGX ECDSA Quote Library Reference, "Quote Header"). */
#define CELLA_QUOTE_V3 3
#define CELLA_QUOTE_ATT_KEY_ECDSA_P256 2
/* QE vendor id of Cella's software quoting component: "CELLA-SOFTWARE-Q", never Intel's. */
#define CELLA_SOFTWARE_QE_VENDOR_ID "CELLA-SOFTWARE-Q"

struct cella_quote_header {
	uint16_t version;
	uint16_t att_key_type;
	uint32_t tee_type;
	uint16_t qe_svn;
	uint16_t pce_svn;
	uint8_t qe_vendor_id[16];
	uint8_t user_data[20];
};
_Static_assert(sizeof(struct cella_quote_header) == 48, "ABI: quote header");

#ifdef __cplusplus
}
#endif
#endif
