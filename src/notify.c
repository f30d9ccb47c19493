/* SPDX-License-Identifier: MIT */
/*
 * Service manager notifications through sd_notify(3): READY=1 once HTTP
 * listens, STATUS= with the current activity, WATCHDOG=1 from the main loop
 * at half the watchdog period (sd_watchdog_enabled(3)), STOPPING=1 on the
 * way out. Without libsystemd, or without NOTIFY_SOCKET, all are no-ops.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "notify.h"

static uint64_t last_ping_us;

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
send_msg(const char *msg)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, msg);
#else
	(void)msg;
#endif
}

void
notify_ready(const char *status)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "READY=1\nSTATUS=%s", status);
	send_msg(buf);
	last_ping_us = mono_us();
}

void
notify_status(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "STATUS=");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	send_msg(buf);
}

void
notify_stopping(void)
{
	send_msg("STOPPING=1\nSTATUS=stopping");
}

uint64_t
notify_watchdog_usec(void)
{
#ifdef HAVE_LIBSYSTEMD
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		return usec;
#endif
	return 0;
}

void
notify_watchdog(void)
{
	uint64_t period = notify_watchdog_usec(), now;

	if (period == 0)
		return;
	now = mono_us();
	if (now - last_ping_us >= period / 2) {
		send_msg("WATCHDOG=1");
		last_ping_us = now;
	}
}
