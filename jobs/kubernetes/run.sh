#!/usr/bin/env bash
# Runs the sharded CONUS build on the current kubectl context, in order: storage, inputs, shards, merge.
#   docker build -f jobs/kubernetes/Dockerfile -t registry.example.org/cropdata:2022 . && docker push registry.example.org/cropdata:2022
#   kubectl create secret generic cropdata-earthdata --from-literal=token="$EARTHDATA_TOKEN"
#   jobs/kubernetes/run.sh
# Kubernetes has no dependencies between Jobs, so this script waits for each before applying the next.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
kubectl apply -f 00-storage.yaml
kubectl apply -f 10-fetch-inputs.yaml
kubectl wait --for=condition=complete --timeout=2h job/cropdata-fetch-inputs
kubectl apply -f 20-shards.yaml
# Poll rather than `kubectl wait --for=condition=complete`, which would sit out its timeout on a failed Job.
while :; do
  state=$(kubectl get job/cropdata-shards -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
  case " $state " in
    *" Complete "*) break ;;
    *" Failed "*) echo "cropdata-shards failed (an index used up its retries): kubectl describe job/cropdata-shards;" \
                       "fix the cause, then kubectl delete job/cropdata-shards and rerun this script: shards resume where they stopped" >&2; exit 1 ;;
  esac
  sleep 60
done
kubectl apply -f 30-merge.yaml
kubectl wait --for=condition=complete --timeout=12h job/cropdata-merge
kubectl logs job/cropdata-merge | tail -30
