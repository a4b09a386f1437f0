// SPDX-License-Identifier: MIT
/*
 * A stand-in for libsgx_dcap_ql / libsgx_quote_ex / a quote provider, for sgx_quote_test: deterministic
 * answers; FAKE_DCAP_STATUS=<hex> makes every call fail with that status.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define API __attribute__((visibility("default")))

static int status(void)
{
	const char *s = getenv("FAKE_DCAP_STATUS");
	return s ? (int)strtol(s, NULL, 16) : 0;
}

API int sgx_qe_get_target_info(void *ti)
{
	memset(ti, 0x5a, 512);
	return status();
}

API int sgx_qe_get_quote_size(uint32_t *size)
{
	*size = 8 + 432;
	return status();
}

API int sgx_qe_get_quote(const void *report, uint32_t size, uint8_t *quote)
{
	if (size != 8 + 432)
		return 0xe003;
	memcpy(quote, "FAKEQUOT", 8);
	memcpy(quote + 8, report, 432);
	return status();
}

API int sgx_select_att_key_id(const uint8_t *list, uint32_t list_size, void *key_id)
{
	(void)list, (void)list_size;
	memset(key_id, 0x11, 256);
	return status();
}

API int sgx_init_quote_ex(const void *key_id, void *ti, size_t *pub_size, uint8_t *pub)
{
	(void)key_id;
	memset(ti, 0x6b, 512);
	if (!pub)
		*pub_size = 32;
	else
		memset(pub, 0x22, *pub_size);
	return status();
}

API int sgx_get_quote_size_ex(const void *key_id, uint32_t *size)
{
	(void)key_id;
	*size = 16;
	return status();
}

API int sgx_get_quote_ex(const void *report, const void *key_id, void *qe_report_info, uint8_t *quote, uint32_t size)
{
	(void)key_id, (void)qe_report_info;
	memset(quote, 0x33, size);
	memcpy(quote, report, 4);
	return status();
}
