// SPDX-License-Identifier: MIT
/*
 * The SGX backend: one process, the enclave in EPC. Create = measure + EINIT rules (as the sandbox monitor
 * does) + the loader over /dev/sgx_enclave + the window + boot on TCS 0. Calls enter through
 * __vdso_sgx_enter_enclave; ocalls and exceptions come back as EEXITs (src/enclave/sgx/sgx_abi.h).
 */
#include "sgx_backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "image.h"
#include "measure.h"
#include "sgx_abi.h"
#include "sgx_arch.h"
#include "sgx_internal.h"

struct cella_sgx_enclave {
	struct cella_sgx_device dev;
	void *stand_in_ctx;          /* the stand-in's enclave, when cella_sgx_stand_in is set (tests) */
	struct cella_sgx_loaded ld;
	cella_sgx_enter_fn enter;
	pthread_mutex_t quote_lock;
	struct cella_sgx_quoter quoter;
	bool quoter_open;
};

/* see sgx_internal.h */
const struct cella_sgx_stand_in *cella_sgx_stand_in;

/* see sgx_backend.h */
bool cella_sgx_owns(const struct cella_enclave *e)
{
	return e->sgx != NULL;
}

/* see sgx_internal.h: the image's entry begins with cella_enclave_entry's "test %rcx,%rcx; jne +5; jmp" */
bool cella_sgx_image_has_entry(const struct cella_image *img)
{
	static const uint8_t sig[] = {0x48, 0x85, 0xc9, 0x75, 0x05, 0xe9};
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct cella_image_segment *s = &img->segments[i];
		if (img->entry_rva < s->vaddr || img->entry_rva - s->vaddr + sizeof(sig) > s->filesz)
			continue;
		return memcmp(img->data + s->offset + (img->entry_rva - s->vaddr), sig, sizeof(sig)) == 0;
	}
	return false;
}

/* see sgx_internal.h */
int cella_sgx_exit_regs(long rdi, long rsi, long rdx, long rsp, long r8, long r9, struct cella_sgx_enclave_run *run)
{
	long *regs = (long *)(uintptr_t)run->user_data;
	(void)rdx, (void)rsp, (void)r8, (void)r9;
	regs[0] = rdi;
	regs[1] = rsi;
	return 0;
}

int cella_sgx_vdso_call(cella_sgx_enter_fn fn, unsigned long rdi, unsigned long rsi, unsigned long rdx,
			unsigned int leaf, struct cella_sgx_enclave_run *run) __attribute__((visibility("hidden")));

static cella_result lose(struct cella_enclave *e, const char *why, long code)
{
	if (cella_enclave_mark_lost(e))
		cella_log(e, CELLA_LOG_ERROR, "enclave lost: %s (%#lx)", why, (unsigned long)code);
	return CELLA_ERR_ENCLAVE_LOST;
}

/* see sgx_backend.h */
cella_result cella_sgx_enter(struct cella_enclave *e, uint32_t tcs, uint64_t op, uint64_t a1, uint64_t a2,
			     cella_sgx_serve_fn serve, void *ctx, uint64_t *value)
{
	struct cella_sgx_enclave *s = e->sgx;
	struct cella_sgx_enclave_run run;
	unsigned int leaf = CELLA_ENCLU_EENTER;
	long regs[2];

	if (!s || tcs >= s->ld.tcs_count)
		return CELLA_ERR_INVALID_ARG;
	if (cella_enclave_lost(e))
		return CELLA_ERR_ENCLAVE_LOST;
	/*
	 * One call site for every EENTER and ERESUME of this entry: the enclave returns to the RSP/RBP of the
	 * EENTER that started the current call level, so ERESUME must come from the same frame (docs/sgx.md).
	 */
	for (;;) {
		int rc;
		memset(&run, 0, sizeof(run));
		run.tcs = s->ld.tcs[tcs];
		run.user_handler = (uint64_t)(uintptr_t)cella_sgx_exit_regs;
		run.user_data = (uint64_t)(uintptr_t)regs;
		regs[0] = regs[1] = 0;
		rc = cella_sgx_vdso_call(s->enter, op, a1, a2, leaf, &run);
		if (rc != 0)
			return lose(e, "the vDSO refused to enter the enclave", rc);
		if (run.function == CELLA_ENCLU_ERESUME) {
			/* An exception inside the enclave: EENTER at CSSA 1 lets its first-phase handler decide. */
			cella_log(e, CELLA_LOG_DEBUG, "TCS %u: exception vector %u at %#llx; entering the handler", tcs,
				  run.exception_vector, (unsigned long long)run.exception_addr);
			leaf = CELLA_ENCLU_EENTER;
			continue;
		}
		if (run.function != CELLA_ENCLU_EEXIT)
			return lose(e, "unexpected ENCLU leaf after the enclave ran", run.function);
		switch ((uint64_t)regs[0]) {
		case CELLA_SGX_EXIT_DONE:
			*value = (uint64_t)regs[1];
			return CELLA_OK;
		case CELLA_SGX_EXIT_OCALL: {
			/* serve answers nothing once terminate has begun (CELLA_ERR_ENCLAVE_LOST) */
			cella_result sr = serve ? serve(e, tcs, ctx) : CELLA_ERR_MARSHAL;
			if (sr != CELLA_OK)
				return lose(e,
					    sr == CELLA_ERR_ENCLAVE_LOST ? "terminated during the call"
									 : "cannot serve the enclave's ocall",
					    0);
			op = CELLA_SGX_OP_OCALL_RETURN;
			a1 = a2 = 0;
			leaf = CELLA_ENCLU_EENTER;
			continue;
		}
		case CELLA_SGX_EXIT_EXCEPTION:
			if (__atomic_load_n(&e->closing, __ATOMIC_SEQ_CST))
				return lose(e, "terminated during the call", 0);
			leaf = CELLA_ENCLU_ERESUME;
			continue;
		case CELLA_SGX_EXIT_LOST:
			return lose(e, cella_result_str((cella_result)regs[1]), regs[1]);
		default:
			return lose(e, "unknown exit reason", regs[0]);
		}
	}
}

/* The window, as the sandbox lays it out (cella/abi/window.h); here plain memory of this process. */
static cella_result make_window(struct cella_enclave *e)
{
	uint64_t bytes = cella_window_bytes(e);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		cella_log(e, CELLA_LOG_ERROR, "cannot create the window (%llu bytes): %s", (unsigned long long)bytes,
			  strerror(errno));
		return CELLA_ERR_OUT_OF_MEMORY;
	}
	return cella_window_lay_out(e, p, bytes);
}

static void destroy(struct cella_enclave *e, struct cella_sgx_enclave *s)
{
	if (s) {
		e->sgx = NULL;
		if (s->quoter_open)
			cella_sgx_quote_close(&s->quoter);
		pthread_mutex_destroy(&s->quote_lock);
		if (s->stand_in_ctx)
			cella_sgx_stand_in->close(s->stand_in_ctx);
		cella_sgx_device_close(&s->dev);
		free(s);
	}
	if (e->win)
		munmap(e->win, e->win_bytes);
	e->win = NULL;
	e->hdr = NULL;
	e->slots = NULL;
	cella_arena_fini(&e->arena);
	free(e->slot_busy);
	e->slot_busy = NULL;
}

/* Image -> layout -> MRENCLAVE -> EINIT outcome, exactly as the sandbox monitor computes them. */
static cella_result prepare(struct cella_enclave *e, const char *path, uint8_t **data, struct cella_image *img,
			    struct cella_layout *l, struct cella_einit_info *ei)
{
	struct cella_image_diag diag = {0};
	struct cella_hash mr;
	const char *detail = NULL;
	char buf[512];
	size_t size = 0;
	cella_result r;

	r = cella_image_read_file(path, data, &size);
	if (r != CELLA_OK) { /* for CELLA_ERR_IO errno says why (see the monitor's open) */
		cella_log(e, CELLA_LOG_ERROR, "%s: cannot read the enclave image: %s", path,
			  r == CELLA_ERR_IO ? strerror(errno) : cella_result_str(r));
		return r;
	}
	r = cella_image_parse_diag(*data, size, img, &diag);
	if (r != CELLA_OK) {
		cella_image_diag_format(r, &diag, buf, sizeof(buf));
		cella_log(e, CELLA_LOG_ERROR, "%s: %s", path, buf);
		return r;
	}
	if (!cella_sgx_image_has_entry(img)) {
		cella_log(e, CELLA_LOG_WARNING, "%s: the image's runtime has no SGX entry point (built before SGX "
			  "support): it can run on the sandbox backend only", path);
		return CELLA_ERR_UNSUPPORTED;
	}
	r = cella_layout_build(img, l);
	if (r == CELLA_OK)
		r = cella_measure(l, &mr);
	if (r != CELLA_OK) {
		cella_log(e, CELLA_LOG_ERROR, "%s: cannot lay out the enclave: %s", path, cella_result_str(r));
		return r;
	}
	r = cella_einit_check_diag(img, &mr, e->flags & CELLA_ENCLAVE_FLAG_DEBUG, ei, &detail);
	if (r != CELLA_OK) {
		cella_log(e, CELLA_LOG_ERROR, "%s: refused at EINIT: %s%s%s", path, cella_result_str(r),
			  detail ? ": " : "", detail ? detail : "");
		return r;
	}
	if (ei->debug_signed_at_load)
		cella_log(e, CELLA_LOG_WARNING, "%s is not signed; running it as a debug enclave signed with the "
			  "well-known debug key", path);
	return CELLA_OK;
}

/* see sgx_backend.h */
cella_result cella_sgx_create(struct cella_enclave *e, const char *path)
{
	cella_result r = CELLA_ERR_UNEXPECTED;
	struct cella_sgx_enclave *s = NULL;
	struct cella_sgx_platform plat;
	struct cella_image img;
	struct cella_layout l = {0};
	struct cella_einit_info *ei = NULL;
	uint8_t *data = NULL;
	const char *detail = NULL;
	char why[512];
	uint64_t value = 0;
	const struct cella_sgx_ops *ops = &cella_sgx_device_ops;
	void *ops_ctx;

	s = calloc(1, sizeof(*s));
	ei = malloc(sizeof(*ei));
	if (!s || !ei) {
		free(s);
		s = NULL;
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	}
	s->dev.fd = s->dev.provision_fd = -1;
	ops_ctx = &s->dev;
	pthread_mutex_init(&s->quote_lock, NULL);
	if (cella_sgx_stand_in) {
		s->stand_in_ctx = cella_sgx_stand_in->open();
		if (!s->stand_in_ctx)
			CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
		ops = cella_sgx_stand_in->ops;
		ops_ctx = s->stand_in_ctx;
	} else {
		r = cella_sgx_device_open(cella_sgx_device_paths, &s->dev, why, sizeof(why));
		if (r != CELLA_OK) {
			cella_log(e, CELLA_LOG_ERROR, "SGX backend: no usable enclave device: %s", why);
			CELLA_FAIL(r);
		}
	}
	CELLA_CHECK(prepare(e, path, &data, &img, &l, ei));
	if (cella_sgx_stand_in)
		plat = cella_sgx_stand_in->platform;
	else
		cella_sgx_platform_probe(&plat);
	if (!plat.sgx) {
		cella_log(e, CELLA_LOG_ERROR, "SGX backend: %s exists but CPUID reports no usable SGX (disabled in "
			  "the BIOS, or hidden from this VM)", s->dev.path);
		CELLA_FAIL(CELLA_ERR_NO_DEVICE);
	}
	if (cella_sgx_stand_in)
		s->enter = cella_sgx_stand_in->enter;
	else if (cella_sgx_vdso_enter(&s->enter) != CELLA_OK) {
		cella_log(e, CELLA_LOG_ERROR, "SGX backend: the kernel's vDSO has no %s (Linux >= 5.11 with "
			  "CONFIG_X86_SGX)", CELLA_SGX_VDSO_ENTER_SYMBOL);
		CELLA_FAIL(CELLA_ERR_BACKEND);
	}
	r = cella_sgx_load(ops, ops_ctx, &l, ei, &plat, &s->ld, &detail);
	if (r != CELLA_OK) {
		cella_log(e, CELLA_LOG_ERROR, "%s: SGX load failed: %s (%s)%s%s", path, detail ? detail : "?",
			  cella_result_str(r), !cella_sgx_stand_in && s->dev.einit_detail ? ": " : "",
			  !cella_sgx_stand_in && s->dev.einit_detail ? s->dev.einit_detail : "");
		CELLA_FAIL(r);
	}
	e->sgx = s;
	e->tcs_count = s->ld.tcs_count;
	e->mrenclave = ei->mrenclave;
	e->mrsigner = ei->mrsigner;
	e->slot_busy = calloc(e->tcs_count, sizeof(*e->slot_busy));
	if (!e->slot_busy)
		CELLA_FAIL(CELLA_ERR_OUT_OF_MEMORY);
	CELLA_CHECK(make_window(e));
	r = cella_sgx_enter(e, 0, CELLA_SGX_OP_BOOT, (uint64_t)(uintptr_t)e->win, e->win_bytes, NULL, NULL, &value);
	if (r == CELLA_OK && value != CELLA_OK)
		r = (cella_result)value;
	if (r != CELLA_OK) {
		cella_log(e, CELLA_LOG_ERROR, "%s: the enclave failed to boot on SGX: %s", path, cella_result_str(r));
		CELLA_FAIL(r);
	}
	__atomic_store_n(&e->hdr->state, CELLA_WINDOW_READY, __ATOMIC_RELEASE);
	s = NULL;
	r = CELLA_OK;
out:
	if (r != CELLA_OK)
		destroy(e, s);
	cella_layout_fini(&l);
	free(data);
	if (ei)
		memset(ei, 0, sizeof(*ei));
	free(ei);
	return r;
}

/* see sgx_backend.h */
cella_result cella_sgx_terminate(struct cella_enclave *e)
{
	cella_result r = cella_enclave_lost(e) ? CELLA_ERR_ENCLAVE_LOST : CELLA_OK;
	/*
	 * Calls in flight end at their next exit from the enclave (an ocall, an exception): with closing set, the
	 * enter loop gives them CELLA_ERR_ENCLAVE_LOST there (and the host's sleep ocall wakes for it). The memory
	 * they run on is unmapped only once they have been released. An ecall that never leaves the enclave holds
	 * terminate until it returns: no one can stop an enclave thread on SGX.
	 */
	while (__atomic_load_n(&e->active, __ATOMIC_SEQ_CST) != 0) {
		const struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
	destroy(e, e->sgx);
	return r;
}

/* see sgx_backend.h */
void cella_sgx_forget(struct cella_enclave *e)
{
	destroy(e, e->sgx);
}

/* see sgx_backend.h */
cella_result cella_sgx_serve_builtin(struct cella_enclave *e, uint32_t fn, const uint8_t *in, size_t in_bytes,
				     uint8_t *out, size_t out_bytes, size_t *written)
{
	struct cella_sgx_enclave *s = e->sgx;
	struct cella_sgx_quote_env env;
	cella_result r = CELLA_OK;
	char why[512] = "";

	*written = 0;
	if (!s || (fn != CELLA_SGX_OCALL_QE_TARGET_INFO && fn != CELLA_SGX_OCALL_QUOTE))
		return CELLA_ERR_INVALID_FUNCTION;
	pthread_mutex_lock(&s->quote_lock);
	if (!s->quoter_open && !s->stand_in_ctx) { /* the stand-in (tests) replaces Intel's libraries */
		cella_sgx_quote_env_default(&env);
		r = cella_sgx_quote_open(&env, &s->quoter, why, sizeof(why));
		if (r != CELLA_OK)
			cella_log(e, CELLA_LOG_ERROR, "quote: %s", why);
		s->quoter_open = r == CELLA_OK;
	}
	if (r == CELLA_OK && fn == CELLA_SGX_OCALL_QE_TARGET_INFO) {
		if (out_bytes < CELLA_SGX_TARGETINFO_BYTES || in_bytes != 0)
			r = CELLA_ERR_MARSHAL;
		else if ((r = s->stand_in_ctx ? cella_sgx_stand_in->qe_target_info(out)
					      : cella_sgx_quote_target_info(&s->quoter, out, why, sizeof(why))) == CELLA_OK)
			*written = CELLA_SGX_TARGETINFO_BYTES;
	} else if (r == CELLA_OK) {
		uint8_t *q = NULL;
		size_t len = 0;
		if (in_bytes != CELLA_SGX_REPORT_BYTES)
			r = CELLA_ERR_MARSHAL;
		else if ((r = s->stand_in_ctx ? cella_sgx_stand_in->quote(in, &q, &len)
					      : cella_sgx_quote_get(&s->quoter, in, &q, &len, why, sizeof(why))) == CELLA_OK) {
			if (len > out_bytes)
				r = CELLA_ERR_BUFFER_TOO_SMALL;
			else {
				memcpy(out, q, len);
				*written = len;
			}
			free(q);
		}
	}
	if (r == CELLA_ERR_BACKEND)
		cella_log(e, CELLA_LOG_ERROR, "quote: %s", why);
	pthread_mutex_unlock(&s->quote_lock);
	return r;
}
