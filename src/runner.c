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

#include "contention.h"
#include "proc.h"
#include "runner.h"
#include "timefmt.h"
#include "xmalloc.h"

#define AB_REPORT_MAX (64 * 1024) /* a longer report is rejected */
#define AB_TAIL_KEEP  1024        /* stderr bytes quoted in errors */
#define AB_TAIL_BUF   (4 * AB_TAIL_KEEP)
#define AB_READ_MAX   (64 * 1024) /* read per wakeup and pipe */
#define AB_TICK_MS    100         /* longest sleep between checks of *cancel */
#define AB_DRAIN_MS   1000        /* how long leftovers may hold the pipes */
#define AB_MSG_MAX    (2 * PATH_MAX + 256)

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
pipe_read(void *arg, int *fd)
{
	struct child *c = arg;
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

/* The report and stderr pipes, for proc_wait and proc_drain. */
static struct proc_pipes
child_pipes(struct child *c)
{
	struct proc_pipes pp = {{&c->repfd, &c->errfd}, 2, pipe_read, c};

	return pp;
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
 * What newer workloads add to the report and older ones lack, so none of
 * it is required: the run-queue delay from /proc/self/schedstat (wait_ns),
 * the interpreter's full version and the C library's version.
 */
static void
report_extras(const cJSON *root, struct run *out)
{
	const cJSON *item;
	struct schedstat ss;
	char err[128];

	if (contention_schedstat_from_json(
	        cJSON_GetObjectItemCaseSensitive(root, "schedstat"), &ss, err,
	        sizeof(err)) == CONTENTION_OK &&
	    (ss.run_ns != 0 || ss.wait_ns != 0 || ss.slices != 0))
		out->runq_s =
		    (double)ss.wait_ns / 1e9; /* 0 0 0: not accounted */
	item = cJSON_GetObjectItemCaseSensitive(root, "python_full");
	if (cJSON_IsString(item) && item->valuestring != NULL)
		out->python_full = xstrdup(item->valuestring);
	item = cJSON_GetObjectItemCaseSensitive(root, "libc_version");
	if (cJSON_IsString(item) && item->valuestring != NULL)
		out->libc_version = xstrdup(item->valuestring);
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
	report_extras(root, out);
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

/* The exit status and rusage of a reaped child. */
static void
record_wait(struct run *out, int status, const struct rusage *ru)
{
	out->user_s = tv_s(ru->ru_utime);
	out->sys_s = tv_s(ru->ru_stime);
	out->maxrss_kb = ru->ru_maxrss;
	out->minflt = ru->ru_minflt;
	out->majflt = ru->ru_majflt;
	out->nvcsw = ru->ru_nvcsw;
	out->nivcsw = ru->ru_nivcsw;
	if (WIFEXITED(status)) {
		out->exit_code = WEXITSTATUS(status);
		out->term_signal = 0;
	} else if (WIFSIGNALED(status)) {
		out->exit_code = -1;
		out->term_signal = WTERMSIG(status);
	}
}

/*
 * Opens the report and stderr pipes (our read ends non-blocking: the
 * workload's writes must block, not fail) and /dev/null. Returns 0, or -1
 * with err set; the caller closes whatever is open either way.
 */
static int
open_pipes(int repp[2], int errp[2], int *nullfd, char *err, size_t errlen)
{
	if (pipe2(repp, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		say(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((*nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		say(err, errlen, "/dev/null: %s", strerror(errno));
		return -1;
	}
	if (fcntl(repp[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(errp[0], F_SETFL, O_NONBLOCK) == -1) {
		say(err, errlen, "fcntl: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The run's status and error from how the wait ended. */
static void
judge(const struct child *c, const struct runner_spec *spec, enum proc_end how,
    int status, const char *what, int err_no, const char *tail, struct run *out)
{
	char msg[AB_MSG_MAX];

	switch (how) {
	case PROC_EXITED:
		judge_exit(c, spec, status, tail, out);
		break;
	case PROC_TIMEOUT:
		out->status = RUN_TIMEOUT;
		say(msg, sizeof(msg), "timed out after %.1f s",
		    spec->timeout_s);
		set_error(out, msg, tail);
		break;
	case PROC_CANCELLED:
		out->status = RUN_FAILED;
		set_error(out, "cancelled", NULL);
		break;
	case PROC_ERROR:
		out->status = RUN_FAILED;
		say(msg, sizeof(msg), "%s: %s", what, strerror(err_no));
		set_error(out, msg, tail);
		break;
	}
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
	enum proc_end how;
	struct proc_pipes pp;
	struct proc_wait_opts wo;
	char **envp = NULL;
	char *argv[5], iters[32], fdstr[16], tail[AB_TAIL_KEEP + 1];
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
	out->started_ms = timefmt_now_ms();

	if (spec->interpreter == NULL || spec->workload == NULL ||
	    !(spec->timeout_s > 0) || !isfinite(spec->timeout_s)) {
		say(err, errlen, "runner: bad spec");
		goto out;
	}
	if (open_pipes(repp, errp, &nullfd, err, errlen) == -1)
		goto out;

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

	t0 = timefmt_mono_s();
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
	pp = child_pipes(&c);
	wo = (struct proc_wait_opts){
	    .deadline = t0 + spec->timeout_s,
	    .tick_ms = AB_TICK_MS,
	    .cancel = spec->cancel,
	    .tick = spec->tick,
	    .tick_arg = spec->tick_arg,
	};
	how = proc_wait(&c.proc, &pp, &wo, &t_end, &err_no);
	proc_kill(&c.proc);
	w = proc_reap(&c.proc, &status, &ru);
	if (how != PROC_EXITED)
		t_end = timefmt_mono_s();
	if (w == -1) {
		err_no = errno;
		how = PROC_ERROR;
	}
	/* an escaped descendant may hold a write end: give up after a while */
	proc_drain(&pp, timefmt_mono_s() + AB_DRAIN_MS / 1000.0);
	tail_text(&c.tail, tail, sizeof(tail));

	out->wall_s = t_end - t0;
	if (w != -1)
		record_wait(out, status, &ru);

	judge(&c, spec, how, status, w == -1 ? "wait4" : "poll", err_no, tail,
	    out);
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
