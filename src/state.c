/* SPDX-License-Identifier: MIT */
/*
 * The state shared by the scheduler and the HTTP thread: its life cycle,
 * the prepared documents (the summary with its ETag and the results part of
 * /metrics) rebuilt after every change, and the HTTP thread's request for a
 * round, which wakes the scheduler through a pipe.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "render.h"
#include "state.h"

/* Zeroes s, creates its mutex and marks it as having no wake-up pipe. */
void
state_init(struct state *s, const char *version, int64_t now_ms)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->version = version;
	s->started_ms = now_ms;
	s->wake_fd = -1;
}

/* 64-bit FNV-1a (Fowler, Noll, Vo) of buf[0..len). */
static uint64_t
fnv1a64(const char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)buf[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * The summary gets a strong validator (RFC 9110 8.8.3): its bytes change
 * whenever the document does, so the hash of the body identifies it.
 */
void
state_publish(struct state *s, int64_t now_ms)
{
	char ts[40], etag[sizeof(s->summary_etag)], *summary, *metrics, *old_s;
	char *old_m;
	size_t summary_len, metrics_len;
	cJSON *doc;

	if (s->catalog == NULL || s->store == NULL)
		return;
	/*
	 * generated_at is the time of the results, not of this call, so the
	 * body and its ETag change only when the results do. Rendering runs
	 * the bootstrap for every variant, so it happens outside the lock:
	 * only this thread changes what it reads.
	 */
	(void)now_ms;
	doc = render_summary(s->catalog, s->store, &s->host, s->window,
	    s->iterations, s->include_flagged,
	    s->updated_ms != 0 ? s->updated_ms : s->started_ms);
	if (s->updated_ms != 0) {
		render_rfc3339(s->updated_ms, ts, sizeof(ts));
		cJSON_AddStringToObject(doc, "updated_at", ts);
	} else
		cJSON_AddNullToObject(doc, "updated_at");
	summary = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (summary == NULL) {
		log_err("out of memory printing the summary");
		abort();
	}
	summary_len = strlen(summary);
	snprintf(etag, sizeof(etag), "\"%016" PRIx64 "\"",
	    fnv1a64(summary, summary_len));
	metrics = render_metrics(s, &metrics_len);

	pthread_mutex_lock(&s->lock);
	old_s = s->summary;
	old_m = s->metrics;
	s->summary = summary;
	s->summary_len = summary_len;
	memcpy(s->summary_etag, etag, sizeof(etag));
	s->metrics = metrics;
	s->metrics_len = metrics_len;
	pthread_mutex_unlock(&s->lock);
	cJSON_free(old_s);
	free(old_m);
}

/*
 * Sets round_requested and writes one byte to wake_fd (which should be
 * non-blocking: the write happens under the lock) unless a round is
 * running, in which case nothing changes and -1 tells the caller to answer
 * 409.
 */
int
state_request_round(struct state *s)
{
	const char b = 'r';
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (s->running)
		rc = -1;
	else {
		s->round_requested = 1;
		/* A full pipe already holds a wake-up; nothing is lost. */
		if (s->wake_fd >= 0)
			while (write(s->wake_fd, &b, 1) == -1 && errno == EINTR)
				;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Frees the prepared documents and destroys the mutex; the store and the
 * catalogue belong to the scheduler. */
void
state_free(struct state *s)
{
	cJSON_free(s->summary);
	free(s->metrics);
	s->summary = s->metrics = NULL;
	s->summary_len = s->metrics_len = 0;
	pthread_mutex_destroy(&s->lock);
}
