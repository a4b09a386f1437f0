/* SPDX-License-Identifier: MIT */
#ifndef CELLA_TEST_IDENTITY_H
#define CELLA_TEST_IDENTITY_H
enum {
	I_SELFTEST = 0,    /* out: u32 bitmask of failed checks */
	I_TARGET_INFO = 1, /* out: struct cella_target_info */
	I_REPORT_FOR = 2,  /* in: target info; out: struct cella_report */
	I_VERIFY = 3,      /* in: struct cella_report; returns cella_verify_report's result */
	I_KEY = 4,         /* in: struct cella_key_request; out: 16-byte key (TEST ONLY: never export keys) */
	I_EVIDENCE = 5,    /* in: 64 bytes report data; out: quote */
	I_SEAL_REQUEST = 6 /* in: u16 policy; out: struct cella_key_request */
};
#endif
