/* SPDX-License-Identifier: MIT */
/*
 * The daemon's main loop: a round at start and then every interval, rounds
 * on request, the HTTP server, the history, SIGHUP reloads, the watchdog
 * and an orderly stop on SIGTERM/SIGINT.
 */
#ifndef AB_SCHEDULER_H
#define AB_SCHEDULER_H

#include <signal.h>
#include <stddef.h>

#include "conf.h"

struct scheduler_opts {
	const char *workload;   /* path of churn.py */
	const char *vendor_dir; /* Chart.js directory, or NULL */
	/* builds a fresh configuration for SIGHUP; 0, or -1 with err */
	int (*reload)(void *arg, struct conf *out, char *err, size_t errlen);
	void *reload_arg;
};

/* Set by the signal handlers that main installs. */
extern volatile sig_atomic_t scheduler_stop;   /* SIGTERM, SIGINT */
extern volatile sig_atomic_t scheduler_reload; /* SIGHUP */

/*
 * Wakes the main loop from a signal handler (async-signal-safe).
 */
void scheduler_wake(void);

/*
 * Runs the daemon with configuration c (taken over: freed on return) until
 * scheduler_stop is set. Returns the process exit status: 0 after an
 * orderly stop, 1 when it could not start (HTTP could not listen).
 */
int scheduler_run(struct conf *c, const struct scheduler_opts *o);

#endif
