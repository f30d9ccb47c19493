/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server: libmicrohttpd with one internal epoll thread, a routing
 * table with one function per endpoint (the JSON API, /metrics, /healthz,
 * POST /api/v1/rounds) and the static dashboard, which is opened with
 * openat2(RESOLVE_BENEATH) below its root so no request can leave it. Every
 * error is a JSON body {"error": "..."} with the status RFC 9110 gives for
 * it. Shared results are read under the state's lock and copied into the
 * response; the daemon's own process metrics are cached for a second.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "conf.h"
#include "http.h"
#include "log.h"
#include "num.h"
#include "render.h"
#include "xmalloc.h"

#define AB_URL_MAX       2048        /* request target, bytes */
#define AB_PATH_MAX      1024        /* static file path, bytes */
#define AB_BODY_MAX      1024        /* POST body, bytes */
#define AB_BODY_DISCARD  (64 * 1024) /* then the connection is dropped */
#define AB_CONN_MEMORY   (32 * 1024) /* per-connection pool */
#define AB_RUNS_DEFAULT  100
#define AB_RUNS_MAX      10000
#define AB_SINCE_MAX     253402300799L /* 9999-12-31T23:59:59Z */
#define AB_SELF_REFRESH  1000          /* ms between /proc reads */
#define AB_JSON          "application/json"
#define AB_METRICS_TYPE  "text/plain; version=0.0.4; charset=utf-8"
#define AB_VENDOR_PREFIX "/vendor/"

struct http {
	struct MHD_Daemon *d;
	struct state *st;
	int www_fd;     /* O_PATH directory of the dashboard, or -1 */
	int vendor_fd;  /* O_PATH directory served under /vendor/, or -1 */
	char *www_real; /* canonical roots, for the realpath fallback */
	char *vendor_real;
	char *token; /* NULL: rounds are disabled */
	size_t token_len;
	unsigned port;
	int no_openat2;      /* the kernel (or a filter) refused openat2 */
	atomic_int starting; /* collect MHD's messages into start_err */
	char start_err[256];
	pthread_mutex_t proc_lock;
	char proc[2048]; /* process part of /metrics */
	size_t proc_len;
	int64_t proc_ms; /* CLOCK_MONOTONIC of the last refresh, 0 never */
};

/* Per request, created from the raw request target before MHD unescapes
 * it (MHD_OPTION_URI_LOG_CALLBACK) and freed when the request completes. */
struct req {
	size_t target_len; /* raw request target, with the query */
	int nul;           /* the target holds %00 */
	int started;       /* the handler has seen the headers */
	size_t body;       /* request body bytes received */
};

/* What an endpoint gets. */
struct hreq {
	struct http *h;
	struct MHD_Connection *c;
	const char *url; /* unescaped path, without the query */
	const char *method;
	struct req *r;
};

static int64_t
now_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Queues resp with the headers every response carries, and drops our
 * reference to it. */
static enum MHD_Result
send_response(struct MHD_Connection *c, unsigned status,
    struct MHD_Response *resp)
{
	enum MHD_Result rc;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS,
	    "nosniff");
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* A JSON response owning body (len bytes), which it frees with fr. */
static struct MHD_Response *
json_text_response(char *body, size_t len, void (*fr)(void *))
{
	struct MHD_Response *resp;

	resp =
	    MHD_create_response_from_buffer_with_free_callback(len, body, fr);
	if (resp == NULL) {
		fr(body);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, AB_JSON);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	return resp;
}

/* A response owning a cJSON-printed document. */
static struct MHD_Response *
json_response(const cJSON *doc)
{
	char *body;

	body = cJSON_PrintUnformatted(doc);
	if (body == NULL) {
		log_err("http: out of memory printing a document");
		abort();
	}
	return json_text_response(body, strlen(body), cJSON_free);
}

/* Sends doc with status and deletes it. */
static enum MHD_Result
send_json(struct MHD_Connection *c, unsigned status, cJSON *doc)
{
	struct MHD_Response *resp = json_response(doc);

	cJSON_Delete(doc);
	return send_response(c, status, resp);
}

/* A {"error": message} response, for callers that add headers. */
static struct MHD_Response *__attribute__((format(printf, 1, 2)))
error_response(const char *fmt, ...)
{
	cJSON *doc = cJSON_CreateObject();
	struct MHD_Response *resp;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(doc, "error", msg);
	resp = json_response(doc);
	cJSON_Delete(doc);
	return resp;
}

/* Sends {"error": message} with status. */
static enum MHD_Result __attribute__((format(printf, 3, 4)))
send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return send_response(c, status, error_response("%s", msg));
}

/* What inm_field looks for, and whether it was found. */
struct inm {
	const char *etag;
	int match;
};

/*
 * Weak comparison (RFC 9110 8.8.3.2) of one If-None-Match list against our
 * quoted entity tag: opaque tags compare equal whether or not either is
 * weak; "*" matches any current representation (RFC 9110 13.1.2).
 */
static int
etag_list_matches(const char *list, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = list, *q;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return 0; /* malformed: no match */
		if ((size_t)(q - p + 1) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = q + 1;
	}
}

/* Each If-None-Match field line is checked: several lines form one
 * comma-separated list (RFC 9110 5.3). */
static enum MHD_Result
inm_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct inm *m = cls;

	(void)kind;
	if (value != NULL &&
	    strcasecmp(key, MHD_HTTP_HEADER_IF_NONE_MATCH) == 0 &&
	    etag_list_matches(value, m->etag))
		m->match = 1;
	return m->match ? MHD_NO : MHD_YES;
}

/* Whether the request's If-None-Match holds etag. */
static int
not_modified(struct MHD_Connection *c, const char *etag)
{
	struct inm m = {etag, 0};

	MHD_get_connection_values(c, MHD_HEADER_KIND, inm_field, &m);
	return m.match;
}

/* 304 Not Modified carries the validator and caching headers the 200 would
 * have had (RFC 9110 15.4.5). */
static enum MHD_Result
send_not_modified(struct MHD_Connection *c, const char *etag, const char *cache)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	return send_response(c, MHD_HTTP_NOT_MODIFIED, resp);
}

/* GET /api/v1/summary: the prepared document, copied under the lock. */
static enum MHD_Result
ep_summary(struct hreq *q)
{
	struct state *st = q->h->st;
	struct MHD_Response *resp;
	char etag[sizeof(st->summary_etag)];

	pthread_mutex_lock(&st->lock);
	if (st->summary == NULL) {
		pthread_mutex_unlock(&st->lock);
		/* RFC 9110 15.6.4: 503 may say when to come back. */
		resp = error_response("no summary yet");
		if (resp != NULL)
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_RETRY_AFTER, "10");
		return send_response(q->c, MHD_HTTP_SERVICE_UNAVAILABLE, resp);
	}
	memcpy(etag, st->summary_etag, sizeof(etag));
	if (not_modified(q->c, etag)) {
		pthread_mutex_unlock(&st->lock);
		return send_not_modified(q->c, etag, "no-cache");
	}
	resp = MHD_create_response_from_buffer(st->summary_len, st->summary,
	    MHD_RESPMEM_MUST_COPY);
	pthread_mutex_unlock(&st->lock);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, AB_JSON);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	return send_response(q->c, MHD_HTTP_OK, resp);
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * RFC 3339 5.6 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), "T"
 * and "Z" in either case. A space stands for the "+" of the offset, since
 * an unencoded "+" in a query string decodes to a space.
 */
static int
parse_rfc3339(const char *s, int64_t *out)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int y, mo, d, hh, mi, ss, oh = 0, om = 0, sign = 0, ms = 0, scale;
	const char *p;
	int64_t secs;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &hh) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &ss))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || hh > 23 ||
	    mi > 59 || ss > 60)
		return -1;
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++, scale = 100; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		sign = 0;
	else if ((*p == '+' || *p == ' ' || *p == '-') && strlen(p) == 6 &&
	    digits(p + 1, 2, &oh) == 0 && p[3] == ':' &&
	    digits(p + 4, 2, &om) == 0 && oh <= 23 && om <= 59)
		sign = *p == '-' ? -1 : 1;
	else
		return -1;
	secs = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss -
	    sign * (oh * 3600 + om * 60);
	*out = secs * 1000 + ms;
	return 0;
}

/* The since parameter: RFC 3339 or integer unix seconds, into ms. */
static int
parse_since(const char *v, int64_t *ms, char *err, size_t errlen)
{
	char nerr[128];
	long secs;

	if (v[0] >= '0' && v[0] <= '9' &&
	    strspn(v, "0123456789") == strlen(v)) {
		if (num_parse_long(v, 0, AB_SINCE_MAX, &secs, nerr,
		        sizeof(nerr)) == -1) {
			snprintf(err, errlen, "since: %s", nerr);
			return -1;
		}
		*ms = (int64_t)secs * 1000;
		return 0;
	}
	if (parse_rfc3339(v, ms) == -1) {
		snprintf(err, errlen,
		    "since: '%s' is neither an RFC 3339 timestamp nor unix "
		    "seconds",
		    v);
		return -1;
	}
	return 0;
}

enum runs_param { RP_VARIANT, RP_SINCE, RP_LIMIT, RP_N };

static const char *const runs_params[RP_N] = {"variant", "since", "limit"};

struct runs_query {
	const char *v[RP_N];
	char err[256];
};

static enum MHD_Result
runs_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct runs_query *rq = cls;
	int i;

	(void)kind;
	for (i = 0; i < RP_N; i++)
		if (strcmp(key, runs_params[i]) == 0)
			break;
	if (i == RP_N)
		snprintf(rq->err, sizeof(rq->err), "unknown parameter '%s'",
		    key);
	else if (rq->v[i] != NULL)
		snprintf(rq->err, sizeof(rq->err), "%s: repeated parameter",
		    key);
	else if (value == NULL || value[0] == '\0')
		snprintf(rq->err, sizeof(rq->err), "%s: empty value", key);
	else
		rq->v[i] = value;
	return rq->err[0] == '\0' ? MHD_YES : MHD_NO;
}

/* GET /api/v1/runs?variant=ID&since=T&limit=N: runs newest first. */
static enum MHD_Result
ep_runs(struct hreq *q)
{
	struct state *st = q->h->st;
	struct runs_query rq;
	int64_t since = 0;
	long limit = AB_RUNS_DEFAULT;
	char nerr[128], *body;
	size_t len;

	memset(&rq, 0, sizeof(rq));
	MHD_get_connection_values(q->c, MHD_GET_ARGUMENT_KIND, runs_arg, &rq);
	if (rq.err[0] == '\0' && rq.v[RP_LIMIT] != NULL &&
	    num_parse_long(rq.v[RP_LIMIT], 1, AB_RUNS_MAX, &limit, nerr,
	        sizeof(nerr)) == -1)
		snprintf(rq.err, sizeof(rq.err), "limit: %s", nerr);
	if (rq.err[0] == '\0' && rq.v[RP_SINCE] != NULL)
		parse_since(rq.v[RP_SINCE], &since, rq.err, sizeof(rq.err));
	if (rq.err[0] != '\0')
		return send_error(q->c, MHD_HTTP_BAD_REQUEST, "%s", rq.err);

	pthread_mutex_lock(&st->lock);
	if (rq.v[RP_VARIANT] != NULL &&
	    (st->catalog == NULL ||
	        catalog_find(st->catalog, rq.v[RP_VARIANT]) == NULL)) {
		pthread_mutex_unlock(&st->lock);
		return send_error(q->c, MHD_HTTP_BAD_REQUEST,
		    "variant: unknown variant '%s'", rq.v[RP_VARIANT]);
	}
	body = render_runs(st->store, rq.v[RP_VARIANT], since, (size_t)limit,
	    &len);
	pthread_mutex_unlock(&st->lock);
	return send_response(q->c, MHD_HTTP_OK,
	    json_text_response(body, len, free));
}

/* GET /api/v1/status. */
static enum MHD_Result
ep_status(struct hreq *q)
{
	struct state *st = q->h->st;
	cJSON *doc;

	pthread_mutex_lock(&st->lock);
	doc = render_status(st, now_ms(CLOCK_REALTIME));
	pthread_mutex_unlock(&st->lock);
	return send_json(q->c, MHD_HTTP_OK, doc);
}

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

static int
read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static double
boot_time(void)
{
	char buf[8192], *p;
	double v;

	if (read_small("/proc/stat", buf, sizeof(buf)) == -1 ||
	    (p = strstr(buf, "\nbtime ")) == NULL)
		return -1;
	v = field_num(p + 7, 1);
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

static void __attribute__((format(printf, 4, 5)))
self_family(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

/*
 * Rereads the daemon's own process metrics (getrusage for the CPU time;
 * /proc/self/statm size and resident; /proc/self/stat field 22 starttime;
 * /proc/self/fd; RLIMIT_NOFILE) into h->proc, at most once per
 * AB_SELF_REFRESH. qemu-user makes up /proc/self/stat with zeros for the
 * CPU times and sizes, so only the start time comes from there.
 */
static void
self_refresh(struct http *h)
{
	char stat[1024], *p;
	long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	double cpu = -1, start = -1, vsize = -1, rss = -1;
	double fds, btime;
	struct rusage ru;
	struct rlimit rl;
	size_t off = 0;
	int64_t now = now_ms(CLOCK_MONOTONIC);

	if (h->proc_ms != 0 && now - h->proc_ms < AB_SELF_REFRESH)
		return;
	h->proc_ms = now;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (read_small("/proc/self/statm", stat, sizeof(stat)) == 0) {
		vsize = field_num(stat, 1);
		rss = field_num(stat, 2);
		if (vsize >= 0 && page > 0)
			vsize *= (double)page;
	}
	if (read_small("/proc/self/stat", stat, sizeof(stat)) == 0 &&
	    (p = strrchr(stat, ')')) != NULL)
		start = field_num(p + 1, 22 - 2); /* p + 1 is at field 3 */
	fds = open_fds();
	btime = boot_time();

	if (cpu >= 0)
		self_family(h->proc, sizeof(h->proc), &off,
		    "# HELP allocbench_process_cpu_seconds_total User and "
		    "system CPU time spent by allocbenchd.\n"
		    "# TYPE allocbench_process_cpu_seconds_total counter\n"
		    "allocbench_process_cpu_seconds_total %.2f\n",
		    cpu);
	if (rss >= 0 && page > 0)
		self_family(h->proc, sizeof(h->proc), &off,
		    "# HELP allocbench_process_resident_memory_bytes Resident "
		    "memory of allocbenchd.\n"
		    "# TYPE allocbench_process_resident_memory_bytes gauge\n"
		    "allocbench_process_resident_memory_bytes %.0f\n",
		    rss * (double)page);
	if (vsize >= 0)
		self_family(h->proc, sizeof(h->proc), &off,
		    "# HELP allocbench_process_virtual_memory_bytes Virtual "
		    "memory size of allocbenchd.\n"
		    "# TYPE allocbench_process_virtual_memory_bytes gauge\n"
		    "allocbench_process_virtual_memory_bytes %.0f\n",
		    vsize);
	if (fds >= 0)
		self_family(h->proc, sizeof(h->proc), &off,
		    "# HELP allocbench_process_open_fds Open file descriptors "
		    "of allocbenchd.\n"
		    "# TYPE allocbench_process_open_fds gauge\n"
		    "allocbench_process_open_fds %.0f\n",
		    fds);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		self_family(h->proc, sizeof(h->proc), &off,
		    "# HELP allocbench_process_max_fds Limit on open file "
		    "descriptors (RLIMIT_NOFILE).\n"
		    "# TYPE allocbench_process_max_fds gauge\n"
		    "allocbench_process_max_fds %.0f\n",
		    (double)rl.rlim_cur);
	if (start >= 0 && btime >= 0 && tck > 0)
		self_family(h->proc, sizeof(h->proc), &off,
		    "# HELP allocbench_process_start_time_seconds Start time "
		    "of allocbenchd, seconds since the epoch.\n"
		    "# TYPE allocbench_process_start_time_seconds gauge\n"
		    "allocbench_process_start_time_seconds %.2f\n",
		    btime + start / (double)tck);
	h->proc_len = off < sizeof(h->proc) ? off : sizeof(h->proc) - 1;
}

/* GET /metrics: the results part prepared by state_publish, then the
 * process part (Prometheus text format 0.0.4). */
static enum MHD_Result
ep_metrics(struct hreq *q)
{
	struct http *h = q->h;
	struct state *st = h->st;
	struct MHD_Response *resp;
	char *body, *fresh = NULL, proc[sizeof(h->proc)];
	const char *res;
	size_t rlen, plen;

	pthread_mutex_lock(&h->proc_lock);
	self_refresh(h);
	memcpy(proc, h->proc, h->proc_len);
	plen = h->proc_len;
	pthread_mutex_unlock(&h->proc_lock);

	pthread_mutex_lock(&st->lock);
	res = st->metrics;
	rlen = st->metrics_len;
	if (res == NULL)
		res = fresh = render_metrics(st, &rlen);
	body = xmalloc(rlen + plen + 1);
	memcpy(body, res, rlen);
	pthread_mutex_unlock(&st->lock);
	free(fresh);
	memcpy(body + rlen, proc, plen);
	rlen += plen;
	body[rlen] = '\0';

	resp =
	    MHD_create_response_from_buffer(rlen, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    AB_METRICS_TYPE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	return send_response(q->c, MHD_HTTP_OK, resp);
}

/* GET /healthz: the server thread answers. */
static enum MHD_Result
ep_healthz(struct hreq *q)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(3, (void *)"ok\n",
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	return send_response(q->c, MHD_HTTP_OK, resp);
}

/*
 * Compares the presented token with ours in time that depends only on the
 * presented length: every byte is visited and differences, including the
 * lengths', are OR-ed together without an early exit.
 */
static int
token_equal(const char *given, size_t glen, const char *token, size_t tlen)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < glen; i++)
		d |= (unsigned char)given[i] ^ (unsigned char)token[i % tlen];
	return (d | (glen != tlen)) == 0;
}

/* POST /api/v1/rounds: asks the scheduler for a round now. */
static enum MHD_Result
ep_rounds(struct hreq *q)
{
	struct http *h = q->h;
	struct MHD_Response *resp;
	const char *auth, *tok;
	cJSON *doc;
	size_t n;

	if (h->token == NULL)
		return send_error(q->c, MHD_HTTP_FORBIDDEN,
		    "rounds are disabled: no api_token is configured");
	auth = MHD_lookup_connection_value(q->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth == NULL) {
		resp = error_response("an Authorization: Bearer token is "
		                      "required");
		if (resp != NULL)
			MHD_add_response_header(resp,
			    MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			    "Bearer realm=\"allocbench\"");
		return send_response(q->c, MHD_HTTP_FORBIDDEN, resp);
	}
	/* The auth-scheme is case-insensitive (RFC 9110 11.1). */
	n = strcspn(auth, " ");
	if (n != 6 || strncasecmp(auth, "Bearer", 6) != 0)
		return send_error(q->c, MHD_HTTP_FORBIDDEN,
		    "the Authorization scheme must be Bearer");
	for (tok = auth + n; *tok == ' '; tok++)
		;
	if (!token_equal(tok, strlen(tok), h->token, h->token_len))
		return send_error(q->c, MHD_HTTP_FORBIDDEN, "invalid token");
	if (state_request_round(h->st) == -1)
		return send_error(q->c, MHD_HTTP_CONFLICT,
		    "a round is running");
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "status", "requested");
	return send_json(q->c, MHD_HTTP_ACCEPTED, doc);
}

/* Content types by extension; the rest is application/octet-stream. */
static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"}, /* RFC 9239 */
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/vnd.microsoft.icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"map", "application/json"},
};

static const char *
mime_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return "application/octet-stream";
	for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
		if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
			return mime_types[i].type;
	return "application/octet-stream";
}

/*
 * Turns an unescaped URL path into a path relative to the root: empty and
 * "." segments are dropped, "/" and a trailing slash get index.html.
 * Refuses ".." segments, names starting with a dot, backslashes and
 * control characters. Returns 0, or -1 when the path is refused.
 */
static int
relative_path(const char *path, char *out, size_t len)
{
	const char *seg, *end;
	size_t n, o = 0;

	if (path[0] != '/')
		return -1;
	for (seg = path; *seg != '\0'; seg = end) {
		while (*seg == '/')
			seg++;
		end = seg + strcspn(seg, "/");
		n = (size_t)(end - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (seg[0] == '.')
			return -1; /* "..", hidden files */
		if (o + n + 2 > len)
			return -1;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, seg, n);
		o += n;
	}
	out[o] = '\0';
	if (strpbrk(out, "\\") != NULL)
		return -1;
	for (n = 0; n < o; n++)
		if ((unsigned char)out[n] < 0x20 || out[n] == 0x7f)
			return -1;
	if (o == 0 || path[strlen(path) - 1] == '/') {
		if (o + sizeof("/index.html") > len)
			return -1;
		snprintf(out + o, len - o, "%sindex.html", o > 0 ? "/" : "");
	}
	return 0;
}

/* Whether the canonical path real is root or below it. */
static int
beneath(const char *real, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(real, root, n) == 0 &&
	    (real[n] == '/' || real[n] == '\0');
}

/*
 * Opens rel below the root. openat2(RESOLVE_BENEATH) refuses "..", absolute
 * paths and symbolic links that lead out of the root, atomically (Linux
 * 5.6). Without openat2 the canonical path is checked against the root's
 * instead. Returns the descriptor, or -1 with errno (EXDEV: outside).
 */
static int
open_beneath(struct http *h, int rootfd, const char *rootreal, const char *rel)
{
	const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct open_how how;
	char *full, *real, *slash;
	int saved;
	long fd;

	if (!h->no_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
		log_warn("http: openat2 is unavailable (%s); checking static "
		         "paths with realpath",
		    strerror(errno));
		h->no_openat2 = 1;
	}
	full = xasprintf("%s/%s", rootreal, rel);
	real = realpath(full, NULL);
	if (real == NULL) {
		/* Like RESOLVE_BENEATH, refuse a missing file whose existing
		 * ancestors already lead out of the root. */
		saved = errno;
		while (real == NULL && (slash = strrchr(full, '/')) != NULL &&
		    slash > full) {
			*slash = '\0';
			real = realpath(full, NULL);
		}
		free(full);
		errno =
		    real != NULL && !beneath(real, rootreal) ? EXDEV : saved;
		free(real);
		return -1;
	}
	free(full);
	if (!beneath(real, rootreal)) {
		free(real);
		errno = EXDEV;
		return -1;
	}
	fd = open(real, flags | O_NOFOLLOW);
	free(real);
	return (int)fd;
}

/* Static files from the dashboard root, and /vendor/ from the vendor
 * directory when there is one. */
static enum MHD_Result
ep_static(struct hreq *q)
{
	struct http *h = q->h;
	const char *path = q->url, *real = h->www_real;
	const char *cache = "no-cache";
	char rel[AB_PATH_MAX + sizeof("/index.html")], etag[80];
	struct MHD_Response *resp;
	int rootfd = h->www_fd, fd;
	struct stat sb;

	if (strlen(path) > AB_PATH_MAX)
		return send_error(q->c, MHD_HTTP_URI_TOO_LONG,
		    "the path is longer than %d bytes", AB_PATH_MAX);
	if (h->vendor_fd >= 0 &&
	    strncmp(path, AB_VENDOR_PREFIX, strlen(AB_VENDOR_PREFIX)) == 0) {
		path += strlen(AB_VENDOR_PREFIX) - 1;
		rootfd = h->vendor_fd;
		real = h->vendor_real;
		cache = "public, max-age=86400";
	}
	if (relative_path(path, rel, sizeof(rel)) == -1)
		return send_error(q->c, MHD_HTTP_FORBIDDEN, "forbidden path");
	if (rootfd == -1)
		return send_error(q->c, MHD_HTTP_NOT_FOUND, "not found");
	if ((fd = open_beneath(h, rootfd, real, rel)) == -1) {
		switch (errno) {
		case ENOENT:
		case ENOTDIR:
			return send_error(q->c, MHD_HTTP_NOT_FOUND,
			    "not found");
		case EXDEV:
		case ELOOP:
		case EACCES:
		case EPERM:
			return send_error(q->c, MHD_HTTP_FORBIDDEN,
			    "forbidden path");
		case ENAMETOOLONG:
			return send_error(q->c, MHD_HTTP_URI_TOO_LONG,
			    "the path is too long");
		default:
			log_warn("http: %s: %s", rel, strerror(errno));
			return send_error(q->c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "cannot read the file");
		}
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return send_error(q->c, MHD_HTTP_NOT_FOUND, "not found");
	}
	snprintf(etag, sizeof(etag), "\"%jx-%jx-%jx\"", (uintmax_t)sb.st_ino,
	    (uintmax_t)sb.st_size,
	    (uintmax_t)sb.st_mtim.tv_sec * 1000000000u +
	        (uintmax_t)sb.st_mtim.tv_nsec);
	if (not_modified(q->c, etag)) {
		close(fd);
		return send_not_modified(q->c, etag, cache);
	}
	if (fcntl(fd, F_SETFL, 0) == -1 ||
	    (resp = MHD_create_response_from_fd((size_t)sb.st_size, fd)) ==
	        NULL) {
		close(fd);
		return send_error(q->c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "cannot read the file");
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    mime_type(rel));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	return send_response(q->c, MHD_HTTP_OK, resp);
}

/* The API; every other path is a static file. GET routes answer HEAD too
 * (RFC 9110 9.3.2). */
static const struct route {
	const char *path;
	const char *allow; /* the Allow header of a 405 */
	enum MHD_Result (*fn)(struct hreq *);
} routes[] = {
    {"/api/v1/summary", "GET, HEAD", ep_summary},
    {"/api/v1/runs", "GET, HEAD", ep_runs},
    {"/api/v1/status", "GET, HEAD", ep_status},
    {"/api/v1/rounds", "POST", ep_rounds},
    {"/metrics", "GET, HEAD", ep_metrics},
    {"/healthz", "GET, HEAD", ep_healthz},
};

static const struct route static_route = {NULL, "GET, HEAD", ep_static};

/* Whether method is one of the comma-separated allow list. */
static int
method_allowed(const char *allow, const char *method)
{
	size_t n = strlen(method);
	const char *p;

	for (p = allow; (p = strstr(p, method)) != NULL; p += n)
		if ((p == allow || p[-1] == ' ') &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static const struct route *
route_of(const char *url)
{
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(url, routes[i].path) == 0)
			return &routes[i];
	if (strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0)
		return NULL;
	return &static_route;
}

/*
 * Answers a request whose body, if any, has been read: the checks every
 * request passes, then its route's endpoint.
 */
static enum MHD_Result
dispatch(struct hreq *q)
{
	const struct route *rt = route_of(q->url);
	struct MHD_Response *resp;

	if (q->r->target_len > AB_URL_MAX)
		return send_error(q->c, MHD_HTTP_URI_TOO_LONG,
		    "the URL is longer than %d bytes", AB_URL_MAX);
	if (q->r->nul)
		return send_error(q->c, MHD_HTTP_BAD_REQUEST,
		    "the URL holds an encoded NUL");
	if (q->r->body > AB_BODY_MAX)
		return send_error(q->c, MHD_HTTP_CONTENT_TOO_LARGE,
		    "the request body is larger than %d bytes", AB_BODY_MAX);
	if (rt == NULL)
		return send_error(q->c, MHD_HTTP_NOT_FOUND, "no such endpoint");
	if (!method_allowed(rt->allow, q->method)) {
		/* RFC 9110 15.5.6: a 405 lists the methods in Allow. */
		resp = error_response("method %s is not allowed; use %s",
		    q->method, rt->allow);
		if (resp != NULL)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
			    rt->allow);
		return send_response(q->c, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
	}
	return rt->fn(q);
}

/*
 * MHD calls this first with the headers, then with each piece of the body,
 * then once more with none left. Answers are queued on that last call:
 * MHD 0.9.75 closes the connection after a response queued on the first
 * one, which only a body announced too large deserves (RFC 9110 15.5.14).
 * Bodies are counted and dropped; past AB_BODY_DISCARD the connection is.
 */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size,
    void **con_cls)
{
	struct hreq q = {cls, c, url, method, *con_cls};
	const char *cl;
	char nerr[64];
	long len;

	(void)version;
	(void)upload;
	if (q.r == NULL) /* the URI callback always runs first */
		return MHD_NO;
	if (!q.r->started) {
		q.r->started = 1;
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL &&
		    (num_parse_long(cl, 0, LONG_MAX, &len, nerr,
		         sizeof(nerr)) == -1 ||
		        len > AB_BODY_MAX))
			return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
			    "the request body is larger than %d bytes",
			    AB_BODY_MAX);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		q.r->body += *upload_size;
		*upload_size = 0;
		return q.r->body > AB_BODY_DISCARD ? MHD_NO : MHD_YES;
	}
	return dispatch(&q);
}

static void *
req_begin(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *r = xcalloc(1, sizeof(*r));

	(void)cls;
	(void)c;
	r->target_len = strlen(uri);
	/* MHD unescapes %00 into a NUL that would cut the path short. */
	r->nul = strstr(uri, "%00") != NULL;
	return r;
}

static void
req_end(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

static void __attribute__((format(printf, 2, 0)))
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http *h = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (atomic_load(&h->starting))
		snprintf(h->start_err, sizeof(h->start_err), "%s", msg);
	log_warn("http: %s", msg);
}

/* Opens a served root as an O_PATH directory and records its real path. */
static int
open_root(const char *dir, int *fd, char **real, char *err, size_t errlen)
{
	if ((*fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (*real = realpath(dir, NULL)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Parses the listen address and opens the roots (no www_dir: no static
 * files; a missing vendor_dir is only logged), then starts MHD with every
 * limit set explicitly (zeros in o mean 64 connections, 16 per IP, 15 s).
 */
struct http *
http_start(const struct http_opts *o, struct state *st, char *err,
    size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const union MHD_DaemonInfo *info;
	char addr[INET6_ADDRSTRLEN + 1], verr[256];
	unsigned port, flags;
	struct http *h = NULL;
	int v6 = 0;

	if (conf_parse_listen(o->listen, addr, sizeof(addr), &port, err,
	        errlen) == -1)
		return NULL;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		v6 = 1;
	} else {
		snprintf(err, errlen, "listen: '%s' is not a numeric address",
		    addr);
		return NULL;
	}

	h = xcalloc(1, sizeof(*h));
	h->st = st;
	h->www_fd = h->vendor_fd = -1;
	pthread_mutex_init(&h->proc_lock, NULL);
	h->no_openat2 = getenv("AB_TEST_NO_OPENAT2") != NULL;
	if (o->www_dir != NULL && o->www_dir[0] != '\0' &&
	    open_root(o->www_dir, &h->www_fd, &h->www_real, err, errlen) == -1)
		goto fail;
	/* Chart.js may have been uninstalled since configure found it. */
	if (o->vendor_dir != NULL && o->vendor_dir[0] != '\0' &&
	    open_root(o->vendor_dir, &h->vendor_fd, &h->vendor_real, verr,
	        sizeof(verr)) == -1)
		log_warn("http: not serving /vendor/: %s", verr);
	if (o->api_token != NULL && o->api_token[0] != '\0') {
		h->token = xstrdup(o->api_token);
		h->token_len = strlen(h->token);
	}

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	atomic_store(&h->starting, 1);
	/* The logger goes first so MHD logs nothing to stderr by itself. */
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)(o->timeout_s ? o->timeout_s : 15),
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(o->max_connections ? o->max_connections : 64),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)(o->max_per_ip ? o->max_per_ip : 16),
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)AB_CONN_MEMORY,
	    MHD_OPTION_URI_LOG_CALLBACK, req_begin, h,
	    MHD_OPTION_NOTIFY_COMPLETED, req_end, h, MHD_OPTION_END);
	atomic_store(&h->starting, 0);
	if (h->d == NULL) {
		snprintf(err, errlen, "cannot listen on %s: %s", o->listen,
		    h->start_err[0] ? h->start_err : "libmicrohttpd failed");
		goto fail;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info != NULL ? info->port : port;
	return h;
fail:
	http_stop(h);
	return NULL;
}

/* The port actually bound. */
unsigned
http_port(const struct http *h)
{
	return h->port;
}

/* Stops MHD (joining its thread), closes the roots and frees h. */
void
http_stop(struct http *h)
{
	if (h == NULL)
		return;
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	if (h->www_fd != -1)
		close(h->www_fd);
	if (h->vendor_fd != -1)
		close(h->vendor_fd);
	free(h->www_real);
	free(h->vendor_real);
	free(h->token);
	pthread_mutex_destroy(&h->proc_lock);
	free(h);
}
