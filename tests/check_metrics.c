/* SPDX-License-Identifier: MIT */
/*
 * The /metrics writer, from summary documents written out below (one with
 * the per-variant "comparison" object, and one built by render_summary
 * from a store) and daemon data filled by hand: exact sample lines, the gate
 * that keeps every statistic of a comparison with fewer than six pairs out,
 * label escaping of hostile names, the readiness rule, and `promtool check
 * metrics` on every document.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check_main.h"
#include "jsonr.h"
#include "metrics.h"
#include "render.h"

/* A summary with the comparison object: jemalloc decided on 12 pairs,
 * tcmalloc collecting on 4, mimalloc on 5 pairs although its (bad) input
 * claims a verdict and numbers, and a second interpreter's baseline. */
static const char new_summary[] =
    "{\"schema\":2,\"baseline\":\"glibc\",\"variants\":["
    "{\"id\":\"python3/glibc\",\"interpreter\":\"python3\","
    "\"allocator\":\"glibc\",\"library\":null,\"available\":true,"
    "\"runs\":{\"ok\":14,\"unverified\":0,\"failed\":1,\"timeout\":0,"
    "\"flagged\":2},"
    "\"wall_s\":{\"n\":12,\"median\":2.5,\"ci95\":[2.25,2.75]},"
    "\"maxrss_kb\":{\"n\":12,\"median\":1000},"
    "\"python_version\":\"3.11.2\","
    "\"last_run_at\":\"2025-12-03T10:00:00.250Z\",\"comparison\":null},"
    "{\"id\":\"python3/jemalloc\",\"interpreter\":\"python3\","
    "\"allocator\":\"jemalloc\","
    "\"library\":\"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\","
    "\"available\":true,"
    "\"runs\":{\"ok\":12,\"unverified\":1,\"failed\":0,\"timeout\":0,"
    "\"flagged\":0},"
    "\"wall_s\":{\"n\":12,\"median\":2.0,\"ci95\":null},"
    "\"python_version\":\"3.11.2\",\"segment\":\"0123456789abcdef\","
    "\"comparison\":{\"baseline\":\"python3/glibc\",\"pairs\":12,"
    "\"min_pairs\":6,\"verdict\":\"faster\",\"speedup\":1.2345678901234567,"
    "\"ci\":[1.1,1.4],\"ci_level\":0.9895,\"p_value\":0.0009765625,\"p_adjusted\":0.0029296875,"
    "\"significant\":true,\"detectable\":0.031,\"margin\":0.02,"
    "\"segment\":\"0123456789abcdef\"}},"
    "{\"id\":\"python3/tcmalloc\",\"interpreter\":\"python3\","
    "\"allocator\":\"tcmalloc\",\"available\":true,"
    "\"runs\":{\"ok\":4,\"unverified\":0,\"failed\":0,\"timeout\":0,"
    "\"flagged\":0},"
    "\"wall_s\":{\"n\":4,\"median\":2.1},\"python_version\":\"3.11.2\","
    "\"comparison\":{\"baseline\":\"python3/glibc\",\"pairs\":4,"
    "\"min_pairs\":6,\"verdict\":\"collecting\",\"speedup\":null,"
    "\"ci\":null,\"ci_level\":null,\"p_value\":null,\"p_adjusted\":null,"
    "\"significant\":false,\"detectable\":null,\"margin\":0.02,"
    "\"segment\":\"0123456789abcdef\"}},"
    "{\"id\":\"python3/mimalloc\",\"interpreter\":\"python3\","
    "\"allocator\":\"mimalloc\",\"available\":true,"
    "\"runs\":{\"ok\":5},\"wall_s\":{\"n\":5,\"median\":1.9},"
    "\"comparison\":{\"baseline\":\"python3/glibc\",\"pairs\":5,"
    "\"min_pairs\":6,\"verdict\":\"faster\",\"speedup\":1.5,"
    "\"ci\":[1.2,1.8],\"ci_level\":0.99,\"p_value\":0.01,\"p_adjusted\":0.02,"
    "\"significant\":true,\"detectable\":0.05,\"margin\":0.02,"
    "\"segment\":\"0123456789abcdef\"}},"
    "{\"id\":\"py312/glibc\",\"interpreter\":\"py312\","
    "\"allocator\":\"glibc\",\"available\":false,"
    "\"runs\":{\"ok\":0,\"unverified\":0,\"failed\":0,\"timeout\":0,"
    "\"flagged\":0},\"wall_s\":null,\"python_version\":\"3.12.1\","
    "\"comparison\":null}]}";

static struct metrics_daemon dmn;
static const struct metrics_variant idents[] = {
    {"python3", "jemalloc", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
        "build-id:a1b2c3", "2.36"},
    {"python3", "glibc", NULL, NULL, "2.36"},
};

static void
setup(void)
{
	memset(&dmn, 0, sizeof(dmn));
	dmn.version = "1.2.3";
	snprintf(dmn.host.hostname, sizeof(dmn.host.hostname), "pi-07");
	snprintf(dmn.host.machine, sizeof(dmn.host.machine), "aarch64");
	snprintf(dmn.host.kernel, sizeof(dmn.host.kernel), "6.1.0-rpi7");
	snprintf(dmn.host.cpu_model, sizeof(dmn.host.cpu_model),
	    "Raspberry Pi 4 Model B Rev 1.4");
	dmn.host.cpus = 4;
	dmn.reading.temp_c = 61.5;
	dmn.reading.freq_khz = 1500000;
	dmn.reading.load1 = NAN;
	dmn.reading.throttled = 0x50005;
	dmn.runs_started = 41;
	dmn.runs_finished[RUN_OK] = 36;
	dmn.runs_finished[RUN_TIMEOUT] = 1;
	dmn.runs_flagged[METRICS_REASON_THROTTLED] = 3;
	dmn.runs_flagged[METRICS_REASON_UNDER_VOLTAGE] = 2;
	dmn.rounds_completed = 9;
	dmn.interval_s = 600;
	dmn.last_round_ms = 1764756000500;
	dmn.next_round_ms = 1764756600000;
	dmn.ready = 1;
	dmn.has_store = 1;
	dmn.persist_ok = 1;
	dmn.history_runs = 40;
	dmn.variants = idents;
	dmn.nvariants = 2;
}

/* Renders text (NULL: no summary) with dmn; the caller frees it. */
static char *
render(const char *json)
{
	cJSON *doc = NULL;
	size_t len = 0;
	char *out;

	if (json != NULL) {
		doc = cJSON_Parse(json);
		ck_assert_ptr_nonnull(doc);
	}
	out = metrics_render(doc, &dmn, &len);
	cJSON_Delete(doc);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

/* Whether text holds line as one whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p++;
	}
	return 0;
}

/* Whether some line of text starts with prefix. */
static int
has_prefix(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = text;

	for (;;) {
		if (strncmp(p, prefix, n) == 0)
			return 1;
		if ((p = strchr(p, '\n')) == NULL)
			return 0;
		p++;
	}
}

/* Fails the test; the whole document goes to stderr, as Check's messages
 * are short. */
static void
fail_doc(const char *text, const char *what, const char *line)
{
	fprintf(stderr, "%s\n", text);
	ck_abort_msg("%s: %.200s", what, line);
}

#define LINE(text, l)                                                          \
	do {                                                                   \
		if (!has_line(text, l))                                        \
			fail_doc(text, "no line", l);                          \
	} while (0)
#define NOLINE(text, p)                                                        \
	do {                                                                   \
		if (has_prefix(text, p))                                       \
			fail_doc(text, "unexpected", p);                       \
	} while (0)

/*
 * Runs `promtool check metrics` on text; fails the test unless it exits 0
 * and prints nothing (lint findings exit 3 with a message).
 */
static void
promtool_ok(const char *text)
{
	char dir[sizeof(AB_TEST_TMPDIR)], path[64], cmd[160], out[4096];
	size_t n;
	FILE *p;
	int st;

	ab_test_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/metrics.txt", dir);
	ab_test_write_file(path, text);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ab_test_rm_tree(dir);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || n != 0)
		fail_doc(text, "promtool check metrics", out);
}

/*
 * The format's grouping rule, checked line by line: each family has one
 * # HELP and one # TYPE, before its samples, and all its samples are
 * contiguous; a sample's name is its family's (no suffixes are used).
 */
static void
check_grouping(const char *text)
{
	char fam[160] = "", seen[8192] = " ", name[128], *copy, *line,
	     *save = NULL;
	size_t n;

	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			n = strcspn(line + 7, " ");
			snprintf(name, sizeof(name), "%.*s", (int)n, line + 7);
			snprintf(fam, sizeof(fam), " %s ", name);
			ck_assert_msg(strstr(seen, fam) == NULL,
			    "family %s twice", name);
			ck_assert_uint_lt(strlen(seen) + strlen(fam),
			    sizeof(seen));
			memcpy(seen + strlen(seen), fam + 1, strlen(fam));
			snprintf(fam, sizeof(fam), "%s", name);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert_msg(strncmp(line + 7, fam, strlen(fam)) == 0,
			    "TYPE without HELP: %s", line);
			continue;
		}
		n = strcspn(line, "{ ");
		ck_assert_msg(strlen(fam) == n && strncmp(line, fam, n) == 0,
		    "sample %s outside its family %s", line, fam);
	}
	free(copy);
}

START_TEST(t_new_schema)
{
	char *m = render(new_summary);

	/* a decided comparison: every statistic, bit for bit */
	LINE(m,
	    "allocbench_comparison_pairs{interpreter=\"python3\","
	    "allocator=\"jemalloc\"} 12");
	LINE(m,
	    "allocbench_speedup_ratio{interpreter=\"python3\","
	    "allocator=\"jemalloc\"} 1.2345678901234567");
	LINE(m,
	    "allocbench_speedup_interval_ratio{interpreter=\"python3\","
	    "allocator=\"jemalloc\",bound=\"lower\"} 1.1");
	LINE(m,
	    "allocbench_speedup_interval_ratio{interpreter=\"python3\","
	    "allocator=\"jemalloc\",bound=\"upper\"} 1.4");
	LINE(m,
	    "allocbench_speedup_interval_level{interpreter=\"python3\","
	    "allocator=\"jemalloc\"} 0.9895");
	NOLINE(m, "allocbench_speedup_ci95");
	LINE(m,
	    "allocbench_speedup_p_value{interpreter=\"python3\","
	    "allocator=\"jemalloc\"} 0.0009765625");
	LINE(m,
	    "allocbench_speedup_p_value_adjusted{interpreter=\"python3\","
	    "allocator=\"jemalloc\"} 0.0029296875");
	LINE(m,
	    "allocbench_speedup_significant{interpreter=\"python3\","
	    "allocator=\"jemalloc\"} 1");
	LINE(m,
	    "allocbench_comparison_detectable_ratio{interpreter="
	    "\"python3\",allocator=\"jemalloc\"} 0.031");
	LINE(m,
	    "allocbench_comparison_margin_ratio{interpreter=\"python3\","
	    "allocator=\"jemalloc\"} 0.02");
	LINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"jemalloc\",verdict=\"faster\"} 1");
	LINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"jemalloc\",verdict=\"slower\"} 0");
	LINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"jemalloc\",verdict=\"collecting\"} 0");

	/* collecting: the pair count and the verdict, nothing else */
	LINE(m,
	    "allocbench_comparison_pairs{interpreter=\"python3\","
	    "allocator=\"tcmalloc\"} 4");
	LINE(m,
	    "allocbench_comparison_min_pairs{interpreter=\"python3\","
	    "allocator=\"tcmalloc\"} 6");
	LINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"tcmalloc\",verdict=\"collecting\"} 1");
	LINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"tcmalloc\",verdict=\"faster\"} 0");
	/* 5 pairs with numbers in the input: still nothing but the count */
	LINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"mimalloc\",verdict=\"collecting\"} 1");
	LINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"mimalloc\",verdict=\"faster\"} 0");
	{
		static const char *const gated[] = {"allocbench_speedup_ratio",
		    "allocbench_speedup_interval_ratio",
		    "allocbench_speedup_interval_level",
		    "allocbench_speedup_p_value",
		    "allocbench_speedup_p_value_adjusted",
		    "allocbench_speedup_significant",
		    "allocbench_comparison_detectable_ratio"};
		char p[160];
		size_t i;

		for (i = 0; i < sizeof(gated) / sizeof(gated[0]); i++) {
			snprintf(p, sizeof(p),
			    "%s{interpreter=\"python3\",allocator=\"tcmalloc\"",
			    gated[i]);
			NOLINE(m, p);
			snprintf(p, sizeof(p),
			    "%s{interpreter=\"python3\",allocator=\"mimalloc\"",
			    gated[i]);
			NOLINE(m, p);
			snprintf(p, sizeof(p),
			    "%s{interpreter=\"python3\",allocator=\"glibc\"",
			    gated[i]);
			NOLINE(m, p);
		}
	}
	/* the baseline has no comparison at all */
	NOLINE(m,
	    "allocbench_comparison_pairs{interpreter=\"python3\","
	    "allocator=\"glibc\"");
	NOLINE(m,
	    "allocbench_verdict{interpreter=\"python3\","
	    "allocator=\"glibc\"");

	/* identity: host and variants */
	LINE(m,
	    "allocbench_host_info{hostname=\"pi-07\",model=\"Raspberry "
	    "Pi 4 Model B Rev 1.4\",machine=\"aarch64\",kernel=\"6.1.0-"
	    "rpi7\",python=\"3.11.2,3.12.1\"} 1");
	LINE(m, "allocbench_host_cpus 4");
	LINE(m,
	    "allocbench_variant_info{interpreter=\"python3\",allocator="
	    "\"jemalloc\",library=\"/usr/lib/x86_64-linux-gnu/libjemalloc."
	    "so.2\",library_id=\"build-id:a1b2c3\",libc=\"2.36\","
	    "python_version=\"3.11.2\",baseline=\"python3/glibc\","
	    "segment=\"0123456789abcdef\"} 1");
	LINE(m,
	    "allocbench_variant_info{interpreter=\"python3\",allocator="
	    "\"glibc\",library=\"\",library_id=\"\",libc=\"2.36\","
	    "python_version=\"3.11.2\",baseline=\"\",segment=\"\"} 1");
	LINE(m, "allocbench_build_info{version=\"1.2.3\"} 1");

	/* per-variant descriptive numbers and history gauges */
	LINE(m,
	    "allocbench_wall_seconds{interpreter=\"python3\","
	    "allocator=\"glibc\"} 2.5");
	LINE(m,
	    "allocbench_wall_ci95_seconds{interpreter=\"python3\","
	    "allocator=\"glibc\",bound=\"upper\"} 2.75");
	NOLINE(m,
	    "allocbench_wall_ci95_seconds{interpreter=\"python3\","
	    "allocator=\"jemalloc\"");
	LINE(m,
	    "allocbench_peak_rss_bytes{interpreter=\"python3\","
	    "allocator=\"glibc\"} 1024000");
	LINE(m,
	    "allocbench_last_run_timestamp_seconds{interpreter="
	    "\"python3\",allocator=\"glibc\"} 1764756000.25");
	LINE(m,
	    "allocbench_variant_history_runs{interpreter=\"python3\","
	    "allocator=\"glibc\",status=\"failed\"} 1");
	LINE(m,
	    "allocbench_variant_history_flagged_runs{interpreter="
	    "\"python3\",allocator=\"glibc\"} 2");
	LINE(m,
	    "allocbench_variant_available{interpreter=\"py312\","
	    "allocator=\"glibc\"} 0");
	/* the history counts are gauges now; the counter name means a true
	 * counter by reason */
	NOLINE(m, "allocbench_runs_total");
	LINE(m, "# TYPE allocbench_variant_history_runs gauge");

	check_grouping(m);
	promtool_ok(m);
	free(m);
}
END_TEST

/* Ten paired rounds through render_summary: the writer takes the document
 * the daemon publishes, and every statistic equals the summary's bit for
 * bit. */
START_TEST(t_render_summary)
{
	static const double walls[2][10] = {{2.5, 2.0, 2.9, 2.3, 2.1, 2.8, 2.4,
	                                        2.6, 2.2, 2.7},
	    {1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9}};
	static const struct {
		const char *family;
		const char *key;
		int bound; /* -1: a number, else the element of a pair */
	} stat[] = {
	    {"allocbench_speedup_ratio{", "speedup", -1},
	    {"allocbench_speedup_interval_ratio{", "ci", 0},
	    {"allocbench_speedup_interval_ratio{", "ci", 1},
	    {"allocbench_speedup_interval_level{", "ci_level", -1},
	    {"allocbench_speedup_p_value{", "p_value", -1},
	    {"allocbench_speedup_p_value_adjusted{", "p_adjusted", -1},
	    {"allocbench_comparison_detectable_ratio{", "detectable", -1},
	};
	char tmpdir[sizeof(AB_TEST_TMPDIR)], lib[64], err[128], want[256];
	const char *dirs[2] = {tmpdir, NULL};
	struct render_opts o = {0, 1000, 0, 0.02, 0};
	const cJSON *jv, *cmp;
	struct catalog cat;
	struct store st;
	struct run r;
	cJSON *doc;
	size_t len, i;
	char *m;
	int k;

	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
	snprintf(lib, sizeof(lib), "%s/libjemalloc.so.2", tmpdir);
	ab_test_write_file(lib, "");
	catalog_init(&cat);
	ck_assert_int_eq(catalog_add_interpreter(&cat, "py=/bin/sh", err,
	                     sizeof(err)),
	    0);
	catalog_resolve(&cat, dirs, NULL);
	store_init(&st);
	for (i = 0; i < 10; i++)
		for (k = 0; k < 2; k++) {
			run_init(&r);
			r.variant =
			    (char *)(k == 0 ? "py/glibc" : "py/jemalloc");
			r.status = RUN_OK;
			r.wall_s = walls[k][i];
			r.user_s =
			    walls[k][i] * 0.9; /* the verdicts judge CPU */
			r.sys_s = walls[k][i] * 0.05;
			r.maxrss_kb = 1000;
			r.iterations = 1000;
			r.round = (int64_t)i;
			r.position = k;
			r.started_ms = 1764756000000 + (int64_t)i * 1000 + k;
			store_append(&st, &r);
		}
	doc = render_summary(&cat, &st, &dmn.host, &o, 1764756100000);
	m = metrics_render(doc, &dmn, &len);
	jv = ab_test_variant(doc, "py/jemalloc");
	cmp = cJSON_GetObjectItem(jv, "comparison");
	ck_assert_msg(cJSON_IsObject(cmp), "no comparison in the summary");
	ck_assert(jsonr_num(cmp, "pairs") == 10);
	for (i = 0; i < sizeof(stat) / sizeof(stat[0]); i++) {
		double x = stat[i].bound < 0
		    ? jsonr_num(cmp, stat[i].key)
		    : jsonr_pair(cmp, stat[i].key, stat[i].bound);
		const char *p = m, *q;

		ck_assert_msg(isfinite(x), "%s", stat[i].key);
		snprintf(want, sizeof(want),
		    "%sinterpreter=\"py\",allocator=\"jemalloc\"%s",
		    stat[i].family,
		    stat[i].bound < 0        ? "} "
		        : stat[i].bound == 0 ? ",bound=\"lower\"} "
		                             : ",bound=\"upper\"} ");
		while ((q = strstr(p, want)) != NULL && q != m && q[-1] != '\n')
			p = q + 1;
		ck_assert_msg(q != NULL, "%s missing in\n%s", want, m);
		ck_assert_msg(strtod(q + strlen(want), NULL) == x, "%s", want);
	}
	ck_assert(jsonr_num(cmp, "speedup") > 1.5);
	LINE(m,
	    "allocbench_wall_seconds{interpreter=\"py\",allocator="
	    "\"glibc\"} 2.45");
	LINE(m,
	    "allocbench_variant_history_runs{interpreter=\"py\","
	    "allocator=\"jemalloc\",status=\"ok\"} 10");
	LINE(m,
	    "allocbench_speedup_significant{interpreter=\"py\","
	    "allocator=\"jemalloc\"} 1");
	LINE(m,
	    "allocbench_verdict{interpreter=\"py\","
	    "allocator=\"jemalloc\",verdict=\"faster\"} 1");
	check_grouping(m);
	promtool_ok(m);
	free(m);
	cJSON_Delete(doc);
	store_free(&st);
	catalog_free(&cat);
	ab_test_rm_tree(tmpdir);
}
END_TEST

/* Names from the user's configuration and the host, made hostile: each
 * must come out escaped, and the document must still parse. */
static const struct {
	const char *raw;
	const char *escaped;
} hostile[] = {
    {"py\"3", "py\\\"3"},
    {"a\\b", "a\\\\b"},
    {"two\nlines", "two\\nlines"},
    {"\\\"\n", "\\\\\\\"\\n"},
    {"bad\xff\xfeutf8", "bad\xef\xbf\xbd\xef\xbf\xbdutf8"},
    {"over\xc0\xaflong", "over\xef\xbf\xbd\xef\xbf\xbdlong"},
    {"caf\xc3\xa9 \xf0\x9f\x90\x8d", "caf\xc3\xa9 \xf0\x9f\x90\x8d"},
    {"} 1\nallocbench_ready 0", "} 1\\nallocbench_ready 0"},
    {"", ""},
};

START_TEST(t_hostile_names)
{
	const char *raw = hostile[_i].raw, *esc = hostile[_i].escaped;
	struct metrics_variant id = {raw, raw, raw, raw, raw};
	cJSON *doc = cJSON_CreateObject(), *vars, *v, *cmp;
	char want[512];
	size_t len;
	char *m;

	vars = cJSON_AddArrayToObject(doc, "variants");
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "id", "x");
	cJSON_AddStringToObject(v, "interpreter", raw);
	cJSON_AddStringToObject(v, "allocator", raw);
	cJSON_AddBoolToObject(v, "available", 1);
	cJSON_AddStringToObject(v, "python_version", raw);
	cmp = cJSON_AddObjectToObject(v, "comparison");
	cJSON_AddStringToObject(cmp, "baseline", raw);
	cJSON_AddNumberToObject(cmp, "pairs", 7);
	cJSON_AddStringToObject(cmp, "verdict", "slower");
	cJSON_AddNumberToObject(cmp, "speedup", 0.9);
	cJSON_AddStringToObject(cmp, "segment", raw);
	cJSON_AddItemToArray(vars, v);
	snprintf(dmn.host.cpu_model, sizeof(dmn.host.cpu_model), "%s", raw);
	snprintf(dmn.host.kernel, sizeof(dmn.host.kernel), "%s", raw);
	dmn.variants = &id;
	dmn.nvariants = 1;
	m = metrics_render(doc, &dmn, &len);
	cJSON_Delete(doc);

	snprintf(want, sizeof(want),
	    "allocbench_speedup_ratio{interpreter=\"%s\",allocator=\"%s\"} 0.9",
	    esc, esc);
	LINE(m, want);
	snprintf(want, sizeof(want),
	    "allocbench_verdict{interpreter=\"%s\",allocator=\"%s\","
	    "verdict=\"slower\"} 1",
	    esc, esc);
	LINE(m, want);
	snprintf(want, sizeof(want),
	    "allocbench_host_info{hostname=\"pi-07\",model=\"%s\","
	    "machine=\"aarch64\",kernel=\"%s\",python=\"%s\"} 1",
	    esc, esc, esc);
	LINE(m, want);
	/* the injected sample never becomes a line of its own */
	ck_assert(!has_line(m, "allocbench_ready 0"));
	LINE(m, "allocbench_ready 1");
	check_grouping(m);
	promtool_ok(m);
	free(m);
}
END_TEST

START_TEST(t_daemon_families)
{
	char *m = render(NULL);

	LINE(m, "allocbench_runs_started_total 41");
	LINE(m, "allocbench_runs_finished_total{status=\"ok\"} 36");
	LINE(m, "allocbench_runs_finished_total{status=\"unverified\"} 0");
	LINE(m, "allocbench_runs_finished_total{status=\"failed\"} 0");
	LINE(m, "allocbench_runs_finished_total{status=\"timeout\"} 1");
	LINE(m, "allocbench_runs_flagged_total{reason=\"throttled\"} 3");
	LINE(m, "allocbench_runs_flagged_total{reason=\"under_voltage\"} 2");
	LINE(m, "allocbench_runs_flagged_total{reason=\"contended\"} 0");
	LINE(m, "allocbench_runs_flagged_total{reason=\"loaded\"} 0");
	LINE(m, "# TYPE allocbench_runs_flagged_total counter");
	LINE(m, "allocbench_rounds_completed_total 9");
	LINE(m, "allocbench_round_interval_seconds 600");
	LINE(m, "allocbench_last_round_timestamp_seconds 1764756000.5");
	LINE(m, "allocbench_next_round_timestamp_seconds 1764756600");
	LINE(m, "allocbench_ready 1");
	LINE(m, "allocbench_persist_ok 1");
	LINE(m, "allocbench_history_runs 40");
	LINE(m, "allocbench_cpu_temperature_celsius 61.5");
	LINE(m, "allocbench_cpu_frequency_hertz 1500000000");
	NOLINE(m, "allocbench_load1");
	LINE(m,
	    "allocbench_throttled{condition=\"under_voltage\","
	    "when=\"now\"} 1");
	LINE(m, "allocbench_throttled{condition=\"throttled\",when=\"now\"} 1");
	LINE(m,
	    "allocbench_throttled{condition=\"freq_capped\",when=\"now\"} "
	    "0");
	LINE(m,
	    "allocbench_throttled{condition=\"under_voltage\","
	    "when=\"since_boot\"} 1");
	/* no summary: no per-variant family, python unknown */
	NOLINE(m, "allocbench_variant_");
	NOLINE(m, "allocbench_wall_seconds");
	check_grouping(m);
	promtool_ok(m);
	free(m);

	/* nothing planned, nothing completed, no store, no Pi */
	dmn.last_round_ms = dmn.next_round_ms = 0;
	dmn.interval_s = 0;
	dmn.has_store = 0;
	dmn.ready = 0;
	dmn.reading.throttled = -1;
	dmn.reading.temp_c = NAN;
	dmn.reading.freq_khz = -1;
	m = render(NULL);
	NOLINE(m, "allocbench_last_round_timestamp_seconds");
	NOLINE(m, "allocbench_next_round_timestamp_seconds");
	NOLINE(m, "allocbench_round_interval_seconds");
	NOLINE(m, "allocbench_persist_ok");
	NOLINE(m, "allocbench_throttled");
	NOLINE(m, "allocbench_cpu_");
	NOLINE(m, "# HELP allocbench_cpu_");
	LINE(m, "allocbench_ready 0");
	check_grouping(m);
	promtool_ok(m);
	free(m);

	/* prepared without readiness; the endpoint appends it */
	dmn.ready = -1;
	m = render(NULL);
	NOLINE(m, "allocbench_ready");
	NOLINE(m, "# HELP allocbench_ready");
	{
		char rt[AB_METRICS_READY_MAX], small[8], *all;
		size_t n = metrics_ready_text(1, rt, sizeof(rt)), k;

		ck_assert_uint_eq(n, strlen(rt));
		ck_assert_uint_lt(n, sizeof(rt));
		k = strlen(m);
		all = malloc(k + n + 1);
		memcpy(all, m, k);
		memcpy(all + k, rt, n + 1);
		LINE(all, "allocbench_ready 1");
		LINE(all, "# TYPE allocbench_ready gauge");
		check_grouping(all);
		promtool_ok(all);
		free(all);
		ck_assert_uint_eq(metrics_ready_text(0, small, sizeof(small)),
		    7);
		ck_assert_str_eq(small, "# HELP ");
		ck_assert_uint_eq(metrics_ready_text(0, small, 0), 0);
		n = metrics_ready_text(0, rt, sizeof(rt));
		ck_assert(strstr(rt, "\nallocbench_ready 0\n") != NULL);
	}
	free(m);
}
END_TEST

/* A summary that is not what it should be loses nothing else. */
START_TEST(t_bad_summary)
{
	static const char *const docs[] = {"{}", "{\"variants\":{}}",
	    "{\"variants\":[1,null,{\"id\":\"x\"}]}",
	    "{\"variants\":[{\"interpreter\":\"a\",\"allocator\":\"b\","
	    "\"comparison\":{\"pairs\":\"many\",\"verdict\":\"great\","
	    "\"speedup\":1.5}}]}",
	    "{\"variants\":[{\"interpreter\":\"a\",\"allocator\":\"b\","
	    "\"wall_s\":{\"median\":1,\"ci95\":[1]},"
	    "\"comparison\":{\"pairs\":9,\"verdict\":\"great\","
	    "\"speedup\":1.5,\"ci\":[1,\"x\"],\"ci_level\":0.99},"
	    "\"last_run_at\":\"2026-13-01T00:00:00Z\"}]}"};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char *m = render(docs[i]);

		LINE(m, "allocbench_runs_started_total 41");
		NOLINE(m, "allocbench_verdict");
		NOLINE(m, "allocbench_speedup_interval_ratio");
		NOLINE(m, "allocbench_speedup_interval_level");
		NOLINE(m, "allocbench_wall_ci95_seconds");
		NOLINE(m, "allocbench_last_run_timestamp_seconds");
		if (i == 3)
			NOLINE(m, "allocbench_speedup_ratio");
		if (i == 4)
			LINE(m,
			    "allocbench_speedup_ratio{interpreter=\"a\","
			    "allocator=\"b\"} 1.5");
		check_grouping(m);
		promtool_ok(m);
		free(m);
	}
}
END_TEST

/*
 * The whole document for the summary with comparisons equals
 * tests/fixtures/metrics/writer.prom byte for byte; the dashboard and rule
 * checks read the metric names from that file. AB_UPDATE_FIXTURES=1
 * rewrites it.
 */
START_TEST(t_fixture)
{
	char path[1024], *want = NULL, *m = render(new_summary);
	const char *upd = getenv("AB_UPDATE_FIXTURES");
	long n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/fixtures/metrics/writer.prom",
	    ab_test_srcdir());
	if (upd != NULL && strcmp(upd, "1") == 0)
		ab_test_write_file(path, m);
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	want = calloc((size_t)n + 1, 1);
	ck_assert_uint_eq(fread(want, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	if (strcmp(want, m) != 0)
		fail_doc(m, "differs from", path);
	free(want);
	free(m);
}
END_TEST

/* The readiness rule on a 600 s interval, now = 1,000,000 s. */
static const struct {
	int64_t next_ms;
	int running;
	int64_t run_started_ms;
	double hang_s;
	int want;
	const char *why;
} ready_cases[] = {
    {1000000000 + 60000, 0, 0, 300, 1, "ok"},  /* planned in the future */
    {1000000000 - 600000, 0, 0, 300, 1, "ok"}, /* one interval late */
    {1000000000 - 600001, 0, 0, 300, 0, "round overdue by 600 s (grace 600 s)"},
    {1000000000 - 900000, 0, 0, 300, 0, "round overdue by 900 s (grace 600 s)"},
    {0, 1, 1000000000 - 300000, 300, 1, "ok"}, /* run at its limit */
    {0, 1, 1000000000 - 300001, 300, 0,
        "run in progress for 300 s (limit 300 s)"},
    {0, 1, 1000000000 - 400000, 60, 0,
        "run in progress for 400 s (limit 60 s)"},
    {0, 1, 0, 300, 1, "ok"}, /* between two runs */
    {0, 0, 0, 300, 1, "ok"}, /* nothing planned (stopping) */
    {1000000000 - 10000000, 1, 1000000000 - 1000, 300, 1, "ok"}, /* running */
    {0, 1, 1000000000 - 400000, 0, 1, "ok"},                     /* no limit */
};

START_TEST(t_ready)
{
	struct metrics_schedule sc = {600, ready_cases[_i].next_ms,
	    ready_cases[_i].running, ready_cases[_i].run_started_ms,
	    ready_cases[_i].hang_s};
	char why[128];

	ck_assert_int_eq(metrics_ready(&sc, 1000000000, why, sizeof(why)),
	    ready_cases[_i].want);
	ck_assert_str_eq(why, ready_cases[_i].why);
	ck_assert_int_eq(metrics_ready(&sc, 1000000000, NULL, 0),
	    ready_cases[_i].want);
}
END_TEST

/* A short interval still gets a minute's grace. */
START_TEST(t_ready_short_interval)
{
	struct metrics_schedule sc = {2, 1000000000 - 59000, 0, 0, 300};

	ck_assert_int_eq(metrics_ready(&sc, 1000000000, NULL, 0), 1);
	sc.next_round_ms = 1000000000 - 61000;
	ck_assert_int_eq(metrics_ready(&sc, 1000000000, NULL, 0), 0);
	ck_assert_str_eq(metrics_reason_name(METRICS_REASON_CONTENDED),
	    "contended");
	ck_assert_str_eq(metrics_reason_name(METRICS_NREASONS), "unknown");
}
END_TEST

/* min(timeout, max(60 s, 10 x median)); an unknown median: the timeout. */
static const struct {
	double median_s;
	double timeout_s;
	double want;
} hang_cases[] = {
    {0.3, 600, 60},  /* fast variant: the floor */
    {12, 600, 120},  /* ten medians */
    {90, 600, 600},  /* the timeout caps it */
    {1, 30, 30},     /* a timeout below the floor */
    {NAN, 600, 600}, /* no clean run yet */
    {0, 600, 600},   /* nonsense median */
    {-1, 45, 45},
};

START_TEST(t_hang_limit)
{
	ck_assert_double_eq(metrics_hang_limit(hang_cases[_i].median_s,
	                        hang_cases[_i].timeout_s),
	    hang_cases[_i].want);
}
END_TEST

/* Each run flag counts under its own reason; a run with two counts twice. */
START_TEST(t_count_flags)
{
	uint64_t c[METRICS_NREASONS] = {0};

	metrics_count_flags(0, c);
	metrics_count_flags(RUN_FLAG_THROTTLED | RUN_FLAG_UNDER_VOLTAGE, c);
	metrics_count_flags(RUN_FLAG_CONTENDED, c);
	metrics_count_flags(RUN_FLAG_LOADED | RUN_FLAG_CONTENDED, c);
	ck_assert_uint_eq(c[METRICS_REASON_THROTTLED], 1);
	ck_assert_uint_eq(c[METRICS_REASON_UNDER_VOLTAGE], 1);
	ck_assert_uint_eq(c[METRICS_REASON_CONTENDED], 2);
	ck_assert_uint_eq(c[METRICS_REASON_LOADED], 1);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, t_new_schema);
	tcase_add_test(tc, t_render_summary);
	tcase_add_loop_test(tc, t_hostile_names, 0,
	    sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(tc, t_daemon_families);
	tcase_add_test(tc, t_bad_summary);
	tcase_add_test(tc, t_fixture);
	tcase_add_loop_test(tc, t_ready, 0,
	    sizeof(ready_cases) / sizeof(ready_cases[0]));
	tcase_add_test(tc, t_ready_short_interval);
	tcase_add_loop_test(tc, t_hang_limit, 0,
	    sizeof(hang_cases) / sizeof(hang_cases[0]));
	tcase_add_test(tc, t_count_flags);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(metrics_suite)
