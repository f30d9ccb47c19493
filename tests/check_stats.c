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
 * numpy) for the speedup intervals.
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

/* got matches want within REL (absolute near zero); NAN matches NAN. */
static int
close_to(double got, double want)
{
	if (isnan(want))
		return isnan(got);
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
	suite_add_tcase(s, tc);
	return s;
}

AB_CHECK_MAIN(stats_suite)
