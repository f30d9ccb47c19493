/* SPDX-License-Identifier: MIT */
/*
 * One child process from fork to reap, in the manner of tmux job.c: the
 * child gets its own process group, default signal dispositions, an empty
 * mask and exactly the descriptors the caller names; the parent gets a
 * pidfd to poll when the kernel has one, a way to ask whether the child
 * has exited without reaping it, a kill for the whole group that cannot
 * hit strangers, and wait4 for its status and rusage. What runs in the
 * child (the pipes, the loop around poll) stays with the caller.
 */
#ifndef AB_PROC_H
#define AB_PROC_H

#include <sys/types.h>
#include <sys/resource.h>

#include <signal.h>
#include <stddef.h>

/* The exit status of a child that could not set up or exec. */
#define AB_PROC_EXEC_FAILED 127

/* The most descriptors proc_spawn can hand to a child. */
#define AB_PROC_FDS_MAX 8

struct proc {
	pid_t pid; /* -1 when there is no unreaped child */
	int pidfd; /* readable once the child exits; -1 without one */
};

/*
 * Forks a child in its own process group and execs path with argv and
 * envp. All signals are blocked in the calling thread around fork; the
 * child then resets every disposition to the default, empties its mask,
 * puts fds[i] on descriptor i for each i < nfds (the same source may stand
 * more than once; each must be open), closes every other descriptor and
 * calls execve. Should any of that fail, the child writes "what: reason"
 * to descriptor 2 when nfds > 2 and _exits with AB_PROC_EXEC_FAILED.
 * Returns 0 with *p holding the pid and a pidfd (or -1 when the kernel or
 * valgrind has none), or -1 with p->pid == -1 and the reason in err (which
 * may be NULL). The caller must end every spawned child with proc_kill
 * and proc_reap.
 */
int proc_spawn(struct proc *p, const char *path, char *const argv[],
    char *const envp[], const int *fds, int nfds, char *err, size_t errlen);

/*
 * Returns 1 when the child has exited (or cannot be waited for, or p->pid
 * is -1), 0 while it runs, without reaping it: the zombie keeps its pid
 * and group id taken. Works with or without a pidfd.
 */
int proc_exited(const struct proc *p);

/*
 * Sends SIGKILL to the child's process group and to the child itself (in
 * case it never got its own group). Safe only while the child is
 * unreaped, which proc guarantees; a no-op once p->pid is -1.
 */
void proc_kill(const struct proc *p);

/*
 * Waits for the child with wait4, retrying on EINTR, and closes the pidfd.
 * status and ru may be NULL. Returns the pid with p->pid set to -1, or -1
 * with errno set (ECHILD when p->pid is already -1; otherwise p->pid is
 * left as it was).
 */
pid_t proc_reap(struct proc *p, int *status, struct rusage *ru);

/* The most pipes proc_wait reads. */
#define AB_PROC_PIPES_MAX 4

/*
 * The pipes a caller reads while it waits: the read ends (pointers, so
 * that the reader can close one at EOF and set it to -1) and the reader,
 * which must read without blocking and must close *fd and set it to -1 at
 * EOF or on error.
 */
struct proc_pipes {
	int *fds[AB_PROC_PIPES_MAX];
	int n;
	void (*on_readable)(void *arg, int *fd);
	void *arg;
};

struct proc_wait_opts {
	double deadline; /* timefmt_mono_s() time to give up */
	int tick_ms;     /* longest sleep between checks; 0: none */
	volatile sig_atomic_t *cancel; /* stop when set; may be NULL */
	void (*tick)(void *arg);       /* called every pass; may be NULL */
	void *tick_arg;
};

enum proc_end {
	PROC_EXITED,    /* the child has exited (not reaped) */
	PROC_TIMEOUT,   /* the deadline passed */
	PROC_CANCELLED, /* *cancel was set */
	PROC_ERROR      /* poll failed; *err_no says why */
};

/*
 * Waits for the child while reading its pipes: polls the pidfd and the
 * open pipes (without a pidfd, asks waitid every tick_ms) until the child
 * exits, the deadline passes or *cancel is set. The child is left
 * unreaped, so its pid and group stay valid for proc_kill. *t_exit gets
 * the time the exit was seen (PROC_EXITED), *err_no poll's errno
 * (PROC_ERROR).
 */
enum proc_end proc_wait(struct proc *p, const struct proc_pipes *pp,
    const struct proc_wait_opts *o, double *t_exit, int *err_no);

/*
 * Reads the pipes until every one is at EOF or the deadline passes, for
 * after the child died: an escaped descendant may still hold a write end.
 */
void proc_drain(const struct proc_pipes *pp, double deadline);

#endif
