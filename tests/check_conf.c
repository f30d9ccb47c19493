/* SPDX-License-Identifier: MIT */
/* Placeholder until the module's tests land. */
#include "config.h"

#include "check_main.h"

START_TEST(test_placeholder)
{
	ck_assert_int_eq(1, 1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_placeholder);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
