"""What the call page says about a call: its live state and its outcome (pure; no Qt)."""

from __future__ import annotations

from console.api.explain import explain
from console.api.models import CallConversation, ErrorInfo
from console.ui.call.follow import Phase, caller_leg, failure, far_leg, phase

CONNECTED_COLOUR = "#146c2e"
ENDED_COLOUR = "#444"
WAITING_COLOUR = "#8a6100"

RINGING_TEXT = "Ringing your station — answer it to start the call"
"""While only the caller's leg exists (genesys-api.md §8.3)."""


def error_words(info: ErrorInfo) -> str:
    """A leg's ``errorInfo`` in plain words: the catalog's summary, else the platform's message or code."""
    explanation = explain(info)
    if explanation.key != "unknown":
        return explanation.summary
    return info.message or info.code or "unknown error"


def error_advice(info: ErrorInfo) -> str:
    """The catalog's summary, cause and fix for a leg's ``errorInfo`` (the platform's words when unknown)."""
    explanation = explain(info)
    if explanation.key == "unknown":
        return f"The call failed: {info.message or info.code}"
    return f"{explanation.summary} Cause: {explanation.cause} Fix: {explanation.fix}"


def state_text(
    conv: CallConversation | None, connected_seconds: int | None, *, station_of: str | None = None
) -> tuple[str, str]:
    """The state line for the followed call, and its colour.

    Args:
        conv: The call as last read (None: not read yet).
        connected_seconds: Seconds since the far end was first seen connected.
        station_of: Whose station rings, when the call was placed on behalf of another user.
    """
    where = phase(conv)
    if where is Phase.RINGING:
        if station_of:
            return (
                f"Ringing the station of {station_of} — it must be answered to start the call",
                WAITING_COLOUR,
            )
        return RINGING_TEXT, WAITING_COLOUR
    if where is Phase.CALLING:
        return "Station answered; calling the number…", WAITING_COLOUR
    if where is Phase.CONNECTED:
        seconds = connected_seconds or 0
        return f"Connected {seconds // 60:02d}:{seconds % 60:02d}", CONNECTED_COLOUR
    if where is Phase.ENDED and conv is not None:
        leg = far_leg(conv) or caller_leg(conv)
        failed = failure(conv)
        why = f": {error_words(failed.error_info)}" if failed is not None and failed.error_info else ""
        return (
            f"Ended ({leg.disconnect_type if leg and leg.disconnect_type else 'unknown'}){why}",
            ENDED_COLOUR,
        )
    far = far_leg(conv) if conv is not None else None
    state = (far.state if far is not None else None) or "unknown"
    return f"{state.capitalize()}…", WAITING_COLOUR


def outcome_text(conv: CallConversation, connected: bool) -> str:
    """The history's result of a call that ended (``connected``: the far end answered)."""
    failed = failure(conv)
    if failed is not None and failed.error_info is not None:
        return f"failed: {error_words(failed.error_info)}"
    far = far_leg(conv)
    if far is None:
        caller = caller_leg(conv)
        how = (caller.disconnect_type if caller is not None else None) or "?"
        return f"ended before the number was dialled ({how})"
    if connected:
        return f"connected, ended by {far.disconnect_type or '?'}"
    return f"not answered ({far.disconnect_type or '?'})"
