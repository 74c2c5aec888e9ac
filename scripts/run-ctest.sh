#!/usr/bin/env bash
# CTest in the current build directory, failing also when a test did not run: Qt Test exits 0 on QSKIP, so a
# skipped test would pass the run unnoticed (tests/CMakeLists.txt makes CTest count Qt Test's SKIP lines as
# skips). Used by scripts/test.sh and scripts/sanitize.sh; arguments go to ctest.
set -euo pipefail
log=$(mktemp /tmp/askpro-ctest-XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
ctest "$@" 2>&1 | tee "$log" || status=$?
if grep -q '^The following tests did not run:' "$log"; then
  echo "run-ctest: FAIL: tests were skipped or did not run (listed above); a skip counts as a failure here" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
