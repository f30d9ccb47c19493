#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a realistic history.jsonl for bench/history.sh: N runs (default
100,000) of the four variants python3/{glibc,jemalloc,tcmalloc,mimalloc},
one round of the four every INTERVAL seconds (default 180, so 100,000 runs
span 52 days and stay inside the default 90-day retention), the newest
round ending at END (default now). Lines are run_to_json documents of
src/run.c (schema 1, members in its order, doubles in their shortest exact
form) with Raspberry Pi-like host readings; about 1% of the runs failed
with a Python traceback, 0.5% timed out and 3% are flagged as throttled.
The output is the same for the same arguments (seeded generator).

Usage: bench/gen-history.py [-n N] [--interval S] [--end-ms MS] OUT
"""
import argparse
import json
import random
import sys
import time

VARIANTS = [
    ("python3/glibc", "/lib/x86_64-linux-gnu/libc.so.6", 4.1),
    ("python3/jemalloc", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", 3.6),
    ("python3/tcmalloc",
     "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", 3.7),
    ("python3/mimalloc", "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2", 3.4),
]
TRACEBACK = (
    "Traceback (most recent call last):\n"
    "  File \"/usr/share/allocbench/churn.py\", line 88, in <module>\n"
    "    main()\n"
    "  File \"/usr/share/allocbench/churn.py\", line 71, in main\n"
    "    buf = [bytearray(size) for _ in range(n)]\n"
    "MemoryError\n")


def rfc3339(ms):
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
        ms % 1000)


def reading(rng, temp, freq, throttled):
    return {"temp_c": round(temp, 3), "freq_khz": freq,
            "load1": round(rng.uniform(0.0, 1.5), 2), "throttled": throttled}


def run(rng, i, started):
    variant, provider, base = VARIANTS[i % len(VARIANTS)]
    u = rng.random()
    temp = rng.uniform(48.0, 68.0)
    throttled = u > 0.97
    doc = {"v": 1, "variant": variant, "started_ms": started,
           "started_at": rfc3339(started)}
    if u < 0.01:
        wall = 1.0 + rng.random()
        doc.update(status="failed", exit_code=1, signal=0)
        err = TRACEBACK
    elif u < 0.015:
        wall = 600.0 + rng.random() * 0.01
        doc.update(status="timeout", exit_code=None, signal=9)
        err = "timed out after 600 s"
    else:
        wall = base * (1.0 + 0.05 * rng.random())
        doc.update(status="ok", exit_code=0, signal=0)
        err = None
    ok = err is None
    maxrss = 180000 + int(rng.random() * 40000)
    # wait4 gives the rusage of every run; only a verified one reports
    # its phases, VmHWM and malloc provider.
    doc.update({
        "iterations": 2000000,
        "wall_s": wall,
        "user_s": wall * (0.90 + 0.05 * rng.random()),
        "sys_s": wall * (0.02 + 0.03 * rng.random()),
        "maxrss_kb": maxrss,
        "minflt": 40000 + int(rng.random() * 10000),
        "majflt": 0,
        "nvcsw": int(rng.random() * 50),
        "nivcsw": int(rng.random() * 800),
        "phases_s": {p: (wall * (0.1 + 0.2 * rng.random()) if ok else None)
                     for p in ("append", "fill", "clear", "refill")},
        "vmhwm_kb": maxrss - 2000 if ok else None,
        "malloc_provider": provider if ok else None,
        "python_version": "3.11.2",
        "error": err,
        "host_before": reading(rng, temp, 1800000, 0),
        "host_after": reading(rng, temp + rng.random() * 8,
                              1500000 if throttled else 1800000,
                              0x20002 if throttled else 0),
        "flags": ["throttled"] if throttled and ok else [],
    })
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--interval", type=float, default=180.0)
    ap.add_argument("--end-ms", type=int, default=int(time.time() * 1000))
    ap.add_argument("out")
    args = ap.parse_args()
    rng = random.Random(20251125)
    rounds = (args.n + len(VARIANTS) - 1) // len(VARIANTS)
    first = args.end_ms - int(rounds * args.interval * 1000)
    total = 0
    with open(args.out, "w") as fp:
        for i in range(args.n):
            rnd, k = divmod(i, len(VARIANTS))
            started = first + int(rnd * args.interval * 1000) + k * 4200 + \
                int(rng.random() * 900)
            line = json.dumps(run(rng, i, started), separators=(",", ":"),
                              allow_nan=False)
            fp.write(line + "\n")
            total += len(line) + 1
    print("%s: %d runs, %d bytes (%.0f bytes/run, %.1f MiB), %s to %s" % (
        args.out, args.n, total, total / args.n, total / 2**20,
        rfc3339(first), rfc3339(args.end_ms)), file=sys.stderr)


if __name__ == "__main__":
    main()
