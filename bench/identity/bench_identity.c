// SPDX-License-Identifier: MIT
/*
 * bench/identity: sealing, reports, evidence, evidence verification and attested TLS on the sandbox backend,
 * each next to a reference measured in the same run (OpenSSL on the host). Prints medians. A program, not a test.
 *   bench-identity ENCLAVE [--quick]
 */
#include <arpa/inet.h>
#include <cella/evidence.h>
#include <cella/host.h>
#include <cella/tls_host.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_identity.h"
#include "bench.h"

static struct cella_enclave *e;
static int reps = 11;

/* Median seconds per operation of an ecall that loops `it` times. */
static double ecall_loop(uint32_t fn, const void *in, size_t n, uint32_t it, void *out, size_t on)
{
	double t[64];
	size_t w = 0;
	for (int i = 0; i < reps; i++) {
		double t0 = bench_now_s();
		cella_result r = cella_enclave_call(e, fn, in, n, out, on, &w);
		t[i] = (bench_now_s() - t0) / it;
		if (r != CELLA_OK) {
			fprintf(stderr, "ecall %u: %s\n", fn, cella_result_name(r));
			exit(1);
		}
	}
	return bench_median(t, reps);
}

/* Reference: OpenSSL AES-256-GCM encryption of `size` bytes on the host. */
static double openssl_gcm(size_t size, uint32_t it, int decrypt)
{
	static uint8_t key[32] = {1}, iv[12] = {2}, tag[16];
	uint8_t *a = calloc(1, size + 16), *b = calloc(1, size + 16);
	double t[64];
	int l = 0;
	for (int i = 0; i < reps; i++) {
		double t0 = bench_now_s();
		for (uint32_t k = 0; k < it; k++) {
			EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
			EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, !decrypt);
			EVP_CipherUpdate(c, b, &l, a, (int)size);
			if (decrypt)
				EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
			EVP_CipherFinal_ex(c, b + l, &l);
			if (!decrypt)
				EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
			EVP_CIPHER_CTX_free(c);
		}
		t[i] = (bench_now_s() - t0) / it;
	}
	free(a);
	free(b);
	return bench_median(t, reps);
}

/* ---- TLS ---- */

struct serve_args {
	uint64_t listener;
	uint32_t conns;
};

static void *enclave_server(void *arg)
{
	struct serve_args *a = arg;
	uint8_t in[12];
	size_t w = 0;
	memcpy(in, &a->listener, 8);
	memcpy(in + 8, &a->conns, 4);
	if (cella_enclave_call(e, B_SERVE, in, sizeof(in), NULL, 0, &w) != CELLA_OK)
		fprintf(stderr, "enclave server failed\n");
	return NULL;
}

/* Reference server: OpenSSL on the host with a P-256 self-signed certificate, same protocol. */
struct ref_args {
	int lfd;
	uint32_t conns;
	SSL_CTX *ctx;
};

static void *host_server(void *arg)
{
	struct ref_args *a = arg;
	static char buf[1 << 16];
	memset(buf, 'x', sizeof(buf));
	for (uint32_t c = 0; c < a->conns; c++) {
		int fd = accept(a->lfd, NULL, NULL), n;
		SSL *ssl = SSL_new(a->ctx);
		char line[64];
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1 && (n = SSL_read(ssl, line, sizeof(line) - 1)) > 0) {
			line[n] = 0;
			if (n > 5 && memcmp(line, "BULK ", 5) == 0) {
				unsigned long long left = strtoull(line + 5, NULL, 10);
				while (left > 0) {
					int k = left < sizeof(buf) ? (int)left : (int)sizeof(buf);
					if (SSL_write(ssl, buf, k) != k)
						break;
					left -= (unsigned long long)k;
				}
			} else {
				SSL_write(ssl, line, n);
			}
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		close(fd);
	}
	return NULL;
}

static int connect_port(uint16_t port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

/* One client session: handshake time, then (bulk > 0) seconds to receive bulk bytes. */
static void client(uint16_t port, struct cella_tls_openssl_verifier *v, unsigned long long bulk, double *hs,
		   double *xfer)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	static char buf[1 << 16];
	char req[64];
	unsigned long long got = 0;
	int fd, n;
	double t0;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES256-GCM-SHA384");
	if (v && cella_tls_openssl_configure(ctx, v) != CELLA_OK) {
		fprintf(stderr, "the verification policy is unusable\n");
		exit(1);
	}
	ssl = SSL_new(ctx);
	fd = connect_port(port);
	SSL_set_fd(ssl, fd);
	t0 = bench_now_s();
	if (SSL_connect(ssl) != 1) {
		fprintf(stderr, "handshake failed%s%s\n", v ? ": " : "", v ? cella_result_name(v->result) : "");
		exit(1);
	}
	*hs = bench_now_s() - t0;
	snprintf(req, sizeof(req), bulk ? "BULK %llu\n" : "ping\n", bulk);
	t0 = bench_now_s();
	SSL_write(ssl, req, (int)strlen(req));
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) {
		got += (unsigned long long)n;
		if (!bulk || got >= bulk)
			break;
	}
	*xfer = bench_now_s() - t0;
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
}

static SSL_CTX *reference_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"reference", -1, -1, 0);
	X509_set_version(x, 2);
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, nm);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	SSL_CTX_use_certificate(ctx, x);
	SSL_CTX_use_PrivateKey(ctx, k);
	X509_NAME_free(nm);
	X509_free(x);
	EVP_PKEY_free(k);
	return ctx;
}

int main(int argc, char **argv)
{
	static const cella_ocall_fn ocalls[] = {[B_O_ACCEPT] = cella_tls_host_accept, [B_O_RECV] = cella_tls_host_recv,
						[B_O_SEND] = cella_tls_host_send, [B_O_CLOSE] = cella_tls_host_close};
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = 4};
	struct cella_hash mr, ms;
	static const uint32_t sizes[2] = {1024, 1u << 20};
	uint8_t *ev = malloc(20000);
	size_t evlen = 0;
	bool quick = argc > 2 && strcmp(argv[2], "--quick") == 0;
	unsigned long long bulk = quick ? (64ull << 20) : (1ull << 30);
	int hs_n = quick ? 5 : 21;

	if (argc < 2) {
		fprintf(stderr, "usage: %s ENCLAVE [--quick]\n", argv[0]);
		return 2;
	}
	if (quick)
		reps = 5;
	if (cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &s, &e) != CELLA_OK ||
	    cella_enclave_identity(e, &mr, &ms) != CELLA_OK)
		return 1;
	printf("bench/identity (sandbox backend; medians of %d runs; reference measured in the same run)\n\n", reps);
	printf("%-34s %12s %12s %14s %12s\n", "operation", "per op", "throughput", "reference", "ref thrpt");
	for (int i = 0; i < 2; i++) {
		uint32_t a[2] = {sizes[i], sizes[i] == 1024 ? 2000u : 50u};
		double ts = ecall_loop(B_SEAL, a, 8, a[1], NULL, 0), tu = ecall_loop(B_UNSEAL, a, 8, a[1], NULL, 0);
		double rs = openssl_gcm(sizes[i], a[1], 0), ru = openssl_gcm(sizes[i], a[1], 1);
		printf("seal %-7s (EGETKEY+HKDF+GCM)    %9.2f us %9.2f GB/s %11.2f us %9.2f GB/s  (OpenSSL AES-256-GCM)\n",
		       i ? "1 MiB" : "1 KiB", ts * 1e6, sizes[i] / ts / 1e9, rs * 1e6, sizes[i] / rs / 1e9);
		printf("unseal %-7s                    %9.2f us %9.2f GB/s %11.2f us %9.2f GB/s\n",
		       i ? "1 MiB" : "1 KiB", tu * 1e6, sizes[i] / tu / 1e9, ru * 1e6, sizes[i] / ru / 1e9);
	}
	{
		uint32_t it = 2000;
		double t = ecall_loop(B_REPORT, &it, 4, it, NULL, 0);
		printf("get_report (EREPORT via monitor)   %9.2f us\n", t * 1e6);
		it = 200;
		t = ecall_loop(B_EVIDENCE, &it, 4, it, ev, 20000);
		printf("get_evidence (quote, 2x ECDSA)     %9.2f us\n", t * 1e6);
		cella_enclave_call(e, B_EVIDENCE, &(uint32_t){1}, 4, ev, 20000, &evlen) == CELLA_OK ? (void)0 : exit(1);
	}
	{
		char path[4096];
		const char *dir = getenv("CELLA_PLATFORM_DIR");
		FILE *f;
		static uint8_t root[8192];
		size_t rl;
		struct cella_evidence_root r;
		struct cella_evidence_policy p;
		struct cella_claims c;
		double t[64];
		snprintf(path, sizeof(path), "%s/root-ca.pem", dir ? dir : "/var/lib/cella/platform");
		f = fopen(path, "rb");
		if (!f) {
			fprintf(stderr, "cannot read %s (set CELLA_PLATFORM_DIR)\n", path);
			return 1;
		}
		rl = fread(root, 1, sizeof(root), f);
		fclose(f);
		r.cert = root;
		r.len = rl;
		memset(&p, 0, sizeof(p));
		p.time = (int64_t)time(NULL);
		p.roots = &r;
		p.root_count = 1;
		p.allow_software_tee = p.allow_debug = true;
		p.mrenclave = mr.b;
		for (int i = 0; i < reps; i++) {
			double t0 = bench_now_s();
			for (int k = 0; k < 20; k++)
				if (cella_verify_evidence(ev, evlen, NULL, 0, &p, &c) != CELLA_OK)
					return 1;
			t[i] = (bench_now_s() - t0) / 20;
		}
		printf("verify_evidence (host, OpenSSL)    %9.2f us\n", bench_median(t, reps) * 1e6);

		/* TLS: handshakes and bulk against the enclave, then against an OpenSSL server on the host */
		{
			struct cella_tls_openssl_verifier v;
			struct serve_args sa;
			struct ref_args ra;
			pthread_t th;
			uint16_t port;
			double hs[64], x = 0, hsr[64], xr = 0, d;
			struct sockaddr_in a;
			socklen_t al = sizeof(a);
			memset(&v, 0, sizeof(v));
			v.policy = p;
			if (cella_tls_host_listen("127.0.0.1", 0, &sa.listener, &port) != CELLA_OK)
				return 1;
			sa.conns = (uint32_t)hs_n + 1;
			pthread_create(&th, NULL, enclave_server, &sa);
			for (int i = 0; i < hs_n; i++)
				client(port, &v, 0, &hs[i], &d);
			client(port, &v, bulk, &d, &x);
			pthread_join(th, NULL);
			cella_tls_host_unlisten(sa.listener);

			ra.ctx = reference_ctx();
			ra.conns = (uint32_t)hs_n + 1;
			ra.lfd = socket(AF_INET, SOCK_STREAM, 0);
			memset(&a, 0, sizeof(a));
			a.sin_family = AF_INET;
			a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (bind(ra.lfd, (struct sockaddr *)&a, sizeof(a)) || listen(ra.lfd, 8) ||
			    getsockname(ra.lfd, (struct sockaddr *)&a, &al))
				return 1;
			pthread_create(&th, NULL, host_server, &ra);
			for (int i = 0; i < hs_n; i++)
				client(ntohs(a.sin_port), NULL, 0, &hsr[i], &d);
			client(ntohs(a.sin_port), NULL, bulk, &d, &xr);
			pthread_join(th, NULL);
			close(ra.lfd);
			SSL_CTX_free(ra.ctx);
			printf("TLS 1.2 handshake + evidence check %9.2f us %12s %11.2f us %12s  (OpenSSL host server, no "
			       "evidence)\n",
			       bench_median(hs, hs_n) * 1e6, "", bench_median(hsr, hs_n) * 1e6, "");
			printf("%-4llu MiB through the enclave server  %9.2f s  %9.2f GB/s %11.2f s  %9.2f GB/s  (same cipher, "
			       "ECDHE-ECDSA-AES256-GCM)\n",
			       bulk >> 20, x, (double)bulk / x / 1e9, xr, (double)bulk / xr / 1e9);
		}
	}
	free(ev);
	(void)cella_enclave_terminate(e);
	cella_tls_host_forget(e);
	return 0;
}
