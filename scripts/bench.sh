#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (they never fail for being slow). Starts a throwaway
# PostgreSQL cluster on loopback so both engines are measured in the same run.
#   bash scripts/bench.sh [--calls N] [--deliveries N]     (options of the core-flow benchmark)
# The call browser's benchmark seeds 1,000,000 calls per engine (about 1.5 min each) and measures the admin
# app's CallsPage offscreen; ASKPRO_BENCH_BROWSER_CALLS=N changes the size, =0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
state=$(mktemp -u /tmp/askpro-bench-pg-XXXXXX)
bash tests/support/pg-cluster.sh start "$state" >/dev/null
trap 'bash tests/support/pg-cluster.sh stop "$state" >/dev/null' EXIT
ASKPRO_TEST_PG_URL=$(cat "$state") build/tests/bench_call_flow "$@"
# Unsigned 60 KB webhooks at 1,000/s for 10 s from one address, signed ones beside them (docs/benchmarks.md).
ASKPRO_TEST_PG_URL=$(cat "$state") build/tests/bench_refused
# Retell's inbound call webhook: answer p50/p99 on both engines (docs/benchmarks.md).
ASKPRO_TEST_PG_URL=$(cat "$state") build/tests/bench_inbound
# Customer import: 100,000 customers from CSV, dry run and apply, 3 runs per engine (docs/benchmarks.md).
ASKPRO_TEST_PG_URL=$(cat "$state") build/tests/bench_import
browser_calls=${ASKPRO_BENCH_BROWSER_CALLS:-1000000}
if [ "$browser_calls" -gt 0 ]; then
  ASKPRO_TEST_PG_URL=$(cat "$state") build/tests/bench_call_browser --calls "$browser_calls"
fi
# Behind nginx (deploy/nginx/askpro.conf): signed webhook latency beside slow-loris and 100 MB bodies.
bash scripts/proxy-load-test.sh
