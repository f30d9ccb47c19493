/* SPDX-License-Identifier: MIT */
/*
 * allocbenchd --once: measure, print, exit.
 */
#ifndef AB_ONCE_H
#define AB_ONCE_H

#include <signal.h>

#include "conf.h"

struct once_opts {
	long runs;            /* measured rounds; 0: until decided (max_runs) */
	long max_runs;        /* at most this many rounds when runs is 0 */
	double max_time;      /* stop after the round that passes this many
	                         seconds; 0: no limit */
	int json;             /* print the summary document */
	int verbose;          /* progress as log lines */
	const char *workload; /* path of churn.py */
	volatile sig_atomic_t *cancel; /* set by SIGINT/SIGTERM */
};

/*
 * Measures the variants of c (catalog_from_conf) as o says and prints the
 * result to stdout. Returns the exit status: 0 when every interpreter's
 * baseline has at least one verified run, 1 otherwise (also when the
 * workload is unreadable, the measurement was cancelled or stdout failed).
 */
int once_run(const struct conf *c, const struct once_opts *o);

#endif
