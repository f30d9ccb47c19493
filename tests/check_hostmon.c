/* SPDX-License-Identifier: MIT */
/*
 * Tests for hostmon.c: readings from the fixture trees under
 * tests/fixtures/sysfs/ (two Raspberry Pi 4 states, an x86 laptop, garbage
 * files, an empty root) and from small trees written to a temporary
 * directory for the parsing edge cases; the vcgencmd fallback with the
 * scripts in tests/fixtures/bin/ (an answer, a hang, a failure, garbage, a
 * child that closes stdout and lingers); the run flags; the throttle words;
 * and the real system's load average.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "hostmon.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define U        NAN /* an unknown double reading */

static void
fixture_root(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/tests/fixtures/sysfs/%s", ab_test_srcdir(),
	    name);
}

/* The path of a script in tests/fixtures/bin, or NULL for NULL. */
static const char *
fixture_bin(char *buf, size_t len, const char *name)
{
	if (name == NULL)
		return NULL;
	if (name[0] == '/')
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s/tests/fixtures/bin/%s", ab_test_srcdir(),
		    name);
	return buf;
}

/*
 * Becomes (on = 1) or stops being a child subreaper, so that orphaned
 * descendants come to this process. Returns 1, or 0 where the facility is
 * missing: qemu-user answers EINVAL to PR_SET_CHILD_SUBREAPER.
 */
static int
subreaper(int on)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, on) == 0)
		return 1;
	ck_assert_int_eq(errno, EINVAL);
	return 0;
}

/*
 * 1 when a live process of this session runs the fixtures' "sleep 30":
 * an orphan that went to init instead of to us when we are no subreaper.
 * Under qemu-user the command line starts with the emulator, so only its
 * end is compared.
 */
static int
orphan_sleeping(void)
{
	static const char tailstr[] = "sleep\0"
	                              "30";
	char path[64], buf[512], st;
	struct dirent *de;
	DIR *dp;
	FILE *fp;
	size_t n, tl = sizeof(tailstr); /* with its NUL */
	pid_t sid = getsid(0);
	long pid, sess;
	int found = 0;

	ck_assert_ptr_nonnull(dp = opendir("/proc"));
	while (!found && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
		buf[n] = '\0';
		/* pid (comm) state ppid pgrp session: comm may hold spaces */
		if (strrchr(buf, ')') == NULL ||
		    sscanf(strrchr(buf, ')') + 1, " %c %*d %*d %ld", &st,
		        &sess) != 2 ||
		    sess != (long)sid || st == 'Z')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		if (n >= tl && memcmp(buf + n - tl, tailstr, tl) == 0 &&
		    (n == tl || buf[n - tl - 1] == '\0' ||
		        buf[n - tl - 1] == '/'))
			found = 1;
	}
	closedir(dp);
	return found;
}

/*
 * Reaps whatever children (and, as a subreaper, orphaned descendants) die
 * within `wait_s`, and waits as long for orphans that went to init to end;
 * returns 1 when none is left, 0 when one still lives.
 */
static int
no_children_left(double wait_s)
{
	double until = ab_test_now() + wait_s;
	pid_t w;

	for (;;) {
		w = waitpid(-1, NULL, WNOHANG);
		if (w == -1 && errno == ECHILD && !orphan_sleeping())
			return 1;
		if (w > 0 || (w == -1 && errno == EINTR))
			continue;
		if (ab_test_now() > until)
			return 0;
		usleep(10000);
	}
}

static void
assert_reading(const char *what, const struct host_reading *r, double temp,
    long freq, double load, int64_t throttled)
{
	if (isnan(temp))
		ck_assert_msg(isnan(r->temp_c),
		    "%s: temp_c %.17g, want unknown", what, r->temp_c);
	else
		ck_assert_msg(fabs(r->temp_c - temp) < 1e-9,
		    "%s: temp_c %.17g, want %.17g", what, r->temp_c, temp);
	ck_assert_msg(r->freq_khz == freq, "%s: freq_khz %ld, want %ld", what,
	    r->freq_khz, freq);
	if (isnan(load))
		ck_assert_msg(isnan(r->load1), "%s: load1 %.17g, want unknown",
		    what, r->load1);
	else
		ck_assert_msg(fabs(r->load1 - load) < 1e-9,
		    "%s: load1 %.17g, want %.17g", what, r->load1, load);
	ck_assert_msg(r->throttled == throttled,
	    "%s: throttled %#llx (%lld), want %#llx (%lld)", what,
	    (long long)r->throttled, (long long)r->throttled,
	    (long long)throttled, (long long)throttled);
}

/* Fixture trees, with and without a (fake) vcgencmd to fall back on. */
static const struct {
	const char *fixture;
	const char *vcgencmd; /* in tests/fixtures/bin, absolute, or NULL */
	double temp_c;
	long freq_khz;
	double load1;
	int64_t throttled;
} fixture_cases[] = {
    {"rpi4-ok", NULL, 48.686, 1500000, 0.52, 0},
    {"rpi4-throttled", NULL, 82.3, 600000, 3.98, 0x50005},
    /* Two zones: x86_pkg_temp is hotter than acpitz. */
    {"x86", NULL, 45.0, 2394512, 1.07, -1},
    {"garbage", NULL, U, -1, U, -1},
    {"empty", NULL, U, -1, U, -1},
    {"does-not-exist", NULL, U, -1, U, -1},
    /* The file wins over vcgencmd whenever it exists, even as garbage. */
    {"rpi4-ok", "vcgencmd-fake", 48.686, 1500000, 0.52, 0},
    {"rpi4-throttled", "vcgencmd-fake", 82.3, 600000, 3.98, 0x50005},
    {"garbage", "vcgencmd-fake", U, -1, U, -1},
    /* No get_throttled: vcgencmd answers. */
    {"x86", "vcgencmd-fake", 45.0, 2394512, 1.07, 0x50000},
    {"empty", "vcgencmd-fake", U, -1, U, 0x50000},
    {"does-not-exist", "vcgencmd-fake", U, -1, U, 0x50000},
    /* vcgencmd fails, says something else, or does not exist. */
    {"x86", "vcgencmd-fail", 45.0, 2394512, 1.07, -1},
    {"empty", "vcgencmd-garbage", U, -1, U, -1},
    {"empty", "/nonexistent/vcgencmd", U, -1, U, -1},
    {"empty", "/dev/null", U, -1, U, -1},
};

START_TEST(test_fixture_readings)
{
	struct host_reading r;
	char root[4096], bin[4096], what[256];
	const char *vc;

	fixture_root(root, sizeof(root), fixture_cases[_i].fixture);
	vc = fixture_bin(bin, sizeof(bin), fixture_cases[_i].vcgencmd);
	snprintf(what, sizeof(what), "%s with %s", fixture_cases[_i].fixture,
	    vc != NULL ? vc : "no vcgencmd");
	memset(&r, 0x5a, sizeof(r));
	hostmon_read(root, vc, &r);
	assert_reading(what, &r, fixture_cases[_i].temp_c,
	    fixture_cases[_i].freq_khz, fixture_cases[_i].load1,
	    fixture_cases[_i].throttled);
	ck_assert_msg(no_children_left(0), "%s: left a child", what);
}
END_TEST

/* Small trees for the parsing edge cases; content NULL makes a directory. */
#define TZ      "sys/class/thermal/"
#define FREQ    "sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq"
#define LOAD    "proc/loadavg"
#define THR     "sys/devices/platform/soc/soc:firmware/get_throttled"
#define LONGNUM "00000000000000000000000000000000000000000000000000"
static const struct {
	const char *files[6][2];
	const char *vcgencmd;
	double temp_c;
	long freq_khz;
	double load1;
	int64_t throttled;
} tree_cases[] = {
    {{{THR, "0x50005\n"}}, NULL, U, -1, U, 0x50005},
    {{{THR, "0X5"}}, NULL, U, -1, U, 5},
    {{{THR, "80008\n"}}, NULL, U, -1, U, 0x80008},
    {{{THR, "ffffffff\n"}}, NULL, U, -1, U, 0xffffffffL},
    {{{THR, "100000000\n"}}, NULL, U, -1, U, -1},
    {{{THR, "\n"}}, NULL, U, -1, U, -1},
    {{{THR, "0x\n"}}, NULL, U, -1, U, -1},
    {{{THR, "-5\n"}}, NULL, U, -1, U, -1},
    {{{THR, "5 6\n"}}, NULL, U, -1, U, -1},
    {{{THR, "throttled=0x5\n"}}, NULL, U, -1, U, -1},
    /* There but unreadable: no fallback to vcgencmd. */
    {{{THR, NULL}}, "vcgencmd-fake", U, -1, U, -1},
    /* Garbage or missing zones do not hide a good one. */
    {{{TZ "thermal_zone0/temp", "abc\n"}, {TZ "thermal_zone1/temp", "51200\n"},
         {TZ "thermal_zone2/type", "gpu-thermal\n"},
         {TZ "thermal_zone3/temp", ""}},
        NULL, 51.2, -1, U, -1},
    /* Only thermal_zone* counts, however hot the rest. */
    {{{TZ "cooling_device0/temp", "99000\n"},
         {TZ "thermal_zone0/temp", "40000"}},
        NULL, 40.0, -1, U, -1},
    {{{TZ "cooling_device0/temp", "99000\n"}}, NULL, U, -1, U, -1},
    /* Below zero, the warmer zone wins. */
    {{{TZ "thermal_zone0/temp", "-5000\n"},
         {TZ "thermal_zone1/temp", "-2500\n"}},
        NULL, -2.5, -1, U, -1},
    /* Out of any physical range, or longer than any real file. */
    {{{TZ "thermal_zone0/temp", "9999999\n"},
         {TZ "thermal_zone1/temp", "-300000\n"},
         {TZ "thermal_zone2/temp", LONGNUM LONGNUM LONGNUM "1\n"}},
        NULL, U, -1, U, -1},
    {{{TZ "thermal_zone0/temp", "48850\n48850\n"}}, NULL, U, -1, U, -1},
    {{{FREQ, "0\n"}}, NULL, U, -1, U, -1},
    {{{FREQ, " 1500000\n"}}, NULL, U, -1, U, -1},
    {{{FREQ, "99999999999999999999\n"}}, NULL, U, -1, U, -1},
    {{{FREQ, "700000"}}, NULL, U, 700000, U, -1},
    {{{LOAD, "12.50 10.00 8.25 17/900 4242\n"}}, NULL, U, -1, 12.5, -1},
    {{{LOAD, "0.00 0.01 0.05 1/90 7\n"}}, NULL, U, -1, 0.0, -1},
    {{{LOAD, "nan 0.00 0.00 1/1 1\n"}}, NULL, U, -1, U, -1},
    {{{LOAD, "-1.00 0.00 0.00 1/1 1\n"}}, NULL, U, -1, U, -1},
    {{{LOAD, "1.5x 0.00 0.00 1/1 1\n"}}, NULL, U, -1, U, -1},
    {{{LOAD, " 1.00 0.00 0.00 1/1 1\n"}}, NULL, U, -1, U, -1},
    {{{LOAD, NULL}}, NULL, U, -1, U, -1},
};

/* Creates root/rel (a file holding content, or a directory for NULL). */
static void
put(const char *root, const char *rel, const char *content)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST,
		    "mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (content == NULL) {
		ck_assert_int_eq(mkdir(path, 0755), 0);
		return;
	}
	ab_test_write_file(path, content);
}

START_TEST(test_tree_readings)
{
	struct host_reading r;
	char root[sizeof(AB_TEST_TMPDIR)], bin[4096], what[64];
	const char *vc;
	size_t i;

	ab_test_mkdtemp(root, sizeof(root));
	for (i = 0; i < NELEM(tree_cases[_i].files); i++) {
		if (tree_cases[_i].files[i][0] != NULL)
			put(root, tree_cases[_i].files[i][0],
			    tree_cases[_i].files[i][1]);
	}
	vc = fixture_bin(bin, sizeof(bin), tree_cases[_i].vcgencmd);
	memset(&r, 0x5a, sizeof(r));
	hostmon_read(root, vc, &r);
	ck_assert_int_eq(ab_test_rm_tree(root), 0);
	snprintf(what, sizeof(what), "tree case %d (%s)", _i,
	    tree_cases[_i].files[0][0]);
	assert_reading(what, &r, tree_cases[_i].temp_c, tree_cases[_i].freq_khz,
	    tree_cases[_i].load1, tree_cases[_i].throttled);
}
END_TEST

/*
 * A vcgencmd that answers leaves no descriptor, child or signal mask
 * behind; ones that hang, or close stdout and linger, are killed with
 * their process group at the 2 s timeout.
 */
START_TEST(test_vcgencmd_answers_cleanly)
{
	struct host_reading r;
	sigset_t before, after;
	char root[4096], bin[4096];
	int fds = ab_test_count_fds(), sig;

	int reaper = subreaper(1);

	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &before), 0);
	fixture_root(root, sizeof(root), "empty");
	hostmon_read(root, fixture_bin(bin, sizeof(bin), "vcgencmd-fake"), &r);
	ck_assert_int_eq(r.throttled, 0x50000);
	ck_assert_int_eq(ab_test_count_fds(), fds);
	ck_assert_msg(no_children_left(0), "vcgencmd-fake left a child");
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &after), 0);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		ck_assert_int_eq(sigismember(&before, sig),
		    sigismember(&after, sig));
	}
	if (reaper)
		subreaper(0);
}
END_TEST

static const char *const stuck_scripts[] = {
    "vcgencmd-hang",
    "vcgencmd-detach",
};

START_TEST(test_vcgencmd_timeout)
{
	struct host_reading r;
	char root[4096], bin[4096];
	const char *name = stuck_scripts[_i];
	double t0, took;
	int fds = ab_test_count_fds();

	/*
	 * Orphaned grandchildren come to us, so a surviving `sleep` shows;
	 * without a subreaper, no_children_left looks for it in the session.
	 */
	int reaper = subreaper(1);

	fixture_root(root, sizeof(root), "x86");
	t0 = ab_test_now();
	hostmon_read(root, fixture_bin(bin, sizeof(bin), name), &r);
	took = ab_test_now() - t0;
	ck_assert_msg(took >= 1.9 && took < 2.5, "%s: took %.3f s", name, took);
	assert_reading(name, &r, 45.0, 2394512, 1.07, -1);
	ck_assert_int_eq(ab_test_count_fds(), fds);
	ck_assert_msg(no_children_left(1.0), "%s: a process survived", name);
	if (reaper)
		subreaper(0);
}
END_TEST

static const struct host_reading quiet = {50.0, 1500000, 0.5, 0};

static const struct {
	int64_t before_thr;
	int64_t after_thr;
	double before_load;
	double after_load;
	double max_load;
	unsigned flags;
} flag_cases[] = {
    {0, 0, 0.5, 0.5, 2.0, 0},
    /* Each "now" bit, before or after; under-voltage on its own. */
    {0x1, 0x1, 0.5, 0.5, 2.0, RUN_FLAG_UNDER_VOLTAGE},
    {0, 0x2, 0.5, 0.5, 2.0, RUN_FLAG_THROTTLED},
    {0x4, 0, 0.5, 0.5, 2.0, RUN_FLAG_THROTTLED},
    {0, 0x8, 0.5, 0.5, 2.0, RUN_FLAG_THROTTLED},
    {0x50005, 0x50005, 0.5, 0.5, 2.0,
        RUN_FLAG_THROTTLED | RUN_FLAG_UNDER_VOLTAGE},
    /* Sticky bits alone: only a change says it happened during the run. */
    {0x50000, 0x50000, 0.5, 0.5, 2.0, 0},
    {0, 0x10000, 0.5, 0.5, 2.0, RUN_FLAG_UNDER_VOLTAGE},
    {0x10000, 0x50000, 0.5, 0.5, 2.0, RUN_FLAG_THROTTLED},
    {0x10000, 0x90000, 0.5, 0.5, 2.0, RUN_FLAG_THROTTLED},
    /* Unknown readings, and known -> unknown, never flag. */
    {-1, -1, 0.5, 0.5, 2.0, 0},
    {0, -1, 0.5, 0.5, 2.0, 0},
    {0x50000, -1, 0.5, 0.5, 2.0, 0},
    {-1, 0x50000, 0.5, 0.5, 2.0, 0},
    /* A "now" bit still counts next to an unknown reading. */
    {-1, 0x4, 0.5, 0.5, 2.0, RUN_FLAG_THROTTLED},
    {0x1, -1, 0.5, 0.5, 2.0, RUN_FLAG_UNDER_VOLTAGE},
    /* Load: before.load1 strictly above max_load; 0 disables. */
    {0, 0, 2.5, 0.5, 2.0, RUN_FLAG_LOADED},
    {0, 0, 2.0, 0.5, 2.0, 0},
    {0, 0, 0.5, 9.0, 2.0, 0},
    {0, 0, 9.0, 9.0, 0.0, 0},
    {0, 0, 9.0, 9.0, -1.0, 0},
    {0, 0, NAN, 9.0, 2.0, 0},
    {0, 0, 9.0, 9.0, NAN, 0},
    {0x4, 0x4, 4.0, 4.0, 1.0, RUN_FLAG_THROTTLED | RUN_FLAG_LOADED},
};

START_TEST(test_flags)
{
	struct host_reading b = quiet, a = quiet;
	unsigned got;

	b.throttled = flag_cases[_i].before_thr;
	a.throttled = flag_cases[_i].after_thr;
	b.load1 = flag_cases[_i].before_load;
	a.load1 = flag_cases[_i].after_load;
	got = hostmon_flags(&b, &a, flag_cases[_i].max_load);
	ck_assert_msg(got == flag_cases[_i].flags,
	    "case %d: %#llx -> %#llx, load %g -> %g, max %g: flags %#x, want %#x",
	    _i, (long long)b.throttled, (long long)a.throttled, b.load1,
	    a.load1, flag_cases[_i].max_load, got, flag_cases[_i].flags);
}
END_TEST

static const struct {
	int64_t bits;
	size_t len;
	const char *text;
} text_cases[] = {
    {0, 64, "none"},
    {-1, 64, "unknown"},
    {-5, 64, "unknown"},
    {0x1, 64, "under-voltage now"},
    {0x2, 64, "arm frequency capped now"},
    {0x4, 64, "throttled now"},
    {0x8, 64, "soft temperature limit now"},
    {0x10000, 64, "under-voltage since boot"},
    {0x80000, 64, "soft temperature limit since boot"},
    {0x50005, 256,
        "under-voltage now, throttled now, under-voltage since boot, "
        "throttled since boot"},
    {0xf000f, 256,
        "under-voltage now, arm frequency capped now, throttled now, "
        "soft temperature limit now, under-voltage since boot, "
        "arm frequency capped since boot, throttled since boot, "
        "soft temperature limit since boot"},
    {0x40004, 256, "throttled now, throttled since boot"},
    /* Bits the documentation does not name. */
    {0x100020, 256, "bit 5, bit 20"},
    {0x10001 | 0x20, 256,
        "under-voltage now, under-voltage since boot, "
        "bit 5"},
    /* Truncated to the buffer, never past it. */
    {0x50005, 20, "under-voltage now, "},
    {0x1, 5, "unde"},
    {0, 3, "no"},
    {-1, 1, ""},
};

START_TEST(test_throttle_text)
{
	char buf[300];
	const char *got;

	memset(buf, '#', sizeof(buf));
	got =
	    hostmon_throttle_text(text_cases[_i].bits, buf, text_cases[_i].len);
	ck_assert_ptr_eq(got, buf);
	ck_assert_str_eq(got, text_cases[_i].text);
	ck_assert_int_eq(buf[text_cases[_i].len], '#');
}
END_TEST

START_TEST(test_throttle_text_no_room)
{
	char buf[4] = "abc";

	ck_assert_str_eq(hostmon_throttle_text(5, buf, 0), "");
	ck_assert_str_eq(buf, "abc");
	ck_assert_str_eq(hostmon_throttle_text(5, NULL, 10), "");
}
END_TEST

START_TEST(test_real_system)
{
	struct host_reading r, r2;
	const char *vc = hostmon_vcgencmd();

	hostmon_read(NULL, NULL, &r);
	ck_assert_msg(isfinite(r.load1) && r.load1 >= 0, "load1 %g", r.load1);
	ck_assert(isnan(r.temp_c) || (r.temp_c > -274 && r.temp_c < 500));
	ck_assert(r.freq_khz == -1 || r.freq_khz > 0);
	hostmon_read("", NULL, &r2);
	ck_assert(isfinite(r2.load1));

	if (vc != NULL) {
		ck_assert(strcmp(vc, "/usr/bin/vcgencmd") == 0 ||
		    strcmp(vc, "/opt/vc/bin/vcgencmd") == 0);
		ck_assert_int_eq(access(vc, X_OK), 0);
	} else {
		ck_assert_int_ne(access("/usr/bin/vcgencmd", X_OK), 0);
		ck_assert_int_ne(access("/opt/vc/bin/vcgencmd", X_OK), 0);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("hostmon");
	TCase *tc = tcase_create("read");
	TCase *slow = tcase_create("timeout");
	TCase *pure = tcase_create("pure");

	tcase_add_loop_test(tc, test_fixture_readings, 0,
	    (int)NELEM(fixture_cases));
	tcase_add_loop_test(tc, test_tree_readings, 0, (int)NELEM(tree_cases));
	tcase_add_test(tc, test_vcgencmd_answers_cleanly);
	tcase_add_test(tc, test_real_system);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(slow, test_vcgencmd_timeout, 0,
	    (int)NELEM(stuck_scripts));
	tcase_set_timeout(slow, 30);
	suite_add_tcase(s, slow);

	tcase_add_loop_test(pure, test_flags, 0, (int)NELEM(flag_cases));
	tcase_add_loop_test(pure, test_throttle_text, 0,
	    (int)NELEM(text_cases));
	tcase_add_test(pure, test_throttle_text_no_room);
	suite_add_tcase(s, pure);
	return s;
}

AB_CHECK_MAIN(suite)
