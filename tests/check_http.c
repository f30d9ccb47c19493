/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server over real TCP on an ephemeral 127.0.0.1 port, with raw
 * requests written by hand so malformed and hostile targets reach the
 * server unchanged. The state holds 23 runs started a minute apart from
 * T0 = 2025-11-25T10:00:00Z: runs 0-19 alternate py/glibc (2.0..2.9 s,
 * median 2.45) and py/jemalloc (1.0..1.9 s, median 1.45), run 20 is an
 * unverified jemalloc run, 21 a failed glibc run and 22 a flagged (so
 * excluded) jemalloc run. The dashboard root is a copy of
 * tests/fixtures/www plus symbolic links that point out of it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "http.h"
#include "jsonr.h"
#include "render.h"
#include "state.h"

#define T0    1764064800000LL /* 2025-11-25T10:00:00Z */
#define NRUNS 23
#define TOKEN "s3cret-token"

static char tmpdir[sizeof(AB_TEST_TMPDIR)];
static char wwwdir[64], vendordir[64], libpath[96];
static struct catalog cat;
static struct store store;
static struct state st;
static struct http *srv;
static struct http_opts opts;
static int wake[2] = {-1, -1};

static const double base_walls[10] = {2.5, 2.0, 2.9, 2.3, 2.1, 2.8, 2.4, 2.6,
    2.2, 2.7};

/* Runs test.c cannot do without: failing here is a broken fixture. */
static void
must(int ok, const char *what)
{
	if (!ok)
		ck_abort_msg("fixture: %s: %s", what, strerror(errno));
}

static void
copy_fixture(const char *rel)
{
	char from[512], to[512], buf[4096];
	FILE *in, *out;
	size_t n;

	snprintf(from, sizeof(from), "%s/tests/fixtures/www/%s",
	    ab_test_srcdir(), rel);
	snprintf(to, sizeof(to), "%s/%s", wwwdir, rel);
	in = fopen(from, "r");
	must(in != NULL, from);
	out = fopen(to, "w");
	must(out != NULL, to);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		must(fwrite(buf, 1, n, out) == n, to);
	fclose(in);
	must(fclose(out) == 0, to);
}

static void
add_run(int i, const char *variant, enum run_status s, double wall,
    unsigned flags)
{
	struct run r;

	run_init(&r);
	r.variant = (char *)variant;
	r.started_ms = T0 + (int64_t)i * 60000;
	r.status = s;
	r.exit_code = s == RUN_OK ? 0 : 1;
	r.iterations = 1000;
	r.wall_s = wall;
	r.user_s = wall * 0.9;
	r.sys_s = wall * 0.05;
	r.maxrss_kb = (long)(wall * 10000);
	r.flags = flags;
	/* runs 2k and 2k + 1 make up round k, so the setup's twenty runs pair
	 */
	r.round = i / 2;
	r.position = i % 2;
	store_append(&store, &r);
}

static void
start_server_timeout(const char *token, unsigned per_ip, unsigned timeout_s)
{
	char err[256];

	http_stop(srv);
	opts.listen = "127.0.0.1:0";
	opts.www_dir = wwwdir;
	opts.vendor_dir = vendordir;
	opts.api_token = token;
	opts.max_connections = 32;
	opts.max_per_ip = per_ip;
	opts.timeout_s = timeout_s;
	srv = http_start(&opts, &st, err, sizeof(err));
	ck_assert_msg(srv != NULL, "http_start: %s", err);
	ck_assert_uint_gt(http_port(srv), 0);
}

static void
start_server(const char *token, unsigned per_ip)
{
	start_server_timeout(token, per_ip, 10);
}

static void
setup(void)
{
	static const char *const files[] = {"index.html", "app.js", "style.css",
	    "data.json", "raw.dat", "sub/index.html", "sub/page.html"};
	const char *dirs[2] = {tmpdir, NULL};
	char err[128], path[128];
	size_t i;
	int k;

	ab_test_mkdtemp(tmpdir, sizeof(tmpdir));
	snprintf(wwwdir, sizeof(wwwdir), "%s/www", tmpdir);
	snprintf(vendordir, sizeof(vendordir), "%s/vendor", tmpdir);
	snprintf(libpath, sizeof(libpath), "%s/libjemalloc.so.2", tmpdir);
	must(mkdir(wwwdir, 0755) == 0, wwwdir);
	snprintf(path, sizeof(path), "%s/sub", wwwdir);
	must(mkdir(path, 0755) == 0, path);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		copy_fixture(files[i]);
	/* Links out of the root, one inside it, a hidden file and an
	 * empty directory. */
	snprintf(path, sizeof(path), "%s/passwd", wwwdir);
	must(symlink("/etc/passwd", path) == 0, path);
	snprintf(path, sizeof(path), "%s/etc", wwwdir);
	must(symlink("/etc", path) == 0, path);
	snprintf(path, sizeof(path), "%s/up", wwwdir);
	must(symlink("../secret.txt", path) == 0, path);
	snprintf(path, sizeof(path), "%s/inner.js", wwwdir);
	must(symlink("app.js", path) == 0, path);
	snprintf(path, sizeof(path), "%s/.hidden", wwwdir);
	ab_test_write_file(path, "hidden\n");
	snprintf(path, sizeof(path), "%s/empty", wwwdir);
	must(mkdir(path, 0755) == 0, path);
	snprintf(path, sizeof(path), "%s/secret.txt", tmpdir);
	ab_test_write_file(path, "root:x:0:0:secret outside the root\n");
	must(mkdir(vendordir, 0755) == 0, vendordir);
	snprintf(path, sizeof(path), "%s/chart.umd.js", vendordir);
	ab_test_write_file(path, "/* vendored chart */\n");
	ab_test_write_file(libpath, "");

	catalog_init(&cat);
	ck_assert_int_eq(catalog_add_interpreter(&cat, "py=/bin/sh", err,
	                     sizeof(err)),
	    0);
	catalog_resolve(&cat, dirs, NULL);
	store_init(&store);
	for (k = 0; k < 20; k++) {
		if (k % 2 == 0)
			add_run(k, "py/glibc", RUN_OK, base_walls[k / 2], 0);
		else
			add_run(k, "py/jemalloc", RUN_OK, 1.0 + (k / 2) / 10.0,
			    0);
	}
	add_run(20, "py/jemalloc", RUN_UNVERIFIED, 0.5, 0);
	add_run(21, "py/glibc", RUN_FAILED, 0.1, 0);
	add_run(22, "py/jemalloc", RUN_OK, 9.0, RUN_FLAG_THROTTLED);

	state_init(&st, "9.9.9-test", T0);
	st.store = &store;
	st.catalog = &cat;
	snprintf(st.host.hostname, sizeof(st.host.hostname), "pi");
	snprintf(st.host.machine, sizeof(st.host.machine), "aarch64");
	snprintf(st.host.kernel, sizeof(st.host.kernel), "6.1.0");
	snprintf(st.host.cpu_model, sizeof(st.host.cpu_model),
	    "Raspberry Pi 4 Model B");
	st.host.cpus = 4;
	st.reading.temp_c = 48.5;
	st.reading.freq_khz = 1500000;
	st.reading.load1 = 0.25;
	st.reading.throttled = 0x50005;
	st.ropts.window = 0;
	st.ropts.iterations = 1000;
	st.updated_ms = T0 + 23 * 60000;
	st.rounds_completed = 7;
	st.runs_started = 24;
	st.runs_finished[RUN_OK] = 21;
	st.runs_finished[RUN_UNVERIFIED] = 1;
	st.runs_finished[RUN_FAILED] = 1;
	st.runs_flagged[METRICS_REASON_THROTTLED] = 1;
	st.interval_s = 600;
	st.last_round_ms = T0 + 23 * 60000;
	must(pipe2(wake, O_NONBLOCK | O_CLOEXEC) == 0, "pipe");
	st.wake_fd = wake[1];
	state_publish(&st);
	ck_assert_ptr_nonnull(st.summary);

	srv = NULL;
	start_server(NULL, 16);
}

static void
teardown(void)
{
	http_stop(srv);
	srv = NULL;
	state_free(&st);
	store_free(&store);
	catalog_free(&cat);
	close(wake[0]);
	close(wake[1]);
	/* The links are removed, never followed. */
	ab_test_rm_tree(tmpdir);
	unsetenv("AB_TEST_NO_OPENAT2");
}

/* A parsed HTTP response. */
struct resp {
	int status;
	char *raw;  /* the whole response, NUL-terminated */
	char *body; /* into raw */
	size_t body_len;
};

static void
resp_free(struct resp *r)
{
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

static int
connect_server(void)
{
	struct sockaddr_in sin;
	struct timeval tv = {10, 0};
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)http_port(srv));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends raw bytes and reads until the server closes. Returns 0 with the
 * response parsed, -1 when the server closed without answering. */
static int
exchange(const char *req, size_t len, struct resp *r)
{
	size_t cap = 65536, got = 0, off = 0;
	char *end;
	ssize_t n;
	int fd = connect_server();

	memset(r, 0, sizeof(*r));
	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	r->raw = malloc(cap);
	ck_assert_ptr_nonnull(r->raw);
	for (;;) {
		if (got + 1 == cap) {
			cap *= 2;
			r->raw = realloc(r->raw, cap);
			ck_assert_ptr_nonnull(r->raw);
		}
		n = recv(fd, r->raw + got, cap - got - 1, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	r->raw[got] = '\0';
	if (got == 0)
		return -1;
	ck_assert_msg(sscanf(r->raw, "HTTP/1.%*d %d", &r->status) == 1,
	    "bad status line: %.80s", r->raw);
	end = strstr(r->raw, "\r\n\r\n");
	ck_assert_ptr_nonnull(end);
	r->body = end + 4;
	r->body_len = got - (size_t)(r->body - r->raw);
	return 0;
}

/* method target HTTP/1.1 with extra header lines and an optional body. */
static void
request(const char *method, const char *target, const char *headers,
    const char *body, struct resp *r)
{
	size_t len = strlen(target) + (headers ? strlen(headers) : 0) +
	    (body ? strlen(body) : 0) + 256;
	char *req = malloc(len);
	int n;

	ck_assert_ptr_nonnull(req);
	n = snprintf(req, len,
	    "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s",
	    method, target, headers ? headers : "");
	if (body != NULL)
		n += snprintf(req + n, len - (size_t)n,
		    "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	else
		n += snprintf(req + n, len - (size_t)n, "\r\n");
	ck_assert_int_eq(exchange(req, (size_t)n, r), 0);
	free(req);
}

/* The value of a response header (first match), or NULL. */
static const char *
header(const struct resp *r, const char *name)
{
	static char value[512];
	const char *p = strstr(r->raw, "\r\n"), *end;
	size_t n = strlen(name), len;

	while (p != NULL && p < r->body - 2) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			end = strstr(p, "\r\n");
			len = (size_t)(end - p);
			if (len >= sizeof(value))
				len = sizeof(value) - 1;
			memcpy(value, p, len);
			value[len] = '\0';
			return value;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

static int
has_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Checks what every error response must satisfy. */
static void
check_error_body(const struct resp *r)
{
	cJSON *doc;

	ck_assert_msg(has_prefix(header(r, "Content-Type"), "application/json"),
	    "error %d without a JSON type: %s", r->status,
	    header(r, "Content-Type"));
	doc = cJSON_Parse(r->body);
	ck_assert_msg(cJSON_IsString(cJSON_GetObjectItem(doc, "error")),
	    "error body: %s", r->body);
	cJSON_Delete(doc);
}

static const struct endpoint_case {
	const char *method;
	const char *target;
	int status;
	const char *type;   /* Content-Type prefix */
	const char *header; /* "Name: value" that must be present */
	const char *body;   /* fragment of the body; "" = empty body */
} endpoint_cases[] = {
    {"GET", "/healthz", 200, "text/plain", "Cache-Control: no-store", "ok\n"},
    {"HEAD", "/healthz", 200, "text/plain", "Content-Length: 3", ""},
    {"GET", "/api/v1/summary", 200, "application/json",
        "Cache-Control: no-cache", "\"variants\":[{\"id\":\"py/glibc\""},
    {"GET", "/api/v1/summary?cachebuster=1", 200, "application/json", NULL,
        "\"updated_at\":\"2025-11-25T10:23:00.000Z\""},
    {"HEAD", "/api/v1/summary", 200, "application/json", NULL, ""},
    {"GET", "/api/v1/status", 200, "application/json", NULL,
        "\"state\":\"idle\""},
    {"GET", "/api/v1/runs", 200, "application/json", NULL, "\"count\":23"},
    {"GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8", NULL,
        "allocbench_build_info{version=\"9.9.9-test\"} 1\n"},
    {"GET", "/", 200, "text/html; charset=utf-8", "Cache-Control: no-cache",
        "<title>allocbench test</title>"},
    {"GET", "/index.html", 200, "text/html", NULL, "dashboard fixture"},
    {"GET", "/?x=1", 200, "text/html", NULL, "dashboard fixture"},
    {"GET", "/app.js", 200, "text/javascript; charset=utf-8", NULL,
        "fixture script"},
    {"HEAD", "/app.js", 200, "text/javascript", "Content-Length: 67", ""},
    {"GET", "/style.css", 200, "text/css", NULL, "fixture style"},
    {"GET", "/data.json", 200, "application/json", NULL, "\"fixture\""},
    {"GET", "/raw.dat", 200, "application/octet-stream", NULL, "raw fixture"},
    {"GET", "/sub/", 200, "text/html", NULL, "sub index"},
    {"GET", "/sub/page.html", 200, "text/html", NULL, "sub page"},
    {"GET", "/sub//page.html", 200, "text/html", NULL, "sub page"},
    {"GET", "/./sub/./page.html", 200, "text/html", NULL, "sub page"},
    {"GET", "/inner.js", 200, "text/javascript", NULL, "fixture script"},
    {"GET", "/vendor/chart.umd.js", 200, "text/javascript",
        "Cache-Control: public, max-age=86400", "vendored chart"},
    {"GET", "/sub", 404, "application/json", NULL, "not found"},
    {"GET", "/empty/", 404, "application/json", NULL, "not found"},
    {"GET", "/nope.html", 404, "application/json", NULL,
        "{\"error\":\"not found\"}"},
    {"GET", "/vendor/nope.js", 404, "application/json", NULL, "not found"},
    {"GET", "/api/v1/nope", 404, "application/json", NULL,
        "{\"error\":\"no such endpoint\"}"},
    {"GET", "/api", 404, "application/json", NULL, "no such endpoint"},
    {"GET", "/api/v1/summary/", 404, "application/json", NULL,
        "no such endpoint"},
    {"DELETE", "/api/v1/summary", 405, "application/json", "Allow: GET, HEAD",
        "method DELETE is not allowed"},
    {"POST", "/api/v1/status", 405, "application/json", "Allow: GET, HEAD",
        NULL},
    {"PUT", "/metrics", 405, "application/json", "Allow: GET, HEAD", NULL},
    {"GET", "/api/v1/rounds", 405, "application/json", "Allow: POST", NULL},
    {"HEAD", "/api/v1/rounds", 405, "application/json", "Allow: POST", ""},
    {"POST", "/index.html", 405, "application/json", "Allow: GET, HEAD", NULL},
    {"OPTIONS", "/", 405, "application/json", "Allow: GET, HEAD", NULL},
    {"POST", "/api/v1/rounds", 403, "application/json", NULL,
        "{\"error\":\"rounds are disabled: no api_token is configured\"}"},
};

START_TEST(test_endpoints)
{
	const struct endpoint_case *c = &endpoint_cases[_i];
	char name[128];
	const char *colon, *v;
	struct resp r;

	request(c->method, c->target, NULL,
	    strcmp(c->method, "POST") == 0 ? "" : NULL, &r);
	ck_assert_msg(r.status == c->status, "%s %s: %d, want %d: %s",
	    c->method, c->target, r.status, c->status, r.body);
	ck_assert_msg(has_prefix(header(&r, "Content-Type"), c->type),
	    "%s %s: Content-Type %s", c->method, c->target,
	    header(&r, "Content-Type"));
	ck_assert_str_eq(header(&r, "X-Content-Type-Options"), "nosniff");
	if (c->header != NULL) {
		colon = strchr(c->header, ':');
		snprintf(name, sizeof(name), "%.*s", (int)(colon - c->header),
		    c->header);
		v = header(&r, name);
		ck_assert_msg(v != NULL && strcmp(v, colon + 2) == 0,
		    "%s %s: %s is %s", c->method, c->target, name, v);
	}
	if (c->body != NULL && c->body[0] == '\0')
		ck_assert_uint_eq(r.body_len, 0);
	else if (c->body != NULL)
		ck_assert_msg(strstr(r.body, c->body) != NULL,
		    "%s %s: body lacks %s: %s", c->method, c->target, c->body,
		    r.body);
	if (c->status >= 400 && strcmp(c->method, "HEAD") != 0) {
		check_error_body(&r);
		ck_assert_msg(strstr(r.raw, tmpdir) == NULL,
		    "the error reveals %s", tmpdir);
	}
	resp_free(&r);
}
END_TEST

/* Raw targets that try to leave the root. None may succeed or show a line
 * of /etc/passwd or of the secret file next to the root. */
static const struct traversal_case {
	const char *target;
	int status;
} traversal_cases[] = {
    {"/../../etc/passwd", 403},
    {"/%2e%2e/%2e%2e/etc/passwd", 403},
    {"/..%2f..%2fetc/passwd", 403},
    {"/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 403},
    {"/%2E%2E/secret.txt", 403},
    {"/../secret.txt", 403},
    {"/sub/../../secret.txt", 403},
    {"/sub/%2e%2e/index.html", 403},
    {"/..", 403},
    {"//etc/passwd", 403},
    {"/%2fetc/passwd", 403},
    {"/etc/passwd", 403},
    {"/etc/", 403},
    {"/passwd", 403},
    {"/up", 403},
    {"/a%00b", 400},
    {"/index.html%00.txt", 400},
    {"/passwd%00", 400},
    {"/..\\..\\etc\\passwd", 403},
    {"/%5c..%5c..%5cetc%5cpasswd", 403},
    {"/sub\\page.html", 403},
    {"/.hidden", 403},
    {"/%2ehidden", 403},
    {"/vendor/../index.html", 403},
    {"/vendor/%2e%2e/%2e%2e/etc/passwd", 403},
    {"/vendor/%2e%2e/secret.txt", 403},
    {"/proc/self/root/etc/passwd", 404},
    {"/%0a", 403},
    {"http://127.0.0.1/etc/passwd", 403},
    {"etc/passwd", 403},
};

static void
traversal(int i)
{
	const struct traversal_case *c = &traversal_cases[i];
	char req[512];
	struct resp r;
	int n;

	n = snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
	    c->target);
	ck_assert_msg(exchange(req, (size_t)n, &r) == 0, "GET %s: no answer",
	    c->target);
	ck_assert_msg(r.status == c->status, "GET %s: %d, want %d: %s",
	    c->target, r.status, c->status, r.body);
	ck_assert_msg(strstr(r.body, "root:") == NULL, "GET %s leaked: %s",
	    c->target, r.body);
	ck_assert_msg(strstr(r.raw, tmpdir) == NULL, "GET %s reveals %s",
	    c->target, tmpdir);
	check_error_body(&r);
	resp_free(&r);
}

START_TEST(test_traversal)
{
	traversal(_i);
}
END_TEST

/* The same with the realpath fallback used when openat2 is missing. */
START_TEST(test_traversal_fallback)
{
	struct resp r;

	setenv("AB_TEST_NO_OPENAT2", "1", 1);
	start_server(NULL, 16);
	traversal(_i);
	request("GET", "/inner.js", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "fixture script"));
	resp_free(&r);
	request("GET", "/sub/", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

/* 64-bit FNV-1a, written again here to check the ETag independently. */
static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

START_TEST(test_summary_etag)
{
	static const struct {
		const char *pre; /* then our ETag unless with == 0 */
		int with;
		const char *post;
		int status;
	} cases[] = {
	    {"", 1, "", 304},
	    {"W/", 1, "", 304},
	    {"\"nope\", ", 1, "", 304},
	    {"\"nope\",W/", 1, " ,\"x\"", 304},
	    {"*", 0, "", 304},
	    {"\"nope\"", 0, "", 200},
	    {"\"\"", 0, "", 200},
	    {"garbage ", 1, "", 200},
	};
	char etag[64], want[64], hdr[256];
	struct resp r, h;
	size_t i;

	request("GET", "/api/v1/summary", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	snprintf(etag, sizeof(etag), "%s", header(&r, "ETag"));
	snprintf(want, sizeof(want), "\"%016" PRIx64 "\"",
	    fnv1a(r.body, r.body_len));
	ck_assert_str_eq(etag, want);
	ck_assert_str_eq(etag, st.summary_etag);
	ck_assert_uint_eq(r.body_len, st.summary_len);
	ck_assert_int_eq(memcmp(r.body, st.summary, r.body_len), 0);

	request("HEAD", "/api/v1/summary", NULL, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(header(&h, "ETag"), etag);
	snprintf(want, sizeof(want), "%zu", r.body_len);
	ck_assert_str_eq(header(&h, "Content-Length"), want);
	ck_assert_uint_eq(h.body_len, 0);
	resp_free(&h);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s%s%s\r\n",
		    cases[i].pre, cases[i].with ? etag : "", cases[i].post);
		request("GET", "/api/v1/summary", hdr, NULL, &h);
		ck_assert_msg(h.status == cases[i].status, "%s: %d", hdr,
		    h.status);
		if (h.status == 304) {
			ck_assert_uint_eq(h.body_len, 0);
			ck_assert_str_eq(header(&h, "ETag"), etag);
			ck_assert_str_eq(header(&h, "Cache-Control"),
			    "no-cache");
		} else
			ck_assert_uint_eq(h.body_len, r.body_len);
		resp_free(&h);
	}
	/* Two field lines form one list (RFC 9110 5.3). */
	snprintf(hdr, sizeof(hdr),
	    "If-None-Match: \"a\"\r\nIf-None-Match: %s\r\n", etag);
	request("GET", "/api/v1/summary", hdr, NULL, &h);
	ck_assert_int_eq(h.status, 304);
	resp_free(&h);

	/* New results: the old validator no longer matches. */
	pthread_mutex_lock(&st.lock);
	add_run(23, "py/glibc", RUN_OK, 2.0, 0);
	pthread_mutex_unlock(&st.lock);
	state_publish(&st);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
	request("GET", "/api/v1/summary", hdr, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_ne(header(&h, "ETag"), etag);
	ck_assert_ptr_nonnull(strstr(h.body, "\"ok\":11"));
	resp_free(&h);
	resp_free(&r);
}
END_TEST

START_TEST(test_summary_unavailable)
{
	char *saved;
	struct resp r;

	pthread_mutex_lock(&st.lock);
	saved = st.summary;
	st.summary = NULL;
	pthread_mutex_unlock(&st.lock);
	request("GET", "/api/v1/summary", NULL, NULL, &r);
	st.summary = saved;
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(r.body, "{\"error\":\"no summary yet\"}");
	ck_assert_str_eq(header(&r, "Retry-After"), "10");
	check_error_body(&r);
	resp_free(&r);
}
END_TEST

START_TEST(test_static_etag)
{
	char etag[96], hdr[160];
	struct resp r;

	request("GET", "/app.js", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(header(&r, "ETag"));
	snprintf(etag, sizeof(etag), "%s", header(&r, "ETag"));
	ck_assert_str_eq(header(&r, "Cache-Control"), "no-cache");
	resp_free(&r);

	snprintf(hdr, sizeof(hdr), "If-None-Match: W/%s\r\n", etag);
	request("GET", "/app.js", hdr, NULL, &r);
	ck_assert_int_eq(r.status, 304);
	ck_assert_uint_eq(r.body_len, 0);
	ck_assert_str_eq(header(&r, "ETag"), etag);
	resp_free(&r);

	/* The link and its target are one file with one validator. */
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
	request("GET", "/inner.js", hdr, NULL, &r);
	ck_assert_int_eq(r.status, 304);
	resp_free(&r);
	request("GET", "/style.css", hdr, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	request("GET", "/vendor/chart.umd.js", NULL, NULL, &r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", header(&r, "ETag"));
	resp_free(&r);
	request("GET", "/vendor/chart.umd.js", hdr, NULL, &r);
	ck_assert_int_eq(r.status, 304);
	ck_assert_str_eq(header(&r, "Cache-Control"), "public, max-age=86400");
	resp_free(&r);
}
END_TEST

START_TEST(test_limits)
{
	char *target, *req, *chunked;
	struct resp r;
	size_t n;
	int len;

	/* RFC 9110 15.5.15: a target over 2048 bytes. */
	target = malloc(4096);
	ck_assert_ptr_nonnull(target);
	n = (size_t)snprintf(target, 4096, "/api/v1/runs?limit=1&x=");
	memset(target + n, 'a', 3000);
	target[n + 3000] = '\0';
	request("GET", target, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 414);
	check_error_body(&r);
	resp_free(&r);
	/* A static path over 1024 bytes within a 2048-byte target. */
	target[0] = '/';
	memset(target + 1, 'b', 1500);
	target[1501] = '\0';
	request("GET", target, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 414);
	check_error_body(&r);
	resp_free(&r);
	/* 2048 bytes exactly is still served. */
	memset(target, 0, 4096);
	n = (size_t)snprintf(target, 4096, "/?");
	memset(target + n, 'c', 2048 - n);
	request("GET", target, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	free(target);

	/* RFC 9110 15.5.14: a body over 1 KiB, announced... */
	req = malloc(4096);
	ck_assert_ptr_nonnull(req);
	len = snprintf(req, 4096,
	    "POST /api/v1/rounds HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Content-Length: 2000\r\n\r\n");
	memset(req + len, 'x', 2000);
	ck_assert_int_eq(exchange(req, (size_t)len + 2000, &r), 0);
	ck_assert_int_eq(r.status, 413);
	check_error_body(&r);
	resp_free(&r);
	/* Any method. */
	len = snprintf(req, 4096,
	    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Content-Length: 1025\r\n\r\n");
	memset(req + len, 'x', 1025);
	ck_assert_int_eq(exchange(req, (size_t)len + 1025, &r), 0);
	ck_assert_int_eq(r.status, 413);
	resp_free(&r);
	/* ...and chunked, so only counting shows it. */
	chunked = malloc(4096);
	ck_assert_ptr_nonnull(chunked);
	len = snprintf(chunked, 4096,
	    "POST /api/v1/rounds HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	for (n = 0; n < 3; n++) {
		len += snprintf(chunked + len, 4096 - (size_t)len, "200\r\n");
		memset(chunked + len, 'y', 0x200);
		len += 0x200;
		len += snprintf(chunked + len, 4096 - (size_t)len, "\r\n");
	}
	len += snprintf(chunked + len, 4096 - (size_t)len, "0\r\n\r\n");
	ck_assert_int_eq(exchange(chunked, (size_t)len, &r), 0);
	ck_assert_int_eq(r.status, 413);
	check_error_body(&r);
	resp_free(&r);
	free(chunked);
	/* One chunk of 1 MiB: read to its end, then refused the same way. */
	chunked = malloc(1100000);
	ck_assert_ptr_nonnull(chunked);
	len = snprintf(chunked, 1100000,
	    "POST /api/v1/rounds HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n100000\r\n");
	memset(chunked + len, 'z', 0x100000);
	len += 0x100000;
	len += snprintf(chunked + len, 1100000 - (size_t)len, "\r\n0\r\n\r\n");
	ck_assert_int_eq(exchange(chunked, (size_t)len, &r), 0);
	ck_assert_int_eq(r.status, 413);
	check_error_body(&r);
	ck_assert_ptr_nonnull(strstr(r.body, "larger than 1024 bytes"));
	resp_free(&r);
	/* A small body is fine: the request reaches the endpoint. */
	request("POST", "/api/v1/rounds", NULL, "{\"please\": true}", &r);
	ck_assert_int_eq(r.status, 403);
	ck_assert_ptr_nonnull(strstr(r.body, "no api_token"));
	resp_free(&r);
	free(req);
	free(chunked);
}
END_TEST

/* Answers keep the connection open (MHD closes it after a response queued
 * with the headers, so the server must not do that), errors included. */
START_TEST(test_keep_alive)
{
	const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	                  "GET /nope.html HTTP/1.1\r\nHost: x\r\n\r\n"
	                  "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n"
	                  "GET /api/v1/summary HTTP/1.1\r\nHost: x\r\n"
	                  "Connection: close\r\n\r\n";
	const char *p;
	struct resp r;
	int n = 0;

	ck_assert_int_eq(exchange(req, strlen(req), &r), 0);
	for (p = r.raw; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++)
		n++;
	ck_assert_int_eq(n, 4);
	ck_assert_ptr_nonnull(strstr(r.raw, "HTTP/1.1 404"));
	ck_assert_ptr_nonnull(strstr(r.raw, "fixture script"));
	ck_assert_ptr_nonnull(strstr(r.raw, "\"variants\""));
	/* Only the last one, which asked for it, says close. */
	p = strstr(r.raw, "Connection: close");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(r.raw, "HTTP/1.1 200 OK\r\n"));
	ck_assert(p > strstr(r.raw, "fixture script"));
	resp_free(&r);
}
END_TEST

START_TEST(test_huge_target)
{
	/* Past the connection's memory pool MHD answers by itself; the
	 * request must still fail. */
	size_t n = 40000;
	char *req = malloc(n + 64);
	struct resp r;
	int len;

	ck_assert_ptr_nonnull(req);
	len = snprintf(req, 64, "GET /");
	memset(req + len, 'z', n);
	len += (int)n;
	len += snprintf(req + len, 64, " HTTP/1.1\r\nHost: x\r\n\r\n");
	if (exchange(req, (size_t)len, &r) == 0) {
		ck_assert_msg(r.status == 414 || r.status == 431 ||
		        r.status == 400,
		    "status %d", r.status);
		resp_free(&r);
	}
	free(req);
}
END_TEST

static const struct rounds_case {
	const char *auth; /* Authorization header line, or NULL */
	int running;
	int status;
	const char *body;
	const char *www_authenticate;
} rounds_cases[] = {
    {NULL, 0, 403, "{\"error\":\"an Authorization: Bearer token is required\"}",
        "Bearer realm=\"allocbench\""},
    {"Bearer wrong", 0, 403, "{\"error\":\"invalid token\"}", NULL},
    {"Bearer s3cret-toke", 0, 403, "{\"error\":\"invalid token\"}", NULL},
    {"Bearer s3cret-token-and-more", 0, 403, "{\"error\":\"invalid token\"}",
        NULL},
    {"Bearer S3CRET-TOKEN", 0, 403, "{\"error\":\"invalid token\"}", NULL},
    {"Bearer ", 0, 403, "{\"error\":\"invalid token\"}", NULL},
    {"Basic czNjcmV0LXRva2Vu", 0, 403,
        "{\"error\":\"the Authorization scheme must be Bearer\"}", NULL},
    {"s3cret-token", 0, 403,
        "{\"error\":\"the Authorization scheme must be Bearer\"}", NULL},
    {"Bearer " TOKEN, 0, 202, "{\"status\":\"requested\"}", NULL},
    {"bearer " TOKEN, 0, 202, "{\"status\":\"requested\"}", NULL},
    {"Bearer   " TOKEN, 0, 202, "{\"status\":\"requested\"}", NULL},
    {"Bearer " TOKEN, 1, 409, "{\"error\":\"a round is running\"}", NULL},
    {"Bearer wrong", 1, 403, "{\"error\":\"invalid token\"}", NULL},
};

START_TEST(test_rounds)
{
	const struct rounds_case *c = &rounds_cases[_i];
	char hdr[128], b;
	struct resp r;
	ssize_t n;

	start_server(TOKEN, 16);
	st.running = c->running;
	snprintf(hdr, sizeof(hdr), "Authorization: %s\r\n",
	    c->auth ? c->auth : "");
	request("POST", "/api/v1/rounds", c->auth ? hdr : NULL, "", &r);
	ck_assert_msg(r.status == c->status, "%s: %d: %s", c->auth, r.status,
	    r.body);
	ck_assert_str_eq(r.body, c->body);
	ck_assert_str_eq(header(&r, "Content-Type"), "application/json");
	if (c->www_authenticate != NULL)
		ck_assert_str_eq(header(&r, "WWW-Authenticate"),
		    c->www_authenticate);
	n = read(wake[0], &b, 1);
	if (c->status == 202) {
		ck_assert_int_eq(st.round_requested, 1);
		ck_assert_int_eq(n, 1);
	} else {
		ck_assert_int_eq(st.round_requested, 0);
		ck_assert_int_eq(n, -1);
		ck_assert_int_eq(errno, EAGAIN);
	}
	resp_free(&r);
}
END_TEST

static const struct runs_case {
	const char *query;
	int count;
	int first[5]; /* run indices, newest first */
} runs_cases[] = {
    {"", 23, {22, 21, 20, 19, 18}},
    {"?limit=5", 5, {22, 21, 20, 19, 18}},
    {"?limit=1", 1, {22}},
    {"?limit=10000", 23, {22, 21, 20, 19, 18}},
    {"?variant=py/glibc", 11, {21, 18, 16, 14, 12}},
    {"?variant=py%2Fglibc&limit=2", 2, {21, 18}},
    {"?variant=py/jemalloc", 12, {22, 20, 19, 17, 15}},
    {"?variant=py/tcmalloc", 0, {0}},
    {"?since=2025-11-25T10:20:00Z", 3, {22, 21, 20}},
    {"?since=2025-11-25t10:20:00z", 3, {22, 21, 20}},
    {"?since=2025-11-25T10:20:00.001Z", 2, {22, 21}},
    {"?since=2025-11-25T10:19:59.5Z", 3, {22, 21, 20}},
    {"?since=2025-11-25T11:20:00%2B01:00", 3, {22, 21, 20}},
    {"?since=2025-11-25T11:20:00+01:00", 3, {22, 21, 20}},
    {"?since=2025-11-25T05:20:00-05:00", 3, {22, 21, 20}},
    {"?since=1764066000", 3, {22, 21, 20}},
    {"?since=1764066001", 2, {22, 21}},
    {"?since=0", 23, {22, 21, 20, 19, 18}},
    {"?since=2030-01-01T00:00:00Z", 0, {0}},
    {"?since=2025-11-25T10:20:00Z&variant=py/jemalloc&limit=1", 1, {22}},
    {"?variant=py/glibc&since=2025-11-25T10:00:00Z&limit=100", 11,
        {21, 18, 16, 14, 12}},
};

START_TEST(test_runs)
{
	const struct runs_case *c = &runs_cases[_i];
	char target[160];
	const cJSON *runs, *run;
	cJSON *doc;
	struct resp r;
	int i;

	snprintf(target, sizeof(target), "/api/v1/runs%s", c->query);
	request("GET", target, NULL, NULL, &r);
	ck_assert_msg(r.status == 200, "%s: %d %s", target, r.status, r.body);
	doc = cJSON_Parse(r.body);
	ck_assert_ptr_nonnull(doc);
	runs = cJSON_GetObjectItem(doc, "runs");
	ck_assert_int_eq(cJSON_GetArraySize(runs), c->count);
	ck_assert_int_eq(cJSON_GetObjectItem(doc, "count")->valueint, c->count);
	for (i = 0; i < c->count && i < 5; i++) {
		run = cJSON_GetArrayItem(runs, i);
		ck_assert_msg(cJSON_GetObjectItem(run, "started_ms")
		                  ->valuedouble ==
		        (double)(T0 + c->first[i] * 60000LL),
		    "%s: run %d is not #%d", target, i, c->first[i]);
	}
	run = cJSON_GetArrayItem(runs, 0);
	if (strstr(c->query, "variant=") != NULL && run != NULL)
		ck_assert_ptr_nonnull(strstr(c->query,
		    cJSON_GetObjectItem(run, "variant")->valuestring + 3));
	cJSON_Delete(doc);
	resp_free(&r);
}
END_TEST

static const struct runs_error_case {
	const char *query;
	const char *error;
} runs_error_cases[] = {
    {"?limit=0", "limit: '0' is out of range [1, 10000]"},
    {"?limit=10001", "limit: '10001' is out of range [1, 10000]"},
    {"?limit=-1", "limit: '-1' is out of range [1, 10000]"},
    {"?limit=abc", "limit: 'abc' is not a number"},
    {"?limit=5x", "limit: '5x' is not a number"},
    {"?limit=", "limit: empty value"},
    {"?limit", "limit: empty value"},
    {"?limit=5&limit=6", "limit: repeated parameter"},
    {"?variant=", "variant: empty value"},
    {"?variant=py/nope", "variant: unknown variant 'py/nope'"},
    {"?variant=py/glibc&variant=py/glibc", "variant: repeated parameter"},
    {"?foo=1", "unknown parameter 'foo'"},
    {"?limit=5&Limit=5", "unknown parameter 'Limit'"},
    {"?since=yesterday",
        "since: 'yesterday' is neither an RFC 3339 timestamp nor unix "
        "seconds"},
    {"?since=2025-13-01T00:00:00Z",
        "since: '2025-13-01T00:00:00Z' is neither an RFC 3339 timestamp "
        "nor unix seconds"},
    {"?since=2025-02-29T00:00:00Z",
        "since: '2025-02-29T00:00:00Z' is neither an RFC 3339 timestamp "
        "nor unix seconds"},
    {"?since=2025-11-25T10:20:00",
        "since: '2025-11-25T10:20:00' is neither an RFC 3339 timestamp "
        "nor unix seconds"},
    {"?since=2025-11-25T24:00:00Z",
        "since: '2025-11-25T24:00:00Z' is neither an RFC 3339 timestamp "
        "nor unix seconds"},
    {"?since=2025-11-25T10:20:00.Z",
        "since: '2025-11-25T10:20:00.Z' is neither an RFC 3339 timestamp "
        "nor unix seconds"},
    {"?since=2025-11-25T10:20:00Zjunk",
        "since: '2025-11-25T10:20:00Zjunk' is neither an RFC 3339 "
        "timestamp nor unix seconds"},
    {"?since=-5",
        "since: '-5' is neither an RFC 3339 timestamp nor unix seconds"},
    {"?since=99999999999999",
        "since: '99999999999999' is out of range [0, 253402300799]"},
    {"?since=", "since: empty value"},
};

START_TEST(test_runs_errors)
{
	const struct runs_error_case *c = &runs_error_cases[_i];
	char target[256];
	cJSON *doc;
	struct resp r;

	snprintf(target, sizeof(target), "/api/v1/runs%s", c->query);
	request("GET", target, NULL, NULL, &r);
	ck_assert_msg(r.status == 400, "%s: %d %s", target, r.status, r.body);
	check_error_body(&r);
	doc = cJSON_Parse(r.body);
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "error")->valuestring,
	    c->error);
	cJSON_Delete(doc);
	resp_free(&r);
}
END_TEST

START_TEST(test_status)
{
	struct resp r;
	cJSON *doc;
	const cJSON *rd;

	pthread_mutex_lock(&st.lock);
	st.running = 1;
	snprintf(st.current, sizeof(st.current), "py/jemalloc");
	st.next_round_ms = T0 + 30 * 60000;
	pthread_mutex_unlock(&st.lock);
	request("GET", "/api/v1/status", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	doc = cJSON_Parse(r.body);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "version")->valuestring,
	    "9.9.9-test");
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "state")->valuestring,
	    "running");
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "current")->valuestring,
	    "py/jemalloc");
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "next_round_at")->valuestring,
	    "2025-11-25T10:30:00.000Z");
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "updated_at")->valuestring,
	    "2025-11-25T10:23:00.000Z");
	ck_assert_int_eq(cJSON_GetObjectItem(doc, "rounds_completed")->valueint,
	    7);
	ck_assert_int_eq(cJSON_GetObjectItem(doc, "history_runs")->valueint,
	    NRUNS);
	ck_assert_int_eq(cJSON_GetObjectItem(doc, "history_skipped")->valueint,
	    0);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(doc, "persist_ok")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(doc, "persist_error")));
	ck_assert(fabs(cJSON_GetObjectItem(doc, "uptime_s")->valuedouble -
	              (double)(time(NULL) - T0 / 1000)) < 5);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "host"),
	                     "cpu_model")
	                     ->valuestring,
	    "Raspberry Pi 4 Model B");
	rd = cJSON_GetObjectItem(doc, "reading");
	ck_assert(cJSON_GetObjectItem(rd, "temp_c")->valuedouble == 48.5);
	ck_assert(cJSON_GetObjectItem(rd, "freq_khz")->valuedouble == 1500000);
	ck_assert(cJSON_GetObjectItem(rd, "load1")->valuedouble == 0.25);
	ck_assert_int_eq(cJSON_GetObjectItem(rd, "throttled")->valueint,
	    0x50005);
	ck_assert_ptr_nonnull(
	    strstr(cJSON_GetObjectItem(rd, "throttled_text")->valuestring,
	        "under-voltage"));
	cJSON_Delete(doc);
	resp_free(&r);

	/* Idle, unknown readings and a disk that fails are null/false. */
	pthread_mutex_lock(&st.lock);
	st.running = 0;
	st.next_round_ms = 0;
	run_reading_init(&st.reading);
	store.persist_ok = 0;
	snprintf(store.persist_err, sizeof(store.persist_err),
	    "history.jsonl: No space left on device");
	pthread_mutex_unlock(&st.lock);
	request("GET", "/api/v1/status", NULL, NULL, &r);
	doc = cJSON_Parse(r.body);
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "state")->valuestring,
	    "idle");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(doc, "current")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(doc, "next_round_at")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(doc, "persist_ok")));
	ck_assert_str_eq(cJSON_GetObjectItem(doc, "persist_error")->valuestring,
	    "history.jsonl: No space left on device");
	rd = cJSON_GetObjectItem(doc, "reading");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(rd, "temp_c")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(rd, "freq_khz")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(rd, "load1")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(rd, "throttled")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(rd, "throttled_text")));
	cJSON_Delete(doc);
	resp_free(&r);
}
END_TEST

/* The value of the sample whose name and labels are exactly `series`,
 * or NAN. Fails when it appears twice. */
static double
metric(const char *body, const char *series)
{
	const char *p = body, *line;
	size_t n = strlen(series);
	double v = NAN;
	int seen = 0;

	for (line = p; *line != '\0'; line = strchr(line, '\n') + 1) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ') {
			v = strtod(line + n + 1, NULL);
			seen++;
		}
		if (strchr(line, '\n') == NULL)
			break;
	}
	ck_assert_msg(seen <= 1, "%s appears %d times", series, seen);
	return v;
}

#define GJ "{interpreter=\"py\",allocator=\"glibc\"}"
#define JJ "{interpreter=\"py\",allocator=\"jemalloc\"}"

START_TEST(test_metrics_values)
{
	const cJSON *g, *j, *cmp;
	char vline[160];
	cJSON *sum;
	struct resp r, s;

	request("GET", "/api/v1/summary", NULL, NULL, &s);
	sum = cJSON_Parse(s.body);
	g = ab_test_variant(sum, "py/glibc");
	j = ab_test_variant(sum, "py/jemalloc");
	request("GET", "/metrics", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);

	/* Numbers equal the summary's, bit for bit. */
	ck_assert(metric(r.body, "allocbench_wall_seconds" GJ) ==
	    cJSON_GetObjectItem(cJSON_GetObjectItem(g, "wall_s"), "median")
	        ->valuedouble);
	ck_assert(metric(r.body, "allocbench_wall_seconds" GJ) == 2.45);
	ck_assert(metric(r.body, "allocbench_wall_seconds" JJ) == 1.45);
	cmp = cJSON_GetObjectItem(j, "comparison");
	ck_assert_msg(cJSON_IsObject(cmp), "%s", s.body);
	ck_assert(jsonr_num(cmp, "pairs") == 10);
	ck_assert(metric(r.body, "allocbench_comparison_pairs" JJ) == 10);
	ck_assert(metric(r.body, "allocbench_speedup_ratio" JJ) ==
	    jsonr_num(cmp, "speedup"));
	ck_assert(metric(r.body, "allocbench_speedup_ratio" JJ) > 1.2);
	ck_assert(metric(r.body,
	              "allocbench_speedup_interval_ratio{interpreter=\"py\","
	              "allocator=\"jemalloc\",bound=\"lower\"}") ==
	    jsonr_pair(cmp, "ci", 0));
	ck_assert(metric(r.body,
	              "allocbench_speedup_interval_ratio{interpreter=\"py\","
	              "allocator=\"jemalloc\",bound=\"upper\"}") ==
	    jsonr_pair(cmp, "ci", 1));
	ck_assert(metric(r.body, "allocbench_speedup_interval_level" JJ) ==
	    jsonr_num(cmp, "ci_level"));
	ck_assert(metric(r.body, "allocbench_speedup_p_value" JJ) ==
	    jsonr_num(cmp, "p_value"));
	ck_assert(metric(r.body, "allocbench_speedup_significant" JJ) ==
	    jsonr_true(cmp, "significant"));
	snprintf(vline, sizeof(vline),
	    "allocbench_verdict{interpreter=\"py\",allocator=\"jemalloc\","
	    "verdict=\"%s\"}",
	    jsonr_str(cmp, "verdict"));
	ck_assert(metric(r.body, vline) == 1);
	ck_assert(metric(r.body,
	              "allocbench_wall_ci95_seconds{interpreter=\"py\","
	              "allocator=\"glibc\",bound=\"lower\"}") == 2.1);
	ck_assert(metric(r.body,
	              "allocbench_wall_ci95_seconds{interpreter=\"py\","
	              "allocator=\"glibc\",bound=\"upper\"}") == 2.8);
	ck_assert(metric(r.body, "allocbench_peak_rss_bytes" GJ) ==
	    cJSON_GetObjectItem(cJSON_GetObjectItem(g, "maxrss_kb"), "median")
	            ->valuedouble *
	        1024);
	ck_assert(metric(r.body,
	              "allocbench_variant_history_runs{interpreter=\"py\","
	              "allocator=\"jemalloc\",status=\"ok\"}") == 11);
	ck_assert(metric(r.body,
	              "allocbench_variant_history_runs{interpreter=\"py\","
	              "allocator=\"jemalloc\",status=\"unverified\"}") == 1);
	ck_assert(metric(r.body,
	              "allocbench_variant_history_runs{interpreter=\"py\","
	              "allocator=\"glibc\",status=\"failed\"}") == 1);
	ck_assert(metric(r.body,
	              "allocbench_variant_history_runs{interpreter=\"py\","
	              "allocator=\"glibc\",status=\"timeout\"}") == 0);
	ck_assert(
	    metric(r.body, "allocbench_variant_history_flagged_runs" JJ) == 1);
	ck_assert(
	    metric(r.body, "allocbench_variant_history_flagged_runs" GJ) == 0);
	/* the old names are gone: a counter that fell with retention */
	ck_assert(strstr(r.body, "allocbench_runs_total") == NULL);
	/* true counters, from the state */
	ck_assert(metric(r.body, "allocbench_runs_started_total") == 24);
	ck_assert(metric(r.body,
	              "allocbench_runs_finished_total{status=\"ok\"}") == 21);
	ck_assert(
	    metric(r.body,
	        "allocbench_runs_finished_total{status=\"failed\"}") == 1);
	ck_assert(
	    metric(r.body,
	        "allocbench_runs_flagged_total{reason=\"throttled\"}") == 1);
	ck_assert(metric(r.body,
	              "allocbench_runs_flagged_total{reason=\"loaded\"}") == 0);
	ck_assert(metric(r.body, "allocbench_round_interval_seconds") == 600);
	ck_assert(metric(r.body, "allocbench_last_round_timestamp_seconds") ==
	    (T0 + 23 * 60000) / 1000.0);
	ck_assert(metric(r.body, "allocbench_ready") == 1);
	ck_assert(metric(r.body, "allocbench_last_run_timestamp_seconds" JJ) ==
	    (T0 + 22 * 60000) / 1000.0);
	ck_assert(metric(r.body, "allocbench_last_run_timestamp_seconds" GJ) ==
	    (T0 + 21 * 60000) / 1000.0);
	ck_assert(metric(r.body, "allocbench_variant_available" GJ) == 1);
	ck_assert(metric(r.body,
	              "allocbench_variant_available{interpreter=\"py\","
	              "allocator=\"tcmalloc\"}") == 0);
	/* No data, no series; the baseline has no speedup. */
	ck_assert(isnan(metric(r.body,
	    "allocbench_wall_seconds{interpreter=\"py\","
	    "allocator=\"tcmalloc\"}")));
	ck_assert(isnan(metric(r.body, "allocbench_speedup_ratio" GJ)));
	/* Host readings in base units. */
	ck_assert(metric(r.body, "allocbench_cpu_temperature_celsius") == 48.5);
	ck_assert(metric(r.body, "allocbench_cpu_frequency_hertz") == 1.5e9);
	ck_assert(metric(r.body, "allocbench_load1") == 0.25);
	ck_assert(metric(r.body,
	              "allocbench_throttled{condition=\"under_voltage\","
	              "when=\"now\"}") == 1);
	ck_assert(metric(r.body,
	              "allocbench_throttled{condition=\"under_voltage\","
	              "when=\"since_boot\"}") == 1);
	ck_assert(metric(r.body,
	              "allocbench_throttled{condition=\"freq_capped\","
	              "when=\"now\"}") == 0);
	ck_assert(metric(r.body,
	              "allocbench_throttled{condition=\"throttled\","
	              "when=\"now\"}") == 1);
	ck_assert(metric(r.body,
	              "allocbench_throttled{condition=\"throttled\","
	              "when=\"since_boot\"}") == 1);
	ck_assert(metric(r.body,
	              "allocbench_throttled{condition=\"soft_temp_limit\","
	              "when=\"since_boot\"}") == 0);
	ck_assert(metric(r.body, "allocbench_rounds_completed_total") == 7);
	ck_assert(metric(r.body, "allocbench_persist_ok") == 1);
	ck_assert(metric(r.body, "allocbench_history_runs") == NRUNS);
	/* The process part. */
	ck_assert(metric(r.body, "allocbench_process_open_fds") >= 3);
	ck_assert(metric(r.body, "allocbench_process_max_fds") >= 3);
	ck_assert(
	    metric(r.body, "allocbench_process_resident_memory_bytes") > 1e5);
	ck_assert(
	    metric(r.body, "allocbench_process_virtual_memory_bytes") > 1e5);
	ck_assert(metric(r.body, "allocbench_process_cpu_seconds_total") >= 0);
	ck_assert(fabs(metric(r.body, "allocbench_process_start_time_seconds") -
	              (double)time(NULL)) < 3600);
	cJSON_Delete(sum);
	resp_free(&s);
	resp_free(&r);
}
END_TEST

/* The body is well-formed 0.0.4: each family has one HELP and one TYPE
 * before its samples, whose lines are contiguous. */
/*
 * Over several updates, GET /api/v1/summary and GET /metrics agree after
 * each one: /metrics once rendered from the previous summary and lagged it
 * by one update.
 */
START_TEST(test_metrics_follow_updates)
{
	static const double walls[] = {1.0, 1.2, 0.8};
	char lab[160];
	size_t u;
	struct resp r, s;
	cJSON *sum;
	double ok;

	for (u = 0; u < sizeof(walls) / sizeof(walls[0]); u++) {
		add_run(40 + 2 * (int)u, "py/glibc", RUN_OK, 2.5, 0);
		add_run(41 + 2 * (int)u, "py/jemalloc", RUN_OK, walls[u], 0);
		st.updated_ms = T0 + (int64_t)(30 + u) * 60000;
		state_publish(&st);
		request("GET", "/api/v1/summary", NULL, NULL, &s);
		request("GET", "/metrics", NULL, NULL, &r);
		sum = cJSON_Parse(s.body);
		ck_assert_ptr_nonnull(sum);
		ok =
		    cJSON_GetObjectItem(cJSON_GetObjectItem(ab_test_variant(sum,
		                                                "py/jemalloc"),
		                            "runs"),
		        "ok")
		        ->valuedouble;
		ck_assert_double_eq(ok, 11.0 + (double)u + 1);
		snprintf(lab, sizeof(lab),
		    "allocbench_variant_history_runs{interpreter=\"py\","
		    "allocator=\"jemalloc\",status=\"ok\"}");
		ck_assert_double_eq(metric(r.body, lab), ok);
		ck_assert(metric(r.body, "allocbench_speedup_ratio" JJ) ==
		    jsonr_num(cJSON_GetObjectItem(ab_test_variant(sum,
		                                      "py/jemalloc"),
		                  "comparison"),
		        "speedup"));
		ck_assert(metric(r.body, "allocbench_comparison_pairs" JJ) ==
		    11 + (double)u);
		cJSON_Delete(sum);
		resp_free(&r);
		resp_free(&s);
	}
}
END_TEST

START_TEST(test_metrics_format)
{
	char names[64][64], name[64] = "";
	const char *line, *nl, *sp;
	size_t nnames = 0, i;
	int helps = 0, types = 0, in_family = 0;
	struct resp r;

	request("GET", "/metrics", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(r.body_len > 0 && r.body[r.body_len - 1] == '\n');
	for (line = r.body; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		if (strncmp(line, "# HELP ", 7) == 0) {
			sp = memchr(line + 7, ' ', (size_t)(nl - line) - 7);
			ck_assert_ptr_nonnull(sp);
			snprintf(name, sizeof(name), "%.*s",
			    (int)(sp - (line + 7)), line + 7);
			for (i = 0; i < nnames; i++)
				ck_assert_msg(strcmp(names[i], name) != 0,
				    "family %s twice", name);
			ck_assert_uint_lt(nnames, 64);
			snprintf(names[nnames++], sizeof(names[0]), "%s", name);
			ck_assert_msg(strncmp(name, "allocbench_", 11) == 0,
			    "%s lacks the prefix", name);
			helps++;
			in_family = 0;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert_msg(strncmp(line + 7, name, strlen(name)) ==
			        0,
			    "TYPE without its HELP: %.*s", (int)(nl - line),
			    line);
			ck_assert(strncmp(nl - 6, " gauge", 6) == 0 ||
			    strncmp(nl - 8, " counter", 8) == 0);
			types++;
			in_family = 1;
			continue;
		}
		ck_assert_msg(in_family &&
		        strncmp(line, name, strlen(name)) == 0,
		    "sample outside its family: %.*s", (int)(nl - line), line);
	}
	ck_assert_int_eq(helps, types);
	ck_assert_int_ge(helps, 20);
	resp_free(&r);
}
END_TEST

START_TEST(test_metrics_escaping)
{
	struct resp r;

	pthread_mutex_lock(&st.lock);
	st.version = "1.0 \"q\" \\ \nz";
	pthread_mutex_unlock(&st.lock);
	state_publish(&st);
	request("GET", "/metrics", NULL, NULL, &r);
	ck_assert_ptr_nonnull(strstr(r.body,
	    "\nallocbench_build_info{version=\"1.0 \\\"q\\\" \\\\ \\nz\"} 1\n"));
	resp_free(&r);
}
END_TEST

/* GET /readyz and allocbench_ready, evaluated at the time of the request:
 * 200 "ok" on time; 503 with the reason for an overdue round (idle past
 * max(interval, 60 s)) or a run older than its hang limit. */
static const struct {
	int running;
	int64_t next_ago_s;    /* next_round_ms = now - this; 0: none */
	int64_t started_ago_s; /* run_started_ms = now - this; 0: none */
	double hang_s;
	unsigned status;
	const char *why; /* the body's first words */
} readyz_cases[] = {
    {0, -30, 0, 0, 200, "ok\n"},                  /* planned */
    {0, 59, 0, 0, 200, "ok\n"},                   /* within grace */
    {0, 700, 0, 0, 503, "round overdue by 70"},   /* > 600 s interval */
    {1, 0, 30, 60, 200, "ok\n"},                  /* running, young */
    {1, 0, 90, 60, 503, "run in progress for 9"}, /* hung */
    {1, 0, 0, 60, 200, "ok\n"},                   /* between runs */
};

START_TEST(test_readyz)
{
	int64_t now = (int64_t)time(NULL) * 1000;
	struct resp r, m;

	pthread_mutex_lock(&st.lock);
	st.interval_s = 600;
	st.running = readyz_cases[_i].running;
	st.next_round_ms = readyz_cases[_i].next_ago_s != 0
	    ? now - readyz_cases[_i].next_ago_s * 1000
	    : 0;
	st.run_started_ms = readyz_cases[_i].started_ago_s != 0
	    ? now - readyz_cases[_i].started_ago_s * 1000
	    : 0;
	st.hang_s = readyz_cases[_i].hang_s;
	pthread_mutex_unlock(&st.lock);
	request("GET", "/readyz", NULL, NULL, &r);
	ck_assert_uint_eq((unsigned)r.status, readyz_cases[_i].status);
	ck_assert_msg(strncmp(r.body, readyz_cases[_i].why,
	                  strlen(readyz_cases[_i].why)) == 0,
	    "%s", r.body);
	ck_assert_ptr_nonnull(strstr(r.raw, "Cache-Control: no-store"));
	/* /metrics says the same, though its snapshot predates the change */
	request("GET", "/metrics", NULL, NULL, &m);
	ck_assert(metric(m.body, "allocbench_ready") ==
	    (readyz_cases[_i].status == 200 ? 1 : 0));
	resp_free(&m);
	resp_free(&r);
}
END_TEST

/* The scheduler's side for test_scrape_during_changes: appends runs as
 * on_record does, compacts the history now and then, and publishes. */
struct churn {
	volatile int stop;
	int updates;
};

static void *
churn_main(void *arg)
{
	struct churn *c = arg;
	int i = 100;

	while (!c->stop && c->updates < 400) {
		pthread_mutex_lock(&st.lock);
		st.runs_started++;
		pthread_mutex_unlock(&st.lock);
		state_publish(&st);
		pthread_mutex_lock(&st.lock);
		add_run(i, i % 2 ? "py/jemalloc" : "py/glibc", RUN_OK,
		    i % 2 ? 1.0 + (i % 7) / 10.0 : 2.0 + (i % 5) / 10.0, 0);
		st.runs_finished[RUN_OK]++;
		st.updated_ms = T0 + (int64_t)i * 60000;
		if (i % 10 == 0) {
			/* drop everything older than 15 runs, as retention
			 * would */
			store.retention_ms = 15 * 60000;
			store_compact(&store, T0 + (int64_t)i * 60000);
		}
		pthread_mutex_unlock(&st.lock);
		state_publish(&st);
		i++;
		c->updates++;
	}
	return NULL;
}

/* Sum of every sample of the family `name` in body. */
static double
family_sum(const char *body, const char *name)
{
	size_t n = strlen(name);
	const char *line;
	double sum = 0;

	for (line = body; line != NULL && *line != '\0';
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, name, n) == 0 &&
		    (line[n] == '{' || line[n] == ' '))
			sum += strtod(strchr(line + n, ' ') + 1, NULL);
	return sum;
}

/*
 * Scrapes while runs are appended and the history is compacted: every
 * document is one snapshot, so within it the per-variant history counts
 * add up to allocbench_history_runs, and runs started minus finished is
 * the one run in progress or none.
 */
START_TEST(test_scrape_during_changes)
{
	struct churn c = {0, 0};
	pthread_t t;
	struct resp r;
	int scrapes = 0, seen_compacted = 0;
	double hist, started, finished;

	pthread_mutex_lock(&st.lock);
	st.runs_started = 23; /* the setup's runs, none in progress */
	pthread_mutex_unlock(&st.lock);
	state_publish(&st);
	ck_assert_int_eq(pthread_create(&t, NULL, churn_main, &c), 0);
	while (c.updates < 400 && scrapes < 2000) {
		request("GET", "/metrics", NULL, NULL, &r);
		ck_assert_int_eq(r.status, 200);
		hist = metric(r.body, "allocbench_history_runs");
		ck_assert_msg(family_sum(r.body,
		                  "allocbench_variant_history_runs") == hist,
		    "history %g, per variant %g", hist,
		    family_sum(r.body, "allocbench_variant_history_runs"));
		started = metric(r.body, "allocbench_runs_started_total");
		finished = family_sum(r.body, "allocbench_runs_finished_total");
		ck_assert_msg(started - finished == 0 ||
		        started - finished == 1,
		    "started %g, finished %g", started, finished);
		if (hist < NRUNS)
			seen_compacted = 1;
		resp_free(&r);
		scrapes++;
	}
	c.stop = 1;
	pthread_join(t, NULL);
	ck_assert_int_gt(scrapes, 10);
	ck_assert(seen_compacted);
}
END_TEST

START_TEST(test_promtool)
{
	char path[96], cmd[256];
	struct resp r;
	FILE *fp;
	int rc;

	if (access("/usr/bin/promtool", X_OK) != 0)
		return; /* CI installs it */
	request("GET", "/metrics", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	snprintf(path, sizeof(path), "%s/metrics.txt", tmpdir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fwrite(r.body, 1, r.body_len, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics < %s >&2",
	    path);
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
	    "promtool check metrics failed (%d)", rc);
	unlink(path);
	resp_free(&r);
}
END_TEST

/* Waits until the server closes fd; returns whether it sent anything. */
static int
closed_silently(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char buf[256];
	ssize_t n;

	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	n = recv(fd, buf, sizeof(buf), 0);
	return n == 0 || (n == -1 && errno == ECONNRESET);
}

START_TEST(test_per_ip_limit)
{
	const char *partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	const char *rest = "Connection: close\r\n\r\n";
	int fds[3], extra, i;
	struct resp r;
	char buf[512];
	ssize_t n;

	start_server(NULL, 3);
	for (i = 0; i < 3; i++) {
		fds[i] = connect_server();
		ck_assert_int_eq(send(fds[i], partial, strlen(partial),
		                     MSG_NOSIGNAL),
		    (ssize_t)strlen(partial));
	}
	usleep(200000);
	extra = connect_server();
	send(extra, partial, strlen(partial), MSG_NOSIGNAL);
	send(extra, rest, strlen(rest), MSG_NOSIGNAL);
	ck_assert_msg(closed_silently(extra),
	    "connection %d from one address was served", 4);
	close(extra);
	/* The first three are still served. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(send(fds[i], rest, strlen(rest), MSG_NOSIGNAL),
		    (ssize_t)strlen(rest));
		n = recv(fds[i], buf, sizeof(buf) - 1, MSG_WAITALL);
		ck_assert_int_gt(n, 12);
		buf[n] = '\0';
		ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%s", buf);
		close(fds[i]);
	}
	usleep(200000);
	request("GET", "/healthz", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

/*
 * Reads what fd receives until the server closes it, for at most 5 s.
 * Returns the seconds that took, with the bytes (NUL-terminated) in buf.
 */
static double
read_until_closed(int fd, char *buf, size_t len)
{
	double t0 = ab_test_now();
	struct pollfd p = {fd, POLLIN, 0};
	size_t got = 0;
	ssize_t n;

	for (;;) {
		ck_assert_msg(poll(&p, 1, 5000) == 1, "still open after 5 s");
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
		ck_assert_uint_lt(got, len - 1);
	}
	buf[got] = '\0';
	return ab_test_now() - t0;
}

/* Whether fd is still open with nothing to read. */
static int
still_waiting(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};

	return poll(&p, 1, 0) == 0;
}

/*
 * A request must be complete within the deadline (here the 1 s idle
 * timeout): bytes trickled every 200 ms do not extend it, and the client
 * is told 408 before the connection closes.
 */
START_TEST(test_request_deadline)
{
	const char *partial = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
	char buf[1024];
	double t0, dt;
	int fd, i;

	start_server_timeout(NULL, 16, 1);
	fd = connect_server();
	t0 = ab_test_now();
	ck_assert_int_eq(send(fd, partial, strlen(partial), MSG_NOSIGNAL),
	    (ssize_t)strlen(partial));
	for (i = 0; i < 20 && still_waiting(fd); i++) {
		usleep(200000);
		send(fd, "a", 1, MSG_NOSIGNAL);
	}
	read_until_closed(fd, buf, sizeof(buf));
	dt = ab_test_now() - t0;
	close(fd);
	ck_assert_msg(dt > 0.9 && dt < 1.8, "closed after %.2f s", dt);
	ck_assert_msg(strncmp(buf, "HTTP/1.1 408 ", 13) == 0, "%s", buf);
	ck_assert_ptr_nonnull(
	    strstr(buf, "{\"error\":\"no complete request in time\"}"));

	/* A body trickled after complete headers is held to it too. */
	fd = connect_server();
	t0 = ab_test_now();
	partial = "POST /api/v1/rounds HTTP/1.1\r\nHost: x\r\n"
	          "Content-Length: 100\r\n\r\n";
	send(fd, partial, strlen(partial), MSG_NOSIGNAL);
	for (i = 0; i < 20 && still_waiting(fd); i++) {
		usleep(200000);
		send(fd, "b", 1, MSG_NOSIGNAL);
	}
	read_until_closed(fd, buf, sizeof(buf));
	dt = ab_test_now() - t0;
	close(fd);
	ck_assert_msg(dt > 0.9 && dt < 1.8, "closed after %.2f s", dt);
	ck_assert_msg(strncmp(buf, "HTTP/1.1 408 ", 13) == 0, "%s", buf);
}
END_TEST

/* A kept-alive connection idle after its answer is closed at the deadline
 * without another response; one that half-closes a partial header is
 * closed at once. */
START_TEST(test_idle_and_eof)
{
	const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	char buf[1024];
	ssize_t n;
	double dt;
	int fd;

	start_server_timeout(NULL, 16, 1);
	fd = connect_server();
	send(fd, req, strlen(req), MSG_NOSIGNAL);
	usleep(100000);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 12);
	buf[n] = '\0';
	ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%s", buf);
	dt = read_until_closed(fd, buf, sizeof(buf));
	close(fd);
	ck_assert_str_eq(buf, "");
	ck_assert_msg(dt > 0.7 && dt < 1.8, "closed after %.2f s", dt);

	fd = connect_server();
	send(fd, "GET /healthz HTTP/1.1\r\nHo", 26, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	dt = read_until_closed(fd, buf, sizeof(buf));
	close(fd);
	ck_assert_msg(dt < 0.5, "closed after %.2f s", dt);
}
END_TEST

/*
 * Incomplete requests may hold 24 of the 32 slots: each connection past
 * that closes the oldest incomplete one (with a 408), so a new client is
 * always answered and the newest incomplete ones stay.
 */
START_TEST(test_evict_oldest)
{
	const char *partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	const char *rest = "Connection: close\r\n\r\n";
	char buf[1024];
	struct resp r;
	int fds[30], i;

	start_server(NULL, 32);
	for (i = 0; i < 30; i++) {
		fds[i] = connect_server();
		send(fds[i], partial, strlen(partial), MSG_NOSIGNAL);
		usleep(5000);
	}
	usleep(200000);
	request("GET", "/healthz", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	usleep(100000);
	/* 31 came, 24 may wait: the 7 oldest were closed. */
	for (i = 0; i < 7; i++) {
		read_until_closed(fds[i], buf, sizeof(buf));
		ck_assert_msg(strncmp(buf, "HTTP/1.1 408 ", 13) == 0,
		    "connection %d: %s", i, buf);
		ck_assert_ptr_nonnull(strstr(buf, "too many incomplete"));
		close(fds[i]);
	}
	for (i = 7; i < 30; i++)
		ck_assert_msg(still_waiting(fds[i]), "connection %d closed", i);
	/* ...and are answered when they finish. */
	send(fds[29], rest, strlen(rest), MSG_NOSIGNAL);
	read_until_closed(fds[29], buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%s", buf);
	for (i = 7; i < 30; i++)
		close(fds[i]);
}
END_TEST

START_TEST(test_start_errors)
{
	static const struct {
		const char *listen;
		const char *www;
		const char *err;
	} cases[] = {
	    {"127.0.0.1", NULL, NULL},
	    {"localhost:80", NULL, NULL},
	    {"127.0.0.1:70000", NULL, NULL},
	    {"127.0.0.1:0", "/nonexistent/www", "/nonexistent/www: No such"},
	    {NULL, NULL, "cannot listen on 127.0.0.1:"},
	};
	struct http_opts o = opts;
	char err[256], busy[32];
	struct http *h;
	size_t i;

	snprintf(busy, sizeof(busy), "127.0.0.1:%u", http_port(srv));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		o.listen = cases[i].listen ? cases[i].listen : busy;
		o.www_dir = cases[i].www ? cases[i].www : wwwdir;
		h = http_start(&o, &st, err, sizeof(err));
		ck_assert_msg(h == NULL, "%s started", o.listen);
		ck_assert_msg(err[0] != '\0', "%s: no message", o.listen);
		if (cases[i].err != NULL)
			ck_assert_msg(strstr(err, cases[i].err) != NULL,
			    "%s: %s", o.listen, err);
	}
	/* IPv6 loopback, when the host has it. */
	o.listen = "[::1]:0";
	o.www_dir = wwwdir;
	h = http_start(&o, &st, err, sizeof(err));
	if (h != NULL) {
		ck_assert_uint_gt(http_port(h), 0);
		http_stop(h);
	}
	http_stop(NULL);
}
END_TEST

/* Without a www directory only the API answers; a vendor directory that
 * has gone away only disables /vendor/. */
START_TEST(test_optional_roots)
{
	struct http_opts o = opts;
	char err[256];
	struct resp r;

	http_stop(srv);
	o.www_dir = NULL;
	o.vendor_dir = "/nonexistent/chart.js";
	srv = http_start(&o, &st, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	request("GET", "/", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	check_error_body(&r);
	resp_free(&r);
	request("GET", "/vendor/chart.umd.js", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	request("GET", "/healthz", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_endpoints, 0,
	    sizeof(endpoint_cases) / sizeof(endpoint_cases[0]));
	tcase_add_loop_test(tc, test_traversal, 0,
	    sizeof(traversal_cases) / sizeof(traversal_cases[0]));
	tcase_add_loop_test(tc, test_traversal_fallback, 0,
	    sizeof(traversal_cases) / sizeof(traversal_cases[0]));
	tcase_add_test(tc, test_summary_etag);
	tcase_add_test(tc, test_summary_unavailable);
	tcase_add_test(tc, test_static_etag);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_keep_alive);
	tcase_add_test(tc, test_huge_target);
	tcase_add_loop_test(tc, test_rounds, 0,
	    sizeof(rounds_cases) / sizeof(rounds_cases[0]));
	tcase_add_loop_test(tc, test_runs, 0,
	    sizeof(runs_cases) / sizeof(runs_cases[0]));
	tcase_add_loop_test(tc, test_runs_errors, 0,
	    sizeof(runs_error_cases) / sizeof(runs_error_cases[0]));
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_metrics_values);
	tcase_add_test(tc, test_metrics_follow_updates);
	tcase_add_test(tc, test_metrics_format);
	tcase_add_test(tc, test_metrics_escaping);
	tcase_add_test(tc, test_promtool);
	tcase_add_loop_test(tc, test_readyz, 0,
	    sizeof(readyz_cases) / sizeof(readyz_cases[0]));
	tcase_add_test(tc, test_scrape_during_changes);
	tcase_add_test(tc, test_per_ip_limit);
	tcase_add_test(tc, test_request_deadline);
	tcase_add_test(tc, test_idle_and_eof);
	tcase_add_test(tc, test_evict_oldest);
	tcase_add_test(tc, test_start_errors);
	tcase_add_test(tc, test_optional_roots);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(suite)
