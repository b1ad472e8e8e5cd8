#!/usr/bin/env bash
# screenshots.sh: capture every screen of the REAL Cadang binary under Xvfb,
# in English and Indonesian, into docs/screenshots/<screen>-<lang>.png.
#
# It seeds a demo workspace with the command line first (accounts, jobs,
# two real backups, requests in every state, a verified restore), then for
# each language starts the window on a private X display, signs in as the
# IT manager by typing, clicks through the navigation and captures each
# page. Needs Debian's xvfb, imagemagick and xdotool (installed when
# missing and running as root), and libgl1-mesa-dri for software GL.
#
#   bash scripts/screenshots.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
mkdir -p "$out"

need=""
command -v Xvfb >/dev/null || need="$need xvfb"
command -v import >/dev/null || need="$need imagemagick"
command -v xdotool >/dev/null || need="$need xdotool"
dpkg -s libgl1-mesa-dri >/dev/null 2>&1 || need="$need libgl1-mesa-dri"
if [ -n "$need" ]; then
  [ "$(id -u)" = 0 ] || { echo "screenshots: please install:$need" >&2; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

bin=$tmp/cadang
go build -o "$bin" .

# ---- the demo workspace, seeded through the command line ----
ws=$tmp/workspace
data=$tmp/data
mkdir -p "$data/finance/2026/11" "$data/hr/contracts" "$data/drawings"
printf 'date,account,amount\n2026-11-02,4100,1250000\n2026-11-03,4200,730000\n' >"$data/finance/2026/11/ledger.csv"
printf 'Invoice INV-2026-0117\nPT Contoh Pelanggan\nTotal: Rp 12.500.000\n' >"$data/finance/2026/11/invoice-0117.txt"
head -c 300000 /dev/urandom >"$data/finance/2026/11/scan-receipts.pdf"
printf 'Employment contract template v3\n' >"$data/hr/contracts/template.txt"
head -c 120000 /dev/urandom >"$data/drawings/plant-layout.dwg"
for u in admin gideon budi sari; do printf 'password-%s\n' "$u" >"$tmp/$u.pw"; done

c() { "$bin" --workspace "$ws" "$@" >/dev/null; }
as() { local who=$1; shift; c "$@" --as "$who" --login-file "$tmp/$who.pw"; }

c setup --admin admin --full-name "Ayu Lestari" --password-file "$tmp/admin.pw" --company "PT Sefas Keliantama" --records-repo "$tmp/repos/records"
as admin user add --name gideon --full-name "Gideon B. Sirapanji" --role manager --password-file "$tmp/gideon.pw"
as admin user add --name budi --full-name "Budi Santoso" --role staff --password-file "$tmp/budi.pw"
as admin user add --name sari --full-name "Sari Wulandari" --role user --department Finance --password-file "$tmp/sari.pw"

as budi job new --name finance-share --source "$data/finance" --repo "$tmp/repos/finance" --replica gedung-b --keep-daily 7 --keep-weekly 4 --keep-monthly 12
as budi job new --name hr-documents --source "$data/hr" --repo "$tmp/repos/hr" --cron "30 22 * * 1-5" --keep-last 10
as budi job new --name engineering-drawings --source "$data/drawings" --repo "$tmp/repos/drawings" --window 20:00-22:00
for j in finance-share hr-documents engineering-drawings; do as budi job submit "$j"; done
as gideon job approve finance-share
as gideon job approve hr-documents
as budi job run finance-share || true # its offsite copy is added after this first run
c replica add --repo "$tmp/repos/finance" gedung-b "$tmp/offsite/finance"
printf '2026-11-04,4100,990000\n' >>"$data/finance/2026/11/ledger.csv"
as budi job run finance-share
as budi job run hr-documents

now=$(date -d '+1 minute' '+%Y-%m-%d %H:%M') # the minute after the backups
later=$(date -d '+1 day' '+%Y-%m-%d 21:00')
# A restore, approved and carried out (verified), from the department.
as sari request new --kind restore --job finance-share --at "$now" --target "$tmp/restored/finance" --reason "Ledger for November overwritten by mistake"
as sari request submit 1
as gideon request approve 1
as budi request run 1
# A backup request waiting for the manager, and one rejected.
as sari request new --kind backup --job finance-share --at "$later" --reason "Extra backup before the year-end audit"
as sari request submit 2
as sari request new --kind restore --job hr-documents --at "$now" --target "$tmp/restored/hr" --reason "Need last week's contract template"
as sari request submit 3
as budi request new --kind backup --job hr-documents --at "$later" --reason "Before migrating the HR share"
as budi request submit 4
as gideon request reject 4 --reason "Clashes with the payroll run; choose another evening"

# ---- capture ----
# start_xvfb: a virtual screen the size of the window; Xvfb picks a free
# display and writes its number once it accepts connections.
start_xvfb() {
  rm -f "$tmp/display"
  Xvfb -displayfd 1 -screen 0 1120x720x24 -nolisten tcp >"$tmp/display" 2>/dev/null &
  xpid=$!
  pids+=($xpid)
  for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
  display=":$(head -1 "$tmp/display")"
}

# start_app LANG WORKSPACE-OR-EMPTY LOG: the window on its own display.
start_app() {
  local lang=$1 wsdir=$2 log=$3
  start_xvfb
  mkdir -p "$tmp/run-$lang" && chmod 700 "$tmp/run-$lang"
  rm -rf "$tmp/home-$lang" && mkdir -p "$tmp/home-$lang"
  DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 XDG_RUNTIME_DIR=$tmp/run-$lang HOME=$tmp/home-$lang \
    XDG_CONFIG_HOME=$tmp/home-$lang/.config LANGUAGE=$lang CADANG_WORKSPACE=$wsdir DBUS_SESSION_BUS_ADDRESS= \
    "$bin" >"$log" 2>&1 &
  app=$!
  pids+=($app)
}

wait_log() { # wait_log LOG TEXT
  for _ in $(seq 300); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  echo "screenshots: no '$2' in $1" >&2; cat "$1" >&2; exit 1
}

shot() { # shot NAME LANG
  sleep 1.5 # software GL draws the next frame
  DISPLAY=$display import -window root "$out/$1-$2.png"
  echo "  $out/$1-$2.png"
}

stop_app() {
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  kill "$xpid" 2>/dev/null || true
}

click() { DISPLAY=$display xdotool mousemove "$1" "$2" click 1; }

# Navigation rows of the shell (window at 0,0, 1120×720).
pages=(dashboard requests jobs snapshots activity documents settings)
rows=(21 60 99 138 177 216 255)

for lang in en id; do
  echo "language $lang"
  # First start: the workspace question (nothing remembered, none given).
  start_app "$lang" "" "$tmp/ws-$lang.log"
  wait_log "$tmp/ws-$lang.log" "screen=workspace"
  shot workspace "$lang"
  stop_app
  # A new workspace: the first-run setup.
  start_app "$lang" "$tmp/empty-$lang" "$tmp/setup-$lang.log"
  wait_log "$tmp/setup-$lang.log" "screen=setup"
  shot setup "$lang"
  stop_app
  # The demo workspace: log in as the IT manager and walk every page.
  start_app "$lang" "$ws" "$tmp/app-$lang.log"
  wait_log "$tmp/app-$lang.log" "screen=login"
  sleep 1
  DISPLAY=$display xdotool type --delay 30 gideon
  shot login "$lang"
  DISPLAY=$display xdotool key Tab
  DISPLAY=$display xdotool type --delay 30 password-gideon
  DISPLAY=$display xdotool key Return
  wait_log "$tmp/app-$lang.log" "screen=shell"
  for i in "${!pages[@]}"; do
    click 80 "${rows[$i]}"
    shot "${pages[$i]}" "$lang"
  done
  # The verified restore's result, file by file (its "Result" button on
  # the Snapshots & Restore page; a dialog, so it comes last).
  click 80 "${rows[3]}"
  sleep 1.5
  click 772 333
  sleep 1
  shot restore-result "$lang"
  stop_app
done
echo "screenshots: done"
