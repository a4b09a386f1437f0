// SPDX-License-Identifier: MIT
/* Test enclave for the sandbox integration tests: calls, nesting, faults, heap, confinement. */
#include <cella/abi/monitor.h>
#include <cella/attest.h>
#include <cella/enclave.h>
#include <errno.h>
#include <fcntl.h>
#include <fenv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "basic.h"

static cella_result get_u64(const uint8_t *in, size_t n, uint64_t *v)
{
	if (n != sizeof(*v))
		return CELLA_ERR_INVALID_ARG;
	memcpy(v, in, sizeof(*v));
	return CELLA_OK;
}

static cella_result put_u64(uint8_t *out, size_t n, size_t *w, uint64_t v)
{
	if (n < sizeof(v))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &v, sizeof(v));
	*w = sizeof(v);
	return CELLA_OK;
}

static cella_result e_add(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t a[2];
	if (n != sizeof(a))
		return CELLA_ERR_INVALID_ARG;
	memcpy(a, in, sizeof(a));
	return put_u64(out, on, w, a[0] + a[1]);
}

static cella_result e_ocall_twice(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t x, y = 0;
	size_t got = 0;
	cella_result r = get_u64(in, n, &x);
	if (r == CELLA_OK)
		r = cella_ocall(O_TWICE, &x, sizeof(x), &y, sizeof(y), &got);
	if (r != CELLA_OK)
		return r;
	if (got != sizeof(y))
		return CELLA_ERR_MARSHAL;
	return put_u64(out, on, w, y + 1);
}

static cella_result e_nested(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t x, y = 0;
	size_t got = 0;
	cella_result r = get_u64(in, n, &x);
	if (r == CELLA_OK)
		r = cella_ocall(O_REENTER, &x, sizeof(x), &y, sizeof(y), &got);
	if (r != CELLA_OK)
		return r;
	return got == sizeof(y) ? put_u64(out, on, w, y) : CELLA_ERR_MARSHAL;
}

static cella_result e_deep(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t x, y = 0;
	size_t got = 0;
	cella_result r = get_u64(in, n, &x);
	if (r != CELLA_OK || x == 0)
		return r == CELLA_OK ? put_u64(out, on, w, 0) : r;
	x--;
	r = cella_ocall(O_DEEP, &x, sizeof(x), &y, sizeof(y), &got);
	if (r != CELLA_OK)
		return r;
	return got == sizeof(y) ? put_u64(out, on, w, y + 1) : CELLA_ERR_MARSHAL;
}

static cella_result e_private_mul(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t x;
	cella_result r = get_u64(in, n, &x);
	return r == CELLA_OK ? put_u64(out, on, w, x * 3) : r;
}

static cella_result e_abort(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	abort();
}

static cella_result e_null(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	volatile int *p = NULL;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return (cella_result)*p;
}

static volatile uint64_t recursion_limit = ~0ull; /* never reached: the stack runs out first */

static __attribute__((noinline)) uint64_t recurse(uint64_t depth)
{
	volatile uint8_t pad[512];
	pad[0] = (uint8_t)depth;
	if (depth >= recursion_limit)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static cella_result e_stack(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n;
	return put_u64(out, on, w, recurse(0));
}

static cella_result e_heap(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	void **v = NULL;
	uint64_t count = 0, cap = 0;
	(void)in, (void)n;
	for (;;) {
		void *p = malloc(64 * 1024);
		if (!p)
			break;
		memset(p, 0xa5, 64 * 1024);
		if (count == cap) {
			void **nv = realloc(v, (cap ? cap * 2 : 64) * sizeof(*v));
			if (!nv) {
				free(p);
				break;
			}
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		v[count++] = p;
	}
	for (uint64_t i = 0; i < count; i++)
		free(v[i]);
	free(v);
	/* after freeing, allocation works again */
	{
		void *p = malloc(64 * 1024);
		if (!p)
			return CELLA_ERR_OUT_OF_MEMORY;
		free(p);
	}
	return put_u64(out, on, w, count);
}

static cella_result e_confine(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	int32_t err[5];
	char path[256];
	char *const argv[] = {"/bin/true", NULL};
	if (n == 0 || n > sizeof(path) || in[n - 1] != 0 || on < sizeof(err))
		return CELLA_ERR_INVALID_ARG;
	memcpy(path, in, n);
	errno = 0;
	err[0] = open(path, O_CREAT | O_WRONLY, 0644) < 0 ? errno : 0;
	errno = 0;
	err[1] = socket(AF_INET, SOCK_STREAM, 0) < 0 ? errno : 0;
	errno = 0;
	err[2] = execve("/bin/true", argv, NULL) < 0 ? errno : 0;
	errno = 0;
	err[3] = ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 ? errno : 0;
	errno = 0;
	err[4] = fork() < 0 ? errno : 0;
	memcpy(out, err, sizeof(err));
	*w = sizeof(err);
	return CELLA_OK;
}

static cella_result e_empty(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return CELLA_OK;
}

static cella_result e_checksum(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += in[i];
	return put_u64(out, on, w, s);
}

static cella_result e_exit(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	exit(3);
}

static cella_result e_print(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)out, (void)on, (void)w;
	if (n == 0 || in[n - 1] != 0)
		return CELLA_ERR_BAD_STRING;
	printf("%s\n", (const char *)in);
	fflush(stdout);
	return CELLA_OK;
}

static int marker;

/* The runtime's memcpy/memset/memmove against byte loops: every size to 4200, every alignment mod 16. */
static bool string_ops_ok(void)
{
	static uint8_t src[4300], dst[4300], ref[4300];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 131 + 7);
	for (size_t n = 0; n <= 4200; n += (n < 300 ? 1 : 97)) {
		for (size_t a = 0; a < 16; a += 5) {
			for (size_t b = 0; b < 16; b += 3) {
				memset(dst, 0xee, sizeof(dst));
				memcpy(dst + a, src + b, n);
				for (size_t i = 0; i < sizeof(dst); i++)
					ref[i] = (i >= a && i < a + n) ? src[b + i - a] : 0xee;
				if (memcmp(dst, ref, sizeof(dst)) != 0)
					return false;
				memset(dst + a, b, n);
				for (size_t i = a; i < a + n; i++)
					if (dst[i] != (uint8_t)b)
						return false;
				if (a + n < sizeof(dst) && dst[a + n] != ref[a + n])
					return false;
			}
		}
		/* overlapping moves both ways */
		memcpy(dst, src, sizeof(dst));
		memmove(dst + 3, dst, n < 4000 ? n : 4000);
		for (size_t i = 0; i < (n < 4000 ? n : 4000); i++)
			if (dst[3 + i] != src[i])
				return false;
		memcpy(dst, src, sizeof(dst));
		memmove(dst, dst + 5, n < 4000 ? n : 4000);
		for (size_t i = 0; i < (n < 4000 ? n : 4000); i++)
			if (dst[i] != src[5 + i])
				return false;
	}
	return true;
}

static cella_result e_selftest(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t failed = 0;
	uint8_t rnd[64] = {0}, zero[64] = {0};
	struct timespec ts;
	(void)in, (void)n;
	if (!cella_is_within_enclave(&marker, sizeof(marker)) || cella_is_outside_enclave(&marker, sizeof(marker)))
		failed |= 1u << 0;
	if (cella_is_within_enclave(NULL, 1) || cella_is_outside_enclave(NULL, 1))
		failed |= 1u << 1;
	if (cella_is_within_enclave((void *)~(uintptr_t)0, 2)) /* wraps */
		failed |= 1u << 2;
	if (cella_random(rnd, sizeof(rnd)) != CELLA_OK || memcmp(rnd, zero, sizeof(rnd)) == 0)
		failed |= 1u << 3;
	{
		uint8_t *h = cella_host_malloc(4096);
		if (!h || !cella_is_outside_enclave(h, 4096) || !cella_is_within_window(h, 4096))
			failed |= 1u << 4;
		if (h) {
			memset(h, 0x5a, 4096);
			cella_host_free(h);
		}
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 1700000000)
		failed |= 1u << 5;
	if (cella_enclave_properties()->magic != CELLA_PROPERTIES_MAGIC || cella_enclave_properties()->tcs_count != 2)
		failed |= 1u << 6;
	{
		/* musl TLS works per TCS and the heap hands out zeroed pages through calloc */
		static _Thread_local int tl = 7;
		uint8_t *z = calloc(1, 1 << 20);
		if (tl != 7 || !z || z[12345] != 0)
			failed |= 1u << 7;
		free(z);
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		failed |= 1u << 8;
	if (!string_ops_ok())
		failed |= 1u << 9;
	/* errors as Linux gives them: no bytes asked is 0 bytes, whatever the buffer; a negative count is EINVAL */
	errno = 0;
	if (getrandom(NULL, 0, 0) != 0 || errno != 0)
		failed |= 1u << 10;
	if (writev(1, NULL, -1) != -1 || errno != EINVAL)
		failed |= 1u << 11;
	if (on < sizeof(failed))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, &failed, sizeof(failed));
	*w = sizeof(failed);
	return CELLA_OK;
}

static cella_result e_echo(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	if (on < n)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, in, n);
	*w = n;
	return CELLA_OK;
}

static cella_result e_spin(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	volatile uint64_t i = 0;
	size_t got = 0;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	if (cella_ocall(O_ENTERED, NULL, 0, NULL, 0, &got) != CELLA_OK)
		return CELLA_ERR_UNEXPECTED;
	while (i < ~0ull)
		i++;
	return CELLA_OK;
}

static cella_result e_sleep_long(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct timespec ts = {3600, 0};
	int64_t r[2];
	size_t got = 0;
	(void)in, (void)n;
	if (cella_ocall(O_ENTERED, NULL, 0, NULL, 0, &got) != CELLA_OK)
		return CELLA_ERR_UNEXPECTED;
	errno = 0;
	r[0] = nanosleep(&ts, NULL);
	r[1] = errno;
	if (on < sizeof(r))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memcpy(out, r, sizeof(r));
	*w = sizeof(r);
	return CELLA_OK;
}

static cella_result e_ocall_empty(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	size_t got = 0;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return cella_ocall(O_EMPTY, NULL, 0, NULL, 0, &got);
}

static cella_result e_peek(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t p;
	if (n != 8 || on < 16)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&p, in, 8);
	if (!cella_is_host_memory((const void *)(uintptr_t)p, 16))
		return CELLA_ERR_HOST_POINTER;
	memcpy(out, (const void *)(uintptr_t)p, 16); /* a [user_check] read: the same address as the host's */
	*w = 16;
	return CELLA_OK;
}

/* What a compromised enclave can do to the window: write anything the host can see, header included. */
static cella_result e_poke(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t p;
	(void)out, (void)on, (void)w;
	if (n < 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&p, in, 8);
	if (!cella_is_host_memory((const void *)(uintptr_t)p, n - 8))
		return CELLA_ERR_HOST_POINTER;
	memcpy((void *)(uintptr_t)p, in + 8, n - 8);
	return CELLA_OK;
}

static cella_result e_host_free(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t p;
	(void)out, (void)on, (void)w;
	if (n != 8)
		return CELLA_ERR_INVALID_ARG;
	memcpy(&p, in, 8);
	cella_host_free((void *)(uintptr_t)p);
	return CELLA_OK;
}

extern const char __ehdr_start[] __attribute__((visibility("hidden")));
static _Thread_local uint64_t tls_probe = 0x5eed;

static cella_result e_thread_facts(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct thread_facts f;
	uint64_t base = (uint64_t)(uintptr_t)__ehdr_start, tp, canary;
	(void)in, (void)n;
	if (on < sizeof(f))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	__asm__ __volatile__("mov %%fs:0, %0\n\tmov %%fs:0x28, %1" : "=r"(tp), "=r"(canary));
	f.tp_rva = tp - base;
	f.self_is_tp = (uint64_t)(uintptr_t)pthread_self() == tp;
	f.errno_rva = (uint64_t)(uintptr_t)&errno - base;
	f.tls_rva = (uint64_t)(uintptr_t)&tls_probe - base;
	f.tls_value = tls_probe++;
	f.canary_set = canary != 0;
	memcpy(out, &f, sizeof(f));
	*w = sizeof(f);
	return CELLA_OK;
}

/* Exception handlers: the first declines everything (and counts), the second takes a UD2 and skips it. */
static uint64_t declined;

static bool decline(uint32_t vector, struct cella_exception_context *c)
{
	(void)vector, (void)c;
	__atomic_add_fetch(&declined, 1, __ATOMIC_RELAXED);
	return false;
}

static bool skip_ud2(uint32_t vector, struct cella_exception_context *c)
{
	if (vector != CELLA_EXCEPTION_UD || !cella_is_within_enclave((const void *)(uintptr_t)c->rip, 2) ||
	    memcmp((const void *)(uintptr_t)c->rip, "\x0f\x0b", 2) != 0)
		return false;
	c->rip += 2;
	c->rax = 0xfeedface;
	return true;
}

static cella_result e_exception(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static int added;
	uint64_t r[2] = {0, 0};
	uint32_t mode;
	if (n != 4 || on < sizeof(r))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&mode, in, 4);
	if (!__atomic_exchange_n(&added, 1, __ATOMIC_SEQ_CST) &&
	    (cella_exception_handler_add(decline) != CELLA_OK || cella_exception_handler_add(skip_ud2) != CELLA_OK ||
	     cella_exception_handler_add(NULL) != CELLA_ERR_INVALID_ARG))
		return CELLA_ERR_UNEXPECTED;
	if (mode == 0)
		__asm__ __volatile__("xor %%eax, %%eax\n\tud2\n\tmov %%rax, %0" : "=r"(r[0]) : : "rax", "memory");
	else
		__asm__ __volatile__("int3" ::: "memory");
	r[1] = __atomic_load_n(&declined, __ATOMIC_RELAXED);
	memcpy(out, r, sizeof(r));
	*w = sizeof(r);
	return CELLA_OK;
}

static bool take_all(uint32_t vector, struct cella_exception_context *c)
{
	(void)vector, (void)c;
	return true;
}

static cella_result e_catch_all(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return cella_exception_handler_add(take_all);
}

/*
 * E_HANDLER_STACK: a handler that needs a large stack frame. It fills its array from the top down, as a deep call
 * chain would, so a frame larger than the stack it runs on reaches that stack's guard page first.
 */
#define HANDLER_STACK_MAGIC 0x57ac4ba5e0ull
static struct handler_stack hs;
static uint64_t hs_bytes;

static __attribute__((noinline)) void handler_frame(uint64_t n)
{
	volatile uint8_t a[n];
	uint64_t bad = 0;
	for (uint64_t i = 0; i < n; i++)
		a[n - 1 - i] = (uint8_t)(i * 7 + 1);
	for (uint64_t i = 0; i < n; i++)
		bad |= a[n - 1 - i] ^ (uint8_t)(i * 7 + 1);
	hs.array_lo = (uint64_t)(uintptr_t)&a[0];
	hs.array_hi = (uint64_t)(uintptr_t)&a[n - 1];
	hs.sum_ok = bad == 0;
}

static bool big_frame(uint32_t vector, struct cella_exception_context *c)
{
	if (vector != CELLA_EXCEPTION_UD || c->rax != HANDLER_STACK_MAGIC)
		return false;
	handler_frame(hs_bytes);
	c->rip += 2; /* past the UD2 */
	c->rax = 0;
	return true;
}

static cella_result e_handler_stack(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static int added;
	volatile uint64_t local = 0;
	uint8_t *block = malloc(4096);
	uint64_t rax = HANDLER_STACK_MAGIC, bad = 0, back[2] = {0, 0};
	static const uint64_t pattern[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
	static const uint32_t mx_up = 0x5f80, mx_default = 0x1f80; /* round up; the reset value */
	static const uint16_t cw_up = 0x0b7f, cw_default = 0x037f;
	uint32_t mx = 0;
	uint16_t cw = 0;
	cella_result r;
	if (!block)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (on < sizeof(hs) || (r = get_u64(in, n, &hs_bytes)) != CELLA_OK || hs_bytes == 0) {
		free(block);
		return CELLA_ERR_INVALID_ARG;
	}
	if (!__atomic_exchange_n(&added, 1, __ATOMIC_SEQ_CST) && cella_exception_handler_add(big_frame) != CELLA_OK) {
		free(block);
		return CELLA_ERR_UNEXPECTED;
	}
	memset(&hs, 0, sizeof(hs));
	memset(block, 0xa5, 4096);
	/* around the UD2: a vector register and both rounding modes that the handler's code must not disturb */
	__asm__ __volatile__("movdqu %[pat], %%xmm7\n\t"
			     "ldmxcsr %[mx_up]\n\t"
			     "fldcw %[cw_up]\n\t"
			     "ud2\n\t"
			     "movdqu %%xmm7, %[back]\n\t"
			     "stmxcsr %[mx]\n\t"
			     "fnstcw %[cw]\n\t"
			     "ldmxcsr %[mx_default]\n\t"
			     "fldcw %[cw_default]"
			     : "+a"(rax), [back] "=m"(back), [mx] "=m"(mx), [cw] "=m"(cw)
			     : [pat] "m"(pattern), [mx_up] "m"(mx_up), [cw_up] "m"(cw_up), [mx_default] "m"(mx_default),
			       [cw_default] "m"(cw_default)
			     : "xmm7", "memory");
	for (size_t i = 0; i < 4096; i++)
		bad |= block[i] ^ 0xa5u;
	free(block);
	if (rax != 0)
		return CELLA_ERR_UNEXPECTED; /* the handler did not run */
	hs.ecall_local = (uint64_t)(uintptr_t)&local;
	hs.stack_bytes = (uint64_t)cella_enclave_properties()->stack_pages * 4096;
	hs.heap_intact = bad == 0;
	hs.state_kept = back[0] == pattern[0] && back[1] == pattern[1] && mx == mx_up && cw == cw_up;
	memcpy(out, &hs, sizeof(hs));
	*w = sizeof(hs);
	return CELLA_OK;
}

/*
 * E_FPENV: the SysV ABI makes the MXCSR control bits and the x87 control word callee-saved, so the enclave's own
 * floating-point control state must come back from any call out of the enclave as it went in.
 */
static uint64_t third(void)
{
	volatile double one = 1.0, three = 3.0;
	double q = one / three;
	uint64_t bits;
	memcpy(&bits, &q, 8);
	return bits;
}

static cella_result e_fpenv(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static const uint32_t mx_set = FPENV_MXCSR, mx_reset = 0x1f80;
	static const uint16_t cw_set = FPENV_FCW, cw_reset = 0x037f;
	struct fpenv_facts f;
	struct timespec ts;
	uint32_t mode, mx = 0;
	uint16_t cw = 0;
	uint64_t x = 5, y = 0;
	size_t got = 0;
	if (n != 4 || on < sizeof(f))
		return CELLA_ERR_INVALID_ARG;
	memcpy(&mode, in, 4);
	memset(&f, 0, sizeof(f));
	if (fesetround(FE_UPWARD) != 0)
		return CELLA_ERR_UNEXPECTED;
	__asm__ __volatile__("ldmxcsr %0\n\tfldcw %1" : : "m"(mx_set), "m"(cw_set) : "memory");
	f.third_before = third();
	if (mode == FPENV_OCALL)
		f.status = cella_ocall(O_EMPTY, NULL, 0, NULL, 0, &got);
	else if (mode == FPENV_NESTED)
		f.status = cella_ocall(O_REENTER, &x, sizeof(x), &y, sizeof(y), &got);
	else
		f.status = clock_gettime(CLOCK_REALTIME, &ts) == 0 ? CELLA_OK : CELLA_ERR_IO;
	f.round = (uint32_t)fegetround();
	__asm__ __volatile__("stmxcsr %0\n\tfnstcw %1" : "=m"(mx), "=m"(cw) : : "memory");
	f.mxcsr = mx & ~0x3fu; /* the exception flags the division raised */
	f.fcw = cw;
	f.third_after = third();
	__asm__ __volatile__("ldmxcsr %0\n\tfldcw %1" : : "m"(mx_reset), "m"(cw_reset) : "memory");
	memcpy(out, &f, sizeof(f));
	*w = sizeof(f);
	return CELLA_OK;
}

static pthread_mutex_t pp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static uint32_t pp_turn;

static cella_result e_pingpong(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint32_t a[2];
	(void)out, (void)on, (void)w;
	if (n != sizeof(a))
		return CELLA_ERR_INVALID_ARG;
	memcpy(a, in, sizeof(a));
	if (a[0] > 1)
		return CELLA_ERR_INVALID_ARG;
	for (uint32_t i = 0; i < a[1]; i++) {
		pthread_mutex_lock(&pp_lock);
		while (pp_turn != a[0])
			pthread_cond_wait(&pp_cond, &pp_lock);
		pp_turn = 1 - a[0];
		pthread_cond_broadcast(&pp_cond);
		pthread_mutex_unlock(&pp_lock);
	}
	return CELLA_OK;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return -1;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec ts_of(int64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
	return ts;
}

/* The raw syscall's errno, 0 on success. */
static int32_t raw_clock_nanosleep(long clk, long flags, const struct timespec *req)
{
	errno = 0;
	return syscall(SYS_clock_nanosleep, clk, flags, req, NULL) == 0 ? 0 : errno;
}

static cella_result e_sleep(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct sleep_facts f;
	struct timespec ms1 = {0, 1000000}, t;
	struct timespec wall;
	int64_t t0, deadline;
	(void)in, (void)n;
	if (on < sizeof(f))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memset(&f, 0, sizeof(f));
	t0 = mono_ns();
	f.rel = clock_nanosleep(CLOCK_MONOTONIC, 0, &ms1, NULL);
	f.rel_ns = mono_ns() - t0;
	deadline = mono_ns() + 2000000;
	t = ts_of(deadline);
	f.abs = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
	f.abs_late_ns = mono_ns() - deadline;
	t0 = mono_ns();
	t = ts_of(t0 - 10ll * 1000000000);
	f.abs_past = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
	f.past_ns = mono_ns() - t0;
	if (clock_gettime(CLOCK_REALTIME, &wall) != 0)
		return CELLA_ERR_UNEXPECTED;
	t = ts_of((int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec + 1000000);
	f.abs_realtime = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &t, NULL);
	f.rel_boottime = clock_nanosleep(CLOCK_BOOTTIME, 0, &ms1, NULL);
	f.bad_clock = raw_clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &ms1);
	f.bad_flags = raw_clock_nanosleep(CLOCK_MONOTONIC, 2, &ms1);
	t.tv_sec = 0;
	t.tv_nsec = 1000000000;
	f.bad_nsec = raw_clock_nanosleep(CLOCK_MONOTONIC, 0, &t);
	t = ts_of(mono_ns());
	t.tv_nsec = -1;
	f.bad_abs_nsec = raw_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t);
	f.null_rel = raw_clock_nanosleep(CLOCK_MONOTONIC, 0, NULL);
	f.null_abs = raw_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, NULL);
	memcpy(out, &f, sizeof(f));
	*w = sizeof(f);
	return CELLA_OK;
}

/*
 * What cella_random leaves in the stack it ran on: after it returns, the 8-byte words just below the caller's
 * stack pointer (its frame and the red zone it may use) are scanned for the last 8 bytes it handed out, which
 * its own copy (and RDRAND's) held last. 0 when it wiped them; a chance match is 2^-64 a word.
 */
#define RESIDUE_SCAN_BYTES 2048

static __attribute__((noinline, unused)) uint64_t random_residue(void)
{
	uint8_t buf[24]; /* three RDRAND values: the last one is the copy to look for */
	uint64_t last, sp, found = 0;
	if (cella_random(buf, sizeof(buf)) != CELLA_OK)
		return ~0ull;
	__asm__ __volatile__("mov %%rsp, %0" : "=r"(sp));
	memcpy(&last, buf + 16, sizeof(last));
	for (uint64_t a = (sp & ~7ull) - RESIDUE_SCAN_BYTES; a < (sp & ~7ull); a += 8)
		found += *(const volatile uint64_t *)(uintptr_t)a == last;
	return found;
}

static cella_result e_random_residue(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n;
#ifdef __OPTIMIZE__
	return put_u64(out, on, w, random_residue());
#else
	return put_u64(out, on, w, RESIDUE_UNOPTIMIZED);
#endif
}

static cella_result e_nest_big(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t seed = 0x5eed;
	size_t got = 0;
	cella_result r;
	(void)in, (void)n;
	if (on < NEST_OUT_BYTES)
		return CELLA_ERR_BUFFER_TOO_SMALL;
	r = cella_ocall(O_NEST_BIG, &seed, sizeof(seed), out, NEST_OUT_BYTES, &got);
	if (r == CELLA_OK)
		*w = got;
	return r;
}

static cella_result e_big_ocall(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static uint8_t sink[NEST_SINK_BYTES];
	size_t got = 0;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	memset(sink, 0xee, sizeof(sink));
	return cella_ocall(O_SINK, sink, sizeof(sink), NULL, 0, &got);
}

/* Memory the heap hands out reads as zero: calloc's (which trusts fresh pages to be zero) and mmap's. */
static cella_result e_zeroed(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	const size_t sz = 1u << 20;
	uint8_t *a = calloc(1, sz), *b = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t bad = 0;
	(void)in, (void)n;
	if (!a || b == MAP_FAILED)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (size_t i = 0; i < sz; i++)
		bad += (a[i] != 0) + (b[i] != 0);
	free(a);
	munmap(b, sz);
	return put_u64(out, on, w, bad);
}

static cella_result e_futex_ops(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static volatile int word;
	uint64_t errs[2];
	(void)in, (void)n;
	if (on < sizeof(errs))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	errno = 0;
	errs[0] = syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) < 0 ? (uint64_t)errno : 0;
	errno = 0;
	errs[1] = syscall(SYS_futex, &word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0) < 0 ? (uint64_t)errno
												      : 0;
	memcpy(out, errs, sizeof(errs));
	*w = sizeof(errs);
	return CELLA_OK;
}

static cella_result e_flood_monitor(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_emsg_getkey_req req;
	(void)in, (void)n, (void)out, (void)on, (void)w;
	memset(&req, 0, sizeof(req));
	req.type = CELLA_EMSG_GETKEY; /* key name 0: the monitor answers with an error, and logs nothing */
	for (;;) {
		long r;
		__asm__ __volatile__("syscall"
				     : "=a"(r)
				     : "0"((long)SYS_write), "D"((long)CELLA_MONITOR_ENCLAVE_FD), "S"(&req), "d"(sizeof(req))
				     : "rcx", "r11", "memory");
		(void)r;
	}
	return CELLA_OK;
}

static cella_result e_get_keys(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	struct cella_key_request kr;
	uint8_t key[CELLA_KEY_BYTES];
	uint64_t count, r[2] = {0, (uint64_t)CELLA_OK};
	cella_result got = get_u64(in, n, &count);
	if (got != CELLA_OK)
		return got;
	if (on < sizeof(r))
		return CELLA_ERR_BUFFER_TOO_SMALL;
	memset(&kr, 0, sizeof(kr));
	for (r[0] = 0; r[0] < count; r[0]++)
		r[1] = (uint64_t)cella_get_key(&kr, key);
	memset(key, 0, sizeof(key));
	memcpy(out, r, sizeof(r));
	*w = sizeof(r);
	return CELLA_OK;
}

static cella_result e_x32_getpid(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	long r;
	(void)in, (void)n;
	__asm__ __volatile__("syscall" : "=a"(r) : "0"(0x40000000L | SYS_getpid) : "rcx", "r11", "memory");
	return put_u64(out, on, w, (uint64_t)r);
}

static cella_result e_touch_below(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	uint64_t a[2], done = 0;
	if (n != sizeof(a))
		return CELLA_ERR_INVALID_ARG;
	memcpy(a, in, sizeof(a));
	for (uint64_t i = 1; i <= a[1]; i++) {
		*(volatile uint8_t *)(uintptr_t)(a[0] - i * 4096) = 1;
		done = i;
	}
	return put_u64(out, on, w, done);
}

static volatile uint64_t tf_hits;
static bool tf_handler(uint32_t vector, struct cella_exception_context *c)
{
	if (vector != CELLA_EXCEPTION_DB)
		return false;
	tf_hits++;
	c->rflags &= ~0x100ull; /* TF off: one trap */
	return true;
}

static cella_result e_tf_step(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	static int added;
	(void)in, (void)n;
	if (!added++ && cella_exception_handler_add(tf_handler) != CELLA_OK)
		return CELLA_ERR_UNEXPECTED;
	tf_hits = 0;
	__asm__ __volatile__("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\tnop\n\tnop\n\tnop" ::: "cc", "memory");
	return put_u64(out, on, w, tf_hits);
}

static cella_result e_syscall_m1(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	long r;
	(void)in, (void)n;
	__asm__ __volatile__("syscall" : "=a"(r) : "0"(-1L) : "rcx", "r11", "memory");
	return put_u64(out, on, w, (uint64_t)r);
}

const struct cella_ecall_entry cella_ecall_table[] = {
	[E_ADD] = {e_add, CELLA_ECALL_PUBLIC},
	[E_OCALL_TWICE] = {e_ocall_twice, CELLA_ECALL_PUBLIC},
	[E_NESTED] = {e_nested, CELLA_ECALL_PUBLIC},
	[E_PRIVATE_MUL] = {e_private_mul, 0},
	[E_ABORT] = {e_abort, CELLA_ECALL_PUBLIC},
	[E_NULL_DEREF] = {e_null, CELLA_ECALL_PUBLIC},
	[E_STACK_OVERFLOW] = {e_stack, CELLA_ECALL_PUBLIC},
	[E_HEAP_EXHAUST] = {e_heap, CELLA_ECALL_PUBLIC},
	[E_CONFINE] = {e_confine, CELLA_ECALL_PUBLIC},
	[E_EMPTY] = {e_empty, CELLA_ECALL_PUBLIC},
	[E_CHECKSUM] = {e_checksum, CELLA_ECALL_PUBLIC},
	[E_EXIT] = {e_exit, CELLA_ECALL_PUBLIC},
	[E_PRINT] = {e_print, CELLA_ECALL_PUBLIC},
	[E_SELFTEST] = {e_selftest, CELLA_ECALL_PUBLIC},
	[E_ECHO] = {e_echo, CELLA_ECALL_PUBLIC},
	[E_SPIN] = {e_spin, CELLA_ECALL_PUBLIC},
	[E_SLEEP_LONG] = {e_sleep_long, CELLA_ECALL_PUBLIC},
	[E_OCALL_EMPTY] = {e_ocall_empty, CELLA_ECALL_PUBLIC},
	[E_PEEK] = {e_peek, CELLA_ECALL_PUBLIC},
	[E_THREAD_FACTS] = {e_thread_facts, CELLA_ECALL_PUBLIC},
	[E_EXCEPTION] = {e_exception, CELLA_ECALL_PUBLIC},
	[E_CATCH_ALL] = {e_catch_all, CELLA_ECALL_PUBLIC},
	[E_PINGPONG] = {e_pingpong, CELLA_ECALL_PUBLIC},
	[E_POKE] = {e_poke, CELLA_ECALL_PUBLIC},
	[E_HOST_FREE] = {e_host_free, CELLA_ECALL_PUBLIC},
	[E_SLEEP] = {e_sleep, CELLA_ECALL_PUBLIC},
	[E_RANDOM_RESIDUE] = {e_random_residue, CELLA_ECALL_PUBLIC},
	[E_NEST_BIG] = {e_nest_big, CELLA_ECALL_PUBLIC},
	[E_BIG_OCALL] = {e_big_ocall, 0},
	[E_ZEROED] = {e_zeroed, CELLA_ECALL_PUBLIC},
	[E_FUTEX_OPS] = {e_futex_ops, CELLA_ECALL_PUBLIC},
	[E_FLOOD_MONITOR] = {e_flood_monitor, CELLA_ECALL_PUBLIC},
	[E_HANDLER_STACK] = {e_handler_stack, CELLA_ECALL_PUBLIC},
	[E_FPENV] = {e_fpenv, CELLA_ECALL_PUBLIC},
	[E_DEEP] = {e_deep, CELLA_ECALL_PUBLIC},
	[E_GET_KEYS] = {e_get_keys, CELLA_ECALL_PUBLIC},
	[E_X32_GETPID] = {e_x32_getpid, CELLA_ECALL_PUBLIC},
	[E_TOUCH_BELOW] = {e_touch_below, CELLA_ECALL_PUBLIC},
	[E_TF_STEP] = {e_tf_step, CELLA_ECALL_PUBLIC},
	[E_SYSCALL_M1] = {e_syscall_m1, CELLA_ECALL_PUBLIC},
};
const uint32_t cella_ecall_count = sizeof(cella_ecall_table) / sizeof(cella_ecall_table[0]);

/*
 * The EDL allow lists: E_PRIVATE_MUL may be entered only while O_REENTER runs, E_BIG_OCALL while O_NEST_BIG, and
 * the public E_THREAD_FACTS while O_TWICE runs, E_DEEP while O_DEEP runs. No other ecall nests in an ocall, public or
 * not.
 */
bool cella_ecall_allowed(uint32_t ocall, uint32_t ecall)
{
	return (ocall == O_REENTER && ecall == E_PRIVATE_MUL) || (ocall == O_NEST_BIG && ecall == E_BIG_OCALL) ||
	       (ocall == O_TWICE && ecall == E_THREAD_FACTS) || (ocall == O_DEEP && ecall == E_DEEP);
}
