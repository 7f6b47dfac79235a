"""The Activity page (Ctrl+5): every write the console made, newest first, filtered, opened, exported.

The log is read on a worker (:func:`~console.ui.activity.model.load_log`) when the page is shown
and on Refresh; filtering is in memory. A row opens what it refers to: an upload's journal and
reconciliation (:class:`JobDialog`), a failed request's decoded error (the decoder), a list
(loaded in the builder).
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.activity import Action, ActivityLog, ActivityRecord, Result, default_log
from console.fileio import atomic_write
from console.jobs.journal import Journal
from console.ui.activity.context import SessionActivity
from console.ui.activity.model import ActivityTableModel, LoadedLog, load_log
from console.ui.activity.table import ActivityFilter, csv_text, opens, read_journal
from console.ui.errors import DecodedError
from console.ui.pages import PageContext
from console.ui.workers import FunctionWorker, WorkerController

__all__ = ["ActivityPage", "ExportPath", "JobDialog", "job_text"]

_GROUPS = ("list", "template", "upload", "import", "call", "request")


class ExportPath:
    """Asks where to export (tests patch :meth:`ask`)."""

    @classmethod
    def ask(cls, parent: QWidget) -> Path | None:
        """The chosen CSV path, or None when cancelled."""
        name, _ = QFileDialog.getSaveFileName(parent, "Export activity", "activity.csv", "CSV files (*.csv)")
        return Path(name) if name else None


def job_text(job_id: str, records: list[ActivityRecord], journal: Path) -> str:
    """The job dialog's text: the journal's status and history, then the recorded reconciliation."""
    summary = read_journal(journal)
    lines = [f"Job {job_id}", f"Journal: {journal}"]
    if summary.problem:
        lines.append(summary.problem)
    else:
        lines.append(f"Status: {summary.status}" + (f" — {summary.message}" if summary.message else ""))
        lines.append("")
        lines.append("History:")
        for t, kind, message in summary.events:
            when = datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")
            lines.append(f"  {when}  {kind}" + (f": {message}" if message else ""))
    ended = [r for r in records if r.job_id == job_id and "reconciliation" in r.details]
    lines.append("")
    if ended:
        last = ended[0]
        ok = "matches" if last.details.get("reconciled") else "does NOT match"
        lines.append(f"Reconciliation ({last.at}): the list {ok} the file: {last.details['reconciliation']}")
    else:
        lines.append("Reconciliation: none recorded (the job did not finish sending).")
    return "\n".join(lines)


class JobDialog(QDialog):
    """An upload's journal (status and history) and its reconciliation, read-only."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Upload job")
        self.setObjectName("activityJobDialog")
        self.view = QPlainTextEdit(text)
        self.view.setReadOnly(True)
        self.view.setObjectName("activityJobText")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(720, 420)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class ActivityPage(QWidget):
    """The activity history page.

    Signals:
        loaded(object): the :class:`~console.ui.activity.model.LoadedLog` of a finished read.
        opened(str, object): what a row opened (``job``, ``error``, ``list``) and the record.

    Args:
        context: The window's session and error sink.
        log: The log to show (default: the process's).
    """

    title = "Activity"
    loaded = Signal(object)  # object: LoadedLog
    opened = Signal(str, object)  # str: what; object: ActivityRecord

    def __init__(
        self, context: PageContext, parent: QWidget | None = None, *, log: ActivityLog | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.log = log or default_log()
        self.session_activity = SessionActivity(context.session, self)
        self.model = ActivityTableModel(self)
        self.job_dialog: JobDialog | None = None
        self._reader = WorkerController(self, sink=context.sink, context="Read the activity log")
        self._reader.succeeded.connect(self._on_reader_succeeded)
        self._reload_due = False
        self._reader.finished.connect(self._on_reader_finished)

        self.search = QLineEdit()
        self.search.setObjectName("activitySearch")
        self.search.setPlaceholderText("Search: list name, job id, message, correlation id…")
        self.search.setClearButtonEnabled(True)
        self.org = QComboBox()
        self.org.setObjectName("activityOrg")
        self.org.addItem("All orgs", "")
        self.action = QComboBox()
        self.action.setObjectName("activityAction")
        self.action.addItem("All actions", "")
        for group in _GROUPS:
            self.action.addItem(f"{group}.*", group)
        for act in Action:
            self.action.addItem(act.value, act.value)
        self.result = QComboBox()
        self.result.setObjectName("activityResult")
        self.result.addItem("All results", "")
        for res in Result:
            self.result.addItem(res.value, res.value)
        self.dates = QCheckBox("From")
        self.dates.setObjectName("activityDates")
        today = date.today()
        self.start = QDateEdit(_qdate(today))
        self.start.setObjectName("activityStart")
        self.end = QDateEdit(_qdate(today))
        self.end.setObjectName("activityEnd")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setObjectName("activityRefresh")
        self.open_button = QPushButton("&Open")
        self.open_button.setObjectName("activityOpen")
        self.open_button.setToolTip("Open what the row refers to: the job, the error or the list")
        self.export_button = QPushButton("E&xport CSV…")
        self.export_button.setObjectName("activityExport")
        self.status = QLabel("")
        self.status.setObjectName("activityStatus")
        self.status.setWordWrap(True)

        self.table = QTableView()
        self.table.setObjectName("activityTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((150, 140, 130, 70, 200, 200, 120)):
            self.table.setColumnWidth(column, width)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.org)
        filters.addWidget(self.action)
        filters.addWidget(self.result)
        filters.addWidget(self.dates)
        filters.addWidget(self.start)
        filters.addWidget(QLabel("to"))
        filters.addWidget(self.end)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.search.textChanged.connect(self._on_filter_changed)
        self.org.currentIndexChanged.connect(self._on_filter_changed)
        self.action.currentIndexChanged.connect(self._on_filter_changed)
        self.result.currentIndexChanged.connect(self._on_filter_changed)
        self.dates.toggled.connect(self._on_dates_toggled)
        self.start.dateChanged.connect(self._on_filter_changed)
        self.end.dateChanged.connect(self._on_filter_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_current)
        self.export_button.clicked.connect(self.export)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

    # -- reading -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Read the log again on a worker (a read in flight is followed by one more)."""
        if self._reader.is_running:
            self._reload_due = True
            return
        self.status.setText("Reading the activity log…")
        self._reader.start(FunctionWorker(load_log, self.log))

    def showEvent(self, event: QShowEvent) -> None:
        """Read the log whenever the page is shown."""
        super().showEvent(event)
        self.refresh()

    @Slot(object)
    def _on_reader_succeeded(self, loaded: object) -> None:
        if not isinstance(loaded, LoadedLog):
            return
        self.model.set_loaded(loaded)
        chosen = self.org.currentData()
        self.org.blockSignals(True)
        self.org.clear()
        self.org.addItem("All orgs", "")
        for name in self.model.orgs():
            self.org.addItem(name, name)
        self.org.setCurrentIndex(max(0, self.org.findData(chosen)))
        self.org.blockSignals(False)
        self._on_filter_changed()
        self.loaded.emit(loaded)

    @Slot()
    def _on_reader_finished(self) -> None:
        if self._reload_due:
            self._reload_due = False
            self.refresh()

    def _show_status(self) -> None:
        loaded = self.model.loaded
        text = f"{len(self.model.rows)} of {len(loaded.records)} records"
        if loaded.problems:
            first = loaded.problems[0]
            more = f" (and {len(loaded.problems) - 1} more)" if len(loaded.problems) > 1 else ""
            text += f" — {len(loaded.problems)} line(s) skipped: {first}{more}"
        self.status.setText(text)

    # -- filtering ---------------------------------------------------------------------------

    def current_filter(self) -> ActivityFilter:
        """The filter the widgets describe."""
        on = self.dates.isChecked()
        return ActivityFilter(
            text=self.search.text().strip(),
            org=str(self.org.currentData() or ""),
            action=str(self.action.currentData() or ""),
            result=str(self.result.currentData() or ""),
            start=_pydate(self.start.date()) if on else None,
            end=_pydate(self.end.date()) if on else None,
        )

    @Slot()
    def _on_filter_changed(self) -> None:
        self.model.set_filter(self.current_filter())
        self._show_status()

    @Slot(bool)
    def _on_dates_toggled(self, on: bool) -> None:
        self.start.setEnabled(on)
        self.end.setEnabled(on)
        self._on_filter_changed()

    # -- opening -----------------------------------------------------------------------------

    def selected(self) -> ActivityRecord | None:
        """The record of the current row, if any."""
        index = self.table.currentIndex()
        entry = self.model.data(index, ActivityTableModel.RECORD_ROLE) if index.isValid() else None
        return entry if isinstance(entry, ActivityRecord) else None

    @Slot()
    def open_current(self) -> bool:
        """Open what the current row refers to."""
        entry = self.selected()
        return entry is not None and self.open_record(entry)

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.table.setCurrentIndex(index)
        self.open_current()

    def open_record(self, entry: ActivityRecord) -> bool:
        """Open the job, the error or the list ``entry`` refers to; False when it refers to none."""
        what = opens(entry)
        if what == "job" and entry.job_id:
            text = job_text(entry.job_id, self.model.loaded.records, Journal.path_for(entry.job_id))
            self.job_dialog = JobDialog(text, self)
            self.job_dialog.show()
        elif what == "error":
            self.context.sink.open_decoder(self._decoded(entry))
        elif what == "list":
            if not self._open_list(entry):
                return False
        else:
            return False
        self.opened.emit(what, entry)
        return True

    def _decoded(self, entry: ActivityRecord) -> DecodedError:
        ids = set(entry.correlation_ids)
        for decoded in reversed(self.context.sink.history):
            if decoded.correlation_id and decoded.correlation_id in ids:
                return decoded
        return DecodedError(
            title=f"{entry.action} failed ({entry.target.name or entry.target.id or 'no target'})",
            explanation=entry.message or "The activity log kept no message.",
            details=[
                f"Recorded at {entry.at}",
                f"Profile: {entry.profile or '-'}",
                f"Org: {entry.org_name or '-'}",
            ],
            correlation_id=entry.correlation_ids[0] if entry.correlation_ids else None,
            status=_int(entry.details.get("status")),
            context="Activity",
            reported_at=time.monotonic(),
        )

    def _open_list(self, entry: ActivityRecord) -> bool:
        window: Any = self.window()
        builder = getattr(window, "builder_page", None)
        if builder is None or not entry.target.id:
            return False
        builder.jobs.load("list", entry.target.id)
        show_page = getattr(window, "show_page", None)
        if show_page is not None:
            show_page(0)  # PAGE_BUILDER (main_window imports this page, so not imported here)
        return True

    # -- export ------------------------------------------------------------------------------

    @Slot()
    def export(self, path: Path | None = None) -> Path | None:
        """Write the rows shown now as CSV (cells a spreadsheet would run are quoted with ``'``)."""
        target = path or ExportPath.ask(self)
        if target is None:
            return None
        try:
            with atomic_write(target) as tmp:
                tmp.write_text(csv_text(self.model.rows), encoding="utf-8", newline="")
        except OSError as exc:
            self.context.sink.report(exc, context="Export activity")
            return None
        self.status.setText(f"Exported {len(self.model.rows)} records to {target}")
        return target


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None
