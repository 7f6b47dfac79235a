"""CSV preview & upload page: open a contact CSV against a list, see every finding, fix, upload resumably.

The controller: it owns the file, the check, the workers and the undo stack, and wires the panels
(resume banner, file bar, check bar and fix tools, the grid, the findings, mapping and upload
tabs). Navigation, fixes and exports are in :mod:`~console.ui.preview.editing`, the upload in
:mod:`~console.ui.preview.uploading`, the wording in :mod:`~console.ui.preview.text`. Opening,
validating, exporting and uploading all run in workers; the UI thread never blocks on the file or
the network. Shortcuts: F8 / Shift+F8 next / previous finding, Ctrl+E errors only, Ctrl+Z /
Ctrl+Shift+Z or Ctrl+Y undo / redo, Ctrl+U upload.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.api.models import ContactList
from console.contacts.reader import CsvReadError, CsvSource, FileChangedError, open_csv
from console.jobs.journal import UnfinishedJob
from console.ui.pages import PageContext
from console.ui.preview.checking import Checked
from console.ui.preview.dialing_panel import DialingPanel
from console.ui.preview.editing import EditingMixin
from console.ui.preview.filebar import BUILDER_KEY, FileBar
from console.ui.preview.findings import FindingsTree
from console.ui.preview.header import grid_view
from console.ui.preview.mapping import MappingTable
from console.ui.preview.model import ContactTableModel
from console.ui.preview.resume import ResumeBanner
from console.ui.preview.text import check_progress_text, choose_list_text, summary_text
from console.ui.preview.toolbar import CheckBar, FixToolbar
from console.ui.preview.upload_panel import UploadPanel
from console.ui.preview.uploading import UploadingMixin
from console.ui.preview.workers import (
    UploadOutcome,
    UploadWorker,
    ValidationService,
    ValidationWorker,
    load_lists,
)
from console.ui.workers import FunctionWorker, WorkerController

__all__ = ["PreviewPage"]


class PreviewPage(EditingMixin, UploadingMixin, QWidget):
    """Preview, check, fix and upload a contact CSV.

    Signals:
        file_opened(object): the :class:`~pathlib.Path` now shown.
        validated(object): a :class:`~console.ui.preview.checking.Checked` (the grid is coloured).
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
        self._normalize_from: tuple[int, Checked | None] = (-1, None)
        """Undo index and check a phone normalization scan started from (its re-checks hold while same)."""
        self._opened_format: tuple[str | None, str | None] = (None, None)
        """(encoding, delimiter) the open file was opened with (None: detected)."""
        self.upload_worker: UploadWorker | None = None
        self.crash_after_rows: int | None = None
        """Test seam passed to new upload workers (see ``UploadWorker.crash_after_rows``)."""
        self.undo_stack = QUndoStack(self)
        self.model = ContactTableModel(self)
        self.model.edit_handler = self._on_model_edit
        self.model.changed_on_disk.connect(self._on_file_changed_on_disk)
        # an editor's save (truncate, rewrite or replace) is noticed at once, not at the next read
        self.file_watcher = QFileSystemWatcher(self)
        self.file_watcher.fileChanged.connect(self._on_watched_file_changed)

        self.validation_service = ValidationService()
        self.lists_ctl = WorkerController(self, sink=context.sink, context="Load contact lists")
        self._reload_lists = False
        self.validate_ctl = WorkerController(self, sink=context.sink, context="Check the file")
        self.file_ctl = WorkerController(self, sink=context.sink, context="Write file")
        self.upload_ctl = WorkerController(self, sink=context.sink, context="Upload")
        self._build()
        self._wire()
        self.check_unfinished_jobs()

    # -- construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.resume_bar = ResumeBanner()
        self.file_bar = FileBar()
        self.check_bar = CheckBar()
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        # Ctrl+Y as on Windows, beside the platform's own (Ctrl+Shift+Z here)
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        ctrl_y = QKeySequence("Ctrl+Y")
        self.redo_action.setShortcuts([*redo_keys, *([] if ctrl_y in redo_keys else [ctrl_y])])
        self.tools = FixToolbar(self.undo_action, self.redo_action)

        self.view = grid_view(self.model)

        self.tabs = QTabWidget()
        self.issue_tree = FindingsTree()
        self.mapping_table = MappingTable()
        self.upload_panel = UploadPanel()
        self.tabs.addTab(self.issue_tree, "Findings")
        self.tabs.addTab(self.mapping_table, "Mapping")
        # the Upload tab scrolls on a short screen instead of squeezing its labels over each other
        self.upload_scroll = QScrollArea()
        self.upload_scroll.setObjectName("uploadScroll")
        self.upload_scroll.setWidgetResizable(True)
        self.upload_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.upload_scroll.setWidget(self.upload_panel)
        self.tabs.addTab(self.upload_scroll, "Upload")
        self.dialing_panel = DialingPanel()  # issue 18: who will be dialled, and when
        self.tabs.addTab(self.dialing_panel, "Dialing")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setSizes([640, 380])

        self.status_line = QLabel()
        self.status_line.setObjectName("previewStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for w in (self.resume_bar, self.file_bar, self.check_bar, self.tools):
            layout.addWidget(w)
        layout.addWidget(self.splitter, 1)
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
        self.errors_action = shortcut("Ctrl+E", self.tools.errors_only.toggle)
        self.upload_action = shortcut("Ctrl+U", self.start_upload)
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
        self._update_buttons()

    def _wire(self) -> None:
        bar, tools, up = self.file_bar, self.tools, self.upload_panel
        bar.open_button.clicked.connect(self._on_open_clicked)
        bar.reopen_button.clicked.connect(self._on_reopen_clicked)
        bar.encoding_combo.activated.connect(self._on_format_changed)
        line_edit = bar.encoding_combo.lineEdit()
        if line_edit is not None:
            line_edit.editingFinished.connect(self._on_format_changed)
        bar.delimiter_combo.activated.connect(self._on_format_changed)
        bar.list_combo.activated.connect(self._on_list_activated)
        bar.region_combo.activated.connect(self._on_region_activated)
        bar.reload_lists_button.clicked.connect(self.load_lists)
        self.check_bar.validate_cancel.clicked.connect(self._on_stop_checking)
        tools.errors_only.toggled.connect(self._on_errors_only_toggled)
        tools.show_e164.toggled.connect(self._on_show_e164_toggled)
        tools.next_button.clicked.connect(self.next_finding)
        tools.prev_button.clicked.connect(self.previous_finding)
        tools.normalize_button.clicked.connect(self.normalize_phones)
        tools.trim_button.clicked.connect(self.trim_spaces)
        tools.remove_invalid_button.clicked.connect(self.remove_invalid_rows)
        tools.export_button.clicked.connect(self._on_export_clicked)
        tools.report_button.clicked.connect(self._on_report_clicked)
        self.issue_tree.itemClicked.connect(self._on_issue_clicked)
        self.mapping_table.mapping_chosen.connect(self.set_mapping)
        up.mode_group.idToggled.connect(self._update_send_label)
        up.all_rows_check.toggled.connect(self._update_send_label)
        up.upload_button.clicked.connect(self.start_upload)
        up.pause_button.toggled.connect(self._on_pause_toggled)
        up.cancel_upload_button.clicked.connect(self.upload_ctl.cancel)
        up.id_map_button.clicked.connect(self._on_id_map_clicked)
        self.resume_bar.resume_button.clicked.connect(self.resume_upload)
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
        self.dialing_panel.settings_changed.connect(self._on_dialing_settings_changed)

    @Slot()
    def _on_model_reset(self) -> None:
        # Lay the grid out now, before it paints: after a reset that shrinks the rows (remove
        # rows, errors only) the vertical header still has the old scroll offset, past the new
        # end, and QHeaderView::paintEvent then paints *every* section (one headerData call per
        # role and section: 140,000 Python calls for 20,000 rows, seconds while a worker holds
        # the GIL). The layout clamps the scroll bar and the header's offset first.
        self.view.doItemsLayout()

    # -- dialogs (patched in tests, pytest-qt docs/note_dialogs.rst) -------------------------------

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

    # -- public API --------------------------------------------------------------------------------

    def open_csv(self, path: Path) -> None:
        """Show ``path`` at once (head of the file) and check it against the target list in a worker.

        A file that cannot be read is reported (naming it) and the current file stays open.
        """
        self._open(Path(path), encoding=None, delimiter=None)

    def set_builder_definition(self, definition: ContactList | None) -> None:
        """The list definition being built in the list builder (a possible target)."""
        self.builder_definition = definition
        self._fill_list_combo()
        if self.file_bar.list_combo.currentData() == BUILDER_KEY:
            self._start_validation()

    @Slot(object)
    def add_list(self, created: object) -> None:
        """Offer a list just created (the list builder's): it is a target at once, without reloading."""
        if not isinstance(created, ContactList) or not created.id:
            return
        self.lists = sorted(
            [c for c in self.lists if c.id != created.id] + [created], key=lambda c: (c.name or "").casefold()
        )
        self._fill_list_combo()

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
        self.file_bar.list_combo.setPlaceholderText("Loading lists…")
        self.lists_ctl.start(FunctionWorker(load_lists, api))

    def select_list(self, list_id: str) -> None:
        """Choose the target list by id (as picking it in the combo does)."""
        k = self.file_bar.list_combo.findData(list_id)
        if k < 0:
            raise KeyError(list_id)
        self.file_bar.list_combo.setCurrentIndex(k)
        self._on_list_activated(k)

    @property
    def phone_region(self) -> str:
        """Default region of phone numbers written without a country code (ISO 3166 alpha-2)."""
        return str(self.file_bar.region_combo.currentData() or "US")

    def set_phone_region(self, region: str) -> None:
        """Choose the default phone region (as picking it does): the file is checked again.

        Raises:
            KeyError: ``region`` is not a region phone numbers are known for.
        """
        k = self.file_bar.region_combo.findData(region.upper())
        if k < 0:
            raise KeyError(region)
        self.file_bar.region_combo.setCurrentIndex(k)
        self._on_region_activated(k)

    @property
    def definition(self) -> ContactList | None:
        """The target list's definition (org list or the one being built)."""
        key = self.file_bar.list_combo.currentData()
        if key == BUILDER_KEY:
            return self.builder_definition
        return next((c for c in self.lists if c.id == key), None)

    def set_mapping(self, list_column: str, csv_index: int) -> None:
        """Map a list column to a file column (-1: none) and check the file again."""
        if csv_index < 0:
            self.explicit_mapping.pop(list_column, None)
        else:
            self.explicit_mapping[list_column] = csv_index
        self._start_validation()

    def shutdown(self, timeout_ms: int = 20_000) -> None:
        """Cancel and join every worker of the page, then close the file (window close, tests)."""
        self._reload_lists = False  # a load cancelled by the close must not start another one
        for controller in (self.lists_ctl, self.validate_ctl, self.file_ctl, self.upload_ctl):
            controller.shutdown(timeout_ms)
        self.dialing_panel.shutdown(timeout_ms)
        self.validation_service.close()
        if self.source is not None:
            self.source.close()

    def showEvent(self, event: QShowEvent) -> None:
        """First shown: start the validation child, so the first check does not wait for it."""
        super().showEvent(event)
        self.validation_service.warm()

    # -- opening -----------------------------------------------------------------------------------

    @Slot()
    def _on_open_clicked(self) -> None:
        path = self.ask_open_path(self)
        if path is not None:
            self.open_csv(path)

    @Slot()
    def _on_format_changed(self) -> None:
        if self.path is None:
            return
        encoding, delimiter = self.file_bar.chosen_format()
        src = self.source
        if src is not None and encoding == src.encoding and delimiter == src.delimiter:
            return
        # leaving the encoding field unchanged ("Auto") is no new choice: reopening would drop the edits
        if (encoding, delimiter) == self._opened_format:
            return
        self._open(self.path, encoding=encoding, delimiter=delimiter)

    def _open(self, path: Path, *, encoding: str | None, delimiter: str | None) -> None:
        try:
            source = open_csv(path, encoding=encoding, delimiter=delimiter)
        except CsvReadError as exc:
            self.context.sink.report(exc, context=f"Open {path.name}")
            self.check_bar.summary_label.setText(f"<b>Cannot open {path.name}:</b> {exc}")
            return
        self.validate_ctl.cancel()
        old = self.source
        self._opened_format = (encoding, delimiter)
        self.path = path
        self.source = source
        self.checked = None
        self.explicit_mapping = {}
        self.undo_stack.clear()
        self.tools.errors_only.setChecked(False)
        self.model.set_source(source)
        if old is not None and not self.upload_ctl.is_running:
            old.close()
        self.file_bar.show_source(path, source)
        if self.file_watcher.files():
            self.file_watcher.removePaths(self.file_watcher.files())
        self.file_watcher.addPath(str(path))
        self.issue_tree.show_checked(None, None)
        self.dialing_panel.show_checked(None)
        self.file_opened.emit(path)
        self._start_validation()
        self._update_buttons()

    @Slot(str)
    def _on_watched_file_changed(self, _path: str) -> None:
        if self.source is None:
            return
        try:
            self.source.check_unchanged()
        except FileChangedError as exc:
            self.model.file_changed(str(exc))

    @Slot(str)
    def _on_file_changed_on_disk(self, message: str) -> None:
        """The open file was saved over: stop checking it and offer to read it again."""
        if self.path is None:
            return
        self.validate_ctl.cancel()
        self.file_bar.show_changed(self.path, message)
        name = self.path.name
        self.check_bar.summary_label.setText(f"<b>{name} changed on disk</b> — reopen it to check it again.")

    @Slot()
    def _on_reopen_clicked(self) -> None:
        if self.path is not None:
            encoding, delimiter = self.file_bar.chosen_format()
            self._open(self.path, encoding=encoding, delimiter=delimiter)

    # -- lists -------------------------------------------------------------------------------------

    @Slot(object)
    def _on_profile_changed(self, profile: object) -> None:
        self.lists = []
        self._fill_list_combo()
        if profile is not None and self.context.session.missing_credentials() is None:
            self.load_lists()  # without credentials the profile form asks for them (no error bar)
        self.dialing_panel.follow_profile(self.context.session)
        self.check_unfinished_jobs()

    @Slot(object)
    def _on_dialing_settings_changed(self, _settings: object) -> None:
        if self.checked is not None:
            self._start_validation()  # the windows depend on them

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
        self.file_bar.fill_lists(self.lists, self.builder_definition)
        self.upload_panel.fill_id_columns(self.definition)

    @Slot(int)
    def _on_list_activated(self, _index: int) -> None:
        self.explicit_mapping = {}
        self.upload_panel.fill_id_columns(self.definition)
        self._start_validation()
        self._update_buttons()

    @Slot(int)
    def _on_region_activated(self, _index: int) -> None:
        self._start_validation()

    # -- validation --------------------------------------------------------------------------------

    def _start_validation(self) -> None:
        if self.source is None:
            return
        definition = self.definition
        if definition is None:
            text = choose_list_text(self.source.indexed_rows, self.source.index_complete)
            self.check_bar.summary_label.setText(text)
            return
        if self.validate_ctl.is_running:
            self._revalidate = True
            self.validate_ctl.cancel()
            return
        self._revalidate = False
        id_combo = self.upload_panel.id_combo
        id_column = id_combo.currentData() if id_combo.count() else None
        explicit = dict(self.explicit_mapping) or None
        worker = ValidationWorker(
            self.validation_service, self.source, definition, explicit, id_column, self.phone_region
        )
        worker.request = replace(worker.request, dialing_settings=self.dialing_panel.settings)
        self.check_bar.running(True)
        self.check_bar.summary_label.setText("Checking…")
        self.validate_ctl.start(worker)

    @Slot()
    def _on_stop_checking(self) -> None:
        """The user's "Stop checking": the rows checked so far are shown with their findings."""
        worker = self.validate_ctl.worker
        if isinstance(worker, ValidationWorker):
            worker.stop()
            self.check_bar.validate_cancel.setEnabled(False)
            self.check_bar.summary_label.setText("Stopping the check…")

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
            bar = self.check_bar.validate_progress
            bar.setRange(0, total)
            bar.setValue(min(done, total))
            bar.setFormat(check_progress_text(done, total))

    @Slot(object)
    def _on_validate_succeeded(self, checked: object) -> None:
        if not isinstance(checked, Checked) or self._revalidate:
            return
        self.checked = checked
        self.model.set_checked(checked)
        self._update_findings()
        self.dialing_panel.show_checked(checked)
        definition = self.definition
        if definition is not None and self.source is not None:
            self.mapping_table.show_mapping(definition.column_names, self.source.header, checked.columns)
        self._update_summary()
        self._update_send_label()
        self._update_buttons()
        self.validated.emit(checked)

    @Slot(object)
    def _on_validate_failed(self, exc: object) -> None:
        self.check_bar.summary_label.setText(f"<b>The file could not be checked:</b> {exc}")

    @Slot()
    def _on_validate_finished(self) -> None:
        self.check_bar.running(False)
        self._update_buttons()
        if self._revalidate:
            self._start_validation()

    def _update_summary(self) -> None:
        checked, src = self.checked, self.source
        if checked is None or src is None:
            return
        removed = len(self.model.overlay.removed)
        counts = self.model.edited_tally.tally() or checked.result
        text = summary_text(counts, removed, src.indexed_rows, src.index_complete)
        self.check_bar.summary_label.setText(text)

    def _update_findings(self) -> None:
        """The findings tab as the data now stands (edited rows by their re-check)."""
        if self.checked is not None:
            counts = self.model.edited_tally.tally()
            self.issue_tree.show_checked(
                self.checked, self.source, self.model.rechecked, counts.counts if counts else None
            )

    @Slot(bool)
    def _on_show_e164_toggled(self, on: bool) -> None:
        self.model.set_show_e164(on)
        if not on or self.checked is None:
            return
        # a phone column wide enough to read "original → E.164" (measured on the rows in sight)
        header, metrics = self.view.horizontalHeader(), self.view.fontMetrics()
        first = max(0, self.view.rowAt(0))
        last = min(self.model.rowCount(), first + 200)
        for col in self.checked.phone_columns():
            texts = (str(self.model.index(r, col + 1).data() or "") for r in range(first, last))
            widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
            wanted = min(widest + 24, 420)
            if header.sectionSize(col + 1) < wanted:
                header.resizeSection(col + 1, wanted)

    @Slot(QTreeWidgetItem, int)
    def _on_issue_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        target = self.issue_tree.target(item)
        if target is not None:
            self.jump_to(*target)

    # -- upload ------------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        uploading = self.upload_ctl.is_running
        has_check = self.checked is not None
        self.tools.enable(has_file=self.source is not None, has_check=has_check, uploading=uploading)
        d = self.definition
        self.upload_panel.enable(
            can_upload=has_check and not uploading and d is not None and bool(d.id),
            uploading=uploading,
            list_created=d is None or bool(d.id),
        )
