#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (they never fail for being slow). Starts a throwaway
# PostgreSQL cluster on loopback so both engines are measured in the same run.
#   bash scripts/bench.sh [--calls N] [--deliveries N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
state=$(mktemp -u /tmp/askpro-bench-pg-XXXXXX)
bash tests/support/pg-cluster.sh start "$state" >/dev/null
trap 'bash tests/support/pg-cluster.sh stop "$state" >/dev/null' EXIT
ASKPRO_TEST_PG_URL=$(cat "$state") build/tests/bench_call_flow "$@"
