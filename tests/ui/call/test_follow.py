"""Following a call: legs, phases, pace and give-up (pure)."""

from __future__ import annotations

import pytest

from console.api.models import CallConversation, CallMediaParticipant
from console.ui.call.follow import FollowPace, Phase, give_up_reason, live_legs, next_wait, phase


def call(*legs: tuple[str, str]) -> CallConversation:
    return CallConversation(
        id="c", participants=[CallMediaParticipant(id=p, purpose=p, state=s) for p, s in legs]
    )


@pytest.mark.parametrize(
    ("conv", "expected"),
    [
        (None, Phase.UNKNOWN),
        (call(), Phase.UNKNOWN),
        (call(("acd", "connected")), Phase.UNKNOWN),
        (call(("user", "alerting")), Phase.RINGING),
        (call(("agent", "alerting")), Phase.RINGING),
        (call(("user", "connected")), Phase.CALLING),
        (call(("user", "terminated")), Phase.ENDED),
        (call(("user", "disconnected")), Phase.ENDED),
        (call(("user", "connected"), ("external", "dialing")), Phase.DIALING),
        (call(("agent", "connected"), ("customer", "contacting")), Phase.DIALING),
        (call(("agent", "connected"), ("customer", "connected")), Phase.CONNECTED),
        (call(("user", "connected"), ("external", "disconnected")), Phase.ENDED),
    ],
)
def test_phase(conv: CallConversation | None, expected: Phase) -> None:
    assert phase(conv) is expected


def test_live_legs() -> None:
    conv = call(("user", "connected"), ("external", "disconnected"))
    assert [p.purpose for p in live_legs(conv)] == ["user"]
    assert live_legs(None) == []


def test_pace_never_faster_than_two_seconds_and_backs_off() -> None:
    pace = FollowPace()
    waits = [next_wait(pace, None, changed=True)]
    for _ in range(8):
        waits.append(next_wait(pace, waits[-1], changed=False))
    assert waits[:4] == [2.0, 3.0, 4.5, 6.75]
    assert max(waits) == pace.longest == 10.0
    assert min(waits) >= 2.0
    assert next_wait(pace, 10.0, changed=True) == 2.0  # a change: read again soon
    assert next_wait(FollowPace(first=2.0), 0.1, changed=False) == 2.0


@pytest.mark.parametrize(
    ("conv", "elapsed", "says"),
    [
        (call(("user", "alerting")), 119.0, None),
        (call(("user", "alerting")), 120.0, "station was still ringing"),
        (call(("user", "connected")), 130.0, "far end had not appeared"),
        (call(("user", "connected"), ("external", "dialing")), 200.0, "had not answered"),
        (call(("user", "connected"), ("external", "connected")), 200.0, None),
        (call(("user", "connected"), ("external", "connected")), 3600.0, "may still be connected"),
        (call(("user", "terminated")), 10_000.0, None),
        (None, 120.0, "no leg"),
    ],
)
def test_give_up(conv: CallConversation | None, elapsed: float, says: str | None) -> None:
    reason = give_up_reason(FollowPace(), conv, elapsed)
    if says is None:
        assert reason is None
    else:
        assert reason is not None
        assert says in reason
