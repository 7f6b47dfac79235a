"""Helpers shared by the doctor tests (CLI and window)."""

from __future__ import annotations

from console.sandbox import Sandbox


def fast_heartbeat(sandbox: Sandbox) -> None:
    """A heartbeat well within the doctor's wait (the sandbox's default is Genesys's 30 s)."""
    sandbox.control({"switches": {"heartbeat_seconds": "0.2"}})
