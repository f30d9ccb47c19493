/* SPDX-License-Identifier: MIT */
/*
 * allocbenchd --once: a one-off comparison in the foreground. It measures
 * every variant of the configuration, prints the table (or the summary
 * document with --json) and tells by its exit status whether every
 * interpreter's baseline produced verified runs. Nothing is written to
 * disk. Progress goes to stderr when that is a terminal, or as log lines
 * with --verbose.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "host.h"
#include "hostmon.h"
#include "log.h"
#include "once.h"
#include "render.h"
#include "rounds.h"
#include "store.h"
#include "timefmt.h"

static void
fmt_elapsed(double s, char *buf, size_t len)
{
	long t = (long)s;

	snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* Progress on a terminal: one line rewritten in place. */
static void
progress_tty(void *arg, const struct rounds_progress *p)
{
	char el[32];

	(void)arg;
	fmt_elapsed(p->elapsed_s, el, sizeof(el));
	if (p->result == NULL)
		fprintf(stderr, "\r\033[K[%zu/%zu] %s%s  elapsed %s", p->index,
		    p->total, p->variant, p->warmup ? " (warm-up)" : "", el);
	else
		fprintf(stderr, "\r\033[K[%zu/%zu] %s%s  %.3f s %s  elapsed %s",
		    p->index, p->total, p->variant,
		    p->warmup ? " (warm-up)" : "", p->result->wall_s,
		    run_status_name(p->result->status), el);
	if (p->result != NULL && p->index == p->total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Progress under --verbose when stderr is not a terminal: a log line. */
static void
progress_log(void *arg, const struct rounds_progress *p)
{
	(void)arg;
	if (p->result != NULL)
		log_debug("run %zu/%zu %s%s: %s, %.3f s", p->index, p->total,
		    p->variant, p->warmup ? " (warm-up)" : "",
		    run_status_name(p->result->status), p->result->wall_s);
}

/* 0 when every interpreter's baseline has at least one verified run. */
static int
baseline_verified(const cJSON *doc)
{
	const cJSON *v, *runs;
	int seen = 0;

	cJSON_ArrayForEach(v,
	    cJSON_GetObjectItemCaseSensitive(doc, "variants")) {
		const cJSON *al =
		    cJSON_GetObjectItemCaseSensitive(v, "allocator");

		if (!cJSON_IsString(al) || strcmp(al->valuestring, AB_BASELINE))
			continue;
		seen++;
		runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
		if (cJSON_GetObjectItemCaseSensitive(runs, "ok")->valuedouble <
		    1)
			return -1;
	}
	return seen > 0 ? 0 : -1;
}

int
once_run(const struct conf *c, const struct once_opts *o)
{
	struct rounds_opts ro = {
	    .runs = o->runs,
	    .warmup = c->warmup,
	    .iterations = c->iterations,
	    .timeout_s = c->timeout_s,
	    .workload = o->workload,
	    .cancel = o->cancel,
	    .host_root = c->host_root,
	    .vcgencmd = hostmon_vcgencmd(),
	    .max_load = 0,
	};
	struct host_info host;
	struct catalog cat;
	struct store st;
	char err[256];
	cJSON *doc;
	char *text;
	int rc, status;

	if (access(o->workload, R_OK) == -1) {
		log_err("workload %s: %s", o->workload, strerror(errno));
		return 1;
	}
	if (isatty(STDERR_FILENO))
		ro.progress = progress_tty;
	else if (o->verbose)
		ro.progress = progress_log;
	if (catalog_from_conf(&cat, c, err, sizeof(err)) == -1)
		log_err("%s", err);
	store_init(&st);
	host_read(&host, c->host_root);

	rc = rounds_run(&cat, &ro, &st, err, sizeof(err));
	if (rc == -1)
		log_err("measurement stopped: %s", err);

	doc = render_summary(&cat, &st, &host, 0, c->iterations,
	    c->include_flagged, timefmt_now_ms());
	if (o->json) {
		text = cJSON_Print(doc);
		puts(text);
		cJSON_free(text);
	} else
		render_table(stdout, doc);
	status = (rc == 0 && baseline_verified(doc) == 0) ? 0 : 1;
	if (rc == 0 && status != 0)
		log_err("the baseline produced no verified run");
	cJSON_Delete(doc);
	store_free(&st);
	catalog_free(&cat);
	if (fflush(stdout) == EOF) {
		log_err("stdout: %s", strerror(errno));
		status = 1;
	}
	return status;
}
