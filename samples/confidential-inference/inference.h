/* SPDX-License-Identifier: MIT */
/*
 * The confidential-inference interface: the host's call into the enclave (hand-written call ids) and the protocol
 * the enclave speaks to clients over attested TLS. All integers little-endian.
 *
 * A session: the enclave sends the hello (INFERENCE_MAGIC, then the SHA-256 of the model it loaded: the client,
 * having verified the enclave's evidence and pinned its MRENCLAVE, trusts that the measured code loaded exactly
 * that model); then, until the client ends the session (TLS close_notify), the client sends a request (u32 length,
 * then an ONNX TensorProto: the model's single input) and the enclave answers it (u32 status, u32 length, then the
 * payload). A length of 0 or over INFERENCE_MAX_REQUEST is answered and ends the session. Status 0: the payload is
 * the model's first output as u32 dtype (ONNX's TensorProto.DataType), u32 rank, i64 dims[rank], then the
 * elements. Any other status is a cella_result (the error's value): the payload is a message (UTF-8) saying what
 * was wrong.
 */
#ifndef CONFIDENTIAL_INFERENCE_H
#define CONFIDENTIAL_INFERENCE_H
#include <stdint.h>

enum { ECALL_SERVE = 0 }; /* in: struct serve_in, then the model's bytes; out: u32 requests answered with status 0 */
enum { OCALL_ACCEPT = 0, OCALL_RECV = 1, OCALL_SEND = 2, OCALL_CLOSE = 3 };
struct serve_in {
	uint64_t listener;
	uint32_t connections; /* sessions to serve before the call returns */
	uint32_t timeout_ms;  /* to wait for each connection, and for a request's bytes */
	uint64_t model_bytes; /* the model's length: the rest of the call's input */
};

#define INFERENCE_MAGIC "CELLAINF" /* 8 bytes, no terminator on the wire */
#define INFERENCE_HELLO_BYTES 40   /* magic, SHA-256 of the model */
#define INFERENCE_MAX_REQUEST (16u << 20)
#define INFERENCE_MAX_RANK 8
#endif
