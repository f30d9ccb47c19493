/* SPDX-License-Identifier: MIT */
/*
 * Pure statistics: no I/O, no globals. Descriptive statistics with a
 * distribution-free confidence interval for the median, the two-sided
 * Mann-Whitney U test, and the speedup of one sample over another with a
 * bootstrap confidence interval drawn from a fixed-seed generator. The
 * paired analysis: the Williams run order, the Wilcoxon signed-rank test,
 * the Hodges-Lehmann estimate with its exact interval, Holm's adjustment,
 * equivalence within a margin, the per-look level for repeated looks, and
 * the verdict that combines them.
 */
#ifndef AB_STATS_H
#define AB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Default bootstrap resamples and seed; documented in the README. */
#define AB_BOOT_RESAMPLES 10000
#define AB_BOOT_SEED      0x616c6c6f63626e63ULL /* "allocbnc" */

struct stats_desc {
	size_t n;
	double median;
	double mean;
	double stdev; /* sample standard deviation (n - 1); NAN when n < 2 */
	double min;
	double max;
	int has_ci;   /* 0 when n is too small for a 95% interval (n < 6) */
	double ci_lo; /* 95% CI of the median, order statistics */
	double ci_hi;
};

struct stats_speedup {
	double ratio; /* median(baseline) / median(variant); >1 is faster */
	double ci_lo; /* 95% percentile-bootstrap interval of the ratio */
	double ci_hi;
	double p_value;  /* two-sided Mann-Whitney U */
	int significant; /* p < 0.05 and the interval excludes 1 */
};

/*
 * Median of a sorted array. n must be > 0.
 */
double stats_median_sorted(const double *sorted, size_t n);

/*
 * Describes x[0..n). Works on a sorted copy; x is not modified. Returns 0,
 * or -1 when n == 0 or a value is not finite (out untouched).
 */
int stats_describe(const double *x, size_t n, struct stats_desc *out);

/*
 * Distribution-free 95% CI of the median from a sorted sample: the order
 * statistics x(k) and x(n-k+1) (1-based) with the largest k such that
 * P(Binomial(n, 1/2) <= k - 1) <= 0.025. Returns 0, or -1 when n < 6.
 */
int stats_median_ci(const double *sorted, size_t n, double *lo, double *hi);

/*
 * Two-sided Mann-Whitney U p-value for samples a and b. Exact distribution
 * when there are no ties and na * nb <= 2500; otherwise the normal
 * approximation with tie correction and continuity correction (the same
 * choices as scipy.stats.mannwhitneyu with method "exact"/"asymptotic").
 * Returns NAN when either sample is empty.
 */
double stats_mann_whitney_p(const double *a, size_t na, const double *b,
    size_t nb);

/*
 * Speedup of variant over baseline. The interval is the 2.5th and 97.5th
 * percentiles of median(base*)/median(var*) over `resamples` bootstrap
 * resamples, each sample drawn with replacement, indices from splitmix64
 * seeded with `seed` (index = next() % n, baseline drawn before variant in
 * each resample; indices refer to the arrays as passed, so the caller's
 * order matters). With the B ratios sorted ascending and k = floor(0.025 B),
 * the interval is [r(k), r(B - 1 - k)] (0-based). Returns 0, or -1 when
 * either sample is empty, holds a value that is not finite and positive,
 * or resamples is 0.
 */
int stats_speedup(const double *base, size_t nb, const double *var, size_t nv,
    unsigned resamples, uint64_t seed, struct stats_speedup *out);

/* One step of splitmix64 (Steele, Lea, Flood 2014); exposed for tests. */
uint64_t stats_splitmix64(uint64_t *state);

/*
 * Paired analysis. The caller passes one difference per round,
 * d_i = log(baseline wall time / variant wall time), so d > 0 means the
 * variant is faster and the speedup is exp(estimate).
 */

/* No estimate, interval or p-value before this many pairs. */
#define AB_MIN_PAIRS 6
/* Default equivalence margin: |log ratio| < log(1 + 0.02). */
#define AB_MARGIN_DEFAULT 0.02
/* Family-wise false-call rate the per-look level is calibrated for. */
#define AB_LOOKS_FWER 0.05
/* Default and largest number of looks with a calibrated per-look level. */
#define AB_LOOKS_DEFAULT 30
#define AB_LOOKS_MAX     100
/* Most comparisons sharing AB_LOOKS_FWER with a calibrated level. */
#define AB_LOOKS_SPLIT_MAX 12
/* Largest signed-rank sample with the exact null distribution. */
#define AB_SIGNRANK_EXACT_MAX 50
/* Largest paired sample analysed (n(n+1)/2 Walsh averages are kept). */
#define AB_PAIRS_MAX 2000

enum stats_alt {
	STATS_TWO_SIDED,
	STATS_GREATER, /* the differences tend to be positive */
	STATS_LESS
};

enum stats_verdict {
	STATS_COLLECTING, /* fewer than AB_MIN_PAIRS pairs */
	STATS_FASTER,     /* the variant is faster (interval above 0) */
	STATS_SLOWER,     /* the variant is slower (interval below 0) */
	STATS_EQUIVALENT, /* within the margin, by two one-sided tests */
	STATS_UNDECIDED   /* none of the above; see detectable */
};

/*
 * The Hodges-Lehmann estimate, its distribution-free interval and the
 * signed-rank test, all from the same sorted Walsh averages
 * w(1) <= ... <= w(M), M = n(n+1)/2, so that they agree by construction.
 */
struct stats_hl {
	size_t n;
	/* median of the Walsh averages (d_i + d_j)/2, i <= j */
	double estimate;
	/* the 1 - alpha interval; -inf, +inf when n is too small for it */
	double lo, hi;
	/* 1 - 2 F(c - 1), see stats_hl(); 1 when the interval is unbounded */
	double coverage;
	/* two-sided; p < alpha exactly when 0 is outside [lo, hi] */
	double p;
};

struct stats_paired {
	enum stats_verdict verdict;
	size_t n;
	/* The rest is NAN (flags 0) while collecting. Log scale throughout:
	 * the speedup and its interval are exp() of these. */
	double estimate; /* Hodges-Lehmann */
	double lo, hi;   /* 1 - alpha interval: the difference test */
	double p;        /* two-sided signed-rank p, as stats_hl() */
	double eq_lo;    /* 1 - 2 alpha interval: the equivalence test */
	double eq_hi;
	double p_tost;     /* the larger of the two one-sided p-values */
	double detectable; /* see stats_paired() */
	int different;     /* p < alpha */
	int equivalent;    /* p_tost < alpha */
};

/*
 * Number of rows of the Williams design for k treatments: k for even k,
 * 2k for odd k > 1 (the square and its mirror image), 1 for k == 1 and 0
 * for k == 0.
 */
size_t stats_williams_rows(size_t k);

/*
 * Fills order[0..k) with row (row mod stats_williams_rows(k)) of the
 * Williams design for k treatments, a permutation of 0..k-1. Row r of
 * the square is (first row + r) mod k with the first row
 * 0, 1, k-1, 2, k-2, ...; for odd k, rows k..2k-1 are rows 0..k-1
 * reversed. Over the rows of one cycle every treatment appears once per
 * row and equally often in each position, and each ordered pair (a, b),
 * a != b, is adjacent (a right before b) equally often: once for even k,
 * twice for odd k (Williams 1949). Returns 0, or -1 when k == 0 (order
 * untouched).
 */
int stats_williams(size_t k, size_t row, size_t *order);

/*
 * Wilcoxon signed-rank p-value of d[0..n) exactly as scipy 1.10
 * scipy.stats.wilcoxon(d, alternative=...) computes it with its defaults
 * (zero_method "wilcox", correction False, method "auto"): the exact null
 * distribution of the rank sum of the positive differences R+ when
 * n <= 50 and no difference is zero (tied |d| get average ranks and R+ is
 * truncated to an integer, as scipy does); otherwise zeros are dropped
 * and the normal approximation with the tie correction of the variance
 * is used, without continuity correction. Two-sided: twice the smaller
 * tail, at most 1; STATS_GREATER: P(T >= R+); STATS_LESS: P(T <= R+).
 * Returns 0 with *p set, or -1 with a message in err
 * (p untouched) when n is 0, a value is not finite, every difference is
 * zero in the approximate case, or memory runs out.
 */
int stats_wilcoxon(const double *d, size_t n, enum stats_alt alt, double *p,
    char *err, size_t errlen);

/*
 * Hodges-Lehmann estimate and interval of the shift of d[0..n), with
 * 0 < alpha < 1. With T the signed-rank statistic, F its null
 * distribution function (exact for n <= 50; beyond, the normal law with
 * mean M/2 and the tie-corrected variance of R+, zeros ranked) and c the
 * number of values t = 0, 1, ... with F(t) < alpha/2, the interval is
 * [w(c), w(M + 1 - c)] (unbounded when c == 0). Its coverage
 * 1 - 2 F(c - 1) is > 1 - alpha: exactly so for n <= 50 when the data
 * are continuous and symmetric about the shift; beyond, computed against
 * the exact law for n = 51..300 without ties, it is at least nominal for
 * 1 - alpha >= 0.95 and at most 0.001 below it at 0.90. The p-value is min(1, 2
 * min(F(L), F(U))) with L = #{w <= 0} and U = #{w >= 0}, so p < alpha exactly
 * when the interval excludes 0. Without Walsh averages equal to zero (no zero
 * difference and no d_i = -d_j) this is the two-sided p of stats_wilcoxon();
 * with them it counts them against rejection, so it is never smaller. Returns
 * 0, or -1 with a message in err (out untouched) when n is 0 or above
 * AB_PAIRS_MAX, a value is not finite, alpha is outside (0, 1), or memory
 * runs out.
 */
int stats_hl(const double *d, size_t n, double alpha, struct stats_hl *out,
    char *err, size_t errlen);

/*
 * Holm's step-down adjustment of p[0..m): with p sorted ascending,
 * adj(j) = max over i <= j of min(1, (m - i + 1) p(i)) (1-based), written
 * back in the callers' order (as statsmodels multipletests "holm").
 * adj may alias p. Returns 0, or -1 when m == 0 or a p is not in [0, 1]
 * (adj untouched).
 */
int stats_holm(const double *p, size_t m, double *adj);

/*
 * Holm's step-down procedure with the per-look levels of
 * stats_looks_alpha(): step j (1-based, p ascending) compares p(j) with
 * stats_looks_alpha(n_max, m - j + 1) and stops at the first step s that
 * fails. level[i] is that threshold at step min(r, s), r the rank of p[i],
 * so p[i] < level[i] exactly when the procedure rejects comparison i.
 * Pass level[i] as the alpha of stats_paired() so that its interval, test
 * and verdict follow the procedure. The first true null it rejects is
 * tested at a level of at most stats_looks_alpha(n_max, m0) (m0 true
 * nulls), so the probability of any false call over all comparisons and
 * looks is at most AB_LOOKS_FWER. With n_max == 0 (one look) this is
 * plain Holm at AB_LOOKS_FWER, the decisions of stats_holm() p < 0.05;
 * with repeated looks the adjusted p of stats_holm() is for display and
 * the decision is p[i] < level[i]. Returns 0, or -1 when m is 0 or above
 * AB_LOOKS_SPLIT_MAX, a p is not in [0, 1], n_max is not 0 and outside
 * AB_MIN_PAIRS..AB_LOOKS_MAX, or memory runs out (level untouched).
 */
int stats_holm_levels(const double *p, size_t m, size_t n_max, double *level);

/*
 * The constant per-look level for one of k comparisons when each is
 * tested after every round at n = AB_MIN_PAIRS, ..., n_max pairs (a
 * Pocock-type boundary): the largest level such that, under the null
 * hypothesis (differences independent, continuous and symmetric about 0),
 * the probability that any of these looks has a two-sided signed-rank p
 * below it is at most AB_LOOKS_FWER / k. Calibrated by simulation in
 * bench/looks-alpha.py, never larger for larger k; the table is in
 * stats.c. n_max == 0 means a single look: AB_LOOKS_FWER / k. Returns NAN
 * when k is 0 or above AB_LOOKS_SPLIT_MAX, or n_max is not 0 and outside
 * AB_MIN_PAIRS..AB_LOOKS_MAX.
 */
double stats_looks_alpha(size_t n_max, size_t k);

/*
 * The paired verdict on the differences d[0..n) at level alpha (already
 * adjusted for repeated looks and multiple comparisons) with equivalence
 * margin `margin` (0.02 for +-2%), tested on the log scale as
 * |shift| < log(1 + margin). Below AB_MIN_PAIRS pairs the verdict is
 * STATS_COLLECTING and every number is NAN. Otherwise, from stats_hl():
 * FASTER or SLOWER when the 1 - alpha interval lies above or below 0
 * (p < alpha); else EQUIVALENT when the 1 - 2 alpha interval lies inside
 * (-log(1 + margin), log(1 + margin)), the interval form of two one-sided
 * tests at level alpha: p_tost = max(F(#{w <= -D}), F(#{w >= D})),
 * D = log(1 + margin), and p_tost < alpha exactly when that interval is
 * inside; else UNDECIDED. A difference wins over equivalence (both flags
 * are set then). At a true shift of exactly +-D each one-sided test is a
 * signed-rank test of a null symmetric about D, so a level from
 * stats_looks_alpha() also bounds false equivalence calls over repeated
 * looks. `detectable` is the larger half-width of the
 * 1 - alpha interval, max(estimate - lo, hi - estimate): shifting these
 * data by more than it away from an estimate of 0 would have made the
 * test decide, so it is the smallest difference this sample's size and
 * spread could have detected (exp(detectable) - 1 as a fraction); it is
 * +inf when the interval is unbounded. Returns 0, or -1 with a message in
 * err (out untouched) on the errors of stats_hl() or a margin that is not
 * positive and finite.
 */
int stats_paired(const double *d, size_t n, double alpha, double margin,
    struct stats_paired *out, char *err, size_t errlen);

/* Lower-case name of a verdict ("faster", ...), or "?" when unknown. */
const char *stats_verdict_str(enum stats_verdict v);

#endif
