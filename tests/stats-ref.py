#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reference values for the paired statistics in tests/check_stats.c.

Run with Debian's /usr/bin/python3 (scipy 1.10.1, numpy 1.24.2); prints
the C tables that check_stats.c holds. Independent of src/stats.c:
p-values from scipy.stats.wilcoxon, the Hodges-Lehmann estimate as the
numpy median of the Walsh averages, the interval from scipy's own exact
signed-rank distribution (or scipy.stats.norm beyond 50 pairs), Holm by
its definition with numpy. Samples come from the formula both sides use:
d_i = ((i + 1) a mod q - c) / s + shift, i = 0..n-1.
"""
import math
import warnings

import numpy as np
import scipy.stats as st
from scipy.stats._hypotests import _get_wilcoxon_distr

warnings.simplefilter("ignore")


def gen(n, a, q, c, s, shift=0.0):
    return [float(((i + 1) * a) % q - c) / s + shift for i in range(n)]


def null_cdf(d):
    n = len(d)
    m = n * (n + 1) // 2
    if n <= 50:
        return np.cumsum(_get_wilcoxon_distr(n))
    r = st.rankdata(np.abs(d))
    _, cnt = np.unique(r, return_counts=True)
    ties = float(np.sum(cnt * (cnt * cnt - 1.0)))
    sd = math.sqrt((n * (n + 1) * (2 * n + 1) - 0.5 * ties) / 24)
    return st.norm.cdf((np.arange(m + 1) - m / 2) / sd)


def hl(d, alpha):
    n = len(d)
    w = np.sort([(d[i] + d[j]) / 2 for i in range(n) for j in range(i, n)])
    m = len(w)
    cdf = null_cdf(d)
    c = int(np.sum(cdf < alpha / 2))
    if c == 0:
        lo, hi, cov = -math.inf, math.inf, 1.0
    else:
        lo, hi, cov = w[c - 1], w[m - c], 1 - 2 * cdf[c - 1]
    L, U = int(np.sum(w <= 0)), int(np.sum(w >= 0))
    p = min(1.0, 2 * min(cdf[L], cdf[U]))
    return float(np.median(w)), lo, hi, cov, p, w, cdf


def cnum(x):
    if x == math.inf:
        return "INFINITY"
    if x == -math.inf:
        return "-INFINITY"
    return "%.17g" % x


WIL = [  # n, a, q, c, s
    (6, 7, 13, 0, 10),      # all positive
    (6, 7, 13, 6, 10),
    (10, 7, 17, 8, 10),
    (15, 11, 31, 12, 100),
    (20, 7919, 1009, 480, 1000),
    (30, 7919, 1009, 520, 1000),
    (50, 7919, 1009, 470, 1000),  # exact
    (51, 7919, 1009, 470, 1000),  # approx
    (60, 7919, 1009, 430, 1000),
    (10, 3, 7, 3, 8),       # zeros and ties: approx, drop zeros
    (12, 5, 11, 5, 4),      # ties with opposite signs, one zero
    (9, 2, 9, 4, 2),        # ties of |d| across signs, one zero
    (14, 3, 10, 4, 2),      # ties, zeros
    (60, 13, 23, 11, 4),    # many ties and zeros, approx
    (55, 13, 29, 12, 2),    # ties, approx
    (7, 1, 100, 4, 1),      # -3..3: center
    (1, 1, 10, 0, 1),
    (2, 3, 10, 4, 1),
]


def main():
    print("/* stats_wilcoxon: n, a, q, c, s; p two-sided, greater, less */")
    for (n, a, q, c, s) in WIL:
        d = gen(n, a, q, c, s)
        ps = [st.wilcoxon(d, alternative=alt).pvalue
              for alt in ("two-sided", "greater", "less")]
        print("\t{%d, %d, %d, %d, %d, {%s}}," %
              (n, a, q, c, s, ", ".join(cnum(p) for p in ps)))
    print("/* stats_hl: n, a, q, c, s, alpha; estimate, lo, hi, coverage, p */")
    HL = [
        (6, 7, 13, 0, 10, 0.05), (6, 7, 13, 0, 10, 0.07),
        (8, 7, 13, 2, 10, 0.05), (10, 7, 17, 8, 10, 0.05),
        (15, 11, 31, 12, 100, 0.1), (20, 7919, 1009, 380, 1000, 0.05),
        (30, 7919, 1009, 420, 1000, 0.01), (30, 7919, 1009, 420, 1000, 0.2),
        (50, 7919, 1009, 470, 1000, 0.05), (51, 7919, 1009, 470, 1000, 0.05),
        (60, 7919, 1009, 430, 1000, 0.05), (12, 5, 11, 5, 4, 0.05),
        (14, 3, 10, 4, 2, 0.1), (60, 13, 23, 11, 4, 0.05),
        (25, 7919, 1009, 300, 1000, 0.0104),
    ]
    for (n, a, q, c, s, al) in HL:
        d = gen(n, a, q, c, s)
        e, lo, hi, cov, p, _, _ = hl(d, al)
        print("\t{%d, %d, %d, %d, %d, %s, %s, %s, %s, %s, %s}," %
              (n, a, q, c, s, cnum(al), cnum(e), cnum(lo), cnum(hi),
               cnum(cov), cnum(p)))
    print("/* Holm: p..., adjusted... */")
    HO = [[0.01, 0.04, 0.03, 0.005], [0.5], [0.02, 0.02, 0.9],
          [0.001, 0.3, 0.2, 0.25, 0.04], [0.6, 0.4, 0.9], [0.0, 1.0],
          [0.012, 0.011, 0.013, 0.5, 0.014, 0.02]]
    for p in HO:
        p = np.array(p)
        m = len(p)
        o = np.argsort(p, kind="stable")
        adj = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[o]))
        out = np.empty(m)
        out[o] = adj
        print("\t{%d, {%s}, {%s}}," % (m, ", ".join(cnum(x) for x in p),
                                       ", ".join(cnum(x) for x in out)))
    print("/* verdict: n, a, q, c, s, shift, alpha, margin; verdict, "
          "estimate, lo, hi, p, eq_lo, eq_hi, p_tost, detectable */")
    VE = [
        (5, 7919, 1009, 480, 1000, 0.5, 0.05, 0.02),
        (12, 7919, 1009, 504, 100000, 0.03, 0.05, 0.02),
        (12, 7919, 1009, 504, 100000, -0.03, 0.05, 0.02),
        (30, 7919, 1009, 504, 100000, 0.001, 0.0104, 0.02),
        (30, 7919, 1009, 504, 10000, 0.001, 0.0104, 0.02),
        (30, 7919, 1009, 504, 100000, 0.015, 0.0104, 0.02),
        (30, 7919, 1009, 504, 100000, 0.015, 0.0104, 0.01),
        (6, 7, 13, 0, 10, 0.0, 0.0104, 0.02),
        (20, 7919, 1009, 504, 30000, -0.004, 0.05, 0.05),
        (30, 7919, 1009, 504, 3000, 0.01, 0.0104, 0.02),
    ]
    for (n, a, q, c, s, sh, al, mg) in VE:
        d = gen(n, a, q, c, s, sh)
        if n < 6:
            print("\t{%d, %d, %d, %d, %d, %s, %s, %s, STATS_COLLECTING},"
                  % (n, a, q, c, s, cnum(sh), cnum(al), cnum(mg)))
            continue
        e, lo, hi, _, p, w, cdf = hl(d, al)
        _, elo, ehi, _, _, _, _ = hl(d, 2 * al)
        delta = math.log1p(mg)
        ptost = max(cdf[int(np.sum(w <= -delta))], cdf[int(np.sum(w >= delta))])
        if p < al:
            v = "STATS_FASTER" if lo > 0 else "STATS_SLOWER"
        elif elo > -delta and ehi < delta:
            v = "STATS_EQUIVALENT"
        else:
            v = "STATS_UNDECIDED"
        det = max(e - lo, hi - e)
        print("\t{%d, %d, %d, %d, %d, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
              "%s, %s, %s}," % (n, a, q, c, s, cnum(sh), cnum(al), cnum(mg),
                                v, cnum(e), cnum(lo), cnum(hi), cnum(p),
                                cnum(elo), cnum(ehi), cnum(ptost), cnum(det)))


if __name__ == "__main__":
    main()
