"""The profile form's "Check this org": the doctor's read-only steps on a worker, listed with marks.

The steps are :func:`console.doctor.run_doctor`, the same as ``outbound-console doctor``; this module only
resolves the form's credentials the way the session does, runs them through a :class:`DoctorController`
and lists each :class:`~console.doctor.StepResult` as it ends. "Save report…" writes the support-ready text
(:func:`console.doctor.support_report`: no secret, no token).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.connect import endpoint_for, spec_for
from console.connect.client import ClientSpec
from console.credentials import CredentialsError, Profile, SignInMethod
from console.doctor import (
    MARKS,
    DoctorOptions,
    DoctorReport,
    DoctorTarget,
    Outcome,
    StepResult,
    run_doctor,
    summary_line,
    support_report,
    target_for,
)
from console.fileio import atomic_write
from console.ui.session import SessionController
from console.ui.workers import FunctionWorker, WorkerController

__all__ = ["DoctorController", "DoctorPanel", "item_text", "item_tooltip"]


def item_text(result: StepResult) -> str:
    """The list row of a step: ``✓ oauth: token issued …``."""
    return f"{MARKS[result.outcome]} {result.step}: {' '.join(result.detail.split())}"


def item_tooltip(result: StepResult) -> str:
    """The row's tooltip: detail, cause, fix and correlation ids."""
    lines = [result.detail]
    if result.cause:
        lines.append(f"Cause: {result.cause}")
    if result.fix:
        lines.append(f"Fix: {result.fix}")
    if result.correlation_ids:
        lines.append(f"Correlation ids: {', '.join(result.correlation_ids)}")
    return "\n".join(lines)


class DoctorController(QObject):
    """Runs the doctor on a worker thread and re-emits what it finds (widgets listen here).

    Signals:
        step_finished(object): a :class:`~console.doctor.StepResult`, as each step ends.
        done(object): the :class:`~console.doctor.DoctorReport`.
        failed(object): the exception that stopped the run (not emitted for a cancel).
        cancelled(): the run stopped because :meth:`cancel` was called.
        running_changed(bool): a run started or ended.
    """

    step_finished = Signal(object)  # object: StepResult
    done = Signal(object)  # object: DoctorReport
    failed = Signal(object)  # object: BaseException
    cancelled = Signal()
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runs = WorkerController(self, context="Check this org")
        self._runs.progressed.connect(self._on_runs_progressed)
        self._runs.succeeded.connect(self._on_runs_succeeded)
        self._runs.failed.connect(self._on_runs_failed)
        self._runs.cancelled.connect(self._on_runs_cancelled)
        self._runs.started.connect(self._on_runs_started)
        self._runs.finished.connect(self._on_runs_finished)

    @property
    def is_running(self) -> bool:
        """Whether a check runs."""
        return self._runs.is_running

    def start(
        self, target: DoctorTarget, spec: ClientSpec | None, session: SessionController, profile: Profile,
        options: DoctorOptions,
    ) -> None:  # fmt: skip
        """Run every step for ``target`` (the session's transport and API log; one run at a time)."""
        if self._runs.is_running:
            return
        worker = FunctionWorker(
            run_doctor,
            target,
            spec,
            options=options,
            on_exchange=session.recorder.record,
            transport=session.transport_for(profile),
        )
        self._runs.start(worker)

    def cancel(self) -> None:
        """Stop the run at its next check (between steps, or while waiting for the heartbeat)."""
        self._runs.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel and join the worker thread."""
        return self._runs.shutdown(timeout_ms)

    @Slot(object)
    def _on_runs_progressed(self, result: object) -> None:
        if isinstance(result, StepResult):
            self.step_finished.emit(result)

    @Slot(object)
    def _on_runs_succeeded(self, report: object) -> None:
        self.done.emit(report)

    @Slot(object)
    def _on_runs_failed(self, exc: object) -> None:
        self.failed.emit(exc)

    @Slot()
    def _on_runs_cancelled(self) -> None:
        self.cancelled.emit()

    @Slot()
    def _on_runs_started(self) -> None:
        self.running_changed.emit(True)

    @Slot()
    def _on_runs_finished(self) -> None:
        self.running_changed.emit(False)


class DoctorPanel(QDialog):
    """The steps of one "Check this org" run, listed with :data:`console.doctor.MARKS` (ok, failed, skipped).

    Args:
        parent: The profile form.

    Attributes:
        options: Time-outs of every run (tests shorten the heartbeat wait).
    """

    options = DoctorOptions()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check this org — Outbound Console")
        self.setObjectName("doctorPanel")
        self.report: DoctorReport | None = None
        self.controller = DoctorController(self)
        self.controller.step_finished.connect(self._on_controller_step_finished)
        self.controller.done.connect(self._on_controller_done)
        self.controller.failed.connect(self._on_controller_failed)
        self.controller.cancelled.connect(self._on_controller_cancelled)
        self.controller.running_changed.connect(self._on_controller_running_changed)
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.step_list = QListWidget()
        self.step_list.setObjectName("doctorSteps")
        self.step_list.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("doctorSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("&Save report…")
        self.save_button.setToolTip(
            "A support-ready text file: org, region, client id, steps, correlation ids"
        )
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.cancel_button = QPushButton("S&top")
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.step_list, 1)
        layout.addWidget(self.summary_label)
        layout.addLayout(buttons)
        self.resize(760, 420)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_app_about_to_quit)

    @classmethod
    def start_for(
        cls, parent: QWidget, profile: Profile, typed_secret: str, session: SessionController
    ) -> DoctorPanel:
        """Open a panel and check ``profile`` (the typed secret, else the stored one, or the user's token)."""
        panel = cls(parent)
        if isinstance(parent, QDialog):
            parent.finished.connect(panel._on_parent_finished)
        panel.show()
        panel.run(profile, SecretStr(typed_secret) if typed_secret else None, session)
        return panel

    def run(self, profile: Profile, secret: SecretStr | None, session: SessionController) -> None:
        """Resolve the credentials as the session does and start the steps (or say why they cannot run)."""
        self.step_list.clear()
        self.report = None
        self.save_button.setEnabled(False)
        self.title_label.setText(f"Checking “{profile.name}” (read-only: nothing is changed in the org)…")
        try:
            endpoint = endpoint_for(profile)
        except ValueError as exc:
            self._cannot_run(f"base URL: {exc}")
            return
        active = session.profile is not None and session.profile.id == profile.id
        user_token = session.user.token if session.user is not None and active else None
        spec: ClientSpec | None = None
        try:
            if user_token is not None:
                spec = spec_for(profile, None, user_token)
            elif profile.needs_secret:
                secret = secret if secret is not None else session.secret_for(profile)
                spec = spec_for(profile, secret)
        except CredentialsError as exc:
            self._cannot_run(str(exc))
            return
        method = SignInMethod.PKCE if user_token is not None else profile.sign_in
        client_id = spec.client_id if spec is not None else profile.client_id
        target = target_for(profile, endpoint, client_id, sign_in=method)
        self.controller.start(target, spec, session, profile, self.options)

    def save_report(self, path: str | Path) -> None:
        """Write the support-ready report of the last run to ``path``."""
        if self.report is None:
            return
        with atomic_write(path) as tmp:
            tmp.write_text(support_report(self.report), encoding="utf-8")

    @classmethod
    def ask_report_path(cls, parent: QWidget) -> str:
        """Where to save the report ("" when the user cancels); tests patch this."""
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save the org check report", "org-check.txt", "Text (*.txt)"
        )
        return path

    def _cannot_run(self, why: str) -> None:
        self.title_label.setText(f"Cannot check: {why}")
        self.summary_label.setText("")

    @Slot()
    def _on_save_clicked(self) -> None:
        path = self.ask_report_path(self)
        if not path:
            return
        try:
            self.save_report(path)
        except OSError as exc:
            self.summary_label.setText(f"The report was not saved: {exc}")
            return
        self.summary_label.setText(f"{self.summary_label.text()}\nReport saved to {path}.")

    @Slot(object)
    def _on_controller_step_finished(self, result: object) -> None:
        if not isinstance(result, StepResult):
            return
        item = QListWidgetItem(item_text(result))
        item.setToolTip(item_tooltip(result))
        item.setData(Qt.ItemDataRole.UserRole, result.outcome.value)
        if result.outcome is Outcome.FAIL:
            item.setForeground(Qt.GlobalColor.darkRed)
        self.step_list.addItem(item)

    @Slot(object)
    def _on_controller_done(self, report: object) -> None:
        if not isinstance(report, DoctorReport):
            return
        self.report = report
        org = f"{report.org_name} ({report.org_id})" if report.org_name else "the org"
        self.title_label.setText(f"Checked {org} at {report.target.region}.")
        self.summary_label.setText(summary_line(report).removeprefix("doctor: "))
        self.save_button.setEnabled(True)

    @Slot(object)
    def _on_controller_failed(self, exc: object) -> None:
        self.summary_label.setText(f"The check stopped: {exc}")

    @Slot()
    def _on_controller_cancelled(self) -> None:
        self.summary_label.setText("Stopped before every step ran.")

    @Slot(bool)
    def _on_controller_running_changed(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)

    @Slot()
    def _on_parent_finished(self) -> None:
        self.controller.shutdown()

    @Slot()
    def _on_app_about_to_quit(self) -> None:
        self.controller.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop a running check before the panel goes."""
        self.controller.shutdown()
        super().closeEvent(event)
