/* SPDX-License-Identifier: MIT */
/*
 * The in-memory store: appends copy, the ok-run window keeps the newest
 * runs of one variant and one iteration count, counts and last-run lookup.
 */
#include "config.h"

#include <stdlib.h>

#include "check_main.h"
#include "store.h"

static void
add(struct store *s, const char *variant, enum run_status st, double wall,
    long iterations, const char *error)
{
	struct run r;

	run_init(&r);
	r.variant = (char *)variant;
	r.status = st;
	r.wall_s = wall;
	r.iterations = iterations;
	r.error = (char *)error;
	store_append(s, &r); /* deep copy: r's strings stay ours */
}

START_TEST(test_window)
{
	const struct run **v = NULL;
	struct store s;
	size_t n;

	store_init(&s);
	add(&s, "py/a", RUN_OK, 1.0, 100, NULL);
	add(&s, "py/b", RUN_OK, 9.0, 100, NULL);
	add(&s, "py/a", RUN_UNVERIFIED, 2.0, 100, "wrong malloc");
	add(&s, "py/a", RUN_OK, 3.0, 100, NULL);
	add(&s, "py/a", RUN_OK, 4.0, 200, NULL);
	add(&s, "py/a", RUN_OK, 5.0, 100, NULL);

	n = store_ok_runs(&s, "py/a", 100, 0, 0, &v);
	ck_assert_uint_eq(n, 3);
	ck_assert_double_eq(v[0]->wall_s, 1.0);
	ck_assert_double_eq(v[1]->wall_s, 3.0);
	ck_assert_double_eq(v[2]->wall_s, 5.0);
	free(v);

	n = store_ok_runs(&s, "py/a", 100, 0, 2, &v);
	ck_assert_uint_eq(n, 2);
	ck_assert_double_eq(v[0]->wall_s, 3.0);
	ck_assert_double_eq(v[1]->wall_s, 5.0);
	free(v);

	n = store_ok_runs(&s, "py/a", 0, 0, 0, &v);
	ck_assert_uint_eq(n, 4);
	free(v);

	n = store_ok_runs(&s, "py/none", 0, 0, 0, &v);
	ck_assert_uint_eq(n, 0);
	free(v);
	store_free(&s);
}
END_TEST

START_TEST(test_count_and_last)
{
	size_t c[RUN_NSTATUS];
	struct store s;

	store_init(&s);
	add(&s, "py/a", RUN_OK, 1.0, 100, NULL);
	add(&s, "py/a", RUN_TIMEOUT, 2.0, 100, "timed out");
	add(&s, "py/a", RUN_FAILED, 3.0, 100, "exit status 1");
	add(&s, "py/a", RUN_OK, 4.0, 100, NULL);
	add(&s, "py/b", RUN_UNVERIFIED, 5.0, 100, "wrong");

	store_count(&s, "py/a", c, NULL);
	ck_assert_uint_eq(c[RUN_OK], 2);
	ck_assert_uint_eq(c[RUN_UNVERIFIED], 0);
	ck_assert_uint_eq(c[RUN_FAILED], 1);
	ck_assert_uint_eq(c[RUN_TIMEOUT], 1);
	ck_assert_double_eq(store_last(&s, "py/a", 0)->wall_s, 4.0);
	ck_assert_str_eq(store_last(&s, "py/a", 1)->error, "exit status 1");
	ck_assert_ptr_null(store_last(&s, "py/c", 0));
	store_free(&s);
	store_free(&s); /* a freed store is empty, freeing again is safe */
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("memory");

	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_count_and_last);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(store_suite)
