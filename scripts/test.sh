#!/usr/bin/env bash
# The project's test command (README): installs into .venv, lints, type-checks, runs pytest.
# Runs pytest inside a private D-Bus session with gnome-keyring unlocked when available, so the
# real-keyring tests exercise the OS Secret Service; falls back to plain pytest otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh  # Qt's offscreen runtime, fonts, gnome-keyring (only what is missing)

if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

export QT_QPA_PLATFORM=offscreen
RUNTIME_DIR=$(mktemp -d); chmod 700 "$RUNTIME_DIR"
export XDG_RUNTIME_DIR="$RUNTIME_DIR"
export XDG_DATA_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d) XDG_STATE_HOME=$(mktemp -d) XDG_CACHE_HOME=$(mktemp -d)
export HOME="${HOME:-$(mktemp -d)}"; mkdir -p "$HOME"

echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== import contracts (pyproject [tool.importlinter])"; .venv/bin/lint-imports
echo "== pytest"
set +e
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  dbus-run-session -- bash -c '
    echo -n ci-keyring-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec .venv/bin/python -m pytest -p no:cacheprovider "$@"' _ "$@"
else
  .venv/bin/python -m pytest -p no:cacheprovider "$@"
fi
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "pytest collected no tests: failing the run"; exit 1; fi
exit $rc
