#!/usr/bin/env bash
# Build the one-folder desktop bundle: dist/outbound-console/ and dist/outbound-console-<version>-<os>-<arch>.tar.gz.
# Usage: bash packaging/build.sh          (from anywhere; creates .venv when missing)
# Then:  dist/outbound-console/outbound-console self-test
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
if [ ! -x "$PY" ]; then python3 -m venv .venv; fi
# The app plus the pinned PyInstaller (the `packaging` extra); not the test tools, which the spec excludes.
"$PY" -m pip install -q -e '.[packaging]'

# Qt's xcb platform plugin links these; PyInstaller copies them into the bundle only when they are
# installed here, so install them first (Debian/Ubuntu) or the bundle opens no real windows elsewhere.
XCB_PKGS=(libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-shape0
          libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${XCB_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

VERSION=$("$PY" packaging/version_info.py)
OS=$("$PY" -c 'import sys; print({"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform))')
ARCH=$("$PY" -c 'import platform; print(platform.machine().lower())')

start=$(date +%s)
rm -rf build/pyinstaller dist/outbound-console
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/outbound-console.spec

ARCHIVE="dist/outbound-console-${VERSION}-${OS}-${ARCH}.tar.gz"
tar -C dist -czf "$ARCHIVE" outbound-console
end=$(date +%s)

echo "built dist/outbound-console ($(du -sh dist/outbound-console | cut -f1)) and $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1)) in $((end - start)) s"
