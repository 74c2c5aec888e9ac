#!/bin/sh
# Runs a test inside a D-Bus session of its own with a fresh, unlocked Secret Service (gnome-keyring), so that
# the desktop's "stay signed in" talks to a real system keychain. Fails when the keyring does not start.
set -eu
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- sh -c 'printf "askpro-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$@"' sh "$@"
