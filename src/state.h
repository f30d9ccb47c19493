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
	size_t window;
	long iterations;
	int include_flagged;
	int running;           /* a round is in progress */
	char current[96];      /* variant being measured, "" if none */
	int64_t next_round_ms; /* wall clock, 0 if none planned */
	int64_t updated_ms;    /* when results last changed */
	uint64_t rounds_completed;
	/* rebuilt by state_publish */
	char *summary; /* summary document, JSON */
	size_t summary_len;
	char summary_etag[24]; /* quoted strong ETag, e.g. "\"1a2b...\"" */
	char *metrics;         /* results and host part of /metrics */
	size_t metrics_len;
	/* HTTP -> scheduler */
	int round_requested;
	int wake_fd; /* written to wake the scheduler; -1 none */
};

/* Initialises s (mutex, empty buffers, wake_fd -1). */
void state_init(struct state *s, const char *version, int64_t now_ms);

/*
 * Rebuilds summary, its ETag and metrics from the store, catalogue and
 * readings, after every change to results. Call it from the thread that
 * owns the store and catalogue, WITHOUT the lock: it renders without the
 * lock (no other thread changes what it reads) and takes the lock only to
 * swap the buffers in, so readers never wait for the statistics.
 */
void state_publish(struct state *s, int64_t now_ms);

/*
 * From the HTTP thread: asks for a round now. Returns 0, or -1 when a
 * round is already running (the caller answers 409). Takes the lock.
 */
int state_request_round(struct state *s);

/* Frees the buffers and destroys the mutex. */
void state_free(struct state *s);

#endif
