/* SPDX-License-Identifier: MIT */
/*
 * The comparisons: each variant against its interpreter's glibc baseline,
 * on the paired per-round log ratios of wall time, judged together.
 */
#ifndef AB_COMPARE_H
#define AB_COMPARE_H

#include <stddef.h>

#include "catalog.h"
#include "stats.h"
#include "store.h"

struct compare_opts {
	size_t window;       /* newest pairs per comparison; 0 = all (at most
	                        AB_PAIRS_MAX) */
	long iterations;     /* only runs of this size; 0 = any */
	int include_flagged; /* 0: flagged runs never pair */
	double margin;       /* equivalence margin, e.g. 0.02 */
	size_t looks;        /* the n_max of the per-look level (the window
	                        of a daemon, --max-runs of --once); 0: one
	                        look (a fixed --runs) */
};

struct comparison {
	const struct variant *v;
	const struct variant *base; /* NULL: v is a baseline, or has none */
	const char *segment;        /* v's current environment, or NULL */
	const char *base_segment;   /* the baseline's, or NULL */
	size_t pairs;               /* rounds with both runs usable */
	double level; /* the level it was tested at (Holm with per-look
	                 levels); NAN while collecting */
	double p_adj; /* Holm-adjusted p for display; NAN while collecting */
	struct stats_paired res; /* the verdict and its numbers (log scale) */
};

/*
 * Judges every variant of c that has a baseline. For each, the usable
 * rounds are those in which the variant and its baseline both have a
 * verified run that passes the filter (size, flags) and belongs to that
 * variant's current segment (store_segment); the newest `window` of them
 * give the differences d = log(baseline CPU time / variant CPU time). Every
 * comparison with at least AB_MIN_PAIRS pairs is tested with Holm's
 * step-down at the per-look levels (stats_holm_levels), so the chance of
 * any false call over all comparisons and looks stays at AB_LOOKS_FWER.
 * Returns c->nvariants entries in the catalogue's order; the caller frees
 * them with free(3). Never fails: a comparison that cannot be computed
 * stays STATS_COLLECTING.
 */
struct comparison *compare_all(const struct catalog *c, const struct store *s,
    const struct compare_opts *o);

#endif
