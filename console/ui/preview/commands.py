"""Undoable fixes of the preview (a ``QUndoStack`` of these commands over the model's overlay).

Every command changes only the overlay beside the read-only source (edited records, removed
rows); undo puts the overlay back exactly as it was.
"""

from __future__ import annotations

from array import array

from PySide6.QtGui import QUndoCommand

from console.ui.preview.edited import Recheck
from console.ui.preview.model import ContactTableModel

__all__ = ["EditCellsCommand", "RemoveRowsCommand"]


class EditCellsCommand(QUndoCommand):
    """Set cells (one edit, a phone normalization, a trim) and re-check the rows.

    Args:
        model: The grid model.
        changes: (file row, CSV column, new value).
        text: What the Edit menu shows ("Normalize 12 phone numbers").
    """

    def __init__(
        self,
        model: ContactTableModel,
        changes: list[tuple[int, int, str]],
        text: str,
        rechecks: dict[int, Recheck] | None = None,
    ) -> None:
        super().__init__(text)
        self.model = model
        self.changes = changes
        rows = sorted({r for r, _, _ in changes})
        # what each touched row was before (None = as in the file)
        self.before: dict[int, list[str] | None] = {
            r: (list(model.overlay.edits[r]) if r in model.overlay.edits else None) for r in rows
        }
        # The re-checks of both sides, so an undo or redo of a big fix does not re-check every
        # row again on the UI thread (valid while the model shows the same check). ``rechecks``:
        # the rows' re-checks after the change, computed by the fix's worker.
        self._checked = model.checked
        self._before_checks: dict[int, Recheck | None] = {r: model.rechecked.get(r) for r in rows}
        self._after_checks: dict[int, Recheck | None] | None = dict(rechecks) if rechecks else None
        self._after: dict[int, list[str] | None] | None = None

    def _cached(self, checks: dict[int, Recheck | None] | None) -> dict[int, Recheck | None] | None:
        return checks if checks is not None and self.model.checked is self._checked else None

    def redo(self) -> None:
        """Apply the changes."""
        # a redo after an undo applies the same records (records are never changed in place)
        after = self._after if self._after is not None else self._after_records()
        self._after = after
        if len(after) == 1:
            ((row, record),) = after.items()
            self.model.set_record(row, record)
        else:
            self.model.set_records(after, self._cached(self._after_checks))
            if self.model.checked is self._checked:
                self._after_checks = {r: self.model.rechecked.get(r) for r in after}

    def _after_records(self) -> dict[int, list[str] | None]:
        after: dict[int, list[str] | None] = {}
        for row, col, value in self.changes:
            record = after.get(row)
            if record is None:
                record = list(self.model.record(row))
            if col >= len(record):
                record.extend([""] * (col + 1 - len(record)))
            record[col] = value
            after[row] = record
        return after

    def undo(self) -> None:
        """Put the rows back as they were."""
        if len(self.before) == 1:
            ((row, record),) = self.before.items()
            self.model.set_record(row, record)
        else:
            self.model.set_records(dict(self.before), self._cached(self._before_checks))


class RemoveRowsCommand(QUndoCommand):
    """Remove rows from what is shown, exported and uploaded (the file itself is untouched).

    Args:
        model: The grid model.
        rows: File rows to remove.
        text: What the Edit menu shows.
    """

    def __init__(self, model: ContactTableModel, rows: list[int], text: str) -> None:
        super().__init__(text)
        self.model = model
        self.rows = rows
        self.removed: list[int] = []
        self.view: array[int] | None = None

    def redo(self) -> None:
        """Remove."""
        self.view = array("l", self.model._view) if self.model._view is not None else None
        self.removed = self.model.remove_rows(self.rows)

    def undo(self) -> None:
        """Bring the rows back."""
        self.model.restore_rows(self.removed, self.view)

