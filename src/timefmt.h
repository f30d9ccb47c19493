/* SPDX-License-Identifier: MIT */
/*
 * Clocks in milliseconds and RFC 3339 timestamps, formatted and parsed: the
 * one place the project turns times into text and back.
 */
#ifndef AB_TIMEFMT_H
#define AB_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Bytes timefmt_rfc3339 needs, with the NUL. */
#define AB_RFC3339_LEN 25

/* The given clock (CLOCK_REALTIME, CLOCK_MONOTONIC, ...) in ms. */
int64_t timefmt_clock_ms(clockid_t clock);

/* Wall-clock time in ms since the epoch. */
int64_t timefmt_now_ms(void);

/* Monotonic time in ms, for intervals and deadlines. */
int64_t timefmt_mono_ms(void);

/* Monotonic time in seconds with nanosecond resolution, for run times. */
double timefmt_mono_s(void);

/*
 * Formats ms since the epoch as RFC 3339 UTC with milliseconds,
 * "2025-11-25T14:34:56.123Z", into buf (at least AB_RFC3339_LEN bytes).
 * Returns 0, or -1 (buf untouched) when len is too small or the year has
 * no four-digit form (before 0000 or after 9999).
 */
int timefmt_rfc3339(int64_t ms, char *buf, size_t len);

/*
 * Parses an RFC 3339 section 5.6 date-time,
 * YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), "T" and "Z" in either case,
 * into ms since the epoch (fractions beyond ms are truncated). A space
 * stands for the "+" of the offset, since an unencoded "+" in a query
 * string decodes to a space. Returns 0, or -1 with *out untouched.
 */
int timefmt_parse_rfc3339(const char *s, int64_t *out);

#endif
