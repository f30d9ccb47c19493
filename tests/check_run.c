/* SPDX-License-Identifier: MIT */
/*
 * The run document: run_to_json and rundoc_read round-trip every field
 * exactly (through the tree and through printed text), unknown values are
 * null, malformed documents are refused with a message naming the member,
 * and documents from a newer schema are refused with -2. rundoc_write
 * writes the same bytes cJSON prints for run_to_json, doubles as the
 * shortest of %.15g/%.16g/%.17g that reads back.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* x as a long, clamped where long has 32 bits (armhf): the documents
 * must round-trip whatever the width. */
#define AB_LONG(x)                                                             \
	((long)((x) > LONG_MAX ? LONG_MAX : (x) < LONG_MIN ? LONG_MIN : (x)))

#include "check_main.h"
#include "buf.h"
#include "run.h"
#include "run_tree.h"
#include "rundoc.h"

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
		r->nivcsw = AB_LONG(4503599627370496LL); /* 2^52 */
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
	ck_assert_int_eq(rundoc_read(doc, &out, err, sizeof(err)), 0);
	d = diff_runs(&in, &out);
	ck_assert_msg(d == NULL, "tree: %s differs", d);
	run_clear(&out);

	/* through the printed text, as in the history file */
	txt = cJSON_PrintUnformatted(doc);
	back = cJSON_Parse(txt);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(rundoc_read(back, &out, err, sizeof(err)), 0);
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
	for (i = 0; i < 10000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		in.wall_s = (double)(x >> 11) / 9007199254740992.0 * 100.0;
		in.before.load1 =
		    ldexp((double)(x >> 11), (int)(x % 200) - 150);
		doc = run_to_json(&in);
		txt = cJSON_PrintUnformatted(doc);
		back = cJSON_Parse(txt);
		ck_assert_int_eq(rundoc_read(back, &out, err, sizeof(err)), 0);
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
	    "{\"v\":2,\"variant\":\"py/glibc\",\"started_ms\":0,"
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
	    "\"load1\":null,\"throttled\":null},\"flags\":[],"
	    "\"round\":null,\"position\":null,\"runq_s\":null,"
	    "\"psi_s\":null,\"python_full\":null,\"libc_version\":null,"
	    "\"segment\":null,\"env\":null}");
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
#if LONG_MAX > 4503599627370496LL
    {"nivcsw", "4503599627370496"},
#else
    {"nivcsw", "2147483647"}, /* clamped to a 32-bit long (AB_LONG) */
#endif
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

/* started_at is RFC 3339 UTC with ms, as gmtime_r and strftime give it. */
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
		if (sizeof(time_t) < 8 && ms[i] / 1000 > INT32_MAX)
			continue; /* beyond a 32-bit time_t's gmtime_r */
		r.started_ms = ms[i];
		doc = run_to_json(&r);
		{
			time_t sec = (time_t)(ms[i] / 1000);
			struct tm tm;
			char base[32];

			gmtime_r(&sec, &tm);
			strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(want, sizeof(want), "%s.%03dZ", base,
			    (int)(ms[i] % 1000));
		}
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

/* The old format_rfc3339: gmtime_r, and null outside years 0-9999. */
static const char *
ref_rfc3339(int64_t ms, char *buf, size_t len)
{
	int64_t sec = ms / 1000, frac = ms % 1000;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return NULL;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (int)frac);
	return buf;
}

/* started_at as run_to_json writes it, or NULL for null. */
static const char *
started_at(struct run *r, int64_t ms, char *buf, size_t len)
{
	cJSON *doc, *m;

	r->started_ms = ms;
	doc = run_to_json(r);
	m = cJSON_GetObjectItemCaseSensitive(doc, "started_at");
	ck_assert_ptr_nonnull(m);
	if (cJSON_IsNull(m))
		buf = NULL;
	else
		snprintf(buf, len, "%s", m->valuestring);
	cJSON_Delete(doc);
	return buf;
}

/*
 * The calendar arithmetic agrees with gmtime_r: at the ends of years 0 and
 * 9999, around the epoch, at the extremes of int64_t and at random times
 * between years -1 and 10000.
 */
START_TEST(test_started_at_calendar)
{
	static const struct {
		int64_t ms;
		const char *want;
	} fixed[] = {
	    {-62167219200000, "0000-01-01T00:00:00.000Z"},
	    {-62167219200001, NULL},
	    {253402300799999, "9999-12-31T23:59:59.999Z"},
	    {253402300800000, NULL},
	    {-86400001, "1969-12-30T23:59:59.999Z"},
	    {-1000, "1969-12-31T23:59:59.000Z"},
	    {-999, "1969-12-31T23:59:59.001Z"},
	    {951868799999, "2000-02-29T23:59:59.999Z"},
	    {4107542400000, "2100-03-01T00:00:00.000Z"},
	    {INT64_MAX, NULL},
	    {INT64_MIN + 1, NULL},
	};
	struct run r;
	char got[40], want[40];
	const char *g, *w;
	unsigned long long x = 0x2545f4914f6cdd1dULL;
	int64_t ms;
	size_t i;

	run_init(&r);
	r.variant = "v";
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		g = started_at(&r, fixed[i].ms, got, sizeof(got));
		if (fixed[i].want == NULL)
			ck_assert_msg(g == NULL, "%lld: %s",
			    (long long)fixed[i].ms, g);
		else
			ck_assert_pstr_eq(g, fixed[i].want);
		if (sizeof(time_t) == 8) {
			w = ref_rfc3339(fixed[i].ms, want, sizeof(want));
			ck_assert_pstr_eq(g, w);
		}
	}
	for (i = 0; i < 30000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* [-62198755200000, 253433923200000): years -1 to 10000 */
		ms = (int64_t)(x % 315632678400000ULL) - 62198755200000;
		if (sizeof(time_t) < 8 && (ms < 0 || ms / 1000 > INT32_MAX))
			continue;
		g = started_at(&r, ms, got, sizeof(got));
		w = ref_rfc3339(ms, want, sizeof(want));
		ck_assert_msg((g == NULL && w == NULL) ||
		        (g != NULL && w != NULL && strcmp(g, w) == 0),
		    "%lld: %s, gmtime_r %s", (long long)ms, g ? g : "null",
		    w ? w : "null");
	}
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
	ck_assert_int_eq(rundoc_read(doc, &r, err, sizeof(err)), -1);
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
	static const char *const docs[] = {"{\"v\":3}",
	    "{\"v\":3,\"variant\":7,\"started\":\"2030-01-01\"}",
	    "{\"v\":17,\"variant\":\"py/a\",\"started_ms\":5,\"status\":\"ok\"}"};
	static const char *const want[] =
	    {"schema 3 is newer than this allocbenchd (2)",
	        "schema 3 is newer than this allocbenchd (2)",
	        "schema 17 is newer than this allocbenchd (2)"};
	struct run r;
	cJSON *doc;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		doc = cJSON_Parse(docs[i]);
		ck_assert_int_eq(rundoc_read(doc, &r, err, sizeof(err)), -2);
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
	ck_assert_int_eq(rundoc_read(doc, &r, err, sizeof(err)), 0);
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
	ck_assert_int_eq(rundoc_read(doc, &r, err, sizeof(err)), 0);
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

/*
 * The old format_double, the definition of a double's text: the shortest
 * of %.15g, %.16g and %.17g that strtod reads back as the same value.
 */
static void
ref_double(double v, char *buf, size_t len)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, len, "%.17g", v);
}

/* Every control character, quotes, backslashes, DEL and UTF-8. */
static const char nasty[] =
    "\x01\x02\x03\x04\x05\x06\x07\b\t\n\x0b\f\r\x0e\x0f\x10\x11\x12\x13"
    "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f \"q\" \\ \\\\ / \x7f"
    " \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\u0041 ";

/*
 * Runs for the writer, beyond make_run's: run i >= NRUNS of this table.
 * Returns whether rundoc_read reads the document back as the same run:
 * not when a value becomes null (infinities) or cannot be read (a missing
 * variant, an unknown status, started_ms beyond 2^63 as a double).
 */
static int
make_text_run(int i, struct run *r)
{
	if (i < NRUNS) {
		make_run(i, r);
		return 1;
	}
	run_init(r);
	r->variant = "py/glibc";
	r->status = RUN_OK;
	switch (i - NRUNS) {
	case 0: /* strings that need escaping in every member */
		r->variant = (char *)nasty;
		r->malloc_provider = "/opt/l\xc3\xbc\"b\"/lib\\malloc.so";
		r->python_version = "3.13.0\t(main)\r\n";
		r->error = (char *)nasty + 1;
		r->started_ms = 1764081296123;
		return 1;
	case 1: /* big and negative integers, the raw path of add_int */
		r->started_ms = 4611686018427387904; /* 2^62 */
		r->exit_code = INT_MIN;
		r->term_signal = INT_MAX;
		r->iterations = LONG_MAX / 2 + 1;
		r->maxrss_kb = AB_LONG(999999999999999LL);
		r->minflt = AB_LONG(1000000000000000LL);
		r->majflt = AB_LONG(-999999999999999LL);
		r->nvcsw = AB_LONG(-1000000000000000LL);
		r->nivcsw = LONG_MIN;
		r->vmhwm_kb = -2;
		r->before.freq_khz = AB_LONG(2147483648LL);
		r->before.throttled = -2147483649LL;
		r->after.freq_khz = 0;
		r->after.throttled = 1;
		return 1;
	case 2: /* tiny, huge, negative and integral doubles */
		r->started_ms = -62167219200000; /* 0000-01-01T00:00:00Z */
		r->wall_s = 0.1 + 0.2;
		r->user_s = -0.0;
		r->sys_s = 0.0;
		r->phase_s[PHASE_APPEND] = 5e-324;
		r->phase_s[PHASE_FILL] = -1.7976931348623157e308;
		r->phase_s[PHASE_CLEAR] = 1e15;
		r->phase_s[PHASE_REFILL] = 999999999999999.0;
		r->before.temp_c = -40.0;
		r->before.load1 = 1e-5;
		r->after.temp_c = 123456789012345678.0;
		r->after.load1 = 0.000123456789012345678;
		return 1;
	case 3: /* doubles that are ties for some precision */
		r->started_ms = 253402300799999; /* 9999-12-31T23:59:59.999Z */
		r->wall_s = 1234567890123455.0;
		r->user_s = 0.5;
		r->sys_s = 9.5367431640625e-07; /* 2^-20 */
		r->phase_s[PHASE_APPEND] = 9007199254740993.0;
		r->phase_s[PHASE_FILL] = 0.1;
		r->phase_s[PHASE_CLEAR] = 2.0 / 3.0;
		r->phase_s[PHASE_REFILL] = 99999999999999.99;
		r->before.load1 = 9.999999999999999e22;
		r->after.load1 = 1e23;
		return 1;
	case 4: /* out of the calendar, not finite: null */
		r->started_ms = 253402300800000; /* year 10000 */
		r->sys_s = NAN;
		return 1;
	case 5: /* infinities are null, read back as unknown */
		r->wall_s = INFINITY;
		r->user_s = -INFINITY;
		r->started_ms = INT64_MAX;
		return 0;
	case 6: /* before year 0 */
		r->started_ms = -62167219200001;
		return 1;
	case 7: /* unknown started_ms (INT64_MIN) and status: not readable */
		r->started_ms = INT64_MIN;
		r->status = RUN_NSTATUS;
		r->flags = 0xffu;
		return 0;
	default: /* no variant: not readable */
		r->variant = NULL;
		r->error = "";
		return 0;
	}
}
#define NTEXT_RUNS (NRUNS + 9)

/*
 * rundoc_write writes exactly what cJSON prints for run_to_json, after
 * what the buffer held, and the text reads back as the same run.
 */
START_TEST(test_write_json)
{
	struct ab_buf b = AB_BUF_INIT;
	struct run in, out;
	cJSON *doc, *back;
	char err[256], *txt;
	const char *d;
	int rc, same = make_text_run(_i, &in);

	doc = run_to_json(&in);
	txt = cJSON_PrintUnformatted(doc);
	ck_assert_ptr_nonnull(txt);
	ab_buf_append(&b, "[", 1);
	rundoc_write(&b, &in);
	ck_assert_uint_eq(b.len, strlen(txt) + 1);
	ck_assert_uint_eq(strlen(b.p), b.len);
	ck_assert_msg(b.p[0] == '[' && strcmp(b.p + 1, txt) == 0,
	    "run %d:\n wrote %s\n cJSON %s", _i, b.p + 1, txt);

	back = cJSON_Parse(b.p + 1);
	ck_assert_ptr_nonnull(back);
	rc = rundoc_read(back, &out, err, sizeof(err));
	if (same) {
		ck_assert_msg(rc == 0, "run %d: %s", _i, err);
		d = diff_runs(&in, &out);
		ck_assert_msg(d == NULL, "run %d: %s differs in %s", _i, d,
		    b.p + 1);
		/* and the run read back writes the same text again */
		ab_buf_reset(&b);
		ck_assert_str_eq(b.p, "");
		rundoc_write(&b, &out);
		ck_assert_str_eq(b.p, txt);
	}
	run_clear(&out);
	cJSON_Delete(back);
	cJSON_free(txt);
	cJSON_Delete(doc);
	ab_buf_free(&b);
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

/* The text of member "wall_s" in the document of a run with that value. */
static const char *
wall_text(struct ab_buf *b, struct run *r, double v, char *out, size_t len)
{
	const char *p, *e;

	r->wall_s = v;
	ab_buf_reset(b);
	rundoc_write(b, r);
	p = strstr(b->p, "\"wall_s\":");
	ck_assert_ptr_nonnull(p);
	p += strlen("\"wall_s\":");
	e = strchr(p, ',');
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - p), len);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return out;
}

/* Doubles whose digits are ties, carries, powers and boundaries. */
static const double edge_doubles[] = {0.1 + 0.2, 0.1, 0.3, 1.0 / 3.0, 2.0 / 3.0,
    5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
    1.7976931348623157e308, 1e15, 1e15 + 1, 999999999999999.9, 1e16, 1e17, 1e21,
    1e22, 1e23, 9.999999999999999e22, 1e-4, 1e-5, 0.0001234, 0.00001234,
    9.5367431640625e-07, 1234567890123455.0, 1234567890123465.0,
    9007199254740993.0, 9007199254740992.0, 0.5, 0.25, 0.125, 1.5, 2.5,
    99999999999999.99, 9.9999999999999995, 0.9999999999999999,
    0.99999999999999989, 123456.789, 47.236999999999995, 63.755227294589105,
    4.35, 2.675, 1.005, 1e-300, 1.2345678901234567e-300, 3e-320, 4.9e-324, -0.0,
    0.0, 1.0, -1.0, 600.0, 7e14, 5e-5, 2.5e-7, 1e100, 1.5e300};

/*
 * Doubles are written as the old format_double (ref_double) did: the edge
 * cases and their negations, then random bit patterns, durations, values
 * of every magnitude and short decimals.
 */
START_TEST(test_double_text)
{
	struct ab_buf b = AB_BUF_INIT;
	struct run r;
	char want[64], got[64];
	unsigned long long x = 0x9e3779b97f4a7c15ULL, u;
	double v = 0;
	size_t i;
	int bad = 0;

	run_init(&r);
	r.variant = "py/x";
	for (i = 0; i < 2 * sizeof(edge_doubles) / sizeof(edge_doubles[0]);
	     i++) {
		v = edge_doubles[i / 2] * (i % 2 ? -1 : 1);
		ref_double(v, want, sizeof(want));
		ck_assert_str_eq(wall_text(&b, &r, v, got, sizeof(got)), want);
	}
	for (i = 0; i < 50000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		u = x;
		switch (i % 5) {
		case 0:
			memcpy(&v, &u, sizeof(v));
			break;
		case 1:
			v = (double)(u >> 11) / 9007199254740992.0 * 100.0;
			break;
		case 2:
			v = ldexp((double)(u >> 11), (int)(u % 200) - 150);
			break;
		case 3:
			v = (double)(long)(u % 100000000) /
			    pow(10, (double)(u >> 59));
			break;
		default:
			v = (double)(u % 100000) / 1000.0;
			break;
		}
		if (!isfinite(v))
			continue;
		ref_double(v, want, sizeof(want));
		wall_text(&b, &r, v, got, sizeof(got));
		if (strcmp(got, want) != 0 && bad++ < 10)
			fprintf(stderr, "%a: wrote %s, want %s\n", v, got,
			    want);
	}
	ck_assert_int_eq(bad, 0);
	ab_buf_free(&b);
}
END_TEST

/* The buffer grows, stays NUL-terminated, and reset keeps its memory. */

static Suite *
run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("json");
	TCase *tr = tcase_create("random");

	tcase_add_loop_test(tc, test_round_trip, 0, NRUNS);
	tcase_add_test(tc, test_unknown_is_null);
	tcase_add_test(tc, test_printed_members);
	tcase_add_test(tc, test_started_at);
	tcase_add_loop_test(tc, test_malformed, 0,
	    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, test_newer_schema);
	tcase_add_test(tc, test_lenient_reading);
	tcase_add_loop_test(tc, test_write_json, 0, NTEXT_RUNS);
	suite_add_tcase(s, tc);

	/*
	 * Tens of thousands of random values each, checked against libc:
	 * about 0.3 s each in a plain build and under 2 s under ASan+UBSan
	 * with the load at 8 on two cores. 10 s (30 s with the sanitizer
	 * build's CK_TIMEOUT_MULTIPLIER) keeps them clear of a busy machine;
	 * the fuzz targets add the volume.
	 */
	tcase_set_timeout(tr, 10);
	tcase_add_test(tr, test_random_doubles);
	tcase_add_test(tr, test_started_at_calendar);
	tcase_add_test(tr, test_double_text);
	suite_add_tcase(s, tr);
	return s;
}

AB_CHECK_MAIN(run_suite)
