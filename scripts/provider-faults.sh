#!/usr/bin/env bash
# Provider faults at full size: 2,000 calls while the sandbox fails 30 % of Cal.com requests, on both engines,
# in both fault mixes (5xx/429/timeouts, and "booked but the answer was lost").
#   bash scripts/provider-faults.sh [CALLS] [MODE...]      MODE: faults, answer-lost (default: both)
# ASKPRO_BUILD_DIR=<dir> runs an existing build instead of building build/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ASKPRO_BUILD_DIR:-build}
[ "$build" = build ] && bash scripts/build.sh
calls=${1:-2000}
shift || true
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(faults answer-lost)
state=$(mktemp -u /tmp/askpro-faults-pg-XXXXXX)
bash tests/support/pg-cluster.sh start "$state" >/dev/null
trap 'bash tests/support/pg-cluster.sh stop "$state" >/dev/null' EXIT
status=0
for mode in "${modes[@]}"; do
  for engine in sqlite postgresql; do
    ASKPRO_TEST_PG_URL=$(cat "$state") "$build"/tests/provider_faults --engine "$engine" --calls "$calls" --mode "$mode" || status=1
  done
done
exit $status
