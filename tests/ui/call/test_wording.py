"""What the call page says about a call (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from console.api.models import CallConversation, CallMediaParticipant, ErrorInfo
from console.ui.call.wording import (
    CONNECTED_COLOUR,
    ENDED_COLOUR,
    RINGING_TEXT,
    WAITING_COLOUR,
    error_advice,
    outcome_text,
    state_text,
)


def party(purpose: str = "external", **fields: Any) -> CallMediaParticipant:
    return CallMediaParticipant(id=purpose[0], purpose=purpose, **fields)


def call(*legs: CallMediaParticipant) -> CallConversation:
    return CallConversation(id="c", participants=list(legs))


CALLER = party("user", state="connected")
BAD = ErrorInfo(code="error.ininedgecontrol.remote.busy", message="User busy")
TIMEOUT = ErrorInfo(code="error.ininedgecontrol.connection.timeout", message="Timed out")
TIMED_OUT = party("user", state="terminated", disconnect_type="error", error_info=TIMEOUT)


@pytest.mark.parametrize(
    ("conv", "seconds", "text", "colour"),
    [
        (None, None, "Unknown…", WAITING_COLOUR),
        (call(), None, "Unknown…", WAITING_COLOUR),
        (call(party("user", state="alerting")), None, RINGING_TEXT, WAITING_COLOUR),
        (call(party("agent", state="alerting")), None, RINGING_TEXT, WAITING_COLOUR),
        (call(CALLER), None, "Station answered; calling the number…", WAITING_COLOUR),
        (call(CALLER, party(state="dialing")), None, "Dialing…", WAITING_COLOUR),
        (call(CALLER, party("customer", state="contacting")), None, "Contacting…", WAITING_COLOUR),
        (call(CALLER, party(state="connected")), 0, "Connected 00:00", CONNECTED_COLOUR),
        (
            call(party("agent"), party("customer", state="connected")),
            125,
            "Connected 02:05",
            CONNECTED_COLOUR,
        ),
        (
            call(CALLER, party(state="disconnected", disconnect_type="client")),
            9,
            "Ended (client)",
            ENDED_COLOUR,
        ),
        (call(CALLER, party(state="terminated", disconnect_type="peer")), None, "Ended (peer)", ENDED_COLOUR),
        (
            call(CALLER, party(state="disconnected", disconnect_type="error", error_info=BAD)),
            None,
            "Ended (error): User busy",
            ENDED_COLOUR,
        ),
        (
            call(TIMED_OUT),
            None,
            "Ended (error): The call ended before the number was dialled: "
            "nobody answered the caller's station.",
            ENDED_COLOUR,
        ),
    ],
)
def test_state_text(conv: CallConversation | None, seconds: int | None, text: str, colour: str) -> None:
    assert state_text(conv, seconds) == (text, colour)


def test_ringing_someone_elses_station() -> None:
    text, _ = state_text(call(party("user", state="alerting")), None, station_of="Avery Agent")
    assert text.startswith("Ringing the station of Avery Agent")


@pytest.mark.parametrize(
    ("conv", "connected", "text"),
    [
        (call(CALLER, party(disconnect_type="peer")), True, "connected, ended by peer"),
        (call(CALLER, party()), True, "connected, ended by ?"),
        (call(CALLER, party(disconnect_type="timeout")), False, "not answered (timeout)"),
        (call(CALLER, party()), False, "not answered (?)"),
        (call(CALLER, party(error_info=BAD)), True, "failed: User busy"),
        (call(CALLER, party(error_info=ErrorInfo(code="error.x"))), False, "failed: error.x"),
        (
            call(party("user", disconnect_type="client")),
            False,
            "ended before the number was dialled (client)",
        ),
        (
            call(TIMED_OUT),
            False,
            "failed: The call ended before the number was dialled: nobody answered the caller's station.",
        ),
    ],
)
def test_outcome_text(conv: CallConversation, connected: bool, text: str) -> None:
    assert outcome_text(conv, connected) == text


def test_error_advice_decodes_the_station_timeout() -> None:
    advice = error_advice(TIMEOUT)
    assert "nobody answered the caller's station" in advice.lower()
    assert "log in a station/softphone with auto-answer, or answer it" in advice.lower()
    assert error_advice(BAD) == "The call failed: User busy"
