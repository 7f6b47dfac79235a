"""Background work of the preview page: loading the org's lists, exports, and the upload itself.

The upload runs the one upload implementation, :class:`console.jobs.UploadJob`. A new upload
first writes "the file as shown" (edits applied, removed rows left out) to the app's data dir
with a map back to the user's rows, validates that file, and creates the job on it; a resumed
upload reopens the journal (the shown file stays in the data dir until the job is done).
"""

from __future__ import annotations

import json
import threading
import time
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from console.api.client import GenesysClient
from console.api.models import ContactList
from console.contacts.fixes import write_error_report
from console.contacts.reader import CsvSource, open_csv
from console.contacts.validate import ValidationOptions, validate
from console.jobs import JobProgress, Phase, UploadJob, UploadOptions, UploadResult
from console.ui.preview.analysis import WRITE_BATCH, Checked, Overlay, write_shown_csv
from console.ui.workers import Worker

__all__ = ["SimulatedCrashError", "UploadOutcome", "UploadWorker", "export_error_report", "load_lists"]


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
    *,
    cancel: threading.Event,
    progress: Callable[[object], None],
) -> tuple[Path, int]:
    """Write the engine's error report; returns (path, findings written)."""
    return out, write_error_report(checked.result, source, out)


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
    batch = WRITE_BATCH  # csv parsing holds the GIL for a whole batch
    edits = dict(overlay.edits)
    for lo in range(0, rows, batch):
        if cancel.is_set():
            break
        for k, rec in enumerate(source.records(lo, min(rows, lo + batch))):
            i = lo + k
            if overlay.is_removed(i):
                continue
            record = edits.get(i, rec)
            for col in columns:
                if col < len(record):
                    v = record[col]
                    t = v.strip(TRIM_CHARS)
                    if t != v:
                        out.append((i, col, t))
        done = min(rows, lo + batch)
        if done % 20_000 == 0 or done == rows:
            progress((done, rows))
    return out


class SimulatedCrashError(RuntimeError):
    """Raised by :attr:`UploadWorker.crash_after_rows` (tests): the job stops like a killed process.

    ``UploadJob.run`` does not catch it, so the journal keeps ``running`` and a chunk may stay
    ``sent``: what a crash leaves behind.
    """


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


def _save_row_map(path: Path, row_map: array[int]) -> None:
    path.write_bytes(row_map.tobytes())


def _load_row_map(path: Path) -> array[int]:
    out: array[int] = array("q")
    if path.is_file():
        out.frombytes(path.read_bytes())
    return out


class UploadWorker(Worker):
    """Runs one upload (new or resumed) on the worker thread.

    Signals:
        progressed(object): :class:`~console.jobs.JobProgress`.
        succeeded(object): :class:`UploadOutcome`.
        failed(object): the exception (``UploadError`` for a file the job refuses).

    Args:
        api: A client for this worker (closed at the end).
        shown_dir: Where shown files, row maps and sidecars go.
        source: The user's file (new upload).
        overlay: A snapshot of the edits and removed rows (new upload).
        rows: Rows of the user's file to consider (new upload).
        definition: The target list (new upload).
        list_id: The target list's id (new upload).
        options: Upload options (new upload).
        resume_job_id: Continue this job instead.
        connection: Non-secret connection settings kept in the journal.
    """

    def __init__(
        self,
        api: GenesysClient,
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
    ) -> None:
        super().__init__()
        self.api = api
        self.shown_dir = shown_dir
        self.source = source
        self.overlay = overlay
        self.rows = rows
        self.definition = definition
        self.list_id = list_id
        self.options = options
        self.resume_job_id = resume_job_id
        self.connection = dict(connection or {})
        self.crash_after_rows: int | None = None
        """Test seam: raise :class:`SimulatedCrashError` once this many rows are settled."""
        self._job: UploadJob | None = None
        self._lock = threading.Lock()
        self._paused = False

    # -- control (any thread) ------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the job between requests (it stays resumable)."""
        super().cancel()
        with self._lock:
            if self._job is not None:
                self._job.cancel()

    def pause(self) -> None:
        """Hold between requests."""
        with self._lock:
            self._paused = True
            if self._job is not None:
                self._job.pause()

    def unpause(self) -> None:
        """Continue."""
        with self._lock:
            self._paused = False
            if self._job is not None:
                self._job.unpause()

    # -- work ------------------------------------------------------------------------------------

    def _emit(self, progress: JobProgress) -> None:
        if self.crash_after_rows is not None and progress.rows_done >= self.crash_after_rows:
            raise SimulatedCrashError(f"simulated crash after {progress.rows_done} rows")
        self.progressed.emit(progress)

    def _preparing(self, message: str) -> None:
        self.progressed.emit(JobProgress(Phase.PREPARING, 0, 0, 0.0, None, message=message))

    def work(self) -> UploadOutcome:
        """Create or reopen the job, run it, map its rejections back to the user's rows."""
        shown: CsvSource | None = None
        job: UploadJob | None = None
        try:
            self.shown_dir.mkdir(parents=True, exist_ok=True)
            if self.resume_job_id is not None:
                self._preparing(f"reopening job {self.resume_job_id}")
                job = UploadJob.reopen(self.api, self.resume_job_id, poll_interval=0.2)
                side = self._sidecar(job.job_id)
                original = side.get("original")
                row_map = _load_row_map(Path(side["rows"])) if "rows" in side else array("q")
            else:
                job, shown, row_map, original = self._create()
            with self._lock:
                self._job = job
                if self._paused:
                    job.pause()
            self.check_cancelled()
            result = job.run(self._emit)
            rejected: dict[int, tuple[str, str]] = {}
            for r in result.rejections:
                orig = int(row_map[r.row]) if r.row < len(row_map) else r.row
                rejected[orig] = (r.code, r.message)
            return UploadOutcome(result, row_map, original, rejected)
        finally:
            if job is not None:
                job.close()
            if shown is not None:
                shown.close()
            self.api.close()

    def _sidecar(self, job_id: str) -> dict[str, str]:
        path = self.shown_dir / f"{job_id}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def _create(self) -> tuple[UploadJob, CsvSource, array[int], str | None]:
        assert self.source is not None
        assert self.overlay is not None
        assert self.definition is not None
        assert self.list_id is not None
        assert self.options is not None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = self.shown_dir / f"{stamp}-{self.source.path.stem}"
        shown_path = base.with_suffix(".csv")
        self._preparing(f"writing the file as shown ({self.rows:,} rows)")
        row_map = write_shown_csv(
            self.source, self.overlay, shown_path, rows=self.rows, cancel=self.cancel_event
        )
        self.check_cancelled()
        rows_path = base.with_suffix(".rows")
        _save_row_map(rows_path, row_map)
        shown = open_csv(shown_path, encoding="utf-8", delimiter=",")
        self._preparing(f"checking the {len(row_map):,} rows to send")
        result = validate(
            shown,
            self.definition,
            options=ValidationOptions(
                region=self.options.region,
                id_column=self.options.id_column,
                mapping=self.options.mapping,
            ),
            cancel=self.cancel_event,
        )
        self.check_cancelled()
        job = UploadJob.create(
            self.api,
            source=shown,
            definition=self.definition,
            list_id=self.list_id,
            options=self.options,
            validation=result,
            connection=self.connection,
        )
        original = str(self.source.path.resolve())
        side = {"original": original, "shown": str(shown_path), "rows": str(rows_path)}
        (self.shown_dir / f"{job.job_id}.json").write_text(json.dumps(side), encoding="utf-8")
        return job, shown, row_map, original
