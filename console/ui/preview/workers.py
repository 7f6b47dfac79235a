"""Background work of the preview page: loading the org's lists, the check, exports, and the upload.

The two long jobs run in child processes, so their parsing, JSON and HTTP work never holds the
GUI process's GIL; their QThread workers only relay. The check (:class:`ValidationWorker`) runs in
the page's long-lived validation child (:class:`ValidationService`), the upload
(:class:`UploadWorker`, a :class:`~console.ui.workers.ChildProcessWorker`) in a child of its own
(both children are :class:`console.ipc.ChildService` s)
that runs the one upload implementation, :class:`console.jobs.UploadJob`
(:mod:`console.ui.preview.upload_process` says how a new upload prepares "the file as shown").
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from console.api.client import GenesysClient
from console.api.logging import ExchangeRecord
from console.api.models import ContactList
from console.contacts.fixes import PhoneNormalization, normalize_phones, write_error_report
from console.contacts.reader import CsvSource, IndexState
from console.ipc import ChildService, Kind
from console.jobs import UploadOptions, UploadResult, jobs_dir
from console.ui.preview.checking import Checked, ValidationRequest, attach_checked
from console.ui.preview.child import run_validation_child
from console.ui.preview.edited import Recheck, Rechecked, edited_issues, recheck_rows
from console.ui.preview.overlay import WRITE_BATCH, Overlay, write_shown_csv
from console.ui.preview.upload_process import ClientSpec, SimulatedCrashError, UploadPlan, run_upload_child
from console.ui.workers import ChildProcessWorker, Worker

__all__ = [
    "ClientSpec",
    "SimulatedCrashError",
    "UploadOutcome",
    "UploadWorker",
    "ValidationService",
    "ValidationWorker",
    "export_error_report",
    "export_id_map",
    "load_lists",
]


def load_lists(
    api: GenesysClient, *, cancel: threading.Event, progress: Callable[[object], None]
) -> list[ContactList]:
    """Every contact list of the org (all pages), sorted by name; closes the client."""
    try:
        out = []
        for item in api.iter_contact_lists():
            if cancel.is_set():
                break
            out.append(item)
        return sorted(out, key=lambda c: (c.name or "").casefold())
    finally:
        api.close()


def export_shown(
    source: CsvSource,
    overlay: Overlay,
    out: Path,
    rows: int,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> tuple[Path, int]:
    """Write the fixed file (as shown) to ``out``; returns (path, rows written)."""
    row_map = write_shown_csv(source, overlay, out, rows=rows, cancel=cancel, progress=progress)
    return out, len(row_map)


def export_error_report(
    checked: Checked,
    source: CsvSource,
    out: Path,
    overlay: Overlay | None = None,
    rechecked: Rechecked | None = None,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> tuple[Path, int]:
    """Write the error report of the data as edited; returns (path, findings written).

    ``overlay`` and ``rechecked`` (the edits and their re-checks) put the edited rows' findings
    and records in place of the file's. Removed rows stay in the report: their findings are what
    the file's owner has to fix.
    """
    if overlay is None or rechecked is None or not overlay.edits:
        return out, write_error_report(checked.result, source, out)
    rows = dict(rechecked)
    lines = {row: source.physical_line(row) for row in rows}
    issues = edited_issues(checked, overlay.edits, rows, lines)
    return out, write_error_report(checked.result, source, out, issues)


def export_id_map(
    id_map: Mapping[str, str],
    out: Path,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> tuple[Path, int]:
    """Write ``source_id,contact_id`` for every confirmed row (UTF-8, CRLF); returns (path, rows)."""
    import csv

    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["source_id", "contact_id"])
        w.writerows(sorted(id_map.items()))
    return out, len(id_map)


def _shown_records(
    source: CsvSource,
    overlay: Overlay,
    rows: int,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> Iterator[tuple[int, list[str]]]:
    """(row, record as shown) of the first ``rows`` rows, removed rows left out; progress every 20,000."""
    batch = WRITE_BATCH  # csv parsing holds the GIL for a whole batch
    edits = dict(overlay.edits)
    for lo in range(0, rows, batch):
        if cancel.is_set():
            break
        for k, rec in enumerate(source.records(lo, min(rows, lo + batch))):
            i = lo + k
            if not overlay.is_removed(i):
                yield i, edits.get(i, rec)
        done = min(rows, lo + batch)
        if done % 20_000 == 0 or done == rows:
            progress((done, rows))


def scan_trim(
    source: CsvSource,
    overlay: Overlay,
    columns: list[int],
    rows: int,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> list[tuple[int, int, str]]:
    """Cells (shown values) with leading/trailing whitespace in ``columns`` and their trimmed values."""
    from console.contacts.rules import TRIM_CHARS

    out: list[tuple[int, int, str]] = []
    for i, record in _shown_records(source, overlay, rows, cancel, progress):
        for col in columns:
            if col < len(record):
                v = record[col]
                t = v.strip(TRIM_CHARS)
                if t != v:
                    out.append((i, col, t))
    return out


def scan_phones(
    source: CsvSource,
    overlay: Overlay,
    regions: dict[int, str],
    rows: int,
    checked: Checked | None = None,
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> tuple[PhoneNormalization, dict[int, Recheck]]:
    """The E.164 rewrites of the phone columns' shown values (``regions``: column -> default region).

    With ``checked``, the rewritten rows are re-checked here too (one engine batch per 4,096
    records), so applying a fix of 50,000 numbers does not re-check them on the UI thread.
    """
    total = PhoneNormalization()
    rechecks: dict[int, Recheck] = {}
    batch: list[tuple[int, list[str]]] = []

    def flush() -> None:
        found = normalize_phones(batch, regions, cancel)
        total.changes.extend(found.changes)
        total.already += found.already
        total.invalid += found.invalid
        total.blank += found.blank
        total.first_invalid = total.first_invalid or found.first_invalid
        if checked is not None and found.changes:
            shown = dict(batch)
            changed: dict[int, list[str]] = {}
            for row, col, e164 in found.changes:
                record = changed.get(row) or list(shown[row])
                record.extend([""] * (col + 1 - len(record)))
                record[col] = e164
                changed[row] = record
            rechecks.update(recheck_rows(checked, changed, source.record))
        batch.clear()

    for pair in _shown_records(source, overlay, rows, cancel, progress):
        batch.append(pair)
        if len(batch) >= 4096:
            flush()
    flush()
    return total, rechecks


class ValidationService:
    """The long-lived validation child process, reused for every check of the page.

    Spawning a child per check costs ~0.5 s before its first answer (a fresh interpreter imports
    the engine and compiles the phone patterns): a 1,000-row file took 700 ms to check. This child
    stays: it is spawned when the page is first shown (:meth:`warm`) or on the first check, and
    keeps its modules and compiled patterns. One check at a time; a child that died (killed,
    crashed) is replaced on the next check; it is reaped by :meth:`close`, or at exit when the page
    never closes (:class:`console.ipc.ChildService`). Everything here runs on the calling (worker)
    thread, except :meth:`warm`, :meth:`stop_current` and :meth:`close` (any thread).
    """

    STOP_GRACE_S = 15.0
    """After a cancel, how long a check may take to stop before the child is terminated."""

    def __init__(self) -> None:
        self.service = ChildService(run_validation_child, name="validation", grace_s=self.STOP_GRACE_S)

    @property
    def pid(self) -> int | None:
        """The child's process id, None before it is started."""
        return self.service.pid

    def warm(self) -> None:
        """Start the child now (it loads the engine while the user picks a file)."""
        self.service.start()

    def stop_current(self) -> None:
        """End the running check early, keeping the rows checked so far."""
        self.service.stop_current()

    def run(
        self,
        request: ValidationRequest,
        progress: Callable[[object], None],
        cancelled: Callable[[], bool],
    ) -> object:
        """Check ``request`` in the child; returns its result payload.

        Raises:
            Cancelled: ``cancelled()`` became true and the child stopped.
            RuntimeError: The child died, or ignored a cancel for :attr:`STOP_GRACE_S` (then terminated).
            Exception: What the check raised in the child.
        """
        return self.service.run(request, progress=progress, cancelled=cancelled)

    def close(self, timeout: float = 5.0) -> None:
        """Tell the child to end (cancelling a running check) and reap it."""
        self.service.close(timeout)


class ValidationWorker(Worker):
    """Checks the open file against the target list in the page's validation child.

    The child (:class:`ValidationService`) opens the same file, runs the engine with its worker
    processes, indexes the findings and computes the phone repairs, then sends back the
    :class:`Checked` and its record index; this thread adopts the index into the page's
    :class:`CsvSource` and attaches it to the result. So none of the validation's coordination,
    duplicate-id search, finding index or pattern compiling holds the GUI process's GIL
    (measured: 89-110 ms UI stalls when it ran on a thread here).

    Signals:
        progressed(object): ``(rows done, rows known)``.
        succeeded(object): :class:`Checked`.
    """

    def __init__(
        self,
        service: ValidationService,
        source: CsvSource,
        definition: ContactList,
        explicit: Mapping[str, int | str] | None,
        id_column: str | None,
        region: str = "US",
    ) -> None:
        super().__init__()
        self.service = service
        self.source = source
        self.request = ValidationRequest.for_source(source, definition, explicit, id_column, region)

    def stop(self) -> None:
        """End the check early but keep it: the result covers the rows checked so far (any thread)."""
        self.service.stop_current()

    def work(self) -> Checked:
        """Run the check in the child; returns its result attached to this process's file."""
        payload = self.service.run(self.request, self.progressed.emit, self.cancel_event.is_set)
        assert isinstance(payload, tuple)
        checked, index = payload
        assert isinstance(checked, Checked)
        assert isinstance(index, IndexState)
        return attach_checked(checked, self.source, index)


@dataclass
class UploadOutcome:
    """What an upload run produced, mapped back to the user's file.

    Attributes:
        result: The job's result.
        row_map: Row of the uploaded (shown) file -> row of the user's file.
        original_path: The user's file.
        rejected_rows: User's file row -> (code, message) of rows the server refused.
    """

    result: UploadResult
    row_map: array[int]
    original_path: str | None
    rejected_rows: dict[int, tuple[str, str]] = field(default_factory=dict)


class UploadWorker(ChildProcessWorker):
    """Runs one upload (new or resumed): prepares here, sends from a child process.

    Preparing (writing the file as shown, validating it, planning the job) and the
    :class:`UploadJob` itself run in a spawned child process (``upload_process``), so their
    parsing, JSON and HTTP work does not hold the GUI process's GIL. This thread only relays:
    it blocks on the pipe (releasing the GIL) and re-emits progress, API-log records and the
    result. Pause and cancel reach the child through shared flags.

    Signals:
        progressed(object): :class:`~console.jobs.JobProgress`.
        succeeded(object): :class:`UploadOutcome`.
        failed(object): the exception (``UploadError`` for a file the job refuses).

    Args:
        client: Connection data for the child's own client (secret sent over the pipe only).
        shown_dir: Where shown files, row maps and sidecars go.
        source: The user's file (new upload).
        overlay: A snapshot of the edits and removed rows (new upload).
        rows: Rows of the user's file to consider (new upload).
        definition: The target list (new upload).
        list_id: The target list's id (new upload).
        options: Upload options (new upload).
        resume_job_id: Continue this job instead.
        connection: Non-secret connection settings kept in the journal.
        on_exchange: Receives the child's API-log records (called on this worker's thread).
    """

    process_name = "upload"

    def __init__(
        self,
        client: ClientSpec,
        shown_dir: Path,
        *,
        source: CsvSource | None = None,
        overlay: Overlay | None = None,
        rows: int = 0,
        definition: ContactList | None = None,
        list_id: str | None = None,
        options: UploadOptions | None = None,
        resume_job_id: str | None = None,
        connection: Mapping[str, str] | None = None,
        on_exchange: Callable[[ExchangeRecord], None] | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.shown_dir = shown_dir
        self.source = source
        self.overlay = overlay
        self.rows = rows
        self.definition = definition
        self.list_id = list_id
        self.options = options
        self.resume_job_id = resume_job_id
        self.connection = dict(connection or {})
        self.on_exchange = on_exchange
        self.crash_after_rows: int | None = None
        """Test seam: the child raises :class:`SimulatedCrashError` once this many rows are settled."""
        self._service = self.new_service(run_upload_child, ())  # spawned by work(); flags usable now

    # -- control (any thread) ------------------------------------------------------------------

    def pause(self) -> None:
        """Hold between requests."""
        self._service.pause()

    def unpause(self) -> None:
        """Continue."""
        self._service.unpause()

    # -- work ------------------------------------------------------------------------------------

    def work(self) -> UploadOutcome:
        """Run the upload in the child, relaying its messages; map rejections back to the user's rows."""
        plan = UploadPlan(
            shown_dir=self.shown_dir,
            source_path=self.source.path if self.source is not None else None,
            encoding=self.source.encoding if self.source is not None else None,
            delimiter=self.source.delimiter if self.source is not None else None,
            overlay=self.overlay,
            rows=self.rows,
            definition=self.definition,
            list_id=self.list_id,
            options=self.options,
            connection=self.connection,
            resume_job_id=self.resume_job_id,
        )
        self.check_cancelled()
        result, row_map, original = self._run_child(plan)
        rejected: dict[int, tuple[str, str]] = {}
        for r in result.rejections:
            orig = int(row_map[r.row]) if r.row < len(row_map) else r.row
            rejected[orig] = (r.code, r.message)
        return UploadOutcome(result, row_map, original, rejected)

    def _run_child(self, plan: UploadPlan) -> tuple[UploadResult, array[int], str | None]:
        request = (self.client, plan, jobs_dir(), self.crash_after_rows)
        payload = self.run_child(run_upload_child, (), request, service=self._service)
        assert isinstance(payload, tuple)
        result, row_map, original = payload
        assert isinstance(result, UploadResult)
        assert isinstance(row_map, array)
        return result, row_map, original if isinstance(original, str) else None

    def on_message(self, kind: Kind, payload: object) -> None:
        """API-log records of the child's client."""
        if kind is Kind.EXCHANGE and self.on_exchange is not None:
            assert isinstance(payload, ExchangeRecord)
            self.on_exchange(payload)

    def stopped_message(self) -> str:
        """The child ignored a cancel for too long."""
        return "the upload process did not stop; the job stays resumable"
