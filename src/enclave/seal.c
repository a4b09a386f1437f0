// SPDX-License-Identifier: MIT
/*
 * Sealing (cella/seal.h): AES-256-GCM with BearSSL's AES-NI CTR and PCLMUL GHASH, keyed by HKDF-SHA-256 over the
 * 128-bit EGETKEY seal key and the blob's own KEYREQUEST. The blob is host-controlled input when unsealing:
 * its header is copied into the enclave once and parsed from that copy only.
 */
#include <cella/seal.h>

#include <bearssl.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "rt.h"

#define OFF_BACKEND 6
#define OFF_AAD_LEN 8
#define OFF_PT_LEN 12
#define OFF_KEYREQ 16
#define OFF_IV 528
#define IV_BYTES 12
#define OFF_FRESH 540
#define CHUNK 16384 /* bounce buffer for output outside the enclave; a multiple of 16 */

_Static_assert(OFF_KEYREQ + sizeof(struct cella_key_request) == OFF_IV, "seal header layout");
_Static_assert(OFF_IV + IV_BYTES == OFF_FRESH, "seal header layout");
_Static_assert(OFF_FRESH + 8 == CELLA_SEAL_HEADER_BYTES, "seal header layout");

struct seal_gcm {
	br_aes_x86ni_ctr_keys x86;
	br_aes_ct64_ctr_keys ct;
	br_gcm_context gcm;
};

/* The backend whose keys this runtime seals under: the world it booted in (EGETKEY goes to that world's
 * platform, rt_platform_call). */
static uint8_t seal_backend(void)
{
	return rt_sgx() ? CELLA_SEAL_BACKEND_SGX : CELLA_SEAL_BACKEND_SANDBOX;
}

/* CT: egetkey secret. AES-256 key = HKDF-SHA-256(egetkey, salt, "cella seal aes-256-gcm" || KEYREQUEST). */
static void derive(const uint8_t egetkey[CELLA_KEY_BYTES], const struct cella_key_request *kr, uint8_t key[32])
{
	static const char salt[] = "CELLA-SEAL-v1", info[] = "cella seal aes-256-gcm";
	br_hkdf_context h;
	br_hkdf_init(&h, &br_sha256_vtable, salt, sizeof(salt) - 1);
	br_hkdf_inject(&h, egetkey, CELLA_KEY_BYTES);
	br_hkdf_flip(&h);
	/* br_hkdf_produce takes one info string: concatenate label and request */
	{
		uint8_t buf[sizeof(info) - 1 + sizeof(*kr)];
		memcpy(buf, info, sizeof(info) - 1);
		memcpy(buf + sizeof(info) - 1, kr, sizeof(*kr));
		br_hkdf_produce(&h, buf, sizeof(buf), key, 32);
		rt_wipe(buf, sizeof(buf));
	}
	rt_wipe(&h, sizeof(h));
}

/* CT: key secret. AES-NI when the CPU has it (it does on every SGX part), else BearSSL's constant-time ct64. */
static void gcm_init(struct seal_gcm *g, const uint8_t key[32])
{
	const br_block_ctr_class *vt = br_aes_x86ni_ctr_get_vtable();
	br_ghash gh = br_ghash_pclmul_get();
	if (!gh)
		gh = br_ghash_ctmul64;
	if (vt) {
		vt->init(&g->x86.vtable, key, 32);
		br_gcm_init(&g->gcm, &g->x86.vtable, gh);
	} else {
		br_aes_ct64_ctr_vtable.init(&g->ct.vtable, key, 32);
		br_gcm_init(&g->gcm, &g->ct.vtable, gh);
	}
}

/* The seal key of a request: EGETKEY, then HKDF. */
static cella_result seal_key(const struct cella_key_request *kr, uint8_t key[32])
{
	uint8_t k[CELLA_KEY_BYTES];
	uint8_t acc = 0;
	cella_result r = cella_get_key(kr, k);
	if (r == CELLA_OK) {
		for (size_t i = 0; i < sizeof(k); i++)
			acc |= k[i];
		if (acc == 0) /* an all-zero key means a broken platform; never encrypt under it */
			r = CELLA_ERR_BACKEND;
		else
			derive(k, kr, key);
	}
	rt_wipe(k, sizeof(k));
	return r;
}

/* see cella/seal.h */
cella_result cella_seal(uint16_t policy, const void *aad, size_t aad_len, const void *pt, size_t pt_len, uint8_t *blob,
			size_t cap, size_t *blob_len)
{
	return cella_seal_versioned(policy, 0, aad, aad_len, pt, pt_len, blob, cap, blob_len);
}

/* see cella/seal.h */
cella_result cella_seal_versioned(uint16_t policy, uint64_t version, const void *aad, size_t aad_len, const void *pt,
				  size_t pt_len, uint8_t *blob, size_t cap, size_t *blob_len)
{
	struct cella_key_request kr;
	struct seal_gcm *g = NULL;
	uint8_t hdr[CELLA_SEAL_HEADER_BYTES], key[32], tag[CELLA_SEAL_TAG_BYTES];
	uint8_t *bounce = NULL, *ct, *aad_copy = NULL;
	size_t total;
	cella_result r = CELLA_ERR_UNEXPECTED;

	*blob_len = 0;
	if (policy == CELLA_SEAL_POLICY_DEFAULT)
		policy = CELLA_SEAL_POLICY_MRSIGNER;
	if (policy != CELLA_SEAL_POLICY_MRENCLAVE && policy != CELLA_SEAL_POLICY_MRSIGNER)
		return CELLA_ERR_INVALID_ARG;
	/* sizes first: a plaintext over the limit is too large, not outside an enclave smaller than it */
	total = cella_sealed_size(aad_len, pt_len);
	if (total == SIZE_MAX)
		return CELLA_ERR_TOO_LARGE;
	if ((aad_len && !aad) || (pt_len && !pt))
		return CELLA_ERR_INVALID_ARG;
	if (pt_len && !cella_is_within_enclave(pt, pt_len))
		return CELLA_ERR_INVALID_ARG; /* the plaintext is a secret: it must come from enclave memory */
	*blob_len = total;
	if (!blob || cap < total)
		return CELLA_ERR_BUFFER_TOO_SMALL;

	CELLA_CHECK(cella_seal_key_request(policy, &kr));
	g = malloc(sizeof(*g));
	if (!g)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	if (aad_len && !cella_is_within_enclave(aad, aad_len)) {
		/* host memory: read once, so the AAD the tag covers is the AAD the blob carries */
		if (!(aad_copy = malloc(aad_len)))
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		memcpy(aad_copy, aad, aad_len);
		aad = aad_copy;
	}
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, CELLA_SEAL_MAGIC, 4);
	hdr[4] = CELLA_SEAL_VERSION;
	hdr[OFF_BACKEND] = seal_backend();
	cella_put_le32(hdr + OFF_AAD_LEN, (uint32_t)aad_len);
	cella_put_le32(hdr + OFF_PT_LEN, (uint32_t)pt_len);
	memcpy(hdr + OFF_KEYREQ, &kr, sizeof(kr));
	CELLA_CHECK(cella_random(hdr + OFF_IV, IV_BYTES));
	cella_put_le64(hdr + OFF_FRESH, version);
	CELLA_CHECK(seal_key(&kr, key));

	gcm_init(g, key);
	br_gcm_reset(&g->gcm, hdr + OFF_IV, IV_BYTES);
	br_gcm_aad_inject(&g->gcm, hdr, sizeof(hdr));
	if (aad_len)
		br_gcm_aad_inject(&g->gcm, aad, aad_len);
	br_gcm_flip(&g->gcm);
	ct = blob + CELLA_SEAL_HEADER_BYTES + aad_len;
	if (cella_is_within_enclave(blob, total)) {
		/* in place: the ciphertext area is private, so plaintext may pass through it */
		if (pt_len)
			memmove(ct, pt, pt_len);
		br_gcm_run(&g->gcm, 1, ct, pt_len);
	} else {
		/* host memory: encrypt chunk by chunk in an enclave buffer, copy out only ciphertext */
		bounce = malloc(CHUNK);
		if (!bounce)
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		for (size_t off = 0; off < pt_len; off += CHUNK) {
			size_t n = pt_len - off < CHUNK ? pt_len - off : CHUNK;
			memcpy(bounce, (const uint8_t *)pt + off, n);
			br_gcm_run(&g->gcm, 1, bounce, n);
			memcpy(ct + off, bounce, n);
		}
	}
	br_gcm_get_tag(&g->gcm, tag);
	memcpy(ct + pt_len, tag, sizeof(tag));
	if (aad_len)
		memmove(blob + CELLA_SEAL_HEADER_BYTES, aad, aad_len);
	memcpy(blob, hdr, sizeof(hdr));
	r = CELLA_OK;
out:
	rt_wipe(key, sizeof(key));
	if (g) {
		rt_wipe(g, sizeof(*g));
		free(g);
	}
	if (bounce) {
		rt_wipe(bounce, CHUNK);
		free(bounce);
	}
	free(aad_copy);
	return r;
}

/* Header checks shared by cella_sealed_lengths and cella_unseal, on an enclave copy of the header. */
static cella_result parse_header(const uint8_t hdr[CELLA_SEAL_HEADER_BYTES], size_t blob_len, size_t *aad_len,
				 size_t *pt_len)
{
	size_t a, p;
	/* public bytes, compared plainly (no memcmp in enclave code: see STYLE.md 5) */
	if (hdr[0] != 'C' || hdr[1] != 'S' || hdr[2] != 'L' || hdr[3] != '1' || hdr[4] != CELLA_SEAL_VERSION ||
	    hdr[5] || (hdr[OFF_BACKEND] != CELLA_SEAL_BACKEND_SANDBOX && hdr[OFF_BACKEND] != CELLA_SEAL_BACKEND_SGX) ||
	    hdr[7])
		return CELLA_ERR_SEALED_BLOB;
	a = cella_le32(hdr + OFF_AAD_LEN);
	p = cella_le32(hdr + OFF_PT_LEN);
	if (a > CELLA_SEAL_MAX_BYTES || p > CELLA_SEAL_MAX_BYTES)
		return CELLA_ERR_SEALED_BLOB;
	if (blob_len < cella_sealed_size(a, p))
		return CELLA_ERR_TRUNCATED;
	if (blob_len != cella_sealed_size(a, p))
		return CELLA_ERR_SEALED_BLOB; /* trailing bytes: not a blob we wrote */
	*aad_len = a;
	*pt_len = p;
	return CELLA_OK;
}

/* see cella/seal.h */
cella_result cella_sealed_lengths(const uint8_t *blob, size_t blob_len, size_t *aad_len, size_t *pt_len)
{
	uint8_t hdr[CELLA_SEAL_HEADER_BYTES];
	if (blob_len < CELLA_SEAL_OVERHEAD_BYTES)
		return CELLA_ERR_TRUNCATED;
	memcpy(hdr, blob, sizeof(hdr));
	return parse_header(hdr, blob_len, aad_len, pt_len);
}

/* see cella/seal.h */
cella_result cella_unseal(const uint8_t *blob, size_t blob_len, void *pt, size_t pt_cap, size_t *pt_len, void *aad,
			  size_t aad_cap, size_t *aad_len)
{
	return cella_unseal_fresh(0, blob, blob_len, pt, pt_cap, pt_len, aad, aad_cap, aad_len);
}

/*
 * Only a request cella_seal writes for this enclave is used to derive a key: a seal key, this enclave's policy
 * (with the KSS bits when it has KSS), the same masks, zero reserved bytes. Everything else in it a host may have
 * changed (reserved bits would make SGX's EGETKEY fault); ISVSVN and CPUSVN above ours are refused by EGETKEY.
 */
static cella_result request_is_ours(const struct cella_key_request *kr)
{
	struct cella_key_request want;
	uint16_t identity = kr->key_policy & (CELLA_SEAL_POLICY_MRENCLAVE | CELLA_SEAL_POLICY_MRSIGNER);
	uint8_t acc = 0;
	cella_result r;
	if (kr->key_name != CELLA_KEYNAME_SEAL ||
	    (identity != CELLA_SEAL_POLICY_MRENCLAVE && identity != CELLA_SEAL_POLICY_MRSIGNER))
		return CELLA_ERR_SEALED_BLOB;
	if ((r = cella_seal_key_request(identity, &want)) != CELLA_OK)
		return r;
	for (size_t i = 0; i < sizeof(kr->reserved2); i++)
		acc |= kr->reserved2[i];
	if (kr->key_policy != want.key_policy || kr->cet_attributes_mask != want.cet_attributes_mask ||
	    kr->reserved1 || acc || kr->attribute_mask.flags != want.attribute_mask.flags ||
	    kr->attribute_mask.xfrm != want.attribute_mask.xfrm || kr->misc_mask != want.misc_mask ||
	    kr->config_svn > want.config_svn)
		return CELLA_ERR_SEALED_BLOB;
	return CELLA_OK;
}

/* see cella/seal.h */
cella_result cella_unseal_fresh(uint64_t min_version, const uint8_t *blob, size_t blob_len, void *pt, size_t pt_cap,
				size_t *pt_len, void *aad, size_t aad_cap, size_t *aad_len)
{
	struct cella_key_request kr;
	struct seal_gcm *g = NULL;
	uint8_t hdr[CELLA_SEAL_HEADER_BYTES], key[32], tag[CELLA_SEAL_TAG_BYTES];
	uint8_t *aad_copy = NULL;
	size_t a = 0, p = 0;
	bool pt_dirty = false;
	cella_result r = CELLA_ERR_UNEXPECTED;

	*pt_len = 0;
	*aad_len = 0;
	if (blob_len < CELLA_SEAL_OVERHEAD_BYTES)
		return CELLA_ERR_TRUNCATED;
	memcpy(hdr, blob, sizeof(hdr)); /* the single fetch of the header */
	CELLA_CHECK(parse_header(hdr, blob_len, &a, &p));
	if (pt_cap < p || aad_cap < a || (a && !aad) || (p && !pt)) {
		*pt_len = p;
		*aad_len = a;
		CELLA_FAIL(CELLA_ERR_BUFFER_TOO_SMALL);
	}
	if (p && !cella_is_within_enclave(pt, p))
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	/* another backend's blob: its key cannot be derived here (the field is authenticated with the header too) */
	if (hdr[OFF_BACKEND] != seal_backend())
		CELLA_FAIL(CELLA_ERR_SEAL_BACKEND);
	memcpy(&kr, hdr + OFF_KEYREQ, sizeof(kr));
	CELLA_CHECK(request_is_ours(&kr));
	r = seal_key(&kr, key); /* a higher ISVSVN/CPUSVN than ours is refused here by EGETKEY */
	if (r == CELLA_ERR_INVALID_ARG || r == CELLA_ERR_INVALID_KEYNAME)
		r = CELLA_ERR_SEALED_BLOB; /* reserved bits set: not a request cella_seal wrote */
	if (r != CELLA_OK)
		goto out;

	g = malloc(sizeof(*g));
	aad_copy = malloc(a ? a : 1);
	if (!g || !aad_copy)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	/* AAD and tag are copied out before the ciphertext moves: pt may overlap the blob (unsealing in place), and
	 * the moved plaintext may cover either */
	memcpy(aad_copy, blob + CELLA_SEAL_HEADER_BYTES, a);
	memcpy(tag, blob + CELLA_SEAL_HEADER_BYTES + a + p, sizeof(tag));
	if (p)
		memmove(pt, blob + CELLA_SEAL_HEADER_BYTES + a, p); /* ciphertext into enclave memory, then MAC it */
	pt_dirty = true;

	gcm_init(g, key);
	br_gcm_reset(&g->gcm, hdr + OFF_IV, IV_BYTES);
	br_gcm_aad_inject(&g->gcm, hdr, sizeof(hdr));
	br_gcm_aad_inject(&g->gcm, aad_copy, a);
	br_gcm_flip(&g->gcm);
	br_gcm_run(&g->gcm, 0, pt, p);
	if (!br_gcm_check_tag(&g->gcm, tag))
		CELLA_FAIL(CELLA_ERR_SEALED_BLOB);
	/* the version is public and now authentic: a plain comparison; pt is wiped at out */
	if (cella_le64(hdr + OFF_FRESH) < min_version)
		CELLA_FAIL(CELLA_ERR_STALE);
	if (a)
		memcpy(aad, aad_copy, a);
	*pt_len = p;
	*aad_len = a;
	pt_dirty = false;
	r = CELLA_OK;
out:
	if (pt_dirty)
		rt_wipe(pt, p);
	rt_wipe(key, sizeof(key));
	if (g) {
		rt_wipe(g, sizeof(*g));
		free(g);
	}
	free(aad_copy);
	return r;
}
