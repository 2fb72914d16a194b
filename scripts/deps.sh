#!/usr/bin/env bash
# Installs the Debian packages Floe's tests need, when missing: real Ice 3.7 peers (Python,
# C++ tools, icegridregistry/icegridadmin) and ZooKeeper. Runs apt-get update at most once.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for pkg in python3-zeroc-ice zeroc-icegrid zeroc-ice-utils zeroc-ice-compilers libzeroc-ice-dev zookeeper g++; do
  have "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
