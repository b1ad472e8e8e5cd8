#!/usr/bin/env bash
# s3.sh install|start|stop: a real S3-compatible server on 127.0.0.1 for the
# S3 replica tests: Versity Gateway (versitygw) over a POSIX folder, built
# from the Go module proxy once (about 80 s on 2 cores) and kept in GOBIN.
#
# start prints:
#   export CADANG_TEST_S3_URL=s3+http://127.0.0.1:PORT/cadang-test/replica
#   export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… (test-only keys)
set -euo pipefail

version=v1.8.0
state=${CADANG_SERVICES_DIR:-/tmp/cadang-services}/s3
port=${CADANG_S3_PORT:-7070}
access=cadangtest
secret=cadangtestsecret
bin=$(go env GOPATH)/bin/versitygw

install() {
  if [ -x "$bin" ]; then return 0; fi
  GOBIN=$(dirname "$bin") go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
}

running() {
  [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null
}

exports() {
  echo "export CADANG_TEST_S3_URL=s3+http://127.0.0.1:$port/cadang-test/replica"
  echo "export AWS_ACCESS_KEY_ID=$access"
  echo "export AWS_SECRET_ACCESS_KEY=$secret"
}

start() {
  mkdir -p "$state/data"
  if running; then exports; return 0; fi
  # setsid: the server must outlive this script, which the runner waits for.
  ROOT_ACCESS_KEY=$access ROOT_SECRET_KEY=$secret setsid "$bin" --port "127.0.0.1:$port" \
    posix ${CADANG_S3_POSIX_FLAGS:-} "$state/data" >"$state/log" 2>&1 </dev/null &
  echo $! >"$state/pid"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then exports; return 0; fi
    running || break
    sleep 0.1
  done
  echo "s3.sh: versitygw did not start on 127.0.0.1:$port; see $state/log" >&2
  tail -5 "$state/log" >&2 || true
  exit 1
}

stop() {
  if running; then kill "$(cat "$state/pid")"; fi
  rm -f "$state/pid"
}

case ${1:-} in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
