/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the query string of GET /api/v1/runs. The bytes
 * are the text after '?'; they are split and decoded the way
 * libmicrohttpd hands GET arguments to the server ('&' between pairs, the
 * first '=' between key and value, '+' as a space, then
 * MHD_http_unescape), and each pair goes to http_runs_arg until one is
 * refused, then http_runs_check. Accepted queries must give a limit and a
 * since within the documented ranges; refused ones a reason.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* -0001-01-01 to 10000-01-01 in ms: the widest RFC 3339 offsets. */
#define SINCE_MIN (-62167219200000LL - 86400000LL)
#define SINCE_MAX (253402300799999LL + 86400000LL)

static void
check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_query: %s: %.300s\n", what, detail);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_runs_query rq;
	char *text, *pair, *next, *eq, *p;
	int rc = 0;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* a NUL ends the request target, as on the wire */
	for (p = text; *p != '\0'; p++)
		if (*p == '+')
			*p = ' ';
	memset(&rq, 0, sizeof(rq));
	for (pair = text; pair != NULL && *pair != '\0' && rc == 0;
	     pair = next) {
		if ((next = strchr(pair, '&')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(pair, '=')) != NULL) {
			*eq++ = '\0';
			MHD_http_unescape(eq);
		}
		MHD_http_unescape(pair);
		rc = http_runs_arg(&rq, pair, eq);
		check(rc == 0 || rq.err[0] != '\0', "refused a pair silently",
		    pair);
	}
	rc = http_runs_check(&rq);
	check(strlen(rq.err) < sizeof(rq.err), "err not terminated", "");
	if (rc == 0) {
		check(rq.err[0] == '\0', "accepted with an error", rq.err);
		check(rq.limit >= 1 && rq.limit <= 10000, "limit out of range",
		    rq.v[HTTP_RUNS_LIMIT] ? rq.v[HTTP_RUNS_LIMIT] : "(none)");
		check(rq.v[HTTP_RUNS_SINCE] != NULL || rq.since_ms == 0,
		    "since without since", "");
		check(rq.since_ms >= SINCE_MIN && rq.since_ms <= SINCE_MAX,
		    "since out of range", rq.v[HTTP_RUNS_SINCE]);
		check(rq.v[HTTP_RUNS_VARIANT] == NULL ||
		        rq.v[HTTP_RUNS_VARIANT][0] != '\0',
		    "empty variant accepted", "");
	} else
		check(rc == -1 && rq.err[0] != '\0', "refused without a reason",
		    "");
	free(text);
	return 0;
}
