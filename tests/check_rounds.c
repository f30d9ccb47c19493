/* SPDX-License-Identifier: MIT */
/*
 * The measurement protocol with the real workload: warm-ups are run but not
 * stored, rounds follow the Williams rows by round id, unavailable variants
 * are skipped, round_done can stop early, and cancelling stops the session
 * and keeps what was done.
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

/*
 * Williams rows for the four available variants (glibc 0, jemalloc 1,
 * tcmalloc 2, mimalloc 3): row r is (0, 1, 3, 2) + r mod 4. The session
 * starts at round id 5 (row 1); its warm-up runs that round's order too
 * and does not advance it, so round 5 repeats it and round 6 takes row 2.
 */
START_TEST(test_williams_order_and_warmup)
{
	static const char *const expect[] = {/* warm-up, row 1 */
	    "py/jemalloc", "py/tcmalloc", "py/glibc", "py/mimalloc",
	    /* round 5, row 1 */
	    "py/jemalloc", "py/tcmalloc", "py/glibc", "py/mimalloc",
	    /* round 6, row 2 */
	    "py/tcmalloc", "py/mimalloc", "py/jemalloc", "py/glibc"};
	struct rounds_opts o = {.runs = 2,
	    .warmup = 1,
	    .first_round = 5,
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
	/* warm-ups are not stored; every stored run verified, with its
	 * round and position */
	ck_assert_uint_eq(s.nruns, 8);
	for (i = 0; i < s.nruns; i++) {
		ck_assert_str_eq(s.runs[i].variant, expect[i + 4]);
		ck_assert_int_eq(s.runs[i].status, RUN_OK);
		ck_assert_int_eq(s.runs[i].iterations, 5000);
		ck_assert_int_eq(s.runs[i].round, 5 + (int64_t)(i / 4));
		ck_assert_int_eq(s.runs[i].position, (int)(i % 4));
		ck_assert_ptr_nonnull(s.runs[i].segment);
		ck_assert_ptr_nonnull(s.runs[i].env);
	}
	/* one environment: every run of a variant has the same segment */
	ck_assert_ptr_eq(s.runs[0].segment, s.runs[6].segment);
	ck_assert_ptr_ne(s.runs[0].segment, s.runs[1].segment);
	store_free(&s);
	catalog_free(&c);
}
END_TEST

/*
 * Over a cycle of rows every variant follows every other equally often,
 * counted independently of stats.c from the orders rounds_order gives.
 */
START_TEST(test_order_balance)
{
	size_t k, r, i, rows, order[9], follows[9][9], pos[9][9];

	for (k = 2; k <= 9; k++) {
		memset(follows, 0, sizeof(follows));
		memset(pos, 0, sizeof(pos));
		rows = k % 2 ? 2 * k : k;
		for (r = 0; r < rows; r++) {
			rounds_order(k, (int64_t)(r + 3 * rows), order);
			for (i = 0; i < k; i++)
				pos[order[i]][i]++;
			for (i = 0; i + 1 < k; i++)
				follows[order[i]][order[i + 1]]++;
		}
		for (r = 0; r < k; r++)
			for (i = 0; i < k; i++) {
				ck_assert_uint_eq(pos[r][i], rows / k);
				if (r != i)
					ck_assert_uint_eq(follows[r][i],
					    k % 2 ? 2 : 1);
			}
	}
}
END_TEST

static int
stop_after_two(void *arg, int64_t round)
{
	struct log *l = arg;

	l->total = (size_t)round;
	return round == 1;
}

/* round_done stops the session after the round it says. */
START_TEST(test_round_done_stops)
{
	struct rounds_opts o = {.runs = 5,
	    .warmup = 0,
	    .iterations = 5000,
	    .timeout_s = 60};
	struct catalog c;
	struct store s;
	struct log l = {0};
	char err[128];

	make_catalog(&c);
	store_init(&s);
	o.workload = ab_test_workload();
	o.round_done = stop_after_two;
	o.arg = &l;
	ck_assert_int_eq(rounds_run(&c, &o, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nruns, 8);
	ck_assert_uint_eq(l.total, 1);
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
	tcase_add_test(tc, test_williams_order_and_warmup);
	tcase_add_test(tc, test_order_balance);
	tcase_add_test(tc, test_round_done_stops);
	tcase_add_test(tc, test_cancel);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(rounds_suite)
