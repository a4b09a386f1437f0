// SPDX-License-Identifier: MIT
/*
 * Configure-time probe (src/enclave/CMakeLists.txt): prints the size of musl's thread descriptor as its
 * pthread_create lays it out below a caller-provided stack top, minus the thread-specific-data array. The
 * enclave runtime uses it to make pthread_create put each TCS's descriptor at that TCS's thread-data page
 * (src/enclave/thread.c), and checks at boot that it did.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

extern const size_t __pthread_tsd_size; /* musl's, hidden; reachable in a static link */

static void *idle(void *arg)
{
	return arg;
}

int main(void)
{
	static _Alignas(4096) unsigned char stack[65536];
	uintptr_t top = (uintptr_t)stack + sizeof(stack);
	pthread_attr_t a;
	pthread_key_t k;
	pthread_t th;

	if (pthread_key_create(&k, 0) || pthread_attr_init(&a) || pthread_attr_setstack(&a, stack, sizeof(stack)) ||
	    pthread_create(&th, &a, idle, 0))
		return 1;
	printf("%zu\n", (size_t)(top - (uintptr_t)th - __pthread_tsd_size));
	return pthread_join(th, 0) ? 1 : 0;
}
