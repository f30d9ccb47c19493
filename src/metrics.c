/* SPDX-License-Identifier: MIT */
/*
 * The results, host and daemon part of /metrics, in the Prometheus text
 * exposition format 0.0.4, derived from the published summary tree and the
 * daemon's plain status data: every family once with # HELP and # TYPE,
 * names prefixed allocbench_, base units, label values escaped.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "hostmon.h"
#include "jsonr.h"
#include "metrics.h"
#include "num.h"
#include "run.h"
#include "timefmt.h"
#include "xmalloc.h"

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

/* A label value with \\, \" and \n escaped, as the 0.0.4 format requires. */
static void
put_label(struct ab_buf *b, const char *name, const char *value)
{
	const char *p;

	ab_buf_printf(b, "%s=\"", name);
	for (p = value ? value : ""; *p != '\0'; p++) {
		if (*p == '\\')
			ab_buf_printf(b, "\\\\");
		else if (*p == '"')
			ab_buf_printf(b, "\\\"");
		else if (*p == '\n')
			ab_buf_printf(b, "\\n");
		else
			ab_buf_printf(b, "%c", *p);
	}
	ab_buf_printf(b, "\"");
}

/*
 * One sample line: name{labels[,extra="value"]} value. labels is an already
 * formatted label list (may be empty).
 */
static void
sample(struct ab_buf *b, const char *name, const char *labels,
    const char *extra, const char *extra_value, double v)
{
	int any = labels != NULL && labels[0] != '\0';

	ab_buf_printf(b, "%s", name);
	if (any || extra != NULL) {
		ab_buf_printf(b, "{%s", any ? labels : "");
		if (extra != NULL) {
			if (any)
				ab_buf_printf(b, ",");
			put_label(b, extra, extra_value);
		}
		ab_buf_printf(b, "}");
	}
	ab_buf_printf(b, " ");
	put_value(b, v);
	ab_buf_printf(b, "\n");
}

/* Moves the samples collected in fam to out under their # HELP and # TYPE
 * lines; a family without samples is left out. */
static void
family_flush(struct ab_buf *out, struct ab_buf *fam, const char *name,
    const char *type, const char *help)
{
	if (fam->len == 0)
		return;
	ab_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
	ab_buf_printf(out, "%s", fam->p);
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
variant_samples(struct ab_buf *b, enum vfam f, const cJSON *v,
    const char *labels)
{
	const cJSON *wall = cJSON_GetObjectItemCaseSensitive(v, "wall_s");
	const cJSON *sp = cJSON_GetObjectItemCaseSensitive(v, "speedup");
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
	const cJSON *rss = cJSON_GetObjectItemCaseSensitive(v, "maxrss_kb");
	const char *name = vfams[f].name, *last = jsonr_str(v, "last_run_at");
	int64_t last_ms;
	int i;

	switch (f) {
	case VF_AVAILABLE:
		sample(b, name, labels, NULL, NULL,
		    cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(v, "available")));
		break;
	case VF_WALL:
		if (isfinite(jsonr_num(wall, "median")))
			sample(b, name, labels, NULL, NULL,
			    jsonr_num(wall, "median"));
		break;
	case VF_WALL_CI:
		if (isfinite(jsonr_pair(wall, "ci95", 0))) {
			sample(b, name, labels, "bound", "lower",
			    jsonr_pair(wall, "ci95", 0));
			sample(b, name, labels, "bound", "upper",
			    jsonr_pair(wall, "ci95", 1));
		}
		break;
	case VF_SPEEDUP:
		if (isfinite(jsonr_num(sp, "ratio")))
			sample(b, name, labels, NULL, NULL,
			    jsonr_num(sp, "ratio"));
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
			double n = jsonr_num(runs, st);

			sample(b, name, labels, "status", st,
			    isfinite(n) ? n : 0);
		}
		break;
	case VF_FLAGGED:
		if (isfinite(jsonr_num(runs, "flagged")))
			sample(b, name, labels, NULL, NULL,
			    jsonr_num(runs, "flagged"));
		break;
	case VF_LAST:
		if (last != NULL && timefmt_parse_rfc3339(last, &last_ms) == 0)
			sample(b, name, labels, NULL, NULL,
			    (double)last_ms / 1000.0);
		break;
	case VF_RSS:
		if (isfinite(jsonr_num(rss, "median")))
			sample(b, name, labels, NULL, NULL,
			    jsonr_num(rss, "median") * 1024.0);
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
	family_flush(out, fam, "allocbench_throttled", "gauge",
	    "Raspberry Pi firmware throttling conditions, now and since boot.");
}

/*
 * Every per-variant number is read from the summary tree itself, so each
 * equals what the summary says; families without samples are left out.
 */
char *
metrics_render(const cJSON *summary, const struct render_daemon *d, size_t *len)
{
	struct ab_buf out = AB_BUF_INIT, fam = AB_BUF_INIT;
	struct ab_buf *labels = NULL;
	const cJSON *vars, *v;
	size_t nvars = 0, i;
	int f;

	vars = cJSON_GetObjectItemCaseSensitive(summary, "variants");
	if (cJSON_IsArray(vars))
		nvars = (size_t)cJSON_GetArraySize(vars);

	ab_buf_append(&out, "", 0);
	ab_buf_append(&fam, "", 0);
	sample(&fam, "allocbench_build_info", "", "version",
	    d->version ? d->version : "", 1);
	family_flush(&out, &fam, "allocbench_build_info", "gauge",
	    "Always 1; the version label names the allocbenchd release.");

	labels = xcalloc(nvars ? nvars : 1, sizeof(*labels));
	i = 0;
	cJSON_ArrayForEach(v, vars) {
		put_label(&labels[i], "interpreter",
		    jsonr_str(v, "interpreter"));
		AB_BUF_LIT(&labels[i], ",");
		put_label(&labels[i], "allocator", jsonr_str(v, "allocator"));
		i++;
	}
	for (f = 0; f < VF_N; f++) {
		i = 0;
		cJSON_ArrayForEach(v, vars) {
			variant_samples(&fam, (enum vfam)f, v, labels[i].p);
			i++;
		}
		family_flush(&out, &fam, vfams[f].name, vfams[f].type,
		    vfams[f].help);
	}

	host_families(&out, &fam, &d->reading);

	sample(&fam, "allocbench_rounds_completed_total", "", NULL, NULL,
	    (double)d->rounds_completed);
	family_flush(&out, &fam, "allocbench_rounds_completed_total", "counter",
	    "Measurement rounds completed since the daemon started.");
	if (d->has_store) {
		sample(&fam, "allocbench_persist_ok", "", NULL, NULL,
		    d->persist_ok);
		family_flush(&out, &fam, "allocbench_persist_ok", "gauge",
		    "1 while results are written to the history file.");
		sample(&fam, "allocbench_history_runs", "", NULL, NULL,
		    (double)d->history_runs);
		family_flush(&out, &fam, "allocbench_history_runs", "gauge",
		    "Runs held in the history.");
	}

	for (i = 0; i < nvars; i++)
		ab_buf_free(&labels[i]);
	free(labels);
	ab_buf_free(&fam);
	return ab_buf_take(&out, len);
}
