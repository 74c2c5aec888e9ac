#!/usr/bin/env bash
# Bounded load run on loopback (wrk): webhook intake and the live availability function beside the raw HTTP
# and database limits of this machine, measured in the same run (tests/reliability/load_test.py).
#   bash scripts/load-test.sh [--seconds 10] [--connections 16]
# ASKPRO_BUILD_DIR=<dir> runs an existing build instead of building build/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ASKPRO_BUILD_DIR:-build}
[ "$build" = build ] && bash scripts/build.sh
command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk >/dev/null; }
/usr/bin/python3 tests/reliability/load_test.py --build "$build" "$@"
