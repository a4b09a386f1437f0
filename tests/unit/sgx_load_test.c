// SPDX-License-Identifier: MIT
/*
 * The SGX loader in dry-run mode: every sample image goes through the loader into the recorder, which checks
 * each call as the driver would. The recorded ECREATE/ADD_PAGES stream is hashed here, independently, with
 * the SGX record format (SDM 40: ECREATE, EADD, EEXTEND) and must equal what the sandbox backend reports for
 * the same image. sgx_load_test <image>...
 */
#include <cella/host.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cella_test.h"
#include "image.h"
#include "layout.h"
#include "measure.h"
#include "sgx_internal.h"
#include "sigstruct.h"

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* MRENCLAVE of a recorded stream, written from the SDM's description of the three leaves. */
static struct cella_hash hash_stream(const struct cella_sgx_recorder *rec)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct cella_hash h;
	unsigned int n = 0;
	CT_ASSERT(md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1);
	for (size_t i = 0; i < rec->n; i++) {
		const struct cella_sgx_rec *r = &rec->recs[i];
		uint8_t b[64];
		if (r->kind == CELLA_SGX_REC_CREATE) {
			memset(b, 0, 64);
			memcpy(b, "ECREATE", 8);
			memcpy(b + 8, &rec->secs.ssa_frame_size, 4);
			put64(b + 12, rec->secs.size);
			EVP_DigestUpdate(md, b, 64);
		}
		if (r->kind != CELLA_SGX_REC_ADD)
			continue;
		for (uint64_t pg = 0; pg < r->length / 4096; pg++) {
			uint64_t off = r->offset + pg * 4096;
			memset(b, 0, 64);
			memcpy(b, "EADD", 4);
			put64(b + 8, off);
			put64(b + 16, r->secinfo); /* SECINFO's first 48 bytes: FLAGS, then zeros */
			EVP_DigestUpdate(md, b, 64);
			if (!(r->flags & CELLA_SGX_PAGE_MEASURE))
				continue;
			for (uint64_t c = 0; c < 4096; c += 256) {
				memset(b, 0, 64);
				memcpy(b, "EEXTEND", 8);
				put64(b + 8, off + c);
				EVP_DigestUpdate(md, b, 64);
				EVP_DigestUpdate(md, r->data + pg * 4096 + c, 256);
			}
		}
	}
	CT_ASSERT(EVP_DigestFinal_ex(md, h.b, &n) == 1 && n == 32);
	EVP_MD_CTX_free(md);
	return h;
}

struct loaded_image {
	uint8_t *data;
	size_t size;
	struct cella_image img;
	struct cella_layout l;
	struct cella_hash mr;
	struct cella_einit_info ei;
	struct cella_sgx_platform p;
};

static void open_image(const char *path, struct loaded_image *li)
{
	CT_RESULT(cella_image_read_file(path, &li->data, &li->size), CELLA_OK);
	CT_RESULT(cella_image_parse(li->data, li->size, &li->img), CELLA_OK);
	CT_RESULT(cella_layout_build(&li->img, &li->l), CELLA_OK);
	CT_RESULT(cella_measure(&li->l, &li->mr), CELLA_OK);
	CT_RESULT(cella_einit_check(&li->img, &li->mr, true, &li->ei), CELLA_OK);
	cella_sgx_platform_dryrun(&li->p);
}

static void close_image(struct loaded_image *li)
{
	cella_layout_fini(&li->l);
	free(li->data);
}

static struct cella_hash sandbox_identity(const char *path)
{
	struct cella_enclave *e = NULL;
	struct cella_hash h;
	CT_RESULT(cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SANDBOX, NULL, &e), CELLA_OK);
	CT_ASSERT(strcmp(cella_enclave_backend(e), "sandbox") == 0);
	CT_RESULT(cella_enclave_identity(e, &h, NULL), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	return h;
}

static void test_image(const char *path)
{
	struct loaded_image li;
	struct cella_sgx_recorder rec;
	struct cella_sgx_loaded ld;
	const char *detail = NULL;
	struct cella_hash stream, sandbox;
	size_t adds = 0, pages = 0, measured = 0, mapped = 0, want_measured = 0, inits = 0;

	open_image(path, &li);
	cella_sgx_recorder_init(&rec);
	CT_RESULT(cella_sgx_load(&cella_sgx_recorder_ops, &rec, &li.l, &li.ei, &li.p, &ld, &detail), CELLA_OK);
	if (rec.error)
		cella_test_fail(__FILE__, __LINE__, "%s: the driver would refuse: %s", path, rec.error);
	CT_EQ(rec.recs[0].kind, CELLA_SGX_REC_RESERVE);
	CT_EQ(rec.recs[1].kind, CELLA_SGX_REC_CREATE);
	CT_EQ(ld.base % ld.size, 0);
	CT_EQ(ld.tcs_count, li.l.r.tcs_count);
	for (size_t i = 0; i < rec.n; i++) {
		const struct cella_sgx_rec *r = &rec.recs[i];
		if (r->kind == CELLA_SGX_REC_ADD) {
			CT_EQ(inits, 0);
			adds++;
			pages += r->length / 4096;
			if (r->flags & CELLA_SGX_PAGE_MEASURE)
				measured += r->length / 4096;
		} else if (r->kind == CELLA_SGX_REC_INIT) {
			inits++;
		} else if (r->kind == CELLA_SGX_REC_MAP) {
			CT_EQ(inits, 1);
			mapped += r->length / 4096;
		}
	}
	for (size_t i = 0; i < li.l.npages; i++)
		want_measured += li.l.pages[i].measured;
	CT_EQ(inits, 1);
	CT_EQ(pages, li.l.npages);           /* every page of the shared list, once */
	CT_EQ(measured, want_measured);      /* SGX_PAGE_MEASURE exactly where the measurement has EEXTEND */
	CT_EQ(mapped, li.l.npages);          /* and every page mapped, holes left out */
	CT_ASSERT(adds < pages);             /* batched */
	CT_EQ_MEM(rec.sigstruct.enclave_hash, li.mr.b, 32); /* EINIT gets the SIGSTRUCT for this measurement */
	stream = hash_stream(&rec);
	sandbox = sandbox_identity(path);
	printf("%s\n  SGX dry run  %s\n", path, cella_test_hex(stream.b, 32));
	printf("  sandbox      %s\n", cella_test_hex(sandbox.b, 32));
	CT_EQ_MEM(stream.b, li.mr.b, 32);
	CT_EQ_MEM(stream.b, sandbox.b, 32);
	cella_sgx_recorder_fini(&rec);
	close_image(&li);
}

static void test_failures(const char *path)
{
	struct loaded_image li;
	struct cella_sgx_recorder rec;
	struct cella_sgx_loaded ld;
	const char *detail = NULL;
	static const struct {
		enum cella_sgx_rec_kind kind;
		const char *word;
	} at[] = {{CELLA_SGX_REC_RESERVE, "ELRANGE"}, {CELLA_SGX_REC_CREATE, "ECREATE"}, {CELLA_SGX_REC_ADD, "EADD"},
		  {CELLA_SGX_REC_INIT, "EINIT"}, {CELLA_SGX_REC_MAP, "map"}};

	open_image(path, &li);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		cella_sgx_recorder_init(&rec);
		rec.fail_kind = at[i].kind;
		rec.fail_at = at[i].kind == CELLA_SGX_REC_ADD ? 2 : 1;
		rec.fail_with = CELLA_ERR_IO;
		CT_RESULT(cella_sgx_load(&cella_sgx_recorder_ops, &rec, &li.l, &li.ei, &li.p, &ld, &detail), CELLA_ERR_IO);
		CT_ASSERT(detail && strstr(detail, at[i].word));
		cella_sgx_recorder_fini(&rec);
	}
	/* PROVISIONKEY: the loader asks for /dev/sgx_provision between the pages and EINIT */
	li.ei.attributes.flags |= CELLA_ATTR_PROVISIONKEY;
	cella_sgx_recorder_init(&rec);
	CT_RESULT(cella_sgx_load(&cella_sgx_recorder_ops, &rec, &li.l, &li.ei, &li.p, &ld, &detail), CELLA_OK);
	for (size_t i = 0; i + 1 < rec.n; i++)
		if (rec.recs[i].kind == CELLA_SGX_REC_PROVISION)
			CT_EQ(rec.recs[i + 1].kind, CELLA_SGX_REC_INIT);
	cella_sgx_recorder_fini(&rec);
	cella_sgx_recorder_init(&rec);
	rec.fail_kind = CELLA_SGX_REC_PROVISION;
	rec.fail_at = 1;
	rec.fail_with = CELLA_ERR_NO_DEVICE;
	CT_RESULT(cella_sgx_load(&cella_sgx_recorder_ops, &rec, &li.l, &li.ei, &li.p, &ld, &detail), CELLA_ERR_NO_DEVICE);
	CT_ASSERT(detail && strstr(detail, "/dev/sgx_provision"));
	cella_sgx_recorder_fini(&rec);
	/* a platform that cannot hold the enclave: refused before ECREATE */
	li.ei.attributes.flags &= ~CELLA_ATTR_PROVISIONKEY;
	li.p.max_enclave_log2_64 = 13;
	cella_sgx_recorder_init(&rec);
	CT_RESULT(cella_sgx_load(&cella_sgx_recorder_ops, &rec, &li.l, &li.ei, &li.p, &ld, &detail),
		  CELLA_ERR_IMAGE_TOO_LARGE);
	for (size_t i = 0; i < rec.n; i++)
		CT_ASSERT(rec.recs[i].kind != CELLA_SGX_REC_CREATE);
	cella_sgx_recorder_fini(&rec);
	CT_RESULT(cella_sgx_load(NULL, &rec, &li.l, &li.ei, &li.p, &ld, &detail), CELLA_ERR_INVALID_ARG);
	close_image(&li);
	cella_test_pass("loader failures name the step");
}

/* The recorder enforces the driver's rules: these calls must all be refused. */
static void test_driver_rules(void)
{
	const struct cella_sgx_ops *o = &cella_sgx_recorder_ops;
	struct cella_sgx_recorder rec;
	struct cella_sgx_secs secs;
	struct cella_sgx_secinfo rw, tcs_bad, w_only;
	uint8_t *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t base = 0;

	CT_ASSERT(page != MAP_FAILED);
	cella_sgx_secinfo(CELLA_SECINFO_PT_REG | CELLA_SECINFO_R | CELLA_SECINFO_W, &rw);
	memset(&tcs_bad, 0, sizeof(tcs_bad));
	tcs_bad.flags = CELLA_SECINFO_PT_TCS | CELLA_SECINFO_R;
	memset(&w_only, 0, sizeof(w_only));
	w_only.flags = CELLA_SECINFO_PT_REG | CELLA_SECINFO_W;

	cella_sgx_recorder_init(&rec);
	CT_RESULT(o->add_pages(&rec, 0, page, 4096, &rw, 0), CELLA_ERR_INVALID_ARG); /* before ECREATE */
	CT_ASSERT(rec.error && strstr(rec.error, "not created"));
	rec.error = NULL;
	CT_RESULT(o->reserve(&rec, 1 << 16, &base), CELLA_OK);
	memset(&secs, 0, sizeof(secs));
	secs.size = 1 << 16;
	secs.base_addr = base;
	secs.ssa_frame_size = 1;
	secs.attributes.flags = CELLA_ATTR_MODE64BIT;
	secs.attributes.xfrm = 3;
	secs.isv_svn = 1; /* EINIT's to set */
	CT_RESULT(o->create(&rec, &secs), CELLA_ERR_INVALID_ARG);
	rec.error = NULL;
	secs.isv_svn = 0;
	secs.attributes.flags |= CELLA_ATTR_INIT;
	CT_RESULT(o->create(&rec, &secs), CELLA_ERR_INVALID_ARG);
	rec.error = NULL;
	secs.attributes.flags &= ~CELLA_ATTR_INIT;
	CT_RESULT(o->create(&rec, &secs), CELLA_OK);
	CT_RESULT(o->create(&rec, &secs), CELLA_ERR_INVALID_ARG); /* twice */
	rec.error = NULL;
	CT_RESULT(o->add_pages(&rec, 0, page + 1, 4096, &rw, 0), CELLA_ERR_INVALID_ARG); /* unaligned source */
	CT_RESULT(o->add_pages(&rec, 100, page, 4096, &rw, 0), CELLA_ERR_INVALID_ARG);   /* unaligned offset */
	CT_RESULT(o->add_pages(&rec, 1 << 16, page, 4096, &rw, 0), CELLA_ERR_INVALID_ARG); /* beyond SIZE */
	CT_RESULT(o->add_pages(&rec, 0, page, 4096, &tcs_bad, 0), CELLA_ERR_INVALID_ARG);  /* TCS with R */
	CT_RESULT(o->add_pages(&rec, 0, page, 4096, &w_only, 0), CELLA_ERR_INVALID_ARG);   /* W without R */
	CT_RESULT(o->add_pages(&rec, 0, page, 4096, &rw, 2), CELLA_ERR_INVALID_ARG);       /* unknown flag */
	CT_RESULT(o->add_pages(&rec, 0, page, 4096, &rw, CELLA_SGX_PAGE_MEASURE), CELLA_OK);
	CT_RESULT(o->add_pages(&rec, 0, page, 4096, &rw, 0), CELLA_ERR_INVALID_ARG);       /* twice */
	CT_RESULT(o->map(&rec, 0, 4096, PROT_READ), CELLA_ERR_INVALID_ARG);                 /* before EINIT */
	rec.error = NULL;
	CT_RESULT(o->init(&rec, &(struct cella_sgx_sigstruct){0}), CELLA_OK);
	CT_RESULT(o->add_pages(&rec, 4096, page, 4096, &rw, 0), CELLA_ERR_INVALID_ARG);    /* after EINIT */
	CT_RESULT(o->map(&rec, 4096, 4096, PROT_READ), CELLA_ERR_INVALID_ARG);              /* never added */
	CT_RESULT(o->map(&rec, 0, 4096, PROT_READ | PROT_EXEC), CELLA_ERR_INVALID_ARG);     /* more than RW */
	CT_RESULT(o->map(&rec, 0, 4096, PROT_READ | PROT_WRITE), CELLA_OK);
	cella_sgx_recorder_fini(&rec);
	munmap(page, 8192);
	cella_test_pass("recorder applies the driver's rules");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	test_driver_rules();
	test_failures(argv[1]);
	for (int i = 1; i < argc; i++)
		test_image(argv[i]);
	cella_test_pass("dry-run SGX MRENCLAVE equals the sandbox's for every image");
	return 0;
}
