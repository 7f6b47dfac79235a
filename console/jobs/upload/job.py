""":class:`UploadJob`: the facade the preview window, the upload child and the CLI use."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from console.api.client import GenesysClient
from console.api.models import ContactList
from console.contacts.reader import CsvSource
from console.contacts.result import ValidationResult
from console.jobs.progress import ProgressCallback
from console.jobs.upload.context import Flag, JobContext
from console.jobs.upload.options import UploadOptions
from console.jobs.upload.planning import Planned, plan_job, reopen_job
from console.jobs.upload.results import RowRejection, UploadResult
from console.jobs.upload.run import run_job

__all__ = ["UploadJob"]


class UploadJob:
    """One upload, resumable. Build with :meth:`create` or :meth:`reopen`, then :meth:`run`.

    Cancel and pause are the caller's flags (``cancel=``/``pause=``: a ``threading.Event``,
    a child's view of a shared-memory flag, anything with ``is_set()``), read between requests
    and during waits. :meth:`pause`, :meth:`unpause` and :meth:`cancel` may also be called from
    any thread; they add to the caller's flags (:meth:`unpause` cannot lower them).

    Attributes:
        job_id: Printable id (``240501-k3m9tq``).
        journal: The job's journal.
        options: What to send and how.
        list_id: Target list.
        rows: The rows and the values sent for them.
        cancel_event: Set by :meth:`cancel` or the caller's cancel flag (the client waits on it).
        pause_event: Set by :meth:`pause` or the caller's pause flag.
    """

    def __init__(
        self, api: GenesysClient, planned: Planned, *, cancel: Flag | None, pause: Flag | None
    ) -> None:
        self._ctx = ctx = JobContext(
            api, planned.journal, planned.rows, planned.options, planned.list_id, cancel=cancel, pause=pause
        )
        self._owns_source = planned.owns_source
        self.api = api
        self.journal = ctx.journal
        self.rows = ctx.rows
        self.options = ctx.options
        self.list_id = ctx.list_id
        self.job_id = ctx.job_id
        self.rows_total = ctx.rows_total
        self.cancel_event = ctx.cancel_event
        self.pause_event = ctx.pause_event

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
        cancel: Flag | None = None,
        pause: Flag | None = None,
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
            cancel: The caller's cancel flag, if any.
            pause: The caller's pause flag, if any.

        Raises:
            UploadError: The file cannot be uploaded as asked (the message says why).
        """
        planned = plan_job(
            source=source,
            definition=definition,
            list_id=list_id,
            options=options,
            validation=validation,
            connection=connection,
            jobs_dir=jobs_dir,
        )
        return cls(api, planned, cancel=cancel, pause=pause)

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
        cancel: Flag | None = None,
        pause: Flag | None = None,
    ) -> UploadJob:
        """Open an interrupted job to continue it with :meth:`run`.

        Raises:
            UploadError: Unknown or locked job, or the source file changed since the job began.
        """
        planned = reopen_job(
            job_id,
            source=source,
            jobs_dir=jobs_dir,
            settle_seconds=settle_seconds,
            poll_interval=poll_interval,
        )
        return cls(api, planned, cancel=cancel, pause=pause)

    def follow_imports_live(self, factory: Callable[..., Any]) -> None:
        """Await imports through the notification channel (its REST clients from ``session.new_client``)."""
        self._ctx.live_factory = factory

    def close(self) -> None:
        """Release the journal (and its lock); closes the CSV when :meth:`reopen` opened it."""
        self.journal.close()
        if self._owns_source:
            self.rows.source.close()

    def pause(self) -> None:
        """Stop between requests until :meth:`unpause` (or :meth:`cancel`)."""
        self.pause_event.set()

    def unpause(self) -> None:
        """Continue after :meth:`pause`."""
        self.pause_event.clear()

    def cancel(self) -> None:
        """Stop as soon as possible (between requests, or during a wait); the job stays resumable."""
        self.cancel_event.set()

    def run(self, on_progress: ProgressCallback | None = None) -> UploadResult:
        """Send what is not confirmed yet, then reconcile. Safe to call again after an interruption.

        Never raises for API trouble: the result's status says what happened. Programming
        errors and journal I/O errors propagate (the journal stays consistent).
        """
        return run_job(self._ctx, on_progress)

    def rejections(self) -> list[RowRejection]:
        """Every rejected row with the server's reason and its line in the file."""
        return self._ctx.rejections()

    def line_of(self, row: int) -> int:
        """1-based physical line of data record ``row`` (0 when past the end)."""
        return self._ctx.line_of(row)
