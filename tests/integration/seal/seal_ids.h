/* SPDX-License-Identifier: MIT */
/* ecalls of the sealing test enclaves. */
#ifndef CELLA_TEST_SEAL_IDS_H
#define CELLA_TEST_SEAL_IDS_H
enum {
	S_SELFTEST = 0, /* out: u32 bitmask of failed in-enclave checks */
	S_SEAL = 1,     /* in: u16 policy, u16 aad_len, aad, plaintext; out: blob */
	S_UNSEAL = 2,   /* in: blob; out: u32 aad_len, aad, plaintext */
};
#endif
