#!/usr/bin/env bash
# Runs the crash test on one engine with a fresh database:
#   crash_test.sh BUILD_DIR sqlite|postgresql [WEBHOOKS [crash_test.py options, e.g. --min-kills 3]]
# For PostgreSQL it uses the test cluster named by $ASKPRO_TEST_PG_URL or the CTest fixture's state file.
set -euo pipefail
build=$1
engine=$2
webhooks=${3:-10000}
shift $(($# < 3 ? $# : 3))
here=$(cd "$(dirname "$0")" && pwd)
if [ "$engine" = sqlite ]; then
  dir=$(mktemp -d /tmp/askpro-crash-db-XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  db="sqlite:$dir/crash.sqlite"
else
  admin=${ASKPRO_TEST_PG_URL:-$(cat "$build/pg-cluster.url")}
  name="askpro_crash_$RANDOM$RANDOM"
  psql "$admin" -qc "CREATE DATABASE $name" >/dev/null
  db="${admin%/*}/$name"
fi
# Not exec: the EXIT trap removes the SQLite folder.
/usr/bin/python3 "$here/crash_test.py" --build "$build" --db "$db" --webhooks "$webhooks" "$@"
