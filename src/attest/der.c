// SPDX-License-Identifier: MIT
/* A strict DER reader (X.690 10.1: definite, minimal lengths) and little-endian helpers. Both worlds. */
#include "attest_internal.h"

uint16_t at_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t at_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t at_le64(const uint8_t *p)
{
	return (uint64_t)at_le32(p) | (uint64_t)at_le32(p + 4) << 32;
}

/* Howard Hinnant's days_from_civil, times a day. */
int64_t at_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400;
}

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
