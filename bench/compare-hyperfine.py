#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compares allocbenchd --once medians with hyperfine medians on the same
commands. The two tools alternate per variant in every round (the order
flips each round), so drift and the noise of a shared machine hit both
alike; per variant it prints the median of each tool's per-round medians and
their ratio. The target is |ratio - 1| <= 2%.

allocbenchd measures one variant at a time: a configuration file disables
the other allocators (glibc, the baseline, always runs too; its runs are
used only for the glibc row). hyperfine runs, without a shell (-N), in the
runner's clean environment (env -i),
    env [LD_PRELOAD=<lib>] <python> churn.py N 2
which sends the report to stderr, where hyperfine discards it.

Usage: bench/compare-hyperfine.py [--build DIR] [--iterations N]
                                  [--runs R] [--rounds K]
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
CLEAN_ENV = ["PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C",
             "PYTHONHASHSEED=0", "PYTHONNOUSERSITE=1"]


def once(daemon, args, variant, tmp):
    """Wall times of `variant` from one allocbenchd --once session."""
    conf = os.path.join(tmp, "only.conf")
    with open(conf, "w") as f:
        for name in ("jemalloc", "tcmalloc", "mimalloc"):
            if variant != "python3/" + name:
                f.write("[allocator %s]\nenabled = no\n" % name)
    out = subprocess.run(
        [daemon, "--once", "--json", "--config", conf, "--runs",
         str(args.runs), "--warmup", "1", "--iterations",
         str(args.iterations)],
        check=True, stdout=subprocess.PIPE).stdout
    doc = json.loads(out)
    v = [x for x in doc["variants"] if x["id"] == variant][0]
    return v, v["wall_s"]["median"]


def hyperfine(library, python, workload, args, tmp):
    cmd = ["env"]
    if library:
        cmd.append("LD_PRELOAD=" + library)
    cmd += [python, workload, str(args.iterations), "2"]
    out = os.path.join(tmp, "hf.json")
    subprocess.run(["env", "-i"] + CLEAN_ENV +
                   ["hyperfine", "-N", "--style", "none", "--warmup", "1",
                    "--runs", str(args.runs), "--export-json", out,
                    " ".join(shlex.quote(c) for c in cmd)],
                   check=True, stdout=subprocess.DEVNULL)
    return json.load(open(out))["results"][0]["median"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--iterations", type=int, default=2000000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    daemon = os.path.join(args.build, "src", "allocbenchd")
    workload = os.path.join(TOP, "src", "workloads", "churn.py")
    python = "/usr/bin/python3"
    ids = ["python3/" + a for a in ("glibc", "jemalloc", "tcmalloc",
                                    "mimalloc")]
    got_once = {i: [] for i in ids}
    got_hf = {i: [] for i in ids}
    libs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.rounds):
            for vid in ids:
                steps = ["once", "hf"] if k % 2 == 0 else ["hf", "once"]
                for step in steps:
                    if step == "once":
                        v, med = once(daemon, args, vid, tmp)
                        libs[vid] = v["library"]
                        got_once[vid].append(med)
                    else:
                        if vid not in libs:
                            libs[vid] = once(daemon, args, vid, tmp)[0][
                                "library"]
                        got_hf[vid].append(hyperfine(libs[vid], python,
                                                     workload, args, tmp))
            print("round %d/%d done" % (k + 1, args.rounds),
                  file=sys.stderr)

    print("iterations %d; per round and variant, %d runs by each tool, "
          "order flipped each round; %d rounds; medians of the per-round medians" % (
              args.iterations, args.runs, args.rounds))
    print("%-20s %14s %14s %8s %s" % ("variant", "allocbenchd s",
                                      "hyperfine s", "ratio", "within 2%"))
    worst = 0.0
    for vid in ids:
        a = statistics.median(got_once[vid])
        h = statistics.median(got_hf[vid])
        ratio = a / h
        worst = max(worst, abs(ratio - 1))
        print("%-20s %14.4f %14.4f %8.4f %s" % (
            vid, a, h, ratio, "yes" if abs(ratio - 1) <= 0.02 else "NO"))
    print("worst |ratio - 1| = %.2f%%" % (worst * 100))


if __name__ == "__main__":
    main()
