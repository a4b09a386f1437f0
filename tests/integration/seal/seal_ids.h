/* SPDX-License-Identifier: MIT */
/* ecalls of the sealing test enclaves. */
#ifndef CELLA_TEST_SEAL_IDS_H
#define CELLA_TEST_SEAL_IDS_H
#include <stdint.h>

enum {
	S_SELFTEST = 0,     /* out: u32 bitmask of failed in-enclave checks */
	S_SEAL = 1,         /* in: u16 policy, u16 aad_len, aad, plaintext; out: blob */
	S_UNSEAL = 2,       /* in: blob; out: u32 aad_len, aad, plaintext */
	S_SEAL_VERSIONED = 3, /* in: u16 policy, u16 aad_len, u64 version, aad, plaintext; out: blob */
	S_UNSEAL_FRESH = 4, /* in: u64 min_version, blob; out: u32 aad_len, aad, plaintext */
	S_TAG_CHECK = 5,    /* in: blob; out: u32 1 if its tag verifies under the key schedule of seal.h, else 0 */
	S_RACE = 6,         /* in: struct seal_race, then plaintext A, then plaintext B; out: struct seal_race_out */
};

/* S_RACE: unseal a blob that lives in host memory (user_check) `rounds` times while the host rewrites it. */
struct seal_race {
	uint64_t blob;   /* host address (window memory) */
	uint64_t blob_len;
	uint32_t rounds;
	uint32_t pt_len; /* both plaintexts are this long; B may equal A */
};
struct seal_race_out {
	uint32_t ok_a;    /* CELLA_OK with exactly plaintext A */
	uint32_t ok_b;    /* CELLA_OK with exactly plaintext B (when B differs from A) */
	uint32_t refused; /* an error, with no plaintext written and lengths 0 */
	uint32_t bad;     /* anything else: partial or mixed plaintext, or output after an error */
	uint32_t first_bad_result;
};
#endif
