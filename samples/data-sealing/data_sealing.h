/* SPDX-License-Identifier: MIT */
/* The data-sealing interface (hand-written call ids). */
#ifndef DATA_SEALING_H
#define DATA_SEALING_H
enum {
	ECALL_SEAL = 0,   /* in: u16 policy, then the secret text; out: sealed blob */
	ECALL_UNSEAL = 1, /* in: sealed blob; out: the text (a sample: real enclaves keep it) */
};
#endif
