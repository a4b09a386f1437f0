// SPDX-License-Identifier: MIT
/* cella-sign's library: config files, the shared sign/digest/catsig steps, key generation. */
#include "signtool.h"

#include "hex.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "measure.h"
#include "sigstruct.h"

/*
 * Each setting with its range and the message for a value outside it (or not a number). The sizes are the limits
 * cella_layout_regions() enforces (cella/abi/properties.h), so a config file never yields properties the image
 * parser refuses, and a mistake is reported at its FILE:LINE naming the setting.
 */
static const struct {
	const char *name;
	uint64_t min, max; /* max 0: a 128-bit ID */
	const char *range;
} keys[CELLA_SIGN_KEY_COUNT] = {
	[CELLA_SIGN_DEBUG] = {"Debug", 0, 1, "Debug must be 0 or 1"},
	[CELLA_SIGN_NUM_HEAP_PAGES] = {"NumHeapPages", CELLA_MIN_HEAP_PAGES, CELLA_MAX_HEAP_PAGES,
				       "NumHeapPages must be a number from 2 to 1048576 (2^20)"},
	[CELLA_SIGN_NUM_STACK_PAGES] = {"NumStackPages", 1, CELLA_MAX_STACK_PAGES,
					"NumStackPages must be a number from 1 to 16384 (2^14)"},
	[CELLA_SIGN_NUM_TCS] = {"NumTCS", 1, CELLA_MAX_TCS, "NumTCS must be a number from 1 to 256"},
	[CELLA_SIGN_PRODUCT_ID] = {"ProductID", 0, UINT16_MAX, "ProductID must be a number from 0 to 65535"},
	[CELLA_SIGN_SECURITY_VERSION] = {"SecurityVersion", 0, UINT16_MAX,
					 "SecurityVersion must be a number from 0 to 65535"},
	[CELLA_SIGN_FAMILY_ID] = {"FamilyID", 0, 0, "FamilyID must be a 128-bit hexadecimal value (up to 32 digits)"},
	[CELLA_SIGN_EXTENDED_PRODUCT_ID] = {"ExtendedProductID", 0, 0,
					    "ExtendedProductID must be a 128-bit hexadecimal value (up to 32 digits)"},
	[CELLA_SIGN_MISC_SELECT] = {"MiscSelect", 0, UINT32_MAX, "MiscSelect must be a 32-bit number"},
	[CELLA_SIGN_MISC_MASK] = {"MiscMask", 0, UINT32_MAX, "MiscMask must be a 32-bit number"},
	[CELLA_SIGN_ATTRIBUTES_MASK] = {"AttributesMask", 0, UINT64_MAX, "AttributesMask must be a 64-bit number"},
};
_Static_assert(CELLA_MIN_HEAP_PAGES == 2 && CELLA_MAX_HEAP_PAGES == 1048576 && CELLA_MAX_STACK_PAGES == 16384 &&
		       CELLA_MAX_TCS == 256,
	       "the range messages above spell these limits out");

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Does the span s[0..n) spell `word`? (tools/sign uses no library comparison functions: CT grep.) */
static bool span_is(const char *s, size_t n, const char *word)
{
	size_t i = 0;
	for (; i < n && word[i]; i++)
		if (s[i] != word[i])
			return false;
	return i == n && word[i] == 0;
}

/* Decimal or 0x-hex, the whole span, no sign, no overflow. */
static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	size_t i = 0;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, i = 2;
	if (i == n)
		return false;
	for (; i < n; i++) {
		int d = base == 16 ? cella_hex_value(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (d < 0 || __builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, (uint64_t)d, &v))
			return false;
	}
	*out = v;
	return true;
}

/* Up to 32 hex digits (0x optional) as a 128-bit number, stored little-endian. */
static bool parse_u128(const char *s, size_t n, uint8_t out[16])
{
	uint8_t v[16] = {0};
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2, n -= 2;
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = cella_hex_value(s[n - 1 - i]); /* i-th least significant digit */
		if (d < 0)
			return false;
		v[i / 2] |= (uint8_t)(d << (4 * (i % 2)));
	}
	memcpy(out, v, 16);
	return true;
}

/* see signtool.h */
cella_result cella_sign_config_parse(const char *text, size_t len, struct cella_sign_config *out, unsigned *line,
				     const char **detail)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_sign_config c;
	size_t pos = 0;
	unsigned ln = 0;

	memset(&c, 0, sizeof(c));
	*detail = NULL;
	while (pos < len) {
		size_t end = pos, a, b, eq, k;
		while (end < len && text[end] != '\n')
			end++;
		ln++;
		a = pos, b = end;
		pos = end + 1;
		while (a < b && is_space(text[a]))
			a++;
		while (b > a && is_space(text[b - 1]))
			b--;
		if (a == b || text[a] == '#')
			continue;
		for (eq = a; eq < b && text[eq] != '='; eq++)
			if (text[eq] == 0) {
				*detail = "NUL byte in the config file";
				CELLA_FAIL(CELLA_ERR_BAD_FORMAT);
			}
		if (eq == b) {
			*detail = "expected Name=Value";
			CELLA_FAIL(CELLA_ERR_BAD_FORMAT);
		}
		size_t ne = eq, vs = eq + 1;
		while (ne > a && is_space(text[ne - 1]))
			ne--;
		while (vs < b && is_space(text[vs]))
			vs++;
		for (k = 0; k < CELLA_SIGN_KEY_COUNT; k++)
			if (span_is(text + a, ne - a, keys[k].name))
				break;
		if (k == CELLA_SIGN_KEY_COUNT) {
			*detail = "unknown setting";
			CELLA_FAIL(CELLA_ERR_BAD_FORMAT);
		}
		if (c.set & (1u << k)) {
			*detail = "setting given twice";
			CELLA_FAIL(CELLA_ERR_BAD_FORMAT);
		}
		c.set |= 1u << k;
		if (keys[k].max == 0) {
			uint8_t *dst = k == CELLA_SIGN_FAMILY_ID ? c.family_id : c.ext_product_id;
			if (!parse_u128(text + vs, b - vs, dst)) {
				*detail = keys[k].range;
				CELLA_FAIL(CELLA_ERR_BAD_FORMAT);
			}
		} else if (!parse_u64(text + vs, b - vs, &c.value[k]) || c.value[k] < keys[k].min ||
			   c.value[k] > keys[k].max) {
			*detail = keys[k].range;
			CELLA_FAIL(CELLA_ERR_BAD_FORMAT);
		}
	}
	*out = c;
	r = CELLA_OK;
out:
	*line = ln;
	return r;
}

/* see signtool.h */
void cella_sign_config_apply(const struct cella_sign_config *c, struct cella_abi_properties *p)
{
#define HAS(k) (c->set & (1u << (k)))
	if (HAS(CELLA_SIGN_DEBUG))
		p->attributes = c->value[CELLA_SIGN_DEBUG] ? p->attributes | CELLA_ATTR_DEBUG
							  : p->attributes & ~CELLA_ATTR_DEBUG;
	if (HAS(CELLA_SIGN_NUM_HEAP_PAGES))
		p->heap_pages = c->value[CELLA_SIGN_NUM_HEAP_PAGES];
	if (HAS(CELLA_SIGN_NUM_STACK_PAGES))
		p->stack_pages = c->value[CELLA_SIGN_NUM_STACK_PAGES];
	if (HAS(CELLA_SIGN_NUM_TCS))
		p->tcs_count = c->value[CELLA_SIGN_NUM_TCS];
	if (HAS(CELLA_SIGN_PRODUCT_ID))
		p->isv_prod_id = (uint16_t)c->value[CELLA_SIGN_PRODUCT_ID];
	if (HAS(CELLA_SIGN_SECURITY_VERSION))
		p->isv_svn = (uint16_t)c->value[CELLA_SIGN_SECURITY_VERSION];
	/* ISVFAMILYID and ISVEXTPRODID only reach the identity with Key Separation and Sharing enabled */
	if (HAS(CELLA_SIGN_FAMILY_ID)) {
		memcpy(p->isv_family_id, c->family_id, sizeof(p->isv_family_id));
		p->attributes |= CELLA_ATTR_KSS;
	}
	if (HAS(CELLA_SIGN_EXTENDED_PRODUCT_ID)) {
		memcpy(p->isv_ext_prod_id, c->ext_product_id, sizeof(p->isv_ext_prod_id));
		p->attributes |= CELLA_ATTR_KSS;
	}
	if (HAS(CELLA_SIGN_MISC_SELECT))
		p->misc_select = (uint32_t)c->value[CELLA_SIGN_MISC_SELECT];
	if (HAS(CELLA_SIGN_MISC_MASK))
		p->misc_mask = (uint32_t)c->value[CELLA_SIGN_MISC_MASK];
	if (HAS(CELLA_SIGN_ATTRIBUTES_MASK))
		p->attributes_mask = c->value[CELLA_SIGN_ATTRIBUTES_MASK];
#undef HAS
}

/* see signtool.h */
cella_result cella_sign_prepare(uint8_t *data, size_t size, const struct cella_sign_config *cfg, uint32_t date_bcd,
				struct cella_image *img, struct cella_hash *mrenclave, struct cella_sgx_sigstruct *sig,
				struct cella_image_diag *diag)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_layout l = {0};

	/* Properties are measured: rewrite them first, then parse again so the new values are validated. */
	CELLA_CHECK(cella_image_parse_diag(data, size, img, diag));
	if (cfg && cfg->set) {
		cella_sign_config_apply(cfg, &img->props);
		memcpy(data + img->props_offset, &img->props, sizeof(img->props));
		CELLA_CHECK(cella_image_parse_diag(data, size, img, diag));
	}
	CELLA_CHECK(cella_layout_build(img, &l));
	CELLA_CHECK(cella_measure(&l, mrenclave));
	cella_sigstruct_init(&img->props, mrenclave, date_bcd, sig);
	r = CELLA_OK;
out:
	cella_layout_fini(&l);
	return r;
}

/* see signtool.h */
void cella_sign_store(uint8_t *data, const struct cella_image *img, const struct cella_sgx_sigstruct *sig)
{
	memcpy(data + img->props_offset + __builtin_offsetof(struct cella_abi_properties, sigstruct), sig,
	       sizeof(*sig));
}

/* see signtool.h */
cella_result cella_sign_genkey(const char *path, bool overwrite)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	BIGNUM *e = NULL;
	BIO *bio = NULL;
	int fd = -1;
	char tmp[4096];

	/* a temporary file beside the key (mode 0600 from mkstemp), put in place whole: an existing key, or what a
	 * symbolic link at the path points to, is never truncated or written through */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return CELLA_ERR_INVALID_ARG;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	e = BN_new();
	if (!ctx || !e || !BN_set_word(e, CELLA_SIGSTRUCT_EXPONENT) || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 8 * CELLA_SGX_MODULUS_BYTES) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) != 1 || EVP_PKEY_generate(ctx, &k) != 1)
		CELLA_FAIL(CELLA_ERR_CRYPTO);
	if (!overwrite && access(path, F_OK) == 0) {
		errno = EEXIST;
		CELLA_FAIL(CELLA_ERR_IO);
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		CELLA_FAIL(CELLA_ERR_IO);
	/* straight to the file descriptor: no copy of the private key in a buffer of ours */
	bio = BIO_new_fd(fd, BIO_NOCLOSE);
	if (!bio || PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) != 1 || BIO_flush(bio) != 1)
		CELLA_FAIL(CELLA_ERR_IO);
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		CELLA_FAIL(CELLA_ERR_IO);
	}
	fd = -1;
	/* without --force, link() refuses an existing path atomically; with it, rename() replaces the entry itself */
	if (overwrite ? rename(tmp, path) != 0 : link(tmp, path) != 0)
		CELLA_FAIL(CELLA_ERR_IO);
	r = CELLA_OK;
out:
	ERR_clear_error();
	BIO_free(bio);
	if (fd >= 0)
		close(fd);
	if (r != CELLA_OK || !overwrite) {
		int saved = errno;
		unlink(tmp); /* the temporary name (after link() the key stays under path) */
		errno = saved;
	}
	EVP_PKEY_free(k);
	BN_free(e);
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/* see signtool.h */
void cella_sign_free_secret(void *p, size_t n)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, n);
	free(p);
}
