/* SPDX-License-Identifier: MIT */
/*
 * Tests for proc.c with real children: exit codes, signals, stdout and
 * stderr of small commands and of ones that cannot be executed; the exact
 * environment and descriptors a child gets; its process group, signal mask
 * and dispositions as the child itself reports them; waiting on the pidfd
 * with and without a timeout, and without a pidfd; killing a group whose
 * grandchildren linger, also after the child itself has exited; reaping,
 * rusage, and no descriptor left behind in the parent.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "proc.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* How long any child may take to do what it was started for. */
#define AB_WAIT_S 10.0

/* The environment of every child. */
static char *const child_env[] = {"AB_ONE=1", "AB_TWO=two words", NULL};

static int
open_null(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static void
make_pipe(int pfd[2])
{
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Waits up to AB_WAIT_S for the child to exit: on the pidfd when it has
 * one, else by asking proc_exited every millisecond. It stays unreaped.
 */
static void
wait_exit(const struct proc *p)
{
	double deadline = ab_test_now() + AB_WAIT_S;

	if (p->pidfd != -1) {
		struct pollfd pf = {p->pidfd, POLLIN, 0};
		int n;

		while ((n = poll(&pf, 1, (int)(AB_WAIT_S * 1000))) == -1 &&
		    errno == EINTR)
			;
		ck_assert_msg(n == 1 && (pf.revents & POLLIN),
		    "pid %ld: pidfd not readable after %.0f s", (long)p->pid,
		    AB_WAIT_S);
		ck_assert_int_eq(proc_exited(p), 1);
		return;
	}
	while (!proc_exited(p)) {
		ck_assert_msg(ab_test_now() < deadline,
		    "pid %ld: still running after %.0f s", (long)p->pid,
		    AB_WAIT_S);
		sleep_ms(1);
	}
}

/* Reads fd to EOF into buf (len bytes, terminated) and closes it. */
static void
read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, buf + n, len - 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		ck_assert_msg(r >= 0, "read: %s", strerror(errno));
		if (r == 0 || n + (size_t)r == len - 1) {
			n += (size_t)r;
			break;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	ck_assert_int_eq(close(fd), 0);
}

/* The state letter of pid in /proc/pid/stat, or 0 when it is gone. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *rp;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	ck_assert_ptr_nonnull(rp);
	return rp[2];
}

/* What a command does with "hello\n" on stdin. */
static const struct {
	const char *argv[6];
	int code; /* the exit code, or -1 */
	int sig;  /* the terminating signal, or 0 */
	const char *out, *err;
} run_cases[] = {
    {{"/bin/true"}, 0, 0, "", ""},
    {{"/bin/false"}, 1, 0, "", ""},
    {{"/bin/sh", "-c", "exit 42"}, 42, 0, "", ""},
    {{"/bin/sh", "-c", "read x; echo \"got $x\"; echo oops >&2; exit 3"}, 3, 0,
        "got hello\n", "oops\n"},
    {{"/bin/cat"}, 0, 0, "hello\n", ""},
    {{"/bin/echo", "a  b", "", "c"}, 0, 0, "a  b  c\n", ""},
    {{"/usr/bin/env"}, 0, 0, "AB_ONE=1\nAB_TWO=two words\n", ""},
    {{"/bin/sh", "-c", "kill -TERM $$"}, -1, SIGTERM, "", ""},
    {{"/bin/sh", "-c", "echo partial; kill -USR1 $$"}, -1, SIGUSR1, "partial\n",
        ""},
    {{"/nonexistent/allocbench-no-such-command"}, AB_PROC_EXEC_FAILED, 0, "",
        "exec /nonexistent/allocbench-no-such-command: No such file or "
        "directory\n"},
    {{"/etc/passwd"}, AB_PROC_EXEC_FAILED, 0, "",
        "exec /etc/passwd: Permission denied\n"},
    {{"/"}, AB_PROC_EXEC_FAILED, 0, "", "exec /: Permission denied\n"},
};

START_TEST(test_run)
{
	char out[4096], err[4096], msg[256] = "";
	int in[2], o[2], e[2], fds[3], status;
	struct proc p;
	pid_t pid;

	make_pipe(in);
	make_pipe(o);
	make_pipe(e);
	fds[0] = in[0];
	fds[1] = o[1];
	fds[2] = e[1];
	ck_assert_int_eq(proc_spawn(&p, run_cases[_i].argv[0],
	                     (char *const *)run_cases[_i].argv, child_env, fds,
	                     3, msg, sizeof(msg)),
	    0);
	ck_assert_str_eq(msg, "");
	ck_assert_int_gt(p.pid, 0);
	close(in[0]);
	close(o[1]);
	close(e[1]);
	/* A child that exits first leaves a broken pipe; that is fine. */
	(void)signal(SIGPIPE, SIG_IGN);
	(void)write(in[1], "hello\n", 6);
	close(in[1]);
	wait_exit(&p);
	read_all(o[0], out, sizeof(out));
	read_all(e[0], err, sizeof(err));
	pid = p.pid;
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert_int_eq(p.pid, -1);
	ck_assert_int_eq(p.pidfd, -1);
	ck_assert_str_eq(out, run_cases[_i].out);
	ck_assert_str_eq(err, run_cases[_i].err);
	if (run_cases[_i].sig == 0) {
		ck_assert_msg(WIFEXITED(status), "status %#x", status);
		ck_assert_int_eq(WEXITSTATUS(status), run_cases[_i].code);
	} else {
		ck_assert_msg(WIFSIGNALED(status), "status %#x", status);
		ck_assert_int_eq(WTERMSIG(status), run_cases[_i].sig);
	}
}
END_TEST

/* Starts argv (argv[0] the path) with fds, or fails the test. */
static void
spawn(struct proc *p, const char *const *argv, const int *fds, int nfds)
{
	char msg[256] = "";

	ck_assert_msg(proc_spawn(p, argv[0], (char *const *)argv, child_env,
	                  fds, nfds, msg, sizeof(msg)) == 0,
	    "%s: %s", argv[0], msg);
	ck_assert_int_gt(p->pid, 0);
}

/*
 * A running child: its own process group in our session, a pidfd that
 * stays quiet through a poll timeout, proc_exited 0. After proc_kill: the
 * pidfd is readable, proc_exited is 1 and the zombie is still there until
 * proc_reap collects SIGKILL. Reaping again is ECHILD; kill and exited
 * then do nothing.
 */
START_TEST(test_kill_and_reap)
{
	static const char *const argv[] = {"/bin/sleep", "30", NULL};
	struct pollfd pf;
	struct proc p;
	double t0, took;
	int null = open_null(), fds[3] = {null, null, null}, status = 0;
	pid_t pid;

	spawn(&p, argv, fds, 3);
	pid = p.pid;
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_eq(getsid(pid), getsid(0));
	ck_assert_int_ne(getpgid(0), pid);
	ck_assert_int_ge(p.pidfd, 0);
	ck_assert_int_ne(fcntl(p.pidfd, F_GETFD) & FD_CLOEXEC, 0);

	pf.fd = p.pidfd;
	pf.events = POLLIN;
	pf.revents = 0;
	t0 = ab_test_now();
	ck_assert_int_eq(poll(&pf, 1, 100), 0);
	took = ab_test_now() - t0;
	ck_assert_msg(took >= 0.095, "poll timed out after %.3f s", took);
	ck_assert_int_eq(proc_exited(&p), 0);

	proc_kill(&p);
	wait_exit(&p);
	ck_assert_int_eq(proc_state(pid), 'Z');
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "status %#x", status);
	ck_assert_int_eq(p.pid, -1);
	ck_assert_int_eq(p.pidfd, -1);
	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);

	errno = 0;
	ck_assert_int_eq(proc_reap(&p, &status, NULL), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(proc_exited(&p), 1);
	proc_kill(&p);
	ck_assert_int_eq(p.pid, -1);
	close(null);
}
END_TEST

/* proc_exited and proc_kill work the same with no pidfd. */
START_TEST(test_without_pidfd)
{
	static const char *const sleeper[] = {"/bin/sleep", "30", NULL};
	static const char *const quitter[] = {"/bin/sh", "-c", "exit 5", NULL};
	int null = open_null(), fds[3] = {null, null, null}, status = 0;
	struct proc p;
	pid_t pid;

	spawn(&p, sleeper, fds, 3);
	ck_assert_int_eq(close(p.pidfd), 0);
	p.pidfd = -1;
	sleep_ms(20);
	ck_assert_int_eq(proc_exited(&p), 0);
	proc_kill(&p);
	wait_exit(&p);
	pid = p.pid;
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	spawn(&p, quitter, fds, 3);
	ck_assert_int_eq(close(p.pidfd), 0);
	p.pidfd = -1;
	wait_exit(&p);
	ck_assert_int_eq(proc_state(p.pid), 'Z');
	pid = p.pid;
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	close(null);
}
END_TEST

/*
 * A child that leaves a grandchild in its group, holding stdout: one that
 * keeps running and one that has already exited (its zombie keeps the
 * group). proc_kill reaches the grandchild either way; as a subreaper the
 * test collects it and sees SIGKILL, and stdout then reaches EOF.
 */
static const struct {
	const char *script;
	int sig;  /* how the child ends after proc_kill */
	int code; /* when sig is 0 */
} stray_cases[] = {
    /* exec: a shell could reap the grandchild itself as both die */
    {"sleep 30 & echo $!; exec sleep 30", SIGKILL, 0},
    {"sleep 30 & echo $!; exit 7", 0, 7},
};

START_TEST(test_stray_grandchild)
{
	const char *argv[] = {"/bin/sh", "-c", stray_cases[_i].script, NULL};
	char line[64], rest[64];
	struct pollfd pf;
	struct proc p;
	int null = open_null(), o[2], fds[3], status = 0, n;
	size_t len = 0;
	ssize_t r;
	long gpid;
	pid_t pid;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	make_pipe(o);
	fds[0] = null;
	fds[1] = o[1];
	fds[2] = null;
	spawn(&p, argv, fds, 3);
	pid = p.pid;
	close(o[1]);

	/* The grandchild's pid, one line on stdout. */
	pf.fd = o[0];
	pf.events = POLLIN;
	while (len == 0 || line[len - 1] != '\n') {
		ck_assert_int_eq(poll(&pf, 1, (int)(AB_WAIT_S * 1000)), 1);
		r = read(o[0], line + len, sizeof(line) - 1 - len);
		ck_assert_int_gt(r, 0);
		len += (size_t)r;
		ck_assert_uint_lt(len, sizeof(line) - 1);
	}
	line[len] = '\0';
	ck_assert_int_eq(sscanf(line, "%ld", &gpid), 1);
	ck_assert_int_ne(gpid, pid);
	ck_assert_int_eq(getpgid((pid_t)gpid), pid);

	if (stray_cases[_i].sig == 0) {
		wait_exit(&p);
		ck_assert_int_eq(proc_state(pid), 'Z');
		/* The grandchild lives on and keeps the pipe open. */
		ck_assert_int_eq(kill((pid_t)gpid, 0), 0);
		pf.revents = 0;
		ck_assert_int_eq(poll(&pf, 1, 0), 0);
	}
	proc_kill(&p);
	wait_exit(&p);
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	if (stray_cases[_i].sig != 0)
		ck_assert(WIFSIGNALED(status) &&
		    WTERMSIG(status) == stray_cases[_i].sig);
	else
		ck_assert(WIFEXITED(status) &&
		    WEXITSTATUS(status) == stray_cases[_i].code);

	ck_assert_msg(waitpid((pid_t)gpid, &status, 0) == (pid_t)gpid,
	    "grandchild %ld: %s", gpid, strerror(errno));
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "grandchild status %#x", status);
	read_all(o[0], rest, sizeof(rest));
	ck_assert_str_eq(rest, "");
	n = prctl(PR_SET_CHILD_SUBREAPER, 0);
	ck_assert_int_eq(n, 0);
	close(null);
}
END_TEST

static long long
tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

/*
 * The rusage is the child's own: one that burns 100 ms of CPU reports at
 * least that, exactly what RUSAGE_CHILDREN gains; one that fills a 64 MiB
 * buffer reports a peak RSS above 64 MiB.
 */
START_TEST(test_rusage_cpu)
{
	static const char *const argv[] = {"/bin/sh", "-c",
	    "while :; do :; done", NULL};
	struct rusage ru, before, after;
	struct timespec cpu;
	struct proc p;
	clockid_t clk;
	double deadline, used;
	int null = open_null(), fds[3] = {null, null, null}, status;
	pid_t pid;

	ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &before), 0);
	spawn(&p, argv, fds, 3);
	pid = p.pid;
	ck_assert_int_eq(clock_getcpuclockid(pid, &clk), 0);
	deadline = ab_test_now() + AB_WAIT_S;
	do {
		ck_assert_msg(ab_test_now() < deadline, "no CPU time in %.0f s",
		    AB_WAIT_S);
		sleep_ms(5);
		ck_assert_int_eq(clock_gettime(clk, &cpu), 0);
	} while ((double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9 < 0.1);
	proc_kill(&p);
	wait_exit(&p);
	memset(&ru, 0, sizeof(ru));
	ck_assert_int_eq(proc_reap(&p, &status, &ru), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &after), 0);

	used = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	ck_assert_msg(used >= 0.099, "rusage says %.3f s of CPU", used);
	ck_assert_int_eq(tv_us(&after.ru_utime) - tv_us(&before.ru_utime),
	    tv_us(&ru.ru_utime));
	ck_assert_int_eq(tv_us(&after.ru_stime) - tv_us(&before.ru_stime),
	    tv_us(&ru.ru_stime));
	ck_assert_int_gt(ru.ru_maxrss, 0);
	close(null);
}
END_TEST

static const struct {
	const char *argv[6];
	long min_kb, max_kb; /* ru_maxrss bounds */
} rss_cases[] = {
    {{"/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"},
        64 * 1024, 1L << 30},
    {{"/bin/true"}, 1, 32 * 1024},
};

START_TEST(test_rusage_rss)
{
	int null = open_null(), fds[3] = {null, null, null}, status;
	struct rusage ru;
	struct proc p;
	pid_t pid;

	spawn(&p, rss_cases[_i].argv, fds, 3);
	pid = p.pid;
	wait_exit(&p);
	memset(&ru, 0, sizeof(ru));
	ck_assert_int_eq(proc_reap(&p, &status, &ru), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(ru.ru_maxrss >= rss_cases[_i].min_kb &&
	        ru.ru_maxrss <= rss_cases[_i].max_kb,
	    "%s: maxrss %ld kB", rss_cases[_i].argv[0], ru.ru_maxrss);
	close(null);
}
END_TEST

/*
 * The descriptors a child gets: fds[i] on i, the same source twice, and
 * a fourth one past stderr. The script reads stdin, writes stdout and
 * stderr into one pipe in order, and fd 3 into another.
 */
START_TEST(test_fd_mapping)
{
	static const char *const argv[] = {"/bin/sh", "-c",
	    "read x; echo \"out $x\"; echo \"err $x\" >&2; echo three >&3",
	    NULL};
	char out[256], three[256];
	int in[2], o[2], t[2], fds[4], status;
	struct proc p;
	pid_t pid;

	make_pipe(in);
	make_pipe(o);
	make_pipe(t);
	fds[0] = in[0];
	fds[1] = o[1];
	fds[2] = o[1];
	fds[3] = t[1];
	spawn(&p, argv, fds, 4);
	pid = p.pid;
	close(in[0]);
	close(o[1]);
	close(t[1]);
	ck_assert_int_eq(write(in[1], "hi\n", 3), 3);
	close(in[1]);
	wait_exit(&p);
	read_all(o[0], out, sizeof(out));
	read_all(t[0], three, sizeof(three));
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_str_eq(out, "out hi\nerr hi\n");
	ck_assert_str_eq(three, "three\n");
}
END_TEST

/*
 * Nothing else crosses: ls lists its own /proc/self/fd, which holds the
 * descriptors given plus the one ls opened to read the directory (the
 * lowest free, nfds; with two given, that is where stderr would be). The
 * parent meanwhile holds inheritable descriptors, low and high, that must
 * not show up.
 */
static const struct {
	int nfds;
	const char *want;
} fd_list_cases[] = {
    {2, "0\n1\n2\n"},
    {3, "0\n1\n2\n3\n"},
    {5, "0\n1\n2\n3\n4\n5\n"},
    {AB_PROC_FDS_MAX, "0\n1\n2\n3\n4\n5\n6\n7\n8\n"},
};

START_TEST(test_fd_list)
{
	static const char *const argv[] = {"/bin/ls", "-1", "/proc/self/fd",
	    NULL};
	char out[256], err[256];
	int o[2], e[2], fds[AB_PROC_FDS_MAX], nfds = fd_list_cases[_i].nfds;
	int null = open_null(), low, high, i, status;
	struct proc p;
	pid_t pid;

	low = fcntl(null, F_DUPFD, 3);
	high = fcntl(null, F_DUPFD, 300);
	ck_assert_int_ge(low, 3);
	ck_assert_int_ge(high, 300);
	make_pipe(o);
	make_pipe(e);
	for (i = 0; i < nfds; i++)
		fds[i] = null;
	fds[1] = o[1];
	if (nfds > 2)
		fds[2] = e[1];
	spawn(&p, argv, fds, nfds);
	pid = p.pid;
	close(o[1]);
	close(e[1]);
	wait_exit(&p);
	read_all(o[0], out, sizeof(out));
	read_all(e[0], err, sizeof(err));
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert_str_eq(err, "");
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_str_eq(out, fd_list_cases[_i].want);
	close(low);
	close(high);
	close(null);
}
END_TEST

/*
 * The value of a field in /proc/PID/status text such as "\nSigBlk", in
 * base 16 for the masks and 10 for the ids.
 */
static unsigned long long
status_field(const char *text, const char *field, int base)
{
	const char *at = strstr(text, field);
	unsigned long long v;
	char *end;

	ck_assert_msg(at != NULL, "no %s in status", field);
	at += strlen(field);
	ck_assert_int_eq(at[0], ':');
	errno = 0;
	v = strtoull(at + 1, &end, base);
	ck_assert_msg(errno == 0 && end != at + 1 && *end == '\n',
	    "%s: bad value", field);
	return v;
}

/*
 * The /proc mask bits of the signals from 32 up to SIGRTMIN, which the C
 * library keeps for its threads: its sigaction(2) refuses them, so an
 * ignore inherited from whoever started the test survives into a child
 * (make check starts tests that way).
 */
static unsigned long long
libc_reserved(void)
{
	unsigned long long m = 0;
	int sig;

	for (sig = 32; sig < SIGRTMIN; sig++)
		m |= 1ULL << (sig - 1);
	return m;
}

/* A handler of the parent's, which the child must not keep. */
static void
on_usr2(int sig)
{
	(void)sig;
}

/*
 * The child starts clean whatever the parent's signal state: the parent
 * blocks SIGTERM and SIGUSR1, ignores SIGINT and SIGPIPE and handles
 * SIGUSR2, yet cat reading its own /proc/self/status shows no blocked and
 * no ignored signal, and a process group of its own. The parent's mask
 * and dispositions are as they were.
 */
START_TEST(test_signal_state)
{
	static const char *const argv[] = {"/bin/cat", "/proc/self/status",
	    NULL};
	static const char *const intr[] = {"/bin/sh", "-c",
	    "kill -INT $$; exit 9", NULL};
	struct sigaction sa, old;
	sigset_t block, before, after;
	char out[8192];
	unsigned long long blk, ign, pgid;
	int null = open_null(), o[2], fds[3], status;
	struct proc p;
	pid_t pid;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR2, &sa, NULL), 0);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &before), 0);

	make_pipe(o);
	fds[0] = null;
	fds[1] = o[1];
	fds[2] = null;
	spawn(&p, argv, fds, 3);
	pid = p.pid;
	close(o[1]);
	wait_exit(&p);
	read_all(o[0], out, sizeof(out));
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	blk = status_field(out, "\nSigBlk", 16);
	ign = status_field(out, "\nSigIgn", 16);
	pgid = status_field(out, "\nNSpgid", 10);
	ck_assert_msg(blk == 0, "SigBlk %llx", blk);
	ck_assert_msg((ign & ~libc_reserved()) == 0, "SigIgn %llx", ign);
	ck_assert_uint_eq(pgid, (unsigned long long)pid);

	/* An inherited SIG_IGN would have kept this shell alive. */
	fds[1] = null;
	spawn(&p, intr, fds, 3);
	pid = p.pid;
	wait_exit(&p);
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
	    "status %#x", status);

	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &after), 0);
	ck_assert_int_eq(sigismember(&after, SIGTERM), 1);
	ck_assert_int_eq(sigismember(&after, SIGUSR1), 1);
	ck_assert_int_eq(sigismember(&after, SIGUSR2), 0);
	ck_assert_int_eq(sigismember(&after, SIGCHLD), 0);
	ck_assert_int_eq(memcmp(&before, &after, sizeof(before)), 0);
	ck_assert_int_eq(sigaction(SIGINT, NULL, &old), 0);
	ck_assert_ptr_eq(old.sa_handler, SIG_IGN);
	ck_assert_int_eq(sigaction(SIGUSR2, NULL, &old), 0);
	ck_assert_ptr_eq(old.sa_handler, on_usr2);
	close(null);
}
END_TEST

/* Descriptor counts proc_spawn refuses before it forks. */
static const int bad_nfds[] = {-1, AB_PROC_FDS_MAX + 1, 1000};

START_TEST(test_bad_nfds)
{
	static const char *const argv[] = {"/bin/true", NULL};
	int null = open_null(), fds[AB_PROC_FDS_MAX + 1], i;
	char msg[256] = "";
	struct proc p = {1234, 5678};

	for (i = 0; i < AB_PROC_FDS_MAX + 1; i++)
		fds[i] = null;
	ck_assert_int_eq(proc_spawn(&p, argv[0], (char *const *)argv, child_env,
	                     fds, bad_nfds[_i], msg, sizeof(msg)),
	    -1);
	ck_assert_str_eq(msg, "proc: descriptor count: Invalid argument");
	ck_assert_int_eq(p.pid, -1);
	ck_assert_int_eq(p.pidfd, -1);
	/* No child came of it, and err may be NULL. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(proc_spawn(&p, argv[0], (char *const *)argv, child_env,
	                     fds, bad_nfds[_i], NULL, 0),
	    -1);
	ck_assert_int_eq(p.pid, -1);
	close(null);
}
END_TEST

/*
 * A descriptor that is not open: the child cannot set up, says so on the
 * stderr it inherited (captured here) and exits AB_PROC_EXEC_FAILED; with
 * no stderr of its own to give (nfds <= 2) it says nothing.
 */
static const struct {
	int bad, nfds;
	const char *err;
} bad_fd_cases[] = {
    {0, 3, "proc: dup: Bad file descriptor\n"},
    {2, 3, "proc: dup: Bad file descriptor\n"},
    {1, 2, ""},
};

START_TEST(test_bad_fd)
{
	static const char *const argv[] = {"/bin/true", NULL};
	int null = open_null(), closed, e[2], saved, fds[3], i, status;
	char err[256];
	struct proc p;
	pid_t pid;

	/* Far above anything open, so no later open can take it. */
	closed = 1000;
	ck_assert_int_eq(fcntl(closed, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	for (i = 0; i < 3; i++)
		fds[i] = null;
	fds[bad_fd_cases[_i].bad] = closed;

	make_pipe(e);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(e[1], STDERR_FILENO), STDERR_FILENO);
	close(e[1]);
	spawn(&p, argv, fds, bad_fd_cases[_i].nfds);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	pid = p.pid;
	wait_exit(&p);
	read_all(e[0], err, sizeof(err));
	ck_assert_int_eq(proc_reap(&p, &status, NULL), pid);
	ck_assert_msg(WIFEXITED(status) &&
	        WEXITSTATUS(status) == AB_PROC_EXEC_FAILED,
	    "status %#x", status);
	ck_assert_str_eq(err, bad_fd_cases[_i].err);
	close(null);
}
END_TEST

/*
 * Many children, finished, killed and failed, leave the parent with
 * exactly the descriptors it had and no child.
 */
START_TEST(test_no_fd_leak)
{
	static const char *const ok[] = {"/bin/true", NULL};
	static const char *const sleeper[] = {"/bin/sleep", "30", NULL};
	static const char *const missing[] = {"/nonexistent/x", NULL};
	int null = open_null(), fds[3] = {null, null, null}, before, i;
	struct proc p;

	before = ab_test_count_fds();
	for (i = 0; i < 30; i++) {
		const char *const *argv = i % 3 == 0 ? ok
		    : i % 3 == 1                     ? sleeper
		                                     : missing;

		spawn(&p, argv, fds, 3);
		if (i % 3 == 1)
			proc_kill(&p);
		wait_exit(&p);
		ck_assert_int_gt(proc_reap(&p, NULL, NULL), 0);
		ck_assert_int_eq(ab_test_count_fds(), before);
	}
	ck_assert_int_eq(proc_spawn(&p, ok[0], (char *const *)ok, child_env,
	                     fds, -1, NULL, 0),
	    -1);
	ck_assert_int_eq(ab_test_count_fds(), before);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	close(null);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("proc");

	tcase_add_loop_test(tc, test_run, 0, (int)NELEM(run_cases));
	tcase_add_test(tc, test_kill_and_reap);
	tcase_add_test(tc, test_without_pidfd);
	tcase_add_loop_test(tc, test_stray_grandchild, 0,
	    (int)NELEM(stray_cases));
	tcase_add_test(tc, test_rusage_cpu);
	tcase_add_loop_test(tc, test_rusage_rss, 0, (int)NELEM(rss_cases));
	tcase_add_test(tc, test_fd_mapping);
	tcase_add_loop_test(tc, test_fd_list, 0, (int)NELEM(fd_list_cases));
	tcase_add_test(tc, test_signal_state);
	tcase_add_loop_test(tc, test_bad_nfds, 0, (int)NELEM(bad_nfds));
	tcase_add_loop_test(tc, test_bad_fd, 0, (int)NELEM(bad_fd_cases));
	tcase_add_test(tc, test_no_fd_leak);
	/* Each case takes well under a second; this is for a busy machine. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
