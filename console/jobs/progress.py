"""Progress reports of long jobs: a plain callback taking :class:`JobProgress` (no Qt)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """What a job is doing."""

    PREPARING = "preparing"
    """Reading the file, planning, opening the journal."""
    SENDING = "sending"
    """Upsert mode: posting chunks of contacts."""
    UPLOADING = "uploading"
    """Import mode: sending the file."""
    IMPORTING = "importing"
    """Import mode: the server imports; polling importstatus."""
    CHECKING = "checking"
    """Resume: finding out whether a request whose answer was lost reached the server."""
    VERIFYING = "verifying"
    """Reconciliation: list size and keys against the source."""
    PAUSED = "paused"
    """Waiting for the caller to un-pause."""
    FINISHED = "finished"
    """Nothing more to do (whatever the outcome)."""


@dataclass(frozen=True)
class JobProgress:
    """One progress report.

    Attributes:
        phase: What the job is doing.
        rows_done: Rows settled (confirmed or rejected), including earlier runs of a resumed job.
        rows_total: Rows the job sends.
        rows_per_s: Recent throughput of this run (0 until known).
        eta_s: Seconds left at that rate, or None when unknown.
        rows_rejected: Rows the server refused so far.
        rows_skipped: Rows not sent (invalid, blank, no id).
        message: A short human line (what is waited for, which chunk ...).
    """

    phase: Phase
    rows_done: int
    rows_total: int
    rows_per_s: float
    eta_s: float | None
    rows_rejected: int = 0
    rows_skipped: int = 0
    message: str = ""

    @property
    def fraction(self) -> float:
        """0..1 for a progress bar."""
        return 1.0 if self.rows_total <= 0 else min(1.0, self.rows_done / self.rows_total)


ProgressCallback = Callable[[JobProgress], None]
"""Receives progress on the job's thread; must return quickly (a Qt worker emits a signal)."""


class RateMeter:
    """Rows per second over a sliding window of recent samples.

    The window spans several rate-limit windows (60 s each) so that a budget-bound job's
    rate (bursts, then waits for the reset) averages out to what it really achieves.

    Args:
        window: Seconds of history that count.
        clock: Monotonic clock (injectable).
    """

    def __init__(self, window: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()
        self._start: tuple[float, int] | None = None

    def add(self, rows_done: int) -> None:
        """Record the running count of rows done in this run."""
        now = self._clock()
        if self._start is None:
            self._start = (now, rows_done)
        self._samples.append((now, rows_done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
            self._samples.popleft()

    def start(self, rows_done: int) -> None:
        """Mark the moment work begins (rows already done do not count towards the rate)."""
        self._samples.clear()
        self._start = None
        self.add(rows_done)

    @property
    def rate(self) -> float:
        """Rows per second (0 when fewer than two samples)."""
        if len(self._samples) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def eta(self, remaining: int) -> float | None:
        """Seconds left for ``remaining`` rows, or None while the rate is unknown."""
        rate = self.rate
        if remaining <= 0:
            return 0.0
        return remaining / rate if rate > 0 else None
