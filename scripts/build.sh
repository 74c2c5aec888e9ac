#!/usr/bin/env bash
# Configures and builds AskPro into build/ (shared by both README commands); installs missing packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASKPRO_WERROR=ON >/dev/null
cmake --build build --parallel "$(nproc)"
