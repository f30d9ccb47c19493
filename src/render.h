/* SPDX-License-Identifier: MIT */
/*
 * The documents: the summary (the contract shared by --once --json and the
 * HTTP API), the human-readable table printed from it so both always show
 * the same numbers, the runs list and the status document. Everything here
 * takes plain data; /metrics is metrics.c's, derived from the summary.
 */
#ifndef AB_RENDER_H
#define AB_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "host.h"
#include "run.h"
#include "store.h"

#define AB_SCHEMA 2

/* What the statistics of a summary use; see struct compare_opts. */
struct render_opts {
	size_t window;       /* newest runs and pairs per variant; 0 = all */
	long iterations;     /* only runs of this size; 0 = any */
	int include_flagged; /* 0: flagged runs stay out */
	double margin;       /* equivalence margin */
	size_t looks;        /* n_max of the per-look level; 0: one look */
};

/*
 * Builds the summary document for every variant of c from the runs in s:
 * run counts, descriptive statistics of the newest `window` verified runs
 * of the variant's current environment segment, why runs were excluded,
 * the segments, and the comparison with the baseline (compare_all). The
 * caller owns the result and frees it with cJSON_Delete.
 */
cJSON *render_summary(const struct catalog *c, const struct store *s,
    const struct host_info *h, const struct render_opts *o, int64_t now_ms);

struct comparison;

/*
 * The "comparison" object of a variant (see render_summary). The caller
 * owns the result and frees it with cJSON_Delete.
 */
cJSON *render_comparison(const struct comparison *k, double margin,
    size_t looks);

/* Prints the table for a summary document. Returns 0, or -1 on I/O error. */
int render_table(FILE *fp, const cJSON *summary);

/*
 * The daemon's side of the status document, as plain data
 * copied from the scheduler's state (state_daemon) so that rendering needs
 * no lock and knows nothing of the state.
 */
struct render_daemon {
	const char *version;
	int64_t started_ms;    /* daemon start, wall clock */
	int running;           /* a round is in progress */
	const char *current;   /* variant being measured, or NULL */
	int64_t next_round_ms; /* 0 if none planned */
	int64_t updated_ms;    /* when results last changed, 0 never */
	uint64_t rounds_completed;
	int has_store;  /* the fields below are known */
	int persist_ok; /* results reach the disk */
	const char *persist_error;
	size_t history_runs;
	size_t history_skipped;
	size_t history_newer;
	struct host_info host;
	struct host_reading reading; /* the latest host reading */
};

/*
 * Writes {"runs":[...],"count":n} as compact JSON text, each run a run
 * document (rundoc.h): the runs of `variant` (NULL = every variant) started
 * at or after since_ms (0 = all), newest first, at most `limit` of them (0 =
 * no limit). A NULL store has no runs. Stores the length in *len; the caller
 * frees the NUL-terminated result with free(3).
 */
char *render_runs(const struct store *s, const char *variant, int64_t since_ms,
    size_t limit, size_t *len);

/*
 * Builds the GET /api/v1/status document: version, uptime, whether a round
 * is running and which variant, the next planned round, persistence and
 * history counters, the host and its latest reading (null where unknown).
 * The caller owns the result and frees it with cJSON_Delete.
 */
cJSON *render_status(const struct render_daemon *d, int64_t now_ms);

#endif
