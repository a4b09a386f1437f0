// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for cella-attestd's parsers: the first byte picks the target.
 *   0 attestation request JSON (SgxEnclave / OpenEnclave shapes)   1 policy language: compile, then evaluate
 *   2 policy JWS + StoredAttestationPolicy payload                    3 base64 / base64url
 *   4 a whole request through the service's router: "METHOD PATH?api-version=V\n<header>\n<body>"
 *   5 JSON configuration                                             6 JmesPath: "query\ndocument"
 */
#include "attestd_internal.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct attestd_config cfg;
static struct attestd_service *svc;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[ATTESTD_ERR_BYTES], side[4200];
	static char db[4096];
	/* the service's database: in the directory run_fuzz.sh names (the build tree), where the next run replaces it,
	 * else /tmp under this process's ID */
	const char *dir = getenv("ATTESTD_FUZZ_DIR");
	(void)argc, (void)argv;
	if (dir && *dir)
		snprintf(db, sizeof(db), "%s/attestd-fuzz.db", dir);
	else
		snprintf(db, sizeof(db), "/tmp/attestd-fuzz-%d.db", (int)getpid());
	unlink(db);
	snprintf(side, sizeof(side), "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db);
	unlink(side);
	if (attestd_config_apply_json(&cfg, attestd_config_default_json(), strlen(attestd_config_default_json()), err) !=
	    CELLA_OK)
		abort();
	free(cfg.db);
	cfg.db = strdup(db);
	cfg.admin_token = strdup("fuzz");
	cfg.test_mode = true;
	if (attestd_service_new(&cfg, &svc, err) != CELLA_OK) {
		fprintf(stderr, "service: %s\n", err);
		abort();
	}
	return 0;
}

static void claims_for_policy(struct attestd_claims *c)
{
	attestd_claims_init(c);
	if (attestd_claims_add_bool(c, "x-ms-sgx-is-debuggable", true) != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-sgx-mrsigner", "00ff") != CELLA_OK ||
	    attestd_claims_add_int(c, "x-ms-sgx-svn", 3) != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-runtime", "{\"a\":[1,2,{\"b\":true}]}") != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-attestation-type", "sgx") != CELLA_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char err[ATTESTD_ERR_BYTES];
	if (n < 1)
		return 0;
	uint8_t sel = d[0];
	d++;
	n--;
	switch (sel % 7) {
	case 0: {
		struct attestd_attest_request r;
		const char *code;
		if (attestd_attest_request_parse(d, n, sel & 0x80, &r, &code, err) == CELLA_OK)
			attestd_attest_request_fini(&r);
		break;
	}
	case 1: {
		struct attestd_policy *p;
		if (attestd_policy_compile((const char *)d, n, &p, err) == CELLA_OK) {
			struct attestd_claims in, out, props;
			claims_for_policy(&in);
			attestd_claims_init(&out);
			attestd_claims_init(&props);
			(void)attestd_policy_evaluate(p, &in, &out, &props, err);
			attestd_claims_fini(&in);
			attestd_claims_fini(&out);
			attestd_claims_fini(&props);
			attestd_policy_free(p);
		}
		break;
	}
	case 2: {
		struct attestd_jws j;
		char *text = malloc(n + 1);
		if (!text)
			return 0;
		memcpy(text, d, n);
		text[n] = 0;
		if (attestd_jws_parse(text, n, &j, err) == CELLA_OK) {
			char *t = NULL;
			size_t tl;
			void *cert = NULL, *key = NULL;
			if (attestd_policy_jws_text(&j, &t, &tl, err) == CELLA_OK)
				free(t);
			/* x5c or jwk */
			if (attestd_jws_verify_key(text, &j, &key, &cert, err) == CELLA_OK)
				json_decref(cert ? attestd_cert_jwk(cert) : attestd_pkey_jwk(key));
			X509_free(cert);
			EVP_PKEY_free(key);
			attestd_jws_fini(&j);
		}
		free(text);
		break;
	}
	case 3: {
		uint8_t *out;
		size_t ol;
		if (attestd_b64_decode((const char *)d, n, &out, &ol) == CELLA_OK) {
			char *e = attestd_b64_encode(out, ol, sel & 0x80);
			free(e);
			free(out);
		}
		break;
	}
	case 4: {
		/* METHOD SP PATH [?api-version=V] LF AUTH-HEADER LF BODY */
		char *buf = malloc(n + 1), *line2, *body, *sp, *q;
		struct attestd_request req;
		struct attestd_response resp;
		if (!buf)
			return 0;
		memcpy(buf, d, n);
		buf[n] = 0;
		memset(&req, 0, sizeof(req));
		line2 = memchr(buf, '\n', n);
		if (line2) {
			*line2++ = 0;
			body = strchr(line2, '\n');
			if (body)
				*body++ = 0;
		} else {
			body = NULL;
		}
		sp = strchr(buf, ' ');
		if (!sp) {
			free(buf);
			return 0;
		}
		*sp = 0;
		req.method = buf;
		req.path = sp + 1;
		q = strchr(sp + 1, '?');
		if (q) {
			*q = 0;
			if (strncmp(q + 1, "api-version=", 12) == 0)
				req.api_version = q + 13;
		}
		req.authorization = line2 && *line2 ? line2 : NULL;
		req.body = (const uint8_t *)(body ? body : "");
		req.body_len = body ? n - (size_t)(body - buf) : 0;
		req.test_time = "1750334171";
		attestd_service_handle(svc, &req, &resp);
		if (!resp.body || resp.status < 200 || resp.status > 599)
			abort();
		attestd_response_fini(&resp);
		free(buf);
		break;
	}
	case 5: {
		struct attestd_config c;
		memset(&c, 0, sizeof(c));
		(void)attestd_config_apply_json(&c, (const char *)d, n, err);
		attestd_config_fini(&c);
		break;
	}
	case 6: {
		const uint8_t *nl = memchr(d, '\n', n);
		size_t ql = nl ? (size_t)(nl - d) : n, off;
		json_t *doc = nl ? json_loadb((const char *)nl + 1, n - ql - 1, JSON_DECODE_ANY, NULL) : json_null();
		json_t *res = NULL;
		long steps = 0;
		if (!doc)
			break;
		if (attestd_jmes_check((const char *)d, ql, &off, err) == CELLA_OK && off != 0)
			abort(); /* the offset is set only with an error */
		if (attestd_jmes_eval((const char *)d, ql, doc, &steps, 200000, &res, err) == CELLA_OK) {
			char *s = json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
			if (!s)
				abort(); /* every result is printable JSON */
			free(s);
		}
		json_decref(res);
		json_decref(doc);
		break;
	}
	}
	return 0;
}
