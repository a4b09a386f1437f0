// SPDX-License-Identifier: MIT
/* The enclave process: map the measured page list, confine, enter. */
#include "monitor.h"

#include <errno.h>
#include <sched.h>
#include <linux/futex.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef ARCH_SET_FS
#define ARCH_SET_FS 0x1002
#endif

static int prot_of(uint64_t secinfo)
{
	int p = PROT_NONE;
	if ((secinfo & 0xff00) == CELLA_SECINFO_PT_TCS)
		return PROT_READ; /* TCS pages are the hardware's; the sandbox never writes them */
	if (secinfo & CELLA_SECINFO_R)
		p |= PROT_READ;
	if (secinfo & CELLA_SECINFO_W)
		p |= PROT_WRITE;
	if (secinfo & CELLA_SECINFO_X)
		p |= PROT_EXEC;
	return p;
}

/* Reserves `size` bytes aligned to `size` (SGX requires a naturally aligned ELRANGE; the sandbox keeps it). */
static uint8_t *reserve(uint64_t size)
{
	uint8_t *p = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *base;
	if (p == MAP_FAILED)
		return NULL;
	base = (uint8_t *)(((uint64_t)p + size - 1) & ~(size - 1));
	if (base > p)
		munmap(p, (size_t)(base - p));
	if (base + size < p + 2 * size)
		munmap(base + size, (size_t)(p + 2 * size - (base + size)));
	return base;
}

static cella_result map_pages(const struct cella_layout *l, uint8_t *base)
{
	size_t i = 0;
	if (mprotect(base, l->r.used_bytes, PROT_READ | PROT_WRITE) != 0)
		return CELLA_ERR_OUT_OF_MEMORY;
	for (i = 0; i < l->npages; i++)
		if (l->pages[i].data)
			memcpy(base + l->pages[i].rva, l->pages[i].data, CELLA_PAGE_BYTES);
	/* Holes (guard pages, gaps) become inaccessible; runs of equal permissions share one mprotect. */
	if (mprotect(base, l->r.used_bytes, PROT_NONE) != 0)
		return CELLA_ERR_UNEXPECTED;
	i = 0;
	while (i < l->npages) {
		size_t j = i + 1;
		int prot = prot_of(l->pages[i].secinfo);
		while (j < l->npages && l->pages[j].rva == l->pages[j - 1].rva + CELLA_PAGE_BYTES &&
		       prot_of(l->pages[j].secinfo) == prot)
			j++;
		if (mprotect(base + l->pages[i].rva, (j - i) * CELLA_PAGE_BYTES, prot) != 0)
			return CELLA_ERR_UNEXPECTED;
		i = j;
	}
	return CELLA_OK;
}

/* Argument 0 compared with `op` (SCMP_A0 leaves fields to the compiler's defaults, which clang warns about). */
static struct scmp_arg_cmp a0(enum scmp_compare op, uint64_t a, uint64_t b)
{
	struct scmp_arg_cmp c = {.arg = 0, .op = op, .datum_a = a, .datum_b = b};
	return c;
}

/* futex operations the runtime and musl use: wait and wake, with or without a bitset, and the requeues. The
 * priority-inheritance ones (a long history of kernel bugs, and locks naming thread ids) trap like any other
 * refused syscall. */
static int allow_futex(scmp_filter_ctx ctx)
{
	static const uint64_t ops[] = {FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAIT_BITSET,
				       FUTEX_WAKE_BITSET};
	const uint64_t mask = 0xffffffffu & ~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	int rc = 0;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct scmp_arg_cmp c = {.arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = mask, .datum_b = ops[i]};
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 1, c);
	}
	return rc;
}

static cella_result confine(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int rc = 0;
	if (!ctx)
		return CELLA_ERR_BACKEND;
	/* A syscall through another ABI (int $0x80, or an x32 number: the x86-64 architecture with
	 * __X32_SYSCALL_BIT set, which libseccomp's x86-64 filter sends to this same action) ends the whole process.
	 * libseccomp's default kills only the calling thread: the monitor would not notice, and the call on that
	 * thread's TCS would hang for good. */
	rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	rc |= allow_futex(ctx);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_yield), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0);
	/* start-up only: the runtime traps these itself once its TCS threads run (src/enclave/filter.c) */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack), 0);
	/* a new TCS thread's first syscall, made by musl on the small stack in its TLS page (a trap there would
	 * push a signal frame it has no room for) */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigprocmask), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(arch_prctl), 1, a0(SCMP_CMP_EQ, ARCH_SET_FS, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			       a0(SCMP_CMP_MASKED_EQ, CLONE_VM | CLONE_THREAD, CLONE_VM | CLONE_THREAD));
	/* the enclave's only ways out: its monitor socket, and dying with the agreed status */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
			       a0(SCMP_CMP_EQ, CELLA_MONITOR_ENCLAVE_FD, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1, a0(SCMP_CMP_EQ, CELLA_MONITOR_ENCLAVE_FD, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 1,
			       a0(SCMP_CMP_EQ, CELLA_MONITOR_EXIT_MAGIC, 0));
	if (rc == 0)
		rc = seccomp_load(ctx); /* also sets no_new_privs */
	seccomp_release(ctx);
	return rc == 0 ? CELLA_OK : CELLA_ERR_BACKEND;
}

/* Stack the loader may still use after pin_stack() (confine() and libseccomp, sanitizer frames included): the
 * limit leaves this much room below the mapping as it is then, and no more. */
#define LOADER_STACK_ROOM (256 * 1024)

/*
 * The process keeps the monitor's [stack] mapping, on which this loader runs until it jumps to the enclave's own
 * stack. The kernel grows that mapping on any touch below it, up to RLIMIT_STACK (unlimited: as far as there is
 * room): memory the enclave could take beyond its size. RLIMIT_STACK is set to the mapping's size plus the
 * loader's room, never above the limits as they were (a small `ulimit -s` stays as it is), so growth is bounded;
 * a touch below that is a fault. No core files either (the process is not dumpable already). false if the
 * mapping cannot be found or the limits not set.
 */
static bool pin_stack(void)
{
	struct rlimit none = {0, 0}, old, rl;
	unsigned long lo = 0, hi = 0;
	char line[512];
	bool found = false;
	FILE *f;
	if (getrlimit(RLIMIT_STACK, &old) != 0 || !(f = fopen("/proc/self/maps", "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " [stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2 && hi > lo;
	fclose(f);
	if (!found)
		return false;
	rl.rlim_cur = (rlim_t)(hi - lo) + LOADER_STACK_ROOM;
	if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < rl.rlim_cur)
		rl.rlim_cur = old.rlim_cur;
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < rl.rlim_cur)
		rl.rlim_cur = old.rlim_max;
	rl.rlim_max = rl.rlim_cur;
	return setrlimit(RLIMIT_STACK, &rl) == 0 && setrlimit(RLIMIT_CORE, &none) == 0;
}

/* see monitor.h */
void cella_close_from(int lo)
{
	struct rlimit rl;
	int hi;
	if (syscall(SYS_close_range, (unsigned)lo, ~0u, 0) == 0)
		return;
	/* kernels before 5.9: one at a time, up to the descriptor limit */
	hi = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1u << 20) ? (int)rl.rlim_cur : 1 << 20;
	for (int fd = lo; fd < hi; fd++)
		close(fd);
}

cella_result cella_loader_run(const struct cella_layout *l, uint64_t window_bytes, uint64_t window_addr,
			      int enclave_sock, pid_t monitor)
{
	struct cella_layout_tcs t0;
	uint8_t *base;
	uint64_t entry, stack_top;
	sigset_t all;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || prctl(PR_SET_DUMPABLE, 0) != 0)
		return CELLA_ERR_BACKEND;
	if (getppid() != monitor) /* the monitor died before the death signal was set: nobody would end us */
		return CELLA_ERR_BACKEND;
	if (cella_layout_tcs(&l->r, 0, &t0) != CELLA_OK)
		return CELLA_ERR_UNEXPECTED;
	/* The window is already here, at the host's address: the monitor mapped it before the fork (proto.h). */
	base = reserve(l->r.enclave_size);
	if (!base)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (map_pages(l, base) != CELLA_OK)
		return CELLA_ERR_OUT_OF_MEMORY;
	if (dup2(enclave_sock, CELLA_MONITOR_ENCLAVE_FD) < 0)
		return CELLA_ERR_BACKEND;
	/* Nothing but the monitor socket stays open: the loader says nothing after this (its exit status tells why it
	 * failed), and the enclave could only ever write to the socket. */
	close(0);
	close(1);
	close(2);
	cella_close_from(CELLA_MONITOR_ENCLAVE_FD + 1);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (!pin_stack() || confine() != CELLA_OK)
		return CELLA_ERR_BACKEND;
	entry = (uint64_t)base + l->entry_rva;
	stack_top = (uint64_t)base + t0.stack_hi;
	__asm__ __volatile__("mov %0, %%rsp\n\t"
			     "xor %%ebp, %%ebp\n\t"
			     "jmp *%1\n\t"
			     :
			     : "r"(stack_top), "r"(entry), "D"(window_addr), "S"(window_bytes),
			       "d"((uint64_t)CELLA_MONITOR_ENCLAVE_FD), "c"(0ull)
			     : "memory");
	__builtin_unreachable();
}
