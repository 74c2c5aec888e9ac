#!/usr/bin/env bash
# Installs the Debian 12 packages AskPro Admin needs, skipping those already present.
# Idempotent: safe to run before every build; used by both README commands and .ci/run.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6sql6-psql
  qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-translations-l10n libgl-dev libqt6opengl6-dev libxkbcommon-dev libvulkan-dev
  nlohmann-json3-dev libphonenumber-dev libsodium-dev qtkeychain-qt6-dev libcurl4-openssl-dev libqpdf-dev
  libprotobuf-dev libicu-dev libboost-dev
  sqlite3 postgresql postgresql-client curl
  python3-aiosmtpd xvfb xauth fonts-dejavu-core
  poppler-utils openssl
  gnome-keyring dbus
  systemd dpkg-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install packages (run as root or with sudo)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
