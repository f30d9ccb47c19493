/* SPDX-License-Identifier: MIT */
/*
 * Tests for notify.c: the test binds an AF_UNIX datagram socket (a path
 * in a scratch directory, or an abstract "@" name), points NOTIFY_SOCKET
 * at it and reads back each message byte for byte, with the sender's pid
 * from SCM_CREDENTIALS. Also: silence without NOTIFY_SOCKET or with one
 * that cannot be used, the watchdog period from WATCHDOG_USEC and
 * WATCHDOG_PID, and the pacing of WATCHDOG=1. Built without libsystemd,
 * the same cases expect no message at all and no watchdog.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "notify.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#ifdef HAVE_LIBSYSTEMD
#define AB_HAVE_NOTIFY 1
#else
#define AB_HAVE_NOTIFY 0
#endif

/* A datagram socket standing in for the service manager. */
struct sink {
	int fd;
	char dir[sizeof(AB_TEST_TMPDIR)]; /* "" for an abstract socket */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char env[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
};

/* A clean environment: no leftovers from the shell running the suite. */
static void
clear_env(void)
{
	ck_assert_int_eq(unsetenv("NOTIFY_SOCKET"), 0);
	ck_assert_int_eq(unsetenv("WATCHDOG_USEC"), 0);
	ck_assert_int_eq(unsetenv("WATCHDOG_PID"), 0);
}

/*
 * Binds s to a path in a new scratch directory, or to a unique abstract
 * name, with SO_PASSCRED so each message says who sent it. NOTIFY_SOCKET
 * is left to the caller; s->env holds the value that names the socket.
 */
static void
sink_open(struct sink *s, int abstract)
{
	static unsigned seq;
	struct sockaddr_un sa;
	socklen_t salen;
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s->fd, 0);
	ck_assert_int_eq(setsockopt(s->fd, SOL_SOCKET, SO_PASSCRED, &one,
	                     sizeof(one)),
	    0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (abstract) {
		snprintf(s->path, sizeof(s->path), "abtest-notify-%ld-%u",
		    (long)getpid(), seq++);
		snprintf(s->env, sizeof(s->env), "@%s", s->path);
		/* sun_path[0] == '\0', then the name without a terminator. */
		memcpy(sa.sun_path + 1, s->path, strlen(s->path));
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		    strlen(s->path));
	} else {
		ab_test_mkdtemp(s->dir, sizeof(s->dir));
		snprintf(s->path, sizeof(s->path), "%s/notify", s->dir);
		snprintf(s->env, sizeof(s->env), "%s", s->path);
		memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
		salen = (socklen_t)sizeof(sa);
	}
	ck_assert_msg(bind(s->fd, (struct sockaddr *)&sa, salen) == 0,
	    "bind %s: %s", s->env, strerror(errno));
}

static void
sink_close(struct sink *s)
{
	ck_assert_int_eq(close(s->fd), 0);
	if (s->dir[0] != '\0')
		ck_assert_int_eq(ab_test_rm_tree(s->dir), 0);
}

/*
 * The next datagram already queued on s, into buf (len bytes, terminated)
 * with the sender's pid in *pid; returns its length, or -1 if none is
 * waiting. sd_notify(3) sends before it returns, so none waiting means
 * none was sent.
 */
static ssize_t
sink_recv(const struct sink *s, char *buf, size_t len, pid_t *pid)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = {buf, len - 1};
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	*pid = -1;
	n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
	if (n == -1) {
		ck_assert_msg(errno == EAGAIN, "recvmsg: %s", strerror(errno));
		return -1;
	}
	ck_assert_msg(!(mh.msg_flags & MSG_TRUNC), "datagram over %zu bytes",
	    len - 1);
	buf[n] = '\0';
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_CREDENTIALS) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
			*pid = uc.pid;
		}
	}
	return n;
}

/* Fails unless s has nothing queued. */
static void
assert_silent(const struct sink *s, const char *what)
{
	char buf[1024];
	pid_t pid;

	ck_assert_msg(sink_recv(s, buf, sizeof(buf), &pid) == -1,
	    "%s: unexpected \"%s\"", what, buf);
}

/*
 * Fails unless the next message on s is exactly want, from this process,
 * and is the only one queued. Without libsystemd, fails unless s is silent.
 */
static void
assert_message(const struct sink *s, const char *want, const char *what)
{
	char buf[1024];
	pid_t pid;
	ssize_t n;

	if (!AB_HAVE_NOTIFY) {
		assert_silent(s, what);
		return;
	}
	n = sink_recv(s, buf, sizeof(buf), &pid);
	ck_assert_msg(n >= 0, "%s: no message", what);
	ck_assert_msg(strcmp(buf, want) == 0 && (size_t)n == strlen(want),
	    "%s: got \"%s\" (%zd bytes), want \"%s\"", what, buf, n, want);
	ck_assert_int_eq(pid, getpid());
	assert_silent(s, what);
}

/* Each call the module offers, and the datagram it must produce. */
enum call {
	C_READY,
	C_READY_EMPTY,
	C_READY_LONG,
	C_STATUS,
	C_STATUS_PCT,
	C_STATUS_LONG,
	C_STOPPING,
	C_WATCHDOG
};

static const struct {
	const char *name;
	enum call call;
	const char *want; /* NULL: built by long_want() */
} message_cases[] = {
    {"ready", C_READY, "READY=1\nSTATUS=listening on http://127.0.0.1:8080/"},
    {"ready, empty status", C_READY_EMPTY, "READY=1\nSTATUS="},
    {"ready, truncated", C_READY_LONG, NULL},
    {"status", C_STATUS, "STATUS=run 3/12: jemalloc python3.11"},
    {"status, percent", C_STATUS_PCT, "STATUS=100% of 5 rounds"},
    {"status, truncated", C_STATUS_LONG, NULL},
    {"stopping", C_STOPPING, "STOPPING=1\nSTATUS=stopping"},
    {"watchdog", C_WATCHDOG, "WATCHDOG=1"},
};

/* 600 x's: more than a message can carry. */
static void
long_text(char *buf, size_t len)
{
	ck_assert_uint_gt(len, 600);
	memset(buf, 'x', 600);
	buf[600] = '\0';
}

/* A truncated message: prefix then x's up to 511 bytes in all. */
static void
long_want(char *buf, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	ck_assert_uint_gt(len, 511);
	memcpy(buf, prefix, n);
	memset(buf + n, 'x', 511 - n);
	buf[511] = '\0';
}

/* Makes the module call of case c. */
static void
make_call(enum call c)
{
	char text[1024];

	switch (c) {
	case C_READY:
		notify_ready("listening on http://127.0.0.1:8080/");
		break;
	case C_READY_EMPTY:
		notify_ready("");
		break;
	case C_READY_LONG:
		long_text(text, sizeof(text));
		notify_ready(text);
		break;
	case C_STATUS:
		notify_status("run %d/%d: %s %s", 3, 12, "jemalloc",
		    "python3.11");
		break;
	case C_STATUS_PCT:
		notify_status("%d%% of %u rounds", 100, 5u);
		break;
	case C_STATUS_LONG:
		long_text(text, sizeof(text));
		notify_status("%s", text);
		break;
	case C_STOPPING:
		notify_stopping();
		break;
	case C_WATCHDOG:
		notify_watchdog();
		break;
	}
}

/*
 * Every message, to a socket on a path (even _i) and to an abstract one
 * (odd _i). With a period of 1 us, half of it is always over, so
 * WATCHDOG=1 goes at once.
 */
START_TEST(test_messages)
{
	int k = _i / 2;
	const char *want = message_cases[k].want;
	char wantbuf[1024], what[128];
	struct sink s;

	clear_env();
	sink_open(&s, _i % 2);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", s.env, 1), 0);
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "1", 1), 0);
	snprintf(what, sizeof(what), "%s to %s", message_cases[k].name, s.env);
	if (message_cases[k].call == C_READY_LONG) {
		long_want(wantbuf, sizeof(wantbuf), "READY=1\nSTATUS=");
		want = wantbuf;
	} else if (message_cases[k].call == C_STATUS_LONG) {
		long_want(wantbuf, sizeof(wantbuf), "STATUS=");
		want = wantbuf;
	}
	make_call(message_cases[k].call);
	assert_message(&s, want, what);
	/* NOTIFY_SOCKET stays for the next call. */
	ck_assert_str_eq(getenv("NOTIFY_SOCKET"), s.env);
	sink_close(&s);
}
END_TEST

/* Every call without NOTIFY_SOCKET: nothing reaches the socket. */
START_TEST(test_no_socket)
{
	struct sink s;
	size_t k;

	clear_env();
	sink_open(&s, _i);
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "1", 1), 0);
	for (k = 0; k < NELEM(message_cases); k++) {
		make_call(message_cases[k].call);
		assert_silent(&s, message_cases[k].name);
	}
	sink_close(&s);
}
END_TEST

/*
 * NOTIFY_SOCKET values that cannot be used: the calls return and nothing
 * arrives at the socket bound as "notify" in the current directory.
 */
static const char *const bad_sockets[] = {
    "",       /* empty */
    "notify", /* relative: sd_notify(3) wants "/" or "@" */
    "@",      /* an abstract socket with no name */
    NULL,     /* an absolute path nobody listens on */
};

START_TEST(test_bad_socket)
{
	char cwd[4096], env[sizeof(AB_TEST_TMPDIR) + 32];
	struct sink s;
	size_t k;

	clear_env();
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	sink_open(&s, 0);
	ck_assert_int_eq(chdir(s.dir), 0);
	if (bad_sockets[_i] != NULL)
		snprintf(env, sizeof(env), "%s", bad_sockets[_i]);
	else
		snprintf(env, sizeof(env), "%s/nobody", s.dir);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", env, 1), 0);
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "1", 1), 0);
	for (k = 0; k < NELEM(message_cases); k++) {
		make_call(message_cases[k].call);
		assert_silent(&s, message_cases[k].name);
	}
	ck_assert_int_eq(chdir(cwd), 0);
	sink_close(&s);
}
END_TEST

/* WATCHDOG_PID values: the real pid is filled in for SELF. */
#define SELF "self"

static const struct {
	const char *usec, *pid;
	uint64_t want;
} watchdog_cases[] = {
    {NULL, NULL, 0}, {"30000000", NULL, 30000000}, {"1", NULL, 1},
    {"30000000", SELF, 30000000},
    {"30000000", "1", 0}, /* meant for another process */
    {"30000000", "junk", 0}, {"30000000", "", 0},
    {"0", NULL, 0}, /* zero is off */
    {"", NULL, 0}, {"junk", NULL, 0}, {"30s", NULL, 0}, {"-30000000", NULL, 0},
    {"18446744073709551615", NULL, 0}, /* infinity is off */
    {"18446744073709551616", NULL, 0}, /* overflow */
};

START_TEST(test_watchdog_usec)
{
	const char *usec = watchdog_cases[_i].usec,
	           *pid = watchdog_cases[_i].pid;
	char self[32];
	uint64_t want = AB_HAVE_NOTIFY ? watchdog_cases[_i].want : 0;

	clear_env();
	if (usec != NULL)
		ck_assert_int_eq(setenv("WATCHDOG_USEC", usec, 1), 0);
	if (pid != NULL && strcmp(pid, SELF) == 0) {
		snprintf(self, sizeof(self), "%ld", (long)getpid());
		pid = self;
	}
	if (pid != NULL)
		ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_msg(notify_watchdog_usec() == want,
	    "WATCHDOG_USEC=%s WATCHDOG_PID=%s: %llu, want %llu",
	    usec ? usec : "(unset)", pid ? pid : "(unset)",
	    (unsigned long long)notify_watchdog_usec(),
	    (unsigned long long)want);
	/* The environment is left for the next call. */
	if (usec != NULL)
		ck_assert_str_eq(getenv("WATCHDOG_USEC"), usec);
}
END_TEST

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * WATCHDOG=1 goes out at most once per half period, counted from the last
 * ping or READY=1 (the period is read afresh on every call).
 */
START_TEST(test_watchdog_pacing)
{
	struct sink s;

	clear_env();
	sink_open(&s, 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", s.env, 1), 0);

	/* A one-hour period: nothing is due within this test after READY. */
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "3600000000", 1), 0);
	notify_ready("up");
	assert_message(&s, "READY=1\nSTATUS=up", "ready");
	notify_watchdog();
	assert_silent(&s, "ping right after READY=1");
	notify_status("busy");
	assert_message(&s, "STATUS=busy", "status");
	notify_watchdog();
	assert_silent(&s, "ping after STATUS=");

	/* 100 ms: after 60 ms of sleep (at least), half the period is over. */
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "100000", 1), 0);
	notify_ready("up");
	assert_message(&s, "READY=1\nSTATUS=up", "ready again");
	sleep_ms(60);
	notify_watchdog();
	assert_message(&s, "WATCHDOG=1", "ping after half the period");
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "3600000000", 1), 0);
	notify_watchdog();
	assert_silent(&s, "second ping at once");

	/* A period meant for another process: no ping at all. */
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "1", 1), 0);
	ck_assert_int_eq(setenv("WATCHDOG_PID", "1", 1), 0);
	notify_watchdog();
	assert_silent(&s, "ping for another pid");
	ck_assert_int_eq(unsetenv("WATCHDOG_PID"), 0);
	notify_watchdog();
	assert_message(&s, "WATCHDOG=1", "ping once it is ours");

	/* No watchdog: no ping, however long since the last one. */
	ck_assert_int_eq(unsetenv("WATCHDOG_USEC"), 0);
	notify_watchdog();
	assert_silent(&s, "ping without WATCHDOG_USEC");
	sink_close(&s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_loop_test(tc, test_messages, 0,
	    (int)(2 * NELEM(message_cases)));
	tcase_add_loop_test(tc, test_no_socket, 0, 2);
	tcase_add_loop_test(tc, test_bad_socket, 0, (int)NELEM(bad_sockets));
	tcase_add_loop_test(tc, test_watchdog_usec, 0,
	    (int)NELEM(watchdog_cases));
	tcase_add_test(tc, test_watchdog_pacing);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
