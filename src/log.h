/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr. Under journald (JOURNAL_STREAM matches our stderr) each
 * line carries an sd-daemon priority prefix, "<3>" to "<7>" (sd-daemon(3));
 * on a terminal or a pipe the lines are plain.
 */
#ifndef AB_LOG_H
#define AB_LOG_H

#define AB_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Detects journald and sets whether debug lines are printed. */
void log_init(int verbose);
void log_err(const char *, ...) AB_PRINTF(1, 2);
void log_warn(const char *, ...) AB_PRINTF(1, 2);
void log_info(const char *, ...) AB_PRINTF(1, 2);
void log_debug(const char *, ...) AB_PRINTF(1, 2);

#endif
