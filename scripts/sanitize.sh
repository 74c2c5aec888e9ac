#!/usr/bin/env bash
# Each libFuzzer target for a bounded time over its corpus (tests/fuzz/corpus), then the test suite (every
# C++ test, the widget tests offscreen) under AddressSanitizer and UndefinedBehaviorSanitizer. Built with
# clang into build-sanitize/. Left out: the crash tests (they kill the server on purpose; scripts/test.sh
# runs them), the translation check (no C++) and the package check (packages of sanitizer builds ship nowhere). Kept: provider_faults (about 4 minutes here, nearly all of it
# waiting for retry backoffs), the one test of retries, leases and lost answers under load.
#   bash scripts/sanitize.sh [FUZZ_SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DASKPRO_SANITIZE=ON -DASKPRO_FUZZ=ON -DASKPRO_WERROR=OFF >/dev/null
skipped='^(crash_test_.*|translations_complete|packages_contents)$'
# Test names are target names, but for the script checks (desktop_links_no_backend reads askpro-admin,
# jobs_include_no_importer reads the sources): CTest runs those, nothing builds them.
tests=$(cd build-sanitize && ctest -N -E "$skipped" | sed -n 's/^ *Test *#[0-9]*: //p' |
  grep -v -E '^(postgres_cluster|desktop_links_no_backend$|jobs_include_no_importer$)')
cmake --build build-sanitize --parallel "$(nproc)" --target askpro-server askpro-sandbox askpro-admin fuzz_webhook fuzz_phone \
  fuzz_provider_response fuzz_admin_api $tests
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
seconds=${1:-20}
for target in webhook phone provider_response admin_api; do
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/$target/* "$corpus/"
  echo "fuzz_$target: ${seconds}s"
  build-sanitize/tests/fuzz/fuzz_$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "$corpus" 2>&1 | tail -n 2
  rm -rf "$corpus"
done
# Last, so the run closes on CTest's summary; a skipped test fails the run (scripts/run-ctest.sh).
(cd build-sanitize && bash ../scripts/run-ctest.sh --output-on-failure -E "$skipped" --timeout 900)
