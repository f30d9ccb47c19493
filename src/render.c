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

#include "hostmon.h"
#include "render.h"
#include "state.h"
#include "stats.h"
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

void
render_rfc3339(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", base, (int)(ms % 1000));
}

/* Adds a number, or null when it is not finite. */
static void
add_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
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

	cJSON_AddItemToArray(a, cJSON_CreateNumber(lo));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(hi));
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

/* Wall times of runs[0..n), in a new array the caller frees. */
static double *
walls(const struct run **runs, size_t n)
{
	double *x = xcalloc(n ? n : 1, sizeof(*x));
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = runs[i]->wall_s;
	return x;
}

static cJSON *
speedup_json(const struct run **base, size_t nb, const struct run **var,
    size_t nv, const char *base_id)
{
	struct stats_speedup sp;
	double *xb = walls(base, nb), *xv = walls(var, nv);
	cJSON *o;
	int rc;

	rc =
	    stats_speedup(xb, nb, xv, nv, AB_BOOT_RESAMPLES, AB_BOOT_SEED, &sp);
	free(xb);
	free(xv);
	if (rc == -1)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "baseline", base_id);
	add_num(o, "ratio", sp.ratio);
	cJSON_AddItemToObject(o, "ci95", pair(sp.ci_lo, sp.ci_hi));
	add_num(o, "p_value", sp.p_value);
	cJSON_AddBoolToObject(o, "significant", sp.significant);
	return o;
}

static cJSON *
variant_json(const struct catalog *c, const struct store *s,
    const struct variant *v, size_t window, long iterations, int flagged)
{
	const struct interpreter *in = &c->interps[v->interp];
	const struct allocator *al = &c->allocs[v->alloc];
	const struct variant *bv = catalog_baseline_of(c, v);
	const struct run **ok = NULL, **bok = NULL, *last;
	size_t counts[RUN_NSTATUS], nflagged, n, nb = 0, i;
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

	n = store_ok_runs(s, v->id, iterations, flagged, window, &ok);
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

	last = store_last(s, v->id, 0);
	add_str(o, "malloc_provider", last ? last->malloc_provider : NULL);
	add_str(o, "python_version", last ? last->python_version : NULL);
	last = store_last(s, v->id, 1);
	add_str(o, "last_error", last ? last->error : NULL);
	if (last != NULL) {
		char ts[40];

		render_rfc3339(last->started_ms, ts, sizeof(ts));
		cJSON_AddStringToObject(o, "last_error_at", ts);
		cJSON_AddStringToObject(o, "last_error_status",
		    run_status_name(last->status));
	} else {
		cJSON_AddNullToObject(o, "last_error_at");
		cJSON_AddNullToObject(o, "last_error_status");
	}

	if (bv != NULL && bv != v && n > 0) {
		nb =
		    store_ok_runs(s, bv->id, iterations, flagged, window, &bok);
		if (nb > 0)
			cJSON_AddItemToObject(o, "speedup",
			    speedup_json(bok, nb, ok, n, bv->id));
		else
			cJSON_AddNullToObject(o, "speedup");
	} else
		cJSON_AddNullToObject(o, "speedup");
	free(ok);
	free(bok);
	return o;
}

cJSON *
render_summary(const struct catalog *c, const struct store *s,
    const struct host_info *h, size_t window, long iterations,
    int include_flagged, int64_t now_ms)
{
	cJSON *doc, *host, *vars;
	char ts[40];
	size_t i;

	doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "schema", AB_SCHEMA);
	render_rfc3339(now_ms, ts, sizeof(ts));
	cJSON_AddStringToObject(doc, "generated_at", ts);
	cJSON_AddStringToObject(doc, "baseline", AB_BASELINE);
	host = cJSON_AddObjectToObject(doc, "host");
	cJSON_AddStringToObject(host, "hostname", h->hostname);
	cJSON_AddStringToObject(host, "machine", h->machine);
	cJSON_AddStringToObject(host, "kernel", h->kernel);
	cJSON_AddStringToObject(host, "cpu_model", h->cpu_model);
	cJSON_AddNumberToObject(host, "cpus", (double)h->cpus);
	cJSON_AddStringToObject(host, "sandbox", h->sandbox);
	if (iterations > 0)
		cJSON_AddNumberToObject(doc, "iterations", (double)iterations);
	cJSON_AddNumberToObject(doc, "window", (double)window);
	cJSON_AddBoolToObject(doc, "include_flagged", include_flagged);
	vars = cJSON_AddArrayToObject(doc, "variants");
	for (i = 0; i < c->nvariants; i++)
		cJSON_AddItemToArray(vars,
		    variant_json(c, s, &c->variants[i], window, iterations,
		        include_flagged));
	return doc;
}

/* A number member of o, or NAN when absent or null. */
static double
jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Element i of a [lo, hi] array member, or NAN. */
static double
jpair(const cJSON *o, const char *key, int i)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	const cJSON *v = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, i) : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

#define AB_COLS 9
#define AB_CELL 96

static const char *const col_names[AB_COLS] = {"variant", "runs",
    "wall median (95% CI)", "min-max", "speedup vs baseline (95% CI)",
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

static void
row_cells(const cJSON *v, char cells[AB_COLS][AB_CELL])
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
	const cJSON *wall = cJSON_GetObjectItemCaseSensitive(v, "wall_s");
	const cJSON *rss = cJSON_GetObjectItemCaseSensitive(v, "maxrss_kb");
	const cJSON *ph = cJSON_GetObjectItemCaseSensitive(v, "phases_s");
	const cJSON *sp = cJSON_GetObjectItemCaseSensitive(v, "speedup");
	const char *prov = jstr(v, "malloc_provider"), *slash;
	double ok = jnum(runs, "ok"), unv = jnum(runs, "unverified");
	double fail = jnum(runs, "failed"), tmo = jnum(runs, "timeout");
	char pbuf[16];

	snprintf(cells[0], AB_CELL, "%s", jstr(v, "id"));
	snprintf(cells[1], AB_CELL, "%.0f", ok);
	if (cJSON_IsObject(wall)) {
		if (isfinite(jpair(wall, "ci95", 0)))
			snprintf(cells[2], AB_CELL, "%.4f s (%.4f-%.4f)",
			    jnum(wall, "median"), jpair(wall, "ci95", 0),
			    jpair(wall, "ci95", 1));
		else
			snprintf(cells[2], AB_CELL, "%.4f s (n<6, no CI)",
			    jnum(wall, "median"));
		snprintf(cells[3], AB_CELL, "%.4f-%.4f", jnum(wall, "min"),
		    jnum(wall, "max"));
	} else {
		snprintf(cells[2], AB_CELL, "-");
		snprintf(cells[3], AB_CELL, "-");
	}
	if (cJSON_IsObject(sp)) {
		format_p(jnum(sp, "p_value"), pbuf, sizeof(pbuf));
		snprintf(cells[4], AB_CELL, "%.3fx (%.3f-%.3f) %s%s",
		    jnum(sp, "ratio"), jpair(sp, "ci95", 0),
		    jpair(sp, "ci95", 1), pbuf,
		    cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(sp, "significant"))
		        ? " *"
		        : "");
	} else if (strcmp(jstr(v, "allocator"), AB_BASELINE) == 0)
		snprintf(cells[4], AB_CELL, "baseline");
	else
		snprintf(cells[4], AB_CELL, "-");
	if (cJSON_IsObject(rss))
		snprintf(cells[5], AB_CELL, "%.1f MiB",
		    jnum(rss, "median") / 1024.0);
	else
		snprintf(cells[5], AB_CELL, "-");
	if (cJSON_IsObject(ph))
		snprintf(cells[6], AB_CELL, "%.3f/%.3f/%.3f/%.3f",
		    jnum(ph, "append"), jnum(ph, "fill"), jnum(ph, "clear"),
		    jnum(ph, "refill"));
	else
		snprintf(cells[6], AB_CELL, "-");
	slash = prov ? strrchr(prov, '/') : NULL;
	snprintf(cells[7], AB_CELL, "%s",
	    slash      ? slash + 1
	        : prov ? prov
	               : "-");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "available")))
		snprintf(cells[8], AB_CELL, "unavailable");
	else if (unv + fail + tmo == 0 && ok > 0)
		snprintf(cells[8], AB_CELL, "verified");
	else
		snprintf(cells[8], AB_CELL,
		    "%.0f unverified, %.0f failed, "
		    "%.0f timeout",
		    unv, fail, tmo);
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
	    jstr(host, "hostname"), jstr(host, "cpu_model"),
	    jstr(host, "machine"), jnum(host, "cpus"), jstr(host, "kernel"));
	for (r = 0; r < nrows; r++) {
		for (c = 0; c + 1 < AB_COLS; c++)
			fprintf(fp, "%-*s  ", (int)width[c], cells[r][c]);
		fprintf(fp, "%s\n", cells[r][AB_COLS - 1]);
	}
	free(cells);

	fprintf(fp,
	    "\nspeedup = median(baseline wall) / median(variant wall);"
	    " >1 is faster. * = significant: Mann-Whitney p < 0.05 "
	    "and the 95%% bootstrap CI excludes 1.\n");
	cJSON_ArrayForEach(v, vars) {
		const char *why = jstr(v, "reason"), *p;

		if (why == NULL)
			why = jstr(v, "last_error");
		if (why == NULL)
			continue;
		fprintf(fp, "%s: ", jstr(v, "id"));
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

/*
 * Documents for the daemon: GET /api/v1/runs, GET /api/v1/status and the
 * results part of /metrics. They read struct state, so the caller holds
 * its lock.
 */

/* Walks back from the newest run to the first one at or after since_ms
 * (store_since), so the newest come first; each run is written straight
 * into the text (run_write_json), with no tree in between. */
char *
render_runs(const struct store *s, const char *variant, int64_t since_ms,
    size_t limit, size_t *len)
{
	struct run_buf b = {NULL, 0, 0};
	size_t first = 0, i, n = 0;
	char count[32];
	int k;

	run_buf_append(&b, "{\"runs\":[", 9);
	if (s != NULL && since_ms > 0)
		first = store_since(s, since_ms);
	for (i = s != NULL ? s->nruns : 0;
	     i > first && (limit == 0 || n < limit); i--) {
		const struct run *r = &s->runs[i - 1];

		if (variant != NULL && strcmp(r->variant, variant) != 0)
			continue;
		if (n++ > 0)
			run_buf_append(&b, ",", 1);
		run_write_json(&b, r);
	}
	k = snprintf(count, sizeof(count), "],\"count\":%zu}", n);
	run_buf_append(&b, count, (size_t)k);
	*len = b.len;
	return b.p;
}

/* Adds an RFC 3339 timestamp, or null for 0 (never). */
static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	char ts[40];

	if (ms == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	render_rfc3339(ms, ts, sizeof(ts));
	cJSON_AddStringToObject(o, key, ts);
}

/* Whether results reach the disk; a memory-only store has nothing to lose
 * unless it recorded an error. */
static int
persist_ok(const struct store *s)
{
	return s->persist_ok || (s->dir == NULL && s->persist_err[0] == '\0');
}

/* The status document; unknown readings are null, a memory-only store
 * reports persist_ok true unless it recorded an error. */
cJSON *
render_status(const struct state *st, int64_t now_ms)
{
	const struct host_reading *rd = &st->reading;
	const struct store *s = st->store;
	cJSON *doc, *host, *reading;
	char text[128];

	doc = cJSON_CreateObject();
	add_str(doc, "version", st->version);
	cJSON_AddNumberToObject(doc, "uptime_s",
	    (double)((now_ms - st->started_ms) / 1000));
	cJSON_AddStringToObject(doc, "state", st->running ? "running" : "idle");
	add_str(doc, "current",
	    st->running && st->current[0] != '\0' ? st->current : NULL);
	add_time(doc, "next_round_at", st->next_round_ms);
	cJSON_AddNumberToObject(doc, "rounds_completed",
	    (double)st->rounds_completed);
	if (s != NULL) {
		cJSON_AddBoolToObject(doc, "persist_ok", persist_ok(s));
		add_str(doc, "persist_error",
		    persist_ok(s) ? NULL : s->persist_err);
		cJSON_AddNumberToObject(doc, "history_runs", (double)s->nruns);
		cJSON_AddNumberToObject(doc, "history_skipped",
		    (double)s->skipped);
		cJSON_AddNumberToObject(doc, "history_newer", (double)s->newer);
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

/* A growing text buffer for the exposition format. */
struct mbuf {
	char *p;
	size_t len;
	size_t cap;
};

static void __attribute__((format(printf, 2, 3)))
mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
		    b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 256;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
}

/* A sample value: the shortest of %.15g and %.17g that reads back exactly,
 * so /metrics shows the summary's numbers bit for bit. */
static void
mbuf_value(struct mbuf *b, double v)
{
	char tmp[40];

	if (isnan(v))
		mbuf_printf(b, "NaN");
	else if (isinf(v))
		mbuf_printf(b, v > 0 ? "+Inf" : "-Inf");
	else {
		snprintf(tmp, sizeof(tmp), "%.15g", v);
		if (strtod(tmp, NULL) != v)
			snprintf(tmp, sizeof(tmp), "%.17g", v);
		mbuf_printf(b, "%s", tmp);
	}
}

/* A label value with \\, \" and \n escaped, as the 0.0.4 format requires. */
static void
mbuf_label(struct mbuf *b, const char *name, const char *value)
{
	const char *p;

	mbuf_printf(b, "%s=\"", name);
	for (p = value ? value : ""; *p != '\0'; p++) {
		if (*p == '\\')
			mbuf_printf(b, "\\\\");
		else if (*p == '"')
			mbuf_printf(b, "\\\"");
		else if (*p == '\n')
			mbuf_printf(b, "\\n");
		else
			mbuf_printf(b, "%c", *p);
	}
	mbuf_printf(b, "\"");
}

/*
 * One sample line: name{labels[,extra="value"]} value. labels is an already
 * formatted label list (may be empty).
 */
static void
sample(struct mbuf *b, const char *name, const char *labels, const char *extra,
    const char *extra_value, double v)
{
	int any = labels != NULL && labels[0] != '\0';

	mbuf_printf(b, "%s", name);
	if (any || extra != NULL) {
		mbuf_printf(b, "{%s", any ? labels : "");
		if (extra != NULL) {
			if (any)
				mbuf_printf(b, ",");
			mbuf_label(b, extra, extra_value);
		}
		mbuf_printf(b, "}");
	}
	mbuf_printf(b, " ");
	mbuf_value(b, v);
	mbuf_printf(b, "\n");
}

/* Moves the samples collected in fam to out under their # HELP and # TYPE
 * lines; a family without samples is left out. */
static void
family_flush(struct mbuf *out, struct mbuf *fam, const char *name,
    const char *type, const char *help)
{
	if (fam->len == 0)
		return;
	mbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
	mbuf_printf(out, "%s", fam->p);
	fam->len = 0;
	fam->p[0] = '\0';
}

enum vfam {
	VF_AVAILABLE,
	VF_WALL,
	VF_WALL_CI,
	VF_SPEEDUP,
	VF_SIGNIFICANT,
	VF_RUNS,
	VF_FLAGGED,
	VF_LAST,
	VF_RSS,
	VF_N
};

static const struct {
	const char *name;
	const char *type;
	const char *help;
} vfams[VF_N] = {
    {"allocbench_variant_available", "gauge",
        "Whether the interpreter and the allocator of the variant were found."},
    {"allocbench_wall_seconds", "gauge",
        "Median wall time of the verified runs in the statistics window."},
    {"allocbench_wall_ci95_seconds", "gauge",
        "Bounds of the distribution-free 95% confidence interval of the median wall time."},
    {"allocbench_speedup_ratio", "gauge",
        "Median baseline wall time divided by median variant wall time; above 1 is faster."},
    {"allocbench_speedup_significant", "gauge",
        "1 when Mann-Whitney p < 0.05 and the 95% bootstrap interval of the speedup excludes 1."},
    {"allocbench_runs_total", "counter", "Runs in the history by outcome."},
    {"allocbench_runs_flagged_total", "counter",
        "Verified runs left out of the statistics because the host was throttled or loaded."},
    {"allocbench_last_run_timestamp_seconds", "gauge",
        "Start time of the newest run of the variant, seconds since the epoch."},
    {"allocbench_peak_rss_bytes", "gauge",
        "Median peak resident set size of the verified runs in the statistics window."},
};

/* The samples of family f for one variant of the summary document. */
static void
variant_samples(struct mbuf *b, enum vfam f, const cJSON *v, const char *labels,
    const struct store *s)
{
	const cJSON *wall = cJSON_GetObjectItemCaseSensitive(v, "wall_s");
	const cJSON *sp = cJSON_GetObjectItemCaseSensitive(v, "speedup");
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
	const cJSON *rss = cJSON_GetObjectItemCaseSensitive(v, "maxrss_kb");
	const char *name = vfams[f].name, *id = jstr(v, "id");
	const struct run *last;
	int i;

	switch (f) {
	case VF_AVAILABLE:
		sample(b, name, labels, NULL, NULL,
		    cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(v, "available")));
		break;
	case VF_WALL:
		if (isfinite(jnum(wall, "median")))
			sample(b, name, labels, NULL, NULL,
			    jnum(wall, "median"));
		break;
	case VF_WALL_CI:
		if (isfinite(jpair(wall, "ci95", 0))) {
			sample(b, name, labels, "bound", "lower",
			    jpair(wall, "ci95", 0));
			sample(b, name, labels, "bound", "upper",
			    jpair(wall, "ci95", 1));
		}
		break;
	case VF_SPEEDUP:
		if (isfinite(jnum(sp, "ratio")))
			sample(b, name, labels, NULL, NULL, jnum(sp, "ratio"));
		break;
	case VF_SIGNIFICANT:
		if (cJSON_IsObject(sp))
			sample(b, name, labels, NULL, NULL,
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sp,
			        "significant")));
		break;
	case VF_RUNS:
		for (i = 0; i < RUN_NSTATUS; i++) {
			const char *st = run_status_name((enum run_status)i);
			double n = jnum(runs, st);

			sample(b, name, labels, "status", st,
			    isfinite(n) ? n : 0);
		}
		break;
	case VF_FLAGGED:
		if (isfinite(jnum(runs, "flagged")))
			sample(b, name, labels, NULL, NULL,
			    jnum(runs, "flagged"));
		break;
	case VF_LAST:
		last = s != NULL && id != NULL ? store_last(s, id, 0) : NULL;
		if (last != NULL)
			sample(b, name, labels, NULL, NULL,
			    (double)last->started_ms / 1000.0);
		break;
	case VF_RSS:
		if (isfinite(jnum(rss, "median")))
			sample(b, name, labels, NULL, NULL,
			    jnum(rss, "median") * 1024.0);
		break;
	default:
		break;
	}
}

/* Bits of the Raspberry Pi firmware's get_throttled word ("now" bits; the
 * "since boot" bit of each is 16 higher). */
static const struct {
	unsigned bit;
	const char *condition;
} throttle_bits[] = {
    {0, "under_voltage"},
    {1, "freq_capped"},
    {2, "throttled"},
    {3, "soft_temp_limit"},
};

static void
host_families(struct mbuf *out, struct mbuf *fam, const struct host_reading *r)
{
	size_t i;

	if (isfinite(r->temp_c))
		sample(fam, "allocbench_cpu_temperature_celsius", "", NULL,
		    NULL, r->temp_c);
	family_flush(out, fam, "allocbench_cpu_temperature_celsius", "gauge",
	    "Hottest thermal zone at the latest reading.");
	if (r->freq_khz >= 0)
		sample(fam, "allocbench_cpu_frequency_hertz", "", NULL, NULL,
		    (double)r->freq_khz * 1000.0);
	family_flush(out, fam, "allocbench_cpu_frequency_hertz", "gauge",
	    "Current frequency of cpu0 at the latest reading.");
	if (isfinite(r->load1))
		sample(fam, "allocbench_load1", "", NULL, NULL, r->load1);
	family_flush(out, fam, "allocbench_load1", "gauge",
	    "One-minute load average at the latest reading.");
	if (r->throttled >= 0) {
		for (i = 0;
		     i < sizeof(throttle_bits) / sizeof(throttle_bits[0]);
		     i++) {
			unsigned b = throttle_bits[i].bit;
			struct mbuf l = {NULL, 0, 0};

			mbuf_label(&l, "condition", throttle_bits[i].condition);
			sample(fam, "allocbench_throttled", l.p, "when", "now",
			    (r->throttled >> b) & 1);
			sample(fam, "allocbench_throttled", l.p, "when",
			    "since_boot", (r->throttled >> (b + 16)) & 1);
			free(l.p);
		}
	}
	family_flush(out, fam, "allocbench_throttled", "gauge",
	    "Raspberry Pi firmware throttling conditions, now and since boot.");
}

/*
 * Reads the per-variant numbers back from the summary document so they
 * match it exactly, adds the newest run of each variant from the store and
 * the host reading. Families without samples are left out.
 */
char *
render_metrics(const struct state *st, size_t *len)
{
	struct mbuf out = {NULL, 0, 0}, fam = {NULL, 0, 0};
	struct mbuf *labels = NULL;
	cJSON *doc = NULL;
	const cJSON *vars, *v;
	size_t nvars = 0, i;
	int f;

	if (st->summary != NULL)
		doc = cJSON_Parse(st->summary);
	else if (st->catalog != NULL && st->store != NULL)
		doc = render_summary(st->catalog, st->store, &st->host,
		    st->window, st->iterations, st->include_flagged,
		    st->updated_ms);
	vars = cJSON_GetObjectItemCaseSensitive(doc, "variants");
	if (cJSON_IsArray(vars))
		nvars = (size_t)cJSON_GetArraySize(vars);

	mbuf_printf(&out, "%s", "");
	mbuf_printf(&fam, "%s", "");
	sample(&fam, "allocbench_build_info", "", "version",
	    st->version ? st->version : "", 1);
	family_flush(&out, &fam, "allocbench_build_info", "gauge",
	    "Always 1; the version label names the allocbenchd release.");

	labels = xcalloc(nvars ? nvars : 1, sizeof(*labels));
	i = 0;
	cJSON_ArrayForEach(v, vars) {
		mbuf_label(&labels[i], "interpreter", jstr(v, "interpreter"));
		mbuf_printf(&labels[i], ",");
		mbuf_label(&labels[i], "allocator", jstr(v, "allocator"));
		i++;
	}
	for (f = 0; f < VF_N; f++) {
		i = 0;
		cJSON_ArrayForEach(v, vars) {
			variant_samples(&fam, (enum vfam)f, v, labels[i].p,
			    st->store);
			i++;
		}
		family_flush(&out, &fam, vfams[f].name, vfams[f].type,
		    vfams[f].help);
	}

	host_families(&out, &fam, &st->reading);

	sample(&fam, "allocbench_rounds_completed_total", "", NULL, NULL,
	    (double)st->rounds_completed);
	family_flush(&out, &fam, "allocbench_rounds_completed_total", "counter",
	    "Measurement rounds completed since the daemon started.");
	if (st->store != NULL) {
		sample(&fam, "allocbench_persist_ok", "", NULL, NULL,
		    persist_ok(st->store));
		family_flush(&out, &fam, "allocbench_persist_ok", "gauge",
		    "1 while results are written to the history file.");
		sample(&fam, "allocbench_history_runs", "", NULL, NULL,
		    (double)st->store->nruns);
		family_flush(&out, &fam, "allocbench_history_runs", "gauge",
		    "Runs held in the history.");
	}

	for (i = 0; i < nvars; i++)
		free(labels[i].p);
	free(labels);
	free(fam.p);
	cJSON_Delete(doc);
	*len = out.len;
	return out.p;
}
