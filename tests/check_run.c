/* SPDX-License-Identifier: MIT */
/*
 * The run document: run_to_json and run_from_json round-trip every field
 * exactly (through the tree and through printed text), unknown values are
 * null, malformed documents are refused with a message naming the member,
 * and documents from a newer schema are refused with -2.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "render.h"
#include "run.h"

/* Values that are equal, or both NULL / both NaN; -0.0 differs from 0.0. */
static int
same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b));
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
same_reading(const struct host_reading *a, const struct host_reading *b)
{
	return same_double(a->temp_c, b->temp_c) &&
	    a->freq_khz == b->freq_khz && same_double(a->load1, b->load1) &&
	    a->throttled == b->throttled;
}

/* Field-by-field comparison; names the first difference. */
static const char *
diff_runs(const struct run *a, const struct run *b)
{
	int p;

	if (!same_str(a->variant, b->variant))
		return "variant";
	if (a->started_ms != b->started_ms)
		return "started_ms";
	if (a->status != b->status)
		return "status";
	if (a->exit_code != b->exit_code)
		return "exit_code";
	if (a->term_signal != b->term_signal)
		return "term_signal";
	if (a->iterations != b->iterations)
		return "iterations";
	if (!same_double(a->wall_s, b->wall_s))
		return "wall_s";
	if (!same_double(a->user_s, b->user_s))
		return "user_s";
	if (!same_double(a->sys_s, b->sys_s))
		return "sys_s";
	if (a->maxrss_kb != b->maxrss_kb || a->minflt != b->minflt ||
	    a->majflt != b->majflt || a->nvcsw != b->nvcsw ||
	    a->nivcsw != b->nivcsw)
		return "rusage";
	for (p = 0; p < PHASE_N; p++)
		if (!same_double(a->phase_s[p], b->phase_s[p]))
			return run_phase_name((enum run_phase)p);
	if (a->vmhwm_kb != b->vmhwm_kb)
		return "vmhwm_kb";
	if (!same_str(a->malloc_provider, b->malloc_provider))
		return "malloc_provider";
	if (!same_str(a->python_version, b->python_version))
		return "python_version";
	if (!same_str(a->error, b->error))
		return "error";
	if (!same_reading(&a->before, &b->before))
		return "before";
	if (!same_reading(&a->after, &b->after))
		return "after";
	if (a->flags != b->flags)
		return "flags";
	return NULL;
}

/* Builds run number i of the round-trip table into r (strings static). */
static void
make_run(int i, struct run *r)
{
	run_init(r);
	switch (i) {
	case 0: /* everything measured */
		r->variant = "python3.11/jemalloc";
		r->started_ms = 1764081296123;
		r->status = RUN_UNVERIFIED;
		r->exit_code = 0;
		r->term_signal = 0;
		r->iterations = 200000;
		r->wall_s = 0.1 + 0.2; /* cJSON alone prints 0.3 */
		r->user_s = 1.0 / 3.0;
		r->sys_s = 2.5e-7;
		r->maxrss_kb = 123456;
		r->minflt = 98765432;
		r->majflt = 0;
		r->nvcsw = 17;
		r->nivcsw = 4503599627370496; /* 2^52 */
		r->phase_s[PHASE_APPEND] = 63.755227294589105;
		r->phase_s[PHASE_FILL] = 1e-300;
		r->phase_s[PHASE_CLEAR] = -0.0;
		r->phase_s[PHASE_REFILL] = 123456.789;
		r->vmhwm_kb = 120000;
		r->malloc_provider =
		    "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
		r->python_version = "3.11.2";
		r->error = "malloc came from \"libc.so.6\"\n\tline 2 \\ \x01"
		           " \xc3\xbcnic\xc3\xb6"
		           "de \xe2\x9c\x93 \xf0\x9f\x98\x80";
		r->before.temp_c = 47.236999999999995;
		r->before.freq_khz = 1500000;
		r->before.load1 = 0.52;
		r->before.throttled = 0;
		r->after.temp_c = 61.3;
		r->after.freq_khz = 600000;
		r->after.load1 = 1.07;
		r->after.throttled = 0x50005;
		r->flags = RUN_FLAG_THROTTLED | RUN_FLAG_LOADED;
		break;
	case 1: /* nothing measured */
		r->variant = "py/glibc";
		r->started_ms = 0;
		r->status = RUN_FAILED;
		break;
	case 2: /* killed before the epoch, one flag */
		r->variant = "py/mimalloc";
		r->started_ms = -1;
		r->status = RUN_TIMEOUT;
		r->term_signal = 9;
		r->wall_s = 600.0;
		r->error = "";
		r->flags = RUN_FLAG_LOADED;
		break;
	default: /* ok, the other flag, extreme doubles */
		r->variant = "v";
		r->started_ms = 9007199254740992; /* 2^53 */
		r->status = RUN_OK;
		r->exit_code = 255;
		r->wall_s = 1.7976931348623157e308;
		r->user_s = 4.9406564584124654e-324;
		r->sys_s = 2.2250738585072014e-308;
		r->flags = RUN_FLAG_THROTTLED;
		break;
	}
}
#define NRUNS 4

START_TEST(test_round_trip)
{
	struct run in, out;
	cJSON *doc, *back;
	char err[256], *txt, *txt2;
	const char *d;

	make_run(_i, &in);
	doc = run_to_json(&in);
	ck_assert_ptr_nonnull(doc);

	/* straight from the tree */
	ck_assert_int_eq(run_from_json(doc, &out, err, sizeof(err)), 0);
	d = diff_runs(&in, &out);
	ck_assert_msg(d == NULL, "tree: %s differs", d);
	run_clear(&out);

	/* through the printed text, as in the history file */
	txt = cJSON_PrintUnformatted(doc);
	back = cJSON_Parse(txt);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(run_from_json(back, &out, err, sizeof(err)), 0);
	d = diff_runs(&in, &out);
	ck_assert_msg(d == NULL, "text: %s differs in %s", d, txt);

	/* and printing it again gives the same line */
	cJSON_Delete(back);
	back = run_to_json(&out);
	txt2 = cJSON_PrintUnformatted(back);
	ck_assert_str_eq(txt2, txt);
	cJSON_free(txt2);
	cJSON_free(txt);
	cJSON_Delete(back);
	cJSON_Delete(doc);
	run_clear(&out);
}
END_TEST

/* Random doubles, the kind that durations are: every one exact. */
START_TEST(test_random_doubles)
{
	struct run in, out;
	cJSON *doc, *back;
	char err[128], *txt;
	unsigned long long x = 88172645463325252ULL;
	int i, lost = 0;

	run_init(&in);
	in.variant = "py/x";
	in.status = RUN_OK;
	for (i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		in.wall_s = (double)(x >> 11) / 9007199254740992.0 * 100.0;
		in.before.load1 =
		    ldexp((double)(x >> 11), (int)(x % 200) - 150);
		doc = run_to_json(&in);
		txt = cJSON_PrintUnformatted(doc);
		back = cJSON_Parse(txt);
		ck_assert_int_eq(run_from_json(back, &out, err, sizeof(err)),
		    0);
		lost += !same_double(in.wall_s, out.wall_s) ||
		    !same_double(in.before.load1, out.before.load1);
		run_clear(&out);
		cJSON_Delete(back);
		cJSON_free(txt);
		cJSON_Delete(doc);
	}
	ck_assert_int_eq(lost, 0);
}
END_TEST

/* The exact text of a run with nothing known: the schema, pinned. */
START_TEST(test_unknown_is_null)
{
	struct run r;
	cJSON *doc;
	char *txt;

	make_run(1, &r);
	doc = run_to_json(&r);
	txt = cJSON_PrintUnformatted(doc);
	ck_assert_str_eq(txt,
	    "{\"v\":1,\"variant\":\"py/glibc\",\"started_ms\":0,"
	    "\"started_at\":\"1970-01-01T00:00:00.000Z\",\"status\":\"failed\","
	    "\"exit_code\":null,\"signal\":0,\"iterations\":null,"
	    "\"wall_s\":null,\"user_s\":null,\"sys_s\":null,"
	    "\"maxrss_kb\":null,\"minflt\":null,\"majflt\":null,"
	    "\"nvcsw\":null,\"nivcsw\":null,\"phases_s\":{\"append\":null,"
	    "\"fill\":null,\"clear\":null,\"refill\":null},"
	    "\"vmhwm_kb\":null,\"malloc_provider\":null,"
	    "\"python_version\":null,\"error\":null,"
	    "\"host_before\":{\"temp_c\":null,\"freq_khz\":null,"
	    "\"load1\":null,\"throttled\":null},"
	    "\"host_after\":{\"temp_c\":null,\"freq_khz\":null,"
	    "\"load1\":null,\"throttled\":null},\"flags\":[]}");
	cJSON_free(txt);
	cJSON_Delete(doc);
}
END_TEST

static const struct {
	const char *member;
	const char *text;
} printed[] = {
    {"wall_s", "0.30000000000000004"},
    {"user_s", "0.3333333333333333"},
    {"sys_s", "2.5e-07"},
    {"nivcsw", "4503599627370496"},
    {"started_at", "\"2025-11-25T14:34:56.123Z\""},
    {"flags", "[\"throttled\",\"loaded\"]"},
    {"status", "\"unverified\""},
    {"iterations", "200000"},
};

/* Selected members of the full run print as expected. */
START_TEST(test_printed_members)
{
	struct run r;
	cJSON *doc;
	char *txt;
	size_t i;

	make_run(0, &r);
	doc = run_to_json(&r);
	for (i = 0; i < sizeof(printed) / sizeof(printed[0]); i++) {
		txt = cJSON_PrintUnformatted(
		    cJSON_GetObjectItemCaseSensitive(doc, printed[i].member));
		ck_assert_msg(txt != NULL, "%s missing", printed[i].member);
		ck_assert_str_eq(txt, printed[i].text);
		cJSON_free(txt);
	}
	cJSON_Delete(doc);
}
END_TEST

/* started_at has the format of render_rfc3339 (which it must not call). */
START_TEST(test_started_at)
{
	static const int64_t ms[] = {0, 999, 1000, 1764081296123,
	    951782400000 /* 2000-02-29 */, 253402300799999};
	struct run r;
	cJSON *doc;
	char want[40];
	size_t i;

	run_init(&r);
	r.variant = "v";
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		r.started_ms = ms[i];
		doc = run_to_json(&r);
		render_rfc3339(ms[i], want, sizeof(want));
		ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc,
		                     "started_at")
		                     ->valuestring,
		    want);
		cJSON_Delete(doc);
	}
	r.started_ms = -1;
	doc = run_to_json(&r);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "started_at")
	                     ->valuestring,
	    "1969-12-31T23:59:59.999Z");
	cJSON_Delete(doc);
}
END_TEST

#define HEAD "{\"v\":1,\"variant\":\"py/a\",\"started_ms\":5,\"status\":\"ok\""

static const struct {
	const char *doc;
	const char *err;
} malformed[] = {
    {"[]", "not a JSON object"},
    {"\"run\"", "not a JSON object"},
    {"{}", "missing v"},
    {"{\"v\":null}", "missing v"},
    {"{\"v\":\"1\"}", "v is not a number"},
    {"{\"v\":1.5}", "v is not an integer"},
    {"{\"v\":0}", "schema 0 is not valid"},
    {"{\"v\":-3}", "schema -3 is not valid"},
    {"{\"v\":1}", "missing variant"},
    {"{\"v\":1,\"variant\":null}", "missing variant"},
    {"{\"v\":1,\"variant\":3}", "variant is not a string"},
    {"{\"v\":1,\"variant\":\"\"}", "variant is empty"},
    {"{\"v\":1,\"variant\":\"a\"}", "missing started_ms"},
    {"{\"v\":1,\"variant\":\"a\",\"started_ms\":\"x\"}",
        "started_ms is not a number"},
    {"{\"v\":1,\"variant\":\"a\",\"started_ms\":1.5}",
        "started_ms is not an integer"},
    {"{\"v\":1,\"variant\":\"a\",\"started_ms\":1e300}",
        "started_ms is out of range"},
    {"{\"v\":1,\"variant\":\"a\",\"started_ms\":1}", "missing status"},
    {"{\"v\":1,\"variant\":\"a\",\"started_ms\":1,\"status\":3}",
        "status is not a string"},
    {"{\"v\":1,\"variant\":\"a\",\"started_ms\":1,\"status\":\"bogus\"}",
        "status 'bogus' unknown"},
    {HEAD ",\"wall_s\":\"fast\"}", "wall_s is not a number"},
    {HEAD ",\"wall_s\":true}", "wall_s is not a number"},
    {HEAD ",\"wall_s\":1e999}", "wall_s is not a number"},
    {HEAD ",\"exit_code\":1e10}", "exit_code is out of range"},
    {HEAD ",\"signal\":\"KILL\"}", "signal is not a number"},
    {HEAD ",\"iterations\":[]}", "iterations is not a number"},
    {HEAD ",\"maxrss_kb\":1.5}", "maxrss_kb is not an integer"},
    {HEAD ",\"nivcsw\":1e19}", "nivcsw is out of range"},
    {HEAD ",\"phases_s\":[]}", "phases_s is not an object"},
    {HEAD ",\"phases_s\":{\"fill\":\"x\"}}", "phases_s.fill is not a number"},
    {HEAD ",\"vmhwm_kb\":{}}", "vmhwm_kb is not a number"},
    {HEAD ",\"malloc_provider\":[]}", "malloc_provider is not a string"},
    {HEAD ",\"python_version\":3.11}", "python_version is not a string"},
    {HEAD ",\"error\":5}", "error is not a string"},
    {HEAD ",\"host_before\":{\"temp_c\":true}}",
        "host_before.temp_c is not a number"},
    {HEAD ",\"host_before\":{\"freq_khz\":1.5}}",
        "host_before.freq_khz is not an integer"},
    {HEAD ",\"host_after\":1}", "host_after is not an object"},
    {HEAD ",\"host_after\":{\"throttled\":\"no\"}}",
        "host_after.throttled is not a number"},
    {HEAD ",\"flags\":\"throttled\"}", "flags is not an array"},
    {HEAD ",\"flags\":[1]}", "flags[0] is not a string"},
    {HEAD ",\"flags\":[\"loaded\",\"hot\"]}", "flag 'hot' unknown"},
};

START_TEST(test_malformed)
{
	struct run r;
	cJSON *doc = cJSON_Parse(malformed[_i].doc);
	char err[256] = "";

	ck_assert_msg(doc != NULL, "fixture %d is not JSON", _i);
	ck_assert_int_eq(run_from_json(doc, &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, malformed[_i].err);
	/* cleared: nothing to free, nothing half-read */
	ck_assert_ptr_null(r.variant);
	ck_assert_ptr_null(r.error);
	ck_assert_ptr_null(r.malloc_provider);
	ck_assert_int_eq(r.flags, 0);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_newer_schema)
{
	static const char *const docs[] = {"{\"v\":2}",
	    "{\"v\":2,\"variant\":7,\"started\":\"2030-01-01\"}",
	    "{\"v\":17,\"variant\":\"py/a\",\"started_ms\":5,\"status\":\"ok\"}"};
	static const char *const want[] =
	    {"schema 2 is newer than this allocbenchd (1)",
	        "schema 2 is newer than this allocbenchd (1)",
	        "schema 17 is newer than this allocbenchd (1)"};
	struct run r;
	cJSON *doc;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		doc = cJSON_Parse(docs[i]);
		ck_assert_int_eq(run_from_json(doc, &r, err, sizeof(err)), -2);
		ck_assert_str_eq(err, want[i]);
		ck_assert_ptr_null(r.variant);
		cJSON_Delete(doc);
	}
}
END_TEST

/* Absent, null, reordered and unknown members. */
START_TEST(test_lenient_reading)
{
	struct run r;
	cJSON *doc;
	char err[128];

	doc = cJSON_Parse(HEAD "}");
	ck_assert_int_eq(run_from_json(doc, &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.variant, "py/a");
	ck_assert_int_eq(r.started_ms, 5);
	ck_assert_int_eq(r.status, RUN_OK);
	ck_assert_int_eq(r.exit_code, -1);
	ck_assert_int_eq(r.iterations, -1);
	ck_assert(isnan(r.wall_s));
	ck_assert(isnan(r.phase_s[PHASE_FILL]));
	ck_assert_int_eq(r.before.freq_khz, -1);
	ck_assert_ptr_null(r.error);
	run_clear(&r);
	cJSON_Delete(doc);

	doc =
	    cJSON_Parse("{\"flags\":[\"loaded\"],\"host_after\":{\"load1\":"
	                "2.5,\"temp_c\":null},\"wall_s\":1.25,\"future\":{\"x\""
	                ":1},\"status\":\"timeout\",\"error\":\"t\\u00e9\","
	                "\"started_ms\":-7,\"signal\":null,\"exit_code\":null,"
	                "\"variant\":\"py/b\",\"phases_s\":null,\"v\":1}");
	ck_assert_int_eq(run_from_json(doc, &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.variant, "py/b");
	ck_assert_int_eq(r.started_ms, -7);
	ck_assert_int_eq(r.status, RUN_TIMEOUT);
	ck_assert_double_eq(r.wall_s, 1.25);
	ck_assert_double_eq(r.after.load1, 2.5);
	ck_assert(isnan(r.after.temp_c));
	ck_assert_str_eq(r.error, "t\xc3\xa9");
	ck_assert_uint_eq(r.flags, RUN_FLAG_LOADED);
	ck_assert_int_eq(r.term_signal, 0);
	run_clear(&r);
	cJSON_Delete(doc);
}
END_TEST

static Suite *
run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_round_trip, 0, NRUNS);
	tcase_add_test(tc, test_random_doubles);
	tcase_add_test(tc, test_unknown_is_null);
	tcase_add_test(tc, test_printed_members);
	tcase_add_test(tc, test_started_at);
	tcase_add_loop_test(tc, test_malformed, 0,
	    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, test_newer_schema);
	tcase_add_test(tc, test_lenient_reading);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(run_suite)
