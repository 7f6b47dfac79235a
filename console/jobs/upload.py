"""The upload job: one Qt-free implementation for the preview window and ``outbound-console upload``.

A job sends the selected rows of a validated CSV (valid rows by default) to one contact list,
either as **upserts** (``POST .../contacts`` in chunks of at most 1,000, every contact carrying
its ``id`` = the id column's value) or as a **file import** (the clean UTF-8 CSV of the selected
rows, through the legacy multipart upload or the presigned upload, then ``importstatus``).

Every step goes through a :class:`~console.jobs.journal.Journal` written before and after each
request, so that after a crash or ``kill -9`` :meth:`UploadJob.reopen` + :meth:`UploadJob.run`
sends what was not confirmed, loses no row and creates no duplicate.

Duplicate prevention (the full argument is in docs/upload-journal.md):

- *Upsert*: a row is never sent without an id, so resending a chunk whose answer was lost
  updates the same contacts instead of adding new ones. Chunk states: planned → sent →
  done; a ``sent`` chunk is resent on resume (minus rows already rejected).
- *Import with an id column*: the import upserts by ``contact-id-name``/``contactIdName``, so a
  repeat is harmless; still, after an unknown outcome the job waits for ``importstatus``, then
  bulk-gets the ids and re-uploads only the rows that are missing or differ.
- *Import without an id column* (every import adds new contacts): the journal records the
  clean file's SHA-256, the list size before the upload, and ``uploading`` before the request.
  After an unknown outcome (kill, dropped connection) the job waits for any running import,
  waits ``settle_seconds`` for a request that may still be on its way, and compares the list
  size: grown by exactly the file's rows → confirmed, not re-sent; unchanged → re-uploaded;
  anything else → the job stops and asks a human (it never guesses). A new job refuses a file
  whose hash any journal saw confirmed for the same list, unless ``allow_reimport``.

Pacing: the client's :class:`~console.api.ratelimit.Pacer` (installed for the run when the
client has none) spends the ``inin-ratelimit-*`` budget fully before waiting for the window
to reset; retries follow the client's policy (``POST .../contacts`` with ids is idempotent).
Cancel and pause are ``threading.Event`` s checked between requests; cancel also interrupts
the client's waits. A cancelled or interrupted job is resumable.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from console.api.client import GenesysClient
from console.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    AuthenticationError,
    ConsoleError,
    NotFoundError,
    OperationCancelledError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from console.api.models import (
    ContactList,
    ContactListUploadUrlRequest,
    DialerContact,
    ImportStatus,
    WritableDialerContact,
)
from console.api.ratelimit import Pacer
from console.contacts.reader import CsvReadError, CsvSource
from console.contacts.result import Severity, ValidationResult
from console.jobs.journal import (
    ChunkState,
    ImportAttempt,
    ImportState,
    Journal,
    JournalError,
    RowState,
    confirmed_imports,
)
from console.jobs.progress import JobProgress, Phase, ProgressCallback, RateMeter
from console.jobs.rows import PreparedRow, SourceRows, file_sha256

__all__ = [
    "MAX_CHUNK",
    "ImportFlow",
    "JobStatus",
    "Reconciliation",
    "RowRejection",
    "UploadError",
    "UploadJob",
    "UploadMode",
    "UploadOptions",
    "UploadResult",
    "Verify",
]

MAX_CHUNK = 1000
"""Most contacts per ``POST .../contacts`` (genesys-api.md §5.1)."""

_ITEM = re.compile(r"^\s*\[(\d+)\]")


class UploadError(ConsoleError):
    """The job cannot run as asked (bad input, changed source, a refused re-import); nothing was sent."""


class UploadMode(StrEnum):
    """How rows reach the list."""

    UPSERT = "upsert"
    """``POST .../contacts`` in chunks, upsert by id."""
    IMPORT = "import"
    """One CSV file import, then importstatus polling."""


class ImportFlow(StrEnum):
    """Which file-import flow of genesys-api.md §6."""

    MULTIPART = "multipart"
    """Legacy ``POST {apps}/uploads/v2/contactlist`` (§6.1)."""
    PRESIGNED = "presigned"
    """``POST .../contactlists/uploads`` then ``PUT`` to the presigned URL (§6.2)."""


class Verify(StrEnum):
    """How much reconciliation runs at the end."""

    KEYS = "keys"
    """List size, plus every id bulk-fetched and its data compared (needs an id column)."""
    SIZE = "size"
    """List size only."""
    NONE = "none"
    """No reconciliation."""


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
class UploadOptions:
    """What to send and how.

    Attributes:
        mode: Upsert or file import.
        id_column: List column holding the contact id; required for upsert.
        all_rows: Send rows with validation errors too (blank rows and, where ids are
            required, rows without one are still never sent).
        import_flow: Multipart (legacy) or presigned upload.
        chunk_size: Contacts per POST (at most 1,000).
        region: Default phone region for E.164 normalization.
        regions: Per phone column default regions.
        mapping: Explicit header mapping (list column → CSV column index or header).
        verify: Reconciliation level.
        reserve: Requests per rate-limit window left for other work (the UI).
        poll_interval: Seconds between importstatus polls.
        import_timeout: Longest wait for one import.
        settle_seconds: After an unknown upload outcome without an id column, how long to wait
            for a request that may still be on its way before comparing the list size.
        allow_reimport: Import a file (no id column) that a journal saw confirmed before.
        transient_rounds: Upsert mode: after the client's own retries give out on a
            connection/5xx/429 failure, how many more times (1, 2, 4 ... s apart) to post the
            chunk before the job stops as interrupted.
    """

    mode: UploadMode = UploadMode.UPSERT
    id_column: str | None = None
    all_rows: bool = False
    import_flow: ImportFlow = ImportFlow.MULTIPART
    chunk_size: int = MAX_CHUNK
    region: str = "US"
    regions: Mapping[str, str] = field(default_factory=dict)
    mapping: Mapping[str, int | str] | None = None
    verify: Verify = Verify.KEYS
    reserve: int = 0
    poll_interval: float = 1.0
    import_timeout: float = 600.0
    settle_seconds: float = 30.0
    allow_reimport: bool = False
    transient_rounds: int = 3

    def to_meta(self) -> dict[str, Any]:
        """JSON-able form for the journal."""
        return {
            "mode": self.mode.value,
            "id_column": self.id_column,
            "all_rows": self.all_rows,
            "import_flow": self.import_flow.value,
            "chunk_size": self.chunk_size,
            "region": self.region,
            "regions": dict(self.regions),
            "mapping": dict(self.mapping) if self.mapping is not None else None,
            "verify": self.verify.value,
            "reserve": self.reserve,
            "poll_interval": self.poll_interval,
            "import_timeout": self.import_timeout,
            "settle_seconds": self.settle_seconds,
            "allow_reimport": self.allow_reimport,
            "transient_rounds": self.transient_rounds,
        }

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any], **overrides: Any) -> UploadOptions:
        """Rebuild from the journal (``overrides`` for run-time knobs such as ``settle_seconds``)."""
        values: dict[str, Any] = {
            "mode": UploadMode(meta["mode"]),
            "id_column": meta["id_column"],
            "all_rows": meta["all_rows"],
            "import_flow": ImportFlow(meta["import_flow"]),
            "chunk_size": meta["chunk_size"],
            "region": meta["region"],
            "regions": meta["regions"],
            "mapping": meta["mapping"],
            "verify": Verify(meta["verify"]),
            "reserve": meta["reserve"],
            "poll_interval": meta["poll_interval"],
            "import_timeout": meta["import_timeout"],
            "settle_seconds": meta["settle_seconds"],
            "allow_reimport": meta["allow_reimport"],
            "transient_rounds": meta["transient_rounds"],
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


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


class _FatalError(Exception):
    """Stops the run with FAILED (the message says why)."""


class _StalledError(Exception):
    """Stops the run with INTERRUPTED: waited too long for the server (the message says how to resume)."""


def _item_index(exc: ApiStatusError) -> int | None:
    """The position of the offending contact in a refused POST body (``[3].data.Phone``), if named."""
    body = exc.body
    candidates: list[str] = []
    if body is not None:
        for detail in body.details or []:
            if detail.field_name:
                candidates.append(detail.field_name)
        candidates.append(body.rendered_message())
        if body.message:
            candidates.append(body.message)
    for text in candidates:
        m = _ITEM.match(text)
        if m is not None:
            return int(m.group(1))
    return None


def _error_code(exc: ApiStatusError) -> str:
    return exc.code or f"http.{exc.status_code}"


class UploadJob:
    """One upload, resumable. Build with :meth:`create` or :meth:`reopen`, then :meth:`run`.

    :meth:`pause`, :meth:`unpause` and :meth:`cancel` may be called from any thread.

    Attributes:
        job_id: Printable id (``240501-k3m9tq``).
        journal: The job's journal.
        options: What to send and how.
        list_id: Target list.
    """

    def __init__(
        self,
        api: GenesysClient,
        journal: Journal,
        rows: SourceRows,
        options: UploadOptions,
        list_id: str,
    ) -> None:
        self.api = api
        self.journal = journal
        self.rows = rows
        self.options = options
        self.list_id = list_id
        self.job_id = journal.job_id
        self.cancel_event = threading.Event()
        self.pause_event = threading.Event()
        self._meter = RateMeter()
        self._progress: ProgressCallback | None = None
        self._phase = Phase.PREPARING
        meta = journal.meta()
        self.rows_total = int(meta["rows_total"])
        self._owns_source = False

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        api: GenesysClient,
        *,
        source: CsvSource,
        definition: ContactList,
        list_id: str,
        options: UploadOptions,
        validation: ValidationResult | None = None,
        connection: Mapping[str, str] | None = None,
        jobs_dir: Path | None = None,
    ) -> UploadJob:
        """Plan a new job and write its journal (nothing is sent yet).

        Args:
            api: The client (its pacer and cancel event are set for the run when missing).
            source: The opened CSV.
            definition: The target list's definition (as fetched from the API).
            list_id: The target list.
            options: Mode, id column, rows, flow.
            validation: The engine's result for ``source`` against ``definition``; rows with
                errors are skipped unless ``options.all_rows``. None sends every row.
            connection: Non-secret connection settings kept for resuming (base URL or region,
                client id, profile name). Never a secret.
            jobs_dir: Where journals go (default: the app's data dir).

        Raises:
            UploadError: The file cannot be uploaded as asked (the message says why).
        """
        if options.mode is UploadMode.UPSERT and not options.id_column:
            raise UploadError(
                "Upsert mode needs a contact id column (--id-column): without ids a resend after a "
                "crash would create duplicates."
            )
        if not 1 <= options.chunk_size <= MAX_CHUNK:
            raise UploadError(f"chunk_size must be between 1 and {MAX_CHUNK}.")
        if validation is not None and validation.file_errors:
            first = next(i for i in validation.header_issues if i.severity >= Severity.ERROR)
            raise UploadError(f"The file cannot be uploaded: {first.message}")
        for key in ("api_key", "secret", "client_secret", "token", "password"):
            if connection and key in connection:
                raise UploadError(f"connection settings must not carry secrets ({key}).")
        try:
            rows = SourceRows(
                source,
                definition,
                id_column=options.id_column,
                region=options.region,
                regions=options.regions,
                mapping=options.mapping,
            )
        except ValueError as exc:
            raise UploadError(str(exc)) from exc
        if options.mode is UploadMode.IMPORT and rows.missing_columns:
            raise UploadError(
                f"An import must contain every list column; the file lacks {rows.missing_columns}."
            )
        selection = rows.select(
            validation, all_rows=options.all_rows, require_id=options.id_column is not None
        )
        meta: dict[str, Any] = {
            **options.to_meta(),
            "list_id": list_id,
            "definition": definition.model_dump(mode="json", by_alias=True, exclude_none=True),
            "source_path": str(Path(source.path).resolve()),
            "source_sha256": file_sha256(Path(source.path)),
            "source_size": Path(source.path).stat().st_size,
            "encoding": source.encoding,
            "delimiter": source.delimiter,
            "rows_total": len(selection.rows),
            "rows_in_file": len(selection.rows) + len(selection.skipped),
            "connection": dict(connection or {}),
            "status": "planned",
        }
        journal = Journal.create(meta, directory=jobs_dir)
        try:
            by_code: dict[str, list[int]] = {}
            for r, code in selection.skipped.items():
                by_code.setdefault(code, []).append(r)
            for code, skipped in by_code.items():
                journal.record_rows(
                    RowState.SKIPPED,
                    [(r, None, None) for r in skipped],
                    code=code,
                    message=_SKIP_REASONS.get(code),
                )
            if options.mode is UploadMode.UPSERT:
                size = options.chunk_size
                journal.plan_chunks(selection.rows[k : k + size] for k in range(0, len(selection.rows), size))
            journal.event("created", f"{len(selection.rows)} rows to send, {len(selection.skipped)} skipped")
        except BaseException:
            journal.close()
            raise
        return cls(api, journal, rows, options, list_id)

    @classmethod
    def reopen(
        cls,
        api: GenesysClient,
        job_id: str,
        *,
        source: CsvSource | None = None,
        jobs_dir: Path | None = None,
        settle_seconds: float | None = None,
        poll_interval: float | None = None,
    ) -> UploadJob:
        """Open an interrupted job to continue it with :meth:`run`.

        Raises:
            UploadError: Unknown or locked job, or the source file changed since the job began.
        """
        try:
            journal = Journal.open(job_id, directory=jobs_dir)
        except JournalError as exc:
            raise UploadError(str(exc)) from exc
        try:
            meta = journal.meta()
            path = Path(meta["source_path"])
            if not path.is_file():
                raise UploadError(f"The job's file {path} is gone; it is needed to resume.")
            if file_sha256(path) != meta["source_sha256"]:
                raise UploadError(
                    f"{path} changed since job {job_id} began; resuming would send other data. "
                    "Start a new job for the new file."
                )
            owns_source = source is None
            if source is None:
                try:
                    source = CsvSource(path, encoding=meta["encoding"], delimiter=meta["delimiter"])
                except CsvReadError as exc:
                    raise UploadError(str(exc)) from exc
            options = UploadOptions.from_meta(
                meta, settle_seconds=settle_seconds, poll_interval=poll_interval
            )
            definition = ContactList.model_validate(meta["definition"])
            rows = SourceRows(
                source,
                definition,
                id_column=options.id_column,
                region=options.region,
                regions=options.regions,
                mapping=options.mapping,
            )
            journal.event("reopened", "resuming")
        except BaseException:
            journal.close()
            raise
        job = cls(api, journal, rows, options, meta["list_id"])
        job._owns_source = owns_source
        return job

    def close(self) -> None:
        """Release the journal (and its lock); closes the CSV when :meth:`reopen` opened it."""
        self.journal.close()
        if self._owns_source:
            self.rows.source.close()

    # -- control ---------------------------------------------------------------------------------

    def pause(self) -> None:
        """Stop between requests until :meth:`unpause` (or :meth:`cancel`)."""
        self.pause_event.set()

    def unpause(self) -> None:
        """Continue after :meth:`pause`."""
        self.pause_event.clear()

    def cancel(self) -> None:
        """Stop as soon as possible (between requests, or during a wait); the job stays resumable."""
        self.cancel_event.set()

    def _checkpoint(self) -> None:
        if self.cancel_event.is_set():
            raise OperationCancelledError("cancelled")
        if self.pause_event.is_set():
            before = self._phase
            self._report(Phase.PAUSED, "paused")
            while self.pause_event.is_set():
                if self.cancel_event.wait(0.1):
                    raise OperationCancelledError("cancelled")
            self._report(before)

    def _sleep(self, seconds: float) -> None:
        if self.cancel_event.wait(seconds):
            raise OperationCancelledError("cancelled")

    # -- progress --------------------------------------------------------------------------------

    def _report(self, phase: Phase | None = None, message: str = "", rows_done: int | None = None) -> None:
        if phase is not None:
            self._phase = phase
        counts = self.journal.counts()
        done = counts[RowState.CONFIRMED] + counts[RowState.REJECTED] if rows_done is None else rows_done
        self._meter.add(done)
        if self._progress is None:
            return
        self._progress(
            JobProgress(
                phase=self._phase,
                rows_done=done,
                rows_total=self.rows_total,
                rows_per_s=self._meter.rate,
                eta_s=self._meter.eta(self.rows_total - done),
                rows_rejected=counts[RowState.REJECTED],
                rows_skipped=counts[RowState.SKIPPED],
                message=message,
            )
        )

    # -- run -------------------------------------------------------------------------------------

    def run(self, on_progress: ProgressCallback | None = None) -> UploadResult:
        """Send what is not confirmed yet, then reconcile. Safe to call again after an interruption.

        Never raises for API trouble: the result's status says what happened. Programming
        errors and journal I/O errors propagate (the journal stays consistent).
        """
        self._progress = on_progress
        started = time.monotonic()
        saved = (self.api.pacer, self.api.cancel)
        if self.api.pacer is None:
            self.api.pacer = Pacer(reserve=self.options.reserve)
        if self.api.cancel is None:
            self.api.cancel = self.cancel_event
        self.journal.set_meta({"status": "running"})
        self.journal.event("run", "started")
        recon: Reconciliation | None = None
        resume_hint = f"outbound-console upload --resume {self.job_id}"
        status = JobStatus.DONE
        message = ""
        counts = self.journal.counts()
        self._meter.start(counts[RowState.CONFIRMED] + counts[RowState.REJECTED])
        try:
            self._report(Phase.PREPARING, "starting")
            if self.options.mode is UploadMode.UPSERT:
                self._run_upsert()
            else:
                self._run_import()
            self._checkpoint()
            recon = self._reconcile()
        except OperationCancelledError:
            status = JobStatus.INTERRUPTED
            message = f"cancelled; resume with: {resume_hint}"
        except (ApiConnectionError, ServerError, RateLimitError) as exc:
            status = JobStatus.INTERRUPTED
            message = f"interrupted ({exc}); resume with: {resume_hint}"
        except _StalledError as exc:
            status = JobStatus.INTERRUPTED
            message = str(exc)
        except (AuthenticationError, PermissionDeniedError, NotFoundError) as exc:
            status = JobStatus.FAILED
            message = f"could not run: {exc}. Fix it, then resume with: {resume_hint}"
        except ApiStatusError as exc:
            status = JobStatus.FAILED
            message = (
                f"stopped by the server: {exc}. Resume with: outbound-console upload --resume {self.job_id}"
            )
        except (_FatalError, UploadError) as exc:
            status = JobStatus.FAILED
            message = str(exc)
        finally:
            self.api.pacer, self.api.cancel = saved
        counts = self.journal.counts()
        rejected = counts[RowState.REJECTED]
        if status is JobStatus.DONE:
            if rejected or (recon is not None and not recon.ok):
                status = JobStatus.REJECTED
                parts = []
                if rejected:
                    parts.append(f"{rejected} rows rejected by the server")
                if recon is not None and not recon.ok:
                    parts.append(f"reconciliation: {recon.summary()}")
                message = "; ".join(parts)
            else:
                message = "all rows sent" + (f"; {recon.summary()}" if recon is not None else "")
        self.journal.set_meta({"status": status.value, "message": message})
        self.journal.event(status.value, message)
        self._report(Phase.FINISHED, message)
        return UploadResult(
            job_id=self.job_id,
            status=status,
            sent=counts[RowState.CONFIRMED],
            skipped=counts[RowState.SKIPPED],
            rejected=rejected,
            seconds=time.monotonic() - started,
            message=message,
            rejections=tuple(self.rejections()),
            reconciliation=recon,
            id_map=self.journal.id_map(),
            journal_path=self.journal.path,
        )

    def rejections(self) -> list[RowRejection]:
        """Every rejected row with the server's reason and its line in the file."""
        return [
            RowRejection(o.row, self.line_of(o.row), o.source_id, o.code or "", o.message or "")
            for o in self.journal.outcomes(RowState.REJECTED)
        ]

    def line_of(self, row: int) -> int:
        """1-based physical line of data record ``row`` (0 when past the end)."""
        try:
            return self.rows.source.physical_line(row)
        except IndexError:
            return 0

    # -- upsert ------------------------------------------------------------------------------------

    def _contact(self, row: PreparedRow) -> WritableDialerContact:
        return WritableDialerContact(id=row.source_id, contact_list_id=self.list_id, data=row.data)

    def _run_upsert(self) -> None:
        pending = self.journal.chunks(pending_only=True)
        total_chunks = len(self.journal.chunks())
        rejected = self.journal.outcome_rows(RowState.REJECTED)
        self._report(Phase.SENDING, f"{len(pending)} chunks to send")
        for chunk in pending:
            self._checkpoint()
            todo = [r for r in chunk.rows if r not in rejected]
            if chunk.state is ChunkState.SENT:
                self.journal.event(
                    "resend", f"chunk {chunk.seq}: answer never confirmed; resending {len(todo)} rows"
                )
            parts: list[list[PreparedRow]] = [self.rows.rows(todo)] if todo else []
            while parts:
                part = parts.pop(0)
                self._checkpoint()
                self.journal.mark_sent(chunk.seq)
                try:
                    stored = self._post_with_rounds(chunk.seq, part)
                except ApiStatusError as exc:
                    if isinstance(
                        exc, AuthenticationError | PermissionDeniedError | NotFoundError | RateLimitError
                    ):
                        raise
                    if exc.status_code >= 500 or exc.status_code in (408, 409):
                        raise
                    if exc.body is not None and exc.body.limit is not None:
                        raise _FatalError(f"the list refused more contacts: {exc.detail}") from exc
                    self.journal.note_chunk_error(chunk.seq, str(exc))
                    parts[0:0] = self._split_rejected(part, exc)
                    self._report(message=f"chunk {chunk.seq}: server refused a row ({_error_code(exc)})")
                    continue
                ids = [c.id for c in stored]
                self.journal.record_rows(
                    RowState.CONFIRMED,
                    [
                        (p.row, p.source_id, ids[k] if k < len(ids) and ids[k] else p.source_id)
                        for k, p in enumerate(part)
                    ],
                )
                self._report(message=f"chunk {chunk.seq + 1} of {total_chunks}")
            self.journal.mark_done(chunk.seq)

    def _post_with_rounds(self, seq: int, part: list[PreparedRow]) -> list[DialerContact]:
        """POST one part, with job-level rounds after the client's own retries give out.

        On a connection/5xx/429 failure it waits and tries again ``transient_rounds`` times.
        Safe: every contact carries its id (an upsert).
        """
        contacts = [self._contact(p) for p in part]
        rounds = 0
        while True:
            try:
                return self.api.add_contacts(self.list_id, contacts)
            except (ApiConnectionError, ServerError, RateLimitError) as exc:
                if rounds >= self.options.transient_rounds:
                    self.journal.note_chunk_error(seq, str(exc))
                    raise
                rounds += 1
                wait = min(2.0**rounds, 30.0)
                self.journal.event("transient", f"chunk {seq}: {exc}; round {rounds} in {wait:g} s")
                self._report(message=f"server trouble; trying chunk {seq + 1} again in {wait:g} s")
                self._sleep(wait)
                self._checkpoint()

    def _split_rejected(self, part: list[PreparedRow], exc: ApiStatusError) -> list[list[PreparedRow]]:
        """Map a refusal to a row: the named item is rejected and the rest resent; else bisect."""
        idx = _item_index(exc)
        if idx is not None and 0 <= idx < len(part):
            bad = part[idx]
            self.journal.record_rows(
                RowState.REJECTED, [(bad.row, bad.source_id, None)], code=_error_code(exc), message=exc.detail
            )
            rest = part[:idx] + part[idx + 1 :]
            return [rest] if rest else []
        if len(part) == 1:
            bad = part[0]
            self.journal.record_rows(
                RowState.REJECTED, [(bad.row, bad.source_id, None)], code=_error_code(exc), message=exc.detail
            )
            return []
        half = len(part) // 2
        return [part[:half], part[half:]]

    # -- import ------------------------------------------------------------------------------------

    def _wait_idle_import(self, phase: Phase) -> ImportStatus:
        """Poll importstatus until no import runs (ours or another); returns the last status."""
        deadline = time.monotonic() + self.options.import_timeout
        while True:
            self._checkpoint()
            status = self.api.get_import_status(self.list_id)
            if status.state != "IN_PROGRESS" or status.is_done:
                return status
            total = status.total_records
            if status.percent_complete == 100 and total is not None and status.completed_records == total:
                return status  # some orgs keep IN_PROGRESS at 100 % (TF compares counts instead)
            done = status.completed_records or 0
            base = self.journal.counts()[RowState.CONFIRMED] if phase is Phase.IMPORTING else None
            self._report(
                phase,
                f"import running: {status.percent_complete or 0} %",
                rows_done=None if base is None else base + done,
            )
            if time.monotonic() >= deadline:
                raise _StalledError(
                    f"the import into list {self.list_id} did not finish within "
                    f"{self.options.import_timeout:g} s "
                    f"({done} records done); resume with: outbound-console upload --resume {self.job_id}"
                )
            self._sleep(self.options.poll_interval)

    def _list_size(self) -> int:
        size = self.api.get_contact_list(self.list_id, include_size=True).size
        if size is None:
            raise _FatalError(
                "the server did not report the list size (includeSize); cannot check the import"
            )
        return size

    def _run_import(self) -> None:
        attempts = self.journal.imports()
        last = attempts[-1] if attempts else None
        confirmed = self.journal.outcome_rows(RowState.CONFIRMED)
        todo: list[int] | None = [r for r in self._selected_rows() if r not in confirmed]
        if last is not None:
            if last.state in (ImportState.CONFIRMED, ImportState.FAILED):
                return
            if last.state in (ImportState.UPLOADING, ImportState.UPLOADED):
                todo = self._settle_unknown(last)
            elif last.state is ImportState.PLANNED:
                self.journal.set_import_state(last.attempt, ImportState.SUPERSEDED, "never sent")
                todo = list(last.rows)
        while todo:
            todo = self._import_once(todo)

    def _selected_rows(self) -> list[int]:
        skipped = self.journal.outcome_rows(RowState.SKIPPED)
        total = int(self.journal.meta()["rows_in_file"])
        return [r for r in range(total) if r not in skipped]

    def _import_once(self, rows: list[int]) -> list[int] | None:
        """One attempt: returns rows still to send (after an unknown outcome), or None when settled."""
        self._checkpoint()
        self._report(Phase.UPLOADING, f"building the file of {len(rows)} rows")
        data = self.rows.clean_csv(rows)
        digest = hashlib.sha256(data).hexdigest()
        with_ids = self.options.id_column is not None
        if not with_ids and not self.options.allow_reimport:
            seen = confirmed_imports(
                self.list_id, digest, directory=self.journal.path.parent, exclude=self.job_id
            )
            if seen:
                raise UploadError(
                    f"this exact file was already imported into list {self.list_id} by job {seen[0]}; "
                    "without a contact id column a second import would duplicate every row. "
                    "Use --allow-reimport to do it anyway."
                )
        self._wait_idle_import(Phase.UPLOADING)
        size_before = self._list_size()
        attempt = self.journal.add_import(digest, rows, size_before)
        self._checkpoint()
        self.journal.set_import_state(attempt, ImportState.UPLOADING)
        self._report(Phase.UPLOADING, f"uploading {len(data)} bytes ({len(rows)} rows)")
        try:
            self._upload(data)
        except ApiConnectionError as exc:
            self.journal.event("unknown", f"import attempt {attempt}: no answer to the upload ({exc})")
            return self._settle_unknown(self._attempt(attempt))
        except ApiStatusError as exc:
            if exc.status_code >= 500 or isinstance(
                exc, AuthenticationError | PermissionDeniedError | NotFoundError | RateLimitError
            ):
                self.journal.set_import_state(attempt, ImportState.SUPERSEDED, f"refused: {exc}")
                raise
            self.journal.set_import_state(attempt, ImportState.FAILED, exc.detail)
            self._reject_all(rows, _error_code(exc), f"the upload was refused: {exc.detail}")
            return None
        self.journal.set_import_state(attempt, ImportState.UPLOADED)
        self._finish_import(self._attempt(attempt))
        return None

    def _attempt(self, number: int) -> ImportAttempt:
        return next(a for a in self.journal.imports() if a.attempt == number)

    def _upload(self, data: bytes) -> None:
        name = f"{self.job_id}.csv"
        id_name = self.options.id_column
        if self.options.import_flow is ImportFlow.MULTIPART:
            # Only 429 (not processed) is retried for this POST (console.api.retry).
            self.api.upload_contacts_csv(self.list_id, data, id_name or "", filename=name)
            return
        upload = self.api.request_upload_url(
            ContactListUploadUrlRequest(content_type="text/csv", id=self.list_id, contact_id_name=id_name)
        )
        if id_name:
            self.api.put_presigned(upload, data)  # a repeated PUT re-imports by id: harmless
        else:
            # Without ids a retried PUT after a lost answer could import the file twice: send it
            # once and let the journal's size check settle an unknown outcome.
            if not upload.url:
                raise _FatalError("the upload answer has no url")
            self.api._send(
                "PUT", upload.url, content=data, headers=dict(upload.headers), auth=None, idempotent=False
            )

    def _finish_import(self, attempt: ImportAttempt) -> None:
        """After an accepted upload: wait for the import, then confirm or fail the attempt."""
        status = self._wait_idle_import(Phase.IMPORTING)
        if status.is_failed:
            reason = status.failure_reason or "FAILED"
            self.journal.set_import_state(attempt.attempt, ImportState.FAILED, reason)
            self._reject_all(list(attempt.rows), reason, f"the import failed: {reason}")
            return
        detail = ""
        if self.options.id_column is None and attempt.size_before is not None:
            grown = self._list_size() - attempt.size_before
            detail = f"list grew by {grown} for {len(attempt.rows)} rows"
        self._confirm_import(attempt, detail)

    def _confirm_import(self, attempt: ImportAttempt, detail: str) -> None:
        prepared = self.rows.rows(list(attempt.rows)) if self.options.id_column else []
        if prepared:
            self.journal.record_rows(
                RowState.CONFIRMED, [(p.row, p.source_id, p.source_id) for p in prepared]
            )
        else:
            self.journal.record_rows(RowState.CONFIRMED, [(r, None, None) for r in attempt.rows])
        self.journal.set_import_state(attempt.attempt, ImportState.CONFIRMED, detail)
        self._report(Phase.IMPORTING, "import confirmed")

    def _reject_all(self, rows: Sequence[int], code: str, message: str) -> None:
        prepared = self.rows.rows(list(rows)) if self.options.id_column else []
        triples = [(p.row, p.source_id, None) for p in prepared] or [(r, None, None) for r in rows]
        self.journal.record_rows(RowState.REJECTED, triples, code=code, message=message)

    def _settle_unknown(self, attempt: ImportAttempt) -> list[int] | None:
        """An upload whose outcome is unknown: find out before sending anything again.

        Returns the rows still to send, or None when the attempt is settled (confirmed).

        Raises:
            _FatalError: The list changed in a way that neither "imported" nor "not imported" explains.
        """
        self._report(Phase.CHECKING, f"checking whether import attempt {attempt.attempt} reached the server")
        status = self._wait_idle_import(Phase.CHECKING)
        rows = list(attempt.rows)
        if self.options.id_column is not None:
            missing = set(self._missing_or_different(rows))
            if not missing:
                self._confirm_import(attempt, "found in the list after an unknown outcome")
                return None
            landed = [r for r in rows if r not in missing]
            if landed:
                self.journal.record_rows(
                    RowState.CONFIRMED, [(p.row, p.source_id, p.source_id) for p in self.rows.rows(landed)]
                )
            self.journal.set_import_state(
                attempt.attempt, ImportState.SUPERSEDED, f"{len(missing)} of {len(rows)} rows not in the list"
            )
            return sorted(missing)
        if attempt.size_before is None:
            raise _FatalError(
                f"import attempt {attempt.attempt} has no recorded list size; cannot tell whether it landed"
            )
        n = len(rows)
        grown = self._list_size() - attempt.size_before
        if grown == 0 and attempt.state is ImportState.UPLOADING:
            # The request may still be on its way to (or queued in) the server: give it time.
            self._report(Phase.CHECKING, f"waiting {self.options.settle_seconds:g} s for a late upload")
            self._sleep(self.options.settle_seconds)
            status = self._wait_idle_import(Phase.CHECKING)
            grown = self._list_size() - attempt.size_before
        if grown == n and not status.is_failed:
            self._confirm_import(attempt, f"list grew by {n} (checked after an unknown outcome)")
            return None
        if grown == 0:
            self.journal.set_import_state(attempt.attempt, ImportState.SUPERSEDED, "the list did not grow")
            return rows
        raise _FatalError(
            f"cannot tell whether import attempt {attempt.attempt} of job {self.job_id} landed: "
            f"list {self.list_id} grew by {grown} contacts, but the file has {n} rows "
            f"(0 or {n} were expected). Nothing was re-sent, "
            "to avoid duplicates; check the list by hand."
        )

    # -- reconciliation ------------------------------------------------------------------------------

    def _missing_or_different(self, rows: Sequence[int]) -> Iterable[int]:
        """Rows whose contact is absent from the list or holds other data (bulk get by id)."""
        for k in range(0, len(rows), MAX_CHUNK):
            self._checkpoint()
            prepared = self.rows.rows(list(rows[k : k + MAX_CHUNK]))
            ids = [p.source_id for p in prepared if p.source_id]
            found = {c.id: c for c in self.api.get_contacts_bulk(self.list_id, ids)} if ids else {}
            for p in prepared:
                contact = found.get(p.source_id)
                if contact is None or any(contact.data.get(c) != v for c, v in p.data.items()):
                    yield p.row

    def _reconcile(self) -> Reconciliation | None:
        verify = self.options.verify
        if verify is Verify.NONE:
            return None
        self._report(Phase.VERIFYING, "reconciling the list with the file")
        size = self._list_size()
        confirmed = sorted(self.journal.outcome_rows(RowState.CONFIRMED))
        if self.options.id_column is None:
            attempts = [a for a in self.journal.imports() if a.state is ImportState.CONFIRMED]
            if len(attempts) == 1 and attempts[0].size_before is not None:
                return Reconciliation(size, attempts[0].size_before + len(attempts[0].rows), exact=True)
            return Reconciliation(size, None, exact=False)
        outcomes = {o.row: o for o in self.journal.outcomes(RowState.CONFIRMED)}
        distinct = len({outcomes[r].source_id for r in confirmed})
        if verify is Verify.SIZE:
            return Reconciliation(size, distinct, exact=False)
        missing: list[str] = []
        mismatched: list[str] = []
        checked = 0
        last_value: dict[str, int] = {}
        for p in self.rows.iter_chunks(confirmed, MAX_CHUNK):
            for q in p:
                if q.source_id:
                    last_value[q.source_id] = q.row  # a repeated id: the later row wins
        for k in range(0, len(confirmed), MAX_CHUNK):
            self._checkpoint()
            prepared = [q for q in self.rows.rows(confirmed[k : k + MAX_CHUNK]) if q.source_id]
            prepared = [q for q in prepared if last_value.get(q.source_id or "") == q.row]
            ids = [q.source_id for q in prepared if q.source_id]
            found = {c.id: c for c in self.api.get_contacts_bulk(self.list_id, ids)} if ids else {}
            checked += len(ids)
            for q in prepared:
                sid = q.source_id or ""
                contact = found.get(outcomes[q.row].contact_id or sid)
                if contact is None:
                    missing.append(sid)
                elif any(contact.data.get(c) != v for c, v in q.data.items()):
                    mismatched.append(sid)
            self._report(Phase.VERIFYING, f"{checked} ids checked")
        return Reconciliation(
            size,
            distinct,
            exact=False,
            keys_checked=checked,
            missing=tuple(missing),
            mismatched=tuple(mismatched),
        )


_SKIP_REASONS = {
    "row.invalid": "the row has validation errors (send it with --all-rows)",
    "row.blank": "blank line",
    "row.unchecked": "validation stopped before this row",
    "id.missing": "no contact id: the server would mint one, and a resend would duplicate the row",
}
