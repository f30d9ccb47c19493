/* SPDX-License-Identifier: MIT */
/*
 * The store. In memory: appends copy, the ok-run window keeps the newest
 * runs of one variant and one iteration count, counts, last-run lookup and
 * the binary search by start time. On disk: the history survives a reopen
 * field for field; torn, corrupt and newer-schema lines are handled and
 * compacted away (or kept verbatim); retention and the size cap drop the
 * oldest runs; a failing disk (full, replaced, directory removed) keeps
 * the runs in memory and the backlog reaches the disk, in order, once it
 * works again. Failures are made in ways that also work as root: /dev/full
 * and paths whose parent is missing or a regular file.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "run_tree.h"
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
	struct store_filter f100 = {100, 0, NULL}, fany = {0, 0, NULL};
	struct store_filter fseg = {0, 0, "seg-b"};
	struct run r;
	struct store s;
	size_t n;

	store_init(&s);
	add(&s, "py/a", RUN_OK, 1.0, 100, NULL);
	add(&s, "py/b", RUN_OK, 9.0, 100, NULL);
	add(&s, "py/a", RUN_UNVERIFIED, 2.0, 100, "wrong malloc");
	add(&s, "py/a", RUN_OK, 3.0, 100, NULL);
	add(&s, "py/a", RUN_OK, 4.0, 200, NULL);
	add(&s, "py/a", RUN_OK, 5.0, 100, NULL);

	n = store_ok_runs(&s, "py/a", &f100, 0, &v);
	ck_assert_uint_eq(n, 3);
	ck_assert_double_eq(v[0]->wall_s, 1.0);
	ck_assert_double_eq(v[1]->wall_s, 3.0);
	ck_assert_double_eq(v[2]->wall_s, 5.0);
	free(v);

	n = store_ok_runs(&s, "py/a", &f100, 2, &v);
	ck_assert_uint_eq(n, 2);
	ck_assert_double_eq(v[0]->wall_s, 3.0);
	ck_assert_double_eq(v[1]->wall_s, 5.0);
	free(v);

	n = store_ok_runs(&s, "py/a", &fany, 0, &v);
	ck_assert_uint_eq(n, 4);
	free(v);

	n = store_ok_runs(&s, "py/none", &fany, 0, &v);
	ck_assert_uint_eq(n, 0);
	free(v);

	/* segments: only runs of the one asked for; the newest wins */
	ck_assert_ptr_null(store_segment(&s, "py/a"));
	n = store_ok_runs(&s, "py/a", &fseg, 0, &v);
	ck_assert_uint_eq(n, 0);
	free(v);
	run_init(&r);
	r.variant = "py/a";
	r.status = RUN_OK;
	r.wall_s = 6.0;
	r.round = 7;
	r.segment = "seg-b";
	store_append(&s, &r);
	r.segment = "seg-a";
	r.round = 3;
	r.status = RUN_FAILED;
	store_append(&s, &r);
	ck_assert_str_eq(store_segment(&s, "py/a"), "seg-b");
	n = store_ok_runs(&s, "py/a", &fseg, 0, &v);
	ck_assert_uint_eq(n, 1);
	ck_assert_double_eq(v[0]->wall_s, 6.0);
	free(v);
	ck_assert_int_eq(store_next_round(&s), 8);
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

START_TEST(test_since)
{
	static const int64_t starts[] = {10, 20, 20, 30, 50};
	static const struct {
		int64_t since;
		size_t want;
	} cases[] = {{0, 0}, {10, 0}, {11, 1}, {20, 1}, {21, 3}, {30, 3},
	    {31, 4}, {50, 4}, {51, 5}, {INT64_MAX, 5}};
	struct store s;
	struct run r;
	size_t i;

	store_init(&s);
	ck_assert_uint_eq(store_since(&s, 0), 0);
	run_init(&r);
	r.variant = "py/a";
	for (i = 0; i < 5; i++) {
		r.started_ms = starts[i];
		ck_assert_int_eq(store_append(&s, &r), 0);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(store_since(&s, cases[i].since) == cases[i].want,
		    "since %lld: %zu, want %zu", (long long)cases[i].since,
		    store_since(&s, cases[i].since), cases[i].want);
	store_free(&s);
}
END_TEST

/* A memory-only store applies the retention and has no size to cap. */
START_TEST(test_memory_compact)
{
	struct store s;
	struct run r;
	int i;

	store_init(&s);
	s.retention_ms = 100;
	s.max_bytes = 1;
	run_init(&r);
	r.variant = "py/a";
	for (i = 0; i < 10; i++) {
		r.started_ms = i * 50;
		store_append(&s, &r);
	}
	ck_assert_int_eq(store_compact(&s, 500), 0);
	ck_assert_uint_eq(s.nruns, 2); /* 400 and 450 are not too old */
	ck_assert_int_eq(s.runs[0].started_ms, 400);
	ck_assert_int_eq(s.persist_ok, 1);
	store_free(&s);
}
END_TEST

/* ---- on disk ---- */

#define DAY_MS 86400000LL
#define NOW_MS 1764081296123LL

static char tmp[64];
static char dir[256];  /* tmp/state */
static char hist[320]; /* dir/history.jsonl */
static char warnings[32][256];
static int nwarnings;

static void
collect_warning(const char *msg)
{
	if (nwarnings < 32)
		snprintf(warnings[nwarnings], sizeof(warnings[0]), "%s", msg);
	nwarnings++;
}

static void
disk_setup(void)
{
	ab_test_mkdtemp(tmp, sizeof(tmp));
	snprintf(dir, sizeof(dir), "%s/state", tmp);
	snprintf(hist, sizeof(hist), "%s/%s", dir, AB_HISTORY_FILE);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	nwarnings = 0;
}

static void
disk_teardown(void)
{
	ab_test_rm_tree(tmp);
}

/* The whole file, NUL-terminated; caller frees. NULL if missing. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static size_t
count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static const char *const variants[] = {"python3.11/glibc",
    "python3.11/jemalloc", "python3.11/mimalloc", "python3.13/glibc"};

/* Run i of a realistic sequence, one per minute ending at `end`. */
static void
mkrun(int i, int64_t end, struct run *r)
{
	int p;

	run_init(r);
	r->variant = (char *)variants[i % 4];
	r->started_ms = end - (int64_t)(1000 - i) * 60000;
	r->status = i % 7 == 3 ? RUN_FAILED : RUN_OK;
	r->exit_code = r->status == RUN_OK ? 0 : 1;
	r->iterations = 200000;
	r->wall_s = 2.0 + i / 7.0;
	r->user_s = r->wall_s * 0.93;
	r->sys_s = i % 5 == 0 ? NAN : r->wall_s / 30.0;
	r->maxrss_kb = 100000 + i;
	r->minflt = 25000 + 3 * i;
	r->majflt = 0;
	r->nvcsw = i;
	r->nivcsw = 2 * i;
	for (p = 0; p < PHASE_N; p++)
		r->phase_s[p] = r->wall_s / (p + 2);
	r->vmhwm_kb = 99000 + i;
	r->malloc_provider =
	    (char *)(i % 4 == 1 ? "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
	                        : "/lib/x86_64-linux-gnu/libc.so.6");
	r->python_version = (char *)(i % 4 == 3 ? "3.13.1" : "3.11.2");
	r->error =
	    (char *)(r->status == RUN_OK ? NULL : "Traceback:\n  \"churn.py\"");
	r->before.temp_c = 45.0 + i / 3.0;
	r->before.load1 = 0.25;
	r->after.freq_khz = 1800000;
	r->flags = i % 11 == 5 ? RUN_FLAG_LOADED : 0;
}

/* The history line of a run; caller frees with cJSON_free. */
static char *
line_of(const struct run *r)
{
	cJSON *doc = run_to_json(r);
	char *txt = cJSON_PrintUnformatted(doc);

	cJSON_Delete(doc);
	return txt;
}

/* Asserts that s holds exactly runs `first`..`last` of mkrun's sequence. */
static void
assert_runs(const struct store *s, int first, int last, int64_t end)
{
	struct run want;
	char *a, *b;
	int i;

	ck_assert_uint_eq(s->nruns, (size_t)(last - first + 1));
	for (i = first; i <= last; i++) {
		mkrun(i, end, &want);
		a = line_of(&want);
		b = line_of(&s->runs[i - first]);
		ck_assert_str_eq(b, a);
		cJSON_free(a);
		cJSON_free(b);
	}
}

/* Asserts that the history file holds exactly runs first..last. */
static void
assert_file(int first, int last, int64_t end)
{
	char *text = slurp(hist), *want, *line;
	size_t off = 0;
	struct run r;
	int i;

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(count_lines(text), (size_t)(last - first + 1));
	for (i = first; i <= last; i++) {
		mkrun(i, end, &r);
		want = line_of(&r);
		line = text + off;
		ck_assert_msg(strncmp(line, want, strlen(want)) == 0 &&
		        line[strlen(want)] == '\n',
		    "line %d: %.80s", i - first + 1, line);
		off += strlen(want) + 1;
		cJSON_free(want);
	}
	free(text);
}

static void
append_runs(struct store *s, int first, int last, int want_rc)
{
	struct run r;
	int i;

	for (i = first; i <= last; i++) {
		mkrun(i, NOW_MS, &r);
		ck_assert_int_eq(store_append(s, &r), want_rc);
	}
}

static int
open_store(struct store *s, int64_t retention, size_t max, char *err,
    size_t errlen)
{
	store_init(s);
	return store_open(s, dir, NOW_MS, retention, max, collect_warning, err,
	    errlen);
}

static off_t
size_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(test_open_creates)
{
	struct store s;
	char err[256] = "";

	rmdir(dir); /* a missing directory (one level) is created too */
	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(size_of(hist), 0);
	ck_assert_int_eq(s.persist_ok, 1);
	ck_assert_uint_eq(s.nruns + s.loaded + s.skipped + s.newer, 0);
	ck_assert_int_ge(s.fd, 0);
	store_free(&s);
	ck_assert_int_eq(s.fd, -1);
	ck_assert_int_eq(nwarnings, 0);
}
END_TEST

START_TEST(test_append_reopen)
{
	struct store s;
	char err[256];

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 49, 0);
	ck_assert_uint_eq(s.persisted, 50);
	ck_assert_uint_eq(s.file_bytes, (size_t)size_of(hist));
	assert_file(0, 49, NOW_MS);
	store_free(&s);

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.loaded, 50);
	ck_assert_uint_eq(s.skipped, 0);
	ck_assert_uint_eq(s.persisted, 50);
	ck_assert_uint_eq(s.file_bytes, (size_t)size_of(hist));
	assert_runs(&s, 0, 49, NOW_MS);
	/* repeated strings are shared, errors are not */
	ck_assert_ptr_eq(s.runs[0].variant, s.runs[4].variant);
	ck_assert_ptr_eq(s.runs[1].malloc_provider, s.runs[5].malloc_provider);
	ck_assert_ptr_eq(s.runs[0].python_version, s.runs[1].python_version);
	ck_assert_ptr_ne(s.runs[3].error, s.runs[10].error);
	ck_assert_str_eq(s.runs[3].error, s.runs[10].error);
	/* and the lookups work on loaded runs */
	ck_assert_ptr_eq(store_last(&s, variants[1], 0), &s.runs[49]);
	ck_assert_ptr_eq(store_last(&s, variants[3], 1), &s.runs[31]);
	append_runs(&s, 50, 51, 0);
	store_free(&s);
	assert_file(0, 51, NOW_MS);
	ck_assert_int_eq(nwarnings, 0);
}
END_TEST

/* Writes runs first..last to the history by hand. */
static void
write_history(int first, int last, int64_t end)
{
	struct run r;
	char *line;
	FILE *fp = fopen(hist, "w");
	int i;

	ck_assert_ptr_nonnull(fp);
	for (i = first; i <= last; i++) {
		mkrun(i, end, &r);
		line = line_of(&r);
		fprintf(fp, "%s\n", line);
		cJSON_free(line);
	}
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_torn_last_line)
{
	struct store s;
	struct run r;
	char err[256], *line, part[64];

	write_history(0, 2, NOW_MS);
	mkrun(3, NOW_MS, &r);
	line = line_of(&r);
	snprintf(part, sizeof(part), "%.40s", line); /* a write cut short */
	cJSON_free(line);
	ab_test_append_file(hist, part);

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.loaded, 3);
	ck_assert_uint_eq(s.skipped, 1);
	ck_assert_int_eq(nwarnings, 1);
	ck_assert_str_eq(warnings[0],
	    "history.jsonl:4: torn line (no newline at end)");
	assert_runs(&s, 0, 2, NOW_MS);
	assert_file(0, 2, NOW_MS); /* compacted: the torn part is gone */
	append_runs(&s, 3, 3, 0);
	store_free(&s);
	assert_file(0, 3, NOW_MS);
}
END_TEST

/* A complete last line without its newline is a run, not a torn line. */
START_TEST(test_last_line_without_newline)
{
	struct store s;
	struct run r;
	char err[256], *line;

	write_history(0, 1, NOW_MS);
	mkrun(2, NOW_MS, &r);
	line = line_of(&r);
	ab_test_append_file(hist, line);
	cJSON_free(line);

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.loaded, 3);
	ck_assert_uint_eq(s.skipped, 0);
	ck_assert_int_eq(nwarnings, 0);
	assert_file(0, 2, NOW_MS);
	append_runs(&s, 3, 3, 0);
	store_free(&s);
	assert_file(0, 3, NOW_MS);
}
END_TEST

START_TEST(test_corrupt_lines)
{
	static const char *const want[] = {"history.jsonl:2: not JSON",
	    "history.jsonl:4: missing variant",
	    "history.jsonl:5: status 'bogus' unknown",
	    "history.jsonl:7: wall_s is not a number",
	    "history.jsonl:8: not JSON"};
	struct store s;
	char err[256], *good, *text;
	struct run r;
	int i;

	write_history(0, 0, NOW_MS);
	ab_test_append_file(hist, "{\"v\":1,\"variant\":\n");
	mkrun(1, NOW_MS, &r);
	good = line_of(&r);
	ab_test_append_file(hist, good);
	cJSON_free(good);
	ab_test_append_file(hist,
	    "\n{\"v\":1,\"started_ms\":5,\"status\":\"ok\"}\n"
	    "{\"v\":1,\"variant\":\"a\",\"started_ms\":5,\"status\":\"bogus\"}\n"
	    "\n"
	    "{\"v\":1,\"variant\":\"a\",\"started_ms\":5,\"status\":\"ok\","
	    "\"wall_s\":\"2s\"}\n"
	    "{\"v\":1,\"variant\":\"a\",\"started_ms\":5,\"status\":\"ok\"}"
	    "{\"v\":1}\n"); /* two documents glued together */
	mkrun(2, NOW_MS, &r);
	good = line_of(&r);
	ab_test_append_file(hist, good);
	ab_test_append_file(hist, "\n");
	cJSON_free(good);

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.loaded, 3);
	ck_assert_uint_eq(s.skipped, 5);
	ck_assert_int_eq(nwarnings, 5);
	for (i = 0; i < 5; i++)
		ck_assert_str_eq(warnings[i], want[i]);
	assert_runs(&s, 0, 2, NOW_MS);
	assert_file(0, 2, NOW_MS);
	store_free(&s);

	/* compacted: the next load is clean */
	nwarnings = 0;
	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.skipped, 0);
	ck_assert_int_eq(nwarnings, 0);
	text = slurp(hist);
	ck_assert_ptr_null(strstr(text, "bogus"));
	free(text);
	store_free(&s);
}
END_TEST

START_TEST(test_warning_limit)
{
	struct store s;
	char err[256];
	int i;

	write_history(0, 0, NOW_MS);
	for (i = 0; i < 25; i++)
		ab_test_append_file(hist, "garbage\n");
	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.skipped, 25);
	ck_assert_int_eq(nwarnings, 21);
	ck_assert_str_eq(warnings[0], "history.jsonl:2: not JSON");
	ck_assert_str_eq(warnings[19], "history.jsonl:21: not JSON");
	ck_assert_str_eq(warnings[20], "history.jsonl: 5 more bad lines");
	store_free(&s);
	assert_file(0, 0, NOW_MS);
}
END_TEST

/* Joins three lines, each newline-terminated, into buf. */
static void
join_lines(char *buf, const char *a, const char *b, const char *c)
{
	size_t n = 0;
	const char *const parts[] = {a, b, c};
	int i;

	for (i = 0; i < 3; i++) {
		memcpy(buf + n, parts[i], strlen(parts[i]));
		n += strlen(parts[i]);
		buf[n++] = '\n';
	}
	buf[n] = '\0';
}

#define NEWER "{\"v\":3,\"variant\":{\"interp\":\"py\"},\"t\":[1,2]}"

START_TEST(test_newer_schema_kept)
{
	struct store s;
	char err[256], *text, *l0, *l1, *want;
	struct run r;

	write_history(0, 0, NOW_MS);
	ab_test_append_file(hist, NEWER "\n");
	ab_test_append_file(hist, "torn{\n"); /* forces a compaction */
	mkrun(1, NOW_MS, &r);
	l1 = line_of(&r);
	ab_test_append_file(hist, l1);
	ab_test_append_file(hist, "\n");

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.loaded, 2);
	ck_assert_uint_eq(s.newer, 1);
	ck_assert_uint_eq(s.skipped, 1);
	ck_assert_str_eq(s.newer_lines[0], NEWER);
	ck_assert_int_eq(nwarnings, 2);
	ck_assert_str_eq(warnings[0],
	    "history.jsonl:2: schema 3 is newer than "
	    "this allocbenchd (2); kept as is");
	ck_assert_uint_eq(s.nruns, 2);
	/* compacted in place: the newer line stays between its neighbours */
	mkrun(0, NOW_MS, &r);
	l0 = line_of(&r);
	want = malloc(strlen(l0) + strlen(l1) + sizeof(NEWER) + 3);
	join_lines(want, l0, NEWER, l1);
	text = slurp(hist);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);

	/* a compaction that drops the run before it keeps the line */
	ck_assert_int_eq(store_compact(&s, s.runs[1].started_ms + 1), 0);
	ck_assert_uint_eq(s.nruns, 2);
	s.retention_ms = 1;
	ck_assert_int_eq(store_compact(&s, s.runs[1].started_ms + 1), 0);
	ck_assert_uint_eq(s.nruns, 1);
	text = slurp(hist);
	ck_assert_uint_eq(count_lines(text), 2);
	ck_assert(strncmp(text, NEWER "\n", strlen(NEWER) + 1) == 0);
	free(text);
	store_free(&s);

	nwarnings = 0;
	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.newer, 1);
	ck_assert_uint_eq(s.loaded, 1);
	store_free(&s);
	cJSON_free(l0);
	cJSON_free(l1);
}
END_TEST

START_TEST(test_retention)
{
	struct store s;
	struct stat st;
	char err[256];
	ino_t ino;

	/* run i started 1000 - i minutes before NOW_MS; keep 4.5 minutes */
	write_history(990, 999, NOW_MS);
	ck_assert_int_eq(open_store(&s, 270000, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.loaded, 10);
	assert_runs(&s, 996, 999, NOW_MS);
	assert_file(996, 999, NOW_MS);

	/* later, store_compact drops two more */
	ck_assert_int_eq(store_compact(&s, NOW_MS + 2 * 60000), 0);
	assert_runs(&s, 998, 999, NOW_MS);
	assert_file(998, 999, NOW_MS);
	ck_assert_uint_eq(s.file_bytes, (size_t)size_of(hist));
	ck_assert_uint_eq(s.persisted, 2);
	store_free(&s);

	/* nothing dropped, nothing skipped: the file is not rewritten */
	ck_assert_int_eq(stat(hist, &st), 0);
	ino = st.st_ino;
	ck_assert_int_eq(open_store(&s, 365 * DAY_MS, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.nruns, 2);
	ck_assert_int_eq(stat(hist, &st), 0);
	ck_assert_uint_eq(st.st_ino, ino);
	store_free(&s);
}
END_TEST

/* Bytes that runs first..last take in the history. */
static size_t
bytes_of(int first, int last)
{
	struct run r;
	size_t n = 0;
	char *line;
	int i;

	for (i = first; i <= last; i++) {
		mkrun(i, NOW_MS, &r);
		line = line_of(&r);
		n += strlen(line) + 1;
		cJSON_free(line);
	}
	return n;
}

/* The smallest cap whose low-water mark (7/8 of it) is `low`. */
static size_t
cap_for(size_t low)
{
	size_t cap = low;

	while (cap - cap / 8 < low)
		cap++;
	return cap;
}

static ino_t
inode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_ino;
}

START_TEST(test_size_cap)
{
	struct store s;
	char err[256];
	ino_t ino;

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 19, 0);
	store_free(&s);

	/* over the cap on open: down to 7/8 of it, where 15..19 fit */
	ck_assert_int_eq(open_store(&s, 0, cap_for(bytes_of(14, 19) - 1), err,
	                     sizeof(err)),
	    0);
	assert_runs(&s, 15, 19, NOW_MS);
	assert_file(15, 19, NOW_MS);
	ck_assert_uint_eq(s.file_bytes, bytes_of(15, 19));
	ck_assert_uint_eq(s.file_bytes, (size_t)size_of(hist));

	/* on compaction, counting the backlog; exactly full is fine */
	append_runs(&s, 20, 21, 0);
	s.max_bytes = cap_for(bytes_of(19, 21));
	ck_assert_int_eq(store_compact(&s, NOW_MS), 0);
	assert_runs(&s, 19, 21, NOW_MS);
	assert_file(19, 21, NOW_MS);

	/* a file within the cap loses nothing and is not rewritten */
	ino = inode_of(hist);
	s.max_bytes = s.file_bytes;
	ck_assert_int_eq(store_compact(&s, NOW_MS), 0);
	assert_runs(&s, 19, 21, NOW_MS);
	ck_assert_uint_eq(inode_of(hist), ino);
	store_free(&s);
}
END_TEST

/* Disk full: /dev/full in place of the history. */
START_TEST(test_disk_full)
{
	struct store s;
	char err[256];

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 1, 0);
	ck_assert_int_eq(unlink(hist), 0);
	ck_assert_int_eq(symlink("/dev/full", hist), 0);

	append_runs(&s, 2, 3, -1);
	ck_assert_int_eq(s.persist_ok, 0);
	ck_assert_str_eq(s.persist_err,
	    "history.jsonl: No space left on device");
	assert_runs(&s, 0, 3, NOW_MS);
	ck_assert_int_eq(store_retry(&s), -1);
	ck_assert_int_eq(s.persist_ok, 0);

	ck_assert_int_eq(unlink(hist), 0);
	ck_assert_int_eq(store_retry(&s), 0);
	ck_assert_int_eq(s.persist_ok, 1);
	ck_assert_str_eq(s.persist_err, "");
	/* the file was replaced: everything is written again, in order */
	assert_file(0, 3, NOW_MS);
	append_runs(&s, 4, 4, 0);
	assert_file(0, 4, NOW_MS);
	store_free(&s);
}
END_TEST

/*
 * A write that fails part-way: the store's descriptor is pointed at
 * /dev/full and the part that "made it" is appended by hand; the retry
 * truncates it before writing the backlog.
 */
START_TEST(test_torn_write_truncated)
{
	struct store s;
	char err[256];

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 1, 0);
	close(s.fd);
	s.fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(s.fd, 0);
	append_runs(&s, 2, 2, -1);
	ck_assert_str_eq(s.persist_err,
	    "history.jsonl: No space left on device");
	ck_assert_int_eq(s.fd, -1);
	ab_test_append_file(hist, "{\"v\":1,\"variant\":\"python3.11/gl");

	ck_assert_int_eq(store_retry(&s), 0);
	ck_assert_int_eq(s.persist_ok, 1);
	assert_file(0, 2, NOW_MS);
	ck_assert_uint_eq(s.file_bytes, (size_t)size_of(hist));
	store_free(&s);
}
END_TEST

/* The state directory removed while open is recreated on the next append. */
START_TEST(test_dir_removed)
{
	struct store s;
	char err[256];

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 1, 0);
	ab_test_rm_tree(dir);
	append_runs(&s, 2, 2, 0);
	ck_assert_int_eq(s.persist_ok, 1);
	assert_file(0, 2, NOW_MS);
	store_free(&s);
}
END_TEST

/*
 * The directory removed with its parent, so that it cannot be recreated:
 * the runs stay in memory until the parent is back.
 */
START_TEST(test_dir_unusable)
{
	struct store s;
	char err[256], parent[128], want[400];

	snprintf(parent, sizeof(parent), "%s/p", tmp);
	snprintf(dir, sizeof(dir), "%s/state", parent);
	snprintf(hist, sizeof(hist), "%s/%s", dir, AB_HISTORY_FILE);
	ck_assert_int_eq(mkdir(parent, 0755), 0);
	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 1, 0);

	ab_test_rm_tree(parent);
	append_runs(&s, 2, 3, -1);
	ck_assert_int_eq(s.persist_ok, 0);
	snprintf(want, sizeof(want), "%s: No such file or directory", dir);
	ck_assert_str_eq(s.persist_err, want);
	assert_runs(&s, 0, 3, NOW_MS);
	ck_assert_int_eq(store_retry(&s), -1);

	ck_assert_int_eq(mkdir(parent, 0755), 0);
	ck_assert_int_eq(store_retry(&s), 0);
	ck_assert_int_eq(s.persist_ok, 1);
	assert_file(0, 3, NOW_MS);
	store_free(&s);
}
END_TEST

/* The history replaced by a directory, then given back. */
START_TEST(test_history_is_directory)
{
	struct store s;
	char err[256];

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 0, 0);
	ck_assert_int_eq(unlink(hist), 0);
	ck_assert_int_eq(mkdir(hist, 0755), 0);
	append_runs(&s, 1, 1, -1);
	ck_assert_str_eq(s.persist_err, "history.jsonl: Is a directory");
	ck_assert_int_eq(rmdir(hist), 0);
	ck_assert_int_eq(store_retry(&s), 0);
	assert_file(0, 1, NOW_MS);
	store_free(&s);

	/* at open: refused, never overwritten, memory still works */
	ck_assert_int_eq(unlink(hist), 0);
	ck_assert_int_eq(mkdir(hist, 0755), 0);
	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "history.jsonl: Is a directory");
	ck_assert_int_eq(s.persist_ok, 0);
	append_runs(&s, 0, 0, -1);
	ck_assert_uint_eq(s.nruns, 1);
	ck_assert_int_eq(rmdir(hist), 0);
	ck_assert_int_eq(store_retry(&s), -1);
	ck_assert_int_eq(access(hist, F_OK), -1);
	store_free(&s);
}
END_TEST

/* An unusable directory at open: memory only, then the disk comes back. */
START_TEST(test_open_unusable)
{
	struct store s;
	char err[256] = "", want[400];

	ab_test_rm_tree(dir);
	ab_test_write_file(dir, "a file\n");
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/sub");
	snprintf(hist, sizeof(hist), "%s/%s", dir, AB_HISTORY_FILE);
	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: Not a directory", AB_HISTORY_FILE);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(s.persist_ok, 0);
	append_runs(&s, 0, 1, -1);
	ck_assert_uint_eq(s.nruns, 2);

	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(unlink(dir), 0);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(store_retry(&s), 0);
	assert_file(0, 1, NOW_MS);
	store_free(&s);
}
END_TEST

/* A failed compaction leaves the old file as it was. */
START_TEST(test_compact_failure)
{
	struct store s;
	char err[256], tmpfile[400], *before, *after;

	ck_assert_int_eq(open_store(&s, 0, 0, err, sizeof(err)), 0);
	append_runs(&s, 0, 4, 0);
	before = slurp(hist);
	snprintf(tmpfile, sizeof(tmpfile), "%s.tmp", hist);
	ck_assert_int_eq(mkdir(tmpfile, 0755), 0); /* unlink(2) fails */

	s.max_bytes = 10;
	ck_assert_int_eq(store_compact(&s, NOW_MS), -1);
	ck_assert_int_eq(s.persist_ok, 0);
	ck_assert_str_eq(s.persist_err, "history.jsonl.tmp: Is a directory");
	after = slurp(hist);
	ck_assert_str_eq(after, before);
	free(after);
	ck_assert_uint_eq(s.nruns, 0); /* memory follows the cap anyway */

	/* appends still work and say so */
	append_runs(&s, 5, 5, 0);
	ck_assert_int_eq(s.persist_ok, 1);
	ck_assert_int_eq(rmdir(tmpfile), 0);
	s.max_bytes = 0;
	ck_assert_int_eq(store_compact(&s, NOW_MS), 0);
	assert_file(5, 5, NOW_MS);
	ck_assert_int_eq(access(tmpfile, F_OK), -1);
	free(before);
	store_free(&s);
}
END_TEST

/* One writer: a second store on the same directory is refused. */
START_TEST(test_lock_held)
{
	struct store a, b;
	char err[256], want[400];

	ck_assert_int_eq(open_store(&a, 0, 0, err, sizeof(err)), 0);
	append_runs(&a, 0, 1, 0);
	ck_assert_int_eq(open_store(&b, 0, 0, err, sizeof(err)), -2);
	snprintf(want, sizeof(want),
	    "%s is in use by another process (allocbenchd.lock is locked)",
	    dir);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(b.nruns + b.loaded, 0);
	append_runs(&b, 5, 5, -1);
	ck_assert_int_eq(store_compact(&b, NOW_MS), -1);
	append_runs(&a, 2, 2, 0);
	assert_file(0, 2, NOW_MS);
	store_free(&b);
	store_free(&a);

	/* released with the store */
	ck_assert_int_eq(open_store(&b, 0, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.loaded, 3);
	store_free(&b);
}
END_TEST

static void *
free_later(void *arg)
{
	nanosleep(&(struct timespec){0, 150 * 1000000L}, NULL);
	store_free(arg);
	return NULL;
}

/*
 * A restarted daemon may find its predecessor's lock still held for a
 * moment: store_open waits up to lock_wait_ms for it.
 */
START_TEST(test_lock_wait)
{
	struct store a, b;
	pthread_t t;
	char err[256];
	double t0;

	ck_assert_int_eq(open_store(&a, 0, 0, err, sizeof(err)), 0);
	append_runs(&a, 0, 1, 0);
	store_init(&b);
	b.lock_wait_ms = 100;
	t0 = ab_test_now();
	ck_assert_int_eq(store_open(&b, dir, NOW_MS, 0, 0, NULL, err,
	                     sizeof(err)),
	    -2);
	ck_assert_double_ge(ab_test_now() - t0, 0.1);
	store_free(&b);

	ck_assert_int_eq(pthread_create(&t, NULL, free_later, &a), 0);
	store_init(&b);
	b.lock_wait_ms = 3000;
	ck_assert_int_eq(store_open(&b, dir, NOW_MS, 0, 0, NULL, err,
	                     sizeof(err)),
	    0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(b.loaded, 2);
	store_free(&b);
}
END_TEST

/*
 * The directory deleted under a running store: the next write recreates
 * the directory and the lock with it, so a second store is still refused.
 * The same when only the lock file is removed.
 */
START_TEST(test_lock_dir_removed)
{
	struct store a, b;
	char err[256], lock[400];

	snprintf(lock, sizeof(lock), "%s/%s", dir, AB_LOCK_FILE);
	ck_assert_int_eq(open_store(&a, 0, 0, err, sizeof(err)), 0);
	append_runs(&a, 0, 1, 0);
	ab_test_rm_tree(dir);
	ck_assert_int_eq(store_retry(&a), 0);
	ck_assert_int_eq(access(lock, F_OK), 0);
	assert_file(0, 1, NOW_MS);
	ck_assert_int_eq(open_store(&b, 0, 0, err, sizeof(err)), -2);
	store_free(&b);

	ck_assert_int_eq(unlink(lock), 0);
	append_runs(&a, 2, 2, 0);
	ck_assert_int_eq(access(lock, F_OK), 0);
	ck_assert_int_eq(open_store(&b, 0, 0, err, sizeof(err)), -2);
	store_free(&b);
	assert_file(0, 2, NOW_MS);
	ck_assert_int_eq(a.persist_ok, 1);
	store_free(&a);
}
END_TEST

/*
 * Another store took the recreated directory before this one wrote again:
 * this one refuses to write there from then on, even once the other has
 * gone, so neither drops the other's runs.
 */
START_TEST(test_lock_taken_over)
{
	struct store a, b;
	char err[256], want[400];

	ck_assert_int_eq(open_store(&a, 0, 0, err, sizeof(err)), 0);
	append_runs(&a, 0, 1, 0);
	ab_test_rm_tree(dir);
	ck_assert_int_eq(open_store(&b, 0, 0, err, sizeof(err)), 0);
	append_runs(&b, 10, 11, 0);

	append_runs(&a, 2, 2, -1);
	ck_assert_int_eq(a.persist_ok, 0);
	snprintf(want, sizeof(want),
	    "allocbenchd.lock is held by another process; this one no longer "
	    "writes to %s",
	    dir);
	ck_assert_str_eq(a.persist_err, want);
	assert_runs(&a, 0, 2, NOW_MS);
	a.max_bytes = 10;
	ck_assert_int_eq(store_compact(&a, NOW_MS), -1);
	assert_file(10, 11, NOW_MS);

	store_free(&b);
	ck_assert_int_eq(store_retry(&a), -1);
	ck_assert_str_eq(a.persist_err, want);
	assert_file(10, 11, NOW_MS);
	store_free(&a);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("memory");
	TCase *td = tcase_create("disk");

	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_count_and_last);
	tcase_add_test(tc, test_since);
	tcase_add_test(tc, test_memory_compact);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(td, disk_setup, disk_teardown);
	tcase_add_test(td, test_open_creates);
	tcase_add_test(td, test_append_reopen);
	tcase_add_test(td, test_torn_last_line);
	tcase_add_test(td, test_last_line_without_newline);
	tcase_add_test(td, test_corrupt_lines);
	tcase_add_test(td, test_warning_limit);
	tcase_add_test(td, test_newer_schema_kept);
	tcase_add_test(td, test_retention);
	tcase_add_test(td, test_size_cap);
	tcase_add_test(td, test_disk_full);
	tcase_add_test(td, test_torn_write_truncated);
	tcase_add_test(td, test_dir_removed);
	tcase_add_test(td, test_dir_unusable);
	tcase_add_test(td, test_history_is_directory);
	tcase_add_test(td, test_open_unusable);
	tcase_add_test(td, test_compact_failure);
	tcase_add_test(td, test_lock_held);
	tcase_add_test(td, test_lock_wait);
	tcase_add_test(td, test_lock_dir_removed);
	tcase_add_test(td, test_lock_taken_over);
	suite_add_tcase(s, td);
	return s;
}

AB_CHECK_MAIN(store_suite)
