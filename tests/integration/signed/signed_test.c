// SPDX-License-Identifier: MIT
/*
 * The EINIT rules through the sandbox loader: a signed production enclave loads without the debug flag and
 * reports the signer's MRSIGNER; the same image with the debug flag, the unsigned image without it, and
 * images with one byte changed in code, properties or SIGSTRUCT are refused, each with its own error.
 * signed_test SIGNED UNSIGNED KEY.pem TMPDIR
 */
#include <cella/abi/properties.h>
#include <cella/abi/report.h>
#include <cella/host.h>
#include <elf.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cella_test.h"

static char logbuf[8192];

static void capture(void *ctx, enum cella_log_level l, const char *m)
{
	size_t n = strlen(logbuf);
	(void)ctx, (void)l;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", m);
}

static cella_result load(const char *path, uint32_t flags, struct cella_enclave **e)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .log = capture};
	logbuf[0] = 0;
	*e = NULL;
	return cella_enclave_create(path, flags, &s, e);
}

/* MRSIGNER computed independently: SHA-256 of the key's modulus, little-endian, 384 bytes. */
static void expected_mrsigner(const char *key, uint8_t out[32])
{
	FILE *f = fopen(key, "r");
	EVP_PKEY *k;
	BIGNUM *n = NULL;
	uint8_t le[384];
	CT_ASSERT(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	CT_ASSERT(k && EVP_PKEY_get_bn_param(k, "n", &n) == 1);
	CT_EQ(BN_bn2lebinpad(n, le, sizeof(le)), 384);
	SHA256(le, sizeof(le), out);
	BN_free(n);
	EVP_PKEY_free(k);
}

static Elf64_Shdr *section(uint8_t *img, const char *want)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, want))
			return &sh[i];
	cella_test_fail(__FILE__, __LINE__, "no section %s", want);
}

static void write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	CT_ASSERT(f && fwrite(b, 1, n, f) == n);
	fclose(f);
}

static void tampered(const uint8_t *img, size_t n, const char *dir, const char *name, size_t off,
		     cella_result want)
{
	char path[512];
	uint8_t *b = malloc(n);
	struct cella_enclave *e;
	memcpy(b, img, n);
	b[off] ^= 0x01;
	snprintf(path, sizeof(path), "%s/tampered-%s-%d", dir, name, getpid());
	write_file(path, b, n);
	CT_RESULT(load(path, 0, &e), want);
	CT_ASSERT(e == NULL);
	unlink(path);
	free(b);
	printf("tampered %s -> %s\n%s", name, cella_result_name(want), logbuf);
}

int main(int argc, char **argv)
{
	struct cella_enclave *e;
	struct cella_report_body body;
	struct cella_hash mre, mrs;
	uint8_t want_signer[32], *img;
	size_t w = 0, n;
	Elf64_Shdr *text, *cella;

	if (argc != 5)
		return 2;
	expected_mrsigner(argv[3], want_signer);

	CT_RESULT(load(argv[1], 0, &e), CELLA_OK);
	CT_ASSERT(strstr(logbuf, "not signed") == NULL);
	CT_RESULT(cella_enclave_identity(e, &mre, &mrs), CELLA_OK);
	CT_ASSERT(memcmp(mrs.b, want_signer, 32) == 0);
	CT_RESULT(cella_enclave_call(e, 0, NULL, 0, &body, sizeof(body), &w), CELLA_OK);
	CT_ASSERT(memcmp(body.mr_signer, want_signer, 32) == 0);
	CT_ASSERT(memcmp(body.mr_enclave, mre.b, 32) == 0);
	CT_EQ(body.attributes.flags & CELLA_ATTR_DEBUG, 0);
	CT_EQ(body.isv_prod_id, 42);
	CT_EQ(body.isv_svn, 5);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("signed production enclave loads with the signer's identity");

	CT_RESULT(load(argv[1], CELLA_ENCLAVE_FLAG_DEBUG, &e), CELLA_ERR_DEBUG_MISMATCH);
	CT_RESULT(load(argv[2], 0, &e), CELLA_ERR_NOT_SIGNED);
	CT_RESULT(load(argv[2], CELLA_ENCLAVE_FLAG_DEBUG, &e), CELLA_ERR_NOT_SIGNED); /* a production image is never self-signed */
	cella_test_pass("debug/production matrix");

	img = cella_test_read_file(argv[1], &n);
	text = section(img, ".text");
	cella = section(img, ".cella");
	tampered(img, n, argv[4], "code", text->sh_offset + 16, CELLA_ERR_MEASUREMENT);
	tampered(img, n, argv[4], "properties", cella->sh_offset + offsetof(struct cella_abi_properties, isv_svn),
		 CELLA_ERR_MEASUREMENT);
	tampered(img, n, argv[4], "sigstruct-body",
		 cella->sh_offset + offsetof(struct cella_abi_properties, sigstruct) + 1024, CELLA_ERR_SIGNATURE);
	tampered(img, n, argv[4], "sigstruct-signature",
		 cella->sh_offset + offsetof(struct cella_abi_properties, sigstruct) + 600, CELLA_ERR_SIGNATURE);
	free(img);
	cella_test_pass("tampered images refused");
	return 0;
}
