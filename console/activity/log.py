"""The activity log file: atomic, durable appends under a lock; rotation by size; tolerant reading.

Every writer (the window, the command line, the upload's child process) goes through
:class:`ActivityLog`. An append:

1. takes an exclusive OS lock on ``activity.lock`` beside the log (fcntl on POSIX, msvcrt on
   Windows; threads of one process each open their own descriptor, so they queue too);
2. rotates when the record would take the file past ``max_bytes``: ``activity.jsonl`` →
   ``activity.jsonl.1`` → ``.2`` ... up to ``keep`` (the oldest is dropped);
3. opens ``activity.jsonl`` with ``O_APPEND`` (created ``0600``), writes the whole line with one
   ``os.write`` (preceded by a newline when a torn line from a crash ends the file, so the new
   record starts clean), and fsyncs it before the lock is released.

Reading never fails on damage: a line that is not a record is skipped and reported as a
:class:`ReadProblem` (a torn last line, written when the power went, says so).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from console import paths
from console.activity.record import (
    VERSION,
    Action,
    ActivityContext,
    ActivityRecord,
    Result,
    Target,
    scrub,
)

__all__ = [
    "LOG_NAME",
    "ActivityLog",
    "ReadProblem",
    "ReadResult",
    "current_context",
    "default_log",
    "record",
    "set_context",
    "writing_to",
]

LOG_NAME = "activity.jsonl"
"""File name of the live log in the data folder."""
LOCK_NAME = "activity.lock"
"""File name of the writers' lock beside it."""
MAX_BYTES = 5 * 1024 * 1024
"""Default size at which the log rotates."""
KEEP = 5
"""Default number of rotated files kept (``activity.jsonl.1`` newest ... ``.5`` oldest)."""

_log = logging.getLogger(__name__)
_thread_lock = threading.Lock()


@dataclass(frozen=True)
class ReadProblem:
    """A line that was skipped while reading.

    Attributes:
        path: The file.
        line: 1-based line number.
        reason: Why it was skipped (``torn last line``, ``not JSON``, ``not a record``...).
    """

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path.name} line {self.line}: {self.reason}"


@dataclass
class ReadResult:
    """What a read found: the records, oldest first, and the lines skipped."""

    records: list[ActivityRecord] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


class ActivityLog:
    """One activity log file and its rotated predecessors.

    Args:
        path: The live file (default: ``activity.jsonl`` in the data folder).
        max_bytes: Rotate when a record would take the file past this size.
        keep: Rotated files kept.
    """

    def __init__(self, path: Path | None = None, *, max_bytes: int = MAX_BYTES, keep: int = KEEP) -> None:
        self._path = path
        self.max_bytes = max_bytes
        self.keep = keep

    @property
    def path(self) -> Path:
        """The live file (resolved at each use: the data folder may move, as in tests)."""
        return self._path if self._path is not None else paths.data_dir() / LOG_NAME

    def pinned(self) -> ActivityLog:
        """This log with its path resolved now, for another process to write (see :func:`writing_to`).

        A spawned child resolves the data folder afresh, from its own environment: a launcher or
        script that sets ``XDG_DATA_HOME`` when its main module is imported (spawn re-imports it)
        gives the child another folder. The pinned log keeps the parent's file.
        """
        return ActivityLog(self.path, max_bytes=self.max_bytes, keep=self.keep)

    def files(self) -> list[Path]:
        """The existing files, oldest first (``.N`` ... ``.1``, then the live one)."""
        live = self.path
        rotated = [live.with_name(f"{live.name}.{n}") for n in range(self.keep, 0, -1)]
        return [p for p in [*rotated, live] if p.exists()]

    # -- writing ----------------------------------------------------------------------------

    def append(self, entry: ActivityRecord) -> None:
        """Append one record durably (see the module docstring).

        Raises:
            OSError: The folder or file cannot be written.
        """
        data = entry.line()
        live = self.path
        paths.private_dir(live.parent)
        with _thread_lock, self._locked(live.with_name(LOCK_NAME)):
            self._rotate_if_needed(live, len(data))
            fd = os.open(live, os.O_RDWR | os.O_APPEND | os.O_CREAT, paths.FILE_MODE)
            try:
                if sys.platform != "win32":
                    os.fchmod(fd, paths.FILE_MODE)
                if _ends_torn(fd):
                    data = b"\n" + data
                view = memoryview(data)
                while view:  # one write unless the disk fills mid-record
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)

    def _rotate_if_needed(self, live: Path, incoming: int) -> None:
        try:
            size = live.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        oldest = live.with_name(f"{live.name}.{self.keep}")
        with contextlib.suppress(FileNotFoundError):
            oldest.unlink()
        for n in range(self.keep - 1, 0, -1):
            with contextlib.suppress(FileNotFoundError):
                os.replace(live.with_name(f"{live.name}.{n}"), live.with_name(f"{live.name}.{n + 1}"))
        os.replace(live, live.with_name(f"{live.name}.1"))
        _fsync_dir(live.parent)

    @staticmethod
    @contextlib.contextmanager
    def _locked(lock_path: Path) -> Iterator[None]:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, paths.FILE_MODE)
        try:
            if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # -- reading ----------------------------------------------------------------------------

    def read(self, *, since: datetime | None = None, actions: Iterable[str] = ()) -> ReadResult:
        """Every readable record, oldest first (rotated files included); damaged lines are reported.

        Args:
            since: Only records at or after this moment.
            actions: Only these actions (an action or its prefix: ``upload`` means ``upload.*``).
        """
        wanted = tuple(actions)
        result = ReadResult()
        for path in self.files():
            for entry in _read_file(path, result.problems):
                if since is not None and entry.when < since:
                    continue
                if wanted and not any(_matches(entry.action, a) for a in wanted):
                    continue
                result.records.append(entry)
        return result

    def raw_lines(self) -> Iterator[str]:
        """The complete lines of every file, oldest first, as written (a torn last line is left out)."""
        for path in self.files():
            with path.open("rb") as fh:
                for raw in fh:
                    if raw.endswith(b"\n") and raw.strip():
                        yield raw.decode("utf-8", errors="replace").rstrip("\n")


def _matches(action: str, wanted: str) -> bool:
    return action == wanted or action.startswith(wanted.rstrip(".") + ".")


def _ends_torn(fd: int) -> bool:
    if os.fstat(fd).st_size == 0:
        return False
    os.lseek(fd, -1, os.SEEK_END)  # O_APPEND writes go to the end whatever the offset
    return os.read(fd, 1) != b"\n"


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - directories cannot be opened there
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_file(path: Path, problems: list[ReadProblem]) -> Iterator[ActivityRecord]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(ReadProblem(path, 0, f"unreadable: {exc.strerror or exc}"))
        return
    lines = data.split(b"\n")
    torn_tail = not data.endswith(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        last = number == len(lines)
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            reason = "torn last line (an interrupted write)" if last and torn_tail else "not JSON"
            problems.append(ReadProblem(path, number, reason))
            continue
        if body.get("version") != VERSION:
            problems.append(ReadProblem(path, number, f"unknown version {body.get('version')!r}"))
            continue
        try:
            yield ActivityRecord.model_validate(body)
        except ValidationError as exc:
            problems.append(ReadProblem(path, number, f"not a record ({exc.error_count()} errors)"))


# -- the process's log and context ----------------------------------------------------------

_default = ActivityLog()
_context = ActivityContext()


def default_log() -> ActivityLog:
    """The log every writer of this process uses (the data folder's ``activity.jsonl``)."""
    return _default


@contextlib.contextmanager
def writing_to(log: ActivityLog | None) -> Iterator[ActivityLog]:
    """Make ``log`` this process's default log (:func:`default_log`) inside the block; None keeps it.

    A child process that writes for its parent (the upload's) runs its work inside
    ``writing_to(parent_log)``, the parent's :meth:`ActivityLog.pinned` log, so its records land
    in the file the parent reads whatever data folder the child would resolve.
    """
    global _default
    previous = _default
    if log is not None:
        _default = log
    try:
        yield _default
    finally:
        _default = previous


def set_context(context: ActivityContext) -> None:
    """Make ``context`` the one this process's records carry unless given their own (the window's)."""
    global _context
    _context = context


def current_context() -> ActivityContext:
    """The context set by :func:`set_context` (empty until then)."""
    return _context


def record(
    action: Action | str,
    *,
    target: Target | Mapping[str, str | None] | None = None,
    result: Result | str = Result.OK,
    counts: Mapping[str, int] | None = None,
    correlation_ids: Sequence[str | None] = (),
    job_id: str | None = None,
    message: str | None = "",
    details: Mapping[str, str | int | float | bool | None] | None = None,
    context: ActivityContext | None = None,
    log: ActivityLog | None = None,
) -> ActivityRecord | None:
    """Append one record; returns it, or None when the log could not be written (logged, never raised).

    Recording is a side channel: a full disk must not fail the list update it records.
    """
    ctx = context if context is not None else _context
    entry = ActivityRecord(
        profile=ctx.profile,
        org_id=ctx.org_id,
        org_name=ctx.org_name,
        region=ctx.region,
        actor=ctx.actor,
        action=str(action),
        target=target if isinstance(target, Target) else Target.model_validate(dict(target or {})),
        result=str(result),
        counts=dict(counts or {}),
        correlation_ids=[c for c in correlation_ids if c],
        job_id=job_id,
        message=scrub(message),
        details={k: scrub(v) if isinstance(v, str) else v for k, v in (details or {}).items()},
    )
    try:
        (log or _default).append(entry)
    except OSError as exc:
        _log.warning("activity log not written (%s): %s", entry.action, exc)
        return None
    return entry
