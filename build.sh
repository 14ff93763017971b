#!/usr/bin/env bash
# Bootstrapper: checks the .NET SDK and GDAL (installs GDAL with apt when run as root), builds the task host
# and runs it with the arguments given. `./build.sh --target=test` runs the test suite instead.
#   ./build.sh                      build the embedded sample dataset end to end (offline)
#   ./build.sh --target=test        run every test; prints "N passed, N failed" last
#   ./build.sh --description        list the targets
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '%s\n' "$*" >&2; }

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    say "The .NET 10 SDK is required and was not found on PATH."
    say "Install it: https://learn.microsoft.com/dotnet/core/install/linux (Debian: the packages.microsoft.com"
    say "'dotnet-sdk-10.0' package, or ./dotnet-install.sh --channel 10.0), then rerun ./build.sh."
    exit 3
  fi
  local major; major="$(dotnet --version 2>/dev/null | cut -d. -f1)"
  if [ "${major:-0}" -lt 10 ]; then
    say "The .NET SDK $(dotnet --version) is too old: .NET 10 or newer is required."; exit 3
  fi
}

have_gdal() {
  [ -n "${CROPDATA_GDAL_LIBRARY:-}" ] && [ -e "$CROPDATA_GDAL_LIBRARY" ] && return 0
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -E 'libgdal\.so\.(3[2-9]|[4-9][0-9])' >/dev/null; then return 0; fi  # not -q: see .ci/run
  ls /usr/lib/*/libgdal.so.3[2-9]* /usr/lib/libgdal.so.3[2-9]* /usr/local/lib/libgdal.so* /opt/homebrew/lib/libgdal.dylib >/dev/null 2>&1
}

need_gdal() {
  have_gdal && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "GDAL not found: installing libgdal32 and gdal-bin with apt-get ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgdal32 gdal-bin >/dev/null
    have_gdal && return 0
  fi
  say "GDAL >= 3.6 (the C library) is required and was not found."
  say "Install it:  sudo apt-get install -y libgdal32 gdal-bin    (Debian 12 / Ubuntu 24.04)"
  say "        or:  brew install gdal                            (macOS)"
  say "or point CROPDATA_GDAL_LIBRARY at your libgdal shared library."
  exit 3
}

have_chromium() {
  [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1
}

# `dotnet build` with one compiler server for all the projects of the build (Roslyn started once, not once per
# project: a third less compile time for the test suite's ten projects, even where the environment turns it off with
# UseSharedCompilation=false), shut down afterwards so that no process outlives the script.
compile() {
  local rc=0
  dotnet build "$@" -c Release --nologo -v quiet -clp:ErrorsOnly -p:UseSharedCompilation=true || rc=$?
  dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1 || true
  return $rc
}

# The test suite's system dependencies, installed the way GDAL is: apt when root, otherwise the exact command.
# Chromium drives the AOI picker test; node + npm run the real IPFS node (tools/ipfs-test-node, npm install);
# the system Python with rasterio and pandas loads the Hugging Face export as TerraTorch does (tools/loader-check).
have_py_loader() { /usr/bin/python3 -c 'import rasterio, pandas, numpy' >/dev/null 2>&1; }
need_test_deps() {
  local missing=()
  have_chromium || missing+=(chromium)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  have_py_loader || missing+=(python3-rasterio python3-pandas python3-numpy)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "test dependencies not found: installing ${missing[*]} with apt-get ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    have_chromium && command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && have_py_loader && return 0
  fi
  say "The test suite needs: ${missing[*]}."
  say "Install them:  sudo apt-get install -y ${missing[*]}    (Debian 12 / Ubuntu 24.04)"
  say "(or set CHROMIUM=/path/to/chrome for the AOI picker test)"
  exit 3
}

# One js-ipfs node for the whole run (tools/ipfs-test-node), started while the suite compiles and shared by every
# lane's IPFS, download and range tests, stopped when the script exits. Skipped when CROPDATA_IPFS_API names a node
# already; if it cannot start, each test project's fixture starts its own and says why.
start_ipfs_node() {
  [ -z "${CROPDATA_IPFS_API:-}" ] || return 0
  local results="$1" ports
  # Four free loopback ports (API, gateway, RPC, swarm), as the fixtures pick theirs.
  ports="$(node -e 'const net = require("net"); const got = [];
    const next = () => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { got.push(s.address().port);
      s.close(() => got.length < 4 ? next() : console.log(got.join(" "))); }); };
    next();' 2>/dev/null)" || return 0
  set -- $ports
  IPFS_TEST_DIR="$results/ipfs-node" IPFS_API_PORT=$1 IPFS_GW_PORT=$2 IPFS_GRPC_PORT=$3 IPFS_SWARM_PORT=$4 \
    bash "$ROOT/tools/ipfs-test-node/start.sh" >"$results/ipfs-node.env" 2>"$results/ipfs-node.log" || rm -f "$results/ipfs-node.env"
}
use_ipfs_node() {
  local env_file="$1/ipfs-node.env"
  [ -s "$env_file" ] || return 0
  # shellcheck disable=SC1090
  . "$env_file"
  export CROPDATA_IPFS_API CROPDATA_IPFS_GATEWAY
}

# The suite: one compile, then three lanes side by side: the end-to-end project (CropData.Build.Tests, real builds
# of the sample), the cluster project (CropData.Cluster.Tests: a real one-node Slurm, which waits on its scheduler
# about half of its minute, so its waits overlap the others' work) and the eight library projects
# (CropData.LibraryTests.slnf) in one run. Each lane runs the compiled test assemblies: `dotnet test` on a project or
# solution evaluates it with MSBuild and starts a test console per project first, which cost the library lane a
# fifth of its CPU time. The machine's cores stay busy until the end.
test_dll() { echo "$ROOT/tests/$1/bin/Release/net10.0/$1.dll"; }
run_tests() {
  local results="$ROOT/TestResults"
  rm -rf "$results"
  local rc=0 rc_lane=0 lane
  mkdir -p "$results"
  trap 'IPFS_TEST_DIR="$ROOT/TestResults/ipfs-node" bash "$ROOT/tools/ipfs-test-node/stop.sh" >/dev/null 2>&1' EXIT
  start_ipfs_node "$results" &
  local node_start=$!
  compile "$ROOT/CropData.sln" || { wait "$node_start"; say "the build failed"; echo "0 passed, 1 failed, 0 skipped"; return 1; }
  touch "$BUILT_STAMP" # the solution holds the host: a later ./build.sh need not build it again
  wait "$node_start"
  use_ipfs_node "$results"
  local lanes=() library=() project
  for project in CropData.Build.Tests CropData.Cluster.Tests; do
    dotnet test "$(test_dll "$project")" --nologo \
      --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" >"$results/$project.log" 2>&1 &
    lanes+=($!)
  done
  for project in $(sed -n 's/.*"tests\\\\\(CropData\.[A-Za-z]*\.Tests\)\\\\.*/\1/p' "$ROOT/CropData.LibraryTests.slnf"); do
    library+=("$(test_dll "$project")")
  done
  [ "${#library[@]}" -gt 0 ] || { say "CropData.LibraryTests.slnf names no test project"; echo "0 passed, 1 failed, 0 skipped"; return 1; }
  dotnet test "${library[@]}" --nologo \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@" || rc=$?
  for lane in "${lanes[@]}"; do wait "$lane" || rc_lane=$?; done
  cat "$results/CropData.Build.Tests.log" "$results/CropData.Cluster.Tests.log"
  [ "$rc" -ne 0 ] || rc=$rc_lane
  # dotnet test prints no summary line CI understands: add up the TRX counters.
  local passed=0 failed=0 skipped=0 f counters
  for f in "$results"/*.trx; do
    [ -e "$f" ] || continue
    counters="$(grep -o '<Counters [^>]*>' "$f" | head -1)"
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
    q=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${q:-0}))
    s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${s:-0}))
  done
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; say "dotnet test failed (exit $rc) before reporting failures"; fi
  echo "$passed passed, $failed failed, $skipped skipped"
  return $rc
}

HOST_DLL="$ROOT/build/bin/Release/net10.0/cropdata.dll"
BUILT_STAMP="$ROOT/build/bin/.host-built"

need_dotnet
need_gdal

target=""
for a in "$@"; do case "$a" in --target=*) target="${a#--target=}";; esac; done
if [ "$target" = "test" ]; then
  args=(); for a in "$@"; do [ "$a" = "--target=test" ] || args+=("$a"); done
  need_test_deps
  run_tests "${args[@]+"${args[@]}"}"
  exit $?
fi

# Fast path: no `dotnet build` (4-9 s even when nothing changed) while the host was built after every file it is
# built from was last changed. The stamp is touched after each successful build (MSBuild leaves an up-to-date dll's
# mtime alone, so the dll itself cannot serve).
host_is_current() {
  [ -f "$HOST_DLL" ] && [ -f "$BUILT_STAMP" ] || return 1
  local newer
  newer="$(find "$ROOT/build" "$ROOT/src" \( -name bin -o -name obj \) -prune -o \
             \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.json' -o -name '*.html' -o -name '*.js' \) \
             -newer "$BUILT_STAMP" -print -quit 2>/dev/null)"
  [ -z "$newer" ] && [ ! "$ROOT/Directory.Build.props" -nt "$BUILT_STAMP" ]
}
if ! host_is_current; then
  if ! compile "$ROOT/build/Build.csproj" >"$ROOT/build/.last-build.log" 2>&1; then
    cat "$ROOT/build/.last-build.log" >&2
    say "Building the task host failed (log above)."
    exit 3
  fi
  touch "$BUILT_STAMP"
fi
exec dotnet "$HOST_DLL" "$@"
