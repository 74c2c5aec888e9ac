#!/usr/bin/env bash
# Provider faults at full size: 2,000 calls while the sandbox fails 30 % of Cal.com requests, on both engines.
#   bash scripts/provider-faults.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
state=$(mktemp -u /tmp/askpro-faults-pg-XXXXXX)
bash tests/support/pg-cluster.sh start "$state" >/dev/null
trap 'bash tests/support/pg-cluster.sh stop "$state" >/dev/null' EXIT
for engine in sqlite postgresql; do
  ASKPRO_TEST_PG_URL=$(cat "$state") build/tests/provider_faults --engine "$engine" --calls "${1:-2000}"
done
