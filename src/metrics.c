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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "xmalloc.h"

#define AB_READY_HELP "0 when a round is overdue or a run hangs, else 1."

/* A growing text buffer; p is NUL-terminated once anything was added. */
struct mbuf {
	char *p;
	size_t len;
	size_t cap;
};

static void
mb_append(struct mbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2 + 256;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
mb_puts(struct mbuf *b, const char *s)
{
	mb_append(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
mb_printf(struct mbuf *b, const char *fmt, ...)
{
	char small[256], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		mb_append(b, small, (size_t)n);
		return;
	}
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	mb_append(b, big, (size_t)n);
	free(big);
}

static void
mb_reset(struct mbuf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

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
put_label(struct mbuf *b, const char *name, const char *value)
{
	const unsigned char *p = (const unsigned char *)(value ? value : "");
	size_t n;

	mb_printf(b, "%s=\"", name);
	while (*p != '\0') {
		if (*p == '\\')
			mb_puts(b, "\\\\");
		else if (*p == '"')
			mb_puts(b, "\\\"");
		else if (*p == '\n')
			mb_puts(b, "\\n");
		else if ((n = utf8_len(p)) == 0)
			mb_puts(b, "\xef\xbf\xbd");
		else {
			mb_append(b, (const char *)p, n);
			p += n;
			continue;
		}
		p++;
	}
	mb_puts(b, "\"");
}

/* A sample value: NaN, +Inf, -Inf as the format spells them, else the
 * shorter of %.15g and %.17g that reads back exactly. */
static void
put_value(struct mbuf *b, double v)
{
	char tmp[40];

	if (isnan(v))
		mb_puts(b, "NaN");
	else if (isinf(v))
		mb_puts(b, v > 0 ? "+Inf" : "-Inf");
	else {
		snprintf(tmp, sizeof(tmp), "%.15g", v);
		if (strtod(tmp, NULL) != v)
			snprintf(tmp, sizeof(tmp), "%.17g", v);
		mb_puts(b, tmp);
	}
}

/* One sample line: name{labels[,extra="value"]} v, labels being an already
 * formatted list (NULL or "" for none). */
static void
sample(struct mbuf *b, const char *name, const char *labels, const char *extra,
    const char *extra_value, double v)
{
	int any = labels != NULL && labels[0] != '\0';

	mb_puts(b, name);
	if (any || extra != NULL) {
		mb_puts(b, "{");
		if (any)
			mb_puts(b, labels);
		if (extra != NULL) {
			if (any)
				mb_puts(b, ",");
			put_label(b, extra, extra_value);
		}
		mb_puts(b, "}");
	}
	mb_puts(b, " ");
	put_value(b, v);
	mb_puts(b, "\n");
}

/* Moves the samples gathered in fam to out under their # HELP and # TYPE
 * lines; a family without samples is left out. */
static void
flush(struct mbuf *out, struct mbuf *fam, const char *name, const char *type,
    const char *help)
{
	if (fam->len == 0)
		return;
	mb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	mb_append(out, fam->p, fam->len);
	mb_reset(fam);
}

/* A number member of o, or NAN when absent, null or not a number. */
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

/* Element i of a [lo, hi] member of o, or NAN. */
static double
jpair(const cJSON *o, const char *key, int i)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	const cJSON *v = cJSON_IsArray(a) && cJSON_GetArraySize(a) == 2
	    ? cJSON_GetArrayItem(a, i)
	    : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The n-digit decimal number at s, or -1. */
static int
digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Seconds since the epoch of an RFC 3339 UTC time as render_rfc3339
 * writes it ("2026-01-02T03:04:05.678Z", the fraction optional), or NAN. */
static double
rfc3339_seconds(const char *s)
{
	struct tm tm;
	double frac = 0, scale = 0.1;
	const char *p;

	if (s == NULL || strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return NAN;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 ||
	    tm.tm_sec < 0 || tm.tm_sec > 60)
		return NAN;
	p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	if (strcmp(p, "Z") != 0)
		return NAN;
	return (double)timegm(&tm) + frac;
}

static const char *const reason_names[METRICS_NREASONS] = {"throttled",
    "under_voltage", "contended", "loaded"};

const char *
metrics_reason_name(enum metrics_reason r)
{
	return (unsigned)r < METRICS_NREASONS ? reason_names[r] : "unknown";
}

/* The verdicts of a comparison, exported as a state set. */
static const char *const verdicts[] = {"collecting", "faster", "slower",
    "equivalent", "undecided"};
#define NVERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

/* What one variant of the summary exports, worked out once. */
struct vrow {
	const cJSON *v;
	char *labels;     /* interpreter="...",allocator="..." */
	const cJSON *cmp; /* "comparison" object, or NULL */
	int has_cmp_key;  /* the summary has the new schema for it */
	int enough;       /* statistics may be exported */
	const cJSON *sp;  /* old "speedup" object when enough, or NULL */
};

/* wall_s.n of the variant with the given id, or 0. */
static double
wall_n_of(const cJSON *vars, const char *id)
{
	const cJSON *v;
	double n;

	if (id == NULL)
		return 0;
	cJSON_ArrayForEach(v, vars) {
		const char *vid = jstr(v, "id");

		if (vid != NULL && strcmp(vid, id) == 0) {
			n = jnum(cJSON_GetObjectItemCaseSensitive(v, "wall_s"),
			    "n");
			return isfinite(n) ? n : 0;
		}
	}
	return 0;
}

/*
 * Decides what a variant may export. With a "comparison" object, its
 * statistics need pairs >= max(min_pairs, AB_METRICS_MIN_PAIRS). Without
 * one (a summary from before the paired analysis), the old speedup needs
 * that many verified runs on both sides.
 */
static void
vrow_init(struct vrow *r, const cJSON *vars, const cJSON *v)
{
	const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(v, "comparison");
	const cJSON *sp = cJSON_GetObjectItemCaseSensitive(v, "speedup");
	double need = AB_METRICS_MIN_PAIRS, pairs, nv, nb;
	struct mbuf l = {NULL, 0, 0};

	memset(r, 0, sizeof(*r));
	r->v = v;
	put_label(&l, "interpreter", jstr(v, "interpreter"));
	mb_puts(&l, ",");
	put_label(&l, "allocator", jstr(v, "allocator"));
	r->labels = l.p;
	r->has_cmp_key = cmp != NULL;
	if (cJSON_IsObject(cmp)) {
		r->cmp = cmp;
		if (jnum(cmp, "min_pairs") > need)
			need = jnum(cmp, "min_pairs");
		pairs = jnum(cmp, "pairs");
		r->enough = isfinite(pairs) && pairs >= need;
	} else if (cmp == NULL && cJSON_IsObject(sp)) {
		nv = jnum(cJSON_GetObjectItemCaseSensitive(v, "wall_s"), "n");
		nb = wall_n_of(vars, jstr(sp, "baseline"));
		r->enough = isfinite(nv) && nv >= need && nb >= need;
		r->sp = r->enough ? sp : NULL;
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
	VF_SPEEDUP_CI,
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
        "Always 1; labels identify the variant's allocator library, its Python and its baseline."},
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
        "Baseline wall time over variant wall time; above 1 is faster. Only with enough pairs."},
    {"allocbench_speedup_ci95_ratio", "gauge",
        "Bounds of the 95% confidence interval of the speedup. Only with enough pairs."},
    {"allocbench_speedup_p_value", "gauge",
        "Raw p-value of the test against the baseline. Only with enough pairs."},
    {"allocbench_speedup_p_value_adjusted", "gauge",
        "Holm-adjusted p-value across the comparisons of the summary. Only with enough pairs."},
    {"allocbench_speedup_significant", "gauge",
        "1 when the difference from the baseline is significant. Only with enough pairs."},
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

static void
info_sample(struct mbuf *b, const struct vrow *r,
    const struct metrics_daemon *d)
{
	const cJSON *v = r->v;
	const struct metrics_variant *mv =
	    find_ident(d, jstr(v, "interpreter"), jstr(v, "allocator"));
	const char *lib = mv != NULL && mv->library != NULL
	    ? mv->library
	    : jstr(v, "library");
	struct mbuf l = {NULL, 0, 0};

	mb_puts(&l, r->labels);
	mb_puts(&l, ",");
	put_label(&l, "library", lib);
	mb_puts(&l, ",");
	put_label(&l, "library_version", mv ? mv->lib_version : NULL);
	mb_puts(&l, ",");
	put_label(&l, "library_id", mv ? mv->lib_id : NULL);
	mb_puts(&l, ",");
	put_label(&l, "python_version", jstr(v, "python_version"));
	mb_puts(&l, ",");
	put_label(&l, "baseline",
	    r->cmp != NULL
	        ? jstr(r->cmp, "baseline")
	        : jstr(cJSON_GetObjectItemCaseSensitive(v, "speedup"),
	              "baseline"));
	mb_puts(&l, ",");
	put_label(&l, "segment", r->cmp != NULL ? jstr(r->cmp, "segment") : "");
	sample(b, vfams[VF_INFO].name, l.p, NULL, NULL, 1);
	free(l.p);
}

/* Adds one sample of x when it is finite. */
static void
num_sample(struct mbuf *b, enum vfam f, const char *labels, double x)
{
	if (isfinite(x))
		sample(b, vfams[f].name, labels, NULL, NULL, x);
}

/* The samples of family f for one variant. */
static void
variant_samples(struct mbuf *b, enum vfam f, const struct vrow *r,
    const struct metrics_daemon *d)
{
	const cJSON *v = r->v, *cmp = r->cmp;
	const cJSON *wall = cJSON_GetObjectItemCaseSensitive(v, "wall_s");
	const cJSON *rss = cJSON_GetObjectItemCaseSensitive(v, "maxrss_kb");
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
	const cJSON *stat = cmp != NULL ? cmp : r->sp;
	const char *name = vfams[f].name, *verdict;
	double x;
	size_t i;

	switch (f) {
	case VF_INFO:
		info_sample(b, r, d);
		break;
	case VF_AVAILABLE:
		sample(b, name, r->labels, NULL, NULL,
		    cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(v, "available")));
		break;
	case VF_WALL:
		num_sample(b, f, r->labels, jnum(wall, "median"));
		break;
	case VF_WALL_CI:
	case VF_SPEEDUP_CI:
		if (f == VF_WALL_CI)
			stat = wall;
		else if (!r->enough)
			break;
		if (isfinite(jpair(stat, "ci95", 0)) &&
		    isfinite(jpair(stat, "ci95", 1))) {
			sample(b, name, r->labels, "bound", "lower",
			    jpair(stat, "ci95", 0));
			sample(b, name, r->labels, "bound", "upper",
			    jpair(stat, "ci95", 1));
		}
		break;
	case VF_RSS:
		num_sample(b, f, r->labels, jnum(rss, "median") * 1024.0);
		break;
	case VF_LAST:
		num_sample(b, f, r->labels,
		    rfc3339_seconds(jstr(v, "last_run_at")));
		break;
	case VF_HIST_RUNS:
		if (!cJSON_IsObject(runs))
			break;
		for (i = 0; i < RUN_NSTATUS; i++) {
			const char *st = run_status_name((enum run_status)i);

			x = jnum(runs, st);
			sample(b, name, r->labels, "status", st,
			    isfinite(x) ? x : 0);
		}
		break;
	case VF_HIST_FLAGGED:
		num_sample(b, f, r->labels, jnum(runs, "flagged"));
		break;
	case VF_PAIRS:
		num_sample(b, f, r->labels, jnum(cmp, "pairs"));
		break;
	case VF_MIN_PAIRS:
		x = jnum(cmp, "min_pairs");
		if (cmp != NULL)
			num_sample(b, f, r->labels,
			    isfinite(x) && x > AB_METRICS_MIN_PAIRS
			        ? x
			        : AB_METRICS_MIN_PAIRS);
		break;
	case VF_VERDICT:
		verdict = jstr(cmp, "verdict");
		for (i = 0; verdict != NULL && i < NVERDICTS; i++)
			if (strcmp(verdict, verdicts[i]) == 0)
				break;
		if (verdict == NULL || i == NVERDICTS)
			break; /* a verdict this writer does not know */
		/* Whatever the summary says, too few pairs is collecting. */
		if (!r->enough)
			verdict = "collecting";
		for (i = 0; i < NVERDICTS; i++)
			sample(b, name, r->labels, "verdict", verdicts[i],
			    strcmp(verdict, verdicts[i]) == 0);
		break;
	case VF_SPEEDUP:
		if (r->enough)
			num_sample(b, f, r->labels,
			    jnum(stat, cmp != NULL ? "speedup" : "ratio"));
		break;
	case VF_P:
		if (r->enough)
			num_sample(b, f, r->labels, jnum(stat, "p_value"));
		break;
	case VF_P_ADJ:
		if (r->enough)
			num_sample(b, f, r->labels, jnum(stat, "p_adjusted"));
		break;
	case VF_SIGNIFICANT:
		if (r->enough && stat != NULL &&
		    cJSON_IsBool(
		        cJSON_GetObjectItemCaseSensitive(stat, "significant")))
			sample(b, name, r->labels, NULL, NULL,
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(stat,
			        "significant")));
		break;
	case VF_DETECTABLE:
		if (r->enough)
			num_sample(b, f, r->labels, jnum(cmp, "detectable"));
		break;
	case VF_MARGIN:
		num_sample(b, f, r->labels, jnum(cmp, "margin"));
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
		for (i = 0;
		     i < sizeof(throttle_bits) / sizeof(throttle_bits[0]);
		     i++) {
			unsigned b = throttle_bits[i].bit;
			struct mbuf l = {NULL, 0, 0};

			put_label(&l, "condition", throttle_bits[i].condition);
			sample(fam, "allocbench_throttled", l.p, "when", "now",
			    (r->throttled >> b) & 1);
			sample(fam, "allocbench_throttled", l.p, "when",
			    "since_boot", (r->throttled >> (b + 16)) & 1);
			free(l.p);
		}
	}
	flush(out, fam, "allocbench_throttled", "gauge",
	    "Raspberry Pi firmware throttling conditions, now and since boot.");
}

/* The distinct python_version values of the variants, comma-separated in
 * the order they first appear. */
static void
python_versions(struct mbuf *b, const cJSON *vars)
{
	const cJSON *v, *w;
	int first = 1;

	mb_puts(b, "");
	cJSON_ArrayForEach(v, vars) {
		const char *pv = jstr(v, "python_version");
		int seen = 0;

		if (pv == NULL || *pv == '\0')
			continue;
		for (w = vars != NULL ? vars->child : NULL; w != v;
		     w = w->next) {
			const char *o = jstr(w, "python_version");

			if (o != NULL && strcmp(o, pv) == 0)
				seen = 1;
		}
		if (seen)
			continue;
		if (!first)
			mb_puts(b, ",");
		mb_puts(b, pv);
		first = 0;
	}
}

static void
identity_families(struct mbuf *out, struct mbuf *fam,
    const struct metrics_daemon *d, const cJSON *vars)
{
	struct mbuf l = {NULL, 0, 0}, py = {NULL, 0, 0};

	sample(fam, "allocbench_build_info", NULL, "version",
	    d->version ? d->version : "", 1);
	flush(out, fam, "allocbench_build_info", "gauge",
	    "Always 1; the version label names the allocbenchd release.");

	python_versions(&py, vars);
	put_label(&l, "hostname", d->host.hostname);
	mb_puts(&l, ",");
	put_label(&l, "model", d->host.cpu_model);
	mb_puts(&l, ",");
	put_label(&l, "machine", d->host.machine);
	mb_puts(&l, ",");
	put_label(&l, "kernel", d->host.kernel);
	mb_puts(&l, ",");
	put_label(&l, "python", py.p);
	sample(fam, "allocbench_host_info", l.p, NULL, NULL, 1);
	flush(out, fam, "allocbench_host_info", "gauge",
	    "Always 1; labels name the board model, architecture, kernel release and Python versions.");
	if (d->host.cpus > 0)
		sample(fam, "allocbench_host_cpus", NULL, NULL, NULL,
		    (double)d->host.cpus);
	flush(out, fam, "allocbench_host_cpus", "gauge", "Online CPUs.");
	free(l.p);
	free(py.p);
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
daemon_families(struct mbuf *out, struct mbuf *fam,
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
		mb_puts(out, ready_family[d->ready != 0]);
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
	struct mbuf out = {NULL, 0, 0}, fam = {NULL, 0, 0};
	const cJSON *vars, *v;
	struct vrow *rows = NULL;
	size_t nrows = 0, i;
	int f;

	vars = cJSON_GetObjectItemCaseSensitive(summary, "variants");
	if (!cJSON_IsArray(vars))
		vars = NULL;
	rows = xcalloc((size_t)cJSON_GetArraySize(vars) + 1, sizeof(*rows));
	cJSON_ArrayForEach(v, vars) {
		if (cJSON_IsObject(v) && jstr(v, "interpreter") != NULL &&
		    jstr(v, "allocator") != NULL)
			vrow_init(&rows[nrows++], vars, v);
	}

	mb_puts(&out, "");
	identity_families(&out, &fam, d, vars);
	for (f = 0; f < VF_N; f++) {
		for (i = 0; i < nrows; i++)
			variant_samples(&fam, (enum vfam)f, &rows[i], d);
		flush(&out, &fam, vfams[f].name, vfams[f].type, vfams[f].help);
	}
	host_families(&out, &fam, &d->reading);
	daemon_families(&out, &fam, d);

	for (i = 0; i < nrows; i++)
		free(rows[i].labels);
	free(rows);
	free(fam.p);
	*len = out.len;
	return out.p;
}

/* Overdue: idle past next_round_ms plus one interval (at least 60 s).
 * Hung: the current run started more than hang_s ago. */
int
metrics_ready(const struct metrics_daemon *d, int running,
    int64_t run_started_ms, double hang_s, int64_t now_ms)
{
	double grace_ms = d->interval_s > 60 ? d->interval_s * 1000.0 : 60000.0;

	if (!running && d->next_round_ms != 0 &&
	    (double)(now_ms - d->next_round_ms) > grace_ms)
		return 0;
	if (running && run_started_ms != 0 && hang_s > 0 &&
	    (double)(now_ms - run_started_ms) > hang_s * 1000.0)
		return 0;
	return 1;
}
