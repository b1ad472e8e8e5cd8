#!/usr/bin/env bash
# team-screenshots.sh: two windows of the REAL Cadang binary, on two X
# displays, against one shared catalog on PostgreSQL (issue 14). The IT
# manager approves a department's request in one window; the department's
# window shows it approved without a restart. Screenshots of both windows,
# before and after, go to OUTDIR (default docs/screenshots/team).
#
# Needs the PostgreSQL test server (scripts/services.sh start: it exports
# CADANG_TEST_PG_URL and CADANG_TEST_PG_PASSWORD), Xvfb, xdotool and
# imagemagick.
#
#   bash scripts/team-screenshots.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots/team}
mkdir -p "$out"
: "${CADANG_TEST_PG_URL:?start the test services: eval \"\$(bash scripts/services.sh start)\"}"
: "${CADANG_TEST_PG_PASSWORD:?}"

tmp=$(mktemp -d)
pids=()
db=cadang_team_$$
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  PGPASSWORD=$CADANG_TEST_PG_PASSWORD psql -X -q "$CADANG_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

bin=$tmp/cadang
go build -o "$bin" .

# ---- the shared catalog: an empty database; the password only in a pgpass file ----
PGPASSWORD=$CADANG_TEST_PG_PASSWORD psql -X -q "$CADANG_TEST_PG_URL" -c "CREATE DATABASE $db"
hostport=${CADANG_TEST_PG_URL#postgres://*@}
hostport=${hostport%%/*}
user=${CADANG_TEST_PG_URL#postgres://}
user=${user%%@*}
printf '%s:%s:*:%s:%s\n' "${hostport%:*}" "${hostport#*:}" "$user" "$CADANG_TEST_PG_PASSWORD" >"$tmp/pgpass"
chmod 600 "$tmp/pgpass"
export PGPASSFILE=$tmp/pgpass
catalog="postgres://$user@$hostport/$db"

for u in admin gideon budi sari; do printf 'password-%s\n' "$u" >"$tmp/$u.pw"; done
wsA=$tmp/ws-manager   # the IT manager's workstation
wsB=$tmp/ws-finance   # the finance department's workstation
c() { local ws=$1; shift; "$bin" --workspace "$ws" "$@" >/dev/null; }
as() { local ws=$1 who=$2; shift 2; c "$ws" "$@" --as "$who" --login-file "$tmp/$who.pw"; }

# The first workstation creates the catalog; the second joins it.
c "$wsA" setup --catalog "$catalog" --admin admin --full-name "Ayu Lestari" --password-file "$tmp/admin.pw" \
  --company "PT Sefas Keliantama" --records-repo "$tmp/repos/records"
c "$wsB" setup --catalog "$catalog"
as "$wsA" admin user add --name gideon --full-name "Gideon B. Sirapanji" --role manager --password-file "$tmp/gideon.pw"
as "$wsA" admin user add --name budi --full-name "Budi Santoso" --role staff --password-file "$tmp/budi.pw"
as "$wsA" admin user add --name sari --full-name "Sari Wulandari" --role user --department Finance --password-file "$tmp/sari.pw"
mkdir -p "$tmp/data/finance"
printf 'date,account,amount\n2026-11-02,4100,1250000\n' >"$tmp/data/finance/ledger.csv"
as "$wsA" budi job new --name finance-share --source "$tmp/data/finance" --repo "$tmp/repos/finance" --host fs1
as "$wsA" budi job submit finance-share
rev=$("$bin" --workspace "$wsA" job show finance-share --json --as gideon --login-file "$tmp/gideon.pw" |
  sed -n 's/.*"revision_hash":"\([0-9a-f]*\)".*/\1/p')
as "$wsA" gideon job approve finance-share --revision "$rev" # files the schedule record: the team's document key now exists
mkdir -p "$wsB/keys" && cp "$wsA/keys/documents.key" "$wsB/keys/" # the team's document key, copied
later=$(date -d '+1 day' '+%Y-%m-%d 21:00')
# The department asks from its own workstation.
as "$wsB" sari request new --kind backup --job finance-share --at "$later" --reason "Extra backup before the year-end audit"
as "$wsB" sari request submit 1

# ---- two windows, two displays ----
start_window() { # start_window NAME WORKSPACE
  local name=$1 ws=$2
  Xvfb -displayfd 1 -screen 0 1120x720x24 -nolisten tcp >"$tmp/display-$name" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$tmp/display-$name" ] && break; sleep 0.1; done
  mkdir -p "$tmp/run-$name" "$tmp/home-$name" && chmod 700 "$tmp/run-$name"
  DISPLAY=":$(head -1 "$tmp/display-$name")" LIBGL_ALWAYS_SOFTWARE=1 XDG_RUNTIME_DIR=$tmp/run-$name HOME=$tmp/home-$name \
    XDG_CONFIG_HOME=$tmp/home-$name/.config LANGUAGE=en CADANG_WORKSPACE=$ws DBUS_SESSION_BUS_ADDRESS= \
    "$bin" >"$tmp/$name.log" 2>&1 &
  pids+=($!)
}
d() { DISPLAY=":$(head -1 "$tmp/display-$1")" "${@:2}"; }
wait_log() { # wait_log NAME TEXT
  for _ in $(seq 600); do grep -q "$2" "$tmp/$1.log" && return 0; sleep 0.1; done
  echo "team-screenshots: no '$2' in the $1 window's log" >&2; cat "$tmp/$1.log" >&2; exit 1
}
login() { # login NAME USER
  wait_log "$1" "screen=login"
  sleep 1
  d "$1" xdotool type --delay 30 "$2"
  d "$1" xdotool key Tab
  d "$1" xdotool type --delay 30 "password-$2"
  d "$1" xdotool key Return
  wait_log "$1" "screen=shell"
}
shot() { # shot NAME FILE
  sleep 1.5 # software GL draws the next frame
  d "$1" import -window root "$out/$2.png"
  echo "  $out/$2.png"
}

start_window manager "$wsA"
start_window finance "$wsB"
login manager gideon
login finance sari
d finance xdotool mousemove 80 60 click 1 # Requests
shot manager manager-before
shot finance finance-before
# The manager approves the request from the dashboard's inbox.
d manager xdotool mousemove 965 293 click 1 # its Approve button
sleep 1 # the department's window is not touched: it hears of the approval (NOTIFY) and reloads

shot manager manager-after
shot finance finance-after
PGPASSWORD=$CADANG_TEST_PG_PASSWORD psql -X -At "$CADANG_TEST_PG_URL" -c "SELECT 1" >/dev/null
state=$("$bin" --workspace "$wsB" request show 1 --json --as sari --login-file "$tmp/sari.pw" | sed -n 's/.*"state":"\([a-z-]*\)".*/\1/p' | head -1)
echo "team-screenshots: request 1 is $state"
[ "$state" = approved ] || { echo "team-screenshots: the approval did not happen (click missed?)" >&2; exit 1; }
