/* SPDX-License-Identifier: MIT */
/*
 * The state shared by the scheduler and the HTTP thread: its life cycle,
 * the published snapshot (the summary text with its ETag and /metrics, all
 * derived from one summary tree) rebuilt after every change, and the HTTP
 * thread's request for a round, which wakes the scheduler through a pipe.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fingerprint.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "state.h"
#include "stats.h"
#include "timefmt.h"
#include "xmalloc.h"

/* Zeroes s, creates its mutex and marks it as having no wake-up pipe. */
void
state_init(struct state *s, const char *version, int64_t now_ms)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->version = version;
	s->started_ms = now_ms;
	s->wake_fd = -1;
	s->ropts.margin = AB_MARGIN_DEFAULT;
	s->ropts.looks = AB_LOOKS_DEFAULT;
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

/* Whether results reach the disk; a memory-only store has nothing to lose
 * unless it recorded an error. */
static int
persist_ok(const struct store *s)
{
	return s->persist_ok || (s->dir == NULL && s->persist_err[0] == '\0');
}

/* Copies what the status document needs; persist_error points into the
 * store. */
void
state_daemon(const struct state *s, struct render_daemon *d)
{
	memset(d, 0, sizeof(*d));
	d->version = s->version;
	d->started_ms = s->started_ms;
	d->running = s->running;
	d->current = s->current;
	d->next_round_ms = s->next_round_ms;
	d->updated_ms = s->updated_ms;
	d->rounds_completed = s->rounds_completed;
	if (s->store != NULL) {
		d->has_store = 1;
		d->persist_ok = persist_ok(s->store);
		d->persist_error = s->store->persist_err;
		d->history_runs = s->store->nruns;
		d->history_skipped = s->store->skipped;
		d->history_newer = s->store->newer;
	}
	d->host = s->host;
	d->reading = s->reading;
}

/*
 * Library identities for allocbench_variant_info: the environment
 * fingerprint of each available variant's newest run that has one, else
 * the catalogue's library path. The caller frees *fps and the result with
 * free(3); strings point into *fps and the catalogue.
 */
static struct metrics_variant *
variant_idents(const struct state *s, struct fingerprint **fps)
{
	const struct catalog *c = s->catalog;
	struct metrics_variant *mv;
	struct fingerprint *fp;
	size_t i, j, left = 0;
	char err[128];
	int *done;

	mv = xcalloc(c->nvariants + 1, sizeof(*mv));
	fp = xcalloc(c->nvariants + 1, sizeof(*fp));
	done = xcalloc(c->nvariants + 1, sizeof(*done));
	for (i = 0; i < c->nvariants; i++) {
		const struct variant *v = &c->variants[i];

		mv[i].interpreter = c->interps[v->interp].name;
		mv[i].allocator = c->allocs[v->alloc].name;
		mv[i].library = c->allocs[v->alloc].library;
		/* an unavailable variant runs no more: it would only make
		 * every publish walk the whole history for it */
		if (v->available)
			left++;
		else
			done[i] = 1;
	}
	for (j = s->store->nruns; j > 0 && left > 0; j--) {
		const struct run *r = &s->store->runs[j - 1];
		cJSON *env;

		if (r->env == NULL)
			continue;
		for (i = 0; i < c->nvariants; i++)
			if (!done[i] &&
			    strcmp(c->variants[i].id, r->variant) == 0)
				break;
		if (i == c->nvariants)
			continue;
		done[i] = 1;
		left--;
		env = cJSON_Parse(r->env);
		if (env != NULL &&
		    fingerprint_from_json(env, &fp[i], err, sizeof(err)) == 0) {
			if (fp[i].alloc_path[0] != '\0')
				mv[i].library = fp[i].alloc_path;
			mv[i].lib_id = fp[i].alloc_id;
			mv[i].libc = fp[i].libc;
		}
		cJSON_Delete(env);
	}
	free(done);
	*fps = fp;
	return mv;
}

/* Fills d for metrics_render from s; readiness is left out (-1), since it
 * depends on the time of the scrape. */
static void
metrics_daemon_of(const struct state *s, struct metrics_daemon *d)
{
	memset(d, 0, sizeof(*d));
	d->version = s->version;
	d->host = s->host;
	d->reading = s->reading;
	d->runs_started = s->runs_started;
	memcpy(d->runs_finished, s->runs_finished, sizeof(d->runs_finished));
	memcpy(d->runs_flagged, s->runs_flagged, sizeof(d->runs_flagged));
	d->rounds_completed = s->rounds_completed;
	d->interval_s = s->interval_s;
	d->last_round_ms = s->last_round_ms;
	d->next_round_ms = s->next_round_ms;
	d->ready = -1;
	d->has_store = 1;
	d->persist_ok = persist_ok(s->store);
	d->history_runs = s->store->nruns;
}

/*
 * One snapshot per change: the summary tree is built once, and its text,
 * its ETag and /metrics are all derived from that tree here, so /metrics
 * can never lag the summary. The summary gets a strong validator (RFC 9110
 * section 8.8.3): the hash of the body changes whenever the body does.
 * generated_at is the time of the results, not of this call, so the body
 * and its ETag change only when the results do. Rendering runs the
 * statistics for every variant, so it happens outside the lock: only this
 * thread changes what it reads.
 */
void
state_publish(struct state *s)
{
	char ts[AB_RFC3339_LEN], etag[sizeof(s->summary_etag)];
	char *summary, *metrics, *old_s, *old_m;
	size_t summary_len, metrics_len;
	struct metrics_daemon md;
	struct metrics_variant *mv;
	struct fingerprint *fps;
	cJSON *doc;

	if (s->catalog == NULL || s->store == NULL)
		return;
	doc = render_summary(s->catalog, s->store, &s->host, &s->ropts,
	    s->updated_ms != 0 ? s->updated_ms : s->started_ms);
	if (s->updated_ms != 0 &&
	    timefmt_rfc3339(s->updated_ms, ts, sizeof(ts)) == 0)
		cJSON_AddStringToObject(doc, "updated_at", ts);
	else
		cJSON_AddNullToObject(doc, "updated_at");
	summary = cJSON_PrintUnformatted(doc);
	if (summary == NULL) {
		log_err("out of memory printing the summary");
		abort();
	}
	summary_len = strlen(summary);
	snprintf(etag, sizeof(etag), "\"%016" PRIx64 "\"",
	    fnv1a64(summary, summary_len));
	/* the counters change only in this thread, so no lock is needed */
	metrics_daemon_of(s, &md);
	mv = variant_idents(s, &fps);
	md.variants = mv;
	md.nvariants = s->catalog->nvariants;
	metrics = metrics_render(doc, &md, &metrics_len);
	free(mv);
	free(fps);
	cJSON_Delete(doc);

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

/* Copies the schedule under the lock and applies the rule to it. */
int
state_ready(struct state *s, int64_t now_ms, char *why, size_t whylen)
{
	struct metrics_schedule sc;

	pthread_mutex_lock(&s->lock);
	sc.interval_s = s->interval_s;
	sc.next_round_ms = s->next_round_ms;
	sc.running = s->running;
	sc.run_started_ms = s->run_started_ms;
	sc.hang_s = s->hang_s;
	pthread_mutex_unlock(&s->lock);
	return metrics_ready(&sc, now_ms, why, whylen);
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
