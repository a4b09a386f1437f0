// SPDX-License-Identifier: MIT
/* CPUID/XGETBV probe for the GEMM micro-kernels (x86-64). */
#include "onnx_internal.h"

#include <cpuid.h>

uint32_t onnx_cpu_features(void)
{
	unsigned a, b, c, d;
	uint32_t f = 0;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
	if (!osxsave || !avx)
		return 0;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	(void)hi;
	if ((lo & 0x6) != 0x6) /* OS saves XMM and YMM state */
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	if (((b >> 5) & 1) && fma)
		f |= CELLA_ONNX_CPU_AVX2;
	if (((b >> 16) & 1) && (lo & 0xe6) == 0xe6) /* AVX-512F and opmask/ZMM state enabled */
		f |= CELLA_ONNX_CPU_AVX512;
	return f;
}
