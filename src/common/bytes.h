/* SPDX-License-Identifier: MIT */
/*
 * Little-endian loads and stores as SGX structures and Cella's own formats lay integers out, and civil dates to
 * Unix time. Header-only, so that both worlds (host libraries and the enclave runtime) share the one definition.
 */
#ifndef CELLA_COMMON_BYTES_H
#define CELLA_COMMON_BYTES_H

#include <stdint.h>

static inline uint16_t cella_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t cella_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t cella_le64(const uint8_t *p)
{
	return (uint64_t)cella_le32(p) | (uint64_t)cella_le32(p + 4) << 32;
}

static inline void cella_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void cella_put_le64(uint8_t *p, uint64_t v)
{
	cella_put_le32(p, (uint32_t)v);
	cella_put_le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Unix seconds at 00:00 UTC of a proleptic Gregorian date (m 1-12, d 1-31), by Howard Hinnant's days_from_civil:
 * exact for every year an int64_t holds in days, negative years included.
 */
static inline int64_t cella_civil_to_unix(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * ((int64_t)m + (m > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400;
}

#endif
