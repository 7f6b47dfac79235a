"""Rate-limit awareness: the ``inin-ratelimit-*`` headers and a pacer for bulk loops.

Genesys answers carry ``inin-ratelimit-count`` (requests used in the window),
``inin-ratelimit-allowed`` (the window's budget) and ``inin-ratelimit-reset`` (seconds until
the window resets) (genesys-api.md §9.3); these are the only rate-limit headers the platform sends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class RateLimitState:
    """The rate-limit budget as reported by one response.

    Attributes:
        count: Requests used in the current window.
        allowed: Requests allowed per window.
        reset_seconds: Seconds until the window resets, as of ``observed_at``.
        observed_at: Clock reading (``time.monotonic`` by default) when the response arrived.
    """

    count: int | None
    allowed: int | None
    reset_seconds: float | None
    observed_at: float

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], *, now: float) -> RateLimitState | None:
        """Parse the headers (case-insensitively); None when none of them is present."""
        lower = {k.lower(): v for k, v in headers.items()}
        count = _number(lower.get("inin-ratelimit-count"))
        allowed = _number(lower.get("inin-ratelimit-allowed"))
        reset = _number(lower.get("inin-ratelimit-reset"))
        if count is None and allowed is None and reset is None:
            return None
        return cls(
            count=int(count) if count is not None else None,
            allowed=int(allowed) if allowed is not None else None,
            reset_seconds=reset,
            observed_at=now,
        )

    @property
    def remaining(self) -> int | None:
        """Requests left in the window (never negative), or None when unknown."""
        if self.count is None or self.allowed is None:
            return None
        return max(self.allowed - self.count, 0)

    @property
    def reset_at(self) -> float | None:
        """Clock reading at which the window resets, or None when unknown."""
        return None if self.reset_seconds is None else self.observed_at + self.reset_seconds


class Pacer:
    """Keeps a bulk loop under the rate limit instead of bouncing off 429s.

    Feed it every :class:`RateLimitState` (the client does when given a pacer) and call
    :meth:`acquire` before each request. While the reported budget has more than ``reserve``
    requests left it does not wait; each acquire spends one unit of the local estimate so
    concurrent callers do not overrun between responses. When the estimate reaches
    ``reserve`` it sleeps until the window resets. Thread-safe.

    Args:
        reserve: Requests to leave unused for other work (the UI) in each window.
        clock: Monotonic clock; inject a fake in tests.
        sleep: Sleep function; inject a recorder in tests.
    """

    def __init__(
        self,
        *,
        reserve: int = 5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.reserve = reserve
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._remaining: int | None = None
        self._reset_at: float | None = None
        self.total_waited = 0.0
        """Seconds spent waiting so far."""

    def update(self, state: RateLimitState | None) -> None:
        """Take the budget reported by a response."""
        if state is None:
            return
        with self._lock:
            if state.remaining is not None:
                self._remaining = state.remaining
            if state.reset_at is not None:
                self._reset_at = state.reset_at

    def delay_needed(self) -> float:
        """Seconds the next request should wait (0 when the budget allows it now)."""
        with self._lock:
            return self._delay_locked()

    def _delay_locked(self) -> float:
        if self._remaining is None or self._remaining > self.reserve:
            return 0.0
        if self._reset_at is None:
            return 0.0
        return max(self._reset_at - self._clock(), 0.0)

    def acquire(self, cancel: threading.Event | None = None) -> float:
        """Wait until a request may be sent, then spend one unit; returns the seconds waited.

        Raises:
            console.errors.Cancelled: when ``cancel`` is set during the wait.
        """
        with self._lock:
            wait = self._delay_locked()
            if wait > 0:
                if cancel is not None:
                    if cancel.wait(wait):
                        from console.errors import Cancelled

                        raise Cancelled("cancelled while waiting for the rate-limit window")
                else:
                    self._sleep(wait)
                self.total_waited += wait
                # A new window: the budget is unknown until the next response says so.
                self._remaining = None
                self._reset_at = None
            elif self._remaining is not None:
                self._remaining -= 1
            return wait
