"""The mapping tab: which file column fills each list column, editable."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QTableWidget, QTableWidgetItem, QWidget

__all__ = ["MappingTable"]


class MappingTable(QTableWidget):
    """One row per list column, with a picker of the file's columns.

    Signals:
        mapping_chosen(str, int): a list column and the CSV column index picked for it (-1: none).
    """

    mapping_chosen = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["List column", "File column"])
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.setToolTip("Which file column fills each list column (matched ignoring case)")

    def show_mapping(self, list_columns: list[str], header: list[str], columns: dict[str, int]) -> None:
        """Show ``columns`` (list column -> CSV column index) for a list and a file header."""
        self.setRowCount(len(list_columns))
        for k, name in enumerate(list_columns):
            item = self.item(k, 0)
            if item is None:
                item = QTableWidgetItem()
                self.setItem(k, 0, item)
            item.setText(name)
            combo = QComboBox()
            combo.addItem("(not in the file)", -1)
            for i, h in enumerate(header):
                combo.addItem(h, i)
            combo.setCurrentIndex(combo.findData(columns.get(name, -1)))
            combo.setProperty("listColumn", name)
            combo.activated.connect(self._on_combo_activated)
            self.setCellWidget(k, 1, combo)

    @Slot(int)
    def _on_combo_activated(self, _index: int) -> None:
        combo = self.sender()
        if isinstance(combo, QComboBox):
            self.mapping_chosen.emit(str(combo.property("listColumn")), int(combo.currentData()))

    def combo(self, list_column: str) -> QComboBox:
        """The mapping editor of a list column.

        Raises:
            KeyError: No such list column.
        """
        for k in range(self.rowCount()):
            item = self.item(k, 0)
            if item is not None and item.text() == list_column:
                w = self.cellWidget(k, 1)
                assert isinstance(w, QComboBox)
                return w
        raise KeyError(list_column)
