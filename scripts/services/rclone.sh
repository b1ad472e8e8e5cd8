#!/usr/bin/env bash
# rclone.sh install|start|stop: rclone from Debian with a private rclone.conf
# holding two remotes for the rclone replica tests: "cadanglocal" (a local
# folder) and "cadangsftp" (the private sshd of sshd.sh, which start brings up
# first; it is idempotent).
#
# start prints:
#   export CADANG_TEST_RCLONE_CONFIG=/…/rclone.conf
#   export CADANG_TEST_RCLONE_LOCAL=cadanglocal:/…/local
#   export CADANG_TEST_RCLONE_SFTP=cadangsftp:/…/sshd/data/rclone
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
base=${CADANG_SERVICES_DIR:-/tmp/cadang-services}
state=$base/rclone
port=${CADANG_SSHD_PORT:-2222}

install() {
  bash "$here/sshd.sh" install
  if command -v rclone >/dev/null; then return 0; fi
  if [ "$(id -u)" != 0 ]; then echo "rclone.sh: rclone is missing; install it as root" >&2; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rclone >&2
}

start() {
  bash "$here/sshd.sh" start >/dev/null
  mkdir -p "$state/local"
  cat >"$state/rclone.conf" <<EOF
[cadanglocal]
type = local

[cadangsftp]
type = sftp
host = 127.0.0.1
port = $port
user = $(id -un)
key_file = $base/sshd/client_key
known_hosts_file = $base/sshd/known_hosts
shell_type = unix
md5sum_command = none
sha1sum_command = none
EOF
  chmod 600 "$state/rclone.conf"
  # Fail here, not in the tests, when the SFTP remote cannot be reached.
  if ! out=$(RCLONE_CONFIG="$state/rclone.conf" rclone lsjson "cadangsftp:$base/sshd/data" 2>&1); then
    echo "rclone.sh: the SFTP remote does not answer: $out" >&2
    exit 1
  fi
  echo "export CADANG_TEST_RCLONE_CONFIG=$state/rclone.conf"
  echo "export CADANG_TEST_RCLONE_LOCAL=cadanglocal:$state/local"
  echo "export CADANG_TEST_RCLONE_SFTP=cadangsftp:$base/sshd/data/rclone"
}

case ${1:-} in
  install) install ;;
  start) start ;;
  stop) : ;; # nothing runs; sshd.sh stop stops the SFTP server
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
