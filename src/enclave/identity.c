// SPDX-License-Identifier: MIT
/*
 * Enclave identity over the platform services (rt_platform_call): reports, report verification, keys and
 * evidence. Replies from the platform are length- and type-checked before use.
 */
#include "rt.h"

#include <bearssl.h>
#include <cella/attest.h>
#include <stdlib.h>
#include <string.h>

/* SGX SDK defaults for seal keys: security-relevant attribute bits (INIT, DEBUG, bit 3, the top byte). */
#define SEAL_FLAGS_MASK 0xff0000000000000bull
#define SEAL_MISC_MASK 0xf0000000u

/* The next platform request's number (cella/abi/monitor.h): a reply is taken only if it echoes it. */
static uint32_t next_seq(void)
{
	static uint32_t seq;
	return __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
}

/* Doubling in GF(2^128) for CMAC subkeys. */
static void dbl(uint8_t b[16])
{
	uint8_t carry = b[0] >> 7;
	for (int i = 0; i < 15; i++)
		b[i] = (uint8_t)(b[i] << 1 | b[i + 1] >> 7);
	b[15] = (uint8_t)(b[15] << 1) ^ (uint8_t)(0x87 & -carry);
}

/* CT: key and msg secret; time depends on len only. see cella/attest.h */
void cella_cmac_aes128(const uint8_t key[16], const void *msg, size_t len, uint8_t mac[16])
{
	const br_block_cbcenc_class *vt = br_aes_x86ni_cbcenc_get_vtable();
	br_aes_gen_cbcenc_keys ctx;
	uint8_t k1[16] = {0}, iv[16] = {0}, last[16], x[16] = {0};
	const uint8_t *m = msg;
	size_t full = len ? (len - 1) / 16 : 0, rem = len - full * 16;

	if (!vt)
		vt = &br_aes_ct64_cbcenc_vtable;
	vt->init(&ctx.vtable, key, 16);
	vt->run(&ctx.vtable, iv, k1, 16); /* L = AES(K, 0) */
	dbl(k1);
	memset(last, 0, sizeof(last));
	memcpy(last, m + full * 16, rem);
	if (rem < 16) { /* incomplete (or empty) last block: pad with 10..0 and use K2 */
		last[rem] = 0x80;
		dbl(k1);
	}
	for (int i = 0; i < 16; i++)
		last[i] ^= k1[i];
	memset(iv, 0, sizeof(iv));
	for (size_t b = 0; b < full; b++) {
		memcpy(x, m + b * 16, 16);
		vt->run(&ctx.vtable, iv, x, 16); /* iv carries the chaining value */
	}
	vt->run(&ctx.vtable, iv, last, 16);
	memcpy(mac, last, 16);
	rt_wipe(&ctx, sizeof(ctx));
	rt_wipe(k1, sizeof(k1));
	rt_wipe(last, sizeof(last));
	rt_wipe(x, sizeof(x));
	rt_wipe(iv, sizeof(iv));
}

/* see cella/attest.h */
cella_result cella_get_report(const struct cella_target_info *target, const uint8_t *report_data,
			      struct cella_report *out)
{
	struct cella_emsg_report_req req;
	struct cella_emsg_report_rep rep;
	size_t got = 0;
	cella_result r;

	memset(&req, 0, sizeof(req));
	req.type = CELLA_EMSG_REPORT;
	req.seq = next_seq();
	if (target) {
		req.has_target = 1;
		memcpy(req.target_info, target, sizeof(*target));
	}
	if (report_data)
		memcpy(req.report_data, report_data, 64);
	r = rt_platform_call(&req, sizeof(req), &rep, sizeof(rep), &got);
	if (r != CELLA_OK)
		return r;
	if (got != sizeof(rep) || rep.type != CELLA_EMSG_REPORT || rep.seq != req.seq)
		return CELLA_ERR_BACKEND;
	if (rep.status != CELLA_OK)
		return (cella_result)rep.status;
	memcpy(out, rep.report, sizeof(*out));
	return CELLA_OK;
}

/* see cella/attest.h */
cella_result cella_get_target_info(struct cella_target_info *out)
{
	struct cella_report self;
	cella_result r = cella_get_report(NULL, NULL, &self);
	if (r != CELLA_OK)
		return r;
	memset(out, 0, sizeof(*out));
	memcpy(out->mr_enclave, self.body.mr_enclave, 32);
	out->attributes = self.body.attributes;
	out->misc_select = self.body.misc_select;
	out->config_svn = self.body.config_svn;
	memcpy(out->config_id, self.body.config_id, 64);
	return CELLA_OK;
}

/*
 * SGX's EGETKEY raises #GP, which would end the enclave, for a set reserved bit (KEYREQUEST.RESERVED, KEYPOLICY
 * bits above ISVEXTPRODID), and, in an enclave without ATTRIBUTES.KSS, for the KSS policy bits (NOISVPRODID,
 * CONFIGID, ISVFAMILYID, ISVEXTPRODID) or a CONFIGSVN above 0. Such a request is refused here, in both worlds,
 * before any platform sees it. The first request that uses KSS fields costs a report of this enclave.
 */
static cella_result key_request_check(const struct cella_key_request *kr)
{
	/* this enclave's ATTRIBUTES.KSS, fixed at EINIT: 0 not known yet, 1 without, 2 with (learnt once) */
	static int kss;
	struct cella_report self;
	int known = __atomic_load_n(&kss, __ATOMIC_RELAXED);
	cella_result r;
	uint8_t acc = kr->reserved1;
	for (size_t i = 0; i < sizeof(kr->reserved2); i++)
		acc |= kr->reserved2[i];
	if (acc != 0 || (kr->key_policy & ~0x3fu))
		return CELLA_ERR_INVALID_ARG;
	if (!(kr->key_policy & CELLA_KEYPOLICY_KSS_ONLY) && kr->config_svn == 0)
		return CELLA_OK;
	if (!known) {
		r = cella_get_report(NULL, NULL, &self);
		if (r != CELLA_OK)
			return r;
		known = self.body.attributes.flags & CELLA_ATTR_KSS ? 2 : 1;
		__atomic_store_n(&kss, known, __ATOMIC_RELAXED);
	}
	return known == 2 ? CELLA_OK : CELLA_ERR_INVALID_ARG;
}

/* see cella/attest.h */
cella_result cella_get_key(const struct cella_key_request *req, uint8_t key[CELLA_KEY_BYTES])
{
	struct cella_emsg_getkey_req q;
	struct cella_emsg_getkey_rep rep;
	struct cella_key_request kr;
	size_t got = 0;
	cella_result r;

	memset(&q, 0, sizeof(q));
	q.type = CELLA_EMSG_GETKEY;
	q.seq = next_seq();
	memcpy(&kr, req, sizeof(kr)); /* the request may be host memory: checked and used from this copy */
	r = key_request_check(&kr);
	if (r != CELLA_OK)
		return r;
	memcpy(q.key_request, &kr, sizeof(kr));
	r = rt_platform_call(&q, sizeof(q), &rep, sizeof(rep), &got);
	if (r == CELLA_OK && (got != sizeof(rep) || rep.type != CELLA_EMSG_GETKEY || rep.seq != q.seq))
		r = CELLA_ERR_BACKEND;
	if (r == CELLA_OK)
		r = (cella_result)rep.status;
	if (r == CELLA_OK)
		memcpy(key, rep.key, CELLA_KEY_BYTES);
	rt_wipe(&rep, sizeof(rep));
	return r;
}

/* see cella/attest.h */
cella_result cella_verify_report(const struct cella_report *report)
{
	struct cella_report rp;
	struct cella_key_request kr;
	uint8_t key[16], mac[16];
	uint32_t diff = 0;
	cella_result r;

	memcpy(&rp, report, sizeof(rp)); /* the report may live in host memory: one copy, then work on it */
	memset(&kr, 0, sizeof(kr));
	kr.key_name = CELLA_KEYNAME_REPORT;
	memcpy(kr.key_id, rp.key_id, sizeof(kr.key_id));
	r = cella_get_key(&kr, key);
	if (r == CELLA_OK) {
		cella_cmac_aes128(key, &rp.body, sizeof(rp.body), mac);
		for (int i = 0; i < 16; i++)
			diff |= (uint32_t)(mac[i] ^ rp.mac[i]);
		r = diff == 0 ? CELLA_OK : CELLA_ERR_MAC_MISMATCH;
	}
	rt_wipe(key, sizeof(key));
	rt_wipe(mac, sizeof(mac));
	return r;
}

/* see cella/attest.h */
cella_result cella_seal_key_request(uint16_t policy, struct cella_key_request *out)
{
	struct cella_report self;
	cella_result r;

	if (policy != CELLA_KEYPOLICY_MRENCLAVE && policy != CELLA_KEYPOLICY_MRSIGNER)
		return CELLA_ERR_INVALID_ARG;
	r = cella_get_report(NULL, NULL, &self);
	if (r != CELLA_OK)
		return r;
	memset(out, 0, sizeof(*out));
	out->key_name = CELLA_KEYNAME_SEAL;
	out->key_policy = policy;
	out->isv_svn = self.body.isv_svn;
	memcpy(out->cpu_svn, self.body.cpu_svn, 16);
	out->attribute_mask.flags = SEAL_FLAGS_MASK;
	out->attribute_mask.xfrm = 0;
	out->misc_mask = SEAL_MISC_MASK;
	if (self.body.attributes.flags & CELLA_ATTR_KSS) {
		/* as the Intel SDK seals: a KSS enclave's key also binds its CONFIGID (and CONFIGSVN), ISVFAMILYID and
		 * ISVEXTPRODID, so products of one signer that differ only there cannot open each other's data */
		out->key_policy |= CELLA_KEYPOLICY_CONFIGID | CELLA_KEYPOLICY_ISVFAMILYID | CELLA_KEYPOLICY_ISVEXTPRODID;
		out->config_svn = self.body.config_svn;
	}
	return cella_random(out->key_id, sizeof(out->key_id));
}

/* see cella/attest.h */
cella_result cella_get_evidence(const uint8_t *report_data, uint8_t *buf, size_t cap, size_t *len)
{
	struct cella_emsg_quote_req req;
	struct cella_emsg_quote_rep rep;
	uint8_t *reply;
	size_t got = 0, reply_cap = sizeof(rep) + CELLA_QUOTE_MAX_BYTES;
	cella_result r;

	*len = 0;
	memset(&req, 0, sizeof(req));
	req.type = CELLA_EMSG_QUOTE;
	req.seq = next_seq();
	if (report_data)
		memcpy(req.report_data, report_data, 64);
	reply = malloc(reply_cap);
	if (!reply)
		return CELLA_ERR_OUT_OF_MEMORY;
	r = rt_platform_call(&req, sizeof(req), reply, reply_cap, &got);
	if (r == CELLA_OK) {
		memcpy(&rep, reply, sizeof(rep));
		if (got < sizeof(rep) || rep.type != CELLA_EMSG_QUOTE || rep.seq != req.seq ||
		    rep.quote_bytes > CELLA_QUOTE_MAX_BYTES ||
		    got != sizeof(rep) + rep.quote_bytes)
			r = CELLA_ERR_BACKEND;
		else if (rep.status != CELLA_OK)
			r = (cella_result)rep.status;
		else if (rep.quote_bytes > cap || !buf) {
			*len = rep.quote_bytes;
			r = CELLA_ERR_BUFFER_TOO_SMALL;
		} else {
			memcpy(buf, reply + sizeof(rep), rep.quote_bytes);
			*len = rep.quote_bytes;
		}
	}
	free(reply);
	return r;
}
