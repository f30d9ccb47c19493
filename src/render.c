/* SPDX-License-Identifier: MIT */
/*
 * The summary document and the table printed from it. The document is the
 * contract served by --once --json and the HTTP API: per variant, the run
 * counts by status, descriptive statistics of wall, user and system time
 * and peak RSS over the verified runs, phase medians, the observed malloc
 * provider and the speedup against the baseline of the same interpreter.
 * Unverified, failed and timed-out runs are counted but never enter the
 * statistics.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "compare.h"
#include "fingerprint.h"
#include "hostmon.h"
#include "jsonr.h"
#include "num.h"
#include "render.h"
#include "rundoc.h"
#include "stats.h"
#include "timefmt.h"
#include "xmalloc.h"

enum metric { M_WALL, M_USER, M_SYS, M_RSS, M_N };

static const char *const metric_keys[M_N] = {"wall_s", "user_s", "sys_s",
    "maxrss_kb"};

static double
metric_of(const struct run *r, enum metric m)
{
	switch (m) {
	case M_WALL:
		return r->wall_s;
	case M_USER:
		return r->user_s;
	case M_SYS:
		return r->sys_s;
	default:
		return (double)r->maxrss_kb;
	}
}

/* Adds an RFC 3339 timestamp, or null for 0 (never) and unformattable
 * times. */
static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	char ts[AB_RFC3339_LEN];

	if (ms != 0 && timefmt_rfc3339(ms, ts, sizeof(ts)) == 0)
		cJSON_AddStringToObject(o, key, ts);
	else
		cJSON_AddNullToObject(o, key);
}

/*
 * A number item with the shortest text that reads back exactly (num.c), or
 * null when it is not finite. It is a raw item because cJSON 1.7 prints a
 * 15-digit form that is only "close" to some doubles, and /metrics, which
 * reads the same tree, must show the summary's numbers bit for bit; read it
 * back with jsonr_num.
 */
static cJSON *
num_item(double v)
{
	char buf[AB_NUM_TEXT];

	if (!isfinite(v))
		return cJSON_CreateNull();
	num_format_double(v, buf, sizeof(buf));
	return cJSON_CreateRaw(buf);
}

/* Adds a number, or null when it is not finite. */
static void
add_num(cJSON *o, const char *key, double v)
{
	cJSON_AddItemToObject(o, key, num_item(v));
}

static void
add_str(cJSON *o, const char *key, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *
pair(double lo, double hi)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToArray(a, num_item(lo));
	cJSON_AddItemToArray(a, num_item(hi));
	return a;
}

static cJSON *
desc_json(const double *x, size_t n)
{
	struct stats_desc d;
	cJSON *o;

	if (stats_describe(x, n, &d) == -1)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", (double)d.n);
	add_num(o, "median", d.median);
	add_num(o, "mean", d.mean);
	add_num(o, "stdev", d.stdev);
	add_num(o, "min", d.min);
	add_num(o, "max", d.max);
	if (d.has_ci)
		cJSON_AddItemToObject(o, "ci95", pair(d.ci_lo, d.ci_hi));
	else
		cJSON_AddNullToObject(o, "ci95");
	return o;
}

/* exp(x) as a number item, or null. */
static cJSON *
ratio_item(double x)
{
	return num_item(isfinite(x) ? exp(x) : NAN);
}

/*
 * The comparison object of a variant with a baseline: the verdict in
 * words, and from AB_MIN_PAIRS pairs on the speedup exp(HL estimate), its
 * interval at the level the procedure tested it at, the raw and
 * Holm-adjusted p, and the smallest difference the data could detect.
 */
cJSON *
render_comparison(const struct comparison *k, double margin, size_t looks)
{
	const struct stats_paired *r = &k->res;
	int collecting = r->verdict == STATS_COLLECTING;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "baseline", k->base->id);
	cJSON_AddNumberToObject(o, "pairs", (double)k->pairs);
	cJSON_AddNumberToObject(o, "min_pairs", AB_MIN_PAIRS);
	cJSON_AddStringToObject(o, "verdict", stats_verdict_str(r->verdict));
	cJSON_AddItemToObject(o, "speedup", ratio_item(r->estimate));
	if (collecting || !isfinite(r->lo) || !isfinite(r->hi))
		cJSON_AddNullToObject(o, "ci");
	else
		cJSON_AddItemToObject(o, "ci", pair(exp(r->lo), exp(r->hi)));
	add_num(o, "ci_level", collecting ? NAN : 1 - k->level);
	add_num(o, "p_value", r->p);
	add_num(o, "p_adjusted", k->p_adj);
	add_num(o, "alpha", k->level);
	cJSON_AddBoolToObject(o, "significant",
	    r->verdict == STATS_FASTER || r->verdict == STATS_SLOWER);
	if (collecting || !isfinite(r->eq_lo) || !isfinite(r->eq_hi))
		cJSON_AddNullToObject(o, "equivalence_ci");
	else
		cJSON_AddItemToObject(o, "equivalence_ci",
		    pair(exp(r->eq_lo), exp(r->eq_hi)));
	add_num(o, "detectable",
	    isfinite(r->detectable) ? exp(r->detectable) - 1 : NAN);
	add_num(o, "margin", margin);
	cJSON_AddNumberToObject(o, "looks", (double)looks);
	add_str(o, "segment", k->segment);
	return o;
}

/*
 * Why verified runs of the current segment were left out: per flag, how
 * many, and the range of what was measured (the run-queue delay as a
 * fraction of wall time, the load at the start).
 */
static cJSON *
excluded_json(const struct store *s, const char *id, const char *segment,
    long iterations)
{
	struct store_filter f = {iterations, 1, segment};
	const struct run **runs = NULL;
	cJSON *o = cJSON_CreateObject(), *e;
	size_t n = store_ok_runs(s, id, &f, 0, &runs), i, j, cnt;
	double lo, hi, v;

	for (j = 0; j < RUN_NFLAGS; j++) {
		cnt = 0;
		lo = INFINITY;
		hi = -INFINITY;
		for (i = 0; i < n; i++) {
			const struct run *r = runs[i];

			if (!(r->flags & run_flags[j].bit))
				continue;
			cnt++;
			v = NAN;
			if (run_flags[j].bit == RUN_FLAG_CONTENDED &&
			    r->wall_s > 0)
				v = r->runq_s / r->wall_s;
			else if (run_flags[j].bit == RUN_FLAG_LOADED)
				v = r->before.load1;
			if (isfinite(v)) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
		if (cnt == 0)
			continue;
		e = cJSON_AddObjectToObject(o, run_flags[j].name);
		cJSON_AddNumberToObject(e, "runs", (double)cnt);
		if (isfinite(lo))
			cJSON_AddItemToObject(e, "range", pair(lo, hi));
		else
			cJSON_AddNullToObject(e, "range");
	}
	free(runs);
	return o;
}

/*
 * The environment segments of a variant, oldest first: each distinct
 * fingerprint in a run of consecutive verified runs, with its first and
 * last run, its number of runs and what changed from the one before.
 */
static cJSON *
segments_json(const struct store *s, const char *id)
{
	struct store_filter f = {0, 1, NULL};
	const struct run **runs = NULL, *prev = NULL;
	struct fingerprint a, b;
	cJSON *arr = cJSON_CreateArray(), *o = NULL, *ja, *jb;
	size_t n = store_ok_runs(s, id, &f, 0, &runs), i, cnt = 0;
	char what[512], err[128];

	for (i = 0; i < n; i++) {
		const struct run *r = runs[i];

		if (r->segment == NULL)
			continue;
		if (o != NULL && r->segment == prev->segment) {
			cnt++;
			prev = r;
			continue;
		}
		if (o != NULL) {
			cJSON_AddNumberToObject(o, "runs", (double)cnt);
			add_time(o, "last_at", prev->started_ms);
		}
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "id", r->segment);
		add_time(o, "first_at", r->started_ms);
		what[0] = '\0';
		if (prev != NULL && prev->env != NULL && r->env != NULL) {
			ja = cJSON_Parse(prev->env);
			jb = cJSON_Parse(r->env);
			if (fingerprint_from_json(ja, &a, err, sizeof(err)) ==
			        0 &&
			    fingerprint_from_json(jb, &b, err, sizeof(err)) ==
			        0)
				fingerprint_diff(&a, &b, what, sizeof(what));
			cJSON_Delete(ja);
			cJSON_Delete(jb);
		}
		add_str(o, "changed", prev == NULL ? NULL : what);
		prev = r;
		cnt = 1;
	}
	if (o != NULL) {
		cJSON_AddNumberToObject(o, "runs", (double)cnt);
		add_time(o, "last_at", prev->started_ms);
	}
	free(runs);
	return arr;
}

static cJSON *
variant_json(const struct catalog *c, const struct store *s,
    const struct comparison *k, const struct render_opts *ro)
{
	const struct variant *v = k->v;
	const struct interpreter *in = &c->interps[v->interp];
	const struct allocator *al = &c->allocs[v->alloc];
	struct store_filter f = {ro->iterations, ro->include_flagged,
	    k->segment};
	const struct run **ok = NULL, *last;
	size_t counts[RUN_NSTATUS], nflagged, n, i;
	struct stats_desc d;
	cJSON *o, *cnt, *ph;
	double *x;
	int m, p;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", v->id);
	cJSON_AddStringToObject(o, "interpreter", in->name);
	cJSON_AddStringToObject(o, "allocator", al->name);
	add_str(o, "library", al->library);
	cJSON_AddBoolToObject(o, "available", v->available);
	add_str(o, "reason", v->available ? NULL : v->reason);

	store_count(s, v->id, counts, &nflagged);
	cnt = cJSON_AddObjectToObject(o, "runs");
	for (i = 0; i < RUN_NSTATUS; i++)
		cJSON_AddNumberToObject(cnt,
		    run_status_name((enum run_status)i), (double)counts[i]);
	cJSON_AddNumberToObject(cnt, "flagged", (double)nflagged);

	n = store_ok_runs(s, v->id, &f, ro->window, &ok);
	x = xcalloc(n ? n : 1, sizeof(*x));
	for (m = 0; m < M_N; m++) {
		for (i = 0; i < n; i++)
			x[i] = metric_of(ok[i], (enum metric)m);
		cJSON_AddItemToObject(o, metric_keys[m], desc_json(x, n));
	}
	if (n > 0) {
		ph = cJSON_AddObjectToObject(o, "phases_s");
		for (p = 0; p < PHASE_N; p++) {
			for (i = 0; i < n; i++)
				x[i] = ok[i]->phase_s[p];
			add_num(ph, run_phase_name((enum run_phase)p),
			    stats_describe(x, n, &d) == 0 ? d.median : NAN);
		}
	} else
		cJSON_AddNullToObject(o, "phases_s");
	free(x);
	free(ok);
	cJSON_AddItemToObject(o, "excluded",
	    excluded_json(s, v->id, k->segment, ro->iterations));
	add_str(o, "segment", k->segment);
	cJSON_AddItemToObject(o, "segments", segments_json(s, v->id));

	last = store_last(s, v->id, 0);
	add_str(o, "malloc_provider", last ? last->malloc_provider : NULL);
	add_str(o, "python_version", last ? last->python_version : NULL);
	add_time(o, "last_run_at", last ? last->started_ms : 0);
	last = store_last(s, v->id, 1);
	add_str(o, "last_error", last ? last->error : NULL);
	add_time(o, "last_error_at", last ? last->started_ms : 0);
	add_str(o, "last_error_status",
	    last ? run_status_name(last->status) : NULL);

	if (k->base != NULL)
		cJSON_AddItemToObject(o, "comparison",
		    render_comparison(k, ro->margin, ro->looks));
	else
		cJSON_AddNullToObject(o, "comparison");
	return o;
}

cJSON *
render_summary(const struct catalog *c, const struct store *s,
    const struct host_info *h, const struct render_opts *ro, int64_t now_ms)
{
	struct compare_opts co = {ro->window, ro->iterations,
	    ro->include_flagged, ro->margin, ro->looks};
	struct comparison *cmp;
	cJSON *doc, *host, *vars, *an;
	size_t i;

	doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "schema", AB_SCHEMA);
	add_time(doc, "generated_at", now_ms);
	cJSON_AddStringToObject(doc, "baseline", AB_BASELINE);
	host = cJSON_AddObjectToObject(doc, "host");
	cJSON_AddStringToObject(host, "hostname", h->hostname);
	cJSON_AddStringToObject(host, "machine", h->machine);
	cJSON_AddStringToObject(host, "kernel", h->kernel);
	cJSON_AddStringToObject(host, "cpu_model", h->cpu_model);
	cJSON_AddNumberToObject(host, "cpus", (double)h->cpus);
	cJSON_AddStringToObject(host, "sandbox", h->sandbox);
	if (ro->iterations > 0)
		cJSON_AddNumberToObject(doc, "iterations",
		    (double)ro->iterations);
	cJSON_AddNumberToObject(doc, "window", (double)ro->window);
	cJSON_AddBoolToObject(doc, "include_flagged", ro->include_flagged);
	an = cJSON_AddObjectToObject(doc, "analysis");
	cJSON_AddStringToObject(an, "method",
	    "paired by round: Hodges-Lehmann estimate of the log ratio of "
	    "CPU time (user + system), "
	    "its signed-rank interval, Wilcoxon signed-rank test, Holm "
	    "across comparisons at a per-look level");
	cJSON_AddNumberToObject(an, "min_pairs", AB_MIN_PAIRS);
	add_num(an, "margin", ro->margin);
	cJSON_AddStringToObject(an, "time", "cpu");
	cJSON_AddNumberToObject(an, "looks", (double)ro->looks);
	add_num(an, "fwer", AB_LOOKS_FWER);
	vars = cJSON_AddArrayToObject(doc, "variants");
	cmp = compare_all(c, s, &co);
	for (i = 0; i < c->nvariants; i++)
		cJSON_AddItemToArray(vars, variant_json(c, s, &cmp[i], ro));
	free(cmp);
	return doc;
}

#define AB_COLS 9
#define AB_CELL 112

static const char *const col_names[AB_COLS] = {"variant", "runs",
    "wall median (95% CI)", "min-max", "vs baseline: speedup (CI) verdict",
    "peak RSS", "phases append/fill/clear/refill", "provider", "status"};

static void
format_p(double p, char *buf, size_t len)
{
	if (!isfinite(p))
		snprintf(buf, len, "p=?");
	else if (p < 0.001)
		snprintf(buf, len, "p<0.001");
	else
		snprintf(buf, len, "p=%.3f", p);
}

/*
 * The comparison in one cell: "collecting (3/6)", or the speedup with its
 * interval and the verdict in words: "1.041x (1.012-1.071) faster
 * p=0.003", "0.998x (0.985-1.010) equivalent within 2%", "0.990x
 * (0.940-1.043) undecided: could detect 4.1%".
 */
static void
verdict_cell(const cJSON *cmp, char *buf, size_t len)
{
	const char *verdict = jsonr_str(cmp, "verdict");
	char pbuf[16];

	if (verdict == NULL || strcmp(verdict, "collecting") == 0) {
		snprintf(buf, len, "collecting (%.0f/%.0f)",
		    jsonr_num(cmp, "pairs"), jsonr_num(cmp, "min_pairs"));
		return;
	}
	if (strcmp(verdict, "equivalent") == 0) {
		snprintf(buf, len, "%.3fx (%.3f-%.3f) equivalent within %.0f%%",
		    jsonr_num(cmp, "speedup"),
		    jsonr_pair(cmp, "equivalence_ci", 0),
		    jsonr_pair(cmp, "equivalence_ci", 1),
		    jsonr_num(cmp, "margin") * 100);
		return;
	}
	if (strcmp(verdict, "undecided") == 0 &&
	    !isfinite(jsonr_num(cmp, "detectable"))) {
		snprintf(buf, len,
		    "%.3fx undecided: %.0f pairs bound no interval yet",
		    jsonr_num(cmp, "speedup"), jsonr_num(cmp, "pairs"));
		return;
	}
	if (strcmp(verdict, "undecided") == 0) {
		snprintf(buf, len,
		    "%.3fx (%.3f-%.3f) undecided: could detect %.1f%%",
		    jsonr_num(cmp, "speedup"), jsonr_pair(cmp, "ci", 0),
		    jsonr_pair(cmp, "ci", 1),
		    jsonr_num(cmp, "detectable") * 100);
		return;
	}
	format_p(jsonr_num(cmp, "p_value"), pbuf, sizeof(pbuf));
	snprintf(buf, len, "%.3fx (%.3f-%.3f) %s %s", jsonr_num(cmp, "speedup"),
	    jsonr_pair(cmp, "ci", 0), jsonr_pair(cmp, "ci", 1), verdict, pbuf);
}

/* Words for the exclusion reasons of the summary. */
static const struct {
	const char *flag;
	const char *words;
	const char *measure; /* the range's name, or NULL */
	int percent;
} reason_words[] = {
    {"contended", "host busy", "run-queue delay", 1},
    {"throttled", "throttled", NULL, 0},
    {"under_voltage", "under-voltage", NULL, 0},
    {"loaded", "load above max_load", "load", 0},
};

/*
 * Appends "; 3 excluded: host busy (run-queue delay 7-19%)" for each
 * reason in the summary's "excluded" object.
 */
static void
excluded_text(const cJSON *ex, char *buf, size_t len)
{
	const cJSON *e;
	size_t i, n;
	double lo, hi;
	int k;

	for (i = 0; i < sizeof(reason_words) / sizeof(reason_words[0]); i++) {
		e = cJSON_GetObjectItemCaseSensitive(ex, reason_words[i].flag);
		if (!cJSON_IsObject(e) || len <= 1)
			continue;
		lo = jsonr_pair(e, "range", 0);
		hi = jsonr_pair(e, "range", 1);
		if (reason_words[i].percent) {
			lo *= 100;
			hi *= 100;
		}
		if (reason_words[i].measure != NULL && isfinite(lo))
			k = snprintf(buf, len,
			    "; %.0f excluded: %s (%s %.*f-%.*f%s)",
			    jsonr_num(e, "runs"), reason_words[i].words,
			    reason_words[i].measure,
			    reason_words[i].percent ? 0 : 2, lo,
			    reason_words[i].percent ? 0 : 2, hi,
			    reason_words[i].percent ? "%" : "");
		else
			k = snprintf(buf, len, "; %.0f excluded: %s",
			    jsonr_num(e, "runs"), reason_words[i].words);
		n = k < 0 ? 0 : (size_t)k >= len ? len - 1 : (size_t)k;
		buf += n;
		len -= n;
	}
}

static void
row_cells(const cJSON *v, char cells[AB_COLS][AB_CELL])
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
	const cJSON *wall = cJSON_GetObjectItemCaseSensitive(v, "wall_s");
	const cJSON *rss = cJSON_GetObjectItemCaseSensitive(v, "maxrss_kb");
	const cJSON *ph = cJSON_GetObjectItemCaseSensitive(v, "phases_s");
	const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(v, "comparison");
	const char *prov = jsonr_str(v, "malloc_provider"), *slash;
	double ok = jsonr_num(runs, "ok"), unv = jsonr_num(runs, "unverified");
	double fail = jsonr_num(runs, "failed"),
	       tmo = jsonr_num(runs, "timeout");

	snprintf(cells[0], AB_CELL, "%s", jsonr_str(v, "id"));
	snprintf(cells[1], AB_CELL, "%.0f", ok);
	if (cJSON_IsObject(wall)) {
		if (isfinite(jsonr_pair(wall, "ci95", 0)))
			snprintf(cells[2], AB_CELL, "%.4f s (%.4f-%.4f)",
			    jsonr_num(wall, "median"),
			    jsonr_pair(wall, "ci95", 0),
			    jsonr_pair(wall, "ci95", 1));
		else
			snprintf(cells[2], AB_CELL, "%.4f s (n<6, no CI)",
			    jsonr_num(wall, "median"));
		snprintf(cells[3], AB_CELL, "%.4f-%.4f", jsonr_num(wall, "min"),
		    jsonr_num(wall, "max"));
	} else {
		snprintf(cells[2], AB_CELL, "-");
		snprintf(cells[3], AB_CELL, "-");
	}
	if (cJSON_IsObject(cmp))
		verdict_cell(cmp, cells[4], AB_CELL);
	else if (strcmp(jsonr_str(v, "allocator"), AB_BASELINE) == 0)
		snprintf(cells[4], AB_CELL, "baseline");
	else
		snprintf(cells[4], AB_CELL, "-");
	if (cJSON_IsObject(rss))
		snprintf(cells[5], AB_CELL, "%.1f MiB",
		    jsonr_num(rss, "median") / 1024.0);
	else
		snprintf(cells[5], AB_CELL, "-");
	if (cJSON_IsObject(ph))
		snprintf(cells[6], AB_CELL, "%.3f/%.3f/%.3f/%.3f",
		    jsonr_num(ph, "append"), jsonr_num(ph, "fill"),
		    jsonr_num(ph, "clear"), jsonr_num(ph, "refill"));
	else
		snprintf(cells[6], AB_CELL, "-");
	slash = prov ? strrchr(prov, '/') : NULL;
	snprintf(cells[7], AB_CELL, "%s",
	    slash      ? slash + 1
	        : prov ? prov
	               : "-");
	if (!jsonr_true(v, "available"))
		snprintf(cells[8], AB_CELL, "unavailable");
	else if (unv + fail + tmo == 0 && ok > 0)
		snprintf(cells[8], AB_CELL, "verified");
	else
		snprintf(cells[8], AB_CELL,
		    "%.0f unverified, %.0f failed, "
		    "%.0f timeout",
		    unv, fail, tmo);
	excluded_text(cJSON_GetObjectItemCaseSensitive(v, "excluded"),
	    cells[8] + strlen(cells[8]), AB_CELL - strlen(cells[8]));
}

int
render_table(FILE *fp, const cJSON *summary)
{
	const cJSON *vars =
	    cJSON_GetObjectItemCaseSensitive(summary, "variants");
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(summary, "host");
	const cJSON *v;
	char(*cells)[AB_COLS][AB_CELL] = NULL;
	size_t width[AB_COLS], nrows = 0, r, c;
	int nvars = cJSON_GetArraySize(vars);

	cells = xcalloc((size_t)nvars + 1, sizeof(*cells));
	for (c = 0; c < AB_COLS; c++) {
		snprintf(cells[0][c], AB_CELL, "%s", col_names[c]);
		width[c] = strlen(col_names[c]);
	}
	nrows = 1;
	cJSON_ArrayForEach(v, vars) {
		row_cells(v, cells[nrows]);
		for (c = 0; c < AB_COLS; c++)
			if (strlen(cells[nrows][c]) > width[c])
				width[c] = strlen(cells[nrows][c]);
		nrows++;
	}

	fprintf(fp, "%s (%s, %s, %.0f CPUs, Linux %s)\n",
	    jsonr_str(host, "hostname"), jsonr_str(host, "cpu_model"),
	    jsonr_str(host, "machine"), jsonr_num(host, "cpus"),
	    jsonr_str(host, "kernel"));
	for (r = 0; r < nrows; r++) {
		for (c = 0; c + 1 < AB_COLS; c++)
			fprintf(fp, "%-*s  ", (int)width[c], cells[r][c]);
		fprintf(fp, "%s\n", cells[r][AB_COLS - 1]);
	}
	free(cells);

	fprintf(fp,
	    "\nspeedup = exp(Hodges-Lehmann estimate of log(baseline CPU time / "
	    "variant CPU time)) over rounds paired by round; >1 is faster. The "
	    "interval and the verdict use Holm's procedure at a level that "
	    "keeps the chance of any false call at %.0f%% over every "
	    "comparison and look. equivalent = the interval lies within the "
	    "margin; undecided = neither, with the smallest difference these "
	    "data could detect.\n",
	    AB_LOOKS_FWER * 100);
	cJSON_ArrayForEach(v, vars) {
		const char *why = jsonr_str(v, "reason"), *p;

		if (why == NULL)
			why = jsonr_str(v, "last_error");
		if (why == NULL)
			continue;
		fprintf(fp, "%s: ", jsonr_str(v, "id"));
		for (p = why; *p != '\0'; p++) {
			fputc(*p, fp);
			if (*p == '\n' && p[1] != '\0')
				fputs("    ", fp);
		}
		if (p > why && p[-1] != '\n')
			fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

/* Documents for the daemon: GET /api/v1/runs and GET /api/v1/status. */

/* Walks back from the newest run to the first one at or after since_ms
 * (store_since), so the newest come first; each run is written straight
 * into the text (rundoc_write), with no tree in between. */
char *
render_runs(const struct store *s, const char *variant, int64_t since_ms,
    size_t limit, size_t *len)
{
	struct ab_buf b = AB_BUF_INIT;
	size_t first = 0, i, n = 0;
	AB_BUF_LIT(&b, "{\"runs\":[");
	if (s != NULL && since_ms > 0)
		first = store_since(s, since_ms);
	for (i = s != NULL ? s->nruns : 0;
	     i > first && (limit == 0 || n < limit); i--) {
		const struct run *r = &s->runs[i - 1];

		if (variant != NULL && strcmp(r->variant, variant) != 0)
			continue;
		if (n++ > 0)
			ab_buf_append(&b, ",", 1);
		rundoc_write(&b, r);
	}
	ab_buf_printf(&b, "],\"count\":%zu}", n);
	return ab_buf_take(&b, len);
}

/* The status document; unknown readings are null. */
cJSON *
render_status(const struct render_daemon *st, int64_t now_ms)
{
	const struct host_reading *rd = &st->reading;
	cJSON *doc, *host, *reading;
	char text[128];

	doc = cJSON_CreateObject();
	add_str(doc, "version", st->version);
	cJSON_AddNumberToObject(doc, "uptime_s",
	    (double)((now_ms - st->started_ms) / 1000));
	cJSON_AddStringToObject(doc, "state", st->running ? "running" : "idle");
	add_str(doc, "current",
	    st->running && st->current != NULL && st->current[0] != '\0'
	        ? st->current
	        : NULL);
	add_time(doc, "next_round_at", st->next_round_ms);
	cJSON_AddNumberToObject(doc, "rounds_completed",
	    (double)st->rounds_completed);
	if (st->has_store) {
		cJSON_AddBoolToObject(doc, "persist_ok", st->persist_ok);
		add_str(doc, "persist_error",
		    st->persist_ok ? NULL : st->persist_error);
		cJSON_AddNumberToObject(doc, "history_runs",
		    (double)st->history_runs);
		cJSON_AddNumberToObject(doc, "history_skipped",
		    (double)st->history_skipped);
		cJSON_AddNumberToObject(doc, "history_newer",
		    (double)st->history_newer);
	}
	add_time(doc, "updated_at", st->updated_ms);

	host = cJSON_AddObjectToObject(doc, "host");
	cJSON_AddStringToObject(host, "hostname", st->host.hostname);
	cJSON_AddStringToObject(host, "machine", st->host.machine);
	cJSON_AddStringToObject(host, "kernel", st->host.kernel);
	cJSON_AddStringToObject(host, "cpu_model", st->host.cpu_model);
	cJSON_AddNumberToObject(host, "cpus", (double)st->host.cpus);

	reading = cJSON_AddObjectToObject(doc, "reading");
	add_num(reading, "temp_c", rd->temp_c);
	add_num(reading, "freq_khz",
	    rd->freq_khz >= 0 ? (double)rd->freq_khz : NAN);
	add_num(reading, "load1", rd->load1);
	add_num(reading, "throttled",
	    rd->throttled >= 0 ? (double)rd->throttled : NAN);
	add_str(reading, "throttled_text",
	    rd->throttled >= 0
	        ? hostmon_throttle_text(rd->throttled, text, sizeof(text))
	        : NULL);
	return doc;
}
