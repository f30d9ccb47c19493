/* SPDX-License-Identifier: MIT */
/*
 * /metrics, apart from the process metrics (selfstat.h): derived from the
 * same summary tree as GET /api/v1/summary, so the two always agree.
 */
#ifndef AB_METRICS_H
#define AB_METRICS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "render.h"

/*
 * Formats the results, host and daemon families for the summary tree
 * (render_summary's document) and the daemon's status d. Stores the length
 * in *len; the caller frees the NUL-terminated result with free(3).
 */
char *metrics_render(const cJSON *summary, const struct render_daemon *d,
    size_t *len);

#endif
