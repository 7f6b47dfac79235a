"""What the parts of a running upload share: the job's client, journal and rows, its flags, its progress.

:class:`JobContext` is handed to the upsert sender, the import sender and the reconciliation;
they call :meth:`JobContext.checkpoint` between requests (cancel and pause),
:meth:`JobContext.sleep` for their own waits and :meth:`JobContext.report` for progress.

Cancel and pause are plain flags (:class:`Flag`: anything with ``is_set()``, such as a
``threading.Event`` or a child process's view of a shared-memory flag), so the job neither knows
nor cares whether it runs in a thread or a child. :class:`FlagEvent` turns such a flag into the
``threading.Event`` the client and its pacer wait on, without a relay thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from console import activity
from console.api.client import GenesysClient
from console.api.errors import ApiStatusError
from console.contacts.reader import CsvSource
from console.errors import Cancelled
from console.jobs.journal import Journal, RowState
from console.jobs.progress import JobProgress, Phase, ProgressCallback, RateMeter
from console.jobs.rows import SourceRows
from console.jobs.upload.options import UploadOptions
from console.jobs.upload.results import RowRejection

__all__ = ["FatalError", "Flag", "FlagEvent", "JobContext", "StalledError", "error_code"]

_POLL = 0.05
"""Seconds between looks at a handed-in flag while waiting."""


class Flag(Protocol):
    """A cancel or pause flag: a ``threading.Event``, a shared-memory flag's wrapper, any ``is_set()``."""

    def is_set(self) -> bool:
        """True while the flag is raised."""
        ...


class FlagEvent(threading.Event):
    """A ``threading.Event`` that is also set while ``flag`` is (the job's own :meth:`set` adds to it).

    :meth:`wait` looks at ``flag`` every 50 ms, so the client's retry and pacing waits end
    soon after the flag's owner (another thread or process) raises it. Without ``flag`` it is
    a plain event.

    Args:
        flag: The caller's flag, or None.
    """

    def __init__(self, flag: Flag | None = None) -> None:
        super().__init__()
        self.flag = flag

    def is_set(self) -> bool:
        """True once set here, or while the caller's flag is set."""
        return super().is_set() or (self.flag is not None and self.flag.is_set())

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`is_set` or ``timeout`` seconds; returns :meth:`is_set`."""
        if self.flag is None:
            return super().wait(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            step = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            if step <= 0:
                return False
            super().wait(step)  # a local set() ends it early
        return True


class FatalError(Exception):
    """Stops the run with FAILED (the message says why)."""


class StalledError(Exception):
    """Stops the run with INTERRUPTED: waited too long for the server (the message says how to resume)."""


def error_code(exc: ApiStatusError) -> str:
    """The server's error code, or ``http.<status>`` when it gave none."""
    return exc.code or f"http.{exc.status_code}"


class JobContext:
    """One job's shared state and controls.

    Attributes:
        api: The client.
        journal: The job's journal.
        rows: The rows to send and their values.
        options: What to send and how.
        list_id: Target list.
        job_id: Printable id.
        cancel_event: Set to stop (also handed to the client for its waits).
        pause_event: Set to hold between requests.
        rows_total: Rows the job sends.
        progress: Where reports go (set for each run).
    """

    def __init__(
        self,
        api: GenesysClient,
        journal: Journal,
        rows: SourceRows,
        options: UploadOptions,
        list_id: str,
        *,
        cancel: Flag | None = None,
        pause: Flag | None = None,
    ) -> None:
        self.api = api
        self.journal = journal
        self.rows = rows
        self.options = options
        self.list_id = list_id
        self.job_id = journal.job_id
        self.cancel_event = FlagEvent(cancel)
        self.pause_event = FlagEvent(pause)
        meta = journal.meta()
        self.rows_total = int(meta["rows_total"])
        self.activity_context = activity.ActivityContext.from_labels(meta.get("connection") or {})
        """Who uploads where, from the journal's connection labels (the window's or the CLI's)."""
        name = (meta.get("definition") or {}).get("name")
        self.activity_target = activity.Target(kind="list", id=list_id, name=name)
        self.progress: ProgressCallback | None = None
        self.meter = RateMeter()
        self._phase = Phase.PREPARING
        self.live_factory: Callable[..., Any] | None = None
        """Makes a client for the notification channel (``session.new_client``); None: poll importstatus."""

    @property
    def source(self) -> CsvSource:
        """The CSV the rows come from."""
        return self.rows.source

    @property
    def resume_hint(self) -> str:
        """The command that continues this job."""
        return f"outbound-console upload --resume {self.job_id}"

    def checkpoint(self) -> None:
        """Between requests: stop on cancel, hold while paused (reporting PAUSED, then the phase before).

        Raises:
            Cancelled: The cancel flag is set.
        """
        if self.cancel_event.is_set():
            raise Cancelled("cancelled")
        if self.pause_event.is_set():
            before = self._phase
            self.report(Phase.PAUSED, "paused")
            self.activity(activity.Action.UPLOAD_PAUSED, counts=self.counts())
            while self.pause_event.is_set():
                if self.cancel_event.wait(0.1):
                    raise Cancelled("cancelled")
            self.activity(activity.Action.UPLOAD_RESUMED, counts=self.counts())
            self.report(before)

    def activity(self, action: activity.Action, **fields: Any) -> None:
        """Record ``action`` of this job in the activity log (mode and job id filled in)."""
        details = {"mode": self.options.mode.value, **fields.pop("details", {})}
        if action is activity.Action.IMPORT_FAILED:
            fields.setdefault("result", activity.Result.FAILED)
        activity.record(
            action,
            target=self.activity_target,
            job_id=self.job_id,
            context=self.activity_context,
            details=details,
            **fields,
        )

    def sleep(self, seconds: float) -> None:
        """Wait, or stop early on cancel.

        Raises:
            Cancelled: The cancel flag was set during the wait.
        """
        if self.cancel_event.wait(seconds):
            raise Cancelled("cancelled")

    def report(self, phase: Phase | None = None, message: str = "", rows_done: int | None = None) -> None:
        """Send one progress report (``phase`` None keeps the current phase)."""
        if phase is not None:
            self._phase = phase
        counts = self.journal.counts()
        done = counts[RowState.CONFIRMED] + counts[RowState.REJECTED] if rows_done is None else rows_done
        self.meter.add(done)
        if self.progress is None:
            return
        self.progress(
            JobProgress(
                phase=self._phase,
                rows_done=done,
                rows_total=self.rows_total,
                rows_per_s=self.meter.rate,
                eta_s=self.meter.eta(self.rows_total - done),
                rows_rejected=counts[RowState.REJECTED],
                rows_skipped=counts[RowState.SKIPPED],
                message=message,
            )
        )

    def counts(self) -> dict[str, int]:
        """The activity log's counts: rows selected, sent (confirmed), skipped and refused so far."""
        counts = self.journal.counts()
        return {
            "rows_total": self.rows_total,
            "sent": counts[RowState.CONFIRMED],
            "skipped": counts[RowState.SKIPPED],
            "refused": counts[RowState.REJECTED],
        }

    def list_size(self) -> int:
        """The target list's size now.

        Raises:
            FatalError: The server did not report it.
        """
        size = self.api.get_contact_list(self.list_id, include_size=True).size
        if size is None:
            raise FatalError("the server did not report the list size (includeSize); cannot check the import")
        return size

    def rejections(self) -> list[RowRejection]:
        """Every rejected row with the server's reason and its line in the file."""
        return [
            RowRejection(o.row, self.line_of(o.row), o.source_id, o.code or "", o.message or "")
            for o in self.journal.outcomes(RowState.REJECTED)
        ]

    def line_of(self, row: int) -> int:
        """1-based physical line of data record ``row`` (0 when past the end)."""
        try:
            return self.source.physical_line(row)
        except IndexError:
            return 0
