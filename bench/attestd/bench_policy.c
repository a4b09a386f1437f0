// SPDX-License-Identifier: MIT
/*
 * bench-attestd-policy: CPU time of one evaluation of a stored (compiled once) MAA policy over the claims of an SGX
 * quote with runtime data, next to a reference policy measured in the same run. Batches of the two alternate, so a
 * shared, noisy machine slows both alike; the medians are per evaluation, in microseconds of the thread's CPU time.
 * bench-attestd-policy [--policy FILE] [--reference FILE] [--batches N]
 * Defaults: bench/attestd/jmespath_policy.txt (JmesPath queries with JSON literals) and plain_policy.txt (the same
 * claims without JmesPath).
 */
#include "attestd_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define BATCH 16 /* evaluations timed together: a thread CPU clock read is a system call */

/* The runtime data an application binds to its quote (x-ms-runtime) and the collateral summary the service adds. */
static const char runtime_json[] =
	"{\"keys\":[{\"kid\":\"TpmEphemeralEncryptionKey\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"key_ops\":[\"encrypt\"],"
	"\"n\":\"0Qn5xFdPYgZ8m1E3vZJXx6n5w0cJ0s6Z0L8r4Qh0n2mYc1qk2w3rB6n8mD4vJ5p7Q9xZ2sT1uV3wX5yA7bC9dE1fG3hJ5kL7mN9pQ1rS3"
	"tU5vW7xY9zA1bC3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hJ7kL9mN1pQ3rS5tU7"
	"vW9xY1zA3bC5dE7fG9hJ1kL3mN5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hJ5kL7mN9pQ1rS3tU5vW7xY9zA1bC3dE5fG7hJ9kL1mN3pQ5rS7tU9\"},"
	"{\"kid\":\"SigningKey\",\"kty\":\"EC\",\"crv\":\"P-256\",\"key_ops\":[\"verify\"],"
	"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}],"
	"\"app\":{\"name\":\"payments-enclave\",\"version\":4,\"channel\":\"stable\"},\"region\":\"westeurope\","
	"\"features\":{\"audit\":true},\"user-data\":\"7a3c1f0e9b2d4c6a8e0f1a2b3c4d5e6f\"}";
static const char collateral_json[] =
	"{\"qeidcertshash\":\"5a1e0c8bd0b2a9a0e6a6b1fd1c2ad8f1b2a7b3e7d4f1c6b9a3e2d5f8c1b4a7e0\","
	"\"qeidcrlhash\":\"b1e2d3c4f5a6978869504132a1b2c3d4e5f60718293a4b5c6d7e8f9011223344\","
	"\"qeidhash\":\"0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0\","
	"\"quotehash\":\"9c2e0d4b6a8f1e3c5a7b9d0f2e4c6a8b1d3f5e7c9a0b2d4f6e8a1c3e5b7d9f0a\","
	"\"tcbinfocertshash\":\"1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809\","
	"\"tcbinfocrlhash\":\"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\","
	"\"tcbinfohash\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}";

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench-attestd-policy: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(1);
}

static struct attestd_policy *load(const char *path)
{
	char *text, err[ATTESTD_ERR_BYTES];
	size_t len;
	struct attestd_policy *p;
	cella_result r = attestd_read_file(path, 1 << 20, &text, &len);
	if (r != CELLA_OK)
		die(path, cella_result_str(r));
	if (attestd_policy_compile(text, len, &p, err) != CELLA_OK)
		die(path, err);
	free(text);
	return p;
}

/* The incoming claims of an SGX quote with JSON runtime data, as evidence.c and service.c make them. */
static void claims(struct attestd_claims *c)
{
	attestd_claims_init(c);
	if (attestd_claims_add_bool(c, "x-ms-sgx-is-debuggable", false) != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-sgx-mrsigner",
				   "4aea5f9a0ed04b11f889aadfe6a1d376213a29a95a85ce7337ae6f7fece6610c") != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-sgx-mrenclave",
				   "292a1f4b519e46627eb2478a3d9851405653c5b4b0a6925de843834d9216850e") != CELLA_OK ||
	    attestd_claims_add_int(c, "x-ms-sgx-product-id", 1) != CELLA_OK ||
	    attestd_claims_add_int(c, "x-ms-sgx-svn", 3) != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-attestation-type", "sgx") != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-ver", "1.0") != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-runtime", runtime_json) != CELLA_OK ||
	    attestd_claims_add_str(c, "x-ms-sgx-collateral", collateral_json) != CELLA_OK ||
	    attestd_claims_add_str(c, "x-cella-tcb-status", "UpToDate") != CELLA_OK)
		die("out of memory", NULL);
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static double cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/* One batch of BATCH evaluations of p: CPU microseconds per evaluation (claims are made outside the clock). */
static double batch(const struct attestd_policy *p, size_t *issued)
{
	struct attestd_claims in[BATCH], out[BATCH], props[BATCH];
	char err[ATTESTD_ERR_BYTES];
	double t0, t1;
	for (int i = 0; i < BATCH; i++) {
		claims(&in[i]);
		attestd_claims_init(&out[i]);
		attestd_claims_init(&props[i]);
	}
	t0 = cpu_us();
	for (int i = 0; i < BATCH; i++)
		if (attestd_policy_evaluate(p, &in[i], &out[i], &props[i], err) != CELLA_OK)
			die("the policy does not permit the bench's claims", err);
	t1 = cpu_us();
	*issued = out[0].n;
	for (int i = 0; i < BATCH; i++) {
		attestd_claims_fini(&in[i]);
		attestd_claims_fini(&out[i]);
		attestd_claims_fini(&props[i]);
	}
	return (t1 - t0) / BATCH;
}

int main(int argc, char **argv)
{
	const char *pol = BENCH_POLICY_DIR "/jmespath_policy.txt", *ref = BENCH_POLICY_DIR "/plain_policy.txt";
	long nb = 400;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
			pol = argv[++i];
		} else if (strcmp(argv[i], "--reference") == 0 && i + 1 < argc) {
			ref = argv[++i];
		} else if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc) {
			char *end;
			nb = strtol(argv[++i], &end, 10);
			if (*end || nb < 1 || nb > 100000)
				die("--batches takes an integer from 1 to 100000", argv[i]);
		} else {
			fprintf(stderr, "usage: bench-attestd-policy [--policy FILE] [--reference FILE] [--batches N]\n");
			return 64;
		}
	}
	struct attestd_policy *p = load(pol), *r = load(ref);
	double *tp = malloc(sizeof(double) * (size_t)nb), *tr = malloc(sizeof(double) * (size_t)nb);
	size_t np = 0, nr = 0;
	if (!tp || !tr)
		die("out of memory", NULL);
	for (int w = 0; w < 20; w++) { /* warm-up: caches, the allocator's free lists */
		batch(p, &np);
		batch(r, &nr);
	}
	for (long b = 0; b < nb; b++) {
		tp[b] = batch(p, &np);
		tr[b] = batch(r, &nr);
	}
	printf("policy evaluation, CPU time per evaluation, median of %ld batches of %d (alternating)\n", nb, BATCH);
	printf("  %-32s %8.2f us  (%zu claims issued)\n", base(pol), bench_median(tp, (size_t)nb), np);
	printf("  %-32s %8.2f us  (%zu claims issued; reference)\n", base(ref), bench_median(tr, (size_t)nb), nr);
	free(tp);
	free(tr);
	attestd_policy_free(p);
	attestd_policy_free(r);
	return 0;
}
