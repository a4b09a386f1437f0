// SPDX-License-Identifier: MIT
/*
 * The collateral's JSON: the exact signed bytes of a PCS document, a strict JSON front end over cJSON, and TCB Info
 * (v2, v3) and QE Identity (v2), parsed after their signature is checked.
 */
#include "verify_internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

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

/* ---- strict parsing ---- */

/*
 * cJSON is an order of magnitude faster than jansson on these documents (14 KB of collateral: 9 against 123 µs),
 * but more lenient. Before it runs, one pass over the text enforces what it does not:
 *  - strings are valid UTF-8 without control characters, unknown escapes or \u0000 (a C string would end there;
 *    cJSON also reads a \u with a non-hex digit as U+0000);
 *  - the only control characters between tokens are JSON's whitespace (cJSON skips every byte below 0x20);
 *  - every number is an integer written -?(0|[1-9][0-9]*) (Intel's documents have no other kind; cJSON would
 *    take "1.0", "1e0", "01" and "+1" as 1).
 * After it, no object may repeat a key, and nothing but whitespace may follow the value. verify_fuzz holds the
 * whole to jansson.
 */

bool cella_vfy_json_string_ok(const char *text, size_t n)
{
	return memchr(text, 0, n) == NULL && cella_utf8_valid(text, n);
}

static bool hex4(const unsigned char *s)
{
	for (int k = 0; k < 4; k++)
		if (!isxdigit(s[k]))
			return false;
	return true;
}

/*
 * 1 for the bytes a string may hold as they are: printable ASCII but '"' and '\\'. Collateral is mostly such bytes
 * inside strings (PEM text, hex, a signed document's escaped JSON); they are skipped with one lookup each.
 */
static const uint8_t plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x10 */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,  /* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x70 */
}; /* 0x80..0xff: 0 */

/* Bytes any of which is < k (k <= 0x80), or (with k = 1) zero, in a word of eight (the "hasless" bit trick). */
#define ONES 0x0101010101010101ull
#define HASLESS(w, k) (((w) - ONES * (k)) & ~(w) & ONES * 0x80)

/* The first index from i that is not a plain byte (or n, or i if past n): eight bytes a step while a whole word is
 * plain. */
static size_t skip_plain(const unsigned char *s, size_t i, size_t n)
{
	for (uint64_t w; i < n && n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & ONES * 0x80) || HASLESS(w, 0x20) || HASLESS(w ^ ONES * '"', 1) || HASLESS(w ^ ONES * '\\', 1))
			break;
	}
	while (i < n && plain[s[i]])
		i++;
	return i;
}

/*
 * The next two stand for strchr(set, c) on each escape and after each integer (a call per escape: the escaped JSON of
 * a signed document has hundreds). As strchr, escape_known counts NUL in: a backslash before a NUL passes here and
 * cJSON decides; number_goes_on does not (it was strchr(...) && c).
 */
static bool escape_known(unsigned char c)
{
	switch (c) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': case 0:
		return true;
	default:
		return false;
	}
}

static bool number_goes_on(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/* 0, or -1 with *at the offset of the first byte outside the profile and *why what is wrong there. */
static int profile_check(const char *text, size_t n, size_t *at, const char **why)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (i < n) {
		*at = i;
		if (s[i] == '"') {
			for (i++;; i++) {
				i = skip_plain(s, i, n);
				*at = i;
				if (i >= n)
					return 0; /* unterminated: cJSON reports it */
				if (s[i] == '"')
					break;
				if (s[i] < 0x20)
					return *why = "control character in a string", -1;
				if (s[i] == '\\') {
					/* cJSON reads a \u with a non-hex digit as U+0000: it would cut the string */
					if (i + 1 < n && s[i + 1] == 'u') {
						if (i + 5 >= n || !hex4(s + i + 2))
							return *why = "malformed \\u escape in a string", -1;
						if (memcmp(s + i + 2, "0000", 4) == 0)
							return *why = "\\u0000 in a string", -1;
						i += 4;
					} else if (i + 1 < n && !escape_known(s[i + 1])) {
						return *why = "unknown escape in a string", -1;
					}
					i++;
				} else if (s[i] >= 0x80) {
					size_t l = cella_utf8_seq_len(s + i, n - i);
					if (!l)
						return *why = "invalid UTF-8 in a string", -1;
					i += l - 1;
				}
			}
			i++;
		} else if (s[i] == '-' || s[i] == '+' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9')) {
			size_t d = i + (s[i] == '-');
			if (d >= n || s[d] < '0' || s[d] > '9')
				return *why = "malformed number", -1;
			if (s[d] == '0')
				d++;
			else
				while (d < n && s[d] >= '0' && s[d] <= '9')
					d++;
			if (d < n && number_goes_on(s[d]))
				return *why = "number that is not a plain integer", -1;
			i = d;
		} else if (s[i] >= 0x80 || (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')) {
			/* cJSON would skip any control character as whitespace */
			return *why = "byte outside a string that JSON does not allow", -1;
		} else {
			i++;
		}
	}
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 if an object's keys repeat, 0 if not, -1 out of memory. Pairwise for the small objects Intel's documents
 * have; sorted beyond that, so that a hostile object of 500,000 keys costs n log n, not n^2. */
static int object_repeats(const cJSON *o)
{
	enum { PAIRWISE_MAX = 32 };
	size_t n = 0, i = 0;
	const char **keys;
	int rc = 0;
	for (const cJSON *c = o->child; c; c = c->next)
		n++;
	if (n <= PAIRWISE_MAX) {
		/* keys differ in their first byte nearly always: compare that before calling strcmp */
		for (const cJSON *c = o->child; c; c = c->next)
			for (const cJSON *e = c->next; e; e = e->next)
				if (c->string[0] == e->string[0] && strcmp(c->string, e->string) == 0)
					return 1;
		return 0;
	}
	if (!(keys = malloc(n * sizeof(*keys))))
		return -1;
	for (const cJSON *c = o->child; c; c = c->next)
		keys[i++] = c->string;
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 1; i < n && !rc; i++)
		rc = strcmp(keys[i - 1], keys[i]) == 0;
	free(keys);
	return rc;
}

/* As object_repeats, over v and everything inside it. */
static int repeats_a_key(const cJSON *v)
{
	int rc = cJSON_IsObject(v) ? object_repeats(v) : 0;
	for (const cJSON *c = v->child; c && !rc; c = c->next)
		rc = repeats_a_key(c);
	return rc;
}

/* cJSON writes a process-wide "last error" on every parse; this lock keeps concurrent verifiers race-free. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

cella_result cella_vfy_json_load(const char *text, size_t len, const char *what, struct cella_detail *d,
				 struct cJSON **out)
{
	const char *why = NULL, *end = NULL;
	size_t at = 0, e;
	int rep;
	cJSON *root;
	if (profile_check(text, len, &at, &why))
		return cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "%s: %s at byte %zu", what, why, at);
	pthread_mutex_lock(&parse_lock);
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	pthread_mutex_unlock(&parse_lock);
	if (!root) {
		if (end && end >= text && end <= text + len)
			at = (size_t)(end - text);
		return cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "%s is not valid JSON (byte %zu)", what, at);
	}
	for (e = (size_t)(end - text); e < len && strchr(" \t\r\n", text[e]) && text[e]; e++)
		;
	if (e < len) {
		cJSON_Delete(root);
		return cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "%s: text after the JSON value at byte %zu", what, e);
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "%s: not a JSON object", what);
	}
	if ((rep = repeats_a_key(root)) != 0) {
		cJSON_Delete(root);
		return rep < 0 ? CELLA_ERR_OUT_OF_MEMORY
			       : cella_vfy_fail(d, CELLA_ERR_COLLATERAL, "%s: an object repeats a key", what);
	}
	*out = root;
	return CELLA_OK;
}

/* ---- typed getters ---- */

#define JFAIL(...) CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_COLLATERAL, __VA_ARGS__))

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int uint_value(const cJSON *v, int64_t max, int64_t *out)
{
	/* The profile check has made every number an integer; doubles hold them exactly up to 2^53. */
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > (double)max)
		return -1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

static int get_uint(const cJSON *o, const char *k, int64_t max, int64_t *out)
{
	return uint_value(get(o, k), max, out);
}

/* The elements of v if it is an array (cJSON walks the list to count them), else 0. */
static size_t elements(const cJSON *v)
{
	return cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 0;
}

static const char *get_string(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int get_time(const cJSON *o, const char *k, int64_t *out)
{
	const char *s = get_string(o, k);
	return s && cella_time_parse(s, out) == CELLA_OK ? 0 : -1;
}

static int get_hex(const cJSON *o, const char *k, uint8_t *out, size_t n)
{
	const char *s = get_string(o, k);
	return s ? cella_hex_decode(s, strlen(s), out, n) : -1;
}

static int get_status(const cJSON *o, cella_tcb_status *out)
{
	const char *s = get_string(o, "tcbStatus");
	return s && cella_tcb_status_parse(s, out) == CELLA_OK ? 0 : -1;
}

/* advisoryIDs: any number (an old TCB level accumulates them), each a non-empty string that fits. */
static int get_advisories(const cJSON *o, struct vfy_level *l)
{
	const cJSON *a = get(o, "advisoryIDs"), *v;
	size_t i = 0, count;
	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return -1;
	if ((count = elements(a)) == 0)
		return 0;
	if (!(l->advisory_ids = calloc(count, sizeof(*l->advisory_ids))))
		return -1;
	cJSON_ArrayForEach(v, a) {
		size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
		if (n == 0 || n >= CELLA_ADVISORY_ID_BYTES)
			return -1; /* the caller frees the level */
		memcpy(l->advisory_ids[i++], v->valuestring, n + 1);
	}
	l->advisory_count = i;
	return 0;
}

void cella_vfy_levels_free(struct vfy_level *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i].advisory_ids);
	free(l);
}

/* 16 components [{svn: n, ...}] */
static int get_components(const cJSON *tcb, const char *k, uint8_t *out)
{
	const cJSON *a = get(tcb, k), *v;
	size_t i = 0;
	int64_t x;
	if (elements(a) != 16)
		return -1;
	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsObject(v) || get_uint(v, "svn", 255, &x))
			return -1;
		out[i++] = (uint8_t)x;
	}
	return 0;
}

/*
 * TCB Info v2's sgxtcbcomp01svn .. sgxtcbcomp16svn of a level's tcb object, each an integer 0..255, into svn.
 * Returns -1, or the index of the first component missing or out of range. One pass over the object's members
 * (json_load has refused repeated keys, so each name stands at most once) instead of sixteen lookups by name, each
 * a linear scan of the same seventeen members.
 */
static int v2_components(const cJSON *tcb, uint8_t *svn)
{
	static const char prefix[] = "sgxtcbcomp";
	const size_t pl = sizeof(prefix) - 1;
	const cJSON *comp[16] = {NULL};
	int64_t x;
	for (const cJSON *m = tcb->child; m; m = m->next) {
		const char *k = m->string;
		int c;
		if (strncmp(k, prefix, pl) != 0 || k[pl] < '0' || k[pl] > '9' || k[pl + 1] < '0' || k[pl + 1] > '9' ||
		    strcmp(k + pl + 2, "svn") != 0)
			continue;
		c = (k[pl] - '0') * 10 + (k[pl + 1] - '0') - 1;
		if (c >= 0 && c < 16)
			comp[c] = m;
	}
	for (int c = 0; c < 16; c++) {
		if (uint_value(comp[c], 255, &x))
			return c;
		svn[c] = (uint8_t)x;
	}
	return -1;
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
static int isv_levels(const cJSON *arr, struct vfy_level **out, size_t *count)
{
	const cJSON *v;
	size_t i = 0, n;
	int64_t x;
	struct vfy_level *l;
	if ((n = elements(arr)) == 0 || n > VFY_MAX_LEVELS)
		return -1;
	l = calloc(n, sizeof(*l));
	if (!l)
		return -1;
	cJSON_ArrayForEach(v, arr) {
		const cJSON *tcb = get(v, "tcb");
		if (!cJSON_IsObject(v) || !cJSON_IsObject(tcb) || get_uint(tcb, "isvsvn", 65535, &x) ||
		    get_time(v, "tcbDate", &l[i].tcb_date) || get_status(v, &l[i].status) || get_advisories(v, &l[i])) {
			cella_vfy_levels_free(l, n);
			return -1;
		}
		l[i++].isv_svn = (uint16_t)x;
	}
	sort_desc(l, n, cmp_isv);
	*out = l;
	*count = n;
	return 0;
}

static int module_parse(const cJSON *m, struct vfy_tdx_module *o, bool with_levels)
{
	const char *id = get_string(m, "id");
	if (!cJSON_IsObject(m) || get_hex(m, "mrsigner", o->mrsigner, 48) ||
	    get_hex(m, "attributes", o->attributes, 8) || get_hex(m, "attributesMask", o->attributes_mask, 8))
		return -1;
	if (with_levels) {
		if (!id || strlen(id) >= sizeof(o->id))
			return -1;
		strcpy(o->id, id);
		return isv_levels(get(m, "tcbLevels"), &o->levels, &o->level_count);
	}
	return 0;
}

cella_result cella_vfy_tcb_info_parse(const char *text, size_t len, struct vfy_tcb_info *out, struct cella_detail *d)
{
	struct vfy_tcb_info t;
	cJSON *root = NULL;
	const cJSON *levels, *v;
	const char *id;
	int64_t x;
	size_t i = 0;
	cella_result r;

	memset(&t, 0, sizeof(t));
	if ((r = cella_vfy_json_load(text, len, "TCB Info", d, &root)) != CELLA_OK)
		return r;
	r = CELLA_ERR_UNEXPECTED;
	if (get_uint(root, "version", 100, &x) || (x != 2 && x != 3))
		JFAIL("TCB Info version not supported (2 or 3)");
	t.version = (int)x;
	id = get_string(root, "id");
	if (t.version == 3) {
		if (!id || (strcmp(id, "SGX") && strcmp(id, "TDX")))
			JFAIL("TCB Info v3 id must be \"SGX\" or \"TDX\"");
		t.tdx = strcmp(id, "TDX") == 0;
	} else if (get(root, "id")) {
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
	levels = get(root, "tcbLevels");
	t.level_count = elements(levels);
	if (t.level_count == 0 || t.level_count > VFY_MAX_LEVELS)
		JFAIL("TCB Info tcbLevels missing, empty or too long");
	t.levels = calloc(t.level_count, sizeof(*t.levels));
	if (!t.levels)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	for (v = levels->child; v; v = v->next, i++) {
		struct vfy_level *l = &t.levels[i];
		const cJSON *tcb = get(v, "tcb");
		if (!cJSON_IsObject(v) || !cJSON_IsObject(tcb))
			JFAIL("TCB Info level %zu has no tcb object", i);
		if (t.version == 2) {
			int c = v2_components(tcb, l->sgx_svn);
			if (c >= 0)
				JFAIL("TCB Info level %zu lacks sgxtcbcomp%02dsvn", i, c + 1);
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
		const cJSON *m = get(root, "tdxModule"), *ids = get(root, "tdxModuleIdentities");
		if (!m || module_parse(m, &t.module, false))
			JFAIL("TCB Info tdxModule missing or malformed");
		t.has_module = true;
		if (ids) {
			size_t n = elements(ids);
			if (!cJSON_IsArray(ids) || n > 64)
				JFAIL("TCB Info tdxModuleIdentities malformed");
			t.module_ids = calloc(n + 1, sizeof(*t.module_ids));
			if (!t.module_ids)
				CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
			i = 0;
			for (v = ids->child; v; v = v->next, i++) {
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
	cJSON_Delete(root);
	return r;
}

void cella_vfy_tcb_info_fini(struct vfy_tcb_info *t)
{
	cella_vfy_levels_free(t->levels, t->level_count);
	for (size_t i = 0; i < t->module_id_count; i++)
		cella_vfy_levels_free(t->module_ids[i].levels, t->module_ids[i].level_count);
	free(t->module_ids);
	memset(t, 0, sizeof(*t));
}

cella_result cella_vfy_qe_identity_parse(const char *text, size_t len, struct vfy_qe_identity *out,
					 struct cella_detail *d)
{
	struct vfy_qe_identity q;
	cJSON *root = NULL;
	const char *id;
	int64_t x;
	cella_result r;

	memset(&q, 0, sizeof(q));
	if ((r = cella_vfy_json_load(text, len, "QE Identity", d, &root)) != CELLA_OK)
		return r;
	r = CELLA_ERR_UNEXPECTED;
	id = get_string(root, "id");
	if (!id || (strcmp(id, "QE") && strcmp(id, "TD_QE")))
		JFAIL("QE Identity id must be \"QE\" or \"TD_QE\"");
	strcpy(q.id, id);
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
	if (isv_levels(get(root, "tcbLevels"), &q.levels, &q.level_count))
		JFAIL("QE Identity tcbLevels malformed");
	*out = q;
	memset(&q, 0, sizeof(q));
	r = CELLA_OK;
out:
	cella_vfy_qe_identity_fini(&q);
	cJSON_Delete(root);
	return r;
}

void cella_vfy_qe_identity_fini(struct vfy_qe_identity *q)
{
	cella_vfy_levels_free(q->levels, q->level_count);
	memset(q, 0, sizeof(*q));
}
