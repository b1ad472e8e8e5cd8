#!/usr/bin/env bash
# screenshots.sh: capture every screen of the REAL Cadang binary under Xvfb,
# in English and Indonesian, into docs/screenshots/<screen>-<lang>.png.
#
# The data is the demonstration office of internal/demo (the same week for
# every run of this script): three department shares of gigabytes under
# /srv/demo (or a temporary folder when /srv is not writable), a week of
# nightly backups that took minutes, offsite copies, requests waiting,
# rejected and restored. For each language the window starts on a private
# X display, signs in as the IT manager, IT staff and the administrator by
# typing, clicks through the pages, tabs and dialogs, and captures each.
# Needs Debian's xvfb, imagemagick and xdotool (installed when missing and
# running as root), and libgl1-mesa-dri for software GL.
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
root=/srv/demo
if ! { [ ! -e "$root" ] && mkdir -p "$root" 2>/dev/null; }; then
  root=$tmp/srv/demo # /srv is not ours: the paths read $tmp/srv/demo/…
  mkdir -p "$root"
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp" "$root"
}
trap cleanup EXIT

bin=$tmp/cadang
go build -o "$bin" .

# ---- the demo office, through the procedure (about two minutes) ----
ws=$root/cadang # the workspace, where an IT department keeps it on the server
echo "screenshots: building the demo office in $root"
rclone_conf=$(go run ./internal/demo/cmd --root "$root" --workspace "$ws" | sed -n 's/^RCLONE_CONFIG=//p')

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
    RCLONE_CONFIG=$rclone_conf "$bin" >"$log" 2>&1 &
  app=$!
  pids+=($app)
}

wait_log() { # wait_log LOG TEXT (a shared, loaded machine: up to a minute)
  for _ in $(seq 600); do grep -q "$2" "$1" && return 0; sleep 0.1; done
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

click() { DISPLAY=$display xdotool mousemove "$1" "$2" click 1; sleep 0.8; }
key() { DISPLAY=$display xdotool key "$@"; }

# sign_in LANG USER: start the window on the demo office and sign in.
sign_in() {
  local lang=$1 user=$2
  start_app "$lang" "$ws" "$tmp/app-$lang-$user.log"
  wait_log "$tmp/app-$lang-$user.log" "screen=login"
  wait_log "$tmp/app-$lang-$user.log" 'msg="window shown"' # keys typed before the window maps are lost
  sleep 1
  DISPLAY=$display xdotool type --delay 30 "$user"
  key Tab
  DISPLAY=$display xdotool type --delay 30 "password-$user"
  key Return
  wait_log "$tmp/app-$lang-$user.log" "screen=shell"
}

# Navigation rows of the shell (window at 0,0, 1120×720).
nav() { # nav PAGE
  local i=0
  for p in dashboard requests jobs snapshots activity documents settings; do
    [ "$p" = "$1" ] && { click 80 $((21 + 39 * i)); return; }
    i=$((i + 1))
  done
}

for lang in ${SCREENSHOT_LANGS:-en id}; do
  echo "language $lang"
  # First start: the workspace question (nothing remembered, none given).
  start_app "$lang" "" "$tmp/ws-$lang.log"
  wait_log "$tmp/ws-$lang.log" "screen=workspace"
  wait_log "$tmp/ws-$lang.log" 'msg="window shown"'
  shot workspace "$lang"
  stop_app
  # A new workspace: the first-run setup.
  start_app "$lang" "$tmp/empty-$lang" "$tmp/setup-$lang.log"
  wait_log "$tmp/setup-$lang.log" "screen=setup"
  wait_log "$tmp/setup-$lang.log" 'msg="window shown"'
  shot setup "$lang"
  stop_app

  # The IT manager: the inbox on the dashboard, then every page.
  start_app "$lang" "$ws" "$tmp/login-$lang.log"
  wait_log "$tmp/login-$lang.log" "screen=login"
  wait_log "$tmp/login-$lang.log" 'msg="window shown"'
  sleep 1
  DISPLAY=$display xdotool type --delay 30 gideon
  shot login "$lang"
  stop_app
  sign_in "$lang" gideon
  shot dashboard "$lang"
  for p in requests jobs activity documents; do
    nav "$p"
    shot "$p" "$lang"
  done
  nav settings
  shot settings "$lang"
  # Settings tabs (x fits both languages): Company and documents,
  # Repositories and replicas.
  click 480 72
  shot settings-company "$lang"
  click 700 72
  shot replicas "$lang"
  stop_app

  # IT staff: the restore wizard with the restore to carry out and its
  # verified result, a replica's form, the job editor.
  sign_in "$lang" budi
  shot dashboard-staff "$lang"
  nav snapshots
  shot snapshots "$lang"
  click 700 561 # "Result" of the verified restore, right column
  shot restore-result "$lang"
  key Escape
  stop_app

  sign_in "$lang" budi
  nav settings
  click 460 72 # Repositories and replicas (staff: the second tab)
  sleep 1
  click 296 420 # Add replica… of the first repository
  shot replica-form "$lang"
  stop_app

  # IT staff: the job editor (offsite replicas ticked from the repository's
  # list). Its Edit… button sits lower in Indonesian, under a two-line help.
  sign_in "$lang" budi
  nav jobs
  if [ "$lang" = id ]; then click 975 207; else click 974 189; fi
  shot job-editor "$lang"
  stop_app

  # A department user: her dashboard, and the request form.
  sign_in "$lang" sari
  shot dashboard-department "$lang"
  nav requests
  click 280 71 # New request
  shot request-form "$lang"
  stop_app

  # The administrator: accounts and roles.
  sign_in "$lang" admin
  nav settings
  click 460 72 # Accounts and roles
  shot accounts "$lang"
  stop_app
done
echo "screenshots: done"
