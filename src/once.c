/* SPDX-License-Identifier: MIT */
/*
 * allocbenchd --once: a one-off comparison in the foreground. It measures
 * rounds of every variant of the configuration until every comparison is
 * decided (faster, slower or equivalent), --max-runs rounds or --max-time
 * seconds, or exactly --runs rounds; prints the table (or the summary
 * document with --json) with the rounds and time it took; and tells by its
 * exit status whether every interpreter's baseline produced verified runs.
 * An adaptive session keeps, for each comparison, the verdict of the first
 * round that decided it, as a sequential test must; a fixed --runs session
 * looks once, at the end. Nothing is written to disk. Progress goes to stderr
 * when that is a terminal, or as log lines with --verbose.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "compare.h"
#include "host.h"
#include "hostmon.h"
#include "jsonr.h"
#include "log.h"
#include "once.h"
#include "render.h"
#include "rounds.h"
#include "store.h"
#include "timefmt.h"
#include "xmalloc.h"

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
	const struct run *r = p->result;
	char flags[64] = "", runq[32] = "unknown";
	size_t i;

	(void)arg;
	if (r == NULL)
		return;
	for (i = 0; i < RUN_NFLAGS; i++)
		if (r->flags & run_flags[i].bit)
			snprintf(flags + strlen(flags),
			    sizeof(flags) - strlen(flags), " %s",
			    run_flags[i].name);
	if (isfinite(r->runq_s) && r->wall_s > 0)
		snprintf(runq, sizeof(runq), "%.1f%%",
		    100.0 * r->runq_s / r->wall_s);
	log_debug("run %zu/%zu %s%s: %s, %.6f s wall, %.6f s cpu, "
	          "run-queue %s, flags:%s",
	    p->index, p->total, p->variant, p->warmup ? " (warm-up)" : "",
	    run_status_name(r->status), r->wall_s, r->user_s + r->sys_s, runq,
	    flags[0] ? flags : " none");
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

/* What the adaptive session keeps between rounds. */
struct session {
	const struct catalog *cat;
	const struct store *st;
	struct compare_opts co;
	struct comparison *frozen; /* per variant, the deciding look */
	long *decided_after;       /* rounds at that look; 0: undecided */
	long rounds;               /* measured rounds so far */
	double t0;                 /* timefmt_mono_s() at the start */
	double max_time;           /* seconds; 0: no limit */
	int fixed;                 /* --runs: never stop early */
	int all_decided;
	int out_of_time;
};

static int
decided(enum stats_verdict v)
{
	return v == STATS_FASTER || v == STATS_SLOWER || v == STATS_EQUIVALENT;
}

/*
 * After each measured round of an adaptive session: judges every
 * comparison of an available variant as the summary would, freezes each
 * one at the first look that decides it (a sequential test stops there),
 * and stops the session once all are decided or the time is up. A fixed
 * session only counts its rounds.
 */
static int
round_done(void *arg, int64_t round)
{
	struct session *s = arg;
	struct comparison *cmp;
	size_t i;
	int open = 0;

	(void)round;
	s->rounds++;
	/* a fixed count has one look, at the end: render_summary's */
	if (s->fixed)
		return 0;
	cmp = compare_all(s->cat, s->st, &s->co);
	for (i = 0; i < s->cat->nvariants; i++) {
		/* a pair that never runs cannot hold the session open */
		if (cmp[i].base == NULL || !cmp[i].v->available ||
		    !cmp[i].base->available || s->decided_after[i] != 0)
			continue;
		if (decided(cmp[i].res.verdict)) {
			s->frozen[i] = cmp[i];
			s->decided_after[i] = s->rounds;
		} else
			open = 1;
	}
	free(cmp);
	s->all_decided = !open;
	s->out_of_time =
	    s->max_time > 0 && timefmt_mono_s() - s->t0 >= s->max_time;
	return s->all_decided || s->out_of_time;
}

/*
 * Puts the frozen comparisons into the summary and says how the session
 * went: rounds, device time, and why it stopped.
 */
static void
session_json(cJSON *doc, const struct session *s, int rc)
{
	cJSON *vars = cJSON_GetObjectItemCaseSensitive(doc, "variants"), *v;
	cJSON *o = cJSON_AddObjectToObject(doc, "session");
	size_t i = 0;
	const char *why;

	cJSON_ArrayForEach(v, vars) {
		cJSON *cmp = cJSON_GetObjectItemCaseSensitive(v, "comparison");

		if (s->decided_after[i] != 0 && cJSON_IsObject(cmp)) {
			cmp = render_comparison(&s->frozen[i], s->co.margin,
			    s->co.looks);
			cJSON_ReplaceItemInObjectCaseSensitive(v, "comparison",
			    cmp);
		}
		if (cJSON_IsObject(cmp)) {
			if (s->decided_after[i] != 0)
				cJSON_AddNumberToObject(cmp, "decided_after",
				    (double)s->decided_after[i]);
			else
				cJSON_AddNullToObject(cmp, "decided_after");
		}
		i++;
	}
	why = rc != 0        ? "cancelled"
	    : s->fixed       ? "runs"
	    : s->all_decided ? "decided"
	    : s->out_of_time ? "max_time"
	                     : "max_runs";
	cJSON_AddNumberToObject(o, "rounds", (double)s->rounds);
	cJSON_AddNumberToObject(o, "device_time_s",
	    round((timefmt_mono_s() - s->t0) * 1000) / 1000);
	cJSON_AddStringToObject(o, "stopped", why);
}

int
once_run(const struct conf *c, const struct once_opts *o)
{
	struct rounds_opts ro = {
	    .runs = o->runs > 0 ? o->runs : o->max_runs,
	    .warmup = c->warmup,
	    .iterations = c->iterations,
	    .timeout_s = c->timeout_s,
	    .workload = o->workload,
	    .cancel = o->cancel,
	    .host_root = c->host_root,
	    .vcgencmd = hostmon_vcgencmd(),
	    .max_load = c->max_load,
	    .max_runq = c->max_runq,
	    .round_done = round_done,
	};
	struct render_opts rop = {
	    .window = 0,
	    .iterations = c->iterations,
	    .include_flagged = c->include_flagged,
	    .margin = c->margin,
	    .looks = o->runs > 0 ? 0 : (size_t)o->max_runs,
	};
	struct session ss;
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
	memset(&ss, 0, sizeof(ss));
	ss.cat = &cat;
	ss.st = &st;
	ss.co = (struct compare_opts){0, rop.iterations, rop.include_flagged,
	    rop.margin, rop.looks};
	ss.frozen =
	    xcalloc(cat.nvariants ? cat.nvariants : 1, sizeof(*ss.frozen));
	ss.decided_after = xcalloc(cat.nvariants ? cat.nvariants : 1,
	    sizeof(*ss.decided_after));
	ss.t0 = timefmt_mono_s();
	ss.max_time = o->max_time;
	ss.fixed = o->runs > 0;
	ro.arg = &ss;
	if (ro.progress != NULL)
		ro.arg = &ss; /* the progress callbacks ignore their arg */

	rc = rounds_run(&cat, &ro, &st, err, sizeof(err));
	if (rc == -1)
		log_err("measurement stopped: %s", err);

	doc = render_summary(&cat, &st, &host, &rop, timefmt_now_ms());
	session_json(doc, &ss, rc);
	if (o->json) {
		text = cJSON_Print(doc);
		puts(text);
		cJSON_free(text);
	} else {
		render_table(stdout, doc);
		printf("%ld rounds in %.1f s (%s)\n", ss.rounds,
		    timefmt_mono_s() - ss.t0,
		    jsonr_str(cJSON_GetObjectItemCaseSensitive(doc, "session"),
		        "stopped"));
	}
	status = (rc == 0 && baseline_verified(doc) == 0) ? 0 : 1;
	if (rc == 0 && status != 0)
		log_err("the baseline produced no verified run");
	cJSON_Delete(doc);
	store_free(&st);
	catalog_free(&cat);
	free(ss.frozen);
	free(ss.decided_after);
	if (fflush(stdout) == EOF) {
		log_err("stdout: %s", strerror(errno));
		status = 1;
	}
	return status;
}
