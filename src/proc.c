/* SPDX-License-Identifier: MIT */
/*
 * The process plumbing the runner and hostmon share: fork with every
 * signal blocked, the child-side reset (own process group, default
 * dispositions, empty mask, the caller's descriptors on 0..N-1 and no
 * other) up to execve, the pidfd, "has it exited" without reaping, the
 * group kill while the child is unreaped, and the reap. Everything the
 * child runs between fork and execve is async-signal-safe.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

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
