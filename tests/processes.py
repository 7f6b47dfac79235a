"""Test helper: run a parent process until it prints a line, then SIGKILL it (it cleans up nothing)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def first_line_then_kill(script: Path, env: Mapping[str, str] | None = None) -> str:
    """Run ``script`` with this Python, return its first stdout line, then SIGKILL it and reap it."""
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=dict(env) if env else None
    )
    try:
        assert parent.stdout is not None
        return parent.stdout.readline().strip()
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
