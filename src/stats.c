/* SPDX-License-Identifier: MIT */
/*
 * Pure statistics for the benchmark results: descriptive statistics, the
 * distribution-free order-statistic confidence interval of the median, the
 * two-sided Mann-Whitney U test (exact null distribution for small samples
 * without ties, otherwise the tie- and continuity-corrected normal
 * approximation, both as scipy.stats.mannwhitneyu computes them), and the
 * speedup ratio of medians with a percentile-bootstrap interval drawn from
 * splitmix64. The paired analysis: the Williams order of a round, the
 * Wilcoxon signed-rank test as scipy computes it, and one estimate,
 * interval and test from the sorted Walsh averages (Hodges-Lehmann, its
 * exact interval, the signed-rank p that agrees with it), Holm's
 * adjustment, equivalence by two one-sided tests, the per-look levels for
 * repeated looks and the verdict. No I/O and no globals (snprintf only
 * formats error messages); scratch memory comes from plain malloc and an
 * allocation failure is reported like any other error.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
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

/*
 * Paired analysis: the Williams order, the signed-rank test, the
 * Hodges-Lehmann estimate and interval, Holm, equivalence and the verdict.
 */

size_t
stats_williams_rows(size_t k)
{
	if (k <= 1)
		return k;
	return k % 2 == 0 ? k : 2 * k;
}

/*
 * The first row is 0, 1, k-1, 2, k-2, ...: position j holds (j + 1) / 2
 * for odd j and k - j / 2 for even j > 0.
 */
int
stats_williams(size_t k, size_t row, size_t *order)
{
	size_t rows, r, j, v;
	int mirror;

	if ((rows = stats_williams_rows(k)) == 0)
		return -1;
	row %= rows;
	mirror = row >= k;
	r = mirror ? row - k : row;
	for (j = 0; j < k; j++) {
		if (j == 0)
			v = 0;
		else if (j % 2 == 1)
			v = (j + 1) / 2;
		else
			v = k - j / 2;
		order[mirror ? k - 1 - j : j] = (v + r) % k;
	}
	return 0;
}

static void
set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

/*
 * The null distribution of the signed-rank statistic of n values, as a
 * function of an integer count t in 0..m, m = n(n+1)/2: exact (cdf[t])
 * or the normal law with the given mean and standard deviation.
 */
struct srnull {
	size_t n, m;
	double *cdf;
	double mean, sd;
};

/*
 * P(T <= t) for t = 0..m, exactly: the number of subsets of {1..n} with
 * sum t from the usual recurrence, each count below 2^53 for n <= 50 so
 * every step and the cumulative sums are exact in double. NULL when out
 * of memory; the caller frees.
 */
static double *
signrank_cdf(size_t n)
{
	size_t m = n * (n + 1) / 2, k, t;
	double *c;

	if ((c = calloc(m + 1, sizeof(*c))) == NULL)
		return NULL;
	c[0] = 1;
	for (k = 1; k <= n; k++)
		for (t = k * (k + 1) / 2; t >= k; t--)
			c[t] += c[t - k];
	for (t = 1; t <= m; t++)
		c[t] += c[t - 1];
	for (t = 0; t <= m; t++)
		c[t] = ldexp(c[t], -(int)n);
	return c;
}

static double
norm_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

static double
srnull_cdf(const struct srnull *z, size_t t)
{
	if (z->cdf != NULL)
		return z->cdf[t > z->m ? z->m : t];
	return norm_cdf(((double)t - z->mean) / z->sd);
}

/*
 * The number of counts t = 0, 1, ... with P(T <= t) < q; the cdf is
 * increasing, so these form a prefix, found by bisection.
 */
static size_t
srnull_below(const struct srnull *z, double q)
{
	size_t lo = 0, hi = z->m + 1, mid;

	/* invariant: cdf(t) < q for t < lo, cdf(t) >= q for t >= hi */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (srnull_cdf(z, mid) < q)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A value and its index, sorted by value, then index (stable order for
 * ties). */
struct pidx {
	double p;
	size_t i;
};

static int
cmp_pidx(const void *pa, const void *pb)
{
	const struct pidx *a = pa, *b = pb;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->i > b->i) - (a->i < b->i);
}

/*
 * Ranks |d[0..n)| with average ranks for ties, returning the rank sums of
 * the positive and negative values and sum t(t^2 - 1) over tied groups.
 * Zeros are ranked with the rest. -1 when out of memory.
 */
static int
signed_ranks(const double *d, size_t n, double *rplus, double *rminus,
    double *ties)
{
	struct pidx *r;
	size_t i, j, k;
	double avg, t;

	if ((r = malloc(n * sizeof(*r))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		r[i].p = fabs(d[i]);
		r[i].i = i;
	}
	qsort(r, n, sizeof(*r), cmp_pidx);
	*rplus = *rminus = *ties = 0;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && r[j].p == r[i].p; j++)
			;
		avg = (double)(i + 1 + j) / 2; /* ranks i+1..j */
		t = (double)(j - i);
		*ties += t * (t * t - 1);
		for (k = i; k < j; k++) {
			if (d[r[k].i] > 0)
				*rplus += avg;
			else if (d[r[k].i] < 0)
				*rminus += avg;
		}
	}
	free(r);
	return 0;
}

static int
finite_all(const double *x, size_t n, char *err, size_t errlen)
{
	if (!all_finite(x, n)) {
		set_err(err, errlen, "a difference is not finite");
		return 0;
	}
	return 1;
}

/* The branches follow scipy/stats/_morestats.py wilcoxon() in 1.10.1. */
int
stats_wilcoxon(const double *d, size_t n, enum stats_alt alt, double *p,
    char *err, size_t errlen)
{
	double *nz = NULL, *cdf = NULL, rplus, rminus, ties, prob = NAN;
	double mn, se, t, z, cnt;
	size_t i, count = 0, nzero = 0, m;
	int rc = -1;

	if (n == 0) {
		set_err(err, errlen, "no differences");
		return -1;
	}
	if (!finite_all(d, n, err, errlen))
		return -1;
	for (i = 0; i < n; i++)
		nzero += d[i] == 0;
	if ((nz = malloc(n * sizeof(*nz))) == NULL)
		goto oom;

	if (n <= AB_SIGNRANK_EXACT_MAX && nzero == 0) {
		if (signed_ranks(d, n, &rplus, &rminus, &ties) == -1)
			goto oom;
		if ((cdf = signrank_cdf(n)) == NULL)
			goto oom;
		m = n * (n + 1) / 2;
		i = (size_t)rplus; /* scipy: int(r_plus) */
		if (alt == STATS_GREATER)
			prob = cdf[m - i]; /* P(T >= i), by symmetry */
		else if (alt == STATS_LESS)
			prob = cdf[i];
		else if (i == m / 2)
			prob = 1;
		else
			prob = 2 * fmin(cdf[i], cdf[m - i]);
		if (prob > 1)
			prob = 1;
	} else {
		for (i = 0; i < n; i++)
			if (d[i] != 0)
				nz[count++] = d[i];
		if (count == 0) {
			set_err(err, errlen, "every difference is zero");
			goto out;
		}
		if (signed_ranks(nz, count, &rplus, &rminus, &ties) == -1)
			goto oom;
		cnt = (double)count;
		mn = cnt * (cnt + 1) * 0.25;
		se = sqrt((cnt * (cnt + 1) * (2 * cnt + 1) - 0.5 * ties) / 24);
		t = alt == STATS_TWO_SIDED ? fmin(rplus, rminus) : rplus;
		z = (t - mn) / se;
		if (alt == STATS_GREATER)
			prob = norm_cdf(-z);
		else if (alt == STATS_LESS)
			prob = norm_cdf(z);
		else
			prob = erfc(fabs(z) / sqrt(2.0));
	}
	*p = prob;
	rc = 0;
	goto out;
oom:
	set_err(err, errlen, "out of memory");
out:
	free(nz);
	free(cdf);
	return rc;
}

/* The sorted Walsh averages of d and the null law of their counts. */
struct walsh {
	double *w;
	size_t m;
	struct srnull z;
};

static void
walsh_free(struct walsh *ws)
{
	free(ws->w);
	free(ws->z.cdf);
}

/* Checks and builds; on -1 the message is in err and nothing is held. */
static int
walsh_build(const double *d, size_t n, struct walsh *ws, char *err,
    size_t errlen)
{
	double rplus, rminus, ties, nn;
	size_t i, j, k = 0;

	memset(ws, 0, sizeof(*ws));
	if (n == 0) {
		set_err(err, errlen, "no differences");
		return -1;
	}
	if (n > AB_PAIRS_MAX) {
		set_err(err, errlen, "too many differences");
		return -1;
	}
	if (!finite_all(d, n, err, errlen))
		return -1;
	ws->m = n * (n + 1) / 2;
	ws->z.n = n;
	ws->z.m = ws->m;
	if ((ws->w = malloc(ws->m * sizeof(*ws->w))) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		for (j = i; j < n; j++)
			ws->w[k++] = mid(d[i], d[j]);
	qsort(ws->w, ws->m, sizeof(*ws->w), cmp_double);
	if (n <= AB_SIGNRANK_EXACT_MAX) {
		if ((ws->z.cdf = signrank_cdf(n)) == NULL)
			goto oom;
	} else {
		if (signed_ranks(d, n, &rplus, &rminus, &ties) == -1)
			goto oom;
		nn = (double)n;
		ws->z.mean = (double)ws->m / 2;
		ws->z.sd =
		    sqrt((nn * (nn + 1) * (2 * nn + 1) - 0.5 * ties) / 24);
	}
	return 0;
oom:
	walsh_free(ws);
	set_err(err, errlen, "out of memory");
	return -1;
}

/* #{w <= x} and #{w >= x} in the sorted Walsh averages. */
static size_t
count_le(const struct walsh *ws, double x)
{
	size_t lo = 0, hi = ws->m, mid_;

	while (lo < hi) {
		mid_ = lo + (hi - lo) / 2;
		if (ws->w[mid_] <= x)
			lo = mid_ + 1;
		else
			hi = mid_;
	}
	return lo;
}

static size_t
count_ge(const struct walsh *ws, double x)
{
	size_t lo = 0, hi = ws->m, mid_;

	while (lo < hi) {
		mid_ = lo + (hi - lo) / 2;
		if (ws->w[mid_] < x)
			lo = mid_ + 1;
		else
			hi = mid_;
	}
	return ws->m - lo;
}

/* [w(c), w(M + 1 - c)] with c the counts below q; unbounded if c == 0. */
static void
walsh_interval(const struct walsh *ws, double q, double *lo, double *hi,
    double *coverage)
{
	size_t c = srnull_below(&ws->z, q);

	if (c > ws->m / 2)
		c = ws->m / 2; /* q > 1/2 only; keeps lo <= hi */
	if (c == 0) {
		*lo = -INFINITY;
		*hi = INFINITY;
		*coverage = 1;
		return;
	}
	*lo = ws->w[c - 1];
	*hi = ws->w[ws->m - c];
	*coverage = 1 - 2 * srnull_cdf(&ws->z, c - 1);
}

static double
walsh_p(const struct walsh *ws)
{
	double p = 2 *
	    fmin(srnull_cdf(&ws->z, count_le(ws, 0)),
	        srnull_cdf(&ws->z, count_ge(ws, 0)));

	return p > 1 ? 1 : p;
}

static int
alpha_ok(double alpha, double max, char *err, size_t errlen)
{
	if (!(alpha > 0 && alpha < max)) {
		set_err(err, errlen, "alpha is out of range");
		return 0;
	}
	return 1;
}

int
stats_hl(const double *d, size_t n, double alpha, struct stats_hl *out,
    char *err, size_t errlen)
{
	struct walsh ws;
	struct stats_hl h;

	if (!alpha_ok(alpha, 1, err, errlen))
		return -1;
	if (walsh_build(d, n, &ws, err, errlen) == -1)
		return -1;
	h.n = n;
	h.estimate = stats_median_sorted(ws.w, ws.m);
	walsh_interval(&ws, alpha / 2, &h.lo, &h.hi, &h.coverage);
	h.p = walsh_p(&ws);
	walsh_free(&ws);
	*out = h;
	return 0;
}

static struct pidx *
sorted_p(const double *p, size_t m)
{
	struct pidx *s;
	size_t i;

	if (m == 0)
		return NULL;
	for (i = 0; i < m; i++)
		if (!(p[i] >= 0 && p[i] <= 1))
			return NULL;
	if ((s = malloc(m * sizeof(*s))) == NULL)
		return NULL;
	for (i = 0; i < m; i++) {
		s[i].p = p[i];
		s[i].i = i;
	}
	qsort(s, m, sizeof(*s), cmp_pidx);
	return s;
}

/* Also -1 when out of memory. */
int
stats_holm(const double *p, size_t m, double *adj)
{
	struct pidx *s;
	double run = 0, v;
	size_t j;

	if ((s = sorted_p(p, m)) == NULL)
		return -1;
	for (j = 0; j < m; j++) {
		v = (double)(m - j) * s[j].p;
		if (v > 1)
			v = 1;
		if (v > run)
			run = v;
		adj[s[j].i] = run;
	}
	free(s);
	return 0;
}

/*
 * Per-comparison levels a(N, k) by the largest number of looks N (rows,
 * AB_MIN_PAIRS..AB_LOOKS_MAX) and the number of comparisons k (columns,
 * 1..AB_LOOKS_SPLIT_MAX), printed by `bench/looks-alpha.py 1000000 100`
 * (10^6 simulated null sequences; checked on another 10^6: k times the
 * rate of any false call is at most 0.0499 for every N and k, 0.0493 at
 * N = 30 and k = 1, where testing every look at 0.05 gives 0.200).
 */
/* clang-format off */
static const double looks_alpha[][AB_LOOKS_SPLIT_MAX] = {
	{0.05, 0.025, 0.01666, 0.0125, 0.01, 0.008333, 0.007142, 0.00625, 0.005555, 0.005, 0.004545, 0.004166}, /* 6 */
	{0.04685, 0.025, 0.01666, 0.0125, 0.01, 0.008333, 0.007142, 0.00625, 0.005555, 0.005, 0.004545, 0.004166}, /* 7 */
	{0.03122, 0.02341, 0.01562, 0.0125, 0.01, 0.008333, 0.007142, 0.00625, 0.005555, 0.005, 0.004545, 0.004166}, /* 8 */
	{0.03122, 0.01562, 0.01562, 0.01171, 0.007805, 0.007805, 0.007142, 0.00625, 0.005555, 0.005, 0.004545, 0.004166}, /* 9 */
	{0.03122, 0.01562, 0.01171, 0.007805, 0.007805, 0.007805, 0.005851, 0.005851, 0.003905, 0.003905, 0.003905, 0.003905}, /* 10 */
	{0.02731, 0.01366, 0.009757, 0.007805, 0.006827, 0.005851, 0.004881, 0.003905, 0.003905, 0.003905, 0.003905, 0.003905}, /* 11 */
	{0.02341, 0.01219, 0.007805, 0.006827, 0.005851, 0.004881, 0.003905, 0.003905, 0.003905, 0.003415, 0.002927, 0.002438}, /* 12 */
	{0.02098, 0.01049, 0.007805, 0.006102, 0.004881, 0.003905, 0.003905, 0.003415, 0.003415, 0.002438, 0.002438, 0.002438}, /* 13 */
	{0.01952, 0.009757, 0.007805, 0.005244, 0.004023, 0.003905, 0.003415, 0.003048, 0.002438, 0.002316, 0.001951, 0.001951}, /* 14 */
	{0.01805, 0.009268, 0.006708, 0.004881, 0.003905, 0.003415, 0.003048, 0.002623, 0.002316, 0.002012, 0.001951, 0.001951}, /* 15 */
	{0.01562, 0.008052, 0.006278, 0.004269, 0.003905, 0.003356, 0.002684, 0.002438, 0.002012, 0.001951, 0.001951, 0.001708}, /* 16 */
	{0.01562, 0.007805, 0.005566, 0.003905, 0.003842, 0.003048, 0.002438, 0.00209, 0.001951, 0.001951, 0.001708, 0.001676}, /* 17 */
	{0.01562, 0.007805, 0.005153, 0.003905, 0.00336, 0.002684, 0.002332, 0.001951, 0.001951, 0.001708, 0.001577, 0.001464}, /* 18 */
	{0.01562, 0.007805, 0.004881, 0.003905, 0.003157, 0.002438, 0.00209, 0.001951, 0.001708, 0.001676, 0.00141, 0.001288}, /* 19 */
	{0.01506, 0.007295, 0.004637, 0.003905, 0.002927, 0.002396, 0.001951, 0.001951, 0.001688, 0.001464, 0.00131, 0.00122}, /* 20 */
	{0.01386, 0.006827, 0.004281, 0.003415, 0.00271, 0.002316, 0.001951, 0.001708, 0.001599, 0.001372, 0.00122, 0.001159}, /* 21 */
	{0.01366, 0.006708, 0.00415, 0.003356, 0.002502, 0.00209, 0.001951, 0.001676, 0.001464, 0.00126, 0.00117, 0.001016}, /* 22 */
	{0.01342, 0.006573, 0.003905, 0.003235, 0.002438, 0.001951, 0.001883, 0.001658, 0.001372, 0.00122, 0.00109, 0.0009761}, /* 23 */
	{0.01259, 0.006177, 0.003905, 0.003048, 0.002396, 0.001951, 0.001708, 0.001464, 0.001288, 0.00117, 0.001006, 0.0009761}, /* 24 */
	{0.01219, 0.005891, 0.003905, 0.002927, 0.002316, 0.001951, 0.001676, 0.00145, 0.00122, 0.00109, 0.0009761, 0.0009761}, /* 25 */
	{0.01171, 0.005611, 0.003905, 0.002811, 0.002179, 0.001951, 0.001603, 0.001341, 0.001208, 0.001026, 0.0009761, 0.0009617}, /* 26 */
	{0.01146, 0.005461, 0.003873, 0.002706, 0.002042, 0.001858, 0.001527, 0.001295, 0.001159, 0.001001, 0.0009761, 0.000911}, /* 27 */
	{0.01102, 0.005272, 0.003649, 0.002578, 0.001983, 0.001708, 0.001464, 0.001251, 0.00109, 0.0009761, 0.0009748, 0.0008537}, /* 28 */
	{0.01068, 0.005153, 0.003415, 0.002482, 0.001951, 0.001692, 0.001431, 0.00122, 0.001044, 0.0009761, 0.0009411, 0.0008491}, /* 29 */
	{0.01049, 0.004881, 0.003415, 0.002438, 0.001951, 0.001676, 0.001372, 0.001174, 0.001006, 0.0009761, 0.0008712, 0.0008389}, /* 30 */
	{0.01024, 0.004881, 0.003356, 0.002409, 0.001951, 0.001586, 0.00131, 0.001159, 0.0009761, 0.0009748, 0.0008537, 0.0007915}, /* 31 */
	{0.009757, 0.004783, 0.003275, 0.002323, 0.00193, 0.001546, 0.001277, 0.001092, 0.0009761, 0.0009411, 0.0008389, 0.000762}, /* 32 */
	{0.009757, 0.004681, 0.003157, 0.002254, 0.001863, 0.001466, 0.001235, 0.001058, 0.0009761, 0.0008831, 0.0008309, 0.0007317}, /* 33 */
	{0.009731, 0.004612, 0.003069, 0.002182, 0.001813, 0.001456, 0.00122, 0.001026, 0.0009761, 0.0008537, 0.0007915, 0.0007209}, /* 34 */
	{0.009433, 0.004434, 0.002991, 0.002136, 0.001708, 0.001431, 0.001194, 0.001006, 0.0009734, 0.0008514, 0.0007631, 0.0007017}, /* 35 */
	{0.009268, 0.004333, 0.002927, 0.002045, 0.001708, 0.001372, 0.00117, 0.0009761, 0.0009513, 0.0008389, 0.0007437, 0.0006683}, /* 36 */
	{0.009181, 0.004264, 0.002857, 0.002012, 0.001676, 0.001341, 0.001143, 0.0009761, 0.000911, 0.0008309, 0.0007317, 0.0006558}, /* 37 */
	{0.00896, 0.004172, 0.002814, 0.001961, 0.001665, 0.001307, 0.001098, 0.0009761, 0.0008712, 0.0008077, 0.0007209, 0.0006417}, /* 38 */
	{0.008721, 0.004055, 0.00275, 0.001951, 0.001603, 0.001288, 0.001067, 0.0009761, 0.0008537, 0.0007819, 0.0007026, 0.0006096}, /* 39 */
	{0.008534, 0.004023, 0.002684, 0.001951, 0.001577, 0.00126, 0.001044, 0.0009761, 0.0008514, 0.000762, 0.000671, 0.0006096}, /* 40 */
	{0.008329, 0.003905, 0.002623, 0.001951, 0.001537, 0.001235, 0.001024, 0.0009643, 0.00084, 0.0007367, 0.0006638, 0.0006079}, /* 41 */
	{0.008228, 0.003905, 0.002578, 0.001951, 0.001521, 0.00122, 0.001006, 0.0009411, 0.0008389, 0.0007317, 0.0006496, 0.0005982}, /* 42 */
	{0.008052, 0.003905, 0.002516, 0.001951, 0.001464, 0.00122, 0.0009814, 0.0009222, 0.0008187, 0.0007209, 0.0006383, 0.0005853}, /* 43 */
	{0.008008, 0.003905, 0.002482, 0.001924, 0.001456, 0.001184, 0.0009761, 0.0008976, 0.0008077, 0.0007074, 0.0006171, 0.000579}, /* 44 */
	{0.007901, 0.003905, 0.002438, 0.001865, 0.001444, 0.00117, 0.0009761, 0.0008748, 0.0007861, 0.0006867, 0.0006096, 0.0005583}, /* 45 */
	{0.007805, 0.003905, 0.002438, 0.00185, 0.001419, 0.001159, 0.0009761, 0.0008537, 0.0007703, 0.0006747, 0.0006096, 0.0005515}, /* 46 */
	{0.007805, 0.003905, 0.002412, 0.001796, 0.001383, 0.001131, 0.0009761, 0.0008537, 0.0007579, 0.0006656, 0.0006071, 0.0005404}, /* 47 */
	{0.007805, 0.003863, 0.002367, 0.001736, 0.001357, 0.001105, 0.0009761, 0.0008514, 0.0007417, 0.0006558, 0.0005925, 0.0005332}, /* 48 */
	{0.007805, 0.003806, 0.002332, 0.001708, 0.001341, 0.001081, 0.0009761, 0.0008411, 0.0007317, 0.0006444, 0.0005853, 0.0005225}, /* 49 */
	{0.007805, 0.003749, 0.002316, 0.001708, 0.00131, 0.001064, 0.0009643, 0.0008389, 0.0007268, 0.0006383, 0.000579, 0.0005085}, /* 50 */
	{0.007805, 0.003704, 0.002316, 0.001704, 0.00131, 0.001058, 0.0009643, 0.0008389, 0.0007258, 0.000634, 0.000579, 0.0005085}, /* 51 */
	{0.007805, 0.003649, 0.002276, 0.001692, 0.001295, 0.001044, 0.00095, 0.0008276, 0.0007209, 0.0006272, 0.0005674, 0.0005044}, /* 52 */
	{0.007805, 0.003605, 0.002245, 0.001688, 0.001288, 0.001037, 0.0009411, 0.0008187, 0.0007141, 0.0006171, 0.0005636, 0.0005031}, /* 53 */
	{0.007805, 0.003547, 0.002224, 0.001676, 0.001279, 0.001026, 0.0009284, 0.0008088, 0.0007074, 0.0006096, 0.0005575, 0.0004956}, /* 54 */
	{0.00769, 0.003509, 0.002194, 0.001676, 0.00126, 0.00102, 0.0009197, 0.0008033, 0.0007017, 0.0006096, 0.0005515, 0.0004943}, /* 55 */
	{0.007628, 0.003466, 0.002165, 0.001658, 0.001251, 0.001006, 0.0009061, 0.0007915, 0.0006894, 0.0006096, 0.0005456, 0.000489}, /* 56 */
	{0.007566, 0.003429, 0.00215, 0.001634, 0.001236, 0.001001, 0.0008903, 0.0007819, 0.0006756, 0.0006079, 0.0005404, 0.0004876}, /* 57 */
	{0.007434, 0.003415, 0.002136, 0.001607, 0.001223, 0.0009854, 0.0008795, 0.0007724, 0.000671, 0.0006071, 0.0005354, 0.0004876}, /* 58 */
	{0.007364, 0.003415, 0.002121, 0.001594, 0.00122, 0.0009761, 0.0008712, 0.000762, 0.0006656, 0.0005998, 0.0005289, 0.0004876}, /* 59 */
	{0.007285, 0.003415, 0.00209, 0.001579, 0.00122, 0.0009761, 0.0008572, 0.0007579, 0.0006567, 0.0005925, 0.0005239, 0.0004876}, /* 60 */
	{0.007148, 0.00336, 0.00207, 0.001577, 0.00122, 0.0009761, 0.0008537, 0.0007447, 0.0006531, 0.0005861, 0.0005176, 0.0004876}, /* 61 */
	{0.0071, 0.003356, 0.002042, 0.001554, 0.001208, 0.0009761, 0.0008537, 0.0007417, 0.0006496, 0.0005838, 0.0005099, 0.0004876}, /* 62 */
	{0.007014, 0.003356, 0.00202, 0.001546, 0.001192, 0.0009761, 0.0008537, 0.0007317, 0.0006444, 0.000579, 0.0005044, 0.0004876}, /* 63 */
	{0.006939, 0.003338, 0.002018, 0.001525, 0.001174, 0.0009761, 0.0008503, 0.0007317, 0.0006383, 0.000569, 0.0005031, 0.0004876}, /* 64 */
	{0.006836, 0.003297, 0.001999, 0.001525, 0.00117, 0.0009761, 0.0008457, 0.0007298, 0.0006306, 0.0005636, 0.000497, 0.0004824}, /* 65 */
	{0.006827, 0.003266, 0.001983, 0.001506, 0.001163, 0.0009761, 0.0008389, 0.0007219, 0.0006238, 0.0005583, 0.0004943, 0.0004791}, /* 66 */
	{0.006827, 0.003235, 0.001966, 0.001472, 0.001159, 0.0009761, 0.0008389, 0.0007209, 0.0006154, 0.0005545, 0.000489, 0.0004766}, /* 67 */
	{0.006827, 0.003192, 0.001951, 0.001464, 0.001149, 0.0009761, 0.0008343, 0.0007141, 0.0006096, 0.0005508, 0.0004876, 0.0004727}, /* 68 */
	{0.006744, 0.003157, 0.001951, 0.001464, 0.001132, 0.0009748, 0.0008265, 0.0007074, 0.0006096, 0.0005426, 0.0004876, 0.0004682}, /* 69 */
	{0.006708, 0.003153, 0.001951, 0.001456, 0.001125, 0.0009682, 0.0008187, 0.0007045, 0.0006096, 0.0005354, 0.0004876, 0.0004595}, /* 70 */
	{0.006708, 0.00314, 0.001951, 0.001454, 0.001112, 0.0009643, 0.0008088, 0.0006932, 0.0006088, 0.0005339, 0.0004876, 0.0004533}, /* 71 */
	{0.006663, 0.003098, 0.001951, 0.001444, 0.001099, 0.0009513, 0.0008077, 0.0006848, 0.0006071, 0.0005289, 0.0004876, 0.0004478}, /* 72 */
	{0.006645, 0.003069, 0.001951, 0.001431, 0.001092, 0.0009411, 0.0007979, 0.0006756, 0.0006022, 0.0005253, 0.0004876, 0.0004388}, /* 73 */
	{0.006591, 0.003048, 0.001951, 0.001415, 0.001081, 0.0009347, 0.0007904, 0.000671, 0.0005957, 0.0005225, 0.0004876, 0.0004335}, /* 74 */
	{0.006564, 0.003048, 0.001951, 0.00141, 0.001067, 0.0009284, 0.0007893, 0.0006674, 0.0005925, 0.0005134, 0.0004876, 0.0004306}, /* 75 */
	{0.00652, 0.003003, 0.001951, 0.001396, 0.001065, 0.0009197, 0.0007819, 0.0006638, 0.0005869, 0.0005099, 0.0004876, 0.0004294}, /* 76 */
	{0.006459, 0.002975, 0.001951, 0.00138, 0.001058, 0.000911, 0.0007724, 0.0006585, 0.0005846, 0.0005065, 0.0004857, 0.0004277}, /* 77 */
	{0.006389, 0.002939, 0.001935, 0.00137, 0.001048, 0.0009049, 0.0007631, 0.0006558, 0.0005822, 0.0005044, 0.0004824, 0.0004271}, /* 78 */
	{0.006346, 0.002927, 0.00193, 0.001357, 0.001044, 0.0009012, 0.000762, 0.0006505, 0.000579, 0.0005031, 0.0004785, 0.0004271}, /* 79 */
	{0.006278, 0.002927, 0.001917, 0.001343, 0.001041, 0.0008903, 0.0007589, 0.0006496, 0.0005728, 0.0004997, 0.0004759, 0.0004271}, /* 80 */
	{0.006278, 0.002911, 0.001896, 0.001341, 0.001034, 0.0008831, 0.0007488, 0.0006444, 0.0005674, 0.000495, 0.0004746, 0.0004271}, /* 81 */
	{0.00621, 0.0029, 0.001876, 0.00133, 0.001026, 0.0008748, 0.0007437, 0.0006417, 0.0005613, 0.0004923, 0.0004708, 0.0004254}, /* 82 */
	{0.006177, 0.002857, 0.001865, 0.00131, 0.00102, 0.0008701, 0.0007387, 0.0006383, 0.000556, 0.0004876, 0.0004645, 0.0004231}, /* 83 */
	{0.006135, 0.002849, 0.001858, 0.00131, 0.001015, 0.0008584, 0.0007327, 0.0006331, 0.0005545, 0.0004876, 0.000462, 0.0004191}, /* 84 */
	{0.00611, 0.002837, 0.001848, 0.001303, 0.001006, 0.0008537, 0.0007317, 0.0006272, 0.0005515, 0.0004876, 0.0004564, 0.0004191}, /* 85 */
	{0.006102, 0.002818, 0.00183, 0.001295, 0.001004, 0.0008537, 0.0007317, 0.0006204, 0.0005456, 0.0004876, 0.0004508, 0.0004191}, /* 86 */
	{0.006085, 0.002807, 0.001818, 0.001288, 0.0009961, 0.0008537, 0.0007288, 0.0006129, 0.0005419, 0.0004876, 0.0004472, 0.0004151}, /* 87 */
	{0.006044, 0.002788, 0.001808, 0.001284, 0.0009894, 0.0008514, 0.0007258, 0.0006096, 0.000539, 0.0004876, 0.0004382, 0.0004112}, /* 88 */
	{0.006004, 0.002773, 0.001791, 0.001277, 0.0009814, 0.0008503, 0.0007209, 0.0006096, 0.0005354, 0.0004876, 0.000437, 0.0004079}, /* 89 */
	{0.005963, 0.002758, 0.001777, 0.001267, 0.0009761, 0.0008468, 0.0007161, 0.0006096, 0.0005339, 0.0004876, 0.0004335, 0.0004073}, /* 90 */
	{0.005923, 0.002736, 0.00176, 0.00126, 0.0009761, 0.00084, 0.0007112, 0.0006096, 0.0005289, 0.0004876, 0.0004312, 0.0004046}, /* 91 */
	{0.005891, 0.002725, 0.001741, 0.001251, 0.0009761, 0.0008389, 0.0007074, 0.0006079, 0.000526, 0.0004876, 0.0004294, 0.0004002}, /* 92 */
	{0.005851, 0.00271, 0.001727, 0.001245, 0.0009761, 0.0008389, 0.0007017, 0.0006071, 0.0005239, 0.0004876, 0.0004277, 0.0003975}, /* 93 */
	{0.005851, 0.002699, 0.001715, 0.001236, 0.0009761, 0.0008366, 0.000696, 0.000603, 0.0005225, 0.0004876, 0.0004271, 0.0003943}, /* 94 */
	{0.005851, 0.002684, 0.001708, 0.001233, 0.0009761, 0.0008309, 0.0006913, 0.0005998, 0.0005176, 0.0004837, 0.0004271, 0.0003906}, /* 95 */
	{0.005828, 0.002673, 0.001708, 0.001223, 0.0009761, 0.0008265, 0.0006857, 0.0005973, 0.000512, 0.0004811, 0.0004271, 0.0003875}, /* 96 */
	{0.00578, 0.002659, 0.001708, 0.00122, 0.0009761, 0.0008231, 0.0006802, 0.0005925, 0.0005099, 0.0004791, 0.0004271, 0.0003854}, /* 97 */
	{0.005734, 0.002641, 0.001704, 0.00122, 0.0009761, 0.0008143, 0.0006738, 0.0005901, 0.0005065, 0.0004766, 0.0004265, 0.0003833}, /* 98 */
	{0.005687, 0.002623, 0.001692, 0.00122, 0.0009761, 0.0008088, 0.000671, 0.0005853, 0.0005044, 0.0004746, 0.0004259, 0.0003812}, /* 99 */
	{0.005641, 0.002613, 0.00169, 0.00122, 0.0009761, 0.0008077, 0.0006683, 0.000583, 0.0005031, 0.0004727, 0.0004219, 0.0003812}, /* 100 */
};
/* clang-format on */

double
stats_looks_alpha(size_t n_max, size_t k)
{
	if (k == 0 || k > AB_LOOKS_SPLIT_MAX)
		return NAN;
	if (n_max == 0)
		return AB_LOOKS_FWER / (double)k;
	if (n_max < AB_MIN_PAIRS || n_max > AB_LOOKS_MAX)
		return NAN;
	return looks_alpha[n_max - AB_MIN_PAIRS][k - 1];
}

/* Also -1 when out of memory. */
int
stats_holm_levels(const double *p, size_t m, size_t n_max, double *level)
{
	struct pidx *s;
	size_t j, stop;

	if (m > AB_LOOKS_SPLIT_MAX || isnan(stats_looks_alpha(n_max, 1)))
		return -1;
	if ((s = sorted_p(p, m)) == NULL)
		return -1;
	for (stop = 0; stop < m; stop++)
		if (!(s[stop].p < stats_looks_alpha(n_max, m - stop)))
			break;
	for (j = 0; j < m; j++)
		level[s[j].i] =
		    stats_looks_alpha(n_max, m - (j < stop ? j : stop));
	free(s);
	return 0;
}

int
stats_paired(const double *d, size_t n, double alpha, double margin,
    struct stats_paired *out, char *err, size_t errlen)
{
	struct stats_paired r;
	struct walsh ws;
	double delta, cov, pl, pu;

	if (!alpha_ok(alpha, 0.5, err, errlen))
		return -1;
	if (!(margin > 0 && isfinite(margin))) {
		set_err(err, errlen, "margin is out of range");
		return -1;
	}
	if (n > AB_PAIRS_MAX) {
		set_err(err, errlen, "too many differences");
		return -1;
	}
	if (!finite_all(d, n, err, errlen))
		return -1;
	r.n = n;
	r.estimate = r.lo = r.hi = r.p = r.eq_lo = r.eq_hi = r.p_tost =
	    r.detectable = NAN;
	r.different = r.equivalent = 0;
	if (n < AB_MIN_PAIRS) {
		r.verdict = STATS_COLLECTING;
		*out = r;
		return 0;
	}
	if (walsh_build(d, n, &ws, err, errlen) == -1)
		return -1;
	delta = log1p(margin);
	r.estimate = stats_median_sorted(ws.w, ws.m);
	walsh_interval(&ws, alpha / 2, &r.lo, &r.hi, &cov);
	walsh_interval(&ws, alpha, &r.eq_lo, &r.eq_hi, &cov);
	r.p = walsh_p(&ws);
	pl = srnull_cdf(&ws.z, count_le(&ws, -delta));
	pu = srnull_cdf(&ws.z, count_ge(&ws, delta));
	r.p_tost = fmax(pl, pu);
	r.different = r.p < alpha;
	r.equivalent = r.p_tost < alpha;
	r.detectable = fmax(r.estimate - r.lo, r.hi - r.estimate);
	if (r.different)
		r.verdict = r.lo > 0 ? STATS_FASTER : STATS_SLOWER;
	else if (r.equivalent)
		r.verdict = STATS_EQUIVALENT;
	else
		r.verdict = STATS_UNDECIDED;
	walsh_free(&ws);
	*out = r;
	return 0;
}

const char *
stats_verdict_str(enum stats_verdict v)
{
	switch (v) {
	case STATS_COLLECTING:
		return "collecting";
	case STATS_FASTER:
		return "faster";
	case STATS_SLOWER:
		return "slower";
	case STATS_EQUIVALENT:
		return "equivalent";
	case STATS_UNDECIDED:
		return "undecided";
	}
	return "?";
}
