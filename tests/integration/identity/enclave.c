// SPDX-License-Identifier: MIT
/* Test enclave for reports, keys and evidence. It exports keys to the host: for tests only. */
#include <cella/attest.h>
#include <cella/enclave.h>
#include <string.h>

#include "identity.h"

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

static void unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
}

/* RFC 4493 section 4 test vectors for AES-128-CMAC. */
static uint32_t cmac_vectors(void)
{
	static const char *key = "2b7e151628aed2a6abf7158809cf4f3c";
	static const char *msg = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
				 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	static const struct {
		size_t len;
		const char *mac;
	} v[] = {{0, "bb1d6929e95937287fa37d129b756746"},
		 {16, "070a16b46b4d4144f79bdd9dd04a287c"},
		 {40, "dfa66747de9ae63030ca32611497c827"},
		 {64, "51f0bebf7e3b9d92fc49741779363cfe"}};
	uint8_t k[16], m[64], want[16], got[16];
	uint32_t failed = 0;
	unhex(key, k, 16);
	unhex(msg, m, 64);
	for (unsigned i = 0; i < 4; i++) {
		unhex(v[i].mac, want, 16);
		cella_cmac_aes128(k, m, v[i].len, got);
		if (memcmp(got, want, 16) != 0)
			failed = 1;
	}
	return failed;
}

static cella_result selftest(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t f = 0;
	struct cella_report self;
	struct cella_key_request kr;
	uint8_t k1[16], k2[16];
	uint8_t rd[64];
	(void)in, (void)n;

	f |= cmac_vectors() << 0;
	memset(rd, 0x5c, sizeof(rd));
	if (cella_get_report(NULL, rd, &self) != CELLA_OK || memcmp(self.body.report_data, rd, 64) != 0)
		f |= 1u << 1;
	if (cella_verify_report(&self) != CELLA_OK)
		f |= 1u << 2;
	self.body.isv_svn ^= 1;
	if (cella_verify_report(&self) != CELLA_ERR_MAC_MISMATCH)
		f |= 1u << 3;
	self.body.isv_svn ^= 1;
	self.mac[15] ^= 0x80;
	if (cella_verify_report(&self) != CELLA_ERR_MAC_MISMATCH)
		f |= 1u << 4;
	self.mac[15] ^= 0x80;
	if (!(self.body.attributes.flags & CELLA_ATTR_DEBUG) || !(self.body.attributes.flags & CELLA_ATTR_INIT))
		f |= 1u << 5;

	if (cella_seal_key_request(CELLA_KEYPOLICY_MRENCLAVE, &kr) != CELLA_OK)
		f |= 1u << 6;
	if (cella_get_key(&kr, k1) != CELLA_OK || cella_get_key(&kr, k2) != CELLA_OK || memcmp(k1, k2, 16) != 0)
		f |= 1u << 7; /* deterministic */
	kr.key_id[0] ^= 1;
	if (cella_get_key(&kr, k2) != CELLA_OK || memcmp(k1, k2, 16) == 0)
		f |= 1u << 8; /* the key id matters */
	kr.key_id[0] ^= 1;
	kr.isv_svn = (uint16_t)(self.body.isv_svn + 1);
	if (cella_get_key(&kr, k2) != CELLA_ERR_INVALID_ISVSVN)
		f |= 1u << 9;
	kr.isv_svn = self.body.isv_svn;
	kr.cpu_svn[3]++;
	if (cella_get_key(&kr, k2) != CELLA_ERR_INVALID_CPUSVN)
		f |= 1u << 10;
	kr.cpu_svn[3]--;
	kr.key_name = CELLA_KEYNAME_PROVISION;
	if (cella_get_key(&kr, k2) != CELLA_ERR_INVALID_KEYNAME)
		f |= 1u << 11;
	kr.key_name = CELLA_KEYNAME_EINITTOKEN;
	if (cella_get_key(&kr, k2) != CELLA_ERR_INVALID_KEYNAME)
		f |= 1u << 12;
	kr.key_name = CELLA_KEYNAME_SEAL;
	kr.reserved2[7] = 1;
	if (cella_get_key(&kr, k2) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 13;
	kr.reserved2[7] = 0;
	if (cella_seal_key_request(7, &kr) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 14;
	/* a lower ISVSVN is allowed and gives a different key (keys of older versions stay reachable) */
	if (self.body.isv_svn > 0) {
		kr.isv_svn = (uint16_t)(self.body.isv_svn - 1);
		if (cella_get_key(&kr, k2) != CELLA_OK || memcmp(k1, k2, 16) == 0)
			f |= 1u << 15;
	}
	/* this enclave has no KSS: the KSS policy bits and a CONFIGSVN, on which EGETKEY would fault, are refused */
	kr.isv_svn = self.body.isv_svn;
	kr.key_policy = CELLA_KEYPOLICY_MRSIGNER | CELLA_KEYPOLICY_NOISVPRODID;
	if ((self.body.attributes.flags & CELLA_ATTR_KSS) || cella_get_key(&kr, k2) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 16;
	kr.key_policy = CELLA_KEYPOLICY_MRSIGNER;
	kr.config_svn = 1;
	if (cella_get_key(&kr, k2) != CELLA_ERR_INVALID_ARG)
		f |= 1u << 17;
	kr.config_svn = 0;
	if (cella_get_key(&kr, k2) != CELLA_OK)
		f |= 1u << 18;
	memset(k1, 0, 16);
	memset(k2, 0, 16);
	if (on < 4)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &f, 4);
	*w = 4;
	return CELLA_OK;
}

static cella_result target_info(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_target_info ti;
	cella_result r;
	(void)in, (void)n;
	if (on < sizeof(ti))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	r = cella_get_target_info(&ti);
	if (r != CELLA_OK)
		return r;
	memcpy(out, &ti, sizeof(ti));
	*w = sizeof(ti);
	return CELLA_OK;
}

static cella_result report_for(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_target_info ti;
	struct cella_report rp;
	uint8_t rd[64] = "report data from the test enclave";
	cella_result r;
	if (n != sizeof(ti) || on < sizeof(rp))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&ti, in, sizeof(ti));
	r = cella_get_report(&ti, rd, &rp);
	if (r != CELLA_OK)
		return r;
	memcpy(out, &rp, sizeof(rp));
	*w = sizeof(rp);
	return CELLA_OK;
}

static cella_result verify(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)out, (void)on, (void)w;
	if (n != sizeof(struct cella_report))
		return CELLA_ERR_INVALID_ARG;
	return cella_verify_report((const struct cella_report *)(const void *)in);
}

static cella_result key(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_key_request kr;
	cella_result r;
	if (n != sizeof(kr) || on < 16)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&kr, in, sizeof(kr));
	r = cella_get_key(&kr, out);
	if (r == CELLA_OK)
		*w = 16;
	return r;
}

static cella_result evidence(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	size_t len = 0;
	cella_result r;
	if (n != 64)
		return CELLA_ERR_INVALID_ARG;
	r = cella_get_evidence(in, out, on, &len);
	if (r == CELLA_OK)
		*w = len;
	return r;
}

static cella_result seal_request(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint16_t policy;
	struct cella_key_request kr;
	cella_result r;
	if (n != 2 || on < sizeof(kr))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&policy, in, 2);
	r = cella_seal_key_request(policy, &kr);
	if (r == CELLA_OK) {
		memcpy(out, &kr, sizeof(kr));
		*w = sizeof(kr);
	}
	return r;
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[I_SELFTEST] = {selftest, CELLA_ECALL_PUBLIC},       [I_TARGET_INFO] = {target_info, CELLA_ECALL_PUBLIC},
	[I_REPORT_FOR] = {report_for, CELLA_ECALL_PUBLIC},   [I_VERIFY] = {verify, CELLA_ECALL_PUBLIC},
	[I_KEY] = {key, CELLA_ECALL_PUBLIC},                 [I_EVIDENCE] = {evidence, CELLA_ECALL_PUBLIC},
	[I_SEAL_REQUEST] = {seal_request, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);

#ifdef CELLA_TEST_VARIANT
/* a different enclave (other MRENCLAVE) from the same signer */
const int cella_test_variant = 1;
#endif
