"""A small table editor for the repeated parts of a definition (columns, phone columns...).

Each row is a set of wire fields edited by real widgets (line edits and editable combo boxes)
so nothing the user typed is ever dropped, even when it is not valid yet: values stay text
and the page reports what is wrong at the cell (:func:`set_finding`). Each row also carries the
wire keys it has no editor for (:meth:`RowsEditor.extras`: fields of a loaded list that this
console does not know), which follow the row when it is moved and go when it is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

FieldKind = Literal["text", "column", "choice", "int"]


@dataclass(frozen=True)
class FieldSpec:
    """One editable field of a row.

    Attributes:
        key: Wire name (``columnName``, ``type``...).
        title: Column heading.
        kind: ``text`` (line edit), ``column`` (combo of the list's columns, free text allowed),
            ``choice`` (combo of ``choices``, free text allowed), ``int`` (line edit for a whole number).
        choices: Offered values for ``choice``.
        tip: Tooltip of the heading and the editors.
        width: Preferred column width in pixels (0 = stretch).
    """

    key: str
    title: str
    kind: FieldKind = "text"
    choices: tuple[str, ...] = ()
    tip: str = ""
    width: int = 0


def set_finding(widget: QWidget, severity: str, text: str) -> None:
    """Mark ``widget`` with a finding (styled by the page's ``[finding=...]`` rules) or clear it."""
    if widget.property("finding") == severity and widget.toolTip() == text:
        return
    widget.setProperty("finding", severity)
    base = widget.property("baseTip")
    widget.setToolTip(text if severity else str(base or ""))
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class RowsEditor(QWidget):
    """Rows of fields with Add, Remove, Move up and Move down.

    Signals:
        changed(): any value, row count or order changed.

    Args:
        fields: The fields of a row, in column order.
        noun: What a row is ("column", "phone column") for button texts.
        parent: Owner.
    """

    changed = Signal()

    def __init__(self, fields: list[FieldSpec], *, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = fields
        self.noun = noun
        self._columns: list[str] = []
        self._extras: list[dict[str, Any]] = []
        self._loading = False
        self.table = QTableWidget(0, len(fields), self)
        self.table.setHorizontalHeaderLabels([f.title for f in fields])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        for i, spec in enumerate(fields):
            item = self.table.horizontalHeaderItem(i)
            if item is not None and spec.tip:
                item.setToolTip(spec.tip)
            if spec.width:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table.setColumnWidth(i, spec.width)
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(f"Add {noun}")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.add_button.setToolTip(f"Add a {noun} at the end")
        self.remove_button.setToolTip(f"Remove the selected {noun} (Delete)")
        self.up_button.setToolTip(f"Move the selected {noun} up")
        self.down_button.setToolTip(f"Move the selected {noun} down")
        self.remove_button.setShortcut("Delete")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.up_button.clicked.connect(self._on_up_clicked)
        self.down_button.clicked.connect(self._on_down_clicked)

    # -- data ----------------------------------------------------------------------------------

    def row_count(self) -> int:
        """Number of rows."""
        return self.table.rowCount()

    def editor(self, row: int, key: str) -> QWidget:
        """The widget editing ``key`` in ``row``.

        Raises:
            KeyError: No such field.
        """
        col = next(i for i, f in enumerate(self.fields) if f.key == key)
        widget = self.table.cellWidget(row, col)
        if widget is None:
            raise KeyError(f"{self.noun} row {row} has no editor for {key}")
        return widget

    def value(self, row: int, key: str) -> str:
        """The text of one field."""
        widget = self.editor(row, key)
        return widget.currentText() if isinstance(widget, QComboBox) else widget.text()  # type: ignore[attr-defined]

    def set_value(self, row: int, key: str, text: str) -> None:
        """Set the text of one field (emits ``changed``)."""
        widget = self.editor(row, key)
        if isinstance(widget, QComboBox):
            widget.setCurrentText(text)
        elif isinstance(widget, QLineEdit):
            widget.setText(text)

    def rows(self) -> list[dict[str, str]]:
        """Every row as ``{key: text}`` (text as typed, stripped of nothing)."""
        return [{f.key: self.value(r, f.key) for f in self.fields} for r in range(self.row_count())]

    def extras(self, row: int) -> dict[str, Any]:
        """A copy of the wire keys of ``row`` that have no editor (kept as loaded)."""
        return dict(self._extras[row])

    def set_rows(self, rows: list[dict[str, str]], extras: list[dict[str, Any]] | None = None) -> None:
        """Replace all rows (emits ``changed`` once).

        Args:
            rows: The edited fields of each row, as text.
            extras: Per row, the wire keys without an editor, sent back unchanged.
        """
        self._loading = True
        try:
            self.table.setRowCount(0)
            self._extras = []
            for i, values in enumerate(rows):
                self._append(values, extras[i] if extras is not None and i < len(extras) else None)
        finally:
            self._loading = False
        self.changed.emit()

    def add_row(self, values: dict[str, str] | None = None) -> int:
        """Append a row and return its index (emits ``changed``)."""
        row = self._append(values or {})
        self.table.selectRow(row)
        self.changed.emit()
        return row

    def set_columns(self, names: list[str]) -> None:
        """Offer ``names`` in every ``column`` combo, keeping what each shows."""
        self._columns = list(names)
        self._loading = True
        try:
            for r in range(self.row_count()):
                for f in self.fields:
                    if f.kind == "column":
                        combo = self.editor(r, f.key)
                        assert isinstance(combo, QComboBox)
                        self._fill(combo, ["", *names], combo.currentText())
        finally:
            self._loading = False

    def rename_column(self, old: str, new: str) -> None:
        """Follow a column rename in every ``column`` field that pointed at ``old``."""
        for r in range(self.row_count()):
            for f in self.fields:
                if f.kind == "column" and self.value(r, f.key) == old:
                    self.set_value(r, f.key, new)

    def clear_marks(self) -> None:
        """Remove every finding mark."""
        for r in range(self.row_count()):
            for f in self.fields:
                set_finding(self.editor(r, f.key), "", "")

    # -- internals -----------------------------------------------------------------------------

    @staticmethod
    def _fill(combo: QComboBox, items: list[str], current: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(items)
        combo.setCurrentText(current)
        combo.blockSignals(False)

    def _append(self, values: dict[str, str], extra: dict[str, Any] | None = None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._extras.append(dict(extra or {}))
        for col, spec in enumerate(self.fields):
            text = values.get(spec.key, "")
            widget: QWidget
            if spec.kind in ("column", "choice"):
                combo = QComboBox()
                combo.setEditable(True)
                combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                items = ["", *self._columns] if spec.kind == "column" else list(spec.choices)
                self._fill(combo, items, text)
                combo.currentTextChanged.connect(self._on_editor_changed)
                widget = combo
            else:
                edit = QLineEdit(text)
                if spec.kind == "int":
                    edit.setPlaceholderText("—")
                edit.textChanged.connect(self._on_editor_changed)
                widget = edit
            widget.setObjectName(f"{spec.key}_{row}")
            widget.setProperty("baseTip", spec.tip)
            widget.setToolTip(spec.tip)
            self.table.setCellWidget(row, col, widget)
        return row

    def _selected(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        return self.table.currentRow()

    def _move(self, delta: int) -> None:
        row = self._selected()
        target = row + delta
        if row < 0 or not 0 <= target < self.row_count():
            return
        data = self.rows()
        extras = list(self._extras)
        data[row], data[target] = data[target], data[row]
        extras[row], extras[target] = extras[target], extras[row]
        self.set_rows(data, extras)
        self.table.selectRow(target)

    @Slot()
    def _on_editor_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    @Slot()
    def _on_add_clicked(self) -> None:
        row = self.add_row()
        self.editor(row, self.fields[0].key).setFocus()

    @Slot()
    def _on_remove_clicked(self) -> None:
        row = self._selected()
        if row < 0:
            return
        self.table.removeRow(row)
        del self._extras[row]
        self.changed.emit()

    @Slot()
    def _on_up_clicked(self) -> None:
        self._move(-1)

    @Slot()
    def _on_down_clicked(self) -> None:
        self._move(1)
