// SPDX-License-Identifier: MIT
/* Test enclave for attested TLS: certificates, a TLS server over host ocalls, the BearSSL verifier. */
#include <bearssl.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <cella/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_ids.h"

static struct cella_tls_key key;
static uint8_t cert[CELLA_ATTEST_CERT_MAX_BYTES];
static size_t cert_len;

static cella_result ensure_cert(void)
{
	if (cert_len)
		return CELLA_OK;
	cella_result r = cella_tls_key_generate(&key);
	if (r == CELLA_OK)
		r = cella_attest_cert(&key, "cella test server", cert, sizeof(cert), &cert_len);
	return r;
}

static cella_result get_cert(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	cella_result r = ensure_cert();
	(void)in, (void)n;
	if (r != CELLA_OK)
		return r;
	if (on < cert_len)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, cert, cert_len);
	*w = cert_len;
	return CELLA_OK;
}

static cella_result bound_cert(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_tls_key k;
	uint8_t bound[32];
	cella_result r;
	(void)in, (void)n;
	for (int i = 0; i < 32; i++)
		bound[i] = T_BOUND_BYTE(i);
	if ((r = cella_tls_key_generate(&k)) == CELLA_OK)
		r = cella_attest_cert_bound(&k, "cella bound", bound, out, on, w);
	cella_tls_key_fini(&k);
	return r;
}

/* Evidence naming key2 in a certificate of key1: the binding check must refuse it. */
static cella_result bad_cert(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const uint8_t uuid[16] = CELLA_FORMAT_UUID_SGX_ECDSA;
	struct cella_tls_key k1, k2;
	uint8_t spki[CELLA_TLS_SPKI_BYTES], rd[64] = {0};
	uint8_t *env = malloc(CELLA_ATTEST_CERT_MAX_BYTES);
	uint32_t version = CELLA_EVIDENCE_HEADER_VERSION;
	uint64_t size;
	size_t qlen = 0;
	br_sha256_context h;
	cella_result r;
	(void)in, (void)n;
	if (!env)
		return CELLA_ERR_OUT_OF_MEMORY;
	r = cella_tls_key_generate(&k1);
	if (r == CELLA_OK)
		r = cella_tls_key_generate(&k2);
	cella_tls_key_spki(&k2, spki);
	br_sha256_init(&h);
	br_sha256_update(&h, spki, sizeof(spki));
	br_sha256_out(&h, rd);
	if (r == CELLA_OK)
		r = cella_get_evidence(rd, env + CELLA_EVIDENCE_HEADER_BYTES, 16384, &qlen);
	if (r == CELLA_OK) {
		memcpy(env + CELLA_EVIDENCE_HEADER_BYTES + qlen, spki, sizeof(spki));
		size = qlen + sizeof(spki);
		memcpy(env, &version, 4);
		memcpy(env + 4, uuid, 16);
		memcpy(env + 20, &size, 8);
		r = cella_tls_cert_build(&k1, NULL, env, CELLA_EVIDENCE_HEADER_BYTES + (size_t)size, out, on, w);
	}
	cella_tls_key_fini(&k1);
	cella_tls_key_fini(&k2);
	free(env);
	return r;
}

static void copy_detail(struct t_serve_out *res, const struct cella_tls_server *s)
{
	const char *d = cella_tls_server_detail(s);
	size_t n = strlen(d);
	if (n > sizeof(res->detail) - 1)
		n = sizeof(res->detail) - 1;
	memcpy(res->detail, d, n);
	res->detail[n] = 0;
}

static cella_result serve(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const struct cella_tls_ocalls oc = {T_O_ACCEPT, T_O_RECV, T_O_SEND, T_O_CLOSE};
	struct t_serve_in a;
	struct cella_tls_server *s = NULL;
	struct t_serve_out res;
	static uint8_t buf[1u << 16];
	cella_result r;

	if (n != sizeof(a) || on < sizeof(res))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&a, in, sizeof(a));
	memset(&res, 0, sizeof(res));
	r = ensure_cert();
	if (r == CELLA_OK)
		r = cella_tls_server_new(&key, cert, cert_len, &oc, &s);
	if (r != CELLA_OK)
		return r;
	for (uint32_t c = 0; c < a.connections; c++) {
		size_t got = 0, len = 0;
		unsigned long long bulk = 0;
		r = cella_tls_server_accept(s, a.listener, a.timeout_ms);
		if (r != CELLA_OK) {
			res.last_error = (uint32_t)r; /* a refused handshake, or a lying host socket */
			copy_detail(&res, s);
			res.closed_write = (uint32_t)cella_tls_server_write(s, "x", 1);
			continue;
		}
		res.ok++;
		if (a.flags & T_SERVE_ACCEPT_AGAIN) { /* one connection at a time: refused without asking the host */
			res.again_result = (uint32_t)cella_tls_server_accept(s, a.listener, 1);
			copy_detail(&res, s);
		}
		/* read one line, or 8 bytes */
		res.read_result = CELLA_OK;
		res.write_result = CELLA_OK;
		if (a.flags & T_SERVE_READ_FULL) {
			res.read_result = (uint32_t)cella_tls_server_read_full(s, buf, 8);
			len = res.read_result == CELLA_OK ? 8 : 0;
		}
		while (!(a.flags & T_SERVE_READ_FULL) && len < 1024 && (len == 0 || buf[len - 1] != '\n')) {
			cella_result rr = cella_tls_server_read(s, buf + len, 1024 - len, &got);
			if (rr == CELLA_OK && got == 0) { /* tell the host what the server has sent by now */
				size_t ow = 0;
				rr = cella_ocall(T_O_END_OF_DATA, NULL, 0, NULL, 0, &ow);
			}
			if (rr != CELLA_OK || got == 0) {
				res.read_result = (uint32_t)rr;
				break;
			}
			len += got;
		}
		if (res.read_result != CELLA_OK) { /* cut short: nothing to answer, but a write must fail too */
			copy_detail(&res, s);
			res.write_result = (uint32_t)cella_tls_server_write(s, "x", 1);
			(void)cella_tls_server_close(s);
			res.closed_write = (uint32_t)cella_tls_server_write(s, "x", 1);
			continue;
		}
		if (len > 5 && memcmp(buf, "BULK ", 5) == 0) {
			buf[len - 1] = 0;
			bulk = strtoull((const char *)buf + 5, NULL, 10);
			memset(buf, 'x', sizeof(buf));
			while (bulk > 0) {
				size_t k = bulk < sizeof(buf) ? (size_t)bulk : sizeof(buf);
				r = cella_tls_server_write(s, buf, k);
				if (r != CELLA_OK) {
					res.write_result = (uint32_t)r;
					copy_detail(&res, s);
					break;
				}
				bulk -= k;
			}
		} else if (len > 0) {
			static const char pre[] = "enclave: ";
			r = cella_tls_server_write(s, pre, sizeof(pre) - 1);
			if (r == CELLA_OK)
				r = cella_tls_server_write(s, buf, len);
			if (r != CELLA_OK) {
				res.write_result = (uint32_t)r;
				copy_detail(&res, s);
				res.ok--; /* counted as a failed session */
			}
		}
		(void)cella_tls_server_close(s);
		res.closed_write = (uint32_t)cella_tls_server_write(s, "x", 1);
	}
	cella_tls_server_free(s);
	memcpy(out, &res, sizeof(res));
	*w = sizeof(res);
	return CELLA_OK;
}

/* Drives the BearSSL X.509 engine by hand, as a TLS client engine would with the server's chain. */
static cella_result verify(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_evidence_policy p;
	struct cella_evidence_root root;
	struct cella_tls_verifier *v = NULL;
	const br_x509_class **x;
	int64_t t;
	uint32_t flags, rl, res;
	cella_result r;
	if (n < 16 || on < 4)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&t, in, 8);
	memcpy(&flags, in + 8, 4);
	memcpy(&rl, in + 12, 4);
	if (rl > n - 16)
		return CELLA_ERR_INVALID_ARG;
	memset(&p, 0, sizeof(p));
	root.cert = in + 16;
	root.len = rl;
	p.time = t;
	p.roots = &root;
	p.root_count = 1;
	p.allow_software_tee = true;
	p.allow_debug = true;
	p.any_identity = flags & 1;
	uint8_t bound[32];
	for (int i = 0; i < 32; i++)
		bound[i] = T_BOUND_BYTE(i);
	if (flags & (T_VERIFY_BOUND | T_VERIFY_BOUND_SHORT)) {
		p.report_data = bound;
		p.report_data_len = flags & T_VERIFY_BOUND_SHORT ? 31 : 32;
	}
	r = cella_tls_verifier_new(&p, &v);
	if (r != CELLA_OK) { /* the verifier's refusal of the policy is the answer */
		res = (uint32_t)r;
		memcpy(out, &res, 4);
		*w = 4;
		return CELLA_OK;
	}
	x = (const br_x509_class **)cella_tls_verifier_x509(v);
	(*x)->start_chain(x, "ignored.example");
	(*x)->start_cert(x, (uint32_t)(n - 16 - rl));
	(*x)->append(x, in + 16 + rl, n - 16 - rl);
	(*x)->end_cert(x);
	res = (*x)->end_chain(x);
	r = cella_tls_verifier_result(v, NULL);
	if ((res == 0) != (r == CELLA_OK) || (r == CELLA_OK && !(*x)->get_pkey(x, NULL)))
		r = CELLA_ERR_UNEXPECTED;
	cella_tls_verifier_free(v);
	res = (uint32_t)r;
	memcpy(out, &res, 4);
	*w = 4;
	return CELLA_OK;
}

static uint8_t big[CELLA_ATTEST_CERT_MAX_BYTES + 1];

/* cella_tls_server_new's result for a certificate of cert_len bytes (the server is freed at once) */
static uint32_t server_new(size_t cert_len)
{
	static const struct cella_tls_ocalls oc = {T_O_ACCEPT, T_O_RECV, T_O_SEND, T_O_CLOSE};
	struct cella_tls_server *s = NULL;
	cella_result r = cella_tls_server_new(&key, big, cert_len, &oc, &s);
	cella_tls_server_free(s);
	return (uint32_t)r;
}

/* cella_tls_verifier_new on a policy with one DER root (the server's own certificate: any certificate parses), a
 * verification time, and flaw `bad` (0: none). */
static uint32_t verifier_new(int bad)
{
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	static const char no_cert[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
	struct cella_evidence_root root = {cert, cert_len};
	struct cella_evidence_policy p;
	struct cella_tls_verifier *v = NULL;
	cella_result r;
	memset(&p, 0, sizeof(p));
	p.time = 1798761600;
	p.roots = &root;
	p.root_count = 1;
	p.any_identity = true;
	if (bad == 1)
		p.time = 0;
	else if (bad == 2)
		p.roots = NULL;
	else if (bad == 3)
		root.cert = NULL;
	else if (bad == 4)
		root = (struct cella_evidence_root){junk, sizeof(junk)};
	else if (bad == 5)
		root = (struct cella_evidence_root){(const uint8_t *)no_cert, sizeof(no_cert) - 1};
	r = cella_tls_verifier_new(&p, &v);
	if ((r == CELLA_OK) != (v != NULL))
		r = CELLA_ERR_UNEXPECTED; /* out written on success only */
	cella_tls_verifier_free(v);
	return (uint32_t)r;
}

/* cella_attest_cert's and cella_tls_server_new's refusals, with the accepted values next to them. */
static cella_result limits(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct t_limits_out o;
	char cn[66];
	size_t len = 0;
	cella_result r = ensure_cert();
	(void)in, (void)n;
	if (r != CELLA_OK)
		return r;
	if (on < sizeof(o))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memset(&o, 0, sizeof(o));
	o.small = (uint32_t)cella_attest_cert(&key, NULL, big, 16, &len);
	o.small_len = len;
	/* the size a too-small buffer reports is enough for the next certificate (its signature's length varies) */
	for (int i = 0; i < 16; i++) {
		size_t need = 0;
		if (cella_attest_cert(&key, NULL, big, 16, &need) != CELLA_ERR_BUFFER_TOO_SMALL ||
		    cella_attest_cert(&key, NULL, big, need, &len) != CELLA_OK)
			o.retry_failures++;
	}
	memset(cn, 'c', sizeof(cn));
	cn[64] = 0;
	o.cn_64 = (uint32_t)cella_attest_cert(&key, cn, big, sizeof(big), &len);
	cn[64] = 'c';
	cn[65] = 0;
	o.cn_65 = (uint32_t)cella_attest_cert(&key, cn, big, sizeof(big), &len);
	o.cn_empty = (uint32_t)cella_attest_cert(&key, "", big, sizeof(big), &len);
	o.cn_utf8 = (uint32_t)cella_attest_cert(&key, "Enclave \xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80", big, sizeof(big),
						&len);
	{
		static const char *const bad[4] = {"a\xff", "\xc0\xaf", "\xed\xa0\x80", "ab\xe2\x82"};
		for (int i = 0; i < 4; i++)
			o.cn_not_utf8[i] = (uint32_t)cella_attest_cert(&key, bad[i], big, sizeof(big), &len);
	}
	o.verifier_ok = verifier_new(0);
	for (int i = 0; i < 5; i++)
		o.verifier_bad[i] = verifier_new(i + 1);
	o.server_over = server_new(CELLA_ATTEST_CERT_MAX_BYTES + 1);
	o.server_empty = server_new(0);
	o.server_max = server_new(CELLA_ATTEST_CERT_MAX_BYTES);
	memcpy(out, &o, sizeof(o));
	*w = sizeof(o);
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[T_CERT] = {get_cert, CELLA_ECALL_PUBLIC},
	[T_BAD_CERT] = {bad_cert, CELLA_ECALL_PUBLIC},
	[T_SERVE] = {serve, CELLA_ECALL_PUBLIC},
	[T_VERIFY] = {verify, CELLA_ECALL_PUBLIC},
	[T_LIMITS] = {limits, CELLA_ECALL_PUBLIC},
	[T_BOUND_CERT] = {bound_cert, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);
