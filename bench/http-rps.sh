#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Requests per second of allocbenchd's cached endpoints (GET /api/v1/summary
# and GET /metrics) against bench/mhd-peer.c, a bare libmicrohttpd server
# with the same flags and limits that serves the same bodies as constants.
# The bodies are taken from the running daemon after its first round. Per
# endpoint, wrk (keep-alive) runs TRIALS trials of each side, alternating
# daemon and peer (and which goes first) so that drift on a noisy machine
# hits both alike; the table gives the median req/s of each side, the ratio
# of the medians and the median of the per-trial ratios. Target: >= 0.8.
#
# Usage: bench/http-rps.sh [BUILD_DIR]     (default /tmp/build-bench)
# Environment: TRIALS (5), DURATION (5s), THREADS (2), CONNS (16; the
# daemon allows 16 connections per client address by default).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
BUILD=${1:-/tmp/build-bench}
DAEMON=$BUILD/src/allocbenchd
TRIALS=${TRIALS:-5}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-16}

for t in wrk curl cc pkg-config python3; do
	command -v "$t" >/dev/null || { echo "http-rps: $t is missing" >&2; exit 1; }
done
[ -x "$DAEMON" ] || { echo "http-rps: no $DAEMON; build it first" >&2; exit 1; }

TMP=$(mktemp -d /tmp/abrps.XXXXXX)
DPID= PPID_=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null && wait "$PPID_" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

cc -O2 -o "$TMP/mhd-peer" "$HERE/mhd-peer.c" \
    $(pkg-config --cflags --libs libmicrohttpd)

# Waits up to 10 s for "port N" (both servers print it) in file $1.
port_of() {
	local i
	for i in $(seq 100); do
		if grep -q 'port [0-9]' "$1" 2>/dev/null; then
			grep -o 'port [0-9]*' "$1" | head -1 | cut -d' ' -f2
			return 0
		fi
		sleep 0.1
	done
	echo "http-rps: no port in $1:" >&2
	cat "$1" >&2
	return 1
}

mkdir "$TMP/state"
printf '[daemon]\nmax_load = 0\n' >"$TMP/conf"
"$DAEMON" --config "$TMP/conf" --listen 127.0.0.1:0 --state-dir "$TMP/state" \
    --www-dir "$TOP/www" --workload "$TOP/src/workloads/churn.py" \
    --iterations 3000 --warmup 0 --interval 86400 2>"$TMP/daemon.log" &
DPID=$!
DPORT=$(port_of "$TMP/daemon.log")
D=http://127.0.0.1:$DPORT
for i in $(seq 600); do
	curl -sf "$D/api/v1/status" | grep -Eq '"rounds_completed":[1-9]' && break
	[ "$i" = 600 ] && { echo "http-rps: no round after 60 s" >&2; exit 1; }
	sleep 0.1
done

curl -sf -D "$TMP/summary.hdr" -o "$TMP/summary.json" "$D/api/v1/summary"
curl -sf -o "$TMP/metrics.txt" "$D/metrics"
ETAG=$(tr -d '\r' <"$TMP/summary.hdr" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
"$TMP/mhd-peer" \
    "/api/v1/summary=$TMP/summary.json=application/json=$ETAG" \
    "/metrics=$TMP/metrics.txt=text/plain; version=0.0.4; charset=utf-8" \
    >"$TMP/peer.out" &
PPID_=$!
P=http://127.0.0.1:$(port_of "$TMP/peer.out")

# One wrk run; prints its Requests/sec, or fails on errors or non-2xx.
rps() {
	local out
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1")
	if grep -Eq 'Non-2xx|Socket errors' <<<"$out"; then
		echo "http-rps: $1:" >&2
		echo "$out" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

printf 'wrk -t%s -c%s -d%s, %s trials per side, alternating\n' \
    "$THREADS" "$CONNS" "$DURATION" "$TRIALS"
printf '%-16s %7s %12s %12s %8s %10s %s\n' endpoint bytes daemon_rps \
    peer_rps ratio trial_med trials
for path in /api/v1/summary /metrics; do
	bytes=$(curl -sf "$D$path" | wc -c)
	pbytes=$(curl -sf "$P$path" | wc -c)
	[ "$pbytes" -gt 0 ] || { echo "http-rps: peer serves nothing" >&2; exit 1; }
	ds=() ps=()
	for t in $(seq "$TRIALS"); do
		if [ $((t % 2)) = 1 ]; then
			ds+=("$(rps "$D$path")")
			ps+=("$(rps "$P$path")")
		else
			ps+=("$(rps "$P$path")")
			ds+=("$(rps "$D$path")")
		fi
	done
	python3 - "$path" "$bytes" "$pbytes" "${ds[*]}" "${ps[*]}" <<'EOF'
import statistics as st, sys
path, db, pb, ds, ps = sys.argv[1:]
d = [float(x) for x in ds.split()]
p = [float(x) for x in ps.split()]
md, mp = st.median(d), st.median(p)
tr = st.median(a / b for a, b in zip(d, p))
print("%-16s %7s %12.0f %12.0f %8.3f %10.3f %s" % (
    path, db if db == pb else db + "/" + pb, md, mp, md / mp, tr,
    " ".join("%.0f/%.0f" % (a, b) for a, b in zip(d, p))))
EOF
done
echo "ratio = median daemon req/s / median peer req/s; trial_med = median of"
echo "the per-trial ratios; trials = daemon/peer req/s per trial. Target >= 0.8."
