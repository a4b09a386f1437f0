// SPDX-License-Identifier: MIT
/* Enclave lifecycle: backend selection, create, terminate, identity. */
#include "internal.h"
#include "sgx/sgx_backend.h"
#include "sgx/sgx_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Forks this process has been through (atomic): a child's count is one more than its parent's was. */
static uint64_t fork_generation;
static pthread_once_t fork_watch_once = PTHREAD_ONCE_INIT;
static int fork_watch_error;

static void count_fork(void)
{
	__atomic_add_fetch(&fork_generation, 1, __ATOMIC_RELAXED);
}

static void watch_forks(void)
{
	fork_watch_error = pthread_atfork(NULL, NULL, count_fork);
}

/* see internal.h */
bool cella_enclave_forked(const struct cella_enclave *e)
{
	return __atomic_load_n(&fork_generation, __ATOMIC_RELAXED) != e->fork_generation;
}

static const char *sgx_device(void)
{
	if (cella_sgx_stand_in)
		return cella_sgx_stand_in->name;
	if (access("/dev/sgx_enclave", F_OK) == 0)
		return "/dev/sgx_enclave";
	if (access("/dev/sgx/enclave", F_OK) == 0)
		return "/dev/sgx/enclave";
	return NULL;
}

/*
 * Chooses the backend; CELLA_OK with *sgx set (*forced: by the flags or CELLA_BACKEND, so no fallback), or an
 * error naming why nothing fits.
 */
static cella_result choose_backend(struct cella_enclave *e, bool *sgx, bool *forced)
{
	const char *env = secure_getenv("CELLA_BACKEND"); /* not a setuid program's caller's to choose */
	bool want_sgx = e->flags & CELLA_ENCLAVE_FLAG_SGX, want_sandbox = e->flags & CELLA_ENCLAVE_FLAG_SANDBOX;

	if (want_sgx && want_sandbox) {
		cella_log(e, CELLA_LOG_ERROR, "flags ask for both the SGX and the sandbox backend");
		return CELLA_ERR_INVALID_ARG;
	}
	if (!want_sgx && !want_sandbox && env && *env) {
		if (strcmp(env, "sgx") == 0)
			want_sgx = true;
		else if (strcmp(env, "sandbox") == 0)
			want_sandbox = true;
		else {
			cella_log(e, CELLA_LOG_ERROR, "CELLA_BACKEND=%s: expected 'sandbox' or 'sgx'", env);
			return CELLA_ERR_INVALID_ARG;
		}
	}
	*forced = want_sgx || want_sandbox;
	if (want_sgx && !sgx_device()) {
		cella_log(e, CELLA_LOG_ERROR,
			  "SGX backend requested but neither /dev/sgx_enclave nor /dev/sgx/enclave exists");
		return CELLA_ERR_NO_DEVICE;
	}
	*sgx = want_sgx || (!want_sandbox && sgx_device());
	if (*sgx)
		cella_log(e, CELLA_LOG_INFO, "backend: sgx (%s%s)", sgx_device(), want_sgx ? ", requested" : "");
	return CELLA_OK;
}

/* see cella/host.h */
cella_result cella_enclave_create(const char *path, uint32_t flags, const struct cella_enclave_settings *settings,
				  struct cella_enclave **enclave)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_enclave *e = NULL;
	bool sgx = false, forced = false;

	*enclave = NULL;
	if (flags & ~(uint32_t)(CELLA_ENCLAVE_FLAG_DEBUG | CELLA_ENCLAVE_FLAG_SANDBOX | CELLA_ENCLAVE_FLAG_SGX |
				CELLA_ENCLAVE_FLAG_SPIN)) {
		cella_log(NULL, CELLA_LOG_ERROR, "cella_enclave_create: unknown flags %#x", flags);
		return CELLA_ERR_INVALID_ARG;
	}
	if (settings && settings->size != sizeof(*settings) &&
	    settings->size != offsetof(struct cella_enclave_settings, wait_yield_us)) {
		cella_log(NULL, CELLA_LOG_ERROR, "cella_enclave_create: settings->size is %u, expected %zu (or %zu)",
			  settings->size, sizeof(*settings), offsetof(struct cella_enclave_settings, wait_yield_us));
		return CELLA_ERR_INVALID_ARG;
	}
	if (pthread_once(&fork_watch_once, watch_forks) != 0 || fork_watch_error != 0) {
		cella_log(NULL, CELLA_LOG_ERROR, "cella_enclave_create: cannot register a fork handler");
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return CELLA_ERR_OUT_OF_MEMORY;
	e->fork_generation = __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
	e->flags = flags;
	e->ctl = e->monitor_pidfd = -1;
	if (settings)
		memcpy(&e->s, settings, settings->size); /* an older, shorter struct leaves the rest zero */
	e->s.size = sizeof(e->s);
	if (!e->s.wait_yield_us)
		e->s.wait_yield_us = 2000;
	if (!e->s.call_buffer_bytes)
		e->s.call_buffer_bytes = 4u << 20;
	if (!e->s.arena_bytes)
		e->s.arena_bytes = 16u << 20;
	if (e->s.call_buffer_bytes > (1ull << 32) || e->s.arena_bytes > (1ull << 36) ||
	    (e->s.ocall_count && !e->s.ocall_table) ||
	    (e->s.wait_yield_us > 1000000 && e->s.wait_yield_us != CELLA_WAIT_NO_YIELD)) {
		cella_log(e, CELLA_LOG_ERROR, "cella_enclave_create: settings out of range");
		CELLA_FAIL(CELLA_ERR_INVALID_ARG);
	}
	e->s.call_buffer_bytes = (e->s.call_buffer_bytes + 4095) & ~4095ull;
	e->s.arena_bytes = (e->s.arena_bytes + 4095) & ~4095ull;
	cella_log_default(&e->s, &e->log_level);
	CELLA_CHECK(choose_backend(e, &sgx, &forced));
	if (sgx) {
		r = cella_sgx_create(e, path);
		if (r == CELLA_ERR_UNSUPPORTED && !forced) {
			cella_log(e, CELLA_LOG_WARNING, "%s: running on the sandbox backend instead of SGX", path);
			sgx = false;
		} else if (r != CELLA_OK) {
			goto out;
		}
	}
	if (!sgx)
		CELLA_CHECK(cella_sandbox_create(e, path));
	*enclave = e;
	e = NULL;
	r = CELLA_OK;
out:
	if (e) {
		if (!sgx) /* a failed cella_sgx_create has already released everything */
			(void)cella_sandbox_terminate(e);
		free(e);
	}
	return r;
}

/* see cella/host.h */
cella_result cella_enclave_terminate(struct cella_enclave *e)
{
	cella_result r;
	if (!e)
		return CELLA_OK;
	if (cella_enclave_forked(e)) {
		/* The enclave is the parent's: free this process's copies of its fds and mappings, stop nothing. */
		if (cella_sgx_owns(e))
			cella_sgx_forget(e);
		else
			cella_sandbox_forget(e);
		free(e);
		return CELLA_OK;
	}
	if (cella_calls_in_this_thread(e)) {
		cella_log(e, CELLA_LOG_ERROR, "cella_enclave_terminate called from inside a call into the same enclave");
		return CELLA_ERR_INVALID_STATE;
	}
	/*
	 * Refuse new calls, stop the enclave (the monitor marks the window lost, which ends every call still
	 * waiting on it with CELLA_ERR_ENCLAVE_LOST), then wait until those calls have been released before any
	 * memory they use is freed.
	 */
	__atomic_store_n(&e->closing, 1, __ATOMIC_SEQ_CST);
	r = cella_sgx_owns(e) ? cella_sgx_terminate(e) : cella_sandbox_terminate(e);
	free(e);
	return r;
}

/* see cella/host.h */
cella_result cella_enclave_identity(struct cella_enclave *e, struct cella_hash *mrenclave, struct cella_hash *mrsigner)
{
	if (mrenclave)
		*mrenclave = e->mrenclave;
	if (mrsigner)
		*mrsigner = e->mrsigner;
	return CELLA_OK;
}

/* see cella/host.h */
const char *cella_enclave_backend(struct cella_enclave *e)
{
	return cella_sgx_owns(e) ? "sgx" : "sandbox";
}

/* see cella/host.h */
void *cella_enclave_user(struct cella_enclave *e)
{
	return e->s.user;
}
