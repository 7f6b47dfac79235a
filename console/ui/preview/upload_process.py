"""The upload's child process: prepares and runs :class:`console.jobs.UploadJob` away from the GUI's GIL.

No Qt here: the spawned child imports only this module and the lower layers. The parent
(:class:`~console.ui.preview.workers.UploadWorker`, a thin relay on a QThread, through a
:class:`console.ipc.ChildService`) sends a :class:`console.connect.ClientSpec`
(the session's ``client_spec()``: the profile's proxy, time-outs and credentials),
an :class:`UploadPlan` and the jobs
folder over the pipe (the secret never goes to argv or disk; the plan carries the window's activity
log, so the job's records land in the window's file), then reads ``(Kind, payload)`` messages:

- ``(Kind.PROGRESS, JobProgress)``, ``(Kind.EXCHANGE, ExchangeRecord)``: re-emitted by the relay;
- ``(Kind.RESULT, (UploadResult, row_map, original_path))``, ``(Kind.CANCELLED, None)`` or
  ``(Kind.ERROR, BaseException)``: the end.

A new upload first writes "the file as shown" (edits applied, removed rows left out) to
``shown_dir`` with a map back to the user's rows, validates that file, and creates the job on
it; a resumed upload reopens the journal (the shown file stays until the job is done).

Pause and cancel are the service's shared flags (:class:`console.ipc.SharedFlag`), handed
straight to the preparation and to the job, which poll them (no mirror or relay thread); the
cancel flag also reads as set once the parent is gone, so an orphaned upload stops resumable.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from console import activity
from console.api.client import GenesysClient
from console.api.models import ContactList
from console.connect import ClientSpec
from console.contacts.reader import CsvSource, open_csv
from console.contacts.validate import ValidationOptions, validate
from console.errors import Cancelled
from console.ipc import Flags, Kind, Send, serve
from console.jobs import JobProgress, JobStatus, Phase, UploadJob, UploadOptions, UploadResult
from console.paths import private_dir, private_file
from console.ui.preview.overlay import Overlay, write_shown_csv

__all__ = ["ClientSpec", "SimulatedCrashError", "UploadPlan", "run_upload_child"]


class SimulatedCrashError(RuntimeError):
    """Raised by ``UploadWorker.crash_after_rows`` (tests): the job stops like a killed process.

    ``UploadJob.run`` does not catch it, so the journal keeps ``running`` and a chunk may stay
    ``sent``: what a crash leaves behind.
    """


@dataclass(frozen=True)
class UploadPlan:
    """What to upload (picklable): a new upload of the file as shown, or a job to resume.

    Attributes:
        shown_dir: Where shown files, row maps and sidecars go.
        source_path: The user's file (new upload).
        encoding: Its encoding as opened (new upload).
        delimiter: Its delimiter as opened (new upload).
        overlay: A snapshot of the edits and removed rows (new upload).
        rows: Rows of the user's file to consider (new upload).
        definition: The target list (new upload).
        list_id: The target list's id (new upload).
        options: Upload options (new upload).
        connection: Non-secret connection settings kept in the journal.
        resume_job_id: Continue this job instead.
        activity_log: The window's activity log, its path resolved where the plan is made (the
            window's process): the child writes the job's records there, not into the data folder
            it would resolve from its own environment.
    """

    shown_dir: Path
    source_path: Path | None = None
    encoding: str | None = None
    delimiter: str | None = None
    overlay: Overlay | None = None
    rows: int = 0
    definition: ContactList | None = None
    list_id: str | None = None
    options: UploadOptions | None = None
    connection: dict[str, str] | None = None
    resume_job_id: str | None = None
    activity_log: activity.ActivityLog = field(default_factory=lambda: activity.default_log().pinned())


def save_row_map(path: Path, row_map: array[int]) -> None:
    """Write the shown-row -> user-row map."""
    path.write_bytes(row_map.tobytes())


def load_row_map(path: Path) -> array[int]:
    """Read a map written by :func:`save_row_map` (empty when missing)."""
    out: array[int] = array("q")
    if path.is_file():
        out.frombytes(path.read_bytes())
    return out


def read_sidecar(shown_dir: Path, job_id: str) -> dict[str, str]:
    """The job's sidecar (original file, shown file, row map), or {}."""
    path = shown_dir / f"{job_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def _preparing(progress: Callable[[JobProgress], None], message: str) -> None:
    progress(JobProgress(Phase.PREPARING, 0, 0, 0.0, None, message=message))


def _create(
    plan: UploadPlan,
    api: GenesysClient,
    jobs_dir: Path,
    cancel: threading.Event,
    pause: threading.Event,
    progress: Callable[[JobProgress], None],
) -> tuple[UploadJob, CsvSource, array[int], str]:
    assert plan.source_path is not None
    assert plan.overlay is not None
    assert plan.definition is not None
    assert plan.list_id is not None
    assert plan.options is not None
    source = CsvSource(plan.source_path, encoding=plan.encoding, delimiter=plan.delimiter)
    try:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = plan.shown_dir / f"{stamp}-{plan.source_path.stem}"
        shown_path = private_file(base.with_suffix(".csv"))
        _preparing(progress, f"writing the file as shown ({plan.rows:,} rows)")
        row_map = write_shown_csv(source, plan.overlay, shown_path, rows=plan.rows, cancel=cancel)
    finally:
        source.close()
    rows_path = base.with_suffix(".rows")
    if cancel.is_set():
        remove_shown_files({"shown": str(shown_path), "rows": str(rows_path)})
        raise Cancelled
    save_row_map(private_file(rows_path), row_map)
    shown = open_csv(shown_path, encoding="utf-8", delimiter=",")
    try:
        _preparing(progress, f"checking the {len(row_map):,} rows to send")
        result = validate(
            shown,
            plan.definition,
            options=ValidationOptions(
                region=plan.options.region, id_column=plan.options.id_column, mapping=plan.options.mapping
            ),
            cancel=cancel,
        )
        if cancel.is_set():
            raise Cancelled
        job = UploadJob.create(
            api,
            source=shown,
            definition=plan.definition,
            list_id=plan.list_id,
            options=plan.options,
            validation=result,
            connection=plan.connection,
            jobs_dir=jobs_dir,
            cancel=cancel,
            pause=pause,
        )
    except BaseException:
        shown.close()
        remove_shown_files({"shown": str(shown_path), "rows": str(rows_path)})  # no job uses them
        raise
    original = str(plan.source_path.resolve())
    side = {"original": original, "shown": str(shown_path), "rows": str(rows_path)}
    private_file(plan.shown_dir / f"{job.job_id}.json").write_text(json.dumps(side), encoding="utf-8")
    return job, shown, row_map, original


def remove_shown_files(side: dict[str, str], sidecar: Path | None = None) -> None:
    """Delete a job's copy of the edited file, its row map and (``sidecar``) the note naming them.

    The copy holds contact data; it lives only as long as the job may still need it (issue 16).
    """
    for key in ("shown", "rows"):
        if side.get(key):
            with contextlib.suppress(OSError):
                Path(side[key]).unlink(missing_ok=True)
    if sidecar is not None:
        with contextlib.suppress(OSError):
            sidecar.unlink(missing_ok=True)


def run_upload(
    plan: UploadPlan,
    api: GenesysClient,
    jobs_dir: Path,
    *,
    cancel: threading.Event,
    pause: threading.Event,
    progress: Callable[[JobProgress], None],
) -> tuple[UploadResult, array[int], str | None]:
    """Create (or reopen) the job and run it; returns (result, row map, user's file).

    ``cancel``/``pause`` (anything with ``is_set()`` and ``wait(timeout)``, e.g. a
    :class:`console.ipc.SharedFlag`) become the job's own flags: it checks them between requests.

    Raises:
        Cancelled: Cancel seen before the job was planned.
    """
    shown: CsvSource | None = None
    job: UploadJob | None = None
    private_dir(plan.shown_dir)  # copies of edited files: contact data, 0700
    finished = False
    try:
        if plan.resume_job_id is not None:
            _preparing(progress, f"reopening job {plan.resume_job_id}")
            job = UploadJob.reopen(
                api, plan.resume_job_id, jobs_dir=jobs_dir, poll_interval=0.2, cancel=cancel, pause=pause
            )
            side = read_sidecar(plan.shown_dir, job.job_id)
            original = side.get("original")
            row_map = load_row_map(Path(side["rows"])) if "rows" in side else array("q")
        else:
            job, shown, row_map, original = _create(plan, api, jobs_dir, cancel, pause, progress)
        if cancel.is_set():
            raise Cancelled
        job.follow_imports_live(api.sibling)  # an import's end arrives as an importstatus event
        result = job.run(progress)
        finished = result.status in (JobStatus.DONE, JobStatus.REJECTED)
        return result, row_map, original
    finally:
        if job is not None:
            job.close()
        if shown is not None:
            shown.close()
        if finished and job is not None:  # the job is over: its copy of the file goes
            sidecar = plan.shown_dir / f"{job.job_id}.json"
            remove_shown_files(read_sidecar(plan.shown_dir, job.job_id), sidecar)


def run_upload_child(conn: Connection, flags: Flags) -> None:
    """Child entry (:class:`console.ipc.ChildService`).

    Each request is ``(ClientSpec, UploadPlan, jobs_dir, crash_after_rows)``; ``crash_after_rows``
    (tests) raises :class:`SimulatedCrashError` once that many rows are settled.
    """

    def work(request: object, flags: Flags, send: Send) -> tuple[UploadResult, array[int], str | None]:
        assert isinstance(request, tuple)
        spec, plan, jobs_dir, crash_after_rows = request
        assert isinstance(spec, ClientSpec)
        assert isinstance(plan, UploadPlan)

        def on_progress(progress: JobProgress) -> None:
            if crash_after_rows is not None and progress.rows_done >= crash_after_rows:
                raise SimulatedCrashError(f"simulated crash after {progress.rows_done} rows")
            send(Kind.PROGRESS, progress)

        with (
            activity.writing_to(plan.activity_log),
            spec.build(lambda record: send(Kind.EXCHANGE, record)) as api,
        ):
            return run_upload(
                plan, api, jobs_dir, cancel=flags.cancel, pause=flags.pause, progress=on_progress
            )

    serve(conn, flags, work)
