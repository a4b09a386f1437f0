// SPDX-License-Identifier: MIT
/* A statically linked, non-PIE program: an ELF the loader must refuse as an enclave image. */
int main(void)
{
	return 0;
}
