// SPDX-License-Identifier: MIT
/*
 * attestation-service sample host: asks its enclave for evidence bound to some runtime data, sends it to
 * cella-attestd (POST /attest/CellaEnclave, Azure Attestation's request shape), then verifies the token it gets
 * back the way a relying party does: the signing key from /certs by kid, RS256/ES256 over the JWS, issuer and
 * times, and the claims against what it knows (MRENCLAVE of the evidence, the runtime data).
 *   attestation_service_host ENCLAVE BASE_URL [CA_PEM]
 */
#define _POSIX_C_SOURCE 200809L
#include <cella/host.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct buf {
	char *p;
	size_t n;
};

static size_t collect(void *d, size_t sz, size_t nm, void *u)
{
	struct buf *b = u;
	char *np = realloc(b->p, b->n + sz * nm + 1);
	if (!np)
		return 0;
	b->p = np;
	memcpy(b->p + b->n, d, sz * nm);
	b->n += sz * nm;
	b->p[b->n] = 0;
	return sz * nm;
}

/* GET or POST (body != NULL); returns the HTTP status, body in out (malloc'd). */
static long http(const char *url, const char *ca, const char *body, struct buf *out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	long status = 0;
	memset(out, 0, sizeof(*out));
	if (!c)
		return 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

static char *b64url(const uint8_t *d, size_t n)
{
	char *o = malloc(4 * ((n + 2) / 3) + 1);
	int len;
	if (!o)
		return NULL;
	len = EVP_EncodeBlock((unsigned char *)o, d, (int)n);
	while (len > 0 && o[len - 1] == '=')
		o[--len] = 0;
	for (char *p = o; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return o;
}

static uint8_t *unb64(const char *s, bool url, size_t *n)
{
	size_t l = strlen(s), pad = (4 - l % 4) % 4;
	char *t = malloc(l + pad + 1);
	uint8_t *o = malloc(l + 3);
	int len;
	if (!t || !o) {
		free(t);
		free(o);
		return NULL;
	}
	for (size_t i = 0; i < l; i++)
		t[i] = url && s[i] == '-' ? '+' : url && s[i] == '_' ? '/' : s[i];
	memset(t + l, '=', pad);
	t[l + pad] = 0;
	len = EVP_DecodeBlock(o, (unsigned char *)t, (int)(l + pad));
	free(t);
	if (len < 0) {
		free(o);
		return NULL;
	}
	*n = (size_t)len - (pad > 2 ? 2 : pad);
	return o;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Verifies the JWS signature with the /certs key named by kid; returns the payload (new reference) or NULL. */
static json_t *verify_token(const char *token, const char *base, const char *ca)
{
	char url[512], *dot1, *dot2;
	struct buf certs;
	json_t *jwks = NULL, *hdr = NULL, *payload = NULL, *k;
	uint8_t *hb = NULL, *pb = NULL, *sig = NULL, *der = NULL, dsig[80];
	size_t hl, pl, sl, dl, i;
	const unsigned char *p;
	X509 *cert = NULL;
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *md = NULL;
	const char *kid, *alg;
	bool ok = false;

	dot1 = strchr(token, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2)
		return NULL;
	{
		char *h = strndup(token, (size_t)(dot1 - token)), *pp = strndup(dot1 + 1, (size_t)(dot2 - dot1 - 1));
		hb = unb64(h, true, &hl);
		pb = unb64(pp, true, &pl);
		sig = unb64(dot2 + 1, true, &sl);
		free(h);
		free(pp);
	}
	if (!hb || !pb || !sig || !(hdr = json_loadb((char *)hb, hl, 0, NULL)))
		goto out;
	kid = json_string_value(json_object_get(hdr, "kid"));
	alg = json_string_value(json_object_get(hdr, "alg"));
	snprintf(url, sizeof(url), "%s/certs", base);
	if (!kid || !alg || http(url, ca, NULL, &certs) != 200 || !(jwks = json_loads(certs.p, 0, NULL))) {
		fprintf(stderr, "host: cannot get the signing keys from %s\n", url);
		free(certs.p);
		goto out;
	}
	free(certs.p);
	json_array_foreach(json_object_get(jwks, "keys"), i, k)
	{
		if (!json_equal(json_object_get(k, "kid"), json_object_get(hdr, "kid")))
			continue;
		der = unb64(json_string_value(json_array_get(json_object_get(k, "x5c"), 0)), false, &dl);
		break;
	}
	p = der;
	if (!der || !(cert = d2i_X509(NULL, &p, (long)dl)) || !(pk = X509_get_pubkey(cert)))
		goto out;
	if (strcmp(alg, "ES256") == 0) { /* JWS r||s -> DER */
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *w = dsig;
		if (sl != 64 || !es || ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)) != 1) {
			ECDSA_SIG_free(es);
			goto out;
		}
		sl = (size_t)i2d_ECDSA_SIG(es, &w);
		ECDSA_SIG_free(es);
		memcpy(sig, dsig, sl);
	} else if (strcmp(alg, "RS256") != 0) {
		goto out;
	}
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	     EVP_DigestVerify(md, sig, sl, (const uint8_t *)token, (size_t)(dot2 - token)) == 1;
	if (ok)
		payload = json_loadb((char *)pb, pl, 0, NULL);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	X509_free(cert);
	json_decref(jwks);
	json_decref(hdr);
	free(hb);
	free(pb);
	free(sig);
	free(der);
	return payload;
}

int main(int argc, char **argv)
{
	struct cella_enclave *e = NULL;
	uint8_t rd[64], *quote = NULL;
	size_t qlen = 0;
	char runtime[256], url[512], mre[65], *qb = NULL, *rb = NULL, *req = NULL;
	struct buf resp = {0};
	json_t *j = NULL, *claims = NULL;
	const char *base, *ca, *token;
	long status;
	int rc = 1;
	time_t now = time(NULL);

	if (argc < 3) {
		fprintf(stderr, "usage: %s ENCLAVE BASE_URL [CA_PEM]\n", argv[0]);
		return 64;
	}
	base = argv[2];
	ca = argc > 3 ? argv[3] : NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);

	/* runtime data: what the enclave wants bound to its evidence (a real one would put its public key here) */
	snprintf(runtime, sizeof(runtime), "{\"sample\":\"attestation-service\",\"pid\":%d,\"time\":%lld}", (int)getpid(),
		 (long long)now);
	memset(rd, 0, sizeof(rd));
	SHA256((const uint8_t *)runtime, strlen(runtime), rd);
	if (cella_enclave_create(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e) != CELLA_OK) {
		fprintf(stderr, "host: cannot create the enclave\n");
		goto out;
	}
	quote = malloc(16384);
	if (!quote || cella_enclave_call(e, 0, rd, sizeof(rd), quote, 16384, &qlen) != CELLA_OK) {
		fprintf(stderr, "host: the enclave could not produce evidence\n");
		goto out;
	}
	hex(quote + 48 + 64, 32, mre);
	printf("enclave: evidence is a %zu-byte quote, MRENCLAVE %s\n", qlen, mre);

	qb = b64url(quote, qlen);
	rb = b64url((const uint8_t *)runtime, strlen(runtime));
	j = json_pack("{s:s, s:{s:s, s:s}}", "quote", qb, "runtimeData", "data", rb, "dataType", "JSON");
	req = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	j = NULL;
	snprintf(url, sizeof(url), "%s/attest/CellaEnclave?api-version=2022-08-01", base);
	status = http(url, ca, req, &resp);
	if (status != 200 || !(j = json_loads(resp.p, 0, NULL)) || !(token = json_string_value(json_object_get(j, "token")))) {
		fprintf(stderr, "host: attestation failed (HTTP %ld): %s\n", status, resp.p ? resp.p : "no answer");
		goto out;
	}
	printf("attestd: token of %zu bytes\n", strlen(token));

	/* the relying party's checks */
	claims = verify_token(token, base, ca);
	if (!claims) {
		fprintf(stderr, "host: the token's signature does not verify with the service's /certs key\n");
		goto out;
	}
	{
		json_int_t iat = json_integer_value(json_object_get(claims, "iat")),
			   exp = json_integer_value(json_object_get(claims, "exp"));
		const char *iss = json_string_value(json_object_get(claims, "iss"));
		const char *cm = json_string_value(json_object_get(claims, "x-ms-sgx-mrenclave"));
		json_t *rt = json_object_get(claims, "x-ms-runtime"), *want = json_loads(runtime, 0, NULL);
		bool ok = iss && strcmp(iss, base) == 0 && iat <= now + 60 && exp > now && cm && strcmp(cm, mre) == 0 &&
			  json_equal(rt, want);
		json_decref(want);
		if (!ok) {
			fprintf(stderr, "host: token claims do not match (issuer, times, MRENCLAVE or runtime data)\n");
			goto out;
		}
		printf("host: token verified: signature (kid from /certs), issuer %s, valid until %lld\n", iss, (long long)exp);
		printf("host: claims: x-ms-attestation-type=%s x-ms-sgx-mrenclave=%.16s... x-ms-sgx-product-id=%lld "
		       "x-ms-sgx-svn=%lld x-ms-sgx-is-debuggable=%s tee=%s\n",
		       json_string_value(json_object_get(claims, "x-ms-attestation-type")), cm,
		       (long long)json_integer_value(json_object_get(claims, "x-ms-sgx-product-id")),
		       (long long)json_integer_value(json_object_get(claims, "x-ms-sgx-svn")),
		       json_is_true(json_object_get(claims, "x-ms-sgx-is-debuggable")) ? "true" : "false",
		       json_string_value(json_object_get(claims, "tee")));
		printf("host: x-ms-runtime matches the runtime data bound into the evidence\n");
	}
	rc = 0;
out:
	json_decref(claims);
	json_decref(j);
	free(resp.p);
	free(req);
	free(qb);
	free(rb);
	free(quote);
	if (e && cella_enclave_terminate(e) != CELLA_OK)
		rc = 1;
	curl_global_cleanup();
	return rc;
}
