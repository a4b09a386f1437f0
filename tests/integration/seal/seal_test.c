// SPDX-License-Identifier: MIT
/*
 * Sealing on the sandbox backend: round trips, a new process, other enclaves, SVN rules, every refusal of a
 * tampered, truncated or extended blob, the backend field and a rotated platform root secret (K8), the freshness
 * API (K7), and a blob the host rewrites while the enclave unseals it (K6).
 *   seal_test A A_VARIANT A_SVN4 OTHER_PRODUCT
 * A: SVN 3 product 7; A_VARIANT: same signer/product/SVN, other MRENCLAVE; A_SVN4: SVN 4; OTHER_PRODUCT: product 8.
 */
#include <cella/host.h>
#include <cella/seal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cella_test.h"
#include "seal_ids.h"
#ifdef CELLA_TEST_SGXSIM
#include "sgxsim.h" /* the same checks on the SGX backend, on its software stand-in (sealed under SGX) */
#define OWN_BACKEND CELLA_SEAL_BACKEND_SGX
#define OTHER_BACKEND CELLA_SEAL_BACKEND_SANDBOX
#else
#define OWN_BACKEND CELLA_SEAL_BACKEND_SANDBOX
#define OTHER_BACKEND CELLA_SEAL_BACKEND_SGX
#endif

#define OUT_CAP (2u << 20)

static struct cella_enclave *open_enclave(const char *path)
{
	struct cella_enclave *e = NULL;
	CT_RESULT(cella_enclave_create(path, CELLA_ENCLAVE_FLAG_DEBUG, NULL, &e), CELLA_OK);
	return e;
}

static uint8_t *seal(struct cella_enclave *e, uint16_t policy, const char *aad, const void *pt, size_t n, size_t *len)
{
	size_t al = strlen(aad), in_len = 4 + al + n;
	uint8_t *in = malloc(in_len), *blob = malloc(OUT_CAP);
	uint16_t a16 = (uint16_t)al;
	CT_ASSERT(in && blob);
	memcpy(in, &policy, 2);
	memcpy(in + 2, &a16, 2);
	memcpy(in + 4, aad, al);
	memcpy(in + 4 + al, pt, n);
	CT_RESULT(cella_enclave_call(e, S_SEAL, in, in_len, blob, OUT_CAP, len), CELLA_OK);
	CT_EQ(*len, cella_sealed_size(al, n));
	free(in);
	return blob;
}

/* An unseal ecall's reply (u32 AAD length, AAD, plaintext): nothing on failure, else exactly the expected AAD
 * and plaintext. Returns r. */
static cella_result check_unsealed(cella_result r, const uint8_t *out, size_t w, const char *aad, const void *pt,
				   size_t n)
{
	uint32_t al;
	if (r != CELLA_OK) {
		CT_EQ(w, 0); /* nothing comes back from a refused blob */
		return r;
	}
	memcpy(&al, out, 4);
	CT_EQ(al, strlen(aad));
	CT_EQ(w, 4 + al + n);
	CT_ASSERT(memcmp(out + 4, aad, al) == 0);
	CT_ASSERT(memcmp(out + 4 + al, pt, n) == 0);
	return r;
}

/* Unseals; on success checks the AAD and plaintext against the expected ones. */
static cella_result unseal(struct cella_enclave *e, const uint8_t *blob, size_t len, const char *aad, const void *pt,
			   size_t n)
{
	static uint8_t out[OUT_CAP];
	size_t w = 0;
	cella_result r = cella_enclave_call(e, S_UNSEAL, blob, len, out, sizeof(out), &w);
	return check_unsealed(r, out, w, aad, pt, n);
}

/* Unseals through cella_unseal_fresh(min, ...); on success checks AAD and plaintext like unseal(). */
static cella_result unseal_fresh(struct cella_enclave *e, uint64_t min, const uint8_t *blob, size_t len,
				 const char *aad, const void *pt, size_t n)
{
	static uint8_t out[OUT_CAP];
	uint8_t *in = malloc(8 + len);
	size_t w = 0;
	cella_result r;
	CT_ASSERT(in);
	memcpy(in, &min, 8);
	memcpy(in + 8, blob, len);
	r = cella_enclave_call(e, S_UNSEAL_FRESH, in, 8 + len, out, sizeof(out), &w);
	free(in);
	return check_unsealed(r, out, w, aad, pt, n);
}

static uint8_t *seal_versioned(struct cella_enclave *e, uint64_t version, const char *aad, const void *pt, size_t n,
			       size_t *len)
{
	size_t al = strlen(aad), in_len = 12 + al + n;
	uint8_t *in = malloc(in_len), *blob = malloc(OUT_CAP);
	uint16_t policy = CELLA_SEAL_POLICY_MRSIGNER, a16 = (uint16_t)al;
	CT_ASSERT(in && blob);
	memcpy(in, &policy, 2);
	memcpy(in + 2, &a16, 2);
	memcpy(in + 4, &version, 8);
	memcpy(in + 12, aad, al);
	memcpy(in + 12 + al, pt, n);
	CT_RESULT(cella_enclave_call(e, S_SEAL_VERSIONED, in, in_len, blob, OUT_CAP, len), CELLA_OK);
	CT_EQ(*len, cella_sealed_size(al, n));
	free(in);
	return blob;
}

/* 1 if the blob's tag verifies under the documented key schedule over its header as it is, else 0. */
static uint32_t tag_ok(struct cella_enclave *e, const uint8_t *blob, size_t len)
{
	uint32_t ok = 2;
	size_t w = 0;
	CT_RESULT(cella_enclave_call(e, S_TAG_CHECK, blob, len, &ok, sizeof(ok), &w), CELLA_OK);
	CT_EQ(w, 4);
	return ok;
}

/* K8: the backend byte (header offset 6) and a rotated root secret. */
static void t_backend(const char *image, struct cella_enclave *a2, const uint8_t *by_signer, size_t ls,
		      const char *secret, size_t sn)
{
	char dir_b[] = "/tmp/cella-seal-rotated-XXXXXX", *dir_a = getenv("CELLA_PLATFORM_DIR");
	uint8_t *blob = malloc(ls), *by_b;
	struct cella_enclave *b, *a3;
	size_t lb;
	CT_ASSERT(blob && dir_a && *dir_a);
	dir_a = strdup(dir_a);
	memcpy(blob, by_signer, ls);
	CT_EQ(blob[6], OWN_BACKEND);
	CT_EQ(tag_ok(a2, blob, ls), 1); /* the independent check agrees with seal.c on an untouched blob */
	blob[6] = OTHER_BACKEND;
	CT_RESULT(unseal(a2, blob, ls, "", secret, sn), CELLA_ERR_SEAL_BACKEND);
	CT_EQ(tag_ok(a2, blob, ls), 0); /* and the relabelled header no longer matches the tag: authenticated */
	for (unsigned v = 0; v < 256; v++) {
		if (v == CELLA_SEAL_BACKEND_SANDBOX || v == CELLA_SEAL_BACKEND_SGX)
			continue;
		blob[6] = (uint8_t)v;
		CT_RESULT(unseal(a2, blob, ls, "", secret, sn), CELLA_ERR_SEALED_BLOB);
	}
	blob[6] = OWN_BACKEND;
	CT_RESULT(unseal(a2, blob, ls, "", secret, sn), CELLA_OK);
	cella_test_pass("K8 backend byte: the other backend gives CELLA_ERR_SEAL_BACKEND, unknown values "
			"CELLA_ERR_SEALED_BLOB, and the byte is under the GCM tag");
#ifdef CELLA_TEST_SGXSIM
	/* The same image on the sandbox, on the same platform root: only the backend byte tells the blobs apart. */
	{
		struct cella_enclave *sb = NULL;
		uint8_t *by_sb;
		size_t lsb;
		CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SANDBOX, NULL, &sb),
			  CELLA_OK);
		CT_ASSERT(strcmp(cella_enclave_backend(sb), "sandbox") == 0);
		CT_RESULT(unseal(sb, by_signer, ls, "", secret, sn), CELLA_ERR_SEAL_BACKEND);
		by_sb = seal(sb, CELLA_SEAL_POLICY_MRSIGNER, "", secret, sn, &lsb);
		CT_EQ(by_sb[6], CELLA_SEAL_BACKEND_SANDBOX);
		CT_RESULT(unseal(a2, by_sb, lsb, "", secret, sn), CELLA_ERR_SEAL_BACKEND);
		CT_RESULT(cella_enclave_terminate(sb), CELLA_OK);
		free(by_sb);
		free(blob);
		free(dir_a);
		cella_test_pass("a blob sealed on SGX is refused on the sandbox, and the other way round");
		return;
	}
#endif

	/* the same enclave on a platform with a new root secret */
	CT_ASSERT(mkdtemp(dir_b) != NULL);
	CT_ASSERT(setenv("CELLA_PLATFORM_DIR", dir_b, 1) == 0);
	b = open_enclave(image);
	CT_RESULT(unseal(b, by_signer, ls, "", secret, sn), CELLA_ERR_SEALED_BLOB);
	CT_RESULT(unseal_fresh(b, 0, by_signer, ls, "", secret, sn), CELLA_ERR_SEALED_BLOB);
	by_b = seal(b, CELLA_SEAL_POLICY_MRSIGNER, "", secret, sn, &lb);
	CT_RESULT(unseal(b, by_b, lb, "", secret, sn), CELLA_OK); /* platform B works: the refusal is the key */
	CT_RESULT(cella_enclave_terminate(b), CELLA_OK);
	/* back on platform A: its blob opens again, B's does not */
	CT_ASSERT(setenv("CELLA_PLATFORM_DIR", dir_a, 1) == 0);
	a3 = open_enclave(image);
	CT_RESULT(unseal(a3, by_signer, ls, "", secret, sn), CELLA_OK);
	CT_RESULT(unseal(a3, by_b, lb, "", secret, sn), CELLA_ERR_SEALED_BLOB);
	CT_RESULT(cella_enclave_terminate(a3), CELLA_OK);
	{
		char cmd[sizeof(dir_b) + 16];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir_b);
		CT_EQ(system(cmd), 0);
	}
	free(dir_a);
	free(by_b);
	free(blob);
	cella_test_pass("K8 rotated root: a blob from platform A fails under a new platform B (and B's under A)");
}

/* K7: freshness versions. */
static void t_fresh(struct cella_enclave *e)
{
	static const char pt[] = "counter state 5", old_pt[] = "counter state 4";
	size_t l5, l4, l0, lm;
	uint8_t *b5 = seal_versioned(e, 5, "k7", pt, sizeof(pt), &l5);
	uint8_t *b4 = seal_versioned(e, 4, "k7", old_pt, sizeof(old_pt), &l4);
	uint8_t *b0 = seal(e, 0, "k7", pt, sizeof(pt), &l0);
	uint8_t *bm = seal_versioned(e, UINT64_MAX, "", pt, sizeof(pt), &lm);
	uint64_t v;

	memcpy(&v, b5 + 540, 8);
	CT_EQ(v, 5); /* where seal.h says it is */
	CT_RESULT(unseal_fresh(e, 5, b5, l5, "k7", pt, sizeof(pt)), CELLA_OK);
	CT_RESULT(unseal_fresh(e, 4, b5, l5, "k7", pt, sizeof(pt)), CELLA_OK);
	CT_RESULT(unseal_fresh(e, 0, b5, l5, "k7", pt, sizeof(pt)), CELLA_OK);
	CT_RESULT(unseal_fresh(e, 6, b5, l5, "k7", pt, sizeof(pt)), CELLA_ERR_STALE);
	CT_RESULT(unseal_fresh(e, UINT64_MAX, b5, l5, "k7", pt, sizeof(pt)), CELLA_ERR_STALE);
	CT_RESULT(unseal_fresh(e, 5, b4, l4, "k7", old_pt, sizeof(old_pt)), CELLA_ERR_STALE); /* replay refused */
	CT_RESULT(unseal_fresh(e, 1, b0, l0, "k7", pt, sizeof(pt)), CELLA_ERR_STALE); /* cella_seal: version 0 */
	CT_RESULT(unseal_fresh(e, 0, b0, l0, "k7", pt, sizeof(pt)), CELLA_OK);
	CT_RESULT(unseal_fresh(e, UINT64_MAX, bm, lm, "", pt, sizeof(pt)), CELLA_OK);
	cella_test_pass("K7 version n opens with min n and n-1, gives CELLA_ERR_STALE with min n+1");

	/* the plain API has no freshness: the replayed older blob opens (documented) */
	CT_RESULT(unseal(e, b4, l4, "k7", old_pt, sizeof(old_pt)), CELLA_OK);
	CT_RESULT(unseal(e, b5, l5, "k7", pt, sizeof(pt)), CELLA_OK);
	cella_test_pass("K7 plain cella_unseal still opens an older blob (no freshness without the API)");

	/* the version is authenticated: raising a stale blob's version, or changing any version byte, fails the tag */
	v = 6;
	memcpy(b4 + 540, &v, 8);
	CT_RESULT(unseal_fresh(e, 5, b4, l4, "k7", old_pt, sizeof(old_pt)), CELLA_ERR_SEALED_BLOB);
	CT_RESULT(unseal(e, b4, l4, "k7", old_pt, sizeof(old_pt)), CELLA_ERR_SEALED_BLOB);
	for (size_t i = 540; i < 548; i++) {
		b5[i] ^= 0x80;
		CT_RESULT(unseal_fresh(e, 0, b5, l5, "k7", pt, sizeof(pt)), CELLA_ERR_SEALED_BLOB);
		CT_RESULT(unseal_fresh(e, 6, b5, l5, "k7", pt, sizeof(pt)), CELLA_ERR_SEALED_BLOB);
		b5[i] ^= 0x80;
	}
	CT_RESULT(unseal_fresh(e, 5, b5, l5, "k7", pt, sizeof(pt)), CELLA_OK);
	cella_test_pass("K7 a changed version byte fails authentication (CELLA_ERR_SEALED_BLOB), never STALE or OK");
	free(b5);
	free(b4);
	free(b0);
	free(bm);
}

/* K6: a host thread rewrites the blob in window memory while the enclave unseals it from there. */
struct rewriter {
	pthread_t th;
	uint8_t *win;            /* the blob the enclave reads */
	const uint8_t *img[2];   /* what the thread writes there, alternately, in 61-byte pieces */
	size_t len;
	volatile int stop;
	unsigned long long sweeps;
};

static void *rewrite(void *arg)
{
	struct rewriter *w = arg;
	unsigned k = 0;
	while (!w->stop) {
		const uint8_t *src = w->img[k & 1];
		for (size_t off = 0; off < w->len && !w->stop; off += 61) {
			size_t n = w->len - off < 61 ? w->len - off : 61;
			memcpy(w->win + off, src + off, n);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		}
		k++;
		w->sweeps++;
		if (k % 32 == 0 || k % 32 == 17) {
			/* then leave one image whole for a while, so that some unseals see it untorn */
			struct timespec ts = {0, 200000};
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static struct seal_race_out race(struct cella_enclave *e, const uint8_t *img_a, const uint8_t *img_b, size_t len,
				 const uint8_t *pt_a, const uint8_t *pt_b, uint32_t pt_len, uint32_t rounds,
				 unsigned long long *sweeps)
{
	bool want_b = memcmp(pt_a, pt_b, pt_len) != 0;
	struct rewriter w = {.img = {img_a, img_b}, .len = len};
	struct seal_race q = {.blob_len = len, .rounds = rounds, .pt_len = pt_len};
	struct seal_race_out o;
	size_t in_len = sizeof(q) + 2 * (size_t)pt_len, got = 0;
	uint8_t *in = malloc(in_len);
	CT_ASSERT(in);
	w.win = cella_enclave_host_malloc(e, len);
	CT_ASSERT(w.win != NULL);
	memcpy(w.win, img_a, len);
	q.blob = (uint64_t)(uintptr_t)w.win;
	memcpy(in, &q, sizeof(q));
	memcpy(in + sizeof(q), pt_a, pt_len);
	memcpy(in + sizeof(q) + pt_len, pt_b, pt_len);
	memset(&o, 0, sizeof(o));
	CT_EQ(pthread_create(&w.th, NULL, rewrite, &w), 0);
	/* batches until both outcomes were seen (or 50 batches), so the test never passes on refusals alone */
	for (int batch = 0; batch < 50 && (o.refused == 0 || o.ok_a + o.ok_b == 0 || (want_b && !o.ok_b)) && !o.bad;
	     batch++) {
		struct seal_race_out b;
		CT_RESULT(cella_enclave_call(e, S_RACE, in, in_len, &b, sizeof(b), &got), CELLA_OK);
		CT_EQ(got, sizeof(b));
		CT_EQ(b.ok_a + b.ok_b + b.refused + b.bad, rounds);
		o.ok_a += b.ok_a;
		o.ok_b += b.ok_b;
		o.refused += b.refused;
		if (b.bad && !o.bad)
			o.first_bad_result = b.first_bad_result;
		o.bad += b.bad;
	}
	w.stop = 1;
	CT_EQ(pthread_join(w.th, NULL), 0);
	*sweeps = w.sweeps;
	cella_enclave_host_free(e, w.win);
	free(in);
	return o;
}

static void t_race(const char *image)
{
	struct cella_enclave *e = open_enclave(image); /* a fresh heap: each call here moves 2 MiB buffers */
	enum { PT = 16384, ROUNDS = 2000 };
	static uint8_t pt_a[PT], pt_b[PT];
	uint8_t *blob_a, *blob_b, *flipped;
	size_t la, lb;
	struct seal_race_out o;
	unsigned long long sweeps = 0;
	/* bytes 1..160: never 0 or 0xa5, the values an untouched or wiped output buffer holds */
	for (size_t i = 0; i < PT; i++) {
		pt_a[i] = (uint8_t)(i % 160 + 1);
		pt_b[i] = (uint8_t)((i * 3 + 7) % 160 + 1);
	}
	blob_a = seal(e, CELLA_SEAL_POLICY_MRSIGNER, "", pt_a, PT, &la);
	blob_b = seal(e, CELLA_SEAL_POLICY_MRSIGNER, "", pt_b, PT, &lb);
	CT_EQ(la, lb);

	/* A and A with bytes changed in the header, ciphertext and tag: the OK ones are exactly A */
	flipped = malloc(la);
	CT_ASSERT(flipped);
	memcpy(flipped, blob_a, la);
	flipped[6] ^= 3;                                /* backend */
	flipped[600] ^= 1;                              /* ciphertext */
	flipped[CELLA_SEAL_HEADER_BYTES + PT / 2] ^= 1; /* ciphertext */
	flipped[la - 1] ^= 1;                           /* tag */
	o = race(e, blob_a, flipped, la, pt_a, pt_a, PT, ROUNDS, &sweeps);
	CT_EQ(o.ok_b, 0); /* pt_b is pt_a here: every OK counts as A */
	printf("K6 one blob vs tampered copy: %u ok, %u refused, %u bad, %llu host sweeps\n", o.ok_a + o.ok_b,
	       o.refused, o.bad, sweeps);
	if (o.bad)
		cella_test_fail(__FILE__, __LINE__, "%u unseals gave partial plaintext or output after an error (%s)",
				o.bad, cella_result_name((cella_result)o.first_bad_result));
	/* The rewrites were seen, and so was the blob whole: the race happened (how many sweeps the host thread made
	 * depends on the scheduler, and is only printed). */
	CT_ASSERT(o.refused > 0);
	CT_ASSERT(o.ok_a > 0);

	/* two valid blobs of other plaintexts: torn mixtures are refused, never a mixed plaintext */
	o = race(e, blob_a, blob_b, la, pt_a, pt_b, PT, ROUNDS, &sweeps);
	printf("K6 two valid blobs: %u ok A, %u ok B, %u refused, %u bad, %llu host sweeps\n", o.ok_a, o.ok_b,
	       o.refused, o.bad, sweeps);
	if (o.bad)
		cella_test_fail(__FILE__, __LINE__, "%u unseals gave mixed or partial plaintext (%s)", o.bad,
				cella_result_name((cella_result)o.first_bad_result));
	CT_ASSERT(o.refused > 0);
	CT_ASSERT(o.ok_a > 0 && o.ok_b > 0);
	free(flipped);
	free(blob_a);
	free(blob_b);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("K6 blob rewritten in host memory during unseal: exact plaintext or a clean refusal, never mixed");
}

int main(int argc, char **argv)
{
	static const char secret[] = "the launch codes are 0000";
	struct cella_enclave *a, *a2, *v, *svn4, *prod8;
	uint8_t *by_enclave, *by_signer, *by_svn4, *blob;
	size_t le, ls, ls0, l4, w = 0;
	uint32_t failed = 1;
	struct cella_hash m1, s1, m2, s2;

	if (argc != 5)
		return 2;
#ifdef CELLA_TEST_SGXSIM
	cella_sgxsim_select(false);
#endif
	CT_ASSERT(strcmp(cella_result_name(CELLA_ERR_STALE), "CELLA_ERR_STALE") == 0);
	CT_ASSERT(strcmp(cella_result_name(CELLA_ERR_SEAL_BACKEND), "CELLA_ERR_SEAL_BACKEND") == 0);
	CT_ASSERT(strcmp(cella_result_str(CELLA_ERR_STALE), "unknown result") != 0);
	CT_ASSERT(strcmp(cella_result_str(CELLA_ERR_SEAL_BACKEND), "unknown result") != 0);
	a = open_enclave(argv[1]);
	CT_RESULT(cella_enclave_call(a, S_SELFTEST, NULL, 0, &failed, 4, &w), CELLA_OK);
	if (failed)
		cella_test_fail(__FILE__, __LINE__, "in-enclave sealing checks failed: mask 0x%x", failed);
	cella_test_pass("in-enclave round trips (0 B .. 1 MiB, host-memory blob, unsealed in place) and argument "
			"refusals");

	by_enclave = seal(a, CELLA_SEAL_POLICY_MRENCLAVE, "v1", secret, sizeof(secret), &le);
	by_signer = seal(a, CELLA_SEAL_POLICY_DEFAULT, "", secret, sizeof(secret), &ls);
	ls0 = ls;
	CT_ASSERT(memmem(by_enclave, le, secret, sizeof(secret) - 1) == NULL);
	CT_RESULT(unseal(a, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(a), CELLA_OK);

	/* a new process of the same enclave unseals both */
	a2 = open_enclave(argv[1]);
	CT_RESULT(unseal(a2, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_OK);
	CT_RESULT(unseal(a2, by_signer, ls, "", secret, sizeof(secret)), CELLA_OK);
	cella_test_pass("unseal in a new process (MRENCLAVE and MRSIGNER policies)");

	/* another enclave of the same signer and product: MRSIGNER yes, MRENCLAVE no */
	v = open_enclave(argv[2]);
	CT_RESULT(cella_enclave_identity(a2, &m1, &s1), CELLA_OK);
	CT_RESULT(cella_enclave_identity(v, &m2, &s2), CELLA_OK);
	CT_ASSERT(memcmp(&m1, &m2, 32) != 0 && memcmp(&s1, &s2, 32) == 0);
	CT_RESULT(unseal(v, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	CT_RESULT(unseal(v, by_signer, ls, "", secret, sizeof(secret)), CELLA_OK);
	cella_test_pass("another enclave cannot unseal MRENCLAVE-sealed data (and can MRSIGNER-sealed)");

	/* another product of the same signer cannot */
	prod8 = open_enclave(argv[4]);
	CT_RESULT(unseal(prod8, by_signer, ls, "", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	CT_RESULT(unseal(prod8, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	cella_test_pass("another product id cannot unseal");

	/* SVN: a newer enclave opens older data and re-seals at its SVN, which the older one refuses */
	svn4 = open_enclave(argv[3]);
	CT_RESULT(unseal(svn4, by_signer, ls, "", secret, sizeof(secret)), CELLA_OK);
	CT_RESULT(unseal(svn4, by_enclave, le, "v1", secret, sizeof(secret)), CELLA_ERR_SEALED_BLOB);
	by_svn4 = seal(svn4, 0, "", secret, sizeof(secret), &l4);
	CT_RESULT(unseal(a2, by_svn4, l4, "", secret, sizeof(secret)), CELLA_ERR_INVALID_ISVSVN);
	CT_RESULT(unseal(v, by_svn4, l4, "", secret, sizeof(secret)), CELLA_ERR_INVALID_ISVSVN);
	CT_RESULT(unseal(svn4, by_svn4, l4, "", secret, sizeof(secret)), CELLA_OK);
	cella_test_pass("data sealed at a higher SVN is refused; lower SVN data migrates up");

	/* every single flipped bit of a blob is refused, and nothing comes out */
	blob = seal(a2, CELLA_SEAL_POLICY_MRSIGNER, "aad", "tiny", 4, &ls);
	for (size_t i = 0; i < ls * 8; i++) {
		cella_result r;
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
		r = unseal(a2, blob, ls, "aad", "tiny", 4);
		if (r != CELLA_ERR_SEALED_BLOB && r != CELLA_ERR_TRUNCATED && r != CELLA_ERR_INVALID_ISVSVN &&
		    r != CELLA_ERR_INVALID_CPUSVN)
			cella_test_fail(__FILE__, __LINE__, "bit %zu flipped: %s", i, cella_result_name(r));
		blob[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CT_RESULT(unseal(a2, blob, ls, "aad", "tiny", 4), CELLA_OK);
	cella_test_pass("every one-bit change of a blob (header, key request, IV, AAD, ciphertext, tag) is refused");

	/* truncated at every length, extended by a byte */
	for (size_t n = 0; n < ls; n++)
		if (unseal(a2, blob, n, "aad", "tiny", 4) == CELLA_OK)
			cella_test_fail(__FILE__, __LINE__, "blob truncated to %zu bytes unseals", n);
	blob[ls] = 0;
	CT_RESULT(unseal(a2, blob, ls + 1, "aad", "tiny", 4), CELLA_ERR_SEALED_BLOB);
	/* announced lengths that overflow or exceed the blob */
	blob[8] = 0xff, blob[9] = 0xff, blob[10] = 0xff, blob[11] = 0xff;
	CT_RESULT(unseal(a2, blob, ls, "aad", "tiny", 4), CELLA_ERR_SEALED_BLOB);
	blob[11] = 0x7f;
	CT_RESULT(unseal(a2, blob, ls, "aad", "tiny", 4), CELLA_ERR_TRUNCATED);
	cella_test_pass("truncated, extended and overflowing blobs are refused");

	t_backend(argv[1], a2, by_signer, ls0, secret, sizeof(secret));
	t_fresh(a2);
	t_race(argv[1]);

	free(blob);
	free(by_svn4);
	free(by_enclave);
	free(by_signer);
	CT_RESULT(cella_enclave_terminate(a2), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(v), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(svn4), CELLA_OK);
	CT_RESULT(cella_enclave_terminate(prod8), CELLA_OK);
	return 0;
}
