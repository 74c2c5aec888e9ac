#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole suite with CTest.
# CTest itself starts a throwaway PostgreSQL cluster on loopback for the database tests and removes it after.
# A skipped test fails the run (scripts/run-ctest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
bash ../scripts/run-ctest.sh --output-on-failure --timeout 600 "$@"
