"""Helpers shared by the doctor tests (CLI and window)."""

from __future__ import annotations

from console.sandbox import Sandbox


def fast_heartbeat(sandbox: Sandbox) -> None:
    """A heartbeat well within the doctor's wait, on a sandbox that has the notification channel (ws17)."""
    if "heartbeat_seconds" in sandbox.app.snapshot()["switches"]:
        sandbox.control({"switches": {"heartbeat_seconds": "0.2"}})
