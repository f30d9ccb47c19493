/* SPDX-License-Identifier: MIT */
/*
 * Runs the workload once, in the manner of tmux job.c: the child gets its
 * own process group, a clean environment, /dev/null on stdin and stdout, a
 * pipe on stderr, another on AB_REPORT_FD for the JSON report, and no other
 * descriptor. The parent polls both pipes and a pidfd until the child exits,
 * the timeout passes or the caller cancels; then it kills whatever is left
 * of the group, reaps the child with wait4 for its rusage, checks the
 * report, and verifies by device and inode that malloc came from the
 * allocator the run claims to measure.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "runner.h"
#include "xmalloc.h"

#define AB_REPORT_MAX (64 * 1024) /* a longer report is rejected */
#define AB_TAIL_KEEP  1024        /* stderr bytes quoted in errors */
#define AB_TAIL_BUF   (4 * AB_TAIL_KEEP)
#define AB_READ_MAX   (64 * 1024) /* read per wakeup and pipe */
#define AB_TICK_MS    100         /* longest sleep between checks of *cancel */
#define AB_DRAIN_MS   1000        /* how long leftovers may hold the pipes */
#define AB_MSG_MAX    (2 * PATH_MAX + 256)

enum outcome { OUT_EXITED, OUT_TIMEOUT, OUT_CANCELLED, OUT_ERROR };

/* The last bytes the child wrote to stderr. */
struct tail {
	char buf[AB_TAIL_BUF];
	size_t len;
	int cut; /* bytes were dropped from the front */
};

/* Parent-side state of one child. */
struct child {
	struct proc proc;
	int repfd; /* read ends, -1 once at EOF */
	int errfd;
	char *rep; /* AB_REPORT_MAX + 1 bytes */
	size_t replen;
	int rep_big; /* the report overflowed AB_REPORT_MAX */
	struct tail tail;
};

static void say(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t
realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		(void)close(*fd);
		*fd = -1;
	}
}

static void
signame(int sig, char *buf, size_t len)
{
#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *s = sigabbrev_np(sig);

	if (s != NULL)
		say(buf, len, "SIG%s", s);
	else
		say(buf, len, "unknown signal");
#else
	say(buf, len, "%s", strsignal(sig));
#endif
}

static void
tail_add(struct tail *t, const char *p, size_t n)
{
	size_t drop;

	if (n >= sizeof(t->buf)) {
		p += n - sizeof(t->buf);
		n = sizeof(t->buf);
		t->len = 0;
		t->cut = 1;
	} else if (t->len + n > sizeof(t->buf)) {
		drop = t->len + n - sizeof(t->buf);
		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
		t->cut = 1;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/*
 * Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF), or 0 for an invalid one or a control
 * character other than tab and newline.
 */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	size_t k, i;
	unsigned cp;

	if (p[0] < 0x80)
		return (p[0] >= 0x20 && p[0] != 0x7f) || p[0] == '\n' ||
		        p[0] == '\t'
		    ? 1
		    : 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		k = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		k = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		k = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (k > left)
		return 0;
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

/*
 * The last AB_TAIL_KEEP bytes of stderr, from a line start when the cut
 * fell inside a line, trimmed, as valid UTF-8 text: invalid sequences and
 * control characters (NUL, escape...) become '?', so the error is safe in
 * JSON, in the journal and on a terminal.
 */
static void
tail_text(const struct tail *t, char *dst, size_t dstlen)
{
	const char *p = t->buf, *end = t->buf + t->len, *nl;
	size_t i, n;
	int midline = t->cut;

	if (t->len > AB_TAIL_KEEP) {
		p = end - AB_TAIL_KEEP;
		midline = p[-1] != '\n';
	}
	if (midline) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl != NULL && nl + 1 < end)
			p = nl + 1;
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - p);
	if (n >= dstlen)
		n = dstlen - 1;
	for (i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)p + i, n - i);

		if (k == 0) {
			dst[i++] = '?';
			continue;
		}
		memcpy(dst + i, p + i, k);
		i += k;
	}
	dst[n] = '\0';
}

/*
 * Reads what the report or stderr pipe (fdnum) holds without blocking, up
 * to AB_READ_MAX bytes so that a child flooding it cannot keep us from the
 * clock; closes it at EOF or on error.
 */
static void
pipe_read(struct child *c, int fdnum)
{
	int *fd = fdnum == c->repfd ? &c->repfd : &c->errfd;
	char buf[4096];
	size_t room, take, total;
	ssize_t n;

	for (total = 0; total < AB_READ_MAX;) {
		n = read(*fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			close_fd(fd);
			return;
		}
		total += (size_t)n;
		if (fd == &c->errfd) {
			tail_add(&c->tail, buf, (size_t)n);
			continue;
		}
		room = AB_REPORT_MAX - c->replen;
		take = (size_t)n < room ? (size_t)n : room;
		memcpy(c->rep + c->replen, buf, take);
		c->replen += take;
		c->rep[c->replen] = '\0';
		if (take < (size_t)n)
			c->rep_big = 1;
	}
}

static void
pfd_add(struct pollfd *pfd, nfds_t *n, int fd)
{
	if (fd != -1) {
		pfd[*n].fd = fd;
		pfd[*n].events = POLLIN;
		pfd[*n].revents = 0;
		(*n)++;
	}
}

/*
 * Polls the pipes and the pidfd (or, without one, polls waitid every tick)
 * until the child exits, the deadline passes or *cancel is set. The child
 * is left unreaped so its pid and process group stay valid.
 */
static enum outcome
child_wait(struct child *c, const struct runner_spec *spec, double deadline,
    double *t_end, int *err_no)
{
	struct pollfd pfd[3];
	nfds_t n;
	double left;
	int ms, r, i;

	for (;;) {
		if (spec->tick != NULL)
			spec->tick(spec->tick_arg);
		if (spec->cancel != NULL && *spec->cancel)
			return OUT_CANCELLED;
		if (c->proc.pidfd == -1 && proc_exited(&c->proc)) {
			*t_end = mono_now();
			return OUT_EXITED;
		}
		left = deadline - mono_now();
		if (left <= 0)
			return OUT_TIMEOUT;
		ms = (int)ceil(left * 1000);
		if (ms > AB_TICK_MS)
			ms = AB_TICK_MS;

		n = 0;
		pfd_add(pfd, &n, c->proc.pidfd);
		pfd_add(pfd, &n, c->repfd);
		pfd_add(pfd, &n, c->errfd);
		r = poll(pfd, n, ms);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*err_no = errno;
			return OUT_ERROR;
		}
		for (i = 0; i < (int)n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == c->proc.pidfd) {
				*t_end = mono_now();
				return OUT_EXITED;
			}
			pipe_read(c, pfd[i].fd);
		}
	}
}

/*
 * Reads the pipes to EOF once the group is dead, but gives up after
 * AB_DRAIN_MS in case an escaped descendant still holds a write end.
 */
static void
child_drain(struct child *c)
{
	struct pollfd pfd[2];
	double deadline = mono_now() + AB_DRAIN_MS / 1000.0, left;
	nfds_t n;
	int i;

	for (;;) {
		n = 0;
		pfd_add(pfd, &n, c->repfd);
		pfd_add(pfd, &n, c->errfd);
		left = deadline - mono_now();
		if (n == 0 || left <= 0)
			return;
		if (poll(pfd, n, (int)ceil(left * 1000)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (i = 0; i < (int)n; i++) {
			if (pfd[i].revents != 0)
				pipe_read(c, pfd[i].fd);
		}
	}
}

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Sets out->error to msg, followed by the stderr tail when there is one. */
static void
set_error(struct run *out, const char *msg, const char *tail)
{
	free(out->error);
	if (tail != NULL && *tail != '\0')
		out->error = xasprintf("%s; stderr: %s", msg, tail);
	else
		out->error = xstrdup(msg);
}

static int
bad_string(const cJSON *item, int nullable, const char *key, char *msg,
    size_t msglen)
{
	if (item == NULL) {
		say(msg, msglen, "bad report: missing %s", key);
		return -1;
	}
	if (cJSON_IsString(item) && item->valuestring != NULL)
		return 0;
	if (nullable && cJSON_IsNull(item))
		return 0;
	say(msg, msglen, "bad report: %s is not a string%s", key,
	    nullable ? " or null" : "");
	return -1;
}

/*
 * Checks the workload's report and copies it into out; *libc gets the
 * reported libc path (free(3)) or NULL. Returns 0, or -1 with the reason
 * in msg and out untouched.
 */
static int
report_parse(const char *buf, size_t len, struct run *out, char **libc,
    char *msg, size_t msglen)
{
	cJSON *root = NULL;
	const cJSON *phases, *item, *python, *provider, *lc;
	double phase[PHASE_N], v;
	const char *name;
	int i, rc = -1;

	if (len == 0) {
		say(msg, msglen, "bad report: nothing written to fd %d",
		    AB_REPORT_FD);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		say(msg, msglen, "bad report: contains a NUL byte");
		goto out;
	}
	root = cJSON_ParseWithOpts(buf, NULL, 1);
	if (root == NULL) {
		say(msg, msglen, "bad report: not JSON");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		say(msg, msglen, "bad report: not a JSON object");
		goto out;
	}
	python = cJSON_GetObjectItemCaseSensitive(root, "python");
	if (bad_string(python, 0, "python", msg, msglen) == -1)
		goto out;
	item = cJSON_GetObjectItemCaseSensitive(root, "iterations");
	if (!cJSON_IsNumber(item) ||
	    item->valuedouble != (double)out->iterations) {
		say(msg, msglen, "bad report: iterations is not %ld",
		    out->iterations);
		goto out;
	}
	phases = cJSON_GetObjectItemCaseSensitive(root, "phases");
	if (!cJSON_IsObject(phases)) {
		say(msg, msglen, "bad report: %s phases",
		    phases == NULL ? "missing" : "not an object:");
		goto out;
	}
	for (i = 0; i < PHASE_N; i++) {
		name = run_phase_name((enum run_phase)i);
		item = cJSON_GetObjectItemCaseSensitive(phases, name);
		if (item == NULL) {
			say(msg, msglen, "bad report: missing phases.%s", name);
			goto out;
		}
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) ||
		    item->valuedouble < 0) {
			say(msg, msglen,
			    "bad report: phases.%s is not a number >= 0", name);
			goto out;
		}
		phase[i] = item->valuedouble;
	}
	provider = cJSON_GetObjectItemCaseSensitive(root, "malloc_provider");
	if (bad_string(provider, 1, "malloc_provider", msg, msglen) == -1)
		goto out;
	lc = cJSON_GetObjectItemCaseSensitive(root, "libc");
	if (bad_string(lc, 1, "libc", msg, msglen) == -1)
		goto out;

	out->python_version = xstrdup(python->valuestring);
	for (i = 0; i < PHASE_N; i++)
		out->phase_s[i] = phase[i];
	if (cJSON_IsString(provider))
		out->malloc_provider = xstrdup(provider->valuestring);
	*libc = cJSON_IsString(lc) ? xstrdup(lc->valuestring) : NULL;
	item = cJSON_GetObjectItemCaseSensitive(root, "vmhwm_kb");
	if (cJSON_IsNumber(item)) {
		v = item->valuedouble;
		if (isfinite(v) && v >= 0 && v < (double)LONG_MAX)
			out->vmhwm_kb = (long)v;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/*
 * Why a run may have died of sig, for the two signals a run on a small
 * board meets without any bug in it: the runner sends SIGKILL only on a
 * timeout or a cancel, which are judged apart, so a SIGKILL here came from
 * elsewhere, usually the kernel's OOM killer (or a cgroup's MemoryMax=);
 * SIGILL is what code built for a newer CPU than this one gets.
 */
static const char *
signal_hint(int sig)
{
	switch (sig) {
	case SIGKILL:
		return ": not sent by allocbenchd; most likely the "
		       "out-of-memory killer (too little memory for this "
		       "many iterations)";
	case SIGILL:
		return ": an illegal instruction; the interpreter or the "
		       "allocator was built for a newer CPU than this one";
	default:
		return "";
	}
}

/* Judges a child that exited on its own: exit status, report, provider. */
static void
judge_exit(const struct child *c, const struct runner_spec *spec, int status,
    const char *tail, struct run *out)
{
	char msg[AB_MSG_MAX], sname[32];
	char *libc = NULL;

	if (WIFSIGNALED(status)) {
		signame(WTERMSIG(status), sname, sizeof(sname));
		say(msg, sizeof(msg), "killed by signal %d (%s)%s",
		    WTERMSIG(status), sname, signal_hint(WTERMSIG(status)));
		out->status = RUN_FAILED;
	} else if (WEXITSTATUS(status) != 0) {
		say(msg, sizeof(msg), "exit status %d", WEXITSTATUS(status));
		out->status = RUN_FAILED;
	} else if (c->rep_big) {
		say(msg, sizeof(msg), "report too large (over %d bytes)",
		    AB_REPORT_MAX);
		out->status = RUN_FAILED;
	} else if (report_parse(c->rep, c->replen, out, &libc, msg,
	               sizeof(msg)) == -1) {
		out->status = RUN_FAILED;
	} else if (runner_verify(out->malloc_provider, spec->preload, libc, msg,
	               sizeof(msg)) == 0) {
		out->status = RUN_UNVERIFIED;
	} else {
		out->status = RUN_OK;
	}
	if (out->status != RUN_OK)
		set_error(out, msg, tail);
	free(libc);
}

/*
 * Runs one child to completion as runner.h describes. Everything the child
 * needs (argv, environment, descriptors) is made before fork, since the
 * daemon may have threads and the child may only make async-signal-safe
 * calls until execve.
 */
int
runner_run(const struct runner_spec *spec, struct run *out, char *err,
    size_t errlen)
{
	struct child c;
	struct rusage ru;
	enum outcome how;
	char **envp = NULL;
	char *argv[5], iters[32], fdstr[16], tail[AB_TAIL_KEEP + 1];
	char msg[AB_MSG_MAX];
	int repp[2] = {-1, -1}, errp[2] = {-1, -1}, nullfd = -1;
	int fds[AB_REPORT_FD + 1];
	int status = 0, err_no = 0, rc = -1;
	double t0, t_end = 0;
	pid_t w;

	memset(&c, 0, sizeof(c));
	c.proc.pid = -1;
	c.proc.pidfd = c.repfd = c.errfd = -1;
	run_init(out);
	out->iterations = spec->iterations;
	out->started_ms = realtime_ms();

	if (spec->interpreter == NULL || spec->workload == NULL ||
	    !(spec->timeout_s > 0) || !isfinite(spec->timeout_s)) {
		say(err, errlen, "runner: bad spec");
		goto out;
	}
	if (pipe2(repp, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		say(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		say(err, errlen, "/dev/null: %s", strerror(errno));
		goto out;
	}
	/* Only our read ends: the workload's writes must block, not fail. */
	if (fcntl(repp[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(errp[0], F_SETFL, O_NONBLOCK) == -1) {
		say(err, errlen, "fcntl: %s", strerror(errno));
		goto out;
	}

	envp = runner_environ(spec);
	(void)snprintf(iters, sizeof(iters), "%ld", spec->iterations);
	(void)snprintf(fdstr, sizeof(fdstr), "%d", AB_REPORT_FD);
	argv[0] = (char *)spec->interpreter;
	argv[1] = (char *)spec->workload;
	argv[2] = iters;
	argv[3] = fdstr;
	argv[4] = NULL;
	fds[STDIN_FILENO] = nullfd;
	fds[STDOUT_FILENO] = nullfd;
	fds[STDERR_FILENO] = errp[1];
	fds[AB_REPORT_FD] = repp[1];
	c.rep = xmalloc(AB_REPORT_MAX + 1);
	c.rep[0] = '\0';

	t0 = mono_now();
	if (proc_spawn(&c.proc, spec->interpreter, argv, envp, fds,
	        AB_REPORT_FD + 1, err, errlen) == -1)
		goto out;
	close_fd(&repp[1]);
	close_fd(&errp[1]);
	close_fd(&nullfd);
	c.repfd = repp[0];
	c.errfd = errp[0];
	repp[0] = errp[0] = -1;

	err_no = 0;
	how = child_wait(&c, spec, t0 + spec->timeout_s, &t_end, &err_no);
	proc_kill(&c.proc);
	w = proc_reap(&c.proc, &status, &ru);
	if (how != OUT_EXITED)
		t_end = mono_now();
	if (w == -1) {
		err_no = errno;
		how = OUT_ERROR;
	}
	child_drain(&c);
	tail_text(&c.tail, tail, sizeof(tail));

	out->wall_s = t_end - t0;
	if (w != -1) {
		out->user_s = tv_s(ru.ru_utime);
		out->sys_s = tv_s(ru.ru_stime);
		out->maxrss_kb = ru.ru_maxrss;
		out->minflt = ru.ru_minflt;
		out->majflt = ru.ru_majflt;
		out->nvcsw = ru.ru_nvcsw;
		out->nivcsw = ru.ru_nivcsw;
		if (WIFEXITED(status)) {
			out->exit_code = WEXITSTATUS(status);
			out->term_signal = 0;
		} else if (WIFSIGNALED(status)) {
			out->exit_code = -1;
			out->term_signal = WTERMSIG(status);
		}
	}

	switch (how) {
	case OUT_EXITED:
		judge_exit(&c, spec, status, tail, out);
		break;
	case OUT_TIMEOUT:
		out->status = RUN_TIMEOUT;
		say(msg, sizeof(msg), "timed out after %.1f s",
		    spec->timeout_s);
		set_error(out, msg, tail);
		break;
	case OUT_CANCELLED:
		out->status = RUN_FAILED;
		set_error(out, "cancelled", NULL);
		break;
	case OUT_ERROR:
		out->status = RUN_FAILED;
		say(msg, sizeof(msg), "%s: %s", w == -1 ? "wait4" : "poll",
		    strerror(err_no));
		set_error(out, msg, tail);
		break;
	}
	rc = 0;
out:
	close_fd(&c.repfd);
	close_fd(&c.errfd);
	close_fd(&nullfd);
	close_fd(&errp[1]);
	close_fd(&errp[0]);
	close_fd(&repp[1]);
	close_fd(&repp[0]);
	free(c.rep);
	runner_environ_free(envp);
	return rc;
}

/* Replaces the entry with kv's name, or appends kv; env has room. */
static void
env_put(char **env, size_t *n, const char *kv)
{
	size_t klen = (size_t)(strchr(kv, '=') - kv) + 1, i;

	for (i = 0; i < *n; i++) {
		if (strncmp(env[i], kv, klen) == 0) {
			free(env[i]);
			env[i] = xstrdup(kv);
			return;
		}
	}
	env[(*n)++] = xstrdup(kv);
}

/*
 * Extra entries that are not "K=V" with a non-empty K are skipped, and so is
 * any LD_PRELOAD among them: only spec->preload decides what is preloaded.
 */
char **
runner_environ(const struct runner_spec *spec)
{
	static const char *const base[] = {"PATH=" AB_CLEAN_PATH, "LC_ALL=C",
	    "PYTHONHASHSEED=0", "PYTHONNOUSERSITE=1"};
	const char *const *e;
	char **env, *kv;
	size_t n = 0, cap = sizeof(base) / sizeof(base[0]) + 3, i;
	const char *eq;

	if (spec->extra_env != NULL) {
		for (e = spec->extra_env; *e != NULL; e++)
			cap++;
	}
	env = xcalloc(cap, sizeof(*env));
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		env_put(env, &n, base[i]);
	if (spec->env_pad > 0) {
		kv = xmalloc(sizeof("ALLOCBENCH_PAD=") + spec->env_pad);
		memcpy(kv, "ALLOCBENCH_PAD=", sizeof("ALLOCBENCH_PAD=") - 1);
		memset(kv + sizeof("ALLOCBENCH_PAD=") - 1, 'x', spec->env_pad);
		kv[sizeof("ALLOCBENCH_PAD=") - 1 + spec->env_pad] = '\0';
		env_put(env, &n, kv);
		free(kv);
	}
	if (spec->extra_env != NULL) {
		for (e = spec->extra_env; *e != NULL; e++) {
			eq = strchr(*e, '=');
			if (eq == NULL || eq == *e)
				continue;
			if (strncmp(*e, "LD_PRELOAD=", 11) == 0)
				continue;
			env_put(env, &n, *e);
		}
	}
	if (spec->preload != NULL) {
		kv = xasprintf("LD_PRELOAD=%s", spec->preload);
		env_put(env, &n, kv);
		free(kv);
	}
	env[n] = NULL;
	return env;
}

void
runner_environ_free(char **env)
{
	char **e;

	if (env == NULL)
		return;
	for (e = env; *e != NULL; e++)
		free(*e);
	free(env);
}

/*
 * Compares provider with the preload, or with libc_path when nothing is
 * preloaded, by device and inode; see runner.h.
 */
int
runner_verify(const char *provider, const char *preload, const char *libc_path,
    char *why, size_t whylen)
{
	const char *expected = preload != NULL ? preload : libc_path;
	struct stat ps, es;

	if (provider == NULL) {
		say(why, whylen,
		    "the workload found no object providing malloc");
		return 0;
	}
	if (expected == NULL) {
		say(why, whylen, "the workload did not report its libc");
		return 0;
	}
	if (stat(provider, &ps) == -1) {
		say(why, whylen, "malloc provider %s: %s", provider,
		    strerror(errno));
		return 0;
	}
	if (stat(expected, &es) == -1) {
		say(why, whylen, "%s: %s", expected, strerror(errno));
		return 0;
	}
	if (ps.st_dev != es.st_dev || ps.st_ino != es.st_ino) {
		say(why, whylen, "malloc came from %s, not %s", provider,
		    expected);
		return 0;
	}
	say(why, whylen, "%s", "");
	return 1;
}
