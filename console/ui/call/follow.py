"""Following a placed call: which leg is which, what phase the call is in, when to read it next (pure; no Qt).

A call placed through the API first rings the caller's own station: only the caller's leg exists
(purpose ``user``, or ``agent`` from a queue), ``alerting``. When the station answers the far end
appears (``external``, or ``customer`` from a queue) and walks ``dialing``/``contacting`` →
``connected``. If nobody answers the station, the caller's leg ends ``terminated`` with an
``errorInfo`` and the far end never exists (genesys-api.md §8.3). The follower reads the call no
faster than once per :attr:`FollowPace.first` seconds, backs off while nothing changes, and gives up
after a bounded time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from console.api.models import CallConversation, CallMediaParticipant

ENDED_STATES = frozenset({"disconnected", "terminated"})
"""Participant states after which a leg is over."""

CALLER_PURPOSES = ("user", "agent")
"""Purposes of the caller's own leg (a direct call; a call from a queue)."""

FAR_PURPOSES = ("external", "customer")
"""Purposes of the called party (a direct call; a call from a queue)."""


class Phase(enum.Enum):
    """Where a followed call is."""

    UNKNOWN = "unknown"
    """No leg the follower recognises yet."""
    RINGING = "ringing"
    """Only the caller's leg exists: the caller's station rings."""
    CALLING = "calling"
    """The caller's station answered; the far end is not in the call yet."""
    DIALING = "dialing"
    """The far end exists and is not connected yet."""
    CONNECTED = "connected"
    """The far end answered."""
    ENDED = "ended"
    """The call is over (the far end ended, or the caller's leg ended before there was one)."""


def _first(conv: CallConversation, purposes: tuple[str, ...]) -> CallMediaParticipant | None:
    return next((p for p in conv.participants if p.purpose in purposes), None)


def caller_leg(conv: CallConversation) -> CallMediaParticipant | None:
    """The caller's own leg (``user`` or ``agent``), if present."""
    return _first(conv, CALLER_PURPOSES)


def far_leg(conv: CallConversation) -> CallMediaParticipant | None:
    """The called party (``external`` or ``customer``), if it exists yet."""
    return _first(conv, FAR_PURPOSES)


def is_over(leg: CallMediaParticipant | None) -> bool:
    """Whether a leg has ended."""
    return leg is not None and (leg.state or "") in ENDED_STATES


def phase(conv: CallConversation | None) -> Phase:
    """The phase of the call as last read."""
    if conv is None:
        return Phase.UNKNOWN
    caller, far = caller_leg(conv), far_leg(conv)
    if far is not None:
        if is_over(far):
            return Phase.ENDED
        return Phase.CONNECTED if far.state == "connected" else Phase.DIALING
    if caller is None:
        return Phase.UNKNOWN
    if is_over(caller):
        return Phase.ENDED
    return Phase.CALLING if caller.state == "connected" else Phase.RINGING


def live_legs(conv: CallConversation | None) -> list[CallMediaParticipant]:
    """The legs that have not ended (what a hang-up must disconnect)."""
    if conv is None:
        return []
    return [p for p in conv.participants if p.id and not is_over(p)]


def failure(conv: CallConversation) -> CallMediaParticipant | None:
    """The leg whose ``errorInfo`` says why the call died: the far end's, else the caller's."""
    for leg in (far_leg(conv), caller_leg(conv)):
        if leg is not None and leg.error_info is not None:
            return leg
    return None


@dataclass(frozen=True)
class FollowPace:
    """How often the follower reads the call and when it gives up.

    Attributes:
        first: Seconds between reads right after a change (never faster; a token has 300 requests a minute).
        factor: Each read that shows no change multiplies the wait by this.
        longest: The wait never grows beyond this.
        setup_limit: Seconds after placing by which the far end must have connected (or the call ended);
            past it the follower stops (a real station rings about 60 s before it gives up).
        follow_limit: Seconds after placing after which even a connected call is no longer followed.
    """

    first: float = 2.0
    factor: float = 1.5
    longest: float = 10.0
    setup_limit: float = 120.0
    follow_limit: float = 3600.0


def signature(conv: CallConversation) -> tuple[tuple[str | None, str | None], ...]:
    """What counts as a change between two reads: each leg's purpose and state."""
    return tuple((p.purpose, p.state) for p in conv.participants)


def next_wait(pace: FollowPace, previous: float | None, changed: bool) -> float:
    """Seconds until the next read: :attr:`FollowPace.first` after a change, else backed off, capped."""
    if previous is None or changed:
        return pace.first
    return min(max(previous * pace.factor, pace.first), pace.longest)


def give_up_reason(pace: FollowPace, conv: CallConversation | None, elapsed: float) -> str | None:
    """Why the follower stops following a call that has not ended, or None to keep going."""
    where = phase(conv)
    if where is Phase.ENDED:
        return None
    if where is not Phase.CONNECTED and elapsed >= pace.setup_limit:
        waiting = {
            Phase.RINGING: "the caller's station was still ringing",
            Phase.CALLING: "the far end had not appeared in the call",
            Phase.DIALING: "the called number had not answered",
            Phase.UNKNOWN: "Genesys showed no leg this console recognises",
        }[where]
        return (
            f"Stopped following after {round(elapsed)} s: {waiting}. The call may still exist in "
            "Genesys; Hang up ends whatever legs it has."
        )
    if elapsed >= pace.follow_limit:
        return (
            f"Stopped following after {round(elapsed / 60)} min; the call may still be connected. "
            "Hang up ends it."
        )
    return None
