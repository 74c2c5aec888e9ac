#!/usr/bin/env bash
# CTest's provider-fault run: both fault mixes on both engines, side by side. Each run spends its time waiting
# for retry backoffs and leases (1.5 to 3 minutes at 200 calls, few seconds of CPU), so together they take about
# as long as the slowest one instead of the sum. Prints each run's figures; fails when any run fails.
#   provider_faults.sh PROVIDER_FAULTS_BINARY CALLS
set -uo pipefail
binary=$1
calls=$2
logs=$(mktemp -d /tmp/askpro-faults-XXXXXX)
trap 'rm -rf "$logs"' EXIT
runs=()
pids=()
for mode in faults answer-lost; do
  for engine in sqlite postgresql; do
    "$binary" --engine "$engine" --mode "$mode" --calls "$calls" >"$logs/$mode-$engine.log" 2>&1 &
    runs+=("$mode-$engine")
    pids+=($!)
  done
done
status=0
for i in "${!runs[@]}"; do
  if wait "${pids[$i]}"; then result=passed; else result=FAILED; status=1; fi
  cat "$logs/${runs[$i]}.log"
  echo "provider_faults ${runs[$i]}: $result"
done
exit $status
