/* SPDX-License-Identifier: MIT */
/*
 * The summary document (the contract shared by --once --json and the HTTP
 * API) and the human-readable table, which is printed from that document so
 * both always show the same numbers.
 */
#ifndef AB_RENDER_H
#define AB_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "host.h"
#include "store.h"

#define AB_SCHEMA 1

/*
 * Builds the summary document for every variant of c from the runs in s.
 * Statistics use at most `window` newest verified runs per variant (0 =
 * all) of `iterations` size (0 = any), leaving out flagged runs unless
 * include_flagged. The caller owns the result and frees
 * it with cJSON_Delete.
 */
cJSON *render_summary(const struct catalog *c, const struct store *s,
    const struct host_info *h, size_t window, long iterations,
    int include_flagged, int64_t now_ms);

/* Prints the table for a summary document. Returns 0, or -1 on I/O error. */
int render_table(FILE *fp, const cJSON *summary);

/* Formats ms since the epoch as RFC 3339 UTC with milliseconds. */
void render_rfc3339(int64_t ms, char *buf, size_t len);

/*
 * Documents served by the daemon's HTTP API and /metrics (http.c). Each
 * reads the shared state, so the caller holds its lock.
 */
struct state;

/*
 * Writes {"runs":[...],"count":n} as compact JSON text, the bytes
 * cJSON_PrintUnformatted gives for that document with run_to_json
 * elements: the runs of `variant` (NULL = every variant) started at or
 * after since_ms (0 = all), newest first, at most `limit` of them (0 = no
 * limit). A NULL store has no runs. Stores the length in *len; the caller
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
cJSON *render_status(const struct state *st, int64_t now_ms);

/*
 * Formats the results and host part of /metrics in the Prometheus text
 * exposition format 0.0.4: every family once with # HELP and # TYPE, names
 * prefixed allocbench_, base units. Per-variant values come from st->summary
 * (or a freshly built summary when there is none yet), so they equal the
 * summary's numbers. Stores the length in *len; the caller frees the
 * NUL-terminated result with free(3).
 */
char *render_metrics(const struct state *st, size_t *len);

#endif
