/* SPDX-License-Identifier: MIT */
/*
 * The daemon's own process metrics for /metrics, read from /proc the way
 * Prometheus client libraries do (process_* families), with the
 * allocbench_ prefix.
 */
#include "config.h"

#include <sys/resource.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "num.h"
#include "readfile.h"
#include "selfstat.h"
#include "xmalloc.h"

/* Whitespace-separated field n (1-based) of s into buf, or -1. */
static int
field(const char *s, int n, char *buf, size_t len)
{
	const char *end;
	int i;

	for (i = 1;; i++) {
		while (*s == ' ')
			s++;
		if (*s == '\0' || *s == '\n')
			return -1;
		end = s + strcspn(s, " \n");
		if (i == n) {
			if ((size_t)(end - s) >= len)
				return -1;
			memcpy(buf, s, (size_t)(end - s));
			buf[end - s] = '\0';
			return 0;
		}
		s = end;
	}
}

static double
field_num(const char *s, int n)
{
	char buf[32], err[64];
	double v;

	if (field(s, n, buf, sizeof(buf)) == -1 ||
	    num_parse_double(buf, 0, 1e300, &v, err, sizeof(err)) == -1)
		return -1;
	return v;
}

static double
boot_time(void)
{
	size_t len = 64 * 1024; /* the intr line is long on big machines */
	char *buf = xmalloc(len), *p;
	double v = -1;

	if (readfile_small("/proc/stat", buf, len) == 0 &&
	    (p = strstr(buf, "\nbtime ")) != NULL)
		v = field_num(p + 7, 1);
	free(buf);
	return v;
}

static double
open_fds(void)
{
	struct dirent *de;
	DIR *dir;
	double n = 0;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1; /* the directory's own descriptor */
}

/*
 * Reads getrusage for the CPU time, /proc/self/statm for the sizes,
 * /proc/self/stat field 22 (starttime), /proc/self/fd, /proc/stat's btime
 * and RLIMIT_NOFILE; a value that cannot be read leaves its family out.
 */
void
selfstat_metrics(struct ab_buf *b)
{
	char stat[1024], *p;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	double cpu = -1, start = -1, vsize = -1, rss = -1;
	double fds, btime;
	struct rusage ru;
	struct rlimit rl;

	/* qemu-user makes up /proc/self/stat with zeros for the CPU times and
	 * sizes, so only the start time comes from there */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (readfile_small("/proc/self/statm", stat, sizeof(stat)) == 0) {
		vsize = field_num(stat, 1);
		rss = field_num(stat, 2);
		if (vsize >= 0 && page > 0)
			vsize *= (double)page;
	}
	if (readfile_small("/proc/self/stat", stat, sizeof(stat)) == 0 &&
	    (p = strrchr(stat, ')')) != NULL)
		start = field_num(p + 1, 22 - 2); /* p + 1 is at field 3 */
	fds = open_fds();
	btime = boot_time();

	if (cpu >= 0)
		ab_buf_printf(b,
		    "# HELP allocbench_process_cpu_seconds_total User and "
		    "system CPU time spent by allocbenchd.\n"
		    "# TYPE allocbench_process_cpu_seconds_total counter\n"
		    "allocbench_process_cpu_seconds_total %.2f\n",
		    cpu);
	if (rss >= 0 && page > 0)
		ab_buf_printf(b,
		    "# HELP allocbench_process_resident_memory_bytes Resident "
		    "memory of allocbenchd.\n"
		    "# TYPE allocbench_process_resident_memory_bytes gauge\n"
		    "allocbench_process_resident_memory_bytes %.0f\n",
		    rss * (double)page);
	if (vsize >= 0)
		ab_buf_printf(b,
		    "# HELP allocbench_process_virtual_memory_bytes Virtual "
		    "memory size of allocbenchd.\n"
		    "# TYPE allocbench_process_virtual_memory_bytes gauge\n"
		    "allocbench_process_virtual_memory_bytes %.0f\n",
		    vsize);
	if (fds >= 0)
		ab_buf_printf(b,
		    "# HELP allocbench_process_open_fds Open file descriptors "
		    "of allocbenchd.\n"
		    "# TYPE allocbench_process_open_fds gauge\n"
		    "allocbench_process_open_fds %.0f\n",
		    fds);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		ab_buf_printf(b,
		    "# HELP allocbench_process_max_fds Limit on open file "
		    "descriptors (RLIMIT_NOFILE).\n"
		    "# TYPE allocbench_process_max_fds gauge\n"
		    "allocbench_process_max_fds %.0f\n",
		    (double)rl.rlim_cur);
	if (start >= 0 && btime >= 0 && tck > 0)
		ab_buf_printf(b,
		    "# HELP allocbench_process_start_time_seconds Start time "
		    "of allocbenchd, seconds since the epoch.\n"
		    "# TYPE allocbench_process_start_time_seconds gauge\n"
		    "allocbench_process_start_time_seconds %.2f\n",
		    btime + start / (double)tck);
}
