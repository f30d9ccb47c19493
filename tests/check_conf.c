/* SPDX-License-Identifier: MIT */
/*
 * The configuration module: defaults, good files and the fields they set,
 * bad files and their exact "FILE:LINE: message", conf_set as the command
 * line uses it, the listen address parser, and the example configuration in
 * doc/ (which must load as shipped and with its examples uncommented).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "conf.h"

static char tmpdir[sizeof(AB_TEST_TMPDIR)];
static char tmpfile_[sizeof(tmpdir) + 16];

static void
make_tmpdir(void)
{
	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
	snprintf(tmpfile_, sizeof(tmpfile_), "%s/test.conf", tmpdir);
}

static void
remove_tmpdir(void)
{
	(void)unlink(tmpfile_);
	(void)rmdir(tmpdir);
}

/* Writes text to the scratch file, loads it into c and removes the file. */
static int
load_text(struct conf *c, const char *text, char *err, size_t errlen)
{
	int rc;

	ab_test_write_file(tmpfile_, text);
	rc = conf_load(c, tmpfile_, err, errlen);
	ck_assert_int_eq(unlink(tmpfile_), 0);
	return rc;
}

static void put(char *buf, size_t len, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
put(char *buf, size_t len, const char *key, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	ck_assert_uint_lt(used, len);
	snprintf(buf + used, len - used, "%s=", key);
	used = strlen(buf);
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	used = strlen(buf);
	ck_assert_uint_lt(used + 1, len);
	buf[used] = '\n';
	buf[used + 1] = '\0';
}

#define STR(s) ((s) != NULL ? (s) : "(null)")

/* Every field of c as "key=value" lines, lists one line per entry. */
static void
dump(const struct conf *c, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	put(buf, len, "listen", "%s", STR(c->listen));
	put(buf, len, "state_dir", "%s", STR(c->state_dir));
	put(buf, len, "www_dir", "%s", STR(c->www_dir));
	put(buf, len, "interval", "%ld", c->interval_s);
	put(buf, len, "window", "%ld", c->window);
	put(buf, len, "retention_days", "%ld", c->retention_days);
	put(buf, len, "history_max_mb", "%ld", c->history_max_mb);
	put(buf, len, "api_token", "%s", STR(c->api_token));
	put(buf, len, "max_load", "%g", c->max_load);
	put(buf, len, "include_flagged", "%d", c->include_flagged);
	put(buf, len, "max_connections", "%ld", c->max_connections);
	put(buf, len, "max_per_ip", "%ld", c->max_per_ip);
	put(buf, len, "connection_timeout", "%ld", c->conn_timeout_s);
	put(buf, len, "host_root", "%s", STR(c->host_root));
	put(buf, len, "iterations", "%ld", c->iterations);
	put(buf, len, "warmup", "%ld", c->warmup);
	put(buf, len, "timeout", "%g", c->timeout_s);
	for (i = 0; i < c->ninterpreters; i++)
		put(buf, len, "interpreter", "%s", c->interpreters[i]);
	for (i = 0; i < c->nallocators; i++)
		put(buf, len, "allocator", "%s", c->allocators[i]);
	for (i = 0; i < c->ndisabled; i++)
		put(buf, len, "disabled", "%s", c->disabled[i]);
}

/* The lines of c's dump that a fresh conf_defaults does not have. */
static void
diff_from_defaults(const struct conf *c, char *out, size_t outlen)
{
	char base[4096], cur[4096], needle[512];
	struct conf d;
	char *line, *nl;
	size_t used;

	conf_defaults(&d);
	base[0] = '\n';
	dump(&d, base + 1, sizeof(base) - 1);
	conf_free(&d);
	dump(c, cur, sizeof(cur));
	out[0] = '\0';
	for (line = cur; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		snprintf(needle, sizeof(needle), "\n%.*s\n", (int)(nl - line),
		    line);
		if (strstr(base, needle) == NULL) {
			used = strlen(out);
			ck_assert_uint_lt(used + strlen(needle), outlen);
			memcpy(out + used, needle + 1, strlen(needle));
		}
	}
}

START_TEST(test_defaults)
{
	struct conf c;

	conf_defaults(&c);
	ck_assert_str_eq(c.listen, "127.0.0.1:8080");
	ck_assert_ptr_null(c.state_dir);
	ck_assert_ptr_null(c.www_dir);
	ck_assert_int_eq(c.interval_s, 600);
	ck_assert_int_eq(c.window, 30);
	ck_assert_int_eq(c.retention_days, 90);
	ck_assert_int_eq(c.history_max_mb, 64);
	ck_assert_ptr_null(c.api_token);
	ck_assert_double_eq(c.max_load, 0);
	ck_assert_double_eq(c.max_runq, 0.10);
	ck_assert_double_eq(c.margin, 0.02);
	ck_assert_int_eq(c.include_flagged, 0);
	ck_assert_int_eq(c.max_connections, 32);
	ck_assert_int_eq(c.max_per_ip, 16);
	ck_assert_int_eq(c.conn_timeout_s, 15);
	ck_assert_str_eq(c.host_root, "");
	ck_assert_int_eq(c.iterations, 2000000);
	ck_assert_int_eq(c.warmup, 1);
	ck_assert_double_eq(c.timeout_s, 600);
	ck_assert_uint_eq(c.ninterpreters, 0);
	ck_assert_uint_eq(c.nallocators, 0);
	ck_assert_uint_eq(c.ndisabled, 0);
	conf_free(&c);
	/* conf_free leaves a zeroed config, on which it is a no-op */
	ck_assert_ptr_null(c.listen);
	conf_free(&c);
}
END_TEST

#define TOKEN "s3cret-token-0123456789"

static const struct {
	const char *text;
	const char *diff; /* dump lines that differ from the defaults */
} good[] = {
    {"", ""},
    {"# only a comment\n; and another\n\n", ""},
    {"[daemon]\n[workload]\n", ""},
    {"[daemon]\n"
     "listen = 0.0.0.0:9000\n"
     "state_dir = /srv/ab\n"
     "www_dir = /usr/share/ab/www\n"
     "interval = 3600\n"
     "window = 100\n"
     "retention_days = 365\n"
     "history_max_mb = 512\n"
     "api_token = " TOKEN "\n"
     "max_load = 1.5\n"
     "include_flagged = yes\n"
     "max_connections = 200\n"
     "max_per_ip = 20\n"
     "connection_timeout = 30\n"
     "host_root = /tmp/fixture\n",
        "listen=0.0.0.0:9000\nstate_dir=/srv/ab\n"
        "www_dir=/usr/share/ab/www\ninterval=3600\nwindow=100\n"
        "retention_days=365\nhistory_max_mb=512\napi_token=" TOKEN "\n"
        "max_load=1.5\ninclude_flagged=1\nmax_connections=200\n"
        "max_per_ip=20\nconnection_timeout=30\nhost_root=/tmp/fixture\n"},
    {"[workload]\niterations = 1000\nwarmup = 0\ntimeout = 0.5\n",
        "iterations=1000\nwarmup=0\ntimeout=0.5\n"},
    /* range limits are inclusive */
    {"[daemon]\ninterval = 10\nwindow = 100\nmax_load = 1000\n"
     "[workload]\nwarmup = 100\ntimeout = 86400\n",
        "interval=10\nwindow=100\nmax_load=1000\nwarmup=100\ntimeout=86400\n"},
    /* a repeated [daemon] header is fine when the keys differ */
    {"[daemon]\ninterval = 900\n[workload]\nwarmup = 2\n"
     "[daemon]\nwindow = 5\n",
        "interval=900\nwindow=5\nwarmup=2\n"},
    {"[daemon]\nlisten = [::1]:0\n", "listen=[::1]:0\n"},
    {"[daemon]\napi_token =\n", ""},
    {"[daemon]\nhost_root =\n", ""},
    {"[daemon]\nmax_connections = 8\nmax_per_ip = 8\n",
        "max_connections=8\nmax_per_ip=8\n"},
    {"[daemon]\ninclude_flagged = On\n", "include_flagged=1\n"},
    {"[daemon]\ninclude_flagged = TRUE\n", "include_flagged=1\n"},
    {"[daemon]\ninclude_flagged = 1\n", "include_flagged=1\n"},
    {"[daemon]\ninclude_flagged = off\n", ""},
    /* indentation, CRLF, a BOM, "key: value" and inline comments */
    {"\xEF\xBB\xBF[daemon]\r\n  interval = 1200   ; twenty minutes\r\n"
     "\twindow: 7\r\n   # indented comment\r\n",
        "interval=1200\nwindow=7\n"},
    {"[ daemon ]\ninterval=60\n", "interval=60\n"},
    {"[daemon]  ; the daemon\ninterval = 60\n", "interval=60\n"},
    /* sections without keys still count */
    {"[interpreter pypy3]\n", "interpreter=pypy3=pypy3\n"},
    {"[interpreter pypy3]\n[interpreter python3]\n",
        "interpreter=pypy3=pypy3\ninterpreter=python3=python3\n"},
    {"[interpreter python3-raw]\ncommand = /usr/bin/python3\n"
     "env = PYTHONMALLOC=malloc\nenv = PYTHONHASHSEED=0\n",
        "interpreter=python3-raw=/usr/bin/python3,PYTHONMALLOC=malloc,"
        "PYTHONHASHSEED=0\n"},
    {"[interpreter py]\nenv = A=1\ncommand = python3.11\n",
        "interpreter=py=python3.11,A=1\n"},
    {"[interpreter py]\nenv = A=x=y\n", "interpreter=py=py,A=x=y\n"},
    {"[allocator mylib]\nlibrary = /opt/lib/libmy.so\n",
        "allocator=mylib=/opt/lib/libmy.so\n"},
    {"[allocator jemalloc]\nlibrary = /opt/libjemalloc.so.2\n",
        "allocator=jemalloc=/opt/libjemalloc.so.2\n"},
    {"[allocator jemalloc]\nenabled = no\n[allocator mimalloc]\n"
     "enabled = false\n[allocator tcmalloc]\nenabled = yes\n",
        "disabled=jemalloc\ndisabled=mimalloc\n"},
    {"[allocator mylib]\nenabled = 0\nlibrary = /x/libmy.so\n",
        "allocator=mylib=/x/libmy.so\ndisabled=mylib\n"},
    {"[allocator glibc]\nenabled = yes\n", ""},
    {"[allocator tcmalloc]\n", ""},
};

START_TEST(test_good_files)
{
	char err[512], diff[4096];
	struct conf c;
	int rc;

	conf_defaults(&c);
	err[0] = '\0';
	rc = load_text(&c, good[_i].text, err, sizeof(err));
	ck_assert_msg(rc == 0, "case %d: %s", _i, err);
	diff_from_defaults(&c, diff, sizeof(diff));
	ck_assert_str_eq(diff, good[_i].diff);
	conf_free(&c);
}
END_TEST

static const struct {
	const char *text;
	const char *err; /* after "PATH" */
} bad[] = {
    {"[foo]\n", ":1: unknown section [foo]"},
    {"[daemon]\n[Daemon]\n", ":2: unknown section [Daemon]"},
    {"[daemon x]\n", ":1: unknown section [daemon x]"},
    {"[]\n", ":1: unknown section []"},
    {"[daemon]\nbar = 1\n", ":2: unknown key 'bar' in [daemon]"},
    {"[workload]\nlisten = 127.0.0.1:80\n",
        ":2: unknown key 'listen' in [workload]"},
    {"[interpreter py]\nlibrary = /x.so\n",
        ":2: unknown key 'library' in [interpreter py]"},
    {"listen = 127.0.0.1:80\n", ":1: key 'listen' is outside any [section]"},
    {"# c\n\n[daemon]\ninterval = abc\n",
        ":4: interval: 'abc' is not a number"},
    {"[daemon]\ninterval = 5\n",
        ":2: interval: '5' is out of range [10, 604800]"},
    {"[daemon]\ninterval = 600 # ten minutes\n",
        ":2: interval: '600 # ten minutes' is not a number"},
    {"[daemon]\nwindow = 0\n", ":2: window: '0' is out of range [1, 100]"},
    {"[daemon]\nwindow = 101\n", ":2: window: '101' is out of range [1, 100]"},
    {"[daemon]\nmax_runq = 1.5\n",
        ":2: max_runq: '1.5' is out of range [0, 1]"},
    {"[daemon]\nmargin = 0\n", ":2: margin: '0' is out of range [0.001, 0.5]"},
    {"[daemon]\nretention_days = 3651\n",
        ":2: retention_days: '3651' is out of range [1, 3650]"},
    {"[daemon]\nhistory_max_mb = 100001\n",
        ":2: history_max_mb: '100001' is out of range [1, 100000]"},
    {"[daemon]\nmax_load = -1\n",
        ":2: max_load: '-1' is out of range [0, 1000]"},
    {"[daemon]\nmax_connections = 0\n",
        ":2: max_connections: '0' is out of range [1, 10000]"},
    {"[daemon]\nconnection_timeout = 3601\n",
        ":2: connection_timeout: '3601' is out of range [1, 3600]"},
    {"[workload]\niterations = 0\n",
        ":2: iterations: '0' is out of range [1, 1000000000]"},
    {"[workload]\nwarmup = 101\n",
        ":2: warmup: '101' is out of range [0, 100]"},
    {"[workload]\ntimeout = 0.05\n",
        ":2: timeout: '0.05' is out of range [0.1, 86400]"},
    {"[workload]\ntimeout = 10s\n", ":2: timeout: '10s' is not a number"},
    {"[daemon]\ninterval = 600\n\n[daemon]\ninterval = 700\n",
        ":5: duplicate key 'interval' in [daemon]"},
    {"[daemon]\nlisten = 127.0.0.1:80\nlisten = 127.0.0.1:81\n",
        ":3: duplicate key 'listen' in [daemon]"},
    {"[interpreter py3]\n[interpreter py3]\n",
        ":2: [interpreter py3] appears twice"},
    {"[interpreter py3]\n[ interpreter \t py3 ]\n",
        ":2: [interpreter py3] appears twice"},
    {"[allocator mylib]\nlibrary = /a.so\n[daemon]\n[allocator mylib]\n",
        ":4: [allocator mylib] appears twice"},
    {"[interpreter]\n", ":1: [interpreter] needs a name"},
    {"[allocator]\n", ":1: [allocator] needs a name"},
    {"[daemon]\ninclude_flagged = maybe\n",
        ":2: include_flagged: 'maybe' is not a boolean"},
    {"[daemon]\ninclude_flagged =\n",
        ":2: include_flagged: '' is not a boolean"},
    {"[daemon]\nlisten\n", ":2: syntax error"},
    {"[daemon\ninterval = 600\n", ":1: syntax error"},
    {"[daemon] junk\n", ":1: syntax error"},
    {"[daemon ;]\n", ":1: syntax error"},
    /* no continuation lines: an indented line is a line of its own */
    {"[daemon]\ninterval = 600\n  700\n", ":3: syntax error"},
    /* the first error by line wins, whoever finds it */
    {"[daemon]\nfoo\ninterval = x\n", ":2: syntax error"},
    {"[daemon]\ninterval = x\nfoo\n", ":2: interval: 'x' is not a number"},
    {"[daemon]\nlisten = localhost:80\n",
        ":2: listen: 'localhost' is not a numeric IPv4 address (host names "
        "are not resolved)"},
    {"[daemon]\nlisten = 127.0.0.1:65536\n",
        ":2: listen: port '65536' is out of range [0, 65535]"},
    {"[daemon]\nstate_dir = var/lib/ab\n",
        ":2: state_dir: 'var/lib/ab' is not an absolute path"},
    {"[daemon]\nwww_dir =\n", ":2: www_dir: '' is not an absolute path"},
    {"[daemon]\nhost_root = tmp\n",
        ":2: host_root: 'tmp' is not an absolute path"},
    {"[daemon]\napi_token = short\n",
        ":2: api_token: must be at least 16 characters"},
    {"[daemon]\napi_token = a token with spaces\n",
        ":2: api_token: must be printable ASCII without spaces"},
    {"[daemon]\napi_token = caf\xC3\xA9-0123456789abcdef\n",
        ":2: api_token: must be printable ASCII without spaces"},
    {"[daemon]\nmax_connections = 8\nmax_per_ip = 9\n",
        ":3: max_per_ip (9) exceeds max_connections (8)"},
    {"[daemon]\nmax_per_ip = 8\nmax_connections = 4\ninterval = 60\n",
        ":3: max_per_ip (8) exceeds max_connections (4)"},
    {"[daemon]\nmax_per_ip = 100\n",
        ":2: max_per_ip (100) exceeds max_connections (32)"},
    {"[interpreter py3]\nenv = LD_PRELOAD=/x.so\n",
        ":2: interpreter 'py3': LD_PRELOAD may not be set (the allocator "
        "is preloaded)"},
    {"[interpreter py3]\nenv = NOEQUALS\n",
        ":2: interpreter 'py3': bad environment entry 'NOEQUALS' (want "
        "KEY=VALUE)"},
    {"[interpreter py3]\nenv = 1A=x\n",
        ":2: interpreter 'py3': bad environment name '1A'"},
    {"[interpreter py3]\nenv = A=1\nenv = A=2\n",
        ":3: interpreter 'py3': environment variable 'A' given twice"},
    {"[interpreter py3]\nenv = A=1,B=2\n",
        ":2: env: 'A=1,B=2' must not contain ','"},
    {"[interpreter py3]\ncommand = /opt/py,thon\n",
        ":2: command: '/opt/py,thon' must not contain ','"},
    {"[interpreter py3]\ncommand = bin/python3\n",
        ":2: interpreter 'py3': command 'bin/python3' is not absolute"},
    {"[interpreter py3]\ncommand =\n", ":2: interpreter 'py3': empty command"},
    {"[interpreter py3]\ncommand = a\ncommand = b\n",
        ":3: duplicate key 'command' in [interpreter py3]"},
    {"[interpreter py 3]\n",
        ":1: interpreter 'py 3': name may only hold letters, digits and "
        "._+-"},
    {"[interpreter py=3]\n",
        ":1: interpreter 'py=3': name may only hold letters, digits and "
        "._+-"},
    {"[interpreter .hidden]\n",
        ":1: interpreter '.hidden': name may not start with '.'"},
    {"[allocator glibc]\nlibrary = /x.so\n",
        ":2: allocator 'glibc': the baseline cannot be replaced"},
    {"[allocator glibc]\nenabled = no\n",
        ":2: enabled: glibc cannot be disabled: it is the baseline"},
    {"[allocator jemalloc]\nenabled = sometimes\n",
        ":2: enabled: 'sometimes' is not a boolean"},
    {"[allocator mylib]\nlibrary = lib/libmy.so\n",
        ":2: allocator 'mylib': path 'lib/libmy.so' is not absolute"},
    {"[allocator mylib]\nlibrary =\n", ":2: allocator 'mylib': empty path"},
    {"[allocator mylib]\nlibrary = /a.so\nlibrary = /b.so\n",
        ":3: duplicate key 'library' in [allocator mylib]"},
    {"[allocator my,lib]\n",
        ":1: allocator 'my,lib': name may only hold letters, digits and "
        "._+-"},
    {"[allocator my lib]\nlibrary = /a.so\n",
        ":1: allocator 'my lib': name may only hold letters, digits and "
        "._+-"},
    /* checked when the section ends: at the next header or at the end */
    {"[allocator mylib]\nenabled = no\n",
        ":1: [allocator mylib] needs a library (it is not built in)"},
    {"[daemon]\n[allocator mylib]\n\n[workload]\nwarmup = x\n",
        ":2: [allocator mylib] needs a library (it is not built in)"},
};

START_TEST(test_bad_files)
{
	char err[512], want[512];
	struct conf c;

	conf_defaults(&c);
	err[0] = '\0';
	ck_assert_int_eq(load_text(&c, bad[_i].text, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s%s", tmpfile_, bad[_i].err);
	ck_assert_str_eq(err, want);
	conf_free(&c);
}
END_TEST

START_TEST(test_long_line)
{
	char text[512], err[512], want[512];
	struct conf c;

	/* inih's line buffer holds 200 bytes: at most 199 characters */
	snprintf(text, sizeof(text), "[daemon]\nstate_dir = /%0*d\n", 199 - 13,
	    0);
	conf_defaults(&c);
	ck_assert_int_eq(load_text(&c, text, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(c.state_dir), 199 - 12);
	conf_free(&c);

	snprintf(text, sizeof(text), "[daemon]\nstate_dir = /%0*d\n", 200 - 13,
	    0);
	conf_defaults(&c);
	ck_assert_int_eq(load_text(&c, text, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: line longer than 199 characters",
	    tmpfile_);
	ck_assert_str_eq(err, want);
	conf_free(&c);
}
END_TEST

/*
 * A NUL byte would end the line for inih, which would then see "60" and
 * never the rest: refused wherever it is, like an over-long line.
 */
START_TEST(test_nul_byte)
{
	static const struct {
		const char *text;
		size_t len;
		int line;
	} cases[] = {
#define NUL_CASE(text, line) {text, sizeof(text) - 1, line}
	    NUL_CASE("[daemon]\ninterval = 60\0 junk\n", 2),
	    NUL_CASE("[daemon]\ninterval = 60\n\0\n", 3),
	    NUL_CASE("[daemon]\n; a comment\0\ninterval = 60\n", 2),
	    NUL_CASE("\0[daemon]\n", 1),
#undef NUL_CASE
	};
	char err[512], want[512];
	struct conf c;
	FILE *fp;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fp = fopen(tmpfile_, "w");
		ck_assert_ptr_nonnull(fp);
		ck_assert_uint_eq(fwrite(cases[i].text, 1, cases[i].len, fp),
		    cases[i].len);
		ck_assert_int_eq(fclose(fp), 0);
		conf_defaults(&c);
		err[0] = '\0';
		ck_assert_int_eq(conf_load(&c, tmpfile_, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:%d: NUL byte in line",
		    tmpfile_, cases[i].line);
		ck_assert_str_eq(err, want);
		conf_free(&c);
		ck_assert_int_eq(unlink(tmpfile_), 0);
	}
}
END_TEST

START_TEST(test_unreadable)
{
	char err[512], want[512], path[sizeof(tmpdir) + 32];
	struct conf c;

	conf_defaults(&c);
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(conf_load(&c, tmpdir, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: Is a directory", tmpdir);
	ck_assert_str_eq(err, want);
	conf_free(&c);
}
END_TEST

/* A file loads on top of what the config holds: keys it does not set stay. */
START_TEST(test_load_on_top)
{
	char err[512], diff[4096];
	struct conf c;

	conf_defaults(&c);
	ck_assert_int_eq(conf_set(&c, "daemon", "window", "9", err,
	                     sizeof(err)),
	    0);
	ck_assert_int_eq(conf_set(&c, "interpreter py", "env", "A=1", err,
	                     sizeof(err)),
	    0);
	ck_assert_int_eq(load_text(&c,
	                     "[daemon]\ninterval = 60\n[interpreter py]\n"
	                     "command = python3\nenv = B=2\n",
	                     err, sizeof(err)),
	    0);
	diff_from_defaults(&c, diff, sizeof(diff));
	ck_assert_str_eq(diff,
	    "interval=60\nwindow=9\ninterpreter=py=python3,A=1,B=2\n");
	conf_free(&c);
}
END_TEST

static const struct {
	const char *section, *key, *value;
	int rc;
	const char *out; /* the diff on success, the message on failure */
} sets[] = {
    {"daemon", "interval", "900", 0, "interval=900\n"},
    {"daemon", "interval", "x", -1, "interval: 'x' is not a number"},
    {"daemon", "window", "101", -1, "window: '101' is out of range [1, 100]"},
    {"daemon", "listen", "[::]:8081", 0, "listen=[::]:8081\n"},
    {"daemon", "listen", "localhost:8080", -1,
        "listen: 'localhost' is not a numeric IPv4 address (host names are "
        "not resolved)"},
    {"daemon", "state_dir", "/var/tmp/ab", 0, "state_dir=/var/tmp/ab\n"},
    {"daemon", "state_dir", "ab", -1,
        "state_dir: 'ab' is not an absolute path"},
    {"daemon", "www_dir", "/srv/www", 0, "www_dir=/srv/www\n"},
    {"daemon", "api_token", TOKEN, 0, "api_token=" TOKEN "\n"},
    {"daemon", "api_token", "", 0, ""},
    {"daemon", "api_token", "0123456789abcde", -1,
        "api_token: must be at least 16 characters"},
    {"daemon", "max_load", "2.25", 0, "max_load=2.25\n"},
    {"daemon", "include_flagged", "true", 0, "include_flagged=1\n"},
    {"daemon", "include_flagged", "2", -1,
        "include_flagged: '2' is not a boolean"},
    {"daemon", "host_root", "/tmp/x", 0, "host_root=/tmp/x\n"},
    /* cross-key limits are checked by conf_load only */
    {"daemon", "max_per_ip", "100", 0, "max_per_ip=100\n"},
    {"workload", "warmup", "3", 0, "warmup=3\n"},
    {"workload", "timeout", "0.5", 0, "timeout=0.5\n"},
    {"workload", "iterations", "1e6", -1, "iterations: '1e6' is not a number"},
    {"workload", "interval", "60", -1, "unknown key 'interval' in [workload]"},
    {"daemon", "nope", "1", -1, "unknown key 'nope' in [daemon]"},
    {"foo", "interval", "60", -1, "unknown section [foo]"},
    {"interpreter", "command", "x", -1, "[interpreter] needs a name"},
    {"interpreter py3", "command", "/usr/bin/python3", 0,
        "interpreter=py3=/usr/bin/python3\n"},
    {"interpreter py3", "env", "PYTHONMALLOC=malloc", 0,
        "interpreter=py3=py3,PYTHONMALLOC=malloc\n"},
    {"interpreter py3", "env", "LD_PRELOAD=x", -1,
        "interpreter 'py3': LD_PRELOAD may not be set (the allocator is "
        "preloaded)"},
    {"interpreter b@d", "command", "python3", -1,
        "interpreter 'b@d': name may only hold letters, digits and ._+-"},
    {"allocator mylib", "library", "/opt/libmy.so", 0,
        "allocator=mylib=/opt/libmy.so\n"},
    {"allocator mylib", "library", "libmy.so", -1,
        "allocator 'mylib': path 'libmy.so' is not absolute"},
    {"allocator jemalloc", "enabled", "off", 0, "disabled=jemalloc\n"},
    {"allocator glibc", "enabled", "no", -1,
        "enabled: glibc cannot be disabled: it is the baseline"},
    {"allocator b@d", "enabled", "no", -1,
        "allocator 'b@d': name may only hold letters, digits and ._+-"},
};

START_TEST(test_set)
{
	char err[512], diff[4096], before[4096], after[4096];
	struct conf c;
	int rc;

	conf_defaults(&c);
	dump(&c, before, sizeof(before));
	err[0] = '\0';
	rc = conf_set(&c, sets[_i].section, sets[_i].key, sets[_i].value, err,
	    sizeof(err));
	ck_assert_int_eq(rc, sets[_i].rc);
	if (rc == 0) {
		diff_from_defaults(&c, diff, sizeof(diff));
		ck_assert_str_eq(diff, sets[_i].out);
	} else {
		ck_assert_str_eq(err, sets[_i].out);
		/* a refused value leaves the config as it was */
		dump(&c, after, sizeof(after));
		ck_assert_str_eq(after, before);
	}
	conf_free(&c);
}
END_TEST

/* Sequences: later values replace earlier ones, env entries accumulate. */
START_TEST(test_set_sequence)
{
	static const struct {
		const char *section, *key, *value;
	} steps[] = {
	    {"interpreter py", "env", "A=1"},
	    {"interpreter py", "command", "/usr/bin/python3"},
	    {"interpreter py", "env", "B=2"},
	    {"interpreter py", "command", "python3.12"},
	    {"interpreter other", "command", "/opt/other"},
	    {"allocator mylib", "library", "/a.so"},
	    {"allocator mylib", "library", "/b.so"},
	    {"allocator mylib", "enabled", "no"},
	    {"allocator tcmalloc", "enabled", "no"},
	    {"allocator mylib", "enabled", "no"},
	    {"allocator mylib", "enabled", "yes"},
	    {"daemon", "api_token", TOKEN},
	    {"daemon", "api_token", ""},
	    {"daemon", "state_dir", "/a"},
	    {"daemon", "state_dir", "/b"},
	};
	char err[512], diff[4096];
	struct conf c;
	size_t i;

	conf_defaults(&c);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		ck_assert_msg(conf_set(&c, steps[i].section, steps[i].key,
		                  steps[i].value, err, sizeof(err)) == 0,
		    "step %zu: %s", i, err);
	diff_from_defaults(&c, diff, sizeof(diff));
	ck_assert_str_eq(diff,
	    "state_dir=/b\n"
	    "interpreter=py=python3.12,A=1,B=2\n"
	    "interpreter=other=/opt/other\n"
	    "allocator=mylib=/b.so\n"
	    "disabled=tcmalloc\n");
	conf_free(&c);
}
END_TEST

static const struct {
	const char *in;
	int rc;
	const char *addr;
	unsigned port;
	const char *err;
} listens[] = {
    {"127.0.0.1:8080", 0, "127.0.0.1", 8080, NULL},
    {"0.0.0.0:0", 0, "0.0.0.0", 0, NULL},
    {"192.168.1.20:65535", 0, "192.168.1.20", 65535, NULL},
    {"[::1]:0", 0, "::1", 0, NULL},
    {"[::]:8080", 0, "::", 8080, NULL},
    {"[fe80::1:2]:443", 0, "fe80::1:2", 443, NULL},
    {"127.0.0.1:65536", -1, NULL, 0, "port '65536' is out of range [0, 65535]"},
    {"127.0.0.1:-1", -1, NULL, 0, "port '-1' is not a number"},
    {"127.0.0.1:+80", -1, NULL, 0, "port '+80' is not a number"},
    {"127.0.0.1:http", -1, NULL, 0, "port 'http' is not a number"},
    {"127.0.0.1:", -1, NULL, 0, "port '' is not a number"},
    {"127.0.0.1", -1, NULL, 0,
        "'127.0.0.1' has no port (want ADDR:PORT or [ADDR6]:PORT)"},
    {"[::1]", -1, NULL, 0,
        "'[::1]' has no port (want ADDR:PORT or [ADDR6]:PORT)"},
    {"[::1:80", -1, NULL, 0, "'[::1:80' has no closing ']'"},
    {"::1:80", -1, NULL, 0,
        "'::1:80': an IPv6 address goes in brackets, as in [::1]:8080"},
    {"localhost:80", -1, NULL, 0,
        "'localhost' is not a numeric IPv4 address (host names are not "
        "resolved)"},
    {"1.2.3:80", -1, NULL, 0,
        "'1.2.3' is not a numeric IPv4 address (host names are not "
        "resolved)"},
    {":80", -1, NULL, 0,
        "'' is not a numeric IPv4 address (host names are not resolved)"},
    {"[127.0.0.1]:80", -1, NULL, 0,
        "'127.0.0.1' is not a numeric IPv6 address"},
    {"[fe80::1%eth0]:80", -1, NULL, 0,
        "'fe80::1%eth0' is not a numeric IPv6 address"},
    {"", -1, NULL, 0, "empty address (want ADDR:PORT or [ADDR6]:PORT)"},
    {NULL, -1, NULL, 0, "empty address (want ADDR:PORT or [ADDR6]:PORT)"},
};

START_TEST(test_parse_listen)
{
	char addr[64] = "untouched", err[256];
	unsigned port = 4242;
	int rc;

	err[0] = '\0';
	rc = conf_parse_listen(listens[_i].in, addr, sizeof(addr), &port, err,
	    sizeof(err));
	ck_assert_int_eq(rc, listens[_i].rc);
	if (rc == 0) {
		ck_assert_str_eq(addr, listens[_i].addr);
		ck_assert_uint_eq(port, listens[_i].port);
	} else {
		ck_assert_str_eq(err, listens[_i].err);
		ck_assert_str_eq(addr, "untouched");
		ck_assert_uint_eq(port, 4242);
	}
}
END_TEST

START_TEST(test_parse_listen_small_buffer)
{
	char addr[4], err[256];
	unsigned port = 0;

	ck_assert_int_eq(conf_parse_listen("10.0.0.1:80", addr, sizeof(addr),
	                     &port, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "address '10.0.0.1' does not fit in 4 bytes");
	ck_assert_int_eq(conf_parse_listen("[::1]:80", addr, sizeof(addr),
	                     &port, err, sizeof(err)),
	    0);
	ck_assert_str_eq(addr, "::1");
	ck_assert_uint_eq(port, 80);
}
END_TEST

/* The shipped example sets nothing: every key in it is commented out. */
START_TEST(test_example_loads)
{
	char path[4096], err[512], diff[4096];
	struct conf c;

	snprintf(path, sizeof(path), "%s/doc/allocbenchd.conf",
	    ab_test_srcdir());
	conf_defaults(&c);
	ck_assert_msg(conf_load(&c, path, err, sizeof(err)) == 0, "%s", err);
	diff_from_defaults(&c, diff, sizeof(diff));
	ck_assert_str_eq(diff, "");
	conf_free(&c);
}
END_TEST

/*
 * Its examples ("#key = value" and "#[section]", no space after '#') are
 * valid once uncommented; explanations start with "# " and stay comments.
 */
START_TEST(test_example_uncommented)
{
	char path[4096], err[512], diff[4096], line[512];
	char *text = NULL;
	size_t size = 0;
	struct conf c;
	FILE *in, *out;
	int rc;

	snprintf(path, sizeof(path), "%s/doc/allocbenchd.conf",
	    ab_test_srcdir());
	in = fopen(path, "r");
	ck_assert_msg(in != NULL, "%s: %s", path, strerror(errno));
	out = open_memstream(&text, &size);
	ck_assert_ptr_nonnull(out);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (line[0] == '#' &&
		    (line[1] == '[' || (line[1] >= 'a' && line[1] <= 'z')))
			fputs(line + 1, out);
		else
			fputs(line, out);
	}
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);

	conf_defaults(&c);
	rc = load_text(&c, text, err, sizeof(err));
	free(text);
	ck_assert_msg(rc == 0, "%s", err);
	diff_from_defaults(&c, diff, sizeof(diff));
	ck_assert_str_eq(diff,
	    "interpreter=python3=python3\n"
	    "interpreter=python3-raw=python3,PYTHONMALLOC=malloc\n"
	    "allocator=mylib=/usr/local/lib/libmylib.so\n"
	    "disabled=tcmalloc\n");
	conf_free(&c);
}
END_TEST

#define NELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The api_token credential: what it holds, and what the daemon says. */
static const struct {
	const char *text; /* NULL: no credential file */
	int rc;
	const char *token; /* expected api_token; NULL: the file's one */
	const char *msg;   /* after "DIR/api_token: " */
} creds[] = {
    {NULL, 0, NULL, NULL},
    {"0123456789abcdef", 0, "0123456789abcdef", NULL},
    {"0123456789abcdef\n", 0, "0123456789abcdef", NULL},
    {"s3cr3t-Token_with.punct!~\r\n\n", 0, "s3cr3t-Token_with.punct!~", NULL},
    {"", -1, NULL, "empty"},
    {"\n", -1, NULL, "empty"},
    {"short\n", -1, NULL, "api_token: must be at least 16 characters"},
    {"0123456789 abcdef\n", -1, NULL,
        "api_token: must be printable ASCII without spaces"},
    {"0123456789abcdef\nsecond-line-here\n", -1, NULL,
        "api_token: must be printable ASCII without spaces"},
};

static void
put_cred(const char *dir, const char *text, size_t len)
{
	char path[sizeof(tmpdir) + 32];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/api_token", dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_credentials)
{
	char err[512], want[512], path[sizeof(tmpdir) + 32];
	const char *text = creds[_i].text;
	struct conf c;

	conf_defaults(&c);
	ck_assert_int_eq(load_text(&c,
	                     "[daemon]\napi_token = from-the-config-file\n",
	                     err, sizeof(err)),
	    0);
	snprintf(path, sizeof(path), "%s/api_token", tmpdir);
	if (text != NULL)
		put_cred(tmpdir, text, strlen(text));
	err[0] = '\0';
	ck_assert_int_eq(conf_load_credentials(&c, tmpdir, err, sizeof(err)),
	    creds[_i].rc);
	ck_assert_str_eq(c.api_token,
	    creds[_i].token != NULL ? creds[_i].token : "from-the-config-file");
	if (creds[_i].msg != NULL) {
		snprintf(want, sizeof(want), "%s: %s", path, creds[_i].msg);
		ck_assert_str_eq(err, want);
	}
	if (text != NULL)
		ck_assert_int_eq(unlink(path), 0);
	conf_free(&c);
}
END_TEST

/* No directory, an unreadable credential and an over-long one. */
START_TEST(test_credentials_edges)
{
	char err[512], want[512], path[sizeof(tmpdir) + 32], big[5000];
	struct conf c;

	conf_defaults(&c);
	ck_assert_int_eq(conf_load_credentials(&c, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(conf_load_credentials(&c, "", err, sizeof(err)), 0);
	ck_assert_ptr_null(c.api_token);

	snprintf(path, sizeof(path), "%s/api_token", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(conf_load_credentials(&c, tmpdir, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s: Is a directory", path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(rmdir(path), 0);

	memset(big, 'a', sizeof(big));
	put_cred(tmpdir, big, sizeof(big));
	ck_assert_int_eq(conf_load_credentials(&c, tmpdir, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s: longer than 4096 bytes", path);
	ck_assert_str_eq(err, want);

	put_cred(tmpdir, "0123456789abcdef\0tail", 21);
	ck_assert_int_eq(conf_load_credentials(&c, tmpdir, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want),
	    "%s: api_token: must be printable ASCII without spaces", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(c.api_token);

	put_cred(tmpdir, big, 4096);
	ck_assert_int_eq(conf_load_credentials(&c, tmpdir, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(strlen(c.api_token), 4096);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_ptr_null(strstr(err, "aaaa"));
	conf_free(&c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_good_files, 0, NELEMS(good));
	tcase_add_loop_test(tc, test_bad_files, 0, NELEMS(bad));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_load_on_top);
	tcase_add_loop_test(tc, test_set, 0, NELEMS(sets));
	tcase_add_test(tc, test_set_sequence);
	tcase_add_loop_test(tc, test_parse_listen, 0, NELEMS(listens));
	tcase_add_test(tc, test_parse_listen_small_buffer);
	tcase_add_test(tc, test_example_loads);
	tcase_add_test(tc, test_example_uncommented);
	tcase_add_loop_test(tc, test_credentials, 0, NELEMS(creds));
	tcase_add_test(tc, test_credentials_edges);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
