"""How an upload ended: :class:`UploadResult`, its refused rows and the final reconciliation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

__all__ = ["JobStatus", "Reconciliation", "RowRejection", "UploadResult"]


class JobStatus(StrEnum):
    """How a run ended (the CLI's exit code in brackets)."""

    DONE = "done"
    """Every selected row was confirmed (0)."""
    REJECTED = "rejected"
    """Some rows were rejected or reconciliation found a difference (1)."""
    FAILED = "failed"
    """Could not run: permissions, unknown list, a refused re-import (2). Resumable after a fix."""
    INTERRUPTED = "interrupted"
    """Cancelled, or the connection/server gave out; resumable (3)."""


@dataclass(frozen=True)
class RowRejection:
    """A row the server refused, mapped back to the CSV.

    Attributes:
        row: Data record number (0-based).
        line: 1-based physical line where the record starts.
        source_id: Its id column value, if any.
        code: The server's error code (``bad.request`` ...) or the import's failure reason.
        message: The server's message.
    """

    row: int
    line: int
    source_id: str | None
    code: str
    message: str


@dataclass(frozen=True)
class Reconciliation:
    """The list against the source after the upload.

    Attributes:
        list_size: Contacts in the list now (None when not read).
        expected_size: What the list size should be (no id column), or the least it can be
            (with ids: the distinct ids sent; other contacts may already be there).
        exact: True when ``expected_size`` is exact rather than a minimum.
        keys_checked: Ids fetched back and compared.
        missing: Source ids not found in the list.
        mismatched: Source ids found with different data.
    """

    list_size: int | None
    expected_size: int | None
    exact: bool
    keys_checked: int = 0
    missing: tuple[str, ...] = ()
    mismatched: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing is missing, nothing differs and the size fits."""
        if self.missing or self.mismatched:
            return False
        if self.list_size is None or self.expected_size is None:
            return True
        return self.list_size == self.expected_size if self.exact else self.list_size >= self.expected_size

    def summary(self) -> str:
        """One line for people."""
        size = f"list size {self.list_size}" if self.list_size is not None else "list size not read"
        want = (
            ""
            if self.expected_size is None
            else f" ({'expected' if self.exact else 'at least'} {self.expected_size})"
        )
        keys = f"; {self.keys_checked} ids checked" if self.keys_checked else ""
        bad = ""
        if self.missing:
            bad += f"; {len(self.missing)} missing"
        if self.mismatched:
            bad += f"; {len(self.mismatched)} with different data"
        return f"{size}{want}{keys}{bad}"


@dataclass(frozen=True)
class UploadResult:
    """How a run ended.

    Attributes:
        job_id: The job (pass to :meth:`UploadJob.reopen` / ``--resume``).
        status: Done, rejected, failed or interrupted.
        sent: Rows confirmed by the server (all runs).
        skipped: Rows not sent.
        rejected: Rows the server refused.
        seconds: Wall time of this run.
        message: What happened, for people (says how to resume when resumable).
        rejections: The refused rows with the server's reasons.
        reconciliation: The final check, when it ran.
        id_map: Source id → contact id of confirmed rows.
        journal_path: The journal file.
    """

    job_id: str
    status: JobStatus
    sent: int
    skipped: int
    rejected: int
    seconds: float
    message: str
    rejections: tuple[RowRejection, ...] = ()
    reconciliation: Reconciliation | None = None
    id_map: Mapping[str, str] = field(default_factory=dict)
    journal_path: Path | None = None

    @property
    def exit_code(self) -> int:
        """0 all sent, 1 some rejected, 2 could not run, 3 interrupted."""
        return {JobStatus.DONE: 0, JobStatus.REJECTED: 1, JobStatus.FAILED: 2, JobStatus.INTERRUPTED: 3}[
            self.status
        ]

    def summary_line(self) -> str:
        """``sent=N skipped=M rejected=K seconds=S job=JOB`` (the CLI's last stdout line)."""
        return (
            f"sent={self.sent} skipped={self.skipped} rejected={self.rejected} "
            f"seconds={self.seconds:.1f} job={self.job_id}"
        )


def capped_note(capped: object) -> str:
    """``; ...`` naming the chunks whose bisection stopped at the cap (empty when none did).

    Args:
        capped: The journal's ``bisection_capped`` list of ``{chunk, rows, cap}`` (or None).
    """
    if not isinstance(capped, list) or not capped:
        return ""
    parts = [
        f"chunk {c.get('chunk')}: {c.get('rows')} rows rejected unsent after {c.get('cap')} refusals"
        for c in capped
        if isinstance(c, dict)
    ]
    return "; bisection capped per chunk (" + "; ".join(parts) + ")"
