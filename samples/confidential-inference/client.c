// SPDX-License-Identifier: MIT
/*
 * confidential-inference client: verifies the inference enclave's evidence during the TLS handshake (pinning its
 * MRENCLAVE), checks that the model the enclave loaded is the one expected, sends one input tensor and prints the
 * output; with --expect, compares it with a reference output.
 *   confidential-inference_client --connect HOST:PORT --root ROOT.pem --mrenclave HEX
 *       (--model MODEL.onnx | --model-sha256 HEX) --input TENSOR.pb [--expect TENSOR.pb] [--output FILE]
 *       [--repeat N] [--allow-debug] [--allow-software-tee] [--timeout SECONDS]
 * Exit status: 0 the answer came (and matched --expect), 1 refused or failed, 2 usage.
 */
#include <cella/onnx.h>
#include <cella/tls_host.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "inference.h"

static void usage(void)
{
	fprintf(stderr, "usage: confidential-inference_client --connect HOST:PORT --root ROOT.pem --mrenclave HEX\n"
			"         (--model MODEL.onnx | --model-sha256 HEX) --input TENSOR.pb [--expect TENSOR.pb]\n"
			"         [--output FILE] [--repeat N] [--allow-debug] [--allow-software-tee] [--timeout SECONDS]\n"
			"  --repeat N: send the input N times on the one session (each answer checked against --expect)\n"
			"    and print the median time per answer.\n"
			"  --allow-debug and --allow-software-tee are INSECURE outside development.\n");
	exit(2);
}

/* The whole file (at most max bytes, not empty), or NULL with the reason on stderr. */
static uint8_t *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t cap = 0, n = 0;
	if (!f) {
		fprintf(stderr, "client: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb = cap < max ? realloc(b, cap ? cap * 2 : 65536) : NULL;
			if (!nb) {
				fprintf(stderr, "client: %s: %s\n", path, cap < max ? "out of memory" : "too large");
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
			cap = cap ? cap * 2 : 65536;
		}
		size_t k = fread(b + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	fclose(f);
	if (n == 0 || n > max) {
		fprintf(stderr, "client: %s: %s\n", path, n ? "too large" : "empty");
		free(b);
		return NULL;
	}
	*len = n;
	return b;
}

/* Exactly 64 hex digits into out[32], or exit 2 naming the option. */
static void hex32(const char *opt, const char *s, uint8_t out[32])
{
	for (int i = 0; i < 64; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0) {
			fprintf(stderr, "client: %s %s: not 64 hex digits\n", opt, s);
			exit(2);
		}
		out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
	}
	if (s[64]) {
		fprintf(stderr, "client: %s %s: not 64 hex digits\n", opt, s);
		exit(2);
	}
}

/* A connected socket with send and receive timeouts, or -1 with the reason on stderr. */
static int tcp_connect(const char *hostport, int timeout)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = {0}, *res = NULL;
	struct timeval tv = {timeout, 0};
	int fd = -1, err = 0;
	if (!colon || (size_t)(colon - hostport) >= sizeof(host)) {
		fprintf(stderr, "client: --connect %s: not HOST:PORT\n", hostport);
		return -1;
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = 0;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		fprintf(stderr, "client: %s: %s\n", hostport, gai_strerror(err));
		return -1;
	}
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd < 0)
			continue;
		/* connect, the handshake and every read and write are bounded by the timeout */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		/* an input over one TLS record goes out as several writes: Nagle would hold the last back until the
		 * enclave acknowledges the others, which it may delay by 40 ms */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "client: cannot connect to %s: %s\n", hostport, strerror(err));
	return fd;
}

static bool ssl_read_full(SSL *ssl, void *buf, size_t n)
{
	size_t got = 0;
	while (n) {
		if (SSL_read_ex(ssl, buf, n, &got) != 1)
			return false;
		buf = (uint8_t *)buf + got;
		n -= got;
	}
	return true;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The answer's payload as a tensor viewing it (dtype, rank, dims, then exactly the elements), or false with what is
 * wrong on stderr.
 */
static bool parse_output(const uint8_t *p, size_t n, struct cella_onnx_tensor *t)
{
	memset(t, 0, sizeof(*t));
	if (n < 8 || get32(p + 4) > INFERENCE_MAX_RANK || n < 8 + 8 * (size_t)get32(p + 4)) {
		fprintf(stderr, "client: the answer's tensor header is malformed\n");
		return false;
	}
	t->dtype = (cella_onnx_dtype)get32(p);
	t->rank = get32(p + 4);
	for (uint32_t i = 0; i < t->rank; i++) {
		uint64_t d = 0;
		for (int b = 7; b >= 0; b--)
			d = d << 8 | p[8 + 8 * i + (uint32_t)b];
		t->dims[i] = (int64_t)d;
		if (t->dims[i] < 0) {
			fprintf(stderr, "client: the answer's dim %u is negative\n", i);
			return false;
		}
	}
	t->data = (void *)(p + 8 + 8 * t->rank);
	t->bytes = n - 8 - 8 * t->rank;
	size_t es = cella_onnx_dtype_size(t->dtype);
	if (!es || t->dtype == CELLA_ONNX_STRING || cella_onnx_tensor_count(t) * es != t->bytes) {
		fprintf(stderr, "client: the answer's %zu bytes of elements do not match its type and dims\n", t->bytes);
		return false;
	}
	return true;
}

/* Whether got matches want: the same type and dims, float elements within 1e-4 (relative, or absolute near 0),
 * others equal. Prints the first difference. */
static bool matches(const struct cella_onnx_tensor *got, const struct cella_onnx_tensor *want)
{
	if (got->dtype != want->dtype || got->rank != want->rank ||
	    memcmp(got->dims, want->dims, sizeof(int64_t) * got->rank) != 0) {
		fprintf(stderr, "client: the output's type or shape is not the expected one\n");
		return false;
	}
	if (got->dtype != CELLA_ONNX_FLOAT)
		return got->bytes == want->bytes && memcmp(got->data, want->data, got->bytes) == 0;
	const float *g = got->data, *w = want->data;
	for (uint64_t i = 0; i < cella_onnx_tensor_count(got); i++)
		if (!(fabsf(g[i] - w[i]) <= 1e-4f * fmaxf(1.0f, fabsf(w[i])))) {
			fprintf(stderr, "client: output element %llu is %g, expected %g\n", (unsigned long long)i,
				(double)g[i], (double)w[i]);
			return false;
		}
	return true;
}

/*
 * One request on the session (req: 4 bytes for its length, then the input's input_len) and its answer: true with
 * *answer (the caller frees it) and out viewing it; else false, what went wrong on stderr (the connection, or the
 * enclave's refusal and its message).
 */
static bool exchange(SSL *ssl, uint8_t *req, size_t input_len, uint8_t **answer, struct cella_onnx_tensor *out)
{
	uint8_t pre[8];
	size_t wn = 0;
	/* the length in the request's first 4 bytes, so that it leaves as one write: of two small writes, TCP holds
	 * the second until the first is acknowledged, which the peer delays (40 ms a request) */
	for (int i = 0; i < 4; i++)
		req[i] = (uint8_t)(input_len >> (8 * i));
	if (SSL_write_ex(ssl, req, input_len + 4, &wn) != 1 || !ssl_read_full(ssl, pre, sizeof(pre))) {
		fprintf(stderr, "client: the connection failed during the request\n");
		return false;
	}
	uint32_t st = get32(pre), alen = get32(pre + 4);
	if (alen > (1u << 30) || !(*answer = malloc(alen + 1u)) || !ssl_read_full(ssl, *answer, alen)) {
		fprintf(stderr, "client: the answer (%u bytes) did not come whole\n", alen);
		return false;
	}
	if (st != 0) {
		(*answer)[alen] = 0;
		fprintf(stderr, "client: the enclave refused the request (%s): %s\n", cella_result_name((cella_result)st),
			(char *)*answer);
		return false;
	}
	return parse_output(*answer, alen, out);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *connect_to = NULL, *root_path = NULL, *model_path = NULL, *input_path = NULL, *expect_path = NULL,
		   *output_path = NULL;
	uint8_t mrenclave[32], model_hash[32], hello[INFERENCE_HELLO_BYTES], *root = NULL, *input = NULL,
		*answer = NULL, *model;
	size_t root_len = 0, input_len = 0, model_len = 0;
	bool have_hash = false, have_mr = false;
	int timeout = 30, status = 1, fd = -1;
	long repeat = 1;
	double *ms = NULL;
	uint8_t *req = NULL;
	struct cella_tls_openssl_verifier v;
	struct cella_evidence_root r;
	struct cella_onnx_tensor out, want = {0};
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	cella_result cr;

	signal(SIGPIPE, SIG_IGN);
	memset(&v, 0, sizeof(v));
	v.policy.time = (int64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--allow-debug"))
			v.policy.allow_debug = true;
		else if (!strcmp(a, "--allow-software-tee"))
			v.policy.allow_software_tee = true;
		else if (!val)
			usage();
		else if (!strcmp(a, "--connect"))
			connect_to = val, i++;
		else if (!strcmp(a, "--root"))
			root_path = val, i++;
		else if (!strcmp(a, "--mrenclave"))
			hex32(a, val, mrenclave), have_mr = true, i++;
		else if (!strcmp(a, "--model"))
			model_path = val, i++;
		else if (!strcmp(a, "--model-sha256"))
			hex32(a, val, model_hash), have_hash = true, i++;
		else if (!strcmp(a, "--input"))
			input_path = val, i++;
		else if (!strcmp(a, "--expect"))
			expect_path = val, i++;
		else if (!strcmp(a, "--output"))
			output_path = val, i++;
		else if (!strcmp(a, "--repeat")) {
			char *end;
			repeat = strtol(val, &end, 10);
			if (*end || repeat < 1 || repeat > 1000000) {
				fprintf(stderr, "client: --repeat %s: not a number from 1 to 1000000\n", val);
				usage();
			}
			i++;
		} else if (!strcmp(a, "--timeout")) {
			char *end;
			long t = strtol(val, &end, 10);
			if (*end || t < 1 || t > 3600) {
				fprintf(stderr, "client: --timeout %s: not a number of seconds from 1 to 3600\n", val);
				usage();
			}
			timeout = (int)t, i++;
		} else {
			fprintf(stderr, "client: unknown option %s\n", a);
			usage();
		}
	}
	if (!connect_to || !root_path || !have_mr || !input_path || !!model_path == have_hash)
		usage();
	if (model_path) {
		if (!(model = slurp(model_path, (size_t)1 << 31, &model_len)))
			return 1;
		SHA256(model, model_len, model_hash);
		free(model);
	}
	if (!(root = slurp(root_path, 1 << 20, &root_len)) || !(input = slurp(input_path, INFERENCE_MAX_REQUEST, &input_len)))
		goto out;
	if (expect_path) {
		size_t el = 0;
		uint8_t *eb = slurp(expect_path, (size_t)1 << 30, &el);
		cr = eb ? cella_onnx_tensor_decode(eb, el, &want) : CELLA_ERR_IO;
		free(eb);
		if (cr != CELLA_OK) {
			fprintf(stderr, "client: %s: not a TensorProto: %s\n", expect_path, cella_result_str(cr));
			goto out;
		}
	}
	r.cert = root;
	r.len = root_len;
	v.policy.roots = &r;
	v.policy.root_count = 1;
	v.policy.mrenclave = mrenclave;
	if (!(ctx = SSL_CTX_new(TLS_client_method())))
		goto out;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if ((cr = cella_tls_openssl_configure(ctx, &v)) != CELLA_OK) {
		fprintf(stderr, "client: %s: not a usable root certificate: %s\n", root_path, cella_result_str(cr));
		goto out;
	}
	if ((fd = tcp_connect(connect_to, timeout)) < 0)
		goto out;
	ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto out;
	if (SSL_connect(ssl) != 1) {
		cr = cella_tls_openssl_peer(ssl, NULL);
		fprintf(stderr, "client: the enclave was not verified: %s\n",
			cr == CELLA_ERR_NOT_FOUND ? "the TLS handshake failed" : cella_result_str(cr));
		goto out;
	}
	printf("client: enclave verified (evidence in its certificate, MRENCLAVE pinned)\n");
	if (!ssl_read_full(ssl, hello, sizeof(hello)) || memcmp(hello, INFERENCE_MAGIC, 8) != 0) {
		fprintf(stderr, "client: the enclave's hello did not come, or is not this protocol's\n");
		goto out;
	}
	if (memcmp(hello + 8, model_hash, 32) != 0) {
		fprintf(stderr, "client: the enclave serves another model (SHA-256 ");
		for (int i = 0; i < 32; i++)
			fprintf(stderr, "%02x", hello[8 + i]);
		fprintf(stderr, ")\n");
		goto out;
	}
	printf("client: the enclave serves the expected model\n");
	/* --repeat: the same request again on the one session, each answer checked; the median time per answer */
	if (!(ms = calloc((size_t)repeat, sizeof(double))) || !(req = malloc(input_len + 4)))
		goto out;
	memcpy(req + 4, input, input_len);
	for (long i = 0; i < repeat; i++) {
		struct timespec t0, t1;
		free(answer);
		answer = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (!exchange(ssl, req, input_len, &answer, &out))
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (expect_path && !matches(&out, &want))
			goto out;
	}
	printf("client: output %s [", cella_onnx_dtype_name(out.dtype));
	for (uint32_t i = 0; i < out.rank; i++)
		printf("%s%lld", i ? ", " : "", (long long)out.dims[i]);
	printf("]");
	if (out.dtype == CELLA_ONNX_FLOAT)
		for (uint64_t i = 0; i < cella_onnx_tensor_count(&out) && i < 4; i++)
			printf("%s%g", i ? " " : ": ", (double)((const float *)out.data)[i]);
	printf("%s\n", out.dtype == CELLA_ONNX_FLOAT && cella_onnx_tensor_count(&out) > 4 ? " ..." : "");
	if (repeat > 1) {
		qsort(ms, (size_t)repeat, sizeof(double), cmp_double);
		printf("client: %ld answers on one session, median %.3f ms each (request sent to answer read)\n", repeat,
		       ms[repeat / 2]);
	}
	if (output_path) {
		FILE *f = fopen(output_path, "wb");
		int ok = f && fwrite(out.data, 1, out.bytes, f) == out.bytes;
		if (f && fclose(f) != 0)
			ok = 0;
		if (!ok) {
			fprintf(stderr, "client: %s: cannot write the output: %s\n", output_path, strerror(errno));
			goto out;
		}
	}
	if (expect_path)
		printf("client: the output matches %s\n", expect_path);
	status = 0;
out:
	free(ms);
	free(req);
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	cella_onnx_tensor_fini(&want);
	free(answer);
	free(input);
	free(root);
	return status;
}
