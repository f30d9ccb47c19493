#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compares allocbenchd --once medians with hyperfine medians on the same
commands. Both tools alternate in one session (once, hyperfine, once,
hyperfine, ...) so drift hits both alike; per variant it prints the median
of each tool's medians and their ratio. The target is |ratio - 1| <= 2%.

hyperfine runs each command as
    LD_PRELOAD=<lib> exec <python> churn.py N 3 3>/dev/null
in a shell whose environment is the runner's clean one (env -i), and
subtracts its own shell start-up estimate, as it does by default.

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


def once(daemon, args):
    out = subprocess.run(
        [daemon, "--once", "--json", "--runs", str(args.runs), "--warmup",
         "1", "--iterations", str(args.iterations)],
        check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def hyperfine(variants, python, workload, args):
    cmds, names = [], []
    for v in variants:
        pre = ("LD_PRELOAD=%s " % shlex.quote(v["library"])
               if v["library"] else "")
        cmds.append("%sexec %s %s %d 3 3>/dev/null" % (
            pre, shlex.quote(python), shlex.quote(workload),
            args.iterations))
        names.append(v["id"])
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        subprocess.run(["env", "-i"] + CLEAN_ENV +
                       ["hyperfine", "--style", "none", "--warmup", "1",
                        "--runs", str(args.runs), "--export-json", tmp.name]
                       + cmds, check=True, stdout=subprocess.DEVNULL)
        res = json.load(open(tmp.name))["results"]
    return {n: r["median"] for n, r in zip(names, res)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--iterations", type=int, default=2000000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    daemon = os.path.join(args.build, "src", "allocbenchd")
    workload = os.path.join(TOP, "src", "workloads", "churn.py")
    python = "/usr/bin/python3"

    got_once, got_hf = {}, {}
    variants = None
    for k in range(args.rounds):
        doc = once(daemon, args)
        variants = [v for v in doc["variants"] if v["available"]]
        for v in variants:
            got_once.setdefault(v["id"], []).append(v["wall_s"]["median"])
        print("round %d/%d: allocbenchd done" % (k + 1, args.rounds),
              file=sys.stderr)
        for name, med in hyperfine(variants, python, workload, args).items():
            got_hf.setdefault(name, []).append(med)
        print("round %d/%d: hyperfine done" % (k + 1, args.rounds),
              file=sys.stderr)

    print("iterations %d, %d runs per tool per round, %d rounds "
          "(alternating)" % (args.iterations, args.runs, args.rounds))
    print("%-20s %14s %14s %8s %s" % ("variant", "allocbenchd s",
                                      "hyperfine s", "ratio", "within 2%"))
    worst = 0.0
    for v in variants:
        a = statistics.median(got_once[v["id"]])
        h = statistics.median(got_hf[v["id"]])
        ratio = a / h
        worst = max(worst, abs(ratio - 1))
        print("%-20s %14.4f %14.4f %8.4f %s" % (
            v["id"], a, h, ratio, "yes" if abs(ratio - 1) <= 0.02 else "NO"))
    print("worst |ratio - 1| = %.2f%%" % (worst * 100))


if __name__ == "__main__":
    main()
