"""What the call page says about a call: its live state and its outcome (pure; no Qt)."""

from __future__ import annotations

from console.api.models import CallMediaParticipant
from console.ui.call.workers import ENDED_STATES

CONNECTED_COLOUR = "#146c2e"
ENDED_COLOUR = "#444"
WAITING_COLOUR = "#8a6100"


def state_text(external: CallMediaParticipant | None, connected_seconds: int | None) -> tuple[str, str]:
    """The state line for the called party, and its colour.

    Args:
        external: The called party as last read (None: not in the call yet).
        connected_seconds: Seconds since the call was first seen connected.
    """
    state = (external.state if external is not None else None) or "unknown"
    if state == "connected":
        seconds = connected_seconds or 0
        return f"Connected {seconds // 60:02d}:{seconds % 60:02d}", CONNECTED_COLOUR
    if state in ENDED_STATES:
        why = ""
        if external is not None and external.error_info is not None:
            why = f": {external.error_info.message}"
        return f"Ended ({external.disconnect_type if external else 'unknown'}){why}", ENDED_COLOUR
    return f"{state.capitalize()}…", WAITING_COLOUR


def outcome_text(external: CallMediaParticipant, connected: bool) -> str:
    """The history's result of a call that ended (``connected``: it was answered)."""
    if external.error_info is not None:
        return f"failed: {external.error_info.message or external.error_info.code}"
    if connected:
        return f"connected, ended by {external.disconnect_type or '?'}"
    return f"not answered ({external.disconnect_type or '?'})"
