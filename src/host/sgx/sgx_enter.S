/* SPDX-License-Identifier: MIT */
/*
 * int cella_sgx_vdso_call(cella_sgx_enter_fn fn, unsigned long rdi, unsigned long rsi, unsigned long rdx,
 *                         unsigned int leaf, struct cella_sgx_enclave_run *run)
 * Calls __vdso_sgx_enter_enclave(rdi, rsi, rdx, leaf, 0, 0, run) keeping every callee-saved register: the
 * vDSO preserves only RBX and RBP, and an enclave exit or an AEX leaves R12-R15 zero.
 */
	.text
	.globl cella_sgx_vdso_call
	.hidden cella_sgx_vdso_call
	.type cella_sgx_vdso_call,@function
cella_sgx_vdso_call:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8d, %ecx
	push %r9                /* 7th argument on the stack; RSP is 16-aligned at the call */
	xor %r8d, %r8d
	xor %r9d, %r9d
	call *%rax
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	cld
	ret
	.size cella_sgx_vdso_call, .-cella_sgx_vdso_call
	.section .note.GNU-stack,"",@progbits
