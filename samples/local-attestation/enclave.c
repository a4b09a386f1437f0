// SPDX-License-Identifier: MIT
/*
 * local-attestation enclave: proves itself to a peer enclave on the same platform with an EREPORT targeted at
 * it, binding an ephemeral ECDH key in the report data; verifies the peer's report the same way (MAC by this
 * enclave's report key, same signer) and derives a shared key: HKDF-SHA-256(ECDH secret, salt "cella local
 * attestation", info = the two MRENCLAVEs in byte order).
 */
#include <bearssl.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <string.h>

#include "local_attestation.h"

static uint8_t secret[32], pub[65];
static int have_key;

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, p, n);
	br_sha256_out(&h, out);
}

static cella_result target_info(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n;
	if (on < sizeof(struct cella_target_info))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	*w = sizeof(struct cella_target_info);
	return cella_get_target_info((struct cella_target_info *)(void *)out);
}

static cella_result hello(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_target_info peer;
	struct la_hello h;
	struct cella_report rep;
	uint8_t rd[64] = {0}, seed[32];
	br_hmac_drbg_context rng;
	br_ec_private_key sk;
	br_ec_public_key pk;
	uint8_t kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
	cella_result r;
	if (n != sizeof(peer) || on < sizeof(h))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&peer, in, sizeof(peer));
	r = cella_random(seed, sizeof(seed));
	if (r != CELLA_OK)
		return r;
	br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof(seed));
	if (br_ec_keygen(&rng.vtable, br_ec_get_default(), &sk, kbuf, BR_EC_secp256r1) != 32 ||
	    br_ec_compute_pub(br_ec_get_default(), &pk, pbuf, &sk) != 65)
		return CELLA_ERR_CRYPTO;
	memcpy(secret, sk.x, 32);
	memcpy(pub, pk.q, 65);
	have_key = 1;
	memset(kbuf, 0, sizeof(kbuf));
	sha256(pub, 65, rd);
	r = cella_get_report(&peer, rd, &rep);
	if (r != CELLA_OK)
		return r;
	memset(&h, 0, sizeof(h));
	memcpy(h.report, &rep, sizeof(rep));
	memcpy(h.pub, pub, 65);
	memcpy(out, &h, sizeof(h));
	*w = sizeof(h);
	return CELLA_OK;
}

static cella_result finish(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct la_hello h;
	struct cella_report peer, self;
	uint8_t rd[32], point[65], key[32], fp[32], info[64];
	br_hkdf_context kdf;
	cella_result r;
	if (n != sizeof(h) || on < 8 || !have_key)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&h, in, sizeof(h));
	memcpy(&peer, h.report, sizeof(peer));
	r = cella_verify_report(&peer); /* MAC under our report key: made by an enclave on this platform, for us */
	if (r != CELLA_OK)
		return r;
	sha256(h.pub, 65, rd);
	if (memcmp(peer.body.report_data, rd, 32) != 0)
		return CELLA_ERR_REPORT_DATA; /* the key is not the one the peer enclave reported */
	r = cella_get_report(NULL, NULL, &self);
	if (r != CELLA_OK)
		return r;
	if (memcmp(peer.body.mr_signer, self.body.mr_signer, 32) != 0)
		return CELLA_ERR_POLICY; /* our policy: only enclaves of our own signer */
	memcpy(point, h.pub, 65);
	if (!br_ec_get_default()->mul(point, 65, secret, 32, BR_EC_secp256r1))
		return CELLA_ERR_CRYPTO;
	/* info: both MRENCLAVEs, smaller first, so both sides derive the same key */
	if (memcmp(self.body.mr_enclave, peer.body.mr_enclave, 32) < 0) {
		memcpy(info, self.body.mr_enclave, 32);
		memcpy(info + 32, peer.body.mr_enclave, 32);
	} else {
		memcpy(info, peer.body.mr_enclave, 32);
		memcpy(info + 32, self.body.mr_enclave, 32);
	}
	br_hkdf_init(&kdf, &br_sha256_vtable, "cella local attestation", 23);
	br_hkdf_inject(&kdf, point + 1, 32);
	br_hkdf_flip(&kdf);
	br_hkdf_produce(&kdf, info, sizeof(info), key, sizeof(key));
	sha256(key, sizeof(key), fp); /* shown to the host only as a fingerprint; the key stays here */
	memcpy(out, fp, 8);
	*w = 8;
	memset(point, 0, sizeof(point));
	memset(&kdf, 0, sizeof(kdf));
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[ECALL_TARGET_INFO] = {target_info, CELLA_ECALL_PUBLIC},
	[ECALL_HELLO] = {hello, CELLA_ECALL_PUBLIC},
	[ECALL_FINISH] = {finish, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);

#ifdef LOCAL_ATTESTATION_B
const int local_attestation_b = 1; /* enclave B: a different MRENCLAVE */
#endif
