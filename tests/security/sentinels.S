/* SPDX-License-Identifier: MIT */
/*
 * unsigned sentinel_run(void (*fn)(void *), void *ctx): loads sentinel values into the callee-saved registers
 * (rbx, rbp, r12-r15), calls fn(ctx), and returns a bit per register that did not survive (0: all preserved).
 * The caller's own values are saved and restored around it. Checklist A6.
 */
	/* sets bit `bit` in eax unless `reg` still holds `value` */
	.macro	check reg, value, bit
	movabs	$\value, %rcx
	cmp	%rcx, \reg
	je	1f
	or	$\bit, %eax
1:
	.endm

	.text
	.globl	sentinel_run
	.type	sentinel_run, @function
sentinel_run:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$8, %rsp		/* 6 pushes + the return address: realign to 16 for the call */
	mov	%rdi, %rax
	mov	%rsi, %rdi
	movabs	$0x5e5e0001a5a5f00d, %rbx
	movabs	$0x5e5e0002a5a5f00d, %rbp
	movabs	$0x5e5e0003a5a5f00d, %r12
	movabs	$0x5e5e0004a5a5f00d, %r13
	movabs	$0x5e5e0005a5a5f00d, %r14
	movabs	$0x5e5e0006a5a5f00d, %r15
	call	*%rax
	xor	%eax, %eax
	check	%rbx, 0x5e5e0001a5a5f00d, 1
	check	%rbp, 0x5e5e0002a5a5f00d, 2
	check	%r12, 0x5e5e0003a5a5f00d, 4
	check	%r13, 0x5e5e0004a5a5f00d, 8
	check	%r14, 0x5e5e0005a5a5f00d, 16
	check	%r15, 0x5e5e0006a5a5f00d, 32
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret
	.size	sentinel_run, .-sentinel_run

	/* a deliberately broken callee, for the test's own check that a clobber is seen */
	.globl	sentinel_clobber_r13
	.type	sentinel_clobber_r13, @function
sentinel_clobber_r13:
	xor	%r13d, %r13d
	ret
	.size	sentinel_clobber_r13, .-sentinel_clobber_r13

	.section .note.GNU-stack, "", @progbits
