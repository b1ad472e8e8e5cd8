#!/usr/bin/env bash
# postgres.sh install|start|stop: a private PostgreSQL cluster on 127.0.0.1
# for the database-source tests. The cluster lives in a state dir, runs as the
# 'postgres' system user when this script runs as root (initdb refuses root),
# trusts only its own Unix socket (in the state dir) and asks every TCP client
# for a password. A test role 'cadang' (LOGIN CREATEDB, random password kept
# in the state dir, mode 0600) owns what the tests create.
#
# start prints:
#   export CADANG_TEST_PG_URL=postgres://cadang@127.0.0.1:PORT/postgres
#   export CADANG_TEST_PG_PASSWORD=…
set -euo pipefail

root=${CADANG_SERVICES_DIR:-/tmp/cadang-services}
state=$root/pg
port=${CADANG_PG_PORT:-55432}

install() {
  if pg_bindir >/dev/null 2>&1 && command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && command -v psql >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then echo "postgres.sh: PostgreSQL is missing; install it as root" >&2; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >&2
  # The Debian package starts a system-wide cluster on 5432; the tests use their own.
  systemctl disable --now postgresql >/dev/null 2>&1 || true
}

# pg_bindir prints the newest installed server's bin directory (initdb is not on PATH in Debian).
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
  echo "$d"
}

# as_owner runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

exports() {
  echo "export CADANG_TEST_PG_URL=postgres://cadang@127.0.0.1:$port/postgres"
  echo "export CADANG_TEST_PG_PASSWORD=$(cat "$root/pg-password")"
}

running() {
  local bin
  bin=$(pg_bindir) || return 1
  [ -f "$state/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$state/data" status >/dev/null 2>&1
}

start() {
  local bin
  bin=$(pg_bindir) || { echo "postgres.sh: no PostgreSQL server installed (run install)" >&2; exit 1; }
  mkdir -p "$root"
  if [ ! -s "$root/pg-password" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$root/pg-password")
  fi
  if running; then exports; return 0; fi
  # The server account must be able to reach its state dir, whatever umask made the parent.
  chmod o+x "$root"
  mkdir -p "$state"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$state"; fi
  chmod 700 "$state"
  if [ ! -f "$state/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$state/data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$state/initdb.log" 2>&1 ||
      { cat "$state/initdb.log" >&2; exit 1; }
  fi
  # A throw-away test cluster: durability settings off for speed.
  as_owner "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $state -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { tail -n 20 "$state/server.log" >&2; exit 1; }
  local pw
  pw=$(cat "$root/pg-password")
  as_owner psql -X -q -h "$state" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -v pw="$pw" >&2 <<'SQL'
SELECT format('CREATE ROLE cadang LOGIN CREATEDB PASSWORD %L', :'pw')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cadang') \gexec
SELECT format('ALTER ROLE cadang PASSWORD %L', :'pw') \gexec
-- DROP DATABASE … WITH (FORCE) in the tests ends an autovacuum worker too, which needs this.
GRANT pg_signal_backend TO cadang;
SQL
  exports
}

stop() {
  local bin
  bin=$(pg_bindir) || return 0
  if running; then as_owner "$bin/pg_ctl" -D "$state/data" -m fast -w stop >&2; fi
}

case ${1:-} in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
