#!/usr/bin/env bash
# floor.sh — where the lookup CPU goes: IceGrid 3.7.8, Floe and bench/floor (a Go server that
# answers every request with a canned reply and does nothing else) side by side, alternately
# (IceGrid, Floe, floor, IceGrid, ...), findAdapterById at THREADS connections, RUNS runs each.
# Prints the medians of ops/s, p99 and server CPU µs per lookup, and each one's ratio to IceGrid.
# floor's CPU per lookup is what any Go server pays here for the reads, writes and scheduling of
# one request/reply: the lowest Floe could reach without fewer system calls per request.
#
#   DURATION (default 5)  RUNS (default 3)  THREADS (default "4 16")  BASE_PORT (default 24461)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
DURATION=${DURATION:-5} RUNS=${RUNS:-3} THREADS=${THREADS:-"4 16"} BASE=${BASE_PORT:-24461}
LOCBENCH="$ROOT/bench/locbench/locbench" FLOE="$ROOT/bin/floe"
[ -x "$LOCBENCH" ] || make -C "$ROOT/bench/locbench" >&2
[ -x "$FLOE" ] || make -C "$ROOT" build >&2
STATE=$(mktemp -d /tmp/floe-floor.XXXXXX)
go build -C "$ROOT" -o "$STATE/floor" ./bench/floor
declare -A PID PORT
PORT[icegrid]=$BASE PORT[floe]=$((BASE + 10)) PORT[floor]=$((BASE + 20))
cleanup() { for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$STATE"; }
trap cleanup EXIT

mkdir -p "$STATE/ig" "$STATE/fl"
icegridregistry --nowarn --IceGrid.InstanceName=IceGrid --IceGrid.Registry.LMDB.Path="$STATE/ig" \
    --IceGrid.Registry.Client.Endpoints="tcp -h 127.0.0.1 -p ${PORT[icegrid]}" \
    --IceGrid.Registry.Server.Endpoints="tcp -h 127.0.0.1" --IceGrid.Registry.Internal.Endpoints="tcp -h 127.0.0.1" \
    --IceGrid.Registry.DynamicRegistration=1 --IceGrid.Registry.Discovery.Enabled=0 </dev/null >"$STATE/ig.log" 2>&1 &
PID[icegrid]=$!
"$FLOE" registry --IceGrid.Registry.LMDB.Path="$STATE/fl" --IceGrid.Registry.DynamicRegistration=1 \
    --IceGrid.Registry.Client.Endpoints="tcp -h 127.0.0.1 -p ${PORT[floe]}" \
    --IceGrid.Registry.Server.Endpoints="tcp -h 127.0.0.1" --Floe.HTTP.Endpoint="127.0.0.1:$((BASE + 19))" \
    </dev/null >"$STATE/fl.log" 2>&1 &
PID[floe]=$!
"$STATE/floor" -addr "127.0.0.1:${PORT[floor]}" </dev/null >"$STATE/floor.log" 2>&1 &
PID[floor]=$!
loc() { echo "IceGrid/Locator:tcp -h 127.0.0.1 -p ${PORT[$1]}"; }
for reg in icegrid floe floor; do
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/${PORT[$reg]}") 2>/dev/null && break; sleep 0.1; done
    kill -0 "${PID[$reg]}" || { echo "floor.sh: $reg did not start; see $STATE" >&2; exit 2; }
    [ "$reg" = floor ] || timeout 30 "$LOCBENCH" -l "$(loc "$reg")" -o register -i BenchAdapter \
        -p "bench:tcp -h 127.0.0.1 -p 9999" >/dev/null
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
declare -A RES
for t in $THREADS; do
    for r in $(seq 1 "$RUNS"); do
        for reg in icegrid floe floor; do
            c0=$(ticks "${PID[$reg]}")
            raw="$STATE/$reg-t$t-$r.out"
            timeout $((DURATION + 60)) "$LOCBENCH" -l "$(loc "$reg")" -o findAdapterById -i BenchAdapter \
                -t "$t" -w 1 -d "$DURATION" >"$raw" 2>&1 || true
            out=$(grep '^RESULT' "$raw" || true)
            c1=$(ticks "${PID[$reg]}")
            ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$out"); ok=${ok:-0}
            [ "$ok" -gt 0 ] || { echo "floor.sh: $reg t=$t run $r: no result: $(tail -3 "$raw" | tr '\n' ' ')" >&2; continue; }
            ops=$(sed -n 's/.* ops_per_s=\([0-9]*\).*/\1/p' <<<"$out"); p99=$(sed -n 's/.* p99_us=\([0-9.]*\).*/\1/p' <<<"$out")
            # CPU ticks cover the warm-up second too: count its calls as well (ops/s × 1 s).
            cpu=$(awk -v c=$((c1 - c0)) -v k="$tck" -v n="$ok" -v o="$ops" 'BEGIN{printf "%.1f", c / k * 1e6 / (n + o)}')
            RES[$reg|$t]+="$ops $p99 $cpu"$'\n'
            echo "$reg t=$t run $r: ops/s $ops p99 ${p99} µs cpu ${cpu} µs/lookup" >&2
        done
    done
done

med() { sort -n | awk '{a[NR]=$1} END{if (NR == 0) print "NaN"; else print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
echo "date: $(date -u +%FT%TZ)  host: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "| connections | server | ops/s | p99 µs | server CPU µs/lookup | CPU vs IceGrid |"
echo "|---|---|---|---|---|---|"
for t in $THREADS; do
    igc=$(printf '%s' "${RES[icegrid|$t]:-}" | awk '{print $3}' | med)
    for reg in icegrid floe floor; do
        v=${RES[$reg|$t]:-}
        o=$(printf '%s' "$v" | awk '{print $1}' | med); p=$(printf '%s' "$v" | awk '{print $2}' | med)
        c=$(printf '%s' "$v" | awk '{print $3}' | med)
        echo "| $t | $reg | $o | $p | $c | $(awk -v a="$c" -v b="$igc" 'BEGIN{printf (b > 0 ? "%.2f" : "NaN"), a / b}') |"
    done
done
