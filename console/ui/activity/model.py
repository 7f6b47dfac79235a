"""The activity table: a model over the filtered records, newest first, and the log's reading job."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from console.activity import ActivityLog, ActivityRecord, ReadProblem
from console.ui.activity.table import COLUMNS, ActivityFilter, cells

__all__ = ["ActivityTableModel", "LoadedLog", "load_log"]

_Index = QModelIndex | QPersistentModelIndex
_FAILED = QColor(255, 228, 225)
_CANCELLED = QColor(240, 240, 240)


@dataclass
class LoadedLog:
    """The log as read by :func:`load_log`: records newest first, each with its search text.

    Attributes:
        records: Newest first.
        haystacks: The casefolded JSON of each record (the text filter searches it).
        cells: The table row of each record (worded once, on the worker).
        problems: The lines skipped.
    """

    records: list[ActivityRecord] = field(default_factory=list)
    haystacks: list[str] = field(default_factory=list)
    cells: list[tuple[str, ...]] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


def load_log(log: ActivityLog, **_control: object) -> LoadedLog:
    """Read every file of ``log`` (run on a worker: a log near its rotation size is megabytes)."""
    read = log.read()
    records = sorted(reversed(read.records), key=lambda r: r.at, reverse=True)  # ties: the later line first
    haystacks = [json.dumps(r.model_dump(mode="json"), ensure_ascii=False).casefold() for r in records]
    return LoadedLog(records, haystacks, [cells(r) for r in records], read.problems)


class ActivityTableModel(QAbstractTableModel):
    """The records that pass the filter, newest first; ``RECORD_ROLE`` returns the :class:`ActivityRecord`."""

    RECORD_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loaded = LoadedLog()
        self.filter = ActivityFilter()
        self.rows: list[ActivityRecord] = []
        self._cells: list[tuple[str, ...]] = []

    def set_loaded(self, loaded: LoadedLog) -> None:
        """Show a fresh read of the log."""
        self.loaded = loaded
        self._apply()

    def set_filter(self, wanted: ActivityFilter) -> None:
        """Show only what passes ``wanted``."""
        self.filter = wanted
        self._apply()

    def _apply(self) -> None:
        words = self.filter.text.casefold().split()
        rest = ActivityFilter(
            org=self.filter.org,
            action=self.filter.action,
            result=self.filter.result,
            start=self.filter.start,
            end=self.filter.end,
        )
        loaded = self.loaded
        kept = [
            k
            for k, (r, hay) in enumerate(zip(loaded.records, loaded.haystacks, strict=True))
            if all(w in hay for w in words) and rest.accepts(r)
        ]
        self.beginResetModel()
        self.rows = [loaded.records[k] for k in kept]
        self._cells = [loaded.cells[k] for k in kept]
        self.endResetModel()

    def orgs(self) -> list[str]:
        """The org names (or ids) in the log, sorted."""
        return sorted({r.org_name or r.org_id or "" for r in self.loaded.records} - {""})

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        """Rows (0 under any parent: a flat table)."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles."""
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text; failed rows tinted; the record under ``RECORD_ROLE``."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        entry = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.message or None
        if role == Qt.ItemDataRole.BackgroundRole:
            if entry.result == "failed":
                return _FAILED
            return _CANCELLED if entry.result == "cancelled" else None
        if role == self.RECORD_ROLE:
            return entry
        return None
