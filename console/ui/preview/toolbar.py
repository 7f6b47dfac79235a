"""The bars above the grid: the check's summary and progress, and the fix tools."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from console.ui.flow import FlowLayout

__all__ = ["ActionButton", "CheckBar", "FixToolbar"]


class CheckBar(QWidget):
    """The check's summary line, its progress bar and "Stop checking" (shown while it runs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.summary_label.setWordWrap(True)  # a long summary takes a second line, not the page's width
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.summary_label, 1)
        row.addWidget(self.validate_progress)
        row.addWidget(self.validate_cancel)

    def running(self, on: bool) -> None:
        """Show the busy bar and "Stop checking" (a check started) or hide them (it ended)."""
        if on:
            self.validate_progress.setRange(0, 0)
            self.validate_cancel.setEnabled(True)
        self.validate_progress.setVisible(on)
        self.validate_cancel.setVisible(on)


class ActionButton(QToolButton):
    """A fixed-width button for an action whose text changes ("Undo Edit home_phone").

    The action's text is the tooltip, so the toolbar does not jump or grow with it.
    """

    def __init__(self, action: QAction, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.setText(label)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.clicked.connect(action.trigger)
        action.changed.connect(self._on_action_changed)
        self._on_action_changed()

    @Slot()
    def _on_action_changed(self) -> None:
        if not shiboken6.isValid(self.action):  # the page is being destroyed: its undo stack emits last
            return
        keys = self.action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.setEnabled(self.action.isEnabled())
        self.setToolTip(f"{self.action.text()} ({keys})" if keys else self.action.text())


class FixToolbar(QWidget):
    """Errors only, E.164 view, previous/next finding, the fixes, undo/redo and the exports."""

    def __init__(self, undo_action: QAction, redo_action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors_only = QCheckBox("Errors only")
        self.errors_only.setToolTip("Show only rows with errors or rejected by the server (Ctrl+E)")
        self.show_e164 = QCheckBox("Show E.164")
        self.show_e164.setToolTip("Show phone numbers as original → E.164 (what the upload sends)")
        self.prev_button = QPushButton("◀ Previous")
        self.prev_button.setToolTip(
            "Previous finding: errors, warnings and info; errors only while “Errors only” is on (Shift+F8)"
        )
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip(
            "Next finding: errors, warnings and info; errors only while “Errors only” is on (F8)"
        )
        self.normalize_button = QPushButton("Normalize phones")
        self.normalize_button.setToolTip("Write every repairable phone number in E.164 (+CC…); undoable")
        self.trim_button = QPushButton("Trim spaces")
        self.trim_button.setToolTip("Remove leading and trailing spaces in the list's columns; undoable")
        self.remove_invalid_button = QPushButton("Remove invalid rows")
        self.remove_invalid_button.setToolTip("Leave rows with errors out of the export and upload; undoable")
        self.undo_button = ActionButton(undo_action, "Undo")
        self.redo_button = ActionButton(redo_action, "Redo")
        self.export_button = QPushButton("Export fixed…")
        self.export_button.setToolTip("Write the file as shown (fixes applied) as UTF-8 CSV")
        self.report_button = QPushButton("Error report…")
        self.report_button.setToolTip("Write every finding (row, line, column, rule, message) as CSV")
        # wraps onto a second line on a small screen instead of widening the page
        row = FlowLayout(self)
        row.add_widgets(
            self.errors_only,
            self.show_e164,
            self.prev_button,
            self.next_button,
            self.normalize_button,
            self.trim_button,
            self.remove_invalid_button,
            self.undo_button,
            self.redo_button,
            self.export_button,
            self.report_button,
        )

    def enable(self, *, has_file: bool, has_check: bool, uploading: bool) -> None:
        """Fixes and the report need a check; the export a file; none while uploading."""
        for b in (self.normalize_button, self.trim_button, self.remove_invalid_button, self.report_button):
            b.setEnabled(has_check and not uploading)
        self.export_button.setEnabled(has_file and not uploading)
