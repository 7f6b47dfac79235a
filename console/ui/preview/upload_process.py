"""The upload's child process: prepares and runs :class:`console.jobs.UploadJob` away from the GUI's GIL.

No Qt here: the spawned child imports only this module and the lower layers. The parent
(:class:`~console.ui.preview.workers.UploadWorker`, a thin relay on a QThread) sends a
:class:`ClientSpec` and an :class:`UploadPlan` over the pipe (the secret never goes to argv or
disk), then reads ``(kind, payload)`` messages until ``"result"`` or ``"error"``:

- ``("progress", JobProgress)``, ``("exchange", ExchangeRecord)``: re-emitted by the relay;
- ``("result", (UploadResult, row_map, original_path))`` or ``("error", BaseException)``: the end.

A new upload first writes "the file as shown" (edits applied, removed rows left out) to
``shown_dir`` with a map back to the user's rows, validates that file, and creates the job on
it; a resumed upload reopens the journal (the shown file stays until the job is done).

Pause and cancel are shared ``c_bool`` flags (``multiprocessing.RawValue``) the child polls and
mirrors into the job. Not ``multiprocessing.Event``: its ``set()`` waits for every sleeper to
wake, and hangs for ever when a waiting child has died (the simulated crash, a kill).
"""

from __future__ import annotations

import json
import threading
import time
from array import array
from collections.abc import Callable
from ctypes import c_bool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from pydantic import SecretStr

from console.api.auth import AccessToken, ClientCredentialsAuth, UserTokenAuth
from console.api.client import GenesysClient
from console.api.logging import ExchangeRecord
from console.api.models import ContactList
from console.api.regions import Endpoint
from console.contacts.reader import CsvSource, open_csv
from console.contacts.validate import ValidationOptions, validate
from console.jobs import JobProgress, Phase, UploadJob, UploadOptions, UploadResult
from console.ui.preview.analysis import Overlay, write_shown_csv
from console.ui.preview.child import ChildCancelled, SharedFlagEvent, serve

__all__ = ["ClientSpec", "SimulatedCrashError", "UploadPlan", "run_upload_child"]


class SimulatedCrashError(RuntimeError):
    """Raised by ``UploadWorker.crash_after_rows`` (tests): the job stops like a killed process.

    ``UploadJob.run`` does not catch it, so the journal keeps ``running`` and a chunk may stay
    ``sent``: what a crash leaves behind.
    """


@dataclass(frozen=True)
class ClientSpec:
    """Plain, picklable connection data the child builds its own client from.

    Attributes:
        endpoint: API and login hosts.
        client_id: OAuth client id (the PKCE client's for a user token).
        secret: Client secret (client credentials); sent over the pipe only.
        user_token: The signed-in user's token, used instead of the secret when present.
    """

    endpoint: Endpoint
    client_id: str
    secret: str | None = None
    user_token: AccessToken | None = None

    def __repr__(self) -> str:
        return f"ClientSpec({self.endpoint.api_base!r}, {self.client_id!r})"

    def build(self, on_exchange: Callable[[ExchangeRecord], None] | None = None) -> GenesysClient:
        """A client for this connection (the caller closes it)."""
        if self.user_token is not None:
            auth: ClientCredentialsAuth | UserTokenAuth = UserTokenAuth(
                self.endpoint, self.client_id, self.user_token
            )
        else:
            auth = ClientCredentialsAuth(self.endpoint, self.client_id, SecretStr(self.secret or ""))
        return GenesysClient(self.endpoint, auth, on_exchange=on_exchange)


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


class _CancelledError(Exception):
    """Cancel seen while preparing (before the job exists)."""


def _preparing(progress: Callable[[JobProgress], None], message: str) -> None:
    progress(JobProgress(Phase.PREPARING, 0, 0, 0.0, None, message=message))


def _create(
    plan: UploadPlan,
    api: GenesysClient,
    jobs_dir: Path,
    cancel: threading.Event,
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
        shown_path = base.with_suffix(".csv")
        _preparing(progress, f"writing the file as shown ({plan.rows:,} rows)")
        row_map = write_shown_csv(source, plan.overlay, shown_path, rows=plan.rows, cancel=cancel)
    finally:
        source.close()
    if cancel.is_set():
        raise _CancelledError
    rows_path = base.with_suffix(".rows")
    save_row_map(rows_path, row_map)
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
            raise _CancelledError
        job = UploadJob.create(
            api,
            source=shown,
            definition=plan.definition,
            list_id=plan.list_id,
            options=plan.options,
            validation=result,
            connection=plan.connection,
            jobs_dir=jobs_dir,
        )
    except BaseException:
        shown.close()
        raise
    original = str(plan.source_path.resolve())
    side = {"original": original, "shown": str(shown_path), "rows": str(rows_path)}
    (plan.shown_dir / f"{job.job_id}.json").write_text(json.dumps(side), encoding="utf-8")
    return job, shown, row_map, original


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

    ``cancel``/``pause`` are watched between requests (the job polls them through a relay).

    Raises:
        _CancelledError: Cancel seen before the job was planned.
    """
    shown: CsvSource | None = None
    job: UploadJob | None = None
    plan.shown_dir.mkdir(parents=True, exist_ok=True)
    try:
        if plan.resume_job_id is not None:
            _preparing(progress, f"reopening job {plan.resume_job_id}")
            job = UploadJob.reopen(api, plan.resume_job_id, jobs_dir=jobs_dir, poll_interval=0.2)
            side = read_sidecar(plan.shown_dir, job.job_id)
            original = side.get("original")
            row_map = load_row_map(Path(side["rows"])) if "rows" in side else array("q")
        else:
            job, shown, row_map, original = _create(plan, api, jobs_dir, cancel, progress)
        relay = threading.Thread(target=_relay_control, args=(job, cancel, pause), daemon=True)
        relay.start()
        if cancel.is_set():
            raise _CancelledError
        return job.run(progress), row_map, original
    finally:
        cancel.set()  # ends the relay thread
        if job is not None:
            job.close()
        if shown is not None:
            shown.close()


def _relay_control(job: UploadJob, cancel: threading.Event, pause: threading.Event) -> None:
    paused = False
    while not cancel.wait(0.05):
        if pause.is_set() != paused:
            paused = pause.is_set()
            job.pause() if paused else job.unpause()
    job.cancel()


def _mirror(cancel_flag: c_bool, pause_flag: c_bool, cancel: threading.Event, pause: threading.Event) -> None:
    parent_gone = SharedFlagEvent(cancel_flag)  # the flag, or the parent died (the job stays resumable)
    while not cancel.wait(0.05):
        if parent_gone.is_set():
            cancel.set()
        if pause_flag.value:
            pause.set()
        else:
            pause.clear()


def run_upload_child(
    conn: Connection,
    cancel_flag: c_bool,
    jobs_dir: Path,
    crash_after_rows: int | None,
    pause_flag: c_bool,
) -> None:
    """Child entry: receive (ClientSpec, UploadPlan), run :func:`run_upload`, send the messages above."""
    cancel = threading.Event()
    pause = threading.Event()
    threading.Thread(target=_mirror, args=(cancel_flag, pause_flag, cancel, pause), daemon=True).start()

    def work(
        request: object, _flag: threading.Event, send: Callable[[str, object], None]
    ) -> tuple[UploadResult, array[int], str | None]:
        assert isinstance(request, tuple)
        spec, plan = request
        assert isinstance(spec, ClientSpec)
        assert isinstance(plan, UploadPlan)

        def on_progress(progress: JobProgress) -> None:
            if crash_after_rows is not None and progress.rows_done >= crash_after_rows:
                raise SimulatedCrashError(f"simulated crash after {progress.rows_done} rows")
            send("progress", progress)

        with spec.build(lambda record: send("exchange", record)) as api:
            try:
                return run_upload(plan, api, jobs_dir, cancel=cancel, pause=pause, progress=on_progress)
            except _CancelledError:
                raise ChildCancelled from None

    try:
        serve(conn, cancel_flag, work)
    finally:
        cancel.set()  # ends the mirror thread
