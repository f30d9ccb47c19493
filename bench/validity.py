#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The validity study: how often allocbench's verdicts are wrong, and how
many rounds a right one takes, measured with the real allocbenchd.

Every trial is a real `allocbenchd --once --json --verbose` or a real daemon
on an ephemeral 127.0.0.1 port; this script only drives them and counts.
Results are appended as JSON lines to OUT (one object per window or look),
so an interrupted study keeps what it measured; `report` summarises them.

  validity.py aa-once   OUT N          A/A: glibc against libc.so.6 preloaded
                                       under another name, N adaptive windows
  validity.py calibrate OUT LIB0       calls per run (LIB0: slowmalloc.c built
                                       with AB_SLOW_NS=0) and glibc's median
                                       CPU time in the A/A windows: the
                                       AB_SLOW_NS for 2, 5 and 10 %
  validity.py build     DIR NS2 NS5 NS10  builds DIR/libslow{2,5,10}.so
  validity.py detect    OUT DIR N      N windows of glibc against the three
                                       slowed libraries (Holm across three)
  validity.py daemon    OUT ROUNDS     A/A in the daemon: a look at the summary
                                       after every round
  validity.py report    OUT            the figures

Environment: AB_BIN (default build/src/allocbenchd), AB_ITER (200000),
AB_MAX_RUNS (30), AB_MAX_RUNQ (the daemon's default 0.10 unless set; 0
turns the contention flag off). The config disables jemalloc, tcmalloc and
mimalloc. The verdicts are the daemon's own, on CPU time; the re-analysis
in `report` pairs the CPU times of the progress log (us resolution) round
by round and, like the daemon, leaves out a round when either run failed
or was flagged. Run it at a raised priority (nice -n -10).
"""
import json
import math
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("AB_BIN", os.path.join(TOP, "build/src/allocbenchd"))
ITER = int(os.environ.get("AB_ITER", "200000"))
MAX_RUNS = int(os.environ.get("AB_MAX_RUNS", "30"))
MAX_RUNQ = os.environ.get("AB_MAX_RUNQ")
WORKLOAD = os.path.join(TOP, "src/workloads/churn.py")
PYTHON = "/usr/bin/python3"  # the interpreter the runner resolves
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
SLOWS = (2, 5, 10)
RUN_RE = re.compile(r"run (\d+)/(\d+) (\S+?)( \(warm-up\))?: (\S+), "
                    r"([0-9.]+) s wall, ([0-9.]+) s cpu, run-queue \S+, "
                    r"flags: (.*)")


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def config(path, extra=""):
    with open(path, "w") as f:
        f.write("[daemon]\n" + extra)
        if MAX_RUNQ is not None:
            f.write("max_runq = %s\n" % MAX_RUNQ)
        for a in ("jemalloc", "tcmalloc", "mimalloc"):
            f.write("[allocator %s]\nenabled = no\n" % a)


def once(conf, allocs):
    """One adaptive --once window; returns its record."""
    cmd = [BIN, "--once", "--json", "--verbose", "--config", conf,
           "--iterations", str(ITER), "--max-runs", str(MAX_RUNS),
           "--workload", WORKLOAD]
    for a in allocs:
        cmd += ["--allocator", a]
    l0 = loadavg()
    p = subprocess.run(cmd, capture_output=True, text=True)
    doc = json.loads(p.stdout)
    # per-round CPU times from the progress log, in round order; None for
    # a run that failed or was flagged (the daemon leaves its round out)
    times = {}
    flagged = 0
    for m in RUN_RE.finditer(p.stderr):
        idx, tot, var, wu, st, w, cpu, fl = m.groups()
        if wu:
            continue
        ok = st == "ok" and fl.strip() == "none"
        flagged += st == "ok" and not ok
        times.setdefault(var, []).append(float(cpu) if ok else None)
    rec = {"rc": p.returncode, "load1": [l0, loadavg()],
           "session": doc["session"], "cpu": times, "flagged": flagged,
           "cmp": {}}
    for v in doc["variants"]:
        c = v.get("comparison")
        if v["available"] and c:
            rec["cmp"][v["id"]] = {k: c.get(k) for k in (
                "verdict", "decided_after", "pairs", "speedup", "ci",
                "p_value", "alpha", "detectable")}
    return rec


def append(out, rec):
    with open(out, "a") as f:
        f.write(json.dumps(rec) + "\n")


def aa_once(out, n):
    conf = os.path.join(tempfile.mkdtemp(), "aa.conf")
    config(conf)
    for i in range(n):
        rec = once(conf, ["aa=" + LIBC])
        rec["study"] = "aa-once"
        append(out, rec)
        c = rec["cmp"]["python3/aa"]
        print("%d/%d %s after %s (%d rounds, %.1f s, load %.1f)" % (
            i + 1, n, c["verdict"], c["decided_after"],
            rec["session"]["rounds"], rec["session"]["device_time_s"],
            rec["load1"][0]), flush=True)


def calibrate(out, lib):
    """Calls per run (AB_SLOW_COUNT=1, a library built with AB_SLOW_NS=0)
    and glibc's median CPU time in the A/A windows already in OUT: the
    AB_SLOW_NS that adds 2, 5 and 10 % to it."""
    calls = []
    for _ in range(5):
        r, w = os.pipe()
        env = dict(os.environ, LD_PRELOAD=lib, AB_SLOW_COUNT="1")
        p = subprocess.run([PYTHON, WORKLOAD, str(ITER), str(w)],
                           env=env, pass_fds=(w,), capture_output=True,
                           text=True)
        os.close(w)
        os.close(r)
        calls.append(int(re.search(r"calls=(\d+)", p.stderr).group(1)))
    walls = [w for r in records(out, "aa-once")
             for w in r["cpu"]["python3/glibc"] if w]
    med = statistics.median(walls)
    rec = {"study": "calibrate", "calls": calls, "glibc_cpu_median": med,
           "glibc_runs": len(walls),
           "ns": {str(s): round(med * s / 100 / statistics.median(calls)
                                * 1e9) for s in SLOWS}}
    append(out, rec)
    print(json.dumps(rec))


def records(out, study):
    with open(out) as f:
        return [r for r in map(json.loads, f) if r.get("study") == study]


def build(libdir, ns):
    for s, n in zip(SLOWS, ns):
        subprocess.run(["cc", "-O2", "-shared", "-fPIC",
                        "-DAB_SLOW_NS=%d" % int(n), "-o",
                        os.path.join(libdir, "libslow%d.so" % s),
                        os.path.join(TOP, "bench/slowmalloc.c")], check=True)


def detect(out, libdir, n):
    conf = os.path.join(tempfile.mkdtemp(), "d.conf")
    config(conf)
    allocs = ["slow%d=%s" % (s, os.path.join(libdir, "libslow%d.so" % s))
              for s in SLOWS]
    for i in range(n):
        rec = once(conf, allocs)
        rec["study"] = "detect"
        append(out, rec)
        print("%d/%d %s (%d rounds, %.1f s, load %.1f)" % (
            i + 1, n, " ".join("%s:%s@%s" % (k.split("/")[1], c["verdict"],
                                             c["decided_after"])
                               for k, c in sorted(rec["cmp"].items())),
            rec["session"]["rounds"], rec["session"]["device_time_s"],
            rec["load1"][0]), flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, token=None, data=None):
    req = urllib.request.Request(url, data=data)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def daemon(out, rounds):
    """A/A in the daemon: rounds on demand, a look after every one."""
    d = tempfile.mkdtemp()
    token = secrets.token_hex(16)
    conf = os.path.join(d, "aa.conf")
    config(conf, "api_token = %s\ninterval = 604800\n" % token)
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    p = subprocess.Popen([BIN, "--config", conf, "--state-dir", d,
                          "--listen", "127.0.0.1:%d" % port,
                          "--iterations", str(ITER), "--workload", WORKLOAD,
                          "--www-dir", os.path.join(TOP, "www"),
                          "--allocator", "aa=" + LIBC],
                         stderr=open(os.path.join(d, "daemon.log"), "w"))
    try:
        for _ in range(100):
            try:
                get(base + "/api/v1/status")
                break
            except OSError:
                time.sleep(0.2)
        done = -1
        look = 0
        while look < rounds:
            st = get(base + "/api/v1/status")
            n = st.get("rounds_completed", 0)
            if st.get("state") == "running" or n == done:
                time.sleep(0.2)
                continue
            done = n
            s = get(base + "/api/v1/summary")
            c = [v["comparison"] for v in s["variants"]
                 if v["id"] == "python3/aa"][0]
            append(out, {"study": "daemon", "round": n, "load1": loadavg(),
                         "cmp": {k: c.get(k) for k in (
                             "verdict", "pairs", "speedup", "p_value",
                             "alpha")}})
            look += 1
            if look % 20 == 0:
                print("look %d: %s %s" % (look, c["verdict"], c["pairs"]),
                      flush=True)
            get(base + "/api/v1/rounds", token, data=b"")
        runs = get(base + "/api/v1/runs?limit=10000")
        append(out, {"study": "daemon-runs", "runs": runs})
    finally:
        p.terminate()
        p.wait()


# ---------------------------------------------------------------- report


def wilson(k, n, z=1.96):
    """95% Wilson interval of a proportion k/n."""
    if n == 0:
        return (float("nan"), float("nan"))
    ph = k / n
    c = (ph + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, c - h), min(1.0, c + h))


def pct(k, n):
    lo, hi = wilson(k, n)
    return "%d/%d = %.1f%% (95%% CI %.1f-%.1f%%)" % (
        k, n, 100 * k / n if n else float("nan"), 100 * lo, 100 * hi)


def pairs_of(times, base, var):
    """Per-round d = log(base/var) of one window (runs in round order)."""
    return [math.log(b / v) for b, v in zip(times.get(base, []),
                                              times.get(var, []))
            if b and v]


def signrank_p(d):
    """Two-sided signed-rank p of d, exact permutation law of the signs
    given the (average) ranks of |d|, zeros dropped."""
    d = [x for x in d if x != 0]
    n = len(d)
    if n == 0:
        return 1.0
    order = sorted(range(n), key=lambda i: abs(d[i]))
    rank2 = [0] * n
    i = 0
    while i < n:
        j = i
        while j + 1 < n and abs(d[order[j + 1]]) == abs(d[order[i]]):
            j += 1
        for t in range(i, j + 1):
            rank2[order[t]] = i + j + 2  # twice the average rank
        i = j + 1
    total = sum(rank2)
    dist = {0: 1}
    for r in rank2:
        nd = dict(dist)
        for t, c in dist.items():
            nd[t + r] = nd.get(t + r, 0) + c
        dist = nd
    tp = sum(r for r, x in zip(rank2, d) if x > 0)
    lo = sum(c for t, c in dist.items() if t <= tp) / 2.0**n
    hi = sum(c for t, c in dist.items() if t >= tp) / 2.0**n
    del total
    return min(1.0, 2 * min(lo, hi))


def hodges_lehmann(d):
    """HL estimate with its large-sample 95% interval."""
    n = len(d)
    w = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    m = len(w)
    c = int(m / 2 - 1.96 * math.sqrt(n * (n + 1) * (2 * n + 1) / 24))
    return statistics.median(w), w[max(c, 0)], w[min(m - 1 - c, m - 1)]


def sd_robust(d):
    med = statistics.median(d)
    return 1.4826 * statistics.median(abs(x - med) for x in d)


def noise(windows, base, var):
    sds = [statistics.stdev(p) for p in
           (pairs_of(r["cpu"], base, var) for r in windows) if len(p) > 2]
    pooled = [x - statistics.mean(p) for p in
              (pairs_of(r["cpu"], base, var) for r in windows) if p
              for x in p]
    return ("SD of the paired log ratios: median per window %.3f "
            "(IQR %.3f-%.3f), pooled %.3f, robust (1.4826 MAD) %.3f" % (
                statistics.median(sds), *statistics.quantiles(sds, n=4)[::2],
                statistics.pstdev(pooled), sd_robust(pooled)))


def fixed_rate(windows, base, var, n, want):
    """What a single look at n rounds at 0.05 would call: the count with
    the sign `want` (-1 slower, +1 faster, 0 either)."""
    k = tot = 0
    for r in windows:
        d = pairs_of(r["cpu"], base, var)[:n]
        if len(d) < n:
            continue
        tot += 1
        if signrank_p(d) < 0.05:
            est = statistics.median(d)
            k += want == 0 or (est > 0) == (want > 0)
    return k, tot


def cost_line(windows):
    rounds = [r["session"]["rounds"] for r in windows]
    dev = [r["session"]["device_time_s"] for r in windows]
    per = [t / n for t, n in zip(dev, rounds)]
    return ("session: median %d rounds (IQR %s), device time median %.1f s;"
            " per round %.2f s, so 10 runs %.1f s, 30 runs %.1f s" % (
                statistics.median(rounds),
                "-".join("%g" % q for q in
                         statistics.quantiles(rounds, n=4)[::2]),
                statistics.median(dev), statistics.median(per),
                10 * statistics.median(per), 30 * statistics.median(per)))


def loads(windows):
    ls = [x for r in windows for x in r["load1"]]
    return "load average (1 min) %.1f-%.1f, median %.1f" % (
        min(ls), max(ls), statistics.median(ls))


def report(out):
    base = "python3/glibc"
    aa = records(out, "aa-once")
    if aa:
        v = "python3/aa"
        verd = [r["cmp"][v]["verdict"] for r in aa]
        false = sum(x in ("faster", "slower") for x in verd)
        print("## A/A, --once (adaptive, --max-runs %d, %d iterations)"
              % (MAX_RUNS, ITER))
        print(loads(aa))
        nruns = sum(len(x) for r in aa for x in r["cpu"].values())
        print("runs flagged and left out:",
              pct(sum(r["flagged"] for r in aa), nruns))
        print("false calls (faster or slower):", pct(false, len(aa)))
        for x in ("faster", "slower", "equivalent", "undecided"):
            print("  %s: %d" % (x, verd.count(x)))
        print("  decided_after of the false calls:",
              sorted(r["cmp"][v]["decided_after"] for r in aa
                     if r["cmp"][v]["verdict"] in ("faster", "slower")))
        print("  detectable at the end: median %.1f%%" % (100 * statistics.median(
            r["cmp"][v]["detectable"] for r in aa
            if r["cmp"][v]["detectable"] is not None)))
        print(" ", noise(aa, base, v))
        for n in (10, 30):
            print("  one look at %d rounds, signed-rank p < 0.05: %s"
                  % (n, pct(*fixed_rate(aa, base, v, n, 0))))
        print(" ", cost_line(aa))
    cal = records(out, "calibrate")
    det = records(out, "detect")
    if cal:
        print("## calibration: %s" % json.dumps(cal[-1]))
    if det:
        print("## detection, --once (adaptive, --max-runs %d, Holm across "
              "the three)" % MAX_RUNS)
        print(loads(det))
        print(" ", cost_line(det))
        for sl in SLOWS:
            v = "python3/slow%d" % sl
            d = [x for r in det for x in pairs_of(r["cpu"], base, v)]
            est, lo, hi = hodges_lehmann(d)
            print("### slow%d: true slowdown %.1f%% (95%% CI %.1f-%.1f%%, "
                  "HL of %d pairs)" % (sl, 100 * (math.exp(-est) - 1),
                                       100 * (math.exp(-hi) - 1),
                                       100 * (math.exp(-lo) - 1), len(d)))
            print(" ", noise(det, base, v))
            c = [r["cmp"][v] for r in det]
            nw = len(c)
            for x in ("slower", "faster", "equivalent", "undecided"):
                print("  %s: %s" % (x, pct(sum(k["verdict"] == x
                                              for k in c), nw)))
            da = sorted(k["decided_after"] for k in c
                        if k["verdict"] == "slower")
            curve = []
            for r_ in (6, 8, 10, 12, 15, 20, 25, 30):
                curve.append("%d: %.2f" % (r_, sum(x <= r_ for x in da) / nw))
            print("  P(decided slower by round r):", ", ".join(curve))
            if da:
                print("  decided_after (correct): median %g, all %s" % (
                    statistics.median(da), da))
            for n in (10, 30):
                print("  one look at %d rounds at 0.05 (no look or "
                      "comparison control): slower %s" % (
                          n, pct(*fixed_rate(det, base, v, n, -1))))
    dm = records(out, "daemon")
    if dm:
        looks = [r for r in dm if r["cmp"]["pairs"] >= 6]
        false = [r["round"] for r in looks
                 if r["cmp"]["verdict"] in ("faster", "slower")]
        print("## A/A, daemon (window 30, a look after every round)")
        print("load average %.1f-%.1f" % (min(r["load1"] for r in dm),
                                           max(r["load1"] for r in dm)))
        print("looks with >= 6 pairs:", len(looks))
        print("looks calling faster/slower:", pct(len(false), len(looks)),
              "(consecutive looks share 29 of 30 pairs: about %d "
              "independent windows)" % max(1, len(looks) // 30))
        print("  at rounds:", false)
        for x in ("faster", "slower", "equivalent", "undecided"):
            print("  %s: %d" % (x, sum(r["cmp"]["verdict"] == x
                                       for r in looks)))
        runs = records(out, "daemon-runs")
        if runs:
            rs = runs[-1]["runs"]["runs"]
            ok = [r for r in rs if r.get("status") == "ok"]
            fl = [r for r in ok if r.get("flags")]
            print("  runs flagged (left out):", pct(len(fl), len(ok)))
            by = {}
            for r in ok:
                if not r.get("flags"):
                    by.setdefault(r["round"], {})[r["variant"]] = (
                        r["user_s"] + r["sys_s"])
            d = [math.log(x[base] / x["python3/aa"]) for x in by.values()
                 if base in x and "python3/aa" in x]
            print("  SD of the paired log ratios: %.3f (robust %.3f, %d "
                  "rounds)" % (statistics.stdev(d), sd_robust(d), len(d)))


def main():
    cmd, out = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
    if cmd == "aa-once":
        aa_once(out, int(sys.argv[3]))
    elif cmd == "calibrate":
        calibrate(out, sys.argv[3])
    elif cmd == "build":
        build(sys.argv[2], [float(x) for x in sys.argv[3:6]])
    elif cmd == "detect":
        detect(out, sys.argv[3], int(sys.argv[4]))
    elif cmd == "daemon":
        daemon(out, int(sys.argv[3]))
    elif cmd == "report":
        report(out)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
