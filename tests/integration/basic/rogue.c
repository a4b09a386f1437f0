// SPDX-License-Identifier: MIT
/*
 * Linked into test_rogue_enclave with the basic test enclave: a constructor, which runs before the runtime's own
 * seccomp filter is in place, starts a thread beyond the enclave's TCS. The monitor must refuse the enclave at
 * BOOTED (sandbox_test rogue_thread).
 */
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

static _Alignas(16) uint8_t rogue_stack[16384];

static int rogue(void *arg)
{
	(void)arg;
	for (;;)
		__builtin_ia32_pause();
	return 0;
}

__attribute__((constructor)) static void start_rogue(void)
{
	(void)clone(rogue, rogue_stack + sizeof(rogue_stack),
		    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM, NULL);
}
