// SPDX-License-Identifier: MIT
/*
 * Thread descriptors at the thread-data pages. On SGX the hardware sets FS to TCS.OFSBASE (the TCS's
 * thread-data page, src/common/layout.c) on every EENTER and ERESUME, so each TCS's musl thread descriptor
 * must live at that page and its static TLS in the TLS page below it; nothing can move FS afterwards. Both
 * worlds use this one arrangement, so the sandbox runs the exact thread set-up SGX depends on:
 *
 *   - TCS 0 (the boot thread): after musl's own start-up, the descriptor is rebuilt at TCS 0's page with
 *     musl's __copy_tls and __init_tp (the calls musl's start-up makes, pinned to Debian's musl 1.2.3; see
 *     docs/sgx.md), and the canary carried over.
 *   - TCS i >= 1: pthread_create with a stack whose top lies just above the page, so that musl itself puts the
 *     descriptor (and the TLS below it) exactly there; CELLA_MUSL_PTHREAD_BYTES, the size musl reserves for the
 *     descriptor, is measured at configure time by cmake/musl_thread_probe.c.
 *
 * Every placement is checked: a descriptor anywhere else is a boot failure with the reason, never a silently
 * wrong thread pointer.
 */
#include "rt.h"
#include "sgx/sgx_rt.h"

#include <pthread.h>
#include <string.h>

/* musl internals (hidden symbols of libc.a, reachable in the enclave's static link) */
void __init_libc(char **envp, char *pn);
void __libc_start_init(void);
void *__copy_tls(unsigned char *mem);
int __init_tp(void *p);
extern const size_t __pthread_tsd_size;

#define TLS_BYTES ((uint64_t)CELLA_TLS_PAGES * CELLA_PAGE_BYTES)
#define CANARY_OFF 0x28 /* the x86-64 stack-protector canary at %fs:0x28 (GCC's ABI, musl's descriptor) */
/* Bytes pthread_create is told the stack spans (it writes only the top): more than 8 x what it puts there */
#define PLACE_SPAN 32768u

_Static_assert(CELLA_MUSL_PTHREAD_BYTES >= CANARY_OFF + 8, "musl descriptor smaller than its ABI part");

uint8_t *rt_td_page(uint32_t tcs)
{
	struct cella_layout_tcs lt;
	if (cella_layout_tcs(&rt.regions, tcs, &lt) != CELLA_OK)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_UNEXPECTED, 0, 0, "layout");
	return rt.base + lt.td_rva;
}

static uint64_t thread_pointer(void)
{
	uint64_t tp;
	__asm__ __volatile__("mov %%fs:0, %0" : "=r"(tp));
	return tp;
}

/*
 * Bytes of each thread-data page that musl's descriptor and thread-specific data take, rounded to 16: the
 * stack top given to pthread_create, which rounds it down to 16 and puts the descriptor that far below, rounded
 * down to the TLS alignment. rt_cur's alignment (boot.c) makes that at least 16, so the descriptor lands on the
 * page boundary itself.
 */
uint64_t rt_td_musl_bytes(void)
{
	return RT_ALIGN16(CELLA_MUSL_PTHREAD_BYTES + __pthread_tsd_size);
}

void rt_thread_boot_libc(char **block)
{
	uint8_t *td, *tls;
	uint64_t k, canary;

	if (rt_td_musl_bytes() > RT_SGX_TD_OFF)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_UNEXPECTED, 0, 0, "musl thread descriptor too large");
	__init_libc(&block[2], block[0]); /* envp, then auxv after its NULL; argv[0] */

	/* Where __copy_tls puts the descriptor relative to the block it is given (page-aligned: the TLS page). */
	td = rt_td_page(0);
	tls = td - TLS_BYTES;
	k = (uint64_t)((uint8_t *)__copy_tls(tls) - tls);
	if (k + 16 > TLS_BYTES)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_IMAGE_PROPERTIES, 0, 0,
			 "thread-local storage does not fit the TLS page");
	memset(tls, 0, TLS_BYTES);
	if ((uint8_t *)__copy_tls(td - k) != td)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_IMAGE_PROPERTIES, 0, 0,
			 "thread-local storage alignment exceeds a page");
	canary = *(const uint64_t *)(thread_pointer() + CANARY_OFF);
	if (__init_tp(td) != 0 || thread_pointer() != (uint64_t)td)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_BACKEND, 0, 0, "cannot set the thread pointer");
	*(uint64_t *)(td + CANARY_OFF) = canary;
	__libc_start_init(); /* constructors, now on the final descriptor */
}

void rt_thread_place(uint32_t tcs, void *(*fn)(void *), void *arg)
{
	uint8_t *td = rt_td_page(tcs), *top = td + rt_td_musl_bytes();
	pthread_attr_t a;
	pthread_t th;

	if (pthread_attr_init(&a) || pthread_attr_setstack(&a, top - PLACE_SPAN, PLACE_SPAN) ||
	    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) || pthread_create(&th, &a, fn, arg))
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_BACKEND, 0, 0, "cannot start TCS thread");
	pthread_attr_destroy(&a);
	/* musl puts TLS and descriptor in the given stack only when they are small; otherwise it maps memory */
	if ((uint8_t *)th != td)
		rt_fatal(CELLA_FAULT_RUNTIME, 0, CELLA_ERR_IMAGE_PROPERTIES, 0, 0,
			 "thread-local storage too large for a TCS's thread-data page");
}
