/* SPDX-License-Identifier: MIT */
/* Sandbox entry: the loader jumps here on TCS 0 with RSP at the top of TCS 0's stack. */
	.text
	.globl cella_rt_entry
	.type cella_rt_entry,@function
cella_rt_entry:
	xor %ebp, %ebp
	and $-16, %rsp
	call cella_rt_boot
	hlt
	.size cella_rt_entry, .-cella_rt_entry

/* void rt_run_on_stack(uint64_t top, void (*fn)(void *), void *arg): calls fn(arg) on the stack below top. */
	.globl rt_run_on_stack
	.hidden rt_run_on_stack
	.type rt_run_on_stack,@function
rt_run_on_stack:
	mov %rdi, %rsp
	and $-16, %rsp
	xor %ebp, %ebp
	mov %rdx, %rdi
	call *%rsi
	hlt
	.size rt_run_on_stack, .-rt_run_on_stack

/* Signal restorer: rt_sigreturn. */
	.globl cella_rt_restorer
	.hidden cella_rt_restorer
	.type cella_rt_restorer,@function
cella_rt_restorer:
	mov $15, %eax
	syscall
	hlt
	.size cella_rt_restorer, .-cella_rt_restorer

/* void rt_resume_context(const ucontext_t *uc): rt_sigreturn to the context at uc, laid out as in a signal frame
 * (the kernel reads the frame's ucontext at RSP); the second stage of a fault resumes through it (syscall.c). */
	.globl rt_resume_context
	.hidden rt_resume_context
	.type rt_resume_context,@function
rt_resume_context:
	mov %rdi, %rsp
	jmp cella_rt_restorer
	.size rt_resume_context, .-rt_resume_context

/* long rt_syscall6(long n, long a, long b, long c, long d, long e, long f) */
	.globl rt_syscall6
	.hidden rt_syscall6
	.type rt_syscall6,@function
rt_syscall6:
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	syscall
	ret
	.size rt_syscall6, .-rt_syscall6
	.section .note.GNU-stack,"",@progbits
