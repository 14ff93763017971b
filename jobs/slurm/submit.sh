#!/usr/bin/env bash
# Submits a sharded build to Slurm: an array of N shard jobs, then the merge once all of them succeeded.
# Run it on a login node from anywhere inside a checkout that sits on the shared file system:
#   jobs/slurm/submit.sh 16
#   jobs/slurm/submit.sh 16 --partition=short --account=geo --shard-cpus=4 --shard-mem=8G --shard-time=04:00:00
# Options (or the environment variable in brackets; an option wins), passed to sbatch, overriding the #SBATCH lines:
#   --partition=P [CROPDATA_PARTITION]  --account=A [CROPDATA_ACCOUNT]  --qos=Q [CROPDATA_QOS]
#   --shard-cpus=N [CROPDATA_SHARD_CPUS, 8]  --shard-mem=M [CROPDATA_SHARD_MEM, 16G]  --shard-time=T [CROPDATA_SHARD_TIME, 24:00:00]
#   --merge-cpus=N [CROPDATA_MERGE_CPUS, 4]  --merge-mem=M [CROPDATA_MERGE_MEM, 16G]  --merge-time=T [CROPDATA_MERGE_TIME, 06:00:00]
# Environment: CROPDATA_CONFIG (default config/conus.yaml), CROPDATA_WORK (default <repo>/datasets/sharded: must be
# on the shared file system), EARTHDATA_TOKEN (read by the shards' CMR search; exported to the jobs).
set -euo pipefail
N="${1:-16}"
case "$N" in ''|*[!0-9]*) echo "usage: $0 N [options]: N is the number of shards, got '$N'" >&2; exit 2;; esac
shift || true
partition="${CROPDATA_PARTITION:-}" account="${CROPDATA_ACCOUNT:-}" qos="${CROPDATA_QOS:-}"
shard_cpus="${CROPDATA_SHARD_CPUS:-8}" shard_mem="${CROPDATA_SHARD_MEM:-16G}" shard_time="${CROPDATA_SHARD_TIME:-24:00:00}"
merge_cpus="${CROPDATA_MERGE_CPUS:-4}" merge_mem="${CROPDATA_MERGE_MEM:-16G}" merge_time="${CROPDATA_MERGE_TIME:-06:00:00}"
for a in "$@"; do
  case "$a" in
    --partition=*) partition="${a#*=}";; --account=*) account="${a#*=}";; --qos=*) qos="${a#*=}";;
    --shard-cpus=*) shard_cpus="${a#*=}";; --shard-mem=*) shard_mem="${a#*=}";; --shard-time=*) shard_time="${a#*=}";;
    --merge-cpus=*) merge_cpus="${a#*=}";; --merge-mem=*) merge_mem="${a#*=}";; --merge-time=*) merge_time="${a#*=}";;
    *) echo "$0: unknown option '$a' (see the header of this script)" >&2; exit 2;;
  esac
done
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CROPDATA_CONFIG="${CROPDATA_CONFIG:-config/conus.yaml}"
export CROPDATA_WORK="${CROPDATA_WORK:-$PWD/datasets/sharded}"
export CROPDATA_SHARDS="$N"
mkdir -p "$CROPDATA_WORK/logs"

# Build the task host and fetch the pinned inputs the config reads once, here (nothing for a config that reads only
# committed files): N array tasks running `dotnet build` in one shared checkout would overwrite each other's bin/ and
# obj/, and every shard and the merge must read the same CDL at the same absolute path (its path and hash are part of
# every warp's and chip's stamp).
./build.sh --target=fetch-inputs --config="$CROPDATA_CONFIG"

placement=()
[ -n "$partition" ] && placement+=(--partition="$partition")
[ -n "$account" ] && placement+=(--account="$account")
[ -n "$qos" ] && placement+=(--qos="$qos")
common=(--chdir="$PWD" --export=ALL,CROPDATA_CONFIG,CROPDATA_WORK,CROPDATA_SHARDS "${placement[@]+"${placement[@]}"}")
array=$(sbatch --parsable "${common[@]}" --cpus-per-task="$shard_cpus" --mem="$shard_mem" --time="$shard_time" \
  --array=0-$((N - 1)) --output="$CROPDATA_WORK/logs/shard-%a.out" jobs/slurm/cropdata-shard.sbatch)
merge=$(sbatch --parsable "${common[@]}" --cpus-per-task="$merge_cpus" --mem="$merge_mem" --time="$merge_time" \
  --dependency=afterok:"${array%%;*}" --output="$CROPDATA_WORK/logs/merge.out" jobs/slurm/cropdata-merge.sbatch)
echo "shards: job ${array} (array 0-$((N - 1)), logs in $CROPDATA_WORK/logs); merge: job ${merge} (runs when every shard succeeded)"
echo "progress: squeue -j ${array%%;*},${merge%%;*}    rerun one failed shard K (0-based): sbatch ${common[*]} --array=K jobs/slurm/cropdata-shard.sbatch"
