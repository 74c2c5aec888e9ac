#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster on loopback for the tests.
#   pg-cluster.sh start STATEFILE   writes the admin URL to STATEFILE and the cluster's folder to STATEFILE.dir
#   pg-cluster.sh stop STATEFILE    stops the cluster and removes its folder
set -euo pipefail
action=$1
state=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pg-cluster: PostgreSQL server binaries not found" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
start)
  if [ -f "$state.dir" ] && [ -d "$(cat "$state.dir")" ]; then "$0" stop "$state" || true; fi
  dir=$(mktemp -d /tmp/askpro-pg-XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "$dir" >"$state.dir"
  echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state"
  echo "pg-cluster: PostgreSQL running on 127.0.0.1:$port ($dir)"
  ;;
stop)
  if [ -f "$state.dir" ]; then
    dir=$(cat "$state.dir")
    if [ -d "$dir/data" ]; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    rm -f "$state.dir" "$state"
  fi
  echo "pg-cluster: stopped"
  ;;
*) echo "usage: $0 start|stop STATEFILE" >&2; exit 2 ;;
esac
