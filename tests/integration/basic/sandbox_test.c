// SPDX-License-Identifier: MIT
/* Sandbox backend integration tests: sandbox_test <case> <enclave image> [extra]. */
#include <cella/host.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic.h"
#include "cella_test.h"
#include "image.h"
#include "internal.h" /* struct cella_enclave and the futex stand-in: the host library's own counts */
#include "layout.h"
#include "sgx_internal.h" /* cella_sgx_quote_env_default, for the setuid case */
#ifdef CELLA_TEST_SGXSIM
#include "sgx_abi.h"
#include "sgx_arch.h"
#include "sgxsim.h"
#define EXPECTED_BACKEND "sgx"
#define PROCESSES 0 /* SGX: the enclave lives in this process */
/* SGX reports no fault text: the host logs the loss, and the exception vector when one was taken */
#define CRASH_LOG(sandbox, sgx) (sgx)
#else
#define EXPECTED_BACKEND "sandbox"
#define PROCESSES 1 /* the sandbox's monitor */
#define CRASH_LOG(sandbox, sgx) (sandbox)
#endif

static const char *image;
static char logbuf[16384];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void capture_log(void *ctx, enum cella_log_level level, const char *msg)
{
	(void)ctx;
	pthread_mutex_lock(&log_lock);
	size_t n = strlen(logbuf);
	snprintf(logbuf + n, sizeof(logbuf) - n, "[%d] %s\n", (int)level, msg);
	pthread_mutex_unlock(&log_lock);
	if (getenv("CELLA_TEST_LOG")) /* to follow a failing case as it runs */
		fprintf(stderr, "[%d] %s\n", (int)level, msg);
}

/* ---- ocalls ---- */
static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static int holding, release_holders;

/* Thread facts from the TCS an ocall is parked on (a nested call) and from the other one (another thread). */
static struct thread_facts facts[2];
static cella_result facts_r[2] = {CELLA_ERR_UNEXPECTED, CELLA_ERR_UNEXPECTED};

static cella_result get_facts(struct cella_enclave *e, struct thread_facts *f)
{
	size_t w = 0;
	cella_result r = cella_enclave_call(e, E_THREAD_FACTS, NULL, 0, f, sizeof(*f), &w);
	return r == CELLA_OK && w != sizeof(*f) ? CELLA_ERR_MARSHAL : r;
}

static void *facts_worker(void *arg)
{
	facts_r[1] = get_facts(arg, &facts[1]);
	return NULL;
}

static cella_result o_twice(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t x;
	(void)e;
	if (n != 8 || on < 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&x, in, 8);
	if (x == 999) { /* park inside the ocall, holding this TCS, until told to go on */
		pthread_mutex_lock(&hold_lock);
		holding++;
		pthread_cond_broadcast(&hold_cond);
		while (!release_holders)
			pthread_cond_wait(&hold_cond, &hold_lock);
		pthread_mutex_unlock(&hold_lock);
	}
	if (x == 777) { /* this TCS is busy in this ocall: another host thread must get the other one */
		pthread_t th;
		facts_r[0] = get_facts(e, &facts[0]);
		if (pthread_create(&th, NULL, facts_worker, e) || pthread_join(th, NULL))
			return CELLA_ERR_UNEXPECTED;
	}
	x *= 2;
	memcpy(out, &x, 8);
	*w = 8;
	return CELLA_OK;
}

static cella_result o_reenter(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t x, y = 0;
	size_t got = 0;
	cella_result r;
	if (n != 8 || on < 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&x, in, 8);
	/* a public ecall this ocall's allow list does not name is refused while it runs (E_NESTED then fails) */
	if (cella_enclave_call(e, E_EMPTY, NULL, 0, NULL, 0, NULL) != CELLA_ERR_ECALL_NOT_ALLOWED)
		return CELLA_ERR_PERMISSION;
	r = cella_enclave_call(e, E_PRIVATE_MUL, &x, 8, &y, 8, &got);
	if (r != CELLA_OK)
		return r;
	memcpy(out, &y, 8);
	*w = got;
	return CELLA_OK;
}

static cella_result o_empty(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	/* terminating one's own enclave from inside its ocall is refused, and changes nothing */
	return cella_enclave_terminate(e) == CELLA_ERR_INVALID_STATE ? CELLA_OK : CELLA_ERR_UNEXPECTED;
}

static atomic_int entered; /* O_ENTERED calls so far */

static cella_result o_entered(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on,
			      size_t *w)
{
	(void)e, (void)in, (void)n, (void)out, (void)on, (void)w;
	atomic_fetch_add(&entered, 1);
	return CELLA_OK;
}

static uint8_t nest_byte(uint64_t seed, size_t i)
{
	return (uint8_t)(seed * 31 + i * 7 + 1);
}

static cella_result nest_big_r = CELLA_ERR_UNEXPECTED; /* the nested call's result, as O_NEST_BIG saw it */

/* Writes its reply into the window first, then makes a nested ecall that goes to the arena and makes an ocall. */
static cella_result o_nest_big(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on,
			       size_t *w)
{
	uint64_t seed;
	uint8_t *big;
	if (n != 8 || on != NEST_OUT_BYTES)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&seed, in, 8);
	for (size_t i = 0; i < on; i++)
		out[i] = nest_byte(seed, i);
	big = calloc(1, NEST_BIG_BYTES);
	if (!big)
		return CELLA_ERR_OUT_OF_MEMORY;
	nest_big_r = cella_enclave_call(e, E_BIG_OCALL, big, NEST_BIG_BYTES, NULL, 0, NULL);
	free(big);
	*w = on;
	return CELLA_OK;
}

static cella_result o_sink(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)e, (void)in, (void)out, (void)on, (void)w;
	return n == NEST_SINK_BYTES ? CELLA_OK : CELLA_ERR_INVALID_ARG;
}

static cella_result o_deep(struct cella_enclave *e, const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t x;
	if (n != 8 || on < 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&x, in, 8);
	return cella_enclave_call(e, E_DEEP, &x, 8, out, 8, w);
}

static const cella_ocall_fn ocalls[O_COUNT] = {[O_TWICE] = o_twice, [O_REENTER] = o_reenter, [O_EMPTY] = o_empty,
					       [O_NEST_BIG] = o_nest_big, [O_SINK] = o_sink, [O_ENTERED] = o_entered,
					       [O_DEEP] = o_deep};

static uint64_t call_buffer_bytes; /* 0 = default */

static struct cella_enclave *create(void)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = O_COUNT,
					   .log = capture_log, .call_buffer_bytes = call_buffer_bytes};
	struct cella_enclave *e = NULL;
	CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_OK);
	CT_ASSERT(e != NULL);
	return e;
}

static uint64_t call_u64(struct cella_enclave *e, uint32_t fn, uint64_t x, cella_result want)
{
	uint64_t y = 0;
	size_t w = 0;
	CT_RESULT(cella_enclave_call(e, fn, &x, 8, &y, 8, &w), want);
	if (want == CELLA_OK)
		CT_EQ(w, 8);
	return y;
}

/* Processes whose parent is this one (the monitor, and nothing else, while an enclave runs). */
static int children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;
	CT_ASSERT(d);
	while ((de = readdir(d))) {
		char path[300], buf[512], *p;
		FILE *f;
		int ppid;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && sscanf(p + 2, "%*c %d", &ppid) == 1 &&
		    ppid == getpid())
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	CT_ASSERT(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Lines of /proc/self/maps that name the shared window. */
static int window_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	int n = 0;
	CT_ASSERT(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "cella-window") != NULL;
	fclose(f);
	return n;
}

static void t_calls(void)
{
	struct cella_enclave *e;
	call_buffer_bytes = 64 * 1024; /* calls above 64 KiB take the arena path */
	e = create();
	uint64_t ab[2] = {40, 2}, sum = 0;
	uint32_t failed = 99;
	size_t w = 0;
	struct cella_hash mre, mrs, zero = {{0}};

	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &sum, sizeof(sum), &w), CELLA_OK);
	CT_EQ(sum, 42);
	CT_EQ(w, 8);
	CT_RESULT(cella_enclave_call(e, E_SELFTEST, NULL, 0, &failed, sizeof(failed), &w), CELLA_OK);
	CT_EQ(failed, 0);
	/* cella_random leaves no copy of the bytes it handed out in the stack it used (in an optimised build) */
	{
		uint64_t residue = call_u64(e, E_RANDOM_RESIDUE, 0, CELLA_OK);
		if (residue == RESIDUE_UNOPTIMIZED)
			printf("NOTE cella_random's stack residue is not measured in an unoptimised enclave build\n");
		else
			CT_EQ(residue, 0);
	}
	/* echo through the per-TCS buffer and, above its size, through the arena */
	for (size_t n = 0; n <= (1u << 20); n = n ? n * 4 : 1) {
		uint8_t *in = malloc(n + 1), *out = malloc(n + 1);
		CT_ASSERT(in && out);
		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)(i * 7 + n);
		memset(out, 0xee, n + 1);
		CT_RESULT(cella_enclave_call(e, E_ECHO, in, n, out, n, &w), CELLA_OK);
		CT_EQ(w, n);
		CT_ASSERT(memcmp(in, out, n) == 0);
		CT_EQ(out[n], 0xee); /* nothing written past the reply */
		free(in);
		free(out);
	}
	/* a reply larger than the caller's buffer is refused by the ecall itself */
	CT_RESULT(cella_enclave_call(e, E_ECHO, "abcdef", 6, &sum, 4, &w), CELLA_ERR_BUFFER_TOO_SMALL);
	CT_RESULT(cella_enclave_call(e, 99, NULL, 0, NULL, 0, NULL), CELLA_ERR_INVALID_FUNCTION);
	CT_RESULT(cella_enclave_call(e, E_PRIVATE_MUL, &sum, 8, &sum, 8, &w), CELLA_ERR_ECALL_NOT_ALLOWED);
	CT_RESULT(cella_enclave_call(e, E_ADD, NULL, 16, NULL, 0, NULL), CELLA_ERR_INVALID_ARG);
	CT_RESULT(cella_enclave_identity(e, &mre, &mrs), CELLA_OK);
	CT_ASSERT(memcmp(&mre, &zero, sizeof(zero)) != 0);
	CT_ASSERT(strcmp(cella_enclave_backend(e), EXPECTED_BACKEND) == 0);
	CT_RESULT(cella_enclave_call(e, E_PRINT, "printed by the enclave", 23, NULL, 0, NULL), CELLA_OK);
	{
		/* window memory has one address for both sides ([user_check] pointers work as on SGX) */
		uint8_t *shared = cella_enclave_host_malloc(e, 64), got[16];
		uint64_t p = (uint64_t)(uintptr_t)shared, bad = (uint64_t)(uintptr_t)got;
		CT_ASSERT(shared);
		memcpy(shared, "same address!!!!", 16);
		CT_RESULT(cella_enclave_call(e, E_PEEK, &p, 8, got, 16, &w), CELLA_OK);
		CT_ASSERT(memcmp(got, "same address!!!!", 16) == 0);
		CT_RESULT(cella_enclave_call(e, E_PEEK, &bad, 8, got, 16, &w), CELLA_ERR_HOST_POINTER); /* not window */
		cella_enclave_host_free(e, shared);
	}
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("calls");
}

static void t_ocalls(void)
{
	struct cella_enclave *e = create();
	CT_EQ(call_u64(e, E_OCALL_TWICE, 21, CELLA_OK), 43);
	CT_EQ(call_u64(e, E_NESTED, 5, CELLA_OK), 15);
	CT_RESULT(cella_enclave_call(e, E_OCALL_EMPTY, NULL, 0, NULL, 0, NULL), CELLA_OK);
	for (uint64_t i = 0; i < 200; i++)
		CT_EQ(call_u64(e, E_NESTED, i, CELLA_OK), i * 3);
	/* ecalls nest 8 deep (the top-level one and 7 in ocalls); the 9th is refused, on both backends with
	 * CELLA_ERR_REENTRANT (the sandbox ran out of scratch buffers: OUT_OF_MEMORY), and the chain unwinds */
	CT_EQ(call_u64(e, E_DEEP, 7, CELLA_OK), 7);
	CT_EQ(call_u64(e, E_DEEP, 8, CELLA_ERR_REENTRANT), 0);
	CT_EQ(call_u64(e, E_DEEP, 3, CELLA_OK), 3);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("ocalls");
}

struct worker {
	struct cella_enclave *e;
	uint64_t base;
	int bad;
	uint64_t arg;
	cella_result r;
};

static void *adder(void *p)
{
	struct worker *w = p;
	for (uint64_t i = 0; i < 500; i++) {
		uint64_t ab[2] = {w->base + i, i}, s = 0;
		size_t n = 0;
		if (cella_enclave_call(w->e, E_ADD, ab, sizeof(ab), &s, 8, &n) != CELLA_OK || s != w->base + 2 * i)
			w->bad++;
	}
	return NULL;
}

static void *holder(void *p)
{
	struct worker *w = p;
	uint64_t y = 0;
	size_t n = 0;
	w->r = cella_enclave_call(w->e, E_OCALL_TWICE, &w->arg, 8, &y, 8, &n);
	if (w->r == CELLA_OK && y != 2 * w->arg + 1)
		w->bad++;
	return NULL;
}

static void t_concurrent(void)
{
	struct cella_enclave *e = create();
	pthread_t th[2];
	struct worker w[2] = {{e, 1000000, 0, 0, 0}, {e, 2000000, 0, 0, 0}};

	for (int i = 0; i < 2; i++)
		CT_EQ(pthread_create(&th[i], NULL, adder, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		CT_EQ(pthread_join(th[i], NULL), 0);
	CT_EQ(w[0].bad + w[1].bad, 0);

	/* two threads park inside ocalls, holding both TCSs: a third call finds none free */
	w[0].arg = w[1].arg = 999;
	for (int i = 0; i < 2; i++)
		CT_EQ(pthread_create(&th[i], NULL, holder, &w[i]), 0);
	pthread_mutex_lock(&hold_lock);
	while (holding < 2)
		pthread_cond_wait(&hold_cond, &hold_lock);
	pthread_mutex_unlock(&hold_lock);
	call_u64(e, E_ADD, 1, CELLA_ERR_OUT_OF_TCS);
	pthread_mutex_lock(&hold_lock);
	release_holders = 1;
	pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_lock);
	for (int i = 0; i < 2; i++) {
		CT_EQ(pthread_join(th[i], NULL), 0);
		CT_RESULT(w[i].r, CELLA_OK);
	}
	CT_EQ(w[0].bad + w[1].bad, 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("concurrent");
}

/* Settings: the struct's size is checked (the current one, or the one before wait_yield_us), and its ranges. */
static void t_settings(void)
{
	struct cella_enclave_settings s = {.size = sizeof(s), .ocall_table = ocalls, .ocall_count = O_COUNT,
					   .log = capture_log};
	struct cella_enclave *e = NULL;
	s.size = sizeof(s) + 8;
	CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(e == NULL);
	s.size = 8;
	CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_ERR_INVALID_ARG);
	s.size = sizeof(s);
	s.wait_yield_us = 1000001;
	CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_ERR_INVALID_ARG);
	CT_ASSERT(strstr(logbuf, "settings out of range"));
	/* the previous layout, without wait_yield_us: accepted, default wait */
	s.wait_yield_us = 2000000; /* out of range, but beyond the size given: not read */
	s.size = (uint32_t)offsetof(struct cella_enclave_settings, wait_yield_us);
	CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_OK);
	CT_EQ(call_u64(e, E_OCALL_TWICE, 4, CELLA_OK), 9);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	s.size = sizeof(s);
	for (unsigned i = 0; i < 2; i++) {
		s.wait_yield_us = i ? CELLA_WAIT_NO_YIELD : 1;
		CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_OK);
		CT_EQ(call_u64(e, E_OCALL_TWICE, 4, CELLA_OK), 9);
		CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	}
	cella_test_pass("settings");
}

/* Two TCSs take turns on a condition variable: waits block and wakes reach them, on either backend. */
struct pp_arg {
	struct cella_enclave *e;
	uint32_t a[2];
	cella_result r;
};

static void *pp_side(void *arg)
{
	struct pp_arg *p = arg;
	p->r = cella_enclave_call(p->e, E_PINGPONG, p->a, sizeof(p->a), NULL, 0, NULL);
	return NULL;
}

static void t_pingpong(void)
{
	struct cella_enclave *e = create();
	struct pp_arg side[2] = {{e, {0, 2000}, CELLA_ERR_UNEXPECTED}, {e, {1, 2000}, CELLA_ERR_UNEXPECTED}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		CT_EQ(pthread_create(&th[i], NULL, pp_side, &side[i]), 0);
	for (int i = 0; i < 2; i++)
		CT_EQ(pthread_join(th[i], NULL), 0);
	CT_RESULT(side[0].r, CELLA_OK);
	CT_RESULT(side[1].r, CELLA_OK);
#ifdef CELLA_TEST_SGXSIM
	/* on SGX a blocked waiter sleeps on the host (CELLA_OCALL_FUTEX_WAIT) rather than spinning in the enclave */
	CT_ASSERT(__atomic_load_n(&e->futex_sleeps, __ATOMIC_RELAXED) > 0); /* the host library's own count */
#endif
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("pingpong");
}

/*
 * SGX's futex stand-in on the host (the sandbox's window has the same counters): a wait sent with the counter as
 * it was before a wake returns at once, one with the current value sleeps (here until its timeout, as nothing
 * wakes it); a wake moves only its key's bucket; malformed waits are refused and change nothing.
 */
static void t_futex(void)
{
	struct cella_enclave *e = create();
	const uint64_t key = 0x1234, other = key + 64; /* another bucket: */
	uint32_t *ctr = (uint32_t *)(e->win + CELLA_WINDOW_FUTEX_OFF);
	uint32_t before = __atomic_load_n(&ctr[cella_window_futex_bucket(key)], __ATOMIC_SEQ_CST);
	uint32_t before_other = __atomic_load_n(&ctr[cella_window_futex_bucket(other)], __ATOMIC_SEQ_CST);
	uint64_t in[3] = {key, 1000000, before};
	CT_ASSERT(cella_window_futex_bucket(key) != cella_window_futex_bucket(other));
	CT_ASSERT(cella_window_futex_bucket(key) < CELLA_WINDOW_FUTEX_BUCKETS);

	cella_futex_wake(e, key);
	CT_EQ(ctr[cella_window_futex_bucket(key)], before + 1);
	CT_EQ(ctr[cella_window_futex_bucket(other)], before_other);
	/* the enclave read the counter, then the wake came, then the host got the wait: it must not sleep */
	CT_RESULT(cella_futex_wait(e, (const uint8_t *)in, sizeof(in)), CELLA_OK);
	CT_EQ(e->futex_stale, 1);
	CT_EQ(e->futex_sleeps, 0);
	/* nothing came in between: it sleeps */
	in[1] = 1000;
	in[2] = before + 1;
	CT_RESULT(cella_futex_wait(e, (const uint8_t *)in, sizeof(in)), CELLA_OK);
	CT_EQ(e->futex_stale, 1);
	CT_EQ(e->futex_sleeps, 1);
	/* malformed: the old two-word input, a counter above 32 bits */
	CT_RESULT(cella_futex_wait(e, (const uint8_t *)in, 16), CELLA_ERR_MARSHAL);
	in[2] = 1ull << 32;
	CT_RESULT(cella_futex_wait(e, (const uint8_t *)in, sizeof(in)), CELLA_ERR_MARSHAL);
	CT_EQ(e->futex_stale + e->futex_sleeps, 2);
	CT_EQ(ctr[cella_window_futex_bucket(key)], before + 1);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("futex stand-in: no sleep through a wake, buckets, malformed waits");
}

/*
 * Each TCS's thread runs with its musl descriptor at the TCS's thread-data page, the FS base SGX hardware loads
 * from TCS.OFSBASE on every entry (the same image runs there), and its TLS in the TLS page below it.
 */
static void t_threads(void)
{
	struct cella_enclave *e = create();
	struct cella_image img;
	struct cella_layout l;
	struct thread_facts again;
	uint8_t *data = NULL;
	size_t size = 0;
	uint64_t ofs[2];

	CT_RESULT(cella_image_read_file(image, &data, &size), CELLA_OK);
	CT_RESULT(cella_image_parse(data, size, &img), CELLA_OK);
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	CT_EQ(l.r.tcs_count, 2);
	for (int i = 0; i < 2; i++)
		memcpy(&ofs[i], l.tcs_pages + i * 4096 + 48, 8); /* TCS.OFSBASE (Intel SDM 35.8) */
	cella_layout_fini(&l);
	free(data);
	CT_ASSERT(ofs[0] != ofs[1]);

	CT_EQ(call_u64(e, E_OCALL_TWICE, 777, CELLA_OK), 1555);
	for (int i = 0; i < 2; i++) {
		struct thread_facts *f = &facts[i];
		CT_RESULT(facts_r[i], CELLA_OK);
		CT_ASSERT(f->tp_rva == ofs[0] || f->tp_rva == ofs[1]);
		CT_EQ(f->self_is_tp, 1);
		CT_ASSERT(f->errno_rva > f->tp_rva && f->errno_rva < f->tp_rva + 0xe00);
		CT_ASSERT(f->tls_rva < f->tp_rva && f->tls_rva >= f->tp_rva - 4096);
		CT_EQ(f->tls_value, 0x5eed);
		CT_EQ(f->canary_set, 1);
	}
	CT_ASSERT(facts[0].tp_rva != facts[1].tp_rva); /* one thread per TCS, each at its own page */
	/* TLS persists per thread across calls: whichever TCS serves this, it is its second call */
	CT_RESULT(get_facts(e, &again), CELLA_OK);
	CT_EQ(again.tls_value, 0x5eed + 1);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("threads");
}

/* Application exception handlers: run in order, change registers, resume; an exception none takes ends it. */
static void t_exception(const char *expect_in_log)
{
	struct cella_enclave *e = create();
	uint64_t r[2] = {0, 0};
	uint32_t mode = 0;
	size_t w = 0;
	for (int i = 1; i <= 2; i++) {
		CT_RESULT(cella_enclave_call(e, E_EXCEPTION, &mode, 4, r, sizeof(r), &w), CELLA_OK);
		CT_EQ(w, sizeof(r));
		CT_EQ(r[0], 0xfeedface); /* the handler's RAX, after the UD2 it skipped */
		CT_EQ(r[1], i);          /* the first handler saw it and declined */
	}
	mode = 1; /* INT3: no handler takes it */
	CT_RESULT(cella_enclave_call(e, E_EXCEPTION, &mode, 4, r, sizeof(r), &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	if (!strstr(logbuf, expect_in_log))
		cella_test_fail(__FILE__, __LINE__, "log lacks '%s':\n%s", expect_in_log, logbuf);
	/* the table holds 8 handlers: a ninth, and any after it, is refused */
	e = create();
	for (int i = 0; i < 8; i++)
		CT_RESULT(cella_enclave_call(e, E_CATCH_ALL, NULL, 0, NULL, 0, NULL), CELLA_OK);
	CT_RESULT(cella_enclave_call(e, E_CATCH_ALL, NULL, 0, NULL, 0, NULL), CELLA_ERR_OUT_OF_MEMORY);
	CT_RESULT(cella_enclave_call(e, E_CATCH_ALL, NULL, 0, NULL, 0, NULL), CELLA_ERR_OUT_OF_MEMORY);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("exception handlers");
}

#ifdef CELLA_TEST_SGXSIM
/*
 * B1/B2 on the SGX entry code (sgxsim's fault injection): an AEX taken inside the entry stub, before the
 * trusted stack is live (SmashEx), and an interrupt AEX the host then enters as an exception, must lose the
 * enclave without running any handler; the same AEX as a real exception once the stack is live is handled.
 * The enclave has a handler that takes everything, so an accepted entry would let the call succeed.
 */
static cella_result call_after_aex(unsigned steps, bool interrupt)
{
	struct cella_enclave *e = create();
	uint64_t ab[2] = {20, 22}, s = 0;
	size_t w = 0;
	cella_result r;
	CT_RESULT(cella_enclave_call(e, E_CATCH_ALL, NULL, 0, NULL, 0, NULL), CELLA_OK);
	cella_sgxsim_aex_after(steps, interrupt);
	r = cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w);
	if (r == CELLA_OK)
		CT_EQ(s, 42);
	else /* lost for good */
		CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	(void)cella_enclave_terminate(e);
	return r;
}

/*
 * Instructions of the call entry (cella_enclave_entry, then sgx_entry.S) after which an AEX must be refused:
 * everything up to and including `incl DEPTH`'s predecessor, `movl $1, STACK_LIVE` (22 instructions); after
 * `incl DEPTH` (23) a call runs on the live trusted stack, so after 24 an exception is a real one.
 */
#define ENTRY_STEPS_BEFORE_STACK 22
#define ENTRY_STEP_STACK_LIVE 24

static void t_smashex(void)
{
	for (unsigned k = 1; k <= ENTRY_STEPS_BEFORE_STACK; k++)
		if (call_after_aex(k, false) != CELLA_ERR_ENCLAVE_LOST)
			cella_test_fail(__FILE__, __LINE__, "an AEX at entry instruction %u was accepted", k);
	CT_RESULT(call_after_aex(ENTRY_STEP_STACK_LIVE, false), CELLA_OK); /* the control: a real #DB, handled */
	cella_test_pass("B2 an AEX inside the entry stub loses the enclave; the same #DB on the live stack is handled");
}

/* A7: the host enters with RSP inside the enclave (its read-only code): the enclave keeps it as a value only. */
static void t_host_sp(void)
{
	struct cella_enclave *e = create();
	uint64_t ab[2] = {40, 2}, s = 0, fake;
	size_t w = 0;
	CT_EQ(call_u64(e, E_ADD, 1, CELLA_ERR_INVALID_ARG), 0); /* booted and answering */
	fake = cella_sgxsim_host_rsp_in_enclave();
	CT_ASSERT(fake != 0);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_OK);
	CT_EQ(s, 42);
	CT_EQ(cella_sgxsim_exit_rsp(), fake); /* handed back untouched, never written through (it would fault) */
	CT_EQ(call_u64(e, E_OCALL_TWICE, 5, CELLA_OK), 11);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("A7 a host RSP inside the enclave is kept as a value and handed back");
}

/*
 * A hostile host around the stand-in's ENCLU (the vDSO call): B6 enters TCS 1 with an ecall while TCS 0 is stopped
 * in its boot; B7 enters a TCS at CSSA 1 once more after an exception was taken over, instead of resuming it.
 */
static cella_sgx_enter_fn real_enter;
static int hostile_case; /* 6 or 7 */
static int booting, raced, replay_armed;
static uint64_t tcs_block_bytes;
static long race_regs[2], replay_reason;
static unsigned race_function;

static int hostile_enter(unsigned long rdi, unsigned long rsi, unsigned long rdx, unsigned int leaf, unsigned long r8,
			 unsigned long r9, struct cella_sgx_enclave_run *run)
{
	int rc;
	if (hostile_case == 6 && leaf == CELLA_ENCLU_EENTER && rdi == CELLA_SGX_OP_BOOT)
		booting = 1;
	if (hostile_case == 7 && leaf == CELLA_ENCLU_ERESUME && replay_armed) {
		long *regs = (long *)(uintptr_t)run->user_data;
		replay_armed = 0;
		run->function = 0;
		(void)real_enter(rdi, rsi, rdx, CELLA_ENCLU_EENTER, r8, r9, run); /* CSSA is still 1 */
		replay_reason = regs[0];
	}
	rc = real_enter(rdi, rsi, rdx, leaf, r8, r9, run);
	if (booting && !raced && run->function == CELLA_ENCLU_ERESUME) { /* TCS 0 stopped by an exit in its boot */
		struct cella_sgx_enclave_run r1;
		memset(&r1, 0, sizeof(r1));
		raced = 1;
		r1.tcs = run->tcs + tcs_block_bytes;
		r1.user_handler = (uint64_t)(uintptr_t)cella_sgx_exit_regs;
		r1.user_data = (uint64_t)(uintptr_t)race_regs;
		(void)real_enter(CELLA_SGX_OP_ECALL, 0, 0, CELLA_ENCLU_EENTER, 0, 0, &r1);
		race_function = r1.function;
	}
	return rc;
}

static void hostile_install(int which)
{
	static struct cella_sgx_stand_in mine;
	struct cella_image img;
	struct cella_layout l;
	uint8_t *data = NULL;
	size_t size = 0;
	CT_RESULT(cella_image_read_file(image, &data, &size), CELLA_OK);
	CT_RESULT(cella_image_parse(data, size, &img), CELLA_OK);
	CT_RESULT(cella_layout_build(&img, &l), CELLA_OK);
	CT_ASSERT(l.r.tcs_count >= 2);
	tcs_block_bytes = l.r.tcs_block_bytes;
	cella_layout_fini(&l);
	free(data);
	mine = *cella_sgx_stand_in;
	real_enter = mine.enter;
	mine.enter = hostile_enter;
	cella_sgx_stand_in = &mine;
	hostile_case = which;
}

static void t_boot_race(void)
{
	struct cella_enclave *e;
	uint64_t ab[2] = {40, 2}, s = 0;
	size_t w = 0;
	hostile_install(6);
	e = create();
	CT_ASSERT(raced);
	CT_EQ(race_function, CELLA_ENCLU_EEXIT); /* answered, not a fault on a thread table not yet there */
	CT_EQ(race_regs[0], CELLA_SGX_EXIT_DONE);
	CT_EQ(race_regs[1], CELLA_ERR_INVALID_STATE);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_OK); /* boot went on */
	CT_EQ(s, 42);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("B6 an ecall on another TCS while TCS 0 boots is refused (CELLA_ERR_INVALID_STATE)");
}

static void t_exception_replay(void)
{
	struct cella_enclave *e;
	uint64_t ab[2] = {20, 22}, s = 0;
	size_t w = 0;
	cella_result r;
	hostile_install(7);
	e = create();
	CT_RESULT(cella_enclave_call(e, E_CATCH_ALL, NULL, 0, NULL, 0, NULL), CELLA_OK);
	replay_armed = 1;
	cella_sgxsim_aex_after(ENTRY_STEP_STACK_LIVE, false); /* a real #DB: EXITINFO valid */
	/* the second entry finds no exception to take and is refused (the enclave marks itself crashed); the #DB itself
	 * was taken once and the call it interrupted still ends as the resumed code decides */
	r = cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w);
	CT_EQ(replay_armed, 0);
	CT_EQ(replay_reason, CELLA_SGX_EXIT_LOST);
	if (r == CELLA_OK)
		CT_EQ(s, 42);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_ERR_ENCLAVE_LOST); /* for good */
	(void)!cella_enclave_terminate(e);
	cella_test_pass("B7 an exception entered twice (EENTER at CSSA 1 instead of ERESUME) is not taken twice");
}

static void t_fake_exception(void)
{
	CT_RESULT(call_after_aex(ENTRY_STEP_STACK_LIVE, true), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(call_after_aex(ENTRY_STEP_STACK_LIVE, false), CELLA_OK);
	cella_test_pass("B1 an interrupt AEX entered as an exception loses the enclave; a real exception is handled");
}
#endif

static void t_crash(uint32_t fn, const char *expect_in_log)
{
	struct cella_enclave *e = create();
	uint64_t ab[2] = {1, 2}, s = 0;
	size_t w;
	CT_EQ(children(), PROCESSES);
	CT_RESULT(cella_enclave_call(e, fn, NULL, 0, NULL, 0, NULL), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	if (!strstr(logbuf, expect_in_log))
		cella_test_fail(__FILE__, __LINE__, "log lacks '%s':\n%s", expect_in_log, logbuf);
	CT_EQ(children(), 0);
	/* the host keeps running and can start a new enclave */
	e = create();
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_OK);
	CT_EQ(s, 3);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	CT_EQ(children(), 0);
	printf("log:\n%s", logbuf);
	cella_test_pass("crash");
}

/* E_HANDLER_STACK with an n-byte frame in the handler: checks where it ran, returns the call's result. */
static cella_result handler_stack(struct cella_enclave *e, uint64_t n)
{
	struct handler_stack h;
	size_t w = 0;
	cella_result r = cella_enclave_call(e, E_HANDLER_STACK, &n, 8, &h, sizeof(h), &w);
	if (r != CELLA_OK)
		return r;
	CT_EQ(w, sizeof(h));
	CT_EQ(h.sum_ok, 1);
	CT_EQ(h.heap_intact, 1);
	CT_EQ(h.state_kept, 1);
	CT_EQ(h.array_hi - h.array_lo, n - 1);
	/* on the interrupted TCS stack, below the ecall's frame: not on a separate stack in heap memory */
	if (h.array_hi >= h.ecall_local || h.ecall_local - h.array_lo >= h.stack_bytes)
		cella_test_fail(__FILE__, __LINE__, "handler frame [%#llx, %#llx] is not on the stack below %#llx (%llu bytes)",
				(unsigned long long)h.array_lo, (unsigned long long)h.array_hi,
				(unsigned long long)h.ecall_local, (unsigned long long)h.stack_bytes);
	return r;
}

/*
 * Exception handlers run on the interrupted thread's own stack: a handler with a large local array works when
 * the TCS stack has room for it (more than the 64 KiB the sandbox runtime once ran handlers on, in heap memory
 * a larger frame overwrote), and overflows into the TCS stack's guard page, losing the enclave, when it has not.
 */
static void t_handler_stack(const char *big_image)
{
	struct cella_enclave *e = create();
	uint64_t ab[2] = {1, 2}, s = 0;
	size_t w = 0;
	CT_RESULT(handler_stack(e, 16 * 1024), CELLA_OK); /* the test enclave has a 64 KiB stack */
	CT_RESULT(handler_stack(e, 16 * 1024), CELLA_OK);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_OK);
	CT_EQ(s, 3);
	CT_RESULT(handler_stack(e, 128 * 1024), CELLA_ERR_ENCLAVE_LOST); /* twice its stack */
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	if (!strstr(logbuf, CRASH_LOG("stack overflow", "exception vector 14")))
		cella_test_fail(__FILE__, __LINE__, "log lacks the stack overflow:\n%s", logbuf);
	/* the same image with a 256 KiB stack: a 128 KiB handler frame fits */
	image = big_image;
	e = create();
	CT_RESULT(handler_stack(e, 128 * 1024), CELLA_OK);
	CT_RESULT(handler_stack(e, 200 * 1024), CELLA_OK);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &s, 8, &w), CELLA_OK);
	CT_EQ(s, 3);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("handler stack: on the TCS stack, overflow ends the enclave");
}

/*
 * The enclave's floating-point control state (rounding mode, x87 precision, MXCSR FTZ/DAZ: callee-saved in the
 * SysV ABI) is its own across an ocall, an ocall with an ecall nested in it, and a syscall served by an ocall.
 */
static void t_fpenv(void)
{
	struct cella_enclave *e = create();
	const uint32_t modes[] = {FPENV_OCALL, FPENV_NESTED, FPENV_SYSCALL};
	const char *names[] = {"an ocall", "an ocall with a nested ecall", "a syscall"};
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			struct fpenv_facts f;
			size_t w = 0;
			CT_RESULT(cella_enclave_call(e, E_FPENV, &modes[i], 4, &f, sizeof(f), &w), CELLA_OK);
			CT_EQ(w, sizeof(f));
			CT_RESULT((cella_result)f.status, CELLA_OK);
			if (f.round != FE_UPWARD || f.mxcsr != FPENV_MXCSR || f.fcw != FPENV_FCW ||
			    f.third_after != f.third_before)
				cella_test_fail(__FILE__, __LINE__,
						"after %s: rounding %#x (want %#x), MXCSR %#x (want %#x), FCW %#x (want %#x), "
						"1/3 %#llx (before %#llx)",
						names[i], f.round, FE_UPWARD, f.mxcsr, FPENV_MXCSR, f.fcw, FPENV_FCW,
						(unsigned long long)f.third_after, (unsigned long long)f.third_before);
		}
	}
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("fpenv: the enclave's FP control state survives its ocalls");
}

static void t_heap(void)
{
	struct cella_enclave *e = create();
	uint64_t count = call_u64(e, E_HEAP_EXHAUST, 0, CELLA_OK);
	/* the test enclave has 1024 heap pages (4 MiB): a few dozen 64 KiB blocks, never more than 64 */
	CT_ASSERT(count > 10 && count < 64);
	CT_EQ(call_u64(e, E_HEAP_EXHAUST, 0, CELLA_OK), count); /* everything was given back */
	CT_EQ(call_u64(e, E_OCALL_TWICE, 1, CELLA_OK), 3);
	/* new memory reads as zero, on sgxsim also when the loader filled the unmeasured heap pages (ctest
	 * sgxsim_dirty_heap sets SGXSIM_DIRTY_UNMEASURED) */
	CT_EQ(call_u64(e, E_ZEROED, 0, CELLA_OK), 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("heap");
}

/*
 * An ocall's reply survives a nested ecall made by its handler: with 8 KiB call buffers the 16 KiB nested call
 * goes to the arena, and the 4 KiB ocall it makes must stack after the outer ocall's frame, not over it.
 */
static void t_nest_big(void)
{
	struct cella_enclave *e;
	uint8_t got[NEST_OUT_BYTES];
	size_t w = 0, bad = 0;
	call_buffer_bytes = 8 * 1024;
	e = create();
	memset(got, 0, sizeof(got));
	CT_RESULT(cella_enclave_call(e, E_NEST_BIG, NULL, 0, got, sizeof(got), &w), CELLA_OK);
	CT_RESULT(nest_big_r, CELLA_OK);
	CT_EQ(w, sizeof(got));
	for (size_t i = 0; i < sizeof(got); i++)
		bad += got[i] != nest_byte(0x5eed, i);
	CT_EQ(bad, 0);
	/* the private ecall is refused outside its ocall */
	CT_RESULT(cella_enclave_call(e, E_BIG_OCALL, NULL, 0, NULL, 0, NULL), CELLA_ERR_ECALL_NOT_ALLOWED);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("nested ecall in the arena keeps the outer ocall's reply");
}

/* clock_nanosleep inside the enclave: relative and TIMER_ABSTIME sleeps on the clocks it serves, and refusals. */
static void t_sleep(void)
{
	struct cella_enclave *e = create();
	struct sleep_facts f;
	size_t w = 0;
	CT_RESULT(cella_enclave_call(e, E_SLEEP, NULL, 0, &f, sizeof(f), &w), CELLA_OK);
	CT_EQ(w, sizeof(f));
	CT_EQ(f.rel, 0);
	CT_ASSERT(f.rel_ns >= 1000000);
	CT_EQ(f.abs, 0);
	CT_ASSERT(f.abs_late_ns >= 0); /* not woken before the deadline */
	CT_EQ(f.abs_past, 0);
	CT_ASSERT(f.past_ns >= 0 && f.past_ns < 5000000000ll); /* a deadline 10 s ago returns at once */
	CT_EQ(f.abs_realtime, 0);
	CT_EQ(f.rel_boottime, 0);
	CT_EQ(f.bad_clock, EINVAL);
	CT_EQ(f.bad_flags, EINVAL);
	CT_EQ(f.bad_nsec, EINVAL);
	CT_EQ(f.bad_abs_nsec, EINVAL);
	CT_EQ(f.null_rel, EFAULT);
	CT_EQ(f.null_abs, EFAULT);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("sleep");
}

static void t_confine(const char *dir)
{
	struct cella_enclave *e = create();
	char path[512];
	int32_t err[5] = {0};
	size_t w = 0;
	struct stat st;
	snprintf(path, sizeof(path), "%s/confine-%d", dir, getpid());
	unlink(path);
	CT_RESULT(cella_enclave_call(e, E_CONFINE, path, strlen(path) + 1, err, sizeof(err), &w), CELLA_OK);
	CT_EQ(w, sizeof(err));
	for (int i = 0; i < 5; i++)
		CT_EQ(err[i], ENOSYS);
	CT_ASSERT(stat(path, &st) != 0 && errno == ENOENT); /* nothing happened on the host */
	CT_EQ(children(), 1);                                /* no fork either */
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("confine");
}

static void t_cleanup(void)
{
	int fds = count_dir("/proc/self/fd");
	CT_EQ(window_mappings(), 0);
	for (int i = 0; i < 3; i++) {
		struct cella_enclave *e = create();
		CT_EQ(window_mappings(), 1);
		CT_EQ(call_u64(e, E_OCALL_TWICE, 1, CELLA_OK), 3);
		CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	}
	CT_EQ(children(), 0);
	CT_EQ(count_dir("/proc/self/fd"), fds);
	CT_EQ(window_mappings(), 0);
	CT_RESULT(cella_enclave_terminate(NULL), CELLA_OK);
	cella_test_pass("cleanup");
}

static __attribute__((unused)) void *spinner(void *p)
{
	struct worker *w = p;
	w->r = cella_enclave_call(w->e, E_SPIN, NULL, 0, NULL, 0, NULL);
	return NULL;
}

static void *sleeper(void *p)
{
	struct worker *w = p;
	int64_t out[2];
	size_t n = 0;
	w->r = cella_enclave_call(w->e, E_SLEEP_LONG, NULL, 0, out, sizeof(out), &n);
	return NULL;
}

/*
 * Terminate while other threads are inside calls: they end with ENCLAVE_LOST, nothing is used after free. One of
 * them sleeps for an hour (the host's sleep ocall must not hold terminate up); on the sandbox the other spins in
 * the enclave, which the monitor stops; on SGX nothing can stop an enclave thread that never exits, so both sleep.
 */
static void t_terminate_inflight(void)
{
	struct cella_enclave *e = create();
	pthread_t th[2];
	struct worker w[2] = {{e, 0, 0, 0, CELLA_OK}, {e, 0, 0, 0, CELLA_OK}};
	const struct timespec ms1 = {0, 1000 * 1000};
#ifdef CELLA_TEST_SGXSIM
	void *(*second)(void *) = sleeper;
#else
	void *(*second)(void *) = spinner;
#endif
	CT_EQ(pthread_create(&th[0], NULL, sleeper, &w[0]), 0);
	CT_EQ(pthread_create(&th[1], NULL, second, &w[1]), 0);
	alarm(60); /* the calls must start and terminate must return: the default SIGALRM ends the test if not */
	while (atomic_load(&entered) < 2) /* both TCSs busy */
		nanosleep(&ms1, NULL);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	alarm(0);
	for (int i = 0; i < 2; i++) {
		CT_EQ(pthread_join(th[i], NULL), 0);
		CT_RESULT(w[i].r, CELLA_ERR_ENCLAVE_LOST);
	}
	CT_EQ(children(), 0);
	cella_test_pass("terminate-inflight");
}

struct foreign {
	struct cella_call *c;
	cella_result invoke, release;
};

static void *use_foreign_call(void *p)
{
	struct foreign *f = p;
	f->invoke = cella_call_invoke(f->c, E_ECHO);
	f->release = cella_call_release(f->c);
	return NULL;
}

/* A prepared call belongs to its thread: another thread can neither run nor release it; its own thread can. */
static void t_call_thread(void)
{
	struct cella_enclave *e = create();
	struct cella_call c;
	struct foreign f = {&c, CELLA_OK, CELLA_OK};
	pthread_t th;
	CT_RESULT(cella_call_prepare(e, 4, 4, &c), CELLA_OK);
	memcpy(c.in, "abcd", 4);
	CT_EQ(pthread_create(&th, NULL, use_foreign_call, &f), 0);
	CT_EQ(pthread_join(th, NULL), 0);
	CT_RESULT(f.invoke, CELLA_ERR_INVALID_STATE);
	CT_RESULT(f.release, CELLA_ERR_INVALID_STATE);
	CT_EQ(c.e, e); /* untouched */
	CT_EQ(__atomic_load_n(&e->active, __ATOMIC_SEQ_CST), 1);
	CT_RESULT(cella_call_invoke(&c, E_ECHO), CELLA_OK);
	CT_EQ(c.out_written, 4);
	CT_EQ(memcmp(c.out, "abcd", 4), 0);
	CT_RESULT(cella_call_release(&c), CELLA_OK);
	CT_RESULT(cella_call_release(&c), CELLA_OK); /* twice: nothing left to release */
	CT_EQ(__atomic_load_n(&e->active, __ATOMIC_SEQ_CST), 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("call-thread");
}

/*
 * A process forked after create holds copies of the enclave's fds and window but not the enclave: its calls and
 * window allocations are refused, and its terminate frees its copies without stopping the parent's enclave.
 */
static void t_forked(void)
{
	struct cella_enclave *e = create();
	char out[4];
	size_t n = 0;
	int st = 0;
	pid_t pid;
	void *p;
	CT_RESULT(cella_enclave_call(e, E_ECHO, "abcd", 4, out, 4, &n), CELLA_OK);
	pid = fork();
	CT_ASSERT(pid >= 0);
	if (pid == 0) {
		int bad = 0;
		if (cella_enclave_call(e, E_ECHO, "wxyz", 4, out, 4, &n) != CELLA_ERR_INVALID_STATE)
			bad |= 1;
		if (cella_enclave_host_malloc(e, 64) != NULL)
			bad |= 2;
		if (cella_enclave_terminate(e) != CELLA_OK)
			bad |= 4;
		_exit(bad);
	}
	CT_EQ(waitpid(pid, &st, 0), pid);
	CT_ASSERT(WIFEXITED(st));
	CT_EQ(WEXITSTATUS(st), 0);
	memset(out, 0, sizeof(out));
	CT_RESULT(cella_enclave_call(e, E_ECHO, "efgh", 4, out, 4, &n), CELLA_OK); /* still the parent's */
	CT_EQ(n, 4);
	CT_EQ(memcmp(out, "efgh", 4), 0);
	CT_ASSERT((p = cella_enclave_host_malloc(e, 64)) != NULL);
	cella_enclave_host_free(e, p);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	CT_EQ(children(), 0);
	cella_test_pass("forked");
}

/* Reads an enclave process's memory from outside: it must fail unless we are root. */
static void t_memread(void)
{
	struct cella_enclave *e = create();
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0, readable = 0;
	CT_ASSERT(d);
	while ((de = readdir(d))) {
		char path[300], buf[512], *p;
		FILE *f;
		int pid, ppid, gp = 0;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		pid = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && sscanf(p + 2, "%*c %d", &ppid) == 1) {
			FILE *g;
			snprintf(path, sizeof(path), "/proc/%d/stat", ppid);
			if ((g = fopen(path, "r"))) {
				if (fgets(buf, sizeof(buf), g) && (p = strrchr(buf, ')')))
					sscanf(p + 2, "%*c %d", &gp);
				fclose(g);
			}
		}
		fclose(f);
		if (gp != getpid())
			continue;
		/* pid is the enclave process (child of our monitor): try to read its lowest mapping */
		found++;
		{
			char maps[300], line[512];
			unsigned long lo = 0;
			uint8_t byte;
			struct iovec local = {&byte, 1}, remote;
			int fd;
			snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
			if ((f = fopen(maps, "r"))) {
				if (fgets(line, sizeof(line), f))
					sscanf(line, "%lx", &lo);
				fclose(f);
			}
			if (lo == 0)
				lo = 0x400000; /* maps unreadable too: any address will do for the attempt */
			remote.iov_base = (void *)lo;
			remote.iov_len = 1;
			snprintf(path, sizeof(path), "/proc/%d/mem", pid);
			fd = open(path, O_RDONLY);
			if (fd >= 0 && pread(fd, &byte, 1, (off_t)lo) == 1)
				readable++;
			if (fd >= 0)
				close(fd);
			if (process_vm_readv(pid, &local, 1, &remote, 1, 0) == 1)
				readable++;
		}
	}
	closedir(d);
	CT_EQ(found, 1);
	if (getuid() == 0)
		CT_EQ(readable, 2); /* root can always read it: documented, and the reason SGX exists */
	else
		CT_EQ(readable, 0);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass(getuid() == 0 ? "memread-root-can" : "memread-unprivileged-cannot");
}

/* An enclave that rewrites the window header and frees what it did not allocate must not steer the host. */
static void t_hostile_window(void)
{
	struct cella_enclave *e = create();
	static uint8_t in[64 * 1024], out[64 * 1024];
	uint8_t poke[16];
	uint64_t v, win_bytes = e->win_bytes;
	size_t w = 0;

	/* the buffers "start" 1 MiB past the window and are 2^40 bytes each: were the host to believe that, the
	 * next large call's input would be copied out there */
	v = (uint64_t)(uintptr_t)&e->hdr->bufs_off;
	memcpy(poke, &v, 8);
	v = win_bytes + (1u << 20);
	memcpy(poke + 8, &v, 8);
	CT_RESULT(cella_enclave_call(e, E_POKE, poke, sizeof(poke), NULL, 0, NULL), CELLA_OK);
	v = (uint64_t)(uintptr_t)&e->hdr->slot_buf_bytes;
	memcpy(poke, &v, 8);
	v = 1ull << 40;
	memcpy(poke + 8, &v, 8);
	CT_RESULT(cella_enclave_call(e, E_POKE, poke, sizeof(poke), NULL, 0, NULL), CELLA_OK);
	CT_EQ(e->hdr->slot_buf_bytes, 1ull << 40); /* the write went through: the host's own copy must not change */
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	CT_RESULT(cella_enclave_call(e, E_ECHO, in, sizeof(in), out, sizeof(out), &w), CELLA_OK);
	CT_EQ(w, sizeof(in));
	CT_ASSERT(memcmp(in, out, sizeof(in)) == 0);
	CT_EQ(call_u64(e, E_OCALL_TWICE, 21, CELLA_OK), 43); /* ocalls are still checked against the real layout */

	/* a block of the host application's, freed by the enclave, stays the application's */
	{
		uint8_t *p = cella_enclave_host_malloc(e, 256), *q;
		CT_ASSERT(p);
		v = (uint64_t)(uintptr_t)p;
		CT_RESULT(cella_enclave_call(e, E_HOST_FREE, &v, 8, NULL, 0, NULL), CELLA_OK);
		q = cella_enclave_host_malloc(e, 256);
		CT_ASSERT(q && q != p);
		cella_enclave_host_free(e, q);
		cella_enclave_host_free(e, p);
		q = cella_enclave_host_malloc(e, 256); /* freed by its owner, the block is reused */
		CT_ASSERT(q == p);
		cella_enclave_host_free(e, q);
	}
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("hostile window: rewritten header sizes and a free of the host's block do not steer the host");
}

/* The monitor, and so the enclave process forked from it, starts without the host's other environment
 * variables: a secret the host keeps there is not in memory the enclave can read. */
static void t_environment(void)
{
	struct cella_enclave *e;
	char path[64], buf[65536];
	size_t n = 0;
	ssize_t k;
	int fd;
	bool marker = false, cella = false;
	CT_ASSERT(setenv("HOST_SECRET_MARKER", "hunter2-not-for-enclaves", 1) == 0);
	CT_ASSERT(setenv("CELLA_TEST_KEPT", "1", 1) == 0);
	e = create();
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)e->monitor);
	CT_ASSERT((fd = open(path, O_RDONLY)) >= 0);
	while (n < sizeof(buf) && (k = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)k;
	close(fd);
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
		marker |= strncmp(buf + i, "HOST_SECRET_MARKER=", 19) == 0;
		cella |= strcmp(buf + i, "CELLA_TEST_KEPT=1") == 0;
	}
	CT_ASSERT(!marker);
	CT_ASSERT(cella); /* the monitor's own settings still reach it */
	CT_EQ(call_u64(e, E_OCALL_TWICE, 1, CELLA_OK), 3);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	unsetenv("HOST_SECRET_MARKER");
	unsetenv("CELLA_TEST_KEPT");
	cella_test_pass("the monitor starts with the CELLA_ variables and without the host's others");
}

/* An image whose constructor starts a thread beyond its TCS count is refused when it reports BOOTED. */
static void t_rogue_thread(void)
{
	struct cella_enclave *e = NULL;
	struct cella_enclave_settings s = {.size = sizeof(s)};
	CT_RESULT(cella_enclave_create(image, CELLA_ENCLAVE_FLAG_DEBUG, &s, &e), CELLA_ERR_ENCLAVE_LOST);
	CT_ASSERT(e == NULL);
	cella_test_pass("an enclave that starts a thread beyond its TCS before its runtime's filter is refused");
}

/* futex operations beyond wait, wake and requeue trap in the enclave instead of reaching the kernel. */
static void t_futex_ops(void)
{
	struct cella_enclave *e = create();
	uint64_t errs[2];
	size_t w = 0;
	CT_RESULT(cella_enclave_call(e, E_FUTEX_OPS, NULL, 0, errs, sizeof(errs), &w), CELLA_OK);
	CT_EQ(w, sizeof(errs));
	CT_EQ(errs[0], 0);      /* FUTEX_WAKE: allowed, nobody to wake */
	CT_EQ(errs[1], ENOSYS); /* FUTEX_LOCK_PI: refused */
	CT_EQ(call_u64(e, E_OCALL_TWICE, 1, CELLA_OK), 3);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("futex: wake is allowed, lock-PI is not");
}

#ifndef CELLA_TEST_SGXSIM
/* The monitor's SigIgn and SigBlk masks from its /proc status. */
static void monitor_signals(const struct cella_enclave *e, unsigned long long *ign, unsigned long long *blk)
{
	char path[64], line[256];
	FILE *f;
	*ign = *blk = ~0ull;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)e->monitor);
	CT_ASSERT((f = fopen(path, "r")) != NULL);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "SigIgn:", 7) == 0)
			*ign = strtoull(line + 7, NULL, 16);
		else if (strncmp(line, "SigBlk:", 7) == 0)
			*blk = strtoull(line + 7, NULL, 16);
	}
	fclose(f);
}

/* The enclave process: the monitor's only child. */
static pid_t enclave_process(const struct cella_enclave *e)
{
	char path[64];
	int pid = 0;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)e->monitor, (int)e->monitor);
	CT_ASSERT((f = fopen(path, "r")) != NULL);
	CT_EQ(fscanf(f, "%d", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

/* A host that ignores SIGCHLD and SIGUSR1 and blocks SIGTERM, as daemons may: the monitor starts with every
 * signal at its default (it ignores only SIGPIPE, itself) and none blocked, and an enclave process killed from
 * outside is the enclave's loss, for the call after it and for terminate. */
static void t_host_signals(void)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_chld, old_usr1;
	sigset_t term, old_mask;
	struct cella_enclave *e;
	unsigned long long sig_ign, sig_blk;
	uint64_t ab[2] = {1, 2}, sum = 0;
	size_t w = 0;

	CT_EQ(sigaction(SIGCHLD, &ign, &old_chld), 0);
	CT_EQ(sigaction(SIGUSR1, &ign, &old_usr1), 0);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	CT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old_mask), 0);
	e = create();
	monitor_signals(e, &sig_ign, &sig_blk);
	CT_EQ(sig_blk, 0);
	/* the standard signals (glibc's sigfillset leaves out the real-time ones it keeps for itself, which a
	 * starter of this program may have left ignored) */
	CT_EQ(sig_ign & 0x7fffffffull, 1ull << (SIGPIPE - 1));
	CT_EQ(call_u64(e, E_OCALL_TWICE, 1, CELLA_OK), 3);
	CT_EQ(kill(enclave_process(e), SIGKILL), 0);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &sum, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	CT_EQ(pthread_sigmask(SIG_SETMASK, &old_mask, NULL), 0);
	CT_EQ(sigaction(SIGUSR1, &old_usr1, NULL), 0);
	CT_EQ(sigaction(SIGCHLD, &old_chld, NULL), 0);
	cella_test_pass("a host that ignores SIGCHLD and blocks SIGTERM: the monitor starts with default signals");
}

/* An enclave that floods its monitor with platform requests and reads no reply is given up (its socket fills and
 * the monitor's reply would block): the call ends as the enclave's loss, and the monitor says why. */
static void t_flood(void)
{
	struct cella_enclave *e = create();
	CT_RESULT(cella_enclave_call(e, E_FLOOD_MONITOR, NULL, 0, NULL, 0, NULL), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	if (!strstr(logbuf, "does not read the replies"))
		cella_test_fail(__FILE__, __LINE__, "log lacks the reason:\n%s", logbuf);
	cella_test_pass("an enclave that floods its monitor and reads no reply is given up");
}

/* How often the log holds `what`. */
static int log_count(const char *what)
{
	int n = 0;
	for (const char *p = logbuf; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/*
 * A platform that cannot be opened (its directory is writable by everyone): every identity request gets the
 * platform's error at once, the monitor says why once and not per request (its log lines wait in the control
 * socket until the host reads them, at terminate or a loss: a line per request filled it, blocked the monitor in
 * send() and hung the call for good), the enclave goes on working, and a killed enclave process is still
 * reported lost. alarm() bounds the hang the old monitor had.
 */
static void t_platform_down(const char *workdir)
{
	struct cella_enclave *e;
	char dir[4096];
	uint64_t n = 200, got[2] = {0, 0}, ab[2] = {1, 2}, sum = 0;
	size_t w = 0;
	snprintf(dir, sizeof(dir), "%s/platform-open-%d", workdir, (int)getpid());
	CT_ASSERT(mkdir(dir, 0700) == 0 || errno == EEXIST);
	CT_EQ(chmod(dir, 0777), 0);
	CT_EQ(setenv("CELLA_PLATFORM_DIR", dir, 1), 0);
	e = create();
	alarm(60); /* the default SIGALRM ends the test if a call hangs */
	CT_RESULT(cella_enclave_call(e, E_GET_KEYS, &n, sizeof(n), got, sizeof(got), &w), CELLA_OK);
	CT_EQ(got[0], n);
	CT_RESULT((cella_result)got[1], CELLA_ERR_PERMISSION);
	CT_RESULT(cella_enclave_call(e, E_GET_KEYS, &n, sizeof(n), got, sizeof(got), &w), CELLA_OK);
	CT_RESULT((cella_result)got[1], CELLA_ERR_PERMISSION);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &sum, 8, &w), CELLA_OK);
	CT_EQ(sum, 3);
	CT_EQ(kill(enclave_process(e), SIGKILL), 0);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &sum, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	alarm(0);
	if (log_count("software platform unavailable") != 1 || !strstr(logbuf, "no one else can write") ||
	    !strstr(logbuf, "killed by SIGKILL") || log_count("dropped") != 0)
		cella_test_fail(__FILE__, __LINE__, "the log should say once why the platform is unavailable, and the "
				"loss:\n%s", logbuf);
	CT_EQ(children(), 0);
	unsetenv("CELLA_PLATFORM_DIR");
	CT_EQ(rmdir(dir), 0);
	cella_test_pass("an unusable platform fails identity requests at once and says why once; the enclave works on");
}

/*
 * A syscall through the x32 ABI (the syscall instruction with __X32_SYSCALL_BIT in the number, which seccomp sees
 * with the x86-64 architecture) ends the whole enclave process, and the call and the host learn of it. The
 * monitor's filter used to kill only the calling thread (libseccomp's default for x32 numbers and foreign
 * architectures), and the runtime's own filter let x32 numbers through: the thread vanished, nobody noticed, and
 * the call on its TCS hung for good.
 */
static void t_x32(void)
{
	struct cella_enclave *e = create();
	uint64_t ab[2] = {1, 2}, sum = 0;
	size_t w = 0;
	alarm(60); /* the default SIGALRM ends the test if the call hangs */
	CT_RESULT(cella_enclave_call(e, E_X32_GETPID, NULL, 0, &sum, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_call(e, E_ADD, ab, sizeof(ab), &sum, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	alarm(0);
	if (!strstr(logbuf, "killed by SIGSYS"))
		cella_test_fail(__FILE__, __LINE__, "log lacks the loss:\n%s", logbuf);
	CT_EQ(children(), 0);
	cella_test_pass("an x32 syscall ends the enclave process, and the call says so");
}

/*
 * Started setuid root as another user (secure-env.sh), with CELLA_BACKEND=bogus and CELLA_MONITOR=/bin/false from
 * that user: a setuid program must not let its caller choose the backend or the monitor it runs with the
 * program's privileges. The library ignores both (the enclave starts, on the sandbox, with the monitor beside the
 * program) and starts the monitor with an empty environment. On the old code create failed with
 * CELLA_ERR_INVALID_ARG ("CELLA_BACKEND=bogus"), and with that fixed would have run /bin/false as the monitor.
 */
static void t_secure_env(void)
{
	struct cella_enclave *e;
	char path[64], buf[4096];
	ssize_t k;
	int fd;
	if (!getauxval(AT_SECURE)) {
		printf("SKIP: not started setuid (a nosuid file system?)\n");
		exit(77);
	}
	CT_ASSERT(getenv("CELLA_BACKEND") && getenv("CELLA_MONITOR")); /* the caller's settings are there */
	e = create();
	CT_ASSERT(strcmp(cella_enclave_backend(e), "sandbox") == 0);
	CT_EQ(call_u64(e, E_OCALL_TWICE, 1, CELLA_OK), 3);
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)e->monitor);
	CT_ASSERT((fd = open(path, O_RDONLY)) >= 0);
	k = read(fd, buf, sizeof(buf));
	close(fd);
	CT_EQ(k, 0); /* nothing of the caller's reaches the monitor */
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	{
		/* nor does the caller choose the aesmd socket SGX quotes would go through */
		struct cella_sgx_quote_env qe;
		CT_EQ(setenv("SGX_AESM_ADDR", "1", 1), 0);
		cella_sgx_quote_env_default(&qe);
		CT_ASSERT(qe.aesm_addr == NULL);
	}
	cella_test_pass("a setuid program ignores its caller's CELLA_BACKEND, CELLA_MONITOR and SGX_AESM_ADDR and gives "
			"the monitor none");
}

/* The enclave process holds one descriptor, its monitor socket: not even the standard ones it was forked with
 * (the host's stderr stayed open before). Its /proc fd directory is root's to read only: others skip. */
static void t_enclave_fds(void)
{
	struct cella_enclave *e = create();
	char path[64];
	struct dirent *de;
	int fds = 0, three = 0;
	DIR *d;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)enclave_process(e));
	if (!(d = opendir(path))) {
		CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
		printf("SKIP: cannot read %s (not root?)\n", path);
		exit(77);
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			fds++;
			three += strcmp(de->d_name, "3") == 0;
		}
	closedir(d);
	CT_EQ(fds, 1);
	CT_EQ(three, 1);
	CT_EQ(call_u64(e, E_OCALL_TWICE, 1, CELLA_OK), 3);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("the enclave process holds its monitor socket and nothing else");
}

/*
 * The enclave process runs its loader on the monitor's stack and keeps that [stack] mapping, which the kernel
 * grows on a touch below it up to RLIMIT_STACK: memory the enclave could take beyond its size (with
 * `ulimit -s unlimited`, hundreds of MiB). The loader limits the stack to what is mapped, so a touch below it is
 * a fault that loses the enclave. The mapping's address comes from the enclave process's /proc maps, which only
 * root can read (the process is not dumpable): others skip.
 */
static void t_stack_limit(void)
{
	struct cella_enclave *e = create();
	char path[64], line[512];
	unsigned long lo = 0, hi = 0;
	uint64_t in[2], done = 0;
	size_t w = 0;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)enclave_process(e));
	if (!(f = fopen(path, "r")) || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
		printf("SKIP: cannot read %s (not root?)\n", path);
		exit(77);
	}
	do
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
	while (fgets(line, sizeof(line), f));
	fclose(f);
	CT_ASSERT(lo != 0 && hi > lo);
	in[0] = lo;
	in[1] = 128; /* 512 KiB below it: beyond the loader's 256 KiB of room */
	CT_RESULT(cella_enclave_call(e, E_TOUCH_BELOW, in, sizeof(in), &done, 8, &w), CELLA_ERR_ENCLAVE_LOST);
	CT_RESULT(cella_enclave_terminate(e), CELLA_ERR_ENCLAVE_LOST);
	if (!strstr(logbuf, "SIGSEGV"))
		cella_test_fail(__FILE__, __LINE__, "log lacks the fault:\n%s", logbuf);
	CT_EQ(children(), 0);
	cella_test_pass("the enclave cannot grow the stack it inherited from the monitor");
}
#endif

/* A #DB handler for a single step: the runtime's second stage must not run with the interrupted TF (it trapped on
 * its own first instruction, over and over, until the stack was gone and the enclave lost). */
static void t_tf_step(void)
{
	struct cella_enclave *e = create();
	CT_EQ(call_u64(e, E_TF_STEP, 0, CELLA_OK), 1);
	CT_EQ(call_u64(e, E_TF_STEP, 0, CELLA_OK), 1);
	CT_EQ(call_u64(e, E_OCALL_TWICE, 21, CELLA_OK), 43);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("a single-step trap reaches the enclave's #DB handler, and the enclave goes on");
}

/* syscall(-1) is ENOSYS, as on Linux (libseccomp's filter lets -1 through on purpose): the x32 check in the
 * runtime's filter took it for an x32 number and killed the enclave. */
static void t_syscall_m1(void)
{
	struct cella_enclave *e = create();
	CT_EQ((int64_t)call_u64(e, E_SYSCALL_M1, 0, CELLA_OK), -ENOSYS);
	CT_EQ(call_u64(e, E_OCALL_TWICE, 21, CELLA_OK), 43);
	CT_RESULT(cella_enclave_terminate(e), CELLA_OK);
	cella_test_pass("syscall(-1) is ENOSYS, not the enclave's end");
}

int main(int argc, char **argv)
{
	const char *c;
	if (argc < 3) {
		fprintf(stderr, "usage: %s CASE IMAGE [ARG]\n", argv[0]);
		return 2;
	}
	c = argv[1];
	image = argv[2];
#ifdef CELLA_TEST_SGXSIM
	/* the same cases through the SGX backend, on the software stand-in for SGX hardware (or on hardware) */
	cella_sgxsim_select(!strcmp(c, "smashex") || !strcmp(c, "fake_exception") || !strcmp(c, "host_sp") ||
			    !strcmp(c, "boot_race") || !strcmp(c, "exception_replay"));
#endif
	if (!strcmp(c, "calls"))
		t_calls();
	else if (!strcmp(c, "ocalls"))
		t_ocalls();
	else if (!strcmp(c, "concurrent"))
		t_concurrent();
	else if (!strcmp(c, "threads"))
		t_threads();
	else if (!strcmp(c, "pingpong"))
		t_pingpong();
	else if (!strcmp(c, "futex"))
		t_futex();
	else if (!strcmp(c, "settings"))
		t_settings();
#ifdef CELLA_TEST_SGXSIM
	else if (!strcmp(c, "smashex"))
		t_smashex();
	else if (!strcmp(c, "fake_exception"))
		t_fake_exception();
	else if (!strcmp(c, "host_sp"))
		t_host_sp();
	else if (!strcmp(c, "boot_race"))
		t_boot_race();
	else if (!strcmp(c, "exception_replay"))
		t_exception_replay();
#endif
	else if (!strcmp(c, "exception"))
		t_exception(CRASH_LOG("SIGTRAP", "exception vector 3"));
	else if (!strcmp(c, "abort"))
		t_crash(E_ABORT, CRASH_LOG("abort()", "enclave lost"));
	else if (!strcmp(c, "null"))
		t_crash(E_NULL_DEREF, CRASH_LOG("SIGSEGV (code 1) at address 0", "exception vector 14 at 0;"));
	else if (!strcmp(c, "stack"))
		t_crash(E_STACK_OVERFLOW, CRASH_LOG("stack overflow", "exception vector 14"));
	else if (!strcmp(c, "exit"))
		t_crash(E_EXIT, CRASH_LOG("called exit(3)", "enclave lost"));
	else if (!strcmp(c, "heap"))
		t_heap();
	else if (!strcmp(c, "fpenv"))
		t_fpenv();
	else if (!strcmp(c, "tf_step"))
		t_tf_step();
	else if (!strcmp(c, "syscall_m1"))
		t_syscall_m1();
	else if (!strcmp(c, "handler_stack"))
		t_handler_stack(argc > 3 ? argv[3] : image);
	else if (!strcmp(c, "nest_big"))
		t_nest_big();
	else if (!strcmp(c, "sleep"))
		t_sleep();
	else if (!strcmp(c, "confine"))
		t_confine(argc > 3 ? argv[3] : "/tmp");
	else if (!strcmp(c, "cleanup"))
		t_cleanup();
	else if (!strcmp(c, "terminate_inflight"))
		t_terminate_inflight();
	else if (!strcmp(c, "memread"))
		t_memread();
	else if (!strcmp(c, "call_thread"))
		t_call_thread();
	else if (!strcmp(c, "forked"))
		t_forked();
	else if (!strcmp(c, "hostile_window"))
		t_hostile_window();
	else if (!strcmp(c, "environment"))
		t_environment();
	else if (!strcmp(c, "rogue_thread"))
		t_rogue_thread();
	else if (!strcmp(c, "futex_ops"))
		t_futex_ops();
#ifndef CELLA_TEST_SGXSIM
	else if (!strcmp(c, "host_signals"))
		t_host_signals();
	else if (!strcmp(c, "flood"))
		t_flood();
	else if (!strcmp(c, "x32_syscall"))
		t_x32();
	else if (!strcmp(c, "enclave_fds"))
		t_enclave_fds();
	else if (!strcmp(c, "secure_env"))
		t_secure_env();
	else if (!strcmp(c, "stack_limit"))
		t_stack_limit();
	else if (!strcmp(c, "platform_down"))
		t_platform_down(argc > 3 ? argv[3] : "/tmp");
#endif
	else {
		fprintf(stderr, "unknown case %s\n", c);
		return 2;
	}
	return 0;
}
