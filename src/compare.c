/* SPDX-License-Identifier: MIT */
/*
 * The comparisons behind every verdict, on CPU time (user plus system).
 * Runs come in rounds, and within a
 * round the variants ran minutes apart at most, so a variant's run is
 * compared with its baseline's run of the same round: pairing removes the
 * machine's drift from one round to the next. Only rounds where both runs
 * verified, are unflagged and belong to the current environment segment
 * pair up; older runs without a round id never do. All comparisons of one
 * summary are judged together (Holm's step-down at the per-look levels of
 * stats.c), so looking after every round at every variant still keeps the
 * chance of any false call at AB_LOOKS_FWER.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "xmalloc.h"

/* Two runs further apart than this never belong to one round. */
#define AB_ROUND_SPAN_MS (6 * 3600 * 1000LL)

/*
 * The time a verdict judges: the run's CPU time, user plus system, from
 * wait4. On a busy device wall time also measures the device's other work;
 * bench/contention.py found CPU time's per-round spread a half to a third
 * of wall time's under competition and equal to it on a quiet machine
 * (README, "Which time the verdicts use").
 */
static double
cpu_s(const struct run *r)
{
	double t = r->user_s + r->sys_s;

	return isfinite(t) ? t : -1;
}

/*
 * The differences of the newest usable rounds, newest first, into a new
 * array (the caller frees it); their number goes to *n.
 */
static double *
pair_rounds(const struct store *s, const struct comparison *cmp,
    const struct compare_opts *o, size_t *n)
{
	struct store_filter fb = {o->iterations, o->include_flagged,
	    cmp->base_segment};
	struct store_filter fv = {o->iterations, o->include_flagged,
	    cmp->segment};
	const struct run **b = NULL, **v = NULL;
	size_t nb, nv, i, j, cap, k = 0;
	double *d;

	nb = store_ok_runs(s, cmp->base->id, &fb, 0, &b);
	nv = store_ok_runs(s, cmp->v->id, &fv, 0, &v);
	cap = o->window != 0 && o->window < AB_PAIRS_MAX ? o->window
	                                                 : AB_PAIRS_MAX;
	d = xcalloc(cap, sizeof(*d));
	/* both oldest first, round ids increasing: merge from the newest */
	for (i = nb, j = nv; i > 0 && j > 0 && k < cap;) {
		const struct run *rb = b[i - 1], *rv = v[j - 1];

		if (rb->round < 0)
			i--;
		else if (rv->round < 0)
			j--;
		else if (rb->round > rv->round)
			i--;
		else if (rv->round > rb->round)
			j--;
		else {
			/* the same id hours apart is not the same round (a
			 * history written while the old one was unreadable) */
			if (cpu_s(rb) > 0 && cpu_s(rv) > 0 &&
			    llabs(rb->started_ms - rv->started_ms) <
			        AB_ROUND_SPAN_MS)
				d[k++] = log(cpu_s(rb) / cpu_s(rv));
			i--;
			j--;
		}
	}
	free(b);
	free(v);
	*n = k;
	return d;
}

static void
collecting(struct comparison *cmp)
{
	memset(&cmp->res, 0, sizeof(cmp->res));
	cmp->res.verdict = STATS_COLLECTING;
	cmp->res.n = cmp->pairs;
	cmp->res.estimate = cmp->res.lo = cmp->res.hi = NAN;
	cmp->res.p = cmp->res.eq_lo = cmp->res.eq_hi = NAN;
	cmp->res.p_tost = cmp->res.detectable = NAN;
	cmp->level = cmp->p_adj = NAN;
}

/* The levels for m tested comparisons with raw p-values p[]. Beyond what
 * the per-look table covers, a Bonferroni split of its last column. */
static void
levels_for(const double *p, size_t m, size_t looks, double *level, double *adj)
{
	size_t i;
	double a;

	if (stats_holm(p, m, adj) == -1)
		for (i = 0; i < m; i++)
			adj[i] = NAN;
	if (stats_holm_levels(p, m, looks, level) == 0)
		return;
	a = stats_looks_alpha(looks > AB_LOOKS_MAX ? AB_LOOKS_MAX : looks,
	        AB_LOOKS_SPLIT_MAX) *
	    AB_LOOKS_SPLIT_MAX / (double)m;
	for (i = 0; i < m; i++)
		level[i] = isfinite(a) ? a : AB_LOOKS_FWER / (double)m / 10;
}

struct comparison *
compare_all(const struct catalog *c, const struct store *s,
    const struct compare_opts *o)
{
	struct comparison *cmp =
	    xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*cmp));
	double **d = xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*d));
	double *p = xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*p));
	double *level =
	    xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*level));
	double *adj = xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*adj));
	size_t *idx = xcalloc(c->nvariants ? c->nvariants : 1, sizeof(*idx));
	struct stats_hl hl;
	size_t i, m = 0;
	char err[128];

	for (i = 0; i < c->nvariants; i++) {
		struct comparison *k = &cmp[i];
		const struct variant *b =
		    catalog_baseline_of(c, &c->variants[i]);

		k->v = &c->variants[i];
		k->base = b != k->v ? b : NULL;
		k->segment = store_segment(s, k->v->id);
		collecting(k);
		if (k->base == NULL)
			continue;
		k->base_segment = store_segment(s, k->base->id);
		d[i] = pair_rounds(s, k, o, &k->pairs);
		k->res.n = k->pairs;
		if (k->pairs < AB_MIN_PAIRS ||
		    stats_hl(d[i], k->pairs, AB_LOOKS_FWER, &hl, err,
		        sizeof(err)) == -1)
			continue;
		p[m] = hl.p;
		idx[m++] = i;
	}
	if (m > 0)
		levels_for(p, m, o->looks, level, adj);
	for (i = 0; i < m; i++) {
		struct comparison *k = &cmp[idx[i]];

		if (stats_paired(d[idx[i]], k->pairs, level[i], o->margin,
		        &k->res, err, sizeof(err)) == -1) {
			collecting(k);
			continue;
		}
		k->level = level[i];
		k->p_adj = adj[i];
	}
	for (i = 0; i < c->nvariants; i++)
		free(d[i]);
	free(d);
	free(p);
	free(level);
	free(adj);
	free(idx);
	return cmp;
}
