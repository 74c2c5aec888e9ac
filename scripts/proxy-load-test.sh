#!/usr/bin/env bash
# askpro-server behind the shipped nginx configuration (deploy/nginx/askpro.conf) on loopback: signed webhook
# latency alone, beside 200 slow-loris connections and beside 100 MB bodies, which nginx must refuse (413)
# before they reach the server (tests/reliability/proxy_load_test.py, docs/benchmarks.md).
#   bash scripts/proxy-load-test.sh [--seconds 10] [--loris 200] [--posters 4]
# ASKPRO_BUILD_DIR=<dir> runs an existing build instead of building build/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ASKPRO_BUILD_DIR:-build}
[ "$build" = build ] && bash scripts/build.sh
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  [ "$(id -u)" = 0 ] || { echo "proxy-load-test: nginx is missing; install the Debian package nginx (needs root)" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
PATH=$PATH:/usr/sbin /usr/bin/python3 tests/reliability/proxy_load_test.py --build "$build" "$@"
