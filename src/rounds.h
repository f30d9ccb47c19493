/* SPDX-License-Identifier: MIT */
/*
 * The measurement protocol: W warm-up rounds, then N rounds, each running
 * every available variant once, with the order rotated by one variant per
 * round so that drift hits every variant alike. Warm-up runs are discarded.
 */
#ifndef AB_ROUNDS_H
#define AB_ROUNDS_H

#include <signal.h>
#include <stddef.h>

#include "catalog.h"
#include "run.h"
#include "store.h"

struct rounds_progress {
	size_t index; /* 1-based run number in this session */
	size_t total; /* runs in this session, warm-ups included */
	const char *variant;
	int warmup;               /* this run is discarded */
	double elapsed_s;         /* since the session started */
	const struct run *result; /* NULL before the run, set after it */
};

struct rounds_opts {
	long runs;   /* measured rounds */
	long warmup; /* discarded rounds */
	long iterations;
	double timeout_s;
	const char *workload;
	volatile sig_atomic_t *cancel;
	void (*progress)(void *arg, const struct rounds_progress *);
	void *arg;
	/* host readings around each run (hostmon.c) */
	const char *host_root; /* "" or NULL: the real system */
	const char *vcgencmd;  /* NULL: not installed */
	double max_load;       /* RUN_FLAG_LOADED above this; 0 = never */
	/* keeps a measured run; NULL = store_append to the store given */
	void (*record)(void *arg, const struct run *);
	/* passed on to the runner: called every 100 ms or so (watchdog) */
	void (*tick)(void *arg);
};

/*
 * Runs the session and keeps every measured run (o->record, else
 * store_append to s, which may then be NULL). Returns 0, or -1
 * when cancelled or when a child could not be started (reason in err);
 * runs finished before that are kept.
 */
int rounds_run(const struct catalog *c, const struct rounds_opts *o,
    struct store *s, char *err, size_t errlen);

#endif
