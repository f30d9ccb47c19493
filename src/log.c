/* SPDX-License-Identifier: MIT */
/*
 * stderr logging with journald priority prefixes when stderr is the journal
 * stream (systemd.exec(5), JOURNAL_STREAM), plain otherwise.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "log.h"

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
log_vemit(int prio, const char *fmt, va_list ap)
{
	if (prio == 7 && !log_verbose)
		return;
	if (log_journal)
		fprintf(stderr, "<%d>", prio);
	else
		fputs("allocbenchd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define AB_LOG_FN(name, prio)                                                  \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_vemit(prio, fmt, ap);                                      \
		va_end(ap);                                                    \
	}

AB_LOG_FN(log_err, 3)
AB_LOG_FN(log_warn, 4)
AB_LOG_FN(log_info, 6)
AB_LOG_FN(log_debug, 7)
