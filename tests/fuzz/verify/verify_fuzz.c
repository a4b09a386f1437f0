// SPDX-License-Identifier: MIT
/* libFuzzer harness: quote parsing (+ PCK extension, signature checks), collateral JSON, TCB Info, QE Identity,
 * PEM chains. Every input goes through every parser. The strict JSON front end (cJSON) is also held to jansson,
 * the independent parser it replaced: the same texts accepted, and the same values read from them. */
#include "verify_internal.h"

#include <cjson/cJSON.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* 1 if every number in v is an integer (the profile's rule, in jansson's terms). */
static int integers_only(json_t *v)
{
	const char *k;
	size_t i;
	json_t *e;
	if (json_is_real(v))
		return 0;
	if (json_is_object(v)) {
		json_object_foreach(v, k, e)
			if (!integers_only(e))
				return 0;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (!integers_only(e))
				return 0;
	}
	return 1;
}

/* 1 if the cJSON and jansson trees hold the same values (integers beyond 2^53 are not compared: doubles). */
static int same(const cJSON *c, json_t *j)
{
	size_t n = 0;
	if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
		if (cJSON_IsObject(c) != json_is_object(j) || cJSON_IsArray(c) != json_is_array(j))
			return 0;
		for (const cJSON *e = c->child; e; e = e->next, n++) {
			json_t *je = cJSON_IsObject(c) ? json_object_get(j, e->string) : json_array_get(j, n);
			if (!je || !same(e, je))
				return 0;
		}
		return n == (cJSON_IsObject(c) ? json_object_size(j) : json_array_size(j));
	}
	if (cJSON_IsString(c))
		return json_is_string(j) && strlen(c->valuestring) == json_string_length(j) &&
		       strcmp(c->valuestring, json_string_value(j)) == 0;
	if (cJSON_IsNumber(c)) {
		json_int_t v = json_is_integer(j) ? json_integer_value(j) : 0;
		return json_is_integer(j) && (v > (1LL << 53) || v < -(1LL << 53) || (double)v == c->valuedouble);
	}
	if (cJSON_IsBool(c))
		return json_is_boolean(j) && cJSON_IsTrue(c) == json_is_true(j);
	return cJSON_IsNull(c) && json_is_null(j);
}

static void json_differential(const uint8_t *data, size_t size)
{
	struct cJSON *ours = NULL;
	json_error_t err;
	size_t opens = 0;
	for (size_t i = 0; i < size; i++)
		opens += data[i] == '[' || data[i] == '{';
	cella_result r = cella_vfy_json_load((const char *)data, size, "fuzz", NULL, &ours);
	json_t *ref = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
	/* Known differences: cJSON stops at 1000 levels of nesting, jansson at 2048; jansson refuses integers beyond
	 * 64 bits, the profile reads them as doubles (every field has a far smaller range); jansson lets a NUL byte
	 * through between tokens, which JSON does not allow and the profile refuses anywhere. */
	if (memchr(data, 0, size)) {
		if (r == CELLA_OK)
			abort();
	} else if (opens < 1000 && (ref || !strstr(err.text, "too big"))) {
		int want = ref && json_is_object(ref) && integers_only(ref);
		if ((r == CELLA_OK) != want || (want && !same(ours, ref)))
			abort();
	}
	cJSON_Delete(ours);
	json_decref(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cella_quote q;
	struct cella_detail d;
	struct cella_collateral *c = NULL;
	struct vfy_tcb_info t;
	struct vfy_qe_identity qe;
	X509 *chain[4] = {NULL, NULL, NULL, NULL};
	size_t n = 0;

	json_differential(data, size);
	if (cella_quote_parse(data, size, &q, &d) == CELLA_OK) {
		struct cella_pck_info pck;
		struct cella_sgx_report r;
		if (q.len > size || q.body + q.body_len > data + size || q.pck_chain + q.pck_chain_len > (const char *)data + size)
			abort();
		cella_sgx_report_decode(q.qe_report, &r);
		(void)cella_quote_pck_info(&q, &pck, &d);
		(void)cella_quote_check_signatures(&q, &d);
	}
	if (cella_collateral_new_json((const char *)data, size, &c, &d) == CELLA_OK) {
		char *json = NULL;
		size_t len = 0;
		int64_t next;
		(void)cella_collateral_next_update(c, &next);
		/* what loaded is written, and what is written loads again */
		if (cella_collateral_to_json(c, &json, &len) != CELLA_OK)
			abort();
		cella_collateral_free(c);
		c = NULL;
		if (cella_collateral_new_json(json, len, &c, &d) != CELLA_OK)
			abort();
		free(json);
		cella_collateral_free(c);
	}
	if (cella_vfy_tcb_info_parse((const char *)data, size, &t, &d) == CELLA_OK)
		cella_vfy_tcb_info_fini(&t);
	if (cella_vfy_qe_identity_parse((const char *)data, size, &qe, &d) == CELLA_OK)
		cella_vfy_qe_identity_fini(&qe);
	if (cella_vfy_pem_chain((const char *)data, size, chain, 4, 0, &n, NULL, &d) == CELLA_OK) {
		struct cella_pck_info pck;
		(void)cella_vfy_pck_ext(chain[0], &pck, &d);
		for (size_t i = 0; i < n; i++)
			X509_free(chain[i]);
	}
	return 0;
}
