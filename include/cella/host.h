/* SPDX-License-Identifier: MIT */
/* The host-side API: create an enclave, call into it, serve its ocalls, terminate it. */
#ifndef CELLA_HOST_H
#define CELLA_HOST_H

#ifdef CELLA_ENCLAVE_H
#error "cella/enclave.h and cella/host.h cannot be included in one translation unit"
#endif

#include <cella/result.h>
#include <cella/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cella_enclave; /* opaque */

/* cella_enclave_create() flags */
#define CELLA_ENCLAVE_FLAG_DEBUG 0x1u   /* run a debug enclave (its properties must say DEBUG) */
#define CELLA_ENCLAVE_FLAG_SANDBOX 0x2u /* force the sandbox backend (same as CELLA_BACKEND=sandbox) */
#define CELLA_ENCLAVE_FLAG_SGX 0x4u     /* force the SGX backend (same as CELLA_BACKEND=sgx) */
#define CELLA_ENCLAVE_FLAG_SPIN 0x8u    /* callers spin instead of sleeping while waiting (lowest latency) */

enum cella_log_level {
	CELLA_LOG_ERROR = 1,
	CELLA_LOG_WARNING = 2,
	CELLA_LOG_INFO = 3,
	CELLA_LOG_DEBUG = 4,
};

/* Receives the library's log messages (one line, no trailing newline). May be called from any thread. */
typedef void (*cella_log_fn)(void *ctx, enum cella_log_level level, const char *msg);

/*
 * An ocall handler. `in` and `out` point into the shared window (memory the enclave can also change at any
 * time: copy before you validate). Write at most out_bytes to `out` and set *out_written: a handler that reports
 * more has already overrun window memory, and the host process aborts.
 */
typedef cella_result (*cella_ocall_fn)(struct cella_enclave *e, const uint8_t *in, size_t in_bytes, uint8_t *out,
				       size_t out_bytes, size_t *out_written);

/* Receives what the enclave writes to its stdout (fd 1) and stderr (fd 2). Default: the host's own fd 1/2. */
typedef void (*cella_output_fn)(void *ctx, int fd, const char *bytes, size_t n);

struct cella_enclave_settings {
	uint32_t size;                  /* sizeof(struct cella_enclave_settings) */
	uint32_t ocall_count;
	const cella_ocall_fn *ocall_table; /* borrowed; must outlive the enclave */
	cella_log_fn log;               /* NULL: warnings and errors go to stderr (CELLA_LOG_LEVEL=0..4 adjusts) */
	void *log_ctx;
	cella_output_fn output;         /* NULL: the host's stdout/stderr */
	void *output_ctx;
	uint64_t call_buffer_bytes;     /* per-TCS window area for nested call frames; 0 = 4 MiB */
	uint64_t arena_bytes;           /* window arena for large buffers and cella_host_malloc; 0 = 16 MiB */
	void *user;                     /* returned by cella_enclave_user() */
	/* Sandbox: how long a waiting caller keeps checking for the reply, yielding the CPU in between, before it
	 * sleeps: 0 = 2000 µs (on virtual machines waking a sleeping thread costs tens of µs), at most 1000000;
	 * CELLA_WAIT_NO_YIELD sleeps right after a short spin (bare metal with idle cores). A newer field: a
	 * settings struct without it (size = offsetof(..., wait_yield_us)) is accepted and means 0. */
	uint32_t wait_yield_us;
};
#define CELLA_WAIT_NO_YIELD 0xffffffffu

/*
 * Loads the enclave image at `path` and starts it. Backend: sgx when /dev/sgx_enclave exists, else sandbox;
 * CELLA_BACKEND=sandbox|sgx or the FLAG_SANDBOX/FLAG_SGX flags override. The backend measures the image
 * itself and refuses it unless it satisfies the EINIT rules.
 * Errors: CELLA_ERR_NO_FILE, CELLA_ERR_IO (a directory, or a path that cannot be read: the log names the path and
 * why), CELLA_ERR_TOO_LARGE (a file over 64 GiB), CELLA_ERR_TRUNCATED, CELLA_ERR_IMAGE_* (the log names what is
 * wrong), CELLA_ERR_SIGNATURE, CELLA_ERR_MEASUREMENT, CELLA_ERR_NOT_SIGNED, CELLA_ERR_DEBUG_MISMATCH,
 * CELLA_ERR_NO_DEVICE, CELLA_ERR_BACKEND, CELLA_ERR_ENCLAVE_LOST (it crashed while starting), CELLA_ERR_INVALID_ARG
 * (settings out of range: call_buffer_bytes over 4 GiB, arena_bytes over 64 GiB, wait_yield_us over 1 s and not
 * CELLA_WAIT_NO_YIELD, ocall_count without ocall_table), CELLA_ERR_OUT_OF_MEMORY (host
 * memory, or EPC on SGX), CELLA_ERR_SIGSTRUCT (a SIGSTRUCT the EINIT rules refuse: both backends check them),
 * CELLA_ERR_ATTRIBUTES (MISCSELECT, ATTRIBUTES or XFRM the signature does not allow, or, on SGX, that this CPU or
 * driver does not allow), CELLA_ERR_CRYPTO (the sandbox monitor could not reseed its random generator). SGX only:
 * CELLA_ERR_UNSUPPORTED (the image has no SGX entry point and SGX was forced; unforced, it runs on the sandbox
 * instead), CELLA_ERR_PERMISSION (the enclave device, or the provisioning device a PROVISIONKEY enclave needs,
 * refuses this user).
 * `settings` may be NULL (no ocalls, defaults). On success *enclave is set; on failure nothing is left running.
 */
CELLA_API CELLA_MUST_USE cella_result cella_enclave_create(const char *path, uint32_t flags,
							   const struct cella_enclave_settings *settings,
							   struct cella_enclave **enclave) CELLA_NONNULL(1, 4);

/*
 * Stops the enclave and frees every resource it held (processes, fds, mappings). NULL is a no-op. Calls other
 * threads still have in flight end with CELLA_ERR_ENCLAVE_LOST, and terminate returns once they have; new calls
 * made meanwhile fail with CELLA_ERR_INVALID_STATE (after it returns, the handle is gone). Returns CELLA_OK,
 * CELLA_ERR_ENCLAVE_LOST if the enclave had crashed (resources are freed anyway), or CELLA_ERR_INVALID_STATE
 * (and does nothing) when called from an ocall handler of the same enclave. In a process forked after the
 * enclave was created, terminate frees only that process's copies of its fds and mappings and returns CELLA_OK:
 * the enclave, still the parent's, keeps running. A call sleeping in the enclave (the
 * host's sleep ocall) is woken within 50 ms. On the sandbox a call spinning in the enclave is stopped with its
 * process; on SGX nothing outside can stop an enclave thread that never exits, so terminate waits for it.
 */
CELLA_API cella_result cella_enclave_terminate(struct cella_enclave *enclave);

/*
 * Calls ecall `fn`: copies in_bytes from `in` into the shared window, runs the call on a free TCS (or, from
 * inside an ocall handler, on the TCS that made the ocall) and copies the reply (at most out_bytes) to `out`.
 * Errors: CELLA_ERR_ENCLAVE_LOST (now and for every later call), CELLA_ERR_OUT_OF_TCS, CELLA_ERR_INVALID_FUNCTION,
 * CELLA_ERR_ECALL_NOT_ALLOWED, CELLA_ERR_REENTRANT (a nested ecall beyond 8 levels on one TCS: the top-level call
 * and 7 made from ocall handlers), CELLA_ERR_OUT_OF_MEMORY (window too small), CELLA_ERR_MARSHAL, CELLA_ERR_OVERFLOW
 * (in_bytes + out_bytes overflows), CELLA_ERR_INVALID_ARG (a NULL buffer with a non-zero size),
 * CELLA_ERR_INVALID_STATE (terminate has begun, or this process was forked after create: only the process that
 * created an enclave can call it), or the ecall's own result. Threads: any; concurrent calls run on different TCSs.
 */
CELLA_API CELLA_MUST_USE cella_result cella_enclave_call(struct cella_enclave *e, uint32_t fn, const void *in,
							 size_t in_bytes, void *out, size_t out_bytes,
							 size_t *out_written) CELLA_NONNULL(1);

/*
 * Zero-copy form for generated stubs: cella_call_prepare() binds a TCS and reserves a window buffer with room
 * for in_bytes of input (write it at c->in) and out_bytes of output; cella_call_invoke() runs the ecall, after
 * which c->out/c->out_written (<= out_bytes, checked) describe the reply in window memory; cella_call_release()
 * frees the buffer and the TCS. Release is required after a successful prepare, whatever invoke returned.
 * A call belongs to the thread that prepared it: invoke and release on another thread return
 * CELLA_ERR_INVALID_STATE and change nothing. Prepare errors: CELLA_ERR_OVERFLOW, CELLA_ERR_INVALID_STATE,
 * CELLA_ERR_ENCLAVE_LOST, CELLA_ERR_OUT_OF_TCS, CELLA_ERR_OUT_OF_MEMORY (as cella_enclave_call's).
 */
struct cella_call {
	void *in;                /* window memory, in_bytes */
	const void *out;         /* window memory, out_bytes; valid after invoke until release */
	size_t in_bytes;
	size_t out_bytes;
	size_t out_written;
	/* private */
	struct cella_call *prev;
	struct cella_enclave *e;
	uint64_t buf_off;
	uint64_t frame_end;
	uint32_t slot;
	uint32_t owns_slot;
	uint32_t arena;
	uint32_t reserved;
};
CELLA_API CELLA_MUST_USE cella_result cella_call_prepare(struct cella_enclave *e, size_t in_bytes, size_t out_bytes,
							 struct cella_call *c) CELLA_NONNULL(1, 4);
CELLA_API CELLA_MUST_USE cella_result cella_call_invoke(struct cella_call *c, uint32_t fn) CELLA_NONNULL(1);
/*
 * As cella_call_invoke, with bytes [0, at) of c->in already written and [at, at + len) taken from src (borrowed,
 * read during the call): large inputs are streamed into the window behind the released call, so their copy
 * into the window overlaps the enclave's copy out of it. Bytes after at + len are sent as they are.
 * Errors: as cella_call_invoke, and CELLA_ERR_INVALID_ARG if [at, at + len) is not inside the input.
 */
CELLA_API CELLA_MUST_USE cella_result cella_call_invoke_stream(struct cella_call *c, uint32_t fn, size_t at,
								const void *src, size_t len) CELLA_NONNULL(1);
CELLA_API cella_result cella_call_release(struct cella_call *c);

/* Window memory shared with the enclave (what the enclave's cella_host_malloc returns); NULL if full (and always
 * in a process forked after create). The enclave cannot free these blocks; cella_enclave_host_free frees them and
 * those the enclave's cella_host_malloc made. */
CELLA_API void *cella_enclave_host_malloc(struct cella_enclave *e, size_t n);
CELLA_API void cella_enclave_host_free(struct cella_enclave *e, void *p);

/* Identity of the running enclave, as the backend measured it. */
CELLA_API CELLA_MUST_USE cella_result cella_enclave_identity(struct cella_enclave *e, struct cella_hash *mrenclave,
							     struct cella_hash *mrsigner);
/* "sandbox" or "sgx". */
CELLA_API const char *cella_enclave_backend(struct cella_enclave *e);
/* settings->user. */
CELLA_API void *cella_enclave_user(struct cella_enclave *e);

#ifdef __cplusplus
}
#endif
#endif
