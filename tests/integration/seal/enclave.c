// SPDX-License-Identifier: MIT
/* Test enclave for cella_seal / cella_unseal. Built several times: other MRENCLAVE, product id and ISVSVN. */
#include <bearssl.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <cella/seal.h>
#include <stdlib.h>
#include <string.h>

#include "seal_ids.h"

static uint8_t big_pt[1u << 20], big_out[1u << 20];

/* Round trip of n bytes with aad through a blob at `blob` (enclave or host memory). */
static uint32_t round_trip(uint8_t *blob, size_t cap, size_t n, size_t aad_n, uint16_t policy)
{
	static const char aad[] = "associated data that stays in clear";
	uint8_t got_aad[64];
	size_t len = 0, pl = 0, al = 0;
	uint32_t f = 0;
	for (size_t i = 0; i < n; i++)
		big_pt[i] = (uint8_t)(i * 7 + 1);
	if (cella_seal(policy, aad, aad_n, big_pt, n, blob, cap, &len) != CELLA_OK || len != cella_sealed_size(aad_n, n))
		return 1;
	if (n >= 32 && memcmp(blob + CELLA_SEAL_HEADER_BYTES + aad_n, big_pt, 32) == 0)
		f |= 1; /* ciphertext must not be the plaintext */
	if (cella_unseal(blob, len, big_out, sizeof(big_out), &pl, got_aad, sizeof(got_aad), &al) != CELLA_OK ||
	    pl != n || al != aad_n || memcmp(big_out, big_pt, n) != 0 || memcmp(got_aad, aad, aad_n) != 0)
		f |= 1;
	return f;
}

static cella_result selftest(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t f = 0;
	size_t cap = cella_sealed_size(64, sizeof(big_pt)), len = 0, pl = 0, al = 0;
	uint8_t *blob = malloc(cap), *hblob = cella_host_malloc(cella_sealed_size(64, 4096));
	uint8_t small[16] = "0123456789abcde", o[16], got_aad[4];
	(void)in, (void)n;
	if (!blob || !hblob)
		return CELLA_ERR_OUT_OF_MEMORY;
	f |= round_trip(blob, cap, 0, 0, 0) << 0;
	f |= round_trip(blob, cap, 1, 5, CELLA_SEAL_POLICY_MRENCLAVE) << 1;
	f |= round_trip(blob, cap, 1000, 36, CELLA_SEAL_POLICY_MRSIGNER) << 2;
	f |= round_trip(blob, cap, sizeof(big_pt), 0, 0) << 3;
	f |= round_trip(hblob, cella_sealed_size(64, 4096), 4096, 12, 0) << 4; /* blob in host memory */
	f |= round_trip(hblob, cella_sealed_size(64, 4096), 16385, 12, 0) == 0 ? 1u << 5 : 0; /* too small */

	/* refusals that need enclave-side pointers */
	if (cella_seal(3, NULL, 0, small, sizeof(small), blob, cap, &len) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 6; /* both policies at once */
	if (cella_seal(0, NULL, 0, hblob, 16, blob, cap, &len) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 7; /* plaintext in host memory */
	if (cella_seal(0, NULL, 0, small, sizeof(small), blob, 100, &len) != CELLA_ERR_BUFFER_TOO_SMALL ||
	    len != cella_sealed_size(0, sizeof(small)))
		f |= 1u << 8;
	if (cella_sealed_size(CELLA_SEAL_MAX_BYTES + (size_t)1, 0) != SIZE_MAX)
		f |= 1u << 9;
	if (cella_seal(0, NULL, 0, small, sizeof(small), blob, cap, &len) != CELLA_OK)
		f |= 1u << 10;
	if (cella_unseal(blob, len, hblob, 16, &pl, NULL, 0, &al) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 11; /* plaintext output in host memory */
	if (cella_unseal(blob, len, o, 15, &pl, NULL, 0, &al) != CELLA_ERR_BUFFER_TOO_SMALL || pl != 16)
		f |= 1u << 12;
	memset(o, 0x55, sizeof(o));
	blob[len - 1] ^= 1;
	if (cella_unseal(blob, len, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_SEALED_BLOB || pl != 0 || o[0] != 0)
		f |= 1u << 13; /* bad tag: output wiped, not the plaintext */
	blob[len - 1] ^= 1;
	if (cella_unseal(blob, len - 1, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_TRUNCATED)
		f |= 1u << 14;
	if (cella_unseal(blob, 10, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_TRUNCATED)
		f |= 1u << 15;
	/* freshness: a stale blob is refused after authentication, and its plaintext (decrypted as scratch) wiped */
	if (cella_seal_versioned(0, 7, NULL, 0, small, sizeof(small), blob, cap, &len) != CELLA_OK)
		f |= 1u << 16;
	memset(o, 0x55, sizeof(o));
	pl = al = 99;
	if (cella_unseal_fresh(8, blob, len, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_STALE || pl != 0 || al != 0 ||
	    o[0] != 0 || o[15] != 0)
		f |= 1u << 17;
	if (cella_unseal_fresh(7, blob, len, o, 16, &pl, NULL, 0, &al) != CELLA_OK || pl != 16 ||
	    memcmp(o, small, 16) != 0)
		f |= 1u << 18;
	if (cella_seal_versioned(3, 7, NULL, 0, small, sizeof(small), blob, cap, &len) != CELLA_ERR_INVALID_ARG ||
	    cella_seal_versioned(0, 7, NULL, 0, hblob, 16, blob, cap, &len) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 19; /* the versioned entry refuses what cella_seal refuses */
	/* the other backend's blob: refused before any key is derived, nothing written */
	if (cella_seal(0, NULL, 0, small, sizeof(small), blob, cap, &len) != CELLA_OK)
		f |= 1u << 20;
	blob[6] = blob[6] == CELLA_SEAL_BACKEND_SGX ? CELLA_SEAL_BACKEND_SANDBOX : CELLA_SEAL_BACKEND_SGX;
	memset(o, 0x55, sizeof(o));
	if (cella_unseal(blob, len, o, 16, &pl, NULL, 0, &al) != CELLA_ERR_SEAL_BACKEND || pl != 0 || o[0] != 0x55)
		f |= 1u << 21;
	/* over CELLA_SEAL_MAX_BYTES: refused before either buffer is read (the AAD may be anywhere, so its pointer
	 * need not cover the length); at the limit, the blob's size is what is refused */
	len = 1;
	if (cella_seal(0, small, CELLA_SEAL_MAX_BYTES + (size_t)1, small, sizeof(small), blob, cap, &len) !=
		    CELLA_ERR_TOO_LARGE ||
	    len != 0)
		f |= 1u << 22; /* AAD */
	len = 1;
	if (cella_seal(0, NULL, 0, small, CELLA_SEAL_MAX_BYTES + (size_t)1, blob, cap, &len) != CELLA_ERR_TOO_LARGE ||
	    len != 0)
		f |= 1u << 23; /* plaintext */
	if (cella_seal_versioned(0, 7, small, CELLA_SEAL_MAX_BYTES + (size_t)1, small, 1, blob, cap, &len) !=
		    CELLA_ERR_TOO_LARGE ||
	    cella_seal_versioned(0, 7, NULL, 0, small, CELLA_SEAL_MAX_BYTES + (size_t)1, blob, cap, &len) !=
		    CELLA_ERR_TOO_LARGE)
		f |= 1u << 24;
	if (cella_seal(0, small, CELLA_SEAL_MAX_BYTES, NULL, 0, blob, cap, &len) != CELLA_ERR_BUFFER_TOO_SMALL ||
	    len != cella_sealed_size(CELLA_SEAL_MAX_BYTES, 0))
		f |= 1u << 25;
	/* an AAD buffer too small: refused with both lengths, nothing written to aad (nor past its 2 bytes) or pt */
	if (cella_seal(0, "abc", 3, small, sizeof(small), blob, cap, &len) != CELLA_OK)
		f |= 1u << 26;
	memset(o, 0x55, sizeof(o));
	memset(got_aad, 0x55, sizeof(got_aad));
	pl = al = 99;
	if (cella_unseal(blob, len, o, 16, &pl, got_aad, 2, &al) != CELLA_ERR_BUFFER_TOO_SMALL || al != 3 || pl != 16 ||
	    got_aad[0] != 0x55 || got_aad[1] != 0x55 || got_aad[2] != 0x55 || got_aad[3] != 0x55 || o[0] != 0x55 ||
	    o[15] != 0x55)
		f |= 1u << 27;
	/* in place: the plaintext written over the blob itself (pt == blob), and above its ciphertext, over the tag */
	for (int k = 0; k < 2; k++) {
		static const char aad[] = "in place";
		size_t at = k == 0 ? 0 : CELLA_SEAL_HEADER_BYTES + sizeof(aad) + 5;
		for (size_t i = 0; i < 1000; i++)
			big_pt[i] = (uint8_t)(i * 13 + 5);
		if (cella_seal(0, aad, sizeof(aad), big_pt, 1000, blob, cap, &len) != CELLA_OK ||
		    cella_unseal(blob, len, blob + at, 1000, &pl, big_out, sizeof(aad), &al) != CELLA_OK ||
		    pl != 1000 || al != sizeof(aad) || memcmp(blob + at, big_pt, 1000) != 0 ||
		    memcmp(big_out, aad, sizeof(aad)) != 0)
			f |= 1u << (28 + k);
	}
	cella_host_free(hblob);
	free(blob);
	memset(big_out, 0, sizeof(big_out));
	if (on < 4)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &f, 4);
	*w = 4;
	return CELLA_OK;
}

static cella_result seal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint16_t policy, aad_len;
	if (n < 4)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&policy, in, 2);
	memcpy(&aad_len, in + 2, 2);
	if (aad_len > n - 4)
		return CELLA_ERR_INVALID_ARG;
	/* `in` is an enclave copy, so the plaintext comes from enclave memory */
	return cella_seal(policy, in + 4, aad_len, in + 4 + aad_len, n - 4 - aad_len, out, on, w);
}

static cella_result seal_versioned(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint16_t policy, aad_len;
	uint64_t version;
	if (n < 12)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&policy, in, 2);
	memcpy(&aad_len, in + 2, 2);
	memcpy(&version, in + 4, 8);
	if (aad_len > n - 12)
		return CELLA_ERR_INVALID_ARG;
	return cella_seal_versioned(policy, version, in + 12, aad_len, in + 12 + aad_len, n - 12 - aad_len, out, on, w);
}

/* cella_unseal_fresh(min, ...) on the blob in `in` when `fresh`, else plain cella_unseal. */
static cella_result unseal_common(bool fresh, uint64_t min, const uint8_t *in, size_t n, uint8_t *out, size_t on,
				  size_t *w)
{
	size_t al = 0, pl = 0;
	uint8_t *pt;
	cella_result r = cella_sealed_lengths(in, n, &al, &pl);
	if (r != CELLA_OK)
		return r;
	if (on < 4 + al + pl)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	pt = malloc(pl ? pl : 1);
	if (!pt)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (fresh)
		r = cella_unseal_fresh(min, in, n, pt, pl, &pl, out + 4, al, &al);
	else
		r = cella_unseal(in, n, pt, pl, &pl, out + 4, al, &al);
	if (r == CELLA_OK) {
		uint32_t a32 = (uint32_t)al;
		memcpy(out, &a32, 4);
		memcpy(out + 4 + al, pt, pl); /* a test: real enclaves keep their plaintext */
		*w = 4 + al + pl;
	}
	free(pt);
	return r;
}

static cella_result unseal(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	return unseal_common(false, 0, in, n, out, on, w);
}

static cella_result unseal_fresh(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t min;
	if (n < 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&min, in, 8);
	return unseal_common(true, min, in + 8, n - 8, out, on, w);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * An independent check of the blob format of cella/seal.h, written from that comment and not from seal.c: the
 * key from EGETKEY(KEYREQUEST at 16) and HKDF, the IV at 528, and GCM's additional data = the whole 548-byte
 * header and the AAD. Says whether the tag verifies over the header as it is now (after the host changed it),
 * without seal.c's header checks in the way.
 */
static cella_result tag_check(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const char salt[] = "CELLA-SEAL-v1", info[] = "cella seal aes-256-gcm";
	struct cella_key_request kr;
	uint8_t ek[CELLA_KEY_BYTES], key[32], hinfo[sizeof(info) - 1 + sizeof(kr)];
	br_hkdf_context h;
	br_aes_ct64_ctr_keys aes;
	br_gcm_context gcm;
	uint8_t *ct;
	size_t a, p;
	uint32_t ok;
	cella_result r;
	if (n < CELLA_SEAL_OVERHEAD_BYTES || on < 4)
		return CELLA_ERR_INVALID_ARG;
	a = le32(in + 8);
	p = le32(in + 12);
	if (a > n || p > n || n != CELLA_SEAL_OVERHEAD_BYTES + a + p)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&kr, in + 16, sizeof(kr));
	r = cella_get_key(&kr, ek);
	if (r != CELLA_OK)
		return r;
	br_hkdf_init(&h, &br_sha256_vtable, salt, sizeof(salt) - 1);
	br_hkdf_inject(&h, ek, sizeof(ek));
	br_hkdf_flip(&h);
	memcpy(hinfo, info, sizeof(info) - 1);
	memcpy(hinfo + sizeof(info) - 1, &kr, sizeof(kr));
	br_hkdf_produce(&h, hinfo, sizeof(hinfo), key, sizeof(key));
	ct = malloc(p ? p : 1);
	if (!ct)
		return CELLA_ERR_OUT_OF_MEMORY;
	memcpy(ct, in + CELLA_SEAL_HEADER_BYTES + a, p);
	br_aes_ct64_ctr_init(&aes, key, sizeof(key));
	br_gcm_init(&gcm, &aes.vtable, br_ghash_ctmul64);
	br_gcm_reset(&gcm, in + 528, 12);
	br_gcm_aad_inject(&gcm, in, CELLA_SEAL_HEADER_BYTES + a);
	br_gcm_flip(&gcm);
	br_gcm_run(&gcm, 0, ct, p);
	ok = br_gcm_check_tag(&gcm, in + CELLA_SEAL_HEADER_BYTES + a + p);
	memset(ct, 0, p);
	free(ct);
	memset(key, 0, sizeof(key));
	memset(ek, 0, sizeof(ek));
	memset(&h, 0, sizeof(h));
	memset(&aes, 0, sizeof(aes));
	memset(&gcm, 0, sizeof(gcm));
	memcpy(out, &ok, 4);
	*w = 4;
	return CELLA_OK;
}

/* True iff none of pt's bytes came from a plaintext: each is the 0xa5 fill or 0 (wiped). */
static bool untouched(const uint8_t *pt, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pt[i] != 0xa5 && pt[i] != 0)
			return false;
	return true;
}

/* K6: unseal a blob in host memory while the host rewrites it; classify every result. */
static cella_result race(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct seal_race q;
	struct seal_race_out o = {0};
	const uint8_t *want_a, *want_b, *blob;
	uint8_t *pt, aad[8];
	if (n < sizeof(q) || on < sizeof(o))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&q, in, sizeof(q));
	if (q.pt_len == 0 || n != sizeof(q) + 2 * (size_t)q.pt_len)
		return CELLA_ERR_INVALID_ARG;
	blob = (const uint8_t *)(uintptr_t)q.blob;
	if (!cella_is_host_memory(blob, q.blob_len))
		return CELLA_ERR_HOST_POINTER;
	want_a = in + sizeof(q);
	want_b = want_a + q.pt_len;
	pt = malloc(q.pt_len + 64); /* 64 bytes past the plaintext must stay untouched too */
	if (!pt)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (uint32_t i = 0; i < q.rounds; i++) {
		size_t pl = 77, al = 77;
		cella_result r;
		memset(pt, 0xa5, q.pt_len + 64);
		memset(aad, 0xa5, sizeof(aad));
		r = cella_unseal(blob, q.blob_len, pt, q.pt_len, &pl, aad, sizeof(aad), &al);
		if (r == CELLA_OK && pl == q.pt_len && al == 0 && untouched(pt + q.pt_len, 64) &&
		    untouched(aad, sizeof(aad)) && memcmp(pt, want_a, q.pt_len) == 0) {
			o.ok_a++;
		} else if (r == CELLA_OK && pl == q.pt_len && al == 0 && untouched(pt + q.pt_len, 64) &&
			   untouched(aad, sizeof(aad)) && memcmp(pt, want_b, q.pt_len) == 0) {
			o.ok_b++;
		} else if (r != CELLA_OK && untouched(pt, q.pt_len + 64) && untouched(aad, sizeof(aad)) &&
			   ((pl == 0 && al == 0) || r == CELLA_ERR_BUFFER_TOO_SMALL)) {
			o.refused++; /* BUFFER_TOO_SMALL reports the (forged) announced lengths, and writes nothing */
		} else {
			if (!o.bad)
				o.first_bad_result = (uint32_t)r;
			o.bad++;
		}
	}
	free(pt);
	memcpy(out, &o, sizeof(o));
	*w = sizeof(o);
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[S_SELFTEST] = {selftest, CELLA_ECALL_PUBLIC},
	[S_SEAL] = {seal, CELLA_ECALL_PUBLIC},
	[S_UNSEAL] = {unseal, CELLA_ECALL_PUBLIC},
	[S_SEAL_VERSIONED] = {seal_versioned, CELLA_ECALL_PUBLIC},
	[S_UNSEAL_FRESH] = {unseal_fresh, CELLA_ECALL_PUBLIC},
	[S_TAG_CHECK] = {tag_check, CELLA_ECALL_PUBLIC},
	[S_RACE] = {race, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);

#ifdef CELLA_TEST_VARIANT
const int cella_test_variant = CELLA_TEST_VARIANT; /* changes MRENCLAVE only */
#endif
