/* SPDX-License-Identifier: MIT */
/*
 * The measurement protocol with the real workload: warm-ups are run but not
 * stored, the order rotates by one variant per round, unavailable variants
 * are skipped, and cancelling stops the session and keeps what was done.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "rounds.h"

#define MAXLOG 64

struct log {
	char variant[MAXLOG][64];
	int warmup[MAXLOG];
	size_t total;
	size_t n;
	size_t cancel_after;
	volatile sig_atomic_t *cancel;
};

static void
record(void *arg, const struct rounds_progress *p)
{
	struct log *l = arg;

	if (p->result == NULL || l->n >= MAXLOG)
		return;
	snprintf(l->variant[l->n], sizeof(l->variant[0]), "%s", p->variant);
	l->warmup[l->n] = p->warmup;
	l->total = p->total;
	l->n++;
	if (l->cancel_after != 0 && l->n == l->cancel_after)
		*l->cancel = 1;
}

static void
make_catalog(struct catalog *c)
{
	char err[128];

	catalog_init(c);
	ck_assert_int_eq(catalog_add_interpreter(c, "py=/usr/bin/python3", err,
	                     sizeof(err)),
	    0);
	/* a missing user library: its variant must never run */
	ck_assert_int_eq(catalog_add_allocator(c,
	                     "gone=/nonexistent/libgone.so", err, sizeof(err)),
	    0);
	catalog_resolve(c, NULL, NULL);
}

START_TEST(test_rotation_and_warmup)
{
	static const char *const expect[] = {/* warm-up round 0 */
	    "py/glibc", "py/jemalloc", "py/tcmalloc", "py/mimalloc",
	    /* round 1 starts one further along */
	    "py/jemalloc", "py/tcmalloc", "py/mimalloc", "py/glibc",
	    /* round 2 */
	    "py/tcmalloc", "py/mimalloc", "py/glibc", "py/jemalloc"};
	struct rounds_opts o = {.runs = 2,
	    .warmup = 1,
	    .iterations = 5000,
	    .timeout_s = 60};
	struct catalog c;
	struct store s;
	struct log l = {0};
	char err[128];
	size_t i;

	make_catalog(&c);
	store_init(&s);
	o.workload = ab_test_workload();
	o.progress = record;
	o.arg = &l;
	ck_assert_int_eq(rounds_run(&c, &o, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(l.n, 12);
	ck_assert_uint_eq(l.total, 12);
	for (i = 0; i < 12; i++) {
		ck_assert_str_eq(l.variant[i], expect[i]);
		ck_assert_int_eq(l.warmup[i], i < 4);
	}
	/* warm-ups are not stored; every stored run verified */
	ck_assert_uint_eq(s.nruns, 8);
	for (i = 0; i < s.nruns; i++) {
		ck_assert_str_eq(s.runs[i].variant, expect[i + 4]);
		ck_assert_int_eq(s.runs[i].status, RUN_OK);
		ck_assert_int_eq(s.runs[i].iterations, 5000);
	}
	store_free(&s);
	catalog_free(&c);
}
END_TEST

START_TEST(test_cancel)
{
	static volatile sig_atomic_t cancel;
	struct rounds_opts o = {.runs = 5,
	    .warmup = 0,
	    .iterations = 5000,
	    .timeout_s = 60};
	struct catalog c;
	struct store s;
	struct log l = {0};
	char err[128] = "";

	make_catalog(&c);
	store_init(&s);
	cancel = 0;
	o.workload = ab_test_workload();
	o.cancel = &cancel;
	o.progress = record;
	o.arg = &l;
	l.cancel = &cancel;
	l.cancel_after = 3;
	ck_assert_int_eq(rounds_run(&c, &o, &s, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cancelled");
	ck_assert_uint_eq(l.n, 3);
	/* the run during which the cancel came is not kept */
	ck_assert_uint_eq(s.nruns, 2);
	store_free(&s);
	catalog_free(&c);
}
END_TEST

static Suite *
rounds_suite(void)
{
	Suite *s = suite_create("rounds");
	TCase *tc = tcase_create("protocol");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_rotation_and_warmup);
	tcase_add_test(tc, test_cancel);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(rounds_suite)
