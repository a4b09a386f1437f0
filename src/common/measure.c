// SPDX-License-Identifier: MIT
/* MRENCLAVE computation over the layout's page list (host side, OpenSSL SHA-256). */
#include "measure.h"

#include <openssl/evp.h>
#include <string.h>

#define RECORD 64u
#define CHUNK 256u
#define CHUNKS_PER_PAGE (CELLA_PAGE_BYTES / CHUNK)

static const uint8_t zero_page[CELLA_PAGE_BYTES];

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * One page's EEXTEND records (16 x (64-byte header + 256 data bytes) = 5120 bytes) are assembled in a stack
 * buffer and hashed with one update: EVP call overhead per 64-byte record would dominate otherwise.
 */
struct eextend_buf {
	uint8_t b[CHUNKS_PER_PAGE * (RECORD + CHUNK)];
};

static void fill_eextend(struct eextend_buf *buf, uint64_t rva, const uint8_t *data)
{
	for (unsigned i = 0; i < CHUNKS_PER_PAGE; i++) {
		uint8_t *rec = buf->b + i * (RECORD + CHUNK);
		/* the header bytes other than the offset were set once by the caller */
		put_u64(rec + 8, rva + (uint64_t)i * CHUNK);
		memcpy(rec + RECORD, data + i * CHUNK, CHUNK);
	}
}

/* see measure.h */
cella_result cella_measure(const struct cella_layout *l, struct cella_hash *mrenclave)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	EVP_MD_CTX *md = NULL;
	struct eextend_buf buf;
	uint8_t rec[RECORD];
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (!l || !mrenclave || (l->npages > 0 && !l->pages))
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		CELLA_FAIL(CELLA_ERR_CRYPTO);

	memset(rec, 0, sizeof(rec));
	memcpy(rec, "ECREATE\0", 8);
	put_u32(rec + 8, CELLA_SSA_FRAME_PAGES);
	put_u64(rec + 12, l->r.enclave_size);
	if (EVP_DigestUpdate(md, rec, sizeof(rec)) != 1)
		CELLA_FAIL(CELLA_ERR_CRYPTO);

	memset(&buf, 0, sizeof(buf));
	for (unsigned i = 0; i < CHUNKS_PER_PAGE; i++)
		memcpy(buf.b + i * (RECORD + CHUNK), "EEXTEND\0", 8);
	for (size_t i = 0; i < l->npages; i++) {
		const struct cella_page *p = &l->pages[i];
		memset(rec, 0, sizeof(rec));
		memcpy(rec, "EADD\0\0\0\0", 8);
		put_u64(rec + 8, p->rva);
		put_u64(rec + 16, p->secinfo); /* SECINFO bytes 0..47: FLAGS then zero */
		if (EVP_DigestUpdate(md, rec, sizeof(rec)) != 1)
			CELLA_FAIL(CELLA_ERR_CRYPTO);
		if (!p->measured)
			continue;
		fill_eextend(&buf, p->rva, p->data ? p->data : zero_page);
		if (EVP_DigestUpdate(md, buf.b, sizeof(buf.b)) != 1)
			CELLA_FAIL(CELLA_ERR_CRYPTO);
	}
	if (EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen != CELLA_HASH_BYTES)
		CELLA_FAIL(CELLA_ERR_CRYPTO);
	memcpy(mrenclave->b, digest, CELLA_HASH_BYTES);
	r = CELLA_OK;
out:
	EVP_MD_CTX_free(md);
	return r;
}
