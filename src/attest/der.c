// SPDX-License-Identifier: MIT
/* A strict DER reader (X.690 10.1: definite, minimal lengths). Both worlds. */
#include "attest_internal.h"

int at_der_peek(const struct at_der *in, uint8_t tag)
{
	return in->n > 0 && in->p[0] == tag;
}

int at_der_next(struct at_der *in, uint8_t tag, struct at_der *content, struct at_der *whole)
{
	size_t len, hdr = 2;
	if (in->n < 2 || in->p[0] != tag)
		return -1;
	len = in->p[1];
	if (len & 0x80) {
		size_t k = len & 0x7f;
		if (k == 0 || k > 4 || in->n < 2 + k || in->p[2] == 0)
			return -1; /* indefinite, absurd, or non-minimal length */
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | in->p[2 + i];
		if (len < 128)
			return -1; /* should have used the short form */
		hdr += k;
	}
	if (len > in->n - hdr)
		return -1;
	if (content) {
		content->p = in->p + hdr;
		content->n = len;
	}
	if (whole) {
		whole->p = in->p;
		whole->n = hdr + len;
	}
	in->p += hdr + len;
	in->n -= hdr + len;
	return 0;
}
