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

#endif
