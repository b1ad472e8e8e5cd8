#!/usr/bin/env bash
# services.sh start|stop: install and start (or stop) every test service in
# scripts/services/*.sh on 127.0.0.1. `start` prints the export lines the tests
# read (eval them); a service that fails to start is reported on stderr and
# its tests fail in CI (CI=true) or skip elsewhere.
set -uo pipefail
cd "$(dirname "$0")/services" || exit 1
action=${1:?usage: services.sh start|stop}
for s in *.sh; do
  [ -e "$s" ] || continue
  case $action in
    start)
      if ! bash "$s" install >&2; then echo "services.sh: $s install failed" >&2; continue; fi
      if ! out=$(bash "$s" start); then echo "services.sh: $s start failed" >&2; continue; fi
      printf '%s\n' "$out" | grep '^export ' ;;
    stop) bash "$s" stop >&2 || true ;;
  esac
done
