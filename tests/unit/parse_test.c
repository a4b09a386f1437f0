// SPDX-License-Identifier: MIT
/* src/common/parse.h: integers, numbers and tensor dimensions parsed whole, in range, or refused with the output
 * untouched. */
#include "parse.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>

#include "cella_test.h"

static void accepted(void)
{
	long long v = 0;
	CT_EQ(cella_parse_int("0", 0, 10, &v), 0);
	CT_EQ(v, 0);
	CT_EQ(cella_parse_int("10", 0, 10, &v), 0); /* both ends of the range are in it */
	CT_EQ(v, 10);
	CT_EQ(cella_parse_int("-5", -5, 5, &v), 0);
	CT_EQ(v, -5);
	CT_EQ(cella_parse_int("007", 0, 10, &v), 0); /* leading zeros are decimal, not octal */
	CT_EQ(v, 7);
	CT_EQ(cella_parse_int("9223372036854775807", 0, LLONG_MAX, &v), 0);
	CT_EQ(v, LLONG_MAX);
	CT_EQ(cella_parse_int("-9223372036854775808", LLONG_MIN, 0, &v), 0);
	CT_EQ(v, LLONG_MIN);
	cella_test_pass("decimal integers at both ends of their range, negative, with leading zeros and at the limits");
}

static void refused(void)
{
	static const char *const bad[] = {"",      " 1",   "1 ",  "+1", "1x",  "x1", "0x10", "1e3", "1.0", "-",
					  "--1",   "11",   "-6",  "\t3", "3\n", "\xd9\xa3",  "1 2"};
	long long v = 42;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cella_parse_int(bad[i], -5, 10, &v) != -1)
			cella_test_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
		CT_EQ(v, 42);
	}
	CT_EQ(cella_parse_int(NULL, 0, 10, &v), -1);
	CT_EQ(cella_parse_int("9223372036854775808", 0, LLONG_MAX, &v), -1); /* overflow, not LLONG_MAX */
	CT_EQ(cella_parse_int("-9223372036854775809", LLONG_MIN, 0, &v), -1);
	CT_EQ(cella_parse_int("70000", 0, 65535, &v), -1); /* not wrapped into a uint16_t */
	CT_EQ(v, 42);
	cella_test_pass("empty, spaces, '+', trailing text, hex, floats, out of range, overflow and NULL are refused "
			"and leave the output as it was");
}

static void doubles(void)
{
	static const char *const bad[] = {"",   " 1",  "1 ",  "+1",   "1x",       "inf", "nan", "-nan",
					  "1e999", "-0.5", "2.5", "1,5",  "\t0.1", "0.1\n", "e3",  "."};
	double v = 0;
	CT_EQ(cella_parse_double("0", 0, 2, &v), 0);
	CT_ASSERT(v == 0.0);
	CT_EQ(cella_parse_double("2", 0, 2, &v), 0);
	CT_ASSERT(v == 2.0);
	CT_EQ(cella_parse_double(".5", 0, 2, &v), 0);
	CT_ASSERT(v == 0.5);
	CT_EQ(cella_parse_double("1e-3", 0, 2, &v), 0);
	CT_ASSERT(v == 0.001);
	CT_EQ(cella_parse_double("-1.25", -2, 2, &v), 0);
	CT_ASSERT(v == -1.25);
	CT_EQ(cella_parse_double("1e300", 0, INFINITY, &v), 0);
	CT_ASSERT(v == 1e300);
	v = 42;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cella_parse_double(bad[i], 0, 2, &v) != -1)
			cella_test_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
		CT_ASSERT(v == 42.0);
	}
	CT_EQ(cella_parse_double(NULL, 0, 2, &v), -1);
	CT_EQ(cella_parse_double("1e999", 0, INFINITY, &v), -1); /* overflow to infinity, even with no upper bound */
	CT_ASSERT(v == 42.0);
	cella_test_pass("finite numbers at both ends of their range; spaces, '+', trailing text, inf, nan, overflow and "
			"out of range refused with the output as it was");
}

static void dims(void)
{
	int64_t d[4] = {0};
	uint32_t rank = 99;
	CT_EQ(cella_parse_dims("1x3x48x192", '\0', d, 4, &rank), 0);
	CT_EQ(rank, 4u);
	CT_EQ(d[0], 1);
	CT_EQ(d[1], 3);
	CT_EQ(d[2], 48);
	CT_EQ(d[3], 192);
	CT_EQ(cella_parse_dims("7x0:in.bin", ':', d, 4, &rank), 0); /* up to the stop character; zero is a size */
	CT_EQ(rank, 2u);
	CT_EQ(d[0], 7);
	CT_EQ(d[1], 0);
	CT_EQ(cella_parse_dims(":in.bin", ':', d, 4, &rank), 0); /* a scalar */
	CT_EQ(rank, 0u);
	CT_EQ(cella_parse_dims("4611686018427387904", '\0', d, 4, &rank), 0); /* 2^62 */
	CT_EQ(rank, 1u);
	CT_EQ(d[0], (int64_t)1 << 62);
	{
		static const char *const bad[] = {"1x",  "x1",    "1xx2",  "-1",     "1x-2", "+3",  "1 x2", "1x2 ",
						  "1X2", "1x2x3x4x5", "4611686018427387905", "99999999999999999999", "1.5"};
		rank = 99;
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (cella_parse_dims(bad[i], '\0', d, 4, &rank) != -1)
				cella_test_fail(__FILE__, __LINE__, "\"%s\" accepted", bad[i]);
			CT_EQ(rank, 99u);
		}
		CT_EQ(cella_parse_dims("1x:f", ':', d, 4, &rank), -1);
		CT_EQ(cella_parse_dims(NULL, '\0', d, 4, &rank), -1);
		CT_EQ(rank, 99u);
	}
	cella_test_pass("dimensions DxDx... up to the stop character or the end; empty, signs, spaces, a dangling or "
			"doubled 'x', more than the maximum rank and values over 2^62 refused");
}

int main(void)
{
	accepted();
	refused();
	doubles();
	dims();
	return 0;
}
