// SPDX-License-Identifier: MIT
/* src/common/parse.h: integers parsed whole, in range, or refused with the output untouched. */
#include "parse.h"

#include <limits.h>

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

int main(void)
{
	accepted();
	refused();
	return 0;
}
