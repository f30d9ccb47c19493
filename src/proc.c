/* SPDX-License-Identifier: MIT */
/*
 * The process plumbing the runner and hostmon share: fork with every
 * signal blocked, the child-side reset (own process group, default
 * dispositions, empty mask, the caller's descriptors on 0..N-1 and no
 * other) up to execve, the pidfd, "has it exited" without reaping, the
 * group kill while the child is unreaped, the reap, and the one loop that
 * waits for a child while reading its pipes against a deadline. Everything
 * the child runs between fork and execve is async-signal-safe.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "timefmt.h"

/* Puts "what: reason for e" in err and returns -1. */
static int
spawn_fail(char *err, size_t errlen, const char *what, int e)
{
	if (err != NULL && errlen > 0)
		(void)snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -1;
}

/*
 * The English text for an errno value. strerrordesc_np is a plain table
 * lookup, so unlike strerror it is safe between fork and exec.
 */
static const char *
errdesc(int e)
{
#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *s = strerrordesc_np(e);

	return s != NULL ? s : "Unknown error";
#else
	return strerror(e);
#endif
}

/* Child side: only async-signal-safe calls from here to execve. */
static void
child_write(const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len > 0) {
		n = write(STDERR_FILENO, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* Says "what[ arg]: reason" on descriptor 2 if the caller gave one. */
static void __attribute__((noreturn))
child_fail(int nfds, const char *what, const char *arg)
{
	int e = errno;

	if (nfds > STDERR_FILENO) {
		child_write(what);
		if (arg != NULL) {
			child_write(" ");
			child_write(arg);
		}
		child_write(": ");
		child_write(errdesc(e));
		child_write("\n");
	}
	_exit(AB_PROC_EXEC_FAILED);
}

static void
close_from(int lowfd, long maxfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	for (; lowfd < maxfd; lowfd++)
		(void)close(lowfd);
}

static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], char *const envp[],
    const int *fds, int nfds, long maxfd)
{
	struct sigaction sa;
	sigset_t none;
	int src[AB_PROC_FDS_MAX], i, sig;

	(void)setpgid(0, 0);

	/* Handlers first, then the mask, so nothing runs a parent handler. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	/*
	 * Move every source above the targets first: one of them may itself
	 * be a target when the parent runs with a standard descriptor closed.
	 * Descriptor 2 goes first so that later failures are heard there.
	 */
	for (i = 0; i < nfds; i++) {
		src[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, nfds);
		if (src[i] == -1)
			child_fail(nfds, "proc: dup", NULL);
	}
	if (nfds > STDERR_FILENO &&
	    dup2(src[STDERR_FILENO], STDERR_FILENO) == -1)
		child_fail(nfds, "proc: dup2", NULL);
	for (i = 0; i < nfds; i++) {
		if (i != STDERR_FILENO && dup2(src[i], i) == -1)
			child_fail(nfds, "proc: dup2", NULL);
	}
	close_from(nfds, maxfd);

	execve(path, argv, envp);
	child_fail(nfds, "exec", path);
}

/*
 * Forks and execs as proc.h describes. sysconf runs here, before fork,
 * since it is not async-signal-safe.
 */
int
proc_spawn(struct proc *p, const char *path, char *const argv[],
    char *const envp[], const int *fds, int nfds, char *err, size_t errlen)
{
	sigset_t all, old;
	long maxfd;
	int e;

	p->pid = -1;
	p->pidfd = -1;
	if (nfds < 0 || nfds > AB_PROC_FDS_MAX)
		return spawn_fail(err, errlen, "proc: descriptor count",
		    EINVAL);
	if ((maxfd = sysconf(_SC_OPEN_MAX)) < 0)
		maxfd = 1024;

	/* No handler of ours may run in the child before it resets them. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	p->pid = fork();
	if (p->pid == 0)
		child_exec(path, argv, envp, fds, nfds, maxfd);
	e = errno;
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->pid == -1)
		return spawn_fail(err, errlen, "fork", e);
	/* Whichever of us gets there first; the loser fails harmlessly. */
	(void)setpgid(p->pid, p->pid);
#ifdef SYS_pidfd_open
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
#endif
	return 0;
}

/* Asks waitid with WNOWAIT, which leaves the zombie in place. */
int
proc_exited(const struct proc *p)
{
	siginfo_t si;

	if (p->pid <= 0)
		return 1;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno != EINTR;
	return si.si_pid != 0;
}

/*
 * The unreaped child keeps its group id from being reused, so the group
 * kill cannot reach strangers.
 */
void
proc_kill(const struct proc *p)
{
	if (p->pid <= 0)
		return;
	(void)kill(-p->pid, SIGKILL);
	(void)kill(p->pid, SIGKILL);
}

/* Reaps with wait4 and closes the pidfd, whatever wait4 says. */
pid_t
proc_reap(struct proc *p, int *status, struct rusage *ru)
{
	pid_t w;
	int e;

	if (p->pid <= 0) {
		errno = ECHILD;
		return -1;
	}
	while ((w = wait4(p->pid, status, 0, ru)) == -1 && errno == EINTR)
		;
	e = errno;
	if (p->pidfd != -1) {
		(void)close(p->pidfd);
		p->pidfd = -1;
	}
	if (w != -1)
		p->pid = -1;
	errno = e;
	return w;
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

/* Calls the reader for every readable pipe in pfd[from..n). */
static void
pipes_ready(const struct proc_pipes *pp, const struct pollfd *pfd, nfds_t from,
    nfds_t n)
{
	nfds_t i;
	int j;

	for (i = from; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		for (j = 0; j < pp->n; j++)
			if (*pp->fds[j] == pfd[i].fd) {
				pp->on_readable(pp->arg, pp->fds[j]);
				break;
			}
	}
}

/*
 * One poll over the pidfd (when there is one) and the open pipes; without
 * a pidfd, waitid is asked every tick_ms instead.
 */
enum proc_end
proc_wait(struct proc *p, const struct proc_pipes *pp,
    const struct proc_wait_opts *o, double *t_exit, int *err_no)
{
	struct pollfd pfd[AB_PROC_PIPES_MAX + 1];
	double left;
	nfds_t n;
	int ms, r, j;

	for (;;) {
		if (o->tick != NULL)
			o->tick(o->tick_arg);
		if (o->cancel != NULL && *o->cancel)
			return PROC_CANCELLED;
		if (p->pidfd == -1 && proc_exited(p)) {
			*t_exit = timefmt_mono_s();
			return PROC_EXITED;
		}
		left = o->deadline - timefmt_mono_s();
		if (left <= 0)
			return PROC_TIMEOUT;
		ms = (int)ceil(left * 1000);
		if (o->tick_ms > 0 && ms > o->tick_ms)
			ms = o->tick_ms;
		n = 0;
		pfd_add(pfd, &n, p->pidfd);
		for (j = 0; j < pp->n; j++)
			pfd_add(pfd, &n, *pp->fds[j]);
		r = poll(pfd, n, ms);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*err_no = errno;
			return PROC_ERROR;
		}
		if (p->pidfd != -1 && pfd[0].revents != 0) {
			*t_exit = timefmt_mono_s();
			return PROC_EXITED;
		}
		pipes_ready(pp, pfd, p->pidfd != -1 ? 1 : 0, n);
	}
}

/* Polls what is still open until EOF on all of it or the deadline. */
void
proc_drain(const struct proc_pipes *pp, double deadline)
{
	struct pollfd pfd[AB_PROC_PIPES_MAX];
	double left;
	nfds_t n;
	int j;

	for (;;) {
		n = 0;
		for (j = 0; j < pp->n; j++)
			pfd_add(pfd, &n, *pp->fds[j]);
		left = deadline - timefmt_mono_s();
		if (n == 0 || left <= 0)
			return;
		if (poll(pfd, n, (int)ceil(left * 1000)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		pipes_ready(pp, pfd, 0, n);
	}
}
