/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for stats.c. Every expected value was computed outside this
 * code, by a throwaway Python script (kept out of the repository) run with
 * scipy 1.10.1 and numpy 1.24.2: numpy.median/mean/std(ddof=1) for the
 * descriptive statistics, scipy.stats.binom.cdf for the order-statistic
 * index k of the median interval, scipy.stats.mannwhitneyu (two-sided,
 * method "exact" without ties and na * nb <= 2500, else "asymptotic" with
 * use_continuity=True) for the p-values, and an independent Python
 * re-implementation of the bootstrap documented in stats.h (its splitmix64
 * checked against the published outputs for seed 1234567, medians by
 * numpy) for the speedup intervals. The paired statistics are checked
 * against tables printed by tests/stats-ref.py (scipy.stats.wilcoxon,
 * numpy Hodges-Lehmann, scipy's exact signed-rank distribution, Holm by
 * its definition), the Williams order against its textbook construction
 * and its balance properties, and the repeated-look levels by simulation.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "stats.h"

#define ARR(a) (a), (sizeof(a) / sizeof((a)[0]))

/* Relative tolerance for values computed in floating point. */
#define REL 1e-9

/*
 * got matches want within REL (absolute near zero); NAN matches NAN and
 * an infinity itself.
 */
static int
close_to(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	if (isinf(want))
		return got == want;
	if (!isfinite(got))
		return 0;
	return fabs(got - want) <= REL * fmax(fabs(want), 1e-300) ||
	    fabs(got - want) <= 1e-15;
}

#define ck_assert_close(got, want, i)                                          \
	ck_assert_msg(close_to((got), (want)),                                 \
	    "case %zu: %s = %.17g, want %.17g", (size_t)(i), #got,             \
	    (double)(got), (double)(want))

/* splitmix64 */

START_TEST(test_splitmix64)
{
	static const struct {
		uint64_t seed;
		size_t nout;
		uint64_t out[3];
		uint64_t state; /* after nout steps */
	} cases[] = {
	    {1234567, 3,
	        {UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
	            UINT64_C(9817491932198370423)},
	        UINT64_C(15755400384261278406)},
	    {0, 1, {UINT64_C(0xe220a8397b1dcdaf)},
	        UINT64_C(0x9e3779b97f4a7c15)},
	};
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t st = cases[i].seed, v;

		for (j = 0; j < cases[i].nout; j++) {
			v = stats_splitmix64(&st);
			ck_assert_msg(v == cases[i].out[j],
			    "case %zu step %zu: %llu", i, j,
			    (unsigned long long)v);
		}
		ck_assert(st == cases[i].state);
	}
}
END_TEST

/* Median and description */

START_TEST(test_median_sorted)
{
	static const double s1[] = {1.0};
	static const double s2[] = {1.0, 2.0};
	static const double s3[] = {1.0, 2.0, 4.0};
	static const double s4[] = {1.0, 2.0, 4.0, 8.0};
	static const double s6[] = {-3.0, 0.1, 0.2, 7.5, 9.25, 1e6};
	static const struct {
		const double *x;
		size_t n;
		double want;
	} cases[] = {
	    {ARR(s1), 1.0},
	    {ARR(s2), 1.5},
	    {ARR(s3), 2.0},
	    {ARR(s4), 3.0},
	    {ARR(s6), 3.85},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_close(stats_median_sorted(cases[i].x, cases[i].n),
		    cases[i].want, i);
}
END_TEST

static const double d_one[] = {3.5};
static const double d_two[] = {2.0, 1.0};
static const double d_odd[] = {5.0, 1.0, 4.0, 2.0, 3.0};
static const double d_five[] = {0.31, 0.29, 0.35, 0.3, 0.33};
static const double d_six[] = {1.25, 1.5, 1.125, 2.0, 1.75, 1.0};
static const double d_ten[] = {10.0, 3.0, 7.0, 1.0, 9.0, 2.0, 8.0, 4.0, 6.0,
    5.0};
static const double d_thirty[] = {1.0, 1.0921, 1.1842, 1.2763, 1.3684, 1.0705,
    1.1626, 1.247, 1.3391, 1.0412, 1.1333, 1.2254, 1.3175, 1.0196, 1.104,
    1.1961, 1.2882, 1.3803, 1.0824, 1.1745, 1.2666, 1.351, 1.0531, 1.1452,
    1.2373, 1.3294, 1.0315, 1.1236, 1.208, 1.3001};
static const double d_neg[] = {-1.5, 2.25, -0.75, 0.0, 3.5, -2.0, 1.0};
static const double d_ties[] = {2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0};

static const struct {
	const double *x;
	size_t n;
	double median, mean, stdev, min, max;
	int has_ci;
	double ci_lo, ci_hi;
} describe_cases[] = {
    {ARR(d_one), 3.5, 3.5, NAN, 3.5, 3.5, 0, NAN, NAN},
    {ARR(d_two), 1.5, 1.5, 0.7071067811865476, 1.0, 2.0, 0, NAN, NAN},
    {ARR(d_odd), 3.0, 3.0, 1.5811388300841898, 1.0, 5.0, 0, NAN, NAN},
    {ARR(d_five), 0.31, 0.316, 0.024083189157584593, 0.29, 0.35, 0, NAN, NAN},
    {ARR(d_six), 1.375, 1.4375, 0.385275875185561, 1.0, 2.0, 1, 1.0, 2.0},
    {ARR(d_ten), 5.5, 5.5, 3.0276503540974917, 1.0, 10.0, 1, 2.0, 9.0},
    {ARR(d_thirty), 1.19015, 1.1916166666666668, 0.11426213685880476, 1.0,
        1.3803, 1, 1.1236, 1.2666},
    {ARR(d_neg), 0.0, 0.35714285714285715, 2.0096493415992938, -2.0, 3.5, 1,
        -2.0, 3.5},
    {ARR(d_ties), 2.0, 2.0, 0.0, 2.0, 2.0, 1, 2.0, 2.0},
};

static void
check_desc(const struct stats_desc *d, size_t i)
{
	ck_assert_uint_eq(d->n, describe_cases[i].n);
	ck_assert_close(d->median, describe_cases[i].median, i);
	ck_assert_close(d->mean, describe_cases[i].mean, i);
	ck_assert_close(d->stdev, describe_cases[i].stdev, i);
	ck_assert_close(d->min, describe_cases[i].min, i);
	ck_assert_close(d->max, describe_cases[i].max, i);
	ck_assert_int_eq(d->has_ci, describe_cases[i].has_ci);
	if (d->has_ci) {
		ck_assert_close(d->ci_lo, describe_cases[i].ci_lo, i);
		ck_assert_close(d->ci_hi, describe_cases[i].ci_hi, i);
	}
}

START_TEST(test_describe)
{
	struct stats_desc d;
	double copy[64];
	size_t i;

	for (i = 0; i < sizeof(describe_cases) / sizeof(describe_cases[0]);
	     i++) {
		memcpy(copy, describe_cases[i].x,
		    describe_cases[i].n * sizeof(copy[0]));
		ck_assert_int_eq(stats_describe(copy, describe_cases[i].n, &d),
		    0);
		check_desc(&d, i);
		/* The input is left in its original order. */
		ck_assert(memcmp(copy, describe_cases[i].x,
		              describe_cases[i].n * sizeof(copy[0])) == 0);
	}
}
END_TEST

/* 1000 values x_i = ((i * 7919) mod 1009) / 2 + 1, unsorted with ties. */
START_TEST(test_describe_large)
{
	struct stats_desc d;
	double *x;
	size_t i, n = 1000;

	x = malloc(n * sizeof(*x));
	ck_assert_ptr_nonnull(x);
	for (i = 0; i < n; i++)
		x[i] = (double)((i * 7919) % 1009) * 0.5 + 1.0;
	ck_assert_int_eq(stats_describe(x, n, &d), 0);
	free(x);
	ck_assert_uint_eq(d.n, n);
	ck_assert_close(d.median, 253.75, 0);
	ck_assert_close(d.mean, 253.339, 0);
	ck_assert_close(d.stdev, 145.75242999638067, 0);
	ck_assert_close(d.min, 1.0, 0);
	ck_assert_close(d.max, 505.0, 0);
	ck_assert_int_eq(d.has_ci, 1);
	/* k = 469: x(469) and x(532) of the sorted sample */
	ck_assert_close(d.ci_lo, 238.0, 0);
	ck_assert_close(d.ci_hi, 269.5, 0);
}
END_TEST

START_TEST(test_describe_errors)
{
	static const double with_nan[] = {1.0, NAN, 2.0};
	static const double with_inf[] = {1.0, 2.0, INFINITY};
	static const double with_ninf[] = {-INFINITY, 1.0};
	static const struct {
		const double *x;
		size_t n;
	} cases[] = {
	    {d_ten, 0},
	    {ARR(with_nan)},
	    {ARR(with_inf)},
	    {ARR(with_ninf)},
	};
	struct stats_desc d, sentinel;
	size_t i;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(&d, &sentinel, sizeof(d));
		ck_assert_int_eq(stats_describe(cases[i].x, cases[i].n, &d),
		    -1);
		ck_assert_msg(memcmp(&d, &sentinel, sizeof(d)) == 0,
		    "case %zu: out was modified", i);
	}
}
END_TEST

/* Median interval */

/*
 * With x = 1, 2, ..., n the interval is [k, n - k + 1], so each row checks
 * the index k (largest k with P(Binomial(n, 1/2) <= k - 1) <= 0.025);
 * k = 0 means no interval.
 */
START_TEST(test_median_ci)
{
	static const struct {
		size_t n, k;
	} cases[] = {
	    {1, 0},
	    {2, 0},
	    {3, 0},
	    {4, 0},
	    {5, 0},
	    {6, 1},
	    {7, 1},
	    {8, 1},
	    {9, 2},
	    {10, 2},
	    {11, 2},
	    {12, 3},
	    {13, 3},
	    {16, 4},
	    {17, 5},
	    {20, 6},
	    {25, 8},
	    {30, 10},
	    {50, 18},
	    {71, 27},
	    {100, 40},
	    {101, 41},
	    {500, 228},
	    {1000, 469},
	    {9999, 4902},
	    {10000, 4902},
	    {100000, 49690},
	    {1000000, 499020},
	};
	size_t i, nmax = 1000000;
	double *x, lo, hi;

	x = malloc(nmax * sizeof(*x));
	ck_assert_ptr_nonnull(x);
	for (i = 0; i < nmax; i++)
		x[i] = (double)(i + 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lo = hi = -1.0;
		if (cases[i].k == 0) {
			ck_assert_int_eq(stats_median_ci(x, cases[i].n, &lo,
			                     &hi),
			    -1);
			ck_assert(lo == -1.0 && hi == -1.0);
			continue;
		}
		ck_assert_int_eq(stats_median_ci(x, cases[i].n, &lo, &hi), 0);
		ck_assert_msg(lo == (double)cases[i].k &&
		        hi == (double)(cases[i].n - cases[i].k + 1),
		    "n = %zu: [%g, %g], want k = %zu", cases[i].n, lo, hi,
		    cases[i].k);
	}
	free(x);
}
END_TEST

/* Mann-Whitney U */

static const double m_doc_x_a[] = {19.0, 22.0, 16.0, 29.0, 24.0};
static const double m_doc_x_b[] = {20.0, 11.0, 17.0, 12.0};
static const double m_sep5_a[] = {1.0, 2.0, 3.0, 4.0, 5.0};
static const double m_sep5_b[] = {6.0, 7.0, 8.0, 9.0, 10.0};
static const double m_sep3_a[] = {3.5, 1.5, 2.5};
static const double m_sep3_b[] = {10.0, 12.0, 11.0};
static const double m_one_a[] = {1.0};
static const double m_one_b[] = {2.0};
static const double m_one_three_a[] = {5.0};
static const double m_one_three_b[] = {1.0, 2.0, 3.0};
static const double m_unequal_a[] = {0.91, 1.42, 1.07};
static const double m_unequal_b[] = {1.01, 1.12, 1.25, 1.33, 0.95, 1.18, 1.29,
    1.37, 1.04, 1.21, 0.99, 1.15};
static const double m_mid_a[] = {1.1, 1.3, 1.6, 1.8, 2.2, 2.3, 2.7};
static const double m_mid_b[] = {1.2, 1.4, 1.5, 1.9, 2.0, 2.1, 2.5, 2.8};
static const double m_10x40_a[] = {0.5, 3.5, 6.5, 9.5, 12.5, 15.5, 18.5, 21.5,
    24.5, 27.5};
static const double m_10x40_b[] = {1.0, 1.75, 2.5, 3.25, 4.0, 4.75, 5.5, 6.25,
    7.0, 7.75, 8.5, 9.25, 10.0, 10.75, 11.5, 12.25, 13.0, 13.75, 14.5, 15.25,
    16.0, 16.75, 17.5, 18.25, 19.0, 19.75, 20.5, 21.25, 22.0, 22.75, 23.5,
    24.25, 25.0, 25.75, 26.5, 27.25, 28.0, 28.75, 29.5, 30.25};
static const double m_ident_a[] = {1.0, 2.0, 3.0, 4.0, 5.0};
static const double m_ident_b[] = {1.0, 2.0, 3.0, 4.0, 5.0};
static const double m_ties_a[] = {1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0};
static const double m_ties_b[] = {2.0, 3.0, 4.0, 4.0, 5.0, 5.0, 6.0, 7.0};
static const double m_inner_tie_a[] = {1.0, 1.0, 2.0};
static const double m_inner_tie_b[] = {3.0, 4.0};
static const double m_allsame_a[] = {5.0, 5.0, 5.0};
static const double m_allsame_b[] = {5.0, 5.0};
static const double m_ties30_a[] = {1.0, 1.13, 1.09, 1.05, 1.01, 1.14, 1.1,
    1.06, 1.02, 1.15, 1.11, 1.07, 1.03, 1.16, 1.12, 1.08, 1.04, 1.0, 1.13, 1.09,
    1.05, 1.01, 1.14, 1.1, 1.06, 1.02, 1.15, 1.11, 1.07, 1.03};
static const double m_ties30_b[] = {1.05, 1.16, 1.08, 1.19, 1.11, 1.22, 1.14,
    1.06, 1.17, 1.09, 1.2, 1.12, 1.23, 1.15, 1.07, 1.18, 1.1, 1.21, 1.13, 1.05,
    1.16, 1.08, 1.19, 1.11, 1.22, 1.14, 1.06, 1.17, 1.09, 1.2};
static const double m_ties_sep_a[] = {1.0, 1.0, 2.0, 2.0, 3.0, 3.0};
static const double m_ties_sep_b[] = {4.0, 4.0, 5.0, 5.0, 6.0, 6.0};

/* Two-sided, so each row is also checked with the samples swapped. */
START_TEST(test_mann_whitney)
{
	static const struct {
		const double *a;
		size_t na;
		const double *b;
		size_t nb;
		double p;
	} cases[] = {
	    /* exact: no ties, na * nb <= 2500 */
	    {ARR(m_doc_x_a), ARR(m_doc_x_b), 0.1111111111111111},
	    {ARR(m_sep5_a), ARR(m_sep5_b), 0.007936507936507936},
	    {ARR(m_sep3_a), ARR(m_sep3_b), 0.1},
	    {ARR(m_one_a), ARR(m_one_b), 1.0},
	    {ARR(m_one_three_a), ARR(m_one_three_b), 0.5},
	    {ARR(m_unequal_a), ARR(m_unequal_b), 0.8395604395604395},
	    {ARR(m_mid_a), ARR(m_mid_b), 0.8665112665112666},
	    {ARR(m_10x40_a), ARR(m_10x40_b), 0.6412498841043359},
	    /* asymptotic: ties */
	    {ARR(m_ident_a), ARR(m_ident_b), 1.0},
	    {ARR(m_ties_a), ARR(m_ties_b), 0.025279736885893914},
	    {ARR(m_inner_tie_a), ARR(m_inner_tie_b), 0.1386406338132186},
	    {ARR(m_allsame_a), ARR(m_allsame_b), 1.0},
	    {ARR(m_ties30_a), ARR(m_ties30_b), 0.00022818757674776224},
	    {ARR(m_ties_sep_a), ARR(m_ties_sep_b), 0.004624228801499123},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_close(stats_mann_whitney_p(cases[i].a, cases[i].na,
		                    cases[i].b, cases[i].nb),
		    cases[i].p, i);
		ck_assert_close(stats_mann_whitney_p(cases[i].b, cases[i].nb,
		                    cases[i].a, cases[i].na),
		    cases[i].p, i);
	}
}
END_TEST

/*
 * Either side of the exact/asymptotic boundary, without ties:
 * a_i = 1 + 2i, b_i = 2 + 2i + (i < 25 ? 20 : 60).
 */
START_TEST(test_mann_whitney_boundary)
{
	static const struct {
		size_t na, nb;
		double p;
	} cases[] = {
	    {50, 50, 5.260312005450686e-05}, /* 2500: exact */
	    {51, 50, 9.531896242180018e-05}, /* 2550: asymptotic */
	};
	double a[51], b[50];
	size_t i, j;

	for (j = 0; j < 51; j++)
		a[j] = 1.0 + 2.0 * (double)j;
	for (j = 0; j < 50; j++)
		b[j] = 2.0 + 2.0 * (double)j + (j < 25 ? 20.0 : 60.0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_close(stats_mann_whitney_p(a, cases[i].na, b,
		                    cases[i].nb),
		    cases[i].p, i);
}
END_TEST

START_TEST(test_mann_whitney_errors)
{
	static const double with_nan[] = {1.0, NAN};
	static const struct {
		const double *a;
		size_t na;
		const double *b;
		size_t nb;
	} cases[] = {
	    {m_sep5_a, 0, ARR(m_sep5_b)},
	    {ARR(m_sep5_a), m_sep5_b, 0},
	    {m_sep5_a, 0, m_sep5_b, 0},
	    {ARR(with_nan), ARR(m_sep5_b)},
	    {ARR(m_sep5_a), ARR(with_nan)},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(isnan(stats_mann_whitney_p(cases[i].a,
		                  cases[i].na, cases[i].b, cases[i].nb)),
		    "case %zu: not NAN", i);
}
END_TEST

/* Speedup */

static const double s_slow[] = {1.262, 1.231, 1.248, 1.275, 1.219, 1.254, 1.301,
    1.237, 1.244, 1.268, 1.226, 1.259, 1.283, 1.241, 1.25, 1.236, 1.272, 1.229,
    1.264, 1.247};
static const double s_fast[] = {1.051, 1.032, 1.074, 1.046, 1.019, 1.063, 1.088,
    1.041, 1.055, 1.037, 1.069, 1.048, 1.026, 1.058, 1.044};
static const double s_over_a[] = {2.01, 2.13, 1.97, 2.08, 2.22, 1.94, 2.05,
    2.17, 1.99, 2.11, 2.03, 2.15};
static const double s_over_b[] = {2.04, 1.96, 2.12, 2.07, 2.19, 1.98, 2.09,
    2.02, 2.14, 2.06, 2.0, 2.1, 2.16};
static const double s_same[] = {0.5, 0.52, 0.49, 0.51, 0.53, 0.48, 0.5, 0.54};
static const double s_small_b[] = {3.0, 3.3, 3.1, 3.6, 3.2, 3.4, 3.5};
static const double s_small_v[] = {3.05, 2.9, 3.15, 2.95, 3.25, 3.0};

START_TEST(test_speedup)
{
	static const struct {
		const double *base;
		size_t nb;
		const double *var;
		size_t nv;
		unsigned resamples;
		uint64_t seed;
		double ratio, ci_lo, ci_hi, p;
		int significant;
	} cases[] = {
	    /* variant clearly faster */
	    {ARR(s_slow), ARR(s_fast), AB_BOOT_RESAMPLES, AB_BOOT_SEED,
	        1.1917938931297711, 1.1749764816556916, 1.2088122605363985,
	        6.157743228486794e-10, 1},
	    /* variant clearly slower: significant, interval below 1 */
	    {ARR(s_fast), ARR(s_slow), AB_BOOT_RESAMPLES, AB_BOOT_SEED,
	        0.8390712570056045, 0.8269537480063796, 0.8514217060472568,
	        6.157743228486794e-10, 1},
	    /* overlapping */
	    {ARR(s_over_a), ARR(s_over_b), AB_BOOT_RESAMPLES, AB_BOOT_SEED,
	        0.997584541062802, 0.9569377990430623, 1.0441176470588234,
	        0.9786973828432975, 0},
	    {ARR(s_over_a), ARR(s_over_b), 1000, 1234567, 0.997584541062802,
	        0.9565217391304348, 1.04, 0.9786973828432975, 0},
	    /* identical samples */
	    {ARR(s_same), ARR(s_same), AB_BOOT_RESAMPLES, AB_BOOT_SEED, 1.0,
	        0.9519230769230769, 1.0505050505050506, 1.0, 0},
	    /* p < 0.05 but the interval starts exactly at 1 */
	    {ARR(s_small_b), ARR(s_small_v), AB_BOOT_RESAMPLES, AB_BOOT_SEED,
	        1.0909090909090908, 1.0, 1.1764705882352942,
	        0.04520381482083472, 0},
	    /* B = 39: k = 0, the interval is the full range */
	    {ARR(s_small_b), ARR(s_small_v), 39, 1, 1.0909090909090908,
	        0.975609756097561, 1.1666666666666667, 0.04520381482083472, 0},
	    /* B = 40: k = 1; the lower end is just above 1 */
	    {ARR(s_small_b), ARR(s_small_v), 40, 1, 1.0909090909090908,
	        1.0000000000000002, 1.15702479338843, 0.04520381482083472, 1},
	    /* B = 1: both ends are the single resample */
	    {ARR(s_slow), ARR(s_fast), 1, 42, 1.1917938931297711,
	        1.1855375832540438, 1.1855375832540438, 6.157743228486794e-10,
	        1},
	};
	struct stats_speedup sp;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(stats_speedup(cases[i].base, cases[i].nb,
		                     cases[i].var, cases[i].nv,
		                     cases[i].resamples, cases[i].seed, &sp),
		    0);
		ck_assert_close(sp.ratio, cases[i].ratio, i);
		ck_assert_close(sp.ci_lo, cases[i].ci_lo, i);
		ck_assert_close(sp.ci_hi, cases[i].ci_hi, i);
		ck_assert_close(sp.p_value, cases[i].p, i);
		ck_assert_msg(sp.significant == cases[i].significant,
		    "case %zu: significant = %d", i, sp.significant);
	}
}
END_TEST

START_TEST(test_speedup_errors)
{
	static const double with_nan[] = {1.0, NAN, 1.2};
	static const double with_zero[] = {1.0, 0.0, 1.2};
	static const double with_neg[] = {1.0, -0.5, 1.2};
	static const struct {
		const double *base;
		size_t nb;
		const double *var;
		size_t nv;
		unsigned resamples;
	} cases[] = {
	    {s_slow, 0, ARR(s_fast), 100},
	    {ARR(s_slow), s_fast, 0, 100},
	    {ARR(s_slow), ARR(s_fast), 0},
	    {ARR(with_nan), ARR(s_fast), 100},
	    {ARR(s_slow), ARR(with_nan), 100},
	    {ARR(s_slow), ARR(with_zero), 100},
	    {ARR(with_neg), ARR(s_fast), 100},
	};
	struct stats_speedup sp, sentinel;
	size_t i;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(&sp, &sentinel, sizeof(sp));
		ck_assert_int_eq(stats_speedup(cases[i].base, cases[i].nb,
		                     cases[i].var, cases[i].nv,
		                     cases[i].resamples, AB_BOOT_SEED, &sp),
		    -1);
		ck_assert_msg(memcmp(&sp, &sentinel, sizeof(sp)) == 0,
		    "case %zu: out was modified", i);
	}
}
END_TEST

/* Paired analysis */

/* d_i = ((i + 1) a mod q - c) / s + shift, as tests/stats-ref.py. */
static void
gen(double *d, size_t n, long a, long q, long c, long s, double shift)
{
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (double)((long)((i + 1) * (size_t)a % (size_t)q) - c) /
		        (double)s +
		    shift;
}

/* Uniform in [0, 1) from splitmix64. */
static double
unif(uint64_t *st)
{
	return (double)(stats_splitmix64(st) >> 11) * 0x1p-53;
}

/* Parses "0 1 2 / 1 2 0" into rows of k values; returns the row count. */
static size_t
parse_rows(const char *s, size_t k, size_t *out, size_t max)
{
	size_t n = 0;

	while (*s != '\0') {
		if (*s >= '0' && *s <= '9') {
			ck_assert_uint_lt(n, max);
			out[n++] = (size_t)(*s - '0');
		}
		s++;
	}
	ck_assert_uint_eq(n % k, 0);
	return n / k;
}

START_TEST(test_williams_table)
{
	/* Written out by the textbook recipe (Williams 1949). */
	static const struct {
		size_t k;
		const char *rows;
	} cases[] = {
	    {1, "0"},
	    {2, "0 1 / 1 0"},
	    {3, "0 1 2 / 1 2 0 / 2 0 1 / 2 1 0 / 0 2 1 / 1 0 2"},
	    {4, "0 1 3 2 / 1 2 0 3 / 2 3 1 0 / 3 0 2 1"},
	    {5, "0 1 4 2 3 / 1 2 0 3 4 / 2 3 1 4 0 / 3 4 2 0 1 / 4 0 3 1 2 / 3 2 4 1 0 / 4 3 0 2 1 / 0 4 1 3 2 / 1 0 2 4 3 / 2 1 3 0 4"},
	    {6, "0 1 5 2 4 3 / 1 2 0 3 5 4 / 2 3 1 4 0 5 / 3 4 2 5 1 0 / 4 5 3 0 2 1 / 5 0 4 1 3 2"},
	    {7, "0 1 6 2 5 3 4 / 1 2 0 3 6 4 5 / 2 3 1 4 0 5 6 / 3 4 2 5 1 6 0 / 4 5 3 6 2 0 1 / 5 6 4 0 3 1 2 / 6 0 5 1 4 2 3 / 4 3 5 2 6 1 0 / 5 4 6 3 0 2 1 / 6 5 0 4 1 3 2 / 0 6 1 5 2 4 3 / 1 0 2 6 3 5 4 / 2 1 3 0 4 6 5 / 3 2 4 1 5 0 6"},
	    {8, "0 1 7 2 6 3 5 4 / 1 2 0 3 7 4 6 5 / 2 3 1 4 0 5 7 6 / 3 4 2 5 1 6 0 7 / 4 5 3 6 2 7 1 0 / 5 6 4 7 3 0 2 1 / 6 7 5 0 4 1 3 2 / 7 0 6 1 5 2 4 3"},
	};
	size_t want[8 * 16], order[8], i, r, j, rows;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t k = cases[i].k;

		rows = parse_rows(cases[i].rows, k, want, 8 * 16);
		ck_assert_uint_eq(stats_williams_rows(k), rows);
		/* two cycles: rows continue modulo the cycle */
		for (r = 0; r < 2 * rows; r++) {
			memset(order, 0xff, sizeof(order));
			ck_assert_int_eq(stats_williams(k, r, order), 0);
			for (j = 0; j < k; j++)
				ck_assert_msg(order[j] ==
				        want[(r % rows) * k + j],
				    "k %zu row %zu pos %zu: %zu", k, r, j,
				    order[j]);
		}
	}
}
END_TEST

/*
 * Over one cycle: each row a permutation, each treatment equally often in
 * each position, each ordered pair of neighbours equally often.
 */
START_TEST(test_williams_balance)
{
	size_t k, r, j, rows, order[64], seen[64], pos[64][64], pair[64][64];
	size_t a, b;

	ck_assert_uint_eq(stats_williams_rows(0), 0);
	for (k = 1; k <= 64; k++) {
		rows = stats_williams_rows(k);
		ck_assert_uint_eq(rows, k == 1 ? 1 : k % 2 ? 2 * k : k);
		memset(pos, 0, sizeof(pos));
		memset(pair, 0, sizeof(pair));
		for (r = 0; r < rows; r++) {
			ck_assert_int_eq(stats_williams(k, r, order), 0);
			memset(seen, 0, sizeof(seen));
			for (j = 0; j < k; j++) {
				ck_assert_uint_lt(order[j], k);
				seen[order[j]]++;
				pos[order[j]][j]++;
				if (j > 0)
					pair[order[j - 1]][order[j]]++;
			}
			for (j = 0; j < k; j++)
				ck_assert_uint_eq(seen[j], 1);
		}
		for (a = 0; a < k; a++)
			for (b = 0; b < k; b++) {
				ck_assert_uint_eq(pos[a][b], rows / k);
				if (a != b)
					ck_assert_msg(pair[a][b] ==
					        (k % 2 ? 2u : 1u),
					    "k %zu: (%zu, %zu) %zu times", k, a,
					    b, pair[a][b]);
				else
					ck_assert_uint_eq(pair[a][b], 0);
			}
	}
}
END_TEST

START_TEST(test_williams_errors)
{
	size_t order[2] = {7, 7};

	ck_assert_int_eq(stats_williams(0, 0, order), -1);
	ck_assert_int_eq(stats_williams(0, 5, order), -1);
	ck_assert(order[0] == 7 && order[1] == 7);
}
END_TEST

/* scipy.stats.wilcoxon(d, alternative=...).pvalue, scipy 1.10.1 */
static const struct {
	long n, a, q, c, s;
	double p[3]; /* two-sided, greater, less */
} wil_cases[] = {
    {6, 7, 13, 0, 10, {0.03125, 0.015625, 1}},
    {6, 7, 13, 6, 10, {0.4375, 0.84375, 0.21875}},
    {10, 7, 17, 8, 10,
        {0.95259860360467863, 0.52370069819766074, 0.47629930180233931}},
    {15, 11, 31, 12, 100,
        {0.1876220703125, 0.09381103515625, 0.91558837890625}},
    {20, 7919, 1009, 480, 1000,
        {0.59581947326660156, 0.29790973663330078, 0.71470165252685547}},
    {30, 7919, 1009, 520, 1000,
        {0.95152647420763969, 0.532300665974617, 0.47576323710381985}},
    {50, 7919, 1009, 470, 1000,
        {0.24908489906916564, 0.12454244953458282, 0.87743457707801564}},
    {51, 7919, 1009, 470, 1000,
        {0.2937970663611158, 0.1468985331805579, 0.8531014668194421}},
    {60, 7919, 1009, 430, 1000,
        {0.046043489170276709, 0.023021744585138355, 0.97697825541486161}},
    {10, 3, 7, 3, 8,
        {0.72334175900358422, 0.36167087950179211, 0.63832912049820789}},
    {12, 5, 11, 5, 4, {1, 0.5, 0.5}},
    {9, 2, 9, 4, 2, {1, 0.5, 0.5}},
    {14, 3, 10, 4, 2,
        {0.41915487887127656, 0.20957743943563828, 0.79042256056436178}},
    {60, 13, 23, 11, 4,
        {0.7743024402309211, 0.38715122011546055, 0.61284877988453945}},
    {55, 13, 29, 12, 2,
        {0.042076251721742723, 0.021038125860871362, 0.97896187413912861}},
    {7, 1, 100, 4, 1, {1, 0.5, 0.5}},
    {1, 1, 10, 0, 1, {1, 0.5, 1}},
    {2, 3, 10, 4, 1, {1, 0.5, 0.75}},
};

START_TEST(test_wilcoxon)
{
	static const enum stats_alt alts[] = {STATS_TWO_SIDED, STATS_GREATER,
	    STATS_LESS};
	double d[64], p;
	char err[64];
	size_t i, j;

	for (i = 0; i < sizeof(wil_cases) / sizeof(wil_cases[0]); i++) {
		gen(d, (size_t)wil_cases[i].n, wil_cases[i].a, wil_cases[i].q,
		    wil_cases[i].c, wil_cases[i].s, 0);
		for (j = 0; j < 3; j++) {
			p = -1;
			ck_assert_int_eq(stats_wilcoxon(d,
			                     (size_t)wil_cases[i].n, alts[j],
			                     &p, err, sizeof(err)),
			    0);
			ck_assert_close(p, wil_cases[i].p[j], i * 3 + j);
		}
	}
}
END_TEST

/*
 * Exact mode with tied |d| and no zero: scipy 1.10 truncates the
 * half-integer rank sum, so mirrored data do not get the same p.
 */
START_TEST(test_wilcoxon_ties_exact)
{
	static const double t1[] = {1, -1, 2, 3, 4, 5};
	static const double t2[] = {-1, 1, -2, -3, -4, -5};
	static const double t3[] = {1.5, -1.5, 2, -2, 3, 4, 5, 6, -7, 8, 9,
	    -9.5, 10, 11};
	static const struct {
		const double *d;
		size_t n;
		double p[3];
	} cases[] = {
	    {ARR(t1), {0.09375, 0.046875, 0.96875}},
	    {ARR(t2), {0.0625, 0.984375, 0.03125}},
	    {ARR(t3), {0.10400390625, 0.052001953125, 0.9547119140625}},
	};
	static const enum stats_alt alts[] = {STATS_TWO_SIDED, STATS_GREATER,
	    STATS_LESS};
	char err[64];
	double p;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (j = 0; j < 3; j++) {
			ck_assert_int_eq(stats_wilcoxon(cases[i].d, cases[i].n,
			                     alts[j], &p, err, sizeof(err)),
			    0);
			ck_assert_close(p, cases[i].p[j], i * 3 + j);
		}
}
END_TEST

START_TEST(test_wilcoxon_errors)
{
	static const double with_nan[] = {1.0, NAN, 2.0};
	static const double with_inf[] = {1.0, 2.0, -INFINITY};
	static const double zeros[] = {0.0, -0.0, 0.0};
	static const struct {
		const double *d;
		size_t n;
		const char *msg;
	} cases[] = {
	    {zeros, 0, "no differences"},
	    {ARR(with_nan), "a difference is not finite"},
	    {ARR(with_inf), "a difference is not finite"},
	    {ARR(zeros), "every difference is zero"},
	};
	char err[64];
	double p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = 42;
		err[0] = '\0';
		ck_assert_int_eq(stats_wilcoxon(cases[i].d, cases[i].n,
		                     STATS_TWO_SIDED, &p, err, sizeof(err)),
		    -1);
		ck_assert(p == 42);
		ck_assert_str_eq(err, cases[i].msg);
	}
}
END_TEST

/*
 * Hodges-Lehmann: numpy median of the Walsh averages; the interval and p
 * from scipy's exact signed-rank distribution (normal beyond 50 pairs).
 */
static const struct {
	long n, a, q, c, s;
	double alpha, estimate, lo, hi, coverage, p;
} hl_cases[] = {
    {6, 7, 13, 0, 10, 0.050000000000000003, 0.5, 0.10000000000000001,
        0.90000000000000002, 0.96875, 0.03125},
    {6, 7, 13, 0, 10, 0.070000000000000007, 0.5, 0.15000000000000002,
        0.85000000000000009, 0.9375, 0.03125},
    {8, 7, 13, 2, 10, 0.050000000000000003, 0.34999999999999998, 0,
        0.69999999999999996, 0.9609375, 0.0546875},
    {10, 7, 17, 8, 10, 0.050000000000000003, 0, -0.39999999999999997,
        0.34999999999999998, 0.951171875, 1},
    {15, 11, 31, 12, 100, 0.10000000000000001, 0.039999999999999994, -0.01,
        0.080000000000000002, 0.9053955078125, 0.207763671875},
    {20, 7919, 1009, 380, 1000, 0.050000000000000003, 0.13899999999999998,
        -0.013999999999999999, 0.29199999999999998, 0.95155906677246094,
        0.069580078125},
    {30, 7919, 1009, 420, 1000, 0.01, 0.099000000000000005,
        -0.054000000000000006, 0.26450000000000001, 0.99006848968565464,
        0.069892911240458488},
    {30, 7919, 1009, 420, 1000, 0.20000000000000001, 0.099000000000000005,
        0.036999999999999991, 0.17549999999999999, 0.80192420072853565,
        0.069892911240458488},
    {50, 7919, 1009, 470, 1000, 0.050000000000000003, 0.047,
        -0.031500000000000007, 0.13800000000000001, 0.95055359319939825,
        0.24908489906916564},
    {51, 7919, 1009, 470, 1000, 0.050000000000000003, 0.045999999999999999,
        -0.044000000000000004, 0.1255, 0.95098119200246456, 0.2937970663611158},
    {60, 7919, 1009, 430, 1000, 0.050000000000000003, 0.084999999999999992,
        0.0084999999999999798, 0.16349999999999998, 0.95064915432617647,
        0.046043489170276709},
    {12, 5, 11, 5, 4, 0.050000000000000003, 0, -0.5, 0.5, 0.95751953125, 1},
    {14, 3, 10, 4, 2, 0.10000000000000001, 0.25, -0.5, 1, 0.909423828125,
        0.6697998046875},
    {60, 13, 23, 11, 4, 0.050000000000000003, 0.0625, -0.375, 0.5,
        0.95085381698836913, 1},
    {25, 7919, 1009, 300, 1000, 0.0104, 0.21700000000000003,
        0.035000000000000017, 0.38650000000000001, 0.99036496877670288,
        0.001625359058380127},
};

START_TEST(test_hl)
{
	struct stats_hl h;
	double d[64];
	char err[64];
	size_t i;

	for (i = 0; i < sizeof(hl_cases) / sizeof(hl_cases[0]); i++) {
		gen(d, (size_t)hl_cases[i].n, hl_cases[i].a, hl_cases[i].q,
		    hl_cases[i].c, hl_cases[i].s, 0);
		ck_assert_int_eq(stats_hl(d, (size_t)hl_cases[i].n,
		                     hl_cases[i].alpha, &h, err, sizeof(err)),
		    0);
		ck_assert_uint_eq(h.n, (size_t)hl_cases[i].n);
		ck_assert_close(h.estimate, hl_cases[i].estimate, i);
		ck_assert_close(h.lo, hl_cases[i].lo, i);
		ck_assert_close(h.hi, hl_cases[i].hi, i);
		ck_assert_close(h.coverage, hl_cases[i].coverage, i);
		ck_assert_close(h.p, hl_cases[i].p, i);
		ck_assert(h.coverage > 1 - hl_cases[i].alpha);
	}
}
END_TEST

/*
 * Over many random samples, with and without ties and zeros: the
 * interval excludes 0 exactly when p < alpha, the coverage is above
 * nominal, and without zero Walsh averages p is scipy's two-sided p.
 */
START_TEST(test_hl_agree)
{
	static const double alphas[] = {0.005, 0.0104, 0.02, 0.05, 0.1, 0.3};
	uint64_t st = 99;
	double d[80], p;
	struct stats_hl h;
	char err[64];
	size_t it, n, i, j, a, same = 0, excl = 0;
	int zero;

	for (it = 0; it < 3000; it++) {
		n = 1 + (size_t)(unif(&st) * 70);
		for (i = 0; i < n; i++) {
			d[i] = unif(&st) - 0.4 + 0.3 * (double)(it % 3);
			if (it % 4 == 1) /* coarse: ties and zeros */
				d[i] = floor(d[i] * 8) / 8;
		}
		zero = 0;
		for (i = 0; i < n; i++)
			for (j = i; j < n; j++)
				zero |= d[i] + d[j] == 0;
		for (a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
			ck_assert_int_eq(stats_hl(d, n, alphas[a], &h, err,
			                     sizeof(err)),
			    0);
			ck_assert_msg((h.lo > 0 || h.hi < 0) ==
			        (h.p < alphas[a]),
			    "it %zu n %zu alpha %g: [%g, %g] p %g", it, n,
			    alphas[a], h.lo, h.hi, h.p);
			ck_assert(h.lo <= h.estimate && h.estimate <= h.hi);
			ck_assert(h.coverage > 1 - alphas[a]);
			excl += h.lo > 0 || h.hi < 0;
		}
		if (!zero) {
			ck_assert_int_eq(stats_wilcoxon(d, n, STATS_TWO_SIDED,
			                     &p, err, sizeof(err)),
			    0);
			ck_assert_close(h.p, p, it);
			same++;
		}
	}
	/* both branches were taken often */
	ck_assert_uint_gt(same, 1500);
	ck_assert_uint_gt(excl, 3000);
	ck_assert_uint_lt(excl, 15000);
}
END_TEST

START_TEST(test_hl_errors)
{
	static const double ok[] = {1.0, 2.0, 3.0};
	static const double with_nan[] = {1.0, NAN};
	static const struct {
		const double *d;
		size_t n;
		double alpha;
		const char *msg;
	} cases[] = {
	    {ok, 0, 0.05, "no differences"},
	    {ARR(with_nan), 0.05, "a difference is not finite"},
	    {ARR(ok), 0.0, "alpha is out of range"},
	    {ARR(ok), 1.0, "alpha is out of range"},
	    {ARR(ok), NAN, "alpha is out of range"},
	    {ok, AB_PAIRS_MAX + 1, 0.05, "too many differences"},
	};
	struct stats_hl h, sentinel;
	char err[64];
	size_t i;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(&h, &sentinel, sizeof(h));
		ck_assert_int_eq(stats_hl(cases[i].d, cases[i].n,
		                     cases[i].alpha, &h, err, sizeof(err)),
		    -1);
		ck_assert_str_eq(err, cases[i].msg);
		ck_assert(memcmp(&h, &sentinel, sizeof(h)) == 0);
	}
}
END_TEST

/* Holm by its definition, with numpy (as statsmodels multipletests). */
START_TEST(test_holm)
{
	static const struct {
		size_t m;
		double p[8], adj[8];
	} cases[] = {
	    {4,
	        {0.01, 0.040000000000000001, 0.029999999999999999,
	            0.0050000000000000001},
	        {0.029999999999999999, 0.059999999999999998,
	            0.059999999999999998, 0.02}},
	    {1, {0.5}, {0.5}},
	    {3, {0.02, 0.02, 0.90000000000000002},
	        {0.059999999999999998, 0.059999999999999998,
	            0.90000000000000002}},
	    {5,
	        {0.001, 0.29999999999999999, 0.20000000000000001, 0.25,
	            0.040000000000000001},
	        {0.0050000000000000001, 0.60000000000000009,
	            0.60000000000000009, 0.60000000000000009, 0.16}},
	    {3, {0.59999999999999998, 0.40000000000000002, 0.90000000000000002},
	        {1, 1, 1}},
	    {2, {0, 1}, {0, 1}},
	    {6,
	        {0.012, 0.010999999999999999, 0.012999999999999999, 0.5, 0.014,
	            0.02},
	        {0.066000000000000003, 0.066000000000000003,
	            0.066000000000000003, 0.5, 0.066000000000000003,
	            0.066000000000000003}},
	};
	double adj[8], buf[8];
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(stats_holm(cases[i].p, cases[i].m, adj), 0);
		for (j = 0; j < cases[i].m; j++)
			ck_assert_close(adj[j], cases[i].adj[j], i);
		/* in place */
		memcpy(buf, cases[i].p, sizeof(buf));
		ck_assert_int_eq(stats_holm(buf, cases[i].m, buf), 0);
		for (j = 0; j < cases[i].m; j++)
			ck_assert_close(buf[j], cases[i].adj[j], i);
	}
}
END_TEST

START_TEST(test_holm_errors)
{
	static const double bad[][2] = {{0.1, -0.1}, {0.1, 1.5}, {NAN, 0.1}};
	double adj[2] = {7, 7};
	size_t i;

	ck_assert_int_eq(stats_holm(bad[0], 0, adj), -1);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(stats_holm(bad[i], 2, adj), -1);
		ck_assert_int_eq(stats_holm_levels(bad[i], 2, 0, adj), -1);
	}
	ck_assert(adj[0] == 7 && adj[1] == 7);
	ck_assert_int_eq(stats_holm_levels(bad[0], 0, 0, adj), -1);
	ck_assert_int_eq(stats_holm_levels(bad[0], 13, 0, adj), -1);
	ck_assert_int_eq(stats_holm_levels(bad[0], 1, 5, adj), -1);
	ck_assert_int_eq(stats_holm_levels(bad[0], 1, 101, adj), -1);
	ck_assert(adj[0] == 7 && adj[1] == 7);
}
END_TEST

/*
 * The levels reproduce the step-down: with one look, p < level exactly
 * when the Holm-adjusted p is below 0.05; with repeated looks, the steps
 * use the calibrated levels.
 */
START_TEST(test_holm_levels)
{
	uint64_t st = 7;
	double p[12], adj[12], lv[12];
	size_t it, m, i, r, s;

	for (it = 0; it < 2000; it++) {
		m = 1 + it % 12;
		for (i = 0; i < m; i++)
			p[i] = it % 2 ? unif(&st) * 0.1 : unif(&st) * 0.02;
		ck_assert_int_eq(stats_holm(p, m, adj), 0);
		ck_assert_int_eq(stats_holm_levels(p, m, 0, lv), 0);
		for (i = 0; i < m; i++)
			ck_assert((p[i] < lv[i]) == (adj[i] < 0.05));
		ck_assert_int_eq(stats_holm_levels(p, m, 30, lv), 0);
		/* reference: rank r of p[i], first failing step s */
		for (s = 0; s < m; s++) {
			double ps = 2;
			size_t cnt = 0;

			/* the (s+1)-th smallest p */
			for (i = 0; i < m; i++) {
				cnt = 0;
				for (r = 0; r < m; r++)
					cnt += p[r] < p[i] ||
					    (p[r] == p[i] && r < i);
				if (cnt == s)
					ps = p[i];
			}
			if (!(ps < stats_looks_alpha(30, m - s)))
				break;
		}
		for (i = 0; i < m; i++) {
			size_t rank = 0;

			for (r = 0; r < m; r++)
				rank += p[r] < p[i] || (p[r] == p[i] && r < i);
			ck_assert(lv[i] ==
			    stats_looks_alpha(30, m - (rank < s ? rank : s)));
			ck_assert((p[i] < lv[i]) == (rank < s));
		}
	}
}
END_TEST

START_TEST(test_looks_alpha)
{
	size_t n, k;

	/* one look: plain Bonferroni shares */
	ck_assert_close(stats_looks_alpha(0, 1), 0.05, 0);
	ck_assert_close(stats_looks_alpha(0, 4), 0.0125, 0);
	/* the table of bench/looks-alpha.py */
	ck_assert_close(stats_looks_alpha(6, 1), 0.05, 0);
	ck_assert_close(stats_looks_alpha(30, 1), 0.01049, 0);
	ck_assert_close(stats_looks_alpha(100, 1), 0.005641, 0);
	ck_assert_close(stats_looks_alpha(30, 6), 0.001676, 0);
	for (n = AB_MIN_PAIRS; n <= AB_LOOKS_MAX; n++)
		for (k = 1; k <= AB_LOOKS_SPLIT_MAX; k++) {
			double a = stats_looks_alpha(n, k);

			ck_assert(a > 0 && a <= 0.05 / (double)k);
			if (k > 1)
				ck_assert(a <= stats_looks_alpha(n, k - 1));
		}
	ck_assert(isnan(stats_looks_alpha(5, 1)));
	ck_assert(isnan(stats_looks_alpha(101, 1)));
	ck_assert(isnan(stats_looks_alpha(30, 0)));
	ck_assert(isnan(stats_looks_alpha(30, 13)));
}
END_TEST

/* The verdict, against the same references and the rules in stats.h. */
START_TEST(test_paired)
{
	static const struct {
		long n, a, q, c, s;
		double shift, alpha, margin;
		enum stats_verdict verdict;
		double estimate, lo, hi, p, eq_lo, eq_hi, p_tost, detectable;
	} cases[] = {
	    {5, 7919, 1009, 480, 1000, 0.5, 0.050000000000000003, 0.02,
	        STATS_COLLECTING, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
	    {12, 7919, 1009, 504, 100000, 0.029999999999999999,
	        0.050000000000000003, 0.02, STATS_FASTER, 0.03015,
	        0.028164999999999999, 0.032134999999999997, 0.00048828125,
	        0.02862, 0.03168, 1, 0.0019850000000000007},
	    {12, 7919, 1009, 504, 100000, -0.029999999999999999,
	        0.050000000000000003, 0.02, STATS_SLOWER, -0.029850000000000002,
	        -0.031835000000000002, -0.027865000000000001, 0.00048828125,
	        -0.031379999999999998, -0.028319999999999998, 1,
	        0.0019850000000000007},
	    {30, 7919, 1009, 504, 100000, 0.001, 0.0104, 0.02, STATS_EQUIVALENT,
	        0.00115, -0.00038000000000000002, 0.0028050000000000002,
	        0.040489722043275833, -0.00023499999999999997, 0.00266,
	        9.3132257461547852e-10, 0.0016550000000000002},
	    {30, 7919, 1009, 504, 10000, 0.001, 0.0104, 0.02, STATS_EQUIVALENT,
	        0.0025000000000000005, -0.012799999999999999,
	        0.019050000000000001, 0.6263462882488966, -0.011349999999999999,
	        0.017599999999999998, 0.0026913899928331375,
	        0.016550000000000002},
	    {30, 7919, 1009, 504, 100000, 0.014999999999999999, 0.0104, 0.02,
	        STATS_FASTER, 0.01515, 0.01362, 0.016805, 1.862645149230957e-09,
	        0.013764999999999999, 0.016659999999999998,
	        9.3132257461547852e-10, 0.0016550000000000002},
	    {30, 7919, 1009, 504, 100000, 0.014999999999999999, 0.0104, 0.01,
	        STATS_FASTER, 0.01515, 0.01362, 0.016805, 1.862645149230957e-09,
	        0.013764999999999999, 0.016659999999999998, 1,
	        0.0016550000000000002},
	    {6, 7, 13, 0, 10, 0, 0.0104, 0.02, STATS_UNDECIDED, 0.5, -INFINITY,
	        INFINITY, 0.03125, -INFINITY, INFINITY, 1, INFINITY},
	    {20, 7919, 1009, 504, 30000, -0.0040000000000000001,
	        0.050000000000000003, 0.050000000000000003, STATS_EQUIVALENT,
	        -0.0035000000000000005, -0.0086, 0.0015999999999999999,
	        0.15364646911621094, -0.0081166666666666661,
	        0.00056666666666666671, 9.5367431640625e-07,
	        0.0051000000000000004},
	    {30, 7919, 1009, 504, 3000, 0.01, 0.0104, 0.02, STATS_UNDECIDED,
	        0.014999999999999996, -0.035999999999999997,
	        0.070166666666666669, 0.43996676616370678,
	        -0.031166666666666662, 0.065333333333333327, 0.467699334025383,
	        0.055166666666666669},
	};
	struct stats_paired r;
	double d[64];
	char err[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gen(d, (size_t)cases[i].n, cases[i].a, cases[i].q, cases[i].c,
		    cases[i].s, cases[i].shift);
		ck_assert_int_eq(stats_paired(d, (size_t)cases[i].n,
		                     cases[i].alpha, cases[i].margin, &r, err,
		                     sizeof(err)),
		    0);
		ck_assert_msg(r.verdict == cases[i].verdict, "case %zu: %s", i,
		    stats_verdict_str(r.verdict));
		ck_assert_uint_eq(r.n, (size_t)cases[i].n);
		if (r.verdict == STATS_COLLECTING) {
			ck_assert(isnan(r.estimate) && isnan(r.lo) &&
			    isnan(r.hi) && isnan(r.p) && isnan(r.p_tost) &&
			    isnan(r.detectable));
			ck_assert(!r.different && !r.equivalent);
			continue;
		}
		ck_assert_close(r.estimate, cases[i].estimate, i);
		ck_assert_close(r.lo, cases[i].lo, i);
		ck_assert_close(r.hi, cases[i].hi, i);
		ck_assert_close(r.p, cases[i].p, i);
		ck_assert_close(r.eq_lo, cases[i].eq_lo, i);
		ck_assert_close(r.eq_hi, cases[i].eq_hi, i);
		ck_assert_close(r.p_tost, cases[i].p_tost, i);
		if (isinf(cases[i].detectable))
			ck_assert(isinf(r.detectable));
		else
			ck_assert_close(r.detectable, cases[i].detectable, i);
		ck_assert_int_eq(r.different, r.p < cases[i].alpha);
		ck_assert_int_eq(r.equivalent, r.p_tost < cases[i].alpha);
		ck_assert_int_eq(r.equivalent,
		    r.eq_lo > -log1p(cases[i].margin) &&
		        r.eq_hi < log1p(cases[i].margin));
	}
}
END_TEST

/*
 * `detectable`: the same sample moved so that its estimate lies just
 * beyond it from 0 is decided, with the right sign; moved to just within
 * the smaller half-width, it is not called different.
 */
START_TEST(test_paired_detectable)
{
	uint64_t st = 3;
	struct stats_paired r, c;
	double d[40], e[40], half;
	char err[64];
	size_t it, n, i;

	for (it = 0; it < 200; it++) {
		n = 8 + it % 30;
		for (i = 0; i < n; i++)
			d[i] = 0.05 * (unif(&st) - unif(&st)) +
			    0.002 * (unif(&st) - 0.5);
		ck_assert_int_eq(stats_paired(d, n, 0.0104, 0.02, &r, err,
		                     sizeof(err)),
		    0);
		ck_assert(isfinite(r.detectable) && r.detectable > 0);
		half = fmin(r.estimate - r.lo, r.hi - r.estimate);
		for (i = 0; i < n; i++)
			e[i] = d[i] - r.estimate + r.detectable * 1.001;
		ck_assert_int_eq(stats_paired(e, n, 0.0104, 0.02, &c, err,
		                     sizeof(err)),
		    0);
		ck_assert_int_eq(c.verdict, STATS_FASTER);
		for (i = 0; i < n; i++)
			e[i] = d[i] - r.estimate - r.detectable * 1.001;
		ck_assert_int_eq(stats_paired(e, n, 0.0104, 0.02, &c, err,
		                     sizeof(err)),
		    0);
		ck_assert_int_eq(c.verdict, STATS_SLOWER);
		for (i = 0; i < n; i++)
			e[i] = d[i] - r.estimate + half * 0.98;
		ck_assert_int_eq(stats_paired(e, n, 0.0104, 0.02, &c, err,
		                     sizeof(err)),
		    0);
		ck_assert(!c.different);
		/* the half-widths do not depend on the location */
		ck_assert(fabs(c.detectable - r.detectable) < 1e-12);
	}
}
END_TEST

START_TEST(test_paired_errors)
{
	static const double ok[] = {1, 2, 3, 4, 5, 6, 7};
	static const double with_inf[] = {1, 2, 3, 4, 5, 6, INFINITY};
	static const double short_nan[] = {1, NAN};
	static const struct {
		const double *d;
		size_t n;
		double alpha, margin;
		const char *msg;
	} cases[] = {
	    {ARR(with_inf), 0.05, 0.02, "a difference is not finite"},
	    {ARR(short_nan), 0.05, 0.02, "a difference is not finite"},
	    {ARR(ok), 0.0, 0.02, "alpha is out of range"},
	    {ARR(ok), 0.5, 0.02, "alpha is out of range"},
	    {ARR(ok), 0.05, 0.0, "margin is out of range"},
	    {ARR(ok), 0.05, -0.02, "margin is out of range"},
	    {ARR(ok), 0.05, INFINITY, "margin is out of range"},
	    {ARR(ok), 0.05, NAN, "margin is out of range"},
	    {ok, AB_PAIRS_MAX + 1, 0.05, 0.02, "too many differences"},
	};
	struct stats_paired r, sentinel;
	char err[64];
	size_t i;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(&r, &sentinel, sizeof(r));
		ck_assert_int_eq(stats_paired(cases[i].d, cases[i].n,
		                     cases[i].alpha, cases[i].margin, &r, err,
		                     sizeof(err)),
		    -1);
		ck_assert_str_eq(err, cases[i].msg);
		ck_assert(memcmp(&r, &sentinel, sizeof(r)) == 0);
	}
	/* no pairs yet is not an error */
	ck_assert_int_eq(stats_paired(ok, 0, 0.05, 0.02, &r, err, sizeof(err)),
	    0);
	ck_assert_int_eq(r.verdict, STATS_COLLECTING);
	ck_assert_str_eq(stats_verdict_str(STATS_COLLECTING), "collecting");
	ck_assert_str_eq(stats_verdict_str(STATS_FASTER), "faster");
	ck_assert_str_eq(stats_verdict_str(STATS_SLOWER), "slower");
	ck_assert_str_eq(stats_verdict_str(STATS_EQUIVALENT), "equivalent");
	ck_assert_str_eq(stats_verdict_str(STATS_UNDECIDED), "undecided");
	ck_assert_str_eq(stats_verdict_str((enum stats_verdict)99), "?");
}
END_TEST

/*
 * Sequences of rounds looked at after every round, n = 6..nmax, stopping
 * at the first decision as `--once` does, or with stop_equiv == 0 only at
 * the first difference (the worst case for false calls). Differences are
 * shift plus symmetric noise (difference of two uniforms on [0, 0.03],
 * sd 0.012). Counts the sequences that end faster, slower or equivalent.
 */
static void
run_looks(size_t seqs, size_t nmax, double alpha, double shift, int stop_equiv,
    uint64_t seed, size_t *faster, size_t *slower, size_t *equiv)
{
	struct stats_paired r;
	double d[AB_LOOKS_MAX];
	char err[64];
	uint64_t st = seed;
	size_t s, n;

	*faster = *slower = *equiv = 0;
	for (s = 0; s < seqs; s++) {
		for (n = 1; n <= nmax; n++) {
			d[n - 1] = shift + 0.03 * (unif(&st) - unif(&st));
			if (n < AB_MIN_PAIRS)
				continue;
			ck_assert_int_eq(stats_paired(d, n, alpha,
			                     AB_MARGIN_DEFAULT, &r, err,
			                     sizeof(err)),
			    0);
			if (r.verdict == STATS_FASTER)
				(*faster)++;
			else if (r.verdict == STATS_SLOWER)
				(*slower)++;
			else if (r.verdict == STATS_EQUIVALENT && stop_equiv)
				(*equiv)++;
			else
				continue;
			break;
		}
	}
}

/*
 * A/A: the rate of sequences with any false call over looks 6..30 at the
 * calibrated level stays at 0.05 (the bound allows 2.33 standard errors
 * of these 2000 draws) even when equivalence does not stop a sequence,
 * while testing every look at 0.05 calls about one in five.
 */
START_TEST(test_looks_aa)
{
	size_t f, s, e, seqs = 2000;
	double a = stats_looks_alpha(AB_LOOKS_DEFAULT, 1), rate;

	run_looks(seqs, AB_LOOKS_DEFAULT, a, 0, 0, 11, &f, &s, &e);
	rate = (double)(f + s) / (double)seqs;
	ck_assert_msg(rate <= 0.05 + 2.33 * sqrt(0.05 * 0.95 / (double)seqs),
	    "A/A false calls %zu + %zu of %zu", f, s, seqs);
	ck_assert_uint_gt(f, 0);
	ck_assert_uint_gt(s, 0);
	run_looks(seqs, AB_LOOKS_DEFAULT, 0.05, 0, 0, 11, &f, &s, &e);
	rate = (double)(f + s) / (double)seqs;
	ck_assert_msg(rate > 0.15, "naive: %g", rate);
	/* stopping on equivalence too, as --once does: fewer false calls */
	run_looks(seqs, AB_LOOKS_DEFAULT, a, 0, 1, 11, &f, &s, &e);
	ck_assert_msg(f + s <= seqs / 20 && e >= seqs * 9 / 10,
	    "once: %zu %zu %zu", f, s, e);
}
END_TEST

/*
 * Power within 30 rounds: true differences of +3% and -3% (outside the
 * 2% margin; noise sd 0.012) are called with the right sign in at least
 * 95% of sequences and never with the wrong sign; a 0.5% difference is
 * called equivalent (or, rarely, different with the right sign) in at
 * least 95% and never with the wrong sign.
 */
START_TEST(test_looks_power)
{
	size_t f, s, e, seqs = 400;
	double a = stats_looks_alpha(AB_LOOKS_DEFAULT, 1);

	run_looks(seqs, AB_LOOKS_DEFAULT, a, 0.03, 1, 12, &f, &s, &e);
	ck_assert_msg(f >= seqs * 19 / 20 && s == 0, "+3%%: %zu %zu %zu", f, s,
	    e);
	run_looks(seqs, AB_LOOKS_DEFAULT, a, -0.03, 1, 13, &f, &s, &e);
	ck_assert_msg(s >= seqs * 19 / 20 && f == 0, "-3%%: %zu %zu %zu", f, s,
	    e);
	run_looks(seqs, AB_LOOKS_DEFAULT, a, 0.005, 1, 14, &f, &s, &e);
	ck_assert_msg(e + f >= seqs * 19 / 20 && s == 0, "0.5%%: %zu %zu %zu",
	    f, s, e);
}
END_TEST

/*
 * A long daemon run: a sliding window of the last 30 A/A pairs tested at
 * the calibrated level after every round. Each look is a valid test at
 * that level, so the fraction of looks that show a difference stays near
 * stats_looks_alpha(30, 1) (about 1%), well under 5%.
 */
START_TEST(test_looks_window)
{
	struct stats_paired r;
	double d[5000];
	char err[64];
	uint64_t st = 21;
	size_t i, looks = 0, calls = 0, w = AB_LOOKS_DEFAULT;
	double a = stats_looks_alpha(w, 1);

	for (i = 0; i < 5000; i++)
		d[i] = 0.03 * (unif(&st) - unif(&st));
	for (i = w; i <= 5000; i++) {
		ck_assert_int_eq(stats_paired(d + i - w, w, a,
		                     AB_MARGIN_DEFAULT, &r, err, sizeof(err)),
		    0);
		looks++;
		calls += r.different;
	}
	ck_assert_msg((double)calls / (double)looks <= 2 * a,
	    "%zu of %zu looks", calls, looks);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_splitmix64);
	tcase_add_test(tc, test_median_sorted);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_large);
	tcase_add_test(tc, test_describe_errors);
	tcase_add_test(tc, test_median_ci);
	tcase_add_test(tc, test_mann_whitney);
	tcase_add_test(tc, test_mann_whitney_boundary);
	tcase_add_test(tc, test_mann_whitney_errors);
	tcase_add_test(tc, test_speedup);
	tcase_add_test(tc, test_speedup_errors);
	tcase_add_test(tc, test_williams_table);
	tcase_add_test(tc, test_williams_balance);
	tcase_add_test(tc, test_williams_errors);
	tcase_add_test(tc, test_wilcoxon);
	tcase_add_test(tc, test_wilcoxon_ties_exact);
	tcase_add_test(tc, test_wilcoxon_errors);
	tcase_add_test(tc, test_hl);
	tcase_add_test(tc, test_hl_agree);
	tcase_add_test(tc, test_hl_errors);
	tcase_add_test(tc, test_holm);
	tcase_add_test(tc, test_holm_errors);
	tcase_add_test(tc, test_holm_levels);
	tcase_add_test(tc, test_looks_alpha);
	tcase_add_test(tc, test_paired);
	tcase_add_test(tc, test_paired_detectable);
	tcase_add_test(tc, test_paired_errors);
	suite_add_tcase(s, tc);
	/* simulations of repeated looks: a few seconds */
	tc = tcase_create("looks");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_looks_aa);
	tcase_add_test(tc, test_looks_power);
	tcase_add_test(tc, test_looks_window);
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(stats_suite)
