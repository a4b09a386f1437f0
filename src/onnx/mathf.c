// SPDX-License-Identifier: MIT
/* exp/tanh/sigmoid written out here so every world (glibc host, musl enclave) computes the same bits. */
#include "onnx_internal.h"

#include <stdint.h>
#include <string.h>

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof(f));
	return f;
}

float onnx_expf(float x)
{
	if (x != x)
		return x;
	if (x > 88.72283f)
		return from_bits(0x7f800000u);
	if (x < -103.97208f)
		return 0.0f;
	/* x = n*ln2 + r with |r| <= ln2/2; e^r by its Taylor series to r^7 (relative error < 3e-9) */
	float t = x * 1.44269504f;
	int n = (int)(t + (t >= 0 ? 0.5f : -0.5f));
	float fn = (float)n;
	float r = x - fn * 0.693145751953125f - fn * 1.428606765330187e-06f;
	float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.6666667e-1f + r * (4.1666668e-2f +
		  r * (8.3333338e-3f + r * (1.3888889e-3f + r * 1.9841270e-4f))))));
	if (n < -126) {
		p *= from_bits(0x1f800000u); /* 2^-64 */
		n += 64;
	}
	if (n > 127) {
		p *= 2.0f;
		n -= 1;
	}
	return p * from_bits((uint32_t)(n + 127) << 23);
}

float onnx_tanhf(float x)
{
	float a = x < 0 ? -x : x;
	float y;
	if (a < 0.004f)
		y = a * (1.0f - a * a * (1.0f / 3.0f));
	else if (a > 9.0f)
		y = 1.0f;
	else {
		float e = onnx_expf(2.0f * a);
		y = 1.0f - 2.0f / (e + 1.0f);
	}
	return x < 0 ? -y : y;
}

float onnx_sigmoidf(float x)
{
	return 1.0f / (1.0f + onnx_expf(-x));
}
