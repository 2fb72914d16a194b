#!/usr/bin/env bash
# bench/activation/run.sh - on-demand activation latency, Floe vs the real IceGrid 3.7.8, in one run.
#
# First call on an inactive on-demand server -> reply, for (a) the ice-demos Python server.py and
# (b) the Go hello server (examples/hello/server), each deployed on a collocated registry+node built
# from the demo's config.grid: icegridnode (IceGrid 3.7.8) and bin/floe registry, side by side on
# 127.0.0.1, alternating trial by trial. Prints p50/p99, Floe/IceGrid and PASS/FAIL (Floe p50 <=
# IceGrid p50 for the same server) plus a per-step breakdown from a loopback capture, and saves
# them to bench/results/<timestamp>/activation.md (with trials.csv, the grids' logs, packets.txt).
# The method is described at the top of activation_bench.py.
#
# Environment:
#   TRIALS     timed activations per grid and server kind (default 30)
#   WARMUP     untimed rounds first (default 1)
#   SETTLE     seconds between "server is Inactive" and the next trial (default 0.3)
#   BASE_PORT  IceGrid BASE..BASE+3, Floe BASE+10, BASE+11 and BASE+19 for HTTP (default 25161)
#   TRACE=0    no loopback capture (no breakdown)
#   WAIT_IDLE  wait up to this many seconds for the machine to be < 50 % busy first (default 0)
#   NICE       run everything (both grids, their servers, the client) at this niceness, e.g. -10 on
#              a shared machine; both grids get the same priority (default: unchanged)
#   OUT        result directory (default bench/results/<timestamp>)
#   KEEP=1     keep the grids' temporary directories
#   STRICT=1   exit 1 when a server kind FAILs the target (default: report it and exit 0, so that
#              `make bench` goes on with the next benchmark)
# Exit status: 2 on a setup or measurement error.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3

die() { echo "activation/run.sh: $*" >&2; exit 2; }
for b in icegridnode icegridadmin go; do
    command -v "$b" >/dev/null 2>&1 || die "missing $b (apt-get install -y zeroc-icegrid zeroc-ice-utils; Go 1.26)"
done
"$PY" -c 'import Ice, IceGrid' 2>/dev/null || die "$PY cannot import Ice (apt-get install -y python3-zeroc-ice)"
[ -x "$ROOT/bin/floe" ] || make -C "$ROOT" build >&2 || die "make build failed"

BUILD=$(mktemp -d /tmp/floe-actbench-bin.XXXXXX) || die "mktemp failed"
chmod 755 "$BUILD"   # icegridnode runs its servers as nobody
trap 'rm -rf "$BUILD"' EXIT
(cd "$ROOT" && go build -o "$BUILD/server" ./examples/hello/server) || die "go build ./examples/hello/server failed"

ARGS=(--trials "${TRIALS:-30}" --warmup "${WARMUP:-1}" --settle "${SETTLE:-0.3}"
      --base-port "${BASE_PORT:-25161}" --trace "${TRACE:-1}" --wait-idle "${WAIT_IDLE:-0}"
      --floe "$ROOT/bin/floe" --go-server "$BUILD/server")
[ -n "${OUT:-}" ] && ARGS+=(--out "$OUT")
[ "${KEEP:-0}" = 1 ] && ARGS+=(--keep)
PRE=()
[ -n "${NICE:-}" ] && PRE=(nice -n "$NICE")
rc=0
"${PRE[@]}" "$PY" "$HERE/activation_bench.py" "${ARGS[@]}" || rc=$?
[ "$rc" = 1 ] && [ "${STRICT:-0}" != 1 ] && rc=0
exit "$rc"
