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

# Qt's xcb platform plugin links the X11/xcb libraries; PyInstaller copies them into the bundle only when they
# are installed here, so install them first or the bundle opens no real windows elsewhere.
bash scripts/system-deps.sh --gui

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
