/* SPDX-License-Identifier: MIT */
/*
 * Static files, tested directly: URL paths turned into relative paths (a
 * table of accepted and refused forms), content types, and opening below
 * a root that has symbolic links leading out, a hidden file, a directory
 * and a vendor root. Every traversal case runs twice: with openat2 and
 * with the realpath fallback used where the kernel or a seccomp filter has
 * no openat2. The HTTP status each outcome maps to is check_http.c's.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "files.h"

static const struct {
	const char *path;
	const char *want; /* NULL: refused */
} rel_cases[] = {
    {"/", "index.html"},
    {"/index.html", "index.html"},
    {"//index.html", "index.html"},
    {"/./index.html", "index.html"},
    {"/sub/", "sub/index.html"},
    {"/sub", "sub"},
    {"/sub//page.html", "sub/page.html"},
    {"/sub/./page.html", "sub/page.html"},
    {"/js/cards.js", "js/cards.js"},
    {"/..", NULL},
    {"/../etc/passwd", NULL},
    {"/sub/../index.html", NULL},
    {"/.hidden", NULL},
    {"/sub/.git/config", NULL},
    {"/a\\b", NULL},
    {"/a\nb", NULL},
    {"/a\x7f", NULL},
    {"index.html", NULL},
    {"", NULL},
    {"http://host/x", NULL},
};

START_TEST(test_relative_path)
{
	char out[AB_FILES_PATH_MAX];
	int rc = files_relative_path(rel_cases[_i].path, out, sizeof(out));

	if (rel_cases[_i].want == NULL)
		ck_assert_msg(rc == -1, "%s accepted as %s", rel_cases[_i].path,
		    out);
	else {
		ck_assert_msg(rc == 0, "%s refused", rel_cases[_i].path);
		ck_assert_str_eq(out, rel_cases[_i].want);
	}
}
END_TEST

/* A path that does not fit is refused, never truncated. */
START_TEST(test_relative_too_long)
{
	char path[2100], out[64];

	path[0] = '/';
	memset(path + 1, 'a', sizeof(path) - 2);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(files_relative_path(path, out, sizeof(out)), -1);
	ck_assert_int_eq(files_relative_path("/", out, 10), -1);
}
END_TEST

START_TEST(test_mime)
{
	static const struct {
		const char *path;
		const char *type;
	} cases[] = {
	    {"index.html", "text/html; charset=utf-8"},
	    {"a/b.CSS", "text/css; charset=utf-8"},
	    {"js/app.js", "text/javascript; charset=utf-8"},
	    {"x.json", "application/json"},
	    {"x.svg", "image/svg+xml"},
	    {"x.png", "image/png"},
	    {"x.tar.gz", "application/octet-stream"},
	    {"noext", "application/octet-stream"},
	    {"dir.d/noext", "application/octet-stream"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(files_mime_type(cases[i].path), cases[i].type);
}
END_TEST

static char tmpdir[64], wwwdir[96];

static void
mk(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	ab_test_write_file(path, text);
}

static void
ln(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	ck_assert_msg(symlink(target, path) == 0, "symlink %s", path);
}

static void
md(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s", path);
}

static void
setup(void)
{
	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
	snprintf(wwwdir, sizeof(wwwdir), "%s/www", tmpdir);
	md("www");
	md("www/sub");
	md("www/empty");
	md("vendor");
	mk("www/index.html", "index\n");
	mk("www/sub/index.html", "sub index\n");
	mk("www/app.js", "app\n");
	mk("www/.hidden", "hidden\n");
	mk("secret.txt", "root:x:0:0:secret\n");
	mk("vendor/chart.umd.js", "chart\n");
	ln("/etc/passwd", "www/passwd");
	ln("/etc", "www/etc");
	ln("../secret.txt", "www/up");
	ln("../../secret.txt", "www/sub/up2");
	ln("app.js", "www/inner.js");
	ln("/nonexistent/x", "www/dangling");
}

static void
teardown(void)
{
	ab_test_rm_tree(tmpdir);
	unsetenv("AB_TEST_NO_OPENAT2");
}

/* What opening a URL gives: a file starting with `content`, or errno. */
static const struct {
	const char *url;
	const char *content; /* NULL: refused with err */
	int err;
} open_cases[] = {
    {"/", "index\n", 0},
    {"/index.html", "index\n", 0},
    {"/sub/", "sub index\n", 0},
    {"/inner.js", "app\n", 0},
    {"/vendor/chart.umd.js", "chart\n", 0},
    {"/missing.html", NULL, ENOENT},
    {"/empty", NULL, ENOENT},
    {"/sub", NULL, ENOENT},
    {"/passwd", NULL, EXDEV},
    {"/etc/passwd", NULL, EXDEV},
    {"/up", NULL, EXDEV},
    {"/sub/up2", NULL, EXDEV},
    {"/dangling", NULL, EXDEV},
    {"/../secret.txt", NULL, EINVAL},
    {"/vendor/../secret.txt", NULL, EINVAL},
    {"/.hidden", NULL, EINVAL},
    {"/vendor/../../etc/passwd", NULL, EINVAL},
};

/* Errors that mean "outside the root": EXDEV from the fallback, EXDEV or
 * ELOOP from openat2 depending on the link, ENOENT for a dangling one
 * whose target is outside. */
static int
outside(int e)
{
	return e == EXDEV || e == ELOOP || e == EACCES || e == EPERM;
}

static void
open_case(int i)
{
	char err[256], buf[128];
	struct files_hit hit;
	struct files *f;
	ssize_t n;
	int rc;

	f = files_open(wwwdir, err, sizeof(err));
	ck_assert_msg(f != NULL, "files_open: %s", err);
	ck_assert_int_eq(files_add_vendor(f, "/vendor/", "/nonexistent/dir",
	                     err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir"));
	snprintf(buf, sizeof(buf), "%s/vendor", tmpdir);
	ck_assert_int_eq(files_add_vendor(f, "/vendor/", buf, err, sizeof(err)),
	    0);
	errno = 0;
	rc = files_open_url(f, open_cases[i].url, &hit);
	if (open_cases[i].content != NULL) {
		ck_assert_msg(rc == 0, "%s: %s", open_cases[i].url,
		    strerror(errno));
		n = read(hit.fd, buf, sizeof(buf) - 1);
		ck_assert_int_ge(n, 0);
		buf[n] = '\0';
		ck_assert_str_eq(buf, open_cases[i].content);
		ck_assert_uint_eq(hit.size, strlen(open_cases[i].content));
		ck_assert_int_eq(hit.etag[0], '"');
		close(hit.fd);
	} else {
		ck_assert_msg(rc == -1, "%s opened", open_cases[i].url);
		if (open_cases[i].err == EXDEV)
			ck_assert_msg(outside(errno) ||
			        (strcmp(open_cases[i].url, "/dangling") == 0 &&
			            errno == ENOENT),
			    "%s: %s", open_cases[i].url, strerror(errno));
		else
			ck_assert_msg(errno == open_cases[i].err, "%s: %s",
			    open_cases[i].url, strerror(errno));
	}
	files_close(f);
}

START_TEST(test_open)
{
	open_case(_i);
}
END_TEST

START_TEST(test_open_fallback)
{
	setenv("AB_TEST_NO_OPENAT2", "1", 1);
	open_case(_i);
}
END_TEST

START_TEST(test_bad_root)
{
	char err[256];

	ck_assert_ptr_null(files_open("/nonexistent/www", err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/www: No such file or directory");
	files_close(NULL);
}
END_TEST

static Suite *
files_suite(void)
{
	Suite *s = suite_create("files");
	TCase *tc = tcase_create("paths");
	size_t n = sizeof(open_cases) / sizeof(open_cases[0]);

	tcase_add_loop_test(tc, test_relative_path, 0,
	    sizeof(rel_cases) / sizeof(rel_cases[0]));
	tcase_add_test(tc, test_relative_too_long);
	tcase_add_test(tc, test_mime);
	suite_add_tcase(s, tc);
	tc = tcase_create("open");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_open, 0, (int)n);
	tcase_add_loop_test(tc, test_open_fallback, 0, (int)n);
	tcase_add_test(tc, test_bad_root);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(files_suite)
