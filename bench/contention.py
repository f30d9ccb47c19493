#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What a busy device does to the runs and to the verdicts.

Runs the real allocbenchd (daemon mode, rounds requested back to back with
POST /api/v1/rounds) on python3 under glibc and jemalloc, in three
conditions, and keeps every run document:

  quiet   the daemon and its runs at nice -10, in a session of their own
          whose scheduling group (autogroup) is at nice -10 too, nothing
          else started: the reference verdict (the machine's own
          background load is recorded, not removed);
  device  the same, plus competing work in the same session at the same
          priority: one process per CPU, each alternating busy and idle
          spells of random (exponential, mean 50 ms each) length,
          imitating a device's own work;
  shared  the same competing work, everything at nice 0: whatever else the
          machine runs competes on equal terms.

The daemon is configured with max_load = 0 and max_runq = 0, so it flags
nothing; the gates are applied here, to the same runs:

  (a) the share of runs the old load gate (1-minute load at the start of
      the run above the number of CPUs, the old max_load default) and the
      contention flag (runq_s / wall_s above T, for several T) exclude;
  (b) for wall time, wall minus run-queue delay and CPU time (user + sys),
      the spread (SD) of the per-round log ratio glibc/jemalloc, and the
      verdict of sliding windows of W rounds compared with the quiet
      verdict of the same time;
  (c) the verdict from the runs that survive each gate, against the quiet
      one.

The verdict is the daemon's procedure at one fixed level: the
Hodges-Lehmann estimate of log(glibc/jemalloc), the two-sided Wilcoxon
signed-rank test (scipy), "faster"/"slower" when p < alpha, else
"equivalent" when the 1 - 2 alpha interval of the estimate lies within the
margin, else "undecided"; fewer than 6 pairs: "collecting".

usage: bench/contention.py [--build DIR] [--rounds N] [--iterations N]
                           [--window W] [--out DIR] [--analyze-only]
Needs /usr/bin/python3 with scipy (Debian's python3-scipy).
"""
import argparse
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
TOKEN = "contention-study-0123456789"
ALPHA = 0.05
MARGIN = 0.02
MIN_PAIRS = 6
THRESHOLDS = (0.02, 0.05, 0.10, 0.20)
# the thresholds asked about, and two more to show where runs survive
SWEEP = THRESHOLDS + (0.30, 0.50)
METRICS = ("wall", "wall-runq", "cpu")

# Competing work: busy and idle spells, exponential, means in seconds.
LOAD_SCRIPT = r"""
import os, random, sys, time
rng = random.Random(int(sys.argv[1]))
busy, idle = float(sys.argv[2]), float(sys.argv[3])
while True:
    end = time.monotonic() + rng.expovariate(1 / busy)
    while time.monotonic() < end:
        pass
    time.sleep(rng.expovariate(1 / idle))
"""


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def set_nice(n):
    def pre():
        os.setpriority(os.PRIO_PROCESS, 0, n)
    return pre


def own_session(n):
    """A session of its own at nice n. Where the kernel schedules sessions
    as groups (autogroup, sched(7)), a process's nice only weighs against
    its own session, so the group gets nice n too."""
    def pre():
        os.setsid()
        os.setpriority(os.PRIO_PROCESS, 0, n)
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write("%d" % n)
        except OSError:
            pass
    return pre


def start_load(nice, seed, busy, idle):
    procs = []
    for i in range(os.cpu_count()):
        procs.append(subprocess.Popen(
            [sys.executable, "-c", LOAD_SCRIPT, str(seed + i), str(busy),
             str(idle)], preexec_fn=set_nice(nice)))
    return procs


def stop(procs):
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait()


def http(port, method, path):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 method=method)
    if method == "POST":
        req.add_header("Authorization", "Bearer " + TOKEN)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()


def collect(build, cond, nice, with_load, rounds, iterations, seed, out):
    """Runs one condition; returns its run documents (oldest first) and
    the load averages sampled while it ran."""
    tmp = tempfile.mkdtemp(prefix="contention.")
    conf = os.path.join(tmp, "d.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\ninterval = 604800\napi_token = %s\nmax_load = 0\n"
                "max_runq = 0\nwindow = 100\n[workload]\niterations = %d\n"
                "warmup = 0\ntimeout = 120\n[allocator tcmalloc]\n"
                "enabled = no\n[allocator mimalloc]\nenabled = no\n"
                % (TOKEN, iterations))
    load = start_load(nice, seed, 0.05, 0.05) if with_load else []
    log = open(os.path.join(tmp, "d.log"), "w+")
    d = subprocess.Popen(
        [os.path.join(build, "src", "allocbenchd"), "--config", conf,
         "--listen", "127.0.0.1:0", "--state-dir", os.path.join(tmp, "s"),
         "--workload", os.path.join(SRC, "src", "workloads", "churn.py")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
        preexec_fn=set_nice(nice))
    loads = []
    try:
        port = None
        while port is None:
            time.sleep(0.05)
            log.seek(0)
            m = re.search(r"\(port (\d+)\)", log.read())
            port = int(m.group(1)) if m else None
            if d.poll() is not None:
                raise SystemExit("allocbenchd exited: see " + log.name)
        done, t = 0, 0.0
        while done < rounds:
            st = json.loads(http(port, "GET", "/api/v1/status")[1])
            if time.monotonic() - t > 1:
                loads.append(loadavg())
                t = time.monotonic()
            if st["state"] == "idle" and st["rounds_completed"] > done:
                done = st["rounds_completed"]
                if done < rounds:
                    http(port, "POST", "/api/v1/rounds")
                sys.stderr.write("\r%s: round %d/%d, load %.2f " % (
                    cond, done, rounds, loadavg()))
            time.sleep(0.02)
        body = http(port, "GET", "/api/v1/runs?limit=10000")[1]
    finally:
        d.send_signal(signal.SIGTERM)
        d.wait()
        stop(load)
        sys.stderr.write("\n")
    runs = json.loads(body)["runs"][::-1]
    with open(os.path.join(out, cond + ".json"), "w") as f:
        json.dump({"condition": cond, "nice": nice, "load": with_load,
                   "loadavg": loads, "runs": runs}, f)
    return runs, loads


def metric(r, m):
    if m == "wall":
        return r["wall_s"]
    if m == "wall-runq":
        return r["wall_s"] - r["runq_s"]
    return r["user_s"] + r["sys_s"]


def runq_frac(r):
    return r["runq_s"] / r["wall_s"]


def pairs(runs, keep=lambda r: True):
    """{round: (glibc run, jemalloc run)} for rounds where both verified
    and both pass keep."""
    by = {}
    for r in runs:
        if r["status"] != "ok" or r.get("round") is None or not keep(r):
            continue
        by.setdefault(r["round"], {})[r["variant"].split("/")[1]] = r
    return {k: (v["glibc"], v["jemalloc"]) for k, v in sorted(by.items())
            if "glibc" in v and "jemalloc" in v}


def walsh_ci(d, level):
    """Hodges-Lehmann estimate and its signed-rank interval (normal
    approximation of the critical value)."""
    n = len(d)
    w = np.sort([(d[i] + d[j]) / 2 for i in range(n) for j in range(i, n)])
    z = stats.norm.ppf(1 - (1 - level) / 2)
    k = int(math.floor(n * (n + 1) / 4 -
                       z * math.sqrt(n * (n + 1) * (2 * n + 1) / 24)))
    k = max(k, 0)
    return float(np.median(w)), float(w[k]), float(w[len(w) - 1 - k])


def verdict(d):
    d = np.asarray(d, dtype=float)
    if len(d) < MIN_PAIRS:
        return "collecting", float("nan")
    est, _, _ = walsh_ci(d, 1 - ALPHA)
    p = stats.wilcoxon(d).pvalue
    if p < ALPHA:
        return ("faster" if est > 0 else "slower"), est
    _, lo, hi = walsh_ci(d, 1 - 2 * ALPHA)
    m = math.log(1 + MARGIN)
    if -m < lo and hi < m:
        return "equivalent", est
    return "undecided", est


def diffs(prs, m):
    return [math.log(metric(b, m) / metric(v, m)) for b, v in prs.values()]


def windows(prs, m, w):
    """Verdicts and estimates of every run of w consecutive rounds."""
    d = diffs(prs, m)
    return [verdict(d[i:i + w]) for i in range(0, len(d) - w + 1)]


def ci95(d):
    if len(d) < MIN_PAIRS:
        return float("nan"), float("nan")
    _, lo, hi = walsh_ci(np.asarray(d, dtype=float), 1 - ALPHA)
    return math.exp(lo), math.exp(hi)


def opposite(v, est_ref):
    """A decided verdict on the other side of the reference estimate."""
    return (v == "faster" and est_ref < 0) or (v == "slower" and est_ref > 0)


def summarize(data, window):
    ncpu = os.cpu_count()
    quiet = data["quiet"]["runs"]
    qp = pairs(quiet)
    ref = {m: verdict(diffs(qp, m)) for m in METRICS}
    print("# conditions (loadavg sampled each second while the condition "
          "ran: min/median/max)")
    for cond, doc in data.items():
        la = doc["loadavg"] or [float("nan")]
        ok = [r for r in doc["runs"] if r["status"] == "ok"]
        print("%-7s nice %3d, competing load %-3s: %d runs, load1 "
              "%.2f/%.2f/%.2f; medians: wall %.3f s, runq %.3f s, cpu "
              "%.3f s, psi %.3f s" % (
                  cond, doc["nice"], "yes" if doc["load"] else "no",
                  len(doc["runs"]), min(la), float(np.median(la)), max(la),
                  np.median([r["wall_s"] for r in ok]),
                  np.median([r["runq_s"] for r in ok]),
                  np.median([r["user_s"] + r["sys_s"] for r in ok]),
                  np.median([r["psi_s"] for r in ok])))
    print("\n# (a) runs excluded: old gate load1 > %d CPUs vs runq_s/wall_s "
          "> T" % ncpu)
    print("%-7s %9s %s   runq/wall min, 5%%, 50%%, 95%%" % (
        "cond", "old gate", " ".join("T=%.2f" % t for t in SWEEP)))
    for cond, doc in data.items():
        ok = [r for r in doc["runs"] if r["status"] == "ok"]
        old = np.mean([r["host_before"]["load1"] > ncpu for r in ok])
        new = [np.mean([runq_frac(r) > t for r in ok]) for t in SWEEP]
        q = np.percentile([runq_frac(r) for r in ok], [0, 5, 50, 95])
        print("%-7s %8.0f%% %s   %.3f %.3f %.3f %.3f" % (
            cond, 100 * old, " ".join("%5.0f%%" % (100 * x) for x in new),
            *q))
    print("\n# (b) per-round d = log(glibc/jemalloc): SD of d; speedup "
          "exp(HL) [95%% CI] and verdict over all rounds; over every %d "
          "consecutive rounds: SD of the speedup, share decided, share "
          "agreeing with the quiet verdict of the same time, share on the "
          "wrong side of the quiet estimate" % window)
    print("quiet reference: " + ", ".join(
        "%s %s (speedup %.3f)" % (m, ref[m][0], math.exp(ref[m][1]))
        for m in METRICS))
    for cond, doc in data.items():
        prs = pairs(doc["runs"])
        for m in METRICS:
            d = diffs(prs, m)
            v, est = verdict(d)
            lo, hi = ci95(d)
            ws = windows(prs, m, window)
            wv = [x[0] for x in ws]
            we = [math.exp(x[1]) for x in ws]
            print("%-7s %-9s n %3d SD %.4f  %.3f [%.3f-%.3f] %-10s | "
                  "windows SD %.4f decided %3.0f%% agree %3.0f%% wrong "
                  "side %3.0f%%" % (
                      cond, m, len(d), np.std(d, ddof=1), math.exp(est), lo,
                      hi, v, np.std(we, ddof=1),
                      100 * np.mean([x not in ("undecided", "collecting")
                                     for x in wv]),
                      100 * np.mean([x == ref[m][0] for x in wv]),
                      100 * np.mean([opposite(x, ref[m][1]) for x in wv])))
    print("\n# (c) verdicts from the rounds whose two runs survive each "
          "gate (wall / wall-runq / cpu)")
    for cond, doc in data.items():
        gates = [("none", lambda r: True),
                 ("old gate", lambda r: r["host_before"]["load1"] <= ncpu)]
        gates += [("T=%.2f" % t, (lambda t: lambda r: runq_frac(r) <= t)(t))
                  for t in SWEEP]
        for name, keep in gates:
            prs = pairs(doc["runs"], keep)
            cells = []
            for m in METRICS:
                v, est = verdict(diffs(prs, m))
                cells.append("%s %s%s" % (
                    "%.3f" % math.exp(est) if math.isfinite(est) else "-",
                    v, "" if v == ref[m][0] else "*"))
            print("%-7s %-8s pairs %3d  %s" % (cond, name, len(prs),
                                              " / ".join(cells)))
    print("(* differs from the quiet verdict of the same time)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--rounds", type=int, default=80)
    ap.add_argument("--iterations", type=int, default=400000)
    ap.add_argument("--window", type=int, default=12)
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--out", default=None)
    ap.add_argument("--conditions", default="quiet,device,shared")
    ap.add_argument("--analyze-only", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="contention-study.")
    os.makedirs(out, exist_ok=True)
    plan = {"quiet": (-10, False), "device": (-10, True),
            "shared": (0, True)}
    if a.child:
        # in the condition's own session: the daemon, its runs and the
        # competing work share its scheduling group
        nice, with_load = plan[a.child]
        collect(a.build, a.child, nice, with_load, a.rounds, a.iterations,
                a.seed, out)
        return
    data = {}
    for i, cond in enumerate(a.conditions.split(",")):
        path = os.path.join(out, cond + ".json")
        if not a.analyze_only:
            subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--child", cond,
                 "--build", a.build, "--rounds", str(a.rounds),
                 "--iterations", str(a.iterations), "--seed",
                 str(a.seed + 100 * i), "--out", out],
                preexec_fn=own_session(plan[cond][0]), check=True)
        with open(path) as f:
            data[cond] = json.load(f)
    print("# runs kept in %s; %d rounds, %d iterations" % (
        out, a.rounds, a.iterations))
    summarize(data, a.window)


if __name__ == "__main__":
    main()
