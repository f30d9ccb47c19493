/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server (libmicrohttpd, one internal epoll thread): the JSON API,
 * Prometheus /metrics, /healthz, POST /api/v1/rounds and the static
 * dashboard. One function per endpoint; every error is a JSON body
 * {"error": "..."} with the status RFC 9110 prescribes.
 */
#ifndef AB_HTTP_H
#define AB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

struct http_opts {
	const char *listen;     /* "ADDR:PORT"; port 0 picks a free port */
	const char *www_dir;    /* static files root */
	const char *vendor_dir; /* served under /vendor/; NULL = none */
	const char *api_token;  /* NULL: POST /api/v1/rounds answers 403 */
	unsigned max_connections;
	unsigned max_per_ip;
	unsigned timeout_s;
};

struct http;

/*
 * Starts listening and serving st. Returns the server (free with
 * http_stop), or NULL with the reason in err (bad address, port in use).
 */
struct http *http_start(const struct http_opts *o, struct state *st, char *err,
    size_t errlen);

/* The port actually bound (useful with port 0). */
unsigned http_port(const struct http *h);

/* Stops the server and frees it; NULL is a no-op. */
void http_stop(struct http *h);

/*
 * The query of GET /api/v1/runs, taken pair by pair as libmicrohttpd
 * decodes it: variant=ID, since=T (RFC 3339 or unix seconds), limit=N
 * (1 to 10,000, default 100). Zero the struct, give each pair to
 * http_runs_arg, then call http_runs_check. No I/O: the fuzz target
 * drives it directly.
 */
enum http_runs_param {
	HTTP_RUNS_VARIANT,
	HTTP_RUNS_SINCE,
	HTTP_RUNS_LIMIT,
	HTTP_RUNS_NPARAMS
};

struct http_runs_query {
	const char
	    *v[HTTP_RUNS_NPARAMS]; /* the caller's strings; NULL: absent */
	int64_t since_ms;          /* set by http_runs_check */
	long limit;                /* set by http_runs_check */
	char err[256];             /* why the answer is 400, or "" */
};

/*
 * Records one pair (value NULL for a key without '='). Returns 0, or -1
 * with the reason in rq->err for an unknown, repeated or empty parameter.
 */
int http_runs_arg(struct http_runs_query *rq, const char *key,
    const char *value);

/*
 * Parses limit and since into rq->limit and rq->since_ms. Returns 0, or -1
 * with the reason in rq->err (also when an earlier http_runs_arg failed).
 */
int http_runs_check(struct http_runs_query *rq);

#endif
