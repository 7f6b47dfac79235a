"""The activity page's pure parts: the filter, the wording, the injection-safe CSV, the journal summary.

No Qt: the page and its tests use these directly.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from console.activity import ActivityRecord

__all__ = [
    "COLUMNS",
    "ActivityFilter",
    "JournalSummary",
    "cells",
    "csv_text",
    "opens",
    "read_journal",
    "safe_cell",
]

COLUMNS = ("When", "Org", "Action", "Result", "Target", "Counts", "Job", "Message")
"""The table's columns (the CSV adds the ids)."""

CSV_HEADER = (
    "at", "profile", "org_id", "org_name", "region", "actor", "action", "result",
    "target_kind", "target_id", "target_name", "counts", "correlation_ids", "job_id", "message",
)  # fmt: skip
"""The exported CSV's columns."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ActivityFilter:
    """What the page shows: every field narrows (empty: no narrowing).

    Attributes:
        text: Words found anywhere in the record (case-insensitive).
        org: An org name or id.
        action: An action or its prefix (``upload``).
        result: ``ok``, ``failed`` or ``cancelled``.
        start: First day (local time), inclusive.
        end: Last day (local time), inclusive.
    """

    text: str = ""
    org: str = ""
    action: str = ""
    result: str = ""
    start: date | None = None
    end: date | None = None

    def accepts(self, entry: ActivityRecord) -> bool:
        """Whether ``entry`` passes every field."""
        if self.org and self.org not in (entry.org_name, entry.org_id):
            return False
        if self.action and not (entry.action == self.action or entry.action.startswith(self.action + ".")):
            return False
        if self.result and entry.result != self.result:
            return False
        if self.start is not None or self.end is not None:
            day = entry.when.astimezone().date()
            if (self.start is not None and day < self.start) or (self.end is not None and day > self.end):
                return False
        if self.text:
            haystack = json.dumps(entry.model_dump(mode="json"), ensure_ascii=False).casefold()
            return all(word in haystack for word in self.text.casefold().split())
        return True

    def apply(self, records: Iterable[ActivityRecord]) -> list[ActivityRecord]:
        """The records that pass, newest first (records of the same millisecond: the later line first)."""
        kept = [r for r in records if self.accepts(r)]
        return sorted(reversed(kept), key=lambda r: r.at, reverse=True)


def _counts_text(entry: ActivityRecord) -> str:
    return ", ".join(f"{k} {v}" for k, v in entry.counts.items())


def cells(entry: ActivityRecord) -> tuple[str, ...]:
    """The row of ``entry`` in :data:`COLUMNS` order (``When`` in local time)."""
    when = entry.when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    target = entry.target.name or entry.target.id or ""
    return (
        when,
        entry.org_name or entry.org_id or entry.profile or "",
        entry.action,
        entry.result,
        target,
        _counts_text(entry),
        entry.job_id or "",
        entry.message,
    )


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting ``= + - @``, tab or CR gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_text(records: Sequence[ActivityRecord]) -> str:
    """``records`` as CSV (:data:`CSV_HEADER`), every cell through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in records:
        row = (
            r.at, r.profile, r.org_id, r.org_name, r.region, r.actor, r.action, r.result,
            r.target.kind, r.target.id, r.target.name, _counts_text(r), " ".join(r.correlation_ids),
            r.job_id, r.message,
        )  # fmt: skip
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def opens(entry: ActivityRecord) -> str | None:
    """What a double-click on ``entry`` opens: ``job``, ``error``, ``list`` or None."""
    if entry.job_id:
        return "job"
    if entry.result == "failed" and (entry.correlation_ids or entry.message):
        return "error"
    if entry.target.kind == "list" and entry.target.id:
        return "list"
    return None


@dataclass(frozen=True)
class JournalSummary:
    """What an upload's journal says (read-only).

    Attributes:
        path: The journal.
        status: Its last status.
        message: Its last message.
        events: ``(unix time, kind, message)``, oldest first.
        problem: Why it could not be read (then the rest is empty).
    """

    path: Path
    status: str = ""
    message: str = ""
    events: tuple[tuple[float, str, str], ...] = ()
    problem: str = ""


def read_journal(path: Path) -> JournalSummary:
    """The status, message and history of the journal at ``path`` (read-only, no lock, never raises)."""
    if not path.is_file():
        return JournalSummary(path, problem=f"{path} does not exist (the job's journal was removed).")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('status', 'message')"))
            events = tuple(conn.execute("SELECT t, kind, message FROM events ORDER BY rowid"))
        finally:
            conn.close()
        return JournalSummary(
            path,
            status=str(json.loads(meta.get("status", '""'))),
            message=str(json.loads(meta.get("message", '""'))),
            events=events,
        )
    except (sqlite3.Error, ValueError) as exc:
        return JournalSummary(path, problem=f"{path} is not readable: {exc}")
