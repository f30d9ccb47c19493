/* SPDX-License-Identifier: MIT */
/*
 * sd_notify(3) messages to the service manager: READY=1, STATUS=,
 * WATCHDOG=1 and STOPPING=1. No-ops when NOTIFY_SOCKET is unset or the
 * daemon was built without libsystemd.
 */
#ifndef AB_NOTIFY_H
#define AB_NOTIFY_H

#include <stdint.h>

void notify_ready(const char *status);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void notify_stopping(void);

/*
 * The watchdog period in microseconds from WATCHDOG_USEC (sd_watchdog_enabled
 * (3)), or 0 when the watchdog is off.
 */
uint64_t notify_watchdog_usec(void);

/* Sends WATCHDOG=1 if at least half the period passed since the last one. */
void notify_watchdog(void);

#endif
