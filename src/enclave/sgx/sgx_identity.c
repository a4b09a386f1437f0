// SPDX-License-Identifier: MIT
/*
 * ENCLU[EREPORT] and ENCLU[EGETKEY] (SDM 38.x) for the identity API. Operands are copied into aligned
 * enclave-stack buffers (the instructions fault on misalignment), and key material is wiped on every path.
 */
#include "sgx_rt.h"

#include <string.h>

static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* One EREPORT of the operands as given: TARGETINFO, REPORTDATA and REPORT aligned as the instruction needs. */
static void ereport(const struct cella_target_info *ti, const uint8_t data[CELLA_SGX_REPORT_DATA_BYTES],
		    struct cella_report *out)
{
	struct cella_target_info t __attribute__((aligned(512)));
	uint8_t rd[CELLA_SGX_REPORT_DATA_BYTES] __attribute__((aligned(128)));
	struct cella_report rep __attribute__((aligned(512)));
	uint64_t leaf = CELLA_ENCLU_EREPORT;

	memcpy(&t, ti, sizeof(t));
	memcpy(rd, data, sizeof(rd));
	__asm__ __volatile__("enclu"
			     : "+a"(leaf)
			     : "b"(&t), "c"(rd), "d"(&rep)
			     : "memory", "cc");
	memcpy(out, &rep, sizeof(rep));
	wipe(&rep, sizeof(rep));
}

/*
 * see sgx_rt.h. A report for this enclave itself (ti NULL) must be MACed with this enclave's own report key,
 * which EREPORT uses only when TARGETINFO names this enclave: a first report (to an all-zero target) tells the
 * enclave its identity, from which the second one's TARGETINFO is made.
 */
cella_result rt_sgx_ereport(const struct cella_target_info *ti, const uint8_t data[CELLA_SGX_REPORT_DATA_BYTES],
			    struct cella_report *out)
{
	struct cella_target_info self;
	struct cella_report probe;

	if (!out || !data)
		return CELLA_ERR_INVALID_ARG;
	if (!ti) {
		memset(&self, 0, sizeof(self));
		ereport(&self, data, &probe);
		rt_sgx_targetinfo_from_report(&probe, &self);
		ti = &self;
	}
	ereport(ti, data, out);
	return CELLA_OK;
}

/* see sgx_rt.h */
uint64_t rt_sgx_own_xfrm(void)
{
	struct cella_target_info none;
	uint8_t data[CELLA_SGX_REPORT_DATA_BYTES];
	struct cella_report rep;
	memset(&none, 0, sizeof(none));
	memset(data, 0, sizeof(data));
	ereport(&none, data, &rep);
	return rep.body.attributes.xfrm;
}

/* see sgx_rt.h. CT: the derived key is secret; only EGETKEY's status decides a branch. */
cella_result rt_sgx_egetkey(const struct cella_key_request *req, uint8_t key[CELLA_SGX_KEY_BYTES])
{
	struct cella_key_request kr __attribute__((aligned(512)));
	uint8_t k[CELLA_SGX_KEY_BYTES] __attribute__((aligned(16)));
	uint64_t status = CELLA_ENCLU_EGETKEY;
	cella_result r;

	if (!req || !key)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&kr, req, sizeof(kr));
	__asm__ __volatile__("enclu"
			     : "+a"(status)
			     : "b"(&kr), "c"(k)
			     : "memory", "cc");
	/* EGETKEY's SGX_INVALID_ATTRIBUTE is a key this enclave may not have (PROVISION without the attribute, ...):
	 * CELLA_ERR_INVALID_KEYNAME, as the sandbox says (reserved bits never get here: cella_get_key refuses them) */
	r = status == CELLA_SGX_INVALID_ATTRIBUTE ? CELLA_ERR_INVALID_KEYNAME : rt_sgx_status_result(status);
	if (r == CELLA_OK)
		memcpy(key, k, sizeof(k));
	wipe(k, sizeof(k));
	wipe(&kr, sizeof(kr));
	return r;
}
