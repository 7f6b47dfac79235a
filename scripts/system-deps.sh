#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the app needs and a bare machine lacks (only the missing ones).
#   bash scripts/system-deps.sh          offscreen Qt (tests, self-test), fonts, gnome-keyring for the real keyring
#   bash scripts/system-deps.sh --gui    the above plus the X11/xcb libraries Qt's window plugin loads
# Not Debian-like (no dpkg): prints what it would need and does nothing.
set -euo pipefail

PKGS=(libgl1 libegl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
      fonts-dejavu-core gnome-keyring dbus-daemon)
if [ "${1:-}" = "--gui" ]; then
  # ldd of PySide6's platforms/libqxcb.so (Qt 6.11)
  PKGS+=(libxcb1 libx11-xcb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-util1 libxcb-image0
         libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shm0 libxcb-sync1
         libxcb-xfixes0 libxcb-shape0 libxcb-xkb1)
fi

if ! command -v dpkg-query >/dev/null; then
  echo "system-deps: not a Debian-like system; make sure Qt 6's runtime libraries are installed: ${PKGS[*]}" >&2
  exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
