/* SPDX-License-Identifier: MIT */
/*
 * The stand-in for __vdso_sgx_enter_enclave (sgxsim.c has the design). The entry itself is a UD2 the SIGILL
 * handler turns into EENTER or ERESUME by rewriting the signal context; the enclave comes back to
 * sgxsim_aep by EEXIT (to the RBX it was given in RCX) or by a simulated AEX, with RSP/RBP as at the UD2.
 *
 * int sgxsim_enter(rdi, rsi, rdx, unsigned leaf, r8, r9, struct cella_sgx_enclave_run *run)
 */
	.text
	.globl sgxsim_enter
	.hidden sgxsim_enter
	.type sgxsim_enter,@function
sgxsim_enter:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	sub $8, %rsp                  /* 16-aligned from here on */
	sub $16, %rsp
	mov 16(%rbp), %rax            /* run: the 7th argument again, for sgxsim_request */
	mov %rax, (%rsp)
	call sgxsim_request           /* records the request for this thread; 0 = go */
	add $16, %rsp
	test %eax, %eax
	jnz .Ldone
	/* RSP/RBP stay as they are: the enclave returns with them */
	.globl sgxsim_enter_ud2
	.hidden sgxsim_enter_ud2
sgxsim_enter_ud2:
	ud2
	.globl sgxsim_aep
	.hidden sgxsim_aep
sgxsim_aep:
	/* EAX = EEXIT (4) or ERESUME (3, after an AEX); rdi, rsi, rdx, r8, r9 as the enclave left them */
	mov %eax, %ecx
	cld
	call sgxsim_landed            /* runs the user handler; returns the vDSO's result */
.Ldone:
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
	.size sgxsim_enter, .-sgxsim_enter

/*
 * Signal entry: the interrupted code may be enclave code running with the enclave's FS and GS bases. Before
 * any C code (which may use thread-local storage) runs, FS goes back to the host thread's, found by the GS
 * base, which inside the enclave is the TCS's thread-data page. The FS base the interrupted context resumes
 * with, when it is the enclave's, is installed here too, after the C code has returned.
 */
	.globl sgxsim_signal_entry
	.hidden sgxsim_signal_entry
	.type sgxsim_signal_entry,@function
sgxsim_signal_entry:
	push %rdi
	push %rsi
	push %rdx
	rdgsbase %rdi
	call sgxsim_host_fs_for
	test %rax, %rax
	jz 1f
	wrfsbase %rax
1:	pop %rdx
	pop %rsi
	pop %rdi
	sub $8, %rsp                  /* 16-aligned for the call (three pushes popped: entry alignment again) */
	call sgxsim_signal
	add $8, %rsp
	test %rax, %rax
	jz 2f
	wrfsbase %rax
2:	ret
	.size sgxsim_signal_entry, .-sgxsim_signal_entry

	.section .note.GNU-stack,"",@progbits
