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

#endif
