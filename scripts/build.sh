#!/usr/bin/env bash
# Configures and builds AskPro into build/ (shared by both README commands); installs missing packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Relative paths in ccache's keys: a fresh clone elsewhere reuses what an earlier build compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASKPRO_WERROR=ON >/dev/null
cmake --build build --parallel "$(nproc)"
