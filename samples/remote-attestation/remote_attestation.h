/* SPDX-License-Identifier: MIT */
/* The remote-attestation interface (hand-written call ids). */
#ifndef REMOTE_ATTESTATION_H
#define REMOTE_ATTESTATION_H
enum {
	ECALL_EVIDENCE = 0, /* in: the verifier's 32-byte nonce; out: evidence (OE envelope, custom claims = nonce) */
};
#endif
