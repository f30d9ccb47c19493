#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# allocbenchd with a history of N runs (default 100,000, written once by
# bench/gen-history.py): STARTS times, a fresh copy of that history and a
# fresh daemon, measuring
#   - start-up: from just before exec until the log line "history: N runs
#     loaded" (stderr lines are timestamped as they arrive), until the
#     "listening" line, and until the first GET /healthz that answers
#     (polled back to back with curl, so an upper bound);
#   - the latency of GET /api/v1/runs?variant=python3/glibc&limit=1000,
#     REQUESTS curl requests one after the other (time_total, a new
#     connection each), once the first round is over;
#   - VmRSS with the history loaded, after that first round and again
#     after the requests (the heap keeps what the largest response took).
# One start with an empty history gives the VmRSS baseline, and one with
# the default history_max_mb (64 MiB) shows what the cap does to a history
# of that size. The others set history_max_mb = 128 so that all N runs
# stay. The page cache is warm (the copy was just written).
# Targets: start-up < 1 s, latency < 20 ms; the memory is stated.
#
# Usage: bench/history.sh [BUILD_DIR]      (default /tmp/build-bench)
# Environment: N (100000), STARTS (5), REQUESTS (20).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
BUILD=${1:-/tmp/build-bench}
DAEMON=$BUILD/src/allocbenchd
N=${N:-100000}
STARTS=${STARTS:-5}
REQUESTS=${REQUESTS:-20}
VARIANT=python3/glibc
QUERY="/api/v1/runs?variant=$VARIANT&limit=1000"

for t in curl python3; do
	command -v "$t" >/dev/null || { echo "history: $t is missing" >&2; exit 1; }
done
[ -x "$DAEMON" ] || { echo "history: no $DAEMON; build it first" >&2; exit 1; }

TMP=$(mktemp -d /tmp/abhist.XXXXXX)
DPID='' NSTART=0 LOG=''
stop_daemon() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	DPID=
}
trap 'stop_daemon; rm -rf "$TMP"' EXIT

python3 "$HERE/gen-history.py" -n "$N" "$TMP/history.jsonl"
HBYTES=$(stat -c %s "$TMP/history.jsonl")

# Prefixes each line of standard input with the time it arrived.
stamp() {
	local l
	while IFS= read -r l; do
		printf '%s %s\n' "$EPOCHREALTIME" "$l"
	done
}

# Seconds from $1 to the time stamp of the first line of $LOG matching $2,
# waiting up to 60 s for it.
since() {
	local t
	for _ in $(seq 6000); do
		t=$(awk -v re="$2" '$0 ~ re { print $1; exit }' "$LOG" \
		    2>/dev/null || true)
		if [ -n "$t" ]; then
			awk -v a="$1" -v b="$t" 'BEGIN { printf "%.3f", b - a }'
			return 0
		fi
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.01
	done
	echo "history: no '$2' in the log:" >&2
	cat "$LOG" >&2
	return 1
}

vmrss_mb() {
	awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Field $2 (a number) of the status document at $1.
status_field() {
	curl -sf "$1/api/v1/status" | grep -o "\"$2\":[0-9]*" | cut -d: -f2
}

# Starts the daemon on a copy of history $1 (or none) with config $2,
# logging to a new file $LOG (one per start: the old one could still be
# read before the new one is opened); sets DPID, URL and, in seconds from just before exec, LOADED (the "history"
# log line), LISTEN (the "listening" line) and HEALTHZ (first answer), and
# RUNS, the history_runs /api/v1/status reports then.
start() {
	local t0 port
	rm -rf "$TMP/state" && mkdir "$TMP/state"
	[ -z "$1" ] || cp "$1" "$TMP/state/history.jsonl"
	NSTART=$((NSTART + 1))
	LOG=$TMP/log.$NSTART
	t0=$EPOCHREALTIME
	"$DAEMON" --config "$2" --listen 127.0.0.1:0 --state-dir "$TMP/state" \
	    --www-dir "$TOP/www" --workload "$TOP/src/workloads/churn.py" \
	    --iterations 3000 --warmup 0 --interval 86400 \
	    2> >(stamp >"$LOG") &
	DPID=$!
	LOADED=$(since "$t0" 'history: [0-9]+ runs loaded')
	LISTEN=$(since "$t0" 'listening on')
	port=$(grep -o '(port [0-9]*)' "$LOG" | grep -o '[0-9][0-9]*')
	URL=http://127.0.0.1:$port
	until curl -sf -o /dev/null "$URL/healthz"; do
		kill -0 "$DPID" || { echo "history: the daemon died" >&2; exit 1; }
	done
	HEALTHZ=$(awk -v a="$t0" -v b="$EPOCHREALTIME" \
	    'BEGIN { printf "%.3f", b - a }')
	RUNS=$(status_field "$URL" history_runs)
	SKIPPED=$(status_field "$URL" history_skipped)
}

wait_round() {
	for _ in $(seq 600); do
		[ "$(status_field "$URL" rounds_completed)" -ge 1 ] && return 0
		sleep 0.1
	done
	echo "history: no round after 60 s" >&2
	return 1
}

printf '[daemon]\nmax_load = 0\nhistory_max_mb = 128\n' >"$TMP/conf"
printf '[daemon]\nmax_load = 0\n' >"$TMP/conf.default"

start "" "$TMP/conf"
wait_round
sleep 1
EMPTY_RSS=$(vmrss_mb "$DPID")
stop_daemon

printf 'history: %d runs, %.1f MiB (%.0f bytes/run)\n' "$N" \
    "$(awk -v b="$HBYTES" 'BEGIN { print b / 1048576 }')" \
    "$(awk -v b="$HBYTES" -v n="$N" 'BEGIN { print b / n }')"
printf '%-5s %9s %9s %10s %9s %12s %8s %8s\n' start loaded_s listen_s \
    healthz_s hist_runs runs_ms_med rss_MB rss2_MB
: >"$TMP/starts" && : >"$TMP/lat"
for s in $(seq "$STARTS"); do
	start "$TMP/history.jsonl" "$TMP/conf"
	if [ "$RUNS" -lt "$N" ] || [ "$SKIPPED" != 0 ]; then
		echo "history: $RUNS runs loaded, $SKIPPED skipped" >&2
		exit 1
	fi
	wait_round
	rss=$(vmrss_mb "$DPID")
	curl -sf -o "$TMP/runs.json" "$URL$QUERY"
	grep -q '"count":1000}$' "$TMP/runs.json" ||
	    { echo "history: $QUERY did not give 1000 runs" >&2; exit 1; }
	bytes=$(stat -c %s "$TMP/runs.json")
	: >"$TMP/lat.$s"
	for _ in $(seq "$REQUESTS"); do
		curl -sf -o /dev/null -w '%{time_total}\n' "$URL$QUERY" >>"$TMP/lat.$s"
	done
	cat "$TMP/lat.$s" >>"$TMP/lat"
	med=$(python3 -c 'import statistics as st, sys
print("%.1f" % (st.median(float(l) for l in sys.stdin) * 1000))' \
	    <"$TMP/lat.$s")
	rss2=$(vmrss_mb "$DPID")
	stop_daemon
	echo "$LOADED $LISTEN $HEALTHZ $med $rss $rss2" >>"$TMP/starts"
	printf '%-5s %9s %9s %10s %9s %12s %8s %8s\n' "$s" "$LOADED" "$LISTEN" \
	    "$HEALTHZ" "$RUNS" "$med" "$rss" "$rss2"
done

start "$TMP/history.jsonl" "$TMP/conf.default"
stop_daemon

python3 - "$TMP/starts" "$TMP/lat" "$N" "$EMPTY_RSS" "$bytes" "$LOADED" \
    "$RUNS" "$REQUESTS" <<'EOF'
import statistics as st, sys
starts, lat, n, empty, rbytes, dloaded, druns, nreq = sys.argv[1:]
rows = [list(map(float, l.split())) for l in open(starts) if l.strip()]
m = [st.median(c) for c in zip(*rows)]
alllat = [float(l) * 1000 for l in open(lat) if l.strip()]
n, empty = int(n), float(empty)
print("median of %d starts: history loaded after %.3f s, listening after "
      "%.3f s, /healthz answered after %.3f s (target < 1 s: %s)"
      % (len(rows), m[0], m[1], m[2], "met" if m[0] < 1 else "MISSED"))
print("GET /api/v1/runs?variant=python3/glibc&limit=1000 (%s bytes): median "
      "of the per-start medians of %d requests %.1f ms; median of all %d "
      "%.1f ms (min %.1f, max %.1f) (target < 20 ms: %s)"
      % (rbytes, int(nreq), m[3], len(alllat), st.median(alllat),
         min(alllat), max(alllat), "met" if m[3] < 20 else "MISSED"))
print("VmRSS: %.1f MB with an empty history; %.1f MB with %d runs after the "
      "first round (+%.1f MB, %.0f bytes/run); %.1f MB after the requests"
      % (empty, m[4], n, m[4] - empty, (m[4] - empty) * 2**20 / n, m[5]))
print("default history_max_mb = 64: loaded (and compacted) after %s s, %s of "
      "%d runs kept" % (dloaded, druns, n))
EOF
echo "(hist_runs: history_runs of /api/v1/status at the first /healthz"
echo "answer, with any run of the first round recorded by then; rss_MB: VmRSS"
echo "after the first round, rss2_MB: after the requests; MB = 2^20 bytes;"
echo "times from just before exec, warm page cache)"
