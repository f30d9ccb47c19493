/* SPDX-License-Identifier: MIT */
/*
 * Logging: the plain and journald line formats, the priority of each level,
 * when debug lines show, long lines, and the rate limiter's bucket
 * arithmetic and summaries. stderr is redirected to a file for each case
 * (Check forks every case, so the redirection ends with it).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "log.h"

static char capture_path[64];
static char captured[16384];

/* Sends stderr to a fresh file; journal: JOURNAL_STREAM names that file. */
static void
capture_start(int journal, int verbose)
{
	char js[64];
	struct stat st;
	int fd;

	snprintf(capture_path, sizeof(capture_path), "/tmp/abtest.log.XXXXXX");
	fd = mkstemp(capture_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
	if (journal) {
		snprintf(js, sizeof(js), "%llu:%llu",
		    (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino);
		setenv("JOURNAL_STREAM", js, 1);
	} else
		unsetenv("JOURNAL_STREAM");
	log_init(verbose);
}

/* What was written to stderr since capture_start, as a string. */
static const char *
capture_text(void)
{
	ssize_t n;
	int fd = open(capture_path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	n = read(fd, captured, sizeof(captured) - 1);
	ck_assert_int_ge(n, 0);
	captured[n] = '\0';
	close(fd);
	return captured;
}

static void
capture_end(void)
{
	unlink(capture_path);
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
log_all_levels(void)
{
	log_err("e %d", 1);
	log_warn("w %s", "two");
	log_info("i %.1f", 3.0);
	log_debug("d %c", '4');
}

static const struct {
	int journal, verbose;
	const char *want;
} level_cases[] = {
    {0, 0, "allocbenchd: e 1\nallocbenchd: w two\nallocbenchd: i 3.0\n"},
    {0, 1,
        "allocbenchd: e 1\nallocbenchd: w two\nallocbenchd: i 3.0\n"
        "allocbenchd: d 4\n"},
    {1, 0, "<3>e 1\n<4>w two\n<6>i 3.0\n"},
    {1, 1, "<3>e 1\n<4>w two\n<6>i 3.0\n<7>d 4\n"},
};

START_TEST(test_levels)
{
	capture_start(level_cases[_i].journal, level_cases[_i].verbose);
	log_all_levels();
	ck_assert_str_eq(capture_text(), level_cases[_i].want);
	capture_end();
}
END_TEST

/* JOURNAL_STREAM that is not our stderr, or not "DEV:INODE": plain. */
static const char *const foreign_streams[] = {"1:1", "garbage", "", "12"};

START_TEST(test_journal_foreign)
{
	capture_start(0, 0);
	setenv("JOURNAL_STREAM", foreign_streams[_i], 1);
	log_init(0);
	log_warn("plain");
	ck_assert_str_eq(capture_text(), "allocbenchd: plain\n");
	capture_end();
}
END_TEST

/* Lines past the stack buffer arrive whole, on one line. */
START_TEST(test_long_line)
{
	static char big[5000], want[5100];

	memset(big, 'x', sizeof(big) - 1);
	capture_start(1, 0);
	log_err("%s|end", big);
	snprintf(want, sizeof(want), "<3>%s|end\n", big);
	ck_assert_str_eq(capture_text(), want);
	capture_end();
}
END_TEST

/* burst 3, one line per 1000 ms: (time, whether allowed). */
static const struct {
	int64_t t;
	int allow;
} bucket_steps[] = {
    {0, 1},
    {0, 1},
    {1, 1},
    {2, 0},
    {999, 0},
    {1002, 1},
    {1500, 0},
    {2002, 1},
    {2003, 0},
    {9000, 1},
    {9000, 1},
    {9000, 1},
    {9000, 0},
    {9999, 0},
    {10000, 1},
};

START_TEST(test_bucket)
{
	struct log_rate r = LOG_RATE_INIT("t", LOG_PRIO_WARN, 3, 1000, 60000);
	unsigned long held = 0;
	size_t i;

	for (i = 0; i < sizeof(bucket_steps) / sizeof(bucket_steps[0]); i++) {
		ck_assert_msg(log_rate_allow(&r, bucket_steps[i].t) ==
		        bucket_steps[i].allow,
		    "step %zu at %lld ms", i, (long long)bucket_steps[i].t);
		held += !bucket_steps[i].allow;
	}
	ck_assert_uint_eq(r.suppressed, held);
	ck_assert_int_eq(r.suppressed_since, 2);
}
END_TEST

/* A zero burst holds everything back. */
START_TEST(test_bucket_closed)
{
	struct log_rate r = LOG_RATE_INIT("t", LOG_PRIO_WARN, 0, 1000, 60000);

	ck_assert_int_eq(log_rate_allow(&r, 0), 0);
	ck_assert_int_eq(log_rate_allow(&r, 100000), 0);
	ck_assert_uint_eq(r.suppressed, 2);
}
END_TEST

START_TEST(test_flush)
{
	struct log_rate r =
	    LOG_RATE_INIT("http", LOG_PRIO_WARN, 1, 10000, 60000);
	int i;

	capture_start(1, 0);
	ck_assert_int_eq(log_rate_flush(&r, 0, 0), -1);
	ck_assert_int_eq(log_rate_allow(&r, 0), 1);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(log_rate_allow(&r, 1500 + i), 0);
	/* Due 60 s after the first line held back, at 61500. */
	ck_assert_int_eq(log_rate_flush(&r, 1500, 0), 60000);
	ck_assert_int_eq(log_rate_flush(&r, 61499, 0), 1);
	ck_assert_str_eq(capture_text(), "");
	ck_assert_int_eq(log_rate_flush(&r, 61500, 0), -1);
	ck_assert_uint_eq(r.suppressed, 0);
	ck_assert_int_eq(log_rate_flush(&r, 70000, 0), -1);
	/* One held back, forced out at once. */
	ck_assert_int_eq(log_rate_allow(&r, 70000), 1);
	ck_assert_int_eq(log_rate_allow(&r, 70001), 0);
	ck_assert_int_eq(log_rate_flush(&r, 70001, 1), -1);
	ck_assert_str_eq(capture_text(),
	    "<4>http: suppressed 5 similar messages in the last 60 s\n"
	    "<4>http: suppressed 1 similar message in the last 1 s\n");
	capture_end();
}
END_TEST

/*
 * log_ratef with the real clock: a flood of 1000 lines writes the burst,
 * and the next line let through is preceded by the count of the rest.
 */
START_TEST(test_ratef_flood)
{
	struct log_rate r = LOG_RATE_INIT("http", LOG_PRIO_INFO, 5, 200, 60000);
	const char *text, *p;
	int i;

	capture_start(0, 0);
	for (i = 0; i < 1000; i++)
		log_ratef(&r, "bad request %d", i);
	text = capture_text();
	ck_assert_int_eq(count_lines(text), 5);
	ck_assert_uint_eq(r.suppressed, 995);
	ck_assert_ptr_nonnull(strstr(text, "allocbenchd: bad request 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "allocbenchd: bad request 4\n"));
	usleep(250000);
	log_ratef(&r, "later");
	text = capture_text();
	p = strstr(text, "allocbenchd: bad request 4\n");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p + strlen("allocbenchd: bad request 4\n"),
	    "allocbenchd: http: suppressed 995 similar messages in the last "
	    "1 s\nallocbenchd: later\n");
	ck_assert_uint_eq(r.suppressed, 0);
	capture_end();
}
END_TEST

/* A flood that goes on is summarised from within, once per summary_ms. */
START_TEST(test_ratef_periodic)
{
	struct log_rate r = LOG_RATE_INIT("x", LOG_PRIO_WARN, 1, 100000, 100);
	const char *text;
	int i;

	capture_start(0, 0);
	for (i = 0; i < 3; i++)
		log_ratef(&r, "m");
	usleep(150000);
	log_ratef(&r, "m");
	text = capture_text();
	ck_assert_str_eq(text,
	    "allocbenchd: m\n"
	    "allocbenchd: x: suppressed 3 similar messages in the last 1 s\n");
	capture_end();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_levels, 0,
	    sizeof(level_cases) / sizeof(level_cases[0]));
	tcase_add_loop_test(tc, test_journal_foreign, 0,
	    sizeof(foreign_streams) / sizeof(foreign_streams[0]));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_bucket);
	tcase_add_test(tc, test_bucket_closed);
	tcase_add_test(tc, test_flush);
	tcase_add_test(tc, test_ratef_flood);
	tcase_add_test(tc, test_ratef_periodic);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
