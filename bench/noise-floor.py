#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The device's own noise floor, and what it allows a verdict to find.

A verdict compares two runs of one round. Even when both runs do exactly
the same work, they differ by however much the device's speed changed
between them. This script measures that change without allocbench and
without any allocator in play: one process runs a fixed pure-Python
integer loop (no allocation in it) for SECONDS, in chunks of a few ms
of CPU time (time.process_time, i.e. user + system, the time the verdicts
judge). Consecutive chunks are summed into blocks of 0.1 to 2 s, the
length of a run, and for each length it prints the SD of the log ratio of
adjacent blocks: the paired spread an ideal A/A pair of runs of that
length would see on this device.

From those measured ratios it then estimates, by simulation, the chance
that `allocbenchd --once` decides a true 5% slowdown within 30 rounds: for
each replicate it draws 30 per-round log ratios from the measured ones
(resampled with a random sign, so they are symmetric like an A/A pair in
a balanced order), adds log(1.05), and applies the daemon's own sequential
test: the exact Wilcoxon signed-rank test at every look from 6 to 30
pairs, each at the constant per-look level that src/stats.c uses for one
comparison and at most 30 rounds (read from its table).
It also prints the SD of normally distributed ratios at which that chance
is 90%, the figure to compare the measured spread with.

usage: bench/noise-floor.py [SECONDS] [REPLICATES]   (default 60, 20000)

Run it as the daemon would run, e.g. `setsid nice -n -10`, on an otherwise
idle device. numpy only; SECONDS plus about a minute of simulation.
"""
import importlib.util
import math
import os
import re
import statistics
import sys
import time

import numpy as np

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
BLOCKS_S = (0.1, 0.2, 0.5, 1.0, 2.0)
MIN_PAIRS = 6
ROUNDS = 30
EFFECT = math.log(1.05)
SEED = 20261203


def chunk():
    """CPU seconds of one fixed chunk of integer work."""
    t0 = time.process_time()
    x = 0
    for i in range(60000):
        x += i * i
    return time.process_time() - t0


def measure(seconds):
    chunks = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        chunks.append(chunk())
    return chunks


def adjacent_ratios(chunks, length_s):
    """log(b/a) of adjacent blocks of about length_s CPU seconds each."""
    per = max(1, round(length_s / statistics.median(chunks)))
    blocks = [sum(chunks[i:i + per])
              for i in range(0, len(chunks) - per + 1, per)]
    return [math.log(b / a) for a, b in zip(blocks[0::2], blocks[1::2])]


def looks_alpha():
    """The k = 1 column of src/stats.c's per-look levels, by the largest
    number of pairs a session may reach."""
    with open(os.path.join(TOP, "src/stats.c")) as f:
        text = f.read()
    rows = re.findall(r"\{([0-9., ]+)\}, /\* (\d+) \*/", text)
    return {int(n): float(r.split(",")[0]) for r, n in rows}


def signrank_tables(nmax):
    """Exact two-sided p of the signed-rank statistic T+ for n <= nmax,
    from bench/looks-alpha.py, which calibrated the levels with them."""
    spec = importlib.util.spec_from_file_location(
        "looks_alpha", os.path.join(TOP, "bench/looks-alpha.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return {n: mod.pvalues(n) for n in range(1, nmax + 1)}


def power(d, alpha, tables):
    """Share of the rows of d (replicates x ROUNDS) decided positive at
    some look n = 6..ROUNDS, each look at the level alpha."""
    decided = np.zeros(d.shape[0], dtype=bool)
    for n in range(MIN_PAIRS, ROUNDS + 1):
        x = d[:, :n]
        ranks = np.argsort(np.argsort(np.abs(x), axis=1), axis=1) + 1
        tplus = (ranks * (x > 0)).sum(axis=1)
        p = tables[n][tplus]
        decided |= (p < alpha) & (tplus > n * (n + 1) / 4)
    return decided.mean()


def needed_sd(level, tables, rng):
    """SD of normal log ratios with 90% power for 5% within ROUNDS."""
    lo, hi = 0.005, 0.5
    z = rng.standard_normal((REPS, ROUNDS))
    for _ in range(20):
        mid = (lo + hi) / 2
        if power(EFFECT + mid * z, level, tables) >= 0.9:
            lo = mid
        else:
            hi = mid
    return lo


def main():
    alpha = looks_alpha()
    if not all(n in alpha for n in range(MIN_PAIRS, ROUNDS + 1)):
        sys.exit("noise-floor.py: no per-look levels in src/stats.c")
    tables = signrank_tables(ROUNDS)
    level = alpha[ROUNDS]
    rng = np.random.default_rng(SEED)
    print("measuring %g s of a fixed integer loop (pid %d, nice %d)..." %
          (SECONDS, os.getpid(), os.nice(0)), flush=True)
    chunks = measure(SECONDS)
    print("%d chunks, median %.1f ms CPU; load average %s" % (
        len(chunks), 1000 * statistics.median(chunks),
        open("/proc/loadavg").read().split()[0]))
    print("per-look level for one comparison: %.4g (looks %d..%d); "
          "A/A any-look rate with normal ratios: %.4f" % (
              level, MIN_PAIRS, ROUNDS,
              2 * power(rng.standard_normal((REPS, ROUNDS)), level,
                        tables)))
    need = needed_sd(level, tables, rng)
    print("SD of the per-round log ratio that gives 90%% power for a 5%% "
          "difference within %d rounds (normal): %.3f" % (ROUNDS, need))
    print()
    print("| run length | adjacent pairs | SD of log ratio | robust SD | "
          "P(5% decided within 30 rounds) |")
    print("|---|---|---|---|---|")
    for length in BLOCKS_S:
        r = np.array(adjacent_ratios(chunks, length))
        if len(r) < 10:
            continue
        med = np.median(r)
        robust = 1.4826 * np.median(np.abs(r - med))
        draw = rng.choice(r - med, size=(REPS, ROUNDS))
        sign = rng.choice((-1.0, 1.0), size=(REPS, ROUNDS))
        pw = power(EFFECT + sign * draw, level, tables)
        print("| %.1f s | %d | %.3f | %.3f | %.2f |" % (
            length, len(r), np.std(r, ddof=1), robust, pw))


if __name__ == "__main__":
    main()
