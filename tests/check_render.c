/* SPDX-License-Identifier: MIT */
/*
 * The summary document and table, from a store filled with runs whose
 * statistics are worked out by hand below: the baseline takes 2.0..2.9 s,
 * jemalloc 1.0..1.9 s, ten runs each.
 *   baseline median 2.45, mean 2.45, stdev sqrt(0.825 / 9) = 0.302765...,
 *   95% CI of the median for n = 10: [x(2), x(9)] = [2.1, 2.8];
 * Run i of each is round i, so the comparison pairs them: the differences
 * d_i = log(base_i / (1.0 + i/10)) are all positive; numpy and scipy 1.10
 * give the Hodges-Lehmann estimate exp(median of Walsh averages) =
 * 1.673320053068151, the exact signed-rank p = 2 / 2^10 = 0.001953125 and,
 * at one look (plain Holm at 0.05, one comparison), the interval
 * [w(9), w(47)] = [1.4705077906604789, 2.06776232329565].
 * The runs document is compared byte for byte with the cJSON tree it
 * replaced.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "render.h"
#include "run_tree.h"

static char tmpdir[sizeof(AB_TEST_TMPDIR)];
static char libpath[64];
static struct catalog cat;
static struct store st;
static struct host_info host = {"pi", "aarch64", "6.1.0", "Raspberry Pi 4", 4,
    "none; NoNewPrivs=0 Seccomp=none CapEff=0"};

/* Baseline walls in a shuffled order, to show the code sorts. */
static const double base_walls[10] = {2.5, 2.0, 2.9, 2.3, 2.1, 2.8, 2.4, 2.6,
    2.2, 2.7};

static void
add(const char *variant, enum run_status s, double wall, long iterations,
    const char *error, int64_t round)
{
	struct run r;
	int p;

	run_init(&r);
	r.round = round;
	r.started_ms = 1764064800000LL + round * 60000;
	r.variant = (char *)variant;
	r.status = s;
	r.wall_s = wall;
	r.user_s = wall * 0.9;
	r.sys_s = wall * 0.05;
	r.maxrss_kb = (long)(wall * 10000);
	r.iterations = iterations;
	for (p = 0; p < PHASE_N; p++)
		r.phase_s[p] = wall * (p + 1) / 10.0;
	r.malloc_provider =
	    (char *)(strstr(variant, "jemalloc") ? libpath : "/lib/libc.so.6");
	r.error = (char *)error;
	store_append(&st, &r);
}

static void
setup(void)
{
	char err[128];
	const char *dirs[2] = {tmpdir, NULL};
	int i;

	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
	snprintf(libpath, sizeof(libpath), "%s/libjemalloc.so.2", tmpdir);
	ab_test_write_file(libpath, "");

	catalog_init(&cat);
	ck_assert_int_eq(catalog_add_interpreter(&cat, "py=/bin/sh", err,
	                     sizeof(err)),
	    0);
	catalog_resolve(&cat, dirs, NULL);
	store_init(&st);
	for (i = 0; i < 10; i++) {
		add("py/glibc", RUN_OK, base_walls[i], 1000, NULL, i);
		add("py/jemalloc", RUN_OK, 1.0 + i / 10.0, 1000, NULL, i);
	}
	add("py/jemalloc", RUN_UNVERIFIED, 0.1, 1000,
	    "malloc came from /lib/libc.so.6", 10);
	add("py/jemalloc", RUN_OK, 100.0, 5000, NULL, 11);
}

static void
teardown(void)
{
	store_free(&st);
	catalog_free(&cat);
	ab_test_rm_tree(tmpdir);
}

/*
 * render_summary's document as a client reads it: printed and parsed again
 * (numbers are raw items holding their exact text until printed).
 */
static cJSON *
summary(const struct catalog *c, const struct store *s,
    const struct host_info *h, size_t window, long iterations, int flagged,
    int64_t now_ms)
{
	struct render_opts o = {window, iterations, flagged, 0.02, 0};
	cJSON *tree = render_summary(c, s, h, &o, now_ms);
	char *text = cJSON_PrintUnformatted(tree);
	cJSON *doc = cJSON_Parse(text);

	ck_assert_ptr_nonnull(doc);
	cJSON_free(text);
	cJSON_Delete(tree);
	return doc;
}

static double
num(const cJSON *o, const char *path)
{
	char buf[128], *key, *save = NULL;
	const cJSON *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key != NULL;
	     key = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(cur))
			cur =
			    cJSON_GetArrayItem(cur, (int)strtol(key, NULL, 10));
		else
			cur = cJSON_GetObjectItem(cur, key);
	}
	ck_assert_msg(cJSON_IsNumber(cur), "%s is not a number", path);
	return cur->valuedouble;
}

static const struct {
	const char *variant;
	const char *path;
	double expected;
} values[] = {
    {"py/glibc", "runs.ok", 10},
    {"py/glibc", "runs.unverified", 0},
    {"py/glibc", "wall_s.n", 10},
    {"py/glibc", "wall_s.median", 2.45},
    {"py/glibc", "wall_s.mean", 2.45},
    {"py/glibc", "wall_s.stdev", 0.30276503540974914},
    {"py/glibc", "wall_s.min", 2.0},
    {"py/glibc", "wall_s.max", 2.9},
    {"py/glibc", "wall_s.ci95.0", 2.1},
    {"py/glibc", "wall_s.ci95.1", 2.8},
    {"py/glibc", "user_s.median", 2.205},
    {"py/glibc", "sys_s.median", 0.1225},
    {"py/glibc", "maxrss_kb.median", 24500},
    {"py/glibc", "phases_s.append", 0.245},
    {"py/glibc", "phases_s.fill", 0.49},
    {"py/glibc", "phases_s.clear", 0.735},
    {"py/glibc", "phases_s.refill", 0.98},
    {"py/jemalloc", "runs.ok", 11},
    {"py/jemalloc", "runs.unverified", 1},
    {"py/jemalloc", "wall_s.n", 10},
    {"py/jemalloc", "wall_s.median", 1.45},
    {"py/jemalloc", "wall_s.max", 1.9},
    {"py/jemalloc", "comparison.speedup", 1.673320053068151},
    {"py/jemalloc", "comparison.p_value", 0.001953125},
    {"py/jemalloc", "comparison.p_adjusted", 0.001953125},
    {"py/jemalloc", "comparison.ci.0", 1.4705077906604789},
    {"py/jemalloc", "comparison.ci.1", 2.06776232329565},
    {"py/jemalloc", "comparison.pairs", 10},
    {"py/jemalloc", "comparison.alpha", 0.05},
    {"py/tcmalloc", "runs.ok", 0},
};

START_TEST(test_values)
{
	cJSON *doc = summary(&cat, &st, &host, 0, 1000, 0, 0);
	const cJSON *v = ab_test_variant(doc, values[_i].variant);

	ck_assert_double_eq_tol(num(v, values[_i].path), values[_i].expected,
	    1e-9 * fabs(values[_i].expected) + 1e-12);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_document_shape)
{
	cJSON *doc = summary(&cat, &st, &host, 0, 1000, 0, 1764081296123LL);
	const cJSON *base = ab_test_variant(doc, "py/glibc");
	const cJSON *je = ab_test_variant(doc, "py/jemalloc");
	const cJSON *tc = ab_test_variant(doc, "py/tcmalloc");
	const cJSON *sp = cJSON_GetObjectItem(je, "comparison");

	ck_assert_int_eq(num(doc, "schema"), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "generated_at")->valuestring,
	    "2025-11-25T14:34:56.123Z");
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "baseline")->valuestring,
	    "glibc");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "host"),
	                     "cpu_model")
	                     ->valuestring,
	    "Raspberry Pi 4");
	ck_assert_int_eq(cJSON_GetArraySize(
	                     cJSON_GetObjectItem(doc, "variants")),
	    4);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(base, "library")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(base, "comparison")));
	ck_assert_str_eq(cJSON_GetObjectItem(je, "library")->valuestring,
	    libpath);
	ck_assert_str_eq(cJSON_GetObjectItem(sp, "baseline")->valuestring,
	    "py/glibc");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(sp, "significant")));
	ck_assert_str_eq(cJSON_GetObjectItem(sp, "verdict")->valuestring,
	    "faster");
	ck_assert_str_eq(cJSON_GetObjectItem(je, "last_error")->valuestring,
	    "malloc came from /lib/libc.so.6");
	ck_assert_str_eq(cJSON_GetObjectItem(je, "last_error_status")
	                     ->valuestring,
	    "unverified");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(base, "last_error_at")));
	ck_assert_int_eq(num(doc, "window"), 0);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(doc, "include_flagged")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(tc, "available")));
	ck_assert_ptr_nonnull(
	    strstr(cJSON_GetObjectItem(tc, "reason")->valuestring,
	        "libtcmalloc_minimal.so.4"));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(tc, "wall_s")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(tc, "phases_s")));
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(tc,
	                                         "comparison"),
	                     "verdict")
	                     ->valuestring,
	    "collecting");
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_window_and_small_n)
{
	/* the newest 5 baseline runs: 2.8 2.4 2.6 2.2 2.7 -> median 2.6 */
	cJSON *doc = summary(&cat, &st, &host, 5, 1000, 0, 0);
	const cJSON *base = ab_test_variant(doc, "py/glibc");

	ck_assert_double_eq_tol(num(base, "wall_s.median"), 2.6, 1e-12);
	ck_assert_double_eq_tol(num(base, "wall_s.n"), 5, 1e-12);
	/* n = 5 is too few for a 95% interval of the median */
	ck_assert(cJSON_IsNull(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(base, "wall_s"), "ci95")));
	cJSON_Delete(doc);

	/* iterations 5000: only the one 100 s jemalloc run, no baseline */
	doc = summary(&cat, &st, &host, 0, 5000, 0, 0);
	ck_assert_double_eq_tol(num(ab_test_variant(doc, "py/jemalloc"),
	                            "wall_s.median"),
	    100.0, 1e-12);
	ck_assert_str_eq(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(ab_test_variant(doc,
	                                                "py/"
	                                                "jemalloc"),
	                            "comparison"),
	        "verdict")
	        ->valuestring,
	    "collecting");
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_table)
{
	cJSON *doc = summary(&cat, &st, &host, 0, 1000, 0, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_int_eq(render_table(fp, doc), 0);
	fclose(fp);
	ck_assert_ptr_nonnull(
	    strstr(buf, "pi (Raspberry Pi 4, aarch64, 4 CPUs"));
	ck_assert_ptr_nonnull(strstr(buf, "2.4500 s (2.1000-2.8000)"));
	ck_assert_ptr_nonnull(
	    strstr(buf, "1.673x (1.471-2.068) faster p=0.002"));
	ck_assert_ptr_nonnull(strstr(buf, "collecting (0/6)"));
	ck_assert_ptr_nonnull(strstr(buf, "23.9 MiB"));
	ck_assert_ptr_nonnull(strstr(buf, "0.245/0.490/0.735/0.980"));
	ck_assert_ptr_nonnull(strstr(buf, "py/tcmalloc"));
	ck_assert_ptr_nonnull(strstr(buf, "unavailable"));
	ck_assert_ptr_nonnull(strstr(buf, "1 unverified, 0 failed, 0 timeout"));
	ck_assert_ptr_nonnull(
	    strstr(buf, "py/jemalloc: malloc came from /lib/libc.so.6\n"));
	free(buf);
	cJSON_Delete(doc);
}
END_TEST

/*
 * GET /api/v1/runs as it was built before render_runs wrote text: a cJSON
 * document of run_to_json elements, printed. Free with cJSON_free.
 */
static char *
runs_reference(const struct store *s, const char *variant, int64_t since_ms,
    size_t limit)
{
	cJSON *doc = cJSON_CreateObject(), *arr;
	size_t first = 0, i, n = 0;
	char *txt;

	arr = cJSON_AddArrayToObject(doc, "runs");
	if (s != NULL && since_ms > 0)
		first = store_since(s, since_ms);
	for (i = s != NULL ? s->nruns : 0;
	     i > first && (limit == 0 || n < limit); i--) {
		const struct run *r = &s->runs[i - 1];

		if (variant != NULL && strcmp(r->variant, variant) != 0)
			continue;
		cJSON_AddItemToArray(arr, run_to_json(r));
		n++;
	}
	cJSON_AddNumberToObject(doc, "count", (double)n);
	txt = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return txt;
}

#define T0 1764081296123LL

static const struct {
	const char *variant;
	int64_t since_ms;
	size_t limit;
	size_t count;
} runs_queries[] = {
    {NULL, 0, 0, 32},
    {NULL, 0, 1, 1},
    {"py/glibc", 0, 0, 15},
    {"py/jemalloc", 0, 5, 5},
    {"py/tcmalloc", 0, 0, 0},
    {NULL, T0 + 5000, 0, 5},
    {"py/glibc", T0 + 5000, 2, 2},
    {"py/jemalloc", T0 + 1, 0, 5},
    {NULL, T0 + 10000, 0, 0},
};

/*
 * render_runs writes the bytes cJSON printed for the tree of run_to_json
 * elements it used to build, for every filter; here with ten more runs
 * started a second apart, whose strings need escaping.
 */
START_TEST(test_runs_text)
{
	struct run r;
	char *txt, *want;
	size_t len, i;

	for (i = 0; i < 10; i++) {
		run_init(&r);
		r.variant = i % 2 ? "py/jemalloc" : "py/glibc";
		r.started_ms = T0 + (int64_t)i * 1000;
		r.status = i == 3 ? RUN_FAILED : RUN_OK;
		r.wall_s = 2.0 + 0.1 * (double)i;
		r.user_s = r.wall_s / 3.0;
		r.error =
		    i == 3 ? "Traceback:\n\t\"x\" \\ \x01 \xc3\xa9" : NULL;
		r.before.temp_c = 47.236999999999995;
		r.flags = i == 4 ? RUN_FLAG_THROTTLED : 0;
		store_append(&st, &r);
	}
	for (i = 0; i < sizeof(runs_queries) / sizeof(runs_queries[0]); i++) {
		txt = render_runs(&st, runs_queries[i].variant,
		    runs_queries[i].since_ms, runs_queries[i].limit, &len);
		want = runs_reference(&st, runs_queries[i].variant,
		    runs_queries[i].since_ms, runs_queries[i].limit);
		ck_assert_uint_eq(len, strlen(txt));
		ck_assert_str_eq(txt, want);
		ck_assert_msg(strstr(txt, "],\"count\":") != NULL &&
		        strtoul(strstr(txt, "],\"count\":") + 10, NULL, 10) ==
		            runs_queries[i].count,
		    "query %zu: %s", i, txt);
		cJSON_free(want);
		free(txt);
	}

	/* no store: no runs */
	txt = render_runs(NULL, "py/glibc", 0, 100, &len);
	ck_assert_str_eq(txt, "{\"runs\":[],\"count\":0}");
	ck_assert_uint_eq(len, strlen(txt));
	want = runs_reference(NULL, NULL, 0, 0);
	ck_assert_str_eq(txt, want);
	cJSON_free(want);
	free(txt);
}
END_TEST

static Suite *
render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("summary");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_values, 0,
	    sizeof(values) / sizeof(values[0]));
	tcase_add_test(tc, test_document_shape);
	tcase_add_test(tc, test_window_and_small_n);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_runs_text);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(render_suite)
