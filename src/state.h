/* SPDX-License-Identifier: MIT */
/*
 * What the scheduler shares with the HTTP thread, behind one mutex. The
 * scheduler owns the store and the catalogue and changes them only with
 * the lock held; after each change it calls state_publish, which rebuilds
 * the cached summary document (with its ETag) and the results part of
 * /metrics, so requests serve prepared buffers. The HTTP thread reads
 * under the lock and asks for a round through state_request_round.
 */
#ifndef AB_STATE_H
#define AB_STATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "host.h"
#include "metrics.h"
#include "render.h"
#include "run.h"
#include "store.h"

struct state {
	pthread_mutex_t lock;
	const char *version; /* PACKAGE_VERSION */
	int64_t started_ms;  /* daemon start, wall clock */
	/* owned by the scheduler; read under lock */
	struct store *store;
	const struct catalog *catalog;
	struct host_info host;
	struct host_reading reading; /* the latest host reading */
	struct render_opts ropts;    /* what the statistics use */
	int running;                 /* a round is in progress */
	char current[96];            /* variant being measured, "" if none */
	int64_t next_round_ms;       /* wall clock, 0 if none planned */
	int64_t updated_ms;          /* when results last changed */
	uint64_t rounds_completed;
	/* true counters since start (never decrease) and the schedule */
	uint64_t runs_started; /* measured runs, warm-ups not counted */
	uint64_t runs_finished[RUN_NSTATUS];
	uint64_t runs_flagged[METRICS_NREASONS]; /* verified runs, by reason */
	int64_t last_round_ms;  /* end of the last completed round, 0 none */
	double interval_s;      /* configured time between round starts */
	int64_t run_started_ms; /* start of the run in progress, 0 none */
	double hang_s; /* hang limit of that run (metrics_hang_limit) */
	/* rebuilt by state_publish */
	char *summary; /* summary document, JSON */
	size_t summary_len;
	char summary_etag[24]; /* quoted strong ETag, e.g. "\"1a2b...\"" */
	char *metrics;         /* /metrics without the process part */
	size_t metrics_len;
	/* HTTP -> scheduler */
	int round_requested;
	int wake_fd; /* written to wake the scheduler; -1 none */
};

/* Initialises s (mutex, empty buffers, wake_fd -1). */
void state_init(struct state *s, const char *version, int64_t now_ms);

/*
 * Publishes a new snapshot after every change to results, settings or
 * readings: builds the summary tree once and derives from it the summary
 * text, its ETag and /metrics. Call it from the thread that owns the store
 * and catalogue, WITHOUT the lock: it renders without the lock (no other
 * thread changes what it reads) and takes the lock only to swap the buffers
 * in, so readers never wait for the statistics.
 */
void state_publish(struct state *s);

/*
 * Copies the daemon's status out of s into d for render_status. Pointers in d
 * point into s and its store: hold the lock (or be the scheduler's thread)
 * while d is in use.
 */
void state_daemon(const struct state *s, struct render_daemon *d);

/*
 * The readiness rule (metrics_ready) applied to s at now_ms, with the
 * reason or "ok" in why. Takes the lock.
 */
int state_ready(struct state *s, int64_t now_ms, char *why, size_t whylen);

/*
 * From the HTTP thread: asks for a round now. Returns 0, or -1 when a
 * round is already running (the caller answers 409). Takes the lock.
 */
int state_request_round(struct state *s);

/* Frees the buffers and destroys the mutex. */
void state_free(struct state *s);

#endif
