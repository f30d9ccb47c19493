#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# What allocbenchd costs while it waits for the next round, with an empty
# history: VmRSS after the first round and SETTLE seconds of idle, then the
# CPU it uses over WINDOW more seconds (utime + stime of /proc/PID/stat, as
# % of one core) and how often its threads wake (context switches of
# /proc/PID/task/*/status). Nothing talks to it meanwhile. The VmRSS is
# split into anonymous and file-backed pages, and PSS and USS (private
# pages, smaps_rollup) tell the daemon's own memory from the shared library
# pages VmRSS also counts. bench/mhd-peer.c, a bare libmicrohttpd server
# serving the daemon's summary, is measured alongside at the same moments
# as the floor any libmicrohttpd daemon starts from on this system. Each of
# RUNS runs starts a fresh daemon, state and peer; the largest resident
# mappings of the last daemon are listed at the end.
# Targets: daemon VmRSS <= 4 MB, CPU ~ 0 %.
#
# Usage: bench/idle.sh [BUILD_DIR]      (default /tmp/build-bench)
# Environment: RUNS (3), SETTLE (10), WINDOW (30).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
BUILD=${1:-/tmp/build-bench}
DAEMON=$BUILD/src/allocbenchd
RUNS=${RUNS:-3}
SETTLE=${SETTLE:-10}
WINDOW=${WINDOW:-30}

for t in curl cc pkg-config python3; do
	command -v "$t" >/dev/null || { echo "idle: $t is missing" >&2; exit 1; }
done
[ -x "$DAEMON" ] || { echo "idle: no $DAEMON; build it first" >&2; exit 1; }

TMP=$(mktemp -d /tmp/abidle.XXXXXX)
DPID='' PEER_PID=''
stop_all() {
	local p
	for p in $DPID $PEER_PID; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	DPID='' PEER_PID=''
}
trap 'stop_all; rm -rf "$TMP"' EXIT

read -ra MHD_FLAGS <<<"$(pkg-config --cflags --libs libmicrohttpd)"
cc -O2 -o "$TMP/mhd-peer" "$HERE/mhd-peer.c" "${MHD_FLAGS[@]}"
TCK=$(getconf CLK_TCK)

# "RSS ANON FILE PSS USS" in kB for process $1.
memory() {
	local rss anon file
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status")
	anon=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$1/status")
	file=$(awk '$1 == "RssFile:" { print $2 }' "/proc/$1/status")
	awk -v r="$rss" -v a="$anon" -v f="$file" '
	    $1 == "Pss:" { p = $2 }
	    $1 ~ /^Private_(Clean|Dirty):$/ { u += $2 }
	    END { print r, a, f, p, u }' "/proc/$1/smaps_rollup"
}

# "TICKS SWITCHES": utime + stime of /proc/$1/stat (fields 14 and 15,
# counted after the ')' that ends the command name) and the context
# switches of all its threads.
activity() {
	local ticks
	ticks=$(sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }')
	cat /proc/"$1"/task/*/status | awk -v t="$ticks" '
	    /ctxt_switches:/ { n += $2 } END { print t, n + 0 }'
}

# One table row from "memory" and the two "activity" samples; prints it and
# appends the numbers to $TMP/rows.$2.
row() {
	local run=$1 who=$2 mem=$3 a0=$4 a1=$5 dt=$6 line
	line=$(echo "$mem $a0 $a1" | awk -v dt="$dt" -v tck="$TCK" '{
	    printf "%.2f %.2f %.2f %.2f %.2f %.3f %.2f", $1 / 1024, $2 / 1024,
	        $3 / 1024, $4 / 1024, $5 / 1024,
	        100 * ($8 - $6) / tck / dt, ($9 - $7) / dt }')
	echo "$line" >>"$TMP/rows.$who"
	# shellcheck disable=SC2086
	printf '%-4s %-7s %9s %8s %8s %8s %8s %10s %9s\n' "$run" "$who" $line
}

printf '%-4s %-7s %9s %8s %8s %8s %8s %10s %9s\n' run process VmRSS_MB \
    anon_MB file_MB PSS_MB USS_MB cpu_%core wakeup/s
for run in $(seq "$RUNS"); do
	rm -rf "$TMP/state" && mkdir "$TMP/state"
	printf '[daemon]\nmax_load = 0\n' >"$TMP/conf"
	"$DAEMON" --config "$TMP/conf" --listen 127.0.0.1:0 \
	    --state-dir "$TMP/state" --www-dir "$TOP/www" \
	    --workload "$TOP/src/workloads/churn.py" --iterations 3000 \
	    --warmup 0 --interval 86400 2>"$TMP/daemon.log" &
	DPID=$!
	port=
	for i in $(seq 100); do
		port=$(grep -o '(port [0-9]*)' "$TMP/daemon.log" |
		    grep -o '[0-9][0-9]*' || true)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { cat "$TMP/daemon.log" >&2; exit 1; }
	for i in $(seq 600); do
		curl -sf "http://127.0.0.1:$port/api/v1/status" |
		    grep -Eq '"rounds_completed":[1-9]' && break
		[ "$i" = 600 ] && { echo "idle: no round after 60 s" >&2; exit 1; }
		sleep 0.1
	done
	curl -sf -o "$TMP/summary.json" "http://127.0.0.1:$port/api/v1/summary"
	"$TMP/mhd-peer" "/api/v1/summary=$TMP/summary.json=application/json" \
	    >"$TMP/peer.out" &
	PEER_PID=$!

	sleep "$SETTLE"
	dm=$(memory "$DPID") pm=$(memory "$PEER_PID")
	# Resident kB per mapped object, for the breakdown after the table.
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anon]" }
	    /^Rss:/ { rss[name] += $2 }
	    END { for (n in rss) if (rss[n] > 0) print rss[n], n }' \
	    "/proc/$DPID/smaps" | sort -rn >"$TMP/maps"
	t0=$EPOCHREALTIME da0=$(activity "$DPID") pa0=$(activity "$PEER_PID")
	sleep "$WINDOW"
	t1=$EPOCHREALTIME da1=$(activity "$DPID") pa1=$(activity "$PEER_PID")
	dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	row "$run" daemon "$dm" "$da0" "$da1" "$dt"
	row "$run" peer "$pm" "$pa0" "$pa1" "$dt"
	stop_all
done
python3 - "$TMP/rows.daemon" "$TMP/rows.peer" <<'EOF'
import statistics as st, sys
def med(path):
    rows = [list(map(float, l.split())) for l in open(path) if l.strip()]
    return [st.median(c) for c in zip(*rows)]
d, p = med(sys.argv[1]), med(sys.argv[2])
for who, m in (("daemon", d), ("peer", p)):
    print("median %-6s VmRSS %.2f MB (anon %.2f, file %.2f, PSS %.2f, "
          "USS %.2f); CPU %.3f %% of one core; %.2f wake-ups/s"
          % ((who,) + tuple(m)))
print("daemon/peer VmRSS ratio %.2f (+%.2f MB)" % (d[0] / p[0], d[0] - p[0]))
print("targets: daemon VmRSS <= 4 MB: %s; CPU ~ 0: %s" % (
    "met" if d[0] <= 4 else "MISSED", "met" if d[5] < 0.1 else "MISSED"))
EOF
echo "largest resident mappings of the last daemon, MB:"
head -12 "$TMP/maps" | awk '{ printf "  %6.2f %s\n", $1 / 1024, $2 }'
echo "(settle ${SETTLE} s after the first round, CPU over ${WINDOW} s," \
    "${RUNS} runs, clock tick 1/${TCK} s; MB = 2^20 bytes)"
