"""The preview page's work on the grid: navigation, fixes (undoable), exports and the send line.

:class:`EditingMixin` is mixed into :class:`~console.ui.preview.page.PreviewPage`; it reads the
page's file, check, model and panels, and leaves construction, checking and uploading to it.
"""

from __future__ import annotations

import bisect
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QModelIndex, Slot
from PySide6.QtWidgets import QAbstractItemView

from console.contacts.result import Severity
from console.ui.preview.commands import EditCellsCommand, RemoveRowsCommand
from console.ui.preview.overlay import Overlay
from console.ui.preview.text import file_done_text, file_progress_text, normalize_text, plural, send_text
from console.ui.preview.workers import (
    export_error_report,
    export_id_map,
    export_shown,
    scan_phones,
    scan_trim,
)
from console.ui.workers import FunctionWorker

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QLabel, QTableView, QWidget

    from console.contacts.reader import CsvSource
    from console.ui.preview.checking import Checked
    from console.ui.preview.model import ContactTableModel
    from console.ui.preview.toolbar import FixToolbar
    from console.ui.preview.upload_panel import UploadPanel
    from console.ui.preview.workers import UploadOutcome
    from console.ui.workers import WorkerController

__all__ = ["EditingMixin"]


class EditingMixin:
    """Navigation, fixes and exports of the preview page (see the module docstring)."""

    if TYPE_CHECKING:
        path: Path | None
        source: CsvSource | None
        checked: Checked | None
        model: ContactTableModel
        view: QTableView
        undo_stack: QUndoStack
        tools: FixToolbar
        upload_panel: UploadPanel
        status_line: QLabel
        file_ctl: WorkerController
        last_outcome: UploadOutcome | None
        export_done: SignalInstance
        _file_job: str
        _normalize_from: tuple[int, Checked | None]

        @property
        def phone_region(self) -> str:
            """The default phone region."""

        def _update_summary(self) -> None: ...

        def _update_findings(self) -> None: ...

        @classmethod
        def ask_save_path(cls, parent: QWidget, title: str, suggested: Path) -> Path | None:
            """The page's save dialog."""

    # -- navigation --------------------------------------------------------------------------------

    def jump_to(self, row: int, col: int = -1) -> bool:
        """Select file row ``row`` (and CSV column ``col``) in the grid; False when not shown."""
        v = self.model.view_row(row)
        if v is None and self.model.filtered:
            self.tools.errors_only.setChecked(False)
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

    def _rows_at_least(self, base: array[int], worst: Severity, *, rejected: bool) -> set[int]:
        """``base`` rows, with edited rows re-checked (kept when ``worst`` or worse) and the rejected."""
        rows = set(base)
        for row, (sev, _) in self.model.rechecked.items():
            if sev >= worst:
                rows.add(row)
            else:
                rows.discard(row)
        if rejected:
            rows.update(self.model.rejections)
        return rows

    def _finding_rows(self) -> list[int]:
        """Rows F8 visits: every finding (errors, warnings, info); only errors while "Errors only" is on."""
        if self.checked is None:
            return []
        if self.model.filtered:
            rows = self._rows_at_least(self.checked.error_rows, Severity.ERROR, rejected=True)
        else:
            rows = self._rows_at_least(self.checked.flagged, Severity.INFO, rejected=True)
        return sorted(r for r in rows if not self.model.overlay.is_removed(r))

    def _current_row(self) -> int:
        index = self.view.currentIndex()
        return self.model.file_row(index.row()) if index.isValid() else -1

    @Slot()
    def next_finding(self) -> None:
        """Select the next row with a finding, warnings included (F8; errors only while filtered)."""
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
        rows = self._rows_at_least(self.checked.error_rows, Severity.ERROR, rejected=True)
        self.model.set_view_rows(array("l", sorted(rows)))

    # -- fixes -------------------------------------------------------------------------------------

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
        """Write every valid phone number in E.164, national ones too (scanned in a worker; one undo step)."""
        if self.checked is None or self.source is None or self.file_ctl.is_running:
            return
        regions = self.checked.phone_columns()
        if not regions:
            self._status("The target list has no phone columns: nothing to normalize.")
            return
        rows = self.checked.result.rows_done
        self._file_job = "normalize"
        self._normalize_from = (self.undo_stack.index(), self.checked)
        snapshot = self._overlay_snapshot()
        self.file_ctl.start(FunctionWorker(scan_phones, self.source, snapshot, regions, rows, self.checked))

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
        rows = sorted(self._error_row_set())
        if rows:
            text = f"Remove {plural(len(rows), 'invalid row')}"
            self.undo_stack.push(RemoveRowsCommand(self.model, rows, text))
        self._status(f"{plural(len(rows), 'row with errors', 'rows with errors')} removed.")

    def _error_row_set(self) -> set[int]:
        assert self.checked is not None
        return self._rows_at_least(self.checked.error_rows, Severity.ERROR, rejected=False)

    def _overlay_snapshot(self) -> Overlay:
        return self.model.overlay.snapshot()

    @Slot(int)
    def _on_undo_index_changed(self, _index: int) -> None:
        # an edit, a fix, an undo or a redo: everything that counts findings counts the edited data
        self._update_summary()
        self._update_findings()
        self._update_send_label()

    def _update_send_label(self) -> None:
        checked = self.checked
        if checked is None:
            self.upload_panel.send_label.setText("")
            return
        removed = len(self.model.overlay.removed)
        errors = self._error_row_set()
        errors_left = len(errors) - self.model.overlay.removed_among(errors)
        total = checked.result.rows_done - removed
        all_rows = self.upload_panel.all_rows_check.isChecked()
        self.upload_panel.send_label.setText(send_text(total, errors_left, removed, all_rows=all_rows))

    # -- exports -----------------------------------------------------------------------------------

    def _ask_save(self, title: str, suggested: Path) -> Path | None:
        return self.ask_save_path(cast("QWidget", self), title, suggested)

    def _rows_known(self) -> int:
        assert self.source is not None
        return self.checked.result.rows_done if self.checked is not None else self.source.row_count

    @Slot()
    def _on_export_clicked(self) -> None:
        if self.source is None or self.path is None or self.file_ctl.is_running:
            return
        out = self._ask_save("Export fixed file", self.path.with_name(f"{self.path.stem}-fixed.csv"))
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
        out = self._ask_save("Export error report", self.path.with_name(f"{self.path.stem}-errors.csv"))
        if out is None:
            return
        self._file_job = "report"
        snapshot, rechecked = self._overlay_snapshot(), dict(self.model.rechecked)
        self.file_ctl.start(
            FunctionWorker(export_error_report, self.checked, self.source, out, snapshot, rechecked)
        )

    @Slot()
    def _on_id_map_clicked(self) -> None:
        outcome = self.last_outcome
        if outcome is None or self.path is None:
            return
        if self.file_ctl.is_running:
            self._status("Wait for the file being written, then export the id map.")
            return
        out = self._ask_save("Export id map", self.path.with_name(f"{self.path.stem}-ids.csv"))
        if out is None:
            return
        self._file_job = "idmap"
        self.file_ctl.start(FunctionWorker(export_id_map, dict(outcome.result.id_map), out))

    @Slot(object)
    def _on_file_progressed(self, payload: object) -> None:
        if isinstance(payload, tuple):
            done, total = payload
            self._status(file_progress_text(self._file_job, done, total))

    @Slot(object)
    def _on_file_succeeded(self, result: object) -> None:
        if self._file_job == "trim" and isinstance(result, list):
            if result:
                text = f"Trim {plural(len(result), 'value')}"
                self.undo_stack.push(EditCellsCommand(self.model, result, text))
            self._status(f"{plural(len(result), 'value')} trimmed.")
            return
        if self._file_job == "normalize" and isinstance(result, tuple):
            found, rechecks = result
            changes = found.changes
            if changes:
                text = f"Normalize {plural(len(changes), 'phone number')}"
                # the worker's re-checks hold while nothing changed since it read the rows
                fresh = self._normalize_from == (self.undo_stack.index(), self.checked)
                self.undo_stack.push(EditCellsCommand(self.model, changes, text, rechecks if fresh else None))
            first = found.first_invalid
            line = self.source.physical_line(first[0]) if first is not None and self.source else None
            self._status(normalize_text(found, self.phone_region, line))
            return
        if isinstance(result, tuple):
            path, n = result
            self._status(file_done_text(self._file_job, path, n))
            self.export_done.emit(path)

    def _status(self, text: str) -> None:
        self.status_line.setText(text)
