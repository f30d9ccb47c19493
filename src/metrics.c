/* SPDX-License-Identifier: MIT */
/*
 * The results, host and daemon part of /metrics, in the Prometheus text
 * exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): every
 * family once, with # HELP and # TYPE, names prefixed allocbench_, base
 * units, counters that never decrease and end in _total, label values
 * escaped (backslash, double quote, line feed) and made valid UTF-8. The
 * per-variant numbers are read back from the summary tree, so /metrics and
 * GET /api/v1/summary always agree; a comparison with fewer than
 * AB_METRICS_MIN_PAIRS pairs exports only its pair count and its verdict
 * "collecting".
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hostmon.h"
#include "jsonr.h"
#include "metrics.h"
#include "num.h"
#include "timefmt.h"
#include "xmalloc.h"

#define AB_READY_HELP   "0 when a round is overdue or a run hangs, else 1."
#define AB_HANG_FLOOR_S 60.0 /* the shortest hang limit and overdue grace */

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||
		    (s[0] == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * name="value" with the value escaped as the 0.0.4 format requires: \\ for
 * a backslash, \" for a double quote, \n for a line feed. Label values
 * must be UTF-8, so each byte that does not start a valid sequence becomes
 * U+FFFD.
 */
static void
put_label(struct ab_buf *b, const char *name, const char *value)
{
	const unsigned char *p = (const unsigned char *)(value ? value : "");
	size_t n;

	ab_buf_puts(b, name);
	AB_BUF_LIT(b, "=\"");
	while (*p != '\0') {
		if (*p == '\\')
			AB_BUF_LIT(b, "\\\\");
		else if (*p == '"')
			AB_BUF_LIT(b, "\\\"");
		else if (*p == '\n')
			AB_BUF_LIT(b, "\\n");
		else if ((n = utf8_len(p)) == 0)
			AB_BUF_LIT(b, "\xef\xbf\xbd");
		else {
			ab_buf_append(b, p, n);
			p += n;
			continue;
		}
		p++;
	}
	AB_BUF_LIT(b, "\"");
}

/* A sample value: NaN, +Inf and -Inf as the format spells them, else the
 * shortest text that reads back exactly (num.c), so /metrics shows the
 * summary's numbers bit for bit. */
static void
put_value(struct ab_buf *b, double v)
{
	char tmp[AB_NUM_TEXT];

	if (isnan(v))
		AB_BUF_LIT(b, "NaN");
	else if (isinf(v))
		ab_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else
		ab_buf_append(b, tmp, num_format_double(v, tmp, sizeof(tmp)));
}

/* One sample line: name{labels[,extra="value"]} v, labels being an already
 * formatted list (NULL or "" for none). */
static void
sample(struct ab_buf *b, const char *name, const char *labels,
    const char *extra, const char *extra_value, double v)
{
	int any = labels != NULL && labels[0] != '\0';

	ab_buf_puts(b, name);
	if (any || extra != NULL) {
		AB_BUF_LIT(b, "{");
		if (any)
			ab_buf_puts(b, labels);
		if (extra != NULL) {
			if (any)
				AB_BUF_LIT(b, ",");
			put_label(b, extra, extra_value);
		}
		AB_BUF_LIT(b, "}");
	}
	AB_BUF_LIT(b, " ");
	put_value(b, v);
	AB_BUF_LIT(b, "\n");
}

/* Moves the samples gathered in fam to out under their # HELP and # TYPE
 * lines; a family without samples is left out. */
static void
flush(struct ab_buf *out, struct ab_buf *fam, const char *name,
    const char *type, const char *help)
{
	if (fam->len == 0)
		return;
	ab_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
	ab_buf_append(out, fam->p, fam->len);
	ab_buf_reset(fam);
}

/* Whether both bounds of the [lo, hi] member key of o are numbers. */
static int
has_pair(const cJSON *o, const char *key)
{
	return isfinite(jsonr_pair(o, key, 0)) &&
	    isfinite(jsonr_pair(o, key, 1));
}

static const char *const reason_names[METRICS_NREASONS] = {"throttled",
    "under_voltage", "contended", "loaded"};

/* The reason's name as the reason label spells it, or "unknown". */
const char *
metrics_reason_name(enum metrics_reason r)
{
	return (unsigned)r < METRICS_NREASONS ? reason_names[r] : "unknown";
}

/* One count per flag bit; bits of no reason are ignored. */
void
metrics_count_flags(unsigned flags, uint64_t counts[METRICS_NREASONS])
{
	if (flags & RUN_FLAG_THROTTLED)
		counts[METRICS_REASON_THROTTLED]++;
	if (flags & RUN_FLAG_UNDER_VOLTAGE)
		counts[METRICS_REASON_UNDER_VOLTAGE]++;
	if (flags & RUN_FLAG_CONTENDED)
		counts[METRICS_REASON_CONTENDED]++;
	if (flags & RUN_FLAG_LOADED)
		counts[METRICS_REASON_LOADED]++;
}

/* The verdicts of a comparison, exported as a state set. */
static const char *const verdicts[] = {"collecting", "faster", "slower",
    "equivalent", "undecided"};
#define NVERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

/* What one variant of the summary exports, worked out once. */
struct vrow {
	const cJSON *v;
	struct ab_buf labels; /* interpreter="...",allocator="..." */
	const cJSON *cmp;     /* "comparison" object, or NULL */
	int enough;           /* its statistics may be exported */
};

/*
 * A comparison's statistics need pairs >= max(min_pairs,
 * AB_METRICS_MIN_PAIRS): whatever the summary says, fewer pairs than that
 * export the pair count and the verdict "collecting" only.
 */
static void
vrow_init(struct vrow *r, const cJSON *v)
{
	const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(v, "comparison");
	double need = AB_METRICS_MIN_PAIRS, pairs;

	memset(r, 0, sizeof(*r));
	r->v = v;
	put_label(&r->labels, "interpreter", jsonr_str(v, "interpreter"));
	AB_BUF_LIT(&r->labels, ",");
	put_label(&r->labels, "allocator", jsonr_str(v, "allocator"));
	if (cJSON_IsObject(cmp)) {
		r->cmp = cmp;
		if (jsonr_num(cmp, "min_pairs") > need)
			need = jsonr_num(cmp, "min_pairs");
		pairs = jsonr_num(cmp, "pairs");
		r->enough = isfinite(pairs) && pairs >= need;
	}
}

enum vfam {
	VF_INFO,
	VF_AVAILABLE,
	VF_WALL,
	VF_WALL_CI,
	VF_RSS,
	VF_LAST,
	VF_HIST_RUNS,
	VF_HIST_FLAGGED,
	VF_PAIRS,
	VF_MIN_PAIRS,
	VF_VERDICT,
	VF_SPEEDUP,
	VF_SPEEDUP_INT,
	VF_SPEEDUP_LEVEL,
	VF_P,
	VF_P_ADJ,
	VF_SIGNIFICANT,
	VF_DETECTABLE,
	VF_MARGIN,
	VF_N
};

static const struct {
	const char *name;
	const char *type;
	const char *help;
} vfams[VF_N] = {
    {"allocbench_variant_info", "gauge",
        "Always 1; labels identify the variant's allocator library (path and build-id or SHA-256), its libc and Python, its baseline and environment segment."},
    {"allocbench_variant_available", "gauge",
        "Whether the interpreter and the allocator of the variant were found."},
    {"allocbench_wall_seconds", "gauge",
        "Median wall time of the verified runs in the statistics window."},
    {"allocbench_wall_ci95_seconds", "gauge",
        "Bounds of the distribution-free 95% confidence interval of the median wall time."},
    {"allocbench_peak_rss_bytes", "gauge",
        "Median peak resident set size of the verified runs in the statistics window."},
    {"allocbench_last_run_timestamp_seconds", "gauge",
        "Start time of the newest run of the variant, seconds since the epoch."},
    {"allocbench_variant_history_runs", "gauge",
        "Runs of the variant held in the history, by outcome; falls when old runs expire."},
    {"allocbench_variant_history_flagged_runs", "gauge",
        "Verified runs of the variant in the history that are excluded from the statistics."},
    {"allocbench_comparison_pairs", "gauge",
        "Rounds in which the variant and its baseline both have a clean verified run."},
    {"allocbench_comparison_min_pairs", "gauge",
        "Pairs a comparison needs before any statistic is published."},
    {"allocbench_verdict", "gauge",
        "State set: 1 for the comparison's current verdict against the baseline, 0 for the others."},
    {"allocbench_speedup_ratio", "gauge",
        "Baseline wall time over variant wall time (Hodges-Lehmann estimate over the pairs); above 1 is faster. Only with enough pairs."},
    {"allocbench_speedup_interval_ratio", "gauge",
        "Bounds of the speedup's confidence interval at the per-look Holm level allocbench_speedup_interval_level, not 95%. Only with enough pairs."},
    {"allocbench_speedup_interval_level", "gauge",
        "Confidence level of allocbench_speedup_interval_ratio (1 minus the per-look Holm level). Only with enough pairs."},
    {"allocbench_speedup_p_value", "gauge",
        "Raw signed-rank p-value of the pairs against the baseline. Only with enough pairs."},
    {"allocbench_speedup_p_value_adjusted", "gauge",
        "Holm-adjusted p-value across the comparisons of the summary. Only with enough pairs."},
    {"allocbench_speedup_significant", "gauge",
        "1 when the verdict is faster or slower after Holm's correction at the per-look level. Only with enough pairs."},
    {"allocbench_comparison_detectable_ratio", "gauge",
        "Smallest relative difference the pairs could have detected. Only with enough pairs."},
    {"allocbench_comparison_margin_ratio", "gauge",
        "Relative margin within which two variants are called equivalent."},
};

/* The identity the daemon gave for a variant, or NULL. */
static const struct metrics_variant *
find_ident(const struct metrics_daemon *d, const char *interp,
    const char *alloc)
{
	size_t i;

	if (d == NULL || interp == NULL || alloc == NULL)
		return NULL;
	for (i = 0; i < d->nvariants; i++) {
		const struct metrics_variant *mv = &d->variants[i];

		if (mv->interpreter != NULL && mv->allocator != NULL &&
		    strcmp(mv->interpreter, interp) == 0 &&
		    strcmp(mv->allocator, alloc) == 0)
			return mv;
	}
	return NULL;
}

/* One allocbench_variant_info sample: the library's identity comes from
 * the daemon (the newest run's fingerprint), the rest from the summary. */
static void
info_sample(struct ab_buf *b, const struct vrow *r,
    const struct metrics_daemon *d)
{
	const cJSON *v = r->v;
	const struct metrics_variant *mv = find_ident(d,
	    jsonr_str(v, "interpreter"), jsonr_str(v, "allocator"));
	const char *lib = mv != NULL && mv->library != NULL
	    ? mv->library
	    : jsonr_str(v, "library");
	struct ab_buf l = AB_BUF_INIT;

	ab_buf_append(&l, r->labels.p, r->labels.len);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "library", lib);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "library_id", mv ? mv->lib_id : NULL);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "libc", mv ? mv->libc : NULL);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "python_version", jsonr_str(v, "python_version"));
	AB_BUF_LIT(&l, ",");
	put_label(&l, "baseline",
	    r->cmp != NULL ? jsonr_str(r->cmp, "baseline") : NULL);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "segment", jsonr_str(v, "segment"));
	sample(b, vfams[VF_INFO].name, l.p, NULL, NULL, 1);
	ab_buf_free(&l);
}

/* Adds one sample of x when it is finite. */
static void
num_sample(struct ab_buf *b, enum vfam f, const char *labels, double x)
{
	if (isfinite(x))
		sample(b, vfams[f].name, labels, NULL, NULL, x);
}

/* Both bounds of the [lo, hi] member key of o, when both are numbers. */
static void
pair_samples(struct ab_buf *b, enum vfam f, const char *labels, const cJSON *o,
    const char *key)
{
	if (!has_pair(o, key))
		return;
	sample(b, vfams[f].name, labels, "bound", "lower",
	    jsonr_pair(o, key, 0));
	sample(b, vfams[f].name, labels, "bound", "upper",
	    jsonr_pair(o, key, 1));
}

/* The samples of family f for one variant. */
static void
variant_samples(struct ab_buf *b, enum vfam f, const struct vrow *r,
    const struct metrics_daemon *d)
{
	const cJSON *v = r->v, *cmp = r->cmp;
	const cJSON *wall = cJSON_GetObjectItemCaseSensitive(v, "wall_s");
	const cJSON *rss = cJSON_GetObjectItemCaseSensitive(v, "maxrss_kb");
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
	const char *name = vfams[f].name, *labels = r->labels.p, *verdict;
	const char *last;
	int64_t last_ms;
	double x;
	size_t i;

	switch (f) {
	case VF_INFO:
		info_sample(b, r, d);
		break;
	case VF_AVAILABLE:
		sample(b, name, labels, NULL, NULL, jsonr_true(v, "available"));
		break;
	case VF_WALL:
		num_sample(b, f, labels, jsonr_num(wall, "median"));
		break;
	case VF_WALL_CI:
		pair_samples(b, f, labels, wall, "ci95");
		break;
	case VF_RSS:
		num_sample(b, f, labels, jsonr_num(rss, "median") * 1024.0);
		break;
	case VF_LAST:
		last = jsonr_str(v, "last_run_at");
		if (last != NULL && timefmt_parse_rfc3339(last, &last_ms) == 0)
			sample(b, name, labels, NULL, NULL,
			    (double)last_ms / 1000.0);
		break;
	case VF_HIST_RUNS:
		if (!cJSON_IsObject(runs))
			break;
		for (i = 0; i < RUN_NSTATUS; i++) {
			const char *st = run_status_name((enum run_status)i);

			x = jsonr_num(runs, st);
			sample(b, name, labels, "status", st,
			    isfinite(x) ? x : 0);
		}
		break;
	case VF_HIST_FLAGGED:
		num_sample(b, f, labels, jsonr_num(runs, "flagged"));
		break;
	case VF_PAIRS:
		num_sample(b, f, labels, jsonr_num(cmp, "pairs"));
		break;
	case VF_MIN_PAIRS:
		x = jsonr_num(cmp, "min_pairs");
		if (cmp != NULL)
			num_sample(b, f, labels,
			    isfinite(x) && x > AB_METRICS_MIN_PAIRS
			        ? x
			        : AB_METRICS_MIN_PAIRS);
		break;
	case VF_VERDICT:
		verdict = jsonr_str(cmp, "verdict");
		for (i = 0; verdict != NULL && i < NVERDICTS; i++)
			if (strcmp(verdict, verdicts[i]) == 0)
				break;
		if (verdict == NULL || i == NVERDICTS)
			break; /* a verdict this writer does not know */
		/* Whatever the summary says, too few pairs is collecting. */
		if (!r->enough)
			verdict = "collecting";
		for (i = 0; i < NVERDICTS; i++)
			sample(b, name, labels, "verdict", verdicts[i],
			    strcmp(verdict, verdicts[i]) == 0);
		break;
	case VF_SPEEDUP:
		if (r->enough)
			num_sample(b, f, labels, jsonr_num(cmp, "speedup"));
		break;
	case VF_SPEEDUP_INT:
		if (r->enough)
			pair_samples(b, f, labels, cmp, "ci");
		break;
	case VF_SPEEDUP_LEVEL:
		if (r->enough && has_pair(cmp, "ci"))
			num_sample(b, f, labels, jsonr_num(cmp, "ci_level"));
		break;
	case VF_P:
		if (r->enough)
			num_sample(b, f, labels, jsonr_num(cmp, "p_value"));
		break;
	case VF_P_ADJ:
		if (r->enough)
			num_sample(b, f, labels, jsonr_num(cmp, "p_adjusted"));
		break;
	case VF_SIGNIFICANT:
		if (r->enough &&
		    cJSON_IsBool(
		        cJSON_GetObjectItemCaseSensitive(cmp, "significant")))
			sample(b, name, labels, NULL, NULL,
			    jsonr_true(cmp, "significant"));
		break;
	case VF_DETECTABLE:
		if (r->enough)
			num_sample(b, f, labels, jsonr_num(cmp, "detectable"));
		break;
	case VF_MARGIN:
		num_sample(b, f, labels, jsonr_num(cmp, "margin"));
		break;
	default:
		break;
	}
}

static void
host_families(struct ab_buf *out, struct ab_buf *fam,
    const struct host_reading *r)
{
	size_t i;

	if (isfinite(r->temp_c))
		sample(fam, "allocbench_cpu_temperature_celsius", NULL, NULL,
		    NULL, r->temp_c);
	flush(out, fam, "allocbench_cpu_temperature_celsius", "gauge",
	    "Hottest thermal zone at the latest reading.");
	if (r->freq_khz >= 0)
		sample(fam, "allocbench_cpu_frequency_hertz", NULL, NULL, NULL,
		    (double)r->freq_khz * 1000.0);
	flush(out, fam, "allocbench_cpu_frequency_hertz", "gauge",
	    "Current frequency of cpu0 at the latest reading.");
	if (isfinite(r->load1))
		sample(fam, "allocbench_load1", NULL, NULL, NULL, r->load1);
	flush(out, fam, "allocbench_load1", "gauge",
	    "One-minute load average at the latest reading.");
	if (r->throttled >= 0) {
		for (i = 0; i < AB_THROTTLE_NCOND; i++) {
			unsigned b = (unsigned)i;
			struct ab_buf l = AB_BUF_INIT;

			put_label(&l, "condition", hostmon_conditions[i]);
			sample(fam, "allocbench_throttled", l.p, "when", "now",
			    (r->throttled >> b) & 1);
			sample(fam, "allocbench_throttled", l.p, "when",
			    "since_boot", (r->throttled >> (b + 16)) & 1);
			ab_buf_free(&l);
		}
	}
	flush(out, fam, "allocbench_throttled", "gauge",
	    "Raspberry Pi firmware throttling conditions, now and since boot.");
}

/* The distinct python_version values of the variants, comma-separated in
 * the order they first appear. */
static void
python_versions(struct ab_buf *b, const cJSON *vars)
{
	const cJSON *v, *w;
	int first = 1;

	ab_buf_append(b, "", 0);
	cJSON_ArrayForEach(v, vars) {
		const char *pv = jsonr_str(v, "python_version");
		int seen = 0;

		if (pv == NULL || *pv == '\0')
			continue;
		for (w = vars->child; w != v; w = w->next) {
			const char *o = jsonr_str(w, "python_version");

			if (o != NULL && strcmp(o, pv) == 0)
				seen = 1;
		}
		if (seen)
			continue;
		if (!first)
			AB_BUF_LIT(b, ",");
		ab_buf_puts(b, pv);
		first = 0;
	}
}

static void
identity_families(struct ab_buf *out, struct ab_buf *fam,
    const struct metrics_daemon *d, const cJSON *vars)
{
	struct ab_buf l = AB_BUF_INIT, py = AB_BUF_INIT;

	sample(fam, "allocbench_build_info", NULL, "version",
	    d->version ? d->version : "", 1);
	flush(out, fam, "allocbench_build_info", "gauge",
	    "Always 1; the version label names the allocbenchd release.");

	python_versions(&py, vars);
	put_label(&l, "hostname", d->host.hostname);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "model", d->host.cpu_model);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "machine", d->host.machine);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "kernel", d->host.kernel);
	AB_BUF_LIT(&l, ",");
	put_label(&l, "python", py.p);
	sample(fam, "allocbench_host_info", l.p, NULL, NULL, 1);
	flush(out, fam, "allocbench_host_info", "gauge",
	    "Always 1; labels name the board model, architecture, kernel release and Python versions.");
	if (d->host.cpus > 0)
		sample(fam, "allocbench_host_cpus", NULL, NULL, NULL,
		    (double)d->host.cpus);
	flush(out, fam, "allocbench_host_cpus", "gauge", "Online CPUs.");
	ab_buf_free(&l);
	ab_buf_free(&py);
}

/* The readiness family, whole, for 0 and 1. */
static const char *const ready_family[2] =
    {"# HELP allocbench_ready " AB_READY_HELP "\n"
     "# TYPE allocbench_ready gauge\nallocbench_ready 0\n",
        "# HELP allocbench_ready " AB_READY_HELP "\n"
        "# TYPE allocbench_ready gauge\nallocbench_ready 1\n"};

/* Copies the family into buf, which should hold AB_METRICS_READY_MAX
 * bytes; the text is cut (and still NUL-terminated) when it is smaller. */
size_t
metrics_ready_text(int ready, char *buf, size_t len)
{
	const char *t = ready_family[ready != 0];
	size_t n = strlen(t);

	if (len == 0)
		return 0;
	if (n >= len)
		n = len - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return n;
}

static void
daemon_families(struct ab_buf *out, struct ab_buf *fam,
    const struct metrics_daemon *d)
{
	size_t i;

	sample(fam, "allocbench_runs_started_total", NULL, NULL, NULL,
	    (double)d->runs_started);
	flush(out, fam, "allocbench_runs_started_total", "counter",
	    "Measured runs started since the daemon started; warm-up runs are not counted.");
	for (i = 0; i < RUN_NSTATUS; i++)
		sample(fam, "allocbench_runs_finished_total", NULL, "status",
		    run_status_name((enum run_status)i),
		    (double)d->runs_finished[i]);
	flush(out, fam, "allocbench_runs_finished_total", "counter",
	    "Measured runs finished since the daemon started, by outcome; started minus finished is the run in progress.");
	for (i = 0; i < METRICS_NREASONS; i++)
		sample(fam, "allocbench_runs_flagged_total", NULL, "reason",
		    reason_names[i], (double)d->runs_flagged[i]);
	flush(out, fam, "allocbench_runs_flagged_total", "counter",
	    "Verified runs excluded from the statistics since the daemon started, by reason; a run with several reasons counts under each.");
	sample(fam, "allocbench_rounds_completed_total", NULL, NULL, NULL,
	    (double)d->rounds_completed);
	flush(out, fam, "allocbench_rounds_completed_total", "counter",
	    "Measurement rounds completed since the daemon started.");
	if (d->interval_s > 0)
		sample(fam, "allocbench_round_interval_seconds", NULL, NULL,
		    NULL, d->interval_s);
	flush(out, fam, "allocbench_round_interval_seconds", "gauge",
	    "Configured time between the starts of two rounds.");
	if (d->last_round_ms != 0)
		sample(fam, "allocbench_last_round_timestamp_seconds", NULL,
		    NULL, NULL, (double)d->last_round_ms / 1000.0);
	flush(out, fam, "allocbench_last_round_timestamp_seconds", "gauge",
	    "End of the last completed round, seconds since the epoch.");
	if (d->next_round_ms != 0)
		sample(fam, "allocbench_next_round_timestamp_seconds", NULL,
		    NULL, NULL, (double)d->next_round_ms / 1000.0);
	flush(out, fam, "allocbench_next_round_timestamp_seconds", "gauge",
	    "Planned start of the next round, seconds since the epoch; absent while a round runs.");
	if (d->ready >= 0)
		ab_buf_puts(out, ready_family[d->ready != 0]);
	if (d->has_store) {
		sample(fam, "allocbench_persist_ok", NULL, NULL, NULL,
		    d->persist_ok != 0);
		flush(out, fam, "allocbench_persist_ok", "gauge",
		    "1 while results are written to the history file.");
		sample(fam, "allocbench_history_runs", NULL, NULL, NULL,
		    (double)d->history_runs);
		flush(out, fam, "allocbench_history_runs", "gauge",
		    "Runs held in the history.");
	}
}

/*
 * Identity first, then one family at a time over every variant (each
 * family is contiguous, as the format requires), then the host reading
 * and the daemon. Families without samples are left out.
 */
char *
metrics_render(const cJSON *summary, const struct metrics_daemon *d,
    size_t *len)
{
	struct ab_buf out = AB_BUF_INIT, fam = AB_BUF_INIT;
	const cJSON *vars, *v;
	struct vrow *rows = NULL;
	size_t nrows = 0, i;
	int f;

	vars = cJSON_GetObjectItemCaseSensitive(summary, "variants");
	if (!cJSON_IsArray(vars))
		vars = NULL;
	rows = xcalloc((size_t)cJSON_GetArraySize(vars) + 1, sizeof(*rows));
	cJSON_ArrayForEach(v, vars) {
		if (cJSON_IsObject(v) && jsonr_str(v, "interpreter") != NULL &&
		    jsonr_str(v, "allocator") != NULL)
			vrow_init(&rows[nrows++], v);
	}

	ab_buf_append(&out, "", 0);
	identity_families(&out, &fam, d, vars);
	for (f = 0; f < VF_N; f++) {
		for (i = 0; i < nrows; i++)
			variant_samples(&fam, (enum vfam)f, &rows[i], d);
		flush(&out, &fam, vfams[f].name, vfams[f].type, vfams[f].help);
	}
	host_families(&out, &fam, &d->reading);
	daemon_families(&out, &fam, d);

	for (i = 0; i < nrows; i++)
		ab_buf_free(&rows[i].labels);
	free(rows);
	ab_buf_free(&fam);
	return ab_buf_take(&out, len);
}

/* Overdue: idle past next_round_ms by more than max(interval, 60 s).
 * Hung: the current run started more than hang_s ago. */
int
metrics_ready(const struct metrics_schedule *s, int64_t now_ms, char *why,
    size_t whylen)
{
	double grace_s =
	    s->interval_s > AB_HANG_FLOOR_S ? s->interval_s : AB_HANG_FLOOR_S;
	double late_s = (double)(now_ms - s->next_round_ms) / 1000.0;
	double age_s = (double)(now_ms - s->run_started_ms) / 1000.0;

	if (!s->running && s->next_round_ms != 0 && late_s > grace_s) {
		if (why != NULL)
			snprintf(why, whylen,
			    "round overdue by %.0f s (grace %.0f s)", late_s,
			    grace_s);
		return 0;
	}
	if (s->running && s->run_started_ms != 0 && s->hang_s > 0 &&
	    age_s > s->hang_s) {
		if (why != NULL)
			snprintf(why, whylen,
			    "run in progress for %.0f s (limit %.0f s)", age_s,
			    s->hang_s);
		return 0;
	}
	if (why != NULL)
		snprintf(why, whylen, "ok");
	return 1;
}

/* Ten medians, at least AB_HANG_FLOOR_S, at most the timeout. */
double
metrics_hang_limit(double median_s, double timeout_s)
{
	double h;

	if (!isfinite(median_s) || median_s <= 0)
		return timeout_s;
	h = 10.0 * median_s;
	if (h < AB_HANG_FLOOR_S)
		h = AB_HANG_FLOOR_S;
	return timeout_s > 0 && timeout_s < h ? timeout_s : h;
}
