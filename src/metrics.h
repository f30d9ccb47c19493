/* SPDX-License-Identifier: MIT */
/*
 * The results, host and daemon part of /metrics in the Prometheus text
 * exposition format 0.0.4, written from plain data only: the published
 * summary tree (render_summary's document, with its per-variant
 * "comparison" object) and a struct metrics_daemon the state fills from
 * the scheduler's counters. Nothing here reads the state, the store or a
 * clock; the readiness rule takes the time as an argument.
 */
#ifndef AB_METRICS_H
#define AB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "host.h"
#include "run.h"

/* Fewer pairs than this and a comparison exports no statistic at all. */
#define AB_METRICS_MIN_PAIRS 6

/* Why a verified run was left out of the statistics; a run with several
 * reasons counts once under each. */
enum metrics_reason {
	METRICS_REASON_THROTTLED,
	METRICS_REASON_UNDER_VOLTAGE,
	METRICS_REASON_CONTENDED,
	METRICS_REASON_LOADED,
	METRICS_NREASONS
};

/* Identity of one variant's allocator library, for allocbench_variant_info,
 * from the environment fingerprint of the variant's newest run; NULL
 * fields are exported as empty label values. */
struct metrics_variant {
	const char *interpreter; /* as in the summary's variant */
	const char *allocator;
	const char *library; /* the file that provided malloc */
	const char *lib_id;  /* "build-id:HEX" or "sha256:HEX" */
	const char *libc;    /* gnu_get_libc_version() */
};

/*
 * What the daemon knows that the summary does not. Counters count since
 * the daemon started and never decrease; timestamps are ms since the epoch
 * with 0 meaning "none".
 */
struct metrics_daemon {
	const char *version; /* PACKAGE_VERSION */
	struct host_info host;
	struct host_reading reading; /* latest; unknown fields NAN / -1 */
	/* true counters */
	uint64_t runs_started;
	uint64_t runs_finished[RUN_NSTATUS];     /* by enum run_status */
	uint64_t runs_flagged[METRICS_NREASONS]; /* by metrics_reason */
	uint64_t rounds_completed;
	/* schedule */
	double interval_s;     /* seconds between round starts */
	int64_t last_round_ms; /* end of the last completed round */
	int64_t next_round_ms; /* planned start of the next round */
	int ready; /* 1 / 0 (metrics_ready), or -1: leave the family out */
	/* history */
	int has_store; /* persist_ok and history_runs are known */
	int persist_ok;
	size_t history_runs;
	/* library identity per variant; may be NULL/0 */
	const struct metrics_variant *variants;
	size_t nvariants;
};

/*
 * Formats the families for summary (may be NULL: no per-variant families)
 * and d. Every per-variant statistic is read from the summary tree, so it
 * equals the summary bit for bit. Label values are escaped as the 0.0.4
 * format requires. Stores the length in *len; the caller frees the
 * NUL-terminated result with free(3).
 */
char *metrics_render(const cJSON *summary, const struct metrics_daemon *d,
    size_t *len);

/* What metrics_ready looks at; times in ms since the epoch, 0 = none. */
struct metrics_schedule {
	double interval_s;      /* seconds between round starts */
	int64_t next_round_ms;  /* planned start of the next round */
	int running;            /* a round is in progress */
	int64_t run_started_ms; /* start of the run in progress */
	double hang_s;          /* the limit for that run; <= 0: none */
};

/*
 * The readiness rule: returns 0 (not ready) when no round is running and
 * the planned one is overdue by more than max(interval, 60 s), or when a
 * run is in progress and started more than hang_s seconds before now_ms;
 * else 1. The reason, or "ok", goes to why (may be NULL).
 */
int metrics_ready(const struct metrics_schedule *s, int64_t now_ms, char *why,
    size_t whylen);

/*
 * The hang limit of a run whose variant usually takes median_s seconds
 * (NAN: unknown): min(timeout_s, max(60 s, 10 * median_s)), the timeout
 * alone when the median is unknown.
 */
double metrics_hang_limit(double median_s, double timeout_s);

/* Bytes the allocbench_ready family takes, with its NUL. */
#define AB_METRICS_READY_MAX 160

/*
 * Readiness depends on the time of the scrape, not of the last change, so
 * a document prepared at publish time leaves it out (ready = -1) and the
 * endpoint appends this family: writes its # HELP, # TYPE and sample for
 * ready (0 or 1) into buf (len bytes, AB_METRICS_READY_MAX is enough) and
 * returns the length written, without the NUL.
 */
size_t metrics_ready_text(int ready, char *buf, size_t len);

/* "throttled", "under_voltage", "contended", "loaded". */
const char *metrics_reason_name(enum metrics_reason r);

/*
 * Adds one to counts[] under each reason that run flags name
 * (RUN_FLAG_THROTTLED, RUN_FLAG_UNDER_VOLTAGE, RUN_FLAG_CONTENDED,
 * RUN_FLAG_LOADED).
 */
void metrics_count_flags(unsigned flags, uint64_t counts[METRICS_NREASONS]);

#endif
