/* SPDX-License-Identifier: MIT */
/* The SGX backend's entry points for the backend-neutral host code (src/host/enclave.c, calls.c). */
#ifndef CELLA_HOST_SGX_BACKEND_H
#define CELLA_HOST_SGX_BACKEND_H

#include "../internal.h"

/*
 * Creates the enclave at `path` on /dev/sgx_enclave: measures the image, applies the EINIT rules, loads it,
 * builds the window and boots TCS 0. On failure nothing stays mapped or open and the log says why.
 * Errors: as cella_enclave_create; CELLA_ERR_NO_DEVICE (the log names every device path tried),
 * CELLA_ERR_UNSUPPORTED (the image's runtime has no SGX entry: auto-selection then falls back to the sandbox).
 */
cella_result cella_sgx_create(struct cella_enclave *e, const char *path);
/* Tears it down (EPC freed with the fd and the mapping). CELLA_ERR_ENCLAVE_LOST if it had crashed. */
cella_result cella_sgx_terminate(struct cella_enclave *e);
/* Frees what this process holds of it (the forked child's copy) without waiting for or stopping any call. */
void cella_sgx_forget(struct cella_enclave *e);
/* True if `e` runs on the SGX backend. */
bool cella_sgx_owns(const struct cella_enclave *e);

/* Serves the ocall now in TCS `tcs`'s window slot (the host's ocall dispatcher, calls.c). */
typedef cella_result (*cella_sgx_serve_fn)(struct cella_enclave *e, uint32_t tcs, void *ctx);
/*
 * Runs one call entry on TCS `tcs` (op: CELLA_SGX_OP_ECALL or _BOOT, a1/a2 its operands) until the enclave
 * returns: ocalls are served with `serve` and answered by re-entry, exceptions are handed to the enclave's
 * handler and resumed. *value = the enclave's result. The caller owns the TCS for the duration.
 * Errors: CELLA_ERR_ENCLAVE_LOST (now and for every later call).
 */
cella_result cella_sgx_enter(struct cella_enclave *e, uint32_t tcs, uint64_t op, uint64_t a1, uint64_t a2,
			     cella_sgx_serve_fn serve, void *ctx, uint64_t *value);
/*
 * The builtin ocalls only the SGX backend serves (CELLA_SGX_OCALL_*): QE target info and quotes.
 * Returns CELLA_ERR_INVALID_FUNCTION for other ids.
 */
cella_result cella_sgx_serve_builtin(struct cella_enclave *e, uint32_t fn, const uint8_t *in, size_t in_bytes,
				     uint8_t *out, size_t out_bytes, size_t *written);

#endif
