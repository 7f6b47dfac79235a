#!/usr/bin/env bash
# Installs everything (system libraries, .venv with the app) and opens the app — on the embedded sandbox when no
# profile exists yet. Extra arguments go to `outbound-console` (e.g. `bash scripts/run.sh sandbox --port 8765`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh --gui
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
exec .venv/bin/outbound-console "$@"
