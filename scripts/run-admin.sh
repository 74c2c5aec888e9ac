#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and opens the admin app on the
# embedded SQLite database (created and migrated on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the admin app on a virtual X server (Xvfb)." >&2
  exec xvfb-run -a -s "-screen 0 1400x900x24" build/app/admin/askpro-admin "$@"
fi
exec build/app/admin/askpro-admin "$@"
