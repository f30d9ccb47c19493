/* SPDX-License-Identifier: MIT */
/*
 * Pure statistics: no I/O, no globals. Descriptive statistics with a
 * distribution-free confidence interval for the median, the two-sided
 * Mann-Whitney U test, and the speedup of one sample over another with a
 * bootstrap confidence interval drawn from a fixed-seed generator.
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

#endif
