#!/usr/bin/env bash
# sshd.sh install|start|stop: a private OpenSSH server on 127.0.0.1 for the
# SFTP replica tests. Its host key, client key, authorized_keys, known_hosts
# and data folder live in a state dir; it logs in the user running this script
# with the generated key only (no passwords, no PAM).
#
# start prints:
#   export CADANG_TEST_SFTP_URL=sftp://USER@127.0.0.1:PORT/DATA
#   export CADANG_TEST_SFTP_KEY=/…/client_key
#   export CADANG_TEST_SFTP_KNOWN_HOSTS=/…/known_hosts
set -euo pipefail

state=${CADANG_SERVICES_DIR:-/tmp/cadang-services}/sshd
port=${CADANG_SSHD_PORT:-2222}
user=$(id -un)

install() {
  if [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null; then return 0; fi
  if [ "$(id -u)" != 0 ]; then echo "sshd.sh: openssh-server is missing; install it as root" >&2; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >&2
  # The Debian package enables the system-wide daemon; the tests use their own.
  systemctl disable --now ssh >/dev/null 2>&1 || true
}

exports() {
  echo "export CADANG_TEST_SFTP_URL=sftp://$user@127.0.0.1:$port$state/data"
  echo "export CADANG_TEST_SFTP_KEY=$state/client_key"
  echo "export CADANG_TEST_SFTP_KNOWN_HOSTS=$state/known_hosts"
}

running() {
  [ -f "$state/sshd.pid" ] && kill -0 "$(cat "$state/sshd.pid")" 2>/dev/null
}

start() {
  mkdir -p "$state/data"
  chmod 700 "$state"
  if running; then exports; return 0; fi
  [ -f "$state/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$state/host_key" >&2
  [ -f "$state/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C cadang-test -f "$state/client_key" >&2
  cp "$state/client_key.pub" "$state/authorized_keys"
  chmod 600 "$state/authorized_keys"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$state/host_key.pub")" >"$state/known_hosts"
  cat >"$state/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $state/host_key
PidFile $state/sshd.pid
AuthorizedKeysFile $state/authorized_keys
AllowUsers $user
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
LogLevel ERROR
EOF
  # The privilege-separation directory is created by the system service, which we do not use.
  if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
  /usr/sbin/sshd -f "$state/sshd_config" -E "$state/sshd.log"
  for _ in $(seq 1 50); do
    if running && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then exports; return 0; fi
    sleep 0.1
  done
  echo "sshd.sh: sshd did not start on 127.0.0.1:$port; see $state/sshd.log" >&2
  exit 1
}

stop() {
  if running; then kill "$(cat "$state/sshd.pid")"; fi
  rm -f "$state/sshd.pid"
}

case ${1:-} in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
