/* SPDX-License-Identifier: MIT */
/*
 * stderr logging with journald priority prefixes when stderr is the journal
 * stream (systemd.exec(5), JOURNAL_STREAM), plain otherwise; each line is
 * written with one write(2), so lines from several threads never mix. Also
 * the rate limiter for messages a client can cause: a token bucket per
 * class of message, whose held-back lines are summarised later.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define AB_LOG_LINE 1024 /* longer lines are written from the heap */

static int log_journal;
static int log_verbose;

/*
 * Decides whether stderr is connected to journald by comparing
 * JOURNAL_STREAM's "DEV:INODE" with stderr's own, and records verbosity.
 */
void
log_init(int verbose)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	log_verbose = verbose;
	log_journal = 0;
	if (js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		log_journal = 1;
}

static void
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(STDERR_FILENO, p, n);
		if (w <= 0)
			return; /* nowhere left to say so */
		p += w;
		n -= (size_t)w;
	}
}

static void __attribute__((format(printf, 2, 0)))
log_vemit(int prio, const char *fmt, va_list ap)
{
	char line[AB_LOG_LINE], *big = NULL, *out = line;
	size_t plen;
	va_list ap2;
	int n;

	if (prio == LOG_PRIO_DEBUG && !log_verbose)
		return;
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>", prio);
	else
		n = snprintf(line, sizeof(line), "allocbenchd: ");
	plen = (size_t)n;
	va_copy(ap2, ap);
	n = vsnprintf(line + plen, sizeof(line) - plen - 1, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line) - plen - 1 &&
	    (big = malloc(plen + (size_t)n + 2)) != NULL) {
		memcpy(big, line, plen);
		vsnprintf(big + plen, (size_t)n + 1, fmt, ap2);
		out = big;
	} else if ((size_t)n >= sizeof(line) - plen - 1)
		n = (int)(sizeof(line) - plen - 2); /* truncated */
	va_end(ap2);
	out[plen + (size_t)n] = '\n';
	write_all(out, plen + (size_t)n + 1);
	free(big);
}

#define AB_LOG_FN(name, prio)                                                  \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_vemit(prio, fmt, ap);                                      \
		va_end(ap);                                                    \
	}

AB_LOG_FN(log_err, LOG_PRIO_ERR)
AB_LOG_FN(log_warn, LOG_PRIO_WARN)
AB_LOG_FN(log_info, LOG_PRIO_INFO)
AB_LOG_FN(log_debug, LOG_PRIO_DEBUG)

static void __attribute__((format(printf, 2, 3)))
log_emit(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(prio, fmt, ap);
	va_end(ap);
}

/* The monotonic clock in milliseconds. */
int64_t
log_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Tops up the bucket by the time elapsed (a full bucket on first use), then
 * takes one period's worth of credit if there is one.
 */
int
log_rate_allow(struct log_rate *r, int64_t now_ms)
{
	int64_t full = (int64_t)r->burst * r->period_ms;

	if (!r->started) {
		r->started = 1;
		r->credit_ms = full;
	} else if (now_ms > r->last_ms) {
		r->credit_ms += now_ms - r->last_ms;
		if (r->credit_ms > full)
			r->credit_ms = full;
	}
	r->last_ms = now_ms;
	if (r->burst > 0 && r->credit_ms >= r->period_ms) {
		r->credit_ms -= r->period_ms;
		return 1;
	}
	if (r->suppressed++ == 0)
		r->suppressed_since = now_ms;
	return 0;
}

/* Writes the summary when due (or forced) and says when the next is due. */
int64_t
log_rate_flush(struct log_rate *r, int64_t now_ms, int force)
{
	int64_t age, secs;

	if (r->suppressed == 0)
		return -1;
	age = now_ms - r->suppressed_since;
	if (!force && age < r->summary_ms)
		return r->summary_ms - age;
	secs = age <= 0 ? 1 : (age + 999) / 1000;
	log_emit(r->prio,
	    "%s: suppressed %lu similar message%s in the last "
	    "%lld s",
	    r->what, r->suppressed, r->suppressed == 1 ? "" : "s",
	    (long long)secs);
	r->suppressed = 0;
	return -1;
}

/* A line through r: the summary of what was held back goes first. */
void
log_ratef(struct log_rate *r, const char *fmt, ...)
{
	int64_t now = log_now_ms();
	va_list ap;

	if (!log_rate_allow(r, now)) {
		log_rate_flush(r, now, 0);
		return;
	}
	log_rate_flush(r, now, 1);
	va_start(ap, fmt);
	log_vemit(r->prio, fmt, ap);
	va_end(ap);
}
