#!/usr/bin/env bash
# Prints CONFIG with data_dir set to DATA_DIR, so every shard (and the merge) gets a folder of its own while
# every other setting stays identical: shards of one build must agree on everything but where they write.
#   jobs/shard-config.sh config/conus.yaml /scratch/cropdata/shard-3 > /scratch/cropdata/shard-3/config.yaml
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 CONFIG DATA_DIR" >&2; exit 2; fi
config="$1" data_dir="$2"
[ -f "$config" ] || { echo "$0: config file '$config' not found" >&2; exit 2; }
case "$data_dir" in /*) ;; *) echo "$0: DATA_DIR must be absolute (config paths are taken from the repository root), not '$data_dir'" >&2; exit 2;; esac
if grep -q '^data_dir:' "$config"; then
  sed "s|^data_dir:.*|data_dir: ${data_dir}|" "$config"
else
  printf 'data_dir: %s\n' "$data_dir"
  cat "$config"
fi
