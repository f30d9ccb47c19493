/* SPDX-License-Identifier: MIT */
/*
 * Parses and reads the two kernel sources of a run's contention: the
 * per-task "/proc/<pid>/schedstat" line (sched-stats.rst: time on the CPU,
 * time waiting on a run queue, timeslices, all since the task was created)
 * and the system-wide "/proc/pressure/cpu" file (psi.rst: "some" and,
 * since Linux 5.13, "full" lines with running averages and a cumulative
 * stall total in microseconds). Turns them into fractions of a run's wall
 * time. Files are read below a root prefix so fixtures go through the same
 * code as the real system.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "contention.h"
#include "num.h"

#define AB_CT_FILE_MAX                                                         \
	512 /* a longer schedstat or pressure file is garbage                  \
	     */
#define AB_CT_JSON_MAX 9007199254740992.0 /* 2^53: exact in a double */

static const char pressure_file[] = "/proc/pressure/cpu";

/*
 * Parses the unsigned decimal integer at *sp, stopping at the first
 * non-digit, and advances *sp. Returns 0, or -1 for no digits or overflow.
 */
static int
parse_u64(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;
	unsigned d;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

/* Parses the three schedstat fields strictly: single spaces, no signs, no
 * junk, each fitting in 64 bits. */
int
contention_parse_schedstat(const char *text, struct schedstat *out, char *err,
    size_t errlen)
{
	static const char *const names[] = {"run time", "wait time",
	    "timeslices"};
	uint64_t v[3];
	const char *s = text;
	int i;

	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "schedstat: empty");
		return -1;
	}
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*s != ' ') {
				snprintf(err, errlen,
				    "schedstat: %s expected, want 3 fields",
				    names[i]);
				return -1;
			}
			s++;
		}
		if (parse_u64(&s, &v[i]) == -1) {
			snprintf(err, errlen,
			    "schedstat: %s is not an unsigned integer",
			    names[i]);
			return -1;
		}
	}
	if (*s == '\n')
		s++;
	if (*s != '\0') {
		snprintf(err, errlen,
		    "schedstat: junk after the third field, want 3 fields");
		return -1;
	}
	out->run_ns = v[0];
	out->wait_ns = v[1];
	out->slices = v[2];
	return 0;
}

/*
 * Parses "avg10=X avg60=X avg300=X total=N" at s up to the end of the
 * line (NUL or newline), and sets *end past it.
 */
static int
parse_psi_fields(const char *s, const char **end, struct psi_line *out,
    char *err, size_t errlen)
{
	static const char *const avg_keys[] = {"avg10=", "avg60=", "avg300="};
	double avg[3];
	char num[32], nerr[96];
	size_t n, klen;
	int i;

	for (i = 0; i < 3; i++) {
		klen = strlen(avg_keys[i]);
		if (strncmp(s, avg_keys[i], klen) != 0) {
			snprintf(err, errlen, "'%.*s' expected", (int)klen - 1,
			    avg_keys[i]);
			return -1;
		}
		s += klen;
		n = strcspn(s, " \n");
		if (n == 0 || n >= sizeof(num)) {
			snprintf(err, errlen, "%.*s is not a number",
			    (int)klen - 1, avg_keys[i]);
			return -1;
		}
		memcpy(num, s, n);
		num[n] = '\0';
		if (num_parse_double(num, 0, 100, &avg[i], nerr,
		        sizeof(nerr)) == -1) {
			snprintf(err, errlen, "%.*s: %s", (int)klen - 1,
			    avg_keys[i], nerr);
			return -1;
		}
		s += n;
		if (*s != ' ') {
			snprintf(err, errlen, "line ends after %.*s",
			    (int)klen - 1, avg_keys[i]);
			return -1;
		}
		s++;
	}
	if (strncmp(s, "total=", 6) != 0) {
		snprintf(err, errlen, "'total' expected");
		return -1;
	}
	s += 6;
	if (parse_u64(&s, &out->total_us) == -1 || (*s != '\n' && *s != '\0')) {
		snprintf(err, errlen, "total is not an unsigned integer");
		return -1;
	}
	out->avg10 = avg[0];
	out->avg60 = avg[1];
	out->avg300 = avg[2];
	*end = s;
	return 0;
}

/* Parses the "some" line and, when present, the "full" line; anything
 * after them is junk. */
int
contention_parse_psi(const char *text, struct psi *out, char *err,
    size_t errlen)
{
	struct psi p;
	const char *s = text;
	char why[160];

	memset(&p, 0, sizeof(p));
	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "pressure: empty");
		return -1;
	}
	if (strncmp(s, "some ", 5) != 0) {
		snprintf(err, errlen, "pressure: line 1: 'some' expected");
		return -1;
	}
	if (parse_psi_fields(s + 5, &s, &p.some, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "pressure: line 1: %s", why);
		return -1;
	}
	if (*s == '\n')
		s++;
	if (*s != '\0') {
		if (strncmp(s, "full ", 5) != 0) {
			snprintf(err, errlen,
			    "pressure: line 2: 'full' expected");
			return -1;
		}
		if (parse_psi_fields(s + 5, &s, &p.full, why, sizeof(why)) ==
		    -1) {
			snprintf(err, errlen, "pressure: line 2: %s", why);
			return -1;
		}
		if (*s == '\n')
			s++;
		if (*s != '\0') {
			snprintf(err, errlen, "pressure: junk after line 2");
			return -1;
		}
		p.has_full = 1;
	}
	*out = p;
	return 0;
}

/* ENOENT and ENOTDIR: no such file; EOPNOTSUPP: PSI switched off at boot
 * (psi=0), where the files exist but cannot be read. */
int
contention_errno_absent(int e)
{
	return e == ENOENT || e == ENOTDIR || e == EOPNOTSUPP;
}

/*
 * Reads path into buf as a string. Returns CONTENTION_OK,
 * CONTENTION_ABSENT or CONTENTION_ERROR, with the reason in err for the
 * last two.
 */
static enum contention_rc
read_text(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	size_t total = 0;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return contention_errno_absent(e) ? CONTENTION_ABSENT
		                                  : CONTENTION_ERROR;
	}
	for (;;) {
		n = read(fd, buf + total, len - 1 - total);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			(void)close(fd);
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			return e == EOPNOTSUPP ? CONTENTION_ABSENT
			                       : CONTENTION_ERROR;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total == len - 1) {
			(void)close(fd);
			snprintf(err, errlen, "%s: longer than %zu bytes", path,
			    len - 1);
			return CONTENTION_ERROR;
		}
	}
	(void)close(fd);
	buf[total] = '\0';
	if (memchr(buf, '\0', total) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		return CONTENTION_ERROR;
	}
	return CONTENTION_OK;
}

/*
 * Reads path and hands its text to parse. A parse error names the path.
 */
static enum contention_rc
read_parsed(const char *path,
    int (*parse)(const char *, void *, char *, size_t), void *out, char *err,
    size_t errlen)
{
	char buf[AB_CT_FILE_MAX], why[256];
	enum contention_rc rc;

	if ((rc = read_text(path, buf, sizeof(buf), err, errlen)) !=
	    CONTENTION_OK)
		return rc;
	if (parse(buf, out, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: %s", path, why);
		return CONTENTION_ERROR;
	}
	return CONTENTION_OK;
}

static int
parse_schedstat_cb(const char *text, void *out, char *err, size_t errlen)
{
	return contention_parse_schedstat(text, out, err, errlen);
}

static int
parse_psi_cb(const char *text, void *out, char *err, size_t errlen)
{
	return contention_parse_psi(text, out, err, errlen);
}

/* Reads and parses ROOT/proc/PID/schedstat through read_parsed. */
enum contention_rc
contention_read_schedstat(const char *root, long pid, struct schedstat *out,
    char *err, size_t errlen)
{
	char path[PATH_MAX];
	int n;

	if (root == NULL)
		root = "";
	if (pid < 0) {
		snprintf(err, errlen, "schedstat: bad pid %ld", pid);
		return CONTENTION_ERROR;
	}
	if (pid == 0)
		n = snprintf(path, sizeof(path), "%s/proc/self/schedstat",
		    root);
	else
		n = snprintf(path, sizeof(path), "%s/proc/%ld/schedstat", root,
		    pid);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "schedstat: path too long");
		return CONTENTION_ERROR;
	}
	return read_parsed(path, parse_schedstat_cb, out, err, errlen);
}

/* Reads and parses ROOT/proc/pressure/cpu through read_parsed. */
enum contention_rc
contention_read_psi(const char *root, struct psi *out, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int n;

	if (root == NULL)
		root = "";
	n = snprintf(path, sizeof(path), "%s%s", root, pressure_file);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "pressure: path too long");
		return CONTENTION_ERROR;
	}
	return read_parsed(path, parse_psi_cb, out, err, errlen);
}

static int
bad_wall(double wall_s, char *err, size_t errlen)
{
	if (isfinite(wall_s) && wall_s > 0)
		return 0;
	snprintf(err, errlen, "wall time %g s is not a positive number",
	    wall_s);
	return -1;
}

/* wait_ns / wall time; refuses a kernel that accounts nothing. */
int
contention_runq_frac(const struct schedstat *ss, double wall_s, double *out,
    char *err, size_t errlen)
{
	if (bad_wall(wall_s, err, errlen) == -1)
		return -1;
	if (ss->run_ns == 0 && ss->wait_ns == 0 && ss->slices == 0) {
		snprintf(err, errlen,
		    "schedstat is all zero: the kernel does not account "
		    "run-queue delay");
		return -1;
	}
	*out = (double)ss->wait_ns / 1e9 / wall_s;
	return 0;
}

/* Differences of the cumulative totals over the wall time; refuses totals
 * that went backwards (a reboot or a garbled reading). */
int
contention_psi_frac(const struct psi *before, const struct psi *after,
    double wall_s, double *some, double *full, char *err, size_t errlen)
{
	double f = NAN;

	if (bad_wall(wall_s, err, errlen) == -1)
		return -1;
	if (after->some.total_us < before->some.total_us) {
		snprintf(err, errlen,
		    "pressure: some total went backwards (%llu -> %llu)",
		    (unsigned long long)before->some.total_us,
		    (unsigned long long)after->some.total_us);
		return -1;
	}
	if (before->has_full && after->has_full) {
		if (after->full.total_us < before->full.total_us) {
			snprintf(err, errlen,
			    "pressure: full total went backwards "
			    "(%llu -> %llu)",
			    (unsigned long long)before->full.total_us,
			    (unsigned long long)after->full.total_us);
			return -1;
		}
		f = (double)(after->full.total_us - before->full.total_us) /
		    1e6 / wall_s;
	}
	*some = (double)(after->some.total_us - before->some.total_us) / 1e6 /
	    wall_s;
	*full = f;
	return 0;
}

/* Fills what can be computed and leaves the rest NAN. */
void
contention_of_run(const struct schedstat *ss, const struct psi *psi_before,
    const struct psi *psi_after, double wall_s, struct contention *out)
{
	char err[160];

	out->runq_frac = NAN;
	out->psi_some_frac = NAN;
	out->psi_full_frac = NAN;
	if (ss != NULL)
		(void)contention_runq_frac(ss, wall_s, &out->runq_frac, err,
		    sizeof(err));
	if (psi_before != NULL && psi_after != NULL)
		(void)contention_psi_frac(psi_before, psi_after, wall_s,
		    &out->psi_some_frac, &out->psi_full_frac, err, sizeof(err));
}

/* Judges by the run's own run-queue delay, which other processes' load
 * shows in and the run's own earlier load does not. */
int
contention_contended(const struct contention *c, double max_runq_frac)
{
	return max_runq_frac > 0 && isfinite(c->runq_frac) &&
	    c->runq_frac > max_runq_frac;
}

/* Accepts null or three integral numbers exactly representable as
 * doubles. */
enum contention_rc
contention_schedstat_from_json(const cJSON *item, struct schedstat *out,
    char *err, size_t errlen)
{
	static const char *const names[] = {"run_ns", "wait_ns", "slices"};
	const cJSON *e;
	uint64_t v[3];
	double d;
	int i;

	if (item == NULL || cJSON_IsNull(item)) {
		snprintf(err, errlen, "schedstat: not reported");
		return CONTENTION_ABSENT;
	}
	if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != 3) {
		snprintf(err, errlen,
		    "schedstat: not an array of 3 numbers or null");
		return CONTENTION_ERROR;
	}
	for (i = 0; i < 3; i++) {
		e = cJSON_GetArrayItem(item, i);
		d = cJSON_IsNumber(e) ? e->valuedouble : NAN;
		if (!(d >= 0 && d <= AB_CT_JSON_MAX) || d != floor(d)) {
			snprintf(err, errlen,
			    "schedstat: %s is not an integer in [0, 2^53]",
			    names[i]);
			return CONTENTION_ERROR;
		}
		v[i] = (uint64_t)d;
	}
	out->run_ns = v[0];
	out->wait_ns = v[1];
	out->slices = v[2];
	return CONTENTION_OK;
}
