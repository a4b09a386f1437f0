// SPDX-License-Identifier: MIT
/* TCB Info (v2, v3) and QE Identity (v2) documents, parsed with jansson after their signature is checked. */
#include "verify_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- raw member extraction: the exact bytes a PCS signature covers ---- */

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* End (exclusive) of the string starting at s[i] == '"', or 0. */
static size_t skip_string(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* End (exclusive) of the JSON value starting at s[i], or 0. Scalars end at , } ] or whitespace. */
static size_t skip_value(const char *s, size_t i, size_t n)
{
	int depth = 0;
	if (i >= n)
		return 0;
	if (s[i] == '"')
		return skip_string(s, i, n);
	if (s[i] != '{' && s[i] != '[') {
		while (i < n && !strchr(",}] \t\r\n", s[i]))
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (s[i] == '"') {
			i = skip_string(s, i, n);
			if (!i)
				return 0;
			i--;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

int cella_vfy_json_member_raw(const char *s, size_t n, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key), i = skip_ws(s, 0, n);
	if (i >= n || s[i] != '{')
		return -1;
	i = skip_ws(s, i + 1, n);
	while (i < n && s[i] == '"') {
		size_t ks = i + 1, ke = skip_string(s, i, n), vs, ve;
		if (!ke)
			return -1;
		i = skip_ws(s, ke, n);
		if (i >= n || s[i] != ':')
			return -1;
		vs = skip_ws(s, i + 1, n);
		ve = skip_value(s, vs, n);
		if (!ve || ve == vs)
			return -1;
		if (ke - 1 - ks == klen && memcmp(s + ks, key, klen) == 0) {
			*val = s + vs;
			*vlen = ve - vs;
			return 0;
		}
		i = skip_ws(s, ve, n);
		if (i < n && s[i] == ',')
			i = skip_ws(s, i + 1, n);
		else
			break;
	}
	return -1;
}

/* ---- typed getters ---- */

#define JFAIL(...) CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, __VA_ARGS__))

static int get_uint(json_t *o, const char *k, json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int get_time(json_t *o, const char *k, int64_t *out)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) && cella_time_parse(json_string_value(v), out) == CELLA_OK ? 0 : -1;
}

static int get_hex(json_t *o, const char *k, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_string(v))
		return -1;
	return cella_vfy_hex_exact(json_string_value(v), json_string_length(v), out, n);
}

static int get_status(json_t *o, cella_tcb_status *out)
{
	json_t *v = json_object_get(o, "tcbStatus");
	return json_is_string(v) && cella_tcb_status_parse(json_string_value(v), out) == CELLA_OK ? 0 : -1;
}

static int get_advisories(json_t *o, struct vfy_level *l)
{
	json_t *a = json_object_get(o, "advisoryIDs"), *v;
	size_t i;
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > CELLA_VERIFY_MAX_ADVISORIES)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) >= CELLA_ADVISORY_ID_BYTES)
			return -1;
		memcpy(l->advisory_ids[i], json_string_value(v), json_string_length(v) + 1);
	}
	l->advisory_count = json_array_size(a);
	return 0;
}

/* 16 components [{svn: n, ...}] */
static int get_components(json_t *tcb, const char *k, uint8_t *out)
{
	json_t *a = json_object_get(tcb, k), *v;
	size_t i;
	json_int_t x;
	if (!json_is_array(a) || json_array_size(a) != 16)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_object(v) || get_uint(v, "svn", 255, &x))
			return -1;
		out[i] = (uint8_t)x;
	}
	return 0;
}

static int cmp_platform(const struct vfy_level *a, const struct vfy_level *b)
{
	int c = memcmp(a->sgx_svn, b->sgx_svn, 16);
	if (c)
		return c;
	if (a->pce_svn != b->pce_svn)
		return a->pce_svn < b->pce_svn ? -1 : 1;
	return memcmp(a->tdx_svn, b->tdx_svn, 16);
}

static int cmp_isv(const struct vfy_level *a, const struct vfy_level *b)
{
	return a->isv_svn == b->isv_svn ? 0 : a->isv_svn < b->isv_svn ? -1 : 1;
}

/* Stable insertion sort, descending (the order Intel's QVL iterates its std::set<..., greater>). */
static void sort_desc(struct vfy_level *l, size_t n, int (*cmp)(const struct vfy_level *, const struct vfy_level *))
{
	for (size_t i = 1; i < n; i++) {
		struct vfy_level t = l[i];
		size_t j = i;
		while (j > 0 && cmp(&l[j - 1], &t) < 0) {
			l[j] = l[j - 1];
			j--;
		}
		l[j] = t;
	}
}

/* tcbLevels of {tcb:{isvsvn}} (QE Identity, TDX module identities). */
static int isv_levels(json_t *arr, struct vfy_level **out, size_t *count)
{
	json_t *v;
	size_t i, n;
	json_int_t x;
	struct vfy_level *l;
	if (!json_is_array(arr) || (n = json_array_size(arr)) == 0 || n > VFY_MAX_LEVELS)
		return -1;
	l = calloc(n, sizeof(*l));
	if (!l)
		return -1;
	json_array_foreach(arr, i, v) {
		json_t *tcb = json_object_get(v, "tcb");
		if (!json_is_object(v) || !json_is_object(tcb) || get_uint(tcb, "isvsvn", 65535, &x) ||
		    get_time(v, "tcbDate", &l[i].tcb_date) || get_status(v, &l[i].status) || get_advisories(v, &l[i])) {
			free(l);
			return -1;
		}
		l[i].isv_svn = (uint16_t)x;
	}
	sort_desc(l, n, cmp_isv);
	*out = l;
	*count = n;
	return 0;
}

static int module_parse(json_t *m, struct vfy_tdx_module *o, bool with_levels)
{
	json_t *id = json_object_get(m, "id");
	if (!json_is_object(m) || get_hex(m, "mrsigner", o->mrsigner, 48) || get_hex(m, "attributes", o->attributes, 8) ||
	    get_hex(m, "attributesMask", o->attributes_mask, 8))
		return -1;
	if (with_levels) {
		if (!json_is_string(id) || json_string_length(id) >= sizeof(o->id))
			return -1;
		memcpy(o->id, json_string_value(id), json_string_length(id) + 1);
		return isv_levels(json_object_get(m, "tcbLevels"), &o->levels, &o->level_count);
	}
	return 0;
}

cella_result cella_vfy_tcb_info_parse(const char *text, size_t len, struct vfy_tcb_info *out, struct cella_detail *d)
{
	struct vfy_tcb_info t;
	json_error_t err;
	json_t *root = NULL, *levels, *v, *id;
	json_int_t x;
	size_t i;
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(&t, 0, sizeof(t));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(root))
		JFAIL("TCB Info is not a JSON object (%s)", root ? "wrong type" : err.text);
	if (get_uint(root, "version", 100, &x) || (x != 2 && x != 3))
		JFAIL("TCB Info version not supported (2 or 3)");
	t.version = (int)x;
	id = json_object_get(root, "id");
	if (t.version == 3) {
		if (!json_is_string(id) || (strcmp(json_string_value(id), "SGX") && strcmp(json_string_value(id), "TDX")))
			JFAIL("TCB Info v3 id must be \"SGX\" or \"TDX\"");
		t.tdx = strcmp(json_string_value(id), "TDX") == 0;
	} else if (id) {
		JFAIL("TCB Info v2 has an id");
	}
	if (get_time(root, "issueDate", &t.issue_date) || get_time(root, "nextUpdate", &t.next_update))
		JFAIL("TCB Info issueDate/nextUpdate missing or malformed");
	if (get_hex(root, "fmspc", t.fmspc, 6) || get_hex(root, "pceId", t.pce_id, 2))
		JFAIL("TCB Info fmspc/pceId missing or malformed");
	if (get_uint(root, "tcbType", 0, &x))
		JFAIL("TCB Info tcbType must be 0");
	if (get_uint(root, "tcbEvaluationDataNumber", 0xffffffff, &x))
		JFAIL("TCB Info tcbEvaluationDataNumber missing");
	t.eval_number = (uint32_t)x;
	levels = json_object_get(root, "tcbLevels");
	if (!json_is_array(levels) || json_array_size(levels) == 0 || json_array_size(levels) > VFY_MAX_LEVELS)
		JFAIL("TCB Info tcbLevels missing, empty or too long");
	t.level_count = json_array_size(levels);
	t.levels = calloc(t.level_count, sizeof(*t.levels));
	if (!t.levels)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	json_array_foreach(levels, i, v) {
		struct vfy_level *l = &t.levels[i];
		json_t *tcb = json_object_get(v, "tcb");
		if (!json_is_object(v) || !json_is_object(tcb))
			JFAIL("TCB Info level %zu has no tcb object", i);
		if (t.version == 2) {
			for (int c = 0; c < 16; c++) {
				char k[20];
				snprintf(k, sizeof(k), "sgxtcbcomp%02dsvn", c + 1);
				if (get_uint(tcb, k, 255, &x))
					JFAIL("TCB Info level %zu lacks %s", i, k);
				l->sgx_svn[c] = (uint8_t)x;
			}
		} else {
			if (get_components(tcb, "sgxtcbcomponents", l->sgx_svn))
				JFAIL("TCB Info level %zu sgxtcbcomponents malformed", i);
			if (t.tdx && get_components(tcb, "tdxtcbcomponents", l->tdx_svn))
				JFAIL("TCB Info level %zu tdxtcbcomponents malformed", i);
		}
		if (get_uint(tcb, "pcesvn", 65535, &x))
			JFAIL("TCB Info level %zu pcesvn malformed", i);
		l->pce_svn = (uint16_t)x;
		if (get_time(v, "tcbDate", &l->tcb_date))
			JFAIL("TCB Info level %zu tcbDate malformed", i);
		if (get_status(v, &l->status))
			JFAIL("TCB Info level %zu tcbStatus unknown", i);
		if (get_advisories(v, l))
			JFAIL("TCB Info level %zu advisoryIDs malformed", i);
	}
	sort_desc(t.levels, t.level_count, cmp_platform);
	if (t.tdx) {
		json_t *m = json_object_get(root, "tdxModule"), *ids = json_object_get(root, "tdxModuleIdentities");
		if (!m || module_parse(m, &t.module, false))
			JFAIL("TCB Info tdxModule missing or malformed");
		t.has_module = true;
		if (ids) {
			if (!json_is_array(ids) || json_array_size(ids) > 64)
				JFAIL("TCB Info tdxModuleIdentities malformed");
			t.module_ids = calloc(json_array_size(ids) + 1, sizeof(*t.module_ids));
			if (!t.module_ids)
				CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
			json_array_foreach(ids, i, v) {
				if (module_parse(v, &t.module_ids[i], true))
					JFAIL("TCB Info tdxModuleIdentities[%zu] malformed", i);
				t.module_id_count = i + 1;
			}
		}
	}
	*out = t;
	memset(&t, 0, sizeof(t));
	r = CELLA_OK;
out:
	cella_vfy_tcb_info_fini(&t);
	json_decref(root);
	return r;
}

void cella_vfy_tcb_info_fini(struct vfy_tcb_info *t)
{
	free(t->levels);
	for (size_t i = 0; i < t->module_id_count; i++)
		free(t->module_ids[i].levels);
	free(t->module_ids);
	memset(t, 0, sizeof(*t));
}

cella_result cella_vfy_qe_identity_parse(const char *text, size_t len, struct vfy_qe_identity *out,
					 struct cella_detail *d)
{
	struct vfy_qe_identity q;
	json_error_t err;
	json_t *root = NULL, *id;
	json_int_t x;
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(&q, 0, sizeof(q));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(root))
		JFAIL("QE Identity is not a JSON object (%s)", root ? "wrong type" : err.text);
	id = json_object_get(root, "id");
	if (!json_is_string(id) || (strcmp(json_string_value(id), "QE") && strcmp(json_string_value(id), "TD_QE")))
		JFAIL("QE Identity id must be \"QE\" or \"TD_QE\"");
	strcpy(q.id, json_string_value(id));
	if (get_uint(root, "version", 100, &x) || x != 2)
		JFAIL("QE Identity version not supported (2)");
	q.version = 2;
	if (get_time(root, "issueDate", &q.issue_date) || get_time(root, "nextUpdate", &q.next_update))
		JFAIL("QE Identity issueDate/nextUpdate missing or malformed");
	if (get_uint(root, "tcbEvaluationDataNumber", 0xffffffff, &x))
		JFAIL("QE Identity tcbEvaluationDataNumber missing");
	q.eval_number = (uint32_t)x;
	if (get_hex(root, "miscselect", q.miscselect, 4) || get_hex(root, "miscselectMask", q.miscselect_mask, 4) ||
	    get_hex(root, "attributes", q.attributes, 16) || get_hex(root, "attributesMask", q.attributes_mask, 16) ||
	    get_hex(root, "mrsigner", q.mrsigner, 32))
		JFAIL("QE Identity miscselect/attributes/mrsigner malformed");
	if (get_uint(root, "isvprodid", 65535, &x))
		JFAIL("QE Identity isvprodid malformed");
	q.isv_prod_id = (uint16_t)x;
	if (isv_levels(json_object_get(root, "tcbLevels"), &q.levels, &q.level_count))
		JFAIL("QE Identity tcbLevels malformed");
	*out = q;
	memset(&q, 0, sizeof(q));
	r = CELLA_OK;
out:
	cella_vfy_qe_identity_fini(&q);
	json_decref(root);
	return r;
}

void cella_vfy_qe_identity_fini(struct vfy_qe_identity *q)
{
	free(q->levels);
	memset(q, 0, sizeof(*q));
}
