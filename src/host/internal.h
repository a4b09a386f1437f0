/* SPDX-License-Identifier: MIT */
/* Host library internals. */
#ifndef CELLA_HOST_INTERNAL_H
#define CELLA_HOST_INTERNAL_H

#include <cella/abi/window.h>
#include <cella/host.h>

#include <pthread.h>
#include <sys/types.h>

#include "proto.h"

struct cella_arena {
	pthread_mutex_t lock;
	uint64_t lo, hi;        /* window offsets */
	struct cella_extent {
		uint64_t off, len;
		uint32_t owner; /* used extents: enum cella_arena_owner */
	} *free_list, *used;    /* host-private metadata, sorted by offset */
	size_t nfree, nused, cap_free, cap_used;
};

struct cella_sgx_enclave; /* the SGX backend's state (sgx/sgx_backend.c) */

struct cella_enclave {
	uint32_t flags;
	struct cella_sgx_enclave *sgx; /* NULL on the sandbox backend */
	struct cella_enclave_settings s;
	pid_t monitor;
	int monitor_pidfd;
	int ctl;                 /* control socket to the monitor */
	uint8_t *win;
	uint64_t win_bytes;
	struct cella_abi_window *hdr;  /* the enclave can write it: the host reads only its state word */
	uint64_t bufs_off;             /* host-private copies of the layout the header announces */
	uint64_t slot_buf_bytes;
	struct cella_abi_slot *slots;
	uint32_t tcs_count;
	uint32_t *slot_busy;     /* host-private: 1 while a host thread owns the slot */
	int lost;                /* latched once the enclave is gone; any thread (atomic: cella_enclave_lost) */
	int active;              /* calls between prepare and release (atomic) */
	int closing;             /* terminate has begun: new calls are refused (atomic) */
	uint64_t call_ns;        /* running average of ecall durations, sandbox (atomic; calls.c's wait policy) */
	uint64_t futex_sleeps;   /* CELLA_OCALL_FUTEX_WAITs that slept (atomic; tests read it) */
	uint64_t futex_stale;    /* ... that returned at once: a wake came after the enclave's check (atomic) */
	struct cella_arena arena;
	struct cella_hash mrenclave, mrsigner;
	int log_level;
	uint64_t fork_generation; /* the process's fork generation at create (cella_enclave_forked) */
};

void cella_log(const struct cella_enclave *e, enum cella_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cella_log_default(const struct cella_enclave_settings *s, int *level);

cella_result cella_arena_init(struct cella_arena *a, uint64_t lo, uint64_t hi);
void cella_arena_fini(struct cella_arena *a);
/* Who made an arena block, and so who may free it (a bit each, for cella_arena_free's mask). */
enum cella_arena_owner {
	CELLA_ARENA_CALL = 1,    /* an ecall's buffer: freed only when the call is released */
	CELLA_ARENA_HOST = 2,    /* cella_enclave_host_malloc */
	CELLA_ARENA_ENCLAVE = 4, /* the enclave's CELLA_OCALL_MALLOC (cella_host_malloc) */
};
/* Returns a 16-aligned window offset, or 0 when full. */
uint64_t cella_arena_alloc(struct cella_arena *a, uint64_t n, enum cella_arena_owner owner);
/* Frees an offset returned by cella_arena_alloc if its owner is in `owners` (a mask of enum cella_arena_owner);
 * unknown offsets and other owners' blocks are left alone (returns false). */
bool cella_arena_free(struct cella_arena *a, uint64_t off, unsigned owners);

/*
 * The window for e's TCS count and settings (window.c, cella/abi/window.h): its size, and its layout written
 * into `mem` (that many bytes, zeroed; sets e->win, hdr, slots, arena), checked as the enclave checks it at boot.
 */
uint64_t cella_window_bytes(const struct cella_enclave *e);
cella_result cella_window_lay_out(struct cella_enclave *e, uint8_t *mem, uint64_t bytes);
/* One message to cella-monitor on `sock`, with fd attached if >= 0 (proto.h). */
cella_result cella_pmsg_send(int sock, const struct cella_pmsg *m, int fd);
/* The laid-out window, now mapped at `mem` instead (the same memory: the contents stay). */
void cella_window_rebase(struct cella_enclave *e, uint8_t *mem);

/*
 * SGX's futex stand-in (calls.c; cella/abi/window.h, CELLA_WINDOW_FUTEX_OFF): a CELLA_OCALL_FUTEX_WAIT input
 * (key, timeout ns, counter as the enclave read it) served: sleeps while the key's counter holds that value, at
 * most the timeout capped at 1 ms. CELLA_ERR_MARSHAL for a malformed input. The wake adds one to the key's
 * counter and wakes its sleepers.
 */
cella_result cella_futex_wait(struct cella_enclave *e, const uint8_t *in, size_t in_bytes);
void cella_futex_wake(struct cella_enclave *e, uint64_t key);

/*
 * The built-in CELLA_OCALL_TIME (calls.c; in: u32 clock id, out: i64 seconds, i64 nanoseconds): clock_gettime on
 * CLOCK_REALTIME, _MONOTONIC, _MONOTONIC_RAW, _REALTIME_COARSE, _MONOTONIC_COARSE or _BOOTTIME, the clocks every
 * process may read. Any other id, the CPU-time clocks above all (Linux encodes another process's pid in them, and
 * the host's own would tell the enclave about the host), is CELLA_ERR_PERMISSION, logged with the id, with
 * nothing written; CELLA_ERR_MARSHAL for malformed sizes.
 */
cella_result cella_ocall_time(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
			      size_t out_bytes, size_t *written);

/* True if this thread is inside a call into `e` (an ocall handler runs on it). */
bool cella_calls_in_this_thread(struct cella_enclave *e);

/*
 * True in a process forked after `e` was created: the enclave, its monitor and its window belong to the parent,
 * so the child may not call it, allocate in its window or stop it (enclave.c counts forks with pthread_atfork).
 */
bool cella_enclave_forked(const struct cella_enclave *e);

cella_result cella_sandbox_create(struct cella_enclave *e, const char *path);
cella_result cella_sandbox_terminate(struct cella_enclave *e);
/* Frees what this process holds of the enclave (fds, mappings, memory) without touching the enclave itself. */
void cella_sandbox_forget(struct cella_enclave *e);
/* Reads pending monitor messages without blocking and logs them. */
void cella_sandbox_drain(struct cella_enclave *e);
/* e->lost, read from any thread. */
static inline bool cella_enclave_lost(struct cella_enclave *e)
{
	return __atomic_load_n(&e->lost, __ATOMIC_ACQUIRE) != 0;
}
/* Latches e->lost; true for the one caller that latched it. */
static inline bool cella_enclave_mark_lost(struct cella_enclave *e)
{
	return __atomic_exchange_n(&e->lost, 1, __ATOMIC_ACQ_REL) == 0;
}
/* True if the enclave is gone (window marked lost or monitor dead); latches e->lost. */
bool cella_sandbox_check_lost(struct cella_enclave *e);

#endif
