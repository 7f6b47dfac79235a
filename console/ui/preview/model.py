"""The preview grid's model: a ``QAbstractTableModel`` over a CSV source, its findings and the edit overlay.

Column 0 is the row status; columns 1..n are the file's columns; for a list with dialing windows
(automatic time-zone mapping) column n+1 is each contact's "Dial window". Vertical headers are the
records' physical line numbers. ``data()`` is O(1) apart from a bisect: records are read in
small cached blocks from the engine's lazy index, findings come from the compact
:class:`~console.contacts.result.ValidationResult` (or the re-check of an edited row), and the
view-row → file-row map is either the identity minus removed rows (bisect over the sorted
removed rows, no per-row array) or the error rows (errors-only filter).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from console.contacts.dialing import SHORT_MINUTES, SHORT_RULE, DialingWindows, window_label, zone_label
from console.contacts.phones import PhoneRules
from console.contacts.reader import CsvSource, FileChangedError
from console.contacts.result import RULES, Severity
from console.ui.preview.checking import Checked
from console.ui.preview.edited import EditedTally, Recheck, recheck_rows
from console.ui.preview.overlay import Overlay
from console.ui.preview.rows import RowLookupsMixin
from console.ui.preview.text import status_text

__all__ = ["DEFAULT_WINDOW_COLOR", "DIAL_HEADER", "SEVERITY_COLORS", "ContactTableModel"]

SEVERITY_COLORS = {
    Severity.ERROR: QColor("#f4c7c3"),
    Severity.WARNING: QColor("#fce8b2"),
    Severity.INFO: QColor("#d2e3fc"),
}
"""Cell backgrounds by severity (dark text stays readable on all of them)."""
REJECTED_COLOR = QColor("#e1bee7")
"""Rows the server refused during an upload."""
EDITED_COLOR = QColor("#d9f2d9")
"""Cells the user changed (and that are clean now)."""
DEFAULT_WINDOW_COLOR = QColor("#ffd180")
"""Amber: the contact falls to the org's default dialing window."""
DIAL_HEADER = "Dial window"
_STATUS_TEXT = {
    Severity.OK: "OK",
    Severity.INFO: "Info",
    Severity.WARNING: "Warning",
    Severity.ERROR: "Error",
}

Index = QModelIndex | QPersistentModelIndex


_UNSET_ROLES = frozenset(
    {
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.SizeHintRole,
    }
)
"""Roles :meth:`ContactTableModel._cell_data` always answers None for."""
_ROLE_USER, _ROLE_DISPLAY, _ROLE_EDIT, _ROLE_BACKGROUND, _ROLE_FOREGROUND, _ROLE_TOOLTIP = (
    int(r)
    for r in (
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.EditRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
    )
)
"""The roles as plain ints: each ``Qt.ItemDataRole.X`` is a Python-level enum lookup, and a painted
cell compares its roles with them a dozen times."""


class ContactTableModel(RowLookupsMixin, QAbstractTableModel):
    """Rows of a contact CSV with their findings.

    Roles: ``DisplayRole`` the value as shown (original → E.164 for phone columns when
    :attr:`show_e164`), ``EditRole`` the value, ``BackgroundRole`` the severity colour (the dial
    window: amber for the default window), ``ToolTipRole`` the reason, ``UserRole`` the file row
    (0-based data record).
    """

    STATUS_COLUMN = 0

    changed_on_disk = Signal(str)
    """The open file was truncated, rewritten or replaced (the message names it); emitted once per file."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.source: CsvSource | None = None
        self.overlay = Overlay()
        self.checked: Checked | None = None
        self.rechecked: dict[int, tuple[Severity, list[tuple[int, str]]]] = {}
        self.edited_tally = EditedTally()
        """The check's counts as the edited rows change them (the summary and the findings tab)."""
        self.rejections: dict[int, tuple[str, str]] = {}
        self.show_e164 = False
        self._loaded = 0
        self._view: array[int] | None = None
        self._cache: OrderedDict[int, list[list[str]]] = OrderedDict()
        self._phones: dict[int, PhoneRules] = {}
        self._e164_cache: dict[str, str | None] = {}
        self._changed_said = False
        self._dial_labels: list[str] = []
        self._dial_shown = False
        self._cell_flags: tuple[Qt.ItemFlag, Qt.ItemFlag] | None = None
        self._view_memo: tuple[int, object, object, int] = (-1, None, None, -1)
        """(view row, filter rows, removed rows, file row) of the last lookup: a painted row's
        cells all ask for it (the filter and removed-row arrays are replaced on every change)."""
        self.edit_handler: Callable[[int, int, str], None] | None = None
        """Receives (file row, CSV column, new value) for an edit in the grid (the page's undo stack)."""

    # -- setup -------------------------------------------------------------------------------

    def set_source(self, source: CsvSource | None) -> None:
        """Show a new file (resets findings, edits and filter)."""
        self.beginResetModel()
        self._changed_said = False
        self._dial_shown = False
        self._dial_labels = []
        self.source = source
        self.overlay.clear()
        self.checked = None
        self.rechecked.clear()
        self.edited_tally.reset(None, {})
        self.rejections.clear()
        self._view = None
        self._cache.clear()
        self._phones.clear()
        self._e164_cache.clear()
        self._loaded = source.indexed_rows if source is not None else 0
        self.endResetModel()

    def set_checked(self, checked: Checked | None) -> None:
        """Attach a validation result (repaints; re-checks of edited rows are kept).

        The "Dial window" column comes and goes with the result's dialing windows.
        """
        self.checked = checked
        dialing = self.dialing
        self._dial_labels = [window_label(w) for w in dialing.windows] if dialing is not None else []
        self._show_dial_column(dialing is not None)
        self._phones = {}
        if checked is not None:
            self._phones = {idx: PhoneRules(region) for idx, region in checked.phone_columns().items()}
            if self.overlay.edits and self.source is not None:
                self.rechecked.update(recheck_rows(checked, self.overlay.edits, self.source.record))
        self.edited_tally.reset(checked, self.rechecked)
        self._e164_cache.clear()
        self.sync_rows()
        self._repaint()

    @property
    def dialing(self) -> DialingWindows | None:
        """The check's dialing windows, if the list has them."""
        return self.checked.dialing if self.checked is not None else None

    @property
    def dial_column(self) -> int | None:
        """The "Dial window" column, when shown."""
        if not self._dial_shown or self.source is None:
            return None
        return 1 + len(self.source.header)

    def _show_dial_column(self, show: bool) -> None:
        if show == self._dial_shown or self.source is None:
            return
        n = 1 + len(self.source.header)
        if show:
            self.beginInsertColumns(QModelIndex(), n, n)
            self._dial_shown = True
            self.endInsertColumns()
        else:
            self.beginRemoveColumns(QModelIndex(), n, n)
            self._dial_shown = False
            self.endRemoveColumns()

    def set_rejections(self, rejections: dict[int, tuple[str, str]]) -> None:
        """Mark rows the server refused (row -> (code, message)); repaints only when that changes anything."""
        if not rejections and not self.rejections:
            return
        self.rejections = dict(rejections)
        self._repaint()

    def set_show_e164(self, on: bool) -> None:
        """Show phone values as ``original → E.164``."""
        self.show_e164 = on
        self._repaint()

    def set_view_rows(self, rows: array[int] | None) -> None:
        """Show only these file rows (errors-only filter), or every row (None)."""
        self.beginResetModel()
        self._view = None if rows is None else array("l", (r for r in rows if not self.overlay.is_removed(r)))
        self.endResetModel()

    @property
    def filtered(self) -> bool:
        """Whether a row filter is on."""
        return self._view is not None

    def sync_rows(self) -> None:
        """Grow to the rows the engine's index knows (one ``beginInsertRows`` per call)."""
        if self.source is None or self._view is not None:
            return
        known = self.source.indexed_rows
        if known <= self._loaded:
            return
        first = self._visible_count(self._loaded)
        last = self._visible_count(known) - 1
        if last >= first:
            self.beginInsertRows(QModelIndex(), first, last)
            self._loaded = known
            self.endInsertRows()
        else:
            self._loaded = known

    def _repaint(self) -> None:
        rows, cols = self.rowCount(), self.columnCount()
        if rows and cols:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, cols - 1))
        if cols:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, cols - 1)

    # -- row mapping ---------------------------------------------------------------------------

    def _visible_count(self, loaded: int) -> int:
        return loaded - self.overlay.removed_before(loaded)

    def file_row(self, view_row: int) -> int:
        """File row (data record) shown at ``view_row``."""
        if self._view is not None:
            return int(self._view[view_row])
        return self.overlay.visible_to_source(view_row)

    def view_row(self, file_row: int) -> int | None:
        """View row showing ``file_row``, or None (removed, filtered out or not loaded)."""
        if self._view is not None:
            import bisect

            k = bisect.bisect_left(self._view, file_row)
            return k if k < len(self._view) and self._view[k] == file_row else None
        if file_row >= self._loaded:
            return None
        return self.overlay.source_to_visible(file_row)

    # -- edits (called by the undo commands) -----------------------------------------------------

    def set_record(self, row: int, record: list[str] | None) -> None:
        """Replace a row's record (None: back to the file's), re-check it, repaint the row."""
        self._apply_record(row, record)
        self._row_changed(row)

    def set_records(
        self, records: dict[int, list[str] | None], rechecks: Mapping[int, Recheck | None] | None = None
    ) -> None:
        """Bulk :meth:`set_record` with one repaint (``rechecks``: the rows' re-checks, known already)."""
        self._apply_records(records, rechecks)
        self._repaint()

    def remove_rows(self, rows: list[int]) -> list[int]:
        """Remove file rows from the view; returns those newly removed."""
        self.beginResetModel()
        new = self.overlay.remove(rows)
        if self._view is not None:
            gone = set(new)
            self._view = array("l", (r for r in self._view if r not in gone))
        self.endResetModel()
        return new

    def restore_rows(self, rows: list[int], view: array[int] | None) -> None:
        """Undo :meth:`remove_rows` (``view``: the filter rows to show again, if filtered)."""
        self.beginResetModel()
        self.overlay.restore(rows)
        if self._view is not None and view is not None:
            self._view = array("l", (r for r in view if not self.overlay.is_removed(r)))
        self.endResetModel()

    def _row_changed(self, row: int) -> None:
        v = self.view_row(row)
        if v is not None:
            self.dataChanged.emit(self.index(v, 0), self.index(v, self.columnCount() - 1))

    # -- Qt model API ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Visible rows."""
        if parent.isValid() or self.source is None:
            return 0
        if self._view is not None:
            return len(self._view)
        return self._visible_count(self._loaded)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Status plus the header's columns."""
        if parent.isValid() or self.source is None:
            return 0
        return 1 + len(self.source.header) + (1 if self._dial_shown else 0)

    def canFetchMore(self, parent: Index) -> bool:
        """More rows exist than are shown (the index is still growing)."""
        if parent.isValid() or self.source is None or self._view is not None or self._changed_said:
            return False
        return self.source.indexed_rows > self._loaded or not self.source.index_complete

    def fetchMore(self, parent: Index) -> None:
        """Index one more chunk of the file (a few ms) and show what it found."""
        if parent.isValid() or self.source is None:
            return
        if self.source.indexed_rows <= self._loaded and not self.source.index_complete:
            try:
                self.source.records(self._loaded, self._loaded + 1)  # extends the lazy index
            except FileChangedError as exc:
                self.file_changed(str(exc))
                return
        self.sync_rows()

    def file_changed(self, message: str) -> None:
        """Tell the page once that the file changed on disk."""
        if not self._changed_said:
            self._changed_said = True
            self.changed_on_disk.emit(message)

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Cells are editable; the status column is not."""
        if not index.isValid():
            return super().flags(index)
        # the same two answers for every valid cell: computed once (a painted cell asks, and
        # combining Qt's flag enums in Python costs more than the rest of the answer)
        if self._cell_flags is None:
            base = super().flags(index)
            self._cell_flags = (base, base | Qt.ItemFlag.ItemIsEditable)
        fixed = index.column() in (self.STATUS_COLUMN, self.dial_column)
        return self._cell_flags[0] if fixed else self._cell_flags[1]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column names (mapped list column) and physical line numbers."""
        if self.source is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < self.rowCount():
                return str(self.line_of(self.file_row(section)))
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Line in the file"
            return None
        if section == self.STATUS_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Status"
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Worst finding of the row (hover a row's status for all of them)"
            return None
        if section == self.dial_column:
            if role == Qt.ItemDataRole.DisplayRole:
                return DIAL_HEADER
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    "When the dialer may call the contact: 08:00 to 21:00 local in every zone its phones "
                    "and ZIP map to (automatic time-zone mapping); amber = the org's default window"
                )
            return None
        col = section - 1
        if col >= len(self.source.header):
            return None
        name = self.source.header[col]
        mapped = self.checked.list_name.get(col) if self.checked is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            if self.checked is None or mapped == name:
                return name
            return f"{name} → {mapped}" if mapped else f"{name} (ignored)"
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.checked is None:
                return name
            if mapped:
                return f"File column {name!r} is list column {mapped!r}"
            return f"File column {name!r} is not a list column; it is not uploaded"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Value, colour and reason of one cell (O(1) plus a bisect)."""
        row = self._file_row_of(index)
        if row is None:
            return None
        return self._cell_data(row, index.column(), role)

    def multiData(self, index: Index, role_data: QModelRoleDataSpan | QModelRoleData) -> None:
        """Every role a delegate asks for, in one call.

        The view's delegate asks seven roles per painted cell; Qt's default ``multiData`` calls
        :meth:`data` once per role, each a call from C++ into Python that must take the GIL
        (while a worker runs Python, every one of them can wait up to the switch interval).
        """
        if isinstance(role_data, QModelRoleData):
            slots = [role_data]
        else:
            slots = [role_data[k] for k in range(role_data.size())]  # type: ignore[index]  # the stub lacks __getitem__
        row = self._file_row_of(index)
        column = index.column()
        for slot in slots:
            role = slot.role()
            # four of the seven roles a painted cell asks for are never set here: answer at once
            slot.setData(None if row is None or role in _UNSET_ROLES else self._cell_data(row, column, role))

    def _file_row_of(self, index: Index) -> int | None:
        if not index.isValid() or self.source is None:
            return None
        r = index.row()
        memo = self._view_memo
        if memo[0] == r and memo[1] is self._view and memo[2] is self.overlay.removed:
            return memo[3]
        if r >= self.rowCount():
            return None
        row = self.file_row(r)
        self._view_memo = (r, self._view, self.overlay.removed, row)
        return row

    def _cell_data(self, row: int, c: int, role: int) -> Any:
        assert self.source is not None
        if role == _ROLE_USER:
            return row
        if c == self.STATUS_COLUMN:
            return self._status_data(row, role)
        if c == self.dial_column:
            return self._dial_data(row, role)
        col = c - 1
        if role in (_ROLE_DISPLAY, _ROLE_EDIT):
            record = self.record(row)
            value = record[col] if col < len(record) else ""
            if role == _ROLE_DISPLAY and self.show_e164 and value:
                e164 = self.e164(col, value)
                if e164 is not None and e164 != value:
                    return f"{value} → {e164}"
            return value
        if role == _ROLE_BACKGROUND:
            sev = self._cell_severity(row, col)
            if sev is not None:
                return SEVERITY_COLORS.get(sev)
            if row in self.overlay.edits:
                base = self.source.record(row)
                edited = self.overlay.edits[row]
                if (base[col] if col < len(base) else "") != (edited[col] if col < len(edited) else ""):
                    return EDITED_COLOR
            return None
        if role == _ROLE_FOREGROUND:
            return QColor("#202124") if self._cell_severity(row, col) is not None else None
        if role == _ROLE_TOOLTIP:
            issue = self.cell_issue(row, col)
            if issue is not None:
                text = f"{issue.severity}: {issue.message}"
                if issue.suggested_fix:
                    text += f"\nFix: {issue.suggested_fix}"
                return text
            if self.show_e164:
                record = self.record(row)
                value = record[col] if col < len(record) else ""
                e164 = self.e164(col, value) if value else None
                if e164 is not None:
                    return f"Original: {value}\nE.164: {e164}"
            return None
        return None

    def _cell_severity(self, row: int, col: int) -> Severity | None:
        return self.cell_severity(row, col)

    def _dial_data(self, row: int, role: int) -> Any:
        dialing = self.dialing
        if dialing is None or row >= len(dialing.row_window):
            return None
        k = dialing.row_window[row]
        w = dialing.windows[k]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._dial_labels[k]
        short = w.minutes < SHORT_MINUTES
        if role == Qt.ItemDataRole.BackgroundRole:
            if short:
                return SEVERITY_COLORS[Severity.WARNING]
            return DEFAULT_WINDOW_COLOR if w.is_default else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#202124") if short or w.is_default else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if short:
                issue = dialing.short_finding(row, self._line(row))
                return f"{issue.severity}: {issue.message}\nFix: {issue.suggested_fix}"
            if w.is_default:
                return f"The org's default window ({w.reason}): {self._dial_labels[k]}"
            zones = ", ".join(zone_label(z) for z in w.zones)
            return f"Mapped by {w.source} to {zones}: {self._dial_labels[k]}"
        return None

    def _line(self, row: int) -> int:
        line = self.line_of(row)
        return line if isinstance(line, int) else 0

    def _dial_short(self, row: int) -> bool:
        dialing = self.dialing
        return dialing is not None and row < len(dialing.row_window) and dialing.is_short(row)

    def _status_data(self, row: int, role: int) -> Any:
        rejected = self.rejections.get(row)
        status, codes = self.row_findings(row)
        short = status is not None and self._dial_short(row)
        if short:  # the short dialing window is the row's finding too
            status = max(status or Severity.OK, RULES[SHORT_RULE].severity)
            codes = [*codes, (-1, SHORT_RULE)]
        if role == _ROLE_DISPLAY:
            if rejected is not None:
                return "Rejected"
            if status is None:
                return "…"
            severities = [RULES[code].severity for _, code in codes if code in RULES]
            if not severities or max(severities) < status:  # e.g. a quote never closed: the row is out
                return _STATUS_TEXT[status]
            return status_text(severities)
        if role == _ROLE_BACKGROUND:
            if rejected is not None:
                return REJECTED_COLOR
            return SEVERITY_COLORS.get(status) if status is not None else None
        if role == _ROLE_FOREGROUND:
            return QColor("#202124") if rejected is not None or status else None
        if role == _ROLE_TOOLTIP:
            lines = []
            if rejected is not None:
                lines.append(f"Rejected by the server: {rejected[0]}: {rejected[1]}")
            if status is None:
                lines.append("Not validated yet")
            else:
                issues = self.row_issues(row)
                if short and self.dialing is not None:
                    issues = [*issues, self.dialing.short_finding(row, self._line(row))]
                lines.extend(f"{i.severity}: {i.message}" for i in issues)
                if not issues:
                    lines.append("No findings")
            return "\n".join(lines)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Edits go through the page's undo stack (see ``commands.EditCellCommand``)."""
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or index.column() in (self.STATUS_COLUMN, self.dial_column)
        ):
            return False
        if self.edit_handler is None:
            return False
        self.edit_handler(self.file_row(index.row()), index.column() - 1, str(value))
        return True
