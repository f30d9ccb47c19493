/* SPDX-License-Identifier: MIT */
/*
 * The run document: the history's line format and the element of
 * GET /api/v1/runs, written as text and read back from a cJSON tree.
 */
#ifndef AB_RUNDOC_H
#define AB_RUNDOC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "run.h"

/* The version of the run document below; lines with a larger "v" are
 * from a newer allocbenchd and are never read as this one. */
#define AB_RUN_SCHEMA 2

/*
 * Appends the run as one compact JSON object, without a newline. Members,
 * in order: v, variant, started_ms, started_at (RFC 3339), status,
 * exit_code, signal, iterations, wall_s, user_s, sys_s, maxrss_kb, minflt,
 * majflt, nvcsw, nivcsw, phases_s {append, fill, clear, refill}, vmhwm_kb,
 * malloc_provider, python_version, error, host_before and host_after
 * {temp_c, freq_khz, load1, throttled}, flags (array of flag names),
 * round and position (since version 2; null in runs read from version 1).
 * Unknown numbers are null; doubles are in their shortest exact text, and
 * strings and integers have the bytes cJSON_PrintUnformatted gives.
 */
void rundoc_write(struct ab_buf *b, const struct run *r);

/*
 * Reads a run document into *out (run_init'ed here; free with run_clear).
 * Returns 0; -1 with a message in err for a malformed document; -2 when its
 * "v" is newer than AB_RUN_SCHEMA (err says so). On error *out is cleared.
 */
int rundoc_read(const cJSON *doc, struct run *out, char *err, size_t errlen);

#endif
