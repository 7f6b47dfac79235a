"""The findings tab: findings grouped by rule, with the first occurrences of each under it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from console.contacts.reader import CsvSource
from console.ui.preview.checking import SAMPLES_PER_RULE, Checked
from console.ui.preview.edited import Rechecked, edited_samples, tally
from console.ui.preview.model import SEVERITY_COLORS
from console.ui.preview.text import rule_heading

__all__ = ["FIRST_CHILDREN", "FindingsTree"]

FIRST_CHILDREN = 20
"""Occurrences listed under each rule when the findings are shown; the rest (up to
``SAMPLES_PER_RULE``) when the rule is expanded (5,000 tree items cost the UI ~100 ms)."""

_TEXT = QColor("#202124")


class FindingsTree(QTreeWidget):
    """One top item per rule (severity, title, count); children are occurrences.

    A rule item's ``UserRole`` is its code; an occurrence's is its (file row, CSV column). The
    page jumps to the cell on ``itemClicked``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["Finding", "Count"])
        self.setColumnWidth(0, 250)
        self.setToolTip("Findings grouped by rule; click one to jump to its cell")
        self.checked: Checked | None = None
        self.source: CsvSource | None = None
        self.samples: dict[str, list[tuple[int, int]]] = {}
        """Rule code -> its occurrences as the data now stands (edited rows by their re-check)."""
        self.itemExpanded.connect(self._on_item_expanded)

    def show_checked(
        self,
        checked: Checked | None,
        source: CsvSource | None,
        rechecked: Rechecked | None = None,
        counts: dict[str, int] | None = None,
    ) -> None:
        """List the findings of ``checked`` (clear when None), edited rows by their re-check.

        ``counts`` are the findings per rule as edited (the model's running tally); without them
        they are counted here.
        """
        self.checked, self.source = checked, source
        self.clear()
        if checked is None or source is None:
            self.samples = {}
            return
        rechecked = rechecked or {}
        self.samples = edited_samples(checked, rechecked, SAMPLES_PER_RULE) if rechecked else checked.samples
        if counts is None:
            counts = tally(checked, rechecked).counts if rechecked else checked.counts
        for code, count in counts.items():
            severity, heading, tip = rule_heading(code)
            top = QTreeWidgetItem([heading, f"{count:,}"])
            top.setToolTip(0, tip)
            top.setData(0, Qt.ItemDataRole.UserRole, code)
            color = SEVERITY_COLORS.get(severity)
            if color is not None:
                for column in (0, 1):
                    top.setBackground(column, color)
                    top.setForeground(column, _TEXT)
            if any(row == -1 for row, _ in self.samples.get(code, [])):
                for issue in (i for i in checked.result.header_issues if i.code == code):
                    child = QTreeWidgetItem([issue.message, ""])
                    child.setToolTip(0, issue.message)
                    top.addChild(child)
            else:
                self._add_children(top, code, FIRST_CHILDREN)
            self.addTopLevelItem(top)

    def _add_children(self, top: QTreeWidgetItem, code: str, upto: int) -> None:
        """Add the sampled occurrences of ``code`` under ``top``, up to ``upto`` children."""
        checked, source = self.checked, self.source
        if checked is None or source is None:
            return
        header = source.header
        children = []
        for row, col in self.samples.get(code, [])[top.childCount() : upto]:
            where = header[col] if 0 <= col < len(header) else "whole row"
            child = QTreeWidgetItem([f"Line {source.physical_line(row)} · {where}", ""])
            child.setData(0, Qt.ItemDataRole.UserRole, (row, col))
            children.append(child)
        if children:
            top.addChildren(children)

    @Slot(QTreeWidgetItem)
    def _on_item_expanded(self, item: QTreeWidgetItem) -> None:
        code = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(code, str) and item.parent() is None:
            self._add_children(item, code, SAMPLES_PER_RULE)

    def target(self, item: QTreeWidgetItem) -> tuple[int, int] | None:
        """The (file row, CSV column) a click on ``item`` jumps to: its own, or its rule's first."""
        data = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(data, tuple):
            return int(data[0]), int(data[1])
        if isinstance(data, str) and self.checked is not None:
            first = self.samples.get(data, [])
            if first and first[0][0] >= 0:
                return first[0]
        return None
