// SPDX-License-Identifier: MIT
/* The PCK certificate's SGX extension (OID 1.2.840.113741.1.13.1), read with OpenSSL's ASN.1 API. */
#include "verify_internal.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <string.h>

/* DER contents of OID 1.2.840.113741.1.13.1 */
static const uint8_t sgx_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};
#define SGX_OID_LEN sizeof(sgx_oid)

enum { EXT_PPID = 1, EXT_TCB = 2, EXT_PCEID = 3, EXT_FMSPC = 4, EXT_SGX_TYPE = 5 };

int cella_vfy_cn_contains(const X509_NAME *name, const char *needle)
{
	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	const ASN1_STRING *s;
	size_t n = strlen(needle);
	if (idx < 0)
		return 0;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
	if (!s)
		return 0;
	const uint8_t *p = ASN1_STRING_get0_data(s);
	int len = ASN1_STRING_length(s);
	for (int i = 0; i + (int)n <= len; i++)
		if (memcmp(p + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Suffix of oid under base (base + one or two arcs < 128): returns arc count and writes arcs, else 0. */
static int oid_under(const ASN1_OBJECT *obj, const uint8_t *base, size_t blen, int *a1, int *a2)
{
	const uint8_t *p = OBJ_get0_data(obj);
	size_t n = OBJ_length(obj);
	if (!p || n <= blen || memcmp(p, base, blen) != 0)
		return 0;
	if (n == blen + 1 && p[blen] < 0x80) {
		*a1 = p[blen];
		return 1;
	}
	if (n == blen + 2 && p[blen] < 0x80 && p[blen + 1] < 0x80) {
		*a1 = p[blen];
		*a2 = p[blen + 1];
		return 2;
	}
	return 0;
}

/* Splits an element SEQUENCE { OID, value } into its parts. Returns the stack (caller frees) or NULL. */
static STACK_OF(ASN1_TYPE) *pair(const ASN1_TYPE *t, const ASN1_OBJECT **oid, const ASN1_TYPE **val)
{
	STACK_OF(ASN1_TYPE) *s;
	const uint8_t *p, *end;
	if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE)
		return NULL;
	p = t->value.sequence->data;
	end = p + t->value.sequence->length;
	s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, t->value.sequence->length);
	if (!s)
		return NULL;
	if (p != end || sk_ASN1_TYPE_num(s) != 2 || ASN1_TYPE_get(sk_ASN1_TYPE_value(s, 0)) != V_ASN1_OBJECT) {
		sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
		return NULL;
	}
	*oid = sk_ASN1_TYPE_value(s, 0)->value.object;
	*val = sk_ASN1_TYPE_value(s, 1);
	return s;
}

static int get_octets(const ASN1_TYPE *v, uint8_t *out, int n)
{
	if (ASN1_TYPE_get(v) != V_ASN1_OCTET_STRING || ASN1_STRING_length(v->value.octet_string) != n)
		return -1;
	memcpy(out, ASN1_STRING_get0_data(v->value.octet_string), (size_t)n);
	return 0;
}

static int get_int(const ASN1_TYPE *v, int type, int64_t max, int64_t *out)
{
	int64_t x;
	const ASN1_INTEGER *i;
	if (ASN1_TYPE_get(v) != type)
		return -1;
	if (type == V_ASN1_ENUMERATED) {
		if (ASN1_ENUMERATED_get_int64(&x, v->value.enumerated) != 1)
			return -1;
	} else {
		i = v->value.integer;
		if (ASN1_INTEGER_get_int64(&x, i) != 1)
			return -1;
	}
	if (x < 0 || x > max)
		return -1;
	*out = x;
	return 0;
}

static cella_result parse_tcb(const ASN1_TYPE *v, struct cella_pck_info *o, struct cella_detail *d)
{
	static const uint8_t tcb_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01, 0x02};
	STACK_OF(ASN1_TYPE) *s = NULL;
	const uint8_t *p;
	uint32_t seen = 0;
	cella_result r = CELLA_ERR_UNEXPECTED;
	if (ASN1_TYPE_get(v) != V_ASN1_SEQUENCE)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension TCB is not a SEQUENCE"));
	p = v->value.sequence->data;
	s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, v->value.sequence->length);
	if (!s || p != v->value.sequence->data + v->value.sequence->length)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension TCB is malformed"));
	for (int i = 0; i < sk_ASN1_TYPE_num(s); i++) {
		const ASN1_OBJECT *oid;
		const ASN1_TYPE *val;
		STACK_OF(ASN1_TYPE) *e = pair(sk_ASN1_TYPE_value(s, i), &oid, &val);
		int a1 = 0, a2 = 0, ok = -1;
		int64_t x;
		if (e && oid_under(oid, tcb_oid, sizeof(tcb_oid), &a1, &a2) == 1 && a1 >= 1 && a1 <= 18 &&
		    !(seen & 1u << a1)) {
			seen |= 1u << a1;
			if (a1 <= 16 && get_int(val, V_ASN1_INTEGER, 255, &x) == 0) {
				o->tcb_comp_svn[a1 - 1] = (uint8_t)x;
				ok = 0;
			} else if (a1 == 17 && get_int(val, V_ASN1_INTEGER, 65535, &x) == 0) {
				o->pce_svn = (uint16_t)x;
				ok = 0;
			} else if (a1 == 18) {
				ok = get_octets(val, o->cpu_svn, 16);
			}
		}
		sk_ASN1_TYPE_pop_free(e, ASN1_TYPE_free);
		if (ok != 0)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension TCB entry %d is invalid",
						  i + 1));
	}
	if (seen != 0x7fffeu)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension TCB lacks entries (mask %#x)",
					  seen));
	r = CELLA_OK;
out:
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
	return r;
}

cella_result cella_vfy_pck_ext(X509 *leaf, struct cella_pck_info *out, struct cella_detail *d)
{
	struct cella_pck_info o;
	STACK_OF(ASN1_TYPE) *s = NULL;
	const X509_EXTENSION *ext = NULL;
	const ASN1_OCTET_STRING *os;
	const uint8_t *p;
	unsigned seen = 0;
	cella_result r = CELLA_ERR_UNEXPECTED;

	memset(&o, 0, sizeof(o));
	for (int i = 0; i < X509_get_ext_count(leaf); i++) {
		const X509_EXTENSION *e = X509_get_ext(leaf, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object((X509_EXTENSION *)e);
		if (OBJ_length(obj) == SGX_OID_LEN && memcmp(OBJ_get0_data(obj), sgx_oid, SGX_OID_LEN) == 0) {
			if (ext)
				CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension appears twice"));
			ext = e;
		}
	}
	if (!ext)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "PCK certificate has no SGX extension"));
	os = X509_EXTENSION_get_data((X509_EXTENSION *)ext);
	p = ASN1_STRING_get0_data(os);
	s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(os));
	if (!s || p != ASN1_STRING_get0_data(os) + ASN1_STRING_length(os))
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension is not a DER SEQUENCE"));
	for (int i = 0; i < sk_ASN1_TYPE_num(s); i++) {
		const ASN1_OBJECT *oid;
		const ASN1_TYPE *val;
		STACK_OF(ASN1_TYPE) *e = pair(sk_ASN1_TYPE_value(s, i), &oid, &val);
		int a1 = 0, a2 = 0, ok = 0;
		int64_t x;
		cella_result tr;
		if (!e || oid_under(oid, sgx_oid, SGX_OID_LEN, &a1, &a2) != 1) {
			/* entries that are not SEQUENCE{OID under the SGX arc, value} are malformed */
			sk_ASN1_TYPE_pop_free(e, ASN1_TYPE_free);
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension entry %d is malformed",
						  i + 1));
		}
		if (a1 < 32 && (seen & 1u << a1)) {
			sk_ASN1_TYPE_pop_free(e, ASN1_TYPE_free);
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension entry %d repeated", a1));
		}
		if (a1 < 32)
			seen |= 1u << a1;
		switch (a1) {
		case EXT_PPID:
			ok = get_octets(val, o.ppid, 16);
			break;
		case EXT_TCB:
			tr = parse_tcb(val, &o, d);
			if (tr != CELLA_OK) {
				sk_ASN1_TYPE_pop_free(e, ASN1_TYPE_free);
				CELLA_FAIL(tr);
			}
			break;
		case EXT_PCEID:
			ok = get_octets(val, o.pce_id, 2);
			break;
		case EXT_FMSPC:
			ok = get_octets(val, o.fmspc, 6);
			break;
		case EXT_SGX_TYPE:
			ok = get_int(val, V_ASN1_ENUMERATED, 2, &x);
			o.sgx_type = (int)x;
			break;
		default: /* PlatformInstanceID, Configuration (Platform CA certificates): not used here */
			break;
		}
		sk_ASN1_TYPE_pop_free(e, ASN1_TYPE_free);
		if (ok != 0)
			CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION, "SGX extension entry .%d has a bad value",
						  a1));
	}
	if ((seen & 0x3eu) != 0x3eu)
		CELLA_FAIL(cella_vfy_fail(d, CELLA_ERR_PCK_EXTENSION,
					  "SGX extension lacks a required entry (PPID, TCB, PCE-ID, FMSPC, SGX type)"));
	if (cella_vfy_cn_contains(X509_get_issuer_name(leaf), "Processor CA"))
		o.ca = CELLA_PCK_CA_PROCESSOR;
	else if (cella_vfy_cn_contains(X509_get_issuer_name(leaf), "Platform CA"))
		o.ca = CELLA_PCK_CA_PLATFORM;
	*out = o;
	r = CELLA_OK;
out:
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
	return r;
}
