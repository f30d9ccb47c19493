/* SPDX-License-Identifier: MIT */
/*
 * Tests for runner.c against the real python3 and the real allocator
 * libraries of this machine: clean runs under each allocator, preloads that
 * fail to take effect, crashes, bad reports, timeouts that must kill the
 * whole process group, cancellation, the child's environment, descriptors
 * and signal state, and the device/inode verification. Scratch files live
 * in a mkdtemp directory under /tmp, made and removed once per test case
 * by an unchecked fixture, so that a failed test still cleans up.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cJSON.h>
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
#include "run.h"
#include "runner.h"
#include "xmalloc.h"

#define LIBDIR     "/usr/lib/" AB_MULTIARCH "/"
#define ITERATIONS 20000
#define NOT_ELF    "@notelf" /* table marker: a text file as preload */
#define NO_INTERP  "/nonexistent/abtest/python3"

static char tmpdir[64];

static const char *
python(void)
{
	const char *p = getenv("AB_PYTHON3");

	return p != NULL && *p != '\0' ? p : "/usr/bin/python3";
}

static void
setup(void)
{
	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
}

static void
teardown(void)
{
	if (tmpdir[0] != '\0')
		(void)ab_test_rm_tree(tmpdir);
	tmpdir[0] = '\0';
}

/* Writes text to tmpdir/name; returns the path, freed with free(3). */
static char *
scratch(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);

	ab_test_write_file(path, text);
	return path;
}

/* The contents of a file (freed with free(3)), or NULL if it is missing. */
static char *
slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;

	if (f == NULL)
		return NULL;
	m = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(m);
	for (int ch; (ch = fgetc(f)) != EOF;)
		fputc(ch, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void
spec_init(struct runner_spec *s, const char *wl, double timeout)
{
	memset(s, 0, sizeof(*s));
	s->interpreter = python();
	s->workload = wl;
	s->iterations = ITERATIONS;
	s->timeout_s = timeout;
}

static int
lowest_free_fd(void)
{
	int fd = dup(0);

	ck_assert_int_ge(fd, 0);
	close(fd);
	return fd;
}

/* Runs the spec, which must start, and checks that no descriptor leaked. */
static void
run_ok_call(const struct runner_spec *s, struct run *r)
{
	char err[256] = "";
	int fd = lowest_free_fd();

	ck_assert_msg(runner_run(s, r, err, sizeof(err)) == 0, "runner_run: %s",
	    err);
	ck_assert_int_eq(lowest_free_fd(), fd);
}

static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (a == NULL || b == NULL || stat(a, &sa) == -1 || stat(b, &sb) == -1)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Clean runs: the workload under libc and under each allocator. */
static const struct {
	const char *preload; /* NULL: libc */
} alloc_cases[] = {
    {NULL},
    {LIBDIR "libjemalloc.so.2"},
    {LIBDIR "libtcmalloc_minimal.so.4"},
    {LIBDIR "libmimalloc.so.2"},
};

START_TEST(test_allocator)
{
	const char *preload = alloc_cases[_i].preload;
	const char *expect = preload != NULL ? preload : LIBDIR "libc.so.6";
	struct runner_spec s;
	struct run r;
	int64_t before, after;
	struct timespec ts;
	int i;

	spec_init(&s, ab_test_workload(), 60);
	s.preload = preload;
	clock_gettime(CLOCK_REALTIME, &ts);
	before = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	run_ok_call(&s, &r);
	clock_gettime(CLOCK_REALTIME, &ts);
	after = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;

	ck_assert_msg(r.status == RUN_OK, "%s: status %s: %s", expect,
	    run_status_name(r.status), r.error ? r.error : "(null)");
	ck_assert_ptr_null(r.error);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_int_eq(r.term_signal, 0);
	ck_assert_int_eq(r.iterations, ITERATIONS);
	ck_assert_ptr_nonnull(r.malloc_provider);
	ck_assert_msg(same_file(r.malloc_provider, expect),
	    "provider %s is not %s", r.malloc_provider, expect);
	ck_assert_ptr_nonnull(r.python_version);
	ck_assert_msg(strncmp(r.python_version, "3.", 2) == 0, "python %s",
	    r.python_version);
	for (i = 0; i < PHASE_N; i++)
		ck_assert_msg(r.phase_s[i] > 0 && r.phase_s[i] < r.wall_s,
		    "phase %s = %g", run_phase_name(i), r.phase_s[i]);
	ck_assert_int_ge(r.started_ms, before);
	ck_assert_int_le(r.started_ms, after);
	ck_assert(r.wall_s > 0 && r.wall_s < 60);
	ck_assert(r.user_s >= 0 && r.sys_s >= 0);
	ck_assert_msg(r.user_s + r.sys_s <= r.wall_s + 0.05,
	    "cpu %g + %g > wall %g", r.user_s, r.sys_s, r.wall_s);
	ck_assert_int_gt(r.vmhwm_kb, 0);
	/* Both are the peak RSS, from counters the kernel keeps apart. */
	/*
	 * Both are peak RSS, from counters the kernel keeps apart; maxrss
	 * also covers the forked copy of this process before its exec.
	 */
	ck_assert_int_gt(r.maxrss_kb, r.vmhwm_kb / 2);
	ck_assert_int_gt(r.minflt, 0);
	ck_assert_int_ge(r.majflt, 0);
	ck_assert_int_ge(r.nvcsw, 0);
	ck_assert_int_ge(r.nivcsw, 0);
	run_clear(&r);
}
END_TEST

/* Preloads that ld.so accepts or ignores but that do not provide malloc. */
static const struct {
	const char *preload;
	const char *needle; /* expected in the error */
} unverified_cases[] = {
    {LIBDIR "libz.so.1", "libc.so.6, not " LIBDIR "libz.so.1"},
    {NOT_ELF, "cannot be preloaded"},
};

START_TEST(test_unverified)
{
	struct runner_spec s;
	struct run r;
	char *notelf = NULL;

	spec_init(&s, ab_test_workload(), 60);
	s.preload = unverified_cases[_i].preload;
	if (strcmp(s.preload, NOT_ELF) == 0)
		s.preload = notelf =
		    scratch("notelf.so", "this is not an ELF object\n");
	run_ok_call(&s, &r);

	ck_assert_msg(r.status == RUN_UNVERIFIED, "status %s: %s",
	    run_status_name(r.status), r.error ? r.error : "(null)");
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(r.error);
	ck_assert_msg(strstr(r.error, "malloc came from ") == r.error,
	    "error: %s", r.error);
	ck_assert_msg(strstr(r.error, unverified_cases[_i].needle) != NULL,
	    "error lacks \"%s\": %s", unverified_cases[_i].needle, r.error);
	ck_assert_ptr_nonnull(r.malloc_provider);
	ck_assert(same_file(r.malloc_provider, LIBDIR "libc.so.6"));
	ck_assert_ptr_nonnull(r.python_version);
	ck_assert(r.phase_s[PHASE_FILL] > 0);
	run_clear(&r);
	free(notelf);
}
END_TEST

/* Workloads that fail; script NULL runs churn.py. */
static const struct {
	const char *name;
	const char *interpreter; /* NULL: python3 */
	const char *script;
	double timeout_s;
	enum run_status status;
	int exit_code;
	int term_signal;
	const char *error;  /* expected prefix of the error */
	const char *needle; /* also expected in it, or NULL */
	double min_wall, max_wall;
} fail_cases[] = {
    {"segv", NULL,
        "import os, resource, signal\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
        "os.kill(os.getpid(), signal.SIGSEGV)\n",
        30, RUN_FAILED, -1, SIGSEGV, "killed by signal 11 (SIGSEGV)", NULL, 0,
        30},
    {"oom", NULL, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        30, RUN_FAILED, -1, SIGKILL,
        "killed by signal 9 (SIGKILL): not sent by allocbenchd; most likely "
        "the out-of-memory killer",
        NULL, 0, 30},
    {"sigill", NULL,
        "import os, resource, signal\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
        "os.kill(os.getpid(), signal.SIGILL)\n",
        30, RUN_FAILED, -1, SIGILL,
        "killed by signal 4 (SIGILL): an illegal instruction; the "
        "interpreter or the allocator was built for a newer CPU",
        NULL, 0, 30},
    {"utf8", NULL,
        "import sys\nsys.stderr.buffer.write(b'caf\\xc3\\xa9 "
        "\\x1b[31mred \\xff\\xfe end\\n')\nsys.exit(1)\n",
        30, RUN_FAILED, 1, 0,
        "exit status 1; stderr: caf\xc3\xa9 ?[31mred ?? end", NULL, 0, 30},
    {"exit3", NULL, "import sys\nsys.stderr.write('boom\\n')\nsys.exit(3)\n",
        30, RUN_FAILED, 3, 0, "exit status 3; stderr: boom", NULL, 0, 30},
    {"garbage", NULL, "import os\nos.write(3, b'not json')\n", 30, RUN_FAILED,
        0, 0, "bad report: not JSON", NULL, 0, 30},
    {"array", NULL, "import os\nos.write(3, b'[1, 2]')\n", 30, RUN_FAILED, 0, 0,
        "bad report: not a JSON object", NULL, 0, 30},
    {"noreport", NULL, "pass\n", 30, RUN_FAILED, 0, 0,
        "bad report: nothing written to fd 3", NULL, 0, 30},
    {"nofill", NULL,
        "import os\nos.write(3, b'{\"python\": \"3.11.2\", \"iterations\": 20000, \"phases\": "
        "{\"append\": 1, \"clear\": 1, \"refill\": 1}, "
        "\"malloc_provider\": null, \"libc\": null}')\n",
        30, RUN_FAILED, 0, 0, "bad report: missing phases.fill", NULL, 0, 30},
    {"negative", NULL,
        "import os\nos.write(3, b'{\"python\": \"3.11.2\", \"iterations\": 20000, \"phases\": "
        "{\"append\": 1, \"fill\": 1, \"clear\": -1, \"refill\": 1}, "
        "\"malloc_provider\": null, \"libc\": null}')\n",
        30, RUN_FAILED, 0, 0, "bad report: phases.clear is not a number", NULL,
        0, 30},
    {"python", NULL,
        "import os\nos.write(3, b'{\"python\": 3, \"phases\": "
        "{\"append\": 1, \"fill\": 1, \"clear\": 1, \"refill\": 1}, "
        "\"malloc_provider\": null, \"libc\": null}')\n",
        30, RUN_FAILED, 0, 0, "bad report: python is not a string", NULL, 0,
        30},
    {"provider", NULL,
        "import os\nos.write(3, b'{\"python\": \"3.11.2\", \"iterations\": 20000, \"phases\": "
        "{\"append\": 1, \"fill\": 1, \"clear\": 1, \"refill\": 1}, "
        "\"malloc_provider\": 7, \"libc\": null}')\n",
        30, RUN_FAILED, 0, 0,
        "bad report: malloc_provider is not a string or null", NULL, 0, 30},
    {"iterations", NULL,
        "import os\nos.write(3, b'{\"python\": \"3.11.2\", \"iterations\": 7, "
        "\"phases\": {\"append\": 1, \"fill\": 1, \"clear\": 1, "
        "\"refill\": 1}, \"malloc_provider\": null, \"libc\": null}')\n",
        30, RUN_FAILED, 0, 0, "bad report: iterations is not 20000", NULL, 0,
        30},
    {"huge", NULL,
        "import os\nd = b'x' * 100000\n"
        "while d:\n    d = d[os.write(3, d):]\n",
        30, RUN_FAILED, 0, 0, "report too large", NULL, 0, 30},
    {"hang", NULL, "import time\ntime.sleep(60)\n", 0.5, RUN_TIMEOUT, -1,
        SIGKILL, "timed out after 0.5 s", NULL, 0.5, 1.5},
    {"hang-stderr", NULL,
        "import sys, time\nsys.stderr.write('still going\\n')\n"
        "sys.stderr.flush()\ntime.sleep(60)\n",
        0.5, RUN_TIMEOUT, -1, SIGKILL,
        "timed out after 0.5 s; stderr: still going", NULL, 0.5, 1.5},
    {"hang-closed", NULL,
        "import os, time\nfor fd in (0, 1, 2, 3):\n    os.close(fd)\n"
        "time.sleep(60)\n",
        0.5, RUN_TIMEOUT, -1, SIGKILL, "timed out after 0.5 s", NULL, 0.5, 1.5},
    {"stderr-flood", NULL,
        "import os\nwhile True:\n    os.write(2, b'x' * 65536)\n", 0.5,
        RUN_TIMEOUT, -1, SIGKILL, "timed out after 0.5 s; stderr: xxx", NULL,
        0.5, 1.5},
    {"report-flood", NULL,
        "import os\nwhile True:\n    os.write(3, b'x' * 65536)\n", 0.5,
        RUN_TIMEOUT, -1, SIGKILL, "timed out after 0.5 s", NULL, 0.5, 1.5},
    {"stderr-flood-c", "/bin/sh", "exec tr '\\0' x </dev/zero >&2\n", 0.5,
        RUN_TIMEOUT, -1, SIGKILL, "timed out after 0.5 s; stderr: xxx", NULL,
        0.5, 1.5},
    {"report-flood-c", "/bin/sh", "exec cat /dev/zero >&3\n", 0.5, RUN_TIMEOUT,
        -1, SIGKILL, "timed out after 0.5 s", NULL, 0.5, 1.5},
    {"no-interpreter", NO_INTERP, NULL, 30, RUN_FAILED, 127, 0,
        "exit status 127; stderr: exec " NO_INTERP
        ": No such file or directory",
        NULL, 0, 30},
    {"long-stderr", NULL,
        "import sys\nfor i in range(5000):\n"
        "    sys.stderr.write('line %d\\n' % i)\nsys.exit(1)\n",
        30, RUN_FAILED, 1, 0, "exit status 1; stderr: line ", "\nline 4999", 0,
        30},
};

/*
 * How much slower than native this machine runs the workload: Check's own
 * CK_TIMEOUT_MULTIPLIER, which pkg/arm-check sets under qemu-user, where
 * Python needs longer than the short timeouts below just to start.
 */
static double
slowness(void)
{
	const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
	char *end;
	double v;

	if (m == NULL || *m == '\0')
		return 1;
	v = strtod(m, &end);
	return *end == '\0' && v >= 1 && v <= 1000 ? v : 1;
}

START_TEST(test_failure)
{
	struct runner_spec s;
	struct run r;
	char *script = NULL, want[256];
	const char *tail, *error = fail_cases[_i].error;
	double slow = slowness(), timeout_s = fail_cases[_i].timeout_s * slow;
	size_t len;

	/* "timed out after 0.5 s; ..." names the scaled timeout */
	if (slow != 1 && strncmp(error, "timed out after ", 16) == 0) {
		snprintf(want, sizeof(want), "timed out after %.1f s%s",
		    timeout_s, strchr(error + 16, 's') + 1);
		error = want;
	}
	if (fail_cases[_i].script != NULL)
		script = scratch("case.py", fail_cases[_i].script);
	spec_init(&s, script != NULL ? script : ab_test_workload(), timeout_s);
	if (fail_cases[_i].interpreter != NULL)
		s.interpreter = fail_cases[_i].interpreter;
	run_ok_call(&s, &r);

	ck_assert_ptr_nonnull(r.error);
	ck_assert_msg(r.status == fail_cases[_i].status, "%s: status %s: %s",
	    fail_cases[_i].name, run_status_name(r.status), r.error);
	ck_assert_msg(strncmp(r.error, error, strlen(error)) == 0,
	    "%s: error \"%s\", want \"%s...\"", fail_cases[_i].name, r.error,
	    error);
	if (fail_cases[_i].needle != NULL)
		ck_assert_msg(strstr(r.error, fail_cases[_i].needle) != NULL,
		    "%s: error lacks \"%s\"", fail_cases[_i].name,
		    fail_cases[_i].needle);
	ck_assert_int_eq(r.exit_code, fail_cases[_i].exit_code);
	ck_assert_int_eq(r.term_signal, fail_cases[_i].term_signal);
	ck_assert_msg(r.wall_s >= fail_cases[_i].min_wall * slow &&
	        r.wall_s < fail_cases[_i].max_wall * slow,
	    "%s: wall %g", fail_cases[_i].name, r.wall_s);
	ck_assert(r.user_s >= 0);
	ck_assert_int_gt(r.maxrss_kb, 0);
	ck_assert_int_eq(r.iterations, ITERATIONS);
	ck_assert_ptr_null(r.malloc_provider);

	/* The stderr tail: at most ~1 KiB, from a line start, trimmed. */
	tail = strstr(r.error, "; stderr: ");
	if (tail != NULL) {
		tail += strlen("; stderr: ");
		len = strlen(tail);
		ck_assert_uint_le(len, 1024);
		ck_assert_uint_gt(len, 0);
		ck_assert(tail[len - 1] != '\n' && tail[0] != '\n');
	}
	run_clear(&r);
	free(script);
}
END_TEST

/*
 * Waits until pid has ended: reaped by us as its subreaper, or, where
 * qemu-user has no PR_SET_CHILD_SUBREAPER, by init (a zombie waiting for
 * init counts as ended). Returns 1, or 0 if it still runs at `until`.
 */
static int
pid_ended(pid_t pid, double until)
{
	char path[64], buf[256], *p;
	FILE *fp;
	size_t n;

	for (;;) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return 1;
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
		if ((fp = fopen(path, "r")) != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, fp);
			fclose(fp);
			buf[n] = '\0';
			if ((p = strrchr(buf, ')')) != NULL && p[1] == ' ' &&
			    p[2] == 'Z')
				return 1;
		}
		if (ab_test_now() > until)
			return 0;
		usleep(10000);
	}
}

static void
reap_orphans(double until)
{
	while (ab_test_now() < until) {
		if (waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD)
			return;
		usleep(10000);
	}
}

/*
 * The workload leaves a grandchild behind, by timing out or by exiting;
 * either way nothing of its process group may survive the run. The test
 * process becomes a subreaper so that it can reap the killed grandchild
 * and then see the group gone (kill(2) still finds zombies).
 */
static const struct {
	const char *after; /* what the workload does after the spawn */
	double timeout_s;
	enum run_status status;
} group_cases[] = {
    {"time.sleep(60)\n", 1.0, RUN_TIMEOUT},
    {"sys.exit(0)\n", 30, RUN_FAILED},
};

START_TEST(test_group_killed)
{
	struct runner_spec s;
	struct run r;
	char *pidfile, *text, *script, *pids;
	long leader, orphan;
	int reaper;

	pidfile = xasprintf("%s/pids", tmpdir);
	text = xasprintf("import os, subprocess, sys, time\n"
	                 "p = subprocess.Popen(['sleep', '60'])\n"
	                 "with open('%s', 'w') as f:\n"
	                 "    f.write('%%d %%d\\n' %% (os.getpid(), p.pid))\n"
	                 "%s",
	    pidfile, group_cases[_i].after);
	script = scratch("group.py", text);
	(void)unlink(pidfile);
	/* qemu-user has no subreaper: then init reaps the orphan */
	reaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
	if (!reaper)
		ck_assert_int_eq(errno, EINVAL);
	spec_init(&s, script, group_cases[_i].timeout_s * slowness());
	run_ok_call(&s, &r);
	ck_assert_msg(r.status == group_cases[_i].status, "status %s: %s",
	    run_status_name(r.status), r.error ? r.error : "(null)");

	pids = slurp(pidfile);
	ck_assert_msg(pids != NULL, "the workload wrote no pids");
	ck_assert_int_eq(sscanf(pids, "%ld %ld", &leader, &orphan), 2);
	if (reaper) {
		reap_orphans(ab_test_now() + 5);
		ck_assert_int_eq(kill((pid_t)orphan, 0), -1);
		ck_assert_int_eq(errno, ESRCH);
		ck_assert_int_eq(kill(-(pid_t)leader, 0), -1);
		ck_assert_int_eq(errno, ESRCH);
		ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
	} else {
		ck_assert_msg(pid_ended((pid_t)orphan, ab_test_now() + 5),
		    "the orphan %ld survived the run", orphan);
		ck_assert_msg(pid_ended((pid_t)leader, ab_test_now() + 5),
		    "the leader %ld survived the run", leader);
	}
	run_clear(&r);
	free(pids);
	free(script);
	free(text);
	free(pidfile);
}
END_TEST

START_TEST(test_cancel_before)
{
	volatile sig_atomic_t cancel = 1;
	struct runner_spec s;
	struct run r;
	char *script = scratch("hang.py", "import time\ntime.sleep(60)\n");
	double t0 = ab_test_now();

	spec_init(&s, script, 30);
	s.cancel = &cancel;
	run_ok_call(&s, &r);
	ck_assert_int_eq(r.status, RUN_FAILED);
	ck_assert_str_eq(r.error, "cancelled");
	ck_assert(ab_test_now() - t0 < 1.0);
	ck_assert(r.wall_s < 1.0);
	run_clear(&r);
	free(script);
}
END_TEST

static volatile sig_atomic_t alarm_cancel;

static void
on_alarm(int sig)
{
	(void)sig;
	alarm_cancel = 1;
}

/* A signal interrupts the wait and its handler cancels the run. */
START_TEST(test_cancel_signal)
{
	struct sigaction sa, old;
	struct itimerval it = {{0, 0}, {0, 300000}}, off = {{0, 0}, {0, 0}};
	struct runner_spec s;
	struct run r;
	char *script = scratch("hang.py", "import time\ntime.sleep(60)\n");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	alarm_cancel = 0;
	spec_init(&s, script, 30);
	s.cancel = &alarm_cancel;
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	run_ok_call(&s, &r);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);

	ck_assert_int_eq(r.status, RUN_FAILED);
	ck_assert_str_eq(r.error, "cancelled");
	ck_assert_int_eq(r.term_signal, SIGKILL);
	ck_assert_msg(r.wall_s >= 0.25 && r.wall_s < 2.0, "wall %g", r.wall_s);
	run_clear(&r);
	free(script);
}
END_TEST

/* runner_environ: exactly the documented variables, nothing inherited. */
static const char *const extra_none[] = {NULL};
static const char *const extra_some[] = {"PYTHONHASHSEED=7",
    "LD_PRELOAD=/evil.so", "AB_EXTRA=1", "NOEQUALS", "=empty", NULL};
static const struct {
	const char *const *extra;
	const char *preload;
	size_t pad;
	const char *want[8];
} env_cases[] = {
    {NULL, NULL, 0,
        {"PATH=" AB_CLEAN_PATH, "LC_ALL=C", "PYTHONHASHSEED=0",
            "PYTHONNOUSERSITE=1", NULL}},
    {extra_none, NULL, 0,
        {"PATH=" AB_CLEAN_PATH, "LC_ALL=C", "PYTHONHASHSEED=0",
            "PYTHONNOUSERSITE=1", NULL}},
    {extra_some, "/lib/libx.so", 0,
        {"PATH=" AB_CLEAN_PATH, "LC_ALL=C", "PYTHONHASHSEED=7",
            "PYTHONNOUSERSITE=1", "AB_EXTRA=1", "LD_PRELOAD=/lib/libx.so",
            NULL}},
    {extra_some, NULL, 0,
        {"PATH=" AB_CLEAN_PATH, "LC_ALL=C", "PYTHONHASHSEED=7",
            "PYTHONNOUSERSITE=1", "AB_EXTRA=1", NULL}},
    /* stack-alignment padding: exactly `pad` bytes of value */
    {extra_none, "/lib/libx.so", 5,
        {"PATH=" AB_CLEAN_PATH, "LC_ALL=C", "PYTHONHASHSEED=0",
            "PYTHONNOUSERSITE=1", "ALLOCBENCH_PAD=xxxxx",
            "LD_PRELOAD=/lib/libx.so", NULL}},
    {extra_none, NULL, 1,
        {"PATH=" AB_CLEAN_PATH, "LC_ALL=C", "PYTHONHASHSEED=0",
            "PYTHONNOUSERSITE=1", "ALLOCBENCH_PAD=x", NULL}},
};

START_TEST(test_environ)
{
	struct runner_spec s;
	char **env;
	size_t n, nwant, i, j;

	setenv("LD_PRELOAD", "/x", 1);
	setenv("PYTHONPATH", "/y", 1);
	setenv("FOO", "bar", 1);
	spec_init(&s, ab_test_workload(), 1);
	s.extra_env = env_cases[_i].extra;
	s.preload = env_cases[_i].preload;
	s.env_pad = env_cases[_i].pad;
	env = runner_environ(&s);
	ck_assert_ptr_nonnull(env);
	for (n = 0; env[n] != NULL; n++)
		;
	for (nwant = 0; env_cases[_i].want[nwant] != NULL; nwant++)
		;
	ck_assert_uint_eq(n, nwant);
	for (i = 0; i < nwant; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(env[j], env_cases[_i].want[i]) == 0)
				break;
		ck_assert_msg(j < n, "missing %s", env_cases[_i].want[i]);
	}
	runner_environ_free(env);
	runner_environ_free(NULL);
	unsetenv("LD_PRELOAD");
	unsetenv("PYTHONPATH");
	unsetenv("FOO");
}
END_TEST

static const char *
json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * What the child really gets: the environment, descriptors 0-3 and no
 * other (not even one the parent left without O_CLOEXEC), its own process
 * group, no blocked signals and no inherited SIG_IGN.
 */
START_TEST(test_child_state)
{
	static const char *const extra[] = {"AB_EXTRA=1", "LD_PRELOAD=/evil.so",
	    NULL};
	static const char *const want[] = {"PATH", AB_CLEAN_PATH, "LC_ALL", "C",
	    "PYTHONHASHSEED", "0", "PYTHONNOUSERSITE", "1", "AB_EXTRA", "1",
	    "LD_PRELOAD", LIBDIR "libjemalloc.so.2"};
	struct runner_spec s;
	struct sigaction ign, oldact;
	sigset_t usr2, oldmask;
	struct run r;
	char *out, *text, *script, *dump;
	const cJSON *env, *fds;
	cJSON *root;
	size_t i;
	int leak;

	out = xasprintf("%s/state.json", tmpdir);
	text = xasprintf(
	    "import json, os\n"
	    "def mask(name):\n"
	    "    for line in open('/proc/self/status'):\n"
	    "        if line.startswith(name + ':'):\n"
	    "            return str(int(line.split()[1], 16))\n"
	    "fds = {}\n"
	    "for fd in range(1024):\n"
	    "    try:\n"
	    "        fds[str(fd)] = os.readlink('/proc/self/fd/%%d' %% fd)\n"
	    "    except OSError:\n"
	    "        pass\n"
	    "state = {'env': dict(os.environ), 'fds': fds,\n"
	    "         'pid': str(os.getpid()), 'pgid': str(os.getpgrp()),\n"
	    "         'sigign': mask('SigIgn'), 'sigblk': mask('SigBlk')}\n"
	    "with open('%s', 'w') as f:\n"
	    "    json.dump(state, f)\n",
	    out);
	script = scratch("state.py", text);
	(void)unlink(out);

	setenv("LD_PRELOAD", "/x", 1);
	setenv("PYTHONPATH", "/y", 1);
	setenv("FOO", "bar", 1);
	leak = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(leak, 0);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	ck_assert_int_eq(sigaction(SIGUSR1, &ign, &oldact), 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &usr2, &oldmask), 0);

	spec_init(&s, script, 30);
	s.extra_env = extra;
	s.preload = LIBDIR "libjemalloc.so.2";
	run_ok_call(&s, &r);

	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGUSR1, &oldact, NULL);
	close(leak);
	unsetenv("LD_PRELOAD");
	unsetenv("PYTHONPATH");
	unsetenv("FOO");

	ck_assert_int_eq(r.status, RUN_FAILED);
	ck_assert_str_eq(r.error, "bad report: nothing written to fd 3");
	dump = slurp(out);
	ck_assert_msg(dump != NULL, "no state dump: %s", r.error);
	root = cJSON_Parse(dump);
	ck_assert_ptr_nonnull(root);

	env = cJSON_GetObjectItemCaseSensitive(root, "env");
	ck_assert_int_eq(cJSON_GetArraySize(env), 6);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i += 2) {
		ck_assert_ptr_nonnull(json_str(env, want[i]));
		ck_assert_str_eq(json_str(env, want[i]), want[i + 1]);
	}

	fds = cJSON_GetObjectItemCaseSensitive(root, "fds");
	ck_assert_msg(cJSON_GetArraySize(fds) == 4, "child fds: %s", dump);
	ck_assert_str_eq(json_str(fds, "0"), "/dev/null");
	ck_assert_str_eq(json_str(fds, "1"), "/dev/null");
	ck_assert(strncmp(json_str(fds, "2"), "pipe:", 5) == 0);
	ck_assert(strncmp(json_str(fds, "3"), "pipe:", 5) == 0);
	ck_assert_str_ne(json_str(fds, "2"), json_str(fds, "3"));

	ck_assert_str_eq(json_str(root, "pgid"), json_str(root, "pid"));
	ck_assert_str_eq(json_str(root, "sigblk"), "0");
	ck_assert_int_eq(strtoull(json_str(root, "sigign"), NULL, 10) &
	        (1ULL << (SIGUSR1 - 1)),
	    0);

	cJSON_Delete(root);
	free(dump);
	run_clear(&r);
	free(script);
	free(text);
	free(out);
}
END_TEST

/*
 * With too few descriptors left, runner_run fails with -1 at the first or
 * second pipe or at /dev/null, and leaks none of those it got.
 */
static const int fd_room[] = {0, 1, 2, 3, 4};

START_TEST(test_no_fds)
{
	struct rlimit old, lim;
	struct runner_spec s;
	struct run r;
	char err[128] = "";
	int lowest = lowest_free_fd();

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)(lowest + fd_room[_i]);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	spec_init(&s, ab_test_workload(), 30);
	ck_assert_int_eq(runner_run(&s, &r, err, sizeof(err)), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_msg(strstr(err, "Too many open files") != NULL, "err: %s",
	    err);
	ck_assert_int_eq(lowest_free_fd(), lowest);
	run_clear(&r);
}
END_TEST

/* runner_verify: files compared by device and inode. */
static const struct {
	const char *provider; /* names in tmpdir; "" = NULL */
	const char *preload;
	const char *libc;
	int want;
	const char *why; /* prefix of the reason when want is 0 */
} verify_cases[] = {
    {"a", "a", "b", 1, ""},
    {"link", "a", NULL, 1, ""},
    {"a", "link", NULL, 1, ""},
    {"a", "", "a", 1, ""},
    {"a", "", "link", 1, ""},
    {"a", "b", "a", 0, "malloc came from "},
    {"a", "", "b", 0, "malloc came from "},
    {"", "a", "a", 0, "the workload found no object providing malloc"},
    {"missing", "a", "a", 0, "malloc provider "},
    {"a", "missing", "a", 0, ""},
    {"a", "", "", 0, "the workload did not report its libc"},
};

static char *
verify_path(const char *name)
{
	return *name == '\0' ? NULL : xasprintf("%s/%s", tmpdir, name);
}

START_TEST(test_verify)
{
	char why[512] = "untouched", *a, *b, *link, *prov, *pre, *libc;
	int got;

	a = scratch("a", "a\n");
	b = scratch("b", "b\n");
	link = xasprintf("%s/link", tmpdir);
	(void)unlink(link);
	ck_assert_int_eq(symlink(a, link), 0);
	prov = verify_path(verify_cases[_i].provider);
	pre = verify_path(verify_cases[_i].preload);
	libc = verify_path(verify_cases[_i].libc ? verify_cases[_i].libc : "");

	got = runner_verify(prov, pre, libc, why, sizeof(why));
	ck_assert_int_eq(got, verify_cases[_i].want);
	if (got == 0) {
		ck_assert_msg(why[0] != '\0', "no reason");
		ck_assert_msg(strncmp(why, verify_cases[_i].why,
		                  strlen(verify_cases[_i].why)) == 0,
		    "why: %s", why);
	}
	ck_assert_int_eq(runner_verify(prov, pre, libc, NULL, 0), got);
	if (verify_cases[_i].want == 0 && prov != NULL && pre != NULL &&
	    strcmp(verify_cases[_i].why, "malloc came from ") == 0)
		ck_assert_ptr_nonnull(strstr(why, ", not "));

	free(a);
	free(b);
	free(link);
	free(prov);
	free(pre);
	free(libc);
}
END_TEST

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
runner_suite(void)
{
	Suite *s = suite_create("runner");
	TCase *tc;

	tc = tcase_create("runs");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_allocator, 0, NCASES(alloc_cases));
	tcase_add_loop_test(tc, test_unverified, 0, NCASES(unverified_cases));
	tcase_add_loop_test(tc, test_failure, 0, NCASES(fail_cases));
	tcase_add_loop_test(tc, test_group_killed, 0, NCASES(group_cases));
	tcase_add_test(tc, test_cancel_before);
	tcase_add_test(tc, test_cancel_signal);
	tcase_add_test(tc, test_child_state);
	tcase_add_loop_test(tc, test_no_fds, 0, NCASES(fd_room));
	suite_add_tcase(s, tc);

	tc = tcase_create("pure");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_environ, 0, NCASES(env_cases));
	tcase_add_loop_test(tc, test_verify, 0, NCASES(verify_cases));
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(runner_suite)
