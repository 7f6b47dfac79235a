"""The preview page's upload: start or resume a job, follow it, show its outcome, offer unfinished ones.

:class:`UploadingMixin` is mixed into :class:`~console.ui.preview.page.PreviewPage`; the job runs
in an :class:`~console.ui.preview.workers.UploadWorker` (a child process) under the page's
``upload_ctl``. The credentials come from :func:`~console.ui.preview.credentials.upload_client_spec`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget

from console.connect import region_label
from console.contacts.result import RULES, Severity
from console.credentials import data_dir
from console.jobs import JobProgress, jobs_dir
from console.jobs.journal import UnfinishedJob
from console.ui.preview.confirm import UploadConfirmDialog, WarningRows
from console.ui.preview.credentials import connection_labels, upload_client_spec
from console.ui.preview.resume import find_unfinished, sidecar_dir
from console.ui.preview.text import MODES, upload_confirm_text
from console.ui.preview.workers import UploadOutcome, UploadWorker

if TYPE_CHECKING:
    from array import array

    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QScrollArea, QTabWidget

    from console.api.models import ContactList
    from console.contacts.reader import CsvSource
    from console.ui.pages import PageContext
    from console.ui.preview.checking import Checked
    from console.ui.preview.model import ContactTableModel
    from console.ui.preview.overlay import Overlay
    from console.ui.preview.resume import ResumeBanner
    from console.ui.preview.upload_panel import UploadPanel
    from console.ui.workers import WorkerController

__all__ = ["UploadingMixin"]


class UploadingMixin:
    """Upload and resume for the preview page (see the module docstring)."""

    if TYPE_CHECKING:
        context: PageContext
        source: CsvSource | None
        checked: Checked | None
        explicit_mapping: dict[str, int]
        model: ContactTableModel
        tabs: QTabWidget
        upload_scroll: QScrollArea
        upload_panel: UploadPanel
        resume_bar: ResumeBanner
        upload_ctl: WorkerController
        upload_worker: UploadWorker | None
        crash_after_rows: int | None
        last_outcome: UploadOutcome | None
        resume_offer: UnfinishedJob | None
        upload_progressed: SignalInstance
        upload_finished: SignalInstance
        upload_failed: SignalInstance

        @property
        def definition(self) -> ContactList | None:
            """The target list."""

        @property
        def phone_region(self) -> str:
            """The default phone region."""

        def _overlay_snapshot(self) -> Overlay:
            """The overlay for a worker."""

        def _rows_at_least(self, base: array[int], worst: Severity, *, rejected: bool) -> set[int]:
            """Rows at least ``worst``, edited rows by their re-check."""

        def _error_row_set(self) -> set[int]:
            """Rows with errors as the data stands."""

        def open_csv(self, path: Path) -> None:
            """Open a file."""

    def _warning_rows(self) -> tuple[list[int], dict[str, int]]:
        """Rows shown whose worst finding is a warning, and per warning rule how many carry it."""
        assert self.checked is not None
        rows: list[int] = []
        by_rule: Counter[str] = Counter()
        for row in sorted(self._rows_at_least(self.checked.flagged, Severity.WARNING, rejected=False)):
            status, codes = self.model.row_findings(row)
            if status != Severity.WARNING or self.model.overlay.is_removed(row):
                continue
            rows.append(row)
            warned = {code for _, code in codes if code in RULES and RULES[code].severity == Severity.WARNING}
            by_rule.update(warned)
        return rows, dict(by_rule)

    def _confirm_upload(self, definition: ContactList) -> tuple[WarningRows | None, list[int]]:
        """Ask before sending: org, region, list, mode, rows to send and with warnings.

        Returns:
            The choice for rows with warnings (None: cancelled) and those rows.
        """
        assert self.checked is not None
        session = self.context.session
        warning_rows, by_rule = self._warning_rows()
        removed = len(self.model.overlay.removed)
        errors = self._error_row_set()
        invalid = len(errors) - self.model.overlay.removed_among(errors)
        send_invalid = self.upload_panel.all_rows_check.isChecked()
        shown = self.checked.result.rows_done - removed
        text = upload_confirm_text(
            org=session.org_name,
            region=region_label(session.profile) if session.profile is not None else "-",
            list_name=definition.name or definition.id or "",
            mode=MODES[max(0, self.upload_panel.mode_group.checkedId())],
            to_send=shown if send_invalid else shown - invalid,
            warnings=by_rule,
            invalid=invalid,
            send_invalid=send_invalid,
            removed=removed,
        )
        return UploadConfirmDialog.ask(cast("QWidget", self), text, len(warning_rows)), warning_rows

    @Slot()
    def start_upload(self) -> None:
        """Upload the file as shown to the target list (a new, resumable job), after a confirmation."""
        d = self.definition
        if self.upload_ctl.is_running or self.source is None or self.checked is None or d is None or not d.id:
            return
        if self.context.session.org_name is None:  # a write names the checked org: wait for the check
            self.upload_panel.result_label.setText("Checking which org this profile reaches before sending…")
            self.context.session.after_org_check(self.start_upload, self._on_org_check_failed)
            return
        choice, warning_rows = self._confirm_upload(d)
        if choice is None:
            self.upload_panel.result_label.setText("Upload not started.")
            return
        overlay = self._overlay_snapshot()
        if choice is WarningRows.SKIP and warning_rows:
            overlay.remove(warning_rows)  # the snapshot only: the grid keeps showing them
        try:
            client = upload_client_spec(self.context.session)
        except Exception as exc:  # noqa: BLE001 - reported in the error bar
            self.context.sink.report(exc, context="Upload")
            return
        worker = UploadWorker(
            client,
            sidecar_dir(data_dir()),
            source=self.source,
            overlay=overlay,
            rows=self.checked.result.rows_done,
            definition=d,
            list_id=d.id,
            options=self.upload_panel.options(dict(self.explicit_mapping) or None, self.phone_region),
            connection=connection_labels(self.context.session),
            on_exchange=self.context.session.recorder.record,
        )
        self._begin_upload(worker)

    def _on_org_check_failed(self, why: str) -> None:
        self.upload_panel.result_label.setText(f"Not sent: {why}.")

    def _begin_upload(self, worker: UploadWorker) -> None:
        self.last_outcome = None
        self.upload_panel.begin()
        self.tabs.setCurrentWidget(self.upload_scroll)
        self.upload_worker = worker
        worker.crash_after_rows = self.crash_after_rows
        self.upload_ctl.start(worker)

    @Slot()
    def resume_upload(self) -> None:
        """Continue the unfinished job the banner offers."""
        job = self.resume_offer
        if job is None or self.upload_ctl.is_running:
            return
        try:
            client = upload_client_spec(self.context.session)
        except Exception as exc:  # noqa: BLE001 - reported in the error bar
            self.context.sink.report(exc, context="Resume upload")
            return
        self.resume_bar.hide()
        if self.source is None and job.original_path and Path(job.original_path).is_file():
            self.open_csv(Path(job.original_path))
        self._begin_upload(
            UploadWorker(
                client,
                sidecar_dir(data_dir()),
                resume_job_id=job.job_id,
                on_exchange=self.context.session.recorder.record,
            )
        )

    def check_unfinished_jobs(self) -> list[UnfinishedJob]:
        """Look for uploads that did not finish and offer to resume the newest."""
        try:
            jobs = find_unfinished(jobs_dir(), sidecar_dir(data_dir()))
        except OSError:
            jobs = []
        self.resume_offer = jobs[0] if jobs else None
        self.resume_bar.offer(jobs if not self.upload_ctl.is_running else [])
        return jobs

    @Slot(bool)
    def _on_pause_toggled(self, on: bool) -> None:
        worker = self.upload_ctl.worker
        if isinstance(worker, UploadWorker):
            worker.pause() if on else worker.unpause()
        self.upload_panel.pause_button.setText("Continue" if on else "Pause")

    @Slot(object)
    def _on_upload_progressed(self, p: object) -> None:
        if isinstance(p, JobProgress):
            self.upload_panel.show_progress(p)
            self.upload_progressed.emit(p)

    @Slot(object)
    def _on_upload_succeeded(self, outcome: object) -> None:
        if not isinstance(outcome, UploadOutcome):
            return
        self.last_outcome = outcome
        src = self.source
        if src is not None and outcome.original_path and Path(outcome.original_path) == src.path.resolve():
            self.model.set_rejections(outcome.rejected_rows)
        codes = [code for code, _ in outcome.rejected_rows.values()]
        self.upload_panel.show_outcome(outcome.result, codes)
        self.upload_finished.emit(outcome)
        self.check_unfinished_jobs()

    @Slot(object)
    def _on_upload_failed(self, exc: object) -> None:
        self.upload_panel.result_label.setText(f"<b>Upload stopped:</b> {exc}")
        self.upload_failed.emit(exc)
        self.check_unfinished_jobs()

    @Slot()
    def _on_upload_cancelled(self) -> None:
        self.upload_panel.result_label.setText("Upload cancelled before it started sending.")
        self.check_unfinished_jobs()
