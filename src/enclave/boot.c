// SPDX-License-Identifier: MIT
/* Boot on TCS 0, both worlds: sanitise machine state, relocate, install the syscall layer, start musl, set up
 * the TCS threads; then serve (sandbox) or return to the host (SGX, rt_sgx_boot). */
#include "rt.h"
#include "sgx/sgx_rt.h"
#include "window.h"

#include <elf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

RT_HIDDEN struct rt_state rt;
/* 16-byte aligned: the TLS alignment musl places thread descriptors with (thread.c) */
RT_HIDDEN _Alignas(16) _Thread_local struct rt_thread *rt_cur;

extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));
extern Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern const struct cella_abi_properties cella_properties;

void cella_rt_boot(uint64_t win, uint64_t win_bytes, uint64_t mon_fd) __attribute__((noreturn, used));

/*
 * Known-good machine state (the ABI tier of reference/security.md): DF clear (string ops go forward), AC clear
 * (no alignment-check traps steered by the host), MXCSR at its reset value, and a reset x87 unit (FNINIT: control
 * word 0x037F, empty register stack, so stale MMX use or a full x87 stack cannot corrupt enclave arithmetic).
 * Called only where no x87 value is live (function-call boundaries, where the SysV ABI keeps the stack empty).
 */
void rt_sanitize_state(void)
{
	static const uint32_t mxcsr = 0x1f80;
	__asm__ __volatile__("cld\n\t"
			     "pushfq\n\t"
			     "andq $~0x40000, (%%rsp)\n\t"
			     "popfq\n\t"
			     "fninit\n\t"
			     "ldmxcsr %0\n\t"
			     :
			     : "m"(mxcsr)
			     : "cc", "memory");
}

/*
 * Applies R_X86_64_RELATIVE relocations. Runs before anything that reads a relocated pointer, so it only uses
 * PC-relative addresses and locals. The image measured by the loader is the unrelocated one.
 */
static void relocate(uint8_t *base)
{
	const Elf64_Rela *rela = 0;
	uint64_t relasz = 0, relaent = sizeof(Elf64_Rela);

	for (Elf64_Dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_RELA)
			rela = (const Elf64_Rela *)(base + d->d_un.d_ptr);
		else if (d->d_tag == DT_RELASZ)
			relasz = d->d_un.d_val;
		else if (d->d_tag == DT_RELAENT)
			relaent = d->d_un.d_val;
	}
	if (!rela || relaent != sizeof(Elf64_Rela))
		return;
	for (uint64_t i = 0; i < relasz / relaent; i++) {
		/* The loader refused any other type; a different one here means the image changed under us. */
		if (ELF64_R_TYPE(rela[i].r_info) != R_X86_64_RELATIVE)
			__builtin_trap();
		*(uint64_t *)(base + rela[i].r_offset) = (uint64_t)base + (uint64_t)rela[i].r_addend;
	}
}

/* Copies and checks the window header the host wrote (untrusted); NULL if it passes, else why not. */
static const char *window_refused(uint64_t win, uint64_t win_bytes)
{
	struct cella_abi_window h;

	if (win == 0 || win % CELLA_PAGE_BYTES || win_bytes < CELLA_PAGE_BYTES || win + win_bytes < win ||
	    !cella_is_outside_enclave((void *)win, win_bytes))
		return "window header invalid";
	rt_boundary_copy(&h, (const void *)win, sizeof(h)); /* the single fetch */
	if (h.magic == CELLA_WINDOW_MAGIC && h.abi_version != CELLA_WINDOW_ABI_VERSION)
		return "host uses another window ABI: rebuild with its Cella"; /* 63 bytes at most */
	if (!cella_window_header_ok(&h, win_bytes, rt.regions.tcs_count))
		return "window header invalid";
	rt.win = (uint8_t *)win;
	rt.hdr = h;
	return NULL;
}

/*
 * see sgx/sgx_rt.h. The enclave base, taken through asm so the compiler cannot treat it as a pointer into the
 * const ELF header object (clang otherwise drops the relocation stores as writes to a const object).
 */
uint8_t *rt_enclave_base(void)
{
	uintptr_t b;
	__asm__("lea __ehdr_start(%%rip), %0" : "=r"(b));
	return (uint8_t *)b;
}

/* The layout the loader used, from the measured program headers and properties. Needs no relocation. */
static cella_result own_regions(struct cella_layout_regions *r)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(rt_enclave_base() + __ehdr_start.e_phoff);
	uint64_t image_bytes = 0;

	for (unsigned k = 0; k < __ehdr_start.e_phnum; k++)
		if (ph[k].p_type == PT_LOAD && ph[k].p_vaddr + ph[k].p_memsz > image_bytes)
			image_bytes = ph[k].p_vaddr + ph[k].p_memsz;
	image_bytes = (image_bytes + CELLA_PAGE_BYTES - 1) & ~(uint64_t)(CELLA_PAGE_BYTES - 1);
	return cella_layout_regions(&cella_properties, image_bytes, r);
}

/* see sgx/sgx_rt.h */
const struct cella_layout_regions *rt_layout(struct cella_layout_regions *scratch)
{
	if (__atomic_load_n(&rt.booted, __ATOMIC_ACQUIRE))
		return &rt.regions;
	return own_regions(scratch) == CELLA_OK ? scratch : NULL;
}

/*
 * What both worlds do on TCS 0 before the first call: relocate, compute the regions, validate the window, start
 * musl with TCS 0's descriptor at its thread-data page, and set up the per-TCS state. Threads for the other
 * TCSs are the caller's (real ones in the sandbox; descriptors only on SGX).
 */
static void boot_common(uint64_t win, uint64_t win_bytes)
{
	uint8_t *base = rt_enclave_base();
	uint64_t tcs;
	static char *block[32];
	static uint64_t random[2];
	size_t i = 0;
	const char *why;

	rt_sanitize_state();
	relocate(base);

	rt.base = base;
	if (own_regions(&rt.regions) != CELLA_OK)
		__builtin_trap();
	rt.size = rt.regions.enclave_size;

	if (!rt_sgx())
		rt_install_handlers(); /* on SGX, faults and syscalls arrive as exceptions (sgx/sgx_main.c) */
	if (rt_heap_init() != CELLA_OK)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_IMAGE_PROPERTIES, 0, 0, "heap has no page beyond its bitmap");
	if ((why = window_refused(win, win_bytes)) != NULL)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_BACKEND, 0, 0, why);

	/* musl's start-up reads argv[0], envp, then auxv after envp's NULL: phdrs for TLS, AT_RANDOM for the
	 * stack-protector canary. musl keeps pointers into the block, so it outlives this frame. */
	if (!rt_rdrand64(&random[0]) || !rt_rdrand64(&random[1]))
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_CRYPTO, 0, 0, "RDRAND failed");
	block[i++] = "enclave";
	block[i++] = 0; /* argv terminator */
	block[i++] = 0; /* envp terminator: an empty environment */
#define AUX(k, v)                                \
	do {                                     \
		block[i++] = (char *)(uintptr_t)(k); \
		block[i++] = (char *)(uintptr_t)(v); \
	} while (0)
	AUX(AT_PHDR, base + __ehdr_start.e_phoff);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, __ehdr_start.e_phnum);
	AUX(AT_PAGESZ, CELLA_PAGE_BYTES);
	AUX(AT_RANDOM, random);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_NULL, 0);
#undef AUX
	rt_thread_boot_libc(block);

	tcs = rt.regions.tcs_count;
	rt.threads = calloc(tcs, sizeof(*rt.threads));
	if (!rt.threads)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_OUT_OF_MEMORY, 0, 0, "no heap for thread state");
	for (uint64_t k = 0; k < tcs; k++) {
		struct rt_thread *t = &rt.threads[k];
		struct cella_layout_tcs lt;
		if (cella_layout_tcs(&rt.regions, k, &lt) != CELLA_OK)
			rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_UNEXPECTED, 0, 0, "layout");
		t->tcs = (uint32_t)k;
		t->slot = (struct cella_abi_slot *)(rt.win + rt.hdr.slots_off) + k;
		t->buf_lo = rt.hdr.bufs_off + k * rt.hdr.slot_buf_bytes;
		t->buf_hi = t->buf_lo + rt.hdr.slot_buf_bytes;
		t->ocall = RT_NO_OCALL;
		t->stack_lo = (uint64_t)rt.base + lt.stack_lo;
		t->stack_hi = (uint64_t)rt.base + lt.stack_hi;
	}
	rt_cur = &rt.threads[0];
	rt.tls_ready = 1;
}

static volatile uint32_t started;

static void tcs_serve(void *arg)
{
	struct rt_thread *t = arg;
	rt_cur = t;
	rt_sanitize_state();
	rt_thread_signals(t);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	rt_serve(t);
}

/* Runs on the small stack pthread_create set up in the TLS page: moves to the TCS's own stack at once. */
static void *tcs_thread(void *arg)
{
	struct rt_thread *t = arg;
	rt_run_on_stack(t->stack_hi, tcs_serve, t);
}

/* The sandbox loader's entry (entry.S): boots, starts one thread per further TCS, then serves TCS 0. */
void cella_rt_boot(uint64_t win, uint64_t win_bytes, uint64_t mon_fd)
{
	struct cella_enclave_msg m = {.type = CELLA_EMSG_BOOTED};
	uint64_t tcs;

	rt.world = RT_WORLD_SANDBOX;
	rt.mon_fd = (int)mon_fd;
	boot_common(win, win_bytes);
	rt_thread_signals(&rt.threads[0]);
	tcs = rt.regions.tcs_count;
	for (uint64_t i = 1; i < tcs; i++)
		rt_thread_place((uint32_t)i, tcs_thread, &rt.threads[i]);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) != tcs - 1)
		rt_sys(SYS_sched_yield, 0, 0, 0);
	if (rt_install_late_filter() != CELLA_OK)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_BACKEND, 0, 0, "cannot tighten seccomp filter");
	rt.booted = 1;

	m.status = CELLA_OK;
	rt_send_monitor(&m);
	rt_serve(&rt.threads[0]);
}

/* On SGX no TCS thread runs on its own: host threads enter the TCSs. Never called (the clone is emulated). */
static void *tcs_unused(void *arg)
{
	return arg;
}

/* see sgx/sgx_rt.h: OP_BOOT on TCS 0, through rt_sgx_main */
cella_result rt_sgx_boot(uint64_t window, uint64_t window_bytes)
{
	rt.world = RT_WORLD_SGX;
	rt.mon_fd = -1;
	boot_common(window, window_bytes);
	/* musl's descriptor for each further TCS, at its thread-data page (syscall.c emulates the clone) */
	for (uint32_t i = 1; i < rt.regions.tcs_count; i++) {
		rt.next_tcs = i;
		rt_thread_place(i, tcs_unused, &rt.threads[i]);
	}
	__atomic_store_n(&rt.booted, 1, __ATOMIC_SEQ_CST);
	return CELLA_OK;
}

/* see sgx/sgx_rt.h: one ecall from TCS `tcs`'s slot, entered by a host thread */
cella_result rt_sgx_ecall(uint32_t tcs)
{
	rt_cur = &rt.threads[tcs]; /* this TCS's TLS, at its thread-data page */
	return rt_handle_ecall(rt_cur);
}

/* see cella/enclave.h */
const struct cella_abi_properties *cella_enclave_properties(void)
{
	return &cella_properties;
}
