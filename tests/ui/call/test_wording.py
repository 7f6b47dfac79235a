"""What the call page says about a call (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from console.api.models import CallMediaParticipant, ErrorInfo
from console.ui.call.wording import (
    CONNECTED_COLOUR,
    ENDED_COLOUR,
    WAITING_COLOUR,
    outcome_text,
    state_text,
)


def party(**fields: Any) -> CallMediaParticipant:
    return CallMediaParticipant(id="e", purpose="external", **fields)


BAD = ErrorInfo(code="error.ininedgecontrol.remote.busy", message="User busy")


@pytest.mark.parametrize(
    ("external", "seconds", "text", "colour"),
    [
        (None, None, "Unknown…", WAITING_COLOUR),
        (party(), None, "Unknown…", WAITING_COLOUR),
        (party(state="dialing"), None, "Dialing…", WAITING_COLOUR),
        (party(state="alerting"), None, "Alerting…", WAITING_COLOUR),
        (party(state="connected"), 0, "Connected 00:00", CONNECTED_COLOUR),
        (party(state="connected"), 125, "Connected 02:05", CONNECTED_COLOUR),
        (party(state="disconnected", disconnect_type="client"), 9, "Ended (client)", ENDED_COLOUR),
        (party(state="terminated", disconnect_type="peer"), None, "Ended (peer)", ENDED_COLOUR),
        (
            party(state="disconnected", disconnect_type="error", error_info=BAD),
            None,
            "Ended (error): User busy",
            ENDED_COLOUR,
        ),
    ],
)
def test_state_text(
    external: CallMediaParticipant | None, seconds: int | None, text: str, colour: str
) -> None:
    assert state_text(external, seconds) == (text, colour)


@pytest.mark.parametrize(
    ("external", "connected", "text"),
    [
        (party(disconnect_type="peer"), True, "connected, ended by peer"),
        (party(), True, "connected, ended by ?"),
        (party(disconnect_type="timeout"), False, "not answered (timeout)"),
        (party(), False, "not answered (?)"),
        (party(error_info=BAD), True, "failed: User busy"),
        (party(error_info=ErrorInfo(code="error.x")), False, "failed: error.x"),
    ],
)
def test_outcome_text(external: CallMediaParticipant, connected: bool, text: str) -> None:
    assert outcome_text(external, connected) == text
