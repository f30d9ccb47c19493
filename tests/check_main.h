/* SPDX-License-Identifier: MIT */
/*
 * Shared main() for the Check unit tests: results go to stdout as TAP so
 * the automake harness counts every test case.
 */
#ifndef AB_CHECK_MAIN_H
#define AB_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int
ab_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Defines main() for a file whose suite is built by `fn`. */
#define AB_CHECK_MAIN(fn)                                                      \
	int main(void)                                                         \
	{                                                                      \
		return ab_check_run(fn());                                     \
	}

#endif
