/* SPDX-License-Identifier: MIT */
/*
 * The published snapshot: after each of several updates the summary text,
 * its ETag and /metrics describe the same results (the metrics once lagged
 * the summary by one update), the ETag changes exactly when the body does,
 * and a round can be requested only while none runs, waking the scheduler.
 */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "check_main.h"
#include "fingerprint.h"
#include "state.h"
#include "store.h"

#define T0 1764064800000LL /* 2025-11-25T10:00:00Z */

static char tmpdir[sizeof(AB_TEST_TMPDIR)];
static struct catalog cat;
static struct store store;
static struct state st;

static void
add_run(int i, const char *variant, enum run_status s, double wall)
{
	struct run r;

	run_init(&r);
	r.variant = (char *)variant;
	r.started_ms = T0 + (int64_t)i * 60000;
	r.status = s;
	r.exit_code = s == RUN_OK ? 0 : 1;
	r.iterations = 1000;
	r.wall_s = wall;
	r.user_s = wall;
	r.sys_s = 0.01;
	r.maxrss_kb = 1000;
	store_append(&store, &r);
}

static void
setup(void)
{
	const char *dirs[2] = {tmpdir, NULL};
	char path[128], err[128];

	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
	snprintf(path, sizeof(path), "%s/libjemalloc.so.2", tmpdir);
	ab_test_write_file(path, "");
	catalog_init(&cat);
	ck_assert_int_eq(catalog_add_interpreter(&cat, "py=/bin/sh", err,
	                     sizeof(err)),
	    0);
	catalog_resolve(&cat, dirs, NULL);
	store_init(&store);
	state_init(&st, "1.2.3", T0);
	st.store = &store;
	st.catalog = &cat;
	st.ropts.iterations = 1000;
	run_reading_init(&st.reading);
}

static void
teardown(void)
{
	state_free(&st);
	store_free(&store);
	catalog_free(&cat);
	ab_test_rm_tree(tmpdir);
}

/*
 * The value of the sample `name{labels}` in a metrics text, where labels
 * is the exact label text; NAN when there is no such line.
 */
static double
sample(const char *text, const char *name, const char *labels)
{
	char head[256];
	const char *p;
	size_t n;

	n = (size_t)snprintf(head, sizeof(head), "%s{%s} ", name, labels);
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, head, n) == 0)
			return strtod(p + n, NULL);
	}
	return NAN;
}

/* The runs counts and the speedup, compared after every update. */
START_TEST(test_summary_and_metrics_agree)
{
	static const struct {
		const char *variant;
		enum run_status status;
		double wall;
	} updates[] = {
	    {"py/glibc", RUN_OK, 2.0},
	    {"py/jemalloc", RUN_OK, 1.0},
	    {"py/glibc", RUN_OK, 2.2},
	    {"py/jemalloc", RUN_FAILED, 0.1},
	    {"py/jemalloc", RUN_OK, 1.1},
	    {"py/glibc", RUN_OK, 2.4},
	};
	static const char *const ids[] = {"py/glibc", "py/jemalloc"};
	static const char *const labels[] =
	    {"interpreter=\"py\",allocator=\"glibc\"",
	        "interpreter=\"py\",allocator=\"jemalloc\""};
	char etag[sizeof(st.summary_etag)], lab[128];
	size_t u, i, ok[2] = {0, 0}, failed[2] = {0, 0};
	cJSON *doc;

	for (u = 0; u < sizeof(updates) / sizeof(updates[0]); u++) {
		add_run((int)u, updates[u].variant, updates[u].status,
		    updates[u].wall);
		i = strcmp(updates[u].variant, ids[0]) == 0 ? 0 : 1;
		if (updates[u].status == RUN_OK)
			ok[i]++;
		else
			failed[i]++;
		st.updated_ms = T0 + (int64_t)u * 60000;
		st.rounds_completed = u;
		memcpy(etag, st.summary_etag, sizeof(etag));
		state_publish(&st);
		ck_assert_str_ne(etag, st.summary_etag);
		ck_assert_uint_eq(st.summary_len, strlen(st.summary));
		ck_assert_uint_eq(st.metrics_len, strlen(st.metrics));
		doc = cJSON_Parse(st.summary);
		ck_assert_ptr_nonnull(doc);
		for (i = 0; i < 2; i++) {
			const cJSON *v = ab_test_variant(doc, ids[i]);
			const cJSON *runs = cJSON_GetObjectItem(v, "runs");
			const cJSON *cmp = cJSON_GetObjectItem(v, "comparison");

			/* the independent count, the summary, the metrics */
			ck_assert_double_eq(cJSON_GetObjectItem(runs, "ok")
			                        ->valuedouble,
			    (double)ok[i]);
			snprintf(lab, sizeof(lab), "%s,status=\"ok\"",
			    labels[i]);
			ck_assert_double_eq(
			    sample(st.metrics,
			        "allocbench_variant_history_runs", lab),
			    (double)ok[i]);
			snprintf(lab, sizeof(lab), "%s,status=\"failed\"",
			    labels[i]);
			ck_assert_double_eq(
			    sample(st.metrics,
			        "allocbench_variant_history_runs", lab),
			    (double)failed[i]);
			/* runs without rounds never pair: a comparison
			 * that collects exports its pair count alone */
			if (cJSON_IsObject(cmp))
				ck_assert_double_eq(
				    sample(st.metrics,
				        "allocbench_comparison_pairs",
				        labels[i]),
				    cJSON_GetObjectItem(cmp, "pairs")
				        ->valuedouble);
			ck_assert(isnan(sample(st.metrics,
			    "allocbench_speedup_ratio", labels[i])));
		}
		cJSON_Delete(doc);
		snprintf(lab, sizeof(lab),
		    "\nallocbench_rounds_completed_total %zu\n", u);
		ck_assert_ptr_nonnull(strstr(st.metrics, lab));
		ck_assert_ptr_nonnull(
		    strstr(st.metrics, "\nallocbench_history_runs "));
	}
	/* publishing unchanged results keeps body and ETag */
	memcpy(etag, st.summary_etag, sizeof(etag));
	state_publish(&st);
	ck_assert_str_eq(etag, st.summary_etag);
}
END_TEST

START_TEST(test_request_round)
{
	int p[2];
	char b;

	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	st.wake_fd = p[1];
	ck_assert_int_eq(state_request_round(&st), 0);
	ck_assert_int_eq(st.round_requested, 1);
	ck_assert_int_eq(read(p[0], &b, 1), 1);
	ck_assert_int_eq(b, 'r');
	st.round_requested = 0;
	st.running = 1;
	ck_assert_int_eq(state_request_round(&st), -1);
	ck_assert_int_eq(st.round_requested, 0);
	ck_assert_int_eq(read(p[0], &b, 1), -1);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* state_daemon copies what the status document needs. */
START_TEST(test_daemon_view)
{
	struct render_daemon d;

	st.running = 1;
	snprintf(st.current, sizeof(st.current), "py/jemalloc");
	st.next_round_ms = T0 + 600000;
	st.rounds_completed = 5;
	add_run(0, "py/glibc", RUN_OK, 1.0);
	state_daemon(&st, &d);
	ck_assert_str_eq(d.version, "1.2.3");
	ck_assert_int_eq(d.running, 1);
	ck_assert_str_eq(d.current, "py/jemalloc");
	ck_assert_int_eq(d.next_round_ms, T0 + 600000);
	ck_assert_uint_eq(d.rounds_completed, 5);
	ck_assert_int_eq(d.has_store, 1);
	ck_assert_int_eq(d.persist_ok, 1); /* memory-only, no error */
	ck_assert_uint_eq(d.history_runs, 1);
}
END_TEST

/* allocbench_variant_info names the library of each variant's newest run
 * that carries an environment fingerprint: its path, build-id and libc. */
START_TEST(test_variant_identity)
{
	struct fingerprint fp;
	struct run r;
	cJSON *env;
	char *text;

	fingerprint_init(&fp);
	snprintf(fp.libc, sizeof(fp.libc), "2.36");
	snprintf(fp.allocator, sizeof(fp.allocator), "jemalloc");
	snprintf(fp.alloc_path, sizeof(fp.alloc_path),
	    "/usr/lib/libjemalloc.so.2");
	snprintf(fp.alloc_id, sizeof(fp.alloc_id), "build-id:%s",
	    "0123456789abcdef0123456789abcdef01234567");
	env = fingerprint_to_json(&fp);
	text = cJSON_PrintUnformatted(env);
	cJSON_Delete(env);
	add_run(0, "py/glibc", RUN_OK, 2.0);
	run_init(&r);
	r.variant = (char *)"py/jemalloc";
	r.started_ms = T0 + 60000;
	r.status = RUN_OK;
	r.iterations = 1000;
	r.wall_s = 1.0;
	r.env = text;
	store_append(&store, &r);
	add_run(2, "py/jemalloc", RUN_FAILED, 0.1); /* newer, no env */
	state_publish(&st);
	ck_assert_msg(strstr(st.metrics,
	                  "allocbench_variant_info{interpreter=\"py\","
	                  "allocator=\"jemalloc\",library=\"/usr/lib/"
	                  "libjemalloc.so.2\",library_id=\"build-id:"
	                  "0123456789abcdef0123456789abcdef01234567\","
	                  "libc=\"2.36\",") != NULL,
	    "%s", st.metrics);
	/* glibc has no fingerprint yet: the catalogue's (empty) library */
	ck_assert_msg(strstr(st.metrics,
	                  "allocbench_variant_info{interpreter=\"py\","
	                  "allocator=\"glibc\",library=\"\",library_id=\"\","
	                  "libc=\"\",") != NULL,
	    "%s", st.metrics);
	cJSON_free(text);
}
END_TEST

/* The readiness rule applied to the state, with its reason. */
START_TEST(test_ready)
{
	char why[128];

	st.interval_s = 600;
	st.next_round_ms = T0;
	ck_assert_int_eq(state_ready(&st, T0 + 600000, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "ok");
	ck_assert_int_eq(state_ready(&st, T0 + 601000, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "round overdue by 601 s (grace 600 s)");
	st.running = 1;
	st.next_round_ms = 0;
	st.run_started_ms = T0;
	st.hang_s = 60;
	ck_assert_int_eq(state_ready(&st, T0 + 60000, why, sizeof(why)), 1);
	ck_assert_int_eq(state_ready(&st, T0 + 61000, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "run in progress for 61 s (limit 60 s)");
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_summary_and_metrics_agree);
	tcase_add_test(tc, test_request_round);
	tcase_add_test(tc, test_daemon_view);
	tcase_add_test(tc, test_variant_identity);
	tcase_add_test(tc, test_ready);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(state_suite)
