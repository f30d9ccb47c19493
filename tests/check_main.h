/* SPDX-License-Identifier: MIT */
/*
 * Shared by the Check unit tests: main() with results on stdout as TAP, so
 * the automake harness counts every test case, and the small helpers more
 * than one test needs (the monotonic clock, the source tree and workload
 * paths, scratch directories under /tmp, files written in one call, and
 * the variant lookup in a summary document). Every helper that can fail
 * fails the calling test instead of returning an error.
 */
#ifndef AB_CHECK_MAIN_H
#define AB_CHECK_MAIN_H

#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

/* The mkdtemp(3) template of every scratch directory. */
#define AB_TEST_TMPDIR "/tmp/abtest.XXXXXX"

static inline int
ab_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Defines main() for a file whose suite is built by `fn`. */
#define AB_CHECK_MAIN(fn)                                                      \
	int main(void)                                                         \
	{                                                                      \
		return ab_check_run(fn());                                     \
	}

/* Seconds on CLOCK_MONOTONIC, for deadlines and elapsed times. */
static inline double
ab_test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The source tree: $AB_SRCDIR (set by make check) when it is set and not
 * empty, else the one configure was run for.
 */
static inline const char *
ab_test_srcdir(void)
{
	const char *s = getenv("AB_SRCDIR");

	return s != NULL && *s != '\0' ? s : AB_SOURCE_DIR;
}

/*
 * The workload script: $AB_WORKLOAD (set by make check) when it is set and
 * not empty, else src/workloads/churn.py in the configured source tree.
 */
static inline const char *
ab_test_workload(void)
{
	const char *w = getenv("AB_WORKLOAD");

	if (w != NULL && *w != '\0')
		return w;
	return AB_SOURCE_DIR "/src/workloads/churn.py";
}

/*
 * Makes a new directory from AB_TEST_TMPDIR and leaves its path in buf,
 * which holds len bytes (at least sizeof(AB_TEST_TMPDIR)). The template is
 * written afresh each time, so one buffer serves many test cases.
 */
static inline void
ab_test_mkdtemp(char *buf, size_t len)
{
	ck_assert_uint_ge(len, sizeof(AB_TEST_TMPDIR));
	memcpy(buf, AB_TEST_TMPDIR, sizeof(AB_TEST_TMPDIR));
	ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s: %s", AB_TEST_TMPDIR,
	    strerror(errno));
}

/* The nftw(3) callback of ab_test_rm_tree(). */
static inline int
ab_test_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftwbuf)
{
	(void)sb;
	(void)flag;
	(void)ftwbuf;
	return remove(path);
}

/*
 * Removes path and everything below it, depth first; symbolic links are
 * removed, never followed. Returns 0, or what nftw(3) returned: -1, or the
 * result of the remove(3) that failed.
 */
static inline int
ab_test_rm_tree(const char *path)
{
	return nftw(path, ab_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Opens path with fopen(3) mode, writes text and closes it. */
/* Open file descriptors of this process, from /proc/self/fd. */
static inline int
ab_test_count_fds(void)
{
	struct dirent *de;
	DIR *dp = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(dp);
	return n;
}

static inline void
ab_test_put_file(const char *path, const char *mode, const char *text)
{
	FILE *fp = fopen(path, mode);

	ck_assert_msg(fp != NULL, "fopen %s: %s", path, strerror(errno));
	ck_assert_msg(fputs(text, fp) >= 0, "write %s: %s", path,
	    strerror(errno));
	ck_assert_msg(fclose(fp) == 0, "close %s: %s", path, strerror(errno));
}

/* Replaces the contents of path (creating it) with text. */
static inline void
ab_test_write_file(const char *path, const char *text)
{
	ab_test_put_file(path, "w", text);
}

/* Appends text to path, creating it if it is missing. */
static inline void
ab_test_append_file(const char *path, const char *text)
{
	ab_test_put_file(path, "a", text);
}

/*
 * The element of doc's "variants" array whose "id" is id, pointing into
 * doc (not freed on its own); a missing one fails the test.
 */
static inline const cJSON *
ab_test_variant(const cJSON *doc, const char *id)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "variants")) {
		if (strcmp(cJSON_GetObjectItem(v, "id")->valuestring, id) == 0)
			return v;
	}
	ck_abort_msg("no variant %s", id);
	return NULL;
}

#endif
