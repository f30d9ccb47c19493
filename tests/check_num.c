/* SPDX-License-Identifier: MIT */
/*
 * Number parsing: accepted values, range limits, junk and overflow, and the
 * exact messages the command line and config file show.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "check_main.h"
#include "num.h"

static const struct {
	const char *in;
	long min, max;
	int rc;
	long out;
	const char *err;
} long_cases[] = {
    {"10", 1, 100, 0, 10, NULL},
    {"-5", -10, 10, 0, -5, NULL},
    {"0", 0, 0, 0, 0, NULL},
    {"100", 1, 100, 0, 100, NULL},
    {"101", 1, 100, -1, 0, "'101' is out of range [1, 100]"},
    {"0", 1, 100, -1, 0, "'0' is out of range [1, 100]"},
    {"", 1, 100, -1, 0, "'' is not a number"},
    {" 5", 1, 100, -1, 0, "' 5' is not a number"},
    {"5 ", 1, 100, -1, 0, "'5 ' is not a number"},
    {"5x", 1, 100, -1, 0, "'5x' is not a number"},
    {"1e3", 1, 10000, -1, 0, "'1e3' is not a number"},
    {"0x10", 1, 100, -1, 0, "'0x10' is not a number"},
    {"99999999999999999999", 1, 100, -1, 0,
        "'99999999999999999999' is out of range [1, 100]"},
};

START_TEST(test_parse_long)
{
	char err[128];
	long out = 4242;
	int rc;

	err[0] = '\0';
	rc = num_parse_long(long_cases[_i].in, long_cases[_i].min,
	    long_cases[_i].max, &out, err, sizeof(err));
	ck_assert_int_eq(rc, long_cases[_i].rc);
	if (rc == 0)
		ck_assert_int_eq(out, long_cases[_i].out);
	else {
		ck_assert_int_eq(out, 4242);
		ck_assert_str_eq(err, long_cases[_i].err);
	}
}
END_TEST

static const struct {
	const char *in;
	double min, max;
	int rc;
	double out;
	const char *err;
} double_cases[] = {
    {"1.5", 0, 10, 0, 1.5, NULL},
    {"0.001", 0.001, 10, 0, 0.001, NULL},
    {"2e1", 0, 100, 0, 20, NULL},
    {"0.0001", 0.001, 10, -1, 0, "'0.0001' is out of range [0.001, 10]"},
    {"nan", 0, 10, -1, 0, "'nan' is not a number"},
    {"inf", 0, 10, -1, 0, "'inf' is not a number"},
    {"1.5s", 0, 10, -1, 0, "'1.5s' is not a number"},
    {"", 0, 10, -1, 0, "'' is not a number"},
};

START_TEST(test_parse_double)
{
	char err[128];
	double out = 42.0;
	int rc;

	rc = num_parse_double(double_cases[_i].in, double_cases[_i].min,
	    double_cases[_i].max, &out, err, sizeof(err));
	ck_assert_int_eq(rc, double_cases[_i].rc);
	if (rc == 0)
		ck_assert_double_eq_tol(out, double_cases[_i].out, 1e-12);
	else {
		ck_assert_double_eq(out, 42.0);
		ck_assert_str_eq(err, double_cases[_i].err);
	}
}
END_TEST

static Suite *
num_suite(void)
{
	Suite *s = suite_create("num");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse_long, 0,
	    sizeof(long_cases) / sizeof(long_cases[0]));
	tcase_add_loop_test(tc, test_parse_double, 0,
	    sizeof(double_cases) / sizeof(double_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(num_suite)
