/* SPDX-License-Identifier: MIT */
/*
 * The daemon's main loop, in what can be tested in-process without
 * measuring: it refuses a state directory another process has locked,
 * reports a listen address it cannot use, starts and stops cleanly when
 * asked to stop at once (creating the history directory and its lock),
 * and scheduler_wake is harmless when nothing waits.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "conf.h"
#include "log.h"
#include "scheduler.h"

static char tmpdir[sizeof(AB_TEST_TMPDIR)];
static char statedir[96];

static void
setup(void)
{
	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
	snprintf(statedir, sizeof(statedir), "%s/state", tmpdir);
	scheduler_stop = 0;
	scheduler_reload = 0;
	log_init(0);
}

static void
teardown(void)
{
	ab_test_rm_tree(tmpdir);
}

/* A configuration that listens on an ephemeral loopback port. */
static void
test_conf(struct conf *c, const char *listen)
{
	char err[256];

	conf_defaults(c);
	ck_assert_int_eq(conf_set(c, "daemon", "listen", listen, err,
	                     sizeof(err)),
	    0);
	ck_assert_int_eq(conf_set(c, "daemon", "state_dir", statedir, err,
	                     sizeof(err)),
	    0);
	ck_assert_int_eq(conf_set(c, "daemon", "www_dir", tmpdir, err,
	                     sizeof(err)),
	    0);
}

static const struct scheduler_opts opts = {
    .workload = "/nonexistent/churn.py",
};

/* Asked to stop before the first round: listens, stops, returns 0. */
START_TEST(test_start_and_stop)
{
	struct conf c;
	struct stat sb;
	char path[160];

	test_conf(&c, "127.0.0.1:0");
	scheduler_stop = 1;
	ck_assert_int_eq(scheduler_run(&c, &opts), 0);
	ck_assert_int_eq(stat(statedir, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	snprintf(path, sizeof(path), "%s/allocbenchd.lock", statedir);
	ck_assert_int_eq(access(path, F_OK), 0);
	conf_free(&c); /* taken over: a no-op */
}
END_TEST

/* Another holder of the lock keeps it off the directory. */
START_TEST(test_locked_state_dir)
{
	struct conf c;
	char path[160];
	int fd;

	ck_assert_int_eq(mkdir(statedir, 0755), 0);
	snprintf(path, sizeof(path), "%s/allocbenchd.lock", statedir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	test_conf(&c, "127.0.0.1:0");
	scheduler_stop = 1;
	ck_assert_int_eq(scheduler_run(&c, &opts), 1);
	close(fd);
}
END_TEST

/* A port that is taken: exit status 1, nothing left running. */
START_TEST(test_listen_fails)
{
	struct conf c;

	test_conf(&c, "192.0.2.1:1"); /* TEST-NET-1: not on this host */
	scheduler_stop = 1;
	ck_assert_int_eq(scheduler_run(&c, &opts), 1);
}
END_TEST

START_TEST(test_wake_without_loop)
{
	errno = ENOENT;
	scheduler_wake();
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static Suite *
scheduler_suite(void)
{
	Suite *s = suite_create("scheduler");
	TCase *tc = tcase_create("scheduler");

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start_and_stop);
	tcase_add_test(tc, test_locked_state_dir);
	tcase_add_test(tc, test_listen_fails);
	tcase_add_test(tc, test_wake_without_loop);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(scheduler_suite)
