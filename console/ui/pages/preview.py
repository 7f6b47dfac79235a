"""CSV preview & upload page: open a contact CSV against a list, see every finding, fix, upload resumably.

Layout: a file bar (encoding, delimiter, target list), the grid (a
:class:`~console.ui.preview.model.ContactTableModel`; million-row files scroll smoothly), and
a side panel with the findings grouped by rule, the header mapping and the upload. Fixes are
commands on a ``QUndoStack`` over an overlay beside the read-only file. Opening, validating,
exporting and uploading all run in workers; the UI thread never blocks on the file or the
network.

Shortcuts: F8 / Shift+F8 next / previous finding, Ctrl+E errors only, Ctrl+Z / Ctrl+Shift+Z
undo / redo, Ctrl+U upload.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QAction, QColor, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTableWidget,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.api.models import ContactList
from console.contacts.reader import CsvReadError, CsvSource, open_csv
from console.contacts.result import RULES, Severity
from console.credentials import data_dir
from console.jobs import ImportFlow, JobProgress, JobStatus, Phase, UploadMode, UploadOptions, jobs_dir
from console.ui.pages import PageContext
from console.ui.preview.analysis import (
    SAMPLES_PER_RULE,
    Checked,
    Overlay,
    UnfinishedJob,
    decode_failure_reason,
    rule_title,
    sidecar_dir,
    unfinished_jobs,
)
from console.ui.preview.commands import EditCellsCommand, RemoveRowsCommand
from console.ui.preview.header import LineNumberHeader
from console.ui.preview.model import SEVERITY_COLORS, ContactTableModel
from console.ui.preview.workers import (
    ClientSpec,
    UploadOutcome,
    UploadWorker,
    ValidationService,
    ValidationWorker,
    export_error_report,
    export_id_map,
    export_shown,
    load_lists,
    scan_trim,
)
from console.ui.workers import FunctionWorker, WorkerController

ENCODINGS = ["Auto", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]
DELIMITERS = [("Auto", None), ("Comma ,", ","), ("Semicolon ;", ";"), ("Tab", "\t"), ("Pipe |", "|")]
BUILDER_KEY = "__builder__"
FIRST_CHILDREN = 20
"""Occurrences listed under each rule when the findings are shown; the rest (up to
``SAMPLES_PER_RULE``) when the rule is expanded (5,000 tree items cost the UI ~100 ms)."""
MODE_TEXT = {
    "upsert": "Add or update by contact id — POST …/contacts. Each row is sent as a contact whose id is "
    "the id column's value, at most 1,000 per request, paced by the org's rate-limit budget. Sending a row "
    "again updates the same contact, so an interrupted upload resumes without duplicates. Rows without an "
    "id are not sent.",
    "multipart": "File import (upload) — the rows are sent as one clean UTF-8 file; Genesys Cloud imports "
    "it in the background and the console follows the import status. With an id column, contacts with "
    "the same id are updated; without one every row is added as a new contact. A failed import rejects "
    "every row, with the reason.",
    "presigned": "File import (signed storage URL) — as the file import, but the file goes to the signed "
    "upload URL Genesys Cloud hands out (…/contactlists/uploads), then the import status is followed.",
}


def phone_regions() -> list[tuple[str, str]]:
    """(ISO code, country name) of every region libphonenumber knows, by code."""
    import phonenumbers
    from PySide6.QtCore import QLocale

    out = []
    for code in sorted(phonenumbers.SUPPORTED_REGIONS):
        territory = QLocale.codeToTerritory(code)
        name = QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else code
        out.append((code, name))
    return out


def default_phone_region() -> str:
    """The system locale's country when libphonenumber knows it, else US."""
    import phonenumbers
    from PySide6.QtCore import QLocale

    code = QLocale.territoryToCode(QLocale.system().territory())
    return code if code in phonenumbers.SUPPORTED_REGIONS else "US"


def _fmt_eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA -"
    s = int(seconds)
    return f"ETA {s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"ETA {s // 60}:{s % 60:02d}"


class PreviewPage(QWidget):
    """Preview, check, fix and upload a contact CSV.

    Signals:
        file_opened(object): the :class:`~pathlib.Path` now shown.
        validated(object): a :class:`~console.ui.preview.analysis.Checked` (the grid is coloured).
        lists_loaded(object): the org's contact lists (``list[ContactList]``).
        upload_progressed(object): :class:`~console.jobs.JobProgress` of the running upload.
        upload_finished(object): :class:`~console.ui.preview.workers.UploadOutcome`.
        upload_failed(object): the exception that stopped an upload before it ran.
        export_done(object): the :class:`~pathlib.Path` written.
    """

    title = "CSV preview & upload"
    file_opened = Signal(object)
    validated = Signal(object)
    lists_loaded = Signal(object)
    upload_progressed = Signal(object)
    upload_finished = Signal(object)
    upload_failed = Signal(object)
    export_done = Signal(object)

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.path: Path | None = None
        self.source: CsvSource | None = None
        self.checked: Checked | None = None
        self.lists: list[ContactList] = []
        self.builder_definition: ContactList | None = None
        self.explicit_mapping: dict[str, int] = {}
        self.last_outcome: UploadOutcome | None = None
        self.resume_offer: UnfinishedJob | None = None
        self._revalidate = False
        self._file_job = ""
        self.upload_worker: UploadWorker | None = None
        self.crash_after_rows: int | None = None
        """Test seam passed to new upload workers (see ``UploadWorker.crash_after_rows``)."""
        self.undo_stack = QUndoStack(self)
        self.model = ContactTableModel(self)
        self.model.edit_handler = self._on_model_edit

        self.validation_service = ValidationService()
        self.lists_ctl = WorkerController(self, sink=context.sink, context="Load contact lists")
        self._reload_lists = False
        self.validate_ctl = WorkerController(self, sink=context.sink, context="Check the file")
        self.file_ctl = WorkerController(self, sink=context.sink, context="Write file")
        self.upload_ctl = WorkerController(self, sink=context.sink, context="Upload")
        self._build()
        self._wire()
        self.check_unfinished_jobs()

    # == construction ==========================================================================

    def _build(self) -> None:
        # resume banner
        self.resume_bar = QFrame()
        self.resume_bar.setObjectName("resumeBar")
        self.resume_bar.setStyleSheet("QFrame#resumeBar { background: #e8f0fe; border: 1px solid #aecbfa; }")
        self.resume_label = QLabel()
        self.resume_label.setWordWrap(True)
        self.resume_button = QPushButton("Resume upload")
        self.resume_button.setToolTip(
            "Send the rows that were not confirmed; confirmed rows are not sent again"
        )
        self.resume_dismiss = QPushButton("Not now")
        rb = QHBoxLayout(self.resume_bar)
        rb.setContentsMargins(8, 4, 8, 4)
        rb.addWidget(self.resume_label, 1)
        rb.addWidget(self.resume_button)
        rb.addWidget(self.resume_dismiss)
        self.resume_bar.hide()

        # file bar
        self.message = QLabel("Open a contact CSV (File > Open or drop it on the window).")
        self.message.setObjectName("fileLabel")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open CSV…")
        self.open_button.setToolTip("Open a contact CSV (Ctrl+O)")
        self.encoding_combo = QComboBox()
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.encoding_combo.setMinimumContentsLength(12)
        self.encoding_combo.setToolTip("Text encoding of the file; Auto shows what was detected")
        self.delimiter_combo = QComboBox()
        for text, value in DELIMITERS:
            self.delimiter_combo.addItem(text, value)
        self.delimiter_combo.setMinimumContentsLength(16)
        self.delimiter_combo.setToolTip("Field delimiter; Auto shows what was detected")
        self.detected_label = QLabel()
        self.detected_label.setObjectName("detectedLabel")
        self.list_combo = QComboBox()
        self.list_combo.setMinimumWidth(220)
        self.list_combo.setToolTip("The contact list the file is checked against and uploaded to")
        self.region_combo = QComboBox()
        self.region_combo.setObjectName("phoneRegion")
        for code, name in phone_regions():
            self.region_combo.addItem(f"{code} — {name}", code)
        self.region_combo.setCurrentIndex(max(0, self.region_combo.findData(default_phone_region())))
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.region_combo.setMinimumContentsLength(14)  # long country names must not widen the page
        self.region_combo.setToolTip(
            "Country of phone numbers written without +country code: they are checked and normalized "
            "to E.164 as numbers of this country"
        )
        self.reload_lists_button = QToolButton()
        self.reload_lists_button.setText("↻")
        self.reload_lists_button.setToolTip("Reload the org's contact lists")

        file_row = QHBoxLayout()
        file_row.addWidget(self.open_button)
        file_row.addWidget(self.message, 1)
        file_row.addWidget(QLabel("Encoding:"))
        file_row.addWidget(self.encoding_combo)
        file_row.addWidget(QLabel("Delimiter:"))
        file_row.addWidget(self.delimiter_combo)
        target_row = QHBoxLayout()
        target_row.addWidget(QLabel("Target list:"))
        target_row.addWidget(self.list_combo, 1)
        target_row.addWidget(self.reload_lists_button)
        target_row.addWidget(QLabel("Phone region:"))
        target_row.addWidget(self.region_combo)
        target_row.addWidget(self.detected_label)

        # validation bar
        self.validate_progress = QProgressBar()
        self.validate_progress.setMaximumHeight(16)
        self.validate_progress.setTextVisible(True)
        # room for "checked 1,000,000 of 1,000,000" inside the bar
        self.validate_progress.setMinimumWidth(
            self.validate_progress.fontMetrics().horizontalAdvance("checked 10,000,000 of 10,000,000") + 24
        )
        self.validate_progress.hide()
        self.validate_cancel = QPushButton("Stop checking")
        self.validate_cancel.setToolTip("Stop the check; rows checked so far keep their colours")
        self.validate_cancel.hide()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summaryLabel")
        vbar = QHBoxLayout()
        vbar.addWidget(self.summary_label, 1)
        vbar.addWidget(self.validate_progress)
        vbar.addWidget(self.validate_cancel)

        # fix toolbar
        self.errors_only = QCheckBox("Errors only")
        self.errors_only.setToolTip("Show only rows with errors or rejected by the server (Ctrl+E)")
        self.show_e164 = QCheckBox("Show E.164")
        self.show_e164.setToolTip("Show phone numbers as original → E.164 (what the upload sends)")
        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setToolTip("Previous finding (Shift+F8)")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("Next finding (F8)")
        self.normalize_button = QPushButton("Normalize phones")
        self.normalize_button.setToolTip("Write every repairable phone number in E.164 (+CC…); undoable")
        self.trim_button = QPushButton("Trim spaces")
        self.trim_button.setToolTip("Remove leading and trailing spaces in the list's columns; undoable")
        self.remove_invalid_button = QPushButton("Remove invalid rows")
        self.remove_invalid_button.setToolTip("Leave rows with errors out of the export and upload; undoable")
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.undo_button = QToolButton()
        self.undo_button.setDefaultAction(self.undo_action)
        self.redo_button = QToolButton()
        self.redo_button.setDefaultAction(self.redo_action)
        self.export_button = QPushButton("Export fixed…")
        self.export_button.setToolTip("Write the file as shown (fixes applied) as UTF-8 CSV")
        self.report_button = QPushButton("Error report…")
        self.report_button.setToolTip("Write every finding (row, line, column, rule, message) as CSV")
        tools = QHBoxLayout()
        for w in (
            self.errors_only,
            self.show_e164,
            self.prev_button,
            self.next_button,
            self.normalize_button,
            self.trim_button,
            self.remove_invalid_button,
            self.undo_button,
            self.redo_button,
        ):
            tools.addWidget(w)
        tools.addStretch(1)
        tools.addWidget(self.export_button)
        tools.addWidget(self.report_button)

        # grid
        self.view = QTableView()
        self.view.setObjectName("previewGrid")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        vh = LineNumberHeader(self.view)
        self.view.setVerticalHeader(vh)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(22)
        self.view.horizontalHeader().setDefaultSectionSize(130)
        self.view.horizontalHeader().setStretchLastSection(True)

        # side panel
        self.tabs = QTabWidget()
        self.issue_tree = QTreeWidget()
        self.issue_tree.setHeaderLabels(["Finding", "Count"])
        self.issue_tree.setColumnWidth(0, 250)
        self.issue_tree.setToolTip("Findings grouped by rule; click one to jump to its cell")
        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setHorizontalHeaderLabels(["List column", "File column"])
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.setToolTip("Which file column fills each list column (matched ignoring case)")
        self.upload_panel = self._build_upload_panel()
        self.tabs.addTab(self.issue_tree, "Findings")
        self.tabs.addTab(self.mapping_table, "Mapping")
        self.tabs.addTab(self.upload_panel, "Upload")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([640, 380])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.resume_bar)
        layout.addLayout(file_row)
        layout.addLayout(target_row)
        layout.addLayout(vbar)
        layout.addLayout(tools)
        layout.addWidget(self.splitter, 1)
        self.status_line = QLabel()
        self.status_line.setObjectName("previewStatus")
        layout.addWidget(self.status_line)

        def shortcut(key: QKeySequence | str, slot: Any) -> QAction:
            action = QAction(self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.next_action = shortcut("F8", self.next_finding)
        self.prev_action = shortcut("Shift+F8", self.previous_finding)
        self.errors_action = shortcut("Ctrl+E", self.errors_only.toggle)
        self.upload_action = shortcut("Ctrl+U", self.start_upload)
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
        self._update_buttons()

    def _build_upload_panel(self) -> QWidget:
        panel = QWidget()
        self.mode_group = QButtonGroup(panel)
        self.mode_upsert = QRadioButton("Add or update by contact id")
        self.mode_multipart = QRadioButton("File import (upload)")
        self.mode_presigned = QRadioButton("File import (signed URL)")
        for i, b in enumerate((self.mode_upsert, self.mode_multipart, self.mode_presigned)):
            self.mode_group.addButton(b, i)
        self.mode_upsert.setChecked(True)
        self.mode_text = QLabel(MODE_TEXT["upsert"])
        self.mode_text.setWordWrap(True)
        self.mode_text.setStyleSheet("color: #3c4043;")
        self.id_combo = QComboBox()
        self.id_combo.setToolTip("List column whose value is the contact id (drives add-or-update)")
        self.all_rows_check = QCheckBox("Also send rows with errors")
        self.all_rows_check.setToolTip("By default only rows without errors are sent")
        self.send_label = QLabel()
        self.send_label.setWordWrap(True)
        self.upload_button = QPushButton("Upload")
        self.upload_button.setToolTip("Upload to the target list (Ctrl+U)")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Hold between requests; click again to continue")
        self.cancel_upload_button = QPushButton("Cancel")
        self.cancel_upload_button.setToolTip("Stop; the upload can be resumed later without duplicates")
        self.upload_progress = QProgressBar()
        self.upload_progress.setRange(0, 1000)
        self.upload_status = QLabel()
        self.upload_status.setObjectName("uploadStatus")
        self.upload_status.setMinimumHeight(2 * self.upload_status.fontMetrics().lineSpacing() + 4)
        self.result_label = QLabel()
        self.result_label.setObjectName("uploadResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing_list = QListWidget()
        self.missing_list.setToolTip("Source ids not found in the list after the upload")
        self.missing_list.setMaximumHeight(90)
        self.missing_list.hide()
        self.id_map_button = QPushButton("Export id map…")
        self.id_map_button.setToolTip("Write source id → contact id of every confirmed row as CSV")
        self.id_map_button.setEnabled(False)

        form = QFormLayout()
        form.addRow("Id column:", self.id_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.upload_button)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_upload_button)
        layout = QVBoxLayout(panel)
        layout.addWidget(self.mode_upsert)
        layout.addWidget(self.mode_multipart)
        layout.addWidget(self.mode_presigned)
        layout.addWidget(self.mode_text)
        layout.addLayout(form)
        layout.addWidget(self.all_rows_check)
        layout.addWidget(self.send_label)
        layout.addLayout(buttons)
        layout.addWidget(self.upload_progress)
        layout.addWidget(self.upload_status)
        layout.addWidget(self.result_label)
        layout.addWidget(self.missing_list)
        layout.addWidget(self.id_map_button)
        layout.addStretch(1)
        # Messages wrap inside the panel's width instead of widening it: a wider panel squeezes
        # the grid, and a resized grid repaints every visible cell (the stall measured when an
        # upload ended on the 1,000,000-row benchmark file).
        for label in (self.send_label, self.upload_status, self.result_label):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        return panel

    def _wire(self) -> None:
        self.open_button.clicked.connect(self._on_open_clicked)
        self.encoding_combo.activated.connect(self._on_format_changed)
        line_edit = self.encoding_combo.lineEdit()
        if line_edit is not None:
            line_edit.editingFinished.connect(self._on_format_changed)
        self.delimiter_combo.activated.connect(self._on_format_changed)
        self.list_combo.activated.connect(self._on_list_activated)
        self.region_combo.activated.connect(self._on_region_activated)
        self.reload_lists_button.clicked.connect(self.load_lists)
        self.validate_cancel.clicked.connect(self._on_stop_checking)
        self.errors_only.toggled.connect(self._on_errors_only_toggled)
        self.show_e164.toggled.connect(self.model.set_show_e164)
        self.next_button.clicked.connect(self.next_finding)
        self.prev_button.clicked.connect(self.previous_finding)
        self.normalize_button.clicked.connect(self.normalize_phones)
        self.trim_button.clicked.connect(self.trim_spaces)
        self.remove_invalid_button.clicked.connect(self.remove_invalid_rows)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.report_button.clicked.connect(self._on_report_clicked)
        self.issue_tree.itemClicked.connect(self._on_issue_clicked)
        self.issue_tree.itemExpanded.connect(self._on_issue_expanded)
        self.mode_group.idToggled.connect(self._on_mode_toggled)
        self.all_rows_check.toggled.connect(self._update_send_label)
        self.upload_button.clicked.connect(self.start_upload)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.cancel_upload_button.clicked.connect(self.upload_ctl.cancel)
        self.id_map_button.clicked.connect(self._on_id_map_clicked)
        self.resume_button.clicked.connect(self.resume_upload)
        self.resume_dismiss.clicked.connect(self.resume_bar.hide)
        self.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self.model.modelReset.connect(self._on_model_reset)

        self.lists_ctl.succeeded.connect(self._on_lists_succeeded)
        self.lists_ctl.finished.connect(self._on_lists_finished)
        self.validate_ctl.succeeded.connect(self._on_validate_succeeded)
        self.validate_ctl.progressed.connect(self._on_validate_progressed)
        self.validate_ctl.finished.connect(self._on_validate_finished)
        self.validate_ctl.failed.connect(self._on_validate_failed)
        self.file_ctl.succeeded.connect(self._on_file_succeeded)
        self.file_ctl.progressed.connect(self._on_file_progressed)
        self.upload_ctl.progressed.connect(self._on_upload_progressed)
        self.upload_ctl.succeeded.connect(self._on_upload_succeeded)
        self.upload_ctl.failed.connect(self._on_upload_failed)
        self.upload_ctl.cancelled.connect(self._on_upload_cancelled)
        self.upload_ctl.finished.connect(self._update_buttons)
        self.upload_ctl.started.connect(self._update_buttons)
        self.context.session.profile_changed.connect(self._on_profile_changed)

    @Slot()
    def _on_model_reset(self) -> None:
        # Lay the grid out now, before it paints: after a reset that shrinks the rows (remove
        # rows, errors only) the vertical header still has the old scroll offset, past the new
        # end, and QHeaderView::paintEvent then paints *every* section (one headerData call per
        # role and section: 140,000 Python calls for 20,000 rows, seconds while a worker holds
        # the GIL). The layout clamps the scroll bar and the header's offset first.
        self.view.doItemsLayout()

    # == dialogs (patched in tests, pytest-qt docs/note_dialogs.rst) ================================

    @classmethod
    def ask_open_path(cls, parent: QWidget) -> Path | None:
        """Ask for a CSV to open."""
        name, _ = QFileDialog.getOpenFileName(
            parent, "Open contact CSV", "", "CSV files (*.csv);;All files (*)"
        )
        return Path(name) if name else None

    @classmethod
    def ask_save_path(cls, parent: QWidget, title: str, suggested: Path) -> Path | None:
        """Ask where to write a file."""
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), "CSV files (*.csv)")
        return Path(name) if name else None

    # == public API ==============================================================================

    def open_csv(self, path: Path) -> None:
        """Show ``path`` at once (head of the file) and check it against the target list in a worker.

        A file that cannot be read is reported (naming it) and the current file stays open.
        """
        self._open(Path(path), encoding=None, delimiter=None)

    def set_builder_definition(self, definition: ContactList | None) -> None:
        """The list definition being built in the list builder (a possible target)."""
        self.builder_definition = definition
        self._fill_list_combo()
        if self.list_combo.currentData() == BUILDER_KEY:
            self._start_validation()

    def load_lists(self) -> None:
        """Load the org's contact lists into the target picker (worker).

        Asked again while a load runs (the reload button, another profile), the running load is
        cancelled and its answer dropped, and a new one starts when it has ended.
        """
        if self.context.session.profile is None:
            return
        if self.lists_ctl.is_running:
            self._reload_lists = True
            self.lists_ctl.cancel()
            return
        self._reload_lists = False
        try:
            api = self.context.session.new_client()
        except Exception as exc:  # noqa: BLE001 - a missing secret goes to the error bar
            self.context.sink.report(exc, context="Load contact lists")
            return
        self.list_combo.setPlaceholderText("Loading lists…")
        self.lists_ctl.start(FunctionWorker(load_lists, api))

    def select_list(self, list_id: str) -> None:
        """Choose the target list by id (as picking it in the combo does)."""
        k = self.list_combo.findData(list_id)
        if k < 0:
            raise KeyError(list_id)
        self.list_combo.setCurrentIndex(k)
        self._on_list_activated(k)

    @property
    def phone_region(self) -> str:
        """Default region of phone numbers written without a country code (ISO 3166 alpha-2)."""
        return str(self.region_combo.currentData() or "US")

    def set_phone_region(self, region: str) -> None:
        """Choose the default phone region (as picking it does): the file is checked again.

        Raises:
            KeyError: ``region`` is not a region phone numbers are known for.
        """
        k = self.region_combo.findData(region.upper())
        if k < 0:
            raise KeyError(region)
        self.region_combo.setCurrentIndex(k)
        self._on_region_activated(k)

    @property
    def definition(self) -> ContactList | None:
        """The target list's definition (org list or the one being built)."""
        key = self.list_combo.currentData()
        if key == BUILDER_KEY:
            return self.builder_definition
        return next((c for c in self.lists if c.id == key), None)

    def shutdown(self, timeout_ms: int = 20_000) -> None:
        """Cancel and join every worker of the page, then close the file (window close, tests)."""
        for controller in (self.lists_ctl, self.validate_ctl, self.file_ctl, self.upload_ctl):
            controller.shutdown(timeout_ms)
        self.validation_service.close()
        if self.source is not None:
            self.source.close()

    def showEvent(self, event: QShowEvent) -> None:
        """First shown: start the validation child, so the first check does not wait for it."""
        super().showEvent(event)
        self.validation_service.warm()

    # == opening ===================================================================================

    @Slot()
    def _on_open_clicked(self) -> None:
        path = self.ask_open_path(self)
        if path is not None:
            self.open_csv(path)

    @Slot()
    def _on_format_changed(self) -> None:
        if self.path is None:
            return
        enc = self.encoding_combo.currentText().strip()
        encoding = None if enc in ("", "Auto") else enc
        delimiter = self.delimiter_combo.currentData()
        if (
            self.source is not None
            and encoding == self.source.encoding
            and delimiter == self.source.delimiter
        ):
            return
        self._open(self.path, encoding=encoding, delimiter=delimiter)

    def _open(self, path: Path, *, encoding: str | None, delimiter: str | None) -> None:
        try:
            source = open_csv(path, encoding=encoding, delimiter=delimiter)
        except CsvReadError as exc:
            self.context.sink.report(exc, context=f"Open {path.name}")
            self.summary_label.setText(f"<b>Cannot open {path.name}:</b> {exc}")
            return
        self.validate_ctl.cancel()
        old = self.source
        self.path = path
        self.source = source
        self.checked = None
        self.explicit_mapping = {}
        self.undo_stack.clear()
        self.errors_only.setChecked(False)
        self.model.set_source(source)
        if old is not None and not self.upload_ctl.is_running:
            old.close()
        self.message.setText(f"<b>{path.name}</b> — {path.parent}")
        self.message.setToolTip(str(path))
        self._show_detected()
        self.issue_tree.clear()
        self.file_opened.emit(path)
        self._start_validation()
        self._update_buttons()

    def _show_detected(self) -> None:
        src = self.source
        if src is None:
            return
        delim = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
            src.delimiter, repr(src.delimiter)
        )
        self.detected_label.setText(f"Detected: {src.encoding}, {delim}")
        self.detected_label.setToolTip(f"Encoding: {src.encoding} ({src.encoding_reason})")
        self.encoding_combo.setItemText(0, f"Auto ({src.encoding})")
        self.delimiter_combo.setItemText(0, f"Auto ({delim})")

    # == lists ======================================================================================

    @Slot(object)
    def _on_profile_changed(self, profile: object) -> None:
        self.lists = []
        self._fill_list_combo()
        if profile is not None:
            self.load_lists()
        self.check_unfinished_jobs()

    @Slot(object)
    def _on_lists_succeeded(self, lists: object) -> None:
        if not isinstance(lists, list) or self._reload_lists:
            return  # a newer load was asked for: this answer may be another profile's
        self.lists = [c for c in lists if isinstance(c, ContactList)]
        self._fill_list_combo()
        self.lists_loaded.emit(self.lists)

    @Slot()
    def _on_lists_finished(self) -> None:
        if self._reload_lists:
            self.load_lists()

    def _fill_list_combo(self) -> None:
        current = self.list_combo.currentData()
        self.list_combo.blockSignals(True)
        self.list_combo.clear()
        self.list_combo.setPlaceholderText("Choose a contact list")
        if self.builder_definition is not None:
            name = self.builder_definition.name or "unnamed"
            self.list_combo.addItem(f"Definition being built: {name}", BUILDER_KEY)
        for c in self.lists:
            self.list_combo.addItem(f"{c.name} ({len(c.column_names)} columns)", c.id)
        k = self.list_combo.findData(current) if current is not None else -1
        self.list_combo.setCurrentIndex(k)
        self.list_combo.blockSignals(False)
        self._fill_id_combo()

    @Slot(int)
    def _on_list_activated(self, _index: int) -> None:
        self.explicit_mapping = {}
        self._fill_id_combo()
        self._start_validation()
        self._update_buttons()

    @Slot(int)
    def _on_region_activated(self, _index: int) -> None:
        self._start_validation()

    def _fill_id_combo(self) -> None:
        from console.contacts.rules import guess_id_column

        self.id_combo.clear()
        self.id_combo.addItem("(none)", None)
        d = self.definition
        if d is None:
            return
        for name in d.column_names:
            self.id_combo.addItem(name, name)
        guess = guess_id_column(d)
        if guess is not None:
            self.id_combo.setCurrentIndex(self.id_combo.findData(guess))

    # == validation =================================================================================

    def _start_validation(self) -> None:
        if self.source is None:
            return
        definition = self.definition
        if definition is None:
            self.summary_label.setText(
                f"{self.source.indexed_rows:,}+ rows. Choose a target list to check them."
                if not self.source.index_complete
                else f"{self.source.indexed_rows:,} rows. Choose a target list to check them."
            )
            return
        if self.validate_ctl.is_running:
            self._revalidate = True
            self.validate_ctl.cancel()
            return
        self._revalidate = False
        id_column = self.id_combo.currentData() if self.id_combo.count() else None
        explicit = dict(self.explicit_mapping) or None
        worker = ValidationWorker(
            self.validation_service, self.source, definition, explicit, id_column, self.phone_region
        )
        self.validate_progress.setRange(0, 0)
        self.validate_progress.show()
        self.validate_cancel.setEnabled(True)
        self.validate_cancel.show()
        self.summary_label.setText("Checking…")
        self.validate_ctl.start(worker)

    @Slot()
    def _on_stop_checking(self) -> None:
        """The user's "Stop checking": the rows checked so far are shown with their findings."""
        worker = self.validate_ctl.worker
        if isinstance(worker, ValidationWorker):
            worker.stop()
            self.validate_cancel.setEnabled(False)
            self.summary_label.setText("Stopping the check…")

    @Slot(object)
    def _on_validate_progressed(self, payload: object) -> None:
        if not isinstance(payload, tuple):
            return
        done, known = payload
        # The grid does not grow here: every insert makes the view repaint all visible cells and
        # re-measure the line-number header (~3,000 calls into Python, a visible stall while the
        # worker holds the GIL). It grows when the user scrolls to its end (fetchMore) and once
        # when the check ends.
        total = known if self.source is None or not self.source.index_complete else self.source.indexed_rows
        if total:
            self.validate_progress.setRange(0, total)
            self.validate_progress.setValue(min(done, total))
            self.validate_progress.setFormat(f"checked {done:,} of {total:,}")

    @Slot(object)
    def _on_validate_succeeded(self, checked: object) -> None:
        if not isinstance(checked, Checked) or self._revalidate:
            return
        self.checked = checked
        self.model.set_checked(checked)
        self._fill_issue_tree()
        self._fill_mapping_table()
        self._update_summary()
        self._update_send_label()
        self._update_buttons()
        self.validated.emit(checked)

    @Slot(object)
    def _on_validate_failed(self, exc: object) -> None:
        self.summary_label.setText(f"<b>The file could not be checked:</b> {exc}")

    @Slot()
    def _on_validate_finished(self) -> None:
        self.validate_progress.hide()
        self.validate_cancel.hide()
        self._update_buttons()
        if self._revalidate:
            self._start_validation()

    def _update_summary(self) -> None:
        checked = self.checked
        if checked is None or self.source is None:
            return
        r = checked.result
        removed = len(self.model.overlay.removed)
        rows = f"<b>{r.row_count:,}</b> rows"
        if r.cancelled:
            known = f"{self.source.indexed_rows:,}{'' if self.source.index_complete else '+'}"
            rows = f"<b>{r.rows_done:,}</b> of {known} rows checked"
        parts = [
            rows,
            f"<span style='color:#137333'>{r.valid_rows:,} valid</span>",
            f"<span style='color:#a50e0e'>{r.invalid_rows:,} with errors</span>",
            f"{r.issue_count:,} findings",
        ]
        if removed:
            parts.append(f"{removed:,} removed")
        if r.cancelled:
            parts.append("<i>check stopped: rows below show “…”</i>")
        self.summary_label.setText(" · ".join(parts))

    def _fill_issue_tree(self) -> None:
        checked = self.checked
        self.issue_tree.clear()
        if checked is None or self.source is None:
            return
        for code, count in checked.counts.items():
            rule = RULES.get(code)
            sev = rule.severity if rule is not None else Severity.INFO
            top = QTreeWidgetItem([f"{str(sev).capitalize()}: {rule_title(code)}", f"{count:,}"])
            top.setToolTip(0, f"{code}\nFix: {rule.fix if rule else ''}")
            top.setData(0, Qt.ItemDataRole.UserRole, code)
            color = SEVERITY_COLORS.get(sev)
            if color is not None:
                top.setBackground(0, color)
                top.setBackground(1, color)
                top.setForeground(0, QColor("#202124"))
                top.setForeground(1, QColor("#202124"))
            if any(row == -1 for row, _ in checked.samples.get(code, [])):
                for issue in (i for i in checked.result.header_issues if i.code == code):
                    child = QTreeWidgetItem([issue.message, ""])
                    child.setToolTip(0, issue.message)
                    top.addChild(child)
            else:
                self._add_issue_children(top, code, FIRST_CHILDREN)
            self.issue_tree.addTopLevelItem(top)

    def _add_issue_children(self, top: QTreeWidgetItem, code: str, upto: int) -> None:
        """Add the sampled occurrences of ``code`` under ``top``, up to ``upto`` children."""
        checked, source = self.checked, self.source
        if checked is None or source is None:
            return
        header = source.header
        samples = checked.samples.get(code, [])
        children = []
        for row, col in samples[top.childCount() : upto]:
            where = header[col] if 0 <= col < len(header) else "whole row"
            child = QTreeWidgetItem([f"Line {source.physical_line(row)} · {where}", ""])
            child.setData(0, Qt.ItemDataRole.UserRole, (row, col))
            children.append(child)
        if children:
            top.addChildren(children)

    @Slot(QTreeWidgetItem)
    def _on_issue_expanded(self, item: QTreeWidgetItem) -> None:
        code = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(code, str) and item.parent() is None:
            self._add_issue_children(item, code, SAMPLES_PER_RULE)

    def _fill_mapping_table(self) -> None:
        checked, definition = self.checked, self.definition
        if checked is None or definition is None or self.source is None:
            return
        header = self.source.header
        self.mapping_table.setRowCount(len(definition.column_names))
        for k, name in enumerate(definition.column_names):
            item = self.mapping_table.item(k, 0)
            if item is None:
                from PySide6.QtWidgets import QTableWidgetItem

                item = QTableWidgetItem()
                self.mapping_table.setItem(k, 0, item)
            item.setText(name)
            combo = QComboBox()
            combo.addItem("(not in the file)", -1)
            for i, h in enumerate(header):
                combo.addItem(h, i)
            combo.setCurrentIndex(combo.findData(checked.columns.get(name, -1)))
            combo.setProperty("listColumn", name)
            combo.activated.connect(self._on_mapping_activated)
            self.mapping_table.setCellWidget(k, 1, combo)

    @Slot(int)
    def _on_mapping_activated(self, _index: int) -> None:
        combo = self.sender()
        if not isinstance(combo, QComboBox):
            return
        self.set_mapping(str(combo.property("listColumn")), int(combo.currentData()))

    def set_mapping(self, list_column: str, csv_index: int) -> None:
        """Map a list column to a file column (-1: none) and check the file again."""
        if csv_index < 0:
            self.explicit_mapping.pop(list_column, None)
        else:
            self.explicit_mapping[list_column] = csv_index
        self._start_validation()

    def mapping_combo(self, list_column: str) -> QComboBox:
        """The mapping editor of a list column."""
        for k in range(self.mapping_table.rowCount()):
            item = self.mapping_table.item(k, 0)
            if item is not None and item.text() == list_column:
                w = self.mapping_table.cellWidget(k, 1)
                assert isinstance(w, QComboBox)
                return w
        raise KeyError(list_column)

    # == navigation ===============================================================================

    def jump_to(self, row: int, col: int = -1) -> bool:
        """Select file row ``row`` (and CSV column ``col``) in the grid; False when not shown."""
        v = self.model.view_row(row)
        if v is None and self.model.filtered:
            self.errors_only.setChecked(False)
            v = self.model.view_row(row)
        if v is None:
            while self.model.canFetchMore(QModelIndex()) and self.model.view_row(row) is None:
                self.model.fetchMore(QModelIndex())
            v = self.model.view_row(row)
        if v is None:
            return False
        index = self.model.index(v, max(0, col + 1))
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    @Slot(QTreeWidgetItem, int)
    def _on_issue_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(data, tuple):
            self.jump_to(int(data[0]), int(data[1]))
        elif isinstance(data, str):
            first = self.checked.samples.get(data, []) if self.checked is not None else []
            if first and first[0][0] >= 0:
                self.jump_to(first[0][0], first[0][1])

    def _finding_rows(self) -> list[int]:
        if self.checked is None:
            return []
        rows = set(self.checked.flagged)
        for row, (sev, _) in self.model.rechecked.items():
            if sev > Severity.OK:
                rows.add(row)
            else:
                rows.discard(row)
        rows.update(self.model.rejections)
        return sorted(r for r in rows if not self.model.overlay.is_removed(r))

    def _current_row(self) -> int:
        index = self.view.currentIndex()
        return self.model.file_row(index.row()) if index.isValid() else -1

    @Slot()
    def next_finding(self) -> None:
        """Select the next row with a finding (F8)."""
        rows = self._finding_rows()
        k = bisect.bisect_right(rows, self._current_row())
        if k < len(rows):
            self._jump_first_issue(rows[k])

    @Slot()
    def previous_finding(self) -> None:
        """Select the previous row with a finding (Shift+F8)."""
        rows = self._finding_rows()
        k = bisect.bisect_left(rows, self._current_row()) - 1
        if k >= 0:
            self._jump_first_issue(rows[k])

    def _jump_first_issue(self, row: int) -> None:
        _, codes = self.model.row_findings(row)
        cols = [c for c, _ in codes if c >= 0]
        self.jump_to(row, cols[0] if cols else -1)

    @Slot(bool)
    def _on_errors_only_toggled(self, on: bool) -> None:
        if not on or self.checked is None:
            self.model.set_view_rows(None)
            return
        rows = set(self.checked.error_rows)
        for row, (sev, _) in self.model.rechecked.items():
            if sev >= Severity.ERROR:
                rows.add(row)
            else:
                rows.discard(row)
        rows.update(self.model.rejections)
        from array import array

        self.model.set_view_rows(array("l", sorted(rows)))

    # == fixes =====================================================================================

    def _on_model_edit(self, row: int, col: int, value: str) -> None:
        record = self.model.record(row)
        if (record[col] if col < len(record) else "") == value:
            return
        header = self.source.header[col] if self.source is not None and col < len(self.source.header) else ""
        self.undo_stack.push(EditCellsCommand(self.model, [(row, col, value)], f"Edit {header}"))

    def edit_cell(self, row: int, col: int, value: str) -> None:
        """Set one cell (file row, CSV column) as typing in the grid does (undoable)."""
        self._on_model_edit(row, col, value)

    @Slot()
    def normalize_phones(self) -> None:
        """Write every repairable phone number in E.164 (one undoable step)."""
        if self.checked is None:
            return
        changes = []
        for row, col, e164 in self.checked.phone_fixes:
            if self.model.overlay.is_removed(row):
                continue
            record = self.model.record(row)
            if col < len(record) and record[col] != e164:
                changes.append((row, col, e164))
        if changes:
            self.undo_stack.push(
                EditCellsCommand(self.model, changes, f"Normalize {len(changes)} phone numbers")
            )
        self._status(f"{len(changes):,} phone numbers written in E.164.")

    @Slot()
    def trim_spaces(self) -> None:
        """Trim leading/trailing spaces in the list's columns (scans in a worker, then one undoable step)."""
        if self.source is None or self.file_ctl.is_running:
            return
        columns = (
            sorted(self.checked.columns.values())
            if self.checked is not None
            else list(range(len(self.source.header)))
        )
        rows = self.checked.result.rows_done if self.checked is not None else self.source.indexed_rows
        self._file_job = "trim"
        self.file_ctl.start(FunctionWorker(scan_trim, self.source, self._overlay_snapshot(), columns, rows))

    @Slot()
    def remove_invalid_rows(self) -> None:
        """Leave every row with an error out of what is shown, exported and uploaded (undoable)."""
        if self.checked is None:
            return
        rows = self._error_rows()
        if rows:
            self.undo_stack.push(RemoveRowsCommand(self.model, rows, f"Remove {len(rows)} invalid rows"))
        self._status(f"{len(rows):,} rows with errors removed.")

    def _error_rows(self) -> list[int]:
        return sorted(self._error_row_set())

    def _error_row_set(self) -> set[int]:
        assert self.checked is not None
        rows = set(self.checked.error_rows)
        for row, (sev, _) in self.model.rechecked.items():
            if sev >= Severity.ERROR:
                rows.add(row)
            else:
                rows.discard(row)
        return rows

    def _overlay_snapshot(self) -> Overlay:
        return self.model.overlay.snapshot()

    @Slot(int)
    def _on_undo_index_changed(self, _index: int) -> None:
        self._update_summary()
        self._update_send_label()

    # == exports ===================================================================================

    def _rows_known(self) -> int:
        assert self.source is not None
        return self.checked.result.rows_done if self.checked is not None else self.source.row_count

    @Slot()
    def _on_export_clicked(self) -> None:
        if self.source is None or self.path is None or self.file_ctl.is_running:
            return
        out = self.ask_save_path(
            self, "Export fixed file", self.path.with_name(f"{self.path.stem}-fixed.csv")
        )
        if out is None:
            return
        if out.resolve() == self.path.resolve():
            self._status("Choose another name: the original file is never overwritten.")
            return
        self._file_job = "export"
        self.file_ctl.start(
            FunctionWorker(export_shown, self.source, self._overlay_snapshot(), out, self._rows_known())
        )

    @Slot()
    def _on_report_clicked(self) -> None:
        if self.source is None or self.path is None or self.checked is None or self.file_ctl.is_running:
            return
        out = self.ask_save_path(
            self, "Export error report", self.path.with_name(f"{self.path.stem}-errors.csv")
        )
        if out is None:
            return
        self._file_job = "report"
        self.file_ctl.start(FunctionWorker(export_error_report, self.checked, self.source, out))

    @Slot(object)
    def _on_file_progressed(self, payload: object) -> None:
        if isinstance(payload, tuple):
            done, total = payload
            self._status(
                f"{'Scanning' if self._file_job == 'trim' else 'Writing'}… {done:,} of {total:,} rows"
            )

    @Slot(object)
    def _on_file_succeeded(self, result: object) -> None:
        if self._file_job == "trim" and isinstance(result, list):
            if result:
                self.undo_stack.push(EditCellsCommand(self.model, result, f"Trim {len(result)} values"))
            self._status(f"{len(result):,} values trimmed.")
            return
        if isinstance(result, tuple):
            path, n = result
            noun = {"export": "rows", "idmap": "ids"}.get(self._file_job or "", "findings")
            self._status(f"Wrote {n:,} {noun} to {path}")
            self.export_done.emit(path)

    def _status(self, text: str) -> None:
        self.status_line.setText(text)

    # == upload ====================================================================================

    @Slot(int, bool)
    def _on_mode_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self.mode_text.setText(MODE_TEXT[("upsert", "multipart", "presigned")[button_id]])
            self._update_send_label()

    def _update_send_label(self) -> None:
        checked = self.checked
        if checked is None:
            self.send_label.setText("")
            return
        removed = len(self.model.overlay.removed)
        errors = self._error_row_set()
        errors_left = len(errors) - self.model.overlay.removed_among(errors)
        total = checked.result.rows_done - removed
        if self.all_rows_check.isChecked():
            text = f"Will send up to {total:,} rows, including {errors_left:,} with errors."
        else:
            valid = total - errors_left
            text = f"Will send up to {valid:,} valid rows; {errors_left:,} with errors are skipped."
        if removed:
            text += f" {removed:,} removed rows are left out."
        self.send_label.setText(text)

    def _update_buttons(self) -> None:
        has_file = self.source is not None
        has_check = self.checked is not None
        uploading = self.upload_ctl.is_running
        for b in (self.normalize_button, self.trim_button, self.remove_invalid_button, self.report_button):
            b.setEnabled(has_check and not uploading)
        self.export_button.setEnabled(has_file and not uploading)
        d = self.definition
        can_upload = has_check and not uploading and d is not None and bool(d.id)
        self.upload_button.setEnabled(can_upload)
        if d is not None and not d.id:
            self.upload_button.setToolTip(
                "Create the list in the list builder first; then it can be uploaded to"
            )
        else:
            self.upload_button.setToolTip("Upload to the target list (Ctrl+U)")
        self.pause_button.setEnabled(uploading)
        self.cancel_upload_button.setEnabled(uploading)
        if not uploading:
            self.pause_button.setChecked(False)

    def upload_options(self) -> UploadOptions:
        """The options the Upload tab describes."""
        mode_id = self.mode_group.checkedId()
        mapping: dict[str, int | str] | None = dict(self.explicit_mapping) or None
        return UploadOptions(
            mode=UploadMode.UPSERT if mode_id == 0 else UploadMode.IMPORT,
            id_column=self.id_combo.currentData(),
            all_rows=self.all_rows_check.isChecked(),
            import_flow=ImportFlow.PRESIGNED if mode_id == 2 else ImportFlow.MULTIPART,
            mapping=mapping,
            region=self.phone_region,
            reserve=5,
            poll_interval=0.2,
        )

    def _connection(self) -> dict[str, str]:
        p = self.context.session.profile
        if p is None:
            return {}
        return {
            k: v
            for k, v in {
                "profile": p.name,
                "base_url": p.custom_url or "",
                "region": p.region,
                "client_id": p.client_id,
            }.items()
            if v
        }

    def _client_spec(self) -> ClientSpec:
        """Connection data for the upload's child process (what ``SessionController.new_client`` uses).

        Raises:
            CredentialsError: No profile, or no usable secret or token.
        """
        return self.context.session.client_spec()

    @Slot()
    def start_upload(self) -> None:
        """Upload the file as shown to the target list (a new, resumable job)."""
        d = self.definition
        if self.upload_ctl.is_running or self.source is None or self.checked is None or d is None or not d.id:
            return
        try:
            client = self._client_spec()
        except Exception as exc:  # noqa: BLE001 - reported in the error bar
            self.context.sink.report(exc, context="Upload")
            return
        worker = UploadWorker(
            client,
            sidecar_dir(data_dir()),
            source=self.source,
            overlay=self._overlay_snapshot(),
            rows=self.checked.result.rows_done,
            definition=d,
            list_id=d.id,
            options=self.upload_options(),
            connection=self._connection(),
            on_exchange=self.context.session.recorder.record,
        )
        self._begin_upload(worker)

    def _begin_upload(self, worker: UploadWorker) -> None:
        self.last_outcome = None
        self.result_label.setText("")
        self.missing_list.clear()
        self.missing_list.hide()
        self.id_map_button.setEnabled(False)
        self.upload_progress.setValue(0)
        self.upload_status.setText("Starting…")
        self.tabs.setCurrentWidget(self.upload_panel)
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
            client = self._client_spec()
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
            jobs = unfinished_jobs(jobs_dir(), sidecar_dir(data_dir()))
        except OSError:
            jobs = []
        self.resume_offer = jobs[0] if jobs else None
        if self.resume_offer is not None and not self.upload_ctl.is_running:
            more = f" ({len(jobs) - 1} more unfinished)" if len(jobs) > 1 else ""
            self.resume_label.setText(self.resume_offer.describe() + more)
            self.resume_bar.show()
        else:
            self.resume_bar.hide()
        return jobs

    @Slot(bool)
    def _on_pause_toggled(self, on: bool) -> None:
        worker = self.upload_ctl.worker
        if isinstance(worker, UploadWorker):
            worker.pause() if on else worker.unpause()
        self.pause_button.setText("Continue" if on else "Pause")

    @Slot(object)
    def _on_upload_progressed(self, p: object) -> None:
        if not isinstance(p, JobProgress):
            return
        self.upload_progress.setValue(int(p.fraction * 1000))
        phase = p.phase.value.capitalize()
        if p.rows_total:
            line = (
                f"{phase} · {p.rows_done:,} / {p.rows_total:,} rows · "
                f"{p.rows_per_s:,.0f} rows/s · {_fmt_eta(p.eta_s)}"
            )
        else:
            line = phase
        if p.rows_rejected:
            line += f" · {p.rows_rejected:,} rejected"
        if p.message:
            line += f"\n{p.message}"
        if p.phase is Phase.PAUSED:
            line = f"Paused · {p.rows_done:,} / {p.rows_total:,} rows"
        self.upload_status.setText(line)
        self.upload_progressed.emit(p)

    @Slot(object)
    def _on_upload_succeeded(self, outcome: object) -> None:
        if not isinstance(outcome, UploadOutcome):
            return
        self.last_outcome = outcome
        r = outcome.result
        if (
            self.source is not None
            and outcome.original_path
            and Path(outcome.original_path) == self.source.path.resolve()
        ):
            self.model.set_rejections(outcome.rejected_rows)
        text = [
            f"<b>{r.status.value.capitalize()}</b>: {r.sent:,} sent, {r.skipped:,} skipped, "
            f"{r.rejected:,} rejected "
            f"({r.seconds:.1f} s, job {r.job_id})."
        ]
        reasons = sorted({code for code, _ in outcome.rejected_rows.values()})
        for code in reasons:
            if code.isupper():
                text.append(f"Import failed: <b>{code}</b> — {decode_failure_reason(code)}")
        if r.rejections and not any(c.isupper() for c in reasons):
            first = r.rejections[0]
            text.append(
                "Rejected rows show in the grid (status “Rejected”); "
                f"first: line {first.line}: {first.message}"
            )
        if r.status is JobStatus.INTERRUPTED or r.status is JobStatus.FAILED:
            text.append(
                r.message.replace(
                    "outbound-console upload --resume",
                    "resume from this page or with outbound-console upload --resume",
                )
            )
        if r.reconciliation is not None:
            rec = r.reconciliation
            text.append(f"Reconciliation: {'OK' if rec.ok else 'DIFFERENT'} — {rec.summary()}.")
            missing = list(rec.missing) + list(rec.mismatched)
            if missing:
                self.missing_list.addItems(missing[:10_000])
                self.missing_list.show()
        self.result_label.setText("<br>".join(text))
        self.id_map_button.setEnabled(bool(r.id_map))
        self.upload_finished.emit(outcome)
        self.check_unfinished_jobs()

    @Slot(object)
    def _on_upload_failed(self, exc: object) -> None:
        self.result_label.setText(f"<b>Upload stopped:</b> {exc}")
        self.upload_failed.emit(exc)
        self.check_unfinished_jobs()

    @Slot()
    def _on_upload_cancelled(self) -> None:
        self.result_label.setText("Upload cancelled before it started sending.")
        self.check_unfinished_jobs()

    @Slot()
    def _on_id_map_clicked(self) -> None:
        outcome = self.last_outcome
        if outcome is None or self.path is None:
            return
        if self.file_ctl.is_running:
            self._status("Wait for the file being written, then export the id map.")
            return
        out = self.ask_save_path(self, "Export id map", self.path.with_name(f"{self.path.stem}-ids.csv"))
        if out is None:
            return
        self._file_job = "idmap"
        self.file_ctl.start(FunctionWorker(export_id_map, dict(outcome.result.id_map), out))
