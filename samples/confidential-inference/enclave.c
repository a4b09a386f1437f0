// SPDX-License-Identifier: MIT
/*
 * confidential-inference enclave: loads the ONNX model the host hands it, then serves inference over attested TLS
 * (inference.h has the protocol). The host sees only encrypted records: the client's input and the model's output
 * exist in the clear only in enclave memory. The model itself comes from the host, so the enclave tells each client
 * the SHA-256 of the model it loaded, over the attested channel, for the client to check.
 */
#include <bearssl.h>
#include <cella/enclave.h>
#include <cella/onnx.h>
#include <cella/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inference.h"

/* every output's dims fit the answer's header */
_Static_assert(INFERENCE_MAX_RANK >= CELLA_ONNX_MAX_RANK, "INFERENCE_MAX_RANK below the engine's rank limit");

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Answers with status r (0 for CELLA_OK) and the payload: a header (hlen bytes, at most ANSWER_HEAD) and a body
 * (blen bytes). Status, length and header go out as one write, the body as a second: every write is flushed, and
 * small ones each cost a TLS record and a TCP segment.
 */
#define ANSWER_HEAD 256
static cella_result answer(struct cella_tls_server *s, cella_result r, const void *head, size_t hlen, const void *body,
			   size_t blen)
{
	uint8_t pre[8 + ANSWER_HEAD];
	cella_result w;
	if (hlen > ANSWER_HEAD)
		return CELLA_ERR_UNEXPECTED; /* the callers' headers are smaller */
	put32(pre, (uint32_t)r);
	put32(pre + 4, (uint32_t)(hlen + blen));
	memcpy(pre + 8, head, hlen);
	if ((w = cella_tls_server_write(s, pre, 8 + hlen)) != CELLA_OK)
		return w;
	return blen ? cella_tls_server_write(s, body, blen) : CELLA_OK;
}

/* Answers an error: status r and a message naming what was wrong. */
static cella_result refuse(struct cella_tls_server *s, cella_result r, const char *what)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "%s: %s", what, cella_result_str(r));
	return answer(s, r, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1, NULL, 0);
}

/*
 * One request of a session: its length, its bytes, the model run on them, the answer. *ok is set when the model ran
 * and its output went out. A bad request gets its error answer; CELLA_OK then when the session can go on (the
 * request was read whole), its error when it cannot (a length out of range). A failure to talk to the client is
 * returned (CELLA_ERR_PEER_CLOSED: the client ended the session between requests).
 */
static cella_result request(struct cella_tls_server *s, struct cella_onnx_model *m, int *ok)
{
	uint8_t len4[4], head[8 + 8 * INFERENCE_MAX_RANK];
	struct cella_onnx_tensor in, out;
	cella_result r;
	uint32_t len;
	uint8_t *req;

	*ok = 0;
	if ((r = cella_tls_server_read_full(s, len4, 4)) != CELLA_OK)
		return r;
	len = (uint32_t)len4[0] | (uint32_t)len4[1] << 8 | (uint32_t)len4[2] << 16 | (uint32_t)len4[3] << 24;
	if (len == 0 || len > INFERENCE_MAX_REQUEST) {
		r = refuse(s, CELLA_ERR_TOO_LARGE, "the request's length (1 to 16 MiB)");
		return r == CELLA_OK ? CELLA_ERR_TOO_LARGE : r; /* its bytes cannot be skipped: the session ends */
	}
	if (!(req = malloc(len)))
		return refuse(s, CELLA_ERR_OUT_OF_MEMORY, "the request");
	if ((r = cella_tls_server_read_full(s, req, len)) != CELLA_OK) {
		free(req);
		return r == CELLA_ERR_PEER_CLOSED ? CELLA_ERR_TRUNCATED : r;
	}
	/* the request is in enclave memory (the TLS engine decrypted it here): decoded and checked before use */
	r = cella_onnx_tensor_decode(req, len, &in);
	free(req);
	if (r != CELLA_OK)
		return refuse(s, r, "the request is not an ONNX TensorProto the engine takes");
	r = cella_onnx_model_run(m, &in, 1, &out, 1);
	cella_onnx_tensor_fini(&in);
	if (r != CELLA_OK)
		return refuse(s, r, "the model refused the input (its type or shape)");
	put32(head, (uint32_t)out.dtype);
	put32(head + 4, (uint32_t)out.rank);
	for (uint32_t i = 0; i < out.rank; i++)
		for (int b = 0; b < 8; b++)
			head[8 + 8 * i + (uint32_t)b] = (uint8_t)((uint64_t)out.dims[i] >> (8 * b));
	r = answer(s, CELLA_OK, head, 8 + 8 * (size_t)out.rank, out.data, out.bytes);
	*ok = r == CELLA_OK;
	return r;
}

/* One session: the hello, then requests until the client ends it (CELLA_OK) or it fails; *answered counts the
 * requests the model answered. */
static cella_result session(struct cella_tls_server *s, struct cella_onnx_model *m, const uint8_t hello[],
			    uint32_t *answered)
{
	cella_result r = cella_tls_server_write(s, hello, INFERENCE_HELLO_BYTES);
	while (r == CELLA_OK) {
		int ok = 0;
		r = request(s, m, &ok);
		*answered += (uint32_t)ok;
	}
	return r == CELLA_ERR_PEER_CLOSED ? CELLA_OK : r;
}

/* The model: one tensor input, a numeric tensor first output. */
static cella_result load_model(const uint8_t *bytes, size_t len, struct cella_onnx_model **m)
{
	struct cella_onnx_tensor info;
	const char *name;
	cella_result r = cella_onnx_model_new(bytes, len, NULL, m);
	if (r != CELLA_OK) {
		printf("enclave: the model does not load: %s\n", cella_result_str(r));
		return r;
	}
	r = CELLA_ERR_MODEL_UNSUPPORTED;
	if (cella_onnx_model_input_count(*m) != 1 || cella_onnx_model_output_count(*m) < 1)
		printf("enclave: the model has %zu inputs and %zu outputs: this service takes one input\n",
		       cella_onnx_model_input_count(*m), cella_onnx_model_output_count(*m));
	else if (cella_onnx_model_input_form(*m, 0) != 0 || cella_onnx_model_output_form(*m, 0) != 0)
		printf("enclave: the model's input or first output is not a tensor\n");
	else if (cella_onnx_model_output_info(*m, 0, &name, &info) != CELLA_OK || info.dtype == CELLA_ONNX_STRING)
		printf("enclave: the model's first output is a string tensor: this service answers numbers\n");
	else
		return CELLA_OK;
	cella_onnx_model_free(*m);
	*m = NULL;
	return r;
}

static cella_result serve(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const struct cella_tls_ocalls oc = {OCALL_ACCEPT, OCALL_RECV, OCALL_SEND, OCALL_CLOSE};
	static uint8_t cert[CELLA_ATTEST_CERT_MAX_BYTES];
	uint8_t hello[INFERENCE_HELLO_BYTES];
	struct cella_onnx_model *m = NULL;
	struct cella_tls_server *s = NULL;
	struct cella_tls_key key;
	br_sha256_context h;
	struct serve_in a;
	size_t cl = 0;
	uint32_t served = 0;
	cella_result r;

	/* the call's input is the runtime's private copy in enclave memory: its header checked before the model */
	if (n < sizeof(a) || on < 4)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&a, in, sizeof(a));
	if (a.model_bytes == 0 || a.model_bytes != n - sizeof(a))
		return CELLA_ERR_INVALID_ARG;
	if ((r = load_model(in + sizeof(a), (size_t)a.model_bytes, &m)) != CELLA_OK)
		return r;
	memcpy(hello, INFERENCE_MAGIC, 8);
	br_sha256_init(&h);
	br_sha256_update(&h, in + sizeof(a), (size_t)a.model_bytes);
	br_sha256_out(&h, hello + 8);
	r = cella_tls_key_generate(&key);
	if (r == CELLA_OK)
		r = cella_attest_cert(&key, "confidential-inference sample", cert, sizeof(cert), &cl);
	if (r == CELLA_OK)
		r = cella_tls_server_new(&key, cert, cl, &oc, &s);
	cella_tls_key_fini(&key); /* the server keeps its own copy */
	if (r != CELLA_OK) {
		cella_onnx_model_free(m);
		return r;
	}
	printf("enclave: model loaded (%llu bytes), TLS key and attested certificate ready\n",
	       (unsigned long long)a.model_bytes);
	for (uint32_t i = 0; i < a.connections; i++) {
		if ((r = cella_tls_server_accept(s, a.listener, a.timeout_ms)) == CELLA_OK)
			r = session(s, m, hello, &served);
		if (r != CELLA_OK) { /* the TLS server's detail says why, when the failure was its */
			const char *d = cella_tls_server_detail(s);
			printf("enclave: session %u failed (%s)%s%s\n", i + 1, cella_result_name(r), *d ? ": " : "", d);
		}
		(void)cella_tls_server_close(s);
	}
	cella_tls_server_free(s);
	cella_onnx_model_free(m);
	memcpy(out, &served, 4);
	*w = 4;
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[ECALL_SERVE] = {serve, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
