/* SPDX-License-Identifier: MIT */
/*
 * The measurement protocol: W warm-up rounds, then N rounds, each running
 * every available variant once in the order of one row of a Williams
 * design, so that every variant precedes every other equally often and
 * carry-over and drift hit every variant alike. Warm-up runs are
 * discarded.
 */
#ifndef AB_ROUNDS_H
#define AB_ROUNDS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

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
	long runs;           /* measured rounds */
	long warmup;         /* discarded rounds before them */
	int64_t first_round; /* id of the first measured round (>= 0); the
	                        round ids continue the Williams sequence */
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
	double max_runq;       /* RUN_FLAG_CONTENDED when the run-queue delay
	                          is above this fraction of wall time; 0 =
	                          never */
	/* keeps a measured run; NULL = store_append to the store given */
	void (*record)(void *arg, const struct run *);
	/* passed on to the runner: called every 100 ms or so (watchdog) */
	void (*tick)(void *arg);
	/* after each measured round: nonzero stops the session (decided) */
	int (*round_done)(void *arg, int64_t round);
};

/*
 * Runs the session and keeps every measured run (o->record, else
 * store_append to s, which may then be NULL), each with its round id and
 * position. Measured round i (0-based) has id first_round + i and runs
 * the available variants in the order of Williams row id mod rows; warm-up
 * rounds use the row of the first measured round and advance nothing.
 * Stops early when o->round_done returns nonzero. Returns 0, or -1 when
 * cancelled or when a child could not be started (reason in err); runs
 * finished before that are kept.
 */
int rounds_run(const struct catalog *c, const struct rounds_opts *o,
    struct store *s, char *err, size_t errlen);

/*
 * The order of round `round` for k variants: order[i] is the index (into
 * the available variants) of the variant run at position i.
 */
void rounds_order(size_t k, int64_t round, size_t *order);

#endif
