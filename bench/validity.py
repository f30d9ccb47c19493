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
                                       wall in the A/A windows: the
                                       AB_SLOW_NS for 2, 5 and 10 %
  validity.py build     DIR NS2 NS5 NS10  builds DIR/libslow{2,5,10}.so
  validity.py detect    OUT DIR N      N windows of glibc against the three
                                       slowed libraries (Holm across three)
  validity.py daemon    OUT ROUNDS     A/A in the daemon: a look at the summary
                                       after every round
  validity.py report    OUT            the figures

Environment: AB_BIN (default build/src/allocbenchd), AB_ITER (200000),
AB_MAX_RUNS (30). The config disables jemalloc, tcmalloc and mimalloc and
sets max_runq = 0: on a loaded machine the contention flag would exclude
most runs (the daemon's run documents keep runq_s, so `report` counts how
many would have been flagged). Run it at a raised priority (nice -n -10).
"""
import json
import math
import os
import random
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
WORKLOAD = os.path.join(TOP, "src/workloads/churn.py")
PYTHON = "/usr/bin/python3"  # the interpreter the runner resolves
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
SLOWS = (2, 5, 10)
RUN_RE = re.compile(r"run (\d+)/(\d+) (\S+?)( \(warm-up\))?: (\S+), "
                    r"([0-9.]+) s")


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def config(path, extra=""):
    with open(path, "w") as f:
        f.write("[daemon]\nmax_runq = 0\n" + extra)
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
    # per-round wall times from the progress log (ms resolution)
    walls = {}
    nvar = None
    for m in RUN_RE.finditer(p.stderr):
        idx, tot, var, wu, st, w = m.groups()
        if wu:
            continue
        walls.setdefault(var, []).append(float(w) if st == "ok" else None)
    rec = {"rc": p.returncode, "load1": [l0, loadavg()],
           "session": doc["session"], "walls": walls, "cmp": {}}
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
    and glibc's median wall time in the A/A windows already in OUT: the
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
             for w in r["walls"]["python3/glibc"] if w]
    med = statistics.median(walls)
    rec = {"study": "calibrate", "calls": calls, "glibc_wall_median": med,
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
        import validity_report
        validity_report.report(out)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
