// SPDX-License-Identifier: MIT
/*
 * sgxsim: a software stand-in for SGX hardware, its driver and the vDSO, so that the SGX backend and the
 * enclave runtime's SGX world (src/enclave/sgx, the SGX paths of boot.c, calls.c, syscall.c) run on machines
 * without SGX. Tests only; it protects nothing. It plugs in at the three seams of struct cella_sgx_stand_in:
 *
 *   - the loader's ioctl layer: ELRANGE is ordinary memory; EADD copies, the final mmap sets permissions,
 *     and the TCS pages are remembered (OSSA, NSSA, OENTRY, OFSBASE, OGSBASE);
 *   - CPUID: an SGX1 platform with this CPU's XSAVE features;
 *   - __vdso_sgx_enter_enclave: sgxsim_enter (sgxsim_entry.S).
 *
 * ENCLU and AEX are emulated in signal handlers, because the instructions fault outside SGX:
 *   EENTER/ERESUME  sgxsim_enter executes UD2; the SIGILL handler rewrites the signal context into the
 *                   enclave's: RAX = CSSA, RBX = TCS, RCX = AEP, FS/GS bases = the TCS's OFSBASE/OGSBASE
 *                   (WRFSBASE), RIP = OENTRY; or, for ERESUME, every register and the XSAVE state from SSA
 *                   frame CSSA - 1.
 *   EEXIT           ENCLU with EAX = 4 faults in the enclave: RIP = RBX, FS/GS back to the host's. ENCLU
 *                   outside an enclave is #UD (SIGILL) where the CPU has no SGX, #GP (SIGSEGV from the kernel)
 *                   where it has, or where a hypervisor answers it so: both are taken as the instruction.
 *   AEX             a fault in enclave code (SIGSEGV, SIGFPE, SIGTRAP, SIGBUS, SIGILL other than ENCLU), or a
 *                   SYSCALL there, which a seccomp filter on the enclave's address range turns into SIGSYS and
 *                   this file into #UD at the SYSCALL: the context goes to SSA frame CSSA with EXITINFO, CSSA
 *                   grows, and the host resumes at the AEP with RSP/RBP from EENTER and the synthetic RAX = 3.
 *   CPUID           #UD in an enclave, as on SGX, where the kernel offers CPUID faulting (ARCH_SET_CPUID): it is
 *                   turned on at each entry and off at each exit (EEXIT, AEX), and the #GP it raises on CPUID in
 *                   the enclave's range becomes #UD. Without it CPUID runs natively (a line on stderr says so).
 *   EREPORT, EGETKEY  ENCLU with EAX = 0 or 1: answered by the sandbox's software platform (the monitor's
 *                   platform.c, CELLA_PLATFORM_DIR) for the identity EINIT established: MRENCLAVE as signed,
 *                   MRSIGNER, product, SVN, and the SECS attributes.
 *
 * Signals arrive while FS is the enclave's thread-data page, so the handler's first instructions
 * (sgxsim_signal_entry) restore the host thread's FS, found through the GS base, before any C runs.
 */
#include "sgxsim.h"

#include <asm/prctl.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "platform.h"
#include "sgx_arch.h"
#include "sgx_internal.h"
#include "sgx_uapi.h"

#define PAGE 4096ull
#define MAX_ENCLAVES 64
#define ALTSTACK_BYTES (256u * 1024)

struct sim_tcs {
	uint64_t tcs, td, oentry, ssa; /* linear addresses */
	uint32_t cssa, nssa;
	int busy;
	uint64_t host_fs, host_gs, ursp, urbp;
};

struct sim_enclave {
	uint64_t base, size;
	uint32_t ssa_frame_pages;
	struct cella_identity id; /* what EINIT established: EREPORT reports it, EGETKEY derives from it */
	uint32_t ntcs;
	struct sim_tcs tcs[CELLA_MAX_TCS];
	int slot; /* index in registry, -1 before EINIT */
};

/* Read by the signal entry without locks (published with a release store, cleared before unmapping). */
static struct sim_enclave *registry[MAX_ENCLAVES];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

struct sim_thread {
	struct cella_sgx_enclave_run *run;
	struct sim_tcs *t;
	unsigned leaf;
	uint64_t rdi, rsi, rdx, r8, r9;
	uint16_t vector, error_code;
	uint64_t addr;
	void *altstack; /* this thread's signal stack, released when the thread ends */
	unsigned inject_steps; /* cella_sgxsim_aex_after */
	bool inject_interrupt;
	uint64_t fake_rsp, real_rsp, exit_rsp; /* cella_sgxsim_host_rsp_in_enclave */
};
static __thread struct sim_thread me;
static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;

static void altstack_release(void *p)
{
	stack_t off = {.ss_flags = SS_DISABLE};
	sigaltstack(&off, NULL);
	free(p);
}

static void altstack_key_init(void)
{
	if (pthread_key_create(&altstack_key, altstack_release) != 0)
		abort();
}

static struct sigaction previous[65];

extern char sgxsim_enter_ud2[], sgxsim_aep[];
int sgxsim_enter(unsigned long rdi, unsigned long rsi, unsigned long rdx, unsigned int leaf, unsigned long r8,
		 unsigned long r9, struct cella_sgx_enclave_run *run);
void sgxsim_signal_entry(int sig, siginfo_t *si, void *ctx);
/* called from sgxsim_entry.S */
uint64_t sgxsim_host_fs_for(uint64_t gs);
uint64_t sgxsim_signal(int sig, siginfo_t *si, void *ctx);
int sgxsim_request(unsigned long rdi, unsigned long rsi, unsigned long rdx, unsigned int leaf, unsigned long r8,
		   unsigned long r9, struct cella_sgx_enclave_run *run);
int sgxsim_landed(long rdi, long rsi, long rdx, unsigned leaf, long r8, long r9);

static uint64_t rdfsbase(void)
{
	uint64_t v;
	__asm__ __volatile__("rdfsbase %0" : "=r"(v));
	return v;
}

static uint64_t rdgsbase(void)
{
	uint64_t v;
	__asm__ __volatile__("rdgsbase %0" : "=r"(v));
	return v;
}

static void wrgsbase(uint64_t v)
{
	__asm__ __volatile__("wrgsbase %0" : : "r"(v) : "memory");
}

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "sgxsim: %s\n", what);
	abort();
}

/* The busy TCS whose thread-data page is `gs`, or NULL. Runs before FS is the host's: no TLS, no sanitizer. */
__attribute__((no_sanitize("address", "undefined"))) static struct sim_tcs *busy_tcs(uint64_t gs)
{
	if (gs == 0)
		return NULL;
	for (int i = 0; i < MAX_ENCLAVES; i++) {
		struct sim_enclave *e = __atomic_load_n(&registry[i], __ATOMIC_ACQUIRE);
		if (!e || gs < e->base || gs - e->base >= e->size)
			continue;
		for (uint32_t k = 0; k < e->ntcs; k++)
			if (e->tcs[k].td == gs && __atomic_load_n(&e->tcs[k].busy, __ATOMIC_ACQUIRE))
				return &e->tcs[k];
	}
	return NULL;
}

__attribute__((no_sanitize("address", "undefined"))) uint64_t sgxsim_host_fs_for(uint64_t gs)
{
	struct sim_tcs *t = busy_tcs(gs);
	return t ? t->host_fs : 0;
}

static struct sim_enclave *enclave_of(uint64_t addr)
{
	for (int i = 0; i < MAX_ENCLAVES; i++) {
		struct sim_enclave *e = __atomic_load_n(&registry[i], __ATOMIC_ACQUIRE);
		if (e && addr >= e->base && addr - e->base < e->size)
			return e;
	}
	return NULL;
}

static struct sim_tcs *tcs_at(uint64_t tcs)
{
	struct sim_enclave *e = enclave_of(tcs);
	for (uint32_t k = 0; e && k < e->ntcs; k++)
		if (e->tcs[k].tcs == tcs)
			return &e->tcs[k];
	return NULL;
}

static uint8_t *ssa_frame(const struct sim_tcs *t, uint32_t n)
{
	struct sim_enclave *e = enclave_of(t->tcs);
	return (uint8_t *)(uintptr_t)(t->ssa + (uint64_t)n * e->ssa_frame_pages * PAGE);
}

/* GPRSGX's first 18 fields (rax .. r15, rflags, rip, SDM order) and their ucontext slots. */
static const int gpr_slot[] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI, REG_R8,
			       REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_EFL, REG_RIP};
#define GPR_COUNT (sizeof(gpr_slot) / sizeof(gpr_slot[0]))
_Static_assert(__builtin_offsetof(struct cella_sgx_gprsgx, rip) == (GPR_COUNT - 1) * 8, "GPRSGX order");

static struct cella_sgx_gprsgx *gprsgx(const struct sim_tcs *t, uint32_t n)
{
	struct sim_enclave *e = enclave_of(t->tcs);
	return (struct cella_sgx_gprsgx *)(ssa_frame(t, n) + e->ssa_frame_pages * PAGE - CELLA_SGX_GPRSGX_BYTES);
}

/* ---- the loader's ioctl layer ---- */

static void *sim_open(void)
{
	struct sim_enclave *e = calloc(1, sizeof(*e));
	if (e)
		e->slot = -1;
	return e;
}

static void sim_close(void *ctx)
{
	struct sim_enclave *e = ctx;
	if (e->slot >= 0) {
		pthread_mutex_lock(&registry_lock);
		__atomic_store_n(&registry[e->slot], NULL, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&registry_lock);
	}
	if (e->base)
		munmap((void *)(uintptr_t)e->base, e->size);
	free(e);
}

static cella_result sim_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	struct sim_enclave *e = ctx;
	uint8_t *p = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t a;
	if (p == MAP_FAILED)
		return CELLA_ERR_OUT_OF_MEMORY;
	a = ((uint64_t)(uintptr_t)p + size - 1) & ~(size - 1);
	if (a > (uint64_t)(uintptr_t)p)
		munmap(p, a - (uint64_t)(uintptr_t)p);
	munmap((void *)(uintptr_t)(a + size), (uint64_t)(uintptr_t)p + 2 * size - (a + size));
	e->base = a;
	e->size = size;
	*base = a;
	return CELLA_OK;
}

static cella_result sim_create(void *ctx, const struct cella_sgx_secs *secs)
{
	struct sim_enclave *e = ctx;
	if (secs->base_addr != e->base || secs->size != e->size || secs->ssa_frame_size == 0)
		return CELLA_ERR_INVALID_ARG;
	e->ssa_frame_pages = secs->ssa_frame_size;
	e->id.attributes = secs->attributes;
	e->id.attributes.flags |= CELLA_ATTR_INIT;
	e->id.misc_select = secs->misc_select;
	return CELLA_OK;
}

static cella_result sim_add(void *ctx, uint64_t offset, const uint8_t *src, uint64_t length,
			    const struct cella_sgx_secinfo *secinfo, uint64_t flags)
{
	struct sim_enclave *e = ctx;
	uint8_t *dst = (uint8_t *)(uintptr_t)(e->base + offset);
	if (offset % PAGE || length % PAGE || offset + length > e->size)
		return CELLA_ERR_INVALID_ARG;
	if (mprotect(dst, length, PROT_READ | PROT_WRITE) != 0)
		return CELLA_ERR_OUT_OF_MEMORY;
	memcpy(dst, src, length);
	/* SGXSIM_DIRTY_UNMEASURED: a hostile loader's choice of bytes for pages added without EEXTEND, which
	 * MRENCLAVE does not cover (on hardware the host can pass any source page) */
	if (!(flags & CELLA_SGX_PAGE_MEASURE) && getenv("SGXSIM_DIRTY_UNMEASURED"))
		memset(dst, 0xa5, length);
	if ((secinfo->flags & 0xff00) == CELLA_SECINFO_PT_TCS) {
		for (uint64_t off = 0; off < length; off += PAGE) {
			const struct cella_sgx_tcs *tcs = (const void *)(src + off);
			struct sim_tcs *t;
			if (e->ntcs == CELLA_MAX_TCS)
				return CELLA_ERR_INVALID_ARG;
			t = &e->tcs[e->ntcs++];
			t->tcs = e->base + offset + off;
			t->ssa = e->base + tcs->ossa;
			t->nssa = tcs->nssa;
			t->oentry = e->base + tcs->oentry;
			t->td = e->base + tcs->ofsbase;
			if (tcs->ogsbase != tcs->ofsbase)
				return CELLA_ERR_INVALID_ARG; /* the runtime relies on both; so does this stand-in */
		}
	}
	return CELLA_OK;
}

static cella_result sim_provision(void *ctx)
{
	(void)ctx;
	return CELLA_OK;
}

static void install_filter(uint64_t base, uint64_t size);

static cella_result sim_init(void *ctx, const struct cella_sgx_sigstruct *sig)
{
	struct sim_enclave *e = ctx;
	memcpy(e->id.mr_enclave, sig->enclave_hash, 32);
	SHA256(sig->modulus, sizeof(sig->modulus), e->id.mr_signer);
	e->id.isv_prod_id = sig->isv_prod_id;
	e->id.isv_svn = sig->isv_svn;
	memcpy(e->id.isv_family_id, sig->isv_family_id, 16);
	memcpy(e->id.isv_ext_prod_id, sig->isv_ext_prod_id, 16);
	install_filter(e->base, e->size);
	pthread_mutex_lock(&registry_lock);
	for (int i = 0; i < MAX_ENCLAVES; i++)
		if (!registry[i]) {
			e->slot = i;
			__atomic_store_n(&registry[i], e, __ATOMIC_RELEASE);
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	return e->slot >= 0 ? CELLA_OK : CELLA_ERR_OUT_OF_MEMORY;
}

static cella_result sim_map(void *ctx, uint64_t offset, uint64_t length, int prot)
{
	struct sim_enclave *e = ctx;
	return mprotect((void *)(uintptr_t)(e->base + offset), length, prot) == 0 ? CELLA_OK : CELLA_ERR_BACKEND;
}

static const struct cella_sgx_ops sim_ops = {
	.name = "sgxsim",
	.reserve = sim_reserve,
	.create = sim_create,
	.add_pages = sim_add,
	.provision = sim_provision,
	.init = sim_init,
	.map = sim_map,
};

/*
 * A SYSCALL from the enclave's range traps (SIGSYS) instead of reaching the kernel, as it raises #UD on SGX.
 * The enclave's range is naturally aligned, so "inside" is a compare of the masked instruction pointer.
 */
static void install_filter(uint64_t base, uint64_t size)
{
	uint32_t hi = (uint32_t)(base >> 32), lo = (uint32_t)base;
	uint32_t mask = size >= (1ull << 32) ? 0 : (uint32_t)~(size - 1);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, lo & mask, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	};
	struct sock_fprog prog = {(unsigned short)(sizeof(f) / sizeof(f[0])), f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0)
		die("cannot install the seccomp filter for the enclave's range");
}

/* ---- entry and exit ---- */

int sgxsim_request(unsigned long rdi, unsigned long rsi, unsigned long rdx, unsigned int leaf, unsigned long r8,
		   unsigned long r9, struct cella_sgx_enclave_run *run)
{
	if (!me.altstack) {
		stack_t ss = {.ss_sp = malloc(ALTSTACK_BYTES), .ss_size = ALTSTACK_BYTES};
		pthread_once(&altstack_once, altstack_key_init);
		if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0 || pthread_setspecific(altstack_key, ss.ss_sp) != 0)
			die("no signal stack for this thread");
		me.altstack = ss.ss_sp;
	}
	if (!run || (leaf != CELLA_ENCLU_EENTER && leaf != CELLA_ENCLU_ERESUME) || !(me.t = tcs_at(run->tcs)))
		return -EINVAL;
	me.run = run;
	me.leaf = leaf;
	me.rdi = rdi;
	me.rsi = rsi;
	me.rdx = rdx;
	me.r8 = r8;
	me.r9 = r9;
	return 0;
}

int sgxsim_landed(long rdi, long rsi, long rdx, unsigned leaf, long r8, long r9)
{
	struct cella_sgx_enclave_run *run = me.run;
	cella_sgx_user_handler_fn h = (cella_sgx_user_handler_fn)(uintptr_t)run->user_handler;
	run->function = leaf;
	if (getenv("SGXSIM_TRACE"))
		fprintf(stderr, "sgxsim: exit leaf %u rdi %#lx rsi %#lx cssa %u\n", leaf, rdi, rsi, me.t->cssa);
	if (leaf == CELLA_ENCLU_ERESUME) {
		run->exception_vector = me.vector;
		run->exception_error_code = me.error_code;
		run->exception_addr = me.addr;
	}
	if (!h)
		return 0;
	/* the vDSO's contract: > 0 would mean "enter again with that leaf"; the backend's handler returns 0 */
	return h(rdi, rsi, rdx, 0, r8, r9, run) > 0 ? -EINVAL : 0;
}

/* The kernel's signal-frame XSAVE image: legacy area, software bytes 464..511, header, extended state. */
static size_t frame_xsave_bytes(const ucontext_t *uc)
{
	const uint8_t *fx = (const uint8_t *)uc->uc_mcontext.fpregs;
	uint32_t magic1, size;
	memcpy(&magic1, fx + 464, 4);
	memcpy(&size, fx + 464 + 12, 4); /* struct _fpx_sw_bytes: magic1, extended_size, xfeatures(8), xstate_size */
	return magic1 == 0x46505853u ? size : 512;
}

static void save_xsave(const ucontext_t *uc, uint8_t *frame, size_t room)
{
	const uint8_t *fx = (const uint8_t *)uc->uc_mcontext.fpregs;
	size_t n = frame_xsave_bytes(uc);
	if (n > room)
		die("the XSAVE state does not fit the SSA frame");
	memcpy(frame, fx, 464);
	memset(frame + 464, 0, 48);
	if (n > 512)
		memcpy(frame + 512, fx + 512, n - 512);
}

static void restore_xsave(ucontext_t *uc, const uint8_t *frame)
{
	uint8_t *fx = (uint8_t *)uc->uc_mcontext.fpregs;
	size_t n = frame_xsave_bytes(uc);
	memcpy(fx, frame, 464);
	if (n > 512)
		memcpy(fx + 512, frame + 512, n - 512);
}

/* Whether this kernel makes CPUID fault on request (ARCH_SET_CPUID): 1 yes, 0 no, -1 not asked yet. */
static int cpuid_faulting = -1;

/* CPUID faults (on = 1) or runs (on = 0) in this thread from now on, where the kernel can make it fault. Called in
 * the signal handler: a system call, no allocation. */
static void cpuid_fault(int on)
{
	int known = __atomic_load_n(&cpuid_faulting, __ATOMIC_RELAXED);
	if (known == 0)
		return;
	long r = syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1);
	if (known < 0) {
		__atomic_store_n(&cpuid_faulting, r == 0, __ATOMIC_RELAXED);
		if (r != 0) {
			static const char msg[] = "sgxsim: no CPUID faulting here: CPUID runs natively in enclaves\n";
			ssize_t w = write(2, msg, sizeof(msg) - 1);
			(void)w;
		}
	}
}

/* Returns the FS base the interrupted context must run with: the TCS's thread-data page. */
static uint64_t do_entry(ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct sim_tcs *t = me.t;
	struct cella_sgx_gprsgx *gp;

	if (__atomic_exchange_n(&t->busy, 1, __ATOMIC_ACQ_REL))
		die("EENTER/ERESUME on a busy TCS");
	t->host_fs = rdfsbase();
	t->host_gs = rdgsbase();
	t->ursp = (uint64_t)g[REG_RSP];
	t->urbp = (uint64_t)g[REG_RBP];
	if (me.leaf == CELLA_ENCLU_EENTER) {
		if (me.fake_rsp) { /* the enclave sees this RSP; the stand-in lands on the real one */
			me.real_rsp = t->ursp;
			g[REG_RSP] = (greg_t)me.fake_rsp;
		}
		if (t->cssa >= t->nssa)
			die("EENTER with no free SSA frame");
		gp = gprsgx(t, t->cssa);
		gp->ursp = (uint64_t)g[REG_RSP];
		gp->urbp = t->urbp;
		g[REG_RAX] = t->cssa;
		g[REG_RBX] = (greg_t)t->tcs;
		g[REG_RCX] = (greg_t)(uintptr_t)sgxsim_aep;
		g[REG_RDI] = (greg_t)me.rdi;
		g[REG_RSI] = (greg_t)me.rsi;
		g[REG_RDX] = (greg_t)me.rdx;
		g[REG_R8] = (greg_t)me.r8;
		g[REG_R9] = (greg_t)me.r9;
		g[REG_RIP] = (greg_t)t->oentry;
		if (me.inject_steps)
			g[REG_EFL] |= 0x100; /* TF: a SIGTRAP after each instruction until the count runs out */
	} else {
		if (t->cssa == 0)
			die("ERESUME with nothing to resume");
		t->cssa--;
		gp = gprsgx(t, t->cssa);
		for (unsigned i = 0; i < GPR_COUNT; i++)
			g[gpr_slot[i]] = (greg_t)((const uint64_t *)(void *)gp)[i];
		restore_xsave(uc, ssa_frame(t, t->cssa));
	}
	cpuid_fault(1);
	wrgsbase(t->td);
	return t->td;
}

static void do_eexit(struct sim_tcs *t, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	g[REG_RIP] = g[REG_RBX];
	me.inject_steps = 0; /* an injection the entry's POPF outran ends with the entry */
	if (me.fake_rsp) {
		me.exit_rsp = (uint64_t)g[REG_RSP];
		g[REG_RSP] = (greg_t)me.real_rsp;
		me.fake_rsp = 0;
	}
	__atomic_store_n(&t->busy, 0, __ATOMIC_RELEASE);
	cpuid_fault(0);
	wrgsbase(t->host_gs);
}

static void do_aex(struct sim_tcs *t, int sig, siginfo_t *si, ucontext_t *uc, bool interrupt)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct sim_enclave *e = enclave_of(t->tcs);
	struct cella_sgx_gprsgx *gp;
	uint32_t vector, type = 3; /* hardware exception */
	uint64_t rip = (uint64_t)g[REG_RIP], rax = (uint64_t)g[REG_RAX];

	switch (sig) {
	case SIGSYS: /* SYSCALL in the enclave: #UD at the instruction */
		vector = CELLA_X86_VECTOR_UD;
		rip -= 2;
		rax = (uint64_t)si->si_syscall;
		break;
	case SIGILL:
		vector = CELLA_X86_VECTOR_UD;
		break;
	case SIGFPE:
		vector = CELLA_X86_VECTOR_DE;
		break;
	case SIGTRAP:
		if (si->si_code == TRAP_TRACE) {
			vector = 1; /* #DB from single-stepping */
		} else {
			vector = 3;
			type = 6; /* software exception (INT3) */
		}
		break;
	case SIGSEGV:
		vector = si->si_code == SI_KERNEL ? CELLA_X86_VECTOR_GP : CELLA_X86_VECTOR_PF;
		/* CPUID faulting raises #GP; SGX raises #UD for CPUID in an enclave */
		if (vector == CELLA_X86_VECTOR_GP && __atomic_load_n(&cpuid_faulting, __ATOMIC_RELAXED) == 1 &&
		    memcmp((const void *)(uintptr_t)rip, "\x0f\xa2", 2) == 0)
			vector = CELLA_X86_VECTOR_UD;
		break;
	default:
		vector = 17; /* #AC */
		break;
	}
	if (t->cssa >= t->nssa)
		die("an exception with every SSA frame in use");
	gp = gprsgx(t, t->cssa);
	save_xsave(uc, ssa_frame(t, t->cssa), e->ssa_frame_pages * PAGE - CELLA_SGX_GPRSGX_BYTES);
	for (unsigned i = 0; i < GPR_COUNT; i++)
		((uint64_t *)(void *)gp)[i] = (uint64_t)g[gpr_slot[i]];
	gp->rax = rax; /* a SYSCALL's number, not the kernel's -ENOSYS */
	gp->rip = rip;
	/* SDM: #PF and #GP are reported in EXITINFO only when MISCSELECT.EXINFO is set; the AEX happens anyway */
	if (interrupt || ((vector == CELLA_X86_VECTOR_PF || vector == CELLA_X86_VECTOR_GP) && !(e->id.misc_select & 1)))
		gp->exitinfo = 0;
	else
		gp->exitinfo = vector | type << 8 | CELLA_SGX_EXITINFO_VALID;
	if (getenv("SGXSIM_TRACE"))
		fprintf(stderr, "sgxsim: AEX sig %d vector %u rip %#lx (rva %#lx) rsp = tcs - %#lx, cssa %u\n", sig, vector,
			(unsigned long)rip, (unsigned long)(rip - e->base), (unsigned long)(t->tcs - gp->rsp), t->cssa);
	t->cssa++;
	me.vector = (uint16_t)vector;
	me.error_code = 0;
	me.addr = (uint64_t)(uintptr_t)si->si_addr;
	/* the synthetic state the host sees at the AEP */
	for (int r = REG_R8; r <= REG_RSP; r++)
		g[r] = 0;
	g[REG_RAX] = CELLA_ENCLU_ERESUME;
	g[REG_RBX] = (greg_t)t->tcs;
	g[REG_RCX] = (greg_t)(uintptr_t)sgxsim_aep;
	g[REG_RSP] = (greg_t)t->ursp;
	g[REG_RBP] = (greg_t)t->urbp;
	g[REG_RIP] = (greg_t)(uintptr_t)sgxsim_aep;
	g[REG_EFL] = 0x202;
	__atomic_store_n(&t->busy, 0, __ATOMIC_RELEASE);
	cpuid_fault(0);
	wrgsbase(t->host_gs);
}

/* The sandbox's software platform, shared by every simulated enclave of this process. */
static struct cella_platform *platform(void)
{
	static struct cella_platform *p;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char why[256];
	pthread_mutex_lock(&lock);
	if (!p && cella_platform_open(getenv("CELLA_PLATFORM_DIR"), &p, why, sizeof(why)) != CELLA_OK)
		die(why);
	pthread_mutex_unlock(&lock);
	return p;
}

/* EREPORT (RBX TARGETINFO, RCX REPORTDATA, RDX REPORT) or EGETKEY (RBX KEYREQUEST, RCX key; RAX status). */
static uint64_t do_identity(struct sim_tcs *t, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct sim_enclave *e = enclave_of(t->tcs);
	cella_result r;

	if ((uint64_t)g[REG_RAX] == CELLA_ENCLU_EREPORT) {
		struct cella_report rep;
		r = cella_platform_report(platform(), &e->id, (const struct cella_target_info *)(uintptr_t)g[REG_RBX],
					  (const uint8_t *)(uintptr_t)g[REG_RCX], &rep);
		if (r != CELLA_OK)
			die("EREPORT failed in the software platform");
		memcpy((void *)(uintptr_t)g[REG_RDX], &rep, sizeof(rep));
	} else {
		const struct cella_key_request *kr = (const struct cella_key_request *)(uintptr_t)g[REG_RBX];
		uint8_t key[16], acc = kr->reserved1;
		for (size_t i = 0; i < sizeof(kr->reserved2); i++)
			acc |= kr->reserved2[i];
		if (acc || (kr->key_policy & ~0x3fu))
			die("EGETKEY with reserved KEYREQUEST bits set: #GP(0) on SGX"); /* as the hardware ends it */
		if (!(e->id.attributes.flags & CELLA_ATTR_KSS) &&
		    ((kr->key_policy & CELLA_KEYPOLICY_KSS_ONLY) || kr->config_svn))
			die("EGETKEY with KSS policy bits or a CONFIGSVN in an enclave without KSS: #GP(0) on SGX");
		r = cella_platform_getkey(platform(), &e->id, kr, key);
		if (r == CELLA_OK)
			memcpy((void *)(uintptr_t)g[REG_RCX], key, sizeof(key));
		memset(key, 0, sizeof(key));
		g[REG_RAX] = r == CELLA_OK			  ? 0
			     : r == CELLA_ERR_INVALID_ISVSVN  ? CELLA_SGX_INVALID_ISVSVN
			     : r == CELLA_ERR_INVALID_CPUSVN  ? CELLA_SGX_INVALID_CPUSVN
			     /* SDM: an unknown KEYNAME is SGX_INVALID_KEYNAME, a key the enclave may not have
			      * SGX_INVALID_ATTRIBUTE */
			     : r == CELLA_ERR_INVALID_KEYNAME && kr->key_name > CELLA_KEYNAME_SEAL ? CELLA_SGX_INVALID_KEYNAME
							      : CELLA_SGX_INVALID_ATTRIBUTE;
	}
	g[REG_RIP] += 3;
	return t->td; /* back into the enclave */
}

/* ---- the quoting enclave ---- */

static void qe_identity(struct cella_identity *qe)
{
	static const char name[] = "sgxsim quoting enclave";
	memset(qe, 0, sizeof(*qe));
	SHA256((const uint8_t *)name, sizeof(name) - 1, qe->mr_enclave);
	qe->attributes.flags = CELLA_ATTR_INIT | CELLA_ATTR_MODE64BIT;
	qe->attributes.xfrm = 3;
}

static cella_result qe_target_info(uint8_t out[CELLA_SGX_TARGETINFO_BYTES])
{
	struct cella_identity qe;
	struct cella_target_info ti;
	qe_identity(&qe);
	memset(&ti, 0, sizeof(ti));
	memcpy(ti.mr_enclave, qe.mr_enclave, 32);
	ti.attributes = qe.attributes;
	memcpy(out, &ti, sizeof(ti));
	return CELLA_OK;
}

static bool cmac_ok(const uint8_t key[16], const void *msg, size_t n, const uint8_t want[16])
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *c = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM prm[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0),
			    OSSL_PARAM_construct_end()};
	uint8_t got[16];
	size_t gl = 0;
	bool ok = c && EVP_MAC_init(c, key, 16, prm) == 1 && EVP_MAC_update(c, msg, n) == 1 &&
		  EVP_MAC_final(c, got, &gl, sizeof(got)) == 1 && gl == 16 && memcmp(got, want, 16) == 0;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return ok;
}

static cella_result qe_quote(const uint8_t in[CELLA_SGX_REPORT_BYTES], uint8_t **quote, size_t *len)
{
	struct cella_report rep;
	struct cella_identity qe, app;
	struct cella_key_request kr;
	uint8_t key[16];
	cella_result r;

	memcpy(&rep, in, sizeof(rep));
	qe_identity(&qe);
	memset(&kr, 0, sizeof(kr));
	kr.key_name = CELLA_KEYNAME_REPORT;
	memcpy(kr.key_id, rep.key_id, sizeof(kr.key_id));
	r = cella_platform_getkey(platform(), &qe, &kr, key);
	if (r != CELLA_OK)
		return r;
	if (!cmac_ok(key, &rep.body, sizeof(rep.body), rep.mac))
		return CELLA_ERR_MAC_MISMATCH; /* not a report for this quoting enclave, or changed on the way */
	memset(&app, 0, sizeof(app));
	memcpy(app.mr_enclave, rep.body.mr_enclave, 32);
	memcpy(app.mr_signer, rep.body.mr_signer, 32);
	app.attributes = rep.body.attributes;
	app.misc_select = rep.body.misc_select;
	app.isv_prod_id = rep.body.isv_prod_id;
	app.isv_svn = rep.body.isv_svn;
	app.config_svn = rep.body.config_svn;
	memcpy(app.config_id, rep.body.config_id, 64);
	memcpy(app.isv_family_id, rep.body.isv_family_id, 16);
	memcpy(app.isv_ext_prod_id, rep.body.isv_ext_prod_id, 16);
	return cella_platform_quote(platform(), &app, rep.body.report_data, quote, len);
}

static void chain(int sig, siginfo_t *si, void *ctx)
{
	struct sigaction *p = &previous[sig];
	if ((p->sa_flags & SA_SIGINFO) && p->sa_sigaction) {
		p->sa_sigaction(sig, si, ctx);
		return;
	}
	if (p->sa_handler != SIG_DFL && p->sa_handler != SIG_IGN) {
		p->sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL); /* the instruction faults again, with the default action */
}

/*
 * The C side of every signal (FS is the host's while it runs). Returns the FS base to install just before the
 * signal returns (sgxsim_signal_entry does it, after all C code), or 0 to leave the host's.
 */
uint64_t sgxsim_signal(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t rip = (uint64_t)g[REG_RIP];
	struct sim_tcs *t;

	if (sig == SIGILL && rip == (uint64_t)(uintptr_t)sgxsim_enter_ud2)
		return do_entry(uc);
	t = busy_tcs(rdgsbase());
	if (!t || !enclave_of(rip)) {
		chain(sig, si, ctx);
		return 0;
	}
	if ((sig == SIGILL || (sig == SIGSEGV && si->si_code == SI_KERNEL)) &&
	    memcmp((const void *)(uintptr_t)rip, "\x0f\x01\xd7", 3) == 0) {
		switch ((uint64_t)g[REG_RAX]) {
		case CELLA_ENCLU_EEXIT:
			do_eexit(t, uc);
			return 0;
		case CELLA_ENCLU_EREPORT:
		case CELLA_ENCLU_EGETKEY:
			return do_identity(t, uc);
		default:
			sig = SIGILL; /* #UD, as for any leaf SGX1 does not have */
			break;
		}
	}
	if (sig == SIGTRAP && si->si_code == TRAP_TRACE && me.inject_steps) {
		if (--me.inject_steps) /* not yet: step on (TF stays set in the context) */
			return t->td;
		g[REG_EFL] &= ~(greg_t)0x100;
		do_aex(t, sig, si, uc, me.inject_interrupt);
		return 0;
	}
	do_aex(t, sig, si, uc, false);
	return 0;
}

/* see sgxsim.h */
void cella_sgxsim_select(bool needs_injection)
{
	const char *hw = getenv("CELLA_SGX_HW");
	if (hw && strcmp(hw, "1") == 0) {
		if (access("/dev/sgx_enclave", F_OK) != 0 && access("/dev/sgx/enclave", F_OK) != 0) {
			printf("SKIP no /dev/sgx_enclave or /dev/sgx/enclave: this run needs SGX hardware\n");
			exit(77);
		}
		if (needs_injection) {
			printf("SKIP this case injects faults through the SGX stand-in, which hardware does not offer\n");
			exit(77);
		}
	} else if (!cella_sgxsim_install()) { /* a failure other than missing FSGSBASE has exited 1 */
		printf("SKIP the kernel does not offer user-mode FSGSBASE, which the SGX stand-in needs\n");
		exit(77);
	} else {
		printf("sgxsim: this program's enclaves run on the SGX backend's software stand-in\n");
	}
	setenv("CELLA_BACKEND", "sgx", 1);
}

/* see sgxsim.h */
uint64_t cella_sgxsim_host_rsp_in_enclave(void)
{
	struct sim_enclave *e = NULL;
	for (int i = 0; i < MAX_ENCLAVES && !e; i++)
		e = __atomic_load_n(&registry[i], __ATOMIC_ACQUIRE);
	me.fake_rsp = e ? e->base + 0x1800 : 0; /* in the first code page after the ELF header page */
	me.exit_rsp = 0;
	return me.fake_rsp;
}

/* see sgxsim.h */
uint64_t cella_sgxsim_exit_rsp(void)
{
	return me.exit_rsp;
}

/* see sgxsim.h */
void cella_sgxsim_aex_after(unsigned steps, bool interrupt)
{
	me.inject_steps = steps;
	me.inject_interrupt = interrupt;
}

static struct cella_sgx_stand_in sim;

/* see sgxsim.h */
bool cella_sgxsim_install(void)
{
	static const int sigs[] = {SIGILL, SIGSEGV, SIGSYS, SIGFPE, SIGTRAP, SIGBUS};
	unsigned long hwcap2 = 0;
	struct cella_sgx_platform p;

	hwcap2 = getauxval(AT_HWCAP2);
	if (!(hwcap2 & 2 /* HWCAP2_FSGSBASE: user-mode RD/WRFSBASE, Linux >= 5.9 */))
		return false;
	cella_sgx_platform_probe(&p);
	p.sgx = p.sgx1 = true;
	p.sgx2 = p.flc = p.kss = p.aexnotify = false;
	p.exinfo = false;
	p.misc_select = 0;
	p.attributes = CELLA_ATTR_INIT | CELLA_ATTR_DEBUG | CELLA_ATTR_MODE64BIT | CELLA_ATTR_PROVISIONKEY |
		       CELLA_ATTR_EINITTOKENKEY;
	p.xfrm = p.xcr0 ? p.xcr0 : 3;
	p.max_enclave_log2_64 = 47;
	sim.name = "sgxsim (software stand-in, tests only)";
	sim.ops = &sim_ops;
	sim.open = sim_open;
	sim.close = sim_close;
	sim.platform = p;
	sim.enter = sgxsim_enter;
	sim.qe_target_info = qe_target_info;
	sim.quote = qe_quote;
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sgxsim_signal_entry;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		if (sigaction(sigs[i], &sa, &previous[sigs[i]]) != 0) {
			perror("sgxsim: sigaction"); /* not a missing feature: a failure, not a skip */
			exit(1);
		}
	}
	cella_sgx_stand_in = &sim;
	return true;
}
