#!/usr/bin/env bash
# deps.sh GROUP...: install the Debian packages a group needs, only those missing.
#   build   - what the Fyne window needs to compile (cgo, X11/GL/Wayland headers)
#   test    - what the tests need besides services (Xvfb, screenshots, PDF text, fonts)
#   bench   - the peers the benchmark compares with
set -euo pipefail

declare -A groups=(
  [build]="gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev"
  [test]="xvfb xauth imagemagick xdotool libgl1-mesa-dri poppler-utils zbar-tools fonts-dejavu-core"
  [bench]="restic borgbackup time"
)

missing=()
for g in "$@"; do
  [ -n "${groups[$g]+x}" ] || { echo "deps.sh: unknown group $g" >&2; exit 2; }
  for p in ${groups[$g]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: please install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
