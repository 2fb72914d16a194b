#!/usr/bin/env bash
# bench/registry.sh - Floe vs the real IceGrid 3.7 registry, side by side, in one run.
#
# Starts one standalone `icegridregistry` and one standalone `floe registry` on 127.0.0.1 (different
# ports, each with its own temporary data directory), then drives both with bench/locbench,
# alternately (IceGrid, Floe, IceGrid, Floe, ...: RUNS runs of each configuration), and reports medians:
#   - findAdapterById / findObjectById: ops/s, p50, p99 and server CPU µs per lookup, at THREADS
#     connections (one connection per locbench thread);
#   - registrations/s: setAdapterDirectProxy with new ids, 4 threads (both fsync every registration);
#   - RSS idle and with ADAPTERS registered adapters, and findAdapterById p99 at 4 connections with
#     ADAPTERS adapters vs with 1 adapter.
# Output: bench/results/<timestamp>/{summary.md,runs.txt,bench.log,raw/,icegrid.log,floe.log};
# the summary table is also printed on stdout.
#
# Environment:
#   DURATION   measured seconds per locbench run (default 5)
#   RUNS       runs per configuration and registry (default 3)
#   THREADS    lookup connection counts (default "1 4 16")
#   QUICK=1    smoke run: DURATION=1, RUNS=1, ADAPTERS=10000 (explicit values still win)
#   ADAPTERS   adapters registered for the memory/scaling phase (default 100000)
#   WARMUP     unmeasured warm-up seconds per locbench run (default 1)
#   BASE_PORT  IceGrid uses BASE..BASE+2, Floe BASE+10, BASE+11 and BASE+19 for HTTP (default: the
#              first of 24061, 24161, ..., 26061 whose ports are all free)
#   OUT        result directory (default bench/results/<timestamp>)
#   KEEP=1     keep the registries' data directories
#   WAIT_IDLE  before starting, wait up to this many seconds for the machine to be quiet (busy below
#              IDLE_PCT % over 2 s; default 300 s, 30 %); the run then starts anyway, and the CPU used by
#              other processes during every measured window is reported (others_busy_pct)
#   RUN_WAIT   before each IceGrid/Floe pair of runs, wait up to this many seconds for the machine to
#              be quiet in the same way (default 0: off; useful on a shared machine)
#
# Server CPU per operation = registry process CPU ticks (utime+stime from /proc/PID/stat) consumed
# between the end of locbench's warm-up and its exit, divided by the calls it completed in its
# measured window. Only loopback is used; only the processes started here are stopped, by PID.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
FLOE="$ROOT/bin/floe"
LOCBENCH="$ROOT/bench/locbench/locbench"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    DURATION=${DURATION:-1}; RUNS=${RUNS:-1}; ADAPTERS=${ADAPTERS:-10000}
fi
DURATION=${DURATION:-5}
RUNS=${RUNS:-3}
THREADS=${THREADS:-"1 4 16"}
ADAPTERS=${ADAPTERS:-100000}
WARMUP=${WARMUP:-1}
BASE_PORT_SET=${BASE_PORT:+1}
BASE_PORT=${BASE_PORT:-24061}
KEEP=${KEEP:-0}
WAIT_IDLE=${WAIT_IDLE:-300}
IDLE_PCT=${IDLE_PCT:-30}
RUN_WAIT=${RUN_WAIT:-0}
STAMP=$(date +%Y%m%d-%H%M%S)
[ "$QUICK" = 1 ] && STAMP="$STAMP-quick"
OUT=${OUT:-$ROOT/bench/results/$STAMP}

die() { echo "registry.sh: $*" >&2; exit 2; }
isnum() { [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]]; }
isint() { [[ "$1" =~ ^[0-9]+$ ]]; }
isnum "$DURATION" || die "DURATION must be a number of seconds (got '$DURATION')"
isnum "$WARMUP" || die "WARMUP must be a number of seconds (got '$WARMUP')"
{ isint "$RUNS" && [ "$RUNS" -ge 1 ]; } || die "RUNS must be an integer >= 1 (got '$RUNS')"
{ isint "$ADAPTERS" && [ "$ADAPTERS" -ge 2 ]; } || die "ADAPTERS must be an integer >= 2 (got '$ADAPTERS')"
isint "$BASE_PORT" || die "BASE_PORT must be an integer"
isint "$WAIT_IDLE" || die "WAIT_IDLE must be an integer number of seconds"
isint "$IDLE_PCT" || die "IDLE_PCT must be an integer percentage"
isint "$RUN_WAIT" || die "RUN_WAIT must be an integer number of seconds"
for t in $THREADS; do { isint "$t" && [ "$t" -ge 1 ]; } || die "THREADS must list integers >= 1 (got '$THREADS')"; done
[ -n "$THREADS" ] || die "THREADS is empty"

# ---------------------------------------------------------------- prerequisites
for b in icegridregistry icegridadmin; do
    command -v "$b" >/dev/null 2>&1 ||
        die "missing $b: install the real IceGrid 3.7 (apt-get install -y zeroc-icegrid zeroc-ice-utils)"
done
for b in timeout awk sort make; do command -v "$b" >/dev/null 2>&1 || die "missing $b"; done
STALE=""
if [ ! -x "$FLOE" ]; then
    echo "registry.sh: building bin/floe" >&2
    make -C "$ROOT" build >&2 || die "make build failed"
else
    STALE=$(find "$ROOT/cmd" "$ROOT/ice" "$ROOT/internal" "$ROOT/go.mod" -newer "$FLOE" \
        \( -name '*.go' -o -name go.mod \) ! -name '*_test.go' -print 2>/dev/null | head -3 | tr '\n' ' ')
fi
if [ ! -x "$LOCBENCH" ] || [ "$ROOT/bench/locbench/locbench.cpp" -nt "$LOCBENCH" ]; then
    echo "registry.sh: building bench/locbench" >&2
    make -C "$ROOT/bench/locbench" >&2 ||
        die "building locbench failed (needs: apt-get install -y libzeroc-ice-dev g++ make)"
fi
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports_of() { echo "$1 $(($1 + 1)) $(($1 + 2)) $(($1 + 10)) $(($1 + 11)) $(($1 + 19))"; }
ports_free() { local p; for p in $(ports_of "$1"); do port_busy "$p" && return 1; done; return 0; }
if ! ports_free "$BASE_PORT"; then
    [ -n "$BASE_PORT_SET" ] && die "one of the ports $(ports_of "$BASE_PORT") on 127.0.0.1 is already in use (choose another BASE_PORT)"
    for i in $(seq 1 20); do ports_free $((BASE_PORT + 100 * i)) && { BASE_PORT=$((BASE_PORT + 100 * i)); break; }; done
    ports_free "$BASE_PORT" || die "no free block of ports found from 24061 to 26061 (set BASE_PORT)"
fi

mkdir -p "$OUT/raw" || die "cannot create $OUT"
RUNS_FILE="$OUT/runs.txt"
LOG="$OUT/bench.log"
: >"$RUNS_FILE"
STATE=$(mktemp -d /tmp/floe-regbench.XXXXXX) || die "mktemp failed"

log() { echo "[registry.sh $(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
busiest() { # the 5 processes using the most CPU right now (second sample of top, 1 s apart)
    top -b -n 2 -d 1 -o %CPU -w 160 2>/dev/null | awk '/^top -/{n++} n==2' | sed -n '7,12p'
}
busy_pct() { # whole-machine busy % over 2 s
    local a b
    a=$(awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print t, $5 + $6}' /proc/stat); sleep 2
    b=$(awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print t, $5 + $6}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN{split(a, x, " "); split(b, y, " "); t = y[1] - x[1];
        printf "%.0f", ((t > 0) ? ((t - (y[2] - x[2])) / t * 100) : 0)}'
}

REGS=(icegrid floe)
declare -A NAME=([icegrid]="IceGrid" [floe]="Floe")
declare -A PID=() UP=() LOC=() DATA=() RLOG=() DOWNWHY=()
declare -A V=()      # "reg|metric" -> space separated per-run values
declare -A ERRS=()   # "reg|metric" -> total failed calls over runs
declare -A INFO=()   # "reg|key" -> single value (rss, counts, ...)
declare -A PROBE=()  # "reg|op" -> the proxy the lookup returned
ISSUES=()            # human-readable problems, listed in the summary
LOADS=()             # "phase: uptime" lines
OTHERS=()            # per run: % of the machine's CPU used by processes other than the registry and locbench

IG_CLIENT=$BASE_PORT; IG_SERVER=$((BASE_PORT + 1)); IG_INTERNAL=$((BASE_PORT + 2))
FL_CLIENT=$((BASE_PORT + 10)); FL_SERVER=$((BASE_PORT + 11)); FL_HTTP=$((BASE_PORT + 19))
LOC[icegrid]="IceGrid/Locator:tcp -h 127.0.0.1 -p $IG_CLIENT"
LOC[floe]="IceGrid/Locator:tcp -h 127.0.0.1 -p $FL_CLIENT"
DATA[icegrid]="$STATE/icegrid/db"; DATA[floe]="$STATE/floe/db"
RLOG[icegrid]="$STATE/icegrid/log"; RLOG[floe]="$STATE/floe/log"
FLOE_HTTP="http://127.0.0.1:$FL_HTTP"

# ---------------------------------------------------------------- process control
expected_bin() { [ "$1" = icegrid ] && echo icegridregistry || echo "$FLOE"; }
is_ours() { # reg pid: the pid is alive and still runs the binary we started
    kill -0 "$2" 2>/dev/null && tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -qF "$(expected_bin "$1")"
}
stop_reg() {
    local reg=$1 pid=${PID[$1]:-} i
    [ -n "$pid" ] || return 0
    if is_ours "$reg" "$pid"; then
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if is_ours "$reg" "$pid"; then
            ISSUES+=("${NAME[$reg]} did not exit within 10 s of SIGTERM; sent SIGKILL")
            kill -KILL "$pid" 2>/dev/null
        fi
    fi
    wait "$pid" 2>/dev/null
    PID[$reg]=""
}
cleanup() {
    trap - EXIT INT TERM
    local reg
    for reg in "${REGS[@]}"; do stop_reg "$reg"; done
    for reg in "${REGS[@]}"; do [ -f "${RLOG[$reg]}" ] && cp "${RLOG[$reg]}" "$OUT/$reg.log"; done
    if [ "$KEEP" = 1 ]; then echo "registry.sh: data kept in $STATE" >&2; else rm -rf "$STATE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo NaN; }
host_cpu() { awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print t, $5 + $6}' /proc/stat; }
# stat_ticks PID: ST = utime+stime of PID, read with builtins only (no fork)
stat_ticks() {
    local line f
    read -r line <"/proc/$1/stat" 2>/dev/null || return 1
    line=${line##*) }
    read -r -a f <<<"$line"
    ST=$(( f[11] + f[12] ))
}
# psi_totals: "cpu_some_total_us io_some_total_us" from /proc/pressure (empty without PSI)
psi_totals() {
    local c="" i="" l
    [ -r /proc/pressure/cpu ] || return 0
    read -r l </proc/pressure/cpu && c=${l##*total=}
    read -r l </proc/pressure/io && i=${l##*total=}
    echo "$c $i"
}
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null; }
anon_kb() { awk '/^RssAnon:/{print $2}' "/proc/$1/status" 2>/dev/null; }
nthreads() { awk '/^Threads:/{print $2}' "/proc/$1/status" 2>/dev/null; }

mark_down() { # reg why
    UP[$1]=0
    DOWNWHY[$1]="$2"
    ISSUES+=("${NAME[$1]}: $2")
    log "${NAME[$1]} is down: $2"
}
check_alive() {
    local reg=$1
    [ "${UP[$reg]:-0}" = 1 ] || return 1
    if ! kill -0 "${PID[$reg]}" 2>/dev/null; then
        wait "${PID[$reg]}" 2>/dev/null; local rc=$?
        mark_down "$reg" "process exited unexpectedly (status $rc); last log lines: $(tail -5 "${RLOG[$reg]}" 2>/dev/null | tr '\n' ' ')"
        PID[$reg]=""
        return 1
    fi
    return 0
}

start_icegrid() {
    local d="$STATE/icegrid"
    mkdir -p "$d/db"
    cat >"$d/config" <<EOF
IceGrid.InstanceName=IceGrid
IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p $IG_CLIENT
IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p $IG_SERVER
IceGrid.Registry.Internal.Endpoints=tcp -h 127.0.0.1 -p $IG_INTERNAL
IceGrid.Registry.LMDB.Path=$d/db
IceGrid.Registry.DynamicRegistration=1
IceGrid.Registry.PermissionsVerifier=IceGrid/NullPermissionsVerifier
IceGrid.Registry.AdminPermissionsVerifier=IceGrid/NullPermissionsVerifier
IceGrid.Registry.Discovery.Enabled=0
Ice.ProgramName=icegridregistry-bench
Ice.Warn.Connections=0
EOF
    icegridregistry --Ice.Config="$d/config" --nowarn </dev/null >"$d/log" 2>&1 &
    PID[icegrid]=$!
}
start_floe() {
    local d="$STATE/floe"
    mkdir -p "$d/db"
    cat >"$d/config" <<EOF
IceGrid.InstanceName=IceGrid
IceGrid.Registry.Client.Endpoints=tcp -h 127.0.0.1 -p $FL_CLIENT
IceGrid.Registry.Server.Endpoints=tcp -h 127.0.0.1 -p $FL_SERVER
IceGrid.Registry.LMDB.Path=$d/db
IceGrid.Registry.DynamicRegistration=1
Floe.HTTP.Endpoint=127.0.0.1:$FL_HTTP
EOF
    "$FLOE" registry --Ice.Config="$d/config" </dev/null >"$d/log" 2>&1 &
    PID[floe]=$!
}
wait_ready() { # reg port... : every port accepts connections (max 30 s)
    local reg=$1 p ok i; shift
    for i in $(seq 1 300); do
        if ! kill -0 "${PID[$reg]}" 2>/dev/null; then
            wait "${PID[$reg]}" 2>/dev/null; local rc=$?
            PID[$reg]=""
            mark_down "$reg" "failed to start (exit status $rc): $(tail -20 "${RLOG[$reg]}" 2>/dev/null | tr '\n' ' ')"
            return 1
        fi
        ok=1
        for p in "$@"; do port_busy "$p" || ok=0; done
        [ "$ok" = 1 ] && { UP[$reg]=1; return 0; }
        sleep 0.1
    done
    mark_down "$reg" "did not listen on ports $* within 30 s; log: $(tail -20 "${RLOG[$reg]}" 2>/dev/null | tr '\n' ' ')"
    return 1
}

# (MessageSizeMax=0: "adapter list" with 100,000 adapters is larger than Ice's default 1 MB limit)
ig_admin() { timeout 120 icegridadmin --Ice.Default.Locator="${LOC[icegrid]}" --Ice.MessageSizeMax=0 -u bench -p bench "$@" </dev/null 2>&1; }
fl_admin() { timeout 120 "$FLOE" admin --registry "$FLOE_HTTP" "$@" </dev/null 2>&1; }
count_adapters() { # reg -> COUNT = number of adapter ids listed by the registry's own admin tool
    local out rc
    if [ "$1" = icegrid ]; then out=$(ig_admin -e "adapter list"); rc=$?; else out=$(fl_admin -e "adapter list"); rc=$?; fi
    if [ $rc -ne 0 ]; then
        ISSUES+=("${NAME[$1]}: 'adapter list' failed (status $rc): $(echo "$out" | head -3 | tr '\n' ' ')")
        COUNT=NaN; return
    fi
    COUNT=$(echo "$out" | grep -c .)
}

# ---------------------------------------------------------------- one locbench run
# run_bench REG METRIC RUN WARMUP DURATION LIMIT -- locbench args (without -l, -w, -d)
run_bench() {
    local reg=$1 metric=$2 run=$3 w=$4 d=$5 limit=$6; shift 7
    check_alive "$reg" || { echo "reg=$reg metric=$metric run=$run skipped=registry-down" >>"$RUNS_FILE"; return; }
    local pid=${PID[$reg]} raw="$OUT/raw/$metric-$reg-r$run.txt" i
    timeout -k 5 "$limit" "$LOCBENCH" -l "${LOC[$reg]}" -w "$w" -d "$d" "$@" </dev/null >"$raw" 2>&1 &
    local lp=$!
    # locbench prints "op=..." when its workers start; the warm-up begins then (max 60 s)
    for i in $(seq 1 3000); do
        grep -q '^op=' "$raw" 2>/dev/null && break
        kill -0 "$lp" 2>/dev/null || break
        sleep 0.02
    done
    local lb=""
    lb=$(awk '{print $1}' "/proc/$lp/task/$lp/children" 2>/dev/null)
    sleep "$w"
    local c0 h0 c1 h1 rc l0=0 l1=0 lok=0
    c0=$(ticks "$pid"); h0=$(host_cpu); local p0 p1 tw0 tw1
    p0=$(psi_totals); tw0=$(date +%s%N)
    if [ -n "$lb" ] && stat_ticks "$lb"; then
        l0=$ST; l1=$ST; lok=1
        # follow locbench's own CPU until it exits (builtins only; bounded by timeout's limit)
        while kill -0 "$lb" 2>/dev/null; do
            stat_ticks "$lb" && l1=$ST
            sleep 0.2
        done
    fi
    wait "$lp"; rc=$?
    c1=$(ticks "$pid"); h1=$(host_cpu)
    p1=$(psi_totals); tw1=$(date +%s%N)
    local psi
    psi=$(awk -v a="$p0" -v b="$p1" -v t0="$tw0" -v t1="$tw1" 'BEGIN{
        n = split(a, x, " "); split(b, y, " "); w = (t1 - t0) / 1000;
        if (n < 2 || w <= 0) { print "psi_cpu_some_pct=NaN psi_io_some_pct=NaN"; exit }
        printf "psi_cpu_some_pct=%.0f psi_io_some_pct=%.0f", (y[1] - x[1]) / w * 100, (y[2] - x[2]) / w * 100 }')
    local res
    res=$(grep '^RESULT' "$raw" | tail -1)
    kv() { echo "$res" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
    local ok errors ops p50 p99 p999 cpu busy
    ok=$(kv ok); errors=$(kv errors); ops=$(kv ops_per_s); p50=$(kv p50_us); p99=$(kv p99_us); p999=$(kv p999_us)
    local others
    read -r cpu busy others < <(awk -v c0="$c0" -v c1="$c1" -v hz="$HZ" -v ok="${ok:-0}" -v h0="$h0" -v h1="$h1" \
            -v l0="$l0" -v l1="$l1" -v lok="$lok" 'BEGIN{
        split(h0, x, " "); split(h1, y, " ");
        cpu = (ok > 0 && c0 == c0+0 && c1 == c1+0) ? sprintf("%.1f", (c1 - c0) * 1e6 / hz / ok) : "NaN";
        tot = y[1] - x[1]; bt = tot - (y[2] - x[2]);
        busy = tot > 0 ? sprintf("%.0f", bt / tot * 100) : "NaN";
        o = bt - (c1 - c0) - (l1 - l0); if (o < 0) o = 0;
        others = (tot > 0 && lok == 1) ? sprintf("%.0f", o / tot * 100) : "NaN";
        print cpu, busy, others }')
    OTHERS+=("$others")
    [ "$rc" = 124 ] && ISSUES+=("${NAME[$reg]} $metric run $run: locbench killed after ${limit} s (timeout)")
    if [ -z "$res" ]; then
        ISSUES+=("${NAME[$reg]} $metric run $run: no RESULT (locbench status $rc): $(grep -v '^\(probe\|locator\|registry\|getRegistry\|op=\)' "$raw" | head -3 | tr '\n' ' ')")
        ok=""; ops=""; p50=""; p99=""; cpu=""
    elif [ "${errors:-0}" != 0 ] || [ "$rc" != 0 ]; then
        ISSUES+=("${NAME[$reg]} $metric run $run: status $rc, $errors failed calls of $((${ok:-0} + ${errors:-0})): $(grep -E '^error |failed|warning' "$raw" | head -3 | tr '\n' ' ')")
    fi
    V["$reg|$metric|ops"]+=" $ops"; V["$reg|$metric|p50"]+=" $p50"; V["$reg|$metric|p99"]+=" $p99"
    V["$reg|$metric|cpu"]+=" $cpu"; V["$reg|$metric|ok"]+=" $ok"
    ERRS["$reg|$metric"]=$(( ${ERRS["$reg|$metric"]:-0} + ${errors:-0} ))
    echo "reg=$reg metric=$metric run=$run rc=$rc ok=${ok:-NaN} errors=${errors:-NaN} ops_per_s=${ops:-NaN} p50_us=${p50:-NaN} p99_us=${p99:-NaN} p999_us=${p999:-NaN} server_cpu_us_per_op=${cpu:-NaN} server_cpu_s=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}') host_busy_pct=$busy others_busy_pct=$others client_cpu_s=$(awk -v a="$l0" -v b="$l1" -v hz="$HZ" 'BEGIN{printf "%.2f", (b-a)/hz}') $psi load=$(loadavg | tr ' ' ,)" \
        | tee -a "$RUNS_FILE" >&2
    check_alive "$reg" >/dev/null
}

# wait_quiet SECONDS: wait (bounded) until the machine is busy at most IDLE_PCT % over 2 s
QUIET_WAITED=0; QUIET_MISSED=0
wait_quiet() {
    local max=$1 waited=0 b
    [ "$max" -gt 0 ] || return 0
    while :; do
        b=$(busy_pct)
        [ "$b" -le "$IDLE_PCT" ] && break
        if [ "$waited" -ge "$max" ]; then QUIET_MISSED=$((QUIET_MISSED + 1)); break; fi
        sleep 1; waited=$((waited + 3))
    done
    QUIET_WAITED=$((QUIET_WAITED + waited))
}

# alternate REG order for one configuration, RUNS times: A B A B ...
alternate() { # METRIC WARMUP DURATION LIMIT -- args
    local metric=$1 w=$2 d=$3 limit=$4 r reg; shift 5
    for r in $(seq 1 "$RUNS"); do
        wait_quiet "$RUN_WAIT"
        for reg in "${REGS[@]}"; do run_bench "$reg" "$metric" "$r" "$w" "$d" "$limit" -- "$@"; done
    done
}

# ---------------------------------------------------------------- start
{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -srm), $(nproc) cpus, $(awk '/MemTotal/{print $2" kB"}' /proc/meminfo)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "icegridregistry: $(icegridregistry --version 2>&1)"
    echo "floe: $("$FLOE" version 2>&1 | head -1) (bin/floe built $(date -r "$FLOE" '+%F %T'))"
    echo "DURATION=$DURATION RUNS=$RUNS THREADS=\"$THREADS\" WARMUP=$WARMUP ADAPTERS=$ADAPTERS QUICK=$QUICK BASE_PORT=$BASE_PORT WAIT_IDLE=$WAIT_IDLE RUN_WAIT=$RUN_WAIT IDLE_PCT=$IDLE_PCT"
    echo "uptime at start: $(uptime)"
} >>"$LOG"
cat "$LOG" >&2
LOADS+=("script start: $(uptime | sed 's/^ *//')")
[ -n "$STALE" ] && ISSUES+=("bin/floe is older than some sources (e.g. $STALE); measured the existing binary (run make build to measure the current code)")
waited=0
while :; do
    b=$(busy_pct)
    [ "$b" -le "$IDLE_PCT" ] && break
    if [ "$waited" -ge "$WAIT_IDLE" ]; then
        ISSUES+=("the machine was still ${b} % busy with other work after waiting ${WAIT_IDLE} s for it to be quiet; measured anyway")
        break
    fi
    [ "$waited" = 0 ] && log "machine ${b} % busy with other work; waiting up to ${WAIT_IDLE} s for it to drop below ${IDLE_PCT} %"
    sleep 8; waited=$((waited + 10))
done
log "machine busy ${b} % before starting (waited ${waited} s)"
{ echo "busiest processes before starting (machine ${b} % busy):"; busiest; } >>"$LOG"
LOADS+=("measurements start (machine ${b} % busy over 2 s, after waiting ${waited} s): $(uptime | sed 's/^ *//')")

# (checked again: the wait for a quiet machine may have taken minutes)
for p in $(ports_of "$BASE_PORT"); do
    port_busy "$p" && die "port $p on 127.0.0.1 was taken while waiting (set BASE_PORT)"
done

start_icegrid
start_floe
log "started IceGrid pid ${PID[icegrid]} (locator port $IG_CLIENT), Floe pid ${PID[floe]} (locator port $FL_CLIENT, HTTP $FL_HTTP)"
wait_ready icegrid "$IG_CLIENT" "$IG_SERVER"
wait_ready floe "$FL_CLIENT" "$FL_SERVER" "$FL_HTTP"
if [ "${UP[floe]:-0}" = 1 ] && command -v curl >/dev/null 2>&1; then
    h=$(curl -s -m 5 "$FLOE_HTTP/healthz"); [ "$h" = ok ] || ISSUES+=("Floe /healthz answered '$h'")
fi
[ "${UP[icegrid]:-0}" = 1 ] || [ "${UP[floe]:-0}" = 1 ] || die "neither registry started; see $LOG"

sleep 2
for reg in "${REGS[@]}"; do
    check_alive "$reg" || continue
    INFO["$reg|rss_idle"]=$(rss_kb "${PID[$reg]}"); INFO["$reg|anon_idle"]=$(anon_kb "${PID[$reg]}"); INFO["$reg|threads_idle"]=$(nthreads "${PID[$reg]}")
    log "${NAME[$reg]} idle: VmRSS ${INFO[$reg|rss_idle]} kB, ${INFO[$reg|threads_idle]} threads"
done

# ---------------------------------------------------------------- setup: 1 adapter, 1 well-known object
for reg in "${REGS[@]}"; do
    check_alive "$reg" || continue
    out=$(timeout 30 "$LOCBENCH" -l "${LOC[$reg]}" -o register -i BenchAdapter -p "bench:tcp -h 127.0.0.1 -p 9999" 2>&1)
    rc=$?; echo "${NAME[$reg]} register BenchAdapter: $out" >>"$LOG"
    [ $rc -eq 0 ] || ISSUES+=("${NAME[$reg]}: registering BenchAdapter failed (status $rc): $(echo "$out" | tail -2 | tr '\n' ' ')")
    if [ "$reg" = icegrid ]; then
        out=$(ig_admin -e 'object add "BenchObject:tcp -h 127.0.0.1 -p 9998" ::Bench::Hello'); rc=$?
    else
        out=$(fl_admin -e "object add 'BenchObject:tcp -h 127.0.0.1 -p 9998' ::Bench::Hello"); rc=$?
    fi
    echo "${NAME[$reg]} object add BenchObject: status $rc $out" >>"$LOG"
    [ $rc -eq 0 ] || ISSUES+=("${NAME[$reg]}: adding BenchObject failed (status $rc): $(echo "$out" | head -3 | tr '\n' ' ')")
    for probe in "findAdapterById BenchAdapter" "findObjectById BenchObject"; do
        set -- $probe
        out=$(timeout 30 "$LOCBENCH" -l "${LOC[$reg]}" -o "$1" -i "$2" -t 1 -w 0 -d 0.2 2>&1 | grep '^probe')
        echo "${NAME[$reg]} $out" >>"$LOG"
        echo "$out" | grep -q -- '->.*tcp' || ISSUES+=("${NAME[$reg]}: $1($2) does not resolve: $out")
        PROBE["$reg|$1"]=${out#*-> }
    done
    count_adapters "$reg"; INFO["$reg|adapters_1"]=$COUNT
done

for op in findAdapterById findObjectById; do
    a=${PROBE[icegrid|$op]:-}; b=${PROBE[floe|$op]:-}
    if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then
        ISSUES+=("observation: $op answers differ (same registration): IceGrid returns '$a', Floe returns '$b'")
    fi
done

# ---------------------------------------------------------------- lookups
LIMIT_RUN=$(awk -v d="$DURATION" -v w="$WARMUP" 'BEGIN{printf "%d", d + w + 60}')
LOOKUP_THREADS="$THREADS"
case " $THREADS " in *" 4 "*) ;; *) LOOKUP_THREADS="$THREADS 4" ;; esac   # the 1-adapter p99 reference
log "phase lookups (threads: $LOOKUP_THREADS, $RUNS runs, ${DURATION}s each); load $(loadavg)"
LOADS+=("lookups start: $(uptime | sed 's/^ *//')")
for op in findAdapterById findObjectById; do
    [ "$op" = findAdapterById ] && id=BenchAdapter || id=BenchObject
    for t in $LOOKUP_THREADS; do
        [ "$op" = findObjectById ] && [ "$t" = 4 ] && [ "$LOOKUP_THREADS" != "$THREADS" ] && continue
        alternate "$op-t$t" "$WARMUP" "$DURATION" "$LIMIT_RUN" -- -o "$op" -i "$id" -t "$t"
    done
done
LOADS+=("lookups end: $(uptime | sed 's/^ *//')")
{ echo "busiest processes after the lookups:"; busiest; } >>"$LOG"

# ---------------------------------------------------------------- registrations
log "phase registrations (setAdapterDirectProxy, new ids, 4 threads); load $(loadavg)"
for r in $(seq 1 "$RUNS"); do
    wait_quiet "$RUN_WAIT"
    for reg in "${REGS[@]}"; do
        run_bench "$reg" register-t4 "$r" "$WARMUP" "$DURATION" "$LIMIT_RUN" -- \
            -o setAdapterDirectProxy -i "reg$r" -t 4
    done
done
LOADS+=("registrations end: $(uptime | sed 's/^ *//')")

# ---------------------------------------------------------------- fill to ADAPTERS adapters, memory, p99
log "phase fill: register adapters until each registry lists $ADAPTERS; load $(loadavg)"
for reg in "${REGS[@]}"; do
    check_alive "$reg" || continue
    count_adapters "$reg"; have=$COUNT
    INFO["$reg|adapters_before_fill"]=$have
    isint "$have" || have=0
    need=$((ADAPTERS - have))
    if [ "$need" -gt 0 ]; then
        t0=$(date +%s.%N)
        run_bench "$reg" fill 1 0 3600 3700 -- -o setAdapterDirectProxy -i fill -t 4 -n "$need"
        INFO["$reg|fill_s"]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", b-a}')
    fi
    check_alive "$reg" || continue
    count_adapters "$reg"; INFO["$reg|adapters_n"]=$COUNT
    log "${NAME[$reg]} lists ${INFO[$reg|adapters_n]} adapters (had $have, fill took ${INFO[$reg|fill_s]:-0} s)"
done
LOADS+=("fill end: $(uptime | sed 's/^ *//')")
sleep 2
for reg in "${REGS[@]}"; do
    check_alive "$reg" || continue
    INFO["$reg|rss_n"]=$(rss_kb "${PID[$reg]}"); INFO["$reg|anon_n"]=$(anon_kb "${PID[$reg]}"); INFO["$reg|threads_n"]=$(nthreads "${PID[$reg]}")
    INFO["$reg|db_kb"]=$(du -sk "${DATA[$reg]}" | cut -f1)
    log "${NAME[$reg]} with ${INFO[$reg|adapters_n]} adapters: VmRSS ${INFO[$reg|rss_n]} kB (anon ${INFO[$reg|anon_n]} kB), ${INFO[$reg|threads_n]} threads, data ${INFO[$reg|db_kb]} kB"
done
log "phase lookups with $ADAPTERS adapters (findAdapterById BenchAdapter, 4 threads); load $(loadavg)"
alternate "findAdapterById-t4-n" "$WARMUP" "$DURATION" "$LIMIT_RUN" -- -o findAdapterById -i BenchAdapter -t 4
LOADS+=("end: $(uptime | sed 's/^ *//')")
{ echo "busiest processes at the end:"; busiest; } >>"$LOG"

for reg in "${REGS[@]}"; do
    if check_alive "$reg"; then INFO["$reg|rss_end"]=$(rss_kb "${PID[$reg]}"); fi
done
for reg in "${REGS[@]}"; do stop_reg "$reg"; done
for reg in "${REGS[@]}"; do
    [ -f "${RLOG[$reg]}" ] || continue
    cp "${RLOG[$reg]}" "$OUT/$reg.log"
    n=$(grep -ciE 'warn|error|exception|fatal|panic' "${RLOG[$reg]}")
    if [ "$n" -gt 0 ]; then
        ISSUES+=("${NAME[$reg]} log has $n warning/error lines, first ones: $(grep -iE 'warn|error|exception|fatal|panic' "${RLOG[$reg]}" | head -3 | cut -c1-300 | tr '\n' ' ')")
    fi
done

# ---------------------------------------------------------------- summary
median() { # values... (non-numeric ignored) -> median or n/a
    printf '%s\n' "$@" | grep -E '^[0-9]+([.][0-9]+)?$' | sort -g |
        awk '{a[NR]=$1} END{ if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2 }'
}
med() { median ${V["$1"]:-}; }
runs_of() { local s; s=$(echo ${V["$1"]:-} | tr ' ' '/'); echo "${s:-n/a}"; }
fmt() { # value kind -> formatted
    case "$1" in n/a|NaN|'') echo "n/a"; return ;; esac
    case "$2" in
        int) awk -v v="$1" 'BEGIN{printf "%.0f", v}' ;;
        us) awk -v v="$1" 'BEGIN{printf "%.1f", v}' ;;
        mb) awk -v v="$1" 'BEGIN{printf "%.1f", v / 1024}' ;;
        *) echo "$1" ;;
    esac
}
ratio() { # a b -> b/a with 2 decimals, or n/a
    case "$1$2" in *n/a*|*NaN*) echo n/a; return ;; esac
    awk -v a="$1" -v b="$2" 'BEGIN{ if (a + 0 == 0) print "n/a"; else printf "%.2f", b / a }'
}
verdict() { # ratio ge|le limit -> PASS/FAIL/n/a
    [ "$1" = n/a ] && { echo "n/a"; return; }
    awk -v r="$1" -v op="$2" -v l="$3" 'BEGIN{ ok = (op == "ge") ? (r >= l) : (r <= l); print ok ? "PASS" : "FAIL" }'
}
errnote() { # metric -> " (N errors)" when any run had failed calls
    local e1=${ERRS["icegrid|$1"]:-0} e2=${ERRS["floe|$1"]:-0} s=""
    [ "$e1" != 0 ] && s="IceGrid $e1 failed calls"
    [ "$e2" != 0 ] && s="${s:+$s, }Floe $e2 failed calls"
    [ -n "$s" ] && echo " ($s)"
}
TABLE=()
npass=0; nfail=0; nna=0
count_verdict() {
    case "$1" in PASS) npass=$((npass + 1)) ;; FAIL) nfail=$((nfail + 1)) ;; *) nna=$((nna + 1)) ;; esac
}
row() { # label metric-key kind target-op target-limit target-text
    local label=$1 key=$2 kind=$3 top=$4 tlim=$5 ttxt=$6
    local a b r v
    a=$(med "icegrid|$key"); b=$(med "floe|$key"); r=$(ratio "$a" "$b")
    if [ -n "$top" ]; then v=$(verdict "$r" "$top" "$tlim"); count_verdict "$v"; else v=""; ttxt="—"; fi
    local metric=${key%|*}
    TABLE+=("| $label | $(fmt "$a" "$kind") | $(fmt "$b" "$kind") | $r | $ttxt | $v$(errnote "$metric") | $(runs_of "icegrid|$key") | $(runs_of "floe|$key") |")
}
inforow() { # label key kind
    local a=${INFO["icegrid|$2"]:-n/a} b=${INFO["floe|$2"]:-n/a}
    TABLE+=("| $1 | $(fmt "$a" "$3") | $(fmt "$b" "$3") | $(ratio "$a" "$b") | — |  |  |  |")
}

TABLE+=("| metric | IceGrid | Floe | Floe/IceGrid | target (Floe/IceGrid) | result | IceGrid runs | Floe runs |")
TABLE+=("|---|---|---|---|---|---|---|---|")
for op in findAdapterById findObjectById; do
    for t in $THREADS; do
        m="$op-t$t"
        if [ "$t" = 4 ] || [ "$t" = 16 ]; then
            row "$op $t conn: ops/s" "$m|ops" int ge 1.5 "≥ 1.50"
        else
            row "$op $t conn: ops/s" "$m|ops" int "" "" ""
        fi
        row "$op $t conn: p50 µs" "$m|p50" us "" "" ""
        row "$op $t conn: p99 µs" "$m|p99" us le 1.0 "≤ 1.00"
        row "$op $t conn: server CPU µs/lookup" "$m|cpu" us le 0.3333 "≤ 0.33"
    done
done
row "registrations/s (setAdapterDirectProxy, new ids, 4 threads, fsync each)" "register-t4|ops" int "" "" ""
row "registration p99 µs (4 threads)" "register-t4|p99" us "" "" ""
row "server CPU µs/registration" "register-t4|cpu" us "" "" ""
row "bulk fill: registrations/s (4 threads, -n)" "fill|ops" int "" "" ""
inforow "RSS idle (MB)" rss_idle mb
inforow "  of which anonymous (RssAnon, MB)" anon_idle mb
inforow "adapters listed during the 1-adapter lookups" adapters_1 int
inforow "adapters listed before fill" adapters_before_fill int
inforow "adapters listed after fill" adapters_n int
inforow "RSS with the adapters registered (MB)" rss_n mb
inforow "  of which anonymous (RssAnon, MB; the rest is mostly the mmap'ed store)" anon_n mb
inforow "data directory with the adapters (MB)" db_kb mb
row "findAdapterById 4 conn p99 µs, 1 adapter" "findAdapterById-t4|p99" us "" "" ""
row "findAdapterById 4 conn p99 µs, $ADAPTERS adapters" "findAdapterById-t4-n|p99" us "" "" ""
row "findAdapterById 4 conn ops/s, $ADAPTERS adapters" "findAdapterById-t4-n|ops" int "" "" ""
# scaling: each registry's own N-adapter p99 / 1-adapter p99; the target is on Floe's
sc_ig=$(ratio "$(med "icegrid|findAdapterById-t4|p99")" "$(med "icegrid|findAdapterById-t4-n|p99")")
sc_fl=$(ratio "$(med "floe|findAdapterById-t4|p99")" "$(med "floe|findAdapterById-t4-n|p99")")
sc_v=$(verdict "$sc_fl" le 1.2); count_verdict "$sc_v"
TABLE+=("| p99 with $ADAPTERS adapters / p99 with 1 adapter (each registry's own) | $sc_ig | $sc_fl | $(ratio "$sc_ig" "$sc_fl") | Floe's own ≤ 1.20 | $sc_v |  |  |")

SUMMARY="$OUT/summary.md"
{
    echo "# Floe vs IceGrid 3.7 — standalone registry benchmark"
    echo
    echo '```'
    head -7 "$LOG"
    echo '```'
    echo
    echo "One standalone icegridregistry and one standalone floe registry ran side by side on 127.0.0.1 with"
    echo "dynamic registration and their own temporary data directories; each configuration was run"
    echo "alternately (IceGrid, Floe, IceGrid, Floe, ...), $RUNS run(s) of ${DURATION} s (+${WARMUP} s warm-up) each;"
    echo "values are medians over runs (per-run values in the last two columns, all details in runs.txt)."
    echo "N conn = N locbench threads, each on its own connection. Lookups resolve BenchAdapter (1 adapter"
    echo "registered) and the well-known object BenchObject. Server CPU = registry process utime+stime over the"
    echo "measured window / completed calls. Registrations are fsynced by both (IceGrid: LMDB commit; Floe: bbolt"
    echo "commit, group-committed). The last rows register adapters until each registry lists $ADAPTERS."
    echo
    printf '%s\n' "${TABLE[@]}"
    echo
    echo "Targets: $npass PASS, $nfail FAIL, $nna n/a."
    others_med=$(printf '%s\n' "${OTHERS[@]}" | grep -E '^[0-9]+$' | sort -n | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]}')
    if [ -n "$others_med" ] && [ "$others_med" -gt 25 ]; then
        echo
        echo "**Warning: other processes used a median ${others_med} % of the machine during the measured windows"
        echo "(see Machine load); these numbers are distorted by that contention. Rerun on a quiet machine.**"
    fi
    echo
    echo "## Machine load"
    echo
    for l in "${LOADS[@]}"; do echo "- $l"; done
    echo "- CPU used by processes other than the measured registry and locbench, as % of the whole machine"
    echo "  ($(nproc) cpus), per measured window: $(printf '%s\n' "${OTHERS[@]}" | grep -E '^[0-9]+$' | sort -n |
        awk '{a[NR]=$1; if ($1 > 25) hi++} END{ if (NR == 0) print "n/a"; else printf "median %s %%, max %s %%, %d of %d windows above 25 %%", a[int((NR+1)/2)], a[NR], hi, NR }')"
    [ "$RUN_WAIT" -gt 0 ] && echo "- RUN_WAIT=$RUN_WAIT: waited ${QUIET_WAITED} s in total for quiet moments before pairs of runs; $QUIET_MISSED pair(s) started while the machine was still busy above ${IDLE_PCT} %"
    echo "- busiest processes (top) before, during and after: see bench.log"
    echo
    echo "## Errors, timeouts and warnings"
    echo
    if [ ${#ISSUES[@]} -eq 0 ]; then echo "none"; else for l in "${ISSUES[@]}"; do echo "- $l"; done; fi
    echo
    echo "Files: runs.txt (one line per locbench run), raw/ (locbench outputs), icegrid.log, floe.log, bench.log."
} >"$SUMMARY"
log "done: $SUMMARY"
cat "$SUMMARY"
