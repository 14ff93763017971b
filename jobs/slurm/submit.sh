#!/usr/bin/env bash
# Submits a sharded CONUS build to Slurm: an array of N shard jobs, then the merge once all of them succeeded.
# Run it on a login node from anywhere inside a checkout that sits on the shared file system:
#   jobs/slurm/submit.sh 16
# Environment: CROPDATA_CONFIG (default config/conus.yaml), CROPDATA_WORK (default <repo>/datasets/sharded: must be
# on the shared file system), EARTHDATA_TOKEN (read by the shards' CMR search; exported to the jobs).
set -euo pipefail
N="${1:-16}"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CROPDATA_CONFIG="${CROPDATA_CONFIG:-config/conus.yaml}"
export CROPDATA_WORK="${CROPDATA_WORK:-$PWD/datasets/sharded}"
export CROPDATA_SHARDS="$N"
mkdir -p "$CROPDATA_WORK/logs"

# Build the task host and fetch the national CDL once, here: N array tasks running `dotnet build` in one shared
# checkout would overwrite each other's bin/ and obj/, and every shard and the merge must read the same CDL at the
# same absolute path (its path and hash are part of every warp's and chip's stamp).
./build.sh --target=fetch-inputs --config="$CROPDATA_CONFIG"

common=(--chdir="$PWD" --export=ALL,CROPDATA_CONFIG,CROPDATA_WORK,CROPDATA_SHARDS)
array=$(sbatch --parsable "${common[@]}" --array=0-$((N - 1)) --output="$CROPDATA_WORK/logs/shard-%a.out" jobs/slurm/cropdata-shard.sbatch)
merge=$(sbatch --parsable "${common[@]}" --dependency=afterok:"${array%%;*}" --output="$CROPDATA_WORK/logs/merge.out" jobs/slurm/cropdata-merge.sbatch)
echo "shards: job ${array} (array 0-$((N - 1)), logs in $CROPDATA_WORK/logs); merge: job ${merge} (runs when every shard succeeded)"
echo "progress: squeue -j ${array%%;*},${merge%%;*}    rerun one failed shard K (0-based): sbatch ${common[*]} --array=K jobs/slurm/cropdata-shard.sbatch"
