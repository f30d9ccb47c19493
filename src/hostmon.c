/* SPDX-License-Identifier: MIT */
/*
 * Host readings taken around each run, all below one root prefix so tests
 * can use fixture trees: the hottest thermal zone (sysfs-class-thermal),
 * cpu0's scaling_cur_freq (kernel cpufreq docs), the 1-minute load average
 * (proc(5) loadavg) and the Raspberry Pi firmware's get_throttled bits,
 * from sysfs or, failing that, from `vcgencmd get_throttled` run as a
 * child with a short timeout. Also turns readings into RUN_FLAG_* and
 * throttle bits into words.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostmon.h"
#include "num.h"
#include "proc.h"
#include "readfile.h"
#include "timefmt.h"

#define AB_HM_FILE_MAX   128  /* a longer sysfs/proc file is garbage */
#define AB_HM_OUT_MAX    256  /* vcgencmd output kept; the rest is drained */
#define AB_HM_TIMEOUT_MS 2000 /* for vcgencmd, from fork to reap */
#define AB_HM_TICK_MS    10   /* waitid polling without a pidfd */
#define AB_HM_TEMP_MIN   (-273150L)
#define AB_HM_TEMP_MAX   500000L
#define AB_HM_FREQ_MAX   1000000000L /* 1 THz in kHz */
#define AB_HM_LOAD_MAX   1e9
#define AB_HM_BITS_MAX   0xffffffffUL
#define AB_HM_NOW_BITS   0x0000fL
#define AB_HM_KNOWN_BITS 0xf000fL
#define AB_HM_UV_NOW     0x00001L /* under-voltage now */
#define AB_HM_UV_BITS    0x10001L /* now and since boot */

static const char thermal_dir[] = "/sys/class/thermal";
static const char zone_prefix[] = "thermal_zone";
static const char freq_file[] =
    "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq";
static const char load_file[] = "/proc/loadavg";
static const char throttled_file[] =
    "/sys/devices/platform/soc/soc:firmware/get_throttled";
static const char vc_prefix[] = "throttled=";

/* Where the Pi OS packages install vcgencmd, newest first. */
static const char *const vcgencmd_paths[] = {
    "/usr/bin/vcgencmd",
    "/opt/vc/bin/vcgencmd",
};

const char *const hostmon_conditions[AB_THROTTLE_NCOND] = {"under_voltage",
    "freq_capped", "throttled", "soft_temp_limit"};

/* The get_throttled bits (Raspberry Pi documentation, "vcgencmd"). */
static const struct {
	int64_t bit;
	const char *word;
} throttle_words[] = {
    {0x1, "under-voltage now"},
    {0x2, "arm frequency capped now"},
    {0x4, "throttled now"},
    {0x8, "soft temperature limit now"},
    {0x10000, "under-voltage since boot"},
    {0x20000, "arm frequency capped since boot"},
    {0x40000, "throttled since boot"},
    {0x80000, "soft temperature limit since boot"},
};
#define NWORDS (sizeof(throttle_words) / sizeof(throttle_words[0]))

static int
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void
rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		(void)close(*fd);
		*fd = -1;
	}
}

/* Joins root and rel into buf; -1 if it does not fit. */
static int
mkpath(char *buf, size_t len, const char *root, const char *rel)
{
	int n = snprintf(buf, len, "%s%s", root, rel);

	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* Reads a file holding one base-10 integer in [min, max]. */
static int
read_long(const char *path, long min, long max, long *out)
{
	char buf[AB_HM_FILE_MAX], err[64];

	if (readfile_small(path, buf, sizeof(buf)) == -1)
		return -1;
	return num_parse_long(buf, min, max, out, err, sizeof(err));
}

/*
 * Parses a hex number with or without "0x", as get_throttled and vcgencmd
 * print it, up to 32 bits. Returns 0, or -1 with *out untouched.
 */
static int
parse_hex(const char *s, int64_t *out)
{
	uint64_t v = 0; /* <= AB_HM_BITS_MAX before each step: no overflow */
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		v = v * 16 + (uint64_t)d;
		if (v > AB_HM_BITS_MAX)
			return -1;
	}
	*out = (int64_t)v;
	return 0;
}

/* The hottest parsable ROOT/sys/class/thermal/thermal_zone* /temp. */
static double
read_temp(const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *dp;
	long v, best = LONG_MIN;
	int n;

	if (mkpath(dir, sizeof(dir), root, thermal_dir) == -1 ||
	    (dp = opendir(dir)) == NULL)
		return NAN;
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, zone_prefix, sizeof(zone_prefix) - 1) !=
		    0)
			continue;
		n = snprintf(path, sizeof(path), "%s/%s/temp", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if (read_long(path, AB_HM_TEMP_MIN, AB_HM_TEMP_MAX, &v) == 0 &&
		    v > best)
			best = v;
	}
	(void)closedir(dp);
	return best == LONG_MIN ? NAN : (double)best / 1000.0;
}

static long
read_freq(const char *root)
{
	char path[PATH_MAX];
	long v;

	if (mkpath(path, sizeof(path), root, freq_file) == -1 ||
	    read_long(path, 1, AB_HM_FREQ_MAX, &v) == -1)
		return -1;
	return v;
}

/* The first field of loadavg: "0.52 0.58 0.59 1/345 12345". */
static double
read_load(const char *root)
{
	char path[PATH_MAX], buf[AB_HM_FILE_MAX], err[64];
	double v;

	if (mkpath(path, sizeof(path), root, load_file) == -1 ||
	    readfile_small(path, buf, sizeof(buf)) == -1)
		return NAN;
	buf[strcspn(buf, " \t")] = '\0';
	if (num_parse_double(buf, 0, AB_HM_LOAD_MAX, &v, err, sizeof(err)) ==
	    -1)
		return NAN;
	return v;
}

/*
 * get_throttled from sysfs. Returns 0 with *out set (-1 when unreadable or
 * garbage), or -1 with *out untouched when the file does not exist.
 */
static int
read_throttled_file(const char *root, int64_t *out)
{
	char path[PATH_MAX], buf[AB_HM_FILE_MAX];

	*out = -1;
	if (mkpath(path, sizeof(path), root, throttled_file) == -1)
		return 0;
	if (readfile_small(path, buf, sizeof(buf)) == -1)
		return (errno == ENOENT || errno == ENOTDIR) ? -1 : 0;
	if (parse_hex(buf, out) == -1)
		*out = -1;
	return 0;
}

/* vcgencmd's output so far: what fits in buf, the rest drained. */
struct vc_out {
	char *buf;
	size_t cap; /* bytes at buf, with the NUL */
	size_t len;
};

/* The proc_pipes reader: keeps what fits, drains the rest, closes at EOF. */
static void
vc_read(void *arg, int *fd)
{
	struct vc_out *o = arg;
	char drain[512];
	size_t take;
	ssize_t n;

	n = read(*fd, drain, sizeof(drain));
	if (n == -1 && errno == EINTR)
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	take = o->cap - 1 - o->len;
	if ((size_t)n < take)
		take = (size_t)n;
	memcpy(o->buf + o->len, drain, take);
	o->len += take;
}

/*
 * Runs `vcgencmd ARG` with stdout on a pipe and stdin and stderr on
 * /dev/null, in its own process group so that the whole group can be
 * killed at the deadline (proc_wait); see hostmon.h.
 */
int
hostmon_vcgencmd_run(const char *vcgencmd, const char *arg, char *out,
    size_t outlen)
{
	static char *const envp[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	    "LC_ALL=C", NULL};
	char *argv[3];
	struct vc_out o = {out, outlen, 0};
	struct proc_pipes pp = {{NULL}, 1, vc_read, &o};
	struct proc_wait_opts wo = {.tick_ms = AB_HM_TICK_MS};
	struct proc child;
	pid_t w;
	int pfd[2] = {-1, -1}, nullfd = -1, fds[3], status = 0, e, rc = -1;
	enum proc_end how;
	double t;

	if (vcgencmd == NULL || arg == NULL || out == NULL || outlen == 0)
		return -1;
	argv[0] = (char *)vcgencmd;
	argv[1] = (char *)arg;
	argv[2] = NULL;
	if (pipe2(pfd, O_CLOEXEC) == -1 ||
	    (nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		goto out;
	wo.deadline = timefmt_mono_s() + AB_HM_TIMEOUT_MS / 1000.0;
	fds[STDIN_FILENO] = nullfd;
	fds[STDOUT_FILENO] = pfd[1];
	fds[STDERR_FILENO] = nullfd;
	if (proc_spawn(&child, vcgencmd, argv, envp, fds, 3, NULL, 0) == -1)
		goto out;
	close_fd(&pfd[1]);
	close_fd(&nullfd);
	pp.fds[0] = &pfd[0];
	how = proc_wait(&child, &pp, &wo, &t, &e);
	if (how == PROC_EXITED)
		proc_drain(&pp, wo.deadline);
	proc_kill(&child);
	w = proc_reap(&child, &status, NULL);
	if (how != PROC_EXITED || pfd[0] != -1 || w == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		goto out;
	out[o.len] = '\0';
	rtrim(out);
	rc = 0;
out:
	close_fd(&nullfd);
	close_fd(&pfd[1]);
	close_fd(&pfd[0]);
	return rc;
}

/* `vcgencmd get_throttled`: the bits, or -1 for any failure. */
static int64_t
run_vcgencmd(const char *vcgencmd)
{
	char out[AB_HM_OUT_MAX];
	int64_t bits;

	if (hostmon_vcgencmd_run(vcgencmd, "get_throttled", out, sizeof(out)) ==
	        -1 ||
	    strncmp(out, vc_prefix, sizeof(vc_prefix) - 1) != 0 ||
	    parse_hex(out + sizeof(vc_prefix) - 1, &bits) == -1)
		return -1;
	return bits;
}

/*
 * Fills *out from the files below root, each reading on its own; what is
 * missing or unparsable stays unknown. vcgencmd runs only when the sysfs
 * get_throttled file does not exist.
 */
void
hostmon_read(const char *root, const char *vcgencmd, struct host_reading *out)
{
	if (root == NULL)
		root = "";
	run_reading_init(out);
	out->temp_c = read_temp(root);
	out->freq_khz = read_freq(root);
	out->load1 = read_load(root);
	if (read_throttled_file(root, &out->throttled) == -1 &&
	    vcgencmd != NULL)
		out->throttled = run_vcgencmd(vcgencmd);
}

/* Returns a string constant, or NULL when neither path is executable. */
const char *
hostmon_vcgencmd(void)
{
	size_t i;

	for (i = 0; i < sizeof(vcgencmd_paths) / sizeof(vcgencmd_paths[0]);
	     i++) {
		if (access(vcgencmd_paths[i], X_OK) == 0)
			return vcgencmd_paths[i];
	}
	return NULL;
}

/*
 * Flags a run throttled when either known reading has a "now" bit set or
 * both are known and a documented bit differs (something happened during
 * the run); an unknown reading alone never flags it.
 */
unsigned
hostmon_flags(const struct host_reading *before,
    const struct host_reading *after, double max_load)
{
	int64_t b = before->throttled, a = after->throttled;
	unsigned flags = 0;

	/* under-voltage (bit 0, and 16 since boot) apart from the rest */
	if ((b >= 0 && (b & AB_HM_UV_NOW) != 0) ||
	    (a >= 0 && (a & AB_HM_UV_NOW) != 0) ||
	    (b >= 0 && a >= 0 && ((a ^ b) & AB_HM_UV_BITS) != 0))
		flags |= RUN_FLAG_UNDER_VOLTAGE;
	if ((b >= 0 && (b & AB_HM_NOW_BITS & ~AB_HM_UV_NOW) != 0) ||
	    (a >= 0 && (a & AB_HM_NOW_BITS & ~AB_HM_UV_NOW) != 0) ||
	    (b >= 0 && a >= 0 &&
	        ((a ^ b) & AB_HM_KNOWN_BITS & ~AB_HM_UV_BITS) != 0))
		flags |= RUN_FLAG_THROTTLED;
	if (max_load > 0 && isfinite(before->load1) && before->load1 > max_load)
		flags |= RUN_FLAG_LOADED;
	return flags;
}

/*
 * Writes the words for each set bit, in bit order, and "bit N" for bits
 * the firmware documentation does not name; truncates to fit buf. Returns
 * buf, or "" when buf is NULL or len is 0.
 */
const char *
hostmon_throttle_text(int64_t bits, char *buf, size_t len)
{
	size_t i, used = 0;
	int64_t rest;
	int n, bit;

	if (buf == NULL || len == 0)
		return "";
	if (bits < 0) {
		(void)snprintf(buf, len, "unknown");
		return buf;
	}
	if (bits == 0) {
		(void)snprintf(buf, len, "none");
		return buf;
	}
	buf[0] = '\0';
	rest = bits;
	for (i = 0; i < NWORDS; i++) {
		if ((bits & throttle_words[i].bit) == 0)
			continue;
		rest &= ~throttle_words[i].bit;
		n = snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? ", " : "", throttle_words[i].word);
		if (n < 0 || (size_t)n >= len - used)
			return buf;
		used += (size_t)n;
	}
	for (bit = 0; rest != 0 && bit < 63; bit++) {
		if ((rest & ((int64_t)1 << bit)) == 0)
			continue;
		rest &= ~((int64_t)1 << bit);
		n = snprintf(buf + used, len - used, "%sbit %d",
		    used > 0 ? ", " : "", bit);
		if (n < 0 || (size_t)n >= len - used)
			return buf;
		used += (size_t)n;
	}
	return buf;
}
