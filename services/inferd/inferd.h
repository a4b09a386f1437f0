/* SPDX-License-Identifier: MIT */
/*
 * cella-inferd: the host's calls into the inference enclave, and the protocol the enclave speaks to clients over
 * attested TLS (docs/inferd.md). All integers little-endian.
 *
 * A session: the enclave sends the hello (INFERD_MAGIC, u32 INFERD_VERSION, u32 the largest request it takes, then
 * the SHA-256 of the model it loaded: the client, having verified the enclave's evidence and pinned its MRENCLAVE
 * during the handshake, checks that hash); then, until the client ends the session with close_notify, the client
 * sends a request (u32 kind, u32 length, then the payload: for INFERD_PREDICT a PredictRequest, predict.proto; for
 * INFERD_PROVISION_KEY the 32-byte key of an encrypted model) and the enclave answers it (u32 status, u32 length,
 * then the payload). Status 0: for a prediction the payload is a PredictResponse holding the outputs asked for; for
 * a key, empty (the model is loaded). Any other
 * status is a cella_result (the error's value), and the payload a message (UTF-8) naming what was wrong; the
 * session goes on, unless the request's length was out of range (its bytes cannot be skipped).
 */
#ifndef CELLA_INFERD_H
#define CELLA_INFERD_H
#include <stdint.h>

/* ecalls */
enum { INFERD_ECALL_LOAD = 0, INFERD_ECALL_WORK = 1, INFERD_ECALL_UNLOAD = 2 };
/* ocalls: the socket handlers of cella/tls_host.h; whether the service is stopping (out: one byte, 1 = yes); an
 * encrypted model was unlocked: keep its sealed key (in: the blob, at most INFERD_MAX_SEALED bytes, or nothing when
 * it could not be sealed; out: nothing) */
enum { INFERD_OCALL_ACCEPT = 0, INFERD_OCALL_RECV = 1, INFERD_OCALL_SEND = 2, INFERD_OCALL_CLOSE = 3,
       INFERD_OCALL_STOPPING = 4, INFERD_OCALL_KEEP_SEALED = 5 };

/* LOAD: in struct inferd_load_in, the model file's bytes, then a sealed model key (sealed_bytes, may be 0); out
 * struct inferd_load_out. Once per enclave. */
struct inferd_load_in {
	uint32_t instances; /* copies of the model, so that as many requests run at once (1 to INFERD_MAX_INSTANCES) */
	uint32_t reserved;  /* 0 */
	uint64_t model_bytes;
	uint64_t sealed_bytes;
};
struct inferd_load_out {
	uint8_t model_sha256[32]; /* of the file as given: for an encrypted model, of the encrypted file */
	uint32_t inputs, outputs; /* 0 while the model is locked */
	uint32_t locked;          /* 1: an encrypted model waiting for its key */
	uint32_t reserved;
};
/* WORK: serves sessions, one at a time, on the calling thread until the host stops the service (it closes the
 * listener, and after a grace period the connections left). in struct inferd_work_in, out struct inferd_work_out
 * (also when the call fails). As many at once as the enclave has TCSs. */
struct inferd_work_in {
	uint64_t listener;
};
struct inferd_work_out {
	uint64_t sessions; /* accepted and handshaken */
	uint64_t answered; /* requests answered with status 0 */
	uint64_t refused;  /* requests answered with an error */
	uint64_t failed;   /* sessions that ended in a TLS or socket failure */
};
/* UNLOAD: no input, no output; refused (CELLA_ERR_INVALID_STATE) while a WORK call runs. */

/* Request kinds (the u32 before a request's length) */
enum { INFERD_PREDICT = 1, INFERD_PROVISION_KEY = 2 };

/*
 * An encrypted model (cella-infer encrypt-model): AES-256-GCM under a 32-byte key, the header as AAD.
 *   0   8   INFERD_MODEL_MAGIC
 *   8   4   version (1)
 *   12  4   reserved (0)
 *   16  12  nonce (random)
 *   28  ..  the model, encrypted
 *   end 16  tag
 */
#define INFERD_MODEL_MAGIC "CELLAMDL"
#define INFERD_MODEL_VERSION 1u
#define INFERD_MODEL_HEADER 28u
#define INFERD_MODEL_TAG 16u
#define INFERD_KEY_BYTES 32u
#define INFERD_MAX_SEALED 4096u

#define INFERD_MAGIC "CELLAPRD" /* 8 bytes, no terminator on the wire */
#define INFERD_VERSION 1u
#define INFERD_HELLO_BYTES 48u /* magic, version, largest request, SHA-256 of the model */
#define INFERD_MAX_REQUEST (16u << 20)
#define INFERD_MAX_INSTANCES 8u
#endif
