#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Calibrates the per-look level of the repeated signed-rank test.

The daemon and `allocbenchd --once` test each comparison again after every
round, at n = 6, 7, ..., N pairs. Under the null hypothesis (differences
independent and symmetric about zero, with a continuous distribution) the
signs are fair coins independent of the ranks of |d|, and the ranks of a
growing sample are those of iid uniforms, so the joint law of the
signed-rank statistics over all looks is the same for every such
distribution. This script draws that law directly (uniform |d|, fair
signs, fixed seed), computes the exact two-sided p-value at every look from
the exact null distribution, and for every N finds the largest level a on a
fine grid with

    P(p_n < a for some n in 6..N) + 2.33 * standard error <= FWER,

i.e. a constant (Pocock-type) nominal level whose family-wise false-call
rate is at most FWER with 99% confidence in the simulation. The same is
done for FWER / k, k = 1..12, for k comparisons under Holm (Bonferroni
across comparisons at the first step). A second run with the next seed
checks the rates at exactly the printed levels. Prints the C table for
src/stats.c and the checked rates. numpy only; about 6 minutes for the
defaults on one core.

usage: bench/looks-alpha.py [replicates] [N_max] [FWER]
"""
import math
import sys

import numpy as np

R = 500000  # the command line's values replace these (bottom)
NMAX = 60
FWER = 0.05
NMIN = 6
CHUNK = 20000
SEED = 20261203
EXACT_MAX = 50
KMAX = 12


def pvalues(n):
    """Two-sided p-value for each T+ = 0..n(n+1)/2 (no ties): exact for
    n <= 50, else the normal approximation, as src/stats.c computes it."""
    m = n * (n + 1) // 2
    if n > EXACT_MAX:
        sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
        cdf = np.array([0.5 * math.erfc(-(t - m / 2) / (sd * math.sqrt(2)))
                        for t in range(m + 1)])
        t = np.arange(m + 1)
        return np.minimum(1.0, 2 * np.minimum(cdf[t], cdf[m - t]))
    c = [0] * (m + 1)
    c[0] = 1
    for k in range(1, n + 1):
        for t in range(m, k - 1, -1):
            c[t] += c[t - k]
    cdf = np.cumsum(np.array([float(x) for x in c])) / 2.0**n
    t = np.arange(m + 1)
    return np.minimum(1.0, 2 * np.minimum(cdf[t], cdf[m - t]))


def simulate(seed, nmax, grid, levels):
    """Counts, for every N, the replicates whose smallest p over looks
    6..N is below each grid value, and the per-look rejections at the
    given levels (a dict N -> level)."""
    rng = np.random.default_rng(seed)
    cnt = np.zeros((nmax + 1, grid.size), dtype=np.int64)
    done = 0
    while done < R:
        r = min(CHUNK, R - done)
        u = rng.random((r, nmax))
        pos = rng.random((r, nmax)) < 0.5
        tplus = np.zeros(r, dtype=np.int64)
        minp = np.ones(r)
        for n in range(1, nmax + 1):
            bigger = u[:, :n - 1] > u[:, n - 1:n]
            tplus += (bigger & pos[:, :n - 1]).sum(axis=1)
            tplus += np.where(pos[:, n - 1], n - bigger.sum(axis=1), 0)
            if n < NMIN:
                continue
            minp = np.minimum(minp, PV[n][tplus])
            cnt[n] += np.searchsorted(np.sort(minp), grid, side="left")
        done += r
    return cnt / R


def floor4(x):
    e = np.floor(np.log10(x)) - 3
    return float(np.floor(x / 10**e * (1 + 1e-12)) * 10**e)


PV = {}


def main():
    for n in range(NMIN, NMAX + 1):
        PV[n] = pvalues(n)
    grid = np.unique(np.concatenate([np.geomspace(1e-6, FWER, 8000), [FWER]]))
    rate = simulate(SEED, NMAX, grid, None)
    level = {}
    for n in range(NMIN, NMAX + 1):
        attain = np.concatenate([PV[k] for k in range(NMIN, n + 1)])
        for k in range(1, KMAX + 1):
            t = FWER / k
            ok = np.nonzero(rate[n] + 2.33 * math.sqrt(t * (1 - t) / R)
                            <= t)[0]
            # at most the single-look share FWER / k (only matters for
            # small N, where no attainable p lies between the two)
            a = min(floor4(grid[ok[-1]]), floor4(t))
            if np.any(np.abs(attain - a) <= 1e-9 * a):
                print("warning: level %g is an attainable p-value" % a)
            # never larger than with fewer comparisons: Holm needs it
            level[n, k] = min(a, level[n, k - 1]) if k > 1 else a
    # Check on fresh draws: for k comparisons, the Bonferroni bound
    # k * P(some look has p < a_k), and the rate for k independent null
    # comparisons, 1 - (1 - P(...))^k.
    vgrid = np.array(sorted(set(level.values()) | {FWER}))
    vrate = simulate(SEED + 1, NMAX, vgrid, None)
    print("/* replicates %d, seed %d (calibration), %d (check) */"
          % (R, SEED, SEED + 1))
    print("/* per-comparison level a(N, k) for k = 1..%d comparisons */"
          % KMAX)
    for n in range(NMIN, NMAX + 1):
        print("\t{" + ", ".join("%.4g" % level[n, k]
                                for k in range(1, KMAX + 1)) + "},")
    print("/* N: naive 0.05 rate; then for k = 1, 2, 3, 6, 12:"
          " bound k g(a), independent 1 - (1 - g(a))^k */")
    for n in range(NMIN, NMAX + 1):
        def at(x):
            return vrate[n][np.searchsorted(vgrid, x)]
        cols = ["%.4f %.4f" % (k * at(level[n, k]),
                               1 - (1 - at(level[n, k])) ** k)
                for k in (1, 2, 3, 6, 12)]
        print("/* %3d: %.4f; %s */" % (n, at(FWER), "; ".join(cols)))


if __name__ == "__main__":
    # parsed here, so that bench/noise-floor.py can import pvalues()
    R = int(sys.argv[1]) if len(sys.argv) > 1 else R
    NMAX = int(sys.argv[2]) if len(sys.argv) > 2 else NMAX
    FWER = float(sys.argv[3]) if len(sys.argv) > 3 else FWER
    main()
