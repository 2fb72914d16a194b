#!/usr/bin/env bash
# demo-ha.sh — a local high-availability grid in one command: a 3-server ZooKeeper ensemble
# (Debian's jars) and 3 floe registry replicas on 127.0.0.1, roles printed. Ctrl-C stops
# everything this script started (by PID).
#
#   client endpoints (locators): 4061, 4062, 4063   HTTP API: 4081, 4082, 4083
#   ZooKeeper clients: 2181, 2182, 2183              state: $DIR (default: a new temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-$(mktemp -d /tmp/floe-demo-ha.XXXXXX)}
BIN=${BIN:-bin/floe}
[ -x "$BIN" ] || make build >/dev/null
CP=$(ls /usr/share/java/zookeeper*.jar 2>/dev/null | tr '\n' ':') || true
[ -n "$CP" ] || { echo "ZooKeeper jars not found: apt-get install zookeeper" >&2; exit 1; }
PIDS=()
stop() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
trap stop EXIT
trap 'exit 130' INT TERM

for i in 1 2 3; do
  d="$DIR/zk$i"; mkdir -p "$d/data"; echo "$i" >"$d/data/myid"
  cat >"$d/zoo.cfg" <<CFG
tickTime=200
initLimit=10
syncLimit=5
dataDir=$d/data
clientPort=218$i
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=*
minSessionTimeout=400
standaloneEnabled=false
server.1=127.0.0.1:2888:3888
server.2=127.0.0.1:2889:3889
server.3=127.0.0.1:2890:3890
CFG
  java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$d/zoo.cfg" \
    >"$d/log" 2>&1 &
  PIDS+=("$!")
done
echo "ZooKeeper starting (pids ${PIDS[*]})…"
for i in 1 2 3; do
  for _ in $(seq 1 150); do
    if (exec 3<>/dev/tcp/127.0.0.1/218$i && echo ruok >&3 && timeout 1 cat <&3 | grep -q imok) 2>/dev/null; then break; fi
    sleep 0.2
  done
done
for i in 1 2 3; do
  "$BIN" registry --IceGrid.Registry.ReplicaName="replica$i" \
    --IceGrid.Registry.Client.Endpoints="tcp -h 127.0.0.1 -p 406$i" \
    --IceGrid.Registry.LMDB.Path="$DIR/replica$i" --IceGrid.Registry.DynamicRegistration=1 \
    --Floe.HTTP.Endpoint="127.0.0.1:408$i" --Floe.ZooKeeper.Hosts=127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183 \
    --Floe.ZooKeeper.SessionTimeout=4000 >"$DIR/replica$i.log" 2>&1 &
  PIDS+=("$!")
  echo "replica$i: pid $!, locator tcp -h 127.0.0.1 -p 406$i, HTTP 127.0.0.1:408$i"
done
for i in 1 2 3; do
  for _ in $(seq 1 100); do curl -sf "127.0.0.1:408$i/healthz" >/dev/null && break; sleep 0.1; done
done
sleep 1
echo "Replicas (logs in $DIR):"
"$BIN" admin --registry http://127.0.0.1:4081 -e "registry list" | while read -r name; do
  "$BIN" admin --registry http://127.0.0.1:4081 -e "registry describe $name" | tr '\n' ' '; echo
done
cat <<'TXT'

Clients use all three locators:  Ice.Default.Locator=IceGrid/Locator:tcp -h 127.0.0.1 -p 4061:tcp -h 127.0.0.1 -p 4062:tcp -h 127.0.0.1 -p 4063
Watch roles:   bin/floe admin --registry http://127.0.0.1:4082 -e "registry list"   (or curl 127.0.0.1:4082/api/v1/registries)
Fail over:     kill -9 the master's pid (listed above), then watch another replica become master
Press Ctrl-C to stop everything.
TXT
while true; do sleep 3600; done
