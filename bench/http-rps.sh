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
DPID='' PEER_PID=''
cleanup() {
	local p
	for p in $DPID $PEER_PID; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

read -ra MHD_FLAGS <<<"$(pkg-config --cflags --libs libmicrohttpd)"
cc -O2 -o "$TMP/mhd-peer" "$HERE/mhd-peer.c" "${MHD_FLAGS[@]}"

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
    >"$TMP/peer.out" 2>"$TMP/peer.log" &
PEER_PID=$!
P=http://127.0.0.1:$(port_of "$TMP/peer.out")

# One wrk run; prints "REQ_PER_S SOCKET_ERRORS", or fails on non-2xx
# answers. A socket error is usually a connection refused by the per-IP
# limit (the server logs "reached connection limit") and reopened by wrk.
rps() {
	local out
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1")
	if grep -q 'Non-2xx' <<<"$out"; then
		echo "http-rps: $1:" >&2
		echo "$out" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ { r = $2 }
	    /Socket errors:/ { gsub(",", ""); e = $4 + $6 + $8 + $10 }
	    END { print r, e + 0 }' <<<"$out"
}

printf 'wrk -t%s -c%s -d%s, %s trials per side, alternating\n' \
    "$THREADS" "$CONNS" "$DURATION" "$TRIALS"
printf '%-16s %11s %10s %10s %6s %9s %7s  %s\n' endpoint bytes_d/p \
    daemon_rps peer_rps ratio trial_med sockerr "per trial (daemon/peer)"
for path in /api/v1/summary /metrics; do
	bytes=$(curl -sf "$D$path" | wc -c)
	pbytes=$(curl -sf "$P$path" | wc -c)
	[ "$pbytes" -gt 0 ] || { echo "http-rps: peer serves nothing" >&2; exit 1; }
	ds=() ps=()
	for t in $(seq "$TRIALS"); do
		if [ $((t % 2)) = 1 ]; then
			r=$(rps "$D$path") || exit 1; ds+=("$r")
			r=$(rps "$P$path") || exit 1; ps+=("$r")
		else
			r=$(rps "$P$path") || exit 1; ps+=("$r")
			r=$(rps "$D$path") || exit 1; ds+=("$r")
		fi
	done
	python3 - "$path" "$bytes" "$pbytes" "${ds[*]}" "${ps[*]}" <<'EOF'
import statistics as st, sys
path, db, pb, ds, ps = sys.argv[1:]
d = [float(x) for x in ds.split()[0::2]]
p = [float(x) for x in ps.split()[0::2]]
de = sum(int(x) for x in ds.split()[1::2])
pe = sum(int(x) for x in ps.split()[1::2])
md, mp = st.median(d), st.median(p)
tr = st.median(a / b for a, b in zip(d, p))
print("%-16s %11s %10.0f %10.0f %6.3f %9.3f %7s  %s" % (
    path, db + "/" + pb, md, mp, md / mp, tr, "%d/%d" % (de, pe),
    " ".join("%.0f/%.0f" % (a, b) for a, b in zip(d, p))))
EOF
done
echo "ratio = median daemon req/s / median peer req/s; trial_med = median of"
echo "the per-trial ratios; sockerr = wrk socket errors, daemon/peer, all"
echo "trials. Target: ratio >= 0.8."
