#!/usr/bin/env bash
# Stop the daemon that start.sh started in IPFS_TEST_DIR (default /tmp/cropdata-ipfs-run).
set -uo pipefail
D=${IPFS_TEST_DIR:-/tmp/cropdata-ipfs-run}
[ -f "$D/daemon.pid" ] || exit 0
PID=$(cat "$D/daemon.pid")
kill -INT "$PID" 2>/dev/null || { rm -f "$D/daemon.pid"; exit 0; }
for i in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
rm -f "$D/daemon.pid"
exit 0
