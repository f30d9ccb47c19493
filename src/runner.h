/* SPDX-License-Identifier: MIT */
/*
 * Runs the workload once: fork/exec in a new process group with a clean
 * environment, a timeout that kills the whole group, wait4 rusage, the
 * workload's JSON report over a dedicated pipe, and verification that malloc
 * came from the allocator the run claims. Knows nothing about HTTP or stats.
 */
#ifndef AB_RUNNER_H
#define AB_RUNNER_H

#include <signal.h>
#include <stddef.h>

#include "run.h"

/* The fd number the workload writes its report to (argv[3] of churn.py). */
#define AB_REPORT_FD 3

struct runner_spec {
	const char *interpreter;      /* absolute path of the interpreter */
	const char *const *extra_env; /* "K=V", NULL-terminated, or NULL */
	const char *preload;          /* LD_PRELOAD library; NULL = none */
	const char *workload;         /* path of churn.py */
	long iterations;
	double timeout_s;              /* > 0 */
	volatile sig_atomic_t *cancel; /* run is killed once *cancel != 0 */
	/* called at least every 100 ms while the child runs (watchdog) */
	void (*tick)(void *arg);
	void *tick_arg;
	/* length of the ALLOCBENCH_PAD variable; 0 = none (see runner_environ)
	 */
	size_t env_pad;
};

/*
 * Runs the workload once and fills *out (run_init'ed here; the caller frees
 * it with run_clear). Returns 0 when the run took place, whatever its
 * status; out->status and out->error say how it went. Returns -1 only when
 * no child could be started (pipe, fork), with the reason in err.
 * A cancelled run ends with status RUN_FAILED and error "cancelled".
 */
int runner_run(const struct runner_spec *, struct run *out, char *err,
    size_t errlen);

/*
 * Builds the environment the child gets: PATH=AB_CLEAN_PATH, LC_ALL=C,
 * PYTHONHASHSEED=0, PYTHONNOUSERSITE=1, ALLOCBENCH_PAD=<env_pad x's> when
 * env_pad > 0, the spec's extra variables, and LD_PRELOAD=<preload> only
 * when preload is set. Nothing is inherited. The padding exists because the
 * environment's size shifts the initial stack's alignment, which can speed
 * up or slow down a program by a few percent (Mytkowicz et al., "Producing
 * Wrong Data Without Doing Anything Obviously Wrong!", ASPLOS 2009); since
 * LD_PRELOAD's length differs per variant, a fixed environment would be a
 * fixed bias. A random length per run spreads it evenly.
 * The caller frees the array with runner_environ_free.
 */
char **runner_environ(const struct runner_spec *);
void runner_environ_free(char **);

/*
 * Decides whether a run used the claimed allocator. provider is the object
 * the child reports for malloc; expected is the preloaded library, or the
 * child's libc (libc_path) when nothing is preloaded. Paths are compared by
 * device and inode, so symlinked sonames match their targets. Returns 1 when
 * verified; 0 otherwise with the reason in why.
 */
int runner_verify(const char *provider, const char *preload,
    const char *libc_path, char *why, size_t whylen);

#endif
