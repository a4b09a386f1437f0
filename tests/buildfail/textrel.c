// SPDX-License-Identifier: MIT
/* An absolute address stored in .text: a text relocation, which the link must refuse. */
#include <cella/enclave.h>

__asm__(".text\n.globl cella_textrel_word\ncella_textrel_word: .quad cella_ecall_count\n");

static cella_result f(const uint8_t *in, size_t n, uint8_t *out, size_t on, size_t *w)
{
	(void)in, (void)n, (void)out, (void)on, (void)w;
	return CELLA_OK;
}

const struct cella_ecall_entry cella_ecall_table[] = {{f, CELLA_ECALL_PUBLIC}};
const uint32_t cella_ecall_count = 1;
