// SPDX-License-Identifier: MIT
/*
 * src/common/bytes.h, which the enclave runtime, the evidence verifier and libcella-verify share: little-endian
 * loads and stores against byte strings written out by hand, and civil dates against glibc's timegm for every day
 * from 1600 to 2400 (leap centuries and the four-century cycle included) and a few dates far from the epoch.
 */
#include "bytes.h"

#include <string.h>
#include <time.h>

#include "cella_test.h"

static void little_endian(void)
{
	static const uint8_t b[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
	uint8_t out[8];
	CT_EQ(cella_le16(b), 0x2301u);
	CT_EQ(cella_le32(b), 0x67452301u);
	CT_EQ(cella_le64(b), 0xefcdab8967452301ull);
	CT_EQ(cella_le32(b + 4), 0xefcdab89u); /* the top bit set: no sign extension */
	memset(out, 0, sizeof(out));
	cella_put_le32(out, 0x67452301u);
	CT_EQ_MEM(out, b, 4);
	CT_EQ(out[4], 0);
	cella_put_le64(out, 0xefcdab8967452301ull);
	CT_EQ_MEM(out, b, 8);
	cella_test_pass("le16/le32/le64 loads and le32/le64 stores match the bytes written out by hand");
}

static int64_t glibc(int y, int m, int d)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm);
}

static void civil(void)
{
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	long days = 0;
	CT_EQ(cella_civil_to_unix(1970, 1, 1), 0);
	CT_EQ(cella_civil_to_unix(2000, 3, 1), 951868800);     /* the day after a leap century's 29 February */
	CT_EQ(cella_civil_to_unix(1969, 12, 31), -86400);       /* before the epoch */
	CT_EQ(cella_civil_to_unix(0, 3, 1), -62162035200);      /* year 0 (1 BC), proleptic */
	CT_EQ(cella_civil_to_unix(-1, 12, 31), -62167305600);   /* negative years round towards the past */
	CT_EQ(cella_civil_to_unix(9999, 12, 31), 253402214400); /* the last day X.509 GeneralizedTime names */
	for (int y = 1600; y <= 2400; y++) {
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		for (int m = 1; m <= 12; m++) {
			unsigned last = mdays[m - 1] + (m == 2 && leap);
			for (unsigned d = 1; d <= last; d++, days++)
				if (cella_civil_to_unix(y, (unsigned)m, d) != glibc(y, m, (int)d))
					cella_test_fail(__FILE__, __LINE__, "%04d-%02d-%02u: %lld, timegm says %lld", y, m, d,
							(long long)cella_civil_to_unix(y, (unsigned)m, d),
							(long long)glibc(y, m, (int)d));
		}
	}
	CT_EQ(days, 292560); /* 801 years, 195 of them leap */
	cella_test_pass("civil dates to Unix seconds agree with timegm on every day of 1600-2400 and at far dates");
}

int main(void)
{
	little_endian();
	civil();
	return 0;
}
