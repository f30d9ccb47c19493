/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server: libmicrohttpd driven by our own epoll thread, a routing
 * table with one function per endpoint (the JSON API, /metrics, /healthz,
 * /readyz, POST /api/v1/rounds) and the static dashboard, which is opened with
 * openat2(RESOLVE_BENEATH) below its root so no request can leave it. Every
 * error is a JSON body {"error": "..."} with the status RFC 9110 gives for
 * it. Shared results are read under the state's lock and copied into the
 * response; the daemon's own process metrics are cached for a second.
 *
 * Hostile clients: a connection holds a slot only while it is answered.
 * Until its request (header and body) is complete it is "pending", and a
 * pending connection is closed when its request deadline passes (trickled
 * bytes do not extend it), or, oldest first, when pending connections
 * would take more than three quarters of the slots. MHD offers an idle
 * timeout only, so the thread that runs MHD does this between MHD_run
 * calls, and no other thread touches a connection. Messages clients cause
 * are rate-limited.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "conf.h"
#include "files.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "num.h"
#include "render.h"
#include "selfstat.h"
#include "state.h"
#include "timefmt.h"
#include "xmalloc.h"

#define AB_URL_MAX       2048        /* request target, bytes */
#define AB_PATH_MAX      1024        /* static file path, bytes */
#define AB_BODY_MAX      1024        /* POST body, bytes */
#define AB_CONN_MEMORY   (32 * 1024) /* per-connection pool */
#define AB_RUNS_DEFAULT  100
#define AB_RUNS_MAX      10000
#define AB_SINCE_MAX     253402300799.0 /* 9999-12-31T23:59:59Z */
#define AB_SELF_REFRESH  1000           /* ms between /proc reads */
#define AB_JSON          "application/json"
#define AB_METRICS_TYPE  "text/plain; version=0.0.4; charset=utf-8"
#define AB_VENDOR_PREFIX "/vendor/"

/* Hostile clients: a whole request within 10 s (ms), the listen(2)
 * backlog, and client-caused messages: 10 at once, then one a minute, with
 * a summary of the rest at least once a minute. */
#define AB_REQUEST_DEADLINE 10000
#define AB_BACKLOG          1024
#define AB_LOG_BURST        10
#define AB_LOG_PERIOD       60000
#define AB_LOG_SUMMARY      60000

struct http {
	struct MHD_Daemon *d;
	struct state *st;
	struct files *files; /* the dashboard's roots, or NULL */
	char *token;         /* NULL: rounds are disabled */
	size_t token_len;
	unsigned port;
	atomic_int starting; /* collect MHD's messages into start_err */
	char start_err[256];
	pthread_mutex_t proc_lock;
	struct ab_buf proc; /* process part of /metrics */
	int64_t proc_ms;    /* CLOCK_MONOTONIC of the last refresh, 0 never */

	/* Only the server thread (serve) touches what follows while it runs. */
	pthread_t thread;
	int thread_started;
	int ep;      /* epoll: MHD's epoll descriptor and wake_fd */
	int wake_fd; /* eventfd: http_stop ends the thread */
	TAILQ_HEAD(, conn) conns; /* every open connection */
	unsigned pending;         /* conns waiting for a request, not closing */
	unsigned pending_max;
	unsigned closed;           /* connections closed in this MHD_run */
	int64_t deadline_ms;       /* for a complete request */
	struct log_rate mhd_rate;  /* MHD's messages about clients */
	struct log_rate conn_rate; /* our closing of pending connections */
};

/*
 * One connection, from MHD_CONNECTION_NOTIFY_STARTED to ..._CLOSED. It is
 * pending from its start, and again from the end of each response, until
 * its next request is complete.
 */
struct conn {
	TAILQ_ENTRY(conn) link;
	int fd;
	int pending;      /* waiting for a complete request */
	int closing;      /* shut down by us; MHD has yet to see it */
	unsigned served;  /* responses completed */
	int64_t since_ms; /* when it became pending */
	char addr[INET6_ADDRSTRLEN];
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

/* The since parameter: RFC 3339 or integer unix seconds, into ms. */
static int
parse_since(const char *v, int64_t *ms, char *err, size_t errlen)
{
	char nerr[128];
	double secs;

	if (v[0] >= '0' && v[0] <= '9' &&
	    strspn(v, "0123456789") == strlen(v)) {
		/* a double holds every second up to 9999 exactly, where a
		 * 32-bit long stops in 2038 */
		if (num_parse_double(v, 0, AB_SINCE_MAX, &secs, nerr,
		        sizeof(nerr)) == -1) {
			snprintf(err, errlen,
			    "since: '%s' is out of range [0, %.0f]", v,
			    AB_SINCE_MAX);
			return -1;
		}
		*ms = (int64_t)secs * 1000;
		return 0;
	}
	if (timefmt_parse_rfc3339(v, ms) == -1) {
		snprintf(err, errlen,
		    "since: '%s' is neither an RFC 3339 timestamp nor unix "
		    "seconds",
		    v);
		return -1;
	}
	return 0;
}

static const char *const runs_params[HTTP_RUNS_NPARAMS] = {"variant", "since",
    "limit"};

/* Takes one decoded pair of the query of GET /api/v1/runs; see http.h. */
int
http_runs_arg(struct http_runs_query *rq, const char *key, const char *value)
{
	int i;

	for (i = 0; i < HTTP_RUNS_NPARAMS; i++)
		if (strcmp(key, runs_params[i]) == 0)
			break;
	if (i == HTTP_RUNS_NPARAMS)
		snprintf(rq->err, sizeof(rq->err), "unknown parameter '%s'",
		    key);
	else if (rq->v[i] != NULL)
		snprintf(rq->err, sizeof(rq->err), "%s: repeated parameter",
		    key);
	else if (value == NULL || value[0] == '\0')
		snprintf(rq->err, sizeof(rq->err), "%s: empty value", key);
	else
		rq->v[i] = value;
	return rq->err[0] == '\0' ? 0 : -1;
}

/* Checks the values of GET /api/v1/runs's query; see http.h. */
int
http_runs_check(struct http_runs_query *rq)
{
	char nerr[128];

	rq->limit = AB_RUNS_DEFAULT;
	rq->since_ms = 0;
	if (rq->err[0] == '\0' && rq->v[HTTP_RUNS_LIMIT] != NULL &&
	    num_parse_long(rq->v[HTTP_RUNS_LIMIT], 1, AB_RUNS_MAX, &rq->limit,
	        nerr, sizeof(nerr)) == -1)
		snprintf(rq->err, sizeof(rq->err), "limit: %s", nerr);
	if (rq->err[0] == '\0' && rq->v[HTTP_RUNS_SINCE] != NULL)
		parse_since(rq->v[HTTP_RUNS_SINCE], &rq->since_ms, rq->err,
		    sizeof(rq->err));
	return rq->err[0] == '\0' ? 0 : -1;
}

static enum MHD_Result
runs_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	return http_runs_arg(cls, key, value) == 0 ? MHD_YES : MHD_NO;
}

/* GET /api/v1/runs?variant=ID&since=T&limit=N: runs newest first. */
static enum MHD_Result
ep_runs(struct hreq *q)
{
	struct state *st = q->h->st;
	struct http_runs_query rq;
	char *body;
	size_t len;

	memset(&rq, 0, sizeof(rq));
	MHD_get_connection_values(q->c, MHD_GET_ARGUMENT_KIND, runs_arg, &rq);
	if (http_runs_check(&rq) == -1)
		return send_error(q->c, MHD_HTTP_BAD_REQUEST, "%s", rq.err);

	pthread_mutex_lock(&st->lock);
	if (rq.v[HTTP_RUNS_VARIANT] != NULL &&
	    (st->catalog == NULL ||
	        catalog_find(st->catalog, rq.v[HTTP_RUNS_VARIANT]) == NULL)) {
		pthread_mutex_unlock(&st->lock);
		return send_error(q->c, MHD_HTTP_BAD_REQUEST,
		    "variant: unknown variant '%s'", rq.v[HTTP_RUNS_VARIANT]);
	}
	body = render_runs(st->store, rq.v[HTTP_RUNS_VARIANT], rq.since_ms,
	    (size_t)rq.limit, &len);
	pthread_mutex_unlock(&st->lock);
	return send_response(q->c, MHD_HTTP_OK,
	    json_text_response(body, len, free));
}

/* GET /api/v1/status. */
static enum MHD_Result
ep_status(struct hreq *q)
{
	struct state *st = q->h->st;
	struct render_daemon d;
	cJSON *doc;

	pthread_mutex_lock(&st->lock);
	state_daemon(st, &d);
	doc = render_status(&d, timefmt_now_ms());
	pthread_mutex_unlock(&st->lock);
	return send_json(q->c, MHD_HTTP_OK, doc);
}

/* GET /metrics: the snapshot's part (state_publish), then readiness at
 * the time of this request, then the process part, reread at most once
 * per AB_SELF_REFRESH (Prometheus text format 0.0.4). */
static enum MHD_Result
ep_metrics(struct hreq *q)
{
	struct http *h = q->h;
	struct state *st = h->st;
	struct ab_buf body = AB_BUF_INIT;
	struct MHD_Response *resp;
	int64_t now = timefmt_mono_ms();
	char ready[AB_METRICS_READY_MAX];
	size_t len;
	char *p;

	pthread_mutex_lock(&st->lock);
	if (st->metrics != NULL)
		ab_buf_append(&body, st->metrics, st->metrics_len);
	pthread_mutex_unlock(&st->lock);
	ab_buf_append(&body, ready,
	    metrics_ready_text(state_ready(st, timefmt_now_ms(), NULL, 0),
	        ready, sizeof(ready)));
	pthread_mutex_lock(&h->proc_lock);
	if (h->proc_ms == 0 || now - h->proc_ms >= AB_SELF_REFRESH) {
		h->proc_ms = now;
		ab_buf_reset(&h->proc);
		selfstat_metrics(&h->proc);
	}
	ab_buf_append(&body, h->proc.p, h->proc.len);
	pthread_mutex_unlock(&h->proc_lock);

	p = ab_buf_take(&body, &len);
	resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(p);
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
 * GET /readyz: 200 "ok" while rounds run on time, else 503 (RFC 9110
 * section 15.6.4) with the reason: a round overdue, or a run going on for
 * longer than its hang limit (metrics_ready). Evaluated per request.
 */
static enum MHD_Result
ep_readyz(struct hreq *q)
{
	struct MHD_Response *resp;
	char why[128], *body;
	size_t len;
	int ok;

	ok = state_ready(q->h->st, timefmt_now_ms(), why, sizeof(why));
	body = xasprintf("%s\n", why);
	len = strlen(body);
	resp =
	    MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	return send_response(q->c,
	    ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, resp);
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

/* Static files from the dashboard root, and /vendor/ from the vendor
 * directory when there is one (files.c resolves and opens them). */
static enum MHD_Result
ep_static(struct hreq *q)
{
	struct http *h = q->h;
	struct MHD_Response *resp;
	struct files_hit hit;

	if (strlen(q->url) > AB_PATH_MAX)
		return send_error(q->c, MHD_HTTP_URI_TOO_LONG,
		    "the path is longer than %d bytes", AB_PATH_MAX);
	if (h->files == NULL || files_open_url(h->files, q->url, &hit) == -1) {
		switch (h->files == NULL ? ENOENT : errno) {
		case ENOENT:
		case ENOTDIR:
			return send_error(q->c, MHD_HTTP_NOT_FOUND,
			    "not found");
		case EINVAL:
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
			log_warn("http: %s: %s", q->url, strerror(errno));
			return send_error(q->c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "cannot read the file");
		}
	}
	if (not_modified(q->c, hit.etag)) {
		close(hit.fd);
		return send_not_modified(q->c, hit.etag, hit.cache);
	}
	if ((resp = MHD_create_response_from_fd(hit.size, hit.fd)) == NULL) {
		close(hit.fd);
		return send_error(q->c, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "cannot read the file");
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, hit.mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, hit.etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, hit.cache);
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
    {"/readyz", "GET, HEAD", ep_readyz},
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

/* The connection record of c, or NULL. */
static struct conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* Marks k pending (waiting for a complete request) or not. */
static void
conn_set_pending(struct http *h, struct conn *k, int on)
{
	if (k == NULL || k->closing || k->pending == on)
		return;
	k->pending = on;
	if (on) {
		k->since_ms = log_now_ms();
		TAILQ_REMOVE(&h->conns, k, link);
		TAILQ_INSERT_TAIL(&h->conns, k, link);
		h->pending++;
	} else
		h->pending--;
}

/*
 * MHD calls this first with the headers, then with each piece of the body,
 * then once more with none left. Answers are queued on that last call:
 * MHD 0.9.75 closes the connection after a response queued on the first
 * one, which only a body announced too large deserves (RFC 9110 15.5.14).
 * A body is counted and dropped to its end, however long, so that a
 * chunked one too large still gets its 413 (a response cannot be queued in
 * between); the request deadline bounds how long that may take. Once an
 * answer is queued the connection is no longer pending.
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
		        len > AB_BODY_MAX)) {
			conn_set_pending(q.h, conn_of(c), 0);
			return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
			    "the request body is larger than %d bytes",
			    AB_BODY_MAX);
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		q.r->body += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	conn_set_pending(q.h, conn_of(c), 0);
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

/* A request is over: a kept-alive connection waits for the next one. */
static void
req_end(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn *k = conn_of(c);

	(void)toe;
	if (k != NULL && !k->pending) {
		k->served++;
		conn_set_pending(cls, k, 1);
	}
	free(*con_cls);
	*con_cls = NULL;
}

/*
 * Closes pending connection k: with answer, a 408 (RFC 9110 15.5.9) if it
 * never had a response, then shutdown(2), which MHD sees as the end of the
 * stream and closes on its next turn. The descriptor stays MHD's to close;
 * MHD runs in this same thread, so it is still open here.
 */
static void
conn_close(struct http *h, struct conn *k, const char *why, int answer)
{
	char msg[320];
	int n;

	if (answer && k->served == 0) {
		n = snprintf(msg, sizeof(msg),
		    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
		    "Content-Type: " AB_JSON "\r\nContent-Length: %zu\r\n\r\n"
		    "{\"error\":\"%s\"}",
		    strlen(why) + sizeof("{\"error\":\"\"}") - 1, why);
		if (n > 0 && (size_t)n < sizeof(msg))
			(void)send(k->fd, msg, (size_t)n,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	shutdown(k->fd, SHUT_RDWR);
	conn_set_pending(h, k, 0);
	k->closing = 1;
	if (answer)
		log_ratef(&h->conn_rate,
		    "http: closed a connection from %s: %s", k->addr, why);
	else
		log_debug("http: closed a connection from %s: %s", k->addr,
		    why);
}

/* Closes the oldest pending connections while they hold more than their
 * share of the slots, so a new client always finds one. */
static void
conns_evict(struct http *h)
{
	struct conn *k;

	while (h->pending > h->pending_max) {
		TAILQ_FOREACH(k, &h->conns, link)
			if (k->pending)
				break;
		if (k == NULL)
			return;
		conn_close(h, k, "too many incomplete requests", 1);
	}
}

/*
 * Closes the pending connections whose deadline has passed. Pending
 * connections are in the order they became pending, so the first one still
 * in time tells when the next deadline is: returns the milliseconds until
 * then, or -1 when nothing is pending.
 */
static int64_t
conns_expire(struct http *h, int64_t now)
{
	struct conn *k;
	int64_t left;

	TAILQ_FOREACH(k, &h->conns, link) {
		if (!k->pending)
			continue;
		left = k->since_ms + h->deadline_ms - now;
		if (left > 0)
			return left;
		conn_close(h, k, "no complete request in time", 1);
	}
	return -1;
}

/*
 * Closes the pending connections whose client has closed its side with
 * everything read: their request can never be complete. MHD finds such an
 * end by itself only when it arrives apart from the last bytes (its epoll
 * is edge-triggered), so each turn looks with a MSG_PEEK.
 */
static void
conns_check_eof(struct http *h)
{
	struct conn *k;
	char c;

	TAILQ_FOREACH(k, &h->conns, link)
		if (k->pending &&
		    recv(k->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
			conn_close(h, k, "the client closed its side", 0);
}

/* MHD_OPTION_NOTIFY_CONNECTION: keeps the connection records. */
static void
conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	struct http *h = cls;
	struct conn *k = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		k = xcalloc(1, sizeof(*k));
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		k->fd = ci != NULL ? ci->connect_fd : -1;
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		sa = ci != NULL ? ci->client_addr : NULL;
		if (sa != NULL && sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
			    &((const struct sockaddr_in *)(const void *)sa)
			         ->sin_addr,
			    k->addr, sizeof(k->addr));
		else if (sa != NULL && sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
			    &((const struct sockaddr_in6 *)(const void *)sa)
			         ->sin6_addr,
			    k->addr, sizeof(k->addr));
		else
			snprintf(k->addr, sizeof(k->addr), "?");
		k->since_ms = log_now_ms();
		k->pending = 1;
		TAILQ_INSERT_TAIL(&h->conns, k, link);
		h->pending++;
		*socket_context = k;
		conns_evict(h);
		return;
	}
	if (k == NULL)
		return;
	h->closed++;
	conn_set_pending(h, k, 0);
	TAILQ_REMOVE(&h->conns, k, link);
	free(k);
	*socket_context = NULL;
}

static int64_t
earlier(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/*
 * The server thread: waits on MHD's epoll descriptor and wake_fd, no
 * longer than MHD, the next request deadline or the next log summary
 * allow, and runs MHD; stops when wake_fd is written.
 */
static void *
serve(void *arg)
{
	struct http *h = arg;
	struct epoll_event ev[2];
	MHD_UNSIGNED_LONG_LONG mt;
	int64_t now, next;
	int n, i;

	for (;;) {
		now = log_now_ms();
		next = conns_expire(h, now);
		next = earlier(next, log_rate_flush(&h->mhd_rate, now, 0));
		next = earlier(next, log_rate_flush(&h->conn_rate, now, 0));
		/* At its connection limit MHD stops listening, and only the
		 * next MHD_run after a slot frees listens again: nothing would
		 * wake this thread for that, so run again at once. */
		if (h->closed > 0)
			next = 0;
		if (MHD_get_timeout(h->d, &mt) == MHD_YES)
			next =
			    earlier(next, mt > INT_MAX ? INT_MAX : (int64_t)mt);
		n = epoll_wait(h->ep, ev, 2,
		    next < 0             ? -1
		        : next > INT_MAX ? INT_MAX
		                         : (int)next);
		if (n == -1 && errno != EINTR) {
			log_err("http: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++)
			if (ev[i].data.fd == h->wake_fd)
				return NULL;
		h->closed = 0;
		MHD_run(h->d);
		conns_check_eof(h);
	}
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
	if (atomic_load(&h->starting)) {
		snprintf(h->start_err, sizeof(h->start_err), "%s", msg);
		log_warn("http: %s", msg);
	} else
		log_ratef(&h->mhd_rate, "http: %s", msg);
}

/*
 * Parses the listen address and opens the roots (no www_dir: no static
 * files; a missing vendor_dir is only logged), then starts MHD with every
 * limit set explicitly (zeros in o mean 32 connections, 16 per IP, 15 s
 * idle) and the thread that runs it. A request must be complete within
 * AB_REQUEST_DEADLINE, or the idle timeout if that is shorter.
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
	unsigned port, flags, max_conn, timeout_s;
	struct epoll_event ev;
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

	max_conn = o->max_connections ? o->max_connections : 32;
	timeout_s = o->timeout_s ? o->timeout_s : 15;
	h = xcalloc(1, sizeof(*h));
	h->st = st;
	h->ep = h->wake_fd = -1;
	TAILQ_INIT(&h->conns);
	h->pending_max = max_conn - max_conn / 4;
	h->deadline_ms = (int64_t)timeout_s * 1000 < AB_REQUEST_DEADLINE
	    ? (int64_t)timeout_s * 1000
	    : AB_REQUEST_DEADLINE;
	h->mhd_rate = (struct log_rate)LOG_RATE_INIT("http", LOG_PRIO_WARN,
	    AB_LOG_BURST, AB_LOG_PERIOD, AB_LOG_SUMMARY);
	h->conn_rate = h->mhd_rate;
	pthread_mutex_init(&h->proc_lock, NULL);
	if (o->www_dir != NULL && o->www_dir[0] != '\0' &&
	    (h->files = files_open(o->www_dir, err, errlen)) == NULL)
		goto fail;
	/* Chart.js may have been uninstalled since configure found it. */
	if (h->files != NULL && o->vendor_dir != NULL &&
	    o->vendor_dir[0] != '\0' &&
	    files_add_vendor(h->files, AB_VENDOR_PREFIX, o->vendor_dir, verr,
	        sizeof(verr)) == -1)
		log_warn("http: not serving %s: %s", AB_VENDOR_PREFIX, verr);
	if (o->api_token != NULL && o->api_token[0] != '\0') {
		h->token = xstrdup(o->api_token);
		h->token_len = strlen(h->token);
	}

	flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	atomic_store(&h->starting, 1);
	/* The logger goes first so MHD logs nothing to stderr by itself. */
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
	    MHD_OPTION_CONNECTION_LIMIT, max_conn,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)AB_BACKLOG,
	    MHD_OPTION_NOTIFY_CONNECTION, conn_notify, h,
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
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, errlen,
		    "cannot start the HTTP server: no epoll "
		    "descriptor");
		goto fail;
	}
	if ((h->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		goto fail_errno;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = info->epoll_fd;
	if (epoll_ctl(h->ep, EPOLL_CTL_ADD, info->epoll_fd, &ev) == -1)
		goto fail_errno;
	ev.data.fd = h->wake_fd;
	if (epoll_ctl(h->ep, EPOLL_CTL_ADD, h->wake_fd, &ev) == -1)
		goto fail_errno;
	if ((errno = pthread_create(&h->thread, NULL, serve, h)) != 0)
		goto fail_errno;
	h->thread_started = 1;
	return h;
fail_errno:
	snprintf(err, errlen, "cannot start the HTTP server: %s",
	    strerror(errno));
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

/* Stops the server thread and MHD, closes the roots and frees h. */
void
http_stop(struct http *h)
{
	uint64_t one = 1;
	struct conn *k;

	if (h == NULL)
		return;
	if (h->thread_started) {
		if (write(h->wake_fd, &one, sizeof(one)) != sizeof(one))
			log_err("http: cannot wake the server thread: %s",
			    strerror(errno));
		pthread_join(h->thread, NULL);
	}
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	while ((k = TAILQ_FIRST(&h->conns)) != NULL) {
		TAILQ_REMOVE(&h->conns, k, link);
		free(k);
	}
	log_rate_flush(&h->mhd_rate, log_now_ms(), 1);
	log_rate_flush(&h->conn_rate, log_now_ms(), 1);
	if (h->ep != -1)
		close(h->ep);
	if (h->wake_fd != -1)
		close(h->wake_fd);
	files_close(h->files);
	free(h->token);
	pthread_mutex_destroy(&h->proc_lock);
	ab_buf_free(&h->proc);
	free(h);
}
