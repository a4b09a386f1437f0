// SPDX-License-Identifier: MIT
/*
 * After boot the runtime tightens the monitor's seccomp filter: the syscalls it needed to start its TCS threads
 * (clone, signal set-up and masks, arch_prctl, seccomp itself) now trap into the syscall layer too, so enclave
 * code cannot create threads beyond its TCS count or replace the runtime's signal handlers. Filters only ever
 * add restrictions; the monitor's filter still applies underneath. A syscall through another ABI (another
 * architecture, or an x32 number: x86-64 with __X32_SYSCALL_BIT set) ends the process here too.
 */
#include "rt.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>

#define X32_SYSCALL_BIT 0x40000000u /* __X32_SYSCALL_BIT (asm/unistd.h) */
#define TRAP_NR(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)

cella_result rt_install_late_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* x32 numbers end the process; -1, which the kernel answers ENOSYS (and libseccomp lets through), does not */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		TRAP_NR(SYS_clone),
		TRAP_NR(SYS_clone3),
		TRAP_NR(SYS_rt_sigaction),
		TRAP_NR(SYS_sigaltstack),
		TRAP_NR(SYS_rt_sigprocmask),
		TRAP_NR(SYS_arch_prctl),
		TRAP_NR(SYS_seccomp),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {(unsigned short)(sizeof(f) / sizeof(f[0])), f};
	long r = rt_syscall6(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, (long)&prog, 0, 0, 0);
	return r == 0 ? CELLA_OK : CELLA_ERR_BACKEND;
}
