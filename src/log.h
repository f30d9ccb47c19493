/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr. Under journald (JOURNAL_STREAM matches our stderr) each
 * line carries an sd-daemon priority prefix, "<3>" to "<7>" (sd-daemon(3));
 * on a terminal or a pipe the lines are plain. Messages a client can cause
 * at will go through a struct log_rate, a token bucket that holds back a
 * flood and later says how many lines it held back.
 */
#ifndef AB_LOG_H
#define AB_LOG_H

#include <stdint.h>

#define AB_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* sd-daemon(3) priorities. */
#define LOG_PRIO_ERR   3
#define LOG_PRIO_WARN  4
#define LOG_PRIO_INFO  6
#define LOG_PRIO_DEBUG 7

/* Detects journald and sets whether debug lines are printed. */
void log_init(int verbose);
void log_err(const char *, ...) AB_PRINTF(1, 2);
void log_warn(const char *, ...) AB_PRINTF(1, 2);
void log_info(const char *, ...) AB_PRINTF(1, 2);
void log_debug(const char *, ...) AB_PRINTF(1, 2);

/*
 * One class of message, rate-limited: at most burst lines at once, then one
 * more line per period_ms; the lines held back are counted and summarised
 * as "WHAT: suppressed N similar messages in the last M s" with the next
 * line let through, or by log_rate_flush once summary_ms have passed. A
 * struct log_rate is used by one thread at a time. Initialise it with
 * LOG_RATE_INIT; the other fields are its state.
 */
struct log_rate {
	const char *what; /* prefix of the summary line, e.g. "http" */
	int prio;         /* LOG_PRIO_* of the lines and of the summary */
	unsigned burst;
	int64_t period_ms;
	int64_t summary_ms;
	int64_t credit_ms; /* burst * period_ms when full */
	int64_t last_ms;   /* when credit_ms was last topped up */
	int started;
	unsigned long suppressed;
	int64_t suppressed_since; /* first line held back since the summary */
};

#define LOG_RATE_INIT(what, prio, burst, period_ms, summary_ms)                \
	{                                                                      \
		(what), (prio), (burst), (period_ms), (summary_ms), 0, 0, 0,   \
		    0, 0                                                       \
	}

/*
 * Takes one line's worth from r's bucket at now_ms (a monotonic clock, in
 * milliseconds). Returns 1 when the line may be written, 0 when it is held
 * back and counted. Writes nothing.
 */
int log_rate_allow(struct log_rate *r, int64_t now_ms);

/*
 * Writes the summary of the lines r held back, if any, when summary_ms have
 * passed since the first of them, or at once when force is set. Returns the
 * milliseconds until a summary will be due (for a caller's timer), or -1
 * when nothing is held back.
 */
int64_t log_rate_flush(struct log_rate *r, int64_t now_ms, int force);

/*
 * Writes one line at r's priority when r's bucket allows it, after the
 * summary of what it held back before; otherwise counts it.
 */
void log_ratef(struct log_rate *r, const char *, ...) AB_PRINTF(2, 3);

/* The monotonic clock in milliseconds, the time base of struct log_rate. */
int64_t log_now_ms(void);

#endif
