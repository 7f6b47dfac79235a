"""Table models of the test-call page: the live participants and the session's call history."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from console.api.models import CallMediaParticipant

_Index = QModelIndex | QPersistentModelIndex

_STATE_COLOURS = {
    "dialing": "#fff3cd",
    "contacting": "#fff3cd",
    "alerting": "#fff3cd",
    "connected": "#d1e7dd",
    "disconnected": "#e2e3e5",
    "terminated": "#e2e3e5",
}


class _FixedColumnsTableModel(QAbstractTableModel):
    """A flat table with fixed, titled columns (``HEADERS``); subclasses say how many rows."""

    HEADERS: tuple[str, ...] = ()

    def _row_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        """Rows (0 for a child index: the table is flat)."""
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Fixed columns."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None


class ParticipantTableModel(_FixedColumnsTableModel):
    """The participants of the followed call (purpose, name, address, state, end reason)."""

    HEADERS = ("Purpose", "Name", "Address", "State", "Ended by", "Error")
    ROW_ROLE = Qt.ItemDataRole.UserRole
    """Returns the :class:`CallMediaParticipant` of the row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CallMediaParticipant] = []

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text, a state colour, the participant for ``ROW_ROLE``."""
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        p = self._rows[index.row()]
        if role == self.ROW_ROLE:
            return p
        if role == Qt.ItemDataRole.DisplayRole:
            error = p.error_info.message if p.error_info is not None and p.error_info.message else ""
            values = (p.purpose, p.name, p.address, p.state, p.disconnect_type, error)
            value = values[index.column()] if index.column() < len(values) else None
            return value or ""
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 3:
            colour = _STATE_COLOURS.get(p.state or "")
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and p.error_info is not None:
            return f"{p.error_info.code}: {p.error_info.message}"
        return None

    def set_participants(self, participants: list[CallMediaParticipant]) -> None:
        """Replace the rows (same count: ``dataChanged``; otherwise a reset)."""
        if len(participants) == len(self._rows) and self._rows:
            self._rows = list(participants)
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))
            return
        self.beginResetModel()
        self._rows = list(participants)
        self.endResetModel()

    def participant(self, row: int) -> CallMediaParticipant:
        """The participant of ``row``."""
        return self._rows[row]


@dataclass(frozen=True)
class CallRecord:
    """One test call of this session.

    Attributes:
        started: When it was placed (local time).
        number: The E.164 number dialled.
        route: "as Sam Supervisor" or "on behalf of Avery Agent".
        conversation_id: The conversation id (empty when the POST failed).
        state: Latest external-party state, or "rejected" when the POST failed.
        result: Words for the outcome ("connected 12 s", "failed: invalid number").
        connected: Whether the callee ever answered.
    """

    started: datetime
    number: str
    route: str
    conversation_id: str = ""
    state: str = "placing"
    result: str = ""
    connected: bool = field(default=False)


class CallHistoryModel(_FixedColumnsTableModel):
    """The session's test calls, newest last."""

    HEADERS = ("Time", "Number", "Route", "State", "Result", "Conversation id")
    ROW_ROLE = Qt.ItemDataRole.UserRole
    """Returns the :class:`CallRecord` of the row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.records: list[CallRecord] = []

    def _row_count(self) -> int:
        return len(self.records)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text; the record for ``ROW_ROLE``."""
        if not index.isValid() or not (0 <= index.row() < len(self.records)):
            return None
        r = self.records[index.row()]
        if role == self.ROW_ROLE:
            return r
        if role == Qt.ItemDataRole.DisplayRole:
            values = (r.started.strftime("%H:%M:%S"), r.number, r.route, r.state, r.result, r.conversation_id)
            return values[index.column()] if index.column() < len(values) else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 5 and r.conversation_id:
            return "Conversation id (quote it to Genesys Cloud support)"
        return None

    def add(self, record: CallRecord) -> int:
        """Append a call; returns its row."""
        row = len(self.records)
        self.beginInsertRows(QModelIndex(), row, row)
        self.records.append(record)
        self.endInsertRows()
        return row

    def update(self, row: int, **changes: object) -> None:
        """Change fields of one call."""
        self.records[row] = replace(self.records[row], **changes)  # type: ignore[arg-type]
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
