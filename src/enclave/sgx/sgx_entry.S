/* SPDX-License-Identifier: MIT */
/*
 * SGX entry and exit (TCS.OENTRY). Register contract: src/enclave/sgx/sgx_abi.h; design and the re-entrancy
 * rules: docs/sgx.md. On EENTER the hardware sets RAX = TCS.CSSA, RBX = the TCS's address, RCX = the host's
 * return address, and GS/FS bases = this TCS's thread-data page; RSP, RBP and every other register are the
 * host's (UNTRUSTED). Until RSP has been switched to this TCS's own stack, nothing here touches memory through
 * RSP or any host register, and every decision uses hardware-provided values (RAX, RBX, RCX) or enclave memory.
 */
#include "sgx_abi.h"
#include "sgx_rt.h"

#define EEXIT 4

/* Zero the scratch registers that may carry enclave data (RBX, RSP, RBP are set separately). */
.macro SCRUB_GPRS
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
.endm

/* Extended state to its initial configuration (MXCSR 0x1f80, FCW 0x037f, every register zero, x87 tags
 * empty): defeats MXCSR/FCW/MMX poisoning on entry and scrubs vector registers on exit. Clobbers EAX, EDX. */
.macro XSTATE_INIT
	mov $-1, %eax
	mov $-1, %edx
	xrstor rt_sgx_xsave_init(%rip)
.endm

/* EEXIT with the registers as they are, without touching any stack (RSP/RBP are still the host's). */
.macro EXIT_NOSTACK reason, value
	mov %rcx, %rbx
	mov $\reason, %edi
	mov $\value, %esi
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	mov $EEXIT, %eax
	enclu
	ud2
.endm

	.text

/*
 * The image's ELF entry point, used by both worlds. The sandbox loader jumps here with RCX = 0
 * (cella/abi/window.h); EENTER always delivers RCX = the address after the host's ENCLU, which is never 0.
 */
	.globl cella_enclave_entry
	.type cella_enclave_entry,@function
cella_enclave_entry:
	test %rcx, %rcx
	jnz .Lsgx_entry              /* a local label: both assemblers encode 75 05 (the host checks these bytes) */
	jmp cella_rt_entry
	.size cella_enclave_entry, .-cella_enclave_entry

	.globl cella_sgx_entry
	.hidden cella_sgx_entry
	.type cella_sgx_entry,@function
cella_sgx_entry:
.Lsgx_entry:
	cld
	cmpl $0, rt_sgx_crashed(%rip)
	jne .Lrefuse_lost
	cmp $1, %rax
	je .Lexception_entry
	ja .Lcrash_nostack          /* CSSA > 1 cannot reach EENTER with NSSA = 2: not a host we serve */

	/* ---- CSSA 0: a call entry. Record the host's anchor (values only). ---- */
	mov %rsp, %gs:RT_SGX_TD_HOST_RSP
	mov %rbp, %gs:RT_SGX_TD_HOST_RBP
	mov %rcx, %gs:RT_SGX_TD_HOST_RET
	stmxcsr %gs:RT_SGX_TD_HOST_MXCSR
	fnstcw %gs:RT_SGX_TD_HOST_FCW

	cmp $CELLA_SGX_OP_OCALL_RETURN, %rdi
	je .Locall_return

	/* BOOT or ECALL (rt_sgx_main validates the op). Choose the stack from enclave state only. */
	movl %gs:RT_SGX_TD_DEPTH, %eax
	test %eax, %eax
	jz .Lfresh_stack
	cmpl $0, %gs:RT_SGX_TD_IN_OCALL
	je .Lcrash_nostack           /* a call is running and not waiting for an ocall: impossible on SGX */
	cmp $RT_SGX_MAX_DEPTH, %eax
	jae .Lrefuse_depth
	mov %gs:RT_SGX_TD_OCALL_RSP, %rax
	sub $RT_SGX_RED_ZONE, %rax   /* nested call: below the frame of the ocall it is nested in */
	jmp .Lswitch
.Lfresh_stack:
	lea -4096(%rbx), %rax        /* top of this TCS's stack: one guard page below the TCS (layout.h) */
.Lswitch:
	and $-16, %rax
	mov %rax, %rsp
	movl $1, %gs:RT_SGX_TD_STACK_LIVE
	incl %gs:RT_SGX_TD_DEPTH
	movl $0, %gs:RT_SGX_TD_IN_OCALL
	xor %ebp, %ebp
	push %rdi
	push %rsi
	push %rdx
	push %rbx
	pushq $0
	popfq                        /* AC, DF, TF and the arithmetic flags clear */
	XSTATE_INIT
	pop %rcx                     /* TCS */
	pop %rdx
	pop %rsi
	pop %rdi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	call rt_sgx_main             /* rax:rdx = exit reason, value */
	decl %gs:RT_SGX_TD_DEPTH
	movl %gs:RT_SGX_TD_DEPTH, %ecx
	test %ecx, %ecx
	setnz %cl
	movzbl %cl, %ecx
	movl %ecx, %gs:RT_SGX_TD_IN_OCALL  /* an outer call, if any, still waits for its ocall */
	mov %rax, %rdi
	mov %rdx, %rsi
	jmp .Lexit_call

/* ---- OP_OCALL_RETURN: resume the ocall this TCS exited for, or crash if there is none (A8). ---- */
.Locall_return:
	cmpl $0, %gs:RT_SGX_TD_IN_OCALL
	je .Lcrash_nostack
	cmpl $0, %gs:RT_SGX_TD_DEPTH
	je .Lcrash_nostack
	mov %gs:RT_SGX_TD_OCALL_RSP, %rsp
	movl $1, %gs:RT_SGX_TD_STACK_LIVE
	movl $0, %gs:RT_SGX_TD_IN_OCALL
	pushq $0
	popfq
	XSTATE_INIT
	ldmxcsr (%rsp)               /* the enclave's own control words (callee-saved) */
	fldcw 4(%rsp)
	add $8, %rsp
	popq %gs:RT_SGX_TD_OCALL_RSP
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	ret                          /* into C: rt_sgx_ocall_exit() returns 0 */

/* uint64_t rt_sgx_ocall_exit(void): EEXIT with CELLA_SGX_EXIT_OCALL; returns when OP_OCALL_RETURN enters. */
	.globl rt_sgx_ocall_exit
	.hidden rt_sgx_ocall_exit
	.type rt_sgx_ocall_exit,@function
rt_sgx_ocall_exit:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	pushq %gs:RT_SGX_TD_OCALL_RSP /* chain: an ocall from a call nested in another ocall */
	sub $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	mov %rsp, %gs:RT_SGX_TD_OCALL_RSP
	movl $1, %gs:RT_SGX_TD_IN_OCALL
	mov $CELLA_SGX_EXIT_OCALL, %edi
	xor %esi, %esi
	jmp .Lexit_call
	.size rt_sgx_ocall_exit, .-rt_sgx_ocall_exit

/* void rt_sgx_exit_lost(uint64_t result): marks the enclave crashed and leaves through the call anchor. */
	.globl rt_sgx_exit_lost
	.hidden rt_sgx_exit_lost
	.type rt_sgx_exit_lost,@function
rt_sgx_exit_lost:
	movl $1, rt_sgx_crashed(%rip)
	mov %rdi, %rsi
	mov $CELLA_SGX_EXIT_LOST, %edi
	cmpl $0, %gs:RT_SGX_TD_IN_HANDLER
	jne .Lexit_exc                     /* called from the first phase: the host waits on that entry */
	jmp .Lexit_call
	.size rt_sgx_exit_lost, .-rt_sgx_exit_lost

/* ---- Exit through the call anchor: rdi, rsi = reason, value; we are on the trusted stack. ---- */
.Lexit_call:
	movl $0, %gs:RT_SGX_TD_STACK_LIVE
	XSTATE_INIT
	ldmxcsr %gs:RT_SGX_TD_HOST_MXCSR
	fldcw %gs:RT_SGX_TD_HOST_FCW
	SCRUB_GPRS
	pushq $0
	popfq
	mov %gs:RT_SGX_TD_HOST_RET, %rbx
	mov %gs:RT_SGX_TD_HOST_RBP, %rbp
	mov %gs:RT_SGX_TD_HOST_RSP, %rsp
	mov $EEXIT, %eax             /* mov leaves RFLAGS alone */
	enclu
	ud2

/*
 * ---- CSSA 1: an exception entry. SSA frame 0 holds the interrupted context. Accept it only if that context
 * ran on this TCS's trusted stack inside a call (SmashEx): checked here before the first store below the
 * saved RSP, and again, with EXITINFO, by rt_sgx_exception_check. ----
 */
.Lexception_entry:
	mov %rsp, %gs:RT_SGX_TD_EXC_RSP
	mov %rbp, %gs:RT_SGX_TD_EXC_RBP
	mov %rcx, %gs:RT_SGX_TD_EXC_RET
	stmxcsr %gs:RT_SGX_TD_EXC_MXCSR
	fnstcw %gs:RT_SGX_TD_EXC_FCW
	cmpl $0, %gs:RT_SGX_TD_STACK_LIVE
	je .Lcrash_exc
	cmpl $0, %gs:RT_SGX_TD_DEPTH
	je .Lcrash_exc
	cmpl $0, %gs:RT_SGX_TD_IN_HANDLER
	jne .Lcrash_exc
	mov (8192 - 184 + 32)(%rbx), %rax  /* SSA frame 0 (TCS + 4 KiB), GPRSGX.RSP */
	lea -4096(%rbx), %rdx              /* stack_hi */
	cmp %rdx, %rax
	ja .Lcrash_exc
	mov (cella_properties + RT_SGX_PROPS_STACK_PAGES)(%rip), %r8
	shl $12, %r8
	mov %rdx, %r9
	sub %r8, %r9                       /* stack_lo */
	add $RT_SGX_PHASE1_ROOM, %r9
	jc .Lcrash_exc
	cmp %r9, %rax
	jb .Lcrash_exc
	sub $(RT_SGX_RED_ZONE + RT_SGX_CTX_BYTES), %rax
	and $-64, %rax                     /* = rt_sgx_ctx_addr(rsp) */
	mov %rax, %rsp                     /* phase-1 frames go below the context record */
	xor %ebp, %ebp
	movl $1, %gs:RT_SGX_TD_IN_HANDLER
	pushq $0
	popfq
	push %rax
	push %rbx
	XSTATE_INIT
	pop %rdi                           /* TCS */
	pop %rsi                           /* context record */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	call rt_sgx_phase1                 /* rax:rdx = exit reason, value */
	mov %rax, %rdi
	mov %rdx, %rsi
.Lexit_exc:                            /* rdi, rsi = reason, value; leaves through the exception anchor */
	movl $0, %gs:RT_SGX_TD_IN_HANDLER
	XSTATE_INIT
	ldmxcsr %gs:RT_SGX_TD_EXC_MXCSR
	fldcw %gs:RT_SGX_TD_EXC_FCW
	SCRUB_GPRS
	pushq $0
	popfq
	mov %gs:RT_SGX_TD_EXC_RET, %rbx
	mov %gs:RT_SGX_TD_EXC_RBP, %rbp
	mov %gs:RT_SGX_TD_EXC_RSP, %rsp
	mov $EEXIT, %eax
	enclu
	ud2

/* ---- Refusals before any stack switch: RSP/RBP are the host's and are only handed back. ---- */
.Lcrash_exc:
	mov %gs:RT_SGX_TD_EXC_RET, %rcx
.Lcrash_nostack:                       /* RCX = the host's return address (hardware-provided) */
	movl $1, rt_sgx_crashed(%rip)
	EXIT_NOSTACK CELLA_SGX_EXIT_LOST, 0x30a
.Lrefuse_lost:
	EXIT_NOSTACK CELLA_SGX_EXIT_LOST, 0x300
.Lrefuse_depth:
	EXIT_NOSTACK CELLA_SGX_EXIT_DONE, 0x30a
	.size cella_sgx_entry, .-cella_sgx_entry

/*
 * Phase 2, entered by ERESUME at CSSA 0 with RSP = RDI = the context record (rt_sgx_redirect). Saves the
 * interrupted extended state, runs the handlers as ordinary enclave code (they may make ocalls), restores
 * everything from the record and continues at its RIP.
 */
	.globl cella_sgx_phase2
	.hidden cella_sgx_phase2
	.type cella_sgx_phase2,@function
cella_sgx_phase2:
	sub $RT_SGX_XSAVE_BYTES, %rsp      /* the record is 64-aligned, so is this */
	xor %eax, %eax
	mov $8, %ecx
1:	movq $0, 512-8(%rsp,%rcx,8)        /* XSAVE header must be zero before XSAVE/XRSTOR */
	dec %ecx
	jnz 1b
	mov rt_sgx_xfrm(%rip), %eax        /* this enclave's XFRM: XCR0 inside it on SGX; the stand-in's XCR0 is */
	mov rt_sgx_xfrm+4(%rip), %edx      /* the host's, whose state (AMX's, 8 KiB) may not fit this area */
	xsave (%rsp)
	cld
	pushq $0
	popfq
	sub $8, %rsp
	movl $0x1f80, (%rsp)
	ldmxcsr (%rsp)
	movw $0x037f, 4(%rsp)
	fldcw 4(%rsp)
	add $8, %rsp
	lea RT_SGX_XSAVE_BYTES(%rsp), %rdi
	call rt_sgx_phase2
	mov rt_sgx_xfrm(%rip), %eax
	mov rt_sgx_xfrm+4(%rip), %edx
	xrstor (%rsp)
	add $RT_SGX_XSAVE_BYTES, %rsp
	mov %rsp, %r11
	mov RT_SGX_CTX_RIP(%r11), %rax
	mov %rax, %gs:RT_SGX_TD_RESUME_RIP
	pushq RT_SGX_CTX_RFLAGS(%r11)      /* below the record: free stack */
	popfq                              /* from here on only MOVs: the flags stay as restored */
	mov RT_SGX_CTX_RAX(%r11), %rax
	mov RT_SGX_CTX_RCX(%r11), %rcx
	mov RT_SGX_CTX_RDX(%r11), %rdx
	mov RT_SGX_CTX_RBX(%r11), %rbx
	mov RT_SGX_CTX_RBP(%r11), %rbp
	mov RT_SGX_CTX_RSI(%r11), %rsi
	mov RT_SGX_CTX_RDI(%r11), %rdi
	mov RT_SGX_CTX_R8(%r11), %r8
	mov RT_SGX_CTX_R9(%r11), %r9
	mov RT_SGX_CTX_R10(%r11), %r10
	mov RT_SGX_CTX_R12(%r11), %r12
	mov RT_SGX_CTX_R13(%r11), %r13
	mov RT_SGX_CTX_R14(%r11), %r14
	mov RT_SGX_CTX_R15(%r11), %r15
	mov RT_SGX_CTX_RSP(%r11), %rsp
	mov RT_SGX_CTX_R11(%r11), %r11
	jmp *%gs:RT_SGX_TD_RESUME_RIP
	.size cella_sgx_phase2, .-cella_sgx_phase2

	.section .rodata
	.balign 64
	.type rt_sgx_xsave_init,@object
rt_sgx_xsave_init:                 /* legacy area with MXCSR = 0x1f80, header all zero (XSTATE_BV = 0) */
	.zero 24
	.long 0x1f80
	.long 0
	.zero 512 - 32
	.zero 64
	.size rt_sgx_xsave_init, .-rt_sgx_xsave_init

	.data
	.balign 8
	.globl rt_sgx_xfrm
	.hidden rt_sgx_xfrm
	.type rt_sgx_xfrm,@object
rt_sgx_xfrm:                       /* SECS.ATTRIBUTES.XFRM, read at boot (rt_sgx_own_xfrm); every component until then */
	.quad -1
	.size rt_sgx_xfrm, .-rt_sgx_xfrm

	.bss
	.balign 4
	.globl rt_sgx_crashed
	.hidden rt_sgx_crashed
	.type rt_sgx_crashed,@object
rt_sgx_crashed:                    /* once set, every entry on every TCS leaves with CELLA_SGX_EXIT_LOST */
	.zero 4
	.size rt_sgx_crashed, .-rt_sgx_crashed

	.section .note.GNU-stack,"",@progbits
