/* SPDX-License-Identifier: MIT */
/*
 * Pure statistics for the benchmark results: descriptive statistics, the
 * distribution-free order-statistic confidence interval of the median, the
 * two-sided Mann-Whitney U test (exact null distribution for small samples
 * without ties, otherwise the tie- and continuity-corrected normal
 * approximation, both as scipy.stats.mannwhitneyu computes them), and the
 * speedup ratio of medians with a percentile-bootstrap interval drawn from
 * splitmix64. No I/O and no globals; scratch memory comes from plain malloc
 * and an allocation failure is reported like any other error.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Two-sided 95%: the tail mass allowed on each side. */
#define AB_STATS_TAIL 0.025L

/*
 * Total order on doubles for qsort. NaN sorts last so that a ratio such as
 * 0/0 in a bootstrap cannot make the comparison inconsistent.
 */
static int
cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	if (isnan(a) || isnan(b))
		return (isnan(a) != 0) - (isnan(b) != 0);
	return (a > b) - (a < b);
}

static int
all_finite(const double *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

/* A sorted copy of x[0..n) (n > 0) the caller frees, or NULL. */
static double *
sorted_copy(const double *x, size_t n)
{
	double *s;

	if ((s = malloc(n * sizeof(*s))) == NULL)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/* Mean of two values without overflowing near DBL_MAX. */
static double
mid(double a, double b)
{
	double m = (a + b) / 2;

	if (isinf(m) && isfinite(a) && isfinite(b))
		m = a / 2 + b / 2;
	return m;
}

/* Even n: the mean of the two middle values, as numpy.median. */
double
stats_median_sorted(const double *sorted, size_t n)
{
	if (n == 0)
		return NAN;
	if (n % 2 == 1)
		return sorted[n / 2];
	return mid(sorted[n / 2 - 1], sorted[n / 2]);
}

/*
 * The k of the order-statistic interval: the largest k with
 * P(Binomial(n, 1/2) <= k - 1) <= 0.025, or 0 when even k = 1 fails.
 * The probability mass is stepped in log space in long double,
 * log p(j + 1) = log p(j) + log(n - j) - log(j + 1) from p(0) = 2^-n,
 * so nothing overflows and terms below the long double range add zero.
 */
static size_t
median_ci_k(size_t n)
{
	long double logp = -(long double)n * logl(2.0L), cdf = 0.0L;
	size_t j;

	for (j = 0; j <= n; j++) {
		cdf += expl(logp);
		if (cdf > AB_STATS_TAIL)
			return j;
		if (j < n)
			logp += logl((long double)(n - j)) -
			    logl((long double)(j + 1));
	}
	return n;
}

/* Leaves lo and hi untouched when it returns -1. */
int
stats_median_ci(const double *sorted, size_t n, double *lo, double *hi)
{
	size_t k;

	if (n < 6)
		return -1;
	if ((k = median_ci_k(n)) == 0)
		return -1;
	*lo = sorted[k - 1];
	*hi = sorted[n - k];
	return 0;
}

/*
 * Two passes over the sorted copy (mean, then squared deviations). Also
 * returns -1 when the copy cannot be allocated; without an interval,
 * ci_lo and ci_hi are NAN.
 */
int
stats_describe(const double *x, size_t n, struct stats_desc *out)
{
	struct stats_desc d;
	double *s, sum = 0, ss = 0;
	size_t i;

	if (n == 0 || !all_finite(x, n))
		return -1;
	if ((s = sorted_copy(x, n)) == NULL)
		return -1;

	memset(&d, 0, sizeof(d));
	d.n = n;
	d.median = stats_median_sorted(s, n);
	d.min = s[0];
	d.max = s[n - 1];
	for (i = 0; i < n; i++)
		sum += s[i];
	d.mean = sum / (double)n;
	if (n >= 2) {
		for (i = 0; i < n; i++)
			ss += (s[i] - d.mean) * (s[i] - d.mean);
		d.stdev = sqrt(ss / (double)(n - 1));
	} else
		d.stdev = NAN;
	d.has_ci = stats_median_ci(s, n, &d.ci_lo, &d.ci_hi) == 0;
	if (!d.has_ci)
		d.ci_lo = d.ci_hi = NAN;
	free(s);
	*out = d;
	return 0;
}

/*
 * P(U <= u) under the null for sample sizes m and n, from the recurrence
 * of Mann and Whitney (1947, eq. 3; Di Bucchianico 1999, Theorem 2.5)
 * written for probabilities, so every term is a convex combination:
 * p(m, n, k) = m/(m+n) p(m-1, n, k-n) + n/(m+n) p(m, n-1, k).
 * Only k <= u is needed. Returns NAN when out of memory.
 */
static double
mwu_exact_cdf(size_t m, size_t n, size_t u)
{
	double *prev = NULL, *cur = NULL, *t, cdf = 0;
	size_t w = u + 1, i, j, k;

	if (m < n) {
		i = m;
		m = n;
		n = i;
	}
	/* Rows j = 0..n of p(i, j, 0..u) for the previous and current i. */
	prev = calloc((n + 1) * w, sizeof(*prev));
	cur = calloc((n + 1) * w, sizeof(*cur));
	if (prev == NULL || cur == NULL) {
		free(prev);
		free(cur);
		return NAN;
	}
	for (j = 0; j <= n; j++)
		prev[j * w] = 1; /* i = 0: U is 0 */
	for (i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * w * sizeof(*cur));
		cur[0] = 1; /* j = 0: U is 0 */
		for (j = 1; j <= n; j++) {
			double a = (double)i / (double)(i + j);
			double b = (double)j / (double)(i + j);

			for (k = 0; k < w; k++) {
				double v = b * cur[(j - 1) * w + k];

				if (k >= j)
					v += a * prev[j * w + k - j];
				cur[j * w + k] = v;
			}
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	for (k = 0; k < w; k++)
		cdf += prev[n * w + k];
	free(prev);
	free(cur);
	return cdf;
}

/*
 * Ranks come from merging sorted copies, tied runs taking their average
 * rank. Also returns NAN when a value is NaN or memory runs out; infinite
 * values are ranked like any other.
 */
double
stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	double *sa = NULL, *sb = NULL, r1 = 0, ties = 0, p = NAN;
	double u1, u2, mu, n, sd, z;
	size_t i = 0, j = 0, rank = 0;

	if (na == 0 || nb == 0)
		return NAN;
	for (i = 0; i < na; i++)
		if (isnan(a[i]))
			return NAN;
	for (j = 0; j < nb; j++)
		if (isnan(b[j]))
			return NAN;
	if ((sa = sorted_copy(a, na)) == NULL ||
	    (sb = sorted_copy(b, nb)) == NULL)
		goto out;

	/* Merge the sorted samples one run of equal values at a time. */
	i = j = 0;
	while (i < na || j < nb) {
		double v, t, avg;
		size_t ca = 0, cb = 0;

		if (j >= nb || (i < na && sa[i] <= sb[j]))
			v = sa[i];
		else
			v = sb[j];
		while (i < na && sa[i] == v) {
			ca++;
			i++;
		}
		while (j < nb && sb[j] == v) {
			cb++;
			j++;
		}
		t = (double)(ca + cb);
		avg = (double)rank + (t + 1) / 2;
		r1 += (double)ca * avg;
		ties += t * t * t - t;
		rank += ca + cb;
	}
	u1 = r1 - (double)na * (double)(na + 1) / 2;
	u2 = (double)na * (double)nb - u1;

	if (ties == 0 && na <= 2500 / nb) {
		p = 2 * mwu_exact_cdf(na, nb, (size_t)fmin(u1, u2));
	} else {
		/* scipy: z = (max(U1, U2) - mu - 0.5) / s, p = 2 sf(z). */
		n = (double)(na + nb);
		mu = (double)na * (double)nb / 2;
		sd = sqrt((double)na * (double)nb / 12 *
		    ((n + 1) - ties / (n * (n - 1))));
		if (sd > 0) {
			z = (fmax(u1, u2) - mu - 0.5) / sd;
			p = erfc(z / sqrt(2.0));
		} else
			p = 1; /* every value tied: z is -inf */
	}
	if (p > 1)
		p = 1;
out:
	free(sa);
	free(sb);
	return p;
}

/* Advances *state by the golden gamma and returns the mixed value. */
uint64_t
stats_splitmix64(uint64_t *state)
{
	uint64_t z;

	z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Median of n values drawn with replacement from x into scratch. */
static double
resample_median(const double *x, size_t n, double *scratch, uint64_t *state)
{
	size_t i;

	for (i = 0; i < n; i++)
		scratch[i] = x[stats_splitmix64(state) % n];
	qsort(scratch, n, sizeof(*scratch), cmp_double);
	return stats_median_sorted(scratch, n);
}

/*
 * Resamples index the arrays in the order the caller passed them, not a
 * sorted copy, so the interval for a given seed depends on that order.
 * Besides the cases in the header, returns -1 (out untouched) when a value
 * is not finite or memory runs out.
 */
/* Times are finite and positive; anything else makes a ratio meaningless. */
static int
all_positive(const double *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(x[i]) || x[i] <= 0)
			return 0;
	return 1;
}

int
stats_speedup(const double *base, size_t nb, const double *var, size_t nv,
    unsigned resamples, uint64_t seed, struct stats_speedup *out)
{
	struct stats_speedup sp;
	double *sb = NULL, *sv = NULL, *r = NULL, mb, mv;
	uint64_t state = seed;
	size_t k, i;
	int rc = -1;

	if (nb == 0 || nv == 0 || resamples == 0 || !all_positive(base, nb) ||
	    !all_positive(var, nv))
		return -1;
	if ((sb = malloc(nb * sizeof(*sb))) == NULL ||
	    (sv = malloc(nv * sizeof(*sv))) == NULL ||
	    (r = malloc(resamples * sizeof(*r))) == NULL)
		goto out;

	for (i = 0; i < resamples; i++) {
		mb = resample_median(base, nb, sb, &state);
		mv = resample_median(var, nv, sv, &state);
		r[i] = mb / mv;
	}
	qsort(r, resamples, sizeof(*r), cmp_double);
	k = resamples / 40; /* floor(0.025 B) without rounding error */

	memcpy(sb, base, nb * sizeof(*sb));
	qsort(sb, nb, sizeof(*sb), cmp_double);
	memcpy(sv, var, nv * sizeof(*sv));
	qsort(sv, nv, sizeof(*sv), cmp_double);
	sp.ratio = stats_median_sorted(sb, nb) / stats_median_sorted(sv, nv);
	sp.ci_lo = r[k];
	sp.ci_hi = r[resamples - 1 - k];
	sp.p_value = stats_mann_whitney_p(base, nb, var, nv);
	if (isnan(sp.p_value))
		goto out; /* out of memory */
	sp.significant = sp.p_value < 0.05 && (sp.ci_lo > 1 || sp.ci_hi < 1);
	*out = sp;
	rc = 0;
out:
	free(sb);
	free(sv);
	free(r);
	return rc;
}
