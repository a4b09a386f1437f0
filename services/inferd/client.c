// SPDX-License-Identifier: MIT
/*
 * cella-infer: cella-inferd's client. Verifies the service enclave's evidence during the TLS handshake (pinning its
 * MRENCLAVE), checks the SHA-256 of the model it serves, sends one PredictRequest of the inputs given and prints the
 * outputs; with --expect, compares them with reference outputs; with --save, writes each as a TensorProto file.
 * Exit status: 0 the answer came (and matched every --expect), 1 refused or failed, 2 usage.
 */
#include <cella/onnx.h>
#include <cella/tls_host.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "inferd.h"
#include "predict.pb-c.h"

#define MAX_NAMED 64         /* --input, --output and --expect options, each */
#define MAX_ANSWER (1u << 30) /* the largest answer read */

static void usage(void)
{
	fprintf(stderr,
		"usage: cella-infer --connect HOST:PORT --root ROOT.pem --mrenclave HEX\n"
		"                   (--model MODEL.onnx | --model-sha256 HEX) (--input NAME=TENSOR.pb... | --provision-key KEY)\n"
		"                   [--output NAME]... [--expect NAME=TENSOR.pb]... [--save DIR] [--repeat N]\n"
		"                   [--timeout SECONDS] [--allow-debug] [--allow-software-tee]\n"
		"       cella-infer encrypt-model [--new-key] KEY MODEL.onnx OUT\n"
		"  --model FILE        the model file the service was given (an encrypted one for an encrypted model)\n"
		"  --provision-key KEY send the 32-byte key of the service's encrypted model, which it then loads\n"
		"  encrypt-model       encrypts MODEL.onnx under KEY (32 bytes; --new-key makes it, mode 0600) into OUT\n"
		"  --input NAME=FILE   the model input NAME, an ONNX TensorProto file (each input once)\n"
		"  --output NAME       ask for this output only (repeatable; default: every output)\n"
		"  --expect NAME=FILE  the output NAME must match this TensorProto (floats within 1e-4 relative)\n"
		"  --save DIR          write each output to DIR/NAME.pb\n"
		"  --repeat N          send the request N times on one session and print the median time per answer\n"
		"  --allow-debug and --allow-software-tee are INSECURE outside development.\n");
	exit(2);
}

/* The whole file (1 byte to max), or NULL with the reason on stderr. */
static uint8_t *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;
	if (!f) {
		fprintf(stderr, "cella-infer: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		fprintf(stderr, "cella-infer: %s: not a regular file\n", path);
	else if (n == 0 || (unsigned long)n > max)
		fprintf(stderr, "cella-infer: %s: %s\n", path, n ? "too large" : "empty");
	else if (!(b = malloc((size_t)n)) || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cella-infer: %s: %s\n", path, b ? "read failed" : "out of memory");
		free(b);
		b = NULL;
	} else
		*len = (size_t)n;
	fclose(f);
	return b;
}

/* Exactly 64 hex digits into out[32], or exit 2 naming the option. */
static void hex32(const char *opt, const char *s, uint8_t out[32])
{
	size_t i = 0;
	for (; i < 64 && s[i]; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			break;
		out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
	}
	if (i != 64 || s[64]) {
		fprintf(stderr, "cella-infer: %s %s: not 64 hex digits\n", opt, s);
		exit(2);
	}
}

/* A NAME=FILE option's two parts (name in place, NUL-terminated), or exit 2 naming it. */
struct named {
	char *name;
	const char *file;
};
static void split_named(const char *opt, char *v, struct named *out, size_t *n)
{
	char *eq = strchr(v, '=');
	if (!eq || eq == v || !eq[1]) {
		fprintf(stderr, "cella-infer: %s %s: not NAME=FILE\n", opt, v);
		exit(2);
	}
	if (*n == MAX_NAMED) {
		fprintf(stderr, "cella-infer: %s: more than %d given\n", opt, MAX_NAMED);
		exit(2);
	}
	*eq = 0;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(out[i].name, v)) {
			fprintf(stderr, "cella-infer: %s %s given twice\n", opt, v);
			exit(2);
		}
	out[*n].name = v;
	out[*n].file = eq + 1;
	(*n)++;
}

/* A connected socket whose reads and writes time out, or -1 with the reason on stderr. */
static int tcp_connect(const char *hostport, int timeout)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = {0}, *res = NULL;
	struct timeval tv = {timeout, 0};
	int fd = -1, err = 0;
	if (!colon || (size_t)(colon - hostport) >= sizeof(host)) {
		fprintf(stderr, "cella-infer: --connect %s: not HOST:PORT\n", hostport);
		return -1;
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = 0;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		fprintf(stderr, "cella-infer: %s: %s\n", hostport, gai_strerror(err));
		return -1;
	}
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		if ((fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol)) < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		/* a request over one TLS record goes out as several writes: Nagle would hold the last back until the
		 * service acknowledges the others, which it may delay by 40 ms */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		fprintf(stderr, "cella-infer: cannot connect to %s: %s\n", hostport, strerror(err));
	return fd;
}

static bool ssl_read_all(SSL *ssl, void *buf, size_t n)
{
	size_t got = 0;
	for (; n; n -= got, buf = (uint8_t *)buf + got)
		if (SSL_read_ex(ssl, buf, n, &got) != 1)
			return false;
	return true;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether got matches want: the same type and dims, float elements within 1e-4 (relative, or absolute near 0),
 * others equal. Prints the first difference, naming the output. */
static bool matches(const char *name, const struct cella_onnx_tensor *got, const struct cella_onnx_tensor *want)
{
	if (got->dtype != want->dtype || got->rank != want->rank ||
	    memcmp(got->dims, want->dims, sizeof(int64_t) * got->rank) != 0) {
		fprintf(stderr, "cella-infer: output %s: its type or shape is not the expected one\n", name);
		return false;
	}
	if (got->dtype == CELLA_ONNX_FLOAT) {
		const float *g = got->data, *w = want->data;
		for (uint64_t i = 0; i < cella_onnx_tensor_count(got); i++)
			if (!(fabsf(g[i] - w[i]) <= 1e-4f * fmaxf(1.0f, fabsf(w[i])))) {
				fprintf(stderr, "cella-infer: output %s: element %llu is %g, expected %g\n", name,
					(unsigned long long)i, (double)g[i], (double)w[i]);
				return false;
			}
		return true;
	}
	if (got->dtype == CELLA_ONNX_STRING) {
		const struct cella_onnx_string *g = got->data, *w = want->data;
		for (uint64_t i = 0; i < cella_onnx_tensor_count(got); i++)
			if (g[i].len != w[i].len || (g[i].len && memcmp(g[i].data, w[i].data, g[i].len) != 0)) {
				fprintf(stderr, "cella-infer: output %s: string %llu differs\n", name, (unsigned long long)i);
				return false;
			}
		return true;
	}
	if (got->bytes != want->bytes || memcmp(got->data, want->data, got->bytes) != 0) {
		fprintf(stderr, "cella-infer: output %s: its elements differ from the expected ones\n", name);
		return false;
	}
	return true;
}

/* One request of kind (req: 8 bytes for its kind and length, then len bytes) and its answer: for a prediction the
 * PredictResponse, for a key *unlocked; NULL with what went wrong on stderr (the connection, or the enclave's refusal
 * and its message). */
static Cella__Inferd__PredictResponse *exchange(SSL *ssl, uint32_t kind, uint8_t *req, size_t len, bool *unlocked)
{
	Cella__Inferd__PredictResponse *rsp = NULL;
	uint8_t pre[8], *answer = NULL;
	size_t wn = 0;
	/* kind, length and request as one write: of two small writes TCP holds the second back for the first's
	 * delayed acknowledgement */
	for (int i = 0; i < 4; i++) {
		req[i] = (uint8_t)(kind >> (8 * i));
		req[4 + i] = (uint8_t)(len >> (8 * i));
	}
	if (SSL_write_ex(ssl, req, len + 8, &wn) != 1 || !ssl_read_all(ssl, pre, sizeof(pre))) {
		fprintf(stderr, "cella-infer: the connection failed during the request\n");
		return NULL;
	}
	uint32_t st = get32(pre), alen = get32(pre + 4);
	if (alen > MAX_ANSWER || !(answer = malloc(alen + 1u)) || !ssl_read_all(ssl, answer, alen)) {
		fprintf(stderr, "cella-infer: the answer (%u bytes) did not come whole\n", alen);
		free(answer);
		return NULL;
	}
	if (st != 0) {
		answer[alen] = 0;
		fprintf(stderr, "cella-infer: the service refused the request (%s): %s\n",
			cella_result_name((cella_result)st), (char *)answer);
	} else if (kind == INFERD_PROVISION_KEY) {
		*unlocked = true;
	} else if (!(rsp = cella__inferd__predict_response__unpack(NULL, alen, answer)))
		fprintf(stderr, "cella-infer: the answer is not a PredictResponse\n");
	free(answer);
	return rsp;
}

static void print_output(const char *name, const struct cella_onnx_tensor *t)
{
	uint64_t n = cella_onnx_tensor_count(t);
	printf("output %s: %s [", name, cella_onnx_dtype_name(t->dtype));
	for (uint32_t i = 0; i < t->rank; i++)
		printf("%s%lld", i ? ", " : "", (long long)t->dims[i]);
	printf("]");
	for (uint64_t i = 0; i < n && i < 4; i++) {
		if (t->dtype == CELLA_ONNX_FLOAT)
			printf("%s%g", i ? " " : ": ", (double)((const float *)t->data)[i]);
		else if (t->dtype == CELLA_ONNX_INT64)
			printf("%s%lld", i ? " " : ": ", (long long)((const int64_t *)t->data)[i]);
	}
	printf("%s\n", n > 4 && (t->dtype == CELLA_ONNX_FLOAT || t->dtype == CELLA_ONNX_INT64) ? " ..." : "");
}

/* Checks, prints, compares and saves the outputs of rsp; true when all is well. */
static bool outputs(const Cella__Inferd__PredictResponse *rsp, const struct named *expect,
		    const struct cella_onnx_tensor *wants, size_t n_expect, const char *save_dir, bool print)
{
	bool ok = true;
	for (size_t i = 0; i < n_expect; i++) {
		size_t k = 0;
		while (k < rsp->n_outputs && strcmp(rsp->outputs[k]->key, expect[i].name) != 0)
			k++;
		if (k == rsp->n_outputs) {
			fprintf(stderr, "cella-infer: output %s: not in the answer\n", expect[i].name);
			ok = false;
		}
	}
	for (size_t k = 0; k < rsp->n_outputs && ok; k++) {
		const Cella__Inferd__TensorEntry *e = rsp->outputs[k];
		struct cella_onnx_tensor t;
		cella_result r = cella_onnx_tensor_decode(e->value.data, e->value.len, &t);
		if (r != CELLA_OK) {
			fprintf(stderr, "cella-infer: output %s: not a TensorProto: %s\n", e->key, cella_result_str(r));
			return false;
		}
		if (print)
			print_output(e->key, &t);
		for (size_t i = 0; i < n_expect && ok; i++)
			if (!strcmp(expect[i].name, e->key))
				ok = matches(e->key, &t, &wants[i]);
		cella_onnx_tensor_fini(&t);
		if (ok && save_dir) {
			char path[4096];
			FILE *f;
			if (strchr(e->key, '/') || !strcmp(e->key, ".") || !strcmp(e->key, "..") ||
			    (size_t)snprintf(path, sizeof(path), "%s/%s.pb", save_dir, e->key) >= sizeof(path)) {
				fprintf(stderr, "cella-infer: output %s: no file can be named after it\n", e->key);
				return false;
			}
			f = fopen(path, "wb");
			ok = f && fwrite(e->value.data, 1, e->value.len, f) == e->value.len;
			if (f && fclose(f) != 0)
				ok = false;
			if (!ok)
				fprintf(stderr, "cella-infer: %s: cannot write it: %s\n", path, strerror(errno));
		}
	}
	return ok;
}

/* The model key file (exactly INFERD_KEY_BYTES) into a new buffer after 8 bytes of room for a request's kind and
 * length, or NULL with the reason on stderr. */
static uint8_t *read_key(const char *path)
{
	uint8_t *b = malloc(8 + INFERD_KEY_BYTES + 1);
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	if (f && b)
		n = fread(b + 8, 1, INFERD_KEY_BYTES + 1, f);
	if (!f || !b || n != INFERD_KEY_BYTES) {
		fprintf(stderr, "cella-infer: %s: %s\n", path,
			!f ? strerror(errno) : !b ? "out of memory" : "a model key is a file of exactly 32 bytes");
		if (b)
			OPENSSL_cleanse(b, 8 + INFERD_KEY_BYTES + 1);
		free(b);
		b = NULL;
	}
	if (f)
		fclose(f);
	return b;
}

/* cella-infer encrypt-model [--new-key] KEY MODEL OUT: the model under AES-256-GCM (inferd.h has the format). */
static int encrypt_model(int argc, char **argv)
{
	bool new_key = argc > 0 && !strcmp(argv[0], "--new-key");
	uint8_t *key = NULL, *model = NULL, *out = NULL;
	size_t len = 0, total = 0;
	EVP_CIPHER_CTX *c = NULL;
	int status = 1, k = 0;
	FILE *f = NULL;
	argv += new_key;
	argc -= new_key;
	if (argc != 3) {
		fprintf(stderr, "usage: cella-infer encrypt-model [--new-key] KEY MODEL.onnx OUT\n");
		return 2;
	}
	if (new_key) { /* a new key file: never over an existing one */
		uint8_t fresh[INFERD_KEY_BYTES];
		int fd = open(argv[0], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		bool ok = fd >= 0 && RAND_bytes(fresh, sizeof(fresh)) == 1 &&
			  write(fd, fresh, sizeof(fresh)) == (ssize_t)sizeof(fresh);
		OPENSSL_cleanse(fresh, sizeof(fresh));
		if (fd >= 0 && close(fd) != 0)
			ok = false;
		if (!ok) {
			fprintf(stderr, "cella-infer: --new-key %s: %s\n", argv[0], strerror(errno));
			if (fd >= 0)
				unlink(argv[0]);
			return 1;
		}
	}
	if (!(key = read_key(argv[0])) || !(model = slurp(argv[1], (size_t)256 << 20, &len)))
		goto out;
	total = INFERD_MODEL_HEADER + len + INFERD_MODEL_TAG;
	if (!(out = malloc(total)) || !(c = EVP_CIPHER_CTX_new()))
		goto out;
	memcpy(out, INFERD_MODEL_MAGIC, 8);
	for (int i = 0; i < 4; i++) {
		out[8 + i] = (uint8_t)(INFERD_MODEL_VERSION >> (8 * i));
		out[12 + i] = 0;
	}
	if (RAND_bytes(out + 16, 12) != 1 || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key + 8, out + 16) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &k, out, INFERD_MODEL_HEADER) != 1 ||
	    EVP_EncryptUpdate(c, out + INFERD_MODEL_HEADER, &k, model, (int)len) != 1 || (size_t)k != len ||
	    EVP_EncryptFinal_ex(c, out + INFERD_MODEL_HEADER + len, &k) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, INFERD_MODEL_TAG, out + INFERD_MODEL_HEADER + len) != 1) {
		fprintf(stderr, "cella-infer: encryption failed\n");
		goto out;
	}
	if (!(f = fopen(argv[2], "wb")) || fwrite(out, 1, total, f) != total || fclose(f) != 0) {
		fprintf(stderr, "cella-infer: %s: cannot write it: %s\n", argv[2], strerror(errno));
		f = NULL;
		goto out;
	}
	f = NULL;
	printf("cella-infer: %s encrypted into %s (%zu bytes)\n", argv[1], argv[2], total);
	status = 0;
out:
	if (f)
		fclose(f);
	EVP_CIPHER_CTX_free(c);
	if (key)
		OPENSSL_cleanse(key, 8 + INFERD_KEY_BYTES);
	free(key);
	if (model)
		OPENSSL_cleanse(model, len);
	free(model);
	free(out);
	return status;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *connect_to = NULL, *root_path = NULL, *model_path = NULL, *save_dir = NULL, *key_path = NULL;
	struct named inputs[MAX_NAMED], expect[MAX_NAMED];
	struct cella_onnx_tensor wants[MAX_NAMED] = {0}; /* expect[i]'s tensor, read once */
	char *filter[MAX_NAMED];
	size_t n_in = 0, n_expect = 0, n_filter = 0, root_len = 0, req_len = 0;
	uint8_t mrenclave[32], model_hash[32], hello[INFERD_HELLO_BYTES], *root = NULL, *req = NULL;
	uint8_t *files[MAX_NAMED] = {0};
	Cella__Inferd__TensorEntry ent[MAX_NAMED], *entp[MAX_NAMED];
	Cella__Inferd__PredictRequest pr = CELLA__INFERD__PREDICT_REQUEST__INIT;
	Cella__Inferd__PredictResponse *rsp = NULL;
	struct cella_tls_openssl_verifier v = {0};
	struct cella_evidence_root r = {0};
	bool have_mr = false, have_hash = false, unlocked = false;
	uint32_t kind = INFERD_PREDICT;
	long repeat = 1, timeout = 30;
	double *ms = NULL;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd = -1, status = 1;
	cella_result cr;

	if (argc > 1 && !strcmp(argv[1], "encrypt-model"))
		return encrypt_model(argc - 2, argv + 2);
	v.policy.time = (int64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *val = i + 1 < argc ? argv[i + 1] : NULL, *end;
		if (!strcmp(a, "--allow-debug")) {
			v.policy.allow_debug = true;
			continue;
		}
		if (!strcmp(a, "--allow-software-tee")) {
			v.policy.allow_software_tee = true;
			continue;
		}
		if (!val || strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "cella-infer: %s%s\n", a, strncmp(a, "--", 2) ? ": not an option" : " needs a value");
			exit(2);
		}
		i++;
		if (!strcmp(a, "--connect"))
			connect_to = val;
		else if (!strcmp(a, "--root"))
			root_path = val;
		else if (!strcmp(a, "--mrenclave"))
			hex32(a, val, mrenclave), have_mr = true;
		else if (!strcmp(a, "--model-sha256"))
			hex32(a, val, model_hash), have_hash = true;
		else if (!strcmp(a, "--model"))
			model_path = val;
		else if (!strcmp(a, "--input"))
			split_named(a, val, inputs, &n_in);
		else if (!strcmp(a, "--expect"))
			split_named(a, val, expect, &n_expect);
		else if (!strcmp(a, "--output")) {
			if (n_filter == MAX_NAMED) {
				fprintf(stderr, "cella-infer: --output: more than %d given\n", MAX_NAMED);
				exit(2);
			}
			filter[n_filter++] = val;
		} else if (!strcmp(a, "--save"))
			save_dir = val;
		else if (!strcmp(a, "--provision-key"))
			key_path = val;
		else if (!strcmp(a, "--repeat") || !strcmp(a, "--timeout")) {
			errno = 0;
			long n = strtol(val, &end, 10);
			if (*val < '0' || *val > '9' || errno || *end || n < 1 || n > 1000000) {
				fprintf(stderr, "cella-infer: %s %s: not a number from 1 to 1000000\n", a, val);
				exit(2);
			}
			*(a[2] == 'r' ? &repeat : &timeout) = n;
		} else {
			fprintf(stderr, "cella-infer: unknown option %s\n", a);
			exit(2);
		}
	}
	if (!connect_to || !root_path || !have_mr || !n_in == !key_path || !!model_path == have_hash ||
	    (key_path && (n_filter || n_expect || save_dir || repeat > 1)))
		usage();
	if (model_path) {
		size_t len = 0;
		uint8_t *m = slurp(model_path, (size_t)1 << 32, &len);
		if (!m)
			return 1;
		SHA256(m, len, model_hash);
		free(m);
	}
	for (size_t i = 0; i < n_expect; i++) {
		size_t len = 0;
		uint8_t *b = slurp(expect[i].file, MAX_ANSWER, &len);
		if (!b)
			goto out;
		cr = cella_onnx_tensor_decode(b, len, &wants[i]);
		free(b);
		if (cr != CELLA_OK) {
			fprintf(stderr, "cella-infer: %s: not a TensorProto: %s\n", expect[i].file, cella_result_str(cr));
			goto out;
		}
	}
	/* the request: each input file checked to be a TensorProto before anything is sent */
	for (size_t i = 0; i < n_in; i++) {
		struct cella_onnx_tensor t;
		size_t len = 0;
		if (!(files[i] = slurp(inputs[i].file, INFERD_MAX_REQUEST, &len)))
			goto out;
		if ((cr = cella_onnx_tensor_decode(files[i], len, &t)) != CELLA_OK) {
			fprintf(stderr, "cella-infer: %s: not a TensorProto: %s\n", inputs[i].file, cella_result_str(cr));
			goto out;
		}
		cella_onnx_tensor_fini(&t);
		cella__inferd__tensor_entry__init(&ent[i]);
		ent[i].key = inputs[i].name;
		ent[i].value.data = files[i];
		ent[i].value.len = len;
		entp[i] = &ent[i];
	}
	pr.n_inputs = n_in;
	pr.inputs = entp;
	pr.n_output_filter = n_filter;
	pr.output_filter = filter;
	if (key_path) { /* the request is the key */
		kind = INFERD_PROVISION_KEY;
		if (!(req = read_key(key_path)) || !(ms = calloc(1, sizeof(double))))
			goto out;
		req_len = INFERD_KEY_BYTES;
	} else {
		req_len = cella__inferd__predict_request__get_packed_size(&pr);
		if (req_len > INFERD_MAX_REQUEST) {
			fprintf(stderr, "cella-infer: the request is %zu bytes, over the service's %u MiB\n", req_len,
				INFERD_MAX_REQUEST >> 20);
			goto out;
		}
		if (!(req = malloc(req_len + 8)) || !(ms = calloc((size_t)repeat, sizeof(double))))
			goto out;
		cella__inferd__predict_request__pack(&pr, req + 8);
	}

	if (!(root = slurp(root_path, 1 << 20, &root_len)))
		goto out;
	r.cert = root;
	r.len = root_len;
	v.policy.roots = &r;
	v.policy.root_count = 1;
	v.policy.mrenclave = mrenclave;
	v.policy.report_data = model_hash; /* bound with the key in the enclave's quote: the model it loaded */
	v.policy.report_data_len = 32;
	if (!(ctx = SSL_CTX_new(TLS_client_method())))
		goto out;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if ((cr = cella_tls_openssl_configure(ctx, &v)) != CELLA_OK) {
		fprintf(stderr, "cella-infer: %s: not a usable root certificate: %s\n", root_path, cella_result_str(cr));
		goto out;
	}
	if ((fd = tcp_connect(connect_to, (int)timeout)) < 0)
		goto out;
	if (!(ssl = SSL_new(ctx)) || SSL_set_fd(ssl, fd) != 1)
		goto out;
	if (SSL_connect(ssl) != 1) {
		cr = cella_tls_openssl_peer(ssl, NULL);
		fprintf(stderr, "cella-infer: the service enclave was not verified: %s\n",
			cr == CELLA_ERR_NOT_FOUND ? "the TLS handshake failed" : cella_result_str(cr));
		goto out;
	}
	if (!ssl_read_all(ssl, hello, sizeof(hello)) || memcmp(hello, INFERD_MAGIC, 8) != 0 ||
	    get32(hello + 8) != INFERD_VERSION) {
		fprintf(stderr, "cella-infer: the service's hello did not come, or is not of protocol version %u\n",
			INFERD_VERSION);
		goto out;
	}
	if (memcmp(hello + 16, model_hash, 32) != 0) { /* the quote bound it already: a second look, at no cost */
		fprintf(stderr, "cella-infer: the service serves another model (SHA-256 ");
		for (int i = 0; i < 32; i++)
			fprintf(stderr, "%02x", hello[16 + i]);
		fprintf(stderr, ")\n");
		goto out;
	}
	printf("cella-infer: enclave verified (MRENCLAVE pinned), serving the expected model\n");
	for (long i = 0; i < repeat; i++) {
		struct timespec t0, t1;
		if (rsp)
			cella__inferd__predict_response__free_unpacked(rsp, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (!(rsp = exchange(ssl, kind, req, req_len, &unlocked)) && !unlocked)
			goto out;
		if (unlocked) {
			printf("cella-infer: the service took the key and loaded the model\n");
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (!outputs(rsp, expect, wants, n_expect, i + 1 == repeat ? save_dir : NULL, i + 1 == repeat))
			goto out;
	}
	if (repeat > 1) {
		qsort(ms, (size_t)repeat, sizeof(double), cmp_double);
		printf("cella-infer: %ld answers on one session, median %.3f ms each (request sent to answer read)\n",
		       repeat, ms[repeat / 2]);
	}
	if (n_expect)
		printf("cella-infer: every expected output matches\n");
	status = 0;
out:
	if (rsp)
		cella__inferd__predict_response__free_unpacked(rsp, NULL);
	free(ms);
	if (req)
		OPENSSL_cleanse(req, req_len + 8); /* a key, or the user's inputs */
	free(req);
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	for (size_t i = 0; i < n_in; i++)
		free(files[i]);
	for (size_t i = 0; i < n_expect; i++)
		cella_onnx_tensor_fini(&wants[i]);
	free(root);
	return status;
}
