#!/usr/bin/env bash
# mariadb.sh install|start|stop: a private MariaDB server on 127.0.0.1 for the
# database-source tests. Its data dir, socket, pid and log live in a state dir;
# it runs as the 'mysql' system user when this script runs as root. The
# administrator logs in through the Unix socket only; a test user 'cadang'
# (random password kept in the state dir, mode 0600) gets every privilege
# from 127.0.0.1, so the tests can create and drop their databases.
#
# start prints:
#   export CADANG_TEST_MYSQL_URL=mysql://cadang@127.0.0.1:PORT/mysql
#   export CADANG_TEST_MYSQL_PASSWORD=…
set -euo pipefail

root=${CADANG_SERVICES_DIR:-/tmp/cadang-services}
state=$root/mariadb
port=${CADANG_MYSQL_PORT:-53306}

server_bin() {
  local b
  for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do
    if [ -x "$b" ]; then echo "$b"; return 0; fi
  done
  return 1
}

install() {
  if server_bin >/dev/null && command -v mariadb-install-db >/dev/null && command -v mysqldump >/dev/null && command -v mysql >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then echo "mariadb.sh: MariaDB is missing; install it as root" >&2; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >&2
  # The Debian package may start a system-wide server; the tests use their own.
  systemctl disable --now mariadb >/dev/null 2>&1 || true
}

exports() {
  echo "export CADANG_TEST_MYSQL_URL=mysql://cadang@127.0.0.1:$port/mysql"
  echo "export CADANG_TEST_MYSQL_PASSWORD=$(cat "$root/mariadb-password")"
}

# admin runs the mysql client as the server's administrator over the socket.
admin() {
  mysql --no-defaults --protocol=socket --socket="$state/mysqld.sock" -u "$(id -un)" "$@"
}

running() {
  [ -f "$state/mysqld.pid" ] && kill -0 "$(cat "$state/mysqld.pid")" 2>/dev/null &&
    admin -e 'SELECT 1' >/dev/null 2>&1
}

start() {
  local bin owner
  bin=$(server_bin) || { echo "mariadb.sh: no MariaDB server installed (run install)" >&2; exit 1; }
  mkdir -p "$root"
  if [ ! -s "$root/mariadb-password" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$root/mariadb-password")
  fi
  if running; then exports; return 0; fi
  owner=$(id -un)
  if [ "$owner" = root ]; then owner=mysql; fi
  # The server account must be able to reach its state dir, whatever umask made the parent.
  chmod o+x "$root"
  mkdir -p "$state"
  chown "$owner": "$state"
  chmod 700 "$state"
  if [ ! -d "$state/data/mysql" ]; then
    # The administrator is the OS user running this script, authenticated by the socket.
    mariadb-install-db --no-defaults --user="$owner" --datadir="$state/data" \
      --auth-root-authentication-method=socket --skip-test-db >"$state/install.log" 2>&1 ||
      { cat "$state/install.log" >&2; exit 1; }
  fi
  rm -f "$state/mysqld.sock"
  # setsid: the server must outlive this script and the test runner's process group.
  setsid "$bin" --no-defaults --user="$owner" --datadir="$state/data" \
    --socket="$state/mysqld.sock" --pid-file="$state/mysqld.pid" --log-error="$state/error.log" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M \
    </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if running; then break; fi
    sleep 0.1
  done
  if ! running; then
    echo "mariadb.sh: the server did not start on 127.0.0.1:$port; see $state/error.log" >&2
    tail -n 20 "$state/error.log" >&2 || true
    exit 1
  fi
  local pw
  pw=$(cat "$root/mariadb-password")
  admin <<SQL
CREATE USER IF NOT EXISTS 'cadang'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'cadang'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'cadang'@'127.0.0.1' WITH GRANT OPTION;
SQL
  exports
}

stop() {
  if [ -f "$state/mysqld.pid" ] && kill -0 "$(cat "$state/mysqld.pid")" 2>/dev/null; then
    local pid
    pid=$(cat "$state/mysqld.pid")
    kill "$pid"
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
}

case ${1:-} in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
