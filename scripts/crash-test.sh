#!/usr/bin/env bash
# The crash test at full size on both engines: 10,000 signed webhooks while askpro-server is killed with
# SIGKILL at random moments, also while the backlog drains, and restarted (tests/reliability/crash_test.py).
# Prints the figures; fails with fewer than 10 kills on an engine.
#   bash scripts/crash-test.sh [WEBHOOKS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
state=$(mktemp -u /tmp/askpro-crash-pg-XXXXXX)
bash tests/support/pg-cluster.sh start "$state" >/dev/null
trap 'bash tests/support/pg-cluster.sh stop "$state" >/dev/null' EXIT
status=0
for engine in sqlite postgresql; do
  ASKPRO_TEST_PG_URL=$(cat "$state") bash tests/reliability/crash_test.sh build "$engine" "${1:-10000}" --min-kills 10 || status=1
done
exit $status
