#!/usr/bin/env bash
# Start a real js-ipfs 0.66.1 daemon (Kubo-compatible RPC API + path gateway) on 127.0.0.1 for tests.
# Adapted from shared/tools/ipfs-test-node/start.sh:
#  - the npm install lives in one cache dir shared by every instance (CROPDATA_IPFS_NODE_DIR), guarded by
#    flock so that concurrent starts (test fixture + .ci/run) do not install twice into the same folder;
#  - each instance has its own repo dir (IPFS_TEST_DIR), and its ports are rewritten into the repo config on
#    every start, so a repo initialised with other ports can be reused;
#  - on success it prints shell assignments CROPDATA_IPFS_API=... CROPDATA_IPFS_GATEWAY=... CROPDATA_IPFS_PID=...
#    (eval-able by .ci/run); the daemon keeps running, stop it with stop.sh or `kill -INT <pid>`.
# Env: IPFS_TEST_DIR (default /tmp/cropdata-ipfs-run), IPFS_API_PORT (5011), IPFS_GW_PORT (8091),
#      IPFS_SWARM_PORT (4012), IPFS_GRPC_PORT (5013), CROPDATA_IPFS_NODE_DIR (default /tmp/cropdata-ipfs-node),
#      NPM_EXTRA (extra npm arguments).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
M=${CROPDATA_IPFS_NODE_DIR:-/tmp/cropdata-ipfs-node}
D=${IPFS_TEST_DIR:-/tmp/cropdata-ipfs-run}
API_PORT=${IPFS_API_PORT:-5011}
GW_PORT=${IPFS_GW_PORT:-8091}
SWARM_PORT=${IPFS_SWARM_PORT:-4012}
GRPC_PORT=${IPFS_GRPC_PORT:-5013}
mkdir -p "$M" "$D"

command -v node >/dev/null || { echo "ipfs-test-node: node (>= 18) is not installed" >&2; exit 2; }
command -v npm >/dev/null || { echo "ipfs-test-node: npm is not installed" >&2; exit 2; }

# js-ipfs 0.66.1 only starts with these five transitive dependencies pinned (later releases broke it).
PKG='{
  "private": true,
  "dependencies": { "ipfs": "0.66.1" },
  "overrides": {
    "@libp2p/tcp": "6.1.2",
    "@libp2p/websockets": "5.0.5",
    "@multiformats/mafmt": "11.1.0",
    "@multiformats/multiaddr": "11.6.1",
    "mortice": "3.0.1"
  }
}'
STAMP=$( { echo "$PKG"; cat "$HERE/package-lock.json"; } | sha256sum | cut -c1-64)

(
  flock 9
  if [ "$(cat "$M/.installed" 2>/dev/null || true)" != "$STAMP" ] || [ ! -f "$M/node_modules/ipfs/src/cli.js" ]; then
    echo "ipfs-test-node: installing js-ipfs 0.66.1 into $M (takes 90-190 s with an empty npm cache)" >&2
    rm -rf "$M/node_modules" "$M/.installed"
    echo "$PKG" > "$M/package.json"
    cp "$HERE/package-lock.json" "$M/package-lock.json"
    # Not `npm ci`: the lock predates the overrides, so npm ci rejects it as out of sync; npm install keeps every
    # locked version that the overrides allow.
    (cd "$M" && npm install --no-audit --no-fund ${NPM_EXTRA:-} >&2) || {
      echo "ipfs-test-node: npm install of js-ipfs 0.66.1 into $M failed (is the npm registry reachable?)" >&2; exit 3; }
    echo "$STAMP" > "$M/.installed"
  fi
) 9>"$M/.install.lock"

export IPFS_PATH="$D/repo"
J="node $M/node_modules/ipfs/src/cli.js"
if [ ! -f "$IPFS_PATH/config" ]; then
  # 'test' profile: no bootstrap peers, no MDNS, no NAT port mapping; everything on 127.0.0.1
  echo '{}' > "$D/init-config.json"
  $J init --profile=test --emptyRepo "$D/init-config.json" >/dev/null
fi
# Ports are (re)written on every start so a reused repo dir follows the ports asked for now.
node -e '
  const fs = require("fs"); const f = process.argv[1]; const c = JSON.parse(fs.readFileSync(f, "utf8"));
  const [api, gw, rpc, swarm] = process.argv.slice(2);
  c.Addresses = Object.assign(c.Addresses || {}, {
    API: `/ip4/127.0.0.1/tcp/${api}`, Gateway: `/ip4/127.0.0.1/tcp/${gw}`,
    RPC: `/ip4/127.0.0.1/tcp/${rpc}`, Swarm: [`/ip4/127.0.0.1/tcp/${swarm}`], Announce: [], NoAnnounce: [] });
  c.Bootstrap = [];
  fs.writeFileSync(f, JSON.stringify(c, null, 2));
' "$IPFS_PATH/config" "$API_PORT" "$GW_PORT" "$GRPC_PORT" "$SWARM_PORT"
if [ -f "$D/daemon.pid" ] && kill -0 "$(cat "$D/daemon.pid")" 2>/dev/null; then
  echo "ipfs-test-node: a daemon (pid $(cat "$D/daemon.pid")) already runs on $D; stop it first (stop.sh)" >&2; exit 4
fi
# A daemon that was killed hard leaves its lock and api file behind; no daemon runs here (checked above).
rm -rf "$IPFS_PATH/api" "$IPFS_PATH/repo.lock"

$J daemon > "$D/daemon.log" 2>&1 &
PID=$!
echo $PID > "$D/daemon.pid"
for i in $(seq 1 300); do
  if grep -q 'Daemon is ready' "$D/daemon.log"; then
    echo "CROPDATA_IPFS_API=http://127.0.0.1:$API_PORT"
    echo "CROPDATA_IPFS_GATEWAY=http://127.0.0.1:$GW_PORT"
    echo "CROPDATA_IPFS_PID=$PID"
    exit 0
  fi
  kill -0 $PID 2>/dev/null || break
  sleep 0.2
done
echo "ipfs-test-node: daemon did not become ready; log $D/daemon.log:" >&2
cat "$D/daemon.log" >&2
kill -INT $PID 2>/dev/null || true
exit 1
